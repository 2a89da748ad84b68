"""The router against the labelled corpus: the numbers the README reports, kept from regressing.

The floors are the measured results (README, "Routing accuracy"), rounded down: they
guard against regressions, they are not the goal. Measured: dev 90.8% exact, 100% within
one; holdout 67.2% exact, 94.8% within one; no turn two tiers too low on either. The
issue's aim (>= 85% exact) is met on dev, where features and weights were tuned, but not
on the holdout, and the README says so.
"""

from __future__ import annotations

import pytest

from tests.routing.evaluate import evaluate


@pytest.fixture(scope="module")
def reports() -> dict:
    return {split: evaluate(split) for split in ("dev", "holdout")}


def test_dev_split(reports: dict) -> None:
    dev = reports["dev"]
    assert dev.total >= 140
    assert dev.exact_rate >= 0.90, dev
    assert dev.within_one_rate >= 0.99
    assert dev.two_low == 0


def test_holdout_split_never_seen_by_tuning(reports: dict) -> None:
    holdout = reports["holdout"]
    assert holdout.total >= 55
    assert holdout.exact_rate >= 0.67, holdout
    assert holdout.within_one_rate >= 0.94
    assert holdout.two_low == 0


def test_every_tier_is_reachable(reports: dict) -> None:
    routed = {got for (_, got), n in reports["dev"].confusion.items() if n}
    assert routed == {"simple", "medium", "complex", "reasoning"}
