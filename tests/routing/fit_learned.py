"""Fit the learned scorer (daemon/routing/learned.py) on the labelled corpus.

    python -m tests.routing.fit_learned [--splits dev,holdout,...] [--c C] [--check] [--write]

A multinomial logistic regression, L2-penalised, with ``simple`` as the reference tier:
- each dimension gets a weight per tier. Every dimension but ``deliberation`` is monotone: its
  weights are cumulative sums of steps that are all >= 0 (all <= 0 for the "this is easy" ones),
  so more evidence of difficulty can never move the most likely tier down (the property tests);
- each word and word pair of the user's prose seen in at least two training turns gets a free
  weight per tier.
Solved with L-BFGS-B (the bounds carry the monotone constraints). Side requests, overrides and
empty turns are decided before the scorer, so they are not trained on; hard rules are replayed.

``--check`` prints 5-fold cross-validation (three shuffles) and leave-one-split-out accuracy, the
latter the honest estimate for turns written by someone new. ``--write`` writes the model file;
reviewing the diff of the numbers and committing it is a deliberate step. Needs numpy and scipy
(``pip install -e '.[fit]'``), never the daemon.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

if not __package__:  # run as a script: the repository root must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np
from scipy import optimize, sparse

from daemon.config.model import TIERS
from daemon.routing import learned
from tests.routing.corpus_loader import SPLITS
from tests.routing.fit_rows import BLIND, NAMES, Turn, folds, prepare

FREE = {"deliberation"}  # tells reasoning from complex, not hard from easy: no order across tiers
EASY = {"mechanical_cues", "short_request", "focused_build"}  # more of these may only lower the tier
SCALE = 3.0  # dimension values are 0-1; scaled so the shared L2 penalty treats them like words
MIN_TURNS = 2  # a word must appear in this many training turns to get a weight
K = len(TIERS) - 1  # free columns: simple is the reference tier (its weights are 0)


@dataclass
class Fitted:
    bias: np.ndarray  # (4,)
    dims: np.ndarray  # (len(NAMES), 4)
    vocabulary: list[str]
    words: np.ndarray  # (len(vocabulary), 4)

    def logits(self, turns: list[Turn]) -> np.ndarray:
        values = np.array([t.values for t in turns]).reshape(len(turns), len(NAMES)) * SCALE
        z = self.bias + values @ self.dims
        index = {g: i for i, g in enumerate(self.vocabulary)}
        for row, turn in enumerate(turns):
            for gram in turn.grams:
                i = index.get(gram)
                if i is not None:
                    z[row] += self.words[i]
        return z


def _vocabulary(turns: list[Turn]) -> list[str]:
    counts: dict[str, int] = {}
    for turn in turns:
        for gram in turn.grams:
            counts[gram] = counts.get(gram, 0) + 1
    return sorted(g for g, n in counts.items() if n >= MIN_TURNS)


def fit(turns: list[Turn], c: float) -> Fitted:
    train = [t for t in turns if t.fixed is None]
    vocabulary = _vocabulary(train)
    index = {g: i for i, g in enumerate(vocabulary)}
    n, d, v = len(train), len(NAMES), len(vocabulary)
    values = np.array([t.values for t in train]).reshape(n, d) * SCALE
    rows = [r for r, t in enumerate(train) for g in t.grams if g in index]
    cols = [index[g] for t in train for g in t.grams if g in index]
    words = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, v))
    target = np.zeros((n, K + 1))
    target[np.arange(n), [t.want for t in train]] = 1.0
    # Parameters: bias (K) | dimension steps (d*K) | word weights (v*K). A monotone dimension's
    # weight at tier t is the sum of its steps up to t; a free one's steps are its weights.
    cumulative = np.array([[name not in FREE] * K for name in NAMES], dtype=bool)

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        bias = theta[:K]
        steps = theta[K : K + d * K].reshape(d, K)
        dims = np.where(cumulative, np.cumsum(steps, axis=1), steps)
        return bias, dims, theta[K + d * K :].reshape(v, K)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        bias, dims, wordw = unpack(theta)
        z = np.zeros((n, K + 1))
        z[:, 1:] = bias + values @ dims + words @ wordw
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.sum(target * np.log(p + 1e-12))
        residual = (p - target)[:, 1:]
        g_bias = residual.sum(axis=0)
        g_dims = values.T @ residual
        # d weight[t] / d step[k] = 1 for k <= t: the step's gradient sums the weights' from k on.
        g_steps = np.where(cumulative, np.cumsum(g_dims[:, ::-1], axis=1)[:, ::-1], g_dims)
        g_words = np.asarray(words.T @ residual)
        penalty_theta = theta[K:]
        loss += 0.5 / c * float(penalty_theta @ penalty_theta)
        grad = np.concatenate([g_bias, g_steps.ravel(), g_words.ravel()])
        grad[K:] += penalty_theta / c
        return loss, grad

    bounds = [(None, None)] * K
    for name in NAMES:
        for _ in range(K):
            if name in FREE:
                bounds.append((None, None))
            elif name in EASY:
                bounds.append((None, 0.0))
            else:
                bounds.append((0.0, None))
    bounds += [(None, None)] * (v * K)
    result = optimize.minimize(
        objective,
        np.zeros(K + d * K + v * K),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 5000},
    )
    bias, dims, wordw = unpack(result.x)
    zero = np.zeros((1,))
    return Fitted(
        np.concatenate([zero, bias]),
        np.hstack([np.zeros((d, 1)), dims]),
        vocabulary,
        np.hstack([np.zeros((v, 1)), wordw]),
    )


def predict(model: Fitted, turns: list[Turn]) -> np.ndarray:
    tier = model.logits(turns).argmax(axis=1)
    tier = np.maximum(tier, [t.floor for t in turns])
    return np.array([t.fixed if t.fixed is not None else int(x) for t, x in zip(turns, tier, strict=True)])


def accuracy(model: Fitted, turns: list[Turn]) -> float:
    return float(np.mean(predict(model, turns) == [t.want for t in turns]))


def check(turns: list[Turn], c: float) -> None:
    scores = [
        accuracy(fit([turns[i] for i in train], c), [turns[i] for i in test])
        for train, test in folds(len(turns))
    ]
    print(f"C {c}: 5-fold CV (x3) exact {np.mean(scores):.1%}")
    held = []
    for split in sorted({t.split for t in turns}):
        if not split.startswith("fresh"):
            continue
        test = [t for t in turns if t.split == split]
        score = accuracy(fit([t for t in turns if t.split != split], c), test)
        held.append(score)
        print(f"  leave {split} out: {score:.1%} on its {len(test)} turns")
    print(f"  leave-one-split-out mean {np.mean(held):.1%}")


def serialise(model: Fitted, c: float, turns: list[Turn]) -> dict:
    def rounded(row: np.ndarray) -> list[float]:
        return [round(float(x), 4) for x in row]

    kept = {
        g: rounded(w) for g, w in zip(model.vocabulary, model.words, strict=True) if np.abs(w).max() >= 1e-3
    }
    return {
        "about": "Fitted by tests/routing/fit_learned.py; see daemon/routing/learned.py.",
        "trained_on": sorted({t.split for t in turns}),
        "turns": len(turns),
        "c": c,
        "tiers": list(TIERS),
        "dimension_scale": SCALE,
        "monotone": {n: 0 if n in FREE else -1 if n in EASY else 1 for n in NAMES},
        "bias": rounded(model.bias),
        "dimensions": {n: rounded(w) for n, w in zip(NAMES, model.dims, strict=True)},
        "words": dict(sorted(kept.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", default=",".join(s for s in SPLITS if s != BLIND))
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--check", action="store_true", help="print CV and leave-one-split-out accuracy")
    parser.add_argument("--write", action="store_true", help=f"write {learned.MODEL_FILE.name}")
    args = parser.parse_args()
    turns = prepare(args.splits.split(","))
    if args.check:
        check(turns, args.c)
    model = fit(turns, args.c)
    print(f"{len(turns)} turns; exact on the fitted turns {accuracy(model, turns):.1%}")
    if args.write:
        learned.MODEL_FILE.write_text(json.dumps(serialise(model, args.c, turns), indent=1) + "\n")
        print(f"wrote {learned.MODEL_FILE}")


if __name__ == "__main__":
    main()
