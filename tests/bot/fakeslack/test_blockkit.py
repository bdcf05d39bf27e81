"""Block Kit limits as Slack documents them."""

from __future__ import annotations

import pytest

from bot.fakeslack.blockkit import validate, validate_message, validate_view


def text(s: str, kind: str = "plain_text") -> dict:
    return {"type": kind, "text": s}


def section(s: str = "hi", **extra) -> dict:
    return {"type": "section", "text": text(s, "mrkdwn"), **extra}


def button(action_id: str = "go", label: str = "Go", **extra) -> dict:
    return {"type": "button", "action_id": action_id, "text": text(label), **extra}


def option(label: str = "One", value: str = "1") -> dict:
    return {"text": text(label), "value": value}


def modal(blocks: list, **extra) -> dict:
    return {"type": "modal", "title": text("Check-in"), "blocks": blocks, **extra}


def test_a_realistic_message_is_valid() -> None:
    blocks = [
        {"type": "header", "text": text("Weekly alignment")},
        section("*Marketing*", accessory=button("drill", "Details", value="marketing")),
        {"type": "section", "fields": [text("a", "mrkdwn"), text("b")]},
        {"type": "divider"},
        {
            "type": "context",
            "elements": [text("updated", "mrkdwn"), {"type": "image", "image_url": "https://x/y.png", "alt_text": "y"}],
        },
        {"type": "actions", "elements": [button("yes", style="primary"), button("no", style="danger")]},
        {"type": "image", "image_url": "https://x/chart.png", "alt_text": "coverage chart"},
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
    ]
    assert validate(blocks) == []
    assert validate_message("fallback", blocks) == []


def test_block_count_depends_on_surface() -> None:
    assert validate([section()] * 50) == []
    assert validate([section()] * 51) == ["blocks: 51 items, limit 50"]
    assert validate([section()] * 100, "modal") == []
    assert validate([section()] * 101, "home") == ["blocks: 101 items, limit 100"]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (section("x" * 3001), "blocks[0].text.text: 3001 characters, limit 3000"),
        ({"type": "section", "fields": [text("f")] * 11}, "blocks[0].fields: 11 items, limit 10"),
        ({"type": "section", "fields": [text("f" * 2001)]}, "blocks[0].fields[0].text: 2001 characters, limit 2000"),
        ({"type": "section"}, "blocks[0]: section needs text or fields"),
        ({"type": "header", "text": text("h" * 151)}, "blocks[0].text.text: 151 characters, limit 150"),
        ({"type": "header", "text": text("h", "mrkdwn")}, "blocks[0].text.type: must be plain_text, got 'mrkdwn'"),
        ({"type": "context", "elements": [text("c")] * 11}, "blocks[0].elements: 11 items, limit 10"),
        ({"type": "context", "elements": []}, "blocks[0].elements: 0 items, at least 1 required"),
        (
            {"type": "actions", "elements": [button(f"b{i}") for i in range(26)]},
            "blocks[0].elements: 26 items, limit 25",
        ),
        (section(block_id="b" * 256), "blocks[0].block_id: 256 characters, limit 255"),
        (section(accessory=button(label="L" * 76)), "blocks[0].accessory.text.text: 76 characters, limit 75"),
        (section(accessory=button("a" * 256)), "blocks[0].accessory.action_id: 256 characters, limit 255"),
        (section(accessory=button(value="v" * 2001)), "blocks[0].accessory.value: 2001 characters, limit 2000"),
        (
            section(accessory=button(url="https://" + "u" * 2993)),
            "blocks[0].accessory.url: 3001 characters, limit 3000",
        ),
        (
            section(accessory=button(style="green")),
            "blocks[0].accessory.style: must be primary or danger, got 'green'",
        ),
        (
            {"type": "image", "image_url": "https://x", "alt_text": "a" * 2001},
            "blocks[0].alt_text: 2001 characters, limit 2000",
        ),
        (
            {"type": "image", "image_url": "h" * 3001, "alt_text": "a"},
            "blocks[0].image_url: 3001 characters, limit 3000",
        ),
        ({"type": "image", "image_url": "https://x"}, "blocks[0].alt_text: required"),
        (
            {"type": "section", "text": {"type": "markdown", "text": "x"}},
            "blocks[0].text.type: must be plain_text or mrkdwn, got 'markdown'",
        ),
        ({"type": "section", "text": text("")}, "blocks[0].text.text: must not be empty"),
        ({"type": "carousel"}, "blocks[0].type: unknown block type 'carousel'"),
        ("not a block", "blocks[0]: must be a block object"),
    ],
)
def test_block_limits(block, expected: str) -> None:
    assert validate([block]) == [expected]


def test_block_ids_are_unique_per_surface() -> None:
    errors = validate([section(block_id="same"), section(block_id="same")])
    assert errors == ["blocks[1].block_id: duplicate block_id 'same'"]


