"""Anthropic Messages emulator (api.anthropic.com, Azure AI Foundry ``/anthropic/v1/messages``, Z.AI, …).

Wire format: reference protocols.md §3.1-3.6. Validation mirrors the real API's 400s, with its exact
wording for the errors translation bugs usually cause (orphan tool_use/tool_result, empty text blocks,
thinking signatures).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from .base import Emulator, RecordedRequest, Reply, approx_tokens, compact, split_fragments, split_words

__all__ = ["AnthropicEmulator"]

SIGNATURE_PREFIX = "sig-emulated-"
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # SDK 2.x sends newer dates than 2023-06-01
_TOOL_USE_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
BLOCK_TYPES = (
    "text",
    "image",
    "document",
    "search_result",
    "tool_use",
    "tool_result",
    "thinking",
    "redacted_thinking",
    "server_tool_use",
    "web_search_tool_result",
)
MESSAGE_PARAMS = frozenset(
    {
        "model",
        "messages",
        "max_tokens",
        "system",
        "metadata",
        "stop_sequences",
        "stream",
        "temperature",
        "top_p",
        "top_k",
        "tools",
        "tool_choice",
        "thinking",
        "service_tier",
        "container",
        "context_management",
        "mcp_servers",
        "output_config",
        "output_format",
        "cache_control",
        "inference_geo",
        "diagnostics",
        "speed",
        "user_profile_id",
        "workspace_id",
    }
)
COUNT_PARAMS = frozenset(
    {
        "model",
        "messages",
        "system",
        "tools",
        "tool_choice",
        "thinking",
        "context_management",
        "mcp_servers",
        "output_config",
        "output_format",
        "cache_control",
    }
)
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
DEFAULT_MESSAGES = {
    400: "Invalid request.",
    401: "invalid x-api-key",
    403: "Your API key does not have permission to use the specified resource.",
    404: "The requested resource could not be found.",
    413: "Request exceeds the maximum allowed number of bytes.",
    429: "Number of request tokens has exceeded your per-minute rate limit. Please try again later.",
    500: "Internal server error",
    504: "Request timed out",
    529: "Overloaded",
}
_THINKING_FIRST = (
    "Expected `thinking` or `redacted_thinking`, but found `{found}`. When `thinking` is enabled, a final "
    "`assistant` message must start with a thinking block (preceeding the lastmost set of `tool_use` and "
    "`tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this "
    "requirement, disable `thinking`. Please consult our documentation at "
    "https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
)


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _error_body(error_type: str, message: str) -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": f"req_{uuid.uuid4().hex[:24]}",
    }


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {compact(data)}\n\n".encode()


_PING = b'event: ping\ndata: {"type": "ping"}\n\n'


class AnthropicEmulator(Emulator):
    """Speaks ``POST …/v1/messages``, ``POST …/v1/messages/count_tokens`` and ``GET …/v1/models``.

    Any path prefix is accepted (``/anthropic/v1/messages`` for Azure AI Foundry), and so is ``?beta=true``.

    Args:
        name: Used in the default echo reply.
        expected_key: Required key, as ``x-api-key: <key>`` or ``Authorization: Bearer <key>``.
        models: When set, other models get 404 ``not_found_error``.
    """

    default_models = ("claude-sonnet-4-6", "claude-opus-4-7", "claude-haiku-4-5-20251001")

    def __init__(
        self, name: str = "anthropic", expected_key: str | None = None, *, models: Sequence[str] | None = None
    ) -> None:
        super().__init__(name, expected_key, models=models)
        self._signatures: dict[str, str] = {}

    # ------------------------------------------------------------------ helpers
    def _error(
        self, status: int, error_type: str, message: str, headers: dict[str, str] | None = None
    ) -> web.Response:
        body = _error_body(error_type, message)
        return web.json_response(
            body, status=status, headers={"request-id": body["request_id"], **(headers or {})}
        )

    def _invalid(self, message: str) -> web.Response:
        return self._error(400, "invalid_request_error", message)

    def _check_headers(self, request: web.Request) -> web.Response | None:
        key = self.expected_key
        if key is not None:
            given = request.headers.get("x-api-key")
            auth = request.headers.get("Authorization", "")
            if given != key and auth != f"Bearer {key}":
                if given is None and not auth:
                    return self._error(401, "authentication_error", "x-api-key header is required")
                return self._error(401, "authentication_error", "invalid x-api-key")
        version = request.headers.get("anthropic-version")
        if version is None:
            return self._invalid("anthropic-version: header is required")
        if not _VERSION.match(version):
            return self._invalid(f'anthropic-version: "{version}" is not a valid version')
        return None

    def _scripted_error(self, reply: Reply, input_tokens: int) -> web.Response:
        status = reply.status
        error_type = reply.error_type or ERROR_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        message = reply.error_message
        if message is None and reply.context_window is not None:
            tokens = reply.input_tokens or max(input_tokens, reply.context_window + 1)
            message = f"prompt is too long: {tokens} tokens > {reply.context_window} maximum"
        if message is None:
            message = DEFAULT_MESSAGES.get(status, f"Upstream error {status}")
        return self._error(status, error_type, message, self._reply_headers(reply))

    def new_signature(self, thinking: str) -> str:
        """Mint a signature this emulator will accept back for exactly this thinking text."""
        sig = f"{SIGNATURE_PREFIX}{self._next_id()}"
        self._signatures[sig] = thinking
        return sig

    # ------------------------------------------------------------------ dispatch
    async def dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        path = request.path
        if request.method == "POST" and path.endswith("/v1/messages"):
            rec.endpoint = "chat"
            return await self._messages(request, rec)
        if request.method == "POST" and path.endswith("/v1/messages/count_tokens"):
            rec.endpoint = "count_tokens"
            return self._count_tokens(request, rec)
        if request.method == "GET" and path.endswith("/v1/models"):
            rec.endpoint = "models"
            denied = self._check_headers(request)
            if denied is not None:
                return denied
            models = self.models if self.models is not None else list(self.default_models)
            data = [
                {"type": "model", "id": m, "display_name": m, "created_at": "2025-09-29T00:00:00Z"}
                for m in models
            ]
            return web.json_response(
                {
                    "data": data,
                    "has_more": False,
                    "first_id": models[0] if models else None,
                    "last_id": models[-1] if models else None,
                }
            )
        return self._error(404, "not_found_error", "Not Found")

    def _count_tokens(self, request: web.Request, rec: RecordedRequest) -> web.Response:
        denied = self._check_headers(request)
        if denied is not None:
            return denied
        body = rec.body
        if not isinstance(body, dict):
            return self._invalid("There was an error parsing the body of your request: invalid JSON")
        try:
            self._validate(body, count_tokens=True)
        except _Invalid as exc:
            return self._invalid(exc.message)
        return web.json_response(
            {"input_tokens": approx_tokens(body.get("messages"), body.get("system"), body.get("tools"))}
        )

    async def _messages(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        denied = self._check_headers(request)
        if denied is not None:
            return denied
        body = rec.body
        if not isinstance(body, dict):
            return self._invalid("There was an error parsing the body of your request: invalid JSON")
        try:
            self._validate(body, count_tokens=False)
        except _Invalid as exc:
            return self._invalid(exc.message)
        model = body["model"]
        if self.models is not None and model not in self.models:
            return self._error(404, "not_found_error", f"model: {model}")

        reply = self._next_reply() or Reply()
        stream = body.get("stream") is True
        input_tokens = reply.input_tokens or approx_tokens(
            body["messages"], body.get("system"), body.get("tools")
        )
        early = await self._prelude(request, reply, stream)
        if early is not None:
            return early
        if reply.is_error:
            return self._scripted_error(reply, input_tokens)

        text = reply.text
        if text is None and not reply.tool_calls:
            text = self.default_text(_last_user_text(body["messages"]))
        blocks: list[dict[str, Any]] = []
        if reply.thinking is not None:
            blocks.append(
                {
                    "type": "thinking",
                    "thinking": reply.thinking,
                    "signature": self.new_signature(reply.thinking),
                }
            )
        if text:
            blocks.append({"type": "text", "text": text})
        for call in reply.tool_calls:
            call_id = call.id or f"toolu_01{uuid.uuid4().hex[:22]}"
            blocks.append({"type": "tool_use", "id": call_id, "name": call.name, "input": call.arguments})
        output_tokens = reply.output_tokens or approx_tokens(
            reply.thinking, text, *[json.dumps(c.arguments) for c in reply.tool_calls]
        )
        stop_reason = reply.finish or ("tool_use" if reply.tool_calls else "end_turn")
        message_id = f"msg_01{uuid.uuid4().hex[:22]}"
        headers = {"request-id": f"req_{uuid.uuid4().hex[:24]}", **self._reply_headers(reply)}

        if not stream:
            result: dict[str, Any] = {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": blocks,
                "stop_reason": stop_reason,
                "stop_sequence": None,
            }
            if reply.usage:
                result["usage"] = {
                    "input_tokens": input_tokens,
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
                    "output_tokens": output_tokens,
                    "service_tier": "standard",
                }
            return web.json_response(result, headers=headers)

        events: list[bytes] = []
        start_message: dict[str, Any] = {
            "id": message_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
        }
        if reply.usage:
            start_message["usage"] = {
                "input_tokens": input_tokens,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
                "output_tokens": 1,
                "service_tier": "standard",
            }
        events.append(_event("message_start", {"type": "message_start", "message": start_message}))
        for index, block in enumerate(blocks):
            kind = block["type"]
            if kind == "thinking":
                opening: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": ""}
            elif kind == "text":
                opening = {"type": "text", "text": ""}
            else:
                opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            events.append(
                _event(
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": opening},
                )
            )
            if index == 0:
                events.append(_PING)
            deltas: list[dict[str, Any]]
            if kind == "thinking":
                deltas = [
                    {"type": "thinking_delta", "thinking": frag} for frag in split_words(block["thinking"])
                ]
                deltas.append({"type": "signature_delta", "signature": block["signature"]})
            elif kind == "text":
                deltas = [{"type": "text_delta", "text": frag} for frag in split_words(block["text"])]
            else:
                fragments = ["", *split_fragments(json.dumps(block["input"]))]
                deltas = [{"type": "input_json_delta", "partial_json": frag} for frag in fragments]
            for delta in deltas:
                events.append(
                    _event(
                        "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
                    )
                )
            events.append(_event("content_block_stop", {"type": "content_block_stop", "index": index}))
        message_delta: dict[str, Any] = {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        }
        if reply.usage:
            message_delta["usage"] = {"output_tokens": output_tokens}
        events.append(_event("message_delta", message_delta))
        events.append(_event("message_stop", {"type": "message_stop"}))
        stream_error_type = reply.error_type or "overloaded_error"
        return await self._send_stream(
            request,
            reply,
            events,
            content_type="text/event-stream; charset=utf-8",
            error_chunk=lambda msg: _event(
                "error", {"type": "error", "error": {"type": stream_error_type, "message": msg}}
            ),
            headers=headers,
        )

    # ------------------------------------------------------------------ validation
    def _validate(self, body: dict[str, Any], *, count_tokens: bool) -> None:
        allowed = COUNT_PARAMS if count_tokens else MESSAGE_PARAMS
        for key in body:
            if key not in allowed:
                raise _Invalid(f"{key}: Extra inputs are not permitted")
        required = ("model", "messages") if count_tokens else ("model", "max_tokens", "messages")
        for key in required:
            if key not in body:
                raise _Invalid(f"{key}: Field required")
        if not isinstance(body["model"], str) or not body["model"]:
            raise _Invalid("model: Input should be a valid string")
        if not count_tokens:
            max_tokens = body["max_tokens"]
            if not isinstance(max_tokens, int) or isinstance(max_tokens, bool):
                raise _Invalid("max_tokens: Input should be a valid integer")
            if max_tokens < 1:
                raise _Invalid("max_tokens: Input should be greater than or equal to 1")
        self._validate_system(body.get("system"))
        self._validate_messages(body["messages"])
        tool_names = self._validate_tools(body.get("tools"))
        self._validate_tool_choice(body.get("tool_choice"), tool_names)
        self._validate_sampling(body)
        thinking_enabled = self._validate_thinking(body)
        if thinking_enabled:
            self._validate_thinking_turn(body["messages"])

    def _validate_system(self, system: Any) -> None:
        if system is None or isinstance(system, str):
            return
        if not isinstance(system, list):
            raise _Invalid("system: Input should be a valid string")
        for k, block in enumerate(system):
            if not isinstance(block, dict) or block.get("type") != "text":
                raise _Invalid(f"system.{k}.type: Input should be 'text'")
            if not isinstance(block.get("text"), str):
                raise _Invalid(f"system.{k}.text: Field required")
            if not block["text"]:
                raise _Invalid("system: text content blocks must be non-empty")

    def _validate_messages(self, messages: Any) -> None:
        if not isinstance(messages, list):
            raise _Invalid("messages: Input should be a valid list")
        if not messages:
            raise _Invalid("messages: at least one message is required")
        for i, msg in enumerate(messages):
            if not isinstance(msg, dict):
                raise _Invalid(f"messages.{i}: Input should be a valid dictionary")
            for key in msg:
                if key not in ("role", "content"):
                    raise _Invalid(f"messages.{i}.{key}: Extra inputs are not permitted")
            if "role" not in msg:
                raise _Invalid(f"messages.{i}.role: Field required")
            if msg["role"] not in ("user", "assistant"):
                raise _Invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
            if "content" not in msg:
                raise _Invalid(f"messages.{i}.content: Field required")
            content = msg["content"]
            is_final_assistant = i == len(messages) - 1 and msg["role"] == "assistant"
            if isinstance(content, str):
                if not content and not is_final_assistant:
                    raise _Invalid(
                        f"messages.{i}: all messages must have non-empty content except for the optional "
                        "final "
                        "assistant message"
                    )
                continue
            if not isinstance(content, list):
                raise _Invalid(f"messages.{i}.content: Input should be a valid list")
            if not content and not is_final_assistant:
                raise _Invalid(
                    f"messages.{i}: all messages must have non-empty content except for the optional final "
                    "assistant message"
                )
            for j, block in enumerate(content):
                self._validate_block(i, j, msg["role"], block)
        if messages[0]["role"] != "user":
            raise _Invalid('messages: first message must use the "user" role')
        self._validate_tool_pairs(messages)

    def _validate_text(self, where: str, block: dict[str, Any]) -> None:
        text = block.get("text")
        if not isinstance(text, str):
            raise _Invalid(f"{where}.text.text: Field required")
        if not text:
            raise _Invalid("messages: text content blocks must be non-empty")
        if not text.strip():
            raise _Invalid("messages: text content blocks must contain non-whitespace text")

    def _validate_image(self, where: str, block: dict[str, Any]) -> None:
        source = block.get("source")
        if not isinstance(source, dict):
            raise _Invalid(f"{where}.image.source: Field required")
        kind = source.get("type")
        if kind == "base64":
            if source.get("media_type") not in MEDIA_TYPES:
                raise _Invalid(
                    f"{where}.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', "
                    "'image/gif' or 'image/webp'"
                )
            data = source.get("data")
            if not isinstance(data, str) or not data:
                raise _Invalid(f"{where}.image.source.base64.data: Field required")
            try:
                base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _Invalid(f"{where}.image.source.base64.data: Invalid base64 data") from exc
        elif kind == "url":
            url = source.get("url")
            if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
                raise _Invalid(f"{where}.image.source.url.url: Input should be a valid URL")
        elif kind == "file":
            if not isinstance(source.get("file_id"), str):
                raise _Invalid(f"{where}.image.source.file.file_id: Field required")
        else:
            raise _Invalid(
                f"{where}.image.source: Input tag '{kind}' found using 'type' does not match any of the "
                "expected "
                "tags: 'base64', 'file', 'url'"
            )

    def _validate_block(self, i: int, j: int, role: str, block: Any) -> None:
        where = f"messages.{i}.content.{j}"
        if not isinstance(block, dict):
            raise _Invalid(f"{where}: Input should be a valid dictionary")
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            expected = ", ".join(f"'{t}'" for t in sorted(BLOCK_TYPES))
            raise _Invalid(
                f"{where}: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
                f"{expected}"
            )
        if kind == "text":
            self._validate_text(where, block)
        elif kind == "image":
            self._validate_image(where, block)
        elif kind == "tool_use":
            for key in ("id", "name", "input"):
                if key not in block:
                    raise _Invalid(f"{where}.tool_use.{key}: Field required")
            if not isinstance(block["id"], str) or not _TOOL_USE_ID.match(block["id"]):
                raise _Invalid(f"{where}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'")
            if not isinstance(block["name"], str) or not block["name"]:
                raise _Invalid(f"{where}.tool_use.name: Input should be a valid string")
            if not isinstance(block["input"], dict):
                raise _Invalid(f"{where}.tool_use.input: Input should be a valid dictionary")
        elif kind == "tool_result":
            tool_use_id = block.get("tool_use_id")
            if not isinstance(tool_use_id, str):
                raise _Invalid(f"{where}.tool_result.tool_use_id: Field required")
            if not _TOOL_USE_ID.match(tool_use_id):
                raise _Invalid(
                    f"{where}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'"
                )
            content = block.get("content")
            if isinstance(content, list):
                for k, inner in enumerate(content):
                    inner_where = f"{where}.tool_result.content.{k}"
                    if not isinstance(inner, dict) or inner.get("type") not in (
                        "text",
                        "image",
                        "search_result",
                        "document",
                    ):
                        kind_found = inner.get("type") if isinstance(inner, dict) else None
                        raise _Invalid(
                            f"{inner_where}: Input tag '{kind_found}' found using 'type' does not match any "
                            "of the "
                            "expected tags: 'document', 'image', 'search_result', 'text'"
                        )
                    if inner["type"] == "text":
                        self._validate_text(inner_where, inner)
                    elif inner["type"] == "image":
                        self._validate_image(inner_where, inner)
            elif content is not None and not isinstance(content, str):
                raise _Invalid(f"{where}.tool_result.content: Input should be a valid list")
            if "is_error" in block and not isinstance(block["is_error"], bool):
                raise _Invalid(f"{where}.tool_result.is_error: Input should be a valid boolean")
        elif kind == "thinking":
            if not isinstance(block.get("thinking"), str):
                raise _Invalid(f"{where}.thinking.thinking: Field required")
            signature = block.get("signature")
            known = self._signatures.get(signature) if isinstance(signature, str) else None
            if (
                not isinstance(signature, str)
                or not signature.startswith(SIGNATURE_PREFIX)
                or (known is not None and known != block["thinking"])
            ):
                raise _Invalid(f"{where}: Invalid `signature` in `thinking` block")
        elif kind == "redacted_thinking" and (not isinstance(block.get("data"), str) or not block["data"]):
            raise _Invalid(f"{where}.redacted_thinking.data: Field required")

    def _validate_tool_pairs(self, messages: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for i, msg in enumerate(messages):
            content = msg["content"]
            blocks = content if isinstance(content, list) else []
            if msg["role"] == "assistant":
                ids = []
                for j, block in enumerate(blocks):
                    if block.get("type") != "tool_use":
                        continue
                    if block["id"] in seen:
                        raise _Invalid(f"messages.{i}.content.{j}: `tool_use` ids must be unique")
                    seen.add(block["id"])
                    ids.append(block["id"])
                if not ids:
                    continue
                following = messages[i + 1] if i + 1 < len(messages) else None
                answered: set[str] = set()
                if (
                    following is not None
                    and following["role"] == "user"
                    and isinstance(following["content"], list)
                ):
                    for block in following["content"]:
                        if block.get("type") != "tool_result":
                            break  # tool_result blocks must come first in the user message
                        answered.add(block["tool_use_id"])
                missing = [tid for tid in ids if tid not in answered]
                if missing:
                    raise _Invalid(
                        f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately "
                        "after: "
                        f"{', '.join(missing)}. Each `tool_use` block must have a corresponding "
                        "`tool_result` "
                        "block in the next message."
                    )
            else:
                previous = messages[i - 1] if i > 0 else None
                issued: set[str] = set()
                if (
                    previous is not None
                    and previous["role"] == "assistant"
                    and isinstance(previous["content"], list)
                ):
                    issued = {b["id"] for b in previous["content"] if b.get("type") == "tool_use"}
                for j, block in enumerate(blocks):
                    if block.get("type") == "tool_result" and block["tool_use_id"] not in issued:
                        raise _Invalid(
                            f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                            "blocks: "
                            f"{block['tool_use_id']}. Each `tool_result` block must have a corresponding "
                            "`tool_use` block in the previous message."
                        )

    def _validate_tools(self, tools: Any) -> list[str]:
        if tools is None:
            return []
        if not isinstance(tools, list):
            raise _Invalid("tools: Input should be a valid list")
        names: list[str] = []
        for k, tool in enumerate(tools):
            if not isinstance(tool, dict):
                raise _Invalid(f"tools.{k}: Input should be a valid dictionary")
            tool_type = tool.get("type")
            if tool_type not in (None, "custom"):
                if not isinstance(tool_type, str) or not re.match(r"^[a-z_]+_\d{8}$", tool_type):
                    raise _Invalid(
                        f"tools.{k}: Input tag '{tool_type}' found using 'type' does not match any of the "
                        "expected tags"
                    )
                names.append(str(tool.get("name", tool_type)))
                continue
            for key in tool:
                if key not in (
                    "name",
                    "description",
                    "input_schema",
                    "cache_control",
                    "type",
                    "strict",
                    "eager_input_streaming",
                    "input_examples",
                    "defer_loading",
                    "allowed_callers",
                ):
                    raise _Invalid(f"tools.{k}.custom.{key}: Extra inputs are not permitted")
            name = tool.get("name")
            if name is None:
                raise _Invalid(f"tools.{k}.custom.name: Field required")
            if not isinstance(name, str) or not _TOOL_NAME.match(name):
                raise _Invalid(
                    f"tools.{k}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
                )
            schema = tool.get("input_schema")
            if schema is None:
                raise _Invalid(f"tools.{k}.custom.input_schema: Field required")
            if not isinstance(schema, dict):
                raise _Invalid(f"tools.{k}.custom.input_schema: Input should be a valid dictionary")
            if schema.get("type") != "object":
                raise _Invalid(f"tools.{k}.custom.input_schema.type: Input should be 'object'")
            names.append(name)
        if len(set(names)) != len(names):
            raise _Invalid("tools: Tool names must be unique.")
        return names

    def _validate_tool_choice(self, choice: Any, tool_names: list[str]) -> None:
        if choice is None:
            return
        if not isinstance(choice, dict):
            raise _Invalid("tool_choice: Input should be a valid dictionary or object to extract fields from")
        kind = choice.get("type")
        if kind not in ("auto", "any", "tool", "none"):
            raise _Invalid(
                f"tool_choice: Input tag '{kind}' found using 'type' does not match any of the expected "
                "tags: "
                "'auto', 'any', 'tool', 'none'"
            )
        if kind == "tool" and not isinstance(choice.get("name"), str):
            raise _Invalid("tool_choice.tool.name: Field required")
        if kind != "none" and not tool_names:
            raise _Invalid("tool_choice may only be specified while providing tools.")

    def _validate_sampling(self, body: dict[str, Any]) -> None:
        temperature = body.get("temperature")
        if temperature is not None:
            if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
                raise _Invalid("temperature: Input should be a valid number")
            if temperature < 0:
                raise _Invalid("temperature: Input should be greater than or equal to 0")
            if temperature > 1:
                raise _Invalid("temperature: Input should be less than or equal to 1")
        stops = body.get("stop_sequences")
        if stops is not None and (not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)):
            raise _Invalid("stop_sequences: Input should be a valid list")
        metadata = body.get("metadata")
        if metadata is not None:
            if not isinstance(metadata, dict):
                raise _Invalid("metadata: Input should be a valid dictionary")
            for key in metadata:
                if key != "user_id":
                    raise _Invalid(f"metadata.{key}: Extra inputs are not permitted")
        if "stream" in body and not isinstance(body["stream"], bool):
            raise _Invalid("stream: Input should be a valid boolean")

    def _validate_thinking(self, body: dict[str, Any]) -> bool:
        thinking = body.get("thinking")
        if thinking is None:
            return False
        if not isinstance(thinking, dict):
            raise _Invalid("thinking: Input should be a valid dictionary or object to extract fields from")
        kind = thinking.get("type")
        if kind == "disabled":
            return False
        if kind == "adaptive":
            return False
        if kind != "enabled":
            raise _Invalid(
                f"thinking: Input tag '{kind}' found using 'type' does not match any of the expected tags: "
                "'adaptive', 'disabled', 'enabled'"
            )
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool):
            raise _Invalid("thinking.enabled.budget_tokens: Field required")
        if budget < 1024:
            raise _Invalid("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")
        max_tokens = body.get("max_tokens")
        if isinstance(max_tokens, int) and budget >= max_tokens:
            raise _Invalid(
                "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                "documentation at "
                "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size"
            )
        temperature = body.get("temperature")
        if temperature is not None and temperature != 1:
            raise _Invalid(
                "`temperature` may only be set to 1 when thinking is enabled. Please consult our "
                "documentation at "
                "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility"
            )
        if body.get("top_k") is not None:
            raise _Invalid(
                "`top_k` must be unset when thinking is enabled. Please consult our documentation at "
                "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility"
            )
        return True

    def _validate_thinking_turn(self, messages: list[dict[str, Any]]) -> None:
        """With thinking on, the assistant turn of an ongoing tool loop must start with a thinking block."""
        if len(messages) < 2:
            return
        last, previous = messages[-1], messages[-2]
        if last["role"] != "user" or not isinstance(last["content"], list):
            return
        if not any(b.get("type") == "tool_result" for b in last["content"]):
            return
        if previous["role"] != "assistant":
            return
        content = previous["content"]
        first = content[0].get("type") if isinstance(content, list) and content else "text"
        if first not in ("thinking", "redacted_thinking"):
            raise _Invalid(
                f"messages.{len(messages) - 2}.content.0.type: " + _THINKING_FIRST.format(found=first)
            )


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") != "user":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            return content
        texts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        if texts:
            return " ".join(texts)
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                inner = block.get("content")
                if isinstance(inner, str):
                    texts.append(inner)
                elif isinstance(inner, list):
                    texts.extend(b.get("text", "") for b in inner if isinstance(b, dict))
        return " ".join(texts)
    return ""
