"""How a memory is ranked for injection. Pure functions; the formulas are the README's.

    surprise   = 1 - max similarity to what the project already stored, when it was first observed
                 (similarity: Jaccard index of character trigrams, see daemon.memory.text)
    recency    = 0.5 ** (days since last seen / half_life_days)
    relevance  = x / (1 + x), x = -bm25(memory, latest user text)    (FTS5; 0 when nothing matches)
    importance = base by type (preference 0.9, error_fix 0.8, convention 0.75, decision 0.6, fact 0.5)
                 + 0.1 for a strong cue (always/never/must) + 0.05 per log2 of times seen, capped at 1
    total      = w_surprise*surprise + w_recency*recency + w_relevance*relevance + w_importance*importance

Weights come from ``[memory] weights``; each score is 0..1, so with weights summing to 1 so is the total.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

DEFAULT_WEIGHTS = {"surprise": 0.15, "recency": 0.25, "relevance": 0.35, "importance": 0.25}
DAY = 86_400.0


def recency(last_seen: float, now: float, half_life_days: float) -> float:
    if half_life_days <= 0:
        return 1.0
    age_days = max(0.0, now - last_seen) / DAY
    return 0.5 ** (age_days / half_life_days)


def relevance(bm25: float | None) -> float:
    """FTS5's bm25 is negative, more negative = better match; squash it into 0..1."""
    if bm25 is None:
        return 0.0
    x = max(0.0, -bm25)
    return x / (1.0 + x)


def importance(base: float, count: int) -> float:
    return min(1.0, base + 0.05 * math.log2(max(1, count)))


def total(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    return sum(weights.get(name, 0.0) * scores.get(name, 0.0) for name in DEFAULT_WEIGHTS)
