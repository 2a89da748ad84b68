"""OpenAI Chat Completions wire format, both directions.

Client side (Lynkr serves ``POST /v1/chat/completions``): ``parse_request``,
``render_response``, ``StreamEncoder``, ``render_error``.
Upstream side (Lynkr calls an OpenAI-compatible provider): ``build_request``,
``parse_response``, ``StreamDecoder``.

Pure and synchronous: no I/O, so every rule is unit-testable. The streaming
halves and the helpers they share live in ``openai_chat_stream``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from daemon.canonical import (
    Block,
    ImageBlock,
    Message,
    Request,
    Response,
    StopReason,
    TextBlock,
    ThinkingBlock,
    Tool,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_chat_stream import (
    StreamDecoder,
    StreamEncoder,
    _dumps,
    completion_id,
    finish_reason_for,
    new_call_id,
    render_error,
    stop_reason_from,
    usage_from_openai,
    usage_to_openai,
)
from daemon.errors import ErrorKind, LynkrError, from_upstream_status, invalid
from daemon.streams import parse_tool_arguments

__all__ = [
    "StreamDecoder",
    "StreamEncoder",
    "build_request",
    "parse_request",
    "parse_response",
    "render_error",
    "render_response",
]

# Sampling knobs with no canonical meaning: carried in Request.extra and forwarded to OpenAI-style upstreams.
_EXTRA_KEYS = (
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "reasoning_effort",
    "service_tier",
)
_EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
_NO_RESULT = "[no result was recorded for this call]"

# =========================================================================== client side: parse_request


def _kind(value: object) -> str:
    """JSON type name, for error messages a client developer recognises."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _cache_control(holder: Mapping[str, Any]) -> dict[str, Any] | None:
    value = holder.get("cache_control")
    return value if isinstance(value, dict) else None


def _part_text(part: Mapping[str, Any], path: str, key: str = "text") -> str:
    text = part.get(key)
    if not isinstance(text, str):
        raise invalid(f"{path}.{key}", f"must be a string, got {_kind(text)}")
    return text


def _image(part: Mapping[str, Any], path: str) -> ImageBlock:
    spec = part.get("image_url")
    # The old vision preview accepted a bare string; a few clients still send it.
    url = spec.get("url") if isinstance(spec, dict) else spec
    url_path = f"{path}.image_url.url"
    if not isinstance(url, str) or not url:
        raise invalid(url_path, "is required: an http(s) URL or a data:<media type>;base64,<data> URL")
    if url[:5].lower() == "data:":
        header, comma, data = url[5:].partition(",")
        if not comma or not header.lower().endswith(";base64"):
            raise invalid(url_path, "data URLs must be base64-encoded: data:<media type>;base64,<data>")
        media_type = header[: -len(";base64")]
        if not media_type.lower().startswith("image/") or not data:
            raise invalid(url_path, "data URL must carry an image/* media type and non-empty base64 data")
        return ImageBlock(media_type=media_type, data=data)
    if url[:8].lower() == "https://" or url[:7].lower() == "http://":
        return ImageBlock(url=url)
    raise invalid(url_path, "must be an http(s) URL or a data:<media type>;base64,<data> URL")


