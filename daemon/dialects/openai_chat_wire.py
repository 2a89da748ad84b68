"""OpenAI Chat Completions wire helpers that whole responses and both stream directions share:
finish reasons, usage, ids, the error envelope, JSON encoding and type names.

They live apart from ``openai_chat`` and ``openai_chat_stream`` so the dependency runs one way
(both import this module, never the reverse).
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from daemon.canonical import StopReason, ToolUseBlock, Usage
from daemon.errors import ErrorKind, LynkrError

_FINISH_REASONS: dict[StopReason, str] = {
    StopReason.END_TURN: "stop",
    StopReason.STOP_SEQUENCE: "stop",
    StopReason.PAUSE_TURN: "stop",
    StopReason.MAX_TOKENS: "length",
    StopReason.CONTEXT_WINDOW_EXCEEDED: "length",
    StopReason.TOOL_USE: "tool_calls",
    StopReason.REFUSAL: "content_filter",
}

_STOP_REASONS: dict[str, StopReason] = {
    "stop": StopReason.END_TURN,
    "length": StopReason.MAX_TOKENS,
    "tool_calls": StopReason.TOOL_USE,
    "function_call": StopReason.TOOL_USE,
    "content_filter": StopReason.REFUSAL,
}


def finish_reason_for(stop_reason: StopReason, has_tool_calls: bool) -> str:
    """The OpenAI ``finish_reason`` for a canonical stop reason (§4.3).

    Tool calls win over whatever the stop reason says, because clients only run
    tools when they see ``tool_calls``. A ``tool_use`` stop *without* calls maps to
    ``stop``: ``tool_calls`` with nothing to run sends agents into a confused loop.
    """
    if has_tool_calls:
        return "tool_calls"
    if stop_reason is StopReason.TOOL_USE:
        return "stop"
    return _FINISH_REASONS.get(stop_reason, "stop")


def stop_reason_from(finish_reason: object) -> StopReason:
    """Canonical stop reason for an upstream ``finish_reason``; unknown or missing ⇒ end_turn."""
    if isinstance(finish_reason, str):
        return _STOP_REASONS.get(finish_reason, StopReason.END_TURN)
    return StopReason.END_TURN


def usage_to_openai(usage: Usage) -> dict[str, Any]:
    """OpenAI ``usage``: prompt tokens include cache reads and writes (§4.4)."""
    prompt = usage.prompt_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": usage.output_tokens,
        "total_tokens": prompt + usage.output_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cache_read_tokens},
        "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
    }


def _count(value: object) -> int:
    # Providers send null, floats ("12.0" from some llama.cpp builds) or nothing at all.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(0, int(value))


def usage_from_openai(raw: object) -> Usage | None:
    """Canonical usage from an OpenAI-style ``usage`` object, or None if there is none.

    ``input_tokens`` excludes cached tokens (Anthropic's convention). Cache reads
    come from ``prompt_tokens_details.cached_tokens`` or DeepSeek's
    ``prompt_cache_hit_tokens``; OpenRouter reports Anthropic cache writes as
    ``prompt_tokens_details.cache_write_tokens`` inside ``prompt_tokens``.
    """
    if not isinstance(raw, dict):
        return None
    prompt = _count(raw.get("prompt_tokens"))
    completion = _count(raw.get("completion_tokens"))
    total = _count(raw.get("total_tokens"))
    if not completion and total > prompt:
        completion = total - prompt
    details = raw.get("prompt_tokens_details")
    cached = cache_write = 0
    if isinstance(details, dict):
        cached = _count(details.get("cached_tokens"))
        cache_write = _count(details.get("cache_write_tokens"))
    if not cached:
        cached = _count(raw.get("prompt_cache_hit_tokens"))
    reasoning = 0
    out_details = raw.get("completion_tokens_details")
    if isinstance(out_details, dict):
        reasoning = _count(out_details.get("reasoning_tokens"))
    cached = min(cached, prompt)
    cache_write = min(cache_write, prompt - cached)
    return Usage(
        input_tokens=prompt - cached - cache_write,
        output_tokens=completion,
        cache_read_tokens=cached,
        cache_write_tokens=cache_write,
        reasoning_tokens=reasoning,
    )


def completion_id(source_id: str) -> str:
    """A ``chatcmpl-`` id derived from a canonical id, so logs can be correlated."""
    if source_id.startswith("chatcmpl-"):
        return source_id
    for prefix in ("msg_", "resp_"):
        if source_id.startswith(prefix):
            source_id = source_id[len(prefix) :]
            break
    return "chatcmpl-" + (source_id or uuid.uuid4().hex)


def new_call_id() -> str:
    return "call_" + uuid.uuid4().hex[:24]


# kind → (default status, OpenAI error type, code)
_ERROR_SHAPES: dict[ErrorKind, tuple[int, str, str | None]] = {
    ErrorKind.INVALID_REQUEST: (400, "invalid_request_error", None),
    ErrorKind.CONTEXT_LENGTH: (400, "invalid_request_error", "context_length_exceeded"),
    ErrorKind.AUTHENTICATION: (401, "authentication_error", None),
    ErrorKind.PERMISSION: (403, "permission_error", None),
    ErrorKind.NOT_FOUND: (404, "not_found_error", None),
    ErrorKind.REQUEST_TOO_LARGE: (413, "invalid_request_error", "request_too_large"),
    ErrorKind.RATE_LIMIT: (429, "rate_limit_error", "rate_limit_exceeded"),
    # OpenAI clients have no idea what a 529 is; 503 is what they back off on.
    ErrorKind.OVERLOADED: (503, "service_unavailable_error", "overloaded"),
    ErrorKind.UPSTREAM: (502, "api_error", "upstream_error"),
    ErrorKind.TIMEOUT: (504, "timeout_error", "timeout"),
    ErrorKind.INTERNAL: (500, "server_error", None),
}

# LiteLLM matches "maximum context length", OpenHands "prompt is too long" and Codex the code
# to trigger history condensation (§1.4, §6.2): an overflow message carries both phrases.
_OVERFLOW_PHRASES = ("prompt is too long", "maximum context length")


def overflow_message(message: str) -> str:
    """``message`` with whichever of the two overflow phrases it lacks."""
    lowered = message.lower()
    if _OVERFLOW_PHRASES[0] not in lowered:
        message = f"prompt is too long: {message}"
    if _OVERFLOW_PHRASES[1] not in lowered:
        message = f"{message} (the request exceeds the model's maximum context length)"
    return message


def render_error(error: LynkrError) -> tuple[int, dict[str, Any]]:
    """HTTP status and ``{"error":{message,type,param,code}}`` for a LynkrError.

    ``error.status`` is kept when it is a real 4xx/5xx other than the kind's
    Anthropic-flavoured default (529 is never sent to OpenAI clients).
    """
    if not isinstance(error, LynkrError):  # StreamError.error is typed loosely
        error = LynkrError(ErrorKind.INTERNAL, str(error) or type(error).__name__)
    default_status, error_type, code = _ERROR_SHAPES.get(error.kind, (500, "server_error", None))
    status = error.status if 400 <= error.status <= 599 and error.status != 529 else default_status
    message = error.message
    if error.kind is ErrorKind.CONTEXT_LENGTH:
        message = overflow_message(message)
    return status, {"error": {"message": message, "type": error_type, "param": error.param, "code": code}}


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # ints beyond 64 bits, non-str keys: rare enough for the slow path
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def json_kind(value: object) -> str:
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


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def wire_call(call: ToolUseBlock) -> dict[str, Any]:
    # Compact JSON: the arguments string is what the model "wrote", so no padding.
    arguments = _dumps(call.input).decode()
    return {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": arguments}}
