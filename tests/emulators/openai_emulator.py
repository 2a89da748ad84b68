"""OpenAI Chat Completions emulator (api.openai.com, Azure OpenAI and OpenAI-compatible servers).

Wire format: reference protocols.md §1.2 (chat.completion), §1.3 (SSE chunks), §1.4 (errors), §1.5 (Azure and
OpenAI-compatible deviations, switched on per reply with the ``quirk_*`` flags of :class:`Reply`).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from .base import (
    Emulator,
    RecordedRequest,
    Reply,
    ToolCall,
    approx_tokens,
    compact,
    split_fragments,
    split_words,
)

__all__ = ["OpenAIEmulator"]

_AZURE_DEPLOYMENT = re.compile(r"^(?:.*)/openai/deployments/([^/]+)/chat/completions$")
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")

KNOWN_PARAMS = frozenset(
    {
        "model",
        "messages",
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "metadata",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_retention",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
PART_TYPES: dict[str, tuple[str, ...]] = {
    "user": ("text", "image_url", "input_audio", "file"),
    "assistant": ("text", "refusal"),
    "system": ("text",),
    "developer": ("text",),
    "tool": ("text",),
    "function": ("text",),
}
_FILTER_OK = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}


class _Invalid(Exception):
    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _supported(values: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def _missing(param: str) -> _Invalid:
    return _Invalid(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def _bad_type(param: str, expected: str, value: Any) -> _Invalid:
    return _Invalid(
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)} instead.",
        param,
        "invalid_type",
    )


def _validate_parts(i: int, role: str, parts: list[Any]) -> None:
    allowed = PART_TYPES.get(role, ("text",))
    for j, part in enumerate(parts):
        where = f"messages[{i}].content[{j}]"
        if not isinstance(part, dict):
            raise _bad_type(where, "an object", part)
        ptype = part.get("type")
        if ptype is None:
            raise _missing(f"{where}.type")
        if ptype not in allowed:
            raise _Invalid(
                f"Invalid value: '{ptype}'. Supported values are: {_supported(allowed)}.",
                f"{where}.type",
                "invalid_value",
            )
        if ptype in ("text", "refusal"):
            if ptype not in part:
                raise _missing(f"{where}.{ptype}")
            if not isinstance(part[ptype], str):
                raise _bad_type(f"{where}.{ptype}", "a string", part[ptype])
        elif ptype == "image_url":
            image = part.get("image_url")
            if image is None:
                raise _missing(f"{where}.image_url")
            if not isinstance(image, dict):
                raise _bad_type(f"{where}.image_url", "an object", image)
            url = image.get("url")
            if url is None:
                raise _missing(f"{where}.image_url.url")
            if not isinstance(url, str):
                raise _bad_type(f"{where}.image_url.url", "a string", url)
            if url.startswith("data:"):
                if not re.match(r"^data:image/[a-zA-Z0-9.+-]+;base64,[A-Za-z0-9+/=\s]+$", url):
                    raise _Invalid(
                        f"Invalid '{where}.image_url.url'. Expected a base64-encoded data URL with an image "
                        "MIME "
                        "type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got a value with an "
                        "invalid format.",
                        f"{where}.image_url.url",
                        "invalid_value",
                    )
            elif not re.match(r"^https?://\S+$", url):
                raise _Invalid(
                    f"Invalid '{where}.image_url.url'. Expected a valid URL, but got a value with an invalid "
                    "format.",
                    f"{where}.image_url.url",
                    "invalid_value",
                )
            detail = image.get("detail")
            if detail is not None and detail not in ("auto", "low", "high"):
                raise _Invalid(
                    f"Invalid value: '{detail}'. Supported values are: 'auto', 'low', and 'high'.",
                    f"{where}.image_url.detail",
                    "invalid_value",
                )


def _validate_messages(messages: Any) -> None:
    if messages is None:
        raise _missing("messages")
    if not isinstance(messages, list):
        raise _bad_type("messages", "an array", messages)
    if not messages:
        raise _Invalid(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty "
            "array "
            "instead.",
            "messages",
            "empty_array",
        )
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict):
            raise _bad_type(f"messages[{i}]", "an object", msg)
        role = msg.get("role")
        if role is None:
            raise _missing(f"messages[{i}].role")
        if role not in ROLES:
            raise _Invalid(
                f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', 'user', 'function', "
                "'tool', and 'developer'.",
                f"messages[{i}].role",
                "invalid_value",
            )
        tool_calls = msg.get("tool_calls")
        if "content" not in msg and not (role == "assistant" and (tool_calls or msg.get("function_call"))):
            raise _missing(f"messages[{i}].content")
        content = msg.get("content")
        if content is None:
            if not (role == "assistant" and (tool_calls or msg.get("function_call"))):
                raise _Invalid(
                    "Invalid value for 'content': expected a string, got null.",
                    f"messages.[{i}].content",
                    None,
                )
        elif isinstance(content, list):
            _validate_parts(i, role, content)
        elif not isinstance(content, str):
            raise _bad_type(f"messages[{i}].content", "one of a string or array of objects", content)
        if tool_calls is not None:
            if role != "assistant":
                raise _Invalid(
                    "Invalid parameter: 'tool_calls' is only allowed for messages with role 'assistant'.",
                    f"messages[{i}].tool_calls",
                    None,
                )
            if not isinstance(tool_calls, list):
                raise _bad_type(f"messages[{i}].tool_calls", "an array", tool_calls)
            if not tool_calls:
                raise _Invalid(
                    f"Invalid 'messages[{i}].tool_calls': empty array. Expected an array with minimum length "
                    "1, "
                    "but got an empty array instead.",
                    f"messages[{i}].tool_calls",
                    "empty_array",
                )
            for k, call in enumerate(tool_calls):
                where = f"messages[{i}].tool_calls[{k}]"
                if not isinstance(call, dict):
                    raise _bad_type(where, "an object", call)
                for key in ("id", "type", "function"):
                    if key not in call:
                        raise _missing(f"{where}.{key}")
                if not isinstance(call["id"], str):
                    raise _bad_type(f"{where}.id", "a string", call["id"])
                if call["type"] != "function":
                    raise _Invalid(
                        f"Invalid value: '{call['type']}'. Supported values are: 'function'.",
                        f"{where}.type",
                        "invalid_value",
                    )
                fn = call["function"]
                if not isinstance(fn, dict):
                    raise _bad_type(f"{where}.function", "an object", fn)
                for key in ("name", "arguments"):
                    if key not in fn:
                        raise _missing(f"{where}.function.{key}")
                    if not isinstance(fn[key], str):
                        raise _bad_type(f"{where}.function.{key}", "a string", fn[key])
        if role == "tool":
            if "tool_call_id" not in msg:
                raise _missing(f"messages[{i}].tool_call_id")
            if not isinstance(msg["tool_call_id"], str):
                raise _bad_type(f"messages[{i}].tool_call_id", "a string", msg["tool_call_id"])
    _validate_tool_sequence(messages)


def _validate_tool_sequence(messages: list[dict[str, Any]]) -> None:
    i = 0
    while i < len(messages):
        msg = messages[i]
        if msg["role"] == "tool":
            raise _Invalid(
                "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                "with "
                "'tool_calls'.",
                f"messages.[{i}].role",
                None,
            )
        if msg["role"] == "assistant" and msg.get("tool_calls"):
            ids = [call["id"] for call in msg["tool_calls"]]
            answered: set[str] = set()
            j = i + 1
            while j < len(messages) and messages[j]["role"] == "tool":
                call_id = messages[j]["tool_call_id"]
                if call_id not in ids:
                    raise _Invalid(
                        f"Invalid parameter: 'tool_call_id' of '{call_id}' not found in 'tool_calls' of "
                        "previous "
                        "message.",
                        f"messages.[{j}].tool_call_id",
                        None,
                    )
                answered.add(call_id)
                j += 1
            missing = [cid for cid in ids if cid not in answered]
            if missing:
                raise _Invalid(
                    "An assistant message with 'tool_calls' must be followed by tool messages responding to "
                    "each "
                    f"'tool_call_id'. The following tool_call_ids did not have response messages: "
                    f"{', '.join(missing)}",
                    f"messages.[{i}].role",
                    None,
                )
            i = j
            continue
        i += 1


def _validate_tools(body: dict[str, Any]) -> None:
    tools = body.get("tools")
    names: list[str] = []
    if tools is not None:
        if not isinstance(tools, list):
            raise _bad_type("tools", "an array", tools)
        for k, tool in enumerate(tools):
            where = f"tools[{k}]"
            if not isinstance(tool, dict):
                raise _bad_type(where, "an object", tool)
            if "type" not in tool:
                raise _missing(f"{where}.type")
            if tool["type"] != "function":
                raise _Invalid(
                    f"Invalid value: '{tool['type']}'. Supported values are: 'function' and 'custom'.",
                    f"{where}.type",
                    "invalid_value",
                )
            fn = tool.get("function")
            if fn is None:
                raise _missing(f"{where}.function")
            if not isinstance(fn, dict):
                raise _bad_type(f"{where}.function", "an object", fn)
            name = fn.get("name")
            if name is None:
                raise _missing(f"{where}.function.name")
            if not isinstance(name, str):
                raise _bad_type(f"{where}.function.name", "a string", name)
            if not _TOOL_NAME.match(name):
                raise _Invalid(
                    f"Invalid '{where}.function.name': string does not match pattern. Expected a string that "
                    "matches the pattern '^[a-zA-Z0-9_-]+$'.",
                    f"{where}.function.name",
                    "invalid_value",
                )
            if len(name) > 64:
                raise _Invalid(
                    f"Invalid '{where}.function.name': string too long. Expected a string with maximum "
                    "length 64, "
                    f"but got a string with length {len(name)} instead.",
                    f"{where}.function.name",
                    "string_above_max_length",
                )
            params = fn.get("parameters")
            if params is not None:
                if not isinstance(params, dict):
                    raise _bad_type(f"{where}.function.parameters", "an object", params)
                if params and params.get("type") != "object":
                    raise _Invalid(
                        f"Invalid schema for function '{name}': schema must be a JSON Schema of 'type: "
                        '"object"\', '
                        f"got 'type: \"{params.get('type')}\"'.",
                        f"{where}.function.parameters",
                        "invalid_function_parameters",
                    )
            names.append(name)
    choice = body.get("tool_choice")
    if choice is not None:
        if not names:
            raise _Invalid(
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                "tool_choice",
                None,
            )
        if isinstance(choice, str):
            if choice not in ("none", "auto", "required"):
                raise _Invalid(
                    f"Invalid value: '{choice}'. Supported values are: 'none', 'auto', and 'required'.",
                    "tool_choice",
                    "invalid_value",
                )
        elif isinstance(choice, dict):
            if choice.get("type") != "function":
                raise _Invalid(
                    f"Invalid value: '{choice.get('type')}'. Supported values are: 'function'.",
                    "tool_choice.type",
                    "invalid_value",
                )
            fn = choice.get("function")
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                raise _missing("tool_choice.function.name")
            if fn["name"] not in names:
                raise _Invalid(
                    f"Invalid value for 'tool_choice': tool '{fn['name']}' was not found in 'tools'.",
                    "tool_choice",
                    None,
                )
        else:
            raise _bad_type("tool_choice", "one of a string or object", choice)


class OpenAIEmulator(Emulator):
    """Speaks ``POST …/chat/completions`` (and ``GET …/models``) like api.openai.com or Azure OpenAI.

    Args:
        name: Used in the default echo reply ("Hello from the <name> emulator…").
        expected_key: Required key: ``Authorization: Bearer <key>``, or ``api-key: <key>`` in Azure mode.
        azure: Azure OpenAI paths: ``/openai/deployments/{deployment}/chat/completions?api-version=…``
            (also the v1 GA path ``/openai/v1/chat/completions``).
        models: When set, other models get 404 ``model_not_found`` (deployments in Azure mode).
        strict_params: Reject unknown top-level request fields like the real API
            ("Unrecognized request argument supplied: top_k"). Pass False for vLLM/llama.cpp-style upstreams.
        reject_stream_options: Emulate compat servers that reject ``stream_options``.
    """

    default_models = ("gpt-4o", "gpt-4o-mini", "gpt-4.1")

    def __init__(
        self,
        name: str = "openai",
        expected_key: str | None = None,
        azure: bool = False,
        *,
        models: Sequence[str] | None = None,
        strict_params: bool = True,
        reject_stream_options: bool = False,
    ) -> None:
        super().__init__(name, expected_key, models=models)
        self.azure = azure
        self.strict_params = strict_params
        self.reject_stream_options = reject_stream_options

    # ------------------------------------------------------------------ responses
    def _error(
        self,
        status: int,
        message: str,
        *,
        type_: str | None = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
        return web.json_response(
            body, status=status, headers={"x-request-id": f"req_{uuid.uuid4().hex}", **(headers or {})}
        )

    def _azure_error(self, status: int, code: str, message: str) -> web.Response:
        return web.json_response({"error": {"code": code, "message": message}}, status=status)

    def _check_auth(self, request: web.Request) -> web.Response | None:
        key = self.expected_key
        if key is None:
            return None
        if self.azure:
            if request.headers.get("api-key") == key:
                return None
            return self._azure_error(
                401,
                "401",
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
                "valid "
                "key for an active subscription and use a correct regional API endpoint for your resource.",
            )
        auth = request.headers.get("Authorization", "")
        if auth == f"Bearer {key}":
            return None
        if not auth:
            return self._error(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using "
                "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank "
                "username) "
                "if you're accessing the API from your browser and are prompted for a username and password. "
                "You "
                "can obtain an API key from https://platform.openai.com/account/api-keys.",
            )
        given = auth[7:] if auth.startswith("Bearer ") else auth
        masked = given[:3] + "*" * max(0, len(given) - 7) + given[-4:] if len(given) > 7 else "*" * len(given)
        return self._error(
            401,
            f"Incorrect API key provided: {masked}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )

    def _scripted_error(self, reply: Reply, input_tokens: int) -> web.Response:
        status = reply.status
        message = reply.error_message
        code = reply.error_code
        type_ = reply.error_type
        if reply.context_window is not None and message is None:
            tokens = reply.input_tokens or max(input_tokens, reply.context_window + 1)
            message = (
                f"This model's maximum context length is {reply.context_window} tokens. However, your "
                "messages "
                f"resulted in {tokens} tokens. Please reduce the length of the messages."
            )
        defaults: dict[int, tuple[str, str, str | None]] = {
            400: ("Invalid request.", "invalid_request_error", None),
            401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
            403: ("You are not allowed to access this resource.", "invalid_request_error", None),
            404: ("The model does not exist or you do not have access to it.", "invalid_request_error", None),
            429: (
                "Rate limit reached for requests. Please try again later.",
                "requests",
                "rate_limit_exceeded",
            ),
            500: (
                "The server had an error while processing your request. Sorry about that!",
                "server_error",
                None,
            ),
            502: ("Bad gateway.", "server_error", None),
            503: ("The engine is currently overloaded, please try again later.", "server_error", None),
        }
        d_message, d_type, d_code = defaults.get(status, (f"Upstream error {status}.", "server_error", None))
        message = message if message is not None else d_message
        type_ = type_ if type_ is not None else d_type
        if code is None:
            code = d_code
            if "maximum context length" in message:
                code = "context_length_exceeded"
        return self._error(status, message, type_=type_, code=code, headers=self._reply_headers(reply))

    # ------------------------------------------------------------------ dispatch
    async def dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        path = request.path
        if request.method == "POST" and path.endswith("/chat/completions"):
            return await self._chat(request, rec)
        if request.method == "GET" and path.endswith("/models"):
            rec.endpoint = "models"
            denied = self._check_auth(request)
            if denied is not None:
                return denied
            created = int(time.time()) - 86400
            models = self.models if self.models is not None else list(self.default_models)
            return web.json_response(
                {
                    "object": "list",
                    "data": [
                        {"id": m, "object": "model", "created": created, "owned_by": "system"} for m in models
                    ],
                }
            )
        if self.azure:
            return self._azure_error(404, "404", "Resource not found")
        return self._error(404, f"Invalid URL ({request.method} {path})")

    async def _chat(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        rec.endpoint = "chat"
        deployment: str | None = None
        if self.azure:
            match = _AZURE_DEPLOYMENT.match(request.path)
            if match:
                deployment = match.group(1)
                rec.params["deployment"] = deployment
                if "api-version" not in request.query:
                    return self._azure_error(
                        400, "BadRequest", "Missing required query parameter 'api-version'."
                    )
            elif not request.path.endswith("/openai/v1/chat/completions"):
                return self._azure_error(404, "404", "Resource not found")
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        body = rec.body
        if not isinstance(body, dict):
            return self._error(
                400,
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
                "your "
                "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
                "valid "
                "JSON. If you have trouble figuring out how to fix this, please contact us through our help "
                "center "
                "at help.openai.com.)",
            )
        try:
            self._validate(body, deployment)
        except _Invalid as exc:
            return self._error(400, exc.message, param=exc.param, code=exc.code)
        model = str(body.get("model") or deployment)
        if deployment is not None and self.models is not None and deployment not in self.models:
            return self._azure_error(
                404,
                "DeploymentNotFound",
                "The API deployment for this resource does not exist. If you created the deployment within "
                "the "
                "last 5 minutes, please wait a moment and try again.",
            )
        if deployment is None and self.models is not None and model not in self.models:
            return self._error(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                code="model_not_found",
            )

        reply = self._next_reply() or Reply()
        stream = body.get("stream") is True
        input_tokens = reply.input_tokens or approx_tokens(body.get("messages"), body.get("tools"))
        early = await self._prelude(request, reply, stream)
        if early is not None:
            return early
        if reply.is_error:
            return self._scripted_error(reply, input_tokens)

        text = reply.text
        if text is None and not reply.tool_calls:
            text = self.default_text(_last_user_text(body["messages"]))
        calls = [(call.id or f"call_{uuid.uuid4().hex[:24]}", call) for call in reply.tool_calls]
        reasoning_tokens = approx_tokens(reply.thinking) if reply.thinking else 0
        output_tokens = reply.output_tokens or (
            approx_tokens(text, *[compact(c.arguments) for _, c in calls]) + reasoning_tokens
        )
        usage = {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning_tokens,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        finish = reply.finish or (
            "tool_calls" if calls and not reply.quirk_finish_stop_with_tools else "stop"
        )
        completion_id = f"chatcmpl-{uuid.uuid4().hex[:29]}"
        headers = {"x-request-id": f"req_{uuid.uuid4().hex}", **self._reply_headers(reply)}

        if not stream:
            message: dict[str, Any] = {
                "role": "assistant",
                "content": text,
                "refusal": None,
                "annotations": [],
            }
            if reply.thinking is not None:
                message["reasoning_content"] = reply.thinking
            if calls:
                message["tool_calls"] = [
                    {
                        "id": cid,
                        "type": "function",
                        "function": {"name": c.name, "arguments": compact(c.arguments)},
                    }
                    for cid, c in calls
                ]
            choice: dict[str, Any] = {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish,
            }
            result: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [choice],
                "service_tier": "default",
                "system_fingerprint": "fp_emulated",
            }
            if reply.usage:
                result["usage"] = usage
            if self.azure:
                result["prompt_filter_results"] = [{"prompt_index": 0, "content_filter_results": _FILTER_OK}]
                choice["content_filter_results"] = _FILTER_OK
            return web.json_response(result, headers=headers)

        chunks = self._stream_chunks(body, reply, model, completion_id, text, calls, finish, usage)
        return await self._send_stream(
            request,
            reply,
            chunks,
            content_type="text/event-stream; charset=utf-8",
            error_chunk=lambda msg: _sse(
                {
                    "error": {
                        "message": msg,
                        "type": reply.error_type or "server_error",
                        "param": None,
                        "code": None,
                    }
                }
            ),
            headers=headers,
        )

    def _validate(self, body: dict[str, Any], deployment: str | None) -> None:
        if self.reject_stream_options and "stream_options" in body:
            raise _Invalid("Unrecognized request argument supplied: stream_options")
        if self.strict_params:
            unknown = [k for k in body if k not in KNOWN_PARAMS]
            if unknown:
                noun = "argument" if len(unknown) == 1 else "arguments"
                raise _Invalid(f"Unrecognized request {noun} supplied: {', '.join(unknown)}")
        if deployment is None and not body.get("model"):
            raise _Invalid("you must provide a model parameter")
        if "model" in body and not isinstance(body["model"], str):
            raise _bad_type("model", "a string", body["model"])
        _validate_messages(body.get("messages"))
        _validate_tools(body)
        stream = body.get("stream")
        if stream is not None and not isinstance(stream, bool):
            raise _bad_type("stream", "a boolean", stream)
        if body.get("stream_options") is not None:
            if stream is not True:
                raise _Invalid(
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                    "stream_options",
                )
            if not isinstance(body["stream_options"], dict):
                raise _bad_type("stream_options", "an object", body["stream_options"])
        for key in ("max_tokens", "max_completion_tokens"):
            value = body.get(key)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                raise _bad_type(key, "an integer", value)
            if value < 1:
                raise _Invalid(
                    f"Invalid '{key}': integer below minimum value. Expected a value >= 1, but got {value} "
                    "instead.",
                    key,
                    "integer_below_min_value",
                )
        temperature = body.get("temperature")
        if temperature is not None:
            if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
                raise _bad_type("temperature", "a decimal", temperature)
            if not 0 <= temperature <= 2:
                raise _Invalid(
                    f"Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got "
                    f"{temperature} instead.",
                    "temperature",
                    "decimal_above_max_value",
                )

    def _stream_chunks(
        self,
        body: dict[str, Any],
        reply: Reply,
        model: str,
        completion_id: str,
        text: str | None,
        calls: list[tuple[str, ToolCall]],
        finish: str,
        usage: dict[str, Any],
    ) -> list[bytes]:
        options = body.get("stream_options") or {}
        include_usage = options.get("include_usage") is True and reply.usage
        created = int(time.time())
        out: list[bytes] = []

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            obj: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "service_tier": "default",
                "system_fingerprint": "fp_emulated",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
            }
            if include_usage:
                obj["usage"] = None
            return _sse(obj)

        if reply.quirk_azure_filter_chunk or self.azure:
            out.append(
                _sse(
                    {
                        "choices": [],
                        "created": 0,
                        "id": "",
                        "model": "",
                        "object": "",
                        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": _FILTER_OK}],
                    }
                )
            )

        def opening(index: int, call_id: str, call: ToolCall) -> dict[str, Any]:
            args = compact(call.arguments) if reply.quirk_whole_args else ""
            delta: dict[str, Any] = {
                "index": index,
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": args},
            }
            if reply.quirk_no_index:
                del delta["index"]
            return delta

        role: dict[str, Any] = {"role": "assistant", "content": "", "refusal": None}
        merge_first_call = text is None and reply.thinking is None and bool(calls)
        if merge_first_call:
            role = {
                "role": "assistant",
                "content": None,
                "tool_calls": [opening(0, *calls[0])],
                "refusal": None,
            }
        out.append(chunk(role))
        if reply.thinking:
            for frag in split_words(reply.thinking):
                out.append(chunk({"reasoning_content": frag}))
        if text:
            for frag in split_words(text):
                out.append(chunk({"content": frag}))
        for index, (call_id, call) in enumerate(calls):
            if not (merge_first_call and index == 0):
                out.append(chunk({"tool_calls": [opening(index, call_id, call)]}))
            if reply.quirk_whole_args:
                continue
            for frag in split_fragments(compact(call.arguments)):
                delta: dict[str, Any] = {"index": index, "function": {"arguments": frag}}
                if reply.quirk_id_every_delta:
                    delta["id"] = call_id
                if reply.quirk_no_index:
                    del delta["index"]
                out.append(chunk({"tool_calls": [delta]}))
        out.append(chunk({}, finish))
        if include_usage:
            out.append(
                _sse(
                    {
                        "id": completion_id,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": model,
                        "service_tier": "default",
                        "system_fingerprint": "fp_emulated",
                        "choices": [],
                        "usage": usage,
                    }
                )
            )
        out.append(b"data: [DONE]\n\n")
        return out


def _sse(obj: dict[str, Any]) -> bytes:
    return f"data: {compact(obj)}\n\n".encode()


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for msg in reversed(messages):
        if msg.get("role") != "user":
            continue
        content = msg.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(
                p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"
            )
    return ""
