"""What the running daemon holds: the current config and the providers built from it.

``Runtime`` is swapped as a whole (config + providers together) so a request
that started on one config finishes on it, whatever a reload does meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from daemon.config.model import Config
from daemon.paths import StatePaths
from daemon.providers.base import Provider
from daemon.providers.registry import provider_class
from daemon.routing.structure import StructureCache
from daemon.session import SessionStore
from daemon.telemetry import Recorder


@dataclass(frozen=True, slots=True)
class Runtime:
    config: Config
    providers: Mapping[str, Provider]

    @classmethod
    def build(cls, config: Config, env: Mapping[str, str] | None = None) -> Runtime:
        env = dict(os.environ) if env is None else env
        providers: dict[str, Provider] = {}
        for name, provider_config in config.providers.items():
            cls_ = provider_class(provider_config.type)
            if cls_ is None:  # the loader validated types; this is a programming error
                raise RuntimeError(f"unknown provider type {provider_config.type!r}")
            providers[name] = cls_(provider_config, env)
        return cls(config, MappingProxyType(providers))

    async def close(self) -> None:
        for provider in self.providers.values():
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
    ready: bool = False
    shutting_down: bool = False
