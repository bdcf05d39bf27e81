"""Slack text, read and written: the one place that knows Slack's escaping and markup.

Text from Slack (messages, slash commands) arrives escaped: a typed `<!channel>` is `&lt;!channel&gt;`,
while real markup (`<@U1|ana>`, `<#C1|sales>`, `<!here>`, `<https://x|label>`) keeps its brackets. A form
sends text unescaped, so stored updates hold both; markup is recognised only in the shapes Slack writes
it. Everything a person wrote is rendered inert: mentions become names, links become their label, and
whatever reaches mrkdwn is escaped exactly once. Pure: no Slack or database imports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

__all__ = [
    "Markup",
    "Names",
    "clean",
    "clip",
    "escape",
    "fallback",
    "markup_at",
    "mrkdwn",
    "one_line",
    "parse",
    "plain",
    "skeleton",
    "unescape",
    "unnamed_mentions",
]

# A name for a user id, or None when unknown: a mapping or a function.
Names = Mapping[str, str] | Callable[[str], str | None] | None

# Bidi embeddings, overrides, isolates and direction marks reorder what a reader sees ("page \u202egnp.exe"
# reads "page exe.png"); zero-width spaces and joiners hide a break in a word.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff")
# Zero-width (non-)joiners shape Persian, Indic scripts and emoji sequences: kept only between two
# non-ASCII characters, where those need them; next to ASCII they only hide a break in a word.
_JOINERS = frozenset("\u200c\u200d")

# Slack markup in the shapes Slack writes it: <@U1>, <@U1|ana>, <#C1|sales>, <!here>, <!subteam^S1|@team>,
# <!date^…|fallback>, <https://x|label>, <mailto:a@b|a@b>. Other text in angle brackets is a person's own.
_MARKUP = re.compile(
    r"<(?:(@)([UW][A-Z0-9]+)|(#)([CG][A-Z0-9]+)|(!)([a-z][^<>|\s]*)|([a-z][a-z0-9+.-]*:[^<>|\s]+))"
    r"(?:\|([^<>]*))?>"
)
# A mention a quote was cut inside of ("<@U1|an…"): still a mention, not text.
_CUT = re.compile(r"<([@#])([UWCG][A-Z0-9]+)(?:\|([^<>…]*))?(?=…|$)")


def clean(text: str) -> str:
    """Drop bidi controls and invisible characters, which disguise what a reader sees."""
    if not any(c in _BIDI or c in _INVISIBLE or c in _JOINERS for c in text):
        return text
    kept = []
    for i, c in enumerate(text):
        if c in _BIDI or c in _INVISIBLE:
            continue
        if c in _JOINERS and not (0 < i < len(text) - 1 and not text[i - 1].isascii() and not text[i + 1].isascii()):
            continue
        kept.append(c)
    return "".join(kept)


def escape(text: str) -> str:
    """Return a person's text as inert mrkdwn: &, < and > escaped once, disguising characters dropped."""
    return clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of &, < and > (once: "&amp;lt;" stays "&lt;")."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class Markup:
    """One piece of Slack markup.

    kind: user | channel | special (`here`, `subteam^S1`, `date^…`) | link
    value: the id, the special command or the url (unescaped); label: the text after `|`, if any.
    """

    kind: str
    value: str
    label: str | None
    raw: str

    def shown(self, names: Names = None) -> str:
        """Return the markup as a person reads it, pinging nobody: @name, #channel, @here, a link's label."""
        label = unescape(self.label) if self.label else None
        if self.kind == "user":
            return "@" + (label or _name(names, self.value) or self.value)
        if self.kind == "channel":
            return "#" + (label or self.value)
        if self.kind == "special":
            command, _, target = self.value.partition("^")
            if command == "subteam":
                return "@" + ((label or "").lstrip("@") or target)
            if command in ("here", "channel", "everyone"):
                return "@" + command
            return label or command  # a date shows its fallback text
        # Inert text either way: a label cannot pass off one address as another once it is no link.
        return label or (self.value[len("mailto:") :] if self.value.startswith("mailto:") else self.value)


def _name(names: Names, user: str) -> str | None:
    if names is None:
        return None
    if callable(names):
        return names(user)
    return names.get(user)


def markup_at(text: str, start: int) -> Markup | None:
    """Return the markup starting at `start` in `text`, if any."""
    return _markup(_MARKUP.match(text, start))


