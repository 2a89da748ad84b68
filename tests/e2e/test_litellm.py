"""OpenHands' road into Lynkr: LiteLLM's ``openai/<name>`` provider against the real daemon.

OpenHands calls ``litellm.completion(model="openai/<name>", api_base=<lynkr>/v1, api_key=..., ...)``. Every
test here does exactly that and checks what the client got back and what the upstream behind the tier
received, for one upstream of each wire format: OpenAI (lynkr-medium), Anthropic (lynkr-complex) and
Ollama (lynkr-simple).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import litellm
import pytest

from tests.e2e.conftest import Upstreams
from tests.e2e.harness import DaemonProcess
from tests.emulators import Emulator, RecordedRequest, Reply, ToolCall

litellm.suppress_debug_info = True  # no "Provider List: ..." banners in the test output

# LiteLLM's own pydantic deprecation noise, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:litellm"),
    pytest.mark.filterwarnings("ignore:Item 'summary' on TypedDict:UserWarning"),
]

EXECUTE_BASH: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "execute_bash",
        "description": (
            "Execute a bash command in the terminal within a persistent shell session.\n"
            "* One command at a time; chain with && or ;.\n"
            "* Long running commands: run them in the background."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "The bash command to execute."},
                "is_input": {
                    "type": "string",
                    "description": "If True, the command is input to the running process.",
                    "enum": ["true", "false"],
                },
                "timeout": {"type": "number", "description": "Optional. Hard timeout in seconds."},
            },
            "required": ["command"],
        },
    },
}
COMMAND = {"command": "ls -la"}
LS_OUTPUT = "total 8\ndrwxr-xr-x 2 root root 4096 .\n-rw-r--r-- 1 root root   12 README.md"
SYSTEM = "You are OpenHands agent, a helpful AI assistant that can interact with a computer to solve tasks."


@dataclass(frozen=True)
class Tier:
    name: str
    upstream: str
    """Attribute of :class:`Upstreams` holding the emulator behind this tier."""
    model: str
    """What the tier is configured to send upstream (conftest.config_for)."""

    @property
    def litellm_model(self) -> str:
        return f"openai/lynkr-{self.name}"


MEDIUM = Tier("medium", "openai", "gpt-4o-mini")
COMPLEX = Tier("complex", "anthropic", "claude-sonnet-4-6")
SIMPLE = Tier("simple", "ollama", "qwen2.5-coder:7b")
REASONING = Tier("reasoning", "azure", "o3-deployment")
WIRE_TIERS = [MEDIUM, COMPLEX, SIMPLE]


@pytest.fixture(params=WIRE_TIERS, ids=lambda t: f"{t.name}-{t.upstream}")
def tier(request: pytest.FixtureRequest) -> Tier:
    return request.param


def emulator(upstreams: Upstreams, tier: Tier) -> Emulator:
    return getattr(upstreams, tier.upstream)


def completion(lynkr: DaemonProcess, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
    """OpenHands' call. ``max_retries=0``: a retried request would hide a failure and double the records."""
    return litellm.completion(
        model=model,
        api_base=f"{lynkr.url}/v1",
        api_key="anything",
        messages=messages,
        timeout=30,
        max_retries=0,
        **kwargs,
    )


def only_chat_request(upstream: Emulator) -> RecordedRequest:
    requests = upstream.chat_requests
    assert len(requests) == 1, f"{upstream.name} got {len(requests)} generation requests, expected 1"
    assert requests[0].status == 200, f"{upstream.name} rejected the request: {requests[0].status}"
    return requests[0]


def usage_of(obj: Any) -> Any:
    usage = getattr(obj, "usage", None)
    return usage if usage is not None and getattr(usage, "prompt_tokens", None) else None


def conversation(text: str = "List the files in the current directory.") -> list[dict[str, Any]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}]


# --------------------------------------------------------------------------- text


def test_text_non_streaming(lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier) -> None:
    upstream = emulator(upstreams, tier)
    upstream.script(Reply(text="The repository has three files.", input_tokens=321, output_tokens=17))

    response = completion(lynkr, tier.litellm_model, conversation())

    assert response.object == "chat.completion"
    choice = response.choices[0]
    assert choice.message.content == "The repository has three files."
    assert choice.message.role == "assistant"
    assert choice.finish_reason == "stop"
    # The exact upstream counts: LiteLLM estimates usage itself when a server sends none.
    assert response.usage.prompt_tokens == 321
    assert response.usage.completion_tokens == 17
    assert response.usage.total_tokens == 338
    sent = only_chat_request(upstream).json
    assert sent["model"] == tier.model
    assert "List the files in the current directory." in json.dumps(sent["messages"])
    assert SYSTEM in json.dumps(sent)


