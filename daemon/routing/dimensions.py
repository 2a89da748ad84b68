"""The named dimensions a request is scored on, each a value from 0 to 1.

Every dimension is a small function of ``Features`` (computed once per
request). Text dimensions look only at the user's own words (envelopes
stripped, see ``envelope``); error signals look at the tool output since
that text, where failing tests and stack traces appear; structure comes from
the tree-sitter analysis in ``structure``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from daemon.canonical import ImageBlock, Request, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.routing.envelope import Turn, prose_of, strip_envelopes
from daemon.routing.lexicons import (
    ACT,
    ARGUE,
    BIG_OUTPUT,
    BUG_REPORT,
    BUILD_ONE,
    DEBUGGING,
    DIRECT_ERRORS,
    DOMAIN,
    ERROR_MARKERS,
    EXIT_CODE,
    HUNT,
    MECHANICAL,
    NUMBERED,
    OPENER,
    PLAN,
    PROMPT_WRITE_TOOLS,
    READ_ONLY,
    REASONING,
    REASONING_STRONG,
    RISK,
    RISK_WEAK,
    SAYS_READ_ONLY,
    SYMPTOMS,
    WRITE_TOOLS,
)
from daemon.routing.structure import StructuralSignals
from daemon.tokens import estimate_request


@dataclass(frozen=True, slots=True)
class Features:
    """Everything the dimensions read, extracted once per request."""

    request: Request
    turn: Turn
    tokens: int
    """The whole request, as an upstream would count it (context-window rule)."""
    conversation_tokens: int
    """The conversation without client boilerplate (what the task carries)."""
    structure: StructuralSignals
    prose: str = ""
    """The latest user text without pasted code, logs and traces: what cue words are read from."""
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Values several dimensions share (risk, debugging cues...), computed once: see ``_once``."""


_F = TypeVar("_F", bound=Callable[["Features"], Any])


def _once(fn: _F) -> _F:
    """A dimension other dimensions also read (``focused_build`` reads ``risk``): computed once per
    request, not once per reader."""
    name = fn.__name__

    @functools.wraps(fn)
    def cached(f: Features) -> Any:
        memo = f.memo
        if name not in memo:
            memo[name] = fn(f)
        return memo[name]

    return cached  # type: ignore[return-value]


def features(request: Request, turn: Turn, structure: StructuralSignals) -> Features:
    return Features(
        request,
        turn,
        estimate_request(request),
        conversation_tokens(request),
        structure,
        prose_of(turn.latest_user_text),
    )


def conversation_tokens(request: Request) -> int:
    """Tokens of the conversation itself: messages with harness envelopes stripped, no system
    prompt and no tool definitions (those are each client's constant overhead, not the task)."""
    chars = 0
    for message in request.messages:
        for block in message.content:
            if isinstance(block, TextBlock):
                chars += len(strip_envelopes(block.text)) if "<" in block.text else len(block.text)
            elif isinstance(block, ToolResultBlock):
                chars += sum(len(p.text) for p in block.content if isinstance(p, TextBlock))
            elif isinstance(block, ToolUseBlock):
                chars += len(str(block.input))
    return chars // 4


def _clamp(value: float) -> float:
    return 0.0 if value <= 0 else 1.0 if value >= 1 else value


