"""The environment's part of the config, and the value checks it shares with the file.

- ``find_config_path``: which file, from ``--config``, ``LYNKR_CONFIG``, the working
  directory and the XDG config directory.
- ``read_env`` & co.: which variable wins for each override. They only read; the
  loader validates the text with the same ``Checks`` as the file (so LYNKR_PORT=70000
  and ``port = 70000`` get the same answer) and reports it under ``env:VARNAME``.
- ``runtime_warnings``: what the environment lacks (a key variable that is not set).

Empty variables count as unset, so ``LYNKR_PORT= lynkr start`` means "no override"
rather than "port ''".
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from daemon.config.model import TIERS, ConfigError, Problem, ProviderConfig, ServerConfig

SELF_POINTING_ENV = frozenset({"ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"})
"""Never read, whatever a provider type lists in ``BASE_URL_ENV``: clients (Claude Code,
Codex, SDKs) point these at Lynkr itself, so taking them as an upstream's address
would make Lynkr send every request back to itself."""

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def find_config_path(
    explicit: str | Path | None = None, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path | None:
    """``explicit``, ``$LYNKR_CONFIG``, ``./lynkr.toml``, ``$XDG_CONFIG_HOME/lynkr/config.toml``, or None.

    The first two name a file on purpose, so a missing one is an error rather
    than a silent fall-through to defaults. Paths come back absolute so a reload
    after the daemon changed directory reads the same file.
    """
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    for given, key in ((explicit, "--config"), (env.get("LYNKR_CONFIG"), "env:LYNKR_CONFIG")):
        if given is None or not str(given).strip():
            continue
        path = cwd / Path(str(given).strip()).expanduser()
        if not path.is_file():
            state = "is not a file" if path.exists() else "does not exist"
            problem = Problem(key, f"{path} {state}; give the path of a TOML config file")
            raise ConfigError([problem], source=path)
        return path
    local = cwd / "lynkr.toml"
    if local.is_file():
        return local
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative values
        base = Path(xdg)
    elif env.get("HOME"):
        base = Path(env["HOME"]) / ".config"
    else:
        try:
            base = Path.home() / ".config"
        except RuntimeError:  # no HOME and no passwd entry: there is no user config directory
            return None
    user = base / "lynkr" / "config.toml"
    return user if user.is_file() else None


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable's (stripped) text, remembered with its name for problem keys."""

    var: str
    text: str

    @property
    def key(self) -> str:
        return f"env:{self.var}"


@dataclass(frozen=True, slots=True)
class EnvOverrides:
    """The overrides that do not depend on provider types (those are read per type, below)."""

    host: Setting | None = None
    port: Setting | None = None
    log_level: Setting | None = None
    tier_pair: Mapping[str, Setting] = field(default_factory=dict)
    """``TIER_SIMPLE="provider:model"``, the original Lynkr's form."""
    tier_provider: Mapping[str, Setting] = field(default_factory=dict)
    tier_model: Mapping[str, Setting] = field(default_factory=dict)
    model_provider: Setting | None = None
    model_default: Setting | None = None


def get(env: Mapping[str, str], var: str) -> Setting | None:
    text = env.get(var, "").strip()
    return Setting(var, text) if text else None


def first_set(env: Mapping[str, str], variables: tuple[str, ...] | list[str]) -> Setting | None:
    """The first variable that is set and not empty; the variables after it are not read at all,
    so an invalid ``PORT`` does not matter when ``LYNKR_PORT`` is set."""
    for var in variables:
        if var in SELF_POINTING_ENV:
            continue
        setting = get(env, var)
        if setting is not None:
            return setting
    return None


def read_env(env: Mapping[str, str]) -> EnvOverrides:
    pair: dict[str, Setting] = {}
    provider: dict[str, Setting] = {}
    model: dict[str, Setting] = {}
    for tier in TIERS:
        up = tier.upper()
        for found, var in ((pair, f"TIER_{up}"), (provider, f"{up}_PROVIDER"), (model, f"{up}_MODEL")):
            setting = get(env, var)
            if setting is not None:
                found[tier] = setting
    return EnvOverrides(
        host=get(env, "LYNKR_HOST"),
        port=first_set(env, ("LYNKR_PORT", "PORT")),
        log_level=first_set(env, ("LYNKR_LOG_LEVEL", "LOG_LEVEL")),
        tier_pair=pair,
        tier_provider=provider,
        tier_model=model,
        model_provider=get(env, "MODEL_PROVIDER"),
        model_default=get(env, "MODEL_DEFAULT"),
    )


def split_target(text: str) -> tuple[str, str] | None:
    """``"provider:model"`` split on the FIRST colon, since model names carry their own
    (``ollama:qwen2.5:7b`` is ``qwen2.5:7b`` on ``ollama``); None unless both parts are there."""
    provider, sep, model = text.partition(":")
    provider, model = provider.strip(), model.strip()
    return (provider, model) if sep and provider and model else None


