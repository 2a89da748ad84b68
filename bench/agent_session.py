"""A long, realistic agent session replayed through a real daemon: memory and response-cache numbers.

The fixture generator builds a Claude-Code-shaped session (system prompt with a working directory, tools,
50+ turns of Read/Grep/Bash/Edit calls with their results, files read again and again, a failing test
fixed by an edit and a green rerun, and user instructions). Each turn is sent as the agent would: the
whole history so far, temperature 0. The daemon fronts the Anthropic emulator from tests/emulators.

    python bench/agent_session.py [--turns 60]

Phases: session A learns; session B (same project, new session id) shows what memory injects; session B
again (an agent re-run of the same deterministic turns) shows the response cache.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lynkr_tui.control_client import ControlClient
from tests.e2e.harness import DaemonProcess
from tests.emulators import AnthropicEmulator

PROJECT = "/home/dev/shop"
FILES = ["src/cart.py", "src/pricing.py", "src/api.py", "tests/test_cart.py", "pyproject.toml"]
TOOLS = [
    {"name": n, "description": f"{n} tool", "input_schema": {"type": "object", "properties": {}}}
    for n in ("Read", "Grep", "Bash", "Edit")
]


def _source(path: str, turn: int) -> str:
    body = "\n".join(f"def f{i}(x):\n    return x * {i}  # {path}" for i in range(40))
    return f"# {path}\n{body}\n"


def session(turns: int, opening: str) -> list[list[dict[str, Any]]]:
    """The request messages of every turn (each one the whole history so far)."""
    history: list[dict[str, Any]] = [{"role": "user", "content": opening}]
    out = [list(history)]
    n = 0
    while len(out) < turns:
        n += 1
        kind = n % 6
        path = f"{PROJECT}/{FILES[n % len(FILES)]}"
        if kind == 3:
            call = {"name": "Bash", "input": {"command": "pytest -q tests/test_cart.py"}}
            result = (
                "E   AssertionError: assert 90 == 100\n1 failed, 4 passed in 0.31s" if n < 20 else "5 passed"
            )
        elif kind == 4:
            call = {"name": "Edit", "input": {"file_path": f"{PROJECT}/src/pricing.py", "old_string": "0.9",
                                              "new_string": "1.0"}}  # fmt: skip
            result = "The file has been updated."
        elif kind == 5:
            call = {"name": "Grep", "input": {"pattern": "discount", "path": PROJECT}}
            result = f"{PROJECT}/src/pricing.py:12: discount = 0.9"
        else:  # reads, often of the same files again
            call = {"name": "Read", "input": {"file_path": path}}
            result = _source(path, n)
        call_id = f"toolu_{n:04d}"
        history.append({"role": "assistant", "content": [{"type": "tool_use", "id": call_id, **call}]})
        turn: list[dict[str, Any]] = [{"type": "tool_result", "tool_use_id": call_id, "content": result}]
        if n % 17 == 0:
            turn.append(
                {"type": "text", "text": "Keep functions small. We use ruff for linting in this repo."}
            )
        history.append({"role": "user", "content": turn})
        out.append(list(history))
    return out


def send(url: str, messages: list[dict[str, Any]], session_id: str) -> dict[str, str]:
    body = {"model": "lynkr-complex", "max_tokens": 256, "temperature": 0, "tools": TOOLS,
            "system": f"You are a coding agent.\nWorking directory: {PROJECT}",
            "messages": messages}  # fmt: skip
    request = urllib.request.Request(
        f"{url}/v1/messages",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-api-key": "x", "x-lynkr-session": session_id},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return dict(response.headers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=60)
    args = parser.parse_args()
    upstream = AnthropicEmulator("anthropic", expected_key="bench-key").start()
    home = Path(tempfile.mkdtemp(prefix="lynkr-bench-"))
    config = f"""
[providers.claude]
type = "anthropic"
base_url = "{upstream.base_url}"
api_key_env = "BENCH_KEY"
[tiers.complex]
provider = "claude"
model = "claude-sonnet-4-6"
"""
    daemon = DaemonProcess(home, config, env={"BENCH_KEY": "bench-key"}).start()
    control = ControlClient(home / "control.sock")
    try:
        a = session(args.turns, "The cart total is wrong when a discount applies. We use pytest for tests.")
        b = session(args.turns, "Add a unit test for the pricing rounding rule.")
        for messages in a:
            send(daemon.url, messages, "bench-A")
        time.sleep(1.0)
        learned = control.request("GET", f"/v1/memory?project={PROJECT}&limit=100")[1]["memories"]
        before = control.request("GET", "/v1/memory/stats")[1]
        for messages in b:
            send(daemon.url, messages, "bench-B")
        after = control.request("GET", "/v1/memory/stats")[1]
        upstream_calls = len(upstream.requests)
        cache_before = control.request("GET", "/v1/cache")[1]
        for messages in b:  # the same deterministic turns again (an agent re-run)
            send(daemon.url, messages, "bench-B2")
        cache = control.request("GET", "/v1/cache")[1]
        replay_hits = cache["hits"] - cache_before["hits"]
        print(f"turns per session: {len(a)}; memories learned in session A: {len(learned)}")
        for m in learned:
            print(f"  [{m['type']}] {m['text']}")
        injected = after["injected_tokens"] - before["injected_tokens"]
        requests = after["injected_requests"] - before["injected_requests"]
        print(f"session B: memory injected into {requests}/{len(b)} requests, {injected} tokens in total "
              f"({injected / max(1, len(b)):.1f} per request)")  # fmt: skip
        print(f"re-run of session B: {replay_hits}/{len(b)} cache hits, upstream calls added: "
              f"{len(upstream.requests) - upstream_calls}, prompt tokens saved: "
              f"{cache['saved_prompt_tokens'] - cache_before['saved_prompt_tokens']}")  # fmt: skip
        print(f"overall cache: {json.dumps(cache)}")
    finally:
        daemon.stop()
        upstream.stop()


if __name__ == "__main__":
    main()
