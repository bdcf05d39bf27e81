"""The opt-in language model: ask an OpenAI-compatible chat-completions API which objectives updates serve.

The exchange: `POST {URL}/chat/completions` with `model`, `temperature: 0` and
`response_format: {"type": "json_object"}`; a system message with the objectives (and the
team goals) and the instructions; a user message with at most BATCH updates, one JSON object
a line `{"id", "team", "text"}`. The reply's content is
`{"updates": [{"id": "...", "objectives": ["key", ...]}]}`.

It speaks HTTP with the standard library: one POST a request needs no client package, so
the opt-in adds no dependency. Nothing here raises into callers: a fault is recorded in
`usage`, the rest of the run is not sent, and every update left without an answer keeps the
lexicon's.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from bot.alignment.model import Match, Objective, Verdict
from storage.models import utcnow

# Updates a request: enough to share the system message's cost, few enough for a small model to keep apart.
BATCH = 20
# A 429's Retry-After is honoured once, and only when it asks for at most this many seconds.
RETRY_AFTER_MAX = 30.0
# A reply larger than this is not an answer to 20 short updates.
MAX_REPLY_BYTES = 1 << 20
# What an explanation says instead of matched words.
BY_MODEL = "tagged by the model"
# 4xx statuses that say the endpoint, not the request, is at fault: our key, URL or rate is refused,
# so every request would fail alike (5xx say so too). Other 4xx (400, 413, 422...) are the request's own.
ENDPOINT_DOWN = frozenset({401, 403, 404, 407, 408, 429})
# Bumped when the instructions change, so cached answers to the old ones are not reused.
PROMPT_VERSION = "1"

INSTRUCTIONS = """\
You tag a company's weekly status updates with the business objectives they serve.
The user message holds updates, one JSON object a line: {"id": ..., "team": ..., "text": ...}.
An update serves an objective when the work it reports directly moves that objective forward.
An update may serve several objectives. Routine or internal work that moves none (admin, tooling,
office moves, hiring for its own sake) serves none: give it an empty list.
Use only the objective keys listed above, exactly as written.
Answer with one JSON object and nothing else, with one entry for every id:
{"updates": [{"id": "<id>", "objectives": ["<key>", ...]}]}"""


class AnswerCache(Protocol):
    """Where answers already given are kept, by `ModelTagger.cache_key`."""

    def get(self, key: str) -> tuple[str, ...] | None:
        """Return the objective keys answered for `key`, if any."""
        ...

    def put(self, key: str, objectives: tuple[str, ...]) -> None:
        """Keep an answer."""
        ...


class RequestBudget(Protocol):
    """How many requests may still be sent today."""

    def take(self) -> bool:
        """Count one request; return False (and count nothing) when the day's cap is reached."""
        ...


class MemoryCache:
    """Answers kept for the life of the process (a CLI run)."""

    def __init__(self) -> None:
        self._answers: dict[str, tuple[str, ...]] = {}

    def get(self, key: str) -> tuple[str, ...] | None:
        """Return the objective keys answered for `key`, if any."""
        return self._answers.get(key)

    def put(self, key: str, objectives: tuple[str, ...]) -> None:
        """Keep an answer."""
        self._answers[key] = objectives


class DailyCount:
    """Count requests a day in this process, up to `cap`."""

    def __init__(self, cap: int, today: Callable[[], date] = lambda: utcnow().date()) -> None:
        self.cap = cap
        self._today = today
        self._day = today()
        self.count = 0

    def take(self) -> bool:
        """Count one request; return False when the day's cap is reached."""
        day = self._today()
        if day != self._day:
            self._day, self.count = day, 0
        if self.count >= self.cap:
            return False
        self.count += 1
        return True


@dataclass(frozen=True)
class ModelConfig:
    """Where the model is and how to use it (the ALIGNBOT_LLM_* settings)."""

    url: str
    model: str = ""
    api_key: str | None = field(default=None, repr=False)
    mode: str = "unsure"
    timeout: float = 10.0
    max_per_day: int = 500

    @classmethod
    def from_settings(cls, settings: Any) -> ModelConfig | None:
        """Return the configuration, or None when ALIGNBOT_LLM_URL is unset (then nothing is sent)."""
        if not settings.llm_url:
            return None
        return cls(
            url=settings.llm_url,
            model=settings.llm_model or "",
            api_key=settings.llm_key,
            mode=settings.llm_mode,
            timeout=settings.llm_timeout,
            max_per_day=settings.llm_max_per_day,
        )

    def wants(self, confident: bool) -> bool:
        """Say whether a text the lexicon is (not) sure of goes to the model in this mode."""
        return self.mode == "all" or not confident

    @property
    def shown_url(self) -> str:
        """Return the URL without any user name or password in it, for messages."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class Ask:
    """One update to ask the model about."""

    team: str
    text: str


@dataclass
class Usage:
    """What one ModelTagger sent and got."""

    requests: int = 0
    tokens: int = 0
    # Updates sent, and updates answered from the cache instead.
    sent: int = 0
    cached: int = 0
    answered: int = 0
    faults: list[str] = field(default_factory=list)
    # Updates left to the lexicon because the day's cap was reached.
    capped: int = 0
    # Updates left to the lexicon because the model is paused after the endpoint failed (see `hold`).
    held: int = 0
    # The first fault said the endpoint is down (not that this request was bad), and how long a 429 asked to wait.
    down: bool = False
    retry_after: float | None = None


class ModelFault(Exception):
    """The model did not give a usable answer; the message says why, in a few words.

    `down` says the endpoint is at fault (unreachable, hanging, failing, throttling, refusing our
    URL or key): the next request would fail the same way whatever it carries. Otherwise the fault
    is this request's (a 400, a reply that is no answer), and another request may well succeed.
    """

    def __init__(self, message: str, *, down: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.down = down
        self.retry_after = retry_after


class _CapReached(Exception):
    """The day's requests are spent."""


