"""``lynkr watch``: the operator console.

Threads and ownership: two daemon threads talk to the control socket (the event reader and the
poller); they never touch widgets or ``LiveState``. The reader appends raw events to a bounded
``Inbox``; the poller hands status/snapshot results to the UI thread with ``call_from_thread``.
A repaint timer on the UI thread drains the inbox into ``LiveState`` in one batch and redraws the
visible view, so 200 events/s cost a few table appends per frame, not 200 redraws.

Why stdlib threads rather than an asyncio/aiohttp worker: the CLI's stdlib client is already the
control-socket contract (one HTTP stack to keep right), and blocking reads in a thread keep JSON
parsing and socket waits off the loop that draws the screen. Plain daemon threads (not Textual
workers) because the reader blocks in ``readline`` up to the daemon's heartbeat, and a daemon
thread never holds up quitting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import ContentSwitcher, Footer, Input, TextArea

from lynkr_tui.console.base import View
from lynkr_tui.console.screens import ConfirmScreen, DecisionScreen, DiffScreen, DownScreen, HelpScreen
from lynkr_tui.console.source import ControlError, DataSource, NotRunning
from lynkr_tui.console.state import MAX_ROWS, Inbox, LiveState
from lynkr_tui.console.views_config import ConfigView, ReplayView
from lynkr_tui.console.views_live import LiveView
from lynkr_tui.console.views_ops import BreakersView, MemoryView, SessionsView
from lynkr_tui.console.widgets import HeaderBar

VIEW_NAMES = ("live", "sessions", "breakers", "memory", "config", "replay")
HELP = """\
[b]lynkr watch[/b]: the operator console

[b]:name[/b]   switch view: live, sessions, breakers, memory, config, replay (a prefix is enough: :s)
[b]/[/b]       filter the current table (esc clears)     [b]?[/b] this help     [b]q[/b] quit
[b]j / k[/b]   move down / up       [b]g / G[/b] top / bottom      [b]esc[/b] back
[b]ctrl+p[/b]  command palette: every view and action

[b]live[/b]      enter opens a decision, R replays it, f toggles following new rows
[b]sessions[/b]  1 simple  2 medium  3 complex  4 reasoning  0 auto (unpin)
[b]breakers[/b]  r resets the selected provider's breaker
[b]memory[/b]    s or the search box searches, d deletes the selected entry
[b]config[/b]    edit; problems show at their key as you type; ctrl+s diff + apply, ctrl+r revert
[b]replay[/b]    enter: running config, e: the config being edited, w: replay the window

