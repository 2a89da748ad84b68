"""Emulator self-tests, OpenAI and the shared base: the official SDK accepts the output; the emulator
rejects what the provider rejects."""

from __future__ import annotations

import http.client
import json
from typing import Any

import openai
import pytest

from tests.emulators import OpenAIEmulator, Reply, ToolCall
from tests.emulators.base import split_fragments, split_words
from tests.emulators.emulator_support import (
    LONG_TEXT,
    TRANSPORT_ERROR,
    WEATHER_TOOL,
    error_body,
    http_call,
    oai_call,
    openai_chunks,
    tool_deltas,
    user,
)


# ---------------------------------------------------------------------------------------------- base
def test_split_helpers_roundtrip() -> None:
    for text in ("", "one", "  leading and trailing  ", LONG_TEXT, "a\n\nb c\td e f g"):
        assert "".join(split_words(text)) == text
    assert len(split_words(LONG_TEXT)) > 3
    args = json.dumps({"city": "Paris", "units": "metric"})
    assert "".join(split_fragments(args)) == args and len(split_fragments(args)) >= 3


def test_script_fifo_default_reply_reset_and_records(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    with pytest.raises(LookupError):
        _ = oai.last_request
    oai.script(Reply(text="first"), Reply(text="second"))
    assert oai.pending == 2
    msgs = [user("hello " * 100)]
    assert (
        oai_client.chat.completions.create(model="gpt-4o", messages=msgs).choices[0].message.content
        == "first"
    )
    assert (
        oai_client.chat.completions.create(model="gpt-4o", messages=msgs).choices[0].message.content
        == "second"
    )
    default = oai_client.chat.completions.create(model="gpt-4o", messages=msgs).choices[0].message.content
    assert default == "Hello from the openai emulator. You said: " + ("hello " * 100)[:200]
    oai.default_reply = Reply(text="always")
    assert (
        oai_client.chat.completions.create(model="gpt-4o", messages=msgs).choices[0].message.content
        == "always"
    )
    rec = oai.last_request
    assert (rec.method, rec.path, rec.endpoint, rec.status) == ("POST", "/v1/chat/completions", "chat", 200)
    assert rec.headers["authorization"] == "Bearer sk-test" and rec.body["model"] == "gpt-4o"
    assert json.loads(rec.raw) == rec.body
    http_call(oai.base_url + "/nope", {})
    assert oai.last_request.status == 404 and len(oai.requests) == 5 and len(oai.chat_requests) == 4
    oai.reset()
    assert oai.requests == [] and oai.pending == 0 and oai.default_reply is None


# ---------------------------------------------------------------------------------------------- OpenAI
def test_openai_non_stream_text_and_usage(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    oai.script(Reply(text="Hi!", input_tokens=44, output_tokens=16))
    resp = oai_client.chat.completions.create(model="gpt-4o", messages=[user("hi")])
    assert resp.object == "chat.completion" and resp.id.startswith("chatcmpl-") and resp.model == "gpt-4o"
    assert resp.choices[0].message.content == "Hi!" and resp.choices[0].finish_reason == "stop"
    assert resp.usage is not None
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (44, 16, 60)


def test_openai_non_stream_tool_calls_and_reasoning(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    oai.script(
        Reply(thinking="Let me think.", tool_calls=[ToolCall("get_weather", {"city": "NYC"}, id="call_1")])
    )
    resp = oai_client.chat.completions.create(model="gpt-4o", messages=[user("w?")], tools=[WEATHER_TOOL])
    msg = resp.choices[0].message
    assert resp.choices[0].finish_reason == "tool_calls" and msg.content is None
    assert msg.tool_calls is not None and msg.tool_calls[0].id == "call_1"
    assert msg.tool_calls[0].function.name == "get_weather"
    assert json.loads(msg.tool_calls[0].function.arguments) == {"city": "NYC"}
    assert (msg.model_extra or {}).get("reasoning_content") == "Let me think."


def test_openai_stream_text_with_usage_chunk(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    oai.script(Reply(text=LONG_TEXT))
    stream = oai_client.chat.completions.create(
        model="gpt-4o", messages=[user("x")], stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[0].choices[0].delta.content == ""
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == LONG_TEXT
    assert len(chunks) > 5
    assert chunks[-2].choices[0].finish_reason == "stop" and chunks[-2].choices[0].delta.content is None
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert all(c.usage is None for c in chunks[:-1])


def test_openai_stream_without_include_usage_has_no_usage_chunk(oai: OpenAIEmulator) -> None:
    body = {"model": "gpt-4o", "messages": [user("x")], "stream": True}
    status, headers, raw = http_call(
        oai.base_url + "/v1/chat/completions", body, {"Authorization": "Bearer sk-test"}
    )
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert all(not line or line.startswith("data: ") for line in raw.decode().split("\n"))
    chunks = openai_chunks(raw)
    assert all(c["choices"] and "usage" not in c for c in chunks)


def test_openai_stream_helper_parallel_tool_calls(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    calls = [ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {"city": "Tokyo, Japan"})]
    oai.script(Reply(tool_calls=calls))
    with oai_client.chat.completions.stream(
        model="gpt-4o", messages=[user("w")], tools=[WEATHER_TOOL], stream_options={"include_usage": True}
    ) as stream:
        for _event in stream:
            pass
        final = stream.get_final_completion()
    choice = final.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.tool_calls is not None
    got = [json.loads(tc.function.arguments) for tc in choice.message.tool_calls]
    assert got == [{"city": "Paris"}, {"city": "Tokyo, Japan"}]
    assert all(tc.id.startswith("call_") for tc in choice.message.tool_calls)
    assert final.usage is not None and final.usage.completion_tokens > 0
    # wire shape: first delta of each call has id/type/name and arguments "", then index + fragments only
    body = {"model": "gpt-4o", "messages": [user("w")], "stream": True, "tools": [WEATHER_TOOL]}
    oai.script(Reply(tool_calls=calls))
    _, _, raw = http_call(oai.base_url + "/v1/chat/completions", body, {"Authorization": "Bearer sk-test"})
    chunks = openai_chunks(raw)
    first = chunks[0]["choices"][0]["delta"]
    assert first["role"] == "assistant" and first["content"] is None
    deltas = tool_deltas(chunks)
    openings = [d for d in deltas if "id" in d]
    assert [d["index"] for d in openings] == [0, 1]
    assert all(d["function"]["arguments"] == "" and d["type"] == "function" for d in openings)
    fragments = [d for d in deltas if "id" not in d]
    assert len(fragments) >= 4 and all(set(d) == {"index", "function"} for d in fragments)


def test_openai_quirk_flags(oai: OpenAIEmulator) -> None:
    url, auth = oai.base_url + "/v1/chat/completions", {"Authorization": "Bearer sk-test"}
    body = {"model": "gpt-4o", "messages": [user("w")], "stream": True, "tools": [WEATHER_TOOL]}
    call = [ToolCall("get_weather", {"city": "Paris", "units": "metric"})]

    def run(**quirks: bool) -> list[dict[str, Any]]:
        oai.script(Reply(tool_calls=call, **quirks))
        status, _, raw = http_call(url, body, auth)
        assert status == 200
        return openai_chunks(raw)

    deltas = tool_deltas(run(quirk_no_index=True))
    assert len(deltas) > 2 and all("index" not in d for d in deltas)
    deltas = tool_deltas(run(quirk_id_every_delta=True))
    assert len(deltas) > 2 and len({d["id"] for d in deltas}) == 1
    chunks = run(quirk_azure_filter_chunk=True)
    assert chunks[0]["choices"] == [] and chunks[0]["prompt_filter_results"] and chunks[0]["id"] == ""
    deltas = tool_deltas(run(quirk_whole_args=True))
    assert len(deltas) == 1 and json.loads(deltas[0]["function"]["arguments"]) == call[0].arguments
    chunks = run(quirk_finish_stop_with_tools=True)
    assert tool_deltas(chunks) and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    oai.script(Reply(tool_calls=call, quirk_finish_stop_with_tools=True))
    _, _, raw = http_call(url, {**body, "stream": False}, auth)
    assert json.loads(raw)["choices"][0]["finish_reason"] == "stop"


def test_openai_usage_false(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    oai.script(Reply(text="a b c", usage=False), Reply(text="x", usage=False))
    chunks = list(
        oai_client.chat.completions.create(
            model="gpt-4o", messages=[user("x")], stream=True, stream_options={"include_usage": True}
        )
    )
    assert all(c.choices and c.usage is None for c in chunks)
    assert oai_client.chat.completions.create(model="gpt-4o", messages=[user("x")]).usage is None


@pytest.mark.parametrize(
    ("messages", "extra", "needle"),
    [
        (
            [user("x"), {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}],
            {},
            "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
        ),
        (
            [
                user("x"),
                {"role": "assistant", "tool_calls": [oai_call("call_1"), oai_call("call_2")]},
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                user("and?"),
            ],
            {},
            "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
            "'tool_call_id'. The following tool_call_ids did not have response messages: call_2",
        ),
        (
            [
                user("x"),
                {"role": "assistant", "tool_calls": [oai_call("call_1", {"a": 1})]},
                {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
            ],
            {},
            "Invalid type for 'messages[1].tool_calls[0].function.arguments': expected a string, but got obj",
        ),
        ([{"role": "model", "content": "x"}], {}, "Invalid value: 'model'"),
        ([user("x")], {"stream_options": {"include_usage": True}}, "only allowed when 'stream' is enabled"),
        ([user("x")], {"extra_body": {"top_k": 5}}, "Unrecognized request argument supplied: top_k"),
        ([user("x")], {"tools": [{"name": "f"}]}, "Missing required parameter: 'tools[0].type'"),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
            {},
            "Missing required parameter: 'messages[0].content[0].image_url.url'",
        ),
        ([], {}, "Invalid 'messages': empty array"),
    ],
)  # fmt: skip
def test_openai_validation_errors(
    oai: OpenAIEmulator, oai_client: openai.OpenAI, messages: list[Any], extra: dict[str, Any], needle: str
) -> None:
    oai.script(Reply(text="never used"))
    with pytest.raises(openai.BadRequestError) as info:
        oai_client.chat.completions.create(model="gpt-4o", messages=messages, **extra)
    error = info.value.body
    assert isinstance(error, dict) and needle in error["message"] and error["type"] == "invalid_request_error"
    assert oai.pending == 1  # invalid requests do not consume the script


def test_openai_valid_tool_roundtrip_and_lenient_mode(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    history = [
        {"role": "system", "content": [{"type": "text", "text": "be brief"}]},
        {"role": "user", "content": [{"type": "text", "text": "w?"}, {"type": "image_url", "image_url": {
            "url": "data:image/png;base64,iVBORw0KGgo="}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "sunny"}]},
    ]  # fmt: skip
    resp = oai_client.chat.completions.create(model="gpt-4o", messages=history, tools=[WEATHER_TOOL])
    assert resp.choices[0].message.content == "Hello from the openai emulator. You said: w?"
    with OpenAIEmulator(name="llamacpp", strict_params=False) as lenient:
        client = openai.OpenAI(base_url=lenient.base_url + "/v1", api_key="x", max_retries=0)
        assert client.chat.completions.create(
            model="m", messages=[user("x")], extra_body={"top_k": 5}
        ).choices


def test_openai_auth_failures(oai: OpenAIEmulator) -> None:
    with pytest.raises(openai.AuthenticationError) as info:
        openai.OpenAI(base_url=oai.base_url + "/v1", api_key="sk-wrong-key-1234", max_retries=0).models.list()
    assert error_body(info.value)["code"] == "invalid_api_key"
    assert "Incorrect API key provided" in error_body(info.value)["message"]
    status, _, raw = http_call(oai.base_url + "/v1/chat/completions", {"model": "m", "messages": [user("x")]})
    assert status == 401 and "You didn't provide an API key" in json.loads(raw)["error"]["message"]
    assert [m.id for m in openai.OpenAI(base_url=oai.base_url + "/v1", api_key="sk-test").models.list()]


def test_openai_scripted_429_retry_after_and_sdk_retry(oai: OpenAIEmulator) -> None:
    body = {"model": "gpt-4o", "messages": [user("x")]}
    oai.script(Reply.error(429, "Rate limit reached for gpt-4o", retry_after=7))
    status, headers, raw = http_call(
        oai.base_url + "/v1/chat/completions", body, {"Authorization": "Bearer sk-test"}
    )
    assert status == 429 and headers["retry-after"] == "7"
    assert json.loads(raw)["error"] == {
        "message": "Rate limit reached for gpt-4o",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
    # the SDK honours retry-after(-ms) and retries; the second scripted reply succeeds
    oai.script(Reply(status=429, retry_after=1, headers={"retry-after-ms": "10"}), Reply(text="after retry"))
    client = openai.OpenAI(base_url=oai.base_url + "/v1", api_key="sk-test", max_retries=1)
    assert client.chat.completions.create(model="gpt-4o", messages=[user("x")]).choices[
        0
    ].message.content == ("after retry")
    assert [r.status for r in oai.chat_requests[-2:]] == [429, 200]


def test_openai_context_overflow(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    oai.script(
        Reply.context_overflow(limit=8192, tokens=9000),
        Reply(
            status=400,
            error_message="This model's maximum context length is 8192 tokens. However, you requested 9999.",
            error_type="invalid_request_error",
        ),
    )
    for expected in ("However, your messages resulted in 9000 tokens", "you requested 9999."):
        with pytest.raises(openai.BadRequestError) as info:
            oai_client.chat.completions.create(model="gpt-4o", messages=[user("x")])
        assert info.value.code == "context_length_exceeded"
        assert (
            "maximum context length is 8192 tokens" in info.value.message and expected in info.value.message
        )


def test_openai_fail_after_chunks_and_stream_error(oai: OpenAIEmulator, oai_client: openai.OpenAI) -> None:
    oai.script(Reply(text=LONG_TEXT, fail_after_chunks=3))
    received = []
    with pytest.raises(Exception, match=TRANSPORT_ERROR):
        for chunk in oai_client.chat.completions.create(model="gpt-4o", messages=[user("x")], stream=True):
            received.append(chunk)
    assert len(received) == 3 and oai.disconnects == 0
    oai.script(Reply(text=LONG_TEXT, fail_after_chunks=2, stream_error="The server had an error"))
    with pytest.raises(openai.APIError, match="The server had an error"):
        list(oai_client.chat.completions.create(model="gpt-4o", messages=[user("x")], stream=True))
    oai.script(Reply(fail_after_chunks=0))  # non-stream: connection dropped without a response
    with pytest.raises(openai.APIConnectionError):
        oai_client.chat.completions.create(model="gpt-4o", messages=[user("x")])


def test_raw_body_garbage(oai: OpenAIEmulator) -> None:
    oai.script(Reply(status=502, raw_body=b"<html>502 Bad Gateway</html>", content_type="text/html"))
    status, headers, raw = http_call(
        oai.base_url + "/v1/chat/completions",
        {"model": "m", "messages": [user("x")]},
        {"Authorization": "Bearer sk-test"},
    )
    assert (status, raw) == (502, b"<html>502 Bad Gateway</html>") and headers["content-type"].startswith(
        "text/html"
    )


def test_client_disconnect_is_counted(oai: OpenAIEmulator) -> None:
    oai.script(Reply(text=LONG_TEXT, chunk_delay=0.2))
    conn = http.client.HTTPConnection("127.0.0.1", oai.port, timeout=5)
    payload = {"model": "gpt-4o", "messages": [user("x")], "stream": True}
    conn.request("POST", "/v1/chat/completions", json.dumps(payload), {"Authorization": "Bearer sk-test"})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read(20).startswith(b"data: ")
    assert oai.open_streams == 1
    resp.close()
    conn.close()
    assert oai.wait_until(lambda: oai.disconnects == 1 and oai.open_streams == 0, timeout=3)
    # a client that gives up while the emulator is still delaying its headers
    oai.script(Reply(delay=3))
    with pytest.raises(TimeoutError):
        http_call(
            oai.base_url + "/v1/chat/completions", payload, {"Authorization": "Bearer sk-test"}, timeout=0.2
        )
    assert oai.wait_until(lambda: oai.disconnects == 2, timeout=3)


def test_azure_mode(oai: OpenAIEmulator) -> None:
    with OpenAIEmulator(name="azure", expected_key="az-key", azure=True) as az:
        client = openai.AzureOpenAI(
            azure_endpoint=az.base_url, api_key="az-key", api_version="2024-08-01-preview", max_retries=0
        )
        resp = client.chat.completions.create(model="my-gpt4o", messages=[user("hi")])
        assert resp.choices[0].message.content == "Hello from the azure emulator. You said: hi"
        rec = az.last_request
        assert rec.deployment == "my-gpt4o" and rec.query["api-version"] == "2024-08-01-preview"
        assert (
            rec.path == "/openai/deployments/my-gpt4o/chat/completions" and rec.headers["api-key"] == "az-key"
        )
        az.script(Reply(text=LONG_TEXT))
        chunks = list(client.chat.completions.create(model="my-gpt4o", messages=[user("hi")], stream=True))
        assert chunks[0].choices == [] and (chunks[0].model_extra or {}).get("prompt_filter_results")
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == LONG_TEXT
        url = az.base_url + "/openai/deployments/my-gpt4o/chat/completions"
        status, _, raw = http_call(url, {"messages": [user("x")]}, {"api-key": "az-key"})
        assert status == 400 and "api-version" in json.loads(raw)["error"]["message"]
        status, _, raw = http_call(
            url + "?api-version=2024-10-21", {"messages": [user("x")]}, {"api-key": "bad"}
        )
        assert status == 401 and json.loads(raw)["error"]["code"] == "401"
        status, _, _ = http_call(
            url + "?api-version=2024-10-21", {"messages": [user("x")]}, {"api-key": "az-key"}
        )
        assert status == 200
        status, _, _ = http_call(
            az.base_url + "/v1/chat/completions", {"model": "m", "messages": [user("x")]}
        )
        assert status == 404
