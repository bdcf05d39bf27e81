"""The composition root: what every Bolt listener is handed."""

from __future__ import annotations

from slack_bolt import BoltContext

from bot.app import Runtime


def test_the_copy_bolt_makes_of_a_context_for_lazy_listeners_shares_the_services(runtime: Runtime) -> None:
    # Bolt deep-copies a request's context before starting its lazy listeners.
    copied = BoltContext({"services": runtime.services}).to_copyable()

    assert copied["services"] is runtime.services
