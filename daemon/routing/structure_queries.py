"""Per-language tree-sitter queries for ``structure``: what a definition, a branch, a block and a name are.

One query per language, run once per unit: a single pass over the tree is what keeps the analysis
cheap (each extra QueryCursor pass costs about as much as a third of the parse). Capture names:

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

from dataclasses import dataclass


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

# Languages counted for size only: their "structure" (a config file, a stylesheet) says little about a task.
SIZE_ONLY = frozenset({"sql", "yaml", "json", "html", "css"})
