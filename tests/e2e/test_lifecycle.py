"""Daemon lifecycle seen from outside: graceful drain on SIGTERM, clean files, no config at all."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import anthropic
import openai

from tests.e2e.harness import DaemonProcess
from tests.emulators import OpenAIEmulator, Reply


def test_sigterm_lets_an_open_stream_finish(tmp_path: Path) -> None:
    with OpenAIEmulator("openai", expected_key="k") as upstream:
        upstream.script(Reply(text=" ".join(f"w{i}" for i in range(30)), chunk_delay=0.05))
        config = f"""
[server]
shutdown_grace_seconds = 10
[providers.oai]
type = "openai"
base_url = "{upstream.base_url}/v1"
api_key_env = "K"
[tiers.medium]
provider = "oai"
model = "gpt-4o-mini"
"""
        daemon = DaemonProcess(tmp_path, config, env={"K": "k"}).start()
        client = openai.OpenAI(base_url=f"{daemon.url}/v1", api_key="x", max_retries=0)
        pieces: list[str] = []
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "go"}], stream=True
        )
        first = next(iter(stream))
        pieces.append(first.choices[0].delta.content or "")
        assert daemon.process is not None
        daemon.process.send_signal(signal.SIGTERM)  # mid-stream
        for chunk in stream:
            if chunk.choices:
                pieces.append(chunk.choices[0].delta.content or "")
        assert "".join(pieces).split() == [f"w{i}" for i in range(30)]
        assert daemon.process.wait(timeout=15) == 0
        assert not (tmp_path / "lynkr.pid").exists()
        assert not (tmp_path / "control.sock").exists()


def test_no_requests_are_accepted_once_draining(tmp_path: Path) -> None:
    with OpenAIEmulator("openai", expected_key="k") as upstream:
        upstream.script(Reply(text="slow", delay=1.5))
        config = f"""
[providers.oai]
type = "openai"
base_url = "{upstream.base_url}/v1"
api_key_env = "K"
[tiers.medium]
provider = "oai"
model = "gpt-4o-mini"
"""
        daemon = DaemonProcess(tmp_path, config, env={"K": "k"}).start()
        client = openai.OpenAI(base_url=f"{daemon.url}/v1", api_key="x", max_retries=0)
        result: dict[str, str] = {}

        def slow_call() -> None:
            reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
            result["text"] = reply.choices[0].message.content or ""

        worker = threading.Thread(target=slow_call)
        worker.start()
        upstream.wait_until(lambda: len(upstream.chat_requests) == 1)
        assert daemon.process is not None
        daemon.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        try:
            client.chat.completions.create(model="m", messages=[{"role": "user", "content": "late"}])
            accepted_late = True
        except openai.APIConnectionError:
            accepted_late = False
        worker.join(timeout=10)
        assert result.get("text") == "slow", "the in-flight request must finish during the drain"
        assert not accepted_late, "a draining daemon must not take new work"
        assert daemon.process.wait(timeout=15) == 0


def test_no_config_serves_every_tier_from_the_simulated_provider(tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path, None).start()
    try:
        client = anthropic.Anthropic(base_url=daemon.url, api_key="x", max_retries=0)
        raw = client.messages.with_raw_response.create(
            model="claude-sonnet-4-6", max_tokens=100, messages=[{"role": "user", "content": "hello"}]
        )
        message = raw.parse()
        assert raw.headers["x-lynkr-provider"] == "simulated"
        assert "simulated" in message.content[0].text.lower()
        assert "SIMULATED" in daemon.log()
    finally:
        daemon.stop()
