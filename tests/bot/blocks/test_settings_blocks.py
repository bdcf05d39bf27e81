"""The team settings form as plain data: what it shows, and what it reads back."""

from __future__ import annotations

from bot.blocks.settings import SettingsForm, settings_modal, settings_values
from bot.fakeslack.blockkit import validate_view
from bot.parsing import WEEKDAYS


def form(**changes) -> SettingsForm:
    fields = dict(
        team="sales",
        channel_id="C0SALES1",
        weekday=0,
        time="09:00",
        timezone="UTC",
        local_time=False,
        deadline_hours=24,
        reminder_hours=4,
        mode="both",
        members=("U0SELL01",),
        leads=(),
        share=True,
    )
    return SettingsForm(**{**fields, **changes})


def elements(view: dict) -> dict:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def test_sharing_is_a_checkbox_ticked_only_while_the_team_shares():
    on, off = (settings_modal(form(share=share), {}, WEEKDAYS) for share in (True, False))
    assert validate_view(on) == [] and validate_view(off) == []
    assert [o["value"] for o in elements(on)["share"]["initial_options"]] == ["share"]
    assert "initial_options" not in elements(off)["share"]


def test_sharing_reads_back_ticked_unticked_or_absent():
    def state(share: dict | None) -> dict:
        return {"values": {} if share is None else {"share": {"value": share}}}

    ticked = {"type": "checkboxes", "selected_options": [{"value": "share"}]}
    assert settings_values(state(ticked))["share"] is True
    assert settings_values(state({"type": "checkboxes", "selected_options": []}))["share"] is False
    assert settings_values(state(None))["share"] is None  # a form without the box leaves sharing alone
