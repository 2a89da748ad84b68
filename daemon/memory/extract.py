"""What an exchange teaches about its project: observations extracted from one request and its response.

Two sources, both heuristic and both local (no model call):

- **Sentences** of the user's new text and of the assistant's answer. Each
  sentence gets a few structural features (who speaks, first person, an
  imperative opening, a strong modal, a reference to the project or to code,
  a decision verb, a copula, hedging) and each type adds those features with
  its own weights; the best type above its threshold wins. A question or a
  hedged sentence ("maybe we could...") rarely clears a threshold, a bare
  keyword never does on its own.
- **The structure of tool calls.** ``tool_use`` blocks are paired with their
  ``tool_result``. A command that failed, then one or more successful edits,
  then the *same* command succeeding in the newest turn is an error/fix
  observation (the error line, the command and the files edited). A test,
  lint, format or type-check command that succeeds in the newest turn is a
  convention ("Tests run with `pytest -q`").

Only evidence that is new in this exchange is used (the newest user turn and
the response), so the history an agent resends every turn is not re-learned
each time. Every observation carries a *subject* key when one can be told
(see ``subject_of``): a later observation with the same subject and a
different value contradicts, and replaces, the earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from daemon.canonical import Message, Request, Response, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.memory.text import normalise
from daemon.routing.envelope import user_text_of

TYPES = ("preference", "convention", "decision", "fact", "error_fix")
BASE_IMPORTANCE = {"preference": 0.9, "error_fix": 0.8, "convention": 0.75, "decision": 0.6, "fact": 0.5}
MAX_PER_EXCHANGE = 12
MIN_SENTENCE, MAX_SENTENCE = 15, 240


@dataclass(frozen=True, slots=True)
class Observation:
    type: str
    text: str
    subject: str = ""
    """Contradiction key: same project + same subject + a different ``value`` = the newer one replaces."""
    importance: float = 0.5
    value: str = ""


# --------------------------------------------------------------------------- subjects

# Order matters: the first category found in the value part of a sentence is its subject.
CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("formatter", r"\b(black|ruff format|prettier|gofmt|rustfmt|yapf|autopep8)\b"),
        (
            "test_framework",
            r"\b(pytest|unittest|nose2?|jest|vitest|mocha|jasmine|go test|cargo test|rspec|minitest|"
            r"junit|phpunit)\b",
        ),
        ("linter", r"\b(ruff|flake8|pylint|eslint|golangci-lint|clippy|rubocop)\b"),
        ("type_checker", r"\b(mypy|pyright|tsc|pytype)\b"),
        ("package_manager", r"\b(pip|poetry|uv|pipenv|conda|npm|yarn|pnpm|bun)\b"),
        ("database", r"\b(postgres(?:ql)?|mysql|mariadb|sqlite|mongodb|dynamodb)\b"),
        ("indentation", r"\b(tabs|\d+[- ]spaces?)\b"),
        ("quotes", r"\b(single|double)[- ]quot"),
    )
)
_CONTRAST = re.compile(r"\b(?:instead of|rather than|not|over)\b", re.I)
_ASSIGN = re.compile(
    r"^(?:the\s+|our\s+)?(?P<what>[\w .`/-]{3,60}?)\s+(?P<verb>is|are|=|lives in|listens on|runs on|"
    r"is set to|defaults to)\s+(?P<value>.+)$",
    re.I,
)
_GENERIC_SUBJECTS = frozenset({"it", "this", "that", "there", "here", "which", "what", "i", "we", "you"})


def subject_of(obs_type: str, text: str) -> tuple[str, str]:
    """(subject, value): two observations contradict when subject is equal and value differs.

    A known tool category in the sentence's main clause, per type ("we use pytest" / "we use unittest":
    ``convention:test_framework`` with values pytest / unittest), else the left-hand side of an
    assignment ("the API port is 8080": ``fact:api port|is`` = 8080), else none ("", "").
    """
    head = _CONTRAST.split(text, maxsplit=1)[0]
    for name, pattern in CATEGORIES:
        found = pattern.search(head)
        if found:
            return f"{obs_type}:{name}", found.group(0).lower()
    match = _ASSIGN.match(text.strip().rstrip("."))
    if match:
        what = normalise(match["what"]).strip("`")
        if what and what not in _GENERIC_SUBJECTS and len(what.split()) <= 6:
            return f"{obs_type}:{what}|{match['verb'].lower()}", normalise(match["value"])
    return "", ""


# --------------------------------------------------------------------------- sentences

_FENCE = re.compile(r"```.*?(?:```|$)", re.S)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(])|\n+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FIRST_PERSON = re.compile(r"\b(i|i'd|i'm|me|my)\b", re.I)
_WE = re.compile(r"\b(we|we're|we'll|our|us)\b", re.I)
_STRONG = re.compile(r"\b(always|never|must|don't|do not|avoid|make sure|only ever)\b", re.I)
_LIKING = re.compile(r"\b(prefer|like|want|rather|hate|dislike)\b", re.I)
_IMPERATIVE = frozenset(
    "use run keep put write add avoid prefer never always don't do make name call store format follow "
    "stop remember place import".split()
)
_PROJECT = re.compile(
    r"\b(?:this|the|our)\s+(?:project|repo|repository|codebase|app|service|package|module|api|server)\b"
    r"|\bin (?:here|this repo)\b",
    re.I,
)
_CODE = re.compile(r"`[^`]+`|\b[\w./-]+\.(?:py|ts|tsx|js|go|rs|toml|json|ya?ml|md|cfg|ini|sql|sh)\b")
_DECIDE_USER = re.compile(
    r"\b(let's|let us|we'll|we will|decided|go with|going with|switch(?:ed|ing)? to|chose|from now on)\b",
    re.I,
)
_DECIDE_ASSISTANT = re.compile(
    r"\b(i'll use|i will use|i chose|i've decided|i decided|i'm going to use)\b", re.I
)
_CAUSE = re.compile(
    r"\b(the fix (?:is|was)|root cause (?:is|was)|the (?:problem|issue|bug) (?:is|was))\b", re.I
)
_COPULA = re.compile(
    r"\b(is|are|lives in|runs on|uses|depends on|requires|listens on|stored in|defaults to)\b", re.I
)
_CONVENTION = re.compile(
    r"\b(convention|style|naming|formatt?(?:ed|ing)?|indent\w*|lint\w*|tests?|commit messages?|"
    r"docstrings?|type hints?|imports?)\b",
    re.I,
)
_HEDGE = re.compile(r"\b(maybe|perhaps|might|not sure|i think|probably|wonder|could we|should we)\b", re.I)
_THRESHOLD = {"preference": 1.0, "decision": 1.0, "convention": 1.2, "fact": 1.1}


def sentences(text: str) -> list[str]:
    text = _FENCE.sub(" ", text)
    out = []
    for raw in _SPLIT.split(text):
        sentence = _BULLET.sub("", raw).strip()
        if MIN_SENTENCE <= len(sentence) <= MAX_SENTENCE and not sentence.endswith("?"):
            out.append(sentence)
    return out


def classify(sentence: str, speaker: str) -> tuple[str, float] | None:
    """The sentence's type and how far it cleared its threshold, or None."""
    words = sentence.split()
    first = words[0].lower().strip(",:") if words else ""
    imperative = first in _IMPERATIVE
    strong = bool(_STRONG.search(sentence))
    code = bool(_CODE.search(sentence)) or any(p.search(sentence) for _, p in CATEGORIES)
    project = bool(_PROJECT.search(sentence)) or bool(_WE.search(sentence))
    hedge = -0.7 if _HEDGE.search(sentence) else 0.0
    scores: dict[str, float] = {}
    if speaker == "user":
        # Only the user states conventions and preferences; an assistant saying "we use X" is guessing.
        scores["convention"] = (
            0.6 * project
            + 0.5 * (strong or imperative)
            + 0.5 * bool(_CONVENTION.search(sentence))
            + 0.3 * code
            + hedge
        )
        scores["preference"] = (
            1.0 * bool(_FIRST_PERSON.search(sentence) and _LIKING.search(sentence))
            + 0.8 * (imperative and strong)
            + 0.3 * code
            + hedge
        )
        scores["decision"] = 1.0 * bool(_DECIDE_USER.search(sentence)) + 0.3 * code + hedge
    else:
        scores["decision"] = 1.0 * bool(_DECIDE_ASSISTANT.search(sentence)) + 0.3 * code + hedge
    scores["fact"] = (
        0.6 * bool(_PROJECT.search(sentence))
        + 0.5 * bool(_COPULA.search(sentence))
        + 0.4 * code
        + 1.1 * (speaker == "assistant" and bool(_CAUSE.search(sentence)))
        + hedge
    )
    best = max(scores, key=lambda t: scores[t] - _THRESHOLD[t])
    margin = scores[best] - _THRESHOLD[best]
    return (best, margin) if margin >= 0 else None


