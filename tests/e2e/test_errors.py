"""Bad client input, unknown routes and oversized bodies, against the real daemon.

Every malformed request must come back as a 400 in the dialect of the path
that was called (``{"type":"error","error":{type,message}}`` on /v1/messages,
``{"error":{message,type,param,code}}`` on /v1/chat/completions), name the
offending field, and never reach a provider. Never a 500 for bad input.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest

from tests.e2e.conftest import KEYS, Upstreams, config_for
from tests.e2e.harness import DaemonProcess

MESSAGES = "/v1/messages"
CHAT = "/v1/chat/completions"
USER = [{"role": "user", "content": "hi"}]
DROP = object()  # a field value meaning "leave the field out"

ANTHROPIC_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
OPENAI_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


# --------------------------------------------------------------------------- helpers


def http(
    base: str, method: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with urllib; any status comes back (no exception for 4xx/5xx)."""
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"content-type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def body_with(base: dict[str, Any], **changes: Any) -> bytes:
    body = dict(base)
    for key, value in changes.items():
        if value is DROP:
            body.pop(key, None)
        else:
            body[key] = value
    return json.dumps(body).encode()


def anthropic_body(**changes: Any) -> bytes:
    return body_with({"model": "lynkr-simple", "max_tokens": 16, "messages": USER}, **changes)


def openai_body(**changes: Any) -> bytes:
    return body_with({"model": "lynkr-simple", "messages": USER}, **changes)


def assert_no_keys(headers: dict[str, str], raw: bytes) -> None:
    text = raw.decode("utf-8", "replace") + json.dumps(headers)
    for key in KEYS.values():
        assert key not in text, "a provider key leaked into a response"


def anthropic_error(status: int, headers: dict[str, str], raw: bytes, expected_status: int) -> dict[str, Any]:
    """Checks the Anthropic error envelope and returns ``error``."""
    assert status == expected_status, raw
    assert headers.get("content-type", "").startswith("application/json"), headers
    body = json.loads(raw)
    assert body.get("type") == "error", body
    error = body.get("error")
    assert isinstance(error, dict), body
    assert isinstance(error.get("type"), str) and error["type"], body
    assert isinstance(error.get("message"), str) and error["message"], body
    assert_no_keys(headers, raw)
    return error


def openai_error(status: int, headers: dict[str, str], raw: bytes, expected_status: int) -> dict[str, Any]:
    """Checks the OpenAI error envelope and returns ``error``."""
    assert status == expected_status, raw
    assert headers.get("content-type", "").startswith("application/json"), headers
    body = json.loads(raw)
    assert "type" not in body, f"an Anthropic-style envelope on an OpenAI path: {body}"
    error = body.get("error")
    assert isinstance(error, dict), body
    assert {"message", "type", "param", "code"} <= set(error), body
    assert isinstance(error["message"], str) and error["message"], body
    assert isinstance(error["type"], str) and error["type"], body
    assert_no_keys(headers, raw)
    return error


def assert_no_upstream_call(upstreams: Upstreams) -> None:
    for emulator in upstreams.all():
        assert emulator.chat_requests == [], f"bad input reached the {emulator.name} upstream"


# --------------------------------------------------------------------------- bad input: Anthropic dialect

