"""Upstream failures, as the Anthropic and OpenAI clients see them.

The error mappings are checked on tiers WITHOUT fallback (simple = Ollama, complex = Anthropic,
reasoning = Azure OpenAI) so each failure reaches the client; the medium tier (OpenAI, falling back to
``claude:claude-haiku-4-5``) is used for the fallback tests. SDK clients run with ``max_retries=0``;
headers such as ``retry-after`` are read from raw HTTP.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest

from tests.e2e.conftest import CONTRACT_RELIABILITY, KEYS, Upstreams
from tests.e2e.harness import DaemonProcess, free_port
from tests.emulators import Emulator, Reply

USER = [{"role": "user", "content": "hi"}]
DIALECTS = ("anthropic", "openai")


@dataclass(frozen=True)
class Tier:
    name: str
    upstream: str  # attribute of Upstreams
    provider: str  # provider name in the daemon config
    key: str | None  # the provider key the daemon sends


TIERS = [
    Tier("simple", "ollama", "local", None),
    Tier("complex", "anthropic", "claude", KEYS["TEST_ANTHROPIC_KEY"]),
    Tier("reasoning", "azure", "azure", KEYS["TEST_AZURE_KEY"]),
]
TIER_IDS = [t.name for t in TIERS]


# --------------------------------------------------------------------------- helpers


def upstream_of(upstreams: Upstreams, tier: Tier) -> Emulator:
    return getattr(upstreams, tier.upstream)


def anthropic_client(lynkr: DaemonProcess) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=lynkr.url, api_key="client-key", max_retries=0, timeout=10)


def openai_client(lynkr: DaemonProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{lynkr.url}/v1", api_key="client-key", max_retries=0, timeout=10)


def raw_call(
    lynkr: DaemonProcess, dialect: str, tier: str, *, stream: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """POST a minimal request in ``dialect`` for ``lynkr-<tier>``; any status comes back."""
    if dialect == "anthropic":
        path = "/v1/messages"
        body: dict[str, Any] = {"model": f"lynkr-{tier}", "max_tokens": 32, "messages": USER}
    else:
        path = "/v1/chat/completions"
        body = {"model": f"lynkr-{tier}", "messages": USER}
    if stream:
        body["stream"] = True
    request = urllib.request.Request(
        lynkr.url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def assert_no_keys(*texts: object) -> None:
    joined = " ".join(t if isinstance(t, str) else json.dumps(t, default=str) for t in texts)
    for name, key in KEYS.items():
        assert key not in joined, f"{name} leaked into a response"
        assert key[:8] + key[-4:] not in joined


def error_of(dialect: str, status: int, headers: dict[str, str], raw: bytes) -> dict[str, Any]:
    """The ``error`` object of a dialect error body, after checking the envelope."""
    assert headers.get("content-type", "").startswith("application/json"), (status, headers, raw)
    body = json.loads(raw)
    assert_no_keys(headers, raw.decode("utf-8", "replace"))
    error = body.get("error")
    assert isinstance(error, dict), body
    assert isinstance(error.get("message"), str) and error["message"], body
    assert isinstance(error.get("type"), str) and error["type"], body
    if dialect == "anthropic":
        assert body.get("type") == "error", body
    else:
        assert {"message", "type", "param", "code"} <= set(error), body
        assert "type" not in body, body
    return error


def sdk_error(
    lynkr: DaemonProcess, dialect: str, tier: str
) -> anthropic.APIStatusError | openai.APIStatusError:
    """Make one non-streaming SDK call that must fail, and return the SDK's exception."""
    if dialect == "anthropic":
        with anthropic_client(lynkr) as client, pytest.raises(anthropic.APIStatusError) as info:
            client.messages.create(model=f"lynkr-{tier}", max_tokens=32, messages=USER)
        return info.value
    with openai_client(lynkr) as client, pytest.raises(openai.APIStatusError) as oinfo:
        client.chat.completions.create(model=f"lynkr-{tier}", messages=USER)
    return oinfo.value


