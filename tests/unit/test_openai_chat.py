"""OpenAI Chat Completions dialect: parsing, rendering, upstream building and both stream directions.

The official ``openai`` SDK is the oracle for everything a client receives:
``ChatCompletion``/``ChatCompletionChunk`` validate bodies and chunks, the
SDK's ``ChatCompletionStreamState`` accumulates our chunks the way
``client.chat.completions.stream`` does, and a client over an in-memory httpx
transport parses our raw SSE bytes (framing, ``[DONE]``, error payloads).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import httpx
import openai
import orjson
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletion, ChatCompletionChunk

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
from daemon.dialects import openai_chat as oc
from daemon.dialects.openai_chat import (
    StreamDecoder,
    StreamEncoder,
    build_request,
    parse_request,
    parse_response,
    render_error,
    render_response,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamAccumulator, events_from_response

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


# =========================================================================== parse_request


def test_minimal_request() -> None:
    request = parse()
    assert request.model == "gpt-4o"
    assert request.messages == [Message("user", [TextBlock("hi")])]
    assert request.system == [] and request.tools == [] and request.tool_choice is None
    assert request.stream is False and request.include_usage is False and request.max_tokens is None


@pytest.mark.parametrize(
    ("raw", "param"),
    [
        ([], "body"),
        ("text", "body"),
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": 4, "messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "m"}, "messages"),
        ({"model": "m", "messages": []}, "messages"),
        ({"model": "m", "messages": {"role": "user"}}, "messages"),
        ({"model": "m", "messages": ["hi"]}, "messages[0]"),
        ({"model": "m", "messages": [{"role": "system", "content": "only a system prompt"}]}, "messages"),
    ],
)
def test_top_level_shape_is_validated(raw: object, param: str) -> None:
    rejects(raw, param)


def test_roles() -> None:
    rejects(
        body(messages=[{"role": "function", "name": "f", "content": "x"}]),
        "messages[0].role",
        "legacy 'function' role",
        "tool_call_id",
    )
    rejects(body(messages=[{"role": "robot", "content": "x"}]), "messages[0].role", "'robot'", "assistant")
    rejects(body(messages=[{"content": "x"}]), "messages[0].role", "missing")


def test_system_and_developer_are_hoisted_from_anywhere() -> None:
    request = parse(
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "a"},
            {
                "role": "developer",
                "content": [
                    {"type": "text", "text": "Prefer Python.", "cache_control": {"type": "ephemeral"}}
                ],
            },
            {"role": "user", "content": "b"},
            {"role": "system", "content": ""},
        ]
    )
    assert request.system == [
        TextBlock("You are terse."),
        TextBlock("Prefer Python.", cache_control={"type": "ephemeral"}),
    ]
    # The mid-conversation system message is gone, so the two user turns merge.
    assert request.messages == [Message("user", [TextBlock("a"), TextBlock("b")])]


def test_system_rejects_images() -> None:
    image = {"type": "image_url", "image_url": {"url": "https://x/i.png"}}
    rejects(
        body(messages=[{"role": "system", "content": [image]}, {"role": "user", "content": "x"}]),
        "messages[0].content[0].type",
        "'image_url'",
        "system",
    )


def test_user_parts_images_and_tolerated_keys() -> None:
    request = parse(
        messages=[
            {
                "role": "user",
                "name": "alice",
                "content": [
                    {"type": "text", "text": "look", "cache_control": {"type": "ephemeral"}},
                    {"type": "text", "text": ""},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,iVBORw0K", "detail": "high"},
                    },
                    {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
                    {"type": "image_url", "image_url": "http://example.com/legacy.png"},
                ],
            }
        ]
    )
    assert request.messages[0].content == [
        TextBlock("look", cache_control={"type": "ephemeral"}),
        ImageBlock(media_type="image/png", data="iVBORw0K"),
        ImageBlock(url="https://example.com/cat.jpg"),
        ImageBlock(url="http://example.com/legacy.png"),
    ]


def test_message_level_cache_control_lands_on_last_block() -> None:
    request = parse(messages=[{"role": "user", "content": "x", "cache_control": {"type": "ephemeral"}}])
    assert request.messages[0].content == [TextBlock("x", cache_control={"type": "ephemeral"})]


@pytest.mark.parametrize(
    ("part", "param", "fragment"),
    [
        ({"type": "input_audio", "input_audio": {}}, "messages[0].content[1].type", "'input_audio'"),
        ({"text": "no type"}, "messages[0].content[1].type", "missing"),
        ({"type": "text", "text": 5}, "messages[0].content[1].text", "string"),
        ({"type": "image_url", "image_url": {}}, "messages[0].content[1].image_url.url", "data:"),
        (
            {"type": "image_url", "image_url": {"url": "data:image/png,rawbytes"}},
            "messages[0].content[1].image_url.url",
            "base64",
        ),
        (
            {"type": "image_url", "image_url": {"url": "data:text/plain;base64,aGk="}},
            "messages[0].content[1].image_url.url",
            "image/*",
        ),
        (
            {"type": "image_url", "image_url": {"url": "ftp://x/y.png"}},
            "messages[0].content[1].image_url.url",
            "http(s)",
        ),
        ("just a string", "messages[0].content[1]", "object"),
    ],
)
def test_bad_user_parts_name_the_part(part: object, param: str, fragment: str) -> None:
    content = [{"type": "text", "text": "ok"}, part]
    rejects(body(messages=[{"role": "user", "content": content}]), param, fragment)


def test_user_content_must_be_string_or_array() -> None:
    rejects(body(messages=[{"role": "user", "content": {"text": "x"}}]), "messages[0].content", "array")


def test_assistant_turn_with_reasoning_text_and_tool_calls() -> None:
    request = parse(
        messages=[
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": "Checking.",
                "reasoning_content": "Need the tool.",
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"NYC"}'},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_time", "arguments": "not json"},
                    },
                    {"id": "call_3", "function": {"name": "noop", "arguments": ""}},
                ],
            },
        ]
    )
    assert request.messages[1] == Message(
        "assistant",
        [
            ThinkingBlock("Need the tool.", origin="openai"),
            TextBlock("Checking."),
            ToolUseBlock("call_1", "get_weather", {"city": "NYC"}),
            ToolUseBlock("call_2", "get_time", {"_raw": "not json"}),
            ToolUseBlock("call_3", "noop", {}),
        ],
    )


def test_tool_call_only_assistant_has_no_empty_text_block() -> None:
    for content in (None, "", [{"type": "text", "text": ""}]):
        request = parse(
            messages=[
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "content": content,
                    "tool_calls": [
                        {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
                    ],
                },
            ]
        )
        assert request.messages[1].content == [ToolUseBlock("c", "f", {})]


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": 5}},
            "messages[1].tool_calls[0].function.arguments",
        ),
        (
            {"id": "c", "type": "function", "function": {"arguments": "{}"}},
            "messages[1].tool_calls[0].function.name",
        ),
        ({"type": "function", "function": {"name": "f", "arguments": "{}"}}, "messages[1].tool_calls[0].id"),
        ({"id": "c", "type": "custom", "custom": {}}, "messages[1].tool_calls[0].type"),
        ({"id": "c", "type": "function"}, "messages[1].tool_calls[0].function"),
        ("c", "messages[1].tool_calls[0]"),
    ],
)
def test_bad_tool_calls_name_the_field(call: object, param: str) -> None:
    rejects(
        body(
            messages=[
                {"role": "user", "content": "x"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
            ]
        ),
        param,
    )


def test_assistant_field_validation() -> None:
    base = [{"role": "user", "content": "x"}]
    rejects(
        body(messages=[*base, {"role": "assistant", "tool_calls": {"id": "c"}}]), "messages[1].tool_calls"
    )
    rejects(
        body(messages=[*base, {"role": "assistant", "content": "x", "reasoning_content": 1}]),
        "messages[1].reasoning_content",
    )
    rejects(
        body(messages=[*base, {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}}]),
        "messages[1].function_call",
        "tool_calls",
    )
    image = {"type": "image_url", "image_url": {}}
    rejects(
        body(messages=[*base, {"role": "assistant", "content": [image]}]),
        "messages[1].content[0].type",
        "assistant",
    )


def test_assistant_refusal_part_becomes_text() -> None:
    request = parse(
        messages=[
            {"role": "user", "content": "x"},
            {"role": "assistant", "content": [{"type": "refusal", "refusal": "No."}]},
        ]
    )
    assert request.messages[1].content == [TextBlock("No.")]


def test_consecutive_tool_messages_and_following_user_become_one_user_turn() -> None:
    request = parse(
        messages=[
            {"role": "user", "content": "go"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
                    {"id": "late", "type": "function", "function": {"name": "h", "arguments": "{}"}},
                ],
            },
            {"role": "tool", "tool_call_id": "a", "name": "f", "content": "one"},
            {
                "role": "tool",
                "tool_call_id": "b",
                "content": [{"type": "text", "text": "two"}, {"type": "text", "text": "lines"}],
            },
            {"role": "user", "content": "thanks"},
            {"role": "tool", "tool_call_id": "late", "content": ""},
        ]
    )
    assert len(request.messages) == 3
    assert request.messages[2] == Message(
        "user",
        [
            ToolResultBlock("a", [TextBlock("one")]),
            ToolResultBlock("b", [TextBlock("two"), TextBlock("lines")]),
            ToolResultBlock("late", []),  # results always lead the user turn (Anthropic requires it)
            TextBlock("thanks"),
        ],
    )


def test_consecutive_same_role_messages_merge() -> None:
    request = parse(
        messages=[
            {"role": "user", "content": "a"},
            {"role": "user", "content": "b"},
            {"role": "assistant", "content": "c"},
            {"role": "assistant", "content": "d"},
            {"role": "user", "content": ""},  # empty: dropped, not an empty text block
        ]
    )
    assert request.messages == [
        Message("user", [TextBlock("a"), TextBlock("b")]),
        Message("assistant", [TextBlock("c"), TextBlock("d")]),
    ]


def test_tool_message_validation() -> None:
    rejects(body(messages=[{"role": "tool", "content": "x"}]), "messages[0].tool_call_id")
    rejects(
        body(messages=[{"role": "tool", "tool_call_id": "a", "content": [{"type": "file"}]}]),
        "messages[0].content[0].type",
        "tool",
    )


def test_tools_and_defaults() -> None:
    city = {"type": "object", "properties": {"city": {"type": "string"}}}
    request = parse(
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather",
                    "parameters": city,
                    "strict": True,
                },
            },
            {"type": "function", "function": {"name": "ping"}},
        ]
    )
    assert request.tools == [
        Tool("get_weather", "Weather", city),
        Tool("ping", None, {"type": "object", "properties": {}}),
    ]


@pytest.mark.parametrize(
    ("tools", "param"),
    [
        ({"type": "function"}, "tools"),
        ([{"type": "web_search"}], "tools[0].type"),
        ([{"type": "function"}], "tools[0].function"),
        ([{"type": "function", "function": {"name": ""}}], "tools[0].function.name"),
        (
            [{"type": "function", "function": {"name": "f", "parameters": "{}"}}],
            "tools[0].function.parameters",
        ),
        (
            [{"type": "function", "function": {"name": "f", "description": 3}}],
            "tools[0].function.description",
        ),
    ],
)
def test_bad_tools(tools: object, param: str) -> None:
    rejects(body(tools=tools), param)


FN_TOOL = [{"type": "function", "function": {"name": "f"}}]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("none", ToolChoice("none")),
        ("auto", ToolChoice("auto")),
        ("required", ToolChoice("any")),
        ({"type": "function", "function": {"name": "f"}}, ToolChoice("tool", "f")),
    ],
)
def test_tool_choice(raw: object, expected: ToolChoice) -> None:
    assert parse(tools=FN_TOOL, tool_choice=raw).tool_choice == expected


def test_parallel_tool_calls_false() -> None:
    expected = ToolChoice("auto", disable_parallel=True)
    assert parse(tools=FN_TOOL, parallel_tool_calls=False).tool_choice == expected
    assert parse(tools=FN_TOOL, tool_choice="required", parallel_tool_calls=False).tool_choice == ToolChoice(
        "any", disable_parallel=True
    )
    assert parse(tools=FN_TOOL, parallel_tool_calls=True).tool_choice is None


def test_bad_tool_choice() -> None:
    rejects(body(tools=FN_TOOL, tool_choice="any"), "tool_choice", "'required'")
    rejects(
        body(tools=FN_TOOL, tool_choice={"type": "function", "function": {"name": "g"}}),
        "tool_choice.function.name",
        "'g'",
    )
    rejects(body(tools=FN_TOOL, tool_choice={"type": "allowed_tools"}), "tool_choice.type")
    rejects(body(tools=FN_TOOL, tool_choice={"type": "function"}), "tool_choice.function.name")
    rejects(body(tools=FN_TOOL, parallel_tool_calls="no"), "parallel_tool_calls")


def test_max_tokens() -> None:
    assert parse(max_tokens=100).max_tokens == 100
    assert parse(max_tokens=100, max_completion_tokens=50).max_tokens == 50
    assert parse(max_completion_tokens=None, max_tokens=7).max_tokens == 7
    for bad in (0, -1, 1.5, True, "10"):
        rejects(body(max_tokens=bad), "max_tokens", "positive integer")
        rejects(body(max_completion_tokens=bad), "max_completion_tokens")


def test_sampling_stop_n_stream_and_format() -> None:
    request = parse(
        temperature=0.2,
        top_p=1,
        stop="END",
        stream=True,
        stream_options={"include_usage": True},
        n=1,
        user="u-1",
        response_format={"type": "json_object"},
    )
    assert (request.temperature, request.top_p, request.stop) == (0.2, 1.0, ["END"])
    assert request.stream is True and request.include_usage is True
    assert request.user == "u-1" and request.response_format == {"type": "json_object"}
    assert parse(stop=["a", "", "b"]).stop == ["a", "b"]
    schema = {"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}}
    assert parse(response_format=schema).response_format == schema


@pytest.mark.parametrize(
    ("overrides", "param", "fragment"),
    [
        ({"temperature": 3}, "temperature", "between 0 and 2"),
        ({"temperature": "hot"}, "temperature", ""),
        ({"top_p": 1.5}, "top_p", ""),
        ({"stop": [1]}, "stop", ""),
        ({"n": 2}, "n", "n=1 only"),
        ({"stream": "yes"}, "stream", ""),
        ({"stream_options": []}, "stream_options", ""),
        ({"stream_options": {"include_usage": "y"}}, "stream_options.include_usage", ""),
        ({"response_format": "json"}, "response_format", ""),
        ({"response_format": {"type": "xml"}}, "response_format.type", "json_schema"),
        ({"response_format": {"type": "json_schema"}}, "response_format.json_schema", ""),
        ({"user": 1}, "user", ""),
        ({"seed": 1.5}, "seed", "integer"),
        ({"logit_bias": []}, "logit_bias", "object"),
        ({"reasoning_effort": 2}, "reasoning_effort", ""),
    ],
)
def test_scalar_validation(overrides: dict[str, Any], param: str, fragment: str) -> None:
    rejects(body(**overrides), param, fragment)


def test_extra_knobs_and_ignored_keys() -> None:
    request = parse(
        seed=7,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        logit_bias={"50256": -100},
        logprobs=True,
        top_logprobs=3,
        reasoning_effort="high",
        service_tier="flex",
        metadata={"a": "b"},
        store=True,
        prediction={"type": "content"},
        temperature=None,
    )
    assert request.extra == {
        "seed": 7,
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
        "logit_bias": {"50256": -100},
        "logprobs": True,
        "top_logprobs": 3,
        "reasoning_effort": "high",
        "service_tier": "flex",
    }
    assert request.temperature is None


def test_malformed_bodies_only_ever_raise_lynkr_errors() -> None:
    """Swap every value in a rich request for junk; nothing but a LynkrError may escape."""
    rich = body(
        messages=[
            {"role": "system", "content": [{"type": "text", "text": "s"}]},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "u"},
                    {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": "a",
                "reasoning_content": "r",
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "tool", "tool_call_id": "c", "content": "t"},
        ],
        tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        tool_choice={"type": "function", "function": {"name": "f"}},
        stream_options={"include_usage": True},
        response_format={"type": "json_object"},
        stop=["x"],
        max_tokens=5,
    )
    junk: list[object] = [None, 0, -1, 1.5, True, "", "s", [], [None], {}, {"type": None}]

    def paths(node: object, prefix: tuple[Any, ...] = ()) -> Iterable[tuple[Any, ...]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield (*prefix, key)
                yield from paths(value, (*prefix, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield (*prefix, i)
                yield from paths(value, (*prefix, i))

    for path in list(paths(rich)):
        for value in junk:
            mutated = copy.deepcopy(rich)
            target: Any = mutated
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value
            try:
                parse_request(mutated, {})
            except LynkrError as error:
                assert error.status == 400 and error.param, (path, value, error)


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


# =========================================================================== build_request


def _history() -> Request:
    return Request(
        model="client-model",
        system=[TextBlock("You are terse."), TextBlock(""), TextBlock("Use tools.")],
        messages=[
            Message(
                "user",
                [
                    TextBlock("weather in Paris and a picture?"),
                    ImageBlock(media_type="image/jpeg", data="AAAA"),
                ],
            ),
            Message(
                "assistant",
                [
                    ThinkingBlock("plan", signature="s", origin="anthropic"),
                    TextBlock("On it."),
                    ToolUseBlock("call_a", "get_weather", {"city": "Paris", "units": "c"}),
                    ToolUseBlock("call_b", "snapshot", {}),
                ],
            ),
            Message(
                "user",
                [
                    ToolResultBlock("call_a", [TextBlock("18C"), TextBlock("sunny")]),
                    ToolResultBlock(
                        "call_b", [TextBlock("here"), ImageBlock(url="https://x/p.png")], is_error=True
                    ),
                    TextBlock("thanks"),
                ],
            ),
            Message("assistant", [TextBlock("Done.")]),
        ],
    )


def test_build_request_messages() -> None:
    wire = build_request(_history(), "gpt-4o", stream=False)
    assert wire["model"] == "gpt-4o" and "stream" not in wire and "tools" not in wire
    assert wire["messages"] == [
        {"role": "system", "content": "You are terse.\n\nUse tools."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "weather in Paris and a picture?"},
                {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,AAAA"}},
            ],
        },
        {
            "role": "assistant",
            "content": "On it.",
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris","units":"c"}'},
                },
                {"id": "call_b", "type": "function", "function": {"name": "snapshot", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "18C\nsunny"},
        {"role": "tool", "tool_call_id": "call_b", "content": "[tool_error] here"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x/p.png"}},
                {"type": "text", "text": "thanks"},
            ],
        },
        {"role": "assistant", "content": "Done."},
    ]


def test_build_request_reasoning_field() -> None:
    wire = build_request(_history(), "deepseek-reasoner", stream=False, reasoning_field="reasoning_content")
    assert wire["messages"][2]["reasoning_content"] == "plan"
    assert "reasoning_content" not in wire["messages"][6]


def test_build_request_single_text_is_a_string_and_empty_assistant_dropped() -> None:
    request = Request(
        "m",
        [
            Message("user", [TextBlock("hi", cache_control={"type": "ephemeral"})]),
            Message("assistant", [ThinkingBlock("only thinking"), TextBlock("")]),
            Message("user", [TextBlock("again")]),
        ],
    )
    assert build_request(request, "m", stream=False)["messages"] == [
        {"role": "user", "content": "hi"},
        {"role": "user", "content": "again"},
    ]


def test_build_request_orphan_repair() -> None:
    request = Request(
        "m",
        [
            Message("user", [TextBlock("start")]),
            Message("assistant", [ToolUseBlock("call_1", "f", {}), ToolUseBlock("call_2", "g", {})]),
            # call_2 never answered; call_0 answers nothing we kept (history was trimmed).
            Message(
                "user",
                [
                    ToolResultBlock("call_1", [TextBlock("ok")]),
                    ToolResultBlock("call_0", [TextBlock("old")]),
                    TextBlock("next"),
                ],
            ),
            Message("assistant", [ToolUseBlock("call_3", "f", {})]),  # the history ends on an unanswered call
        ],
    )
    assert build_request(request, "m", stream=False)["messages"] == [
        {"role": "user", "content": "start"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                {"id": "call_2", "type": "function", "function": {"name": "g", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
        {"role": "tool", "tool_call_id": "call_2", "content": "[no result was recorded for this call]"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "[tool result for call_0] old"},
                {"type": "text", "text": "next"},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_3", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_3", "content": "[no result was recorded for this call]"},
    ]


def test_build_request_result_for_an_older_turn_is_orphaned() -> None:
    # OpenAI only accepts tool messages right after the assistant message that issued the call.
    request = Request(
        "m",
        [
            Message("assistant", [ToolUseBlock("c1", "f", {})]),
            Message("user", [ToolResultBlock("c1", [TextBlock("r1")])]),
            Message("assistant", [TextBlock("ok")]),
            Message("user", [ToolResultBlock("c1", [TextBlock("again")])]),
        ],
    )
    messages = build_request(request, "m", stream=False)["messages"]
    assert messages[-1] == {"role": "user", "content": "[tool result for c1] again"}


def test_build_request_tools_choice_and_knobs() -> None:
    city = {"type": "object", "properties": {"city": {"type": "string"}}}
    request = Request(
        "m",
        [Message("user", [TextBlock("x")])],
        tools=[Tool("get_weather", "Weather", city), Tool("ping", None, {})],
        tool_choice=ToolChoice("any", disable_parallel=True),
        max_tokens=256,
        stop=["END"],
        temperature=0.5,
        top_p=0.9,
        top_k=40,
        response_format={"type": "json_object"},
        user="u1",
        extra={"seed": 3, "reasoning_effort": "low", "metadata": {"x": 1}, "anthropic_only": True},
    )
    wire = build_request(request, "gpt-5", stream=True, max_tokens_field="max_completion_tokens")
    assert wire["tools"] == [
        {
            "type": "function",
            "function": {"name": "get_weather", "description": "Weather", "parameters": city},
        },
        {
            "type": "function",
            "function": {"name": "ping", "parameters": {"type": "object", "properties": {}}},
        },
    ]
    assert wire["tool_choice"] == "required" and wire["parallel_tool_calls"] is False
    assert wire["max_completion_tokens"] == 256 and "max_tokens" not in wire
    assert (wire["stop"], wire["temperature"], wire["top_p"]) == (["END"], 0.5, 0.9)
    assert "top_k" not in wire and "metadata" not in wire and "anthropic_only" not in wire
    assert wire["response_format"] == {"type": "json_object"} and wire["user"] == "u1"
    assert wire["seed"] == 3 and wire["reasoning_effort"] == "low"
    assert wire["stream"] is True and wire["stream_options"] == {"include_usage": True}
    assert "stream_options" not in build_request(request, "m", stream=True, stream_usage=False)


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice("auto"), "auto"),
        (ToolChoice("none"), "none"),
        (ToolChoice("any"), "required"),
        (ToolChoice("tool", "f"), {"type": "function", "function": {"name": "f"}}),
    ],
)
def test_build_tool_choice(choice: ToolChoice, expected: object) -> None:
    request = Request("m", [Message("user", [TextBlock("x")])], tools=[Tool("f")], tool_choice=choice)
    wire = build_request(request, "m", stream=False)
    assert wire["tool_choice"] == expected and "parallel_tool_calls" not in wire


def test_build_tool_choice_needs_tools() -> None:
    request = Request(
        "m", [Message("user", [TextBlock("x")])], tool_choice=ToolChoice("any", disable_parallel=True)
    )
    wire = build_request(request, "m", stream=False)
    assert "tool_choice" not in wire and "parallel_tool_calls" not in wire


@pytest.mark.parametrize(
    ("thinking", "expected"),
    [
        ({"type": "enabled", "budget_tokens": 1024}, "low"),
        ({"type": "enabled", "budget_tokens": 8000}, "medium"),
        ({"type": "enabled", "budget_tokens": 32000}, "high"),
        ({"type": "enabled"}, "medium"),
        ({"type": "disabled"}, None),
    ],
)
def test_reasoning_effort_from_thinking(thinking: dict[str, Any], expected: str | None) -> None:
    request = Request("m", [Message("user", [TextBlock("x")])], thinking=thinking)
    assert "reasoning_effort" not in build_request(request, "m", stream=False)
    wire = build_request(request, "m", stream=False, reasoning_effort_from_thinking=True)
    assert wire.get("reasoning_effort") == expected
    request.extra["reasoning_effort"] = "minimal"  # the client's own choice wins
    wire = build_request(request, "m", stream=False, reasoning_effort_from_thinking=True)
    assert wire["reasoning_effort"] == "minimal"


def test_openai_request_round_trip() -> None:
    """OpenAI in → canonical → OpenAI out keeps a well-formed conversation intact."""
    messages = [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "r"},
        {"role": "assistant", "content": "done"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,QQ=="}},
            ],
        },
    ]
    tools = [
        {"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object"}}}
    ]
    raw = body(
        messages=messages,
        tools=tools,
        tool_choice="auto",
        max_tokens=10,
        stream=True,
        stream_options={"include_usage": True},
    )
    wire = build_request(parse_request(raw, {}), "gpt-4o", stream=True)
    assert wire["messages"] == messages
    assert wire["tools"] == raw["tools"] and wire["tool_choice"] == "auto" and wire["max_tokens"] == 10


# =========================================================================== parse_response


def test_parse_response_tool_calls() -> None:
    upstream = {
        "id": "chatcmpl-up",
        "object": "chat.completion",
        "created": 1727346182,
        "model": "gpt-4o-2024-08-06",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": "call_4Xzl",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city":"NYC"}'},
                        }
                    ],
                },
                "logprobs": None,
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 44,
            "completion_tokens": 16,
            "total_tokens": 60,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    }
    response = parse_response(upstream, "openai")
    assert response.id == "chatcmpl-up" and response.model == "gpt-4o-2024-08-06"
    assert response.content == [ToolUseBlock("call_4Xzl", "get_weather", {"city": "NYC"})]
    assert response.stop_reason is StopReason.TOOL_USE
    assert response.usage == Usage(input_tokens=40, output_tokens=16, cache_read_tokens=4, reasoning_tokens=2)


def test_parse_response_reasoning_text_and_stop_with_tools() -> None:
    upstream = {
        "choices": [
            {
                "message": {
                    "reasoning_content": "think",
                    "content": "answer",
                    "tool_calls": [
                        {"function": {"name": "f", "arguments": "{bad"}},
                        {"function": {"arguments": "{}"}},
                        "junk",
                    ],
                },
                "finish_reason": "stop",
            }
        ]
    }
    response = parse_response(upstream, "deepseek")
    assert response.content[:2] == [ThinkingBlock("think", origin="openai"), TextBlock("answer")]
    call = response.content[2]
    assert isinstance(call, ToolUseBlock) and call.name == "f" and call.input == {"_raw": "{bad"}
    assert call.id.startswith("call_") and len(response.content) == 3
    assert response.stop_reason is StopReason.TOOL_USE
    assert response.usage == Usage() and response.usage.estimated is False
    assert response.id.startswith("chatcmpl-") and response.model == ""


@pytest.mark.parametrize(
    ("finish", "expected"),
    [
        ("stop", StopReason.END_TURN),
        ("length", StopReason.MAX_TOKENS),
        ("content_filter", StopReason.REFUSAL),
        ("function_call", StopReason.TOOL_USE),
        (None, StopReason.END_TURN),
        ("weird", StopReason.END_TURN),
    ],
)
def test_parse_response_finish_reasons(finish: str | None, expected: StopReason) -> None:
    response = parse_response({"choices": [{"message": {"content": "x"}, "finish_reason": finish}]}, "p")
    assert response.stop_reason is expected


def test_parse_response_provider_variants() -> None:
    # OpenRouter-style reasoning, DeepSeek cache hits, vLLM's matched stop string.
    response = parse_response(
        {
            "choices": [
                {
                    "message": {
                        "reasoning": "r",
                        "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
                    },
                    "finish_reason": "stop",
                    "stop_reason": "###",
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 5, "prompt_cache_hit_tokens": 60},
        },
        "p",
    )
    assert response.content == [ThinkingBlock("r", origin="openai"), TextBlock("ab")]
    assert response.stop_reason is StopReason.STOP_SEQUENCE and response.stop_sequence == "###"
    assert (response.usage.input_tokens, response.usage.cache_read_tokens) == (40, 60)
    # Cache writes reported by OpenRouter for Anthropic models are part of prompt_tokens.
    usage = parse_response(
        {
            "choices": [{"message": {"content": "x"}}],
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": 1,
                "prompt_tokens_details": {"cached_tokens": 50, "cache_write_tokens": 30},
            },
        },
        "p",
    ).usage
    assert (usage.input_tokens, usage.cache_read_tokens, usage.cache_write_tokens) == (20, 50, 30)
    # A refusal with no content becomes text with a refusal stop.
    refused = parse_response(
        {"choices": [{"message": {"content": None, "refusal": "I can't."}, "finish_reason": "stop"}]}, "p"
    )
    assert refused.content == [TextBlock("I can't.")] and refused.stop_reason is StopReason.REFUSAL


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"choices": []}, {"choices": "x"}, {"choices": [3]}])
def test_parse_response_malformed(raw: object) -> None:
    with pytest.raises(LynkrError) as caught:
        parse_response(raw, "acme")
    error = caught.value
    assert error.kind is ErrorKind.UPSTREAM and error.retryable and error.provider == "acme"
    assert error.message.startswith("provider acme returned a malformed response")


def test_parse_response_error_body_with_200() -> None:
    with pytest.raises(LynkrError) as caught:
        parse_response({"error": {"message": "Rate limit exceeded", "code": 429}}, "openrouter")
    assert caught.value.kind is ErrorKind.RATE_LIMIT
    with pytest.raises(LynkrError) as caught:
        parse_response({"error": "kaput"}, "x")
    assert caught.value.kind is ErrorKind.UPSTREAM and "kaput" in caught.value.message


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
