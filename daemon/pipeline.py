"""The request path, one stage after another.

    client dialect in -> canonical request -> session -> router
    -> optimizers -> provider (translate, invoke, translate back, stream)
    -> client dialect out, with every stage reporting to telemetry.

Read top to bottom, ``handle`` is the whole story of a request. Fallback
lives here because only the pipeline knows whether anything has been sent to
the client yet: once a byte is out, a failure can no longer be hidden by
trying another provider, and becomes an error event in the client's dialect.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any

import orjson
from aiohttp import web

from daemon.canonical import BlockDelta, Request, StreamError, StreamEvent
from daemon.config.model import Target
from daemon.errors import ErrorKind, LynkrError
from daemon.frontends import Frontend
from daemon.optimizers.cache import Tape
from daemon.providers.base import Provider
from daemon.reliability.backoff import retry_delay
from daemon.routing.router import RoutingDecision, route
from daemon.session import session_id
from daemon.state import DaemonState, Runtime
from daemon.streams import StreamAccumulator
from daemon.telemetry import DecisionRecord, Hop

log = logging.getLogger("lynkr.pipeline")

_SSE_HEADERS = {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",  # tell reverse proxies not to buffer the stream
}


async def handle(http: web.Request, frontend: Frontend, state: DaemonState) -> web.StreamResponse:
    runtime = state.runtime  # this request keeps this config even if a reload swaps it
    record = DecisionRecord(
        id=f"dec_{uuid.uuid4().hex[:20]}",
        started_at=time.time(),
        session="",
        dialect=frontend.name,
        user_agent=http.headers.get("user-agent", "")[:200],
        requested_model="",
        stream=False,
    )
    started = time.perf_counter()
    state.recorder.started()
    runtime.acquire()
    try:
        async with state.admission.slot():  # load shedding: past the bounds, an overload error
            response = await _serve(http, frontend, state, runtime, record, started)
    except LynkrError as error:
        response = error_response(frontend, error, record.id, lynkr_headers(record))
        record.status, record.error = response.status, error.message
    except asyncio.CancelledError:
        record.status, record.error = 499, "client closed the connection"
        raise
    finally:
        runtime.release()
        record.latency_ms = (time.perf_counter() - started) * 1000
        state.recorder.finished(record)
        state.sessions.remember_outcome(
            record.session, record.id, record.tool_call_ids, record.quality, record.cost_usd, record.tier
        )
    return response


async def _serve(
    http: web.Request,
    frontend: Frontend,
    state: DaemonState,
    runtime: Runtime,
    record: DecisionRecord,
    started: float,
) -> web.StreamResponse:
    """Parse, route, optimise and answer one request (errors are rendered by ``handle``)."""
    raw = await read_body(http)
    record.request_body = raw
    request = frontend.parse(parse_json(raw), http.headers)
    if frontend.resolve is not None:  # e.g. the Responses API's previous_response_id
        request = await frontend.resolve(http, request)
    record.requested_model, record.stream = request.model, request.stream
    record.session = session_id(http.headers, request)
    decision = route(
        request, runtime.config, state.sessions.view(record.session), http.headers, state.structure_cache
    )
    state.sessions.record(record.session, record.user_agent.split("/")[0] or frontend.name, request, decision)
    feedback = state.sessions.tool_feedback(record.session, request)
    if feedback is not None and state.recorder.store is not None:
        _background(state, state.recorder.store.update_quality(*feedback))
    record.tier, record.rule, record.reasons = decision.tier, decision.rule, decision.reasons
    record.score, record.override = decision.score, decision.override
    record.dimensions = {d.name: round(d.value, 3) for d in decision.dimensions}
    record.router_us = decision.elapsed_us
    # Optimizers: a repeat is answered from the response cache; otherwise memory may add context.
    plan = await state.optimizers.prepare(http.headers, request, runtime.config, decision.tier, record)
    if plan.hit is not None:
        response = await state.optimizers.serve_hit(http, frontend, plan, record, lynkr_headers)
    elif request.stream:
        response = await _stream(
            http,
            frontend,
            state,
            runtime,
            plan.request,
            decision,
            record,
            started,
            state.recorder.keeps_bodies,
            tape=plan.tape,
        )
    else:
        response = await _complete(frontend, state, runtime, plan.request, decision, record, tape=plan.tape)
    state.optimizers.after(plan, record)  # store the answer in the cache, learn memories (queued)
    if frontend.settle is not None:
        await frontend.settle(http, request, response)
    return response


def _background(state: DaemonState, work: Coroutine[Any, Any, Any]) -> None:
    """Run telemetry work off the request path, keeping a reference so it is not collected early."""
    task = asyncio.get_running_loop().create_task(work)
    state.background.add(task)
    task.add_done_callback(state.background.discard)


async def read_json(http: web.Request) -> object:
    return parse_json(await read_body(http))


async def read_body(http: web.Request) -> bytes:
    declared = http.headers.get("content-type")
    if declared is not None:
        media_type = declared.split(";", 1)[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise LynkrError(
                ErrorKind.INVALID_REQUEST,
                f"content-type {media_type or declared!r} is not JSON; send the body as "
                "application/json (curl: -H 'content-type: application/json')",
                status=415,
            )
    try:
        raw = await http.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise LynkrError(
            ErrorKind.REQUEST_TOO_LARGE,
            f"request body is larger than the {http.client_max_size / (1024 * 1024):g} MiB limit "
            "(server.max_body_mb)",
        ) from exc
    if not raw:
        raise LynkrError(ErrorKind.INVALID_REQUEST, "request body is empty; send a JSON object")
    return raw


def parse_json(raw: bytes) -> object:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LynkrError(ErrorKind.INVALID_REQUEST, f"request body is not valid JSON: {exc}") from exc


def lynkr_headers(record: DecisionRecord) -> dict[str, str]:
    """The decision, as far as it got (an error before routing has no tier yet)."""
    headers = {"x-lynkr-decision-id": record.id}
    for name, value in (
        ("x-lynkr-tier", record.tier),
        ("x-lynkr-provider", record.provider),
        ("x-lynkr-model", record.model),
        ("x-lynkr-rule", record.rule),
        ("x-lynkr-score", "" if record.score is None else f"{record.score:g}"),
    ):
        if value:
            headers[name] = value
    return headers


def error_response(
    frontend: Frontend, error: LynkrError, decision_id: str, extra_headers: dict[str, str] | None = None
) -> web.Response:
    status, body = frontend.error(error)
    headers = {"x-lynkr-decision-id": decision_id} if decision_id else {}
    headers.update(extra_headers or {})
    if error.retry_after is not None:
        headers["retry-after"] = str(max(0, round(error.retry_after)))
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


class _Attempts:
    """Each (candidate, try) a request should make, in order, recording every hop.

    A candidate whose breaker is open is skipped (and the skip recorded). The caller reports
    each try that fails with ``failed``; a transient failure is retried on the same provider
    after a jittered backoff, then the next candidate gets it. A failure that is not
    retryable (a bad request) ends the loop: no other provider would accept it either.
    """

    def __init__(
        self, state: DaemonState, runtime: Runtime, decision: RoutingDecision, record: DecisionRecord
    ) -> None:
        self.state, self.runtime, self.decision, self.record = state, runtime, decision, record
        self.error: LynkrError | None = None
        self.skipped: list[str] = []  # providers passed over because their breaker is open

    def tries(self) -> Iterator[tuple[Target, Provider, Hop] | float]:
        """The tries to make, in order, and between them the pauses (a float: seconds) to wait.

        A plain generator, not an async one: this runs for every request, and an async generator
        costs the event loop a registration and a finaliser each time."""
        settings = self.runtime.config.reliability
        breakers = self.state.breakers
        for target, provider in self.runtime.candidates(self.decision.tier):
            for attempt in range(settings.retries + 1):
                if not breakers.allow(target.provider):
                    self.record.hops.append(
                        Hop(target.provider, target.model, "skipped: circuit breaker open")
                    )
                    self.skipped.append(target.provider)
                    break
                hop = Hop(target.provider, target.model)
                self.record.hops.append(hop)
                self.error = None
                yield target, provider, hop
                if self.error is None:
                    return  # the caller succeeded (and stopped iterating)
                if not self.error.retryable:
                    return
                delay = retry_delay(attempt, self.error, settings)
                if delay is None:
                    break
                yield float(delay)

    def failed(self, hop: Hop, error: LynkrError) -> None:
        hop.error, self.error = error.message, error
        self.state.breakers.failure(hop.provider, error)

    def give_up(self) -> LynkrError:
        if self.error is not None:
            return self.error
        if self.skipped:
            # Nothing was even tried: every candidate is cooling down. Say so, and when to come back.
            waits = [self.state.breakers.get(p).next_probe_in() for p in self.skipped]
            soonest = min((w for w in waits if w is not None), default=None)
            return LynkrError(
                ErrorKind.OVERLOADED,
                f"every provider for the {self.decision.tier} tier is failing right now (circuit breaker "
                f"open: {', '.join(dict.fromkeys(self.skipped))}); retry shortly",
                retry_after=max(1.0, soonest) if soonest is not None else 1.0,
            )
        return _no_provider(self.decision)


async def _complete(
    frontend: Frontend,
    state: DaemonState,
    runtime: Runtime,
    request: Request,
    decision: RoutingDecision,
    record: DecisionRecord,
    tape: Tape | None = None,
) -> web.Response:
    attempts = _Attempts(state, runtime, decision, record)
    for step in attempts.tries():
        if not isinstance(step, tuple):  # a pause before retrying
            await asyncio.sleep(step)
            continue
        target, provider, hop = step
        called = time.perf_counter()
        try:
            response = await provider.complete(request, target.model)
        except LynkrError as error:
            attempts.failed(hop, error)
            continue
        except BaseException:  # cancelled (client gone) or a bug: free a half-open probe slot
            state.breakers.release(target.provider)
            raise
        state.breakers.success(target.provider)
        record.upstream_ms = (time.perf_counter() - called) * 1000
        record.provider, record.model, record.provider_type = (
            target.provider,
            target.model,
            provider.config.type,
        )
        record.usage, record.stop_reason, record.status = response.usage, response.stop_reason.value, 200
        body = orjson.dumps(frontend.render(response, request.model))
        record.response_body = body
        record.tool_call_ids = tuple(call.id for call in response.tool_calls())
        if tape is not None:
            tape.keep(response)
        return web.Response(body=body, content_type="application/json", headers=lynkr_headers(record))
    raise attempts.give_up()


async def _stream(
    http: web.Request,
    frontend: Frontend,
    state: DaemonState,
    runtime: Runtime,
    request: Request,
    decision: RoutingDecision,
    record: DecisionRecord,
    started: float,
    keep_body: bool,
    tape: Tape | None = None,
) -> web.StreamResponse:
    events, first = await _open_stream(state, runtime, request, decision, record)
    verdict: LynkrError | None = None  # how the upstream stream ended, for the breaker
    encoder = frontend.encoder(request)
    accumulator = StreamAccumulator()
    response = web.StreamResponse(status=200, headers={**_SSE_HEADERS, **lynkr_headers(record)})
    record.status = 200
    try:
        await response.prepare(http)
        event: StreamEvent | None = first
        while event is not None:
            accumulator.add(event)
            if tape is not None:  # recorded for the response cache and memory
                tape.add(event)
            if record.ttft_ms is None and isinstance(event, BlockDelta):
                record.ttft_ms = (time.perf_counter() - started) * 1000
            chunk = encoder.encode(event)
            if chunk:
                await response.write(chunk)
            if isinstance(event, StreamError):
                record.error, verdict = event.error.message, event.error
                break
            event = await anext(events, None)
        record.usage, record.stop_reason = accumulator.usage, accumulator.stop_reason.value
        # What the client received, as one message in its own dialect (for the decision record).
        final = accumulator.response()
        if keep_body:  # rendering the whole message again is only worth it to store it
            record.response_body = orjson.dumps(frontend.render(final, request.model))
        record.tool_call_ids = tuple(call.id for call in final.tool_calls())
        await response.write_eof()
    except (ConnectionResetError, asyncio.CancelledError):
        # The client went away: stop generating upstream (closing the generator
        # closes the provider connection) and let the cancellation continue.
        record.status, record.error = 499, "client closed the connection"
        raise
    except Exception:
        # A bug after the headers went out: end the stream with an error event
        # in the client's dialect rather than a silent truncation.
        log.exception("stream %s failed", record.id)
        record.status, record.error = 500, "internal error while streaming"
        failure = LynkrError(ErrorKind.INTERNAL, f"Lynkr failed while streaming (decision {record.id})")
        await response.write(encoder.encode(StreamError(failure)))
        await response.write_eof()
    finally:
        await events.aclose()
        if verdict is not None:
            state.breakers.failure(record.provider, verdict)
        elif record.status == 200:
            state.breakers.success(record.provider)
        else:
            state.breakers.release(record.provider)
    return response


async def _open_stream(
    state: DaemonState, runtime: Runtime, request: Request, decision: RoutingDecision, record: DecisionRecord
) -> tuple[AsyncIterator[StreamEvent], StreamEvent]:
    """Start a stream with the first candidate that yields a first event.

    Until that first event nothing is sent to the client, so a provider that
    fails to start is retried or replaced by the next one in the chain.
    """
    attempts = _Attempts(state, runtime, decision, record)
    for step in attempts.tries():
        if not isinstance(step, tuple):  # a pause before retrying
            await asyncio.sleep(step)
            continue
        target, provider, hop = step
        events = provider.stream(request, target.model)
        called = time.perf_counter()
        try:
            first = await anext(events)
        except StopAsyncIteration:
            error = LynkrError(
                ErrorKind.UPSTREAM,
                f"provider {target.provider!r} sent an empty stream",
                retryable=True,
                transient=True,
                provider=target.provider,
            )
        except LynkrError as exc:
            error = exc
        except BaseException:
            state.breakers.release(target.provider)
            await events.aclose()  # type: ignore[attr-defined]
            raise
        else:
            if not (isinstance(first, StreamError) and first.error.retryable):
                # The breaker hears how the stream ends, from _stream.
                record.provider, record.model = target.provider, target.model
                record.provider_type = provider.config.type
                record.upstream_ms = (time.perf_counter() - called) * 1000
                return events, first
            error = first.error
        await events.aclose()  # type: ignore[attr-defined]
        attempts.failed(hop, error)
    raise attempts.give_up()


def _no_provider(decision: RoutingDecision) -> LynkrError:
    return LynkrError(
        ErrorKind.UPSTREAM,
        f"no provider is configured for the {decision.tier} tier",
        status=503,
    )
