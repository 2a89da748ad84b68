"""The HTTP surfaces: the model API on TCP and the control API on a Unix socket.

``build_api_app`` wires the routes; ``serve`` runs both apps until a signal
or ``POST /v1/shutdown`` asks it to stop, then drains and cleans up.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import socket
import time
from typing import Any

import orjson
from aiohttp import web

from daemon import __version__
from daemon.config.model import TIERS, Config
from daemon.control import build_control_app
from daemon.dialects import anthropic
from daemon.errors import ErrorKind, LynkrError
from daemon.frontends import ANTHROPIC, OPENAI_CHAT, Frontend, for_path
from daemon.paths import StatePaths
from daemon.pipeline import error_response, handle, read_json
from daemon.pricing import Price, PriceTable
from daemon.state import DaemonState, Runtime
from daemon.store import DecisionStore
from daemon.telemetry import Recorder
from daemon.tokens import estimate_request

log = logging.getLogger("lynkr.server")

STATE: web.AppKey[DaemonState] = web.AppKey("state", DaemonState)


class StartupError(Exception):
    """Startup cannot go on; the message is one sentence telling the user what to do."""


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


# --------------------------------------------------------------------------- model API


def _proxy(frontend: Frontend):
    async def handler(request: web.Request) -> web.StreamResponse:
        return await handle(request, frontend, request.app[STATE])

    return handler


async def count_tokens(request: web.Request) -> web.Response:
    """Anthropic's token count, estimated locally (no provider call, no key needed)."""
    try:
        parsed = anthropic.parse_request(await read_json(request), request.headers, count_tokens=True)
    except LynkrError as error:
        return error_response(ANTHROPIC, error, "")
    return _json(anthropic.count_tokens_response(estimate_request(parsed)))


async def list_models(request: web.Request) -> web.Response:
    """One payload that both the OpenAI and the Anthropic SDKs accept.

    It lists the tier aliases (``lynkr-simple``...; asking for one pins the
    tier) and every configured upstream model.
    """
    config = request.app[STATE].runtime.config
    ids = [f"lynkr-{tier}" for tier in TIERS]
    for tier in config.tiers.values():
        for target in tier.chain():
            if target.model not in ids:
                ids.append(target.model)
    created = int(request.app[STATE].started_at)
    created_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created))
    data = [
        {
            "id": i,
            "object": "model",
            "created": created,
            "owned_by": "lynkr",
            "type": "model",
            "display_name": i,
            "created_at": created_at,
        }
        for i in ids
    ]
    return _json(
        {
            "object": "list",
            "data": data,
            "has_more": False,
            "first_id": ids[0] if ids else None,
            "last_id": ids[-1] if ids else None,
        }
    )


async def metrics(request: web.Request) -> web.Response:
    body, content_type = request.app[STATE].recorder.metrics.render()
    response = web.Response(body=body)
    response.headers["content-type"] = content_type
    return response


async def root(request: web.Request) -> web.Response:
    # Claude Code probes ``HEAD /`` for connectivity.
    return _json({"service": "lynkr", "version": __version__, "status": "running"})


async def health_live(request: web.Request) -> web.Response:
    return _json({"status": "alive", "uptime_seconds": round(time.time() - request.app[STATE].started_at, 3)})


