"""Slack Web API calls the app makes in the demo story, by method: what Slack's rate limits see.

    python benchmarks/slack_calls.py [--fast]

Plays `alignbot demo` (the real app over signed requests, against the Slack fake: teams
mapped, objectives added, weeks of prompts, answers in threads and DMs, edits, App Home,
digests) and counts every Web API call the fake received, by method. users.info is Slack's
Tier 4 (about 100 a minute per workspace): the app asks it who is an admin, a person's time
zone and the names it shows. No timing: the counts are the figure.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

from common import machine, table

import bot.fakeslack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="play the demo's short story (fewer weeks)")
    args = parser.parse_args()
    fakes: list[bot.fakeslack.FakeSlack] = []

    class CountedFake(bot.fakeslack.FakeSlack):
        def __enter__(self) -> CountedFake:
            fakes.append(self)
            return super().__enter__()

    # The demo starts its own fake: this one keeps a handle on it to read its calls afterwards.
    bot.fakeslack.FakeSlack = CountedFake  # type: ignore[misc]
    from bot.demo import run_demo

    with tempfile.TemporaryDirectory(prefix="alignbot-slack-calls-") as folder:
        run_demo(Path(folder), quiet=True, say=lambda _line: None, fast=args.fast)
    counts = collections.Counter(call.method for call in fakes[0].calls)
    print(f"Slack Web API calls in the demo story ({machine()})\n")
    print(table(["method", "calls"], [[method, n] for method, n in counts.most_common()] + [["all", counts.total()]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
