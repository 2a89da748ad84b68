"""Graphify: code extraction from each client's request shapes, per-language structure, the definition graph,
budgets and the cache.

Timings are not asserted here; ``python -m tests.unit.test_structure`` prints analyze() times on synthetic
2/20/200 KB requests, cold and warm.
"""

from __future__ import annotations

import json
import random
import statistics
import time

import pytest

from daemon.canonical import Message, Request, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.routing.code_extract import extract_code, guess_language, language_for_path, strip_line_numbers
from daemon.routing.structure import (
    StructuralSignals,
    StructureCache,
    analyze,
    analyze_text,
    preload,
)
from daemon.routing.structure_syntax import SPECS

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


# --------------------------------------------------------------------------- per language

LANGUAGE_SAMPLES: dict[str, tuple[str, set[str], int]] = {
    # language: (source, expected qualified definitions, minimum branches)
    "python": (PY_SAMPLE, {"Store", "Store.__init__", "Store.load", "main"}, 6),
    "javascript": (
        "class A { m(x) { if (x && y) { return f(x); } else { return 0; } } }\n"
        "function f(n) { for (const i of n) { if (i || j) return i; } }\nconst g = (x) => f(x);",
        {"A", "A.m", "f", "g"}, 6,
    ),
    "typescript": (
        "interface S { a(): number }\nclass A implements S { a(): number { return x ? 1 : 2; } }\n"
        "function f(s: S): number { if (s) { return s.a(); } return 0; }",
        {"S", "A", "A.a", "f"}, 2,
    ),
    "go": (
        "package p\ntype T struct{}\nfunc (t *T) M(x int) int {\n"
        "\tif x > 0 && t != nil {\n\t\treturn h(x)\n\t}\n"
        "\tswitch x {\n\tcase 1:\n\t\treturn 1\n\t}\n\treturn 0\n}\nfunc h(x int) int { for { return x } }",
        {"T", "M", "h"}, 4,
    ),
    "rust": (
        "struct S;\nimpl S {\n    fn m(&self, x: i32) -> i32 {\n"
        "        match x { 0 => 1, _ => helper(x) }\n    }\n}\n"
        "fn helper(x: i32) -> i32 { if x > 1 && x < 9 { x } else { 0 } }",
        {"S", "S.m", "helper"}, 5,
    ),
    "java": (
        "class A {\n  int m(int x) {\n    if (x > 0 || x < -5) { return f(x); }\n"
        "    for (int i = 0; i < x; i++) {}\n"
        "    try { g(); } catch (Exception e) {}\n    return 0;\n  }\n  static int f(int x) { return x; }\n}",
        {"A", "A.m", "A.f"}, 4,
    ),
    "c": (
        "struct s { int a; };\nstatic int f(int x) {\n"
        "  if (x) { return g(x); } else if (x > 2) { return 1; }\n"
        "  while (x--) {}\n  return x ? 1 : 0;\n}\n"
        "char *g(int y) { switch (y) { case 1: return 0; } return 0; }",
        {"s", "f", "g"}, 6,
    ),
    "cpp": (
        "namespace n {\nclass A {\n public:\n"
        "  int m(int x) { for (auto v : xs) { if (v) return f(v); } return 0; }\n};\n"
        "int A::k() { return 1; }\nint f(int x) { try { return x; } catch (...) { return 0; } }\n}",
        {"A", "A.m", "k", "f"}, 3,
    ),
    "csharp": (
        "class A {\n  public int M(int x) {\n    if (x > 0 && x < 4) { return F(x); }\n"
        "    foreach (var y in Xs) {}\n"
        "    return x ?? 0;\n  }\n  static int F(int x) => x;\n}",
        {"A", "A.M", "A.F"}, 3,
    ),
    "ruby": (
        "class A\n  def m(x)\n    if x && y\n      f(x)\n    elsif z\n      1\n"
        "    else\n      2\n    end\n  end\nend\n"
        "def f(n)\n  n.each do |i|\n    return i unless i\n  end\nend",
        {"A", "A.m", "f"}, 5,
    ),
    "php": (
        "<?php\nclass A {\n  public function m($x) {\n    if ($x && $y) { return f($x); }\n"
        "    foreach ($xs as $v) {}\n    return 0;\n  }\n}\nfunction f($n) { return $n ?: 0; }",
        {"A", "A.m", "f"}, 3,
    ),
    "kotlin": (
        "class A {\n    fun m(x: Int): Int {\n        if (x > 0 && x < 5) { return f(x) }\n"
        "        return when (x) { 1 -> 2\n            else -> 3 }\n    }\n}\nfun f(x: Int): Int = x",
        {"A", "A.m", "f"}, 4,
    ),
    "swift": (
        "class A {\n    func m(x: Int) -> Int {\n        if x > 0 && x < 5 { return f(x) }\n"
        "        guard x > 1 else { return 0 }\n        return x\n    }\n}\n"
        "func f(_ x: Int) -> Int { return x }",
        {"A", "A.m", "f"}, 3,
    ),
    "scala": (
        "class A {\n  def m(x: Int): Int = {\n    if (x > 0 && x < 4) f(x) else 0\n  }\n}\n"
        "object B { def f(x: Int): Int = x match { case 1 => 1 case _ => 2 } }",
        {"A", "A.m", "B", "B.f"}, 5,
    ),
    "bash": (
        "f() {\n  if [ -n \"$1\" ] && true; then\n    g \"$1\"\n  fi\n}\n"
        "g() {\n  for x in a b; do echo $x; done\n}\nf a",
        {"f", "g"}, 3,
    ),
    "lua": (
        "local M = {}\nfunction M.f(x)\n  if x and y then return g(x) else return 0 end\nend\n"
        "local function g(n) for i = 1, n do end return n end\nreturn M",
        {"f", "g"}, 4,
    ),
    "haskell": (
        "module M where\ndata T = T Int\nf :: Int -> Int\nf x\n  | x > 0 && x < 5 = g x\n  | otherwise = 0\n"
        "g :: Int -> Int\ng n = if n > 1 then n else 0",
        {"T", "f", "g"}, 3,
    ),
    "elixir": (
        "defmodule M do\n  def f(x) do\n    if x && y do\n      g(x)\n    else\n      0\n    end\n  end\n"
        "  defp g(n), do: case n do\n    1 -> 1\n    _ -> 2\n  end\nend",
        {"M", "M.f", "M.g"}, 5,
    ),
}  # fmt: skip


