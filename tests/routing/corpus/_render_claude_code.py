"""Claude Code's /v1/messages bodies (main loop and Haiku side requests) and plain Anthropic SDK calls."""
# ruff: noqa: E501

from __future__ import annotations

import random
from typing import Any

from tests.routing.corpus import _prompts as P
from tests.routing.corpus._steps import (
    DATES,
    Call,
    Par,
    Project,
    Say,
    Step,
    User,
    _abs,
    _active,
    _edit_snippet,
    _rand,
    _uuid,
    numbered,
    pick,
    rng_for,
)

# =========================================================================== Claude Code

CC_MODELS = ["claude-sonnet-4-5-20250929"] * 5 + ["claude-opus-4-1-20250805", "claude-sonnet-4-20250514"]
CC_MODEL_NAMES = {
    "claude-sonnet-4-5-20250929": "Sonnet 4.5",
    "claude-opus-4-1-20250805": "Opus 4.1",
    "claude-sonnet-4-20250514": "Sonnet 4",
}
HAIKU = ["claude-haiku-4-5-20251001", "claude-3-5-haiku-20241022"]


def _cc_user_id(rng: random.Random) -> str:
    return f"user_{_rand(rng, 64, '0123456789abcdef')}_account_{_uuid(rng)}_session_{_uuid(rng)}"


def _cc_tool_use(call: Call, p: Project | None, tid: str) -> dict[str, Any]:
    a = call.args
    base = p.cwd if p else "/home/dev"
    if call.kind == "sh":
        inp: dict[str, Any] = {"command": a["cmd"]}
        inp["description"] = a.get("desc") or _describe(a["cmd"])
        if call.secs > 100:
            inp["timeout"] = 600000
        return {"type": "tool_use", "id": tid, "name": "Bash", "input": inp}
    if call.kind == "read":
        inp = {"file_path": _abs(base, a["path"])}
        if a["start"] != 1 or a["end"] is not None:
            inp["offset"] = a["start"]
            if a["end"] is not None:
                inp["limit"] = a["end"] - a["start"] + 1
        return {"type": "tool_use", "id": tid, "name": "Read", "input": inp}
    if call.kind == "grep":
        inp = {"pattern": a["pattern"], "output_mode": "files_with_matches" if a["files"] else "content"}
        if not a["files"]:
            inp["-n"] = True
        if a["path"]:
            inp["path"] = _abs(base, a["path"])
        if a["glob"]:
            inp["glob"] = a["glob"]
        return {"type": "tool_use", "id": tid, "name": "Grep", "input": inp}
    if call.kind == "glob":
        return {"type": "tool_use", "id": tid, "name": "Glob", "input": {"pattern": a["pattern"]}}
    if call.kind == "edit":
        return {
            "type": "tool_use",
            "id": tid,
            "name": "Edit",
            "input": {"file_path": _abs(base, a["path"]), "old_string": a["old"], "new_string": a["new"]},
        }
    if call.kind == "write":
        return {
            "type": "tool_use",
            "id": tid,
            "name": "Write",
            "input": {"file_path": _abs(base, a["path"]), "content": a["content"]},
        }
    if call.kind == "todo":
        todos = [{"content": t, "status": s, "activeForm": _active(t)} for s, t in a["items"]]
        return {"type": "tool_use", "id": tid, "name": "TodoWrite", "input": {"todos": todos}}
    if call.kind == "fetch":
        return {
            "type": "tool_use",
            "id": tid,
            "name": "WebFetch",
            "input": {"url": a["url"], "prompt": a["prompt"]},
        }
    if call.kind == "task":
        return {
            "type": "tool_use",
            "id": tid,
            "name": "Task",
            "input": {"description": a["description"], "prompt": a["prompt"], "subagent_type": a["subagent"]},
        }
    raise ValueError(f"Claude Code has no tool for step kind {call.kind!r}")


_DESCRIPTIONS = [
    ("for i in", "Run the tests repeatedly to check for flakiness"),
    ("uv run pytest -v", "Run the full test suite verbosely"),
    ("uv run pytest", "Run the tests"),
    ("uv run ruff", "Lint and check formatting"),
    ("uv run alembic history", "Show alembic migration history"),
    ("git diff", "Show the diff"),
    ("git status", "Show working tree status"),
    ("git log", "Show recent commits"),
    ("git show", "Show the commit"),
    ("mkdir -p internal/limiter && git mv", "Move the token bucket files into internal/limiter"),
    ("go test ./... -v", "Run the other Go tests for a baseline"),
    ("go test", "Run the Go tests"),
    ("go build", "Build all Go packages"),
    ("go vet", "Run go vet"),
    ("cargo build", "Build the crate"),
    ("cargo bench", "Run the LRU benchmarks"),
    ("pnpm typecheck", "Run the TypeScript typecheck"),
    ("pnpm test", "Run the vitest suite"),
    ("ctest", "Run the mesh loader tests under ASan"),
    ("./gradlew test", "Run the Gradle test suite"),
    ("./gradlew", "Run Gradle"),
    ("gh run view", "Fetch the failed CI log"),
    ("kubectl", "Read the consumer configuration"),
    ("cat incidents/", "Show the incident log"),
    ("cat /tmp/p99", "Show the latency export"),
    ("cat /tmp/node-iostat", "Show node disk stats"),
    ("grep -h '' crons", "List the scheduled jobs"),
    ("python tools/dep_report.py", "Report module dependencies"),
]


