"""Graphify: finding the code in each client's request shapes (fences, tool results, edits, patches)."""

from __future__ import annotations

import json

import pytest

from daemon.canonical import TextBlock, ToolResultBlock, ToolUseBlock
from daemon.routing.code_extract import extract_code, guess_language, language_for_path, strip_line_numbers
from daemon.routing.structure import (
    analyze,
    analyze_text,
)
from tests.unit.structure_support import (
    PY_SAMPLE,
    assistant,
    numbered,
    read_exchange,
    request,
    user,
)

# --------------------------------------------------------------------------- extraction


def test_claude_code_read_strips_line_numbers_both_separators() -> None:
    for sep in ("\t", "→"):
        use = ToolUseBlock("t1", "Read", {"file_path": "/repo/src/store.py"})
        reminder = "\n\n<system-reminder>\nWhen you read a file...\n</system-reminder>"
        result = ToolResultBlock("t1", [TextBlock(numbered(PY_SAMPLE, sep=sep) + reminder)])
        req = request(user("look at store.py"), assistant(use), user(result))
        (unit,) = extract_code(req).units
        assert unit.text.rstrip("\n") == PY_SAMPLE.rstrip("\n")
        assert (unit.language, unit.path, unit.source, unit.fragment) == (
            "python", "/repo/src/store.py", "tool_result", False,
        )  # fmt: skip
        assert unit.being_edited  # the latest user turn names store.py


def test_ranged_read_is_a_fragment() -> None:
    req = request(user("hi"), *read_exchange("a/b.py", "    return 1\n", "t1", first=40, offset=40, limit=1))
    (unit,) = extract_code(req).units
    assert unit.fragment and unit.text.startswith("    return 1")


def test_openhands_cat_n_view() -> None:
    use = ToolUseBlock("c1", "str_replace_editor", {"command": "view", "path": "/workspace/app/main.go"})
    body = "Here's the result of running `cat -n` on /workspace/app/main.go:\n" + numbered(
        "package main\n\nfunc main() {\n\tif x { y() }\n}"
    )
    req = request(user("fix it"), assistant(use), user(ToolResultBlock("c1", [TextBlock(body)])))
    (unit,) = extract_code(req).units
    assert unit.language == "go" and unit.path == "/workspace/app/main.go"
    assert unit.text.startswith("package main\n")


def test_codex_shell_reads_cat_sed_and_nl() -> None:
    code = "fn main() {\n    let x = 1;\n}\n"
    cat = ToolUseBlock("s1", "shell", {"command": ["bash", "-lc", "cat src/main.rs"]})
    sed = ToolUseBlock("s2", "shell", {"command": ["bash", "-lc", "sed -n '1,40p' src/lib.rs"]})
    nl = ToolUseBlock("s3", "exec_command", {"cmd": "nl -ba src/util.rs"})
    test = ToolUseBlock("s4", "shell", {"command": ["bash", "-lc", "cargo test"]})
    req = request(
        user("go"),
        assistant(cat, sed, nl, test),
        user(
            ToolResultBlock(
                "s1", [TextBlock(json.dumps({"output": code + "// 1", "metadata": {"exit_code": 0}}))]
            ),
            ToolResultBlock(
                "s2", [TextBlock("Exit code: 0\nWall time: 0.1 seconds\nOutput:\n" + code + "// 2")]
            ),
            ToolResultBlock("s3", [TextBlock(numbered(code + "// 3"))]),
            ToolResultBlock("s4", [TextBlock("running 3 tests\ntest a ... ok\n")]),
        ),
    )
    units = extract_code(req).units
    by_path = {u.path: u for u in units}
    assert set(by_path) == {"src/main.rs", "src/lib.rs", "src/util.rs"}
    assert all(u.language == "rust" and u.text.startswith("fn main()") for u in units)
    assert by_path["src/lib.rs"].fragment and not by_path["src/main.rs"].fragment


