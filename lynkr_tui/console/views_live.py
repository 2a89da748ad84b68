"""The Live view: decisions as they happen, tier mix, latency percentiles and traffic sparklines."""

from __future__ import annotations

from itertools import islice
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from lynkr_tui.console.base import View
from lynkr_tui.console.decision_list import DecisionList
from lynkr_tui.console.state import LiveState, matches
from lynkr_tui.console.widgets import (
    LatencyPanel,
    TierBars,
    TrafficPanel,
    clock,
    money,
    ms,
    tier_colour,
)

# Ordered so an 80-column terminal shows what an operator scans first; the rest scroll into view.
COLUMNS = (
    ("time", 8), ("tier", 9), ("provider/model", 28), ("latency", 7), ("TTFT", 6), ("tokens", 11),
    ("cost", 9), ("status", 6), ("score", 5), ("rule", 12), ("session", 16), ("client", 10),
)  # fmt: skip


class LiveView(View):
    NAME = "live"
    FILTERABLE = True
    BINDINGS = [
        Binding("R", "replay", "replay it", show=True),
        Binding("f", "follow", "follow", show=True),
    ]

    def __init__(self, max_rows: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_rows = max_rows
        self._stale = True
        self.following = True

    def compose(self) -> ComposeResult:
        with Horizontal(id="live-top"):
            yield TierBars(id="tier-bars")
            yield LatencyPanel(id="latency-panel")
            yield TrafficPanel(id="traffic-panel")
        yield DecisionList(COLUMNS, self._cells, id="decisions")

    def on_mount(self) -> None:
        # Rows are rendered once with the theme's tier colours; a new theme needs them again.
        self.watch(self.app, "theme", lambda _theme: self.table.clear_cache(), init=False)

    @property
    def table(self) -> DecisionList:
        return self.query_one("#decisions", DecisionList)

    def activated(self) -> None:
        self.table.focus()

    def set_filter(self, text: str) -> None:
        super().set_filter(text)
        self._stale = True

    def _cells(self, row: dict[str, Any]) -> list[Any]:
        status = row.get("status")
        score = row.get("score")
        return [
            clock(row["time"]),
            Text(row["tier"] or "-", style=tier_colour(self.app, row["tier"])),
            f"{row['provider']}:{row['model']}" if row["provider"] else "-",
            ms(row.get("latency_ms")),
            ms(row.get("ttft_ms")),
            f"{row['input_tokens']}/{row['output_tokens']}",
            money(row.get("cost_usd"), 5),
            Text(str(status), style="red" if isinstance(status, int) and status >= 400 else ""),
            "-" if score is None else f"{score:.2f}",
            row["rule"] or "-",
            row["session"] or "-",
            row["client"] or "-",
        ]

    def repaint(self, state: LiveState) -> None:
        reset, new = state.take_new_rows()
        table = self.table
        at_end = self.following and (table.row_count == 0 or table.cursor_row >= table.row_count - 1)
        if reset or self._stale or new > len(state.decisions):
            table.set_rows(row for row in state.decisions if matches(row, self.filter_text))
            self._stale = False
        elif new:
            fresh = list(islice(reversed(state.decisions), new))[::-1]
            table.append((row for row in fresh if matches(row, self.filter_text)), limit=self.max_rows)
        if at_end and table.row_count:
            table.move_cursor(row=table.row_count - 1)
        self.query_one(TierBars).show(state)
        self.query_one(LatencyPanel).show(state)
        self.query_one(TrafficPanel).show(state)

    def mark_stale(self) -> None:
        self._stale = True

    def selected_id(self) -> str | None:
        return self.table.key_at_cursor()

    def action_replay(self) -> None:
        if decision_id := self.selected_id():
            self.console.replay_decision(decision_id)

    def action_follow(self) -> None:
        self.following = not self.following
        self.notify("following new decisions" if self.following else "paused following")

    def on_decision_list_selected(self, event: DecisionList.Selected) -> None:
        event.stop()
        self.console.open_decision(event.key)
