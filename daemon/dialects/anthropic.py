"""Anthropic Messages wire format, both directions, as pure functions.

Client-facing (Lynkr serves ``POST /v1/messages`` and ``/v1/messages/count_tokens``):
``parse_request``, ``render_response``, ``StreamEncoder``, ``render_error``,
``count_tokens_response``.

Upstream-facing (Lynkr calls Anthropic, Azure AI Foundry Claude, z.ai, ...):
``build_request``, ``upstream_headers``, ``parse_response``, ``StreamDecoder``.

The upstream direction repairs what other dialects and trimmed histories hand
us, because Anthropic rejects with a 400 what most providers shrug off: empty
text blocks, tool_use without a tool_result right after it (and the reverse),
foreign tool-call ids, unsigned or foreign thinking blocks, a conversation that
starts with the assistant. See protocols.md §3 and §4.6.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
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
from daemon.dialects.anthropic_stream import (
    ORIGIN,
    StreamDecoder,
    StreamEncoder,
    as_int,
    dumps,
    error_body,
    error_from_upstream,
    message_id,
    stop_reason,
    tag_signature,
    untag_signature,
)
from daemon.errors import ErrorKind, LynkrError, invalid
from daemon.streams import parse_tool_arguments

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

DEFAULT_VERSION = "2023-06-01"
PASSTHROUGH_HEADERS = ("anthropic-beta", "anthropic-version")

# Top-level request fields Anthropic understands that have no canonical meaning;
# kept in Request.extra on the way in and forwarded only to Anthropic upstreams.
ANTHROPIC_EXTRA_KEYS = ("service_tier", "output_config", "context_management", "container", "cache_control")

# Block types the canonical model cannot carry yet. Named in the 400 so the user
# knows it is a Lynkr limitation, not a malformed request.
_BLOCK_TYPES = "text, image, tool_use, tool_result, thinking, redacted_thinking"


# =========================================================================== client-facing: parsing


def _kind(value: object) -> str:
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


def _obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(path, f"must be an object, got {_kind(value)}")
    return value


def _str(value: object, path: str, *, nonempty: bool = False) -> str:
    if not isinstance(value, str):
        raise invalid(path, f"must be a string, got {_kind(value)}")
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
            raise invalid(path, f"must be an integer, got {_kind(value)}")
    if value < minimum:
        raise invalid(path, f"must be >= {minimum}, got {value}")
    return value


def _num(value: object, path: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(path, f"must be a number, got {_kind(value)}")
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
        return ImageBlock(
            media_type=_str(source.get("media_type"), f"{path}.source.media_type", nonempty=True),
            data=_str(source.get("data"), f"{path}.source.data", nonempty=True),
        )
    if stype == "url":
        return ImageBlock(url=_str(source.get("url"), f"{path}.source.url", nonempty=True))
    raise invalid(f"{path}.source.type", f"must be 'base64' or 'url', got {stype!r}")


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
            f"{path}.content", f"must be a string or an array of text/image blocks, got {_kind(raw)}"
        )
    is_error = d.get("is_error", False)
    if is_error is None:
        is_error = False
    if not isinstance(is_error, bool):
        raise invalid(f"{path}.is_error", f"must be a boolean, got {_kind(is_error)}")
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
            raise invalid(f"{path}.input", f"must be an object, got {_kind(tool_input)}")
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
            f"{path}.content", f"must be a string or an array of content blocks, got {_kind(content)}"
        )
    return Message(role, [_content_block(b, f"{path}.content[{i}]", role) for i, b in enumerate(content)])


def _system(raw: object) -> list[TextBlock]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [TextBlock(raw)] if raw else []
    if not isinstance(raw, list):
        raise invalid("system", f"must be a string or an array of text blocks, got {_kind(raw)}")
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
        raise invalid("tools", f"must be an array, got {_kind(raw)}")
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
        raise invalid("tool_choice.disable_parallel_tool_use", f"must be a boolean, got {_kind(disable)}")
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
        raise invalid("messages", f"must be an array of messages, got {_kind(raw_messages)}")
    if not raw_messages:
        raise invalid("messages", "must contain at least one message")
    messages = [_message(m, f"messages[{i}]") for i, m in enumerate(raw_messages)]

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
            raise invalid("stop_sequences", f"must be an array of strings, got {_kind(raw_stop)}")
        stop = [_str(s, f"stop_sequences[{i}]", nonempty=True) for i, s in enumerate(raw_stop)]

    stream = d.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise invalid("stream", f"must be a boolean, got {_kind(stream)}")

    user: str | None = None
    if d.get("metadata") is not None:
        user = _opt_str(_obj(d["metadata"], "metadata"), "user_id", "metadata")

    return Request(
        model=model,
        messages=messages,
        system=_system(d.get("system")),
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


def _stop_reason_for(content: list[Block], reason: StopReason) -> StopReason:
    # Non-Anthropic upstreams often say "stop" after tool calls; clients loop on tool_use.
    if reason in (StopReason.END_TURN, StopReason.STOP_SEQUENCE) and any(
        isinstance(b, ToolUseBlock) for b in content
    ):
        return StopReason.TOOL_USE
    return reason


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
        "stop_reason": _stop_reason_for(response.content, response.stop_reason).value,
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


# =========================================================================== upstream-facing: request

_ID_OK = re.compile(r"^[a-zA-Z0-9_-]+$")
_ID_BAD = re.compile(r"[^a-zA-Z0-9_-]")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_DATA_URL = re.compile(r"^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$", re.DOTALL)

CONTINUED = "(continued)"
NO_RESULT = "[no result was recorded for this call]"
_THINKING_ON = ("enabled", "adaptive")


def sanitize_tool_id(raw: str) -> str:
    """Anthropic requires ``^[a-zA-Z0-9_-]+$``; the same input always maps to the same id,
    so a tool_use and its tool_result stay paired."""
    if _ID_OK.match(raw):
        return raw
    return _ID_BAD.sub("_", raw) or "toolu_empty"


def _orphan_text(block: ToolResultBlock) -> list[Block]:
    """A tool_result with no matching tool_use, kept as context instead of a 400."""
    text = block.text()
    label = f"[tool result for {block.tool_use_id}]"
    blocks: list[Block] = [TextBlock(f"{label} {text}" if text else label)]
    blocks.extend(b for b in block.content if isinstance(b, ImageBlock))
    return blocks


def _filter(message: Message) -> list[Block]:
    """Blocks of one message that Anthropic will accept, ids sanitised."""
    out: list[Block] = []
    assistant = message.role == "assistant"
    for block in message.content:
        if isinstance(block, TextBlock):
            if block.text.strip():
                out.append(block)
        elif isinstance(block, ToolUseBlock):
            if assistant:
                out.append(replace(block, id=sanitize_tool_id(block.id)))
            else:  # a call in a user turn is nonsense to Anthropic; keep it readable
                out.append(TextBlock(f"[tool call {block.name} {block.id}] {dumps(block.input).decode()}"))
        elif isinstance(block, ToolResultBlock):
            fixed = replace(block, tool_use_id=sanitize_tool_id(block.tool_use_id))
            out.extend([fixed] if not assistant else _orphan_text(fixed))
        elif isinstance(block, ThinkingBlock):
            # Only Anthropic's own signed blocks, byte-exact; anything else is a 400 there.
            if assistant and block.origin == ORIGIN and (block.redacted or block.signature):
                out.append(block)
        elif isinstance(block, ImageBlock) and (block.data or block.url):
            out.append(block)
    return out


def _repair_tools(turns: list[tuple[str, list[Block]]]) -> list[tuple[str, list[Block]]]:
    """Pair every tool_use with a tool_result in the very next user turn (results first)."""
    out: list[tuple[str, list[Block]]] = []
    pending: list[str] = []  # tool_use ids of the assistant turn just before
    for role, blocks in turns:
        if role == "assistant":
            if pending:  # only possible when two assistant turns were not merged
                out.append(("user", [ToolResultBlock(i, [TextBlock(NO_RESULT)], True) for i in pending]))
            out.append((role, blocks))
            pending = list(dict.fromkeys(b.id for b in blocks if isinstance(b, ToolUseBlock)))
            continue
        results: dict[str, ToolResultBlock] = {}
        rest: list[Block] = []
        for block in blocks:
            if isinstance(block, ToolResultBlock):
                if block.tool_use_id in pending and block.tool_use_id not in results:
                    results[block.tool_use_id] = block
                else:
                    rest.extend(_orphan_text(block))
            else:
                rest.append(block)
        paired: list[Block] = [
            results.get(i) or ToolResultBlock(i, [TextBlock(NO_RESULT)], True) for i in pending
        ]
        out.append((role, paired + rest))
        pending = []
    if pending:
        out.append(("user", [ToolResultBlock(i, [TextBlock(NO_RESULT)], True) for i in pending]))
    return out


def _merge(turns: list[tuple[str, list[Block]]]) -> list[tuple[str, list[Block]]]:
    out: list[tuple[str, list[Block]]] = []
    for role, blocks in turns:
        if not blocks:
            continue
        if out and out[-1][0] == role:
            out[-1] = (role, out[-1][1] + blocks)
        else:
            out.append((role, list(blocks)))
    return out


def _image_json(block: ImageBlock) -> dict[str, Any]:
    if block.url is not None:
        match = _DATA_URL.match(block.url)
        if match:  # OpenAI clients send inline images as data: URLs
            return {
                "type": "image",
                "source": {
                    "type": "base64",
                    "media_type": match.group(1) or "image/png",
                    "data": match.group(2),
                },
            }
        return {"type": "image", "source": {"type": "url", "url": block.url}}
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": block.media_type or "image/png", "data": block.data or ""},
    }


def _text_json(block: TextBlock) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "text", "text": block.text}
    if block.cache_control is not None:
        out["cache_control"] = block.cache_control
    return out


def _block_json(block: Block) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return _text_json(block)
    if isinstance(block, ToolUseBlock):
        return {
            "type": "tool_use",
            "id": block.id,
            "name": block.name,
            "input": block.input if isinstance(block.input, dict) else {},
        }
    if isinstance(block, ToolResultBlock):
        out: dict[str, Any] = {"type": "tool_result", "tool_use_id": block.tool_use_id}
        parts = [
            _text_json(p) if isinstance(p, TextBlock) else _image_json(p)
            for p in block.content
            if not isinstance(p, TextBlock) or p.text.strip()
        ]
        if parts:
            out["content"] = parts
        if block.is_error:
            out["is_error"] = True
        if block.cache_control is not None:
            out["cache_control"] = block.cache_control
        return out
    if isinstance(block, ThinkingBlock):
        if block.redacted:
            return {"type": "redacted_thinking", "data": block.redacted}
        return {"type": "thinking", "thinking": block.thinking, "signature": block.signature}
    return _image_json(block)


def _messages(request: Request) -> list[dict[str, Any]]:
    turns = _merge([(m.role, _filter(m)) for m in request.messages])
    if turns and turns[0][0] == "assistant":
        turns.insert(0, ("user", [TextBlock(CONTINUED)]))
    turns = _repair_tools(turns)
    if not turns:
        turns = [("user", [TextBlock(CONTINUED)])]
    # A final assistant turn is a prefill, and Anthropic rejects one that ends in whitespace.
    role, blocks = turns[-1]
    if role == "assistant" and isinstance(blocks[-1], TextBlock):
        stripped = blocks[-1].text.rstrip()
        tail: list[Block] = [replace(blocks[-1], text=stripped)] if stripped else []
        blocks = blocks[:-1] + tail
        turns[-1] = (role, blocks)
        if not blocks:
            turns.pop()
    return [{"role": role, "content": [_block_json(b) for b in blocks]} for role, blocks in turns]


def _json_instruction(response_format: dict[str, Any]) -> str | None:
    rtype = response_format.get("type")
    if rtype == "json_object":
        return "Respond with a single valid JSON object only: no prose, no Markdown code fences."
    if rtype == "json_schema":
        spec = response_format.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, dict) else None
        text = (
            "Respond with a single valid JSON value only, no prose and no Markdown code fences"
            if schema is None
            else "Respond with a single valid JSON value only, no prose and no Markdown code fences, "
            f"that conforms to this JSON Schema:\n{dumps(schema).decode()}"
        )
        return text
    return None


def _placeholder_tools(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Anthropic 400s a history with tool_use/tool_result blocks when ``tools`` is absent
    ("Requests which include tool_use or tool_result blocks must define tools"), and
    summarisation/compaction calls drop tools. Declare the names used, as inert tools."""
    names: dict[str, None] = {}
    used = False
    for message in messages:
        for block in message["content"]:
            if block["type"] == "tool_use":
                used = True
                if _TOOL_NAME.match(block["name"]):
                    names[block["name"]] = None
            elif block["type"] == "tool_result":
                used = True
    if not used:
        return []
    return [
        {
            "name": name,
            "description": "Used earlier in this conversation; not available now.",
            "input_schema": {"type": "object"},
        }
        for name in names or {"unavailable_tool": None}
    ]


