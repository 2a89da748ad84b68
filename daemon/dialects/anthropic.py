"""Anthropic Messages wire format, client direction, as pure functions.

Client-facing (Lynkr serves ``POST /v1/messages`` and ``/v1/messages/count_tokens``):
``parse_request``, ``render_response``, ``StreamEncoder``, ``render_error``,
``count_tokens_response``.

The upstream direction (``build_request``, ``upstream_headers``, ``parse_response``)
lives in ``anthropic_upstream`` and the streams in ``anthropic_stream``; all are
re-exported here, so callers see one module per wire format.
"""

from __future__ import annotations

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
from daemon.dialects.anthropic_stream import (
    ANTHROPIC_EXTRA_KEYS,
    ORIGIN,
    StreamDecoder,
    StreamEncoder,
    effective_stop_reason,
    error_body,
    json_kind,
    message_id,
    tag_signature,
    untag_signature,
)
from daemon.dialects.anthropic_upstream import (
    build_request,
    parse_response,
    upstream_error_message,
    upstream_headers,
)
from daemon.dialects.images import check_inline_image
from daemon.errors import LynkrError, invalid

__all__ = [
    "StreamDecoder",
    "StreamEncoder",
    "build_request",
    "count_tokens_response",
    "parse_request",
    "parse_response",
    "render_error",
    "render_response",
    "upstream_error_message",
    "upstream_headers",
]

PASSTHROUGH_HEADERS = ("anthropic-beta", "anthropic-version")


# Block types the canonical model cannot carry yet. Named in the 400 so the user
# knows it is a Lynkr limitation, not a malformed request.
_BLOCK_TYPES = "text, image, tool_use, tool_result, thinking, redacted_thinking"


# =========================================================================== client-facing: parsing


def _obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(path, f"must be an object, got {json_kind(value)}")
    return value


def _str(value: object, path: str, *, nonempty: bool = False) -> str:
    if not isinstance(value, str):
        raise invalid(path, f"must be a string, got {json_kind(value)}")
    if nonempty and not value:
        raise invalid(path, "must be a non-empty string")
    return value


def _opt_str(d: dict[str, Any], key: str, path: str) -> str | None:
    value = d.get(key)
    return None if value is None else _str(value, f"{path}.{key}" if path else key)


