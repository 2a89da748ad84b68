"""OpenAI Chat Completions dialect, upstream side: decoding streamed chunks into canonical events."""

from __future__ import annotations

import orjson
import pytest

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    StopReason,
    StreamError,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects import openai_chat as oc
from daemon.dialects.openai_chat import (
    StreamDecoder,
    render_error,
)
from daemon.errors import ErrorKind, LynkrError
from tests.unit.openai_chat_support import (
    accumulate,
    assert_contract,
    call,
    chunk,
    decode,
    encode_all,
    parse,
    sdk_accumulate,
    sse_payloads,
    usage_chunk,
)

# =========================================================================== StreamDecoder

# openai/openai-python:.inline-snapshot/external/2018feb66ae1….bin, reconstructed from protocols.md §1.3
# (same framing: system_fingerprint, content:null + refusal:null on the first delta, usage chunk, [DONE]).
_HEAD = (
    '{"id":"chatcmpl-ABfw","object":"chat.completion.chunk","created":1727346182,'
    '"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_143bb8492c",'
)
GOLDEN_TOOL_STREAM = [
    _HEAD + '"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,'
    '"id":"call_4XzlGBLtUe9dy3GVNV4jhq7h","type":"function","function":{"name":"get_weather",'
    '"arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}]}',
    *[
        _HEAD
        + '"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":'
        + orjson.dumps(fragment).decode()
        + '}}]},"logprobs":null,"finish_reason":null}]}'
        for fragment in ['{"', "city", '":"', "New", " York", " City", '"}']
    ],
    _HEAD + '"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}',
    _HEAD + '"choices":[],"usage":{"prompt_tokens":44,"completion_tokens":16,"total_tokens":60,'
    '"completion_tokens_details":{"reasoning_tokens":0}}}',
    "[DONE]",
]


def test_golden_openai_tool_stream() -> None:
    events = decode(*GOLDEN_TOOL_STREAM)
    assert_contract(events)
    assert events[:3] == [
        MessageStart("msg_1", "up-model", Usage(input_tokens=50, estimated=True)),
        BlockStart(0, ToolUseBlock("call_4XzlGBLtUe9dy3GVNV4jhq7h", "get_weather", {})),
        BlockDelta(0, "json", '{"'),
    ]
    assert events[-3:] == [
        BlockStop(0),
        MessageDelta(StopReason.TOOL_USE, Usage(input_tokens=44, output_tokens=16)),
        MessageStop(),
    ]
    response = accumulate(events)
    expected = ToolUseBlock("call_4XzlGBLtUe9dy3GVNV4jhq7h", "get_weather", {"city": "New York City"})
    assert response.content == [expected]


def test_golden_stream_end_to_end_through_encoder() -> None:
    """Upstream OpenAI stream → canonical → our client SSE → the SDK's accumulator."""
    raw = encode_all(decode(*GOLDEN_TOOL_STREAM))
    final = sdk_accumulate(raw)
    call = (final.choices[0].message.tool_calls or [])[0]
    assert call.function.arguments == '{"city":"New York City"}'  # type: ignore[union-attr]
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.usage is not None and final.usage.prompt_tokens == 44


def test_usage_chunk_after_finish_reason_is_not_lost() -> None:
    decoder = StreamDecoder("msg_1", "m", Usage(input_tokens=9, estimated=True))
    events = decoder.feed(orjson.dumps(chunk({"role": "assistant", "content": "Hi"})).decode())
    events += decoder.feed(orjson.dumps(chunk({}, "stop")).decode())
    assert not any(isinstance(e, MessageDelta) for e in events)  # not finished at finish_reason
    events += decoder.feed(orjson.dumps(usage_chunk(prompt=30, completion=2, cached=10)).decode())
    events += decoder.feed("[DONE]")
    expected = Usage(input_tokens=20, output_tokens=2, cache_read_tokens=10)
    assert events[-2] == MessageDelta(StopReason.END_TURN, expected)
    assert decoder.finish() == [] and decoder.feed("[DONE]") == []


def test_parallel_tool_calls() -> None:
    events = decode(
        chunk({"role": "assistant", "content": None, "tool_calls": [call(0, "call_a", "get_weather", "")]}),
        chunk({"tool_calls": [call(0, arguments='{"city":')]}),
        chunk({"tool_calls": [call(0, arguments='"Paris"}')]}),
        chunk({"tool_calls": [call(1, "call_b", "get_weather", "")]}),
        chunk({"tool_calls": [call(1, arguments='{"city":"Rome"}')]}),
        chunk({}, "tool_calls"),
        "[DONE]",
    )
    assert_contract(events)
    response = accumulate(events)
    assert response.content == [
        ToolUseBlock("call_a", "get_weather", {"city": "Paris"}),
        ToolUseBlock("call_b", "get_weather", {"city": "Rome"}),
    ]
    assert response.stop_reason is StopReason.TOOL_USE


