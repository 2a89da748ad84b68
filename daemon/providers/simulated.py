"""``simulated``: an in-process provider for demos, tests and benchmarks.

It answers without any network, with a configurable time to first token,
generation speed, failure rate and scripted tool calls, so a newcomer can
watch Lynkr route and stream before configuring a real provider. Every reply
says it is simulated, in its text and in its model name.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from daemon.canonical import (
    Block,
    Request,
    Response,
    StopReason,
    StreamEvent,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    Usage,
)
from daemon.config.model import ProviderConfig
from daemon.errors import ErrorKind, LynkrError
from daemon.providers.base import Option, Provider, estimate_output
from daemon.streams import events_from_response
from daemon.tokens import estimate_request


class SimulatedProvider(Provider):
    type_name = "simulated"
    KEY_REQUIRED = False
    SIMULATED = True
    OPTIONS = {
        "latency_ms": Option((int, float), 0, "delay before the first token"),
        "tokens_per_second": Option((int, float), 0, "generation speed; 0 streams everything at once"),
        "failure_rate": Option((int, float), 0.0, "share of requests that fail with a 503, 0..1"),
        "reply_words": Option(int, 0, "length of the default reply in words; 0 = one fixed sentence"),
        "seed": Option(int, 0, "seed for failures, so a demo is repeatable"),
        "script": Option(
            list, [], 'rules: [{match = "regex", text = "...", tool = "name", arguments = {...}}]'
        ),
    }

    def __init__(self, config: ProviderConfig, env: Mapping[str, str]) -> None:
        super().__init__(config, env)
        self._random = random.Random(self.option("seed"))
        self._rules = [_compile_rule(rule) for rule in self.option("script")]

    async def complete(self, request: Request, model: str) -> Response:
        response = self._answer(request, model)
        await self._wait(self.option("latency_ms") / 1000 + self._generation_seconds(response))
        return response

    async def stream(self, request: Request, model: str) -> AsyncIterator[StreamEvent]:
        response = self._answer(request, model)
        await self._wait(self.option("latency_ms") / 1000)
        tps = float(self.option("tokens_per_second"))
        for event in events_from_response(response):
            yield event
            if tps > 0 and getattr(event, "kind", None) in ("text", "json"):
                await asyncio.sleep(estimate_output(len(event.value)) / tps)  # type: ignore[union-attr]

    @staticmethod
    async def _wait(seconds: float) -> None:
        if seconds > 0:
            await asyncio.sleep(seconds)

    def _generation_seconds(self, response: Response) -> float:
        tps = float(self.option("tokens_per_second"))
        return response.usage.output_tokens / tps if tps > 0 else 0.0

    def _answer(self, request: Request, model: str) -> Response:
        if self._random.random() < float(self.option("failure_rate")):
            raise LynkrError(
                ErrorKind.UPSTREAM,
                f"simulated provider {self.name!r} failed this request on purpose (failure_rate)",
                status=502,
                retryable=True,
                transient=True,
                provider=self.name,
            )
        last_text = _last_user_text(request)
        content: list[Block] = []
        rule = next((r for r in self._rules if r["match"] is None or r["match"].search(last_text)), None)
        if rule is not None and not _answered_tool_turn(request):
            if rule["text"]:
                content.append(TextBlock(rule["text"]))
            if rule["tool"]:
                content.append(
                    ToolUseBlock(f"toolu_sim_{uuid.uuid4().hex[:16]}", rule["tool"], dict(rule["arguments"]))
                )
        if not content:
            content.append(TextBlock(self._default_text(model, last_text)))
        stop = (
            StopReason.TOOL_USE if any(isinstance(b, ToolUseBlock) for b in content) else StopReason.END_TURN
        )
        chars = sum(
            len(b.text) if isinstance(b, TextBlock) else len(str(getattr(b, "input", ""))) for b in content
        )
        usage = Usage(
            input_tokens=estimate_request(request), output_tokens=estimate_output(chars), estimated=True
        )
        return Response(f"msg_sim_{uuid.uuid4().hex[:20]}", f"simulated/{model}", content, stop, None, usage)

    def _default_text(self, model: str, last_text: str) -> str:
        words = (
            f"[simulated {model}] This reply comes from Lynkr's built-in simulated provider, "
            "not a real model. Configure a provider in lynkr.toml to get real answers. "
        ).split()
        n = int(self.option("reply_words")) or len(words)
        quoted = " ".join(last_text.split()[:12])
        text = " ".join((words * (n // len(words) + 1))[:n])
        return f"{text} You said: {quoted}" if quoted else text


def _compile_rule(rule: Any) -> dict[str, Any]:
    match = rule.get("match")
    return {
        "match": re.compile(match, re.IGNORECASE) if match else None,
        "text": rule.get("text"),
        "tool": rule.get("tool"),
        "arguments": rule.get("arguments", {}),
    }


def _last_user_text(request: Request) -> str:
    for message in reversed(request.messages):
        if message.role == "user":
            texts = [b.text for b in message.content if isinstance(b, TextBlock)]
            if texts:
                return " ".join(texts)
    return ""


def _answered_tool_turn(request: Request) -> bool:
    """After the client sends tool results, answer in text instead of calling the tool again forever."""
    if not request.messages or request.messages[-1].role != "user":
        return False
    return any(isinstance(b, ToolResultBlock) for b in request.messages[-1].content)


PROVIDERS = {"simulated": SimulatedProvider}
