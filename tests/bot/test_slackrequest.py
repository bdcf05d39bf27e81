"""Reading Slack's bodies: forms, interactions and JSON, as plain data."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.slackrequest import bolt_request, read_body

FORM = "application/x-www-form-urlencoded"


def test_a_form_whose_text_says_payload_is_a_form():
    raw = urlencode({"command": "/checkin", "text": "payload docs shipped", "team_id": "T1"})
    assert read_body(raw, FORM) == {"command": "/checkin", "text": "payload docs shipped", "team_id": "T1"}


def test_an_interaction_is_its_payload_field_and_json_is_json():
    action = {"type": "block_actions", "team": {"id": "T1"}}
    assert read_body(urlencode({"payload": json.dumps(action)}), FORM) == action
    assert read_body(json.dumps(action), "application/json; charset=utf-8") == action
    assert read_body("", FORM) == {}
    with pytest.raises(ValueError):
        read_body("{not json", "application/json")


def test_bolts_request_keeps_the_raw_body_and_reads_the_workspace():
    raw = urlencode({"command": "/goal", "text": "add sales payload", "team_id": "T1", "user_id": "U1"})
    request = bolt_request(raw, headers={"content-type": FORM})
    assert request.raw_body == raw and request.body["text"] == "add sales payload"
    assert (request.context.team_id, request.context.user_id) == ("T1", "U1")
