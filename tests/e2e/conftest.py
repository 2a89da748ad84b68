"""One real daemon in front of four emulated providers, shared by the black-box tests.

Tier map (tests pick a tier by asking for model ``lynkr-<tier>``):

    simple    -> Ollama native /api/chat         (provider "local")
    medium    -> OpenAI chat completions          (provider "oai"), falls back to Anthropic
    complex   -> Anthropic messages               (provider "claude")
    reasoning -> Azure OpenAI deployment          (provider "azure")
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.e2e.harness import DaemonProcess
from tests.emulators import AnthropicEmulator, OllamaEmulator, OpenAIEmulator

KEYS = {
    "TEST_OPENAI_KEY": "sk-test-openai-9f8e7d6c5b4a",
    "TEST_ANTHROPIC_KEY": "sk-ant-test-1a2b3c4d5e6f",
    "TEST_AZURE_KEY": "azure-test-key-0123456789",
}


@dataclass
class Upstreams:
    openai: OpenAIEmulator
    anthropic: AnthropicEmulator
    ollama: OllamaEmulator
    azure: OpenAIEmulator

    def all(self) -> list:
        return [self.openai, self.anthropic, self.ollama, self.azure]


@pytest.fixture(scope="session")
def upstreams() -> Iterator[Upstreams]:
    ups = Upstreams(
        openai=OpenAIEmulator("openai", expected_key=KEYS["TEST_OPENAI_KEY"]).start(),
        anthropic=AnthropicEmulator("anthropic", expected_key=KEYS["TEST_ANTHROPIC_KEY"]).start(),
        ollama=OllamaEmulator("ollama").start(),
        azure=OpenAIEmulator("azure", expected_key=KEYS["TEST_AZURE_KEY"], azure=True).start(),
    )
    yield ups
    for emulator in ups.all():
        emulator.stop()


# The contract tests need to see exactly what one upstream did: one try per candidate, no
# escalation to other tiers, and breakers that never trip from the failures they inject.
# tests/e2e/test_reliability.py runs its own daemons with the real defaults.
CONTRACT_RELIABILITY = """
[reliability]
retries = 0
escalate = false

[reliability.breaker]
failures = 1000000
min_requests = 1000000
"""
# Nor may answers come from the response cache or carry memories learned in earlier tests
# (tests/e2e/test_memory_cache.py covers both; tests of the cache pass optimizers="").
CONTRACT_OPTIMIZERS = """
[cache]
enabled = false

[memory]
enabled = false
"""


def config_for(
    ups: Upstreams,
    extra: str = "",
    reliability: str = CONTRACT_RELIABILITY,
    optimizers: str = CONTRACT_OPTIMIZERS,
) -> str:
    return f"""
[server]
log_level = "debug"
{reliability}
{optimizers}

[providers.oai]
type = "openai"
base_url = "{ups.openai.base_url}/v1"
api_key_env = "TEST_OPENAI_KEY"

[providers.claude]
type = "anthropic"
base_url = "{ups.anthropic.base_url}"
api_key_env = "TEST_ANTHROPIC_KEY"
cache_breakpoints = 0   # the contract tests compare bodies exactly; test_memory_cache.py covers these

[providers.local]
type = "ollama"
base_url = "{ups.ollama.base_url}"

[providers.azure]
type = "azure-openai"
base_url = "{ups.azure.base_url}"
api_key_env = "TEST_AZURE_KEY"

[tiers.simple]
provider = "local"
model = "qwen2.5-coder:7b"

[tiers.medium]
provider = "oai"
model = "gpt-4o-mini"
fallback = ["claude:claude-haiku-4-5"]

[tiers.complex]
provider = "claude"
model = "claude-sonnet-4-6"

[tiers.reasoning]
provider = "azure"
model = "o3-deployment"
{extra}
"""


@pytest.fixture(scope="session")
def lynkr(upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    home: Path = tmp_path_factory.mktemp("lynkr-home")
    daemon = DaemonProcess(home, config_for(upstreams), env=KEYS).start()
    yield daemon
    daemon.stop()
    # Provider keys must never reach the log, whatever the tests did.
    log = daemon.log()
    for key in KEYS.values():
        assert key not in log, "a provider key leaked into the daemon log"


@pytest.fixture(autouse=True)
def _fresh_upstreams(request: pytest.FixtureRequest) -> None:
    if "upstreams" in request.fixturenames:
        for emulator in request.getfixturevalue("upstreams").all():
            emulator.reset()
