"""The client dialects Lynkr answers in, each a thin facade over its wire-format module.

The pipeline only sees this small interface, so a new client dialect (the
Responses API, ...) is one more ``Frontend`` and touches nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from daemon.canonical import Request, Response, StreamEvent
from daemon.dialects import anthropic, openai_chat
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


def for_path(path: str) -> Frontend:
    """The dialect a client on ``path`` expects errors in (for 404s and such)."""
    return ANTHROPIC if path.startswith("/v1/messages") else OPENAI_CHAT
