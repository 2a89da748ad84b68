"""The client-neutral half of the routing corpus: fixture projects, the step DSL a case's
history is written in, shared helpers, and the case record. Nothing here decides a label.
"""
# ruff: noqa: E501

from __future__ import annotations

import base64
import hashlib
import random
import string
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    notes: str = (
        ""  # the project's CLAUDE.md / AGENTS.md text when it is written in a case module, not a fixture
    )

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
            "payments",
            "payments-api",
            "northwind/payments-api",
            "/home/maya",
            "/home/maya/src/payments-api",
            "linux",
            "fix/invoice-email-fallback",
            "M app/billing/invoices.py\n?? scratch/replay_webhook.py",
            "9c41e07 Add Payment.currency and backfill from invoices (#812)\n3fa2b19 Stripe: bump API version to 2024-06-20 (#809)\n77de0c4 Split billing contact out of customers (#805)\ne1b8a53 Celery: acks_late for reminder tasks (#801)\n0c9f6d2 Fix flaky test_list_invoices ordering (#798)",
        ),
        Project(
            "web",
            "web-dashboard",
            "northwind/web-dashboard",
            "/Users/jordan",
            "/Users/jordan/code/web-dashboard",
            "darwin",
            "feat/invoice-sorting",
            "M src/components/InvoiceTable.tsx\nM src/server/routers/team.ts",
            "a7c3e91 invoices: sortable columns (#441)\n5d0b2f8 team: invite flow behind flag (#438)\n2e91c40 chore(deps): bump next to 14.2.5 (#436)\nf81a6d3 customer search: debounce input (#431)\nb3e07c5 tz-aware date formatting (#429)",
            editor="Cursor",
        ),
        Project(
            "gateway",
            "ingest-gateway",
            "northwind/ingest-gateway",
            "/home/sam",
            "/home/sam/go/src/github.com/northwind/ingest-gateway",
            "linux",
            "sam/batcher-backpressure",
            "M internal/consumer/batcher.go\nM internal/consumer/batcher_test.go",
            "d2a90c1 batcher: flush on size as well as interval (#233)\n8f3e7b4 grpcapi: reject payloads over 4 MiB (#231)\n4c1d0a9 metrics: per-partition lag gauge (#229)\n1be6f52 kafka: zstd compression (#226)\n93aa0e7 ratelimit: token bucket skeleton (#224)",
            editor="Neovim",
            shell="bash",
        ),
        Project(
            "tidewater",
            "tidewater",
            "ana-k/tidewater",
            "/home/ana",
            "/home/ana/proj/tidewater",
            "linux",
            "main",
            "M src/cache/lru.rs",
            "6e1f0a2 cache: get_or_insert_with helper\n0b7d3c9 http: per-route timeouts\nc52e8f1 upstream: retry 502/503 with jitter\n7a9d4b0 ci: clippy -D warnings\n2f6c1e8 release 0.8.1",
            editor="Zed",
        ),
        Project(
            "ledger",
            "ledger-service",
            "acme-fin/ledger-service",
            "/home/priya",
            "/home/priya/work/ledger-service",
            "linux",
            "feature/osiv-off",
            "M src/main/resources/application.yml\nM src/main/java/com/acme/ledger/api/AccountController.java",
            "b81d2e0 Disable open-in-view (LEDG-1193)\n4e6a9f7 Transfer: rename amountCents -> amountMinor (LEDG-1187)\n3c2d8b1 Flyway V58: entries.created_at index\n9a0f1e3 Payouts: idempotent retry on 409\n6d7c5b2 Bump Spring Boot to 3.3.2",
            editor="IntelliJ IDEA",
        ),
        Project(
            "render",
            "render-core",
            "lumen-tools/render-core",
            "/home/lee",
            "/home/lee/dev/render-core",
            "linux",
            "lee/mesh-loader-dedup",
            "M src/mesh/MeshLoader.cpp\nM tests/mesh/MeshLoaderTest.cpp",
            "f4c2a01 MeshLoader: dedup vertices by (p, n, uv)\n7e9b3d2 RingBuffer: cache-line padding for head/tail\n2a6f8c4 jobs: work-stealing deque\nd01e5b7 CMake: linux-tsan preset\n85c3a9e Tracy zones for upload path",
            editor="CLion",
            shell="bash",
        ),
        Project(
            "shopfront",
            "shopfront",
            "corner-shop/shopfront",
            "/Users/tomas",
            "/Users/tomas/work/shopfront",
            "darwin",
            "tomas/store-credit-refunds",
            "M app/services/refund_service.rb\nM spec/services/refund_service_spec.rb",
            "e7b21c4 Store credit as a payment method (#1520)\n91d0a3f Sidekiq 7.3 (#1517)\n3f5c2e8 Daily sales report by store-local day (#1511)\nc40a7d9 Inventory sync: skip stale remote levels (#1507)\n0a8e6b1 Rubocop 1.65 (#1503)",
        ),
        Project(
            "warehouse",
            "warehouse",
            "northwind/warehouse",
            "/home/ines",
            "/home/ines/analytics/warehouse",
            "linux",
            "ines/fct-orders-refunds",
            "M models/marts/fct_orders.sql",
            "52c1e7a fct_orders: add first_paid_at\n9be0d43 stg_payments: normalise status values\n1d7f2a8 dim_customers: plan from billing\n6a3c9e0 sources: freshness checks for raw.payments\n0fe4b21 dbt 1.8",
            shell="bash",
        ),
        Project(
            "infra",
            "platform-infra",
            "acme/platform-infra",
            "/home/kofi",
            "/home/kofi/src/platform-infra",
            "linux",
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


def sh(
    cmd: str, out: str = "", code: int = 0, secs: float = 0.4, pre: str | None = None, desc: str | None = None
) -> Call:
    return Call("sh", {"cmd": cmd, "desc": desc}, out, code, secs, pre)


def rd(path: str, content: str, pre: str | None = None, start: int = 1, end: int | None = None) -> Call:
    return Call("read", {"path": path, "start": start, "end": end}, content, pre=pre)


def gr(
    pattern: str,
    out: str,
    path: str | None = None,
    glob: str | None = None,
    pre: str | None = None,
    files: bool = False,
) -> Call:
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


def task(
    description: str, prompt: str, out: str, subagent: str = "general-purpose", pre: str | None = None
) -> Call:
    return Call("task", {"description": description, "prompt": prompt, "subagent": subagent}, out, pre=pre)


def par(*calls: Call, pre: str | None = None) -> Par:
    return Par(list(calls), pre)


# =========================================================================== helpers


# The dates sessions are stamped with (each case picks one by its id's hash).
DATES = ["2025-10-06", "2025-10-09", "2025-10-14", "2025-10-15", "2025-10-21", "2025-10-23", "2025-10-28"]


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
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


# =========================================================================== the case record


@dataclass
class CaseSpec:
    id: str
    client: str
    dialect: str
    expected: str
    why: str
    body: dict[str, Any] = field(repr=False)
