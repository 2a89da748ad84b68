"""Anthropic Messages dialect, upstream side: decoding the SSE stream into canonical events."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.anthropic import (
    StreamDecoder,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamAccumulator
from tests.unit.anthropic_support import (
    TOOL_USE_SSE,
    assert_contract,
    decode,
    encode_all,
    encoded_frames,
    sdk_accumulate,
    sdk_validate_frames,
    sse_events,
)

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
