"""``lynkr decisions``, ``lynkr logs -f`` and ``lynkr stats``: the decision record over the control socket."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from lynkr_tui.control_client import ControlClient, ControlError, UnixHTTPConnection


def decision_line(d: dict[str, Any]) -> str:
    """One line per decision, the shape `lynkr logs -f` prints and `lynkr decisions` lists."""
    when = time.strftime("%H:%M:%S", time.localtime(d.get("started_at") or d.get("time") or 0))
    served = f"{d.get('provider') or '-'}:{d.get('model') or '-'}"
    latency = d.get("latency_ms")
    ttft = d.get("ttft_ms")
    tokens_in = d.get("input_tokens", d.get("tokens_in")) or 0
    tokens_out = d.get("output_tokens", d.get("tokens_out")) or 0
    cost = d.get("cost_usd")
    quality = d.get("quality")
    cache_read = d.get("cache_read_tokens") or 0
    if d.get("cache") == "hit":
        warmth = "cached"  # answered from Lynkr's response cache
    elif cache_read:
        warmth = f"warm {cache_read}"  # the provider's prompt cache served this many input tokens
    else:
        warmth = "cold"
    parts = [
        when,
        f"{d.get('tier') or '-':<9}",
        f"{served:<40}",
        f"{d.get('status')}",
        f"{latency:>8.0f}ms" if latency is not None else "       -ms",
        f"ttft {ttft:.0f}ms" if ttft is not None else "ttft -",
        f"{tokens_in}/{tokens_out} tok",
        warmth,
        f"${cost:.5f}" if cost is not None else "$?",
        f"q{quality}" if quality is not None else "q-",
        f"{d.get('rule') or ''}",
        f"session {d.get('session') or '-'}",
    ]
    if d.get("error"):
        parts.append(f"error: {d['error'][:120]}")
    return "  ".join(parts)


def decisions(client: ControlClient, filters: dict[str, Any], as_json: bool) -> None:
    query = urlencode({k: v for k, v in filters.items() if v is not None})
    code, body = client.request("GET", f"/v1/decisions?{query}")
    if code != 200 or not isinstance(body, dict):
        raise ControlError(f"the daemon refused: {body}")
    rows = body.get("decisions", [])
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("No decisions recorded yet.")
    for row in reversed(rows):  # oldest first, like a log
        print(f"{row['id']}  {decision_line(row)}")


def follow(client: ControlClient, as_json: bool) -> None:
    """Print each decision as it completes, until interrupted."""
    conn = UnixHTTPConnection(client.socket_path, timeout=None)
    conn.request("GET", "/v1/events")
    response = conn.getresponse()
    try:
        while True:
            line = response.readline()
            if not line:
                print("(the daemon closed the stream)")
                return
            event = json.loads(line)
            if event.get("type") != "decision":
                continue
            if event.get("dropped"):
                print(f"({event['dropped']} events dropped: this terminal fell behind)")
            print(json.dumps(event) if as_json else decision_line(event), flush=True)
    except KeyboardInterrupt:
        return
    finally:
        conn.close()


def stats(client: ControlClient, window: float, as_json: bool) -> None:
    code, body = client.request("GET", f"/v1/stats?window={window}")
    if code != 200 or not isinstance(body, dict):
        raise ControlError(f"the daemon refused: {body}")
    if as_json:
        print(json.dumps(body, indent=2))
        return
    traffic = body["traffic"]
    print(
        f"requests {traffic['requests']}  in flight {traffic['in_flight']}  "
        f"{traffic.get('requests_per_second', 0):.2f} req/s  spend ${traffic.get('spend_usd', 0):.4f}"
    )
    print(f"by tier: {traffic['by_tier']}   by status: {traffic['by_status']}")
    for group in ("tier", "provider"):
        print(f"\nlatency by {group}, last {body['window_seconds']:.0f}s (from the decision record):")
        history = body.get("history", {}).get(group, {})
        if not history:
            print("  no served requests in the window")
        for key, values in sorted(history.items()):
            lat = values.get("latency_ms") or {}
            ttft = values.get("ttft_ms") or {}
            print(
                f"  {key:<12} {values.get('requests', 0):>6} req  "
                f"p50 {_ms(lat.get('p50'))}  p95 {_ms(lat.get('p95'))}  p99 {_ms(lat.get('p99'))}  "
                f"ttft p50 {_ms(ttft.get('p50'))}"
            )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}ms"


def parse_duration(text: str) -> float:
    """``90``, ``30m``, ``24h``, ``7d`` -> seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def replay(
    client: ControlClient, decision_id: str | None, since: str | None, config: str | None, as_json: bool
) -> int:
    from pathlib import Path

    body: dict[str, Any] = {"config": str(Path(config).resolve())} if config else {}
    if decision_id:
        body["id"] = decision_id
    else:
        try:
            body["since_seconds"] = parse_duration(since or "24h")
        except ValueError:
            print(f"lynkr: --since {since!r} is not a duration like 30m, 24h or 7d")
            return 1
    code, result = client.request("POST", "/v1/replay", body)
    if code != 200 or not isinstance(result, dict):
        message = result.get("error") if isinstance(result, dict) else result
        problems = result.get("problems") if isinstance(result, dict) else None
        print(f"lynkr: replay refused: {message}" + (f"\n{problems}" if problems else ""))
        return 1
    if as_json:
        print(json.dumps(result, indent=2))
        return 0
    if decision_id:
        _print_one(result)
    else:
        _print_window(result)
    return 0


