"""Anthropic Messages dialect: parsing client requests into the canonical model."""

from __future__ import annotations

import copy
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
from daemon.dialects.anthropic import (
    parse_request,
)
from daemon.errors import ErrorKind, LynkrError
from tests.unit.anthropic_support import (
    SIG,
    claude_code_body,
    minimal_body,
)

# =========================================================================== parse_request


def test_parse_request_claude_code_body() -> None:
    headers = {
        "Anthropic-Version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219",
        "Authorization": "Bearer x",
        "X-Claude-Code-Session-Id": "s1",
    }
    request = parse_request(claude_code_body(service_tier="auto", seed=1), headers)
    assert request.model == "claude-sonnet-4-5" and request.max_tokens == 32000 and request.stream is True
    assert request.include_usage is True
    assert request.system[1] == TextBlock("You are Claude Code.", {"type": "ephemeral"})
    assert request.user == "user_abc_account_def_session_123"
    assert request.thinking == {"type": "enabled", "budget_tokens": 4000}
    assert request.tools == [
        Tool(
            "get_weather",
            "Weather by city",
            {"type": "object", "properties": {"location": {"type": "string"}}},
        )
    ]
    assert request.tool_choice == ToolChoice("auto")
    assert request.passthrough_headers == {
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219",
    }
    assert request.extra == {"service_tier": "auto"}  # unknown keys (seed) are not carried
    thinking, text, call = request.messages[1].content
    assert thinking == ThinkingBlock("Need the tool.", SIG, origin="anthropic")
    assert text == TextBlock("Checking.")
    assert call == ToolUseBlock("toolu_01A", "get_weather", {"location": "Paris"})
    result, thanks = request.messages[2].content
    assert result == ToolResultBlock("toolu_01A", [TextBlock("18C, sunny")], False, {"type": "ephemeral"})
    assert thanks.cache_control == {"type": "ephemeral"}


def test_parse_request_all_block_shapes() -> None:
    body = {
        "model": "m",
        "max_tokens": 10,
        "system": "be brief",
        "stop_sequences": ["END"],
        "temperature": 0.5,
        "top_p": 0.9,
        "top_k": 40,
        "tool_choice": {"type": "tool", "name": "t", "disable_parallel_tool_use": True},
        "tools": [
            {"type": "custom", "name": "t", "input_schema": {"type": "object"}},
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
            {"type": "bash_20250124", "name": "bash"},
        ],
        "output_config": {"effort": "high"},
        "context_management": {"edits": []},
        "container": "c1",
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
                    },
                    {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "tool_use", "id": "a", "name": "t", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "a",
                        "is_error": True,
                        "content": [
                            {"type": "text", "text": "boom"},
                            {"type": "image", "source": {"type": "url", "url": "u"}},
                        ],
                    }
                ],
            },
        ],
    }
    request = parse_request(body, {})
    assert request.system == [TextBlock("be brief")]
    assert (
        request.stop == ["END"]
        and request.temperature == 0.5
        and request.top_p == 0.9
        and request.top_k == 40
    )
    assert request.tool_choice == ToolChoice("tool", "t", True)
    assert [t.name for t in request.tools] == ["t"]
    assert request.extra == {
        "dropped_server_tools": ["web_search", "bash"],
        "output_config": {"effort": "high"},
        "context_management": {"edits": []},
        "container": "c1",
    }
    assert request.messages[0].content == [ImageBlock("image/png", "AAAA"), ImageBlock(url="https://x/y.png")]
    assert request.messages[1].content[0] == ThinkingBlock(redacted="opaque", origin="anthropic")
    result = request.messages[2].content[0]
    assert isinstance(result, ToolResultBlock) and result.is_error and result.text() == "boom"
    assert result.content[1] == ImageBlock(url="u")
    assert request.passthrough_headers == {}


def test_parse_request_count_tokens_without_max_tokens() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": []}
    request = parse_request(body, {}, count_tokens=True)
    assert request.max_tokens is None and request.messages == [Message("user", [TextBlock("hi")])]
    with pytest.raises(LynkrError) as info:
        parse_request(body, {})
    assert info.value.param == "max_tokens" and info.value.status == 400


