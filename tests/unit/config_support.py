"""Helpers shared by the test_config_*.py tests.

Provider types are fakes passed as ``types=``, so these tests do not depend on
which adapters exist; one test loads the example against the real registry and
skips while the registry cannot supply the types the example uses.
"""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from daemon.config import (
    Config,
    ConfigError,
    Problem,
    load_config,
)
from daemon.providers.base import Option, Provider

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


class _Fake(Provider):
    async def complete(self, request: Any, model: str) -> Any:
        raise NotImplementedError

    async def stream(self, request: Any, model: str) -> AsyncIterator[Any]:
        raise NotImplementedError
        yield


class FakeAnthropic(_Fake):
    type_name = "anthropic"
    DEFAULT_BASE_URL = "https://api.anthropic.com"
    DEFAULT_API_KEY_ENV = "ANTHROPIC_API_KEY"
    BASE_URL_ENV = ("ANTHROPIC_BASE_URL",)  # listed on purpose: the loader must still never read it
    OPTIONS = {
        "default_max_tokens": Option(int, 8192, "max_tokens when the client gave none"),
        "forward_betas": Option(bool, True, "forward anthropic-beta"),
    }


class FakeOpenAI(_Fake):
    type_name = "openai"
    DEFAULT_BASE_URL = "https://api.openai.com/v1"
    DEFAULT_API_KEY_ENV = "OPENAI_API_KEY"
    BASE_URL_ENV = ("OPENAI_BASE_URL", "OPENAI_ENDPOINT")
    OPTIONS = {"stream_usage": Option(bool, True, "include usage")}


class FakeAzure(_Fake):
    type_name = "azure-openai"
    DEFAULT_API_KEY_ENV = "AZURE_OPENAI_API_KEY"
    REQUIRES_BASE_URL = True
    BASE_URL_ENV = ("AZURE_OPENAI_ENDPOINT",)
    OPTIONS = {"api_version": Option(str, "2024-10-21", "api-version")}
    OPTION_ENV = {"api_version": "AZURE_OPENAI_API_VERSION"}


class FakeOllama(_Fake):
    type_name = "ollama"
    DEFAULT_BASE_URL = "http://localhost:11434"
    KEY_REQUIRED = False
    BASE_URL_ENV = ("OLLAMA_BASE_URL", "OLLAMA_ENDPOINT")
    OPTIONS = {
        "num_ctx": Option(int, 32768, "context"),
        "keep_alive": Option(str, "", "keep alive"),
        "think": Option(bool, False, "thinking"),
    }
    OPTION_ENV = {"num_ctx": "OLLAMA_NUM_CTX", "think": "OLLAMA_THINK"}


class FakeSimulated(_Fake):
    type_name = "simulated"
    KEY_REQUIRED = False
    SIMULATED = True
    OPTIONS = {
        "latency_ms": Option((int, float), 0, "delay"),
        "failure_rate": Option(float, 0.0, "failures"),
        "script": Option(list, [], "rules"),
    }
    OPTION_ENV = {"failure_rate": "SIM_FAILURE_RATE", "script": "SIM_SCRIPT"}


TYPES: Mapping[str, type[Provider]] = {
    cls.type_name: cls for cls in (FakeAnthropic, FakeOpenAI, FakeAzure, FakeOllama, FakeSimulated)
}
SECRET = "sk-ant-api03-THIS-IS-A-SECRET-0123456789abcdef"


def write(tmp_path: Path, text: str, name: str = "lynkr.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def load(tmp_path: Path, text: str | None = None, env: Mapping[str, str] | None = None, **kw: Any) -> Config:
    path = write(tmp_path, text) if text is not None else None
    return load_config(path, env or {}, types=TYPES, **kw)


def problems(
    tmp_path: Path, text: str | None = None, env: Mapping[str, str] | None = None, **kw: Any
) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text, env, **kw)
    return info.value.problems


def messages(found: list[Problem], key: str) -> list[str]:
    hits = [p.message for p in found if p.key == key]
    assert hits, f"no problem for {key!r} in {[str(p) for p in found]}"
    return hits


ONE_TIER = """
[tiers.medium]
provider = "ollama"
model = "qwen2.5:7b"
"""
