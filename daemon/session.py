"""Which conversation a request belongs to.

Clients that say so are believed (Claude Code sends ``X-Claude-Code-Session-Id``
on every request); for the rest a fingerprint of what stays constant across
the turns of one conversation (the client, the system prompt and the first
user message) groups them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from daemon.canonical import Request, TextBlock

SESSION_HEADERS = (
    "x-session-id",
    "x-claude-code-session-id",
    "x-claude-session-id",
    "x-claude-session",
    "anthropic-session-id",
    "x-lynkr-session",
)


def session_id(headers: Mapping[str, str], request: Request) -> str:
    for header in SESSION_HEADERS:
        value = headers.get(header)
        if value:
            return value[:128]
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
