"""Sliding-window percentiles (nearest rank), expiry, per-group separation and request rate."""

from __future__ import annotations

import math

import pytest

from daemon.canonical import Usage
from daemon.latency import LatencyWindows, nearest_rank
from daemon.telemetry import DecisionRecord


def test_nearest_rank_definition() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert nearest_rank(values, 50) == 50
    assert nearest_rank(values, 95) == 95
    assert nearest_rank(values, 99) == 99
    assert nearest_rank(values, 100) == 100
    # Wikipedia's worked example: 15, 20, 35, 40, 50.
    small = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert nearest_rank(small, 5) == 15
    assert nearest_rank(small, 30) == 20
    assert nearest_rank(small, 40) == 20
    assert nearest_rank(small, 50) == 35
    assert nearest_rank(small, 100) == 50
    assert nearest_rank([7.0], 99) == 7
    assert nearest_rank([], 50) is None
    # p0 still returns the minimum (rank clamped to 1), never an index error.
    assert nearest_rank(small, 0) == 15


def test_percentiles_on_known_values() -> None:
    windows = LatencyWindows()
    # Added out of order: percentiles come from the sorted window, not arrival order.
    for i, value in enumerate(reversed(range(1, 101))):
        windows.add(
            "medium", "openrouter", float(value), float(value) / 10 if value % 2 else None, now=100 + i
        )
    stats = windows.percentiles("tier", now=200)["medium"]
    assert stats["count"] == 100
    assert stats["latency_ms"] == {"p50": 50.0, "p95": 95.0, "p99": 99.0}
    # 50 TTFT samples: 0.1, 0.3, ..., 9.9. Ranks ceil(25)=25, ceil(47.5)=48, ceil(49.5)=50.
    assert stats["ttft_count"] == 50
    assert stats["ttft_ms"]["p50"] == pytest.approx(4.9)
    assert stats["ttft_ms"]["p95"] == pytest.approx(9.5)
    assert stats["ttft_ms"]["p99"] == pytest.approx(9.9)


def test_no_ttft_gives_none() -> None:
    windows = LatencyWindows()
    windows.add("simple", "ollama", 12.0, None, now=1)
    stats = windows.percentiles("provider", now=1)["ollama"]
    assert stats["count"] == 1 and stats["latency_ms"]["p99"] == 12.0
    assert stats["ttft_count"] == 0 and stats["ttft_ms"] == {"p50": None, "p95": None, "p99": None}


def test_old_samples_expire() -> None:
    windows = LatencyWindows(window_seconds=60)
    windows.add("simple", "ollama", 1000.0, 500.0, now=0)
    windows.add("simple", "ollama", 10.0, 5.0, now=30)
    windows.add("simple", "ollama", 20.0, None, now=50)
    stats = windows.percentiles("tier", now=59)["simple"]
    assert stats["count"] == 3 and stats["latency_ms"]["p99"] == 1000.0
    stats = windows.percentiles("tier", now=61)["simple"]  # the sample at t=0 is out
    assert stats["count"] == 2 and stats["latency_ms"]["p99"] == 20.0
    assert stats["ttft_count"] == 1 and stats["ttft_ms"]["p50"] == 5.0
    # Once everything has expired the key disappears (and its memory with it).
    assert windows.percentiles("tier", now=200) == {}
    assert windows.percentiles("provider", now=200) == {}


def test_memory_is_bounded_per_key() -> None:
    windows = LatencyWindows(window_seconds=1e9, max_samples=100)
    for i in range(1000):
        windows.add("complex", "anthropic", float(i), float(i), now=i)
    stats = windows.percentiles("provider", now=1000)["anthropic"]
    # Only the newest 100 (900..999) are kept: the oldest are evicted first.
    assert stats["count"] == 100 and stats["ttft_count"] == 100
    assert stats["latency_ms"] == {"p50": 949.0, "p95": 994.0, "p99": 998.0}


def test_duplicate_values_expire_one_at_a_time() -> None:
    windows = LatencyWindows(window_seconds=10)
    for t in range(5):
        windows.add("simple", "ollama", 42.0, 42.0, now=t)
    windows.add("simple", "ollama", 1.0, None, now=8)
    stats = windows.percentiles("tier", now=12.5)["simple"]  # t=0,1,2 expired
    assert stats["count"] == 3 and stats["ttft_count"] == 2
    assert stats["latency_ms"]["p50"] == 42.0


