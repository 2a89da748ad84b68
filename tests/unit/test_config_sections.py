"""The config loader: providers, tiers and warnings."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest

from daemon.config import (
    TIERS,
    ConfigError,
    Target,
    format_problems,
)
from tests.unit.config_support import (
    ONE_TIER,
    SECRET,
    load,
    messages,
    problems,
)

# --------------------------------------------------------------------------- providers


def test_provider_defaults_come_from_the_type(tmp_path: Path) -> None:
    config = load(tmp_path, '[providers.main]\ntype = "openai"\n' + ONE_TIER.replace('"ollama"', '"main"'))
    main = config.providers["main"]
    assert main.base_url == "https://api.openai.com/v1" and main.api_key_env == "OPENAI_API_KEY"
    assert (main.connect_timeout, main.read_timeout, main.max_connections) == (10.0, 300.0, 1000)


def test_provider_all_keys(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
        [providers.main]
        type = "openai"
        base_url = "http://proxy:8000/v1"
        api_key_env = "MY_KEY_2"
        headers = { "X-Team" = "infra" }
        connect_timeout = 2.5
        read_timeout = 60
        max_connections = 4
        stream_usage = false
    """,
    )
    main = config.providers["main"]
    assert main.base_url == "http://proxy:8000/v1" and main.api_key_env == "MY_KEY_2"
    assert main.headers == {"X-Team": "infra"} and isinstance(main.headers, MappingProxyType)
    assert (main.connect_timeout, main.read_timeout, main.max_connections) == (2.5, 60.0, 4)
    assert main.options == {"stream_usage": False} and isinstance(main.options, MappingProxyType)


def test_unknown_provider_type(tmp_path: Path) -> None:
    found = problems(tmp_path, '[providers.main]\ntype = "opnai"\nwhatever = 1\n')
    assert [str(p) for p in found] == [
        "providers.main.type: unknown provider type 'opnai'; "
        "allowed: anthropic, openai, azure-openai, ollama, simulated; did you mean 'openai'?"
    ]  # no "unknown key" for whatever: without a type its options are unknown


def test_provider_type_required_and_name_checked(tmp_path: Path) -> None:
    found = problems(
        tmp_path, '[providers.main]\nbase_url = "http://x"\n[providers."my box"]\ntype = "ollama"\n'
    )
    assert "missing" in messages(found, "providers.main.type")[0]
    assert "letters, digits, - and _" in messages(found, "providers.my box")[0]


def test_provider_bad_common_values(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        [providers.main]
        type = "openai"
        base_url = "ftp://example.com"
        headers = "x"
        connect_timeout = 0
        read_timeout = true
        max_connections = 10.5
        api_key = "x"
    """,
    )
    assert "not an http:// or https:// URL" in messages(found, "providers.main.base_url")[0]
    messages(found, "providers.main.headers")
    assert "is not a number > 0" in messages(found, "providers.main.connect_timeout")[0]
    assert "true is not a number" in messages(found, "providers.main.read_timeout")[0]
    assert "10.5 is not an integer > 0" in messages(found, "providers.main.max_connections")[0]
    unknown = messages(found, "providers.main.api_key")[0]
    assert "keys never go in this file" in unknown and "api_key_env" in unknown and "stream_usage" in unknown


@pytest.mark.parametrize("value", [SECRET, "openai_api_key", "1KEY", "MY-KEY", ""])
def test_api_key_env_must_name_a_variable_and_is_never_echoed(tmp_path: Path, value: str) -> None:
    found = problems(tmp_path, f'[providers.main]\ntype = "openai"\napi_key_env = "{value}"\n')
    message = messages(found, "providers.main.api_key_env")[0]
    assert "names an environment variable (e.g. OPENAI_API_KEY), not the key itself" in message
    assert not value or value not in message
    assert SECRET not in format_problems(ConfigError(found)) and SECRET not in str(ConfigError(found))


def test_header_values_are_never_echoed(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        f'[providers.main]\ntype = "openai"\nheaders = {{ Authorization = 1, "Bad Name" = "{SECRET}" }}\n',
    )
    assert {p.key for p in found} == {
        "providers.main.headers.Authorization",
        "providers.main.headers.Bad Name",
    }
    assert SECRET not in format_problems(ConfigError(found))


def test_requires_base_url(tmp_path: Path) -> None:
    found = problems(tmp_path, '[providers.az]\ntype = "azure-openai"\n')
    assert "or set AZURE_OPENAI_ENDPOINT" in messages(found, "providers.az.base_url")[0]
    config = load(
        tmp_path, '[providers.az]\ntype = "azure-openai"\n', {"AZURE_OPENAI_ENDPOINT": "https://r.azure"}
    )
    assert config.providers["az"].base_url == "https://r.azure"


def test_options_are_type_checked(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        [providers.box]
        type = "ollama"
        num_ctx = true
        keep_alive = 30
        think = 1
        temperature = 0.1
    """,
    )
    assert "true is not an integer" in messages(found, "providers.box.num_ctx")[0]  # bool is not an int
    assert "30 is not a string" in messages(found, "providers.box.keep_alive")[0]
    assert "1 is not a boolean" in messages(found, "providers.box.think")[0]
    assert "allowed: type, base_url" in messages(found, "providers.box.temperature")[0]
    assert "num_ctx, keep_alive, think" in messages(found, "providers.box.temperature")[0]


