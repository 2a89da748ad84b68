"""``python -m daemon``: run the daemon in the foreground (``lynkr up`` detaches it)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from pathlib import Path

from daemon.config.load import format_problems, load_config, load_config_file
from daemon.config.model import Config, ConfigError
from daemon.paths import resolve_paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m daemon", description="Run the Lynkr daemon in the foreground."
    )
    parser.add_argument(
        "--config", help="config file (default: $LYNKR_CONFIG, ./lynkr.toml, ~/.config/lynkr)"
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8081)")
    args = parser.parse_args(argv)

    try:
        config = load_config_file(args.config, host=args.host, port=args.port)
    except ConfigError as error:
        where = error.source or "the environment"
        print(f"lynkr: error: the config at {where} is invalid:\n{format_problems(error)}", file=sys.stderr)
        return 2

    def loader(path: Path | None) -> Config:
        """Hot reload reads the file the daemon runs on, with the same flags and environment."""
        return load_config(path, host=args.host, port=args.port)

    logging.basicConfig(
        level=config.server.log_level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from daemon.server import StartupError, serve  # after logging is set up

    tune_gc()
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # uvloop is optional (and absent on Windows)
        runner = asyncio.Runner()
    try:
        with runner:
            runner.run(serve(config, resolve_paths(), loader))
    except StartupError as error:
        print(f"lynkr: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


GC_YOUNG_THRESHOLD = 20_000
"""Container allocations (net of frees) between two young-generation collections: Python's default,
700, runs one every dozen proxied requests."""


def tune_gc() -> None:
    """Fewer, smaller garbage collections for a long-running server.

    Everything imported so far (modules, classes, functions: most of the daemon's objects) lives as
    long as the process, so it is frozen out of the collector's reach: a full collection no longer
    walks it. A request's objects almost all die by reference counting once it is answered; the few
    cycles (asyncio, aiohttp) are found all the same, only in larger, rarer young collections. The
    collector was about a tenth of the daemon's CPU at full load (see the README's "Benchmarks").
    """
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


if __name__ == "__main__":
    sys.exit(main())