def _log_scale(value: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, logarithmic between."""
    if value <= low:
        return 0.0
    return _clamp(math.log(value / low) / math.log(high / low))


def _distinct(pattern: re.Pattern[str], text: str, cap: int = 20, skip_upper: bool = False) -> int:
    """Different cue words found: "payments(id, ...)" after "failed payments" is one cue, not two.
    ``skip_upper`` ignores all-caps matches (SQL's EXPLAIN ANALYZE is a keyword, not a request)."""
    seen: set[str] = set()
    for match in pattern.finditer(text):
        if skip_upper and match.group(0).isupper():
            continue
        seen.add(match.group(0).lower())
        if len(seen) >= cap:
            break
    return len(seen)


def _hits(pattern: re.Pattern[str], text: str, cap: int = 20) -> int:
    count = 0
    for _ in pattern.finditer(text):
        count += 1
        if count >= cap:
            break
    return count


# --------------------------------------------------------------------------- the dimensions


def context_size(f: Features) -> float:
    return _log_scale(f.conversation_tokens, 1_500, 100_000)


def short_request(f: Features) -> float:
    """A short ask with nothing else going on is usually a small one: a short question above a
    pasted trace or file is not short."""
    length = len(f.turn.latest_user_text)
    if not length:
        return 0.0
    return _clamp((300 - length) / 220)


def user_text_size(f: Features) -> float:
    return _log_scale(len(f.prose), 80, 3_000)


def code_volume(f: Features) -> float:
    return _log_scale(f.structure.total_lines, 20, 1_500)


def languages(f: Features) -> float:
    return _clamp((len(f.structure.languages) - 1) / 3)


def tools_offered(f: Features) -> float:
    return _clamp(len(f.request.tools) / 16)


def write_tools(f: Features) -> float:
    if any(WRITE_TOOLS.match(t.name) for t in f.request.tools):
        return 1.0
    # Cline and Roo describe their tools as XML in the system prompt; Aider edits by SEARCH/REPLACE
    # blocks. Both write files and run commands without an API tool list.
    return 1.0 if PROMPT_WRITE_TOOLS.search(f.request.system_text()[:30_000]) else 0.0


def tool_loop_depth(f: Features) -> float:
    return _clamp(f.turn.tool_loop_depth / 10)


def error_signals(f: Features) -> float:
    """Failing tests, traces and compiler errors; an error that names its own cause counts a
    quarter (rubric rule 3: a fix whose cause is on the trace line is ordinary work). Never
    negative, so adding a failing stack trace can never lower a score."""
    # Errors the user pastes count as much as errors a tool printed.
    hits = error_hits(f.turn.command_output) + error_hits(f.turn.latest_user_text)
    if not hits:
        return 0.0
    return _clamp(hits / 4) * (0.25 if pinpointed_error(f) else 1.0)


def error_hits(text: str) -> int:
    if not text:
        return 0
    hits = sum(text.count(marker) for marker in ERROR_MARKERS)
    if "exit " in text:
        hits += _hits(EXIT_CODE, text, cap=5)
    return min(hits, 20)


@_once
def pinpointed_error(f: Features) -> bool:
    """The error names its own cause: a None dereference, a missing name, an unsupported value on
    the line that raised, with no sign of a hidden one (a race, a crash, a hang; "sometimes",
    "only under load")."""
    text = f.turn.command_output[-16_384:] + "\n" + f.turn.latest_user_text[-16_384:]
    if not any(marker in text for marker in DIRECT_ERRORS):
        return False
    hunting = _distinct(HUNT, f.prose)  # "broke since I merged main" names a change, not a hidden cause
    return not (any(marker in text for marker in SYMPTOMS) or hunting or _distinct(DOMAIN, f.prose))


def reasoning_cues(f: Features) -> float:
    return _clamp((2 * _distinct(REASONING_STRONG, f.prose) + _distinct(REASONING, f.prose)) / 4)


@_once
def deliberation(f: Features) -> float:
    """How much of the ask is for an argument rather than an action: 1 = only asks for a decision,
    explanation or proof; 0 = only for edits and commands; 0.5 when the words do not say.

    Questions count as asks for an argument (at most two). The router uses this to tell
    ``reasoning`` from ``complex`` once a request is hard enough for either."""
    text = f.prose
    argue = _distinct(ARGUE, text, skip_upper=True) + min(2, len(_QUESTION.findall(text)))
    act = _imperatives(text)
    if not act and BUG_REPORT.search(text):
        act = 1  # "Expected: ... Actual: ..." with no other ask: the ask is a fix
    return 0.5 if argue + act == 0 else argue / (argue + act)


# A question mark that ends a question, not one inside a URL ("/accounts?merchantId=").
_QUESTION = re.compile(r"\?(?=\s|$|[)\"'])")
# Where an instruction can start: sentence and clause boundaries, list items, "and"/"then" chains.
_CLAUSE = re.compile(r"([.!?;:](?:\s+|$)|\n|,?\s+(?:and|then|but|so)\s+|,\s+)")
_SUBJECT = re.compile(r"(?:we|i|you|they|it|he|she|this|that|these|those|the|our|my|its|their|there)\b", re.I)


def _clause_heads(parts: list[str]) -> Iterator[tuple[int, str, int, re.Match[str] | None]]:
    """For each clause of ``_CLAUSE.split(text)``: its index in ``parts``, its text (list markers
    stripped), where its verb would start (after "ok, now please ..."), and the action verb there."""
    for index in range(0, len(parts), 2):
        clause = parts[index].lstrip("-*•> \t")
        lead = OPENER.match(clause)
        start = lead.end() if lead else 0
        yield index, clause, start, ACT.match(clause, start)


def _imperatives(text: str) -> int:
    """Different action verbs used as instructions ("fix it", "then add a test"). A verb that
    describes the system ("we set a cookie and ship the token", "before we ship") is not an ask,
    and an all-caps word is a keyword ("Redis SET"), not a verb."""
    seen: set[str] = set()
    parts = _CLAUSE.split(text[:4000])
    described = False
    for index, clause, _, match in _clause_heads(parts):
        if index > 0 and parts[index - 1].strip(", ") == "and" and described:
            continue  # "we set X and ship Y": the subject carries over, still a description
        described = _describes(clause)
        if match is not None and not match.group(0).isupper():
            seen.add(match.group(0).lower())
    return len(seen)


def _describes(clause: str) -> bool:
    """ "we set a cookie", "the job then ships it": a subject doing something, not an ask. A bare
    noun phrase ("my machine", "the docs") describes nothing, so the ask after its "and" counts."""
    subject = _SUBJECT.match(clause)
    if subject is None:
        return False
    rest = clause[subject.end() :].split(maxsplit=3)
    return any(ACT.match(word) for word in rest[:3])


def focused_build(f: Features) -> float:
    """The first instruction builds one named thing (a function, a flag, an endpoint, a test) and
    nothing says it spreads (across modules, every caller, a refactor) or is risky: ordinary
    engineering whose shape the request gives."""
    text = f.prose[:1500]
    first = _first_instruction(text)
    if first is None or not BUILD_ONE.match(first):
        return 0.0
    return 0.0 if _hits(PLAN, text) or risk(f) >= 0.5 else 1.0


def _first_instruction(text: str) -> str | None:
    parts = _CLAUSE.split(text)
    for index, clause, start, match in _clause_heads(parts):
        if match is not None or clause[start:].lower().startswith("need "):
            # The clause and what follows it in the same sentence ("add X: a, b, c").
            return " ".join([clause, *parts[index + 1 : index + 5]])[start:]
    return None


def mechanical_cues(f: Features) -> float:
    text = f.prose
    if not text:
        return 0.0
    # A mechanical verb in a long request is one step of a bigger job, not the job: it counts
    # fully when it opens a short request, half when it appears in one, not at all otherwise.
    if len(text) > 320:
        return 0.0
    match = MECHANICAL.search(text)
    if match is None:
        return 0.0
    if match.start() == 0 or (match.start() < 24 and OPENER.fullmatch(text[: match.start()])):
        return 1.0
    if _only_mechanical_instructions(text):
        return 1.0  # "ci is red on the format check. run dotnet format ...": the ask opens after context
    return 0.5 if len(text) <= 160 else 0.0


def _only_mechanical_instructions(text: str) -> bool:
    """Every instruction is a mechanical one ("commit it as ... and push the branch"); one that is
    not ("move it into a router and make all six components call it") makes the job bigger."""
    mechanical = False
    for _, clause, start, action in _clause_heads(_CLAUSE.split(text)):
        if MECHANICAL.match(clause, start):
            mechanical = True
        elif action is not None:
            return False
    return mechanical


@_once
def plan_cues(f: Features) -> float:
    text = f.prose
    return _clamp((_hits(PLAN, text) + _hits(NUMBERED, text)) / 5)


@_once
def risk(f: Features) -> float:
    words = {m.group(0).lower() for m in RISK.finditer(f.prose)}
    points = sum(0.5 if word in RISK_WEAK else 1.0 for word in words)
    if READ_ONLY.match(f.prose) or SAYS_READ_ONLY.search(f.prose):
        points /= 2
    return _clamp(points / 2)


@_once
def debugging(f: Features) -> float:
    return _clamp(_distinct(DEBUGGING, f.prose) / 2)


@_once
def domain_difficulty(f: Features) -> float:
    return _clamp(_distinct(DOMAIN, f.prose) / 2)


def images(f: Features) -> float:
    messages = f.request.messages[-2:]
    for message in messages:
        for block in message.content:
            if isinstance(block, ImageBlock) or (
                isinstance(block, ToolResultBlock) and any(isinstance(p, ImageBlock) for p in block.content)
            ):
                return 1.0
    return 0.0


def output_size(f: Features) -> float:
    cue = 1.0 if BIG_OUTPUT.search(f.prose) else 0.0
    # Claude Code always asks for 32k; only an unusually small budget says "short answer".
    budget = f.request.max_tokens or 4096
    small = 1.0 if budget <= 256 else 0.0
    return _clamp(cue - small)


def thinking_requested(f: Features) -> float:
    return 1.0 if wants_thinking(f.request) else 0.0


def wants_thinking(request: Request) -> bool:
    if request.thinking and request.thinking.get("type") in ("enabled", "adaptive"):
        return True
    return request.extra.get("reasoning_effort") in ("high", "xhigh")


def conversation_length(f: Features) -> float:
    return _clamp(f.turn.user_turns / 20)


def code_structure(f: Features) -> float:
    s = f.structure
    if not s.units:
        return 0.0
    nesting = _clamp((s.max_nesting - 2) / 6)
    branching = _clamp(s.branching_density / 20)
    size = _log_scale(s.definitions, 3, 60)
    return _clamp(0.4 * nesting + 0.3 * branching + 0.3 * size)


def blast_radius(f: Features) -> float:
    s = f.structure
    if s.definitions < 4:
        return 0.0
    return _clamp(max(s.blast_radius, _log_scale(s.blast_count, 1, 20)))


def god_nodes(f: Features) -> float:
    return _clamp(f.structure.god_nodes / 3)


DIMENSIONS: dict[str, tuple[Callable[[Features], float], str]] = {
    "context_size": (context_size, "size of the whole request in tokens"),
    "user_text_size": (user_text_size, "length of the user's own latest words (no pastes)"),
    "short_request": (short_request, "a short request (under ~300 characters)"),
    "code_volume": (code_volume, "lines of code the request carries"),
    "languages": (languages, "programming languages involved"),
    "tools_offered": (tools_offered, "number of tools offered"),
    "write_tools": (write_tools, "write or execute tools offered"),
    "tool_loop_depth": (tool_loop_depth, "consecutive tool call/result rounds"),
    "error_signals": (
        error_signals,
        "failing tests, stack traces, compiler errors (a quarter when the cause is on the trace line)",
    ),
    "reasoning_cues": (reasoning_cues, "design, trade-offs, proofs, why"),
    "deliberation": (deliberation, "asks for an argument (decide, explain, prove) rather than an action"),
    "focused_build": (focused_build, "builds one named thing (a function, flag, endpoint, test)"),
    "mechanical_cues": (mechanical_cues, "rename, move, list, grep, format"),
    "plan_cues": (plan_cues, "multi-step plan"),
    "risk": (risk, "auth, payments, migrations, production, secrets, destructive commands"),
    "domain_difficulty": (domain_difficulty, "concurrency, security, numerics, distributed systems"),
    "debugging": (debugging, "finding a cause that is not given: flaky, crash, investigate"),
    "images": (images, "images in the latest turns"),
    "output_size": (output_size, "large output requested"),
    "thinking_requested": (thinking_requested, "extended thinking requested"),
    "conversation_length": (conversation_length, "user turns so far"),
    "code_structure": (code_structure, "nesting, branching and definitions of the code"),
    "blast_radius": (blast_radius, "how much code depends on what is being edited"),
    "god_nodes": (god_nodes, "highly connected definitions in the code"),
}
