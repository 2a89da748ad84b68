"""What an operator sees from the CLI: per-session spend and tier mix, cached/warm/cold in the
log lines, and `lynkr replay ID --send` sending a recorded request again."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

from tests.e2e.conftest import KEYS, Upstreams, config_for
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply


@pytest.fixture
def daemon(upstreams: Upstreams, tmp_path: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path, config_for(upstreams, optimizers=""), env=KEYS).start()
    yield process
    process.stop()


def ask(daemon: DaemonProcess, text: str, session: str, **extra: object) -> anthropic.types.Message:
    with anthropic.Anthropic(base_url=daemon.url, api_key="k", max_retries=0) as client:
        return client.messages.create(
            model="lynkr-complex",
            max_tokens=32,
            messages=[{"role": "user", "content": text}],
            extra_headers={"x-lynkr-session": session},
            **extra,  # type: ignore[arg-type]
        )


def wait_for_rows(daemon: DaemonProcess, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = json.loads(daemon.cli("decisions", "--json").stdout)
        if len(rows) >= count:
            return rows
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} decisions recorded")


def test_sessions_show_spend_and_tier_mix(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.anthropic.script(Reply(text="one", input_tokens=1000, output_tokens=100), Reply(text="two"))
    ask(daemon, "first", "s-spend")
    ask(daemon, "second", "s-spend")
    [session] = [s for s in json.loads(daemon.cli("sessions", "--json").stdout) if s["id"] == "s-spend"]
    assert session["requests"] == 2 and session["tiers"] == {"complex": 2}
    # claude-sonnet-4-6 list price: $3 in / $15 out per million tokens.
    assert session["spend_usd"] >= (1000 * 3 + 100 * 15) / 1e6
    today = json.loads(daemon.cli("status", "--json").stdout)["traffic"]["spend_today_usd"]
    assert today == pytest.approx(session["spend_usd"])
    daemon.stop()
    daemon.start()  # today's spend comes back from the decision record
    after = json.loads(daemon.cli("status", "--json").stdout)["traffic"]["spend_today_usd"]
    assert after == pytest.approx(today)


def test_log_lines_say_cached_warm_or_cold(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.anthropic.script(Reply(text="fresh"))
    ask(daemon, "deterministic question", "s-log", extra_body={"temperature": 0})
    # The same again: answered from the response cache.
    ask(daemon, "deterministic question", "s-log", extra_body={"temperature": 0})
    wait_for_rows(daemon, 2)
    lines = daemon.cli("logs").stdout.splitlines()
    assert any("  cached  " in line for line in lines) and any("  cold  " in line for line in lines)


def test_replay_send_shows_the_recorded_and_the_new_answer(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    upstreams.anthropic.script(Reply(text="the first answer"), Reply(text="the second answer"))
    ask(daemon, "explain the retry loop", "s-replay")
    [row] = wait_for_rows(daemon, 1)
    result = daemon.cli("replay", str(row["id"]), "--send")
    assert result.returncode == 0, result.stderr
    recorded, again = result.stdout.split("== sent again:")
    assert "the first answer" in recorded and "the second answer" in again
    assert "complex -> claude:claude-sonnet-4-6" in again
    sent = upstreams.anthropic.requests[-1].body
    assert sent["messages"][-1]["content"] in (
        "explain the retry loop",
        [{"type": "text", "text": "explain the retry loop"}],
    )
    assert not sent.get("stream")
    as_json = json.loads(daemon.cli("replay", str(row["id"]), "--send", "--json").stdout)
    assert as_json["recorded"]["decision"] == row["id"] and as_json["sent_again"]["status"] == 200
