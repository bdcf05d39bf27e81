"""One whole check-in week that starts at the session's clock (`pytest --clock`), in several zones.

The other service tests pin their weeks; this one lives at whatever instant the session runs,
so a year end, a week 53 or a daylight-saving change at that instant is tested for real.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.services.checkins import Answer
from bot.services.deliveries import Deliveries
from bot.services.digests import Digests
from bot.slack import SlackClients
from storage.models import CheckinCycle, Team, Update, utcnow

TEAM = "T0000001"


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland"])
def test_a_week_that_starts_now_prompts_reminds_and_digests_once(
    zone, checkins, prompts, org, sessions, settings, fake_slack, time_machine
):
    # The teams' prompt is the wall time ten minutes from now; a wall time that occurs twice
    # (clocks going back) means its first occurrence.
    local = (utcnow() + timedelta(minutes=10)).astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0, fold=0)
    prompt = local.astimezone(UTC)
    year, number, _ = local.date().isocalendar()
    week = f"{year}-W{number:02d}"
    with sessions.begin() as session:
        session.execute(
            update(Team).values(
                prompt_weekday=local.weekday(),
                prompt_time=f"{local:%H:%M}",
                timezone=zone,
                deadline_hours=24,
                reminder_hours=4,
            )
        )

    assert prompts.tick(now=prompt - timedelta(minutes=1)).sent == 0
    assert prompts.tick(now=prompt).sent == 5

    time_machine.move_to(prompt + timedelta(hours=1))
    recorded = checkins.record(
        Answer(TEAM, "U0MEMB01", "Booked 6 discovery calls with new prospects", channel_id="C0MKTG01")
    )
    assert recorded.team == "marketing"
    with sessions() as session:
        assert session.scalars(select(CheckinCycle.week).join(Update)).all() == [week]
    statuses = {s.team: s for s in prompts.status(TEAM, now=prompt + timedelta(hours=2))}
    assert statuses["marketing"].answered == ("U0MEMB01",)
    assert statuses["marketing"].missing == ("U0MEMB02",)

    fake_slack.reset_calls()
    prompts.tick(now=prompt + timedelta(hours=20))
    prompts.tick(now=prompt + timedelta(hours=21))
    assert sorted(c.args["channel"] for c in fake_slack.calls_to("chat.postMessage")) == ["U0MEMB02", "U0SELL01"]

    digests = Digests(settings, sessions, SlackClients(settings), Deliveries(sessions))
    assert digests.tick(now=prompt + timedelta(hours=23)) == 0  # the week is still open
    assert digests.tick(now=prompt + timedelta(hours=24, minutes=1)) == 1
    assert digests.tick(now=prompt + timedelta(hours=25)) == 0
    [digest] = [m for m in fake_slack.messages("C0LEAD01") if m.get("thread_ts") in (None, m["ts"])]
    assert week in digest["text"]
