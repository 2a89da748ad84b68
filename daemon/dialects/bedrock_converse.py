"""AWS Bedrock Converse / ConverseStream, upstream direction (Lynkr is the client).

``build_request`` turns a canonical Request into the Converse JSON body (the
model id travels in the URL, not the body), ``parse_response`` turns a Converse
reply into a Response, and ``StreamDecoder`` turns ConverseStream events (one
JSON payload per event-stream message, already unframed by the provider) into
canonical events through ``StreamBuilder``. Pure and synchronous.

What the wire format cannot carry, and so is dropped on the way up:
- image URLs that are not ``data:`` URLs (Converse wants the bytes; the model gets a note),
- thinking blocks Bedrock did not sign (a foreign signature is a 400),
- ``tool_choice`` "none" (Converse has no such switch; the tools stay, "auto"),
- ``response_format`` and the dialect extras (seed, penalties, ...).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

import orjson

from daemon.canonical import (
    Block,
    ImageBlock,
    Message,
    Request,
    Response,
    StopReason,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamBuilder
from daemon.tokens import CHARS_PER_TOKEN

ORIGIN = "bedrock"
"""``ThinkingBlock.origin`` for reasoning Bedrock produced; only these signatures go back."""

_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}

STOP_REASONS = {
    "end_turn": StopReason.END_TURN,
    "tool_use": StopReason.TOOL_USE,
    "max_tokens": StopReason.MAX_TOKENS,
    "stop_sequence": StopReason.STOP_SEQUENCE,
    "guardrail_intervened": StopReason.REFUSAL,
    "content_filtered": StopReason.REFUSAL,
    "model_context_window_exceeded": StopReason.CONTEXT_WINDOW_EXCEEDED,
}

# ConverseStream exception events (``:message-type: exception``) and what they mean to a client.
_EXCEPTIONS = {
    "throttlingException": ErrorKind.RATE_LIMIT,
    "serviceQuotaExceededException": ErrorKind.RATE_LIMIT,
    "serviceUnavailableException": ErrorKind.OVERLOADED,
    "validationException": ErrorKind.INVALID_REQUEST,
    "modelStreamErrorException": ErrorKind.UPSTREAM,
    "internalServerException": ErrorKind.UPSTREAM,
    "modelTimeoutException": ErrorKind.TIMEOUT,
}

_TOOL_ID = re.compile(r"[a-zA-Z0-9_.:-]{1,64}")

NO_OUTPUT = "(no output)"
"""Converse rejects an empty tool result and blank text; this stands in for nothing."""


# --------------------------------------------------------------------------- request


def build_request(request: Request, model: str) -> dict[str, Any]:
    """The Converse body for ``request`` sent to ``model`` (an id or an inference-profile ARN)."""
    body: dict[str, Any] = {"messages": _messages(request.messages)}
    system: list[dict[str, Any]] = []
    for block in request.system:
        if block.text.strip():
            system.append({"text": block.text})
            if block.cache_control:
                system.append({"cachePoint": {"type": "default"}})
    if system:
        body["system"] = system
    inference: dict[str, Any] = {}
    if request.max_tokens is not None:
        inference["maxTokens"] = request.max_tokens
    if request.temperature is not None:
        inference["temperature"] = request.temperature
    if request.top_p is not None:
        inference["topP"] = request.top_p
    if request.stop:
        inference["stopSequences"] = list(request.stop)[:4]
    if inference:
        body["inferenceConfig"] = inference
    tool_config = _tool_config(request, body["messages"])
    if tool_config:
        body["toolConfig"] = tool_config
    # Model-specific fields only make sense for the model family that defines them;
    # another family answers them with a ValidationException.
    if "anthropic" in model:
        extra: dict[str, Any] = {}
        if request.top_k is not None:
            extra["top_k"] = request.top_k
        if isinstance(request.thinking, dict) and request.thinking.get("type") in ("enabled", "adaptive"):
            extra["thinking"] = dict(request.thinking)
        if extra:
            body["additionalModelRequestFields"] = extra
    return body


def _messages(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for message in messages:
        content = _content(message)
        if out and out[-1]["role"] == message.role:
            # Converse requires alternating roles; two user turns in a row become one.
            out[-1]["content"].extend(content)
        else:
            out.append({"role": message.role, "content": content})
    for turn in out:
        if not turn["content"]:  # an empty turn is refused, and dropping it would break alternation
            turn["content"] = [{"text": NO_OUTPUT}]
    return out


def _content(message: Message) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for block in message.content:
        if isinstance(block, ToolResultBlock):
            results.append(_tool_result(block))
        elif isinstance(block, TextBlock):
            if block.text.strip():
                other.append({"text": block.text})
                if block.cache_control:
                    other.append({"cachePoint": {"type": "default"}})
        elif isinstance(block, ImageBlock):
            other.append(_image(block))
        elif isinstance(block, ToolUseBlock):
            other.append(
                {"toolUse": {"toolUseId": tool_id(block.id), "name": block.name, "input": block.input}}
            )
        elif isinstance(block, ThinkingBlock) and block.origin == ORIGIN:
            if block.redacted:
                other.append({"reasoningContent": {"redactedContent": block.redacted}})
            elif block.signature:
                other.append(
                    {
                        "reasoningContent": {
                            "reasoningText": {"text": block.thinking, "signature": block.signature}
                        }
                    }
                )
    # Tool results answer the previous assistant turn, so they come first.
    return results + other


def _tool_result(block: ToolResultBlock) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for part in block.content:
        if isinstance(part, TextBlock):
            if part.text:
                content.append({"text": part.text})
        else:
            content.append(_image(part))
    result: dict[str, Any] = {
        "toolUseId": tool_id(block.tool_use_id),
        "content": content or [{"text": NO_OUTPUT}],
    }
    if block.is_error:
        result["status"] = "error"
    return {"toolResult": result}


def tool_id(call_id: str) -> str:
    """A call id as Converse takes it (``[a-zA-Z0-9_.:-]{1,64}``). An id minted elsewhere that does
    not fit is replaced by a digest of itself, so the call and its result still match."""
    if _TOOL_ID.fullmatch(call_id):
        return call_id
    return "tooluse_" + hashlib.sha256(call_id.encode()).hexdigest()[:32]


def _image(block: ImageBlock) -> dict[str, Any]:
    media_type, data = block.media_type, block.data
    if data is None and block.url and block.url.startswith("data:"):
        header, _, data = block.url.partition(",")
        media_type = header[5:].split(";")[0] or media_type
    if data is None:
        return {"text": f"[image at {block.url} omitted: Bedrock needs inline images]"}
    fmt = _FORMATS.get((media_type or "image/png").lower())
    if fmt is None:
        return {"text": f"[image of type {media_type} omitted: Bedrock takes png, jpeg, gif, webp]"}
    # JSON carries the bytes base64-encoded; the client already sent base64, so it is passed as is.
    return {"image": {"format": fmt, "source": {"bytes": data}}}


def _tool_config(request: Request, messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    tools = [
        {"toolSpec": _tool_spec(tool.name, tool.description, tool.input_schema)} for tool in request.tools
    ]
    if not tools:
        # Converse refuses toolUse/toolResult blocks in the history without a toolConfig,
        # so a client that dropped its tools still needs them declared.
        used = {
            part["toolUse"]["name"]: None
            for message in messages
            for part in message["content"]
            if "toolUse" in part
        }
        tools = [{"toolSpec": _tool_spec(name, None, {"type": "object"})} for name in used]
        if not tools and any("toolResult" in p for m in messages for p in m["content"]):
            tools = [{"toolSpec": _tool_spec("tool", None, {"type": "object"})}]
    if not tools:
        return None
    config: dict[str, Any] = {"tools": tools}
    choice = request.tool_choice
    if choice is not None and request.tools:
        if choice.type == "any":
            config["toolChoice"] = {"any": {}}
        elif choice.type == "tool" and choice.name:
            config["toolChoice"] = {"tool": {"name": choice.name}}
    return config


def _tool_spec(name: str, description: str | None, schema: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "inputSchema": {"json": schema}}
    if description:  # Converse requires a non-empty description when one is given
        spec["description"] = description
    return spec


# --------------------------------------------------------------------------- response


def parse_response(body: object, provider: str) -> Response:
    if not isinstance(body, dict):
        raise _malformed(provider, f"expected an object, got {_preview(body)}")
    message = (body.get("output") or {}).get("message") if isinstance(body.get("output"), dict) else None
    if not isinstance(message, dict) or not isinstance(message.get("content"), list):
        raise _malformed(provider, f"no output.message.content in {_preview(body)}")
    content: list[Block] = []
    for part in message["content"]:
        if not isinstance(part, dict):
            continue
        if isinstance(part.get("text"), str):
            if part["text"]:
                content.append(TextBlock(part["text"]))
        elif isinstance(part.get("toolUse"), dict):
            use = part["toolUse"]
            arguments = use.get("input")
            content.append(
                ToolUseBlock(
                    str(use.get("toolUseId") or _call_id()),
                    str(use.get("name") or ""),
                    arguments if isinstance(arguments, dict) else {},
                )
            )
        elif isinstance(part.get("reasoningContent"), dict):
            reasoning = part["reasoningContent"]
            text = reasoning.get("reasoningText")
            if isinstance(text, dict):
                content.append(
                    ThinkingBlock(str(text.get("text") or ""), text.get("signature"), origin=ORIGIN)
                )
            elif isinstance(reasoning.get("redactedContent"), str):
                content.append(ThinkingBlock(redacted=reasoning["redactedContent"], origin=ORIGIN))
    has_calls = any(isinstance(b, ToolUseBlock) for b in content)
    return Response(
        id=f"msg_{uuid.uuid4().hex[:24]}",
        model="",
        content=content,
        stop_reason=stop_reason(body.get("stopReason"), has_calls),
        usage=usage_from(body.get("usage")),
    )


def stop_reason(value: object, has_tool_calls: bool) -> StopReason:
    reason = STOP_REASONS.get(value, StopReason.END_TURN) if isinstance(value, str) else StopReason.END_TURN
    if has_tool_calls and reason in (StopReason.END_TURN, StopReason.STOP_SEQUENCE):
        return StopReason.TOOL_USE
    return reason


def usage_from(raw: object) -> Usage:
    """Converse usage; ``inputTokens`` already excludes cache reads and writes, like Anthropic."""
    if not isinstance(raw, dict):
        return Usage()
    return Usage(
        input_tokens=_count(raw.get("inputTokens")),
        output_tokens=_count(raw.get("outputTokens")),
        cache_read_tokens=_count(raw.get("cacheReadInputTokens")),
        cache_write_tokens=_count(raw.get("cacheWriteInputTokens")),
    )


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _call_id() -> str:
    return f"tooluse_{uuid.uuid4().hex[:22]}"


def _preview(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _malformed(provider: str, detail: str) -> LynkrError:
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"provider {provider} returned a malformed response: {detail}",
        retryable=True,
        provider=provider,
    )


def exception_error(exception_type: str, payload: str) -> LynkrError:
    """A ConverseStream exception event as the error a client sees."""
    try:
        body = orjson.loads(payload) if payload else {}
    except orjson.JSONDecodeError:
        body = {}
    message = body.get("message") if isinstance(body, dict) else None
    text = f"Bedrock {exception_type}: {message or payload[:300] or 'no detail'}"
    # Exception frames name the member (throttlingException), error frames the code (ThrottlingException).
    kind = _EXCEPTIONS.get(exception_type[:1].lower() + exception_type[1:], ErrorKind.UPSTREAM)
    if kind is ErrorKind.INVALID_REQUEST and "too long" in text.lower():
        kind = ErrorKind.CONTEXT_LENGTH
    return LynkrError(kind, text, retryable=kind in (ErrorKind.RATE_LIMIT, ErrorKind.OVERLOADED))


# --------------------------------------------------------------------------- stream


class StreamDecoder:
    """ConverseStream events → canonical events.

    ``feed(event_type, payload_json)`` per event-stream message; exception
    messages arrive as ``("exception:<type>", payload)``. ``finish`` at EOF.
    Converse sends ``metadata`` (usage) *after* ``messageStop``, so the stop
    reason is held until usage arrives or the stream ends.
    """

    __slots__ = ("_b", "_input_usage", "_stop", "_tools")

    def __init__(self, message_id: str, model: str, input_usage: Usage) -> None:
        self._b = StreamBuilder(message_id, model, input_usage)
        self._input_usage = input_usage
        self._stop: str | None = None
        self._tools: set[int] = set()  # contentBlockIndex values that are tool calls

    def feed(self, event_type: str | None, data: str) -> list[StreamEvent]:
        if self._b.finished:
            return []
        if event_type and event_type.startswith("exception:"):
            return self._b.fail(exception_error(event_type.partition(":")[2], data))
        try:
            payload = orjson.loads(data) if data else {}
        except orjson.JSONDecodeError:
            return self._fail(f"Bedrock sent an event that is not JSON: {data[:200]!r}")
        if not isinstance(payload, dict):
            return self._fail(f"Bedrock sent an event that is not an object: {data[:200]!r}")
        if event_type == "messageStart":
            return self._b.start()
        if event_type == "contentBlockStart":
            start = payload.get("start")
            use = start.get("toolUse") if isinstance(start, dict) else None
            if isinstance(use, dict):
                index = payload.get("contentBlockIndex")
                self._tools.add(index)  # type: ignore[arg-type]
                return self._b.tool_start(
                    index, str(use.get("toolUseId") or _call_id()), str(use.get("name"))
                )
            return self._b.start()
        if event_type == "contentBlockDelta":
            return self._delta(payload)
        if event_type == "contentBlockStop":
            return self._b.close_block()
        if event_type == "messageStop":
            self._stop = str(payload.get("stopReason") or "end_turn")
            return self._b.start()
        if event_type == "metadata":
            return self._finish(usage_from(payload.get("usage")))
        return []  # unknown events are ignored, as the API reference asks

    def _delta(self, payload: dict[str, Any]) -> list[StreamEvent]:
        delta = payload.get("delta")
        if not isinstance(delta, dict):
            return []
        index = payload.get("contentBlockIndex")
        if isinstance(delta.get("text"), str):
            return self._b.text(delta["text"])
        use = delta.get("toolUse")
        if isinstance(use, dict) and index in self._tools:
            return self._b.tool_args(index, str(use.get("input") or ""))
        reasoning = delta.get("reasoningContent")
        if isinstance(reasoning, dict):
            if isinstance(reasoning.get("text"), str):
                return self._b.thinking(reasoning["text"], ORIGIN)
            if isinstance(reasoning.get("signature"), str):
                return self._b.signature(reasoning["signature"])
            if isinstance(reasoning.get("redactedContent"), str):
                return self._b.open_thinking(ORIGIN, redacted=reasoning["redactedContent"])
        return []

    def _finish(self, usage: Usage) -> list[StreamEvent]:
        if not (usage.input_tokens or usage.output_tokens or usage.cache_read_tokens):
            usage = Usage(
                input_tokens=self._input_usage.input_tokens,
                output_tokens=-(-self._b.output_chars // CHARS_PER_TOKEN),
                estimated=True,
            )
        return self._b.finish(stop_reason(self._stop, self._b.saw_tool_call), usage)

    def finish(self) -> list[StreamEvent]:
        """At EOF: without ``messageStop`` the answer may be cut short."""
        if self._b.finished:
            return []
        if self._stop is None:
            return self._fail("Bedrock stream ended before messageStop")
        return self._finish(Usage())

    def _fail(self, message: str) -> list[StreamEvent]:
        return self._b.fail(LynkrError(ErrorKind.UPSTREAM, message, retryable=True))
