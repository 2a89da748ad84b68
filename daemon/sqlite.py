"""Opening the daemon's SQLite files the one way they all need.

Each file is created by us with mode 0600 before SQLite touches it, so it is never
world-readable, not even for an instant (SQLite gives its -wal and -shm files the database
file's mode); then WAL, normal sync and a busy timeout, and the caller's schema statements.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import aiosqlite


async def open_private(
    path: Path, schema: Iterable[str] = (), *, first: Iterable[str] = ()
) -> aiosqlite.Connection:
    """A connection to ``path`` (created owner-only). ``first`` runs before WAL is switched on
    (``PRAGMA auto_vacuum`` only takes effect on a file without tables); ``schema`` after."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)  # an older file may have been made with a looser mode
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        for statement in first:
            await conn.execute(statement)
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = NORMAL")
        await conn.execute("PRAGMA busy_timeout = 5000")
        for statement in schema:
            await conn.execute(statement)
    except BaseException:
        await conn.close()
        raise
    return conn
