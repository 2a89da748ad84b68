"""What Lynkr adds on top of calling the upstream directly.

    python bench/proxy_overhead.py [--quick]

Starts a minimal OpenAI-compatible upstream (bench/upstream.py) and a real
Lynkr daemon in front of it (separate processes, like production), then
measures:

1. added latency, p50 and p99, at concurrency 1 (small non-streaming requests,
   direct and proxied requests interleaved so drift hits both alike);
2. throughput at concurrency 32 through the proxy (wrk when installed, else an
   aiohttp client), and of the upstream alone for reference;
3. time to first token for streams, direct vs proxied;
4. resident memory of the daemon with 1,000 concurrent open streams.

With the throughput run it reports the daemon's CPU time per request (all its
threads, from psutil), which moves with the request path's cost even when
other work on the machine moves req/s.

Prints a table. Numbers depend on the machine: the README records the ones
measured on the project's 2-core box and the command that produced them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    b'{"model":"lynkr-medium","max_tokens":32,"messages":[{"role":"user","content":"Move foo.py to bar.py"}]}'
)
STREAM_BODY = BODY[:-1] + b',"stream":true}'
FLUSH_SETTLE = 0.6  # seconds: a little over the decision store's flush interval


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_upstream(port: int, chunks: int = 8, interval: float = 0.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "upstream.py"), str(port), str(chunks), str(interval)]
    )


def start_daemon(
    home: Path, port: int, upstream_port: int, store_bodies: bool = True, memory: bool = True
) -> subprocess.Popen[bytes]:
    config = home / "lynkr.toml"
    config.write_text(f"""
[server]
port = {port}
log_level = "warning"

[telemetry]
store_bodies = {"true" if store_bodies else "false"}

[memory]
enabled = {"true" if memory else "false"}

[providers.bench]
type = "openai"
base_url = "http://127.0.0.1:{upstream_port}/v1"
api_key_env = "BENCH_KEY"

[tiers.medium]
provider = "bench"
model = "bench-model"
""")
    env = {**os.environ, "LYNKR_HOME": str(home), "BENCH_KEY": "bench-key"}
    return subprocess.Popen([sys.executable, "-m", "daemon", "--config", str(config)], env=env, cwd=ROOT)


async def wait_ready(url: str, within: float = 20) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as r:
                    if r.status in (200, 404, 405):
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def latency_c1(direct: str, proxy: str, n: int) -> tuple[list[float], list[float]]:
    headers = {"content-type": "application/json", "authorization": "Bearer x"}
    d: list[float] = []
    p: list[float] = []
    async with aiohttp.ClientSession() as session:
        for _ in range(50):  # warm both paths
            for url in (direct, proxy):
                async with session.post(url, data=BODY, headers=headers) as r:
                    await r.read()
        for _ in range(n):
            for url, out in ((direct, d), (proxy, p)):
                t = time.perf_counter()
                async with session.post(url, data=BODY, headers=headers) as r:
                    await r.read()
                    assert r.status == 200, await r.text()
                out.append((time.perf_counter() - t) * 1000)
    return d, p


async def ttft(direct: str, proxy: str, n: int) -> tuple[list[float], list[float]]:
    headers = {"content-type": "application/json", "authorization": "Bearer x"}
    d: list[float] = []
    p: list[float] = []

    async def first_token(session: aiohttp.ClientSession, url: str) -> float:
        t = time.perf_counter()
        async with session.post(url, data=STREAM_BODY, headers=headers) as r:
            elapsed = None
            async for line in r.content:
                # OpenAI chunks carry "content":"word..", Anthropic would carry text_delta.
                if elapsed is None and b"word" in line:
                    elapsed = (time.perf_counter() - t) * 1000
            assert elapsed is not None
            return elapsed

    async with aiohttp.ClientSession() as session:
        for _ in range(20):
            await first_token(session, direct)
            await first_token(session, proxy)
        for _ in range(n):
            d.append(await first_token(session, direct))
            p.append(await first_token(session, proxy))
    return d, p


def throughput_wrk(url: str, seconds: int) -> tuple[float, int] | None:
    """(requests per second, requests completed), or None without wrk."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = '{BODY.decode()}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Authorization"] = "Bearer x"\n'
    )
    out = subprocess.run(
        [wrk, "-t1", "-c32", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    if "Non-2xx" in out:
        raise RuntimeError(out)
    done = rate = None
    for line in out.splitlines():
        if " requests in " in line:
            done = int(line.split()[0])
        if line.startswith("Requests/sec:"):
            rate = float(line.split()[1])
    return (rate, done) if rate is not None and done is not None else None


async def throughput_aiohttp(url: str, seconds: int, concurrency: int = 32) -> tuple[float, int]:
    headers = {"content-type": "application/json", "authorization": "Bearer x"}
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with session.post(url, data=BODY, headers=headers) as r:
                await r.read()
            done += 1

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return done / (time.perf_counter() - started), done


async def open_streams(proxy: str, daemon_pid: int, count: int) -> tuple[int, float, float]:
    """Open ``count`` slow streams at once.

    Returns the peak number of streams that were receiving tokens at the same
    moment (a stream counts from its first token to its end), and the daemon's
    RSS before and at that peak.
    """
    headers = {"content-type": "application/json", "authorization": "Bearer x"}
    proc = psutil.Process(daemon_pid)
    baseline = proc.memory_info().rss / 2**20
    live = 0
    peak_live = 0
    peak_rss = baseline
    all_live = asyncio.Event()

    async def one(session: aiohttp.ClientSession) -> None:
        nonlocal live, peak_live
        async with session.post(proxy, data=STREAM_BODY, headers=headers) as r:
            counted = False
            try:
                async for line in r.content:
                    if not counted and b"word" in line:
                        counted = True
                        live += 1
                        peak_live = max(peak_live, live)
                        if live == count:
                            all_live.set()
            finally:
                if counted:
                    live -= 1

    async def sample() -> None:
        nonlocal peak_rss
        while True:
            peak_rss = max(peak_rss, proc.memory_info().rss / 2**20)
            await asyncio.sleep(0.2)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=120)
    ) as session:
        sampler = asyncio.create_task(sample())
        tasks = [asyncio.create_task(one(session)) for _ in range(count)]
        try:
            await asyncio.wait_for(all_live.wait(), timeout=60)
            await asyncio.sleep(1)
            peak_rss = max(peak_rss, proc.memory_info().rss / 2**20)
        finally:
            results = await asyncio.gather(*tasks, return_exceptions=True)
            sampler.cancel()
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise RuntimeError(f"{len(failures)} streams failed, e.g. {failures[0]!r}")
    return peak_live, baseline, peak_rss