async def health_ready(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.shutting_down:
        return _json({"status": "shutting_down"}, status=503)
    if not state.ready:
        return _json({"status": "starting"}, status=503)
    return _json({"status": "ready", "in_flight": state.recorder.in_flight})


@web.middleware
async def errors_in_dialect(request: web.Request, handler):
    """Every error a client sees is in the dialect of the path it called; never a bare 500 page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = {
            404: ErrorKind.NOT_FOUND,
            405: ErrorKind.INVALID_REQUEST,
            413: ErrorKind.REQUEST_TOO_LARGE,
        }.get(exc.status, ErrorKind.INVALID_REQUEST)
        message = {
            404: f"no such endpoint: {request.method} {request.path}",
            405: f"{request.method} is not allowed on {request.path}",
        }.get(exc.status, exc.text or exc.reason)
        response = error_response(for_path(request.path), LynkrError(kind, message, status=exc.status), "")
        if isinstance(exc, web.HTTPMethodNotAllowed):
            response.headers["allow"] = ", ".join(sorted(exc.allowed_methods))
        return response
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        error = LynkrError(ErrorKind.INTERNAL, "Lynkr hit an internal error; details are in its log")
        return error_response(for_path(request.path), error, "")


def build_api_app(state: DaemonState) -> web.Application:
    max_body = int(state.runtime.config.server.max_body_mb * 1024 * 1024)
    app = web.Application(client_max_size=max_body, middlewares=[errors_in_dialect])
    app[STATE] = state
    app.router.add_post("/v1/messages", _proxy(ANTHROPIC))
    app.router.add_post("/v1/messages/count_tokens", count_tokens)
    app.router.add_post("/v1/chat/completions", _proxy(OPENAI_CHAT))
    # Some clients are configured with a base URL without /v1.
    app.router.add_post("/chat/completions", _proxy(OPENAI_CHAT))
    app.router.add_get("/v1/models", list_models)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/health/live", health_live)
    app.router.add_get("/health/ready", health_ready)
    app.router.add_get("/", root)  # GET also answers HEAD
    return app


# --------------------------------------------------------------------------- lifecycle


def price_table(config: Config) -> PriceTable:
    return PriceTable({pattern: Price(**fields) for pattern, fields in config.pricing.overrides.items()})


def baseline_target(config: Config) -> tuple[str, str] | None:
    """The (provider type, model) savings are measured against."""
    name = config.pricing.baseline
    if name in config.tiers:
        tier = config.tiers[name]
        provider = config.providers.get(tier.provider)
        return (provider.type if provider else tier.provider, tier.model)
    provider_name, _, model = name.partition(":")
    provider = config.providers.get(provider_name)
    return (provider.type if provider else provider_name, model) if model else None


def _check_socket_free(path: str) -> None:
    """A live socket means another daemon owns this state dir; a dead one is stale."""
    if not os.path.exists(path):
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError:
        os.unlink(path)
        return
    finally:
        probe.close()
    raise StartupError(f"another Lynkr daemon already answers on {path}; run `lynkr down` first")


async def serve(config: Config, paths: StatePaths) -> None:
    """Run until asked to stop. Raises StartupError for problems the user must fix."""
    paths.ensure()
    control_path = str(paths.control_socket)
    if len(control_path.encode()) > 104:
        raise StartupError(
            f"the control socket path {control_path} is too long for a Unix socket; "
            "set LYNKR_HOME to a shorter directory"
        )
    _check_socket_free(control_path)

    host, port = config.server.host, config.server.port
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    store = await DecisionStore.open(
        paths.database,
        store_bodies=config.telemetry.store_bodies,
        retention_days=config.telemetry.retention_days,
        retention_mb=config.telemetry.retention_mb,
    )
    recorder = Recorder(store=store, prices=price_table(config), baseline=baseline_target(config))
    state = DaemonState(Runtime.build(config), paths, url, recorder=recorder)
    # Build the tree-sitter queries now (a few hundred ms) rather than on the first request per language.
    from daemon.routing.structure import preload

    preload()
    stop = asyncio.Event()

    api_runner = web.AppRunner(
        build_api_app(state),
        access_log=None,
        handler_cancellation=True,  # a client that disconnects cancels its upstream call
        shutdown_timeout=config.server.shutdown_grace_seconds,
    )
    control_runner = web.AppRunner(build_control_app(state, stop), access_log=None)
    await api_runner.setup()
    await control_runner.setup()
    try:
        try:
            await web.TCPSite(api_runner, host, port, reuse_address=True).start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {port} on {host} is already in use; stop the program using it or pass --port"
                ) from exc
            raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        await web.UnixSite(control_runner, control_path).start()
        os.chmod(control_path, 0o600)  # the control API changes the daemon: owner only
        paths.pid_file.write_text(f"{os.getpid()}\n")

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        state.ready = True
        mode = " (SIMULATED: no real provider configured)" if config.simulated_only else ""
        log.info("Lynkr %s listening on %s, control socket %s%s", __version__, url, control_path, mode)
        for tier, target in config.tier_map().items():
            log.info("tier %-9s -> %s", tier, target)
        for warning in config.warnings:
            log.warning("%s", warning)
        await stop.wait()
        log.info("stopping: draining in-flight requests (up to %ss)", config.server.shutdown_grace_seconds)
    finally:
        state.shutting_down = True
        state.ready = False
        # Drain the API first (its requests still report to watchers), then end the watchers'
        # streams so the control socket can close, then flush the store.
        await api_runner.cleanup()
        state.recorder.events.close()
        await control_runner.cleanup()
        await state.runtime.close()
        await store.close()  # flush every decision still in the write buffer
        for leftover in (paths.pid_file, paths.control_socket):
            try:
                if leftover == paths.pid_file and leftover.read_text().strip() != str(os.getpid()):
                    continue
                leftover.unlink()
            except OSError:
                pass
    log.info("stopped")
