"""Ollama native /api/chat translation: request building, responses, NDJSON streams."""

from __future__ import annotations

import re

import orjson
import pytest

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
from daemon.dialects import ollama
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamAccumulator

CALL_ID = re.compile(r"^call_[0-9a-f]{8}$")


def req(*messages: Message, **kw: object) -> Request:
    return Request(model="client-model", messages=list(messages), **kw)  # type: ignore[arg-type]


def user(*blocks: object) -> Message:
    return Message("user", list(blocks))  # type: ignore[arg-type]


def assistant(*blocks: object) -> Message:
    return Message("assistant", list(blocks))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- build_request


def test_minimal_request_is_explicit_about_stream() -> None:
    for stream in (True, False):
        body = ollama.build_request(req(user(TextBlock("hi"))), "llama3", stream=stream)
        assert body == {
            "model": "llama3",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": stream,
            "options": {},
        }


def test_system_becomes_leading_message() -> None:
    body = ollama.build_request(
        req(user(TextBlock("q")), system=[TextBlock("be brief"), TextBlock("be kind")]), "m", stream=False
    )
    assert body["messages"][0] == {"role": "system", "content": "be brief\n\nbe kind"}
    assert body["messages"][1] == {"role": "user", "content": "q"}


def test_user_text_blocks_join_with_newline() -> None:
    body = ollama.build_request(req(user(TextBlock("a"), TextBlock("b"))), "m", stream=False)
    assert body["messages"] == [{"role": "user", "content": "a\nb"}]


def test_images_base64_and_url() -> None:
    body = ollama.build_request(
        req(
            user(
                TextBlock("what is this"),
                ImageBlock(media_type="image/png", data="iVBORw0KGgo="),
                ImageBlock(data="data:image/jpeg;base64,/9j/4AAQ"),
                ImageBlock(url="data:image/gif;base64,R0lGOD"),
                ImageBlock(url="https://example.com/cat.png"),
            )
        ),
        "m",
        stream=False,
    )
    msg = body["messages"][0]
    assert msg["images"] == ["iVBORw0KGgo=", "/9j/4AAQ", "R0lGOD"]
    assert msg["content"] == (
        "what is this\n[image at https://example.com/cat.png omitted: Ollama needs inline images]"
    )


def test_assistant_text_thinking_and_tool_calls() -> None:
    body = ollama.build_request(
        req(
            user(TextBlock("weather?")),
            assistant(
                ThinkingBlock("let me check", signature="sig-opaque", origin="anthropic"),
                ThinkingBlock("", redacted="opaque-payload"),
                TextBlock("Checking."),
                ToolUseBlock("toolu_1", "get_weather", {"city": "Paris"}),
            ),
        ),
        "m",
        stream=False,
    )
    msg = body["messages"][1]
    assert msg == {
        "role": "assistant",
        "content": "Checking.",
        "thinking": "let me check",
        "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}}],
    }
    assert "sig-opaque" not in orjson.dumps(body).decode()
    assert "opaque-payload" not in orjson.dumps(body).decode()


def test_tool_results_named_from_history_and_emitted_first() -> None:
    body = ollama.build_request(
        req(
            user(TextBlock("go")),
            assistant(
                ToolUseBlock("toolu_a", "read_file", {"path": "x"}),
                ToolUseBlock("toolu_b", "run", {"cmd": "ls"}),
            ),
            user(
                TextBlock("and then summarise"),
                ToolResultBlock("toolu_b", [TextBlock("file1\nfile2")]),
                ToolResultBlock("toolu_a", [TextBlock("no such file")], is_error=True),
                ToolResultBlock("toolu_unknown", [TextBlock("orphan")]),
            ),
        ),
        "m",
        stream=False,
    )
    assert body["messages"][2:] == [
        {"role": "tool", "content": "file1\nfile2", "tool_name": "run"},
        {"role": "tool", "content": "[tool_error] no such file", "tool_name": "read_file"},
        {"role": "tool", "content": "orphan"},  # no call in history: no name to give
        {"role": "user", "content": "and then summarise"},
    ]


