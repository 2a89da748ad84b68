"""AWS Bedrock runtime emulator: ``POST /model/{modelId}/converse`` and ``/converse-stream``.

Wire format: reference protocols.md §5.2. Requests must be SigV4-signed (service ``bedrock``) with one of
the known test credentials, and the emulator recomputes the signature with botocore's signer from what it
received (raw path, signed headers, body), so a path encoded twice, a header changed after signing or a
wrong region/service is a 403 ``InvalidSignatureException`` exactly as on AWS. A Bedrock API key
(``Authorization: Bearer``) is accepted instead when ``bearer_token`` is set.

ConverseStream replies use the real ``application/vnd.amazon.eventstream`` framing, built by
:func:`encode_message` (prelude, CRC32s, string headers), one message per event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import struct
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from .base import Emulator, RecordedRequest, Reply, approx_tokens, compact, split_fragments, split_words

__all__ = ["AwsCredentials", "BedrockEmulator", "encode_message"]

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)"
    r"/aws4_request, ?SignedHeaders=(?P<signed>[^,]+), ?Signature=(?P<signature>[0-9a-f]{64})$"
)
_MODEL_ID = re.compile(
    r"^(arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:"
    r"(inference-profile|application-inference-profile|foundation-model|provisioned-model)/[A-Za-z0-9.:/_-]+"
    r"|[A-Za-z0-9._:-]+)$"
)
BODY_KEYS = {
    "messages",
    "system",
    "inferenceConfig",
    "toolConfig",
    "guardrailConfig",
    "additionalModelRequestFields",
    "additionalModelResponseFieldPaths",
    "performanceConfig",
    "promptVariables",
    "requestMetadata",
}
BLOCK_KEYS = {
    "text",
    "image",
    "document",
    "video",
    "toolUse",
    "toolResult",
    "guardContent",
    "cachePoint",
    "reasoningContent",
    "citationsContent",
}
IMAGE_FORMATS = {"png", "jpeg", "gif", "webp"}
START_WITH_USER = (
    "A conversation must start with a user message. "
    "Try again with a conversation that starts with a user message."
)
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)


@dataclass(frozen=True)
class AwsCredentials:
    access_key: str
    secret_key: str
    token: str | None = None


class _Invalid(Exception):
    def __init__(self, message: str, status: int = 400, error_type: str = "ValidationException") -> None:
        super().__init__(message)
        self.message, self.status, self.error_type = message, status, error_type


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One event-stream message with string headers (type 7), CRCs as AWS computes them."""
    encoded = b"".join(
        struct.pack(">B", len(name.encode()))
        + name.encode()
        + b"\x07"
        + struct.pack(">H", len(value.encode()))
        + value.encode()
        for name, value in headers.items()
    )
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _event(event_type: str, payload: dict[str, Any]) -> bytes:
    return encode_message(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        compact(payload).encode(),
    )


def _exception(exception_type: str, message: str) -> bytes:
    return encode_message(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        compact({"message": message}).encode(),
    )


