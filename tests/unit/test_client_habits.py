"""What coding agents do besides ordinary turns: probes, background models, capability lookups."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from daemon.canonical import Message, Request, TextBlock, Tool
from daemon.config.model import Config, RoutingConfig, Target, TierConfig
from daemon.dialects import anthropic
from daemon.errors import LynkrError
from daemon.model_info import model_info
from daemon.routing.router import route
from daemon.routing.weights import DEFAULT_RULES

HARD_TASK = (
    "Refactor the payment service's database migration so the auth tokens and secrets are rotated "
    "in production without downtime; plan the concurrency carefully across the distributed workers."
)


def request(model: str, text: str = HARD_TASK, max_tokens: int | None = 4096) -> Request:
    return Request(
        model=model,
        messages=[Message("user", [TextBlock(text)])],
        max_tokens=max_tokens,
        tools=[Tool("Bash"), Tool("Edit")],
    )


def test_max_tokens_1_probe_goes_to_simple_whatever_it_says() -> None:
    decision = route(request("claude-opus-4-1", max_tokens=1), Config())
    assert (decision.tier, decision.rule) == ("simple", "side-request")
    assert "probe" in decision.reasons[0]
    assert route(request("claude-opus-4-1", text="quota"), Config()).tier == "simple"


def test_haiku_class_model_goes_to_simple_by_default() -> None:
    for model in ("claude-haiku-4-5-20251001", "claude-3-5-haiku-20241022", "anthropic/claude-haiku-4.5"):
        decision = route(request(model), Config())
        assert (decision.tier, decision.rule) == ("simple", "side-request"), model
        assert "haiku" in decision.reasons[0]
    # The same hard task under the main model is scored normally.
    assert route(request("claude-sonnet-4-5"), Config()).rule != "side-request"


def test_haiku_rule_yields_to_overrides_and_to_the_switch() -> None:
    mapped = Config(routing=RoutingConfig(model_map={"claude-haiku-4-5": "medium"}))
    assert route(request("claude-haiku-4-5"), mapped).tier == "medium"
    assert route(request("claude-haiku-4-5"), Config(), headers={"x-lynkr-tier": "complex"}).tier == "complex"
    off = Config(
        routing=RoutingConfig(rules=MappingProxyType({**DEFAULT_RULES, "side_requests_to_simple": False}))
    )
    assert route(request("claude-haiku-4-5"), off).rule != "side-request"


def test_model_info_lists_aliases_and_models_conservatively() -> None:
    config = Config(
        tiers=MappingProxyType(
            {
                "simple": TierConfig("simple", "local", "qwen2.5-coder:7b"),
                "medium": TierConfig(
                    "medium", "oai", "gpt-4o-mini", fallback=(Target("claude", "claude-haiku-4-5"),)
                ),
                "complex": TierConfig("complex", "claude", "claude-sonnet-4-6", context_window=1_000_000),
                "reasoning": TierConfig("reasoning", "custom", "my-model"),
            }
        )
    )
    data = {entry["model_name"]: entry for entry in model_info(config)["data"]}
    assert {"lynkr-simple", "lynkr/simple", "lynkr-medium", "lynkr-auto", "gpt-4o-mini"} <= set(data)
    medium = data["lynkr-medium"]["model_info"]
    # gpt-4o-mini (128k, vision) falls back to claude-haiku (200k, vision): the smaller window counts.
    assert medium["max_input_tokens"] == 128_000 and medium["supports_vision"] is True
    assert medium["supports_function_calling"] is True and "/v1/responses" in medium["supported_endpoints"]
    assert data["lynkr-simple"]["model_info"]["supports_vision"] is False
    assert data["lynkr-complex"]["model_info"]["max_input_tokens"] == 1_000_000  # the tier's own setting
    assert data["lynkr-reasoning"]["model_info"]["max_input_tokens"] is None  # unknown is not guessed
    assert data["lynkr-auto"]["model_info"]["max_input_tokens"] == 1_000_000
    assert data["lynkr-medium"]["litellm_params"]["model"] == "oai/gpt-4o-mini"


def test_claude_code_mid_conversation_system_turns_join_the_system_prompt() -> None:
    """Claude Code 2.1 (beta mid-conversation-system-2026-04-07) puts role "system" turns in messages."""
    body = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "system": [{"type": "text", "text": "You are Claude Code."}],
        "messages": [
            {"role": "user", "content": "<system-reminder>date</system-reminder>"},
            {"role": "system", "content": "Available agent types: Explore, Plan"},
            {"role": "system", "content": [{"type": "text", "text": "Skills: none"}]},
            {"role": "user", "content": "say hello"},
        ],
    }
    parsed = anthropic.parse_request(body, {})
    assert [b.text for b in parsed.system] == [
        "You are Claude Code.",
        "Available agent types: Explore, Plan",
        "Skills: none",
    ]
    assert [m.role for m in parsed.messages] == ["user", "user"]
    with pytest.raises(LynkrError) as info:
        anthropic.parse_request({**body, "messages": [{"role": "system", "content": "only this"}]}, {})
    assert info.value.param == "messages"
    bad = [{"role": "system", "content": [{"type": "image", "source": {}}]}, {"role": "user", "content": "x"}]
    with pytest.raises(LynkrError) as info:
        anthropic.parse_request({**body, "messages": bad}, {})
    assert info.value.param == "messages[0].content[0].type"
