"""The live event stream behind the control socket's watch endpoint.

``EventBus.publish`` is called from the request path (once per finished
request, on breaker transitions, config reloads...), so it is synchronous,
never blocks and never raises. Each subscriber gets its own bounded queue: a
watcher that stops reading (a suspended terminal, a slow TUI) loses its
oldest events instead of holding memory or slowing requests, and the next
event it does receive says how many it missed (``"dropped": n``).

Every published event is a dict with at least ``type`` (see ``EVENT_TYPES``),
``seq`` (monotonic per bus, so a watcher can also spot gaps itself) and
``time`` (Unix seconds). Events are JSON-safe so the control socket can send
them as NDJSON/SSE lines as they are.

All methods must be called from the event loop's thread: the wake-up uses an
``asyncio.Event``, which is not thread-safe. From another thread, use
``loop.call_soon_threadsafe(bus.publish, event)``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from daemon.telemetry import DecisionRecord

log = logging.getLogger("lynkr.events")

EVENT_TYPES: Final = frozenset({"decision", "breaker", "config", "session"})

Event = dict[str, Any]


class Subscription:
    """One watcher's view of the bus: an async iterator of events, in publish order.

    ``dropped`` is the total number of events this subscription lost to a full queue;
    the first event delivered after a loss carries ``"dropped": n`` for the loss since
    the previous delivery.
    """

    def __init__(self, bus: EventBus, max_queue: int) -> None:
        if max_queue < 1:
            raise ValueError(f"max_queue must be at least 1, not {max_queue}")
        self._bus = bus
        self._queue: deque[Event] = deque()
        self._max_queue = max_queue
        self._wakeup = asyncio.Event()
        self._unreported = 0
        self.dropped = 0
        self.closed = False

    # Called by the bus only; kept cheap since it runs once per subscriber per publish.
    def _put(self, event: Event) -> None:
        if self.closed:
            return
        if len(self._queue) >= self._max_queue:
            self._queue.popleft()
            self.dropped += 1
            self._unreported += 1
        self._queue.append(event)
        self._wakeup.set()

    def _take(self) -> Event:
        event = self._queue.popleft()
        if self._unreported:
            # Events are shared between subscribers: annotate a copy, not the original.
            event = {**event, "dropped": self._unreported}
            self._unreported = 0
        return event

    @property
    def pending(self) -> int:
        """Events queued and not yet read."""
        return len(self._queue)

    def get_nowait(self) -> Event | None:
        """The next queued event, or None when the queue is empty or the subscription is closed."""
        if self.closed or not self._queue:
            return None
        return self._take()

    def close(self) -> None:
        """End the iteration (a pending ``async for`` wakes up and stops) and leave the bus."""
        if self.closed:
            return
        self.closed = True
        self._queue.clear()
        self._wakeup.set()
        self._bus._unsubscribe(self)

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self.closed:
                raise StopAsyncIteration
            if self._queue:
                return self._take()
            self._wakeup.clear()
            await self._wakeup.wait()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    """Fan-out of events to any number of subscribers, each with its own bounded queue."""

    def __init__(self) -> None:
        self._subscribers: list[Subscription] = []
        self._seq = itertools.count(1)

    def subscribe(self, max_queue: int = 1000) -> Subscription:
        subscription = Subscription(self, max_queue)
        self._subscribers.append(subscription)
        return subscription

    def _unsubscribe(self, subscription: Subscription) -> None:
        try:
            self._subscribers.remove(subscription)
        except ValueError:
            pass

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, event: Event) -> None:
        """Stamp ``seq`` (and ``time`` if absent) and queue the event for every subscriber.

        The caller's dict is copied, never modified. Never blocks, never raises.
        """
        try:
            stamped = {**event, "seq": next(self._seq)}
            stamped.setdefault("time", time.time())
            # Iterate over a copy: nothing here should unsubscribe, but a list mutated
            # mid-loop would silently skip a subscriber.
            for subscription in tuple(self._subscribers):
                subscription._put(stamped)
        except Exception:
            log.exception(
                "events: could not publish %r", event.get("type") if isinstance(event, dict) else event
            )

    def close(self) -> None:
        """End every subscription (at shutdown, so watchers' streams finish cleanly)."""
        for subscription in tuple(self._subscribers):
            subscription.close()


# --------------------------------------------------------------------------- event builders


def _ms(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def decision_event(record: DecisionRecord) -> Event:
    """A compact, JSON-safe summary of one finished request for live watchers.

    Fields newer than the first DecisionRecord (cost, provider type, upstream time, stop
    reason) are read with getattr and come out as None when absent or empty. The request
    and response bodies, user agent and router dimensions stay out: they are bulky, and
    watchers that want them fetch the decision by id.
    """
    usage = record.usage
    cost = getattr(record, "cost_usd", None)
    return {
        "type": "decision",
        "id": record.id,
        "time": record.started_at,
        "session": record.session,
        "dialect": record.dialect,
        "requested_model": record.requested_model,
        "stream": record.stream,
        "tier": record.tier,
        "rule": record.rule,
        "score": None if record.score is None else round(float(record.score), 4),
        "override": record.override,
        "provider": record.provider,
        "provider_type": getattr(record, "provider_type", None) or None,
        "model": record.model,
        "status": record.status,
        "error": record.error,
        "latency_ms": _ms(record.latency_ms),
        "ttft_ms": _ms(record.ttft_ms),
        "upstream_ms": _ms(getattr(record, "upstream_ms", None)),
        "stop_reason": getattr(record, "stop_reason", None),
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_tokens": usage.cache_write_tokens,
        "estimated": usage.estimated,
        "cost_usd": None if cost is None else float(cost),
        "hops": [{"provider": h.provider, "model": h.model, "error": h.error} for h in record.hops],
        "cache": getattr(record, "cache", None),
    }


def breaker_event(provider: str, state: str, reason: str | None = None) -> Event:
    """A breaker transition; ``state`` is "closed", "half-open" or "open"."""
    return {"type": "breaker", "provider": provider, "state": state, "reason": reason}


def config_event(ok: bool, source: str | None = None, message: str | None = None) -> Event:
    """A config reload attempt: ``ok`` False means the old config stays in force."""
    return {"type": "config", "ok": ok, "source": source, "message": message}


def session_event(session: str, action: str, **fields: Any) -> Event:
    """A session change, e.g. action="new" or action="tier" with tier=... for a pin."""
    return {"type": "session", "session": session, "action": action, **fields}
