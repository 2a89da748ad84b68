"""The router against the labelled corpus: the numbers the README reports, kept from regressing.

The floors are the measured results (README, "How well it routes"), rounded down: they guard
against regressions, they are not the goal. The shipped weights are fitted on every split but
fresh4, so those numbers are in-sample; fresh4 was measured once, blind, on the shipped router.
Each split's blind measurement (65.6-75.0% exact on the four fresh splits) is in the README,
short of the issue's aim (>= 85% exact). On every split no turn may be routed two or more tiers
too low (the costly mistake).
"""

from __future__ import annotations

import pytest

from tests.routing.evaluate import evaluate

# split: (turns at least, exact at least, within one tier at least)
FLOORS = {
    "dev": (140, 0.90, 0.99),
    "holdout": (55, 0.81, 0.96),
    "fresh": (96, 0.81, 0.95),
    "fresh2": (80, 0.83, 0.97),
    "fresh3": (80, 0.71, 0.93),
    "fresh4": (80, 0.75, 0.95),  # blind: measured once on the shipped router, never fitted on
}


@pytest.fixture(scope="module")
def reports() -> dict:
    return {split: evaluate(split) for split in FLOORS}


@pytest.mark.parametrize("split", list(FLOORS))
def test_split_accuracy_floor(reports: dict, split: str) -> None:
    turns, exact, within = FLOORS[split]
    report = reports[split]
    assert report.total >= turns
    assert report.exact_rate >= exact, report
    assert report.within_one_rate >= within, report
    assert report.two_low == 0, [(c.id, d.tier) for c, d in report.misses]


def test_every_tier_is_reachable(reports: dict) -> None:
    routed = {got for (_, got), n in reports["dev"].confusion.items() if n}
    assert routed == {"simple", "medium", "complex", "reasoning"}
