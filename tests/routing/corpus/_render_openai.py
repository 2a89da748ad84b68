"""The OpenAI-dialect clients' /v1/chat/completions bodies: Codex CLI, OpenHands, Cline, Aider and plain
OpenAI SDK calls."""
# ruff: noqa: E501

from __future__ import annotations

import hashlib
import json
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
    _edit_snippet,
    _patch_add,
    _patch_update,
    _rand,
    _rel,
    _slice,
    _todo_status,
    numbered,
    pick,
    rng_for,
)

# =========================================================================== Codex CLI (wire_api = "chat")

CODEX_MODELS = ["gpt-5-codex", "gpt-5-codex", "o4-mini", "gpt-4.1", "codex-mini-latest"]


def _codex_out(output: str, code: int, secs: float) -> str:
    return json.dumps({"output": output, "metadata": {"exit_code": code, "duration_seconds": round(secs, 1)}})


def _codex_call(call: Call, p: Project | None, cwd: str) -> tuple[str, dict[str, Any], str]:
    a = call.args
    if call.kind == "sh":
        return (
            "shell",
            {
                "command": ["bash", "-lc", a["cmd"]],
                "workdir": cwd,
                "timeout": 600000 if call.secs > 60 else 120000,
            },
            _codex_out(call.out, call.code, call.secs),
        )
    if call.kind == "read":
        rel = _rel(p, a["path"])
        end = a["end"] or max(a["start"] + 249, 250)
        out = _slice(call.out, a["start"], a["end"])
        return (
            "shell",
            {"command": ["bash", "-lc", f"sed -n '{a['start']},{end}p' {rel}"], "workdir": cwd},
            _codex_out(out, 0, 0.0),
        )
    if call.kind == "grep":
        target = f" {_rel(p, a['path'])}" if a["path"] else ""
        g = f" -g '{a['glob']}'" if a["glob"] else ""
        flag = "-l" if a["files"] else "-n"
        return (
            "shell",
            {"command": ["bash", "-lc", f"rg {flag}{g} '{a['pattern']}'{target}"], "workdir": cwd},
            _codex_out(call.out, 0 if call.out.strip() else 1, 0.1),
        )
    if call.kind == "glob":
        return (
            "shell",
            {"command": ["bash", "-lc", f"rg --files -g '{a['pattern']}'"], "workdir": cwd},
            _codex_out(call.out, 0, 0.1),
        )
    if call.kind == "edit":
        rel = _rel(p, a["path"])
        return (
            "apply_patch",
            {"input": _patch_update(rel, a["old"], a["new"])},
            _codex_out(f"Success. Updated the following files:\nM {rel}\n", 0, 0.0),
        )
    if call.kind == "write":
        rel = _rel(p, a["path"])
        return (
            "apply_patch",
            {"input": _patch_add(rel, a["content"])},
            _codex_out(f"Success. Updated the following files:\nA {rel}\n", 0, 0.0),
        )
    if call.kind == "todo":
        return "update_plan", {"plan": [{"step": t, "status": s} for s, t in a["items"]]}, "Plan updated"
    if call.kind == "fetch":
        return (
            "shell",
            {
                "command": ["bash", "-lc", f"curl -sL '{a['url']}' | head -c 20000"],
                "workdir": cwd,
                "with_escalated_permissions": True,
                "justification": "Need network access to read the upstream documentation.",
            },
            _codex_out(call.out, 0, 1.2),
        )
    raise ValueError(f"Codex has no tool for step kind {call.kind!r}")


