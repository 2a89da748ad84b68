"""Fault injection against a real daemon: retries, breakers, escalation, timeouts, load shedding,
hot reload and the proxy key. Every client request must end in a success or a clean error.

These daemons run with the real reliability machinery on (the shared contract daemon in
conftest.py turns it off so each contract test sees exactly one upstream's behaviour).
"""

from __future__ import annotations

import concurrent.futures
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest

from lynkr_tui.control_client import ControlClient
from tests.e2e.conftest import KEYS, Upstreams
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply

RELIABILITY = """
[reliability]
retries = 2
retry_base_ms = 5
retry_max_ms = 20
retry_after_max_seconds = 2
max_in_flight = 3
max_queue = 2
queue_timeout_seconds = 5

[reliability.breaker]
failures = 3
window_seconds = 30
cooldown_seconds = 1
half_open_probes = 1
close_after = 1
"""


def config_text(
    ups: Upstreams, reliability: str = RELIABILITY, read_timeout: float = 5, total_timeout: float = 0
) -> str:
    return f"""
[server]
log_level = "debug"
{reliability}
[providers.oai]
type = "openai"
base_url = "{ups.openai.base_url}/v1"
api_key_env = "TEST_OPENAI_KEY"
read_timeout = {read_timeout}
total_timeout = {total_timeout}

[providers.claude]
type = "anthropic"
base_url = "{ups.anthropic.base_url}"
api_key_env = "TEST_ANTHROPIC_KEY"
read_timeout = {read_timeout}

[providers.local]
type = "ollama"
base_url = "{ups.ollama.base_url}"
read_timeout = {read_timeout}

[providers.azure]
type = "azure-openai"
base_url = "{ups.azure.base_url}"
api_key_env = "TEST_AZURE_KEY"
read_timeout = {read_timeout}

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
"""


@pytest.fixture
def daemon(upstreams: Upstreams, tmp_path: Path) -> Iterator[DaemonProcess]:
    process = DaemonProcess(tmp_path, config_text(upstreams), env=KEYS).start()
    yield process
    process.stop()
    log = process.log()
    for key in KEYS.values():
        assert key not in log


def control(daemon: DaemonProcess) -> ControlClient:
    return ControlClient(daemon.home / "control.sock")


