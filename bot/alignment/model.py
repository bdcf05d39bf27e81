"""Plain data the alignment engine works on; built from the org file or the database."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Objective:
    """A business objective leadership stated."""

    key: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    # Updates a leader says serve this objective; they teach the tagger like corrections.
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Goal:
    """A team's own goal, in its own words, and the objectives it serves.

    `serves` is None when nobody said which objectives it serves (Alignbot suggests
    them); () when it serves none on purpose.
    """

    title: str
    serves: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Team:
    """A team expected to check in, the ways text can refer to it, and its own goals."""

    name: str
    aliases: tuple[str, ...] = ()
    channel: str | None = None
    members: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()


@dataclass(frozen=True)
class Org:
    """The teams and objectives of one workspace."""

    teams: tuple[Team, ...] = ()
    objectives: tuple[Objective, ...] = ()

    def team(self, name: str) -> Team | None:
        """Return the team called `name` (any case), if any."""
        wanted = name.casefold()
        return next((t for t in self.teams if t.name.casefold() == wanted), None)

    @property
    def has_goals(self) -> bool:
        """Return whether any team has goals: the goal findings and fields appear only then."""
        return any(t.goals for t in self.teams)


@dataclass(frozen=True)
class Example:
    """A labelled text from a person's tag or correction: teaches the tagger."""

    text: str
    objectives: tuple[str, ...]


@dataclass(frozen=True)
class Update:
    """One update or initiative as the engine sees it.

    `objectives` is None when nobody tagged it by hand; a tuple (even empty) is a
    person's tags and replaces the automatic ones. `confident` False marks automatic
    tags the tagger was unsure of: untagged, such an update is a guess, not unaligned work.
    """

    id: str
    team: str
    text: str
    author: str | None = None
    partners: tuple[str, ...] = ()
    objectives: tuple[str, ...] | None = None
    link: str | None = None
    confident: bool = True
    # "initiative" for logged work: analyzed like an update, but counted apart from check-in answers.
    kind: str = "update"


@dataclass(frozen=True)
class Match:
    """One objective a text serves, with its score and the evidence for it."""

    key: str
    score: float
    why: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Verdict:
    """What the tagger makes of one text: its tags, whether it is sure, and what else it might serve.

    `confident` False marks a text Alignbot should ask its author about instead of
    guessing. `candidates` are the objectives worth offering in that question, best
    first: the matches, then the nearest misses. `margin` is how far the verdict is
    from flipping: `confident` compares it with the workspace's cut-off.
    """

    matches: tuple[Match, ...]
    confident: bool
    candidates: tuple[Match, ...] = ()
    margin: float = 1.0
