"""Hot reload: a new config replaces the running one without dropping a request.

Three doors lead here: ``POST /v1/admin/reload`` on the TCP port, the control socket
(``/v1/reload`` re-reads the file, ``/v1/config/apply`` writes a new text first), and the
file watcher. All of them validate first: a config with problems is rejected with every
problem listed, and the old one keeps serving.

What a swap does, in order: build the new runtime (reusing the providers whose entry did
not change, with their connection pools), swap the reference (requests already running
keep the runtime they started with), carry breaker state over for unchanged providers,
then close the old providers once the last request holding the old runtime is done.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from daemon.config.model import Config, ConfigError
from daemon.events import config_event
from daemon.reliability.admission import Admission
from daemon.state import DaemonState, Runtime

log = logging.getLogger("lynkr.reload")

Loader = Callable[[Path | None], Config]
"""Loads a config from a path with the daemon's own environment and command-line flags."""

# Settings read once at start-up (sockets bound, apps built): a change needs a restart.
_STARTUP_ONLY = ("host", "port", "max_body_mb", "keepalive_seconds", "api_key_env", "admin_token_env")


@dataclass(slots=True)
class ReloadResult:
    applied: bool
    source: str | None
    problems: list[dict[str, str]] = field(default_factory=list)
    restart_needed: list[str] = field(default_factory=list)
    """Keys that changed but only take effect after a restart."""
    tiers: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "source": self.source,
            "problems": self.problems,
            "restart_needed": self.restart_needed,
            "tiers": self.tiers,
        }


def problems_of(error: ConfigError, shown_as: str | None = None) -> list[dict[str, str]]:
    """Problems as JSON; ``shown_as`` replaces a temporary file's name in the keys."""
    found = []
    for problem in error.problems:
        key = problem.key
        if shown_as and error.source is not None:
            key = key.replace(error.source.name, shown_as)
        found.append({"key": key, "message": problem.message})
    return found


async def reload_from_disk(
    state: DaemonState, loader: Loader, reason: str, *, only_if_changed: bool = False
) -> ReloadResult | None:
    """Re-read the config file. With ``only_if_changed`` (the watcher), a file that loads to the
    running config (our own apply writing it, an editor touching it) is not applied again."""
    source = state.runtime.config.source
    try:
        config = loader(source)
    except ConfigError as error:
        return _rejected(state, str(source) if source else None, problems_of(error), reason)
    if only_if_changed and config == state.runtime.config:
        return None
    return await swap(state, config, reason)


async def apply_text(state: DaemonState, loader: Loader, text: str) -> ReloadResult:
    """Validate ``text`` as a whole config; if it is valid, write it over the config file
    (atomically, so the watcher never sees half a file) and swap to it."""
    source = state.runtime.config.source
    if source is None:
        return ReloadResult(
            applied=False,
            source=None,
            problems=[
                {
                    "key": "<config>",
                    "message": "this daemon started without a config file, so there is nothing to write "
                    "to; start it with --config FILE (or LYNKR_CONFIG) to edit its config",
                }
            ],
        )
    candidate = _write_temp(source, text)
    try:
        try:
            config = loader(candidate)
        except ConfigError as error:
            return _rejected(state, str(source), problems_of(error, shown_as=source.name), "apply")
        os.replace(candidate, source)
    finally:
        candidate.unlink(missing_ok=True)
    return await swap(state, _with_source(config, source), "apply")


async def swap(state: DaemonState, config: Config, reason: str) -> ReloadResult:
    old = state.runtime
    new = Runtime.build(config, reuse=old)
    restart = [
        f"server.{name}"
        for name in _STARTUP_ONLY
        if getattr(old.config.server, name) != getattr(config.server, name)
    ]
    state.runtime = new
    state.breakers.reconfigure(config.reliability.breaker, old.config.providers, config.providers)
    _reshape_admission(state, config)
    state.recorder.reconfigure(config)
    _reconfigure_optimizers(state, config)
    if old.providers is not new.providers:
        state.background.add(asyncio.get_running_loop().create_task(_retire(old, new)))
    source = str(config.source) if config.source else None
    message = f"{reason}: config applied" + (f"; restart for {', '.join(restart)}" if restart else "")
    log.info("%s (%s)", message, source or "built-in defaults")
    state.recorder.events.publish(config_event(True, source, message))
    return ReloadResult(True, source, restart_needed=restart, tiers=config.tier_map())


def _rejected(
    state: DaemonState, source: str | None, problems: list[dict[str, str]], reason: str
) -> ReloadResult:
    summary = "; ".join(f"{p['key']}: {p['message']}" for p in problems)
    log.warning("%s: config rejected, the running one keeps serving: %s", reason, summary)
    state.recorder.events.publish(config_event(False, source, f"{reason}: rejected: {summary}"))
    return ReloadResult(False, source, problems=problems)


def _reconfigure_optimizers(state: DaemonState, config: Config) -> None:
    """The cache and memory switches, budgets, weights and bounds apply from the next request;
    their databases stay open (they hold what was learned and cached)."""
    optimizers = state.optimizers
    if optimizers.cache is not None:
        optimizers.cache.config = config.cache
    if optimizers.memory is not None:
        optimizers.memory.config = config.memory
        store = optimizers.memory.store
        store.max_count = config.memory.max_count
        store.max_age_days = config.memory.max_age_days
        store.dedupe_threshold = config.memory.dedupe_threshold


def _reshape_admission(state: DaemonState, config: Config) -> None:
    """New bounds take a new gate; requests holding a slot of the old one release it there."""
    settings = config.reliability
    current = state.admission
    wanted = (settings.max_in_flight, settings.max_queue, settings.queue_timeout_seconds)
    if (current.max_in_flight, current.max_queue, current.queue_timeout) != wanted:
        state.admission = Admission(*wanted)


async def _retire(old: Runtime, new: Runtime) -> None:
    """Close what the old runtime owned once no request uses it (never what the new one kept)."""
    await old.users.idle.wait()
    await old.close(keep=new.providers)


def _write_temp(target: Path, text: str) -> Path:
    """A sibling temporary file, so ``os.replace`` onto ``target`` is atomic."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".toml", dir=target.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o600
    os.chmod(name, mode)
    return Path(name)


def _with_source(config: Config, source: Path) -> Config:
    """The config was loaded from the temporary file; it now lives at ``source``."""
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    values["source"] = source
    return Config(**values)


async def watch(state: DaemonState, loader: Loader, stop: asyncio.Event) -> None:
    """Reload when the config file changes on disk (editors replace files, so the directory
    is watched and events are filtered by name). Debounced by watchfiles."""
    import watchfiles

    source = state.runtime.config.source
    if source is None:
        return
    target = str(source.resolve())
    # Editors replace files rather than write them, so the directory is watched; the filter keeps
    # this file's events (the directory is resolved, so its events carry resolved paths).
    async for _changes in watchfiles.awatch(
        Path(target).parent,
        watch_filter=lambda _change, path: path == target,
        stop_event=stop,
        debounce=300,
        recursive=False,
    ):
        await reload_from_disk(state, loader, "file changed", only_if_changed=True)