def _int(value: object, path: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        # JSON has one number type; 1024.0 is still an integer.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise invalid(path, f"must be an integer, got {json_kind(value)}")
    if value < minimum:
        raise invalid(path, f"must be >= {minimum}, got {value}")
    return value


def _num(value: object, path: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(path, f"must be a number, got {json_kind(value)}")
    if not lo <= value <= hi:  # also rejects NaN
        raise invalid(path, f"must be between {lo:g} and {hi:g}, got {value}")
    return float(value)


def _cache_control(d: dict[str, Any], path: str) -> dict[str, Any] | None:
    value = d.get("cache_control")
    return None if value is None else _obj(value, f"{path}.cache_control")


def _text_block(d: dict[str, Any], path: str) -> TextBlock:
    return TextBlock(_str(d.get("text"), f"{path}.text"), _cache_control(d, path))


def _image_block(d: dict[str, Any], path: str) -> ImageBlock:
    source = _obj(d.get("source"), f"{path}.source")
    stype = source.get("type")
    if stype == "base64":
        image = ImageBlock(
            media_type=_str(source.get("media_type"), f"{path}.source.media_type", nonempty=True),
            data=_str(source.get("data"), f"{path}.source.data", nonempty=True),
        )
        check_inline_image(
            image.media_type or "", image.data or "", f"{path}.source.media_type", f"{path}.source.data"
        )
        return image
    if stype == "url":
        return ImageBlock(url=_str(source.get("url"), f"{path}.source.url", nonempty=True))
    raise invalid(f"{path}.source.type", f"must be 'base64' or 'url', got {stype!r}")


def _check_tool_results(messages: list[Message]) -> None:
    """Every tool_result answers a tool_use made earlier in the conversation, as every provider
    requires; an orphan is the client's mistake and gets a 400 naming it, before any routing."""
    called: set[str] = set()
    for i, message in enumerate(messages):
        for j, block in enumerate(message.content):
            if isinstance(block, ToolUseBlock):
                called.add(block.id)
            elif isinstance(block, ToolResultBlock) and block.tool_use_id not in called:
                raise invalid(
                    f"messages[{i}].content[{j}].tool_use_id",
                    f"{block.tool_use_id!r} answers no tool_use block earlier in the conversation",
                )


def _unsupported(btype: object, path: str) -> LynkrError:
    if not isinstance(btype, str):
        return invalid(f"{path}.type", f"must be a string naming the block type ({_BLOCK_TYPES})")
    return invalid(
        f"{path}.type",
        f"Lynkr does not support {btype!r} content blocks yet; supported block types: {_BLOCK_TYPES}",
    )


def _tool_result_block(d: dict[str, Any], path: str) -> ToolResultBlock:
    tool_use_id = _str(d.get("tool_use_id"), f"{path}.tool_use_id", nonempty=True)
    raw = d.get("content")
    content: list[TextBlock | ImageBlock] = []
    if isinstance(raw, str):
        content.append(TextBlock(raw))
    elif isinstance(raw, list):
        for k, part in enumerate(raw):
            ppath = f"{path}.content[{k}]"
            part = _obj(part, ppath)
            ptype = part.get("type")
            if ptype == "text":
                content.append(_text_block(part, ppath))
            elif ptype == "image":
                content.append(_image_block(part, ppath))
            else:
                raise _unsupported(ptype, ppath)
    elif raw is not None:
        raise invalid(
            f"{path}.content", f"must be a string or an array of text/image blocks, got {json_kind(raw)}"
        )
    is_error = d.get("is_error", False)
    if is_error is None:
        is_error = False
    if not isinstance(is_error, bool):
        raise invalid(f"{path}.is_error", f"must be a boolean, got {json_kind(is_error)}")
    return ToolResultBlock(tool_use_id, content, is_error, _cache_control(d, path))


def _thinking_block(d: dict[str, Any], path: str, btype: str) -> ThinkingBlock:
    if btype == "redacted_thinking":
        origin, data = untag_signature(_str(d.get("data"), f"{path}.data"))
        return ThinkingBlock(redacted=data, origin=origin)
    thinking = _str(d.get("thinking"), f"{path}.thinking")
    raw_sig = d.get("signature")
    if raw_sig is None:
        return ThinkingBlock(thinking, None, origin=ORIGIN)
    origin, signature = untag_signature(_str(raw_sig, f"{path}.signature"))
    return ThinkingBlock(thinking, signature or None, origin=origin)


def _content_block(raw: object, path: str, role: str) -> Block:
    d = _obj(raw, path)
    btype = d.get("type")
    if btype == "text":
        return _text_block(d, path)
    if btype == "image":
        return _image_block(d, path)
    if btype == "tool_use":
        if role != "assistant":
            raise invalid(f"{path}.type", "tool_use blocks are only allowed in assistant messages")
        tool_input = d.get("input")
        if not isinstance(tool_input, dict):
            raise invalid(f"{path}.input", f"must be an object, got {json_kind(tool_input)}")
        return ToolUseBlock(
            _str(d.get("id"), f"{path}.id", nonempty=True),
            _str(d.get("name"), f"{path}.name", nonempty=True),
            tool_input,
        )
    if btype == "tool_result":
        if role != "user":
            raise invalid(f"{path}.type", "tool_result blocks are only allowed in user messages")
        return _tool_result_block(d, path)
    if btype in ("thinking", "redacted_thinking"):
        if role != "assistant":
            raise invalid(f"{path}.type", f"{btype} blocks are only allowed in assistant messages")
        return _thinking_block(d, path, btype)
    raise _unsupported(btype, path)


def _message(raw: object, path: str) -> Message:
    d = _obj(raw, path)
    role = d.get("role")
    if role not in ("user", "assistant"):
        raise invalid(f"{path}.role", f"must be 'user' or 'assistant', got {role!r}")
    content = d.get("content")
    if isinstance(content, str):
        return Message(role, [TextBlock(content)])
    if not isinstance(content, list):
        raise invalid(
            f"{path}.content", f"must be a string or an array of content blocks, got {json_kind(content)}"
        )
    return Message(role, [_content_block(b, f"{path}.content[{i}]", role) for i, b in enumerate(content)])


def _mid_conversation_system(content: object, path: str) -> list[TextBlock]:
    """A ``role: "system"`` turn (Claude Code's beta ``mid-conversation-system-2026-04-07``).

    No other format has system turns mid-conversation, so their text joins the
    system prompt, the way OpenAI system messages are hoisted (protocols.md §4.2).
    """
    if isinstance(content, str):
        return [TextBlock(content)] if content else []
    if not isinstance(content, list):
        raise invalid(path, f"must be a string or an array of text blocks, got {json_kind(content)}")
    blocks = []
    for j, item in enumerate(content):
        d = _obj(item, f"{path}[{j}]")
        if d.get("type") != "text":
            raise invalid(f"{path}[{j}].type", f"system turns take text blocks only, got {d.get('type')!r}")
        block = _text_block(d, f"{path}[{j}]")
        if block.text:
            blocks.append(block)
    return blocks


def _system(raw: object) -> list[TextBlock]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [TextBlock(raw)] if raw else []
    if not isinstance(raw, list):
        raise invalid("system", f"must be a string or an array of text blocks, got {json_kind(raw)}")
    blocks = []
    for i, item in enumerate(raw):
        d = _obj(item, f"system[{i}]")
        if d.get("type") != "text":
            raise invalid(f"system[{i}].type", f"system blocks must have type 'text', got {d.get('type')!r}")
        blocks.append(_text_block(d, f"system[{i}]"))
    return blocks


def _tools(raw: object, extra: dict[str, Any]) -> list[Tool]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid("tools", f"must be an array, got {json_kind(raw)}")
    tools: list[Tool] = []
    dropped: list[str] = []
    for i, item in enumerate(raw):
        path = f"tools[{i}]"
        d = _obj(item, path)
        ttype = d.get("type")
        if ttype is not None and ttype != "custom":
            # Server tools (web_search_…, bash_…, text_editor_…) run inside Anthropic;
            # no other upstream can execute them, so they are dropped, not rejected.
            name = d.get("name")
            dropped.append(name if isinstance(name, str) and name else str(ttype))
            continue
        description = d.get("description")
        if description is not None:
            _str(description, f"{path}.description")
        tools.append(
            Tool(
                name=_str(d.get("name"), f"{path}.name", nonempty=True),
                description=description,
                input_schema=_obj(d.get("input_schema"), f"{path}.input_schema"),
            )
        )
    if dropped:
        extra["dropped_server_tools"] = dropped
    return tools


def _tool_choice(raw: object, tools: list[Tool]) -> ToolChoice | None:
    if raw is None:
        return None
    d = _obj(raw, "tool_choice")
    ctype = d.get("type")
    if ctype not in ("auto", "any", "none", "tool"):
        raise invalid("tool_choice.type", f"must be one of 'auto', 'any', 'none', 'tool', got {ctype!r}")
    name = _str(d.get("name"), "tool_choice.name", nonempty=True) if ctype == "tool" else None
    if name is not None and name not in {t.name for t in tools}:
        raise invalid("tool_choice.name", f"{name!r} does not name any tool in 'tools'")
    disable = d.get("disable_parallel_tool_use", False)
    if disable is None:
        disable = False
    if not isinstance(disable, bool):
        raise invalid("tool_choice.disable_parallel_tool_use", f"must be a boolean, got {json_kind(disable)}")
    return ToolChoice(ctype, name, disable)


def _thinking(raw: object) -> dict[str, Any] | None:
    if raw is None:
        return None
    d = _obj(raw, "thinking")
    ttype = d.get("type")
    if ttype not in ("enabled", "disabled", "adaptive"):
        raise invalid("thinking.type", f"must be one of 'enabled', 'disabled', 'adaptive', got {ttype!r}")
    if d.get("budget_tokens") is not None:
        _int(d["budget_tokens"], "thinking.budget_tokens", minimum=1)
    return d


def _passthrough_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """anthropic-* headers, lowercase, with repeated anthropic-beta values joined."""
    out: dict[str, str] = {}
    try:
        items = list(headers.items())
    except AttributeError:
        return out
    for key, value in items:
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        lower = key.lower()
        if lower in PASSTHROUGH_HEADERS and value.strip():
            out[lower] = f"{out[lower]},{value.strip()}" if lower in out else value.strip()
    return out


def parse_request(body: object, headers: Mapping[str, str], *, count_tokens: bool = False) -> Request:
    """A client's /v1/messages (or /count_tokens) body → Request; a 400 LynkrError if malformed."""
    d = _obj(body, "body")
    model = _str(d.get("model"), "model", nonempty=True)
    raw_messages = d.get("messages")
    if not isinstance(raw_messages, list):
        raise invalid("messages", f"must be an array of messages, got {json_kind(raw_messages)}")
    if not raw_messages:
        raise invalid("messages", "must contain at least one message")
    messages: list[Message] = []
    late_system: list[TextBlock] = []
    for i, m in enumerate(raw_messages):
        if isinstance(m, dict) and m.get("role") == "system":
            late_system += _mid_conversation_system(m.get("content"), f"messages[{i}].content")
        else:
            messages.append(_message(m, f"messages[{i}]"))
    if not messages:
        raise invalid("messages", "must contain at least one user or assistant message")
    _check_tool_results(messages)

    max_tokens: int | None = None
    if d.get("max_tokens") is not None:
        max_tokens = _int(d["max_tokens"], "max_tokens", minimum=1)
    elif not count_tokens:
        raise invalid("max_tokens", "is required and must be a positive integer")

    extra: dict[str, Any] = {key: d[key] for key in ANTHROPIC_EXTRA_KEYS if d.get(key) is not None}
    tools = _tools(d.get("tools"), extra)

    stop: list[str] = []
    raw_stop = d.get("stop_sequences")
    if raw_stop is not None:
        if not isinstance(raw_stop, list):
            raise invalid("stop_sequences", f"must be an array of strings, got {json_kind(raw_stop)}")
        stop = [_str(s, f"stop_sequences[{i}]", nonempty=True) for i, s in enumerate(raw_stop)]

    stream = d.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise invalid("stream", f"must be a boolean, got {json_kind(stream)}")

    user: str | None = None
    if d.get("metadata") is not None:
        user = _opt_str(_obj(d["metadata"], "metadata"), "user_id", "metadata")

    return Request(
        model=model,
        messages=messages,
        system=_system(d.get("system")) + late_system,
        max_tokens=max_tokens,
        temperature=None if d.get("temperature") is None else _num(d["temperature"], "temperature", 0, 1),
        top_p=None if d.get("top_p") is None else _num(d["top_p"], "top_p", 0, 1),
        top_k=None if d.get("top_k") is None else _int(d["top_k"], "top_k", minimum=0),
        stop=stop,
        stream=stream,
        tools=tools,
        tool_choice=_tool_choice(d.get("tool_choice"), tools),
        thinking=_thinking(d.get("thinking")),
        user=user,
        include_usage=True,  # Anthropic always reports usage
        extra=extra,
        passthrough_headers=_passthrough_headers(headers),
    )


# =========================================================================== client-facing: rendering


def render_response(response: Response, model: str) -> dict[str, Any]:
    """A Response as the client's /v1/messages JSON body."""
    content: list[dict[str, Any]] = []
    for block in response.content:
        if isinstance(block, TextBlock):
            # Whitespace-only text is dropped too: the client would replay it and
            # Anthropic rejects it ("text content blocks must contain non-whitespace text").
            if block.text.strip():
                content.append({"type": "text", "text": block.text})
        elif isinstance(block, ToolUseBlock):
            content.append(
                {
                    "type": "tool_use",
                    "id": block.id,
                    "name": block.name,
                    "input": block.input if isinstance(block.input, dict) else {},
                }
            )
        elif isinstance(block, ThinkingBlock):
            if block.redacted is not None:
                data = tag_signature(block.redacted, block.origin)
                content.append({"type": "redacted_thinking", "data": data})
            elif block.thinking or block.signature:
                content.append(
                    {
                        "type": "thinking",
                        "thinking": block.thinking,
                        "signature": tag_signature(block.signature or "", block.origin),
                    }
                )
        # images and tool results never belong in an assistant reply
    usage = response.usage
    return {
        "id": message_id(response.id),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": effective_stop_reason(response.content, response.stop_reason).value,
        "stop_sequence": response.stop_sequence,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_creation_input_tokens": usage.cache_write_tokens,
            "cache_read_input_tokens": usage.cache_read_tokens,
        },
    }


def render_error(error: LynkrError) -> tuple[int, dict[str, Any]]:
    """HTTP status and Anthropic error envelope for a LynkrError."""
    status = getattr(error, "status", None) or 500
    return status, error_body(error)


def count_tokens_response(input_tokens: int) -> dict[str, Any]:
    return {"input_tokens": input_tokens}
