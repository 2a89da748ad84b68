"""Bulky payloads that are repetitive by nature: verbose test runs, service logs, CI logs, diffs.

Every generator is seeded, so the corpus is byte-for-byte reproducible.
"""
# ruff: noqa: E501

from __future__ import annotations

import random
from datetime import datetime, timedelta

# --------------------------------------------------------------------------- pytest -v for payments-api

_PAY_TESTS = {
    "tests/api/test_customers.py": ["test_list_customers_scoped_to_tenant", "test_list_customers_country_filter", "test_list_customers_excludes_deleted", "test_get_customer_404_other_tenant", "test_get_customer_ok"],
    "tests/api/test_invoices_api.py": ["test_list_invoices_default_limit", "test_list_invoices_status_filter", "test_invoice_pdf_content_type", "test_invoice_pdf_404", "test_create_invoice_validates_currency", "test_create_invoice_lines_sum"],
    "tests/auth/test_tokens.py": ["test_access_token_roundtrip", "test_access_token_expired", "test_access_token_wrong_issuer", "test_refresh_token_issues_new_access", "test_refresh_token_expired", "test_refresh_unknown_token"],
    "tests/billing/test_invoices.py": ["test_get_invoice_loads_lines", "test_get_invoice_missing", "test_list_invoices_orders_by_created", "test_list_invoices_amount_due", "test_invoice_email_deleted_customer", "test_mark_paid_partial", "test_mark_paid_full_sets_paid_at", "test_mark_paid_void_rejected"],
    "tests/billing/test_transfers.py": ["test_transfer_moves_money", "test_insufficient_funds", "test_concurrent_transfers"],
    "tests/billing/test_webhooks.py": ["test_rejects_bad_signature", "test_ignores_unknown_event", "test_checkout_completed_creates_payment", "test_checkout_completed_zero_balance_noop", "test_payment_succeeded_marks_paid", "test_payment_failed_logs_code"],
    "tests/billing/test_stripe_client.py": ["test_payment_intent_lowercases_currency", "test_refund_passes_idempotency_key", "test_new_idempotency_key_prefix"],
    "tests/core/test_timeparse.py": ["test_parse_seconds", "test_parse_compound", "test_parse_ms", "test_parse_bare_number", "test_parse_rejects_garbage", "test_format_roundtrip"],
    "tests/tasks/test_reminders.py": ["test_schedule_due_reminders_counts", "test_send_due_reminder_skips_paid", "test_send_due_reminder_retries_on_connection_error"],
    "tests/db/test_models.py": ["test_invoice_status_enum_values", "test_payment_intent_unique", "test_contact_set_null_on_delete", "test_ledger_entry_created_at_default"],
}


def pytest_verbose_payments(fail: dict[str, str] | None = None, seed: int = 1, params: int = 6) -> str:
    """`uv run pytest -v` over the whole payments suite; `fail` maps test name -> short reason."""
    rng = random.Random(seed)
    fail = fail or {}
    ids: list[str] = []
    for path, names in _PAY_TESTS.items():
        for name in names:
            if rng.random() < 0.35:
                for cur in ("EUR", "USD", "GBP", "JPY", "SEK", "CHF")[:params]:
                    ids.append(f"{path}::{name}[{cur}]")
            else:
                ids.append(f"{path}::{name}")
    lines = [
        "============================= test session starts ==============================",
        "platform linux -- Python 3.12.4, pytest-8.3.2, pluggy-1.5.0 -- /home/maya/src/payments-api/.venv/bin/python",
        "cachedir: .pytest_cache",
        "rootdir: /home/maya/src/payments-api",
        "configfile: pyproject.toml",
        "plugins: asyncio-0.23.8, anyio-4.4.0, cov-5.0.0",
        "asyncio: mode=Mode.AUTO",
        f"collecting ... collected {len(ids)} items",
        "",
    ]
    failed = []
    for i, tid in enumerate(ids):
        pct = int((i + 1) * 100 / len(ids))
        name = tid.split("::")[1].split("[")[0]
        status = "FAILED" if name in fail else "PASSED"
        if status == "FAILED":
            failed.append(tid)
        lines.append(f"{tid} {status}{' ' * max(1, 78 - len(tid) - len(status))}[{pct:>3}%]")
    lines.append("")
    if failed:
        lines.append("=========================== short test summary info ============================")
        for tid in failed:
            name = tid.split("::")[1].split("[")[0]
            lines.append(f"FAILED {tid} - {fail[name]}")
    secs = 9.0 + rng.random() * 6
    summary = f"{len(failed)} failed, {len(ids) - len(failed)} passed" if failed else f"{len(ids)} passed"
    lines.append(f"======================== {summary} in {secs:.2f}s ========================")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- SQLAlchemy 2.0 upgrade CI log

_SQLA_ERRORS = [
    ("sqlalchemy.exc.ArgumentError", "Textual SQL expression 'SELECT id FROM invoices WHERE tenant_id = :t' should be explicitly declared as text('SELECT id FROM invoices WHERE tenant_id = :t')", "app/reports/aging.py", 41),
    ("AttributeError", "'AsyncSession' object has no attribute 'query'", "app/reports/revenue.py", 28),
    ("sqlalchemy.exc.InvalidRequestError", "A transaction is already begun on this Session.", "app/db/unit_of_work.py", 57),
    ("TypeError", "Query.join() got an unexpected keyword argument 'isouter'", "app/reports/dunning.py", 73),
    ("sqlalchemy.exc.ArgumentError", "Column expression, FROM clause, or other columns clause element expected, got [Column('id', String(length=32), table=<invoices>, primary_key=True, nullable=False)]. Did you mean to say select(Column('id', ...))?", "app/billing/exports.py", 112),
    ("sqlalchemy.exc.MissingGreenlet", "greenlet_spawn has not been called; can't call await_only() here. Was IO attempted in an unexpected place? (Background on this error at: https://sqlalche.me/e/20/xd2s)", "app/billing/invoices.py", 63),
]