class ModelTagger:
    """Ask the model which objectives updates serve, for one set of objectives (and team goals)."""

    def __init__(
        self,
        config: ModelConfig,
        objectives: Sequence[Objective],
        goals: Mapping[str, Sequence[str]] | None = None,
        *,
        cache: AnswerCache | None = None,
        budget: RequestBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.keys = frozenset(o.key for o in objectives)
        self.system = system_message(objectives, goals)
        self.version = objectives_version(self.system, config.model)
        self.cache: AnswerCache = cache if cache is not None else MemoryCache()
        self.budget: RequestBudget = budget if budget is not None else DailyCount(config.max_per_day)
        self.usage = Usage()
        self._sleep = sleep
        self._broken = False
        self._capped = False
        self._held = False

    def hold(self) -> None:
        """Send nothing from now on: answers come from the cache alone, the rest is the lexicon's."""
        self._held = True

    def wants(self, verdict: Verdict) -> bool:
        """Say whether an update the lexicon judged so goes to the model in this mode."""
        return self.config.wants(verdict.confident)

    def cache_key(self, ask: Ask) -> str:
        """Return the cache key of an update: the objectives' version, its team and its text."""
        return hashlib.sha256("\0".join((self.version, ask.team, ask.text)).encode("utf-8")).hexdigest()

    def answer(self, asks: Sequence[Ask]) -> list[tuple[str, ...] | None]:
        """Return each update's objective keys, or None where the lexicon's answer stands."""
        keys = [self.cache_key(a) for a in asks]
        found: dict[str, tuple[str, ...] | None] = {}
        pending: dict[str, Ask] = {}
        for key, ask in zip(keys, asks):
            if key in found or key in pending:
                continue
            hit = self.cache.get(key)
            if hit is not None:
                found[key] = hit
                self.usage.cached += 1
            else:
                pending[key] = ask
        batch = list(pending.items())
        for start in range(0, len(batch), BATCH):
            found.update(self._ask_batch(batch[start : start + BATCH]))
        answers = [found.get(key) for key in keys]
        self.usage.answered += sum(a is not None for a in answers)
        return answers

    def _ask_batch(self, batch: Sequence[tuple[str, Ask]]) -> dict[str, tuple[str, ...]]:
        if self._held:
            self.usage.held += len(batch)
            return {}
        if self._capped:
            self.usage.capped += len(batch)
            return {}
        if self._broken:
            return {}
        lines = [{"id": str(n), "team": ask.team, "text": ask.text} for n, (_, ask) in enumerate(batch, 1)]
        try:
            replies = self._exchange(lines)
        except _CapReached:
            self._capped = True
            self.usage.capped += len(batch)
            return {}
        except ModelFault as fault:
            # One fault ends the run's asking: a dead endpoint would otherwise cost a timeout a batch.
            self._broken = True
            if not self.usage.faults:
                self.usage.down, self.usage.retry_after = fault.down, fault.retry_after
            self.usage.faults.append(str(fault))
            return {}
        self.usage.sent += len(batch)
        answered: dict[str, tuple[str, ...]] = {}
        for n, (key, _) in enumerate(batch, 1):
            objectives = replies.get(str(n))
            if objectives is not None:
                answered[key] = objectives
                self.cache.put(key, objectives)
        return answered

    def _exchange(self, lines: Sequence[dict[str, str]]) -> dict[str, tuple[str, ...]]:
        payload = {
            "model": self.config.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": self.system},
                {"role": "user", "content": "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)},
            ],
        }
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        reply = None
        for retry in (True, False):
            if not self.budget.take():
                raise _CapReached
            self.usage.requests += 1
            wait, reply = self._post(body, retry=retry)
            if reply is not None:
                break
            self._sleep(wait)
        assert reply is not None  # the second attempt raises rather than asking to wait
        content, tokens = _content_of(reply)
        self.usage.tokens += tokens if tokens is not None else (len(body) + len(content)) // 4
        return parse_answers(content, self.keys)

    def _post(self, body: bytes, retry: bool) -> tuple[float, bytes | None]:
        """POST once; return (0, reply), or (seconds, None) for a 429 worth waiting for once."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        request = urllib.request.Request(
            self.config.url.rstrip("/") + "/chat/completions", body, headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310
                return 0.0, response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            asked = _seconds(error.headers.get("Retry-After")) if error.code == 429 else None
            wait = _retry_after(error.headers.get("Retry-After")) if error.code == 429 else None
            if retry and wait is not None:
                return wait, None
            down = error.code in ENDPOINT_DOWN or error.code >= 500
            raise ModelFault(f"HTTP {error.code}", down=down, retry_after=asked) from None
        except TimeoutError:
            raise ModelFault(f"no answer within {self.config.timeout:g} s", down=True) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                raise ModelFault(f"no answer within {self.config.timeout:g} s", down=True) from None
            raise ModelFault(f"cannot connect ({_reason(reason)})", down=True) from None
        except (OSError, http.client.HTTPException) as error:
            raise ModelFault(f"the connection failed ({_reason(error)})", down=True) from None


def system_message(objectives: Sequence[Objective], goals: Mapping[str, Sequence[str]] | None = None) -> str:
    """Return the system message: the objectives, the team goals when there are any, and the instructions."""
    parts = ["Objectives, one JSON object a line:"]
    for o in objectives:
        entry = {
            "key": o.key,
            "title": o.title,
            "description": o.description,
            "keywords": list(o.keywords),
            "examples": list(o.examples),
        }
        parts.append(json.dumps(entry, ensure_ascii=False))
    team_goals = [(team, title) for team, titles in sorted((goals or {}).items()) for title in titles]
    if team_goals:
        parts.append("\nTeam goals, one JSON object a line (what a team said it works towards):")
        parts += [json.dumps({"team": team, "goal": title}, ensure_ascii=False) for team, title in team_goals]
    return "\n".join(parts) + "\n\n" + INSTRUCTIONS


def objectives_version(system: str, model: str) -> str:
    """Return a short fingerprint of what an answer depends on besides the update: prompt and model."""
    return hashlib.sha256("\0".join((PROMPT_VERSION, model, system)).encode("utf-8")).hexdigest()[:16]


def parse_answers(content: str, keys: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Return the reply content's answers by id; unknown keys dropped; raise ModelFault if it is no answer."""
    try:
        data = json.loads(_unfenced(content))
    except ValueError:
        raise ModelFault("the reply is not JSON") from None
    items = data.get("updates") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ModelFault('the reply has no "updates" list')
    answers: dict[str, tuple[str, ...]] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("objectives"), list):
            continue
        wanted = [k for k in item["objectives"] if isinstance(k, str) and k in keys]
        answers[str(item.get("id"))] = tuple(dict.fromkeys(wanted))
    return answers


