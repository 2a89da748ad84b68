"""Anthropic Messages dialect: parsing, rendering, upstream building and both stream directions.

The official ``anthropic`` SDK is the oracle for everything a client receives
(response bodies, each SSE event, the SDK's own stream accumulator and its SSE
parser over an in-memory transport). Request bodies sent upstream are checked
against the invariants the real API enforces (``_assert_valid_upstream``),
because the SDK's request types are TypedDicts with lazy iterables and do not
validate.
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any

import httpx2
import orjson
import pytest
from anthropic import Anthropic
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import Message as SdkMessage
from anthropic.types import RawMessageStreamEvent
from pydantic import TypeAdapter

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    ImageBlock,
    Message,
    MessageDelta,
    MessageStart,
    MessageStop,
    Request,
    Response,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    Tool,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects import anthropic as ant
from daemon.dialects.anthropic import (
    StreamDecoder,
    StreamEncoder,
    build_request,
    count_tokens_response,
    parse_request,
    parse_response,
    render_error,
    render_response,
    upstream_headers,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamAccumulator, events_from_response

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


def _assert_valid_upstream(body: dict[str, Any]) -> None:
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


# =========================================================================== parse_request


def test_parse_request_claude_code_body() -> None:
    headers = {
        "Anthropic-Version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219",
        "Authorization": "Bearer x",
        "X-Claude-Code-Session-Id": "s1",
    }
    request = parse_request(claude_code_body(service_tier="auto", seed=1), headers)
    assert request.model == "claude-sonnet-4-5" and request.max_tokens == 32000 and request.stream is True
    assert request.include_usage is True
    assert request.system[1] == TextBlock("You are Claude Code.", {"type": "ephemeral"})
    assert request.user == "user_abc_account_def_session_123"
    assert request.thinking == {"type": "enabled", "budget_tokens": 4000}
    assert request.tools == [
        Tool(
            "get_weather",
            "Weather by city",
            {"type": "object", "properties": {"location": {"type": "string"}}},
        )
    ]
    assert request.tool_choice == ToolChoice("auto")
    assert request.passthrough_headers == {
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219",
    }
    assert request.extra == {"service_tier": "auto"}  # unknown keys (seed) are not carried
    thinking, text, call = request.messages[1].content
    assert thinking == ThinkingBlock("Need the tool.", SIG, origin="anthropic")
    assert text == TextBlock("Checking.")
    assert call == ToolUseBlock("toolu_01A", "get_weather", {"location": "Paris"})
    result, thanks = request.messages[2].content
    assert result == ToolResultBlock("toolu_01A", [TextBlock("18C, sunny")], False, {"type": "ephemeral"})
    assert thanks.cache_control == {"type": "ephemeral"}


def test_parse_request_all_block_shapes() -> None:
    body = {
        "model": "m",
        "max_tokens": 10,
        "system": "be brief",
        "stop_sequences": ["END"],
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 40,
        "tool_choice": {"type": "tool", "name": "t", "disable_parallel_tool_use": True},
        "tools": [
            {"type": "custom", "name": "t", "input_schema": {"type": "object"}},
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
            {"type": "bash_20250124", "name": "bash"},
        ],
        "output_config": {"effort": "high"},
        "context_management": {"edits": []},
        "container": "c1",
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
                    },
                    {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "tool_use", "id": "a", "name": "t", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "a",
                        "is_error": True,
                        "content": [
                            {"type": "text", "text": "boom"},
                            {"type": "image", "source": {"type": "url", "url": "u"}},
                        ],
                    }
                ],
            },
        ],
    }
    request = parse_request(body, {})
    assert request.system == [TextBlock("be brief")]
    assert (
        request.stop == ["END"]
        and request.temperature == 0.5
        and request.top_p == 0.9
        and request.top_k == 40
    )
    assert request.tool_choice == ToolChoice("tool", "t", True)
    assert [t.name for t in request.tools] == ["t"]
    assert request.extra == {
        "dropped_server_tools": ["web_search", "bash"],
        "output_config": {"effort": "high"},
        "context_management": {"edits": []},
        "container": "c1",
    }
    assert request.messages[0].content == [ImageBlock("image/png", "AAAA"), ImageBlock(url="https://x/y.png")]
    assert request.messages[1].content[0] == ThinkingBlock(redacted="opaque", origin="anthropic")
    result = request.messages[2].content[0]
    assert isinstance(result, ToolResultBlock) and result.is_error and result.text() == "boom"
    assert result.content[1] == ImageBlock(url="u")
    assert request.passthrough_headers == {}


def test_parse_request_count_tokens_without_max_tokens() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": []}
    request = parse_request(body, {}, count_tokens=True)
    assert request.max_tokens is None and request.messages == [Message("user", [TextBlock("hi")])]
    with pytest.raises(LynkrError) as info:
        parse_request(body, {})
    assert info.value.param == "max_tokens" and info.value.status == 400


def test_parse_request_joins_repeated_beta_headers() -> None:
    class Multi:  # what aiohttp's CIMultiDictProxy looks like through Mapping.items()
        def items(self) -> list[tuple[str, str]]:
            return [("anthropic-beta", "a-1"), ("Anthropic-Beta", "b-2"), ("anthropic-version", "2023-06-01")]

    request = parse_request(
        {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]}, Multi()
    )  # type: ignore[arg-type]
    assert request.passthrough_headers == {"anthropic-beta": "a-1,b-2", "anthropic-version": "2023-06-01"}


def _body(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    body.update(kw)
    return body


def _msgs(*content: Any, role: str = "user") -> dict[str, Any]:
    return _body(messages=[{"role": role, "content": list(content)}])


def _tool_turns(result: Any) -> dict[str, Any]:
    return _body(
        messages=[
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "t", "input": {}}]},
            {"role": "user", "content": [result]},
        ]
    )


MALFORMED = [
    ([], "body"),
    ("text", "body"),
    ({"max_tokens": 5, "messages": []}, "model"),
    (_body(model=7), "model"),
    (_body(model=""), "model"),
    (_body(messages={"role": "user"}), "messages"),
    (_body(messages=[]), "messages"),
    (_body(messages=["hi"]), "messages[0]"),
    (_body(messages=[{"role": "tool", "content": "x"}]), "messages[0].role"),
    (_body(messages=[{"role": "user"}]), "messages[0].content"),
    (_body(messages=[{"role": "user", "content": 5}]), "messages[0].content"),
    (_msgs("text"), "messages[0].content[0]"),
    (_msgs({"text": "no type"}), "messages[0].content[0].type"),
    (_msgs({"type": "text"}), "messages[0].content[0].text"),
    (_msgs({"type": "text", "text": "x", "cache_control": "yes"}), "messages[0].content[0].cache_control"),
    (
        _msgs({"type": "image", "source": {"type": "file", "file_id": "f"}}),
        "messages[0].content[0].source.type",
    ),
    (
        _msgs({"type": "image", "source": {"type": "base64", "media_type": "image/png"}}),
        "messages[0].content[0].source.data",
    ),
    (_msgs({"type": "image"}), "messages[0].content[0].source"),
    (_msgs({"type": "tool_use", "id": "a", "name": "t", "input": {}}), "messages[0].content[0].type"),
    (
        _msgs({"type": "tool_use", "id": "a", "name": "t", "input": "{}"}, role="assistant"),
        "messages[0].content[0].input",
    ),
    (_msgs({"type": "tool_use", "name": "t", "input": {}}, role="assistant"), "messages[0].content[0].id"),
    (_msgs({"type": "tool_use", "id": "a", "input": {}}, role="assistant"), "messages[0].content[0].name"),
    (_msgs({"type": "tool_result", "tool_use_id": "a"}, role="assistant"), "messages[0].content[0].type"),
    (_tool_turns({"type": "tool_result", "content": "x"}), "messages[2].content[0].tool_use_id"),
    (
        _tool_turns({"type": "tool_result", "tool_use_id": "a", "content": 3}),
        "messages[2].content[0].content",
    ),
    (
        _tool_turns({"type": "tool_result", "tool_use_id": "a", "is_error": "no"}),
        "messages[2].content[0].is_error",
    ),
    (
        _tool_turns({"type": "tool_result", "tool_use_id": "a", "content": [{"type": "text", "text": 1}]}),
        "messages[2].content[0].content[0].text",
    ),
    (_msgs({"type": "thinking", "thinking": "x", "signature": "s"}), "messages[0].content[0].type"),
    (_msgs({"type": "thinking", "signature": "s"}, role="assistant"), "messages[0].content[0].thinking"),
    (_msgs({"type": "redacted_thinking"}, role="assistant"), "messages[0].content[0].data"),
    (_body(system=5), "system"),
    (_body(system=[{"type": "image"}]), "system[0].type"),
    (_body(system=[{"type": "text"}]), "system[0].text"),
    (_body(max_tokens=0), "max_tokens"),
    (_body(max_tokens=-3), "max_tokens"),
    (_body(max_tokens="100"), "max_tokens"),
    (_body(max_tokens=True), "max_tokens"),
    (_body(max_tokens=1.5), "max_tokens"),
    (_body(tools={"name": "t"}), "tools"),
    (_body(tools=["t"]), "tools[0]"),
    (_body(tools=[{"name": "t"}]), "tools[0].input_schema"),
    (_body(tools=[{"name": "", "input_schema": {}}]), "tools[0].name"),
    (_body(tools=[{"name": "t", "description": 3, "input_schema": {}}]), "tools[0].description"),
    (_body(tool_choice="auto"), "tool_choice"),
    (_body(tool_choice={"type": "required"}), "tool_choice.type"),
    (_body(tool_choice={"type": "tool"}), "tool_choice.name"),
    (
        _body(tool_choice={"type": "auto", "disable_parallel_tool_use": "yes"}),
        "tool_choice.disable_parallel_tool_use",
    ),
    (_body(stop_sequences="END"), "stop_sequences"),
    (_body(stop_sequences=["a", 2]), "stop_sequences[1]"),
    (_body(temperature="hot"), "temperature"),
    (_body(temperature=1.5), "temperature"),
    (_body(top_p=-0.1), "top_p"),
    (_body(top_k=-1), "top_k"),
    (_body(stream="yes"), "stream"),
    (_body(metadata="u"), "metadata"),
    (_body(metadata={"user_id": 5}), "metadata.user_id"),
    (_body(thinking={"type": "on"}), "thinking.type"),
    (_body(thinking={"type": "enabled", "budget_tokens": "lots"}), "thinking.budget_tokens"),
]


@pytest.mark.parametrize(("body", "param"), MALFORMED)
def test_parse_request_rejects_malformed(body: object, param: str) -> None:
    with pytest.raises(LynkrError) as info:
        parse_request(body, {})
    err = info.value
    assert err.kind is ErrorKind.INVALID_REQUEST and err.status == 400
    assert err.param == param and err.message.startswith(f"{param}: ")


@pytest.mark.parametrize(
    "btype",
    ["document", "search_result", "server_tool_use", "web_search_tool_result", "container_upload", "mystery"],
)
def test_parse_request_names_unsupported_block_types(btype: str) -> None:
    with pytest.raises(LynkrError) as info:
        parse_request(_msgs({"type": btype, "source": {}}, role="assistant"), {})
    assert info.value.param == "messages[0].content[0].type"
    assert btype in info.value.message and "does not support" in info.value.message
    with pytest.raises(LynkrError) as info:  # also inside a tool_result
        parse_request(
            _tool_turns({"type": "tool_result", "tool_use_id": "a", "content": [{"type": btype}]}), {}
        )
    assert info.value.param == "messages[2].content[0].content[0].type"


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            paths += _leaf_paths(child, (*path, i))
    return paths


def test_parse_request_never_raises_anything_but_lynkr_error() -> None:
    base = claude_code_body()
    junk: list[Any] = [None, 0, -1, 1.5, "", "x", True, [], [1], {}, {"type": None}]
    for path in _leaf_paths(base)[1:]:
        for value in junk:
            body = copy.deepcopy(base)
            target = body
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            try:
                parse_request(body, {"anthropic-beta": "x"})
            except LynkrError as err:
                assert err.status == 400 and err.param
            # any other exception fails the test with its traceback


# =========================================================================== render_response / errors


def _response(content: list[Any], **kw: Any) -> Response:
    return Response(
        id="r1",
        model="upstream-model",
        content=content,
        usage=Usage(input_tokens=10, output_tokens=5, cache_read_tokens=3, cache_write_tokens=2),
        **kw,
    )


def test_render_response_validates_with_sdk() -> None:
    body = render_response(
        _response(
            [
                ThinkingBlock("hmm", SIG, origin="anthropic"),
                ThinkingBlock(redacted="opaque", origin="anthropic"),
                TextBlock("Hello"),
                ToolUseBlock("toolu_1", "get_weather", {"location": "Paris"}),
            ],
            stop_reason=StopReason.TOOL_USE,
        ),
        "claude-client-model",
    )
    message = SdkMessage.model_validate(body)
    assert message.id.startswith("msg_") and message.model == "claude-client-model"
    assert [b.type for b in message.content] == ["thinking", "redacted_thinking", "text", "tool_use"]
    assert message.content[0].signature == SIG  # type: ignore[union-attr]
    assert message.content[3].input == {"location": "Paris"}  # type: ignore[union-attr]
    assert body["usage"] == {
        "input_tokens": 10,
        "output_tokens": 5,
        "cache_creation_input_tokens": 2,
        "cache_read_input_tokens": 3,
    }
    assert body["stop_reason"] == "tool_use" and body["stop_sequence"] is None


def test_render_response_never_emits_empty_text() -> None:
    body = render_response(
        _response([TextBlock(""), TextBlock("  \n"), ToolUseBlock("t", "f", {}), TextBlock("")]), "m"
    )
    assert [b["type"] for b in body["content"]] == ["tool_use"]
    assert body["stop_reason"] == "tool_use"  # inferred from the tool call (END_TURN upstream)
    empty = render_response(_response([TextBlock("")]), "m")
    assert empty["content"] == [] and empty["stop_reason"] == "end_turn"
    SdkMessage.model_validate(empty)


def test_render_response_thinking_without_signature_and_foreign_origin() -> None:
    body = render_response(
        _response(
            [
                ThinkingBlock("plain", None, origin="anthropic"),
                ThinkingBlock("gemini thoughts", "c2lnbmF0dXJl", origin="gemini"),
            ]
        ),
        "m",
    )
    assert body["content"][0] == {"type": "thinking", "thinking": "plain", "signature": ""}
    foreign = body["content"][1]["signature"]
    assert foreign == "lynkr:gemini:c2lnbmF0dXJl"
    SdkMessage.model_validate(body)
    # Replayed by the client, the block keeps its origin, so it is never sent to Anthropic.
    request = parse_request(
        _body(messages=[{"role": "user", "content": "q"}, {"role": "assistant", "content": body["content"]}]),
        {},
    )
    assert request.messages[1].content[1] == ThinkingBlock("gemini thoughts", "c2lnbmF0dXJl", origin="gemini")
    built = build_request(request, "claude", stream=False)
    assert built["messages"] == [{"role": "user", "content": [{"type": "text", "text": "q"}]}]


ERROR_CASES = [
    (ErrorKind.INVALID_REQUEST, 400, "invalid_request_error"),
    (ErrorKind.AUTHENTICATION, 401, "authentication_error"),
    (ErrorKind.PERMISSION, 403, "permission_error"),
    (ErrorKind.NOT_FOUND, 404, "not_found_error"),
    (ErrorKind.REQUEST_TOO_LARGE, 413, "request_too_large"),
    (ErrorKind.RATE_LIMIT, 429, "rate_limit_error"),
    (ErrorKind.CONTEXT_LENGTH, 400, "invalid_request_error"),
    (ErrorKind.UPSTREAM, 502, "api_error"),
    (ErrorKind.INTERNAL, 500, "api_error"),
    (ErrorKind.TIMEOUT, 504, "timeout_error"),
    (ErrorKind.OVERLOADED, 529, "overloaded_error"),
]


@pytest.mark.parametrize(("kind", "status", "etype"), ERROR_CASES)
def test_render_error(kind: ErrorKind, status: int, etype: str) -> None:
    got_status, body = render_error(LynkrError(kind, "something"))
    assert got_status == status
    assert body["type"] == "error" and body["error"]["type"] == etype
    assert set(body["error"]) == {"type", "message"}


def test_render_error_context_length_says_prompt_is_too_long() -> None:
    _, body = render_error(LynkrError(ErrorKind.CONTEXT_LENGTH, "maximum context length is 128000 tokens"))
    assert body["error"]["message"] == "prompt is too long: maximum context length is 128000 tokens"
    _, body = render_error(LynkrError(ErrorKind.CONTEXT_LENGTH, "Prompt is too long: 210000 tokens > 200000"))
    assert body["error"]["message"] == "Prompt is too long: 210000 tokens > 200000"
    status, body = render_error(LynkrError(ErrorKind.UPSTREAM, "bad gateway", status=503))
    assert status == 503 and body["error"]["type"] == "api_error"


def test_count_tokens_response() -> None:
    assert count_tokens_response(42) == {"input_tokens": 42}


# =========================================================================== StreamEncoder


def _canonical_tool_stream() -> list[StreamEvent]:
    return [
        MessageStart("abc", "upstream", Usage(input_tokens=377, cache_read_tokens=10, cache_write_tokens=5)),
        BlockStart(0, ThinkingBlock("", origin="anthropic")),
        BlockDelta(0, "thinking", "Let me think."),
        BlockDelta(0, "signature", SIG),
        BlockStop(0),
        BlockStart(1, TextBlock("")),
        BlockDelta(1, "text", "Checking."),
        BlockStop(1),
        BlockStart(2, ToolUseBlock("toolu_9", "get_weather", {})),
        BlockDelta(2, "json", '{"loc'),
        BlockDelta(2, "json", 'ation": "Paris", "days": [1, 2]}'),
        BlockStop(2),
        MessageDelta(
            StopReason.TOOL_USE,
            Usage(input_tokens=377, output_tokens=65, cache_read_tokens=10, cache_write_tokens=5),
        ),
        MessageStop(),
    ]


def test_encoder_frames_validate_and_sdk_accumulates_tool_input() -> None:
    raw = encode_all(_canonical_tool_stream())
    frames = sdk_validate_frames(raw)
    assert [f["type"] for f in frames[:2]] == ["message_start", "ping"]
    start = frames[0]["message"]
    assert start["id"] == "msg_abc" and start["model"] == "claude-client-model" and start["content"] == []
    assert start["usage"] == {
        "input_tokens": 377,
        "cache_creation_input_tokens": 5,
        "cache_read_input_tokens": 10,
        "output_tokens": 0,
    }
    assert frames[2]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    assert frames[-2]["usage"] == {
        "output_tokens": 65,
        "input_tokens": 377,
        "cache_creation_input_tokens": 5,
        "cache_read_input_tokens": 10,
    }
    message = sdk_accumulate(frames)
    assert message.content[0].thinking == "Let me think." and message.content[0].signature == SIG
    assert message.content[2].input == {"location": "Paris", "days": [1, 2]}
    assert message.stop_reason == "tool_use" and message.usage.output_tokens == 65


def test_encoder_through_real_sdk_client() -> None:
    """The SDK's own SSE parser and MessageStream over an in-memory transport."""
    raw = encode_all(_canonical_tool_stream())

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=raw)

    client = Anthropic(
        api_key="test",
        base_url="http://lynkr.test",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with client.messages.stream(
        model="claude-client-model", max_tokens=10, messages=[{"role": "user", "content": "hi"}]
    ) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use"]
    assert final.content[2].input == {"location": "Paris", "days": [1, 2]}  # type: ignore[union-attr]
    assert final.usage.input_tokens == 377


def test_encoder_empty_text_block_and_redacted_thinking() -> None:
    raw = encode_all(
        [
            MessageStart("msg_1", "u"),
            BlockStart(0, ThinkingBlock(redacted="opaque", origin="anthropic")),
            BlockStop(0),
            BlockStart(1, TextBlock("")),
            BlockStop(1),
            MessageDelta(StopReason.END_TURN, Usage(output_tokens=1)),
            MessageStop(),
        ]
    )
    frames = sdk_validate_frames(raw)
    assert frames[2]["content_block"] == {"type": "redacted_thinking", "data": "opaque"}
    assert frames[4]["content_block"] == {"type": "text", "text": ""}
    assert frames[0]["message"]["id"] == "msg_1"


def test_encoder_joins_signature_fragments_and_tags_foreign_ones() -> None:
    raw = encode_all(
        [
            MessageStart("m", "u"),
            BlockStart(0, ThinkingBlock("", origin="gemini")),
            BlockDelta(0, "thinking", "t"),
            BlockDelta(0, "signature", "abc"),
            BlockDelta(0, "signature", "def"),
            BlockStop(0),
            MessageDelta(StopReason.END_TURN, Usage()),
            MessageStop(),
        ]
    )
    frames = sdk_validate_frames(raw)
    sigs = [
        f for f in frames if f["type"] == "content_block_delta" and f["delta"]["type"] == "signature_delta"
    ]
    assert len(sigs) == 1 and frames[frames.index(sigs[0]) + 1]["type"] == "content_block_stop"
    assert sdk_accumulate(frames).content[0].signature == "lynkr:gemini:abcdef"


def test_encoder_error_ends_stream() -> None:
    encoder = StreamEncoder("m")
    head = encoder.encode(MessageStart("x", "u")) + encoder.encode(BlockStart(0, TextBlock("")))
    err = encoder.encode(StreamError(LynkrError(ErrorKind.OVERLOADED, "Overloaded")))
    expected = b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    assert err == b"event: error\ndata: " + expected + b"\n\n"
    assert encoder.encode(BlockStop(0)) == b"" and encoder.encode(MessageStop()) == b""
    assert len(encoded_frames(head)) == 3
    ctx = StreamEncoder("m").encode(StreamError(LynkrError(ErrorKind.CONTEXT_LENGTH, "too many tokens")))
    assert b'"message":"prompt is too long: too many tokens"' in ctx
    done = StreamEncoder("m")
    done.encode(MessageStop())
    assert done.encode(MessageStart("x", "u")) == b""


# =========================================================================== StreamDecoder


def test_decoder_tool_use_fixture_to_canonical() -> None:
    events = decode(TOOL_USE_SSE)
    assert_contract(events)
    assert events[0] == MessageStart("msg_lynkr", "claude-sonnet-4", Usage(input_tokens=377, output_tokens=1))
    assert events[1:4] == [
        BlockStart(0, TextBlock("")),
        BlockDelta(0, "text", "I'll check the current weather in Paris for you."),
        BlockStop(0),
    ]
    assert events[4] == BlockStart(1, ToolUseBlock("toolu_01NRLabsLyVHZPKxbKvkfSMn", "get_weather", {}))
    assert [e.value for e in events if isinstance(e, BlockDelta) and e.kind == "json"] == [
        '{"locati',
        'on": "P',
        'aris"}',
    ]
    assert events[-2] == MessageDelta(StopReason.TOOL_USE, Usage(input_tokens=377, output_tokens=65))
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    assert acc.response().tool_calls()[0].input == {"location": "Paris"}


def test_decoder_encoder_round_trip_matches_sdk_view_of_the_original() -> None:
    original = sdk_accumulate([orjson.loads(d) for _, d in sse_events(TOOL_USE_SSE)])
    ours = sdk_accumulate(sdk_validate_frames(encode_all(decode(TOOL_USE_SSE), "claude-sonnet-4-20250514")))
    assert [b.to_dict() for b in ours.content] == [b.to_dict() for b in original.content]
    assert (ours.stop_reason, ours.usage.input_tokens, ours.usage.output_tokens) == ("tool_use", 377, 65)


def _frame(payload: dict[str, Any]) -> str:
    return f"event: {payload['type']}\ndata: {orjson.dumps(payload).decode()}\n\n"


def _stream(*payloads: dict[str, Any], start_usage: dict[str, Any] | None = None, stop: bool = True) -> str:
    start = {
        "type": "message_start",
        "message": {
            "id": "msg_u",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
        },
    }
    if start_usage is not None:
        start["message"]["usage"] = start_usage
    text = _frame(start) + "".join(_frame(p) for p in payloads)
    return text + (_frame({"type": "message_stop"}) if stop else "")


def _start(i: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": i, "content_block": block}


def _delta(i: int, delta: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": i, "delta": delta}


def _stop(i: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": i}


def _mdelta(reason: str = "end_turn", **usage: int) -> dict[str, Any]:
    return {
        "type": "message_delta",
        "delta": {"stop_reason": reason, "stop_sequence": None},
        "usage": usage or {"output_tokens": 7},
    }


def test_decoder_keeps_thinking_blocks_and_signatures_separate() -> None:
    text = _stream(
        _start(0, {"type": "thinking", "thinking": "", "signature": ""}),
        _delta(0, {"type": "thinking_delta", "thinking": "first"}),
        _delta(0, {"type": "signature_delta", "signature": "SIG1"}),
        _stop(0),
        _start(1, {"type": "thinking", "thinking": "", "signature": ""}),  # signature only, no text
        _delta(1, {"type": "signature_delta", "signature": "SIG2"}),
        _stop(1),
        _start(2, {"type": "redacted_thinking", "data": "opaque=="}),
        _stop(2),
        _start(3, {"type": "text", "text": ""}),
        _delta(3, {"type": "text_delta", "text": "a"}),
        _stop(3),
        _start(4, {"type": "text", "text": ""}),  # a second text block stays a second block
        _delta(4, {"type": "text_delta", "text": "b"}),
        _delta(4, {"type": "citations_delta", "citation": {}}),
        _stop(4),
        _mdelta(),
        start_usage={"input_tokens": 3, "output_tokens": 1},
    )
    events = decode(text)
    assert_contract(events)
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    blocks = acc.response().content
    assert blocks == [
        ThinkingBlock("first", "SIG1", origin="anthropic"),
        ThinkingBlock("", "SIG2", origin="anthropic"),
        ThinkingBlock(redacted="opaque==", origin="anthropic"),
        TextBlock("a"),
        TextBlock("b"),
    ]
    sdk_validate_frames(encode_all(events))


def test_decoder_drops_server_tool_blocks_and_renumbers() -> None:
    text = _stream(
        _start(0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}),
        _delta(0, {"type": "input_json_delta", "partial_json": '{"query":"x"}'}),
        _stop(0),
        _start(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}),
        _stop(1),
        _start(2, {"type": "text", "text": "Found it"}),  # text in the start event itself
        _delta(2, {"type": "text_delta", "text": "."}),
        _stop(2),
        _mdelta(),
        start_usage={"input_tokens": 3},
    )
    events = decode(text)
    assert_contract(events)
    assert events[1:5] == [
        BlockStart(0, TextBlock("")),
        BlockDelta(0, "text", "Found it"),
        BlockDelta(0, "text", "."),
        BlockStop(0),
    ]


def test_decoder_tool_input_in_start_event_is_not_lost() -> None:
    events = decode(
        _stream(
            _start(0, {"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}}),
            _stop(0),
            _mdelta("tool_use"),
        )
    )
    assert BlockDelta(0, "json", '{"a":1}') in events


def test_decoder_usage_sources() -> None:
    estimate = Usage(input_tokens=50, estimated=True)
    # usage omitted from message_start: the estimate stands until message_delta reports input
    events = decode(
        _stream(_start(0, {"type": "text", "text": ""}), _stop(0), _mdelta(input_tokens=12, output_tokens=6)),
        estimate,
    )
    assert events[0].usage == estimate  # type: ignore[union-attr]
    assert events[-2].usage == Usage(input_tokens=12, output_tokens=6)  # type: ignore[union-attr]
    # message_delta overrides cache counts; latest cumulative output wins
    events = decode(
        _stream(
            _mdelta(output_tokens=3),
            _mdelta(output_tokens=9, cache_read_input_tokens=4),
            start_usage={"input_tokens": 5, "cache_creation_input_tokens": 2},
        )
    )
    assert events[-2].usage == Usage(
        input_tokens=5,
        output_tokens=9,
        cache_read_tokens=4,  # type: ignore[union-attr]
        cache_write_tokens=2,
    )
    # no output count at all: estimated from generated characters
    events = decode(
        _stream(
            _start(0, {"type": "text", "text": ""}),
            _delta(0, {"type": "text_delta", "text": "x" * 40}),
            _stop(0),
            {"type": "message_delta", "delta": {"stop_reason": "max_tokens"}},
            start_usage={"input_tokens": 5},
        )
    )
    final = events[-2]
    assert isinstance(final, MessageDelta) and final.stop_reason is StopReason.MAX_TOKENS
    assert final.usage.output_tokens == 10 and final.usage.estimated and final.usage.input_tokens == 5


@pytest.mark.parametrize(
    ("etype", "kind"),
    [
        ("overloaded_error", ErrorKind.OVERLOADED),
        ("rate_limit_error", ErrorKind.RATE_LIMIT),
        ("api_error", ErrorKind.UPSTREAM),
        ("invalid_request_error", ErrorKind.UPSTREAM),
    ],
)
def test_decoder_error_event(etype: str, kind: ErrorKind) -> None:
    decoder = StreamDecoder("m", "c", Usage())
    head = decoder.feed("message_start", orjson.dumps({"type": "message_start", "message": {}}).decode())
    events = decoder.feed(
        "error", orjson.dumps({"type": "error", "error": {"type": etype, "message": "Overloaded"}}).decode()
    )
    assert isinstance(head[0], MessageStart) and len(events) == 1
    err = events[0].error  # type: ignore[union-attr]
    assert isinstance(err, LynkrError) and err.kind is kind and "Overloaded" in err.message
    assert decoder.feed("message_stop", '{"type":"message_stop"}') == [] and decoder.finish() == []
    frames = encoded_frames(encode_all(head + events))
    assert frames[-1]["type"] == "error"


def test_decoder_invalid_json_fails_clearly() -> None:
    decoder = StreamDecoder("m", "c", Usage())
    decoder.feed("message_start", '{"type":"message_start","message":{}}')
    (event,) = decoder.feed("content_block_delta", '{"type":"content_block_delta",')
    assert isinstance(event, StreamError) and event.error.kind is ErrorKind.UPSTREAM
    assert "invalid JSON" in event.error.message
    (event,) = StreamDecoder("m", "c", Usage()).feed(None, "[1, 2]")
    assert isinstance(event, StreamError) and "not a JSON object" in event.error.message


def test_decoder_eof_without_message_stop() -> None:
    truncated = _stream(
        _start(0, {"type": "text", "text": ""}), _delta(0, {"type": "text_delta", "text": "Hel"}), stop=False
    )
    events = decode(truncated)
    assert_contract(events)
    assert isinstance(events[-1], StreamError)
    assert "stream ended before message_stop" in events[-1].error.message
    assert events[-1].error.kind is ErrorKind.UPSTREAM
    # message_delta arrived: a lost message_stop is harmless
    events = decode(
        _stream(
            _start(0, {"type": "text", "text": ""}),
            _delta(0, {"type": "text_delta", "text": "Hi"}),
            _mdelta(output_tokens=2),
            stop=False,
        )
    )
    assert_contract(events)
    assert events[-2] == MessageDelta(StopReason.END_TURN, Usage(output_tokens=2))
    assert isinstance(decode("")[-1], StreamError)


def test_decoder_tolerates_missing_event_names_pings_and_unknown_events() -> None:
    decoder = StreamDecoder("msg_lynkr", "claude-sonnet-4", Usage())
    events: list[StreamEvent] = []
    for _name, data in sse_events(TOOL_USE_SSE):
        events += decoder.feed(None, data)  # type from data only
        events += decoder.feed("ping", "")
        events += decoder.feed(None, '{"type":"future_event","x":1}')
    events += decoder.finish()
    assert_contract(events)
    assert events == decode(TOOL_USE_SSE)


def test_decoder_survives_garbage_fields() -> None:
    text = _stream(
        _start(0, {"type": "text", "text": 5}),
        {"type": "content_block_delta", "index": [1], "delta": "nope"},
        _delta(0, {"type": "text_delta", "text": None}),
        {"type": "content_block_start", "index": 1, "content_block": None},
        _start(1, {"type": "tool_use", "id": None, "name": 3, "input": "x"}),
        _delta(1, {"type": "input_json_delta", "partial_json": 7}),
        {"type": "content_block_stop", "index": {}},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "brand_new_reason"},
            "usage": {"output_tokens": "9"},
        },
        start_usage={"input_tokens": "many"},
    )
    events = decode(text)
    assert_contract(events)
    final = events[-2]
    assert (
        isinstance(final, MessageDelta) and final.stop_reason is StopReason.TOOL_USE
    )  # inferred from the call


# =========================================================================== build_request


def test_build_request_round_trips_a_claude_code_body() -> None:
    body = claude_code_body()
    built = build_request(parse_request(body, {}), "claude-sonnet-4-5", stream=True)
    expected = copy.deepcopy(body)
    expected["messages"][2]["content"][0]["content"] = [{"type": "text", "text": "18C, sunny"}]
    assert built == expected
    _assert_valid_upstream(built)


def test_build_request_basic_fields_and_defaults() -> None:
    request = req(
        [user("hi")],
        system=[TextBlock("sys"), TextBlock(""), TextBlock("cached", {"type": "ephemeral"})],
        stop=["X"],
        temperature=0.3,
        top_p=0.8,
        top_k=5,
        user="u1",
        extra={"seed": 1, "presence_penalty": 0.5, "service_tier": "auto", "dropped_server_tools": ["w"]},
    )
    body = build_request(request, "claude-haiku", stream=False)
    assert body == {
        "model": "claude-haiku",
        "system": [
            {"type": "text", "text": "sys"},
            {"type": "text", "text": "cached", "cache_control": {"type": "ephemeral"}},
        ],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
        "max_tokens": 8192,
        "stop_sequences": ["X"],
        "temperature": 0.3,
        "top_p": 0.8,
        "top_k": 5,
        "metadata": {"user_id": "u1"},
        "service_tier": "auto",
    }
    assert (
        build_request(req([user("hi")], max_tokens=100), "c", stream=True, default_max_tokens=5)["max_tokens"]
        == 100
    )
    assert build_request(req([user("hi")]), "c", stream=True)["stream"] is True


def test_build_request_merges_and_drops_empty_text() -> None:
    request = req([user("a"), user(""), assistant(" "), user("b", ""), assistant("x", ""), assistant("y ")])
    body = build_request(request, "c", stream=False)
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        # a trailing assistant prefill may not end in whitespace
        {"role": "assistant", "content": [{"type": "text", "text": "x"}, {"type": "text", "text": "y"}]},
    ]
    _assert_valid_upstream(body)


def test_build_request_first_message_must_be_user() -> None:
    body = build_request(req([assistant("earlier answer"), user("go on")]), "c", stream=False)
    assert body["messages"][0] == {"role": "user", "content": [{"type": "text", "text": "(continued)"}]}
    _assert_valid_upstream(body)
    assert build_request(req([user("")]), "c", stream=False)["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "(continued)"}]}
    ]


def test_build_request_tool_results_first_and_orphans_repaired() -> None:
    request = req(
        [
            user(ToolResultBlock("ghost", [TextBlock("old output")])),  # no tool_use before it at all
            assistant(
                "let me look", ToolUseBlock("t1", "read", {"p": 1}), ToolUseBlock("t2", "read", {"p": 2})
            ),
            user(
                "also this:",
                ToolResultBlock("t2", [TextBlock("two")]),
                ToolResultBlock("zzz", [TextBlock("??")]),
            ),
            assistant(ToolUseBlock("t3", "read", {})),
        ],
        tools=[Tool("read")],
    )
    body = build_request(request, "c", stream=False)
    _assert_valid_upstream(body)
    m = body["messages"]
    assert m[0]["content"] == [{"type": "text", "text": "[tool result for ghost] old output"}]
    assert m[2]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "t1",
            "is_error": True,
            "content": [{"type": "text", "text": "[no result was recorded for this call]"}],
        },
        {"type": "tool_result", "tool_use_id": "t2", "content": [{"type": "text", "text": "two"}]},
        {"type": "text", "text": "also this:"},
        {"type": "text", "text": "[tool result for zzz] ??"},
    ]
    # a trailing tool_use gets a synthetic result in a new user turn
    assert m[-1] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "t3",
                "is_error": True,
                "content": [{"type": "text", "text": "[no result was recorded for this call]"}],
            }
        ],
    }


