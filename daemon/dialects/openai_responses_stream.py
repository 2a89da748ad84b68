"""OpenAI Responses API streaming: canonical events → the Responses SSE sequence (§2.4).

Every event is ``event: <type>`` plus ``data: {"type": <type>, ..., "sequence_number": n}``;
there is no ``[DONE]``. A text turn reads::

    response.created → response.in_progress
    → response.output_item.added (message) → response.content_part.added
    → response.output_text.delta* → response.output_text.done → response.content_part.done
    → response.output_item.done (the complete item) → response.completed (the complete response)

Tool calls are ``function_call`` items with ``function_call_arguments.delta``/``.done``;
thinking becomes a ``reasoning`` item with ``reasoning_text`` deltas. Codex takes tool
calls and messages from ``output_item.done`` and treats a stream without
``response.completed`` as broken, so a stream always ends in exactly one of
``response.completed``, ``response.incomplete`` (max tokens, refusal) or
``response.failed`` (an upstream error after the stream began).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from daemon.canonical import (
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
from daemon.dialects.openai_responses_wire import (
    ResponsesRequest,
    call_item,
    item_id,
    message_item,
    output_text_part,
    reasoning_item,
    response_object,
    status_for,
    stream_error,
    wire_tool_name,
)
from daemon.streams import parse_tool_arguments


@dataclass(slots=True)
class _Open:
    """The output item being streamed."""

    output_index: int
    id: str
    block: TextBlock | ToolUseBlock | ThinkingBlock
    custom: bool = False
    parts: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    part_open: bool = False


class StreamEncoder:
    """Canonical stream events → Responses SSE bytes for one response."""

    __slots__ = (
        "_closed",
        "_created_at",
        "_input_usage",
        "_open",
        "_output",
        "_request",
        "_seq",
        "_started",
        "_stop_reason",
        "_usage",
    )

    def __init__(self, request: ResponsesRequest) -> None:
        self._request = request
        self._seq = 0
        self._created_at = int(time.time())
        self._output: list[dict[str, Any]] = []
        self._open: _Open | None = None
        self._input_usage = Usage()
        self._usage: Usage | None = None
        self._stop_reason = StopReason.END_TURN
        self._started = False
        self._closed = False

    # ------------------------------------------------------------------ framing

    def _event(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, **fields, "sequence_number": self._seq}
        self._seq += 1
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"

    def _snapshot(self, status: str, **extra: Any) -> dict[str, Any]:
        return response_object(
            self._request.response_id,
            self._request.model,
            self._created_at,
            status=status,
            output=list(self._output),
            request=self._request,
            **extra,
        )

    def _start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        snapshot = self._snapshot("in_progress")
        return self._event("response.created", response=snapshot) + self._event(
            "response.in_progress", response=snapshot
        )

    # ------------------------------------------------------------------ events

    def encode(self, event: StreamEvent) -> bytes:
        if self._closed:
            return b""
        if isinstance(event, MessageStart):
            self._input_usage = event.usage
            return self._start()
        out = self._start()
        if isinstance(event, BlockStart):
            return out + self._close_open() + self._open_item(event.block)
        if isinstance(event, BlockDelta):
            return out + self._delta(event)
        if isinstance(event, BlockStop):
            return out + self._close_open()
        if isinstance(event, MessageDelta):
            self._stop_reason, self._usage = event.stop_reason, event.usage
            return out
        if isinstance(event, MessageStop):
            return out + self._close_open() + self._finish()
        if isinstance(event, StreamError):
            self._closed = True
            failed = self._snapshot("failed", error=stream_error(event.error), usage=self._usage)
            return out + self._event("response.failed", response=failed)
        return out

    def _open_item(self, block: TextBlock | ToolUseBlock | ThinkingBlock) -> bytes:
        index = len(self._output)
        if isinstance(block, TextBlock):
            self._open = _Open(index, item_id("msg"), block, part_open=True)
            item = message_item(self._open.id, "", status="in_progress")
            return self._event("response.output_item.added", output_index=index, item=item) + self._event(
                "response.content_part.added",
                item_id=self._open.id,
                output_index=index,
                content_index=0,
                part=output_text_part(""),
            )
        if isinstance(block, ToolUseBlock):
            custom = block.name in self._request.custom_tools
            self._open = _Open(index, item_id("ctc" if custom else "fc"), block, custom=custom)
            item = wire_tool_name(call_item(self._open.id, block, "", custom, "in_progress"), self._request)
            return self._event("response.output_item.added", output_index=index, item=item)
        self._open = _Open(index, item_id("rs"), block)
        item = reasoning_item(self._open.id, block, status="in_progress")
        return self._event("response.output_item.added", output_index=index, item=item)

    def _delta(self, event: BlockDelta) -> bytes:
        current = self._open
        if current is None or not event.value:
            return b""
        if event.kind == "signature":
            current.signature.append(event.value)
            return b""
        current.parts.append(event.value)
        where = {"item_id": current.id, "output_index": current.output_index}
        if event.kind == "text" and isinstance(current.block, TextBlock):
            return self._event(
                "response.output_text.delta", **where, content_index=0, delta=event.value, logprobs=[]
            )
        if event.kind == "json" and isinstance(current.block, ToolUseBlock):
            if current.custom:
                return b""  # the raw input is only known once the JSON wrapper is complete
            return self._event("response.function_call_arguments.delta", **where, delta=event.value)
        if event.kind == "thinking" and isinstance(current.block, ThinkingBlock):
            out = b""
            if not current.part_open:
                current.part_open = True
                part = {"type": "reasoning_text", "text": ""}
                out = self._event("response.content_part.added", **where, content_index=0, part=part)
            return out + self._event(
                "response.reasoning_text.delta", **where, content_index=0, delta=event.value
            )
        current.parts.pop()  # a delta of the wrong kind for the open block: not ours to show
        return b""

    def _close_open(self) -> bytes:
        current, self._open = self._open, None
        if current is None:
            return b""
        text = "".join(current.parts)
        where = {"item_id": current.id, "output_index": current.output_index}
        block = current.block
        if isinstance(block, TextBlock):
            out = self._event("response.output_text.done", **where, content_index=0, text=text, logprobs=[])
            out += self._event(
                "response.content_part.done", **where, content_index=0, part=output_text_part(text)
            )
            item = message_item(current.id, text)
        elif isinstance(block, ToolUseBlock):
            call = ToolUseBlock(block.id, block.name, parse_tool_arguments(text))
            if current.custom:
                item = wire_tool_name(call_item(current.id, call, text, True), self._request)
                out = self._event("response.custom_tool_call_input.delta", **where, delta=item["input"])
                out += self._event("response.custom_tool_call_input.done", **where, input=item["input"])
            else:
                out = b""
                if not text:  # no fragments: still say "{}" so deltas and the final item agree
                    text = "{}"
                    out = self._event("response.function_call_arguments.delta", **where, delta=text)
                item = wire_tool_name(call_item(current.id, call, text, False), self._request)
                out += self._event(
                    "response.function_call_arguments.done", **where, name=item["name"], arguments=text
                )
        else:
            thinking = ThinkingBlock(text, "".join(current.signature) or None, block.redacted, block.origin)
            out = b""
            if current.part_open:
                part = {"type": "reasoning_text", "text": text}
                out += self._event("response.reasoning_text.done", **where, content_index=0, text=text)
                out += self._event("response.content_part.done", **where, content_index=0, part=part)
            item = reasoning_item(current.id, thinking)
        self._output.append(item)
        return out + self._event("response.output_item.done", output_index=current.output_index, item=item)

    def _finish(self) -> bytes:
        self._closed = True
        usage = self._usage or self._input_usage
        if not usage.prompt_tokens and self._input_usage.prompt_tokens:
            start = self._input_usage
            usage = Usage(
                start.input_tokens,
                usage.output_tokens,
                start.cache_read_tokens,
                start.cache_write_tokens,
                usage.reasoning_tokens,
                usage.estimated or start.estimated,
            )
        status, incomplete = status_for(self._stop_reason)
        final = self._snapshot(status, usage=usage, incomplete=incomplete)
        sink = self._request.sink
        if sink is not None:
            sink(final)  # stored before the client can read the last event and name this response
        kind = "response.completed" if status == "completed" else "response.incomplete"
        return self._event(kind, response=final)
