"""Schema, migrations, the record <-> row mapping and row arithmetic of the decision store.

Kept apart from ``daemon.store`` so the writer's control flow reads on its own
and a schema change is one place: add a step to ``MIGRATIONS``, never edit a
released one (``PRAGMA user_version`` records how far a file has come).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from typing import Any

import aiosqlite
import orjson

from daemon.telemetry import DecisionRecord

# Version 1. Bodies live in their own table so that listing and aggregating decisions never pages
# through megabytes of compressed JSON; ``bodies.started_at`` and ``bytes`` are copies that let retention
# find the oldest bodies and their total size from one covering index, without touching the blobs.
_V1 = (
    """
    CREATE TABLE decisions (
        id                 TEXT PRIMARY KEY,
        started_at         REAL NOT NULL,
        session            TEXT NOT NULL DEFAULT '',
        dialect            TEXT NOT NULL DEFAULT '',
        user_agent         TEXT NOT NULL DEFAULT '',
        requested_model    TEXT NOT NULL DEFAULT '',
        tier               TEXT NOT NULL DEFAULT '',
        rule               TEXT NOT NULL DEFAULT '',
        override           TEXT,
        score              REAL,
        dimensions         TEXT NOT NULL DEFAULT '{}',
        reasons            TEXT NOT NULL DEFAULT '[]',
        provider           TEXT NOT NULL DEFAULT '',
        provider_type      TEXT NOT NULL DEFAULT '',
        model              TEXT NOT NULL DEFAULT '',
        hops               TEXT NOT NULL DEFAULT '[]',
        status             INTEGER NOT NULL DEFAULT 0,
        error              TEXT,
        stop_reason        TEXT,
        latency_ms         REAL NOT NULL DEFAULT 0,
        ttft_ms            REAL,
        upstream_ms        REAL,
        router_us          REAL,
        input_tokens       INTEGER NOT NULL DEFAULT 0,
        output_tokens      INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
        usage_estimated    INTEGER NOT NULL DEFAULT 0,
        cost_usd           REAL,
        quality            INTEGER,
        stream             INTEGER NOT NULL DEFAULT 0
    )
    """,
    # (column, started_at) serves both the filter and the newest-first order of ``recent``.
    "CREATE INDEX decisions_started ON decisions (started_at, id)",
    "CREATE INDEX decisions_session ON decisions (session, started_at)",
    "CREATE INDEX decisions_tier ON decisions (tier, started_at)",
    "CREATE INDEX decisions_provider ON decisions (provider, started_at)",
    """
    CREATE TABLE bodies (
        decision_id TEXT NOT NULL UNIQUE,
        started_at  REAL NOT NULL,
        bytes       INTEGER NOT NULL,
        request     BLOB,
        response    BLOB
    )
    """,
    "CREATE INDEX bodies_age ON bodies (started_at, bytes)",
)

# Version 2: the response cache's outcome per decision (hit, miss, bypass; NULL when not cacheable).
_V2 = ("ALTER TABLE decisions ADD COLUMN cache TEXT",)

MIGRATIONS: Sequence[Sequence[str]] = (_V1, _V2)

COLUMNS = (
    "id", "started_at", "session", "dialect", "user_agent", "requested_model", "tier", "rule", "override",
    "score", "dimensions", "reasons", "provider", "provider_type", "model", "hops", "status", "error",
    "stop_reason", "latency_ms", "ttft_ms", "upstream_ms", "router_us", "input_tokens", "output_tokens",
    "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "usage_estimated", "cost_usd", "quality",
    "stream", "cache",
)  # fmt: skip
SELECT_COLUMNS = ", ".join(COLUMNS)
INSERT_DECISION = (
    f"INSERT OR REPLACE INTO decisions ({SELECT_COLUMNS}) VALUES ({', '.join('?' * len(COLUMNS))})"
)
INSERT_BODY = (
    "INSERT OR REPLACE INTO bodies (decision_id, started_at, bytes, request, response) VALUES (?, ?, ?, ?, ?)"
)
# Measured on a 420 KB request full of source code: level 3 gives 3.3x at ~80 MB/s, level 6 3.8x at ~33 MB/s.
# Agents resend the whole conversation every turn, so CPU per body matters more than the last 15%.
_ZLIB_LEVEL = 3

# A queued decision: its row and its raw (uncompressed) request and response bodies.
Pending = tuple[tuple[Any, ...], bytes | None, bytes | None]

_JSON_COLUMNS = ("dimensions", "reasons", "hops")
_BOOL_COLUMNS = ("usage_estimated", "stream")


async def migrate(conn: aiosqlite.Connection) -> None:
    """Bring the file up to the newest schema, one transaction per step."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {number}")
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise


def record_row(record: DecisionRecord) -> tuple[Any, ...]:
    """Snapshot a record as a row, in ``COLUMNS`` order.

    Taken at submit time, not at flush time, because the record object stays alive (the recorder's ring)
    and may change afterwards. Fields added to ``DecisionRecord`` later are read with ``getattr`` so the
    store runs against older records too.
    """
    usage = record.usage
    return (
        record.id,
        record.started_at,
        record.session or "",
        record.dialect or "",
        record.user_agent or "",
        record.requested_model or "",
        record.tier or "",
        record.rule or "",
        record.override,
        record.score,
        orjson.dumps(record.dimensions or {}).decode(),
        orjson.dumps(list(record.reasons or ())).decode(),
        record.provider or "",
        getattr(record, "provider_type", "") or "",
        record.model or "",
        orjson.dumps(
            [{"provider": h.provider, "model": h.model, "error": h.error} for h in record.hops]
        ).decode(),
        int(record.status),
        record.error,
        getattr(record, "stop_reason", None),
        float(record.latency_ms),
        record.ttft_ms,
        getattr(record, "upstream_ms", None),
        getattr(record, "router_us", None),
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        getattr(usage, "reasoning_tokens", 0),
        int(bool(usage.estimated)),
        getattr(record, "cost_usd", None),
        getattr(record, "quality", None),
        int(bool(record.stream)),
        getattr(record, "cache", None),
    )


def row_dict(row: Sequence[Any]) -> dict[str, Any]:
    """A stored row as the JSON-ready dict the queries return."""
    out = dict(zip(COLUMNS, row, strict=True))
    for name in _JSON_COLUMNS:
        out[name] = orjson.loads(out[name]) if out[name] else None
    for name in _BOOL_COLUMNS:
        out[name] = bool(out[name])
    return out


def body_rows(batch: Sequence[Pending]) -> list[tuple[Any, ...]]:
    """``bodies`` rows (compressed) for the queued decisions that carry a body. CPU-bound: run it off-loop."""
    out = []
    for row, request, response in batch:
        if not (request or response):
            continue
        req = zlib.compress(request, _ZLIB_LEVEL) if request else None
        resp = zlib.compress(response, _ZLIB_LEVEL) if response else None
        out.append((row[0], row[1], len(req or b"") + len(resp or b""), req, resp))
    return out


def _percentile(ordered: list[float], q: float) -> float:
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentiles_of(values: list[float]) -> dict[str, float] | None:
    """p50/p95/p99, interpolating linearly between ranks (numpy's default); None for no values."""
    if not values:
        return None
    values.sort()
    return {f"p{round(q * 100)}": round(_percentile(values, q), 3) for q in (0.5, 0.95, 0.99)}
