"""Client envelopes for the routing corpus.

A case is written once as a client-neutral history (user turns, assistant text, tool
steps) and rendered here into the exact request body each client sends: Claude Code's
/v1/messages, Codex CLI's and OpenHands' /v1/chat/completions, Cline's XML tool use.
Nothing here decides a label.
"""
# ruff: noqa: E501

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.routing.corpus import _prompts as P

FIXTURES = Path(__file__).parent / "fixtures"
_ALNUM = string.ascii_letters + string.digits


# =========================================================================== fixtures and projects


def _load_fixtures() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in sorted(FIXTURES.glob("*.txt")):
        files: dict[str, str] = {}
        name: str | None = None
        buf: list[str] = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            if line.startswith("##### FILE: "):
                if name is not None:
                    files[name] = "".join(buf).rstrip("\n") + "\n"
                name, buf = line[len("##### FILE: ") :].strip(), []
            else:
                buf.append(line)
        if name is not None:
            files[name] = "".join(buf).rstrip("\n") + "\n"
        out[path.stem] = files
    return out


FX = _load_fixtures()


@dataclass(frozen=True)
class Project:
    key: str
    name: str
    repo: str
    home: str  # the developer's home directory
    cwd: str  # repository checkout on the developer's machine
    platform: str
    branch: str
    status: str
    commits: str
    editor: str = "VS Code"
    shell: str = "zsh"
    notes: str = ""  # the project's CLAUDE.md / AGENTS.md text when it is written in a case module, not a fixture

    def file(self, rel: str) -> str:
        return FX[self.key][rel]

    @property
    def instructions(self) -> str:
        return self.notes.strip() if self.notes else FX[self.key]["INSTRUCTIONS.md"].strip()

    @property
    def oh_cwd(self) -> str:
        return f"/workspace/{self.name}"