def test_text_streaming_with_usage(lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier) -> None:
    upstream = emulator(upstreams, tier)
    text = "Here are the files: README.md, setup.py and a src directory with the package in it."
    upstream.script(Reply(text=text, input_tokens=250, output_tokens=21))
    messages = conversation()

    chunks = list(
        completion(lynkr, tier.litellm_model, messages, stream=True, stream_options={"include_usage": True})
    )

    deltas = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert "".join(deltas) == text
    assert len(deltas) > 1, "the answer arrived in one piece: Lynkr buffered the stream"
    with_usage = [u for u in map(usage_of, chunks) if u is not None]
    assert with_usage, "no chunk carried usage although stream_options.include_usage was set"
    assert (with_usage[-1].prompt_tokens, with_usage[-1].completion_tokens) == (250, 21)

    built = litellm.stream_chunk_builder(chunks, messages=messages)
    assert built.choices[0].message.content == text
    assert built.choices[0].finish_reason == "stop"
    assert built.usage.prompt_tokens == 250
    assert built.usage.completion_tokens == 21
    assert built.usage.total_tokens == 271
    sent = only_chat_request(upstream).json
    assert sent["model"] == tier.model
    assert sent["stream"] is True


# --------------------------------------------------------------------------- tool calls


def _collect_tool_call(chunks: list[Any]) -> tuple[str, str, str, str | None]:
    """(id, name, arguments, finish_reason) assembled from streamed deltas, as an agent loop does."""
    call_id = name = arguments = ""
    finish = None
    for chunk in chunks:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        finish = choice.finish_reason or finish
        for delta in choice.delta.tool_calls or []:
            assert (delta.index or 0) == 0, "only one tool call was scripted"
            call_id = call_id or (delta.id or "")
            if delta.function is not None:
                name = name or (delta.function.name or "")
                arguments += delta.function.arguments or ""
    return call_id, name, arguments, finish


def _assert_upstream_got_tool(rec: RecordedRequest, tier: Tier) -> None:
    tools = rec.json["tools"]
    assert len(tools) == 1
    if tier.upstream == "anthropic":
        assert tools[0]["name"] == "execute_bash"
        assert tools[0]["input_schema"]["required"] == ["command"]
    else:
        assert tools[0]["function"]["name"] == "execute_bash"
        assert tools[0]["function"]["parameters"]["required"] == ["command"]


