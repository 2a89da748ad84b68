"""Checks for the config sections that are plain tables of settings: routing numbers, telemetry,
pricing, reliability, the response cache and memory. ``daemon.config.load`` builds on these and
adds what needs the whole config (providers, tiers, the environment)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from daemon.config.env import BAD, Checks, choices, describe
from daemon.config.model import (
    TIERS,
    BreakerConfig,
    CacheConfig,
    MemoryConfig,
    PricingConfig,
    ReliabilityConfig,
    TelemetryConfig,
)

TELEMETRY_KEYS = ("store_bodies", "retention_days", "retention_mb")
PRICING_KEYS = ("overrides", "baseline")
PRICE_FIELDS = ("input", "output", "cache_read", "cache_write")
RELIABILITY_KEYS = (
    "max_in_flight",
    "max_queue",
    "queue_timeout_seconds",
    "retries",
    "retry_base_ms",
    "retry_max_ms",
    "retry_after_max_seconds",
    "escalate",
    "breaker",
)
BREAKER_KEYS = (
    "failures",
    "window_seconds",
    "error_rate",
    "min_requests",
    "cooldown_seconds",
    "half_open_probes",
    "close_after",
)
_INTEGER_KEYS = ("max_in_flight", "max_queue", "failures", "min_requests", "half_open_probes", "close_after")
CACHE_KEYS = ("enabled", "deterministic_only", "max_entries", "max_mb", "ttl_seconds")
MEMORY_KEYS = (
    "enabled",
    "inject",
    "extract",
    "token_budget",
    "max_injected",
    "max_count",
    "max_age_days",
    "half_life_days",
    "dedupe_threshold",
    "weights",
)


class SectionChecks(Checks):
    """One method per settings section or value shape; each reports problems and returns ``BAD``."""

    def reliability(self, table: dict[str, Any]) -> ReliabilityConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"reliability.{name}"
            if name not in RELIABILITY_KEYS:
                self.unknown("reliability", name, RELIABILITY_KEYS)
            elif name == "escalate":
                values[name] = self.flag(key, value)
            elif name == "breaker":
                values[name] = self.breaker(self.table(key, value))
            elif name == "retries":
                values[name] = self.number(key, value, integer=True, zero_ok=True)
            else:
                values[name] = self.number(key, value, integer=name in _INTEGER_KEYS)
        return ReliabilityConfig(**{k: v for k, v in values.items() if v is not BAD})

    def breaker(self, table: dict[str, Any]) -> BreakerConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"reliability.breaker.{name}"
            if name not in BREAKER_KEYS:
                self.unknown("reliability.breaker", name, BREAKER_KEYS)
            elif name == "error_rate":
                rate = self.number(key, value)
                if rate is not BAD and rate > 1:
                    self.problem(key, f"{describe(value)} is not a share between 0 and 1")
                    rate = BAD
                values[name] = rate
            else:
                values[name] = self.number(key, value, integer=name in _INTEGER_KEYS)
        return BreakerConfig(**{k: v for k, v in values.items() if v is not BAD})

    def cache(self, table: dict[str, Any]) -> CacheConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"cache.{name}"
            if name not in CACHE_KEYS:
                self.unknown("cache", name, CACHE_KEYS)
            elif name in ("enabled", "deterministic_only"):
                values[name] = self.flag(key, value)
            else:  # ttl_seconds = 0: entries never expire
                integer, zero_ok = name == "max_entries", name == "ttl_seconds"
                values[name] = self.number(key, value, integer=integer, zero_ok=zero_ok)
        return CacheConfig(**{k: v for k, v in values.items() if v is not BAD})

    def memory(self, table: dict[str, Any]) -> MemoryConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"memory.{name}"
            if name not in MEMORY_KEYS:
                self.unknown("memory", name, MEMORY_KEYS)
            elif name in ("enabled", "inject", "extract"):
                values[name] = self.flag(key, value)
            elif name == "weights":
                weights = self.number_table(key, value, MemoryConfig().weights, signed=False)
                if any(w < 0 for w in weights.values()):
                    self.problem(key, "every weight must be 0 or more")
                    weights = BAD
                values[name] = weights
            elif name == "dedupe_threshold":
                share = self.number(key, value)
                if share is not BAD and share > 1:
                    self.problem(key, f"{describe(value)} is not a similarity between 0 and 1")
                    share = BAD
                values[name] = share
            elif name == "max_age_days":
                values[name] = self.number(key, value, zero_ok=True)  # 0 = no age limit
            else:
                integer = name in ("token_budget", "max_injected", "max_count")
                values[name] = self.number(key, value, integer=integer)
        return MemoryConfig(**{k: v for k, v in values.items() if v is not BAD})

    def flag(self, key: str, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        self.problem(key, f"{describe(value)} is not true or false")
        return BAD

    def telemetry(self, table: dict[str, Any]) -> TelemetryConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"telemetry.{name}"
            if name not in TELEMETRY_KEYS:
                self.unknown("telemetry", name, TELEMETRY_KEYS)
            elif name == "store_bodies":
                if isinstance(value, bool):
                    values[name] = value
                else:
                    self.problem(key, f"{describe(value)} is not true or false")
            else:
                values[name] = self.number(key, value, zero_ok=True)  # 0 = no limit
        return TelemetryConfig(**{k: v for k, v in values.items() if v is not BAD})

    def pricing(self, table: dict[str, Any]) -> PricingConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"pricing.{name}"
            if name not in PRICING_KEYS:
                self.unknown("pricing", name, PRICING_KEYS)
            elif name == "baseline":
                if isinstance(value, str) and (value in TIERS or ":" in value):
                    values[name] = value
                else:
                    self.problem(key, f'{describe(value)} is not a tier name or "provider:model"')
            else:
                overrides: dict[str, Any] = {}
                for pattern, price in self.table(key, value).items():
                    entry = self.table(f"{key}.{pattern}", price)
                    fields: dict[str, float] = {}
                    for field_name, number in entry.items():
                        if field_name not in PRICE_FIELDS:
                            self.unknown(f"{key}.{pattern}", field_name, PRICE_FIELDS)
                        else:
                            checked = self.number(f"{key}.{pattern}.{field_name}", number, zero_ok=True)
                            if checked is not BAD:
                                fields[field_name] = checked
                    if "input" not in entry or "output" not in entry:
                        self.problem(
                            f"{key}.{pattern}", "a price needs at least input and output (USD per million)"
                        )
                    overrides[pattern] = MappingProxyType(fields)
                values[name] = MappingProxyType(overrides)
        return PricingConfig(**values)

    def score(self, key: str, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
            return float(value)
        self.problem(key, f"{describe(value)} is not a score from 0 to 100")
        return BAD

    def number_table(self, key: str, value: Any, defaults: Mapping[str, float], *, signed: bool) -> Any:
        """Partial tables are merged over the defaults: set only the weights you change."""
        table = self.table(key, value)
        merged = dict(defaults)
        for name, number in table.items():
            if name not in defaults:
                self.unknown(key, name, defaults)
            elif isinstance(number, int | float) and not isinstance(number, bool) and math.isfinite(number):
                merged[name] = float(number)
            else:
                self.problem(f"{key}.{name}", f"{describe(number)} is not a number")
        return MappingProxyType(merged)

    def thresholds(self, key: str, value: Any, defaults: Mapping[str, float]) -> Any:
        merged = self.number_table(key, value, defaults, signed=False)
        if merged is BAD:
            return BAD
        order = [merged["medium"], merged["complex"], merged["reasoning"]]
        if not all(0 <= t <= 100 for t in order) or order != sorted(order):
            self.problem(key, f"medium <= complex <= reasoning, each 0-100; got {order}")
            return BAD
        return merged

    def flag_table(self, key: str, value: Any, defaults: Mapping[str, bool]) -> Any:
        table = self.table(key, value)
        merged = dict(defaults)
        for name, flag in table.items():
            if name not in defaults:
                self.unknown(key, name, defaults)
            elif isinstance(flag, bool):
                merged[name] = flag
            else:
                self.problem(f"{key}.{name}", f"{describe(flag)} is not true or false")
        return MappingProxyType(merged)

    def model_map(self, key: str, value: Any) -> Any:
        table = self.table(key, value)
        mapped: dict[str, str] = {}
        for model, tier in table.items():
            if isinstance(tier, str) and tier in TIERS:
                mapped[model] = tier
            else:
                self.problem(f"{key}.{model}", f"{describe(tier)} is not a tier; {choices(str(tier), TIERS)}")
        return MappingProxyType(mapped)
