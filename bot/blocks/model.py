"""The opt-in model's state, as `/alignment status` shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.blocks.common import Block, context, escape


@dataclass(frozen=True)
class ModelState:
    """What `/alignment status` says of the model in a workspace."""

    configured: bool
    on: bool
    where: str | None
    mode: str
    requests_today: int
    cap: int
    fault: str | None
    fault_at: datetime | None
    # Set while the model is paused after the endpoint failed: the lexicon tags until then.
    paused_until: datetime | None = None


def model_status_blocks(state: ModelState) -> list[Block]:
    """Return one line: whether the model is configured and on here, today's requests, its last fault."""
    if not state.configured:
        return [context("Model: not configured (ALIGNBOT_LLM_URL unset): the lexicon tags every update.")]
    switch = "on" if state.on else "switched off for this workspace (`/alignment settings model on`)"
    line = (
        f"Model: {escape(state.where or '')}, {switch}, mode `{state.mode}` · "
        f"{state.requests_today}/{state.cap} requests today (UTC)"
    )
    if state.fault and state.fault_at:
        line += f" · last fault {state.fault_at:%Y-%m-%d %H:%M} UTC: {escape(state.fault)}"
    if state.on and state.paused_until and state.fault_at:
        line += (
            f" · the model failed at {state.fault_at:%H:%M} UTC; trying it again after "
            f"{state.paused_until:%H:%M} UTC (the lexicon tags until then)"
        )
    return [context(line)]
