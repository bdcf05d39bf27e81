"""The `alignbot` command line (design.md §3). User errors: one line on stderr, exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from bot import __version__

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage or bad input: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse prints the whole usage block; one line is the contract.
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = _Parser(prog="alignbot", description="Keep your teams aligned with your business objectives, in Slack.")
    parser.add_argument("--version", action="version", version=f"alignbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    serve = sub.add_parser("serve", help="run the HTTP app (and the scheduler, unless --no-scheduler)")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler in this process")
    serve.add_argument("--threads", type=int, default=16, help="request threads (default: 16)")
    serve.set_defaults(run=_serve)

    socket = sub.add_parser("socket", help="run in Socket Mode (development behind a firewall)")
    socket.add_argument("--no-scheduler", action="store_true", help="do not run the scheduler in this process")
    socket.set_defaults(run=_socket)

    clock = sub.add_parser("clock", help="run the scheduler alone")
    clock.set_defaults(run=_clock)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser, required=True)
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] | None = getattr(args, "run", None)
        if run is None:
            parser.print_help()
            return 0
        return run(args)
    except UsageError as error:
        print(f"alignbot: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _settings():  # -> Settings, imported late so `alignbot --help` stays fast
    from bot.logs import configure
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        raise UsageError(str(error)) from None
    configure(settings.log_level)
    return settings


def _runtime(settings, *, upgrade_db: bool = True):
    from sqlalchemy.exc import SQLAlchemyError

    from bot.app import create_runtime
    from storage.db import safe_url

    try:
        return create_runtime(settings, upgrade_db=upgrade_db)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise UsageError(f"cannot use the database at {safe_url(settings.database_url)}: {reason}") from None


def _checked_app(runtime):
    """Build the Bolt app after checking the token with Slack, so a refused token is one clear line."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.app import create_app
    from bot.slack import web_client

    settings = runtime.settings
    try:
        if settings.bot_token and not settings.oauth_enabled:
            web_client(settings, settings.bot_token).auth_test()
        return create_app(runtime, token_verification=False)
    except SlackApiError as error:
        code = error.response.get("error", "refused")
        raise UsageError(
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token (xoxb-...) "
            "from your app's 'OAuth & Permissions' page"
        ) from None
    except (BoltError, SlackClientError, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UsageError(f"cannot reach Slack at {settings.slack_api_url}: {reason}") from None


def _serve(args: argparse.Namespace) -> int:
    from bot.app import create_app, create_runtime
    from bot.server import GunicornServer, create_wsgi_app, gunicorn_options

    settings = _settings()
    try:
        settings.require_http()
    except Exception as error:  # SettingsError
        raise UsageError(str(error)) from None
    runtime = _runtime(settings)
    _checked_app(runtime)
    runtime.engine.dispose()  # the worker opens its own connections after the fork
    port = args.port or settings.port
    scheduler_wanted = not args.no_scheduler

    def factory():
        worker_runtime = create_runtime(settings, upgrade_db=False)
        app = create_app(worker_runtime, token_verification=False)
        if scheduler_wanted:
            from bot.scheduler import build_scheduler

            build_scheduler(worker_runtime).start()
        return create_wsgi_app(worker_runtime, app)

    GunicornServer(factory, gunicorn_options(port, threads=args.threads, log_level=settings.log_level)).run()
    return 0


def _socket(args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings = _settings()
    try:
        settings.require_socket()
    except Exception as error:  # SettingsError
        raise UsageError(str(error)) from None
    runtime = _runtime(settings)
    app = _checked_app(runtime)
    if not args.no_scheduler:
        from bot.scheduler import build_scheduler

        build_scheduler(runtime).start()
    assert settings.slack_app_token is not None
    SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    return 0


def _clock(args: argparse.Namespace) -> int:
    from bot.scheduler import build_scheduler

    settings = _settings()
    runtime = _runtime(settings)
    build_scheduler(runtime, blocking=True).start()
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.db import safe_url
    from storage.migrate import current_revision

    settings = _settings()
    runtime = _runtime(settings)
    print(f"database {safe_url(settings.database_url)} is at revision {current_revision(runtime.engine)}")
    return 0
