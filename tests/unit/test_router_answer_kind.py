"""The answer-kind split (reasoning vs complex), imperatives, and errors that name their cause."""

from __future__ import annotations

import pytest

from daemon.canonical import Message, Request, TextBlock, Tool
from daemon.config.load import ConfigError, load_config_text
from daemon.config.model import Config, RoutingConfig
from daemon.routing import dimensions
from daemon.routing.envelope import read_turn
from daemon.routing.router import route
from daemon.routing.structure import StructuralSignals
from daemon.routing.weights import DEFAULT_RULES

TOOLS = [Tool(n) for n in ("Read", "Edit", "Bash", "Grep")]
HARD_CONTEXT = (
    "Our payout scheduler runs on 3 replicas across 2 availability zones and must run exactly once; "
    "we saw two payouts for the same merchant during a network partition last week, with clock skew "
    "of 4 seconds between nodes and a Postgres advisory lock held by a paused JVM. "
)


def _request(text: str) -> Request:
    return Request(
        "claude-sonnet-4-6", [Message("user", [TextBlock(text)])], system=[], tools=TOOLS, max_tokens=8192
    )


def _features(text: str) -> dimensions.Features:
    request = _request(text)
    return dimensions.features(request, read_turn(request), StructuralSignals())


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("should we use advisory locks or a lease row? compare the trade-offs", 1.0),
        ("fix it, then add a regression test", 0.0),
        ("we set a cookie and ship the token to the SPA. review the design", 1.0),
        ("the table is big", 0.5),
    ],
)
def test_deliberation_reads_what_is_asked_for(text: str, share: float) -> None:
    assert dimensions.deliberation(_features(text)) == share


def test_a_verb_that_describes_the_system_is_not_an_instruction() -> None:
    assert dimensions._imperatives("we set an httpOnly cookie before we ship it") == 0
    assert dimensions._imperatives("using a Redis SET with a TTL") == 0
    assert dimensions._imperatives("ok, now please fix the handler and then deploy it") == 2


def test_hard_work_splits_by_the_kind_of_answer() -> None:
    config = Config()
    decide = route(
        _request(HARD_CONTEXT + "Which approach should we pick and why? Compare the options."), config
    )
    do = route(_request(HARD_CONTEXT + "Fix the scheduler so it cannot double-pay, and add a test."), config)
    assert decide.tier == "reasoning", decide.reasons
    assert do.tier == "complex", do.reasons
    assert "answer-kind" in (decide.rule, do.rule) or decide.scored_tier != do.scored_tier


def test_the_split_can_be_switched_off() -> None:
    rules = dict(DEFAULT_RULES, arguments_to_reasoning=False)
    config = Config(routing=RoutingConfig(rules=rules))
    decision = route(
        _request(HARD_CONTEXT + "Which approach should we pick and why? Compare the options."), config
    )
    assert decision.rule != "answer-kind"
    assert decision.tier == decision.scored_tier


def test_an_error_that_names_its_cause_counts_a_quarter() -> None:
    direct = "the handler crashes:\nAttributeError: 'NoneType' object has no attribute 'email'\nError: boom\n"
    hidden = "the handler crashes:\nWARNING: DATA RACE\nError: boom\n"
    plain = "fix the handler:\nAttributeError: 'NoneType' object has no attribute 'email'\nError: boom\n"
    assert dimensions.pinpointed_error(_features(plain))
    assert not dimensions.pinpointed_error(_features(hidden))
    assert not dimensions.pinpointed_error(_features(direct))  # "crashes": the user says the cause is hidden
    assert 0 < dimensions.error_signals(_features(plain)) < dimensions.error_signals(_features(hidden))


def test_file_names_are_not_cue_words() -> None:
    assert dimensions.risk(_features("add a --dry-run flag like deploy.sh has")) == 0
    assert dimensions.risk(_features("deploy it to prod")) > 0


@pytest.mark.parametrize(
    ("value", "ok"), [("0.5", True), ("0", True), ("1", True), ("1.5", False), ('"half"', False)]
)
def test_deliberation_split_is_a_share(value: str, ok: bool) -> None:
    text = f"[routing]\ndeliberation_split = {value}\n"
    if ok:
        assert load_config_text(text).routing.deliberation_split == float(value)
    else:
        with pytest.raises(ConfigError) as error:
            load_config_text(text)
        assert any(p.key.endswith("routing.deliberation_split") for p in error.value.problems)


@pytest.mark.parametrize(
    ("text", "focused"),
    [
        ("implement groupByDay in WorkoutListViewModel: a header per day, newest on top", True),
        ("add a --json flag to the overdue command that prints rows as a JSON array", True),
        ("write a @WebMvcTest for AccountController with the repository mocked", True),
        ("add a retry helper and replace the hand-rolled retries across all 9 clients with it", False),
        ("add an owner check to the endpoint that deletes teams in production", False),
        ("the export is slow since the upgrade, find out why", False),
    ],
)
def test_focused_build_is_one_named_thing_that_does_not_spread(text: str, focused: bool) -> None:
    assert dimensions.focused_build(_features(text)) == (1.0 if focused else 0.0)
