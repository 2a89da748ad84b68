"""Client envelopes for the routing corpus, in one import.

A case is written once as a client-neutral history (user turns, assistant text, tool
steps: ``_steps``) and rendered into the exact request body each client sends: Claude Code's
/v1/messages (``_render_claude_code``), Codex CLI's, OpenHands', Cline's and Aider's
/v1/chat/completions (``_render_openai``). Nothing here decides a label.
"""

from __future__ import annotations

from tests.routing.corpus._render_claude_code import anthropic_sdk, cc_side, claude_code
from tests.routing.corpus._render_openai import aider, cline, codex, oh_condense, openai_sdk, openhands
from tests.routing.corpus._steps import (
    FX,
    A,
    CaseSpec,
    Project,
    U,
    ed,
    fetch,
    gl,
    gr,
    par,
    pick,
    png_b64,
    project,
    rd,
    sh,
    task,
    think,
    todo,
    wr,
)

__all__ = [
    "FX", "A", "CaseSpec", "Project", "U", "aider", "anthropic_sdk", "cc_side", "claude_code", "cline",
    "codex", "ed", "fetch", "gl", "gr", "oh_condense", "openai_sdk", "openhands", "par", "pick", "png_b64",
    "project", "rd", "sh", "task", "think", "todo", "wr",
]  # fmt: skip