class BedrockEmulator(Emulator):
    """Speaks Bedrock's Converse API.

    Args:
        credentials: the SigV4 credentials it accepts (a session token, when set, must be sent).
        bearer_token: a Bedrock API key accepted as ``Authorization: Bearer``.
        region: the region the signature scope must name.
    """

    def __init__(
        self,
        name: str = "bedrock",
        *,
        credentials: list[AwsCredentials] | None = None,
        bearer_token: str | None = None,
        region: str = "us-east-1",
        models: list[str] | None = None,
    ) -> None:
        super().__init__(name, None, models=models)
        self.credentials = {c.access_key: c for c in credentials or []}
        self.bearer_token = bearer_token
        self.region = region

    def _error(
        self, status: int, error_type: str, message: str, headers: dict[str, str] | None = None
    ) -> web.Response:
        return web.json_response(
            {"message": message},
            status=status,
            headers={
                "x-amzn-ErrorType": f"{error_type}:http://internal.amazon.com/coral/com.amazon.bedrock/",
                "x-amzn-RequestId": str(uuid.uuid4()),
                **(headers or {}),
            },
        )

    async def dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        # raw_path: the path exactly as sent, before any decoding, is what the signature covers.
        match = re.match(r"^/model/([^/]+)/(converse|converse-stream)$", request.raw_path.split("?")[0])
        if request.method != "POST" or match is None:
            return self._error(404, "UnknownOperationException", "Unknown operation")
        rec.endpoint = "chat"
        model = unquote(match.group(1))
        rec.params["model"] = model
        rec.params["raw_model"] = match.group(1)
        denied = self._authenticate(request, rec)
        if denied is not None:
            return denied
        try:
            if not _MODEL_ID.match(model):
                raise _Invalid(
                    f"1 validation error detected: Value '{model}' at 'modelId' failed to satisfy "
                    "constraint: Member must satisfy regular expression pattern"
                )
            if self.models is not None and model not in self.models:
                raise _Invalid("The provided model identifier is invalid.", 400)
            self._validate(rec.body)
        except _Invalid as exc:
            return self._error(exc.status, exc.error_type, exc.message)
        return await self._converse(request, rec, match.group(2) == "converse-stream")

    # ------------------------------------------------------------------ auth

    def _authenticate(self, request: web.Request, rec: RecordedRequest) -> web.Response | None:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            if self.bearer_token is not None and auth[7:] == self.bearer_token:
                rec.params["auth"] = "bearer"
                return None
            return self._error(
                403, "AccessDeniedException", "Invalid API Key format: Must start with pre-defined prefix"
            )
        parsed = _AUTH.match(auth)
        if parsed is None:
            return self._error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        creds = self.credentials.get(parsed["key"])
        if creds is None:
            return self._error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if creds.token is not None and request.headers.get("X-Amz-Security-Token") != creds.token:
            return self._error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        if parsed["service"] != "bedrock" or parsed["region"] != self.region:
            return self._error(
                403,
                "InvalidSignatureException",
                "Credential should be scoped to correct service/region: "
                f"{parsed['service']}/{parsed['region']}",
            )
        stamp = request.headers.get("X-Amz-Date", "")
        try:
            when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        except ValueError:
            return self._error(403, "InvalidSignatureException", "Missing or invalid X-Amz-Date")
        if abs((dt.datetime.now(dt.UTC) - when).total_seconds()) > 300:
            return self._error(403, "InvalidSignatureException", "Signature expired")
        signed = parsed["signed"].split(";")
        if "host" not in signed:
            return self._error(403, "InvalidSignatureException", "'Host' must be a signed header")
        expected = expected_signature(
            creds,
            self.region,
            request.method,
            f"http://{request.host}{request.raw_path}",
            {name: request.headers.get(name, "") for name in signed},
            rec.raw,
            stamp,
        )
        if expected != parsed["signature"]:
            return self._error(403, "InvalidSignatureException", SIGNATURE_MISMATCH)
        rec.params["auth"] = "sigv4"
        rec.params["access_key"] = creds.access_key
        return None

    # ------------------------------------------------------------------ validation

    def _validate(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise _Invalid("Malformed input request, please reformat your input and try again.")
        unknown = set(body) - BODY_KEYS
        if unknown:
            raise _Invalid(f"Malformed input request: extraneous key [{sorted(unknown)[0]}] is not permitted")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _Invalid(START_WITH_USER)
        has_tool_config = isinstance(body.get("toolConfig"), dict)
        previous_uses: set[str] = set()
        for i, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            if role not in ("user", "assistant"):
                raise _Invalid(f"messages.{i}.role: must be user or assistant")
            if i == 0 and role != "user":
                raise _Invalid(START_WITH_USER)
            if i and messages[i - 1].get("role") == role:
                raise _Invalid(
                    "A conversation must alternate between user and assistant roles. "
                    "Make sure the conversation alternates between user and assistant roles and try again."
                )
            content = message.get("content")
            if not isinstance(content, list) or not content:
                raise _Invalid(
                    f"The content field in the Message object at messages.{i} is empty. "
                    "Add a ContentBlock object to the content field and try again."
                )
            uses: set[str] = set()
            results: set[str] = set()
            for j, block in enumerate(content):
                where = f"messages.{i}.content.{j}"
                self._block(block, where, has_tool_config, role)
                if "toolUse" in block:
                    uses.add(block["toolUse"]["toolUseId"])
                if "toolResult" in block:
                    results.add(block["toolResult"]["toolUseId"])
            if results - previous_uses:
                raise _Invalid(
                    "The toolUse blocks at the previous turn do not match the toolResult ids: "
                    f"{sorted(results - previous_uses)}"
                )
            if role == "user" and previous_uses and not previous_uses <= results:
                raise _Invalid(
                    f"Expected toolResult blocks at messages.{i}.content for the following Ids: "
                    + ", ".join(sorted(previous_uses - results))
                )
            previous_uses = uses
        for j, block in enumerate(body.get("system") or []):
            if not isinstance(block, dict) or not ({"text", "cachePoint", "guardContent"} & set(block)):
                raise _Invalid(f"system.{j}: a SystemContentBlock needs text or cachePoint")
            if "text" in block and not str(block["text"]).strip():
                raise _Invalid(f"The text field in the SystemContentBlock object at system.{j} is blank.")
        config = body.get("inferenceConfig")
        if config is not None:
            unknown = set(config) - {"maxTokens", "temperature", "topP", "stopSequences"}
            if unknown:
                raise _Invalid(
                    f"Malformed input request: extraneous key [{sorted(unknown)[0]}] in inferenceConfig"
                )
        if has_tool_config:
            tools = body["toolConfig"].get("tools")
            if not isinstance(tools, list) or not tools:
                raise _Invalid("toolConfig.tools: must have at least 1 tool")
            for k, tool in enumerate(tools):
                spec = tool.get("toolSpec") if isinstance(tool, dict) else None
                if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
                    raise _Invalid(f"toolConfig.tools.{k}.toolSpec.name: required")
                if not isinstance((spec.get("inputSchema") or {}).get("json"), dict):
                    raise _Invalid(f"toolConfig.tools.{k}.toolSpec.inputSchema.json: required")
                if "description" in spec and not spec["description"]:
                    raise _Invalid(f"toolConfig.tools.{k}.toolSpec.description: length must be at least 1")

    def _block(self, block: Any, where: str, has_tool_config: bool, role: str) -> None:
        if not isinstance(block, dict) or len(set(block) & BLOCK_KEYS) != 1 or set(block) - BLOCK_KEYS:
            raise _Invalid(f"{where}: a ContentBlock must have exactly one member")
        if "text" in block and not str(block["text"]).strip():
            raise _Invalid(
                f"The text field in the ContentBlock object at {where} is blank. "
                "Add text to the text field, and try again."
            )
        if "image" in block:
            _image(block["image"], where)
        if ("toolUse" in block or "toolResult" in block) and not has_tool_config:
            raise _Invalid(
                "The toolConfig field must be defined when using toolUse and toolResult content blocks."
            )
        if "toolUse" in block:
            use = block["toolUse"]
            if (
                role != "assistant"
                or not isinstance(use.get("toolUseId"), str)
                or not isinstance(use.get("input"), dict)
            ):
                raise _Invalid(
                    f"{where}.toolUse: toolUseId, name and an object input are required in an assistant turn"
                )
        if "toolResult" in block:
            result = block["toolResult"]
            if role != "user" or not isinstance(result.get("content"), list) or not result["content"]:
                raise _Invalid(f"{where}.toolResult: content is required in a user turn")
            if result.get("status", "success") not in ("success", "error"):
                raise _Invalid(f"{where}.toolResult.status: must be success or error")
            for k, part in enumerate(result["content"]):
                if "image" in part:
                    _image(part["image"], f"{where}.toolResult.content.{k}")
                elif not ({"text", "json", "document"} & set(part)):
                    raise _Invalid(f"{where}.toolResult.content.{k}: unsupported member")

    # ------------------------------------------------------------------ reply

    async def _converse(self, request: web.Request, rec: RecordedRequest, stream: bool) -> web.StreamResponse:
        reply = self._next_reply() or Reply()
        early = await self._prelude(request, reply, stream)
        if early is not None:
            return early
        body = rec.json
        if reply.is_error:
            return self._error_reply(reply, body)
        text = reply.text
        if text is None and not reply.tool_calls:
            text = self.default_text(_last_user_text(body["messages"]))
        text = text or ""
        input_tokens = reply.input_tokens or approx_tokens(body["messages"], body.get("system"))
        output_tokens = reply.output_tokens or approx_tokens(
            reply.thinking, text, *[compact(c.arguments) for c in reply.tool_calls]
        )
        stop = reply.finish or ("tool_use" if reply.tool_calls else "end_turn")
        usage = {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        }
        calls = [(c.id or f"tooluse_{uuid.uuid4().hex[:22]}", c) for c in reply.tool_calls]
        signature = base64.b64encode(f"sig:{reply.thinking}".encode()).decode() if reply.thinking else None
        if not stream:
            content: list[dict[str, Any]] = []
            if reply.thinking:
                content.append(
                    {"reasoningContent": {"reasoningText": {"text": reply.thinking, "signature": signature}}}
                )
            if text:
                content.append({"text": text})
            for call_id, call in calls:
                content.append(
                    {"toolUse": {"toolUseId": call_id, "name": call.name, "input": call.arguments}}
                )
            out: dict[str, Any] = {
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": stop,
                "metrics": {"latencyMs": 42},
            }
            if reply.usage:
                out["usage"] = usage
            return web.json_response(out, headers=self._reply_headers(reply))

        frames = [_event("messageStart", {"role": "assistant"})]
        index = 0
        if reply.thinking:
            for piece in split_words(reply.thinking):
                frames.append(
                    _event(
                        "contentBlockDelta",
                        {"contentBlockIndex": index, "delta": {"reasoningContent": {"text": piece}}},
                    )
                )
            frames.append(
                _event(
                    "contentBlockDelta",
                    {"contentBlockIndex": index, "delta": {"reasoningContent": {"signature": signature}}},
                )
            )
            frames.append(_event("contentBlockStop", {"contentBlockIndex": index}))
            index += 1
        if text:
            for piece in split_words(text):
                frames.append(
                    _event("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": piece}})
                )
            frames.append(_event("contentBlockStop", {"contentBlockIndex": index}))
            index += 1
        for call_id, call in calls:
            frames.append(
                _event(
                    "contentBlockStart",
                    {
                        "contentBlockIndex": index,
                        "start": {"toolUse": {"toolUseId": call_id, "name": call.name}},
                    },
                )
            )
            for piece in split_fragments(compact(call.arguments)):
                frames.append(
                    _event(
                        "contentBlockDelta",
                        {"contentBlockIndex": index, "delta": {"toolUse": {"input": piece}}},
                    )
                )
            frames.append(_event("contentBlockStop", {"contentBlockIndex": index}))
            index += 1
        frames.append(_event("messageStop", {"stopReason": stop}))
        metadata: dict[str, Any] = {"metrics": {"latencyMs": 42}}
        if reply.usage:
            metadata["usage"] = usage
        frames.append(_event("metadata", metadata))
        return await self._send_stream(
            request,
            reply,
            frames,
            content_type="application/vnd.amazon.eventstream",
            error_chunk=lambda message: _exception("modelStreamErrorException", message),
            headers={"x-amzn-RequestId": str(uuid.uuid4()), **self._reply_headers(reply)},
        )

    def _error_reply(self, reply: Reply, body: dict[str, Any]) -> web.Response:
        names = {
            400: "ValidationException",
            403: "AccessDeniedException",
            404: "ResourceNotFoundException",
            429: "ThrottlingException",
            500: "InternalServerException",
            503: "ServiceUnavailableException",
        }
        message = reply.error_message
        if message is None and reply.context_window is not None:
            message = "Input is too long for requested model."
        if message is None:
            message = {
                429: "Too many requests, please wait before trying again.",
                503: "Bedrock is unable to process your request.",
            }.get(reply.status, f"error {reply.status}")
        return self._error(
            reply.status,
            reply.error_type or names.get(reply.status, "InternalServerException"),
            message,
            self._reply_headers(reply),
        )


def expected_signature(
    creds: AwsCredentials,
    region: str,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    stamp: str,
) -> str:
    """The SigV4 signature botocore computes for this request at time ``stamp``."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    aws_request = AWSRequest(method=method, url=url, data=body, headers=headers)
    aws_request.context["timestamp"] = stamp
    auth = SigV4Auth(Credentials(creds.access_key, creds.secret_key, creds.token), "bedrock", region)
    canonical = auth.canonical_request(aws_request)
    return auth.signature(auth.string_to_sign(aws_request, canonical), aws_request)


def _image(image: Any, where: str) -> None:
    if not isinstance(image, dict) or image.get("format") not in IMAGE_FORMATS:
        raise _Invalid(f"{where}.image.format: must be one of png, jpeg, gif, webp")
    data = (image.get("source") or {}).get("bytes")
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise _Invalid(f"{where}.image.source.bytes: invalid base64") from exc


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            texts = [b["text"] for b in message.get("content", []) if "text" in b]
            if texts:
                return texts[-1]
    return ""
