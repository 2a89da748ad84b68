"""``GET /v1/model/info`` in the LiteLLM proxy's shape, for clients that ask the proxy what a model can do.

OpenHands with a ``litellm_proxy/<name>`` model reads ``max_input_tokens``,
``max_output_tokens``, ``supports_vision`` and ``supports_function_calling``
from the entry whose ``model_name`` matches (protocols.md §6.2). Lynkr lists
every tier alias (``lynkr-<tier>`` and ``lynkr/<tier>``) and every configured
model. A tier's numbers are the most conservative of its chain, because a
fallback may serve the request: the smallest known context window, and
vision only when every model of the chain takes images. ``lynkr-auto`` may
land on any tier, and the router escalates for long prompts and images, so it
gets the largest window and vision when any tier has it. Unknown values are
``null`` (LiteLLM then uses its defaults) rather than a guess.
"""

from __future__ import annotations

from typing import Any

from daemon.config.model import TIERS, Config, TierConfig
from daemon.routing.models import known_context_window, known_vision

ENDPOINTS = ["/v1/chat/completions", "/v1/responses", "/v1/messages"]


def _window(model: str, tier: TierConfig | None) -> int | None:
    if tier is not None and tier.context_window is not None and model == tier.model:
        return tier.context_window
    return known_context_window(model)


def _vision(model: str, tier: TierConfig | None) -> bool | None:
    if tier is not None and tier.vision is not None and model == tier.model:
        return tier.vision
    return known_vision(model)


def _entry(name: str, upstream: str, window: int | None, vision: bool | None, **extra: Any) -> dict[str, Any]:
    return {
        "model_name": name,
        "litellm_params": {"model": upstream},
        "model_info": {
            "id": name,
            "key": name,
            "mode": "chat",
            "litellm_provider": "openai",
            "max_input_tokens": window,
            # LiteLLM's legacy max_tokens is an output limit (OpenHands falls back to it for its output
            # budget); Lynkr does not know each model's, so null, never the context window.
            "max_tokens": None,
            "max_output_tokens": None,
            "input_cost_per_token": None,
            "output_cost_per_token": None,
            "supports_function_calling": True,  # Lynkr translates tools for every provider type
            "supports_parallel_function_calling": True,
            "supports_tool_choice": True,
            "supports_vision": bool(vision),
            "supports_prompt_caching": False,
            "supports_system_messages": True,
            "supports_response_schema": True,
            "supported_endpoints": ENDPOINTS,
            **extra,
        },
    }


def _tier_entry(name: str, config: Config, tier: TierConfig) -> dict[str, Any]:
    chain = tier.chain()
    windows = [_window(t.model, tier) for t in chain]
    known = [w for w in windows if w is not None]
    visions = [_vision(t.model, tier) for t in chain]
    types = [
        config.providers[t.provider].type if t.provider in config.providers else t.provider for t in chain
    ]
    caching = all(kind in ("anthropic", "azure-anthropic") for kind in types)
    return _entry(
        name,
        f"{tier.provider}/{tier.model}",
        min(known) if known else None,
        all(v is True for v in visions),
        supports_reasoning=tier.name == "reasoning",
        supports_prompt_caching=caching,
        lynkr_tier=tier.name,
    )


def model_info(config: Config) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    for name in TIERS:
        tier = config.tiers.get(name)
        if tier is None:
            continue
        for alias in (f"lynkr-{name}", f"lynkr/{name}"):
            data.append(_tier_entry(alias, config, tier))
    tiers = [config.tiers[name] for name in TIERS if name in config.tiers]
    windows = [w for w in (_window(t.model, t) for t in tiers) if w is not None]
    vision = any(_vision(t.model, t) for t in tiers)
    data.append(
        _entry("lynkr-auto", "lynkr/auto", max(windows) if windows else None, vision, lynkr_tier="auto")
    )
    seen = {entry["model_name"] for entry in data}
    for tier in tiers:
        for target in tier.chain():
            if target.model in seen:
                continue
            seen.add(target.model)
            data.append(
                _entry(
                    target.model,
                    f"{target.provider}/{target.model}",
                    _window(target.model, tier),
                    _vision(target.model, tier),
                )
            )
    return {"data": data}
