"""What a request cost, in US dollars.

Prices are USD per million tokens. ``Usage.input_tokens`` excludes cache reads
and writes (Anthropic's convention, which every translator follows), so the
four counts are priced independently and never double-counted. Output tokens
already include reasoning tokens (OpenAI counts them inside
``completion_tokens``), so reasoning is not priced again.

Matching: a model name is normalised (lower case, the part after the last
``/`` so OpenRouter / Bedrock style prefixes drop, ``.`` and ``_`` become
``-`` so ``gpt-4.1`` and ``gpt-4-1`` agree) and a pattern matches when it
occurs at token boundaries, i.e. not glued to a letter or digit on either
side: ``claude-sonnet-4`` matches ``claude-sonnet-4-5-20250929`` but
``gpt-4`` does not match ``gpt-4o``. A pattern ending in ``$`` must reach the
end of the name. The longest matching pattern wins, so ``gpt-4o-mini`` beats
``gpt-4o``. Unknown models price as ``None`` (cost unknown), never as 0:
reporting a paid request as free would make every savings figure a lie.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from daemon.canonical import Usage
from daemon.config.model import Config


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens. ``cache_write`` is the 5-minute cache write where a provider has tiers."""

    input: float
    output: float
    cache_read: float = 0.0
    cache_write: float = 0.0


FREE = Price(0.0, 0.0, 0.0, 0.0)

# Provider types that run on the user's own hardware: no per-token bill.
LOCAL_TYPES = frozenset({"llamacpp", "ollama", "lmstudio", "mlx", "vllm", "simulated"})


def _same(input: float, output: float, cache_read: float) -> Price:
    """A provider that caches automatically and charges nothing extra to write the cache."""
    return Price(input, output, cache_read, input)


def _anthropic(input: float, output: float) -> Price:
    """Anthropic: cache reads are 0.1x input, 5-minute cache writes 1.25x input."""
    return Price(input, output, round(input * 0.1, 6), round(input * 1.25, 6))


# Public list prices as published on the providers' pricing pages (anthropic.com/pricing,
# openai.com/api/pricing, api-docs.deepseek.com, ai.google.dev/pricing, platform.moonshot.ai,
# docs.z.ai), as of early 2026, standard (non-batch) tier, prompts under 200K tokens (Anthropic's and
# Gemini's long-context surcharge is not modelled). They are defaults so that costs mean something out of
# the box; prices change and resellers differ, so override them in the config ([prices]) to match your bill.
DEFAULT_PRICES: Mapping[str, Price] = {
    # Anthropic Claude 4.x. Opus 4.0/4.1 kept the old $15/$75; Opus 4.5 and later are $5/$25.
    "claude-opus-4$": _anthropic(15.0, 75.0),  # OpenRouter's "claude-opus-4" is Opus 4.0
    "claude-opus-4-0": _anthropic(15.0, 75.0),
    "claude-opus-4-20250514": _anthropic(15.0, 75.0),
    "claude-opus-4-1": _anthropic(15.0, 75.0),
    "claude-opus-4": _anthropic(5.0, 25.0),  # 4.5, 4.6, ...
    "claude-sonnet-4": _anthropic(3.0, 15.0),  # 4.0, 4.5, 4.6
    "claude-haiku-4": _anthropic(1.0, 5.0),  # 4.5
    # OpenAI. No cache-write surcharge; cached input is discounted.
    "gpt-5-pro": _same(15.0, 120.0, 15.0),
    "gpt-5-2": _same(1.75, 14.0, 0.175),
    "gpt-5-1-codex-mini": _same(0.25, 2.0, 0.025),
    "gpt-5-codex-mini": _same(0.25, 2.0, 0.025),
    "gpt-5-mini": _same(0.25, 2.0, 0.025),
    "gpt-5-nano": _same(0.05, 0.40, 0.005),
    "gpt-5": _same(1.25, 10.0, 0.125),  # gpt-5, gpt-5.1, gpt-5-codex, gpt-5.1-codex
    "gpt-4-1-mini": _same(0.40, 1.60, 0.10),
    "gpt-4-1-nano": _same(0.10, 0.40, 0.025),
    "gpt-4-1": _same(2.0, 8.0, 0.50),
    "gpt-4o-mini": _same(0.15, 0.60, 0.075),
    "gpt-4o": _same(2.50, 10.0, 1.25),
    "o3-pro": _same(20.0, 80.0, 20.0),
    "o3-mini": _same(1.10, 4.40, 0.55),
    "o3": _same(2.0, 8.0, 0.50),
    "o4-mini": _same(1.10, 4.40, 0.275),
    # DeepSeek (V3.2): chat and reasoner share one price; cache hits are 10% of a miss.
    "deepseek-chat": _same(0.28, 0.42, 0.028),
    "deepseek-reasoner": _same(0.28, 0.42, 0.028),
    # Google Gemini 2.5. Explicit-cache storage is billed per hour and not modelled.
    "gemini-2-5-pro": _same(1.25, 10.0, 0.125),
    "gemini-2-5-flash-lite": _same(0.10, 0.40, 0.01),
    "gemini-2-5-flash": _same(0.30, 2.50, 0.03),
    # Moonshot Kimi K2 (0905, thinking); turbo is the fast, dearer variant.
    "kimi-k2-turbo": _same(1.15, 8.0, 0.15),
    "kimi-k2": _same(0.60, 2.50, 0.15),
    # Z.ai GLM-4.5 / 4.6 / 4.7.
    "glm-4-5-flash": FREE,
    "glm-4-5-air": _same(0.20, 1.10, 0.03),
    "glm-4-5-x": _same(2.20, 8.90, 0.45),
    "glm-4": _same(0.60, 2.20, 0.11),
}


