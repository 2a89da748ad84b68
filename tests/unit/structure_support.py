"""Helpers shared by the test_structure_*.py tests, and the synthetic 2/20/200 KB requests that
bench/structure_speed.py times."""

from __future__ import annotations

import json
import random

from daemon.canonical import Message, Request, TextBlock, ToolResultBlock, ToolUseBlock

# --------------------------------------------------------------------------- helpers


def numbered(text: str, first: int = 1, sep: str = "\t") -> str:
    """Claude Code Read / cat -n rendering."""
    return "\n".join(f"{n:>6}{sep}{line}" for n, line in enumerate(text.split("\n"), first))


def user(*blocks: object) -> Message:
    return Message("user", [TextBlock(b) if isinstance(b, str) else b for b in blocks])  # type: ignore[misc]


def assistant(*blocks: object) -> Message:
    return Message("assistant", [TextBlock(b) if isinstance(b, str) else b for b in blocks])  # type: ignore[misc]


def request(*messages: Message) -> Request:
    return Request("claude-sonnet-4-5", list(messages))


def read_exchange(path: str, code: str, tool_id: str, first: int = 1, **extra: object) -> list[Message]:
    use = ToolUseBlock(tool_id, "Read", {"file_path": path, **extra})
    return [assistant(use), user(ToolResultBlock(tool_id, [TextBlock(numbered(code, first))]))]


PY_SAMPLE = """import os


class Store:
    def __init__(self, root):
        self.root = root

    def load(self, name):
        if not name or name.startswith("."):
            raise ValueError(name)
        for attempt in range(3):
            try:
                return open(os.path.join(self.root, name)).read()
            except OSError:
                if attempt == 2:
                    raise
        return None


def main():
    store = Store("/tmp")
    return store.load("x")
"""


# --------------------------------------------------------------------------- synthetic requests (timing)


def _python_module(rng: random.Random, tag: str, n: int) -> str:
    out = ["import os", "from typing import Any", "", ""]
    names: list[str] = []
    for i in range(n):
        name = f"{tag}_fn{i}"
        calls = rng.sample(names, min(len(names), rng.randint(0, 3)))
        body = [f"def {name}(value: Any, limit: int = {i}) -> Any:", f'    """Step {i} of {tag}."""']
        body.append("    result = []")
        body.append("    for item in value or []:")
        body.append("        if item is None or limit < 0:")
        body.append("            continue")
        body.append("        elif isinstance(item, str) and item.startswith('x'):")
        body.append("            result.append(item.upper())")
        body.append("        else:")
        body.append("            try:")
        body.extend(f"                item = {c}(item, limit - 1)" for c in calls)
        body.append("                result.append(os.fspath(str(item)))")
        body.append("            except (TypeError, ValueError) as exc:")
        body.append("                raise RuntimeError(exc) from exc")
        body.append("    return [r for r in result if r] if result else None")
        out.extend([*body, "", ""])
        names.append(name)
    out.append(f"class {tag.title()}Service:")
    for name in names[: max(1, n // 3)]:
        out.extend([f"    def call_{name}(self, value):", f"        return {name}(value, 3)", ""])
    return "\n".join(out)


def _ts_module(rng: random.Random, tag: str, n: int) -> str:
    out = ["import { readFileSync } from 'fs';", ""]
    names: list[str] = []
    for i in range(n):
        name = f"{tag}Fn{i}"
        calls = rng.sample(names, min(len(names), rng.randint(0, 3)))
        out.append(f"export function {name}(items: string[], limit: number = {i}): string[] {{")
        out.append("  const out: string[] = [];")
        out.append("  for (const item of items) {")
        out.append("    if (!item || limit < 0) { continue; }")
        out.append("    else if (item.startsWith('x') && item.length > 2) {")
        out.extend(f"      out.push(...{c}([item], limit - 1));" for c in calls)
        out.append("    } else {")
        out.append("      try { out.push(readFileSync(item, 'utf8')); } catch (e) { out.push(String(e)); }")
        out.append("    }")
        out.append("  }")
        out.append("  return out.length > 0 ? out : [];")
        out.extend(["}", ""])
        names.append(name)
    return "\n".join(out)


_PROSE = (
    "I'll look at the implementation and check how the helpers interact before changing anything. "
    "The failing case seems related to how limits propagate through the call chain. "
)


def _size(block: object) -> int:
    if isinstance(block, TextBlock):
        return len(block.text)
    if isinstance(block, ToolResultBlock):
        return len(block.text())
    if isinstance(block, ToolUseBlock):
        return len(json.dumps(block.input))
    return 0


def synthetic_request(size: int, seed: int = 0) -> Request:
    """A Claude Code-shaped request of about ``size`` characters: a system prompt, user turns, Read results of
    Python and TypeScript files (~60% of the bytes), Bash test output, fenced snippets and Edits."""
    rng = random.Random(seed)
    system = [
        TextBlock(
            ("You are a coding agent. Follow the repository conventions. " * 60)[: max(200, size // 12)]
        )
    ]
    messages = [
        user("The tests in the service package fail after the refactor; please fix the limit handling.")
    ]
    total = sum(len(b.text) for b in system) + len(messages[0].content[0].text)  # type: ignore[union-attr]
    turn = 0
    while total < size:
        turn += 1
        tool_id = f"toolu_{turn}"
        kind = rng.random()
        budget_left = size - total
        if kind < 0.55:
            n = max(1, min(14, budget_left // 900))
            if rng.random() < 0.7:
                path, code = f"/repo/svc/mod{turn}.py", _python_module(rng, f"m{turn}", n)
            else:
                path, code = f"/repo/web/mod{turn}.ts", _ts_module(rng, f"w{turn}", n)
            new = [assistant(_PROSE[: 80], ToolUseBlock(tool_id, "Read", {"file_path": path})),
                   user(ToolResultBlock(tool_id, [TextBlock(numbered(code))]))]  # fmt: skip
        elif kind < 0.75:
            log = "".join(
                f"tests/test_m{i}.py::test_case_{i} PASSED\n" for i in range(min(60, budget_left // 60))
            )
            new = [assistant(ToolUseBlock(tool_id, "Bash", {"command": "pytest -q"})),
                   user(ToolResultBlock(tool_id, [TextBlock(log + "1 failed, 12 passed")]))]  # fmt: skip
        elif kind < 0.9:
            snippet = _python_module(rng, f"s{turn}", 1)
            new = [assistant(_PROSE + f"\n```python\n{snippet}\n```\n"), user("ok, go ahead")]
        else:
            old = f"    return [r for r in result if r] if result else None  # {turn}"
            target = f"/repo/svc/mod{max(1, turn - 1)}.py"
            edit_input = {"file_path": target, "old_string": old, "new_string": old.replace("None", "[]")}
            edit = ToolUseBlock(tool_id, "Edit", edit_input)
            new = [assistant(edit), user(ToolResultBlock(tool_id, [TextBlock("The file has been updated.")]))]
        messages.extend(new)
        total += sum(_size(b) for m in new for b in m.content)
    return Request("claude-sonnet-4-5", messages, system=system)
