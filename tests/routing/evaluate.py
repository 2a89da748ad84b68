"""Score the router against the labelled corpus.

    python -m tests.routing.evaluate [--split dev|holdout|fresh|fresh2|fresh3|fresh4|fresh5] [--show-misses]

Reports exact accuracy, within-one accuracy and the share of turns routed two
or more tiers too low (the costly mistake: a hard task on a weak model), per
split, with a confusion matrix. The router sees each case exactly as the
daemon would: the body is parsed by the dialect's own parser first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if not __package__:  # run as a script (python3 tests/routing/...): the repository root must be importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from collections import Counter
from dataclasses import dataclass

from daemon.config.model import TIERS, Config
from daemon.dialects import anthropic, openai_chat
from daemon.routing.router import RoutingDecision, route
from daemon.routing.structure import StructureCache
from tests.routing.corpus_loader import SPLITS, Case, load_corpus


@dataclass
class Report:
    split: str
    total: int
    exact: int
    within_one: int
    two_low: int
    one_low: int
    over: int
    confusion: Counter[tuple[str, str]]
    misses: list[tuple[Case, RoutingDecision]]

    @property
    def exact_rate(self) -> float:
        return self.exact / self.total if self.total else 0.0

    @property
    def within_one_rate(self) -> float:
        return self.within_one / self.total if self.total else 0.0


def decide(case: Case, config: Config, cache: StructureCache | None = None) -> RoutingDecision:
    parse = anthropic.parse_request if case.dialect == "anthropic" else openai_chat.parse_request
    return route(parse(case.body, {}), config, None, {}, cache)


def evaluate(split: str | None, config: Config | None = None) -> Report:
    config = config or Config()
    cache = StructureCache()
    cases = load_corpus(split)
    confusion: Counter[tuple[str, str]] = Counter()
    exact = within = two_low = one_low = over = 0
    misses = []
    for case in cases:
        decision = decide(case, config, cache)
        got, want = TIERS.index(decision.tier), TIERS.index(case.expected)
        confusion[(case.expected, decision.tier)] += 1
        exact += got == want
        within += abs(got - want) <= 1
        two_low += want - got >= 2
        one_low += want - got == 1
        over += got > want
        if got != want:
            misses.append((case, decision))
    return Report(split or "all", len(cases), exact, within, two_low, one_low, over, confusion, misses)


def format_report(report: Report) -> str:
    lines = [
        f"{report.split}: {report.total} turns  exact {report.exact_rate:.1%}"
        f"  within one {report.within_one_rate:.1%}"
        f"  two+ too low {report.two_low} ({report.two_low / max(report.total, 1):.1%})"
        f"  one too low {report.one_low}  too high {report.over}",
        "    expected \\ routed " + " ".join(f"{t:>9}" for t in TIERS),
    ]
    for want in TIERS:
        lines.append(f"    {want:>19} " + " ".join(f"{report.confusion[(want, got)]:>9}" for got in TIERS))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=list(SPLITS), default=None)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    splits = [args.split] if args.split else list(SPLITS)
    for split in splits:
        report = evaluate(split)
        print(format_report(report))
        if args.show_misses:
            for case, decision in report.misses:
                print(
                    f"  {case.id:<10} want {case.expected:<9} got {decision.tier:<9} score {decision.score} "
                    f"rule {decision.rule}: {case.why}"
                )
                for reason in decision.reasons[:4]:
                    print(f"      {reason}")


if __name__ == "__main__":
    main()
