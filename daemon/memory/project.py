"""Which project a request belongs to, so memories stay within the codebase they were learned in.

First match wins: the ``x-lynkr-workspace`` header; a working directory the
client states (Claude Code's "Working directory: ...", Codex's ``<cwd>``);
else the longest common directory of the absolute file paths in the
conversation (tool inputs, tool results, text), after dropping system paths
(``/usr``, ``/etc``, ``/tmp``, ...) and paths outside the most common root, so
one stray ``/etc/hosts`` read does not widen the project to ``/``. No
project (``""``) when nothing usable is found; such requests only see
memories that were also made without a project.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from daemon.canonical import Request, TextBlock, ToolResultBlock, ToolUseBlock

WORKSPACE_HEADER = "x-lynkr-workspace"
_STATED = re.compile(r"(?:Working directory|<cwd>|cwd)\s*[:>]?\s*(/[^\s<\"'`]+)", re.I)
_ABS_PATH = re.compile(r"(?<![\w.:/~-])(/(?:[\w.@+-]+/)+[\w.@+-]+)")
_SYSTEM_ROOTS = (
    "/usr/", "/etc/", "/tmp/", "/proc/", "/dev/", "/sys/", "/bin/", "/sbin/", "/lib", "/var/",
    "/opt/homebrew/", "/private/", "/System/", "/Library/", "/nix/",
)  # fmt: skip
_SCAN_CHARS = 200_000  # enough to find paths; a huge tool result is not read to its end
_SCAN_TOTAL = 400_000  # and a long conversation is not read to its end either
MIN_DEPTH = 2  # "/home" alone is not a project


def project_of(headers: Mapping[str, str], request: Request) -> str:
    stated = headers.get(WORKSPACE_HEADER, "").strip()
    if stated:
        return stated.rstrip("/")[:300] or "/"
    return find_project(request)[0]


def find_project(request: Request, start: int = 0, budget: int = _SCAN_TOTAL) -> tuple[str, int]:
    """(the project the conversation's texts point to, the reading budget left).

    Reads the system prompt and ``request.messages[start:]``, or only those messages when ``start``
    is past 0: a caller that found nothing in the first ``start`` messages (and kept the budget that
    left) gets the same answer as a full read by reading only what the conversation added since.
    """
    texts: list[str] = []
    for text in _texts(request, start):
        if budget <= 0:
            break
        texts.append(text[: min(_SCAN_CHARS, budget)])
        budget -= len(texts[-1])
    for text in texts:
        match = _STATED.search(text[:_SCAN_CHARS])
        if match and not match.group(1).startswith(_SYSTEM_ROOTS):
            return match.group(1).rstrip("/.")[:300], budget
    found = common_directory(path for text in texts for path in _ABS_PATH.findall(text[:_SCAN_CHARS]))
    return found, budget


def common_directory(paths: Any) -> str:
    """The longest common directory of the paths under their most common two-level root."""
    dirs = [os.path.dirname(p) for p in paths if not p.startswith(_SYSTEM_ROOTS)]
    dirs = [d for d in dirs if d.count("/") >= MIN_DEPTH]
    if not dirs:
        return ""
    roots = Counter("/".join(d.split("/")[:3]) for d in dirs)
    root = roots.most_common(1)[0][0]
    common = os.path.commonpath([d for d in dirs if d == root or d.startswith(root + "/")])
    return common if common.count("/") >= MIN_DEPTH else ""


def _texts(request: Request, start: int = 0) -> Iterator[str]:
    if start == 0:
        yield request.system_text()
    for message in request.messages[start:]:
        for block in message.content:
            if isinstance(block, TextBlock):
                yield block.text
            elif isinstance(block, ToolUseBlock):
                yield from _strings(block.input)
            elif isinstance(block, ToolResultBlock):
                yield block.text()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