async def run(args: argparse.Namespace) -> None:
    n = 300 if args.quick else 2000
    seconds = 5 if args.quick else 10
    up_port, slow_port, proxy_port, slow_proxy_port = (free_port() for _ in range(4))
    homes = [Path(tempfile.mkdtemp(prefix="lynkr-bench-")) for _ in range(2)]
    procs = [start_upstream(up_port), start_upstream(slow_port, chunks=20, interval=0.5)]
    bodies, memory = not args.no_bodies, not args.no_memory
    procs.append(start_daemon(homes[0], proxy_port, up_port, store_bodies=bodies, memory=memory))
    procs.append(start_daemon(homes[1], slow_proxy_port, slow_port))
    direct = f"http://127.0.0.1:{up_port}/v1/chat/completions"
    proxy = f"http://127.0.0.1:{proxy_port}/v1/chat/completions"
    slow_proxy = f"http://127.0.0.1:{slow_proxy_port}/v1/chat/completions"
    rows: list[tuple[str, str, str]] = []
    try:
        for url in (
            f"http://127.0.0.1:{up_port}/",
            f"http://127.0.0.1:{slow_port}/",
            f"http://127.0.0.1:{proxy_port}/health/live",
            f"http://127.0.0.1:{slow_proxy_port}/health/live",
        ):
            await wait_ready(url)

        d, p = await latency_c1(direct, proxy, n)
        rows += [
            ("latency c=1, direct p50 / p99", f"{pct(d, 0.5):.2f} / {pct(d, 0.99):.2f} ms", ""),
            ("latency c=1, via Lynkr p50 / p99", f"{pct(p, 0.5):.2f} / {pct(p, 0.99):.2f} ms", ""),
            ("added latency p50", f"{pct(p, 0.5) - pct(d, 0.5):.2f} ms", "target <= 1 ms"),
            ("added latency p99", f"{pct(p, 0.99) - pct(d, 0.99):.2f} ms", "target <= 5 ms"),
        ]

        tool = "wrk" if shutil.which("wrk") else "aiohttp client"
        direct_rps, _ = throughput_wrk(direct, seconds) or await throughput_aiohttp(direct, seconds)
        # The daemon's CPU time (all its threads) over the run, per request served: steadier than
        # req/s on a shared machine, and what a change to the request path moves.
        daemon = psutil.Process(procs[2].pid)
        cpu_before = sum(daemon.cpu_times()[:2])
        proxy_rps, served = throughput_wrk(proxy, seconds) or await throughput_aiohttp(proxy, seconds)
        await asyncio.sleep(FLUSH_SETTLE)  # the decision store writes the run's last rows
        cpu_us = (sum(daemon.cpu_times()[:2]) - cpu_before) * 1e6 / max(1, served)
        rows += [
            (f"throughput c=32, upstream alone ({tool})", f"{direct_rps:,.0f} req/s", ""),
            (f"throughput c=32, via Lynkr ({tool})", f"{proxy_rps:,.0f} req/s", "target >= 2,500"),
            ("daemon CPU per request at c=32", f"{cpu_us:,.0f} us", ""),
        ]

        d, p = await ttft(direct, proxy, n // 4)
        rows += [
            ("TTFT stream, direct p50", f"{pct(d, 0.5):.2f} ms", ""),
            ("TTFT stream, via Lynkr p50", f"{pct(p, 0.5):.2f} ms", ""),
            ("TTFT overhead p50", f"{pct(p, 0.5) - pct(d, 0.5):.2f} ms", "target <= 2 ms"),
        ]

        count = 200 if args.quick else 1000
        live, base_rss, peak_rss = await open_streams(slow_proxy, procs[3].pid, count)
        rows += [
            (f"{count} concurrent open streams", f"{live} streaming at once", f"all {count} at once"),
            (
                "daemon RSS idle -> with streams open",
                f"{base_rss:.0f} -> {peak_rss:.0f} MB",
                "target <= 200 MB",
            ),
        ]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    width = max(len(r[0]) for r in rows)
    print(f"\nLynkr proxy overhead ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")
    for name, value, target in rows:
        print(f"  {name:<{width}}  {value:>24}  {target}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer samples, for a smoke run")
    parser.add_argument(
        "--no-bodies", action="store_true", help="run the daemon with [telemetry] store_bodies = false"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="run the daemon with [memory] enabled = false"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
