"""The console's pure parts and its behaviour against a canned data source (no daemon)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lynkr_tui.console import themes
from lynkr_tui.console.app import LynkrConsole
from lynkr_tui.console.configedit import key_line, unified_diff
from lynkr_tui.console.fake import BASE_TIME, FakeSource, canned_decision
from lynkr_tui.console.state import Inbox, LiveState, matches
from lynkr_tui.console.views_config import ConfigView
from lynkr_tui.console.views_live import LiveView

pytestmark = pytest.mark.timeout(30)


def make_app(source: FakeSource | None = None, **kwargs: Any) -> LynkrConsole:
    kwargs.setdefault("threaded", False)
    return LynkrConsole(
        source or FakeSource(), theme=themes.resolve("dark"), clock=lambda: BASE_TIME, **kwargs
    )


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


# ---------------------------------------------------------------- buffers


def test_live_state_stays_bounded_and_counts_the_buffered_mix() -> None:
    state = LiveState(max_rows=50)
    for i in range(1000):
        state.handle(canned_decision(i))
    assert len(state.decisions) == 50
    assert sum(state.tier_counts.values()) == 50
    assert state.decisions[-1]["id"] == "d00999" and state.decisions[0]["id"] == "d00950"
    # An event the snapshot already holds is not added twice.
    state.handle(canned_decision(999))
    assert len(state.decisions) == 50 and state.take_new_rows() == (False, 1000)


def test_snapshot_replaces_the_buffer_oldest_first() -> None:
    state = LiveState(max_rows=10)
    state.handle(canned_decision(1))
    rows = [{**canned_decision(i), "started_at": canned_decision(i)["time"]} for i in (5, 3, 4)]
    state.load_snapshot(rows)
    assert [d["id"] for d in state.decisions] == ["d00003", "d00004", "d00005"]
    assert state.take_new_rows() == (True, 0)


def test_inbox_drops_oldest_and_counts() -> None:
    inbox = Inbox(maxlen=3)
    for i in range(5):
        inbox.put({"n": i})
    assert [e["n"] for e in inbox.drain()] == [2, 3, 4] and inbox.dropped == 2


def test_daemon_reported_drops_are_counted() -> None:
    state = LiveState()
    state.handle({**canned_decision(1), "dropped": 7})
    assert state.dropped == 7


def test_filter_matches_every_word() -> None:
    row = LiveState()
    row.handle(canned_decision(5))
    d = row.decisions[0]
    assert matches(d, "reasoning oai") and not matches(d, "reasoning claude") and matches(d, "")


# ---------------------------------------------------------------- config helpers


CONFIG = """[server]
port = 8081

[tiers.medium]
provider = "claude"
model = "x"   # comment

