"""`alignbot demo` plays its story through the real app and ends with the leadership digest."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime

import pytest
import time_machine

from bot.cli import main
from bot.demo import DB_NAME, run_demo


def test_demo_shows_the_story_and_ends_with_the_digest(tmp_path, capsys):
    out_dir = tmp_path / "out"
    assert main(["demo", "--fast", "--keep", "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out

    # The findings of the story, as the real tagger and analysis read it, week by week.
    assert "of marketing's 2 updates serves no stated objective" in out
    # Unsure of the brand refresh, Alignbot asked its author, whose tap confirmed it serves none.
    assert "@leo was asked “Which objective does this serve?” and pressed [ None of them ]" in out
    assert "Tagged: serves none of the objectives" in out
    # Marcus's win is tagged through sales' own goal, and his confirmation names it.
    confirmed = " ".join(out[out.index("Closed Oakridge Services") :].split())
    assert "serves Win half our head-to-head deals against Routewise → Win against Routewise" in confirmed[:400]
    assert "marketing handed work to or asked for help from sales" in out
    assert "but no sales update this week mentions marketing" in out
    assert "marketing and sales look to be doing the same work for Win against Routewise" in out
    assert "marketing and sales worked together on Grow new-logo revenue" in out

    # Sales was asked about marketing's handoffs and answered with the buttons; the digest keeps count.
    assert "#sales  alignbot (the clock, Mon 15:00 UTC) asked:" in out
    assert "@marcus pressed [ Picked up ]" in out
    assert "alignbot, by DM to @priya: @marcus from sales picked up your handoff" in out
    assert "marketing → sales: 2 handed, 1 picked up, 1 not useful" in out[out.index("The leadership digest, as") :]
    # Every emoji Alignbot's messages use reads as the character, not as its :code:.
    assert re.findall(r":[a-z_]+:", out) == []

    # Answers went in through the real listeners and came back tagged.
    assert "@jess (in the thread, #sales)" in out
    assert "Grow new-logo revenue (0." in out
    # One answer went through the check-in form the prompt's button opens.
    assert "@jess (with the check-in form, from the button in #sales): 3 of marketing's webinar leads" in out
    # Leo corrected his tags with the Edit tags form, and the app confirmed the tags he picked.
    edited = out[out.index("@leo pressed [ Edit tags ] and picked: Win against Routewise, Grow new-logo revenue") :]
    assert edited.index("Tagged by you:") < edited.index("@marcus")

    # Customer success never answers: the clock reminds Sam by DM each week, and the digest says so.
    assert out.count("by DM to @sam: Reminder: your customer-success update for") == 4
    assert out.count("🔇 customer-success sent no update this week.") >= 4

    # The story ends in Priya's App Home, published by the app.
    home = out[
        out.index("@priya opened Alignbot's App Home; the app published:") : out.index("The leadership digest, as")
    ]
    assert "Hi @priya" in home and "Past weeks" in home and "Planning the next webinar with sales" in home

    # It ends with the digest rendered from its Block Kit, then names what it wrote.
    final = out[out.index("The leadership digest, as #leadership shows it") :]
    assert "Alignment digest · " in final
    assert "Fernwood · 4 updates from 2 teams · no update from 1 team" in final
    assert "customer-success: sam" in final
    assert "Working together" in final and "[ Details ]" in final
    assert (
        f"Wrote {out_dir / 'digest.png'} and {out_dir / 'conversation.html'}" in out
        or f"Wrote {out_dir / 'conversation.html'} (no digest picture" in out
    )

    page = (out_dir / "conversation.html").read_text(encoding="utf-8")
    assert "Alignment digest · " in page and "#leadership" in page
    assert "Only visible to the person who asked" in page
    # Besides the channels, the page shows each person's DMs with the bot and the App Home.
    for channel in ("marketing", "sales", "customer-success", "leadership"):
        assert f'<section class="channel" id="{channel}"><h2>#{channel}</h2>' in page
    dm = page[page.index('<section class="channel dm" id="dm-sam">') :]
    assert "alignbot ↔ sam" in dm[:300] and "Reminder:" in dm[: dm.index("</section>")]
    home = page[page.index('<section class="channel home" id="home-priya">') :]
    assert "Past weeks" in home[: home.index("</section>")]
    assert '<a href="#dm-priya">priya</a>' in page and '<a href="#home-priya">alignbot · Home</a>' in page
    assert "A form (Slack modal), filled in and sent" in page
    assert "Weekly check-in · sent: “3 of marketing" in page
    assert "Edit tags · picked: Win against Routewise, Grow new-logo revenue" in page
    # Commands read as typed: a mention by name, not as Slack's markup.
    assert "/checkin Writing the Harlow Plumbing case study with @marcus from sales" in page
    assert "&lt;@U0MARCUS1&gt;" not in page

    # --keep leaves a database the other commands can read.
    database = out_dir / DB_NAME
    assert f"DATABASE_URL=sqlite:///{database}" in out
    with sqlite3.connect(database) as connection:
        assert connection.execute("select count(*) from updates").fetchone()[0] == 16
        # The tag edit is stored as Leo's own choice.
        assert connection.execute("select count(*) from updates where tags_by_hand").fetchone()[0] >= 1


def test_demo_refuses_to_overwrite_a_database(tmp_path, capsys):
    taken = tmp_path / "mine.db"
    taken.write_bytes(b"precious")
    assert main(["demo", "--db", str(taken), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err
    assert taken.read_bytes() == b"precious"


def test_the_demo_does_not_import_the_command_line():
    import subprocess
    import sys

    code = (
        "import sys, bot.demo, bot.demo.play, bot.demo.html; "
        "bot.demo._explore_commands('sqlite:///x.db', ['2026-W40', '2026-W41', '2026-W42']); "
        "print('bot.cli' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


@pytest.fixture(scope="module")
def whole_story(tmp_path_factory):
    """Play the whole story on a Sunday; return the transcript and the conversation page."""
    out_dir = tmp_path_factory.mktemp("story")
    # Not the story's weekdays: its check-ins go out on Monday and are due on Tuesday.
    with time_machine.travel(datetime(2027, 1, 10, 12, 0, tzinfo=UTC), tick=True):
        result = run_demo(out_dir, say=lambda line: None)
    return result.transcript, (out_dir / "conversation.html").read_text(encoding="utf-8")


def test_the_demos_buttons_are_pressed_on_the_storys_day(whole_story):
    out, page = whole_story
    assert "#sales  alignbot (the clock, Mon 15:00 UTC) asked:" in out
    digest = out[out.index("The leadership digest, as") :]
    assert "Not useful by marcus, Mon: “Too generic" in " ".join(digest.split())
    # In #sales, on the handoff messages the buttons edited, and in the digests.
    page = re.sub(r"<[^>]+>", " ", page)
    answers = set(re.findall(r"(Picked up|Not useful) by\s+@?marcus\s*, (\w+)", page))
    assert answers == {("Picked up", "Mon"), ("Not useful", "Mon")}


def test_the_demos_unanswered_brand_refresh_is_named_in_the_first_two_digests(whole_story):
    out, _ = whole_story
    digests = re.findall(r"posted the digest for (\S+):\n((?:   │.*\n)+)", out)
    assert len(digests) == 6
    for week, digest in digests[:2]:
        # Nobody answered "which objective does this serve?" by Tuesday: the guess counts, marked as one.
        assert "2 of marketing's 2 updates serve no stated objective (guess: their authors didn't answer)" in " ".join(
            digest.replace("│", "").split()
        ), week


def test_the_demos_teams_set_goals_and_the_final_digest_names_the_brand_refresh(whole_story):
    out, _ = whole_story
    set_up = " ".join(out[: out.index("━━ Week")].split())
    assert "/goal add marketing Brand refresh: new logo, colours and website look #none" in set_up
    assert set_up.count("→ Added goal #") == 7
    final = " ".join(out[out.index("The leadership digest, as") :].split())
    goals = final[final.index("Goals 🎯") :]
    assert goals.startswith(
        "Goals 🎯 marketing's goal “Brand refresh: new logo, colours and website look” serves no business objective."
    )
    assert "No team has a goal that serves Improve gross margin." in goals