PROJECTS: dict[str, Project] = {
    p.key: p
    for p in [
        Project(
            "payments", "payments-api", "northwind/payments-api", "/home/maya", "/home/maya/src/payments-api", "linux",
            "fix/invoice-email-fallback",
            "M app/billing/invoices.py\n?? scratch/replay_webhook.py",
            "9c41e07 Add Payment.currency and backfill from invoices (#812)\n3fa2b19 Stripe: bump API version to 2024-06-20 (#809)\n77de0c4 Split billing contact out of customers (#805)\ne1b8a53 Celery: acks_late for reminder tasks (#801)\n0c9f6d2 Fix flaky test_list_invoices ordering (#798)",
        ),
        Project(
            "web", "web-dashboard", "northwind/web-dashboard", "/Users/jordan", "/Users/jordan/code/web-dashboard", "darwin",
            "feat/invoice-sorting",
            "M src/components/InvoiceTable.tsx\nM src/server/routers/team.ts",
            "a7c3e91 invoices: sortable columns (#441)\n5d0b2f8 team: invite flow behind flag (#438)\n2e91c40 chore(deps): bump next to 14.2.5 (#436)\nf81a6d3 customer search: debounce input (#431)\nb3e07c5 tz-aware date formatting (#429)",
            editor="Cursor",
        ),
        Project(
            "gateway", "ingest-gateway", "northwind/ingest-gateway", "/home/sam", "/home/sam/go/src/github.com/northwind/ingest-gateway", "linux",
            "sam/batcher-backpressure",
            "M internal/consumer/batcher.go\nM internal/consumer/batcher_test.go",
            "d2a90c1 batcher: flush on size as well as interval (#233)\n8f3e7b4 grpcapi: reject payloads over 4 MiB (#231)\n4c1d0a9 metrics: per-partition lag gauge (#229)\n1be6f52 kafka: zstd compression (#226)\n93aa0e7 ratelimit: token bucket skeleton (#224)",
            editor="Neovim", shell="bash",
        ),
        Project(
            "tidewater", "tidewater", "ana-k/tidewater", "/home/ana", "/home/ana/proj/tidewater", "linux",
            "main",
            "M src/cache/lru.rs",
            "6e1f0a2 cache: get_or_insert_with helper\n0b7d3c9 http: per-route timeouts\nc52e8f1 upstream: retry 502/503 with jitter\n7a9d4b0 ci: clippy -D warnings\n2f6c1e8 release 0.8.1",
            editor="Zed",
        ),
        Project(
            "ledger", "ledger-service", "acme-fin/ledger-service", "/home/priya", "/home/priya/work/ledger-service", "linux",
            "feature/osiv-off",
            "M src/main/resources/application.yml\nM src/main/java/com/acme/ledger/api/AccountController.java",
            "b81d2e0 Disable open-in-view (LEDG-1193)\n4e6a9f7 Transfer: rename amountCents -> amountMinor (LEDG-1187)\n3c2d8b1 Flyway V58: entries.created_at index\n9a0f1e3 Payouts: idempotent retry on 409\n6d7c5b2 Bump Spring Boot to 3.3.2",
            editor="IntelliJ IDEA",
        ),
        Project(
            "render", "render-core", "lumen-tools/render-core", "/home/lee", "/home/lee/dev/render-core", "linux",
            "lee/mesh-loader-dedup",
            "M src/mesh/MeshLoader.cpp\nM tests/mesh/MeshLoaderTest.cpp",
            "f4c2a01 MeshLoader: dedup vertices by (p, n, uv)\n7e9b3d2 RingBuffer: cache-line padding for head/tail\n2a6f8c4 jobs: work-stealing deque\nd01e5b7 CMake: linux-tsan preset\n85c3a9e Tracy zones for upload path",
            editor="CLion", shell="bash",
        ),
        Project(
            "shopfront", "shopfront", "corner-shop/shopfront", "/Users/tomas", "/Users/tomas/work/shopfront", "darwin",
            "tomas/store-credit-refunds",
            "M app/services/refund_service.rb\nM spec/services/refund_service_spec.rb",
            "e7b21c4 Store credit as a payment method (#1520)\n91d0a3f Sidekiq 7.3 (#1517)\n3f5c2e8 Daily sales report by store-local day (#1511)\nc40a7d9 Inventory sync: skip stale remote levels (#1507)\n0a8e6b1 Rubocop 1.65 (#1503)",
        ),
        Project(
            "warehouse", "warehouse", "northwind/warehouse", "/home/ines", "/home/ines/analytics/warehouse", "linux",
            "ines/fct-orders-refunds",
            "M models/marts/fct_orders.sql",
            "52c1e7a fct_orders: add first_paid_at\n9be0d43 stg_payments: normalise status values\n1d7f2a8 dim_customers: plan from billing\n6a3c9e0 sources: freshness checks for raw.payments\n0fe4b21 dbt 1.8",
            shell="bash",
        ),
        Project(
            "infra", "platform-infra", "acme/platform-infra", "/home/kofi", "/home/kofi/src/platform-infra", "linux",
            "kofi/uploads-lifecycle",
            "M terraform/prod/main.tf",
            "aa21f9c prod: ingest node group to c6i.4xlarge\n5e0c7d3 ci: plan both envs on PRs\n2b8f1e6 charts: payments-api 2.13.4\n9d4a0c7 scripts: deploy.sh waits for Argo health\n71c3e5f staging: shrink NAT gateways to one",
            shell="bash",
        ),
    ]
}


def project(key: str) -> Project:
    return PROJECTS[key]


# =========================================================================== the step DSL


@dataclass
class User:
    text: str
    images: tuple[str, ...] = ()  # base64 PNGs
    reminders: tuple[str, ...] = ()  # Claude Code <system-reminder> texts added to the turn


@dataclass
class Say:
    text: str


@dataclass
class Call:
    kind: str  # sh read grep glob edit write todo think fetch task
    args: dict[str, Any]
    out: str
    code: int = 0
    secs: float = 0.3
    pre: str | None = None


@dataclass
class Par:
    calls: list[Call]
    pre: str | None = None


Step = User | Say | Call | Par


def U(text: str, *images: str, reminders: tuple[str, ...] = ()) -> User:
    return User(text, tuple(images), reminders)


def A(text: str) -> Say:
    return Say(text)


def sh(cmd: str, out: str = "", code: int = 0, secs: float = 0.4, pre: str | None = None, desc: str | None = None) -> Call:
    return Call("sh", {"cmd": cmd, "desc": desc}, out, code, secs, pre)


def rd(path: str, content: str, pre: str | None = None, start: int = 1, end: int | None = None) -> Call:
    return Call("read", {"path": path, "start": start, "end": end}, content, pre=pre)


def gr(pattern: str, out: str, path: str | None = None, glob: str | None = None, pre: str | None = None, files: bool = False) -> Call:
    return Call("grep", {"pattern": pattern, "path": path, "glob": glob, "files": files}, out, pre=pre)