def combine(lexicon: Verdict, answer: tuple[str, ...] | None) -> tuple[Verdict, str]:
    """Return an update's verdict and who decided it ("lexicon" or "model").

    A model's answer is confident, except where it disagrees with a lexicon that was sure:
    then the author is asked, offered the model's objectives first.
    """
    if answer is None:
        return lexicon, "lexicon"
    matches = tuple(Match(key, 1.0, (BY_MODEL,)) for key in answer)
    disagree = lexicon.confident and {m.key for m in lexicon.matches} != set(answer)
    candidates = matches + tuple(c for c in lexicon.candidates if c.key not in answer)
    return Verdict(matches, not disagree, candidates, lexicon.margin), "model"


def fault_note(tagger: ModelTagger) -> str | None:
    """Return one line saying why some updates were left to the lexicon, or None if none were."""
    usage, where = tagger.usage, tagger.config.shown_url
    if usage.faults:
        return f"the model at {where} failed ({usage.faults[0]}): those updates are tagged by the lexicon"
    if usage.capped:
        return (
            f"ALIGNBOT_LLM_MAX_PER_DAY ({tagger.config.max_per_day} requests) reached: "
            f"{usage.capped} updates are tagged by the lexicon"
        )
    return None


def _content_of(reply: bytes) -> tuple[str, int | None]:
    if len(reply) > MAX_REPLY_BYTES:
        raise ModelFault("the reply is too large")
    try:
        data = json.loads(reply)
        content = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ModelFault("the reply is not a chat completion") from None
    if not isinstance(content, str):
        raise ModelFault("the reply has no content")
    usage = data.get("usage")
    tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
    return content, tokens if isinstance(tokens, int) and tokens >= 0 else None


def _unfenced(content: str) -> str:
    # Some servers wrap JSON in a Markdown code fence even when asked for a JSON object.
    fenced = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", content, re.DOTALL)
    return fenced.group(1) if fenced else content


def _retry_after(value: str | None) -> float | None:
    """Return the seconds a 429 asks to wait, if it is worth waiting once (at most RETRY_AFTER_MAX)."""
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        return None  # an HTTP date: too far off to matter for one run
    return max(seconds, 0.0) if seconds <= RETRY_AFTER_MAX else None


def _seconds(value: str | None) -> float | None:
    """Return the seconds a Retry-After asks for, if it gives a number."""
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def _reason(error: object) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:120]
