"""The base of every view: how it polls (in a thread), shows results and repaints (on the UI thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.containers import Vertical

if TYPE_CHECKING:
    from lynkr_tui.console.app import LynkrConsole
    from lynkr_tui.console.source import DataSource
    from lynkr_tui.console.state import LiveState


class View(Vertical):
    """One k9s-style view. ``fetch`` runs on the poller thread; ``show`` and ``repaint`` on the UI thread."""

    NAME: ClassVar[str] = ""
    POLL_SECONDS: ClassVar[float | None] = None  # None: nothing to poll beyond the shared snapshot
    FILTERABLE: ClassVar[bool] = False
    MUTATING: ClassVar[frozenset[str]] = frozenset()  # actions hidden and refused in --readonly

    filter_text: str = ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.MUTATING and self.console.readonly)

    @property
    def console(self) -> LynkrConsole:
        return self.app  # type: ignore[return-value]

    def fetch(self, source: DataSource) -> Any:
        """Read what this view needs (blocking, off the UI thread)."""
        return None

    def show(self, data: Any) -> None:
        """Draw a ``fetch`` result."""

    def repaint(self, state: LiveState) -> None:
        """Draw from the live buffers (called by the repaint timer while the view is visible)."""

    def set_filter(self, text: str) -> None:
        self.filter_text = text

    def activated(self) -> None:
        """The view was switched to: focus its main widget and ask for fresh data."""
        self.console.refresh_view(self)
