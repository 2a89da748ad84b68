"""Self-tests: the official SDKs accept the Ollama emulator's output; it rejects what the provider rejects."""

from __future__ import annotations

import json
from typing import Any

from tests.emulators import OllamaEmulator, Reply, ToolCall
from tests.emulators.emulator_support import (
    LONG_TEXT,
    WEATHER_TOOL,
    http_call,
    user,
)


# ---------------------------------------------------------------------------------------------- Ollama
def ndjson(raw: bytes) -> list[dict[str, Any]]:
    assert raw.endswith(b"\n")
    return [json.loads(line) for line in raw.decode().splitlines()]


def test_ollama_stream_is_default(oll: OllamaEmulator) -> None:
    oll.script(Reply(text=LONG_TEXT, thinking="thinking hard now"))
    status, headers, raw = http_call(
        oll.base_url + "/api/chat", {"model": "qwen2.5-coder:7b", "messages": [user("x")]}
    )
    assert status == 200 and headers["content-type"] == "application/x-ndjson"
    lines = ndjson(raw)
    assert len(lines) > 4 and all(not line["done"] for line in lines[:-1])
    assert all(set(line) == {"model", "created_at", "message", "done"} for line in lines[:-1])
    assert "".join(line["message"]["content"] for line in lines) == LONG_TEXT
    assert "".join(line["message"].get("thinking", "") for line in lines) == "thinking hard now"
    final = lines[-1]
    assert final["done"] is True and final["done_reason"] == "stop" and final["message"]["content"] == ""
    assert final["prompt_eval_count"] > 0 and final["eval_count"] > 0 and final["total_duration"] > 0


def test_ollama_tool_calls_whole_and_non_stream(oll: OllamaEmulator) -> None:
    calls = [ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_time", {"tz": "UTC"})]
    body = {"model": "m", "messages": [user("x")], "tools": [WEATHER_TOOL], "stream": True}
    oll.script(Reply(tool_calls=calls, usage=False))
    lines = ndjson(http_call(oll.base_url + "/api/chat", body)[2])
    with_calls = [line for line in lines if line["message"].get("tool_calls")]
    assert len(with_calls) == 1
    assert with_calls[0]["message"]["tool_calls"] == [
        {"function": {"index": 0, "name": "get_weather", "arguments": {"city": "Paris"}}},
        {"function": {"index": 1, "name": "get_time", "arguments": {"tz": "UTC"}}},
    ]
    assert "eval_count" not in lines[-1] and "prompt_eval_count" not in lines[-1]
    oll.script(Reply(thinking="hm", tool_calls=calls[:1], finish="length"))
    status, headers, raw = http_call(oll.base_url + "/api/chat", {**body, "stream": False})
    obj = json.loads(raw)
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert obj["done"] is True and obj["done_reason"] == "length" and obj["message"]["thinking"] == "hm"
    assert obj["message"]["tool_calls"][0]["function"]["arguments"] == {"city": "Paris"}


def test_ollama_validation_and_history(oll: OllamaEmulator) -> None:
    url = oll.base_url + "/api/chat"
    history = [
        user("x"),
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}],
        },
        {"role": "tool", "content": "result", "tool_name": "f"},
        {"role": "user", "content": "look", "images": ["iVBORw0KGgo="]},
    ]
    status, _, raw = http_call(url, {"model": "m", "messages": history, "stream": False})
    assert status == 200 and json.loads(raw)["message"]["content"].endswith("You said: look")
    cases = [
        ({"messages": [user("x")]}, "model is required"),
        ({"model": "m", "messages": [{"role": "user", "content": "", "images": ["data:image/png;base64,A"]}]},
         "illegal base64 data at input byte 4"),
        ({"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}]},
         "cannot unmarshal array into Go struct field Message.messages.content of type string"),
        ({"model": "m", "messages": [{"role": "assistant", "content": "", "tool_calls": [
            {"function": {"name": "f", "arguments": "{}"}}]}]}, "cannot unmarshal string"),
    ]  # fmt: skip
    for body, needle in cases:
        status, _, raw = http_call(url, body)
        assert status == 400 and needle in json.loads(raw)["error"], raw
    with OllamaEmulator(models=["llama3.1:8b"]) as strict:
        status, _, raw = http_call(strict.base_url + "/api/chat", {"model": "nope", "messages": [user("x")]})
        assert status == 404 and json.loads(raw) == {"error": 'model "nope" not found, try pulling it first'}
        tags = json.loads(http_call(strict.base_url + "/api/tags", method="GET")[2])
        assert [m["name"] for m in tags["models"]] == ["llama3.1:8b"]
    assert json.loads(http_call(oll.base_url + "/api/version", method="GET")[2]) == {"version": "0.12.6"}


def test_ollama_errors_and_stream_error(oll: OllamaEmulator) -> None:
    url = oll.base_url + "/api/chat"
    body = {"model": "m", "messages": [user("x")]}
    oll.script(Reply.error(503, "server busy, please try again", retry_after=2))
    status, headers, raw = http_call(url, body)
    assert (status, json.loads(raw), headers["retry-after"]) == (
        503,
        {"error": "server busy, please try again"},
        "2",
    )
    oll.script(
        Reply(text=LONG_TEXT, fail_after_chunks=2, stream_error="model runner has unexpectedly stopped")
    )
    lines = ndjson(http_call(url, body)[2])
    assert len(lines) == 3 and lines[-1] == {"error": "model runner has unexpectedly stopped"}
