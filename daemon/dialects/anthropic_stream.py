"""Anthropic Messages streaming, both directions.

``StreamEncoder`` turns canonical stream events into the SSE bytes Claude Code
and the Anthropic SDKs expect; ``StreamDecoder`` turns an upstream Anthropic
SSE stream into canonical events through ``StreamBuilder``. The helpers at the
top (error types, foreign thinking signatures, message ids) are shared with
``daemon.dialects.anthropic``, which re-exports both classes; they live here so
that module can import this one without a cycle.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import orjson

from daemon.canonical import (
    Block,
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamBuilder
from daemon.tokens import CHARS_PER_TOKEN

ORIGIN = "anthropic"
"""``ThinkingBlock.origin`` for blocks whose signature Anthropic minted."""

# --------------------------------------------------------------------------- shared helpers

# Thinking signatures minted by another upstream (Gemini thought signatures, OpenAI
# encrypted reasoning, ...) must not come back to us looking like Anthropic ones:
# Claude Code replays whatever it received, and a foreign signature sent to
# Anthropic is a 400. Tagging them keeps the origin across the client round trip.
# Anthropic signatures are base64, so they never contain ":" and cannot collide.
FOREIGN_SIGNATURE_PREFIX = "lynkr:"


def tag_signature(value: str, origin: str | None) -> str:
    """The signature (or redacted payload) as the client should see it."""
    if not value or origin == ORIGIN:
        return value
    return f"{FOREIGN_SIGNATURE_PREFIX}{origin or 'unknown'}:{value}"


def untag_signature(value: str) -> tuple[str, str]:
    """Inverse of ``tag_signature``: (origin, signature) of a value a client sent back."""
    if value.startswith(FOREIGN_SIGNATURE_PREFIX):
        origin, sep, rest = value[len(FOREIGN_SIGNATURE_PREFIX) :].partition(":")
        if sep:
            return origin, rest
    return ORIGIN, value


def message_id(raw: str | None) -> str:
    """Anthropic ids start with ``msg_``; SDKs do not check, but logs and users do."""
    if not raw:
        return f"msg_{uuid.uuid4().hex[:24]}"
    return raw if raw.startswith("msg_") else f"msg_{raw}"


ERROR_TYPES: dict[ErrorKind, str] = {
    ErrorKind.INVALID_REQUEST: "invalid_request_error",
    ErrorKind.CONTEXT_LENGTH: "invalid_request_error",
    ErrorKind.AUTHENTICATION: "authentication_error",
    ErrorKind.PERMISSION: "permission_error",
    ErrorKind.NOT_FOUND: "not_found_error",
    ErrorKind.REQUEST_TOO_LARGE: "request_too_large",
    ErrorKind.RATE_LIMIT: "rate_limit_error",
    ErrorKind.UPSTREAM: "api_error",
    ErrorKind.INTERNAL: "api_error",
    ErrorKind.TIMEOUT: "timeout_error",
    ErrorKind.OVERLOADED: "overloaded_error",
}

CONTEXT_MARKER = "prompt is too long"
"""Claude Code compacts the conversation only when a 400 says exactly this."""


def error_body(error: LynkrError) -> dict[str, Any]:
    kind = error.kind if isinstance(error, LynkrError) else ErrorKind.INTERNAL
    message = getattr(error, "message", None) or str(error) or "internal error"
    if kind is ErrorKind.CONTEXT_LENGTH and CONTEXT_MARKER not in message.lower():
        message = f"{CONTEXT_MARKER}: {message}"
    return {"type": "error", "error": {"type": ERROR_TYPES.get(kind, "api_error"), "message": message}}


# Anthropic error types an upstream can report in a body or mid-stream, and what the
# pipeline should make of them. Anything not listed is the provider's failure.
_UPSTREAM_ERROR_KINDS: dict[str, ErrorKind] = {
    "overloaded_error": ErrorKind.OVERLOADED,
    "rate_limit_error": ErrorKind.RATE_LIMIT,
}


def error_from_upstream(payload: object, provider: str | None = None) -> LynkrError:
    """A LynkrError for an Anthropic ``{"type":"error","error":{type,message}}`` body."""
    err = payload.get("error") if isinstance(payload, dict) else None
    etype = err.get("type") if isinstance(err, dict) else None
    emsg = err.get("message") if isinstance(err, dict) else None
    etype = etype if isinstance(etype, str) else "api_error"
    emsg = emsg if isinstance(emsg, str) and emsg else "no message"
    kind = _UPSTREAM_ERROR_KINDS.get(etype, ErrorKind.UPSTREAM)
    who = f"provider {provider!r}" if provider else "upstream"
    # Only kinds the pipeline can usefully retry elsewhere are retryable; an
    # invalid_request_error mid-stream would fail the same way on a fallback.
    retryable = etype in ("overloaded_error", "rate_limit_error", "api_error", "timeout_error")
    return LynkrError(kind, f"{who} reported {etype}: {emsg}", retryable=retryable, provider=provider)


def dumps(value: Any) -> bytes:
    """orjson, falling back to json for what orjson refuses (ints beyond 64 bits)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def as_int(value: object) -> int | None:
    """A token count from an upstream: ints only (bool is an int in Python, not a count)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


# --------------------------------------------------------------------------- encoder (client-facing)


def _sse(event_type: str, payload: dict[str, Any]) -> bytes:
    return b"event: " + event_type.encode() + b"\ndata: " + dumps(payload) + b"\n\n"


_PING = _sse("ping", {"type": "ping"})

_DELTA_TYPES: dict[str, tuple[str, str]] = {
    "text": ("text_delta", "text"),
    "json": ("input_json_delta", "partial_json"),
    "thinking": ("thinking_delta", "thinking"),
}


class StreamEncoder:
    """Canonical stream events → Anthropic SSE bytes, one call per event."""

    __slots__ = ("_done", "_model", "_sig", "_sig_origin")

    def __init__(self, model: str) -> None:
        self._model = model
        self._done = False
        # Signature fragments of the open thinking block. Anthropic sends a signature
        # as one signature_delta just before content_block_stop, and the SDK's
        # accumulator *replaces* the signature on each delta, so fragments from the
        # canonical stream are joined and sent once, at BlockStop.
        self._sig: list[str] = []
        self._sig_origin: str | None = ORIGIN

    def encode(self, event: StreamEvent) -> bytes:
        if self._done:
            return b""  # nothing may follow message_stop or error
        if isinstance(event, BlockDelta):  # the hot path first
            if event.kind == "signature":
                self._sig.append(event.value)
                return b""
            delta_type, field = _DELTA_TYPES.get(event.kind, ("text_delta", "text"))
            return _sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": event.index,
                    "delta": {"type": delta_type, field: event.value},
                },
            )
        if isinstance(event, MessageStart):
            usage = event.usage
            message: dict[str, Any] = {
                "id": message_id(event.id),
                "type": "message",
                "role": "assistant",
                "model": self._model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": usage.input_tokens,
                    "cache_creation_input_tokens": usage.cache_write_tokens,
                    "cache_read_input_tokens": usage.cache_read_tokens,
                    "output_tokens": usage.output_tokens,
                },
            }
            # The real API pings right after message_start; some clients use the
            # first bytes to confirm the stream is alive.
            return _sse("message_start", {"type": "message_start", "message": message}) + _PING
        if isinstance(event, BlockStart):
            self._sig = []
            return _sse(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": event.index,
                    "content_block": self._block_start(event.block),
                },
            )
        if isinstance(event, BlockStop):
            out = b""
            if self._sig:
                signature = tag_signature("".join(self._sig), self._sig_origin)
                self._sig = []
                out = _sse(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": event.index,
                        "delta": {"type": "signature_delta", "signature": signature},
                    },
                )
            return out + _sse("content_block_stop", {"type": "content_block_stop", "index": event.index})
        if isinstance(event, MessageDelta):
            usage = event.usage
            return _sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": event.stop_reason.value, "stop_sequence": event.stop_sequence},
                    # Input counts are repeated here because OpenAI-style upstreams only
                    # know them at the end, and Claude Code's context meter reads them.
                    "usage": {
                        "output_tokens": usage.output_tokens,
                        "input_tokens": usage.input_tokens,
                        "cache_creation_input_tokens": usage.cache_write_tokens,
                        "cache_read_input_tokens": usage.cache_read_tokens,
                    },
                },
            )
        if isinstance(event, MessageStop):
            self._done = True
            return _sse("message_stop", {"type": "message_stop"})
        if isinstance(event, StreamError):
            self._done = True
            return _sse("error", error_body(event.error))
        return b""

    def _block_start(self, block: TextBlock | ToolUseBlock | ThinkingBlock) -> dict[str, Any]:
        if isinstance(block, ToolUseBlock):
            return {"type": "tool_use", "id": block.id, "name": block.name, "input": {}}
        if isinstance(block, ThinkingBlock):
            self._sig_origin = block.origin
            if block.redacted is not None:
                return {"type": "redacted_thinking", "data": tag_signature(block.redacted, block.origin)}
            return {"type": "thinking", "thinking": "", "signature": ""}
        return {"type": "text", "text": ""}


# --------------------------------------------------------------------------- decoder (upstream-facing)


_STOP_REASONS = {r.value: r for r in StopReason}


def stop_reason(value: object) -> StopReason:
    return _STOP_REASONS.get(value, StopReason.END_TURN) if isinstance(value, str) else StopReason.END_TURN


class _Block:
    """What the decoder knows about one upstream content block."""

    __slots__ = ("got_json", "input", "kind")

    def __init__(self, kind: str | None, tool_input: Any = None) -> None:
        self.kind = kind  # "text" | "thinking" | "tool" | None (a block type we drop)
        self.input = tool_input
        self.got_json = False


class StreamDecoder:
    """Upstream Anthropic SSE → canonical events. Feed one SSE event at a time."""

    __slots__ = (
        "_b",
        "_blocks",
        "_delta_usage",
        "_input_usage",
        "_reported_input",
        "_saw_delta",
        "_stop_reason",
        "_stop_sequence",
    )

    def __init__(self, message_id: str, model: str, input_usage: Usage) -> None:
        self._b = StreamBuilder(message_id, model, input_usage)
        self._input_usage = input_usage
        self._blocks: dict[int | None, _Block] = {}
        self._stop_reason = StopReason.END_TURN
        self._stop_sequence: str | None = None
        self._delta_usage: dict[str, Any] = {}
        self._saw_delta = False
        self._reported_input = False

    def feed(self, event: str | None, data: str) -> list[StreamEvent]:
        if self._b.finished:
            return []
        if not data.strip():
            # Some servers send `event: ping` with an empty data line; the name says it all.
            if not event:
                return []
            payload: Any = {"type": event}
        else:
            try:
                payload = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                return self._fail(
                    f"upstream sent invalid JSON in a {event or 'stream'} event: {exc}: {data[:200]!r}"
                )
            if not isinstance(payload, dict):
                return self._fail(
                    f"upstream sent a {event or 'stream'} event that is not a JSON object: {data[:200]!r}"
                )
        etype = payload.get("type")
        if not isinstance(etype, str):
            etype = event or ""
        handler = _HANDLERS.get(etype)
        return handler(self, payload) if handler is not None else []  # unknown/ping: ignore

    def finish(self) -> list[StreamEvent]:
        """At EOF. A stream cut before message_delta is an error, not a short answer."""
        if self._b.finished:
            return []
        if self._saw_delta:
            return self._finish()
        return self._b.fail(
            LynkrError(
                ErrorKind.UPSTREAM,
                "upstream stream ended before message_stop",
                retryable=True,
                transient=True,
            )
        )

    # ----------------------------------------------------------------- event handlers

    def _message_start(self, payload: dict[str, Any]) -> list[StreamEvent]:
        message = payload.get("message")
        usage = message.get("usage") if isinstance(message, dict) else None
        if isinstance(usage, dict) and as_int(usage.get("input_tokens")) is not None:
            self._reported_input = True
            self._input_usage = Usage(
                input_tokens=as_int(usage.get("input_tokens")) or 0,
                output_tokens=as_int(usage.get("output_tokens")) or 0,
                cache_read_tokens=as_int(usage.get("cache_read_input_tokens")) or 0,
                cache_write_tokens=as_int(usage.get("cache_creation_input_tokens")) or 0,
            )
        # Without upstream usage the caller's estimate stands (usage_omitted streams exist).
        return self._b.start(self._input_usage)

    def _block_start(self, payload: dict[str, Any]) -> list[StreamEvent]:
        index = as_int(payload.get("index"))
        block = payload.get("content_block")
        if not isinstance(block, dict):
            return self._b.start()
        btype = block.get("type")
        if btype == "text":
            self._blocks[index] = _Block("text")
            text = block.get("text")
            events = self._b.open_text()
            return events + self._b.text(text) if isinstance(text, str) and text else events
        if btype == "tool_use":
            self._blocks[index] = _Block("tool", block.get("input"))
            call_id, name = block.get("id"), block.get("name")
            return self._b.tool_start(
                index, call_id if isinstance(call_id, str) else "", name if isinstance(name, str) else ""
            )
        if btype in ("thinking", "redacted_thinking"):
            self._blocks[index] = _Block("thinking")
            if btype == "redacted_thinking":
                data = block.get("data")
                return self._b.open_thinking(ORIGIN, redacted=data if isinstance(data, str) else "")
            events = self._b.open_thinking(ORIGIN)
            text, sig = block.get("thinking"), block.get("signature")
            if isinstance(text, str) and text:
                events += self._b.thinking(text, ORIGIN)
            if isinstance(sig, str) and sig:
                events += self._b.signature(sig)
            return events
        # server_tool_use, web_search_tool_result, ...: the client could not act on
        # them (and may not speak Anthropic), so they and their deltas are dropped.
        self._blocks[index] = _Block(None)
        return self._b.start()

    def _block_delta(self, payload: dict[str, Any]) -> list[StreamEvent]:
        index = as_int(payload.get("index"))
        delta = payload.get("delta")
        info = self._blocks.get(index)
        if not isinstance(delta, dict) or (info is not None and info.kind is None):
            return []
        dtype = delta.get("type")
        if dtype == "text_delta":
            text = delta.get("text")
            return self._b.text(text) if isinstance(text, str) else []
        if dtype == "input_json_delta":
            fragment = delta.get("partial_json")
            if info is None or info.kind != "tool" or not isinstance(fragment, str):
                return []
            if fragment:
                info.got_json = True
            return self._b.tool_args(index, fragment)
        if dtype == "thinking_delta":
            text = delta.get("thinking")
            return self._b.thinking(text, ORIGIN) if isinstance(text, str) else []
        if dtype == "signature_delta":
            sig = delta.get("signature")
            return self._b.signature(sig) if isinstance(sig, str) else []
        return []  # citations_delta and future delta types

    def _block_stop(self, payload: dict[str, Any]) -> list[StreamEvent]:
        index = as_int(payload.get("index"))
        info = self._blocks.get(index)
        if info is None or info.kind is None:
            return []
        events: list[StreamEvent] = []
        if info.kind == "tool" and not info.got_json and isinstance(info.input, dict) and info.input:
            # Input delivered whole in content_block_start (some gateways do this):
            # without this the client would see input {} (§4.6, "Invalid tool parameters").
            events += self._b.tool_args(index, dumps(info.input).decode())
        return events + self._b.close_block()

    def _message_delta(self, payload: dict[str, Any]) -> list[StreamEvent]:
        self._saw_delta = True
        delta = payload.get("delta")
        if isinstance(delta, dict):
            if "stop_reason" in delta and delta["stop_reason"] is not None:
                self._stop_reason = stop_reason(delta["stop_reason"])
            seq = delta.get("stop_sequence")
            if isinstance(seq, str):
                self._stop_sequence = seq
        usage = payload.get("usage")
        if isinstance(usage, dict):
            # Counts are cumulative, so the latest value of each field wins.
            self._delta_usage.update({k: v for k, v in usage.items() if as_int(v) is not None})
        return self._b.start()

    def _message_stop(self, payload: dict[str, Any]) -> list[StreamEvent]:
        return self._finish()

    def _error(self, payload: dict[str, Any]) -> list[StreamEvent]:
        return self._b.fail(error_from_upstream(payload))

    # ----------------------------------------------------------------- helpers

    def _finish(self) -> list[StreamEvent]:
        start, du = self._input_usage, self._delta_usage
        output = as_int(du.get("output_tokens"))
        reported_input = self._reported_input or as_int(du.get("input_tokens")) is not None
        usage = Usage(
            input_tokens=_pick(du, "input_tokens", start.input_tokens),
            output_tokens=output if output is not None else -(-self._b.output_chars // CHARS_PER_TOKEN),
            cache_read_tokens=_pick(du, "cache_read_input_tokens", start.cache_read_tokens),
            cache_write_tokens=_pick(du, "cache_creation_input_tokens", start.cache_write_tokens),
            estimated=output is None or (not reported_input and start.estimated),
        )
        return self._b.finish(self._stop_reason, usage, self._stop_sequence)

    def _fail(self, message: str) -> list[StreamEvent]:
        return self._b.fail(LynkrError(ErrorKind.UPSTREAM, message, retryable=True, transient=True))


def _pick(values: dict[str, Any], key: str, default: int) -> int:
    value = as_int(values.get(key))
    return default if value is None else value


_HANDLERS = {
    "message_start": StreamDecoder._message_start,
    "content_block_start": StreamDecoder._block_start,
    "content_block_delta": StreamDecoder._block_delta,
    "content_block_stop": StreamDecoder._block_stop,
    "message_delta": StreamDecoder._message_delta,
    "message_stop": StreamDecoder._message_stop,
    "error": StreamDecoder._error,
}


# --------------------------------------------------------------------------- shared by both directions

DEFAULT_VERSION = "2023-06-01"

# Top-level request fields Anthropic understands that have no canonical meaning;
# kept in Request.extra on the way in and forwarded only to Anthropic upstreams.
ANTHROPIC_EXTRA_KEYS = ("service_tier", "output_config", "context_management", "container", "cache_control")


def json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def effective_stop_reason(content: list[Block], reason: StopReason) -> StopReason:
    # Non-Anthropic upstreams often say "stop" after tool calls; clients loop on tool_use.
    if reason in (StopReason.END_TURN, StopReason.STOP_SEQUENCE) and any(
        isinstance(b, ToolUseBlock) for b in content
    ):
        return StopReason.TOOL_USE
    return reason
