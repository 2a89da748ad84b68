"""Picks the tier for a request: a pure function of the request, the config and the session.

The order of precedence, first match decides:

1. overrides: the operator's per-session override, the ``x-lynkr-tier``
   request header, a model alias (``lynkr/<tier>``) or a client model name
   that ``routing.model_map`` maps to a tier;
2. side requests (titles, summaries, warm-ups, haiku-class model names) go to ``simple``;
3. session stickiness: in the middle of a tool exchange a session keeps its tier;
4. the score: weighted dimensions -> 0-100 -> tier by threshold;
then the hard rules raise the tier where they must (extended thinking, risky
writes, images, context size). Every step leaves its reason in words.
No network, no I/O: the structure cache only makes repeats faster.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from daemon.canonical import Request
from daemon.config.model import TIERS, Config, TierConfig
from daemon.routing import dimensions, learned
from daemon.routing.envelope import read_turn, strip_envelopes
from daemon.routing.models import known_context_window, known_vision
from daemon.routing.structure import StructuralSignals, StructureCache, analyze


@dataclass(frozen=True, slots=True)
class DimensionScore:
    name: str
    value: float
    weight: float

    @property
    def points(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True, slots=True)
class SessionView:
    """What the router may know about the conversation so far (owned by the session store)."""

    id: str
    override: str | None = None
    tier: str | None = None
    message_count: int = 0


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    tier: str
    rule: str
    """What decided: ``score``, ``session-override``, ``header``, ``model-alias``, ``model-map``,
    ``side-request``, ``session-sticky``, or a hard rule that raised the tier."""
    reasons: tuple[str, ...]
    score: float | None = None
    dimensions: tuple[DimensionScore, ...] = ()
    override: str | None = None
    """Which override decided, when one did."""
    scored_tier: str | None = None
    """The tier the score alone gave, before rules and stickiness."""
    elapsed_us: float = 0.0
    structure: StructuralSignals | None = field(default=None, repr=False)


log = logging.getLogger("lynkr.router")

_HEADER = "x-lynkr-tier"
_ALIAS = re.compile(r"^lynkr[/:-](simple|medium|complex|reasoning|auto)$", re.IGNORECASE)


def pinned_tier(model: str) -> str | None:
    """The tier a model alias names (``lynkr/complex``, ``lynkr-simple``), None for anything else."""
    match = _ALIAS.match(model.strip())
    if match and match.group(1).lower() != "auto":
        return match.group(1).lower()
    name = model.strip().lower()
    return name if name in TIERS else None


def route(
    request: Request,
    config: Config,
    session: SessionView | None = None,
    headers: Mapping[str, str] | None = None,
    cache: StructureCache | None = None,
) -> RoutingDecision:
    started = time.perf_counter()
    decision = _decide(request, config, session, headers or {}, cache)
    elapsed = (time.perf_counter() - started) * 1e6
    return _with(decision, elapsed_us=elapsed)


def _decide(
    request: Request,
    config: Config,
    session: SessionView | None,
    headers: Mapping[str, str],
    cache: StructureCache | None,
) -> RoutingDecision:
    routing = config.routing
    rules = routing.rules

    override = _override(request, config, session, headers)
    if override is not None:
        return _borrowing(override, config)

    if rules.get("side_requests_to_simple", True):
        side = side_request(request)
        if side:
            return _borrowing(RoutingDecision("simple", "side-request", (side,)), config)

    turn = read_turn(request)
    try:
        structure = analyze(request, cache)
    except Exception:  # a grammar bug must never fail a request: route without structure
        log.exception("structure analysis failed; routing without it")
        structure = StructuralSignals()
    feats = dimensions.features(request, turn, structure)
    if routing.scorer == "learned":
        scores, score, scored, reasons = _learned(feats)
        tier, rule = scored, "score"
    else:
        scores, score, scored, reasons = _weighted(feats, config)
        tier, rule = scored, "score"
        if rules.get("arguments_to_reasoning", True) and scored in ("complex", "reasoning"):
            tier, rule = _answer_kind(scored, feats, routing.deliberation_split, reasons)
    if not request.messages or (not turn.latest_user_text and not turn.recent_tool_output):
        tier, rule = routing.default_tier, "default-tier"
        reasons = [f"nothing to judge; routing.default_tier is {tier}"]

    compacted = session is not None and session.message_count > len(request.messages) + 1
    if (
        rules.get("sticky_tool_loops", True)
        and session is not None
        and session.tier in TIERS
        and not turn.new_user_text
        and turn.tool_loop_depth > 0
        and not compacted
    ):
        tier, rule = session.tier, "session-sticky"
        reasons.insert(0, f"mid tool exchange (depth {turn.tool_loop_depth}): the session stays on {tier}")

    tier, rule = _hard_rules(request, config, scores, feats, tier, rule, reasons)
    decision = RoutingDecision(
        tier, rule, tuple(reasons), round(score, 1), scores, None, scored, 0.0, structure
    )
    return _borrowing(decision, config)


def _weighted(
    feats: dimensions.Features, config: Config
) -> tuple[tuple[DimensionScore, ...], float, str, list[str]]:
    """The hand-tunable scorer: base + weighted dimensions, clamped to 0-100, tier by threshold."""
    routing = config.routing
    scores = tuple(
        DimensionScore(name, fn(feats), routing.weights.get(name, 0.0))
        for name, (fn, _) in dimensions.DIMENSIONS.items()
    )
    score = max(0.0, min(100.0, routing.base_score + sum(d.points for d in scores)))
    scored = tier_for(score, routing.thresholds)
    return scores, score, scored, [f"score {score:.0f} -> {scored}", *_top_reasons(scores)]


def _learned(feats: dimensions.Features) -> tuple[tuple[DimensionScore, ...], float, str, list[str]]:
    """The learned scorer (``learned.py``): the most likely tier. Each dimension's weight is what it
    gave that tier over the runner-up at full strength, so the reasons say why this tier and not
    the next best."""
    values = {name: fn(feats) for name, (fn, _) in dimensions.DIMENSIONS.items()}
    judgement = learned.judge(learned.default_model(), values, feats.prose)
    scores = tuple(DimensionScore(name, v, judgement.pulls.get(name, 0.0)) for name, v in values.items())
    tier, runner_up = TIERS[judgement.tier], TIERS[judgement.runner_up]
    confidence = judgement.probabilities[judgement.tier]
    reasons = [f"score {judgement.score:.0f} -> {tier} (learned: {confidence:.0%} {tier}, next {runner_up})"]
    reasons += _top_reasons(scores, scale=0.25)
    if judgement.words:
        reasons.append("words for " + tier + ": " + ", ".join(f"'{g}'" for g, _ in judgement.words))
    return scores, judgement.score, tier, reasons


def _answer_kind(
    scored: str, feats: dimensions.Features, split: float, reasons: list[str]
) -> tuple[str, str]:
    """Hard work splits by the kind of answer it needs: deciding or proving (reasoning) or doing
    (complex). The score measures how hard a request is, not which kind it is."""
    share = dimensions.deliberation(feats)
    if scored == "complex" and share > split:
        reasons.insert(0, f"hard, and it asks for an argument (deliberation {share:.2f}): reasoning")
        return "reasoning", "answer-kind"
    if scored == "reasoning" and share < split:
        reasons.insert(0, f"hard, and it asks for edits and commands (deliberation {share:.2f}): complex")
        return "complex", "answer-kind"
    return scored, "score"


def tier_for(score: float, thresholds: Mapping[str, float]) -> str:
    tier = "simple"
    for name in ("medium", "complex", "reasoning"):
        if score >= thresholds.get(name, 101):
            tier = name
    return tier


def _override(
    request: Request, config: Config, session: SessionView | None, headers: Mapping[str, str]
) -> RoutingDecision | None:
    if session is not None and session.override in TIERS:
        tier = session.override
        return RoutingDecision(
            tier,
            "session-override",
            (f"the operator pinned session {session.id} to {tier}",),
            override="session",
        )
    header = headers.get(_HEADER, "").strip().lower()
    if header in TIERS:
        return RoutingDecision(
            header, "header", (f"the request header {_HEADER} asks for {header}",), override="header"
        )
    pinned = pinned_tier(request.model)
    if pinned is not None:
        return RoutingDecision(
            pinned,
            "model-alias",
            (f"model {request.model!r} names the {pinned} tier",),
            override="model-alias",
        )
    mapped = config.routing.model_map.get(request.model)
    if mapped in TIERS:
        return RoutingDecision(
            mapped,
            "model-map",
            (f"routing.model_map sends {request.model!r} to {mapped}",),
            override="model-map",
        )
    return None


# --------------------------------------------------------------------------- side requests

_SIDE_PATTERNS = re.compile(
    r"new conversation topic|isNewTopic|write a \d+-\d+ word title|generate a (?:short |concise )?title|"
    r"summari[sz]e (?:this|the) (?:coding )?conversation in|conversation summary in under|"
    r"suggest(?:ion)?s? (?:for )?(?:the )?next (?:prompt|message)|predict what the user|"
    r"context-aware state summary|maintaining a context-aware|please summarize the following conversation|"
    r"<policy_spec>|command prefix (?:detection|extraction)|summari[sz]e this (?:partial )?conversation|"
    r"follow-up (?:questions|prompts)|### Task:\s*(?:Generate|Suggest|Create) (?:a |\d)|"
    r"generates? (?:a )?(?:concise,? )?(?:one-line )?(?:git )?commit messages?",
    re.IGNORECASE,
)


def side_request(request: Request) -> str | None:
    """Why this is a harness side request (title, summary, warm-up), or None."""
    if request.max_tokens is not None and request.max_tokens <= 1:
        return "max_tokens 1: a quota or warm-up probe"
    if "haiku" in request.model.lower():
        # Claude Code sends its background work (titles, summaries, Explore) to the haiku-class model.
        return f"model {request.model!r} is haiku-class: background work"
    last = request.messages[-1] if request.messages else None
    if last is not None and len(request.messages) == 1:
        text = strip_envelopes(" ".join(getattr(b, "text", "") for b in last.content)).lower()
        if text in ("quota", "warmup", "warm-up", "test", "ping"):
            return f"a {text!r} probe"
    head = request.system_text()[:4000]
    if _SIDE_PATTERNS.search(head):
        return "the system prompt asks for a title, topic check or summary"
    if not request.tools and last is not None:
        text = strip_envelopes(" ".join(getattr(b, "text", "") for b in last.content))[:2000]
        if _SIDE_PATTERNS.search(text):
            return "the request asks for a title, topic check or summary"
    return None


# --------------------------------------------------------------------------- hard rules


def _hard_rules(
    request: Request,
    config: Config,
    scores: tuple[DimensionScore, ...],
    feats: dimensions.Features,
    tier: str,
    rule: str,
    reasons: list[str],
) -> tuple[str, str]:
    rules = config.routing.rules
    values = {d.name: d.value for d in scores}
    if (
        rules.get("thinking_to_reasoning", True)
        and dimensions.wants_thinking(request)
        and tier != "reasoning"
    ):
        reasons.insert(0, "extended thinking was requested: reasoning tier")
        tier, rule = "reasoning", "rule:thinking"
    if (
        rules.get("risky_writes_min_complex", True)
        and values.get("risk", 0) >= 0.5
        and _writes(request, feats, values)
        and _rank(tier) < _rank("complex")
    ):
        reasons.insert(
            0,
            "a risky change (auth, payments, migrations, secrets, production) with write tools: "
            "at least complex",
        )
        tier, rule = "complex", "rule:risky-write"
    if rules.get("images_need_vision", True) and values.get("images", 0) > 0:
        capable = _first_tier_from(tier, config, lambda t: _vision(t) is not False)
        if capable != tier:
            reasons.insert(0, f"the request has images and {tier}'s model does not take them: {capable}")
            tier, rule = capable, "rule:vision"
    if rules.get("context_window_escalation", True):
        tokens = feats.tokens
        roomy = _first_tier_from(tier, config, lambda t: (_window(t) or 10**9) >= tokens)
        if roomy != tier:
            reasons.insert(0, f"~{tokens} tokens exceed {tier}'s context window: {roomy}")
            tier, rule = roomy, "rule:context-window"
    return tier, rule


def _writes(request: Request, feats: dimensions.Features, values: Mapping[str, float]) -> bool:
    """A change gets made: by the agent's write tools, or, from a plain chat call without tools, by
    the script or commands the answer hands the user to run ("delete every customer in live Stripe")."""
    return values.get("write_tools", 0) > 0 or (not request.tools and dimensions.deliberation(feats) < 0.5)


def _rank(tier: str) -> int:
    return TIERS.index(tier)


def _vision(tier: TierConfig) -> bool | None:
    return tier.vision if tier.vision is not None else known_vision(tier.model)


def _window(tier: TierConfig) -> int | None:
    return tier.context_window if tier.context_window is not None else known_context_window(tier.model)


def _first_tier_from(tier: str, config: Config, ok) -> str:
    """The first tier at or above ``tier`` whose model passes ``ok``; ``tier`` itself if none does."""
    for name in TIERS[_rank(tier) :]:
        candidate = config.tiers.get(name)
        if candidate is not None and ok(candidate):
            return name
    return tier


def _top_reasons(scores: tuple[DimensionScore, ...], n: int = 3, scale: float = 1.0) -> list[str]:
    """The dimensions that moved the decision most; ``scale`` is the smallest pull worth naming
    (score points for the weighted scorer, logits for the learned one)."""
    ranked = sorted((d for d in scores if abs(d.points) >= scale), key=lambda d: -abs(d.points))[:n]
    digits = 0 if scale >= 1 else 1
    return [
        f"{d.name} {d.value:.2f} ({d.points:+.{digits}f}): {dimensions.DIMENSIONS[d.name][1]}" for d in ranked
    ]


def _borrowing(decision: RoutingDecision, config: Config) -> RoutingDecision:
    tier = config.tiers.get(decision.tier)
    if tier is None or tier.borrowed_from is None:
        return decision
    note = (
        f"the {decision.tier} tier is not configured; it borrows {tier.borrowed_from}'s "
        f"{tier.provider}:{tier.model}"
    )
    return _with(decision, reasons=(*decision.reasons, note))


def _with(decision: RoutingDecision, **changes: object) -> RoutingDecision:
    return replace(decision, **changes)  # type: ignore[arg-type]
