"""Anthropic Messages dialect, upstream side: building requests and parsing whole responses."""

from __future__ import annotations

import copy

import orjson
import pytest
from anthropic.types import Message as SdkMessage

from daemon.canonical import (
    ImageBlock,
    StopReason,
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
    build_request,
    parse_request,
    parse_response,
    render_response,
    upstream_headers,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import events_from_response
from tests.unit.anthropic_support import (
    SIG,
    assert_valid_upstream,
    assistant,
    claude_code_body,
    encode_all,
    minimal_body,
    req,
    sdk_accumulate,
    sdk_validate_frames,
    user,
)

# =========================================================================== build_request


def test_build_request_round_trips_a_claude_code_body() -> None:
    body = claude_code_body()
    built = build_request(parse_request(body, {}), "claude-sonnet-4-5", stream=True)
    expected = copy.deepcopy(body)
    expected["messages"][2]["content"][0]["content"] = [{"type": "text", "text": "18C, sunny"}]
    assert built == expected
    assert_valid_upstream(built)


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
    assert_valid_upstream(body)


def test_build_request_first_message_must_be_user() -> None:
    body = build_request(req([assistant("earlier answer"), user("go on")]), "c", stream=False)
    assert body["messages"][0] == {"role": "user", "content": [{"type": "text", "text": "(continued)"}]}
    assert_valid_upstream(body)
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
    assert_valid_upstream(body)
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
    assert_valid_upstream(body)
    assert body["messages"][2]["content"][0]["is_error"] is True
    assert body["messages"][4]["content"] == [{"type": "text", "text": "[tool result for t1] late"}]


def test_build_request_sanitises_foreign_tool_ids_consistently() -> None:
    weird = "call_a+b/c=="
    request = req(
        [user("q"), assistant(ToolUseBlock(weird, "f", {})), user(ToolResultBlock(weird, [TextBlock("r")]))],
        tools=[Tool("f")],
    )
    body = build_request(request, "c", stream=False)
    assert_valid_upstream(body)
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
    assert_valid_upstream(body)
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
    assert_valid_upstream(body)
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
    request = parse_request(minimal_body(), {"anthropic-version": "2024-01-01", "anthropic-beta": "a,b"})
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
