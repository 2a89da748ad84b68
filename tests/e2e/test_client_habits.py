"""Client habits beyond ordinary turns, against the real daemon: Claude Code's probes and haiku-class
background model, OpenHands' ``/v1/model/info`` lookup, and the context-overflow wording agents
look for before they compact their history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import anthropic
import httpx
import openai
import pytest

from tests.e2e.harness import ROOT, DaemonProcess
from tests.emulators import Reply

FIXTURES = ROOT / "tests" / "fixtures" / "clients"


def test_model_info_in_litellm_proxy_shape(lynkr: DaemonProcess) -> None:
    # OpenHands sends its key as a bearer token; any value is accepted on loopback.
    for path in ("/v1/model/info", "/model/info"):
        response = httpx.get(f"{lynkr.url}{path}", headers={"authorization": "Bearer any"})
        assert response.status_code == 200
    data = {entry["model_name"]: entry for entry in response.json()["data"]}
    for name in (
        "lynkr-simple",
        "lynkr-medium",
        "lynkr-complex",
        "lynkr-reasoning",
        "lynkr/medium",
        "lynkr-auto",
    ):
        info = data[name]["model_info"]
        assert info["supports_function_calling"] is True and "max_input_tokens" in info
    # The conftest tiers: qwen2.5-coder (32k, no vision), gpt-4o-mini falling back to claude-haiku, ...
    assert data["lynkr-simple"]["model_info"]["max_input_tokens"] == 32_768
    assert data["lynkr-simple"]["model_info"]["supports_vision"] is False
    assert data["lynkr-medium"]["model_info"]["max_input_tokens"] == 128_000
    assert data["lynkr-complex"]["model_info"]["max_input_tokens"] == 200_000
    assert data["lynkr-complex"]["model_info"]["supports_vision"] is True
    assert data["lynkr-complex"]["litellm_params"]["model"] == "claude/claude-sonnet-4-6"
    assert "gpt-4o-mini" in data and "claude-haiku-4-5" in data
    # OpenHands takes its output budget from max_output_tokens, else from LiteLLM's legacy max_tokens
    # (an output limit); a context window there would make it ask gpt-4o-mini for 128k output tokens.
    for entry in data.values():
        info = entry["model_info"]
        budget = (
            info["max_output_tokens"] if isinstance(info["max_output_tokens"], int) else info["max_tokens"]
        )
        assert budget is None, f"{entry['model_name']}: OpenHands would request {budget} output tokens"


def test_recorded_claude_code_2_1_request_replays(lynkr: DaemonProcess, upstreams) -> None:
    """Claude Code 2.1.197's first turn: a mid-conversation system turn, adaptive thinking,
    context_management and a long anthropic-beta list, on /v1/messages?beta=true, streamed."""
    recorded = json.loads((FIXTURES / "claude_code_2_1_197_turn1.json").read_text())
    upstreams.anthropic.script(Reply(text="Hello!"))
    response = httpx.post(
        f"{lynkr.url}/v1/messages?beta=true",
        json=recorded["body"],
        headers={**recorded["headers"], "authorization": "Bearer placeholder"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-lynkr-tier"] == "complex"
    events = [line[len("event: ") :] for line in response.text.splitlines() if line.startswith("event: ")]
    assert events[0] == "message_start" and events[-1] == "message_stop"
    assert '"text":"Hello!"' in response.text.replace(" ", "")

    sent = upstreams.anthropic.last_request
    assert sent.headers["anthropic-beta"] == recorded["headers"]["anthropic-beta"]
    assert [m["role"] for m in sent.json["messages"]] == ["user"]
    system = " ".join(b["text"] for b in sent.json["system"])
    assert system.startswith("x-anthropic-billing-header") and "Available agent types" in system


def test_claude_code_haiku_background_request_goes_to_simple(lynkr: DaemonProcess, upstreams) -> None:
    upstreams.ollama.script(Reply(text="Fix failing tokenizer test"))
    client = anthropic.Anthropic(base_url=lynkr.url, api_key="placeholder", max_retries=0)
    raw = client.messages.with_raw_response.create(
        model="claude-haiku-4-5-20251001",
        max_tokens=512,
        messages=[{"role": "user", "content": "Refactor the distributed payment migration safely"}],
    )
    assert raw.headers["x-lynkr-tier"] == "simple" and raw.headers["x-lynkr-rule"] == "side-request"
    assert raw.parse().content[0].text == "Fix failing tokenizer test"


def test_claude_code_quota_probe_is_cheap(lynkr: DaemonProcess, upstreams) -> None:
    client = anthropic.Anthropic(base_url=lynkr.url, api_key="placeholder", max_retries=0)
    raw = client.messages.with_raw_response.create(
        model="claude-opus-4-1-20250805", max_tokens=1, messages=[{"role": "user", "content": "quota"}]
    )
    assert raw.status_code == 200
    assert raw.headers["x-lynkr-tier"] == "simple" and raw.headers["x-lynkr-rule"] == "side-request"


@pytest.mark.parametrize("tier", ["simple", "medium", "complex", "reasoning"])
def test_context_overflow_says_prompt_is_too_long_to_openai_clients(
    tier: str, lynkr: DaemonProcess, upstreams
) -> None:
    upstream = {"simple": upstreams.ollama, "medium": upstreams.openai, "complex": upstreams.anthropic}.get(
        tier, upstreams.azure
    )
    upstream.script(Reply.context_overflow(limit=8192, tokens=9000))
    client = openai.OpenAI(base_url=f"{lynkr.url}/v1", api_key="placeholder", max_retries=0)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=f"lynkr-{tier}", messages=[{"role": "user", "content": "long"}])
    assert info.value.code == "context_length_exceeded"
    message = info.value.message.lower()
    # OpenHands condenses on the first phrase, LiteLLM maps the second to ContextWindowExceededError.
    assert "prompt is too long" in message and "maximum context length" in message


@pytest.mark.skipif(
    shutil.which("claude") is None, reason="Claude Code (npm @anthropic-ai/claude-code) is not installed"
)
def test_real_claude_code_through_lynkr_wrap(lynkr: DaemonProcess, upstreams, tmp_path: Path) -> None:
    """The real Claude Code, started by `lynkr wrap`: its request (mid-conversation system turns,
    adaptive thinking, betas) is accepted, the betas reach Anthropic, and the summary counts it."""
    for upstream in upstreams.all():
        upstream.default_reply = Reply(text="Hello from Lynkr.")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LYNKR_HOME": str(lynkr.home),
        "PYTHONPATH": str(ROOT),
        "ANTHROPIC_MODEL": "lynkr-complex",
    }
    result = subprocess.run(
        [sys.executable, "-m", "lynkr_tui.cli", "wrap", "claude", "-p", "say hello"],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=150, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Hello from Lynkr." in result.stdout
    assert "session wrap-claude-" in result.stderr and "complex" in result.stderr.splitlines()[-1]
    betas = [r.headers.get("anthropic-beta", "") for r in upstreams.anthropic.chat_requests]
    assert betas and all("claude-code-20250219" in b for b in betas)
