"""AWS Bedrock through the Converse and ConverseStream APIs.

Two ways to authenticate: a Bedrock API key (``Authorization: Bearer``, from
``AWS_BEARER_TOKEN_BEDROCK`` by default) or SigV4 with credentials from
botocore's standard chain (environment, shared credentials/config files and
profiles, session tokens, SSO, container and instance roles). Signing and the
binary event-stream decoder are botocore's; botocore is the optional extra
``lynkr[bedrock]`` and the config check says so when it is missing.

The model id goes into the path percent-encoded exactly once (ids contain
``:``, inference-profile ARNs ``/``); yarl is told the URL is already encoded
so aiohttp sends the very string that was signed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any, ClassVar
from urllib.parse import quote

import aiohttp
import orjson
from yarl import URL

from daemon.canonical import Request, Response, StreamEvent, TextBlock, Usage
from daemon.dialects import bedrock_converse as converse
from daemon.errors import ErrorKind, LynkrError
from daemon.providers._streaming import pump
from daemon.providers.base import HTTPProvider, Option, with_estimated_usage
from daemon.tokens import estimate_request

SIGNING_NAME = "bedrock"  # the endpoint prefix is bedrock-runtime, the SigV4 service name is not
AUTH_MODES = ("auto", "sigv4", "bearer")
MISSING_BOTOCORE = "needs botocore for SigV4 and the event stream: pip install 'lynkr[bedrock]'"
_QUOTA_ERRORS = ("ThrottlingException", "ServiceQuotaExceededException")


def sign(url: str, body: bytes, headers: Mapping[str, str], credentials: Any, region: str) -> dict[str, str]:
    """The request headers plus SigV4 auth (``Authorization``, ``X-Amz-Date``, session token).

    ``credentials`` are botocore frozen credentials. botocore's signer builds the
    canonical request from ``url`` as given, so it must be the exact string sent.
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
    SigV4Auth(credentials, SIGNING_NAME, region).add_auth(request)
    return dict(request.headers.items())


def model_path(model: str, stream: bool) -> str:
    # safe="" so ARN slashes and version colons are both encoded, once.
    return f"/model/{quote(model, safe='')}/{'converse-stream' if stream else 'converse'}"


