"""The control API, served on the daemon's Unix socket.

It is the only way the CLI and the console see or change the running
daemon. The socket is created mode 0600, so only its owner can use it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from daemon import __version__
from daemon.events import session_event

if TYPE_CHECKING:
    from daemon.state import DaemonState

log = logging.getLogger("lynkr.control")

CONTROL_STATE: web.AppKey[Any] = web.AppKey("control_state")
STOP: web.AppKey[asyncio.Event] = web.AppKey("stop", asyncio.Event)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def status_payload(state: DaemonState) -> dict[str, Any]:
    config = state.runtime.config
    providers = state.runtime.providers
    tiers = {}
    for name, tier in config.tiers.items():
        provider = providers.get(tier.provider)
        tiers[name] = {
            "provider": tier.provider,
            "provider_type": provider.config.type if provider else None,
            "model": tier.model,
            "simulated": bool(provider and provider.SIMULATED),
            "fallback": [str(t) for t in tier.fallback],
        }
    return {
        "version": __version__,
        "pid": os.getpid(),
        "started_at": state.started_at,
        "uptime_seconds": round(time.time() - state.started_at, 3),
        "url": state.url,
        "control_socket": str(state.paths.control_socket),
        "state_dir": str(state.paths.state_dir),
        # A detached daemon writes to the log file; one in a terminal writes there instead.
        "log_file": None if sys.stderr.isatty() else str(state.paths.log_file),
        "shutdown_grace_seconds": config.server.shutdown_grace_seconds,
        "config_source": str(config.source) if config.source else None,
        "simulated_only": config.simulated_only,
        "default_tier": config.routing.default_tier,
        "api_key_env": config.server.api_key_env,  # the variable's name, never its value
        "tiers": tiers,
        "warnings": list(config.warnings),
        "ready": state.ready,
        "traffic": state.recorder.summary(),
        "watchers": state.recorder.events.subscribers,  # consoles and `lynkr logs -f` attached now
        "load": {
            "queued": state.admission.waiting,
            "max_in_flight": state.admission.max_in_flight,
            "max_queue": state.admission.max_queue,
            "shed": state.admission.shed,
            "overloaded": state.admission.overloaded,
        },
        "breakers": {name: state.breakers.get(name).state.value for name in state.runtime.providers},
    }


async def get_status(request: web.Request) -> web.Response:
    return _json(status_payload(request.app[CONTROL_STATE]))


async def post_shutdown(request: web.Request) -> web.Response:
    # Stop after this response is written, so the caller gets its answer.
    asyncio.get_running_loop().call_later(0.05, request.app[STOP].set)
    return _json({"status": "stopping"}, status=202)


def _session_json(session: Any) -> dict[str, Any]:
    return {
        "id": session.id,
        "client": session.client,
        "tier": session.tier,
        "override": session.override,
        "requests": session.requests,
        "spend_usd": round(session.spend_usd, 6),
        "tiers": dict(session.tiers),
        "messages": session.message_count,
        "first_seen": session.first_seen,
        "last_seen": session.last_seen,
    }


async def list_sessions(request: web.Request) -> web.Response:
    state = request.app[CONTROL_STATE]
    return _json({"sessions": [_session_json(s) for s in state.sessions.all()]})


async def set_session_tier(request: web.Request) -> web.Response:
    """Pin a session to a tier (``auto`` unpins); the session's next request uses it."""
    from daemon.config.model import TIERS

    state = request.app[CONTROL_STATE]
    try:
        body = await request.json()
    except ValueError:
        return _json({"error": 'body must be JSON: {"tier": "simple|medium|complex|reasoning|auto"}'}, 400)
    tier = body.get("tier") if isinstance(body, dict) else None
    if tier not in (*TIERS, "auto"):
        return _json({"error": f"tier must be one of {', '.join(TIERS)} or auto, not {tier!r}"}, 400)
    session = state.sessions.set_override(request.match_info["session"], None if tier == "auto" else tier)
    state.recorder.events.publish(session_event(session.id, "tier", tier=session.override))
    return _json(_session_json(session))


HEARTBEAT_SECONDS = 15.0


