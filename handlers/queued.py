"""Listeners in two steps: the ack answers within the request, the work is queued for a worker.

A listener here acks before any work: it checks its input, then calls `ack()` plain (work to do)
or `ack(...)` with the whole answer (help, usage). `two_steps` runs it twice, as Bolt's lazy
listeners: in the web process up to its ack, which ends the step; in the worker from the start
again, where ack() does nothing and the work follows. A listener whose work opens a form acks
with `ack_form(ack)`: its job goes ahead of the queue, since Slack's trigger lasts 3 s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.kwargs_injection.args import Args
from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.jobs import ACKED, AGAIN, ANSWERED, OPENS_FORM, request_sent_at
from bot.services.checkins import Sent


class _Acked(BaseException):
    """Raised at the listener's ack in the web process: what follows is the worker's.

    A BaseException, so that no `except Exception` in a listener stops it.
    """


def two_steps(listener: Callable[..., None]) -> dict[str, Any]:
    """Return Bolt's `ack=` and `lazy=` for a listener that acks first: `app.command(...)(**two_steps(f))`."""
    names = get_arg_names_of_callable(listener)

    def ack_step(args: Args) -> None:
        if "ack" not in names:
            return  # an event: Bolt acks it; all of the listener is work

        try:
            listener(**_arguments(names, args, ack=_StepAck(args)))
        except _Acked:
            return
        # It returned before acking: it decided there is nothing to do.
        args.ack()
        args.context[ANSWERED] = True

    def work_step(args: Args) -> None:
        listener(**_arguments(names, args))

    # Bolt finds the lazy function to run in the worker by this name.
    work_step.__name__ = listener.__name__
    ack_step.__name__ = f"ack_{listener.__name__}"
    return {"ack": ack_step, "lazy": [work_step]}


class _StepAck:
    """The `ack` a listener gets in the web process: it acks, then ends the step."""

    def __init__(self, args: Args) -> None:
        self._args = args

    def __call__(self, *answer: Any, **fields: Any) -> None:
        self._args.ack(*answer, **fields)
        if answer or fields:
            self._args.context[ANSWERED] = True
        raise _Acked

    def form_follows(self) -> None:
        self._args.context[OPENS_FORM] = True


def ack_form(ack: Callable[..., object]) -> None:
    """Ack a request whose work opens a form: its job goes ahead of the queue, as Slack's trigger lasts 3 s."""
    if isinstance(ack, _StepAck):  # in the worker, ack() alone (a no-op there)
        ack.form_follows()
    ack()


def _arguments(names: list[str], args: Args, **replaced: Any) -> dict[str, Any]:
    # As Bolt does, a name Args lacks is looked up in the context (where the services are).
    return {
        name: replaced[name] if name in replaced else getattr(args, name) if hasattr(args, name) else args.context[name]
        for name in names
    }


def sent_of(request: BoltRequest) -> Sent:
    """Return when the answer a request carries was given, to order it against the person's others.

    When Slack sent it: an event's event_time (the same on Slack's retries), else the request's timestamp;
    then when it was acked: its job's time in a worker, now when answered within the request.
    """
    acked = request.context.get(ACKED) or Sent.now().acked
    again = bool(request.context.get(AGAIN))
    body = request.body
    if body.get("type") == "event_callback" and isinstance(body.get("event_time"), int):
        return Sent(datetime.fromtimestamp(body["event_time"], UTC), acked, again)
    return Sent(request_sent_at(request) or acked.replace(microsecond=0), acked, again)
