"""Gemini generateContent: translation, schema cleaning, SSE streams, providers against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from daemon.canonical import (
    BlockStart,
    ImageBlock,
    Message,
    MessageDelta,
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
from daemon.dialects import gemini
from daemon.errors import ErrorKind, LynkrError
from daemon.providers.gemini import GeminiProvider, VertexProvider
from daemon.streams import StreamAccumulator
from tests.emulators import GeminiEmulator, Reply, ToolCall

PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
KEY = "gemini-test-key-abcdef123"


def req(*messages: Message, **kw: Any) -> Request:
    return Request(model="client-model", messages=list(messages), **kw)


def user(*blocks: Any) -> Message:
    return Message("user", list(blocks))


def assistant(*blocks: Any) -> Message:
    return Message("assistant", list(blocks))


# --------------------------------------------------------------------------- schema


def test_clean_schema_drops_what_gemini_rejects_and_keeps_meaning() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "format": "uri", "description": "file"},
            "mode": {"const": "fast"},
            "when": {"type": "string", "format": "date-time"},
            "depth": {"type": ["integer", "null"], "exclusiveMinimum": 0},
            "opts": {"$ref": "#/$defs/Opts"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            "either": {"oneOf": [{"type": "string"}, {"type": "null"}]},
            "level": {"type": "integer", "enum": [1, 2]},
            "empty": {"type": "object", "properties": {}},
        },
        "required": ["path", "ghost"],
        "$defs": {"Opts": {"type": "object", "properties": {"fast": {"type": "boolean"}}}},
    }
    assert gemini.clean_schema(schema) == {
        "type": "OBJECT",
        "properties": {
            "path": {"type": "STRING", "description": "file"},
            "mode": {"type": "STRING", "enum": ["fast"]},
            "when": {"type": "STRING", "format": "date-time"},
            "depth": {"type": "INTEGER", "nullable": True},
            "opts": {"type": "OBJECT", "properties": {"fast": {"type": "BOOLEAN"}}},
            "tags": {"type": "ARRAY", "items": {"type": "STRING", "enum": ["a", "b"]}},
            "either": {"type": "STRING", "nullable": True},
            "level": {"type": "INTEGER"},
            "empty": {"type": "OBJECT"},
        },
        "required": ["path"],
    }


def test_recursive_ref_terminates() -> None:
    schema = {
        "$ref": "#/$defs/Node",
        "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}},
    }
    cleaned = gemini.clean_schema(schema)
    assert cleaned["type"] == "OBJECT"
    assert json.dumps(cleaned).count("OBJECT") < 20


# --------------------------------------------------------------------------- request


def test_request_body() -> None:
    request = req(
        user(TextBlock("look"), ImageBlock(url=f"data:image/jpeg;base64,{PNG_B64}")),
        assistant(
            ThinkingBlock("thought", origin="gemini"),
            TextBlock("reading"),
            ToolUseBlock("call_1", "read_file", {"path": "a.py"}, signature="SIG1"),
            ToolUseBlock("call_2", "grep", {"q": "x"}),
        ),
        user(
            ToolResultBlock("call_1", [TextBlock("print(1)"), ImageBlock("image/png", PNG_B64)]),
            ToolResultBlock("call_2", [TextBlock("no match")], is_error=True),
            TextBlock("and?"),
        ),
        system=[TextBlock("Be terse.")],
        max_tokens=100,
        temperature=0.5,
        top_p=0.9,
        top_k=3,
        stop=["a", "b", "c", "d", "e", "f"],
        tools=[
            Tool("read_file", "Read", {"type": "object", "properties": {"path": {"type": "string"}}}),
            Tool("grep"),
        ],
        tool_choice=ToolChoice("tool", "read_file"),
        thinking={"type": "enabled", "budget_tokens": 1024},
    )
    body = gemini.build_request(request, {"call_2": "SIG2"})
    assert body["systemInstruction"] == {"parts": [{"text": "Be terse."}]}
    assert body["generationConfig"] == {
        "maxOutputTokens": 100,
        "temperature": 0.5,
        "topP": 0.9,
        "topK": 3,
        "stopSequences": ["a", "b", "c", "d", "e"],
        "thinkingConfig": {"includeThoughts": True, "thinkingBudget": 1024},
    }
    assert body["toolConfig"] == {
        "functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["read_file"]}
    }
    declarations = body["tools"][0]["functionDeclarations"]
    assert declarations[0] == {
        "name": "read_file",
        "description": "Read",
        "parameters": {"type": "OBJECT", "properties": {"path": {"type": "STRING"}}},
    }
    assert declarations[1] == {"name": "grep"}  # no parameters: an empty OBJECT would be a 400
    first, model, last = body["contents"]
    assert first["parts"][1] == {"inlineData": {"mimeType": "image/jpeg", "data": PNG_B64}}
    assert model == {
        "role": "model",
        "parts": [
            {"text": "reading"},
            {"functionCall": {"name": "read_file", "args": {"path": "a.py"}}, "thoughtSignature": "SIG1"},
            {"functionCall": {"name": "grep", "args": {"q": "x"}}, "thoughtSignature": "SIG2"},
        ],
    }
    assert last["parts"] == [
        {"functionResponse": {"name": "read_file", "response": {"output": "print(1)"}}},
        {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
        {"functionResponse": {"name": "grep", "response": {"error": "no match"}}},
        {"text": "and?"},
    ]


# --------------------------------------------------------------------------- response


def test_parse_response_calls_thoughts_usage() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "plan", "thought": True},
                        {"text": "Let me "},
                        {"text": "look."},
                        {
                            "functionCall": {"name": "read_file", "args": {"path": "x"}},
                            "thoughtSignature": "S==",
                        },
                        {"functionCall": {"id": "bad+id/", "name": "grep", "args": {}}},
                    ],
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 100,
            "cachedContentTokenCount": 40,
            "candidatesTokenCount": 10,
            "thoughtsTokenCount": 25,
            "totalTokenCount": 135,
        },
        "modelVersion": "gemini-2.5-flash",
    }
    response = gemini.parse_response(body, "gemini")
    thinking, text, call, other = response.content
    assert thinking == ThinkingBlock("plan", origin="gemini")
    assert text == TextBlock("Let me look.")
    assert (call.name, call.input, call.signature) == ("read_file", {"path": "x"}, "S==")
    assert call.id.startswith("call_") and other.id.startswith("call_") and call.id != other.id
    assert response.stop_reason is StopReason.TOOL_USE
    assert response.usage == Usage(
        input_tokens=60, output_tokens=35, cache_read_tokens=40, reasoning_tokens=25
    )


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("STOP", StopReason.END_TURN),
        ("MAX_TOKENS", StopReason.MAX_TOKENS),
        ("SAFETY", StopReason.REFUSAL),
        ("RECITATION", StopReason.REFUSAL),
        ("PROHIBITED_CONTENT", StopReason.REFUSAL),
        ("MALFORMED_FUNCTION_CALL", StopReason.END_TURN),
        ("OTHER", StopReason.END_TURN),
    ],
)
def test_finish_reasons(wire: str, expected: StopReason) -> None:
    assert gemini.stop_reason(wire, False) is expected


def test_blocked_prompt_is_a_refusal() -> None:
    response = gemini.parse_response({"promptFeedback": {"blockReason": "SAFETY"}}, "gemini")
    assert response.content == [] and response.stop_reason is StopReason.REFUSAL


# --------------------------------------------------------------------------- stream


def _feed(chunks: list[dict[str, Any]], seen: dict[str, str] | None = None) -> list[StreamEvent]:
    decoder = gemini.StreamDecoder(
        "msg_1",
        "m",
        Usage(input_tokens=5, estimated=True),
        on_signature=(seen.__setitem__ if seen is not None else None),
    )
    out: list[StreamEvent] = []
    for chunk in chunks:
        out += decoder.feed(None, orjson.dumps(chunk).decode())
    return out + decoder.finish()


def _candidate(parts: list[dict[str, Any]], finish: str | None = None) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate]}


def test_stream_text_then_call_with_signature_and_final_usage() -> None:
    seen: dict[str, str] = {}
    events = _feed(
        [
            _candidate([{"text": "Let me "}]) | {"usageMetadata": {"promptTokenCount": 9}},
            _candidate([{"text": "look."}]),
            _candidate(
                [{"functionCall": {"name": "read_file", "args": {"path": "a"}}, "thoughtSignature": "XYZ"}],
                "STOP",
            )
            | {"usageMetadata": {"promptTokenCount": 9, "candidatesTokenCount": 4, "thoughtsTokenCount": 6}},
        ],
        seen,
    )
    accumulator = StreamAccumulator()
    for event in events:
        accumulator.add(event)
    result = accumulator.response()
    assert result.content[0] == TextBlock("Let me look.")
    call = result.content[1]
    assert (call.name, call.input) == ("read_file", {"path": "a"})
    assert seen == {call.id: "XYZ"}
    start = next(e for e in events if isinstance(e, BlockStart) and isinstance(e.block, ToolUseBlock))
    assert start.block.signature == "XYZ"
    delta = next(e for e in events if isinstance(e, MessageDelta))
    assert delta.stop_reason is StopReason.TOOL_USE
    assert delta.usage == Usage(9, 10, reasoning_tokens=6)


def test_stream_errors() -> None:
    [*_, cut] = _feed([_candidate([{"text": "partial"}])])
    assert isinstance(cut, StreamError) and "finishReason" in cut.error.message
    [*_, error] = _feed([{"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}])
    assert isinstance(error, StreamError) and error.error.kind is ErrorKind.RATE_LIMIT


# --------------------------------------------------------------------------- providers against the emulator


def _gemini(emulator: GeminiEmulator) -> GeminiProvider:
    config = ProviderConfig(
        "gem",
        "gemini",
        base_url=emulator.base_url,
        api_key_env="TEST_GEMINI_KEY",
        options=MappingProxyType({"api_version": "v1beta"}),
    )
    return GeminiProvider(config, {"TEST_GEMINI_KEY": KEY})


async def test_signature_is_replayed_when_the_client_drops_it() -> None:
    with GeminiEmulator(expected_key=KEY) as emulator:
        provider = _gemini(emulator)
        try:
            emulator.script(Reply(tool_calls=[ToolCall("read_file", {"path": "a.py"})]))
            first = StreamAccumulator()
            request = req(user(TextBlock("read a.py")), tools=[Tool("read_file")])
            async for event in provider.stream(request, "gemini-3-pro-preview"):
                first.add(event)
            call = first.response().content[0]
            assert isinstance(call, ToolUseBlock)
            # The client sends the call back without any signature field, as every SDK does.
            history = req(
                user(TextBlock("read a.py")),
                assistant(ToolUseBlock(call.id, call.name, call.input)),
                user(ToolResultBlock(call.id, [TextBlock("print(1)")])),
                tools=[Tool("read_file")],
            )
            emulator.script(Reply(text="It prints 1."))
            answer = await provider.complete(history, "gemini-3-pro-preview")
            assert answer.content == [TextBlock("It prints 1.")]
            sent = emulator.last_request.json["contents"][1]["parts"][0]
            assert sent["thoughtSignature"] in emulator.signatures
            # Without the remembered signature (a restart, or calls another provider made earlier in
            # the conversation) Gemini 3 would reject the turn: Google's documented bypass is sent.
            provider._signatures.clear()
            emulator.script(Reply(text="Still 1."))
            answer = await provider.complete(history, "gemini-3-pro-preview")
            assert answer.content == [TextBlock("Still 1.")]
            sent = emulator.last_request.json["contents"][1]["parts"][0]
            assert sent["thoughtSignature"] == "skip_thought_signature_validator"
            # Older models never required one, and get none.
            emulator.require_thought_signatures = False  # the emulator plays Gemini 2.5 now
            emulator.script(Reply(text="Yes."))
            await provider.complete(history, "gemini-2.5-flash")
            assert "thoughtSignature" not in emulator.last_request.json["contents"][1]["parts"][0]
        finally:
            await provider.close()
    assert emulator.last_request.headers["x-goog-api-key"] == KEY


async def test_context_overflow_and_bad_model_name() -> None:
    with GeminiEmulator(expected_key=KEY) as emulator:
        provider = _gemini(emulator)
        try:
            emulator.script(Reply.context_overflow(1000))
            with pytest.raises(LynkrError) as info:
                await provider.complete(req(user(TextBlock("hi"))), "gemini-2.5-flash")
            assert info.value.kind is ErrorKind.CONTEXT_LENGTH
            with pytest.raises(LynkrError) as info:
                await provider.complete(req(user(TextBlock("hi"))), "../admin")
            assert info.value.kind is ErrorKind.INVALID_REQUEST
        finally:
            await provider.close()


async def test_a_rejected_key_is_a_502_naming_the_provider_never_echoing_the_key() -> None:
    with GeminiEmulator(expected_key="the-real-key") as emulator:
        provider = _gemini(emulator)
        try:
            with pytest.raises(LynkrError) as info:
                await provider.complete(req(user(TextBlock("hi"))), "gemini-2.5-flash")
        finally:
            await provider.close()
    assert info.value.status == 502 and "gem" in info.value.message
    assert KEY not in info.value.message


def service_account(tmp_path: Path, token_uri: str) -> tuple[Path, bytes]:
    """A fresh service-account key file and its public key (PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path = tmp_path / "sa.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "test-project",
                "private_key_id": "k1",
                "private_key": private,
                "client_email": "lynkr@test-project.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": token_uri,
            }
        )
    )
    return path, public


