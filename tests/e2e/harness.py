"""Runs a real Lynkr daemon process for black-box tests.

Each ``DaemonProcess`` gets its own ``LYNKR_HOME`` and a free port, so
several can run side by side (and pytest-xdist workers never collide).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class DaemonProcess:
    def __init__(self, home: Path, config_text: str | None, env: dict[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        self.config_path: Path | None = None
        if config_text is not None:
            self.config_path = home / "lynkr.toml"
            self.config_path.write_text(config_text)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("LYNKR_", "SIMPLE_", "MEDIUM_"))},
            "LYNKR_HOME": str(home),
            **(env or {}),
        }
        self.log_path = home / "daemon-test.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> DaemonProcess:
        args = [sys.executable, "-m", "daemon", "--port", str(self.port)]
        if self.config_path:
            args += ["--config", str(self.config_path)]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daemon exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/ready", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"daemon did not become ready:\n{self.log()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``lynkr ARGS`` against this daemon (its LYNKR_HOME), as a user would."""
        return subprocess.run(
            [sys.executable, "-m", "lynkr_tui.cli", *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            timeout=30,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
