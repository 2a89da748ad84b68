"""Helpers shared by the OpenAI Chat Completions dialect tests (test_openai_chat_*.py).

The official ``openai`` SDK is the oracle for everything a client receives:
``ChatCompletion``/``ChatCompletionChunk`` validate bodies and chunks, the
SDK's ``ChatCompletionStreamState`` accumulates our chunks the way
``client.chat.completions.stream`` does, and a client over an in-memory httpx
transport parses our raw SSE bytes (framing, ``[DONE]``, error payloads).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Request,
    Response,
    StreamError,
    StreamEvent,
    Usage,
)
from daemon.dialects.openai_chat import (
    StreamDecoder,
    StreamEncoder,
    parse_request,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamAccumulator

# --------------------------------------------------------------------------- helpers


def body(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    base.update(overrides)
    return base


def parse(**overrides: Any) -> Request:
    return parse_request(body(**overrides), {})


def rejects(raw: object, param: str, *fragments: str) -> LynkrError:
    with pytest.raises(LynkrError) as caught:
        parse_request(raw, {})
    error = caught.value
    assert error.kind is ErrorKind.INVALID_REQUEST
    assert error.status == 400
    assert error.param == param, error.message
    for fragment in fragments:
        assert fragment in error.message, error.message
    return error


def sse_payloads(raw: bytes) -> list[str]:
    """The ``data:`` payloads of an SSE byte stream, checking the framing on the way."""
    assert raw.endswith(b"\n\n") or raw == b""
    payloads = []
    for frame in raw.decode().split("\n\n")[:-1]:
        assert frame.startswith("data: "), frame
        assert "\n" not in frame, "one data line per event"
        payloads.append(frame[len("data: ") :])
    return payloads


def encode_all(events: Iterable[StreamEvent], *, include_usage: bool = True, model: str = "gpt-4o") -> bytes:
    encoder = StreamEncoder(model, include_usage)
    return b"".join(encoder.encode(event) for event in events)


def sdk_chunks(raw: bytes) -> list[ChatCompletionChunk]:
    payloads = sse_payloads(raw)
    assert payloads[-1] == "[DONE]"
    assert "[DONE]" not in payloads[:-1]
    return [ChatCompletionChunk.model_validate(orjson.loads(p)) for p in payloads[:-1]]


def sdk_accumulate(raw: bytes) -> Any:
    state = ChatCompletionStreamState()
    for chunk in sdk_chunks(raw):
        state.handle_chunk(chunk)
    return state.get_final_completion()


def decode(
    *payloads: str | dict[str, Any], eof: bool = True, input_usage: Usage | None = None
) -> list[StreamEvent]:
    decoder = StreamDecoder("msg_1", "up-model", input_usage or Usage(input_tokens=50, estimated=True))
    events: list[StreamEvent] = []
    for payload in payloads:
        events += decoder.feed(payload if isinstance(payload, str) else orjson.dumps(payload).decode())
    if eof:
        events += decoder.finish()
    return events


def assert_contract(events: list[StreamEvent]) -> None:
    """The canonical stream contract: start, consecutive blocks one at a time, delta, stop (or an error)."""
    if events and isinstance(events[-1], StreamError):
        assert not any(isinstance(e, StreamError) for e in events[:-1])
        events = events[:-1]
        if not events:
            return
    else:
        assert isinstance(events[-2], MessageDelta) and isinstance(events[-1], MessageStop)
    assert isinstance(events[0], MessageStart)
    open_index: int | None = None
    next_index = 0
    for event in events[1:]:
        if isinstance(event, BlockStart):
            assert open_index is None and event.index == next_index
            open_index, next_index = event.index, next_index + 1
        elif isinstance(event, BlockDelta):
            assert event.index == open_index
        elif isinstance(event, BlockStop):
            assert event.index == open_index
            open_index = None
        elif isinstance(event, MessageDelta | MessageStop):
            assert open_index is None
        else:
            raise AssertionError(f"unexpected {event!r}")


def accumulate(events: list[StreamEvent]) -> Response:
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    return acc.response()


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": "chatcmpl-up",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": [{"index": 0, "delta": delta or {}, "logprobs": None, "finish_reason": finish}],
    }
    out.update(extra)
    return out


def call(
    index: int | None = None, call_id: str | None = None, name: str | None = None, arguments: Any = None
) -> dict[str, Any]:
    """One ``delta.tool_calls`` entry, with only the keys given."""
    out: dict[str, Any] = {}
    if index is not None:
        out["index"] = index
    if call_id is not None:
        out["id"] = call_id
        out["type"] = "function"
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if arguments is not None:
        function["arguments"] = arguments
    out["function"] = function
    return out


def usage_chunk(prompt: int = 44, completion: int = 16, cached: int = 0) -> dict[str, Any]:
    return {
        "id": "chatcmpl-up",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
            "completion_tokens_details": {"reasoning_tokens": 0},
        },
    }
