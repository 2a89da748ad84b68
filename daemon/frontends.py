"""The client dialects Lynkr answers in, each a thin facade over its wire-format module.

The pipeline only sees this small interface, so a new client dialect (the
Responses API, ...) is one more ``Frontend`` and touches nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from daemon import response_store
from daemon.canonical import Request, Response, StreamEvent
from daemon.dialects import anthropic, openai_chat, openai_responses
from daemon.errors import LynkrError


class StreamEncoder(Protocol):
    def encode(self, event: StreamEvent) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Frontend:
    name: str
    parse: Callable[[Any, Mapping[str, str]], Request]
    render: Callable[[Response, str], dict[str, Any]]
    encoder: Callable[[Request], StreamEncoder]
    error: Callable[[LynkrError], tuple[int, dict[str, Any]]]
    # Async steps for a dialect with server-side state (the Responses API's previous_response_id):
    # ``resolve`` runs before routing and may expand the request; ``settle`` runs after the answer.
    resolve: Callable[[web.Request, Request], Awaitable[Request]] | None = None
    settle: Callable[[web.Request, Request, web.StreamResponse], Awaitable[None]] | None = None


ANTHROPIC = Frontend(
    name="anthropic",
    parse=anthropic.parse_request,
    render=anthropic.render_response,
    encoder=lambda request: anthropic.StreamEncoder(request.model),
    error=anthropic.render_error,
)

OPENAI_CHAT = Frontend(
    name="openai",
    parse=openai_chat.parse_request,
    render=openai_chat.render_response,
    encoder=lambda request: openai_chat.StreamEncoder(request.model, request.include_usage),
    error=openai_chat.render_error,
)


OPENAI_RESPONSES = Frontend(
    name="openai-responses",
    parse=openai_responses.parse_request,
    render=openai_responses.render_response,
    encoder=lambda request: openai_responses.StreamEncoder(request),  # type: ignore[arg-type]
    error=openai_responses.render_error,
    resolve=response_store.resolve,
    settle=response_store.settle,
)


def for_path(path: str) -> Frontend:
    """The dialect a client on ``path`` expects errors in (for 404s and such)."""
    if path.startswith("/v1/messages"):
        return ANTHROPIC
    return OPENAI_RESPONSES if path.startswith(("/v1/responses", "/responses")) else OPENAI_CHAT
