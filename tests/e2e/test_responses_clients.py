"""The Responses API as real clients use it: recorded Codex CLI requests replayed, LiteLLM's
``responses()`` (OpenHands' road for gpt-5 names), and the real Codex CLI when it is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Upstreams
from tests.e2e.harness import DaemonProcess
from tests.e2e.test_responses import ARGS, FIXTURES, TEXT_TURN, TOOL, sse_events, types
from tests.emulators import Reply, ToolCall

# --------------------------------------------------------------------------- Codex CLI


def test_recorded_codex_request_replays(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    """A Codex CLI turn: developer messages, a foreign reasoning item, a shell call and its output,
    a freeform apply_patch tool and a hosted web_search tool, store=false, streamed."""
    recorded = json.loads((FIXTURES / "codex_cli_turn2.json").read_text())
    patch = (
        "*** Begin Patch\n*** Update File: src/tokens.py\n@@\n"
        "-    return list(text)\n+    return [text]\n*** End Patch\n"
    )
    upstreams.openai.script(
        Reply(
            text="The tokenizer splits on code points.",
            tool_calls=[ToolCall("apply_patch", {"input": patch})],
        )
    )
    events = sse_events(lynkr, recorded["body"], recorded["headers"])

    assert types(events) == [
        *TEXT_TURN,
        "response.output_item.added",
        "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done",
        "response.output_item.done",
        "response.completed",
    ]
    item = events[-2]["item"]
    assert item["type"] == "custom_tool_call" and item["name"] == "apply_patch" and item["input"] == patch
    assert events[-1]["response"]["store"] is False

    sent = upstreams.openai.last_request.json
    assert [t["function"]["name"] for t in sent["tools"]] == ["shell", "update_plan", "apply_patch"]
    apply_patch = sent["tools"][2]["function"]
    assert apply_patch["parameters"]["required"] == ["input"] and "lark" in apply_patch["description"]
    system = sent["messages"][0]
    assert system["role"] == "system" and system["content"].startswith("You are Codex")
    assert "<permissions instructions>" in system["content"], (
        "developer messages are hoisted into the system prompt"
    )
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["system", "user", "assistant", "tool"]
    assert sent["messages"][2]["tool_calls"][0]["id"] == "call_Xq8mRk2vT0bLp4sN9cY3wZ1e"
    assert sent["parallel_tool_calls"] is False

    # Replayed with store=false, nothing was kept.
    assert httpx.get(f"{lynkr.url}/v1/responses/{events[-1]['response']['id']}").status_code == 404


def test_recorded_real_codex_0169_request_replays(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    """Recorded from the real Codex CLI 0.169: no instructions, a namespace tool, a hosted tool."""
    recorded = json.loads((FIXTURES / "codex_cli_0169_turn1.json").read_text())
    upstreams.openai.script(Reply(tool_calls=[ToolCall("spawn_agent", {"message": "explore the repo"})]))
    events = sse_events(lynkr, recorded["body"], recorded["headers"])
    item = events[-2]["item"]
    assert types(events)[-1] == "response.completed"
    assert (item["type"], item["name"], item.get("namespace")) == (
        "function_call",
        "spawn_agent",
        "multi_agent_v1",
    )
    assert json.loads(item["arguments"]) == {"message": "explore the repo"}

    sent = upstreams.openai.last_request.json
    names = [t["function"]["name"] for t in sent["tools"]]
    assert "exec_command" in names and "spawn_agent" in names and "web_search" not in names
    assert sent["messages"][0]["role"] == "system" and "Codex CLI" in sent["messages"][0]["content"]
    # The environment context and the prompt, two user items in a row, arrive as one user turn.
    last = sent["messages"][-1]
    assert last["role"] == "user" and last["content"][-1] == {"type": "text", "text": "say hello"}

    # The call sent back with its namespace maps onto the same flattened tool.
    body = dict(recorded["body"], stream=False)
    body["input"] = [
        *body["input"],
        item,
        {"type": "function_call_output", "call_id": item["call_id"], "output": "agent started"},
    ]
    upstreams.openai.script(Reply(text="Started."))
    answer = httpx.post(f"{lynkr.url}/v1/responses", json=body, timeout=30).json()
    assert answer["output"][0]["content"][0]["text"] == "Started."
    assistant = upstreams.openai.last_request.json["messages"][-2]
    assert assistant["tool_calls"][0]["function"]["name"] == "spawn_agent"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")  # LiteLLM's own usage model
@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_litellm_responses_like_openhands_gpt5(
    stream: bool, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    """OpenHands switches to ``litellm.responses()`` for model names containing gpt-5 (§2.1)."""
    import litellm

    upstreams.openai.script(Reply(text="Listed the files.", tool_calls=[ToolCall("read_file", ARGS)]))
    kwargs: dict[str, Any] = {
        "model": "openai/lynkr-gpt-5",
        "api_base": f"{lynkr.url}/v1",
        "api_key": "placeholder",
        "input": [{"role": "user", "content": "What does app.py do?"}],
        "instructions": "You are OpenHands agent.",
        "tools": [TOOL],
        "headers": {"x-lynkr-tier": "medium"},
    }
    if stream:
        events = list(litellm.responses(**kwargs, stream=True))
        completed = [e for e in events if getattr(e, "type", "") == "response.completed"]
        assert len(completed) == 1
        response = completed[0].response
    else:
        response = litellm.responses(**kwargs)
    kinds = [item.type for item in response.output]
    assert kinds == ["message", "function_call"]
    assert json.loads(response.output[1].arguments) == ARGS
    assert response.usage.input_tokens > 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
def test_litellm_responses_continue_from_previous_response_id(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    """LiteLLM rewrites response ids on the way out; the id it hands back must still continue the chain."""
    import litellm

    upstreams.openai.script(Reply(text="The capital is Paris."), Reply(text="About 2.1 million."))
    kwargs: dict[str, Any] = {
        "model": "openai/lynkr-gpt-5",
        "api_base": f"{lynkr.url}/v1",
        "api_key": "placeholder",
        "headers": {"x-lynkr-tier": "medium"},
    }
    first = litellm.responses(**kwargs, input="Capital of France?")
    second = litellm.responses(**kwargs, input="How many people?", previous_response_id=first.id)
    assert second.output[0].content[0].text == "About 2.1 million."
    sent = [m for m in upstreams.openai.last_request.json["messages"] if m["role"] != "system"]
    assert [m["content"] for m in sent] == ["Capital of France?", "The capital is Paris.", "How many people?"]


def run_codex(daemon: DaemonProcess, tmp_path: Path, prompt: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "codex-home"
    home.mkdir(exist_ok=True)
    provider = f'{{name="Lynkr",base_url="{daemon.url}/v1",wire_api="responses",env_key="LYNKR_CODEX_KEY"}}'
    return subprocess.run(
        ["codex", "exec", "--skip-git-repo-check", "-c", f"model_providers.lynkr={provider}",
         "-c", 'model_provider="lynkr"', "-c", 'model="lynkr-medium"', prompt],
        env={"PATH": os.environ["PATH"], "HOME": str(home), "CODEX_HOME": str(home),
             "LYNKR_CODEX_KEY": "lynkr"},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip


@pytest.mark.skipif(
    shutil.which("codex") is None, reason="the Codex CLI (npm @openai/codex) is not installed"
)
def test_real_codex_cli_runs_a_tool_loop(lynkr: DaemonProcess, upstreams: Upstreams, tmp_path: Path) -> None:
    """The real Codex CLI: its request (namespace and hosted tools, developer messages) is accepted,
    it runs the tool call Lynkr streams back, returns the output, and prints the final answer."""
    upstreams.openai.script(
        Reply(text="Checking.", tool_calls=[ToolCall("exec_command", {"cmd": "echo lynkr-tool-ok"})]),
        Reply(text="Hello from Lynkr."),
    )
    result = run_codex(lynkr, tmp_path, "run echo, then say hello")
    assert result.returncode == 0, result.stderr
    assert "Hello from Lynkr." in result.stdout
    first, second = upstreams.openai.chat_requests[:2]
    names = [t["function"]["name"] for t in first.json["tools"]]
    assert "exec_command" in names and "spawn_agent" in names, "namespace tools are flattened, not refused"
    call_id = second.json["messages"][-2]["tool_calls"][0]["id"]
    result_message = second.json["messages"][-1]
    assert result_message["role"] == "tool" and result_message["tool_call_id"] == call_id
    assert "lynkr-tool-ok" in result_message["content"], "Codex ran the command and sent its output back"
