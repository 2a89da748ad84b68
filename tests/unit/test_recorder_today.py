"""Today's spend: the running total restarts at local midnight (checked without a localtime per request)."""

from __future__ import annotations

import time

from daemon.telemetry import Recorder


def test_spend_today_restarts_at_local_midnight() -> None:
    recorder = Recorder()
    evening = time.mktime((2026, 3, 28, 23, 0, 0, 0, 0, -1))
    midnight = time.mktime((2026, 3, 29, 0, 0, 0, 0, 0, -1))
    recorder._add_today(1.0, evening)
    recorder._add_today(2.0, midnight - 0.001)
    assert recorder.spend_today_usd == 3.0
    recorder._add_today(4.0, midnight)
    assert recorder.spend_today_usd == 4.0
    recorder._add_today(8.0, midnight + 3600)
    assert recorder.spend_today_usd == 12.0
    # A month (and a DST change, where the zone has one) later, and a request that started yesterday
    # finishing late: each is counted in its own day, as before.
    later = time.mktime((2026, 5, 1, 12, 0, 0, 0, 0, -1))
    recorder._add_today(16.0, later)
    assert recorder.spend_today_usd == 16.0
    recorder._add_today(1.0, later + 3600)
    assert recorder.spend_today_usd == 17.0
    recorder._add_today(32.0, later - 86_400)
    assert recorder.spend_today_usd == 32.0
