"""The console against a real daemon (simulated provider), driven headlessly with Pilot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lynkr_tui.console.app import LynkrConsole
from lynkr_tui.console.source import ControlSource
from lynkr_tui.console.views_config import ConfigView, ReplayView
from lynkr_tui.console.views_live import LiveView
from lynkr_tui.console.views_ops import SessionsView
from lynkr_tui.control_client import ControlClient
from tests.console.conftest import chat
from tests.e2e.harness import DaemonProcess

pytestmark = pytest.mark.timeout(60)


def console_for(daemon: DaemonProcess, **kwargs: object) -> LynkrConsole:
    socket = Path(daemon.home) / "control.sock"
    assert socket.exists(), f"the daemon's control socket is not at {socket}"
    return LynkrConsole(ControlSource(socket), poll_interval=0.2, fps=10, **kwargs)  # type: ignore[arg-type]


async def until(pilot: object, condition: Callable[[], bool], what: str, seconds: float = 8.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


async def test_decisions_appear_as_traffic_flows(daemon: DaemonProcess) -> None:
    app = console_for(daemon)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.state.connected, "the console to connect")
        ids = []
        for n in range(4):
            _, headers = await asyncio.to_thread(chat, daemon, f"live traffic {n}", "live-session")
            ids.append(headers["x-lynkr-decision-id"])
        table = app.query_one(LiveView).table
        await until(pilot, lambda: all(i in table.rows for i in ids), "the 4 decisions in the live table")
        await until(
            pilot,
            lambda: app.state.status is not None and app.state.status["traffic"]["requests"] >= 4,
            "the header's request count to follow",
        )
        # Enter on the newest row opens its detail, fetched by id over the socket.
        table.focus()
        table.move_cursor(row=table.get_row_index(ids[-1]))
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "DecisionScreen", "the detail screen")
        summary = app.screen.query_one("#detail-summary")
        await until(pilot, lambda: "live-session" in str(summary.render()), "the decision detail to load")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ != "DecisionScreen", "back to the live view")


async def test_session_override_from_sessions_view_changes_next_decision(daemon: DaemonProcess) -> None:
    _, first = await asyncio.to_thread(chat, daemon, "hi there", "pin-me")
    assert first["x-lynkr-tier"] != "reasoning"
    app = console_for(daemon)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.state.connected, "the console to connect")
        await pilot.press("colon", "s", "e", "s", "enter")
        assert app.active_name == "sessions"
        table = app.query_one(SessionsView).query_one("#sessions-table")
        await until(pilot, lambda: "pin-me" in table.rows, "the session in the sessions table")
        table.move_cursor(row=table.get_row_index("pin-me"))
        await pilot.press("4")  # reasoning
        client = ControlClient(Path(daemon.home) / "control.sock")

        def pinned() -> bool:
            return any(s["id"] == "pin-me" and s["override"] == "reasoning" for s in client.sessions())

        await until(pilot, pinned, "the daemon to record the pin")
    _, after = await asyncio.to_thread(chat, daemon, "hi there", "pin-me")
    assert after["x-lynkr-tier"] == "reasoning"
    client.set_session_tier("pin-me", "auto")


async def test_invalid_config_edit_shows_error_and_changes_nothing(daemon: DaemonProcess) -> None:
    client = ControlClient(Path(daemon.home) / "control.sock")
    before_file = daemon.config_path.read_text()  # type: ignore[union-attr]
    app = console_for(daemon)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.state.connected, "the console to connect")
        await pilot.press("colon", "c", "o", "enter")
        view = app.query_one(ConfigView)
        await until(pilot, lambda: view.running_text is not None, "the running config to load")
        bad = view.running_text.replace("latency_ms = 1", 'latency_ms = "fast"')  # type: ignore[union-attr]
        assert bad != view.running_text
        view.editor.load_text(bad)
        await until(pilot, lambda: view.valid is False, "the validation to report the problem")
        problems = str(view.query_one("#config-problems").render())
        assert "latency_ms" in problems
        # The problem is shown on the key's own line in the editor.
        line = bad.splitlines().index('latency_ms = "fast"')
        assert line in view.editor.problem_lines
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert type(app.screen).__name__ != "DiffScreen", "an invalid config must not reach the apply step"
    assert daemon.config_path.read_text() == before_file  # type: ignore[union-attr]
    code, config = client.request("GET", "/v1/config")
    assert code == 200 and config["text"] == before_file


async def test_valid_config_edit_shows_diff_then_applies(daemon: DaemonProcess) -> None:
    app = console_for(daemon)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: app.state.connected, "the console to connect")
        await pilot.press("colon", "c", "o", "enter")
        view = app.query_one(ConfigView)
        await until(pilot, lambda: view.running_text is not None, "the running config to load")
        edited = view.running_text.replace("reply_words = 5", "reply_words = 6")  # type: ignore[union-attr]
        view.editor.load_text(edited)
        await until(pilot, lambda: view.valid is True and view.edited, "the edit to validate")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "DiffScreen", "the diff before applying")
        diff = str(app.screen.query_one("#diff-text").render())
        assert "+reply_words = 6" in diff and "-reply_words = 5" in diff
        await pilot.press("y")
        await until(pilot, lambda: "reply_words = 6" in daemon.config_path.read_text(), "the config applied")  # type: ignore[union-attr]


async def test_replay_shows_both_decisions(daemon: DaemonProcess) -> None:
    _, headers = await asyncio.to_thread(chat, daemon, "replay me please", "replayer")
    decision_id = headers["x-lynkr-decision-id"]
    app = console_for(daemon)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: any(d["id"] == decision_id for d in app.state.decisions), "the snapshot")
        await pilot.press("colon", "r", "e", "enter")
        view = app.query_one(ReplayView)
        table = view.query_one("#replay-pick")
        await until(pilot, lambda: decision_id in table.rows, "the decision in the replay picker")
        table.move_cursor(row=table.get_row_index(decision_id))
        await pilot.press("enter")
        old, new = view.query_one("#replay-old"), view.query_one("#replay-new")
        await until(pilot, lambda: "recorded" in str(old.render()), "the recorded side")
        assert "replayed" in str(new.render())
        assert headers["x-lynkr-tier"] in str(old.render())
        await pilot.press("w")  # the window replay over the default 1h
        extra = view.query_one("#replay-extra")
        await until(pilot, lambda: "cost" in str(extra.render()), "the window replay's tier mix and cost")
        assert "would move" in str(extra.render())


async def test_events_json_is_what_the_console_reads(daemon: DaemonProcess) -> None:
    """The stream the console's reader thread consumes yields decision events with ids."""
    import threading

    source = ControlSource(Path(daemon.home) / "control.sock")
    stop = threading.Event()
    seen: list[dict] = []

    def read() -> None:
        for event in source.events(stop):
            seen.append(event)
            if event.get("type") == "decision":
                stop.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    await asyncio.sleep(0.2)
    await asyncio.to_thread(chat, daemon, "one event", "events")
    reader.join(5)
    assert seen[0]["type"] == "hello"
    assert any(e.get("type") == "decision" and e.get("id") for e in seen), json.dumps(seen)[:500]
