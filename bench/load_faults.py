"""A bounded load test with injected upstream faults, and a SIGTERM in the middle.

    python bench/load_faults.py                  # 30 s at 300 requests/s, 10% faults
    python bench/load_faults.py --quick          # 8 s at 100 requests/s
    python bench/load_faults.py --sigterm-at 20  # stop the daemon 20 s in

A real daemon (separate process) sits in front of two emulated upstreams (OpenAI for the
medium tier, with an Anthropic fallback). A share of upstream replies are faults: HTTP 500,
529, 429 with retry-after, connections reset before a reply, streams cut midway, and stalls
longer than the idle timeout. Requests arrive open-loop at a fixed rate, half streamed, half
in each client dialect, and each is classified:

- ok:         200 with a complete answer (a stream that reached its end event);
- clean:      an error in the client's dialect (JSON error body, or a stream error event);
- refused:    after a SIGTERM, the connection was refused (the daemon stopped accepting);
- unexpected: anything else (a 500, a malformed body, a truncated stream, a hang).

It also samples the daemon's resident memory every second and, after the run, counts the
decision rows in its SQLite file: every request the daemon accepted must have one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.harness import DaemonProcess  # noqa: E402
from tests.emulators import AnthropicEmulator, OpenAIEmulator, Reply  # noqa: E402

FAULTS = [
    Reply.error(500, "injected 500"),
    Reply.error(529, "injected overload"),
    Reply.error(429, "injected rate limit", retry_after=1),
    Reply(fail_after_chunks=0),  # connection reset before any reply
    Reply(text="cut " * 40, fail_after_chunks=3),  # streams: cut midway (non-streams: reset)
    Reply(text="stall", delay=3.0),  # longer than the 1 s first-byte timeout below
]


class FaultyUpstream:
    """Wraps an emulator so that a share of its replies are faults, chosen at random."""

    def __init__(self, emulator: OpenAIEmulator | AnthropicEmulator, rate: float, seed: int) -> None:
        self.emulator = emulator
        self.rate = rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.faults = 0
        emulator._next_reply = self.next_reply  # type: ignore[method-assign]

    def next_reply(self) -> Reply | None:
        with self.lock:
            if self.random.random() < self.rate:
                self.faults += 1
                return self.random.choice(FAULTS)
        return Reply(text="a short answer from the upstream " * 3)


def serve_upstreams(rate: float, keys: dict[str, str], pipe: Connection) -> None:
    """In a child process, so the load generator never starves the upstreams of CPU."""
    openai_up = OpenAIEmulator("openai", expected_key=keys["BENCH_OPENAI_KEY"]).start()
    anthropic_up = AnthropicEmulator("anthropic", expected_key=keys["BENCH_ANTHROPIC_KEY"]).start()
    faulty = [FaultyUpstream(openai_up, rate, 1), FaultyUpstream(anthropic_up, rate, 2)]
    pipe.send((openai_up.base_url, anthropic_up.base_url))
    pipe.recv()  # until the run is over
    pipe.send(sum(f.faults for f in faulty))
    openai_up.stop()
    anthropic_up.stop()


def config(openai_url: str, anthropic_url: str) -> str:
    return f"""
[server]
log_level = "warning"
shutdown_grace_seconds = 10

[reliability]
max_in_flight = 2048
max_queue = 1024

[providers.oai]
type = "openai"
base_url = "{openai_url}/v1"
api_key_env = "BENCH_OPENAI_KEY"
first_byte_timeout = 1
read_timeout = 1

[providers.claude]
type = "anthropic"
base_url = "{anthropic_url}"
api_key_env = "BENCH_ANTHROPIC_KEY"
first_byte_timeout = 1
read_timeout = 1