def codex(
    case_id: str,
    p: Project | None,
    steps: list[Step],
    *,
    model: str | None = None,
    approval: str = "on-request",
    sandbox: str = "workspace-write",
    network: str = "restricted",
    agents_md: bool = True,
) -> dict[str, Any]:
    rng = rng_for(case_id)
    model = model or pick(case_id, CODEX_MODELS)
    cwd = p.cwd if p else "/home/dev/scratch"
    messages: list[dict[str, Any]] = [{"role": "system", "content": P.CODEX_INSTRUCTIONS}]
    if p is not None and agents_md:
        messages.append(
            {"role": "user", "content": f"<user_instructions>\n\n{p.instructions}\n\n</user_instructions>"}
        )
    env = (
        "<environment_context>\n"
        f"  <cwd>{cwd}</cwd>\n"
        f"  <approval_policy>{approval}</approval_policy>\n"
        f"  <sandbox_mode>{sandbox}</sandbox_mode>\n"
        f"  <network_access>{network}</network_access>\n"
        f"  <shell>{p.shell if p else 'bash'}</shell>\n"
        "</environment_context>"
    )
    messages.append({"role": "user", "content": env})
    for step in steps:
        if isinstance(step, User):
            if step.images:
                parts: list[dict[str, Any]] = [{"type": "text", "text": step.text}]
                parts += [
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}}
                    for img in step.images
                ]
                messages.append({"role": "user", "content": parts})
            else:
                messages.append({"role": "user", "content": step.text})
        elif isinstance(step, Say):
            messages.append({"role": "assistant", "content": step.text})
        else:
            calls = step.calls if isinstance(step, Par) else [step]
            rendered = [_codex_call(c, p, cwd) for c in calls]
            ids = ["call_" + _rand(rng, 24) for _ in calls]
            messages.append(
                {
                    "role": "assistant",
                    "content": step.pre,
                    "tool_calls": [
                        {
                            "id": i,
                            "type": "function",
                            "function": {"name": name, "arguments": json.dumps(args)},
                        }
                        for i, (name, args, _) in zip(ids, rendered, strict=True)
                    ],
                }
            )
            for i, (_, _, out) in zip(ids, rendered, strict=True):
                messages.append({"role": "tool", "tool_call_id": i, "content": out})
    return {
        "model": model,
        "messages": messages,
        "stream": True,
        "tools": P.CODEX_TOOLS,
        "tool_choice": "auto",
        "parallel_tool_calls": False,
    }


# =========================================================================== OpenHands (CodeAct through LiteLLM)

OH_MODELS = [
    "claude-sonnet-4-5-20250929",
    "gpt-4o",
    "qwen3-coder-480b-a35b-instruct",
    "devstral-medium-2507",
    "claude-sonnet-4-5-20250929",
]
OH_PY = "/openhands/poetry/openhands-ai-5O4_aCHf-py3.12/bin/python"


def _oh_bash_out(out: str, code: int, cwd: str) -> str:
    return f"{out.rstrip()}\n[The command completed with exit code {code}.]\n[Current working directory: {cwd}]\n[Python interpreter: {OH_PY}]\n[Command finished with exit code {code}]"


def _oh_call(call: Call, p: Project | None, cwd: str) -> tuple[str, dict[str, Any], str]:
    a = call.args
    if call.kind == "sh":
        args: dict[str, Any] = {"command": a["cmd"], "security_risk": a.get("risk") or "LOW"}
        if call.secs > 10:
            args["timeout"] = 300
        return "execute_bash", args, _oh_bash_out(call.out, call.code, cwd)
    if call.kind == "read":
        path = _abs(cwd, _rel(p, a["path"]))
        args = {"command": "view", "path": path, "security_risk": "LOW"}
        if a["start"] != 1 or a["end"] is not None:
            args["view_range"] = [a["start"], a["end"] or -1]
        return (
            "str_replace_editor",
            args,
            f"Here's the result of running `cat -n` on {path}:\n{numbered(call.out, a['start'], a['end'], sep=chr(9))}\n",
        )
    if call.kind == "grep":
        target = _rel(p, a["path"]) if a["path"] else "."
        inc = f" --include='{a['glob']}'" if a["glob"] else ""
        flag = "-rl" if a["files"] else "-rn"
        return (
            "execute_bash",
            {"command": f"grep {flag}{inc} '{a['pattern']}' {target}", "security_risk": "LOW"},
            _oh_bash_out(call.out, 0 if call.out.strip() else 1, cwd),
        )
    if call.kind == "glob":
        return (
            "execute_bash",
            {
                "command": f"find . -path ./node_modules -prune -o -path '*{a['pattern'].replace('**/', '')}' -print | head -100",
                "security_risk": "LOW",
            },
            _oh_bash_out(call.out, 0, cwd),
        )
    if call.kind == "edit":
        path = _abs(cwd, _rel(p, a["path"]))
        text = f"The file {path} has been edited. Here's the result of running `cat -n` on a snippet of {path}:\n{_edit_snippet(a, chr(9))}\nReview the changes and make sure they are as expected. Edit the file again if necessary."
        return (
            "str_replace_editor",
            {
                "command": "str_replace",
                "path": path,
                "old_str": a["old"],
                "new_str": a["new"],
                "security_risk": "LOW",
            },
            text,
        )
    if call.kind == "write":
        path = _abs(cwd, _rel(p, a["path"]))
        return (
            "str_replace_editor",
            {"command": "create", "path": path, "file_text": a["content"], "security_risk": "LOW"},
            f"File created successfully at: {path}",
        )
    if call.kind == "todo":
        tl = [
            {"id": str(i + 1), "title": t, "status": _todo_status(s, "oh")}
            for i, (s, t) in enumerate(a["items"])
        ]
        return (
            "task_tracker",
            {"command": "plan", "task_list": tl},
            f"Task list has been updated with {len(tl)} items. Stored in session directory: sessions/{hashlib.sha256(cwd.encode()).hexdigest()[:12]}/TASKS.md",
        )
    if call.kind == "think":
        return "think", {"thought": a["thought"]}, "Your thought has been logged."
    if call.kind == "fetch":
        return (
            "execute_bash",
            {"command": f"curl -sL '{a['url']}' | head -c 20000", "security_risk": "LOW"},
            _oh_bash_out(call.out, 0, cwd),
        )
    raise ValueError(f"OpenHands has no tool for step kind {call.kind!r}")


