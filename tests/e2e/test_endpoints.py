"""The daemon's HTTP surface as the official SDKs and Claude Code see it: model listing, health, the root
probe, token counting, the Claude Code request shape (headers in, headers forwarded), the ``x-lynkr-*``
response headers and model-name pinning."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx
import openai
import pytest

from tests.e2e.conftest import KEYS, Upstreams
from tests.e2e.harness import DaemonProcess
from tests.emulators import Emulator, RecordedRequest


@dataclass(frozen=True)
class Tier:
    name: str
    provider: str
    """Lynkr's provider name for the tier (conftest.config_for)."""
    model: str
    upstream: str
    """Attribute of :class:`Upstreams` holding the emulator behind this tier."""
    auth: dict[str, str]
    """The credential headers the upstream must receive: Lynkr's configured key, nothing else."""


TIERS = {
    "simple": Tier("simple", "local", "qwen2.5-coder:7b", "ollama", {}),
    "medium": Tier(
        "medium", "oai", "gpt-4o-mini", "openai", {"authorization": f"Bearer {KEYS['TEST_OPENAI_KEY']}"}
    ),
    "complex": Tier(
        "complex", "claude", "claude-sonnet-4-6", "anthropic", {"x-api-key": KEYS["TEST_ANTHROPIC_KEY"]}
    ),
    "reasoning": Tier("reasoning", "azure", "o3-deployment", "azure", {"api-key": KEYS["TEST_AZURE_KEY"]}),
}
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key")
CONFIGURED_MODELS = {
    "qwen2.5-coder:7b",
    "gpt-4o-mini",
    "claude-haiku-4-5",
    "claude-sonnet-4-6",
    "o3-deployment",
}
ALIASES = {"lynkr-simple", "lynkr-medium", "lynkr-complex", "lynkr-reasoning"}

CLIENT_TOKEN = "whatever-client-token-7f3a"
CLAUDE_CODE_BETAS = "claude-code-20250219,interleaved-thinking-2025-05-14"


def emulator(upstreams: Upstreams, tier: Tier) -> Emulator:
    return getattr(upstreams, tier.upstream)


def upstream_model(rec: RecordedRequest, tier: Tier) -> str | None:
    # Azure names the deployment in the path; the others name the model in the body.
    return rec.deployment if tier.upstream == "azure" else rec.json.get("model")


@pytest.fixture
def http(lynkr: DaemonProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=lynkr.url, timeout=30) as client:
        yield client


def anthropic_client(lynkr: DaemonProcess) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=lynkr.url, api_key="anything", max_retries=0, timeout=30)


def openai_client(lynkr: DaemonProcess) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{lynkr.url}/v1", api_key="anything", max_retries=0, timeout=30)


def messages_body(model: str, *, stream: bool = False, text: str = "Say hello.") -> dict[str, Any]:
    return {
        "model": model,
        "max_tokens": 256,
        "messages": [{"role": "user", "content": text}],
        "stream": stream,
    }


def chat_body(model: str, *, stream: bool = False, text: str = "Say hello.") -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": text}], "stream": stream}
    if stream:
        body["stream_options"] = {"include_usage": True}
    return body


def post(
    http: httpx.Client, dialect: str, model: str, *, stream: bool = False, extra: dict[str, str] | None = None
) -> tuple[httpx.Response, str]:
    """One request in ``dialect`` (``anthropic`` or ``openai``); returns the response and its full body."""
    if dialect == "anthropic":
        path, body = "/v1/messages", messages_body(model, stream=stream)
        headers = {"anthropic-version": "2023-06-01", "x-api-key": "anything"}
    else:
        path, body = "/v1/chat/completions", chat_body(model, stream=stream)
        headers = {"authorization": "Bearer anything"}
    with http.stream("POST", path, json=body, headers={**headers, **(extra or {})}) as response:
        text = response.read().decode()
    return response, text


# --------------------------------------------------------------------------- /v1/models


def test_models_list_openai_sdk(lynkr: DaemonProcess) -> None:
    models = list(openai_client(lynkr).models.list())

    ids = [m.id for m in models]
    missing = (ALIASES | CONFIGURED_MODELS) - set(ids)
    assert not missing, f"not listed: {sorted(missing)} (listed: {ids})"
    assert len(ids) == len(set(ids)), f"duplicate model ids: {ids}"
    for model in models:
        assert model.object == "model"
        assert isinstance(model.created, int)
        assert model.owned_by


def test_models_list_anthropic_sdk(lynkr: DaemonProcess) -> None:
    page = anthropic_client(lynkr).models.list()
    models = list(page)  # auto-pagination must stop: has_more is false

    ids = [m.id for m in models]
    missing = (ALIASES | CONFIGURED_MODELS) - set(ids)
    assert not missing, f"not listed: {sorted(missing)} (listed: {ids})"
    assert len(ids) == len(set(ids)), f"duplicate model ids: {ids}"
    assert page.has_more is False
    for model in models:
        assert model.type == "model"
        assert model.display_name
        assert model.created_at.year >= 2024


