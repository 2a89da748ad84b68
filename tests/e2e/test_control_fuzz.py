"""Fuzz the control socket of a real daemon: whatever arrives, the answer is JSON with a status
below 500, and the daemon keeps running. (``/v1/shutdown`` is left out: it works as intended.)"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.harness import DaemonProcess

ROUTES = [
    ("GET", "/v1/status"),
    ("GET", "/v1/sessions"),
    ("POST", "/v1/sessions/{x}/tier"),
    ("GET", "/v1/decisions"),
    ("GET", "/v1/decisions/{x}"),
    ("GET", "/v1/stats"),
    ("POST", "/v1/replay"),
    ("GET", "/v1/config"),
    ("POST", "/v1/config/validate"),
    ("POST", "/v1/config/apply"),
    ("POST", "/v1/reload"),
    ("GET", "/v1/breakers"),
    ("POST", "/v1/breakers/{x}/reset"),
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
known_keys = st.sampled_from(["tier", "id", "since_seconds", "config", "config_text", "text", "limit"])
bodies = st.one_of(
    st.none(),
    st.binary(max_size=64),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(known_keys, json_values, max_size=3).map(lambda v: json.dumps(v).encode()),
)
queries = st.dictionaries(
    st.sampled_from(["limit", "since", "tier", "status", "window", "session", "provider"]),
    st.sampled_from(["abc", "-1", "0", "50", "nan", "inf", "1e309", "", "ok", "error", "499", "simple"])
    | st.text(max_size=8),
    max_size=3,
)
segments = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=12)


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=10)
        self.path_ = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(10)
        self.sock.connect(self.path_)


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaemonProcess]:
    home = tmp_path_factory.mktemp("fuzz")
    process = DaemonProcess(home, '[tiers.simple]\nprovider = "simulated"\nmodel = "sim"\n').start()
    yield process
    process.stop()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(ROUTES),
    method=st.sampled_from(["GET", "POST", "DELETE", None]),
    segment=segments,
    query=queries,
    body=bodies,
)
def test_the_control_socket_never_fails_with_a_500(
    daemon: DaemonProcess,
    route: tuple[str, str],
    method: str | None,
    segment: str,
    query: dict[str, str],
    body: Any,
) -> None:
    verb = method or route[0]
    path = route[1].replace("{x}", segment)
    if query:
        path += "?" + urllib.parse.urlencode(query)
    connection = UnixConnection(daemon.home / "control.sock")
    try:
        connection.request(verb, path, body=body, headers={"content-type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    assert response.status < 500, (verb, path, body, raw[:300])
    json.loads(raw)
    assert daemon.process is not None and daemon.process.poll() is None
