"""OpenAI Responses API: the request subclass, output items, the response object and errors.

Shared by ``openai_responses`` (parse and whole responses) and
``openai_responses_stream`` (the SSE encoder), so both produce byte-for-byte
the same items; the dependency runs one way (those two import this module).
Pure and synchronous.

Canonical blocks map onto output items one to one: a text block is a
``message`` item with one ``output_text`` part, a tool call a ``function_call``
(or ``custom_tool_call`` for a freeform tool the client declared as
``custom``), a thinking block a ``reasoning`` item whose ``encrypted_content``
carries the signature and its origin, so it can round-trip to the provider
that minted it.
"""

from __future__ import annotations

import base64
import binascii
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from daemon.canonical import (
    Block,
    Request,
    Response,
    StopReason,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_chat_wire import overflow_message
from daemon.dialects.openai_chat_wire import render_error as render_chat_error
from daemon.errors import ErrorKind, LynkrError


@dataclass(slots=True)
class ResponsesRequest(Request):
    """A canonical request plus what the Responses API keeps beside the conversation.

    ``input_items`` are the client's items, normalised, for the response store;
    after ``previous_response_id`` is resolved they hold the whole conversation.
    ``sink`` is set by the response store before routing: the stream encoder
    calls it with the finished response object so a follow-up request can name it.
    """

    response_id: str = ""
    input_items: list[dict[str, Any]] = field(default_factory=list)
    previous_response_id: str | None = None
    instructions: str | None = None
    store: bool = True
    metadata: dict[str, str] = field(default_factory=dict)
    custom_tools: frozenset[str] = frozenset()
    tool_namespaces: dict[str, tuple[str, str]] = field(default_factory=dict)
    echo: dict[str, Any] = field(default_factory=dict)
    sink: Any = None


def new_response_id() -> str:
    return "resp_" + uuid.uuid4().hex


def item_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


# --------------------------------------------------------------------------- reasoning payloads

_REASONING_PREFIX = "lynkr1."


def encode_reasoning(block: ThinkingBlock) -> str | None:
    """The thinking block's signature (or redacted payload) and origin, opaque to the client."""
    if not block.signature and not block.redacted:
        return None
    payload = {"o": block.origin, "s": block.signature, "r": block.redacted}
    return _REASONING_PREFIX + base64.urlsafe_b64encode(orjson.dumps(payload)).decode()


def decode_reasoning(value: object) -> tuple[str | None, str | None, str | None] | None:
    """(origin, signature, redacted) from ``encode_reasoning``; None for anything else
    (OpenAI's own encrypted reasoning means nothing to any other provider)."""
    if not isinstance(value, str) or not value.startswith(_REASONING_PREFIX):
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(value[len(_REASONING_PREFIX) :]))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    parts = (payload.get("o"), payload.get("s"), payload.get("r"))
    return tuple(p if isinstance(p, str) and p else None for p in parts)  # type: ignore[return-value]


# --------------------------------------------------------------------------- output items


def output_text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def message_item(iid: str, text: str, status: str = "completed") -> dict[str, Any]:
    content = [output_text_part(text)] if status == "completed" else []
    return {"id": iid, "type": "message", "status": status, "role": "assistant", "content": content}


def call_item(
    iid: str, call: ToolUseBlock, arguments: str, custom: bool, status: str = "completed"
) -> dict[str, Any]:
    if custom:
        raw = call.input.get("input")
        text = raw if isinstance(raw, str) else (arguments if status == "completed" else "")
        return {"id": iid, "type": "custom_tool_call", "status": status, "call_id": call.id,
                "name": call.name, "input": text}  # fmt: skip
    return {"id": iid, "type": "function_call", "status": status, "call_id": call.id,
            "name": call.name, "arguments": arguments}  # fmt: skip


def wire_tool_name(item: dict[str, Any], request: ResponsesRequest) -> dict[str, Any]:
    """A call to a tool declared inside a ``namespace`` tool names it the client's way."""
    if item.get("type") in ("function_call", "custom_tool_call"):
        wire = request.tool_namespaces.get(item.get("name", ""))
        if wire is not None:
            item["namespace"], item["name"] = wire
    return item


def reasoning_item(iid: str, block: ThinkingBlock, status: str = "completed") -> dict[str, Any]:
    item: dict[str, Any] = {"id": iid, "type": "reasoning", "summary": []}
    if status == "completed":
        item["content"] = [{"type": "reasoning_text", "text": block.thinking}] if block.thinking else []
        encrypted = encode_reasoning(block)
        if encrypted is not None:
            item["encrypted_content"] = encrypted
    item["status"] = status
    return item


def compact_json(value: Any) -> str:
    return orjson.dumps(value).decode()


def output_items(blocks: list[Block], custom_tools: frozenset[str]) -> list[dict[str, Any]]:
    """The output items for a whole canonical answer (what ``output_item.done`` events carry)."""
    items: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, TextBlock):
            items.append(message_item(item_id("msg"), block.text))
        elif isinstance(block, ToolUseBlock):
            custom = block.name in custom_tools
            items.append(
                call_item(item_id("ctc" if custom else "fc"), block, compact_json(block.input), custom)
            )
        elif isinstance(block, ThinkingBlock):
            items.append(reasoning_item(item_id("rs"), block))
    return items


