"""Run the stand-in model server: `python -m bot.fakellm --labels UPDATES.jsonl [...] --port N`."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading

from bot.fakellm.server import FakeLLM, load_labels


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; print the base URL to set as ALIGNBOT_LLM_URL."""
    parser = argparse.ArgumentParser(prog="python -m bot.fakellm", description=__doc__)
    parser.add_argument("--labels", nargs="+", default=[], metavar="FILE", help="update lines with gold `labels`")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--api-key", help="refuse requests without this bearer key")
    parser.add_argument("--fail", type=int, metavar="STATUS", help="answer every request with this HTTP status")
    parser.add_argument("--throttle", type=float, metavar="SECONDS", help="answer every request with 429")
    parser.add_argument("--slow", type=float, metavar="SECONDS", help="wait this long before each answer")
    parser.add_argument("--garble", action="store_true", help="reply with content that is not JSON")
    args = parser.parse_args(argv)
    fake = FakeLLM(load_labels(args.labels), host=args.host, port=args.port, api_key=args.api_key)
    if args.fail:
        fake.fail(args.fail)
    if args.throttle is not None:
        fake.throttle(args.throttle, times=None)
    if args.slow:
        fake.slow(args.slow)
    if args.garble:
        fake.garble()
    with fake:
        print(f"serving the model exchange at {fake.url} ({len(fake.labels)} labelled texts)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    print(f"{len(fake.requests)} requests, {len(fake.updates_sent())} updates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