def test_user_turn_with_only_tool_results_adds_no_empty_user_message() -> None:
    body = ollama.build_request(
        req(
            user(TextBlock("go")),
            assistant(ToolUseBlock("t1", "ls", {})),
            user(ToolResultBlock("t1", [TextBlock("a b")])),
        ),
        "m",
        stream=False,
    )
    assert body["messages"][-1] == {"role": "tool", "content": "a b", "tool_name": "ls"}
    assert len(body["messages"]) == 3


def test_tool_result_images_are_attached() -> None:
    body = ollama.build_request(
        req(
            assistant(ToolUseBlock("t1", "screenshot", {})),
            user(ToolResultBlock("t1", [TextBlock("here"), ImageBlock(data="AAAA")])),
        ),
        "m",
        stream=False,
    )
    assert body["messages"][-1] == {
        "role": "tool",
        "content": "here",
        "tool_name": "screenshot",
        "images": ["AAAA"],
    }


def test_tools_are_openai_style() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    body = ollama.build_request(
        req(user(TextBlock("x")), tools=[Tool("get_weather", "Weather for a city", schema), Tool("noop")]),
        "m",
        stream=True,
    )
    assert body["tools"] == [
        {
            "type": "function",
            "function": {"name": "get_weather", "description": "Weather for a city", "parameters": schema},
        },
        {
            "type": "function",
            "function": {
                "name": "noop",
                "description": "",
                "parameters": {"type": "object", "properties": {}},
            },
        },
    ]


def test_tool_choice_none_hides_tools() -> None:
    body = ollama.build_request(
        req(user(TextBlock("x")), tools=[Tool("t")], tool_choice=ToolChoice("none")), "m", stream=False
    )
    assert "tools" not in body


def test_options() -> None:
    body = ollama.build_request(
        req(
            user(TextBlock("x")),
            temperature=0.2,
            top_p=0.9,
            top_k=40,
            max_tokens=512,
            stop=["</s>", "END"],
            extra={"seed": 7, "presence_penalty": 0.5, "logit_bias": {"1": 2}, "user_tag": "x"},
        ),
        "m",
        stream=False,
        num_ctx=32768,
    )
    assert body["options"] == {
        "temperature": 0.2,
        "top_p": 0.9,
        "top_k": 40,
        "num_predict": 512,
        "stop": ["</s>", "END"],
        "seed": 7,
        "presence_penalty": 0.5,
        "num_ctx": 32768,
    }


def test_seed_must_be_a_number() -> None:
    body = ollama.build_request(req(user(TextBlock("x")), extra={"seed": True}), "m", stream=False)
    assert "seed" not in body["options"]


def test_keep_alive_only_when_given() -> None:
    r = req(user(TextBlock("x")))
    assert "keep_alive" not in ollama.build_request(r, "m", stream=False)
    assert ollama.build_request(r, "m", stream=False, keep_alive="30m")["keep_alive"] == "30m"


@pytest.mark.parametrize(
    ("response_format", "expected"),
    [
        ({"type": "json_object"}, "json"),
        (
            {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}},
            {"type": "object"},
        ),
        ({"type": "json_schema", "json_schema": {"name": "x"}}, "json"),
        ({"type": "text"}, None),
        (None, None),
    ],
)
def test_response_format(response_format: dict | None, expected: object) -> None:
    body = ollama.build_request(req(user(TextBlock("x")), response_format=response_format), "m", stream=False)
    assert body.get("format") == expected


@pytest.mark.parametrize(
    ("thinking", "think_arg", "expected"),
    [
        (None, None, None),
        ({"type": "enabled", "budget_tokens": 2048}, None, True),
        ({"type": "disabled"}, None, False),
        ({"type": "enabled", "budget_tokens": 2048}, "high", "high"),  # explicit argument wins
        (None, False, False),
    ],
)
def test_think(thinking: dict | None, think_arg: bool | str | None, expected: object) -> None:
    request = req(user(TextBlock("x")), thinking=thinking)
    body = ollama.build_request(request, "m", stream=False, think=think_arg)
    assert body.get("think") == expected


