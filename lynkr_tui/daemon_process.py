"""Finding, starting and stopping the daemon process. Standard library only.

The pid file says which process *claims* a state dir; the control socket
answering says a daemon really runs there. A pid file alone can lie (the
daemon crashed, the pid was reused), so it is trusted only for a process
that is alive and looks like a Lynkr daemon.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from daemon.paths import StatePaths
from lynkr_tui.control_client import ControlClient, ControlError, NotRunning

STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 20.0
POLL_INTERVAL = 0.05

# The daemons this process started. They outlive it on purpose; holding the Popen objects
# keeps Python from warning "subprocess is still running" when they would be collected
# (which only happens in long-lived callers such as the test suite).
_STARTED: list[subprocess.Popen[bytes]] = []

# What `lynkr up` runs. Tests swap in a fake daemon; the arguments are appended.
DAEMON_COMMAND: list[str] = [sys.executable, "-m", "daemon"]


# --------------------------------------------------------------------------- processes


def read_pid(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text().strip()
    except OSError:
        return None
    try:
        pid = int(text)
    except ValueError:
        return None
    return pid if pid > 0 else None


def pid_alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # A zombie still accepts signal 0; it is dead for our purposes (its parent
    # just has not reaped it yet, e.g. pytest holding the Popen of a test daemon).
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no procfs (macOS) or it vanished just now; kill(0) said alive
    # The state letter follows the command name, which is in parentheses and may contain spaces.
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def looks_like_daemon(pid: int) -> bool:
    """Whether pid runs something Lynkr-like, so a reused pid never gets our SIGTERM.

    Unknown (no procfs, no psutil) counts as yes: the pid file is the daemon's own.
    """
    argv: list[str] | None = None
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        argv = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    except OSError:
        try:
            import psutil  # slow-ish to import; only reached off Linux

            argv = psutil.Process(pid).cmdline()
        except Exception:
            return True
    if not argv:
        return True  # kernel thread or exiting process: cannot tell
    return any("daemon" in part or "lynkr" in part.lower() for part in argv)


def wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_INTERVAL)
    return True


def remove_quietly(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


# --------------------------------------------------------------------------- state of a state dir


@dataclass(slots=True)
class Probe:
    """What is found in a state dir.

    ``status`` is set when a daemon answered on the control socket; ``pid`` is
    a live Lynkr-looking process named by the pid file (or the status).
    """

    paths: StatePaths
    status: dict[str, Any] | None = None
    pid: int | None = None

    @property
    def running(self) -> bool:
        return self.status is not None

    @property
    def unresponsive(self) -> bool:
        """A live daemon process that does not answer: starting, stuck, or its socket was deleted."""
        return self.status is None and self.pid is not None


def probe(paths: StatePaths, timeout: float = 3.0) -> Probe:
    """Look at a state dir; silently remove a pid file whose process is gone."""
    result = Probe(paths)
    result.status = ControlClient(paths.control_socket, timeout=timeout).try_status()
    if result.status is not None and isinstance(result.status.get("pid"), int):
        result.pid = result.status["pid"]
        return result
    pid = read_pid(paths.pid_file)
    if pid is None:
        return result
    if pid_alive(pid) and looks_like_daemon(pid):
        result.pid = pid
    elif result.status is None:
        remove_quietly(paths.pid_file)  # stale: the daemon died without cleaning up
    return result


# --------------------------------------------------------------------------- port check


class PortUnavailable(Exception):
    """The daemon could not listen on host:port. ``in_use`` tells EADDRINUSE from the rest."""

    def __init__(self, host: str, port: int, in_use: bool, detail: str = "") -> None:
        self.host, self.port, self.in_use, self.detail = host, port, in_use, detail
        super().__init__(detail or f"{host}:{port} unavailable")


def check_port_free(host: str, port: int) -> None:
    """Bind (and release) every address host resolves to, as the daemon will.

    SO_REUSEADDR is on, like the daemon's listener: without it, connections
    in TIME_WAIT from a daemon stopped a moment ago would make a free port
    look taken. On Linux it still fails on a port someone listens on.
    """
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortUnavailable(host, port, False, f"cannot resolve host {host!r}: {exc.strerror}") from exc
    seen: set[tuple[int, Any]] = set()
    for family, type_, proto, _, sockaddr in infos:
        if (family, sockaddr) in seen:
            continue
        seen.add((family, sockaddr))
        sock = socket.socket(family, type_, proto)
        try:
            if os.name != "nt":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # aiohttp/asyncio bind IPv6 sockets v6-only; do the same so "::" and
                # "0.0.0.0" are checked separately, as they will be used.
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(sockaddr)
        except OSError as exc:
            in_use = exc.errno == errno.EADDRINUSE
            raise PortUnavailable(host, port, in_use, exc.strerror or str(exc)) from exc
        finally:
            sock.close()


# --------------------------------------------------------------------------- start


def daemon_argv(config: Path | None, host: str | None, port: int | None) -> list[str]:
    argv = list(DAEMON_COMMAND)
    if config is not None:
        argv += ["--config", str(config)]
    if host is not None:
        argv += ["--host", host]
    if port is not None:
        argv += ["--port", str(port)]
    return argv


def daemon_env() -> dict[str, str]:
    """The environment for the daemon: ours, plus the directory this ``daemon`` package came from.

    Without it ``python -m daemon`` would only work from the source checkout
    (or an installed copy), and might even pick up a different ``daemon``.
    """
    import daemon

    env = dict(os.environ)
    root = str(Path(daemon.__file__).resolve().parent.parent)
    existing = env.get("PYTHONPATH")
    env["PYTHONPATH"] = root + (os.pathsep + existing if existing else "")
    return env


@dataclass(slots=True)
class StartResult:
    status: dict[str, Any] | None = None
    """Set when the daemon answered: it is up."""
    exit_code: int | None = None
    """Set when the child exited before answering."""
    log_tail: list[str] = field(default_factory=list)
    """The log lines this start wrote, when it failed."""
    timed_out: bool = False


def spawn_detached(
    argv: list[str], log_file: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the daemon in its own session, its output appended to the log.

    Returns the child and the log size before it started, so a failure can
    show just the lines of this attempt.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(log_file, "ab") as log:
        offset = log.tell()
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env=env,
            close_fds=True,
            # Own session: no controlling terminal, so closing the terminal (SIGHUP)
            # or Ctrl-C in it does not reach the daemon.
            start_new_session=True,
        )
    _STARTED.append(child)
    return child, offset


def read_log_since(log_file: Path, offset: int) -> list[str]:
    try:
        with open(log_file, "rb") as log:
            log.seek(offset)
            data = log.read()
    except OSError:
        return []
    return data.decode(errors="replace").splitlines()


def wait_until_up(
    child: subprocess.Popen[bytes],
    paths: StatePaths,
    log_offset: int,
    timeout: float | None = None,
) -> StartResult:
    """Poll until the child answers /v1/status, exits, or the timeout passes.

    On timeout the child is stopped (a daemon that cannot say it is up is
    not left behind half-started).
    """
    timeout = STARTUP_TIMEOUT if timeout is None else timeout
    client = ControlClient(paths.control_socket, timeout=1.0)
    deadline = time.monotonic() + timeout
    while True:
        code = child.poll()
        if code is not None:
            return StartResult(exit_code=code, log_tail=read_log_since(paths.log_file, log_offset))
        try:
            status = client.status()
        except (NotRunning, ControlError):
            status = None
        # Only our child counts: another daemon answering means ours will fail and exit.
        if status is not None and status.get("pid") == child.pid:
            return StartResult(status=status)
        if time.monotonic() >= deadline:
            break
        time.sleep(POLL_INTERVAL)
    terminate(child.pid, grace=5.0)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=1.0)
    return StartResult(
        timed_out=True, exit_code=child.poll(), log_tail=read_log_since(paths.log_file, log_offset)
    )


# --------------------------------------------------------------------------- stop


def terminate(pid: int, grace: float) -> bool:
    """SIGTERM, wait up to grace seconds, then SIGKILL. True when SIGKILL was needed."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    if wait_for_exit(pid, grace):
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_for_exit(pid, 5.0)
    return True


