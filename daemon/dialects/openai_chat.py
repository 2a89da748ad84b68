"""OpenAI Chat Completions wire format, client direction.

Client side (Lynkr serves ``POST /v1/chat/completions``): ``parse_request``,
``render_response``, ``StreamEncoder``, ``render_error``.
The upstream side (``build_request``, ``parse_response``) lives in
``openai_chat_upstream`` and is re-exported here, so callers see one module per
wire format.

Pure and synchronous: no I/O, so every rule is unit-testable. The streaming
halves and the helpers they share live in ``openai_chat_stream``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from daemon.canonical import (
    Block,
    ImageBlock,
    Message,
    Request,
    Response,
    TextBlock,
    ThinkingBlock,
    Tool,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
)
from daemon.dialects.images import check_inline_image
from daemon.dialects.openai_chat_stream import StreamDecoder, StreamEncoder
from daemon.dialects.openai_chat_upstream import EMPTY_SCHEMA, EXTRA_KEYS, build_request, parse_response
from daemon.dialects.openai_chat_wire import (
    completion_id,
    finish_reason_for,
    is_int,
    json_kind,
    render_error,
    usage_to_openai,
    wire_call,
)
from daemon.errors import invalid
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


# =========================================================================== client side: parse_request


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cache_control(holder: Mapping[str, Any]) -> dict[str, Any] | None:
    value = holder.get("cache_control")
    return value if isinstance(value, dict) else None


def _part_text(part: Mapping[str, Any], path: str, key: str = "text") -> str:
    text = part.get(key)
    if not isinstance(text, str):
        raise invalid(f"{path}.{key}", f"must be a string, got {json_kind(text)}")
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
        check_inline_image(media_type, data, url_path, url_path)
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
        raise invalid(path, f"must be a string or an array of content parts, got {json_kind(content)}")
    blocks: list[TextBlock | ImageBlock] = []
    for j, part in enumerate(content):
        part_path = f"{path}[{j}]"
        if not isinstance(part, dict):
            raise invalid(part_path, f"must be a content part object, got {json_kind(part)}")
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
        raise invalid(f"{path}.reasoning_content", f"must be a string, got {json_kind(reasoning)}")
    if reasoning:
        blocks.append(ThinkingBlock(reasoning, origin="openai"))
    blocks += _content_blocks(message.get("content"), f"{path}.content", ("text", "refusal"), "assistant")
    if message.get("function_call") is not None:
        raise invalid(f"{path}.function_call", "legacy function calling is not supported; use tool_calls")
    raw_calls = message.get("tool_calls")
    if raw_calls is None:
        return blocks
    if not isinstance(raw_calls, list):
        raise invalid(f"{path}.tool_calls", f"must be an array of tool calls, got {json_kind(raw_calls)}")
    for k, call in enumerate(raw_calls):
        call_path = f"{path}.tool_calls[{k}]"
        if not isinstance(call, dict):
            raise invalid(call_path, f"must be a tool call object, got {json_kind(call)}")
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
                f'must be a JSON-encoded string such as "{{}}", got {json_kind(arguments)}',
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
    called: set[str] = set()  # tool call ids made so far: a tool message must answer one of them
    for i, raw in enumerate(raw_messages):
        path = f"messages[{i}]"
        if not isinstance(raw, dict):
            raise invalid(path, f"must be a message object, got {json_kind(raw)}")
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
            assistant_blocks = _assistant_blocks(raw, path)
            called.update(b.id for b in assistant_blocks if isinstance(b, ToolUseBlock))
            _append(messages, "assistant", assistant_blocks)
        elif role == "tool":
            result = _tool_result(raw, path)
            if result.tool_use_id not in called:
                raise invalid(
                    f"{path}.tool_call_id",
                    f"{result.tool_use_id!r} answers no tool call made earlier in the conversation",
                )
            _append(messages, "user", [result])
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
        raise invalid("tools", f"must be an array of tools, got {json_kind(raw)}")
    tools: list[Tool] = []
    for i, tool in enumerate(raw):
        path = f"tools[{i}]"
        if not isinstance(tool, dict):
            raise invalid(path, f"must be a tool object, got {json_kind(tool)}")
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
            raise invalid(f"{path}.function.description", f"must be a string, got {json_kind(description)}")
        parameters = function.get("parameters")
        if parameters is None:
            parameters = dict(EMPTY_SCHEMA)
        elif not isinstance(parameters, dict):
            raise invalid(
                f"{path}.function.parameters", f"must be a JSON Schema object, got {json_kind(parameters)}"
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
        raise invalid("tool_choice", f"must be a string or an object, got {json_kind(raw)}")
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
    if not is_int(value) or value < 1:
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
        raise invalid("response_format", f"must be an object, got {json_kind(raw)}")
    kind = raw.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        raise invalid("response_format.type", f"must be 'text', 'json_object' or 'json_schema', got {kind!r}")
    if kind == "json_schema" and not isinstance(raw.get("json_schema"), dict):
        raise invalid(
            "response_format.json_schema", "is required when type is 'json_schema' and must be an object"
        )
    return raw


_EXTRA_CHECKS: dict[str, tuple[Any, str]] = {
    "seed": (is_int, "an integer"),
    "presence_penalty": (_is_number, "a number"),
    "frequency_penalty": (_is_number, "a number"),
    "logit_bias": (lambda v: isinstance(v, dict), "an object"),
    "logprobs": (lambda v: isinstance(v, bool), "a boolean"),
    "top_logprobs": (is_int, "an integer"),
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
        raise invalid("body", f"must be a JSON object, got {json_kind(body)}")
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
        raise invalid("parallel_tool_calls", f"must be a boolean, got {json_kind(parallel)}")
    if parallel is False:
        tool_choice = tool_choice or ToolChoice("auto")
        tool_choice.disable_parallel = True

    # max_completion_tokens is the current name (o-series/gpt-5 require it); validate both, prefer it.
    max_completion = _positive_int(body, "max_completion_tokens")
    max_legacy = _positive_int(body, "max_tokens")
    n = body.get("n")
    if n is not None and (not is_int(n) or n != 1):
        raise invalid("n", f"Lynkr supports n=1 only (one choice per request), got {n!r}")
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise invalid("stream", f"must be a boolean, got {json_kind(stream)}")
    stream_options = body.get("stream_options")
    include_usage = False
    if stream_options is not None:
        if not isinstance(stream_options, dict):
            raise invalid("stream_options", f"must be an object, got {json_kind(stream_options)}")
        flag = stream_options.get("include_usage")
        if flag is not None and not isinstance(flag, bool):
            raise invalid("stream_options.include_usage", f"must be a boolean, got {json_kind(flag)}")
        include_usage = bool(flag)
    user = body.get("user")
    if user is not None and not isinstance(user, str):
        raise invalid("user", f"must be a string, got {json_kind(user)}")

    extra: dict[str, Any] = {}
    for key in EXTRA_KEYS:
        value = body.get(key)
        if value is None:
            continue
        check, expected = _EXTRA_CHECKS[key]
        if not check(value):
            raise invalid(key, f"must be {expected}, got {json_kind(value)}")
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
        message["tool_calls"] = [wire_call(c) for c in calls]
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
