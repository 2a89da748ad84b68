"""The Responses API translator, encoder and response store, without a daemon."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    MessageDelta,
    MessageStart,
    MessageStop,
    Response,
    StopReason,
    StreamError,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_responses import (
    ResponsesRequest,
    StreamEncoder,
    amend,
    parse_request,
    render_error,
    render_response,
    with_history,
)
from daemon.dialects.openai_responses_wire import (
    decode_reasoning,
    encode_reasoning,
    previous_response_not_found,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.response_store import ResponseStore
from daemon.streams import events_from_response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clients"


def parse(**body: Any) -> ResponsesRequest:
    return parse_request({"model": "m", **body}, {})


def decode(stream: bytes) -> list[dict[str, Any]]:
    events = []
    for block in stream.decode().strip().split("\n\n"):
        name, data = block.split("\n")
        payload = json.loads(data.removeprefix("data: "))
        assert name == f"event: {payload['type']}"
        events.append(payload)
    return events


# --------------------------------------------------------------------------- parse


def test_string_input_and_instructions() -> None:
    request = parse(input="hello", instructions="be terse", max_output_tokens=64, temperature=0.2)
    assert request.system_text() == "be terse"
    assert [(m.role, [b.text for b in m.content]) for m in request.messages] == [("user", ["hello"])]
    assert request.max_tokens == 64 and request.temperature == 0.2 and request.stream is False
    assert request.response_id.startswith("resp_") and request.store is True
    assert request.input_items == [{"type": "message", "role": "user", "content": "hello"}]


def test_items_become_merged_turns_with_tool_results_first() -> None:
    request = parse(
        input=[
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "rules"}]},
            {"role": "user", "content": [{"type": "input_text", "text": "fix it"}]},
            {"type": "function_call", "call_id": "c1", "name": "sh", "arguments": '{"cmd":"ls"}'},
            {"type": "function_call", "call_id": "c2", "name": "sh", "arguments": '{"cmd":"pwd"}'},
            {"type": "function_call_output", "call_id": "c1", "output": "a.py"},
            {
                "type": "function_call_output",
                "call_id": "c2",
                "output": [{"type": "input_text", "text": "/"}],
            },
            {"type": "message", "role": "user", "content": "and now?"},
        ],
        instructions="base",
    )
    assert request.system_text() == "base\n\nrules"
    user, assistant, results = request.messages
    assert user.role == "user" and assistant.role == "assistant" and results.role == "user"
    assert [(b.id, b.input) for b in assistant.content if isinstance(b, ToolUseBlock)] == [
        ("c1", {"cmd": "ls"}),
        ("c2", {"cmd": "pwd"}),
    ]
    assert [type(b) for b in results.content] == [ToolResultBlock, ToolResultBlock, TextBlock]
    assert [b.text() for b in results.content if isinstance(b, ToolResultBlock)] == ["a.py", "/"]


def test_images_and_assistant_output_text() -> None:
    request = parse(
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "what is this"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
                ],
            },
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "a dot"}]},
            {"role": "user", "content": "sure?"},
        ]
    )
    image = request.messages[0].content[1]
    assert image.media_type == "image/png" and image.data == "AAAA"  # type: ignore[union-attr]
    assert request.messages[1].content == [TextBlock("a dot")]


def test_tools_custom_hosted_and_tool_choice() -> None:
    request = parse(
        input="x",
        tools=[
            {"type": "function", "name": "sh", "parameters": {"type": "object", "properties": {}}},
            {"type": "custom", "name": "apply_patch", "format": {"type": "grammar", "syntax": "lark",
                                                                  "definition": "start: x"}},
            {"type": "web_search"},
            {"type": "local_shell"},
        ],
        tool_choice={"type": "function", "name": "sh"},
        parallel_tool_calls=False,
    )  # fmt: skip
    assert [t.name for t in request.tools] == ["sh", "apply_patch"]
    assert request.custom_tools == frozenset({"apply_patch"})
    assert (
        request.tools[1].input_schema["required"] == ["input"] and "start: x" in request.tools[1].description
    )
    assert request.tool_choice is not None and request.tool_choice.type == "tool"
    assert request.tool_choice.disable_parallel is True
    assert [t["name"] for t in request.echo["tools"]] == ["sh", "apply_patch"]


def test_namespace_member_named_like_a_later_top_level_tool_is_qualified() -> None:
    """Tool names stay unique (providers reject duplicates) whatever order the client lists them in,
    and a call to the top-level tool is not sent back under the namespace."""
    request = parse(
        input="x",
        tools=[
            {"type": "namespace", "name": "mcp", "tools": [{"type": "function", "name": "read"}]},
            {"type": "function", "name": "read"},
        ],
    )
    assert sorted(t.name for t in request.tools) == ["mcp__read", "read"]
    assert request.tool_namespaces == {"mcp__read": ("mcp", "read")}
    stream = [
        MessageStart("m", "m"),
        BlockStart(0, ToolUseBlock("c1", "read", {})),
        BlockStart(1, ToolUseBlock("c2", "mcp__read", {})),
        MessageStop(),
    ]
    encoder = StreamEncoder(request)
    events = decode(b"".join(encoder.encode(e) for e in stream))
    calls = events[-1]["response"]["output"]
    assert [(c["name"], c.get("namespace")) for c in calls] == [("read", None), ("read", "mcp")]


def test_custom_tool_call_items_round_trip_as_input_argument() -> None:
    request = parse(
        input=[
            {"role": "user", "content": "patch"},
            {"type": "custom_tool_call", "call_id": "c", "name": "apply_patch", "input": "*** Begin Patch"},
            {"type": "custom_tool_call_output", "call_id": "c", "output": "ok"},
        ]
    )
    call = request.messages[1].content[0]
    assert isinstance(call, ToolUseBlock) and call.input == {"input": "*** Begin Patch"}


def test_reasoning_effort_and_text_format() -> None:
    request = parse(
        input="x",
        reasoning={"effort": "high", "summary": "auto"},
        text={"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}, "strict": True}},
    )
    assert request.extra == {"reasoning_effort": "high"}
    assert request.response_format == {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": {"type": "object"}, "strict": True},
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": 3}, "input"),
        ({"input": []}, "input"),
        ({"input": [{"type": "message", "role": "tool", "content": "x"}]}, "input[0].role"),
        ({"input": [{"type": "function_call", "name": "f"}]}, "input[0].call_id"),
        ({"input": [{"type": "item_reference", "id": "x"}]}, "input[0].type"),
        ({"input": "x", "tools": [{"type": "mystery"}]}, "tools[0].type"),
        ({"input": "x", "tool_choice": {"type": "function", "name": "nope"}}, "tool_choice.name"),
        ({"input": "x", "temperature": 3}, "temperature"),
        ({"input": "x", "store": "yes"}, "store"),
        ({"input": "x", "metadata": {"a": 1}}, "metadata"),
        ({"input": "x", "conversation": "conv_1"}, "conversation"),
        ({"input": "x", "previous_response_id": 7}, "previous_response_id"),
    ],
)
def test_bad_bodies_name_the_field(body: dict[str, Any], param: str) -> None:
    with pytest.raises(LynkrError) as info:
        parse(**body)
    assert info.value.param == param and info.value.kind is ErrorKind.INVALID_REQUEST


def test_only_previous_response_id_allows_input_without_messages() -> None:
    request = parse(input=[], previous_response_id="resp_1")
    assert request.messages == []
    with_history(request, [{"role": "user", "content": "earlier"}, message_output("answer")])
    assert [m.role for m in request.messages] == ["user", "assistant"]


def message_output(text: str) -> dict[str, Any]:
    return {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}  # fmt: skip


def test_with_history_keeps_only_current_instructions() -> None:
    request = parse(input="and then?", instructions="new", previous_response_id="resp_1")
    with_history(request, [{"type": "message", "role": "system", "content": "old system"},
                           {"role": "user", "content": "first"}, message_output("reply")])  # fmt: skip
    assert request.system_text() == "new\n\nold system"
    assert [m.role for m in request.messages] == ["user", "assistant", "user"]
    assert len(request.input_items) == 4


# --------------------------------------------------------------------------- reasoning payloads


def test_reasoning_payload_round_trips_and_foreign_content_is_unsigned() -> None:
    block = ThinkingBlock("why", signature="sig==", origin="anthropic")
    encoded = encode_reasoning(block)
    assert encoded is not None and decode_reasoning(encoded) == ("anthropic", "sig==", None)
    assert decode_reasoning("gAAAAABfOpenAIEncrypted") is None
    assert decode_reasoning("lynkr1.!!!notbase64") is None
    request = parse(
        input=[
            {"role": "user", "content": "q"},
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "plan"}],
             "encrypted_content": "gAAAAABfOpenAIEncrypted"},
            {"type": "reasoning", "id": "rs_2", "summary": [],
             "content": [{"type": "reasoning_text", "text": "why"}], "encrypted_content": encoded},
            {"type": "reasoning", "id": "rs_3", "summary": [], "encrypted_content": "gAAAAABfOnlyOpaque"},
        ]
    )  # fmt: skip
    foreign, ours = request.messages[1].content
    assert isinstance(foreign, ThinkingBlock) and foreign.signature is None and foreign.thinking == "plan"
    assert isinstance(ours, ThinkingBlock) and (ours.signature, ours.origin) == ("sig==", "anthropic")


# --------------------------------------------------------------------------- render + amend


def answer(*blocks: Any, stop: StopReason = StopReason.END_TURN) -> Response:
    return Response("msg_abc", "upstream-model", list(blocks), stop, usage=Usage(10, 5, cache_read_tokens=2))


def test_render_response_items_status_and_usage() -> None:
    body = render_response(
        answer(
            ThinkingBlock("hmm", signature="s", origin="anthropic"),
            TextBlock("hi"),
            ToolUseBlock("c", "sh", {}),
        ),
        "lynkr-medium",
    )
    assert body["object"] == "response" and body["status"] == "completed" and body["model"] == "lynkr-medium"
    assert [item["type"] for item in body["output"]] == ["reasoning", "message", "function_call"]
    assert body["output"][2]["arguments"] == "{}"
    assert body["usage"] == {
        "input_tokens": 12,
        "input_tokens_details": {"cached_tokens": 2},
        "output_tokens": 5,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 17,
    }
    cut = render_response(answer(TextBlock("par"), stop=StopReason.MAX_TOKENS), "m")
    assert (cut["status"], cut["incomplete_details"]) == ("incomplete", {"reason": "max_output_tokens"})
    refused = render_response(answer(TextBlock("no"), stop=StopReason.REFUSAL), "m")
    assert refused["incomplete_details"] == {"reason": "content_filter"}


def test_amend_sets_id_settings_and_custom_calls() -> None:
    request = parse(
        input="x", tools=[{"type": "custom", "name": "apply_patch"}], metadata={"k": "v"}, store=False
    )
    body = render_response(answer(ToolUseBlock("c", "apply_patch", {"input": "*** Begin Patch"})), "m")
    amend(body, request)
    assert body["id"] == request.response_id and body["store"] is False and body["metadata"] == {"k": "v"}
    assert body["output"][0]["type"] == "custom_tool_call" and body["output"][0]["input"] == "*** Begin Patch"
    assert body["tools"] == [{"type": "custom", "name": "apply_patch"}]


# --------------------------------------------------------------------------- stream encoder


def test_encoder_sequence_for_thinking_text_and_tool_and_sink() -> None:
    request = parse(input="x", stream=True)
    saved: list[dict[str, Any]] = []
    request.sink = saved.append
    encoder = StreamEncoder(request)
    response = answer(
        ThinkingBlock("hmm", signature="sig", origin="anthropic"),
        TextBlock("hi"),
        ToolUseBlock("c1", "sh", {"cmd": "ls"}),
        stop=StopReason.TOOL_USE,
    )
    events = decode(b"".join(encoder.encode(e) for e in events_from_response(response)))
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    final = events[-1]["response"]
    assert final["id"] == request.response_id and final["status"] == "completed"
    assert [item["output_index"] for item in events if item["type"] == "response.output_item.done"] == [
        0,
        1,
        2,
    ]
    assert decode_reasoning(final["output"][0]["encrypted_content"]) == ("anthropic", "sig", None)
    assert json.loads(final["output"][2]["arguments"]) == {"cmd": "ls"}
    assert saved == [final], "the finished response goes to the store before the client sees it"
    assert encoder.encode(MessageStop()) == b"", "nothing after the terminal event"


def test_encoder_tool_call_without_arguments_still_agrees() -> None:
    encoder = StreamEncoder(parse(input="x", stream=True))
    stream = [
        MessageStart("m", "m"),
        BlockStart(0, ToolUseBlock("c", "noop", {})),
        MessageDelta(StopReason.TOOL_USE, Usage(1, 1)),
        MessageStop(),
    ]
    events = decode(b"".join(encoder.encode(e) for e in stream))
    deltas = [e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"]
    done = next(e for e in events if e["type"] == "response.function_call_arguments.done")
    assert "".join(deltas) == done["arguments"] == "{}"


def test_encoder_error_is_response_failed() -> None:
    encoder = StreamEncoder(parse(input="x", stream=True))
    out = encoder.encode(MessageStart("m", "m")) + encoder.encode(BlockStart(0, TextBlock("")))
    out += encoder.encode(BlockDelta(0, "text", "partial"))
    out += encoder.encode(StreamError(LynkrError(ErrorKind.RATE_LIMIT, "slow down", retry_after=3)))
    events = decode(out)
    assert events[-1]["type"] == "response.failed"
    error = events[-1]["response"]["error"]
    assert error["code"] == "rate_limit_exceeded" and "try again in 3s" in error["message"]
    assert encoder.encode(MessageStop()) == b""


# --------------------------------------------------------------------------- errors


def test_errors_in_openai_shape() -> None:
    status, body = render_error(LynkrError(ErrorKind.CONTEXT_LENGTH, "input too big"))
    assert status == 400 and body["error"]["code"] == "context_length_exceeded"
    assert "prompt is too long" in body["error"]["message"]
    assert "maximum context length" in body["error"]["message"]
    status, body = render_error(previous_response_not_found("resp_x"))
    assert status == 400
    assert (
        body["error"]["code"] == "previous_response_not_found"
        and body["error"]["param"] == "previous_response_id"
    )


# --------------------------------------------------------------------------- response store


async def test_store_keeps_conversations_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "responses.db"
    store = await ResponseStore.open(path)
    final = {"id": "resp_1", "model": "m", "output": [message_output("answer")]}
    store.put(final, [{"role": "user", "content": "question"}])
    assert await store.items("resp_1") == [{"role": "user", "content": "question"}, message_output("answer")]
    await store.close()

    store = await ResponseStore.open(path)
    try:
        assert (await store.response("resp_1"))["id"] == "resp_1"  # type: ignore[index]
        assert len(await store.items("resp_1") or []) == 2
        assert await store.items("resp_missing") is None
        assert await store.delete("resp_1") is True
        assert await store.items("resp_1") is None
    finally:
        await store.close()
    assert path.stat().st_mode & 0o077 == 0


async def test_store_retention_drops_old_responses(tmp_path: Path) -> None:
    path = tmp_path / "responses.db"
    store = await ResponseStore.open(path)
    store.put({"id": "resp_old", "output": []}, [])
    await store.close()
    store = await ResponseStore.open(path, retention_days=1e-9)  # a millisecond-old row is already too old
    try:
        assert await store.items("resp_old") is None
    finally:
        await store.close()


async def test_store_expires_responses_while_it_stays_open(tmp_path: Path) -> None:
    """A daemon that runs for months must not serve (or keep) responses past the retention it states."""
    import asyncio

    store = await ResponseStore.open(tmp_path / "responses.db", retention_days=1e-9)
    try:
        store.put({"id": "resp_old", "output": []}, [])
        await asyncio.sleep(0.05)  # older than the (tiny) retention, whether still pending or written
        assert await store.items("resp_old") is None
        assert await store.response("resp_old") is None
    finally:
        await store.close()


def test_codex_fixture_parses() -> None:
    recorded = json.loads((FIXTURES / "codex_cli_turn2.json").read_text())
    request = parse_request(recorded["body"], recorded["headers"])
    assert request.stream and request.store is False
    assert [t.name for t in request.tools] == ["shell", "update_plan", "apply_patch"]
    assert [m.role for m in request.messages] == ["user", "assistant", "user"]


def test_lynkr_route_detects_and_parses_a_responses_body(tmp_path: Path) -> None:
    from lynkr_tui.route_cmd import decide, detect_dialect

    recorded = json.loads((FIXTURES / "codex_cli_0169_turn1.json").read_text())["body"]
    assert detect_dialect(recorded) == "openai-responses"
    assert detect_dialect({"model": "m", "messages": [], "input": "x"}) != "openai-responses"
    config = tmp_path / "lynkr.toml"
    config.write_text("")
    decision = decide(json.dumps(recorded), config, {})
    assert decision["dialect"] == "openai-responses" and decision["tier"] == "medium"


async def test_store_drops_the_oldest_past_its_size_cap(tmp_path: Path) -> None:
    import os as _os

    path = tmp_path / "responses.db"
    store = await ResponseStore.open(path)
    for n in range(3):  # random hex compresses only to half: ~32 KB each, oldest first
        store.put({"id": f"resp_{n}", "output": []}, [{"role": "user", "content": _os.urandom(30_000).hex()}])
        await store.close()
        store = await ResponseStore.open(path)
    await store.close()
    store = await ResponseStore.open(path, max_mb=0.07)  # ~73 KB: room for two (~32 KB compressed each)
    try:
        assert await store.items("resp_0") is None
        assert await store.items("resp_1") is not None and await store.items("resp_2") is not None
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        (ErrorKind.INVALID_REQUEST, "invalid_prompt"),
        (ErrorKind.REQUEST_TOO_LARGE, "invalid_prompt"),
        (ErrorKind.NOT_FOUND, "invalid_prompt"),
        (ErrorKind.UPSTREAM, "server_error"),
        (ErrorKind.CONTEXT_LENGTH, "context_length_exceeded"),
        (ErrorKind.RATE_LIMIT, "rate_limit_exceeded"),
    ],
)
def test_response_failed_says_whether_a_retry_can_help(kind: ErrorKind, code: str) -> None:
    """Codex retries a failed stream whose code does not say otherwise: a request that can never
    succeed must not read as a server error."""
    from daemon.dialects.openai_responses_wire import stream_error

    assert stream_error(LynkrError(kind, "nope"))["code"] == code


def test_route_detects_a_plain_anthropic_body() -> None:
    from lynkr_tui.route_cmd import detect_dialect

    messages = [{"role": "user", "content": "hi"}]
    assert detect_dialect({"model": "claude-x", "max_tokens": 1000, "messages": messages}) == "anthropic"
    assert detect_dialect({"model": "gpt-4o", "messages": messages}) == "openai"
    assert detect_dialect({"model": "gpt-4o", "max_tokens": 10, "n": 1, "messages": messages}) == "openai"