def test_fences_with_and_without_tags() -> None:
    text = (
        "Here:\n```ts\nconst f = (x: number) => x + 1;\n```\nand\n```\ndef g(x):\n    return x\n```\n"
        "output:\n```text\nOK 3 passed\n```\n```python:src/h.py\nprint(1)\n```\n"
    )
    units = extract_code(request(user(text))).units
    assert [(u.language, u.path, u.source) for u in units] == [
        ("python", "src/h.py", "fence"),
        ("python", None, "fence"),
        ("typescript", None, "fence"),
    ]


def test_write_edit_multiedit_and_str_replace_editor_inputs() -> None:
    write = ToolUseBlock(
        "w", "Write", {"file_path": "src/new.ts", "content": "export function a() { return 1 }"}
    )
    edit = ToolUseBlock(
        "e", "Edit", {"file_path": "src/old.py", "old_string": "x = 1", "new_string": "x = 2"}
    )
    multi = ToolUseBlock(
        "m", "MultiEdit", {"file_path": "m.go", "edits": [{"old_string": "a()", "new_string": "b()"}]}
    )
    oh = ToolUseBlock(
        "o", "str_replace_editor", {"command": "create", "path": "/w/x.rb", "file_text": "def a; end"}
    )
    units = extract_code(request(user("do it"), assistant(write, edit, multi, oh))).units
    got = {(u.path, u.text, u.fragment) for u in units}
    assert ("src/new.ts", "export function a() { return 1 }", False) in got
    assert {("src/old.py", "x = 1", True), ("src/old.py", "x = 2", True)} <= got
    assert {("m.go", "a()", True), ("m.go", "b()", True), ("/w/x.rb", "def a; end", False)} <= got
    assert all(u.being_edited and u.source == "tool_input" for u in units)


def test_apply_patch_body() -> None:
    patch = (
        "*** Begin Patch\n*** Update File: pkg/a.py\n@@ def f():\n-    return 1\n+    return 2\n"
        "*** Add File: pkg/b.py\n+def g():\n+    return f()\n*** End Patch"
    )
    use = ToolUseBlock("p", "shell", {"command": ["apply_patch", patch]})
    units = extract_code(request(user("patch"), assistant(use))).units
    by_path = {u.path: u for u in units}
    assert by_path["pkg/b.py"].text == "def g():\n    return f()" and not by_path["pkg/b.py"].fragment
    assert by_path["pkg/a.py"].text == "    return 2" and by_path["pkg/a.py"].fragment


def test_paths_and_being_edited_targets() -> None:
    req = request(
        *read_exchange("/r/src/a.py", "def a():\n    return 1", "t1"),
        *read_exchange("/r/src/b.py", "def b():\n    return 2", "t2"),
        user("please refactor src/b.py and check docs/README.md"),
    )
    extraction = extract_code(req)
    edited = {u.path: u.being_edited for u in extraction.units}
    assert edited == {"/r/src/a.py": False, "/r/src/b.py": True}
    assert {"src/b.py", "docs/README.md", "/r/src/a.py"} <= set(extraction.paths)


def test_non_code_tool_output_is_ignored() -> None:
    bash = ToolUseBlock("b", "Bash", {"command": "pytest -q"})
    req = request(
        user("run"), assistant(bash), user(ToolResultBlock("b", [TextBlock("def x(): FAILED\n1 failed")]))
    )
    assert extract_code(req).units == ()


def test_apply_patch_tool_and_diff_fence() -> None:
    patch = "*** Begin Patch\n*** Add File: web/a.ts\n+export const f = (x: number) => x;\n*** End Patch"
    use = ToolUseBlock("p", "apply_patch", {"input": patch})
    diff = "```diff\n--- a/lib/b.go\n+++ b/lib/b.go\n@@ -1,2 +1,2 @@\n func b() {\n-\treturn\n+\tc()\n }\n```"
    units = extract_code(request(user("go"), assistant(diff, use))).units
    assert {(u.path, u.language, u.source) for u in units} == {
        ("web/a.ts", "typescript", "tool_input"),
        ("lib/b.go", "go", "fence"),
    }
    assert next(u for u in units if u.path == "lib/b.go").text == "func b() {\n\tc()\n}"


