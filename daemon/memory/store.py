"""The memory store: observations in SQLite with an FTS5 index, in the state directory (``memory.db``).

Writes come from background tasks (extraction after a response) and the
control API; they are small and serialised by one lock, so there is no
write buffer. Reads (injection, on the request path) are one FTS5 query and
one indexed range scan.

On every observation:

1. the project's most similar stored memories are found (FTS5 candidates,
   then trigram similarity); at or above ``dedupe_threshold`` the observation
   is the same memory seen again: its ``count`` and ``last_seen`` go up;
2. otherwise, if the observation has a subject (see ``extract.subject_of``),
   the project's memories with that subject are contradicted and deleted;
3. the observation is inserted with ``surprise = 1 - best similarity``.

Retention runs on open, every ten minutes, and on an insert that takes the
store over ``max_count``: memories not seen for ``max_age_days`` go, then the
least recently seen until ``max_count`` remain.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from daemon.memory import score
from daemon.memory.extract import Observation
from daemon.memory.text import fts_query, similarity
from daemon.sqlite import open_private

log = logging.getLogger("lynkr.memory")

PRUNE_INTERVAL = 600.0
_CANDIDATES = 20
_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS memories (
        id         INTEGER PRIMARY KEY,
        project    TEXT NOT NULL,
        type       TEXT NOT NULL,
        subject    TEXT NOT NULL DEFAULT '',
        value      TEXT NOT NULL DEFAULT '',
        text       TEXT NOT NULL,
        session    TEXT NOT NULL DEFAULT '',
        turn       INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        last_seen  REAL NOT NULL,
        count      INTEGER NOT NULL DEFAULT 1,
        surprise   REAL NOT NULL DEFAULT 1,
        importance REAL NOT NULL DEFAULT 0.5
    )
    """,
    "CREATE INDEX IF NOT EXISTS memories_project ON memories (project, last_seen)",
    "CREATE INDEX IF NOT EXISTS memories_subject ON memories (project, subject)",
    "CREATE INDEX IF NOT EXISTS memories_seen ON memories (last_seen)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5("
    "text, content='memories', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS memories_ai AFTER INSERT ON memories BEGIN "
    "INSERT INTO memories_fts (rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS memories_ad AFTER DELETE ON memories BEGIN "
    "INSERT INTO memories_fts (memories_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
)
_COLUMNS = (
    "id, project, type, subject, text, session, turn, created_at, last_seen, count, surprise, importance"
)


@dataclass(slots=True)
class Memory:
    id: int
    project: str
    type: str
    subject: str
    text: str
    session: str
    turn: int
    created_at: float
    last_seen: float
    count: int
    surprise: float
    importance: float
    scores: dict[str, float] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "type": self.type,
            "text": self.text,
            "session": self.session,
            "turn": self.turn,
            "created_at": self.created_at,
            "last_seen": self.last_seen,
            "count": self.count,
            "scores": self.scores,
        }


