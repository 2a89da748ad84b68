"""Ollama native ``POST /api/chat``, upstream direction (Lynkr is the client).

``build_request`` turns a canonical Request into the JSON body, ``parse_response``
turns a non-streamed reply into a Response, and ``StreamDecoder`` turns the
NDJSON stream (one JSON object per line) into canonical events through
``StreamBuilder``. Pure and synchronous: the provider does the I/O.

What the wire format cannot carry, and so is dropped on the way up:
- image URLs (Ollama wants the bytes; the model gets a note instead),
- thinking signatures and redacted thinking (meaningless to a local model),
- tool ids (Ollama matches a tool result to its call by ``tool_name``),
- ``tool_choice`` other than "none" (Ollama always lets the model choose),
- cache_control.
On the way down Ollama reports neither ids nor which stop sequence matched.
"""

from __future__ import annotations

import json
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
from daemon.streams import StreamBuilder, parse_tool_arguments
from daemon.tokens import CHARS_PER_TOKEN

ORIGIN = "ollama"
"""``ThinkingBlock.origin`` for reasoning Ollama produced (it never signs it)."""

TOOL_ERROR_PREFIX = "[tool_error] "
"""Ollama tool messages have no error flag; the model still needs to know the call failed."""

# Knobs from ``Request.extra`` that Ollama's ``options`` understand under the same
# name (api/types.go Options). Anything else in ``extra`` has no Ollama meaning.
_EXTRA_OPTIONS = ("seed", "presence_penalty", "frequency_penalty", "repeat_penalty", "min_p")

# Ids Ollama may send (newer versions mint ``call_…``) are kept only when every
# client dialect accepts them; Anthropic requires this alphabet for tool_use ids.
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

_THINK_LEVELS = ("low", "medium", "high")


# --------------------------------------------------------------------------- request


def build_request(
    request: Request,
    model: str,
    *,
    stream: bool,
    num_ctx: int | None = None,
    keep_alive: str | None = None,
    think: bool | str | None = None,
) -> dict[str, Any]:
    """The ``/api/chat`` body for ``request`` sent to ``model``."""
    messages: list[dict[str, Any]] = []
    system = request.system_text()
    if system:
        messages.append({"role": "system", "content": system})

    # Tool results must name their tool; canonical results only carry the call id,
    # so remember every call seen so far in the history.
    tool_names: dict[str, str] = {}
    for message in request.messages:
        if message.role == "assistant":
            messages.append(_assistant_message(message, tool_names))
        else:
            messages.extend(_user_messages(message, tool_names))

    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        # Always explicit: Ollama streams unless told otherwise, and a streamed
        # body parsed as one JSON object would be garbage.
        "stream": stream,
    }
    # tool_choice "none" forbids calls; Ollama has no switch for that, but a model
    # that is shown no tools cannot call one.
    if request.tools and not (request.tool_choice is not None and request.tool_choice.type == "none"):
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description or "",
                    "parameters": tool.input_schema,
                },
            }
            for tool in request.tools
        ]
    body["options"] = _options(request, num_ctx)
    fmt = _format(request.response_format)
    if fmt is not None:
        body["format"] = fmt
    if keep_alive:
        body["keep_alive"] = keep_alive
    think_value = think if think is not None else _think(request)
    if think_value is not None:
        body["think"] = think_value
    return body


def _user_messages(message: Message, tool_names: dict[str, str]) -> list[dict[str, Any]]:
    """One canonical user turn → tool messages first (they answer the previous
    assistant turn, so they must directly follow it), then the user's own text."""
    out: list[dict[str, Any]] = []
    texts: list[str] = []
    images: list[str] = []
    had_results = False
    for block in message.content:
        if isinstance(block, ToolResultBlock):
            had_results = True
            out.append(_tool_message(block, tool_names))
        elif isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, ImageBlock):
            _add_image(block, texts, images)
        # ToolUseBlock/ThinkingBlock cannot occur in a user turn; nothing to send.
    if texts or images or not had_results:
        # An empty user turn is kept (without results) so the turn order the
        # client built is not silently changed.
        user: dict[str, Any] = {"role": "user", "content": "\n".join(texts)}
        if images:
            user["images"] = images
        out.append(user)
    return out


def _tool_message(block: ToolResultBlock, tool_names: dict[str, str]) -> dict[str, Any]:
    texts: list[str] = []
    images: list[str] = []
    for part in block.content:
        if isinstance(part, TextBlock):
            texts.append(part.text)
        else:
            _add_image(part, texts, images)
    content = "\n".join(texts)
    if block.is_error:
        content = TOOL_ERROR_PREFIX + content
    msg: dict[str, Any] = {"role": "tool", "content": content}
    name = tool_names.get(block.tool_use_id)
    if name is not None:
        # Without a matching call (history trimmed by the client) there is no
        # honest name to give; Ollama accepts a tool message without one.
        msg["tool_name"] = name
    if images:
        msg["images"] = images
    return msg


