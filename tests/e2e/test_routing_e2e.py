"""Routing seen from outside: decision headers, session override from the CLI, stickiness."""

from __future__ import annotations

import uuid

import httpx

from tests.e2e.conftest import Upstreams
from tests.e2e.harness import DaemonProcess


def _ask(lynkr: DaemonProcess, session: str, messages: list[dict], **extra: object) -> httpx.Response:
    body = {"model": "claude-sonnet-4-6", "max_tokens": 512, "messages": messages, **extra}
    headers = {"anthropic-version": "2023-06-01", "x-lynkr-session": session}
    response = httpx.post(f"{lynkr.url}/v1/messages", json=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response


def test_operator_pins_a_session_from_the_cli(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    session = f"s-{uuid.uuid4().hex[:8]}"
    first = _ask(lynkr, session, [{"role": "user", "content": "list the files in src/"}])
    assert first.headers["x-lynkr-tier"] == "simple"
    assert first.headers["x-lynkr-rule"] == "score"

    pinned = lynkr.cli("sessions", "tier", session, "complex")
    assert pinned.returncode == 0, pinned.stderr
    assert "pinned to complex" in pinned.stdout
    second = _ask(lynkr, session, [{"role": "user", "content": "list the files in tests/"}])
    assert (second.headers["x-lynkr-tier"], second.headers["x-lynkr-rule"]) == ("complex", "session-override")

    listed = lynkr.cli("sessions", "--json")
    assert listed.returncode == 0 and session in listed.stdout

    assert lynkr.cli("sessions", "tier", session, "auto").returncode == 0
    third = _ask(lynkr, session, [{"role": "user", "content": "list the files in docs/"}])
    assert third.headers["x-lynkr-tier"] == "simple"

    refused = lynkr.cli("sessions", "tier", session, "huge")
    assert refused.returncode == 1 and "tier must be one of" in (refused.stderr + refused.stdout)


def test_a_session_keeps_its_tier_during_a_tool_exchange(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    session = f"s-{uuid.uuid4().hex[:8]}"
    question = {"role": "user", "content": "Look at the config loader and tell me what it does."}
    opening = _ask(lynkr, session, [question])
    opening_tier = opening.headers["x-lynkr-tier"]
    # The operator raises the session, then unpins it: the session's current tier stays what
    # the last decision said, and a pure tool-result turn keeps it.
    lynkr.cli("sessions", "tier", session, "reasoning")
    raised = _ask(lynkr, session, [question])
    assert raised.headers["x-lynkr-tier"] == "reasoning"
    lynkr.cli("sessions", "tier", session, "auto")
    loop = [
        question,
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "Read",
                    "input": {"file_path": "daemon/config/load.py"},
                }
            ],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]},
    ]
    tools = [
        {"name": "Read", "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}}}
    ]
    sticky = _ask(lynkr, session, loop, tools=tools)
    assert (sticky.headers["x-lynkr-tier"], sticky.headers["x-lynkr-rule"]) == ("reasoning", "session-sticky")
    # New user text re-decides.
    fresh = _ask(
        lynkr,
        session,
        [
            *loop,
            {"role": "assistant", "content": "It loads TOML."},
            {"role": "user", "content": "thanks, now list the files in src/"},
        ],
        tools=tools,
    )
    assert fresh.headers["x-lynkr-rule"] != "session-sticky"
    assert opening_tier in ("simple", "medium", "complex", "reasoning")


def test_decision_headers_carry_score_and_rule(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    response = _ask(lynkr, f"s-{uuid.uuid4().hex[:8]}", [{"role": "user", "content": "rename a.py to b.py"}])
    assert response.headers["x-lynkr-rule"] == "score"
    assert float(response.headers["x-lynkr-score"]) < 25
    thinking = _ask(
        lynkr,
        f"s-{uuid.uuid4().hex[:8]}",
        [{"role": "user", "content": "rename a.py to b.py"}],
        max_tokens=4096,
        thinking={"type": "enabled", "budget_tokens": 2048},
    )
    assert (thinking.headers["x-lynkr-tier"], thinking.headers["x-lynkr-rule"]) == (
        "reasoning",
        "rule:thinking",
    )