def test_reads_between_writes_see_every_change() -> None:
    """Percentiles are sorted when read: a read after an add, an eviction or an expiry sees it."""
    windows = LatencyWindows(window_seconds=10, max_samples=3)
    windows.add("simple", "ollama", 5.0, None, now=0)
    assert windows.percentiles("tier", now=0)["simple"]["latency_ms"]["p99"] == 5.0
    windows.add("simple", "ollama", 1.0, 2.0, now=1)
    stats = windows.percentiles("tier", now=1)["simple"]
    assert stats["count"] == 2 and stats["latency_ms"]["p50"] == 1.0 and stats["ttft_ms"]["p50"] == 2.0
    windows.add("simple", "ollama", 9.0, None, now=2)
    windows.add("simple", "ollama", 7.0, None, now=3)  # evicts the 5.0 (max_samples=3)
    assert windows.percentiles("tier", now=3)["simple"]["latency_ms"] == {"p50": 7.0, "p95": 9.0, "p99": 9.0}
    stats = windows.percentiles("tier", now=11.5)["simple"]  # the 1.0 (t=1) has expired
    assert stats["count"] == 2 and stats["latency_ms"]["p50"] == 7.0 and stats["ttft_count"] == 0


def test_groups_are_separate() -> None:
    windows = LatencyWindows()
    windows.add("simple", "ollama", 10.0, None, now=1)
    windows.add("simple", "groq", 20.0, None, now=1)
    windows.add("complex", "anthropic", 3000.0, 400.0, now=1)
    windows.add("complex", "openrouter", 5000.0, 800.0, now=1)
    by_tier = windows.percentiles("tier", now=2)
    by_provider = windows.percentiles("provider", now=2)
    assert set(by_tier) == {"simple", "complex"}
    assert set(by_provider) == {"ollama", "groq", "anthropic", "openrouter"}
    assert by_tier["simple"]["count"] == 2 and by_tier["simple"]["latency_ms"]["p99"] == 20.0
    assert by_tier["complex"]["latency_ms"]["p50"] == 3000.0
    assert by_provider["groq"]["count"] == 1 and by_provider["groq"]["latency_ms"]["p50"] == 20.0
    with pytest.raises(ValueError):
        windows.percentiles("model", now=2)  # type: ignore[arg-type]


def test_requests_per_second() -> None:
    windows = LatencyWindows()
    assert windows.requests_per_second(now=0) == 0.0
    for i in range(20):  # 20 requests between t=100.0 and t=101.9
        windows.add("simple", "ollama", 5.0, None, now=100 + i / 10)
    windows.tick(now=102.0)  # a rejected request counts toward the rate too
    assert windows.requests_per_second(now=105) == pytest.approx(2.1)
    assert windows.requests_per_second(now=109.9) == pytest.approx(2.1)
    # At t=111 the first second (100.0..100.9) has left the 10 s window.
    assert windows.requests_per_second(now=111) == pytest.approx(1.1)
    assert windows.requests_per_second(now=200) == 0.0
    # Latency samples outlive the rate window: they use the 300 s window.
    assert windows.percentiles("tier", now=200)["simple"]["count"] == 20


def _record(**overrides: object) -> DecisionRecord:
    fields: dict[str, object] = {
        "id": "dec",
        "started_at": 0.0,
        "session": "s",
        "dialect": "anthropic",
        "user_agent": "",
        "requested_model": "m",
        "stream": True,
        "tier": "medium",
        "provider": "openrouter",
        "model": "m",
        "status": 200,
        "latency_ms": 800.0,
        "ttft_ms": 120.0,
        "usage": Usage(),
    }
    fields.update(overrides)
    return DecisionRecord(**fields)  # type: ignore[arg-type]


def test_observe_keeps_failures_out_of_percentiles_but_in_the_rate() -> None:
    windows = LatencyWindows()
    windows.observe(_record(), now=10)
    windows.observe(_record(status=502, latency_ms=5.0, ttft_ms=None), now=10)
    windows.observe(_record(tier="", provider="", status=400, latency_ms=1.0, ttft_ms=None), now=10)
    assert windows.percentiles("tier", now=10) == {
        "medium": {
            "count": 1,
            "latency_ms": {"p50": 800.0, "p95": 800.0, "p99": 800.0},
            "ttft_count": 1,
            "ttft_ms": {"p50": 120.0, "p95": 120.0, "p99": 120.0},
        }
    }
    assert windows.requests_per_second(now=10) == pytest.approx(0.3)
    snapshot = windows.snapshot(now=10)
    assert snapshot["requests_per_second"] == 0.3 and set(snapshot["provider"]) == {"openrouter"}


def test_default_clock_is_monotonic() -> None:
    windows = LatencyWindows()
    windows.add("simple", "ollama", 1.0, None)
    assert windows.percentiles("tier")["simple"]["count"] == 1
    assert math.isclose(windows.requests_per_second(), 0.1)


def test_constructor_validates() -> None:
    with pytest.raises(ValueError):
        LatencyWindows(window_seconds=0)
    with pytest.raises(ValueError):
        LatencyWindows(max_samples=0)
