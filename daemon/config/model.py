"""The validated, immutable configuration.

A ``Config`` is built once by ``daemon.config.load`` and never mutated; a
reload builds a new one and swaps the reference. Mappings are read-only
proxies so nothing can change a running config by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from daemon.routing.weights import BASE_SCORE, DEFAULT_RULES, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS

TIERS: tuple[str, ...] = ("simple", "medium", "complex", "reasoning")
SCORERS: tuple[str, ...] = ("learned", "weights")


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8081
    log_level: str = "info"
    max_body_mb: float = 32.0
    """Largest request body accepted; bigger ones get a 413 in the client's dialect."""
    shutdown_grace_seconds: float = 10.0
    """How long a stop waits for in-flight requests and streams; a second SIGTERM ends it at once."""
    api_key_env: str = "LYNKR_API_KEY"
    """Environment variable holding the proxy key clients must send (``Authorization: Bearer`` or
    ``x-api-key``). Optional on 127.0.0.1; required to bind any other address."""
    admin_token_env: str = "LYNKR_ADMIN_TOKEN"
    """Environment variable holding the token for admin endpoints on the TCP port (``/v1/admin/*``).
    Unset: those endpoints are refused; the control socket still works."""
    watch_config: bool = True
    """Reload the config file when it changes on disk."""
    keepalive_seconds: float = 75.0
    """An idle client connection is closed after this long."""


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """One named upstream. ``options`` holds the keys specific to its type
    (``api_version`` for azure-openai, ``latency_ms`` for simulated, ...)."""

    name: str
    type: str
    base_url: str | None = None
    api_key_env: str | None = None
    headers: Mapping[str, str] = field(default_factory=_empty)
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    """Longest silence between two chunks of a response (a stalled stream)."""
    first_byte_timeout: float = 300.0
    """Longest wait for the response to start (headers; for a non-streamed answer, all of it)."""
    total_timeout: float = 0.0
    """Longest a whole exchange may take, stream included; 0 = no limit."""
    max_connections: int = 1000
    """Simultaneous connections (so also simultaneous streams) to this provider; more wait for a free one."""
    options: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class Target:
    """A provider and a model on it, as written ``"provider:model"``."""

    provider: str
    model: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


@dataclass(frozen=True, slots=True)
class TierConfig:
    name: str
    provider: str
    model: str
    fallback: tuple[Target, ...] = ()
    vision: bool | None = None
    """Whether the model takes images; None = infer from the model name (daemon.routing.models)."""
    context_window: int | None = None
    """The model's context window in tokens; None = infer from the model name."""
    borrowed_from: str | None = None
    """Set when this tier was not configured and serves with the named tier's targets."""

    @property
    def primary(self) -> Target:
        return Target(self.provider, self.model)

    def chain(self) -> tuple[Target, ...]:
        return (self.primary, *self.fallback)


@dataclass(frozen=True, slots=True)
class RoutingConfig:
    scorer: str = "learned"
    """How the router turns the dimensions into a tier: ``learned`` (a per-tier logistic model over
    the dimensions and the user's words, fitted on the labelled corpus) or ``weights`` (the score
    below: ``base_score`` + weighted dimensions, ``thresholds``, ``deliberation_split``), which an
    operator can tune by hand. Overrides, side requests, stickiness and hard rules apply to both."""
    default_tier: str = "medium"
    """Tier when the router cannot judge (an empty conversation) and for ``lynkr/auto`` fallbacks."""
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(dict(DEFAULT_WEIGHTS)))
    """Points each dimension adds at full strength (see daemon/routing/dimensions.py)."""
    thresholds: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_THRESHOLDS))
    )
    """Score at which medium, complex and reasoning start."""
    base_score: float = BASE_SCORE
    deliberation_split: float = 0.5
    """Among hard requests (complex or reasoning by score), those asking more for an argument than
    for an action go to reasoning, the others to complex (rule ``arguments_to_reasoning``)."""
    rules: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType(dict(DEFAULT_RULES)))
    model_map: Mapping[str, str] = field(default_factory=_empty)
    """Client model name -> tier, e.g. claude-haiku-4-5 = "simple"."""


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    store_bodies: bool = True
    """Keep each request's and response's JSON body (compressed) with its decision row."""
    retention_days: float = 30.0
    """Decision rows older than this are deleted; 0 keeps them forever."""
    retention_mb: float = 500.0
    """Stored bodies beyond this size are deleted oldest first (the rows stay); 0 = no limit."""


