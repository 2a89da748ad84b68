"""One code unit, read with tree-sitter: lines, syntax nodes, nesting, branches, definitions, error nodes.

A single query per language (``SPECS``) runs once per unit: one pass over the tree is what keeps the
analysis cheap (each extra QueryCursor pass costs about as much as a third of the parse). Capture names:

* ``@def.function`` / ``@def.method`` / ``@def.class`` on the definition node, ``@name`` on its name
  (the name always lies inside the definition and before any nested definition, so the two capture
  lists pair up in document order);
* ``@branch``: one decision point (if/elif/else/case/loop/catch/ternary/&&/||);
* ``@block``: a node whose nesting counts towards the nesting depth;
* ``@ref``: an identifier that may name a definition (calls, references, types).

Captures whose name starts with ``_`` only feed predicates. Grammar names follow
tree-sitter-language-pack 0.13 ("csharp", not "c_sharp").
"""

from __future__ import annotations

import textwrap
from bisect import bisect_right
from dataclasses import dataclass
from sys import intern
from typing import Literal

import tree_sitter as ts
from tree_sitter_language_pack import get_language, get_parser

Kind = Literal["function", "method", "class"]


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    qualname: str
    """Enclosing definitions joined with '.', e.g. ``Greeter.greet``."""
    kind: Kind
    start_line: int
    end_line: int
    refs: tuple[str, ...]
    """Identifiers named in this definition's own body (not in nested definitions), sorted."""


@dataclass(frozen=True, slots=True)
class UnitAnalysis:
    language: str
    lines: int
    nodes: int
    max_nesting: int
    branches: int
    error_nodes: int
    definitions: tuple[Definition, ...]


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    grammar: str
    defs: str
    branches: tuple[str, ...]
    """Named node types, one branch each."""
    tokens: tuple[str, ...]
    """Anonymous tokens, one branch each ("else", "&&", ...)."""
    blocks: tuple[str, ...]
    refs: tuple[str, ...]
    extra: str = ""
    """Raw patterns, for grammars whose operators are identifiers matched by predicate."""

    def query(self) -> str:
        parts = [self.defs]
        if self.branches:
            parts.append("[" + " ".join(f"({t})" for t in self.branches) + "] @branch")
        if self.tokens:
            parts.append("[" + " ".join(f'"{t}"' for t in self.tokens) + "] @branch")
        parts.append("[" + " ".join(f"({t})" for t in self.blocks) + "] @block")
        parts.append("[" + " ".join(f"({t})" for t in self.refs) + "] @ref")
        parts.append(self.extra)
        return "\n".join(parts)


_C_DECL = """
(function_definition declarator: (function_declarator declarator: (identifier) @name)) @def.function
(function_definition declarator: (pointer_declarator
  declarator: (function_declarator declarator: (identifier) @name))) @def.function
(function_definition declarator: (pointer_declarator declarator: (pointer_declarator
  declarator: (function_declarator declarator: (identifier) @name)))) @def.function
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @def.class
"""
_CPP_DECL = """
(function_definition declarator: (function_declarator
  declarator: [(field_identifier) (destructor_name) (operator_name)] @name)) @def.function
(function_definition declarator: (function_declarator
  declarator: (qualified_identifier
    name: [(identifier) (destructor_name) (operator_name)] @name))) @def.method
(function_definition declarator: (reference_declarator
  (function_declarator declarator: [(identifier) (field_identifier)] @name))) @def.function
(class_specifier name: (type_identifier) @name body: (field_declaration_list)) @def.class
"""
_C_BRANCHES = ("if_statement", "for_statement", "while_statement", "do_statement", "case_statement",
               "conditional_expression")  # fmt: skip
_JS_DEFS = """
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(method_definition name: [(property_identifier) (private_property_identifier)] @name) @def.method
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @def.function
"""
_JS_BRANCHES = ("if_statement", "else_clause", "for_statement", "for_in_statement", "while_statement",
                "do_statement", "switch_case", "catch_clause", "ternary_expression")  # fmt: skip
_TS_DEFS = (
    _JS_DEFS
    + """
[(class_declaration name: (type_identifier) @name) (abstract_class_declaration name: (type_identifier) @name)
 (interface_declaration name: (type_identifier) @name) (enum_declaration name: (identifier) @name)] @def.class
"""
)
_TS_REFS = ("identifier", "property_identifier", "type_identifier", "shorthand_property_identifier")

