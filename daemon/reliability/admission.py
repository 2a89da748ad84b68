"""Load shedding: a bound on requests served at once and on requests waiting for a slot.

Past both bounds a request is refused at once with an overload error (529 for Anthropic
clients, 503 for OpenAI ones, with retry-after), which every SDK already backs off from.
Refusing early is kinder than queueing without bound: memory stays flat and clients learn
to slow down instead of timing out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from daemon.errors import ErrorKind, LynkrError

RETRY_AFTER_SECONDS = 1.0


class Admission:
    def __init__(self, max_in_flight: int, max_queue: int, queue_timeout: float) -> None:
        self.max_in_flight = max_in_flight
        self.max_queue = max_queue
        self.queue_timeout = queue_timeout
        self._slots = asyncio.Semaphore(max_in_flight)
        self.waiting = 0
        self.shed = 0  # refused since start

    @property
    def overloaded(self) -> bool:
        return self.waiting >= self.max_queue

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots.locked():
            if self.waiting >= self.max_queue:
                self.shed += 1
                raise self._overload(f"{self.max_in_flight} requests in flight and {self.waiting} waiting")
            self.waiting += 1
            try:
                async with asyncio.timeout(self.queue_timeout):
                    await self._slots.acquire()
            except TimeoutError:
                self.shed += 1
                raise self._overload(f"no slot freed within {self.queue_timeout:g}s") from None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()

    def _overload(self, why: str) -> LynkrError:
        return LynkrError(
            ErrorKind.OVERLOADED,
            f"Lynkr is overloaded ({why}); retry shortly",
            status=529,
            retry_after=RETRY_AFTER_SECONDS,
        )
