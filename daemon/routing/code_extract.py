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
_PATH_RE = re.compile(
    r"(?<![\w/.@-])((?:~|\.{1,2})?/?(?:[\w.@+-]+/)*[\w@+-][\w.@+-]*\.(?:"
    + "|".join(sorted({*EXTENSIONS, *_OTHER_EXTENSIONS}, key=len, reverse=True))
    + r"))(?![\w/-])"
)


def language_for_path(path: str) -> str | None:
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot + 1 :].lower())


def _language(path: str | None, text: str) -> str | None:
    """Extension first; content sniffing only when the path has no extension (Makefile, bin/run) or none."""
    if path:
        lang = language_for_path(path)
        if lang is not None or "." in path.rsplit("/", 1)[-1]:
            return lang  # a known non-code extension (README.md) is not guessed at
    return guess_language(text)


def _path_of(data: dict[str, Any]) -> str | None:
    return next((v for k in _PATH_KEYS if isinstance(v := data.get(k), str) and v), None)


def _paths_in(prose: str) -> Iterator[str]:
    if "." in prose:
        for match in _PATH_RE.finditer(prose):
            yield match.group(1)


# Ordered: the first matching rule wins, so the more specific shapes come first.
_HEURISTICS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.MULTILINE), lang)
    for pattern, lang in (
        (r"\A#!.*\bpython", "python"),
        (r"\A#!.*\b(?:node|deno|bun)\b", "javascript"),
        (r"\A#!.*\b(?:ba|z|k)?sh\b", "bash"),
        (r"\A#!.*\bruby\b", "ruby"),
        (r"\A#!.*\blua\b", "lua"),
        (r"<\?php", "php"),
        (r"^\s*defmodule\s+[A-Z]", "elixir"),
        (r"^package\s+\w+\s*$(?:.|\n)*^func\s", "go"),
        (r"^\s*(?:pub(?:\(\w+\))?\s+)?(?:fn|impl|struct|enum|trait|mod|use)\s+\w+.*(?:->|\{|;)\s*$", "rust"),
        (r"^#include\s*[<\"](?:(?:.|\n)*(?:std::|\bclass\s|\btemplate\s*<|\bnamespace\s))", "cpp"),
        (r"^#include\s*[<\"]", "c"),
        (r"^\s*using\s+System\b|^\s*namespace\s+[\w.]+\s*[;{]", "csharp"),
        (r"^\s*(?:import\s+java\.|package\s+[\w.]+;)|\bpublic\s+(?:static\s+)?(?:class|void)\s", "java"),
        (r"^\s*(?:fun\s+\w+\s*\(|val\s+\w+\s*[:=])", "kotlin"),
        (r"^\s*(?:import\s+(?:SwiftUI|Foundation|UIKit)\b|func\s+\w+\(.*\)\s*(?:->|\{))", "swift"),
        (r"^\s*(?:object|trait|case\s+class)\s+\w+|^\s*def\s+\w+.*:\s*\w.*=", "scala"),
        (
            r"^\s*(?:async\s+)?def\s+\w+\(.*\).*:\s*$|^\s*(?:from\s+[\w.]+\s+)?import\s+[\w.]+(?:\s+as\s+\w+)?\s*$"
            r"|^\s*class\s+\w+(?:\(.*\))?:\s*$",
            "python",
        ),
        (r"^\s*def\s+\w+[^:]*$(?:.|\n)*^\s*end\b", "ruby"),
        (r"^\s*module\s+[A-Z][\w.]*\s+where\b|^\w+\s*::\s*.+->", "haskell"),
        (r"^\s*local\s+(?:function\s+)?\w+|\bthen\s*$(?:.|\n)*^\s*end\b", "lua"),
        (r"^\s*(?:interface|type)\s+\w+.*[{=]|:\s*(?:string|number|boolean)\b", "typescript"),
        (
            r"^\s*(?:function\s*\*?\s*\w*\s*\(|(?:const|let|var)\s+\w+\s*=|import\s.+\sfrom\s+['\"]|export\s)"
            r"|=>|\brequire\(['\"]",
            "javascript",
        ),
        (r"^\s*(?:SELECT\s.+\sFROM|INSERT\s+INTO|CREATE\s+TABLE|UPDATE\s+\w+\s+SET)\b", "sql"),
        (
            r"^\s*(?:if|for|while)\s.*;\s*(?:then|do)\s*$|^\s*(?:echo|export|cd|mkdir|sudo|apt-get|pip)\s",
            "bash",
        ),
    )
)