def test_languages_have_queries() -> None:
    assert len(SPECS) >= 19
    preload()  # every grammar loads and every query compiles


@pytest.mark.parametrize("language", sorted(LANGUAGE_SAMPLES))
def test_definitions_and_branches_per_language(language: str) -> None:
    source, expected, min_branches = LANGUAGE_SAMPLES[language]
    analysis = analyze_text(language, source)
    assert {d.qualname for d in analysis.definitions} == expected
    assert analysis.branches >= min_branches
    assert analysis.error_nodes == 0
    assert analysis.max_nesting >= 1
    assert analysis.nodes > 10


def test_python_details() -> None:
    analysis = analyze_text("python", PY_SAMPLE)
    defs = {d.qualname: d for d in analysis.definitions}
    assert (
        defs["Store.load"].kind == "method"
        and defs["main"].kind == "function"
        and defs["Store"].kind == "class"
    )
    assert (defs["Store.load"].start_line, defs["Store.load"].end_line) == (8, 17)
    assert {"Store", "load"} <= set(defs["main"].refs)
    assert analysis.max_nesting == 5  # class > def > for > except > if (block nodes)
    # if, for, try, except, if, or
    assert analysis.branches == 6


def test_broken_code_counts_errors_without_raising() -> None:
    assert analyze_text("python", "def f(:\n    return (1,\n").error_nodes > 0
    assert analyze_text("javascript", "function f( { if (x { }").error_nodes > 0
    req = request(user("why does this fail?\n```python\ndef broken(:\n    pass\n```"))
    assert analyze(req).error_nodes > 0


def test_edit_fragments_do_not_count_as_broken() -> None:
    edit = ToolUseBlock(
        "e", "Edit", {"file_path": "a.js", "old_string": "  if (x) {\n    y();", "new_string": "}"}
    )
    assert analyze(request(user("go"), assistant(edit))).error_nodes == 0


def test_size_only_languages_are_not_parsed() -> None:
    req = request(user('```json\n{"a": [1, 2]}\n```\n```yaml\na: 1\nb: 2\n```'))
    signals = analyze(req)
    assert signals.units == 2 and signals.total_lines == 3 and signals.syntax_nodes == 0
    assert set(signals.languages) == {"json", "yaml"}


# --------------------------------------------------------------------------- graph


