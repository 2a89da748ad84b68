"""Anthropic Messages, upstream direction: Lynkr calling Anthropic, Azure AI Foundry Claude, z.ai, ...

``build_request``, ``upstream_headers``, ``parse_response``, ``upstream_error_message``
(the stream decoder lives in ``anthropic_stream``). This direction repairs what
other dialects and trimmed histories hand us, because Anthropic rejects with a
400 what most providers shrug off: empty text blocks, tool_use without a
tool_result right after it (and the reverse), foreign tool-call ids, unsigned or
foreign thinking blocks, a conversation that starts with the assistant. See
protocols.md §3 and §4.6.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from daemon.canonical import (
    Block,
    ImageBlock,
    Message,
    Request,
    Response,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.anthropic_stream import (
    ANTHROPIC_EXTRA_KEYS,
    DEFAULT_VERSION,
    ORIGIN,
    as_int,
    dumps,
    effective_stop_reason,
    error_from_upstream,
    json_kind,
    message_id,
    stop_reason,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import parse_tool_arguments

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


_CACHEABLE = frozenset(("text", "image", "tool_use", "tool_result"))
EPHEMERAL = {"type": "ephemeral"}


def add_cache_breakpoints(body: dict[str, Any], limit: int = 4) -> int:
    """Mark the stable prefix for Anthropic's prompt cache when the client marked nothing itself.

    In order, up to ``limit`` (Anthropic allows 4): the last system block, the last tool, the message
    before the latest user turn (what the next turn will read back) and the latest message (what the
    turn after that reads). Returns how many were placed; 0 when the client already set any.
    """
    system, tools, messages = body.get("system") or [], body.get("tools") or [], body.get("messages") or []
    blocks = [*system, *tools, *(b for m in messages for b in m.get("content") or [] if isinstance(b, dict))]
    if limit <= 0 or any("cache_control" in b for b in blocks):
        return 0
    targets: list[dict[str, Any]] = []
    if isinstance(system, list) and system:
        targets.append(system[-1])
    if tools:
        targets.append(tools[-1])
    for message in (messages[-2:-1] if len(messages) >= 2 else []) + messages[-1:]:
        content = message.get("content")
        cacheable = (
            [b for b in content if isinstance(b, dict) and b.get("type") in _CACHEABLE]
            if isinstance(content, list)
            else []
        )
        if cacheable:
            targets.append(cacheable[-1])
    for block in targets[:limit]:
        block["cache_control"] = dict(EPHEMERAL)
    return min(len(targets), limit)


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
        transient=True,
        provider=provider,
    )


def parse_response(body: object, provider: str) -> Response:
    """An upstream Anthropic /v1/messages JSON body → Response. Tolerant of missing fields."""
    if not isinstance(body, dict):
        raise _malformed(provider, f"expected a JSON object, got {json_kind(body)}")
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
        stop_reason=effective_stop_reason(content, stop_reason(body.get("stop_reason"))),
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
