"""Fixtures for the console tests: a real daemon on the simulated provider, and a fixed clock/zone."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.e2e.harness import DaemonProcess

SIM_CONFIG = """
[providers.sim]
type = "simulated"
latency_ms = 1
reply_words = 5

[tiers.simple]
provider = "sim"
model = "sim-small"

[tiers.medium]
provider = "sim"
model = "sim-medium"

[tiers.complex]
provider = "sim"
model = "sim-large"

[tiers.reasoning]
provider = "sim"
model = "sim-think"
"""


@pytest.fixture
def utc() -> Iterator[None]:
    """Decision times render in the local zone; pin it so snapshots match everywhere."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    # A short home: the control socket path must fit in a Unix socket address.
    home = Path(tmp_path_factory.mktemp("w"))
    process = DaemonProcess(home, SIM_CONFIG).start()
    yield process
    process.stop()


def chat(daemon: DaemonProcess, text: str, session: str, model: str = "gpt-4o") -> tuple[dict, dict]:
    """One OpenAI-dialect request to the daemon; returns (body, lower-cased headers)."""
    body = json.dumps({"model": model, "messages": [{"role": "user", "content": text}]}).encode()
    request = urllib.request.Request(
        f"{daemon.url}/v1/chat/completions",
        data=body,
        headers={"content-type": "application/json", "x-lynkr-session": session, "authorization": "Bearer x"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read()), {k.lower(): v for k, v in response.headers.items()}