def build_request(
    request: Request, model: str, *, stream: bool, default_max_tokens: int = 8192
) -> dict[str, Any]:
    """The Anthropic /v1/messages body for a canonical Request."""
    body: dict[str, Any] = {"model": model}

    system = [_text_json(b) for b in request.system if b.text.strip()]
    if request.response_format:
        instruction = _json_instruction(request.response_format)
        if instruction:
            system.append({"type": "text", "text": instruction})
    if system:
        body["system"] = system

    messages = _messages(request)
    body["messages"] = messages

    thinking = request.thinking
    thinking_on = isinstance(thinking, dict) and thinking.get("type") in _THINKING_ON
    max_tokens = request.max_tokens or default_max_tokens
    budget = as_int(thinking.get("budget_tokens")) if thinking_on and thinking else None
    if request.max_tokens is None and budget is not None and budget >= max_tokens:
        # Anthropic requires max_tokens > budget_tokens; only a default we chose is adjusted.
        max_tokens = budget + default_max_tokens
    body["max_tokens"] = max_tokens

    if request.stop:
        body["stop_sequences"] = list(request.stop)
    # With thinking on, Anthropic rejects temperature != 1, any top_k and top_p < 0.95;
    # such values come from OpenAI clients that set them by habit, so they are dropped.
    if request.temperature is not None and (not thinking_on or request.temperature == 1):
        body["temperature"] = request.temperature
    if request.top_p is not None and (not thinking_on or request.top_p >= 0.95):
        body["top_p"] = request.top_p
    if request.top_k is not None and not thinking_on:
        body["top_k"] = request.top_k
    if thinking is not None:
        body["thinking"] = thinking
    if request.user:
        body["metadata"] = {"user_id": request.user}

    if request.tools:
        tools = []
        for tool in request.tools:
            spec: dict[str, Any] = {"name": tool.name}
            if tool.description:
                spec["description"] = tool.description
            spec["input_schema"] = tool.input_schema
            tools.append(spec)
        body["tools"] = tools
        choice = request.tool_choice
        if choice is not None:
            tc: dict[str, Any] = {"type": choice.type}
            if choice.type == "tool" and choice.name:
                tc["name"] = choice.name
            if choice.disable_parallel and choice.type != "none":
                tc["disable_parallel_tool_use"] = True
            body["tool_choice"] = tc
    else:
        placeholders = _placeholder_tools(messages)
        if placeholders:
            body["tools"] = placeholders
            body["tool_choice"] = {"type": "none"}

    for key in ANTHROPIC_EXTRA_KEYS:
        if key in request.extra and request.extra[key] is not None:
            body[key] = request.extra[key]
    if stream:
        body["stream"] = True
    return body


