"""Ollama native API emulator (``POST /api/chat`` NDJSON, ``GET /api/tags``, ``GET /api/version``).

Wire format: reference protocols.md §5.1. ``stream`` defaults to true; tool calls arrive whole in one chunk
with object arguments and (unless the scripted ToolCall has one) no id; errors are ``{"error": "…"}``.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .base import Emulator, RecordedRequest, Reply, approx_tokens, compact, split_words

__all__ = ["OllamaEmulator"]

ROLES = ("system", "user", "assistant", "tool")


class _Invalid(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class OllamaEmulator(Emulator):
    """Speaks Ollama's native chat API.

    Args:
        name: Used in the default echo reply.
        expected_key: Ollama has no auth; when set, ``Authorization: Bearer <key>`` is required (Ollama
            behind an authenticating proxy / ollama.com), else 401 ``{"error": "unauthorized"}``.
        models: When set, other models get 404 ``model "x" not found, try pulling it first``; also what
            ``/api/tags`` lists.
        version: What ``GET /api/version`` reports.
    """

    default_models = ("qwen2.5-coder:7b", "llama3.1:8b", "nomic-embed-text:latest")

    def __init__(
        self,
        name: str = "ollama",
        expected_key: str | None = None,
        *,
        models: Sequence[str] | None = None,
        version: str = "0.12.6",
    ) -> None:
        super().__init__(name, expected_key, models=models)
        self.version = version

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response({"error": message}, status=status, headers=headers)

    async def dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        method = request.method
        if (
            self.expected_key is not None
            and request.headers.get("Authorization") != f"Bearer {self.expected_key}"
        ):
            return self._error(401, "unauthorized")
        if method == "POST" and path == "/api/chat":
            rec.endpoint = "chat"
            return await self._chat(request, rec)
        if method in ("GET", "HEAD") and path == "/":
            rec.endpoint = "root"
            return web.Response(text="Ollama is running")
        if method == "GET" and path == "/api/version":
            rec.endpoint = "version"
            return web.json_response({"version": self.version})
        if method == "GET" and path == "/api/tags":
            rec.endpoint = "models"
            models = self.models if self.models is not None else list(self.default_models)
            return web.json_response({"models": [self._model_entry(m) for m in models]})
        if method == "POST" and path == "/api/show":
            rec.endpoint = "show"
            body = rec.json
            model = body.get("model") or body.get("name")
            if not model:
                return self._error(400, "model is required")
            if self.models is not None and model not in self.models:
                return self._error(404, f"model '{model}' not found")
            return web.json_response(
                {
                    "modelfile": f"FROM {model}",
                    "parameters": "",
                    "template": "{{ .Prompt }}",
                    "details": self._model_entry(model)["details"],
                    "model_info": {"general.architecture": "qwen2", "qwen2.context_length": 32768},
                    "capabilities": ["completion", "tools"],
                }
            )
        return web.Response(status=404, text="404 page not found", content_type="text/plain")

    def _model_entry(self, model: str) -> dict[str, Any]:
        return {
            "name": model,
            "model": model,
            "modified_at": "2025-09-01T12:00:00.000000000Z",
            "size": 4683087332,
            "digest": "sha256:" + "0" * 64,
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": "qwen2",
                "families": ["qwen2"],
                "parameter_size": "7.6B",
                "quantization_level": "Q4_K_M",
            },
        }

    def _validate(self, body: dict[str, Any]) -> None:
        model = body.get("model")
        if not model:
            raise _Invalid("model is required")
        if not isinstance(model, str):
            raise _Invalid(
                f"json: cannot unmarshal {_go_type(model)} into Go struct field ChatRequest.model of type "
                "string"
            )
        if self.models is not None and model not in self.models:
            raise _Invalid(f'model "{model}" not found, try pulling it first', 404)
        messages = body.get("messages")
        if messages is None:
            raise _Invalid("messages is required")
        if not isinstance(messages, list):
            raise _Invalid(
                f"json: cannot unmarshal {_go_type(messages)} into Go struct field ChatRequest.messages of "
                "type "
                "[]api.Message"
            )
        for i, msg in enumerate(messages):
            if not isinstance(msg, dict):
                raise _Invalid(
                    f"json: cannot unmarshal {_go_type(msg)} into Go struct field ChatRequest.messages of "
                    "type "
                    "api.Message"
                )
            role = msg.get("role")
            if role not in ROLES:
                raise _Invalid(f"messages[{i}]: invalid role {role!r}")
            content = msg.get("content", "")
            if not isinstance(content, str):
                raise _Invalid(
                    f"json: cannot unmarshal {_go_type(content)} into Go struct field "
                    "Message.messages.content of "
                    "type string"
                )
            images = msg.get("images")
            if images is not None:
                if not isinstance(images, list):
                    raise _Invalid(
                        f"json: cannot unmarshal {_go_type(images)} into Go struct field "
                        "Message.messages.images "
                        "of type []api.ImageData"
                    )
                for image in images:
                    if not isinstance(image, str):
                        raise _Invalid(
                            f"json: cannot unmarshal {_go_type(image)} into Go struct field "
                            "Message.messages.images of type api.ImageData"
                        )
                    try:
                        base64.b64decode(image, validate=True)
                    except (binascii.Error, ValueError) as exc:
                        offset = next((k for k, ch in enumerate(image) if ch in ":;,"), 0)
                        raise _Invalid(f"illegal base64 data at input byte {offset}") from exc
            tool_calls = msg.get("tool_calls")
            if tool_calls is not None:
                if not isinstance(tool_calls, list):
                    raise _Invalid(
                        f"json: cannot unmarshal {_go_type(tool_calls)} into Go struct field "
                        "Message.messages.tool_calls of type []api.ToolCall"
                    )
                for call in tool_calls:
                    function = call.get("function") if isinstance(call, dict) else None
                    if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                        raise _Invalid("tool call is missing function.name")
                    arguments = function.get("arguments", {})
                    if not isinstance(arguments, dict):
                        raise _Invalid(
                            f"json: cannot unmarshal {_go_type(arguments)} into Go struct field "
                            "ToolCallFunction.messages.tool_calls.function.arguments of type "
                            "api.ToolCallFunctionArguments"
                        )
            for key in ("thinking", "tool_name", "tool_call_id"):
                if key in msg and not isinstance(msg[key], str):
                    raise _Invalid(
                        f"json: cannot unmarshal {_go_type(msg[key])} into Go struct field "
                        f"Message.messages.{key} of type string"
                    )
        tools = body.get("tools")
        if tools is not None:
            if not isinstance(tools, list):
                raise _Invalid(
                    f"json: cannot unmarshal {_go_type(tools)} into Go struct field ChatRequest.tools of "
                    "type "
                    "api.Tools"
                )
            for tool in tools:
                function = tool.get("function") if isinstance(tool, dict) else None
                if not isinstance(function, dict) or not isinstance(function.get("name"), str):
                    raise _Invalid("invalid tool definition: function.name is required")
                if "parameters" in function and not isinstance(function["parameters"], dict):
                    raise _Invalid(
                        f"json: cannot unmarshal {_go_type(function['parameters'])} into Go struct field "
                        "ToolFunction.tools.function.parameters of type api.ToolFunctionParameters"
                    )
        if "stream" in body and not isinstance(body["stream"], bool):
            raise _Invalid(
                f"json: cannot unmarshal {_go_type(body['stream'])} into Go struct field ChatRequest.stream "
                "of "
                "type bool"
            )
        options = body.get("options")
        if options is not None and not isinstance(options, dict):
            raise _Invalid(
                f"json: cannot unmarshal {_go_type(options)} into Go struct field ChatRequest.options of "
                "type "
                "map[string]interface {}"
            )
        think = body.get("think")
        if (
            think is not None
            and not isinstance(think, bool)
            and think not in ("low", "medium", "high", "max")
        ):
            raise _Invalid(
                f'invalid think value: {think!r} (must be "low", "medium", "high", true, or false)'
            )

    async def _chat(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        body = rec.body
        if not isinstance(body, dict):
            return self._error(400, "invalid character in request body: expected a JSON object")
        try:
            self._validate(body)
        except _Invalid as exc:
            return self._error(exc.status, exc.message)

        reply = self._next_reply() or Reply()
        stream = body.get("stream", True) is not False
        model = body["model"]
        input_tokens = reply.input_tokens or approx_tokens(body["messages"], body.get("tools"))
        early = await self._prelude(request, reply, stream)
        if early is not None:
            return early
        if reply.is_error:
            message = reply.error_message
            if message is None and reply.context_window is not None:
                tokens = reply.input_tokens or max(input_tokens, reply.context_window + 1)
                message = (
                    f"the input length ({tokens} tokens) exceeds the context length ({reply.context_window})"
                )
            if message is None:
                message = {429: "too many requests", 500: "internal server error", 503: "server busy"}.get(
                    reply.status, f"error {reply.status}"
                )
            return self._error(reply.status, message, self._reply_headers(reply))

        text = reply.text
        if text is None and not reply.tool_calls:
            text = self.default_text(_last_user_text(body["messages"]))
        text = text or ""
        calls: list[dict[str, Any]] = []
        for index, call in enumerate(reply.tool_calls):
            entry: dict[str, Any] = {
                "function": {"index": index, "name": call.name, "arguments": call.arguments}
            }
            if call.id is not None:
                entry["id"] = call.id
            calls.append(entry)
        output_tokens = reply.output_tokens or approx_tokens(
            reply.thinking, text, *[compact(c.arguments) for c in reply.tool_calls]
        )
        done_reason = reply.finish or "stop"
        started = time.perf_counter_ns()

        def final(message: dict[str, Any]) -> dict[str, Any]:
            total = max(time.perf_counter_ns() - started, 1_000_000)
            obj: dict[str, Any] = {
                "model": model,
                "created_at": _now(),
                "message": message,
                "done": True,
                "done_reason": done_reason,
                "total_duration": total + 250_000_000,
                "load_duration": 12_345_678,
            }
            if reply.usage:
                obj.update(
                    {
                        "prompt_eval_count": input_tokens,
                        "prompt_eval_duration": 50_000_000,
                        "eval_count": output_tokens,
                        "eval_duration": 180_000_000,
                    }
                )
            return obj

        headers = self._reply_headers(reply)
        if not stream:
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if reply.thinking is not None:
                message["thinking"] = reply.thinking
            if calls:
                message["tool_calls"] = calls
            return web.json_response(final(message), headers=headers)

        def line(message: dict[str, Any]) -> bytes:
            obj = {"model": model, "created_at": _now(), "message": message, "done": False}
            return (compact(obj) + "\n").encode()

        lines: list[bytes] = []
        if reply.thinking:
            for frag in split_words(reply.thinking):
                lines.append(line({"role": "assistant", "content": "", "thinking": frag}))
        for frag in split_words(text):
            lines.append(line({"role": "assistant", "content": frag}))
        if calls:
            lines.append(line({"role": "assistant", "content": "", "tool_calls": calls}))
        lines.append((compact(final({"role": "assistant", "content": ""})) + "\n").encode())
        return await self._send_stream(
            request,
            reply,
            lines,
            content_type="application/x-ndjson",
            error_chunk=lambda msg: (compact({"error": msg}) + "\n").encode(),
            headers=headers,
        )


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") == "user":
            content = msg.get("content")
            return content if isinstance(content, str) else ""
    return ""