def guess_language(text: str) -> str | None:
    """Cheap content sniffing for code with neither a fence tag nor a path (first 4 KiB only)."""
    head = text[:4096]
    for pattern, lang in _HEURISTICS:
        if pattern.search(head):
            return lang
    return None


# --------------------------------------------------------------------------- shapes

_FENCE_RE = re.compile(
    r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*\n(.*?)^[ \t]{0,3}\1[ \t]*$", re.M | re.S
)
_NUMBERED_RE = re.compile(r"^ *(\d+)(?:\t|→)", re.M)
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
    first = _NUMBERED_RE.match(text)
    if first is None:
        return None
    stripped, count = _NUMBERED_RE.subn("", text)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    # Tolerate a few unnumbered lines (a truncation notice); anything else is not a file view.
    if count < 0.9 * lines:
        return None
    return stripped, int(first.group(1))


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
    def __init__(self, max_bytes: int, targets: list[str]) -> None:
        self.max_bytes = max_bytes
        self.targets = targets
        self.units: list[CodeUnit] = []
        self.seen: dict[tuple[str, str], int] = {}
        self.paths: dict[str, None] = {}
        self.size = 0
        self.scanned = 0
        self.full = False

    def targeted(self, path: str | None) -> bool:
        return path is not None and any(same_file(path, t) for t in self.targets)

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
        if self.full or lang is None or not text.strip():
            return
        key = (lang, text)
        edited = edited or self.targeted(path)
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

    def scan_text(self, text: str) -> None:
        self.scanned += len(text)
        if self.scanned > _SCAN_FACTOR * self.max_bytes:
            self.full = True
            return
        fenced = "```" in text or "~~~" in text
        found = list(_FENCE_RE.finditer(text)) if fenced else []
        for path in _paths_in(_FENCE_RE.sub("", text) if found else text):
            self.path(path)
        for match in reversed(found):  # newest (last) first
            tag, body = match.group(2).lower(), match.group(3)
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

    def tool_input(self, block: ToolUseBlock) -> None:
        data = block.input
        path = _path_of(data)
        if path:
            self.path(path)
        command = _command_string(data)
        if command and "." in command:
            for match in _PATH_RE.finditer(command):
                self.path(match.group(1))
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
                    lang = language_for_path(file_path)
                    self.add(lang, new_text, file_path, "tool_input", edited=True, fragment=fragment)

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


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _targets(request: Request) -> list[str]:
    """Paths the latest real user turn names and the path the latest edit writes."""
    targets: list[str] = []
    edit_found = user_found = False
    for message in reversed(request.messages):
        for block in reversed(message.content):
            if not edit_found and isinstance(block, ToolUseBlock):
                data = block.input
                writes = any(k in data for k in (*_CODE_KEYS, "edits")) or any(
                    "*** Begin Patch" in s for s in _strings(data)
                )
                if writes:
                    edit_found = True
                    path = _path_of(data)
                    if path:
                        targets.append(path)
                    for s in _strings(data):
                        if "*** Begin Patch" in s:
                            targets.extend(m.group(2) for m in _PATCH_FILE_RE.finditer(s))
        if not user_found and message.role == "user":
            text = "\n".join(strip_envelopes(b.text) for b in message.content if isinstance(b, TextBlock))
            if text.strip():
                user_found = True
                targets.extend(_paths_in(_FENCE_RE.sub("", text)))
        if edit_found and user_found:
            break
    return targets


def extract_code(request: Request, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Extraction:
    uses = {
        b.id: b
        for m in request.messages
        if m.role == "assistant"
        for b in m.content
        if isinstance(b, ToolUseBlock)
    }
    collector = _Collector(max_bytes, _targets(request))
    for message in reversed(request.messages):
        for block in reversed(message.content):
            if collector.full:
                break
            if isinstance(block, TextBlock):
                text = strip_envelopes(block.text) if message.role == "user" else block.text
                collector.scan_text(text)
            elif isinstance(block, ToolUseBlock):
                collector.tool_input(block)
            elif isinstance(block, ToolResultBlock):
                collector.tool_result(block, uses.get(block.tool_use_id))
        if collector.full:
            break
    return Extraction(tuple(collector.units), tuple(collector.paths), collector.full)
