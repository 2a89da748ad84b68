"""The console's view of the daemon: bounded buffers filled by event handlers, read by the repaint timer.

Pure Python, no Textual: the event thread only appends raw events to ``Inbox`` (a bounded deque,
thread-safe for append/popleft), and the UI thread drains it into ``LiveState`` in batches, so no
lock is needed and a flood of events costs one bounded buffer, never an unbounded queue.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

TIERS = ("simple", "medium", "complex", "reasoning")
MAX_ROWS = 500
HISTORY = 60  # sparkline points (one per stats poll)


class Inbox:
    """Events from the reader thread to the UI thread; when full the oldest go (and are counted)."""

    def __init__(self, maxlen: int = 5000) -> None:
        self._events: deque[dict[str, Any]] = deque()
        self._maxlen = maxlen
        self.dropped = 0

    def put(self, event: dict[str, Any]) -> None:
        if len(self._events) >= self._maxlen:
            self._events.popleft()
            self.dropped += 1
        self._events.append(event)

    def drain(self, limit: int = 10_000) -> list[dict[str, Any]]:
        out = []
        while self._events and len(out) < limit:
            out.append(self._events.popleft())
        return out


@dataclass
class LiveState:
    """What the views draw from. Every collection is bounded."""

    max_rows: int = MAX_ROWS
    decisions: deque[dict[str, Any]] = field(default_factory=deque)
    status: dict[str, Any] | None = None
    stats: dict[str, Any] | None = None
    connected: bool = False
    last_error: str | None = None
    dropped: int = 0  # events the daemon or the inbox dropped because the console fell behind
    events_seen: int = 0
    tier_counts: Counter[str] = field(default_factory=Counter)
    rate_history: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))
    spend_history: deque[float] = field(default_factory=lambda: deque(maxlen=HISTORY))
    p95_history: dict[str, deque[float]] = field(default_factory=dict)
    breaker_states: dict[str, str] = field(default_factory=dict)
    notices: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    version: int = 0  # bumped on every change, so the repaint timer skips idle frames
    new_rows: int = 0  # decisions added since the views last looked (reset by the consumer)
    reset_rows: bool = False  # the table must be rebuilt (a fresh snapshot)
    _last_spend: float | None = None
    _ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.decisions = deque(self.decisions)

    # ----------------------------------------------------------------- snapshot (full reload)

    def load_snapshot(self, decisions: list[dict[str, Any]]) -> None:
        """Replace the buffers with a fresh snapshot (after connecting or a daemon restart)."""
        self.decisions.clear()
        self._ids.clear()
        self.tier_counts.clear()
        for row in sorted(decisions, key=lambda d: d.get("started_at") or d.get("time") or 0):
            self._add_decision(normalise(row))
        self.reset_rows = True
        self.new_rows = 0
        self.version += 1

    # ----------------------------------------------------------------- event handlers

    def handle(self, event: dict[str, Any]) -> None:
        self.events_seen += 1
        if event.get("dropped"):
            self.dropped += int(event["dropped"])
        kind = event.get("type")
        if kind == "decision" and self._add_decision(normalise(event)):
            self.new_rows += 1
        elif kind == "breaker":
            self.breaker_states[str(event.get("provider"))] = str(event.get("state"))
            self.notices.append(f"breaker {event.get('provider')} -> {event.get('state')}")
        elif kind == "config":
            ok = "reloaded" if event.get("ok") else "reload rejected"
            self.notices.append(f"config {ok}: {event.get('message') or event.get('source') or ''}".strip())
        elif kind == "session" and event.get("action") == "tier":
            self.notices.append(f"session {event.get('session')} pinned to {event.get('tier') or 'auto'}")
        self.version += 1

    def _add_decision(self, row: dict[str, Any]) -> bool:
        """Buffer one decision; False for one already buffered (a snapshot and the stream can overlap).

        The tier counts follow the buffer, so the bars show the mix of the rows on screen."""
        key = row.get("id")
        if key is not None:
            if key in self._ids:
                return False
            self._ids.add(key)
        self.decisions.append(row)
        if row.get("tier"):
            self.tier_counts[row["tier"]] += 1
        while len(self.decisions) > self.max_rows:
            old = self.decisions.popleft()
            self._ids.discard(old.get("id"))
            if old.get("tier"):
                self.tier_counts[old["tier"]] -= 1
        return True

    def set_status(self, status: dict[str, Any] | None, stats: dict[str, Any] | None) -> None:
        """A poll result: the header numbers and one sparkline point each."""
        self.status = status
        self.connected = status is not None
        if stats is not None:
            self.stats = stats
            traffic = stats.get("traffic") or {}
            self.rate_history.append(float(traffic.get("requests_per_second") or 0.0))
            spend = float(traffic.get("spend_usd") or 0.0)
            delta = 0.0 if self._last_spend is None else max(0.0, spend - self._last_spend)
            self._last_spend = spend
            self.spend_history.append(delta)
            for tier, values in ((stats.get("live") or {}).get("tier") or {}).items():
                p95 = ((values or {}).get("latency_ms") or {}).get("p95")
                history = self.p95_history.setdefault(tier, deque(maxlen=HISTORY))
                history.append(float(p95 or 0.0))
        self.version += 1

    def take_new_rows(self) -> tuple[bool, int]:
        reset, new = self.reset_rows, self.new_rows
        self.reset_rows, self.new_rows = False, 0
        return reset, new


def normalise(row: dict[str, Any]) -> dict[str, Any]:
    """A decision event and a stored decision row, in one shape for the table."""
    return {
        "id": row.get("id"),
        "time": row.get("time") or row.get("started_at") or 0.0,
        "session": row.get("session") or "",
        "client": row.get("client") or row.get("dialect") or "",
        "tier": row.get("tier") or "",
        "provider": row.get("provider") or "",
        "model": row.get("model") or "",
        "score": row.get("score"),
        "rule": row.get("rule") or "",
        "latency_ms": row.get("latency_ms"),
        "ttft_ms": row.get("ttft_ms"),
        "input_tokens": row.get("input_tokens") or 0,
        "output_tokens": row.get("output_tokens") or 0,
        "cost_usd": row.get("cost_usd"),
        "status": row.get("status"),
        "error": row.get("error"),
        "override": row.get("override"),
    }


def matches(row: dict[str, Any], text: str) -> bool:
    """The ``/`` filter: every word must appear in one of the row's text fields."""
    if not text:
        return True
    hay = " ".join(
        str(row.get(k) or "")
        for k in ("session", "client", "tier", "provider", "model", "rule", "status", "id")
    ).lower()
    return all(word in hay for word in text.lower().split())
