"""/objective add, list, edit, archive through signed requests into the real app."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from bot.fakeslack import SlackSender
from storage.models import Objective
from tests.conftest import SIGNING_SECRET
from tests.handlers.conftest import shown, workspace_row


def objectives(runtime, slack_team_id=None) -> dict[str, tuple[str, str, bool]]:
    with runtime.services.sessions() as session:
        rows = session.scalars(select(Objective))
        return {o.key: (o.title, o.description, o.archived_at is not None) for o in rows}


def test_help_and_bad_input(ask, runtime):
    assert "/objective archive" in shown(ask("/objective", "help"))
    for text in ("", "frobnicate", "add   | only a description", "edit", "edit a b", "archive", "list extra"):
        answer = ask("/objective", text)
        assert "Usage:" in answer["text"], text
    assert objectives(runtime) == {}


def test_admin_adds_an_objective_and_sees_its_key(ask, runtime):
    answer = ask("/objective", "add Grow new-logo revenue | Build qualified pipeline and close new customers.")
    assert "`grow-new-logo-revenue`" in shown(answer)
    assert objectives(runtime) == {
        "grow-new-logo-revenue": ("Grow new-logo revenue", "Build qualified pipeline and close new customers.", False)
    }


def test_keys_stay_unique_and_titles_too(ask, runtime):
    ask("/objective", "add Grow revenue")
    assert "already an objective called" in ask("/objective", "add grow REVENUE")["text"]
    ask("/objective", "archive grow-revenue")
    answer = ask("/objective", "add Grow revenue!")
    assert "`grow-revenue-2`" in shown(answer)
    assert set(objectives(runtime)) == {"grow-revenue", "grow-revenue-2"}


def test_slack_formatting_in_titles_is_read_not_stored_raw(ask, runtime):
    ask("/objective", "add Win <https://example.com/accounts|enterprise accounts> with <@U0MEMB01|mo> &amp; co")
    ((title, _, _),) = objectives(runtime).values()
    assert title == "Win enterprise accounts with @mo & co"


def test_titles_are_validated(ask, runtime):
    assert "at most 150 characters" in ask("/objective", "add " + "x" * 151)["text"]
    assert "at least one letter or digit" in ask("/objective", "add !!! | ???")["text"]
    assert objectives(runtime) == {}


def test_members_may_not_add_and_are_told_who_may(ask, runtime):
    answer = ask("/objective", "add Grow revenue", user="U0MEMB01")
    assert "Only Alignbot admins can add objectives" in answer["text"]
    assert "workspace admins and owners" in answer["text"]
    assert objectives(runtime) == {}


def test_list_shows_title_key_description_and_open_initiatives(ask, runtime, teams):
    assert "no objectives yet" in ask("/objective", "list", user="U0MEMB01")["text"]
    ask("/objective", "add Grow revenue | Close new customers")
    ask("/objective", "add Increase margins")
    ask("/initiative", "add Webinar #grow-revenue", user="U0MEMB01")
    ask("/initiative", "add Price review #grow-revenue #increase-margins", user="U0MEMB01")
    text = shown(ask("/objective", "list", user="U0MEMB01"))
    assert "Grow revenue" in text and "`grow-revenue`" in text and "Close new customers" in text
    assert "2 open initiatives" in text and "1 open initiative" in text


def test_archive_keeps_history_and_hides_it_from_the_list(ask, runtime, teams):
    ask("/objective", "add Grow revenue")
    ask("/initiative", "add Webinar #grow-revenue", user="U0MEMB01")
    answer = ask("/objective", "archive #grow-revenue")
    assert "Archived objective `grow-revenue`" in answer["text"]
    assert objectives(runtime)["grow-revenue"][2] is True
    assert "1 archived objective not shown" in shown(ask("/objective", "list"))
    assert "`grow-revenue`" in shown(ask("/initiative", "list"))
    assert "already archived" in ask("/objective", "archive grow-revenue")["text"]
    assert "is archived" in ask("/initiative", "add More #grow-revenue", user="U0MEMB01")["text"]
    assert "no objective `nope`" in ask("/objective", "archive nope")["text"]
    assert "Only Alignbot admins can archive" in ask("/objective", "archive grow-revenue", user="U0MEMB01")["text"]


def test_edit_opens_a_modal_and_saves_it(ask, slack, runtime, fake_slack):
    ask("/objective", "add Grow revenue")
    answer = slack.command("/objective", "edit grow-revenue", user_id="U0ADMIN1", channel_id="C0MKTG01")
    assert answer.status == 200
    call = fake_slack.wait_for("views.open")[0]
    view = call.args["view"]
    assert view["callback_id"] == "objective_edit"
    meta = view["private_metadata"]
    submitted = slack.view_submission(
        "objective_edit",
        {
            "title": {"value": "Grow <https://x.example|net> revenue"},
            "description": {"value": "New logos"},
            "keywords": {"value": "pipeline, ARR, pipeline"},
        },
        user_id="U0ADMIN1",
        private_metadata=meta,
    )
    assert submitted.status == 200 and submitted.body == ""
    with runtime.services.sessions() as session:
        row = session.scalar(select(Objective))
        assert (row.key, row.title, row.description, row.keywords) == (
            "grow-revenue",
            "Grow net revenue",
            "New logos",
            ["pipeline", "ARR"],
        )
    fake_slack.wait_for("chat.postEphemeral")


def test_edit_modal_shows_validation_errors(ask, slack, runtime, fake_slack):
    ask("/objective", "add Grow revenue")
    meta = json.dumps({"key": "grow-revenue", "channel": "C0MKTG01"})
    answer = slack.view_submission(
        "objective_edit",
        {"title": {"value": "x" * 151}, "keywords": {"value": "k" * 41}},
        user_id="U0ADMIN1",
        private_metadata=meta,
    )
    body = answer.json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"title", "keywords"}
    assert objectives(runtime)["grow-revenue"][0] == "Grow revenue"


def test_edit_is_refused_to_members(ask, runtime, fake_slack):
    ask("/objective", "add Grow revenue")
    assert "Only Alignbot admins can edit objectives" in ask("/objective", "edit grow-revenue", user="U0MEMB01")["text"]
    assert not fake_slack.calls_to("views.open")


def test_another_workspace_cannot_add_objectives_here(ask, app_url, fake_slack, runtime):
    # Single-workspace mode answers only its own workspace (tests/hardening/test_isolation.py has two installs).
    ask("/objective", "add Grow revenue | ours")
    other = SlackSender(
        f"{app_url}/slack/events", SIGNING_SECRET, team_id="T0OTHER01", response_urls=fake_slack.response_url
    )
    before = len(fake_slack.responses())
    answer = other.command("/objective", "add Grow revenue | theirs", user_id="U0BOSS01", channel_id="C0MKTG01")
    assert answer.status == 200 and answer.body == ""
    time.sleep(0.3)
    assert len(fake_slack.responses()) == before
    assert workspace_row(runtime, "T0OTHER01") is None
    assert "ours" in shown(ask("/objective", "list")) and "theirs" not in shown(ask("/objective", "list"))


def open_form(slack, fake_slack, text: str) -> dict:
    """Run /objective `text` as the admin; return the form as the fake holds it (id, hash, metadata)."""
    assert slack.command("/objective", text, user_id="U0ADMIN1", channel_id="C0MKTG01").status == 200
    fake_slack.wait_for("views.open")
    [view] = fake_slack.views()
    return view


def typed(view: dict, **fields: str) -> dict:
    """Return the view with these fields typed in, as Slack sends it back with an action."""
    values = {name: {"value": {"type": "plain_text_input", "value": value}} for name, value in fields.items()}
    return {**view, "state": {"values": values}}


def test_add_without_a_title_opens_the_form_which_stores_keywords_and_examples(ask, slack, runtime, fake_slack):
    view = open_form(slack, fake_slack, "add")
    assert view["title"]["text"] == "New objective"
    assert {b.get("block_id") for b in view["blocks"]} >= {"title", "keywords", "examples", "preview_actions"}
    submitted = slack.view_submission(
        "objective_edit",
        {
            "title": {"value": "Run the Lighthouse program"},
            "keywords": {"value": "Lighthouse, beacon"},
            "examples": {"value": "Hosted a Lighthouse session for Nordic banks\n\nBeacon review with 3 partners"},
        },
        user_id="U0ADMIN1",
        private_metadata=view["private_metadata"],
    )
    assert submitted.status == 200 and submitted.body == ""
    with runtime.services.sessions() as session:
        row = session.scalar(select(Objective))
        assert (row.key, row.keywords, row.examples) == (
            "run-the-lighthouse-program",
            ["Lighthouse", "beacon"],
            ["Hosted a Lighthouse session for Nordic banks", "Beacon review with 3 partners"],
        )
    [told] = fake_slack.wait_for("chat.postEphemeral")
    assert "run-the-lighthouse-program" in told.args["text"]

    assert "Only Alignbot admins can add objectives" in ask("/objective", "add", user="U0MEMB01")["text"]


def test_the_form_refuses_too_many_examples(ask, slack, runtime, fake_slack):
    ask("/objective", "add Grow revenue")
    many = "\n".join(f"example {i}" for i in range(21))
    answer = slack.view_submission(
        "objective_edit",
        {"title": {"value": "Grow revenue"}, "examples": {"value": many}},
        user_id="U0ADMIN1",
        private_metadata=json.dumps({"key": "grow-revenue"}),
    )
    assert answer.json()["errors"] == {"examples": "Give at most 20 examples (there are 21)."}


def test_preview_shows_how_the_last_weeks_updates_would_be_tagged(ask, slack, runtime, fake_slack, teams):
    ask("/objective", "add Grow revenue | New customers")
    ask("/objective", "add Win the Lighthouse accounts")
    fake_slack.add_user("U0MEMB02", name="mia")
    ask("/checkin", "Ran a Lighthouse session for two prospects", user="U0MEMB01", channel="C0MKTG01")
    ask("/checkin", "Renewed the Lighthouse contract", user="U0SELL01", channel="C0SALES1")
    ask("/checkin", "Cleaned the office kitchen", user="U0MEMB02", channel="C0MKTG01")

    view = open_form(slack, fake_slack, "edit grow-revenue")
    sent = typed(view, title="Grow revenue", description="New customers", keywords="Lighthouse", examples="")
    assert slack.block_action("objective_preview", "preview", user_id="U0ADMIN1", view=sent).status == 200
    fake_slack.wait_for("views.update")
    updated = fake_slack.view(view["id"])
    text = json.dumps(updated["blocks"])
    assert "Preview" in text and "Newly tagged" in text
    assert "Ran a Lighthouse session for two prospects" in text and "Renewed the Lighthouse contract" in text
    assert "Cleaned the office kitchen" not in text
    keywords = next(b for b in updated["blocks"] if b.get("block_id") == "keywords")
    assert keywords["element"]["initial_value"] == "Lighthouse"  # what was typed survives the preview
    assert updated["private_metadata"] == view["private_metadata"]
    with runtime.services.sessions() as session:
        assert session.scalar(select(Objective).where(Objective.key == "grow-revenue")).keywords == []


def test_preview_of_a_bad_form_says_what_is_wrong(ask, slack, runtime, fake_slack):
    ask("/objective", "add Grow revenue")
    view = open_form(slack, fake_slack, "edit grow-revenue")
    slack.block_action("objective_preview", "preview", user_id="U0ADMIN1", view=typed(view, title=""))
    fake_slack.wait_for("views.update")
    assert "The title is empty." in json.dumps(fake_slack.view(view["id"])["blocks"])
