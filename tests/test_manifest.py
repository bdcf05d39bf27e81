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
    urls += [MANIFEST["settings"]["event_subscriptions"]["request_url"], MANIFEST["settings"]["interactivity"]["request_url"]]
    assert {url.rsplit("/", 2)[-2:][0] + "/" + url.rsplit("/", 1)[-1] for url in urls} == {"slack/events"}
    assert MANIFEST["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
