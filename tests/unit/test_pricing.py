"""Price table: matching each family, overrides, unknown models, cost arithmetic."""

from __future__ import annotations

import pytest

from daemon.canonical import Usage
from daemon.pricing import DEFAULT_PRICES, FREE, LOCAL_TYPES, Price, PriceTable, cost, normalise, savings

TABLE = PriceTable()


def io(provider_type: str, model: str) -> tuple[float, float] | None:
    price = TABLE.price_for(provider_type, model)
    return None if price is None else (price.input, price.output)


@pytest.mark.parametrize(
    ("provider_type", "model", "expected"),
    [
        # Anthropic, with dates, aliases, Bedrock / Vertex / OpenRouter spellings
        ("anthropic", "claude-opus-4-5-20251101", (5.0, 25.0)),
        ("anthropic", "claude-opus-4-6", (5.0, 25.0)),
        ("anthropic", "claude-opus-4-1-20250805", (15.0, 75.0)),
        ("anthropic", "claude-opus-4-20250514", (15.0, 75.0)),
        ("anthropic", "claude-opus-4-0", (15.0, 75.0)),
        ("openrouter", "anthropic/claude-opus-4", (15.0, 75.0)),
        ("openrouter", "anthropic/claude-opus-4.5", (5.0, 25.0)),
        ("anthropic", "claude-sonnet-4-5-20250929", (3.0, 15.0)),
        ("anthropic", "claude-sonnet-4-20250514", (3.0, 15.0)),
        ("azure-anthropic", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", (3.0, 15.0)),
        ("anthropic", "claude-sonnet-4@20250514", (3.0, 15.0)),
        ("anthropic", "claude-haiku-4-5", (1.0, 5.0)),
        # OpenAI
        ("openai", "gpt-4o", (2.5, 10.0)),
        ("openai", "gpt-4o-2024-11-20", (2.5, 10.0)),
        ("openai", "gpt-4o-mini", (0.15, 0.60)),
        ("openai", "gpt-4.1", (2.0, 8.0)),
        ("openai", "gpt-4.1-mini", (0.40, 1.60)),
        ("openai", "gpt-4.1-nano-2025-04-14", (0.10, 0.40)),
        ("openai", "gpt-5", (1.25, 10.0)),
        ("openai", "gpt-5.1", (1.25, 10.0)),
        ("openai", "gpt-5-codex", (1.25, 10.0)),
        ("openai", "gpt-5.1-codex-mini", (0.25, 2.0)),
        ("openai", "gpt-5.2", (1.75, 14.0)),
        ("openai", "gpt-5-mini", (0.25, 2.0)),
        ("openai", "gpt-5-nano", (0.05, 0.40)),
        ("openai", "gpt-5-pro", (15.0, 120.0)),
        ("openai", "o3", (2.0, 8.0)),
        ("openai", "o3-2025-04-16", (2.0, 8.0)),
        ("openai", "o3-mini", (1.10, 4.40)),
        ("openai", "o3-pro", (20.0, 80.0)),
        ("openai", "o4-mini", (1.10, 4.40)),
        ("azure-openai", "gpt-4o", (2.5, 10.0)),
        # DeepSeek, Gemini, Kimi, GLM
        ("deepseek", "deepseek-chat", (0.28, 0.42)),
        ("deepseek", "deepseek-reasoner", (0.28, 0.42)),
        ("openrouter", "google/gemini-2.5-pro", (1.25, 10.0)),
        ("openai", "gemini-2.5-flash", (0.30, 2.50)),
        ("openai", "gemini-2.5-flash-lite", (0.10, 0.40)),
        ("moonshot", "kimi-k2-0905-preview", (0.60, 2.50)),
        ("moonshot", "kimi-k2-thinking", (0.60, 2.50)),
        ("moonshot", "kimi-k2-turbo-preview", (1.15, 8.0)),
        ("zai", "glm-4.6", (0.60, 2.20)),
        ("zai", "glm-4.5", (0.60, 2.20)),
        ("zai", "GLM-4.5-Air", (0.20, 1.10)),
        ("zai", "glm-4.5-flash", (0.0, 0.0)),
    ],
)
def test_family_prices(provider_type: str, model: str, expected: tuple[float, float]) -> None:
    assert io(provider_type, model) == pytest.approx(expected)


@pytest.mark.parametrize(
    "model",
    ["my-finetune", "claude-3-5-sonnet-20241022", "gpt-4", "gpt-4o3", "xo3", "o33", "llama-3.1-8b", ""],
)
def test_unknown_models_are_unknown_not_free(model: str) -> None:
    assert TABLE.price_for("openai", model) is None
    assert TABLE.cost_of("openai", model, Usage(1000, 1000)) is None


@pytest.mark.parametrize("provider_type", sorted(LOCAL_TYPES))
def test_local_types_are_free_whatever_the_model(provider_type: str) -> None:
    assert TABLE.price_for(provider_type, "claude-sonnet-4-5") == FREE
    assert TABLE.price_for(provider_type, "qwen2.5-coder:7b") == FREE
    assert TABLE.cost_of(provider_type, "anything", Usage(10**6, 10**6)) == 0.0


def test_anthropic_cache_multipliers() -> None:
    price = TABLE.price_for("anthropic", "claude-sonnet-4-5")
    assert price == Price(3.0, 15.0, 0.3, 3.75)
    opus = TABLE.price_for("anthropic", "claude-opus-4-5")
    assert opus == Price(5.0, 25.0, 0.5, 6.25)


def test_openai_has_no_cache_write_surcharge() -> None:
    price = TABLE.price_for("openai", "gpt-4.1")
    assert price is not None and price.cache_write == price.input and price.cache_read == 0.5


def test_cost_prices_each_token_kind_once() -> None:
    price = Price(input=3.0, output=15.0, cache_read=0.3, cache_write=3.75)
    usage = Usage(
        input_tokens=1_000, output_tokens=2_000, cache_read_tokens=100_000, cache_write_tokens=10_000
    )
    # 1k*3 + 2k*15 + 100k*0.3 + 10k*3.75 = 3000 + 30000 + 30000 + 37500 micro-dollars
    assert cost(usage, price) == pytest.approx(0.1005)
    assert PriceTable.cost(usage, price) == pytest.approx(0.1005)
    assert cost(Usage(), price) == 0.0
    # reasoning tokens are already inside output_tokens
    assert cost(Usage(0, 1_000_000, reasoning_tokens=900_000), price) == pytest.approx(15.0)


def test_cost_of_real_model() -> None:
    usage = Usage(input_tokens=2_000, output_tokens=500, cache_read_tokens=50_000, cache_write_tokens=0)
    assert TABLE.cost_of("openai", "gpt-4o-mini", usage) == pytest.approx(
        (2_000 * 0.15 + 500 * 0.60 + 50_000 * 0.075) / 1e6
    )


def test_overrides_win_and_can_price_a_type() -> None:
    mine = Price(1.0, 2.0, 0.1, 1.0)
    table = PriceTable(
        {
            "claude-sonnet-4": mine,  # shorter than a default pattern but still wins: overrides first
            "my-finetune": Price(0.5, 0.5),
            "type:vllm": Price(0.2, 0.2),
            "type:openrouter": Price(9.0, 9.0),
        }
    )
    assert table.price_for("anthropic", "claude-sonnet-4-5-20250929") == mine
    assert table.price_for("openai", "my-finetune-v2") == Price(0.5, 0.5)
    assert table.price_for("vllm", "qwen3-coder") == Price(0.2, 0.2)  # paid vLLM host
    assert table.price_for("openrouter", "anthropic/claude-haiku-4.5") == Price(9.0, 9.0)
    assert table.price_for("openrouter", "claude-sonnet-4-5") == mine  # model override beats type override
    assert table.price_for("ollama", "qwen3") == FREE
    assert table.price_for("anthropic", "claude-haiku-4-5") == Price(1.0, 5.0, 0.1, 1.25)  # defaults remain


def test_override_free_local_model_name_on_a_paid_type() -> None:
    table = PriceTable({"gpt-4o": FREE})
    assert table.price_for("openai", "gpt-4o") == FREE
    assert table.price_for("openai", "gpt-4o-mini") == Price(0.15, 0.60, 0.075, 0.15)


def test_override_replaces_the_default_of_the_same_pattern_however_spelt() -> None:
    table = PriceTable({"GPT-4.1": Price(1.0, 1.0), "": Price(9.0, 9.0), "type:": Price(9.0, 9.0)})
    assert table.price_for("openai", "gpt-4.1-2025-04-14") == Price(1.0, 1.0)
    assert table.price_for("openai", "gpt-4.1-mini") == Price(0.40, 1.60, 0.10, 0.40)
    assert table.price_for("openai", "unknown--model") is None  # an empty key matches nothing


def test_anchored_pattern() -> None:
    table = PriceTable({"exact-model$": Price(1.0, 1.0)})
    assert table.price_for("openai", "exact-model") == Price(1.0, 1.0)
    assert table.price_for("openai", "exact-model-2") is None


def test_every_default_pattern_matches_itself() -> None:
    # Guards against a more specific pattern being shadowed by a shorter one.
    for pattern, price in DEFAULT_PRICES.items():
        name = pattern.removesuffix("$") if pattern.endswith("$") else f"{pattern}-20990101"
        assert TABLE.price_for("openai", name) == price, pattern


def test_normalise() -> None:
    assert normalise(" OpenRouter/Anthropic/Claude-Sonnet-4.5 ") == "claude-sonnet-4-5"
    assert normalise("gpt_4.1") == "gpt-4-1"


def test_savings() -> None:
    assert savings(0.25, 1.0) == pytest.approx(0.75)
    assert savings(2.0, 1.0) == pytest.approx(-1.0)
    assert savings(None, 1.0) is None
    assert savings(0.0, None) is None