async def events(request: web.Request) -> web.StreamResponse:
    """The live event stream as NDJSON: one JSON object per line, as events happen.

    Each watcher has its own bounded queue (oldest dropped when full, and the
    next event says how many), so a slow watcher never slows the proxy.
    """
    state = request.app[CONTROL_STATE]
    response = web.StreamResponse(headers={"content-type": "application/x-ndjson"})
    await response.prepare(request)
    subscription = state.recorder.events.subscribe()
    try:
        await response.write(orjson.dumps({"type": "hello", "time": time.time()}) + b"\n")
        while True:
            # The control runner does not cancel handlers on disconnect, so an idle watcher that
            # went away is only noticed when a write fails: the heartbeat bounds that to 15 s.
            try:
                event = await asyncio.wait_for(anext(subscription), HEARTBEAT_SECONDS)
            except StopAsyncIteration:  # the bus closed (shutdown)
                break
            except TimeoutError:
                event = {"type": "heartbeat", "time": time.time()}
            await response.write(orjson.dumps(event) + b"\n")
    except ConnectionResetError:
        pass  # the watcher went away; CancelledError propagates so cancellation stays honoured
    finally:
        subscription.close()
    return response


async def decisions(request: web.Request) -> web.Response:
    state = request.app[CONTROL_STATE]
    store = state.recorder.store
    if store is None:
        return _json({"error": "no decision store"}, 503)
    query = request.query
    try:
        limit = min(1000, int(query.get("limit", "50")))
        since = float(query["since"]) if "since" in query else None
    except ValueError:
        return _json({"error": "limit must be an integer and since a unix time"}, 400)
    try:
        rows = await store.recent(
            limit,
            since=since,
            tier=query.get("tier"),
            provider=query.get("provider"),
            session=query.get("session"),
            status=query.get("status"),
        )
    except ValueError as error:
        return _json({"error": str(error)}, 400)
    return _json({"decisions": rows})


async def decision(request: web.Request) -> web.Response:
    state = request.app[CONTROL_STATE]
    store = state.recorder.store
    row = await store.get(request.match_info["id"]) if store is not None else None
    if row is None:
        return _json({"error": "no such decision"}, 404)
    for key in ("request_body", "response_body"):
        if isinstance(row.get(key), bytes):
            row[key] = row[key].decode("utf-8", "replace")
    return _json(row)


async def stats(request: web.Request) -> web.Response:
    state = request.app[CONTROL_STATE]
    recorder = state.recorder
    try:
        window = float(request.query.get("window", "3600"))
    except ValueError:
        window = math.nan
    if not 0 < window <= 366 * 86400:  # also false for NaN
        return _json({"error": "window must be a number of seconds, more than 0 and at most a year"}, 400)
    history = {}
    if recorder.store is not None:
        history = {g: await recorder.store.percentiles(window, g) for g in ("tier", "provider")}
    return _json(
        {
            "traffic": recorder.summary(),
            "live": {g: recorder.latency.percentiles(g) for g in ("tier", "provider")},
            "window_seconds": window,
            "history": history,
        }
    )


async def replay(request: web.Request) -> web.Response:
    """Replay one stored decision (``{"id": ...}``) or a window (``{"since_seconds": ...}``) through
    the running config, or a candidate (``{"config": "/path/candidate.toml"}``). No upstream call."""
    from daemon.config.load import format_problems, load_config, load_config_text
    from daemon.config.model import ConfigError
    from daemon.replay import compare, replay_window

    state = request.app[CONTROL_STATE]
    store = state.recorder.store
    try:
        body = await request.json()
    except ValueError:
        return _json({"error": "body must be JSON"}, 400)
    if not isinstance(body, dict) or store is None:
        return _json({"error": 'send {"id": ...} or {"since_seconds": ...}, optionally with "config"'}, 400)
    config = state.runtime.config
    if body.get("config") is not None and not isinstance(body.get("config"), str):
        return _json({"error": '"config" must be the path of a candidate config file'}, 400)
    if body.get("config") or isinstance(body.get("config_text"), str):
        try:
            if body.get("config"):
                config = load_config(Path(body["config"]))
            else:
                config = load_config_text(body["config_text"])
        except ConfigError as error:
            return _json(
                {"error": "the candidate config is invalid", "problems": format_problems(error)}, 400
            )
    if body.get("id"):
        row = await store.get(str(body["id"]))
        if row is None:
            return _json({"error": "no such decision"}, 404)
        return _json(compare(row, config))
    try:
        since = float(body.get("since_seconds", 86400))
    except (TypeError, ValueError):
        return _json({"error": "since_seconds must be a number"}, 400)
    return _json(await replay_window(store, config, since, state.recorder.prices))


