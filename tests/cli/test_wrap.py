"""``lynkr wrap``: fake ``codex``/``claude``/``aider`` scripts on PATH, a real daemon started by the command.

Each fake client finds Lynkr exactly the way the real one would (Codex from its
``-c`` provider table, Claude Code from ANTHROPIC_* variables, Aider from
OPENAI_API_BASE), makes real requests, and exits with a code of its choosing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from lynkr_tui.wrap_cmd import client_url, launch, summary

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(90)

FAKE_CODEX = """
import json, os, re, sys, tomllib, urllib.request
args = sys.argv[1:]
overrides = [args[i + 1] for i, a in enumerate(args) if a == "-c"]
config = {}
for o in overrides:  # each -c value must be valid TOML, as Codex parses it
    config.update(tomllib.loads(o))
provider = config["model_providers"]["lynkr"]
assert config["model_provider"] == "lynkr" and provider["wire_api"] == "responses"
body = {"model": config.get("model", "gpt-5-codex"), "input": "hello", "stream": False}
headers = {"content-type": "application/json", **provider["http_headers"],
           "authorization": "Bearer " + os.environ[provider["env_key"]]}
request = urllib.request.Request(provider["base_url"] + "/responses", json.dumps(body).encode(), headers)
answer = json.load(urllib.request.urlopen(request))
rest = [a for i, a in enumerate(args) if a != "-c" and (i == 0 or args[i - 1] != "-c")]
text = answer["output"][0]["content"][0]["text"]
json.dump({"rest": rest, "text": text}, open(os.environ["FAKE_OUT"], "w"))
sys.exit(3)
"""

FAKE_CLAUDE = """
import json, os, sys, urllib.request
name, _, value = os.environ["ANTHROPIC_CUSTOM_HEADERS"].partition(": ")
for text in ("quota", "hello"):
    body = {"model": "claude-haiku-4-5", "max_tokens": 16, "messages": [{"role": "user", "content": text}]}
    headers = {"content-type": "application/json", name: value,
               "authorization": "Bearer " + os.environ["ANTHROPIC_AUTH_TOKEN"]}
    url = os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    urllib.request.urlopen(request).read()
sys.exit(0)
"""

FAKE_AIDER = """
import json, os, sys, urllib.request
model = sys.argv[sys.argv.index("--model") + 1].removeprefix("openai/")
body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
url = os.environ["OPENAI_API_BASE"] + "/chat/completions"
request = urllib.request.Request(url, json.dumps(body).encode(), {"content-type": "application/json"})
urllib.request.urlopen(request).read()
sys.exit(0)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def home() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="lw"))  # short: the control socket lives here
    bin_dir = path / "bin"
    bin_dir.mkdir()
    for name, source in (("codex", FAKE_CODEX), ("claude", FAKE_CLAUDE), ("aider", FAKE_AIDER)):
        script = bin_dir / name
        script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(source))
        script.chmod(0o755)
    yield path
    subprocess.run([sys.executable, "-m", "lynkr_tui.cli", "down"], env=env_for(path), capture_output=True)
    shutil.rmtree(path, ignore_errors=True)


def env_for(home: Path, port: int | None = None) -> dict[str, str]:
    env = {
        "PATH": f"{home / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LYNKR_HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "xdg"),
        "PYTHONPATH": str(ROOT),
        "FAKE_OUT": str(home / "out.json"),
        "COLUMNS": "250",
    }
    if port is not None:
        env["LYNKR_PORT"] = str(port)
    return env


