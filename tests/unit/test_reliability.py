"""The circuit breaker's state machine, retry backoff and admission control, on a fake clock."""

from __future__ import annotations

import asyncio
import random

import pytest

from daemon.config.model import BreakerConfig, ProviderConfig, ReliabilityConfig
from daemon.errors import ErrorKind, LynkrError, from_upstream_status
from daemon.reliability.admission import Admission
from daemon.reliability.backoff import retry_delay
from daemon.reliability.breaker import Breaker, Breakers, BreakerState, Transition


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def transient(message: str = "HTTP 503") -> LynkrError:
    return from_upstream_status(503, message, provider="p")


SETTINGS = BreakerConfig(
    failures=3, window_seconds=10, error_rate=0.5, min_requests=6, cooldown_seconds=5, close_after=2
)


def test_opens_after_n_failures_in_a_row_and_a_success_or_the_window_resets_the_run() -> None:
    clock = Clock()
    breaker = Breaker("p", SETTINGS, clock)
    breaker.failure("boom")
    breaker.failure("boom")
    breaker.success()  # the run is broken
    breaker.failure("boom")
    breaker.failure("boom")
    assert breaker.state is BreakerState.CLOSED
    clock.now += 11  # the run started outside the window: a new run starts
    breaker.failure("boom")
    assert breaker.state is BreakerState.CLOSED
    breaker.failure("boom")
    moved = breaker.failure("boom")
    assert moved == Transition("p", BreakerState.OPEN, "3 failures in a row")
    assert breaker.allow() == (False, None)


def test_one_failure_in_ten_under_load_does_not_open_it() -> None:
    breaker = Breaker("p", BreakerConfig(failures=5, error_rate=0.5, min_requests=20), Clock())
    for i in range(1000):
        breaker.failure("x") if i % 10 == 0 else breaker.success()
    assert breaker.state is BreakerState.CLOSED


def test_opens_on_error_rate_over_min_requests() -> None:
    breaker = Breaker("p", BreakerConfig(failures=100, error_rate=0.5, min_requests=6), Clock())
    for _ in range(3):
        breaker.success()
    for _ in range(2):
        assert breaker.failure("x") is None  # 2/5: under the minimum volume
    moved = breaker.failure("x")  # 3/6 = 0.5
    assert moved is not None and moved.state is BreakerState.OPEN and "error rate 3/6" in moved.reason


def test_half_open_lets_bounded_probes_through_and_closes_after_successes() -> None:
    clock = Clock()
    breaker = Breaker("p", SETTINGS, clock)
    for _ in range(3):
        breaker.failure("down")
    assert breaker.next_probe_in() == pytest.approx(5)
    clock.now += 5
    allowed, moved = breaker.allow()
    assert allowed and moved is not None and moved.state is BreakerState.HALF_OPEN
    assert breaker.allow() == (False, None)  # one probe at a time
    assert breaker.success() is None  # 1 of 2
    assert breaker.allow()[0]
    closed = breaker.success()
    assert closed is not None and closed.state is BreakerState.CLOSED
    assert breaker.failures_in_window() == 0


def test_a_failed_probe_opens_it_again_for_a_full_cooldown() -> None:
    clock = Clock()
    breaker = Breaker("p", SETTINGS, clock)
    for _ in range(3):
        breaker.failure("down")
    clock.now += 5
    assert breaker.allow()[0]
    moved = breaker.failure("still down")
    assert moved is not None and moved.state is BreakerState.OPEN and "probe failed" in moved.reason
    clock.now += 4.9
    assert not breaker.allow()[0]
    clock.now += 0.2
    assert breaker.allow()[0]


def test_a_probe_that_ends_without_a_verdict_frees_its_slot() -> None:
    clock = Clock()
    breakers = Breakers(SETTINGS, clock=clock)
    for _ in range(3):
        breakers.failure("p", transient())
    clock.now += 5
    assert breakers.allow("p")
    assert not breakers.allow("p")
    breakers.failure("p", LynkrError(ErrorKind.INVALID_REQUEST, "bad request"))  # not the provider's fault
    assert breakers.get("p").state is BreakerState.HALF_OPEN
    assert breakers.allow("p")


@pytest.mark.parametrize(
    ("status", "counts"), [(500, True), (502, True), (529, True), (429, True), (400, False), (404, False)]
)
def test_which_upstream_failures_count(status: int, counts: bool) -> None:
    breakers = Breakers(BreakerConfig(failures=1))
    breakers.failure("p", from_upstream_status(status, "x", provider="p"))
    assert (breakers.get("p").state is BreakerState.OPEN) is counts