In --readonly mode every action that changes the daemon is hidden.
"""


class LynkrConsole(App[None]):
    CSS_PATH = "console.tcss"
    TITLE = "lynkr watch"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]
    BINDINGS = [
        # Priority: handled as the key arrives, so keys typed right after ":" land in the prompt
        # (a normal binding runs only after the next keys were already sent to the focused widget).
        Binding("colon", "prompt('view')", "view", key_display=":", priority=True),
        Binding("slash", "prompt('filter')", "filter", key_display="/", priority=True),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("escape", "back", "back", show=False),
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        source: DataSource,
        *,
        readonly: bool = False,
        theme: Theme | None = None,
        extra_themes: Iterable[Theme] = (),
        clock: Callable[[], float] = time.time,
        poll_interval: float = 1.0,
        fps: float = 5.0,
        max_rows: int = MAX_ROWS,
        threaded: bool = True,
        can_start: bool = True,
        socket_label: str = "the control socket",
    ) -> None:
        super().__init__()
        self.source = source
        self.readonly = readonly
        self.clock = clock
        self.poll_interval = poll_interval
        self.fps = fps
        self.max_rows = max_rows
        self.threaded = threaded  # False: poll and act inline (deterministic tests with a fake source)
        self.can_start = can_start
        self.socket_label = socket_label
        self.state = LiveState(max_rows=max_rows)
        self.inbox = Inbox()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._identity: tuple[Any, Any] | None = None
        self._weights: dict[str, float] = {}
        self._ever_connected = False
        self._asked_to_start = False
        self._painted_version = -1
        self._last_view_poll: dict[str, float] = {}
        self._prompt_mode = "view"
        self.active_name = "live"
        self._active_for_thread: View | None = None  # the poller's copy, set on the UI thread
        for extra in extra_themes:
            self.register_theme(extra)
        if theme is not None:
            self.register_theme(theme)
            self.theme = theme.name

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with ContentSwitcher(id="views", initial="live"):
            yield LiveView(self.max_rows, id="live")
            yield SessionsView(id="sessions")
            yield BreakersView(id="breakers")
            yield MemoryView(id="memory")
            yield ConfigView(id="config")
            yield ReplayView(id="replay")
        yield Input(id="prompt", placeholder=":view  (live, sessions, breakers, memory, config, replay)")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # Kept by reference: App.query_one searches the *current* screen, which may be a pushed one.
        self._header = self.query_one(HeaderBar)
        self._prompt = self.query_one("#prompt", Input)
        self._switcher = self.query_one(ContentSwitcher)
        self._views = {name: self.query_one(f"#{name}", View) for name in VIEW_NAMES}
        self._prompt.display = False
        self._active_for_thread = self.view_named("live")
        self.set_interval(1.0 / self.fps, self.repaint)
        if self.threaded:
            threading.Thread(target=self._read_events, name="lynkr-watch-events", daemon=True).start()
            threading.Thread(target=self._poll_loop, name="lynkr-watch-poller", daemon=True).start()
        else:
            self.poll_once()
        self.view_named("live").activated()

    def on_unmount(self) -> None:
        self._stop.set()
        self._wake.set()

    def now(self) -> float:
        return self.clock()

    @property
    def active_view(self) -> View:
        return self.view_named(self.active_name)

    def view_named(self, name: str) -> View:
        return self._views[name]

    @property
    def config_view(self) -> ConfigView:
        return self._views["config"]  # type: ignore[return-value]

    # ------------------------------------------------------------------ background I/O

    def _post(self, fn: Callable[..., Any], *args: Any) -> bool:
        """Run ``fn`` on the UI thread (inline when not threaded); False once the app is gone."""
        if not self.threaded:
            fn(*args)
            return True
        if self._stop.is_set():
            return False
        try:
            self.call_from_thread(fn, *args)
        except Exception:  # the app is shutting down
            return False
        return True

    def _read_events(self) -> None:
        while not self._stop.is_set():
            try:
                for event in self.source.events(self._stop):
                    self.inbox.put(event)
            except Exception:
                # Down, restarting, or a torn stream: retry shortly. The poller notices a new daemon
                # and reloads a full snapshot, so events missed in between are not lost from view.
                pass
            self._stop.wait(1.0)

    def _poll_loop(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._wake.wait(self.poll_interval)
            self._wake.clear()

    def poll_once(self) -> None:
        """One round: status and stats; a full snapshot when the daemon is new to us; the active view."""
        source = self.source
        try:
            status = source.status()
            stats = source.stats()
            identity = (status.get("pid"), status.get("started_at"))
            if identity != self._identity:
                decisions = source.recent_decisions(self.max_rows)
                try:
                    weights = dict(((source.config().get("routing") or {}).get("weights")) or {})
                except ControlError:
                    weights = {}
                self._identity = identity
                self._last_view_poll.clear()  # a restarted daemon: refetch every view
                if not self._post(self._apply_snapshot, status, stats, decisions, weights):
                    return
            elif not self._post(self._apply_status, status, stats):
                return
        except NotRunning as exc:
            self._identity = None
            self._post(self._apply_down, str(exc))
            return
        except ControlError as exc:
            self._post(self._apply_error, str(exc))
            return
        view = self.active_view if not self.threaded else self._active_for_thread
        if view is None or view.POLL_SECONDS is None:
            return
        last = self._last_view_poll.get(view.NAME, 0.0)
        if time.monotonic() - last < view.POLL_SECONDS:
            return
        self._last_view_poll[view.NAME] = time.monotonic()
        try:
            data = view.fetch(source)
        except ControlError as exc:
            self._post(self._apply_error, str(exc))
            return
        self._post(view.show, data)

    def refresh_view(self, view: View) -> None:
        """Fetch ``view``'s data now (it was switched to, or an action changed it)."""
        self._last_view_poll.pop(view.NAME, None)
        if self.threaded:
            self._wake.set()
        else:
            self.poll_once()

    def _apply_snapshot(
        self, status: dict[str, Any], stats: dict[str, Any], decisions: list[dict[str, Any]], weights: dict
    ) -> None:
        reconnected = self._ever_connected
        self._ever_connected = True
        self._weights = weights
        self.state.last_error = None
        self.state.set_status(status, stats)
        self.state.load_snapshot(decisions)
        if reconnected:
            self.notify("reconnected to the daemon; snapshot reloaded")
        if isinstance(self.screen, DownScreen):
            self.screen.dismiss(False)
        self.repaint(force=True)

    def _apply_status(self, status: dict[str, Any], stats: dict[str, Any]) -> None:
        self.state.last_error = None
        self.state.set_status(status, stats)

    def _apply_down(self, message: str) -> None:
        was_up = self.state.connected
        self.state.set_status(None, None)
        self.state.last_error = "daemon not running: reconnecting…" if self._ever_connected else message
        if was_up:
            self.notify("the daemon went away; reconnecting by itself", severity="warning")
        if not self._ever_connected and not self._asked_to_start:
            self._asked_to_start = True
            self.push_screen(
                DownScreen(self.socket_label, self.can_start and not self.readonly), self._start_answer
            )
        self.repaint(force=True)

    def _apply_error(self, message: str) -> None:
        self.state.last_error = message
        self.notify(message, severity="error")

    def _start_answer(self, start: bool | None) -> None:
        if not start:
            return
        self.notify("starting the daemon…")
        self.run_action_in_thread(lambda source: source.start_daemon(), lambda msg: self.notify(str(msg)))

    def run_action_in_thread(
        self,
        work: Callable[[DataSource], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None] | None = None,
    ) -> None:
        """Run a blocking control-socket call off the UI thread, then ``done(result)`` on it
        (or ``failed(message)``, which defaults to a notification)."""

        def job() -> None:
            try:
                result = work(self.source)
            except NotRunning as exc:
                message = f"the daemon is not reachable: {exc}"
                self._post(failed or (lambda m: self.notify(m, severity="error")), message)
                return
            except Exception as exc:  # a refusal or an unexpected answer: show it, keep running
                self._post(failed or (lambda m: self.notify(m, severity="error")), str(exc))
                return
            self._post(done, result)

        if not self.threaded:
            job()
            return
        self.run_worker(job, thread=True, group="actions", exit_on_error=False)

    # ------------------------------------------------------------------ repaint

    def repaint(self, force: bool = False) -> None:
        """Drain the inbox into the state, then redraw the header and the visible view."""
        batch = self.inbox.drain()
        kinds = set()
        for event in batch:
            self.state.handle(event)
            kinds.add(event.get("type"))
        # Events that change what a polled view shows: fetch it now rather than at its next poll.
        if ("breaker" in kinds and self.active_name == "breakers") or (
            "session" in kinds and self.active_name == "sessions"
        ):
            self.refresh_view(self.active_view)
        if "config" in kinds:
            self.config_view.daemon_reloaded(visible=self.active_name == "config")
        if self.inbox.dropped:
            self.state.dropped += self.inbox.dropped
            self.inbox.dropped = 0
        live: LiveView = self._views["live"]  # type: ignore[assignment]
        if self.active_name != "live" and (self.state.new_rows or self.state.reset_rows):
            self.state.take_new_rows()
            live.mark_stale()
        self._header.show(self.state, self.active_name, self.now(), self.readonly)
        if force or self.state.version != self._painted_version:
            self._painted_version = self.state.version
            self.active_view.repaint(self.state)

    # ------------------------------------------------------------------ navigation

    def switch_view(self, name: str) -> bool:
        matches = [v for v in VIEW_NAMES if v.startswith(name.strip().lower())] if name.strip() else []
        if len(matches) != 1:
            self.notify(f"no single view matches {name!r}: {', '.join(VIEW_NAMES)}", severity="warning")
            return False
        self.active_name = matches[0]
        self._active_for_thread = self.view_named(self.active_name)
        self._switcher.current = self.active_name
        view = self.active_view
        view.activated()
        view.repaint(self.state)
        self._header.show(self.state, self.active_name, self.now(), self.readonly)
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "prompt":
            # ":" and "/" are text while typing in an editor or a box, and mean nothing over a dialog.
            return not isinstance(self.focused, Input | TextArea) and len(self.screen_stack) == 1
        return True

    def action_prompt(self, mode: str) -> None:
        if mode == "filter" and not self.active_view.FILTERABLE:
            self.notify(f"the {self.active_name} view has nothing to filter")
            return
        self._prompt_mode = mode
        prompt = self._prompt
        prompt.placeholder = (
            "view: live, sessions, breakers, memory, config, replay" if mode == "view" else "filter words"
        )
        prompt.value = self.active_view.filter_text if mode == "filter" else ""
        prompt.display = True
        self.set_focus(prompt)  # now, not later: keys typed right after ":" must land in the prompt

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "prompt" and self._prompt_mode == "filter":
            self.active_view.set_filter(event.value)
            self.active_view.repaint(self.state)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "prompt":
            return
        self._close_prompt()
        if self._prompt_mode == "view":
            if event.value.strip() in ("q", "quit"):
                self.exit()
                return
            self.switch_view(event.value)

    def _close_prompt(self) -> None:
        self._prompt.display = False
        self.active_view.activated()

    def action_back(self) -> None:
        prompt = self._prompt
        focused = self.focused
        if isinstance(focused, TextArea | Input) and focused is not prompt and not prompt.display:
            # Leave the editor or search box, so the view keys (":", "/", "q") work again.
            self.set_focus(None)
            return
        if prompt.display:
            self._close_prompt()
            if self._prompt_mode == "filter":
                self.active_view.set_filter("")
                self.active_view.repaint(self.state)
        elif len(self.screen_stack) > 1:
            self.pop_screen()
        elif self.active_view.filter_text:
            self.active_view.set_filter("")
            self.active_view.repaint(self.state)
        elif self.active_name != "live":
            self.switch_view("live")

    def action_help(self) -> None:
        self.push_screen(HelpScreen(HELP))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name in VIEW_NAMES:
            yield SystemCommand(f"View: {name}", f"switch to the {name} view (:{name})",
                                lambda name=name: self.switch_view(name))  # fmt: skip
        yield SystemCommand("Help", "keys and views", self.action_help)
        if self.can_start and not self.readonly and not self.state.connected:
            yield SystemCommand("Start the daemon", "like `lynkr up`", lambda: self._start_answer(True))

    # ------------------------------------------------------------------ actions used by views

    def open_decision(self, decision_id: str) -> None:
        self.push_screen(DecisionScreen(decision_id, dict(self._weights)))

    def replay_decision(self, decision_id: str) -> None:
        self.switch_view("replay")
        replay: ReplayView = self._views["replay"]  # type: ignore[assignment]
        replay.select_and_replay(decision_id)

    def confirm(self, question: str, callback: Callable[[bool | None], None]) -> None:
        self.push_screen(ConfirmScreen(question), callback)

    def show_diff(self, diff: list[str], callback: Callable[[bool | None], None]) -> None:
        self.push_screen(DiffScreen(diff), callback)


def run(socket_path: Path, *, readonly: bool, theme: Theme) -> None:
    from lynkr_tui.console import themes
    from lynkr_tui.console.source import ControlSource

    app = LynkrConsole(
        ControlSource(socket_path),
        readonly=readonly,
        theme=theme,
        extra_themes=[t for t in themes.all_themes() if t.name != theme.name],
        socket_label=str(socket_path),
    )
    app.run()
