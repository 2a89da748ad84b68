"""The Config view (edit, validate live, diff, apply) and the Replay view (one decision or a window)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from lynkr_tui.console.base import View
from lynkr_tui.console.configedit import ProblemTextArea, key_line, unified_diff
from lynkr_tui.console.state import TIERS
from lynkr_tui.console.widgets import KeyTable, clock, money, tier_colour

VALIDATE_DELAY = 0.35  # seconds of quiet typing before the text is sent for validation


class ConfigView(View):
    NAME = "config"
    BINDINGS = [
        Binding("ctrl+s", "apply", "diff + apply"),
        Binding("ctrl+r", "revert", "revert edits"),
    ]
    MUTATING = frozenset({"apply"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.running_text: str | None = None
        self.source_path: str | None = None
        self.problems: list[dict[str, Any]] = []
        self.valid: bool | None = None
        self._loaded = False
        self._timer: Any = None
        self._generation = 0  # ignore validation answers for text that has since changed

    def compose(self) -> ComposeResult:
        yield Static("", id="config-status", classes="hint")
        with Horizontal(id="config-body"):
            yield ProblemTextArea(
                "",
                id="config-editor",
                show_line_numbers=True,
                read_only=self.console.readonly,
                soft_wrap=False,
            )
            with VerticalScroll(id="config-problems-box"):
                yield Static("", id="config-problems")

    @property
    def editor(self) -> ProblemTextArea:
        return self.query_one("#config-editor", ProblemTextArea)

    @property
    def edited(self) -> bool:
        return self._loaded and self.running_text is not None and self.editor.text != self.running_text

    def activated(self) -> None:
        self.editor.focus()
        if not self._loaded:
            self.action_revert()

    def daemon_reloaded(self, visible: bool) -> None:
        """The daemon loaded a config (a reload or an apply): show it, unless the operator is editing."""
        if self.edited:
            self.notify("the daemon reloaded its config; your edits are kept (ctrl+r to discard them)")
            return
        self._loaded = False
        if visible:
            self.action_revert()

    def action_revert(self) -> None:
        self.console.run_action_in_thread(lambda source: source.config(), self._loaded_config)

    def _loaded_config(self, data: Any) -> None:
        self.running_text = (data or {}).get("text")
        self.source_path = (data or {}).get("source")
        self._loaded = True
        self.editor.load_text(self.running_text or "")
        self.problems, self.valid = [], True
        self._draw()

    def on_text_area_changed(self, event: ProblemTextArea.Changed) -> None:
        event.stop()
        if not self._loaded:
            return
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(VALIDATE_DELAY, self.validate_now)
        self._draw()

    def validate_now(self) -> None:
        generation, text = self._generation, self.editor.text

        def done(result: Any) -> None:
            if generation != self._generation:
                return  # the text changed again; a newer validation is on its way
            self.valid = bool(result.get("valid"))
            self.problems = list(result.get("problems") or [])
            self._draw()

        self.console.run_action_in_thread(lambda source: source.validate_config(text), done)

    def _draw(self) -> None:
        status = self.query_one("#config-status", Static)
        where = self.source_path or "no config file: the daemon runs on defaults"
        state = "edited" if self.edited else "as running"
        if self.valid is False:
            verdict = Text(f"  ✗ {len(self.problems)} problem(s): cannot apply", style="bold red")
        elif self.edited:
            verdict = Text(
                "  ✓ valid" + ("" if self.console.readonly else ": ctrl+s shows the diff"), "green"
            )
        else:
            verdict = Text("")
        status.update(Text.assemble(f"{where}  [{state}]", verdict, Text("  (esc leaves the editor)", "dim")))
        text = self.editor.text
        lines: dict[int, str] = {}
        listing = Text()
        for p in self.problems:
            line = key_line(text, str(p.get("key", "")))
            lines.setdefault(line, f"{p.get('key')}: {p.get('message')}")
            listing.append(f"L{line + 1} ", style="bold")
            listing.append(f"{p.get('key')}\n", style="bold red")
            listing.append(f"  {p.get('message')}\n")
        self.editor.set_problems(lines)
        self.query_one("#config-problems", Static).update(listing or Text("no problems", style="dim"))

    def action_apply(self) -> None:
        if not self.edited:
            self.notify("nothing to apply: the text is the running config")
            return
        if self.valid is not True:
            self.notify("the edited config is not valid (or not checked yet): not applied", severity="error")
            return
        text = self.editor.text
        diff = unified_diff(self.running_text or "", text)

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return

            def done(result: Any) -> None:
                if result.get("applied"):
                    self.notify("config applied and hot-reloaded")
                    self.action_revert()
                else:
                    self.valid = False
                    self.problems = list(result.get("problems") or [])
                    self._draw()
                    self.notify("the daemon refused the config: nothing changed", severity="error")

            self.console.run_action_in_thread(lambda source: source.apply_config(text), done)

        self.console.show_diff(diff, confirmed)


class ReplayView(View):
    NAME = "replay"
    FILTERABLE = True
    BINDINGS = [
        Binding("enter", "replay", "replay (running config)"),
        Binding("e", "replay_edited", "replay (edited config)"),
        Binding("w", "window", "replay window"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(
            "pick a decision: enter replays it through the running config, e through the config "
            "being edited in :config; w replays the window below",
            classes="hint",
        )
        with Horizontal(id="replay-controls"):
            yield Static("window:", classes="inline-label")
            yield Input("1h", id="replay-since")
        with Horizontal(id="replay-body"):
            table = KeyTable(id="replay-pick", cursor_type="row", zebra_stripes=True)
            for label in ("id", "time", "tier", "session", "rule"):
                table.add_column(label, key=label)
            yield table
            with VerticalScroll(id="replay-result-box"):
                with Horizontal(id="replay-sides"):
                    yield Static("", id="replay-old", classes="replay-side")
                    yield Static("", id="replay-new", classes="replay-side")
                yield Static("", id="replay-extra")

    def activated(self) -> None:
        self.query_one("#replay-pick", KeyTable).focus()
        self._pick_list()

    def set_filter(self, text: str) -> None:
        super().set_filter(text)
        self._pick_list()

    def _pick_list(self, select: str | None = None) -> None:
        from lynkr_tui.console.state import matches

        table = self.query_one("#replay-pick", KeyTable)
        table.clear()
        rows = [d for d in reversed(self.console.state.decisions) if matches(d, self.filter_text)][:200]
        for d in rows:
            key = str(d["id"])
            if key not in table.rows:
                table.add_row(
                    key[-12:], clock(d["time"]), d["tier"], (d["session"] or "-")[:14], d["rule"], key=key
                )
        if select and select in table.rows:
            table.move_cursor(row=table.get_row_index(select), animate=False)

    def _selected(self) -> str | None:
        table = self.query_one("#replay-pick", KeyTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def replay(self, decision_id: str, config_text: str | None = None) -> None:
        body: dict[str, Any] = {"id": decision_id}
        if config_text is not None:
            body["config_text"] = config_text
        self.query_one("#replay-extra", Static).update(Text(f"replaying {decision_id}…", style="dim"))
        self.console.run_action_in_thread(lambda source: source.replay(body), self.show_one)

    def select_and_replay(self, decision_id: str) -> None:
        self._pick_list(select=decision_id)
        self.replay(decision_id)

    def on_data_table_row_selected(self, event: KeyTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.replay(str(event.row_key.value))

    def action_replay(self) -> None:
        if decision_id := self._selected():
            self.replay(decision_id)

    def action_replay_edited(self) -> None:
        config = self.console.config_view
        if not config.edited:
            self.notify("no edited config: edit it in :config first (replaying with the running one)")
            return self.action_replay()
        if decision_id := self._selected():
            self.replay(decision_id, config.editor.text)

    def action_window(self) -> None:
        from lynkr_tui.observe_cmd import parse_duration

        raw = self.query_one("#replay-since", Input).value
        try:
            seconds = parse_duration(raw)
        except ValueError:
            self.notify(f"{raw!r} is not a duration like 30m, 1h or 7d", severity="error")
            return
        body: dict[str, Any] = {"since_seconds": seconds}
        config = self.console.config_view
        if config.edited:
            body["config_text"] = config.editor.text
        self.console.run_action_in_thread(lambda source: source.replay(body), self.show_window)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "replay-since":
            event.stop()
            self.action_window()

    def _side(self, title: str, side: dict[str, Any]) -> Text:
        text = Text()
        text.append(f"{title}\n", style="bold underline")
        tier = side.get("tier") or "-"
        text.append("tier   ")
        text.append(f"{tier}\n", style=f"bold {tier_colour(self.app, tier)}")
        text.append(f"score  {side.get('score')}\nrule   {side.get('rule')}\n")
        text.append(f"via    {side.get('provider')}\nmodel  {side.get('model')}\n")
        for reason in side.get("reasons") or []:
            text.append(f" · {reason}\n", style="dim")
        return text

    def show_one(self, result: Any) -> None:
        old_box = self.query_one("#replay-old", Static)
        new_box = self.query_one("#replay-new", Static)
        extra = self.query_one("#replay-extra", Static)
        if not result.get("replayable"):
            old_box.update("")
            new_box.update("")
            extra.update(Text(f"{result.get('id')}: cannot replay: {result.get('reason')}", style="yellow"))
            return
        old_box.update(self._side("recorded", result["old"]))
        new_box.update(self._side("replayed", result["new"]))
        text = Text()
        text.append("MOVED\n" if result.get("moved") else "same tier\n", style="bold")
        text.append(f"{'dimension':<20}{'recorded':>9}{'now':>8}{'weight':>7}\n", style="bold")
        for d in result.get("dimensions") or []:
            old = "-" if d.get("old") is None else f"{d['old']:.3f}"
            changed = d.get("old") is not None and abs(d["old"] - d["new"]) > 1e-3
            text.append(f"{d['name'][:19]:<20}{old:>9}{d['new']:>8.3f}{d['weight']:>7g}\n",
                        style="yellow" if changed else "")  # fmt: skip
        extra.update(text)

    def show_window(self, result: Any) -> None:
        mix_old, mix_new = result["tier_mix"]["old"], result["tier_mix"]["new"]
        text = Text()
        text.append(
            f"window {result['window_seconds'] / 3600:.1f} h: {result['replayed']} replayed, "
            f"{result['skipped']} without a stored body, {result['moved']} would move\n",
            style="bold",
        )
        text.append(f"{'tier':<11}{'recorded':>9}{'replayed':>9}{'shift':>7}\n", style="bold")
        for tier in TIERS:
            a, b = mix_old.get(tier, 0), mix_new.get(tier, 0)
            text.append(f"{tier:<11}", style=tier_colour(self.app, tier))
            text.append(f"{a:>9}{b:>9}{b - a:>+7}\n")
        cost = result["cost_usd"]
        delta = cost["new"] - cost["old"]
        text.append(
            f"cost {money(cost['old'])} -> {money(cost['new'])} ({'+' if delta >= 0 else ''}{delta:.4f})"
        )
        if cost.get("unknown"):
            text.append(f"  ({cost['unknown']} without a known price)", style="dim")
        self.query_one("#replay-old", Static).update("")
        self.query_one("#replay-new", Static).update("")
        self.query_one("#replay-extra", Static).update(text)