def gl(pattern: str, out: str, pre: str | None = None) -> Call:
    return Call("glob", {"pattern": pattern}, out, pre=pre)


def ed(path: str, old: str, new: str, src: str | None = None, pre: str | None = None) -> Call:
    return Call("edit", {"path": path, "old": old, "new": new, "src": src}, "", pre=pre)


def wr(path: str, content: str, pre: str | None = None) -> Call:
    return Call("write", {"path": path, "content": content}, "", pre=pre)


def todo(*items: tuple[str, str], pre: str | None = None) -> Call:
    """items: (status, text) with status in pending / in_progress / completed."""
    return Call("todo", {"items": list(items)}, "", pre=pre)


def think(text: str) -> Call:
    return Call("think", {"thought": text}, "")


def fetch(url: str, prompt: str, out: str, pre: str | None = None) -> Call:
    return Call("fetch", {"url": url, "prompt": prompt}, out, pre=pre)


def task(description: str, prompt: str, out: str, subagent: str = "general-purpose", pre: str | None = None) -> Call:
    return Call("task", {"description": description, "prompt": prompt, "subagent": subagent}, out, pre=pre)


def par(*calls: Call, pre: str | None = None) -> Par:
    return Par(list(calls), pre)


# =========================================================================== helpers


def rng_for(case_id: str) -> random.Random:
    return random.Random(int(hashlib.sha256(case_id.encode()).hexdigest(), 16))


def pick(case_id: str, options: list[str], salt: str = "model") -> str:
    h = int(hashlib.sha256(f"{salt}:{case_id}".encode()).hexdigest(), 16)
    return options[h % len(options)]