SPECS: dict[str, LanguageSpec] = {
    "python": LanguageSpec(
        "python",
        "(function_definition name: (identifier) @name) @def.function\n"
        "(class_definition name: (identifier) @name) @def.class",
        ("if_statement", "elif_clause", "else_clause", "for_statement", "while_statement", "try_statement",
         "except_clause", "conditional_expression", "match_statement", "case_clause", "for_in_clause",
         "if_clause"),
        ("and", "or"),
        ("block",),
        ("identifier",),
    ),
    "javascript": LanguageSpec(
        "javascript",
        _JS_DEFS + "(class_declaration name: (identifier) @name) @def.class",
        _JS_BRANCHES,
        ("&&", "||", "??"),
        ("statement_block", "class_body"),
        ("identifier", "property_identifier", "shorthand_property_identifier"),
    ),
    "typescript": LanguageSpec(
        "typescript", _TS_DEFS, _JS_BRANCHES, ("&&", "||", "??"),
        ("statement_block", "class_body", "interface_body"), _TS_REFS,
    ),
    "tsx": LanguageSpec(
        "tsx", _TS_DEFS, _JS_BRANCHES, ("&&", "||", "??"),
        ("statement_block", "class_body", "interface_body"), _TS_REFS,
    ),
    "go": LanguageSpec(
        "go",
        "(function_declaration name: (identifier) @name) @def.function\n"
        "(method_declaration name: (field_identifier) @name) @def.method\n"
        "(type_spec name: (type_identifier) @name type: [(struct_type) (interface_type)]) @def.class",
        ("if_statement", "for_statement", "expression_case", "type_case", "communication_case",
         "default_case", "select_statement"),
        ("else", "&&", "||"),
        ("block", "literal_value"),
        ("identifier", "field_identifier", "type_identifier"),
    ),
    "rust": LanguageSpec(
        "rust",
        "[(function_item name: (identifier) @name) (function_signature_item name: (identifier) @name)"
        " (macro_definition name: (identifier) @name)] @def.function\n"
        "[(struct_item name: (type_identifier) @name) (enum_item name: (type_identifier) @name)"
        " (trait_item name: (type_identifier) @name) (union_item name: (type_identifier) @name)] @def.class\n"
        "(impl_item type: [(type_identifier) @name (generic_type type: (type_identifier) @name)]) @def.class",
        ("if_expression", "else_clause", "match_arm", "for_expression", "while_expression",
         "loop_expression"),
        ("&&", "||"),
        ("block", "declaration_list", "match_block"),
        ("identifier", "field_identifier", "type_identifier"),
    ),
    "java": LanguageSpec(
        "java",
        "[(method_declaration name: (identifier) @name) (constructor_declaration name: (identifier) @name)]"
        " @def.method\n"
        "[(class_declaration name: (identifier) @name) (interface_declaration name: (identifier) @name)"
        " (enum_declaration name: (identifier) @name) (record_declaration name: (identifier) @name)]"
        " @def.class",
        ("if_statement", "for_statement", "enhanced_for_statement", "while_statement", "do_statement",
         "switch_label", "catch_clause", "ternary_expression"),
        ("else", "&&", "||"),
        ("block", "class_body", "constructor_body", "interface_body", "switch_block"),
        ("identifier", "type_identifier"),
    ),
    "c": LanguageSpec(
        "c", _C_DECL, _C_BRANCHES, ("else", "&&", "||"), ("compound_statement", "field_declaration_list"),
        ("identifier", "field_identifier", "type_identifier"),
    ),
    "cpp": LanguageSpec(
        "cpp", _C_DECL + _CPP_DECL, (*_C_BRANCHES, "for_range_loop", "catch_clause"), ("else", "&&", "||"),
        ("compound_statement", "field_declaration_list", "declaration_list"),
        ("identifier", "field_identifier", "type_identifier", "namespace_identifier"),
    ),
    "csharp": LanguageSpec(
        "csharp",
        "[(method_declaration name: (identifier) @name) (constructor_declaration name: (identifier) @name)]"
        " @def.method\n"
        "(local_function_statement name: (identifier) @name) @def.function\n"
        "[(class_declaration name: (identifier) @name) (interface_declaration name: (identifier) @name)"
        " (struct_declaration name: (identifier) @name) (record_declaration name: (identifier) @name)"
        " (enum_declaration name: (identifier) @name)] @def.class",
        ("if_statement", "for_statement", "foreach_statement", "while_statement", "do_statement",
         "switch_section", "catch_clause", "conditional_expression", "switch_expression_arm"),
        ("else", "&&", "||", "??"),
        ("block", "declaration_list", "switch_body"),
        ("identifier",),
    ),
    "ruby": LanguageSpec(
        "ruby",
        "[(method name: (_) @name) (singleton_method name: (_) @name)] @def.method\n"
        "[(class name: [(constant) @name (scope_resolution name: (constant) @name)])"
        " (module name: [(constant) @name (scope_resolution name: (constant) @name)])] @def.class",
        ("if", "elsif", "else", "unless", "while", "until", "for", "when", "rescue", "conditional",
         "if_modifier", "unless_modifier", "while_modifier", "until_modifier"),
        ("&&", "||", "and", "or"),
        ("body_statement", "then", "do", "do_block", "block"),
        ("identifier", "constant"),
    ),
    "php": LanguageSpec(
        "php",
        "(function_definition name: (name) @name) @def.function\n"
        "(method_declaration name: (name) @name) @def.method\n"
        "[(class_declaration name: (name) @name) (interface_declaration name: (name) @name)"
        " (trait_declaration name: (name) @name) (enum_declaration name: (name) @name)] @def.class",
        ("if_statement", "else_if_clause", "else_clause", "for_statement", "foreach_statement",
         "while_statement", "do_statement", "case_statement", "catch_clause", "conditional_expression",
         "match_conditional_expression"),
        ("&&", "||", "and", "or", "??"),
        ("compound_statement", "declaration_list", "switch_block"),
        ("name",),
    ),
    "kotlin": LanguageSpec(
        "kotlin",
        "(function_declaration (simple_identifier) @name) @def.function\n"
        "[(class_declaration (type_identifier) @name) (object_declaration (type_identifier) @name)]"
        " @def.class",
        ("if_expression", "for_statement", "while_statement", "do_while_statement", "when_entry",
         "catch_block"),
        ("else", "&&", "||", "?:"),
        ("class_body", "function_body", "control_structure_body", "lambda_literal"),
        ("simple_identifier", "type_identifier"),
    ),
    "swift": LanguageSpec(
        "swift",
        "(function_declaration name: (simple_identifier) @name) @def.function\n"
        '[(init_declaration "init" @name) (protocol_function_declaration name: (simple_identifier) @name)]'
        " @def.method\n"
        "[(class_declaration name: [(type_identifier) @name (user_type (type_identifier) @name)])"
        " (protocol_declaration name: (type_identifier) @name)] @def.class",
        ("if_statement", "guard_statement", "for_statement", "while_statement", "repeat_while_statement",
         "switch_entry", "catch_block", "ternary_expression", "else"),
        ("&&", "||", "??"),
        ("statements", "class_body", "protocol_body", "enum_class_body"),
        ("simple_identifier", "type_identifier"),
    ),
    "scala": LanguageSpec(
        "scala",
        "[(function_definition name: (identifier) @name) (function_declaration name: (identifier) @name)]"
        " @def.function\n"
        "[(class_definition name: (identifier) @name) (object_definition name: (identifier) @name)"
        " (trait_definition name: (identifier) @name) (enum_definition name: (identifier) @name)] @def.class",
        ("if_expression", "for_expression", "while_expression", "case_clause", "catch_clause"),
        ("else",),
        ("block", "template_body", "case_block", "indented_block"),
        ("identifier", "type_identifier"),
        '((operator_identifier) @branch (#any-of? @branch "&&" "||"))',
    ),
    "bash": LanguageSpec(
        "bash",
        "(function_definition name: (word) @name) @def.function",
        ("if_statement", "elif_clause", "else_clause", "for_statement", "c_style_for_statement",
         "while_statement", "case_item"),
        ("&&", "||"),
        ("compound_statement", "do_group", "if_statement", "case_statement", "subshell"),
        ("command_name",),
    ),
    "lua": LanguageSpec(
        "lua",
        "[(function_declaration name: (identifier) @name)"
        " (function_declaration name: (dot_index_expression field: (identifier) @name))] @def.function\n"
        "(function_declaration name: (method_index_expression method: (identifier) @name)) @def.method\n"
        "(assignment_statement (variable_list name: (identifier) @name)"
        " (expression_list value: (function_definition))) @def.function",
        ("if_statement", "elseif_statement", "else_statement", "for_statement", "while_statement",
         "repeat_statement"),
        ("and", "or"),
        ("block",),
        ("identifier",),
    ),
    "haskell": LanguageSpec(
        "haskell",
        "(function name: (variable) @name) @def.function\n"
        "(declarations (bind name: (variable) @name) @def.function)\n"
        "[(data_type name: (name) @name) (newtype name: (name) @name) (class name: (name) @name)] @def.class",
        ("conditional", "guards", "alternative", "multi_way_if"),
        (),
        ("function", "bind", "do", "alternatives", "local_binds", "let_in", "lambda"),
        ("variable", "name", "constructor"),
        '((operator) @branch (#any-of? @branch "&&" "||"))',
    ),
    "elixir": LanguageSpec(
        "elixir",
        "((call target: (identifier) @_kw (arguments [(call target: (identifier) @name) (identifier) @name"
        " (binary_operator left: (call target: (identifier) @name))]))"
        ' (#any-of? @_kw "def" "defp" "defmacro" "defmacrop" "defguard" "defdelegate")) @def.function\n'
        '((call target: (identifier) @_kw (arguments (alias) @name)) (#any-of? @_kw "defmodule" "defprotocol"'
        ' "defimpl")) @def.class',
        ("stab_clause", "else_block", "rescue_block"),
        ("&&", "||", "and", "or"),
        ("do_block", "else_block", "stab_clause", "anonymous_function"),
        ("identifier", "alias"),
        '((call target: (identifier) @branch) (#any-of? @branch "if" "unless" "case" "cond" "with" "for"'
        ' "try" "receive"))',
    ),
}  # fmt: skip


