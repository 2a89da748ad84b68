"""Token estimation for when an upstream reports no usage.

No tokenizer is bundled: tiktoken downloads its vocabularies on first use
and fails offline, and each provider tokenizes differently anyway. The
estimate is ~4 characters per token for prose and code (what Ollama's own
Anthropic shim uses) plus a small per-message and per-image overhead. Every
estimated number is marked ``estimated`` in usage and telemetry.
"""

from __future__ import annotations

import json

from daemon.canonical import (
    ImageBlock,
    Request,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
)

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4
IMAGE_TOKENS = 1_500  # Anthropic bills ~1.6k for a 1092x1092 image; a fair middle.


def estimate_text(text: str) -> int:
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def estimate_request(request: Request) -> int:
    chars = len(request.system_text())
    images = 0
    for message in request.messages:
        chars += MESSAGE_OVERHEAD * CHARS_PER_TOKEN
        for block in message.content:
            if isinstance(block, TextBlock):
                chars += len(block.text)
            elif isinstance(block, ToolUseBlock):
                chars += len(block.name) + len(json.dumps(block.input))
            elif isinstance(block, ToolResultBlock):
                for part in block.content:
                    if isinstance(part, TextBlock):
                        chars += len(part.text)
                    else:
                        images += 1
            elif isinstance(block, ThinkingBlock):
                chars += len(block.thinking)
            elif isinstance(block, ImageBlock):
                images += 1
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description or "") + len(json.dumps(tool.input_schema))
    return max(1, (chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN + images * IMAGE_TOKENS)
