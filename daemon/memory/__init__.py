"""Long-term memory: what Lynkr learns about a project in one session and tells the model in the next.

``MemoryService`` is the pipeline's only entry point: ``context`` (before the
provider call) returns the request with the memory block added, and
``learn`` (after the response, in a background task) extracts and stores
observations. See ``extract``, ``store``, ``score`` and ``inject``.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

from daemon.canonical import Request, Response, TextBlock
from daemon.config.model import MemoryConfig
from daemon.memory.extract import extract
from daemon.memory.inject import apply, render, select
from daemon.memory.project import WORKSPACE_HEADER, find_project, project_of
from daemon.memory.store import MemoryStore
from daemon.routing.envelope import latest_user_text, user_text_of
from daemon.tokens import estimate_text

log = logging.getLogger("lynkr.memory")

OFF_HEADER = "x-lynkr-memory"
_CANDIDATES = 60
_PINNED_SESSIONS = 2000
PROMPT_CACHE_SECONDS = 300.0
"""How long a provider keeps a prompt prefix cached (Anthropic's default 5 minutes; OpenAI and
Gemini keep theirs about as long). While a session is busier than that, its block is not changed."""


class MemoryService:
    def __init__(
        self, store: MemoryStore, config: MemoryConfig, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.config = config
        self._clock = clock
        # The block chosen for a session is kept while its user text stays the same (a tool loop) and,
        # across new user turns, while the session's prompt cache is still warm: the block sits in the
        # system prompt, ahead of every message, so changing it rewrites the whole conversation's
        # cache. Value: ((project, user text), block, last used).
        self._pinned: OrderedDict[str, tuple[tuple[str, str], str, float]] = OrderedDict()
        # A session's project, found once: finding it scans the whole conversation, which grows
        # with every turn, so it is not done again while the session keeps its answer. Keyed also by
        # the conversation's opening (system + first message): one session id can span projects (the
        # OpenAI ``user`` field, a fingerprint two repos share), and those must not share memories.
        # Value: (project, messages read, reading budget left). While nothing is found, each request
        # reads only the messages its conversation added since (a repeat or retry reads nothing).
        self._projects: OrderedDict[tuple[str, int], tuple[str, int, int]] = OrderedDict()
        self._read_text: OrderedDict[str, int] = OrderedDict()  # session -> the user text last read
        self.injected_requests = self.injected_tokens = self.observations = 0

    @classmethod
    async def open(cls, path: Path, config: MemoryConfig) -> MemoryService:
        store = await MemoryStore.open(
            path,
            max_count=config.max_count,
            max_age_days=config.max_age_days,
            dedupe_threshold=config.dedupe_threshold,
        )
        return cls(store, config)

    async def close(self) -> None:
        await self.store.close()

    def wanted(self, headers: Mapping[str, str]) -> bool:
        return self.config.enabled and headers.get(OFF_HEADER, "").strip().lower() not in (
            "off",
            "0",
            "false",
        )

    async def context(
        self, headers: Mapping[str, str], request: Request, session: str
    ) -> tuple[Request, str, int]:
        """(the request to send, its project, tokens injected)."""
        project = self.project(headers, request, session)
        if not (self.config.inject and self.wanted(headers)):
            return request, project, 0
        query = latest_user_text(request)
        key = (project, query[:4000])
        now = self._clock()
        pinned = self._pinned.get(session)
        if pinned is not None and (
            pinned[0] == key or (pinned[0][0] == project and now - pinned[2] < PROMPT_CACHE_SECONDS)
        ):
            block = pinned[1]
            self._pinned[session] = (pinned[0], block, now)
            self._pinned.move_to_end(session)
        else:
            memories = await self.store.search(
                project,
                query,
                limit=_CANDIDATES,
                weights=self.config.weights,
                half_life_days=self.config.half_life_days,
            )
            chosen = select(memories, request, self.config.token_budget, self.config.max_injected)
            block = render(chosen) if chosen else ""
            self._pinned[session] = (key, block, now)
            if len(self._pinned) > _PINNED_SESSIONS:
                self._pinned.popitem(last=False)
        if not block:
            return request, project, 0
        tokens = estimate_text(block)
        self.injected_requests += 1
        self.injected_tokens += tokens
        return apply(request, block), project, tokens

    def project(self, headers: Mapping[str, str], request: Request, session: str) -> str:
        if headers.get(WORKSPACE_HEADER):
            return project_of(headers, request)
        key = (session, _opening(request))
        count = len(request.messages)
        known = self._projects.get(key)
        if known is not None and (known[0] or known[1] == count):
            # Found, or found nothing and there is nothing new to read (a repeat, a retry).
            self._projects.move_to_end(key)
            return known[0]
        if known is not None and 0 < known[1] < count:
            # Nothing found yet: later turns may name files. Read only the messages added since.
            found, left = find_project(request, known[1], known[2])
        else:  # first sight, or fewer messages than were read: another conversation with this opening
            found, left = find_project(request)
        self._projects[key] = (found, count, left)
        self._projects.move_to_end(key)
        if len(self._projects) > _PINNED_SESSIONS:
            self._projects.popitem(last=False)
        return found

    async def learn(self, request: Request, response: Response | None, session: str, project: str) -> None:
        """Extract this exchange's observations and store them (runs off the request path)."""
        if not self.config.extract:
            return
        turn = sum(1 for m in request.messages if m.role == "user")
        # A client resends its last user text with every retry and tool round: read it once. The
        # fingerprint is of the text extraction reads (not of the whole message with its tool results).
        last = request.messages[-1] if request.messages else None
        said = hash(user_text_of(last)) if last is not None and last.role == "user" else None
        new_text = said is None or self._read_text.get(session) != said
        if said is not None:
            self._read_text[session] = said
            self._read_text.move_to_end(session)
            if len(self._read_text) > _PINNED_SESSIONS:
                self._read_text.popitem(last=False)
        for observation in extract(request, response, user_text=new_text):
            await self.store.observe(project, observation, session, turn)
            self.observations += 1

    def stats(self) -> dict[str, int | bool]:
        return {
            "enabled": self.config.enabled,
            "injected_requests": self.injected_requests,
            "injected_tokens": self.injected_tokens,
            "observations": self.observations,
            "inserted": self.store.inserted,
            "merged": self.store.merged,
            "replaced": self.store.replaced,
            "pruned": self.store.pruned,
        }


def _opening(request: Request) -> int:
    """A cheap fingerprint of what a conversation starts with, which stays the same as it grows."""
    first = request.messages[0].content if request.messages else []
    text = " ".join(b.text[:2000] for b in first if isinstance(b, TextBlock))
    return hash((request.system_text()[:4000], text))
