"""The config loader: environment and CLI over the file, and where the file is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config import (
    ConfigError,
    Problem,
    Target,
    find_config_path,
    format_problems,
    load_config_file,
)
from tests.unit.config_support import (
    ONE_TIER,
    TYPES,
    load,
    messages,
    problems,
    write,
)

# --------------------------------------------------------------------------- environment and CLI


def test_server_env_overrides_and_cli_wins(tmp_path: Path) -> None:
    text = '[server]\nhost = "10.0.0.1"\nport = 9000\nlog_level = "error"\n'
    env = {"LYNKR_HOST": "0.0.0.0", "PORT": "7000", "LOG_LEVEL": "warn", "LYNKR_API_KEY": "proxy-key"}
    config = load(tmp_path, text, env)
    assert (config.server.host, config.server.port, config.server.log_level) == ("0.0.0.0", 7000, "warning")
    env |= {"LYNKR_PORT": "7100", "LYNKR_LOG_LEVEL": "debug"}
    config = load(tmp_path, text, env)
    assert (config.server.port, config.server.log_level) == (7100, "debug")  # LYNKR_* win over PORT/LOG_LEVEL
    config = load(tmp_path, text, env, host="::1", port=7200)
    assert (config.server.host, config.server.port) == ("::1", 7200)


def test_invalid_env_values_are_keyed_by_variable(tmp_path: Path) -> None:
    found = problems(tmp_path, None, {"LYNKR_PORT": "http", "LOG_LEVEL": "loud"})
    assert str(found[0]) == "env:LYNKR_PORT: 'http' is not a port number (1-65535)"
    messages(found, "env:LOG_LEVEL")


def test_only_the_winning_variable_is_read(tmp_path: Path) -> None:
    assert load(tmp_path, None, {"LYNKR_PORT": "9001", "PORT": "garbage"}).server.port == 9001
    assert load(tmp_path, None, {"LYNKR_PORT": "", "PORT": "9002"}).server.port == 9002  # empty = unset


def test_invalid_cli_values(tmp_path: Path) -> None:
    found = problems(tmp_path, None, {}, host="", port=0)
    assert {p.key for p in found} == {"--host", "--port"}


def test_tier_pair_env_splits_on_the_first_colon(tmp_path: Path) -> None:
    config = load(tmp_path, None, {"TIER_SIMPLE": "ollama:qwen2.5:7b"})
    assert config.tiers["simple"].primary == Target("ollama", "qwen2.5:7b")
    assert not config.simulated_only
    assert config.tiers["reasoning"].primary == Target("ollama", "qwen2.5:7b")


def test_provider_and_model_pairs_win_over_tier_pair_and_file(tmp_path: Path) -> None:
    env = {
        "TIER_MEDIUM": "ollama:a",
        "MEDIUM_PROVIDER": "openai",
        "MEDIUM_MODEL": "gpt-4o",
        "OPENAI_API_KEY": "k",
    }
    config = load(tmp_path, ONE_TIER, env)
    assert config.tiers["medium"].primary == Target("openai", "gpt-4o")


def test_env_provider_alone_keeps_the_file_model(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        '[providers.gpu]\ntype = "ollama"\nbase_url = "http://gpu:11434"\n' + ONE_TIER,
        {"MEDIUM_PROVIDER": "gpu"},
    )
    assert config.tiers["medium"].primary == Target("gpu", "qwen2.5:7b")


def test_env_model_alone_changes_only_the_model(tmp_path: Path) -> None:
    config = load(tmp_path, ONE_TIER + 'fallback = ["ollama:small"]\n', {"MEDIUM_MODEL": "llama3.3"})
    assert config.tiers["medium"].primary == Target("ollama", "llama3.3")
    assert config.tiers["medium"].fallback == (Target("ollama", "small"),)


def test_env_half_tier_without_the_other_half_is_a_problem(tmp_path: Path) -> None:
    env = {"SIMPLE_PROVIDER": "ollama", "COMPLEX_MODEL": "m", "TIER_MEDIUM": "nocolon"}
    found = problems(tmp_path, None, env)
    assert "set SIMPLE_MODEL" in messages(found, "env:SIMPLE_PROVIDER")[0]
    assert "set COMPLEX_PROVIDER" in messages(found, "env:COMPLEX_MODEL")[0]
    assert 'is not "provider:model"' in messages(found, "env:TIER_MEDIUM")[0]


def test_env_provider_must_exist(tmp_path: Path) -> None:
    found = problems(tmp_path, None, {"SIMPLE_PROVIDER": "olama", "SIMPLE_MODEL": "m"})
    assert "did you mean 'ollama'" in messages(found, "env:SIMPLE_PROVIDER")[0]


def test_model_provider_serves_tiers_configured_nowhere_else(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        ONE_TIER,
        {"MODEL_PROVIDER": "openai", "MODEL_DEFAULT": "gpt-4o", "COMPLEX_MODEL": "o3", "OPENAI_API_KEY": "k"},
    )
    assert config.tiers["medium"].primary == Target("ollama", "qwen2.5:7b")  # from the file
    assert config.tiers["simple"].primary == Target("openai", "gpt-4o")
    assert config.tiers["complex"].primary == Target("openai", "o3")
    assert config.tiers["reasoning"].primary == Target("openai", "gpt-4o")


def test_model_provider_without_a_model(tmp_path: Path) -> None:
    found = problems(tmp_path, ONE_TIER, {"MODEL_PROVIDER": "ollama"})
    assert [p.key for p in found] == ["env:MODEL_PROVIDER"]
    assert "simple, complex, reasoning" in found[0].message and "MODEL_DEFAULT" in found[0].message


def test_base_url_env_overrides_every_provider_of_the_type(tmp_path: Path) -> None:
    text = '[providers.a]\ntype = "ollama"\nbase_url = "http://a:1"\n' + ONE_TIER
    env = {"OLLAMA_ENDPOINT": "http://second:2", "OLLAMA_BASE_URL": "http://first:1"}
    config = load(tmp_path, text, env)
    assert {p.base_url for p in config.providers.values()} == {"http://first:1"}
    assert (
        load(tmp_path, text, {"OLLAMA_BASE_URL": " ", "OLLAMA_ENDPOINT": "http://second:2"})
        .providers["a"]
        .base_url
        == "http://second:2"
    )
    messages(problems(tmp_path, text, {"OLLAMA_BASE_URL": "gpu:11434"}), "env:OLLAMA_BASE_URL")


def test_anthropic_and_openai_base_url_are_never_read(tmp_path: Path) -> None:
    text = (
        '[providers.c]\ntype = "anthropic"\n[providers.o]\ntype = "openai"\n'
        '[tiers.medium]\nprovider = "c"\nmodel = "m"\nfallback = ["o:m"]\n'
    )
    env = {"ANTHROPIC_BASE_URL": "http://127.0.0.1:8081", "OPENAI_BASE_URL": "http://127.0.0.1:8081/v1"}
    config = load(tmp_path, text, env)
    assert config.providers["c"].base_url == "https://api.anthropic.com"
    assert config.providers["o"].base_url == "https://api.openai.com/v1"
    config = load(tmp_path, text, env | {"OPENAI_ENDPOINT": "https://gw/v1"})  # the next one still counts
    assert config.providers["o"].base_url == "https://gw/v1"


def test_option_env_converts_to_the_option_type(tmp_path: Path) -> None:
    config = load(tmp_path, ONE_TIER, {"OLLAMA_NUM_CTX": "8192", "OLLAMA_THINK": "yes"})
    assert config.providers["ollama"].options == {"num_ctx": 8192, "think": True}
    text = '[providers.az]\ntype = "azure-openai"\nbase_url = "https://r"\napi_version = "1"\n'
    config = load(tmp_path, text, {"AZURE_OPENAI_API_VERSION": "2025-01-01"})
    assert config.providers["az"].options == {"api_version": "2025-01-01"}
    config = load(
        tmp_path,
        '[providers.simulated]\ntype = "simulated"\n',
        {"SIM_FAILURE_RATE": "0.5", "SIM_SCRIPT": '[{"match": "hi"}]'},
    )
    assert config.providers["simulated"].options == {"failure_rate": 0.5, "script": [{"match": "hi"}]}


def test_invalid_option_env(tmp_path: Path) -> None:
    found = problems(tmp_path, ONE_TIER, {"OLLAMA_NUM_CTX": "lots", "OLLAMA_THINK": "maybe"})
    assert "expected an integer" in messages(found, "env:OLLAMA_NUM_CTX")[0]
    assert "expected a boolean" in messages(found, "env:OLLAMA_THINK")[0]


# --------------------------------------------------------------------------- finding the file


def test_find_config_path_order(tmp_path: Path) -> None:
    cwd, home, xdg = tmp_path / "cwd", tmp_path / "home", tmp_path / "xdg"
    for directory in (cwd, home / ".config" / "lynkr", xdg / "lynkr"):
        directory.mkdir(parents=True)
    explicit = write(tmp_path, "", "explicit.toml")
    named = write(tmp_path, "", "named.toml")
    local = write(cwd, "")
    in_home = write(home / ".config" / "lynkr", "", "config.toml")
    in_xdg = write(xdg / "lynkr", "", "config.toml")
    env = {"LYNKR_CONFIG": str(named), "XDG_CONFIG_HOME": str(xdg), "HOME": str(home)}
    assert find_config_path(explicit, env, cwd) == explicit
    assert find_config_path(None, env, cwd) == named
    assert find_config_path(None, env | {"LYNKR_CONFIG": ""}, cwd) == local
    local.unlink()
    assert find_config_path(None, {"XDG_CONFIG_HOME": str(xdg), "HOME": str(home)}, cwd) == in_xdg
    assert find_config_path(None, {"HOME": str(home)}, cwd) == in_home
    assert find_config_path(None, {"XDG_CONFIG_HOME": "relative", "HOME": str(home)}, cwd) == in_home
    in_home.unlink()
    assert find_config_path(None, {"HOME": str(home)}, cwd) is None


def test_find_config_path_relative_explicit_is_resolved_against_cwd(tmp_path: Path) -> None:
    path = write(tmp_path, "", "mine.toml")
    assert find_config_path("mine.toml", {}, tmp_path) == path


def test_find_config_path_named_files_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        find_config_path(tmp_path / "missing.toml", {}, tmp_path)
    [problem] = info.value.problems
    assert problem.key == "--config" and info.value.source == tmp_path / "missing.toml"
    assert "does not exist" in problem.message and "missing.toml" in problem.message
    with pytest.raises(ConfigError) as info:
        find_config_path(None, {"LYNKR_CONFIG": str(tmp_path)}, tmp_path)
    assert info.value.problems[0].key == "env:LYNKR_CONFIG" and "not a file" in info.value.problems[0].message


def test_load_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, ONE_TIER)
    config = load_config_file(path, {}, port=9100, types=TYPES)
    assert config.source == path and config.server.port == 9100
    monkeypatch.chdir(tmp_path)
    assert load_config_file(None, {"HOME": str(tmp_path)}, types=TYPES).source == path


def test_format_problems_is_one_line_per_problem() -> None:
    error = ConfigError([Problem("server.port", "70000 is not a port number (1-65535)"), Problem("a.b", "c")])
    assert format_problems(error) == "server.port: 70000 is not a port number (1-65535)\na.b: c"


def test_binding_beyond_loopback_needs_a_proxy_key(tmp_path: Path) -> None:
    found = problems(tmp_path, '[server]\nhost = "0.0.0.0"\n')
    assert any(p.key == "server.host" and "LYNKR_API_KEY" in p.message for p in found)
    named = problems(tmp_path, '[server]\nhost = "0.0.0.0"\napi_key_env = "MY_PROXY_KEY"\n')
    assert any("MY_PROXY_KEY" in p.message for p in named)
    assert load(tmp_path, '[server]\nhost = "::1"\n').server.host == "::1"  # loopback: no key needed
    assert load(tmp_path, '[server]\nhost = "0.0.0.0"\n', {"LYNKR_API_KEY": "k"}).server.host == "0.0.0.0"


def test_reliability_values_and_problems(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
        [reliability]
        retries = 0
        max_in_flight = 8
        escalate = false
        [reliability.breaker]
        failures = 3
        error_rate = 0.25
    """,
    )
    assert config.reliability.retries == 0 and config.reliability.max_in_flight == 8
    assert config.reliability.escalate is False
    assert config.reliability.breaker.failures == 3 and config.reliability.breaker.error_rate == 0.25
    found = {
        p.key
        for p in problems(
            tmp_path,
            """
        [reliability]
        retries = -1
        max_queue = 1.5
        escalate = "yes"
        burst = 3
        [reliability.breaker]
        error_rate = 2
        cooldown = 5
    """,
        )
    }
    assert found == {
        "reliability.retries",
        "reliability.max_queue",
        "reliability.escalate",
        "reliability.burst",
        "reliability.breaker.error_rate",
        "reliability.breaker.cooldown",
    }
