"""Helpers shared by the emulator self-tests (test_emulators_*.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import anthropic
import openai

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
ANTHROPIC_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
}
TRANSPORT_ERROR = r"incomplete|closed|peer"  # httpx's wording; the exception class differs between SDKs
LONG_TEXT = "The quick brown fox jumps over the lazy dog and keeps running far away into the hills."


# ---------------------------------------------------------------------------------------------- helpers
def http_call(
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    timeout: float = 5,
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def sse_data(raw: bytes) -> list[str]:
    """The ``data:`` payloads of an SSE body, in order."""
    return [line[6:] for line in raw.decode().split("\n") if line.startswith("data: ")]


def sse_events(raw: bytes) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in raw.decode().strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def openai_chunks(raw: bytes) -> list[dict[str, Any]]:
    data = sse_data(raw)
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


def tool_deltas(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [tc for c in chunks for ch in c["choices"] for tc in ch["delta"].get("tool_calls") or []]


def error_body(exc: openai.APIStatusError | anthropic.APIStatusError) -> dict[str, Any]:
    body = exc.body
    assert isinstance(body, dict)
    return body


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def oai_call(call_id: str, arguments: Any = "{}") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": "get_weather", "arguments": arguments}}


def tool_use(call_id: str, tool_input: Any = None) -> dict[str, Any]:
    block = {
        "type": "tool_use",
        "id": call_id,
        "name": "f",
        "input": {} if tool_input is None else tool_input,
    }
    return {"role": "assistant", "content": [block]}


def tool_result(call_id: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call_id, "content": "r"}]}