# (id, raw body, text the message must contain). Field cases name the JSON path of the field.
ANTHROPIC_BAD: list[tuple[str, bytes, str]] = [
    ("not-json", b'{"model": "lynkr-simple", "max_tokens": 16, "messages": [', "json"),
    ("not-utf8", b"\xff\xfe\x00garbage", "json"),
    ("nan", b'{"model": "lynkr-simple", "max_tokens": NaN, "messages": []}', "json"),
    ("empty-body", b"", "empty"),
    ("json-array", b"[]", "body"),
    ("json-string", b'"hello"', "body"),
    ("missing-model", anthropic_body(model=DROP), "model"),
    ("model-number", anthropic_body(model=42), "model"),
    ("model-empty", anthropic_body(model=""), "model"),
    ("missing-messages", anthropic_body(messages=DROP), "messages"),
    ("messages-string", anthropic_body(messages="hi"), "messages"),
    ("messages-empty", anthropic_body(messages=[]), "messages"),
    ("message-not-object", anthropic_body(messages=["hi"]), "messages[0]"),
    ("message-null", anthropic_body(messages=[None]), "messages[0]"),
    ("missing-max-tokens", anthropic_body(max_tokens=DROP), "max_tokens"),
    ("max-tokens-string", anthropic_body(max_tokens="16"), "max_tokens"),
    ("max-tokens-zero", anthropic_body(max_tokens=0), "max_tokens"),
    ("max-tokens-bool", anthropic_body(max_tokens=True), "max_tokens"),
    ("role-tool", anthropic_body(messages=[{"role": "tool", "content": "x"}]), "messages[0].role"),
    ("role-missing", anthropic_body(messages=[{"content": "x"}]), "messages[0].role"),
    ("content-number", anthropic_body(messages=[{"role": "user", "content": 5}]), "messages[0].content"),
    (
        "content-missing",
        anthropic_body(messages=[{"role": "user"}]),
        "messages[0].content",
    ),
    (
        "block-type-unknown",
        anthropic_body(messages=[{"role": "user", "content": [{"type": "video", "url": "x"}]}]),
        "messages[0].content[0].type",
    ),
    (
        "block-type-missing",
        anthropic_body(messages=[{"role": "user", "content": [{"text": "hi"}]}]),
        "messages[0].content[0].type",
    ),
    (
        "block-not-object",
        anthropic_body(messages=[{"role": "user", "content": ["hi"]}]),
        "messages[0].content[0]",
    ),
    (
        "text-block-text-number",
        anthropic_body(messages=[{"role": "user", "content": [{"type": "text", "text": 5}]}]),
        "messages[0].content[0].text",
    ),
    (
        "image-without-source",
        anthropic_body(messages=[{"role": "user", "content": [{"type": "image"}]}]),
        "messages[0].content[0].source",
    ),
    (
        "tool-use-in-user-turn",
        anthropic_body(
            messages=[
                {"role": "user", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]}
            ]
        ),
        "messages[0].content[0].type",
    ),
    (
        "tool-result-without-id",
        anthropic_body(messages=[{"role": "user", "content": [{"type": "tool_result", "content": "ok"}]}]),
        "messages[0].content[0].tool_use_id",
    ),
    ("tools-object", anthropic_body(tools={"name": "x"}), "tools"),
    ("tool-not-object", anthropic_body(tools=["get_weather"]), "tools[0]"),
    (
        "tool-missing-name",
        anthropic_body(tools=[{"input_schema": {"type": "object"}}]),
        "tools[0].name",
    ),
    (
        "tool-schema-string",
        anthropic_body(tools=[{"name": "get_weather", "input_schema": "object"}]),
        "tools[0].input_schema",
    ),
    (
        "tool-choice-bad-type",
        anthropic_body(tools=[ANTHROPIC_TOOL], tool_choice={"type": "maybe"}),
        "tool_choice",
    ),
    ("tool-choice-string", anthropic_body(tools=[ANTHROPIC_TOOL], tool_choice="auto"), "tool_choice"),
    (
        "tool-choice-unknown-tool",
        anthropic_body(tools=[ANTHROPIC_TOOL], tool_choice={"type": "tool", "name": "launch_rockets"}),
        "tool_choice",
    ),
    ("stream-string", anthropic_body(stream="yes"), "stream"),
    ("temperature-high", anthropic_body(temperature=5), "temperature"),
    ("temperature-string", anthropic_body(temperature="hot"), "temperature"),
    ("system-number", anthropic_body(system=5), "system"),
    ("system-block-type", anthropic_body(system=[{"type": "image", "text": "x"}]), "system[0].type"),
    ("stop-sequences-string", anthropic_body(stop_sequences="END"), "stop_sequences"),
    ("thinking-string", anthropic_body(thinking="on"), "thinking"),
    ("metadata-string", anthropic_body(metadata="me"), "metadata"),
]


