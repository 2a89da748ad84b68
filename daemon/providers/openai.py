"""OpenAI Chat Completions and the family of servers that speak it.

One adapter covers OpenAI, Azure OpenAI and every OpenAI-compatible server;
the presets below only differ in default URL, key variable and small wire
quirks (which max-tokens field, whether ``stream_options`` is accepted,
where reasoning text goes back).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from daemon.canonical import Request, Response, StreamEvent, Usage
from daemon.dialects import openai_chat
from daemon.providers._streaming import pump
from daemon.providers.base import HTTPProvider, Option, with_estimated_usage
from daemon.sse import iter_sse
from daemon.tokens import estimate_request

_COMMON_OPTIONS = {
    "stream_usage": Option(bool, True, "ask for usage in streams (stream_options.include_usage)"),
    "max_tokens_field": Option(str, "max_tokens", "max_tokens or max_completion_tokens"),
    "reasoning_field": Option(
        str, "", "send assistant reasoning back under this key (DeepSeek: reasoning_content)"
    ),
}


class OpenAIProvider(HTTPProvider):
    type_name = "openai"
    DEFAULT_BASE_URL: ClassVar[str | None] = "https://api.openai.com/v1"
    DEFAULT_API_KEY_ENV: ClassVar[str | None] = "OPENAI_API_KEY"
    BASE_URL_ENV = ("OPENAI_ENDPOINT",)
    OPTIONS = {
        **_COMMON_OPTIONS,
        "max_tokens_field": Option(str, "max_completion_tokens", _COMMON_OPTIONS["max_tokens_field"].help),
    }

    def url(self, model: str) -> str:
        base = self.base_url
        # The original Lynkr's *_ENDPOINT variables hold the full URL.
        return base if base.endswith("/chat/completions") else f"{base}/chat/completions"

    def auth_headers(self) -> dict[str, str]:
        key = self.api_key
        return {"authorization": f"Bearer {key}"} if key else {}

    def body(self, request: Request, model: str, stream: bool) -> dict[str, Any]:
        return openai_chat.build_request(
            request,
            model,
            stream=stream,
            stream_usage=bool(self.option("stream_usage")),
            max_tokens_field=str(self.option("max_tokens_field")),
            reasoning_field=str(self.option("reasoning_field")) or None,
        )

    async def complete(self, request: Request, model: str) -> Response:
        response = await self.post(
            self.url(model), self.body(request, model, False), self.headers(self.auth_headers())
        )
        result = openai_chat.parse_response(await self.read_json(response), self.name)
        chars = sum(len(getattr(b, "text", "") or "") for b in result.content)
        result.usage = with_estimated_usage(result.usage, estimate_request(request), chars)
        return result

    async def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        response = await self.post(
            self.url(model),
            self.body(request, model, True),
            self.headers({**self.auth_headers(), "accept": "text/event-stream"}),
        )
        decoder = openai_chat.StreamDecoder(
            f"msg_{uuid.uuid4().hex[:24]}",
            model,
            Usage(input_tokens=estimate_request(request), estimated=True),
        )
        async for event in pump(
            self, response, iter_sse(response.content), lambda _name, data: decoder.feed(data), decoder.finish
        ):
            yield event


class AzureOpenAIProvider(OpenAIProvider):
    """Azure OpenAI: the tier's model names the *deployment*; the key goes in ``api-key``."""

    type_name = "azure-openai"
    DEFAULT_BASE_URL = None
    DEFAULT_API_KEY_ENV = "AZURE_OPENAI_API_KEY"
    REQUIRES_BASE_URL = True
    BASE_URL_ENV = ("AZURE_OPENAI_ENDPOINT",)
    OPTIONS = {
        **OpenAIProvider.OPTIONS,
        "api_version": Option(str, "2024-10-21", "Azure api-version query value"),
    }
    OPTION_ENV = {"api_version": "AZURE_OPENAI_API_VERSION"}

    def url(self, model: str) -> str:
        base = self.base_url
        if "/openai/deployments/" not in base:
            base = f"{base}/openai/deployments/{model}"
        return f"{base}/chat/completions?api-version={self.option('api_version')}"

    def auth_headers(self) -> dict[str, str]:
        key = self.api_key
        return {"api-key": key} if key else {}


def _compatible(
    type_name: str,
    base_url: str | None,
    key_env: str | None,
    *,
    base_env: tuple[str, ...] = (),
    local: bool = False,
    **option_defaults: Any,
) -> type[OpenAIProvider]:
    """An OpenAI-compatible preset: same adapter, its own defaults."""
    options = dict(_COMMON_OPTIONS)
    for key, value in option_defaults.items():
        options[key] = Option(options[key].type, value, options[key].help)
    attrs = {
        "type_name": type_name,
        "DEFAULT_BASE_URL": base_url,
        "DEFAULT_API_KEY_ENV": key_env,
        "REQUIRES_BASE_URL": base_url is None,
        "KEY_REQUIRED": not local,
        "BASE_URL_ENV": base_env,
        "OPTIONS": options,
    }
    class_name = "".join(part.capitalize() for part in type_name.split("-")) + "Provider"
    return type(class_name, (OpenAIProvider,), attrs)


PROVIDERS: dict[str, type[OpenAIProvider]] = {
    "openai": OpenAIProvider,
    "azure-openai": AzureOpenAIProvider,
    "openrouter": _compatible(
        "openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", base_env=("OPENROUTER_ENDPOINT",)
    ),
    "deepseek": _compatible(
        "deepseek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", reasoning_field="reasoning_content"
    ),
    "moonshot": _compatible(
        "moonshot",
        "https://api.moonshot.ai/v1",
        "MOONSHOT_API_KEY",
        base_env=("MOONSHOT_ENDPOINT",),
        reasoning_field="reasoning_content",
    ),
    "zai": _compatible("zai", "https://api.z.ai/api/paas/v4", "ZAI_API_KEY", base_env=("ZAI_ENDPOINT",)),
    "databricks": _compatible("databricks", None, "DATABRICKS_API_KEY", base_env=("DATABRICKS_API_BASE",)),
    "vllm": _compatible(
        "vllm", "http://localhost:8000/v1", "VLLM_API_KEY", base_env=("VLLM_ENDPOINT",), local=True
    ),
    # llama.cpp's server reports no usage in streams and rejects nothing; keep stream_usage
    # on (newer builds honour it) and let Lynkr estimate when it is absent.
    "llamacpp": _compatible(
        "llamacpp",
        "http://localhost:8080/v1",
        "LLAMACPP_API_KEY",
        base_env=("LLAMACPP_ENDPOINT",),
        local=True,
    ),
    "lmstudio": _compatible(
        "lmstudio",
        "http://localhost:1234/v1",
        "LMSTUDIO_API_KEY",
        base_env=("LMSTUDIO_ENDPOINT",),
        local=True,
    ),
    "mlx": _compatible(
        "mlx", "http://localhost:8080/v1", "MLX_API_KEY", base_env=("MLX_ENDPOINT",), local=True
    ),
}
