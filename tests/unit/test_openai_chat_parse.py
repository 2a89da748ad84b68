"""OpenAI Chat Completions dialect: parsing client requests into the canonical model."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from daemon.canonical import (
    ImageBlock,
    Message,
    TextBlock,
    ThinkingBlock,
    Tool,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
)
from daemon.dialects.openai_chat import (
    parse_request,
)
from daemon.errors import LynkrError
from tests.unit.openai_chat_support import (
    body,
    parse,
    rejects,
)

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
