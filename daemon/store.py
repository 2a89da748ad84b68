"""The durable decision store: every request's DecisionRecord in SQLite.

The request path only ever calls ``submit``: synchronous, O(1), never raises;
it snapshots the record into a row on an in-memory buffer. One writer task
drains the buffer in a single transaction every 0.5 s, or as soon as 500 rows
wait, so a crash loses at most the last tick, and a burst of requests costs
one commit (WAL, ``synchronous=NORMAL``: no fsync per commit), not one per row.

The buffer is bounded by the size of the bodies it holds: when it is full a
new submission keeps its row and loses its bodies (``bodies_dropped``). Rows
are ~1 KB, so only a writer stuck for a long time (disk full, file locked)
reaches the last-resort row cap (``rows_dropped``).

Bodies are the client's JSON request and Lynkr's response, zlib-compressed,
in their own table; nothing from a headers mapping is ever stored. Retention
runs on open and every 10 minutes: decisions older than ``retention_days``
go with their bodies, then the oldest bodies go (the decision rows stay)
until the bodies' stored, compressed size is under ``retention_mb``.

Reads use a second connection, so a slow query never holds up the writer
(WAL lets one writer and many readers run at once). Queries flush pending
rows first, so a decision is readable as soon as ``submit`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from daemon.sqlite import open_private
from daemon.store_schema import (
    COLUMNS,
    INSERT_BODY,
    INSERT_DECISION,
    SELECT_COLUMNS,
    Pending,
    body_rows,
    migrate,
    percentiles_of,
    record_row,
    row_dict,
)
from daemon.telemetry import DecisionRecord

log = logging.getLogger("lynkr.store")

FLUSH_INTERVAL = 0.5
FLUSH_ROWS = 500
PRUNE_INTERVAL = 600.0
_MAX_RETRIES = 3  # a batch that fails this many commits in a row is dropped rather than retried forever
_OK = "status BETWEEN 200 AND 399"


class DecisionStore:
    def __init__(
        self,
        path: Path,
        writer: aiosqlite.Connection,
        reader: aiosqlite.Connection,
        *,
        store_bodies: bool,
        retention_days: float,
        retention_mb: float,
        max_pending_body_mb: float,
        max_pending_rows: int,
    ) -> None:
        self.path = path
        self._writer = writer
        self._reader = reader
        self.store_bodies = store_bodies
        self.retention_days = retention_days
        self.retention_mb = retention_mb
        self._max_body_bytes = int(max_pending_body_mb * 1024 * 1024)
        self._max_rows = max_pending_rows
        self._pending: list[Pending] = []
        self._pending_bytes = 0
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()  # one transaction at a time on the writer connection
        self._closing = False
        self._closed = False
        self._failures = 0
        self._task: asyncio.Task[None] | None = None
        # Counters for status output (see stats()) and tests.
        self.rows_written = self.rows_dropped = self.bodies_dropped = self.flushes = self.write_errors = 0
        self.last_flush_ms = 0.0

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        store_bodies: bool = True,
        retention_days: float = 30,
        retention_mb: float = 500,
        max_pending_body_mb: float = 64,
        max_pending_rows: int = 100_000,
    ) -> DecisionStore:
        """Open (creating, 0600) the database, migrate it, prune it, and start the writer.

        ``retention_days`` / ``retention_mb`` <= 0 mean no limit of that kind.
        """
        path = Path(path)
        # auto_vacuum lets prune hand pages back to the file system.
        writer = await open_private(path, first=("PRAGMA auto_vacuum = INCREMENTAL",))
        try:
            await migrate(writer)
            reader = await aiosqlite.connect(path, isolation_level=None)
        except BaseException:
            await writer.close()
            raise
        await reader.execute("PRAGMA busy_timeout = 5000")
        await reader.execute("PRAGMA query_only = ON")
        store = cls(
            path,
            writer,
            reader,
            store_bodies=store_bodies,
            retention_days=retention_days,
            retention_mb=retention_mb,
            max_pending_body_mb=max_pending_body_mb,
            max_pending_rows=max_pending_rows,
        )
        try:
            await store.prune()
        except Exception:
            log.exception("pruning %s on open failed; continuing", path)
        store._task = asyncio.create_task(store._run(), name="lynkr-store-writer")
        return store

    async def close(self) -> None:
        """Write everything still buffered, then close. Later submits are counted as dropped."""
        if self._closed:
            return
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.wait([self._task])  # returns however the task ended, even if it was cancelled
        for _ in range(_MAX_RETRIES):  # a failed flush puts its rows back; give them the usual retries
            if not self._pending:
                break
            await self.flush()
        self.rows_dropped += len(self._pending)
        self._pending, self._closed = [], True
        await self._reader.close()
        await self._writer.close()

    # ------------------------------------------------------------------ writing

    def submit(
        self, record: DecisionRecord, request_body: bytes | None = None, response_body: bytes | None = None
    ) -> None:
        """Queue one decision for writing. Synchronous, never blocks, never raises."""
        try:
            if self._closing:
                self.rows_dropped += 1
                return
            row = record_row(record)
            request = response = None
            if self.store_bodies:  # explicit arguments win over the record's own copies
                request = getattr(record, "request_body", None) if request_body is None else request_body
                response = getattr(record, "response_body", None) if response_body is None else response_body
                request, response = bytes(request) if request else None, bytes(response) if response else None
            size = len(request or b"") + len(response or b"")
            if size and self._pending_bytes + size > self._max_body_bytes:
                request = response = None  # full: shed the bodies, keep the row
                size = 0
                self.bodies_dropped += 1
            if len(self._pending) >= self._max_rows:
                self.rows_dropped += 1
                return
            self._pending.append((row, request, response))
            self._pending_bytes += size
            if len(self._pending) >= FLUSH_ROWS:
                self._wake.set()
        except Exception:
            self.rows_dropped += 1
            log.exception("could not queue decision %s", getattr(record, "id", "?"))

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> int:
        """Write everything buffered in one transaction; returns the number of rows written."""
        async with self._lock:
            if not self._pending or self._closed:
                return 0
            batch, self._pending, self._pending_bytes = self._pending, [], 0
            started = time.perf_counter()
            try:
                # Compressing megabytes of bodies would stall the event loop: a worker thread does it.
                bodies = await asyncio.to_thread(body_rows, batch) if any(r or s for _, r, s in batch) else []
                await self._writer.execute("BEGIN IMMEDIATE")
                try:
                    await self._writer.executemany(INSERT_DECISION, [row for row, _, _ in batch])
                    if bodies:
                        await self._writer.executemany(INSERT_BODY, bodies)
                    await self._writer.commit()
                except BaseException:
                    await self._writer.rollback()
                    raise
            except asyncio.CancelledError:
                # Writer cancelled mid-write (shutdown without close): the rollback above was queued behind
                # the statement in flight, so nothing half-written remains; keep the rows for close().
                self._pending[:0] = batch
                self._pending_bytes += sum(len(r or b"") + len(s or b"") for _, r, s in batch)
                raise
            except Exception:
                self._failed(batch)
                return 0
            self._failures = 0
            self.rows_written += len(batch)
            self.flushes += 1
            self.last_flush_ms = (time.perf_counter() - started) * 1000
            return len(batch)

    def _failed(self, batch: list[Pending]) -> None:
        self.write_errors += 1
        self._failures += 1
        if self._failures >= _MAX_RETRIES:
            log.exception("dropping %d decisions after %d failed writes", len(batch), self._failures)
            self.rows_dropped += len(batch)
            self._failures = 0
            return
        log.warning("writing %d decisions failed; retrying", len(batch), exc_info=True)
        # Back to the front so order is kept; retries carry no bodies, so a retry cannot grow memory.
        self.bodies_dropped += sum(1 for _, r, s in batch if r or s)
        self._pending[:0] = [(row, None, None) for row, _, _ in batch]

    async def _run(self) -> None:
        next_prune = time.monotonic() + PRUNE_INTERVAL
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(FLUSH_INTERVAL):
                    await self._wake.wait()
            self._wake.clear()
            try:
                await self.flush()
                if time.monotonic() >= next_prune and not self._closing:
                    next_prune = time.monotonic() + PRUNE_INTERVAL
                    await self.prune()
            except Exception:  # the writer must outlive any one bad flush or prune
                log.exception("decision store writer")

    # ------------------------------------------------------------------ retention

    async def prune(self, now: float | None = None) -> dict[str, int]:
        """Apply retention; returns how many decisions and bodies were deleted."""
        now = time.time() if now is None else now
        async with self._lock:
            if self._closed:
                return {"decisions": 0, "bodies": 0}
            conn = self._writer
            await conn.execute("BEGIN IMMEDIATE")
            try:
                decisions = bodies = 0
                if self.retention_days > 0:
                    cutoff = now - self.retention_days * 86400
                    cursor = await conn.execute("DELETE FROM bodies WHERE started_at < ?", (cutoff,))
                    bodies = cursor.rowcount
                    cursor = await conn.execute("DELETE FROM decisions WHERE started_at < ?", (cutoff,))
                    decisions = cursor.rowcount
                if self.retention_mb > 0:
                    async with conn.execute("SELECT TOTAL(bytes) FROM bodies") as cursor:
                        row = await cursor.fetchone()
                    excess = (row[0] if row else 0) - self.retention_mb * 1024 * 1024
                    if excess > 0:
                        # Oldest first: a body goes if the bodies older than it do not already cover the
                        # excess. One statement; the covering index bodies_age means no blob is read.
                        cursor = await conn.execute(
                            "DELETE FROM bodies WHERE rowid IN (SELECT rowid FROM (SELECT rowid, bytes,"
                            " SUM(bytes) OVER (ORDER BY started_at, rowid) AS upto FROM bodies)"
                            " WHERE upto - bytes < ?)",
                            (excess,),
                        )
                        bodies += cursor.rowcount
                await conn.commit()
            except BaseException:
                await conn.rollback()
                raise
            if decisions or bodies:
                # Hand freed pages back to the filesystem. The pragma frees one page per step and
                # execute() steps once; executescript() steps statements to the end.
                await conn.executescript("PRAGMA incremental_vacuum;")
                log.info("retention removed %d decisions and %d bodies", decisions, bodies)
            return {"decisions": decisions, "bodies": bodies}

    # ------------------------------------------------------------------ reading

    async def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        if self._pending:
            await self.flush()
        async with self._reader.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def spend_since(self, since: float) -> float:
        """What the decisions started at or after ``since`` cost (unpriced ones add nothing)."""
        rows = await self._fetch(
            "SELECT COALESCE(SUM(cost_usd), 0) FROM decisions WHERE started_at >= ?", (since,)
        )
        return float(rows[0][0])

    async def recent(
        self,
        limit: int = 100,
        *,
        since: float | None = None,
        tier: str | None = None,
        provider: str | None = None,
        session: str | None = None,
        status: str | None = None,
        before_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first (by start time), without bodies. ``status`` is ``ok``, ``error`` or an HTTP
        status code (``499``: clients that left). ``before_id`` pages on from an earlier result."""
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("tier", tier), ("provider", provider), ("session", session)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("started_at >= ?")
            params.append(since)
        if status == "ok":
            where.append(_OK)
        elif status == "error":
            where.append(f"NOT ({_OK})")
        elif status is not None and status.isdigit() and len(status) == 3:
            where.append("status = ?")
            params.append(int(status))
        elif status is not None:
            raise ValueError(f"status must be ok, error or an HTTP status code, not {status!r}")
        if before_id is not None:
            where.append("(started_at, id) < (SELECT started_at, id FROM decisions WHERE id = ?)")
            params.append(before_id)
        sql = f"SELECT {SELECT_COLUMNS} FROM decisions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
        params.append(max(0, min(int(limit), 10_000)))
        return [row_dict(row) for row in await self._fetch(sql, params)]

    async def get(self, decision_id: str) -> dict[str, Any] | None:
        """One decision with its bodies decompressed (``request_body`` / ``response_body``, bytes or None)."""
        rows = await self._fetch(f"SELECT {SELECT_COLUMNS} FROM decisions WHERE id = ?", (decision_id,))
        if not rows:
            return None
        out = row_dict(rows[0])
        sql = "SELECT request, response FROM bodies WHERE decision_id = ?"
        bodies = await self._fetch(sql, (decision_id,))
        return _with_bodies(out, *(bodies[0] if bodies else (None, None)))

    async def with_bodies(self, *, since: float, limit: int = 5000) -> list[dict[str, Any]]:
        """Every decision since ``since`` with its bodies, newest first, in one query (for replay)."""
        columns = ", ".join(f"d.{c}" for c in COLUMNS)
        sql = (
            f"SELECT {columns}, b.request, b.response FROM decisions d "
            "LEFT JOIN bodies b ON b.decision_id = d.id "
            "WHERE d.started_at >= ? ORDER BY d.started_at DESC, d.id DESC LIMIT ?"
        )
        rows = await self._fetch(sql, (since, limit))
        return [_with_bodies(row_dict(row[: len(COLUMNS)]), *row[len(COLUMNS) :]) for row in rows]

    async def sessions_summary(self, limit: int = 100, *, since: float | None = None) -> list[dict[str, Any]]:
        """Per session, most recently active first: requests, errors, tiers used (with counts),
        first/last seen, tokens, and cost (``cost_usd`` sums known costs, None if none is known;
        ``cost_unknown`` counts requests whose cost is unknown)."""
        window = "WHERE started_at >= ?" if since is not None else ""
        params: list[Any] = [since] if since is not None else []
        rows = await self._fetch(
            "SELECT session, COUNT(*), MIN(started_at), MAX(started_at) AS last_seen, SUM(cost_usd),"
            f" SUM(cost_usd IS NULL), SUM(NOT ({_OK})), SUM(input_tokens + cache_read_tokens"
            " + cache_write_tokens), SUM(output_tokens)"
            f" FROM decisions {window} GROUP BY session ORDER BY last_seen DESC LIMIT ?",
            [*params, max(1, min(int(limit), 1000))],  # bounded: the sessions become bind variables below
        )
        names = ("session", "requests", "first_seen", "last_seen", "cost_usd", "cost_unknown", "errors",
                 "input_tokens", "output_tokens")  # fmt: skip
        out = {r[0]: {**dict(zip(names, r, strict=True)), "tiers": {}} for r in rows}
        if out:
            marks = ", ".join("?" * len(out))
            window = "AND started_at >= ?" if since is not None else ""
            for session, tier, count in await self._fetch(
                f"SELECT session, tier, COUNT(*) FROM decisions WHERE session IN ({marks}) {window}"
                " GROUP BY session, tier",
                [*out, *params],
            ):
                out[session]["tiers"][tier] = count
        return list(out.values())

    async def percentiles(
        self, window_seconds: float, group_by: Literal["tier", "provider"], *, now: float | None = None
    ) -> dict[str, dict[str, Any]]:
        """p50/p95/p99 of latency_ms and ttft_ms per tier or provider over the last ``window_seconds``.

        Only successful requests count towards latency (a fast 500 is not a fast answer); ``errors``
        counts the others. Percentiles interpolate linearly between ranks (numpy's default); a group
        with no value for a metric (no successes, or no streams for ttft) has None there.
        """
        if group_by not in ("tier", "provider"):
            raise ValueError(f"group_by must be 'tier' or 'provider', not {group_by!r}")
        now = time.time() if now is None else now
        rows = await self._fetch(
            f"SELECT {group_by}, latency_ms, ttft_ms, {_OK} FROM decisions WHERE started_at >= ?",
            (now - window_seconds,),
        )
        groups: dict[str, tuple[list[float], list[float], list[int]]] = {}
        for key, latency, ttft, ok in rows:
            latencies, ttfts, errors = groups.setdefault(key, ([], [], [0]))
            if not ok:
                errors[0] += 1
                continue
            latencies.append(latency)
            if ttft is not None:
                ttfts.append(ttft)
        return {
            key: {
                "requests": len(latencies) + errors[0],
                "errors": errors[0],
                "latency_ms": percentiles_of(latencies),
                "ttft_ms": percentiles_of(ttfts),
            }
            for key, (latencies, ttfts, errors) in groups.items()
        }

    async def update_quality(self, decision_id: str, quality: int) -> bool:
        """Set a decision's quality (clamped to 0-100); False if no such decision."""
        if self._pending:
            await self.flush()
        async with self._lock:
            if self._closed:
                return False
            cursor = await self._writer.execute(
                "UPDATE decisions SET quality = ? WHERE id = ?", (max(0, min(100, int(quality))), decision_id)
            )
            return cursor.rowcount > 0

    def stats(self) -> dict[str, Any]:
        return {
            "pending": len(self._pending),
            "pending_body_bytes": self._pending_bytes,
            "rows_written": self.rows_written,
            "rows_dropped": self.rows_dropped,
            "bodies_dropped": self.bodies_dropped,
            "flushes": self.flushes,
            "write_errors": self.write_errors,
            "last_flush_ms": round(self.last_flush_ms, 3),
        }


def _with_bodies(item: dict[str, Any], request: bytes | None, response: bytes | None) -> dict[str, Any]:
    item["request_body"] = zlib.decompress(request) if request is not None else None
    item["response_body"] = zlib.decompress(response) if response is not None else None
    return item
