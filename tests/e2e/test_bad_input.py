"""Bad input beyond field validation (test_errors.py has the per-field matrix): wrong content
types, tool results without their call, broken images, and clients that vanish mid-request.
Each gets a clear 4xx in the caller's dialect, and every request still leaves its decision row."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

import anthropic
import openai
import pytest

from lynkr_tui.control_client import ControlClient
from tests.e2e.conftest import Upstreams
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply

PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def post(
    lynkr: DaemonProcess, path: str, body: bytes, content_type: str | None
) -> tuple[int, dict[str, Any]]:
    headers = {"content-type": content_type} if content_type else {}
    request = urllib.request.Request(lynkr.url + path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_declared_json_is_a_415_in_each_dialect(
    lynkr: DaemonProcess, upstreams: Upstreams, content_type: str
) -> None:
    body = json.dumps(
        {"model": "lynkr-simple", "max_tokens": 8, "messages": [{"role": "user", "content": "x"}]}
    )
    status, anthropic_error = post(lynkr, "/v1/messages", body.encode(), content_type)
    assert status == 415 and anthropic_error["type"] == "error"
    assert content_type in anthropic_error["error"]["message"]
    status, openai_error = post(lynkr, "/v1/chat/completions", body.encode(), content_type)
    assert status == 415 and "application/json" in openai_error["error"]["message"]
    assert upstreams.ollama.requests == []


def test_json_content_types_with_parameters_are_accepted(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    body = json.dumps({"model": "lynkr-simple", "messages": [{"role": "user", "content": "x"}]}).encode()
    assert post(lynkr, "/v1/chat/completions", body, "application/json; charset=utf-8")[0] == 200
    # No content-type at all (urllib would add a form type, so http.client): assume JSON.
    connection = http.client.HTTPConnection("127.0.0.1", lynkr.port, timeout=10)
    connection.request("POST", "/v1/chat/completions", body=body)
    assert connection.getresponse().status == 200
    connection.close()


def test_orphan_tool_results_are_named_in_both_sdks(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    with (
        anthropic.Anthropic(base_url=lynkr.url, api_key="k", max_retries=0) as client,
        pytest.raises(anthropic.BadRequestError) as info,
    ):
        client.messages.create(
            model="lynkr-complex",
            max_tokens=8,
            messages=[
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "ok"}],
                }
            ],
        )
    assert "toolu_x" in info.value.message and "messages[0].content[0].tool_use_id" in info.value.message
    with (
        openai.OpenAI(base_url=lynkr.url + "/v1", api_key="k", max_retries=0) as oai,
        pytest.raises(openai.BadRequestError) as oinfo,
    ):
        oai.chat.completions.create(
            model="lynkr-complex",
            messages=[
                {"role": "user", "content": "go"},
                {"role": "tool", "tool_call_id": "call_x", "content": "ok"},
            ],
        )
    assert oinfo.value.body["param"] == "messages[1].tool_call_id"  # type: ignore[index]
    assert upstreams.anthropic.requests == []


def test_broken_images_are_400s_and_a_good_one_goes_through(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    def image(data: str, media_type: str = "image/png") -> list[dict[str, Any]]:
        source = {"type": "base64", "media_type": media_type, "data": data}
        return [
            {"role": "user", "content": [{"type": "image", "source": source}, {"type": "text", "text": "?"}]}
        ]

    with anthropic.Anthropic(base_url=lynkr.url, api_key="k", max_retries=0) as client:
        for messages, fragment in (
            (image("%%%not-base64"), "base64"),
            (image(PNG_1PX, "image/bmp"), "image/bmp"),
        ):
            with pytest.raises(anthropic.BadRequestError) as info:
                client.messages.create(model="lynkr-complex", max_tokens=8, messages=messages)
            assert fragment in info.value.message
        client.messages.create(model="lynkr-complex", max_tokens=8, messages=image(PNG_1PX))
    assert len(upstreams.anthropic.requests) == 1


def _rows(lynkr: DaemonProcess, status: int) -> list[dict[str, Any]]:
    client = ControlClient(lynkr.home / "control.sock")
    return client.request("GET", f"/v1/decisions?status={status}&limit=1000")[1]["decisions"]


def test_a_client_that_vanishes_mid_body_is_recorded_not_crashed(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    before = len(_rows(lynkr, 499))
    sock = socket.create_connection(("127.0.0.1", lynkr.port))
    sock.sendall(
        b"POST /v1/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
        b"content-length: 5000\r\n\r\n" + b'{"model": "lynkr-simple", "messages": ['
    )
    time.sleep(0.2)
    sock.close()
    deadline = time.monotonic() + 5
    while len(_rows(lynkr, 499)) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(_rows(lynkr, 499)) == before + 1
    assert (
        post(lynkr, "/v1/chat/completions", b'{"model": "lynkr-simple", "messages": []}', "application/json")[
            0
        ]
        == 400
    )


def test_a_client_that_leaves_mid_stream_is_recorded_and_the_upstream_is_closed(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    before = len(_rows(lynkr, 499))
    upstreams.openai.script(Reply(text="word " * 200, chunk_delay=0.05))
    body = json.dumps(
        {"model": "lynkr-medium", "stream": True, "messages": [{"role": "user", "content": "x"}]}
    )
    sock = socket.create_connection(("127.0.0.1", lynkr.port))
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
        + f"content-length: {len(body)}\r\n\r\n".encode()
        + body.encode()
    )
    assert b"200 OK" in sock.recv(4096)
    sock.close()
    deadline = time.monotonic() + 5
    while len(_rows(lynkr, 499)) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(_rows(lynkr, 499)) == before + 1
    assert upstreams.openai.wait_until(lambda: upstreams.openai.disconnects >= 1)
