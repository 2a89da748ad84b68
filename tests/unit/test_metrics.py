"""Prometheus metrics: what one DecisionRecord turns into, on a registry of its own."""

from __future__ import annotations

from types import SimpleNamespace

from prometheus_client.parser import text_string_to_metric_families

from daemon.canonical import Usage
from daemon.metrics import MODEL_LABEL_MAX, Metrics
from daemon.telemetry import DecisionRecord, Hop


def _record(**overrides: object) -> DecisionRecord:
    fields: dict[str, object] = {
        "id": "dec_1",
        "started_at": 1000.0,
        "session": "s1",
        "dialect": "anthropic",
        "user_agent": "claude-cli/1.0",
        "requested_model": "claude-sonnet",
        "stream": True,
        "tier": "medium",
        "provider": "openrouter",
        "model": "qwen/qwen3-coder",
        "hops": [Hop("openrouter", "qwen/qwen3-coder")],
        "status": 200,
        "latency_ms": 1500.0,
        "ttft_ms": 300.0,
        "usage": Usage(input_tokens=100, output_tokens=20, cache_read_tokens=50, cache_write_tokens=5),
        "router_us": 120.0,
        "cost_usd": 0.002,
        "provider_type": "openai",
    }
    fields.update(overrides)
    return DecisionRecord(**fields)  # type: ignore[arg-type]


def _samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, as the text parser reads it back."""
    body, _ = metrics.render()
    out = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def _value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def test_render_parses_and_counters_match_observations() -> None:
    metrics = Metrics()
    metrics.observe(_record())
    metrics.observe(_record(id="dec_2", latency_ms=40_000.0, ttft_ms=None, stream=False))
    metrics.observe(
        _record(
            id="dec_3",
            tier="",
            provider="",
            model="",
            hops=[],
            status=400,
            ttft_ms=None,
            usage=Usage(),
            router_us=0.0,
            cost_usd=None,
            provider_type="",
            dialect="openai_chat",
        )
    )
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    assert isinstance(body, bytes)
    s = _samples(metrics)

    served = {"tier": "medium", "provider": "openrouter", "model": "qwen/qwen3-coder"}
    assert _value(s, "lynkr_requests_total", **served, status="200", dialect="anthropic") == 2
    # Rejected before routing: no tier, provider or model, all "-".
    assert (
        _value(
            s, "lynkr_requests_total", tier="-", provider="-", model="-", status="400", dialect="openai_chat"
        )
        == 1
    )
    assert _value(s, "lynkr_tokens_total", **served, kind="input") == 200
    assert _value(s, "lynkr_tokens_total", **served, kind="output") == 40
    assert _value(s, "lynkr_tokens_total", **served, kind="cache_read") == 100
    assert _value(s, "lynkr_tokens_total", **served, kind="cache_write") == 10
    assert _value(s, "lynkr_tokens_total", tier="-", provider="-", model="-", kind="input") is None
    assert abs(_value(s, "lynkr_cost_usd_total", **served) - 0.004) < 1e-12
    assert _value(s, "lynkr_cache_hits_total", kind="prompt") == 2

    hist = {"tier": "medium", "provider": "openrouter"}
    assert _value(s, "lynkr_request_latency_seconds_count", **hist) == 2
    assert _value(s, "lynkr_request_latency_seconds_sum", **hist) == 41.5
    assert _value(s, "lynkr_request_latency_seconds_bucket", **hist, le="2.0") == 1
    assert _value(s, "lynkr_request_latency_seconds_bucket", **hist, le="60.0") == 2
    assert _value(s, "lynkr_request_latency_seconds_bucket", **hist, le="300.0") == 2
    assert _value(s, "lynkr_request_latency_seconds_count", tier="-", provider="-") == 1
    assert _value(s, "lynkr_ttft_seconds_count", **hist) == 1
    assert _value(s, "lynkr_ttft_seconds_sum", **hist) == 0.3
    # The rejected request never ran the router.
    assert _value(s, "lynkr_router_seconds_count") == 2
    assert abs(_value(s, "lynkr_router_seconds_sum") - 0.00024) < 1e-12
    assert _value(s, "lynkr_provider_info", provider="openrouter", type="openai") == 1


def test_fallbacks_count_every_hop_after_the_first() -> None:
    metrics = Metrics()
    hops = [Hop("a", "m", error="429"), Hop("b", "m", error="500"), Hop("c", "m")]
    metrics.observe(_record(tier="complex", hops=hops))
    metrics.observe(_record(tier="complex"))
    assert _value(_samples(metrics), "lynkr_fallbacks_total", tier="complex") == 2


def test_label_cardinality_is_bounded() -> None:
    metrics = Metrics()
    metrics.observe(_record(model="x" * 500))
    models = {labels for (name, labels) in _samples(metrics) if name == "lynkr_requests_total"}
    (labels,) = models
    assert dict(labels)["model"] == "x" * MODEL_LABEL_MAX


def test_breaker_and_in_flight_gauges() -> None:
    metrics = Metrics()
    metrics.set_breaker("openrouter", "open")
    metrics.set_breaker("ollama", 1)
    metrics.set_breaker("groq", "closed")
    metrics.set_breaker("groq", "bogus")  # logged and ignored, never raised into the request path
    metrics.inc_in_flight()
    metrics.inc_in_flight()
    metrics.dec_in_flight()
    metrics.cache_hit("response")
    s = _samples(metrics)
    assert _value(s, "lynkr_breaker_state", provider="openrouter") == 2
    assert _value(s, "lynkr_breaker_state", provider="ollama") == 1
    assert _value(s, "lynkr_breaker_state", provider="groq") == 0
    assert _value(s, "lynkr_in_flight_requests") == 1
    assert _value(s, "lynkr_cache_hits_total", kind="response") == 1


def test_record_without_the_newer_fields() -> None:
    """getattr keeps observe working on a record shape without cost_usd or provider_type."""
    metrics = Metrics()
    record = SimpleNamespace(
        id="dec_x",
        dialect="anthropic",
        tier="simple",
        provider="ollama",
        model="llama",
        status=200,
        latency_ms=10.0,
        ttft_ms=None,
        router_us=50.0,
        usage=Usage(input_tokens=3),
        hops=[],
    )
    metrics.observe(record)  # type: ignore[arg-type]
    s = _samples(metrics)
    served = {"tier": "simple", "provider": "ollama", "model": "llama"}
    assert _value(s, "lynkr_requests_total", **served, status="200", dialect="anthropic") == 1
    assert _value(s, "lynkr_tokens_total", **served, kind="input") == 3
    assert not any(name in ("lynkr_cost_usd_total", "lynkr_provider_info") for name, _ in s)


def test_observe_never_raises() -> None:
    metrics = Metrics()
    metrics.observe(object())  # type: ignore[arg-type]


def test_two_metrics_objects_are_independent() -> None:
    first, second = Metrics(), Metrics()
    first.observe(_record())
    first.inc_in_flight()
    s1, s2 = _samples(first), _samples(second)
    labels = {"tier": "medium", "provider": "openrouter", "model": "qwen/qwen3-coder"}
    assert _value(s1, "lynkr_requests_total", **labels, status="200", dialect="anthropic") == 1
    assert _value(s2, "lynkr_requests_total", **labels, status="200", dialect="anthropic") is None
    assert _value(s2, "lynkr_in_flight_requests") == 0
    assert first.registry is not second.registry


def test_global_registry_is_untouched() -> None:
    from prometheus_client import REGISTRY, generate_latest

    Metrics().observe(_record())
    assert b"lynkr_" not in generate_latest(REGISTRY)