def _sentence_observations(text: str, speaker: str) -> list[Observation]:
    out = []
    for sentence in sentences(text):
        found = classify(sentence, speaker)
        if found is None:
            continue
        obs_type, margin = found
        importance = min(
            1.0, BASE_IMPORTANCE[obs_type] + 0.1 * bool(_STRONG.search(sentence)) + 0.05 * margin
        )
        subject, value = subject_of(obs_type, sentence)
        out.append(Observation(obs_type, sentence, subject, round(importance, 3), value))
    return out


# --------------------------------------------------------------------------- tool structure

_FAILURE = re.compile(
    r"Traceback \(most recent call last\)|^\s*[\w.]*(?:Error|Exception)\b:?|\bFAILED\b|\berror(?:\[\w+\])?:"
    r"|exit(?:ed with)? code:? ?[1-9]|npm ERR!|^fatal:|\b[1-9]\d* (?:failed|errors?)\b",
    re.M,
)
_ERROR_LINE = re.compile(r"^.*(?:Error|Exception|error(?:\[\w+\])?:|FAILED|fatal:).*$", re.M)
_EDIT_TOOLS = frozenset(
    "edit multiedit write str_replace_editor str_replace_based_edit_tool edit_file write_file apply_patch "
    "replace_in_file write_to_file create_file".split()
)
_EDIT_KEYS = frozenset(
    ("old_string", "new_string", "old_str", "new_str", "content", "patch", "diff", "file_text")
)
_PATH_KEYS = ("file_path", "path", "filename", "target_file")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Update|Add) File: (\S+)", re.M)
_LABELS = {
    "test_framework": "Tests run with",
    "linter": "Lint with",
    "formatter": "Format with",
    "type_checker": "Type-check with",
}
_VOLATILE = re.compile(r"0x[0-9a-f]+|\d+|/[\w./-]+|'[^']*'|\"[^\"]*\"")


