"""A minimal, fast OpenAI-compatible upstream for benchmarks.

It does no validation and no recording, so the numbers measure Lynkr, not
the emulator. Run: ``python bench/upstream.py PORT [CHUNKS] [INTERVAL]``.
"""

from __future__ import annotations

import asyncio
import sys

import orjson
from aiohttp import web

COMPLETION = orjson.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1,
        "model": "bench-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "ok, done."},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }
)


def _chunk(delta: dict, finish: str | None = None) -> bytes:
    return (
        b"data: "
        + orjson.dumps(
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "bench-model",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
            }
        )
        + b"\n\n"
    )


async def chat(request: web.Request) -> web.StreamResponse:
    body = orjson.loads(await request.read())
    if not body.get("stream"):
        return web.Response(body=COMPLETION, content_type="application/json")
    chunks, interval = request.app[SHAPE]
    response = web.StreamResponse(headers={"content-type": "text/event-stream"})
    await response.prepare(request)
    await response.write(_chunk({"role": "assistant", "content": ""}))
    for i in range(chunks):
        if interval:
            await asyncio.sleep(interval)
        await response.write(_chunk({"content": f"word{i} "}))
    await response.write(_chunk({}, "stop"))
    await response.write(
        b'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1,'
        b'"model":"bench-model","choices":[],"usage":{"prompt_tokens":12,'
        b'"completion_tokens":8,"total_tokens":20}}\n\n'
    )
    await response.write(b"data: [DONE]\n\n")
    return response


SHAPE: web.AppKey[tuple[int, float]] = web.AppKey("shape", tuple)


def main() -> None:
    """``upstream.py PORT [CHUNKS] [INTERVAL]``: streams send CHUNKS words, one every INTERVAL seconds."""
    app = web.Application()
    app[SHAPE] = (
        int(sys.argv[2]) if len(sys.argv) > 2 else 8,
        float(sys.argv[3]) if len(sys.argv) > 3 else 0.0,
    )
    app.router.add_post("/v1/chat/completions", chat)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