def _markup(match: re.Match[str] | None) -> Markup | None:
    if match is None:
        return None
    label = match.group(8)
    if match.group(1):
        return Markup("user", match.group(2), label, match.group(0))
    if match.group(3):
        return Markup("channel", match.group(4), label, match.group(0))
    if match.group(5):
        return Markup("special", unescape(match.group(6)), label, match.group(0))
    return Markup("link", unescape(match.group(7)), label, match.group(0))


def parse(text: str) -> Iterator[str | Markup]:
    """Yield the pieces of Slack text in order: plain text (unescaped) and markup."""
    at = 0
    for match in _MARKUP.finditer(text):
        yield from _text(text[at : match.start()])
        markup = _markup(match)
        assert markup is not None
        yield markup
        at = match.end()
    yield from _text(text[at:])


def _text(raw: str) -> Iterator[str | Markup]:
    at = 0
    for cut in _CUT.finditer(raw):
        if cut.start() > at:
            yield unescape(raw[at : cut.start()])
        yield Markup("user" if cut.group(1) == "@" else "channel", cut.group(2), cut.group(3), cut.group(0))
        at = cut.end()
    if at < len(raw):
        yield unescape(raw[at:])


def unnamed_mentions(text: str) -> list[str]:
    """Return the users mentioned with no name in the markup (`<@U1>`): their names must be looked up."""
    return [p.value for p in parse(text) if isinstance(p, Markup) and p.kind == "user" and not p.label]


def plain(text: str, names: Names = None) -> str:
    """Return Slack text as a person reads it: markup as names, escaping undone, disguising characters dropped.

    Line breaks are kept; the result is plain text, to be escaped before it goes into mrkdwn.
    """
    return clean("".join(p if isinstance(p, str) else p.shown(names) for p in parse(text)))


def one_line(text: str) -> str:
    """Collapse all whitespace, line breaks too, to single spaces."""
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(text: str, names: Names = None, *, limit: int | None = None, lines: bool = True) -> str:
    """Return Slack text as inert mrkdwn: rendered by `plain`, cut to `limit`, escaped once.

    `lines`: keep line breaks; else the text is one line.
    """
    shown = plain(text, names)
    shown = shown if lines else one_line(shown)
    return escape(clip(shown, limit) if limit else shown)


def fallback(text: str, limit: int = 3000) -> str:
    """Return a message's `text` (what notifications show) from mrkdwn-safe parts: one line, cut to `limit`.

    `text` must already be inert (built from `escape`d or `mrkdwn` pieces): Slack reads it as mrkdwn too.
    """
    return clip(one_line(text), limit)


# --------------------------------------------------------------------------- look-alike names

# Latin look-alikes of the Cyrillic and Greek letters drawn the same in common fonts, capitals (before
# casefolding: Greek "Μ" is an "M", its small "μ" a "u") and small letters (after). Not the whole Unicode
# confusables table: enough that "ѕales" or "Μarketing" cannot sit next to "sales" and "marketing"; NFKC
# already folds full-width and other compatibility forms.
_CAPITALS = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "І": "I",
        "Ӏ": "I",
        "Ј": "J",
        "К": "K",
        "М": "M",
        "О": "O",
        "Р": "P",
        "Ԛ": "Q",
        "Ѕ": "S",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "Ү": "Y",
        "Ԝ": "W",
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
    }
)
_SMALL = str.maketrans(
    {
        "а": "a",
        "с": "c",
        "ԁ": "d",
        "е": "e",
        "һ": "h",
        "і": "i",
        "ј": "j",
        "ӏ": "l",
        "о": "o",
        "р": "p",
        "ԛ": "q",
        "ѕ": "s",
        "х": "x",
        "у": "y",
        "ԝ": "w",
        "α": "a",
        "ϲ": "c",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "υ": "u",
        "χ": "x",
        "γ": "y",
        "ı": "i",
        "ɩ": "i",
        "ℓ": "l",
    }
)


def skeleton(name: str) -> str:
    """Return what a name looks like, for telling look-alike names apart: "ѕales" and "Sales" -> "sales".

    NFKC, the look-alike letters above mapped to Latin, casefold, accents and invisible characters dropped,
    and runs of spaces, dashes and underscores read as one space.
    """
    folded = unicodedata.normalize("NFKC", clean(name)).translate(_CAPITALS).casefold().translate(_SMALL)
    bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return " ".join(re.split(r"[\s_\-]+", bare.translate(_SMALL))).strip()
