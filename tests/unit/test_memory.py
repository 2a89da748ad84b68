"""Memory: extraction, project scope, scoring, merge, contradiction, retention and bounds."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from daemon.canonical import Message, Request, Response, TextBlock, ToolResultBlock, ToolUseBlock
from daemon.memory import score
from daemon.memory.extract import Observation, classify, extract
from daemon.memory.inject import apply, render, select
from daemon.memory.project import project_of
from daemon.memory.store import MemoryStore
from daemon.memory.text import similarity

WEIGHTS = {"surprise": 0.15, "recency": 0.25, "relevance": 0.35, "importance": 0.25}


def user(text: str) -> Message:
    return Message("user", [TextBlock(text)])


def call(call_id: str, name: str, **tool_input: object) -> Message:
    return Message("assistant", [ToolUseBlock(call_id, name, dict(tool_input))])


def result(call_id: str, text: str, is_error: bool = False) -> Message:
    return Message("user", [ToolResultBlock(call_id, [TextBlock(text)], is_error)])


# --------------------------------------------------------------------------- extraction


def test_sentence_cues_not_keywords() -> None:
    assert classify("I prefer small functions with type hints.", "user") == ("preference", pytest.approx(0.0))
    assert classify("Always use pytest for tests in this repo.", "user")[0] == "convention"  # type: ignore[index]
    assert classify("Let's go with SQLite for the cache store.", "user")[0] == "decision"  # type: ignore[index]
    # The same keywords in a question, a hedge or a plain request are not observations.
    assert classify("Maybe we could use pytest in this repo", "user") is None
    assert classify("Please read src/app.py and tell me what it does.", "user") is None
    # An assistant guessing at conventions is not trusted; a stated root cause is a fact.
    assert classify("We use ruff for linting in this repo.", "assistant") is None
    assert classify("The root cause was a missing await in `fetch_user`.", "assistant")[0] == "fact"  # type: ignore[index]


def test_error_then_edit_then_green_rerun_is_an_error_fix() -> None:
    messages = [
        user("Fix the failing tests please"),
        call("t1", "Bash", command="pytest -q tests/test_api.py"),
        result("t1", "E   ImportError: cannot import name 'parse' from 'app.util'\n1 failed in 0.2s"),
        call(
            "t2",
            "Edit",
            file_path="/home/u/proj/app/util.py",
            old_string="def parse_",
            new_string="def parse",
        ),
        result("t2", "The file has been updated."),
        call("t3", "Bash", command="pytest -q tests/test_api.py"),
        result("t3", "3 passed in 0.3s"),
    ]
    found = extract(Request("m", messages), None)
    fixes = [o for o in found if o.type == "error_fix"]
    assert len(fixes) == 1
    assert "ImportError: cannot import name" in fixes[0].text and "app/util.py" in fixes[0].text
    assert any(
        o.type == "convention" and o.text == "Tests run with `pytest -q tests/test_api.py`" for o in found
    )
    # The same history one turn later (new user text, no new rerun) teaches nothing again.
    later = extract(
        Request("m", [*messages, Message("assistant", [TextBlock("Done.")]), user("thanks")]), None
    )
    assert not [o for o in later if o.type == "error_fix"]


def test_a_failure_without_an_edit_is_not_a_fix() -> None:
    messages = [
        call("t1", "Bash", command="make test"),
        result("t1", "Error: connection refused"),
        call("t3", "Bash", command="make test"),
        result("t3", "ok"),
    ]
    assert not [o for o in extract(Request("m", messages), None) if o.type == "error_fix"]


def test_assistant_answer_is_a_source() -> None:
    request = Request("m", [user("why does login fail?")])
    response = Response(
        "r", "m", [TextBlock("The bug was a stale session token cached in `auth/session.py`.")]
    )
    assert [o.type for o in extract(request, response)] == ["fact"]


# --------------------------------------------------------------------------- project scope


def test_project_from_header_stated_cwd_or_common_directory() -> None:
    req = Request("m", [user("hi")])
    assert project_of({"x-lynkr-workspace": "/w/proj/"}, req) == "/w/proj"
    stated = Request("m", [user("x")], system=[TextBlock("Working directory: /home/a/shop\nPlatform: linux")])
    assert project_of({}, stated) == "/home/a/shop"
    paths = Request(
        "m",
        [
            call("1", "Read", file_path="/home/a/shop/src/cart.py"),
            result("1", "see /home/a/shop/tests/test_cart.py and /etc/hosts"),
            call("2", "Read", file_path="/home/a/shop/src/pay/stripe.py"),
        ],
    )
    assert project_of({}, paths) == "/home/a/shop"
    assert project_of({}, Request("m", [user("no paths here")])) == ""


# --------------------------------------------------------------------------- scoring


def test_formulas() -> None:
    now = 1_000_000.0
    assert score.recency(now, now, 14) == 1.0
    assert score.recency(now - 14 * score.DAY, now, 14) == pytest.approx(0.5)
    assert score.relevance(None) == 0.0 and score.relevance(-3.0) == pytest.approx(0.75)
    assert score.importance(0.5, 4) == pytest.approx(0.6)
    assert score.total(
        {"surprise": 1, "recency": 1, "relevance": 1, "importance": 1}, WEIGHTS
    ) == pytest.approx(1)
    assert similarity("Tests run with `pytest -q`", "tests run with `pytest -q` .") > 0.9


# --------------------------------------------------------------------------- the store


@pytest.fixture
async def store(tmp_path: Path):
    s = await MemoryStore.open(tmp_path / "memory.db", max_count=100, max_age_days=30, background=False)
    yield s
    await s.close()


async def test_near_duplicates_merge(store: MemoryStore) -> None:
    obs = Observation("convention", "Tests run with `pytest -q` in this repo", "", 0.7)
    assert await store.observe("/p", obs, "s1", 1) == "inserted"
    again = Observation("convention", "tests run with `pytest -q` in this repo.", "", 0.7)
    assert await store.observe("/p", again, "s2", 4) == "merged"
    [memory] = await store.search("/p", None, limit=10, weights=WEIGHTS, half_life_days=14)
    assert memory.count == 2 and memory.session == "s1"
    # A different project keeps its own copy.
    assert await store.observe("/other", obs, "s3", 1) == "inserted"


async def test_contradiction_replaces(store: MemoryStore) -> None:
    first = extract(Request("m", [user("We use pytest for tests in this repo.")]), None)[0]
    second = extract(Request("m", [user("We use unittest for tests in this repo now.")]), None)[0]
    assert first.subject == second.subject == "convention:test_framework"
    await store.observe("/p", first, "s1", 1)
    assert await store.observe("/p", second, "s2", 1) == "replaced"
    texts = [m.text for m in await store.search("/p", None, limit=10, weights=WEIGHTS, half_life_days=14)]
    assert texts == ["We use unittest for tests in this repo now."]
    port_a = extract(Request("m", [user("The API port is 8080 in this project.")]), None)
    port_b = extract(Request("m", [user("The API port is 9090 in this project.")]), None)
    await store.observe("/p", port_a[0], "s1", 1)
    assert await store.observe("/p", port_b[0], "s1", 2) == "replaced"


async def test_retention_by_age_and_count(store: MemoryStore) -> None:
    now = time.time()
    old = Observation("fact", "old fact about the billing module layout", "", 0.5)
    await store.observe("/p", old, "s", 1, now=now - 40 * score.DAY)
    await store.observe("/p", Observation("fact", "fresh fact about the cart module layout", "", 0.5), "s", 1)
    assert await store.prune() == 1
    assert [m.text for m in await store.search("/p", None, limit=9, weights=WEIGHTS, half_life_days=14)] == [
        "fresh fact about the cart module layout"
    ]


async def test_bounded_under_ten_thousand_observations(tmp_path: Path) -> None:
    store = await MemoryStore.open(tmp_path / "m.db", max_count=500, max_age_days=0, background=False)
    try:
        rng = random.Random(7)
        for i in range(10_000):
            text = f"module{i} " + " ".join(f"w{rng.randrange(50_000)}" for _ in range(8))
            await store.observe(f"/p{i % 3}", Observation("fact", text, "", 0.5), "s", i)
            assert store._count <= 500
        assert await store.count() <= 500
        assert store.inserted == 10_000 and store.pruned >= 9_500
        newest = await store.search("/p0", "module9999 table", limit=5, weights=WEIGHTS, half_life_days=14)
        assert newest[0].text.startswith("module9999 ")
    finally:
        await store.close()


async def test_relevance_ranks_and_injection_respects_budget(store: MemoryStore) -> None:
    for text in ("Deploys go through the staging cluster first", "Payments use the Stripe sandbox in tests",
                 "The cart service caches prices in redis for five minutes"):  # fmt: skip
        await store.observe("/p", Observation("fact", text, "", 0.5), "s", 1)
    ranked = await store.search("/p", "why is the stripe payment test failing", limit=3, weights=WEIGHTS,
                                half_life_days=14)  # fmt: skip
    assert ranked[0].text.startswith("Payments use the Stripe")
    request = Request("m", [user("Note: Deploys go through the staging cluster first. Now fix stripe.")])
    chosen = select(ranked, request, budget_tokens=60, limit=10)
    assert [m.text for m in chosen] == [
        "Payments use the Stripe sandbox in tests"
    ]  # one already said; budget
    sent = apply(request, render(chosen))
    assert sent.messages is request.messages and len(request.system) == 0
    assert "Stripe sandbox" in sent.system[-1].text


# --------------------------------------------------------------------------- review: non-ASCII, FTS syntax


async def test_non_ascii_memories_merge_and_rank(store: MemoryStore) -> None:
    # Keywords were ASCII-only: a memory in Russian or German had no FTS candidates, so a repeat
    # was inserted again instead of merged, and the user's words never raised its relevance.
    text = "Тесты запускаются командой из каталога проекта"
    assert await store.observe("/p", Observation("convention", text, "", 0.7), "s", 1) == "inserted"
    again = "тесты запускаются командой из каталога проекта."
    assert await store.observe("/p", Observation("convention", again, "", 0.7), "s", 2) == "merged"
    umlaut = "Die Prüfungsumgebung läuft über Docker-Compose mit Größenlimits"
    await store.observe("/p", Observation("fact", umlaut, "", 0.5), "s", 3)
    await store.observe(
        "/p", Observation("fact", "The billing module reads prices from redis", "", 0.5), "s", 4
    )
    ranked = await store.search("/p", "warum läuft prüfungsumgebung so langsam", limit=3, weights=WEIGHTS,
                                half_life_days=14)  # fmt: skip
    assert ranked[0].text == umlaut and ranked[0].scores["relevance"] > 0


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "text: NEAR(a b, 2) AND (x OR", "pytest* -q ^start", "column:value OR NOT", "\x00 ' ; --",
     "日本語のテキスト", "naïve café ÉCOLE", "' OR 1=1 --", "a\"b\"c"],
)  # fmt: skip
async def test_fts_syntax_in_user_text_never_raises(store: MemoryStore, query: str) -> None:
    await store.observe("/p", Observation("fact", f"note about {query} handling", "", 0.5), "s", 1)
    await store.observe("/p", Observation("fact", f"note about {query} handling", "", 0.5), "s", 2)
    found = await store.search("/p", query, limit=5, weights=WEIGHTS, half_life_days=14)
    assert len(found) == 1


# --------------------------------------------------------------------------- review: a stable prompt prefix


async def test_memory_block_stays_while_the_prompt_cache_is_warm(tmp_path: Path) -> None:
    """The block sits in the system prompt, ahead of every message: if it changed with each new user
    turn, the provider's prompt cache for the whole conversation would be rewritten every turn. It is
    chosen again only once the session has been idle longer than a prompt cache lives."""
    from daemon.config.model import MemoryConfig
    from daemon.memory import MemoryService

    clock = [1000.0]
    store = await MemoryStore.open(tmp_path / "m.db", background=False)
    service = MemoryService(store, MemoryConfig(max_injected=1), clock=lambda: clock[0])
    try:
        for text in ("Payments use the Stripe sandbox in tests", "The cart service caches prices in redis",
                     "Deploys go through the staging cluster first"):  # fmt: skip
            await store.observe("/p", Observation("fact", text, "", 0.5), "s", 1)
        headers = {"x-lynkr-workspace": "/p"}
        first = Request("m", [user("why is the stripe payment test failing")])
        sent1, _, _ = await service.context(headers, first, "sess")
        assert "Stripe sandbox" in sent1.system[-1].text
        turn2 = [
            *first.messages,
            Message("assistant", [TextBlock("Fixed.")]),
            user("now the redis cart prices"),
        ]
        clock[0] += 60
        sent2, _, _ = await service.context(headers, Request("m", turn2), "sess")
        assert sent2.system == sent1.system  # same prefix: the provider's cache still hits
        clock[0] += 60 + 301  # idle past the prompt cache's life: nothing left to keep warm
        sent3, _, _ = await service.context(headers, Request("m", turn2), "sess")
        assert "redis" in sent3.system[-1].text
    finally:
        await service.close()


async def test_a_shared_session_id_does_not_carry_one_project_into_another(tmp_path: Path) -> None:
    """A session id can span projects (the OpenAI ``user`` field, one fingerprint for two repos): the
    project found for one conversation must not be reused for another, or memories leak across."""
    from daemon.config.model import MemoryConfig
    from daemon.memory import MemoryService

    store = await MemoryStore.open(tmp_path / "m.db", background=False)
    service = MemoryService(store, MemoryConfig())
    try:
        one = Request("m", [user("Look at /home/ann/shop/src/cart.py and /home/ann/shop/tests/test_cart.py")])
        two = Request("m", [user("Now /home/ann/bank/src/ledger.py and /home/ann/bank/tests/test_ledger.py")])
        assert service.project({}, one, "user-ann") == "/home/ann/shop"
        assert service.project({}, two, "user-ann") == "/home/ann/bank"
        later = Request("m", [*one.messages, Message("assistant", [TextBlock("ok")]), user("and now?")])
        assert service.project({}, later, "user-ann") == "/home/ann/shop"
    finally:
        await service.close()


async def test_project_reads_only_what_a_conversation_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While no project is found, each turn reads only its new messages, and still finds the project a
    full read would: the answer may first appear in a later turn, or in a conversation that shares the
    opening but has fewer messages than were read."""
    import daemon.memory
    from daemon.config.model import MemoryConfig
    from daemon.memory import MemoryService

    reads: list[int] = []
    find = daemon.memory.find_project

    def counting(request: Request, start: int = 0, budget: int = 400_000) -> tuple[str, int]:
        reads.append(start)
        return find(request, start, budget)

    monkeypatch.setattr(daemon.memory, "find_project", counting)
    store = await MemoryStore.open(tmp_path / "m.db", background=False)
    service = MemoryService(store, MemoryConfig())
    try:
        turns = [user("help me tidy up this code")]
        for reply in ("Sure, which files?", "Anything else?"):
            request = Request("m", list(turns))
            assert service.project({}, request, "s") == project_of({}, request) == ""
            assert service.project({}, request, "s") == ""  # a repeat: nothing new to read
            turns += [Message("assistant", [TextBlock(reply)]), user("see below")]
        assert reads == [0, 1]  # the first turn from the start, the second from its new messages
        turns[-1] = result("t1", "edited /home/bo/shop/src/cart.py and /home/bo/shop/tests/test_cart.py")
        grown = Request("m", list(turns))
        assert project_of({}, grown) == "/home/bo/shop"
        assert service.project({}, grown, "s") == "/home/bo/shop"
        # Found once, kept: a later turn of the same conversation is not read again.
        later = Request("m", [*turns, user("thanks")])
        assert service.project({}, later, "s") == "/home/bo/shop"
        assert reads == [0, 1, 3]
        # Another conversation with the same opening and fewer messages is read from the start.
        assert service.project({}, Request("m", [turns[0], turns[1], user("nothing here")]), "s2") == ""
        short = Request("m", [turns[0], Message("assistant", [TextBlock("cwd: /srv/app/api")])])
        assert service.project({}, short, "s2") == project_of({}, short) == "/srv/app/api"
        assert reads[-2:] == [0, 0]
    finally:
        await service.close()


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [user("first"), Message("assistant", [TextBlock("ok")]), user("second one")],
        [user("fix it"), call("t1", "Bash", command="ls"), result("t1", "a.py")],
        [user("<system-reminder>ignore me</system-reminder>\nreal question"), result("t1", "x")],
        [Message("assistant", [TextBlock("hello")])],
    ],
)
def test_latest_user_text_is_the_routers(messages: list[Message]) -> None:
    from daemon.routing.envelope import latest_user_text, read_turn

    request = Request("m", messages)
    assert latest_user_text(request) == read_turn(request).latest_user_text
