"""Anthropic Messages dialect: responses, errors and streams rendered to clients (SDK as oracle)."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from anthropic import Anthropic
from anthropic.types import Message as SdkMessage

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Response,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.anthropic import (
    StreamEncoder,
    build_request,
    count_tokens_response,
    parse_request,
    render_error,
    render_response,
)
from daemon.errors import ErrorKind, LynkrError
from tests.unit.anthropic_support import (
    SIG,
    encode_all,
    encoded_frames,
    minimal_body,
    sdk_accumulate,
    sdk_validate_frames,
)

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
        minimal_body(
            messages=[{"role": "user", "content": "q"}, {"role": "assistant", "content": body["content"]}]
        ),
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
