"""Prometheus metrics for the daemon, fed one ``DecisionRecord`` at a time.

``Metrics`` owns its own ``CollectorRegistry`` rather than using the global
one: two daemons in one process (tests, the bench harness) would otherwise
share counters, and registering a metric name twice on the global registry
raises. Everything here is updated from ``observe(record)`` at the end of a
request, plus a few direct setters for state that is not per-request
(breakers, in-flight requests, cache hits found by optimizers).

Label values are bounded on purpose: a Prometheus series per distinct label
set lives forever in the scraper, so free text never becomes a label. Status
is the HTTP code, model names are truncated, and anything missing (a request
rejected before routing has no tier or provider) is ``"-"``.
"""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

if TYPE_CHECKING:
    from daemon.telemetry import DecisionRecord

log = logging.getLogger("lynkr.metrics")

MISSING: Final = "-"
MODEL_LABEL_MAX: Final = 80

# Whole LLM calls: a cached one-liner answers in tens of ms, a long reasoning
# call can run for minutes.
LATENCY_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
# Time to first token: from local models (tens of ms) to queued reasoning models (a minute or more).
TTFT_BUCKETS: Final = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 60.0, 120.0)
# The router is pure CPU: tens of microseconds for a rule hit, milliseconds when it parses code.
ROUTER_BUCKETS: Final = (
    0.00001,
    0.000025,
    0.00005,
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
)

# Read-only: the module holds no mutable state.
BREAKER_STATES: Final = MappingProxyType({"closed": 0, "half-open": 1, "half_open": 1, "open": 2})


def _label(value: object) -> str:
    text = "" if value is None else str(value)
    return text or MISSING


def _model_label(value: object) -> str:
    return _label(value)[:MODEL_LABEL_MAX]


class Metrics:
    """All of Lynkr's Prometheus metrics, on a registry this object owns."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        r = self.registry
        # prometheus_client appends ``_total`` to counter names itself.
        self.requests = Counter(
            "lynkr_requests",
            "Proxied requests, by where they went and how they ended.",
            ("tier", "provider", "model", "status", "dialect"),
            registry=r,
        )
        self.request_latency = Histogram(
            "lynkr_request_latency_seconds",
            "Whole-request latency as the client saw it (to the last byte for streams).",
            ("tier", "provider"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.ttft = Histogram(
            "lynkr_ttft_seconds",
            "Time to the first content token of streamed responses.",
            ("tier", "provider"),
            buckets=TTFT_BUCKETS,
            registry=r,
        )
        self.tokens = Counter(
            "lynkr_tokens",
            "Tokens by kind (input excludes cache reads and writes, Anthropic's convention).",
            ("tier", "provider", "model", "kind"),
            registry=r,
        )
        self.cost = Counter(
            "lynkr_cost_usd",
            "Estimated spend in US dollars.",
            ("tier", "provider", "model"),
            registry=r,
        )
        self.cache_hits = Counter(
            "lynkr_cache_hits",
            "Cache hits by kind (prompt: the upstream served cached prompt tokens).",
            ("kind",),
            registry=r,
        )
        self.response_cache = Counter(
            "lynkr_response_cache",
            "Response cache lookups by result: hit, miss, bypass (cache-control: no-cache).",
            ("result",),
            registry=r,
        )
        self.breaker_state = Gauge(
            "lynkr_breaker_state",
            "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
            ("provider",),
            registry=r,
        )
        self.in_flight = Gauge("lynkr_in_flight_requests", "Requests being handled now.", registry=r)
        self.router = Histogram(
            "lynkr_router_seconds",
            "Time the router took to pick a tier.",
            buckets=ROUTER_BUCKETS,
            registry=r,
        )
        self.fallbacks = Counter(
            "lynkr_fallbacks",
            "Moves to the next provider in a tier's chain after one failed.",
            ("tier",),
            registry=r,
        )
        self.provider_info = Gauge(
            "lynkr_provider_info",
            "Always 1; joins a provider name to its type (openai, anthropic, ollama...).",
            ("provider", "type"),
            registry=r,
        )

    # ------------------------------------------------------------------ per request

    def observe(self, record: DecisionRecord) -> None:
        """Account for one finished request. Never raises: metrics must not fail a request."""
        try:
            self._observe(record)
        except Exception:
            log.exception("metrics: could not observe decision %s", getattr(record, "id", "?"))

    def _child(self, metric: Any, *labels: str) -> Any:
        """``metric.labels(...)``, memoised: prometheus-client validates labels on every call,
        which is the largest part of its cost on the request path."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            if len(self._children) > 50_000:  # label sets are bounded, but never grow without limit
                self._children.clear()
            child = self._children[key] = metric.labels(*labels)
        return child

    def _observe(self, record: DecisionRecord) -> None:
        tier = _label(record.tier)
        provider = _label(record.provider)
        model = _model_label(record.model)
        self._child(
            self.requests, tier, provider, model, str(int(record.status)), _label(record.dialect)
        ).inc()
        self._child(self.request_latency, tier, provider).observe(max(record.latency_ms, 0.0) / 1000)
        if record.ttft_ms is not None:
            self._child(self.ttft, tier, provider).observe(max(record.ttft_ms, 0.0) / 1000)
        # A request rejected before routing never ran the router; a zero would skew the histogram.
        if record.router_us > 0:
            self.router.observe(record.router_us / 1_000_000)

        usage = record.usage
        for kind, count in (
            ("input", usage.input_tokens),
            ("output", usage.output_tokens),
            ("cache_read", usage.cache_read_tokens),
            ("cache_write", usage.cache_write_tokens),
        ):
            # Only positive counts: zero increments would create empty series for every rejected request.
            if count > 0:
                self._child(self.tokens, tier, provider, model, kind).inc(count)
        if usage.cache_read_tokens > 0:
            self._child(self.cache_hits, "prompt").inc()
        outcome = getattr(record, "cache", None)
        if outcome in ("hit", "miss", "bypass"):
            self._child(self.response_cache, outcome).inc()
            if outcome == "hit":
                self._child(self.cache_hits, "response").inc()

        cost = getattr(record, "cost_usd", None)
        if cost is not None and cost > 0:
            self._child(self.cost, tier, provider, model).inc(float(cost))

        # Every hop after the first is one fallback.
        if len(record.hops) > 1:
            self._child(self.fallbacks, tier).inc(len(record.hops) - 1)

        provider_type = getattr(record, "provider_type", None)
        if provider_type and record.provider:
            self._child(self.provider_info, provider, _label(provider_type)).set(1)

    # ------------------------------------------------------------------ state that is not per request

    def set_breaker(self, provider: str, state: int | str) -> None:
        """Record a breaker transition; ``state`` is 0/1/2 or "closed"/"half-open"/"open".

        An unknown state is logged and ignored rather than raised: breakers change state inside the
        request path, and a metrics bug must not fail a request.
        """
        value = BREAKER_STATES.get(state) if isinstance(state, str) else state
        if value not in (0, 1, 2):
            log.error("metrics: unknown breaker state %r for provider %r", state, provider)
            return
        self.breaker_state.labels(_label(provider)).set(value)

    def inc_in_flight(self) -> None:
        self.in_flight.inc()

    def dec_in_flight(self) -> None:
        self.in_flight.dec()

    def cache_hit(self, kind: str) -> None:
        """Count a hit found outside the record (e.g. kind="response" from a response cache)."""
        self.cache_hits.labels(_label(kind)).inc()

    # ------------------------------------------------------------------ exposition

    def render(self) -> tuple[bytes, str]:
        """The text exposition body and its content type, ready for an HTTP response."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