def _describe(cmd: str) -> str:
    for prefix, text in _DESCRIPTIONS:
        if cmd.startswith(prefix):
            return text
    return "Run " + cmd.split()[0]


def _cc_result(call: Call, p: Project | None, tid: str) -> dict[str, Any]:
    a = call.args
    base = p.cwd if p else "/home/dev"
    if call.kind == "sh":
        if call.code:
            return {
                "type": "tool_result",
                "tool_use_id": tid,
                "content": f"Exit code {call.code}\n{call.out.rstrip()}",
                "is_error": True,
            }
        return {"type": "tool_result", "tool_use_id": tid, "content": call.out.rstrip() or "(no output)"}
    if call.kind == "read":
        body = numbered(call.out, a["start"], a["end"]) + P.CC_MALWARE
        return {"type": "tool_result", "tool_use_id": tid, "content": body}
    if call.kind in ("grep", "glob", "fetch", "task"):
        out = call.out.rstrip() or "No files found"
        if call.kind == "task":
            return {"type": "tool_result", "tool_use_id": tid, "content": [{"type": "text", "text": out}]}
        return {"type": "tool_result", "tool_use_id": tid, "content": out}
    if call.kind == "edit":
        text = f"The file {_abs(base, a['path'])} has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n{_edit_snippet(a, '→')}"
        return {"type": "tool_result", "tool_use_id": tid, "content": text}
    if call.kind == "write":
        return {
            "type": "tool_result",
            "tool_use_id": tid,
            "content": f"File created successfully at: {_abs(base, a['path'])}",
        }
    if call.kind == "todo":
        return {"type": "tool_result", "tool_use_id": tid, "content": P.CC_TODO_OK}
    raise ValueError(call.kind)


def claude_code(
    case_id: str,
    p: Project | None,
    steps: list[Step],
    *,
    model: str | None = None,
    thinking: int | None = None,
    todo_empty: bool = True,
) -> dict[str, Any]:
    rng = rng_for(case_id)
    model = model or pick(case_id, CC_MODELS)
    date = pick(case_id, DATES, "date")
    cwd = p.cwd if p else "/home/dev/scratch"
    env = P.CC_ENV.format(
        cwd=cwd,
        platform=p.platform if p else "linux",
        os_version="Darwin 24.6.0" if p and p.platform == "darwin" else "Linux 6.8.0-45-generic",
        date=date,
        model_name=CC_MODEL_NAMES[model],
        model=model,
        branch=p.branch if p else "main",
        status=p.status if p else "(clean)",
        commits=p.commits if p else "",
    )
    system = [
        {"type": "text", "text": P.CC_BILLING},
        {"type": "text", "text": P.CC_IDENTITY, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": P.CC_INSTRUCTIONS + env, "cache_control": {"type": "ephemeral"}},
    ]

    messages: list[dict[str, Any]] = []
    first_user = True

    def tid() -> str:
        return "toolu_01" + _rand(rng, 22)

    def add_user_blocks(blocks: list[dict[str, Any]]) -> None:
        if messages and messages[-1]["role"] == "user":
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": "user", "content": blocks})

    for step in steps:
        if isinstance(step, User):
            blocks: list[dict[str, Any]] = []
            if first_user and p is not None:
                blocks.append(
                    {
                        "type": "text",
                        "text": P.CC_CLAUDEMD.format(
                            cwd=p.cwd, home=p.home, instructions=p.instructions, editor=p.editor
                        ),
                    }
                )
            for img in step.images:
                blocks.append(
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": img}}
                )
            blocks.append({"type": "text", "text": step.text})
            if first_user and todo_empty:
                blocks.append({"type": "text", "text": P.CC_TODO_EMPTY})
            for r in step.reminders:
                blocks.append({"type": "text", "text": f"<system-reminder>\n{r}\n</system-reminder>"})
            first_user = False
            add_user_blocks(blocks)
        elif isinstance(step, Say):
            messages.append({"role": "assistant", "content": [{"type": "text", "text": step.text}]})
        else:
            calls = step.calls if isinstance(step, Par) else [step]
            content: list[dict[str, Any]] = []
            if thinking:
                content.append(
                    {
                        "type": "thinking",
                        "thinking": step.pre or "Let me look at this before changing anything.",
                        "signature": "Er" + _rand(rng, 86) + "==",
                    }
                )
            if step.pre:
                content.append({"type": "text", "text": step.pre})
            ids = [tid() for _ in calls]
            content += [_cc_tool_use(c, p, i) for c, i in zip(calls, ids, strict=True)]
            messages.append({"role": "assistant", "content": content})
            results = [_cc_result(c, p, i) for c, i in zip(calls, ids, strict=True)]
            messages.append({"role": "user", "content": results})

    last = messages[-1]["content"][-1]
    last["cache_control"] = {"type": "ephemeral"}
    body: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "system": system,
        "tools": P.CC_TOOLS,
        "metadata": {"user_id": _cc_user_id(rng)},
        "max_tokens": 32000,
        "stream": True,
    }
    if thinking:
        body["thinking"] = {"type": "enabled", "budget_tokens": thinking}
    else:
        body["temperature"] = 1
    return body


