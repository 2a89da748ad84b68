"""What Lynkr assumes about a model it only knows by name: vision and context window.

Used by the hard rules when a tier's config does not say (``vision`` and
``context_window`` under ``[tiers.NAME]`` always win). Unknown models get
``None``: a rule never blocks on a guess.
"""

from __future__ import annotations

import re

# (pattern on the lowercased model name, sees images, context window in tokens); first match wins.
_KNOWN: tuple[tuple[re.Pattern[str], bool, int], ...] = tuple(
    (re.compile(pattern), vision, window)
    for pattern, vision, window in (
        (r"claude-(?:opus|sonnet)-4-[5-9]|claude-sonnet-4-6", True, 200_000),
        (r"claude", True, 200_000),
        (r"gpt-4\.1", True, 1_000_000),
        (r"gpt-5", True, 400_000),
        (r"gpt-4o|chatgpt-4o", True, 128_000),
        (r"\bo[134](?:-mini|-pro)?\b", True, 200_000),
        (r"gpt-4-turbo", True, 128_000),
        (r"gpt-3\.5", False, 16_385),
        (r"gemini", True, 1_000_000),
        (r"llava|-vl\b|-vl-|vision|pixtral|gemma-?3|minicpm-v|moondream", True, 32_768),
        (r"deepseek-(?:chat|reasoner|v3|r1)", False, 128_000),
        (r"kimi|moonshot", False, 256_000),
        (r"glm-4", False, 128_000),
        (r"qwen3-coder", False, 256_000),
        (r"qwen|deepseek-coder|codellama|llama|mistral|mixtral|phi|starcoder|granite|smollm", False, 32_768),
    )
)


def known_vision(model: str) -> bool | None:
    name = model.lower()
    for pattern, vision, _ in _KNOWN:
        if pattern.search(name):
            return vision
    return None


def known_context_window(model: str) -> int | None:
    name = model.lower()
    for pattern, _, window in _KNOWN:
        if pattern.search(name):
            return window
    return None
