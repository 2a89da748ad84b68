"""The routing corpus is well formed: every case has the agreed shape, parses through Lynkr's own
dialect parsers, pairs its tool calls with results, and the committed files match the generator."""

from __future__ import annotations

import base64
import collections
import json
import re
import struct
import zlib
from typing import Any

import pytest

from daemon.dialects import anthropic, openai_chat
from tests.routing.corpus_loader import CORPUS_DIR, FILES, SPLITS, TIERS, Case, load_corpus

CASES = load_corpus()
BY_ID = {c.id: c for c in CASES}
CLIENT_PREFIX = {"claude_code": "cc", "codex": "cx", "openhands": "oh", "other": "ot"}
CLIENT_FILE = {c: f"{c}.jsonl" for c in CLIENT_PREFIX}
CLIENT_DIALECTS = {
    "claude_code": {"anthropic"},
    "codex": {"openai"},
    "openhands": {"openai"},
    "other": {"openai", "anthropic"},
}
CC_TOOLS = {"Task", "Bash", "Glob", "Grep", "Read", "Edit", "Write", "TodoWrite", "WebFetch"}
OH_TOOLS = {"execute_bash", "str_replace_editor", "think", "finish", "task_tracker"}
KEYS = ["id", "client", "dialect", "split", "expected", "why", "body"]


def _size(case: Case) -> int:
    return len(json.dumps(case.body, ensure_ascii=False).encode())


def _ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


# --------------------------------------------------------------------------- the whole corpus


def test_counts_per_tier_and_client() -> None:
    assert len(CASES) >= 170
    tiers = collections.Counter(c.expected for c in CASES)
    for tier in TIERS:
        assert tiers[tier] >= 35, f"only {tiers[tier]} {tier} cases"
    clients = {c.client for c in CASES}
    assert clients == set(CLIENT_PREFIX)
    for client in CLIENT_PREFIX:
        have = {c.expected for c in CASES if c.client == client}
        assert have == set(TIERS), f"{client} lacks tiers {set(TIERS) - have}"


def test_ids_unique() -> None:
    dupes = [i for i, n in collections.Counter(_ids(CASES)).items() if n > 1]
    assert not dupes


def test_holdout_is_about_thirty_percent_and_spread() -> None:
    tuned = [c for c in CASES if c.split in ("dev", "holdout")]
    holdout = [c for c in tuned if c.split == "holdout"]
    assert 0.25 <= len(holdout) / len(tuned) <= 0.35
    for tier in TIERS:
        assert any(c.expected == tier for c in holdout), f"no {tier} case in holdout"
    for client in CLIENT_PREFIX:
        assert any(c.client == client for c in holdout), f"no {client} case in holdout"
    assert load_corpus("dev") + load_corpus("holdout") != []
    assert sum(len(load_corpus(split)) for split in SPLITS) == len(CASES)


def test_fresh_split_is_balanced_and_spread() -> None:
    """The blind split written after v1 (see the corpus README): the same number of turns per tier,
    every client present."""
    fresh = [c for c in CASES if c.split == "fresh"]
    assert len(fresh) >= 90
    per_tier = collections.Counter(c.expected for c in fresh)
    assert set(per_tier) == set(TIERS) and len(set(per_tier.values())) == 1, per_tier
    assert {c.client for c in fresh} == set(CLIENT_PREFIX)


def test_load_corpus_rejects_unknown_split() -> None:
    with pytest.raises(ValueError):
        load_corpus("test")


def test_sizes() -> None:
    sizes = [_size(c) for c in CASES]
    assert sum(s > 40 * 1024 for s in sizes) >= 15
    assert sum(2 * 1024 <= s <= 20 * 1024 for s in sizes) > len(sizes) / 2


def test_languages_are_varied() -> None:
    blob = "\n".join(json.dumps(c.body) for c in CASES)
    for ext in (".py", ".ts", ".go", ".rs", ".java", ".cpp", ".rb", ".sql", ".sh"):
        assert re.search(rf"[\w/-]+\{ext}\b", blob), f"no {ext} file in any case"