[providers."my-oai"]
type = "openai"
"""


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("server.port", 1),
        ("tiers.medium.model", 5),
        ("tiers.medium.fallback[0]", 3),  # not in the text: its table's header
        ("providers.my-oai.type", 8),
        ("nothing.here", 0),
        ("<config>", 0),
    ],
)
def test_key_line_finds_the_key_or_its_table(key: str, line: int) -> None:
    assert key_line(CONFIG, key) == line


def test_unified_diff_marks_changes() -> None:
    diff = unified_diff("a = 1\nb = 2\n", "a = 1\nb = 3\n")
    assert "-b = 2" in diff and "+b = 3" in diff


# ---------------------------------------------------------------- themes


def test_dark_and_light_themes_load_from_files() -> None:
    dark, light = themes.resolve("dark"), themes.resolve("light")
    assert dark.dark and not light.dark
    assert {"dark", "light"} <= set(themes.available())
    assert dark.variables["tier-simple"].startswith("#")


def test_theme_file_by_path_and_errors(tmp_path: Path) -> None:
    good = tmp_path / "mine.toml"
    good.write_text('name = "mine"\nprimary = "#112233"\ndark = false\n')
    assert themes.resolve(str(good)).name == "mine"
    bad = tmp_path / "bad.toml"
    bad.write_text('primary = "#112233"\ncolour = "red"\n')
    with pytest.raises(themes.ThemeError, match="unknown keys colour"):
        themes.resolve(str(bad))
    with pytest.raises(themes.ThemeError, match="no theme named 'nope'"):
        themes.resolve("nope")


# ---------------------------------------------------------------- behaviour with a fake source


async def test_readonly_hides_and_refuses_every_change() -> None:
    source = FakeSource()
    app = make_app(source, readonly=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon", "s", "enter", "4")
        await pilot.press("escape", "colon", "b", "enter", "r")
        await pilot.press("escape", "colon", "m", "enter", "d")
        await pilot.pause()
        assert type(app.screen).__name__ != "ConfirmScreen"
        await pilot.press("escape", "colon", "c", "enter")
        assert app.config_view.editor.read_only
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert source.calls == []


async def test_actions_reach_the_source() -> None:
    source = FakeSource()
    app = make_app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon", "s", "enter", "j", "4")
        await pilot.press("colon", "b", "enter", "j", "r")
        await pilot.press("colon", "m", "enter", "d", "y")
        await pilot.pause()
    assert ("tier", ("sess-1", "reasoning")) in source.calls
    assert ("reset", "oai") in source.calls
    assert ("delete_memory", "1") in source.calls


async def test_invalid_config_is_never_sent_to_apply() -> None:
    source = FakeSource()
    app = make_app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("colon", "c", "enter")
        view = app.query_one(ConfigView)
        view.editor.load_text(view.editor.text + "\nbogus = 1\n")
        view.validate_now()
        await pilot.pause()
        assert view.valid is False and view.editor.problem_lines
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen"
    assert not [c for c in source.calls if c[0] == "apply"]


async def test_filter_and_escape() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.query_one(LiveView).table
        assert table.row_count == 12
        await pilot.press("slash", *"reasoning")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 12


async def test_reconnects_after_a_restart_and_reloads_the_snapshot() -> None:
    source = FakeSource()
    app = make_app(source, threaded=True, poll_interval=0.05, fps=20)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.state.connected and len(app.state.decisions) == 12, "connect")
        source.running = False
        await until(pilot, lambda: not app.state.connected, "the console to notice the daemon is gone")
        assert "down" in str(app.query_one("#header").render())
        source.decisions = [canned_decision(i) for i in range(100, 103)]  # the new daemon's record
        source.pid = 5000
        source.running = True
        await until(pilot, lambda: app.state.connected, "the console to reconnect")
        await until(pilot, lambda: app.state.decisions[0]["id"] == "d00100", "a fresh snapshot")
        table = app.query_one(LiveView).table
        await until(pilot, lambda: table.row_count == 3, "the table to show the new snapshot")


async def test_no_daemon_offers_to_start_one() -> None:
    source = FakeSource()
    source.running = False
    app = make_app(source)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "DownScreen"
        await pilot.press("s")
        await pilot.pause()
        assert ("start", None) in source.calls
        app.poll_once()
        await pilot.pause()
        assert app.state.connected and type(app.screen).__name__ == "Screen"


async def test_events_flow_through_the_inbox_into_the_table() -> None:
    app = make_app(max_rows=20)
    async with app.run_test(size=(100, 30)) as pilot:
        for i in range(100, 160):
            app.inbox.put(canned_decision(i))
        app.repaint()
        await pilot.pause()
        table = app.query_one(LiveView).table
        assert table.row_count == 20
        assert "d00159" in table.rows and "d00139" not in table.rows


async def test_keys_typed_ahead_after_colon_land_in_the_prompt() -> None:
    """A fast typist (or a paste) sends ":se<enter>" before the UI repaints: it must still switch views."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key, char in (("colon", ":"), ("s", "s"), ("e", "e"), ("enter", "\r")):
            app.post_message(events.Key(key, char))
        await pilot.pause(0.2)
        assert app.active_name == "sessions"
        assert type(app.screen).__name__ == "Screen"  # enter did not open a decision on the way
        assert not app.query_one("#prompt").display
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
