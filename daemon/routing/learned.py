"""The learned scorer: a multinomial logistic model over the dimensions and the user's words.

The hand-weighted score (one number, three thresholds) cannot give a dimension a different pull at
each tier boundary: write tools say a lot about simple vs medium and nothing about complex vs
reasoning. This model has one weight per dimension *per tier*, plus weights for the words and word
pairs of the user's prose, fitted on the labelled corpus by ``tests/routing/fit_learned.py`` and
shipped as ``learned_model.json``. Scoring is a dictionary lookup per word and a few multiplications:
no network, no numpy, tens of microseconds.

Evidence of difficulty may only raise the tier: the fitter constrains every dimension except
``deliberation`` (which tells reasoning from complex, not hard from easy) to weights that never fall
from one tier to the next (never rise, for the three "this is easy" dimensions). Adding a failing
stack trace raises those dimensions and leaves the prose alone, so it can never lower the tier or
the score; ``tests/unit/test_router_learned.py`` checks the shipped file keeps that shape.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("learned_model.json")
TIER_COUNT = 4
# What counts as a word: the fitter and the router must tokenise identically.
TOKEN = re.compile(r"[a-zA-Z][a-zA-Z'-]+")
MAX_PROSE = 3000
# Words too common to explain a decision to a reader (they still count in the score).
_FILLER = frozenset(
    "a an the to of and or in on at for from by with it its is are was be this that these those "
    "i we you me my our your out up so then after before as if not no do does can please".split()
)


@dataclass(frozen=True, slots=True)
class LearnedModel:
    bias: tuple[float, ...]
    dimensions: Mapping[str, tuple[float, ...]]
    words: Mapping[str, tuple[float, ...]]
    dimension_scale: float
    monotone: Mapping[str, int]
    """+1: the dimension's weights never fall from simple to reasoning; -1: never rise."""


@dataclass(frozen=True, slots=True)
class Judgement:
    probabilities: tuple[float, ...]
    tier: int
    """The most likely tier (index into TIERS)."""
    score: float
    """The expected tier on a 0-100 scale: 0 surely simple, 100 surely reasoning."""
    runner_up: int
    pulls: Mapping[str, float]
    """Per dimension: logit points it gave ``tier`` over ``runner_up`` at full strength."""
    words: tuple[tuple[str, float], ...]
    """The words that most favoured ``tier`` over ``runner_up``, strongest first."""


@functools.cache
def default_model() -> LearnedModel:
    return parse_model(json.loads(MODEL_FILE.read_text(encoding="utf-8")))


def parse_model(raw: Mapping) -> LearnedModel:
    return LearnedModel(
        bias=tuple(raw["bias"]),
        dimensions={name: tuple(w) for name, w in raw["dimensions"].items()},
        words={gram: tuple(w) for gram, w in raw["words"].items()},
        dimension_scale=float(raw["dimension_scale"]),
        monotone=dict(raw["monotone"]),
    )


def grams(prose: str) -> set[str]:
    """Lowercased words and adjacent word pairs of the prose (present or not: counts do not matter)."""
    tokens = TOKEN.findall(prose[:MAX_PROSE].lower())
    found = set(tokens)
    found.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return found


def judge(model: LearnedModel, values: Mapping[str, float], prose: str) -> Judgement:
    logits = list(model.bias)
    scale = model.dimension_scale
    for name, weights in model.dimensions.items():
        value = values.get(name, 0.0) * scale
        if value:
            for t in range(TIER_COUNT):
                logits[t] += weights[t] * value
    present = [(gram, model.words[gram]) for gram in grams(prose) if gram in model.words]
    for _, weights in present:
        for t in range(TIER_COUNT):
            logits[t] += weights[t]
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    total = sum(exps)
    probabilities = tuple(e / total for e in exps)
    ranked = sorted(range(TIER_COUNT), key=lambda t: -logits[t])
    tier, runner_up = ranked[0], ranked[1]
    score = 100.0 * sum(t * p for t, p in enumerate(probabilities)) / (TIER_COUNT - 1)
    pulls = {name: (w[tier] - w[runner_up]) * scale for name, w in model.dimensions.items()}
    telling = ((g, w[tier] - w[runner_up]) for g, w in present if not set(g.split()) <= _FILLER)
    favour = sorted(telling, key=lambda gw: -gw[1])
    return Judgement(
        probabilities, tier, score, runner_up, pulls, tuple((g, d) for g, d in favour[:3] if d > 0)
    )