def sdk_error_type(dialect: str, exc: Any) -> tuple[str, str, str | None]:
    """(type, message, code) of an SDK exception's error body."""
    body = exc.body
    assert isinstance(body, dict), body
    if dialect == "anthropic":
        assert body.get("type") == "error", body
        return body["error"]["type"], body["error"]["message"], None
    # The OpenAI SDK hands over the inner ``error`` object.
    return body["type"], body["message"], body.get("code")


# --------------------------------------------------------------------------- status mapping


@dataclass(frozen=True)
class Case:
    id: str
    reply: Reply
    anthropic_status: int
    openai_status: int
    anthropic_type: str
    openai_type: str
    names_provider: bool = False


CASES = [
    Case("429", Reply.error(429, retry_after=7), 429, 429, "rate_limit_error", "rate_limit_error"),
    Case("500", Reply.error(500, "kaboom"), 502, 502, "api_error", "api_error", names_provider=True),
    Case("502", Reply.error(502, "bad gateway upstream"), 502, 502, "api_error", "api_error", True),
    Case("503", Reply.error(503, "temporarily unavailable"), 502, 502, "api_error", "api_error", True),
    Case("529", Reply.error(529), 529, 503, "overloaded_error", "service_unavailable_error"),
    Case(
        "503-overloaded",
        Reply.error(503, "The engine is currently overloaded, please try again later."),
        529,
        503,
        "overloaded_error",
        "service_unavailable_error",
    ),
    Case("401", Reply.error(401, "invalid x-api-key"), 502, 502, "api_error", "api_error", True),
    Case("403", Reply.error(403, "permission denied for this key"), 502, 502, "api_error", "api_error", True),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_upstream_error_maps_to_the_contract_status(
    lynkr: DaemonProcess, upstreams: Upstreams, case: Case, tier: Tier, dialect: str
) -> None:
    upstream = upstream_of(upstreams, tier)
    upstream.script(case.reply)
    exc = sdk_error(lynkr, dialect, tier.name)
    expected_status = case.anthropic_status if dialect == "anthropic" else case.openai_status
    assert exc.status_code == expected_status, exc.body
    etype, message, _ = sdk_error_type(dialect, exc)
    assert etype == (case.anthropic_type if dialect == "anthropic" else case.openai_type), exc.body
    if case.names_provider:
        assert repr(tier.provider) in message or f"provider {tier.provider}" in message, message
    assert_no_keys(exc.body, dict(exc.response.headers))
    assert len(upstream.chat_requests) == 1, "the daemon must not retry the same provider"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
def test_rate_limit_keeps_retry_after(
    lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier, dialect: str
) -> None:
    upstream_of(upstreams, tier).script(Reply.error(429, retry_after=7))
    status, headers, raw = raw_call(lynkr, dialect, tier.name)
    assert status == 429, raw
    assert headers.get("retry-after") == "7", headers
    error = error_of(dialect, status, headers, raw)
    assert error["type"] == "rate_limit_error", error
    if dialect == "openai":
        assert error["code"] == "rate_limit_exceeded", error


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
def test_overloaded_keeps_retry_after(
    lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier, dialect: str
) -> None:
    upstream_of(upstreams, tier).script(Reply(status=529, retry_after=3))
    status, headers, raw = raw_call(lynkr, dialect, tier.name)
    assert status == (529 if dialect == "anthropic" else 503), raw
    assert headers.get("retry-after") == "3", headers
    error_of(dialect, status, headers, raw)


@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
def test_context_overflow_anthropic_client(lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier) -> None:
    upstream_of(upstreams, tier).script(Reply.context_overflow(limit=8192))
    with anthropic_client(lynkr) as client, pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(model=f"lynkr-{tier.name}", max_tokens=32, messages=USER)
    etype, message, _ = sdk_error_type("anthropic", info.value)
    assert info.value.status_code == 400
    assert etype == "invalid_request_error"
    # Claude Code compacts the conversation only when the 400 says exactly this.
    assert "prompt is too long" in message.lower(), message


@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
def test_context_overflow_openai_client(lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier) -> None:
    upstream_of(upstreams, tier).script(Reply.context_overflow(limit=8192))
    with openai_client(lynkr) as client, pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=f"lynkr-{tier.name}", messages=USER)
    assert info.value.status_code == 400
    assert info.value.code == "context_length_exceeded", info.value.body
    assert "maximum context length" in info.value.message.lower(), info.value.message


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
def test_upstream_auth_failure_is_a_502_naming_the_provider(
    lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier, dialect: str, stream: bool
) -> None:
    upstream_of(upstreams, tier).script(Reply.error(401))
    status, headers, raw = raw_call(lynkr, dialect, tier.name, stream=stream)
    assert status == 502, raw
    error = error_of(dialect, status, headers, raw)
    assert tier.provider in error["message"], error
    assert "401" in error["message"], error
    # Not an auth error: the client's own key was never the problem.
    assert "authentication" not in error["type"], error


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", [t for t in TIERS if t.key], ids=[t.name for t in TIERS if t.key])
def test_upstream_echoing_the_key_does_not_leak_it(
    lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier, dialect: str
) -> None:
    assert tier.key is not None
    echoed = f"Incorrect API key provided: {tier.key}. Also tried {tier.key[:8]}***{tier.key[-4:]}."
    upstream_of(upstreams, tier).script(Reply.error(401, echoed), Reply.error(403, echoed))
    for expected in (401, 403):
        status, headers, raw = raw_call(lynkr, dialect, tier.name)
        assert status == 502, raw
        error = error_of(dialect, status, headers, raw)  # checks that no key is in headers or body
        assert tier.provider in error["message"], error
        assert str(expected) in error["message"], error
    upstream_of(upstreams, tier).script(Reply.error(401, echoed))
    exc = sdk_error(lynkr, dialect, tier.name)
    assert exc.status_code == 502
    assert_no_keys(exc.body, str(exc), dict(exc.response.headers))