class BedrockProvider(HTTPProvider):
    type_name = "bedrock"
    DEFAULT_BASE_URL: ClassVar[str | None] = None  # https://bedrock-runtime.<region>.amazonaws.com
    DEFAULT_API_KEY_ENV: ClassVar[str | None] = "AWS_BEARER_TOKEN_BEDROCK"
    KEY_REQUIRED = False  # SigV4 credentials come from the AWS chain, not a key variable
    OPTIONS = {
        "region": Option(
            str, "", "AWS region; empty = AWS_REGION, AWS_DEFAULT_REGION or the profile's region"
        ),
        "profile": Option(str, "", "AWS profile for SigV4 credentials; empty = the default credential chain"),
        "auth": Option(
            str, "auto", 'auto (bearer key when its variable is set, else SigV4), "sigv4" or "bearer"'
        ),
    }

    def __init__(self, config: Any, env: Mapping[str, str]) -> None:
        super().__init__(config, env)
        self._credentials: Any = None
        self._region: str | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def check_options(cls, options: Mapping[str, Any], env: Mapping[str, str]) -> list[tuple[str, str]]:
        """Problems the config check reports: (option or "type", message)."""
        problems: list[tuple[str, str]] = []
        if importlib.util.find_spec("botocore") is None:
            problems.append(("type", f"provider type 'bedrock' {MISSING_BOTOCORE}"))
        auth = options.get("auth", "auto")
        if auth not in AUTH_MODES:
            problems.append(("auth", f"{auth!r} is not one of {', '.join(AUTH_MODES)}"))
        return problems

    # ----------------------------------------------------------------------- auth

    def _use_bearer(self) -> bool:
        mode = self.option("auth")
        return mode == "bearer" or (mode == "auto" and self.api_key is not None)

    def _botocore_session(self) -> Any:
        try:
            import botocore.session
        except ImportError as exc:
            raise self._config_error(MISSING_BOTOCORE) from exc
        return botocore.session.Session(profile=self.option("profile") or None)

    async def region(self) -> str:
        if self._region is None:
            region = (
                self.option("region") or self._env.get("AWS_REGION") or self._env.get("AWS_DEFAULT_REGION")
            )
            if not region:
                # The profile's config file may name one; reading it is file I/O, so off the loop.
                region = await asyncio.to_thread(
                    lambda: self._botocore_session().get_config_variable("region")
                )
            if not region:
                raise self._config_error(
                    "has no AWS region: set the region option, AWS_REGION or a region in the AWS profile"
                )
            self._region = str(region)
        return self._region

    async def _frozen_credentials(self) -> Any:
        async with self._lock:
            if self._credentials is None:
                self._credentials = await asyncio.to_thread(self._resolve_credentials)
        credentials = self._credentials
        refresh_needed = getattr(credentials, "refresh_needed", None)
        if refresh_needed is not None and refresh_needed():
            # Refreshing may call STS or the instance metadata service: never on the loop.
            return await asyncio.to_thread(credentials.get_frozen_credentials)
        return credentials.get_frozen_credentials()

    def _resolve_credentials(self) -> Any:
        from botocore.exceptions import BotoCoreError

        try:
            credentials = self._botocore_session().get_credentials()
        except BotoCoreError as exc:
            raise self._config_error(f"cannot load AWS credentials: {exc}") from exc
        if credentials is None:
            raise self._config_error(
                "found no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, "
                f"or a Bedrock API key in {self.config.api_key_env or 'AWS_BEARER_TOKEN_BEDROCK'}"
            )
        return credentials

    def _config_error(self, detail: str) -> LynkrError:
        return LynkrError(ErrorKind.UPSTREAM, f"provider {self.name!r} {detail}", provider=self.name)

    async def endpoint(self) -> str:
        if self.config.base_url:
            return self.config.base_url.rstrip("/")
        return f"https://bedrock-runtime.{await self.region()}.amazonaws.com"

    async def signed(self, model: str, stream: bool, body: bytes) -> tuple[URL, dict[str, str]]:
        url = await self.endpoint() + model_path(model, stream)
        headers = self.headers({"accept": "application/vnd.amazon.eventstream"} if stream else None)
        if self._use_bearer():
            key = self.api_key
            if key is None:
                raise self._config_error(f"uses auth = 'bearer' but {self.config.api_key_env} is not set")
            headers["authorization"] = f"Bearer {key}"
        else:
            credentials = await self._frozen_credentials()
            headers = sign(url, body, headers, credentials, await self.region())
        return URL(url, encoded=True), headers

    def redact(self, text: str) -> str:
        text = super().redact(text)
        credentials = self._credentials
        secret = getattr(credentials, "secret_key", None) if credentials is not None else None
        return text.replace(secret, "[redacted]") if secret else text

    # ----------------------------------------------------------------------- requests

    async def _send(self, model: str, request: Request, stream: bool) -> aiohttp.ClientResponse:
        body = orjson.dumps(converse.build_request(request, model))
        url, headers = await self.signed(model, stream, body)
        try:
            response = await self.session().post(url, data=body, headers=headers, timeout=self._timeout())
        except TimeoutError as exc:
            raise LynkrError(
                ErrorKind.TIMEOUT,
                f"provider {self.name!r} did not answer within {self.config.read_timeout:g}s",
                retryable=True,
                provider=self.name,
            ) from exc
        except aiohttp.ClientError as exc:
            raise LynkrError(
                ErrorKind.UPSTREAM,
                f"cannot reach provider {self.name!r} at {url.host}: "
                f"{self.redact(str(exc)) or type(exc).__name__}",
                retryable=True,
                provider=self.name,
            ) from exc
        if response.status >= 400:
            raise await self.error_from(response)
        return response

    async def error_from(self, response: aiohttp.ClientResponse) -> LynkrError:
        error_type = response.headers.get("x-amzn-errortype", "").partition(":")[0]
        error = await super().error_from(response)
        if error_type in _QUOTA_ERRORS:
            # A quota is a 400 ("Too many tokens per day"): back off, never compact the conversation.
            return LynkrError(
                ErrorKind.RATE_LIMIT,
                error.message,
                retry_after=error.retry_after,
                retryable=True,
                transient=True,
                provider=self.name,
            )
        # Bedrock words context overflow its own way ("Input is too long for requested model").
        if error.kind is ErrorKind.INVALID_REQUEST and "too long" in error.message.lower():
            return LynkrError(ErrorKind.CONTEXT_LENGTH, error.message, provider=self.name)
        return error

    async def complete(self, request: Request, model: str) -> Response:
        response = await self._send(model, request, stream=False)
        result = converse.parse_response(await self.read_json(response), self.name)
        result.model = model
        chars = sum(len(b.text) for b in result.content if isinstance(b, TextBlock))
        result.usage = with_estimated_usage(result.usage, estimate_request(request), chars)
        return result

    async def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        response = await self._send(model, request, stream=True)
        decoder = converse.StreamDecoder(
            f"msg_{uuid.uuid4().hex[:24]}",
            model,
            Usage(input_tokens=estimate_request(request), estimated=True),
        )
        async for event in pump(self, response, event_stream(response), decoder.feed, decoder.finish):
            yield event


async def event_stream(response: aiohttp.ClientResponse) -> AsyncIterator[tuple[str | None, str]]:
    """``(event type, JSON payload)`` per event-stream message, decoded as bytes arrive.

    Exceptions come as ``("exception:<type>", payload)``. A frame with a bad CRC
    or length raises ValueError, which the stream loop reports as a broken stream.
    """
    from botocore.eventstream import EventStreamBuffer, ParserError

    buffer = EventStreamBuffer()
    async for chunk in response.content.iter_any():
        buffer.add_data(chunk)
        try:
            for message in buffer:
                headers = message.headers
                payload = message.payload.decode("utf-8", "replace")
                kind = headers.get(":message-type")
                if kind == "event":
                    yield headers.get(":event-type"), payload
                elif kind == "exception":
                    yield f"exception:{headers.get(':exception-type')}", payload
                elif kind == "error":
                    detail = orjson.dumps({"message": headers.get(":error-message", "")}).decode()
                    yield f"exception:{headers.get(':error-code')}", detail
        except ParserError as exc:
            raise ValueError(f"corrupt event stream: {type(exc).__name__}: {exc}") from exc


PROVIDERS = {"bedrock": BedrockProvider}