def upstream_headers(request: Request) -> dict[str, str]:
    headers = {"anthropic-version": request.passthrough_headers.get("anthropic-version") or DEFAULT_VERSION}
    beta = request.passthrough_headers.get("anthropic-beta")
    if beta:
        headers["anthropic-beta"] = beta
    return headers


# =========================================================================== upstream-facing: response


def _malformed(provider: str, what: str) -> LynkrError:
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"provider {provider} returned a malformed response: {what}",
        retryable=True,
        provider=provider,
    )


def parse_response(body: object, provider: str) -> Response:
    """An upstream Anthropic /v1/messages JSON body → Response. Tolerant of missing fields."""
    if not isinstance(body, dict):
        raise _malformed(provider, f"expected a JSON object, got {_kind(body)}")
    if body.get("type") == "error":  # some gateways answer 200 with an error body
        raise error_from_upstream(body, provider)
    raw_content = body.get("content")
    if not isinstance(raw_content, list):
        raise _malformed(provider, "no 'content' array")
    content: list[Block] = []
    for raw in raw_content:
        if not isinstance(raw, dict):
            continue
        btype = raw.get("type")
        if btype == "text":
            text = raw.get("text")
            if isinstance(text, str):
                content.append(TextBlock(text))
        elif btype == "tool_use":
            tool_input = raw.get("input")
            if isinstance(tool_input, str):  # seen from lax gateways: arguments as a string
                tool_input = parse_tool_arguments(tool_input)
            call_id, name = raw.get("id"), raw.get("name")
            content.append(
                ToolUseBlock(
                    call_id if isinstance(call_id, str) else "",
                    name if isinstance(name, str) else "",
                    tool_input if isinstance(tool_input, dict) else {},
                )
            )
        elif btype == "thinking":
            thinking, sig = raw.get("thinking"), raw.get("signature")
            content.append(
                ThinkingBlock(
                    thinking if isinstance(thinking, str) else "",
                    sig if isinstance(sig, str) and sig else None,
                    origin=ORIGIN,
                )
            )
        elif btype == "redacted_thinking":
            data = raw.get("data")
            if isinstance(data, str):
                content.append(ThinkingBlock(redacted=data, origin=ORIGIN))
        # server_tool_use, web_search_tool_result, ...: nothing a client could act on
    raw_usage = body.get("usage")
    usage: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
    seq = body.get("stop_sequence")
    raw_id = body.get("id")
    raw_model = body.get("model")
    return Response(
        id=raw_id if isinstance(raw_id, str) and raw_id else message_id(None),
        model=raw_model if isinstance(raw_model, str) else "",
        content=content,
        stop_reason=_stop_reason_for(content, stop_reason(body.get("stop_reason"))),
        stop_sequence=seq if isinstance(seq, str) else None,
        usage=Usage(
            input_tokens=as_int(usage.get("input_tokens")) or 0,
            output_tokens=as_int(usage.get("output_tokens")) or 0,
            cache_read_tokens=as_int(usage.get("cache_read_input_tokens")) or 0,
            cache_write_tokens=as_int(usage.get("cache_creation_input_tokens")) or 0,
        ),
    )


def upstream_error_message(body: object) -> str | None:
    """The message of an Anthropic error body (for ``errors.from_upstream_status``), if it is one."""
    if isinstance(body, dict):
        err = body.get("error")
        message = err.get("message") if isinstance(err, dict) else None
        if isinstance(message, str):
            return message
        if isinstance(err, str):
            return err
    return None
