"""manifest.yml declares exactly what the code uses."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.app import BOT_SCOPES
from bot.usage import COMMANDS

MANIFEST = yaml.safe_load((Path(__file__).parents[1] / "manifest.yml").read_text())


def test_every_slash_command_is_declared_once():
    declared = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert sorted(declared) == sorted(COMMANDS)


def test_slash_commands_escape_mentions_so_handlers_get_ids():
    assert all(c["should_escape"] for c in MANIFEST["features"]["slash_commands"])


def test_bot_scopes_match_the_oauth_settings():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_every_request_url_is_the_events_endpoint():
    urls = [c["url"] for c in MANIFEST["features"]["slash_commands"]]
    urls += [
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
    ]
    assert {url.rsplit("/", 2)[-2:][0] + "/" + url.rsplit("/", 1)[-1] for url in urls} == {"slack/events"}
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")


def _hinted(hint: str) -> set[str]:
    """Return the subcommands a usage hint offers: the first word of each alternative, placeholders left out."""
    return {alternative.split()[0] for alternative in hint.split(" | ") if not alternative.startswith(("[", "<"))}


def _documented(command: str) -> set[str]:
    """Return the subcommands the command's own help lists."""
    words = [syntax.split()[1:2] for syntax, _ in COMMANDS[command].lines]
    return {w[0] for w in words if w and not w[0].startswith(("[", "<"))}


def test_each_usage_hint_offers_every_subcommand_the_command_has():
    for declared in MANIFEST["features"]["slash_commands"]:
        hint = declared["usage_hint"]
        assert len(hint) <= 1000, declared["command"]  # Slack's limit for a usage hint
        assert _hinted(hint) == _documented(declared["command"]), declared["command"]


def test_alignment_help_and_hint_name_the_subcommands_its_listener_answers():
    from handlers.commands.alignment import SUBCOMMANDS

    # `settings` opens a form, so the listener binds it apart; `help` is answered for every command.
    answered = set(SUBCOMMANDS) | {"settings", "help"}
    assert _documented("/alignment") == answered
    [alignment] = [c for c in MANIFEST["features"]["slash_commands"] if c["command"] == "/alignment"]
    assert {"history", "questions", "share"} <= _hinted(alignment["usage_hint"]) == answered