def _vertex(emulator: GeminiEmulator, sa: Path) -> VertexProvider:
    config = ProviderConfig(
        "vx",
        "vertex",
        base_url=emulator.base_url,
        api_key_env=None,
        options=MappingProxyType({"location": "us-central1", "credentials_file": str(sa), "project": ""}),
    )
    return VertexProvider(config, {})


@pytest.mark.parametrize(("lifetime", "token_fetches"), [(3600, 1), (120, 3)])
async def test_vertex_service_account_token_is_refreshed_before_expiry(
    tmp_path: Path, lifetime: int, token_fetches: int
) -> None:
    with GeminiEmulator(vertex=True, token_lifetime=lifetime) as emulator:
        sa, emulator.public_key_pem = service_account(tmp_path, emulator.token_uri)
        provider = _vertex(emulator, sa)
        try:
            for _ in range(3):
                emulator.script(Reply(text="ok"))
                answer = await provider.complete(req(user(TextBlock("hi"))), "gemini-2.5-pro")
                assert answer.content == [TextBlock("ok")]
        finally:
            await provider.close()
        # The project came from the service-account file; a token close to expiry is never reused.
        assert emulator.last_request.params["project"] == "test-project"
        assert len(emulator.token_requests) == token_fetches


def test_config_check_for_vertex(tmp_path: Path) -> None:
    path = tmp_path / "lynkr.toml"
    path.write_text(
        '[providers.vx]\ntype = "vertex"\ncredentials_file = "/nonexistent/sa.json"\n'
        'location = "US Central"\n'
        '[tiers.simple]\nprovider = "vx"\nmodel = "gemini-2.5-pro"\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    keys = {p.key for p in info.value.problems}
    assert keys == {"providers.vx.credentials_file", "providers.vx.location"}


def test_every_option_is_documented_in_the_example() -> None:
    text = (Path(__file__).resolve().parents[2] / "config.example.toml").read_text()
    for cls in (GeminiProvider, VertexProvider):
        assert f'type = "{cls.type_name}"' in text
        for option in cls.OPTIONS:
            assert f"{option} = " in text, f"{cls.type_name} option {option} is not in config.example.toml"
