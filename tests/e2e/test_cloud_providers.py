"""The cross-dialect matrix on the cloud wire formats: Bedrock Converse, the Gemini API and Vertex AI.

One daemon of its own, tiers on emulated upstreams that check auth the way the clouds do:

    simple    -> Bedrock, SigV4 with env credentials + session token   (provider "aws")
    medium    -> Gemini API, x-goog-api-key                             (provider "gem")
    complex   -> Vertex AI, service-account file, tokens from the emulator's token endpoint (provider "gcp")
    reasoning -> Bedrock, SigV4 with a profile from a shared credentials file, inference-profile ARN ("team")

Every case goes through the official anthropic and openai SDKs, streaming and not.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openai
import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from tests.e2e.harness import DaemonProcess
from tests.e2e.test_cross_dialect import ARGS, ASK, HISTORY, PNG_B64, TOOL
from tests.emulators import AwsCredentials, BedrockEmulator, GeminiEmulator, Reply, ToolCall
from tests.unit.test_gemini import service_account

TIERS = ["simple", "medium", "complex", "reasoning"]
CASES = [(client, tier, stream) for client in ASK for tier in TIERS for stream in (False, True)]
IDS = [f"{c}-{t}-{'stream' if s else 'json'}" for c, t, s in CASES]
ENV_CREDS = AwsCredentials("AKIDE2EENV", "e2e-env-secret-0123456789abcdef", "e2e-session-token-xyz")
PROFILE_CREDS = AwsCredentials("AKIDE2EPROFILE", "e2e-profile-secret-fedcba9876543210")
GEMINI_KEY = "gemini-e2e-key-5f4e3d2c1b"
ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-1-20250805-v1:0"
MODELS = {
    "simple": "anthropic.claude-3-5-haiku-20241022-v1:0",
    "medium": "gemini-2.5-flash",
    "complex": "gemini-2.5-pro",
    "reasoning": ARN,
}
SECRETS = [ENV_CREDS.secret_key, str(ENV_CREDS.token), PROFILE_CREDS.secret_key, GEMINI_KEY]


@dataclass
class Clouds:
    bedrock: BedrockEmulator
    gemini: GeminiEmulator
    vertex: GeminiEmulator

    def all(self) -> list[Any]:
        return [self.bedrock, self.gemini, self.vertex]

    def of(self, tier: str) -> Any:
        return {
            "simple": self.bedrock,
            "medium": self.gemini,
            "complex": self.vertex,
            "reasoning": self.bedrock,
        }[tier]


@pytest.fixture(scope="module")
def clouds() -> Iterator[Clouds]:
    ups = Clouds(
        BedrockEmulator(credentials=[ENV_CREDS, PROFILE_CREDS]).start(),
        GeminiEmulator("gemini", expected_key=GEMINI_KEY).start(),
        GeminiEmulator("vertex", vertex=True).start(),
    )
    yield ups
    for emulator in ups.all():
        emulator.stop()


@pytest.fixture(scope="module")
def cloud_lynkr(clouds: Clouds, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    home: Path = tmp_path_factory.mktemp("lynkr-cloud")
    sa, clouds.vertex.public_key_pem = service_account(home, clouds.vertex.token_uri)
    (home / "aws-credentials").write_text(
        f"[team]\naws_access_key_id = {PROFILE_CREDS.access_key}\n"
        f"aws_secret_access_key = {PROFILE_CREDS.secret_key}\n"
    )
    (home / "aws-config").write_text("")
    config = f"""
[providers.aws]
type = "bedrock"
base_url = "{clouds.bedrock.base_url}"
region = "us-east-1"

[providers.team]
type = "bedrock"
base_url = "{clouds.bedrock.base_url}"
region = "us-east-1"
profile = "team"
auth = "sigv4"

[providers.gem]
type = "gemini"
base_url = "{clouds.gemini.base_url}"
api_key_env = "TEST_GEMINI_KEY"

[providers.gcp]
type = "vertex"
base_url = "{clouds.vertex.base_url}"
location = "us-central1"
credentials_file = "{sa}"

[tiers.simple]
provider = "aws"
model = "{MODELS["simple"]}"

[tiers.medium]
provider = "gem"
model = "{MODELS["medium"]}"

[tiers.complex]
provider = "gcp"
model = "{MODELS["complex"]}"

