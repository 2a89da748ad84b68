"""The labelled turns as both fitters see them (``fit_weights``, ``fit_learned``).

Each turn is routed once to read its dimension values and the words of its prose, and to find the
tier any hard rule would impose: it is routed with a scorer that always says ``simple``, so every
rule that can raise a tier fires and becomes the turn's floor, whatever the model being fitted
will say. Side requests, overrides and empty turns are decided before any scorer (``fixed``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from daemon.config.model import TIERS, Config, RoutingConfig
from daemon.dialects import anthropic, openai_chat
from daemon.routing import dimensions, learned
from daemon.routing.envelope import read_turn
from daemon.routing.router import route
from daemon.routing.structure import analyze
from tests.routing.corpus_loader import load_corpus

NAMES = list(dimensions.DIMENSIONS)
BLIND = "fresh5"  # measured once, blind; no fitter may read it
_DELIBERATION = NAMES.index("deliberation")


@dataclass(frozen=True)
class Turn:
    id: str
    split: str
    values: tuple[float, ...]  # in NAMES order
    grams: frozenset[str]  # words and word pairs of the user's prose (learned.grams)
    floor: int  # the tier a hard rule imposes (0 when none fires)
    fixed: int | None  # decided without a scorer (side request, override, nothing to judge)
    want: int

    @property
    def deliberation(self) -> float:
        return self.values[_DELIBERATION]


def prepare(splits: list[str]) -> list[Turn]:
    never = {tier: 101.0 for tier in TIERS[1:]}
    config = replace(Config(), routing=RoutingConfig(scorer="weights", thresholds=never))
    turns = []
    for split in splits:
        if split == BLIND:
            raise SystemExit(f"{BLIND} is measured once, never fitted on")
        for case in load_corpus(split):
            parse = anthropic.parse_request if case.dialect == "anthropic" else openai_chat.parse_request
            request = parse(case.body, {})
            decision = route(request, config)
            values = {d.name: d.value for d in decision.dimensions}
            prose = dimensions.features(request, read_turn(request), analyze(request, None)).prose
            scored = bool(decision.dimensions) and decision.rule != "default-tier"
            turns.append(
                Turn(
                    case.id,
                    split,
                    tuple(values.get(n, 0.0) for n in NAMES),
                    frozenset(learned.grams(prose)),
                    TIERS.index(decision.tier) if decision.rule.startswith("rule:") else 0,
                    None if scored else TIERS.index(decision.tier),
                    TIERS.index(case.expected),
                )
            )
    return turns


def folds(count: int, k: int = 5, repeats: int = 3) -> Iterator[tuple[list[int], list[int]]]:
    """(train, test) index lists of ``k``-fold cross-validation over ``repeats`` fixed shuffles (one
    split of a few hundred turns into five folds is too noisy to choose a penalty by)."""
    for repeat in range(repeats):
        order = list(range(count))
        random.Random(1 + repeat).shuffle(order)
        for fold in range(k):
            yield (
                [i for j, i in enumerate(order) if j % k != fold],
                [i for j, i in enumerate(order) if j % k == fold],
            )
