"""Responses the Responses API may continue from (``previous_response_id``), kept across restarts.

Each stored response keeps the whole conversation as Responses items (the
resolved input followed by the output), so a follow-up is one lookup, however
long the chain. Rows live in their own SQLite file (``responses.db`` in the
state directory), not in the decision database: different retention, no
shared migrations, and a client's conversation is not telemetry.

``put`` is synchronous and never raises: the response is readable from memory
at once (the client may name it the moment it sees ``response.completed``)
and written by a background task; ``close`` flushes what is left. Responses
older than ``RETENTION_DAYS`` are never served, and are deleted when the store
opens and every ``PRUNE_EVERY`` writes; the oldest go first whenever the file's
compressed payload passes ``MAX_MB``.

``resolve`` and ``settle`` are the Responses frontend's two async steps in
the pipeline: before routing (expand ``previous_response_id``, arrange the
save) and after a whole (non-streamed) answer (fill in the id and settings,
save). Streams are saved by their encoder, through ``request.sink``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from pathlib import Path
from typing import Any

import aiosqlite
import orjson
from aiohttp import web

from daemon.canonical import Request
from daemon.dialects.openai_responses import (
    ResponsesRequest,
    amend,
    previous_response_not_found,
    with_history,
)
from daemon.sqlite import open_private

log = logging.getLogger("lynkr.responses")

RETENTION_DAYS = 30
MAX_MB = 256  # compressed; past it the oldest responses go first
PRUNE_EVERY = 200  # writes between size checks
MAX_PENDING = 10_000  # responses waiting for a disk that keeps failing; the oldest are dropped
FILE_NAME = "responses.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id         TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    model      TEXT NOT NULL DEFAULT '',
    items      BLOB NOT NULL,
    response   BLOB NOT NULL
)
"""
_INDEX = "CREATE INDEX IF NOT EXISTS responses_created ON responses (created_at)"


class ResponseStore:
    def __init__(
        self,
        path: Path,
        db: aiosqlite.Connection,
        max_mb: float = MAX_MB,
        retention_days: float = RETENTION_DAYS,
    ) -> None:
        self.path = path
        self._db = db
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.retention_days = retention_days
        self._written_since_prune = 0
        self._pending: dict[str, tuple[float, str, bytes, bytes]] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self.write_errors = 0

    @classmethod
    async def open(
        cls, path: Path, retention_days: float = RETENTION_DAYS, max_mb: float = MAX_MB
    ) -> ResponseStore:
        path = Path(path)
        db = await open_private(path, (_SCHEMA, _INDEX))  # conversations: owner only
        try:
            store = cls(path, db, max_mb, retention_days)
            await store._prune()
        except BaseException:
            await db.close()
            raise
        return store

    def _cutoff(self) -> float:
        """Responses created before this time are expired (0: kept until the size cap)."""
        return time.time() - self.retention_days * 86400 if self.retention_days > 0 else 0.0

    async def _prune(self) -> None:
        """Delete expired responses, then the oldest until the stored (compressed) bytes fit ``max_bytes``.

        Runs at open and every ``PRUNE_EVERY`` writes, so a daemon that runs for months still forgets
        conversations past the retention it states."""
        self._written_since_prune = 0
        await self._db.execute("DELETE FROM responses WHERE created_at < ?", (self._cutoff(),))
        size = "length(items) + length(response)"
        async with self._db.execute(f"SELECT COALESCE(SUM({size}), 0) FROM responses") as cursor:
            row = await cursor.fetchone()
        excess = (row[0] if row else 0) - self.max_bytes
        if excess <= 0:
            return
        victims: list[tuple[str]] = []
        async with self._db.execute(f"SELECT id, {size} FROM responses ORDER BY created_at") as cursor:
            async for rid, length in cursor:
                victims.append((rid,))
                excess -= length
                if excess <= 0:
                    break
        await self._db.executemany("DELETE FROM responses WHERE id = ?", victims)

    def put(self, response: dict[str, Any], items: list[Any]) -> None:
        """Keep ``response`` and the conversation it ends (``items`` + its output)."""
        try:
            rid = response["id"]
            conversation = [*items, *response.get("output", [])]
            row = (
                time.time(),
                str(response.get("model", "")),
                zlib.compress(orjson.dumps(conversation)),
                zlib.compress(orjson.dumps(response)),
            )
        except Exception:  # a response we cannot serialise is not worth failing the request
            log.exception("cannot store response")
            return
        self._pending[rid] = row
        while len(self._pending) > MAX_PENDING:
            del self._pending[next(iter(self._pending))]
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        async with self._lock:
            while self._pending:
                batch = dict(self._pending)
                try:
                    await self._db.execute("BEGIN")
                    await self._db.executemany(
                        "INSERT OR REPLACE INTO responses (id, created_at, model, items, response) "
                        "VALUES (?, ?, ?, ?, ?)",
                        [(rid, *row) for rid, row in batch.items()],
                    )
                    await self._db.execute("COMMIT")
                except Exception:
                    self.write_errors += 1
                    log.exception("writing %d stored responses failed; they stay in memory", len(batch))
                    with contextlib.suppress(Exception):
                        await self._db.execute("ROLLBACK")
                    return
                for rid, row in batch.items():
                    if self._pending.get(rid) is row:
                        del self._pending[rid]
                self._written_since_prune += len(batch)
                if self._written_since_prune >= PRUNE_EVERY:
                    try:
                        await self._prune()
                    except Exception:
                        log.exception("pruning stored responses failed")

    async def _row(self, rid: str) -> tuple[bytes, bytes] | None:
        cutoff = self._cutoff()  # expired rows may wait for the next prune; they are never served
        pending = self._pending.get(rid)
        if pending is not None:
            return (pending[2], pending[3]) if pending[0] >= cutoff else None
        query = "SELECT items, response FROM responses WHERE id = ? AND created_at >= ?"
        async with self._db.execute(query, (rid, cutoff)) as cur:
            row = await cur.fetchone()
        return (row[0], row[1]) if row else None

    async def items(self, rid: str) -> list[Any] | None:
        """The whole conversation that response ``rid`` ended, or None if it is not stored."""
        row = await self._row(rid)
        return orjson.loads(zlib.decompress(row[0])) if row else None

    async def response(self, rid: str) -> dict[str, Any] | None:
        row = await self._row(rid)
        return orjson.loads(zlib.decompress(row[1])) if row else None

    async def delete(self, rid: str) -> bool:
        in_memory = self._pending.pop(rid, None) is not None
        async with self._lock:
            cursor = await self._db.execute("DELETE FROM responses WHERE id = ?", (rid,))
        return in_memory or cursor.rowcount > 0

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        await self._flush()
        await self._db.close()


