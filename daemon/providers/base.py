"""The one interface every provider adapter implements, and the HTTP plumbing they share.

A provider adapter is small: it says how to build its URL, headers and body
from a canonical ``Request`` (via its wire-format module in
``daemon.dialects``), and how to turn the reply back into canonical objects.
Pooling, timeouts, error mapping and key redaction live here, once.
"""

from __future__ import annotations

import asyncio
import math
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import aiohttp
import orjson

from daemon.canonical import Request, Response, StreamEvent, Usage
from daemon.config.model import ProviderConfig
from daemon.errors import ErrorKind, LynkrError, from_upstream_status
from daemon.tokens import CHARS_PER_TOKEN


@dataclass(frozen=True, slots=True)
class Option:
    """A type-specific config key a provider accepts under ``[providers.NAME]``."""

    type: type | tuple[type, ...]
    default: Any
    help: str


class Provider(ABC):
    """An upstream that can answer canonical requests.

    Class attributes describe the type for the config loader: defaults for
    ``base_url`` and ``api_key_env``, whether a base URL must be given, and
    the extra options it accepts.
    """

    type_name: ClassVar[str]
    DEFAULT_BASE_URL: ClassVar[str | None] = None
    DEFAULT_API_KEY_ENV: ClassVar[str | None] = None
    REQUIRES_BASE_URL: ClassVar[bool] = False
    KEY_REQUIRED: ClassVar[bool] = True
    """False for local servers (Ollama, llama.cpp, ...) that take no key."""
    SIMULATED: ClassVar[bool] = False
    OPTIONS: ClassVar[Mapping[str, Option]] = {}
    BASE_URL_ENV: ClassVar[tuple[str, ...]] = ()
    """Environment variables (first set wins) that override ``base_url`` for this type,
    the names users of the original Lynkr already set (``OLLAMA_BASE_URL``, ...)."""
    OPTION_ENV: ClassVar[Mapping[str, str]] = {}
    """Option name -> environment variable that overrides it (``AZURE_OPENAI_API_VERSION``)."""

    def __init__(self, config: ProviderConfig, env: Mapping[str, str]) -> None:
        self.config = config
        self.name = config.name
        self._env = env

    @property
    def api_key(self) -> str | None:
        if not self.config.api_key_env:
            return None
        return self._env.get(self.config.api_key_env) or None

    def option(self, key: str) -> Any:
        if key in self.config.options:
            return self.config.options[key]
        return self.OPTIONS[key].default

    @abstractmethod
    async def complete(self, request: Request, model: str) -> Response:
        """Answer in one piece."""

    @abstractmethod
    def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        """Answer as a canonical event stream (an async generator).

        Failures before the first event raise ``LynkrError`` so the pipeline
        can fall back to the next candidate; failures after it arrive as a
        ``StreamError`` event.
        """

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release pooled connections."""

    def redact(self, text: str) -> str:
        """Remove this provider's key from text that may reach a client or a log.

        Some upstreams echo (part of) the key in auth errors."""
        key = self.api_key
        if key and len(key) >= 6:
            text = text.replace(key, "[redacted]")
            # Providers echo masked keys ("sk-abc***...wxyz"): mask a visible prefix or suffix too.
            text = text.replace(key[:8], "[redacted]")
            if len(key) >= 16:
                text = text.replace(key[-8:], "[redacted]")
        return text


def estimate_output(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def with_estimated_usage(usage: Usage, input_estimate: int, output_chars: int) -> Usage:
    """Fill usage the upstream did not report, marking it estimated."""
    if usage.input_tokens or usage.output_tokens or usage.cache_read_tokens:
        return usage
    return Usage(
        input_tokens=input_estimate,
        output_tokens=estimate_output(output_chars),
        estimated=True,
    )


class HTTPProvider(Provider):
    """A provider reached over HTTP with one pooled aiohttp session."""

    def __init__(self, config: ProviderConfig, env: Mapping[str, str]) -> None:
        super().__init__(config, env)
        self._session: aiohttp.ClientSession | None = None

    @property
    def base_url(self) -> str:
        return (self.config.base_url or self.DEFAULT_BASE_URL or "").rstrip("/")

    def session(self) -> aiohttp.ClientSession:
        # Created lazily: a ClientSession must be made inside the running loop.
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.config.max_connections,
                keepalive_timeout=30,
                enable_cleanup_closed=True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                json_serialize=lambda o: orjson.dumps(o).decode(),
                auto_decompress=True,
                # Timeouts are per request (see _timeout); no session-wide total.
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(self) -> aiohttp.ClientTimeout:
        # aiohttp's sock_read bounds the wait for the headers and every silence after them with one
        # number, at no extra cost per chunk. The first-byte and idle limits may differ (a non-streamed
        # answer sends its headers only when it is done), so sock_read gets the larger of the two and
        # the smaller one, when they differ, is enforced on its own (``first_byte_limit``,
        # ``idle_limit``). With the defaults they are equal and no extra timer runs.
        return aiohttp.ClientTimeout(
            total=self.config.total_timeout or None,
            sock_connect=self.config.connect_timeout,
            sock_read=max(self.config.first_byte_timeout, self.config.read_timeout),
        )

    @property
    def first_byte_limit(self) -> float | None:
        """A first-byte timeout tighter than aiohttp's sock_read, or None when sock_read is it."""
        first, idle = self.config.first_byte_timeout, self.config.read_timeout
        return first if first < idle else None

    @property
    def idle_limit(self) -> float | None:
        """An idle timeout tighter than aiohttp's sock_read, or None when sock_read is it."""
        first, idle = self.config.first_byte_timeout, self.config.read_timeout
        return idle if idle < first else None

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"content-type": "application/json", "accept": "application/json"}
        headers.update(self.config.headers)
        if extra:
            headers.update(extra)
        return headers

    async def post(
        self,
        url: str,
        body: dict[str, Any],
        headers: Mapping[str, str],
    ) -> aiohttp.ClientResponse:
        """POST JSON and return the response once its status is known to be 2xx.

        Any failure becomes a ``LynkrError`` with a message safe to show the
        client: no key, no request headers.
        """
        try:
            async with asyncio.timeout(self.first_byte_limit):
                response = await self.session().post(
                    url, data=orjson.dumps(body), headers=headers, timeout=self._timeout()
                )
        except TimeoutError as exc:
            raise LynkrError(
                ErrorKind.TIMEOUT,
                f"provider {self.name!r} did not start answering within "
                f"{self.config.first_byte_timeout:g}s (first_byte_timeout)",
                retryable=True,
                transient=True,
                provider=self.name,
            ) from exc
        except aiohttp.ClientError as exc:
            detail = self.redact(str(exc)) or type(exc).__name__
            raise LynkrError(
                ErrorKind.UPSTREAM,
                f"cannot reach provider {self.name!r} at {self.base_url}: {detail}",
                retryable=True,
                transient=True,
                provider=self.name,
            ) from exc
        if response.status >= 400:
            raise await self.error_from(response)
        return response

    async def error_from(self, response: aiohttp.ClientResponse) -> LynkrError:
        try:
            raw = await asyncio.wait_for(response.read(), timeout=self.config.read_timeout)
        except (TimeoutError, aiohttp.ClientError):
            raw = b""
        finally:
            response.release()
        message = self.redact(_error_message(raw) or response.reason or "no detail")
        return from_upstream_status(
            response.status,
            message,
            provider=self.name,
            retry_after=_retry_after(response.headers.get("retry-after")),
        )

    async def read_json(self, response: aiohttp.ClientResponse) -> Any:
        try:
            async with asyncio.timeout(self.idle_limit):
                raw = await response.read()
        except TimeoutError as exc:
            raise LynkrError(
                ErrorKind.TIMEOUT,
                f"provider {self.name!r} stalled while answering",
                retryable=True,
                transient=True,
                provider=self.name,
            ) from exc
        except aiohttp.ClientError as exc:
            raise LynkrError(
                ErrorKind.UPSTREAM,
                f"provider {self.name!r} dropped the connection: {type(exc).__name__}",
                retryable=True,
                transient=True,
                provider=self.name,
            ) from exc
        finally:
            response.release()
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise LynkrError(
                ErrorKind.UPSTREAM,
                f"provider {self.name!r} returned a body that is not JSON: {raw[:120]!r}",
                retryable=True,
                transient=True,
                provider=self.name,
            ) from exc

    def stream_failure(self, exc: BaseException) -> LynkrError:
        """What a client sees when the upstream breaks off mid-stream."""
        if isinstance(exc, LynkrError):
            return exc
        if isinstance(exc, asyncio.TimeoutError):
            return LynkrError(
                ErrorKind.TIMEOUT,
                f"provider {self.name!r} stalled: no data for {self.config.read_timeout:g}s",
                transient=True,
                provider=self.name,
            )
        return LynkrError(
            ErrorKind.UPSTREAM,
            f"provider {self.name!r} broke off the stream: {type(exc).__name__}",
            transient=True,
            provider=self.name,
        )


def _error_message(raw: bytes) -> str:
    """The human part of an upstream error body in any of the shapes providers use."""
    if not raw:
        return ""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw[:300].decode("utf-8", "replace").strip()
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("message") or error.get("detail") or error)[:2000]
        if isinstance(error, str):
            return error[:2000]
        if "message" in body:
            return str(body["message"])[:2000]
    return str(body)[:300]


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