def test_parse_request_joins_repeated_beta_headers() -> None:
    class Multi:  # what aiohttp's CIMultiDictProxy looks like through Mapping.items()
        def items(self) -> list[tuple[str, str]]:
            return [("anthropic-beta", "a-1"), ("Anthropic-Beta", "b-2"), ("anthropic-version", "2023-06-01")]

    request = parse_request(
        {"model": "m", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]}, Multi()
    )  # type: ignore[arg-type]
    assert request.passthrough_headers == {"anthropic-beta": "a-1,b-2", "anthropic-version": "2023-06-01"}


def _msgs(*content: Any, role: str = "user") -> dict[str, Any]:
    return minimal_body(messages=[{"role": role, "content": list(content)}])


def _tool_turns(result: Any) -> dict[str, Any]:
    return minimal_body(
        messages=[
            {"role": "user", "content": "go"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "t", "input": {}}]},
            {"role": "user", "content": [result]},
        ]
    )


MALFORMED = [
    ([], "body"),
    ("text", "body"),
    ({"max_tokens": 5, "messages": []}, "model"),
    (minimal_body(model=7), "model"),
    (minimal_body(model=""), "model"),
    (minimal_body(messages={"role": "user"}), "messages"),
    (minimal_body(messages=[]), "messages"),
    (minimal_body(messages=["hi"]), "messages[0]"),
    (minimal_body(messages=[{"role": "tool", "content": "x"}]), "messages[0].role"),
    (minimal_body(messages=[{"role": "user"}]), "messages[0].content"),
    (minimal_body(messages=[{"role": "user", "content": 5}]), "messages[0].content"),
    (_msgs("text"), "messages[0].content[0]"),
    (_msgs({"text": "no type"}), "messages[0].content[0].type"),
    (_msgs({"type": "text"}), "messages[0].content[0].text"),
    (_msgs({"type": "text", "text": "x", "cache_control": "yes"}), "messages[0].content[0].cache_control"),
    (
        _msgs({"type": "image", "source": {"type": "file", "file_id": "f"}}),
        "messages[0].content[0].source.type",
    ),
    (
        _msgs({"type": "image", "source": {"type": "base64", "media_type": "image/png"}}),
        "messages[0].content[0].source.data",
    ),
    (_msgs({"type": "image"}), "messages[0].content[0].source"),
    (_msgs({"type": "tool_use", "id": "a", "name": "t", "input": {}}), "messages[0].content[0].type"),
    (
        _msgs({"type": "tool_use", "id": "a", "name": "t", "input": "{}"}, role="assistant"),
        "messages[0].content[0].input",
    ),
    (_msgs({"type": "tool_use", "name": "t", "input": {}}, role="assistant"), "messages[0].content[0].id"),
    (_msgs({"type": "tool_use", "id": "a", "input": {}}, role="assistant"), "messages[0].content[0].name"),
    (_msgs({"type": "tool_result", "tool_use_id": "a"}, role="assistant"), "messages[0].content[0].type"),
    (_tool_turns({"type": "tool_result", "content": "x"}), "messages[2].content[0].tool_use_id"),
    (
        _tool_turns({"type": "tool_result", "tool_use_id": "a", "content": 3}),
        "messages[2].content[0].content",
    ),
    (
        _tool_turns({"type": "tool_result", "tool_use_id": "a", "is_error": "no"}),
        "messages[2].content[0].is_error",
    ),
    (
        _tool_turns({"type": "tool_result", "tool_use_id": "a", "content": [{"type": "text", "text": 1}]}),
        "messages[2].content[0].content[0].text",
    ),
    (_msgs({"type": "thinking", "thinking": "x", "signature": "s"}), "messages[0].content[0].type"),
    (_msgs({"type": "thinking", "signature": "s"}, role="assistant"), "messages[0].content[0].thinking"),
    (_msgs({"type": "redacted_thinking"}, role="assistant"), "messages[0].content[0].data"),
    (minimal_body(system=5), "system"),
    (minimal_body(system=[{"type": "image"}]), "system[0].type"),
    (minimal_body(system=[{"type": "text"}]), "system[0].text"),
    (minimal_body(max_tokens=0), "max_tokens"),
    (minimal_body(max_tokens=-3), "max_tokens"),
    (minimal_body(max_tokens="100"), "max_tokens"),
    (minimal_body(max_tokens=True), "max_tokens"),
    (minimal_body(max_tokens=1.5), "max_tokens"),
    (minimal_body(tools={"name": "t"}), "tools"),
    (minimal_body(tools=["t"]), "tools[0]"),
    (minimal_body(tools=[{"name": "t"}]), "tools[0].input_schema"),
    (minimal_body(tools=[{"name": "", "input_schema": {}}]), "tools[0].name"),
    (minimal_body(tools=[{"name": "t", "description": 3, "input_schema": {}}]), "tools[0].description"),
    (minimal_body(tool_choice="auto"), "tool_choice"),
    (minimal_body(tool_choice={"type": "required"}), "tool_choice.type"),
    (minimal_body(tool_choice={"type": "tool"}), "tool_choice.name"),
    (
        minimal_body(tool_choice={"type": "auto", "disable_parallel_tool_use": "yes"}),
        "tool_choice.disable_parallel_tool_use",
    ),
    (minimal_body(stop_sequences="END"), "stop_sequences"),
    (minimal_body(stop_sequences=["a", 2]), "stop_sequences[1]"),
    (minimal_body(temperature="hot"), "temperature"),
    (minimal_body(temperature=1.5), "temperature"),
    (minimal_body(top_p=-0.1), "top_p"),
    (minimal_body(top_k=-1), "top_k"),
    (minimal_body(stream="yes"), "stream"),
    (minimal_body(metadata="u"), "metadata"),
    (minimal_body(metadata={"user_id": 5}), "metadata.user_id"),
    (minimal_body(thinking={"type": "on"}), "thinking.type"),
    (minimal_body(thinking={"type": "enabled", "budget_tokens": "lots"}), "thinking.budget_tokens"),
]