def _print_one(result: dict[str, Any]) -> None:
    if not result.get("replayable"):
        print(f"{result['id']}: cannot replay: {result.get('reason')}")
        return
    old, new = result["old"], result["new"]
    print(f"{result['id']}   {'MOVED' if result['moved'] else 'same tier'}")
    for label, side in (("recorded", old), ("now", new)):
        served = f"{side['provider']}:{side['model']}"
        print(f"  {label + ':':<10}{side['tier']:<9} score {side['score']}  rule {side['rule']}  -> {served}")
    for reason in new["reasons"]:
        print(f"    - {reason}")
    print(f"  {'dimension':<22}{'recorded':>10}{'now':>10}{'weight':>8}{'points':>8}")
    for d in result["dimensions"]:
        old_value = "-" if d["old"] is None else f"{d['old']:.3f}"
        changed = " *" if d["old"] is not None and abs(d["old"] - d["new"]) > 1e-3 else ""
        print(
            f"  {d['name']:<22}{old_value:>10}{d['new']:>10.3f}{d['weight']:>8g}{d['points']:>8.1f}{changed}"
        )


def _print_window(result: dict[str, Any]) -> None:
    mix_old, mix_new = result["tier_mix"]["old"], result["tier_mix"]["new"]
    print(
        f"replayed {result['replayed']} decisions from the last {result['window_seconds'] / 3600:.1f} h "
        f"({result['skipped']} without a stored body); {result['moved']} would move"
    )
    print(f"  {'tier':<10}{'recorded':>10}{'candidate':>11}")
    for tier in ("simple", "medium", "complex", "reasoning"):
        print(f"  {tier:<10}{mix_old.get(tier, 0):>10}{mix_new.get(tier, 0):>11}")
    cost = result["cost_usd"]
    print(
        f"  estimated cost: ${cost['old']:.4f} recorded -> ${cost['new']:.4f} candidate"
        + (f" ({cost['unknown']} requests without a known price left out)" if cost["unknown"] else "")
    )


# --------------------------------------------------------------------------- replay --send

_PATHS = {"anthropic": "/v1/messages", "openai": "/v1/chat/completions", "openai-responses": "/v1/responses"}


def _answer_text(dialect: str, raw: str | None) -> str:
    """The readable part of a stored or fresh response body, whatever its dialect."""
    if not raw:
        return "(no body stored)"
    try:
        body = json.loads(raw)
    except ValueError:
        return raw[:2000]
    parts: list[str] = []
    if dialect == "anthropic":
        for block in body.get("content") or []:
            if block.get("type") == "text":
                parts.append(block.get("text", ""))
            elif block.get("type") == "tool_use":
                parts.append(f"[tool call {block.get('name')}({json.dumps(block.get('input'))[:200]})]")
    elif dialect == "openai":
        for choice in body.get("choices") or []:
            message = choice.get("message") or {}
            parts.append(message.get("content") or "")
            for call in message.get("tool_calls") or []:
                function = call.get("function") or {}
                parts.append(f"[tool call {function.get('name')}({(function.get('arguments') or '')[:200]})]")
    else:
        for item in body.get("output") or []:
            for content in item.get("content") or []:
                parts.append(content.get("text", ""))
            if item.get("type") == "function_call":
                parts.append(f"[tool call {item.get('name')}({(item.get('arguments') or '')[:200]})]")
    if "error" in body and not parts:
        parts.append(f"error: {body['error']}")
    return "\n".join(p for p in parts if p) or "(empty)"


def replay_send(client: ControlClient, decision_id: str, as_json: bool) -> int:
    """Send a recorded request through the daemon again (a real provider call, recorded as a new
    decision in session ``replay-<id>``) and show the recorded and the new answer."""
    import os
    import urllib.error
    import urllib.request

    code, row = client.request("GET", f"/v1/decisions/{decision_id}")
    if code != 200:
        print(f"lynkr: no decision {decision_id}")
        return 1
    dialect = row.get("dialect") or ""
    if not row.get("request_body") or dialect not in _PATHS:
        print(f"lynkr: decision {decision_id} has no stored request body to send (store_bodies off?)")
        return 1
    body = json.loads(row["request_body"])
    body["stream"] = False  # one comparable answer
    body.pop("stream_options", None)
    status = client.status()
    headers = {
        "content-type": "application/json",
        "x-lynkr-session": f"replay-{decision_id}",
        "x-lynkr-replay-of": decision_id,
    }
    proxy_key = os.environ.get(status.get("api_key_env") or "LYNKR_API_KEY")
    if proxy_key:
        headers["authorization"] = f"Bearer {proxy_key}"
    request = urllib.request.Request(
        status["url"] + _PATHS[dialect], data=json.dumps(body).encode(), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            fresh, fresh_status, fresh_headers = response.read().decode(), response.status, response.headers
    except urllib.error.HTTPError as error:
        fresh, fresh_status, fresh_headers = error.read().decode(), error.code, error.headers
    new = {
        "decision": fresh_headers.get("x-lynkr-decision-id"),
        "status": fresh_status,
        "tier": fresh_headers.get("x-lynkr-tier"),
        "provider": fresh_headers.get("x-lynkr-provider"),
        "model": fresh_headers.get("x-lynkr-model"),
        "answer": _answer_text(dialect, fresh),
    }
    old = {
        "decision": decision_id,
        "status": row.get("status"),
        "tier": row.get("tier"),
        "provider": row.get("provider"),
        "model": row.get("model"),
        "answer": _answer_text(dialect, row.get("response_body")),
    }
    if as_json:
        print(json.dumps({"recorded": old, "sent_again": new}, indent=2))
        return 0 if fresh_status == 200 else 1
    for label, side in (("recorded", old), ("sent again", new)):
        served = f"{side['tier']} -> {side['provider']}:{side['model']}"
        print(f"== {label}: {side['decision']}  {side['status']}  {served}")
        for line in str(side["answer"]).splitlines() or [""]:
            print(f"   {line}")
    return 0 if fresh_status == 200 else 1
