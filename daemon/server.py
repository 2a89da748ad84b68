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
from daemon.access import check_admin_token, check_proxy_key
from daemon.config.model import TIERS, Config
from daemon.control import build_control_app
from daemon.dialects import anthropic
from daemon.errors import ErrorKind, LynkrError
from daemon.frontends import ANTHROPIC, OPENAI_CHAT, OPENAI_RESPONSES, Frontend, for_path
from daemon.model_info import model_info
from daemon.optimizers import Optimizers
from daemon.paths import StatePaths
from daemon.pipeline import error_response, handle, read_json
from daemon.pricing import baseline_target, price_table
from daemon.reload import Loader
from daemon.response_store import FILE_NAME as RESPONSES_FILE
from daemon.response_store import (
    RESPONSE_STORE,
    ResponseStore,
    delete_response,
    get_response,
    open_response_store,
)
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


async def get_model_info(request: web.Request) -> web.Response:
    """LiteLLM proxy's ``/v1/model/info``: context window, vision and tool support per model name."""
    return _json(model_info(request.app[STATE].runtime.config))


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
    load = {
        "in_flight": state.recorder.in_flight,
        "queued": state.admission.waiting,
        "max_in_flight": state.admission.max_in_flight,
        "max_queue": state.admission.max_queue,
        "shed": state.admission.shed,
    }
    if state.admission.overloaded:
        return _json({"status": "overloaded", **load}, status=503)
    return _json({"status": "ready", **load})


async def admin_reload(request: web.Request) -> web.Response:
    """``POST /v1/admin/reload``: re-read the config file (admin token required)."""
    from daemon.reload import reload_from_disk

    state = request.app[STATE]
    refused = check_admin_token(request, state.runtime.config.server.admin_token_env)
    if refused is not None:
        return error_response(OPENAI_CHAT, refused, "")
    if state.loader is None:
        return _json({"applied": False, "problems": [{"key": "<config>", "message": "no loader"}]}, 409)
    result = await reload_from_disk(state, state.loader, "admin reload")
    assert result is not None
    return _json(result.as_json(), status=200 if result.applied else 422)


@web.middleware
async def access_control(request: web.Request, handler):
    """The proxy key, when one is set (required beyond loopback); see daemon/access.py."""
    refused = check_proxy_key(request, request.app[STATE].runtime.config.server.api_key_env)
    if refused is not None:
        return error_response(for_path(request.path), refused, "")
    return await handler(request)


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


def build_api_app(state: DaemonState, responses: ResponseStore | None = None) -> web.Application:
    max_body = int(state.runtime.config.server.max_body_mb * 1024 * 1024)
    middlewares = [errors_in_dialect]
    # The key variable is read at start-up (a reload that names another one needs a restart, and the
    # environment of a running process does not change): without a key, no check runs at all.
    if os.environ.get(state.runtime.config.server.api_key_env):
        middlewares.append(access_control)
    app = web.Application(client_max_size=max_body, middlewares=middlewares)
    app[STATE] = state
    app.router.add_post("/v1/messages", _proxy(ANTHROPIC))
    app.router.add_post("/v1/messages/count_tokens", count_tokens)
    app.router.add_post("/v1/chat/completions", _proxy(OPENAI_CHAT))
    # Some clients are configured with a base URL without /v1.
    app.router.add_post("/chat/completions", _proxy(OPENAI_CHAT))
    # The Responses API (Codex CLI; OpenHands for gpt-5 names); stored responses survive restarts.
    if responses is not None:
        app[RESPONSE_STORE] = responses
    for prefix in ("/v1", ""):
        app.router.add_post(f"{prefix}/responses", _proxy(OPENAI_RESPONSES))
        app.router.add_get(f"{prefix}/responses/{{response_id}}", get_response)
        app.router.add_delete(f"{prefix}/responses/{{response_id}}", delete_response)
    app.router.add_get("/v1/models", list_models)
    app.router.add_get("/v1/model/info", get_model_info)
    app.router.add_get("/model/info", get_model_info)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/health/live", health_live)
    app.router.add_get("/health/ready", health_ready)
    app.router.add_post("/v1/admin/reload", admin_reload)
    app.router.add_get("/", root)  # GET also answers HEAD
    return app


# --------------------------------------------------------------------------- lifecycle


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


async def serve(config: Config, paths: StatePaths, loader: Loader | None = None) -> None:
    """Run until asked to stop. Raises StartupError for problems the user must fix.

    ``loader`` re-reads the config the way the daemon was started (same flags and environment),
    for hot reload; without it the config cannot be reloaded."""
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
    await recorder.load_today()
    state = DaemonState(Runtime.build(config), paths, url, recorder=recorder, loader=loader)
    state.optimizers = await Optimizers.open(config, paths)  # response cache + memory, in the state dir
    responses = await open_response_store(paths.state_dir / RESPONSES_FILE)  # for previous_response_id
    # Build the tree-sitter queries (a few hundred ms) and read the learned router model (~20 ms) now,
    # rather than on the first request that needs them.
    from daemon.routing.learned import default_model
    from daemon.routing.structure import preload

    preload()
    default_model()
    stop, force = asyncio.Event(), asyncio.Event()

    api_runner = web.AppRunner(
        build_api_app(state, responses),
        access_log=None,
        handler_cancellation=True,  # a client that disconnects cancels its upstream call
        shutdown_timeout=config.server.shutdown_grace_seconds,
        keepalive_timeout=config.server.keepalive_seconds,
        # Bounded request heads: 8 KiB per line and header, 100 headers.
        max_line_size=8190,
        max_field_size=8190,
        max_headers=100,
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
            loop.add_signal_handler(sig, _on_signal, stop, force)
        if loader is not None and config.server.watch_config and config.source is not None:
            from daemon.reload import watch

            state.background.add(loop.create_task(watch(state, loader, stop)))
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
        await _drain(api_runner, force)
        state.recorder.events.close()
        await control_runner.cleanup()
        await state.runtime.close()
        await store.close()  # flush every decision still in the write buffer
        await state.optimizers.close()  # after the work still storing answers and memories
        if responses is not None:
            await responses.close()  # its writer thread would otherwise keep the process alive
        for leftover in (paths.pid_file, paths.control_socket):
            try:
                if leftover == paths.pid_file and leftover.read_text().strip() != str(os.getpid()):
                    continue
                leftover.unlink()
            except OSError:
                pass
    log.info("stopped")


def _on_signal(stop: asyncio.Event, force: asyncio.Event) -> None:
    if stop.is_set():
        force.set()  # a second signal: do not wait for the drain
    stop.set()


async def _drain(api_runner: web.AppRunner, force: asyncio.Event) -> None:
    """Stop accepting, let in-flight requests finish up to the grace period (aiohttp cancels the
    rest then), or cancel them at once on a second signal. Cancelled requests still record their
    decision (as 499), so the store flush that follows loses nothing."""
    drain = asyncio.ensure_future(api_runner.cleanup())
    forced = asyncio.ensure_future(force.wait())
    await asyncio.wait({drain, forced}, return_when=asyncio.FIRST_COMPLETED)
    forced.cancel()
    if not drain.done():
        log.warning("second signal: stopping now, cancelling the requests still running")
        if api_runner.server is not None:
            # A tiny timeout, not 0: aiohttp reads 0 as "no timeout" and would wait for the handlers.
            await api_runner.server.shutdown(0.01)
        # The graceful drain is still waiting out its grace period: stop it, then run the cleanup
        # again, now quick (no connection left), so the app's cleanup hooks close their stores.
        drain.cancel()
        await asyncio.gather(drain, return_exceptions=True)
        await api_runner.cleanup()
