"""Google Gemini ``generateContent`` (Gemini API and Vertex AI), upstream direction.

``build_request`` turns a canonical Request into the JSON body, ``parse_response``
turns a GenerateContentResponse into a Response, and ``StreamDecoder`` turns
``streamGenerateContent?alt=sse`` events (each a complete response holding only
the new parts) into canonical events through ``StreamBuilder``. Pure and synchronous.

Gemini has no call ids on the wire (AI Studio never sends them), so ids are
synthesised on the way down and a tool result is matched to its call by the
function NAME, which is looked up from the conversation. A call's
``thoughtSignature`` must be replayed with the call (Gemini 3 rejects the next
turn otherwise); it travels on ``ToolUseBlock.signature`` and, because clients
do not echo unknown fields, the provider also remembers it by call id.

Dropped on the way up: thinking blocks (Gemini does not take thoughts back),
image URLs that are not ``data:`` URLs, ``cache_control``, JSON Schema keywords
Gemini's ``parameters`` rejects (see ``clean_schema``), and the dialect extras.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from daemon.canonical import (
    Block,
    ImageBlock,
    Message,
    Request,
    Response,
    StopReason,
    StreamEvent,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.errors import ErrorKind, LynkrError
from daemon.streams import StreamBuilder
from daemon.tokens import CHARS_PER_TOKEN

ORIGIN = "gemini"

_REFUSALS = {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"}

# The keywords Gemini's ``parameters`` (an OpenAPI 3.0 Schema subset) accepts. Anything else
# ($schema, additionalProperties, $ref, const, oneOf, exclusiveMinimum, ...) is a 400
# "Unknown name ... Cannot find field".
SCHEMA_KEYS = frozenset(
    {
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
)
SCHEMA_TYPES = ("STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT")
_FORMATS = {"STRING": {"enum", "date-time"}, "INTEGER": {"int32", "int64"}, "NUMBER": {"float", "double"}}
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SKIP_SIGNATURE = "skip_thought_signature_validator"
"""Google's documented stand-in for a call whose signature is unknown (made by another model, or
remembered by a daemon that has since restarted); without any, Gemini 3 refuses the turn with a 400."""
_OLD_MODEL = re.compile(r"^gemini-[12][.-]")
_MAX_REF_DEPTH = 8


# --------------------------------------------------------------------------- request


def needs_signatures(model: str) -> bool:
    """Gemini 3 and later refuse a replayed call without a thought signature; 1.x and 2.x did not."""
    return not _OLD_MODEL.match(model.removeprefix("models/"))


def build_request(
    request: Request, signatures: Mapping[str, str] | None = None, *, require_signatures: bool = False
) -> dict[str, Any]:
    """The generateContent body. ``signatures`` maps call ids to thought signatures
    remembered from earlier answers, for calls whose block lost its own. With
    ``require_signatures`` the first call of a model turn that still has none gets ``SKIP_SIGNATURE``."""
    names: dict[str, str] = {}
    contents: list[dict[str, Any]] = []
    for message in request.messages:
        role = "model" if message.role == "assistant" else "user"
        parts = _parts(message, names, signatures or {})
        if not parts:
            continue
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})
    if require_signatures:
        for content in contents:
            calls = [p for p in content["parts"] if "functionCall" in p] if content["role"] == "model" else []
            if calls and not calls[0].get("thoughtSignature"):  # only a step's first call carries one
                calls[0]["thoughtSignature"] = SKIP_SIGNATURE
    body: dict[str, Any] = {"contents": contents}
    system = request.system_text()
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    if request.tools:
        body["tools"] = [
            {
                "functionDeclarations": [
                    _declaration(t.name, t.description, t.input_schema) for t in request.tools
                ]
            }
        ]
        choice = request.tool_choice
        if choice is not None:
            config: dict[str, Any] = {"mode": "AUTO"}
            if choice.type == "none":
                config["mode"] = "NONE"
            elif choice.type == "any":
                config["mode"] = "ANY"
            elif choice.type == "tool" and choice.name:
                config = {"mode": "ANY", "allowedFunctionNames": [choice.name]}
            body["toolConfig"] = {"functionCallingConfig": config}
    generation = _generation_config(request)
    if generation:
        body["generationConfig"] = generation
    return body


def _parts(message: Message, names: dict[str, str], signatures: Mapping[str, str]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    for block in message.content:
        if isinstance(block, TextBlock):
            if block.text:
                parts.append({"text": block.text})
        elif isinstance(block, ImageBlock):
            parts.append(_image(block))
        elif isinstance(block, ToolUseBlock):
            names[block.id] = block.name
            part: dict[str, Any] = {"functionCall": {"name": block.name, "args": block.input}}
            signature = block.signature or signatures.get(block.id)
            if signature:
                part["thoughtSignature"] = signature
            parts.append(part)
        elif isinstance(block, ToolResultBlock):
            results.extend(_function_response(block, names))
        # ThinkingBlock: Gemini takes no thoughts back; its signatures ride on the calls.
    # Function responses answer the previous model turn, so they lead the user turn.
    return results + parts


def _function_response(block: ToolResultBlock, names: dict[str, str]) -> list[dict[str, Any]]:
    text = block.text()
    # Without the call in the history (trimmed by the client) the id is the best name we have.
    name = names.get(block.tool_use_id, block.tool_use_id)
    response = {"error": text} if block.is_error else {"output": text}
    out: list[dict[str, Any]] = [{"functionResponse": {"name": name, "response": response}}]
    out.extend(_image(p) for p in block.content if isinstance(p, ImageBlock))
    return out


def _image(block: ImageBlock) -> dict[str, Any]:
    media_type, data = block.media_type, block.data
    if data is None and block.url and block.url.startswith("data:"):
        header, _, data = block.url.partition(",")
        media_type = header[5:].split(";")[0] or media_type
    if data is None:
        return {"text": f"[image at {block.url} omitted: Gemini needs inline images]"}
    return {"inlineData": {"mimeType": media_type or "image/png", "data": data}}


def _declaration(name: str, description: str | None, schema: dict[str, Any]) -> dict[str, Any]:
    declaration: dict[str, Any] = {"name": name}
    if description:
        declaration["description"] = description
    parameters = clean_schema(schema)
    if parameters.get("properties"):
        # An OBJECT with no properties is a 400; a function without parameters is fine.
        declaration["parameters"] = parameters
    return declaration


def clean_schema(schema: Any, root: dict[str, Any] | None = None, depth: int = 0) -> dict[str, Any]:
    """A JSON Schema reduced to what Gemini's ``parameters`` accepts.

    Local ``$ref``s are inlined, ``const`` becomes a one-value enum, ``["x", "null"]``
    types become ``nullable``, ``oneOf`` becomes ``anyOf``; unknown keywords, formats
    Gemini refuses and non-string enums are dropped, and ``required`` names only
    properties that exist.
    """
    if not isinstance(schema, dict):
        return {}
    root = schema if root is None else root
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target = _resolve(ref, root)
        if target is None or depth >= _MAX_REF_DEPTH:
            return {"type": "OBJECT"} if target is not None else {}
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return clean_schema(merged, root, depth + 1)
    out: dict[str, Any] = {}
    kind = schema.get("type")
    if isinstance(kind, list):
        concrete = [t for t in kind if isinstance(t, str) and t != "null"]
        if "null" in kind:
            out["nullable"] = True
        if len(concrete) > 1:
            out["anyOf"] = [{"type": t.upper()} for t in concrete if t.upper() in SCHEMA_TYPES]
        kind = concrete[0] if len(concrete) == 1 else None
    if isinstance(kind, str) and kind.upper() in SCHEMA_TYPES:
        out["type"] = kind.upper()
    for key, value in schema.items():
        if key not in SCHEMA_KEYS or key in (
            "type",
            "properties",
            "items",
            "anyOf",
            "required",
            "enum",
            "format",
        ):
            continue
        out[key] = value
    if "const" in schema and isinstance(schema["const"], str):
        out["enum"] = [schema["const"]]
        out.setdefault("type", "STRING")
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
        out["enum"] = list(enum)
        out.setdefault("type", "STRING")
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS.get(out.get("type", ""), ()):
        out["format"] = fmt
    properties = schema.get("properties")
    if isinstance(properties, dict) and properties:
        out["properties"] = {name: clean_schema(sub, root, depth) for name, sub in properties.items()}
        required = schema.get("required")
        if isinstance(required, list):
            kept = [r for r in required if isinstance(r, str) and r in properties]
            if kept:
                out["required"] = kept
    if "items" in schema:
        out["items"] = clean_schema(schema["items"], root, depth)
    variants = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(variants, list) and variants:
        nullable = any(isinstance(v, dict) and v.get("type") == "null" for v in variants)
        cleaned = [
            clean_schema(v, root, depth)
            for v in variants
            if not (isinstance(v, dict) and v.get("type") == "null")
        ]
        if nullable:
            out["nullable"] = True
        if len(cleaned) == 1:
            out.update({k: v for k, v in cleaned[0].items() if k not in out})
        elif cleaned:
            out["anyOf"] = cleaned
    return out


def _resolve(ref: str, root: dict[str, Any]) -> dict[str, Any] | None:
    if not ref.startswith("#/"):
        return None  # remote references cannot be fetched here
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, dict):
            return None
        node = node.get(part.replace("~1", "/").replace("~0", "~"))
    return node if isinstance(node, dict) else None


def _generation_config(request: Request) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if request.max_tokens is not None:
        config["maxOutputTokens"] = request.max_tokens
    if request.temperature is not None:
        config["temperature"] = request.temperature
    if request.top_p is not None:
        config["topP"] = request.top_p
    if request.top_k is not None:
        config["topK"] = request.top_k
    if request.stop:
        config["stopSequences"] = list(request.stop)[:5]  # Gemini's limit
    thinking = request.thinking
    if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"):
        budget = thinking.get("budget_tokens")
        config["thinkingConfig"] = {"includeThoughts": True}
        if isinstance(budget, int) and not isinstance(budget, bool):
            config["thinkingConfig"]["thinkingBudget"] = budget
    fmt = request.response_format
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        config["responseMimeType"] = "application/json"
        spec = fmt.get("json_schema")
        if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
            config["responseSchema"] = clean_schema(spec["schema"])
    return config


# --------------------------------------------------------------------------- response


def parse_response(body: object, provider: str) -> Response:
    if not isinstance(body, dict):
        raise _malformed(provider, f"expected an object, got {_preview(body)}")
    candidates = body.get("candidates")
    content: list[Block] = []
    finish: object = None
    if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
        candidate = candidates[0]
        finish = candidate.get("finishReason")
        parts = (
            (candidate.get("content") or {}).get("parts")
            if isinstance(candidate.get("content"), dict)
            else None
        )
        for part in parts or []:
            block = _block(part)
            if block is None:
                continue
            if isinstance(block, TextBlock) and content and type(content[-1]) is TextBlock:
                content[-1].text += block.text  # one text block per run, as other formats answer
            else:
                content.append(block)
    elif isinstance(body.get("promptFeedback"), dict) and body["promptFeedback"].get("blockReason"):
        finish = "SAFETY"  # the prompt itself was blocked: no candidates at all
    else:
        raise _malformed(provider, f"no candidates in {_preview(body)}")
    has_calls = any(isinstance(b, ToolUseBlock) for b in content)
    return Response(
        id=f"msg_{uuid.uuid4().hex[:24]}",
        model=str(body.get("modelVersion") or ""),
        content=content,
        stop_reason=stop_reason(finish, has_calls),
        usage=usage_from(body.get("usageMetadata")),
    )


def _block(part: object) -> Block | None:
    if not isinstance(part, dict):
        return None
    call = part.get("functionCall")
    if isinstance(call, dict):
        args = call.get("args")
        signature = part.get("thoughtSignature")
        return ToolUseBlock(
            call_id(call.get("id")),
            str(call.get("name") or ""),
            args if isinstance(args, dict) else {},
            signature=signature if isinstance(signature, str) and signature else None,
        )
    text = part.get("text")
    if isinstance(text, str) and text:
        if part.get("thought") is True:
            return ThinkingBlock(text, origin=ORIGIN)
        return TextBlock(text)
    return None


def call_id(upstream: object) -> str:
    """Gemini's own id when every client dialect accepts it, else a fresh one."""
    if isinstance(upstream, str) and _SAFE_ID.match(upstream):
        return upstream
    return f"call_{uuid.uuid4().hex[:24]}"


