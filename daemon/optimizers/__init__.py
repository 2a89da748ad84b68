"""The optimizer stage of the request path: the response cache and long-term memory.

``Optimizers.prepare`` runs after routing: a cache hit answers the request
without a provider (``serve_hit``); otherwise the request that goes to the
provider may carry a memory block. ``after`` (run in a background task once
the answer is out) stores the answer in the cache and extracts memories.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from daemon.canonical import Request, Usage
from daemon.config.model import Config
from daemon.memory import MemoryService
from daemon.optimizers import cache as response_cache
from daemon.optimizers.cache import Entry, ResponseCache, Tape
from daemon.paths import StatePaths
from daemon.telemetry import DecisionRecord

log = logging.getLogger("lynkr.optimizers")

MAX_QUEUED = 10_000


@dataclass(slots=True)
class Plan:
    """What the optimizers decided for one request."""

    request: Request
    """The request to send upstream (the client's, plus a memory block when there is one)."""
    original: Request
    session: str
    key: str | None = None
    hit: Entry | None = None
    tape: Tape | None = None
    project: str = ""
    learn: bool = False
    memory_tokens: int = 0


class Optimizers:
    def __init__(self, cache: ResponseCache | None = None, memory: MemoryService | None = None) -> None:
        self.cache = cache
        self.memory = memory
        # Answers to store and learn from, worked through by one task rather than a task per
        # request: bounded, oldest dropped (and counted) when the daemon is busier than they are.
        self._queue: deque[Plan] = deque(maxlen=MAX_QUEUED)
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.dropped = 0

    @classmethod
    async def open(cls, config: Config, paths: StatePaths) -> Optimizers:
        cache = await ResponseCache.open(paths.state_dir / "cache.db", config.cache)
        try:
            memory = await MemoryService.open(paths.state_dir / "memory.db", config.memory)
        except BaseException:
            await cache.close()
            raise
        return cls(cache, memory)

    async def close(self, wait: float = 5.0) -> None:
        """Let stores still in flight finish (up to ``wait`` seconds), then close both databases."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await self._idle.wait()
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self.cache is not None:
            await self.cache.close()
        if self.memory is not None:
            await self.memory.close()

    async def prepare(
        self, headers: Mapping[str, str], request: Request, config: Config, tier: str, record: DecisionRecord
    ) -> Plan:
        plan = Plan(request, request, record.session)
        cache = self.cache
        if cache is not None and cache.config.enabled:
            if response_cache.bypassed(headers):
                record.cache = "bypass"
                cache.bypasses += 1
            elif response_cache.deterministic(request, cache.config):
                # The key (a hash of the whole request) is only worth computing for a request that
                # may be cached: most traffic is sampled (temperature > 0) and never is.
                chain = [str(t) for t in config.tiers[tier].chain()] if tier in config.tiers else []
                plan.key = response_cache.cache_key(request, tier, chain)
                plan.hit = await cache.get(plan.key)
                record.cache = "hit" if plan.hit is not None else "miss"
                if plan.hit is not None:
                    return plan
                plan.tape = Tape()
        if self.memory is not None and self.memory.wanted(headers):
            plan.request, plan.project, plan.memory_tokens = await self.memory.context(
                headers, request, record.session
            )
            plan.learn, plan.tape = True, plan.tape or Tape()
        return plan

    async def serve_hit(
        self,
        http: web.Request,
        frontend: Any,
        plan: Plan,
        record: DecisionRecord,
        headers: Callable[[DecisionRecord], dict[str, str]],
    ) -> web.StreamResponse:
        assert plan.hit is not None
        answer = plan.hit.response()
        record.provider = record.provider_type = "cache"
        record.model, record.status = plan.hit.model, 200
        record.stop_reason = answer.stop_reason.value
        record.usage = Usage()  # nothing was billed; the client's usage shows the prompt as a cache read
        record.tool_call_ids = tuple(call.id for call in answer.tool_calls())
        return await response_cache.serve(http, frontend, plan.request, plan.hit, headers(record))

    def after(self, plan: Plan, record: DecisionRecord) -> None:
        """Queue the answer to be stored and learned from, off the request path."""
        if plan.tape is None or not plan.tape.complete or record.status != 200 or record.error:
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
        self._queue.append(plan)
        self._idle.clear()
        self._wake.set()
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())

    async def _work(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                await self._store(self._queue.popleft())
            self._idle.set()

    async def _store(self, plan: Plan) -> None:
        try:
            if plan.key is not None and self.cache is not None:
                await self.cache.put(plan.key, plan.tape)  # type: ignore[arg-type]
            if plan.learn and self.memory is not None and plan.tape is not None:
                await self.memory.learn(plan.original, plan.tape.response(), plan.session, plan.project)
        except Exception:  # an optimizer must never break serving; it only loses this one store
            log.exception("storing the answer for session %s failed", plan.session)