def test_untagged_fence_of_program_output_is_not_code() -> None:
    pytest_run = (
        "```\n============================= test session starts ==============================\n"
        "    async def test_x(db):\n        assert 1 == 2\nE   assert 1 == 2\n```"
    )
    traceback = '```\nTraceback (most recent call last):\n  File "a.py", line 3, in <module>\n    f()\n```'
    assert extract_code(request(user(pytest_run + "\n" + traceback))).units == ()


def test_cpp_header_is_not_read_as_c() -> None:
    header = "#pragma once\nnamespace r {\ntemplate <typename T> class Ring {\n public:\n  T pop();\n};\n}\n"
    (unit,) = extract_code(request(*read_exchange("include/Ring.h", header, "t1"), user("go"))).units
    assert unit.language == "cpp"
    assert analyze_text("cpp", header).error_nodes == 0


def test_latest_user_turn_only_targets_files() -> None:
    req = request(
        user("look at a.py"),
        *read_exchange("a.py", "def a():\n    return 1", "t1"),
        *read_exchange("b.py", "def b():\n    return 2", "t2"),
        user("<system-reminder>b.py changed</system-reminder>"),  # an envelope is not a user turn
    )
    edited = {u.path: u.being_edited for u in extract_code(req).units}
    assert edited == {"a.py": True, "b.py": False}


def test_hostile_inputs_stay_linear() -> None:
    # Each of these was quadratic or worse with a naive regex; they must simply finish.
    texts = ["```py\n" * 5000, "def foo\n" * 5000, "a." * 50000, "abc/" * 25000, "#include <a>\n" * 3000]
    analyze(request(*(user(t) for t in texts)))
    nested: dict[str, object] = {}
    node = nested
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]  # type: ignore[assignment]
    assert analyze(request(user("x"), assistant(ToolUseBlock("n", "Weird", nested)))).units == 0
    odd = "```python\ndef f():\n    return '\ud800' + \"\\x00\"\n```"
    assert analyze(request(user(odd))).definitions == 1


@pytest.mark.parametrize(
    ("path", "language"),
    [("a.py", "python"), ("b.tsx", "tsx"), ("c.cc", "cpp"), ("d.cs", "csharp"), ("e.kts", "kotlin"),
     ("f.exs", "elixir"), ("g.hs", "haskell"), ("h.yml", "yaml"), ("Makefile", None), ("i.md", None)],
)  # fmt: skip
def test_language_for_path(path: str, language: str | None) -> None:
    assert language_for_path(path) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("#!/usr/bin/env python3\nprint(1)", "python"),
        ("#!/bin/bash\necho hi", "bash"),
        ("import os\n\ndef f(x):\n    return x\n", "python"),
        ("package main\n\nfunc main() {}\n", "go"),
        ("fn main() -> i32 {\n    0\n}\n", "rust"),
        ("#include <stdio.h>\nint main(void) { return 0; }", "c"),
        ("#include <vector>\nstd::vector<int> v;", "cpp"),
        ("defmodule A do\nend", "elixir"),
        ("const x = require('y');\nfunction f() {}", "javascript"),
        ("interface A { b: string }", "typescript"),
        ("public class A { }", "java"),
        ("The weather is nice today.", None),
    ],
)
def test_guess_language(text: str, language: str | None) -> None:
    assert guess_language(text) == language


def test_strip_line_numbers_rejects_ordinary_text() -> None:
    assert strip_line_numbers("1 apple\n2 pears") is None
    assert strip_line_numbers(numbered("a\nb", first=7)) == ("a\nb", 7)


def test_byte_budget_truncates_newest_first() -> None:
    msgs = [
        m
        for i in range(10)
        for m in read_exchange(f"f{i}.py", f"def f{i}():\n    return {i}\n" * 50, f"t{i}")
    ]
    extraction = extract_code(request(user("go"), *msgs), max_bytes=3000)
    assert extraction.truncated
    assert [u.path for u in extraction.units] == ["f9.py", "f8.py"]
    signals = analyze(request(user("go"), *msgs), max_bytes=3000)
    assert signals.truncated and signals.units == 2
