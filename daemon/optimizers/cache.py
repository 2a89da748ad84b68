"""The exact-match response cache: a deterministic request seen before is answered without a provider call.

Key: SHA-256 of the canonical request's stable serialisation (orjson with
sorted keys) over what decides the answer: the tier and its provider:model
chain, system, messages, tools, tool_choice, sampling parameters, thinking,
response format, dialect extras and the passthrough headers (betas). Not the
client's model name (the answer is rendered with whatever name the client
used), not ``stream`` (a streamed answer serves a non-streamed repeat and the
other way round), not the user id (that would defeat caching across sessions).

Only requests with ``temperature == 0`` are cached unless ``[cache]
deterministic_only = false``; ``cache-control: no-cache`` (or ``no-store``)
bypasses the cache for one request. Only complete, successful answers are
stored. A streamed answer is stored as its event sequence, so a hit replays
the same deltas in the client's dialect; usage on a hit reports every prompt
token as a cache read, and the decision record shows no upstream tokens.

Entries live in ``cache.db`` in the state directory, compressed, bounded by
``max_entries`` and ``max_mb`` (least recently used evicted first) and by
``ttl_seconds``, so they survive restarts.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiosqlite
import orjson
from aiohttp import web

from daemon.canonical import (
    Block,
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Request,
    Response,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.config.model import CacheConfig
from daemon.sqlite import open_private
from daemon.streams import StreamAccumulator, events_from_response

log = logging.getLogger("lynkr.cache")

SSE_HEADERS = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, created_at REAL NOT NULL,"
    " used_at REAL NOT NULL,"
    " bytes INTEGER NOT NULL, hits INTEGER NOT NULL DEFAULT 0, prompt_tokens INTEGER NOT NULL DEFAULT 0,"
    " body BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_used ON entries (used_at, bytes)",
    "CREATE INDEX IF NOT EXISTS entries_created ON entries (created_at)",  # the TTL sweep on each store
)


# --------------------------------------------------------------------------- key and policy


def cache_key(request: Request, tier: str, chain: list[str]) -> str:
    material = {
        "tier": tier,
        "chain": chain,
        "system": request.system,
        "messages": request.messages,
        "tools": request.tools,
        "tool_choice": request.tool_choice,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "top_k": request.top_k,
        "stop": request.stop,
        "thinking": request.thinking,
        "response_format": request.response_format,
        "extra": request.extra,
        "headers": request.passthrough_headers,
    }
    data = orjson.dumps(material, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    return hashlib.sha256(data).hexdigest()


def storable(response: Response) -> bool:
    """Whether an answer may be replayed. Not an empty one or a refusal: both are often transient
    upstream (an empty candidate, a safety filter's false positive), and cached, one glitch would
    answer every repeat until the TTL. A truncated answer (max_tokens) is kept: ``max_tokens`` is in
    the key, so a repeat would be cut at the same place, and a client that wants more sends a
    different request. Tool calls are kept too: a repeat is the same conversation at the same
    point, so the same call (same id) is what the provider would have been asked for again."""
    return bool(response.content) and response.stop_reason is not StopReason.REFUSAL


def bypassed(headers: Mapping[str, str]) -> bool:
    directives = headers.get("cache-control", "").lower()
    return "no-cache" in directives or "no-store" in directives


def deterministic(request: Request, config: CacheConfig) -> bool:
    return not config.deterministic_only or request.temperature == 0


# --------------------------------------------------------------------------- entries


class Tape:
    """What the provider answered, recorded on the way to the client: the events of a stream, or a
    whole response. Only a complete, error-free answer is ``storable``."""

    __slots__ = ("_accumulator", "_events", "_response", "complete")

    def __init__(self) -> None:
        self._events: list[list[Any]] = []
        # Made on the first event: a non-streamed answer (``keep``) never needs one.
        self._accumulator: StreamAccumulator | None = None
        self._response: Response | None = None
        self.complete = False

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, StreamError):
            self.complete = False
            self._events = []
            return
        if self._accumulator is None:
            self._accumulator = StreamAccumulator()
        self._accumulator.add(event)
        self._events.append(_event_json(event))
        if isinstance(event, MessageStop):
            self.complete = True

    def keep(self, response: Response) -> None:
        self._response, self.complete = response, True

    def response(self) -> Response:
        if self._response is not None:
            return self._response
        return (self._accumulator or StreamAccumulator()).response()

    def entry(self) -> bytes:
        response = self.response()
        body = {"response": response, "events": None if self._response is not None else self._events}
        return zlib.compress(orjson.dumps(body, default=str), 3)


class Entry:
    """A cached answer, ready to be rendered or replayed."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self._response = _response_from(payload["response"])
        self._events = payload.get("events")
        original = self._response.usage
        self.prompt_tokens = original.prompt_tokens
        # Every prompt token was served from the cache; the output is what the cached answer had.
        self.usage = Usage(
            input_tokens=0,
            output_tokens=original.output_tokens,
            cache_read_tokens=original.prompt_tokens,
            reasoning_tokens=original.reasoning_tokens,
            estimated=original.estimated,
        )
        self.model = self._response.model

    def response(self) -> Response:
        r = self._response
        return Response(_new_id(), r.model, list(r.content), r.stop_reason, r.stop_sequence, self.usage)

    def events(self) -> Iterator[StreamEvent]:
        if not self._events:
            yield from events_from_response(self.response())
            return
        start = Usage(cache_read_tokens=self.usage.cache_read_tokens, estimated=self.usage.estimated)
        for item in self._events:
            kind = item[0]
            if kind == "ms":
                output = item[1] if len(item) > 1 else 0
                yield MessageStart(_new_id(), self.model, replace(start, output_tokens=output))
            elif kind == "bs":
                yield BlockStart(item[1], _block_from(item[2]))  # type: ignore[arg-type]
            elif kind == "bd":
                yield BlockDelta(item[1], item[2], item[3])
            elif kind == "be":
                yield BlockStop(item[1])
            elif kind == "md":
                yield MessageDelta(StopReason(item[1]), self.usage, item[2])
            elif kind == "mx":
                yield MessageStop()


def _new_id() -> str:
    return f"msg_cache{uuid.uuid4().hex[:20]}"


def _event_json(event: StreamEvent) -> list[Any]:
    if isinstance(event, MessageStart):  # ids are new on each replay; the start's output count is kept
        return ["ms", event.usage.output_tokens]
    if isinstance(event, BlockStart):
        return ["bs", event.index, event.block]
    if isinstance(event, BlockDelta):
        return ["bd", event.index, event.kind, event.value]
    if isinstance(event, BlockStop):
        return ["be", event.index]
    if isinstance(event, MessageDelta):
        return ["md", event.stop_reason.value, event.stop_sequence]
    return ["mx"]


def _block_from(data: dict[str, Any]) -> Block:
    kind = data.get("type")
    if kind == "tool_use":  # with Gemini's thoughtSignature: the next turn is refused without it
        return ToolUseBlock(
            data["id"], data["name"], data.get("input") or {}, signature=data.get("signature")
        )
    if kind == "thinking":
        return ThinkingBlock(
            data.get("thinking", ""), data.get("signature"), data.get("redacted"), data.get("origin")
        )
    return TextBlock(data.get("text", ""))


def _response_from(data: dict[str, Any]) -> Response:
    usage = Usage(**{k: v for k, v in data.get("usage", {}).items() if k in Usage.__slots__})  # type: ignore[attr-defined]
    return Response(
        data["id"],
        data["model"],
        [_block_from(b) for b in data["content"]],
        StopReason(data["stop_reason"]),
        data.get("stop_sequence"),
        usage,
    )


# --------------------------------------------------------------------------- the store


class ResponseCache:
    def __init__(self, conn: aiosqlite.Connection, config: CacheConfig) -> None:
        self._conn = conn
        self.config = config
        self._lock = asyncio.Lock()
        self.entries = self.bytes = 0
        self.hits = self.misses = self.bypasses = self.stores = self.evictions = self.expired = 0
        self.saved_prompt_tokens = 0

    @classmethod
    async def open(cls, path: Path, config: CacheConfig) -> ResponseCache:
        conn = await open_private(Path(path), _SCHEMA)
        cache = cls(conn, config)
        async with cache._lock:
            await cache._expire(time.time())
            await cache._recount()
            await cache._evict()
        return cache

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def get(self, key: str, now: float | None = None) -> Entry | None:
        now = time.time() if now is None else now
        async with self._conn.execute("SELECT created_at, body FROM entries WHERE key = ?", (key,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            self.misses += 1
            return None
        if self.config.ttl_seconds > 0 and now - row[0] > self.config.ttl_seconds:
            async with self._lock:
                await self._conn.execute("DELETE FROM entries WHERE key = ?", (key,))
                self.expired += 1
                await self._recount()
            self.misses += 1
            return None
        try:
            entry = Entry(orjson.loads(zlib.decompress(row[1])))
        except Exception:  # a corrupt or old-format entry is a miss, never an error to the client
            log.warning("unreadable cache entry %s dropped", key[:12], exc_info=True)
            async with self._lock:
                await self._conn.execute("DELETE FROM entries WHERE key = ?", (key,))
            self.misses += 1
            return None
        async with self._lock:
            await self._conn.execute(
                "UPDATE entries SET used_at = ?, hits = hits + 1 WHERE key = ?", (now, key)
            )
        self.hits += 1
        self.saved_prompt_tokens += entry.prompt_tokens
        return entry

    async def put(self, key: str, tape: Tape, now: float | None = None) -> bool:
        if not tape.complete or not storable(tape.response()):
            return False
        now = time.time() if now is None else now
        body = await asyncio.to_thread(tape.entry)
        if len(body) > self.config.max_mb * 1024 * 1024:
            return False
        prompt = tape.response().usage.prompt_tokens
        async with self._lock:
            await self._conn.execute(
                "INSERT OR REPLACE INTO entries (key, created_at, used_at, bytes, hits, prompt_tokens, body)"
                " VALUES (?, ?, ?, ?, 0, ?, ?)",
                (key, now, now, len(body), prompt, body),
            )
            self.stores += 1
            await self._expire(now)
            await self._recount()
            await self._evict()
        return True

    async def clear(self) -> int:
        async with self._lock:
            cursor = await self._conn.execute("DELETE FROM entries")
            await self._recount()
            return max(0, cursor.rowcount)

    async def _recount(self) -> None:
        async with self._conn.execute("SELECT COUNT(*), TOTAL(bytes) FROM entries") as cursor:
            row = await cursor.fetchone()
        self.entries, self.bytes = (int(row[0]), int(row[1])) if row else (0, 0)

    async def _expire(self, now: float) -> None:
        if self.config.ttl_seconds > 0:
            cursor = await self._conn.execute(
                "DELETE FROM entries WHERE created_at < ?", (now - self.config.ttl_seconds,)
            )
            self.expired += max(0, cursor.rowcount)

    async def _evict(self) -> None:
        """Least recently used first, until both bounds hold."""
        removed = 0
        excess = self.entries - self.config.max_entries
        if excess > 0:
            cursor = await self._conn.execute(
                "DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY used_at LIMIT ?)",
                (excess,),
            )
            removed += max(0, cursor.rowcount)
            await self._recount()
        over = self.bytes - self.config.max_mb * 1024 * 1024
        if over > 0:
            cursor = await self._conn.execute(
                "DELETE FROM entries WHERE key IN (SELECT key FROM (SELECT key, bytes,"
                " SUM(bytes) OVER (ORDER BY used_at, key) AS upto FROM entries) WHERE upto - bytes < ?)",
                (over,),
            )
            removed += max(0, cursor.rowcount)
            await self._recount()
        self.evictions += removed

    def stats(self) -> dict[str, Any]:
        lookups = self.hits + self.misses
        return {
            "enabled": self.config.enabled,
            "entries": self.entries,
            "bytes": self.bytes,
            "max_entries": self.config.max_entries,
            "max_bytes": int(self.config.max_mb * 1024 * 1024),
            "ttl_seconds": self.config.ttl_seconds,
            "hits": self.hits,
            "misses": self.misses,
            "bypasses": self.bypasses,
            "hit_rate": round(self.hits / lookups, 4) if lookups else None,
            "stores": self.stores,
            "evictions": self.evictions,
            "expired": self.expired,
            "saved_prompt_tokens": self.saved_prompt_tokens,
        }


# --------------------------------------------------------------------------- answering a hit


async def serve(
    http: web.Request, frontend: Any, request: Request, entry: Entry, headers: Mapping[str, str]
) -> web.StreamResponse:
    """Answer from the cache in the client's dialect: one JSON body, or the recorded stream replayed."""
    if not request.stream:
        body = orjson.dumps(frontend.render(entry.response(), request.model))
        return web.Response(body=body, content_type="application/json", headers=dict(headers))
    encoder = frontend.encoder(request)
    response = web.StreamResponse(status=200, headers={**SSE_HEADERS, **headers})
    await response.prepare(http)
    for event in entry.events():
        chunk = encoder.encode(event)
        if chunk:
            await response.write(chunk)
    await response.write_eof()
    return response
