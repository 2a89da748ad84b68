"""Decision store (real SQLite files) and the quality score."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from daemon.canonical import Usage
from daemon.quality import initial_quality, penalise_for_tool_errors
from daemon.store import DecisionStore
from daemon.store_schema import MIGRATIONS
from daemon.telemetry import DecisionRecord, Hop

NOW = float(int(time.time()))  # recent, so retention on open keeps the test rows


def record(n: int = 0, **fields: Any) -> DecisionRecord:
    values: dict[str, Any] = {
        "id": f"dec_{n:06d}",
        "started_at": NOW + n,
        "session": "s1",
        "dialect": "anthropic",
        "user_agent": "claude-cli/2.0",
        "requested_model": "claude-sonnet-4-5",
        "stream": True,
        "tier": "medium",
        "rule": "score",
        "reasons": ("tools", "long context"),
        "provider": "anth",
        "model": "claude-sonnet-4-5",
        "hops": [Hop("oai", "gpt-4.1", "429 rate limited"), Hop("anth", "claude-sonnet-4-5")],
        "status": 200,
        "error": None,
        "latency_ms": 1234.5,
        "ttft_ms": 321.0,
        "usage": Usage(100, 50, 1000, 200, 7, estimated=True),
        "router_us": 85.0,
        "score": 0.42,
        "override": "header",
        "dimensions": {"code": 0.5, "reasoning": 0.25},
        "provider_type": "anthropic",
        "upstream_ms": 1100.0,
        "stop_reason": "tool_use",
        "cost_usd": 0.0123,
        "quality": 90,
    }
    values.update(fields)
    return DecisionRecord(**values)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[DecisionStore]:
    opened = await DecisionStore.open(tmp_path / "lynkr.db")
    yield opened
    await opened.close()


def raw(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Read through an independent connection, as another process would."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# --------------------------------------------------------------------------- writing


async def test_every_field_round_trips(store: DecisionStore) -> None:
    request, response = b'{"model":"claude-sonnet-4-5","messages":[]}', b'{"type":"message"}'
    store.submit(record(1), request, response)
    got = await store.get("dec_000001")
    assert got == {
        "id": "dec_000001", "started_at": NOW + 1, "session": "s1", "dialect": "anthropic",
        "user_agent": "claude-cli/2.0", "requested_model": "claude-sonnet-4-5", "tier": "medium",
        "rule": "score", "override": "header", "score": 0.42, "dimensions": {"code": 0.5, "reasoning": 0.25},
        "reasons": ["tools", "long context"], "provider": "anth", "provider_type": "anthropic",
        "model": "claude-sonnet-4-5",
        "hops": [
            {"provider": "oai", "model": "gpt-4.1", "error": "429 rate limited"},
            {"provider": "anth", "model": "claude-sonnet-4-5", "error": None},
        ],
        "status": 200, "error": None, "stop_reason": "tool_use", "latency_ms": 1234.5, "ttft_ms": 321.0,
        "upstream_ms": 1100.0, "router_us": 85.0, "input_tokens": 100, "output_tokens": 50,
        "cache_read_tokens": 1000, "cache_write_tokens": 200, "reasoning_tokens": 7, "usage_estimated": True,
        "cost_usd": 0.0123, "quality": 90, "stream": True, "cache": None, "request_body": request,
        "response_body": response,
    }  # fmt: skip
    (listed,) = await store.recent()
    assert "request_body" not in listed and "response_body" not in listed
    assert listed == {k: v for k, v in got.items() if not k.endswith("_body")}
    assert await store.get("dec_nope") is None


async def test_file_is_private_and_wal(store: DecisionStore) -> None:
    store.submit(record(1))
    await store.flush()
    for suffix in ("", "-wal", "-shm"):
        path = f"{store.path}{suffix}"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert raw(store.path, "PRAGMA journal_mode") == [("wal",)]
    assert raw(store.path, "PRAGMA user_version") == [(len(MIGRATIONS),)]


async def test_existing_loose_file_is_tightened_and_reopen_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "lynkr.db"
    first = await DecisionStore.open(path)
    first.submit(record(1))
    await first.close()
    os.chmod(path, 0o644)
    second = await DecisionStore.open(path)  # migration is idempotent
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [r["id"] for r in await second.recent()] == ["dec_000001"]
    await second.close()


async def test_bodies_are_compressed_in_their_own_table(store: DecisionStore) -> None:
    body = orjson.dumps({"messages": [{"role": "user", "content": "hello world " * 2000}]})
    store.submit(record(1), body, None)
    await store.flush()
    ((request, response, size),) = raw(store.path, "SELECT request, response, bytes FROM bodies")
    assert response is None and size == len(request) < len(body) / 10
    assert zlib.decompress(request) == body
    got = await store.get("dec_000001")
    assert got is not None and got["request_body"] == body and got["response_body"] is None


async def test_bodies_can_come_from_the_record(store: DecisionStore) -> None:
    store.submit(record(1, request_body=b"{}", response_body=b"[]"))
    got = await store.get("dec_000001")
    assert got is not None and (got["request_body"], got["response_body"]) == (b"{}", b"[]")


async def test_store_bodies_false_stores_none(tmp_path: Path) -> None:
    store = await DecisionStore.open(tmp_path / "x.db", store_bodies=False)
    store.submit(record(1, request_body=b"{}"), b'{"a":1}', b'{"b":2}')
    got = await store.get("dec_000001")
    await store.close()
    assert got is not None and got["request_body"] is None and got["response_body"] is None
    assert raw(tmp_path / "x.db", "SELECT COUNT(*) FROM bodies") == [(0,)]


async def test_many_submits_make_one_flush(store: DecisionStore) -> None:
    for n in range(200):
        store.submit(record(n), b"{}")
    assert store.pending == 200 and store.flushes == 0
    await asyncio.sleep(0.7)  # one writer tick
    assert store.flushes == 1 and store.rows_written == 200 and store.pending == 0
    assert raw(store.path, "SELECT COUNT(*) FROM decisions") == [(200,)]


async def test_500_pending_rows_flush_without_waiting_for_the_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("daemon.store.FLUSH_INTERVAL", 30.0)  # only the row threshold can trigger a flush
    store = await DecisionStore.open(tmp_path / "x.db")
    for n in range(499):
        store.submit(record(n))
    await asyncio.sleep(0.2)
    assert store.rows_written == 0
    store.submit(record(499))
    await asyncio.sleep(0.2)
    assert store.rows_written == 500 and store.flushes == 1
    await store.close()


async def test_close_flushes_everything(tmp_path: Path) -> None:
    store = await DecisionStore.open(tmp_path / "x.db")
    for n in range(30):
        store.submit(record(n), b"{}", b"{}")
    await store.close()
    assert raw(tmp_path / "x.db", "SELECT COUNT(*) FROM decisions") == [(30,)]
    assert raw(tmp_path / "x.db", "SELECT COUNT(*) FROM bodies") == [(30,)]
    store.submit(record(99))  # after close: counted, not raised
    assert store.rows_dropped == 1
    await store.close()  # idempotent


async def test_dead_writer_loses_only_the_last_tick(store: DecisionStore) -> None:
    for n in range(100):
        store.submit(record(n))
    await asyncio.sleep(0.7)
    assert raw(store.path, "SELECT COUNT(*) FROM decisions") == [(100,)]  # visible to another connection
    assert store._task is not None
    store._task.cancel()  # the writer dies without close()
    await asyncio.sleep(0)
    for n in range(100, 110):
        store.submit(record(n))
    await asyncio.sleep(0.7)
    assert raw(store.path, "SELECT COUNT(*) FROM decisions") == [(100,)]
    assert store.pending == 10


def test_process_crash_keeps_everything_but_the_last_tick(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    script = textwrap.dedent(
        f"""
        import asyncio, os, sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from tests.unit.test_store import record
        from daemon.store import DecisionStore

        async def main():
            store = await DecisionStore.open({str(path)!r})
            for n in range(50):
                store.submit(record(n), b'{{"x": 1}}', b'{{}}')
            await asyncio.sleep(0.7)
            for n in range(50, 55):
                store.submit(record(n))
            os._exit(9)  # no close, no checkpoint

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9, result.stderr.decode()
    assert raw(path, "SELECT COUNT(*) FROM decisions") == [(50,)]
    assert raw(path, "SELECT COUNT(*) FROM bodies") == [(50,)]


