"""Finds, reads and validates the TOML config, applies environment and CLI overrides.

Every problem is collected before anything is raised, so a user fixes a
config in one round rather than one error per restart. Problems name the
dotted key (or ``env:VAR`` / ``--flag``), the value given and what is allowed;
they never repeat a value that may be a secret.

Precedence, lowest first: built-in defaults, provider-type defaults, the file,
the environment, the ``--host``/``--port`` flags.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from daemon.config import env as envmod
from daemon.config.env import BAD, EnvOverrides, choices, describe, find_config_path
from daemon.config.model import (
    SCORERS,
    TIERS,
    Config,
    ConfigError,
    Problem,
    ProviderConfig,
    RoutingConfig,
    ServerConfig,
    Target,
    TierConfig,
)
from daemon.config.sections import (  # noqa: F401  (the key lists are re-exported for tests and docs)
    BREAKER_KEYS,
    CACHE_KEYS,
    MEMORY_KEYS,
    PRICE_FIELDS,
    PRICING_KEYS,
    RELIABILITY_KEYS,
    TELEMETRY_KEYS,
    SectionChecks,
)

if TYPE_CHECKING:  # providers.base imports daemon.config.model: importing it at run time would be circular
    from daemon.providers.base import Provider

ProviderTypes = Mapping[str, "type[Provider]"]

SERVER_KEYS = (
    "host",
    "port",
    "log_level",
    "max_body_mb",
    "shutdown_grace_seconds",
    "api_key_env",
    "admin_token_env",
    "watch_config",
    "keepalive_seconds",
)
ROUTING_KEYS = (
    "scorer",
    "default_tier",
    "base_score",
    "deliberation_split",
    "weights",
    "thresholds",
    "rules",
    "model_map",
)
PROVIDER_KEYS = (
    "type",
    "base_url",
    "api_key_env",
    "headers",
    "connect_timeout",
    "read_timeout",
    "first_byte_timeout",
    "total_timeout",
    "max_connections",
)
TIER_KEYS = ("provider", "model", "fallback", "vision", "context_window")
SECTIONS = (
    "server", "routing", "telemetry", "pricing", "reliability", "cache", "memory", "providers", "tiers",
)  # fmt: skip
SIMULATED = "simulated"

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_TOML_WHERE = re.compile(r"^(?P<msg>.*) \(at (?P<where>line \d+, column \d+|end of document)\)$", re.S)


# --------------------------------------------------------------------------- entry points


def load_config_file(
    explicit: str | Path | None,
    env: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    types: ProviderTypes | None = None,
) -> Config:
    """What the CLI and the daemon call: find the file (if any), then load it."""
    return load_config(find_config_path(explicit, env), env, host=host, port=port, types=types)


def load_config_text(text: str, env: Mapping[str, str] | None = None) -> Config:
    """A whole config given as text (the console's editor, an edited config to replay). It is
    read from a scratch file, so problems name ``<config>`` rather than that file."""
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / "candidate.toml"
        candidate.write_text(text, encoding="utf-8")
        try:
            return load_config(candidate, env)
        except ConfigError as error:
            problems = [Problem(p.key.replace(candidate.name, "<config>"), p.message) for p in error.problems]
            raise ConfigError(problems) from None


def format_problems(error: ConfigError) -> str:
    return "\n".join(str(problem) for problem in error.problems)


# --------------------------------------------------------------------------- loading


def load_config(
    path: Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    types: ProviderTypes | None = None,
) -> Config:
    """Build a validated ``Config`` from ``path`` (None: no file), ``env`` and the CLI flags."""
    env = os.environ if env is None else env
    if types is None:
        from daemon.providers.registry import provider_types  # late: the registry imports every adapter

        types = provider_types()
    path = Path(path) if path is not None else None
    raw = _read_toml(path) if path is not None else {}
    return _Loader(raw, env, types, path).build(host, port)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text (bad byte at offset {exc.start}); TOML files are UTF-8"
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_WHERE.match(str(exc))
        message = f"invalid TOML at {match['where']}: {match['msg']}" if match else f"invalid TOML: {exc}"
    # Keyed by the file's name: callers print the full path (ConfigError.source) above the problems.
    raise ConfigError([Problem(path.name, message)], source=path)


class _Loader(SectionChecks):
    def __init__(self, raw: dict[str, Any], env: Mapping[str, str], types: ProviderTypes, path: Path | None):
        super().__init__()
        self.raw, self.env, self.types, self.path = raw, env, types, path
        self.providers: dict[str, ProviderConfig] = {}
        self.defined: set[str] = set()  # names under [providers], valid or not: a bad one is reported once
        self.failed: set[str] = set()  # bare type names that could not become a provider (reported once)

    # ----------------------------------------------------------------------- the whole config

    def build(self, cli_host: str | None, cli_port: int | None) -> Config:
        for section in self.raw:
            if section not in SECTIONS:
                hint = " (did you mean to put it under [server]?)" if section in SERVER_KEYS else ""
                self.problem(section, f"unknown top-level key{hint}; allowed: {', '.join(SECTIONS)}")
        overrides = envmod.read_env(self.env)
        server = self.server(self.table("server", self.raw.get("server", {})), overrides, cli_host, cli_port)
        routing = self.routing(self.table("routing", self.raw.get("routing", {})))
        telemetry = self.telemetry(self.table("telemetry", self.raw.get("telemetry", {})))
        pricing = self.pricing(self.table("pricing", self.raw.get("pricing", {})))
        reliability = self.reliability(self.table("reliability", self.raw.get("reliability", {})))
        cache = self.cache(self.table("cache", self.raw.get("cache", {})))
        memory = self.memory(self.table("memory", self.raw.get("memory", {})))
        self.exposure(server)
        for name, table in self.table("providers", self.raw.get("providers", {})).items():
            self.defined.add(name)
            if not _NAME.match(name):
                self.problem(f"providers.{name}", f"invalid name {name!r}; use letters, digits, - and _")
                continue
            built = self.provider(name, self.table(f"providers.{name}", table))
            if built is not None:
                self.providers[name] = built
        tiers = self.tiers(self.table("tiers", self.raw.get("tiers", {})), overrides)
        if self.problems:
            raise ConfigError(self.problems, source=self.path)
        used = dict.fromkeys(target.provider for tier in tiers.values() for target in tier.chain())
        simulated_only = all(
            getattr(self.types.get(self.providers[tier.provider].type), "SIMULATED", False)
            or self.providers[tier.provider].type == SIMULATED
            for tier in tiers.values()
        )
        return Config(
            server=server,
            providers=MappingProxyType(self.providers),
            tiers=MappingProxyType(tiers),
            routing=routing,
            telemetry=telemetry,
            pricing=pricing,
            reliability=reliability,
            cache=cache,
            memory=memory,
            source=self.path,
            simulated_only=simulated_only,
            warnings=tuple(envmod.runtime_warnings(self.providers, used, self.types, self.env, server)),
        )

    def server(
        self, table: dict[str, Any], ov: EnvOverrides, cli_host: str | None, cli_port: int | None
    ) -> ServerConfig:
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"server.{name}"
            if name not in SERVER_KEYS:
                self.unknown("server", name, SERVER_KEYS)
            elif name == "host":
                values[name] = self.string(key, value, "a host name or address")
            elif name == "port":
                values[name] = self.port(key, value)
            elif name == "log_level":
                values[name] = self.log_level(key, value)
            elif name in ("max_body_mb", "keepalive_seconds"):
                values[name] = self.number(key, value)
            elif name in ("api_key_env", "admin_token_env"):
                values[name] = self.api_key_env(key, value)
            elif name == "watch_config":
                values[name] = self.flag(key, value)
            else:
                values[name] = self.number(key, value, zero_ok=True)  # 0 = stop without waiting
        if ov.host is not None:
            values["host"] = ov.host.text
        if ov.port is not None:
            text = ov.port.text  # a port in the file must be a TOML integer; env text is always a string
            values["port"] = self.port(ov.port.key, int(text) if text.isdigit() else text)
        if ov.log_level is not None:
            values["log_level"] = self.log_level(ov.log_level.key, ov.log_level.text)
        if cli_host is not None:
            values["host"] = self.string("--host", cli_host, "a host name or address")
        if cli_port is not None:
            values["port"] = self.port("--port", cli_port)
        return ServerConfig(**{k: v for k, v in values.items() if v is not BAD})

    def routing(self, table: dict[str, Any]) -> RoutingConfig:
        defaults = RoutingConfig()
        values: dict[str, Any] = {}
        for name, value in table.items():
            key = f"routing.{name}"
            if name not in ROUTING_KEYS:
                self.unknown("routing", name, ROUTING_KEYS)
            elif name == "scorer":
                if value in SCORERS:
                    values[name] = value
                else:
                    self.problem(key, f"{describe(value)} is not a scorer; {choices(str(value), SCORERS)}")
            elif name == "default_tier":
                if isinstance(value, str) and value in TIERS:
                    values[name] = value
                else:
                    self.problem(key, f"{describe(value)} is not a tier; {choices(str(value), TIERS)}")
            elif name == "base_score":
                values[name] = self.score(key, value)
            elif name == "deliberation_split":
                share = self.number(key, value, zero_ok=True)
                if share is not BAD and share > 1:
                    self.problem(key, f"{describe(value)} is not a share between 0 and 1")
                    share = BAD
                values[name] = share
            elif name == "weights":
                values[name] = self.number_table(key, value, defaults.weights, signed=True)
            elif name == "thresholds":
                values[name] = self.thresholds(key, value, defaults.thresholds)
            elif name == "rules":
                values[name] = self.flag_table(key, value, defaults.rules)
            else:
                values[name] = self.model_map(key, value)
        return RoutingConfig(**{k: v for k, v in values.items() if v is not BAD})

    def exposure(self, server: ServerConfig) -> None:
        """Any address but loopback exposes every provider key to the network: require a proxy key."""
        if server.host in LOOPBACK_HOSTS or self.env.get(server.api_key_env):
            return
        self.problem(
            "server.host",
            f"{server.host} is reachable from other machines, so clients must present a proxy key: "
            f"set {server.api_key_env} (or name another variable with server.api_key_env), or bind 127.0.0.1",
        )

    # ----------------------------------------------------------------------- providers

    def provider(self, name: str, table: dict[str, Any], origin: str | None = None) -> ProviderConfig | None:
        """Validate one provider, None if it has problems. ``origin`` is set for one created from
        a bare type name: its problems are reported at the key where that name was written."""
        key = f"providers.{name}"
        before = len(self.problems)
        type_name = table.get("type")
        if type_name is None:
            self.problem(f"{key}.type", f"missing; every provider needs a type, {choices('', self.types)}")
            return None
        if not isinstance(type_name, str) or type_name not in self.types:
            self.problem(
                f"{key}.type",
                f"unknown provider type {describe(type_name)}; {choices(str(type_name), self.types)}",
            )
            return None  # its options cannot be checked without a type: no flood of "unknown key"
        cls = self.types[type_name]
        spec = cls.OPTIONS
        values: dict[str, Any] = {"base_url": cls.DEFAULT_BASE_URL, "api_key_env": cls.DEFAULT_API_KEY_ENV}
        options: dict[str, Any] = {}
        for field, value in table.items():
            field_key = f"{key}.{field}"
            if field == "type":
                continue
            if field == "base_url":
                values[field] = self.url(field_key, value)
            elif field == "api_key_env":
                values[field] = self.api_key_env(field_key, value)
            elif field == "headers":
                values[field] = self.headers(field_key, value)
            elif field in ("connect_timeout", "read_timeout", "first_byte_timeout"):
                values[field] = self.number(field_key, value)
            elif field == "total_timeout":
                values[field] = self.number(field_key, value, zero_ok=True)  # 0 = no limit
            elif field == "max_connections":
                values[field] = self.number(field_key, value, integer=True)
            elif field in spec:
                options[field] = self.option(field_key, value, spec[field].type)
            else:
                self.unknown(key, field, [*PROVIDER_KEYS, *spec])
        # The environment wins over the file, for every provider of the type.
        url_env = envmod.base_url_override(self.env, cls)
        if url_env is not None:
            values["base_url"] = self.url(url_env.key, url_env.text)
        for option, setting in envmod.option_overrides(self.env, cls).items():
            if option in spec:
                try:
                    options[option] = envmod.convert(setting.text, spec[option].type)
                except ValueError as exc:
                    self.problem(setting.key, f"{setting.text!r} is not valid for option {option!r}: {exc}")
        # Checks only the type knows (an optional package it needs, an option's allowed values).
        check = getattr(cls, "check_options", None)
        if check is not None and len(self.problems) == before:
            for field, message in check(options, self.env):
                self.problem(origin if origin is not None and field == "type" else f"{key}.{field}", message)
        if values["base_url"] is None and cls.REQUIRES_BASE_URL:
            variables = [v for v in cls.BASE_URL_ENV if v not in envmod.SELF_POINTING_ENV]
            where = f", or set {' or '.join(variables)}" if variables else ""
            if origin is None:
                self.problem(
                    f"{key}.base_url",
                    f"missing; type {type_name!r} has no default address: set base_url here{where}",
                )
            else:
                self.problem(
                    origin,
                    f"provider type {type_name!r} needs a base_url: add "
                    f"[providers.{name}] with type = {type_name!r} and base_url{where}",
                )
        if len(self.problems) > before:
            return None
        return ProviderConfig(name=name, type=type_name, options=MappingProxyType(options), **values)

    def reference(self, ref: str, key: str) -> str | None:
        """A provider as a tier names it: a name under [providers], or a bare type name, which
        creates a provider of that name with the type's defaults. None when nothing usable."""
        if ref in self.defined:
            return ref if ref in self.providers else None  # an invalid one was reported where it is defined
        if ref in self.providers:
            return ref
        if ref in self.types and ref not in self.failed:
            built = self.provider(ref, {"type": ref}, origin=key)
            if built is None:
                self.failed.add(ref)
                return None
            self.providers[ref] = built
            return ref
        if ref not in self.failed:
            names = sorted(self.defined)
            self.problem(
                key,
                f"unknown provider {ref!r}; name one defined under [providers] "
                f"({', '.join(names) or 'none defined'}) or a provider type; "
                f"{choices(ref, self.types)}",
            )
        return None

    # ----------------------------------------------------------------------- tiers

    def tiers(self, table: dict[str, Any], ov: EnvOverrides) -> dict[str, TierConfig]:
        specs: dict[str, dict[str, Any]] = {}
        for tier, value in table.items():
            key = f"tiers.{tier}"
            if tier not in TIERS:
                self.problem(key, f"unknown tier; {choices(tier, TIERS)}")
                continue
            if not isinstance(value, dict):
                self.table(key, value)  # reports it; no "missing provider/model" noise on top
                continue
            spec = specs[tier] = {}
            for half, given in value.items():
                if half in ("provider", "model"):
                    text = self.string(f"{key}.{half}", given, f"a {half} name (a non-empty string)")
                    spec[half] = None if text is BAD else (text, f"{key}.{half}")
                elif half == "fallback":
                    spec[half] = self.fallback(f"{key}.fallback", given)
                elif half == "vision":
                    if isinstance(given, bool):
                        spec[half] = given
                    else:
                        self.problem(f"{key}.vision", f"{describe(given)} is not true or false")
                elif half == "context_window":
                    window = self.number(f"{key}.context_window", given, integer=True)
                    if window is not BAD:
                        spec[half] = window
                else:
                    self.unknown(key, half, TIER_KEYS)
        envmod.apply_tier_env(specs, ov, self.problem)
        if not specs:
            return self.simulated()
        resolved: dict[str, TierConfig] = {}
        for tier, spec in specs.items():
            complete = self.complete(tier, spec)
            # Resolve every reference even in an incomplete tier, so all problems show in one round.
            provider = self.reference(*spec["provider"]) if spec.get("provider") else None
            chain = [(self.reference(ref, key), fb) for ref, fb, key in spec.get("fallback") or ()]
            if complete and provider is not None and all(name is not None for name, _ in chain):
                model = spec["model"][0]
                resolved[tier] = TierConfig(
                    tier,
                    provider,
                    model,
                    tuple(Target(n, m) for n, m in chain if n),
                    vision=spec.get("vision"),
                    context_window=spec.get("context_window"),
                )
        if self.problems:
            return {}
        tiers: dict[str, TierConfig] = {}
        for index, tier in enumerate(TIERS):
            # A missing tier is served like the nearest configured one, higher first: a more capable
            # model can answer an easier request, a weaker one may fail a harder one.
            nearest = [*TIERS[index:], *reversed(TIERS[:index])]
            source = next(resolved[t] for t in nearest if t in resolved)
            tiers[tier] = (
                source if source.name == tier else replace(source, name=tier, borrowed_from=source.name)
            )
        return tiers

    def fallback(self, key: str, value: Any) -> list[tuple[str, str, str]] | None:
        if not isinstance(value, list):
            self.problem(key, f'{describe(value)} is not an array of "provider:model" strings')
            return None
        targets: list[tuple[str, str, str]] = []
        for index, item in enumerate(value):
            item_key = f"{key}[{index}]"
            target = envmod.split_target(item) if isinstance(item, str) else None
            if target is None:
                self.problem(item_key, f'{describe(item)} is not "provider:model" (e.g. "ollama:qwen3:8b")')
            else:
                targets.append((*target, item_key))
        return targets

    def complete(self, tier: str, spec: dict[str, Any]) -> bool:
        """Report a tier's missing provider or model where the user can add it."""
        for half, other in (("provider", "model"), ("model", "provider")):
            if half in spec:
                continue  # given (a None slot was given but invalid, and is reported already)
            given = spec.get(other)
            if given is not None and given[1].startswith("env:"):
                var = given[1].removeprefix("env:")
                self.problem(
                    given[1],
                    f"{var} gives the {tier} tier a {other} but it has no {half}; set "
                    f"{tier.upper()}_{half.upper()} (or tiers.{tier}.{half} in the file)",
                )
            else:
                what = "a model name" if half == "model" else "a provider name or a provider type"
                self.problem(f"tiers.{tier}.{half}", f"missing; give {what}")
        return spec.get("provider") is not None and spec.get("model") is not None

    def simulated(self) -> dict[str, TierConfig]:
        """No tier configured anywhere: every tier is served by the built-in simulated provider,
        so a first start works and shows routing before any real provider is set up."""
        existing = self.providers.get(SIMULATED)
        if SIMULATED in self.defined and (existing is None or existing.type != SIMULATED):
            if existing is not None:
                self.problem(
                    f"providers.{SIMULATED}",
                    f"no tier is configured, so every tier uses the "
                    f"built-in provider {SIMULATED!r}, but this one "
                    f"has type {existing.type!r}; configure a tier or "
                    "rename it",
                )
            return {}
        if existing is None:  # a [providers.simulated] of type simulated is kept: it may set latency_ms, ...
            built = self.provider(SIMULATED, {"type": SIMULATED}) if SIMULATED in self.types else None
            self.providers[SIMULATED] = built or ProviderConfig(SIMULATED, SIMULATED)
        return {tier: TierConfig(tier, SIMULATED, f"simulated-{tier}") for tier in TIERS}
