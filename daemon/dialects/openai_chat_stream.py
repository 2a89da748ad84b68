"""OpenAI Chat Completions streaming, both directions (the wire helpers they share with whole
responses are in ``openai_chat_wire``).

``StreamEncoder`` turns canonical events into the ``chat.completion.chunk``
SSE a client expects (protocols.md §1.3, §4.5 "Anthropic SSE → OpenAI chunks").
``StreamDecoder`` turns an OpenAI-compatible upstream's chunks into canonical
events through ``StreamBuilder``, normalising the deviations of Azure, vLLM,
OpenRouter, DeepSeek, llama.cpp and friends (§1.5, §4.5, §4.6).
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
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_chat_wire import (
    _dumps,
    completion_id,
    finish_reason_for,
    new_call_id,
    render_error,
    stop_reason_from,
    usage_from_openai,
    usage_to_openai,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamBuilder
from daemon.tokens import CHARS_PER_TOKEN

# --------------------------------------------------------------------------- canonical → client SSE


_DONE = b"data: [DONE]\n\n"


class StreamEncoder:
    """Canonical events → ``data: {chat.completion.chunk}\\n\\n`` bytes for one response.

    Chunk framing (id, created, model, the ``choices`` wrapper) is serialised
    once; each text fragment then costs one ``orjson.dumps`` of the fragment.
    Tool calls are numbered among tool blocks only (0, 1, ...), not by canonical
    block index, because OpenAI clients index their call accumulators that way.
    """

    __slots__ = (
        "_closed",
        "_created",
        "_finished",
        "_head",
        "_id",
        "_include_usage",
        "_input_usage",
        "_model",
        "_started",
        "_tail",
        "_tool_index",
    )

    def __init__(self, model: str, include_usage: bool) -> None:
        self._model = model
        self._include_usage = include_usage
        self._created = int(time.time())
        self._id = completion_id("")  # replaced by MessageStart's id, which always comes first
        self._head = b""
        self._tail = b""
        self._started = False
        self._closed = False
        self._finished = False
        self._tool_index: dict[int, int] = {}
        self._input_usage = Usage()
        self._frame()

    def _frame(self) -> None:
        self._head = (
            b'data: {"id":'
            + _dumps(self._id)
            + b',"object":"chat.completion.chunk","created":'
            + str(self._created).encode()
            + b',"model":'
            + _dumps(self._model)
            + b',"choices":[{"index":0,"delta":'
        )
        # With include_usage every chunk but the usage chunk says "usage":null (§1.3).
        usage = b',"usage":null' if self._include_usage else b""
        self._tail = b',"logprobs":null,"finish_reason":null}]' + usage + b"}\n\n"

    def _chunk(self, delta: bytes, finish_reason: str | None = None) -> bytes:
        if finish_reason is None:
            return self._head + delta + self._tail
        tail = self._tail.replace(b'"finish_reason":null', b'"finish_reason":' + _dumps(finish_reason), 1)
        return self._head + delta + tail

    def _start(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return self._chunk(b'{"role":"assistant","content":""}')

    def encode(self, event: StreamEvent) -> bytes:
        if self._closed:
            return b""
        if isinstance(event, MessageStart):
            if self._started:
                return b""
            self._id = completion_id(event.id)
            self._input_usage = event.usage
            self._frame()
            return self._start()
        if isinstance(event, StreamError):
            self._closed = True
            _, body = render_error(event.error)
            return b"data: " + _dumps(body) + b"\n\n"
        prefix = self._start()  # a well-formed stream never needs it; a sloppy one still gets its role chunk
        if isinstance(event, BlockDelta):
            if event.kind == "text":
                if not event.value:
                    return prefix
                return prefix + self._chunk(b'{"content":' + _dumps(event.value) + b"}")
            if event.kind == "thinking":
                if not event.value:
                    return prefix
                return prefix + self._chunk(b'{"reasoning_content":' + _dumps(event.value) + b"}")
            if event.kind == "json":
                k = self._tool_index.get(event.index)
                if k is None or not event.value:
                    return prefix
                call = {"index": k, "function": {"arguments": event.value}}
                return prefix + self._chunk(b'{"tool_calls":[' + _dumps(call) + b"]}")
            return prefix  # signatures have no OpenAI representation
        if isinstance(event, BlockStart):
            block = event.block
            if not isinstance(block, ToolUseBlock):
                return prefix  # text and reasoning need no opening chunk
            k = len(self._tool_index)
            self._tool_index[event.index] = k
            function = {"name": block.name, "arguments": ""}
            call = {"index": k, "id": block.id, "type": "function", "function": function}
            return prefix + self._chunk(b'{"tool_calls":[' + _dumps(call) + b"]}")
        if isinstance(event, BlockStop):
            return prefix
        if isinstance(event, MessageDelta):
            return prefix + self._finish(event.stop_reason, event.usage)
        if isinstance(event, MessageStop):
            self._closed = True
            tail = b"" if self._finished else self._finish(StopReason.END_TURN, self._input_usage)
            return prefix + tail + _DONE
        return prefix

    def _finish(self, stop_reason: StopReason, usage: Usage) -> bytes:
        if self._finished:
            return b""
        self._finished = True
        out = self._chunk(b"{}", finish_reason_for(stop_reason, bool(self._tool_index)))
        if self._include_usage:
            if not usage.prompt_tokens and self._input_usage.prompt_tokens:
                # Some decoders only know output tokens at the end; the input side came with MessageStart.
                start = self._input_usage
                usage = Usage(
                    start.input_tokens,
                    usage.output_tokens,
                    start.cache_read_tokens,
                    start.cache_write_tokens,
                    usage.reasoning_tokens,
                    usage.estimated or start.estimated,
                )
            body = {
                "id": self._id,
                "object": "chat.completion.chunk",
                "created": self._created,
                "model": self._model,
                "choices": [],
                "usage": usage_to_openai(usage),
            }
            out += b"data: " + _dumps(body) + b"\n\n"
        return out


# --------------------------------------------------------------------------- upstream SSE → canonical


@dataclass(slots=True)
class _Call:
    """One upstream tool call being reassembled from deltas."""

    key: object  # StreamBuilder's correlation key; a fresh object so no two calls can collide
    id: str | None
    name: str | None
    pending: list[str] = field(default_factory=list)  # argument fragments that arrived before the name
    opened: bool = False


class StreamDecoder:
    """OpenAI-compatible upstream chunks → canonical events.

    Feed it each SSE ``data:`` payload. It never finishes on ``finish_reason``:
    with ``include_usage`` the usage chunk follows it (§4.5 step 5, the
    "input_tokens 0" bug of §4.6), so the stream closes on ``[DONE]`` or EOF.
    """

    __slots__ = (
        "_builder",
        "_by_id",
        "_by_index",
        "_by_position",
        "_done",
        "_finish_reason",
        "_input_usage",
        "_last",
        "_refused",
        "_stop_sequence",
        "_usage",
    )

    def __init__(self, message_id: str, model: str, input_usage: Usage) -> None:
        self._builder = StreamBuilder(message_id, model, input_usage)
        self._input_usage = input_usage
        self._finish_reason: str | None = None
        self._stop_sequence: str | None = None
        self._usage: Usage | None = None
        self._refused = False
        self._done = False
        self._by_index: dict[int, _Call] = {}
        self._by_id: dict[str, _Call] = {}
        self._by_position: dict[int, _Call] = {}
        self._last: _Call | None = None

    def feed(self, data: str) -> list[StreamEvent]:
        if self._done:
            return []
        data = data.strip()
        if not data:
            return []
        if data == "[DONE]":
            return self._close()
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return self._fail(f"upstream sent a stream chunk that is not valid JSON: {data[:200]!r}")
        if not isinstance(chunk, dict):
            return self._fail(f"upstream sent a stream chunk that is not a JSON object: {data[:200]!r}")
        error = chunk.get("error")
        if error:
            return self._fail(f"upstream reported an error mid-stream: {_error_message(error)}")
        # The first chunk of any kind starts the message, even Azure's empty prompt-filter chunk.
        events = self._builder.start()
        usage = usage_from_openai(chunk.get("usage"))
        if usage is not None:
            self._usage = usage
        choices = chunk.get("choices")
        if isinstance(choices, list):
            for choice in choices:
                # n > 1 is never requested; ignore any other choice rather than interleave it.
                if isinstance(choice, dict) and choice.get("index", 0) in (0, None):
                    events += self._choice(choice)
        return events

    def finish(self) -> list[StreamEvent]:
        """Close the stream at EOF (no-op after ``[DONE]`` or a failure)."""
        return self._close()

    # ------------------------------------------------------------------ internals

    def _choice(self, choice: dict[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message")  # a few servers stream whole "message" objects
        if isinstance(delta, dict):
            # DeepSeek/vLLM say reasoning_content, OpenRouter says reasoning; some send both with the
            # same text, so take one, never both.
            reasoning = delta.get("reasoning_content")
            if not (isinstance(reasoning, str) and reasoning):
                reasoning = delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                events += self._builder.thinking(reasoning, origin="openai")
            content = delta.get("content")
            if isinstance(content, str) and content:
                events += self._builder.text(content)
            refusal = delta.get("refusal")
            if isinstance(refusal, str) and refusal:
                self._refused = True
                events += self._builder.text(refusal)
            calls = delta.get("tool_calls")
            if isinstance(calls, list):
                for position, call in enumerate(calls):
                    if isinstance(call, dict):
                        events += self._tool_delta(call, position)
            legacy = delta.get("function_call")
            if isinstance(legacy, dict):
                events += self._tool_delta({"index": -1, "function": legacy}, 0)
        finish_reason = choice.get("finish_reason")
        if isinstance(finish_reason, str) and finish_reason:
            self._finish_reason = finish_reason
        matched_stop = choice.get("stop_reason")  # vLLM: the stop string that ended generation
        if isinstance(matched_stop, str) and matched_stop:
            self._stop_sequence = matched_stop
        return events

    def _find_call(
        self, index: int | None, call_id: str | None, name: str | None, position: int
    ) -> _Call | None:
        if index is not None:
            found = self._by_index.get(index)
            if found is not None and call_id and found.id and call_id != found.id:
                return None  # the index was reused for a different call (seen with Gemini's compat layer)
            return found
        if call_id is not None:
            return self._by_id.get(call_id)  # vLLM repeats the id on every delta of one call
        if name is not None:
            return None  # a name with neither index nor id starts a new call
        return self._by_position.get(position) or self._last

    def _tool_delta(self, raw: dict[str, Any], position: int) -> list[StreamEvent]:
        index = raw.get("index")
        if isinstance(index, bool) or not isinstance(index, int):
            index = None
        call_id = _nonempty(raw.get("id"))
        function = raw.get("function")
        if not isinstance(function, dict):
            function = {}
        name = _nonempty(function.get("name"))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # some servers send the object itself
            arguments = _dumps(arguments).decode()
        elif not isinstance(arguments, str):
            arguments = ""

        call = self._find_call(index, call_id, name, position)
        if call is None:
            call = _Call(object(), call_id, name)
            if index is not None:
                self._by_index[index] = call
            else:
                self._by_position[position] = call
            if call_id is not None:
                self._by_id[call_id] = call
        else:
            if call_id is not None and call.id is None:
                call.id = call_id
                self._by_id[call_id] = call
            if name is not None and call.name is None:
                call.name = name
        self._last = call

        events: list[StreamEvent] = []
        if not call.opened and call.name is not None:
            # Open on the name: a call without an id gets one minted; one without a name cannot be opened.
            call.opened = True
            events += self._builder.tool_start(call.key, call.id or new_call_id(), call.name)
            if call.pending:
                events += self._builder.tool_args(call.key, "".join(call.pending))
                call.pending.clear()
        if arguments:
            if call.opened:
                events += self._builder.tool_args(call.key, arguments)
            else:
                call.pending.append(arguments)
        return events

    def _close(self) -> list[StreamEvent]:
        if self._done:
            return []
        self._done = True
        stop = stop_reason_from(self._finish_reason)
        if self._refused and stop is StopReason.END_TURN:
            stop = StopReason.REFUSAL
        stop_sequence = None
        if stop is StopReason.END_TURN and self._stop_sequence is not None:
            stop, stop_sequence = StopReason.STOP_SEQUENCE, self._stop_sequence
        return self._builder.finish(stop, self._final_usage(), stop_sequence)

    def _final_usage(self) -> Usage:
        start = self._input_usage
        usage = self._usage
        if usage is None:
            output = (self._builder.output_chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
            return Usage(
                start.input_tokens, output, start.cache_read_tokens, start.cache_write_tokens, estimated=True
            )
        if not usage.prompt_tokens and start.prompt_tokens:
            # Some local servers report only completion tokens; keep our input estimate and say so.
            return Usage(
                start.input_tokens,
                usage.output_tokens,
                start.cache_read_tokens,
                start.cache_write_tokens,
                usage.reasoning_tokens,
                estimated=True,
            )
        return usage

    def _fail(self, message: str) -> list[StreamEvent]:
        self._done = True
        # Retrying elsewhere is only safe while the client has seen nothing of this answer.
        fresh = self._builder.output_chars == 0 and not self._builder.saw_tool_call
        return self._builder.fail(LynkrError(ErrorKind.UPSTREAM, message, retryable=fresh))


def _nonempty(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _error_message(error: object) -> str:
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str) and message:
            return message
        return _dumps(error).decode()[:500]
    return str(error)[:500]
