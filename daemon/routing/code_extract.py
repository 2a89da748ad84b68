"""Find the code a request carries, for the structural analysis in ``structure``.

Code reaches the router in four shapes, and each client spells them differently:

* fenced blocks in user or assistant text (```lang ... ```);
* file views in tool results: Claude Code's Read (``"     1\\tline"``, older
  versions ``"     1→line"``), OpenHands' ``str_replace_editor view`` ("Here's
  the result of running `cat -n` on /path:"), and Codex shell reads (``cat``,
  ``sed -n``, ``nl -ba``, ``head``, ``tail``);
* code written by the assistant in tool inputs: Write/Edit/MultiEdit,
  str_replace_editor, ``apply_patch`` bodies, unified diffs;
* file paths named in text and in tool inputs.

Everything is collected newest first under a byte budget so that a huge history
costs no more than a bounded one. The system prompt is ignored on purpose: it is
the client's instructions, identical on every request, not the user's code.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from daemon.canonical import Request, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.routing.envelope import strip_envelopes

Source = Literal["fence", "tool_result", "tool_input"]

DEFAULT_MAX_BYTES = 256 * 1024
# Text scanned for fences and paths is bounded too (a long chat with no code must stay cheap).
_SCAN_FACTOR = 4


@dataclass(frozen=True, slots=True)
class CodeUnit:
    language: str
    text: str
    path: str | None
    source: Source
    being_edited: bool = False
    fragment: bool = False
    """Part of a file (an edit string, a patch hunk, a ranged read): parse errors are expected, not signal."""


@dataclass(frozen=True, slots=True)
class Extraction:
    units: tuple[CodeUnit, ...]
    """Newest first, exact duplicates removed."""
    paths: tuple[str, ...]
    """File paths the conversation names, newest first, each once."""
    truncated: bool
    """The byte budget stopped the collection before the oldest message."""


# --------------------------------------------------------------------------- languages

EXTENSIONS: dict[str, str] = {
    "py": "python", "pyi": "python", "pyw": "python",
    "js": "javascript", "mjs": "javascript", "cjs": "javascript", "jsx": "javascript",
    "ts": "typescript", "mts": "typescript", "cts": "typescript", "tsx": "tsx",
    "go": "go", "rs": "rust", "java": "java",
    "c": "c", "h": "c",
    "cc": "cpp", "cpp": "cpp", "cxx": "cpp", "hpp": "cpp", "hh": "cpp", "hxx": "cpp", "ino": "cpp",
    "cs": "csharp", "rb": "ruby", "rake": "ruby", "gemspec": "ruby", "php": "php",
    "kt": "kotlin", "kts": "kotlin", "swift": "swift", "scala": "scala", "sc": "scala",
    "sh": "bash", "bash": "bash", "zsh": "bash", "ksh": "bash",
    "lua": "lua", "hs": "haskell", "ex": "elixir", "exs": "elixir",
    "sql": "sql", "yaml": "yaml", "yml": "yaml", "json": "json", "jsonc": "json",
    "html": "html", "htm": "html", "css": "css", "scss": "css",
}  # fmt: skip

_FENCE_TAGS: dict[str, str] = {
    **{lang: lang for lang in set(EXTENSIONS.values())},
    "py": "python", "python3": "python", "py3": "python", "pycon": "python",
    "js": "javascript", "node": "javascript", "jsx": "javascript", "mjs": "javascript",
    "ts": "typescript", "golang": "go", "rs": "rust", "c++": "cpp", "cc": "cpp", "cxx": "cpp", "hpp": "cpp",
    "h": "c", "cs": "csharp", "c#": "csharp", "rb": "ruby", "kt": "kotlin", "kts": "kotlin",
    "sh": "bash", "shell": "bash", "zsh": "bash", "hs": "haskell", "ex": "elixir", "exs": "elixir",
    "yml": "yaml", "jsonc": "json", "scss": "css", "postgresql": "sql", "mysql": "sql",
}  # fmt: skip
# Tags that say "this is not code" (program output, prose, diagrams): never guessed at.
_NOT_CODE_TAGS = frozenset(
    {"text", "txt", "plaintext", "console", "output", "log", "markdown", "md", "mermaid", "csv", "terminal"}
)
_DIFF_TAGS = frozenset({"diff", "patch", "udiff"})

# Extensions recognised in paths that name files without code we parse (still counted as paths).
_OTHER_EXTENSIONS = (
    "md", "toml", "xml", "ini", "cfg", "gradle", "proto", "tf", "vue", "svelte", "dart",
    "pl", "jl", "zig", "nim", "ml", "clj", "erl", "ipynb", "lock", "txt",
)  # fmt: skip
# A path-like token ending in ".ext"; the extension is checked against a set afterwards, which is ~2x faster
# than an alternation of 70 extensions inside the regex. Not preceded by ":" or "/" (URLs).
_PATH_RE = re.compile(r"(?<![\w/.@~:-])([\w.@+~/-]*[\w@+-]\.([A-Za-z][A-Za-z0-9+]{0,7}))(?![\w/-])")
_PATH_EXTENSIONS = frozenset({*EXTENSIONS, *_OTHER_EXTENSIONS})


def language_for_path(path: str) -> str | None:
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot + 1 :].lower())


_CPP_MARKERS = re.compile(r"\bclass\s+\w+\s*[:{]|\bnamespace\s+\w+|\btemplate\s*<|\bstd::|\w::\w")


def _language(path: str | None, text: str) -> str | None:
    """Extension first; content sniffing only when the path has no extension (Makefile, bin/run) or none."""
    if path:
        lang = language_for_path(path)
        if lang == "c" and path.endswith(".h") and _CPP_MARKERS.search(text):
            return "cpp"  # .h is shared by C and C++; the C grammar drowns a C++ header in error nodes
        if lang is not None or "." in path.rsplit("/", 1)[-1]:
            return lang  # a known non-code extension (README.md) is not guessed at
    return guess_language(text)


def _path_of(data: dict[str, Any]) -> str | None:
    return next((v for k in _PATH_KEYS if isinstance(v := data.get(k), str) and v), None)


def _paths_in(prose: str) -> list[str]:
    if "." not in prose:
        return []
    return [m.group(1) for m in _PATH_RE.finditer(prose) if m.group(2).lower() in _PATH_EXTENSIONS]


# Ordered: the first matching rule wins, so the more specific shapes come first. A rule matches when all
# its patterns do. Each pattern stays within one line ([ \t], [^\n]) with at most one unbounded run, so the
# search is linear: content sniffing runs on arbitrary tool output and must never backtrack badly.
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("python", (r"\A#![^\n]*\bpython",)),
    ("javascript", (r"\A#![^\n]*\b(?:node|deno|bun)\b",)),
    ("bash", (r"\A#![^\n]*\b(?:ba|z|k)?sh\b",)),
    ("ruby", (r"\A#![^\n]*\bruby\b",)),
    ("lua", (r"\A#![^\n]*\blua\b",)),
    ("php", (r"<\?php",)),
    ("elixir", (r"^[ \t]*defmodule[ \t]+[A-Z]",)),
    ("go", (r"^package[ \t]+\w+[ \t]*$", r"^func[ \t]")),
    ("rust", (r"^[ \t]*(?:pub(?:\(\w+\))?[ \t]+)?(?:fn|impl|struct|enum|trait|mod|use)[ \t]+\w+"
              r"[^\n]*(?:->|\{|;)$",)),
    ("cpp", (r"^#include[ \t]*[<\"]", r"std::|\bclass[ \t]|\btemplate[ \t]*<|\bnamespace[ \t]")),
    ("c", (r"^#include[ \t]*[<\"]",)),
    ("csharp", (r"^[ \t]*using[ \t]+System\b|^[ \t]*namespace[ \t]+[\w.]+[ \t]*[;{]",)),
    ("java", (r"^[ \t]*(?:import[ \t]+java\.|package[ \t]+[\w.]+;)"
              r"|\bpublic[ \t]+(?:static[ \t]+)?(?:class|void)[ \t]",)),
    ("kotlin", (r"^[ \t]*(?:fun[ \t]+\w+[ \t]*\(|val[ \t]+\w+[ \t]*[:=])",)),
    ("swift", (r"^[ \t]*import[ \t]+(?:SwiftUI|Foundation|UIKit)\b|^[ \t]*func[ \t]+\w+\([^\n]*(?:->|\{)",)),
    ("scala", (r"^[ \t]*(?:object|trait|case[ \t]+class)[ \t]+\w+"
               r"|^[ \t]*def[ \t]+\w+[^\n]*\)[ \t]*:[ \t]*\w+[ \t]*=",)),
    ("python", (r"^[ \t]*(?:async[ \t]+)?def[ \t]+\w+\([^\n]*:[ \t]*$"
                r"|^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*$"
                r"|^[ \t]*class[ \t]+\w+[^\n]*:[ \t]*$",)),
    ("ruby", (r"^[ \t]*def[ \t]+\w+[^:\n]*$", r"^[ \t]*end\b")),
    ("haskell", (r"^[ \t]*module[ \t]+[A-Z][\w.]*[ \t]+where\b|^\w+[ \t]*::[^\n]+->",)),
    ("lua", (r"^[ \t]*local[ \t]+(?:function[ \t]+)?\w+",)),
    ("lua", (r"\bthen[ \t]*$", r"^[ \t]*end\b")),
    ("typescript", (r"^[ \t]*(?:interface|type)[ \t]+\w+[^\n]*[{=]|:[ \t]*(?:string|number|boolean)\b",)),
    ("javascript", (r"^[ \t]*(?:function[ \t]*\*?[ \t]*\w*[ \t]*\(|(?:const|let|var)[ \t]+\w+[ \t]*="
                    r"|export[ \t])|=>|\brequire\(['\"]|^[ \t]*import[ \t][^\n]*[ \t]from[ \t]+['\"]",)),
    ("sql", (r"^[ \t]*(?:SELECT[ \t][^\n]*[ \t]FROM|INSERT[ \t]+INTO|CREATE[ \t]+TABLE"
             r"|UPDATE[ \t]+\w+[ \t]+SET)\b",)),
    ("bash", (r"^[ \t]*(?:if|for|while)[ \t][^\n]*;[ \t]*(?:then|do)[ \t]*$"
              r"|^[ \t]*(?:echo|export|cd|mkdir|sudo|apt-get|pip)[ \t]",)),
)  # fmt: skip
_HEURISTICS = tuple((lang, tuple(re.compile(p, re.M) for p in patterns)) for lang, patterns in _RULES)


# Program output pasted as an untagged fence (test runs, tracebacks, logs, shell sessions) is not code,
# even when it quotes some: parsed as code it is all error nodes, and error recovery is the slowest parse.
_OUTPUT_RE = re.compile(
    r"^={5,}|^_{5,}|Traceback \(most recent call last\)|^[ \t]*File \"[^\"\n]+\", line \d+"
    r"|^(?:FAILED|PASSED|E  ) |^\$ |^[ \t]+at [\w$.<>]+ ?\([^\n]*:\d+|^\d{4}-\d\d-\d\d[ T]\d\d:\d\d"
    r"|^(?:npm ERR!|panic: |error(?:\[E\d+\])?: )",
    re.M,
)


def guess_language(text: str) -> str | None:
    """Cheap content sniffing for code with neither a fence tag nor a path (first 4 KiB only)."""
    head = text[:4096]
    if not head.startswith(("#!", "<?php")) and _OUTPUT_RE.search(head):
        return None
    for lang, patterns in _HEURISTICS:
        if all(p.search(head) for p in patterns):
            return lang
    return None


# --------------------------------------------------------------------------- shapes

_FENCE_LINE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})([^\n]*)$", re.M)
_FIRST_NUMBER_RE = re.compile(r" *(\d+)[\t→]")
_NUMBERED_RE = re.compile(r"\n *\d+[\t→]")
_CAT_N_HEADER = re.compile(r"\AHere's the result of running `cat -n` on (\S+?):?\s*\n")
_REMINDER_RE = re.compile(r"<system-reminder>.*?(?:</system-reminder>|\Z)", re.S)
_READ_CMD_RE = re.compile(
    r"(?:^|&&|;|\|\|)\s*(?:cat|nl\s+-ba|head(?:\s+-n\s*\d+|\s+-\d+)?|tail(?:\s+-n\s*\+?\d+|\s+-\d+)?"
    r"|sed\s+-n\s+['\"]?\d+(?:,\d+)?p['\"]?)\s+['\"]?([^\s'\"|;&<>]+)['\"]?\s*$"
)
_SHELL_TOOLS = frozenset(
    {"bash", "shell", "exec_command", "execute_bash", "run_command", "local_shell", "terminal"}
)
_PATH_KEYS = ("file_path", "path", "notebook_path", "filename", "target_file", "file")
_CODE_KEYS = ("content", "file_text", "new_string", "new_str", "old_string", "old_str", "new_source", "code")
# Keys whose text replaces or inserts part of a file (fragments) rather than a whole file.
_FRAGMENT_KEYS = frozenset({"new_string", "new_str", "old_string", "old_str"})
_PATCH_FILE_RE = re.compile(r"^\*\*\* (Add|Update|Delete) File: (.+?)\s*$", re.M)
_DIFF_FILE_RE = re.compile(r"^\+\+\+ (?:b/)?(\S+)", re.M)


def strip_line_numbers(text: str) -> tuple[str, int] | None:
    """Drop ``cat -n``-style prefixes: (text, first line number); None unless nearly every line has one."""
    first = _FIRST_NUMBER_RE.match(text)
    if first is None:
        return None
    # Anchored on a literal newline rather than ^ with re.M: the regex engine then skips ahead to each
    # newline instead of trying every position, 2-3x faster on a 100 KB file view.
    stripped, count = _NUMBERED_RE.subn("\n", "\n" + text)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    # Tolerate a few unnumbered lines (a truncation notice); anything else is not a file view.
    if count < 0.9 * lines:
        return None
    return stripped[1:], int(first.group(1))


def split_fences(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(text outside fences, [(info string, body)] in document order); unterminated fences are not code.

    Pairs fence lines in one pass: a regex spanning opener to closer rescans the rest of the text for
    every opener that never closes, which is quadratic on hostile input.
    """
    blocks: list[tuple[str, str]] = []
    prose: list[str] = []
    opener: tuple[str, str, int, int] | None = None  # fence, info, line start, body start
    last = 0
    for match in _FENCE_LINE_RE.finditer(text):
        fence, info = match.group(1), match.group(2).strip()
        if opener is None:
            if not (fence[0] == "`" and "`" in info):  # a backtick info string cannot hold backticks
                opener = (fence, info, match.start(), match.end() + 1)
        elif fence[0] == opener[0][0] and len(fence) >= len(opener[0]) and not info:
            blocks.append((opener[1], text[opener[3] : match.start()]))
            prose.append(text[last : opener[2]])
            last, opener = match.end(), None
    prose.append(text[last:])
    return "".join(prose), blocks


