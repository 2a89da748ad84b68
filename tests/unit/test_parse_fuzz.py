"""Bad input never crashes a translator: any JSON value anywhere gives a LynkrError or a Request.

A deterministic fuzzer replaces, deletes or retypes one node of realistic
requests at a time (thousands of variants per dialect) and checks that
parsing either succeeds or raises LynkrError: the pipeline turns that into a
400 in the client's dialect, while any other exception would be a 500.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from daemon.dialects import anthropic, openai_chat
from daemon.errors import LynkrError

ANTHROPIC_BODY: dict[str, Any] = {
    "model": "claude-sonnet-4-6",
    "max_tokens": 1024,
    "system": [{"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
                },
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"path": "a"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [{"type": "text", "text": "x"}],
                    "is_error": False,
                },
            ],
        },
    ],
    "tools": [{"name": "Read", "description": "read", "input_schema": {"type": "object", "properties": {}}}],
    "tool_choice": {"type": "auto"},
    "stop_sequences": ["END"],
    "temperature": 0.5,
    "stream": True,
    "metadata": {"user_id": "u"},
    "thinking": {"type": "enabled", "budget_tokens": 2048},
}

OPENAI_BODY: dict[str, Any] = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": [{"type": "text", "text": "be brief"}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "reasoning_content": "hmm",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": '{"p": 1}'}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "name": "read", "content": "x"},
    ],
    "tools": [{"type": "function", "function": {"name": "read", "parameters": {"type": "object"}}}],
    "tool_choice": {"type": "function", "function": {"name": "read"}},
    "max_completion_tokens": 100,
    "stop": ["END"],
    "stream": True,
    "stream_options": {"include_usage": True},
    "response_format": {"type": "json_object"},
    "parallel_tool_calls": False,
    "seed": 1,
}

WEIRD: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    10**20,
    "",
    "x",
    [],
    [None],
    {},
    {"type": None},
    {"type": "text"},
    {"type": 7},
    "\x00",
    [{}],
    {"role": "user"},
    float("inf"),
]


def _paths(node: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _mutants(body: dict[str, Any], rng: random.Random) -> Iterator[Any]:
    for path in _paths(body):
        for weird in WEIRD:
            yield _set(body, path, weird)
        if path:
            yield _delete(body, path)
    for _ in range(500):  # a few multi-node mutations
        mutant = copy.deepcopy(body)
        for path in rng.sample(list(_paths(body)), 3):
            try:
                mutant = _set(mutant, path, rng.choice(WEIRD))
            except (KeyError, IndexError, TypeError):
                pass
        yield mutant


def _set(body: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    mutant = copy.deepcopy(body)
    node = mutant
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return mutant


def _delete(body: Any, path: tuple) -> Any:
    mutant = copy.deepcopy(body)
    node = mutant
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return mutant


@pytest.mark.parametrize(
    ("body", "parse"),
    [(ANTHROPIC_BODY, anthropic.parse_request), (OPENAI_BODY, openai_chat.parse_request)],
    ids=["anthropic", "openai"],
)
def test_parsers_only_ever_raise_lynkr_errors(body: dict[str, Any], parse: Callable[..., Any]) -> None:
    parse(copy.deepcopy(body), {})  # the seed body itself is valid
    rng = random.Random(2026)
    checked = 0
    for mutant in _mutants(body, rng):
        try:
            parse(mutant, {})
        except LynkrError as error:
            assert error.status == 400, error
            assert error.message
        checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("body", "parse", "build"),
    [
        (ANTHROPIC_BODY, anthropic.parse_request, "anthropic"),
        (OPENAI_BODY, openai_chat.parse_request, "openai"),
    ],
    ids=["anthropic", "openai"],
)
def test_whatever_parses_can_be_sent_to_every_upstream_format(
    body: dict[str, Any], parse: Callable[..., Any], build: str
) -> None:
    from daemon.dialects import ollama

    rng = random.Random(7)
    for mutant in _mutants(body, rng):
        try:
            request = parse(mutant, {})
        except LynkrError:
            continue
        anthropic.build_request(request, "m", stream=True)
        openai_chat.build_request(request, "m", stream=True)
        ollama.build_request(request, "m", stream=True)
