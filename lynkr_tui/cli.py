"""``lynkr``: start, stop and inspect the daemon.

Startup time matters (``lynkr status`` runs in prompts and scripts), so this
module imports only typer and the standard library at the top. rich, the
config loader (which pulls in every provider adapter, hence aiohttp) and the
process helpers are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from daemon import __version__
from daemon.paths import StatePaths, resolve_paths

if TYPE_CHECKING:
    from rich.console import Console

    from daemon.config.model import Config
    from lynkr_tui.daemon_process import StartResult

from lynkr_tui.status_view import (
    API_NOTE,
    print_details,
    print_status,
    tier_rows_from_config,
)

app = typer.Typer(
    name="lynkr",
    help="Lynkr: a self-hosted LLM router. One local endpoint, four tiers, every provider.",
    no_args_is_help=True,
    add_completion=False,
    # Locals in a traceback may hold API keys read from the environment.
    pretty_exceptions_show_locals=False,
)
config_app = typer.Typer(help="Check or apply the configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
sessions_app = typer.Typer(help="See sessions and pin one to a tier.", invoke_without_command=True)
app.add_typer(sessions_app, name="sessions")

from lynkr_tui.memory_cmd import memory_app  # noqa: E402  (typer only: keeps `lynkr status` fast)

app.add_typer(memory_app, name="memory")


# --------------------------------------------------------------------------- helpers


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def state_paths() -> StatePaths:
    """The state dir for this environment, refusing a control socket path a Unix socket cannot hold."""
    from lynkr_tui.control_client import SocketPathTooLong, check_socket_path

    paths = resolve_paths()
    try:
        check_socket_path(paths.control_socket)
    except SocketPathTooLong as exc:
        fail(f"lynkr: {exc}.")
    return paths


def human_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    # soft_wrap: never break a path or URL in two; the terminal wraps long lines itself,
    # and copy-paste and grep see them whole. highlight off: no guessing colours for numbers.
    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def load_config_or_exit(path: Path | None, host: str | None = None, port: int | None = None) -> Config:
    """``load_config_file`` with every problem printed on its own line (key first), exit 1 on error."""
    from daemon.config.load import format_problems, load_config_file
    from daemon.config.model import ConfigError

    try:
        return load_config_file(path, host=host, port=port)
    except ConfigError as error:
        where = error.source or path
        # No file: the problem is in the environment or the flags (each problem's key says which).
        head = f"the config at {where} is invalid" if where else "the config is invalid (no config file)"
        fail(f"lynkr: {head}:\n{format_problems(error)}")
    except OSError as exc:  # the loader reports unreadable files itself; this is belt and braces
        fail(f"lynkr: cannot read the config at {path}: {exc.strerror or exc}")


def url_for(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


# --------------------------------------------------------------------------- commands


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"lynkr {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="Print the version and exit.", callback=_version_callback, is_eager=True
        ),
    ] = False,
) -> None:
    """Lynkr: a self-hosted LLM router. One local endpoint, four tiers, every provider."""


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (default: $LYNKR_CONFIG, ./lynkr.toml, "
        "$XDG_CONFIG_HOME/lynkr/config.toml, else built-in defaults).",
    ),
]
# No min/max: the config loader reports a bad --port like any other config problem (key "--port").
PortOption = Annotated[int | None, typer.Option("--port", "-p", help="Port for the API (default 8081).")]
HostOption = Annotated[str | None, typer.Option("--host", help="Address for the API (default 127.0.0.1).")]
ForegroundOption = Annotated[
    bool, typer.Option("--foreground", "-f", help="Run in this terminal, logging to it; Ctrl-C stops.")
]


@app.command("up")
def up(
    config: ConfigOption = None,
    port: PortOption = None,
    host: HostOption = None,
    foreground: ForegroundOption = False,
) -> None:
    """Start the daemon in the background (or in this terminal with --foreground)."""
    from lynkr_tui import daemon_process as dp

    paths = state_paths()

    # (1) One daemon per state dir.
    found = dp.probe(paths)
    if found.running:
        status = found.status or {}
        fail(
            f"Lynkr is already running (pid {status.get('pid')}) at {status.get('url')}; run `lynkr down` "
            "first, or set LYNKR_HOME to run a second one."
        )
    if found.unresponsive:
        fail(
            f"A Lynkr process (pid {found.pid}) holds {paths.state_dir} but does not answer on "
            f"{paths.control_socket}; it may still be starting. Run `lynkr down` to stop it, "
            "or set LYNKR_HOME to run a second one."
        )

    # (2) The config, with every problem at once.
    cfg = load_config_or_exit(config, host=host, port=port)
    listen_host, listen_port = cfg.server.host, cfg.server.port

    # (3) The port, so the user gets the sentence here rather than from a log.
    try:
        dp.check_port_free(listen_host, listen_port)
    except dp.PortUnavailable as exc:
        if exc.in_use:
            fail(
                f"Port {listen_port} on {listen_host} is already in use; stop the program using it "
                "or pass --port."
            )
        fail(
            f"Lynkr cannot listen on {listen_host}:{listen_port}: {exc.detail}; pass --host or --port "
            "to choose another address."
        )

    # The daemon re-reads the same file (absolute path) with the same overrides.
    source = cfg.source.resolve() if cfg.source is not None else None
    argv = dp.daemon_argv(source, host, port)
    env = dp.daemon_env()
    paths.ensure()

    if foreground:
        _exec_foreground(cfg, paths, argv, env)

    child, offset = dp.spawn_detached(argv, paths.log_file, env)
    try:
        result = dp.wait_until_up(child, paths, offset)
    except KeyboardInterrupt:
        # Ctrl-C while waiting means "never mind": do not leave a daemon the user gave up on.
        dp.terminate(child.pid, grace=5.0)
        fail("Interrupted: the daemon that was starting has been stopped.", 130)
    if result.status is not None:
        print_status(
            console(),
            result.status,
            paths,
            title=f"Lynkr {result.status.get('version', __version__)} is running (pid {child.pid})",
        )
        return
    _report_failed_start(result, paths)


@app.command("start", help="Same as `lynkr up` (the original Lynkr's name for it).")
def start(
    config: ConfigOption = None,
    port: PortOption = None,
    host: HostOption = None,
    foreground: ForegroundOption = False,
) -> None:
    up(config=config, port=port, host=host, foreground=foreground)


def _exec_foreground(cfg: Config, paths: StatePaths, argv: list[str], env: dict[str, str]) -> NoReturn:
    """Print what is known now, then become the daemon (same pid, so the banner's pid is right)."""
    out = console()
    print_details(
        out,
        title=f"Lynkr {__version__} starting in the foreground (pid {os.getpid()}); Ctrl-C stops it",
        lines=[
            ("API", f"{url_for(cfg.server.host, cfg.server.port)}  {API_NOTE}"),
            ("Control", str(paths.control_socket)),
            ("Logs", "this terminal (stderr)"),
            ("Config", str(cfg.source) if cfg.source else "built-in defaults (no config file found)"),
        ],
        tiers=tier_rows_from_config(cfg),
        default_tier=cfg.routing.default_tier,
        simulated_only=cfg.simulated_only,
        warnings=list(cfg.warnings),
    )
    # exec discards Python's buffers: whatever is not flushed now is never printed.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, env)


def _report_failed_start(result: StartResult, paths: StatePaths) -> NoReturn:
    lines: list[str] = result.log_tail
    # The daemon states fatal startup problems as "lynkr: error: <sentence>" (possibly followed by
    # detail lines, e.g. a config's problems): show that, not the whole log.
    errors = [i for i, line in enumerate(lines) if line.startswith("lynkr: error:")]
    if errors:
        typer.echo("\n".join(lines[errors[-1] :]), err=True)
        if result.timed_out:
            typer.echo(f"Lynkr did not answer within {dp_timeout()} s and was stopped.", err=True)
        raise typer.Exit(1)
    tail = "\n".join(lines[-15:]) or "(nothing was logged)"
    if result.timed_out:
        head = (
            f"Lynkr did not answer on {paths.control_socket} within {dp_timeout()} s, so it was stopped. "
            f"Last lines of {paths.log_file}:"
        )
    else:
        head = f"Lynkr exited during startup (exit code {result.exit_code}). Last lines of {paths.log_file}:"
    fail(f"{head}\n{tail}")


def dp_timeout() -> int:
    from lynkr_tui.daemon_process import STARTUP_TIMEOUT

    return round(STARTUP_TIMEOUT)


@app.command("down")
def down() -> None:
    """Stop the daemon: gracefully over the control socket, else SIGTERM, SIGKILL as a last resort."""
    from lynkr_tui import daemon_process as dp

    paths = state_paths()

    def stopping(pid: int, how: str) -> None:
        if how == "shutdown":
            typer.echo(f"Stopping Lynkr (pid {pid})...")
        else:
            typer.echo(f"Lynkr (pid {pid}) does not answer on {paths.control_socket}; sent it SIGTERM...")

    result = dp.stop(paths, on_stopping=stopping)
    if result.how == "not-running":
        typer.echo("Lynkr is not running.")
        return
    if result.how == "sigkill":
        typer.echo(
            f"Lynkr (pid {result.pid}) did not stop within {result.waited:g} s; "
            "killed it with SIGKILL (in-flight requests were cut off).",
            err=True,
        )
        return
    typer.echo("Lynkr stopped.")


@app.command("status")
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the daemon's status as JSON.")] = False,
) -> None:
    """Show whether the daemon runs, where, and how each tier is routed. Exit code 1 when not running."""
    from lynkr_tui import daemon_process as dp

    paths = state_paths()
    found = dp.probe(paths)
    if found.running:
        info = found.status or {}
        if as_json:
            typer.echo(json.dumps({"running": True, **info}, indent=2))
            return
        uptime = info.get("uptime_seconds")
        if not isinstance(uptime, int | float):
            started = info.get("started_at")
            uptime = time.time() - started if isinstance(started, int | float) else 0
        version, pid = info.get("version", "?"), info.get("pid")
        title = f"Lynkr {version} is running (pid {pid}), up {human_duration(uptime)}"
        print_status(console(), info, paths, title=title)
        return
    if as_json:
        payload: dict[str, Any] = {"running": False, "state_dir": str(paths.state_dir)}
        if found.unresponsive:
            payload.update(pid=found.pid, responding=False)
        typer.echo(json.dumps(payload, indent=2))
        raise typer.Exit(1)
    if found.unresponsive:
        typer.echo(
            f"Lynkr (pid {found.pid}) is not answering on {paths.control_socket}; it may be starting "
            f"or stuck (see {paths.log_file}). `lynkr down` stops it."
        )
        raise typer.Exit(1)
    typer.echo(f"Lynkr is not running (state dir: {paths.state_dir}).")
    raise typer.Exit(1)


