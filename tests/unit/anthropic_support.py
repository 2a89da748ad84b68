"""Helpers shared by the Anthropic Messages dialect tests (test_anthropic_*.py).

The official ``anthropic`` SDK is the oracle for everything a client receives
(response bodies, each SSE event, the SDK's own stream accumulator and its SSE
parser over an in-memory transport). Request bodies sent upstream are checked
against the invariants the real API enforces (``assert_valid_upstream``),
because the SDK's request types are TypedDicts with lazy iterables and do not
validate.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import orjson
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import RawMessageStreamEvent
from pydantic import TypeAdapter

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    Message,
    MessageDelta,
    MessageStart,
    MessageStop,
    Request,
    StreamError,
    StreamEvent,
    TextBlock,
    Usage,
)
from daemon.dialects.anthropic import (
    StreamDecoder,
    StreamEncoder,
)

EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(RawMessageStreamEvent)
SIG = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+/A=="  # base64, like real signatures

# protocols.md §3.4 / anthropic-sdk-python tests/lib/streaming/fixtures/tool_use_response.txt, re-typed.
TOOL_USE_SSE = """\
event: message_start
data: {"type":"message_start","message":{"id":"msg_019Q1hrJbZG26Fb9BQhrkHEr","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":377,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I'll check the current weather in Paris for you."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01NRLabsLyVHZPKxbKvkfSMn","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"locati"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"on\\": \\"P"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"aris\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":65}}

event: message_stop
data: {"type":"message_stop"}
"""  # noqa: E501  (recorded wire data, kept verbatim)


# =========================================================================== helpers


def sse_events(text: str) -> list[tuple[str | None, str]]:
    """A minimal SSE splitter for the fixtures (event name, data)."""
    out = []
    for chunk in text.strip().split("\n\n"):
        name, data = None, []
        for line in chunk.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        out.append((name, "\n".join(data)))
    return out


def decode(text: str, input_usage: Usage | None = None) -> list[StreamEvent]:
    decoder = StreamDecoder("msg_lynkr", "claude-sonnet-4", input_usage or Usage())
    events: list[StreamEvent] = []
    for name, data in sse_events(text):
        events += decoder.feed(name, data)
    return events + decoder.finish()


def encoded_frames(raw: bytes) -> list[dict[str, Any]]:
    """Split encoder output, asserting exact `event: X\\ndata: {...}\\n\\n` framing."""
    text = raw.decode()
    assert text.endswith("\n\n")
    frames = []
    for chunk in text[:-2].split("\n\n"):
        lines = chunk.split("\n")
        assert len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: "), chunk
        payload = orjson.loads(lines[1][6:])
        assert payload["type"] == lines[0][7:]  # event name equals data.type
        frames.append(payload)
    return frames


def encode_all(events: list[StreamEvent], model: str = "claude-client-model") -> bytes:
    encoder = StreamEncoder(model)
    return b"".join(encoder.encode(e) for e in events)


def sdk_validate_frames(raw: bytes) -> list[dict[str, Any]]:
    frames = encoded_frames(raw)
    for frame in frames:
        if frame["type"] not in ("ping", "error"):
            EVENT_ADAPTER.validate_python(frame)
    return frames


def sdk_accumulate(frames: list[dict[str, Any]]) -> Any:
    snapshot = None
    bufs: dict[int, bytes] = {}
    for frame in frames:
        if frame["type"] == "ping":
            continue
        snapshot = accumulate_event(
            event=EVENT_ADAPTER.validate_python(frame), current_snapshot=snapshot, json_bufs=bufs
        )
    return snapshot


def assert_contract(events: list[StreamEvent]) -> None:
    """The canonical stream contract from daemon/canonical.py."""
    assert isinstance(events[0], MessageStart | StreamError)
    if isinstance(events[-1], StreamError):
        assert not any(isinstance(e, StreamError) for e in events[:-1])
        return
    assert isinstance(events[-1], MessageStop) and isinstance(events[-2], MessageDelta)
    open_index, next_index = None, 0
    for event in events[1:-2]:
        if isinstance(event, BlockStart):
            assert open_index is None and event.index == next_index
            open_index, next_index = event.index, next_index + 1
        elif isinstance(event, BlockDelta):
            assert event.index == open_index
        elif isinstance(event, BlockStop):
            assert event.index == open_index
            open_index = None
        else:
            raise AssertionError(f"unexpected {event!r} mid-stream")
    assert open_index is None


_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def assert_valid_upstream(body: dict[str, Any]) -> None:
    """What Anthropic enforces with a 400 (protocols.md §3.2, §4.6)."""
    messages = body["messages"]
    assert messages and messages[0]["role"] == "user"
    for prev, cur in itertools.pairwise(messages):
        assert prev["role"] != cur["role"], "roles must alternate"
    for i, message in enumerate(messages):
        assert message["content"], "no empty messages"
        for block in message["content"]:
            if block["type"] == "text":
                assert block["text"].strip(), "text blocks must be non-empty"
            if block["type"] == "tool_use":
                assert _ID.match(block["id"])
            if block["type"] == "tool_result":
                assert _ID.match(block["tool_use_id"])
            if block["type"] == "thinking":
                assert block["signature"]
        uses = [b["id"] for b in message["content"] if b["type"] == "tool_use"]
        if message["role"] == "user":
            kinds = [b["type"] for b in message["content"]]
            n = kinds.count("tool_result")
            assert kinds[:n] == ["tool_result"] * n, "tool_result blocks come first"
            ids = [b["tool_use_id"] for b in message["content"] if b["type"] == "tool_result"]
            prev_uses = [b["id"] for b in messages[i - 1]["content"] if b["type"] == "tool_use"] if i else []
            assert sorted(ids) == sorted(prev_uses), "results must pair exactly with the previous tool_uses"
        elif uses:
            assert i + 1 < len(messages), "a tool_use needs a following user message"
    if body.get("tools") is None:
        assert not any(b["type"] in ("tool_use", "tool_result") for m in messages for b in m["content"])


def claude_code_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 32000,
        "stream": True,
        "system": [
            {"type": "text", "text": "x-anthropic-billing-header: cc_version=2.1"},
            {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "what's the weather in Paris?"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "Need the tool.", "signature": SIG},
                    {"type": "text", "text": "Checking."},
                    {
                        "type": "tool_use",
                        "id": "toolu_01A",
                        "name": "get_weather",
                        "input": {"location": "Paris"},
                    },
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_01A",
                        "content": "18C, sunny",
                        "cache_control": {"type": "ephemeral"},
                    },
                    {"type": "text", "text": "thanks", "cache_control": {"type": "ephemeral"}},
                ],
            },
        ],
        "tools": [
            {
                "name": "get_weather",
                "description": "Weather by city",
                "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}},
            }
        ],
        "tool_choice": {"type": "auto"},
        "thinking": {"type": "enabled", "budget_tokens": 4000},
        "metadata": {"user_id": "user_abc_account_def_session_123"},
    }
    body.update(overrides)
    return body


def req(messages: list[Message], **kw: Any) -> Request:
    return Request(model="m", messages=messages, **kw)


def user(*blocks: Any) -> Message:
    return Message("user", [TextBlock(b) if isinstance(b, str) else b for b in blocks])


def assistant(*blocks: Any) -> Message:
    return Message("assistant", [TextBlock(b) if isinstance(b, str) else b for b in blocks])


def minimal_body(**kw: Any) -> dict[str, Any]:
    """The smallest valid client request body, with ``kw`` replacing or adding fields."""
    body: dict[str, Any] = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    body.update(kw)
    return body
