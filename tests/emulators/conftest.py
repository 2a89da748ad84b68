"""Each emulator running on a free port, and an official SDK client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import anthropic
import openai
import pytest

from tests.emulators import AnthropicEmulator, OllamaEmulator, OpenAIEmulator


@pytest.fixture
def oai() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(expected_key="sk-test") as em:
        yield em


@pytest.fixture
def oai_client(oai: OpenAIEmulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=oai.base_url + "/v1", api_key="sk-test", max_retries=0)


@pytest.fixture
def ant() -> Iterator[AnthropicEmulator]:
    with AnthropicEmulator(expected_key="ant-key") as em:
        yield em


@pytest.fixture
def ant_client(ant: AnthropicEmulator) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=ant.base_url, api_key="ant-key", max_retries=0)


@pytest.fixture
def oll() -> Iterator[OllamaEmulator]:
    with OllamaEmulator() as em:
        yield em