def _rand(rng: random.Random, n: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _uuid(rng: random.Random) -> str:
    h = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"


def numbered(content: str, start: int = 1, end: int | None = None, sep: str = "→") -> str:
    lines = content.splitlines()
    end = len(lines) if end is None else min(end, len(lines))
    return "\n".join(f"{i:>6}{sep}{lines[i - 1]}" for i in range(start, end + 1))


def _slice(content: str, start: int, end: int | None) -> str:
    lines = content.splitlines()
    end = len(lines) if end is None else min(end, len(lines))
    return "\n".join(lines[start - 1 : end]) + "\n"


def _edit_snippet(args: dict[str, Any], sep: str) -> str:
    src = args.get("src")
    new_lines = args["new"].splitlines()
    line = 1
    if src and args["old"] in src:
        line = src[: src.index(args["old"])].count("\n") + 1
    first = max(1, line - 3)
    shown: list[str] = []
    if src:
        before = src.splitlines()[first - 1 : line - 1]
        shown = before + new_lines
        after_start = line - 1 + len(args["old"].splitlines())
        shown += src.splitlines()[after_start : after_start + 3]
    else:
        shown = new_lines
    return "\n".join(f"{first + i:>6}{sep}{text}" for i, text in enumerate(shown))


def _todo_status(status: str, flavor: str) -> str:
    if flavor == "oh":
        return {"pending": "todo", "in_progress": "in_progress", "completed": "done"}[status]
    return status


def _active(text: str) -> str:
    verb, _, rest = text.partition(" ")
    if verb.endswith("e") and not verb.endswith("ee"):
        verb = verb[:-1]
    return f"{verb}ing {rest}".strip()


def _patch_update(path: str, old: str, new: str) -> str:
    lines = ["*** Begin Patch", f"*** Update File: {path}", "@@"]
    lines += [f"-{x}" for x in old.splitlines()]
    lines += [f"+{x}" for x in new.splitlines()]
    lines.append("*** End Patch")
    return "\n".join(lines)


def _patch_add(path: str, content: str) -> str:
    lines = ["*** Begin Patch", f"*** Add File: {path}"]
    lines += [f"+{x}" for x in content.splitlines()]
    lines.append("*** End Patch")
    return "\n".join(lines)


def _rel(p: Project | None, path: str) -> str:
    if p and path.startswith(p.cwd + "/"):
        return path[len(p.cwd) + 1 :]
    return path


def _abs(base: str, path: str) -> str:
    return path if path.startswith("/") else f"{base}/{path}"


# =========================================================================== a tiny PNG


def png_b64(width: int = 120, height: int = 80, seed: int = 0) -> str:
    """A small valid RGB PNG that looks like a crude app screenshot (header bar, panel, button)."""
    rng = random.Random(seed)
    header = (rng.randrange(20, 60), rng.randrange(60, 120), rng.randrange(140, 220))
    accent = (rng.randrange(180, 255), rng.randrange(60, 140), rng.randrange(20, 80))
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0
        for x in range(width):
            if y < 12:
                px = header
            elif 20 <= y < 60 and 8 <= x < 70:
                px = (236, 239, 244) if (y - 20) % 10 else (210, 214, 222)
            elif 62 <= y < 74 and 80 <= x < 112:
                px = accent
            elif 66 <= y < 80 and 70 <= x < 100:
                px = (250, 250, 250)  # the overlapping footer
            else:
                px = (255, 255, 255)
            row += bytes(px)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


# =========================================================================== Claude Code

CC_MODELS = ["claude-sonnet-4-5-20250929"] * 5 + ["claude-opus-4-1-20250805", "claude-sonnet-4-20250514"]
CC_MODEL_NAMES = {
    "claude-sonnet-4-5-20250929": "Sonnet 4.5",
    "claude-opus-4-1-20250805": "Opus 4.1",
    "claude-sonnet-4-20250514": "Sonnet 4",
}
HAIKU = ["claude-haiku-4-5-20251001", "claude-3-5-haiku-20241022"]
DATES = ["2025-10-06", "2025-10-09", "2025-10-14", "2025-10-15", "2025-10-21", "2025-10-23", "2025-10-28"]


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
        return {"type": "tool_use", "id": tid, "name": "Edit", "input": {"file_path": _abs(base, a["path"]), "old_string": a["old"], "new_string": a["new"]}}
    if call.kind == "write":
        return {"type": "tool_use", "id": tid, "name": "Write", "input": {"file_path": _abs(base, a["path"]), "content": a["content"]}}
    if call.kind == "todo":
        todos = [{"content": t, "status": s, "activeForm": _active(t)} for s, t in a["items"]]
        return {"type": "tool_use", "id": tid, "name": "TodoWrite", "input": {"todos": todos}}
    if call.kind == "fetch":
        return {"type": "tool_use", "id": tid, "name": "WebFetch", "input": {"url": a["url"], "prompt": a["prompt"]}}
    if call.kind == "task":
        return {"type": "tool_use", "id": tid, "name": "Task", "input": {"description": a["description"], "prompt": a["prompt"], "subagent_type": a["subagent"]}}
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
            return {"type": "tool_result", "tool_use_id": tid, "content": f"Exit code {call.code}\n{call.out.rstrip()}", "is_error": True}
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
        return {"type": "tool_result", "tool_use_id": tid, "content": f"File created successfully at: {_abs(base, a['path'])}"}
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
                blocks.append({"type": "text", "text": P.CC_CLAUDEMD.format(cwd=p.cwd, home=p.home, instructions=p.instructions, editor=p.editor)})
            for img in step.images:
                blocks.append({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": img}})
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
                content.append({"type": "thinking", "thinking": step.pre or "Let me look at this before changing anything.", "signature": "Er" + _rand(rng, 86) + "=="})
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
    body: dict[str, Any] = {"model": model, "max_tokens": 512, "stream": True, "metadata": {"user_id": _cc_user_id(rng)}}
    if kind == "topic":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": P.CC_SIDE_TOPIC}]
        body["messages"] = [{"role": "user", "content": text}]
        body["temperature"] = 0
    elif kind == "summary":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": P.CC_SIDE_SUMMARY}]
        body["messages"] = [{"role": "user", "content": text}, {"role": "user", "content": "Respond with the title for the conversation and nothing else."}]
    elif kind == "title":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": "You are a helpful assistant that writes short titles for coding conversations."}]
        body["messages"] = [{"role": "user", "content": f"{P.CC_SIDE_TITLE}\n\n{text}"}]
    elif kind == "bash_prefix":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": P.CC_SIDE_BASH_PREFIX}]
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
            {"type": "text", "text": "You are a file search specialist for Claude Code. You excel at thoroughly navigating and exploring codebases.\n\nGuidelines:\n- Use Glob for broad file pattern matching\n- Use Grep for searching file contents with regex\n- Use Read when you know the specific file path you need to read\n- Return file paths as absolute paths in your final response\n- Do not create any files, or run bash commands that modify the user's system state in any way", "cache_control": {"type": "ephemeral"}},
        ]
        body["tools"] = [t for t in P.CC_TOOLS if t["name"] in ("Bash", "Glob", "Grep", "Read")]
        body["messages"] = [{"role": "user", "content": [{"type": "text", "text": "Warmup", "cache_control": {"type": "ephemeral"}}]}]
        body["max_tokens"] = 32000
    elif kind == "suggest":
        body["system"] = [{"type": "text", "text": P.CC_BILLING}, {"type": "text", "text": "You suggest what the user might type next in a coding CLI. Reply with up to three short suggestions, one per line, each under 60 characters. No numbering, no quotes."}]
        body["messages"] = [{"role": "user", "content": text}]
    else:
        raise ValueError(kind)
    return body


# =========================================================================== Codex CLI (wire_api = "chat")

CODEX_MODELS = ["gpt-5-codex", "gpt-5-codex", "o4-mini", "gpt-4.1", "codex-mini-latest"]


def _codex_out(output: str, code: int, secs: float) -> str:
    return json.dumps({"output": output, "metadata": {"exit_code": code, "duration_seconds": round(secs, 1)}})


def _codex_call(call: Call, p: Project | None, cwd: str) -> tuple[str, dict[str, Any], str]:
    a = call.args
    if call.kind == "sh":
        return "shell", {"command": ["bash", "-lc", a["cmd"]], "workdir": cwd, "timeout": 600000 if call.secs > 60 else 120000}, _codex_out(call.out, call.code, call.secs)
    if call.kind == "read":
        rel = _rel(p, a["path"])
        end = a["end"] or max(a["start"] + 249, 250)
        out = _slice(call.out, a["start"], a["end"])
        return "shell", {"command": ["bash", "-lc", f"sed -n '{a['start']},{end}p' {rel}"], "workdir": cwd}, _codex_out(out, 0, 0.0)
    if call.kind == "grep":
        target = f" {_rel(p, a['path'])}" if a["path"] else ""
        g = f" -g '{a['glob']}'" if a["glob"] else ""
        flag = "-l" if a["files"] else "-n"
        return "shell", {"command": ["bash", "-lc", f"rg {flag}{g} '{a['pattern']}'{target}"], "workdir": cwd}, _codex_out(call.out, 0 if call.out.strip() else 1, 0.1)
    if call.kind == "glob":
        return "shell", {"command": ["bash", "-lc", f"rg --files -g '{a['pattern']}'"], "workdir": cwd}, _codex_out(call.out, 0, 0.1)
    if call.kind == "edit":
        rel = _rel(p, a["path"])
        return "apply_patch", {"input": _patch_update(rel, a["old"], a["new"])}, _codex_out(f"Success. Updated the following files:\nM {rel}\n", 0, 0.0)
    if call.kind == "write":
        rel = _rel(p, a["path"])
        return "apply_patch", {"input": _patch_add(rel, a["content"])}, _codex_out(f"Success. Updated the following files:\nA {rel}\n", 0, 0.0)
    if call.kind == "todo":
        return "update_plan", {"plan": [{"step": t, "status": s} for s, t in a["items"]]}, "Plan updated"
    if call.kind == "fetch":
        return "shell", {"command": ["bash", "-lc", f"curl -sL '{a['url']}' | head -c 20000"], "workdir": cwd, "with_escalated_permissions": True, "justification": "Need network access to read the upstream documentation."}, _codex_out(call.out, 0, 1.2)
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
        messages.append({"role": "user", "content": f"<user_instructions>\n\n{p.instructions}\n\n</user_instructions>"})
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
                parts += [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}} for img in step.images]
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
                        {"id": i, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
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

OH_MODELS = ["claude-sonnet-4-5-20250929", "gpt-4o", "qwen3-coder-480b-a35b-instruct", "devstral-medium-2507", "claude-sonnet-4-5-20250929"]
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
        return "str_replace_editor", args, f"Here's the result of running `cat -n` on {path}:\n{numbered(call.out, a['start'], a['end'], sep=chr(9))}\n"
    if call.kind == "grep":
        target = _rel(p, a["path"]) if a["path"] else "."
        inc = f" --include='{a['glob']}'" if a["glob"] else ""
        flag = "-rl" if a["files"] else "-rn"
        return "execute_bash", {"command": f"grep {flag}{inc} '{a['pattern']}' {target}", "security_risk": "LOW"}, _oh_bash_out(call.out, 0 if call.out.strip() else 1, cwd)
    if call.kind == "glob":
        return "execute_bash", {"command": f"find . -path ./node_modules -prune -o -path '*{a['pattern'].replace('**/', '')}' -print | head -100", "security_risk": "LOW"}, _oh_bash_out(call.out, 0, cwd)
    if call.kind == "edit":
        path = _abs(cwd, _rel(p, a["path"]))
        text = f"The file {path} has been edited. Here's the result of running `cat -n` on a snippet of {path}:\n{_edit_snippet(a, chr(9))}\nReview the changes and make sure they are as expected. Edit the file again if necessary."
        return "str_replace_editor", {"command": "str_replace", "path": path, "old_str": a["old"], "new_str": a["new"], "security_risk": "LOW"}, text
    if call.kind == "write":
        path = _abs(cwd, _rel(p, a["path"]))
        return "str_replace_editor", {"command": "create", "path": path, "file_text": a["content"], "security_risk": "LOW"}, f"File created successfully at: {path}"
    if call.kind == "todo":
        tl = [{"id": str(i + 1), "title": t, "status": _todo_status(s, "oh")} for i, (s, t) in enumerate(a["items"])]
        return "task_tracker", {"command": "plan", "task_list": tl}, f"Task list has been updated with {len(tl)} items. Stored in session directory: sessions/{hashlib.sha256(cwd.encode()).hexdigest()[:12]}/TASKS.md"
    if call.kind == "think":
        return "think", {"thought": a["thought"]}, "Your thought has been logged."
    if call.kind == "fetch":
        return "execute_bash", {"command": f"curl -sL '{a['url']}' | head -c 20000", "security_risk": "LOW"}, _oh_bash_out(call.out, 0, cwd)
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
        {"role": "system", "content": [{"type": "text", "text": P.OH_SYSTEM, "cache_control": {"type": "ephemeral"}}]}
    ]
    first_user = True
    for step in steps:
        if isinstance(step, User):
            parts: list[dict[str, Any]] = [{"type": "text", "text": step.text}]
            parts += [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}} for img in step.images]
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
            ids = [("toolu_01" + _rand(rng, 22)) if anthropic_ids else ("call_" + _rand(rng, 24)) for _ in calls]
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
                messages.append({"role": "tool", "tool_call_id": i, "name": name, "content": [{"type": "text", "text": out}]})
    last = messages[-1]["content"]
    if isinstance(last, list) and last:
        last[-1]["cache_control"] = {"type": "ephemeral"}
    body: dict[str, Any] = {"model": model, "messages": messages, "tools": P.OH_TOOLS, "temperature": 0.0}
    if anthropic_ids:
        body["max_tokens"] = 64000
    else:
        body["max_completion_tokens"] = 16384
    return body


