"""Reading server-sent events and NDJSON from an upstream, line by line.

aiohttp hands us the body as it arrives; these generators cut it into
events without ever buffering a whole response. The SSE parser follows the
WHATWG rules that matter for LLM providers: ``event:`` names, multi-line
``data:``, comment lines (``: ping``), optional space after the colon, CRLF
or LF line ends, and a final event without a trailing blank line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

# A single line longer than this is an upstream bug, not a token; refuse to
# buffer it without bound.
MAX_LINE_BYTES = 8 * 1024 * 1024


async def _lines(content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
    while True:
        # aiohttp's default line limit is 128 KiB; one streamed tool call that
        # writes a whole file can be longer than that.
        line = await content.readuntil(b"\n", max_size=MAX_LINE_BYTES)
        if not line:
            return
        yield line.rstrip(b"\r\n")


async def iter_sse(content: aiohttp.StreamReader) -> AsyncIterator[tuple[str | None, str]]:
    """Yield ``(event_name, data)`` for each event; ``event_name`` is None when unnamed."""
    event: str | None = None
    data: list[str] = []
    async for raw in _lines(content):
        if not raw:
            if data:
                yield event, "\n".join(data)
            event, data = None, []
            continue
        line = raw.decode("utf-8", "replace")
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
        elif field == "event":
            event = value
    if data:
        yield event, "\n".join(data)


async def iter_ndjson(content: aiohttp.StreamReader) -> AsyncIterator[str]:
    """Yield each non-empty line of a newline-delimited JSON body."""
    async for raw in _lines(content):
        if raw.strip():
            yield raw.decode("utf-8", "replace")
