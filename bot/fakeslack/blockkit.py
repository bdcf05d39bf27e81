"""Check Block Kit payloads against Slack's documented limits.

Pure functions, no Slack calls: the fake server uses them to reject what Slack
would reject, and tests can call them directly on builder output. Each problem is
one short string naming the path, e.g. "blocks[3].text.text: 3012 characters,
limit 3000". An empty list means valid.

Deliberately lenient where Slack is lenient (unknown fields are ignored) and
strict where Slack is strict (lengths, counts, text object types, unknown block
and element types). action_id uniqueness is checked per block, as Slack
documents it ("unique among all other action_ids in the containing block"):
the same action_id on a button in each of several sections is valid.
"""

from __future__ import annotations

from typing import Any

MESSAGE_TEXT_LIMIT = 40000
BLOCK_LIMITS = {"message": 50, "modal": 100, "home": 100}

_TEXT_TYPES = ("plain_text", "mrkdwn")
_KNOWN_BLOCKS = (
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
    "table",
)
# Blocks Slack only accepts in messages.
_MESSAGE_ONLY_BLOCKS = ("file", "markdown", "table")

_SELECTS_WITH_OPTIONS = ("static_select", "multi_static_select")
_OTHER_SELECTS = (
    "external_select",
    "multi_external_select",
    "users_select",
    "multi_users_select",
    "conversations_select",
    "multi_conversations_select",
    "channels_select",
    "multi_channels_select",
)
_INPUTS = (
    "plain_text_input",
    "email_text_input",
    "url_text_input",
    "number_input",
    "rich_text_input",
    "file_input",
)
_PICKERS = ("datepicker", "timepicker", "datetimepicker")
# Which interactive elements each container accepts (image is not interactive).
_ACTIONS_ELEMENTS = (
    ("button", "overflow", "checkboxes", "radio_buttons", "workflow_button", "rich_text_input")
    + _SELECTS_WITH_OPTIONS
    + _OTHER_SELECTS
    + _PICKERS
)
_SECTION_ACCESSORIES = (
    ("button", "overflow", "checkboxes", "radio_buttons", "image", "workflow_button")
    + _SELECTS_WITH_OPTIONS
    + _OTHER_SELECTS
    + _PICKERS
)
_INPUT_ELEMENTS = ("checkboxes", "radio_buttons") + _SELECTS_WITH_OPTIONS + _OTHER_SELECTS + _INPUTS + _PICKERS