def _unwrap_shell_output(text: str) -> str:
    """Codex wraps shell output as JSON {"output": ...} (older) or an "Exit code/Wall time/Output:" header."""
    if text.startswith("{") and '"output"' in text[:64]:
        try:
            data = json.loads(text)
        except ValueError:
            return text
        return data["output"] if isinstance(data, dict) and isinstance(data.get("output"), str) else text
    if text.startswith(("Exit code:", "Chunk ID:")):
        cut = text.find("\nOutput:\n")
        return text[cut + 9 :] if cut >= 0 else text
    return text


def _command_string(tool_input: dict[str, Any]) -> str:
    command = tool_input.get("command", tool_input.get("cmd"))
    if isinstance(command, list):
        # ["bash", "-lc", "cat x.py"]: the script is the last argument.
        return str(command[-1]) if command else ""
    return command if isinstance(command, str) else ""


def _patch_files(patch: str) -> Iterator[tuple[str, str, bool]]:
    """(path, text after the edit, is_fragment) per file of an apply_patch body or a unified diff."""
    headers = list(_PATCH_FILE_RE.finditer(patch))
    if headers:
        for i, header in enumerate(headers):
            if header.group(1) == "Delete":
                continue
            end = headers[i + 1].start() if i + 1 < len(headers) else len(patch)
            body = patch[header.end() : end]
            yield header.group(2), _new_side(body), header.group(1) == "Update"
        return
    files = list(_DIFF_FILE_RE.finditer(patch))
    for i, header in enumerate(files):
        end = files[i + 1].start() if i + 1 < len(files) else len(patch)
        yield header.group(1), _new_side(patch[header.end() : end]), True


