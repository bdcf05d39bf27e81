"""Read and write the org file (teams, their goals, objectives) and the update lines.

Both formats are public (docs/formats.md). The org file is YAML (JSON is
YAML too); errors name the file and line so a person can fix them by hand.
The update lines are JSON Lines, one update a line.

Strings are taken from the YAML source text as written, not as YAML 1.1 would
type them: a team called `no` stays "no" instead of turning into False.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from bot.alignment.model import Goal, Objective, Org, Team, Update

__all__ = [
    "OrgFileError",
    "UpdateLineError",
    "dump_org",
    "load_org",
    "load_updates",
    "read_lines",
    "read_org",
    "read_org_text",
]

SLUG = re.compile(r"[a-z0-9-]{1,40}")
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,20}")
MEMBER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
MAX_TEAM_NAME = 80
MAX_GOAL_TITLE = 200
MAX_GOALS = 20  # per team: a team's quarter, not its backlog

TOP_KEYS = ("teams", "objectives")
TEAM_KEYS = ("name", "aliases", "channel", "members", "goals")
GOAL_KEYS = ("title", "serves")
OBJECTIVE_KEYS = ("key", "title", "description", "keywords", "examples")

_NULL_TAG = "tag:yaml.org,2002:null"

# Hostile input is refused before it costs memory or time (an org file is a few KB).
MAX_ORG_BYTES = 1_000_000
MAX_LINE = 65_536  # characters in one line of an org file or of update lines
MAX_DEPTH = 32  # nested lists and mappings in an org file
MAX_NODES = 200_000  # values in an org file once YAML aliases are expanded
MAX_UPDATES_BYTES = 100_000_000


class OrgFileError(Exception):
    """The org file cannot be read or breaks the format; `line` is 1-based or None."""

    def __init__(self, reason: str, *, source: str = "<org>", line: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        where = f"{source} line {line}" if line else source
        super().__init__(f"{where}: {reason}")


class UpdateLineError(Exception):
    """One update line is not a valid update; `line` is 1-based."""

    def __init__(self, reason: str, *, source: str = "<updates>", line: int | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        where = f"{source} line {line}" if line else source
        super().__init__(f"{where}: {reason}")


# --------------------------------------------------------------------------- org file


class _Reader:
    """Turn a composed YAML node tree into an Org, with line numbers for every error."""

    def __init__(self, source: str) -> None:
        self.source = source
        # Objective keys the goals name, checked once the objectives are read (they may come later).
        self.served: list[tuple[yaml.Node, str, str]] = []

    def fail(self, node: yaml.Node | None, reason: str) -> OrgFileError:
        line = node.start_mark.line + 1 if node is not None else None
        return OrgFileError(reason, source=self.source, line=line)

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Return {key: (key node, value node)}, refusing duplicates and unknown keys."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, f"{what} has a key that is not a plain word")
            key = key_node.value
            if key in out:
                raise self.fail(key_node, f"{what} has '{key}' twice")
            if key not in allowed:
                known = ", ".join(allowed)
                raise self.fail(key_node, f"{what} has unknown key '{key}' (known keys: {known})")
            out[key] = (key_node, value_node)
        return out

    def text(self, node: yaml.Node, what: str, *, required: bool = False) -> str | None:
        """Return a scalar as the text written in the file (None for an empty value)."""
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL_TAG and node.style is None:
                if required:
                    raise self.fail(node, f"{what} is empty")
                return None
            value = node.value.strip()
            if not value and required:
                raise self.fail(node, f"{what} is empty")
            return value
        raise self.fail(node, f"{what} must be a single value, not a list or mapping")

    def texts(self, node: yaml.Node, what: str) -> list[tuple[yaml.Node, str]]:
        """Return a list of non-empty strings with their nodes."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list of strings")
        out: list[tuple[yaml.Node, str]] = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode) or (item.tag == _NULL_TAG and item.style is None):
                raise self.fail(item, f"{what} must be a list of strings")
            value = item.value.strip()
            if not value:
                raise self.fail(item, f"{what} has an empty entry")
            out.append((item, value))
        return out

    def org(self, root: yaml.Node | None) -> Org:
        if root is None:
            raise self.fail(None, "the file is empty; it needs at least an 'objectives' list")
        top = self.mapping(root, "the org file", TOP_KEYS)
        teams = self.teams(top["teams"][1]) if "teams" in top else ()
        if "objectives" not in top:
            raise self.fail(root, "the org file defines no objectives (add an 'objectives' list)")
        objectives = self.objectives(top["objectives"][1])
        if not objectives:
            raise self.fail(top["objectives"][1], "the org file defines no objectives")
        keys = {o.key for o in objectives}
        for key_node, key, what in self.served:
            if key not in keys:
                raise self.fail(key_node, f"{what} serves '{key}', which is not an objective key of this file")
        return Org(teams=teams, objectives=objectives)

    def teams(self, node: yaml.Node) -> tuple[Team, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "'teams' must be a list of team names or team mappings")
        teams: list[Team] = []
        # Every word that names a team (name or alias), so text references stay unambiguous.
        words: dict[str, str] = {}
        channels: dict[str, str] = {}
        for item in node.value:
            team = self.team(item)
            for word_node, word, kind in self._team_words(item, team):
                owner = words.get(word.casefold())
                if owner is not None and owner.casefold() != team.name.casefold():
                    raise self.fail(word_node, f"{kind} '{word}' is already used by team '{owner}'")
                if owner is not None and kind == "team name":
                    raise self.fail(word_node, f"team '{team.name}' is listed twice")
                words[word.casefold()] = team.name
            if team.channel:
                if team.channel in channels:
                    owner = channels[team.channel]
                    raise self.fail(item, f"channel {team.channel} already belongs to team '{owner}'")
                channels[team.channel] = team.name
            teams.append(team)
        return tuple(teams)

    def _team_words(self, node: yaml.Node, team: Team) -> Iterator[tuple[yaml.Node, str, str]]:
        yield node, team.name, "team name"
        seen = {team.name.casefold()}
        for alias in team.aliases:
            if alias.casefold() not in seen:
                seen.add(alias.casefold())
                yield node, alias, "alias"

    def team(self, node: yaml.Node) -> Team:
        if isinstance(node, yaml.ScalarNode):
            return Team(name=self.team_name(node))
        fields = self.mapping(node, "a team", TEAM_KEYS)
        if "name" not in fields:
            raise self.fail(node, "a team has no 'name'")
        name = self.team_name(fields["name"][1])
        what = f"team '{name}'"
        aliases: list[str] = []
        if "aliases" in fields:
            for _, alias in self.texts(fields["aliases"][1], f"{what} aliases"):
                taken = {a.casefold() for a in aliases} | {name.casefold()}
                if alias.casefold() not in taken:
                    aliases.append(alias)
        channel = None
        if "channel" in fields:
            channel_node = fields["channel"][1]
            channel = self.text(channel_node, f"{what} channel")
            if channel is not None and not CHANNEL_ID.fullmatch(channel):
                raise self.fail(
                    channel_node,
                    f"{what} channel '{channel}' must be a Slack channel id like C0123ABC (not a #name)",
                )
        members: list[str] = []
        if "members" in fields:
            for member_node, member in self.texts(fields["members"][1], f"{what} members"):
                if not MEMBER_ID.fullmatch(member):
                    reason = f"{what} member '{member}' must be a Slack user id like U0123ABC"
                    raise self.fail(member_node, reason)
                if member not in members:
                    members.append(member)
        goals = self.goals(fields["goals"][1], what) if "goals" in fields else ()
        return Team(name=name, aliases=tuple(aliases), channel=channel, members=tuple(members), goals=goals)

    def goals(self, node: yaml.Node, team: str) -> tuple[Goal, ...]:
        """Read a team's goals: each a title and, optionally, the objective keys it serves."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{team} goals must be a list of goals (title, serves)")
        if len(node.value) > MAX_GOALS:
            raise self.fail(node.value[MAX_GOALS], f"{team} has more than {MAX_GOALS} goals")
        goals: list[Goal] = []
        for item in node.value:
            fields = self.mapping(item, f"a goal of {team}", GOAL_KEYS)
            if "title" not in fields:
                raise self.fail(item, f"a goal of {team} has no 'title'")
            title_node = fields["title"][1]
            title = self.text(title_node, f"a goal title of {team}", required=True)
            assert title is not None
            if len(title) > MAX_GOAL_TITLE:
                raise self.fail(title_node, f"{team} goal '{title[:20]}...' is longer than {MAX_GOAL_TITLE} characters")
            if any(g.title.casefold() == title.casefold() for g in goals):
                raise self.fail(title_node, f"{team} has the goal '{title[:40]}' twice")
            serves: tuple[str, ...] | None = None
            serves_node = fields["serves"][1] if "serves" in fields else None
            # `serves:` left empty is as good as absent: Alignbot suggests the links; [] says it serves none.
            if serves_node is not None and not (
                isinstance(serves_node, yaml.ScalarNode) and serves_node.tag == _NULL_TAG and serves_node.style is None
            ):
                what = f"{team} goal '{title[:40]}'"
                keys = self.texts(serves_node, f"{what} serves")
                self.served += [(key_node, key, what) for key_node, key in keys]
                serves = tuple(dict.fromkeys(key for _, key in keys))
            goals.append(Goal(title=title, serves=serves))
        return tuple(goals)

    def team_name(self, node: yaml.Node) -> str:
        name = self.text(node, "a team name", required=True)
        assert name is not None
        if len(name) > MAX_TEAM_NAME:
            raise self.fail(node, f"team name '{name[:20]}...' is longer than {MAX_TEAM_NAME} characters")
        return name

    def objectives(self, node: yaml.Node) -> tuple[Objective, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.style is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "'objectives' must be a list of objectives (key, title, ...)")
        seen: dict[str, int] = {}
        out: list[Objective] = []
        for item in node.value:
            fields = self.mapping(item, "an objective", OBJECTIVE_KEYS)
            if "key" not in fields:
                raise self.fail(item, "an objective has no 'key'")
            key_node = fields["key"][1]
            key = self.text(key_node, "an objective key", required=True)
            assert key is not None
            if not SLUG.fullmatch(key):
                raise self.fail(key_node, f"objective key '{key}' must be a slug of a-z, 0-9 and '-' (1-40 characters)")
            if key in seen:
                raise self.fail(key_node, f"objective key '{key}' is used twice (first on line {seen[key]})")
            seen[key] = key_node.start_mark.line + 1
            if "title" not in fields:
                raise self.fail(item, f"objective '{key}' has no 'title'")
            title = self.text(fields["title"][1], f"objective '{key}' title", required=True)
            assert title is not None
            description = ""
            if "description" in fields:
                description = self.text(fields["description"][1], f"objective '{key}' description") or ""
            keywords: list[str] = []
            if "keywords" in fields:
                for _, word in self.texts(fields["keywords"][1], f"objective '{key}' keywords"):
                    if word not in keywords:
                        keywords.append(word)
            examples: list[str] = []
            if "examples" in fields:
                for _, text in self.texts(fields["examples"][1], f"objective '{key}' examples"):
                    if text not in examples:
                        examples.append(text)
            out.append(
                Objective(
                    key=key, title=title, description=description, keywords=tuple(keywords), examples=tuple(examples)
                )
            )
        return tuple(out)


def load_org(text: str, source: str = "<org>") -> Org:
    """Parse org-file text (YAML or JSON) into an Org; raise OrgFileError on any problem."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_ORG_BYTES:
        raise OrgFileError(f"is larger than {MAX_ORG_BYTES:,} characters", source=source)
    long = next((n for n, line in enumerate(text.splitlines(), start=1) if len(line) > MAX_LINE), None)
    if long is not None:
        raise OrgFileError(f"line is longer than {MAX_LINE:,} characters", source=source, line=long)
    try:
        _check_size(text, source)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(str(part) for part in (exc.context, exc.problem) if part) or "not valid YAML"
        raise OrgFileError(f"not valid YAML: {reason}", source=source, line=line) from None
    except yaml.YAMLError as exc:
        raise OrgFileError(f"not valid YAML: {exc}", source=source) from None
    return _Reader(source).org(root)


