"""The named dimensions a request is scored on, each a value from 0 to 1.

Every dimension is a small function of ``Features`` (computed once per
request). Text dimensions look only at the user's own words (envelopes
stripped, see ``envelope``); error signals look at the tool output since
that text, where failing tests and stack traces appear; structure comes from
the tree-sitter analysis in ``structure``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from daemon.canonical import ImageBlock, Request, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.routing.envelope import Turn, prose_of, strip_envelopes
from daemon.routing.structure import StructuralSignals
from daemon.tokens import estimate_request

_INFLECTION = re.compile(r"(?<=[a-z])\\w([*+])")  # ``\w*`` right after letters: an inflection


def _words(*patterns: str) -> re.Pattern[str]:
    """Whole words (a trailing ``\\w*`` in a pattern allows inflections: ``concurren\\w*``).

    An inflection is lowercase letters only, so ``format\\w*`` finds "Formatting" but not the
    identifier ``formatMoney``; a hyphen may follow a word ("raft-based", "prod-only")."""
    body = _INFLECTION.sub(r"(?-i:[a-z]\1)", "|".join(patterns))
    return re.compile(r"(?<![\w./-])(?:" + body + r")(?![\w/])", re.IGNORECASE)


# Cues that on their own say the answer is an argument: a design decision, a proof, a threat model,
# a hypothesis that must explain the evidence. They count twice as much as the REASONING ones.
REASONING_STRONG = _words(
    r"architect\w*",
    r"trade-?offs?",
    r"pros and cons",
    r"prove",
    r"proofs?",
    r"root[- ]cause",
    r"invariants?",
    r"threat[- ]model\w*",
    r"formal(?:ly)?",
    r"think (?:deeply|hard|carefully)",
    r"step[- ]by[- ]step",
    r"reason (?:about|(?:it |this |that )?through)",
    r"should (?:we|i)",
    r"which (?:approach|option|design|one)",
    r"failure modes?",
    r"hypothes[a-z]*",
    r"formulat\w+",
    r"linearizab\w+",
)
# Design, trade-offs, correctness, open-ended judgement.
REASONING = _words(
    r"design\w*",
    r"why",
    r"correct(?:ness)?",
    r"worst[- ]case",
    r"complexity",
    r"compare",
    r"comparison",
    r"versus",
    r"vs\.?",
    r"recommend\w*",
    r"best (?:way|approach|option|strategy)",
    r"strateg\w+",
    r"scalab\w+",
    r"consistency",
    r"guarantee\w*",
    r"achievable",
    r"feasib\w+",
    r"walk (?:me )?through",
    r"analy[sz]\w*",
    r"evaluat\w+",
    r"rethink",
    r"implications?",
    r"alternatives?",
    r"approach(?:es)?",
    r"options",
    r"honestly",
    r"justify",
    r"argument",
    r"o\([^)]{1,12}\)",
    r"algorithm\w*",
    r"semantics",
    r"exactly[- ]once",
    r"at[- ]least[- ]once",
    r"isolation level",
    r"evidence",
    r"what(?:'s| is) (?:really |actually )?going on",
    r"what (?:actually |really )?happened",
    r"explain why",
    r"optimal\w*",
    r"maximi[sz]\w*",
    r"minimi[sz]\w*",
    r"np-hard",
    r"attackers?",
    r"mitigations?",
    r"trust boundar\w+",
)
# Mechanical, single-step work. Only counted when the request is short or starts with one.
MECHANICAL = _words(
    r"rename\w*",
    r"move",
    r"mv",
    r"list",
    r"ls",
    r"grep",
    r"search for",
    r"find (?:all|every|where|the (?!bug|cause|problem|issue|culprit|reason|leak|race)\w+)",
    r"format\w*",
    r"prettier",
    r"lint\w*",
    r"typos?",
    r"delete",
    r"remove",
    r"drop the (?:unused|leftover)",
    r"run(?: the)?(?: full| whole)?(?: [\w-]+)? (?:tests?|suite|specs?|build|linter|formatter|command|it|again)",
    r"rerun",
    r"re-run",
    r"show me",
    r"print",
    r"cat",
    r"add (?:an? |the )?(?:missing )?import",
    r"(?:forgot|forgotten|missing) (?:an? |the )?imports?",
    r"add (?:an? |the )?(?:doc ?)?comments?",
    r"docstrings?",
    r"\.gitignore",
    r"console\.log",
    r"debug (?:line|print|log|statement)s?",
    r"convert (?:\w+ )?(?:it |this )?(?:to|into) (?:yaml|json|toml|csv|xml|markdown)",
    r"run (?:[\w.-]+ ){0,2}(?:fmt|vet|lint|clippy|check|typecheck|format|tests?|build)",
    r"(?:don't|do not) (?:fix|change|touch) anything",
    r"nothing else",
    r"(?:what|which) (?:[\w.-]+ ){0,2}(?:port|version|path|url|branch|directory|folder|file|value|flag)s?",
    r"bump",
    r"sort (?:the )?imports",
    r"copy",
    r"mkdir",
    r"what(?:'s| is) (?:in|the value|the port)",
    r"read (?:the )?file",
    r"open (?:the )?file",
    r"git (?:status|log|diff|add|push|pull|checkout|stash)",
    r"commit (?:this|it|these|the changes)",
    r"update the version",
    r"change the (?:port|name|version|default)",
    r"set (?:the )?\w+ to",
    r"how many",
    r"which file",
    r"where is",
    r"tell (?:me|the user) (?:it is|it's) done",
    r"summari[sz]e",
)
# What may come before a mechanical verb that opens a request: "nice. ok now, please just rename ...".
OPENER = re.compile(
    r"(?:(?:ok(?:ay)?|now|then|and|please|pls|just|can you|could you|quickly|also|nice|great|thanks|"
    r"thank you|cool|perfect|good|looks good|lgtm)[,.!]?\s+)+",
    re.IGNORECASE,
)
# Breadth and multi-step plans.
PLAN = _words(
    r"then",
    r"after that",
    r"first,?",
    r"second(?:ly)?",
    r"finally",
    r"next",
    r"step \d",
    r"and also",
    r"as well as",
    r"end[- ]to[- ]end",
    r"across (?:the|all|every|\d+)",
    r"every (?:file|module|endpoint|service|controller|call site)",
    r"everywhere",
    r"all (?:the )?(?:call sites|modules|services|endpoints|controllers|tests|callers)",
    r"(?:\d+|two|three|four|five|six|several|dozens of|many) (?:modules|files|services|controllers|endpoints|crates"
    r"|packages|tests|call sites|callers|places)",
    r"refactor\w*",
    r"migrat\w+ (?:all|every|the whole)",
    r"rework\w*",
    r"rewrite",
    r"replace \w+ with",
    r"introduce",
    r"get rid of",
    r"consolidat\w+",
    r"split (?:it|the)",
)
NUMBERED = re.compile(r"^\s*(?:\d+[.)]|[-*])\s+\S", re.MULTILINE)
# Changes where a mistake is expensive: money, identity, data, production.
RISK = _words(
    r"auth\w*",
    r"passwords?",
    r"secrets?",
    r"credentials?",
    r"api[_ -]?keys?",
    r"(?:access|auth|api|refresh|session|bearer|oauth) tokens?",
    r"oauth",
    r"sso",
    r"jwt",
    r"payments?",
    r"stripe",
    r"billing",
    r"refunds?",
    r"charges?",
    r"ledger",
    r"money",
    r"migrations?",
    r"schema change",
    r"production",
    r"prod",
    r"deploy\w*",
    r"rollout",
    r"drop (?:the )?(?:\w+ )?(?:table|database|column|index)",
    r"delete from",
    r"truncate",
    r"rm -rf",
    r"force[- ]push",
    r"--force",
    r"encrypt\w*",
    r"pii",
    r"gdpr",
    r"permissions?",
    r"privileges?",
    r"sudo",
    r"kubectl (?:delete|apply)",
    r"terraform (?:apply|destroy)",
    r"rotat\w+",
    r"customer data",
    r"backfill",
    r"irreversibl\w+",
    r"wipe",
    r"delete (?:every|all)",
    r"(?:bulk|mass) delet\w+",
    r"purge",
    r"vault",
    r"(?:git |repo(?:sitory)? |commit )?history rewrit\w*",
    r"rewrite (?:the )?(?:git |repo(?:sitory)? |commit )?history",
    r"from (?:the )?(?:git |repo(?:sitory)? )?history",
    r"filter-(?:branch|repo)",
)
# Risk words that often name the subject rather than a risky change: they count half.
RISK_WEAK = frozenset(
    {"migration", "migrations", "charge", "charges", "billing", "permission", "permissions", "backfill"}
)
# A request that only looks (lists, shows, searches, asks which/what) changes nothing: its risk is
# in the context, not in the change.
READ_ONLY = re.compile(
    r"^(?:please |can you |could you )?(?:list|show|grep|find|search|print|cat|count|check which|"
    r"what|which|where|how many|is there|are there)\b"
    # Tests and specs change no production behaviour, whatever code they exercise.
    r"|^(?:please )?(?:write|add) (?:an? |some |the )?(?:[\w#.-]+ ){0,2}(?:unit |integration )?(?:tests?|specs?)\b",
    re.IGNORECASE,
)
# Domains where plausible-looking code is often wrong.
DOMAIN = _words(
    r"concurren\w*",
    r"race(?: condition)?s?",
    r"deadlock\w*",
    r"mutex\w*",
    r"threads?",
    r"threading",
    r"lock-free",
    r"atomic\w*",
    r"memory ordering",
    r"async\w*",
    r"distributed",
    r"consensus",
    r"raft",
    r"paxos",
    r"replica\w*",
    r"leader(?:[- ]election)?",
    r"eventual(?:ly)? consisten\w+",
    r"partition\w*",
    r"rebalanc\w+",
    r"kafka",
    r"idempoten\w+",
    r"numeric\w*",
    r"floating[- ]point",
    r"precision",
    r"overflow",
    r"cryptograph\w*",
    r"vulnerab\w+",
    r"exploit\w*",
    r"injection",
    r"xss",
    r"csrf",
    r"memory leak",
    r"leaks?",
    r"performance",
    r"latency",
    r"throughput",
    r"optimi[sz]\w+",
    r"cache invalidation",
    r"garbage collect\w*",
    r"compiler",
    r"kernel",
    r"lifetimes?",
    r"borrow checker",
    r"undefined behaviou?r",
    r"flak(?:y|es|iness)",
    r"intermittent\w*",
    r"heisenbug",
    r"only (?:in|on) (?:release|production|ci)",
    r"under load",
    r"timeouts?",
    r"transactions?",
    r"isolation",
    r"ordering",
    r"clock skew",
    r"backpressure",
    r"real-?time",
    r"interleavings?",
    r"safety",
    r"liveness",
    r"jepsen",
    r"clocks?",
    r"split[- ]brain",
    r"lost updates?",
    r"memory[- ]ordering",
)
# Debugging a problem whose cause is not given.
DEBUGGING = _words(
    r"figure out",
    r"investigat\w+",
    r"debug\w*",
    r"diagnos\w+",
    r"why (?:does|is|do|did|are)",
    r"root[- ]cause",
    r"reproduc\w+",
    r"regress\w+",
    r"bisect",
    r"crash\w*",
    r"hangs?",
    r"hanging",
    r"stuck",
    r"corrupt\w*",
    r"wrong (?:results?|answers?|totals?|values?)",
    r"inconsisten\w+",
    r"sometimes",
    r"randomly",
    r"no idea",
    r"broke(?:n)?",
    r"stopped working",
    r"doesn't work",
    r"does not work",
    r"fails? (?:only|intermittently|randomly)",
    r"properly",
    r"without (?:retries|sleeps|hacks)",
)
# Error markers are plain substrings: str.count is memchr-fast, where one big regex alternation
# over 64 KB of tool output costs milliseconds. Each marker counts once per occurrence.
ERROR_MARKERS = (
    "Traceback (most recent call last)",
    "Error:",
    "Exception:",
    "Error(",
    "Exception(",
    "FAILED",
    "FAIL:",
    "error:",
    "error[E",
    "panic:",
    "Segmentation fault",
    "segmentation fault",
    "core dumped",
    "AssertionError",
    "assertion failed",
    "cannot find symbol",
    "undefined reference",
    "npm ERR!",
    "fatal:",
    '\n  File "',
    "\n    at ",
    ": error TS",
    "[tool error]",
    "BUILD FAILED",
    "Compilation failed",
    "--- FAIL",
)
_EXIT = re.compile(r"exit (?:code|status):? ?([1-9]\d*)")
BIG_OUTPUT = _words(
    r"(?:full|complete|entire|whole) (?:implementation|module|rewrite)",
    r"(?:write|generate|give me|output|print) (?:the |a |an )?(?:full|complete|entire|whole) (?:\w+ )?"
    r"(?:file|module|test suite|implementation)",
    r"write (?:a|an|the) (?:new )?(?:module|service|library|class)",
    r"from scratch",
    r"scaffold",
)
WRITE_TOOLS = re.compile(
    r"^(?:bash|shell|execute_bash|exec|run|terminal|write|edit|multiedit|str_replace_editor|apply_patch|"
    r"create_file|replace|notebookedit|computer)$",
    re.IGNORECASE,
)

PROMPT_WRITE_TOOLS = re.compile(
    r"^#+ (?:write_to_file|replace_in_file|execute_command|apply_diff|insert_content)\b|SEARCH/REPLACE block",
    re.MULTILINE,
)


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


def _distinct(pattern: re.Pattern[str], text: str, cap: int = 20) -> int:
    """Different cue words found: "payments(id, ...)" after "failed payments" is one cue, not two."""
    seen: set[str] = set()
    for match in pattern.finditer(text):
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
    # Errors the user pastes count as much as errors a tool printed.
    hits = error_hits(f.turn.command_output) + error_hits(f.turn.latest_user_text)
    return _clamp(hits / 4)


def error_hits(text: str) -> int:
    if not text:
        return 0
    hits = sum(text.count(marker) for marker in ERROR_MARKERS)
    if "exit " in text:
        hits += _hits(_EXIT, text, cap=5)
    return min(hits, 20)


def reasoning_cues(f: Features) -> float:
    return _clamp((2 * _distinct(REASONING_STRONG, f.prose) + _distinct(REASONING, f.prose)) / 4)


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
    return 0.5 if len(text) <= 160 else 0.0


def plan_cues(f: Features) -> float:
    text = f.prose
    return _clamp((_hits(PLAN, text) + _hits(NUMBERED, text)) / 5)


def risk(f: Features) -> float:
    words = {m.group(0).lower() for m in RISK.finditer(f.prose)}
    points = sum(0.5 if word in RISK_WEAK else 1.0 for word in words)
    if READ_ONLY.match(f.prose):
        points /= 2
    return _clamp(points / 2)


def debugging(f: Features) -> float:
    return _clamp(_distinct(DEBUGGING, f.prose) / 2)


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
    "error_signals": (error_signals, "failing tests, stack traces, compiler errors"),
    "reasoning_cues": (reasoning_cues, "design, trade-offs, proofs, why"),
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
