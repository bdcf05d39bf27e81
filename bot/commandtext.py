"""Read slash-command text: tokens, names, titles and slugs.

The pieces every command's parser in parsing.py builds on. Nothing here raises on
user input: a reader returns a value or an `Invalid` carrying a message a person can act on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot import slacktext
from bot.slacktext import markup_at, one_line, unescape

TEAM_NAME_MAX = 80
TITLE_MAX = 150
INITIATIVE_TITLE_MAX = 200
DESCRIPTION_MAX = 2000
KEYWORD_MAX = 40
KEYWORDS_MAX = 30
# Example updates per objective: a few teach the tagger; hundreds would drown the people's own corrections.
EXAMPLE_MAX = 300
EXAMPLES_MAX = 20
SLUG_MAX = 40

HELP_WORDS = frozenset({"help", "-h", "--help", "?", "h"})

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Invalid:
    """Input that cannot be used, with what to tell the person."""

    message: str


@dataclass(frozen=True)
class Token:
    """One word of command text.

    kind: word | quoted | user | channel | link | special (`<!here>`, user groups, dates)
    value: the word, or the id/url the formatting points at
    label: what a person sees (`@ana`, `#sales`, a link's label)
    """

    kind: str
    value: str
    label: str
    raw: str

    @property
    def text(self) -> str:
        """Return the token as plain text a person would read."""
        return self.label


def is_help(text: str) -> bool:
    """Say whether command text asks for help."""
    return text.strip().casefold() in HELP_WORDS


_QUOTES = {'"': '"', "“": "”", "„": "“", "”": "”", "'": "'", "‘": "’", "’": "’"}


def tokenize(text: str) -> list[Token]:
    """Split command text into tokens: words, "quoted phrases" and Slack formatting.

    Slack formatting (`<@U1|ana>`, `<#C1|sales>`, links) stays one token even when
    its label has spaces; straight and curly quotes group words.
    """
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "<":
            markup = markup_at(text, i)
            if markup is not None:
                tokens.append(Token(markup.kind, markup.value, markup.shown(), markup.raw))
                i += len(markup.raw)
                continue
        if ch in ('"', "“", "„", "”"):
            closers = {'"', "”", "“"}
            end = next((j for j in range(i + 1, n) if text[j] in closers), -1)
            if end > i:
                inner = " ".join(unescape(text[i + 1 : end]).split())
                tokens.append(Token("quoted", inner, inner, text[i : end + 1]))
                i = end + 1
                continue
        j = i
        while j < n and not text[j].isspace() and not (text[j] == "<" and markup_at(text, j)):
            j += 1
        word = unescape(text[i:j])
        tokens.append(Token("word", word, word, text[i:j]))
        i = j
    return tokens


def plain(text: str) -> str:
    """Return command text as a person reads it (see slacktext.plain), whitespace collapsed."""
    return one_line(slacktext.plain(text))


def split_subcommand(text: str) -> tuple[str, str]:
    """Return (first word in lower case, the rest of the text)."""
    stripped = text.strip()
    if not stripped:
        return "", ""
    parts = stripped.split(None, 1)
    return parts[0].casefold(), (parts[1] if len(parts) > 1 else "")


# --------------------------------------------------------------------------- names and titles

# Words that open or close a conversation: a direct message of only these is no update.
SMALL_TALK = frozenset(
    {
        "hi",
        "hello",
        "hey",
        "yo",
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "ok",
        "okay",
        "cool",
        "great",
        "bye",
        "good",
        "morning",
        "afternoon",
        "evening",
        "there",
        "alignbot",
        "cheers",
        "nice",
        "yes",
        "no",
        "sure",
        "lol",
    }
)


def looks_like_update(text: str) -> bool:
    """Say whether a direct message to the bot reads as a weekly update, not small talk or a stray word."""
    words = re.findall(r"[\w'’]+", plain(text).casefold())
    return len(words) >= 3 and not all(w in SMALL_TALK for w in words)


def strip_control(text: str) -> str:
    """Drop control characters from free text, keeping line breaks and tabs.

    An update is prose: a stray NUL or escape code is noise, and PostgreSQL refuses NUL outright.
    """
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs"))


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") for c in text)


def validate_team_name(text: str) -> str | Invalid:
    """Return a clean team name (Slack formatting resolved) or say what is wrong with it."""
    name = plain(text).strip().strip("\"“”'").strip()
    if name.startswith("#"):
        name = name[1:]
    if not name:
        return Invalid("Give the team a name, e.g. `marketing`.")
    if len(name) > TEAM_NAME_MAX:
        return Invalid(f"A team name can have at most {TEAM_NAME_MAX} characters (this one has {len(name)}).")
    if _has_control(name):
        return Invalid("A team name cannot contain control characters.")
    if name.startswith("@"):
        return Invalid("A team name cannot be a person or a mention; use a word like `sales`.")
    if not re.fullmatch(r"[\w][\w &'.+/-]*", name):
        return Invalid(
            "A team name can use letters, digits, spaces and - _ & ' . + / (and must start with a letter or digit)."
        )
    return name


def validate_title(text: str, *, what: str = "title", limit: int = TITLE_MAX) -> str | Invalid:
    """Return a clean one-line title or say what is wrong with it."""
    title = plain(text).strip()
    if not title:
        return Invalid(f"The {what} is empty.")
    if len(title) > limit:
        return Invalid(f"The {what} can have at most {limit} characters (this one has {len(title)}).")
    if _has_control(title):
        return Invalid(f"The {what} cannot contain control characters.")
    if not any(c.isalnum() for c in title):
        return Invalid(f"The {what} needs at least one letter or digit.")
    return title


def validate_description(text: str) -> str | Invalid:
    """Return a clean description (may be empty) or say what is wrong with it."""
    lines = [" ".join(plain(line).split()) for line in text.replace("\r\n", "\n").split("\n")]
    description = "\n".join(lines).strip()
    if len(description) > DESCRIPTION_MAX:
        return Invalid(
            f"The description can have at most {DESCRIPTION_MAX} characters (this one has {len(description)})."
        )
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co") and c != "\n" for c in description):
        return Invalid("The description cannot contain control characters.")
    return description


def parse_keywords(text: str) -> tuple[str, ...] | Invalid:
    """Read comma- or line-separated keywords; drop blanks and repeats."""
    parts = re.split(r"[,\n;]", plain(text.replace("\n", ",")) if text else "")
    return _clean_items(parts, "keyword", KEYWORD_MAX, KEYWORDS_MAX, same=str.casefold)


def parse_examples(text: str) -> tuple[str, ...] | Invalid:
    """Read example updates, one a line; drop blanks and repeats."""
    return validate_examples(text.splitlines() if text else ())


def validate_examples(lines: Iterable[str]) -> tuple[str, ...] | Invalid:
    """Return example updates cleaned of Slack formatting, or say what is wrong with them."""
    return _clean_items((plain(line) for line in lines), "example", EXAMPLE_MAX, EXAMPLES_MAX)


def _clean_items(
    items: Iterable[str], noun: str, longest: int, most: int, same: Callable[[str], str] = lambda item: item
) -> tuple[str, ...] | Invalid:
    """Strip each item, drop blanks and repeats (as `same` reads them), and enforce the limits."""
    kept: list[str] = []
    seen: set[str] = set()
    for raw in items:
        item = raw.strip()
        if not item or same(item) in seen:
            continue
        if len(item) > longest:
            return Invalid(f"A {noun} can have at most {longest} characters ('{item[:20]}…' is longer).")
        if _has_control(item):
            return Invalid(f"{noun.capitalize()}s cannot contain control characters.")
        kept.append(item)
        seen.add(same(item))
    if len(kept) > most:
        return Invalid(f"Give at most {most} {noun}s (there are {len(kept)}).")
    return tuple(kept)


# --------------------------------------------------------------------------- slugs


def slugify(title: str, limit: int = SLUG_MAX) -> str:
    """Return a key for a title: lower-case ASCII words joined by '-', at most `limit` characters."""
    ascii_text = unicodedata.normalize("NFKD", plain(title).replace("ß", "ss")).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.casefold())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            if not slug:
                slug = word[:limit]
            break
        slug = candidate
    return slug or "objective"


def unique_slug(base: str, taken: set[str] | frozenset[str], limit: int = SLUG_MAX) -> str:
    """Return `base`, or `base-2`, `base-3`, ... : the first not in `taken`, within `limit`."""
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: limit - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1
