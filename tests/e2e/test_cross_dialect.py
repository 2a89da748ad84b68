"""The cross-dialect matrix: both client dialects x four upstream wire formats x stream or not.

Every case goes through the real daemon with an official SDK, and the
emulated upstream validates what it receives as strictly as the real API,
so a translation bug shows up either as a client-side mismatch or as the
upstream's own 400.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import anthropic
import openai
import pytest

from tests.e2e.conftest import Upstreams
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply, ToolCall

TIERS = ["simple", "medium", "complex", "reasoning"]
# 1x1 transparent PNG.
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
TOOL = {
    "name": "read_file",
    "description": "Read a file from the workspace",
    "schema": {
        "type": "object",
        "properties": {"path": {"type": "string"}, "lines": {"type": "array", "items": {"type": "integer"}}},
        "required": ["path"],
    },
}
ARGS = {"path": "src/app.py", "lines": [1, 20]}


@dataclass
class Answer:
    text: str
    tool_calls: list[tuple[str, str, dict[str, Any]]]  # (id, name, arguments)
    stop: str
    input_tokens: int
    output_tokens: int
    headers: dict[str, str]


def upstream_of(ups: Upstreams, tier: str):
    return {"simple": ups.ollama, "medium": ups.openai, "complex": ups.anthropic, "reasoning": ups.azure}[
        tier
    ]


# --------------------------------------------------------------------------- clients


def ask_anthropic(
    url: str, tier: str, stream: bool, messages: list[dict], system: str | None = None, tools: bool = False
) -> Answer:
    client = anthropic.Anthropic(base_url=url, api_key="client-key-not-used", max_retries=0)
    kwargs: dict[str, Any] = {"model": f"lynkr-{tier}", "max_tokens": 512, "messages": messages}
    if system:
        kwargs["system"] = system
    if tools:
        kwargs["tools"] = [
            {"name": TOOL["name"], "description": TOOL["description"], "input_schema": TOOL["schema"]}
        ]
    if stream:
        with client.messages.stream(**kwargs) as s:
            message = s.get_final_message()
            headers = dict(s.response.headers)
    else:
        raw = client.messages.with_raw_response.create(**kwargs)
        message, headers = raw.parse(), dict(raw.headers)
    text = "".join(b.text for b in message.content if b.type == "text")
    calls = [(b.id, b.name, b.input) for b in message.content if b.type == "tool_use"]
    return Answer(
        text,
        calls,
        message.stop_reason or "",
        message.usage.input_tokens,
        message.usage.output_tokens,
        headers,
    )


def ask_openai(
    url: str, tier: str, stream: bool, messages: list[dict], system: str | None = None, tools: bool = False
) -> Answer:
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="client-key-not-used", max_retries=0)
    if system:
        messages = [{"role": "system", "content": system}, *messages]
    kwargs: dict[str, Any] = {"model": f"lynkr-{tier}", "messages": messages, "max_tokens": 512}
    if tools:
        kwargs["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": TOOL["name"],
                    "description": TOOL["description"],
                    "parameters": TOOL["schema"],
                },
            }
        ]
    if stream:
        with client.chat.completions.stream(**kwargs, stream_options={"include_usage": True}) as s:
            completion = s.get_final_completion()
            headers = dict(s._response.headers)
    else:
        raw = client.chat.completions.with_raw_response.create(**kwargs)
        completion, headers = raw.parse(), dict(raw.headers)
    choice = completion.choices[0]
    calls = [
        (c.id, c.function.name, json.loads(c.function.arguments)) for c in choice.message.tool_calls or []
    ]
    usage = completion.usage
    assert usage is not None, "Lynkr must always report usage"
    return Answer(
        choice.message.content or "",
        calls,
        choice.finish_reason,
        usage.prompt_tokens,
        usage.completion_tokens,
        headers,
    )


ASK = {"anthropic": ask_anthropic, "openai": ask_openai}
CASES = [(client, tier, stream) for client in ASK for tier in TIERS for stream in (False, True)]
IDS = [f"{c}-{t}-{'stream' if s else 'json'}" for c, t, s in CASES]


# --------------------------------------------------------------------------- text + system prompt


@pytest.mark.parametrize(("client", "tier", "stream"), CASES, ids=IDS)
def test_text_with_system_prompt(
    client: str, tier: str, stream: bool, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    upstream = upstream_of(upstreams, tier)
    upstream.script(Reply(text="Renamed foo.py to bar.py; nothing else changed."))
    answer = ASK[client](
        lynkr.url,
        tier,
        stream,
        [{"role": "user", "content": "Rename foo.py to bar.py"}],
        system="You are terse.",
    )

    assert answer.text == "Renamed foo.py to bar.py; nothing else changed."
    assert answer.stop in ("end_turn", "stop")
    assert answer.input_tokens > 0 and answer.output_tokens > 0
    assert answer.headers["x-lynkr-tier"] == tier
    assert answer.headers["x-lynkr-decision-id"].startswith("dec_")

    sent = upstream.last_request.json
    if tier == "complex":
        assert sent["system"] == [{"type": "text", "text": "You are terse."}]
        assert sent["messages"] == [
            {"role": "user", "content": [{"type": "text", "text": "Rename foo.py to bar.py"}]}
        ]
    else:
        assert sent["messages"][0] == {"role": "system", "content": "You are terse."}
        assert sent["messages"][1]["role"] == "user"
    assert sent.get("stream", False) is stream


# --------------------------------------------------------------------------- tool calls


@pytest.mark.parametrize(("client", "tier", "stream"), CASES, ids=IDS)
def test_tool_call_arguments_survive(
    client: str, tier: str, stream: bool, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    upstream = upstream_of(upstreams, tier)
    upstream.script(Reply(text="Let me look.", tool_calls=[ToolCall("read_file", ARGS)]))
    answer = ASK[client](
        lynkr.url, tier, stream, [{"role": "user", "content": "What does app.py do?"}], tools=True
    )

    assert [(name, args) for _, name, args in answer.tool_calls] == [("read_file", ARGS)]
    assert answer.tool_calls[0][0], "every tool call needs an id the client can answer"
    assert answer.stop in ("tool_use", "tool_calls")
    assert answer.text == "Let me look."
    tools = upstream.last_request.json["tools"]
    if tier == "complex":
        assert tools[0]["name"] == "read_file" and tools[0]["input_schema"] == TOOL["schema"]
    else:
        assert tools[0]["function"]["name"] == "read_file"
        assert tools[0]["function"]["parameters"] == TOOL["schema"]


def test_parallel_tool_calls_keep_their_order(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    calls = [ToolCall("read_file", {"path": "a.py"}), ToolCall("read_file", {"path": "b.py"})]
    for client in ASK:
        upstreams.openai.script(Reply(tool_calls=calls))
        answer = ASK[client](
            lynkr.url, "medium", True, [{"role": "user", "content": "read both"}], tools=True
        )
        assert [args["path"] for _, _, args in answer.tool_calls] == ["a.py", "b.py"]
        assert len({call_id for call_id, _, _ in answer.tool_calls}) == 2


# --------------------------------------------------------------------------- history: tool results + images


def anthropic_history(call_id: str) -> list[dict]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image and in app.py?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Reading the file."},
                {"type": "tool_use", "id": call_id, "name": "read_file", "input": ARGS},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call_id, "content": "print('hello')"},
                {"type": "text", "text": "Summarise both."},
            ],
        },
    ]


def openai_history(call_id: str) -> list[dict]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image and in app.py?"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
            ],
        },
        {
            "role": "assistant",
            "content": "Reading the file.",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "read_file", "arguments": json.dumps(ARGS)},
                },
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": "print('hello')"},
        {"role": "user", "content": "Summarise both."},
    ]


HISTORY = {
    "anthropic": (anthropic_history, "toolu_01A09q90qw90lq917835lq9"),
    "openai": (openai_history, "call_abc123"),
}


@pytest.mark.parametrize(("client", "tier", "stream"), CASES, ids=IDS)
def test_tool_results_and_images_reach_the_upstream(
    client: str, tier: str, stream: bool, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    upstream = upstream_of(upstreams, tier)
    upstream.script(Reply(text="A tiny image, and app.py prints hello."))
    build, call_id = HISTORY[client]
    answer = ASK[client](lynkr.url, tier, stream, build(call_id), tools=True)
    assert answer.text == "A tiny image, and app.py prints hello."

    messages = upstream.last_request.json["messages"]
    if tier == "complex":  # Anthropic upstream: tool_result first in the next user turn, image as a block
        first, assistant, last = messages
        assert {
            "type": "image",
            "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64},
        } in first["content"]
        tool_use = next(b for b in assistant["content"] if b["type"] == "tool_use")
        assert tool_use["input"] == ARGS
        assert last["content"][0]["type"] == "tool_result"
        assert last["content"][0]["tool_use_id"] == tool_use["id"]
        assert "print('hello')" in json.dumps(last["content"][0]["content"])
    elif tier == "simple":  # Ollama: images as bare base64, tool result as a role "tool" message
        user = next(m for m in messages if m["role"] == "user")
        assert user["images"] == [PNG_B64]
        assistant = next(m for m in messages if m["role"] == "assistant")
        assert assistant["tool_calls"][0]["function"] == {"name": "read_file", "arguments": ARGS}
        tool = next(m for m in messages if m["role"] == "tool")
        assert tool["content"] == "print('hello')"
        assert messages[-1]["role"] == "user" and "Summarise both." in messages[-1]["content"]
    else:  # OpenAI / Azure: image_url data URL, tool message right after the assistant's tool_calls
        user = next(m for m in messages if m["role"] == "user")
        assert {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}} in user[
            "content"
        ]
        index = next(i for i, m in enumerate(messages) if m.get("tool_calls"))
        assert json.loads(messages[index]["tool_calls"][0]["function"]["arguments"]) == ARGS
        tool = messages[index + 1]
        assert tool["role"] == "tool"
        assert tool["tool_call_id"] == messages[index]["tool_calls"][0]["id"]
        assert tool["content"] == "print('hello')"


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize("client", list(ASK))
def test_usage_is_estimated_when_the_upstream_reports_none(
    client: str, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    """llama.cpp's server reports no usage in streams; clients that asked still get numbers."""
    upstreams.openai.script(Reply(text="word " * 40, usage=False))
    answer = ASK[client](lynkr.url, "medium", True, [{"role": "user", "content": "count to forty " * 10}])
    assert answer.input_tokens > 10
    assert answer.output_tokens >= 40