[tiers.reasoning]
provider = "team"
model = "{MODELS["reasoning"]}"
"""
    env = {
        "AWS_ACCESS_KEY_ID": ENV_CREDS.access_key,
        "AWS_SECRET_ACCESS_KEY": ENV_CREDS.secret_key,
        "AWS_SESSION_TOKEN": str(ENV_CREDS.token),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "aws-credentials"),
        "AWS_CONFIG_FILE": str(home / "aws-config"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "TEST_GEMINI_KEY": GEMINI_KEY,
    }
    daemon = DaemonProcess(home, config, env=env)
    daemon.env.pop("AWS_PROFILE", None)
    daemon.env.pop("AWS_BEARER_TOKEN_BEDROCK", None)
    daemon.start()
    yield daemon
    daemon.stop()
    log = daemon.log()
    for secret in SECRETS:
        assert secret not in log, "a credential leaked into the daemon log"


@pytest.fixture(autouse=True)
def _fresh(clouds: Clouds) -> None:
    for emulator in clouds.all():
        emulator.reset()


def _check_auth(clouds: Clouds, tier: str) -> None:
    sent = clouds.of(tier).last_request
    if tier == "simple":
        assert sent.params["access_key"] == ENV_CREDS.access_key
        assert sent.headers["x-amz-security-token"] == ENV_CREDS.token
    elif tier == "reasoning":
        assert sent.params["access_key"] == PROFILE_CREDS.access_key
        assert sent.params["model"] == ARN and sent.params["raw_model"] == quote(ARN, safe="")
    elif tier == "medium":
        assert sent.headers["x-goog-api-key"] == GEMINI_KEY
    else:
        assert sent.headers["authorization"].startswith("Bearer ya29.test-")
        assert sent.params["project"] == "test-project"


# --------------------------------------------------------------------------- text + system prompt


@pytest.mark.parametrize(("client", "tier", "stream"), CASES, ids=IDS)
def test_text_with_system_prompt(
    client: str, tier: str, stream: bool, cloud_lynkr: DaemonProcess, clouds: Clouds
) -> None:
    upstream = clouds.of(tier)
    upstream.script(Reply(text="Renamed foo.py to bar.py; nothing else changed."))
    answer = ASK[client](
        cloud_lynkr.url,
        tier,
        stream,
        [{"role": "user", "content": "Rename foo.py to bar.py"}],
        system="You are terse.",
    )
    assert answer.text == "Renamed foo.py to bar.py; nothing else changed."
    assert answer.stop in ("end_turn", "stop")
    assert answer.input_tokens > 0 and answer.output_tokens > 0
    assert answer.headers["x-lynkr-tier"] == tier
    assert answer.headers["x-lynkr-model"] == MODELS[tier]
    _check_auth(clouds, tier)
    sent = upstream.last_request
    if upstream is clouds.bedrock:
        assert sent.path.endswith("/converse-stream" if stream else "/converse")
        assert sent.json["system"] == [{"text": "You are terse."}]
        assert sent.json["messages"] == [{"role": "user", "content": [{"text": "Rename foo.py to bar.py"}]}]
        assert sent.json["inferenceConfig"]["maxTokens"] == 512
    else:
        assert sent.path.endswith(":streamGenerateContent" if stream else ":generateContent")
        assert sent.query.get("alt") == ("sse" if stream else None)
        assert sent.json["systemInstruction"] == {"parts": [{"text": "You are terse."}]}
        assert sent.json["contents"] == [{"role": "user", "parts": [{"text": "Rename foo.py to bar.py"}]}]
        assert sent.json["generationConfig"]["maxOutputTokens"] == 512


# --------------------------------------------------------------------------- tool call round trip


def _followup(client: str, call_id: str) -> list[dict[str, Any]]:
    """The conversation the client sends back after running the tool, as an agent would."""
    question = {"role": "user", "content": "What does app.py do?"}
    if client == "anthropic":
        return [
            question,
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": "Let me look."},
                    {"type": "tool_use", "id": call_id, "name": "read_file", "input": ARGS},
                ],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": call_id, "content": "print('hello')"}],
            },
        ]
    return [
        question,
        {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "read_file", "arguments": json.dumps(ARGS)},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": "print('hello')"},
    ]


@pytest.mark.parametrize(("client", "tier", "stream"), CASES, ids=IDS)
def test_tool_call_round_trip(
    client: str, tier: str, stream: bool, cloud_lynkr: DaemonProcess, clouds: Clouds
) -> None:
    upstream = clouds.of(tier)
    upstream.script(Reply(text="Let me look.", tool_calls=[ToolCall("read_file", ARGS)]))
    first = ASK[client](
        cloud_lynkr.url, tier, stream, [{"role": "user", "content": "What does app.py do?"}], tools=True
    )
    assert [(name, args) for _, name, args in first.tool_calls] == [("read_file", ARGS)]
    assert first.stop in ("tool_use", "tool_calls")
    assert first.text == "Let me look."
    call_id = first.tool_calls[0][0]
    assert call_id
    sent = upstream.last_request.json
    if upstream is clouds.bedrock:
        spec = sent["toolConfig"]["tools"][0]["toolSpec"]
        assert spec["name"] == "read_file" and spec["inputSchema"]["json"] == TOOL["schema"]
    else:
        declaration = sent["tools"][0]["functionDeclarations"][0]
        assert declaration["name"] == "read_file"
        assert declaration["parameters"]["properties"]["lines"] == {
            "type": "ARRAY",
            "items": {"type": "INTEGER"},
        }

    upstream.script(Reply(text="app.py prints hello."))
    second = ASK[client](cloud_lynkr.url, tier, stream, _followup(client, call_id), tools=True)
    assert second.text == "app.py prints hello."
    assert second.stop in ("end_turn", "stop")
    sent = upstream.last_request.json
    if upstream is clouds.bedrock:
        use = sent["messages"][1]["content"][1]["toolUse"]
        assert (use["toolUseId"], use["name"], use["input"]) == (call_id, "read_file", ARGS)
        result = sent["messages"][2]["content"][0]["toolResult"]
        assert result["toolUseId"] == call_id and result["content"] == [{"text": "print('hello')"}]
    else:
        call_part = sent["contents"][1]["parts"][1]
        assert call_part["functionCall"] == {"name": "read_file", "args": ARGS}
        # The signature Gemini gave the call came back although the client never saw it.
        assert call_part["thoughtSignature"] in upstream.signatures
        assert sent["contents"][2]["parts"] == [
            {"functionResponse": {"name": "read_file", "response": {"output": "print('hello')"}}}
        ]


# --------------------------------------------------------------------------- images + a foreign history


@pytest.mark.parametrize(("client", "tier", "stream"), CASES, ids=IDS)
def test_images_and_tool_results_from_another_provider(
    client: str, tier: str, stream: bool, cloud_lynkr: DaemonProcess, clouds: Clouds
) -> None:
    upstream = clouds.of(tier)
    upstream.script(Reply(text="A tiny image, and app.py prints hello."))
    build, call_id = HISTORY[client]
    answer = ASK[client](cloud_lynkr.url, tier, stream, build(call_id), tools=True)
    assert answer.text == "A tiny image, and app.py prints hello."
    sent = upstream.last_request.json
    if upstream is clouds.bedrock:
        first, model, last = sent["messages"]
        assert {"image": {"format": "png", "source": {"bytes": PNG_B64}}} in first["content"]
        assert model["content"][1]["toolUse"]["toolUseId"] == call_id
        assert last["content"][0]["toolResult"]["toolUseId"] == call_id
        assert last["content"][1] == {"text": "Summarise both."}
    else:
        first, model, last = sent["contents"]
        assert {"inlineData": {"mimeType": "image/png", "data": PNG_B64}} in first["parts"]
        assert model["parts"][1]["functionCall"] == {"name": "read_file", "args": ARGS}
        assert last["parts"][0]["functionResponse"]["name"] == "read_file"  # looked up from the call id
        assert last["parts"][1] == {"text": "Summarise both."}


# --------------------------------------------------------------------------- stop reasons and usage

STOPS = [
    ("simple", "max_tokens", {"anthropic": "max_tokens", "openai": "length"}),
    ("medium", "MAX_TOKENS", {"anthropic": "max_tokens", "openai": "length"}),
    ("complex", "SAFETY", {"anthropic": "refusal", "openai": "content_filter"}),
    ("reasoning", "guardrail_intervened", {"anthropic": "refusal", "openai": "content_filter"}),
]


@pytest.mark.parametrize("client", list(ASK))
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("tier", "wire", "expected"), STOPS, ids=[s[1] for s in STOPS])
def test_stop_reasons(
    client: str,
    stream: bool,
    tier: str,
    wire: str,
    expected: dict[str, str],
    cloud_lynkr: DaemonProcess,
    clouds: Clouds,
) -> None:
    clouds.of(tier).script(Reply(text="cut short", finish=wire))
    messages = [{"role": "user", "content": "write a lot"}]
    if client == "openai" and stream:
        # The SDK's stream helper raises on length/content_filter; read the raw chunks instead.
        sdk = openai.OpenAI(base_url=f"{cloud_lynkr.url}/v1", api_key="unused", max_retries=0)
        chunks = list(sdk.chat.completions.create(model=f"lynkr-{tier}", messages=messages, stream=True))
        stop = next(c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason)
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "cut short"
    else:
        stop = ASK[client](cloud_lynkr.url, tier, stream, messages).stop
    assert stop == expected[client]


@pytest.mark.parametrize("client", list(ASK))
@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("tier", TIERS)
def test_upstream_usage_is_exact(
    client: str, stream: bool, tier: str, cloud_lynkr: DaemonProcess, clouds: Clouds
) -> None:
    # Gemini counts thoughts separately; they are output the client pays for.
    thinking = "Weighing the options carefully." if tier in ("medium", "complex") else None
    clouds.of(tier).script(Reply(text="ok", thinking=thinking, input_tokens=1234, output_tokens=56))
    answer = ASK[client](cloud_lynkr.url, tier, stream, [{"role": "user", "content": "hi"}])
    thoughts = 8 if thinking else 0  # approx_tokens of the thinking text in the emulator
    assert (answer.input_tokens, answer.output_tokens) == (1234, 56 + thoughts)