def _assistant_message(message: Message, tool_names: dict[str, str]) -> dict[str, Any]:
    texts: list[str] = []
    thinking: list[str] = []
    images: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in message.content:
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, ThinkingBlock):
            # Only the text: signatures and redacted payloads are opaque to Ollama.
            if block.thinking:
                thinking.append(block.thinking)
        elif isinstance(block, ToolUseBlock):
            tool_names[block.id] = block.name
            calls.append({"function": {"name": block.name, "arguments": block.input}})
        elif isinstance(block, ImageBlock):
            _add_image(block, texts, images)
    msg: dict[str, Any] = {"role": "assistant", "content": "\n".join(texts)}
    if thinking:
        msg["thinking"] = "\n".join(thinking)
    if images:
        msg["images"] = images
    if calls:
        msg["tool_calls"] = calls
    return msg


def _add_image(block: ImageBlock, texts: list[str], images: list[str]) -> None:
    if block.data:
        images.append(_strip_data_prefix(block.data))
    elif block.url:
        if block.url.startswith("data:"):
            # A data URL is inline bytes after all, just packaged as a URL.
            images.append(_strip_data_prefix(block.url))
        else:
            texts.append(f"[image at {block.url} omitted: Ollama needs inline images]")


def _strip_data_prefix(data: str) -> str:
    """Ollama wants bare base64; ``data:image/png;base64,`` in front would corrupt it."""
    if data.startswith("data:"):
        _, sep, rest = data.partition(",")
        if sep:
            return rest
    return data


def _options(request: Request, num_ctx: int | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if request.temperature is not None:
        options["temperature"] = request.temperature
    if request.top_p is not None:
        options["top_p"] = request.top_p
    if request.top_k is not None:
        options["top_k"] = request.top_k
    if request.max_tokens is not None:
        options["num_predict"] = request.max_tokens
    if request.stop:
        options["stop"] = list(request.stop)
    for key in _EXTRA_OPTIONS:
        value = request.extra.get(key)
        # bool is an int in Python, but true is no seed or penalty.
        if isinstance(value, int | float) and not isinstance(value, bool):
            options[key] = value
    if num_ctx:
        options["num_ctx"] = num_ctx
    return options


def _format(response_format: dict[str, Any] | None) -> str | dict[str, Any] | None:
    if not isinstance(response_format, dict):
        return None
    kind = response_format.get("type")
    if kind == "json_object":
        return "json"
    if kind == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        # Without a usable schema, JSON mode is the closest Ollama can do.
        return schema if isinstance(schema, dict) else "json"
    return None  # "text" or unknown: Ollama's default free text


def _think(request: Request) -> bool | str | None:
    """``think`` from the request when the caller gave none. None leaves the
    model's default, which matters: ``think: true`` to a model without the
    capability is an error in Ollama."""
    thinking = request.thinking
    if isinstance(thinking, dict):
        kind = thinking.get("type")
        if kind in ("enabled", "adaptive"):
            return True
        if kind == "disabled":
            return False
        return None
    effort = request.extra.get("reasoning_effort")
    if isinstance(effort, str):
        effort = effort.lower()
        if effort in _THINK_LEVELS:
            return effort
        if effort in ("none", "minimal"):
            return False
    return None


# --------------------------------------------------------------------------- response


def parse_response(body: object, provider: str) -> Response:
    """A whole (``stream: false``) ``/api/chat`` reply as a Response.

    Usage the reply omits stays zero; the provider layer fills in estimates.
    """
    if isinstance(body, dict) and "error" in body:
        raise _upstream_error(body.get("error"), provider)
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise _malformed(provider, f"expected an object with a 'message', got {_preview(body)}")
    message: dict[str, Any] = body["message"]
    content: list[Block] = []

    thinking = message.get("thinking")
    if isinstance(thinking, str) and thinking:
        content.append(ThinkingBlock(thinking, origin=ORIGIN))
    text = message.get("content")
    if text is not None and not isinstance(text, str):
        raise _malformed(provider, f"message.content is not a string: {_preview(text)}")
    if text:
        content.append(TextBlock(text))

    raw_calls = message.get("tool_calls")
    if raw_calls is not None and not isinstance(raw_calls, list):
        raise _malformed(provider, f"message.tool_calls is not a list: {_preview(raw_calls)}")
    for raw in raw_calls or []:
        call = _tool_call(raw)
        if call is None:
            raise _malformed(provider, f"a tool call has no function name: {_preview(raw)}")
        name, arguments, call_id = call
        content.append(ToolUseBlock(call_id, name, arguments))

    has_calls = any(isinstance(b, ToolUseBlock) for b in content)
    model = body.get("model")
    return Response(
        id=_message_id(),
        model=model if isinstance(model, str) else "",
        content=content,
        stop_reason=_stop_reason(body.get("done_reason"), has_calls),
        usage=Usage(
            input_tokens=_count(body.get("prompt_eval_count")) or 0,
            output_tokens=_count(body.get("eval_count")) or 0,
        ),
    )


def _stop_reason(done_reason: object, has_tool_calls: bool) -> StopReason:
    # Ollama says "stop" after tool calls too (§4.3): the calls decide.
    if done_reason == "length":
        return StopReason.MAX_TOKENS
    if has_tool_calls:
        return StopReason.TOOL_USE
    return StopReason.END_TURN  # "stop", "load", "unload", missing


def _tool_call(raw: object) -> tuple[str, dict[str, Any], str] | None:
    """(name, arguments, id) of one wire tool call, or None when it has no name."""
    if not isinstance(raw, dict):
        return None
    function = raw.get("function")
    if not isinstance(function, dict):
        return None
    name = function.get("name")
    if not isinstance(name, str) or not name:
        return None
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        # Documented as an object, but OpenAI habits leak into some model templates.
        arguments = parse_tool_arguments(arguments)
    elif arguments is None:
        arguments = {}
    elif not isinstance(arguments, dict):
        arguments = {"_value": arguments}
    upstream_id = raw.get("id")
    call_id = upstream_id if isinstance(upstream_id, str) and _SAFE_ID.match(upstream_id) else _call_id()
    return name, arguments, call_id


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:8]}"


