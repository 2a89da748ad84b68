"""Google Gemini emulator: the Gemini API (``x-goog-api-key``) and Vertex AI (OAuth bearer) in one.

Wire format: reference protocols.md §5.3. ``…:generateContent`` answers one GenerateContentResponse;
``…:streamGenerateContent?alt=sse`` answers ``data: <GenerateContentResponse>`` events (no ``event:`` names,
no ``[DONE]``), text in pieces, function calls whole, the last event carrying ``finishReason`` and the final
``usageMetadata``. Validation is as strict as the real API where Lynkr could get it wrong: unknown fields,
JSON Schema keywords ``parameters`` rejects, empty OBJECT properties, function responses that do not match
the previous turn's calls by count and name, and (Gemini 3 behaviour) function calls of the current turn
replayed without the ``thoughtSignature`` the emulator issued.

Vertex mode also serves an OAuth token endpoint (``POST /token``) that verifies the service-account JWT
assertion against ``public_key_pem`` and issues short-lived bearer tokens.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
import uuid
from typing import Any

from aiohttp import web

from .base import Emulator, RecordedRequest, Reply, approx_tokens, compact, split_words

__all__ = ["GeminiEmulator"]

BODY_KEYS = {
    "contents",
    "systemInstruction",
    "tools",
    "toolConfig",
    "generationConfig",
    "safetySettings",
    "cachedContent",
    "labels",
}
PART_DATA = {
    "text",
    "inlineData",
    "fileData",
    "functionCall",
    "functionResponse",
    "executableCode",
    "codeExecutionResult",
}
PART_META = {"thought", "thoughtSignature", "videoMetadata", "partMetadata"}
SCHEMA_KEYS = {
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "maxItems",
    "minItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "example",
    "anyOf",
    "propertyOrdering",
    "default",
    "items",
    "minimum",
    "maximum",
}
TYPES = {"STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL", "TYPE_UNSPECIFIED"}
GENERATION_KEYS = {
    "temperature",
    "topP",
    "topK",
    "candidateCount",
    "maxOutputTokens",
    "stopSequences",
    "presencePenalty",
    "frequencyPenalty",
    "seed",
    "responseMimeType",
    "responseSchema",
    "responseJsonSchema",
    "thinkingConfig",
    "responseLogprobs",
    "logprobs",
    "mediaResolution",
}
_GEMINI_PATH = re.compile(r"^/v1(?:beta)?/models/([^/:]+):(generateContent|streamGenerateContent)$")
_VERTEX_PATH = re.compile(
    r"^/v1/projects/([^/]+)/locations/([^/]+)/publishers/google/models/([^/:]+):"
    r"(generateContent|streamGenerateContent)$"
)
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
"""google-auth signs service-account assertions for this audience whatever token_uri the key file names."""
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


SKIP_SIGNATURE = "skip_thought_signature_validator"  # Google's documented bypass, always accepted


class _Invalid(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}


class GeminiEmulator(Emulator):
    """Speaks ``generateContent``.

    Args:
        expected_key: Gemini API mode: the ``x-goog-api-key`` it accepts.
        vertex: Vertex mode: bearer tokens from its own ``/token`` endpoint, Vertex URL layout.
        public_key_pem: Vertex mode: the service account's public key the JWT assertion must verify with.
        token_lifetime: seconds an issued access token lives (``expires_in``).
        require_thought_signatures: reject current-turn function calls without their signature.
    """

    def __init__(
        self,
        name: str = "gemini",
        expected_key: str | None = None,
        *,
        vertex: bool = False,
        project: str = "test-project",
        location: str = "us-central1",
        public_key_pem: bytes | None = None,
        token_lifetime: int = 3600,
        require_thought_signatures: bool = True,
    ) -> None:
        super().__init__(name, expected_key)
        self.vertex = vertex
        self.project, self.location = project, location
        self.public_key_pem = public_key_pem
        self.token_lifetime = token_lifetime
        self.require_thought_signatures = require_thought_signatures
        self.tokens: dict[str, float] = {}
        """Issued access tokens -> expiry (epoch seconds)."""
        self.signatures: set[str] = set()
        """Thought signatures this emulator issued."""

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint == "token"]

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response(_error_body(status, message), status=status, headers=headers)

    async def dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        if self.vertex and request.method == "POST" and request.path == "/token":
            rec.endpoint = "token"
            return await self._token(request)
        pattern = _VERTEX_PATH if self.vertex else _GEMINI_PATH
        match = pattern.match(request.path)
        if request.method != "POST" or match is None:
            return self._error(404, f"Method not found: {request.method} {request.path}")
        rec.endpoint = "chat"
        groups = match.groups()
        model, method = groups[-2], groups[-1]
        rec.params["model"] = model
        if self.vertex:
            rec.params.update(project=groups[0], location=groups[1])
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        if self.vertex and (groups[0], groups[1]) != (self.project, self.location):
            return self._error(
                403, f"Permission denied on resource project {groups[0]} (or it may not exist)."
            )
        stream = method == "streamGenerateContent"
        if stream and request.query.get("alt") != "sse":
            return self._error(
                400, "this emulator streams only with alt=sse (without it Gemini sends a JSON array)"
            )
        try:
            self._validate(rec.body)
        except _Invalid as exc:
            return self._error(exc.status, exc.message)
        return await self._generate(request, rec, model, stream)

    # ------------------------------------------------------------------ auth

    def _authenticate(self, request: web.Request) -> web.Response | None:
        if self.vertex:
            auth = request.headers.get("Authorization", "")
            expiry = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
            if expiry is None or expiry < time.time():
                return self._error(
                    401,
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential.",
                )
            return None
        if self.expected_key is not None:
            key = request.headers.get("x-goog-api-key") or request.query.get("key")
            if key != self.expected_key:
                return self._error(400, "API key not valid. Please pass a valid API key.")
        return None

    async def _token(self, request: web.Request) -> web.Response:
        import google.auth.jwt

        form = await request.post()
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        try:
            claims = google.auth.jwt.decode(
                str(form.get("assertion", "")), certs=self.public_key_pem, audience=GOOGLE_TOKEN_AUDIENCE
            )
        except ValueError as exc:
            return web.json_response({"error": "invalid_grant", "error_description": str(exc)}, status=400)
        if "cloud-platform" not in str(claims.get("scope", "")):
            return web.json_response({"error": "invalid_scope"}, status=400)
        token = f"ya29.test-{secrets.token_urlsafe(16)}"
        self.tokens[token] = time.time() + self.token_lifetime
        return web.json_response(
            {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        )

    # ------------------------------------------------------------------ validation

    def _validate(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise _Invalid("Invalid JSON payload received. Expected an object.")
        for key in body:
            if key not in BODY_KEYS:
                raise _Invalid(f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.')
        contents = body.get("contents")
        if not isinstance(contents, list) or not contents:
            raise _Invalid("* GenerateContentRequest.contents: contents is not specified")
        turn_start = 0  # the current turn starts at the last user content with text
        for i, content in enumerate(contents):
            if (
                isinstance(content, dict)
                and content.get("role") == "user"
                and any(isinstance(p, dict) and "text" in p for p in content.get("parts") or [])
            ):
                turn_start = i
        previous_calls: list[str] = []
        for i, content in enumerate(contents):
            if not isinstance(content, dict) or content.get("role") not in ("user", "model"):
                raise _Invalid(f"Please use a valid role: user, model. (contents[{i}])")
            parts = content.get("parts")
            if not isinstance(parts, list) or not parts:
                raise _Invalid(
                    f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty."
                )
            calls: list[str] = []
            responses: list[str] = []
            for j, part in enumerate(parts):
                where = f"contents[{i}].parts[{j}]"
                self._part(part, where)
                if "functionCall" in part:
                    if content["role"] != "model":
                        raise _Invalid(f"{where}: functionCall must be in a model turn")
                    calls.append(part["functionCall"]["name"])
                    # Gemini 3: the first call of each step in the current turn carries its signature.
                    first = len(calls) == 1
                    if (
                        self.require_thought_signatures
                        and i > turn_start
                        and first
                        and part.get("thoughtSignature") not in self.signatures
                        and part.get("thoughtSignature") != SKIP_SIGNATURE
                    ):
                        raise _Invalid(
                            f"Function call is missing a thought_signature in functionCall parts. "
                            f"This is required for tools to work correctly. ({where})"
                        )
                if "functionResponse" in part:
                    responses.append(part["functionResponse"]["name"])
            if responses and sorted(responses) != sorted(previous_calls):
                raise _Invalid(
                    "Please ensure that the number of function response parts is equal to the "
                    "number of function call parts of the function call turn, and that the names "
                    f"match (calls {previous_calls}, responses {responses})."
                )
            previous_calls = calls
        system = body.get("systemInstruction")
        if system is not None and (
            not isinstance(system, dict)
            or not all(
                isinstance(p, dict) and isinstance(p.get("text"), str) for p in system.get("parts") or [None]
            )
        ):
            raise _Invalid("systemInstruction: parts with text are required")
        for t, tool in enumerate(body.get("tools") or []):
            for d, declaration in enumerate(tool.get("functionDeclarations") or []):
                where = f"tools[{t}].function_declarations[{d}]"
                name = declaration.get("name")
                if not isinstance(name, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$", name):
                    raise _Invalid(f"* GenerateContentRequest.{where}.name: Invalid function name.")
                for key in declaration:
                    if key not in (
                        "name",
                        "description",
                        "parameters",
                        "parametersJsonSchema",
                        "response",
                        "responseJsonSchema",
                        "behavior",
                    ):
                        raise _Invalid(
                            f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}': "
                            "Cannot find field."
                        )
                if "parameters" in declaration:
                    _schema(declaration["parameters"], f"{where}.parameters")
        generation = body.get("generationConfig") or {}
        for key in generation:
            if key not in GENERATION_KEYS:
                raise _Invalid(
                    f"Invalid JSON payload received. Unknown name \"{key}\" at 'generation_config': "
                    "Cannot find field."
                )
        if len(generation.get("stopSequences") or []) > 5:
            raise _Invalid("generation_config.stop_sequences: at most 5 stop sequences")
        mode = ((body.get("toolConfig") or {}).get("functionCallingConfig") or {}).get("mode")
        if mode is not None and mode not in ("AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"):
            raise _Invalid(f"Invalid value at 'tool_config.function_calling_config.mode' ({mode})")

    def _part(self, part: Any, where: str) -> None:
        if not isinstance(part, dict):
            raise _Invalid(f"{where}: a Part must be an object")
        for key in part:
            if key not in PART_DATA | PART_META:
                raise _Invalid(
                    f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}': Cannot find field."
                )
        if len(PART_DATA & set(part)) != 1:
            raise _Invalid(f"{where}: a Part must hold exactly one of {sorted(PART_DATA)}")
        if "inlineData" in part:
            data = part["inlineData"]
            if not isinstance(data, dict) or not isinstance(data.get("mimeType"), str):
                raise _Invalid(f"{where}.inline_data.mime_type: required")
            try:
                base64.b64decode(data.get("data", ""), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise _Invalid(
                    f"Invalid value at '{where}.inline_data.data' (TYPE_BYTES), Base64 decoding failed"
                ) from exc
        if "functionCall" in part:
            call = part["functionCall"]
            if not isinstance(call.get("name"), str) or not isinstance(call.get("args", {}), dict):
                raise _Invalid(f"{where}.function_call: name and object args are required")
        if "functionResponse" in part:
            response = part["functionResponse"]
            if not isinstance(response.get("name"), str) or not isinstance(response.get("response"), dict):
                raise _Invalid(f"{where}.function_response: name and an object response are required")

    # ------------------------------------------------------------------ reply

    async def _generate(
        self, request: web.Request, rec: RecordedRequest, model: str, stream: bool
    ) -> web.StreamResponse:
        reply = self._next_reply() or Reply()
        early = await self._prelude(request, reply, stream)
        if early is not None:
            return early
        body = rec.json
        if reply.is_error:
            message = reply.error_message
            if message is None and reply.context_window is not None:
                tokens = reply.input_tokens or reply.context_window + 1
                message = (
                    f"The input token count ({tokens}) exceeds the maximum number of tokens allowed "
                    f"({reply.context_window})."
                )
            return self._error(reply.status, message or f"error {reply.status}", self._reply_headers(reply))
        text = reply.text
        if text is None and not reply.tool_calls:
            text = self.default_text(_last_user_text(body["contents"]))
        text = text or ""
        prompt = reply.input_tokens or approx_tokens(body["contents"], body.get("systemInstruction"))
        thoughts = approx_tokens(reply.thinking) if reply.thinking else 0
        candidates_tokens = reply.output_tokens or approx_tokens(
            text, *[compact(c.arguments) for c in reply.tool_calls]
        )
        finish = reply.finish or "STOP"
        calls: list[dict[str, Any]] = []
        for call in reply.tool_calls:
            signature = base64.b64encode(f"sig-{uuid.uuid4().hex}".encode()).decode()
            self.signatures.add(signature)
            entry: dict[str, Any] = {"functionCall": {"name": call.name, "args": call.arguments}}
            if call.id is not None:
                entry["functionCall"]["id"] = call.id
            calls.append({**entry, "thoughtSignature": signature})

        def usage(done: bool) -> dict[str, Any]:
            out = {
                "promptTokenCount": prompt,
                "candidatesTokenCount": candidates_tokens if done else 1,
                "totalTokenCount": prompt + (candidates_tokens + thoughts if done else 1),
            }
            if thoughts and done:
                out["thoughtsTokenCount"] = thoughts
            return out

        def response(parts: list[dict[str, Any]], done: bool) -> dict[str, Any]:
            candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
            if done:
                candidate["finishReason"] = finish
            out: dict[str, Any] = {
                "candidates": [candidate],
                "modelVersion": model,
                "responseId": uuid.uuid4().hex[:20],
            }
            if reply.usage:
                out["usageMetadata"] = usage(done)
            return out

        thought_parts = [{"text": reply.thinking, "thought": True}] if reply.thinking else []
        if not stream:
            parts = thought_parts + ([{"text": text}] if text else []) + calls
            return web.json_response(response(parts, True), headers=self._reply_headers(reply))
        events: list[list[dict[str, Any]]] = [[p] for p in thought_parts]
        events += [[{"text": piece}] for piece in split_words(text)]
        if calls:
            events.append(calls)
        if not events:
            events.append([{"text": ""}])
        chunks = [
            f"data: {compact(response(parts, i == len(events) - 1))}\r\n\r\n".encode()
            for i, parts in enumerate(events)
        ]
        return await self._send_stream(
            request,
            reply,
            chunks,
            content_type="text/event-stream",
            error_chunk=lambda message: f"data: {compact(_error_body(500, message))}\r\n\r\n".encode(),
            headers=self._reply_headers(reply),
        )


def _schema(schema: Any, where: str) -> None:
    if not isinstance(schema, dict):
        raise _Invalid(f"{where}: a Schema must be an object")
    for key in schema:
        if key not in SCHEMA_KEYS:
            raise _Invalid(
                f"Invalid JSON payload received. Unknown name \"{key}\" at '{where}': Cannot find field."
            )
    kind = schema.get("type")
    if kind is not None and (not isinstance(kind, str) or kind.upper() not in TYPES):
        raise _Invalid(
            f"Invalid value at '{where}.type' "
            f"(type.googleapis.com/google.ai.generativelanguage.v1beta.Type), {kind!r}"
        )
    properties = schema.get("properties")
    if properties is not None:
        if not properties:
            raise _Invalid(
                f"* GenerateContentRequest.{where}.properties: should be non-empty for OBJECT type"
            )
        for name, sub in properties.items():
            _schema(sub, f"{where}.properties[{name}].value")
    for name in schema.get("required") or []:
        if name not in (properties or {}):
            raise _Invalid(f"* GenerateContentRequest.{where}.required[{name}]: property is not defined")
    if "items" in schema:
        _schema(schema["items"], f"{where}.items")
    for k, sub in enumerate(schema.get("anyOf") or []):
        _schema(sub, f"{where}.any_of[{k}]")
    if "enum" in schema and (
        str(kind).upper() != "STRING" or not all(isinstance(v, str) for v in schema["enum"])
    ):
        raise _Invalid(f"* GenerateContentRequest.{where}.enum: only allowed for STRING type")


def _last_user_text(contents: list[dict[str, Any]]) -> str:
    for content in reversed(contents):
        if content.get("role") == "user":
            texts = [p["text"] for p in content.get("parts", []) if "text" in p]
            if texts:
                return texts[-1]
    return ""
