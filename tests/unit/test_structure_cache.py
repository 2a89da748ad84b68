"""Graphify: the content-hash cache and the parse budget; synthetic requests analyse cleanly."""

from __future__ import annotations

from daemon.routing.structure import (
    StructureCache,
    analyze,
    analyze_text,
)
from tests.unit.structure_support import (
    PY_SAMPLE,
    read_exchange,
    request,
    synthetic_request,
    user,
)

# --------------------------------------------------------------------------- cache and budgets


def test_cache_hits_on_repeat() -> None:
    cache = StructureCache()
    req = request(*read_exchange("a.py", PY_SAMPLE, "t1"), user("```go\nfunc x() {}\n```"))
    first = analyze(req, cache)
    second = analyze(req, cache)
    assert (first.cache_hits, second.cache_hits) == (0, 2)
    assert (cache.hits, cache.misses, len(cache)) == (2, 2, 2)
    assert second.definitions == first.definitions and second.max_nesting == first.max_nesting


def test_cache_evicts_by_size_and_entries() -> None:
    cache = StructureCache(max_entries=3, max_source_bytes=1000)
    analysis = analyze_text("python", "x = 1")
    for i in range(3):
        cache.put(StructureCache.key("python", str(i)), analysis, 400)
    assert len(cache) == 2 and cache.source_bytes == 800 and cache.evictions == 1
    assert cache.get(StructureCache.key("python", "0")) is None  # the oldest went first
    cache.put(StructureCache.key("python", "big"), analysis, 5000)  # larger than the whole cache: not kept
    assert len(cache) == 2
    small = StructureCache(max_entries=2)
    for i in range(5):
        small.put(StructureCache.key("python", str(i)), analysis, 1)
    assert len(small) == 2 and small.get(StructureCache.key("python", "4")) is not None


def test_parse_budget_defers_then_the_cache_catches_up() -> None:
    msgs = [
        m for i in range(6) for m in read_exchange(f"f{i}.py", f"def f{i}():\n    return {i}\n" * 40, f"t{i}")
    ]
    req = request(user("go"), *msgs)
    cache = StructureCache()
    first = analyze(req, cache, parse_budget=2000)
    assert first.deferred > 0 and first.truncated and first.units == 6
    rounds = 1
    while analyze(req, cache, parse_budget=2000).deferred:
        rounds += 1
    assert rounds < 6
    final = analyze(req, cache, parse_budget=2000)
    assert final.deferred == 0 and final.cache_hits == 6 and not final.truncated
    assert final.definitions == analyze(req, parse_budget=1 << 30).definitions


def test_a_unit_over_budget_is_parsed_in_slices_across_calls() -> None:
    big = "\n\n".join(
        f"def f{i}(x):\n    if x > {i}:\n        return f{i + 1}(x)\n    return x" for i in range(300)
    )
    req = request(*read_exchange("big.py", big, "t1"), user("go"))
    full = analyze(req, parse_budget=1 << 30)
    assert analyze(req, parse_budget=4096).deferred == 1  # no cache: nowhere to keep a parse in progress
    cache = StructureCache()
    calls = [analyze(req, cache, parse_budget=4096) for _ in range(len(big) // 4096 + 2)]
    done = next(i for i, s in enumerate(calls) if not s.deferred)
    assert done >= len(big) // 4096 - 1  # it took several calls, each parsing one slice
    assert (calls[done].definitions, calls[done].edges, calls[done].max_nesting) == (
        full.definitions, full.edges, full.max_nesting,
    )  # fmt: skip
    assert calls[-1].cache_hits == 1


def test_the_edited_file_is_parsed_even_over_budget() -> None:
    big = PY_SAMPLE * 20
    context = read_exchange("big.py", big, "t1")
    assert analyze(request(*context, user("go")), parse_budget=10).deferred == 1  # context waits
    s = analyze(request(*context, user("fix big.py")), parse_budget=10)  # the file being edited does not
    assert s.deferred == 0 and s.definitions > 0


def test_synthetic_requests_analyse_without_errors() -> None:
    for size in (2_000, 20_000, 200_000):
        req = synthetic_request(size, seed=size)
        s = analyze(req, parse_budget=1 << 30)
        assert s.units > 0 and s.definitions > 0 and s.edges > 0 and s.error_nodes == 0
        assert len(s.languages) >= 1 and s.total_lines > 10