def oh_condense(case_id: str, events: list[str], previous: str | None = None, *, model: str | None = None) -> dict[str, Any]:
    """OpenHands' LLMSummarizingCondenser call: summarise forgotten events into a state summary."""
    model = model or pick(case_id, OH_MODELS)
    prompt = P.OH_CONDENSER + "\n\n"
    prompt += f"<PREVIOUS SUMMARY>\n{previous or 'No events summarized'}\n</PREVIOUS SUMMARY>\n\n"
    for i, e in enumerate(events):
        prompt += f"<EVENT id={i + 3}>\n{e}\n</EVENT>\n\n"
    prompt += "Now summarize the events using the rules above."
    return {"model": model, "messages": [{"role": "user", "content": prompt}], "temperature": 0.0, "max_completion_tokens": 4096}


# =========================================================================== Cline (OpenAI-compatible provider)


def _cline_env(p: Project | None, visible: list[str], mode: str, date: str) -> str:
    cwd = p.cwd if p else "/Users/dev/project"
    files = "\n".join(visible) if visible else "(No visible files)"
    return (
        "<environment_details>\n# VSCode Visible Files\n"
        f"{files}\n\n# VSCode Open Tabs\n{files}\n\n"
        f"# Current Time\n{date}, 10:{len(files) % 60:02d} AM (Europe/Berlin, UTC+2:00)\n\n"
        f"# Current Working Directory ({cwd}) Files\n"
        + "\n".join(sorted({v.split('/')[0] + ('/' if '/' in v else '') for v in visible}) or ["package.json"])
        + f"\n\n# Context Window Usage\n{12000 + 37 * len(files):,} / 200K tokens used\n\n# Current Mode\n{mode}\n</environment_details>"
    )


