"""``lynkr wrap CLIENT [ARGS...]``: run a coding agent pointed at Lynkr, then say what it cost.

Starts the daemon when none runs, gives the client the environment (and for
Codex the ``-c`` flags) that point it at Lynkr with a placeholder key and a
fresh session id, runs it in the foreground, and when it exits prints the
session's tier mix and spend from the control socket. The client's exit code
is passed through (128+N when a signal N ended it).

Clients get a placeholder key, or the proxy key when ``LYNKR_API_KEY`` is set
(the daemon then requires it). Claude Code and Codex send the session id as ``x-lynkr-session``; Aider and
OpenHands have no way to add a header, so their summary covers every request
the daemon answered while the client ran (and says so).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from lynkr_tui.control_client import ControlClient, ControlError

PLACEHOLDER_KEY = "lynkr"  # clients insist on a key; Lynkr uses its own provider keys
PROXY_KEY_ENV = "LYNKR_API_KEY"  # server.api_key_env's default: when set, the daemon requires it
DEFAULT_MODEL = "lynkr-auto"  # the router picks the tier per request
SESSION_HEADER = "x-lynkr-session"
KNOWN = ("claude", "codex", "aider", "openhands")
DECISIONS_LIMIT = 1000  # the most GET /v1/decisions answers in one call


@dataclass(frozen=True, slots=True)
class Launch:
    argv: list[str]
    env: dict[str, str]
    sends_session: bool


def client_url(url: str) -> str:
    """The daemon's URL as a local client reaches it (a wildcard listen address is not dialable)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):
        netloc = f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1"
        return urlunsplit((parts.scheme or "http", netloc, "", "", ""))
    return url.rstrip("/")


def _has_option(args: list[str], *names: str) -> bool:
    return any(a in names or any(a.startswith(f"{n}=") for n in names) for a in args)


def launch(client: str, args: list[str], url: str, session: str, env: Mapping[str, str]) -> Launch:
    """The command line and environment that point ``client`` at the daemon on ``url``."""
    name = os.path.basename(client)
    child = dict(env)
    key = env.get(PROXY_KEY_ENV) or PLACEHOLDER_KEY
    child["LYNKR_SESSION"] = session  # for scripts run by the client
    if name == "claude":
        child["ANTHROPIC_BASE_URL"] = url
        child["ANTHROPIC_AUTH_TOKEN"] = key
        # The daemon (this process's environment) keeps the real key; Claude Code would only ask
        # whether to use it and then send it to Lynkr, which ignores client keys.
        child.pop("ANTHROPIC_API_KEY", None)
        extra = child.get("ANTHROPIC_CUSTOM_HEADERS", "").strip()
        header = f"{SESSION_HEADER}: {session}"
        child["ANTHROPIC_CUSTOM_HEADERS"] = f"{extra}\n{header}" if extra else header
        return Launch([client, *args], child, True)
    if name == "codex":
        # A provider of its own: Codex speaks only the Responses API; env_key names the key's variable.
        child[PROXY_KEY_ENV] = key
        provider = (
            f'{{name="Lynkr",base_url="{url}/v1",wire_api="responses",env_key="{PROXY_KEY_ENV}",'
            f'http_headers={{"{SESSION_HEADER}"="{session}"}}}}'
        )
        flags = ["-c", f"model_providers.lynkr={provider}", "-c", 'model_provider="lynkr"']
        if not _has_option(args, "-m", "--model"):
            flags += ["-c", f'model="{DEFAULT_MODEL}"']
        return Launch([client, *flags, *args], child, True)
    if name == "aider":
        child["OPENAI_API_BASE"] = f"{url}/v1"
        child["OPENAI_API_KEY"] = key
        model = [] if _has_option(args, "--model") else ["--model", f"openai/{DEFAULT_MODEL}"]
        return Launch([client, *model, *args], child, False)
    if name == "openhands":
        child["LLM_BASE_URL"] = f"{url}/v1"
        child["LLM_API_KEY"] = key
        child.setdefault("LLM_MODEL", f"openai/{DEFAULT_MODEL}")
        return Launch([client, *args], child, False)
    # Anything else gets both families' variables: most tools read one of them.
    child.update(
        {
            "ANTHROPIC_BASE_URL": url,
            "ANTHROPIC_AUTH_TOKEN": key,
            "OPENAI_BASE_URL": f"{url}/v1",
            "OPENAI_API_BASE": f"{url}/v1",
            "OPENAI_API_KEY": key,
        }
    )
    return Launch([client, *args], child, False)


def run_client(argv: list[str], env: dict[str, str]) -> int:
    """Run in the foreground; Ctrl-C reaches the client (same process group), not us."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        process = subprocess.Popen(argv, env=env)
        code = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    return 128 - code if code < 0 else code


# --------------------------------------------------------------------------- the summary


def session_decisions(control: ControlClient, session: str | None, since: float) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"limit": DECISIONS_LIMIT, "since": since}
    if session is not None:
        query["session"] = session
    code, body = control.request("GET", f"/v1/decisions?{urlencode(query)}")
    if code != 200 or not isinstance(body, dict):
        raise ControlError(f"GET /v1/decisions answered {code}: {body!r}")
    return list(body.get("decisions", []))


def summary(rows: list[dict[str, Any]], label: str) -> str:
    if not rows:
        return f"lynkr: {label}: no requests were recorded."
    tiers = Counter(row.get("tier") or "-" for row in rows)
    mix = ", ".join(f"{tier} {n} ({n / len(rows):.0%})" for tier, n in tiers.most_common())
    costs = [row["cost_usd"] for row in rows if row.get("cost_usd") is not None]
    spend = f"${sum(costs):.4f}" + ("" if len(costs) == len(rows) else " (some models have no known price)")
    tokens_in = sum(row.get("input_tokens") or 0 for row in rows)
    tokens_out = sum(row.get("output_tokens") or 0 for row in rows)
    errors = sum(1 for row in rows if not 200 <= int(row.get("status") or 0) < 400)
    failed = f", {errors} failed" if errors else ""
    # A full page means the daemon may have had more to say: totals are a lower bound then.
    count = f"{len(rows)} requests"
    if len(rows) >= DECISIONS_LIMIT:
        count = f"at least {len(rows)} requests (totals cover the newest {len(rows)})"
    return (
        f"lynkr: {label}: {count}{failed}; tiers {mix}; "
        f"{tokens_in:,} tokens in, {tokens_out:,} out; spend {spend}"
    )


def run(
    client: str, args: list[str], socket_path: os.PathLike[str] | str, start_daemon: Callable[[], None]
) -> int:
    """The whole command; returns the exit code to leave with."""
    if shutil.which(client) is None:
        print(f"lynkr wrap: {client!r} is not installed or not on PATH.", file=sys.stderr)
        return 127
    control = ControlClient(socket_path)
    status = control.try_status()
    if status is None:
        start_daemon()
        status = control.status()
    url = client_url(str(status["url"]))
    session = f"wrap-{os.path.basename(client)}-{uuid.uuid4().hex[:12]}"
    plan = launch(client, args, url, session, os.environ)
    print(f"lynkr: {os.path.basename(client)} -> {url} (session {session})", file=sys.stderr)
    started = time.time()
    code = run_client(plan.argv, plan.env)
    try:
        rows = session_decisions(control, session if plan.sends_session else None, started - 1)
        label = f"session {session}" if plan.sends_session else "all requests while it ran"
        print(summary(rows, label), file=sys.stderr)
    except ControlError as exc:
        print(f"lynkr: no summary, the daemon did not answer: {exc}", file=sys.stderr)
    return code
