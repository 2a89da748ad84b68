"""Where the console's data comes from: the ``DataSource`` interface and its control-socket implementation.

The console never talks to the daemon any other way. Every method here blocks (stdlib HTTP over the
Unix socket), so the app only calls them from thread workers, never on the UI thread. A fake source
with canned data (``lynkr_tui.console.fake``) implements the same interface for snapshots and benches.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from lynkr_tui.control_client import ControlClient, ControlError, NotRunning, UnixHTTPConnection

__all__ = ["ControlError", "ControlSource", "DataSource", "NotRunning", "Unavailable"]


class Unavailable(ControlError):
    """The daemon answers but does not serve this endpoint (an older daemon, or a feature that is off)."""


class DataSource(Protocol):
    """Everything the console reads or changes. Methods block; call them from a worker thread.

    ``NotRunning`` means no daemon answers; ``Unavailable`` means the endpoint is missing (404);
    any other ``ControlError`` is a refusal whose message is fit to show the operator.
    """

    def status(self) -> dict[str, Any]: ...
    def stats(self) -> dict[str, Any]: ...
    def recent_decisions(self, limit: int) -> list[dict[str, Any]]: ...
    def decision(self, decision_id: str) -> dict[str, Any]: ...
    def sessions(self) -> list[dict[str, Any]]: ...
    def set_session_tier(self, session: str, tier: str) -> dict[str, Any]: ...
    def breakers(self) -> list[dict[str, Any]]: ...
    def reset_breaker(self, provider: str) -> dict[str, Any]: ...
    def memories(self, query: str, limit: int) -> dict[str, Any]: ...
    def memory(self, memory_id: int | str) -> dict[str, Any]: ...
    def delete_memory(self, memory_id: int | str) -> None: ...
    def config(self) -> dict[str, Any]: ...
    def validate_config(self, text: str) -> dict[str, Any]: ...
    def apply_config(self, text: str) -> dict[str, Any]: ...
    def replay(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def events(self, stop: threading.Event) -> Iterator[dict[str, Any]]: ...
    def start_daemon(self) -> str: ...


def _message(body: Any) -> str:
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body)
    return str(body)


class ControlSource:
    """The real source: the daemon's control socket, through the CLI's stdlib client."""

    def __init__(self, socket_path: Path, timeout: float = 5.0) -> None:
        self.socket_path = Path(socket_path)
        self.client = ControlClient(socket_path, timeout=timeout)

    def _call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200,)) -> Any:
        code, answer = self.client.request(method, path, body)
        if code in ok:
            return answer
        if code == 404 and not (
            isinstance(answer, dict) and "error" in answer and "no such" in answer["error"]
        ):
            raise Unavailable(f"{method} {path} is not available from this daemon")
        raise ControlError(_message(answer))

    def status(self) -> dict[str, Any]:
        return self.client.status()

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/v1/stats?window=3600")

    def recent_decisions(self, limit: int) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v1/decisions?limit={int(limit)}").get("decisions", []))

    def decision(self, decision_id: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/decisions/{quote(decision_id, safe='')}")

    def sessions(self) -> list[dict[str, Any]]:
        return self.client.sessions()

    def set_session_tier(self, session: str, tier: str) -> dict[str, Any]:
        return self._call("POST", f"/v1/sessions/{quote(session, safe='')}/tier", {"tier": tier})

    def breakers(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/v1/breakers").get("breakers", []))

    def reset_breaker(self, provider: str) -> dict[str, Any]:
        return self._call("POST", f"/v1/breakers/{quote(provider, safe='')}/reset")

    def memories(self, query: str, limit: int) -> dict[str, Any]:
        params = urlencode({"q": query, "limit": limit} if query else {"limit": limit})
        return self._call("GET", f"/v1/memory?{params}")

    def memory(self, memory_id: int | str) -> dict[str, Any]:
        return self._call("GET", f"/v1/memory/{quote(str(memory_id), safe='')}")

    def delete_memory(self, memory_id: int | str) -> None:
        self._call("DELETE", f"/v1/memory/{quote(str(memory_id), safe='')}")

    def config(self) -> dict[str, Any]:
        return self._call("GET", "/v1/config")

    def validate_config(self, text: str) -> dict[str, Any]:
        return self._call("POST", "/v1/config/validate", {"text": text})

    def apply_config(self, text: str) -> dict[str, Any]:
        # 422 is an answer, not a failure: the body lists the problems and nothing was applied.
        return self._call("POST", "/v1/config/apply", {"text": text}, ok=(200, 409, 422))

    def replay(self, body: dict[str, Any]) -> dict[str, Any]:
        code, answer = self.client.request("POST", "/v1/replay", body)
        if code == 200 and isinstance(answer, dict):
            return answer
        problems = answer.get("problems") if isinstance(answer, dict) else None
        detail = "; ".join(
            f"{p.get('key')}: {p.get('message')}" for p in problems or [] if isinstance(p, dict)
        )
        raise ControlError(_message(answer) + (f" ({detail})" if detail else ""))

    def events(self, stop: threading.Event) -> Iterator[dict[str, Any]]:
        """The NDJSON event stream, one dict per line, until ``stop`` is set or the daemon goes away.

        The read timeout is a little over the daemon's 15 s heartbeat, so a daemon that vanished
        without closing the socket is noticed; ``stop`` is checked between lines.
        """
        conn = UnixHTTPConnection(self.socket_path, timeout=20.0)
        try:
            try:
                conn.request("GET", "/v1/events")
                response = conn.getresponse()
            except OSError as exc:
                raise NotRunning(f"no daemon answers on {self.socket_path}: {exc}") from exc
            if response.status != 200:
                raise ControlError(f"GET /v1/events answered {response.status}")
            while not stop.is_set():
                try:
                    line = response.readline()
                except OSError as exc:
                    raise NotRunning(f"the event stream broke: {exc}") from exc
                if not line:
                    raise NotRunning("the daemon closed the event stream")
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # a torn line while the daemon stops; the next snapshot covers it
                if isinstance(event, dict):
                    yield event
        finally:
            conn.close()

    def start_daemon(self) -> str:
        """``lynkr up`` with the default config: spawn detached and wait until it answers."""
        from daemon.paths import resolve_paths
        from lynkr_tui import daemon_process as dp

        paths = resolve_paths()
        found = dp.probe(paths)
        if found.running:
            return "a daemon is already running"
        paths.ensure()
        child, offset = dp.spawn_detached(dp.daemon_argv(None, None, None), paths.log_file, dp.daemon_env())
        result = dp.wait_until_up(child, paths, offset)
        if result.status is not None:
            return f"started Lynkr (pid {child.pid}) at {result.status.get('url')}"
        tail = " / ".join(result.log_tail[-3:])
        raise ControlError(f"the daemon did not start: {tail or 'see the log'}")
