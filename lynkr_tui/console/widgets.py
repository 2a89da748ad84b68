"""Small widgets the views share: the header bar, tier bars, latency rows with sparklines, a j/k table."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from lynkr_tui.console.state import TIERS, LiveState

TIER_FALLBACK = {"simple": "green", "medium": "blue", "complex": "yellow", "reasoning": "magenta"}
# P95 latency thresholds (ms) for the sparkline colour: under OK is fine, over SLOW is a problem.
P95_OK_MS = 2000.0
P95_SLOW_MS = 8000.0


def tier_colour(app: Any, tier: str) -> str:
    try:
        return str(app.current_theme.variables.get(f"tier-{tier}") or TIER_FALLBACK.get(tier, "white"))
    except Exception:  # no app yet (unit use)
        return TIER_FALLBACK.get(tier, "white")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.1f}s" if value >= 10_000 else f"{value:.0f}ms"


def money(value: float | None, digits: int = 4) -> str:
    """Dollars: small amounts with ``digits`` decimals (requests cost fractions of a cent), large with 2."""
    if value is None:
        return "-"
    return f"${value:.2f}" if abs(value) >= 1 else f"${value:.{digits}f}"


def clock(ts: float | None) -> str:
    return "-" if not ts else time.strftime("%H:%M:%S", time.localtime(ts))


class KeyTable(DataTable):
    """A DataTable with the vi/k9s movement keys."""

    BINDINGS = [
        Binding("j", "cursor_down", "down", show=False),
        Binding("k", "cursor_up", "up", show=False),
        Binding("g", "scroll_top", "top", show=False),
        Binding("G", "scroll_bottom", "bottom", show=False),
    ]


class HeaderBar(Static):
    """Daemon up/down, version, uptime, req/s, spend and savings, in-flight, and the current view."""

    def show(self, state: LiveState, view: str, now: float, readonly: bool) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" LYNKR ", style="bold reverse")
        text.append(f" {view}", style="bold")
        if readonly:
            text.append(" (read-only)", style="italic")
        status = state.status
        if status is None:
            text.append("  ● down ", style="bold red")
            text.append(f" {state.last_error or 'no daemon answers on the control socket'}")
        else:
            traffic = status.get("traffic") or {}
            started = status.get("started_at")
            uptime = now - started if started else status.get("uptime_seconds")
            # Most important first: an 80-column terminal cuts the tail.
            text.append("  ● up", style="bold green")
            text.append(f" {duration(uptime)}  ")
            text.append(f"{traffic.get('requests_per_second', 0):.1f} req/s  ", style="bold")
            text.append(f"{traffic.get('in_flight', 0)} in flight  ")
            if "spend_today_usd" in traffic:
                text.append(f"{money(traffic.get('spend_today_usd'))} today  ")
            else:  # an older daemon: what it spent since it started
                text.append(f"{money(traffic.get('spend_usd'))} spent  ")
            if traffic.get("baseline"):
                against = f" vs {traffic['baseline']}" if self.size.width >= 130 else ""
                text.append(f"saved {money(traffic.get('savings_usd'))}{against}  ", style="green")
            text.append(f"v{status.get('version', '?')}", style="dim")
            if state.dropped:
                text.append(f"  dropped {state.dropped}", style="yellow")
        self.update(text)


class TierBars(Static):
    """Requests per tier in the buffered decisions, as horizontal bars sized to the widget at render time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._counts: dict[str, int] = {}

    def show(self, state: LiveState) -> None:
        counts = {tier: state.tier_counts.get(tier, 0) for tier in TIERS}
        if counts != self._counts:
            self._counts = counts
            self.refresh()

    def render(self) -> Text:
        total = sum(self._counts.values()) or 1
        width = max(8, self.size.width - 22)
        text = Text()
        for tier in TIERS:
            n = self._counts.get(tier, 0)
            text.append(f"{tier:<10}", style="bold")
            text.append("█" * round(width * n / total) or "▏", style=tier_colour(self.app, tier))
            text.append(f" {n} {100 * n / total:>3.0f}%\n")
        return text


class LatencyRow(Horizontal):
    """One tier: P50/P95/P99 and a sparkline of its P95, coloured by threshold."""

    def __init__(self, tier: str) -> None:
        super().__init__(classes="latency-row")
        self.tier = tier

    def compose(self) -> ComposeResult:
        yield Static(self.tier, classes="latency-label")
        yield Static("-", classes="latency-numbers")
        yield Sparkline([], classes="latency-spark")

    def show(self, values: dict[str, Any] | None, history: list[float]) -> None:
        lat = (values or {}).get("latency_ms") or {}
        self.query_one(".latency-numbers", Static).update(
            f"{ms(lat.get('p50')):>6} {ms(lat.get('p95')):>6} {ms(lat.get('p99')):>6}"
        )
        spark = self.query_one(Sparkline)
        spark.data = history
        p95 = lat.get("p95") or 0.0
        spark.set_class(p95 < P95_OK_MS, "-ok")
        spark.set_class(P95_OK_MS <= p95 < P95_SLOW_MS, "-warn")
        spark.set_class(p95 >= P95_SLOW_MS, "-bad")


class LatencyPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("tier        p50    p95    p99   p95 trend", classes="panel-title")
        for tier in TIERS:
            yield LatencyRow(tier)

    def show(self, state: LiveState) -> None:
        live = ((state.stats or {}).get("live") or {}).get("tier") or {}
        for row in self.query(LatencyRow):
            row.show(live.get(row.tier), list(state.p95_history.get(row.tier, ())))


class TrafficPanel(Vertical):
    """Request-rate and spend sparklines."""

    def compose(self) -> ComposeResult:
        yield Static("req/s", classes="spark-label", id="rate-label")
        yield Sparkline([], id="rate-spark")
        yield Static("spend", classes="spark-label", id="spend-label")
        yield Sparkline([], id="spend-spark")

    def show(self, state: LiveState) -> None:
        traffic = (state.stats or {}).get("traffic") or {}
        self.query_one("#rate-label", Static).update(f"req/s {traffic.get('requests_per_second', 0):.1f}")
        self.query_one("#spend-label", Static).update(f"spend {money(traffic.get('spend_usd'))}")
        self.query_one("#rate-spark", Sparkline).data = list(state.rate_history)
        self.query_one("#spend-spark", Sparkline).data = list(state.spend_history)