def test_reasoning_effort_maps_to_think_level() -> None:
    request = req(user(TextBlock("x")), extra={"reasoning_effort": "low"})
    body = ollama.build_request(request, "m", stream=False)
    assert body["think"] == "low"


def test_body_is_json_serialisable() -> None:
    request = req(user(TextBlock("x")), tools=[Tool("t")], thinking={"type": "enabled"})
    body = ollama.build_request(request, "m", stream=True, num_ctx=8192)
    assert orjson.loads(orjson.dumps(body)) == body


# --------------------------------------------------------------------------- parse_response


def reply(**message: object) -> dict:
    return {
        "model": "qwen3",
        "created_at": "2025-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": "", **message},
        "done": True,
        "done_reason": "stop",
        "prompt_eval_count": 26,
        "eval_count": 298,
    }


def test_parse_text_response() -> None:
    r = ollama.parse_response(reply(content="Hello!"), "ollama")
    assert r.model == "qwen3"
    assert r.id.startswith("msg_")
    assert r.content == [TextBlock("Hello!")]
    assert r.stop_reason is StopReason.END_TURN
    assert r.usage == Usage(input_tokens=26, output_tokens=298)


def test_parse_thinking_and_tool_calls() -> None:
    r = ollama.parse_response(
        reply(
            thinking="need weather",
            tool_calls=[
                {"function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                {"function": {"name": "get_time", "arguments": {}}},
            ],
        ),
        "ollama",
    )
    thinking, call1, call2 = r.content
    assert thinking == ThinkingBlock("need weather", origin="ollama")
    assert isinstance(call1, ToolUseBlock) and isinstance(call2, ToolUseBlock)
    assert (call1.name, call1.input) == ("get_weather", {"city": "Paris"})
    assert (call2.name, call2.input) == ("get_time", {})
    assert CALL_ID.match(call1.id) and CALL_ID.match(call2.id) and call1.id != call2.id
    assert r.stop_reason is StopReason.TOOL_USE


def test_parse_keeps_safe_upstream_call_id_and_parses_string_arguments() -> None:
    call = {"id": "call_abc123", "function": {"name": "f", "arguments": '{"a": 1}'}}
    r = ollama.parse_response(reply(tool_calls=[call]), "ollama")
    assert r.content == [ToolUseBlock("call_abc123", "f", {"a": 1})]


def test_parse_length() -> None:
    body = reply(content="truncat")
    body["done_reason"] = "length"
    assert ollama.parse_response(body, "ollama").stop_reason is StopReason.MAX_TOKENS


def test_parse_missing_usage_is_zero() -> None:
    body = reply(content="x")
    del body["prompt_eval_count"], body["eval_count"]
    assert ollama.parse_response(body, "ollama").usage == Usage()


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"done": True},
        {"message": "hi"},
        {"message": {"content": 5}},
        {"message": {"tool_calls": {}}},
        {"message": {"tool_calls": [{"function": {}}]}},
    ],
)
def test_parse_malformed(body: object) -> None:
    with pytest.raises(LynkrError) as info:
        ollama.parse_response(body, "local")
    err = info.value
    assert err.kind is ErrorKind.UPSTREAM and err.retryable and err.provider == "local"
    assert err.message.startswith("provider local returned a malformed response: ")


def test_parse_error_body() -> None:
    with pytest.raises(LynkrError) as info:
        ollama.parse_response({"error": "model 'nope' not found"}, "local")
    assert info.value.kind is ErrorKind.UPSTREAM
    assert "model 'nope' not found" in info.value.message
    assert info.value.provider == "local"


# --------------------------------------------------------------------------- stream


def line(**chunk: object) -> str:
    return orjson.dumps({"model": "qwen3", "created_at": "2025-01-01T00:00:00Z", **chunk}).decode()


def part(done: bool = False, **message: object) -> str:
    return line(message={"role": "assistant", "content": "", **message}, done=done)


def done(reason: str = "stop", **counts: object) -> str:
    return line(message={"role": "assistant", "content": ""}, done=True, done_reason=reason, **counts)