def apply_tier_env(
    specs: dict[str, dict[str, Any]], ov: EnvOverrides, problem: Callable[[str, str], None]
) -> None:
    """Layer the environment's tier settings over the file's ``specs``: tier -> {"provider": (value,
    key it came from), "model": (value, key), "fallback": [...]}; a None value was given but is
    invalid (and reported).

    Order: ``TIER_X="provider:model"``, then ``X_PROVIDER``/``X_MODEL`` (either alone changes only
    its half), then ``MODEL_PROVIDER`` for every tier still without a provider, with
    ``MODEL_DEFAULT`` as the model of the tiers it gave a provider to.
    """
    for tier in TIERS:
        pair = ov.tier_pair.get(tier)
        if pair is not None:
            target = split_target(pair.text)
            if target is None:
                problem(pair.key, f'{pair.text!r} is not "provider:model" (e.g. ollama:qwen2.5:7b)')
                specs.setdefault(tier, {}).update(provider=None, model=None)
            else:
                specs.setdefault(tier, {}).update(provider=(target[0], pair.key), model=(target[1], pair.key))
        for half, setting in (("provider", ov.tier_provider.get(tier)), ("model", ov.tier_model.get(tier))):
            if setting is not None:
                specs.setdefault(tier, {})[half] = (setting.text, setting.key)
    if ov.model_provider is None:
        return
    given: list[str] = []
    for tier in TIERS:
        spec = specs.setdefault(tier, {})
        if "provider" not in spec:
            spec["provider"] = (ov.model_provider.text, ov.model_provider.key)
            if "model" not in spec:
                given.append(tier)
    for tier in given:
        # Reported once below rather than as four "missing model" lines.
        specs[tier]["model"] = (ov.model_default.text, ov.model_default.key) if ov.model_default else None
    if given and ov.model_default is None:
        wanted = " / ".join(f"{t.upper()}_MODEL" for t in given)
        problem(
            ov.model_provider.key,
            f"MODEL_PROVIDER={ov.model_provider.text!r} serves tier(s) "
            f"{', '.join(given)} but no model is given for them; "
            f"set MODEL_DEFAULT (or {wanted})",
        )


def base_url_override(env: Mapping[str, str], provider_type: type) -> Setting | None:
    return first_set(env, tuple(getattr(provider_type, "BASE_URL_ENV", ())))


def option_overrides(env: Mapping[str, str], provider_type: type) -> dict[str, Setting]:
    found: dict[str, Setting] = {}
    for option, var in getattr(provider_type, "OPTION_ENV", {}).items():
        setting = get(env, var)
        if setting is not None:
            found[option] = setting
    return found


def type_names(option_type: type | tuple[type, ...]) -> str:
    """``(int, float)`` -> ``"an integer or a number"``, for messages."""
    wanted = option_type if isinstance(option_type, tuple) else (option_type,)
    names = {
        bool: "a boolean (true/false)",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    return " or ".join(names.get(t, t.__name__) for t in wanted)


def convert(text: str, option_type: type | tuple[type, ...]) -> Any:
    """Turn an environment variable's text into a value of ``option_type``; ValueError if it is not one."""
    wanted = option_type if isinstance(option_type, tuple) else (option_type,)
    lowered = text.lower()
    if bool in wanted and lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    if int in wanted:
        try:
            return int(text)
        except ValueError:
            pass
    if float in wanted:
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
    if str in wanted:
        return text
    if list in wanted or dict in wanted:
        # Structured options (a simulated provider's script, ...) come as JSON.
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, wanted) and not isinstance(value, bool):
            return value
    raise ValueError(f"expected {type_names(option_type)}")


# --------------------------------------------------------------------------- value checks

LOG_LEVELS = ("debug", "info", "warning", "error")
BAD = object()
"""What a check returns for a value it rejected (and reported)."""

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 token
_KEY_LIKE = {"api_key", "apikey", "key", "token", "secret", "password"}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::"}


