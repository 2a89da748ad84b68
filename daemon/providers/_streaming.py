"""The stream loop shared by HTTP providers: read wire events, decode, yield canonical events.

Kept apart from ``base`` so the base stays about connections and errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable

import aiohttp

from daemon.canonical import StreamError, StreamEvent
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
    try:
        async for name, data in wire_events:
            for event in feed(name, data):
                yield event
                if isinstance(event, StreamError):
                    return
        for event in finish():
            yield event
        done = True
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        yield StreamError(provider.stream_failure(exc))
    finally:
        if done:
            response.release()
        else:
            response.close()