# --------------------------------------------------------------------------- health and root


@pytest.mark.parametrize(("path", "status"), [("/health/live", "alive"), ("/health/ready", "ready")])
def test_health(http: httpx.Client, path: str, status: str) -> None:
    response = http.get(path)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status"] == status


def test_root_get_and_head(http: httpx.Client) -> None:
    get = http.get("/")
    assert get.status_code == 200
    assert get.headers["content-type"].startswith("application/json")
    assert get.json()["service"] == "lynkr"

    head = http.head("/")  # Claude Code's connectivity probe
    assert head.status_code == 200
    assert head.content == b""


# --------------------------------------------------------------------------- count_tokens

BASH_TOOL: dict[str, Any] = {
    "name": "Bash",
    "description": "Executes a given bash command in a persistent shell session.",
    "input_schema": {
        "type": "object",
        "properties": {"command": {"type": "string", "description": "The command to execute"}},
        "required": ["command"],
    },
}


def test_count_tokens_via_anthropic_sdk(lynkr: DaemonProcess) -> None:
    client = anthropic_client(lynkr)

    def count(text: str) -> int:
        result = client.messages.count_tokens(
            model="lynkr-complex",
            system="You are Claude Code, Anthropic's official CLI for Claude.",
            messages=[{"role": "user", "content": text}],
            tools=[BASH_TOOL],  # type: ignore[list-item]
        )
        return result.input_tokens

    short = count("List the files.")
    long = count("List the files. " + "Explain every one of them in detail, please. " * 200)

    assert short > 0
    assert long > short


def test_count_tokens_claude_code_beta_query(http: httpx.Client) -> None:
    response = http.post(
        "/v1/messages/count_tokens?beta=true",
        json={"model": "claude-sonnet-4-6", "messages": [{"role": "user", "content": "hello there"}]},
        headers={"anthropic-version": "2023-06-01", "anthropic-beta": "token-counting-2024-11-01"},
    )

    assert response.status_code == 200
    assert response.json()["input_tokens"] > 0