def test_build_request_results_separated_by_a_turn_are_orphans() -> None:
    request = req(
        [
            user("q"),
            assistant(ToolUseBlock("t1", "f", {})),
            user("interrupt"),
            assistant("ok"),
            user(ToolResultBlock("t1", [TextBlock("late")])),
        ],
        tools=[Tool("f")],
    )
    body = build_request(request, "c", stream=False)
    _assert_valid_upstream(body)
    assert body["messages"][2]["content"][0]["is_error"] is True
    assert body["messages"][4]["content"] == [{"type": "text", "text": "[tool result for t1] late"}]


def test_build_request_sanitises_foreign_tool_ids_consistently() -> None:
    weird = "call_a+b/c=="
    request = req(
        [user("q"), assistant(ToolUseBlock(weird, "f", {})), user(ToolResultBlock(weird, [TextBlock("r")]))],
        tools=[Tool("f")],
    )
    body = build_request(request, "c", stream=False)
    _assert_valid_upstream(body)
    assert body["messages"][1]["content"][0]["id"] == "call_a_b_c__"
    assert body["messages"][2]["content"][0]["tool_use_id"] == "call_a_b_c__"
    assert request.messages[1].content[0].id == weird  # type: ignore[union-attr]  # input untouched


def test_build_request_thinking_passthrough_by_origin() -> None:
    keep = ThinkingBlock("reasoning…", SIG, origin="anthropic")
    request = req(
        [
            user("q"),
            assistant(
                keep,
                ThinkingBlock(redacted="opaque", origin="anthropic"),
                ThinkingBlock("deepseek reasoning", None, origin="openai"),
                ThinkingBlock("gemini", "Z2VtaW5p", origin="gemini"),
                ThinkingBlock("unsigned", None, origin="anthropic"),
                ThinkingBlock("empty sig", "", origin="anthropic"),
                "answer",
            ),
        ],
        thinking={"type": "enabled", "budget_tokens": 2000},
    )
    body = build_request(request, "c", stream=False)
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "reasoning…", "signature": SIG},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "answer"},
    ]
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2000}


