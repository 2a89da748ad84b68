"""The OpenAI Responses API (``POST /v1/responses``) against the real daemon and emulated upstreams.

The official ``openai`` SDK is the oracle: its Responses client and stream
accumulator must parse everything Lynkr sends. The SSE sequence is also
checked event by event on the raw bytes, because Codex CLI consumes it
directly and treats a stream without ``response.completed`` as broken.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.e2e.conftest import KEYS, Upstreams, config_for
from tests.e2e.harness import DaemonProcess
from tests.emulators import Reply, ToolCall

TIERS = ["simple", "medium", "complex", "reasoning"]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "clients"
TOOL = {
    "type": "function",
    "name": "read_file",
    "description": "Read a file from the workspace",
    "parameters": {
        "type": "object",
        "properties": {"path": {"type": "string"}},
        "required": ["path"],
    },
}
ARGS = {"path": "src/app.py"}


def upstream_of(ups: Upstreams, tier: str):
    return {"simple": ups.ollama, "medium": ups.openai, "complex": ups.anthropic, "reasoning": ups.azure}[
        tier
    ]


def client_for(daemon: DaemonProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{daemon.url}/v1", api_key="client-key-not-used", max_retries=0)


def sse_events(
    daemon: DaemonProcess, body: dict[str, Any], headers: dict[str, str] | None = None
) -> list[dict]:
    """POST a streaming request and return the events, checking the framing of each one."""
    response = httpx.post(f"{daemon.url}/v1/responses", json=body, headers=headers or {}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "[DONE]" not in response.text, "the Responses API has no [DONE] sentinel"
    events = []
    for block in response.text.strip().split("\n\n"):
        lines = block.split("\n")
        assert lines[0].startswith("event: ") and lines[1].startswith("data: "), block
        data = json.loads(lines[1][len("data: ") :])
        assert data["type"] == lines[0][len("event: ") :]
        events.append(data)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    return events


def types(events: list[dict]) -> list[str]:
    """Event types with runs of deltas collapsed to one entry, so sequences read clearly."""
    out: list[str] = []
    for event in events:
        if not (event["type"].endswith(".delta") and out and out[-1] == event["type"]):
            out.append(event["type"])
    return out


def conversation_sent(upstream) -> list[dict]:
    """The messages an OpenAI-style upstream received, without system messages (which may also
    carry Lynkr's long-term memory block, depending on what other tests taught the daemon)."""
    return [m for m in upstream.last_request.json["messages"] if m["role"] != "system"]


TEXT_TURN = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


# --------------------------------------------------------------------------- text, every upstream


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("tier", TIERS)
def test_text_through_every_upstream(
    tier: str, stream: bool, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    upstream = upstream_of(upstreams, tier)
    upstream.script(Reply(text="Renamed foo.py to bar.py; nothing else changed."))
    client = client_for(lynkr)
    kwargs: dict[str, Any] = {
        "model": f"lynkr-{tier}",
        "instructions": "You are terse.",
        "input": "Rename foo.py to bar.py",
        "max_output_tokens": 512,
    }
    if stream:
        with client.responses.stream(**kwargs) as s:
            response = s.get_final_response()
            headers = s._response.headers  # the SDK has no public accessor for stream headers
    else:
        raw = client.responses.with_raw_response.create(**kwargs)
        response, headers = raw.parse(), raw.headers

    assert response.output_text == "Renamed foo.py to bar.py; nothing else changed."
    assert response.status == "completed" and response.id.startswith("resp_")
    assert response.instructions == "You are terse." and response.max_output_tokens == 512
    assert response.usage is not None and response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens
    assert headers["x-lynkr-tier"] == tier
    sent = upstream.last_request.json
    if tier == "complex":
        # (Lynkr may add its own cache_control marks for Anthropic; the text is what matters here.)
        # Lynkr's long-term memory may append a block of its own after the client's system text.
        assert sent["system"][0]["text"] == "You are terse."
        assert [(m["role"], [b["text"] for b in m["content"]]) for m in sent["messages"]] == [
            ("user", ["Rename foo.py to bar.py"])
        ]
    else:
        assert sent["messages"][0]["role"] == "system"
        assert sent["messages"][0]["content"].startswith("You are terse.")
        assert sent["messages"][1]["role"] == "user"


def test_text_stream_event_sequence(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply(text="one two three four five six seven"))
    events = sse_events(lynkr, {"model": "lynkr-medium", "input": "count", "stream": True})

    assert types(events) == [*TEXT_TURN, "response.completed"]
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 1, "the upstream streamed in pieces; so must Lynkr"
    created, added, done, completed = events[0], events[2], events[-2], events[-1]
    rid = created["response"]["id"]
    assert created["response"]["status"] == "in_progress" and created["response"]["output"] == []
    item_id = added["item"]["id"]
    assert added["item"] == {
        "id": item_id,
        "type": "message",
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    assert all(d["item_id"] == item_id and d["output_index"] == 0 and d["content_index"] == 0 for d in deltas)
    text = "".join(d["delta"] for d in deltas)
    assert text == "one two three four five six seven"
    assert events[-4]["text"] == text  # output_text.done
    assert done["item"]["status"] == "completed" and done["item"]["content"][0]["text"] == text
    final = completed["response"]
    assert final["id"] == rid and final["status"] == "completed"
    assert final["output"] == [done["item"]]
    assert final["usage"]["output_tokens"] > 0 and final["usage"]["input_tokens"] > 0


# --------------------------------------------------------------------------- tools


def test_tool_call_stream_sequence_and_sdk(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.anthropic.script(Reply(text="Let me look.", tool_calls=[ToolCall("read_file", ARGS)]))
    body = {"model": "lynkr-complex", "input": "What does app.py do?", "tools": [TOOL], "stream": True}
    events = sse_events(lynkr, body)

    assert types(events) == [
        *TEXT_TURN,
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    added = next(e for e in events if e["type"] == "response.output_item.added" and e["output_index"] == 1)
    assert added["item"]["type"] == "function_call" and added["item"]["arguments"] == ""
    arguments = "".join(e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta")
    assert json.loads(arguments) == ARGS
    done = events[-2]["item"]
    assert done["type"] == "function_call" and done["name"] == "read_file"
    assert json.loads(done["arguments"]) == ARGS and done["call_id"] == added["item"]["call_id"]
    assert events[-1]["response"]["output"][1] == done

    # The SDK's own accumulator agrees.
    upstreams.anthropic.script(Reply(text="Let me look.", tool_calls=[ToolCall("read_file", ARGS)]))
    with client_for(lynkr).responses.stream(
        model="lynkr-complex", input="What does app.py do?", tools=[TOOL]
    ) as s:
        final = s.get_final_response()
    calls = [item for item in final.output if item.type == "function_call"]
    assert [(c.name, json.loads(c.arguments)) for c in calls] == [("read_file", ARGS)]


@pytest.mark.parametrize("tier", TIERS)
def test_function_call_output_round_trip(tier: str, lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    """A tool call answered with function_call_output reaches the upstream as its tool result."""
    upstream = upstream_of(upstreams, tier)
    upstream.script(
        Reply(tool_calls=[ToolCall("read_file", ARGS, id="call_abc123")]), Reply(text="It prints hello.")
    )
    client = client_for(lynkr)
    first = client.responses.create(model=f"lynkr-{tier}", input="What does app.py do?", tools=[TOOL])
    call = next(item for item in first.output if item.type == "function_call")
    assert json.loads(call.arguments) == ARGS

    history = [
        {"role": "user", "content": "What does app.py do?"},
        {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.call_id, "output": "print('hello')"},
    ]
    second = client.responses.create(model=f"lynkr-{tier}", input=history, tools=[TOOL])
    assert second.output_text == "It prints hello."

    sent = upstream.last_request.json["messages"]
    if tier == "complex":
        assert sent[1]["content"][0]["type"] == "tool_use" and sent[1]["content"][0]["input"] == ARGS
        result = sent[2]["content"][0]
        assert result["type"] == "tool_result" and result["tool_use_id"] == sent[1]["content"][0]["id"]
        assert "print('hello')" in json.dumps(result["content"])
    elif tier == "simple":  # Ollama: role "tool" after an assistant turn with tool_calls
        assert sent[-2]["tool_calls"][0]["function"]["arguments"] == ARGS
        assert sent[-1]["role"] == "tool" and sent[-1]["content"] == "print('hello')"
    else:
        assert json.loads(sent[-2]["tool_calls"][0]["function"]["arguments"]) == ARGS
        assert sent[-1] == {
            "role": "tool",
            "tool_call_id": sent[-2]["tool_calls"][0]["id"],
            "content": "print('hello')",
        }


# --------------------------------------------------------------------------- previous_response_id


def test_previous_response_id_continues_the_conversation(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(
        Reply(tool_calls=[ToolCall("read_file", ARGS)]),
        Reply(text="It prints hello."),
        Reply(text="You're welcome."),
    )
    client = client_for(lynkr)
    first = client.responses.create(model="lynkr-medium", input="What does app.py do?", tools=[TOOL])
    call = first.output[0]
    assert call.type == "function_call"
    # Streamed, and continued from the stored first response.
    with client.responses.stream(
        model="lynkr-medium",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "print('hello')"}],
        tools=[TOOL],
    ) as s:
        second = s.get_final_response()
    assert second.previous_response_id == first.id and second.output_text == "It prints hello."
    sent = conversation_sent(upstreams.openai)
    assert [m["role"] for m in sent] == ["user", "assistant", "tool"]
    assert sent[0]["content"] == "What does app.py do?" and sent[2]["content"] == "print('hello')"

    # The streamed response is stored too: a third turn sees all of it.
    third = client.responses.create(model="lynkr-medium", previous_response_id=second.id, input="thanks")
    assert third.output_text == "You're welcome."
    sent = conversation_sent(upstreams.openai)
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
    assert sent[3]["content"] == "It prints hello."

    fetched = httpx.get(f"{lynkr.url}/v1/responses/{third.id}").json()
    assert fetched["id"] == third.id and fetched["output"][0]["content"][0]["text"] == "You're welcome."


def test_previous_response_chain_of_four_with_tool_calls_between(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    """Each turn continues from the last (streamed and whole turns mixed); calls stay paired by call_id."""
    upstreams.openai.script(
        Reply(tool_calls=[ToolCall("read_file", ARGS, id="call_one")]),
        Reply(text="Now the test.", tool_calls=[ToolCall("read_file", {"path": "t.py"}, id="call_two")]),
        Reply(text="Both print hello."),
        Reply(text="You're welcome."),
    )
    client = client_for(lynkr)
    with client.responses.stream(model="lynkr-medium", input="What do the files do?", tools=[TOOL]) as s:
        first = s.get_final_response()
    second = client.responses.create(
        model="lynkr-medium",
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": "call_one", "output": "print('hello')"}],
        tools=[TOOL],
    )
    assert [item.type for item in second.output] == ["message", "function_call"]
    with client.responses.stream(
        model="lynkr-medium",
        previous_response_id=second.id,
        input=[{"type": "function_call_output", "call_id": "call_two", "output": "print('hello')"}],
        tools=[TOOL],
    ) as s:
        third = s.get_final_response()
    fourth = client.responses.create(model="lynkr-medium", previous_response_id=third.id, input="thanks")
    assert fourth.output_text == "You're welcome."
    sent = conversation_sent(upstreams.openai)
    roles = ["user", "assistant", "tool", "assistant", "tool", "assistant", "user"]
    assert [m["role"] for m in sent] == roles
    assert [c["id"] for c in sent[1]["tool_calls"]] == [sent[2]["tool_call_id"]]
    assert sent[3]["content"] == "Now the test." and [c["id"] for c in sent[3]["tool_calls"]] == [
        sent[4]["tool_call_id"]
    ]
    assert sent[5]["content"] == "Both print hello."


def test_concurrent_streams_are_both_kept(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    """Two streamed responses finishing at the same moment are both stored and both continue."""
    from concurrent.futures import ThreadPoolExecutor

    upstreams.openai.script(Reply(text="alpha", chunk_delay=0.05), Reply(text="beta", chunk_delay=0.05))
    body = {"model": "lynkr-medium", "stream": True}
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda q: sse_events(lynkr, {**body, "input": q}), ["one?", "two?"]))
    finals = [events[-1]["response"] for events in runs]
    assert [events[-1]["type"] for events in runs] == ["response.completed"] * 2
    texts = {f["output"][0]["content"][0]["text"] for f in finals}
    assert texts == {"alpha", "beta"}
    upstreams.openai.default_reply = Reply(text="ok")
    client = client_for(lynkr)
    for final in finals:
        client.responses.create(model="lynkr-medium", previous_response_id=final["id"], input="and?")
        sent = conversation_sent(upstreams.openai)
        assert sent[1]["content"] == final["output"][0]["content"][0]["text"]


def test_unknown_or_unstored_previous_response_is_400(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    client = client_for(lynkr)
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model="lynkr-medium", input="hi", previous_response_id="resp_does_not_exist")
    assert info.value.code == "previous_response_not_found"
    assert info.value.param == "previous_response_id"

    upstreams.openai.script(Reply(text="not kept"))
    unstored = client.responses.create(model="lynkr-medium", input="hi", store=False)
    assert unstored.store is False
    with pytest.raises(openai.BadRequestError) as info:
        client.responses.create(model="lynkr-medium", input="again", previous_response_id=unstored.id)
    assert info.value.code == "previous_response_not_found"
    assert len(upstreams.openai.chat_requests) == 1, "a bad previous_response_id never reaches a provider"


@pytest.fixture
def own_daemon(upstreams: Upstreams, tmp_path: Path) -> Iterator[DaemonProcess]:
    # The response cache on (the shared daemon turns it off): the cache test below needs it.
    daemon = DaemonProcess(tmp_path, config_for(upstreams, optimizers=""), env=KEYS).start()
    yield daemon
    daemon.stop()


def test_previous_response_id_survives_a_restart(own_daemon: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply(text="The capital of France is Paris."), Reply(text="About 2.1 million."))
    first = client_for(own_daemon).responses.create(model="lynkr-medium", input="Capital of France?")
    assert own_daemon.stop() == 0
    own_daemon.start()

    second = client_for(own_daemon).responses.create(
        model="lynkr-medium", previous_response_id=first.id, input="How many people live there?"
    )
    assert second.output_text == "About 2.1 million."
    sent = conversation_sent(upstreams.openai)
    assert [(m["role"], m["content"]) for m in sent] == [
        ("user", "Capital of France?"),
        ("assistant", "The capital of France is Paris."),
        ("user", "How many people live there?"),
    ]
    assert (own_daemon.home / "responses.db").stat().st_mode & 0o077 == 0, "conversations are owner-only"


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_response_cache_hits_get_their_own_id_and_are_kept(
    stream: bool, own_daemon: DaemonProcess, upstreams: Upstreams
) -> None:
    lynkr = own_daemon
    upstreams.openai.default_reply = Reply(text="Four.")
    client = client_for(lynkr)
    body = {"model": "lynkr-medium", "input": f"What is 2+2? ({stream})", "temperature": 0, "stream": stream}
    first_id = None
    for _ in range(60):  # the cache stores the first answer in the background
        raw = client.responses.with_raw_response.create(**body)
        if stream:
            events = [e for e in raw.parse() if e.type == "response.completed"]
            response = events[0].response
        else:
            response = raw.parse()
        first_id = first_id or response.id
        if raw.headers.get("x-lynkr-provider") == "cache":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the repeated deterministic request was never answered from the cache")
    assert response.output_text == "Four." and response.id != first_id

    upstreams.openai.default_reply = Reply(text="Six.")
    follow = client.responses.create(model="lynkr-medium", previous_response_id=response.id, input="And 3+3?")
    assert follow.output_text == "Six."
    sent = conversation_sent(upstreams.openai)
    assert [(m["role"], m["content"]) for m in sent][-2:] == [("assistant", "Four."), ("user", "And 3+3?")]


# --------------------------------------------------------------------------- reasoning, limits, failures


def test_thinking_becomes_reasoning_items_and_round_trips(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.anthropic.script(
        Reply(thinking="The user wants the file read.", tool_calls=[ToolCall("read_file", ARGS)]),
        Reply(text="Done."),
    )
    events = sse_events(
        lynkr, {"model": "lynkr-complex", "input": "read app.py", "tools": [TOOL], "stream": True}
    )
    assert types(events)[:8] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.reasoning_text.delta",
        "response.reasoning_text.done",
        "response.content_part.done",
        "response.output_item.done",
    ]
    final = events[-1]["response"]
    reasoning, call = final["output"]
    assert reasoning["type"] == "reasoning"
    assert reasoning["content"] == [{"type": "reasoning_text", "text": "The user wants the file read."}]
    assert reasoning["encrypted_content"], "the signature must travel with the item"

    # Sent back as input (stateless, like Codex), the signature reaches Anthropic intact:
    # the emulator rejects any thinking block whose signature it did not mint.
    history = [
        {"role": "user", "content": "read app.py"},
        reasoning,
        call,
        {"type": "function_call_output", "call_id": call["call_id"], "output": "print('hello')"},
    ]
    answer = client_for(lynkr).responses.create(model="lynkr-complex", input=history, tools=[TOOL])
    assert answer.output_text == "Done."
    assistant = upstreams.anthropic.last_request.json["messages"][1]["content"]
    assert assistant[0]["type"] == "thinking" and assistant[0]["thinking"] == "The user wants the file read."


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
def test_max_tokens_is_incomplete(stream: bool, lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply(text="cut off here", finish="length"))
    body = {"model": "lynkr-medium", "input": "write a novel", "max_output_tokens": 16, "stream": stream}
    if stream:
        events = sse_events(lynkr, body)
        assert types(events)[-1] == "response.incomplete"
        final = events[-1]["response"]
    else:
        final = httpx.post(f"{lynkr.url}/v1/responses", json=body, timeout=30).json()
    assert final["status"] == "incomplete"
    assert final["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["output"][0]["content"][0]["text"] == "cut off here"


def test_upstream_failure_mid_stream_ends_with_response_failed(
    lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    upstreams.openai.script(
        Reply(text="one two three four five six", stream_error="upstream fell over", fail_after_chunks=3)
    )
    events = sse_events(lynkr, {"model": "lynkr-medium", "input": "go", "stream": True})
    assert types(events)[0] == "response.created"
    assert types(events)[-1] == "response.failed"
    failed = events[-1]["response"]
    assert failed["status"] == "failed" and failed["error"]["code"] == "server_error"
    assert "fell over" in failed["error"]["message"]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize("tier", ["medium", "complex"])
def test_context_overflow_is_400_context_length_exceeded(
    tier: str, stream: bool, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    """Before anything was streamed, an overflow is a plain HTTP 400, streaming or not."""
    upstream_of(upstreams, tier).script(Reply.context_overflow(limit=8192, tokens=9000))
    with pytest.raises(openai.BadRequestError) as info:
        client_for(lynkr).responses.create(model=f"lynkr-{tier}", input="a very long prompt", stream=stream)
    assert info.value.code == "context_length_exceeded"
    message = info.value.message.lower()
    assert "prompt is too long" in message and "maximum context length" in message


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "lynkr-medium"}, "input"),
        ({"input": "hi"}, "model"),
        (
            {"model": "lynkr-medium", "input": [{"type": "computer_call_output", "call_id": "c"}]},
            "input[0].type",
        ),
        (
            {
                "model": "lynkr-medium",
                "input": [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}],
            },
            "input[0].content[0].type",
        ),
        ({"model": "lynkr-medium", "input": "hi", "tools": [{"type": "function"}]}, "tools[0].name"),
        (
            {"model": "lynkr-medium", "input": "hi", "tool_choice": {"type": "web_search_preview"}},
            "tool_choice.type",
        ),
        ({"model": "lynkr-medium", "input": "hi", "background": True}, "background"),
        ({"model": "lynkr-medium", "input": "hi", "max_output_tokens": 0}, "max_output_tokens"),
        ({"model": "lynkr-medium", "input": "hi", "reasoning": {"effort": "maximal"}}, "reasoning.effort"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    body: dict, param: str, lynkr: DaemonProcess, upstreams: Upstreams
) -> None:
    response = httpx.post(f"{lynkr.url}/v1/responses", json=body, timeout=30)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error"
    assert error["message"].startswith(param)
    assert not upstreams.openai.chat_requests


def test_responses_without_v1_prefix(lynkr: DaemonProcess, upstreams: Upstreams) -> None:
    upstreams.openai.script(Reply(text="ok"))
    response = httpx.post(f"{lynkr.url}/responses", json={"model": "lynkr-medium", "input": "hi"}, timeout=30)
    assert response.status_code == 200 and response.json()["output"][0]["content"][0]["text"] == "ok"
    assert httpx.get(f"{lynkr.url}/v1/responses/resp_missing").status_code == 404
