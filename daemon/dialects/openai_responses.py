"""OpenAI Responses API wire format, client direction (``POST /v1/responses``, protocols.md §2).

``parse_request`` turns a Responses body into a canonical request (a
``ResponsesRequest``, which also keeps the client's items for the response
store), ``with_history`` prepends the items of a stored previous response,
``render_response`` builds the response object for a whole answer and
``render_error`` the error body. The SSE encoder lives in
``openai_responses_stream``. Pure and synchronous: the store's I/O lives in
``daemon.response_store``.

Rules for what has no canonical meaning:
- tools: see ``openai_responses_tools`` (function and custom tools kept,
  namespaces flattened, hosted tools dropped).
- ``reasoning.effort`` is forwarded as ``reasoning_effort`` exactly like the
  Chat Completions field (``high``/``xhigh`` also steer routing to the
  reasoning tier); reasoning items sent back keep their signature only when
  Lynkr minted them (``encrypted_content``), so a foreign one never reaches
  a provider that would reject it.
- ``instructions`` of a previous response are not carried over (OpenAI's rule).
- Unsupported features (``background``, ``conversation``, stored ``prompt``
  templates, ``input_file`` parts, ``item_reference``) are a 400 naming them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from daemon.canonical import (
    Block,
    ImageBlock,
    Message,
    Response,
    TextBlock,
    ThinkingBlock,
    ToolChoice,
    ToolResultBlock,
    ToolUseBlock,
)
from daemon.dialects.openai_chat_wire import is_int, json_kind
from daemon.dialects.openai_responses_stream import StreamEncoder
from daemon.dialects.openai_responses_tools import parse_tool_choice, parse_tools, qualified, required_name
from daemon.dialects.openai_responses_wire import (
    ResponsesRequest,
    decode_reasoning,
    new_response_id,
    output_items,
    previous_response_not_found,
    render_error,
    request_echo,
    response_object,
    status_for,
    wire_tool_name,
)
from daemon.errors import invalid
from daemon.streams import parse_tool_arguments

__all__ = [
    "ResponsesRequest",
    "StreamEncoder",
    "amend",
    "parse_request",
    "previous_response_not_found",
    "render_error",
    "render_response",
    "with_history",
]

ORIGIN = "openai-responses"
"""``ThinkingBlock.origin`` for reasoning a client sent without a Lynkr payload."""

_UNSUPPORTED_KEYS = {
    "background": "background responses are not supported; omit 'background' or set it to false",
    "conversation": "the Conversations API is not supported; use previous_response_id or send the items",
    "prompt": "stored prompt templates are not supported; send 'instructions' and 'input'",
}


# =========================================================================== input items -> canonical


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise invalid(path, f"must be a string, got {json_kind(value)}")
    return value


def _image(part: Mapping[str, Any], path: str) -> ImageBlock:
    if part.get("file_id") is not None and part.get("image_url") is None:
        raise invalid(
            f"{path}.file_id", "uploaded files are not supported; send image_url (http(s) or data URL)"
        )
    url = part.get("image_url")
    if isinstance(url, dict):  # Chat Completions' shape; harmless to accept
        url = url.get("url")
    if not isinstance(url, str) or not url:
        raise invalid(
            f"{path}.image_url", "is required: an http(s) URL or a data:<media type>;base64,<data> URL"
        )
    if url[:5].lower() == "data:":
        header, comma, data = url[5:].partition(",")
        media_type = header[: -len(";base64")] if header.lower().endswith(";base64") else ""
        if not comma or not media_type.lower().startswith("image/") or not data:
            raise invalid(f"{path}.image_url", "data URLs must look like data:image/<type>;base64,<data>")
        return ImageBlock(media_type=media_type, data=data)
    if url[:8].lower() == "https://" or url[:7].lower() == "http://":
        return ImageBlock(url=url)
    raise invalid(f"{path}.image_url", "must be an http(s) URL or a data:<media type>;base64,<data> URL")


_TEXT_PARTS = ("input_text", "output_text", "text", "refusal", "summary_text", "reasoning_text")


def _parts(content: object, path: str, images: bool) -> list[TextBlock | ImageBlock]:
    """Message content (string or parts) as blocks; empty text is dropped (Anthropic rejects it)."""
    if isinstance(content, str):
        return [TextBlock(content)] if content else []
    if content is None:
        return []
    if not isinstance(content, list):
        raise invalid(path, f"must be a string or an array of content parts, got {json_kind(content)}")
    blocks: list[TextBlock | ImageBlock] = []
    for j, part in enumerate(content):
        part_path = f"{path}[{j}]"
        if not isinstance(part, dict):
            raise invalid(part_path, f"must be a content part object, got {json_kind(part)}")
        kind = part.get("type")
        if kind in _TEXT_PARTS:
            text = _text(part.get("refusal" if kind == "refusal" else "text"), f"{part_path}.text")
            if text:
                blocks.append(TextBlock(text))
        elif kind == "input_image" and images:
            blocks.append(_image(part, part_path))
        elif kind == "input_file":
            raise invalid(f"{part_path}.type", "input_file parts are not supported; send the text instead")
        else:
            allowed = "input_text, output_text" + (", input_image" if images else "")
            raise invalid(
                f"{part_path}.type", f"content part type {kind!r} is not supported here; use {allowed}"
            )
    return blocks


def _append(messages: list[Message], role: str, blocks: list[Block]) -> None:
    """Add blocks as a turn, merging same-role neighbours; tool results lead a user turn."""
    if not blocks:
        return
    if messages and messages[-1].role == role:
        content = messages[-1].content
    else:
        content = []
        messages.append(Message(role, content))  # type: ignore[arg-type]
    results = [b for b in blocks if isinstance(b, ToolResultBlock)]
    at = 0
    while at < len(content) and isinstance(content[at], ToolResultBlock):
        at += 1
    content[at:at] = results
    content.extend(b for b in blocks if not isinstance(b, ToolResultBlock))


def _call_id(item: Mapping[str, Any], path: str) -> str:
    call_id = item.get("call_id")
    if not isinstance(call_id, str) or not call_id:
        raise invalid(f"{path}.call_id", "is required and must be a non-empty string")
    return call_id


def _reasoning(item: Mapping[str, Any], path: str) -> ThinkingBlock | None:
    texts: list[str] = []
    for key in ("content", "summary"):
        parts = item.get(key)
        if parts is None:
            continue
        if not isinstance(parts, list):
            raise invalid(f"{path}.{key}", f"must be an array, got {json_kind(parts)}")
        texts += [p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)]
        if texts:  # the raw reasoning when present, else its summary
            break
    decoded = decode_reasoning(item.get("encrypted_content"))
    thinking = "\n\n".join(t for t in texts if t)
    if decoded is None:
        return ThinkingBlock(thinking, origin=ORIGIN) if thinking else None
    origin, signature, redacted = decoded
    return ThinkingBlock(thinking, signature=signature, redacted=redacted, origin=origin)


def conversation(
    items: list[Any], where: str = "input", qualified: Mapping[tuple[str, str], str] | None = None
) -> tuple[list[TextBlock], list[Message]]:
    """Input items → (hoisted system/developer text, canonical messages).

    ``qualified`` maps (namespace, name) of a namespaced tool to its canonical tool name."""
    system: list[TextBlock] = []
    messages: list[Message] = []
    for i, item in enumerate(items):
        path = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise invalid(path, f"must be an input item object, got {json_kind(item)}")
        kind = item.get("type", "message" if "role" in item else None)
        if kind == "message":
            role = item.get("role")
            content_path = f"{path}.content"
            if role in ("system", "developer"):
                system += [
                    b for b in _parts(item.get("content"), content_path, False) if isinstance(b, TextBlock)
                ]
            elif role == "user":
                _append(messages, "user", list(_parts(item.get("content"), content_path, True)))
            elif role == "assistant":
                _append(messages, "assistant", list(_parts(item.get("content"), content_path, False)))
            else:
                raise invalid(f"{path}.role", f"must be user, assistant, system or developer, got {role!r}")
        elif kind in ("function_call", "custom_tool_call"):
            call_id, name = _call_id(item, path), required_name(item, path)
            namespace = item.get("namespace")
            if isinstance(namespace, str) and namespace:
                name = (qualified or {}).get((namespace, name), name)
            if kind == "custom_tool_call":
                arguments: dict[str, Any] = {"input": _text(item.get("input", ""), f"{path}.input")}
            else:
                raw = item.get("arguments", "")
                if isinstance(raw, dict):
                    arguments = dict(raw)
                else:
                    arguments = parse_tool_arguments(_text(raw, f"{path}.arguments"))
            _append(messages, "assistant", [ToolUseBlock(call_id, name, arguments)])
        elif kind in ("function_call_output", "custom_tool_call_output"):
            call_id = _call_id(item, path)
            output = item.get("output")
            if output is None:
                raise invalid(f"{path}.output", "is required: a string or an array of content parts")
            result = ToolResultBlock(call_id, _parts(output, f"{path}.output", True))
            _append(messages, "user", [result])
        elif kind == "reasoning":
            block = _reasoning(item, path)
            if block is not None:
                _append(messages, "assistant", [block])
        elif kind == "item_reference":
            raise invalid(f"{path}.type", "item_reference is not supported; send the item itself")
        else:
            shown = "missing" if kind is None else repr(kind)
            raise invalid(
                f"{path}.type",
                f"input item type {shown} is not supported; use message, function_call, "
                "function_call_output, custom_tool_call, custom_tool_call_output or reasoning",
            )
    return system, messages


# =========================================================================== settings


def _number(body: Mapping[str, Any], key: str, low: float, high: float) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise invalid(key, f"must be a number between {low:g} and {high:g}, got {value!r}")
    return float(value)


def _response_format(text: object) -> dict[str, Any] | None:
    if text is None:
        return None
    if not isinstance(text, dict):
        raise invalid("text", f"must be an object, got {json_kind(text)}")
    fmt = text.get("format")
    if fmt is None:
        return None
    if not isinstance(fmt, dict):
        raise invalid("text.format", f"must be an object, got {json_kind(fmt)}")
    kind = fmt.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind == "json_schema":
        schema = fmt.get("schema")
        if not isinstance(schema, dict):
            raise invalid(
                "text.format.schema", "is required when type is 'json_schema' and must be an object"
            )
        spec = {"name": fmt.get("name") or "response", "schema": schema}
        if isinstance(fmt.get("strict"), bool):
            spec["strict"] = fmt["strict"]
        return {"type": "json_schema", "json_schema": spec}
    raise invalid("text.format.type", f"must be 'text', 'json_object' or 'json_schema', got {kind!r}")


def _flag(body: Mapping[str, Any], key: str, default: bool) -> bool:
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(key, f"must be a boolean, got {json_kind(value)}")
    return value


def _metadata(raw: object) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise invalid("metadata", "must be an object of string values")
    return dict(raw)


def _reasoning_effort(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid("reasoning", f"must be an object, got {json_kind(raw)}")
    effort = raw.get("effort")
    if effort is not None and effort not in ("none", "minimal", "low", "medium", "high", "xhigh"):
        raise invalid(
            "reasoning.effort", f"must be none, minimal, low, medium, high or xhigh, got {effort!r}"
        )
    return effort


# =========================================================================== parse_request


def parse_request(body: object, headers: Mapping[str, str]) -> ResponsesRequest:
    """Validate a Responses body and translate it; every problem is a 400 naming the field."""
    del headers  # no Responses header changes the translation
    if not isinstance(body, dict):
        raise invalid("body", f"must be a JSON object, got {json_kind(body)}")
    for key, why in _UNSUPPORTED_KEYS.items():
        if body.get(key) not in (None, False):
            raise invalid(key, why)
    model = body.get("model")
    if not isinstance(model, str) or not model.strip():
        raise invalid("model", "is required and must be a non-empty string")
    raw_input = body.get("input")
    if isinstance(raw_input, str):
        items: list[Any] = [{"type": "message", "role": "user", "content": raw_input}]
    elif isinstance(raw_input, list):
        items = list(raw_input)
    else:
        raise invalid(
            "input", f"is required: a string or an array of input items, got {json_kind(raw_input)}"
        )
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise invalid("instructions", f"must be a string, got {json_kind(instructions)}")
    previous = body.get("previous_response_id")
    if previous is not None and (not isinstance(previous, str) or not previous):
        raise invalid("previous_response_id", "must be the id of an earlier response (resp_...)")
    toolset = parse_tools(body.get("tools"))
    system, messages = conversation(items, qualified=qualified(toolset.namespaced))
    if not messages and previous is None:
        raise invalid(
            "input", "must contain at least one user message, function call output or assistant item"
        )

    tools = toolset.tools
    tool_choice = parse_tool_choice(body.get("tool_choice"), tools)
    parallel = _flag(body, "parallel_tool_calls", True)
    if not parallel:
        tool_choice = tool_choice or ToolChoice("auto")
        tool_choice.disable_parallel = True
    max_tokens = body.get("max_output_tokens")
    if max_tokens is not None and (not is_int(max_tokens) or max_tokens < 1):
        raise invalid("max_output_tokens", f"must be a positive integer, got {max_tokens!r}")
    user = body.get("user")
    if user is not None and not isinstance(user, str):
        raise invalid("user", f"must be a string, got {json_kind(user)}")
    effort = _reasoning_effort(body.get("reasoning"))
    extra: dict[str, Any] = {"reasoning_effort": effort} if effort else {}
    text = body.get("text")
    response_format = _response_format(text)

    head = [TextBlock(instructions)] if instructions else []
    return ResponsesRequest(
        model=model,
        messages=messages,
        system=head + system,
        max_tokens=max_tokens,
        temperature=_number(body, "temperature", 0, 2),
        top_p=_number(body, "top_p", 0, 1),
        stream=_flag(body, "stream", False),
        tools=tools,
        tool_choice=tool_choice,
        response_format=response_format,
        user=user,
        extra=extra,
        response_id=new_response_id(),
        input_items=items,
        previous_response_id=previous,
        instructions=instructions,
        store=_flag(body, "store", True),
        metadata=_metadata(body.get("metadata")),
        custom_tools=frozenset(toolset.custom),
        tool_namespaces=toolset.namespaced,
        echo={
            "tools": toolset.echo,
            "tool_choice": body.get("tool_choice") or "auto",
            "parallel_tool_calls": parallel,
            "reasoning": {"effort": effort, "summary": None},
            "text": text if isinstance(text, dict) and text.get("format") else {"format": {"type": "text"}},
        },
    )


def with_history(request: ResponsesRequest, previous_items: list[Any]) -> ResponsesRequest:
    """The request continued from a stored response: its items come first.

    The current instructions stay the only instructions; developer/system
    messages of the history are hoisted as usual.
    """
    items = list(previous_items) + request.input_items
    system, messages = conversation(
        items, where="previous_response+input", qualified=qualified(request.tool_namespaces)
    )
    request.system = ([TextBlock(request.instructions)] if request.instructions else []) + system
    request.messages = messages
    request.input_items = items
    if not messages:
        raise invalid(
            "input", "must contain at least one user message, function call output or assistant item"
        )
    return request


# =========================================================================== whole responses


def render_response(response: Response, model: str) -> dict[str, Any]:
    """A response object for a whole answer. The id and the request's settings are filled in by
    ``amend`` (the pipeline's render step knows only the answer and the model name)."""
    status, incomplete = status_for(response.stop_reason)
    rid = response.id if response.id.startswith("resp_") else "resp_" + response.id.split("_", 1)[-1]
    return response_object(
        rid,
        model,
        status=status,
        output=output_items(response.content, frozenset()),
        usage=response.usage,
        incomplete=incomplete,
    )


def amend(body: dict[str, Any], request: ResponsesRequest) -> dict[str, Any]:
    """Put the request's id and settings on a rendered response; custom tool calls get their own type."""
    body.update(request_echo(request))
    for i, item in enumerate(body.get("output", [])):
        if item.get("type") == "function_call" and item.get("name") in request.custom_tools:
            raw = parse_tool_arguments(item.get("arguments", "")).get("input")
            body["output"][i] = {
                "id": "ctc_" + item["id"].split("_", 1)[-1],
                "type": "custom_tool_call",
                "status": item.get("status", "completed"),
                "call_id": item["call_id"],
                "name": item["name"],
                "input": raw if isinstance(raw, str) else item.get("arguments", ""),
            }
        wire_tool_name(body["output"][i], request)
    return body