@dataclass(frozen=True, slots=True)
class PricingConfig:
    overrides: Mapping[str, Mapping[str, float]] = field(default_factory=_empty)
    """Model pattern (or ``type:<provider type>``) -> USD per million tokens:
    ``input``, ``output``, ``cache_read``, ``cache_write``."""
    baseline: str = "reasoning"
    """What savings are measured against: a tier name (everything on that tier's model) or
    ``provider:model``."""


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Per-provider circuit breaker (see daemon/reliability/breaker.py)."""

    failures: int = 5
    """Failures in a row (within ``window_seconds``) that open the breaker."""
    window_seconds: float = 30.0
    error_rate: float = 0.5
    """Or: this share of failures over at least ``min_requests`` in the window."""
    min_requests: int = 20
    cooldown_seconds: float = 15.0
    """Open this long before letting probes through (half-open)."""
    half_open_probes: int = 1
    """Requests let through at once while half-open."""
    close_after: int = 2
    """Successful probes that close it again."""


@dataclass(frozen=True, slots=True)
class ReliabilityConfig:
    max_in_flight: int = 2048
    """Requests served at once; more wait in the queue."""
    max_queue: int = 1024
    """Requests waiting for a slot; beyond it clients get 529 (Anthropic) or 503 (OpenAI)."""
    queue_timeout_seconds: float = 30.0
    """A queued request that waits longer gets the same overload error."""
    retries: int = 2
    """Extra attempts on the same provider for a retryable failure, before the next candidate."""
    retry_base_ms: float = 200.0
    retry_max_ms: float = 5000.0
    retry_after_max_seconds: float = 10.0
    """A provider's retry-after longer than this moves on to the next candidate instead of waiting."""
    escalate: bool = True
    """After a tier's own chain fails, try the higher tiers, then the lower ones."""
    breaker: BreakerConfig = field(default_factory=BreakerConfig)


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """The exact-match response cache (daemon/optimizers/cache.py)."""

    enabled: bool = True
    deterministic_only: bool = True
    """Cache only requests with temperature 0; false caches any request (repeats get the same answer)."""
    max_entries: int = 2000
    max_mb: float = 100.0
    """Stored (compressed) responses beyond either bound are evicted least recently used first."""
    ttl_seconds: float = 86400.0
    """An entry older than this is a miss (and deleted); 0 = no expiry."""


MEMORY_WEIGHTS = MappingProxyType({"surprise": 0.15, "recency": 0.25, "relevance": 0.35, "importance": 0.25})


@dataclass(frozen=True, slots=True)
class MemoryConfig:
    """Long-term memory (daemon/memory/)."""

    enabled: bool = True
    """Off: nothing is injected or learned (the header ``x-lynkr-memory: off`` does this per request)."""
    inject: bool = True
    extract: bool = True
    token_budget: int = 400
    """Most tokens the memory block adds to a request's system prompt."""
    max_injected: int = 10
    max_count: int = 5000
    """Memories kept over all projects; the least recently seen go first."""
    max_age_days: float = 90.0
    """Memories not seen for this long are deleted; 0 = no age limit."""
    half_life_days: float = 14.0
    """Recency halves every this many days."""
    dedupe_threshold: float = 0.7
    """Trigram similarity at or above which an observation is merged into a stored one."""
    weights: Mapping[str, float] = field(default_factory=lambda: MEMORY_WEIGHTS)
    """Weights of surprise, recency, relevance and importance in a memory's total score."""


@dataclass(frozen=True, slots=True)
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    providers: Mapping[str, ProviderConfig] = field(default_factory=_empty)
    tiers: Mapping[str, TierConfig] = field(default_factory=_empty)
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    telemetry: TelemetryConfig = field(default_factory=TelemetryConfig)
    pricing: PricingConfig = field(default_factory=PricingConfig)
    reliability: ReliabilityConfig = field(default_factory=ReliabilityConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    memory: MemoryConfig = field(default_factory=MemoryConfig)
    source: Path | None = None
    """The file this came from; None when no file was found (built-in defaults)."""
    simulated_only: bool = False
    """True when every tier is served by the built-in ``simulated`` provider
    because nothing real is configured; the banner and status say so."""
    warnings: tuple[str, ...] = ()
    """Problems that do not stop the daemon (a key's env var not set, ...)."""

    def tier_map(self) -> dict[str, str]:
        return {name: str(tier.primary) for name, tier in self.tiers.items()}


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a config: the dotted key that has it and what is allowed."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(Exception):
    """A config that must not be used. ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem], source: Path | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        super().__init__(f"{len(problems)} problem(s){where}: " + "; ".join(map(str, problems)))