@app.command("route")
def route_command(
    source: Annotated[
        str, typer.Argument(help="request body file (Anthropic or OpenAI shape), or - for stdin")
    ] = "-",
    config: Annotated[Path | None, typer.Option("--config", "-c", help="config file to route with")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
    tier: Annotated[str | None, typer.Option("--tier", help="act as if x-lynkr-tier were sent")] = None,
) -> None:
    """Show the tier the router picks for a request, and why. Needs no running daemon."""
    from lynkr_tui.route_cmd import run

    raise typer.Exit(run(source, config, as_json, tier))


def _client_or_exit() -> Any:
    from lynkr_tui.control_client import ControlClient

    paths = state_paths()
    client = ControlClient(paths.control_socket)
    if client.try_status() is None:
        fail(f"Lynkr is not running (state dir: {paths.state_dir}).")
    return client


@sessions_app.callback()
def sessions_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print the sessions as JSON")] = False,
) -> None:
    """List the sessions the daemon has seen, most recent first."""
    if ctx.invoked_subcommand is not None:
        return
    import json
    import time

    sessions = _client_or_exit().sessions()
    if as_json:
        print(json.dumps(sessions, indent=2))
        return
    if not sessions:
        print("No sessions yet.")
        return
    now = time.time()
    for s in sessions:
        pinned = f" (pinned: {s['override']})" if s.get("override") else ""
        print(
            f"{s['id']:<40} {s.get('client') or '-':<14} tier {s.get('tier') or '-':<9}{pinned} "
            f"{s['requests']:>5} req  ${s.get('spend_usd') or 0:.4f}  "
            f"{human_duration(now - s['last_seen'])} ago"
        )


