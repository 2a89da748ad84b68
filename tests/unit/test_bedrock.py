"""Bedrock Converse: translation, event-stream framing, SigV4, and the provider against the emulator."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from botocore.credentials import ReadOnlyCredentials
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    ImageBlock,
    Message,
    MessageDelta,
    MessageStart,
    MessageStop,
    Request,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    Tool,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.config.load import load_config
from daemon.config.model import ConfigError, ProviderConfig
from daemon.dialects import bedrock_converse as converse
from daemon.errors import ErrorKind, LynkrError
from daemon.providers import bedrock
from daemon.providers.bedrock import BedrockProvider, event_stream, model_path, sign
from daemon.streams import StreamAccumulator
from tests.emulators import AwsCredentials, BedrockEmulator, Reply, ToolCall
from tests.emulators.bedrock_emulator import encode_message

PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
CREDS = AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token-123")


def req(*messages: Message, **kw: Any) -> Request:
    return Request(model="client-model", messages=list(messages), **kw)


def user(*blocks: Any) -> Message:
    return Message("user", list(blocks))


def assistant(*blocks: Any) -> Message:
    return Message("assistant", list(blocks))


# --------------------------------------------------------------------------- event-stream framing

# botocore's published vectors (boto/botocore tests/unit/test_eventstream.py).
EMPTY_MESSAGE = b"\x00\x00\x00\x10\x00\x00\x00\x00\x05\xc2H\xeb}\x98\xc8\xff"
PAYLOAD_ONE_STR_HEADER = (
    b"\x00\x00\x00=\x00\x00\x00 \x07\xfd\x83\x96\x0ccontent-type\x07\x00\x10"
    b"application/json{'foo':'bar'}\x8d\x9c\x08\xb1"
)
ERROR_EVENT_MESSAGE = (
    b"\x00\x00\x00\x52\x00\x00\x00\x42\xbf\x23\x63\x7e"
    b"\x0d:message-type\x07\x00\x05error"
    b"\x0b:error-code\x07\x00\x04code"
    b"\x0e:error-message\x07\x00\x07message"
    b"\x6b\x6c\xea\x3d"
)
CORRUPTED_PAYLOAD = b"\x00\x00\x00\x1d\x00\x00\x00\x00\xfdR\x8cZ{'foo':'bar'\x8d\xc3e96"


def test_emulator_encoder_matches_botocore_vectors() -> None:
    assert encode_message({}, b"") == EMPTY_MESSAGE
    assert encode_message({"content-type": "application/json"}, b"{'foo':'bar'}") == PAYLOAD_ONE_STR_HEADER
    error_headers = {":message-type": "error", ":error-code": "code", ":error-message": "message"}
    assert encode_message(error_headers, b"") == ERROR_EVENT_MESSAGE


def test_botocore_decodes_the_vectors_split_anywhere() -> None:
    data = EMPTY_MESSAGE + PAYLOAD_ONE_STR_HEADER + ERROR_EVENT_MESSAGE
    for cut in range(1, len(data)):
        buffer = EventStreamBuffer()
        buffer.add_data(data[:cut])
        messages = list(buffer)
        buffer.add_data(data[cut:])
        messages += list(buffer)
        assert [m.payload for m in messages] == [b"", b"{'foo':'bar'}", b""]
        assert messages[2].headers[":error-code"] == "code"


class FakeContent:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    async def iter_any(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


class FakeResponse:
    def __init__(self, chunks: list[bytes]) -> None:
        self.content = FakeContent(chunks)


async def _events(chunks: list[bytes]) -> list[tuple[str | None, str]]:
    return [e async for e in event_stream(FakeResponse(chunks))]  # type: ignore[arg-type]


async def test_event_stream_yields_events_exceptions_and_errors_byte_by_byte() -> None:
    frames = (
        encode_message({":message-type": "event", ":event-type": "messageStart"}, b'{"role":"assistant"}')
        + encode_message(
            {":message-type": "exception", ":exception-type": "throttlingException"}, b'{"message":"slow"}'
        )
        + ERROR_EVENT_MESSAGE
    )
    events = await _events([frames[i : i + 1] for i in range(len(frames))])
    assert events == [
        ("messageStart", '{"role":"assistant"}'),
        ("exception:throttlingException", '{"message":"slow"}'),
        ("exception:code", '{"message":"message"}'),
    ]


async def test_corrupt_frame_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="ChecksumMismatch"):
        await _events([CORRUPTED_PAYLOAD])
    with pytest.raises(ChecksumMismatch):  # the decoder we rely on really checks
        buffer = EventStreamBuffer()
        buffer.add_data(CORRUPTED_PAYLOAD)
        list(buffer)


# --------------------------------------------------------------------------- SigV4


def _hand_signature(
    secret: str,
    stamp: str,
    region: str,
    canonical_uri: str,
    headers: dict[str, str],
    body: bytes,
    service: str = "bedrock",
) -> str:
    """SigV4 from the AWS spec, written independently of botocore."""
    names = sorted(headers)
    canonical = "\n".join(
        [
            "POST",
            canonical_uri,
            "",
            "".join(f"{n}:{headers[n].strip()}\n" for n in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in (stamp[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_the_hand_signer_reproduces_a_published_vector() -> None:
    """openai/openai-python tests/fixtures/bedrock/v1/sigv4.json (AWS documentation example keys)."""
    body = b'{"model":"gpt-4o","input":"hello"}'
    stamp = "20250102T030405Z"
    headers = {
        "content-type": "application/json",
        "host": "bedrock-mantle.us-east-1.api.aws",
        "x-amz-content-sha256": hashlib.sha256(body).hexdigest(),
        "x-amz-date": stamp,
        "x-amz-security-token": "fixture-session-token",
    }
    assert (
        headers["x-amz-content-sha256"] == "50329e51ad520f21b77bad0b01999930ff556cd1bf18434701251ba6c9f877bc"
    )
    signature = _hand_signature(
        CREDS.secret_key, stamp, "us-east-1", "/openai/v1/responses", headers, body, "bedrock-mantle"
    )
    assert signature == "dc20c8fbe516daf0ccae7e5b7a78fc2936870413a9f1af6e1b2d44b970ce411f"


def test_sigv4_headers_equal_the_spec_for_a_fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = dt.datetime(2025, 3, 14, 15, 9, 26)
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda *a, **k: fixed)
    model = "anthropic.claude-3-haiku-20240307-v1:0"
    url = "https://bedrock-runtime.us-west-2.amazonaws.com" + model_path(model, stream=True)
    body = b'{"messages":[]}'
    creds = ReadOnlyCredentials(CREDS.access_key, CREDS.secret_key, CREDS.token)
    headers = sign(url, body, {"content-type": "application/json"}, creds, "us-west-2")

    stamp = "20250314T150926Z"
    assert headers["X-Amz-Date"] == stamp
    assert headers["X-Amz-Security-Token"] == CREDS.token
    signed = {
        "content-type": "application/json",
        "host": "bedrock-runtime.us-west-2.amazonaws.com",
        "x-amz-date": stamp,
        "x-amz-security-token": CREDS.token,
    }
    # The URL carries ':' encoded once (%3A); the canonical URI encodes it again (%253A).
    assert "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream" in url
    canonical_uri = "/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse-stream"
    expected = _hand_signature(CREDS.secret_key, stamp, "us-west-2", canonical_uri, signed, body)
    assert headers["Authorization"] == (
        f"AWS4-HMAC-SHA256 Credential={CREDS.access_key}/20250314/us-west-2/bedrock/aws4_request, "
        f"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature={expected}"
    )


def test_model_path_encodes_ids_and_arns_once() -> None:
    assert model_path("amazon.nova-pro-v1:0", False) == "/model/amazon.nova-pro-v1%3A0/converse"
    assert model_path(ARN, True) == f"/model/{quote(ARN, safe='')}/converse-stream"
    assert "%25" not in model_path(ARN, True)


# --------------------------------------------------------------------------- request


def test_request_body_system_inference_tools_and_history() -> None:
    request = req(
        user(TextBlock("look"), ImageBlock("image/png", PNG_B64)),
        assistant(
            ThinkingBlock("hmm", "sig-b", origin="bedrock"),
            ThinkingBlock("foreign", "sig-a", origin="anthropic"),
            TextBlock("reading"),
            ToolUseBlock("tooluse_1", "read_file", {"path": "a.py"}),
        ),
        user(TextBlock("and?"), ToolResultBlock("tooluse_1", [TextBlock("print(1)")], is_error=True)),
        user(TextBlock("  ")),
        system=[TextBlock("Be terse.", cache_control={"type": "ephemeral"})],
        max_tokens=100,
        temperature=0.2,
        top_p=0.9,
        top_k=5,
        stop=["END"],
        tools=[
            Tool("read_file", "Read a file", {"type": "object", "properties": {"path": {"type": "string"}}})
        ],
        tool_choice=ToolChoice("tool", "read_file"),
    )
    body = converse.build_request(request, "anthropic.claude-sonnet-4-5-v1:0")
    assert body["system"] == [{"text": "Be terse."}, {"cachePoint": {"type": "default"}}]
    assert body["inferenceConfig"] == {
        "maxTokens": 100,
        "temperature": 0.2,
        "topP": 0.9,
        "stopSequences": ["END"],
    }
    assert body["additionalModelRequestFields"] == {"top_k": 5}
    assert body["toolConfig"]["toolChoice"] == {"tool": {"name": "read_file"}}
    assert body["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]["properties"] == {
        "path": {"type": "string"}
    }
    first, second, third = body["messages"]
    assert first["content"][1] == {"image": {"format": "png", "source": {"bytes": PNG_B64}}}
    assert second["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "sig-b"}}},
        {"text": "reading"},
        {"toolUse": {"toolUseId": "tooluse_1", "name": "read_file", "input": {"path": "a.py"}}},
    ]
    # Tool results lead the user turn; the blank user turn after it was merged away.
    assert third == {
        "role": "user",
        "content": [
            {"toolResult": {"toolUseId": "tooluse_1", "content": [{"text": "print(1)"}], "status": "error"}},
            {"text": "and?"},
        ],
    }


def test_history_with_tool_blocks_but_no_tools_still_declares_them() -> None:
    request = req(
        user(TextBlock("go")),
        assistant(ToolUseBlock("t1", "grep", {})),
        user(ToolResultBlock("t1", [])),
    )
    body = converse.build_request(request, "amazon.nova-pro-v1:0")
    assert [t["toolSpec"]["name"] for t in body["toolConfig"]["tools"]] == ["grep"]
    assert body["messages"][2]["content"][0]["toolResult"]["content"] == [{"text": converse.NO_OUTPUT}]
    assert "additionalModelRequestFields" not in body


def test_data_url_images_and_url_images() -> None:
    body = converse.build_request(
        req(user(ImageBlock(url=f"data:image/jpeg;base64,{PNG_B64}"), ImageBlock(url="https://x/y.png"))), "m"
    )
    first, second = body["messages"][0]["content"]
    assert first == {"image": {"format": "jpeg", "source": {"bytes": PNG_B64}}}
    assert "omitted" in second["text"]


# --------------------------------------------------------------------------- response


def test_parse_response_blocks_stop_reason_and_cache_usage() -> None:
    body = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"reasoningContent": {"reasoningText": {"text": "think", "signature": "s1"}}},
                    {"text": "Let me look."},
                    {"toolUse": {"toolUseId": "tooluse_9", "name": "read_file", "input": {"path": "x"}}},
                ],
            }
        },
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": 10,
            "outputTokens": 5,
            "totalTokens": 45,
            "cacheReadInputTokens": 20,
            "cacheWriteInputTokens": 10,
        },
    }
    response = converse.parse_response(body, "bedrock")
    assert response.content == [
        ThinkingBlock("think", "s1", origin="bedrock"),
        TextBlock("Let me look."),
        ToolUseBlock("tooluse_9", "read_file", {"path": "x"}),
    ]
    assert response.stop_reason is StopReason.TOOL_USE  # calls decide, whatever the upstream said
    assert response.usage == Usage(10, 5, cache_read_tokens=20, cache_write_tokens=10)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("end_turn", StopReason.END_TURN),
        ("max_tokens", StopReason.MAX_TOKENS),
        ("stop_sequence", StopReason.STOP_SEQUENCE),
        ("guardrail_intervened", StopReason.REFUSAL),
        ("content_filtered", StopReason.REFUSAL),
        ("model_context_window_exceeded", StopReason.CONTEXT_WINDOW_EXCEEDED),
        ("malformed_tool_use", StopReason.END_TURN),
    ],
)
def test_stop_reasons(wire: str, expected: StopReason) -> None:
    assert converse.stop_reason(wire, False) is expected


def test_malformed_response_is_an_upstream_error() -> None:
    with pytest.raises(LynkrError) as info:
        converse.parse_response({"output": {}}, "bedrock")
    assert info.value.kind is ErrorKind.UPSTREAM


# --------------------------------------------------------------------------- stream


def _feed(events: list[tuple[str, dict[str, Any]]], finish: bool = True) -> list[StreamEvent]:
    decoder = converse.StreamDecoder("msg_1", "m", Usage(input_tokens=7, estimated=True))
    out: list[StreamEvent] = []
    for name, payload in events:
        out += decoder.feed(name, orjson.dumps(payload).decode())
    if finish:
        out += decoder.finish()
    return out


def test_stream_text_reasoning_tool_and_late_usage() -> None:
    events = _feed(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "hm"}}}),
            (
                "contentBlockDelta",
                {"contentBlockIndex": 0, "delta": {"reasoningContent": {"signature": "S"}}},
            ),
            ("contentBlockStop", {"contentBlockIndex": 0}),
            ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "Hi "}}),
            ("contentBlockDelta", {"contentBlockIndex": 1, "delta": {"text": "there"}}),
            ("contentBlockStop", {"contentBlockIndex": 1}),
            (
                "contentBlockStart",
                {"contentBlockIndex": 2, "start": {"toolUse": {"toolUseId": "tu_1", "name": "grep"}}},
            ),
            ("contentBlockDelta", {"contentBlockIndex": 2, "delta": {"toolUse": {"input": '{"q":'}}}),
            ("contentBlockDelta", {"contentBlockIndex": 2, "delta": {"toolUse": {"input": '"x"}'}}}),
            ("contentBlockStop", {"contentBlockIndex": 2}),
            ("messageStop", {"stopReason": "tool_use"}),
            ("metadata", {"usage": {"inputTokens": 3, "outputTokens": 9, "cacheReadInputTokens": 4}}),
        ],
        finish=False,
    )
    assert isinstance(events[0], MessageStart)
    assert events[-2:] == [
        MessageDelta(StopReason.TOOL_USE, Usage(3, 9, cache_read_tokens=4)),
        MessageStop(),
    ]
    accumulator = StreamAccumulator()
    for event in events:
        accumulator.add(event)
    assert accumulator.response().content == [
        ThinkingBlock("hm", "S", origin="bedrock"),
        TextBlock("Hi there"),
        ToolUseBlock("tu_1", "grep", {"q": "x"}),
    ]
    starts = [e.index for e in events if isinstance(e, BlockStart)]
    stops = [e.index for e in events if isinstance(e, BlockStop)]
    assert starts == stops == [0, 1, 2]
    assert all(e.index in (0, 1, 2) for e in events if isinstance(e, BlockDelta))


def test_stream_without_metadata_estimates_usage_at_eof() -> None:
    events = _feed(
        [
            ("messageStart", {"role": "assistant"}),
            ("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "abcdefgh"}}),
            ("messageStop", {"stopReason": "max_tokens"}),
        ]
    )
    delta = next(e for e in events if isinstance(e, MessageDelta))
    assert delta.stop_reason is StopReason.MAX_TOKENS
    assert delta.usage.estimated and delta.usage.input_tokens == 7 and delta.usage.output_tokens == 2


def test_stream_exception_event_and_truncation() -> None:
    decoder = converse.StreamDecoder("msg_1", "m", Usage())
    decoder.feed("messageStart", "{}")
    [error] = decoder.feed("exception:throttlingException", '{"message":"Too many tokens"}')
    assert isinstance(error, StreamError) and error.error.kind is ErrorKind.RATE_LIMIT
    assert "Too many tokens" in error.error.message
    [cut] = _feed([("messageStart", {"role": "assistant"})])[-1:]
    assert isinstance(cut, StreamError) and "messageStop" in cut.error.message


# --------------------------------------------------------------------------- provider against the emulator


def _provider(emulator: BedrockEmulator, env: dict[str, str], **options: Any) -> BedrockProvider:
    config = ProviderConfig(
        "aws",
        "bedrock",
        base_url=emulator.base_url,
        api_key_env="TEST_BEDROCK_KEY",
        options=MappingProxyType({"region": "us-east-1", **options}),
    )
    return BedrockProvider(config, env)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """botocore reads the process environment; point it at test credentials only."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDS.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDS.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", str(CREDS.token))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    (tmp_path / "credentials").write_text(
        "[team]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


@pytest.fixture
def emulator() -> Any:
    with BedrockEmulator(
        credentials=[CREDS, AwsCredentials("AKIDPROFILE", "profile-secret")],
        bearer_token="bedrock-api-key-xyz",
    ) as upstream:
        yield upstream


async def test_sigv4_from_env_with_session_token_and_arn(aws_env: None, emulator: BedrockEmulator) -> None:
    emulator.script(Reply(text="hello", input_tokens=12, output_tokens=3))
    provider = _provider(emulator, {})
    try:
        response = await provider.complete(req(user(TextBlock("hi"))), ARN)
    finally:
        await provider.close()
    assert response.content == [TextBlock("hello")]
    assert (response.usage.input_tokens, response.usage.output_tokens) == (12, 3)
    sent = emulator.last_request
    assert sent.params["auth"] == "sigv4" and sent.params["access_key"] == CREDS.access_key
    assert sent.params["model"] == ARN
    assert sent.params["raw_model"] == quote(ARN, safe="")  # encoded exactly once on the wire


async def test_profile_credentials_win_over_env(aws_env: None, emulator: BedrockEmulator) -> None:
    provider = _provider(emulator, {}, profile="team")
    try:
        await provider.complete(req(user(TextBlock("hi"))), "amazon.nova-pro-v1:0")
    finally:
        await provider.close()
    assert emulator.last_request.params["access_key"] == "AKIDPROFILE"


async def test_bearer_key_and_stream_with_tool_call(aws_env: None, emulator: BedrockEmulator) -> None:
    emulator.script(Reply(text="Let me look.", tool_calls=[ToolCall("read_file", {"path": "a.py"})]))
    provider = _provider(emulator, {"TEST_BEDROCK_KEY": "bedrock-api-key-xyz"})
    accumulator = StreamAccumulator()
    try:
        async for event in provider.stream(req(user(TextBlock("read a.py"))), "amazon.nova-pro-v1:0"):
            accumulator.add(event)
    finally:
        await provider.close()
    assert accumulator.error is None
    assert emulator.last_request.params["auth"] == "bearer"
    result = accumulator.response()
    assert result.stop_reason is StopReason.TOOL_USE
    assert result.content[0] == TextBlock("Let me look.")
    assert (result.content[1].name, result.content[1].input) == ("read_file", {"path": "a.py"})


async def test_mid_stream_exception_becomes_a_stream_error(aws_env: None, emulator: BedrockEmulator) -> None:
    emulator.script(Reply(text="one two three four five six", stream_error="Model stream broke"))
    provider = _provider(emulator, {})
    events: list[StreamEvent] = []
    try:
        async for event in provider.stream(req(user(TextBlock("hi"))), "amazon.nova-pro-v1:0"):
            events.append(event)
    finally:
        await provider.close()
    assert isinstance(events[-1], StreamError)
    assert "modelStreamErrorException" in events[-1].error.message


async def test_bad_secret_is_a_signature_error_without_the_secret(
    aws_env: None, emulator: BedrockEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-right-secret")
    provider = _provider(emulator, {})
    try:
        with pytest.raises(LynkrError) as info:
            await provider.complete(req(user(TextBlock("hi"))), "amazon.nova-pro-v1:0")
    finally:
        await provider.close()
    assert info.value.status == 502 and "signature" in info.value.message
    assert "not-the-right-secret" not in info.value.message


async def test_context_overflow_maps_to_context_length(aws_env: None, emulator: BedrockEmulator) -> None:
    emulator.script(Reply.context_overflow())
    provider = _provider(emulator, {})
    try:
        with pytest.raises(LynkrError) as info:
            await provider.complete(req(user(TextBlock("hi"))), "amazon.nova-pro-v1:0")
    finally:
        await provider.close()
    assert info.value.kind is ErrorKind.CONTEXT_LENGTH


async def test_missing_region_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    provider = BedrockProvider(ProviderConfig("aws", "bedrock", api_key_env=None), {})
    with pytest.raises(LynkrError, match="no AWS region"):
        await provider.region()


# --------------------------------------------------------------------------- config


def test_config_check_reports_missing_botocore_and_bad_auth(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lynkr.toml"
    path.write_text(
        '[providers.aws]\ntype = "bedrock"\nregion = "eu-west-1"\nauth = "magic"\n'
        '[tiers.simple]\nprovider = "aws"\nmodel = "amazon.nova-pro-v1:0"\n'
    )
    real = bedrock.importlib.util.find_spec
    monkeypatch.setattr(
        bedrock.importlib.util, "find_spec", lambda name, *a: None if name == "botocore" else real(name, *a)
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    problems = {p.key: p.message for p in info.value.problems}
    assert "pip install 'lynkr[bedrock]'" in problems["providers.aws.type"]
    assert "magic" in problems["providers.aws.auth"]
    monkeypatch.setattr(bedrock.importlib.util, "find_spec", real)
    path.write_text(path.read_text().replace('auth = "magic"\n', ""))
    config = load_config(path, {})
    assert config.providers["aws"].options["region"] == "eu-west-1"


async def test_daily_token_quota_is_a_rate_limit_not_a_context_overflow(
    aws_env: None, emulator: BedrockEmulator
) -> None:
    # Bedrock answers an exhausted token quota with HTTP 400 ServiceQuotaExceededException
    # "Too many tokens per day": read as a context overflow, Claude Code would compact the
    # conversation instead of backing off.
    emulator.script(
        Reply.error(
            400,
            "Too many tokens per day, please wait before trying again.",
            error_type="ServiceQuotaExceededException",
        )
    )
    provider = _provider(emulator, {})
    try:
        with pytest.raises(LynkrError) as info:
            await provider.complete(req(user(TextBlock("hi"))), "amazon.nova-pro-v1:0")
    finally:
        await provider.close()
    assert info.value.kind is ErrorKind.RATE_LIMIT and info.value.status == 429


def test_stream_exception_kinds_ignore_the_first_letters_case() -> None:
    # ``:message-type: error`` frames name the code capitalised (``ThrottlingException``).
    assert (
        converse.exception_error("ThrottlingException", '{"message":"slow down"}').kind
        is ErrorKind.RATE_LIMIT
    )
    quota = converse.exception_error("serviceQuotaExceededException", '{"message":"Too many tokens per day"}')
    assert quota.kind is ErrorKind.RATE_LIMIT


def test_foreign_tool_ids_are_mapped_to_what_converse_accepts() -> None:
    # Converse's ToolUseId is [a-zA-Z0-9_.:-]{1,64}; ids minted elsewhere (LiteLLM's
    # "call_x__thought__<base64 signature>", long gateway ids) were sent as they are: a 400.
    long_id = "call_abc__thought__" + "Q2lj+/=" * 12
    request = req(
        user(TextBlock("go")),
        assistant(ToolUseBlock(long_id, "read_file", {}), ToolUseBlock("functions.read:1", "read_file", {})),
        user(
            ToolResultBlock(long_id, [TextBlock("a")]), ToolResultBlock("functions.read:1", [TextBlock("b")])
        ),
    )
    body = converse.build_request(request, "amazon.nova-pro-v1:0")
    used = [p["toolUse"]["toolUseId"] for p in body["messages"][1]["content"]]
    answered = [p["toolResult"]["toolUseId"] for p in body["messages"][2]["content"]]
    assert used == answered and used[1] == "functions.read:1"
    assert all(re.fullmatch(r"[a-zA-Z0-9_.:-]{1,64}", i) for i in used) and used[0] != used[1]
