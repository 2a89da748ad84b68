"""Provider keys never leave the daemon: run traffic in which upstreams echo the keys back in their
errors (as OpenAI does for a wrong key), then grep every output a person or program can see:
client responses, the log, the SQLite files, /metrics, every control endpoint, the event stream,
replays and the CLI."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from lynkr_tui.control_client import ControlClient
from tests.e2e.conftest import KEYS, Upstreams, config_for
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply

SECRETS = [*KEYS.values(), "proxy-key-7f3e9a1b2c", "admin-token-5d4c3b2a1f"]


def fragments(secret: str) -> list[str]:
    # The whole key, and the masked forms providers echo ("sk-test-o***...9f8e").
    return [secret, secret[:10], secret[-10:]]


def assert_clean(where: str, text: str) -> None:
    for secret in SECRETS:
        for fragment in fragments(secret):
            assert fragment not in text, f"a secret ({fragment[:4]}...) leaked into {where}"


def post(daemon: DaemonProcess, path: str, body: dict[str, Any]) -> str:
    request = urllib.request.Request(
        daemon.url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {SECRETS[3]}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return json.dumps(dict(response.headers)) + response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return json.dumps(dict(error.headers)) + error.read().decode("utf-8", "replace")


def test_no_output_ever_shows_a_provider_key(upstreams: Upstreams, tmp_path: Path) -> None:
    env = {**KEYS, "LYNKR_API_KEY": SECRETS[3], "LYNKR_ADMIN_TOKEN": SECRETS[4]}
    daemon = DaemonProcess(tmp_path, config_for(upstreams), env=env).start()
    events: list[bytes] = []
    watcher = socket.socket(socket.AF_UNIX)
    watcher.connect(str(daemon.home / "control.sock"))
    watcher.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
    watcher.settimeout(0.5)

    def watch() -> None:
        while True:
            try:
                chunk = watcher.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            events.append(chunk)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        openai_key, anthropic_key, azure_key = (
            KEYS["TEST_OPENAI_KEY"],
            KEYS["TEST_ANTHROPIC_KEY"],
            KEYS["TEST_AZURE_KEY"],
        )
        upstreams.openai.script(
            Reply.error(
                401, f"Incorrect API key provided: {openai_key}. Find your key at platform.openai.com"
            ),
            Reply.error(500, f"internal error for key {openai_key[:10]}***{openai_key[-10:]}"),
        )
        upstreams.anthropic.script(
            Reply.error(401, f"invalid x-api-key {anthropic_key}"),
            Reply(text="streamed", fail_after_chunks=2, stream_error=f"overloaded for {anthropic_key}"),
        )
        upstreams.azure.script(Reply.error(403, f"Access denied for key {azure_key}"))
        user = [{"role": "user", "content": "hello"}]
        seen = [
            post(daemon, "/v1/chat/completions", {"model": "lynkr-medium", "messages": user}),
            post(daemon, "/v1/messages", {"model": "lynkr-medium", "max_tokens": 16, "messages": user}),
            post(
                daemon,
                "/v1/messages",
                {"model": "lynkr-complex", "max_tokens": 16, "messages": user, "stream": True},
            ),
            post(daemon, "/v1/chat/completions", {"model": "lynkr-reasoning", "messages": user}),
            post(daemon, "/v1/chat/completions", {"model": "lynkr-simple", "messages": user}),
        ]
        assert any("rejected Lynkr's credentials" in s for s in seen)  # the errors did happen
        for index, text in enumerate(seen):
            assert_clean(f"client response {index}", text)

        client = ControlClient(daemon.home / "control.sock")
        time.sleep(1.2)  # one store flush
        _, listing = client.request("GET", "/v1/decisions?limit=100")
        control_outputs = {"decisions": listing}
        for row in listing["decisions"]:
            control_outputs[row["id"]] = client.request("GET", f"/v1/decisions/{row['id']}")[1]
            control_outputs[f"replay {row['id']}"] = client.request("POST", "/v1/replay", {"id": row["id"]})[
                1
            ]
        for method, path in [
            ("GET", "/v1/status"),
            ("GET", "/v1/config"),
            ("GET", "/v1/sessions"),
            ("GET", "/v1/stats"),
            ("GET", "/v1/breakers"),
            ("POST", "/v1/reload"),
        ]:
            control_outputs[path] = client.request(method, path)[1]
        control_outputs["window replay"] = client.request("POST", "/v1/replay", {"since_seconds": 3600})[1]
        assert_clean("the control API", json.dumps(control_outputs))
        metrics = urllib.request.urlopen(
            urllib.request.Request(daemon.url + "/metrics", headers={"x-api-key": SECRETS[3]}), timeout=5
        ).read()
        assert_clean("/metrics", metrics.decode())
        for args in (
            ("status",),
            ("decisions", "--json"),
            ("stats",),
            ("replay", "--since", "1h"),
            ("breakers",),
            ("sessions",),
            ("logs",),
            ("config", "check", str(daemon.config_path)),
        ):
            result = daemon.cli(*args)
            assert_clean(f"lynkr {' '.join(args)}", result.stdout + result.stderr)
    finally:
        daemon.stop()
        watcher.close()
        thread.join(timeout=2)
    assert_clean("the event stream", b"".join(events).decode("utf-8", "replace"))
    assert_clean("the daemon log", daemon.log())
    for path in daemon.home.iterdir():
        if path.is_file() and path.suffix in (".db", ".db-wal", ".db-shm", ".log", ".sqlite"):
            raw = path.read_bytes().decode("latin-1")
            assert_clean(f"{path.name}", raw)
