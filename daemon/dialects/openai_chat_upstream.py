"""OpenAI Chat Completions, upstream direction: Lynkr calling an OpenAI-compatible provider.

``build_request`` and ``parse_response`` (the stream decoder lives in
``openai_chat_stream``). Histories are repaired for strict upstreams: orphaned
tool results become user text and unanswered tool calls get a placeholder result.
"""

from __future__ import annotations

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
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.dialects.openai_chat_wire import (
    _dumps,
    is_int,
    json_kind,
    new_call_id,
    stop_reason_from,
    usage_from_openai,
    wire_call,
)
from daemon.errors import ErrorKind, LynkrError, from_upstream_status
from daemon.streams import parse_tool_arguments

# Sampling knobs with no canonical meaning: carried in Request.extra and forwarded to OpenAI-style upstreams.
EXTRA_KEYS = (
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "reasoning_effort",
    "service_tier",
)
EMPTY_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
_NO_RESULT = "[no result was recorded for this call]"


# =========================================================================== upstream side: build_request


def _effort_for(thinking: Mapping[str, Any]) -> str | None:
    """Anthropic-style thinking config → OpenAI reasoning_effort (budget <4k low, <16k medium, else high)."""
    if thinking.get("type") not in ("enabled", "adaptive"):
        return None
    budget = thinking.get("budget_tokens")
    if not is_int(budget):
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
    calls = [wire_call(b) for b in message.content if isinstance(b, ToolUseBlock)]
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
                    "parameters": tool.input_schema or dict(EMPTY_SCHEMA),
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
    for key in EXTRA_KEYS:
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
        transient=True,
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
        raise _malformed(provider, f"expected a JSON object, got {json_kind(body)}")
    error = body.get("error")
    if error and not body.get("choices"):
        message = error.get("message") if isinstance(error, dict) else error
        message = message if isinstance(message, str) and message else _dumps(error).decode()[:500]
        code = error.get("code") if isinstance(error, dict) else None
        if is_int(code) and 400 <= code <= 599:
            raise from_upstream_status(code, message, provider=provider)
        raise LynkrError(
            ErrorKind.UPSTREAM,
            f"provider {provider} returned an error: {message}",
            retryable=True,
            transient=True,
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
