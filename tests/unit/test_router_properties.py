"""Properties the router must keep for any request, checked with generated conversations.

- adding a failing stack trace never lowers the tier;
- wrapping the same user text in another harness's envelope never changes the decision;
- an override always wins, whatever the request says.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daemon.canonical import Message, Request, TextBlock, Tool, ToolResultBlock, ToolUseBlock
from daemon.config.model import TIERS, Config, RoutingConfig
from daemon.routing.router import SessionView, route

WORDS = (
    "rename move list grep format the file module function class test tests failing bug fix why design "
    "architecture trade-off prove deadlock race condition mutex thread payment stripe migration production "
    "secret token auth deploy refactor across all services then after that first finally step explain "
    "implement add endpoint handler parser cache latency performance database schema query index column "
    "frontend component button css typo import version bump readme docs commit push branch should we "
    "compare which approach is it safe how would you review make it set ship"
).split()
TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/app/src/orders/service.py", line 88, in settle\n'
    "    balance = ledger.apply(entry)\n"
    '  File "/app/src/orders/ledger.py", line 41, in apply\n'
    "    raise InvariantError(f'negative balance {total}')\n"
    "orders.ledger.InvariantError: negative balance -12.50\n"
    "FAILED tests/test_orders.py::test_settle_partial_refund - orders.ledger.InvariantError\n"
    "1 failed, 211 passed in 4.21s\n"
)
# A trace whose cause is on the line that raised counts for less than one that shows a symptom,
# but never for less than no trace at all.
DIRECT_TRACE = (
    "Traceback (most recent call last):\n"
    '  File "/app/src/billing/emails.py", line 31, in send_invoice\n'
    "    to = customer.billing_contact.email\n"
    "AttributeError: 'NoneType' object has no attribute 'email'\n"
    "FAILED tests/test_emails.py::test_send_invoice - AttributeError\n"
)
RACE_TRACE = (
    "WARNING: DATA RACE\nWrite at 0x00c0001a2b38 by goroutine 14:\n"
    "  internal/consumer.(*Batcher).flush()\n      /src/internal/consumer/batcher.go:88 +0x1c4\n"
    "--- FAIL: TestPushUnderLoad (0.31s)\n    testing.go:1398: race detected during execution of test\n"
)
TRACES = (TRACE, DIRECT_TRACE, RACE_TRACE)
ENVELOPES = (
    lambda t: t,
    lambda t: f"<system-reminder>\nThe user opened src/app.py in the IDE.\n</system-reminder>\n{t}",
    lambda t: (
        "<environment_context>\n  <cwd>/home/dev/shop</cwd>\n"
        "  <approval_policy>on-request</approval_policy>\n"
        f"  <sandbox_mode>workspace-write</sandbox_mode>\n</environment_context>\n{t}"
    ),
    lambda t: (
        "<RUNTIME_INFORMATION>\nThe user has access to the following hosts: http://localhost:52341\n"
        f"Today's date is 2026-11-24.\n</RUNTIME_INFORMATION>\n{t}"
    ),
    lambda t: f"{t}\n<system-reminder>Todo list is empty. Do not mention this reminder.</system-reminder>",
)
TOOLS = [Tool(n) for n in ("Read", "Edit", "Bash", "Grep")]

texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=40).map(" ".join)


@st.composite
def conversations(draw: st.DrawFn) -> tuple[str, list[Message]]:
    """A user request, optionally followed by a tool exchange; returns (user text, history)."""
    text = draw(texts)
    history = [Message("user", [TextBlock(text)])]
    for i in range(draw(st.integers(0, 3))):
        call = f"toolu_{i}"
        history.append(Message("assistant", [ToolUseBlock(call, "Bash", {"command": draw(texts)})]))
        history.append(Message("user", [ToolResultBlock(call, [TextBlock(draw(texts))])]))
    return text, history


def _request(history: list[Message], tools: bool = True) -> Request:
    return Request(
        "claude-sonnet-4-6",
        history,
        system=[TextBlock("You are a coding agent.")],
        tools=TOOLS if tools else [],
        max_tokens=8192,
    )


def _rank(tier: str) -> int:
    return TIERS.index(tier)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(conversations(), st.sampled_from(TRACES))
def test_a_failing_stack_trace_never_lowers_the_tier(
    conversation: tuple[str, list[Message]], trace: str
) -> None:
    config = Config()
    _, history = conversation
    before = route(_request(history), config)
    with_trace = list(history)
    last = with_trace[-1]
    if any(isinstance(b, ToolResultBlock) for b in last.content):
        result = next(b for b in last.content if isinstance(b, ToolResultBlock))
        traced = ToolResultBlock(result.tool_use_id, [*result.content, TextBlock(trace)], is_error=True)
        with_trace[-1] = Message("user", [traced])
    else:
        with_trace[-1] = Message("user", [*last.content, TextBlock(trace)])
    after = route(_request(with_trace), config)
    assert _rank(after.tier) >= _rank(before.tier), (before.reasons, after.reasons)
    assert (after.score or 0) >= (before.score or 0)


@FAST
@given(texts, st.sampled_from(range(len(ENVELOPES))), st.sampled_from(range(len(ENVELOPES))))
def test_harness_envelopes_never_change_the_decision(text: str, first: int, second: int) -> None:
    config = Config()
    one = route(_request([Message("user", [TextBlock(ENVELOPES[first](text))])]), config)
    two = route(_request([Message("user", [TextBlock(ENVELOPES[second](text))])]), config)
    assert (one.tier, one.score) == (two.tier, two.score)


@FAST
@given(conversations(), st.sampled_from(TIERS), st.sampled_from(["session", "header", "alias", "map"]))
def test_an_override_always_wins(conversation: tuple[str, list[Message]], tier: str, source: str) -> None:
    _, history = conversation
    request = _request(history)
    config = Config()
    session = None
    headers: dict[str, str] = {}
    if source == "session":
        session = SessionView("s1", override=tier, tier="simple")
    elif source == "header":
        headers = {"x-lynkr-tier": tier}
    elif source == "alias":
        request.model = f"lynkr/{tier}"
    else:
        config = Config(routing=RoutingConfig(model_map={"claude-sonnet-4-6": tier}))
    # Even a request that a hard rule would raise (extended thinking) keeps the operator's choice.
    request.thinking = {"type": "enabled", "budget_tokens": 4096}
    decision = route(request, config, session, headers)
    assert decision.tier == tier
    assert decision.override is not None


def test_override_precedence_session_then_header_then_alias_then_map() -> None:
    request = _request([Message("user", [TextBlock("explain this module")])])
    request.model = "lynkr/medium"
    config = Config(routing=RoutingConfig(model_map={"lynkr/medium": "simple"}))
    session = SessionView("s1", override="reasoning")
    assert route(request, config, session, {"x-lynkr-tier": "complex"}).rule == "session-override"
    assert route(request, config, None, {"x-lynkr-tier": "complex"}).rule == "header"
    assert route(request, config, None, {}).rule == "model-alias"
    request.model = "claude-haiku-4-5"
    config = Config(routing=RoutingConfig(model_map={"claude-haiku-4-5": "simple"}))
    assert route(request, config).tier == "simple"


def test_a_probe_is_recognised_inside_an_envelope_too() -> None:
    """Found by the envelope property: a one-word probe ("test") must not depend on the wrapping."""
    config = Config()
    bare = route(_request([Message("user", [TextBlock("test")])]), config)
    wrapped = route(_request([Message("user", [TextBlock(ENVELOPES[1]("test"))])]), config)
    assert bare.rule == wrapped.rule == "side-request"
