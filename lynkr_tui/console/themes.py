"""Console themes: TOML files in ``themes/`` mapped onto Textual ``Theme`` objects.

Looked up, first found wins: a path given to ``--theme``, ``$LYNKR_THEMES_DIR``,
``~/.config/lynkr/themes``, the ``themes/`` directory of a source checkout, and the copy
``pip install`` puts under ``<prefix>/share/lynkr/themes`` (or the user base's, with ``--user``).
``--theme dark`` means ``dark.toml``.
"""

from __future__ import annotations

import os
import site
import sys
import tomllib
from pathlib import Path

from textual.theme import Theme

THEME_KEYS = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
    "success", "warning", "error",
)  # fmt: skip
DEFAULT_THEME = "dark"


class ThemeError(ValueError):
    pass


def theme_dirs() -> list[Path]:
    dirs = []
    if env := os.environ.get("LYNKR_THEMES_DIR"):
        dirs.append(Path(env))
    dirs.append(Path.home() / ".config" / "lynkr" / "themes")
    dirs.append(Path(__file__).resolve().parents[2] / "themes")
    dirs.append(Path(sys.prefix) / "share" / "lynkr" / "themes")
    if site.USER_BASE:  # ``pip install --user`` puts data files under the user base
        dirs.append(Path(site.USER_BASE) / "share" / "lynkr" / "themes")
    return dirs


def available() -> dict[str, Path]:
    """Every theme file found, by short name (``dark``), earlier directories winning."""
    found: dict[str, Path] = {}
    for directory in reversed(theme_dirs()):
        if directory.is_dir():
            found.update({p.stem: p for p in sorted(directory.glob("*.toml"))})
    return found


def load_theme_file(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"cannot read theme {path}: {exc}") from exc
    unknown = set(data) - {*THEME_KEYS, "name", "dark", "variables"}
    if unknown:
        raise ThemeError(f"theme {path}: unknown keys {', '.join(sorted(unknown))}")
    if "primary" not in data:
        raise ThemeError(f"theme {path}: 'primary' is required")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeError(f"theme {path}: [variables] must map names to colour strings")
    return Theme(
        name=str(data.get("name") or f"lynkr-{path.stem}"),
        dark=bool(data.get("dark", True)),
        variables=dict(variables),
        **{k: str(data[k]) for k in THEME_KEYS if k in data},
    )


def resolve(name_or_path: str | None) -> Theme:
    """The theme for ``--theme``: a short name from the theme directories, or a path to a TOML file."""
    wanted = name_or_path or DEFAULT_THEME
    as_path = Path(wanted).expanduser()
    if as_path.suffix == ".toml" and as_path.is_file():
        return load_theme_file(as_path)
    themes = available()
    if wanted not in themes:
        names = ", ".join(sorted(themes)) or "none found"
        raise ThemeError(f"no theme named {wanted!r} (available: {names})")
    return load_theme_file(themes[wanted])


def all_themes() -> list[Theme]:
    """Every loadable theme, so the command palette's theme switcher offers them all."""
    out = []
    for path in available().values():
        try:
            out.append(load_theme_file(path))
        except ThemeError:
            continue
    return out
