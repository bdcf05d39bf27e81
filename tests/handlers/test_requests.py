"""Signed requests into the real app over HTTP: verification, help, health, event retries."""

from __future__ import annotations

import json
import time
import urllib.request

from sqlalchemy import func, select

from storage.models import ProcessedEvent


def test_signed_command_gets_its_help(slack):
    response = slack.command("/checkin", "help", user_id="U0MEMB01", channel_id="C0MKTG01")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    text = json.dumps(body["blocks"])
    assert "/checkin &lt;text&gt;" in text and "record" in text


def test_every_command_answers_help(slack):
    for command in ("/checkin", "/initiative", "/objective", "/alignment"):
        body = slack.command(command, "help").json()
        assert command in body["blocks"][0]["text"]["text"]


def test_forged_signature_is_refused(slack):
    assert slack.command("/checkin", "help", forge=True).status == 401


def test_wrong_secret_is_refused(slack):
    assert slack.command("/checkin", "help", signing_secret="not-the-secret").status == 401


def test_stale_timestamp_is_refused(slack):
    assert slack.command("/checkin", "help", timestamp=time.time() - 301).status == 401


def test_url_verification_echoes_the_challenge(slack):
    response = slack.url_verification("challenge-123")
    assert response.status == 200
    assert "challenge-123" in response.body


def test_healthz_reports_the_database(app_url):
    with urllib.request.urlopen(f"{app_url}/healthz", timeout=5) as answer:
        assert answer.status == 200
        assert json.loads(answer.read()) == {"ok": True, "database": "ok"}


def test_a_retried_event_is_handled_once(slack, runtime, fake_slack):
    # The bot joining a channel is an event that does work (people joining change no team).
    event = {"type": "member_joined_channel", "user": fake_slack.bot_user_id, "channel": "C0MKTG01"}
    slack.event(event, event_id="Ev0001")
    retry = slack.event(event, event_id="Ev0001", retry_num=1, retry_reason="http_timeout")
    assert retry.status == 200
    deadline = time.monotonic() + 5
    while _processed(runtime) != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_forged_request_is_logged_as_one_line_without_its_body(slack, caplog):
    with caplog.at_level("INFO"):
        assert slack.command("/checkin", "my secret plans", forge=True).status == 401
    messages = [r.getMessage() for r in caplog.records]
    assert any("SLACK_SIGNING_SECRET does not match" in m for m in messages)
    assert not any("my secret plans" in m or "my+secret+plans" in m for m in messages)


def test_a_signed_request_no_listener_handles_is_logged_without_its_body(slack, fake_slack, caplog):
    # Bolt's own line would quote a legacy dialog's submission, i.e. what a person typed.
    with caplog.at_level("INFO"):
        answer = slack.action(
            {
                "type": "dialog_submission",
                "callback_id": "old_dialog",
                "team": {"id": fake_slack.team_id},
                "user": {"id": "U0MEMB01"},
                "submission": {"plans": "my secret plans"},
            }
        )
    assert answer.status == 200 and answer.body == ""  # Slack retries a request that fails
    messages = [r.getMessage() for r in caplog.records]
    assert any("Unhandled request" in m for m in messages)
    assert not any("secret plans" in m for m in messages)


def test_blank_oauth_variables_do_not_switch_bolt_to_oauth(runtime, monkeypatch):
    from bot.app import create_app

    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", " ")
    assert create_app(runtime).oauth_flow is None


def _processed(runtime) -> int:
    with runtime.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent))


def test_an_event_whose_listener_failed_is_handled_again_on_slacks_retry(slack, runtime, fake_slack):
    fake_slack.add_user("U0HOME01", name="hoa")
    fake_slack.fail("views.publish", error="internal_error")
    event = {"type": "app_home_opened", "user": "U0HOME01", "channel": "D0HOME01", "tab": "home"}
    assert slack.event(event, event_id="Ev0FAIL01").status == 200
    fake_slack.wait_for("views.publish")
    time.sleep(0.3)
    assert fake_slack.home("U0HOME01") is None and _processed(runtime) == 0

    assert slack.event(event, event_id="Ev0FAIL01", retry_num=1, retry_reason="http_error").status == 200
    fake_slack.wait_for("views.publish", 2)
    assert fake_slack.home("U0HOME01") is not None
    deadline = time.monotonic() + 5
    while _processed(runtime) != 1:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # Now it is done: a third delivery does nothing.
    assert slack.event(event, event_id="Ev0FAIL01", retry_num=2).status == 200
    time.sleep(0.3)
    assert len(fake_slack.calls_to("views.publish")) == 2


def test_an_event_no_listener_handles_is_not_recorded(slack, runtime):
    event = {
        "type": "reaction_added",
        "user": "U0MEMB01",
        "reaction": "tada",
        "item": {"type": "message", "channel": "C0MKTG01", "ts": "1.2"},
    }
    first = slack.event(event, event_id="Ev0NOBODY")
    retry = slack.event(event, event_id="Ev0NOBODY", retry_num=1)
    assert first.status == retry.status
    assert "already" not in retry.body
    assert _processed(runtime) == 0