def test_parallel_complete_calls_in_one_chunk() -> None:
    events = decode(
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "id": "a", "function": {"name": "f", "arguments": '{"x":1}'}},
                    {"index": 1, "id": "b", "function": {"name": "g", "arguments": '{"y":2}'}},
                ]
            },
            "tool_calls",
        )
    )
    assert_contract(events)
    assert accumulate(events).content == [ToolUseBlock("a", "f", {"x": 1}), ToolUseBlock("b", "g", {"y": 2})]


def test_tool_deltas_without_index() -> None:
    # Ollama / Gemini-compat: whole calls with ids but no index, then continuation fragments with neither.
    events = decode(
        chunk({"tool_calls": [{"id": "a", "function": {"name": "f", "arguments": '{"x":'}}]}),
        chunk({"tool_calls": [{"function": {"arguments": "1}"}}]}),
        chunk({"tool_calls": [{"id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
        chunk({"tool_calls": [{"function": {"name": "h", "arguments": '{"z":3}'}}]}),  # no id either: minted
        chunk({}, "stop"),
    )
    assert_contract(events)
    response = accumulate(events)
    assert [(b.id, b.name, b.input) for b in response.content if isinstance(b, ToolUseBlock)][:2] == [
        ("a", "f", {"x": 1}),
        ("b", "g", {}),
    ]
    third = response.content[2]
    assert isinstance(third, ToolUseBlock) and third.name == "h" and third.input == {"z": 3}
    assert third.id.startswith("call_")
    assert response.stop_reason is StopReason.TOOL_USE  # "stop" after tool calls means tool_use


def test_id_repeated_on_every_delta_is_one_call() -> None:
    events = decode(
        chunk({"tool_calls": [call(None, "call_x", "f", "")]}),
        chunk({"tool_calls": [call(None, "call_x", arguments='{"a"')]}),
        chunk({"tool_calls": [call(None, "call_x", "f", ":1}")]}),
        chunk({"tool_calls": [call(0, "call_y", "g", "{}")]}),
        chunk({"tool_calls": [call(0, "call_y", arguments="")]}),
    )
    assert_contract(events)
    assert accumulate(events).content == [
        ToolUseBlock("call_x", "f", {"a": 1}),
        ToolUseBlock("call_y", "g", {}),
    ]


def test_index_reused_with_a_new_id_is_a_new_call() -> None:
    events = decode(
        chunk({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}),
        chunk({"tool_calls": [{"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
    )
    assert [b.id for b in accumulate(events).content if isinstance(b, ToolUseBlock)] == ["a", "b"]


def test_arguments_before_name_are_buffered() -> None:
    events = decode(
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"q":'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"x"}'}}]}),
        chunk({"tool_calls": [{"index": 0, "id": "late", "function": {"name": "search"}}]}),
        chunk({}, "tool_calls"),
    )
    assert_contract(events)
    assert accumulate(events).content == [ToolUseBlock("late", "search", {"q": "x"})]


def test_whole_arguments_in_one_delta_and_object_arguments() -> None:
    events = decode(
        chunk({"tool_calls": [call(0, "a", "f", '{"k":[1,2]}')]}),
        chunk({"tool_calls": [call(1, "b", "g", {"o": True})]}),
    )
    assert accumulate(events).content == [
        ToolUseBlock("a", "f", {"k": [1, 2]}),
        ToolUseBlock("b", "g", {"o": True}),
    ]


def test_nameless_call_is_dropped_not_crashed() -> None:
    events = decode(chunk({"content": "hi"}), chunk({"tool_calls": [call(0, arguments="{}")]}))
    assert_contract(events)
    assert accumulate(events).content == [TextBlock("hi")]


def test_reasoning_then_text_then_tool_then_text() -> None:
    events = decode(
        chunk({"role": "assistant", "content": "", "reasoning_content": "Think"}),
        chunk({"reasoning": "ing", "reasoning_content": None}),
        chunk({"reasoning_content": ".", "reasoning": "."}),  # both keys with the same text: counted once
        chunk({"content": "Let me check."}),
        chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}}]}),
        chunk({"content": "Meanwhile..."}),
        chunk({}, "tool_calls"),
        "[DONE]",
    )
    assert_contract(events)
    assert accumulate(events).content == [
        ThinkingBlock("Thinking.", origin="openai"),
        TextBlock("Let me check."),
        ToolUseBlock("c", "f", {}),
        TextBlock("Meanwhile..."),
    ]


def test_azure_empty_choices_first_chunk() -> None:
    events = decode(
        {
            "id": "",
            "object": "",
            "created": 0,
            "model": "",
            "choices": [],
            "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
        },
        chunk({"role": "assistant", "content": "Hello"}),
        chunk({}, "stop", usage=None),
        "[DONE]",
    )
    assert_contract(events)
    assert isinstance(events[0], MessageStart)
    assert accumulate(events).content == [TextBlock("Hello")]