def stop_reason(finish: object, has_tool_calls: bool) -> StopReason:
    # Gemini has no tool-use reason: it says STOP after function calls.
    if finish == "MAX_TOKENS":
        return StopReason.MAX_TOKENS
    if finish in _REFUSALS:
        return StopReason.REFUSAL
    return StopReason.TOOL_USE if has_tool_calls else StopReason.END_TURN


def usage_from(raw: object) -> Usage:
    """``promptTokenCount`` includes cached tokens; thoughts are billed as output."""
    if not isinstance(raw, dict):
        return Usage()
    prompt = _count(raw.get("promptTokenCount")) + _count(raw.get("toolUsePromptTokenCount"))
    cached = min(_count(raw.get("cachedContentTokenCount")), prompt)
    thoughts = _count(raw.get("thoughtsTokenCount"))
    return Usage(
        input_tokens=prompt - cached,
        output_tokens=_count(raw.get("candidatesTokenCount")) + thoughts,
        cache_read_tokens=cached,
        reasoning_tokens=thoughts,
    )


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _preview(value: object, limit: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _malformed(provider: str, detail: str) -> LynkrError:
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"provider {provider} returned a malformed response: {detail}",
        retryable=True,
        provider=provider,
    )


# --------------------------------------------------------------------------- stream