@pytest.mark.parametrize(("body", "param"), MALFORMED)
def test_parse_request_rejects_malformed(body: object, param: str) -> None:
    with pytest.raises(LynkrError) as info:
        parse_request(body, {})
    err = info.value
    assert err.kind is ErrorKind.INVALID_REQUEST and err.status == 400
    assert err.param == param and err.message.startswith(f"{param}: ")


@pytest.mark.parametrize(
    "btype",
    ["document", "search_result", "server_tool_use", "web_search_tool_result", "container_upload", "mystery"],
)
def test_parse_request_names_unsupported_block_types(btype: str) -> None:
    with pytest.raises(LynkrError) as info:
        parse_request(_msgs({"type": btype, "source": {}}, role="assistant"), {})
    assert info.value.param == "messages[0].content[0].type"
    assert btype in info.value.message and "does not support" in info.value.message
    with pytest.raises(LynkrError) as info:  # also inside a tool_result
        parse_request(
            _tool_turns({"type": "tool_result", "tool_use_id": "a", "content": [{"type": btype}]}), {}
        )
    assert info.value.param == "messages[2].content[0].content[0].type"


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _leaf_paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            paths += _leaf_paths(child, (*path, i))
    return paths


def test_parse_request_never_raises_anything_but_lynkr_error() -> None:
    base = claude_code_body()
    junk: list[Any] = [None, 0, -1, 1.5, "", "x", True, [], [1], {}, {"type": None}]
    for path in _leaf_paths(base)[1:]:
        for value in junk:
            body = copy.deepcopy(base)
            target = body
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            try:
                parse_request(body, {"anthropic-beta": "x"})
            except LynkrError as err:
                assert err.status == 400 and err.param
            # any other exception fails the test with its traceback