# --------------------------------------------------------------------------- place in the server

RESPONSE_STORE: web.AppKey[ResponseStore] = web.AppKey("response_store", ResponseStore)


async def open_response_store(path: Path) -> ResponseStore | None:
    """The store for the API app, or None (logged) when the file cannot be opened: the Responses
    API still answers then, only ``previous_response_id`` cannot resolve. The caller closes it
    after the API has drained, like the other stores."""
    try:
        return await ResponseStore.open(path)
    except Exception:
        log.exception("cannot open the response store at %s; previous_response_id will not resolve", path)
        return None


def _store(http: web.Request) -> ResponseStore | None:
    return http.app.get(RESPONSE_STORE)


async def resolve(http: web.Request, request: Request) -> Request:
    """Before routing: continue from ``previous_response_id`` and arrange for this response to be kept."""
    if not isinstance(request, ResponsesRequest):
        return request
    store = _store(http)
    if request.previous_response_id:
        items = await store.items(request.previous_response_id) if store is not None else None
        if items is None:
            raise previous_response_not_found(request.previous_response_id)
        with_history(request, items)
    if request.store and store is not None:
        conversation = request.input_items
        request.sink = lambda final: store.put(final, conversation)
    return request


async def settle(http: web.Request, request: Request, response: web.StreamResponse) -> None:
    """After a whole answer: the body gets this response's id and settings, and is kept."""
    del http
    if (
        not isinstance(request, ResponsesRequest)
        or request.stream
        or not isinstance(response, web.Response)
        or response.status != 200
        or not isinstance(response.body, bytes)
    ):
        return
    body = amend(orjson.loads(response.body), request)
    response.body = orjson.dumps(body)
    if request.sink is not None:
        request.sink(body)


def _not_found(rid: str) -> web.Response:
    body = {
        "error": {
            "message": f"No response with id {rid!r} is stored (store=false, expired, or never created).",
            "type": "invalid_request_error",
            "param": "response_id",
            "code": "not_found",
        }
    }
    return web.Response(status=404, body=orjson.dumps(body), content_type="application/json")


async def get_response(http: web.Request) -> web.Response:
    """``GET /v1/responses/{id}``: a stored response object."""
    rid = http.match_info["response_id"]
    store = _store(http)
    found = await store.response(rid) if store is not None else None
    if found is None:
        return _not_found(rid)
    return web.Response(body=orjson.dumps(found), content_type="application/json")


async def delete_response(http: web.Request) -> web.Response:
    """``DELETE /v1/responses/{id}``: forget a stored response."""
    rid = http.match_info["response_id"]
    store = _store(http)
    if store is None or not await store.delete(rid):
        return _not_found(rid)
    body = {"id": rid, "object": "response.deleted", "deleted": True}
    return web.Response(body=orjson.dumps(body), content_type="application/json")
