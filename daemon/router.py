"""Picks the tier for a request: a pure function, no I/O, explained.

This is the router's place in the request path; the scoring router is its
own piece of work. Until it lands the decision is made by two rules, in
order:

1. ``model-pin``: the client asked for a tier by name (``model`` is
   ``simple``/``medium``/``complex``/``reasoning``, or ``lynkr-<tier>`` /
   ``lynkr/<tier>``), which is also how an operator pins a client to a tier.
2. ``default-tier``: the configured ``routing.default_tier``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from daemon.canonical import Request
from daemon.config.model import TIERS, Config


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    tier: str
    rule: str
    """Name of the rule that decided (``model-pin``, ``default-tier``)."""
    reasons: tuple[str, ...]
    score: int | None = None
    """0-100 complexity score; None until the scoring router exists."""
    elapsed_us: float = 0.0


_PIN_PREFIXES = ("lynkr-", "lynkr/", "lynkr:")


def pinned_tier(model: str) -> str | None:
    name = model.strip().lower()
    for prefix in _PIN_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return name if name in TIERS else None


def route(request: Request, config: Config) -> RoutingDecision:
    started = time.perf_counter()
    tier = pinned_tier(request.model)
    if tier is not None:
        rule, reasons = (
            "model-pin",
            (f"the client asked for model {request.model!r}, which names the {tier} tier",),
        )
    else:
        tier = config.routing.default_tier
        rule, reasons = "default-tier", (f"no rule matched; routing.default_tier is {tier}",)
    return RoutingDecision(tier, rule, reasons, None, (time.perf_counter() - started) * 1e6)
