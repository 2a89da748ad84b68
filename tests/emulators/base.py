"""Shared machinery for the upstream provider emulators.

An :class:`Emulator` runs a small aiohttp application on ``127.0.0.1`` (OS-assigned port) in a
background thread with its own event loop, so that synchronous pytest code and the Lynkr daemon (a separate
process) can talk to it. Every request is recorded; replies are scripted per test with :class:`Reply`
objects and consumed FIFO, one per generation request. Subclasses implement :meth:`Emulator.dispatch` and
speak one provider's exact wire format.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web

__all__ = [
    "Emulator",
    "RecordedRequest",
    "Reply",
    "ToolCall",
    "approx_tokens",
    "split_fragments",
    "split_words",
]


@dataclass
class ToolCall:
    """One tool call the emulated model makes."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    """Call id; generated (``call_…`` / ``toolu_…``) when None. Ollama only sends one when it is set."""


@dataclass
class Reply:
    """A scripted upstream reply. Defaults produce a normal, successful text answer."""

    text: str | None = None
    """Assistant text. None means: the default echo text when there are no tool calls, no text otherwise."""
    tool_calls: list[ToolCall] = field(default_factory=list)
    thinking: str | None = None
    """OpenAI-compat: ``reasoning_content``; Anthropic: signed thinking block; Ollama: message.thinking."""
    finish: str | None = None
    """Override for finish_reason / stop_reason / done_reason, in the provider's own vocabulary."""
    usage: bool = True
    """False: report no usage at all (like llama.cpp's server in streams)."""
    input_tokens: int | None = None
    output_tokens: int | None = None

    status: int = 200
    """Anything but 200 sends an error body in the provider's error shape."""
    error_message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    """OpenAI ``error.code`` (e.g. ``context_length_exceeded``, ``rate_limit_exceeded``)."""
    retry_after: int | None = None
    """Adds a ``retry-after`` header (seconds) to the reply."""
    context_window: int | None = None
    """Set by :meth:`context_overflow`: render the provider's native "prompt too long" message."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra response headers."""

    delay: float = 0.0
    """Seconds to wait before sending headers."""
    chunk_delay: float = 0.0
    """Seconds between stream chunks."""
    fail_after_chunks: int | None = None
    """Streams: close the connection after N chunks (events/lines). Non-streams: close without a response."""
    stream_error: str | None = None
    """Streams: after ``fail_after_chunks`` (default 1) chunks send the provider's in-band error event."""
    raw_body: bytes | None = None
    """Send exactly these bytes with ``status`` and ``content_type``; nothing else is generated."""
    content_type: str = "application/json"

    quirk_no_index: bool = False
    """OpenAI streams: tool-call deltas without ``index``."""
    quirk_id_every_delta: bool = False
    """OpenAI streams: repeat the tool-call ``id`` on every argument delta."""
    quirk_azure_filter_chunk: bool = False
    """OpenAI streams: first chunk with ``choices: []`` + ``prompt_filter_results`` (always on for Azure)."""
    quirk_whole_args: bool = False
    """OpenAI streams: the complete arguments in the first tool-call delta."""
    quirk_finish_stop_with_tools: bool = False
    """OpenAI: ``finish_reason: "stop"`` although tool calls were sent."""

    @property
    def is_error(self) -> bool:
        return self.status != 200

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        error_type: str | None = None,
        retry_after: int | None = None,
        error_code: str | None = None,
    ) -> Reply:
        """An error reply in the provider's error shape (type derived from the status when not given)."""
        return cls(
            status=status,
            error_message=message,
            error_type=error_type,
            retry_after=retry_after,
            error_code=error_code,
        )

    @classmethod
    def context_overflow(cls, limit: int = 8192, tokens: int | None = None) -> Reply:
        """A 400 context-window overflow with each provider's native wording and code.

        OpenAI: "This model's maximum context length is <limit> tokens…", code ``context_length_exceeded``;
        Anthropic: "prompt is too long: <tokens> tokens > <limit> maximum"; Ollama: ``{"error": "…"}``.
        """
        return cls(
            status=400,
            error_type="invalid_request_error",
            error_code="context_length_exceeded",
            context_window=limit,
            input_tokens=tokens,
        )