@dataclass(slots=True)
class StopResult:
    pid: int | None
    how: str
    """"not-running", "shutdown" (asked over the socket), "sigterm", or "sigkill"."""
    waited: float = 0.0
    """How long it was given before SIGKILL."""


def stop(
    paths: StatePaths,
    timeout: float | None = None,
    on_stopping: Callable[[int, str], None] | None = None,
) -> StopResult:
    """Stop the daemon of a state dir: ask over the socket, else SIGTERM; SIGKILL after timeout.

    ``on_stopping(pid, how)`` is called once the stop is under way, before the wait.
    """
    timeout = STOP_TIMEOUT if timeout is None else timeout
    found = probe(paths)
    if found.pid is None and found.status is None:
        # A stale socket file nobody answers on would only confuse the next start.
        remove_quietly(paths.control_socket)
        return StopResult(None, "not-running")
    pid = found.pid
    how = "sigterm"
    if found.running:
        try:
            ControlClient(paths.control_socket, timeout=5.0).shutdown()
            how = "shutdown"
        except (NotRunning, ControlError):
            how = "sigterm"  # it stopped answering in between; fall back to the signal
    if pid is None:
        # Answered but gave no usable pid: wait for the socket to go quiet instead.
        deadline = time.monotonic() + timeout
        client = ControlClient(paths.control_socket, timeout=1.0)
        while client.try_status() is not None and time.monotonic() < deadline:
            time.sleep(POLL_INTERVAL)
        return StopResult(None, how)
    if on_stopping is not None:
        on_stopping(pid, how)
    grace = (found.status or {}).get("shutdown_grace_seconds")
    if isinstance(grace, int | float):
        # The daemon drains in-flight requests for up to its configured grace: never cut that short.
        timeout = max(timeout, grace + 5.0)
    if how == "shutdown":
        if not wait_for_exit(pid, timeout):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_for_exit(pid, 5.0)
            how = "sigkill"
    elif terminate(pid, timeout):
        how = "sigkill"
    if how == "sigkill" or not pid_alive(pid):
        # A killed daemon cannot clean up after itself; a graceful one already did,
        # but the pid file check keeps us from deleting a newer daemon's file.
        if read_pid(paths.pid_file) in (pid, None):
            remove_quietly(paths.pid_file)
        if ControlClient(paths.control_socket, timeout=0.5).try_status() is None:
            remove_quietly(paths.control_socket)
    return StopResult(pid, how, timeout)