def test_error_responses_carry_the_decision_id(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.anthropic.script(Reply.error(500))
    status, headers, _ = raw_call(lynkr, "anthropic", "complex")
    assert status == 502
    assert headers.get("x-lynkr-decision-id", "").startswith("dec_"), headers


# --------------------------------------------------------------------------- garbage from the upstream


GARBAGE = [
    ("html-200", Reply(raw_body=b"<html><body>Welcome to nginx!</body></html>", content_type="text/html")),
    ("truncated-json-200", Reply(raw_body=b'{"id": "x", "choices": [', content_type="application/json")),
    ("wrong-shape-200", Reply(raw_body=b'{"hello": "world"}', content_type="application/json")),
    ("html-502", Reply(status=502, raw_body=b"<html>502 Bad Gateway</html>", content_type="text/html")),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
@pytest.mark.parametrize("reply", [g[1] for g in GARBAGE], ids=[g[0] for g in GARBAGE])
def test_upstream_garbage_is_a_502(
    lynkr: DaemonProcess, upstreams: Upstreams, reply: Reply, tier: Tier, dialect: str
) -> None:
    upstream_of(upstreams, tier).script(reply)
    status, headers, raw = raw_call(lynkr, dialect, tier.name)
    assert status == 502, raw
    error = error_of(dialect, status, headers, raw)
    assert tier.provider in error["message"], error


def _stream_events(dialect: str, raw: bytes) -> list[dict[str, Any]]:
    """The JSON payloads of an SSE body (``[DONE]`` as ``{"done": True}``)."""
    events = []
    for block in raw.decode().split("\n\n"):
        data = [line[5:].strip() for line in block.splitlines() if line.startswith("data:")]
        if data:
            payload = "\n".join(data)
            events.append({"done": True} if payload == "[DONE]" else json.loads(payload))
    return events


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("tier", TIERS, ids=TIER_IDS)
def test_upstream_garbage_stream_is_never_a_successful_answer(
    lynkr: DaemonProcess, upstreams: Upstreams, tier: Tier, dialect: str
) -> None:
    """A 200 whose body is an HTML page is not an empty answer: 502, or a stream ending in an error."""
    upstream_of(upstreams, tier).script(
        Reply(raw_body=b"<html><body>Welcome to nginx!</body></html>", content_type="text/html")
    )
    status, headers, raw = raw_call(lynkr, dialect, tier.name, stream=True)
    if status != 200:
        assert status == 502, raw
        error_of(dialect, status, headers, raw)
        return
    events = _stream_events(dialect, raw)
    assert events, raw
    last = events[-1]
    assert "error" in last and last.get("type", "error") == "error", (
        f"garbage became a normal stream: {raw!r}"
    )


# --------------------------------------------------------------------------- unreachable upstream


@pytest.fixture(scope="module")
def dead_lynkr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    """A daemon whose providers point at a port nothing listens on."""
    port = free_port()
    config = f"""
[server]
log_level = "debug"
{CONTRACT_RELIABILITY}
[providers.deadlocal]
type = "ollama"
base_url = "http://127.0.0.1:{port}"
connect_timeout = 2

[providers.deadclaude]
type = "anthropic"
base_url = "http://127.0.0.1:{port}"
api_key_env = "TEST_ANTHROPIC_KEY"
connect_timeout = 2

[tiers.simple]
provider = "deadlocal"
model = "qwen2.5-coder:7b"

[tiers.complex]
provider = "deadclaude"
model = "claude-sonnet-4-6"
"""
    home: Path = tmp_path_factory.mktemp("lynkr-dead")
    daemon = DaemonProcess(home, config, env=KEYS).start()
    yield daemon
    daemon.stop()
    log = daemon.log()
    for key in KEYS.values():
        assert key not in log, "a provider key leaked into the daemon log"


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("tier", "provider"), [("simple", "deadlocal"), ("complex", "deadclaude")])
def test_unreachable_upstream_is_a_clear_502(
    dead_lynkr: DaemonProcess, tier: str, provider: str, dialect: str, stream: bool
) -> None:
    status, headers, raw = raw_call(dead_lynkr, dialect, tier, stream=stream)
    assert status == 502, raw
    error = error_of(dialect, status, headers, raw)
    assert provider in error["message"], error
    assert "reach" in error["message"].lower() or "connect" in error["message"].lower(), error


def test_unreachable_upstream_via_sdks(dead_lynkr: DaemonProcess) -> None:
    exc = sdk_error(dead_lynkr, "anthropic", "complex")
    assert isinstance(exc, anthropic.InternalServerError) and exc.status_code == 502
    exc = sdk_error(dead_lynkr, "openai", "simple")
    assert isinstance(exc, openai.InternalServerError) and exc.status_code == 502


# --------------------------------------------------------------------------- fallback on the medium tier

FALLBACK_TRIGGERS = [
    ("503", Reply.error(503, "temporarily unavailable")),
    ("500", Reply.error(500)),
    ("429", Reply.error(429, retry_after=30)),
    ("529", Reply.error(529)),
    ("dropped-connection", Reply(fail_after_chunks=0)),
    ("garbage", Reply(raw_body=b"<html>oops</html>", content_type="text/html")),
]


def assert_served_by_fallback(upstreams: Upstreams, headers: Any) -> None:
    assert headers.get("x-lynkr-tier") == "medium", dict(headers)
    assert headers.get("x-lynkr-provider") == "claude", dict(headers)
    assert headers.get("x-lynkr-model") == "claude-haiku-4-5", dict(headers)
    assert headers.get("x-lynkr-decision-id", "").startswith("dec_"), dict(headers)
    assert len(upstreams.openai.chat_requests) == 1
    assert len(upstreams.anthropic.chat_requests) == 1
    assert upstreams.anthropic.chat_requests[0].json.get("model") == "claude-haiku-4-5"


@pytest.mark.parametrize("reply", [t[1] for t in FALLBACK_TRIGGERS], ids=[t[0] for t in FALLBACK_TRIGGERS])
def test_fallback_openai_client(lynkr: DaemonProcess, upstreams: Upstreams, reply: Reply) -> None:
    upstreams.openai.script(reply)
    with openai_client(lynkr) as client:
        raw = client.chat.completions.with_raw_response.create(model="lynkr-medium", messages=USER)
        completion = raw.parse()
    assert raw.status_code == 200
    assert completion.choices[0].message.content is not None
    assert "anthropic emulator" in completion.choices[0].message.content
    assert completion.model == "lynkr-medium"
    assert_served_by_fallback(upstreams, raw.headers)


@pytest.mark.parametrize("reply", [t[1] for t in FALLBACK_TRIGGERS], ids=[t[0] for t in FALLBACK_TRIGGERS])
def test_fallback_anthropic_client(lynkr: DaemonProcess, upstreams: Upstreams, reply: Reply) -> None:
    upstreams.openai.script(reply)
    with anthropic_client(lynkr) as client:
        raw = client.messages.with_raw_response.create(model="lynkr-medium", max_tokens=32, messages=USER)
        message = raw.parse()
    assert raw.status_code == 200
    assert message.content[0].type == "text"
    assert "anthropic emulator" in message.content[0].text
    assert_served_by_fallback(upstreams, raw.headers)


STREAM_FALLBACK_TRIGGERS = [
    ("503", Reply.error(503, "temporarily unavailable")),
    ("429", Reply.error(429)),
    ("error-before-first-token", Reply(stream_error="server had an error", fail_after_chunks=0)),
    ("dropped-before-first-chunk", Reply(fail_after_chunks=0)),
]


@pytest.mark.parametrize(
    "reply", [t[1] for t in STREAM_FALLBACK_TRIGGERS], ids=[t[0] for t in STREAM_FALLBACK_TRIGGERS]
)
def test_stream_fallback_openai_client(lynkr: DaemonProcess, upstreams: Upstreams, reply: Reply) -> None:
    upstreams.openai.script(reply)
    with openai_client(lynkr) as client:
        raw = client.chat.completions.with_raw_response.create(
            model="lynkr-medium", messages=USER, stream=True
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in raw.parse() if chunk.choices)
    assert raw.status_code == 200
    assert "anthropic emulator" in text
    assert_served_by_fallback(upstreams, raw.headers)


@pytest.mark.parametrize(
    "reply", [t[1] for t in STREAM_FALLBACK_TRIGGERS], ids=[t[0] for t in STREAM_FALLBACK_TRIGGERS]
)
def test_stream_fallback_anthropic_client(lynkr: DaemonProcess, upstreams: Upstreams, reply: Reply) -> None:
    upstreams.openai.script(reply)
    with anthropic_client(lynkr) as client:
        raw = client.messages.with_raw_response.create(
            model="lynkr-medium", max_tokens=32, messages=USER, stream=True
        )
        text = "".join(
            event.delta.text
            for event in raw.parse()
            if event.type == "content_block_delta" and event.delta.type == "text_delta"
        )
    assert raw.status_code == 200
    assert "anthropic emulator" in text
    assert_served_by_fallback(upstreams, raw.headers)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_non_retryable_400_does_not_fall_back(
    lynkr: DaemonProcess, upstreams: Upstreams, dialect: str, stream: bool
) -> None:
    upstreams.openai.script(Reply.error(400, "Invalid value for 'temperature': must be <= 2."))
    status, headers, raw = raw_call(lynkr, dialect, "medium", stream=stream)
    assert status == 400, raw
    error = error_of(dialect, status, headers, raw)
    assert error["type"] == "invalid_request_error", error
    assert "temperature" in error["message"], error
    assert len(upstreams.openai.chat_requests) == 1
    assert upstreams.anthropic.chat_requests == [], "a non-retryable 400 must not fall back"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_context_overflow_does_not_fall_back(
    lynkr: DaemonProcess, upstreams: Upstreams, dialect: str
) -> None:
    upstreams.openai.script(Reply.context_overflow())
    status, headers, raw = raw_call(lynkr, dialect, "medium")
    assert status == 400, raw
    error_of(dialect, status, headers, raw)
    assert upstreams.anthropic.chat_requests == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_fallback_exhausted_reports_a_502(lynkr: DaemonProcess, upstreams: Upstreams, dialect: str) -> None:
    upstreams.openai.script(Reply.error(503, "temporarily unavailable"))
    upstreams.anthropic.script(Reply.error(500, "fallback is down too"))
    status, headers, raw = raw_call(lynkr, dialect, "medium")
    assert status == 502, raw
    error = error_of(dialect, status, headers, raw)
    assert "claude" in error["message"], error
    assert len(upstreams.openai.chat_requests) == 1
    assert len(upstreams.anthropic.chat_requests) == 1
