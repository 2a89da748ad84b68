"""How long the router takes per request, with the structure cache cold and warm.

    python bench/routing_speed.py [--rounds N]

Builds Claude-Code-shaped requests of about 2 KB, 20 KB and 200 KB (system
prompt, tools, a history of Read/Edit tool calls whose results carry real
source code in several languages) and times ``route()`` on them:

- cold: a new, empty structure cache for every call (first sight of the code);
- warm: one cache shared by all calls (a session's next turn, same files).

Prints p50 and p95 in milliseconds. Targets on the 2-core machine: p95 <= 1 ms
at 2 KB, <= 3 ms at 20 KB, <= 25 ms at 200 KB cold.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from daemon.canonical import Message, Request, TextBlock, Tool, ToolResultBlock, ToolUseBlock
from daemon.config.model import Config
from daemon.routing.router import route
from daemon.routing.structure import StructureCache

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ("python", ROOT / "daemon" / "config" / "load.py"),
    ("python", ROOT / "daemon" / "dialects" / "anthropic.py"),
    ("python", ROOT / "daemon" / "pipeline.py"),
    ("python", ROOT / "daemon" / "routing" / "router.py"),
    ("python", ROOT / "daemon" / "streams.py"),
]
SYSTEM = "You are Claude Code, Anthropic's official CLI for Claude. " * 20


def numbered(text: str) -> str:
    """The Read tool's output format: right-aligned line numbers and a tab."""
    return "\n".join(f"{i:>6}\t{line}" for i, line in enumerate(text.splitlines(), 1))


def build(size: int) -> Request:
    tools = [
        Tool(name, f"The {name} tool.", {"type": "object", "properties": {"path": {"type": "string"}}})
        for name in ("Read", "Edit", "Write", "Bash", "Grep", "Glob")
    ]
    messages = [
        Message(
            "user",
            [
                TextBlock(
                    "<system-reminder>Context: the repository is a Python LLM router.</system-reminder>"
                    "The config loader rejects tiers with fallbacks when the provider is a bare type name. "
                    "Find out why and fix it without breaking the env overrides."
                )
            ],
        )
    ]
    total = len(messages[0].content[0].text) + len(SYSTEM)  # type: ignore[union-attr]
    turn = 0
    while total < size:
        _, path = SOURCES[turn % len(SOURCES)]
        code = path.read_text()
        code = code[: max(200, min(len(code), size - total))]
        call = f"toolu_{turn:04d}"
        messages.append(Message("assistant", [ToolUseBlock(call, "Read", {"file_path": str(path)})]))
        messages.append(Message("user", [ToolResultBlock(call, [TextBlock(numbered(code))])]))
        total += len(code) + 120
        turn += 1
    return Request("claude-sonnet-4-6", messages, system=[TextBlock(SYSTEM)], tools=tools, max_tokens=32000)


def timed(request: Request, config: Config, rounds: int, warm: bool) -> list[float]:
    shared = StructureCache()
    if warm:
        route(request, config, cache=shared)
    samples = []
    for _ in range(rounds):
        cache = shared if warm else StructureCache()
        started = time.perf_counter()
        route(request, config, cache=cache)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    config = Config()
    route(build(2_000), config)  # load grammars once, as a running daemon has
    print(f"{'request':>10} {'cache':>6} {'p50 ms':>8} {'p95 ms':>8}  target p95")
    targets = {2_000: "<= 1 ms", 20_000: "<= 3 ms", 200_000: "<= 25 ms (cold)"}
    for size in (2_000, 20_000, 200_000):
        request = build(size)
        for warm in (False, True):
            samples = sorted(
                timed(request, config, args.rounds if size < 200_000 else args.rounds // 4, warm)
            )
            p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
            label = f"{size // 1000} KB"
            cache = "warm" if warm else "cold"
            target = "" if warm else targets[size]
            print(f"{label:>10} {cache:>6} {statistics.median(samples):>8.3f} {p95:>8.3f}  {target}")


if __name__ == "__main__":
    main()
