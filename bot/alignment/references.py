"""Find which other teams an update refers to.

An update references a team when its `partners` name it (the team's name or an
alias, any case), when its text names the team or an alias as a word (any
case, also as a plural or possessive: "SDRs", "sales's", "marketing's"), or when
it mentions the team's Slack channel (`<#C0123>`, `<#C0123|name>`) or one of
its members (`<@U0123>`, `<@U0123|name>`).

One exception to "any case": a name or alias written in capitals that is also an
everyday word ("IT", "AM", "US") only matches in capitals, or every "it" in a
sentence would point at the IT team.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.alignment.model import Org, Team, Update

__all__ = ["ReferenceFinder", "references"]

_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")
_MEMBER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_MENTION = re.compile(r"<[#@!][^>]*>")

# Everyday words that capitalised aliases often spell; see the module docstring.
_COMMON_WORDS = frozenset(
    [
        "a",
        "am",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "i",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
        "all",
        "any",
        "can",
        "did",
        "for",
        "had",
        "has",
        "her",
        "him",
        "his",
        "how",
        "its",
        "may",
        "new",
        "not",
        "now",
        "one",
        "our",
        "out",
        "own",
        "see",
        "she",
        "the",
        "too",
        "two",
        "use",
        "was",
        "way",
        "who",
        "why",
        "yes",
        "you",
    ]
)

# Plural and possessive endings that still name the team: SDRs, sales's, sales', marketing's.
_SUFFIX = r"(?:['\u2019]s|s['\u2019]|['\u2019]|es|s)?"


_GAP = re.compile(r"[\s\-]+")


def _plain(phrase: str) -> str:
    """Collapse spaces and hyphens, so "demand-gen" and "Demand  gen" name the same thing."""
    return _GAP.sub(" ", phrase).strip()


def _norm(phrase: str) -> str:
    return _plain(phrase).casefold()


def _phrase_pattern(phrase: str) -> str:
    return r"[\s\-]+".join(re.escape(w) for w in _plain(phrase).split(" "))


class ReferenceFinder:
    """Compile an org's team names, aliases, channels and members once; find references fast."""

    def __init__(self, org: Org, extra_teams: Iterable[str] = ()) -> None:
        """Compile `org`; `extra_teams` are names seen in updates that the org file does not list."""
        self._by_word: dict[str, set[str]] = {}
        self._by_exact: dict[str, set[str]] = {}  # capitalised common-word names, matched as written
        self._by_channel: dict[str, set[str]] = {}
        self._by_member: dict[str, set[str]] = {}
        self._canonical: dict[str, str] = {}
        self._folded_words: list[str] = []
        self._exact_words: list[str] = []
        for team in org.teams:
            self._add(team)
        for name in extra_teams:
            # A name that already resolves (say an alias used as the team field) is no new team.
            if _plain(name) and _norm(name) not in self._canonical:
                self._add(Team(name=_plain(name)))
        self._folded = self._compile(self._folded_words, re.IGNORECASE)
        self._exact = self._compile(self._exact_words, 0)

    def _add(self, team: Team) -> None:
        for word in (team.name, *team.aliases):
            word = _plain(word)
            if not word:
                continue
            self._canonical.setdefault(word.casefold(), team.name)
            if word.isupper() and word.casefold() in _COMMON_WORDS:
                self._by_exact.setdefault(word, set()).add(team.name)
                self._exact_words.append(word)
            else:
                self._by_word.setdefault(word.casefold(), set()).add(team.name)
                self._folded_words.append(word)
        if team.channel:
            self._by_channel.setdefault(team.channel, set()).add(team.name)
        for member in team.members:
            self._by_member.setdefault(member, set()).add(team.name)

    @staticmethod
    def _compile(phrases: list[str], flags: int) -> re.Pattern[str] | None:
        if not phrases:
            return None
        # Longest first, so "demand gen" wins over "demand" when both are aliases.
        ordered = sorted({p for p in phrases}, key=lambda p: (-len(p), p))
        alternatives = "|".join(_phrase_pattern(p) for p in ordered)
        return re.compile(rf"(?<![\w@#&])({alternatives}){_SUFFIX}(?![\w&])", flags)

    def canonical(self, name: str) -> str | None:
        """Return the team a name or alias stands for (any case), or None if it names no team."""
        return self._canonical.get(_norm(name))

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Return (start, end, team) of every team named or mentioned in `text`, in order."""
        found: list[tuple[int, int, str]] = []
        for pattern, lookup in ((_CHANNEL, self._by_channel), (_MEMBER, self._by_member)):
            for match in pattern.finditer(text):
                found += [(match.start(), match.end(), t) for t in sorted(lookup.get(match.group(1), ()))]
        # Mention labels are display names, not prose: blank them out of word matching, keeping offsets.
        prose = _MENTION.sub(lambda m: " " * len(m.group(0)), text)
        for words, key, lookup in ((self._folded, _norm, self._by_word), (self._exact, _plain, self._by_exact)):
            if words is None:
                continue
            for match in words.finditer(prose):
                found += [(match.start(), match.end(), t) for t in sorted(lookup.get(key(match.group(1)), ()))]
        return sorted(found)

    def find(self, update: Update) -> list[str]:
        """Return the other teams `update` references, by canonical name, sorted."""
        own = self.canonical(update.team) or update.team.strip()
        found: set[str] = set()
        for partner in update.partners:
            name = self.canonical(partner)
            if name is None:
                # A partner the org does not know is still a team the author worked with.
                name = _plain(partner)
            if name:
                found.add(name)
        text = update.text
        if "<" in text:
            for channel in _CHANNEL.findall(text):
                found.update(self._by_channel.get(channel, ()))
            for member in _MEMBER.findall(text):
                found.update(self._by_member.get(member, ()))
            # Mention labels are display names, not prose; keep them out of word matching.
            text = _MENTION.sub(" ", text)
        if self._folded is not None:
            for match in self._folded.finditer(text):
                found.update(self._by_word.get(_norm(match.group(1)), ()))
        if self._exact is not None:
            for match in self._exact.finditer(text):
                found.update(self._by_exact.get(_plain(match.group(1)), ()))
        return sorted(t for t in found if t.casefold() != own.casefold())


def references(org: Org, update: Update) -> list[str]:
    """Return the other teams `update` references, by canonical org name, sorted."""
    return ReferenceFinder(org).find(update)
