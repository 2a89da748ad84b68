"""Ollama's native ``/api/chat`` (NDJSON streaming, tools, images, thinking)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from daemon.canonical import Request, Response, StreamEvent, TextBlock, Usage
from daemon.dialects import ollama
from daemon.providers._streaming import pump
from daemon.providers.base import HTTPProvider, Option, with_estimated_usage
from daemon.sse import iter_ndjson
from daemon.tokens import estimate_request


class OllamaProvider(HTTPProvider):
    type_name = "ollama"
    DEFAULT_BASE_URL = "http://localhost:11434"
    DEFAULT_API_KEY_ENV = None
    KEY_REQUIRED = False
    BASE_URL_ENV = ("OLLAMA_BASE_URL", "OLLAMA_ENDPOINT")
    OPTIONS = {
        # Ollama's default context is 4k below 24 GiB of VRAM and it truncates
        # longer prompts silently; agent prompts are far longer.
        "num_ctx": Option(
            int, 32768, "context window Ollama allocates (options.num_ctx); 0 = Ollama's default"
        ),
        "keep_alive": Option(
            str, "", "how long Ollama keeps the model loaded, e.g. 30m; empty = its default"
        ),
    }

    def url(self) -> str:
        return f"{self.base_url}/api/chat"

    def auth_headers(self) -> dict[str, str]:
        key = self.api_key  # a reverse proxy in front of Ollama may want one
        return {"authorization": f"Bearer {key}"} if key else {}

    def body(self, request: Request, model: str, stream: bool) -> dict[str, Any]:
        return ollama.build_request(
            request,
            model,
            stream=stream,
            num_ctx=int(self.option("num_ctx")) or None,
            keep_alive=str(self.option("keep_alive")) or None,
        )

    async def complete(self, request: Request, model: str) -> Response:
        response = await self.post(
            self.url(), self.body(request, model, False), self.headers(self.auth_headers())
        )
        result = ollama.parse_response(await self.read_json(response), self.name)
        chars = sum(len(b.text) for b in result.content if isinstance(b, TextBlock))
        result.usage = with_estimated_usage(result.usage, estimate_request(request), chars)
        return result

    async def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        response = await self.post(
            self.url(), self.body(request, model, True), self.headers(self.auth_headers())
        )
        decoder = ollama.StreamDecoder(
            f"msg_{uuid.uuid4().hex[:24]}",
            model,
            Usage(input_tokens=estimate_request(request), estimated=True),
        )

        async def lines() -> AsyncIterator[tuple[str | None, str]]:
            async for line in iter_ndjson(response.content):
                yield None, line

        async for event in pump(self, response, lines(), lambda _n, line: decoder.feed(line), decoder.finish):
            yield event


PROVIDERS = {"ollama": OllamaProvider}
