"""A canned ``DataSource``: deterministic data for snapshot tests, benches and demos. No daemon involved.

It also records what the console asked it to change (``calls``), so tests can check the actions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from lynkr_tui.console.source import ControlError, NotRunning, Unavailable

BASE_TIME = 1_780_000_000.0  # a fixed "now" for frozen snapshots
TIER_MODELS = {
    "simple": ("local", "qwen2.5-coder:7b"),
    "medium": ("claude", "claude-sonnet-4-5"),
    "complex": ("claude", "claude-opus-4-1"),
    "reasoning": ("oai", "o3"),
}
CONFIG_TEXT = """[providers.claude]
type = "anthropic"

[tiers.simple]
provider = "local"
model = "qwen2.5-coder:7b"

[tiers.medium]
provider = "claude"
model = "claude-sonnet-4-5"
"""


def canned_decision(i: int, now: float = BASE_TIME) -> dict[str, Any]:
    tier = ("simple", "medium", "simple", "complex", "medium", "reasoning", "simple")[i % 7]
    provider, model = TIER_MODELS[tier]
    return {
        "type": "decision",
        "id": f"d{i:05d}",
        "time": now - 60 + i * 0.5,
        "session": f"sess-{i % 3}",
        "dialect": ("anthropic", "openai")[i % 2],
        "tier": tier,
        "rule": ("score", "tools", "pin")[i % 3],
        "score": round(0.1 * (i % 9), 4),
        "provider": provider,
        "model": model,
        "status": 200 if i % 11 else 502,
        "error": None if i % 11 else "upstream 502",
        "latency_ms": 120.0 + 37 * (i % 13),
        "ttft_ms": 40.0 + 11 * (i % 7),
        "input_tokens": 900 + 13 * i,
        "output_tokens": 40 + i,
        "cost_usd": round(0.0004 * (1 + i % 5), 6),
        "hops": [],
    }


class FakeSource:
    def __init__(self, *, decisions: int = 12, memory: bool = True, breakers: bool = True) -> None:
        self.running = True
        self.pid = 4242  # change it to simulate a daemon restart
        self.calls: list[tuple[str, Any]] = []
        self.decisions = [canned_decision(i) for i in range(decisions)]
        self._memory = memory
        self._breakers = breakers
        self.config_text = CONFIG_TEXT
        self.sessions_list = [
            {"id": f"sess-{i}", "client": ("claude-code", "aider", "openhands")[i], "tier": "medium",
             "override": "complex" if i == 1 else None, "requests": 10 + i, "messages": 4 * i + 2,
             "spend_usd": 0.0125 * (i + 1), "tiers": {"medium": 10 + i},
             "first_seen": BASE_TIME - 3600, "last_seen": BASE_TIME - 5 * i}
            for i in range(3)
        ]  # fmt: skip

    def _check(self) -> None:
        if not self.running:
            raise NotRunning("no daemon answers (fake)")

    def status(self) -> dict[str, Any]:
        self._check()
        return {
            "version": "0.1.0",
            "pid": self.pid,
            "started_at": BASE_TIME - 3723 + (self.pid - 4242),
            "uptime_seconds": 3723.0,
            "url": "http://127.0.0.1:8081",
            "traffic": {
                "requests": 1234, "in_flight": 3, "requests_per_second": 4.5,
                "spend_usd": 1.2345, "spend_today_usd": 0.4321,
                "baseline_usd": 4.0, "savings_usd": 2.7655, "baseline": "anthropic:claude-opus-4-1",
                "by_tier": {"simple": 600, "medium": 400, "complex": 200, "reasoning": 34},
            },
        }  # fmt: skip

    def stats(self) -> dict[str, Any]:
        self._check()
        live = {
            tier: {
                "count": 10,
                "latency_ms": {"p50": 100.0 * (n + 1), "p95": 900.0 * (n + 1), "p99": 1500.0 * (n + 1)},
                "ttft_count": 10,
                "ttft_ms": {"p50": 50.0, "p95": 90.0, "p99": 120.0},
            }
            for n, tier in enumerate(TIER_MODELS)
        }
        return {"traffic": self.status()["traffic"], "live": {"tier": live, "provider": {}}, "history": {}}

    def recent_decisions(self, limit: int) -> list[dict[str, Any]]:
        self._check()
        return [{**d, "started_at": d["time"]} for d in reversed(self.decisions[-limit:])]

    def decision(self, decision_id: str) -> dict[str, Any]:
        self._check()
        for d in self.decisions:
            if d["id"] == decision_id:
                return {
                    **d,
                    "started_at": d["time"],
                    "dimensions": {"tokens": 0.42, "tools": 1.0, "code": 0.3},
                    "reasons": ["tools present", "long context"],
                    "hops": [{"provider": "oai", "model": "gpt-4o", "error": "503 from upstream"}],
                    "request_body": '{"model": "lynkr-medium", "messages": [{"role": "user", "content": "hi"}]}',  # noqa: E501
                    "response_body": None,
                }
        raise ControlError("no such decision")

    def sessions(self) -> list[dict[str, Any]]:
        self._check()
        return [dict(s) for s in self.sessions_list]

    def set_session_tier(self, session: str, tier: str) -> dict[str, Any]:
        self._check()
        self.calls.append(("tier", (session, tier)))
        for s in self.sessions_list:
            if s["id"] == session:
                s["override"] = None if tier == "auto" else tier
                return dict(s)
        raise ControlError("no such session")

    def breakers(self) -> list[dict[str, Any]]:
        self._check()
        if not self._breakers:
            raise Unavailable("GET /v1/breakers is not available from this daemon")
        return [
            {"provider": "claude", "state": "closed", "failures": 0, "last_error": None,
             "last_failure_at": None, "next_probe_in": None},
            {"provider": "oai", "state": "open", "failures": 5, "last_error": "503 Service Unavailable",
             "last_failure_at": BASE_TIME - 12, "next_probe_in": 18.0},
            {"provider": "local", "state": "half_open", "failures": 2, "last_error": "connection refused",
             "last_failure_at": BASE_TIME - 40, "next_probe_in": 0.0},
        ]  # fmt: skip

    def reset_breaker(self, provider: str) -> dict[str, Any]:
        self._check()
        self.calls.append(("reset", provider))
        return {"provider": provider, "state": "closed"}

    def memories(self, query: str, limit: int) -> dict[str, Any]:
        self._check()
        if not self._memory:
            return {"enabled": False, "memories": []}
        items = [
            {"id": 1, "project": "lynkr", "type": "decision", "text": "Use uvloop in the daemon.",
             "created_at": BASE_TIME - 86400, "scores": {"relevance": 0.8, "recency": 0.5, "total": 0.71}},
            {"id": 2, "project": "lynkr", "type": "fact", "text": "Tests run with pytest -n 2.",
             "created_at": BASE_TIME - 7200, "scores": {"relevance": 0.4, "recency": 0.9, "total": 0.55}},
        ]  # fmt: skip
        return {"enabled": True, "memories": [m for m in items if query.lower() in m["text"].lower()][:limit]}

    def memory(self, memory_id: int | str) -> dict[str, Any]:
        for m in self.memories("", 10)["memories"]:
            if str(m["id"]) == str(memory_id):
                return m
        raise ControlError("no such memory")

    def delete_memory(self, memory_id: int | str) -> None:
        self.calls.append(("delete_memory", memory_id))

    def config(self) -> dict[str, Any]:
        self._check()
        return {
            "source": "/home/op/.config/lynkr/config.toml",
            "text": self.config_text,
            "routing": {"weights": {"tokens": 1.5, "tools": 2.0, "code": 1.0}},
        }

    def validate_config(self, text: str) -> dict[str, Any]:
        self._check()
        if "bogus" in text:
            return {"valid": False, "problems": [{"key": "tiers.medium.bogus", "message": "unknown key"}]}
        return {"valid": True, "problems": []}

    def apply_config(self, text: str) -> dict[str, Any]:
        self._check()
        result = self.validate_config(text)
        if not result["valid"]:
            return {"applied": False, "problems": result["problems"]}
        self.calls.append(("apply", text))
        self.config_text = text
        return {"applied": True, "problems": []}

    def replay(self, body: dict[str, Any]) -> dict[str, Any]:
        self._check()
        self.calls.append(("replay", body))
        if "id" in body:
            return {
                "id": body["id"], "replayable": True, "moved": True,
                "old": {"tier": "medium", "rule": "score", "score": 0.41, "provider": "claude",
                        "model": "claude-sonnet-4-5"},
                "new": {"tier": "complex", "rule": "score", "score": 0.63, "provider": "claude",
                        "model": "claude-opus-4-1", "reasons": ["tools present"]},
                "dimensions": [
                    {"name": "tokens", "old": 0.4, "new": 0.42, "weight": 1.5, "points": 0.63},
                    {"name": "tools", "old": 0.0, "new": 1.0, "weight": 2.0, "points": 2.0},
                ],
            }  # fmt: skip
        return {
            "window_seconds": body.get("since_seconds", 86400), "replayed": 40, "skipped": 2, "moved": 7,
            "tier_mix": {"old": {"simple": 20, "medium": 15, "complex": 5},
                         "new": {"simple": 24, "medium": 10, "complex": 6}},
            "cost_usd": {"old": 0.512, "new": 0.388, "unknown": 1},
        }  # fmt: skip

    def events(self, stop: threading.Event) -> Iterator[dict[str, Any]]:
        # Canned data is all in the snapshot; the stream stays open and quiet until stopped.
        self._check()
        yield {"type": "hello", "time": BASE_TIME}
        while not stop.wait(0.2):
            if not self.running:
                raise NotRunning("fake daemon stopped")

    def start_daemon(self) -> str:
        self.running = True
        self.pid = 4242  # change it to simulate a daemon restart
        self.calls.append(("start", None))
        return "started (fake)"