def _cline_tool(call: Call, p: Project | None) -> tuple[str, str]:
    a = call.args
    if call.kind == "sh":
        out = f"Command executed.\nOutput:\n{call.out.rstrip()}" if not call.code else f"Command executed.\nOutput:\n{call.out.rstrip()}\n(exit code {call.code})"
        return (
            f"<execute_command>\n<command>{a['cmd']}</command>\n<requires_approval>false</requires_approval>\n</execute_command>",
            f"[execute_command for '{a['cmd']}'] Result:\n{out}",
        )
    if call.kind == "read":
        rel = _rel(p, a["path"])
        return f"<read_file>\n<path>{rel}</path>\n</read_file>", f"[read_file for '{rel}'] Result:\n{_slice(call.out, a['start'], a['end'])}"
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
        return f"<write_to_file>\n<path>{rel}</path>\n<content>\n{a['content']}</content>\n</write_to_file>", f"[write_to_file for '{rel}'] Result:\nThe content was successfully saved to {rel}."
    if call.kind == "glob":
        return "<list_files>\n<path>.</path>\n<recursive>true</recursive>\n</list_files>", f"[list_files for '.'] Result:\n{call.out.rstrip()}"
    raise ValueError(f"Cline has no tool for step kind {call.kind!r}")


def cline(case_id: str, p: Project | None, steps: list[Step], *, visible: list[str] = (), mode: str = "ACT MODE", model: str | None = None) -> dict[str, Any]:
    model = model or pick(case_id, ["claude-sonnet-4-5", "claude-sonnet-4-5", "gpt-4.1", "deepseek-chat"])
    date = pick(case_id, ["10/14/2025", "10/16/2025", "10/22/2025", "10/27/2025"], "date")
    cwd = p.cwd if p else "/Users/dev/project"
    home = p.home if p else "/Users/dev"
    env = _cline_env(p, list(visible), mode, date)
    messages: list[dict[str, Any]] = [{"role": "system", "content": P.CLINE_SYSTEM.replace("{cwd}", cwd).replace("{home}", home)}]
    first = True
    for step in steps:
        if isinstance(step, User):
            text = f"<task>\n{step.text}\n</task>" if first else f"[The user has provided feedback]\n<feedback>\n{step.text}\n</feedback>"
            parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
            parts += [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{img}"}} for img in step.images]
            parts.append({"type": "text", "text": env})
            messages.append({"role": "user", "content": parts})
            first = False
        elif isinstance(step, Say):
            messages.append({"role": "assistant", "content": step.text})
        elif isinstance(step, Call):
            xml, result = _cline_tool(step, p)
            pre = f"<thinking>\n{step.pre}\n</thinking>\n\n" if step.pre else ""
            messages.append({"role": "assistant", "content": pre + xml})
            messages.append({"role": "user", "content": [{"type": "text", "text": result}, {"type": "text", "text": env}]})
        else:
            raise ValueError("Cline runs one tool per message")
    return {"model": model, "messages": messages, "stream": True, "stream_options": {"include_usage": True}, "temperature": 0}


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
        messages.append({"role": "assistant", "content": "Ok, I won't try and edit those files without asking first."})
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
    return {"py": "python", "ts": "typescript", "tsx": "tsx", "go": "go", "rs": "rust", "rb": "ruby", "java": "java", "sql": "sql", "sh": "bash", "cpp": "cpp", "h": "cpp", "yml": "yaml", "yaml": "yaml"}.get(ext, "")


# =========================================================================== plain SDK calls


def openai_sdk(case_id: str, messages: list[dict[str, Any]], *, model: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model or pick(case_id, ["gpt-4o", "gpt-4o-mini", "gpt-4.1"]), "messages": messages}
    body.update(extra)
    return body


def anthropic_sdk(case_id: str, messages: list[dict[str, Any]], *, system: str | None = None, model: str | None = None, max_tokens: int = 4096, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model or pick(case_id, ["claude-sonnet-4-5", "claude-opus-4-1"]), "max_tokens": max_tokens, "messages": messages}
    if system:
        body["system"] = system
    body.update(extra)
    return body


# =========================================================================== the case record


@dataclass
class CaseSpec:
    id: str
    client: str
    dialect: str
    expected: str
    why: str
    body: dict[str, Any] = field(repr=False)
