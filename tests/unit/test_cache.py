"""Response cache: key, policy, recording and replay, bounds; Anthropic prompt-cache breakpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.canonical import (
    BlockStart,
    Message,
    Request,
    Response,
    StopReason,
    TextBlock,
    ToolUseBlock,
    Usage,
)
from daemon.config.model import CacheConfig
from daemon.dialects.anthropic_upstream import add_cache_breakpoints
from daemon.optimizers.cache import ResponseCache, Tape, bypassed, cache_key, deterministic
from daemon.streams import StreamAccumulator, events_from_response


def request(text: str = "hi", **kw: object) -> Request:
    return Request("m", [Message("user", [TextBlock(text)])], temperature=0, **kw)  # type: ignore[arg-type]


def answer(text: str = "hello", prompt: int = 120) -> Response:
    return Response("msg_1", "claude-x", [TextBlock(text), ToolUseBlock("toolu_1", "Read", {"path": "/a"})],
                    usage=Usage(input_tokens=prompt, output_tokens=9))  # fmt: skip


def test_key_covers_what_decides_the_answer_only() -> None:
    base = cache_key(request(), "medium", ["oai:gpt"])
    assert base == cache_key(request(), "medium", ["oai:gpt"])
    assert base == cache_key(Request("other-name", request().messages, temperature=0, stream=True), "medium",
                             ["oai:gpt"])  # fmt: skip
    assert base != cache_key(request("hi!"), "medium", ["oai:gpt"])
    assert base != cache_key(request(), "complex", ["oai:gpt"])
    assert base != cache_key(request(), "medium", ["claude:x"])
    assert base != cache_key(request(max_tokens=5), "medium", ["oai:gpt"])


def test_policy() -> None:
    config = CacheConfig()
    assert deterministic(request(), config)
    assert not deterministic(Request("m", request().messages, temperature=0.7), config)
    assert not deterministic(Request("m", request().messages), config)
    assert deterministic(
        Request("m", request().messages, temperature=0.7), CacheConfig(deterministic_only=False)
    )
    assert bypassed({"cache-control": "no-cache"}) and bypassed({"cache-control": "max-age=0, no-store"})
    assert not bypassed({})


async def test_stream_recorded_and_replayed_with_cached_usage(tmp_path: Path) -> None:
    cache = await ResponseCache.open(tmp_path / "c.db", CacheConfig())
    try:
        tape = Tape()
        original = list(events_from_response(answer()))
        for event in original:
            tape.add(event)
        assert await cache.put("k", tape)
        entry = await cache.get("k")
        assert entry is not None
        replayed = list(entry.events())
        assert [type(e) for e in replayed] == [type(e) for e in original]
        folded = StreamAccumulator()
        for event in replayed:
            folded.add(event)
        got = folded.response()
        assert got.content == answer().content
        assert (got.usage.input_tokens, got.usage.cache_read_tokens, got.usage.output_tokens) == (0, 120, 9)
        assert cache.saved_prompt_tokens == 120 and cache.hits == 1
        assert await cache.get("nope") is None and cache.misses == 1
    finally:
        await cache.close()


async def test_errors_and_incomplete_streams_are_not_stored(tmp_path: Path) -> None:
    cache = await ResponseCache.open(tmp_path / "c.db", CacheConfig())
    try:
        tape = Tape()
        for event in list(events_from_response(answer()))[:-1]:  # no MessageStop: cut short
            tape.add(event)
        assert not await cache.put("k", tape)
        assert cache.entries == 0
    finally:
        await cache.close()


async def test_lru_ttl_and_survives_reopen(tmp_path: Path) -> None:
    cache = await ResponseCache.open(tmp_path / "c.db", CacheConfig(max_entries=2, ttl_seconds=100))
    for key, now in (("a", 1000.0), ("b", 1001.0)):
        tape = Tape()
        tape.keep(answer(key))
        await cache.put(key, tape, now=now)
    assert await cache.get("a", now=1002.0) is not None  # a is now the most recently used
    tape = Tape()
    tape.keep(answer("c"))
    await cache.put("c", tape, now=1003.0)
    assert cache.entries == 2 and cache.evictions == 1
    assert await cache.get("b", now=1004.0) is None  # b was least recently used
    assert await cache.get("c", now=1200.0) is None and cache.expired == 1  # older than the TTL
    await cache.close()
    reopened = await ResponseCache.open(tmp_path / "c.db", CacheConfig(max_entries=2, ttl_seconds=0))
    try:
        assert reopened.entries == 1 and await reopened.get("a") is not None
    finally:
        await reopened.close()


def test_anthropic_breakpoints_on_the_stable_prefix() -> None:
    body = {
        "system": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
        "tools": [{"name": "x"}, {"name": "y"}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "q"}]},
            {
                "role": "assistant",
                "content": [{"type": "thinking", "thinking": "t"}, {"type": "tool_use", "id": "1"}],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "1"}]},
        ],
    }
    assert add_cache_breakpoints(body, 4) == 4
    marked = [b for b in (*body["system"], *body["tools"]) if "cache_control" in b]
    assert marked == [body["system"][1] | {}, body["tools"][1] | {}]
    assert "cache_control" in body["messages"][1]["content"][1]  # the tool_use, not the thinking block
    assert "cache_control" in body["messages"][2]["content"][0]
    assert add_cache_breakpoints(body, 4) == 0  # the request now has breakpoints: left alone
    small = {"messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}]}
    assert add_cache_breakpoints(small, 2) == 1
    untouched = {"messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}]}
    assert (
        add_cache_breakpoints(untouched, 0) == 0
        and "cache_control" not in untouched["messages"][0]["content"][0]
    )


@pytest.mark.parametrize("limit", [1, 2])
def test_breakpoint_limit(limit: int) -> None:
    body = {"system": [{"type": "text", "text": "s"}], "tools": [{"name": "t"}],
            "messages": [{"role": "user", "content": [{"type": "text", "text": "q"}]}]}  # fmt: skip
    assert add_cache_breakpoints(body, limit) == limit


# --------------------------------------------------------------------------- review


@pytest.mark.parametrize("streamed", [True, False])
async def test_a_cached_tool_call_keeps_its_gemini_thought_signature(tmp_path: Path, streamed: bool) -> None:
    # Gemini 3 refuses the next turn when a replayed call lacks its thoughtSignature; a hit that
    # dropped it (the cache outlives the provider's in-memory signatures) broke the conversation.
    signed = Response("msg_1", "gemini-3", [ToolUseBlock("call_1", "Read", {"path": "/a"}, signature="c2ln")],
                      StopReason.TOOL_USE, usage=Usage(input_tokens=50, output_tokens=4))  # fmt: skip
    cache = await ResponseCache.open(tmp_path / "c.db", CacheConfig())
    try:
        tape = Tape()
        if streamed:
            for event in events_from_response(signed):
                if isinstance(event, BlockStart) and isinstance(event.block, ToolUseBlock):
                    event.block.signature = "c2ln"  # where Gemini's stream decoder puts it
                tape.add(event)
        else:
            tape.keep(signed)
        assert await cache.put("k", tape)
        entry = await cache.get("k")
        assert entry is not None
        if streamed:  # replayed as recorded
            starts = [e.block for e in entry.events() if isinstance(e, BlockStart)]
            assert [getattr(b, "signature", None) for b in starts] == ["c2ln"]
        else:
            assert entry.response().tool_calls()[0].signature == "c2ln"
    finally:
        await cache.close()


@pytest.mark.parametrize(
    "content,stop",
    [([], StopReason.END_TURN), ([TextBlock("I can't help with that.")], StopReason.REFUSAL)],
)
async def test_empty_answers_and_refusals_are_not_cached(
    tmp_path: Path, content: list[TextBlock], stop: StopReason
) -> None:
    # Both are often transient upstream (an empty Gemini candidate, a safety filter's false
    # positive); cached, one glitch would answer every repeat for ttl_seconds.
    cache = await ResponseCache.open(tmp_path / "c.db", CacheConfig())
    try:
        tape = Tape()
        tape.keep(Response("msg_1", "m", list(content), stop, usage=Usage(input_tokens=5)))
        assert not await cache.put("k", tape)
        assert cache.entries == 0
    finally:
        await cache.close()


async def test_expired_entries_do_not_linger_until_a_lookup(tmp_path: Path) -> None:
    # The TTL was applied on open and on a lookup of that very key only: an answer never asked for
    # again stayed on disk (and in the entry and byte counts) for the daemon's whole run.
    cache = await ResponseCache.open(tmp_path / "c.db", CacheConfig(ttl_seconds=100))
    try:
        for key, now in (("a", 1000.0), ("b", 1050.0), ("c", 1120.0)):
            tape = Tape()
            tape.keep(answer(key))
            await cache.put(key, tape, now=now)
        assert cache.entries == 2 and cache.expired == 1  # "a" went when "c" was stored
    finally:
        await cache.close()