def test_god_node_and_blast_radius_on_a_known_graph() -> None:
    # hub() is called by 7 functions; a chain c1 -> c2 -> c3 -> leaf. Editing leaf: blast 3.
    callers = "\n".join(f"def user{i}():\n    return hub({i})\n" for i in range(7))
    app = f"def hub(x):\n    return x\n\n{callers}\n" + (
        "def c1():\n    return c2()\n\ndef c2():\n    return c3()\n\ndef c3():\n    return leaf()\n"
    )
    util = "def leaf():\n    return 42\n"
    edit = ToolUseBlock(
        "e1", "Edit", {"file_path": "util.py", "old_string": util, "new_string": util.replace("42", "43")}
    )
    req = request(
        *read_exchange("/p/app.py", app, "r1"),
        *read_exchange("/p/util.py", util, "r2"),
        user("make leaf return 43"),
        assistant(edit),
    )
    s = analyze(req)
    assert s.definitions == 12  # hub, user0..6, c1, c2, c3 in app.py; leaf in util.py (views merge)
    assert s.edges == 7 + 3
    assert (s.god_nodes, s.god_names) == (1, ("hub",))
    assert s.blast_count == 3
    assert s.blast_radius == pytest.approx(3 / 12)
    # components: {hub, user0..6} and {c1, c2, c3, leaf}
    assert s.communities == 2
    assert s.mean_cohesion == pytest.approx((7 / 28 + 3 / 6) / 2, abs=1e-3)
    assert s.languages == ("python",)


def test_edit_inside_a_function_seeds_its_enclosing_definition() -> None:
    app = "def a():\n    return b()\n\ndef b():\n    x = 1\n    return x\n\ndef c():\n    return 0\n"
    edit = ToolUseBlock(
        "e1", "Edit", {"file_path": "/p/app.py", "old_string": "    x = 1", "new_string": "    x = 2"}
    )
    req = request(*read_exchange("/p/app.py", app, "r1"), user("change x"), assistant(edit))
    s = analyze(req)
    assert s.blast_count == 1  # a() calls b(), which holds the edit; c() is untouched


def test_user_named_file_is_the_edit_target() -> None:
    lib = "def core():\n    return 1\n"
    app = "def api():\n    return core()\n\ndef cli():\n    return api()\n"
    req = request(
        *read_exchange("src/lib.py", lib, "r1"),
        *read_exchange("src/app.py", app, "r2"),
        user("optimise lib.py"),
    )
    s = analyze(req)
    assert (s.definitions, s.edges, s.blast_count) == (3, 2, 2)


def test_ambiguous_names_do_not_link_across_files() -> None:
    units = [f"def run():\n    return 1\n\ndef helper{i}():\n    return run()\n" for i in range(5)]
    msgs = [m for i, code in enumerate(units) for m in read_exchange(f"m{i}.py", code, f"t{i}")]
    s = analyze(request(user("x"), *msgs))
    assert s.edges == 5  # each helper links to its own file's run(), never to the other four


def test_cross_language_request_and_empty_request() -> None:
    req = request(user("```go\nfunc a() { b() }\nfunc b() {}\n```\n```rust\nfn c() { d() }\nfn d() {}\n```"))
    s = analyze(req)
    assert set(s.languages) == {"go", "rust"} and s.edges == 2
    empty = analyze(request(user("hello")))
    assert empty == StructuralSignals(parse_ms=empty.parse_ms, tree_sitter_ms=empty.tree_sitter_ms)


# --------------------------------------------------------------------------- cache and budgets


def test_cache_hits_on_repeat() -> None:
    cache = StructureCache()
    req = request(*read_exchange("a.py", PY_SAMPLE, "t1"), user("```go\nfunc x() {}\n```"))
    first = analyze(req, cache)
    second = analyze(req, cache)
    assert (first.cache_hits, second.cache_hits) == (0, 2)
    assert (cache.hits, cache.misses, len(cache)) == (2, 2, 2)
    assert second.definitions == first.definitions and second.max_nesting == first.max_nesting


def test_cache_evicts_by_size_and_entries() -> None:
    cache = StructureCache(max_entries=3, max_source_bytes=1000)
    analysis = analyze_text("python", "x = 1")
    for i in range(3):
        cache.put(StructureCache.key("python", str(i)), analysis, 400)
    assert len(cache) == 2 and cache.source_bytes == 800 and cache.evictions == 1
    assert cache.get(StructureCache.key("python", "0")) is None  # the oldest went first
    cache.put(StructureCache.key("python", "big"), analysis, 5000)  # larger than the whole cache: not kept
    assert len(cache) == 2
    small = StructureCache(max_entries=2)
    for i in range(5):
        small.put(StructureCache.key("python", str(i)), analysis, 1)
    assert len(small) == 2 and small.get(StructureCache.key("python", "4")) is not None