[tiers.medium]
provider = "oai"
model = "gpt-4o-mini"
fallback = ["claude:claude-haiku-4-5"]
"""


def request_for(index: int) -> tuple[str, dict[str, object], str, bool]:
    stream = index % 2 == 0
    dialect = "anthropic" if index % 4 < 2 else "openai"
    messages = [{"role": "user", "content": f"rename variable {index} in utils.py"}]
    if dialect == "anthropic":
        body: dict[str, object] = {"model": "lynkr-medium", "max_tokens": 64, "messages": messages}
        path = "/v1/messages"
    else:
        body = {"model": "lynkr-medium", "messages": messages}
        path = "/v1/chat/completions"
    body["stream"] = stream
    return path, body, dialect, stream


def classify(status: int, raw: bytes, dialect: str, stream: bool) -> str:
    text = raw.decode("utf-8", "replace")
    if status == 200 and not stream:
        try:
            body = json.loads(text)
        except ValueError:
            return "unexpected"
        return "ok" if body.get("content") or body.get("choices") else "unexpected"
    if status == 200:
        if dialect == "anthropic":
            if "event: message_stop" in text:
                return "ok"
            return "clean" if "event: error" in text else "unexpected"
        if "data: [DONE]" in text and '"error"' not in text:
            return "ok"
        return "clean" if '"error"' in text else "unexpected"
    if 400 <= status < 600 and status != 500:
        try:
            error = json.loads(text).get("error")
        except ValueError:
            return "unexpected"
        return "clean" if isinstance(error, dict) and error.get("message") else "unexpected"
    return "unexpected"


async def one(
    session: aiohttp.ClientSession, url: str, index: int, outcomes: Counter[str], notes: list[str]
) -> None:
    path, body, dialect, stream = request_for(index)
    try:
        async with session.post(url + path, json=body, timeout=aiohttp.ClientTimeout(total=30)) as response:
            outcomes["with_status"] += 1  # the daemon accepted it: it must leave a decision row
            raw = await response.read()
            kind = classify(response.status, raw, dialect, stream)
            if kind == "unexpected" and len(notes) < 5:
                notes.append(f"{response.status} {raw[:200]!r}")
    except (aiohttp.ClientConnectorError, aiohttp.ClientOSError):
        # Refused, or a pooled keep-alive connection the stopping daemon closed before reading the
        # request: never accepted, so no decision row is due (clients retry these).
        kind = "refused"
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
        kind = "cut"  # classified below: only allowed after a SIGTERM's deadline
        if len(notes) < 5:
            notes.append(f"cut: {exc!r}")
    except TimeoutError:
        kind = "unexpected"
        notes.append("a request hung for 30 s")
    outcomes[kind] += 1


async def drive(
    url: str, rate: float, seconds: float, process: DaemonProcess, sigterm_at: float | None
) -> dict[str, object]:
    outcomes: Counter[str] = Counter()
    notes: list[str] = []
    rss: list[float] = []
    daemon = psutil.Process(process.process.pid)  # type: ignore[union-attr]
    connector = aiohttp.TCPConnector(limit=2000)
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks: list[asyncio.Task[None]] = []
        started = time.perf_counter()
        index = 0
        next_sample = 0.0
        stopped = False
        while (elapsed := time.perf_counter() - started) < seconds:
            due = int(elapsed * rate)
            while index < due:
                tasks.append(asyncio.create_task(one(session, url, index, outcomes, notes)))
                index += 1
            if elapsed >= next_sample and not stopped:
                try:
                    rss.append(daemon.memory_info().rss / 2**20)
                except psutil.NoSuchProcess:
                    pass
                next_sample += 1.0
            if sigterm_at is not None and not stopped and elapsed >= sigterm_at:
                process.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
                stopped = True
            await asyncio.sleep(0.002)
        await asyncio.gather(*tasks)
    return {"sent": index, "outcomes": dict(outcomes), "notes": notes, "rss_mb": rss}


def count_rows(home: Path) -> Counter[int]:
    with sqlite3.connect(home / "lynkr.db") as db:
        return Counter(status for (status,) in db.execute("SELECT status FROM decisions"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--faults", type=float, default=0.10, help="share of upstream replies that fail")
    parser.add_argument("--sigterm-at", type=float, default=None, help="send SIGTERM this many seconds in")
    parser.add_argument("--quick", action="store_true", help="8 s at 100 requests/s")
    args = parser.parse_args()
    if args.quick:
        args.rate, args.seconds = 100.0, 8.0

    keys = {"BENCH_OPENAI_KEY": "sk-bench-openai", "BENCH_ANTHROPIC_KEY": "sk-bench-anthropic"}
    ours, theirs = multiprocessing.Pipe()
    upstreams = multiprocessing.Process(target=serve_upstreams, args=(args.faults, keys, theirs), daemon=True)
    upstreams.start()
    openai_url, anthropic_url = ours.recv()
    home = Path(tempfile.mkdtemp(prefix="lynkr-load-"))
    process = DaemonProcess(home, config(openai_url, anthropic_url), env=keys).start()
    try:
        result = asyncio.run(drive(process.url, args.rate, args.seconds, process, args.sigterm_at))
    finally:
        exit_code = process.stop(timeout=30)
        ours.send("done")
    upstream_faults = ours.recv()
    upstreams.join(timeout=10)
    rows = count_rows(home)
    outcomes: dict[str, int] = result["outcomes"]  # type: ignore[assignment]
    answered = outcomes.pop("with_status", 0)
    rss: list[float] = result["rss_mb"]  # type: ignore[assignment]
    summary = {
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "sent": result["sent"],
        "outcomes": outcomes,
        "upstream_replies_faulted": upstream_faults,
        "decision_rows": sum(rows.values()),
        "rows_by_status": dict(sorted(rows.items())),
        "requests_answered": answered,
        "rows_lost": max(0, answered - sum(rows.values())),
        "rss_mb_first_last_max": [round(rss[0], 1), round(rss[-1], 1), round(max(rss), 1)] if rss else None,
        "daemon_exit_code": exit_code,
        "notes": result["notes"],
    }
    print(json.dumps(summary, indent=2))
    bad = outcomes.get("unexpected", 0) + (outcomes.get("cut", 0) if args.sigterm_at is None else 0)
    sys.exit(1 if bad or summary["rows_lost"] else 0)


if __name__ == "__main__":
    main()