class StreamDecoder:
    """``streamGenerateContent?alt=sse`` data events → canonical events.

    Each event is a whole GenerateContentResponse with only the new parts;
    function calls arrive whole. ``usageMetadata`` grows as the answer does,
    so the last one seen wins; the message finishes at EOF (Gemini sends no
    terminator) and only if a ``finishReason`` was seen.
    """

    __slots__ = ("_b", "_calls", "_finish", "_input_usage", "_on_signature", "_usage")

    def __init__(
        self,
        message_id: str,
        model: str,
        input_usage: Usage,
        on_signature: Callable[[str, str], None] | None = None,
    ) -> None:
        self._b = StreamBuilder(message_id, model, input_usage)
        self._input_usage = input_usage
        self._on_signature = on_signature
        self._finish: object = None
        self._usage: Usage | None = None
        self._calls = 0

    def feed(self, _event: str | None, data: str) -> list[StreamEvent]:
        if self._b.finished or not data.strip():
            return []
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return self._fail(f"Gemini sent an event that is not JSON: {data[:200]!r}")
        if not isinstance(chunk, dict):
            return self._fail(f"Gemini sent an event that is not an object: {data[:200]!r}")
        if isinstance(chunk.get("error"), dict):
            error = chunk["error"]
            kind = ErrorKind.RATE_LIMIT if error.get("code") == 429 else ErrorKind.UPSTREAM
            message = f"Gemini reported an error: {error.get('message') or error.get('status')}"
            return self._b.fail(LynkrError(kind, message, retryable=True))
        events = self._b.start()
        if "usageMetadata" in chunk:
            self._usage = usage_from(chunk["usageMetadata"])
        candidates = chunk.get("candidates")
        if isinstance(candidates, list) and candidates and isinstance(candidates[0], dict):
            candidate = candidates[0]
            content = candidate.get("content")
            parts = content.get("parts") if isinstance(content, dict) else None
            for part in parts if isinstance(parts, list) else []:
                events += self._part(part)
            if candidate.get("finishReason"):
                self._finish = candidate["finishReason"]
        elif isinstance(chunk.get("promptFeedback"), dict) and chunk["promptFeedback"].get("blockReason"):
            self._finish = "SAFETY"
        return events

    def _part(self, part: object) -> list[StreamEvent]:
        block = _block(part)
        if isinstance(block, ToolUseBlock):
            key = self._calls
            self._calls += 1
            events = self._b.tool_start(key, block.id, block.name)
            if block.signature:
                start = events[-1]
                start.block.signature = block.signature  # type: ignore[union-attr]
                if self._on_signature is not None:
                    self._on_signature(block.id, block.signature)
            return events + self._b.tool_args(key, orjson.dumps(block.input).decode())
        if isinstance(block, ThinkingBlock):
            return self._b.thinking(block.thinking, ORIGIN)
        if isinstance(block, TextBlock):
            return self._b.text(block.text)
        return []

    def finish(self) -> list[StreamEvent]:
        if self._b.finished:
            return []
        if self._finish is None:
            return self._fail("Gemini stream ended without a finishReason")
        usage = self._usage
        if usage is None or not (usage.input_tokens or usage.output_tokens or usage.cache_read_tokens):
            usage = Usage(
                input_tokens=self._input_usage.input_tokens,
                output_tokens=-(-self._b.output_chars // CHARS_PER_TOKEN),
                estimated=True,
            )
        return self._b.finish(stop_reason(self._finish, self._b.saw_tool_call), usage)

    def _fail(self, message: str) -> list[StreamEvent]:
        return self._b.fail(LynkrError(ErrorKind.UPSTREAM, message, retryable=True))