def test_build_request_images() -> None:
    request = req(
        [
            user(
                ImageBlock("image/jpeg", "QUJD"),
                ImageBlock(url="https://e.x/a.png"),
                ImageBlock(url="data:image/webp;base64,UklGRg=="),
                ImageBlock(),
                "what?",
            )
        ]
    )
    content = build_request(request, "c", stream=False)["messages"][0]["content"]
    assert content == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "QUJD"}},
        {"type": "image", "source": {"type": "url", "url": "https://e.x/a.png"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/webp", "data": "UklGRg=="}},
        {"type": "text", "text": "what?"},
    ]


def test_build_request_tools_and_tool_choice() -> None:
    tools = [Tool("f", "does f", {"type": "object", "properties": {}}), Tool("g")]
    body = build_request(
        req([user("q")], tools=tools, tool_choice=ToolChoice("tool", "g", True)), "c", stream=False
    )
    assert body["tools"] == [
        {"name": "f", "description": "does f", "input_schema": {"type": "object", "properties": {}}},
        {"name": "g", "input_schema": {"type": "object", "properties": {}}},
    ]
    assert body["tool_choice"] == {"type": "tool", "name": "g", "disable_parallel_tool_use": True}
    assert "tool_choice" not in build_request(req([user("q")], tools=tools), "c", stream=False)
    none = build_request(
        req([user("q")], tools=tools, tool_choice=ToolChoice("none", None, True)), "c", stream=False
    )
    assert none["tool_choice"] == {"type": "none"}
    bare = build_request(req([user("q")], tool_choice=ToolChoice("any")), "c", stream=False)
    assert "tools" not in bare and "tool_choice" not in bare


def test_build_request_declares_placeholder_tools_for_tool_history() -> None:
    request = req(
        [
            user("q"),
            assistant(ToolUseBlock("t1", "read_file", {})),
            user(ToolResultBlock("t1", [TextBlock("r")])),
            user("now summarise"),
        ]
    )
    body = build_request(request, "c", stream=False)
    _assert_valid_upstream(body)
    assert [t["name"] for t in body["tools"]] == ["read_file"] and body["tool_choice"] == {"type": "none"}


def test_build_request_response_format_becomes_system_instruction() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    body = build_request(
        req(
            [user("q")],
            system=[TextBlock("sys")],
            response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": schema}},
        ),
        "c",
        stream=False,
    )
    assert body["system"][0] == {"type": "text", "text": "sys"}
    assert "JSON" in body["system"][1]["text"] and orjson.dumps(schema).decode() in body["system"][1]["text"]
    body = build_request(req([user("q")], response_format={"type": "json_object"}), "c", stream=False)
    assert len(body["system"]) == 1 and "JSON object" in body["system"][0]["text"]
    assert "system" not in build_request(
        req([user("q")], response_format={"type": "text"}), "c", stream=False
    )


def test_build_request_thinking_sampling_constraints() -> None:
    thinking = {"type": "enabled", "budget_tokens": 10000}
    body = build_request(
        req([user("q")], thinking=thinking, temperature=0.2, top_p=0.5, top_k=3),
        "c",
        stream=False,
        default_max_tokens=8192,
    )
    assert "temperature" not in body and "top_p" not in body and "top_k" not in body
    assert body["max_tokens"] == 10000 + 8192  # a defaulted max_tokens must exceed the budget
    body = build_request(
        req([user("q")], thinking=thinking, temperature=1.0, top_p=0.97, max_tokens=20000), "c", stream=False
    )
    assert body["temperature"] == 1.0 and body["top_p"] == 0.97 and body["max_tokens"] == 20000


def test_build_request_does_not_mutate_the_request() -> None:
    request = parse_request(
        claude_code_body(
            messages=[
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "a.b", "name": "t", "input": {}}],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": " "},
                        {"type": "tool_result", "tool_use_id": "a.b", "content": "r"},
                    ],
                },
            ]
        ),
        {},
    )
    before = copy.deepcopy(request)
    body = build_request(request, "c", stream=True)
    _assert_valid_upstream(body)
    assert request == before


