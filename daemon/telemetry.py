"""Where every stage of the request path reports what happened.

This is the record's in-memory front: a bounded ring of recent decisions and
running counters, enough for ``lynkr status`` and the logs. Persisting each
record to SQLite, metrics and the live event stream build on ``Recorder``
without changing the request path.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from daemon.canonical import Usage

log = logging.getLogger("lynkr.decisions")


@dataclass(slots=True)
class Hop:
    """One provider tried for a request, and how it went."""

    provider: str
    model: str
    error: str | None = None


@dataclass(slots=True)
class DecisionRecord:
    id: str
    started_at: float
    session: str
    dialect: str
    user_agent: str
    requested_model: str
    stream: bool
    tier: str = ""
    rule: str = ""
    reasons: tuple[str, ...] = ()
    provider: str = ""
    model: str = ""
    hops: list[Hop] = field(default_factory=list)
    status: int = 0
    error: str | None = None
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    usage: Usage = field(default_factory=Usage)
    router_us: float = 0.0
    score: float | None = None
    override: str | None = None
    dimensions: dict[str, float] = field(default_factory=dict)
    provider_type: str = ""
    upstream_ms: float | None = None
    """Time from calling the provider to its answer (non-stream) or first event (stream)."""
    stop_reason: str | None = None
    cost_usd: float | None = None
    quality: int | None = None
    request_body: bytes | None = field(default=None, repr=False)
    """The client's JSON body, handed to the store and then dropped (never kept in memory)."""
    response_body: bytes | None = field(default=None, repr=False)


class Recorder:
    """Keeps recent decisions and totals. Never raises into the request path."""

    def __init__(self, keep: int = 1000) -> None:
        self.recent: deque[DecisionRecord] = deque(maxlen=keep)
        self.requests = 0
        self.by_tier: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.in_flight = 0

    def started(self) -> None:
        self.in_flight += 1

    def finished(self, record: DecisionRecord) -> None:
        self.in_flight -= 1
        # Bodies go to the durable store only; the in-memory ring keeps the light record.
        record.request_body = record.response_body = None
        self.requests += 1
        self.by_tier[record.tier or "-"] += 1
        self.by_status[record.status] += 1
        self.recent.append(record)
        if record.status >= 400 or len(record.hops) > 1:
            log.info(
                "%s %s tier=%s served=%s:%s status=%s hops=%s error=%s",
                record.id,
                record.dialect,
                record.tier,
                record.provider,
                record.model,
                record.status,
                [f"{h.provider}:{h.model}{' !' + h.error if h.error else ''}" for h in record.hops],
                record.error,
            )
        elif log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s tier=%s served=%s:%s status=%s %.1fms in=%d out=%d%s",
                record.id,
                record.dialect,
                record.tier,
                record.provider,
                record.model,
                record.status,
                record.latency_ms,
                record.usage.input_tokens,
                record.usage.output_tokens,
                " (estimated)" if record.usage.estimated else "",
            )

    def summary(self) -> dict[str, object]:
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "by_tier": dict(self.by_tier),
            "by_status": {str(k): v for k, v in self.by_status.items()},
        }


def now() -> float:
    return time.time()
