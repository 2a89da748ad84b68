"""The learned scorer: the shipped model's shape, its tokeniser, and both scorers in the router."""

from __future__ import annotations

import itertools
from dataclasses import replace

from daemon.canonical import Message, Request, TextBlock, Tool
from daemon.config.model import TIERS, Config, RoutingConfig
from daemon.routing import dimensions, learned
from daemon.routing.router import route


def test_shipped_model_is_monotone_where_the_property_tests_need_it() -> None:
    """Every dimension but deliberation has weights that never fall (never rise for the "easy"
    ones) from simple to reasoning: more evidence of difficulty can only move the tier up."""
    model = learned.default_model()
    assert set(model.dimensions) == set(dimensions.DIMENSIONS)
    assert model.monotone["deliberation"] == 0
    for name, weights in model.dimensions.items():
        direction = model.monotone[name]
        steps = [b - a for a, b in itertools.pairwise(weights)]
        if direction > 0:
            assert all(step >= 0 for step in steps), (name, weights)
        elif direction < 0:
            assert all(step <= 0 for step in steps), (name, weights)
    assert len(model.bias) == len(TIERS)
    assert all(len(w) == len(TIERS) for w in model.words.values())


def test_grams_are_lowercased_words_and_adjacent_pairs() -> None:
    assert learned.grams("Rename foo.py, then RUN tests") == {
        "rename",
        "foo",
        "py",
        "then",
        "run",
        "tests",
        "rename foo",
        "foo py",
        "py then",
        "then run",
        "run tests",
    }


def test_judge_picks_the_most_likely_tier_and_explains_it_against_the_runner_up() -> None:
    model = learned.parse_model(
        {
            "bias": [0.0, 0.0, 0.0, 0.0],
            "dimensions": {"risk": [0.0, 1.0, 3.0, 3.0]},
            "words": {"deploy": [0.0, 0.0, 1.0, 0.0], "prove": [0.0, 0.0, 0.0, 5.0]},
            "dimension_scale": 1.0,
            "monotone": {"risk": 1},
        }
    )
    risky = learned.judge(model, {"risk": 1.0}, "deploy it")
    assert TIERS[risky.tier] == "complex" and TIERS[risky.runner_up] == "reasoning"
    assert risky.pulls["risk"] == 0.0 and risky.words == (("deploy", 1.0),)
    assert abs(sum(risky.probabilities) - 1.0) < 1e-9
    proof = learned.judge(model, {"risk": 0.0}, "prove it")
    assert TIERS[proof.tier] == "reasoning" and proof.score > risky.score
    plain = learned.judge(model, {}, "")
    assert plain.score == 50.0  # four equal logits: the expected tier is the middle of 0-100


def _request(text: str) -> Request:
    tools = [Tool(n) for n in ("Read", "Edit", "Bash")]
    return Request("claude-sonnet-4-6", [Message("user", [TextBlock(text)])], tools=tools, max_tokens=8192)


def test_both_scorers_route_and_say_which_one_decided() -> None:
    text = "rename src/utils.py to src/helpers.py and fix the two imports"
    by_model = route(_request(text), Config())
    assert by_model.tier == "simple" and by_model.rule == "score"
    assert "learned" in by_model.reasons[0]
    weighted = replace(Config(), routing=RoutingConfig(scorer="weights"))
    by_weights = route(_request(text), weighted)
    assert by_weights.rule == "score" and "learned" not in by_weights.reasons[0]
    assert {d.name: d.weight for d in by_weights.dimensions} == dict(weighted.routing.weights)


def test_the_learned_scorer_sends_hard_arguments_to_reasoning() -> None:
    text = (
        "We are choosing between an outbox table and CDC for publishing order events. Compare the two "
        "for our Postgres + Kafka setup, the failure modes of each, and recommend one with the "
        "trade-offs. Prove the outbox keeps exactly-once delivery under a crash between commit and publish."
    )
    assert route(_request(text), Config()).tier == "reasoning"
