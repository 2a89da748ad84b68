"""Pure pieces of the request path: router rules, session identity, SSE/NDJSON framing, streams."""

from __future__ import annotations

import asyncio

import pytest

from daemon.canonical import (
    BlockDelta,
    BlockStart,
    BlockStop,
    Message,
    MessageDelta,
    MessageStart,
    MessageStop,
    Request,
    StopReason,
    TextBlock,
    ToolUseBlock,
    Usage,
)
from daemon.config.model import Config, RoutingConfig
from daemon.errors import ErrorKind, from_upstream_status
from daemon.routing.router import pinned_tier, route
from daemon.session import session_id
from daemon.sse import iter_ndjson, iter_sse
from daemon.streams import StreamAccumulator, StreamBuilder, events_from_response, parse_tool_arguments


def _request(model: str = "gpt-4o", text: str = "hi", system: str = "") -> Request:
    return Request(model, [Message("user", [TextBlock(text)])], system=[TextBlock(system)] if system else [])


@pytest.mark.parametrize(
    ("model", "tier"),
    [
        ("lynkr-simple", "simple"),
        ("lynkr/complex", "complex"),
        ("REASONING", "reasoning"),
        ("lynkr:medium", "medium"),
        ("gpt-4o", None),
        ("lynkr-ultra", None),
        ("", None),
    ],
)
def test_model_names_pin_tiers(model: str, tier: str | None) -> None:
    assert pinned_tier(model) == tier


def test_router_explains_its_decision() -> None:
    config = Config(routing=RoutingConfig(default_tier="complex"))
    pinned = route(_request("lynkr-simple"), config)
    assert (pinned.tier, pinned.rule, pinned.override) == ("simple", "model-alias", "model-alias")
    scored = route(_request("claude-sonnet-4-6", text="rename foo.py to bar.py"), config)
    assert scored.rule == "score" and scored.score is not None
    assert scored.reasons[0].startswith(f"score {scored.score:.0f}")
    assert len(scored.dimensions) >= 15
    empty = route(_request("claude-sonnet-4-6", text=""), config)
    assert (empty.tier, empty.rule) == ("complex", "default-tier")
    assert scored.elapsed_us >= 0


def test_session_header_wins_and_fingerprint_is_stable() -> None:
    request = _request(text="fix the bug", system="You are Claude Code")
    assert session_id({"x-claude-code-session-id": "abc"}, request) == "abc"
    assert session_id({"x-lynkr-session": "mine", "x-claude-code-session-id": "abc"}, request) == "mine"
    first = session_id({"user-agent": "claude-cli/2.0"}, request)
    later = Request(
        "m",
        [
            *request.messages,
            Message("assistant", [TextBlock("ok")]),
            Message("user", [TextBlock("and now?")]),
        ],
        system=request.system,
    )
    assert session_id({"user-agent": "claude-cli/2.1"}, later) == first
    assert session_id({"user-agent": "claude-cli/2.0"}, _request(text="other task")) != first


class FakeContent:
    """Just enough of aiohttp.StreamReader: hands out the body in awkward chunks."""

    def __init__(self, body: bytes) -> None:
        self._lines = body.splitlines(keepends=True)

    async def readuntil(self, separator: bytes = b"\n", *, max_size: int = 0) -> bytes:
        return self._lines.pop(0) if self._lines else b""


async def _collect(gen) -> list:
    return [item async for item in gen]


def test_sse_parser_handles_names_comments_crlf_and_multiline_data() -> None:
    body = (
        b': keep-alive\r\n\r\nevent: message_start\r\ndata: {"a":1}\r\n\r\n'
        b"data: line one\ndata:line two\n\ndata: [DONE]"
    )
    events = asyncio.run(_collect(iter_sse(FakeContent(body))))  # type: ignore[arg-type]
    assert events == [("message_start", '{"a":1}'), (None, "line one\nline two"), (None, "[DONE]")]


def test_ndjson_skips_blank_lines() -> None:
    lines = asyncio.run(_collect(iter_ndjson(FakeContent(b'{"a":1}\n\n  \n{"b":2}'))))  # type: ignore[arg-type]
    assert lines == ['{"a":1}', '{"b":2}']