@dataclass
class ToolCall:
    name: str
    input: dict[str, Any]
    command: str | None
    result: str
    is_error: bool
    message_index: int

    @cached_property
    def failed(self) -> bool:
        # Worked out only when asked: a long session holds hundreds of results, few of them matter.
        return failed(self.result, self.is_error)

    @property
    def is_edit(self) -> bool:
        return self.command is None and (
            self.name.lower() in _EDIT_TOOLS
            or (bool(_EDIT_KEYS & self.input.keys()) and any(k in self.input for k in _PATH_KEYS))
        )

    def files(self) -> list[str]:
        found = [v for k in _PATH_KEYS if isinstance(v := self.input.get(k), str)]
        for value in self.input.values():
            if isinstance(value, str):
                found += _PATCH_FILE.findall(value)
        return found


def failed(text: str, is_error: bool) -> bool:
    return is_error or bool(_FAILURE.search(text[-20_000:]))


def command_of(tool_input: dict[str, Any]) -> str | None:
    for key in ("command", "cmd", "script"):
        value = tool_input.get(key)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value if v not in ("bash", "-lc", "sh", "-c"))
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def tool_calls(messages: list[Message]) -> list[ToolCall]:
    """Each tool call paired with its result, in conversation order."""
    pending: dict[str, ToolUseBlock] = {}
    calls: list[ToolCall] = []
    for index, message in enumerate(messages):
        for block in message.content:
            if isinstance(block, ToolUseBlock):
                pending[block.id] = block
            elif isinstance(block, ToolResultBlock) and block.tool_use_id in pending:
                use = pending.pop(block.tool_use_id)
                text = block.text()
                calls.append(
                    ToolCall(use.name, use.input, command_of(use.input), text, block.is_error, index)
                )
    return calls


