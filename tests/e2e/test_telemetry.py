"""The decision record, metrics and live events, seen from outside the real daemon."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from lynkr_tui.control_client import ControlClient, UnixHTTPConnection
from tests.e2e.conftest import KEYS, Upstreams, config_for
from tests.e2e.harness import ROOT, DaemonProcess
from tests.emulators import Reply, ToolCall


@pytest.fixture
def daemon(upstreams: Upstreams, tmp_path: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path, config_for(upstreams), env=KEYS).start()
    yield process
    process.stop()


def ask(
    daemon: DaemonProcess,
    text: str,
    *,
    session: str = "t1",
    tier: str = "medium",
    stream: bool = False,
    messages: list[dict] | None = None,
    tools: list[dict] | None = None,
) -> httpx.Response:
    body = {
        "model": f"lynkr-{tier}",
        "max_tokens": 256,
        "stream": stream,
        "messages": messages or [{"role": "user", "content": text}],
    }
    if tools:
        body["tools"] = tools
    headers = {"anthropic-version": "2023-06-01", "x-lynkr-session": session}
    response = httpx.post(f"{daemon.url}/v1/messages", json=body, headers=headers, timeout=30)
    return response


def rows(daemon: DaemonProcess) -> list[sqlite3.Row]:
    db = sqlite3.connect(daemon.home / "lynkr.db")
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM decisions ORDER BY started_at").fetchall()
    finally:
        db.close()


def wait_rows(
    daemon: DaemonProcess, count: int, timeout: float = 5, decision: str | None = None
) -> list[sqlite3.Row]:
    """Decision rows reach SQLite in batches after the response: wait for ``count`` of them (and
    for ``decision``'s, when named)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = rows(daemon)
        if len(found) >= count and (decision is None or any(r["id"] == decision for r in found)):
            return found
        time.sleep(0.1)
    return rows(daemon)


def test_every_request_writes_a_decision_row(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply(text="hello", input_tokens=1000, output_tokens=200))
    ok = ask(daemon, "say hello", tier="medium")
    assert ok.status_code == 200
    upstreams.anthropic.script(Reply.error(500, "boom"))
    failed = ask(daemon, "and again", tier="complex")
    assert failed.status_code == 502
    bad = httpx.post(f"{daemon.url}/v1/messages", content=b"{nope", timeout=10)
    assert bad.status_code == 400

    found = wait_rows(daemon, 3)
    by_id = {r["id"]: r for r in found}
    row = by_id[ok.headers["x-lynkr-decision-id"]]
    assert (row["tier"], row["provider"], row["provider_type"], row["model"]) == (
        "medium",
        "oai",
        "openai",
        "gpt-4o-mini",
    )
    assert (row["input_tokens"], row["output_tokens"], row["status"]) == (1000, 200, 200)
    assert row["rule"] == "model-alias" and row["session"] == "t1" and row["dialect"] == "anthropic"
    assert row["cost_usd"] is not None and row["cost_usd"] > 0
    assert row["quality"] is not None and row["quality"] > 50
    assert row["latency_ms"] > 0 and row["upstream_ms"] > 0
    failed_row = by_id[failed.headers["x-lynkr-decision-id"]]
    assert failed_row["status"] == 502 and "boom" in failed_row["error"]
    assert json.loads(failed_row["hops"])[0]["provider"] == "claude"
    assert any(r["status"] == 400 for r in found)

    stored = ControlClient(daemon.home / "control.sock").request("GET", f"/v1/decisions/{row['id']}")[1]
    assert json.loads(stored["request_body"])["messages"][0]["content"] == "say hello"
    assert "hello" in stored["response_body"]
    for key in KEYS.values():
        assert key.encode() not in (daemon.home / "lynkr.db").read_bytes()


def test_metrics_parse_and_count_the_requests(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    for _ in range(3):
        assert ask(daemon, "hi", tier="simple").status_code == 200
    text = httpx.get(f"{daemon.url}/metrics", timeout=10).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    requests = [s for s in families["lynkr_requests"].samples if s.name == "lynkr_requests_total"]
    served = sum(
        s.value for s in requests if s.labels.get("tier") == "simple" and s.labels.get("status") == "200"
    )
    assert served == 3
    assert any(s.labels.get("provider") == "local" for s in requests)
    assert "lynkr_request_latency_seconds" in families


def _watch(daemon: DaemonProcess, out: list[dict], ready: threading.Event, count: int) -> None:
    conn = UnixHTTPConnection(daemon.home / "control.sock", timeout=10)
    conn.request("GET", "/v1/events")
    response = conn.getresponse()
    while len(out) < count:
        line = response.readline()
        if not line:
            break
        event = json.loads(line)
        if event["type"] == "hello":
            ready.set()
        elif event["type"] == "decision":
            out.append(event)
    conn.close()


def test_two_watchers_get_every_decision_in_order(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    seen: list[list[dict]] = [[], []]
    readiness = [threading.Event(), threading.Event()]
    watchers = [
        threading.Thread(target=_watch, args=(daemon, seen[i], readiness[i], 5), daemon=True)
        for i in range(2)
    ]
    for watcher in watchers:
        watcher.start()
    assert all(r.wait(5) for r in readiness)
    ids = [ask(daemon, f"message {i}", tier="simple").headers["x-lynkr-decision-id"] for i in range(5)]
    for watcher in watchers:
        watcher.join(10)
    assert [e["id"] for e in seen[0]] == ids
    assert [e["id"] for e in seen[1]] == ids


def test_tool_errors_in_the_next_turn_lower_the_quality(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    tools = [
        {"name": "Bash", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}}
    ]
    upstreams.anthropic.script(Reply(tool_calls=[ToolCall("Bash", {"command": "pytest"}, id="toolu_abc")]))
    first = ask(daemon, "run the tests", tier="complex", session="q1", tools=tools)
    assert first.status_code == 200
    call = first.json()["content"][-1]
    history = [
        {"role": "user", "content": "run the tests"},
        {"role": "assistant", "content": [call]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": call["id"],
                    "is_error": True,
                    "content": "command not found: pytset",
                }
            ],
        },
    ]
    assert ask(daemon, "", tier="complex", session="q1", messages=history, tools=tools).status_code == 200
    decision = first.headers["x-lynkr-decision-id"]
    deadline = time.monotonic() + 5
    quality = None
    while time.monotonic() < deadline:
        quality = next(r["quality"] for r in wait_rows(daemon, 2) if r["id"] == decision)
        if quality is not None and quality <= 50:
            break
        time.sleep(0.1)
    assert quality is not None and quality <= 50


def test_sigterm_during_traffic_loses_no_decision_row(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.default_reply = Reply(text="ok", delay=0.05)
    statuses: list[int] = []

    def traffic() -> None:
        for i in range(30):
            try:
                statuses.append(ask(daemon, f"n{i}", tier="medium").status_code)
            except httpx.HTTPError:
                break

    worker = threading.Thread(target=traffic)
    worker.start()
    time.sleep(0.6)
    assert daemon.process is not None
    daemon.process.send_signal(signal.SIGTERM)
    worker.join(20)
    assert daemon.process.wait(15) == 0
    answered = [s for s in statuses if s == 200]
    assert len(rows(daemon)) >= len(answered) > 0


def test_cli_decisions_stats_and_logs_follow(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    env = {**os.environ, "LYNKR_HOME": str(daemon.home)}
    follower = subprocess.Popen(
        [sys.executable, "-m", "lynkr_tui.cli", "logs", "-f"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 20  # let the follower subscribe (a loaded machine starts it slowly)
        while json.loads(daemon.cli("status", "--json").stdout).get("watchers", 0) < 1:
            assert time.monotonic() < deadline, "lynkr logs -f never subscribed"
            time.sleep(0.1)
        decision = ask(daemon, "hello there", tier="simple").headers["x-lynkr-decision-id"]
        assert follower.stdout is not None
        line = follower.stdout.readline()
        assert "simple" in line and "local:qwen2.5-coder:7b" in line and "200" in line
    finally:
        follower.terminate()
        follower.wait(10)

    listed = daemon.cli("decisions", "--json", "--tier", "simple")
    assert listed.returncode == 0, listed.stderr
    assert decision in [row["id"] for row in json.loads(listed.stdout)]
    stats = daemon.cli("stats", "--json")
    assert stats.returncode == 0, stats.stderr
    body = json.loads(stats.stdout)
    assert body["traffic"]["requests"] >= 1
    assert body["history"]["tier"]["simple"]["requests"] >= 1
    text = daemon.cli("decisions")
    assert decision in text.stdout


def test_replay_reproduces_and_compares_decisions(
    daemon: DaemonProcess, upstreams: Upstreams, tmp_path: Path
) -> None:
    response = ask(daemon, "rename utils.py to helpers.py", tier="medium")  # recorded with no alias below
    body = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "list the files in src/"}],
    }
    scored = httpx.post(
        f"{daemon.url}/v1/messages", json=body, timeout=30, headers={"anthropic-version": "2023-06-01"}
    )
    decision = scored.headers["x-lynkr-decision-id"]
    assert response.status_code == scored.status_code == 200

    wait_rows(daemon, 1, timeout=10, decision=decision)
    same = daemon.cli("replay", decision, "--json")
    assert same.returncode == 0, same.stdout + same.stderr
    result = json.loads(same.stdout)
    assert result["replayable"] and not result["moved"]
    assert result["new"]["tier"] == result["old"]["tier"] == scored.headers["x-lynkr-tier"]

    # A candidate that scores by weights with thresholds putting every score in reasoning moves it.
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(
        config_for(
            upstreams,
            '\n[routing]\nscorer = "weights"\n[routing.thresholds]\nmedium = 0\ncomplex = 0\nreasoning = 0\n',
        )
    )
    moved = json.loads(daemon.cli("replay", decision, "--config", str(candidate), "--json").stdout)
    assert moved["moved"] and moved["new"]["tier"] == "reasoning"

    window = json.loads(daemon.cli("replay", "--since", "1h", "--config", str(candidate), "--json").stdout)
    assert window["replayed"] >= 2
    assert window["tier_mix"]["new"].get("reasoning", 0) >= 1
    assert window["moved"] >= 1
    text = daemon.cli("replay", decision, "--config", str(candidate))
    assert "MOVED" in text.stdout and "reasoning_cues" in text.stdout


def test_percentiles_follow_the_injected_latency_and_savings_use_the_baseline(
    upstreams: Upstreams, tmp_path: Path
) -> None:
    extra = (
        '\n[pricing]\nbaseline = "complex"\n'
        'overrides = { "qwen2.5-coder" = { input = 1000, output = 1000 } }\n'
    )
    process = DaemonProcess(tmp_path, config_for(upstreams, extra), env=KEYS).start()
    try:
        for delay in (0.15, 0.2, 0.25, 0.3, 0.35):
            upstreams.ollama.script(Reply(text="ok", delay=delay, input_tokens=100, output_tokens=10))
            assert ask(process, "hi", tier="simple").status_code == 200
        stats = ControlClient(process.home / "control.sock").request("GET", "/v1/stats?window=600")[1]
        live = stats["live"]["tier"]["simple"]["latency_ms"]
        assert 240 <= live["p50"] <= 330, live  # nearest rank: the third of five delays, plus overhead
        assert live["p99"] >= 340
        history = stats["history"]["tier"]["simple"]["latency_ms"]
        assert 240 <= history["p50"] <= 330, history
        traffic = stats["traffic"]
        # The override makes the local model dearer than the complex tier's Claude: negative savings.
        assert traffic["baseline"] == "anthropic:claude-sonnet-4-6"
        assert traffic["spend_usd"] > traffic["baseline_usd"] > 0
        assert traffic["savings_usd"] < 0
    finally:
        process.stop()


def test_config_get_and_validate_over_the_socket(daemon: DaemonProcess) -> None:
    client = ControlClient(daemon.home / "control.sock")
    code, running = client.request("GET", "/v1/config")
    assert code == 200 and "[tiers.medium]" in running["text"]
    assert running["tiers"]["medium"] == {
        "provider": "oai",
        "model": "gpt-4o-mini",
        "fallback": ["claude:claude-haiku-4-5"],
        "borrowed_from": None,
    }
    for key in KEYS.values():
        assert key not in json.dumps(running)
    code, bad = client.request(
        "POST", "/v1/config/validate", {"text": "[server]\nport = 99999\n[tiers.huge]\n"}
    )
    assert code == 200 and not bad["valid"]
    assert {p["key"] for p in bad["problems"]} >= {"server.port", "tiers.huge"}
    code, good = client.request("POST", "/v1/config/validate", {"text": running["text"]})
    assert good["valid"] and good["tiers"]["medium"] == "oai:gpt-4o-mini"
