"""``lynkr memory``: list, search, show, delete and wipe what the daemon remembers (control socket)."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import typer

memory_app = typer.Typer(help="See and edit Lynkr's long-term memory.", no_args_is_help=True)


def _request(method: str, path: str) -> Any:
    from lynkr_tui.cli import _client_or_exit, fail

    code, body = _client_or_exit().request(method, path)
    if code >= 400:
        fail(body.get("error", f"the daemon answered {code}") if isinstance(body, dict) else str(body))
    return body


def _print(memories: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(memories, indent=2))
        return
    if not memories:
        print("No memories.")
        return
    for m in memories:
        age = time.strftime("%Y-%m-%d", time.localtime(m["last_seen"]))
        print(f"{m['id']:>6}  {m['scores'].get('total', 0):.2f}  {m['type']:<10} {age}  x{m['count']:<3} "
              f"{m['project'] or '-'}  {m['text']}")  # fmt: skip


def _list(project: str | None, query: str | None, limit: int, as_json: bool) -> None:
    params = {k: v for k, v in (("project", project), ("q", query), ("limit", str(limit))) if v}
    body = _request("GET", f"/v1/memory?{urlencode(params)}")
    if not body.get("enabled", True) and not as_json:
        print("Memory is switched off ([memory] enabled = false).")
    _print(body.get("memories", []), as_json)


Project = Annotated[str | None, typer.Option("--project", "-p", help="only this project (its directory)")]
Json = Annotated[bool, typer.Option("--json", help="print JSON")]


@memory_app.command("list")
def list_command(project: Project = None, limit: int = 50, as_json: Json = False) -> None:
    """Memories, best score first."""
    _list(project, None, limit, as_json)


@memory_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="words to match (full-text)")],
    project: Project = None,
    limit: int = 20,
    as_json: Json = False,
) -> None:
    """Memories ranked with relevance to QUERY."""
    _list(project, query, limit, as_json)


@memory_app.command("show")
def show_command(memory_id: Annotated[int, typer.Argument(help="memory id")], as_json: Json = False) -> None:
    """One memory with its scores."""
    body = _request("GET", f"/v1/memory/{memory_id}")
    if as_json:
        print(json.dumps(body, indent=2))
        return
    for key in ("id", "project", "type", "text", "session", "turn", "count"):
        print(f"{key:<9} {body.get(key)}")
    print("scores    " + "  ".join(f"{k} {v:.3f}" for k, v in body.get("scores", {}).items()))


@memory_app.command("delete")
def delete_command(memory_id: Annotated[int, typer.Argument(help="memory id")]) -> None:
    """Forget one memory."""
    _request("DELETE", f"/v1/memory/{memory_id}")
    print(f"Deleted memory {memory_id}.")


@memory_app.command("wipe")
def wipe_command(
    project: Annotated[str, typer.Argument(help="the project whose memories all go")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
) -> None:
    """Forget everything remembered about one project."""
    if not yes and not typer.confirm(f"Delete every memory of {project}?"):
        raise typer.Exit(1)
    body = _request("DELETE", f"/v1/memory?project={quote(project, safe='')}")
    print(f"Deleted {body.get('deleted', 0)} memories of {project}.")
