"""How long to wait before retrying the same provider: jittered exponential backoff.

"Full jitter" (a uniform draw up to the exponential cap) spreads a crowd of clients that
failed together, so they do not come back together. A provider's own ``retry-after`` wins
when it is given and short enough to be worth waiting for.
"""

from __future__ import annotations

import random

from daemon.config.model import ReliabilityConfig
from daemon.errors import LynkrError


def retry_delay(
    attempt: int, error: LynkrError, settings: ReliabilityConfig, rand: random.Random | None = None
) -> float | None:
    """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 0), or None when
    this provider should not be retried: attempts used up, the error is not transient, or its
    retry-after is longer than ``retry_after_max_seconds`` (better served by the next candidate)."""
    if not error.transient or attempt >= settings.retries:
        return None
    if error.retry_after is not None:
        if error.retry_after > settings.retry_after_max_seconds:
            return None
        return error.retry_after
    cap = min(settings.retry_max_ms, settings.retry_base_ms * (2**attempt)) / 1000
    return (rand or random).uniform(0, cap)
