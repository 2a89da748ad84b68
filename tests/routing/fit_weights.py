"""Fit the router's weights and thresholds on the labelled corpus.

    python -m tests.routing.fit_weights [--rounds N] [--splits dev,holdout,...] [--shrink S] [--drop D,...]

Coordinate descent over each weight, the base score and the three thresholds,
on an objective that counts exact hits and punishes a turn routed two or more
tiers too low three times as hard as a miss (the costly mistake) and one tier
too low a little more than one too high. Dimension values do not depend on the
weights, so they are computed once per case, and a step on one weight moves
every score by that weight's column: the search updates scores in place.
The answer-kind split and the hard rules are replayed exactly as the router
applies them. Prints the fitted values in the shape of daemon/routing/weights.py;
copying them there is a deliberate step.

Every split was measured blind once before it was fitted on (see the corpus README:
the blind numbers are the ones that say how well the router generalises); the
shipped defaults are fitted on all of them.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if not __package__:  # run as a script (python3 tests/routing/...): the repository root must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from daemon.config.model import TIERS, Config
from daemon.routing.weights import BASE_SCORE, DEFAULT_THRESHOLDS, DEFAULT_WEIGHTS
from tests.routing.corpus_loader import SPLITS
from tests.routing.fit_rows import BLIND, NAMES, Turn, folds, prepare

# Signs are part of the design, not free parameters: evidence of difficulty may only raise a score
# (the property tests rely on it), mechanical cues and a short ask only lower it.
NEGATIVE = {"mechanical_cues", "short_request", "focused_build"}
COMPLEX, REASONING = TIERS.index("complex"), TIERS.index("reasoning")
FROZEN: set[str] = set()  # dimensions held at 0 (set by --drop)


@dataclass
class Params:
    weights: list[float]  # in NAMES order
    base: float
    thresholds: list[float]  # medium, complex, reasoning

    def copy(self) -> Params:
        return Params(list(self.weights), self.base, list(self.thresholds))


# The hand-set weights written before the corpus existed: the starting point of the fit and the
# prior it is pulled toward (dimensions added later start at 0).
PRIOR_WEIGHTS = {
    "context_size": 8.0,
    "user_text_size": 6.0,
    "short_request": -8.0,
    "code_volume": 5.0,
    "languages": 3.0,
    "tools_offered": 2.0,
    "write_tools": 3.0,
    "tool_loop_depth": 6.0,
    "error_signals": 18.0,
    "reasoning_cues": 30.0,
    "mechanical_cues": -22.0,
    "plan_cues": 8.0,
    "risk": 14.0,
    "domain_difficulty": 14.0,
    "debugging": 12.0,
    "images": 5.0,
    "output_size": 4.0,
    "thinking_requested": 20.0,
    "conversation_length": 3.0,
    "code_structure": 8.0,
    "blast_radius": 8.0,
    "god_nodes": 4.0,
}
PRIOR = Params([PRIOR_WEIGHTS.get(n, 0.0) for n in NAMES], 20.0, [25.0, 50.0, 75.0])


class Search:
    """Scores for every row under the current parameters, updated one coordinate at a time.

    The rows live in numpy arrays: one evaluation of the objective is a few vector operations over
    every turn, which is what makes cross-validating the shrink (60 fits) take minutes, not hours."""

    def __init__(self, rows: list[Turn], start: Params, shrink: float, split: float) -> None:
        self.rows, self.shrink, self.split = rows, shrink, split
        self.values = np.array([r.values for r in rows], dtype=float).reshape(len(rows), len(NAMES))
        deliberation = np.array([r.deliberation for r in rows])
        self.to_reasoning, self.to_complex = deliberation > split, deliberation < split
        self.floor = np.array([r.floor for r in rows])
        self.fixed = np.array([-1 if r.fixed is None else r.fixed for r in rows])
        self.want = np.array([r.want for r in rows])
        self.params = start.copy()
        self.raw = start.base + self.values @ np.array(start.weights, dtype=float)

    def penalty(self, params: Params) -> float:
        # ``shrink`` pulls the fit toward the prior: with ~200 labelled turns and 26 numbers, an
        # unpenalised fit memorises the corpus.
        return self.shrink * sum(abs(w - p) for w, p in zip(params.weights, PRIOR.weights, strict=True)) / 10

    def tiers(self, raw: np.ndarray, thresholds: list[float]) -> np.ndarray:
        """Each row's tier: thresholds, the answer-kind split (router._answer_kind), the hard rules'
        floor; a fixed decision stands."""
        score = np.clip(raw, 0.0, 100.0)
        tier = (score >= thresholds[0]).astype(int) + (score >= thresholds[1]) + (score >= thresholds[2])
        hard = tier >= COMPLEX
        tier = np.where(hard & self.to_reasoning, REASONING, np.where(hard & self.to_complex, COMPLEX, tier))
        tier = np.maximum(tier, self.floor)
        return np.where(self.fixed >= 0, self.fixed, tier)

    def value(self, raw: np.ndarray, params: Params) -> float:
        """+1 per exact hit, -3 per turn two or more tiers too low, -0.25 one too low, 0 too high."""
        got = self.tiers(raw, params.thresholds)
        gain = np.where(
            got == self.want, 1.0, np.where(self.want - got >= 2, -3.0, np.where(self.want > got, -0.25, 0.0))
        )
        return float(gain.sum()) - self.penalty(params)

    def run(self, rounds: int, seed: int = 0) -> Params:
        rng = random.Random(seed)
        best = self.value(self.raw, self.params)
        for _ in range(rounds):
            improved = False
            order = [*range(len(NAMES)), "base", "t0", "t1", "t2"]
            rng.shuffle(order)
            for coord in order:
                for step in (8, 4, 2, 1, -1, -2, -4, -8):
                    trial = self.params.copy()
                    if coord == "base":
                        trial.base += step
                        raw = self.raw + step
                    elif isinstance(coord, str):
                        trial.thresholds[int(coord[1])] += step
                        ordered = trial.thresholds == sorted(trial.thresholds)
                        if not ordered or not 0 <= trial.thresholds[-1] <= 100:
                            continue  # thresholds are scores (the config accepts 0-100)
                        raw = self.raw
                    else:
                        if NAMES[coord] in FROZEN:
                            continue
                        weight = trial.weights[coord] + step
                        if weight != 0 and (NAMES[coord] in NEGATIVE) != (weight < 0):
                            continue
                        trial.weights[coord] = weight
                        raw = self.raw + step * self.values[:, coord]
                    value = self.value(raw, trial)
                    if value > best:
                        best, self.params, self.raw, improved = value, trial, raw, True
            if not improved:
                break
        return self.params


def fit(rows: list[Turn], rounds: int, shrink: float, split: float, restarts: int = 30) -> Params:
    """Coordinate descent from the prior, then ``restarts`` random kicks (a few coordinates moved
    at once) each followed by another descent: single steps alone stop at the first local optimum."""
    search = Search(rows, PRIOR, shrink, split)
    best = search.run(rounds)
    best_value = search.value(search.raw, best)
    rng = random.Random(7)
    for attempt in range(restarts):
        kicked = best.copy()
        for coord in rng.sample(range(len(NAMES)), 4):
            weight = kicked.weights[coord] + rng.choice((-8, -4, 4, 8))
            if NAMES[coord] not in FROZEN and (weight == 0 or (NAMES[coord] in NEGATIVE) == (weight < 0)):
                kicked.weights[coord] = weight
        trial = Search(rows, kicked, shrink, split)
        params = trial.run(rounds, seed=attempt + 1)
        value = trial.value(trial.raw, params)
        if value > best_value:
            best, best_value = params, value
    return best


def accuracy(rows: list[Turn], params: Params, split: float) -> float:
    search = Search(rows, params, 0.0, split)
    return float(np.mean(search.tiers(search.raw, params.thresholds) == search.want))


def cross_validate(rows: list[Turn], rounds: int, shrink: float, split: float) -> float:
    """Mean exact accuracy on held-out folds (``fit_rows.folds``)."""
    scores = [
        accuracy([rows[i] for i in test], fit([rows[i] for i in train], rounds, shrink, split), split)
        for train, test in folds(len(rows))
    ]
    return sum(scores) / len(scores)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--splits",
        default=",".join(s for s in SPLITS if s != BLIND),
        help="comma-separated splits to fit on",
    )
    parser.add_argument("--shrink", type=float, default=None, help="fixed shrink; default: pick by 5-fold CV")
    parser.add_argument("--drop", default="", help="comma-separated dimensions held at weight 0")
    args = parser.parse_args()
    FROZEN.update(n for n in args.drop.split(",") if n)
    for name in FROZEN:
        PRIOR.weights[NAMES.index(name)] = 0.0
    rows = prepare(args.splits.split(","))
    split = Config().routing.deliberation_split
    current = Params(
        [DEFAULT_WEIGHTS.get(n, 0.0) for n in NAMES], BASE_SCORE, list(DEFAULT_THRESHOLDS.values())
    )
    print(f"{len(rows)} turns; the current defaults score {accuracy(rows, current, split):.1%} exact")
    shrink = args.shrink
    if shrink is None:
        results = {s: cross_validate(rows, args.rounds, s, split) for s in (0.3, 1.0, 3.0, 10.0)}
        for s_, acc in results.items():
            print(f"shrink {s_:<4} 5-fold CV (x3) exact accuracy {acc:.1%}")
        shrink = max(results, key=lambda s_: (results[s_], s_))
    print(f"fitting on all of {args.splits} with shrink {shrink}")
    params = fit(rows, args.rounds, shrink, split)
    print(f"BASE_SCORE = {params.base:g}")
    print("DEFAULT_WEIGHTS = {")
    for name, weight in zip(NAMES, params.weights, strict=True):
        print(f'    "{name}": {weight:g},')
    print("}")
    print(f"thresholds medium/complex/reasoning = {params.thresholds}")
    print(f"exact on the fitted turns: {accuracy(rows, params, split):.1%}")


if __name__ == "__main__":
    main()