def sqlalchemy2_ci_log(seed: int = 7) -> str:
    rng = random.Random(seed)
    modules = ["reports/test_aging", "reports/test_revenue", "reports/test_dunning", "billing/test_exports", "db/test_unit_of_work", "billing/test_invoices", "api/test_invoices_api", "tasks/test_reminders"]
    out = [
        "2025-10-14T08:12:03.4411932Z ##[group]Run uv run pytest -q -p no:cacheprovider --maxfail=500",
        "2025-10-14T08:12:03.4412870Z uv run pytest -q -p no:cacheprovider --maxfail=500",
        "2025-10-14T08:12:03.4448120Z shell: /usr/bin/bash -e {0}",
        "2025-10-14T08:12:03.4448610Z env:",
        "2025-10-14T08:12:03.4449001Z   TEST_DATABASE_URL: postgresql+asyncpg://payments:payments@localhost:5433/payments_test",
        "2025-10-14T08:12:03.4449421Z   SQLALCHEMY_WARN_20: 1",
        "2025-10-14T08:12:03.4449780Z ##[endgroup]",
    ]
    t = datetime(2025, 10, 14, 8, 12, 9)
    n = 0
    for mod in modules:
        for k in range(rng.randrange(4, 9)):
            exc, msg, path, line = rng.choice(_SQLA_ERRORS)
            n += 1
            t += timedelta(milliseconds=rng.randrange(40, 900))
            stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randrange(0, 10**7):07d}Z"
            test = f"tests/{mod}.py::test_{mod.split('/')[-1][5:]}_{['basic', 'empty', 'tenant_scope', 'pagination', 'currency', 'totals', 'overdue', 'partial'][k % 8]}"
            out += [
                f"{stamp} ____________________ {test.split('::')[1]} ____________________",
                f"{stamp} ",
                f"{stamp}     {rng.choice(['async def', 'def'])} {test.split('::')[1]}(db_session{', invoice_factory' if k % 2 else ''}):",
                f"{stamp} >       result = {rng.choice(['await build_report', 'await export_csv', 'run_dunning', 'await list_invoices'])}(db_session, tenant_id=\"ten_{rng.randrange(100, 999)}\")",
                f"{stamp} ",
                f"{stamp} {test.split('::')[0]}:{rng.randrange(20, 140)}: ",
                f"{stamp} _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ ",
                f"{stamp} {path}:{line}: in {rng.choice(['build_report', 'export_csv', 'run_dunning', 'list_invoices', '__aexit__'])}",
                f"{stamp}     {rng.choice(['rows = await session.execute(', 'q = session.query(Invoice).join(', 'async with session.begin():', 'stmt = select([Invoice.id])'])}",
                f"{stamp} .venv/lib/python3.12/site-packages/sqlalchemy/{rng.choice(['orm/session.py:2351', 'sql/coercions.py:395', 'engine/base.py:1418', 'util/_concurrency_py3k.py:123'])}: in {rng.choice(['execute', '_raise_for_expected', '_execute_context', 'await_only'])}",
                f"{stamp}     raise exc.{exc.split('.')[-1]}(",
                f"{stamp} E   {exc}: {msg}",
                f"{stamp} ",
            ]
    t += timedelta(seconds=3)
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + "1180324Z"
    out.append(f"{stamp} =========================== short test summary info ============================")
    out.append(f"{stamp} {n} failed, {412 - n} passed, 7 warnings in 94.31s (0:01:34)")
    out.append(f"{stamp} ##[error]Process completed with exit code 1.")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- Kafka consumer rebalance storm (three services)