async def test_full_buffer_drops_bodies_not_rows(tmp_path: Path) -> None:
    store = await DecisionStore.open(tmp_path / "x.db", max_pending_body_mb=10_000 / 1024 / 1024)
    for n in range(20):
        store.submit(record(n), b"x" * 1000, b"y" * 1000)  # 2 KB each against a 10 KB budget
    assert store.pending == 20 and store.bodies_dropped == 15 and store.rows_dropped == 0
    await store.flush()
    for n in range(5):  # room again once flushed
        store.submit(record(100 + n), b"x" * 1000, b"y" * 1000)
    await store.close()
    assert raw(tmp_path / "x.db", "SELECT COUNT(*) FROM decisions") == [(25,)]
    kept = [r[0] for r in raw(tmp_path / "x.db", "SELECT decision_id FROM bodies ORDER BY decision_id")]
    assert kept == [f"dec_{n:06d}" for n in (0, 1, 2, 3, 4, 100, 101, 102, 103, 104)]
    assert store.bodies_dropped == 15


async def test_row_cap_is_the_last_resort(tmp_path: Path) -> None:
    store = await DecisionStore.open(tmp_path / "x.db", max_pending_rows=3)
    for n in range(5):
        store.submit(record(n))
    assert store.pending == 3 and store.rows_dropped == 2
    await store.close()