def normalise(model: str) -> str:
    return model.strip().lower().rsplit("/", 1)[-1].replace(".", "-").replace("_", "-")


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = re.escape(normalise(pattern.removesuffix("$")))
    return re.compile(rf"(?<![a-z0-9]){body}" + ("$" if anchored else r"(?![a-z0-9])"))


def _key(pattern: str) -> str:
    """Canonical spelling of a pattern, so ``gpt-4.1`` in a config replaces the default ``gpt-4-1``."""
    anchored = pattern.strip().endswith("$")
    return normalise(pattern.strip().removesuffix("$")) + ("$" if anchored else "")


class PriceTable:
    """Defaults plus the user's overrides.

    Override keys are model patterns or ``type:<provider_type>`` (every model of one provider type: a paid
    vLLM host, a reseller's own prices). A model override replaces the default with the same pattern and
    competes with the rest on specificity, so overriding ``gpt-4o`` leaves ``gpt-4o-mini`` alone.
    Precedence: the most specific matching pattern if it is an override, then a type override, then local
    types (free), then the most specific default, else unknown.
    """

    def __init__(self, overrides: Mapping[str, Price] | None = None) -> None:
        overrides = dict(overrides or {})
        self._by_type = {k[5:].strip(): v for k, v in overrides.items() if k.startswith("type:")}
        overrides = {k: v for k, v in overrides.items() if not k.startswith("type:")}
        merged = {_key(k): (v, False) for k, v in DEFAULT_PRICES.items()}
        merged.update({_key(k): (v, True) for k, v in overrides.items() if _key(k).removesuffix("$")})
        # Longest first = most specific first; an anchored pattern beats an unanchored one of the same text.
        order = sorted(merged, key=lambda k: (len(k.removesuffix("$")), k.endswith("$")), reverse=True)
        self._patterns = tuple((_compile(k), *merged[k]) for k in order)
        self._cache: dict[tuple[str, str], Price | None] = {}  # every request asks; few distinct answers

    def price_for(self, provider_type: str, model: str) -> Price | None:
        key = (provider_type, model)
        if key not in self._cache:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = self._lookup(provider_type, model)
        return self._cache[key]

    def _lookup(self, provider_type: str, model: str) -> Price | None:
        name = normalise(model)
        best = next(((price, mine) for pattern, price, mine in self._patterns if pattern.search(name)), None)
        if best is not None and best[1]:
            return best[0]
        if provider_type in self._by_type:
            return self._by_type[provider_type]
        if provider_type in LOCAL_TYPES:
            return FREE
        return None if best is None else best[0]

    def cost_of(self, provider_type: str, model: str, usage: Usage) -> float | None:
        """The request's cost, or None when the model's price is unknown."""
        price = self.price_for(provider_type, model)
        return None if price is None else cost(usage, price)

    @staticmethod
    def cost(usage: Usage, price: Price) -> float:
        return cost(usage, price)


def cost(usage: Usage, price: Price) -> float:
    """USD for one request. The four token counts are disjoint, so each is priced once."""
    return (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_read_tokens * price.cache_read
        + usage.cache_write_tokens * price.cache_write
    ) / 1_000_000


def savings(actual_cost: float | None, baseline_cost: float | None) -> float | None:
    """USD saved against the baseline (negative when routing cost more); None if either side is unknown."""
    if actual_cost is None or baseline_cost is None:
        return None
    return baseline_cost - actual_cost


# --------------------------------------------------------------------------- from the config


def price_table(config: Config) -> PriceTable:
    return PriceTable({pattern: Price(**fields) for pattern, fields in config.pricing.overrides.items()})


def baseline_target(config: Config) -> tuple[str, str] | None:
    """The (provider type, model) savings are measured against."""
    name = config.pricing.baseline
    if name in config.tiers:
        tier = config.tiers[name]
        provider = config.providers.get(tier.provider)
        return (provider.type if provider else tier.provider, tier.model)
    provider_name, _, model = name.partition(":")
    provider = config.providers.get(provider_name)
    return (provider.type if provider else provider_name, model) if model else None
