"""`alignbot demo`: the real app, a local Slack stand-in, and six weeks of a company's check-ins.

No Slack account and no configuration: a FakeSlack (the same one the tests use)
plays the workspace, a temporary SQLite file the database, and the story in
story.py the people. The transcript shows what Slack would show; the folder it
names gets the digest picture and an HTML page of the whole conversation.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.demo import story
from bot.demo.play import TEAM_ID, WIDTH, DemoError, Played, Player, new_secret
from bot.demo.render import indent, render_message
from storage.models import utcnow

if TYPE_CHECKING:
    from bot.fakeslack import FakeSlack
    from bot.settings import Settings

__all__ = ["DB_NAME", "DemoError", "DemoResult", "run_demo"]

DB_NAME = "alignbot-demo.db"
# --fast plays the weeks from the handoff onwards: enough for every kind of finding but one.
FAST_WEEKS = 4


@dataclass(frozen=True)
class DemoResult:
    """What a demo run produced."""

    out_dir: Path
    transcript: str
    digest: str  # the last leadership digest, rendered as text
    html: Path
    png: Path | None
    database: Path | None  # kept SQLite file, if asked for
    team_id: str
    seconds: float


def _explore_commands(url: str, weeks: list[str]) -> list[str]:
    """Return example commands to run on the kept database.

    A fixed list: the demo does not read the command line's parser, so bot.cli and bot.demo import one way only.
    """
    examples = [f"DATABASE_URL={url} alignbot digest --team-id {TEAM_ID} --format text"]
    if len(weeks) > 2:
        examples.append(f"DATABASE_URL={url} alignbot digest --team-id {TEAM_ID} --week {weeks[2]} --format text")
    examples.append(f"DATABASE_URL={url} alignbot export --team-id {TEAM_ID} --format csv")
    examples.append(f"DATABASE_URL={url} alignbot org export --team-id {TEAM_ID}")
    return examples


@contextmanager
def _without_env(*names: str) -> Iterator[None]:
    """Hide variables from code that reads os.environ itself."""
    # Bolt turns OAuth on when it sees SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, whatever Settings say.
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def run_demo(
    out_dir: Path,
    *,
    database: Path | None = None,
    keep: bool = False,
    fast: bool = False,
    quiet: bool = False,
    say: Callable[[str], None] = print,
    now: datetime | None = None,
) -> DemoResult:
    """Play the demo story through the real app; write the picture and the page to `out_dir`.

    `database` names the SQLite file (kept); `keep` keeps it in `out_dir`; otherwise it
    lives in a temporary folder removed at the end. Raise DemoError when the story
    cannot be played.
    """
    from bot.app import create_app, create_runtime
    from bot.fakeslack import FakeSlack
    from bot.server import create_wsgi_app, serve_in_thread

    started = time.monotonic()
    lines: list[str] = []

    def tell(line: str) -> None:
        lines.append(line)
        if not quiet:
            say(line)

    def conclude(line: str) -> None:
        # The digest and where the files went are shown even with --quiet.
        lines.append(line)
        say(line)

    out_dir.mkdir(parents=True, exist_ok=True)
    database, scratch = _database_file(out_dir, database, keep)
    stop_app = None
    runtime = None
    try:
        with FakeSlack(team_id=TEAM_ID, team_name=story.COMPANY, team_domain=story.COMPANY.lower()) as fake:
            _cast(fake)
            secret = new_secret()
            runtime = create_runtime(_settings(fake.bot_token, secret, fake.base_url, database))
            with _without_env("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
                app = create_app(runtime)
            url, stop_app = serve_in_thread(create_wsgi_app(runtime, app))
            tell(f"Alignbot demo: {story.PITCH}")
            tell(f"A local Slack stand-in plays workspace {story.COMPANY} ({TEAM_ID}); the app runs for real at {url}.")
            tell("")
            player = Player(fake, url, secret, runtime, tell, weeks=FAST_WEEKS if fast else len(story.WEEKS))
            player.set_up()
            played = player.play(now or utcnow())

            digest_text = render_message(played.digest, played.names)
            tell("")
            conclude("━" * 20 + " The leadership digest, as #leadership shows it " + "━" * 20)
            conclude("")
            conclude(indent(digest_text, "  ", WIDTH))
            conclude("")
            png, html = _write_files(out_dir, played, conclude)
            if scratch is None:
                conclude(f"The demo's database is {database}. Explore it with the other commands, e.g.:")
                for line in _explore_commands(f"sqlite:///{database}", played.weeks):
                    conclude(f"  {line}")
            seconds = time.monotonic() - started
            kept = None if scratch else database
            return DemoResult(out_dir, "\n".join(lines) + "\n", digest_text, html, png, kept, TEAM_ID, seconds)
    finally:
        if stop_app is not None:
            stop_app()
        if runtime is not None:
            runtime.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _database_file(out_dir: Path, database: Path | None, keep: bool) -> tuple[Path, Path | None]:
    """Return the SQLite file to play into and the temporary folder holding it (None when it is kept)."""
    scratch = None
    if database is None and keep:
        database = out_dir / DB_NAME
        # Our own file from an earlier run: the story starts from an empty workspace.
        database.unlink(missing_ok=True)
    elif database is None:
        scratch = Path(tempfile.mkdtemp(prefix="alignbot-demo-"))
        database = scratch / DB_NAME
    elif database.exists() and database.stat().st_size:
        raise DemoError(f"{database} already exists; name a new file, or remove it first")
    return database.resolve(), scratch


def _settings(bot_token: str, secret: str, api_url: str, database: Path) -> Settings:
    """Return the app's settings for the stand-in workspace."""
    from bot.settings import Settings

    # Every setting given, so nothing in the environment (a real token, OAuth, a zone) leaks in.
    return Settings(
        _env_file=None,
        SLACK_BOT_TOKEN=bot_token,
        SLACK_SIGNING_SECRET=secret,
        SLACK_APP_TOKEN="",  # blank is unset; None would let the environment's value through
        SLACK_CLIENT_ID="",
        SLACK_CLIENT_SECRET="",
        SLACK_API_URL=api_url,
        DATABASE_URL=f"sqlite:///{database}",
        PORT=3000,
        ALIGNBOT_ADMINS=story.CEO.id,
        ALIGNBOT_TIMEZONE="UTC",
        ALIGNBOT_POST_RATE=5,
        LOG_LEVEL="WARNING",
    )


def _cast(fake: FakeSlack) -> None:
    """Give the stand-in workspace the story's people and channels."""
    for person in story.PEOPLE:
        fake.add_user(person.id, person.name, real_name=person.real_name)
    for channel in story.CHANNELS:
        fake.add_channel(channel.id, channel.name, members=channel.members)


def _write_files(out_dir: Path, played: Played, conclude: Callable[[str], None]) -> tuple[Path | None, Path]:
    """Write the digest picture (when there is one) and the conversation page; say so, return their paths."""
    from bot.demo.html import conversation_page

    png = None
    if played.chart:
        png = out_dir / "digest.png"
        png.write_bytes(played.chart)
    html = out_dir / "conversation.html"
    page = conversation_page(played, story.COMPANY, charts=played.charts, bot_user=played.bot_user)
    html.write_text(page, encoding="utf-8")
    if png:
        conclude(f"Wrote {png} and {html}")
    else:
        conclude(
            f"Wrote {html} (no digest picture: matplotlib is not installed; "
            "install the chart extra, pip install '.[chart]')"
        )
    return png, html