# --------------------------------------------------------------------------- the response object


def usage_to_responses(usage: Usage) -> dict[str, Any]:
    """Responses usage: input tokens include cache reads and writes, like Chat Completions (§4.4)."""
    prompt = usage.prompt_tokens
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": usage.cache_read_tokens},
        "output_tokens": usage.output_tokens,
        "output_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        "total_tokens": prompt + usage.output_tokens,
    }


def status_for(stop_reason: StopReason) -> tuple[str, dict[str, str] | None]:
    """(status, incomplete_details) for a canonical stop reason (§4.3)."""
    if stop_reason in (StopReason.MAX_TOKENS, StopReason.CONTEXT_WINDOW_EXCEEDED):
        return "incomplete", {"reason": "max_output_tokens"}
    if stop_reason is StopReason.REFUSAL:
        return "incomplete", {"reason": "content_filter"}
    return "completed", None


def response_object(
    rid: str,
    model: str,
    created_at: int | None = None,
    *,
    status: str = "in_progress",
    output: list[dict[str, Any]] | None = None,
    usage: Usage | None = None,
    incomplete: dict[str, str] | None = None,
    error: dict[str, Any] | None = None,
    request: ResponsesRequest | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": rid,
        "object": "response",
        "created_at": created_at if created_at is not None else int(time.time()),
        "status": status,
        "background": False,
        "error": error,
        "incomplete_details": incomplete,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": model,
        "output": output if output is not None else [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": None,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": None,
        "truncation": "disabled",
        "usage": usage_to_responses(usage) if usage is not None else None,
        "user": None,
        "metadata": {},
    }
    if request is not None:
        body.update(request_echo(request))
    return body


def request_echo(request: ResponsesRequest) -> dict[str, Any]:
    """The request's settings as the response object repeats them."""
    return {
        "id": request.response_id,
        "instructions": request.instructions,
        "max_output_tokens": request.max_tokens,
        "previous_response_id": request.previous_response_id,
        "store": request.store,
        "temperature": request.temperature,
        "top_p": request.top_p,
        "user": request.user,
        "metadata": dict(request.metadata),
        **request.echo,
    }


def finished_object(
    request: ResponsesRequest, response: Response, output: list[dict[str, Any]], created_at: int
) -> dict[str, Any]:
    status, incomplete = status_for(response.stop_reason)
    return response_object(
        request.response_id,
        request.model,
        created_at,
        status=status,
        output=output,
        usage=response.usage,
        incomplete=incomplete,
        request=request,
    )


# --------------------------------------------------------------------------- errors

# What a Responses client looks for in ``response.failed`` / error bodies (Codex: §2.4). Codex
# retries a failed stream unless the code says retrying cannot help: failures of the request itself
# (bad input, refused credentials, too large, unknown resource) use ``invalid_prompt``, the
# Responses API's code for a request it will not answer, never ``server_error``.
_STREAM_CODES: dict[ErrorKind, str] = {
    ErrorKind.CONTEXT_LENGTH: "context_length_exceeded",
    ErrorKind.RATE_LIMIT: "rate_limit_exceeded",
    ErrorKind.OVERLOADED: "server_is_overloaded",
    ErrorKind.TIMEOUT: "timeout",
    ErrorKind.UPSTREAM: "server_error",
    ErrorKind.INTERNAL: "server_error",
    ErrorKind.INVALID_REQUEST: "invalid_prompt",
    ErrorKind.AUTHENTICATION: "invalid_prompt",
    ErrorKind.PERMISSION: "invalid_prompt",
    ErrorKind.NOT_FOUND: "invalid_prompt",
    ErrorKind.REQUEST_TOO_LARGE: "invalid_prompt",
}


def render_error(error: LynkrError) -> tuple[int, dict[str, Any]]:
    """HTTP status and ``{"error":{message,type,param,code}}``, OpenAI's shape."""
    if not isinstance(error, LynkrError):
        error = LynkrError(ErrorKind.INTERNAL, str(error) or type(error).__name__)
    status, body = render_chat_error(error)
    if error.kind is ErrorKind.NOT_FOUND and error.param == "previous_response_id":
        body["error"].update(type="invalid_request_error", code="previous_response_not_found")
    return status, body


def previous_response_not_found(rid: str) -> LynkrError:
    return LynkrError(
        ErrorKind.NOT_FOUND,
        f"Previous response with id {rid!r} not found. Lynkr keeps responses created with "
        "store=true (the default) for 30 days.",
        status=400,
        param="previous_response_id",
    )


def stream_error(error: object) -> dict[str, str]:
    """``response.error`` for ``response.failed``: a code a client can act on and the message."""
    if not isinstance(error, LynkrError):
        error = LynkrError(ErrorKind.INTERNAL, str(error) or type(error).__name__)
    message = error.message
    if error.kind is ErrorKind.CONTEXT_LENGTH:
        message = overflow_message(message)
    elif error.kind is ErrorKind.RATE_LIMIT and error.retry_after is not None:
        # Codex reads its retry delay from this phrase (§2.4).
        message = f"{message} Please try again in {max(0.0, error.retry_after):g}s."
    return {"code": _STREAM_CODES.get(error.kind, "server_error"), "message": message}
