"""Streams that fail half-way, and clients that walk away.

A failure after the first bytes went to the client can no longer be hidden by a fallback: the stream must
end with an error event in the client's dialect (never a hang, never a silent truncation). A client that
disconnects must cancel its upstream request, which the emulator records as a disconnect.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
import anthropic
import openai
import pytest

from tests.e2e.conftest import KEYS, Upstreams
from tests.e2e.harness import DaemonProcess
from tests.emulators import Emulator, Reply

USER = [{"role": "user", "content": "tell me a long story"}]
LONG_TEXT = " ".join(f"word{i}" for i in range(150))  # about 50 stream chunks of 3 words
TIMEOUT = aiohttp.ClientTimeout(total=10)


@dataclass(frozen=True)
class Upstream:
    tier: str
    attr: str  # attribute of Upstreams
    content_chunks: int  # fail after this many upstream chunks: some text has reached the client by then


# Ollama: every NDJSON line carries text. OpenAI: role chunk, then text chunks.
# Anthropic: message_start, content_block_start, ping, then text deltas.
UPSTREAMS = [
    Upstream("simple", "ollama", 3),
    Upstream("medium", "openai", 3),
    Upstream("complex", "anthropic", 5),
]
UPSTREAM_IDS = ["ollama", "openai", "anthropic"]

FAILURES = {
    "dropped": lambda n: Reply(text=LONG_TEXT, fail_after_chunks=n),
    "error-event": lambda n: Reply(text=LONG_TEXT, fail_after_chunks=n, stream_error="upstream exploded"),
}


def emulator(upstreams: Upstreams, up: Upstream) -> Emulator:
    return getattr(upstreams, up.attr)


def request_for(dialect: str, tier: str, stream: bool = True) -> tuple[str, dict[str, Any]]:
    if dialect == "anthropic":
        return "/v1/messages", {
            "model": f"lynkr-{tier}",
            "max_tokens": 512,
            "messages": USER,
            "stream": stream,
        }
    return "/v1/chat/completions", {"model": f"lynkr-{tier}", "messages": USER, "stream": stream}


def parse_sse(raw: bytes) -> list[tuple[str | None, str]]:
    """(event name, data) for every SSE event in a complete body."""
    events = []
    for block in raw.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            events.append((name, "\n".join(data)))
    return events


def assert_no_keys(raw: bytes | str) -> None:
    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    for key in KEYS.values():
        assert key not in text, "a provider key leaked into a stream"


def assert_not_fallen_back(upstreams: Upstreams, up: Upstream) -> None:
    """A failure after text went out is not retried anywhere else."""
    for other in upstreams.all():
        if other is not emulator(upstreams, up):
            assert other.chat_requests == [], f"{other.name} was called after the stream had started"


# --------------------------------------------------------------------------- raw reads


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("up", UPSTREAMS, ids=UPSTREAM_IDS)
async def test_raw_anthropic_stream_ends_with_an_error_event(
    lynkr: DaemonProcess, upstreams: Upstreams, up: Upstream, failure: str
) -> None:
    emulator(upstreams, up).script(FAILURES[failure](up.content_chunks))
    path, body = request_for("anthropic", up.tier)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(lynkr.url + path, json=body) as resp,
    ):
        assert resp.status == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = await resp.read()
    events = parse_sse(raw)
    names = [name for name, _ in events]
    assert names[0] == "message_start", names
    assert "content_block_delta" in names, f"the failure should come after some text: {names}"
    assert names[-1] == "error", f"the stream must end with an error event: {names}"
    assert "message_stop" not in names, names
    payload = json.loads(events[-1][1])
    assert payload["type"] == "error", payload
    assert payload["error"]["type"] in ("api_error", "overloaded_error", "timeout_error"), payload
    assert payload["error"]["message"], payload
    if failure == "error-event":
        assert "upstream exploded" in payload["error"]["message"], payload
    assert_no_keys(raw)
    assert_not_fallen_back(upstreams, up)


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("up", UPSTREAMS, ids=UPSTREAM_IDS)
async def test_raw_openai_stream_ends_with_an_error_event(
    lynkr: DaemonProcess, upstreams: Upstreams, up: Upstream, failure: str
) -> None:
    emulator(upstreams, up).script(FAILURES[failure](up.content_chunks))
    path, body = request_for("openai", up.tier)
    async with (
        aiohttp.ClientSession(timeout=TIMEOUT) as session,
        session.post(lynkr.url + path, json=body) as resp,
    ):
        assert resp.status == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = await resp.read()
    datas = [data for _, data in parse_sse(raw)]
    assert "[DONE]" not in datas, f"a failed stream must not end like a complete one: {raw!r}"
    chunks = [json.loads(d) for d in datas]
    assert any(c.get("choices") and c["choices"][0].get("delta", {}).get("content") for c in chunks), (
        f"the failure should come after some text: {raw!r}"
    )
    last = chunks[-1]
    assert set(last) == {"error"}, f"the stream must end with an error chunk: {raw!r}"
    assert {"message", "type", "param", "code"} <= set(last["error"]), last
    assert last["error"]["message"], last
    if failure == "error-event":
        assert "upstream exploded" in last["error"]["message"], last
    assert not any(c.get("choices") and c["choices"][0].get("finish_reason") for c in chunks), (
        f"a failed stream must not report a finish_reason: {raw!r}"
    )
    assert_no_keys(raw)
    assert_not_fallen_back(upstreams, up)


# --------------------------------------------------------------------------- SDK consumers


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("up", UPSTREAMS, ids=UPSTREAM_IDS)
def test_anthropic_sdk_raises_on_a_broken_stream(
    lynkr: DaemonProcess, upstreams: Upstreams, up: Upstream, failure: str
) -> None:
    emulator(upstreams, up).script(FAILURES[failure](up.content_chunks))
    received: list[str] = []
    client = anthropic.Anthropic(base_url=lynkr.url, api_key="client-key", max_retries=0, timeout=10)
    with client, pytest.raises(anthropic.APIError) as info:
        stream = client.messages.create(model=f"lynkr-{up.tier}", max_tokens=512, messages=USER, stream=True)
        for event in stream:
            if event.type == "content_block_delta" and event.delta.type == "text_delta":
                received.append(event.delta.text)
    assert "".join(received).startswith("word0"), received
    assert len("".join(received)) < len(LONG_TEXT)
    if failure == "error-event":
        assert "upstream exploded" in str(info.value)
    assert_no_keys(str(info.value))


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("up", UPSTREAMS, ids=UPSTREAM_IDS)
def test_openai_sdk_raises_on_a_broken_stream(
    lynkr: DaemonProcess, upstreams: Upstreams, up: Upstream, failure: str
) -> None:
    emulator(upstreams, up).script(FAILURES[failure](up.content_chunks))
    received: list[str] = []
    client = openai.OpenAI(base_url=f"{lynkr.url}/v1", api_key="client-key", max_retries=0, timeout=10)
    with client, pytest.raises(openai.APIError) as info:
        stream = client.chat.completions.create(model=f"lynkr-{up.tier}", messages=USER, stream=True)
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "".join(received).startswith("word0"), received
    assert len("".join(received)) < len(LONG_TEXT)
    if failure == "error-event":
        assert "upstream exploded" in info.value.message
    assert_no_keys(info.value.message)


# --------------------------------------------------------------------------- client disconnects


async def _wait_for(predicate: Any, within: float = 5.0) -> bool:
    """``Emulator.wait_until`` without blocking this test's event loop."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.01)
    return True


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
@pytest.mark.parametrize("up", UPSTREAMS, ids=UPSTREAM_IDS)
async def test_client_disconnect_mid_stream_cancels_the_upstream(
    lynkr: DaemonProcess, upstreams: Upstreams, up: Upstream, dialect: str
) -> None:
    upstream = emulator(upstreams, up)
    upstream.script(Reply(text=LONG_TEXT, chunk_delay=0.2))  # about 10 s if nobody hangs up
    path, body = request_for(dialect, up.tier)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        resp = await session.post(lynkr.url + path, json=body)
        assert resp.status == 200
        first = await asyncio.wait_for(resp.content.readany(), timeout=5)
        assert first, "no first chunk"
        assert await _wait_for(lambda: upstream.open_streams == 1), "the upstream stream is not open"
        resp.close()  # hang up mid-stream
    assert await _wait_for(lambda: upstream.disconnects >= 1), "the upstream never saw the client go away"
    assert await _wait_for(lambda: upstream.open_streams == 0)
    assert len(upstream.chat_requests) == 1


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
@pytest.mark.parametrize("up", UPSTREAMS, ids=UPSTREAM_IDS)
async def test_client_cancel_while_waiting_cancels_the_upstream(
    lynkr: DaemonProcess, upstreams: Upstreams, up: Upstream, dialect: str, stream: bool
) -> None:
    upstream = emulator(upstreams, up)
    upstream.script(Reply(delay=10))  # the upstream thinks for a long time before answering
    path, body = request_for(dialect, up.tier, stream=stream)
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(session.post(lynkr.url + path, json=body), timeout=0.3)
    assert len(upstream.chat_requests) == 1, "the request never reached the upstream"
    assert await _wait_for(lambda: upstream.disconnects >= 1), "the upstream never saw the client go away"