async def get_config(request: web.Request) -> web.Response:
    """The running config: its file's text (comments kept) and what it resolved to."""
    config = request.app[CONTROL_STATE].runtime.config
    text = None
    if config.source is not None:
        try:
            text = config.source.read_text()
        except OSError:
            text = None
    return _json(
        {
            "source": str(config.source) if config.source else None,
            "text": text,
            "tiers": {
                name: {
                    "provider": t.provider,
                    "model": t.model,
                    "fallback": [str(f) for f in t.fallback],
                    "borrowed_from": t.borrowed_from,
                }
                for name, t in config.tiers.items()
            },
            "providers": {
                name: {"type": p.type, "base_url": p.base_url, "api_key_env": p.api_key_env}
                for name, p in config.providers.items()
            },
            "routing": {
                "default_tier": config.routing.default_tier,
                "thresholds": dict(config.routing.thresholds),
                "weights": dict(config.routing.weights),
                "rules": dict(config.routing.rules),
            },
            "warnings": list(config.warnings),
        }
    )


async def validate_config(request: web.Request) -> web.Response:
    """Check a candidate config text without applying it: every problem with its key."""
    from daemon.config.load import load_config_text
    from daemon.config.model import ConfigError

    try:
        body = await request.json()
    except ValueError:
        return _json({"error": 'body must be JSON: {"text": "<TOML>"}'}, 400)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str):
        return _json({"error": 'body must be JSON: {"text": "<TOML>"}'}, 400)
    try:
        config = load_config_text(text)
    except ConfigError as error:
        problems = [{"key": p.key, "message": p.message} for p in error.problems]
        return _json({"valid": False, "problems": problems})
    return _json(
        {"valid": True, "problems": [], "warnings": list(config.warnings), "tiers": config.tier_map()}
    )


async def list_breakers(request: web.Request) -> web.Response:
    state = request.app[CONTROL_STATE]
    return _json({"breakers": state.breakers.snapshot(state.runtime.providers)})


async def reset_breaker(request: web.Request) -> web.Response:
    state = request.app[CONTROL_STATE]
    provider = request.match_info["provider"]
    if provider not in state.runtime.providers:
        return _json({"error": f"no provider named {provider!r}"}, 404)
    state.breakers.reset(provider)
    return _json(state.breakers.get(provider).snapshot())


async def reload_config(request: web.Request) -> web.Response:
    """Re-read the config file; a config with problems is rejected and the old one keeps serving."""
    from daemon.reload import reload_from_disk

    state = request.app[CONTROL_STATE]
    if state.loader is None:
        problem = {"key": "<config>", "message": "this daemon was started without a reloadable config"}
        return _json({"applied": False, "problems": [problem]}, 409)
    result = await reload_from_disk(state, state.loader, "control reload")
    assert result is not None
    return _json(result.as_json(), 200 if result.applied else 422)


async def apply_config(request: web.Request) -> web.Response:
    """Validate a whole new config text, write it over the config file and hot-reload it.
    ``{"text": "<TOML>"}``; 422 with every problem (nothing written) when it is invalid."""
    from daemon.reload import apply_text

    state = request.app[CONTROL_STATE]
    try:
        body = await request.json()
    except ValueError:
        return _json({"error": 'body must be JSON: {"text": "<TOML>"}'}, 400)
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or state.loader is None:
        return _json({"error": 'body must be JSON: {"text": "<TOML>"}'}, 400)
    result = await apply_text(state, state.loader, text)
    return _json(result.as_json(), 200 if result.applied else 422)


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Every answer is JSON, errors included, and a bug is logged rather than shown as a bare page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _json({"error": f"{exc.reason}: {request.method} {request.path}"}, exc.status)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("control API: unhandled error on %s %s", request.method, request.path)
        return _json({"error": "internal error; details are in the daemon log"}, 500)


def build_control_app(state: DaemonState, stop: asyncio.Event) -> web.Application:
    app = web.Application(middlewares=[json_errors])
    app[CONTROL_STATE] = state
    app[STOP] = stop
    app.router.add_get("/v1/status", get_status)
    app.router.add_post("/v1/shutdown", post_shutdown)
    app.router.add_get("/v1/sessions", list_sessions)
    app.router.add_post("/v1/sessions/{session}/tier", set_session_tier)
    app.router.add_get("/v1/events", events)
    app.router.add_get("/v1/decisions", decisions)
    app.router.add_get("/v1/decisions/{id}", decision)
    app.router.add_get("/v1/stats", stats)
    app.router.add_post("/v1/replay", replay)
    app.router.add_get("/v1/config", get_config)
    app.router.add_post("/v1/config/validate", validate_config)
    app.router.add_post("/v1/config/apply", apply_config)
    app.router.add_post("/v1/reload", reload_config)
    app.router.add_get("/v1/breakers", list_breakers)
    app.router.add_post("/v1/breakers/{provider}/reset", reset_breaker)
    from daemon.optimizers.control import add_routes as add_optimizer_routes

    add_optimizer_routes(app)  # /v1/memory..., /v1/cache
    return app