def error_line(text: str) -> str:
    lines = [line.strip() for line in _ERROR_LINE.findall(text[-20_000:]) if line.strip()]
    # The last error line is usually the one that names the failure (Python puts it last).
    line = lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "an error"
    return line[:160]


def _short(path: str) -> str:
    return "/".join(path.rstrip("/").split("/")[-2:])


def _tool_observations(messages: list[Message]) -> list[Observation]:
    if not messages or not any(isinstance(b, ToolResultBlock) for b in messages[-1].content):
        return []  # this turn closes no tool exchange
    calls = tool_calls(messages)
    newest = len(messages) - 1
    out: list[Observation] = []
    for position, ok in enumerate(calls):
        if ok.message_index != newest or ok.command is None or ok.failed:
            continue
        earlier = calls[:position]
        fail_at = next(
            (
                i
                for i in range(len(earlier) - 1, -1, -1)
                if earlier[i].command == ok.command and earlier[i].failed
            ),
            None,
        )
        if fail_at is not None:
            edits = [c for c in earlier[fail_at + 1 :] if c.is_edit and not c.failed]
            files = list(dict.fromkeys(_short(f) for c in edits for f in c.files()))
            if edits and files:
                line = error_line(earlier[fail_at].result)
                signature = normalise(_VOLATILE.sub("", line))[:80]
                text = f"`{ok.command[:100]}` failed with `{line}`; fixed by editing {', '.join(files[:4])}"
                fix = ",".join(files[:4])
                out.append(
                    Observation(
                        "error_fix", text, f"error_fix:{signature}", BASE_IMPORTANCE["error_fix"], fix
                    )
                )
        if len(ok.command) <= 120:
            found = next(
                ((n, m) for n, p in CATEGORIES if n in _LABELS and (m := p.search(ok.command))), None
            )
            if found is not None:
                category, term = found
                text = f"{_LABELS[category]} `{ok.command}`"
                subject = f"convention:{category}"
                out.append(
                    Observation("convention", text, subject, BASE_IMPORTANCE["convention"], term.group(0))
                )
    return out


# --------------------------------------------------------------------------- the exchange


def extract(request: Request, response: Response | None, *, user_text: bool = True) -> list[Observation]:
    """Observations from the newest user turn (unless ``user_text`` is false: the caller has read
    that text already), the tool exchange it closes, and the response."""
    out: list[Observation] = []
    last = request.messages[-1] if request.messages else None
    if user_text and last is not None and last.role == "user":
        out += _sentence_observations(user_text_of(last), "user")
    out += _tool_observations(request.messages)
    if response is not None:
        text = "\n".join(b.text for b in response.content if isinstance(b, TextBlock))
        out += _sentence_observations(text, "assistant")
    # One exchange never contradicts itself: per subject, the first observation (the user's words
    # come first) is kept.
    unique: dict[str, Observation] = {}
    subjects: set[str] = set()
    for obs in out:
        if obs.subject and obs.subject in subjects:
            continue
        subjects.add(obs.subject)
        unique.setdefault(normalise(obs.text), obs)
    return list(unique.values())[:MAX_PER_EXCHANGE]