def _line(event: yaml.Event) -> int | None:
    """Return the line an event starts on, counted from 1, when the parser marked it."""
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _check_size(text: str, source: str) -> None:
    """Refuse YAML nested too deeply or growing too large through aliases, before composing it.

    Composing recurses once per level and aliases repeat whole subtrees, so both are
    measured on the parser's flat event stream.
    """
    open_sizes: list[tuple[str | None, int]] = []  # (anchor, values so far) of each open collection
    anchored: dict[str, int] = {}
    total = 0

    def add(count: int, event: yaml.Event) -> None:
        nonlocal total
        total += count
        if total > MAX_NODES:
            raise OrgFileError(
                f"has more than {MAX_NODES:,} values once its aliases are expanded",
                source=source,
                line=_line(event),
            )
        if open_sizes:
            anchor, size = open_sizes[-1]
            open_sizes[-1] = (anchor, size + count)

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_sizes) >= MAX_DEPTH:
                raise OrgFileError(f"is nested more than {MAX_DEPTH} levels deep", source=source, line=_line(event))
            open_sizes.append((event.anchor, 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_sizes.pop()
            if anchor:
                anchored[anchor] = size
            total -= size  # re-added whole to the parent (or the document) just below
            add(size, event)
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                anchored[event.anchor] = 1
            add(1, event)
        elif isinstance(event, yaml.AliasEvent):
            add(anchored.get(event.anchor or "", 1), event)


def read_org_text(path: str | os.PathLike[str]) -> str:
    """Read the org file at `path`, at most MAX_ORG_BYTES; raise OrgFileError if missing or unreadable."""
    source = os.fspath(path)
    try:
        with open(source, encoding="utf-8") as fh:
            text = fh.read(MAX_ORG_BYTES + 1)
    except FileNotFoundError:
        raise OrgFileError("no such file", source=source) from None
    except IsADirectoryError:
        raise OrgFileError("is a directory, not an org file", source=source) from None
    except UnicodeDecodeError:
        raise OrgFileError("is not UTF-8 text", source=source) from None
    except OSError as exc:
        raise OrgFileError(f"cannot be read ({exc.strerror or exc})", source=source) from None
    if len(text) > MAX_ORG_BYTES:
        raise OrgFileError(f"is larger than {MAX_ORG_BYTES:,} characters", source=source)
    return text


def read_org(path: str | os.PathLike[str]) -> Org:
    """Read and parse the org file at `path`; raise OrgFileError if missing, unreadable or invalid."""
    return load_org(read_org_text(path), source=os.fspath(path))


def dump_org(org: Org) -> str:
    """Write `org` in the org-file format; load_org reads it back to an equal Org."""
    teams: list[Any] = []
    for team in org.teams:
        if not (team.aliases or team.channel or team.members or team.goals):
            teams.append(team.name)
            continue
        entry: dict[str, Any] = {"name": team.name}
        if team.aliases:
            entry["aliases"] = list(team.aliases)
        if team.channel:
            entry["channel"] = team.channel
        if team.members:
            entry["members"] = list(team.members)
        if team.goals:
            entry["goals"] = [_goal_entry(goal) for goal in team.goals]
        teams.append(entry)
    objectives: list[dict[str, Any]] = []
    for objective in org.objectives:
        entry = {"key": objective.key, "title": objective.title}
        if objective.description:
            entry["description"] = objective.description
        if objective.keywords:
            entry["keywords"] = list(objective.keywords)
        if objective.examples:
            entry["examples"] = list(objective.examples)
        objectives.append(entry)
    data: dict[str, Any] = {}
    if teams:
        data["teams"] = teams
    data["objectives"] = objectives
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def _goal_entry(goal: Goal) -> dict[str, Any]:
    entry: dict[str, Any] = {"title": goal.title}
    if goal.serves is not None:
        entry["serves"] = list(goal.serves)
    return entry


# --------------------------------------------------------------------------- update lines


def _strings(value: Any, field: str, fail: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"'{field}' must be a list of strings")
    out: list[str] = []
    for v in value:
        v = v.strip()
        if v and v not in out:
            out.append(v)
    return tuple(out)


def read_lines(stream: Any, source: str = "<updates>") -> Iterator[str]:
    """Yield the lines of a text stream, refusing one longer than MAX_LINE or a stream past MAX_UPDATES_BYTES."""
    total = 0
    for number in itertools.count(1):
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        if len(line) > MAX_LINE:
            raise UpdateLineError(f"line is longer than {MAX_LINE:,} characters", source=source, line=number)
        total += len(line)
        if total > MAX_UPDATES_BYTES:
            raise UpdateLineError(f"more than {MAX_UPDATES_BYTES:,} characters of updates", source=source, line=number)
        yield line


def load_updates(lines: Iterable[str], source: str = "<updates>") -> Iterator[Update]:
    """Yield one Update per non-blank JSON line; raise UpdateLineError at the first bad line."""
    first_line: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff") if number == 1 else raw
        if not line.strip():
            continue

        def fail(reason: str, number: int = number) -> UpdateLineError:
            return UpdateLineError(reason, source=source, line=number)

        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise fail(f"not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise fail("nested too deeply") from None
        if not isinstance(data, dict):
            raise fail("not a JSON object")
        for field in ("id", "team", "text"):
            if field not in data or data[field] is None:
                raise fail(f"missing '{field}'")
        uid = data["id"]
        if isinstance(uid, int) and not isinstance(uid, bool):
            uid = str(uid)  # numeric ids are common in exports; they name the update all the same
        if not isinstance(uid, str) or not uid.strip():
            raise fail("'id' must be a non-empty string")
        team = data["team"]
        if not isinstance(team, str) or not team.strip():
            raise fail("'team' must be a non-empty string")
        text = data["text"]
        if not isinstance(text, str):
            raise fail("'text' must be a string")
        author = data.get("author")
        if author is not None and not isinstance(author, str):
            raise fail("'author' must be a string")
        link = data.get("link")
        if link is not None and not isinstance(link, str):
            raise fail("'link' must be a string")
        partners = _strings(data.get("partners"), "partners", fail)
        objectives: tuple[str, ...] | None = None
        if data.get("objectives") is not None:
            objectives = _strings(data["objectives"], "objectives", fail)
        uid = uid.strip()
        if uid in first_line:
            raise fail(f"id '{uid}' is used twice (first on line {first_line[uid]})")
        first_line[uid] = number
        yield Update(
            id=uid,
            team=team.strip(),
            text=text,
            author=author or None,
            partners=partners,
            objectives=objectives,
            link=link or None,
        )
