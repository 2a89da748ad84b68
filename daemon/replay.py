"""Replay recorded requests through the router under the running or a candidate config.

No upstream is called: a replay re-parses the stored request body in its
dialect, routes it with the given config, and compares the new decision with
the recorded one, dimension by dimension. A window replay does that for
every recorded request with a stored body and reports how the tier mix, the
estimated cost and the number of moved decisions would change.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import orjson

from daemon.canonical import Usage
from daemon.config.model import Config
from daemon.dialects import anthropic, openai_chat, openai_responses
from daemon.errors import LynkrError
from daemon.pricing import PriceTable
from daemon.routing.router import RoutingDecision, route
from daemon.store import DecisionStore

PARSERS = {
    "anthropic": anthropic.parse_request,
    "openai": openai_chat.parse_request,
    # A request that continued from previous_response_id replays without the stored history.
    "openai-responses": openai_responses.parse_request,
}


def _decide(row: dict[str, Any], config: Config) -> RoutingDecision | None:
    body = row.get("request_body")
    parse = PARSERS.get(row.get("dialect") or "")
    if not body or parse is None:
        return None
    try:
        return route(parse(orjson.loads(body), {}), config)
    except (LynkrError, orjson.JSONDecodeError):
        return None


def _json_field(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def compare(row: dict[str, Any], config: Config) -> dict[str, Any]:
    """The recorded decision next to the one ``config`` makes now."""
    new = _decide(row, config)
    if new is None:
        return {
            "id": row["id"],
            "replayable": False,
            "reason": "no stored request body (body storage off or pruned) or it no longer parses",
        }
    old_dims = _json_field(row.get("dimensions")) or {}
    dims = [
        {
            "name": d.name,
            "old": old_dims.get(d.name),
            "new": round(d.value, 3),
            "weight": d.weight,
            "points": round(d.points, 2),
        }
        for d in new.dimensions
    ]
    tier = config.tiers.get(new.tier)
    return {
        "id": row["id"],
        "replayable": True,
        "old": {
            "tier": row.get("tier"),
            "rule": row.get("rule"),
            "score": row.get("score"),
            "provider": row.get("provider"),
            "model": row.get("model"),
        },
        "new": {
            "tier": new.tier,
            "rule": new.rule,
            "score": new.score,
            "provider": tier.provider if tier else None,
            "model": tier.model if tier else None,
            "reasons": list(new.reasons),
        },
        "moved": row.get("tier") != new.tier,
        "dimensions": dims,
    }


async def replay_window(
    store: DecisionStore,
    config: Config,
    since_seconds: float,
    prices: PriceTable | None = None,
    limit: int = 5000,
) -> dict[str, Any]:
    """Tier mix, cost and moved decisions of the last ``since_seconds`` under ``config``."""
    prices = prices or PriceTable()
    rows = await store.with_bodies(since=time.time() - since_seconds, limit=limit)
    old_mix: Counter[str] = Counter()
    new_mix: Counter[str] = Counter()
    moved = skipped = 0
    old_cost = new_cost = 0.0
    unknown_cost = 0
    for row in rows:
        new = _decide(row, config)
        if new is None:
            skipped += 1
            continue
        old_mix[row.get("tier") or "-"] += 1
        new_mix[new.tier] += 1
        moved += row.get("tier") != new.tier
        usage = Usage(
            row.get("input_tokens") or 0,
            row.get("output_tokens") or 0,
            row.get("cache_read_tokens") or 0,
            row.get("cache_write_tokens") or 0,
        )
        tier = config.tiers.get(new.tier)
        provider = config.providers.get(tier.provider) if tier else None
        candidate = prices.cost_of(provider.type, tier.model, usage) if tier and provider else None
        if row.get("cost_usd") is None or candidate is None:
            unknown_cost += 1
            continue
        old_cost += row["cost_usd"]
        new_cost += candidate
    return {
        "window_seconds": since_seconds,
        "replayed": sum(new_mix.values()),
        "skipped": skipped,
        "moved": moved,
        "tier_mix": {"old": dict(old_mix), "new": dict(new_mix)},
        "cost_usd": {"old": round(old_cost, 6), "new": round(new_cost, 6), "unknown": unknown_cost},
    }