def test_int_is_accepted_for_a_float_option(tmp_path: Path) -> None:
    config = load(tmp_path, '[providers.simulated]\ntype = "simulated"\nfailure_rate = 0\nlatency_ms = 5\n')
    options = config.providers["simulated"].options
    assert options == {"failure_rate": 0.0, "latency_ms": 5} and isinstance(options["failure_rate"], float)


def test_invalid_provider_is_reported_once_when_a_tier_uses_it(tmp_path: Path) -> None:
    text = '[providers.main]\ntype = "nope"\n[tiers.simple]\nprovider = "main"\nmodel = "m"\n'
    found = problems(tmp_path, text)
    assert [p.key for p in found] == ["providers.main.type"]


# --------------------------------------------------------------------------- tiers


def test_tier_provider_by_bare_type_creates_a_default_provider(tmp_path: Path) -> None:
    config = load(tmp_path, ONE_TIER)
    assert list(config.providers) == ["ollama"]
    assert config.providers["ollama"].type == "ollama"
    assert config.providers["ollama"].base_url == "http://localhost:11434"


def test_defined_name_wins_over_type_name(tmp_path: Path) -> None:
    config = load(tmp_path, '[providers.ollama]\ntype = "openai"\n' + ONE_TIER, {"OPENAI_API_KEY": "k"})
    assert config.providers["ollama"].type == "openai"


def test_fallback_splits_on_the_first_colon(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
        [providers.big]
        type = "anthropic"
        [tiers.complex]
        provider = "big"
        model = "claude-opus-4-1"
        fallback = ["ollama:qwen2.5:7b", "big:claude-sonnet-4-5", "openai:gpt-4o"]
    """,
        {"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"},
    )
    assert config.tiers["complex"].fallback == (
        Target("ollama", "qwen2.5:7b"),
        Target("big", "claude-sonnet-4-5"),
        Target("openai", "gpt-4o"),
    )
    assert list(config.providers) == ["big", "ollama", "openai"]


def test_tier_problems(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        [tiers.simple]
        provider = "opnai"
        model = "m"
        fallback = ["nocolon", ":m", "ollama:", 5, "ghost:m"]
        [tiers.medium]
        model = "m"
        [tiers.complex]
        provider = "ollama"
        model = ""
        [tiers.huge]
        provider = "ollama"
        [tiers.reasoning]
        provider = "ollama"
        model = "m"
        retries = 3
    """,
    )
    assert "unknown provider 'opnai'" in messages(found, "tiers.simple.provider")[0]
    assert "did you mean 'openai'" in messages(found, "tiers.simple.provider")[0]
    for index in range(4):
        assert 'is not "provider:model"' in messages(found, f"tiers.simple.fallback[{index}]")[0]
    assert "unknown provider 'ghost'" in messages(found, "tiers.simple.fallback[4]")[0]
    assert "missing" in messages(found, "tiers.medium.provider")[0]
    assert "unknown provider 'opnai'" in messages(found, "tiers.simple.provider")[0]
    assert "'' is not a model name" in messages(found, "tiers.complex.model")[0]
    assert "unknown tier; allowed: simple, medium, complex, reasoning" in messages(found, "tiers.huge")[0]
    assert "allowed: provider, model, fallback" in messages(found, "tiers.reasoning.retries")[0]