INPUT = Usage(input_tokens=100, estimated=True)


def decode(lines: list[str], eof: bool = True) -> list[StreamEvent]:
    decoder = ollama.StreamDecoder("msg_1", "qwen3", INPUT)
    events: list[StreamEvent] = []
    for raw in lines:
        events += decoder.feed(raw)
    if eof:
        events += decoder.finish()
    return events


def check_contract(events: list[StreamEvent]) -> None:
    """MessageStart first, consecutive indexes, one block open at a time, delta/stop or error last."""
    assert isinstance(events[0], MessageStart)
    open_index: int | None = None
    next_index = 0
    for i, event in enumerate(events[1:], 1):
        if isinstance(event, BlockStart):
            assert open_index is None and event.index == next_index
            open_index, next_index = event.index, next_index + 1
        elif isinstance(event, BlockDelta):
            assert event.index == open_index
        elif isinstance(event, BlockStop):
            assert event.index == open_index
            open_index = None
        elif isinstance(event, MessageDelta):
            assert open_index is None
            assert isinstance(events[i + 1], MessageStop) and i + 2 == len(events)
        elif isinstance(event, StreamError | MessageStop):
            assert i + 1 == len(events)
        else:
            pytest.fail(f"unexpected {event!r}")


def test_stream_text_then_tool_call_then_done() -> None:
    events = decode(
        [
            part(content="Let me "),
            part(content="check."),
            "",
            part(tool_calls=[{"function": {"name": "get_weather", "arguments": {"city": "Paris", "n": 2}}}]),
            done(prompt_eval_count=42, eval_count=17),
        ]
    )
    check_contract(events)
    assert events[0] == MessageStart("msg_1", "qwen3", INPUT)
    tool_start = events[5]
    assert isinstance(tool_start, BlockStart) and isinstance(tool_start.block, ToolUseBlock)
    assert CALL_ID.match(tool_start.block.id)
    assert events[1:] == [
        BlockStart(0, TextBlock("")),
        BlockDelta(0, "text", "Let me "),
        BlockDelta(0, "text", "check."),
        BlockStop(0),
        BlockStart(1, ToolUseBlock(tool_start.block.id, "get_weather", {})),
        BlockDelta(1, "json", '{"city":"Paris","n":2}'),
        BlockStop(1),
        MessageDelta(StopReason.TOOL_USE, Usage(input_tokens=42, output_tokens=17)),
        MessageStop(),
    ]

    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    response = acc.response()
    assert acc.error is None
    assert response.id == "msg_1" and response.model == "qwen3"
    assert response.content == [
        TextBlock("Let me check."),
        ToolUseBlock(tool_start.block.id, "get_weather", {"city": "Paris", "n": 2}),
    ]
    assert response.stop_reason is StopReason.TOOL_USE
    assert response.usage == Usage(input_tokens=42, output_tokens=17)


def test_stream_several_tool_calls_get_distinct_blocks_and_ids() -> None:
    events = decode(
        [
            part(
                tool_calls=[
                    {"function": {"name": "a", "arguments": {}}},
                    {"function": {"name": "b", "arguments": {"x": 1}}},
                ]
            ),
            part(tool_calls=[{"function": {"name": "c", "arguments": {"y": [1, 2]}}}]),
            done(prompt_eval_count=1, eval_count=1),
        ]
    )
    check_contract(events)
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    calls = acc.response().tool_calls()
    assert [(c.name, c.input) for c in calls] == [("a", {}), ("b", {"x": 1}), ("c", {"y": [1, 2]})]
    assert len({c.id for c in calls}) == 3


def test_stream_thinking_then_text() -> None:
    events = decode(
        [
            part(thinking="Hmm, "),
            part(thinking="easy."),
            part(content="4"),
            done(prompt_eval_count=5, eval_count=3),
        ]
    )
    check_contract(events)
    assert events[1:] == [
        BlockStart(0, ThinkingBlock("", origin="ollama")),
        BlockDelta(0, "thinking", "Hmm, "),
        BlockDelta(0, "thinking", "easy."),
        BlockStop(0),
        BlockStart(1, TextBlock("")),
        BlockDelta(1, "text", "4"),
        BlockStop(1),
        MessageDelta(StopReason.END_TURN, Usage(input_tokens=5, output_tokens=3)),
        MessageStop(),
    ]