def test_build_request_tool_result_content_shapes() -> None:
    result = ToolResultBlock(
        "t1",
        [TextBlock(""), TextBlock("ok"), ImageBlock("image/png", "AA")],
        cache_control={"type": "ephemeral"},
    )
    empty = ToolResultBlock("t2", [])
    body = build_request(
        req(
            [
                user("q"),
                assistant(ToolUseBlock("t1", "f", {}), ToolUseBlock("t2", "f", {})),
                user(result, empty),
            ],
            tools=[Tool("f")],
        ),
        "c",
        stream=False,
    )
    assert body["messages"][2]["content"] == [
        {
            "type": "tool_result",
            "tool_use_id": "t1",
            "cache_control": {"type": "ephemeral"},
            "content": [
                {"type": "text", "text": "ok"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA"}},
            ],
        },
        {"type": "tool_result", "tool_use_id": "t2"},
    ]


def test_upstream_headers() -> None:
    assert upstream_headers(req([user("q")])) == {"anthropic-version": "2023-06-01"}
    request = parse_request(_body(), {"anthropic-version": "2024-01-01", "anthropic-beta": "a,b"})
    assert upstream_headers(request) == {"anthropic-version": "2024-01-01", "anthropic-beta": "a,b"}


# =========================================================================== parse_response


def test_parse_response_full_message() -> None:
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-x",
        "content": [
            {"type": "thinking", "thinking": "hmm", "signature": SIG},
            {"type": "redacted_thinking", "data": "opaque"},
            {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}},
            {"type": "text", "text": "Hi", "citations": None},
            {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": [1]}},
        ],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 10,
            "output_tokens": 20,
            "cache_read_input_tokens": 30,
            "cache_creation_input_tokens": 40,
            "service_tier": "standard",
        },
    }
    response = parse_response(body, "anthropic")
    assert response.id == "msg_1" and response.model == "claude-x"
    assert response.content == [
        ThinkingBlock("hmm", SIG, origin="anthropic"),
        ThinkingBlock(redacted="opaque", origin="anthropic"),
        TextBlock("Hi"),
        ToolUseBlock("toolu_1", "f", {"a": [1]}),
    ]
    assert response.stop_reason is StopReason.TOOL_USE
    assert response.usage == Usage(
        input_tokens=10, output_tokens=20, cache_read_tokens=30, cache_write_tokens=40
    )
    # and back out to a client, unchanged but for the dropped server tool block
    rendered = render_response(response, "claude-x")
    SdkMessage.model_validate(rendered)
    assert rendered["content"] == [
        body["content"][0],
        body["content"][1],
        {"type": "text", "text": "Hi"},
        body["content"][4],
    ]


