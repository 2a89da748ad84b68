"""Where every stage of the request path reports what happened.

``Recorder.finished`` is called once per request. It prices the request,
scores its quality, and fans the record out: to the in-memory ring of recent
decisions, the durable SQLite store (batched off the request path), the
Prometheus metrics, the sliding latency windows and the live event stream.
Nothing here may raise into the request path or block it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from daemon.canonical import Usage
from daemon.events import EventBus, decision_event
from daemon.latency import LatencyWindows
from daemon.metrics import Metrics
from daemon.pricing import PriceTable, baseline_target, cost, price_table
from daemon.quality import initial_quality

if TYPE_CHECKING:
    from daemon.config.model import Config
    from daemon.store import DecisionStore

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
    tool_call_ids: tuple[str, ...] = ()
    """Ids of the tool calls this response made; the session's next turn reports how they went."""
    cache: str | None = None
    """Response cache outcome: "hit", "miss", "bypass", or None when the request was not cacheable."""


class Recorder:
    """Keeps recent decisions and totals and feeds every observer. Never raises into the request path."""

    def __init__(
        self,
        keep: int = 1000,
        *,
        store: DecisionStore | None = None,
        metrics: Metrics | None = None,
        events: EventBus | None = None,
        latency: LatencyWindows | None = None,
        prices: PriceTable | None = None,
        baseline: tuple[str, str] | None = None,
    ) -> None:
        self.recent: deque[DecisionRecord] = deque(maxlen=keep)
        self.requests = 0
        self.by_tier: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.in_flight = 0
        self.spend_usd = 0.0
        self.store = store
        self.metrics = metrics or Metrics()
        self.events = events or EventBus()
        self.latency = latency or LatencyWindows()
        self.prices = prices or PriceTable()
        self.baseline = baseline
        """(provider type, model) that savings are measured against: what every request would have
        cost there."""
        self.baseline_usd = 0.0
        self.spend_today_usd = 0.0
        """Spend since local midnight (from the decision record at start, then live)."""
        self._today: tuple[int, ...] = ()
        self._today_span = (0.0, 0.0)
        """[start, end) of ``_today`` in epoch seconds: inside it, no ``localtime`` call per request."""
        self.priced_spend_usd = 0.0
        self._norms: dict[str, float | None] = {}
        self._norms_at = 0.0

    def reconfigure(self, config: Config) -> None:
        """A reload: new prices, baseline and body storage apply to the decisions from now on."""
        self.prices = price_table(config)
        self.baseline = baseline_target(config)
        if self.store is not None:
            self.store.store_bodies = config.telemetry.store_bodies
            self.store.retention_days = config.telemetry.retention_days
            self.store.retention_mb = config.telemetry.retention_mb

    @property
    def keeps_bodies(self) -> bool:
        """Whether bodies are stored at all, so the request path can skip rendering them."""
        return self.store is not None and self.store.store_bodies

    def started(self) -> None:
        self.in_flight += 1
        self.metrics.inc_in_flight()

    def finished(self, record: DecisionRecord) -> None:
        self.in_flight -= 1
        # Outside the try: a failure below must not leave the gauge counting a finished request.
        self.metrics.dec_in_flight()
        try:
            self._price_and_score(record)
            self.requests += 1
            self.by_tier[record.tier or "-"] += 1
            self.by_status[record.status] += 1
            self.spend_usd += record.cost_usd or 0.0
            self._add_today(record.cost_usd or 0.0, record.started_at)
            self.recent.append(record)
            if self.store is not None:
                self.store.submit(record, record.request_body, record.response_body)
            self.metrics.observe(record)
            self.latency.observe(record)
            if self.events.subscribers:
                self.events.publish(decision_event(record))
            self._log(record)
        except Exception:  # telemetry must never fail a request
            log.exception("recording decision %s failed", record.id)
        finally:
            # Bodies go to the durable store only; the in-memory ring keeps the light record.
            record.request_body = record.response_body = None

    def _add_today(self, usd: float, when: float) -> None:
        start, end = self._today_span
        if not start <= when < end:
            day = time.localtime(when)[:3]
            if day != self._today:
                self._today, self.spend_today_usd = day, 0.0
            # mktime normalises day + 1 past a month's end, and finds the local midnights across DST.
            self._today_span = (
                time.mktime((*day, 0, 0, 0, 0, 0, -1)),
                time.mktime((day[0], day[1], day[2] + 1, 0, 0, 0, 0, 0, -1)),
            )
        self.spend_today_usd += usd

    async def load_today(self) -> None:
        """Start today's spend from the decision record, so a restart does not zero it."""
        if self.store is None:
            return
        now = time.time()
        midnight = time.mktime((*time.localtime(now)[:3], 0, 0, 0, 0, 0, -1))
        self._today, self._today_span = time.localtime(now)[:3], (0.0, 0.0)
        self.spend_today_usd = await self.store.spend_since(midnight)

    def _price_and_score(self, record: DecisionRecord) -> None:
        if record.provider:
            price = self.prices.price_for(record.provider_type, record.model)
            record.cost_usd = None if price is None else cost(record.usage, price)
            baseline = self.prices.price_for(*self.baseline) if self.baseline else None
            if baseline is not None and record.cost_usd is not None:
                self.baseline_usd += cost(record.usage, baseline)
                self.priced_spend_usd += record.cost_usd
        record.quality = initial_quality(
            record.status,
            record.stop_reason,
            len(record.hops),
            record.latency_ms,
            self._tier_norm(record.tier),
        )

    def _tier_norm(self, tier: str) -> float | None:
        """The tier's live median latency, recomputed at most once a second (percentiles over the
        whole window are too costly to compute on every request)."""
        now = time.monotonic()
        if now - self._norms_at > 1.0:
            self._norms = {
                key: (values.get("latency_ms") or {}).get("p50")
                for key, values in self.latency.percentiles("tier").items()
            }
            self._norms_at = now
        return self._norms.get(tier)

    def _log(self, record: DecisionRecord) -> None:
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
            "spend_usd": round(self.spend_usd, 6),
            "spend_today_usd": round(self.spend_today_usd, 6),
            "baseline_usd": round(self.baseline_usd, 6),
            "savings_usd": round(self.baseline_usd - self.priced_spend_usd, 6),
            "baseline": ":".join(self.baseline) if self.baseline else None,
            "requests_per_second": round(self.latency.requests_per_second(), 3),
        }


def now() -> float:
    return time.time()
