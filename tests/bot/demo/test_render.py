"""The Block Kit → terminal text renderer, and its HTML sibling, on plain block dicts."""

from __future__ import annotations

from bot.demo.html import blocks_to_html, mrkdwn_to_html
from bot.demo.render import Names, indent, mrkdwn_to_text, render_blocks, render_message

NAMES = Names(users={"U0ANA001": "ana"}, channels={"C0SALES1": "sales"})


def test_marks_are_stripped_at_word_edges_only():
    assert mrkdwn_to_text("*bold* and _italic_ and ~gone~") == "bold and italic and gone"
    assert mrkdwn_to_text("snake_case_name and 2*3*4") == "snake_case_name and 2*3*4"


def test_mentions_become_names():
    text = "<@U0ANA001> asked <#C0SALES1> and <#C0OTHER1|ops>, cc <!here> and <@U0NOBODY>"
    assert mrkdwn_to_text(text, NAMES) == "@ana asked #sales and #ops, cc @here and @U0NOBODY"


def test_links_keep_their_label_and_dates_their_fallback():
    assert (
        mrkdwn_to_text("see <https://example.com/x|the page> or <https://example.com>")
        == "see the page or https://example.com"
    )
    assert (
        mrkdwn_to_text("due <!date^1700000000^{date_short_pretty} at {time}|Tue 14 Nov 22:13 UTC>")
        == "due Tue 14 Nov 22:13 UTC"
    )


def test_escapes_and_emoji():
    assert (
        mrkdwn_to_text("a &lt;b&gt; &amp;amp; :white_check_mark: :no_such_emoji:") == "a <b> &amp; ✅ :no_such_emoji:"
    )


def test_code_is_never_reformatted():
    text = "*Coverage*\n```objective   a  b\nx_y *z*      1  ·```\nuse `/checkin <text>`"
    assert mrkdwn_to_text(text) == "Coverage\n\nobjective   a  b\nx_y *z*      1  ·\n\nuse /checkin <text>"


def test_blocks_read_as_slack_shows_them():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Alignment digest · 2026-W48"}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": "*Alignment*\n75%"},
                {"type": "mrkdwn", "text": "*Interdependence*\n25%"},
            ],
        },
        {"type": "divider"},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "Hello <@U0ANA001>"},
            "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "action_id": "a"},
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "_small print_"},
                {"type": "image", "image_url": "https://x/y.png", "alt_text": "logo"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Details"}, "action_id": "d"},
                {"type": "static_select", "action_id": "s", "placeholder": {"type": "plain_text", "text": "Pick…"}},
            ],
        },
        {"type": "unknown_future_block"},
    ]
    assert render_blocks(blocks, NAMES).splitlines() == [
        "Alignment digest · 2026-W48",
        "═══════════════════════════",
        "Alignment    Interdependence",
        "75%          25%",
        "─" * 40,
        "Hello @ana",
        "[ Open ]",
        "small print  [image: logo]",
        "[ Details ]  [ Pick… ▾ ]",
    ]


def test_a_message_without_blocks_shows_its_text_and_files():
    message = {"text": "*Chart* attached", "files": [{"name": "a.png", "title": "Coverage"}]}
    assert render_message(message) == "Chart attached\n[file: Coverage]"


def test_indent_wraps_prose_but_not_tables():
    prose = "word " * 30
    lines = indent(prose.strip(), "  ", 40, first="> ").splitlines()
    assert lines[0].startswith("> word") and all(len(line) <= 40 for line in lines)
    assert all(line.startswith("  ") for line in lines[1:])
    table = "objective" + " " * 60 + "a  b"
    assert indent(table, "  ", 40) == "  " + table


def test_html_escapes_text_and_keeps_slack_marks():
    out = mrkdwn_to_html("<script>alert(1)</script> *bold* <@U0ANA001> <https://e.com/?a=1&amp;b=2|link> `x<y`", NAMES)
    assert "<script>" not in out
    assert "<b>bold</b>" in out
    assert '<span class="mention">@ana</span>' in out
    assert '<a href="https://e.com/?a=1&amp;b=2">link</a>' in out
    assert "<code>x&lt;y</code>" in out


def test_html_does_not_link_other_schemes():
    assert "<a" not in mrkdwn_to_html("<javascript:alert(1)|click>")


def test_html_blocks():
    out = blocks_to_html(
        [
            {"type": "header", "text": {"type": "plain_text", "text": "Digest <1>"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "```a  b```"}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action_id": "x",
                        "text": {"type": "plain_text", "text": "Details"},
                    }
                ],
            },
        ]
    )
    assert "Digest &lt;1&gt;" in out
    assert "<pre>a  b</pre>" in out
    assert '<span class="button primary">Details</span>' in out


def test_html_draws_trend_lines_as_bars_and_names_weeks_by_their_monday():
    from bot.demo.html import mrkdwn_to_html, week_heading

    out = mrkdwn_to_html("alignment 75% `▁▄█` and `x▁`")
    assert out.count("<i style=") == 3 and 'class="spark"' in out
    assert "<code>x▁</code>" in out
    assert week_heading("2026-W44") == "Week of 26 Oct 2026"
    assert week_heading("2026-W53") == "Week of 28 Dec 2026"
    assert week_heading("not a week") == "not a week"


def test_html_shows_quotes_as_quotes_and_a_lone_angle_bracket_as_text():
    html = mrkdwn_to_html("Your update is in:\n>Planning the webinar\n>with sales\nafter")
    assert html == (
        'Your update is in:<br><span class="quote">Planning the webinar</span>'
        '<span class="quote">with sales</span>after'
    )
    assert mrkdwn_to_html("a > b") == "a &gt; b"


def test_the_page_says_which_weeks_it_shows_with_months_capitalised():
    from bot.demo.html import conversation_page
    from bot.demo.play import Played
    from bot.demo.render import Names

    played = Played(
        weeks=["2026-W44", "2026-W46"], entries=[], digest={}, chart=None, charts={}, names=Names(), bot_user="U0BOT"
    )
    page = conversation_page(played, "Acme")
    assert "during week of 26 Oct 2026 to week of 9 Nov 2026:" in page
