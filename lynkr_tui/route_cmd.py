"""``lynkr route``: show the decision the router would make for a request body, without a daemon."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OPENAI_ONLY = ("max_completion_tokens", "stream_options", "response_format", "n", "logit_bias", "seed")


def detect_dialect(body: Any) -> str:
    """``anthropic``, ``openai`` or ``openai-responses``, from the shape of the body."""
    if not isinstance(body, dict):
        return "openai"
    if "input" in body and "messages" not in body:
        return "openai-responses"
    anthropic = openai = 0
    if "system" in body or "stop_sequences" in body or "thinking" in body:
        anthropic += 2
    # Anthropic requires max_tokens (OpenAI's is optional and deprecated) and puts user_id in metadata:
    # enough to settle a plain {"max_tokens", "messages": [{"role": "user", "content": "..."}]}.
    anthropic += "max_tokens" in body
    anthropic += isinstance(body.get("metadata"), dict) and "user_id" in body["metadata"]
    openai += sum(2 for key in OPENAI_ONLY if key in body)
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            anthropic += "input_schema" in tool
            openai += "function" in tool
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            continue
        if message.get("role") in ("system", "developer", "tool") or "tool_calls" in message:
            openai += 2
        content = message.get("content")
        for part in content if isinstance(content, list) else []:
            kind = part.get("type") if isinstance(part, dict) else None
            anthropic += kind in ("tool_use", "tool_result", "image", "thinking")
            openai += kind == "image_url"
    return "anthropic" if anthropic > openai else "openai"


def decide(raw: str, config_path: Path | None, headers: dict[str, str]) -> dict[str, Any]:
    from daemon.config.load import load_config_file
    from daemon.dialects import anthropic, openai_chat, openai_responses
    from daemon.routing.router import route

    body = json.loads(raw)
    dialect = detect_dialect(body)
    parse = {"anthropic": anthropic.parse_request, "openai-responses": openai_responses.parse_request}.get(
        dialect, openai_chat.parse_request
    )
    request = parse(body, headers)
    config = load_config_file(config_path)
    decision = route(request, config, None, headers)
    tier = config.tiers[decision.tier]
    return {
        "dialect": dialect,
        "tier": decision.tier,
        "provider": tier.provider,
        "model": tier.model,
        "rule": decision.rule,
        "override": decision.override,
        "score": decision.score,
        "scored_tier": decision.scored_tier,
        "reasons": list(decision.reasons),
        "dimensions": [
            {"name": d.name, "value": round(d.value, 3), "weight": d.weight, "points": round(d.points, 2)}
            for d in decision.dimensions
        ],
        "elapsed_ms": round(decision.elapsed_us / 1000, 3),
    }


def print_decision(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console(highlight=False)
    score = "-" if result["score"] is None else f"{result['score']:.1f}"
    out.print(f"[bold]{result['tier']}[/]  ->  {result['provider']}:{result['model']}", markup=True)
    out.print(
        f"rule: {result['rule']}   score: {score}   dialect: {result['dialect']}   "
        f"analysis: {result['elapsed_ms']:.2f} ms"
    )
    for reason in result["reasons"]:
        out.print(f"  - {reason}", markup=False)
    if result["dimensions"]:
        table = Table(title="dimensions", title_justify="left")
        for column in ("dimension", "value", "weight", "points"):
            table.add_column(column, justify="left" if column == "dimension" else "right")
        for d in sorted(result["dimensions"], key=lambda d: -abs(d["points"])):
            table.add_row(d["name"], f"{d['value']:.2f}", f"{d['weight']:g}", f"{d['points']:+.1f}")
        out.print(table)


def run(source: str, config_path: Path | None, as_json: bool, tier_header: str | None) -> int:
    from daemon.config.model import ConfigError
    from daemon.errors import LynkrError

    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text()
    except OSError as exc:
        print(f"lynkr: cannot read {source}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    headers = {"x-lynkr-tier": tier_header} if tier_header else {}
    try:
        result = decide(raw, config_path, headers)
    except json.JSONDecodeError as exc:
        print(f"lynkr: {source} is not JSON: {exc}", file=sys.stderr)
        return 1
    except LynkrError as exc:
        print(f"lynkr: not a valid request body: {exc.message}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        from daemon.config.load import format_problems

        print(f"lynkr: the config is invalid:\n{format_problems(exc)}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print_decision(result)
    return 0