def test_same_request_same_label() -> None:
    """Cases whose last turn is the same user request (in any client's envelope) carry the same label."""
    groups: dict[str, set[str]] = collections.defaultdict(set)
    for c in CASES:
        text = _final_user_request(c)
        if text:
            groups[text].add(c.expected)
    assert not {t[:80]: labels for t, labels in groups.items() if len(labels) > 1}


def test_committed_files_match_generator() -> None:
    from tests.routing.corpus import build_corpus

    rendered = build_corpus.render()
    assert sorted(rendered) == sorted(FILES)
    for name, text in rendered.items():
        assert (CORPUS_DIR / name).read_text(encoding="utf-8") == text, f"{name} is stale: rerun build_corpus"


# --------------------------------------------------------------------------- each case


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_shape(case: Case) -> None:
    # v1 ids: cc-001; fresh ids: f-cc-001, f-ot-a01 (the Anthropic SDK ones) and f-ot-o01 (OpenAI).
    assert re.fullmatch(
        rf"{CLIENT_PREFIX[case.client]}-\d{{3}}|[fghkm]-{CLIENT_PREFIX[case.client]}-[ao]?\d{{2,3}}", case.id
    )
    assert (case.split == "fresh") == case.id.startswith("f-")
    assert (case.split == "fresh2") == case.id.startswith("g-")
    assert (case.split == "fresh3") == case.id.startswith("h-")
    assert (case.split == "fresh4") == case.id.startswith("k-")
    assert (case.split == "fresh5") == case.id.startswith("m-")
    assert case.dialect in CLIENT_DIALECTS[case.client]
    assert case.split in SPLITS
    assert case.expected in TIERS
    assert case.why and case.why == case.why.strip() and case.why.endswith(".") and len(case.why) <= 220
    assert case.why.count(". ") == 0, "why must be one sentence"
    assert isinstance(case.body, dict)
    model = case.body.get("model", "")
    assert isinstance(model, str) and model and not model.lower().startswith("lynkr"), "model names a tier"


@pytest.mark.parametrize("name", FILES)
def test_file_lines_have_the_agreed_keys(name: str) -> None:
    client = {v: k for k, v in CLIENT_FILE.items()}[name]
    for line in (CORPUS_DIR / name).read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        assert list(rec) == KEYS
        assert rec["client"] == client


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_parses_with_lynkr_dialect_parser(case: Case) -> None:
    parser = anthropic.parse_request if case.dialect == "anthropic" else openai_chat.parse_request
    request = parser(case.body, {})
    assert request.messages
    assert request.messages[-1].role == "user"


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_tool_calls_pair_with_results(case: Case) -> None:
    msgs = case.body["messages"]
    if case.dialect == "anthropic":
        for i, m in enumerate(msgs):
            if m["role"] != "assistant" or isinstance(m["content"], str):
                continue
            uses = [b["id"] for b in m["content"] if b["type"] == "tool_use"]
            if uses:
                nxt = msgs[i + 1]
                results = [b["tool_use_id"] for b in nxt["content"] if b["type"] == "tool_result"]
                assert results == uses, f"messages[{i}] tool_use ids not answered in order"
    else:
        for i, m in enumerate(msgs):
            calls = [c["id"] for c in m.get("tool_calls") or []]
            if calls:
                following = msgs[i + 1 : i + 1 + len(calls)]
                answered = [x["tool_call_id"] for x in following if x["role"] == "tool"]
                assert answered == calls, f"messages[{i}] tool_calls not answered"
                for c in m["tool_calls"]:
                    json.loads(c["function"]["arguments"])


def test_images_are_valid_pngs() -> None:
    found = 0
    for c in CASES:
        for data in _image_payloads(c.body):
            found += 1
            raw = base64.b64decode(data, validate=True)
            assert raw[:8] == b"\x89PNG\r\n\x1a\n", c.id
            length, kind = struct.unpack(">I4s", raw[8:16])
            assert kind == b"IHDR" and length == 13, c.id
            width, height = struct.unpack(">II", raw[16:24])
            assert 0 < width <= 4096 and 0 < height <= 4096, c.id
            assert zlib.crc32(raw[12:29]) & 0xFFFFFFFF == struct.unpack(">I", raw[29:33])[0], c.id
    assert found >= 3


