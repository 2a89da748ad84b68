"""Control-socket routes for the response cache and memory (``GET/DELETE /v1/memory...``, ``GET /v1/cache``).

Registered by ``daemon.control.build_control_app``; the CLI (``lynkr memory``) and the console's Memory
view read exactly these shapes.
"""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def _memory(request: web.Request) -> Any:
    from daemon.control import CONTROL_STATE

    return request.app[CONTROL_STATE].optimizers.memory


async def list_memories(request: web.Request) -> web.Response:
    memory = _memory(request)
    if memory is None:
        return _json({"enabled": False, "memories": []})
    try:
        limit = max(1, min(1000, int(request.query.get("limit", "50"))))
    except ValueError:
        return _json({"error": "limit must be an integer"}, 400)
    found = await memory.store.search(
        request.query.get("project"),
        request.query.get("q") or None,
        limit=limit,
        weights=memory.config.weights,
        half_life_days=memory.config.half_life_days,
    )
    return _json({"enabled": memory.config.enabled, "memories": [m.json() for m in found]})


def _memory_id(request: web.Request) -> int | None:
    try:
        return int(request.match_info["id"])
    except ValueError:
        return None


async def get_memory(request: web.Request) -> web.Response:
    memory, memory_id = _memory(request), _memory_id(request)
    found = await memory.store.get(memory_id) if memory is not None and memory_id is not None else None
    if found is None:
        return _json({"error": "no such memory"}, 404)
    scored = await memory.store.search(
        found.project,
        None,
        limit=100000,
        weights=memory.config.weights,
        half_life_days=memory.config.half_life_days,
    )
    found.scores = next((m.scores for m in scored if m.id == found.id), {})
    return _json(found.json())


async def delete_memory(request: web.Request) -> web.Response:
    memory, memory_id = _memory(request), _memory_id(request)
    if memory is None or memory_id is None or not await memory.store.delete(memory_id):
        return _json({"error": "no such memory"}, 404)
    return _json({"deleted": memory_id})


async def wipe_memories(request: web.Request) -> web.Response:
    memory = _memory(request)
    project = request.query.get("project")
    if project is None:
        return _json({"error": "name the project to wipe: DELETE /v1/memory?project=..."}, 400)
    removed = await memory.store.wipe(project) if memory is not None else 0
    return _json({"project": project, "deleted": removed})


async def memory_stats(request: web.Request) -> web.Response:
    memory = _memory(request)
    if memory is None:
        return _json({"enabled": False})
    from daemon.control import CONTROL_STATE

    optimizers = request.app[CONTROL_STATE].optimizers
    # "dropped": answers not learned from because more were waiting than the queue holds.
    return _json({**memory.stats(), "count": await memory.store.count(), "dropped": optimizers.dropped})


async def cache_stats(request: web.Request) -> web.Response:
    from daemon.control import CONTROL_STATE

    cache = request.app[CONTROL_STATE].optimizers.cache
    return _json(cache.stats() if cache is not None else {"enabled": False})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/v1/memory", list_memories)
    app.router.add_delete("/v1/memory", wipe_memories)
    app.router.add_get("/v1/memory/stats", memory_stats)  # before {id}, which would shadow it
    app.router.add_get("/v1/memory/{id}", get_memory)
    app.router.add_delete("/v1/memory/{id}", delete_memory)
    app.router.add_get("/v1/cache", cache_stats)
