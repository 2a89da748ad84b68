"""A small synchronous client for the daemon's control API (HTTP over a Unix socket).

Only the standard library, so ``lynkr status`` starts in a few tens of
milliseconds: no aiohttp, no event loop. Every failure to reach a daemon is
a ``NotRunning``; a daemon that answers with something unexpected is a
``ControlError``, so commands can tell "nothing there" from "something broken".
"""

from __future__ import annotations

import http.client
import json
import os
import socket
from pathlib import Path
from typing import Any

# sockaddr_un.sun_path is 108 bytes on Linux and 104 on macOS/BSD, both counting
# the trailing NUL. The daemon refuses paths over 104 bytes; use the same limit so
# the CLI and the daemon never disagree about a path.
MAX_SOCKET_PATH_BYTES = 104


class ControlError(Exception):
    """The control socket answered, but not with what the contract says."""


class NotRunning(ControlError):
    """Nothing answers on the control socket (missing, refused, or timed out)."""


class SocketPathTooLong(ValueError):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.length = len(os.fsencode(path))
        super().__init__(
            f"the control socket path {path} is {self.length} bytes, longer than the "
            f"{MAX_SOCKET_PATH_BYTES} a Unix socket allows; set LYNKR_HOME to a shorter directory"
        )


def check_socket_path(path: Path) -> None:
    if len(os.fsencode(path)) > MAX_SOCKET_PATH_BYTES:
        raise SocketPathTooLong(path)


class UnixHTTPConnection(http.client.HTTPConnection):
    """``HTTPConnection`` whose transport is an AF_UNIX stream socket."""

    def __init__(self, socket_path: str | os.PathLike[str], timeout: float = 5.0) -> None:
        # The host only ends up in the Host header; aiohttp needs one to be present.
        super().__init__("localhost", timeout=timeout)
        self.socket_path = os.fspath(socket_path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class ControlClient:
    def __init__(self, socket_path: str | os.PathLike[str], timeout: float = 5.0) -> None:
        self.socket_path = Path(socket_path)
        self.timeout = timeout

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One request on a fresh connection; returns (status code, decoded JSON or None)."""
        check_socket_path(self.socket_path)
        conn = UnixHTTPConnection(self.socket_path, timeout=self.timeout)
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            try:
                conn.request(method, path, body=payload, headers=headers)
            except (FileNotFoundError, ConnectionRefusedError, TimeoutError) as exc:
                # No socket file, a stale one nobody listens on, or a daemon too stuck to accept.
                raise NotRunning(f"no daemon answers on {self.socket_path}: {exc}") from exc
            except OSError as exc:  # ENOTSOCK, EACCES, ...: also "no usable daemon here"
                raise NotRunning(f"cannot connect to {self.socket_path}: {exc}") from exc
            try:
                response = conn.getresponse()
                raw = response.read()
            except (TimeoutError, http.client.HTTPException, ConnectionError) as exc:
                # Accepted but no answer: a daemon shutting down closes connections like this.
                raise NotRunning(f"the daemon on {self.socket_path} did not answer: {exc}") from exc
        finally:
            conn.close()
        if not raw:
            return response.status, None
        try:
            return response.status, json.loads(raw)
        except ValueError as exc:
            raise ControlError(f"the daemon answered {method} {path} with non-JSON: {raw[:200]!r}") from exc

    def status(self) -> dict[str, Any]:
        code, body = self.request("GET", "/v1/status")
        if code != 200 or not isinstance(body, dict):
            raise ControlError(f"GET /v1/status answered {code}: {body!r}")
        return body

    def shutdown(self) -> dict[str, Any]:
        code, body = self.request("POST", "/v1/shutdown")
        if code not in (200, 202):
            raise ControlError(f"POST /v1/shutdown answered {code}: {body!r}")
        return body if isinstance(body, dict) else {}

    def sessions(self) -> list[dict[str, Any]]:
        code, body = self.request("GET", "/v1/sessions")
        if code != 200 or not isinstance(body, dict):
            raise ControlError(f"GET /v1/sessions answered {code}: {body!r}")
        return list(body.get("sessions", []))

    def set_session_tier(self, session: str, tier: str) -> dict[str, Any]:
        from urllib.parse import quote

        code, body = self.request("POST", f"/v1/sessions/{quote(session, safe='')}/tier", {"tier": tier})
        if code != 200 or not isinstance(body, dict):
            message = body.get("error") if isinstance(body, dict) else body
            raise ControlError(f"the daemon refused: {message}")
        return body

    def try_status(self) -> dict[str, Any] | None:
        """The status, or None when no daemon answers (a malformed answer still raises)."""
        try:
            return self.status()
        except NotRunning:
            return None