def describe(value: Any) -> str:
    """A value as the user wrote it in TOML, for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def choices(given: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    text = "allowed: " + (", ".join(allowed) if allowed else "(none)")
    close = difflib.get_close_matches(given, allowed, n=1)
    return f"{text}; did you mean {close[0]!r}?" if close else text


class Checks:
    """Collects problems; each check returns the (normalised) value, or ``BAD`` after reporting it."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, key: str, message: str) -> None:
        found = Problem(key, message)
        if found not in self.problems:
            self.problems.append(found)

    def table(self, key: str, value: Any) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.problem(key, f"expected a table ([{key}]), got {describe(value)}")
        return {}

    def unknown(self, key: str, name: str, allowed: Iterable[str]) -> None:
        hint = ""
        if name.lower() in _KEY_LIKE:
            hint = "; keys never go in this file: set api_key_env to the NAME of the variable that holds it"
        self.problem(f"{key}.{name}", f"unknown key{hint}; {choices(name, allowed)}")

    def number(self, key: str, value: Any, *, integer: bool = False, zero_ok: bool = False) -> Any:
        kinds = (int,) if integer else (int, float)
        ok = isinstance(value, kinds) and not isinstance(value, bool) and math.isfinite(value)
        if ok and (value > 0 or (zero_ok and value == 0)):
            return value if integer else float(value)
        wanted = "an integer" if integer else "a number"
        self.problem(key, f"{describe(value)} is not {wanted} {'>= 0' if zero_ok else '> 0'}")
        return BAD

    def string(self, key: str, value: Any, what: str = "a non-empty string") -> Any:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.problem(key, f"{describe(value)} is not {what}")
        return BAD

    def port(self, key: str, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
            return value
        self.problem(key, f"{describe(value)} is not a port number (1-65535)")
        return BAD

    def log_level(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            level = value.strip().lower()
            level = "warning" if level == "warn" else level  # the original Lynkr's LOG_LEVEL spelling
            if level in LOG_LEVELS:
                return level
        self.problem(key, f"{describe(value)} is not a log level; allowed: {', '.join(LOG_LEVELS)}")
        return BAD

    def url(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            parts = urlsplit(value)
            if parts.scheme.lower() in ("http", "https") and parts.netloc:
                return value
        self.problem(key, f"{describe(value)} is not an http:// or https:// URL")
        return BAD

    def api_key_env(self, key: str, value: Any) -> Any:
        if isinstance(value, str) and _ENV_NAME.match(value):
            return value
        # Never echo the value: when it is not a variable name it may well be the key itself.
        self.problem(
            key,
            "api_key_env names an environment variable (e.g. OPENAI_API_KEY), not the key "
            "itself; allowed: upper-case letters, digits and _ (value not repeated here)",
        )
        return BAD

    def headers(self, key: str, value: Any) -> Any:
        if not isinstance(value, dict):
            self.problem(key, f'expected a table of name = "value", got {describe(value)}')
            return BAD
        for name, text in value.items():
            if not _HEADER_NAME.match(name):
                self.problem(f"{key}.{name}", "is not a valid HTTP header name (letters, digits, -, ...)")
            # Values are never echoed: an Authorization header carries a secret.
            elif not isinstance(text, str) or any(c in text for c in "\r\n\0"):
                self.problem(f"{key}.{name}", "the value must be a one-line string (value not repeated here)")
        return MappingProxyType(dict(value))

    def option(self, key: str, value: Any, option_type: type | tuple[type, ...]) -> Any:
        wanted = option_type if isinstance(option_type, tuple) else (option_type,)
        if isinstance(value, bool):  # bool is an int to Python, not to a config
            ok = bool in wanted
        elif isinstance(value, int) and int not in wanted and float in wanted:
            value, ok = float(value), True  # TOML writes 5 for 5.0
        else:
            ok = isinstance(value, wanted)
        if not ok:
            self.problem(key, f"{describe(value)} is not {type_names(option_type)}")
        return value


# --------------------------------------------------------------------------- warnings


def runtime_warnings(
    providers: Mapping[str, ProviderConfig],
    used: Iterable[str],
    types: Mapping[str, type],
    env: Mapping[str, str],
    server: ServerConfig,
) -> list[str]:
    """What will fail at request time without stopping the daemon: a key variable that is not set
    (for the providers a tier uses), a provider pointed at Lynkr itself. Never includes a key."""
    found: list[str] = []
    for name in used:
        provider = providers[name]
        if not getattr(types.get(provider.type), "KEY_REQUIRED", False):
            continue
        if provider.api_key_env is None:
            found.append(
                f"providers.{name}.api_key_env: type {provider.type!r} needs an API key but no "
                f"api_key_env is set; requests to {name} will fail until it is"
            )
        elif not env.get(provider.api_key_env):
            found.append(
                f"providers.{name}.api_key_env: environment variable {provider.api_key_env} "
                f"is not set; requests to {name} will fail until it is"
            )
    for name, provider in providers.items():
        if provider.base_url and _points_at(provider.base_url, server):
            found.append(
                f"providers.{name}.base_url: {provider.base_url} is Lynkr's own address "
                f"({server.host}:{server.port}); requests to {name} would come back to Lynkr"
            )
    return found


def _points_at(url: str, server: ServerConfig) -> bool:
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return port == server.port and (host in _LOCAL_HOSTS or host == server.host.lower())