class _Checker:
    """Collect errors while walking one surface (a message or a view)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._block_ids: set[str] = set()

    def err(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    # -- primitives -------------------------------------------------------

    def length(self, path: str, value: Any, limit: int, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.err(path, "required")
            return
        if not isinstance(value, str):
            self.err(path, f"must be a string, got {type(value).__name__}")
            return
        if required and value == "":
            self.err(path, "must not be empty")
        if limit is not None and len(value) > limit:
            self.err(path, f"{len(value)} characters, limit {limit}")

    def text(self, path: str, obj: Any, limit: int, *, plain_only: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                self.err(path, "required")
            return
        if not isinstance(obj, dict):
            self.err(path, "must be a text object")
            return
        kind = obj.get("type")
        allowed = ("plain_text",) if plain_only else _TEXT_TYPES
        if kind not in allowed:
            self.err(f"{path}.type", f"must be {' or '.join(allowed)}, got {kind!r}")
        self.length(f"{path}.text", obj.get("text"), limit, required=True)

    def items(self, path: str, value: Any, limit: int | None, *, minimum: int = 0) -> list:
        """Return value as a list, flagging a wrong type or count."""
        if value is None:
            if minimum:
                self.err(path, "required")
            return []
        if not isinstance(value, list):
            self.err(path, "must be an array")
            return []
        if limit is not None and len(value) > limit:
            self.err(path, f"{len(value)} items, limit {limit}")
        elif len(value) < minimum:
            self.err(path, f"{len(value)} items, at least {minimum} required")
        return value

    # -- composition objects ----------------------------------------------

    def option(self, path: str, opt: Any, *, mrkdwn: bool = False) -> None:
        if not isinstance(opt, dict):
            self.err(path, "must be an option object")
            return
        self.text(f"{path}.text", opt.get("text"), 75, plain_only=not mrkdwn)
        self.length(f"{path}.value", opt.get("value"), 150, required=True)
        self.text(f"{path}.description", opt.get("description"), 75, plain_only=not mrkdwn, required=False)
        self.length(f"{path}.url", opt.get("url"), 3000)

    def options(self, path: str, opts: Any, limit: int, *, minimum: int = 1, mrkdwn: bool = False) -> None:
        for i, opt in enumerate(self.items(path, opts, limit, minimum=minimum)):
            self.option(f"{path}[{i}]", opt, mrkdwn=mrkdwn)

    def confirm(self, path: str, obj: Any) -> None:
        if obj is None:
            return
        if not isinstance(obj, dict):
            self.err(path, "must be a confirmation dialog object")
            return
        self.text(f"{path}.title", obj.get("title"), 100, plain_only=True)
        self.text(f"{path}.text", obj.get("text"), 300)
        self.text(f"{path}.confirm", obj.get("confirm"), 30, plain_only=True)
        self.text(f"{path}.deny", obj.get("deny"), 30, plain_only=True)

    # -- elements ---------------------------------------------------------

    def element(self, path: str, el: Any, allowed: tuple[str, ...], action_ids: set[str]) -> None:
        if not isinstance(el, dict):
            self.err(path, "must be an element object")
            return
        kind = el.get("type")
        if kind not in allowed:
            self.err(f"{path}.type", f"{kind!r} is not allowed here")
            return
        if kind == "image":
            self.image_source(path, el)
            return
        action_id = el.get("action_id")
        self.length(f"{path}.action_id", action_id, 255)
        if isinstance(action_id, str):
            if action_id in action_ids:
                self.err(f"{path}.action_id", f"duplicate action_id {action_id!r} in this block")
            action_ids.add(action_id)
        self.confirm(f"{path}.confirm", el.get("confirm"))
        if "placeholder" in el:
            self.text(f"{path}.placeholder", el["placeholder"], 150, plain_only=True)

        if kind == "button":
            self.text(f"{path}.text", el.get("text"), 75, plain_only=True)
            self.length(f"{path}.value", el.get("value"), 2000)
            self.length(f"{path}.url", el.get("url"), 3000)
            self.length(f"{path}.accessibility_label", el.get("accessibility_label"), 75)
            if el.get("style") not in (None, "primary", "danger"):
                self.err(f"{path}.style", f"must be primary or danger, got {el.get('style')!r}")
        elif kind in _SELECTS_WITH_OPTIONS:
            self.static_select(path, el)
        elif kind == "overflow":
            self.options(f"{path}.options", el.get("options"), 5)
        elif kind in ("checkboxes", "radio_buttons"):
            self.options(f"{path}.options", el.get("options"), 10, mrkdwn=True)
        elif kind == "plain_text_input":
            for key in ("min_length", "max_length"):
                value = el.get(key)
                if value is not None and (not isinstance(value, int) or not 0 <= value <= 3000):
                    self.err(f"{path}.{key}", f"{value!r} out of range 0..3000")
            self.length(f"{path}.initial_value", el.get("initial_value"), 3000)
        elif kind == "workflow_button":
            self.text(f"{path}.text", el.get("text"), 75, plain_only=True)

    def static_select(self, path: str, el: dict) -> None:
        has_options, has_groups = "options" in el, "option_groups" in el
        if has_options == has_groups:
            self.err(path, "needs exactly one of options or option_groups")
        if has_options:
            self.options(f"{path}.options", el["options"], 100)
        if has_groups:
            groups = self.items(f"{path}.option_groups", el["option_groups"], 100, minimum=1)
            for i, group in enumerate(groups):
                gpath = f"{path}.option_groups[{i}]"
                if not isinstance(group, dict):
                    self.err(gpath, "must be an option group object")
                    continue
                self.text(f"{gpath}.label", group.get("label"), 75, plain_only=True)
                self.options(f"{gpath}.options", group.get("options"), 100)
        max_items = el.get("max_selected_items")
        if max_items is not None and (not isinstance(max_items, int) or max_items < 1):
            self.err(f"{path}.max_selected_items", f"{max_items!r} must be at least 1")

    def image_source(self, path: str, obj: dict) -> None:
        if "slack_file" not in obj:
            self.length(f"{path}.image_url", obj.get("image_url"), 3000, required=True)
        self.length(f"{path}.alt_text", obj.get("alt_text"), 2000, required=True)

    # -- blocks -----------------------------------------------------------

    def blocks(self, path: str, blocks: Any, surface: str) -> None:
        limit = BLOCK_LIMITS.get(surface)
        if limit is None:
            self.err(path, f"unknown surface {surface!r}")
            return
        for i, block in enumerate(self.items(path, blocks, limit)):
            self.block(f"{path}[{i}]", block, surface)

    def block(self, path: str, block: Any, surface: str) -> None:
        if not isinstance(block, dict):
            self.err(path, "must be a block object")
            return
        kind = block.get("type")
        if kind not in _KNOWN_BLOCKS:
            self.err(f"{path}.type", f"unknown block type {kind!r}")
            return
        if kind in _MESSAGE_ONLY_BLOCKS and surface != "message":
            self.err(f"{path}.type", f"{kind} blocks are only allowed in messages")
        block_id = block.get("block_id")
        self.length(f"{path}.block_id", block_id, 255)
        if isinstance(block_id, str):
            if block_id in self._block_ids:
                self.err(f"{path}.block_id", f"duplicate block_id {block_id!r}")
            self._block_ids.add(block_id)
        action_ids: set[str] = set()

        if kind == "section":
            if block.get("text") is None and block.get("fields") is None:
                self.err(path, "section needs text or fields")
            self.text(f"{path}.text", block.get("text"), 3000, required=False)
            for j, field in enumerate(self.items(f"{path}.fields", block.get("fields"), 10)):
                self.text(f"{path}.fields[{j}]", field, 2000)
            if block.get("accessory") is not None:
                self.element(f"{path}.accessory", block["accessory"], _SECTION_ACCESSORIES, action_ids)
        elif kind == "header":
            self.text(f"{path}.text", block.get("text"), 150, plain_only=True)
        elif kind == "context":
            elements = self.items(f"{path}.elements", block.get("elements"), 10, minimum=1)
            for j, el in enumerate(elements):
                epath = f"{path}.elements[{j}]"
                if isinstance(el, dict) and el.get("type") == "image":
                    self.image_source(epath, el)
                else:
                    self.text(epath, el, 3000)
        elif kind == "actions":
            elements = self.items(f"{path}.elements", block.get("elements"), 25, minimum=1)
            for j, el in enumerate(elements):
                self.element(f"{path}.elements[{j}]", el, _ACTIONS_ELEMENTS, action_ids)
        elif kind == "image":
            self.image_source(path, block)
            self.text(f"{path}.title", block.get("title"), 2000, plain_only=True, required=False)
        elif kind == "input":
            self.text(f"{path}.label", block.get("label"), 2000, plain_only=True)
            self.text(f"{path}.hint", block.get("hint"), 2000, plain_only=True, required=False)
            if block.get("element") is None:
                self.err(f"{path}.element", "required")
            else:
                self.element(f"{path}.element", block["element"], _INPUT_ELEMENTS, action_ids)
        elif kind == "markdown":
            self.length(f"{path}.text", block.get("text"), 12000, required=True)
        elif kind == "video":
            for key in ("video_url", "thumbnail_url", "alt_text"):
                if not block.get(key):
                    self.err(f"{path}.{key}", "required")
            self.text(f"{path}.title", block.get("title"), 200, plain_only=True)
        elif kind == "rich_text":
            self.items(f"{path}.elements", block.get("elements"), None, minimum=1)


def validate(blocks: Any, surface: str = "message") -> list[str]:
    """Return the problems with a list of blocks on a surface ("message", "modal", "home")."""
    checker = _Checker()
    checker.blocks("blocks", blocks, surface)
    return checker.errors


def validate_message(text: Any = None, blocks: Any = None) -> list[str]:
    """Return the problems with a message's text and blocks (not whether either is present)."""
    checker = _Checker()
    if text is not None:
        checker.length("text", text, MESSAGE_TEXT_LIMIT)
    if blocks is not None:
        checker.blocks("blocks", blocks, "message")
    return checker.errors


def validate_view(view: Any) -> list[str]:
    """Return the problems with a modal or home tab view payload."""
    checker = _Checker()
    if not isinstance(view, dict):
        return ["view: must be an object"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"view.type: must be modal or home, got {kind!r}"]
    if kind == "modal":
        checker.text("view.title", view.get("title"), 24, plain_only=True)
        checker.text("view.submit", view.get("submit"), 24, plain_only=True, required=False)
        checker.text("view.close", view.get("close"), 24, plain_only=True, required=False)
        # Slack refuses a modal with input blocks and nowhere to submit them.
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and view.get("submit") is None:
            checker.err("view.submit", "required when the view has input blocks")
    checker.length("view.private_metadata", view.get("private_metadata"), 3000)
    checker.length("view.callback_id", view.get("callback_id"), 255)
    checker.length("view.external_id", view.get("external_id"), 255)
    if view.get("blocks") is None:
        checker.err("view.blocks", "required")
    else:
        checker.blocks("view.blocks", view["blocks"], kind)
    return checker.errors
