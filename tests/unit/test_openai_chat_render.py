"""OpenAI Chat Completions dialect: responses, errors and streams rendered to clients (SDK as oracle)."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import orjson
import pytest
from openai.types.chat import ChatCompletion

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
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_chat import (
    StreamEncoder,
    parse_request,
    render_error,
    render_response,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import events_from_response
from tests.unit.openai_chat_support import (
    body,
    encode_all,
    sdk_accumulate,
    sdk_chunks,
    sse_payloads,
)

# =========================================================================== render_response


def _response(**overrides: Any) -> Response:
    base: dict[str, Any] = {
        "id": "msg_abc123",
        "model": "claude-x",
        "content": [
            ThinkingBlock("Let me think.", signature="sig", origin="anthropic"),
            TextBlock("Checking the weather. "),
            ToolUseBlock("toolu_1", "get_weather", {"city": "Paris"}),
            ToolUseBlock("toolu_2", "get_time", {"tz": "Europe/Paris", "fmt": "24h"}),
        ],
        "stop_reason": StopReason.TOOL_USE,
        "usage": Usage(
            input_tokens=10, output_tokens=20, cache_read_tokens=30, cache_write_tokens=5, reasoning_tokens=4
        ),
    }
    base.update(overrides)
    return Response(**base)


def test_render_response_validates_against_sdk() -> None:
    rendered = render_response(_response(), "my-alias")
    completion = ChatCompletion.model_validate(rendered)
    assert completion.id == "chatcmpl-abc123" and completion.object == "chat.completion"
    assert completion.model == "my-alias" and isinstance(completion.created, int)
    assert rendered["system_fingerprint"] is None
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Checking the weather. "
    assert rendered["choices"][0]["message"]["reasoning_content"] == "Let me think."
    calls = choice.message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [  # type: ignore[union-attr]
        ("toolu_1", "get_weather", '{"city":"Paris"}'),
        ("toolu_2", "get_time", '{"tz":"Europe/Paris","fmt":"24h"}'),
    ]
    assert rendered["usage"] == {
        "prompt_tokens": 45,
        "completion_tokens": 20,
        "total_tokens": 65,
        "prompt_tokens_details": {"cached_tokens": 30},
        "completion_tokens_details": {"reasoning_tokens": 4},
    }


def test_render_plain_text_response_omits_tool_calls_and_reasoning() -> None:
    response = _response(
        content=[TextBlock("Hel"), TextBlock("lo")], stop_reason=StopReason.END_TURN, id="chatcmpl-keep"
    )
    rendered = render_response(response, "m")
    message = rendered["choices"][0]["message"]
    assert message == {"role": "assistant", "content": "Hello", "refusal": None}
    assert rendered["id"] == "chatcmpl-keep"
    ChatCompletion.model_validate(rendered)


def test_render_empty_response_has_null_content() -> None:
    rendered = render_response(_response(content=[], stop_reason=StopReason.MAX_TOKENS), "m")
    assert rendered["choices"][0]["message"]["content"] is None
    assert rendered["choices"][0]["finish_reason"] == "length"
    ChatCompletion.model_validate(rendered)


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        (StopReason.END_TURN, "stop"),
        (StopReason.STOP_SEQUENCE, "stop"),
        (StopReason.PAUSE_TURN, "stop"),
        (StopReason.MAX_TOKENS, "length"),
        (StopReason.CONTEXT_WINDOW_EXCEEDED, "length"),
        (StopReason.REFUSAL, "content_filter"),
        (StopReason.TOOL_USE, "stop"),  # tool_use with no calls: nothing for the client to run
    ],
)
def test_finish_reason_mapping(stop: StopReason, expected: str) -> None:
    rendered = render_response(_response(content=[TextBlock("x")], stop_reason=stop), "m")
    assert rendered["choices"][0]["finish_reason"] == expected


def test_tool_calls_win_over_stop_reason() -> None:
    rendered = render_response(_response(stop_reason=StopReason.END_TURN), "m")
    assert rendered["choices"][0]["finish_reason"] == "tool_calls"


# =========================================================================== render_error


@pytest.mark.parametrize(
    ("kind", "status", "error_type", "code"),
    [
        (ErrorKind.INVALID_REQUEST, 400, "invalid_request_error", None),
        (ErrorKind.CONTEXT_LENGTH, 400, "invalid_request_error", "context_length_exceeded"),
        (ErrorKind.AUTHENTICATION, 401, "authentication_error", None),
        (ErrorKind.PERMISSION, 403, "permission_error", None),
        (ErrorKind.NOT_FOUND, 404, "not_found_error", None),
        (ErrorKind.REQUEST_TOO_LARGE, 413, "invalid_request_error", "request_too_large"),
        (ErrorKind.RATE_LIMIT, 429, "rate_limit_error", "rate_limit_exceeded"),
        (ErrorKind.OVERLOADED, 503, "service_unavailable_error", "overloaded"),
        (ErrorKind.UPSTREAM, 502, "api_error", "upstream_error"),
        (ErrorKind.TIMEOUT, 504, "timeout_error", "timeout"),
        (ErrorKind.INTERNAL, 500, "server_error", None),
    ],
)
def test_render_error(kind: ErrorKind, status: int, error_type: str, code: str | None) -> None:
    got_status, payload = render_error(LynkrError(kind, "boom", param="x"))
    assert got_status == status
    assert payload["error"]["type"] == error_type and payload["error"]["code"] == code
    assert payload["error"]["param"] == "x"
    assert set(payload["error"]) == {"message", "type", "param", "code"}


def test_context_length_message_is_recognisable() -> None:
    _, payload = render_error(LynkrError(ErrorKind.CONTEXT_LENGTH, "prompt is too long: 210000 tokens"))
    assert "maximum context length" in payload["error"]["message"]
    assert "prompt is too long" in payload["error"]["message"]
    already = "This model's maximum context length is 8k"
    _, payload = render_error(LynkrError(ErrorKind.CONTEXT_LENGTH, already))
    assert payload["error"]["message"] == "prompt is too long: This model's maximum context length is 8k"


def test_render_error_keeps_sensible_status() -> None:
    assert render_error(LynkrError(ErrorKind.INVALID_REQUEST, "x", status=422))[0] == 422
    assert render_error(LynkrError(ErrorKind.OVERLOADED, "x", status=529))[0] == 503
    assert render_error(LynkrError(ErrorKind.UPSTREAM, "x", status=200))[0] == 502


def test_invalid_param_error_round_trips() -> None:
    with pytest.raises(LynkrError) as caught:
        parse_request(body(n=3), {})
    status, payload = render_error(caught.value)
    assert status == 400 and payload["error"]["param"] == "n" and "n=1" in payload["error"]["message"]


# =========================================================================== StreamEncoder


def test_encoder_over_response_with_text_and_two_tool_calls() -> None:
    response = _response()
    raw = encode_all(events_from_response(response), model="my-alias")
    chunks = sdk_chunks(raw)
    assert len({c.id for c in chunks}) == 1 and chunks[0].id == "chatcmpl-abc123"
    assert {c.model for c in chunks} == {"my-alias"}
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[0].choices[0].delta.content == ""
    # Every chunk but the usage chunk says usage: null; the usage chunk has no choices.
    payloads = [orjson.loads(p) for p in sse_payloads(raw)[:-1]]
    assert all(p["usage"] is None for p in payloads[:-1])
    assert payloads[-1]["choices"] == [] and payloads[-1]["usage"]["prompt_tokens"] == 45
    finish_choice = payloads[-2]["choices"][0]
    assert finish_choice["delta"] == {} and finish_choice["finish_reason"] == "tool_calls"
    # Tool calls are numbered among tool blocks only (canonical indexes are 2 and 3).
    starts = [
        c.choices[0].delta.tool_calls[0]
        for c in chunks
        if c.choices and c.choices[0].delta.tool_calls and c.choices[0].delta.tool_calls[0].id
    ]
    assert [
        (s.index, s.id, s.function and s.function.name, s.function and s.function.arguments) for s in starts
    ] == [(0, "toolu_1", "get_weather", ""), (1, "toolu_2", "get_time", "")]
    reasoning = "".join(
        p["choices"][0]["delta"].get("reasoning_content", "") for p in payloads if p["choices"]
    )
    assert reasoning == "Let me think."
    assert b"sig" not in raw  # signatures have no OpenAI representation

    final = sdk_accumulate(raw)
    rendered = ChatCompletion.model_validate(render_response(response, "my-alias"))
    assert final.choices[0].message.content == rendered.choices[0].message.content
    assert final.choices[0].finish_reason == "tool_calls"

    def calls(message: Any) -> list[tuple[str, str, str]]:
        return [(t.id, t.function.name, t.function.arguments) for t in message.tool_calls or []]

    assert calls(final.choices[0].message) == calls(rendered.choices[0].message)
    assert final.usage is not None and final.usage.total_tokens == 65


def test_encoder_without_include_usage_has_no_usage_key() -> None:
    response = _response(content=[TextBlock("hi")], stop_reason=StopReason.END_TURN)
    raw = encode_all(events_from_response(response), include_usage=False)
    payloads = [orjson.loads(p) for p in sse_payloads(raw)[:-1]]
    assert all("usage" not in p for p in payloads)
    assert [p["choices"][0]["finish_reason"] for p in payloads] == [None, None, "stop"]
    assert sdk_accumulate(raw).choices[0].message.content == "hi"


def test_encoder_escapes_text_exactly() -> None:
    text = 'quote " backslash \\ newline \n unicode é 🙂 </script>'
    response = _response(content=[TextBlock(text)], stop_reason=StopReason.END_TURN)
    raw = encode_all(events_from_response(response))
    assert sdk_accumulate(raw).choices[0].message.content == text


def test_encoder_error_mid_stream_then_silence() -> None:
    encoder = StreamEncoder("m", True)
    out = encoder.encode(MessageStart("msg_1", "m"))
    out += encoder.encode(BlockStart(0, TextBlock("")))
    out += encoder.encode(BlockDelta(0, "text", "partial"))
    error = LynkrError(ErrorKind.UPSTREAM, "provider fell over")
    tail = encoder.encode(StreamError(error))
    assert tail == b"data: " + orjson.dumps(render_error(error)[1]) + b"\n\n"
    assert encoder.encode(BlockDelta(0, "text", "more")) == b""
    assert encoder.encode(MessageStop()) == b""

    # The official client raises on the error payload after yielding the text.
    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=out + tail)

    client = openai.OpenAI(
        api_key="k",
        base_url="http://lynkr.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    seen = []
    with pytest.raises(openai.APIError, match="provider fell over"):
        messages: Any = [{"role": "user", "content": "x"}]
        stream = client.chat.completions.create(model="m", messages=messages, stream=True)
        for c in stream:
            seen.append(c.choices[0].delta.content if c.choices else None)
    assert seen == ["", "partial"]


def test_encoder_bytes_through_the_official_client() -> None:
    raw = encode_all(events_from_response(_response()))

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=raw)

    client = openai.OpenAI(
        api_key="k",
        base_url="http://lynkr.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with client.chat.completions.stream(model="m", messages=[{"role": "user", "content": "x"}]) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].finish_reason == "tool_calls"
    assert [t.function.name for t in final.choices[0].message.tool_calls or []] == ["get_weather", "get_time"]


def test_encoder_tolerates_missing_message_start_and_delta() -> None:
    encoder = StreamEncoder("m", False)
    raw = encoder.encode(BlockStart(0, TextBlock(""))) + encoder.encode(BlockDelta(0, "text", "x"))
    raw += encoder.encode(BlockStop(0)) + encoder.encode(MessageStop())
    final = sdk_accumulate(raw)
    assert final.choices[0].message.content == "x" and final.choices[0].finish_reason == "stop"


def test_encoder_fills_usage_input_from_message_start() -> None:
    events = [
        MessageStart("msg_1", "m", Usage(input_tokens=12, cache_read_tokens=3)),
        MessageDelta(StopReason.END_TURN, Usage(output_tokens=5)),
        MessageStop(),
    ]
    payloads = [orjson.loads(p) for p in sse_payloads(encode_all(events))[:-1]]
    assert payloads[-1]["usage"]["prompt_tokens"] == 15 and payloads[-1]["usage"]["completion_tokens"] == 5
