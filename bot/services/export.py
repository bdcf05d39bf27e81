"""Every stored update of a workspace, row by row, for spreadsheets and BI: read in pages, never all at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import repositories
from storage.models import CheckinCycle, Objective, Team, Update, UpdatePartner, UpdateTag

# Updates read per query: memory stays flat however many weeks are exported.
PAGE = 500
COLUMNS = ("week", "team", "author_id", "text", "objectives", "tagged", "partners", "message_link")
# A spreadsheet runs a cell starting with one of these as a formula (a tab, CR or LF it drops
# first, leaving a bare '='): OWASP's list for CSV injection.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class ExportRow:
    """One update as exported."""

    week: str
    team: str
    author_id: str
    text: str
    objectives: tuple[str, ...]
    # How the objectives were set: "hand" (a person), "auto" (the tagger), "auto-unsure" (the tagger, unconfirmed).
    tagged: str
    partners: tuple[str, ...]
    message_link: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "week": self.week,
            "team": self.team,
            "author_id": self.author_id,
            "text": self.text,
            "objectives": list(self.objectives),
            "tagged": self.tagged,
            "partners": list(self.partners),
            "message_link": self.message_link,
        }

    def to_csv(self) -> list[str]:
        """Return the row's CSV cells (in COLUMNS order), each safe to open in a spreadsheet."""
        return [
            csv_cell(cell)
            for cell in (
                self.week,
                self.team,
                self.author_id,
                self.text,
                ";".join(self.objectives),
                self.tagged,
                ";".join(self.partners),
                self.message_link or "",
            )
        ]


def csv_cell(value: str) -> str:
    """Return `value` so that a spreadsheet shows it as text: a ' before a cell it would run as a formula.

    The writer must still quote every cell, so that a ';' or ',' in the text cannot start a new
    cell with a formula in a spreadsheet that splits on it.
    """
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def message_link(channel: str, ts: str, thread_ts: str | None = None) -> str:
    """Return a Slack link to a message that opens in whichever workspace the reader is signed in to."""
    link = f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"
    return link + (f"?thread_ts={thread_ts}&cid={channel}" if thread_ts and thread_ts != ts else "")


class Export:
    """Read a workspace's updates for export."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def rows(self, slack_team_id: str, *, since: str | None = None, until: str | None = None) -> Iterator[ExportRow]:
        """Yield every update of weeks `since`..`until` (inclusive), oldest week first, page by page."""
        with self._sessions() as session:
            workspace = repositories.find_workspace(session, slack_team_id)
            if workspace is None:
                return
            workspace_id = workspace.id
            teams = dict(session.execute(select(Team.id, Team.name).where(Team.workspace_id == workspace_id)).all())
            keys = dict(
                session.execute(select(Objective.id, Objective.key).where(Objective.workspace_id == workspace_id)).all()
            )
        after: tuple[str, int] = ("", 0)
        while True:
            # A fresh short read per page: no long transaction holds SQLite's lock while the caller writes out.
            with self._sessions() as session:
                page = self._page(session, workspace_id, since, until, after)
                if not page:
                    return
                ids = [row.id for row, _ in page]
                tags: dict[int, list[str]] = {}
                for update_id, objective_id in session.execute(
                    select(UpdateTag.update_id, UpdateTag.objective_id)
                    .where(UpdateTag.update_id.in_(ids))
                    .order_by(UpdateTag.score.desc())
                ):
                    if objective_id in keys:
                        tags.setdefault(update_id, []).append(keys[objective_id])
                partners: dict[int, list[str]] = {}
                for update_id, team_id in session.execute(
                    select(UpdatePartner.update_id, UpdatePartner.team_id).where(UpdatePartner.update_id.in_(ids))
                ):
                    partners.setdefault(update_id, []).append(teams.get(team_id, "?"))
                prompts = self._prompts(session, workspace_id, {(row.team_id, week) for row, week in page})
                out = [_row(row, week, teams, tags, partners, prompts) for row, week in page]
                after = (page[-1][1], page[-1][0].id)
            yield from out

    @staticmethod
    def _page(
        session: Session, workspace_id: int, since: str | None, until: str | None, after: tuple[str, int]
    ) -> list[tuple[Update, str]]:
        week, last_id = after
        query = (
            select(Update, CheckinCycle.week)
            .join(CheckinCycle, CheckinCycle.id == Update.cycle_id)
            .where(
                Update.workspace_id == workspace_id,
                (CheckinCycle.week > week) | ((CheckinCycle.week == week) & (Update.id > last_id)),
            )
            .order_by(CheckinCycle.week, Update.id)
            .limit(PAGE)
        )
        if since:
            query = query.where(CheckinCycle.week >= since)
        if until:
            query = query.where(CheckinCycle.week <= until)
        return [(row, str(w)) for row, w in session.execute(query)]

    @staticmethod
    def _prompts(session: Session, workspace_id: int, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], str]:
        """Return the ts of each (team, week)'s channel prompt: the thread answers and shared posts sit in."""
        return repositories.prompt_messages(session, workspace_id, {week for _, week in wanted})


def _row(
    row: Update,
    week: str,
    teams: dict[int, str],
    tags: dict[int, list[str]],
    partners: dict[int, list[str]],
    prompts: dict[tuple[int, str], str],
) -> ExportRow:
    tagged = "hand" if row.tags_by_hand else ("auto" if row.tags_confident else "auto-unsure")
    link = None
    thread = prompts.get((row.team_id, week))
    # The shared post, else the answer itself unless it sits in a DM nobody else can open.
    if row.shared_channel_id and row.shared_ts:
        link = message_link(row.shared_channel_id, row.shared_ts, thread)
    elif row.channel_id and row.message_ts and not row.channel_id.startswith("D"):
        link = message_link(row.channel_id, row.message_ts, thread)
    return ExportRow(
        week=week,
        team=teams.get(row.team_id, "?"),
        author_id=row.author_user_id,
        text=row.text,
        objectives=tuple(tags.get(row.id, ())),
        tagged=tagged,
        partners=tuple(sorted(partners.get(row.id, ()))),
        message_link=link,
    )
