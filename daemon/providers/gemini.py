"""Google's ``generateContent``: the Gemini API (API key) and Vertex AI (OAuth).

Both speak the same body (``daemon.dialects.gemini``); they differ in URL and
auth. Vertex uses google-auth (the optional extra ``lynkr[vertex]``) with
application-default credentials or a service-account file; the token is
refreshed before it expires, in a worker thread because google-auth's
transport is blocking.

Gemini 3 rejects a turn whose replayed function calls lack their
``thoughtSignature``. Clients never echo that field, so each provider keeps
the signatures it has seen by call id (bounded, most recent kept) and puts
them back when the client sends the calls again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import re
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import aiohttp

from daemon.canonical import Request, Response, StreamEvent, TextBlock, ToolUseBlock, Usage
from daemon.dialects import gemini
from daemon.errors import ErrorKind, LynkrError
from daemon.providers._streaming import pump
from daemon.providers.base import HTTPProvider, Option, with_estimated_usage
from daemon.sse import iter_sse
from daemon.tokens import estimate_request

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
REFRESH_MARGIN = dt.timedelta(minutes=5)
"""A token this close to expiry is renewed first, so no request leaves with a token that dies in flight."""
MAX_SIGNATURES = 10_000
MISSING_GOOGLE_AUTH = "needs google-auth for Vertex AI credentials: pip install 'lynkr[vertex]'"
_MODEL = re.compile(r"^[A-Za-z0-9._-]+$")
_OVERFLOW = ("exceeds the maximum number of tokens", "input token count")


class GeminiProvider(HTTPProvider):
    type_name = "gemini"
    DEFAULT_BASE_URL: ClassVar[str | None] = "https://generativelanguage.googleapis.com"
    DEFAULT_API_KEY_ENV: ClassVar[str | None] = "GEMINI_API_KEY"
    BASE_URL_ENV = ("GEMINI_BASE_URL",)
    OPTIONS = {"api_version": Option(str, "v1beta", "Gemini API version in the URL path")}

    def __init__(self, config: Any, env: Mapping[str, str]) -> None:
        super().__init__(config, env)
        self._signatures: OrderedDict[str, str] = OrderedDict()

    # ----------------------------------------------------------------------- signatures

    def remember_signature(self, call_id: str, signature: str) -> None:
        self._signatures[call_id] = signature
        self._signatures.move_to_end(call_id)
        while len(self._signatures) > MAX_SIGNATURES:
            self._signatures.popitem(last=False)

    @property
    def signatures(self) -> Mapping[str, str]:
        return self._signatures

    # ----------------------------------------------------------------------- wire

    def model_name(self, model: str) -> str:
        name = model.removeprefix("models/")
        if not _MODEL.match(name):
            raise LynkrError(
                ErrorKind.INVALID_REQUEST,
                f"{model!r} is not a Gemini model name (letters, digits, '.', '_' and '-')",
                provider=self.name,
            )
        return name

    async def url(self, model: str, stream: bool) -> str:
        base = self.base_url
        version = str(self.option("api_version"))
        prefix = base if base.endswith(f"/{version}") else f"{base}/{version}"
        return f"{prefix}/models/{self.model_name(model)}:{_method(stream)}"

    async def auth_headers(self) -> dict[str, str]:
        key = self.api_key
        return {"x-goog-api-key": key} if key else {}

    async def _post(self, request: Request, model: str, stream: bool) -> aiohttp.ClientResponse:
        headers = await self.auth_headers()  # first: loading Vertex credentials may also name the project
        url = await self.url(model, stream)
        if stream:
            headers["accept"] = "text/event-stream"
        body = gemini.build_request(
            request, self._signatures, require_signatures=gemini.needs_signatures(self.model_name(model))
        )
        return await self.post(url, body, self.headers(headers))

    async def error_from(self, response: aiohttp.ClientResponse) -> LynkrError:
        error = await super().error_from(response)
        lowered = error.message.lower()
        if error.kind is ErrorKind.INVALID_REQUEST and any(marker in lowered for marker in _OVERFLOW):
            return LynkrError(ErrorKind.CONTEXT_LENGTH, error.message, provider=self.name)
        if error.kind is ErrorKind.INVALID_REQUEST and "api key not valid" in lowered:
            # Gemini answers a bad key with a 400; it is Lynkr's key, not the client's request.
            return LynkrError(
                ErrorKind.UPSTREAM,
                f"provider {self.name!r} rejected Lynkr's credentials; check the key named by its "
                f"api_key_env: {error.message}",
                retryable=True,
                provider=self.name,
            )
        return error

    async def complete(self, request: Request, model: str) -> Response:
        response = await self._post(request, model, stream=False)
        result = gemini.parse_response(await self.read_json(response), self.name)
        result.model = model
        for block in result.content:
            if isinstance(block, ToolUseBlock) and block.signature:
                self.remember_signature(block.id, block.signature)
        chars = sum(len(b.text) for b in result.content if isinstance(b, TextBlock))
        result.usage = with_estimated_usage(result.usage, estimate_request(request), chars)
        return result

    async def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        response = await self._post(request, model, stream=True)
        decoder = gemini.StreamDecoder(
            f"msg_{uuid.uuid4().hex[:24]}",
            model,
            Usage(input_tokens=estimate_request(request), estimated=True),
            on_signature=self.remember_signature,
        )
        async for event in pump(self, response, iter_sse(response.content), decoder.feed, decoder.finish):
            yield event


def _method(stream: bool) -> str:
    # Without alt=sse the stream is one JSON array sent piecemeal, which no SSE reader can cut.
    return "streamGenerateContent?alt=sse" if stream else "generateContent"


class VertexProvider(GeminiProvider):
    """Gemini on Vertex AI: ``https://{location}-aiplatform.googleapis.com/v1/projects/...``."""

    type_name = "vertex"
    DEFAULT_BASE_URL = None
    DEFAULT_API_KEY_ENV = None
    KEY_REQUIRED = False  # OAuth tokens from google-auth, not a key variable
    BASE_URL_ENV = ()
    OPTION_ENV = {"location": "GOOGLE_CLOUD_LOCATION"}
    OPTIONS = {
        "project": Option(
            str, "", "Google Cloud project; empty = GOOGLE_CLOUD_PROJECT or the credentials' own"
        ),
        "location": Option(str, "us-central1", "Vertex AI region, or global"),
        "credentials_file": Option(
            str, "", "service-account JSON key file; empty = application-default credentials"
        ),
    }

    def __init__(self, config: Any, env: Mapping[str, str]) -> None:
        super().__init__(config, env)
        self._credentials: Any = None
        self._project: str | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def check_options(cls, options: Mapping[str, Any], env: Mapping[str, str]) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        if not _google_auth_installed():
            problems.append(("type", f"provider type 'vertex' {MISSING_GOOGLE_AUTH}"))
        path = options.get("credentials_file")
        if isinstance(path, str) and path and not Path(path).expanduser().is_file():
            problems.append(("credentials_file", f"{path!r} is not a readable file"))
        location = options.get("location", "us-central1")
        if isinstance(location, str) and not re.match(r"^[a-z0-9-]+$", location):
            problems.append(("location", f"{location!r} is not a Vertex AI location such as us-central1"))
        return problems

    # ----------------------------------------------------------------------- auth

    def _load_credentials(self) -> tuple[Any, str | None]:
        try:
            import google.auth
            from google.oauth2 import service_account
        except ImportError as exc:
            raise self._auth_error(MISSING_GOOGLE_AUTH) from exc
        path = str(self.option("credentials_file"))
        try:
            if path:
                credentials = service_account.Credentials.from_service_account_file(
                    str(Path(path).expanduser()), scopes=SCOPES
                )
                return credentials, credentials.project_id
            return google.auth.default(scopes=SCOPES)
        except (google.auth.exceptions.GoogleAuthError, OSError, ValueError) as exc:
            raise self._auth_error(f"cannot load Google credentials: {exc}") from exc

    def _refresh(self, credentials: Any) -> None:
        import google.auth.exceptions

        try:
            from google.auth.transport.requests import Request as AuthRequest
        except ImportError as exc:  # google-auth without its requests transport
            raise self._auth_error(MISSING_GOOGLE_AUTH) from exc
        try:
            credentials.refresh(AuthRequest())
        except google.auth.exceptions.GoogleAuthError as exc:
            raise self._auth_error(f"cannot get a Google access token: {self.redact(str(exc))}") from exc

    def _auth_error(self, detail: str) -> LynkrError:
        return LynkrError(
            ErrorKind.UPSTREAM, f"provider {self.name!r} {detail}", retryable=True, provider=self.name
        )

    async def token(self) -> str:
        # One refresh at a time: concurrent requests wait for it instead of each fetching a token.
        async with self._lock:
            if self._credentials is None:
                self._credentials, self._project = await asyncio.to_thread(self._load_credentials)
            credentials = self._credentials
            if _needs_refresh(credentials):
                await asyncio.to_thread(self._refresh, credentials)
            return str(credentials.token)

    async def project(self) -> str:
        project = str(self.option("project")) or self._env.get("GOOGLE_CLOUD_PROJECT")
        if not project:
            if self._credentials is None:
                await self.token()  # loads the credentials, which may name their project
            project = self._project
        if not project:
            raise self._auth_error(
                "has no Google Cloud project: set the project option or GOOGLE_CLOUD_PROJECT"
            )
        return project

    async def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {await self.token()}"}

    async def url(self, model: str, stream: bool) -> str:
        location = str(self.option("location"))
        base = (self.config.base_url or "").rstrip("/") or (
            "https://aiplatform.googleapis.com"
            if location == "global"
            else f"https://{location}-aiplatform.googleapis.com"
        )
        path = f"/v1/projects/{await self.project()}/locations/{location}/publishers/google/models"
        return f"{base}{path}/{self.model_name(model)}:{_method(stream)}"

    def redact(self, text: str) -> str:
        token = getattr(self._credentials, "token", None) if self._credentials is not None else None
        return text.replace(token, "[redacted]") if token else text


def _needs_refresh(credentials: Any) -> bool:
    if not getattr(credentials, "token", None):
        return True
    expiry = getattr(credentials, "expiry", None)  # naive UTC, google-auth's convention
    if expiry is None:
        return False
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return expiry - now < REFRESH_MARGIN


def _google_auth_installed() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None for name in ("google.auth", "requests"))
    except ModuleNotFoundError:  # no "google" namespace package at all
        return False


PROVIDERS = {"gemini": GeminiProvider, "vertex": VertexProvider}