def _content_blocks(
    content: object, path: str, allowed: tuple[str, ...], where: str
) -> list[TextBlock | ImageBlock]:
    """A message ``content`` (string, null or array of parts) as blocks; empty text is dropped
    because Anthropic rejects empty text blocks (§4.6)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [TextBlock(content)] if content else []
    if not isinstance(content, list):
        raise invalid(path, f"must be a string or an array of content parts, got {_kind(content)}")
    blocks: list[TextBlock | ImageBlock] = []
    for j, part in enumerate(content):
        part_path = f"{path}[{j}]"
        if not isinstance(part, dict):
            raise invalid(part_path, f"must be a content part object, got {_kind(part)}")
        part_type = part.get("type")
        if part_type == "text" and "text" in allowed:
            text = _part_text(part, part_path)
            if text:
                blocks.append(TextBlock(text, cache_control=_cache_control(part)))
        elif part_type == "refusal" and "refusal" in allowed:
            text = _part_text(part, part_path, "refusal")
            if text:
                blocks.append(TextBlock(text))
        elif part_type == "image_url" and "image_url" in allowed:
            blocks.append(_image(part, part_path))
        else:
            shown = "missing" if part_type is None else repr(part_type)
            accepted = ", ".join(repr(a) for a in allowed)
            raise invalid(
                f"{part_path}.type",
                f"content part type {shown} is not supported in {where} messages; accepted types: {accepted}",
            )
    return blocks


def _message_cache_control(message: Mapping[str, Any], blocks: list[Any]) -> None:
    # LiteLLM lets clients put cache_control on the message; it means "cache up to the end of it".
    marker = _cache_control(message)
    if marker is not None and blocks and getattr(blocks[-1], "cache_control", marker) is None:
        blocks[-1].cache_control = marker


def _assistant_blocks(message: Mapping[str, Any], path: str) -> list[Block]:
    blocks: list[Block] = []
    reasoning = message.get("reasoning_content")
    if reasoning is not None and not isinstance(reasoning, str):
        raise invalid(f"{path}.reasoning_content", f"must be a string, got {_kind(reasoning)}")
    if reasoning:
        blocks.append(ThinkingBlock(reasoning, origin="openai"))
    blocks += _content_blocks(message.get("content"), f"{path}.content", ("text", "refusal"), "assistant")
    if message.get("function_call") is not None:
        raise invalid(f"{path}.function_call", "legacy function calling is not supported; use tool_calls")
    raw_calls = message.get("tool_calls")
    if raw_calls is None:
        return blocks
    if not isinstance(raw_calls, list):
        raise invalid(f"{path}.tool_calls", f"must be an array of tool calls, got {_kind(raw_calls)}")
    for k, call in enumerate(raw_calls):
        call_path = f"{path}.tool_calls[{k}]"
        if not isinstance(call, dict):
            raise invalid(call_path, f"must be a tool call object, got {_kind(call)}")
        call_type = call.get("type", "function")
        if call_type != "function":
            raise invalid(f"{call_path}.type", f"only 'function' tool calls are supported, got {call_type!r}")
        call_id = call.get("id")
        if not isinstance(call_id, str) or not call_id:
            raise invalid(f"{call_path}.id", "is required and must be a non-empty string")
        function = call.get("function")
        if not isinstance(function, dict):
            raise invalid(f"{call_path}.function", "is required: an object with 'name' and 'arguments'")
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise invalid(f"{call_path}.function.name", "is required and must be a non-empty string")
        arguments = function.get("arguments")
        if arguments is None:
            arguments_obj: dict[str, Any] = {}
        elif isinstance(arguments, str):
            arguments_obj = parse_tool_arguments(arguments)
        elif isinstance(arguments, dict):  # not OpenAI's wire, but unambiguous and harmless
            arguments_obj = dict(arguments)
        else:
            raise invalid(
                f"{call_path}.function.arguments",
                f'must be a JSON-encoded string such as "{{}}", got {_kind(arguments)}',
            )
        blocks.append(ToolUseBlock(call_id, name, arguments_obj))
    return blocks


def _tool_result(message: Mapping[str, Any], path: str) -> ToolResultBlock:
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str) or not call_id:
        raise invalid(f"{path}.tool_call_id", "is required and must be the id of the tool call this answers")
    content = _content_blocks(message.get("content"), f"{path}.content", ("text", "image_url"), "tool")
    return ToolResultBlock(call_id, content, cache_control=_cache_control(message))


def _append(messages: list[Message], role: str, blocks: list[Block]) -> None:
    """Add blocks as a turn, merging into the previous turn of the same role.

    Tool results go before anything else already in a user turn: Anthropic wants
    them first, right after the assistant's tool_use blocks.
    """
    if not blocks:
        return
    if messages and messages[-1].role == role:
        content = messages[-1].content
    else:
        content = []
        messages.append(Message(role, content))  # type: ignore[arg-type]
    results = [b for b in blocks if isinstance(b, ToolResultBlock)]
    if results:
        at = 0
        while at < len(content) and isinstance(content[at], ToolResultBlock):
            at += 1
        content[at:at] = results
    content.extend(b for b in blocks if not isinstance(b, ToolResultBlock))


def _messages(raw_messages: list[Any]) -> tuple[list[TextBlock], list[Message]]:
    system: list[TextBlock] = []
    messages: list[Message] = []
    for i, raw in enumerate(raw_messages):
        path = f"messages[{i}]"
        if not isinstance(raw, dict):
            raise invalid(path, f"must be a message object, got {_kind(raw)}")
        role = raw.get("role")
        if role in ("system", "developer"):
            # Hoisted wherever they appear, mid-conversation too (§4.2).
            blocks = _content_blocks(raw.get("content"), f"{path}.content", ("text",), str(role))
            _message_cache_control(raw, blocks)
            system += [b for b in blocks if isinstance(b, TextBlock)]
        elif role == "user":
            user_blocks: list[Block] = list(
                _content_blocks(raw.get("content"), f"{path}.content", ("text", "image_url"), "user")
            )
            _message_cache_control(raw, user_blocks)
            _append(messages, "user", user_blocks)
        elif role == "assistant":
            _append(messages, "assistant", _assistant_blocks(raw, path))
        elif role == "tool":
            _append(messages, "user", [_tool_result(raw, path)])
        elif role == "function":
            raise invalid(
                f"{path}.role",
                "the legacy 'function' role is not supported; send tool results "
                "as role 'tool' with the 'tool_call_id' of the call",
            )
        else:
            shown = "missing" if role is None else repr(role)
            raise invalid(
                f"{path}.role",
                f"role {shown} is not supported; use system, developer, user, assistant or tool",
            )
    return system, messages


def _tools(raw: object) -> list[Tool]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("tools", f"must be an array of tools, got {_kind(raw)}")
    tools: list[Tool] = []
    for i, tool in enumerate(raw):
        path = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise invalid(path, f"must be a tool object, got {_kind(tool)}")
        tool_type = tool.get("type", "function")
        if tool_type != "function":
            raise invalid(f"{path}.type", f"only 'function' tools are supported, got {tool_type!r}")
        function = tool.get("function")
        if not isinstance(function, dict):
            raise invalid(
                f"{path}.function", "is required: an object with 'name', 'description' and 'parameters'"
            )
        name = function.get("name")
        if not isinstance(name, str) or not name:
            raise invalid(f"{path}.function.name", "is required and must be a non-empty string")
        description = function.get("description")
        if description is not None and not isinstance(description, str):
            raise invalid(f"{path}.function.description", f"must be a string, got {_kind(description)}")
        parameters = function.get("parameters")
        if parameters is None:
            parameters = dict(_EMPTY_SCHEMA)
        elif not isinstance(parameters, dict):
            raise invalid(
                f"{path}.function.parameters", f"must be a JSON Schema object, got {_kind(parameters)}"
            )
        tools.append(Tool(name, description or None, parameters))
    return tools


def _tool_choice(raw: object, tools: list[Tool]) -> ToolChoice | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        mapped = {"none": "none", "auto": "auto", "required": "any"}.get(raw)
        if mapped is None:
            raise invalid(
                "tool_choice",
                f"{raw!r} is not supported; use 'none', 'auto', 'required' or "
                '{"type":"function","function":{"name":...}}',
            )
        return ToolChoice(mapped)  # type: ignore[arg-type]
    if not isinstance(raw, dict):
        raise invalid("tool_choice", f"must be a string or an object, got {_kind(raw)}")
    if raw.get("type") != "function":
        raise invalid("tool_choice.type", f"only 'function' is supported, got {raw.get('type')!r}")
    function = raw.get("function")
    name = function.get("name") if isinstance(function, dict) else None
    if not isinstance(name, str) or not name:
        raise invalid("tool_choice.function.name", "is required and must be a non-empty string")
    if tools and name not in {t.name for t in tools}:
        raise invalid("tool_choice.function.name", f"{name!r} does not name any tool in 'tools'")
    return ToolChoice("tool", name)


def _positive_int(body: Mapping[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if not _is_int(value) or value < 1:
        raise invalid(key, f"must be a positive integer, got {value!r}")
    return int(value)


def _number(body: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if not _is_number(value) or not low <= value <= high:
        raise invalid(key, f"must be a number between {low:g} and {high:g}, got {value!r}")
    return float(value)


def _stop(raw: object) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw] if raw else []
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise invalid("stop", "must be a string or an array of strings")
    return [s for s in raw if s]


def _response_format(raw: object) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid("response_format", f"must be an object, got {_kind(raw)}")
    kind = raw.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        raise invalid("response_format.type", f"must be 'text', 'json_object' or 'json_schema', got {kind!r}")
    if kind == "json_schema" and not isinstance(raw.get("json_schema"), dict):
        raise invalid(
            "response_format.json_schema", "is required when type is 'json_schema' and must be an object"
        )
    return raw


_EXTRA_CHECKS: dict[str, tuple[Any, str]] = {
    "seed": (_is_int, "an integer"),
    "presence_penalty": (_is_number, "a number"),
    "frequency_penalty": (_is_number, "a number"),
    "logit_bias": (lambda v: isinstance(v, dict), "an object"),
    "logprobs": (lambda v: isinstance(v, bool), "a boolean"),
    "top_logprobs": (_is_int, "an integer"),
    "reasoning_effort": (lambda v: isinstance(v, str), "a string"),
    "service_tier": (lambda v: isinstance(v, str), "a string"),
}


def parse_request(body: object, headers: Mapping[str, str]) -> Request:
    """Validate a Chat Completions request body and translate it to canonical form.

    ``headers`` is accepted for symmetry with the other dialects; no OpenAI
    request header changes the translation. Unknown top-level keys are ignored
    (clients send plenty: ``metadata``, ``store``, ``prediction``...). Every
    problem is a 400 naming the JSON path, never a stray KeyError/TypeError.
    """
    del headers
    if not isinstance(body, dict):
        raise invalid("body", f"must be a JSON object, got {_kind(body)}")
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise invalid("model", "is required and must be a non-empty string")
    raw_messages = body.get("messages")
    if not isinstance(raw_messages, list) or not raw_messages:
        raise invalid("messages", "is required and must be a non-empty array of messages")
    system, messages = _messages(raw_messages)
    if not messages:
        raise invalid(
            "messages",
            "must contain at least one user, assistant or tool message with content "
            "(system/developer messages alone are not a conversation)",
        )

    tools = _tools(body.get("tools"))
    tool_choice = _tool_choice(body.get("tool_choice"), tools)
    parallel = body.get("parallel_tool_calls")
    if parallel is not None and not isinstance(parallel, bool):
        raise invalid("parallel_tool_calls", f"must be a boolean, got {_kind(parallel)}")
    if parallel is False:
        tool_choice = tool_choice or ToolChoice("auto")
        tool_choice.disable_parallel = True

    # max_completion_tokens is the current name (o-series/gpt-5 require it); validate both, prefer it.
    max_completion = _positive_int(body, "max_completion_tokens")
    max_legacy = _positive_int(body, "max_tokens")
    n = body.get("n")
    if n is not None and (not _is_int(n) or n != 1):
        raise invalid("n", f"Lynkr supports n=1 only (one choice per request), got {n!r}")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise invalid("stream", f"must be a boolean, got {_kind(stream)}")
    stream_options = body.get("stream_options")
    include_usage = False
    if stream_options is not None:
        if not isinstance(stream_options, dict):
            raise invalid("stream_options", f"must be an object, got {_kind(stream_options)}")
        flag = stream_options.get("include_usage")
        if flag is not None and not isinstance(flag, bool):
            raise invalid("stream_options.include_usage", f"must be a boolean, got {_kind(flag)}")
        include_usage = bool(flag)
    user = body.get("user")
    if user is not None and not isinstance(user, str):
        raise invalid("user", f"must be a string, got {_kind(user)}")

    extra: dict[str, Any] = {}
    for key in _EXTRA_KEYS:
        value = body.get(key)
        if value is None:
            continue
        check, expected = _EXTRA_CHECKS[key]
        if not check(value):
            raise invalid(key, f"must be {expected}, got {_kind(value)}")
        extra[key] = value

    return Request(
        model=model,
        messages=messages,
        system=system,
        max_tokens=max_completion if max_completion is not None else max_legacy,
        temperature=_number(body, "temperature", 0, 2),
        top_p=_number(body, "top_p", 0, 1),
        stop=_stop(body.get("stop")),
        stream=bool(stream),
        tools=tools,
        tool_choice=tool_choice,
        response_format=_response_format(body.get("response_format")),
        user=user,
        include_usage=include_usage,
        extra=extra,
    )


# =========================================================================== client side: render_response


def _wire_call(call: ToolUseBlock) -> dict[str, Any]:
    # Compact JSON: the arguments string is what the model "wrote", so no padding.
    arguments = _dumps(call.input).decode()
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": arguments}}


def render_response(response: Response, model: str) -> dict[str, Any]:
    """A ``chat.completion`` object (§1.2) for a canonical response.

    Text blocks are concatenated without a separator, exactly what the
    streaming encoder produces, so streamed and whole answers are identical.
    """
    text = "".join(b.text for b in response.content if isinstance(b, TextBlock))
    thinking = [b for b in response.content if isinstance(b, ThinkingBlock) and b.redacted is None]
    calls = response.tool_calls()
    message: dict[str, Any] = {"role": "assistant", "content": text or None, "refusal": None}
    if thinking:
        message["reasoning_content"] = "".join(b.thinking for b in thinking)
    if calls:
        message["tool_calls"] = [_wire_call(c) for c in calls]
    return {
        "id": completion_id(response.id),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason_for(response.stop_reason, bool(calls)),
            }
        ],
        "usage": usage_to_openai(response.usage),
    }


# =========================================================================== upstream side: build_request


def _effort_for(thinking: Mapping[str, Any]) -> str | None:
    """Anthropic-style thinking config → OpenAI reasoning_effort (budget <4k low, <16k medium, else high)."""
    if thinking.get("type") not in ("enabled", "adaptive"):
        return None
    budget = thinking.get("budget_tokens")
    if not _is_int(budget):
        return "medium"
    if budget < 4096:
        return "low"
    if budget < 16384:
        return "medium"
    return "high"


def _user_part(block: TextBlock | ImageBlock) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text}  # cache_control dropped: strict upstreams reject it
    return {"type": "image_url", "image_url": {"url": block.as_data_url()}}


def _user_content(parts: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    # A lone text as a plain string is what every OpenAI-compatible server accepts.
    if len(parts) == 1 and parts[0]["type"] == "text":
        return str(parts[0]["text"])
    return parts


def _assistant_message(message: Message, reasoning_field: str | None) -> dict[str, Any] | None:
    texts = [b.text for b in message.content if isinstance(b, TextBlock) and b.text]
    calls = [_wire_call(b) for b in message.content if isinstance(b, ToolUseBlock)]
    if not texts and not calls:
        return None  # OpenAI rejects an assistant message with neither content nor tool_calls
    wire: dict[str, Any] = {"role": "assistant", "content": "\n\n".join(texts) if texts else None}
    if reasoning_field:
        reasoning = "".join(b.thinking for b in message.content if isinstance(b, ThinkingBlock))
        if reasoning:
            wire[reasoning_field] = reasoning
    if calls:
        wire["tool_calls"] = calls
    return wire


def _wire_messages(request: Request, reasoning_field: str | None) -> list[dict[str, Any]]:
    """Canonical history → OpenAI messages, repairing orphans (§4.6).

    OpenAI-style upstreams demand that tool messages directly follow the
    assistant message that issued the calls, and that every call gets one. After
    client-side history trimming neither holds, so an unmatched result becomes
    user text and an unanswered call gets a placeholder result.
    """
    out: list[dict[str, Any]] = []
    system = request.system_text()
    if system:
        out.append({"role": "system", "content": system})
    pending: list[str] = []  # calls of the latest assistant message that still lack a result

    def flush_pending() -> None:
        out.extend({"role": "tool", "tool_call_id": call_id, "content": _NO_RESULT} for call_id in pending)
        pending.clear()

    for message in request.messages:
        if message.role == "assistant":
            wire = _assistant_message(message, reasoning_field)
            if wire is None:
                continue
            flush_pending()
            out.append(wire)
            pending.extend(call["id"] for call in wire.get("tool_calls", ()))
            continue
        # Orphaned results and tool-result images go before the user's own parts.
        leading: list[dict[str, Any]] = []
        own: list[dict[str, Any]] = []
        for block in message.content:
            if isinstance(block, ToolResultBlock):
                text = block.text()
                if block.is_error:
                    text = "[tool_error] " + text
                if block.tool_use_id in pending:
                    pending.remove(block.tool_use_id)
                    out.append({"role": "tool", "tool_call_id": block.tool_use_id, "content": text})
                else:
                    leading.append({"type": "text", "text": f"[tool result for {block.tool_use_id}] {text}"})
                # OpenAI tool messages cannot carry images; a follow-up user message can.
                leading += [_user_part(b) for b in block.content if isinstance(b, ImageBlock)]
            elif isinstance(block, TextBlock):
                if block.text:
                    own.append(_user_part(block))
            elif isinstance(block, ImageBlock):
                own.append(_user_part(block))
        flush_pending()
        parts = leading + own
        if parts:
            out.append({"role": "user", "content": _user_content(parts)})
    flush_pending()
    return out


def build_request(
    request: Request,
    model: str,
    *,
    stream: bool,
    stream_usage: bool = True,
    max_tokens_field: str = "max_tokens",
    reasoning_field: str | None = None,
    reasoning_effort_from_thinking: bool = False,
) -> dict[str, Any]:
    """The JSON body for an OpenAI-compatible ``/chat/completions`` call.

    Args:
        model: the upstream's model (or Azure deployment) name.
        stream: ask for SSE; ``stream_usage`` adds ``stream_options.include_usage``
            (some servers reject ``stream_options``, so providers can turn it off).
        max_tokens_field: ``max_completion_tokens`` for o-series/gpt-5 upstreams.
        reasoning_field: send assistant thinking back under this key
            (``reasoning_content`` for DeepSeek/Kimi-style upstreams); dropped otherwise.
        reasoning_effort_from_thinking: map an Anthropic thinking budget to
            ``reasoning_effort`` when the client gave none.

    Tool names are forwarded unchanged even when they break OpenAI's
    ``^[a-zA-Z0-9_-]{1,64}$`` rule: the names come from the client's own tool
    list, so rewriting them would require mapping them back in the response,
    which Lynkr does not do; a strict upstream will report the name itself.
    ``top_k`` is not sent (not part of OpenAI's API).
    """
    body: dict[str, Any] = {"model": model, "messages": _wire_messages(request, reasoning_field)}
    if request.tools:
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    **({"description": tool.description} if tool.description else {}),
                    "parameters": tool.input_schema or dict(_EMPTY_SCHEMA),
                },
            }
            for tool in request.tools
        ]
        choice = request.tool_choice
        if choice is not None:  # tool_choice/parallel_tool_calls without tools is a 400 on OpenAI
            if choice.type == "any":
                body["tool_choice"] = "required"
            elif choice.type == "tool" and choice.name:
                body["tool_choice"] = {"type": "function", "function": {"name": choice.name}}
            elif choice.type == "none":
                body["tool_choice"] = "none"
            else:
                body["tool_choice"] = "auto"
            if choice.disable_parallel:
                body["parallel_tool_calls"] = False
    if request.max_tokens is not None:
        body[max_tokens_field] = request.max_tokens
    if request.stop:
        body["stop"] = list(request.stop)
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    if request.response_format is not None:
        body["response_format"] = request.response_format
    if request.user is not None:
        body["user"] = request.user
    for key in _EXTRA_KEYS:
        if request.extra.get(key) is not None:
            body[key] = request.extra[key]
    if reasoning_effort_from_thinking and "reasoning_effort" not in body and request.thinking:
        effort = _effort_for(request.thinking)
        if effort is not None:
            body["reasoning_effort"] = effort
    if stream:
        body["stream"] = True
        if stream_usage:
            body["stream_options"] = {"include_usage": True}
    return body


# =========================================================================== upstream side: parse_response


def _malformed(provider: str, why: str) -> LynkrError:
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"provider {provider} returned a malformed response: {why}",
        retryable=True,
        provider=provider,
    )


def _response_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Mistral-style content parts
        return "".join(p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _response_call(raw: object) -> ToolUseBlock | None:
    if not isinstance(raw, dict):
        return None
    function = raw.get("function")
    if not isinstance(function, dict):
        return None
    name = function.get("name")
    if not isinstance(name, str) or not name:
        return None  # a call without a name cannot be executed by any client
    call_id = raw.get("id")
    arguments = function.get("arguments")
    if isinstance(arguments, dict):
        parsed = dict(arguments)
    else:
        parsed = parse_tool_arguments(arguments if isinstance(arguments, str) else "")
    return ToolUseBlock(call_id if isinstance(call_id, str) and call_id else new_call_id(), name, parsed)


def parse_response(body: object, provider: str) -> Response:
    """A non-streaming upstream ``chat.completion`` as a canonical Response.

    Missing usage leaves zeros with ``estimated=False``; the provider layer
    estimates. A 200 whose body is an ``{"error":...}`` (OpenRouter does this)
    is mapped like the HTTP error it describes.
    """
    if not isinstance(body, dict):
        raise _malformed(provider, f"expected a JSON object, got {_kind(body)}")
    error = body.get("error")
    if error and not body.get("choices"):
        message = error.get("message") if isinstance(error, dict) else error
        message = message if isinstance(message, str) and message else _dumps(error).decode()[:500]
        code = error.get("code") if isinstance(error, dict) else None
        if _is_int(code) and 400 <= code <= 599:
            raise from_upstream_status(code, message, provider=provider)
        raise LynkrError(
            ErrorKind.UPSTREAM,
            f"provider {provider} returned an error: {message}",
            retryable=True,
            provider=provider,
        )
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices:
        raise _malformed(provider, "no 'choices' list")
    choice = choices[0]
    if not isinstance(choice, dict):
        raise _malformed(provider, "choices[0] is not an object")
    message = choice.get("message")
    if not isinstance(message, dict):
        message = {}

    content: list[Block] = []
    reasoning = message.get("reasoning_content")
    if not (isinstance(reasoning, str) and reasoning):
        reasoning = message.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        content.append(ThinkingBlock(reasoning, origin="openai"))
    text = _response_text(message.get("content"))
    refusal = message.get("refusal")
    refused = not text and isinstance(refusal, str) and bool(refusal)
    if refused:
        text = str(refusal)
    if text:
        content.append(TextBlock(text))
    raw_calls = message.get("tool_calls")
    if isinstance(raw_calls, list):
        content += [c for c in map(_response_call, raw_calls) if c is not None]
    legacy = message.get("function_call")
    if isinstance(legacy, dict):
        call = _response_call({"function": legacy})
        if call is not None:
            content.append(call)

    stop = stop_reason_from(choice.get("finish_reason"))
    stop_sequence = None
    matched = choice.get("stop_reason")  # vLLM names the stop string that matched
    if any(isinstance(b, ToolUseBlock) for b in content):
        stop = StopReason.TOOL_USE
    elif refused and stop is StopReason.END_TURN:
        stop = StopReason.REFUSAL
    elif stop is StopReason.END_TURN and isinstance(matched, str) and matched:
        stop, stop_sequence = StopReason.STOP_SEQUENCE, matched

    response_id = body.get("id")
    model = body.get("model")
    return Response(
        id=response_id if isinstance(response_id, str) and response_id else "chatcmpl-" + uuid.uuid4().hex,
        model=model if isinstance(model, str) else "",
        content=content,
        stop_reason=stop,
        stop_sequence=stop_sequence,
        usage=usage_from_openai(body.get("usage")) or Usage(),
    )