def test_transitions_are_reported_and_reset_closes() -> None:
    seen: list[Transition] = []
    breakers = Breakers(BreakerConfig(failures=1), seen.append)
    breakers.failure("p", transient())
    assert [t.state for t in seen] == [BreakerState.OPEN]
    assert breakers.reset("p")
    assert [t.state for t in seen] == [BreakerState.OPEN, BreakerState.CLOSED]
    assert breakers.get("p").state is BreakerState.CLOSED
    assert not breakers.reset("never-seen")


def test_reload_keeps_state_unless_the_provider_entry_changed() -> None:
    breakers = Breakers(BreakerConfig(failures=1))
    old = {"a": ProviderConfig("a", "openai"), "b": ProviderConfig("b", "openai")}
    for name in old:
        breakers.failure(name, transient())
    new = {"a": old["a"], "b": ProviderConfig("b", "openai", base_url="http://elsewhere")}
    breakers.reconfigure(BreakerConfig(failures=2), old, new)
    assert breakers.get("a").state is BreakerState.OPEN  # unchanged entry: still open
    assert breakers.get("a").settings.failures == 2  # but with the new thresholds
    assert breakers.get("b").state is BreakerState.CLOSED  # changed entry: a fresh breaker


def test_snapshot_shape() -> None:
    breakers = Breakers(BreakerConfig(failures=1, cooldown_seconds=30))
    breakers.failure("p", transient("HTTP 503 from upstream"))
    [snap] = breakers.snapshot(["p"])
    assert snap["state"] == "open" and snap["failures"] == 1 and "503" in str(snap["last_error"])
    assert 0 < float(snap["next_probe_in"]) <= 30  # type: ignore[arg-type]


# --------------------------------------------------------------------------- backoff


def test_backoff_is_full_jitter_under_an_exponential_cap() -> None:
    settings = ReliabilityConfig(retries=5, retry_base_ms=100, retry_max_ms=1000)
    rand = random.Random(7)
    for attempt, cap in [(0, 0.1), (1, 0.2), (2, 0.4), (3, 0.8), (4, 1.0)]:
        delays = [retry_delay(attempt, transient(), settings, rand) for _ in range(200)]
        assert all(d is not None and 0 <= d <= cap for d in delays)
        assert max(d for d in delays if d is not None) > cap * 0.8  # it does use the range
    assert retry_delay(5, transient(), settings) is None  # attempts used up


def test_backoff_honours_a_short_retry_after_and_moves_on_from_a_long_one() -> None:
    settings = ReliabilityConfig(retries=2, retry_after_max_seconds=10)
    short = from_upstream_status(429, "slow down", provider="p", retry_after=3)
    long = from_upstream_status(429, "slow down", provider="p", retry_after=60)
    assert retry_delay(0, short, settings) == 3
    assert retry_delay(0, long, settings) is None


def test_only_transient_failures_are_retried() -> None:
    settings = ReliabilityConfig(retries=2)
    assert retry_delay(0, from_upstream_status(401, "bad key", provider="p"), settings) is None
    assert retry_delay(0, from_upstream_status(400, "bad request", provider="p"), settings) is None


# --------------------------------------------------------------------------- admission


async def test_admission_queues_then_sheds() -> None:
    admission = Admission(max_in_flight=2, max_queue=1, queue_timeout=5)
    release = asyncio.Event()
    entered = 0

    async def hold() -> None:
        nonlocal entered
        async with admission.slot():
            entered += 1
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(3)]  # 2 in flight, 1 queued
    await asyncio.sleep(0.01)
    assert entered == 2 and admission.waiting == 1 and admission.overloaded
    with pytest.raises(LynkrError) as info:
        async with admission.slot():
            pass
    assert info.value.kind is ErrorKind.OVERLOADED and info.value.retry_after == 1.0
    release.set()
    await asyncio.gather(*holders)
    assert entered == 3 and admission.waiting == 0 and admission.shed == 1


async def test_admission_queue_timeout_is_an_overload() -> None:
    admission = Admission(max_in_flight=1, max_queue=5, queue_timeout=0.05)
    async with admission.slot():
        with pytest.raises(LynkrError) as info:
            async with admission.slot():
                pass
    assert "no slot freed within 0.05s" in info.value.message
    async with admission.slot():  # the slot is free again
        pass