def call(
    daemon: DaemonProcess,
    tier: str,
    *,
    dialect: str = "openai",
    stream: bool = False,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> tuple[int, dict[str, str], bytes]:
    if dialect == "anthropic":
        path = "/v1/messages"
        body: dict[str, Any] = {
            "model": f"lynkr-{tier}",
            "max_tokens": 32,
            "messages": [{"role": "user", "content": "hi"}],
        }
    else:
        path = "/v1/chat/completions"
        body = {"model": f"lynkr-{tier}", "messages": [{"role": "user", "content": "hi"}]}
    body["stream"] = stream
    request = urllib.request.Request(
        daemon.url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def hops_of(daemon: DaemonProcess, decision_id: str) -> list[dict[str, Any]]:
    client = control(daemon)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the store writes in batches every 0.5 s
        status, row = client.request("GET", f"/v1/decisions/{decision_id}")
        if status == 200:
            return row["hops"]
        time.sleep(0.1)
    raise AssertionError(f"decision {decision_id} never reached the store")


# --------------------------------------------------------------------------- retries


def test_a_transient_failure_is_retried_on_the_same_provider(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    upstreams.openai.script(
        Reply.error(503, "busy"), Reply.error(502, "bad gateway"), Reply(text="third time")
    )
    status, headers, raw = call(daemon, "medium")
    assert status == 200 and b"third time" in raw
    hops = hops_of(daemon, headers["x-lynkr-decision-id"])
    assert [(h["provider"], bool(h["error"])) for h in hops] == [("oai", True), ("oai", True), ("oai", False)]


def test_retry_after_is_honoured_before_retrying(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply.error(429, retry_after=1), Reply(text="after the pause"))
    started = time.monotonic()
    status, _, raw = call(daemon, "medium")
    assert status == 200 and b"after the pause" in raw
    assert time.monotonic() - started >= 0.95


def test_a_bad_request_is_not_retried_anywhere(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply.error(400, "messages: bad shape"))
    status, headers, _ = call(daemon, "medium")
    assert status == 400
    assert len(hops_of(daemon, headers["x-lynkr-decision-id"])) == 1
    assert upstreams.anthropic.requests == []


def test_fallback_chain_then_escalation_records_every_hop(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    # medium's primary and fallback both fail every try; escalation reaches complex (claude again,
    # a different model), which also fails, then reasoning (azure) answers.
    upstreams.openai.default_reply = Reply.error(500, "down")
    upstreams.anthropic.default_reply = Reply.error(529, "overloaded")
    upstreams.azure.script(Reply(text="escalated"))
    status, headers, raw = call(daemon, "medium")
    assert status == 200 and b"escalated" in raw
    hops = hops_of(daemon, headers["x-lynkr-decision-id"])
    served = [h for h in hops if not h["error"]]
    assert served == [{"provider": "azure", "model": "o3-deployment", "error": None}]
    tried = [h["provider"] for h in hops]
    assert tried.index("oai") < tried.index("claude") < tried.index("azure")
    assert any("circuit breaker open" in (h["error"] or "") for h in hops)  # claude opened mid-way


# --------------------------------------------------------------------------- breakers


def test_breaker_opens_skips_half_opens_and_closes(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    client = control(daemon)
    upstreams.ollama.default_reply = Reply.error(503, "down")
    status, _, _ = call(daemon, "simple")  # 3 tries on local, then escalation answers
    assert status == 200
    _, breakers = client.request("GET", "/v1/breakers")
    local = next(b for b in breakers["breakers"] if b["provider"] == "local")
    assert local["state"] == "open" and "503" in local["last_error"] and local["next_probe_in"] > 0
    before = len(upstreams.ollama.requests)
    status, headers, _ = call(daemon, "simple")
    assert status == 200 and headers["x-lynkr-provider"] != "local"
    assert len(upstreams.ollama.requests) == before  # skipped while open
    upstreams.ollama.default_reply = None  # healthy again
    time.sleep(1.1)  # the cooldown
    status, headers, _ = call(daemon, "simple")
    assert status == 200 and headers["x-lynkr-provider"] == "local"  # the probe went through
    _, breakers = client.request("GET", "/v1/breakers")
    assert next(b for b in breakers["breakers"] if b["provider"] == "local")["state"] == "closed"
    metrics = urllib.request.urlopen(daemon.url + "/metrics", timeout=5).read().decode()
    assert 'lynkr_breaker_state{provider="local"} 0.0' in metrics


def test_breaker_transitions_are_events_and_reset_works(daemon: DaemonProcess, upstreams: Upstreams) -> None:
    import socket

    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(daemon.home / "control.sock"))
    sock.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(10)
    upstreams.azure.default_reply = Reply.error(500, "down")
    call(daemon, "reasoning")
    status, snap = control(daemon).request("POST", "/v1/breakers/azure/reset")
    assert status == 200 and snap["state"] == "closed"
    seen = b""
    deadline = time.monotonic() + 10
    while b'"state":"closed"' not in seen and time.monotonic() < deadline:
        seen += sock.recv(65536)
    sock.close()
    assert b'"type":"breaker","provider":"azure","state":"open"' in seen
    assert b'"state":"closed","reason":"reset by the operator"' in seen
    assert control(daemon).request("POST", "/v1/breakers/nope/reset")[0] == 404


# --------------------------------------------------------------------------- streams and timeouts


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
def test_a_stream_cut_midway_ends_with_an_error_event_in_the_dialect(
    daemon: DaemonProcess, upstreams: Upstreams, dialect: str
) -> None:
    upstreams.openai.script(Reply(text="a long answer " * 20, fail_after_chunks=3))
    status, _, raw = call(daemon, "medium", dialect=dialect, stream=True)
    assert status == 200
    text = raw.decode()
    if dialect == "anthropic":
        assert "event: error" in text and "broke off" in text
        assert "event: message_stop" not in text
    else:
        assert '"error"' in text and "broke off" in text


def test_a_stalled_stream_times_out_instead_of_hanging(upstreams: Upstreams, tmp_path: Path) -> None:
    process = DaemonProcess(tmp_path, config_text(upstreams, read_timeout=0.5), env=KEYS).start()
    try:
        upstreams.openai.script(Reply(text="slow " * 10, chunk_delay=3))
        started = time.monotonic()
        status, _, raw = call(process, "medium", dialect="anthropic", stream=True)
        assert status == 200 and b"event: error" in raw and b"stalled" in raw
        assert time.monotonic() - started < 3
    finally:
        process.stop()


def test_total_timeout_ends_a_slow_but_steady_stream(upstreams: Upstreams, tmp_path: Path) -> None:
    process = DaemonProcess(tmp_path, config_text(upstreams, total_timeout=1.5), env=KEYS).start()
    try:
        upstreams.openai.script(Reply(text="drip " * 20, chunk_delay=0.3))  # never idle, ~6 s in all
        started = time.monotonic()
        status, _, raw = call(process, "medium", stream=True)
        assert status == 200 and b'"error"' in raw and b"total_timeout" in raw
        assert 1.4 < time.monotonic() - started < 4
    finally:
        process.stop()


@pytest.mark.parametrize(
    "reply",
    [
        Reply(raw_body=b"<html>502 Bad Gateway</html>", content_type="text/html"),
        Reply(raw_body=b'{"choices": [', content_type="application/json"),
        Reply(fail_after_chunks=0),  # connection reset without a response
    ],
    ids=["html", "truncated-json", "reset"],
)
def test_garbage_from_upstream_is_retried_then_a_clean_answer(
    daemon: DaemonProcess, upstreams: Upstreams, reply: Reply
) -> None:
    upstreams.openai.script(reply, Reply(text="clean"))
    status, _, raw = call(daemon, "medium")
    assert status == 200 and b"clean" in raw


# --------------------------------------------------------------------------- load shedding


def test_overload_is_shed_in_each_dialect_and_ready_says_so(upstreams: Upstreams, tmp_path: Path) -> None:
    relaxed = RELIABILITY.replace("queue_timeout_seconds = 5", "queue_timeout_seconds = 30")
    process = DaemonProcess(tmp_path, config_text(upstreams, reliability=relaxed), env=KEYS).start()
    try:
        upstreams.openai.default_reply = Reply(text="slow", delay=2)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            held = [pool.submit(call, process, "medium") for _ in range(5)]  # 3 in flight + 2 queued
            time.sleep(0.8)
            ready = urllib.request.Request(process.url + "/health/ready")
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(ready, timeout=5)
            assert info.value.code == 503 and json.loads(info.value.read())["status"] == "overloaded"
            shed_openai = call(process, "medium")
            shed_anthropic = call(process, "medium", dialect="anthropic")
            results = [f.result() for f in held]
        assert shed_openai[0] == 503 and shed_openai[1]["retry-after"] == "1"
        assert (
            shed_anthropic[0] == 529 and json.loads(shed_anthropic[2])["error"]["type"] == "overloaded_error"
        )
        assert [r[0] for r in results] == [200] * 5  # the queued ones were served, not dropped
    finally:
        process.stop()


# --------------------------------------------------------------------------- hot reload


def test_reload_swaps_the_config_and_rejects_an_invalid_one(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    client = control(daemon)
    assert daemon.config_path is not None
    original = daemon.config_path.read_text()
    # An invalid text is rejected with its problem at the key, and the file is not touched.
    bad = original.replace('model = "gpt-4o-mini"', 'model = ""')
    status, result = client.request("POST", "/v1/config/apply", {"text": bad})
    assert status == 422 and not result["applied"]
    assert any(p["key"] == "tiers.medium.model" for p in result["problems"])
    assert daemon.config_path.read_text() == original
    # A valid one is written and serves the next request.
    good = original.replace('model = "gpt-4o-mini"', 'model = "gpt-4.1-mini"')
    status, result = client.request("POST", "/v1/config/apply", {"text": good})
    assert status == 200 and result["applied"] and result["tiers"]["medium"] == "oai:gpt-4.1-mini"
    assert daemon.config_path.read_text() == good
    _, headers, _ = call(daemon, "medium")
    assert headers["x-lynkr-model"] == "gpt-4.1-mini"


def test_the_file_watcher_reloads_and_keeps_serving_on_a_broken_edit(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    assert daemon.config_path is not None
    original = daemon.config_path.read_text()
    daemon.config_path.write_text(original.replace('model = "o3-deployment"', 'model = "o4-deployment"'))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if call(daemon, "reasoning")[1].get("x-lynkr-model") == "o4-deployment":
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the edited config was never picked up")
    daemon.config_path.write_text(original + "\n[tiers.bogus]\n")
    time.sleep(1.5)
    status, headers, _ = call(daemon, "reasoning")
    assert status == 200 and headers["x-lynkr-model"] == "o4-deployment"  # still the last good one
    assert "config rejected" in daemon.log()


def test_admin_reload_on_tcp_needs_the_admin_token(upstreams: Upstreams, tmp_path: Path) -> None:
    process = DaemonProcess(
        tmp_path, config_text(upstreams), env={**KEYS, "LYNKR_ADMIN_TOKEN": "adm-1"}
    ).start()
    try:

        def reload(token: str | None) -> int:
            headers = {"authorization": f"Bearer {token}"} if token else {}
            request = urllib.request.Request(process.url + "/v1/admin/reload", method="POST", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert reload(None) == 401
        assert reload("wrong") == 401
        assert reload("adm-1") == 200
    finally:
        process.stop()


# --------------------------------------------------------------------------- the proxy key


def test_a_proxy_key_is_required_when_set(upstreams: Upstreams, tmp_path: Path) -> None:
    process = DaemonProcess(
        tmp_path, config_text(upstreams), env={**KEYS, "LYNKR_API_KEY": "proxy-123"}
    ).start()
    try:
        with (
            anthropic.Anthropic(base_url=process.url, api_key="wrong", max_retries=0) as client,
            pytest.raises(anthropic.AuthenticationError),
        ):
            client.messages.create(
                model="lynkr-simple", max_tokens=8, messages=[{"role": "user", "content": "x"}]
            )
        with anthropic.Anthropic(base_url=process.url, api_key="proxy-123", max_retries=0) as client:
            client.messages.create(
                model="lynkr-simple", max_tokens=8, messages=[{"role": "user", "content": "x"}]
            )
        with openai.OpenAI(base_url=process.url + "/v1", api_key="proxy-123", max_retries=0) as oai:
            oai.chat.completions.create(model="lynkr-simple", messages=[{"role": "user", "content": "x"}])
        with (
            openai.OpenAI(base_url=process.url + "/v1", api_key="nope", max_retries=0) as oai,
            pytest.raises(openai.AuthenticationError),
        ):
            oai.models.list()
        assert urllib.request.urlopen(process.url + "/health/live", timeout=5).status == 200
        # The client's own key is never what the provider receives.
        assert all("proxy-123" not in json.dumps(r.headers) for r in upstreams.ollama.requests)
    finally:
        process.stop()


def test_binding_beyond_loopback_without_a_key_refuses_to_start(upstreams: Upstreams, tmp_path: Path) -> None:
    process = DaemonProcess(
        tmp_path, config_text(upstreams).replace('log_level = "debug"', 'host = "0.0.0.0"'), env=KEYS
    )
    with pytest.raises(RuntimeError) as info:
        process.start()
    assert "LYNKR_API_KEY" in str(info.value)


def test_the_cli_shows_breakers_resets_one_and_applies_a_config(
    daemon: DaemonProcess, upstreams: Upstreams, tmp_path: Path
) -> None:
    upstreams.azure.default_reply = Reply.error(500, "down")
    call(daemon, "reasoning")
    shown = daemon.cli("breakers")
    assert shown.returncode == 0 and "azure" in shown.stdout and "open" in shown.stdout
    assert daemon.cli("breakers", "--reset", "azure").stdout.strip() == "Breaker for azure is closed."
    assert json.loads(daemon.cli("breakers", "--json").stdout)[0]["state"] == "closed"
    assert daemon.config_path is not None
    broken = tmp_path / "broken.toml"
    broken.write_text("[tiers.simple]\nprovider = 'nowhere'\nmodel = 'x'\n")
    rejected = daemon.cli("config", "apply", str(broken))
    assert rejected.returncode == 1 and "tiers.simple.provider" in rejected.stdout
    assert daemon.cli("reload").returncode == 0


def test_a_request_in_flight_finishes_on_the_config_it_started_with(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    assert daemon.config_path is not None
    original = daemon.config_path.read_text()
    upstreams.openai.script(Reply(text="slow and old", delay=1.5), Reply(text="new"))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(call, daemon, "medium")
        assert upstreams.openai.wait_until(lambda: len(upstreams.openai.requests) == 1)
        status, result = control(daemon).request(
            "POST", "/v1/config/apply", {"text": original.replace('"gpt-4o-mini"', '"gpt-4.1"')}
        )
        assert status == 200 and result["applied"]
        _, new_headers, _ = call(daemon, "medium")
        old_status, old_headers, old_raw = in_flight.result()
    assert old_status == 200 and b"slow and old" in old_raw
    assert old_headers["x-lynkr-model"] == "gpt-4o-mini"  # the runtime it started with
    assert new_headers["x-lynkr-model"] == "gpt-4.1"
    assert [r.body["model"] for r in upstreams.openai.requests] == ["gpt-4o-mini", "gpt-4.1"]


def test_a_reload_switches_memory_and_the_cache_without_a_restart(
    daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    client = control(daemon)
    assert client.request("GET", "/v1/memory/stats")[1]["enabled"] is True
    assert daemon.config_path is not None
    text = daemon.config_path.read_text() + "\n[memory]\nenabled = false\n\n[cache]\nenabled = false\n"
    status, result = client.request("POST", "/v1/config/apply", {"text": text})
    assert status == 200 and result["applied"] and not result["restart_needed"]
    assert client.request("GET", "/v1/memory/stats")[1]["enabled"] is False
    assert client.request("GET", "/v1/cache")[1]["enabled"] is False