@pytest.mark.parametrize(
    ("body", "mention"), [c[1:] for c in ANTHROPIC_BAD], ids=[c[0] for c in ANTHROPIC_BAD]
)
def test_anthropic_bad_input_is_a_400_naming_the_field(
    lynkr: DaemonProcess, upstreams: Upstreams, body: bytes, mention: str
) -> None:
    error = anthropic_error(*http(lynkr.url, "POST", MESSAGES, body), expected_status=400)
    assert error["type"] == "invalid_request_error", error
    assert mention.lower() in error["message"].lower(), error
    assert_no_upstream_call(upstreams)


# --------------------------------------------------------------------------- bad input: OpenAI dialect

# (id, raw body, text the message must contain, expected error.param)
OPENAI_BAD: list[tuple[str, bytes, str, str | None]] = [
    ("not-json", b'{"model": "lynkr-simple", "messages": [', "json", None),
    ("not-utf8", b"\xff\xfe\x00garbage", "json", None),
    (
        "huge-int",
        b'{"model": "lynkr-simple", "max_tokens": 1'
        + b"0" * 40
        + b', "messages": [{"role": "user", "content": "x"}]}',
        "max_tokens",
        "max_tokens",
    ),
    ("empty-body", b"", "empty", None),
    ("json-array", b"[1, 2]", "body", "body"),
    ("json-null", b"null", "body", "body"),
    ("missing-model", openai_body(model=DROP), "model", "model"),
    ("model-number", openai_body(model=4), "model", "model"),
    ("missing-messages", openai_body(messages=DROP), "messages", "messages"),
    ("messages-empty", openai_body(messages=[]), "messages", "messages"),
    ("messages-object", openai_body(messages={"role": "user", "content": "hi"}), "messages", "messages"),
    ("only-system", openai_body(messages=[{"role": "system", "content": "be nice"}]), "messages", "messages"),
    ("message-not-object", openai_body(messages=["hi"]), "messages[0]", "messages[0]"),
    (
        "role-unknown",
        openai_body(messages=[{"role": "wizard", "content": "x"}]),
        "messages[0].role",
        "messages[0].role",
    ),
    ("role-missing", openai_body(messages=[{"content": "x"}]), "messages[0].role", "messages[0].role"),
    (
        "role-function",
        openai_body(messages=[{"role": "function", "name": "f", "content": "x"}]),
        "messages[0].role",
        "messages[0].role",
    ),
    (
        "content-number",
        openai_body(messages=[{"role": "user", "content": 5}]),
        "messages[0].content",
        "messages[0].content",
    ),
    (
        "part-type-unknown",
        openai_body(messages=[{"role": "user", "content": [{"type": "video_url", "video_url": "x"}]}]),
        "messages[0].content[0].type",
        "messages[0].content[0].type",
    ),
    (
        "part-text-number",
        openai_body(messages=[{"role": "user", "content": [{"type": "text", "text": 7}]}]),
        "messages[0].content[0].text",
        "messages[0].content[0].text",
    ),
    (
        "image-url-missing",
        openai_body(messages=[{"role": "user", "content": [{"type": "image_url"}]}]),
        "messages[0].content[0].image_url.url",
        "messages[0].content[0].image_url.url",
    ),
    (
        "tool-message-without-call-id",
        openai_body(messages=[*USER, {"role": "tool", "content": "42"}]),
        "messages[1].tool_call_id",
        "messages[1].tool_call_id",
    ),
    (
        "tool-call-without-function",
        openai_body(
            messages=[*USER, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function"}]}]
        ),
        "messages[1].tool_calls[0].function",
        "messages[1].tool_calls[0].function",
    ),
    ("tools-object", openai_body(tools=OPENAI_TOOL), "tools", "tools"),
    ("tool-type-unknown", openai_body(tools=[{"type": "retrieval"}]), "tools[0].type", "tools[0].type"),
    (
        "tool-missing-function",
        openai_body(tools=[{"type": "function"}]),
        "tools[0].function",
        "tools[0].function",
    ),
    (
        "tool-missing-name",
        openai_body(tools=[{"type": "function", "function": {"parameters": {"type": "object"}}}]),
        "tools[0].function.name",
        "tools[0].function.name",
    ),
    (
        "tool-parameters-string",
        openai_body(tools=[{"type": "function", "function": {"name": "f", "parameters": "object"}}]),
        "tools[0].function.parameters",
        "tools[0].function.parameters",
    ),
    (
        "tool-choice-unsupported-string",
        openai_body(tools=[OPENAI_TOOL], tool_choice="sometimes"),
        "tool_choice",
        "tool_choice",
    ),
    (
        "tool-choice-unknown-tool",
        openai_body(tools=[OPENAI_TOOL], tool_choice={"type": "function", "function": {"name": "launch"}}),
        "tool_choice.function.name",
        "tool_choice.function.name",
    ),
    ("n-2", openai_body(n=2), "n", "n"),
    ("max-tokens-string", openai_body(max_tokens="10"), "max_tokens", "max_tokens"),
    (
        "max-completion-tokens-negative",
        openai_body(max_completion_tokens=-1),
        "max_completion_tokens",
        "max_completion_tokens",
    ),
    ("temperature-high", openai_body(temperature=3), "temperature", "temperature"),
    ("stream-string", openai_body(stream="true"), "stream", "stream"),
    (
        "stream-options-bad",
        openai_body(stream=True, stream_options={"include_usage": "yes"}),
        "stream_options.include_usage",
        "stream_options.include_usage",
    ),
    ("stop-number", openai_body(stop=5), "stop", "stop"),
    (
        "response-format-type",
        openai_body(response_format={"type": "xml"}),
        "response_format.type",
        "response_format.type",
    ),
    (
        "parallel-tool-calls-string",
        openai_body(parallel_tool_calls="no"),
        "parallel_tool_calls",
        "parallel_tool_calls",
    ),
    ("seed-string", openai_body(seed="42"), "seed", "seed"),
]


@pytest.mark.parametrize(
    ("path", "body", "mention", "param"),
    [(CHAT, *c[1:]) for c in OPENAI_BAD] + [("/chat/completions", *c[1:]) for c in OPENAI_BAD[:3]],
    ids=[c[0] for c in OPENAI_BAD] + [f"no-v1-{c[0]}" for c in OPENAI_BAD[:3]],
)
def test_openai_bad_input_is_a_400_naming_the_field(
    lynkr: DaemonProcess, upstreams: Upstreams, path: str, body: bytes, mention: str, param: str | None
) -> None:
    error = openai_error(*http(lynkr.url, "POST", path, body), expected_status=400)
    assert error["type"] == "invalid_request_error", error
    assert mention.lower() in error["message"].lower(), error
    assert error["param"] == param, error
    assert_no_upstream_call(upstreams)


def test_count_tokens_bad_input_is_an_anthropic_400(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    body = json.dumps({"model": "lynkr-simple", "messages": [{"role": "robot", "content": "x"}]}).encode()
    error = anthropic_error(*http(lynkr.url, "POST", "/v1/messages/count_tokens", body), expected_status=400)
    assert "messages[0].role" in error["message"], error
    error = anthropic_error(*http(lynkr.url, "POST", "/v1/messages/count_tokens", b"{"), expected_status=400)
    assert "json" in error["message"].lower(), error
    assert_no_upstream_call(upstreams)


# --------------------------------------------------------------------------- the SDKs understand the 400s


def test_openai_sdk_sees_param_and_type(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    client = openai.OpenAI(base_url=f"{lynkr.url}/v1", api_key="client-key", max_retries=0, timeout=10)
    with client, pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="lynkr-simple", messages=USER, n=2)
    assert info.value.status_code == 400
    assert info.value.param == "n"
    assert info.value.type == "invalid_request_error"
    assert_no_upstream_call(upstreams)


def test_anthropic_sdk_sees_invalid_request_error(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    client = anthropic.Anthropic(base_url=lynkr.url, api_key="client-key", max_retries=0, timeout=10)
    with client, pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(
            model="lynkr-simple",
            max_tokens=16,
            messages=[{"role": "user", "content": [{"type": "hologram", "data": "x"}]}],
        )
    assert info.value.status_code == 400
    body = info.value.body
    assert isinstance(body, dict) and body["type"] == "error", body
    assert body["error"]["type"] == "invalid_request_error"
    assert "messages[0].content[0].type" in body["error"]["message"]
    assert_no_upstream_call(upstreams)


# --------------------------------------------------------------------------- unknown routes


@pytest.mark.parametrize(
    ("method", "path", "status", "dialect"),
    [
        ("POST", "/v1/nope", 404, "openai"),
        ("GET", "/v1/chat/complete", 404, "openai"),
        ("POST", "/v2/chat/completions", 404, "openai"),
        ("POST", "/v1/messages/batches", 404, "anthropic"),
        ("GET", "/v1/messages/nope", 404, "anthropic"),
        ("GET", "/v1/messages", 405, "anthropic"),
        ("PUT", "/v1/messages", 405, "anthropic"),
        ("GET", "/v1/messages/count_tokens", 405, "anthropic"),
        ("GET", "/v1/chat/completions", 405, "openai"),
        ("DELETE", "/v1/chat/completions", 405, "openai"),
        ("POST", "/v1/models", 405, "openai"),
    ],
)
def test_unknown_path_and_wrong_method_answer_in_the_dialect_of_the_path(
    lynkr: DaemonProcess, upstreams: Upstreams, method: str, path: str, status: int, dialect: str
) -> None:
    data = anthropic_body() if method in ("POST", "PUT") else None
    response = http(lynkr.url, method, path, data)
    if dialect == "anthropic":
        error = anthropic_error(*response, expected_status=status)
        assert error["type"] == ("not_found_error" if status == 404 else "invalid_request_error"), error
    else:
        error = openai_error(*response, expected_status=status)
    assert path in error["message"], error
    if status == 405:
        assert method in error["message"], error
    assert_no_upstream_call(upstreams)


# --------------------------------------------------------------------------- request too large


@pytest.fixture(scope="module")
def small_lynkr(upstreams: Upstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    """A second daemon with ``[server] max_body_mb = 1``.

    ``config_for``'s ``extra`` is appended after the last ``[tiers.*]`` table, and TOML forbids reopening
    ``[server]``, so the limit goes into the existing ``[server]`` table instead.
    """
    base = config_for(upstreams)
    assert base.count("[server]\n") == 1
    config = base.replace("[server]\n", "[server]\nmax_body_mb = 1\n", 1)
    home: Path = tmp_path_factory.mktemp("lynkr-small-body")
    daemon = DaemonProcess(home, config, env=KEYS).start()
    yield daemon
    daemon.stop()
    log = daemon.log()
    for key in KEYS.values():
        assert key not in log, "a provider key leaked into the daemon log"


def _padded(path: str, size: int) -> bytes:
    padding = "x" * size
    if path == CHAT:
        return openai_body(messages=[{"role": "user", "content": padding}])
    return anthropic_body(messages=[{"role": "user", "content": padding}])


@pytest.mark.parametrize("path", [MESSAGES, "/v1/messages/count_tokens", CHAT])
def test_body_over_max_body_mb_is_a_413_in_the_dialect(
    small_lynkr: DaemonProcess, upstreams: Upstreams, path: str
) -> None:
    response = http(small_lynkr.url, "POST", path, _padded(path, 1_200_000))
    if path == CHAT:
        error = openai_error(*response, expected_status=413)
        assert error["code"] == "request_too_large", error
    else:
        error = anthropic_error(*response, expected_status=413)
        assert error["type"] == "request_too_large", error
    assert "max_body_mb" in error["message"], error
    assert_no_upstream_call(upstreams)


@pytest.mark.parametrize("path", [MESSAGES, CHAT])
def test_body_under_max_body_mb_is_served(
    small_lynkr: DaemonProcess, upstreams: Upstreams, path: str
) -> None:
    status, _, raw = http(small_lynkr.url, "POST", path, _padded(path, 900_000))
    assert status == 200, raw
    assert len(upstreams.ollama.chat_requests) == 1