def test_parse_budget_defers_then_the_cache_catches_up() -> None:
    msgs = [
        m for i in range(6) for m in read_exchange(f"f{i}.py", f"def f{i}():\n    return {i}\n" * 40, f"t{i}")
    ]
    req = request(user("go"), *msgs)
    cache = StructureCache()
    first = analyze(req, cache, parse_budget=2000)
    assert first.deferred > 0 and first.truncated and first.units == 6
    rounds = 1
    while analyze(req, cache, parse_budget=2000).deferred:
        rounds += 1
    assert rounds < 6
    final = analyze(req, cache, parse_budget=2000)
    assert final.deferred == 0 and final.cache_hits == 6 and not final.truncated
    assert final.definitions == analyze(req, parse_budget=1 << 30).definitions


def test_a_unit_over_budget_is_parsed_in_slices_across_calls() -> None:
    big = "\n\n".join(
        f"def f{i}(x):\n    if x > {i}:\n        return f{i + 1}(x)\n    return x" for i in range(300)
    )
    req = request(*read_exchange("big.py", big, "t1"), user("go"))
    full = analyze(req, parse_budget=1 << 30)
    assert analyze(req, parse_budget=4096).deferred == 1  # no cache: nowhere to keep a parse in progress
    cache = StructureCache()
    calls = [analyze(req, cache, parse_budget=4096) for _ in range(len(big) // 4096 + 2)]
    done = next(i for i, s in enumerate(calls) if not s.deferred)
    assert done >= len(big) // 4096 - 1  # it took several calls, each parsing one slice
    assert (calls[done].definitions, calls[done].edges, calls[done].max_nesting) == (
        full.definitions, full.edges, full.max_nesting,
    )  # fmt: skip
    assert calls[-1].cache_hits == 1


def test_the_edited_file_is_parsed_even_over_budget() -> None:
    big = PY_SAMPLE * 20
    context = read_exchange("big.py", big, "t1")
    assert analyze(request(*context, user("go")), parse_budget=10).deferred == 1  # context waits
    s = analyze(request(*context, user("fix big.py")), parse_budget=10)  # the file being edited does not
    assert s.deferred == 0 and s.definitions > 0


def test_synthetic_requests_analyse_without_errors() -> None:
    for size in (2_000, 20_000, 200_000):
        req = synthetic_request(size, seed=size)
        s = analyze(req, parse_budget=1 << 30)
        assert s.units > 0 and s.definitions > 0 and s.edges > 0 and s.error_nodes == 0
        assert len(s.languages) >= 1 and s.total_lines > 10


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


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def report_timings(runs: int = 40) -> None:  # pragma: no cover - a measurement, not a test
    """analyze() on synthetic requests: cold (empty cache, grammars loaded), the same request again with the
    default parse budget (the cache holds what the first call parsed), and fully warm (all units cached)."""
    started = time.perf_counter()
    preload()
    print(f"preload (19 grammars + queries): {(time.perf_counter() - started) * 1000:.1f} ms")
    for size in (2_000, 20_000, 200_000):
        reqs = [synthetic_request(size, seed=s) for s in range(runs)]
        rows: dict[str, list[float]] = {"cold, no budget": [], "cold": [], "second call": [], "warm": []}
        for req in reqs:
            for label, cache, budget in (
                ("cold, no budget", StructureCache(), 1 << 30),
                ("cold", (shared := StructureCache()), None),
                ("second call", shared, None),
            ):
                t = time.perf_counter()
                analyze(req, cache, parse_budget=budget)
                rows[label].append((time.perf_counter() - t) * 1000)
            full = StructureCache()
            analyze(req, full, parse_budget=1 << 30)
            t = time.perf_counter()
            s = analyze(req, full)
            rows["warm"].append((time.perf_counter() - t) * 1000)
        code = statistics.mean(sum(len(u.text) for u in extract_code(r).units) for r in reqs) / 1024
        print(f"{size // 1000} KB requests ({code:.1f} KiB of code, {s.units} units, {s.definitions} defs):")
        for label, samples in rows.items():
            print(f"    {label:16} p50 {statistics.median(samples):6.2f} ms   p95 {_p95(samples):6.2f} ms")


if __name__ == "__main__":  # pragma: no cover
    report_timings()
