"""Screens pushed over the views: decision detail, help, confirm, and the config diff before applying."""

from __future__ import annotations

import json
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from lynkr_tui.console.widgets import clock, money, ms, tier_colour

BODY_LIMIT = 20_000  # characters of a stored body shown; the rest is cut with a note


def _pretty(body: Any) -> str:
    if body is None:
        return "(not stored)"
    text = body if isinstance(body, str) else json.dumps(body)
    try:
        text = json.dumps(json.loads(text), indent=2)
    except ValueError:
        pass
    if len(text) > BODY_LIMIT:
        text = text[:BODY_LIMIT] + f"\n… {len(text) - BODY_LIMIT} more characters"
    return text


def _json_field(value: Any, default: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return default if value is None else value


class DecisionScreen(Screen):
    """Everything recorded about one decision, fetched by id when opened."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "back"),
        Binding("j", "scroll('down')", "down", show=False),
        Binding("k", "scroll('up')", "up", show=False),
        Binding("R", "replay", "replay it"),
    ]

    def __init__(self, decision_id: str, weights: dict[str, float]) -> None:
        super().__init__()
        self.decision_id = decision_id
        self.weights = weights

    def on_mount(self) -> None:
        self.app.run_action_in_thread(  # type: ignore[attr-defined]
            lambda source: source.decision(self.decision_id),
            lambda row: self.show(row, self.weights),
            self.failed,
        )

    def compose(self) -> ComposeResult:
        yield Static(f" decision {self.decision_id}", id="detail-title")
        with VerticalScroll(id="detail-scroll"):
            yield Static("loading…", id="detail-summary")
            yield Static("", id="detail-dims")
            yield Static("", id="detail-request")
            yield Static("", id="detail-response")
        yield Footer()

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#detail-scroll", VerticalScroll)
        box.scroll_down() if direction == "down" else box.scroll_up()

    def action_replay(self) -> None:
        self.app.pop_screen()
        self.app.replay_decision(self.decision_id)  # type: ignore[attr-defined]

    def show(self, row: dict[str, Any], weights: dict[str, float]) -> None:
        if not self.is_attached:
            return
        tier = row.get("tier") or "-"
        text = Text()
        text.append(f"{clock(row.get('started_at') or row.get('time'))}  ", style="bold")
        text.append(f"{tier}", style=f"bold {tier_colour(self.app, tier)}")
        text.append(f"  {row.get('provider')}:{row.get('model')}  status {row.get('status')}\n")
        text.append(f"session {row.get('session') or '-'}  dialect {row.get('dialect') or '-'}  ")
        text.append(
            f"requested model {row.get('requested_model') or '-'}  override {row.get('override') or '-'}\n"
        )
        text.append(f"score {row.get('score')}  rule {row.get('rule')}\n")
        text.append(
            f"latency {ms(row.get('latency_ms'))}  TTFT {ms(row.get('ttft_ms'))}  upstream "
            f"{ms(row.get('upstream_ms'))}  "
            f"tokens {row.get('input_tokens', 0)}/{row.get('output_tokens', 0)}  "
            f"cost {money(row.get('cost_usd'), 5)}\n"
        )
        if row.get("error"):
            text.append(f"error: {row['error']}\n", style="red")
        reasons = _json_field(row.get("reasons"), [])
        if reasons:
            text.append("\nreasons\n", style="bold underline")
            for reason in reasons:
                text.append(f" · {reason}\n")
        hops = _json_field(row.get("hops"), [])
        text.append("\nfallback chain\n", style="bold underline")
        if not hops:
            text.append(" (served by the first candidate)\n", style="dim")
        for n, hop in enumerate(hops, 1):
            text.append(f" {n}. {hop.get('provider')}:{hop.get('model')}  ")
            text.append(f"{hop.get('error') or 'ok'}\n", style="red" if hop.get("error") else "green")
        self.query_one("#detail-summary", Static).update(text)
        dims = _json_field(row.get("dimensions"), {})
        table = Text()
        table.append("\ndimension             value   weight   points\n", style="bold underline")
        for name, value in sorted(dims.items()):
            weight = weights.get(name)
            points = value * weight if isinstance(value, int | float) and weight is not None else None
            shown_weight = "-" if weight is None else f"{weight:g}"
            shown_points = "-" if points is None else f"{points:.2f}"
            shown_value = value if not isinstance(value, float) else round(value, 3)
            table.append(f"{name[:20]:<20} {shown_value:>7} {shown_weight:>8} {shown_points:>8}\n")
        if not dims:
            table.append(" (no dimensions recorded)\n", style="dim")
        self.query_one("#detail-dims", Static).update(table)
        for box, key, title in (
            ("#detail-request", "request_body", "request"),
            ("#detail-response", "response_body", "response"),
        ):
            body = _pretty(row.get(key))
            self.query_one(box, Static).update(
                Text.assemble(Text(f"\n{title} body\n", style="bold underline"), Text(body))
                if row.get(key) is None
                else Syntax(f"// {title} body\n" + body, "json", word_wrap=True, theme="ansi_dark")
            )

    def failed(self, message: str) -> None:
        if not self.is_attached:
            return
        self.query_one("#detail-summary", Static).update(Text(message, style="red"))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static(self.text, id="help-text")


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "yes"), Binding("n,escape", "answer(False)", "no")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question)
            yield Static("y = yes   n / esc = no", classes="hint")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class DiffScreen(ModalScreen[bool]):
    """The diff between the running and the edited config; y applies, n goes back to editing."""

    BINDINGS = [
        Binding("y", "answer(True)", "apply"),
        Binding("n,escape", "answer(False)", "back"),
        Binding("j", "scroll('down')", "down", show=False),
        Binding("k", "scroll('up')", "up", show=False),
    ]

    def __init__(self, diff: list[str]) -> None:
        super().__init__()
        self.diff = diff

    def compose(self) -> ComposeResult:
        text = Text()
        for line in self.diff or ["(no changes)"]:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
            text.append(line + "\n", style="bold" if line.startswith("@@") else style)
        with Vertical(id="diff-box", classes="dialog"):
            yield Static("apply this change? it is validated again and hot-reloaded", classes="hint")
            with VerticalScroll(id="diff-scroll"):
                yield Static(text, id="diff-text")
            yield Static("y = apply   n / esc = back to editing", classes="hint")

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#diff-scroll", VerticalScroll)
        box.scroll_down() if direction == "down" else box.scroll_up()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class DownScreen(ModalScreen[bool]):
    """No daemon answers: say so and offer to start one (``lynkr up``)."""

    BINDINGS = [
        Binding("s", "answer(True)", "start daemon"),
        Binding("escape", "answer(False)", "keep waiting"),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self, socket: str, can_start: bool) -> None:
        super().__init__()
        self.socket = socket
        self.can_start = can_start

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="down-box"):
            yield Static(Text("Lynkr is not running", style="bold red"))
            yield Static(f"nothing answers on {self.socket}.")
            yield Static(
                "s starts one now (like `lynkr up`); esc keeps watching and reconnects by itself"
                if self.can_start
                else "esc keeps watching; the console reconnects by itself when the daemon is back",
                classes="hint",
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer" and parameters and parameters[0] is True:
            return self.can_start
        return True

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