def test_stream_thinking_and_text_in_one_chunk_thinking_first() -> None:
    events = decode([part(thinking="t", content="a"), done(prompt_eval_count=1, eval_count=1)])
    check_contract(events)
    kinds = [e.kind for e in events if isinstance(e, BlockDelta)]
    assert kinds == ["thinking", "text"]


def test_stream_length() -> None:
    events = decode([part(content="abc"), done("length", prompt_eval_count=1, eval_count=2)])
    assert isinstance(events[-2], MessageDelta) and events[-2].stop_reason is StopReason.MAX_TOKENS


def test_stream_missing_usage_is_estimated() -> None:
    events = decode([part(content="x" * 41), done()])
    delta = events[-2]
    assert isinstance(delta, MessageDelta)
    assert delta.usage == Usage(input_tokens=100, output_tokens=11, estimated=True)


def test_stream_reported_input_with_estimated_output() -> None:
    events = decode([part(content="abcd"), done(prompt_eval_count=9)])
    delta = events[-2]
    assert isinstance(delta, MessageDelta)
    assert delta.usage == Usage(input_tokens=9, output_tokens=1, estimated=True)


def test_stream_empty_answer() -> None:
    events = decode([done(prompt_eval_count=3, eval_count=0)])
    assert events == [
        MessageStart("msg_1", "qwen3", INPUT),
        MessageDelta(StopReason.END_TURN, Usage(input_tokens=3, output_tokens=0)),
        MessageStop(),
    ]


def test_stream_mid_stream_error() -> None:
    decoder = ollama.StreamDecoder("msg_1", "qwen3", INPUT)
    events = decoder.feed(part(content="partial"))
    events += decoder.feed('{"error":"an unknown error was encountered while running the model"}')
    check_contract(events)
    error = events[-1]
    assert isinstance(error, StreamError) and isinstance(error.error, LynkrError)
    assert error.error.kind is ErrorKind.UPSTREAM
    assert "an unknown error was encountered" in error.error.message
    # Nothing follows an error, not even at EOF.
    assert decoder.feed(part(content="more")) == []
    assert decoder.finish() == []


def test_stream_invalid_json() -> None:
    events = decode([part(content="a"), "{not json"])
    check_contract(events)
    error = events[-1]
    assert isinstance(error, StreamError)
    assert error.error.kind is ErrorKind.UPSTREAM and "not valid JSON" in error.error.message


def test_stream_non_object_line() -> None:
    events = decode(["[1,2]"])
    assert isinstance(events[-1], StreamError)


def test_stream_eof_without_done_fails() -> None:
    events = decode([part(content="The answer is")])
    check_contract(events)
    error = events[-1]
    assert isinstance(error, StreamError)
    assert "stream ended before done" in error.error.message
    assert not any(isinstance(e, MessageDelta) for e in events)
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    assert acc.error is error.error


def test_stream_eof_with_no_lines_fails_without_message_start() -> None:
    events = decode([])
    assert len(events) == 1 and isinstance(events[0], StreamError)


def test_stream_lines_after_done_are_ignored() -> None:
    decoder = ollama.StreamDecoder("msg_1", "qwen3", INPUT)
    events = decoder.feed(part(content="hi"))
    events += decoder.feed(done(prompt_eval_count=1, eval_count=1))
    assert decoder.feed(part(content="late")) == []
    assert decoder.finish() == []
    check_contract(events)


def test_stream_content_on_done_line_is_kept() -> None:
    events = decode(
        [
            part(done=False, content="a"),
            line(
                message={"role": "assistant", "content": "b"},
                done=True,
                done_reason="stop",
                prompt_eval_count=1,
                eval_count=2,
            ),
        ]
    )
    check_contract(events)
    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    assert acc.response().content == [TextBlock("ab")]
