"""How `lynkr up` and `lynkr status` show a daemon: a title, labelled lines, the tier table, notices.

rich is imported inside the functions, so importing this module keeps `lynkr status` fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from daemon.config.model import Config
    from daemon.paths import StatePaths

SIMULATED_NOTICE = (
    "No providers configured: every tier is served by the built-in SIMULATED provider "
    "(replies are not from a real model). Add providers to lynkr.toml: see config.example.toml."
)
API_NOTE = "(Anthropic /v1/messages · OpenAI /v1/chat/completions and /v1/responses)"


def tier_rows_from_status(status: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"tier": name, **info} for name, info in (status.get("tiers") or {}).items()]


def tier_rows_from_config(config: Config) -> list[dict[str, Any]]:
    rows = []
    for name, tier in config.tiers.items():
        provider = config.providers.get(tier.provider)
        kind = provider.type if provider else None
        rows.append(
            {
                "tier": name,
                "provider": tier.provider,
                "provider_type": kind,
                "model": tier.model,
                "simulated": kind == "simulated",
                "fallback": [str(target) for target in tier.fallback],
            }
        )
    return rows


def print_details(
    out: Console,
    *,
    title: str,
    lines: list[tuple[str, str]],
    tiers: list[dict[str, Any]],
    default_tier: str | None,
    simulated_only: bool,
    warnings: list[str],
) -> None:
    """The banner / status layout: a title, labelled lines, the tier table, notices.

    Every dynamic string goes in as ``Text`` so brackets in paths or warnings
    ("[providers.x]") are never read as rich markup.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out.print(Text(title, style="bold green"))
    for label, value in lines:
        out.print(Text.assemble((f"{label + ':':<9}", "bold"), value))
    if tiers:
        # No fallback anywhere (the common first-run case): no column of dashes.
        with_fallback = any(row.get("fallback") for row in tiers)
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 2, 0, 0))
        for column in ("Tier", "Target", "Type", *(["Fallback"] if with_fallback else [])):
            table.add_column(column, overflow="fold")
        for row in tiers:
            name = row["tier"] + (" (default)" if row["tier"] == default_tier else "")
            kind = row.get("provider_type") or "?"
            style = "yellow" if row.get("simulated") else ""
            cells = [
                Text(name),
                Text(f"{row.get('provider')}:{row.get('model')}", style=style),
                Text(kind.upper() if row.get("simulated") else kind, style=style),
            ]
            if with_fallback:
                cells.append(Text(", ".join(row.get("fallback") or []) or "-"))
            table.add_row(*cells)
        out.print()
        out.print(table)
    if simulated_only or warnings:
        out.print()
    if simulated_only:
        out.print(Text(SIMULATED_NOTICE, style="bold yellow"))
    for warning in warnings:
        out.print(Text.assemble(("Warning: ", "bold yellow"), warning))


def print_status(out: Console, status: dict[str, Any], paths: StatePaths, title: str) -> None:
    lines = [
        ("API", f"{status.get('url')}  {API_NOTE}"),
        ("Control", str(status.get("control_socket") or paths.control_socket)),
        ("Logs", _log_location(status, paths)),
        ("Config", status.get("config_source") or "built-in defaults (no config file found)"),
    ]
    print_details(
        out,
        title=title,
        lines=lines,
        tiers=tier_rows_from_status(status),
        default_tier=status.get("default_tier"),
        simulated_only=bool(status.get("simulated_only")),
        warnings=list(status.get("warnings") or []),
    )


def _log_location(status: dict[str, Any], paths: StatePaths) -> str:
    # A daemon that reports "log_file": null runs in the foreground and logs to its terminal.
    if "log_file" in status:
        return status["log_file"] or "the terminal it runs in (foreground)"
    return str(paths.log_file)
