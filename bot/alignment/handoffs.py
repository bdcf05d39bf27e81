"""Find handoffs: an update that hands work over to another team, or asks another team for something.

Naming a team is not enough ("joined the sales team dinner", "sales had a record
week"): a wrong ask pings a whole channel, so only a few readings count, each
tied to the words around the team's name in the same clause:

- giving: a giving verb, then "to <team>" ("handed the webinar leads to sales",
  "sent it to dispatch", "passed to sales", "released the block back to RM"), or
  the team as the receiver ("sent ops the new rate card");
- a deliverable made for the team ("a flyer for the AEs", "one-pager for sales to
  bring to QBRs", "so sales can quote");
- leads or names counted out to the team ("14 leads to sales");
- asking: "need sales to review", "asked RM for an override", "waiting on ops",
  "need sign-off from compliance", "got GX to add valet".

A negated verb ("did not send sales ..."), a plan ("will send sales ...", anything
after "Next:") and a team naming an occasion ("the sales kickoff") are no handoff.
Pure Python: no Slack, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.alignment.model import Org, Update
from bot.alignment.references import ReferenceFinder

__all__ = ["Handoff", "HandoffFinder", "find_handoffs"]

# A team mention is replaced by this marker (its index in the clause's spans) before the patterns run.
_TEAM_WORDS = r"(?:team|teams|folks|org|side|reps|crew|people|guys|desk|dept)"
# "the sales kickoff", "the sales team dinner": the team names an occasion, not a receiver.
_OCCASION = (
    r"(?:kick-?offs?|dinners?|lunch(?:es)?|offsites?|off-sites?|meetings?|calls?|stand-?ups?|all-hands|"
    r"summits?|conferences?|part(?:y|ies)|events?|happy hours?|huddles?|syncs?|trainings?|onboarding|"
    r"channel|newsletter|floor|office|retreat|award)"
)
_TEAM = (
    rf"(?:(?:the|our|their|my)\s+)?\u27ea(\d+)\u27eb(?!(?:\s+{_TEAM_WORDS})?\s+{_OCCASION}\b)"
    rf"(?:\s+{_TEAM_WORDS})?"
)

_GIVE = (
    r"(?:hand(?:ed|ing|s)?(?:\s+(?:off|over))?|pass(?:ed|ing|es)?(?:\s+(?:on|along))?|sen[dt](?:ing|s)?"
    r"(?:\s+over)?|forward(?:ed|ing|s)?|rout(?:ed|ing|es)|escalat(?:ed|ing|es)|deliver(?:ed|ing|s)?|"
    r"transferr?(?:ed|ing|s)?|releas(?:ed|ing|es)|gave|giv(?:e|es|ing)|shar(?:ed|ing|es)|"
    r"turn(?:ed|ing|s)?\s+over|push(?:ed|ing|es)?|submitt?(?:ed|ing|s)?|emailed|handoff|hand-off)"
)
_DELIVERABLE = (
    r"(?:flyers?|one-pagers?|one pagers?|decks?|battlecards?|battle cards?|sheets?|cheat ?sheets?|"
    r"lists?|guides?|templates?|playbooks?|scripts?|talk tracks?|case stud(?:y|ies)|faqs?|briefs?|"
    r"collateral|pitch(?:es)?|videos?|kits?|rate cards?|price lists?|sequences?|emails?|"
    r"landing pages?|demos?|reports?|dashboards?|leads?|referrals?|intros?)"
)
_COUNTED = r"(?:leads?|callbacks?|referrals?|intros?|introductions|mqls?|sqls?|contacts|names|accounts|tickets|cases)"
_ASK = (
    r"(?:need(?:s|ed|ing)?|want(?:s|ed)?|ask(?:s|ed|ing)?|request(?:s|ed|ing)?|got|getting|"
    r"wait(?:s|ed|ing)\s+(?:on|for)|blocked\s+(?:on|by)|depend(?:s|ing)?\s+on|counting\s+on|"
    r"pinged|chas(?:ed|ing)|nudged|invited)"
)


def _words(most: int) -> str:
    """Return a pattern for up to `most` words (the object between a verb and the team), lazily."""
    return r"(?:[\w'$%&/.,+\u27ea\u27eb-]+\s+){0," + str(most) + "}?"


_NEGATED = re.compile(r"\b(?:not|never|no|didn't|did not|don't|won't|can't|haven't|hasn't)\s+(?:\w+\s+)?$", re.I)
# Plans are not handoffs yet: asking the receiving team "did it help?" would come too early.
_PLANNED = re.compile(
    r"(?:\bwill|'ll|\bgoing to|\bgonna|\bplan(?:s|ned|ning)? to|\bneed(?:s)? to|\babout to|"
    r"\bhope to|\bwant(?:s)? to|\bready to)\s+(?:\w+\s+)?$",
    re.I,
)
# What comes after "Next:" (the check-in form's next steps) is a plan too.
_NEXT = re.compile(r"(?:^|\n)\s*next(?:\s+week)?\s*:", re.I)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        # handed the webinar leads to sales; passed to sales; sent it over to ops
        ("handoff", rf"\b{_GIVE}\s+{_words(8)}(?:back\s+|over\s+|off\s+|on\s+|along\s+)?to\s+{_TEAM}"),
        # sent ops the new rate card; gave sales 40 leads
        ("handoff", rf"\b{_GIVE}\s+{_TEAM}\s+(?:the|a|an|our|all|every|\d+|new|this|these|those|its|my|some)\b"),
        # a flyer for the AEs; battlecard for sales
        ("handoff", rf"\b{_DELIVERABLE}\s+{_words(3)}for\s+{_TEAM}"),
        # 14 leads to sales; 38 callbacks handed to service
        ("handoff", rf"\b\d[\d,]*\s+(?:[\w'-]+\s+){{0,2}}?{_COUNTED}\s+{_words(2)}(?:to|for)\s+{_TEAM}"),
        # ... for AEs to bring to QBRs; ... so sales can quote
        ("handoff", rf"\b(?:for|so(?:\s+that)?)\s+{_TEAM}\s+(?:to|can|could|will)\s+\w+"),
        # need sales to review; asked RM for an override; got GX to add valet; waiting on ops
        ("ask", rf"\b{_ASK}\s+{_TEAM}\s+(?:to|for)\b"),
        ("ask", rf"\b(?:wait(?:s|ed|ing)\s+(?:on|for)|blocked\s+(?:on|by)|depend(?:s|ing)?\s+on|awaiting)\s+{_TEAM}"),
        # need sign-off from compliance; asked for feedback from sales
        (
            "ask",
            rf"\b(?:need(?:s|ed|ing)?|want(?:s|ed)?|ask(?:s|ed|ing)?|request(?:s|ed|ing)?|wait(?:s|ed|ing)\s+"
            rf"for|awaiting)\s+{_words(5)}from\s+{_TEAM}",
        ),
        # handed off to sales for review; ready for ops to review
        ("ask", rf"\bready\s+for\s+{_TEAM}"),
    )
)

# Clauses end at sentence punctuation, semicolons, dashes and line breaks; a team
# named in one clause is not the object of a verb in another.
_CLAUSE = re.compile(r"(?<!\d)[.!?;:](?=\s|$)|\n|\s[\u2013\u2014-]\s|\s\+\s")


@dataclass(frozen=True)
class Handoff:
    """One update handing work to, or asking something of, one other team."""

    update: str
    source: str
    target: str
    kind: str  # handoff | ask
    phrase: str

    def to_dict(self) -> dict[str, str]:
        return {"update": self.update, "from": self.source, "to": self.target, "kind": self.kind, "phrase": self.phrase}


class HandoffFinder:
    """Find handoffs in updates of one org; compile the org's team words once."""

    def __init__(self, org: Org, extra_teams: tuple[str, ...] | list[str] = ()) -> None:
        self._references = ReferenceFinder(org, extra_teams)

    def find(self, update: Update) -> list[Handoff]:
        """Return the update's handoffs, one per receiving team, in order of the team's name."""
        own = (self._references.canonical(update.team) or update.team).casefold()
        found: dict[str, Handoff] = {}
        start = 0
        text = update.text
        plans = _NEXT.search(text)
        if plans:
            text = text[: plans.start()]
        for end in [m.start() for m in _CLAUSE.finditer(text)] + [len(text)]:
            clause = text[start:end]
            start = end
            for target, kind, phrase in self._in_clause(clause):
                if target.casefold() != own and target not in found:
                    found[target] = Handoff(update.id, update.team, target, kind, phrase)
        return [found[t] for t in sorted(found)]

    def _in_clause(self, clause: str) -> list[tuple[str, str, str]]:
        spans = self._references.spans(clause)
        if not spans:
            return []
        marked: list[str] = []
        teams: list[str] = []
        written: list[str] = []
        last = 0
        for begin, finish, team in spans:
            if begin < last:
                continue  # one place naming two teams (an alias they share) is too vague to ask
            marked.append(clause[last:begin])
            marked.append(f"\u27ea{len(teams)}\u27eb")
            teams.append(team)
            written.append(clause[begin:finish])
            last = finish
        marked.append(clause[last:])
        prose = "".join(marked)
        hits = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(prose):
                before = prose[: match.start()]
                if _NEGATED.search(before) or (kind == "handoff" and _PLANNED.search(before)):
                    continue
                phrase = re.sub(r"\u27ea(\d+)\u27eb", lambda m: written[int(m.group(1))], match.group(0))
                hits.append((teams[int(match.group(match.lastindex or 1))], kind, " ".join(phrase.split())))
        return hits


def find_handoffs(org: Org, updates: list[Update] | tuple[Update, ...]) -> list[Handoff]:
    """Return every handoff in `updates`, in the updates' order."""
    finder = HandoffFinder(org, [u.team for u in updates])
    return [h for u in updates for h in finder.find(u)]
