"""The `lynkr` CLI without the real daemon: a fake control server (in a thread) or a
fake daemon script (tests/cli/fake_daemon.py) stands in for it. Fast: no aiohttp."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daemon.config.model import TIERS, Config, ProviderConfig, ServerConfig, TierConfig
from lynkr_tui import cli
from lynkr_tui import daemon_process as dp
from lynkr_tui.status_view import API_NOTE, SIMULATED_NOTICE
from tests.cli.fake_daemon import ControlServer, make_status

FAKE_DAEMON = Path(__file__).with_name("fake_daemon.py")
ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

# Variables the config loader reads; a developer's shell must not change what the tests see.
CONFIG_ENV = (
    "LYNKR_CONFIG",
    "LYNKR_HOST",
    "LYNKR_PORT",
    "PORT",
    "LYNKR_LOG_LEVEL",
    "LOG_LEVEL",
    "MODEL_PROVIDER",
    "MODEL_DEFAULT",
    "XDG_RUNTIME_DIR",
    "XDG_STATE_HOME",
)


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A short LYNKR_HOME (pytest's tmp paths can exceed what a Unix socket path may hold)."""
    path = Path(tempfile.mkdtemp(prefix="lkc", dir="/tmp"))
    for var in CONFIG_ENV:
        monkeypatch.delenv(var, raising=False)
    for var in list(os.environ):
        if var.startswith(("TIER_", "SIMPLE_", "MEDIUM_", "COMPLEX_", "REASONING_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("LYNKR_HOME", str(path))
    monkeypatch.setenv("COLUMNS", "200")  # rich tables fold at the width it detects; keep cells whole
    monkeypatch.setenv("XDG_CONFIG_HOME", str(path / "xdg"))
    monkeypatch.chdir(path)
    yield path
    # A test that failed half-way must not leave a fake daemon behind.
    pid = dp.read_pid(path / "lynkr.pid")
    if pid is not None and dp.pid_alive(pid) and pid != os.getpid():
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def fake_daemon(monkeypatch: pytest.MonkeyPatch, home: Path) -> Path:
    """`lynkr up` spawns tests/cli/fake_daemon.py; config loading is stubbed to a simulated config."""
    monkeypatch.setattr(dp, "DAEMON_COMMAND", [sys.executable, str(FAKE_DAEMON)])
    monkeypatch.setattr(
        cli, "load_config_or_exit", lambda path, host=None, port=None: sim_config(port or 8081)
    )
    return home


def sim_config(port: int, host: str = "127.0.0.1") -> Config:
    return Config(
        server=ServerConfig(host=host, port=port),
        providers={"simulated": ProviderConfig("simulated", "simulated")},
        tiers={t: TierConfig(t, "simulated", f"simulated-{t}") for t in TIERS},
        simulated_only=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def one_line(text: str) -> str:
    """rich folds long lines at 80 columns under CliRunner; compare sentences without the folds."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- basics


def test_version() -> None:
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "lynkr 0.1.0"


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(cli.app, [])
    assert "up" in result.output and "status" in result.output


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59.9, "59s"),
        (61, "1m 01s"),
        (3600 * 3 + 120, "3h 02m"),
        (86400 * 2 + 3600 * 4, "2d 4h 00m"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert cli.human_duration(seconds) == text


def test_socket_path_too_long_is_refused(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    long_home = home / ("x" * 100)
    monkeypatch.setenv("LYNKR_HOME", str(long_home))
    for command in (["status"], ["down"], ["up"]):
        result = runner.invoke(cli.app, command)
        assert result.exit_code == 1, command
        assert (
            "too long for a Unix socket" in one_line(result.stderr) or "longer than the 104" in result.stderr
        )
        assert "set LYNKR_HOME to a shorter directory" in one_line(result.stderr)


def test_cli_import_and_status_stay_light(home: Path) -> None:
    """`lynkr status` must not pay for aiohttp, textual, rich or the daemon's server/config loader."""
    code = (
        "import sys\n"
        "from lynkr_tui import cli\n"
        "try:\n"
        "    cli.app(['status'], prog_name='lynkr')\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 1, exit.code\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LYNKR_HOME": str(home)},
    ).stdout
    loaded = set(out.split())
    assert "Lynkr is not running" in out
    heavy = {
        "aiohttp",
        "textual",
        "rich",
        "daemon.server",
        "daemon.control",
        "daemon.config.load",
        "daemon.providers.registry",
        "psutil",
        "orjson",
    }
    assert not heavy & loaded


# --------------------------------------------------------------------------- status


def test_status_not_running(home: Path) -> None:
    result = runner.invoke(cli.app, ["status"])
    assert result.exit_code == 1
    assert result.stdout.strip() == f"Lynkr is not running (state dir: {home})."

    result = runner.invoke(cli.app, ["status", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"running": False, "state_dir": str(home)}


def test_status_running_against_fake_control_server(home: Path) -> None:
    sock = home / "control.sock"
    warning = "providers.x.api_key_env: environment variable [X_KEY] is not set"
    status = make_status(os.getpid(), str(sock), 9999, warnings=[warning])
    with ControlServer(sock, lambda: status):
        result = runner.invoke(cli.app, ["status"])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert f"Lynkr 0.1.0 is running (pid {os.getpid()}), up 2m 05s" in out
        assert f"API:     http://127.0.0.1:9999  {API_NOTE}" in out
        assert f"Control: {sock}" in out
        assert f"Logs:    {home / 'lynkr.log'}" in out
        assert "Config:  built-in defaults" in out
        for tier in TIERS:
            assert f"simulated:simulated-{tier}" in out
        assert "medium (default)" in out
        assert one_line(SIMULATED_NOTICE) in one_line(out)
        # Brackets in a warning are text, not rich markup.
        assert "[X_KEY]" in one_line(out)

        result = runner.invoke(cli.app, ["status", "--json"])
        assert result.exit_code == 0
        payload = json.loads(result.stdout)
        assert payload["running"] is True
        assert payload["pid"] == os.getpid()
        assert payload["tiers"]["simple"]["simulated"] is True


def test_status_of_a_foreground_daemon_names_no_log_file(home: Path) -> None:
    sock = home / "control.sock"
    status = make_status(os.getpid(), str(sock), log_file=None)
    with ControlServer(sock, lambda: status):
        result = runner.invoke(cli.app, ["status"])
    assert "Logs:    the terminal it runs in (foreground)" in result.stdout


def test_up_reports_a_bad_port_flag_as_a_config_problem(home: Path) -> None:
    result = runner.invoke(cli.app, ["up", "--port", "70000"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1].startswith("--port:")


def test_stale_pid_file_is_removed_silently(home: Path) -> None:
    pid_file = home / "lynkr.pid"
    pid_file.write_text(f"{dead_pid()}\n")
    result = runner.invoke(cli.app, ["status"])
    assert result.exit_code == 1
    assert "Lynkr is not running" in result.stdout
    assert not pid_file.exists()


def test_pid_file_of_an_unrelated_process_is_not_trusted(home: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        (home / "lynkr.pid").write_text(f"{sleeper.pid}\n")
        result = runner.invoke(cli.app, ["down"])
        assert result.stdout.strip() == "Lynkr is not running."
        assert sleeper.poll() is None, "down must never signal a process that is not Lynkr"
    finally:
        sleeper.kill()
        sleeper.wait()


def test_unresponsive_daemon_is_reported_and_stopped_with_sigterm(home: Path) -> None:
    env = {**os.environ, "FAKE_DAEMON_MODE": "hang"}
    hung = subprocess.Popen([sys.executable, str(FAKE_DAEMON)], env=env)
    try:
        (home / "lynkr.pid").write_text(f"{hung.pid}\n")
        result = runner.invoke(cli.app, ["status"])
        assert result.exit_code == 1
        assert f"Lynkr (pid {hung.pid}) is not answering" in result.stdout
        result = runner.invoke(cli.app, ["status", "--json"])
        assert json.loads(result.stdout) == {
            "running": False,
            "state_dir": str(home),
            "pid": hung.pid,
            "responding": False,
        }

        result = runner.invoke(cli.app, ["down"])
        assert result.exit_code == 0
        assert "sent it SIGTERM" in result.stdout
        assert "Lynkr stopped." in result.stdout
        assert hung.wait(timeout=5) == -signal.SIGTERM
        assert not (home / "lynkr.pid").exists()
    finally:
        hung.kill()
        hung.wait()


# --------------------------------------------------------------------------- up: refusals


@pytest.mark.parametrize("command", ["up", "start"])
def test_up_refuses_when_already_running(fake_daemon: Path, command: str) -> None:
    sock = fake_daemon / "control.sock"
    status = make_status(os.getpid(), str(sock), 8123)
    (fake_daemon / "lynkr.pid").write_text(f"{os.getpid()}\n")
    with ControlServer(sock, lambda: status):
        result = runner.invoke(cli.app, [command, "--port", str(free_port())])
    assert result.exit_code == 1
    assert one_line(result.stderr) == (
        f"Lynkr is already running (pid {os.getpid()}) at http://127.0.0.1:8123; run `lynkr down` first, "
        "or set LYNKR_HOME to run a second one."
    )
    assert not (fake_daemon / "fake-argv.json").exists()


def test_up_refuses_a_taken_port(fake_daemon: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli.app, ["up", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Port {port} on 127.0.0.1 is already in use; stop the program using it or pass --port."
    )
    assert not (fake_daemon / "fake-argv.json").exists()


def test_port_check_ignores_time_wait_but_not_a_bound_socket() -> None:
    with socket.socket() as bound:  # bound, not listening, no SO_REUSEADDR: the daemon could not bind either
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        with pytest.raises(dp.PortUnavailable) as info:
            dp.check_port_free("127.0.0.1", port)
        assert info.value.in_use
    dp.check_port_free("127.0.0.1", port)  # released: free again


def test_port_check_unresolvable_host() -> None:
    with pytest.raises(dp.PortUnavailable) as info:
        dp.check_port_free("no-such-host.invalid", 8081)
    assert not info.value.in_use


# --------------------------------------------------------------------------- up/down with a fake daemon


def test_up_banner_then_down(fake_daemon: Path) -> None:
    port = free_port()
    result = runner.invoke(cli.app, ["up", "--port", str(port)])
    assert result.exit_code == 0, result.output
    pid = dp.read_pid(fake_daemon / "lynkr.pid")
    assert pid is not None and dp.pid_alive(pid)
    out = result.stdout
    assert f"Lynkr 0.1.0 is running (pid {pid})" in out
    assert f"API:     http://127.0.0.1:{port}  {API_NOTE}" in out
    assert f"Control: {fake_daemon / 'control.sock'}" in out
    assert f"Logs:    {fake_daemon / 'lynkr.log'}" in out
    assert "SIMULATED" in out and one_line(SIMULATED_NOTICE) in one_line(out)
    # Only the flags the user gave are passed on (no config file was found).
    assert json.loads((fake_daemon / "fake-argv.json").read_text()) == ["--port", str(port)]
    # The daemon runs in its own session, detached from the terminal.
    assert os.getsid(pid) == pid

    result = runner.invoke(cli.app, ["down"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"Stopping Lynkr (pid {pid})...", "Lynkr stopped."]
    assert not dp.pid_alive(pid)
    assert not (fake_daemon / "lynkr.pid").exists()
    assert not (fake_daemon / "control.sock").exists()

    result = runner.invoke(cli.app, ["down"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "Lynkr is not running."


def test_up_passes_an_absolute_config_path(fake_daemon: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_file = fake_daemon / "lynkr.toml"
    config_file.write_text("")
    port = free_port()

    config = dataclasses.replace(sim_config(port), source=Path("lynkr.toml"))  # relative, as found in cwd
    monkeypatch.setattr(cli, "load_config_or_exit", lambda path, host=None, port=None: config)
    result = runner.invoke(cli.app, ["up"])
    try:
        assert result.exit_code == 0, result.output
        assert json.loads((fake_daemon / "fake-argv.json").read_text()) == ["--config", str(config_file)]
    finally:
        runner.invoke(cli.app, ["down"])


def test_up_reports_the_daemons_error_line(fake_daemon: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_DAEMON_MODE", "fail")
    result = runner.invoke(cli.app, ["up", "--port", str(free_port())])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "lynkr: error: port 1 on 127.0.0.1 is already in use; stop the program using it or pass --port"
    )
    assert not (fake_daemon / "lynkr.pid").exists()


def test_up_reports_the_last_log_lines_of_a_crash(fake_daemon: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (fake_daemon / "lynkr.log").write_text("old line from an earlier run\n")
    monkeypatch.setenv("FAKE_DAEMON_MODE", "crash")
    result = runner.invoke(cli.app, ["up", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "Lynkr exited during startup (exit code 3)" in result.stderr
    assert "fake: log line 19" in result.stderr
    assert "fake: log line 4" not in result.stderr  # only the tail
    assert "earlier run" not in result.stderr  # only this attempt


def test_up_gives_up_after_the_timeout_and_stops_the_child(
    fake_daemon: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DAEMON_MODE", "hang")
    monkeypatch.setattr(dp, "STARTUP_TIMEOUT", 0.5)
    spawned: list[subprocess.Popen[bytes]] = []
    real_spawn = dp.spawn_detached

    def spawn(*args: object) -> tuple[subprocess.Popen[bytes], int]:
        child, offset = real_spawn(*args)  # type: ignore[arg-type]
        spawned.append(child)
        return child, offset

    monkeypatch.setattr(dp, "spawn_detached", spawn)
    result = runner.invoke(cli.app, ["up", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "did not answer on" in result.stderr and "so it was stopped" in result.stderr
    assert spawned[0].wait(timeout=5) is not None


def test_down_kills_a_daemon_that_ignores_shutdown(
    fake_daemon: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_DAEMON_MODE", "stubborn")
    monkeypatch.setattr(dp, "STOP_TIMEOUT", 0.5)
    result = runner.invoke(cli.app, ["up", "--port", str(free_port())])
    assert result.exit_code == 0, result.output
    pid = dp.read_pid(fake_daemon / "lynkr.pid")
    assert pid is not None
    result = runner.invoke(cli.app, ["down"])
    assert result.exit_code == 0
    assert f"Lynkr (pid {pid}) did not stop within 0.5 s; killed it with SIGKILL" in one_line(result.stderr)
    assert not dp.pid_alive(pid)
    assert not (fake_daemon / "lynkr.pid").exists()
    assert not (fake_daemon / "control.sock").exists()


def test_foreground_prints_the_banner_then_execs_the_daemon(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    monkeypatch.setattr(
        cli, "load_config_or_exit", lambda path, host=None, port=None: sim_config(port or 8081)
    )
    calls: list[tuple[str, list[str], dict[str, str]]] = []

    class Execed(Exception):
        pass

    def fake_execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        calls.append((path, argv, env))
        raise Execed

    monkeypatch.setattr(os, "execve", fake_execve)
    port = free_port()
    result = runner.invoke(cli.app, ["up", "--foreground", "--port", str(port), "--host", "127.0.0.1"])
    assert isinstance(result.exception, Execed)
    path, argv, env = calls[0]
    assert path == sys.executable
    assert argv == [sys.executable, "-m", "daemon", "--host", "127.0.0.1", "--port", str(port)]
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)
    out = result.stdout
    assert f"starting in the foreground (pid {os.getpid()})" in out
    assert f"API:     http://127.0.0.1:{port}" in out
    assert "Logs:    this terminal (stderr)" in out
    assert one_line(SIMULATED_NOTICE) in one_line(out)


# --------------------------------------------------------------------------- config check (real loader)


def test_config_check_built_in_defaults(home: Path) -> None:
    result = runner.invoke(cli.app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Config OK: built-in defaults")
    assert "simulated:simulated-simple" in result.stdout
    assert one_line(SIMULATED_NOTICE) in one_line(result.stdout)


def test_config_check_a_valid_file(home: Path) -> None:
    path = home / "good.toml"
    path.write_text(
        '[server]\nport = 9123\n[providers.sim]\ntype = "simulated"\n'
        '[tiers.simple]\nprovider = "sim"\nmodel = "fast"\n'
    )
    result = runner.invoke(cli.app, ["config", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Config OK: {path}"
    assert "Listen:  http://127.0.0.1:9123" in result.stdout
    assert "sim:fast" in result.stdout


def test_config_check_lists_every_problem_with_its_key(home: Path) -> None:
    path = home / "bad.toml"
    path.write_text('[server]\nport = "eighty"\nbogus = 1\n[tiers.simple]\nprovider = "nope"\nmodel = "m"\n')
    result = runner.invoke(cli.app, ["config", "check", str(path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"lynkr: the config at {path} is invalid:"
    problems = lines[1:]
    assert any(line.startswith("server.port:") for line in problems)
    assert any(line.startswith("server.bogus:") for line in problems)
    assert any(line.startswith("tiers.simple.provider:") for line in problems)


def test_config_check_missing_file(home: Path) -> None:
    result = runner.invoke(cli.app, ["config", "check", str(home / "missing.toml")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_config_check_uses_the_search_order(home: Path) -> None:
    (home / "lynkr.toml").write_text("[server]\nport = 9124\n")
    result = runner.invoke(cli.app, ["config", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"Config OK: {home / 'lynkr.toml'}"


def test_up_with_an_invalid_config_spawns_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dp, "DAEMON_COMMAND", [sys.executable, str(FAKE_DAEMON)])
    (home / "lynkr.toml").write_text("[server]\nport = 0\n")
    result = runner.invoke(cli.app, ["up"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"lynkr: the config at {home / 'lynkr.toml'} is invalid:"
    assert result.stderr.splitlines()[1].startswith("server.port:")
    assert not (home / "fake-argv.json").exists()


def test_timing_sanity() -> None:
    # Keeps the polling interval honest: a status round-trip against nothing is instant.
    started = time.monotonic()
    dp.probe(dp.StatePaths(Path("/nonexistent-lynkr"), Path("/nonexistent-lynkr")))
    assert time.monotonic() - started < 0.5