def cc_side(case_id: str, kind: str, text: str = "", *, model: str | None = None) -> dict[str, Any]:
    """Claude Code's Haiku side requests: topic detection, summaries, titles, bash prefix, quota, warmup."""
    rng = rng_for(case_id)
    model = model or pick(case_id, HAIKU)
    body: dict[str, Any] = {
        "model": model,
        "max_tokens": 512,
        "stream": True,
        "metadata": {"user_id": _cc_user_id(rng)},
    }
    if kind == "topic":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": P.CC_SIDE_TOPIC}]
        body["messages"] = [{"role": "user", "content": text}]
        body["temperature"] = 0
    elif kind == "summary":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": P.CC_SIDE_SUMMARY}]
        body["messages"] = [
            {"role": "user", "content": text},
            {"role": "user", "content": "Respond with the title for the conversation and nothing else."},
        ]
    elif kind == "title":
        body["system"] = [
            {"type": "text", "text": P.CC_BILLING},
            {
                "type": "text",
                "text": "You are a helpful assistant that writes short titles for coding conversations.",
            },
        ]
        body["messages"] = [{"role": "user", "content": f"{P.CC_SIDE_TITLE}\n\n{text}"}]
    elif kind == "bash_prefix":
        body["system"] = [
            {"type": "text", "text": P.CC_BILLING},
            {"type": "text", "text": P.CC_SIDE_BASH_PREFIX},
        ]
        body["messages"] = [{"role": "user", "content": P.CC_SIDE_BASH_POLICY.format(command=text)}]
        body["temperature"] = 0
    elif kind == "quota":
        body["max_tokens"] = 1
        body["messages"] = [{"role": "user", "content": "quota"}]
        body.pop("stream")
    elif kind == "warmup":
        body["system"] = [
            {"type": "text", "text": P.CC_BILLING},
            {"type": "text", "text": P.CC_IDENTITY, "cache_control": {"type": "ephemeral"}},
            {
                "type": "text",
                "text": "You are a file search specialist for Claude Code. You excel at thoroughly navigating and exploring codebases.\n\nGuidelines:\n- Use Glob for broad file pattern matching\n- Use Grep for searching file contents with regex\n- Use Read when you know the specific file path you need to read\n- Return file paths as absolute paths in your final response\n- Do not create any files, or run bash commands that modify the user's system state in any way",
                "cache_control": {"type": "ephemeral"},
            },
        ]
        body["tools"] = [t for t in P.CC_TOOLS if t["name"] in ("Bash", "Glob", "Grep", "Read")]
        body["messages"] = [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Warmup", "cache_control": {"type": "ephemeral"}}],
            }
        ]
        body["max_tokens"] = 32000
    elif kind == "suggest":
        body["system"] = [
            {"type": "text", "text": P.CC_BILLING},
            {
                "type": "text",
                "text": "You suggest what the user might type next in a coding CLI. Reply with up to three short suggestions, one per line, each under 60 characters. No numbering, no quotes.",
            },
        ]
        body["messages"] = [{"role": "user", "content": text}]
    else:
        raise ValueError(kind)
    return body


# =========================================================================== plain Anthropic SDK calls


def anthropic_sdk(
    case_id: str,
    messages: list[dict[str, Any]],
    *,
    system: str | None = None,
    model: str | None = None,
    max_tokens: int = 4096,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model or pick(case_id, ["claude-sonnet-4-5", "claude-opus-4-1"]),
        "max_tokens": max_tokens,
        "messages": messages,
    }
    if system:
        body["system"] = system
    body.update(extra)
    return body
