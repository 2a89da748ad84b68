"""The live event bus: fan-out in order, bounded queues that drop the oldest, clean closing."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from daemon.canonical import Usage
from daemon.events import EventBus, breaker_event, config_event, decision_event, session_event
from daemon.telemetry import DecisionRecord, Hop


async def _take(subscription, n: int) -> list[dict]:
    out = []
    async for event in subscription:
        out.append(event)
        if len(out) == n:
            break
    return out


async def test_two_subscribers_receive_everything_in_order() -> None:
    bus = EventBus()
    first, second = bus.subscribe(), bus.subscribe()
    for i in range(50):
        bus.publish({"type": "decision", "n": i})
    got_first = await asyncio.wait_for(_take(first, 50), 1)
    got_second = await asyncio.wait_for(_take(second, 50), 1)
    assert [e["n"] for e in got_first] == list(range(50))
    assert got_first == got_second
    seqs = [e["seq"] for e in got_first]
    assert seqs == sorted(seqs) and len(set(seqs)) == 50
    assert all(isinstance(e["time"], float) and e["type"] == "decision" for e in got_first)
    assert all("dropped" not in e for e in got_first)


async def test_waiting_subscriber_wakes_on_publish() -> None:
    bus = EventBus()
    subscription = bus.subscribe()
    reader = asyncio.create_task(_take(subscription, 3))
    await asyncio.sleep(0)  # let the reader block on an empty queue
    for i in range(3):
        bus.publish({"type": "config", "n": i})
        await asyncio.sleep(0)
    assert [e["n"] for e in await asyncio.wait_for(reader, 1)] == [0, 1, 2]


async def test_slow_subscriber_never_blocks_publish_and_learns_what_it_missed() -> None:
    bus = EventBus()
    slow = bus.subscribe(max_queue=10)
    fast = bus.subscribe(max_queue=1000)
    for i in range(25):
        bus.publish({"type": "decision", "n": i})  # synchronous: returns even though slow never reads
    assert slow.pending == 10
    assert slow.dropped == 15
    got = await asyncio.wait_for(_take(slow, 10), 1)
    # The oldest were dropped; the first event delivered says how many were missed, later ones do not.
    assert [e["n"] for e in got] == list(range(15, 25))
    assert got[0]["dropped"] == 15
    assert all("dropped" not in e for e in got[1:])
    # The shared event was annotated on a copy: the fast subscriber's copy is clean.
    fast_got = await asyncio.wait_for(_take(fast, 25), 1)
    assert [e["n"] for e in fast_got] == list(range(25))
    assert all("dropped" not in e for e in fast_got)
    assert fast.dropped == 0

    # A later loss is reported on its own, not added to the earlier one.
    for i in range(12):
        bus.publish({"type": "decision", "n": 100 + i})
    later = await asyncio.wait_for(_take(slow, 10), 1)
    assert later[0]["dropped"] == 2 and later[0]["n"] == 102
    assert slow.dropped == 17


async def test_closing_a_subscription_ends_its_iterator() -> None:
    bus = EventBus()
    subscription = bus.subscribe()
    other = bus.subscribe()
    assert bus.subscribers == 2

    async def read_all() -> list[dict]:
        return [event async for event in subscription]

    reader = asyncio.create_task(read_all())
    bus.publish({"type": "session", "n": 1})
    await asyncio.sleep(0.01)
    subscription.close()
    # The reader was parked waiting for a second event; close wakes it and the loop ends.
    assert [(e["n"], e["seq"]) for e in await asyncio.wait_for(reader, 1)] == [(1, 1)]
    assert bus.subscribers == 1
    bus.publish({"type": "session", "n": 2})  # nothing queued for a closed subscription
    assert subscription.pending == 0
    assert other.pending == 2
    subscription.close()  # idempotent


async def test_bus_close_ends_every_subscription() -> None:
    bus = EventBus()
    subscriptions = [bus.subscribe() for _ in range(3)]
    readers = [asyncio.create_task(_take(s, 100)) for s in subscriptions]
    await asyncio.sleep(0)
    bus.close()
    assert await asyncio.wait_for(asyncio.gather(*readers), 1) == [[], [], []]
    assert bus.subscribers == 0


async def test_context_manager_closes() -> None:
    bus = EventBus()
    async with bus.subscribe() as subscription:
        bus.publish({"type": "breaker"})
        assert subscription.get_nowait()["type"] == "breaker"
        assert subscription.get_nowait() is None
    assert subscription.closed and bus.subscribers == 0


def test_publish_copies_and_never_raises() -> None:
    bus = EventBus()
    subscription = bus.subscribe()
    event = {"type": "config", "time": 5.0}
    bus.publish(event)
    assert event == {"type": "config", "time": 5.0}  # the caller's dict is not stamped
    assert subscription.get_nowait() == {"type": "config", "time": 5.0, "seq": 1}
    bus.publish(None)  # type: ignore[arg-type]
    bus.publish({"type": "config"})
    # Nothing raised, and the failed publish used no seq, so watchers see no false gap.
    assert subscription.get_nowait()["seq"] == 2


def test_subscribe_rejects_a_zero_queue() -> None:
    with pytest.raises(ValueError):
        EventBus().subscribe(max_queue=0)


async def test_ten_thousand_publishes() -> None:
    bus = EventBus()
    readers = [bus.subscribe() for _ in range(3)]
    idle = bus.subscribe(max_queue=100)
    for i in range(10_000):
        bus.publish({"type": "decision", "n": i})
    for subscription in readers:
        got = await asyncio.wait_for(_take(subscription, 1000), 1)
        assert got[0]["n"] == 9000 and got[0]["dropped"] == 9000
    assert idle.pending == 100 and idle.dropped == 9900


def test_decision_event_is_compact_and_json_safe() -> None:
    record = DecisionRecord(
        id="dec_1",
        started_at=1000.5,
        session="s1",
        dialect="openai_chat",
        user_agent="codex/1",
        requested_model="gpt-5",
        stream=True,
        tier="complex",
        rule="score",
        reasons=("long context",),
        provider="anthropic",
        model="claude-sonnet-4",
        hops=[Hop("openrouter", "x", error="429 rate limited"), Hop("anthropic", "claude-sonnet-4")],
        status=200,
        latency_ms=1234.5678,
        ttft_ms=345.678,
        usage=Usage(input_tokens=10, output_tokens=5, estimated=True),
        score=0.712345,
        dimensions={"code": 0.5},
        cost_usd=0.0125,
        provider_type="anthropic",
    )
    event = decision_event(record)
    assert json.loads(json.dumps(event)) == event
    assert event["type"] == "decision"
    assert event["id"] == "dec_1" and event["time"] == 1000.5
    assert event["latency_ms"] == 1234.6 and event["ttft_ms"] == 345.7
    assert (event["input_tokens"], event["output_tokens"], event["estimated"]) == (10, 5, True)
    assert event["cost_usd"] == 0.0125 and event["provider_type"] == "anthropic"
    assert event["hops"][0] == {"provider": "openrouter", "model": "x", "error": "429 rate limited"}
    assert event["score"] == 0.7123
    # Bulky or sensitive fields stay out of the live stream.
    assert "user_agent" not in event and "dimensions" not in event

    bus = EventBus()
    subscription = bus.subscribe()
    bus.publish(event)
    assert subscription.get_nowait()["time"] == 1000.5  # the record's own time is kept


def test_decision_event_for_a_rejected_request_and_other_builders() -> None:
    record = DecisionRecord(
        id="dec_2",
        started_at=1.0,
        session="",
        dialect="anthropic",
        user_agent="",
        requested_model="",
        stream=False,
        status=400,
        error="bad json",
    )
    event = decision_event(record)
    assert event["cost_usd"] is None and event["provider_type"] is None and event["ttft_ms"] is None
    assert event["status"] == 400 and event["error"] == "bad json" and event["hops"] == []
    assert event["upstream_ms"] is None and event["stop_reason"] is None
    assert breaker_event("groq", "open", "5 failures")["type"] == "breaker"
    assert config_event(True, "/etc/lynkr.toml")["type"] == "config"
    assert session_event("s1", "tier", tier="complex") == {
        "type": "session",
        "session": "s1",
        "action": "tier",
        "tier": "complex",
    }


def test_decision_event_tolerates_records_without_the_newer_fields() -> None:
    """getattr keeps the event builder working against an older record shape."""
    old = SimpleNamespace(
        id="dec_3",
        started_at=2.0,
        session="s",
        dialect="anthropic",
        requested_model="m",
        stream=False,
        tier="simple",
        rule="default",
        score=None,
        override=None,
        provider="ollama",
        model="llama",
        status=200,
        error=None,
        latency_ms=5.0,
        ttft_ms=None,
        usage=Usage(),
        hops=[],
    )
    event = decision_event(old)  # type: ignore[arg-type]
    assert event["cost_usd"] is None and event["provider_type"] is None and event["upstream_ms"] is None