def _assert_upstream_got_result(rec: RecordedRequest, tier: Tier, call_id: str) -> None:
    """The second turn reached the upstream in its own dialect, the result tied to the call."""
    messages = rec.json["messages"]
    if tier.upstream == "anthropic":
        assistant, user = messages[-2], messages[-1]
        assert assistant["role"] == "assistant"
        uses = [b for b in assistant["content"] if b["type"] == "tool_use"]
        assert [(u["id"], u["name"], u["input"]) for u in uses] == [(call_id, "execute_bash", COMMAND)]
        assert user["role"] == "user"
        result = user["content"][0]
        assert result["type"] == "tool_result"
        assert result["tool_use_id"] == call_id
        content = result["content"]
        text = content if isinstance(content, str) else "".join(p["text"] for p in content)
        assert text == LS_OUTPUT
    elif tier.upstream == "openai":
        assistant, tool = messages[-2], messages[-1]
        assert assistant["role"] == "assistant"
        [call] = assistant["tool_calls"]
        assert call["id"] == call_id
        assert call["function"]["name"] == "execute_bash"
        assert json.loads(call["function"]["arguments"]) == COMMAND
        assert tool == {"role": "tool", "tool_call_id": call_id, "content": LS_OUTPUT}
    else:  # ollama: no call ids on the wire; results name their tool
        assistant, tool = messages[-2], messages[-1]
        assert assistant["role"] == "assistant"
        assert [c["function"] for c in assistant["tool_calls"]] == [
            {"name": "execute_bash", "arguments": COMMAND}
        ]
        assert tool["role"] == "tool"
        assert tool["content"] == LS_OUTPUT
        assert tool.get("tool_name") == "execute_bash"


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
def test_tool_call_round_trip(lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier, stream: bool) -> None:
    upstream = emulator(upstreams, tier)
    upstream.script(Reply(tool_calls=[ToolCall("execute_bash", COMMAND)], input_tokens=412, output_tokens=23))
    messages = conversation()

    # Turn 1: the model asks to run a command.
    if stream:
        chunks = list(
            completion(
                lynkr,
                tier.litellm_model,
                messages,
                tools=[EXECUTE_BASH],
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        call_id, name, arguments, finish = _collect_tool_call(chunks)
        built = litellm.stream_chunk_builder(chunks, messages=messages).choices[0].message
        [built_call] = built.tool_calls
        assert (built_call.id, built_call.function.name) == (call_id, name)
        assert json.loads(built_call.function.arguments) == COMMAND
        # Exact counts: with include_usage LiteLLM invents a usage chunk when the server sends none.
        usage = [u for u in map(usage_of, chunks) if u is not None]
        assert usage, "no usage in a tool-call stream"
        assert (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (412, 23)
    else:
        response = completion(lynkr, tier.litellm_model, messages, tools=[EXECUTE_BASH])
        [call] = response.choices[0].message.tool_calls
        call_id, name, arguments = call.id, call.function.name, call.function.arguments
        finish = response.choices[0].finish_reason
        assert call.type == "function"
        assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (412, 23)
    assert call_id, "the tool call has no id: the agent cannot answer it"
    assert name == "execute_bash"
    assert json.loads(arguments) == COMMAND
    assert finish == "tool_calls"
    _assert_upstream_got_tool(only_chat_request(upstream), tier)

    # Turn 2: the agent sends the call back with its result, exactly as OpenHands builds them.
    upstream.reset()
    upstream.script(Reply(text="The directory holds README.md."))
    messages += [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "name": "execute_bash", "content": LS_OUTPUT},
    ]
    if stream:
        chunks = list(completion(lynkr, tier.litellm_model, messages, tools=[EXECUTE_BASH], stream=True))
        answer = litellm.stream_chunk_builder(chunks, messages=messages).choices[0].message.content
    else:
        answer = completion(lynkr, tier.litellm_model, messages, tools=[EXECUTE_BASH]).choices[0]
        answer = answer.message.content
    assert answer == "The directory holds README.md."
    _assert_upstream_got_result(only_chat_request(upstream), tier, call_id)


def test_list_content_and_cache_control(lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier) -> None:
    """OpenHands with prompt caching on: every content is a list of parts, cache_control on parts,
    and on tool messages cache_control moves to the message itself."""
    upstream = emulator(upstreams, tier)
    upstream.script(Reply(text="Done."))
    ephemeral = {"type": "ephemeral"}
    call_id = "toolu_01A09q90qw90lq917835lq9"
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": [{"type": "text", "text": SYSTEM, "cache_control": ephemeral}]},
        {
            "role": "user",
            "content": [{"type": "text", "text": "List the files.", "cache_control": ephemeral}],
        },
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "Let me look."}],
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "execute_bash", "arguments": json.dumps(COMMAND)},
                }
            ],
        },
        {
            "role": "tool",
            "tool_call_id": call_id,
            "name": "execute_bash",
            "content": [{"type": "text", "text": LS_OUTPUT}],
            "cache_control": ephemeral,
        },
    ]

    response = completion(lynkr, tier.litellm_model, messages, tools=[EXECUTE_BASH])

    assert response.choices[0].message.content == "Done."
    rec = only_chat_request(upstream)
    sent = rec.json
    if tier.upstream == "anthropic":
        # The point of the markers: Anthropic caches up to them.
        assert sent["system"] == [{"type": "text", "text": SYSTEM, "cache_control": ephemeral}]
        result = sent["messages"][-1]["content"][0]
        assert result["type"] == "tool_result"
        assert result["tool_use_id"] == call_id
        _assert_upstream_got_result(rec, tier, call_id)
    else:
        # Strict OpenAI-style upstreams reject the Anthropic-only key.
        assert "cache_control" not in rec.raw.decode()
        system = sent["messages"][0]
        assert system["role"] == "system"
        text = system["content"]
        assert (text if isinstance(text, str) else "".join(p["text"] for p in text)) == SYSTEM
        tool = sent["messages"][-1]
        assert tool["role"] == "tool"
        assert tool["content"] == LS_OUTPUT or tool["content"] == [{"type": "text", "text": LS_OUTPUT}]
        if tier.upstream == "openai":
            assert tool["tool_call_id"] == call_id


# --------------------------------------------------------------------------- no Responses API


@pytest.mark.parametrize("tier_", [MEDIUM, COMPLEX, SIMPLE, REASONING], ids=lambda t: f"lynkr-{t.name}")
def test_chat_completions_path_not_responses(lynkr: DaemonProcess, upstreams: Upstreams, tier_: Tier) -> None:
    """LiteLLM bridges some model names (gpt-5 family) to the Responses API, which Lynkr does not serve
    (it would 404). The tier names must go through plain chat completions."""
    upstream = emulator(upstreams, tier_)
    upstream.script(Reply(text="ok"))

    response = completion(lynkr, tier_.litellm_model, conversation("Say ok."), tools=[EXECUTE_BASH])

    assert response.object == "chat.completion"
    assert response.choices[0].message.content == "ok"
    rec = only_chat_request(upstream)
    # Azure names the deployment in the path; the others name the model in the body.
    assert (rec.deployment if tier_ is REASONING else rec.json["model"]) == tier_.model
