"""The console under a flood of decisions: frame time and memory at 200 events/s.

    python bench/console_load.py [--rate 200] [--seconds 10] [--size 160x48] [--daemon]

Runs ``lynkr watch``'s app headlessly on a canned data source (no daemon, so only the console is
measured). A feeder thread plays the event-reader's part: it puts ``rate`` decision events per
second into the app's inbox, exactly where the real reader puts them. The app's own repaint timer
drains them and redraws the live view. Reports the repaint (frame) time p50/p95/max, the event loop's
lag (how late a 20 ms sleep wakes: what a key press waits), the rows in the table (the live table
holds 500 to 750 rows), the events applied, and the process RSS second by second, so a leak shows
as memory growing with the run's length (``--trace-heap`` adds the Python heap; it is slow).

``--daemon`` measures the whole path instead: a real daemon (simulated provider) gets ``rate``
requests per second from a load generator in another process, and the console reads its control
socket with its real reader thread, as ``lynkr watch`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lynkr_tui.console import themes
from lynkr_tui.console.app import LynkrConsole
from lynkr_tui.console.fake import FakeSource, canned_decision
from lynkr_tui.console.views_live import LiveView


def rss_mb() -> float:
    try:
        import psutil

        return psutil.Process(os.getpid()).memory_info().rss / 1e6
    except ImportError:  # psutil is a dependency of lynkr, but keep the bench runnable without it
        return float("nan")


SIM_CONFIG = """
[server]
log_level = "warning"

[providers.sim]
type = "simulated"
latency_ms = 0
reply_words = 5

[tiers.simple]
provider = "sim"
model = "sim-small"
"""


def drive_load(url: str, rate: float, seconds: float, sent: Any) -> None:
    """In another process: POST ``rate`` small requests per second, open loop, for ``seconds``."""
    import aiohttp

    async def go() -> None:
        body = {"model": "lynkr-auto", "max_tokens": 16, "messages": [{"role": "user", "content": "ls"}]}
        async with aiohttp.ClientSession() as session:
            tasks = []
            started = time.perf_counter()
            while (elapsed := time.perf_counter() - started) < seconds:
                while sent.value < int(elapsed * rate):
                    tasks.append(asyncio.create_task(session.post(url + "/v1/messages", json=body)))
                    sent.value += 1
                await asyncio.sleep(0.002)
            for response in await asyncio.gather(*tasks, return_exceptions=True):
                if not isinstance(response, BaseException):
                    response.release()

    asyncio.run(go())


async def run(
    rate: float, seconds: float, size: tuple[int, int], trace_heap: bool, daemon: bool = False
) -> None:
    process = None
    if daemon:
        import multiprocessing
        import tempfile

        from lynkr_tui.console.source import ControlSource
        from tests.e2e.harness import DaemonProcess

        process = DaemonProcess(Path(tempfile.mkdtemp(prefix="lynkr-cl-")), SIM_CONFIG).start()
        source: Any = ControlSource(process.home / "control.sock")
        app = LynkrConsole(source, theme=themes.resolve("dark"), threaded=True, fps=8, can_start=False)
        sent_value = multiprocessing.Value("i", 0)
        loader = multiprocessing.Process(target=drive_load, args=(process.url, rate, seconds, sent_value))
    else:
        app = LynkrConsole(FakeSource(decisions=0), theme=themes.resolve("dark"), threaded=False, fps=8)
    frames: list[float] = []
    original = app.repaint

    def timed_repaint(force: bool = False) -> None:
        start = time.perf_counter()
        original(force)
        frames.append(time.perf_counter() - start)

    app.repaint = timed_repaint  # type: ignore[method-assign]
    stop = threading.Event()
    sent = 0

    def feed() -> None:
        nonlocal sent
        interval = 1.0 / rate
        next_at = time.perf_counter()
        while not stop.is_set():
            app.inbox.put({**canned_decision(sent), "time": time.time()})
            sent += 1
            next_at += interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.5)
        if trace_heap:
            tracemalloc.start()
        heap_before = tracemalloc.get_traced_memory()[0]
        rss_before = rss_mb()
        feeder = threading.Thread(target=feed, daemon=True)
        if process is None:
            feeder.start()
        else:
            loader.start()
        marks = []
        lags: list[float] = []
        started = time.perf_counter()
        second = 0
        while time.perf_counter() - started < seconds:
            # Responsiveness: how late a 20 ms sleep on the UI's event loop wakes up.
            before = time.perf_counter()
            await asyncio.sleep(0.02)
            lags.append((time.perf_counter() - before - 0.02) * 1000)
            if time.perf_counter() - started >= second + 1:
                second += 1
                marks.append((second, rss_mb(), len(app.state.decisions)))
        stop.set()
        if process is None:
            feeder.join()
        else:
            loader.join()
            sent = sent_value.value
            await pilot.pause(2.0)  # the reader catches up with the last decisions
        await pilot.pause(0.3)
        heap_after = tracemalloc.get_traced_memory()[0]
        rows = app.query_one(LiveView).table.row_count
        tracemalloc.stop()
    if process is not None:
        process.stop()
    frames_ms = sorted(f * 1000 for f in frames)
    what = "requests through a real daemon" if process is not None else "events"
    print(f"console load: {sent} {what} at {rate:.0f}/s for {seconds:.0f} s, terminal {size[0]}x{size[1]}")
    print(f"  events applied {app.state.events_seen}, dropped {app.state.dropped}, table rows {rows}")
    print(
        f"  repaint frames {len(frames_ms)}: p50 {statistics.median(frames_ms):.1f} ms  "
        f"p95 {frames_ms[int(len(frames_ms) * 0.95) - 1]:.1f} ms  max {frames_ms[-1]:.1f} ms"
    )
    lags.sort()
    print(
        f"  event-loop lag (a 20 ms sleep's overshoot): p50 {statistics.median(lags):.1f} ms  "
        f"p95 {lags[int(len(lags) * 0.95) - 1]:.1f} ms  max {lags[-1]:.1f} ms"
    )
    if trace_heap:
        print(f"  python heap: {(heap_after - heap_before) / 1e6:+.2f} MB over the run")
    print(f"  RSS {rss_before:.0f} -> {rss_mb():.0f} MB")
    print("  RSS by second (s: MB, buffered rows): " + ", ".join(f"{s}: {m:.0f} {n}" for s, m, n in marks))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0, help="decision events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--size", default="160x48", help="terminal size, COLSxROWS")
    parser.add_argument(
        "--trace-heap", action="store_true", help="also trace the Python heap (tracemalloc; slows everything)"
    )
    parser.add_argument(
        "--daemon", action="store_true", help="through a real daemon and the control socket (see above)"
    )
    args = parser.parse_args()
    cols, rows = (int(n) for n in args.size.lower().split("x"))
    asyncio.run(run(args.rate, args.seconds, (cols, rows), args.trace_heap, args.daemon))


if __name__ == "__main__":
    main()
