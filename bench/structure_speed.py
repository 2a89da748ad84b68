"""How long Graphify's analyze() takes on synthetic 2/20/200 KB requests, cold and warm.

    PYTHONPATH=. python bench/structure_speed.py [--runs N]

Cold: an empty cache with the grammars loaded; "second call": the same request again with the
default parse budget (the cache holds what the first call parsed); warm: every unit cached.
Routing as a whole (which includes this) is timed by bench/routing_speed.py.
"""

from __future__ import annotations

import argparse
import statistics
import time

from daemon.routing.code_extract import extract_code
from daemon.routing.structure import StructureCache, analyze, preload
from tests.unit.structure_support import synthetic_request


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def report_timings(runs: int = 40) -> None:
    """analyze() on synthetic requests: cold (empty cache, grammars loaded), the same request again with the
    default parse budget (the cache holds what the first call parsed), and fully warm (all units cached)."""
    started = time.perf_counter()
    preload()
    print(f"preload (19 grammars + queries): {(time.perf_counter() - started) * 1000:.1f} ms")
    for size in (2_000, 20_000, 200_000):
        reqs = [synthetic_request(size, seed=s) for s in range(runs)]
        rows: dict[str, list[float]] = {"cold, no budget": [], "cold": [], "second call": [], "warm": []}
        for req in reqs:
            for label, cache, budget in (
                ("cold, no budget", StructureCache(), 1 << 30),
                ("cold", (shared := StructureCache()), None),
                ("second call", shared, None),
            ):
                t = time.perf_counter()
                analyze(req, cache, parse_budget=budget)
                rows[label].append((time.perf_counter() - t) * 1000)
            full = StructureCache()
            analyze(req, full, parse_budget=1 << 30)
            t = time.perf_counter()
            s = analyze(req, full)
            rows["warm"].append((time.perf_counter() - t) * 1000)
        code = statistics.mean(sum(len(u.text) for u in extract_code(r).units) for r in reqs) / 1024
        print(f"{size // 1000} KB requests ({code:.1f} KiB of code, {s.units} units, {s.definitions} defs):")
        for label, samples in rows.items():
            print(f"    {label:16} p50 {statistics.median(samples):6.2f} ms   p95 {_p95(samples):6.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    report_timings(parser.parse_args().runs)