async def test_submit_never_raises(store: DecisionStore) -> None:
    store.submit(None)  # type: ignore[arg-type]
    store.submit(record(1, dimensions={"x": object()}))  # not JSON-serialisable
    assert store.rows_dropped == 2 and store.pending == 0


async def test_failed_write_is_retried(store: DecisionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    real = store._writer.executemany
    calls = 0

    async def flaky(sql: str, rows: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return await real(sql, rows)

    monkeypatch.setattr(store._writer, "executemany", flaky)
    store.submit(record(1), b"{}")
    assert await store.flush() == 0 and store.write_errors == 1 and store.pending == 1
    assert await store.flush() == 1
    got = await store.get("dec_000001")
    assert got is not None and got["request_body"] is None  # retries travel light


async def test_writer_cancelled_mid_transaction_keeps_the_batch(
    store: DecisionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store._writer.executemany

    async def slow(sql: str, rows: Any) -> Any:
        await asyncio.sleep(0.2)
        return await real(sql, rows)

    monkeypatch.setattr(store._writer, "executemany", slow)
    store.submit(record(1), b"{}")
    flushing = asyncio.create_task(store.flush())
    await asyncio.sleep(0.05)  # inside the transaction: BEGIN done, insert pending
    flushing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await flushing
    assert store.pending == 1 and store.stats()["pending_body_bytes"] == 2
    monkeypatch.setattr(store._writer, "executemany", real)
    assert await store.flush() == 1  # no transaction left open by the cancelled one
    got = await store.get("dec_000001")
    assert got is not None and got["request_body"] == b"{}"


async def test_older_records_without_new_fields(store: DecisionStore) -> None:
    old = SimpleNamespace(
        id="dec_old", started_at=NOW, session="s", dialect="openai", user_agent="", requested_model="m",
        stream=False, tier="low", rule="", reasons=(), provider="p", model="m", hops=[], status=200,
        error=None, latency_ms=5.0, ttft_ms=None, usage=SimpleNamespace(
            input_tokens=1, output_tokens=2, cache_read_tokens=0, cache_write_tokens=0, estimated=False
        ), score=None, override=None, dimensions={},
    )  # fmt: skip
    store.submit(old)  # type: ignore[arg-type]
    got = await store.get("dec_old")
    assert got is not None
    assert (got["provider_type"], got["upstream_ms"], got["cost_usd"], got["quality"]) == (
        "",
        None,
        None,
        None,
    )
    assert (got["stop_reason"], got["router_us"], got["reasoning_tokens"]) == (None, None, 0)


# --------------------------------------------------------------------------- retention


async def test_prune_by_days_takes_rows_and_their_bodies(store: DecisionStore) -> None:
    day = 86400
    store.submit(record(1, started_at=NOW - 40 * day), b"old")
    store.submit(record(2, started_at=NOW - 29 * day), b"kept")
    store.submit(record(3, started_at=NOW), b"new")
    await store.flush()
    assert await store.prune(now=NOW) == {"decisions": 1, "bodies": 1}
    assert [r["id"] for r in await store.recent()] == ["dec_000003", "dec_000002"]
    assert raw(store.path, "SELECT decision_id FROM bodies ORDER BY decision_id") == [
        ("dec_000002",),
        ("dec_000003",),
    ]


async def test_prune_by_size_drops_oldest_bodies_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = await DecisionStore.open(path, retention_mb=50_000 / 1024 / 1024)
    for n in range(10):  # random bytes do not compress: each body stores ~10 KB
        store.submit(record(n, started_at=NOW - 100 + n), os.urandom(10_000))
    await store.flush()
    result = await store.prune(now=NOW)
    assert result["decisions"] == 0 and result["bodies"] == 6
    kept = raw(path, "SELECT decision_id, bytes FROM bodies ORDER BY started_at")
    assert [k for k, _ in kept] == [f"dec_{n:06d}" for n in range(6, 10)]
    assert sum(b for _, b in kept) <= 50_000
    assert len(await store.recent()) == 10  # the decisions stay
    assert raw(path, "PRAGMA freelist_count") == [(0,)]  # pages went back to the filesystem
    await store.close()


async def test_prune_runs_on_open(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    store = await DecisionStore.open(path)
    store.submit(record(1, started_at=time.time() - 3 * 86400))
    store.submit(record(2, started_at=time.time()))
    await store.close()
    store = await DecisionStore.open(path, retention_days=1)
    assert [r["id"] for r in await store.recent()] == ["dec_000002"]
    await store.close()


async def test_writer_prunes_periodically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("daemon.store.PRUNE_INTERVAL", 0.1)
    store = await DecisionStore.open(tmp_path / "x.db", retention_days=1)
    store.submit(record(1, started_at=time.time() - 3 * 86400))
    await asyncio.sleep(0.7)  # a flush tick writes it, a later tick prunes it
    assert raw(tmp_path / "x.db", "SELECT COUNT(*) FROM decisions") == [(0,)]
    await store.close()


# --------------------------------------------------------------------------- queries


async def _populate(store: DecisionStore) -> None:
    rows = [
        record(1, session="a", tier="low", provider="ollama", status=200),
        record(2, session="a", tier="high", provider="anth", status=500, error="boom", cost_usd=None),
        record(3, session="b", tier="low", provider="anth", status=200, cost_usd=0.5),
        record(4, session="b", tier="low", provider="ollama", status=429, cost_usd=None),
        record(5, session="a", tier="medium", provider="anth", status=200, cost_usd=1.0),
    ]
    for row in rows:
        store.submit(row)


async def test_recent_filters_and_order(store: DecisionStore) -> None:
    await _populate(store)

    async def ids(**kw: Any) -> list[int]:
        return [int(r["id"][4:]) for r in await store.recent(**kw)]

    assert await ids() == [5, 4, 3, 2, 1]
    assert await ids(limit=2) == [5, 4]
    assert await ids(tier="low") == [4, 3, 1]
    assert await ids(provider="anth") == [5, 3, 2]
    assert await ids(session="a") == [5, 2, 1]
    assert await ids(status="ok") == [5, 3, 1]
    assert await ids(status="error") == [4, 2]
    assert await ids(since=NOW + 3) == [5, 4, 3]
    assert await ids(before_id="dec_000004") == [3, 2, 1]
    assert await ids(before_id="dec_000004", limit=1) == [3]
    assert await ids(session="a", tier="low", status="ok") == [1]
    assert await ids(before_id="dec_missing") == []
    with pytest.raises(ValueError):
        await store.recent(status="bad")  # type: ignore[arg-type]


async def test_same_start_time_pages_without_gaps(store: DecisionStore) -> None:
    for n in range(6):
        store.submit(record(n, started_at=NOW))
    first = await store.recent(limit=3)
    second = await store.recent(limit=3, before_id=first[-1]["id"])
    assert [r["id"] for r in first + second] == [f"dec_{n:06d}" for n in range(5, -1, -1)]


async def test_sessions_summary(store: DecisionStore) -> None:
    await _populate(store)
    summary = await store.sessions_summary()
    assert [s["session"] for s in summary] == ["a", "b"]
    a, b = summary
    assert (
        a["requests"] == 3 and a["errors"] == 1 and a["last_seen"] == NOW + 5 and a["first_seen"] == NOW + 1
    )
    assert a["tiers"] == {"low": 1, "high": 1, "medium": 1}
    assert a["cost_usd"] == pytest.approx(0.0123 + 1.0) and a["cost_unknown"] == 1
    assert b["tiers"] == {"low": 2} and b["cost_usd"] == 0.5 and b["cost_unknown"] == 1
    assert a["input_tokens"] == 3 * 1300 and a["output_tokens"] == 150
    since = await store.sessions_summary(since=NOW + 4)
    assert [(s["session"], s["requests"], s["tiers"]) for s in since] == [
        ("a", 1, {"medium": 1}),
        ("b", 1, {"low": 1}),
    ]
    assert len(await store.sessions_summary(limit=1)) == 1


async def test_percentiles_on_known_values(store: DecisionStore) -> None:
    now = NOW + 1000
    for n in range(1, 101):
        store.submit(record(n, tier="low", provider="p1", latency_ms=float(n), ttft_ms=None, stream=False))
    store.submit(record(200, tier="low", provider="p1", latency_ms=99999.0, status=502))  # errors excluded
    store.submit(record(201, tier="high", provider="p2", latency_ms=10.0, ttft_ms=4.0))
    store.submit(record(-5000, tier="high", provider="p2", latency_ms=1e6))  # outside the window
    by_tier = await store.percentiles(3600, "tier", now=now)
    assert by_tier["low"] == {
        "requests": 101,
        "errors": 1,
        "latency_ms": {"p50": 50.5, "p95": 95.05, "p99": 99.01},
        "ttft_ms": None,
    }
    assert by_tier["high"]["latency_ms"] == {"p50": 10.0, "p95": 10.0, "p99": 10.0}
    assert by_tier["high"]["ttft_ms"] == {"p50": 4.0, "p95": 4.0, "p99": 4.0}
    assert set(await store.percentiles(3600, "provider", now=now)) == {"p1", "p2"}
    assert await store.percentiles(1, "tier", now=now + 10_000) == {}
    with pytest.raises(ValueError):
        await store.percentiles(60, "model")  # type: ignore[arg-type]


async def test_update_quality(store: DecisionStore) -> None:
    store.submit(record(1, quality=None))
    assert await store.update_quality("dec_000001", 77)  # still buffered: flushed first
    got = await store.get("dec_000001")
    assert got is not None and got["quality"] == 77
    assert await store.update_quality("dec_000001", 150)
    assert (await store.get("dec_000001") or {})["quality"] == 100
    assert not await store.update_quality("dec_missing", 50)


async def test_stats(store: DecisionStore) -> None:
    store.submit(record(1), b"abc")
    assert store.stats()["pending"] == 1 and store.stats()["pending_body_bytes"] == 3
    await store.flush()
    stats = store.stats()
    assert (stats["pending"], stats["rows_written"], stats["flushes"], stats["write_errors"]) == (0, 1, 1, 0)


# --------------------------------------------------------------------------- quality


def test_quality_success_is_100() -> None:
    for stop in ("end_turn", "tool_use", "stop_sequence", None):
        assert initial_quality(200, stop, 1, 500, 1000) == 100


def test_quality_failure_is_0() -> None:
    for status in (0, 400, 429, 499, 500, 502):
        assert initial_quality(status, "end_turn", 1, 10, 1000) == 0


def test_quality_stop_reasons() -> None:
    assert initial_quality(200, "max_tokens", 1, 0, 1000) == 70
    assert initial_quality(200, "model_context_window_exceeded", 1, 0, 1000) == 60
    assert initial_quality(200, "refusal", 1, 0, 1000) == 50
    assert initial_quality(200, "pause_turn", 1, 0, 1000) == 90
    assert initial_quality(200, "something_new", 1, 0, 1000) == 90


def test_quality_fallbacks_capped() -> None:
    assert [initial_quality(200, "end_turn", h, 0, None) for h in (0, 1, 2, 3, 4, 9)] == [
        100,
        100,
        90,
        80,
        70,
        70,
    ]


def test_quality_latency_against_norm() -> None:
    q = [initial_quality(200, "end_turn", 1, ms, 1000) for ms in (1000, 2000, 2500, 4000, 60_000)]
    assert q == [100, 93, 90, 80, 80]
    assert initial_quality(200, "end_turn", 1, 60_000, 0) == 100  # no norm, no penalty
    assert initial_quality(200, "end_turn", 1, 60_000, None) == 100


def test_quality_worst_success_floors_at_0() -> None:
    assert initial_quality(200, "refusal", 9, 1e9, 1) == 0


def test_penalise_for_tool_errors() -> None:
    assert penalise_for_tool_errors(100, 0.0) == 100
    assert penalise_for_tool_errors(100, 1.0) == 50
    assert penalise_for_tool_errors(80, 0.5) == 60
    assert penalise_for_tool_errors(80, 7.0) == 40  # share is clamped
    assert penalise_for_tool_errors(80, -1.0) == 80
    assert penalise_for_tool_errors(0, 1.0) == 0
