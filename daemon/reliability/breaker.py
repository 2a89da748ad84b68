"""A circuit breaker per provider.

closed     every request goes through; outcomes are kept for ``window_seconds``.
open       after ``failures`` failures in a row within the window, or an error rate of at least
           ``error_rate`` over at least ``min_requests`` in the window: the provider is skipped
           until ``cooldown_seconds`` have passed.
half-open  then at most ``half_open_probes`` requests go through at once; ``close_after``
           successes close it, one failure opens it again for another cooldown.

What counts as a failure is the provider's fault and nobody else's: timeouts, connection
errors, 5xx, 529 and 429. A 400 for a malformed request says nothing about the provider's
health and is ignored.

"In a row" matters under load: a provider that fails one request in ten at 300 requests/s
would reach any fixed count within a second, yet it serves nine in ten; the error rate is what
judges a busy provider, the streak a quiet one that went down.

The clock is injected so the state machine is tested without sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from daemon.config.model import BreakerConfig, ProviderConfig
from daemon.errors import LynkrError

Clock = Callable[[], float]


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


def counts_against_provider(error: LynkrError) -> bool:
    """True for failures that say the provider is unwell (not that the request was bad)."""
    return error.transient


@dataclass(frozen=True, slots=True)
class Transition:
    provider: str
    state: BreakerState
    reason: str


class Breaker:
    def __init__(self, provider: str, settings: BreakerConfig, clock: Clock = time.monotonic) -> None:
        self.provider = provider
        self.settings = settings
        self._clock = clock
        self.state = BreakerState.CLOSED
        self._outcomes: deque[tuple[float, bool]] = deque()  # (when, failed) within the window
        self._streak = 0  # failures in a row
        self._streak_started = 0.0
        self.opened_at: float | None = None
        self._probes = 0  # half-open requests in flight
        self._probe_successes = 0
        self.last_error: str | None = None
        self.last_failure_at: float | None = None  # wall-clock, for people
        self.total_failures = 0

    # ------------------------------------------------------------------ questions

    def allow(self) -> tuple[bool, Transition | None]:
        """May a request go to this provider now? Claims a probe slot when half-open."""
        transition = None
        if self.state is BreakerState.OPEN:
            if self._clock() - (self.opened_at or 0.0) < self.settings.cooldown_seconds:
                return False, None
            transition = self._move(BreakerState.HALF_OPEN, "cooldown over: probing")
        if self.state is BreakerState.HALF_OPEN:
            if self._probes >= self.settings.half_open_probes:
                return False, transition
            self._probes += 1
        return True, transition

    def next_probe_in(self) -> float | None:
        if self.state is not BreakerState.OPEN or self.opened_at is None:
            return None
        return max(0.0, self.settings.cooldown_seconds - (self._clock() - self.opened_at))

    def failures_in_window(self) -> int:
        self._trim(self._clock())
        return sum(1 for _, failed in self._outcomes if failed)

    # ------------------------------------------------------------------ outcomes

    def success(self) -> Transition | None:
        now = self._clock()
        if self.state is BreakerState.HALF_OPEN:
            self._probes = max(0, self._probes - 1)
            self._probe_successes += 1
            if self._probe_successes >= self.settings.close_after:
                return self._move(BreakerState.CLOSED, f"{self._probe_successes} probes succeeded")
            return None
        self._streak = 0
        self._record(now, failed=False)
        return None

    def failure(self, message: str) -> Transition | None:
        now = self._clock()
        self.last_error = message[:300]
        self.last_failure_at = time.time()
        self.total_failures += 1
        if self.state is BreakerState.HALF_OPEN:
            self._probes = max(0, self._probes - 1)
            return self._move(BreakerState.OPEN, f"probe failed: {self.last_error}")
        if self.state is BreakerState.OPEN:
            return None  # a request that started before it opened; nothing new to learn
        self._record(now, failed=True)
        s = self.settings
        if self._streak == 0 or now - self._streak_started > s.window_seconds:
            self._streak, self._streak_started = 0, now
        self._streak += 1
        if self._streak >= s.failures:
            return self._move(BreakerState.OPEN, f"{self._streak} failures in a row")
        failures = sum(1 for _, failed in self._outcomes if failed)
        total = len(self._outcomes)
        if total >= s.min_requests and failures / total >= s.error_rate:
            return self._move(BreakerState.OPEN, f"error rate {failures}/{total} in {s.window_seconds:g}s")
        return None

    def release_probe(self) -> None:
        """A half-open request that ended without a verdict (client left, bad request)."""
        if self.state is BreakerState.HALF_OPEN:
            self._probes = max(0, self._probes - 1)

    def reset(self) -> Transition | None:
        if self.state is BreakerState.CLOSED and not self._outcomes:
            return None
        return self._move(BreakerState.CLOSED, "reset by the operator")

    # ------------------------------------------------------------------ internals

    def _record(self, now: float, *, failed: bool) -> None:
        self._outcomes.append((now, failed))
        self._trim(now)

    def _trim(self, now: float) -> None:
        horizon = now - self.settings.window_seconds
        while self._outcomes and self._outcomes[0][0] < horizon:
            self._outcomes.popleft()
        # Bound memory even when the window holds a flood of requests: only the counts matter.
        while len(self._outcomes) > 10_000:
            self._outcomes.popleft()

    def _move(self, state: BreakerState, reason: str) -> Transition:
        self.state = state
        self._probes = 0
        self._probe_successes = 0
        self._streak = 0
        if state is BreakerState.OPEN:
            self.opened_at = self._clock()
        elif state is BreakerState.CLOSED:
            self.opened_at = None
            self._outcomes.clear()
        return Transition(self.provider, state, reason)

    def snapshot(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "state": self.state.value,
            "failures": self.failures_in_window(),
            "total_failures": self.total_failures,
            "last_error": self.last_error,
            "last_failure_at": self.last_failure_at,
            "next_probe_in": None if (n := self.next_probe_in()) is None else round(n, 3),
        }


class Breakers:
    """Every provider's breaker. Lives on the daemon state, not the runtime, so a reload keeps it."""

    def __init__(
        self,
        settings: BreakerConfig,
        on_transition: Callable[[Transition], None] = lambda _t: None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.settings = settings
        self._on_transition = on_transition
        self._clock = clock
        self._breakers: dict[str, Breaker] = {}

    def get(self, provider: str) -> Breaker:
        breaker = self._breakers.get(provider)
        if breaker is None:
            breaker = self._breakers[provider] = Breaker(provider, self.settings, self._clock)
        return breaker

    def allow(self, provider: str) -> bool:
        allowed, transition = self.get(provider).allow()
        self._emit(transition)
        return allowed

    def success(self, provider: str) -> None:
        self._emit(self.get(provider).success())

    def failure(self, provider: str, error: LynkrError) -> None:
        """Count ``error`` if it is the provider's fault; otherwise just free a probe slot."""
        breaker = self.get(provider)
        if counts_against_provider(error):
            self._emit(breaker.failure(error.message))
        else:
            breaker.release_probe()

    def release(self, provider: str) -> None:
        self.get(provider).release_probe()

    def reset(self, provider: str) -> bool:
        if provider not in self._breakers:
            return False
        self._emit(self._breakers[provider].reset())
        return True

    def reconfigure(
        self,
        settings: BreakerConfig,
        old: Mapping[str, ProviderConfig],
        new: Mapping[str, ProviderConfig],
    ) -> None:
        """After a reload: a provider whose entry changed (or is gone) starts afresh; others keep
        their state. New settings apply to every breaker from now on."""
        for name in list(self._breakers):
            if name in new and old.get(name) == new[name]:
                self._breakers[name].settings = settings  # same provider: keep its state
                continue
            breaker = self._breakers.pop(name)
            if breaker.state is not BreakerState.CLOSED and name in new:
                self._emit(Transition(name, BreakerState.CLOSED, "provider entry changed on reload"))
        self.settings = settings

    def snapshot(self, providers: Iterable[str]) -> list[dict[str, object]]:
        return [self.get(name).snapshot() for name in providers]

    def _emit(self, transition: Transition | None) -> None:
        if transition is not None:
            self._on_transition(transition)