@sessions_app.command("tier")
def sessions_tier(
    session: Annotated[str, typer.Argument(help="session id (see `lynkr sessions`)")],
    tier: Annotated[str, typer.Argument(help="simple, medium, complex, reasoning, or auto to unpin")],
) -> None:
    """Pin a session to a tier; it takes effect on the session's next request."""
    from lynkr_tui.control_client import ControlError

    try:
        result = _client_or_exit().set_session_tier(session, tier)
    except ControlError as exc:
        fail(str(exc))
    state = f"pinned to {result['override']}" if result.get("override") else "back on automatic routing"
    print(f"Session {result['id']} is {state}.")


@app.command("decisions")
def decisions_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="how many, newest first")] = 30,
    tier: Annotated[str | None, typer.Option(help="only this tier")] = None,
    provider: Annotated[str | None, typer.Option(help="only this provider")] = None,
    session: Annotated[str | None, typer.Option(help="only this session")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="only failed requests")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the rows as JSON")] = False,
) -> None:
    """Recent routing decisions from the decision record."""
    from lynkr_tui.observe_cmd import decisions

    filters = {
        "limit": limit,
        "tier": tier,
        "provider": provider,
        "session": session,
        "status": "error" if errors else None,
    }
    decisions(_client_or_exit(), filters, as_json)


@app.command("logs")
def logs_command(
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="keep printing decisions as they happen")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON event per line")] = False,
) -> None:
    """One line per decision: tier, provider/model, latency, tokens, cost, quality."""
    from lynkr_tui.observe_cmd import decisions
    from lynkr_tui.observe_cmd import follow as follow_events

    client = _client_or_exit()
    if follow:
        follow_events(client, as_json)
    else:
        decisions(client, {"limit": 50}, as_json)


