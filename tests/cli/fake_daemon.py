"""A stand-in for ``python -m daemon`` that speaks the control API, for the CLI's unit tests.

Standard library only (http.server over a Unix socket), so it starts in a few
milliseconds and the tests do not depend on the real daemon being finished.
Run as a script with the daemon's arguments; ``FAKE_DAEMON_MODE`` picks a behaviour:

- ``ok``: write the pid file, serve /v1/status and /v1/shutdown, exit on shutdown or SIGTERM.
- ``fail``: log a line, then the daemon's fatal-error line, exit 2.
- ``crash``: log some lines without an error line, exit 3.
- ``hang``: never open the control socket.
- ``stubborn``: like ``ok`` but ignores /v1/shutdown and SIGTERM (only SIGKILL stops it).

``ControlServer`` is also used in-process (in a thread) by the unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socketserver
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any


def make_status(pid: int, socket_path: str, port: int = 8081, **overrides: Any) -> dict[str, Any]:
    tiers = {
        tier: {
            "provider": "simulated",
            "provider_type": "simulated",
            "model": f"simulated-{tier}",
            "simulated": True,
            "fallback": [],
        }
        for tier in ("simple", "medium", "complex", "reasoning")
    }
    status = {
        "version": "0.1.0",
        "pid": pid,
        "started_at": time.time() - 125,
        "uptime_seconds": 125.0,
        "url": f"http://127.0.0.1:{port}",
        "control_socket": socket_path,
        "config_source": None,
        "simulated_only": True,
        "default_tier": "medium",
        "tiers": tiers,
        "warnings": [],
    }
    status.update(overrides)
    return status


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    status: Callable[[], dict[str, Any]]
    on_shutdown: Callable[[], None]
    requests_seen: list[tuple[str, str]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _send(self, code: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.requests_seen.append(("GET", self.path))
        if self.path == "/v1/status":
            self._send(200, self.server.status())
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        self.server.requests_seen.append(("POST", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/v1/shutdown":
            self._send(202, {"status": "stopping"})
            self.server.on_shutdown()
        else:
            self._send(404, {"error": "not found"})

    def address_string(self) -> str:  # a Unix socket peer has no (host, port)
        return "unix"

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ControlServer:
    """The control API on a Unix socket, served from a background thread."""

    def __init__(
        self,
        socket_path: Path,
        status: Callable[[], dict[str, Any]],
        on_shutdown: Callable[[], None] = lambda: None,
    ) -> None:
        self.socket_path = socket_path
        self.server = _Server(str(socket_path), _Handler)
        self.server.status = status
        self.server.on_shutdown = on_shutdown
        self.server.requests_seen = []
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02})

    @property
    def requests_seen(self) -> list[tuple[str, str]]:
        return self.server.requests_seen

    def __enter__(self) -> ControlServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        try:
            self.socket_path.unlink()
        except OSError:
            pass

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    mode = os.environ.get("FAKE_DAEMON_MODE", "ok")
    home = Path(os.environ["LYNKR_HOME"])
    # The CLI shows argv in nothing but the tests want to see what it passed.
    (home / "fake-argv.json").write_text(json.dumps(sys.argv[1:]))

    if mode == "fail":
        print("fake: starting", file=sys.stderr)
        print(
            "lynkr: error: port 1 on 127.0.0.1 is already in use; stop the program using it or pass --port",
            file=sys.stderr,
        )
        return 2
    if mode == "crash":
        for i in range(20):
            print(f"fake: log line {i}", file=sys.stderr)
        return 3
    if mode == "hang":
        time.sleep(600)
        return 0

    stop = threading.Event()
    socket_path = home / "control.sock"
    pid_file = home / "lynkr.pid"
    if mode == "stubborn":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        on_shutdown: Callable[[], None] = lambda: None  # noqa: E731
    else:
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        on_shutdown = stop.set
    status = make_status(
        os.getpid(),
        str(socket_path),
        args.port,
        url=f"http://{args.host}:{args.port}",
        config_source=args.config,
    )
    server = ControlServer(socket_path, lambda: status, on_shutdown)
    with server:
        pid_file.write_text(f"{os.getpid()}\n")
        print("fake: running", file=sys.stderr, flush=True)
        while not stop.wait(0.05):
            pass
        time.sleep(0.1)  # let the shutdown response go out
    pid_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
