"""Errors with a meaning every dialect can render.

A ``LynkrError`` carries a dialect-neutral ``kind``; each client dialect maps
the kind to its own error type and envelope (``{"type":"error","error":{...}}``
for Anthropic, ``{"error":{...}}`` for OpenAI). Nothing outside the dialect
modules formats an error body.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    INVALID_REQUEST = "invalid_request"
    AUTHENTICATION = "authentication"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    REQUEST_TOO_LARGE = "request_too_large"
    RATE_LIMIT = "rate_limit"
    CONTEXT_LENGTH = "context_length"  # a 400 that clients treat as "compact and retry"
    UPSTREAM = "upstream"  # the provider failed (5xx, bad reply, rejected our credentials)
    OVERLOADED = "overloaded"
    TIMEOUT = "timeout"
    INTERNAL = "internal"


_DEFAULT_STATUS = {
    ErrorKind.INVALID_REQUEST: 400,
    ErrorKind.AUTHENTICATION: 401,
    ErrorKind.PERMISSION: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.REQUEST_TOO_LARGE: 413,
    ErrorKind.RATE_LIMIT: 429,
    ErrorKind.CONTEXT_LENGTH: 400,
    ErrorKind.UPSTREAM: 502,
    ErrorKind.OVERLOADED: 529,
    ErrorKind.TIMEOUT: 504,
    ErrorKind.INTERNAL: 500,
}


class LynkrError(Exception):
    """An error to report to the client in its own dialect.

    ``param`` names the offending field (``messages[2].content[0].type``) for
    request validation errors. ``retry_after`` is seconds, forwarded as the
    ``retry-after`` header. ``retryable`` tells the pipeline it may try the
    next fallback candidate; it is never shown to the client. ``transient`` marks the
    failures that say the provider is unwell right now (timeouts, connection errors, 5xx,
    529, 429): they count against its circuit breaker and are worth retrying after a pause.
    """

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        status: int | None = None,
        param: str | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
        transient: bool = False,
        provider: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status if status is not None else _DEFAULT_STATUS[kind]
        self.param = param
        self.retry_after = retry_after
        self.retryable = retryable
        self.transient = transient
        self.provider = provider

    def __repr__(self) -> str:
        return f"LynkrError({self.kind.value!r}, {self.message!r}, status={self.status})"


def invalid(param: str, message: str) -> LynkrError:
    """A 400 for a request field; the message always names the field."""
    return LynkrError(ErrorKind.INVALID_REQUEST, f"{param}: {message}", param=param)


def from_upstream_status(
    status: int,
    message: str,
    *,
    provider: str,
    retry_after: float | None = None,
) -> LynkrError:
    """Map an upstream HTTP failure to what the client should see.

    429 stays 429 (with retry-after) and 529 stays overloaded, so clients back
    off the way they already know; any other 5xx becomes 502 because the
    failure is the provider's, not ours. A 401/403 from the provider means
    *Lynkr's* credentials are wrong, which the client cannot fix, so it is a
    502 that says which provider refused, never an auth error that would make
    the user doubt their own (unused) client key.
    """
    lowered = message.lower()
    if status == 429:
        return LynkrError(
            ErrorKind.RATE_LIMIT,
            message,
            retry_after=retry_after,
            retryable=True,
            transient=True,
            provider=provider,
        )
    if status == 529 or (status == 503 and "overload" in lowered):
        return LynkrError(
            ErrorKind.OVERLOADED,
            message,
            retry_after=retry_after,
            retryable=True,
            transient=True,
            provider=provider,
        )
    if status in (401, 403):
        return LynkrError(
            ErrorKind.UPSTREAM,
            f"provider {provider!r} rejected Lynkr's credentials (HTTP {status}); "
            f"check the key named by its api_key_env: {message}",
            retryable=True,
            provider=provider,
        )
    if status == 413:
        return LynkrError(ErrorKind.REQUEST_TOO_LARGE, message, provider=provider)
    if status in (400, 422) and _is_context_overflow(lowered):
        return LynkrError(ErrorKind.CONTEXT_LENGTH, message, provider=provider)
    if status == 404:
        return LynkrError(ErrorKind.NOT_FOUND, message, provider=provider, retryable=True)
    if 400 <= status < 500:
        return LynkrError(ErrorKind.INVALID_REQUEST, message, status=400, provider=provider)
    if status == 504:
        return LynkrError(ErrorKind.TIMEOUT, message, retryable=True, transient=True, provider=provider)
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"provider {provider!r} failed with HTTP {status}: {message}",
        retryable=True,
        transient=status >= 500,
        provider=provider,
    )


_OVERFLOW_MARKERS = (
    "context length",
    "context_length",
    "maximum context",
    "prompt is too long",
    "too many tokens",
    "context window",
)


def _is_context_overflow(lowered_message: str) -> bool:
    return any(marker in lowered_message for marker in _OVERFLOW_MARKERS)
