"""Emulator self-tests, Anthropic: the official SDK accepts the output; the emulator rejects what the
provider rejects."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest

from tests.emulators import AnthropicEmulator, Reply, ToolCall
from tests.emulators.emulator_support import (
    ANTHROPIC_TOOL,
    LONG_TEXT,
    TRANSPORT_ERROR,
    error_body,
    http_call,
    sse_events,
    tool_result,
    tool_use,
    user,
)


# ---------------------------------------------------------------------------------------------- Anthropic
def test_anthropic_non_stream_text(ant: AnthropicEmulator, ant_client: anthropic.Anthropic) -> None:
    msg = ant_client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=[user("hi")])
    assert msg.type == "message" and msg.role == "assistant" and msg.stop_reason == "end_turn"
    assert (
        msg.content[0].type == "text"
        and msg.content[0].text == "Hello from the anthropic emulator. You said: hi"
    )
    assert msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0
    rec = ant.last_request
    # anthropic 2.x sends the api key as Bearer and a newer anthropic-version than 2023-06-01
    assert rec.headers["authorization"] == "Bearer ant-key" and "anthropic-version" in rec.headers


def test_anthropic_stream_thinking_text_tool_and_signed_roundtrip(
    ant: AnthropicEmulator, ant_client: anthropic.Anthropic
) -> None:
    ant.script(
        Reply(
            thinking="I should check the weather.",
            text="Let me check.",
            tool_calls=[ToolCall("get_weather", {"city": "Paris"})],
            input_tokens=377,
        )
    )
    params: dict[str, Any] = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 2048,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": [ANTHROPIC_TOOL],
    }
    with ant_client.messages.stream(messages=[user("weather in Paris?")], **params) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use"]
    thinking, text, tool = final.content
    assert thinking.type == "thinking" and thinking.thinking == "I should check the weather."
    assert thinking.signature.startswith("sig-emulated-")
    assert text.type == "text" and text.text == "Let me check."
    assert tool.type == "tool_use" and tool.input == {"city": "Paris"} and tool.id.startswith("toolu_")
    assert (
        final.stop_reason == "tool_use" and final.usage.input_tokens == 377 and final.usage.output_tokens > 1
    )
    # the signed history is accepted back verbatim
    history = [
        user("weather in Paris?"),
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in final.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "sunny"}]},
    ]
    ant.script(Reply(text="It is sunny."))
    again = ant_client.messages.create(messages=history, **params)
    assert again.content[0].type == "text" and again.content[0].text == "It is sunny."
    # ... but not with the thinking text altered, nor without the thinking block while thinking is on
    history[1]["content"][0]["thinking"] = "tampered"
    with pytest.raises(anthropic.BadRequestError, match="Invalid `signature` in `thinking` block"):
        ant_client.messages.create(messages=history, **params)
    history[1]["content"] = history[1]["content"][1:]
    with pytest.raises(anthropic.BadRequestError, match="must start with a thinking block"):
        ant_client.messages.create(messages=history, **params)


def test_anthropic_stream_wire_sequence(ant: AnthropicEmulator) -> None:
    ant.script(
        Reply(thinking="hmm yes", text=LONG_TEXT, tool_calls=[ToolCall("get_weather", {"city": "Oslo"})])
    )
    body = {"model": "claude-sonnet-4-6", "max_tokens": 50, "messages": [user("x")], "stream": True}
    status, headers, raw = http_call(
        ant.base_url + "/v1/messages", body, {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    )
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = sse_events(raw)
    assert all(name == data["type"] for name, data in events)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names[1:3] == ["content_block_start", "ping"]
    start = events[0][1]["message"]
    assert (
        start["content"] == [] and start["usage"]["output_tokens"] == 1 and start["usage"]["input_tokens"] > 0
    )
    starts = [d for n, d in events if n == "content_block_start"]
    assert [d["index"] for d in starts] == [0, 1, 2]
    assert starts[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    assert starts[2]["content_block"]["input"] == {}
    deltas = [d["delta"] for n, d in events if n == "content_block_delta"]
    kinds = [d["type"] for d in deltas]
    assert kinds.index("signature_delta") == kinds.count("thinking_delta")
    json_parts = [d["partial_json"] for d in deltas if d["type"] == "input_json_delta"]
    assert json_parts[0] == "" and len(json_parts) > 2 and json.loads("".join(json_parts)) == {"city": "Oslo"}
    # one block open at a time
    open_block = None
    for name, data in events:
        if name == "content_block_start":
            assert open_block is None
            open_block = data["index"]
        elif name == "content_block_delta":
            assert data["index"] == open_block
        elif name == "content_block_stop":
            assert data["index"] == open_block
            open_block = None
    delta = events[-2][1]
    assert (
        delta["delta"] == {"stop_reason": "tool_use", "stop_sequence": None}
        and delta["usage"]["output_tokens"] > 1
    )


@pytest.mark.parametrize(
    ("messages", "extra", "needle"),
    [
        (
            [user("x"), {"role": "assistant", "content": "ok"}, tool_result("toolu_orphan")],
            {},
            "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_orphan. "
            "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
        ),
        (
            [user("x"), tool_use("toolu_1"), user("never answered")],
            {},
            "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. "
            "Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
        ),
        ([{"role": "user", "content": [{"type": "text", "text": ""}]}], {},
         "messages: text content blocks must be non-empty"),
        ([{"role": "user", "content": [{"type": "text", "text": "  "}]}], {},
         "messages: text content blocks must contain non-whitespace text"),
        (
            [user("x"), {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "t", "signature": "EqQBCkYIBxgCKkB"},
                {"type": "text", "text": "y"}]}, user("z")],
            {},
            "messages.1.content.0: Invalid `signature` in `thinking` block",
        ),
        ([{"role": "system", "content": "sys"}, user("x")], {},
         "messages.0.role: Input should be 'user' or 'assistant'"),
        ([{"role": "assistant", "content": "x"}], {}, 'first message must use the "user" role'),
        (
            [user("x"), tool_use("call:1"), tool_result("call_1")],
            {},
            "tool_use.id: String should match pattern",
        ),
        (
            [user("x"), tool_use("toolu_1", "{}"), tool_result("toolu_1")],
            {},
            "messages.1.content.0.tool_use.input: Input should be a valid dictionary",
        ),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}], {},
         "Input tag 'image_url' found using 'type' does not match"),
        ([{"role": "user", "content": [{"type": "image", "source": {
            "type": "base64", "media_type": "image/png", "data": "data:image/png;base64,AAAA"}}]}], {},
         "Invalid base64 data"),
        ([user("x")], {"system": [{"type": "text", "text": ""}]}, "system: text content blocks must be non-"),
        ([user("x")], {"tools": [{"name": "f", "parameters": {"type": "object"}}]},
         "tools.0.custom.parameters: Extra inputs are not permitted"),
        ([user("x")], {"tools": [{"name": "f"}]}, "tools.0.custom.input_schema: Field required"),
        ([user("x")], {"tool_choice": "auto", "tools": [ANTHROPIC_TOOL]}, "tool_choice: Input should be a"),
        ([user("x")], {"extra_body": {"temperature": 1.5}}, "temperature: Input should be less than"),
        ([user("x")], {"extra_body": {"stream_options": {}}}, "stream_options: Extra inputs are not"),
        ([user("x")], {"thinking": {"type": "enabled", "budget_tokens": 4096}},
         "`max_tokens` must be greater than `thinking.budget_tokens`"),
    ],
)  # fmt: skip
def test_anthropic_validation_errors(
    ant: AnthropicEmulator,
    ant_client: anthropic.Anthropic,
    messages: list[Any],
    extra: dict[str, Any],
    needle: str,
) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        ant_client.messages.create(model="claude-sonnet-4-6", max_tokens=1000, messages=messages, **extra)
    body = info.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error" and needle in body["error"]["message"]


def test_anthropic_headers_and_auth(ant: AnthropicEmulator) -> None:
    url = ant.base_url + "/v1/messages"
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    status, _, raw = http_call(url, body, {"x-api-key": "ant-key"})
    assert status == 400 and json.loads(raw)["error"]["message"] == "anthropic-version: header is required"
    status, _, raw = http_call(
        url,
        {"model": "m", "messages": [user("x")]},
        {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"},
    )
    assert status == 400 and json.loads(raw)["error"]["message"] == "max_tokens: Field required"
    with pytest.raises(anthropic.AuthenticationError) as info:
        anthropic.Anthropic(base_url=ant.base_url, api_key="wrong", max_retries=0).messages.create(**body)
    assert error_body(info.value)["error"]["type"] == "authentication_error"
    status, _, _ = http_call(url, body, {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"})
    assert status == 200
    status, _, _ = http_call(
        url, body, {"authorization": "Bearer ant-key", "anthropic-version": "2023-06-01"}
    )
    assert status == 200


def test_anthropic_scripted_errors(ant: AnthropicEmulator, ant_client: anthropic.Anthropic) -> None:
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    ant.script(Reply(status=529))
    with pytest.raises(anthropic.APIStatusError) as info:
        ant_client.messages.create(**body)
    assert info.value.status_code == 529
    assert error_body(info.value)["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    ant.script(Reply.error(429, "slow down", retry_after=12))
    status, headers, raw = http_call(
        ant.base_url + "/v1/messages", body, {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    )
    assert status == 429 and headers["retry-after"] == "12"
    assert json.loads(raw)["error"] == {"type": "rate_limit_error", "message": "slow down"}
    ant.script(Reply.context_overflow(limit=200000, tokens=210000))
    with pytest.raises(anthropic.BadRequestError, match="prompt is too long: 210000 tokens > 200000 maximum"):
        ant_client.messages.create(**body)


def test_anthropic_stream_failures(ant: AnthropicEmulator, ant_client: anthropic.Anthropic) -> None:
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    ant.script(Reply(text=LONG_TEXT, fail_after_chunks=4))
    events = []
    with pytest.raises(Exception, match=TRANSPORT_ERROR), ant_client.messages.stream(**body) as stream:
        for event in stream:
            events.append(event)
    assert events and events[0].type == "message_start"
    ant.script(Reply(text=LONG_TEXT, fail_after_chunks=3, stream_error="Overloaded"))
    with (
        pytest.raises(anthropic.APIStatusError, match="Overloaded"),
        ant_client.messages.stream(**body) as stream,
    ):
        stream.get_final_message()


def test_anthropic_count_tokens_models_prefix_and_beta(ant: AnthropicEmulator) -> None:
    client = anthropic.Anthropic(base_url=ant.base_url, api_key="ant-key", max_retries=0)
    count = client.messages.count_tokens(model="claude-sonnet-4-6", messages=[user("hello world " * 20)])
    assert count.input_tokens > 10 and ant.last_request.endpoint == "count_tokens"
    assert [m.id for m in client.models.list()]
    foundry = anthropic.Anthropic(base_url=ant.base_url + "/anthropic", api_key="ant-key", max_retries=0)
    assert foundry.messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=[user("x")]).content
    assert ant.last_request.path == "/anthropic/v1/messages"
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    headers = {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    assert http_call(ant.base_url + "/v1/messages?beta=true", body, headers)[0] == 200
    assert ant.last_request.query == {"beta": "true"} and ant.last_request.headers["x-api-key"] == "ant-key"
