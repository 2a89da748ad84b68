"""Who may use the daemon's TCP port: the proxy key for model endpoints, the admin token
for ``/v1/admin/*``.

On 127.0.0.1 with no key set, anyone on this machine may call the model endpoints, as with
any local dev server. Binding another address requires a key (the config loader refuses to
start without one), because every provider key on this machine is one request away.
Keys are compared in constant time, and never logged or echoed.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

from aiohttp import web

from daemon.errors import ErrorKind, LynkrError

# Liveness probes and Claude Code's HEAD / connectivity check carry no credentials.
OPEN_PATHS = frozenset({"/", "/health/live", "/health/ready"})
ADMIN_PREFIX = "/v1/admin/"


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key a client sent, the way either SDK sends it."""
    auth = headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return headers.get("x-api-key") or headers.get("api-key")


def matches(presented: str | None, expected: str) -> bool:
    return presented is not None and hmac.compare_digest(presented.encode(), expected.encode())


def check_proxy_key(request: web.Request, env_name: str) -> LynkrError | None:
    expected = os.environ.get(env_name)
    if not expected or request.path in OPEN_PATHS or request.path.startswith(ADMIN_PREFIX):
        return None
    if matches(presented_key(request.headers), expected):
        return None
    return LynkrError(
        ErrorKind.AUTHENTICATION,
        "missing or wrong proxy key: send the key this Lynkr was started with "
        f"(its {env_name}) as Authorization: Bearer or x-api-key",
    )


def check_admin_token(request: web.Request, env_name: str) -> LynkrError | None:
    expected = os.environ.get(env_name)
    if not expected:
        return LynkrError(
            ErrorKind.PERMISSION,
            f"admin endpoints on the TCP port are off: set {env_name} to enable them, "
            "or use the control socket (lynkr config apply, lynkr reload)",
        )
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else None
    if matches(token, expected):
        return None
    return LynkrError(ErrorKind.AUTHENTICATION, f"missing or wrong admin token ({env_name}) in Authorization")
