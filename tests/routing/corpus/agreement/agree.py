# ruff: noqa: E501
"""How often a second labeller, given only the rubric and the turns, agreed with the corpus labels.

    python -m tests.routing.corpus.agreement.agree

The second labels (``<split>_labels_b.json``) were written by engineers who read only the rubric,
``brief.md`` and the turns without their labels (printed by ``view.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

from daemon.config.model import TIERS
from tests.routing.corpus_loader import load_corpus

HERE = Path(__file__).parent


def main() -> None:
    for path in sorted(HERE.glob("*_labels_b.json")):
        split = path.name.removesuffix("_labels_b.json")
        second = json.loads(path.read_text())
        cases = load_corpus(split)
        same = [c for c in cases if second[c.id]["tier"] == c.expected]
        near = [c for c in cases if abs(TIERS.index(second[c.id]["tier"]) - TIERS.index(c.expected)) <= 1]
        print(
            f"{split}: {len(same)}/{len(cases)} agree ({len(same) / len(cases):.1%}), within one {len(near) / len(cases):.1%}"
        )
        for c in cases:
            if second[c.id]["tier"] != c.expected:
                print(
                    f"  {c.id}: corpus {c.expected}, second labeller {second[c.id]['tier']}: {second[c.id]['why']}"
                )


if __name__ == "__main__":
    main()
