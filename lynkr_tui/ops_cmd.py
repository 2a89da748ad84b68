"""``lynkr breakers``, ``lynkr reload`` and ``lynkr config apply``: steering a running daemon."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lynkr_tui.control_client import ControlClient


def breakers(client: ControlClient, as_json: bool) -> int:
    status, body = client.request("GET", "/v1/breakers")
    if status != 200:
        print(f"the daemon answered {status}: {body}")
        return 1
    rows: list[dict[str, Any]] = body["breakers"]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        probe = f"  next probe in {row['next_probe_in']:.1f}s" if row.get("next_probe_in") is not None else ""
        last = f"  last error: {row['last_error'][:100]}" if row.get("last_error") else ""
        print(f"{row['provider']:<20} {row['state']:<10} {row['failures']:>3} recent failures{probe}{last}")
    return 0


def reset_breaker(client: ControlClient, provider: str) -> int:
    status, body = client.request("POST", f"/v1/breakers/{provider}/reset")
    if status != 200:
        print(body.get("error") if isinstance(body, dict) else body)
        return 1
    print(f"Breaker for {provider} is {body['state']}.")
    return 0


def report(status: int, result: dict[str, Any], as_json: bool) -> int:
    """Print a reload/apply result; non-zero when nothing was applied."""
    if as_json:
        print(json.dumps(result, indent=2))
    elif result.get("applied"):
        print(f"Applied {result.get('source') or 'the config'}.")
        for tier, target in (result.get("tiers") or {}).items():
            print(f"  {tier:<9} -> {target}")
        for key in result.get("restart_needed") or ():
            print(f"  {key} changed: it takes effect after a restart (lynkr down && lynkr up)")
    else:
        print("Not applied; the running config keeps serving:")
        for problem in result.get("problems") or [{"key": "", "message": str(result.get("error"))}]:
            print(f"  {problem['key']}: {problem['message']}")
    return 0 if status == 200 and result.get("applied") else 1


def reload(client: ControlClient, as_json: bool) -> int:
    status, result = client.request("POST", "/v1/reload")
    return report(status, result, as_json)


def apply(client: ControlClient, path: Path, as_json: bool) -> int:
    status, result = client.request("POST", "/v1/config/apply", {"text": path.read_text(encoding="utf-8")})
    return report(status, result, as_json)