def test_fallback_must_be_an_array(tmp_path: Path) -> None:
    found = problems(tmp_path, ONE_TIER + 'fallback = "ollama:m"\n')
    messages(found, "tiers.medium.fallback")


def test_bare_type_needing_a_base_url_is_reported_at_the_tier(tmp_path: Path) -> None:
    found = problems(tmp_path, '[tiers.medium]\nprovider = "azure-openai"\nmodel = "gpt-4o"\n')
    assert "needs a base_url" in messages(found, "tiers.medium.provider")[0]
    config = load(
        tmp_path,
        '[tiers.medium]\nprovider = "azure-openai"\nmodel = "gpt-4o"\n',
        {"AZURE_OPENAI_ENDPOINT": "https://r.azure", "AZURE_OPENAI_API_KEY": "k"},
    )
    assert config.providers["azure-openai"].base_url == "https://r.azure"


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ({"simple"}, {"simple": "simple", "medium": "simple", "complex": "simple", "reasoning": "simple"}),
        ({"medium"}, {"simple": "medium", "medium": "medium", "complex": "medium", "reasoning": "medium"}),
        (
            {"simple", "reasoning"},
            {"simple": "simple", "medium": "reasoning", "complex": "reasoning", "reasoning": "reasoning"},
        ),
        (
            {"medium", "complex"},
            {"simple": "medium", "medium": "medium", "complex": "complex", "reasoning": "complex"},
        ),
    ],
)
def test_missing_tiers_take_the_nearest_higher_then_lower(
    tmp_path: Path, configured: set[str], expected: dict[str, str]
) -> None:
    text = "".join(
        f'[tiers.{t}]\nprovider = "ollama"\nmodel = "m-{t}"\nfallback = ["ollama:f-{t}"]\n'
        for t in configured
    )
    config = load(tmp_path, text)
    assert list(config.tiers) == list(TIERS)
    for tier, source in expected.items():
        assert config.tiers[tier].name == tier
        assert config.tiers[tier].model == f"m-{source}"
        assert config.tiers[tier].fallback == (Target("ollama", f"f-{source}"),)
    assert config.warnings == ()


def test_mappings_are_read_only(tmp_path: Path) -> None:
    config = load(tmp_path, ONE_TIER)
    for mapping in (
        config.providers,
        config.tiers,
        config.providers["ollama"].headers,
        config.providers["ollama"].options,
    ):
        assert isinstance(mapping, MappingProxyType)
    with pytest.raises(TypeError):
        config.tiers["simple"] = config.tiers["medium"]  # type: ignore[index]


# --------------------------------------------------------------------------- warnings


def test_warning_when_a_used_provider_key_is_not_set(tmp_path: Path) -> None:
    text = '[providers.gpt]\ntype = "openai"\n[tiers.medium]\nprovider = "gpt"\nmodel = "gpt-4o"\n'
    assert load(tmp_path, text).warnings == (
        "providers.gpt.api_key_env: environment variable OPENAI_API_KEY is not set; "
        "requests to gpt will fail until it is",
    )
    assert load(tmp_path, text, {"OPENAI_API_KEY": ""}).warnings  # empty counts as not set
    assert load(tmp_path, text, {"OPENAI_API_KEY": SECRET}).warnings == ()


def test_warning_for_fallback_providers_and_never_for_unused_or_keyless(tmp_path: Path) -> None:
    text = '[providers.unused]\ntype = "anthropic"\n' + ONE_TIER + 'fallback = ["openai:gpt-4o"]\n'
    config = load(tmp_path, text)
    assert len(config.warnings) == 1 and config.warnings[0].startswith("providers.openai.api_key_env:")


def test_warning_when_a_provider_points_at_lynkr(tmp_path: Path) -> None:
    text = '[providers.ollama]\ntype = "ollama"\nbase_url = "http://localhost:8081"\n' + ONE_TIER
    config = load(tmp_path, text)
    assert any("is Lynkr's own address" in w for w in config.warnings)
