"""Helpers that keep canonical streams well-formed.

``StreamBuilder`` is what upstream decoders use to emit events: it guarantees
the stream contract in ``canonical`` (MessageStart first, consecutive block
indexes, one block open at a time, MessageDelta only at the end), so each
decoder only says *what* arrived. ``events_from_response`` and
``StreamAccumulator`` convert between a whole response and a stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from daemon.canonical import (
    Block,
    BlockDelta,
    BlockStart,
    BlockStop,
    MessageDelta,
    MessageStart,
    MessageStop,
    Response,
    StopReason,
    StreamError,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)


class StreamBuilder:
    """Turns "text arrived", "tool call 2 started", ... into a valid canonical stream.

    Every method returns the events to emit (possibly none). Tool calls are
    keyed by whatever the upstream uses to correlate fragments (an index, an
    id); arguments for a call that is not yet open are buffered until it is.
    """

    __slots__ = (
        "_finished",
        "_id",
        "_input_usage",
        "_model",
        "_next_index",
        "_open",
        "_open_key",
        "_saw_tool",
        "_started",
        "_tool_keys",
        "output_chars",
    )

    def __init__(self, message_id: str, model: str, input_usage: Usage | None = None) -> None:
        self._id = message_id
        self._model = model
        self._input_usage = input_usage or Usage()
        self._started = False
        self._next_index = 0
        self._open: str | None = None  # "text" | "thinking" | "tool"
        self._open_key: object = None
        self._tool_keys: set[object] = set()
        self._saw_tool = False
        self._finished = False
        self.output_chars = 0
        """Characters of generated output, for estimating usage when the upstream reports none."""

    @property
    def saw_tool_call(self) -> bool:
        return self._saw_tool

    @property
    def finished(self) -> bool:
        return self._finished

    def start(self, usage: Usage | None = None) -> list[StreamEvent]:
        if self._started:
            return []
        self._started = True
        if usage is not None:
            self._input_usage = usage
        return [MessageStart(self._id, self._model, self._input_usage)]

    def _close(self) -> list[StreamEvent]:
        if self._open is None:
            return []
        self._open = None
        self._open_key = None
        return [BlockStop(self._next_index - 1)]

    def _open_block(
        self, kind: str, block: TextBlock | ThinkingBlock | ToolUseBlock, key: object = None
    ) -> list[StreamEvent]:
        events = self.start() + self._close()
        self._open = kind
        self._open_key = key
        events.append(BlockStart(self._next_index, block))
        self._next_index += 1
        return events

    def open_text(self) -> list[StreamEvent]:
        """Start a new text block even if one is open (keeps an upstream's block structure)."""
        return self._open_block("text", TextBlock(""))

    def open_thinking(self, origin: str | None = None, redacted: str | None = None) -> list[StreamEvent]:
        """Start a new thinking block; needed for signature-only and redacted blocks."""
        return self._open_block("thinking", ThinkingBlock("", redacted=redacted, origin=origin))

    def close_block(self) -> list[StreamEvent]:
        return self._close()

    def text(self, text: str) -> list[StreamEvent]:
        if not text:
            return self.start()
        events = [] if self._open == "text" else self._open_block("text", TextBlock(""))
        self.output_chars += len(text)
        events.append(BlockDelta(self._next_index - 1, "text", text))
        return events

    def thinking(self, text: str, origin: str | None = None) -> list[StreamEvent]:
        if not text:
            return self.start()
        events = (
            [] if self._open == "thinking" else self._open_block("thinking", ThinkingBlock("", origin=origin))
        )
        self.output_chars += len(text)
        events.append(BlockDelta(self._next_index - 1, "thinking", text))
        return events

    def signature(self, signature: str) -> list[StreamEvent]:
        if not signature or self._open != "thinking":
            return []
        return [BlockDelta(self._next_index - 1, "signature", signature)]

    def tool_start(self, key: object, call_id: str, name: str) -> list[StreamEvent]:
        self._saw_tool = True
        self._tool_keys.add(key)
        return self._open_block("tool", ToolUseBlock(call_id, name, {}), key)

    def has_tool(self, key: object) -> bool:
        return key in self._tool_keys

    def tool_args(self, key: object, fragment: str) -> list[StreamEvent]:
        """Argument JSON for call ``key``. Fragments for a call that is no longer
        open cannot be placed in a one-block-at-a-time stream; upstreams do not
        interleave calls in practice, so they are dropped rather than corrupting
        another call's arguments."""
        if not fragment or self._open != "tool" or self._open_key != key:
            return []
        self.output_chars += len(fragment)
        return [BlockDelta(self._next_index - 1, "json", fragment)]

    def finish(
        self, stop_reason: StopReason, usage: Usage, stop_sequence: str | None = None
    ) -> list[StreamEvent]:
        if self._finished:
            return []
        self._finished = True
        events = self.start() + self._close()
        if self._saw_tool and stop_reason in (StopReason.END_TURN, StopReason.STOP_SEQUENCE):
            # Upstreams often say "stop" after emitting tool calls; clients need tool_use.
            stop_reason = StopReason.TOOL_USE
        events.append(MessageDelta(stop_reason, usage, stop_sequence))
        events.append(MessageStop())
        return events

    def fail(self, error: Any) -> list[StreamEvent]:
        self._finished = True
        return [StreamError(error)]


def events_from_response(response: Response) -> Iterator[StreamEvent]:
    """A whole response as a stream (for upstreams or caches that answered in one piece)."""
    yield MessageStart(
        response.id,
        response.model,
        Usage(
            input_tokens=response.usage.input_tokens,
            cache_read_tokens=response.usage.cache_read_tokens,
            cache_write_tokens=response.usage.cache_write_tokens,
            estimated=response.usage.estimated,
        ),
    )
    for index, block in enumerate(response.content):
        if isinstance(block, TextBlock):
            yield BlockStart(index, TextBlock(""))
            if block.text:
                yield BlockDelta(index, "text", block.text)
        elif isinstance(block, ToolUseBlock):
            yield BlockStart(index, ToolUseBlock(block.id, block.name, {}, signature=block.signature))
            yield BlockDelta(index, "json", json.dumps(block.input, separators=(",", ":")))
        elif isinstance(block, ThinkingBlock):
            yield BlockStart(index, ThinkingBlock("", origin=block.origin, redacted=block.redacted))
            if block.thinking:
                yield BlockDelta(index, "thinking", block.thinking)
            if block.signature:
                yield BlockDelta(index, "signature", block.signature)
        else:  # images and tool results never appear in assistant output
            continue
        yield BlockStop(index)
    yield MessageDelta(response.stop_reason, response.usage, response.stop_sequence)
    yield MessageStop()


class StreamAccumulator:
    """Folds a canonical stream back into a Response (telemetry, non-stream clients, caches)."""

    __slots__ = ("_json", "blocks", "error", "id", "model", "stop_reason", "stop_sequence", "usage")

    def __init__(self) -> None:
        self.id = ""
        self.model = ""
        self.blocks: list[Block] = []
        self._json: dict[int, list[str]] = {}
        self.stop_reason = StopReason.END_TURN
        self.stop_sequence: str | None = None
        self.usage = Usage()
        self.error: Any = None

    def add(self, event: StreamEvent) -> None:
        if isinstance(event, BlockDelta):
            block = self.blocks[event.index]
            if event.kind == "text" and isinstance(block, TextBlock):
                block.text += event.value
            elif event.kind == "json":
                self._json.setdefault(event.index, []).append(event.value)
            elif event.kind == "thinking" and isinstance(block, ThinkingBlock):
                block.thinking += event.value
            elif event.kind == "signature" and isinstance(block, ThinkingBlock):
                block.signature = (block.signature or "") + event.value
        elif isinstance(event, BlockStart):
            b = event.block
            if isinstance(b, TextBlock):
                copy: Block = TextBlock(b.text)
            elif isinstance(b, ToolUseBlock):
                copy = ToolUseBlock(b.id, b.name, dict(b.input), signature=b.signature)
            else:
                copy = ThinkingBlock(b.thinking, b.signature, b.redacted, b.origin)
            self.blocks.append(copy)
        elif isinstance(event, BlockStop):
            parts = self._json.pop(event.index, None)
            block = self.blocks[event.index]
            if parts is not None and isinstance(block, ToolUseBlock):
                block.input = parse_tool_arguments("".join(parts))
        elif isinstance(event, MessageStart):
            self.id, self.model, self.usage = event.id, event.model, event.usage
        elif isinstance(event, MessageDelta):
            self.stop_reason, self.stop_sequence, self.usage = (
                event.stop_reason,
                event.stop_sequence,
                event.usage,
            )
        elif isinstance(event, StreamError):
            self.error = event.error

    def response(self) -> Response:
        return Response(self.id, self.model, self.blocks, self.stop_reason, self.stop_sequence, self.usage)


def parse_tool_arguments(raw: str) -> dict[str, Any]:
    """Tool arguments as an object. Invalid JSON never crashes a translation:
    it is kept under ``_raw`` so the client at least sees what the model wrote."""
    if not raw or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {"_raw": raw}
    return value if isinstance(value, dict) else {"_value": value}