# --------------------------------------------------------------------------- grammars


class _Grammars:
    """Parser and compiled query per language, built on first use.

    Compiling a query walks the grammar's parse tables: 0.3 ms (Lua) to 65 ms (C++), ~250 ms for all
    19 languages. Call ``preload`` at daemon start so that no request pays it.

    The one piece of module state: bounded by ``SPECS`` (one entry per language) and never shrinks.
    Parsers are not thread-safe; the daemon analyses on its event loop thread only.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[ts.Parser, ts.Query]] = {}

    def get(self, language: str) -> tuple[ts.Parser, ts.Query]:
        entry = self._loaded.get(language)
        if entry is None:
            spec = SPECS[language]
            grammar = get_language(spec.grammar)  # type: ignore[arg-type]
            entry = (get_parser(spec.grammar), ts.Query(grammar, spec.query()))  # type: ignore[arg-type]
            self._loaded[language] = entry
        return entry


_GRAMMARS = _Grammars()


def preload(languages: tuple[str, ...] = tuple(SPECS)) -> None:
    """Load grammars and compile queries ahead of the first request (daemon start-up)."""
    for language in languages:
        _GRAMMARS.get(language)


# --------------------------------------------------------------------------- one unit


def count_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def size_only(language: str, text: str) -> UnitAnalysis:
    return UnitAnalysis(language, count_lines(text), 0, 0, 0, 0, ())


def _prepare(language: str, text: str) -> tuple[bytes, int]:
    """The bytes to parse and the rows added in front of the text."""
    if language == "python" and text[:1] in (" ", "\t"):
        text = textwrap.dedent(text)  # an indented fragment would be one big IndentationError
    elif language == "php" and "<?php" not in text[:256]:
        return ("<?php\n" + text).encode("utf-8", "surrogatepass"), 1  # untagged PHP parses as HTML
    return text.encode("utf-8", "surrogatepass"), 0


def analyze_text(language: str, text: str) -> UnitAnalysis:
    """Parse one unit and read its structure. Languages without a query get a size-only analysis."""
    if language not in SPECS:
        return size_only(language, text)
    src, row_offset = _prepare(language, text)
    tree = _GRAMMARS.get(language)[0].parse(src)
    return _read(language, count_lines(text), tree, src, row_offset)


class SlicedParse:
    """A parse spread over several calls, for a unit larger than one call's parse budget.

    tree-sitter halts when the progress callback says so and, called again, resumes where it stopped:
    the slices add up to one full parse, so a big file costs each request a bounded slice instead of
    being either skipped for ever or parsed at once. Holds its own parser (the shared ones are reset by
    every other parse) and the source bytes until it finishes.
    """

    def __init__(self, language: str, text: str) -> None:
        self.language = language
        self.lines = count_lines(text)
        self.src, self.row_offset = _prepare(language, text)
        self.parser = ts.Parser(get_language(SPECS[language].grammar))  # type: ignore[arg-type]
        self.offset = 0

    def advance(self, allowance: int) -> UnitAnalysis | None:
        """Parse about ``allowance`` more bytes: the analysis once the whole unit is parsed, else None."""
        stop = self.offset + allowance
        src = self.src

        def progress(offset: int, _has_error: bool) -> bool:
            self.offset = max(self.offset, offset)
            return offset > stop

        try:
            # Progress callbacks only apply to a read callback, not to a bytes source.
            tree = self.parser.parse(lambda at, _: src[at : at + 65536], progress_callback=progress)
        except ValueError:  # halted; the parser keeps its state for the next call
            return None
        self.offset = len(src)
        return _read(self.language, self.lines, tree, src, self.row_offset)


def _read(language: str, lines: int, tree: ts.Tree, src: bytes, row_offset: int) -> UnitAnalysis:
    root = tree.root_node
    caps = ts.QueryCursor(_GRAMMARS.get(language)[1]).captures(root)
    return UnitAnalysis(
        language,
        lines,
        root.descendant_count,
        _max_nesting(caps.get("block", ())),
        len(caps.get("branch", ())),
        _count_errors(root) if root.has_error else 0,
        _definitions(caps, src, row_offset),
    )


def _count_errors(root: ts.Node) -> int:
    # ERROR and MISSING nodes, descending only into subtrees that contain one: a few nodes on mostly valid
    # code, and ~8x cheaper than a second query even on badly broken code (no extra query to compile).
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        count += node.is_error or node.is_missing
        stack.extend(c for c in node.children if c.has_error or c.is_missing)
    return count


def _max_nesting(blocks: list[ts.Node]) -> int:
    # Sweep the block spans in document order with a stack of open ends: O(n log n) on blocks only,
    # instead of a Python walk over every node.
    spans = sorted((n.start_byte, -n.end_byte) for n in blocks)
    open_ends: list[int] = []
    deepest = 0
    for start, neg_end in spans:
        while open_ends and open_ends[-1] <= start:
            open_ends.pop()
        open_ends.append(-neg_end)
        deepest = max(deepest, len(open_ends))
    return deepest


def _definitions(caps: dict[str, list[ts.Node]], src: bytes, row_offset: int) -> tuple[Definition, ...]:
    found: dict[tuple[int, int], tuple[Kind, int, int]] = {}
    for kind in ("function", "method", "class"):
        for node in caps.get("def." + kind, ()):
            found.setdefault((node.start_byte, node.end_byte), (kind, node.start_point[0], node.end_point[0]))
    if not found:
        return ()
    spans = sorted(found, key=lambda s: (s[0], -s[1]))
    names = sorted({(n.start_byte, n.end_byte) for n in caps.get("name", ())})
    # Pair each definition with the first unclaimed name inside it (names precede nested definitions).
    defs: list[tuple[int, int, Kind, int, int, str]] = []
    j = 0
    for start, end in spans:
        while j < len(names) and names[j][0] < start:
            j += 1
        if j < len(names) and names[j][1] <= end:
            kind, row, end_row = found[(start, end)]
            defs.append(
                (start, end, kind, row, end_row, src[names[j][0] : names[j][1]].decode("utf-8", "replace"))
            )
            j += 1
    # Innermost definition per byte range, as sorted boundaries, so that each reference is attributed
    # with one bisect (captures do not come in document order; sorting thousands of them costs more).
    bounds, owners = [0], [-1]
    stack: list[int] = []
    quals: list[str] = []
    kinds: list[Kind] = []
    for i, (start, _, kind, _, _, name) in enumerate(defs):
        while stack and defs[stack[-1]][1] <= start:
            bounds.append(defs[stack.pop()][1])
            owners.append(stack[-1] if stack else -1)
        parent = stack[-1] if stack else -1
        if parent >= 0 and kinds[parent] == "class" and kind == "function":
            kind = "method"
        quals.append(f"{quals[parent]}.{name}" if parent >= 0 else name)
        kinds.append(kind)
        bounds.append(start)
        owners.append(i)
        stack.append(i)
    while stack:
        bounds.append(defs[stack.pop()][1])
        owners.append(stack[-1] if stack else -1)
    owned: list[set[bytes]] = [set() for _ in defs]
    for node in caps.get("ref", ()):
        start = node.start_byte
        owner = owners[bisect_right(bounds, start) - 1]
        if owner >= 0:
            # Slice the source rather than node.text: a tree parsed from a read callback (SlicedParse)
            # would call it back for every node.
            owned[owner].add(src[start : node.end_byte])
    out: list[Definition] = []
    for i, (_, _, _, row, end_row, name) in enumerate(defs):
        # Interned and stored as a tuple: a frozenset per definition made the cache ~4x its source in memory.
        refs = tuple(sorted({intern(r.decode("utf-8", "replace")) for r in owned[i]} - {name}))
        lines = (row + 1 - row_offset, end_row + 1 - row_offset)
        out.append(Definition(intern(name), quals[i], kinds[i], *lines, refs))
    return tuple(out)
