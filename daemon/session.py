"""Which conversation a request belongs to, and what the daemon remembers about it.

Identity, first match wins: an explicit session header (``x-lynkr-session``,
or the one Claude Code sends on every request), the client's own user field
(Anthropic ``metadata.user_id``, OpenAI ``user``, which Claude Code fills per
session), else a fingerprint of what stays constant across the turns of one
conversation: the client, the head of the system prompt and the first user
message. Never the API key alone: that would merge every conversation of a key.

The store is bounded (least recently seen sessions are forgotten first).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from daemon.canonical import Request, TextBlock, ToolResultBlock
from daemon.quality import penalise_for_tool_errors
from daemon.routing.router import RoutingDecision, SessionView

# Claude Code sends x-claude-code-session-id; Codex CLI session-id (0.169) or session_id.
SESSION_HEADERS = ("x-lynkr-session", "x-claude-code-session-id", "x-session-id", "session-id", "session_id")


def session_id(headers: Mapping[str, str], request: Request) -> str:
    for header in SESSION_HEADERS:
        value = headers.get(header)
        if value:
            return value[:128]
    if request.user:
        return "user-" + request.user[:120]
    digest = hashlib.blake2b(digest_size=8)
    digest.update(headers.get("user-agent", "").split("/")[0].encode())
    digest.update(request.system_text()[:2000].encode())
    for message in request.messages:
        if message.role == "user":
            digest.update(
                " ".join(b.text for b in message.content if isinstance(b, TextBlock))[:2000].encode()
            )
            break
    return "fp-" + digest.hexdigest()


@dataclass(slots=True)
class SessionState:
    id: str
    client: str = ""
    tier: str | None = None
    override: str | None = None
    message_count: int = 0
    requests: int = 0
    last_decision: str | None = None
    last_tool_calls: tuple[str, ...] = ()
    last_quality: int | None = None
    spend_usd: float = 0.0
    """What this session's requests cost (requests on unpriced models add nothing)."""
    tiers: dict[str, int] = field(default_factory=dict)
    """Requests per tier served: the session's tier mix."""
    first_seen: float = field(default_factory=time.time)
    last_seen: float = field(default_factory=time.time)

    def view(self) -> SessionView:
        return SessionView(self.id, self.override, self.tier, self.message_count)


class SessionStore:
    def __init__(self, limit: int = 10_000) -> None:
        self._sessions: OrderedDict[str, SessionState] = OrderedDict()
        self._limit = limit

    def get(self, sid: str) -> SessionState | None:
        return self._sessions.get(sid)

    def view(self, sid: str) -> SessionView | None:
        state = self._sessions.get(sid)
        return state.view() if state else None

    def record(self, sid: str, client: str, request: Request, decision: RoutingDecision) -> None:
        state = self._sessions.get(sid)
        if state is None:
            state = self._sessions[sid] = SessionState(sid, client)
            if len(self._sessions) > self._limit:
                self._sessions.popitem(last=False)
        else:
            self._sessions.move_to_end(sid)
        state.tier = decision.tier
        state.message_count = len(request.messages)
        state.requests += 1
        state.last_seen = time.time()

    def set_override(self, sid: str, tier: str | None) -> SessionState:
        """Pin a session to a tier (None = back to automatic); takes effect on its next request."""
        state = self._sessions.get(sid)
        if state is None:
            state = self._sessions[sid] = SessionState(sid)
        state.override = tier
        return state

    def remember_outcome(
        self,
        sid: str,
        decision_id: str,
        tool_calls: tuple[str, ...],
        quality: int | None,
        cost_usd: float | None = None,
        tier: str | None = None,
    ) -> None:
        state = self._sessions.get(sid)
        if state is not None:
            state.last_decision, state.last_tool_calls, state.last_quality = decision_id, tool_calls, quality
            state.spend_usd += cost_usd or 0.0
            if tier:
                state.tiers[tier] = state.tiers.get(tier, 0) + 1

    def tool_feedback(self, sid: str, request: Request) -> tuple[str, int] | None:
        """When this turn carries the results of the previous response's tool calls, the share of
        them that failed lowers that response's quality. Returns (decision id, new quality)."""
        state = self._sessions.get(sid)
        if state is None or not state.last_tool_calls or state.last_quality is None or not request.messages:
            return None
        results = [b for b in request.messages[-1].content if isinstance(b, ToolResultBlock)]
        answered = [b for b in results if b.tool_use_id in state.last_tool_calls]
        if not answered:
            return None
        share = sum(b.is_error for b in answered) / len(answered)
        decision, state.last_tool_calls = state.last_decision, ()
        if share == 0 or decision is None:
            return None
        return decision, penalise_for_tool_errors(state.last_quality, share)

    def all(self) -> list[SessionState]:
        return list(reversed(self._sessions.values()))
