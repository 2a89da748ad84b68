"""One case module's recorder: the client renderers bound to that module's case list.

    BOOK = CaseBook(CASES, {p.key: p for p in (MY_INLINE_PROJECT,)})
    BOOK.cc("f-cc-001", "simple", "why ...", "payments", [U("...")])

A project key names a project written in the module (``inline``) or one of the shared fixture
projects. Nothing here decides a label.
"""
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.routing.corpus._clients import (
    CaseSpec,
    Project,
    anthropic_sdk,
    cc_side,
    claude_code,
    cline,
    codex,
    oh_condense,
    openhands,
    pick,
    project,
)

# Codex's approval / sandbox / network settings; each case gets one, picked by its id's hash.
CODEX_POLICIES = [
    ("on-request", "workspace-write", "restricted"),
    ("never", "workspace-write", "restricted"),
    ("on-request", "read-only", "restricted"),
    ("untrusted", "workspace-write", "enabled"),
    ("on-failure", "danger-full-access", "enabled"),
]


class CaseBook:
    def __init__(self, cases: list[CaseSpec], inline: Mapping[str, Project] | None = None) -> None:
        self.cases = cases
        self.inline = inline if inline is not None else {}

    def project(self, key: str | None) -> Project | None:
        if key is None:
            return None
        return self.inline.get(key) or project(key)

    def add(
        self, case_id: str, client: str, dialect: str, expected: str, why: str, body: dict[str, Any]
    ) -> None:
        self.cases.append(CaseSpec(case_id, client, dialect, expected, why, body))

    # Anthropic dialect
    def cc(self, case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw: Any) -> None:
        self.add(
            case_id,
            "claude_code",
            "anthropic",
            expected,
            why,
            claude_code(case_id, self.project(proj), steps, **kw),
        )

    def side(self, case_id: str, expected: str, why: str, kind: str, text: str = "") -> None:
        self.add(case_id, "claude_code", "anthropic", expected, why, cc_side(case_id, kind, text))

    def sdk(self, case_id: str, expected: str, why: str, messages: list[dict], **kw: Any) -> None:
        self.add(case_id, "other", "anthropic", expected, why, anthropic_sdk(case_id, messages, **kw))

    # OpenAI dialect
    def cx(self, case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw: Any) -> None:
        approval, sandbox, network = CODEX_POLICIES[
            int(pick(case_id, [str(i) for i in range(len(CODEX_POLICIES))], "policy"))
        ]
        kw.setdefault("approval", approval)
        kw.setdefault("sandbox", sandbox)
        kw.setdefault("network", network)
        self.add(case_id, "codex", "openai", expected, why, codex(case_id, self.project(proj), steps, **kw))

    def oh(self, case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw: Any) -> None:
        self.add(
            case_id, "openhands", "openai", expected, why, openhands(case_id, self.project(proj), steps, **kw)
        )

    def ohc(
        self, case_id: str, expected: str, why: str, events: list[str], previous: str | None = None, **kw: Any
    ) -> None:
        self.add(case_id, "openhands", "openai", expected, why, oh_condense(case_id, events, previous, **kw))

    def other(self, case_id: str, expected: str, why: str, body: dict[str, Any]) -> None:
        self.add(case_id, "other", "openai", expected, why, body)

    def cl(self, case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw: Any) -> None:
        self.other(case_id, expected, why, cline(case_id, self.project(proj), steps, **kw))
