"""Memory and the response cache, black-box: a real daemon in front of the Anthropic emulator."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

from lynkr_tui.control_client import ControlClient
from tests.e2e.harness import DaemonProcess
from tests.emulators import AnthropicEmulator

KEY = "sk-ant-test-memory-cache-77"


@pytest.fixture
def upstream() -> Iterator[AnthropicEmulator]:
    emulator = AnthropicEmulator("anthropic", expected_key=KEY).start()
    yield emulator
    emulator.stop()


def start(home: Path, upstream: AnthropicEmulator) -> DaemonProcess:
    config = f"""
[providers.claude]
type = "anthropic"
base_url = "{upstream.base_url}"
api_key_env = "TEST_KEY"

[tiers.complex]
provider = "claude"
model = "claude-sonnet-4-6"
"""
    return DaemonProcess(home, config, env={"TEST_KEY": KEY}).start()


@pytest.fixture
def lynkr(tmp_path: Path, upstream: AnthropicEmulator) -> Iterator[DaemonProcess]:
    daemon = start(tmp_path, upstream)
    yield daemon
    daemon.stop()
    assert KEY not in daemon.log()


def ask(daemon: DaemonProcess, text: str, project: str, session: str, **headers: str) -> None:
    client = anthropic.Anthropic(base_url=daemon.url, api_key="x")
    client.messages.create(
        model="lynkr-complex",
        max_tokens=200,
        messages=[{"role": "user", "content": text}],
        extra_headers={"x-lynkr-workspace": project, "x-lynkr-session": session, **headers},
    )


def memories(daemon: DaemonProcess, **query: str) -> list[dict]:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    code, body = ControlClient(daemon.home / "control.sock").request("GET", f"/v1/memory?{params}")
    assert code == 200
    return body["memories"]


def system_sent(upstream: AnthropicEmulator) -> str:
    return json.dumps(upstream.last_request.json.get("system") or [])


def test_memory_reaches_a_later_session_of_the_same_project_only(
    lynkr: DaemonProcess, upstream: AnthropicEmulator
) -> None:
    ask(lynkr, "We use pytest for tests in this repo. I prefer small pure functions.", "/w/alpha", "s1")
    deadline = time.monotonic() + 5
    while len(memories(lynkr, project="/w/alpha")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stored = memories(lynkr, project="/w/alpha")
    assert {m["type"] for m in stored} == {"convention", "preference"}
    assert all(m["session"] == "s1" and m["turn"] == 1 for m in stored)
    assert set(stored[0]["scores"]) == {"surprise", "recency", "relevance", "importance", "total"}

    ask(lynkr, "How should I add a test for the parser?", "/w/alpha", "s2")
    sent = system_sent(upstream)
    assert "<lynkr-memory>" in sent and "We use pytest for tests in this repo." in sent
    # The client's own messages went upstream unchanged.
    assert upstream.last_request.json["messages"][-1]["content"][0]["text"] == (
        "How should I add a test for the parser?"
    )

    ask(lynkr, "How should I add a test for the parser?", "/w/beta", "s3")
    assert "lynkr-memory" not in system_sent(upstream)
    ask(lynkr, "How should I add a test for the parser?", "/w/alpha", "s4", **{"x-lynkr-memory": "off"})
    assert "lynkr-memory" not in system_sent(upstream)

    # The operator can delete what was learned.
    result = lynkr.cli("memory", "wipe", "/w/alpha", "--yes")
    assert result.returncode == 0, result.stderr
    assert memories(lynkr, project="/w/alpha") == []


_VOLATILE = re.compile(
    rb'"(id|msg_id)":"[^"]*"|"(input_tokens|cache_read_input_tokens|cache_creation_input_tokens)":\d+'
)


def raw_stream(daemon: DaemonProcess, body: dict) -> tuple[bytes, dict[str, str]]:
    request = urllib.request.Request(
        f"{daemon.url}/v1/messages",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-api-key": "x", "anthropic-version": "2023-06-01"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), dict(response.headers)


def test_cached_stream_replays_the_same_events_and_survives_a_restart(
    tmp_path: Path, upstream: AnthropicEmulator
) -> None:
    body = {
        "model": "lynkr-complex",
        "max_tokens": 200,
        "temperature": 0,
        "stream": True,
        "messages": [
            {"role": "user", "content": "Summarise the design of a token bucket in three sentences."}
        ],
    }
    daemon = start(tmp_path, upstream)
    try:
        first, first_headers = raw_stream(daemon, body)
        time.sleep(0.3)  # the store happens after the answer, off the request path
        second, second_headers = raw_stream(daemon, body)
        assert len(upstream.requests) == 1, "the repeat must not reach the upstream"
        assert first_headers["x-lynkr-provider"] == "claude" and second_headers["x-lynkr-provider"] == "cache"
        assert _VOLATILE.sub(b"", first) == _VOLATILE.sub(b"", second)
        assert b'"cache_read_input_tokens":0' not in second.split(b"message_start", 1)[1].split(b"\n\n", 1)[0]

        client = anthropic.Anthropic(base_url=daemon.url, api_key="x")

        def sdk_stream() -> anthropic.types.Message:
            with client.messages.stream(
                model="lynkr-complex",
                max_tokens=200,
                messages=body["messages"],
                extra_body={"temperature": 0},
            ) as stream:
                return stream.get_final_message()

        sdk_stream()  # the SDK's request differs from the raw one (its own headers): a miss that is stored
        time.sleep(0.3)
        cached = sdk_stream()
        assert len(upstream.requests) == 2
        assert cached.usage.input_tokens == 0 and cached.usage.cache_read_input_tokens > 0
        uncached = client.messages.create(
            model="lynkr-complex", max_tokens=200, messages=body["messages"], extra_body={"temperature": 0},
            extra_headers={"cache-control": "no-cache"},
        )  # fmt: skip
        assert len(upstream.requests) == 3
        assert [b.model_dump() for b in cached.content] == [b.model_dump() for b in uncached.content]
        assert cached.stop_reason == uncached.stop_reason
        code, stats = ControlClient(tmp_path / "control.sock").request("GET", "/v1/cache")
        assert code == 200 and stats["hits"] == 2 and stats["bypasses"] == 1
        rows = ControlClient(tmp_path / "control.sock").request("GET", "/v1/decisions?limit=10")[1][
            "decisions"
        ]
        assert [r["cache"] for r in rows] == ["bypass", "hit", "miss", "hit", "miss"]
    finally:
        daemon.stop()

    daemon = start(tmp_path, upstream)
    try:
        third, headers = raw_stream(daemon, body)
        assert headers["x-lynkr-provider"] == "cache" and len(upstream.requests) == 3
        assert _VOLATILE.sub(b"", third) == _VOLATILE.sub(b"", first)
    finally:
        daemon.stop()


def test_prompt_cache_breakpoints_are_placed_when_the_client_set_none(
    lynkr: DaemonProcess, upstream: AnthropicEmulator
) -> None:
    schema = {"type": "object", "properties": {}}
    tool = {"name": "read", "description": "read a file", "input_schema": schema}
    with anthropic.Anthropic(base_url=lynkr.url, api_key="x", max_retries=0) as client:
        client.messages.create(
            model="lynkr-complex",
            max_tokens=50,
            system="You are a careful engineer.",
            tools=[tool],
            messages=[
                {"role": "user", "content": "look at main.py"},
                {"role": "assistant", "content": "Sure."},
                {"role": "user", "content": "now explain it"},
            ],
            extra_headers={"x-lynkr-memory": "off"},
        )
    sent = upstream.last_request.json
    assert sent["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert sent["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    marked = sum("cache_control" in json.dumps(m) for m in sent["messages"])
    assert 1 <= marked <= 2
    assert json.dumps(sent).count('"cache_control"') <= 4  # Anthropic's limit