def test_action_ids_are_unique_within_a_block_only() -> None:
    # The same action_id in different blocks is the usual "one button per row" pattern.
    assert validate([section(accessory=button("drill")), section(accessory=button("drill"))]) == []
    errors = validate([{"type": "actions", "elements": [button("go"), button("go")]}])
    assert errors == ["blocks[0].elements[1].action_id: duplicate action_id 'go' in this block"]


def test_static_select_limits() -> None:
    def select(**extra) -> dict:
        return {"type": "actions", "elements": [{"type": "static_select", "action_id": "s", **extra}]}

    assert validate([select(options=[option()], placeholder=text("Pick"))]) == []
    assert validate([select(options=[option(value=str(i)) for i in range(101)])]) == [
        "blocks[0].elements[0].options: 101 items, limit 100"
    ]
    assert validate([select(options=[option(label="o" * 76)])]) == [
        "blocks[0].elements[0].options[0].text.text: 76 characters, limit 75"
    ]
    assert validate([select(options=[option(value="v" * 151)])]) == [
        "blocks[0].elements[0].options[0].value: 151 characters, limit 150"
    ]
    assert validate([select(options=[option()], placeholder=text("p" * 151))]) == [
        "blocks[0].elements[0].placeholder.text: 151 characters, limit 150"
    ]
    assert validate([select()]) == ["blocks[0].elements[0]: needs exactly one of options or option_groups"]
    groups = [{"label": text("G"), "options": [option()]}]
    assert validate([select(option_groups=groups)]) == []


def test_multi_static_select_has_the_same_limits() -> None:
    element = {"type": "multi_static_select", "action_id": "m", "options": [option(value="v" * 151)]}
    block = {"type": "input", "label": text("Objectives"), "element": element}
    assert validate([block], "modal") == ["blocks[0].element.options[0].value: 151 characters, limit 150"]


def test_input_limits() -> None:
    def field(**element) -> dict:
        return {
            "type": "input",
            "label": text("What moved?"),
            "element": {"type": "plain_text_input", "action_id": "t", **element},
        }

    assert validate([field(multiline=True, max_length=3000)], "modal") == []
    assert validate([field(max_length=3001)], "modal") == ["blocks[0].element.max_length: 3001 out of range 0..3000"]
    assert validate([field(placeholder=text("p" * 151))], "modal") == [
        "blocks[0].element.placeholder.text: 151 characters, limit 150"
    ]
    long_label = {"type": "input", "label": text("l" * 2001), "element": {"type": "plain_text_input"}}
    assert validate([long_label], "modal") == ["blocks[0].label.text: 2001 characters, limit 2000"]
    assert validate([{"type": "input", "label": text("x")}], "modal") == ["blocks[0].element: required"]
    not_input = {"type": "input", "label": text("x"), "element": {"type": "overflow", "options": [option()]}}
    assert validate([not_input], "modal") == ["blocks[0].element.type: 'overflow' is not allowed here"]


def test_message_text_limit() -> None:
    assert validate_message("x" * 40000) == []
    assert validate_message("x" * 40001) == ["text: 40001 characters, limit 40000"]


def test_modal_limits() -> None:
    assert validate_view(modal([section()], submit=text("Send"), close=text("Cancel"), callback_id="checkin")) == []
    assert validate_view(modal([], title=text("t" * 25))) == ["view.title.text: 25 characters, limit 24"]
    assert validate_view(modal([], submit=text("s" * 25))) == ["view.submit.text: 25 characters, limit 24"]
    assert validate_view(modal([], close=text("c" * 25))) == ["view.close.text: 25 characters, limit 24"]
    assert validate_view(modal([], private_metadata="m" * 3001)) == [
        "view.private_metadata: 3001 characters, limit 3000"
    ]
    assert validate_view(modal([], callback_id="c" * 256)) == ["view.callback_id: 256 characters, limit 255"]
    assert validate_view(modal([section()] * 101)) == ["view.blocks: 101 items, limit 100"]
    inputs = [{"type": "input", "label": text("x"), "element": {"type": "plain_text_input", "action_id": "a"}}]
    assert validate_view(modal(inputs)) == ["view.submit: required when the view has input blocks"]


def test_home_view_and_bad_views() -> None:
    assert validate_view({"type": "home", "blocks": [section()]}) == []
    assert validate_view({"type": "home", "blocks": [{"type": "markdown", "text": "x"}]}) == [
        "view.blocks[0].type: markdown blocks are only allowed in messages"
    ]
    assert validate_view({"type": "popup"}) == ["view.type: must be modal or home, got 'popup'"]
    assert validate_view("nope") == ["view: must be an object"]
    assert validate_view({"type": "home"}) == ["view.blocks: required"]


def test_all_errors_are_reported_together() -> None:
    errors = validate([section("x" * 3001), {"type": "header", "text": text("h" * 151)}])
    assert len(errors) == 2