def _new_side(body: str) -> str:
    # Keep context and added lines, drop removed lines and hunk markers: the code as it reads after the edit.
    out = [line[1:] for line in body.splitlines() if line[:1] in ("+", " ") and not line.startswith("+++")]
    return "\n".join(out)


# --------------------------------------------------------------------------- collection


def same_file(a: str, b: str) -> bool:
    """Paths name the same file when equal or when one is a '/'-suffix of the other (relative vs absolute)."""
    a, b = a.removeprefix("./"), b.removeprefix("./")
    if a == b:
        return True
    if len(a) < len(b):
        a, b = b, a
    return a.endswith(b) and a[-len(b) - 1] == "/"


class _Collector:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        # Paths named by the latest real user turn and written by the latest edit: met first, newest first.
        self.user_targets: list[str] | None = None
        self.edit_targets: list[str] | None = None
        self.units: list[CodeUnit] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.paths: dict[str, None] = {}
        self.size = 0
        self.scanned = 0
        self.full = False

    def add(
        self,
        lang: str | None,
        text: str,
        path: str | None,
        source: Source,
        *,
        edited: bool = False,
        fragment: bool = False,
    ) -> None:
        if self.full or lang is None or not text or text.isspace():
            return
        key = (lang, text)
        if (index := self.seen.get(key)) is not None:
            # A repeat (the same file read twice): one unit, edited if either copy is.
            if edited and not self.units[index].being_edited:
                self.units[index] = replace(self.units[index], being_edited=True)
            return
        if self.size + len(text) > self.max_bytes:
            # Never cut a unit: a cut file parses as broken code. Stop here instead.
            self.full = True
            return
        self.size += len(text)
        self.seen[key] = len(self.units)
        self.units.append(CodeUnit(lang, text, path, source, edited, fragment))

    def path(self, path: str) -> None:
        self.paths.setdefault(path.removeprefix("./"), None)

    def scan_text(self, text: str) -> list[str]:
        """Collect the fences of a text block; return the paths its prose names."""
        self.scanned += len(text)
        if self.scanned > _SCAN_FACTOR * self.max_bytes:
            self.full = True
            return []
        prose, found = split_fences(text) if "```" in text or "~~~" in text else (text, [])
        paths = _paths_in(prose)
        for path in paths:
            self.path(path)
        for info, body in reversed(found):  # newest (last) first
            tag = info.split(None, 1)[0].lower() if info else ""
            path = None
            if ":" in tag:  # ```python:src/app.py
                tag, _, path = tag.partition(":")
            elif "." in tag and tag not in _FENCE_TAGS:  # ```src/app.py
                path, tag = tag, ""
            if tag in _DIFF_TAGS:
                for file_path, new_text, fragment in _patch_files(body):
                    self.add(language_for_path(file_path), new_text, file_path, "fence", fragment=fragment)
                continue
            if tag in _NOT_CODE_TAGS:
                continue
            lang = _FENCE_TAGS.get(tag) if tag else _language(path, body)
            self.add(lang, body, path, "fence")
        return paths

    def tool_input(self, block: ToolUseBlock) -> None:
        data = block.input
        path = _path_of(data)
        if path:
            self.path(path)
        for named in _paths_in(_command_string(data)):
            self.path(named)
        writes: list[str] = [path] if path and any(k in data for k in (*_CODE_KEYS, "edits")) else []
        for key in _CODE_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value:
                fragment = key in _FRAGMENT_KEYS
                self.add(_language(path, value), value, path, "tool_input", edited=True, fragment=fragment)
        edits = data.get("edits")  # Claude Code MultiEdit
        if isinstance(edits, list):
            for edit in reversed(edits):
                for key in ("new_string", "old_string"):
                    value = edit.get(key) if isinstance(edit, dict) else None
                    if isinstance(value, str) and value:
                        self.add(
                            _language(path, value), value, path, "tool_input", edited=True, fragment=True
                        )
        for value in _strings(data):
            if "*** Begin Patch" in value:
                for file_path, new_text, fragment in _patch_files(value):
                    self.path(file_path)
                    writes.append(file_path)
                    lang = language_for_path(file_path)
                    self.add(lang, new_text, file_path, "tool_input", edited=True, fragment=fragment)
        if writes and self.edit_targets is None:
            self.edit_targets = writes

    def tool_result(self, block: ToolResultBlock, use: ToolUseBlock | None) -> None:
        if block.is_error:
            return
        text = block.text()
        if "<system-reminder>" in text:
            text = _REMINDER_RE.sub("", text)
        data = use.input if use is not None else {}
        path = _path_of(data)
        ranged = any(k in data for k in ("offset", "limit", "view_range"))
        header = _CAT_N_HEADER.match(text)
        shell_read = False
        if header:
            path = header.group(1)
            text = text[header.end() :]
        elif path is None and use is not None and (use.name.lower() in _SHELL_TOOLS or "cmd" in data):
            command = _command_string(data).strip()
            read = _READ_CMD_RE.search(command) if command else None
            if read is None:
                return  # a shell command that is not a file read: its output is not code
            path, shell_read = read.group(1), True
            ranged = not command.startswith(("cat", "nl"))
            text = _unwrap_shell_output(text)
        numbered = strip_line_numbers(text)
        if numbered is not None:
            text, first_line = numbered
            ranged = ranged or first_line > 1
        elif not (header or shell_read):
            return  # unnumbered output of a tool we do not know: not a file view we can trust
        if path:
            self.path(path)
        self.add(_language(path, text), text, path, "tool_result", fragment=ranged)