def kafka_rebalance_logs(seed: int = 11) -> dict[str, str]:
    rng = random.Random(seed)
    start = datetime(2025, 10, 13, 17, 58, 0)
    enrich, registry, broker = [], [], []
    pods = [f"enrichment-7d9c4f6b8-{s}" for s in ("4kq2x", "9zt7m", "b2l8w", "c6n1v", "h8p3r", "q1w5e")]
    gen = 4811
    t = start
    # quiet period
    for _ in range(25):
        t += timedelta(seconds=rng.randrange(4, 12))
        pod = rng.choice(pods)
        enrich.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" INFO  [{pod}] c.n.e.pipeline.EnrichLoop - batch processed records=500 lookup_p99_ms={rng.randrange(3, 9)} lag={rng.randrange(40, 400)}")
    for _ in range(8):
        t2 = start + timedelta(seconds=rng.randrange(0, 120))
        registry.append(f"{t2:%Y-%m-%dT%H:%M:%S}Z level=info logger=registry.api msg=\"GET /v1/devices/batch\" status=200 duration_ms={rng.randrange(2, 11)} n={rng.randrange(180, 500)}")
    # the 18:00 snapshot rebuild
    t_snap = datetime(2025, 10, 13, 18, 0, 0)
    registry += [
        f"{t_snap:%Y-%m-%dT%H:%M:%S}Z level=info logger=registry.snapshot msg=\"scheduled snapshot rebuild\" cron=\"0 */6 * * *\" source=postgres://registry-ro",
        f"{t_snap + timedelta(seconds=2):%Y-%m-%dT%H:%M:%S}Z level=info logger=registry.snapshot msg=\"loading devices\" rows=48211934",
    ]
    t = t_snap + timedelta(seconds=3)
    for i in range(60):
        t += timedelta(seconds=rng.randrange(2, 9))
        dur = rng.randrange(4000, 29900) if i < 45 else rng.randrange(5, 40)
        status = 200 if dur < 29000 else 504
        registry.append(f"{t:%Y-%m-%dT%H:%M:%S}Z level={'warn' if dur > 1000 else 'info'} logger=registry.api msg=\"GET /v1/devices/batch\" status={status} duration_ms={dur} n={rng.randrange(180, 500)} gil_wait_ms={dur - rng.randrange(1, 200) if dur > 1000 else 0}")
        if i == 44:
            registry.append(f"{t:%Y-%m-%dT%H:%M:%S}Z level=info logger=registry.snapshot msg=\"snapshot swapped\" devices=48211934 took_s=611 rss_mb=5810")
    t = t_snap + timedelta(seconds=5)
    for i in range(140):
        t += timedelta(seconds=rng.randrange(1, 6))
        pod = rng.choice(pods)
        ts = f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3]
        r = rng.random()
        if i > 120:
            enrich.append(f"{ts} INFO  [{pod}] c.n.e.pipeline.EnrichLoop - batch processed records=500 lookup_p99_ms={rng.randrange(3, 12)} lag={rng.randrange(200000, 900000) // (i - 118)}")
        elif r < 0.25:
            enrich.append(f"{ts} WARN  [{pod}] c.n.e.registry.RegistryClient - batch lookup slow: {rng.randrange(4000, 29900)} ms for {rng.randrange(180, 500)} ids (timeout 30000 ms, retries 3)")
        elif r < 0.4:
            enrich.append(f"{ts} WARN  [{pod}] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.")
        elif r < 0.55:
            enrich.append(f"{ts} INFO  [{pod}] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] Member consumer-enrichment-1-{rng.randrange(16**8):08x} sending LeaveGroup request to coordinator b-2.kafka-prod.internal:9092 (id: 2147483645 rack: null) due to consumer poll timeout has expired.")
        elif r < 0.7:
            gen += 1
            enrich.append(f"{ts} INFO  [{pod}] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] Revoke previously assigned partitions telemetry.enriched.v1-{rng.randrange(0, 48)}, telemetry.raw.v2-{rng.randrange(0, 48)}, telemetry.raw.v2-{rng.randrange(0, 48)}")
            enrich.append(f"{ts} INFO  [{pod}] o.a.k.c.c.i.AbstractCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] (Re-)joining group")
            broker.append(f"[{t:%Y-%m-%d %H:%M:%S,%f}"[:-3] + f"] INFO [GroupCoordinator 2]: Preparing to rebalance group enrichment in state PreparingRebalance with old generation {gen - 1} (__consumer_offsets-17) (reason: {rng.choice(['Removing member', 'Adding new member'])} consumer-enrichment-1-{rng.randrange(16**8):08x} {rng.choice(['on LeaveGroup', 'with group instance id None; client reason: need to re-join with the given member-id', 'on heartbeat expiration'])}) (kafka.coordinator.group.GroupCoordinator)")
            broker.append(f"[{t + timedelta(seconds=rng.randrange(3, 45)):%Y-%m-%d %H:%M:%S,%f}"[:-3] + f"] INFO [GroupCoordinator 2]: Stabilized group enrichment generation {gen} (__consumer_offsets-17) with {rng.randrange(3, 7)} members (kafka.coordinator.group.GroupCoordinator)")
        elif r < 0.8:
            enrich.append(f"{ts} INFO  [{pod}] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] Successfully joined group with generation Generation{{generationId={gen}, memberId='consumer-enrichment-1-{rng.randrange(16**8):08x}', protocol='range'}}")
            enrich.append(f"{ts} INFO  [{pod}] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] Adding newly assigned partitions: " + ", ".join(f"telemetry.raw.v2-{rng.randrange(0, 48)}" for _ in range(8)))
        elif r < 0.9:
            enrich.append(f"{ts} INFO  [{pod}] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=consumer-enrichment-1, groupId=enrichment] Setting offset for partition telemetry.raw.v2-{rng.randrange(0, 48)} to the committed offset FetchPosition{{offset={rng.randrange(10**9, 4 * 10**9)}, offsetEpoch=Optional[41], currentLeader=LeaderAndEpoch{{leader=Optional[b-{rng.randrange(1, 4)}.kafka-prod.internal:9092 (id: {rng.randrange(1, 4)} rack: euw1-az{rng.randrange(1, 4)})], epoch=41}}}}")
        else:
            enrich.append(f"{ts} ERROR [{pod}] c.n.e.pipeline.EnrichLoop - commit failed: org.apache.kafka.clients.consumer.CommitFailedException: Offset commit cannot be completed since the consumer is not part of an active group for auto partition assignment; it is likely that the consumer was kicked out of the group.")
    return {
        "enrichment": "\n".join(enrich) + "\n",
        "device-registry": "\n".join(registry) + "\n",
        "kafka-broker-2": "\n".join(broker) + "\n",
    }


# --------------------------------------------------------------------------- Raft cluster with lease reads and a clock step


