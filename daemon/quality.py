"""A 0-100 quality score per response, from signals Lynkr sees without judging content.

At the end of a request::

    quality = 0                                        if the status is not 2xx
    quality = clamp(100 - stop - fallback - slow, 0, 100)   otherwise

    stop      = 0   end_turn, tool_use, stop_sequence, or no stop reason reported
                10  pause_turn (the server paused a long turn; the client must resume it)
                30  max_tokens (the answer was cut off)
                40  model_context_window_exceeded
                50  refusal
                10  any other value
    fallback  = 10 x (hops - 1), at most 30      (each provider that failed before the one that answered)
    slow      = 20 x min(1, (latency / norm - 1) / 3)   when latency > norm, else 0
                (twice the tier's normal latency costs ~7 points, four times or more costs 20;
                 no norm known -> 0)

When the next turn of the same session carries the results of this response's
tool calls and some of them are errors::

    quality' = round(quality x (1 - 0.5 x error_share))

where ``error_share`` is the fraction of those tool results flagged as errors
(0..1): every call failing halves the score, none failing leaves it unchanged.
The penalty is applied once, by the turn that reports the results.

Why these weights: a failed request is worthless to the agent, a truncated or
refused answer usually forces a retry, a fallback or slowness costs the user
time but the answer itself may be fine, so those weigh least.
"""

from __future__ import annotations

_STOP_PENALTY = {
    None: 0,
    "": 0,
    "end_turn": 0,
    "tool_use": 0,
    "stop_sequence": 0,
    "pause_turn": 10,
    "max_tokens": 30,
    "model_context_window_exceeded": 40,
    "refusal": 50,
}
_UNKNOWN_STOP_PENALTY = 10
_PER_FALLBACK = 10
_MAX_FALLBACK = 30
_MAX_SLOW = 20
_SLOW_SPAN = 3.0  # from 1x to (1 + span)x the norm the slowness penalty grows to its maximum


def _clamp(value: float) -> int:
    return max(0, min(100, round(value)))


def initial_quality(
    status: int, stop_reason: str | None, hops: int, latency_ms: float, tier_norm_ms: float | None
) -> int:
    if not 200 <= status < 300:
        return 0
    score = 100.0
    score -= _STOP_PENALTY.get(stop_reason, _UNKNOWN_STOP_PENALTY)
    score -= min(_MAX_FALLBACK, _PER_FALLBACK * max(0, hops - 1))
    if tier_norm_ms and tier_norm_ms > 0 and latency_ms > tier_norm_ms:
        over = (latency_ms / tier_norm_ms - 1) / _SLOW_SPAN
        score -= _MAX_SLOW * min(1.0, over)
    return _clamp(score)


def penalise_for_tool_errors(previous_quality: int, error_share: float) -> int:
    share = max(0.0, min(1.0, error_share))
    return _clamp(previous_quality * (1 - 0.5 * share))
