"""Config editing helpers: where a problem's key sits in the TOML text, and an editor that shows it there."""

from __future__ import annotations

import difflib
import re

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import TextArea

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _parts(dotted: str) -> list[str]:
    return [p.strip().strip("\"'") for p in re.sub(r"\[\d+\]", "", dotted).split(".") if p.strip()]


def key_line(text: str, key: str) -> int:
    """The 0-based line of ``key`` (``tiers.medium.model``) in TOML ``text``: the assignment if found,
    else the nearest table header on its path, else 0."""
    wanted = _parts(key)
    if not wanted:
        return 0
    table: list[str] = []
    best, best_len = 0, 0
    for number, line in enumerate(text.splitlines()):
        if header := _HEADER.match(line):
            table = _parts(header.group(1))
            if table == wanted[: len(table)] and len(table) > best_len:
                best, best_len = number, len(table)
            continue
        if assign := _ASSIGN.match(line):
            full = table + _parts(assign.group(1))
            if full == wanted:
                return number
            if full == wanted[: len(full)] and len(full) > best_len:
                best, best_len = number, len(full)
    return best


def unified_diff(old: str, new: str) -> list[str]:
    return list(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), "running config", "edited config", lineterm="", n=2
        )
    )


class ProblemTextArea(TextArea):
    """A TextArea that writes each validation problem at the right end of the line its key is on."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.problem_lines: dict[int, str] = {}

    def set_problems(self, problems: dict[int, str]) -> None:
        self.problem_lines = problems
        self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self.problem_lines:
            return strip
        try:
            line_index, section = self.wrapped_document._offset_to_line_info[y + int(self.scroll_offset.y)]
        except (IndexError, TypeError):
            return strip
        message = self.problem_lines.get(line_index)
        if message is None or section:
            return strip
        width = strip.cell_length
        used = len(self.document.get_line(line_index).expandtabs(self.indent_width)) + 8  # + gutter
        label = f" ◀ {message} "
        room = width - used
        if room < 6:
            return strip
        label = label[-room:] if len(label) > room else label
        colour = self.app.current_theme.error if self.app.current_theme else "red"
        style = Style(color="white", bgcolor=colour or "red", bold=True)
        return Strip.join([strip.crop(0, width - len(label)), Strip([Segment(label, style)])])
