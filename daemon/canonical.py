"""The one internal model of requests, responses and stream events.

Every wire format (Anthropic Messages, OpenAI Chat Completions, Ollama, ...)
translates to and from these types and nothing else, so adding a format never
touches another one. The shape follows Anthropic Messages because it is the
richest of the formats we speak: typed content blocks, a top-level system
prompt, and a stream of explicitly opened and closed blocks. Narrower formats
map onto it without loss; the reverse direction drops only what the target
cannot express (documented in each translator).

Stream contract (what every upstream decoder must produce and every client
encoder may rely on):

    MessageStart
    ( BlockStart  BlockDelta*  BlockStop )*      # indexes 0,1,2..., one open at a time
    MessageDelta                                 # stop reason + final usage
    MessageStop
    StreamError may replace any suffix of that sequence; nothing follows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class StopReason(StrEnum):
    END_TURN = "end_turn"
    MAX_TOKENS = "max_tokens"
    STOP_SEQUENCE = "stop_sequence"
    TOOL_USE = "tool_use"
    REFUSAL = "refusal"
    PAUSE_TURN = "pause_turn"
    CONTEXT_WINDOW_EXCEEDED = "model_context_window_exceeded"


# --------------------------------------------------------------------------- blocks


@dataclass(slots=True)
class TextBlock:
    text: str
    cache_control: dict[str, Any] | None = None
    type: Literal["text"] = "text"


@dataclass(slots=True)
class ImageBlock:
    """An image, either inline (base64 ``data`` + ``media_type``) or by ``url``."""

    media_type: str | None = None
    data: str | None = None
    url: str | None = None
    type: Literal["image"] = "image"

    def as_data_url(self) -> str:
        if self.url is not None:
            return self.url
        return f"data:{self.media_type or 'image/png'};base64,{self.data or ''}"


@dataclass(slots=True)
class ToolUseBlock:
    """A call the assistant makes. ``input`` is always a JSON object."""

    id: str
    name: str
    input: dict[str, Any] = field(default_factory=dict)
    type: Literal["tool_use"] = "tool_use"
    signature: str | None = None
    """Gemini's opaque ``thoughtSignature`` for this call; it must be replayed byte-exact
    with the call in later turns. Other formats ignore it."""


@dataclass(slots=True)
class ToolResultBlock:
    """The result of a tool call, sent back by the client in a user turn."""

    tool_use_id: str
    content: list[TextBlock | ImageBlock] = field(default_factory=list)
    is_error: bool = False
    cache_control: dict[str, Any] | None = None
    type: Literal["tool_result"] = "tool_result"

    def text(self) -> str:
        return "\n".join(b.text for b in self.content if isinstance(b, TextBlock))


@dataclass(slots=True)
class ThinkingBlock:
    """Model reasoning. ``signature`` is opaque and must round-trip byte-exact.

    ``redacted`` holds the opaque payload of Anthropic's ``redacted_thinking``.
    ``origin`` is the wire format that produced the block, so a translator can
    drop signatures that the target would reject (a foreign signature is a 400).
    """

    thinking: str = ""
    signature: str | None = None
    redacted: str | None = None
    origin: str | None = None
    type: Literal["thinking"] = "thinking"


Block = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock


@dataclass(slots=True)
class Message:
    role: Literal["user", "assistant"]
    content: list[Block]


# --------------------------------------------------------------------------- request


@dataclass(slots=True)
class Tool:
    name: str
    description: str | None = None
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(slots=True)
class ToolChoice:
    type: Literal["auto", "any", "none", "tool"] = "auto"
    name: str | None = None
    disable_parallel: bool = False


@dataclass(slots=True)
class Request:
    """A model request, independent of the dialect it arrived in.

    ``max_tokens`` is None when the client did not say; upstream translators
    that need one (Anthropic requires it) fill in a default.
    ``extra`` carries dialect-specific sampling knobs (``seed``,
    ``presence_penalty``, ...) that have no canonical meaning; a translator
    forwards the ones its wire format understands and drops the rest.
    """

    model: str
    messages: list[Message]
    system: list[TextBlock] = field(default_factory=list)
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    tools: list[Tool] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    thinking: dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    user: str | None = None
    include_usage: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # Client headers a same-format upstream should see (anthropic-beta, ...).
    passthrough_headers: dict[str, str] = field(default_factory=dict)

    def system_text(self) -> str:
        return "\n\n".join(b.text for b in self.system if b.text)


# --------------------------------------------------------------------------- response


@dataclass(slots=True)
class Usage:
    """Token counts. ``input_tokens`` excludes cache reads and writes (Anthropic's convention).

    ``estimated`` is True when the upstream reported nothing and Lynkr counted.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    estimated: bool = False

    @property
    def prompt_tokens(self) -> int:
        """Prompt tokens in OpenAI's convention (cache included)."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens


@dataclass(slots=True)
class Response:
    id: str
    model: str
    content: list[Block]
    stop_reason: StopReason = StopReason.END_TURN
    stop_sequence: str | None = None
    usage: Usage = field(default_factory=Usage)

    def tool_calls(self) -> list[ToolUseBlock]:
        return [b for b in self.content if isinstance(b, ToolUseBlock)]


# --------------------------------------------------------------------------- stream events


@dataclass(slots=True)
class MessageStart:
    id: str
    model: str
    usage: Usage = field(default_factory=Usage)


@dataclass(slots=True)
class BlockStart:
    """Opens block ``index``. ``block`` is an empty TextBlock, ThinkingBlock, or a
    ToolUseBlock carrying id and name with an empty ``input``."""

    index: int
    block: TextBlock | ToolUseBlock | ThinkingBlock


DeltaKind = Literal["text", "json", "thinking", "signature"]


@dataclass(slots=True)
class BlockDelta:
    """A fragment for the open block: text, tool-argument JSON, thinking text or signature."""

    index: int
    kind: DeltaKind
    value: str


@dataclass(slots=True)
class BlockStop:
    index: int


@dataclass(slots=True)
class MessageDelta:
    stop_reason: StopReason
    usage: Usage
    stop_sequence: str | None = None


@dataclass(slots=True)
class MessageStop:
    pass


@dataclass(slots=True)
class StreamError:
    """The stream failed after it started; encoders emit the dialect's error event."""

    error: Any  # daemon.errors.LynkrError (kept loose to avoid an import cycle)


StreamEvent = MessageStart | BlockStart | BlockDelta | BlockStop | MessageDelta | MessageStop | StreamError
