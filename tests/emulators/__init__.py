"""Local upstream emulators for the LLM providers Lynkr talks to.

Each emulator runs in a background thread on 127.0.0.1 (random port), validates requests as strictly as the
real provider, records them, and answers with scripted :class:`Reply` objects (or a default echo reply)::

    with OpenAIEmulator(expected_key="sk-test") as upstream:
        upstream.script(Reply(tool_calls=[ToolCall("get_weather", {"city": "Paris"})]))
        ...  # point Lynkr at upstream.base_url + "/v1"
        assert upstream.last_request.body["model"] == "gpt-4o"
"""

from .anthropic_emulator import AnthropicEmulator
from .base import Emulator, RecordedRequest, Reply, ToolCall
from .bedrock_emulator import AwsCredentials, BedrockEmulator
from .gemini_emulator import GeminiEmulator
from .ollama_emulator import OllamaEmulator
from .openai_emulator import OpenAIEmulator

__all__ = [
    "AnthropicEmulator",
    "AwsCredentials",
    "BedrockEmulator",
    "Emulator",
    "GeminiEmulator",
    "OllamaEmulator",
    "OpenAIEmulator",
    "RecordedRequest",
    "Reply",
    "ToolCall",
]
