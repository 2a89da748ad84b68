"""The live decisions table: a Line-API widget that renders each row once and reuses it.

Textual's DataTable re-renders every visible cell through Rich whenever rows are added and the
view scrolls, and removes rows in O(rows); at 200 decisions per second that is most of a frame.
Here each decision becomes one pre-rendered ``Strip`` (cached by id) when it arrives, and a frame
is a lookup per visible line, so following a busy daemon costs the same as a quiet one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Column = tuple[str, int]  # header label, width in cells


class DecisionList(ScrollView, can_focus=True):
    """Rows of decisions (oldest first), a fixed header line, a cursor; Enter posts ``Selected``."""

    COMPONENT_CLASSES = {"decision-list--header", "decision-list--cursor"}
    BINDINGS = [
        Binding("up,k", "move(-1)", "up", show=False),
        Binding("down,j", "move(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home,g", "edge(0)", "top", show=False),
        Binding("end,G", "edge(1)", "bottom", show=False),
        Binding("enter", "select", "detail"),
    ]

    class Selected(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(
        self, columns: Iterable[Column], cells: Callable[[dict[str, Any]], list[Any]], **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.columns = list(columns)
        self.cells = cells
        self._rows: list[dict[str, Any]] = []
        self._keys: list[str] = []
        self._strips: dict[str, Strip] = {}
        self.cursor_row = 0
        self.line_width = sum(width + 1 for _, width in self.columns) + 1

    # ------------------------------------------------------------------ data

    @property
    def rows(self) -> dict[str, int]:
        """Row key -> index (the DataTable-like view the tests and callers use)."""
        return {key: n for n, key in enumerate(self._keys)}

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_index(self, key: str) -> int:
        return self._keys.index(key)

    def key_at_cursor(self) -> str | None:
        return self._keys[self.cursor_row] if 0 <= self.cursor_row < len(self._keys) else None

    @staticmethod
    def _key(row: dict[str, Any]) -> str:
        return str(row.get("id") or id(row))

    def set_rows(self, rows: Iterable[dict[str, Any]]) -> None:
        keep = self.key_at_cursor()
        self._rows = list(rows)
        self._keys = [self._key(r) for r in self._rows]
        live = set(self._keys)
        self._strips = {k: s for k, s in self._strips.items() if k in live}
        if keep in live:
            self.cursor_row = self._keys.index(keep)
        self._changed()

    def append(self, rows: Iterable[dict[str, Any]], limit: int) -> None:
        """Add rows at the end and drop the oldest beyond ``limit``, keeping the cursor on its row."""
        rows = list(rows)
        if not rows:
            return
        self._rows.extend(rows)
        self._keys.extend(self._key(r) for r in rows)
        excess = len(self._rows) - limit
        if excess > 0:
            for key in self._keys[:excess]:
                self._strips.pop(key, None)
            del self._rows[:excess], self._keys[:excess]
            self.cursor_row = max(0, self.cursor_row - excess)
        self._changed()

    def clear_cache(self) -> None:
        """Forget rendered rows (the theme changed)."""
        self._strips.clear()
        self.refresh()

    def _changed(self) -> None:
        self.cursor_row = min(max(0, self.cursor_row), max(0, len(self._rows) - 1))
        self.virtual_size = Size(self.line_width, len(self._rows) + 1)
        self.refresh()

    # ------------------------------------------------------------------ cursor

    def move_cursor(self, row: int, animate: bool = False) -> None:
        self.cursor_row = min(max(0, row), max(0, len(self._rows) - 1))
        body = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False)
        self.refresh()

    def action_move(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(1, self.size.height - 2))

    def action_edge(self, end: int) -> None:
        self.move_cursor(len(self._rows) - 1 if end else 0)

    def action_select(self) -> None:
        if (key := self.key_at_cursor()) is not None:
            self.post_message(self.Selected(key))

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(int(self.scroll_offset.y) + event.y - 1)
            if event.chain >= 2:
                self.action_select()

    # ------------------------------------------------------------------ rendering

    def _line(self, values: list[Any], style: Style | None = None) -> Strip:
        text = Text(no_wrap=True, overflow="crop", end="")
        text.append(" ")
        for (_, width), value in zip(self.columns, values, strict=False):
            cell = value.copy() if isinstance(value, Text) else Text(str(value))
            cell.truncate(width, overflow="ellipsis", pad=True)
            text.append_text(cell)
            text.append(" ")
        segments = list(text.render(self.app.console))
        strip = Strip(segments)
        return strip.apply_style(style) if style else strip

    def _row_strip(self, index: int) -> Strip:
        key = self._keys[index]
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._line(self.cells(self._rows[index]))
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if y == 0:
            header = self._line([label for label, _ in self.columns])
            style = self.get_component_rich_style("decision-list--header")
            return header.crop(scroll_x, scroll_x + width).extend_cell_length(width).apply_style(base + style)
        index = scroll_y + y - 1
        if index >= len(self._rows):
            return Strip([Segment(" " * width, base)])
        strip = self._row_strip(index).crop(scroll_x, scroll_x + width).extend_cell_length(width)
        if index == self.cursor_row and self.has_focus:
            return strip.apply_style(self.get_component_rich_style("decision-list--cursor"))
        return strip.apply_style(base)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