@pytest.mark.parametrize("client", list(ASK))
def test_upstream_usage_is_passed_through_exactly(
    client: str, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    upstreams.anthropic.script(Reply(text="ok", input_tokens=1234, output_tokens=56))
    answer = ASK[client](lynkr.url, "complex", True, [{"role": "user", "content": "hi"}])
    assert (answer.input_tokens, answer.output_tokens) == (1234, 56)


def test_thinking_from_an_anthropic_upstream_round_trips_to_claude_code(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    """Signed thinking must come back byte-exact or Anthropic rejects the next turn."""
    upstreams.anthropic.script(Reply(thinking="Let me think about the rename.", text="Done."))
    client = anthropic.Anthropic(base_url=lynkr.url, api_key="x", max_retries=0)
    kwargs: dict[str, Any] = {
        "model": "lynkr-complex",
        "max_tokens": 4096,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
    }
    with client.messages.stream(messages=[{"role": "user", "content": "rename it"}], **kwargs) as s:
        first = s.get_final_message()
    thinking = next(b for b in first.content if b.type == "thinking")
    assert thinking.thinking == "Let me think about the rename." and thinking.signature

    upstreams.anthropic.script(Reply(text="Anything else?"))
    history = [
        {"role": "user", "content": "rename it"},
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
        {"role": "user", "content": "thanks"},
    ]
    second = client.messages.create(messages=history, **kwargs)
    assert second.content[0].text == "Anything else?"
    sent = upstreams.anthropic.last_request.json["messages"][1]["content"][0]
    assert sent == {"type": "thinking", "thinking": thinking.thinking, "signature": thinking.signature}