def openhands(
    case_id: str,
    p: Project | None,
    steps: list[Step],
    *,
    model: str | None = None,
    port: int | None = None,
) -> dict[str, Any]:
    rng = rng_for(case_id)
    model = model or pick(case_id, OH_MODELS)
    cwd = p.oh_cwd if p else "/workspace"
    anthropic_ids = model.startswith("claude")
    port = port or rng.randrange(50000, 60000)
    date = pick(case_id, DATES, "date")
    messages: list[dict[str, Any]] = [
        {
            "role": "system",
            "content": [{"type": "text", "text": P.OH_SYSTEM, "cache_control": {"type": "ephemeral"}}],
        }
    ]
    first_user = True
    for step in steps:
        if isinstance(step, User):
            parts: list[dict[str, Any]] = [{"type": "text", "text": step.text}]
            parts += [
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}}
                for img in step.images
            ]
            messages.append({"role": "user", "content": parts})
            if first_user:
                recall = []
                if p is not None:
                    recall.append(
                        f"<REPOSITORY_INFO>\nAt the user's request, repository {p.repo} has been cloned to {cwd} in the current working directory.\n</REPOSITORY_INFO>"
                    )
                    recall.append(f"<REPOSITORY_INSTRUCTIONS>\n{p.instructions}\n</REPOSITORY_INSTRUCTIONS>")
                recall.append(
                    "<RUNTIME_INFORMATION>\n\nThe user has access to the following hosts for accessing a web application,\n"
                    f"each of which has a corresponding port:\n* http://localhost:{port} (port {port})\n"
                    f"* http://localhost:{port + 1} (port {port + 1})\n\n"
                    "When starting a web server, use the corresponding ports. You should also\n"
                    "set any options to allow iframes and CORS requests, and allow the server to\n"
                    "be accessed from any host (e.g. 0.0.0.0).\n"
                    f"For example, if you are using vite.config.js, you should set server.host and server.allowedHosts to true\n\n\nToday's date is {date} (UTC).\n\n</RUNTIME_INFORMATION>"
                )
                messages.append({"role": "user", "content": [{"type": "text", "text": "\n\n".join(recall)}]})
                first_user = False
        elif isinstance(step, Say):
            messages.append({"role": "assistant", "content": [{"type": "text", "text": step.text}]})
        else:
            calls = step.calls if isinstance(step, Par) else [step]
            rendered = [_oh_call(c, p, cwd) for c in calls]
            ids = [
                ("toolu_01" + _rand(rng, 22)) if anthropic_ids else ("call_" + _rand(rng, 24)) for _ in calls
            ]
            msg: dict[str, Any] = {
                "role": "assistant",
                "content": [{"type": "text", "text": step.pre}] if step.pre else "",
                "tool_calls": [
                    {"id": i, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
                    for i, (name, args, _) in zip(ids, rendered, strict=True)
                ],
            }
            messages.append(msg)
            for i, (name, _, out) in zip(ids, rendered, strict=True):
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": i,
                        "name": name,
                        "content": [{"type": "text", "text": out}],
                    }
                )
    last = messages[-1]["content"]
    if isinstance(last, list) and last:
        last[-1]["cache_control"] = {"type": "ephemeral"}
    body: dict[str, Any] = {"model": model, "messages": messages, "tools": P.OH_TOOLS, "temperature": 0.0}
    if anthropic_ids:
        body["max_tokens"] = 64000
    else:
        body["max_completion_tokens"] = 16384
    return body


