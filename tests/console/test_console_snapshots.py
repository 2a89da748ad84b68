"""Every view at a fixed size, frozen clock, fixed zone and canned data (a FakeSource, no daemon).

Update after an intended visual change with ``pytest tests/console --snapshot-update`` and look at
the report before committing the new SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lynkr_tui.console import themes
from lynkr_tui.console.app import LynkrConsole
from lynkr_tui.console.fake import BASE_TIME, FakeSource

pytestmark = pytest.mark.usefixtures("utc")

SIZE = (100, 30)


def make_app(source: FakeSource | None = None, theme: str = "dark", **kwargs: Any) -> LynkrConsole:
    return LynkrConsole(
        source or FakeSource(),
        theme=themes.resolve(theme),
        clock=lambda: BASE_TIME,
        threaded=False,
        **kwargs,
    )


def goto(*keys: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def view(name: str, *then: str) -> Callable[[Any], Awaitable[None]]:
    return goto("colon", *name, "enter", *then)


def test_live(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=goto())


def test_live_80x24(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=goto())


def test_live_wide(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=(170, 40), run_before=goto())


def test_live_light_theme(snap_compare: Any) -> None:
    assert snap_compare(make_app(theme="light"), terminal_size=SIZE, run_before=goto())


def test_live_filtered(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=goto("slash", *"reasoning"))


def test_decision_detail(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=goto("enter"))


def test_sessions(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=view("sessions"))


def test_sessions_readonly_hides_actions(snap_compare: Any) -> None:
    assert snap_compare(make_app(readonly=True), terminal_size=SIZE, run_before=view("sessions"))


def test_breakers(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=view("breakers"))


def test_breakers_not_available(snap_compare: Any) -> None:
    app = make_app(FakeSource(breakers=False))
    assert snap_compare(app, terminal_size=SIZE, run_before=view("breakers"))


def test_memory(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=view("memory"))


def test_memory_not_enabled(snap_compare: Any) -> None:
    assert snap_compare(make_app(FakeSource(memory=False)), terminal_size=SIZE, run_before=view("memory"))


async def _edit_config_badly(pilot: Any) -> None:
    await view("config")(pilot)
    editor = pilot.app.config_view.editor
    editor.load_text(editor.text.replace('model = "claude-sonnet-4-5"', "bogus = 1"))
    pilot.app.config_view.validate_now()
    await pilot.pause()


def test_config_with_problem(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_edit_config_badly)


async def _edit_config_well(pilot: Any) -> None:
    await view("config")(pilot)
    editor = pilot.app.config_view.editor
    editor.load_text(editor.text.replace("qwen2.5-coder:7b", "qwen2.5-coder:14b"))
    pilot.app.config_view.validate_now()
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()


def test_config_diff_before_apply(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_edit_config_well)


def test_replay_one(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=view("replay", "enter"))


def test_replay_window(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=view("replay", "w"))


def test_help(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=goto("question_mark"))


def test_daemon_down_offers_start(snap_compare: Any) -> None:
    source = FakeSource()
    source.running = False
    assert snap_compare(make_app(source, socket_label="/run/lynkr/control.sock"), terminal_size=SIZE)
