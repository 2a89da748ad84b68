"""What the running daemon holds: the current config and the providers built from it.

``Runtime`` is swapped as a whole (config + providers together) so a request
that started on one config finishes on it, whatever a reload does meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from daemon.config.model import TIERS, Config, Target
from daemon.events import breaker_event
from daemon.optimizers import Optimizers
from daemon.paths import StatePaths
from daemon.providers.base import Provider
from daemon.providers.registry import provider_class
from daemon.reliability.admission import Admission
from daemon.reliability.breaker import Breakers, Transition
from daemon.routing.structure import StructureCache
from daemon.session import SessionStore
from daemon.telemetry import Recorder

log = logging.getLogger("lynkr.state")


class _Users:
    """How many requests hold a runtime, so a reload closes the old one's connections only
    when its last request is done."""

    __slots__ = ("count", "idle")

    def __init__(self) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()


@dataclass(frozen=True, slots=True)
class Runtime:
    config: Config
    providers: Mapping[str, Provider]
    users: _Users = field(default_factory=_Users, compare=False, repr=False)
    chains: dict[str, tuple[tuple[Target, Provider], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def candidates(self, tier: str) -> tuple[tuple[Target, Provider], ...]:
        """Who may answer a request routed to ``tier``, in order: the tier's own chain, then
        (``reliability.escalate``) the higher tiers' chains, cheapest first, then the lower ones,
        nearest first. Escalating first keeps the answer at least as good as the router asked
        for; demoting is the last resort that still answers rather than failing the agent's turn.
        Worked out once per tier and runtime: it is the same for every request."""
        known = self.chains.get(tier)
        if known is not None:
            return known
        config = self.config
        order = [tier]
        if config.reliability.escalate:
            index = TIERS.index(tier)
            order += [*TIERS[index + 1 :], *reversed(TIERS[:index])]
        seen: set[Target] = set()
        chain: list[tuple[Target, Provider]] = []
        for name in order:
            for target in config.tiers[name].chain():
                if target not in seen and target.provider in self.providers:
                    seen.add(target)
                    chain.append((target, self.providers[target.provider]))
        self.chains[tier] = found = tuple(chain)
        return found

    def acquire(self) -> None:
        self.users.count += 1
        self.users.idle.clear()

    def release(self) -> None:
        self.users.count -= 1
        if self.users.count <= 0:
            self.users.idle.set()

    @classmethod
    def build(
        cls, config: Config, env: Mapping[str, str] | None = None, reuse: Runtime | None = None
    ) -> Runtime:
        """Build the providers ``config`` names. With ``reuse`` (a reload), a provider whose entry
        did not change is carried over with its connection pool instead of built again."""
        env = dict(os.environ) if env is None else env
        providers: dict[str, Provider] = {}
        for name, provider_config in config.providers.items():
            if reuse is not None and (old := reuse.providers.get(name)) and old.config == provider_config:
                providers[name] = old
                continue
            cls_ = provider_class(provider_config.type)
            if cls_ is None:  # the loader validated types; this is a programming error
                raise RuntimeError(f"unknown provider type {provider_config.type!r}")
            providers[name] = cls_(provider_config, env)
        return cls(config, MappingProxyType(providers))

    async def close(self, keep: Mapping[str, Provider] | None = None) -> None:
        """Close every provider not carried over into ``keep`` (the runtime that replaced this one)."""
        kept = {id(p) for p in (keep or {}).values()}
        for provider in self.providers.values():
            if id(provider) not in kept:
                await provider.close()


@dataclass(slots=True)
class DaemonState:
    runtime: Runtime
    paths: StatePaths
    url: str
    recorder: Recorder = field(default_factory=Recorder)
    sessions: SessionStore = field(default_factory=SessionStore)
    structure_cache: StructureCache = field(default_factory=StructureCache)
    started_at: float = field(default_factory=time.time)
    background: set[asyncio.Task[Any]] = field(default_factory=set)
    loader: Callable[[Path | None], Config] | None = None
    """Loads the config the way the daemon was started, for hot reload (set by ``serve``)."""
    optimizers: Optimizers = field(default_factory=Optimizers)
    """The response cache and long-term memory (opened by ``serve``; without stores it changes nothing)."""
    breakers: Breakers = field(init=False)
    admission: Admission = field(init=False)
    ready: bool = False
    shutting_down: bool = False

    def __post_init__(self) -> None:
        settings = self.runtime.config.reliability
        self.breakers = Breakers(settings.breaker, self._breaker_moved)
        self.admission = Admission(settings.max_in_flight, settings.max_queue, settings.queue_timeout_seconds)

    def _breaker_moved(self, transition: Transition) -> None:
        log.warning("breaker %s -> %s: %s", transition.provider, transition.state, transition.reason)
        self.recorder.metrics.set_breaker(transition.provider, transition.state.value)
        self.recorder.events.publish(
            breaker_event(transition.provider, transition.state.value, transition.reason)
        )
