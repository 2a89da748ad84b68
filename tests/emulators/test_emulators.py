"""Self-tests: the official SDKs accept the emulators' output; the emulators reject what providers reject."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from tests.emulators import AnthropicEmulator, OllamaEmulator, OpenAIEmulator, Reply, ToolCall
from tests.emulators.base import split_fragments, split_words

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


@pytest.fixture
def oai() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(expected_key="sk-test") as em:
        yield em


@pytest.fixture
def oai_client(oai: OpenAIEmulator) -> openai.OpenAI:
    return openai.OpenAI(base_url=oai.base_url + "/v1", api_key="sk-test", max_retries=0)


@pytest.fixture
def ant() -> Iterator[AnthropicEmulator]:
    with AnthropicEmulator(expected_key="ant-key") as em:
        yield em


@pytest.fixture
def ant_client(ant: AnthropicEmulator) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=ant.base_url, api_key="ant-key", max_retries=0)


@pytest.fixture
def oll() -> Iterator[OllamaEmulator]:
    with OllamaEmulator() as em:
        yield em


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


# ---------------------------------------------------------------------------------------------- Anthropic
def test_anthropic_non_stream_text(ant: AnthropicEmulator, ant_client: anthropic.Anthropic) -> None:
    msg = ant_client.messages.create(model="claude-sonnet-4-6", max_tokens=100, messages=[user("hi")])
    assert msg.type == "message" and msg.role == "assistant" and msg.stop_reason == "end_turn"
    assert (
        msg.content[0].type == "text"
        and msg.content[0].text == "Hello from the anthropic emulator. You said: hi"
    )
    assert msg.usage.input_tokens > 0 and msg.usage.output_tokens > 0
    rec = ant.last_request
    # anthropic 2.x sends the api key as Bearer and a newer anthropic-version than 2023-06-01
    assert rec.headers["authorization"] == "Bearer ant-key" and "anthropic-version" in rec.headers


def test_anthropic_stream_thinking_text_tool_and_signed_roundtrip(
    ant: AnthropicEmulator, ant_client: anthropic.Anthropic
) -> None:
    ant.script(
        Reply(
            thinking="I should check the weather.",
            text="Let me check.",
            tool_calls=[ToolCall("get_weather", {"city": "Paris"})],
            input_tokens=377,
        )
    )
    params: dict[str, Any] = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 2048,
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "tools": [ANTHROPIC_TOOL],
    }
    with ant_client.messages.stream(messages=[user("weather in Paris?")], **params) as stream:
        final = stream.get_final_message()
    assert [b.type for b in final.content] == ["thinking", "text", "tool_use"]
    thinking, text, tool = final.content
    assert thinking.type == "thinking" and thinking.thinking == "I should check the weather."
    assert thinking.signature.startswith("sig-emulated-")
    assert text.type == "text" and text.text == "Let me check."
    assert tool.type == "tool_use" and tool.input == {"city": "Paris"} and tool.id.startswith("toolu_")
    assert (
        final.stop_reason == "tool_use" and final.usage.input_tokens == 377 and final.usage.output_tokens > 1
    )
    # the signed history is accepted back verbatim
    history = [
        user("weather in Paris?"),
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in final.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "sunny"}]},
    ]
    ant.script(Reply(text="It is sunny."))
    again = ant_client.messages.create(messages=history, **params)
    assert again.content[0].type == "text" and again.content[0].text == "It is sunny."
    # ... but not with the thinking text altered, nor without the thinking block while thinking is on
    history[1]["content"][0]["thinking"] = "tampered"
    with pytest.raises(anthropic.BadRequestError, match="Invalid `signature` in `thinking` block"):
        ant_client.messages.create(messages=history, **params)
    history[1]["content"] = history[1]["content"][1:]
    with pytest.raises(anthropic.BadRequestError, match="must start with a thinking block"):
        ant_client.messages.create(messages=history, **params)


def test_anthropic_stream_wire_sequence(ant: AnthropicEmulator) -> None:
    ant.script(
        Reply(thinking="hmm yes", text=LONG_TEXT, tool_calls=[ToolCall("get_weather", {"city": "Oslo"})])
    )
    body = {"model": "claude-sonnet-4-6", "max_tokens": 50, "messages": [user("x")], "stream": True}
    status, headers, raw = http_call(
        ant.base_url + "/v1/messages", body, {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    )
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = sse_events(raw)
    assert all(name == data["type"] for name, data in events)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names[1:3] == ["content_block_start", "ping"]
    start = events[0][1]["message"]
    assert (
        start["content"] == [] and start["usage"]["output_tokens"] == 1 and start["usage"]["input_tokens"] > 0
    )
    starts = [d for n, d in events if n == "content_block_start"]
    assert [d["index"] for d in starts] == [0, 1, 2]
    assert starts[0]["content_block"] == {"type": "thinking", "thinking": "", "signature": ""}
    assert starts[2]["content_block"]["input"] == {}
    deltas = [d["delta"] for n, d in events if n == "content_block_delta"]
    kinds = [d["type"] for d in deltas]
    assert kinds.index("signature_delta") == kinds.count("thinking_delta")
    json_parts = [d["partial_json"] for d in deltas if d["type"] == "input_json_delta"]
    assert json_parts[0] == "" and len(json_parts) > 2 and json.loads("".join(json_parts)) == {"city": "Oslo"}
    # one block open at a time
    open_block = None
    for name, data in events:
        if name == "content_block_start":
            assert open_block is None
            open_block = data["index"]
        elif name == "content_block_delta":
            assert data["index"] == open_block
        elif name == "content_block_stop":
            assert data["index"] == open_block
            open_block = None
    delta = events[-2][1]
    assert (
        delta["delta"] == {"stop_reason": "tool_use", "stop_sequence": None}
        and delta["usage"]["output_tokens"] > 1
    )


@pytest.mark.parametrize(
    ("messages", "extra", "needle"),
    [
        (
            [user("x"), {"role": "assistant", "content": "ok"}, tool_result("toolu_orphan")],
            {},
            "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_orphan. "
            "Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
        ),
        (
            [user("x"), tool_use("toolu_1"), user("never answered")],
            {},
            "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. "
            "Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
        ),
        ([{"role": "user", "content": [{"type": "text", "text": ""}]}], {},
         "messages: text content blocks must be non-empty"),
        ([{"role": "user", "content": [{"type": "text", "text": "  "}]}], {},
         "messages: text content blocks must contain non-whitespace text"),
        (
            [user("x"), {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "t", "signature": "EqQBCkYIBxgCKkB"},
                {"type": "text", "text": "y"}]}, user("z")],
            {},
            "messages.1.content.0: Invalid `signature` in `thinking` block",
        ),
        ([{"role": "system", "content": "sys"}, user("x")], {},
         "messages.0.role: Input should be 'user' or 'assistant'"),
        ([{"role": "assistant", "content": "x"}], {}, 'first message must use the "user" role'),
        (
            [user("x"), tool_use("call:1"), tool_result("call_1")],
            {},
            "tool_use.id: String should match pattern",
        ),
        (
            [user("x"), tool_use("toolu_1", "{}"), tool_result("toolu_1")],
            {},
            "messages.1.content.0.tool_use.input: Input should be a valid dictionary",
        ),
        ([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}], {},
         "Input tag 'image_url' found using 'type' does not match"),
        ([{"role": "user", "content": [{"type": "image", "source": {
            "type": "base64", "media_type": "image/png", "data": "data:image/png;base64,AAAA"}}]}], {},
         "Invalid base64 data"),
        ([user("x")], {"system": [{"type": "text", "text": ""}]}, "system: text content blocks must be non-"),
        ([user("x")], {"tools": [{"name": "f", "parameters": {"type": "object"}}]},
         "tools.0.custom.parameters: Extra inputs are not permitted"),
        ([user("x")], {"tools": [{"name": "f"}]}, "tools.0.custom.input_schema: Field required"),
        ([user("x")], {"tool_choice": "auto", "tools": [ANTHROPIC_TOOL]}, "tool_choice: Input should be a"),
        ([user("x")], {"extra_body": {"temperature": 1.5}}, "temperature: Input should be less than"),
        ([user("x")], {"extra_body": {"stream_options": {}}}, "stream_options: Extra inputs are not"),
        ([user("x")], {"thinking": {"type": "enabled", "budget_tokens": 4096}},
         "`max_tokens` must be greater than `thinking.budget_tokens`"),
    ],
)  # fmt: skip
def test_anthropic_validation_errors(
    ant: AnthropicEmulator,
    ant_client: anthropic.Anthropic,
    messages: list[Any],
    extra: dict[str, Any],
    needle: str,
) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        ant_client.messages.create(model="claude-sonnet-4-6", max_tokens=1000, messages=messages, **extra)
    body = info.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error" and needle in body["error"]["message"]


def test_anthropic_headers_and_auth(ant: AnthropicEmulator) -> None:
    url = ant.base_url + "/v1/messages"
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    status, _, raw = http_call(url, body, {"x-api-key": "ant-key"})
    assert status == 400 and json.loads(raw)["error"]["message"] == "anthropic-version: header is required"
    status, _, raw = http_call(
        url,
        {"model": "m", "messages": [user("x")]},
        {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"},
    )
    assert status == 400 and json.loads(raw)["error"]["message"] == "max_tokens: Field required"
    with pytest.raises(anthropic.AuthenticationError) as info:
        anthropic.Anthropic(base_url=ant.base_url, api_key="wrong", max_retries=0).messages.create(**body)
    assert error_body(info.value)["error"]["type"] == "authentication_error"
    status, _, _ = http_call(url, body, {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"})
    assert status == 200
    status, _, _ = http_call(
        url, body, {"authorization": "Bearer ant-key", "anthropic-version": "2023-06-01"}
    )
    assert status == 200


def test_anthropic_scripted_errors(ant: AnthropicEmulator, ant_client: anthropic.Anthropic) -> None:
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    ant.script(Reply(status=529))
    with pytest.raises(anthropic.APIStatusError) as info:
        ant_client.messages.create(**body)
    assert info.value.status_code == 529
    assert error_body(info.value)["error"] == {"type": "overloaded_error", "message": "Overloaded"}
    ant.script(Reply.error(429, "slow down", retry_after=12))
    status, headers, raw = http_call(
        ant.base_url + "/v1/messages", body, {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    )
    assert status == 429 and headers["retry-after"] == "12"
    assert json.loads(raw)["error"] == {"type": "rate_limit_error", "message": "slow down"}
    ant.script(Reply.context_overflow(limit=200000, tokens=210000))
    with pytest.raises(anthropic.BadRequestError, match="prompt is too long: 210000 tokens > 200000 maximum"):
        ant_client.messages.create(**body)


def test_anthropic_stream_failures(ant: AnthropicEmulator, ant_client: anthropic.Anthropic) -> None:
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    ant.script(Reply(text=LONG_TEXT, fail_after_chunks=4))
    events = []
    with pytest.raises(Exception, match=TRANSPORT_ERROR), ant_client.messages.stream(**body) as stream:
        for event in stream:
            events.append(event)
    assert events and events[0].type == "message_start"
    ant.script(Reply(text=LONG_TEXT, fail_after_chunks=3, stream_error="Overloaded"))
    with (
        pytest.raises(anthropic.APIStatusError, match="Overloaded"),
        ant_client.messages.stream(**body) as stream,
    ):
        stream.get_final_message()


def test_anthropic_count_tokens_models_prefix_and_beta(ant: AnthropicEmulator) -> None:
    client = anthropic.Anthropic(base_url=ant.base_url, api_key="ant-key", max_retries=0)
    count = client.messages.count_tokens(model="claude-sonnet-4-6", messages=[user("hello world " * 20)])
    assert count.input_tokens > 10 and ant.last_request.endpoint == "count_tokens"
    assert [m.id for m in client.models.list()]
    foundry = anthropic.Anthropic(base_url=ant.base_url + "/anthropic", api_key="ant-key", max_retries=0)
    assert foundry.messages.create(model="claude-sonnet-4-6", max_tokens=10, messages=[user("x")]).content
    assert ant.last_request.path == "/anthropic/v1/messages"
    body = {"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": [user("x")]}
    headers = {"x-api-key": "ant-key", "anthropic-version": "2023-06-01"}
    assert http_call(ant.base_url + "/v1/messages?beta=true", body, headers)[0] == 200
    assert ant.last_request.query == {"beta": "true"} and ant.last_request.headers["x-api-key"] == "ant-key"


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