def oh_condense(
    case_id: str, events: list[str], previous: str | None = None, *, model: str | None = None
) -> dict[str, Any]:
    """OpenHands' LLMSummarizingCondenser call: summarise forgotten events into a state summary."""
    model = model or pick(case_id, OH_MODELS)
    prompt = P.OH_CONDENSER + "\n\n"
    prompt += f"<PREVIOUS SUMMARY>\n{previous or 'No events summarized'}\n</PREVIOUS SUMMARY>\n\n"
    for i, e in enumerate(events):
        prompt += f"<EVENT id={i + 3}>\n{e}\n</EVENT>\n\n"
    prompt += "Now summarize the events using the rules above."
    return {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "temperature": 0.0,
        "max_completion_tokens": 4096,
    }


# =========================================================================== Cline (OpenAI-compatible provider)


def _cline_env(p: Project | None, visible: list[str], mode: str, date: str) -> str:
    cwd = p.cwd if p else "/Users/dev/project"
    files = "\n".join(visible) if visible else "(No visible files)"
    return (
        "<environment_details>\n# VSCode Visible Files\n"
        f"{files}\n\n# VSCode Open Tabs\n{files}\n\n"
        f"# Current Time\n{date}, 10:{len(files) % 60:02d} AM (Europe/Berlin, UTC+2:00)\n\n"
        f"# Current Working Directory ({cwd}) Files\n"
        + "\n".join(
            sorted({v.split("/")[0] + ("/" if "/" in v else "") for v in visible}) or ["package.json"]
        )
        + f"\n\n# Context Window Usage\n{12000 + 37 * len(files):,} / 200K tokens used\n\n# Current Mode\n{mode}\n</environment_details>"
    )


def _cline_tool(call: Call, p: Project | None) -> tuple[str, str]:
    a = call.args
    if call.kind == "sh":
        out = (
            f"Command executed.\nOutput:\n{call.out.rstrip()}"
            if not call.code
            else f"Command executed.\nOutput:\n{call.out.rstrip()}\n(exit code {call.code})"
        )
        return (
            f"<execute_command>\n<command>{a['cmd']}</command>\n<requires_approval>false</requires_approval>\n</execute_command>",
            f"[execute_command for '{a['cmd']}'] Result:\n{out}",
        )
    if call.kind == "read":
        rel = _rel(p, a["path"])
        return (
            f"<read_file>\n<path>{rel}</path>\n</read_file>",
            f"[read_file for '{rel}'] Result:\n{_slice(call.out, a['start'], a['end'])}",
        )
    if call.kind == "grep":
        return (
            f"<search_files>\n<path>{_rel(p, a['path']) if a['path'] else '.'}</path>\n<regex>{a['pattern']}</regex>\n</search_files>",
            f"[search_files for '{a['pattern']}'] Result:\n{call.out.rstrip()}",
        )
    if call.kind == "edit":
        rel = _rel(p, a["path"])
        diff = f"------- SEARCH\n{a['old']}\n=======\n{a['new']}\n+++++++ REPLACE"
        return (
            f"<replace_in_file>\n<path>{rel}</path>\n<diff>\n{diff}\n</diff>\n</replace_in_file>",
            f"[replace_in_file for '{rel}'] Result:\nThe content was successfully saved to {rel}.\n\nIMPORTANT: For any future changes to this file, use the final_file_content shown above as your reference.",
        )
    if call.kind == "write":
        rel = _rel(p, a["path"])
        return (
            f"<write_to_file>\n<path>{rel}</path>\n<content>\n{a['content']}</content>\n</write_to_file>",
            f"[write_to_file for '{rel}'] Result:\nThe content was successfully saved to {rel}.",
        )
    if call.kind == "glob":
        return (
            "<list_files>\n<path>.</path>\n<recursive>true</recursive>\n</list_files>",
            f"[list_files for '.'] Result:\n{call.out.rstrip()}",
        )
    raise ValueError(f"Cline has no tool for step kind {call.kind!r}")