def _strings(value: Any, limit: int = 1024) -> Iterator[str]:
    """String leaves of a tool input, breadth first; iterative and bounded (inputs are client-controlled)."""
    queue = deque([value])
    while queue and limit > 0:
        item = queue.popleft()
        limit -= 1
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            queue.extend(item[:limit])
        elif isinstance(item, dict):
            queue.extend(list(item.values())[:limit])


def extract_code(request: Request, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Extraction:
    uses = {
        b.id: b
        for m in request.messages
        if m.role == "assistant"
        for b in m.content
        if isinstance(b, ToolUseBlock)
    }
    collector = _Collector(max_bytes)
    for message in reversed(request.messages):
        named: list[str] = []
        for block in reversed(message.content):
            if collector.full:
                break
            if isinstance(block, TextBlock):
                text = strip_envelopes(block.text) if message.role == "user" else block.text
                named += collector.scan_text(text)
                if message.role == "user" and text.strip() and collector.user_targets is None:
                    collector.user_targets = named  # filled by the message's remaining blocks too
            elif isinstance(block, ToolUseBlock):
                collector.tool_input(block)
            elif isinstance(block, ToolResultBlock):
                collector.tool_result(block, uses.get(block.tool_use_id))
        if collector.full:
            break
    targets = (collector.user_targets or []) + (collector.edit_targets or [])
    units = [
        replace(u, being_edited=True)
        if not u.being_edited and u.path and any(same_file(u.path, t) for t in targets)
        else u
        for u in collector.units
    ]
    return Extraction(tuple(units), tuple(collector.paths), collector.full)