class MemoryStore:
    def __init__(
        self,
        conn: aiosqlite.Connection,
        *,
        max_count: int,
        max_age_days: float,
        dedupe_threshold: float,
    ) -> None:
        self._conn = conn
        self.max_count = max_count
        self.max_age_days = max_age_days
        self.dedupe_threshold = dedupe_threshold
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._count = 0
        self.inserted = self.merged = self.replaced = self.pruned = 0

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        max_count: int = 5000,
        max_age_days: float = 90,
        dedupe_threshold: float = 0.7,
        background: bool = True,
    ) -> MemoryStore:
        conn = await open_private(Path(path), _SCHEMA)
        store = cls(conn, max_count=max_count, max_age_days=max_age_days, dedupe_threshold=dedupe_threshold)
        await store.prune()
        if background:
            store._task = asyncio.create_task(store._run(), name="lynkr-memory-retention")
        return store

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        async with self._lock:
            await self._conn.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(PRUNE_INTERVAL)
            try:
                await self.prune()
            except Exception:  # retention must outlive one failed run
                log.exception("memory retention failed")

    # ------------------------------------------------------------------ writing

    async def observe(
        self, project: str, obs: Observation, session: str, turn: int, now: float | None = None
    ) -> str:
        """Store one observation; returns "merged", "replaced" or "inserted"."""
        now = time.time() if now is None else now
        async with self._lock:
            best_id, best = None, 0.0
            for row_id, text, subject, value in await self._similar(project, obs.text, obs.subject):
                if obs.subject and subject == obs.subject and value != obs.value:
                    continue  # a contradiction, however similar the wording: replaced below, never merged
                sim = similarity(obs.text, text)
                if sim > best:
                    best_id, best = row_id, sim
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                if best_id is not None and best >= self.dedupe_threshold:
                    await self._conn.execute(
                        "UPDATE memories SET count = count + 1, last_seen = ?,"
                        " importance = MAX(importance, ?)"
                        " WHERE id = ?",
                        (now, obs.importance, best_id),
                    )
                    await self._conn.commit()
                    self.merged += 1
                    return "merged"
                replaced = 0
                if obs.subject:
                    cursor = await self._conn.execute(
                        "DELETE FROM memories WHERE project = ? AND subject = ? AND value != ?",
                        (project, obs.subject, obs.value),
                    )
                    replaced = max(0, cursor.rowcount)
                await self._conn.execute(
                    "INSERT INTO memories (project, type, subject, value, text, session, turn, created_at,"
                    " last_seen, count, surprise, importance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (
                        project,
                        obs.type,
                        obs.subject,
                        obs.value,
                        obs.text,
                        session,
                        turn,
                        now,
                        now,
                        1 - best,
                        obs.importance,
                    ),
                )
                await self._conn.commit()
            except BaseException:
                await self._conn.rollback()
                raise
            self._count += 1 - replaced
            self.replaced += replaced
            self.inserted += 1
            if self.max_count > 0 and self._count > self.max_count:
                await self._prune_locked(now, slack=max(1, self.max_count // 20))
            return "replaced" if replaced else "inserted"

    async def _similar(self, project: str, text: str, subject: str) -> list[tuple[int, str, str, str]]:
        rows: list[tuple[int, str, str, str]] = []
        query = fts_query(text)
        if query:
            async with self._conn.execute(
                "SELECT m.id, m.text, m.subject, m.value FROM memories_fts"
                " JOIN memories m ON m.id = memories_fts.rowid"
                " WHERE memories_fts MATCH ? AND m.project = ? ORDER BY memories_fts.rank LIMIT ?",
                (query, project, _CANDIDATES),
            ) as cursor:
                rows += [(r[0], r[1], r[2], r[3]) async for r in cursor]
        if subject:
            async with self._conn.execute(
                "SELECT id, text, subject, value FROM memories WHERE project = ? AND subject = ?",
                (project, subject),
            ) as cursor:
                rows += [(r[0], r[1], r[2], r[3]) async for r in cursor]
        return rows

    async def delete(self, memory_id: int) -> bool:
        async with self._lock:
            cursor = await self._conn.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
            gone = cursor.rowcount > 0
            self._count -= int(gone)
            return gone

    async def wipe(self, project: str) -> int:
        async with self._lock:
            cursor = await self._conn.execute("DELETE FROM memories WHERE project = ?", (project,))
            self._count -= max(0, cursor.rowcount)
            return max(0, cursor.rowcount)

    async def prune(self, now: float | None = None) -> int:
        async with self._lock:
            return await self._prune_locked(time.time() if now is None else now)

    async def _prune_locked(self, now: float, slack: int = 0) -> int:
        """Age limit, then count limit; ``slack`` prunes that many more so the next inserts do not each
        pay for a prune."""
        removed = 0
        if self.max_age_days > 0:
            cursor = await self._conn.execute(
                "DELETE FROM memories WHERE last_seen < ?", (now - self.max_age_days * score.DAY,)
            )
            removed += max(0, cursor.rowcount)
        async with self._conn.execute("SELECT COUNT(*) FROM memories") as cursor:
            row = await cursor.fetchone()
        self._count = int(row[0]) if row else 0
        if self.max_count > 0 and self._count > self.max_count:
            cursor = await self._conn.execute(
                "DELETE FROM memories WHERE id IN (SELECT id FROM memories ORDER BY last_seen, importance"
                " LIMIT ?)",
                (self._count - self.max_count + slack,),
            )
            removed += max(0, cursor.rowcount)
            self._count -= max(0, cursor.rowcount)
        self.pruned += removed
        return removed

    # ------------------------------------------------------------------ reading

    async def count(self, project: str | None = None) -> int:
        sql, params = "SELECT COUNT(*) FROM memories", ()
        if project is not None:
            sql, params = sql + " WHERE project = ?", (project,)
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def get(self, memory_id: int) -> Memory | None:
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM memories WHERE id = ?", (memory_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return Memory(*row) if row else None

    async def search(
        self,
        project: str | None,
        query: str | None,
        *,
        limit: int,
        weights: Mapping[str, float],
        half_life_days: float,
        now: float | None = None,
        scan: int = 500,
    ) -> list[Memory]:
        """The project's memories (every project's for None), best total score first.

        Candidates are the ``scan`` most recently seen plus every FTS match of ``query``.
        """
        now = time.time() if now is None else now
        where, params = ("WHERE project = ?", [project]) if project is not None else ("", [])
        bm25: dict[int, float] = {}
        fts = fts_query(query or "")
        if fts:
            scope = "AND m.project = ?" if project is not None else ""
            async with self._conn.execute(
                "SELECT m.id, bm25(memories_fts) FROM memories_fts"
                " JOIN memories m ON m.id = memories_fts.rowid"
                f" WHERE memories_fts MATCH ? {scope} ORDER BY memories_fts.rank LIMIT ?",
                (fts, *params, scan),
            ) as cursor:
                bm25 = {r[0]: r[1] async for r in cursor}
        async with self._conn.execute(
            f"SELECT {_COLUMNS} FROM memories {where} ORDER BY last_seen DESC LIMIT ?", (*params, scan)
        ) as cursor:
            found = {r[0]: Memory(*r) async for r in cursor}
        missing = [i for i in bm25 if i not in found]
        if missing:
            marks = ",".join("?" * len(missing))
            async with self._conn.execute(
                f"SELECT {_COLUMNS} FROM memories WHERE id IN ({marks})", missing
            ) as cursor:
                found.update({r[0]: Memory(*r) async for r in cursor})
        for memory in found.values():
            scores = {
                "surprise": memory.surprise,
                "recency": score.recency(memory.last_seen, now, half_life_days),
                "relevance": score.relevance(bm25.get(memory.id)),
                "importance": score.importance(memory.importance, memory.count),
            }
            scores["total"] = score.total(scores, weights)
            memory.scores = {k: round(v, 4) for k, v in scores.items()}
        ranked = sorted(found.values(), key=lambda m: (m.scores["total"], m.last_seen), reverse=True)
        return ranked[:limit]