def cline(
    case_id: str,
    p: Project | None,
    steps: list[Step],
    *,
    visible: list[str] = (),
    mode: str = "ACT MODE",
    model: str | None = None,
) -> dict[str, Any]:
    model = model or pick(case_id, ["claude-sonnet-4-5", "claude-sonnet-4-5", "gpt-4.1", "deepseek-chat"])
    date = pick(case_id, ["10/14/2025", "10/16/2025", "10/22/2025", "10/27/2025"], "date")
    cwd = p.cwd if p else "/Users/dev/project"
    home = p.home if p else "/Users/dev"
    env = _cline_env(p, list(visible), mode, date)
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": P.CLINE_SYSTEM.replace("{cwd}", cwd).replace("{home}", home)}
    ]
    first = True
    for step in steps:
        if isinstance(step, User):
            text = (
                f"<task>\n{step.text}\n</task>"
                if first
                else f"[The user has provided feedback]\n<feedback>\n{step.text}\n</feedback>"
            )
            parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
            parts += [
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}}
                for img in step.images
            ]
            parts.append({"type": "text", "text": env})
            messages.append({"role": "user", "content": parts})
            first = False
        elif isinstance(step, Say):
            messages.append({"role": "assistant", "content": step.text})
        elif isinstance(step, Call):
            xml, result = _cline_tool(step, p)
            pre = f"<thinking>\n{step.pre}\n</thinking>\n\n" if step.pre else ""
            messages.append({"role": "assistant", "content": pre + xml})
            messages.append(
                {"role": "user", "content": [{"type": "text", "text": result}, {"type": "text", "text": env}]}
            )
        else:
            raise ValueError("Cline runs one tool per message")
    return {
        "model": model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0,
    }


# =========================================================================== Aider


def aider(
    case_id: str,
    request: str,
    *,
    files: dict[str, str] | None = None,
    repo_map: str | None = None,
    history: list[tuple[str, str]] = (),
    architect: bool = False,
    model: str | None = None,
) -> dict[str, Any]:
    model = model or pick(case_id, ["gpt-4o", "deepseek-chat", "claude-sonnet-4-5", "gpt-4.1"])
    system = (P.AIDER_ARCHITECT if architect else P.AIDER_SYSTEM) + "\n"
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}]
    if not architect:
        messages += [dict(m) for m in P.AIDER_EXAMPLES]
    if repo_map:
        messages.append({"role": "user", "content": P.AIDER_REPO_PREFIX + repo_map})
        messages.append(
            {"role": "assistant", "content": "Ok, I won't try and edit those files without asking first."}
        )
    if files:
        listing = ""
        for path, content in files.items():
            lang = _fence_lang(path)
            listing += f"{path}\n```{lang}\n{content}```\n\n"
        messages.append({"role": "user", "content": P.AIDER_FILES_PREFIX + listing})
        messages.append({"role": "assistant", "content": "Ok, any changes I propose will be to those files."})
    for user, assistant in history:
        messages.append({"role": "user", "content": user})
        messages.append({"role": "assistant", "content": assistant})
    messages.append({"role": "user", "content": request})
    return {"model": model, "messages": messages, "stream": True, "temperature": 0}


def _fence_lang(path: str) -> str:
    ext = path.rsplit(".", 1)[-1]
    return {
        "py": "python",
        "ts": "typescript",
        "tsx": "tsx",
        "go": "go",
        "rs": "rust",
        "rb": "ruby",
        "java": "java",
        "sql": "sql",
        "sh": "bash",
        "cpp": "cpp",
        "h": "cpp",
        "yml": "yaml",
        "yaml": "yaml",
    }.get(ext, "")


# =========================================================================== plain OpenAI SDK calls


def openai_sdk(
    case_id: str, messages: list[dict[str, Any]], *, model: str | None = None, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model or pick(case_id, ["gpt-4o", "gpt-4o-mini", "gpt-4.1"]),
        "messages": messages,
    }
    body.update(extra)
    return body
