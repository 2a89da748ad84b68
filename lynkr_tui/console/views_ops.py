"""Sessions, Breakers and Memory: tables polled from the control socket, with their actions."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from lynkr_tui.console.base import View
from lynkr_tui.console.source import DataSource, Unavailable
from lynkr_tui.console.widgets import KeyTable, clock, duration, money, tier_colour

TIER_KEYS = {"1": "simple", "2": "medium", "3": "complex", "4": "reasoning", "0": "auto"}


def _selected_key(table: KeyTable) -> str | None:
    if not table.row_count:
        return None
    key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
    return None if key.value is None else str(key.value)


def _fill(table: KeyTable, rows: list[tuple[str, list[Any]]]) -> None:
    """Replace the rows, keeping the cursor on the same key when it is still there."""
    keep = _selected_key(table)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if keep is not None and keep in table.rows:
        table.move_cursor(row=table.get_row_index(keep), animate=False)


class SessionsView(View):
    NAME = "sessions"
    POLL_SECONDS = 2.0
    FILTERABLE = True
    BINDINGS = [
        Binding("1", "tier('simple')", "simple"),
        Binding("2", "tier('medium')", "medium"),
        Binding("3", "tier('complex')", "complex"),
        Binding("4", "tier('reasoning')", "reasoning"),
        Binding("0", "tier('auto')", "auto"),
    ]
    MUTATING = frozenset({"tier"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sessions: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        hint = "sessions seen by the daemon, most recent first"
        if not self.console.readonly:
            hint += ": 1-4 pin the selected one to simple/medium/complex/reasoning, 0 unpins (auto)"
        yield Static(hint, classes="hint")
        table = KeyTable(id="sessions-table", cursor_type="row", zebra_stripes=True)
        for label in ("session", "client", "tier", "pinned", "requests", "messages", "spend", "last seen"):
            table.add_column(label, key=label)
        yield table

    def activated(self) -> None:
        self.query_one(KeyTable).focus()
        super().activated()

    def fetch(self, source: DataSource) -> Any:
        return source.sessions()

    def show(self, data: Any) -> None:
        self._sessions = list(data or [])
        self._draw()

    def set_filter(self, text: str) -> None:
        super().set_filter(text)
        self._draw()

    def _draw(self) -> None:
        now = self.console.now()
        spend: dict[str, float] = {}
        for d in self.console.state.decisions:
            if d.get("cost_usd") is not None:
                spend[d["session"]] = spend.get(d["session"], 0.0) + d["cost_usd"]
        rows = []
        words = self.filter_text.lower().split()
        for s in self._sessions:
            hay = f"{s.get('id')} {s.get('client')} {s.get('tier')} {s.get('override')}".lower()
            if not all(w in hay for w in words):
                continue
            tier = s.get("tier") or "-"
            rows.append(
                (
                    str(s["id"]),
                    [
                        str(s["id"])[:40],
                        s.get("client") or "-",
                        Text(tier, style=tier_colour(self.app, tier)),
                        Text(s.get("override") or "auto", style="bold" if s.get("override") else "dim"),
                        str(s.get("requests", 0)),
                        str(s.get("messages", 0)),
                        # The daemon's own total when it reports one; else what the console saw.
                        money(s["spend_usd"] if "spend_usd" in s else spend.get(str(s["id"]))),
                        f"{duration(now - s['last_seen'])} ago" if s.get("last_seen") else "-",
                    ],
                )
            )
        _fill(self.query_one(KeyTable), rows)

    def action_tier(self, tier: str) -> None:
        session = _selected_key(self.query_one(KeyTable))
        if session is None:
            self.notify("no session selected", severity="warning")
            return

        def work(source: DataSource) -> Any:
            return source.set_session_tier(session, tier)

        def done(result: Any) -> None:
            pinned = result.get("override") if isinstance(result, dict) else None
            self.notify(f"{session}: {'pinned to ' + pinned if pinned else 'automatic routing'}")
            self.console.refresh_view(self)

        self.console.run_action_in_thread(work, done)


class BreakersView(View):
    NAME = "breakers"
    POLL_SECONDS = 2.0
    BINDINGS = [Binding("r", "reset", "reset breaker")]
    MUTATING = frozenset({"reset"})

    def compose(self) -> ComposeResult:
        yield Static("", id="breakers-note", classes="hint")
        table = KeyTable(id="breakers-table", cursor_type="row", zebra_stripes=True)
        for label in ("provider", "state", "failures", "next probe", "last failure", "last error"):
            table.add_column(label, key=label)
        yield table

    def activated(self) -> None:
        self.query_one(KeyTable).focus()
        super().activated()

    def fetch(self, source: DataSource) -> Any:
        try:
            return source.breakers()
        except Unavailable:
            return None

    def show(self, data: Any) -> None:
        note = self.query_one("#breakers-note", Static)
        if data is None:
            note.update("breakers not available from this daemon")
            _fill(self.query_one(KeyTable), [])
            return
        note.update("circuit breakers per provider; r resets the selected one" if not self.console.readonly
                    else "circuit breakers per provider")  # fmt: skip
        styles = {"closed": "green", "open": "bold red", "half_open": "yellow", "half-open": "yellow"}
        rows = []
        for b in data:
            state = str(b.get("state"))
            probe = b.get("next_probe_in")
            rows.append(
                (
                    str(b["provider"]),
                    [
                        str(b["provider"]),
                        Text(state.replace("_", "-"), style=styles.get(state, "")),
                        str(b.get("failures", 0)),
                        "-" if probe is None else f"{probe:.0f}s",
                        clock(b.get("last_failure_at")),
                        (b.get("last_error") or "-")[:80],
                    ],
                )
            )
        _fill(self.query_one(KeyTable), rows)

    def action_reset(self) -> None:
        provider = _selected_key(self.query_one(KeyTable))
        if provider is None:
            return

        def done(_result: Any) -> None:
            self.notify(f"breaker {provider} reset")
            self.console.refresh_view(self)

        self.console.run_action_in_thread(lambda source: source.reset_breaker(provider), done)


class MemoryView(View):
    NAME = "memory"
    POLL_SECONDS = None  # searched on demand
    BINDINGS = [
        Binding("enter", "inspect", "inspect"),
        Binding("d", "delete", "delete entry"),
        Binding("s", "search", "search"),
    ]
    MUTATING = frozenset({"delete"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: dict[str, dict[str, Any]] = {}
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search memories (enter)", id="memory-query")
        yield Static("", id="memory-note", classes="hint")
        with Horizontal(id="memory-body"):
            table = KeyTable(id="memory-table", cursor_type="row", zebra_stripes=True)
            for label in ("id", "project", "type", "created", "text"):
                table.add_column(label, key=label)
            yield table
            with VerticalScroll(id="memory-detail-box"):
                yield Static("", id="memory-detail")

    def activated(self) -> None:
        self.query_one(KeyTable).focus()
        self.console.run_action_in_thread(lambda source: self._search(source, self.query_text), self.show)

    def action_inspect(self) -> None:
        self.query_one(KeyTable).action_select_cursor()

    def action_search(self) -> None:
        self.query_one("#memory-query", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "memory-query":
            return
        event.stop()
        self.query_text = event.value.strip()
        self.query_one(KeyTable).focus()
        self.console.run_action_in_thread(lambda source: self._search(source, self.query_text), self.show)

    @staticmethod
    def _search(source: DataSource, text: str) -> Any:
        try:
            return source.memories(text, 100)
        except Unavailable:
            return {"enabled": False, "memories": []}

    def show(self, data: Any) -> None:
        note = self.query_one("#memory-note", Static)
        if not isinstance(data, dict) or not data.get("enabled"):
            note.update("memory is not enabled on this daemon")
            self._items = {}
            _fill(self.query_one(KeyTable), [])
            return
        memories = data.get("memories") or []
        note.update(
            f"{len(memories)} memories" + (f" matching {self.query_text!r}" if self.query_text else "")
        )
        self._items = {str(m["id"]): m for m in memories}
        _fill(
            self.query_one(KeyTable),
            [
                (str(m["id"]), [str(m["id"]), m.get("project") or "-", m.get("type") or "-",
                                clock(m.get("created_at")), (m.get("text") or "").replace("\n", " ")[:60]])
                for m in memories
            ],
        )  # fmt: skip
        self._detail()

    def _detail(self) -> None:
        key = _selected_key(self.query_one(KeyTable))
        item = self._items.get(key or "")
        box = self.query_one("#memory-detail", Static)
        if item is None:
            box.update("")
            return
        text = Text()
        text.append(f"#{item['id']} {item.get('project')} / {item.get('type')}\n", style="bold")
        text.append(f"{item.get('text') or ''}\n\n")
        for name, value in (item.get("scores") or {}).items():
            text.append(
                f"{name:<12} {value:.3f}\n" if isinstance(value, int | float) else f"{name:<12} {value}\n"
            )
        box.update(text)

    def on_data_table_row_highlighted(self, event: KeyTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        """Enter inspects the entry: fetch it by id for its current scores."""
        event.stop()
        key = None if event.row_key.value is None else str(event.row_key.value)
        if key is None:
            return

        def done(item: Any) -> None:
            if isinstance(item, dict):
                self._items[key] = {**self._items.get(key, {}), **item}
                self._detail()

        self.console.run_action_in_thread(lambda source: source.memory(key), done)

    def action_delete(self) -> None:
        key = _selected_key(self.query_one(KeyTable))
        if key is None:
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def done(_result: Any) -> None:
                self.notify(f"memory #{key} deleted")
                self.activated()

            self.console.run_action_in_thread(lambda source: source.delete_memory(key), done)

        self.console.confirm(f"Delete memory #{key}?", confirmed)
