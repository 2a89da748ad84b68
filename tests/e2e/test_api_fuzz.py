"""Fuzz the model API of a real daemon over HTTP: random bodies shaped like each dialect's
requests, with wrong types, missing and unknown fields. Whatever arrives, the answer is a
success or a 4xx error body in the dialect of the path, never a 500, and the daemon lives."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.harness import DaemonProcess

scalars = (
    st.none() | st.booleans() | st.integers(-5, 70000) | st.floats(allow_nan=False) | st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
roles = st.sampled_from(["user", "assistant", "system", "tool", "developer", "bogus", None])
block_types = st.sampled_from(
    ["text", "image", "tool_use", "tool_result", "thinking", "image_url", "input_text"]
)
blocks = st.fixed_dictionaries(
    {"type": block_types},
    optional={
        "text": values,
        "id": values,
        "name": values,
        "input": values,
        "tool_use_id": values,
        "content": values,
        "source": values,
        "image_url": values,
    },
)
messages = st.fixed_dictionaries(
    {"role": roles},
    optional={"content": st.one_of(st.text(max_size=20), st.lists(blocks, max_size=3), values)},
)
tools = st.fixed_dictionaries(
    {},
    optional={
        "name": values,
        "type": values,
        "function": values,
        "input_schema": values,
        "parameters": values,
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "model": st.sampled_from(["lynkr-simple", "lynkr-auto", "", 7]) | values,
        "messages": st.lists(messages, max_size=4) | values,
        "input": st.lists(messages, max_size=3) | st.text(max_size=20) | values,
        "max_tokens": st.integers(-1, 100) | values,
        "max_output_tokens": st.integers(-1, 100) | values,
        "stream": st.booleans() | values,
        "tools": st.lists(tools, max_size=2) | values,
        "tool_choice": values,
        "system": values,
        "instructions": values,
        "temperature": values,
        "previous_response_id": values,
        "unknown_field": values,
    },
)
PATHS = ["/v1/messages", "/v1/chat/completions", "/v1/responses", "/v1/messages/count_tokens"]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    home = tmp_path_factory.mktemp("api-fuzz")
    process = DaemonProcess(home, '[tiers.simple]\nprovider = "simulated"\nmodel = "sim"\n').start()
    yield process
    process.stop()
    assert "Traceback" not in process.log(), "an unhandled error reached the daemon log"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), body=bodies, raw=st.none() | st.binary(max_size=40))
def test_the_model_api_never_fails_with_a_500(
    daemon: DaemonProcess, path: str, body: dict[str, Any], raw: bytes | None
) -> None:
    payload = raw if raw is not None else json.dumps(body).encode()
    connection = http.client.HTTPConnection("127.0.0.1", daemon.port, timeout=30)
    try:
        connection.request("POST", path, body=payload, headers={"content-type": "application/json"})
        response = connection.getresponse()
        answer = response.read()
        content_type = response.getheader("content-type", "")
    finally:
        connection.close()
    assert response.status < 500, (path, payload[:300], answer[:300])
    if response.status >= 400:
        error = json.loads(answer)
        if path.startswith("/v1/messages"):
            assert error["type"] == "error" and error["error"]["message"]
        else:
            assert error["error"]["message"]
    elif "json" in content_type:
        json.loads(answer)
