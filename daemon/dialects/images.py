"""Checks an inline image before it is sent anywhere, so a bad one is the client's 400 with
the field named, not a provider's opaque error after routing (or a fallback hop wasted on it)."""

from __future__ import annotations

import binascii

from daemon.errors import invalid

# What Anthropic, OpenAI and Gemini all accept inline.
MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def check_inline_image(media_type: str, data: str, media_path: str, data_path: str) -> None:
    if media_type.lower() not in MEDIA_TYPES:
        allowed = ", ".join(MEDIA_TYPES)
        raise invalid(media_path, f"{media_type!r} is not a supported image type; use one of {allowed}")
    try:
        binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(data_path, f"is not valid base64 image data ({exc})") from None