def raft_logs(seed: int = 5) -> dict[str, str]:
    rng = random.Random(seed)
    base = datetime(2025, 10, 9, 3, 14, 0)
    nodes = {"kv-0": [], "kv-1": [], "kv-2": [], "chrony-kv-0": []}
    t = base
    for _ in range(130):
        t += timedelta(milliseconds=rng.randrange(200, 1500))
        nodes["kv-0"].append(f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z INFO raft: serving lease read key=/locks/{rng.choice(['billing-cron', 'reindex', 'payout-run'])} term=57 lease_until={(t + timedelta(milliseconds=rng.randrange(1800, 2000))):%H:%M:%S.%f}"[:-3])
        nodes["kv-1"].append(f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z DEBUG raft: append entries from leader=kv-0 term=57 prev_index={9_114_200 + _} ok=true")
    # clock step on kv-0 and a partition
    tp = t + timedelta(seconds=1)
    nodes["chrony-kv-0"] += [
        f"{tp:%b %d %H:%M:%S} kv-0 chronyd[612]: Selected source 169.254.169.123 (amazon)",
        f"{tp:%b %d %H:%M:%S} kv-0 chronyd[612]: System clock wrong by -2.417383 seconds",
        f"{tp:%b %d %H:%M:%S} kv-0 chronyd[612]: System clock was stepped by -2.417383 seconds",
    ]
    nodes["kv-1"].append(f"{tp + timedelta(milliseconds=700):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z WARN raft: heartbeat timeout from leader=kv-0 (no AppendEntries for 1000ms)")
    nodes["kv-1"].append(f"{tp + timedelta(milliseconds=900):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z INFO raft: became candidate term=58")
    nodes["kv-2"].append(f"{tp + timedelta(milliseconds=905):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z INFO raft: granted vote to kv-1 term=58 last_log_index=9114240")
    nodes["kv-1"].append(f"{tp + timedelta(milliseconds=912):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z INFO raft: became leader term=58")
    t = tp + timedelta(milliseconds=920)
    for i in range(170):
        t += timedelta(milliseconds=rng.randrange(50, 400))
        nodes["kv-1"].append(f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z INFO raft: commit index={9_114_241 + i} term=58 op=put key=/locks/{rng.choice(['billing-cron', 'reindex', 'payout-run'])} holder={rng.choice(['worker-3', 'worker-7', 'worker-9'])}")
        # kv-0 still thinks it is leader because its clock went backwards and the lease looks valid
        t0 = t - timedelta(seconds=2, milliseconds=417)
        nodes["kv-0"].append(f"{t0:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z INFO raft: serving lease read key=/locks/{rng.choice(['billing-cron', 'payout-run'])} term=57 lease_until={(t0 + timedelta(milliseconds=rng.randrange(100, 1900))):%H:%M:%S.%f}"[:-3])
        if i % 9 == 0:
            nodes["kv-2"].append(f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z DEBUG raft: append entries from leader=kv-1 term=58 prev_index={9_114_240 + i} ok=true")
    nodes["kv-0"].append(f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z INFO raft: received AppendEntries with higher term=58 from kv-1, stepping down")
    return {k: "\n".join(v) + "\n" for k, v in nodes.items()}


# --------------------------------------------------------------------------- Envoy 502s in front of gRPC services


def envoy_logs(seed: int = 3) -> str:
    rng = random.Random(seed)
    t = datetime(2025, 10, 21, 14, 0, 0)
    out = []
    for _ in range(260):
        t += timedelta(milliseconds=rng.randrange(80, 2400))
        route = rng.choice(["/orders.v1.Orders/Get", "/orders.v1.Orders/List", "/pricing.v2.Pricing/Quote", "/inventory.v1.Stock/Reserve"])
        if rng.random() < 0.06:
            out.append(f"[{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z] \"POST {route} HTTP/2\" 502 UC 0 95 {rng.randrange(0, 3)} - \"10.12.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}\" \"grpc-go/1.64.0\" \"{rng.randrange(16**8):08x}-{rng.randrange(16**4):04x}\" \"{route.split('.')[0][1:]}.svc.cluster.local:8443\" \"10.12.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}:8443\" upstream_reset_before_response_started{{connection_termination}} idle_for_s={rng.choice([59.8, 60.0, 60.1, 59.9, 120.0])}")
        else:
            out.append(f"[{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z] \"POST {route} HTTP/2\" 200 - {rng.randrange(40, 900)} {rng.randrange(100, 9000)} {rng.randrange(2, 80)} {rng.randrange(1, 70)} \"10.12.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}\" \"grpc-go/1.64.0\" \"{rng.randrange(16**8):08x}-{rng.randrange(16**4):04x}\" \"{route.split('.')[0][1:]}.svc.cluster.local:8443\" \"10.12.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}:8443\" - idle_for_s={rng.randrange(0, 45)}.{rng.randrange(0, 9)}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- p99 latency export (the 02:10 spike)


def latency_csv(seed: int = 9) -> str:
    rng = random.Random(seed)
    rows = ["timestamp_utc,service,p50_ms,p99_ms,rps,db_wait_ms_p99,node_disk_await_ms"]
    t = datetime(2025, 10, 20, 1, 20)
    for _ in range(110):
        spike = 0 <= (t - datetime(2025, 10, 20, 2, 10)).total_seconds() < 14 * 60
        for svc in ("checkout", "orders", "pricing", "search"):
            p50 = rng.randrange(9, 24)
            p99 = rng.randrange(80, 140) * (2 if spike else 1) + (rng.randrange(0, 60) if spike else 0)
            db = rng.randrange(4, 12) * (9 if spike and svc != "search" else 1)
            disk = rng.randrange(1, 3) * (30 if spike else 1)
            rows.append(f"{t:%Y-%m-%dT%H:%M:00Z},{svc},{p50},{p99},{rng.randrange(300, 1900)},{db},{disk}")
        t += timedelta(minutes=1)
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- a pnpm lockfile diff for a dependency bump


def pnpm_lock_diff(seed: int = 2) -> str:
    rng = random.Random(seed)
    pkgs = [
        "@babel/code-frame", "@babel/helper-validator-identifier", "@next/env", "@next/swc-darwin-arm64", "@next/swc-linux-x64-gnu",
        "@swc/helpers", "@tanstack/query-core", "@types/prop-types", "busboy", "caniuse-lite", "client-only", "graceful-fs",
        "postcss", "nanoid", "picocolors", "source-map-js", "styled-jsx", "streamsearch", "tslib", "scheduler", "loose-envify",
        "js-tokens", "@eslint/eslintrc", "@eslint/js", "@humanwhocodes/config-array", "@nodelib/fs.scandir", "@nodelib/fs.stat",
        "@nodelib/fs.walk", "@rushstack/eslint-patch", "@typescript-eslint/parser", "@typescript-eslint/scope-manager",
        "@typescript-eslint/types", "@typescript-eslint/typescript-estree", "@typescript-eslint/visitor-keys", "acorn", "ajv",
        "ansi-regex", "argparse", "aria-query", "array-includes", "ast-types-flow", "axe-core", "axobject-query", "brace-expansion",
        "braces", "call-bind", "chalk", "color-convert", "cross-spawn", "damerau-levenshtein", "debug", "deep-is", "define-properties",
        "doctrine", "emoji-regex", "enhanced-resolve", "es-abstract", "es-iterator-helpers", "escape-string-regexp", "eslint-import-resolver-node",
        "eslint-module-utils", "eslint-plugin-import", "eslint-plugin-jsx-a11y", "eslint-plugin-react", "eslint-plugin-react-hooks",
        "esquery", "esrecurse", "estraverse", "esutils", "fast-deep-equal", "fast-glob", "fastq", "file-entry-cache", "fill-range",
        "find-up", "flat-cache", "flatted", "function-bind", "get-intrinsic", "glob", "glob-parent", "globals", "gopd", "has-symbols",
        "hasown", "ignore", "import-fresh", "imurmurhash", "is-core-module", "is-extglob", "is-glob", "is-number", "isexe",
        "js-yaml", "json-buffer", "json-schema-traverse", "keyv", "levn", "locate-path", "lodash.merge", "merge2", "micromatch",
        "minimatch", "ms", "natural-compare", "object-inspect", "optionator", "p-limit", "p-locate", "parent-module", "path-exists",
        "path-key", "picomatch", "prelude-ls", "punycode", "queue-microtask", "resolve", "resolve-from", "reusify", "run-parallel",
        "semver", "shebang-command", "shebang-regex", "strip-ansi", "strip-json-comments", "supports-color", "text-table",
        "to-regex-range", "type-check", "type-fest", "uri-js", "which", "word-wrap", "yocto-queue",
    ]
    out = [
        "diff --git a/pnpm-lock.yaml b/pnpm-lock.yaml",
        "index 5b1c0e2..a93f7d4 100644",
        "--- a/pnpm-lock.yaml",
        "+++ b/pnpm-lock.yaml",
        "@@ -41,11 +41,11 @@ importers:",
        "       next:",
        "-        specifier: 14.2.5",
        "-        version: 14.2.5(react-dom@18.3.1(react@18.3.1))(react@18.3.1)",
        "+        specifier: 14.2.15",
        "+        version: 14.2.15(react-dom@18.3.1(react@18.3.1))(react@18.3.1)",
        "       next-auth:",
        "         specifier: 4.24.7",
    ]
    line = 120
    for name in pkgs:
        major, minor, patch = rng.randrange(0, 9), rng.randrange(0, 30), rng.randrange(0, 20)
        new_patch = patch + rng.randrange(1, 4)
        h1 = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(86))
        h2 = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(86))
        out += [
            f"@@ -{line},9 +{line},9 @@ packages:",
            "",
            f"-  {name}@{major}.{minor}.{patch}:",
            f"-    resolution: {{integrity: sha512-{h1}==}}",
            f"+  {name}@{major}.{minor}.{new_patch}:",
            f"+    resolution: {{integrity: sha512-{h2}==}}",
            f"     engines: {{node: '>={rng.choice(['12', '14', '16', '18'])}'}}",
        ]
        if rng.random() < 0.3:
            out += [f"     cpu: [{rng.choice(['arm64', 'x64'])}]", f"     os: [{rng.choice(['darwin', 'linux'])}]"]
        line += rng.randrange(9, 30)
    for name in pkgs:
        major, minor, patch = rng.randrange(0, 9), rng.randrange(0, 30), rng.randrange(0, 20)
        out += [
            f"@@ -{line},6 +{line},6 @@ snapshots:",
            "",
            f"-  {name}@{major}.{minor}.{patch}:",
            f"+  {name}@{major}.{minor}.{patch + 1}:",
            "     dependencies:",
            f"       {rng.choice(pkgs)}: {rng.randrange(0, 9)}.{rng.randrange(0, 30)}.{rng.randrange(0, 20)}",
        ]
        line += rng.randrange(6, 20)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- a 1,200-line billing.py (for the aider split)

_COUNTRIES = [
    ("DE", "Germany", 19, 7), ("FR", "France", 20, 5.5), ("NL", "Netherlands", 21, 9), ("BE", "Belgium", 21, 6), ("IT", "Italy", 22, 10),
    ("ES", "Spain", 21, 10), ("PT", "Portugal", 23, 6), ("AT", "Austria", 20, 10), ("IE", "Ireland", 23, 13.5), ("SE", "Sweden", 25, 12),
    ("DK", "Denmark", 25, 0), ("FI", "Finland", 25.5, 14), ("PL", "Poland", 23, 8), ("CZ", "Czechia", 21, 12), ("GB", "United Kingdom", 20, 5),
    ("NO", "Norway", 25, 15), ("CH", "Switzerland", 8.1, 2.6), ("LU", "Luxembourg", 17, 8), ("GR", "Greece", 24, 13), ("HU", "Hungary", 27, 18),
]


def big_billing_py() -> str:
    parts = [
        '"""Billing: invoices, refunds, proration, tax. Grew organically since 2019; see BILLING-212 for the split plan."""',
        "from __future__ import annotations",
        "",
        "import csv",
        "import io",
        "import logging",
        "from dataclasses import dataclass, field",
        "from datetime import date, datetime, timedelta, timezone",
        "from decimal import ROUND_HALF_EVEN, Decimal",
        "from typing import Iterable",
        "",
        "from sqlalchemy import select",
        "from sqlalchemy.orm import Session",
        "",
        "from app.db.models import Customer, Invoice, InvoiceLine, InvoiceStatus, Payment, PaymentStatus, Refund",
        "from app.billing import stripe_client",
        "",
        "log = logging.getLogger(__name__)",
        "",
        "",
        "class BillingError(Exception):",
        "    pass",
        "",
        "",
        "@dataclass(frozen=True)",
        "class TaxRule:",
        "    country: str",
        "    standard_rate: Decimal",
        "    reduced_rate: Decimal",
        "    reverse_charge_b2b: bool = True",
        "",
        "",
        "@dataclass",
        "class ProrationResult:",
        "    credit_minor: int",
        "    charge_minor: int",
        "    days_used: int",
        "    days_in_period: int",
        "    lines: list[tuple[str, int]] = field(default_factory=list)",
        "",
    ]
    for code, name, std, red in _COUNTRIES:
        fn = code.lower()
        parts += [
            "",
            f"def tax_rule_{fn}(customer: Customer, on: date) -> TaxRule:",
            f'    """{name}: standard {std}%, reduced {red}%. B2B customers with a valid VAT id are reverse-charged."""',
            f'    rule = TaxRule("{code}", Decimal("{std}"), Decimal("{red}"))',
            f'    if on < date(2021, 7, 1) and "{code}" != "GB" and customer.is_oss_registered:',
            "        # pre-OSS distance selling thresholds applied until July 2021",
            "        return TaxRule(rule.country, rule.standard_rate, rule.reduced_rate, reverse_charge_b2b=False)",
            "    return rule",
            "",
            "",
            f"def compute_tax_{fn}(customer: Customer, lines: Iterable[InvoiceLine], on: date) -> int:",
            f"    rule = tax_rule_{fn}(customer, on)",
            "    if customer.vat_id and rule.reverse_charge_b2b:",
            f'        log.debug("reverse charge for %s (%s)", customer.id, "{code}")',
            "        return 0",
            "    total = Decimal(0)",
            "    for line in lines:",
            "        rate = rule.reduced_rate if line.tax_category == \"reduced\" else rule.standard_rate",
            "        total += Decimal(line.amount_minor) * rate / Decimal(100)",
            "    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))",
            "",
        ]
    parts += [
        "",
        "TAX_FUNCTIONS = {",
        *[f'    "{code}": compute_tax_{code.lower()},' for code, *_ in _COUNTRIES],
        "}",
        "",
        "",
        "def compute_tax(customer: Customer, lines: Iterable[InvoiceLine], on: date) -> int:",
        "    fn = TAX_FUNCTIONS.get(customer.country)",
        "    if fn is None:",
        '        raise BillingError(f"no tax rule for {customer.country}")',
        "    return fn(customer, list(lines), on)",
        "",
    ]
    for kind, days in [("monthly", 30), ("quarterly", 91), ("yearly", 365), ("weekly", 7), ("semiannual", 182)]:
        parts += [
            "",
            f"def prorate_{kind}(old_price_minor: int, new_price_minor: int, period_start: date, changed_on: date) -> ProrationResult:",
            f'    """Credit the unused part of the old {kind} price and charge the rest of the period at the new price."""',
            f"    days_in_period = {days}",
            "    used = (changed_on - period_start).days",
            "    if not 0 <= used <= days_in_period:",
            '        raise BillingError(f"change date {changed_on} outside period starting {period_start}")',
            "    remaining = days_in_period - used",
            "    credit = old_price_minor * remaining // days_in_period",
            "    charge = new_price_minor * remaining // days_in_period",
            "    return ProrationResult(",
            "        credit_minor=credit,",
            "        charge_minor=charge,",
            "        days_used=used,",
            "        days_in_period=days_in_period,",
            f'        lines=[("Unused time on previous {kind} plan", -credit), ("Remaining time on new {kind} plan", charge)],',
            "    )",
            "",
        ]
    reasons = ["duplicate", "fraudulent", "requested_by_customer", "service_outage", "goodwill", "chargeback_prevention", "billing_error", "downgrade"]
    for reason in reasons:
        parts += [
            "",
            f"def refund_{reason}(session: Session, payment: Payment, amount_minor: int | None, actor: str) -> Refund:",
            f'    """Refund a payment for reason "{reason}"."""',
            "    if payment.status is not PaymentStatus.SUCCEEDED:",
            '        raise BillingError(f"payment {payment.id} is {payment.status}, not refundable")',
            "    already = sum(r.amount_minor for r in payment.refunds)",
            "    amount = payment.amount_minor - already if amount_minor is None else amount_minor",
            "    if amount <= 0 or already + amount > payment.amount_minor:",
            '        raise BillingError(f"refund {amount} exceeds refundable {payment.amount_minor - already}")',
            f'    key = f"refund-{{payment.id}}-{reason}-{{len(payment.refunds) + 1}}"',
            "    stripe_refund = stripe_client.refund_sync(payment.stripe_payment_intent, amount, idempotency_key=key)",
            f'    refund = Refund(payment_id=payment.id, amount_minor=amount, reason="{reason}", stripe_refund_id=stripe_refund.id, created_by=actor)',
            "    session.add(refund)",
            "    if already + amount == payment.amount_minor:",
            "        payment.status = PaymentStatus.REFUNDED",
            f'    log.info("refund %s %d for %s by %s", "{reason}", amount, payment.id, actor)',
            "    return refund",
            "",
        ]
    parts += [
        "",
        "def next_invoice_number(session: Session, tenant_id: str, on: date) -> str:",
        "    prefix = f\"{on:%Y}-\"",
        "    last = session.scalar(",
        "        select(Invoice.number)",
        "        .where(Invoice.tenant_id == tenant_id, Invoice.number.like(f\"{prefix}%\"))",
        "        .order_by(Invoice.number.desc())",
        "        .limit(1)",
        "        .with_for_update()",
        "    )",
        "    seq = int(last.split(\"-\")[1]) + 1 if last else 1",
        "    return f\"{prefix}{seq:04d}\"",
        "",
        "",
        "def export_invoices_csv(session: Session, tenant_id: str, start: date, end: date) -> str:",
        "    buf = io.StringIO()",
        "    w = csv.writer(buf)",
        "    w.writerow([\"number\", \"customer\", \"status\", \"currency\", \"total\", \"tax\", \"paid\", \"issued\", \"due\"])",
        "    rows = session.scalars(",
        "        select(Invoice).where(Invoice.tenant_id == tenant_id, Invoice.created_at >= start, Invoice.created_at < end)",
        "    )",
        "    for inv in rows:",
        "        w.writerow([inv.number, inv.customer_id, inv.status, inv.currency, inv.total_minor, inv.tax_minor,",
        "                    inv.amount_paid_minor, inv.created_at.date(), inv.due_at.date() if inv.due_at else \"\"])",
        "    return buf.getvalue()",
        "",
        "",
        "def void_invoice(session: Session, invoice: Invoice, actor: str) -> None:",
        "    if invoice.status is InvoiceStatus.PAID:",
        "        raise BillingError(\"paid invoices must be refunded, not voided\")",
        "    invoice.status = InvoiceStatus.VOID",
        "    log.info(\"invoice %s voided by %s\", invoice.number, actor)",
        "",
        "",
        "def overdue_invoices(session: Session, tenant_id: str, now: datetime | None = None) -> list[Invoice]:",
        "    now = now or datetime.now(timezone.utc)",
        "    return list(session.scalars(select(Invoice).where(",
        "        Invoice.tenant_id == tenant_id, Invoice.status == InvoiceStatus.OPEN, Invoice.due_at < now - timedelta(days=1))))",
        "",
    ]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- go test -v ./... for the gateway


def go_test_verbose(seed: int = 4) -> str:
    rng = random.Random(seed)
    pkgs = {
        "internal/consumer": ["TestBatcherFlushOnSize", "TestBatcherFlushOnInterval", "TestBatcherCloseFlushesAll", "TestBatcherWriterError", "TestBatcherKeysIsolated"],
        "internal/grpcapi": ["TestPushValidatesDeviceID", "TestPushRejectsOversize", "TestPushUnderLoad", "TestStreamPushBackpressure", "TestHealthServing"],
        "internal/ratelimit": ["TestBurstThenDeny", "TestRefill", "TestAllowNLargerThanCapacity"],
        "internal/metrics": ["TestMustRegisterIdempotent", "TestLagTrackerObserve", "TestLagTrackerPerPartition"],
        "internal/topic": ["TestParseTopicName", "TestTopicForDeviceClass", "TestTopicVersionSuffix"],
        "internal/schema": ["TestDecodeV1", "TestDecodeV2", "TestDecodeRejectsUnknownField", "TestUpgradeV1ToV2"],
    }
    out = []
    for pkg, tests in pkgs.items():
        for name in tests:
            out.append(f"=== RUN   {name}")
            if rng.random() < 0.4:
                for sub in range(rng.randrange(2, 7)):
                    out.append(f"=== RUN   {name}/case_{sub}")
            out.append(f"--- PASS: {name} ({rng.random() * 0.3:.2f}s)")
            if rng.random() < 0.4:
                for sub in range(rng.randrange(2, 7)):
                    out.append(f"    --- PASS: {name}/case_{sub} (0.00s)")
        out.append("PASS")
        out.append(f"ok  \tgithub.com/northwind/ingest-gateway/{pkg}\t{rng.random() * 2:.3f}s")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- docker compose integration test attempts (codex loop)


def itest_attempt(attempt: int, seed: int = 0) -> str:
    rng = random.Random(seed * 100 + attempt)
    lines = [
        "[+] Running 4/4",
        " ✔ Container itest-zookeeper-1  Healthy",
        " ✔ Container itest-kafka-1      Healthy",
        " ✔ Container itest-postgres-1   Healthy",
        " ✔ Container itest-gateway-1    Started",
        "go test -tags=integration ./itest/... -run TestEndToEndDelivery -count=1 -v",
        "=== RUN   TestEndToEndDelivery",
    ]
    t = 0.0
    for i in range(rng.randrange(60, 110)):
        t += rng.random() * 0.05
        lines.append(f"    e2e_test.go:{rng.randrange(60, 140)}: [{t:7.3f}s] produced device=dev-{rng.randrange(1000, 9999)} seq={i} partition={rng.randrange(0, 12)}")
    for _ in range(rng.randrange(40, 80)):
        t += rng.random() * 0.08
        lines.append(f"    e2e_test.go:{rng.randrange(150, 190)}: [{t:7.3f}s] consumed device=dev-{rng.randrange(1000, 9999)} seq={rng.randrange(0, 110)} offset={rng.randrange(0, 4000)}")
    missing = rng.randrange(1, 6)
    lines += [
        f"    e2e_test.go:204: delivery incomplete after 30s: got {1000 - missing} of 1000 records (missing seq: {', '.join(str(rng.randrange(900, 1000)) for _ in range(missing))})",
        f"    e2e_test.go:205: last writer error: {rng.choice(['kafka: Leader Not Available', 'context deadline exceeded', '[6] Not Leader For Partition: the client attempted to send messages to a replica that is not the leader for some partition, the client metadata is likely out of date', 'none'])}",
        f"--- FAIL: TestEndToEndDelivery ({30 + rng.random() * 3:.2f}s)",
        "FAIL",
        f"FAIL\tgithub.com/northwind/ingest-gateway/itest\t{31 + rng.random() * 3:.3f}s",
        "FAIL",
    ]
    return "\n".join(lines) + "\n"


def git_log(seed: int, n: int, subjects: list[str], authors: list[str]) -> str:
    rng = random.Random(seed)
    t = datetime(2025, 10, 14, 17, 30)
    out = []
    for i in range(n):
        t -= timedelta(hours=rng.randrange(1, 30), minutes=rng.randrange(0, 60))
        h = "".join(rng.choice("0123456789abcdef") for _ in range(40))
        a = authors[i % len(authors)]
        out += [f"commit {h}", f"Author: {a}", f"Date:   {t:%a %b %d %H:%M:%S %Y} +0200", "", f"    {subjects[i % len(subjects)]}", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- bundle exec rspec --format documentation (shopfront)

_RSPEC: list[tuple[str, str, list[tuple[str, list[str]]]]] = [
    ("Order", "#refundable_cents", [
        ("when nothing was refunded", ["returns the total"]),
        ("after a partial refund", ["returns total minus refunded cents"]),
        ("after a full refund", ["returns zero", "never goes below zero"])]),
    ("Order", "#recalculate_total!", [
        ("with several line items", ["sums quantity times unit price", "persists the new total"]),
        ("after a line item is removed", ["ignores the removed line item"])]),
    ("Order", "#placed_on", [
        ("for a customer in UTC", ["returns the UTC date"]),
        ("for a customer in Pacific/Auckland", ["returns the local calendar date of the customer"]),
        ("across a DST change", ["returns the customer's local calendar date"]),
        ("when the order was never placed", ["returns nil"])]),
    ("Order", ".refundable", [("with mixed statuses", ["includes paid, shipped and partially refunded orders", "excludes carts and cancelled orders"])]),
    ("Order", "validations", [
        ("with USD, EUR, GBP or CAD", ["is valid"]),
        ("with an unknown currency", ["is invalid", "adds an error on currency"]),
        ("without a customer", ["is invalid"])]),
    ("RefundService", "#call", [
        ("when the order is paid", ["fully refunds a paid order", "records an audit log entry", "sends the gateway an idempotency key"]),
        ("with an amount", ["partially refunds", "rejects an amount above the refundable total"]),
        ("when the order was paid with store credit", ["refunds an order paid with store credit", "does not call the gateway"]),
        ("when the gateway fails", ["returns an error result", "leaves the order unchanged"]),
        ("when the order is a cart", ["returns order not refundable"])]),
    ("SyncInventoryJob", "#perform", [
        ("when the remote level is newer", ["updates on_hand and reserved", "checks low stock"]),
        ("when the remote level is stale", ["leaves the item untouched"]),
        ("when the warehouse API is down", ["raises so Sidekiq retries"])]),
    ("Checkout::StoreCreditPayment", "#call", [
        ("with enough credit", ["debits the customer's store credit", "marks the order paid"]),
        ("with too little credit", ["returns an error result", "does not touch the order"])]),
    ("Customer", "#add_store_credit!", [("with a refund reason", ["increments store_credit_cents", "writes a StoreCreditEntry with the reason"])]),
    ("Reports::DailySales", "#rows", [
        ("for a store in UTC", ["groups orders by day"]),
        ("for a store in Pacific/Auckland", ["groups orders by the store's local day"]),
        ("with refunds", ["sums revenue net of refunds", "orders rows by day"])]),
    ("LowStockNotifier", ".check", [
        ("below the threshold", ["emails the store manager", "emails at most once per day"]),
        ("above the threshold", ["does nothing"])]),
    ("Api::V1::OrdersController", "GET /api/v1/orders", [
        ("as the owner", ["returns the customer's orders", "paginates with a cursor"]),
        ("as another customer", ["returns an empty list"]),
        ("without a token", ["returns 401"])]),
    ("Api::V1::OrdersController", "POST /api/v1/orders", [
        ("with a valid cart", ["creates a placed order", "computes tax per line"]),
        ("with an empty cart", ["returns 422"])]),
    ("Admin::RefundsController", "POST /admin/orders/:id/refunds", [
        ("as an admin", ["creates a refund", "redirects with a flash message"]),
        ("as a viewer", ["returns 403"])]),
    ("PaymentGateway", ".refund", [
        ("on success", ["returns the gateway refund id"]),
        ("on a 409 conflict", ["reuses the existing refund for the same idempotency key"]),
        ("on a timeout", ["raises PaymentGateway::Error"])]),
]


def rspec_doc_output(seed: int, failures: dict[str, str] | None = None, only: str | None = None) -> str:
    """`bundle exec rspec --format documentation`; failures maps "Class#method context" to the example that fails."""
    rng = random.Random(seed)
    failures = failures or {}
    out = [f"Randomized with seed {rng.randrange(1000, 99999)}", ""]
    total = 0
    failed: list[str] = []
    current = None
    for cls, meth, contexts in _RSPEC:
        if only is not None and cls != only:
            continue
        if cls != current:
            if current is not None:
                out.append("")
            out.append(cls)
            current = cls
        out.append(f"  {meth}")
        for ctx, examples in contexts:
            out.append(f"    {ctx}")
            for ex in examples:
                total += 1
                if failures.get(f"{cls}{meth} {ctx}") == ex:
                    failed.append(f"{cls} {meth} {ctx} {ex}")
                    out.append(f"      {ex} (FAILED - {len(failed)})")
                else:
                    out.append(f"      {ex}")
    out.append("")
    if failed:
        out += ["Failures:", ""]
        for i, name in enumerate(failed, 1):
            out += [f"  {i}) {name}", "     Failure/Error: expect(order.placed_on).to eq(Date.new(2024, 3, 10))", "",
                    "       expected: #<Date: 2024-03-10 ((2460380j,0s,0n),+0s,2299161j)>",
                    "            got: #<Date: 2024-03-09 ((2460379j,0s,0n),+0s,2299161j)>", "",
                    f"     # ./spec/models/order_spec.rb:{rng.randrange(30, 90)}:in `block (4 levels) in <top (required)>'", ""]
    out.append(f"Finished in {total * 0.17 + rng.random() * 2:.2f} seconds (files took 3.{rng.randrange(10, 99)} seconds to load)")
    out.append(f"{total} examples, {len(failed)} failure{'s' if len(failed) != 1 else ''}")
    return "\n".join(out) + "\n"
