"""Sliding-window latency percentiles and request rate, for ``lynkr status`` and the console.

Prometheus histograms answer "how is latency distributed since start-up" in
buckets; the console wants "what are p50/p95/p99 right now", exactly. So
each tier and each provider keeps the samples of the last ``window_seconds``
(at most ``max_samples`` of them, the oldest evicted first, so memory is
bounded per key whatever the traffic) in arrival order (to expire), sorted
when read (to read a percentile by index, no numpy).

Percentiles use the nearest-rank definition: over N sorted samples, the
P-th percentile is the sample at 1-based rank ceil(P/100 * N). It is always a
value that was observed (no interpolation), p100 is the maximum and, for
N < 100, p99 is the maximum too.

Times default to ``time.monotonic()`` (a wall-clock jump must not expire or
resurrect samples); tests pass ``now`` explicitly. Not thread-safe: call it
from the event loop's thread.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from daemon.telemetry import DecisionRecord

PERCENTILES: Final = (50, 95, 99)
RATE_WINDOW_SECONDS: Final = 10.0
# Request-rate buckets: a tenth of a second keeps the 10 s rate exact to within 1% without
# remembering one timestamp per request (at most 100 buckets, whatever the traffic).
# Multiplying by an integer (not ``// 0.1``) keeps bucket edges where one expects them:
# 95.0 // 0.1 is 949.0 in binary floating point.
_RATE_BUCKETS_PER_SECOND: Final = 10
MISSING: Final = "-"

Group = Literal["tier", "provider"]


def nearest_rank(sorted_values: list[float], percentile: float) -> float | None:
    """The nearest-rank percentile of already sorted values (None when there are none)."""
    n = len(sorted_values)
    if n == 0:
        return None
    # ceil(p * n / 100) without float error for integral p: -(-a // b) is ceiling division.
    rank = -(-percentile * n // 100)
    return sorted_values[min(max(int(rank), 1), n) - 1]


class _Window:
    """The samples of one key (one tier or one provider).

    Samples are kept in arrival order only; the sorted copies a percentile is read from are made when
    a reader asks and the samples changed since. Keeping them sorted on every request cost two
    insertions and two deletions in lists of up to ``max_samples`` per request, for a reader that asks
    about once a second.
    """

    __slots__ = ("_sorted", "samples")

    def __init__(self) -> None:
        self.samples: deque[tuple[float, float, float | None]] = deque()  # (time, latency, ttft)
        self._sorted: tuple[list[float], list[float]] | None = None  # (latency, ttft), None: stale

    def add(self, at: float, latency_ms: float, ttft_ms: float | None, max_samples: int) -> None:
        samples = self.samples
        while len(samples) >= max_samples:
            samples.popleft()
        samples.append((at, latency_ms, ttft_ms))
        self._sorted = None

    def expire(self, cutoff: float) -> None:
        samples = self.samples
        if samples and samples[0][0] < cutoff:
            while samples and samples[0][0] < cutoff:
                samples.popleft()
            self._sorted = None

    def sorted(self) -> tuple[list[float], list[float]]:
        """(latency, ttft) of the samples, each in ascending order."""
        if self._sorted is None:
            latency = sorted([s[1] for s in self.samples])
            ttft = sorted([s[2] for s in self.samples if s[2] is not None])
            self._sorted = (latency, ttft)
        return self._sorted

    def summary(self) -> dict[str, Any]:
        latency, ttft = self.sorted()
        return {
            "count": len(latency),
            "latency_ms": {f"p{p}": nearest_rank(latency, p) for p in PERCENTILES},
            "ttft_count": len(ttft),
            "ttft_ms": {f"p{p}": nearest_rank(ttft, p) for p in PERCENTILES},
        }


class LatencyWindows:
    """Per-tier and per-provider sliding windows of latency and TTFT, plus the recent request rate."""

    def __init__(self, window_seconds: float = 300, max_samples: int = 10_000) -> None:
        if window_seconds <= 0:
            raise ValueError(f"window_seconds must be positive, not {window_seconds}")
        if max_samples < 1:
            raise ValueError(f"max_samples must be at least 1, not {max_samples}")
        self.window_seconds = float(window_seconds)
        self.max_samples = max_samples
        self._groups: dict[str, dict[str, _Window]] = {"tier": {}, "provider": {}}
        self._rate: deque[list[int]] = deque()  # [bucket index, count], oldest first

    def add(
        self,
        tier: str,
        provider: str,
        latency_ms: float,
        ttft_ms: float | None,
        now: float | None = None,
    ) -> None:
        """One finished request's latency (and TTFT for streams); it also counts toward the rate."""
        at = time.monotonic() if now is None else now
        cutoff = at - self.window_seconds
        for group, key in (("tier", tier), ("provider", provider)):
            windows = self._groups[group]
            window = windows.get(key or MISSING)
            if window is None:
                window = windows[key or MISSING] = _Window()
            # Expire here too, so memory follows the window even if nobody reads percentiles.
            window.expire(cutoff)
            window.add(at, float(latency_ms), None if ttft_ms is None else float(ttft_ms), self.max_samples)
        self.tick(at)

    def tick(self, now: float | None = None) -> None:
        """Count a request toward the rate without a latency sample (e.g. one rejected before routing)."""
        at = time.monotonic() if now is None else now
        bucket = math.floor(at * _RATE_BUCKETS_PER_SECOND)
        if self._rate and self._rate[-1][0] == bucket:
            self._rate[-1][1] += 1
        else:
            self._rate.append([bucket, 1])
        self._expire_rate(at)

    def observe(self, record: DecisionRecord, now: float | None = None) -> None:
        """Feed one finished request: served ones (a provider answered, status < 400) add a sample;
        the rest only count toward the rate, since a fast rejection would drag percentiles down."""
        if record.provider and 0 < record.status < 400:
            self.add(record.tier, record.provider, record.latency_ms, record.ttft_ms, now)
        else:
            self.tick(now)

    def _expire_rate(self, now: float) -> None:
        # Keep the bucket holding now - 10 s, as the latency windows keep a sample exactly at
        # their cutoff; the rate may thus count up to 0.1 s more than 10 s of traffic.
        oldest = math.floor((now - RATE_WINDOW_SECONDS) * _RATE_BUCKETS_PER_SECOND)
        while self._rate and self._rate[0][0] < oldest:
            self._rate.popleft()

    def percentiles(self, group: Group, now: float | None = None) -> dict[str, dict[str, Any]]:
        """Per key of ``group``: count, p50/p95/p99 of latency_ms, and ttft_count with its p50/p95/p99.

        Keys whose samples have all expired are dropped (and forgotten, so a removed
        provider does not linger). A percentile with no samples is None.
        """
        if group not in self._groups:
            raise ValueError(f"group must be 'tier' or 'provider', not {group!r}")
        at = time.monotonic() if now is None else now
        cutoff = at - self.window_seconds
        windows = self._groups[group]
        result: dict[str, dict[str, Any]] = {}
        for key in list(windows):
            window = windows[key]
            window.expire(cutoff)
            if window.samples:
                result[key] = window.summary()
            else:
                del windows[key]
        return result

    def requests_per_second(self, now: float | None = None) -> float:
        """Requests per second over the last 10 s (to the nearest 0.1 s bucket)."""
        at = time.monotonic() if now is None else now
        self._expire_rate(at)
        return sum(count for _, count in self._rate) / RATE_WINDOW_SECONDS

    def snapshot(self, now: float | None = None) -> dict[str, Any]:
        """Everything at once, for the control socket's status payload."""
        at = time.monotonic() if now is None else now
        return {
            "window_seconds": self.window_seconds,
            "requests_per_second": round(self.requests_per_second(at), 3),
            "tier": self.percentiles("tier", at),
            "provider": self.percentiles("provider", at),
        }
