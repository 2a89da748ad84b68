"""OpenAI Chat Completions dialect, upstream side: building requests and parsing whole responses."""

from __future__ import annotations

from typing import Any

import pytest

from daemon.canonical import (
    ImageBlock,
    Message,
    Request,
    StopReason,
    TextBlock,
    ThinkingBlock,
    Tool,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_chat import (
    build_request,
    parse_request,
    parse_response,
)
from daemon.errors import ErrorKind, LynkrError
from tests.unit.openai_chat_support import (
    body,
)

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
