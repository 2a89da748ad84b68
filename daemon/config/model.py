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
    """Longest wait for the first byte and between two chunks of a stream."""
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
    default_tier: str = "medium"
    """Tier when the router cannot judge (an empty conversation) and for ``lynkr/auto`` fallbacks."""
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(dict(DEFAULT_WEIGHTS)))
    """Points each dimension adds at full strength (see daemon/routing/dimensions.py)."""
    thresholds: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(dict(DEFAULT_THRESHOLDS))
    )
    """Score at which medium, complex and reasoning start."""
    base_score: float = BASE_SCORE
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
class Config:
    server: ServerConfig = field(default_factory=ServerConfig)
    providers: Mapping[str, ProviderConfig] = field(default_factory=_empty)
    tiers: Mapping[str, TierConfig] = field(default_factory=_empty)
    routing: RoutingConfig = field(default_factory=RoutingConfig)
    telemetry: TelemetryConfig = field(default_factory=TelemetryConfig)
    pricing: PricingConfig = field(default_factory=PricingConfig)
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
