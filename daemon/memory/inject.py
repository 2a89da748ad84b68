"""The memory block added to a request's system prompt.

The block is one extra system text block at the *end* of the system prompt,
so the client's own system prompt (and any prompt-cache breakpoint on it) is
untouched; nothing else in the request changes. Memories are taken best
first until the token budget is spent, skipping any whose text the recent
messages (or the system prompt) already contain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from daemon.canonical import Request, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.memory.store import Memory
from daemon.memory.text import normalise
from daemon.tokens import estimate_text

OPEN = "<lynkr-memory>"
CLOSE = "</lynkr-memory>"
HEADER = (
    "Notes Lynkr remembered from earlier sessions in this project (may be outdated; the conversation wins):"
)
RECENT_MESSAGES = 8


def recent_text(request: Request, messages: int = RECENT_MESSAGES) -> str:
    """What the client already shows the model: the system prompt and the newest messages, normalised."""
    parts = [request.system_text()]
    for message in request.messages[-messages:]:
        for block in message.content:
            if isinstance(block, TextBlock):
                parts.append(block.text)
            elif isinstance(block, ToolResultBlock):
                parts.append(block.text())
            elif isinstance(block, ToolUseBlock):
                parts.append(str(block.input))
    return normalise("\n".join(parts))


def select(memories: Iterable[Memory], request: Request, budget_tokens: int, limit: int) -> list[Memory]:
    seen = recent_text(request)
    chosen: list[Memory] = []
    spent = estimate_text(OPEN + HEADER + CLOSE)
    for memory in memories:
        if len(chosen) >= limit:
            break
        if normalise(memory.text) in seen:
            continue
        cost = estimate_text(line(memory)) + 1
        if spent + cost > budget_tokens:
            continue  # a shorter one further down may still fit
        chosen.append(memory)
        spent += cost
    return chosen


def line(memory: Memory) -> str:
    return f"- [{memory.type}] {memory.text}"


def render(memories: list[Memory]) -> str:
    return "\n".join([OPEN, HEADER, *(line(m) for m in memories), CLOSE])


def apply(request: Request, block: str) -> Request:
    """A copy of the request with the block appended to its system prompt; the original is not touched."""
    return replace(request, system=[*request.system, TextBlock(block)])