def test_parse_response_tolerates_missing_fields() -> None:
    response = parse_response(
        {
            "content": [{"type": "text"}, "junk", {"type": "tool_use", "input": '{"x":1}'}],
            "stop_reason": "something_new",
            "usage": {"input_tokens": "?"},
        },
        "zai",
    )
    assert response.content == [ToolUseBlock("", "", {"x": 1})]
    assert response.id.startswith("msg_") and response.usage == Usage()
    assert response.stop_reason is StopReason.TOOL_USE  # END_TURN fallback, then tool calls win
    assert parse_response({"content": [], "stop_reason": "refusal"}, "p").stop_reason is StopReason.REFUSAL
    assert parse_response({"content": []}, "p").stop_reason is StopReason.END_TURN


@pytest.mark.parametrize("body", [None, [], "text", {"type": "message"}, {"content": {"type": "text"}}])
def test_parse_response_malformed(body: object) -> None:
    with pytest.raises(LynkrError) as info:
        parse_response(body, "azure-claude")
    err = info.value
    assert err.kind is ErrorKind.UPSTREAM and err.retryable and err.provider == "azure-claude"
    assert err.message.startswith("provider azure-claude returned a malformed response: ")


def test_parse_response_error_body() -> None:
    with pytest.raises(LynkrError) as info:
        parse_response({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, "p")
    assert info.value.kind is ErrorKind.OVERLOADED and info.value.provider == "p"
    assert ant.upstream_error_message({"type": "error", "error": {"message": "bad"}}) == "bad"
    assert ant.upstream_error_message("nope") is None


def test_events_from_parsed_response_encode_validly() -> None:
    """A non-streamed upstream answer served to a streaming client."""
    response = parse_response(
        {
            "content": [
                {"type": "text", "text": "x"},
                {"type": "tool_use", "id": "t", "name": "f", "input": {"q": "é"}},
            ],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 1, "output_tokens": 2},
        },
        "p",
    )
    message = sdk_accumulate(sdk_validate_frames(encode_all(list(events_from_response(response)))))
    assert message.content[1].input == {"q": "é"}


def test_a_tool_result_must_answer_an_earlier_tool_use() -> None:
    body = {
        "model": "m",
        "max_tokens": 8,
        "messages": [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_ghost"}]}],
    }
    with pytest.raises(LynkrError) as info:
        ant.parse_request(body, {})
    assert info.value.param == "messages[0].content[0].tool_use_id" and "toolu_ghost" in info.value.message


@pytest.mark.parametrize(
    ("source", "param", "problem"),
    [
        ({"type": "base64", "media_type": "image/png", "data": "@@@"}, "data", "not valid base64"),
        ({"type": "base64", "media_type": "text/html", "data": "AAAA"}, "media_type", "not a supported"),
    ],
)
def test_a_bad_inline_image_is_a_400_naming_the_field(source: dict, param: str, problem: str) -> None:
    content = [{"type": "image", "source": source}]
    body = {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": content}]}
    with pytest.raises(LynkrError) as info:
        ant.parse_request(body, {})
    assert info.value.param == f"messages[0].content[0].source.{param}"
    assert problem in info.value.message