@app.command("stats")
def stats_command(
    window: Annotated[float, typer.Option(help="seconds of history for the percentiles")] = 3600,
    as_json: Annotated[bool, typer.Option("--json", help="print the stats as JSON")] = False,
) -> None:
    """Traffic, spend and P50/P95/P99 latency per tier and provider."""
    from lynkr_tui.observe_cmd import stats

    stats(_client_or_exit(), window, as_json)


@app.command("replay")
def replay_command(
    decision: Annotated[str | None, typer.Argument(help="a decision id (see `lynkr decisions`)")] = None,
    since: Annotated[str | None, typer.Option(help="replay a window instead, e.g. 24h, 30m, 7d")] = None,
    config: Annotated[
        str | None, typer.Option("--config", "-c", help="a candidate config to compare")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="send the request to a provider again and compare the answers")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Re-route recorded requests (no upstream call): one decision side by side, or a window's tier mix.
    With --send, the request really goes out again (recorded as a new decision)."""
    from lynkr_tui.observe_cmd import replay, replay_send

    if decision is None and since is None:
        fail("give a decision id, or --since 24h to replay a window")
    if send:
        if decision is None:
            fail("--send replays one decision: give its id")
        raise typer.Exit(replay_send(_client_or_exit(), decision, as_json))
    raise typer.Exit(replay(_client_or_exit(), decision, since, config, as_json))


@app.command("watch")
def watch_command(
    theme: Annotated[
        str, typer.Option("--theme", help="a theme from themes/ (dark, light) or a path to a theme TOML file")
    ] = "dark",
    readonly: Annotated[
        bool, typer.Option("--readonly", help="hide every action that changes the daemon")
    ] = False,
) -> None:
    """The operator console: live decisions, sessions, breakers, memory, config and replay."""
    from lynkr_tui.console import themes

    try:
        chosen = themes.resolve(theme)
    except themes.ThemeError as exc:
        fail(f"lynkr: {exc}")
    from lynkr_tui.console.app import run

    run(state_paths().control_socket, readonly=readonly, theme=chosen)


@app.command("override")
def override_command(
    session: Annotated[str, typer.Argument(help="session id (see `lynkr sessions`)")],
    tier: Annotated[str, typer.Argument(help="simple, medium, complex, reasoning, or auto")],
) -> None:
    """Pin a session to a tier (the same as `lynkr sessions tier`)."""
    sessions_tier(session, tier)


@app.command(
    "wrap",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def wrap_command(
    client: Annotated[str, typer.Argument(help="claude, codex, aider, openhands (or any command)")],
    args: Annotated[list[str] | None, typer.Argument(help="arguments for the client")] = None,
) -> None:
    """Run a coding agent pointed at Lynkr (starting the daemon if needed); print its tier mix and spend."""
    from lynkr_tui.wrap_cmd import run

    paths = state_paths()
    raise typer.Exit(run(client, list(args or []), paths.control_socket, lambda: up()))


@config_app.command("apply")
def config_apply(
    path: Annotated[Path, typer.Argument(help="the new config file", exists=True, dir_okay=False)],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Validate a config and hot-reload the daemon with it (written over its config file);
    an invalid one changes nothing."""
    from lynkr_tui.ops_cmd import apply

    raise typer.Exit(apply(_client_or_exit(), path, as_json))


@app.command("reload")
def reload_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Re-read the daemon's config file now (it also reloads by itself when the file changes)."""
    from lynkr_tui.ops_cmd import reload

    raise typer.Exit(reload(_client_or_exit(), as_json))


@app.command("breakers")
def breakers_command(
    reset: Annotated[str | None, typer.Option("--reset", help="close this provider's breaker")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the breakers as JSON")] = False,
) -> None:
    """Circuit breaker state per provider: closed, open or half-open, recent failures, next probe."""
    from lynkr_tui.ops_cmd import breakers, reset_breaker

    client = _client_or_exit()
    raise typer.Exit(reset_breaker(client, reset) if reset else breakers(client, as_json))


@config_app.command("check")
def config_check(
    path: Annotated[
        Path | None, typer.Argument(help="Config file (default: the one `lynkr up` would use).")
    ] = None,
) -> None:
    """Validate the config `lynkr up` would use; list every problem with its key (exit 1)."""
    cfg = load_config_or_exit(path)
    out = console()
    print_details(
        out,
        title=f"Config OK: {cfg.source if cfg.source else 'built-in defaults (no config file found)'}",
        lines=[("Listen", url_for(cfg.server.host, cfg.server.port))],
        tiers=tier_rows_from_config(cfg),
        default_tier=cfg.routing.default_tier,
        simulated_only=cfg.simulated_only,
        warnings=list(cfg.warnings),
    )


def main() -> None:
    app(prog_name="lynkr")


if __name__ == "__main__":
    main()
