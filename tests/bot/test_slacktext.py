"""Slack text: escaped once, markup rendered as names, disguising characters dropped, look-alike names."""

from __future__ import annotations

import pytest

from bot import slacktext as st
from tests.hostile_text import SENT, TYPED


def test_text_typed_in_slack_reads_as_typed_and_becomes_mrkdwn_escaped_once():
    assert st.plain(SENT) == TYPED.replace("\u202e", "").replace("\u200b", "")
    shown = st.mrkdwn(SENT)
    assert "R&amp;D notes &lt;!channel&gt; &lt;!here&gt;" in shown and "&lt;@U0CAL|cal&gt;" in shown
    assert "&lt;https://evil.example|click here&gt;" in shown and "&amp;amp;" not in shown
    assert "<" not in shown and ">" not in shown


def test_markup_becomes_names_labels_and_words_that_ping_nobody():
    text = (
        "<@U1> <@U2|bea> <@U3> <#C1|sales> <#C2> <!here> <!channel|channel> <!subteam^S1|@eng> <!subteam^S2> "
        "<!date^1700000000^{date}|Nov 14> <https://x.example|the plan> <https://y.example> <mailto:a@b.c|a@b.c>"
    )
    names = {"U1": "ana", "U2": "not used"}
    assert st.plain(text, names) == (
        "@ana @bea @U3 #sales #C2 @here @channel @eng @S2 Nov 14 the plan https://y.example a@b.c"
    )
    assert st.plain("<@U1>", lambda user: {"U1": "ana"}.get(user)) == "@ana"


def test_angle_brackets_that_are_no_slack_markup_stay_text():
    # A form sends text unescaped: only the shapes Slack writes are markup.
    assert st.plain("if a<b and c>d then <b>bold</b> & <3") == "if a<b and c>d then <b>bold</b> & <3"
    assert st.mrkdwn("a <b> & c") == "a &lt;b&gt; &amp; c"


def test_a_mention_cut_by_a_quote_is_still_a_name():
    assert st.plain("“asked <@U1|an…” and <#C1", {"U1": "ana"}) == "“asked @an…” and #C1"
    assert st.plain("asked <@U1…", {"U1": "ana"}) == "asked @ana…"


def test_escape_and_unescape_go_once():
    assert st.escape("R&D <!here> &amp;") == "R&amp;D &lt;!here&gt; &amp;amp;"
    assert st.unescape("&amp;lt; &lt;b&gt; R&amp;D") == "&lt; <b> R&D"


@pytest.mark.parametrize(
    "text, kept",
    [
        ("page \u202egnp.exe", "page gnp.exe"),
        ("\u2066isolated\u2069 \u200emark\u200f", "isolated mark"),
        ("zero\u200bwidth\ufeff word\u2060joined", "zerowidth wordjoined"),
        ("sa\u200dles", "sales"),
        ("می\u200cخواهم", "می\u200cخواهم"),  # Persian needs its non-joiner
        ("👩\u200d💻", "👩\u200d💻"),  # and emoji sequences their joiner
    ],
)
def test_disguising_characters_are_dropped_and_needed_joiners_kept(text, kept):
    assert st.clean(text) == kept
    assert st.escape(text) == kept


def test_mrkdwn_cuts_and_joins_lines_on_request():
    assert st.mrkdwn("one\ntwo  three", lines=False) == "one two three"
    assert st.mrkdwn("one\ntwo") == "one\ntwo"
    assert st.mrkdwn("R&amp;D " + "x" * 20, limit=8) == "R&amp;D xxx…"


def test_unnamed_mentions_are_those_to_look_up():
    assert st.unnamed_mentions("<@U1> <@U2|bea> &lt;@U3&gt; <#C1>") == ["U1"]


@pytest.mark.parametrize(
    "a, b",
    [
        ("sales", "ѕales"),  # Cyrillic dze
        ("Marketing", "Μarketing"),  # Greek capital mu
        ("ops", "оps"),  # Cyrillic o
        ("sales", "SALES"),
        ("sales", "Ｓａｌｅｓ"),  # full width
        ("demand gen", "demand-gen"),
        ("café", "cafe"),
        ("pr", "pr\u200b"),
    ],
)
def test_look_alike_names_have_one_skeleton(a, b):
    assert st.skeleton(a) == st.skeleton(b)


@pytest.mark.parametrize("a, b", [("sales", "sale"), ("ops", "dev ops"), ("маркетинг", "marketing")])
def test_different_names_have_different_skeletons(a, b):
    assert st.skeleton(a) != st.skeleton(b)
