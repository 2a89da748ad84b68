"""Build the routing corpus: python -m tests.routing.corpus.build_corpus (from the repository root).

Writes claude_code.jsonl, codex.jsonl, openhands.jsonl and other.jsonl next to this file.
Deterministic: same source, same bytes. The hand-written cases live in _cases_*.py.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from tests.routing.corpus import (
    _cases_claude_code,
    _cases_codex,
    _cases_fresh2_anthropic,
    _cases_fresh2_openai,
    _cases_fresh3_anthropic,
    _cases_fresh3_openai,
    _cases_fresh4_anthropic,
    _cases_fresh4_openai,
    _cases_fresh5_anthropic,
    _cases_fresh5_openai,
    _cases_fresh_anthropic,
    _cases_fresh_openai,
    _cases_openhands,
    _cases_other,
)
from tests.routing.corpus._clients import CaseSpec

HERE = Path(__file__).parent
FILES = {
    "claude_code": "claude_code.jsonl",
    "codex": "codex.jsonl",
    "openhands": "openhands.jsonl",
    "other": "other.jsonl",
}
SALT = "lynkr-corpus-v1:"
HOLDOUT_SHARE = 0.3


def _h(case_id: str) -> int:
    return int(hashlib.sha256((SALT + case_id).encode()).hexdigest(), 16)


def all_cases() -> list[CaseSpec]:
    cases: list[CaseSpec] = []
    for module in (
        _cases_claude_code,
        _cases_codex,
        _cases_openhands,
        _cases_other,
        _cases_fresh_anthropic,
        _cases_fresh_openai,
        _cases_fresh2_anthropic,
        _cases_fresh2_openai,
        _cases_fresh3_anthropic,
        _cases_fresh3_openai,
        _cases_fresh4_anthropic,
        _cases_fresh4_openai,
        _cases_fresh5_anthropic,
        _cases_fresh5_openai,
    ):
        cases.extend(module.CASES)
    seen: set[str] = set()
    for c in cases:
        if c.id in seen:
            raise SystemExit(f"duplicate case id {c.id}")
        seen.add(c.id)
    return cases


def stratified_holdout(cases: list[CaseSpec]) -> set[str]:
    """Within each (client, expected) group, the round(30%) cases with the smallest salted hash."""
    groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for c in cases:
        groups[(c.client, c.expected)].append(c.id)
    out: set[str] = set()
    for ids in groups.values():
        ids.sort(key=_h)
        out.update(ids[: round(HOLDOUT_SHARE * len(ids))])
    return out


# The v1 holdout, frozen: cases added later keep these splits and get their own split from
# the per-id rule in split_for(). Filled from stratified_holdout() on the v1 case set.
V1_IDS: frozenset[str] = frozenset(
    {
        "cc-001",
        "cc-002",
        "cc-003",
        "cc-004",
        "cc-005",
        "cc-006",
        "cc-007",
        "cc-008",
        "cc-009",
        "cc-010",
        "cc-011",
        "cc-012",
        "cc-013",
        "cc-014",
        "cc-015",
        "cc-016",
        "cc-017",
        "cc-018",
        "cc-019",
        "cc-020",
        "cc-021",
        "cc-022",
        "cc-023",
        "cc-024",
        "cc-025",
        "cc-026",
        "cc-027",
        "cc-028",
        "cc-029",
        "cc-030",
        "cc-031",
        "cc-032",
        "cc-033",
        "cc-034",
        "cc-035",
        "cc-036",
        "cc-037",
        "cc-038",
        "cc-039",
        "cc-040",
        "cc-041",
        "cc-042",
        "cc-043",
        "cc-044",
        "cc-045",
        "cc-046",
        "cc-047",
        "cc-048",
        "cc-049",
        "cc-050",
        "cc-051",
        "cc-052",
        "cc-053",
        "cc-054",
        "cc-055",
        "cc-056",
        "cc-057",
        "cc-058",
        "cc-059",
        "cc-060",
        "cc-061",
        "cc-062",
        "cc-063",
        "cc-064",
        "cc-065",
        "cc-066",
        "cc-067",
        "cc-068",
        "cc-069",
        "cc-070",
        "cc-071",
        "cc-072",
        "cc-073",
        "cc-074",
        "cc-075",
        "cc-076",
        "cc-077",
        "cc-078",
        "cc-079",
        "cc-080",
        "cx-001",
        "cx-002",
        "cx-003",
        "cx-004",
        "cx-005",
        "cx-006",
        "cx-007",
        "cx-008",
        "cx-009",
        "cx-010",
        "cx-011",
        "cx-012",
        "cx-013",
        "cx-014",
        "cx-015",
        "cx-016",
        "cx-017",
        "cx-018",
        "cx-019",
        "cx-020",
        "cx-021",
        "cx-022",
        "cx-023",
        "cx-024",
        "cx-025",
        "cx-026",
        "cx-027",
        "cx-028",
        "cx-029",
        "cx-030",
        "cx-031",
        "cx-032",
        "cx-033",
        "cx-034",
        "cx-035",
        "cx-036",
        "cx-037",
        "cx-038",
        "cx-039",
        "cx-040",
        "oh-001",
        "oh-002",
        "oh-003",
        "oh-004",
        "oh-005",
        "oh-006",
        "oh-007",
        "oh-008",
        "oh-009",
        "oh-010",
        "oh-011",
        "oh-012",
        "oh-013",
        "oh-014",
        "oh-015",
        "oh-016",
        "oh-017",
        "oh-018",
        "oh-019",
        "oh-020",
        "oh-021",
        "oh-022",
        "oh-023",
        "oh-024",
        "oh-025",
        "oh-026",
        "oh-027",
        "oh-028",
        "oh-029",
        "oh-030",
        "oh-031",
        "oh-032",
        "oh-033",
        "oh-034",
        "oh-035",
        "oh-036",
        "oh-037",
        "oh-038",
        "oh-039",
        "oh-040",
        "oh-041",
        "oh-042",
        "oh-043",
        "oh-044",
        "ot-001",
        "ot-002",
        "ot-003",
        "ot-004",
        "ot-005",
        "ot-006",
        "ot-007",
        "ot-008",
        "ot-009",
        "ot-010",
        "ot-011",
        "ot-012",
        "ot-013",
        "ot-014",
        "ot-015",
        "ot-016",
        "ot-017",
        "ot-018",
        "ot-019",
        "ot-020",
        "ot-021",
        "ot-022",
        "ot-023",
        "ot-024",
        "ot-025",
        "ot-026",
        "ot-027",
        "ot-028",
        "ot-029",
        "ot-030",
        "ot-031",
        "ot-032",
        "ot-033",
        "ot-034",
        "ot-035",
    }
)
HOLDOUT_V1: frozenset[str] = frozenset(
    {
        "cc-002",
        "cc-007",
        "cc-008",
        "cc-017",
        "cc-020",
        "cc-023",
        "cc-024",
        "cc-028",
        "cc-031",
        "cc-037",
        "cc-040",
        "cc-042",
        "cc-044",
        "cc-050",
        "cc-051",
        "cc-054",
        "cc-055",
        "cc-059",
        "cc-064",
        "cc-066",
        "cc-069",
        "cc-070",
        "cc-073",
        "cc-075",
        "cx-005",
        "cx-007",
        "cx-010",
        "cx-016",
        "cx-017",
        "cx-019",
        "cx-021",
        "cx-022",
        "cx-027",
        "cx-036",
        "cx-037",
        "cx-038",
        "oh-001",
        "oh-003",
        "oh-005",
        "oh-015",
        "oh-016",
        "oh-017",
        "oh-023",
        "oh-028",
        "oh-029",
        "oh-035",
        "oh-040",
        "oh-043",
        "ot-001",
        "ot-003",
        "ot-008",
        "ot-011",
        "ot-013",
        "ot-016",
        "ot-025",
        "ot-026",
        "ot-031",
        "ot-032",
    }
)


# The fresh split (ids "f-..."): cases written after v1 by people who never saw the router,
# its weights or its scores, and measured once. See README "The fresh split".
# "fresh2" (ids "g-...") was written the same way while the router was being improved after the
# one measurement of "fresh", and measured once at the end.
FRESH_PREFIX = "f-"
FRESH2_PREFIX = "g-"
FRESH3_PREFIX = "h-"  # "fresh3": the same again, after fresh2's one measurement
FRESH4_PREFIX = "k-"  # "fresh4": the same again, for the router fitted on everything before it
FRESH5_PREFIX = "m-"  # "fresh5": the same again, after fresh4's one measurement


def split_for(case_id: str, v1_holdout: set[str]) -> str:
    if case_id.startswith(FRESH_PREFIX):
        return "fresh"
    if case_id.startswith(FRESH2_PREFIX):
        return "fresh2"
    if case_id.startswith(FRESH3_PREFIX):
        return "fresh3"
    if case_id.startswith(FRESH4_PREFIX):
        return "fresh4"
    if case_id.startswith(FRESH5_PREFIX):
        return "fresh5"
    if not V1_IDS or case_id in V1_IDS:
        return "holdout" if case_id in v1_holdout else "dev"
    return "holdout" if _h(case_id) % 10 < 3 else "dev"


def records() -> dict[str, list[dict[str, Any]]]:
    cases = all_cases()
    holdout = set(HOLDOUT_V1) if V1_IDS else stratified_holdout(cases)
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in FILES}
    for c in cases:
        out[c.client].append(
            {
                "id": c.id,
                "client": c.client,
                "dialect": c.dialect,
                "split": split_for(c.id, holdout),
                "expected": c.expected,
                "why": c.why,
                "body": c.body,
            }
        )
    return out


def render() -> dict[str, str]:
    return {
        FILES[client]: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
        for client, recs in records().items()
    }


def stats(recs: dict[str, list[dict[str, Any]]]) -> str:
    tiers = ["simple", "medium", "complex", "reasoning"]
    splits = ["dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5"]
    table: collections.Counter[tuple[str, str]] = collections.Counter()
    sizes = []
    for rs in recs.values():
        for r in rs:
            table[(r["expected"], r["split"])] += 1
            sizes.append(len(json.dumps(r["body"], ensure_ascii=False).encode()))
    lines = [f"{'tier':<10}" + "".join(f"{s:>9}" for s in splits) + f"{'total':>9}"]
    for t in tiers:
        lines.append(
            f"{t:<10}"
            + "".join(f"{table[(t, s)]:>9}" for s in splits)
            + f"{sum(table[(t, s)] for s in splits):>9}"
        )
    n = len(sizes)
    lines.append(f"total {n} cases")
    buckets = [(0, 2), (2, 5), (5, 10), (10, 20), (20, 40), (40, 80), (80, 10**6)]
    kb = sorted(size / 1024 for size in sizes)
    counts = [f"[{lo},{hi if hi < 10**6 else 'inf'}): {sum(lo <= x < hi for x in kb)}" for lo, hi in buckets]
    lines.append("size KB: " + ", ".join(counts))
    over = sum(x > 40 for x in kb)
    lines.append(f"min {kb[0]:.1f} KB, median {kb[n // 2]:.1f} KB, max {kb[-1]:.1f} KB, over 40 KB: {over}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are stale")
    parser.add_argument("--freeze", action="store_true", help="print V1_IDS/HOLDOUT_V1 for the current cases")
    args = parser.parse_args(argv)
    if args.freeze:
        cases = all_cases()
        print("V1_IDS = frozenset(" + repr(sorted(c.id for c in cases)) + ")")
        print("HOLDOUT_V1 = frozenset(" + repr(sorted(stratified_holdout(cases))) + ")")
        return 0
    rendered = render()
    if args.check:
        stale = [
            name
            for name, text in rendered.items()
            if not (HERE / name).exists() or (HERE / name).read_text(encoding="utf-8") != text
        ]
        if stale:
            print("stale: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for name, text in rendered.items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(stats(records()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