@dataclass
class RecordedRequest:
    """One request as the emulator received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    """Lower-case header names."""
    body: Any
    """Parsed JSON, or None when the body was empty or not JSON."""
    raw: bytes
    endpoint: str = "unknown"
    """What the emulator recognised: ``chat`` (the generation endpoint), ``models``, ``count_tokens``, …"""
    params: dict[str, str] = field(default_factory=dict)
    """Path parameters, e.g. ``{"deployment": "gpt-4o"}`` for Azure."""
    status: int | None = None
    """Status the emulator answered with (set once the reply is decided)."""
    time: float = 0.0

    @property
    def deployment(self) -> str | None:
        return self.params.get("deployment")

    @property
    def json(self) -> dict[str, Any]:
        """The body as a dict (empty dict when it was not a JSON object)."""
        return self.body if isinstance(self.body, dict) else {}


class _ClientGone(Exception):
    """The client went away before the emulator finished its reply."""


_WORDS = re.compile(r"\S+\s*|\s+")


def split_words(text: str, per_chunk: int = 3) -> list[str]:
    """Split text into chunks of about ``per_chunk`` words; ``"".join(result) == text``."""
    words = _WORDS.findall(text)
    return ["".join(words[i : i + per_chunk]) for i in range(0, len(words), per_chunk)]


def split_fragments(text: str, parts: int = 4) -> list[str]:
    """Split a (JSON) string into about ``parts`` non-empty fragments; ``"".join(result) == text``."""
    if not text:
        return []
    size = max(1, math.ceil(len(text) / parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


def approx_tokens(*parts: Any) -> int:
    """Rough token count: characters / 4 (JSON-encoded for non-strings), at least 1."""
    chars = 0
    for part in parts:
        if part is None:
            continue
        chars += len(part) if isinstance(part, str) else len(json.dumps(part, ensure_ascii=False))
    return max(1, round(chars / 4))


def compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Emulator:
    """Base class: threaded aiohttp server, request recording, reply script, disconnect tracking."""

    default_models: tuple[str, ...] = ()

    def __init__(
        self, name: str, expected_key: str | None = None, *, models: Sequence[str] | None = None
    ) -> None:
        self.name = name
        self.expected_key = expected_key
        """When set, requests must authenticate with it (provider-specific header), else 401."""
        self.models: list[str] | None = list(models) if models is not None else None
        """When set, unknown models get the provider's 404; None accepts any model."""
        self.default_reply: Reply | None = None
        """Used when the script is empty (instead of the echo text reply)."""
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._script: collections.deque[Reply] = collections.deque()
        self._disconnects = 0
        self._open_streams = 0
        self._counter = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = False
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Self:
        if self._thread is not None:
            return self
        self._stopping = False
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=f"emulator-{self.name}", daemon=True
        )
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{self.name} emulator did not start within 10 s")
        if self._startup_error is not None:
            self._thread = None
            raise RuntimeError(f"{self.name} emulator failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        self._stopping = True
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:
            self._startup_error = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        app = web.Application(client_max_size=256 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{self.name} emulator is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash, no /v1)."""
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ records & script
    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far (including 401/400/404 ones)."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only requests to the generation endpoint."""
        with self._lock:
            return [r for r in self._requests if r.endpoint == "chat"]

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise LookupError(f"{self.name} emulator has not received any request")
            return self._requests[-1]

    @property
    def disconnects(self) -> int:
        """Replies where the client went away before the emulator finished writing."""
        with self._lock:
            return self._disconnects

    @property
    def open_streams(self) -> int:
        """Streaming replies currently being written."""
        with self._lock:
            return self._open_streams

    @property
    def pending(self) -> int:
        """Scripted replies not consumed yet."""
        with self._lock:
            return len(self._script)

    def script(self, *replies: Reply) -> Self:
        """Queue replies; each generation request that passes auth and validation consumes one (FIFO)."""
        with self._lock:
            self._script.extend(replies)
        return self

    def reset(self) -> None:
        """Forget recorded requests, the script, the default reply and the disconnect counter."""
        with self._lock:
            self._requests.clear()
            self._script.clear()
            self._disconnects = 0
        self.default_reply = None

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate`` until it is true or ``timeout`` passes; returns its last value."""
        deadline = time.monotonic() + timeout
        while True:
            if predicate():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def _next_reply(self) -> Reply | None:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.default_reply

    def _next_id(self) -> int:
        return next(self._counter)

    def default_text(self, last_user_text: str) -> str:
        return f"Hello from the {self.name} emulator. You said: {last_user_text[:200]}"

    # ------------------------------------------------------------------ request handling
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        rec = RecordedRequest(
            method=request.method,
            path=request.path,
            query={k: v for k, v in request.query.items()},
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            raw=raw,
            time=time.time(),
        )
        with self._lock:
            self._requests.append(rec)
        try:
            resp = await self.dispatch(request, rec)
        except _ClientGone:
            if not self._stopping:
                self._count_disconnect()
            rec.status = 499
            return web.Response(status=499)
        except asyncio.CancelledError:
            if not self._stopping:
                self._count_disconnect()
            raise
        if rec.status is None:
            rec.status = resp.status
        return resp

    async def dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        """Answer one request; implemented by each provider emulator."""
        raise NotImplementedError

    def _count_disconnect(self) -> None:
        with self._lock:
            self._disconnects += 1

    def _client_gone(self, request: web.Request) -> bool:
        transport = request.transport
        return transport is None or transport.is_closing()

    async def _sleep(self, request: web.Request, seconds: float) -> None:
        """Sleep, but notice promptly when the client disconnects (raises _ClientGone)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while True:
            if self._client_gone(request) or self._stopping:
                raise _ClientGone
            remaining = end - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(min(0.02, remaining))

    async def _prelude(self, request: web.Request, reply: Reply, stream: bool) -> web.StreamResponse | None:
        """Common reply handling before the provider-specific body: delay, raw body, dropped connection."""
        if reply.delay:
            await self._sleep(request, reply.delay)
        if reply.raw_body is not None:
            return web.Response(
                status=reply.status,
                body=reply.raw_body,
                headers={"Content-Type": reply.content_type, **reply.headers},
            )
        if not stream and reply.fail_after_chunks is not None and not reply.is_error:
            self._abort(request)
            return web.Response(status=200)
        return None

    def _abort(self, request: web.Request) -> None:
        transport = request.transport
        if transport is not None:
            transport.close()

    def _reply_headers(self, reply: Reply) -> dict[str, str]:
        headers = dict(reply.headers)
        if reply.retry_after is not None:
            headers["retry-after"] = str(reply.retry_after)
        return headers

    async def _write(self, request: web.Request, resp: web.StreamResponse, data: bytes) -> None:
        if self._client_gone(request):
            raise _ClientGone
        try:
            await resp.write(data)
        except ConnectionError as exc:  # includes aiohttp.ClientConnectionResetError
            raise _ClientGone from exc

    async def _send_stream(
        self,
        request: web.Request,
        reply: Reply,
        chunks: Iterable[bytes],
        *,
        content_type: str,
        error_chunk: Callable[[str], bytes],
        headers: dict[str, str] | None = None,
    ) -> web.StreamResponse:
        """Write ``chunks`` one by one honouring chunk_delay, fail_after_chunks and stream_error."""
        resp = web.StreamResponse(
            status=200,
            headers={"Content-Type": content_type, "Cache-Control": "no-cache", **(headers or {})},
        )
        fail_at = reply.fail_after_chunks
        if reply.stream_error is not None and fail_at is None:
            fail_at = 1
        with self._lock:
            self._open_streams += 1
        try:
            await resp.prepare(request)
            for index, chunk in enumerate(chunks):
                if fail_at is not None and index >= fail_at:
                    if reply.stream_error is not None:
                        await self._write(request, resp, error_chunk(reply.stream_error))
                    else:
                        self._abort(request)
                    return resp
                if index and reply.chunk_delay:
                    await self._sleep(request, reply.chunk_delay)
                await self._write(request, resp, chunk)
            return resp
        except _ClientGone:
            if not self._stopping:
                self._count_disconnect()
            return resp
        finally:
            with self._lock:
                self._open_streams -= 1