def _message_id() -> str:
    return f"msg_{uuid.uuid4().hex[:24]}"


def _count(value: object) -> int | None:
    """A token count: ints only (bool is an int in Python, not a count)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def _preview(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _malformed(provider: str, detail: str) -> LynkrError:
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"provider {provider} returned a malformed response: {detail}",
        retryable=True,
        transient=True,
        provider=provider,
    )


def _upstream_error(error: object, provider: str | None) -> LynkrError:
    message = error if isinstance(error, str) and error else _preview(error)
    who = f"provider {provider}" if provider else "upstream"
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"{who} reported an error: {message}",
        retryable=True,
        transient=True,
        provider=provider,
    )


# --------------------------------------------------------------------------- stream


class StreamDecoder:
    """Ollama NDJSON → canonical events. Feed one line at a time, then ``finish`` at EOF."""

    __slots__ = ("_b", "_input_usage", "_tool_count")

    def __init__(self, message_id: str, model: str, input_usage: Usage) -> None:
        self._b = StreamBuilder(message_id, model, input_usage)
        self._input_usage = input_usage
        # Ollama tool calls have no index or id to correlate by; each arrives whole,
        # so its position in the whole stream is a unique key.
        self._tool_count = 0

    def feed(self, line: str) -> list[StreamEvent]:
        if self._b.finished or not line.strip():
            return []
        try:
            chunk = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            return self._fail(f"Ollama sent a stream line that is not valid JSON ({exc}): {line[:200]!r}")
        if not isinstance(chunk, dict):
            return self._fail(f"Ollama sent a stream line that is not a JSON object: {line[:200]!r}")
        if "error" in chunk:
            # Ollama reports failures after the 200 as an {"error": ...} line.
            return self._b.fail(_upstream_error(chunk.get("error"), None))

        events = self._b.start()
        message = chunk.get("message")
        if isinstance(message, dict):
            events += self._message(message)
        if chunk.get("done") is True:
            events += self._finish(chunk)
        return events

    def finish(self) -> list[StreamEvent]:
        """At EOF. Without the ``done`` line the answer may be cut short, and a
        truncated answer must not reach the client looking complete."""
        if self._b.finished:
            return []
        return self._fail("Ollama stream ended before done")

    def _message(self, message: dict[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        # Within one chunk reasoning precedes the answer, and the answer precedes
        # the calls it announces.
        thinking = message.get("thinking")
        if isinstance(thinking, str) and thinking:
            events += self._b.thinking(thinking, ORIGIN)
        text = message.get("content")
        if isinstance(text, str) and text:
            events += self._b.text(text)
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            for raw in calls:
                call = _tool_call(raw)
                if call is None:
                    continue  # a nameless call cannot be executed by any client
                name, arguments, call_id = call
                key = self._tool_count
                self._tool_count += 1
                events += self._b.tool_start(key, call_id, name)
                events += self._b.tool_args(key, _compact(arguments))
        return events

    def _finish(self, chunk: dict[str, Any]) -> list[StreamEvent]:
        prompt = _count(chunk.get("prompt_eval_count"))
        output = _count(chunk.get("eval_count"))
        start = self._input_usage
        usage = Usage(
            input_tokens=prompt if prompt is not None else start.input_tokens,
            output_tokens=output if output is not None else -(-self._b.output_chars // CHARS_PER_TOKEN),
            estimated=output is None or (prompt is None and start.estimated),
        )
        # StreamBuilder.finish turns END_TURN into TOOL_USE when calls were streamed.
        return self._b.finish(_stop_reason(chunk.get("done_reason"), self._b.saw_tool_call), usage)

    def _fail(self, message: str) -> list[StreamEvent]:
        return self._b.fail(LynkrError(ErrorKind.UPSTREAM, message, retryable=True, transient=True))


def _compact(value: Any) -> str:
    """Arguments as compact JSON, the single ``json`` delta of a whole call."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # ints beyond 64 bits, which orjson refuses
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
