"""Graphify: per-language structure and the definition graph (god nodes, communities, blast radius)."""

from __future__ import annotations

import pytest

from daemon.canonical import ToolUseBlock
from daemon.routing.structure import (
    StructuralSignals,
    analyze,
    analyze_text,
    preload,
)
from daemon.routing.structure_syntax import SPECS
from tests.unit.structure_support import (
    PY_SAMPLE,
    assistant,
    read_exchange,
    request,
    user,
)

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
