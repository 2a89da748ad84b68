"""Where the daemon keeps its files.

Everything the daemon writes lives under one state directory so that two
daemons with different ``LYNKR_HOME`` never touch each other's files:

- ``$LYNKR_HOME`` when set: state, logs, pid *and* the control socket.
- otherwise ``$XDG_STATE_HOME/lynkr`` (default ``~/.local/state/lynkr``), with
  the control socket under ``$XDG_RUNTIME_DIR/lynkr`` when that is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class StatePaths:
    state_dir: Path
    runtime_dir: Path

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "lynkr.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "lynkr.log"

    @property
    def database(self) -> Path:
        return self.state_dir / "lynkr.db"

    @property
    def control_socket(self) -> Path:
        return self.runtime_dir / "control.sock"

    def ensure(self) -> StatePaths:
        for directory in (self.state_dir, self.runtime_dir):
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The control socket changes the daemon: its directory is the owner's alone, even when
        # it existed before (a LYNKR_HOME made with the default umask).
        if self.runtime_dir.stat().st_mode & 0o077:
            self.runtime_dir.chmod(0o700)
        return self


def resolve_paths(env: os._Environ[str] | dict[str, str] | None = None) -> StatePaths:
    env = os.environ if env is None else env
    home = env.get("LYNKR_HOME")
    if home:
        base = Path(home).expanduser()
        return StatePaths(base, base)
    state_home = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    state = Path(state_home).expanduser() / "lynkr"
    runtime = env.get("XDG_RUNTIME_DIR")
    return StatePaths(state, Path(runtime) / "lynkr" if runtime else state)
