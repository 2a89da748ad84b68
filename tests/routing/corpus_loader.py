"""Load the labelled routing corpus (tests/routing/corpus/*.jsonl).

    from tests.routing.corpus_loader import load_corpus
    for case in load_corpus("dev"):
        decide(case.body) == case.expected

Every call parses the files afresh, so callers may mutate the bodies they get.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS_DIR = Path(__file__).parent / "corpus"
FILES = ("claude_code.jsonl", "codex.jsonl", "openhands.jsonl", "other.jsonl")
TIERS = ("simple", "medium", "complex", "reasoning")
SPLITS = ("dev", "holdout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")


@dataclass(frozen=True)
class Case:
    id: str
    client: str  # claude_code | codex | openhands | other
    dialect: str  # anthropic | openai
    split: str  # dev | holdout | fresh | fresh2 | fresh3 | fresh4 | fresh5
    expected: str  # simple | medium | complex | reasoning
    why: str
    body: dict[str, Any]


def load_corpus(split: str | None = None) -> list[Case]:
    """All cases in file order (claude_code, codex, openhands, other), optionally only one split."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS} or None, got {split!r}")
    cases: list[Case] = []
    for name in FILES:
        path = CORPUS_DIR / name
        with path.open(encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    case = Case(
                        id=rec["id"],
                        client=rec["client"],
                        dialect=rec["dialect"],
                        split=rec["split"],
                        expected=rec["expected"],
                        why=rec["why"],
                        body=rec["body"],
                    )
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise ValueError(f"{path.name}:{lineno}: not a corpus case: {exc}") from exc
                if split is None or case.split == split:
                    cases.append(case)
    return cases
