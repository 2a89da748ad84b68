"""The `lynkr` CLI against real daemon processes (`python -m daemon`).

Each daemon gets its own short LYNKR_HOME and a free port; every home used is
`lynkr down`-ed (then SIGKILLed if need be) at teardown, so no process leaks.
The CLI runs as `python -m lynkr_tui.cli`, since `lynkr` may not be installed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lynkr_tui.status_view import API_NOTE

ROOT = Path(__file__).resolve().parents[2]
SIMULATED_NOTICE = (
    "No providers configured: every tier is served by the built-in SIMULATED provider "
    "(replies are not from a real model). Add providers to lynkr.toml: see config.example.toml."
)

pytestmark = pytest.mark.timeout(60)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not reaped by its parent yet) is dead
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True


@dataclass
class Home:
    """One LYNKR_HOME and a minimal environment: the developer's config and variables stay out."""

    path: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.path),
            "LANG": "C.UTF-8",
            "LYNKR_HOME": str(self.path),
            "XDG_CONFIG_HOME": str(self.path / "xdg"),
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "250",  # rich folds at 80 columns without a terminal; keep sentences whole
        }

    def lynkr(self, *args: str, timeout: float = 40) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lynkr_tui.cli", *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def pid(self) -> int | None:
        try:
            return int((self.path / "lynkr.pid").read_text())
        except (OSError, ValueError):
            return None

    def status_json(self) -> dict:
        result = self.lynkr("status", "--json")
        return json.loads(result.stdout)


@pytest.fixture
def make_home() -> Iterator[Callable[[], Home]]:
    homes: list[Home] = []

    def make() -> Home:
        # Short, under /tmp: the control socket path must fit in a Unix socket address.
        home = Home(Path(tempfile.mkdtemp(prefix="lkd", dir="/tmp")))
        homes.append(home)
        return home

    yield make
    for home in homes:
        pid = home.pid()
        try:
            home.lynkr("down", timeout=30)
        finally:
            if pid is not None and pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
            shutil.rmtree(home.path, ignore_errors=True)


def http_get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy from the env
    with opener.open(url, timeout=5) as response:
        return response.status, response.read()


def test_up_status_health_twice_down(make_home: Callable[[], Home]) -> None:
    home = make_home()
    port = free_port()

    up = home.lynkr("up", "--port", str(port))
    assert up.returncode == 0, up.stderr
    pid = home.pid()
    assert pid is not None and pid_alive(pid)
    assert f"Lynkr 0.1.0 is running (pid {pid})" in up.stdout
    assert f"API:     http://127.0.0.1:{port}  {API_NOTE}" in up.stdout
    assert f"Control: {home.path / 'control.sock'}" in up.stdout
    assert f"Logs:    {home.path / 'lynkr.log'}" in up.stdout
    assert "SIMULATED" in up.stdout and SIMULATED_NOTICE in up.stdout

    status = home.status_json()
    assert status["running"] is True
    assert status["pid"] == pid
    assert status["url"] == f"http://127.0.0.1:{port}"
    assert status["simulated_only"] is True
    assert set(status["tiers"]) == {"simple", "medium", "complex", "reasoning"}
    assert all(tier["simulated"] for tier in status["tiers"].values())

    human = home.lynkr("status")
    assert human.returncode == 0
    assert f"is running (pid {pid}), up " in human.stdout

    code, body = http_get(f"{status['url']}/health/live")
    assert code == 200 and json.loads(body)["status"] == "alive"

    again = home.lynkr("up", "--port", str(free_port()))
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"Lynkr is already running (pid {pid}) at http://127.0.0.1:{port}; run `lynkr down` first, "
        "or set LYNKR_HOME to run a second one."
    )

    down = home.lynkr("down")
    assert down.returncode == 0, down.stderr
    assert down.stdout.splitlines() == [f"Stopping Lynkr (pid {pid})...", "Lynkr stopped."]
    assert not pid_alive(pid)
    assert not (home.path / "lynkr.pid").exists()
    assert not (home.path / "control.sock").exists()

    after = home.lynkr("status")
    assert after.returncode == 1
    assert after.stdout.strip() == f"Lynkr is not running (state dir: {home.path})."
    assert home.lynkr("down").stdout.strip() == "Lynkr is not running."


def test_port_taken(make_home: Callable[[], Home]) -> None:
    home = make_home()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = home.lynkr("up", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Port {port} on 127.0.0.1 is already in use; stop the program using it or pass --port."
    )
    assert home.pid() is None


def test_invalid_config_leaves_no_daemon(make_home: Callable[[], Home]) -> None:
    home = make_home()
    config = home.path / "lynkr.toml"
    config.write_text('[server]\nport = 70000\n[tiers.simple]\nprovider = "nope"\nmodel = "m"\n')
    result = home.lynkr("up")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"lynkr: the config at {config} is invalid:"
    assert any(line.startswith("server.port:") for line in lines[1:])
    assert any(line.startswith("tiers.simple.provider:") for line in lines[1:])
    assert home.pid() is None
    assert not (home.path / "control.sock").exists()
    assert home.lynkr("status").returncode == 1

    check = home.lynkr("config", "check")
    assert check.returncode == 1
    assert check.stderr == result.stderr


def test_two_daemons_side_by_side(make_home: Callable[[], Home]) -> None:
    first, second = make_home(), make_home()
    port_a, port_b = free_port(), free_port()
    up_a = first.lynkr("up", "--port", str(port_a))
    up_b = second.lynkr("start", "--port", str(port_b))  # the original Lynkr's spelling
    assert up_a.returncode == 0, up_a.stderr
    assert up_b.returncode == 0, up_b.stderr
    assert "is running" in up_b.stdout

    status_a, status_b = first.status_json(), second.status_json()
    assert status_a["url"] == f"http://127.0.0.1:{port_a}"
    assert status_b["url"] == f"http://127.0.0.1:{port_b}"
    assert status_a["pid"] != status_b["pid"]

    assert first.lynkr("down").returncode == 0
    assert first.lynkr("status").returncode == 1
    assert not pid_alive(status_a["pid"])
    still = second.status_json()
    assert still["running"] is True and still["pid"] == status_b["pid"]
    assert http_get(f"http://127.0.0.1:{port_b}/health/live")[0] == 200


def test_foreground_becomes_the_daemon(make_home: Callable[[], Home]) -> None:
    home = make_home()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "lynkr_tui.cli", "up", "--foreground", "--port", str(port)],
        cwd=home.path,
        env=home.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while home.pid() is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        status = home.status_json()
        assert status["running"] is True
        assert status["pid"] == process.pid  # exec kept the pid the banner printed
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert f"starting in the foreground (pid {process.pid})" in out
    assert "Logs:    this terminal (stderr)" in out
    assert "listening on" in err  # the daemon's own log went to this terminal
    assert home.pid() is None
