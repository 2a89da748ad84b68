"""SIGTERM in the middle of traffic: streams that can finish before the deadline finish, every
request leaves its decision row, and a second SIGTERM stops at once."""

from __future__ import annotations

import concurrent.futures
import http.client
import json
import signal
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.e2e.conftest import KEYS, Upstreams, config_for
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply


def stream(daemon: DaemonProcess, timeout: float = 30) -> tuple[int, bytes]:
    body = {
        "model": "lynkr-medium",
        "max_tokens": 64,
        "stream": True,
        "messages": [{"role": "user", "content": "count"}],
    }
    request = urllib.request.Request(
        daemon.url + "/v1/messages",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except http.client.IncompleteRead as error:  # the stream was cut
        return 0, error.partial
    except (ConnectionError, urllib.error.URLError, http.client.HTTPException) as error:
        return 0, str(error).encode()


def rows(home: Path) -> list[tuple[int, str | None]]:
    with sqlite3.connect(home / "lynkr.db") as db:
        return db.execute("SELECT status, error FROM decisions").fetchall()


def test_sigterm_drains_streams_and_loses_no_decision(upstreams: Upstreams, tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path, config_for(upstreams), env=KEYS).start()
    upstreams.openai.default_reply = Reply(text="tick " * 30, chunk_delay=0.05)  # ~1.5 s per stream
    with concurrent.futures.ThreadPoolExecutor(12) as pool:
        running = [pool.submit(stream, daemon) for _ in range(12)]
        assert upstreams.openai.wait_until(lambda: len(upstreams.openai.requests) >= 12, timeout=10)
        assert daemon.process is not None
        daemon.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        late = stream(daemon, timeout=5)  # arrives after the stop: refused, not hung
        results = [f.result() for f in running]
    assert daemon.process.wait(timeout=20) == 0
    for status, raw in results:
        assert status == 200 and b"event: message_stop" in raw and b"event: error" not in raw
    assert late[0] != 200
    recorded = rows(tmp_path)
    assert len([r for r in recorded if r[0] == 200]) == 12
    assert not (tmp_path / "control.sock").exists() and not (tmp_path / "lynkr.pid").exists()


def test_a_second_sigterm_stops_at_once_and_still_records(upstreams: Upstreams, tmp_path: Path) -> None:
    daemon = DaemonProcess(tmp_path, config_for(upstreams), env=KEYS).start()
    upstreams.openai.default_reply = Reply(text="slow " * 100, chunk_delay=0.2)  # ~20 s per stream
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        running = [pool.submit(stream, daemon) for _ in range(4)]
        assert upstreams.openai.wait_until(lambda: len(upstreams.openai.requests) >= 4, timeout=10)
        assert daemon.process is not None
        daemon.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        started = time.monotonic()
        daemon.process.send_signal(signal.SIGTERM)
        assert daemon.process.wait(timeout=10) == 0
        assert time.monotonic() - started < 6
        results = [f.result() for f in running]
    assert all(b"event: message_stop" not in raw for _, raw in results)  # cut, as asked
    assert sorted(status for status, _ in rows(tmp_path)) == [499] * 4
    assert "second signal" in daemon.log()
