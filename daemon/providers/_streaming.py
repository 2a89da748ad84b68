"""The stream loop shared by HTTP providers: read wire events, decode, yield canonical events.

Kept apart from ``base`` so the base stays about connections and errors.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable

import aiohttp

from daemon.canonical import StreamError, StreamEvent
from daemon.errors import ErrorKind, LynkrError
from daemon.providers.base import HTTPProvider

Feed = Callable[[str | None, str], Iterable[StreamEvent]]


async def pump(
    provider: HTTPProvider,
    response: aiohttp.ClientResponse,
    wire_events: AsyncIterator[tuple[str | None, str]],
    feed: Feed,
    finish: Callable[[], Iterable[StreamEvent]],
) -> AsyncIterator[StreamEvent]:
    """Yield canonical events until the decoder finishes or fails.

    The upstream response is always released, also when the consumer stops
    early (client gone): closing the generator runs the ``finally``, which
    closes the connection so the provider stops generating tokens we would
    throw away.
    """
    done = False
    started = False  # has any canonical event gone to the pipeline?
    wire_seen = False  # did the upstream send a single event at all?
    idle = provider.idle_limit  # None: aiohttp's sock_read already is the idle timeout
    opened = time.monotonic()
    try:
        while True:
            # The idle timeout: a stalled upstream ends the stream with an error, never a hang.
            try:
                if idle is None:
                    name, data = await anext(wire_events)
                else:
                    async with asyncio.timeout(idle):
                        name, data = await anext(wire_events)
            except StopAsyncIteration:
                break
            wire_seen = True
            for event in feed(name, data):
                started = True
                if isinstance(event, StreamError):
                    yield StreamError(_attributed(event.error, provider))
                    return
                yield event
        if not wire_seen:
            # A 200 with no events at all (an HTML error page from a proxy in front of the
            # provider, an empty body) is a failure, never an empty answer.
            kind = response.headers.get("content-type", "no content-type")
            yield StreamError(
                LynkrError(
                    ErrorKind.UPSTREAM,
                    f"provider {provider.name!r} answered the stream with no events ({kind})",
                    retryable=True,
                    transient=True,
                    provider=provider.name,
                )
            )
            return
        for event in finish():
            yield StreamError(_attributed(event.error, provider)) if isinstance(event, StreamError) else event
        done = True
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        total = provider.config.total_timeout
        if isinstance(exc, TimeoutError) and total and time.monotonic() - opened >= total * 0.9:
            # aiohttp reports its total timeout like any other timeout: say which limit it was.
            exc = LynkrError(
                ErrorKind.TIMEOUT,
                f"provider {provider.name!r} did not finish within {total:g}s (total_timeout)",
                transient=True,
                provider=provider.name,
            )
        failure = provider.stream_failure(exc)
        if not started:  # nothing reached the client yet: another candidate may still answer
            failure.retryable = True
        yield StreamError(failure)
    finally:
        if done:
            response.release()
        else:
            response.close()


def _attributed(error: LynkrError, provider: HTTPProvider) -> LynkrError:
    """Decoders do not know which provider they decode; the client and the log should."""
    if error.provider is None:
        error.provider = provider.name
        if provider.name not in error.message:
            error.message = f"provider {provider.name!r}: {error.message}"
    return error