def test_content_filter_and_length() -> None:
    assert accumulate(decode(chunk({"content": "x"}, "content_filter"))).stop_reason is StopReason.REFUSAL
    events = decode(chunk({"tool_calls": [call(0, "c", "f", '{"a')]}, "length"))
    assert accumulate(events).stop_reason is StopReason.MAX_TOKENS  # truncated calls are not tool_use


def test_eof_without_finish_reason_or_usage_closes_with_estimate() -> None:
    decoder = StreamDecoder("msg_1", "m", Usage(input_tokens=100, cache_read_tokens=7, estimated=True))
    events = decoder.feed(orjson.dumps(chunk({"content": "abcdefghij"})).decode())  # 10 chars → 3 tokens
    events += decoder.finish()
    assert_contract(events)
    assert events[-2] == MessageDelta(
        StopReason.END_TURN, Usage(input_tokens=100, output_tokens=3, cache_read_tokens=7, estimated=True)
    )


def test_empty_stream_still_closes() -> None:
    events = decode()
    assert [type(e) for e in events] == [MessageStart, MessageDelta, MessageStop]


def test_usage_without_prompt_tokens_keeps_input_estimate() -> None:
    events = decode(
        chunk({"content": "x"}, "stop", usage={"completion_tokens": 4}), input_usage=Usage(input_tokens=12)
    )
    delta = events[-2]
    assert isinstance(delta, MessageDelta)
    assert delta.usage == Usage(input_tokens=12, output_tokens=4, estimated=True)


def test_usage_on_the_finish_chunk_and_vllm_stop_string() -> None:
    final = chunk(
        {"content": "x"}, "stop", usage={"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    )
    final["choices"][0]["stop_reason"] = "</answer>"  # vLLM puts the matched stop string on the choice
    events = decode(final)
    delta = events[-2]
    assert isinstance(delta, MessageDelta)
    assert delta.stop_reason is StopReason.STOP_SEQUENCE and delta.stop_sequence == "</answer>"
    assert delta.usage == Usage(input_tokens=3, output_tokens=1)


def test_mid_stream_error_payload() -> None:
    decoder = StreamDecoder("msg_1", "m", Usage())
    events = decoder.feed(orjson.dumps(chunk({"content": "partial"})).decode())
    failure = decoder.feed('{"error":{"message":"The server had an error","type":"server_error"}}')
    assert len(failure) == 1 and isinstance(failure[0], StreamError)
    error = failure[0].error
    assert isinstance(error, LynkrError) and error.kind is ErrorKind.UPSTREAM
    assert "The server had an error" in error.message and error.retryable is False  # output already sent
    assert decoder.feed(orjson.dumps(chunk({"content": "more"})).decode()) == []
    assert decoder.feed("[DONE]") == [] and decoder.finish() == []
    assert_contract(events + failure)
    # Re-encoded for an OpenAI client, the error is the last thing on the wire.
    raw = encode_all(events + failure)
    assert sse_payloads(raw)[-1] == orjson.dumps(render_error(error)[1]).decode()


def test_error_before_any_output_is_retryable() -> None:
    events = decode('{"error":{"message":"overloaded","code":503}}')
    assert len(events) == 1 and isinstance(events[0], StreamError) and events[0].error.retryable is True


@pytest.mark.parametrize("payload", ["{not json", "[1,2]", '"str"'])
def test_invalid_payload_fails_clearly(payload: str) -> None:
    events = decode(chunk({"content": "x"}), payload, chunk({"content": "y"}))
    error = events[-1]
    assert isinstance(error, StreamError) and error.error.kind is ErrorKind.UPSTREAM
    assert "not" in error.error.message and payload[:5] in error.error.message
    assert_contract(events)


def test_blank_payloads_and_other_choices_are_ignored() -> None:
    events = decode(
        "",
        "  ",
        {
            "choices": [
                {"index": 1, "delta": {"content": "other"}},
                {"index": 0, "delta": {"content": "mine"}},
            ]
        },
    )
    assert accumulate(events).content == [TextBlock("mine")]


def test_module_exports_the_agreed_api() -> None:
    assert {
        "parse_request",
        "render_response",
        "StreamEncoder",
        "render_error",
        "build_request",
        "parse_response",
        "StreamDecoder",
    } <= set(oc.__all__)


def test_a_tool_message_must_answer_an_earlier_tool_call() -> None:
    with pytest.raises(LynkrError) as info:
        parse(
            messages=[
                {"role": "user", "content": "go"},
                {"role": "tool", "tool_call_id": "call_ghost", "content": "result"},
            ]
        )
    assert info.value.param == "messages[1].tool_call_id" and "call_ghost" in info.value.message


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("data:image/png;base64,not base64!", "not valid base64"),
        ("data:image/tiff;base64,AAAA", "not a supported image type"),
    ],
)
def test_a_bad_inline_image_is_a_400_naming_the_field(url: str, problem: str) -> None:
    with pytest.raises(LynkrError) as info:
        parse(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}])
    assert info.value.param == "messages[0].content[0].image_url.url" and problem in info.value.message