def _assert_anthropic_error(body: Any, error_type: str = "invalid_request_error") -> None:
    assert body["type"] == "error", body
    assert body["error"]["type"] == error_type
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_count_tokens_bad_body_sdk(lynkr: DaemonProcess) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        anthropic_client(lynkr).messages.count_tokens(model="lynkr-complex", messages=[])

    assert caught.value.status_code == 400
    _assert_anthropic_error(caught.value.body)
    assert "messages" in caught.value.body["error"]["message"]


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b'["a list"]', b'{"model": "lynkr-complex"}'],
    ids=["invalid-json", "empty", "not-object", "no-messages"],
)
def test_count_tokens_bad_body_raw(http: httpx.Client, raw: bytes) -> None:
    response = http.post(
        "/v1/messages/count_tokens",
        content=raw,
        headers={"content-type": "application/json", "anthropic-version": "2023-06-01"},
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    _assert_anthropic_error(response.json())


# --------------------------------------------------------------------------- Claude Code's request shape


def claude_code_request(
    http: httpx.Client, model: str, *, stream: bool = False
) -> tuple[httpx.Response, str]:
    """What Claude Code sends with ANTHROPIC_BASE_URL pointing at Lynkr and an auth token set."""
    headers = {
        "anthropic-beta": CLAUDE_CODE_BETAS,
        "anthropic-version": "2023-06-01",
        "x-claude-code-session-id": str(uuid.uuid4()),
        "authorization": f"Bearer {CLIENT_TOKEN}",
        "user-agent": "claude-cli/2.0.14 (external, cli)",
        "x-app": "cli",
        "anthropic-dangerous-direct-browser-access": "true",
    }
    body = {
        "model": model,
        "max_tokens": 32000,
        "system": [
            {
                "type": "text",
                "text": "You are Claude Code, Anthropic's official CLI for Claude.",
                "cache_control": {"type": "ephemeral"},
            }
        ],
        "messages": [{"role": "user", "content": [{"type": "text", "text": "What files are here?"}]}],
        "tools": [BASH_TOOL],
        "metadata": {"user_id": "user_0123abcd_account__session_" + str(uuid.uuid4())},
        "stream": stream,
    }
    with http.stream("POST", "/v1/messages?beta=true", json=body, headers=headers) as response:
        text = response.read().decode()
    return response, text


def test_claude_code_shape_to_anthropic_forwards_betas(http: httpx.Client, upstreams: Upstreams) -> None:
    response, text = claude_code_request(http, "lynkr-complex")

    assert response.status_code == 200, text
    assert json.loads(text)["type"] == "message"
    [rec] = upstreams.anthropic.chat_requests
    assert rec.status == 200
    assert rec.headers.get("anthropic-beta") == CLAUDE_CODE_BETAS
    assert rec.headers.get("anthropic-version") == "2023-06-01"
    assert rec.json["system"][0]["cache_control"] == {"type": "ephemeral"}


def test_claude_code_shape_to_openai_drops_anthropic_headers(
    http: httpx.Client, upstreams: Upstreams
) -> None:
    response, text = claude_code_request(http, "lynkr-medium")

    assert response.status_code == 200, text
    assert json.loads(text)["type"] == "message"
    [rec] = upstreams.openai.chat_requests
    assert rec.status == 200
    leaked = sorted(h for h in rec.headers if h.startswith("anthropic-"))
    assert leaked == [], f"Anthropic-only headers reached an OpenAI upstream: {leaked}"
    assert "cache_control" not in rec.raw.decode()


@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
@pytest.mark.parametrize("tier_name", list(TIERS))
def test_upstream_gets_configured_key_never_client_token(
    http: httpx.Client, upstreams: Upstreams, tier_name: str, stream: bool
) -> None:
    tier = TIERS[tier_name]

    response, text = claude_code_request(http, f"lynkr-{tier.name}", stream=stream)

    assert response.status_code == 200, text
    [rec] = emulator(upstreams, tier).chat_requests
    assert rec.status == 200
    credentials = {h: v for h, v in rec.headers.items() if h in CREDENTIAL_HEADERS}
    assert credentials == tier.auth
    for header, value in rec.headers.items():
        assert CLIENT_TOKEN not in value, f"the client's token reached {tier.upstream} in {header}"
    assert CLIENT_TOKEN not in rec.raw.decode()
    if tier.upstream != "anthropic":
        assert not [h for h in rec.headers if h.startswith("anthropic-")]


# --------------------------------------------------------------------------- x-lynkr-* headers


def _assert_lynkr_headers(response: httpx.Response, tier: Tier) -> str:
    headers = response.headers
    assert headers.get("x-lynkr-tier") == tier.name
    assert headers.get("x-lynkr-provider") == tier.provider
    assert headers.get("x-lynkr-model") == tier.model
    decision = headers.get("x-lynkr-decision-id")
    assert decision, "x-lynkr-decision-id is missing or empty"
    return decision


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
@pytest.mark.parametrize("stream", [False, True], ids=["nonstream", "stream"])
@pytest.mark.parametrize("tier_name", list(TIERS))
def test_lynkr_headers(
    http: httpx.Client, upstreams: Upstreams, tier_name: str, stream: bool, dialect: str
) -> None:
    tier = TIERS[tier_name]

    response, text = post(http, dialect, f"lynkr-{tier.name}", stream=stream)

    assert response.status_code == 200, text
    _assert_lynkr_headers(response, tier)
    if stream:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert ("message_stop" if dialect == "anthropic" else "data: [DONE]") in text
    [rec] = emulator(upstreams, tier).chat_requests
    assert upstream_model(rec, tier) == tier.model


def test_decision_ids_are_unique(http: httpx.Client) -> None:
    ids = [post(http, "openai", "lynkr-simple")[0].headers["x-lynkr-decision-id"] for _ in range(3)]
    assert len(set(ids)) == 3, ids


# --------------------------------------------------------------------------- model pinning


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
@pytest.mark.parametrize("model", ["lynkr-complex", "lynkr/complex", "complex"])
def test_model_pins_complex_tier(http: httpx.Client, upstreams: Upstreams, model: str, dialect: str) -> None:
    tier = TIERS["complex"]

    response, text = post(http, dialect, model)

    assert response.status_code == 200, text
    _assert_lynkr_headers(response, tier)
    [rec] = upstreams.anthropic.chat_requests
    assert rec.json["model"] == "claude-sonnet-4-6"
    assert upstreams.openai.chat_requests == []


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
def test_unknown_model_is_routed_by_the_score(http: httpx.Client, upstreams: Upstreams, dialect: str) -> None:
    response, text = post(http, dialect, "gpt-4o")

    assert response.status_code == 200, text
    assert response.headers["x-lynkr-rule"] == "score"
    assert 0 <= float(response.headers["x-lynkr-score"]) <= 100
    _assert_lynkr_headers(response, TIERS[response.headers["x-lynkr-tier"]])


@pytest.mark.parametrize("dialect", ["anthropic", "openai"])
def test_tier_header_overrides_the_router(http: httpx.Client, upstreams: Upstreams, dialect: str) -> None:
    response, text = post(http, dialect, "gpt-4o", extra={"x-lynkr-tier": "medium"})

    assert response.status_code == 200, text
    _assert_lynkr_headers(response, TIERS["medium"])
    assert response.headers["x-lynkr-rule"] == "header"
    [rec] = upstreams.openai.chat_requests
    assert rec.json["model"] == "gpt-4o-mini", "the client's model name must not reach the upstream"
    assert upstreams.anthropic.chat_requests == []
