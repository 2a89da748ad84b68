"""Anthropic Messages upstreams: Anthropic itself and Claude on Azure AI Foundry."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from daemon.canonical import Request, Response, StreamEvent, Usage
from daemon.dialects import anthropic
from daemon.dialects.anthropic_upstream import add_cache_breakpoints
from daemon.providers._streaming import pump
from daemon.providers.base import HTTPProvider, Option
from daemon.sse import iter_sse
from daemon.tokens import estimate_request


class AnthropicProvider(HTTPProvider):
    type_name = "anthropic"
    DEFAULT_BASE_URL: ClassVar[str | None] = "https://api.anthropic.com"
    DEFAULT_API_KEY_ENV: ClassVar[str | None] = "ANTHROPIC_API_KEY"
    OPTIONS = {
        "default_max_tokens": Option(
            int, 8192, "max_tokens sent when the client gave none (Anthropic requires one)"
        ),
        "forward_betas": Option(bool, True, "forward the client's anthropic-beta header"),
        "cache_breakpoints": Option(
            int, 4, "prompt-cache breakpoints placed on the stable prefix when the client set none; 0 = off"
        ),
    }

    def url(self) -> str:
        base = self.base_url
        return base if base.endswith("/v1/messages") else f"{base}/v1/messages"

    def auth_headers(self) -> dict[str, str]:
        key = self.api_key
        return {"x-api-key": key} if key else {}

    def request_headers(self, request: Request, stream: bool) -> dict[str, str]:
        headers = anthropic.upstream_headers(request)
        if not self.option("forward_betas"):
            headers.pop("anthropic-beta", None)
        headers.update(self.auth_headers())
        if stream:
            headers["accept"] = "text/event-stream"
        return self.headers(headers)

    def body(self, request: Request, model: str, stream: bool) -> dict[str, Any]:
        body = anthropic.build_request(
            request, model, stream=stream, default_max_tokens=int(self.option("default_max_tokens"))
        )
        add_cache_breakpoints(body, int(self.option("cache_breakpoints")))
        return body

    async def complete(self, request: Request, model: str) -> Response:
        response = await self.post(
            self.url(), self.body(request, model, False), self.request_headers(request, False)
        )
        return anthropic.parse_response(await self.read_json(response), self.name)

    async def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        response = await self.post(
            self.url(), self.body(request, model, True), self.request_headers(request, True)
        )
        decoder = anthropic.StreamDecoder(
            f"msg_{uuid.uuid4().hex[:24]}",
            model,
            Usage(input_tokens=estimate_request(request), estimated=True),
        )
        async for event in pump(self, response, iter_sse(response.content), decoder.feed, decoder.finish):
            yield event


class AzureAnthropicProvider(AnthropicProvider):
    """Claude on Azure AI Foundry: base_url is ``https://<resource>.services.ai.azure.com/anthropic``."""

    type_name = "azure-anthropic"
    DEFAULT_BASE_URL = None
    DEFAULT_API_KEY_ENV = "AZURE_ANTHROPIC_API_KEY"
    REQUIRES_BASE_URL = True
    BASE_URL_ENV = ("AZURE_ANTHROPIC_ENDPOINT",)

    def auth_headers(self) -> dict[str, str]:
        key = self.api_key
        # Foundry documents ``api-key``; its Anthropic route also takes ``x-api-key``.
        return {"api-key": key, "x-api-key": key} if key else {}


PROVIDERS = {"anthropic": AnthropicProvider, "azure-anthropic": AzureAnthropicProvider}