def test_claude_code_envelope() -> None:
    for c in CASES:
        if c.client != "claude_code":
            continue
        body = c.body
        system = body.get("system")
        if system is not None:  # the quota probe carries no system prompt
            assert isinstance(system, list), c.id
            assert system[0]["text"].startswith("x-anthropic-billing-header:"), c.id
        assert body["metadata"]["user_id"].startswith("user_"), c.id
        if "tools" in body and len(body["tools"]) > 4:
            names = {t["name"] for t in body["tools"]}
            assert names >= CC_TOOLS, c.id
            assert body["max_tokens"] == 32000 and body["stream"] is True, c.id


def test_codex_and_openhands_envelopes() -> None:
    for c in CASES:
        if c.client == "codex":
            texts = [m["content"] for m in c.body["messages"] if m["role"] == "user"]
            assert any(isinstance(t, str) and t.startswith("<environment_context>") for t in texts), c.id
            assert {t["function"]["name"] for t in c.body["tools"]} == {"shell", "update_plan", "apply_patch"}
            for m in c.body["messages"]:
                if m["role"] == "tool":
                    out = json.loads(m["content"]) if m["content"].startswith("{") else None
                    if out is not None:
                        assert set(out) == {"output", "metadata"}, c.id
        if c.client == "openhands" and "tools" in c.body:
            sys_msg = c.body["messages"][0]
            assert sys_msg["role"] == "system"
            assert sys_msg["content"][0]["cache_control"] == {"type": "ephemeral"}
            names = {t["function"]["name"] for t in c.body["tools"]}
            assert names >= OH_TOOLS, c.id
            assert any("<RUNTIME_INFORMATION>" in json.dumps(m) for m in c.body["messages"]), c.id


# --------------------------------------------------------------------------- helpers


def _image_payloads(node: Any):
    if isinstance(node, dict):
        if node.get("type") == "image" and isinstance(node.get("source"), dict):
            yield node["source"]["data"]
        elif node.get("type") == "image_url":
            url = node["image_url"]["url"]
            yield url.split(",", 1)[1]
        else:
            for v in node.values():
                yield from _image_payloads(v)
    elif isinstance(node, list):
        for v in node:
            yield from _image_payloads(v)


def _final_user_request(case: Case) -> str | None:
    """The user's own words in the last turn, when the last turn is a user text (not a tool result)."""
    msgs = case.body["messages"]
    trailing: list[dict[str, Any]] = []
    for m in reversed(msgs):
        if m["role"] != "user":
            break
        trailing.insert(0, m)
    texts: list[str] = []
    for m in trailing:
        content = m["content"]
        if isinstance(content, str):
            texts.append(content)
            continue
        if any(b.get("type") == "tool_result" for b in content):
            return None
        texts += [b["text"] for b in content if b.get("type") == "text"]
    envelope = (
        "<system-reminder>",
        "<environment_details>",
        "<environment_context>",
        "<user_instructions>",
        "<REPOSITORY_INFO>",
        "<RUNTIME_INFORMATION>",
    )
    for text in reversed(texts):
        t = text.strip()
        if t.startswith(envelope):
            continue
        if t.startswith("[") and "] Result:" in t:
            return None
        return re.sub(r"^<task>\n(.*)\n</task>$", r"\1", t, flags=re.S)
    return None


def test_frozen_holdout_is_the_stratified_hash_rule() -> None:
    from tests.routing.corpus import build_corpus

    v1 = [c for c in build_corpus.all_cases() if c.id in build_corpus.V1_IDS]
    assert len(v1) == len(build_corpus.V1_IDS)
    assert build_corpus.stratified_holdout(v1) == set(build_corpus.HOLDOUT_V1)
    assert {c.id for c in CASES if c.split == "holdout"} >= set(build_corpus.HOLDOUT_V1)
