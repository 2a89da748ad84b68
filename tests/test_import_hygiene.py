"""The daemon must never pull in the console's UI stack, and the CLI must start fast."""

from __future__ import annotations

import subprocess
import sys

DAEMON_MODULES = [
    "daemon.server",
    "daemon.pipeline",
    "daemon.control",
    "daemon.providers.registry",
]


def _loaded_after(import_stmt: str) -> set[str]:
    code = f"import sys; {import_stmt}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_daemon_never_imports_textual() -> None:
    stmt = "; ".join(f"import {m}" for m in DAEMON_MODULES)
    stmt += "; from daemon.providers.registry import provider_types; provider_types()"
    loaded = _loaded_after(stmt)
    assert not {m for m in loaded if m == "textual" or m.startswith(("textual.", "lynkr_tui"))}


def test_daemon_sources_do_not_mention_textual_imports() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "daemon"
    offenders = [
        str(path)
        for path in root.rglob("*.py")
        if any(
            line.strip().startswith(("import textual", "from textual", "import lynkr_tui", "from lynkr_tui"))
            for line in path.read_text().splitlines()
        )
    ]
    assert offenders == []