def wrap(home: Path, *args: str, port: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lynkr_tui.cli", "wrap", *args],
        cwd=home,
        env=env_for(home, port),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_wrap_starts_the_daemon_runs_codex_and_passes_its_exit_code(home: Path) -> None:
    result = wrap(home, "codex", "exec", "--full-auto", "fix the bug", port=free_port())
    assert result.returncode == 3, result.stderr
    out = json.loads((home / "out.json").read_text())
    assert out["rest"] == ["exec", "--full-auto", "fix the bug"], "the user's arguments follow Lynkr's flags"
    assert "simulated" in out["text"].lower()
    assert "is running" in result.stdout, "the daemon was started first"
    last = result.stderr.strip().splitlines()[-1]
    assert "session wrap-codex-" in last and "1 requests" in last and "tiers " in last and "spend $" in last

    # With the daemon already up, a second run reuses it and counts only its own session.
    result = wrap(home, "claude")
    assert result.returncode == 0, result.stderr
    assert "is running" not in result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert "session wrap-claude-" in last and "2 requests" in last and "simple 2 (100%)" in last


def test_wrap_aider_summarises_the_time_window(home: Path) -> None:
    result = wrap(home, "aider", port=free_port())
    assert result.returncode == 0, result.stderr
    assert "all requests while it ran: 1 requests" in result.stderr


def test_wrap_refuses_a_missing_client(home: Path) -> None:
    result = wrap(home, "no-such-agent-xyz")
    assert result.returncode == 127
    assert "not installed or not on PATH" in result.stderr


# --------------------------------------------------------------------------- the pure parts


def test_launch_environments() -> None:
    base = {"PATH": "/bin", "OPENAI_API_KEY": "sk-real", "ANTHROPIC_API_KEY": "sk-ant-real"}
    claude = launch("claude", ["-p", "hi"], "http://127.0.0.1:8081", "s1", base)
    assert claude.argv == ["claude", "-p", "hi"] and claude.sends_session
    assert claude.env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:8081"
    assert claude.env["ANTHROPIC_CUSTOM_HEADERS"] == "x-lynkr-session: s1"
    assert "ANTHROPIC_API_KEY" not in claude.env and claude.env["ANTHROPIC_AUTH_TOKEN"] == "lynkr"
    codex = launch("codex", ["-m", "gpt-5-codex"], "http://127.0.0.1:8081", "s2", base)
    assert not any(flag.startswith("model=") for flag in codex.argv), "the user's -m wins"
    provider = tomllib.loads(codex.argv[2])["model_providers"]["lynkr"]
    assert provider["base_url"] == "http://127.0.0.1:8081/v1" and provider["http_headers"] == {
        "x-lynkr-session": "s2"
    }
    aider = launch("aider", [], "http://h:1", "s3", base)
    assert aider.env["OPENAI_API_KEY"] == "lynkr", "a real key is never handed to the proxy"
    assert aider.argv == ["aider", "--model", "openai/lynkr-auto"] and not aider.sends_session
    openhands = launch("openhands", [], "http://h:1", "s4", {"LLM_MODEL": "openai/lynkr-complex"})
    assert (
        openhands.env["LLM_MODEL"] == "openai/lynkr-complex"
        and openhands.env["LLM_BASE_URL"] == "http://h:1/v1"
    )
    assert client_url("http://0.0.0.0:9000") == "http://127.0.0.1:9000"
    # A daemon that requires the proxy key gets it from every client.
    keyed = {"LYNKR_API_KEY": "proxy-secret"}
    assert launch("claude", [], "http://h:1", "s", keyed).env["ANTHROPIC_AUTH_TOKEN"] == "proxy-secret"
    assert launch("aider", [], "http://h:1", "s", keyed).env["OPENAI_API_KEY"] == "proxy-secret"
    assert launch("codex", [], "http://h:1", "s", keyed).env["LYNKR_API_KEY"] == "proxy-secret"


def test_summary_line() -> None:
    rows = [
        {"tier": "simple", "cost_usd": 0.001, "input_tokens": 10, "output_tokens": 5, "status": 200},
        {"tier": "simple", "cost_usd": 0.002, "input_tokens": 20, "output_tokens": 5, "status": 200},
        {"tier": "complex", "cost_usd": None, "input_tokens": 0, "output_tokens": 0, "status": 502},
    ]
    line = summary(rows, "session s")
    assert "3 requests, 1 failed" in line and "simple 2 (67%), complex 1 (33%)" in line
    assert "$0.0030 (some models have no known price)" in line
    assert summary([], "session s").endswith("no requests were recorded.")


def test_summary_says_when_the_daemon_capped_the_rows() -> None:
    """The control API answers at most 1000 decisions; a long session must not look smaller than it was."""
    row = {"tier": "simple", "cost_usd": 0.001, "input_tokens": 1, "output_tokens": 1, "status": 200}
    line = summary([row] * 1000, "session s")
    assert "at least 1000 requests" in line and "totals cover the newest 1000" in line
    assert "at least" not in summary([row] * 999, "session s")