def test_stream_builder_keeps_the_contract() -> None:
    b = StreamBuilder("m1", "model")
    events = [
        *b.text("Hel"),
        *b.text("lo"),
        *b.tool_start(0, "call_1", "read"),
        *b.tool_args(0, '{"p":'),
        *b.tool_args(0, '"x"}'),
        *b.text("after"),
        *b.finish(StopReason.END_TURN, Usage(1, 2)),
    ]
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "MessageStart" and kinds[-2:] == ["MessageDelta", "MessageStop"]
    starts = [e.index for e in events if isinstance(e, BlockStart)]
    assert starts == [0, 1, 2]
    # Blocks never overlap: every start after the first is preceded by the previous block's stop.
    stops = [e.index for e in events if isinstance(e, BlockStop)]
    assert stops == [0, 1, 2]
    delta = next(e for e in events if isinstance(e, MessageDelta))
    assert delta.stop_reason is StopReason.TOOL_USE, "tool calls with a 'stop' finish must become tool_use"

    acc = StreamAccumulator()
    for event in events:
        acc.add(event)
    response = acc.response()
    assert [type(b).__name__ for b in response.content] == ["TextBlock", "ToolUseBlock", "TextBlock"]
    assert response.content[1].input == {"p": "x"}  # type: ignore[union-attr]


def test_whole_response_round_trips_through_a_stream() -> None:
    acc = StreamAccumulator()
    from daemon.canonical import Response

    original = Response(
        "id1",
        "m",
        [TextBlock("hi"), ToolUseBlock("t1", "run", {"cmd": "ls"})],
        StopReason.TOOL_USE,
        None,
        Usage(3, 4),
    )
    events = list(events_from_response(original))
    assert isinstance(events[0], MessageStart) and isinstance(events[-1], MessageStop)
    assert any(isinstance(e, BlockDelta) and e.kind == "json" for e in events)
    for event in events:
        acc.add(event)
    assert acc.response().content == original.content
    assert acc.response().usage == original.usage


@pytest.mark.parametrize(
    ("raw", "parsed"), [("", {}), ('{"a":1}', {"a": 1}), ("[1]", {"_value": [1]}), ("{bad", {"_raw": "{bad"})]
)
def test_tool_arguments_never_crash(raw: str, parsed: dict) -> None:
    assert parse_tool_arguments(raw) == parsed


@pytest.mark.parametrize(
    ("status", "message", "kind", "client_status"),
    [
        (429, "slow down", ErrorKind.RATE_LIMIT, 429),
        (529, "Overloaded", ErrorKind.OVERLOADED, 529),
        (500, "boom", ErrorKind.UPSTREAM, 502),
        (503, "unavailable", ErrorKind.UPSTREAM, 502),
        (401, "bad key", ErrorKind.UPSTREAM, 502),
        (400, "prompt is too long: 300000 tokens", ErrorKind.CONTEXT_LENGTH, 400),
        (400, "missing field", ErrorKind.INVALID_REQUEST, 400),
        (504, "gateway", ErrorKind.TIMEOUT, 504),
    ],
)
def test_upstream_status_mapping(status: int, message: str, kind: ErrorKind, client_status: int) -> None:
    error = from_upstream_status(status, message, provider="p", retry_after=3)
    assert (error.kind, error.status) == (kind, client_status)
    # Another provider may well succeed where this one refused our key or is overloaded; a bad
    # request would fail everywhere, so it is not retried.
    assert error.retryable is (status != 400)


def test_a_tool_calls_gemini_signature_survives_a_stream_round_trip() -> None:
    from daemon.canonical import Response, StopReason, ToolUseBlock
    from daemon.streams import StreamAccumulator, events_from_response

    call = ToolUseBlock("call_1", "read", {"path": "a.py"}, signature="c2lnbmF0dXJl")
    accumulator = StreamAccumulator()
    answer = Response(id="m", model="g", content=[call], stop_reason=StopReason.TOOL_USE)
    for event in events_from_response(answer):
        accumulator.add(event)
    [again] = accumulator.response().tool_calls()
    assert again.signature == "c2lnbmF0dXJl" and again.input == {"path": "a.py"}
