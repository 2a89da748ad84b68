"""Codex CLI cases (chat-completions wire). Each case: the turn, its label, and why."""
# ruff: noqa: E501

from __future__ import annotations

from tests.routing.corpus import _bulk as B
from tests.routing.corpus._book import CaseBook
from tests.routing.corpus._clients import FX, A, CaseSpec, U, ed, gr, rd, sh, todo, wr

CASES: list[CaseSpec] = []

cx = CaseBook(CASES).cx


PAY, WEB, GW, TW, LED, REN, SHOP, WH, INF = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "shopfront", "warehouse", "infra"))

_MAKEFILE = """GO ?= go
BIN := bin/gateway
PKGS := ./...

.PHONY: build test itest lint fmt clean

build:
\t$(GO) build -trimpath -ldflags "-s -w -X main.version=$$(git describe --tags --always)" -o $(BIN) ./cmd/gateway

test:
\t$(GO) test $(PKGS) -race -count=1

itest:
\t$(GO) test -tags=integration ./itest/... -count=1 -v

lint:
\tgolangci-lint run --timeout 5m $(PKGS)
\tgo mod tidy -diff

fmt:
\tgofumpt -w .

clean:
\trm -rf bin/ coverage.out
"""

# =========================================================================== simple

cx(
    "cx-001", "simple",
    "Renaming a util file and fixing its imports is mechanical, whichever client asks.",
    "web",
    [U("rename src/utils/dateFmt.ts to src/utils/formatDate.ts and update the imports that point at it")],
)

cx(
    "cx-002", "simple",
    "Running the project's formatter and linter and reporting the output is running known commands.",
    "tidewater",
    [U("run cargo fmt and cargo clippy --all-targets -- -D warnings and tell me what clippy complains about. don't fix anything")],
)

cx(
    "cx-003", "simple",
    "The Makefile is already printed; naming what the lint target runs is reading a fact.",
    "gateway",
    [
        U("what does make lint actually run?"),
        sh("sed -n '1,80p' Makefile", _MAKEFILE, secs=0.0, pre="Checking the Makefile."),
    ],
)

cx(
    "cx-004", "simple",
    "A misspelt word in one log message, already located by the grep.",
    "gateway",
    [
        U("fix the typo in the shutdown log line, it says recieved"),
        gr("recieved", "cmd/gateway/main.go:71:\tlogger.Info(\"shutdown recieved, draining\")", pre="Locating the log line."),
    ],
)

cx(
    "cx-005", "simple",
    "The compiler says std::sort and std::unique are missing; the fix is one #include.",
    "render",
    [
        U("build is broken on clang 18 after my last commit, can you fix it"),
        sh("cmake --build --preset linux-debug", REN["out/sort_error.txt"], code=1, secs=8.2, pre="Building to see the error."),
    ],
)

cx(
    "cx-006", "simple",
    "Renaming a placeholder variable in an example env file touches no real secret.",
    "payments",
    [
        U("app/core/config.py reads STRIPE_SECRET_KEY now but .env.example still says STRIPE_KEY=sk_test_xxx. fix the example file, nothing else"),
        sh("cat .env.example", "DATABASE_URL=postgresql+asyncpg://payments:payments@localhost:5433/payments\nREDIS_URL=redis://localhost:6380/0\nSTRIPE_KEY=sk_test_xxx\nSTRIPE_WEBHOOK_SECRET=whsec_xxx\nSTRIPE_API_BASE=http://localhost:12111\nJWT_SIGNING_KEY=dev-only-change-me\nLOG_LEVEL=debug\n", secs=0.0),
    ],
)

cx(
    "cx-007", "simple",
    "Listing the largest tracked files is a single shell pipeline.",
    "render",
    [U("list the 10 largest files tracked by git in this repo, with sizes")],
)

cx(
    "cx-008", "simple",
    "The doc comment is in and vet is clean; what remains is telling the user it is done.",
    "gateway",
    [
        U("add a doc comment on Batcher.Close saying it flushes every pending batch and blocks until the loop exits"),
        ed("internal/consumer/batcher.go", "// Close flushes everything and stops the loop.", "// Close stops the flush loop, waits for it to exit, and then flushes every pending batch.\n// It blocks until all writes have returned. Add must not be called after Close.", src=GW["internal/consumer/batcher.go"]),
        sh("go vet ./... && gofumpt -l .", "", secs=3.8),
    ],
)

cx(
    "cx-009", "simple",
    "Running the autocorrecting linter on one file is a known command.",
    "shopfront",
    [U("run rubocop -a on app/models/order.rb and show me what it changed")],
)

cx(
    "cx-010", "simple",
    "Removing regenerable build and coverage directories in the working tree is low-risk cleanup.",
    "payments",
    [U("delete the tmp/ and coverage/ dirs in the repo, they're just local junk from old test runs")],
)

# =========================================================================== medium

cx(
    "cx-011", "medium",
    "Writing a unit-test module for one documented parsing function is ordinary coding.",
    "payments",
    [
        U("write unit tests for parse_duration in app/core/timeparse.py — cover the error cases too"),
        rd("app/core/timeparse.py", PAY["app/core/timeparse.py"], pre="Reading the parser first."),
    ],
)

cx(
    "cx-012", "medium",
    "A health endpoint with a bounded dependency check in one main.go is a small feature.",
    "gateway",
    [
        U("add a /healthz endpoint on the HTTP mux that returns 503 if we can't reach any kafka broker within 2s. keep /livez as is"),
        rd("cmd/gateway/main.go", GW["cmd/gateway/main.go"], pre="Looking at how the HTTP server is wired."),
    ],
)

cx(
    "cx-013", "medium",
    "Implementing FromStr for a small config type with three units and tests is contained.",
    "tidewater",
    [U("our config has `refresh = \"90s\"` style strings. add a `ConfigDuration(std::time::Duration)` newtype in src/config.rs with FromStr supporting ms/s/m (integers only), a thiserror error type, and serde deserialize via FromStr. tests please")],
)

cx(
    "cx-014", "medium",
    "The build names the two renamed metrics and where they are used; updating references is routine.",
    "gateway",
    [
        U("go build is broken after someone renamed metrics. fix the callers"),
        sh("go build ./...", GW["out/build_undefined.txt"], code=1, secs=2.9),
        gr("prometheus.New", "internal/metrics/metrics.go:9:\tIngestLatencySeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: \"gateway_ingest_latency_seconds\", Buckets: prometheus.DefBuckets}, []string{\"route\"})\ninternal/metrics/metrics.go:10:\tBatcherQueued        = prometheus.NewGauge(prometheus.GaugeOpts{Name: \"gateway_batcher_queued_records\"})\ninternal/metrics/metrics.go:11:\tBatcherErrors        = prometheus.NewCounter(prometheus.CounterOpts{Name: \"gateway_batcher_write_errors_total\"})\ninternal/metrics/metrics.go:12:\tBatcherFlushDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: \"gateway_batcher_flush_duration_seconds\"})",
           path="internal/metrics"),
    ],
)

cx(
    "cx-015", "medium",
    "A nullable column and index on a week-old, still-empty table is an ordinary Rails migration.",
    "shopfront",
    [U("add archived_at (nullable datetime) to saved_carts with an index on [customer_id, archived_at], plus a SavedCart.active scope. the table shipped last week and is still empty in prod")],
)

cx(
    "cx-016", "medium",
    "A focused GoogleTest for push/pop wraparound of an existing container.",
    "render",
    [
        U("write a gtest for RingBuffer that pushes/pops across the wraparound point a few times and checks FIFO order and full/empty behaviour"),
        rd("include/render/RingBuffer.h", REN["include/render/RingBuffer.h"]),
    ],
)

cx(
    "cx-017", "medium",
    "The ValueError names the unsupported unit; adding a day unit and tests is a small, clear change.",
    "payments",
    [
        U("`payments-cli invoices overdue --since 2d` blows up:\n\nTraceback (most recent call last):\n  File \"/home/maya/src/payments-api/app/cli/invoices.py\", line 48, in overdue\n    since = parse_duration(since_text)\n  File \"/home/maya/src/payments-api/app/core/timeparse.py\", line 30, in parse_duration\n    raise ValueError(f\"invalid duration {text!r}\")\nValueError: invalid duration '2d'\n\nsupport days (and weeks while you're at it)"),
    ],
)

cx(
    "cx-018", "medium",
    "The compiler names the renamed getter at two call sites; updating them is a clear fix.",
    "ledger",
    [
        U("compileJava fails on my branch after rebasing on main"),
        sh("./gradlew compileJava", LED["out/gradle_symbol.txt"], code=1, secs=6.1),
    ],
)

_exports_before = """import csv
import io

from app.db.models import Payout


def payouts_csv(payouts: list[Payout]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["id", "account", "amount_minor", "status", "created_at"])
    w.writeheader()
    for p in payouts:
        w.writerow(_row(p))
    return buf.getvalue()


def _row(p: Payout) -> dict:
    return {
        "id": p.id,
        "account": p.account_id,
        "amount_minor": p.amount_minor,
        "status": p.status.value,
        "created_at": p.created_at.isoformat(),
    }
"""

cx(
    "cx-019", "medium",
    "The assertion diff shows the new column comes out empty because _row() never fills it; the fix is in the same small module.",
    "payments",
    [
        U("add the currency column to the payouts CSV export, right after amount_minor"),
        rd("app/exports/payouts.py", _exports_before),
        ed("app/exports/payouts.py", '    w = csv.DictWriter(buf, fieldnames=["id", "account", "amount_minor", "status", "created_at"])',
           '    w = csv.DictWriter(buf, fieldnames=["id", "account", "amount_minor", "currency", "status", "created_at"])', src=_exports_before),
        sh("uv run pytest tests/exports -q",
           "F..                                                                      [100%]\n=================================== FAILURES ===================================\n___________________________ test_payouts_csv_columns ___________________________\n\npayout_factory = <function payout_factory.<locals>.make at 0x7f1e4c2b9e40>\n\n    def test_payouts_csv_columns(payout_factory):\n        out = payouts_csv([payout_factory(id=\"po_01J9\", account_id=\"acc_7\", amount_minor=1250, currency=\"EUR\")])\n        header, row = out.splitlines()\n        assert header == \"id,account,amount_minor,currency,status,created_at\"\n>       assert row == \"po_01J9,acc_7,1250,EUR,paid,2025-10-01T09:00:00+00:00\"\nE       AssertionError: assert 'po_01J9,acc_7...:00:00+00:00' == 'po_01J9,acc_7...:00:00+00:00'\nE         \nE         - po_01J9,acc_7,1250,EUR,paid,2025-10-01T09:00:00+00:00\nE         ?                    ---\nE         + po_01J9,acc_7,1250,,paid,2025-10-01T09:00:00+00:00\n\ntests/exports/test_payouts.py:15: AssertionError\n=========================== short test summary info ============================\nFAILED tests/exports/test_payouts.py::test_payouts_csv_columns - AssertionError: assert 'po_01J9,acc_7...:00:00+00:00' == 'po_01J9,acc_7...:00:00+00:00'\n1 failed, 2 passed in 0.31s",
           code=1),
    ],
)

cx(
    "cx-020", "medium",
    "The compiler explains that a MutexGuard is held across an await; scoping the guard is the standard fix.",
    "tidewater",
    [
        U("cargo build fails after I added the fetch_log insert to the station handler"),
        sh("cargo build", "   Compiling tidewater v0.8.1 (/home/ana/proj/tidewater)\n" + TW["out/send_error.txt"] + "\nerror: could not compile `tidewater` (bin \"tidewater\") due to 1 previous error", code=101, secs=9.4),
        rd("src/http/handlers.rs", TW["src/http/handlers.rs"]),
    ],
)

# =========================================================================== complex

cx(
    "cx-021", "complex",
    "Duplicate charges on webhook retries are a payments idempotency bug across the handler and the Stripe client.",
    "payments",
    [
        U("customers are getting charged twice. stripe dashboard shows two PaymentIntents ~40s apart for the same checkout session, both succeeded. I think it's when the webhook gets retried. fix it"),
        rd("app/billing/webhooks.py", PAY["app/billing/webhooks.py"], pre="Reading the webhook handler and the Stripe client."),
        rd("app/billing/stripe_client.py", PAY["app/billing/stripe_client.py"]),
    ],
)

cx(
    "cx-022", "complex",
    "A data race between the batcher loop and a metrics tracker in another package, visible only under load.",
    "gateway",
    [
        U("make test fails with a race in TestPushUnderLoad. fix the race, don't just silence it"),
        sh("go test ./... -race -count=1", GW["out/race.txt"], code=1, secs=9.8),
    ],
)

cx(
    "cx-023", "complex",
    "terraform destroy on a shared environment is a destructive command that needs state, dependency and data checks first.",
    "infra",
    [U("staging is a mess. run terraform destroy on terraform/staging so we can re-apply from scratch this afternoon")],
)

cx(
    "cx-024", "complex",
    "A bulk delete in a production bucket is destructive and irreversible without versioning checks.",
    "infra",
    [U("delete every object older than 30 days in s3://acme-prod-uploads, the bucket is 14TB and costing us a fortune")],
)

cx(
    "cx-025", "complex",
    "Replacing anyhow with typed errors across 11 modules changes signatures everywhere: a refactor with many dependents.",
    "tidewater",
    [
        U("AGENTS.md says thiserror in library code but we use anyhow everywhere in src/. introduce a proper error enum per module (or one crate-level Error if that's cleaner) and get rid of anyhow outside main.rs. keep HTTP status mapping the same"),
        gr("anyhow::", "src/upstream/client.rs:3:use anyhow::{anyhow, Context, Result};\nsrc/upstream/retry.rs:2:use anyhow::Result;\nsrc/cache/loader.rs:4:use anyhow::{bail, Result};\nsrc/db/readings.rs:5:use anyhow::{Context, Result};\nsrc/db/stations.rs:3:use anyhow::Result;\nsrc/http/handlers.rs:9:use anyhow::Context;\nsrc/http/errors.rs:1:use anyhow::Error;\nsrc/config.rs:6:use anyhow::{bail, Context, Result};\nsrc/webhook/verify.rs:2:use anyhow::{anyhow, Result};\nsrc/webhook/ingest.rs:4:use anyhow::Result;\nsrc/jobs/refresh.rs:3:use anyhow::Result;\nsrc/main.rs:1:use anyhow::Result;", path="src"),
    ],
)

cx(
    "cx-026", "complex",
    "A production deadlock between concurrent transfers comes from lock ordering inside a transaction: a concurrency bug with money involved.",
    "ledger",
    [
        U("we get 'deadlock detected' in prod a few times an hour since merchants started doing two-way settlements. logs below. fix it\n\n" + LED["out/pg_deadlock.txt"]),
        rd("src/main/java/com/acme/ledger/service/TransferService.java", LED["src/main/java/com/acme/ledger/service/TransferService.java"]),
    ],
)

cx(
    "cx-027", "complex",
    "A 3x benchmark regression after a refactor needs bisecting and profiling the hot path: performance work.",
    "tidewater",
    [
        U("cargo bench shows lru get 3x slower than the baseline since the last commit. find out why and fix it without losing the new helper"),
        sh("cargo bench --bench lru -- --baseline main", TW["out/bench.txt"], secs=92.0),
        sh("git log -3 --stat",
           "commit 6e1f0a2c81d4b7e95a03f2c6d1e8b47a9c0f3d21\nAuthor: Ana Kovač <ana@tidewater.dev>\nDate:   Mon Oct 13 21:04:11 2025 +0200\n\n    cache: get_or_insert_with helper\n\n Cargo.toml         |  1 -\n benches/lru.rs     |  9 +++++++++\n src/cache/lru.rs   | 24 +++++++++++++++---------\n 3 files changed, 23 insertions(+), 11 deletions(-)\n\ncommit 0b7d3c94e2a1f8c6b5d0e7a3c9f14b2d8e6a5c03\nAuthor: Ana Kovač <ana@tidewater.dev>\nDate:   Sun Oct 12 18:22:40 2025 +0200\n\n    http: per-route timeouts\n\n src/http/mod.rs    | 17 +++++++++++------\n src/main.rs        |  6 ++++--\n 2 files changed, 15 insertions(+), 8 deletions(-)\n\ncommit c52e8f1a7d3b9e0c4f6a2d8b1e5c7f903a4d6b2e\nAuthor: Ana Kovač <ana@tidewater.dev>\nDate:   Fri Oct 10 09:41:03 2025 +0200\n\n    upstream: retry 502/503 with jitter\n\n src/upstream/retry.rs | 48 ++++++++++++++++++++++++++++++++++++++++++++++++\n src/upstream/client.rs |  9 ++++++---\n 2 files changed, 54 insertions(+), 3 deletions(-)",
           secs=0.1),
    ],
)

_itest_steps = []
for _i, (_what, _patch_old, _patch_new) in enumerate([
    ("raise the consumer wait from 30s to 60s", "\tdeadline := time.Now().Add(30 * time.Second)", "\tdeadline := time.Now().Add(60 * time.Second)"),
    ("wait for the topic leader before producing", "\tw := newWriter(t, brokers)", "\twaitForLeaders(t, brokers, topic, 12)\n\tw := newWriter(t, brokers)"),
    ("set RequiredAcks=RequireAll and MaxAttempts=10 on the test writer", "\treturn &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic}", "\treturn &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, RequiredAcks: kafka.RequireAll, MaxAttempts: 10}"),
    ("create the topic explicitly with 12 partitions instead of auto-create", "\t// topic is auto-created by the broker", "\tcreateTopic(t, brokers, topic, 12, 1)"),
]):
    _itest_steps += [
        A(f"Attempt {_i + 1}: {_what}."),
        ed("itest/e2e_test.go", _patch_old, _patch_new),
        sh("docker compose -f deploy/compose.kafka.yml up -d && go test -tags=integration ./itest/... -run TestEndToEndDelivery -count=1 -v", B.itest_attempt(_i + 1, seed=4), code=1, secs=34.0),
    ]

cx(
    "cx-028", "complex",
    "Four attempts at a flaky end-to-end delivery test have failed; the loss is somewhere between batcher, writer and broker.",
    "gateway",
    [
        U("TestEndToEndDelivery loses a few records on almost every run since the batcher change. make it pass reliably, and if the gateway is actually losing data, fix the gateway not the test"),
        todo(("in_progress", "Reproduce the e2e loss"), ("pending", "Find where records drop"), ("pending", "Fix and run 20 times")),
        sh("docker compose -f deploy/compose.kafka.yml up -d && go test -tags=integration ./itest/... -run TestEndToEndDelivery -count=1 -v", B.itest_attempt(0, seed=4), code=1, secs=33.0),
        rd("internal/consumer/batcher.go", GW["internal/consumer/batcher.go"]),
        rd("cmd/gateway/main.go", GW["cmd/gateway/main.go"]),
        *_itest_steps,
        sh("go test ./internal/consumer/ -run TestBatcherWriterError -v -count=1", "=== RUN   TestBatcherWriterError\n    batcher_test.go:96: writer failed 3 times, batcher reported 0 errors to caller, 150 records dropped silently\n--- PASS: TestBatcherWriterError (0.02s)\nPASS\nok  \tgithub.com/northwind/ingest-gateway/internal/consumer\t0.034s"),
    ],
)

cx(
    "cx-029", "complex",
    "Widening a primary key on a 1.2B-row production table without downtime is a high-risk migration on production data.",
    "warehouse",
    [U("orders.id (int4) in the production shop DB hits 2^31 in about 5 weeks. plan and write the migration to bigint with no downtime — it's 1.2B rows, 14 FKs point at it, and Debezium streams the table into this warehouse")],
)

cx(
    "cx-030", "complex",
    "A release-only crash in the render thread popping from a lock-free queue points at a memory-ordering bug the debug build hides.",
    "render",
    [
        U("editor segfaults in release builds only, maybe once every 10 minutes of heavy editing. debug and asan builds are fine. backtrace from the core dump:\n\n" + REN["out/gdb_release.txt"]),
        rd("include/render/RingBuffer.h", REN["include/render/RingBuffer.h"]),
    ],
)

# =========================================================================== reasoning

cx(
    "cx-031", "reasoning",
    "A partitioning scheme that keeps per-device order through rebalances is a distributed design with real trade-offs.",
    "gateway",
    [U("we need to scale telemetry.raw.v2 from 48 to 192 partitions and later more. consumers require per-device ordering. kafka's default partitioner will reshuffle every device when we add partitions. design the sharding scheme (key -> partition mapping, how we migrate, what consumers do during the switch) and explain the ordering guarantee at each step")],
)

_gcounter = """use std::collections::BTreeMap;

/// Grow-only counter replicated across edge nodes; merged on every sync.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GCounter {
    counts: BTreeMap<NodeId, u64>,
}

pub type NodeId = u32;

impl GCounter {
    pub fn incr(&mut self, node: NodeId, by: u64) {
        *self.counts.entry(node).or_insert(0) += by;
    }

    pub fn value(&self) -> u64 {
        self.counts.values().sum()
    }

    /// Merge another replica into this one.
    pub fn merge(&mut self, other: &GCounter) {
        for (node, &theirs) in &other.counts {
            let ours = self.counts.entry(*node).or_insert(0);
            if theirs > *ours {
                *ours = theirs;
            } else if theirs == *ours {
                // same value seen on both sides: keep ours
            } else {
                *ours += theirs; // our replica is ahead; fold in their increments
            }
        }
    }
}
"""

cx(
    "cx-032", "reasoning",
    "Proving or refuting the semilattice laws for a CRDT merge is a correctness proof.",
    "tidewater",
    [
        U("prove that GCounter::merge in src/crdt/gcounter.rs is commutative, associative and idempotent — or give the smallest counterexample for each law that fails. then fix it and prove the fixed version"),
        rd("src/crdt/gcounter.rs", _gcounter),
    ],
)

cx(
    "cx-033", "reasoning",
    "Assigning reviewers under load limits and expertise weights is an optimisation problem that needs the right formulation.",
    None,
    [U("write a tool that assigns reviewers to open PRs: each PR needs 2 reviewers, each reviewer has a max load (open reviews), an expertise score per directory, nobody reviews their own PR, and at least one reviewer per PR must be from the owning team if any is available. I want the assignment that maximises total expertise. formulate it properly (I suspect min-cost flow but the team constraint worries me), explain why the formulation is exact or what it relaxes, then implement it in python with networkx or OR-tools")],
)

cx(
    "cx-034", "reasoning",
    "Orders arriving before their payments across three services and CDC is an ordering analysis across a distributed pipeline.",
    "warehouse",
    [
        U("in fct_orders about 0.4% of orders show first_paid_at earlier than placed_at, up to 9 seconds. orders-svc and payments-svc each write their own Postgres, Debezium streams both into raw.*, and the checkout-orchestrator calls payments before committing the order. is this a clock problem, a CDC ordering problem, or a real bug in checkout? reason it through and tell me what evidence would distinguish them"),
        rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]),
    ],
)

cx(
    "cx-035", "reasoning",
    "Threat-modelling a CI/CD pipeline with OIDC into prod AWS and self-hosted runners is security analysis.",
    "infra",
    [
        U("threat model our CI/CD. GitHub Actions assumes AWS roles via OIDC (see ci.yml), PRs from forks run the plan job, and we're about to add self-hosted runners in the prod VPC for faster terraform applies. what can an attacker with a fork PR, a compromised dependency, or a malicious maintainer do? rank the risks and propose controls"),
        rd(".github/workflows/ci.yml", INF[".github/workflows/ci.yml"]),
    ],
)

cx(
    "cx-036", "reasoning",
    "Choosing between gRPC streaming and Kafka for a 200k msg/s path is an architecture decision about latency, backpressure and failure modes.",
    "gateway",
    [U("the alerting team wants device telemetry with <200ms end-to-end latency at 200k msg/s. option 1: they consume telemetry.raw.v2 from kafka like everyone else. option 2: we add a gRPC server-streaming fan-out from the gateway directly to them. compare latency, backpressure, failure isolation and replay, and what happens when their service is slow or down. recommend one")],
)

cx(
    "cx-037", "reasoning",
    "Deciding whether unsafe code has undefined behaviour requires a step-by-step argument about aliasing and lifetimes.",
    None,
    [U("explain step by step whether this has UB. it passes tests and miri on the simple case but I don't trust it:\n\n```rust\npub struct Arena<T> {\n    chunks: Vec<Vec<T>>,\n}\n\nimpl<T> Arena<T> {\n    pub fn alloc(&mut self, value: T) -> &mut T {\n        let need_new = self.chunks.last().map_or(true, |c| c.len() == c.capacity());\n        if need_new {\n            let cap = self.chunks.last().map_or(16, |c| c.capacity() * 2);\n            self.chunks.push(Vec::with_capacity(cap));\n        }\n        let chunk = self.chunks.last_mut().unwrap();\n        chunk.push(value);\n        let ptr = chunk.last_mut().unwrap() as *mut T;\n        // SAFETY: chunks never reallocate once created, so the pointer stays valid\n        unsafe { &mut *ptr }\n    }\n\n    pub fn alloc_many(&mut self, a: T, b: T) -> (&mut T, &mut T) {\n        let x = self.alloc(a) as *mut T;\n        let y = self.alloc(b) as *mut T;\n        unsafe { (&mut *x, &mut *y) }\n    }\n}\n```\n\nin particular: is alloc_many sound under stacked borrows / tree borrows, and is the SAFETY comment actually true?")],
)

cx(
    "cx-038", "reasoning",
    "A zero-downtime, rollback-capable schema migration process across 40 tenant databases is a design problem with many failure modes.",
    "ledger",
    [U("we're moving to a database per enterprise tenant (40 now, 300 in a year). design how schema migrations work: expand/contract, ordering across tenants, what the app does when tenants are on different versions, how rollback works when tenant 23 of 40 fails halfway, and how Flyway fits or doesn't. I want the design, not code")],
)

cx(
    "cx-039", "reasoning",
    "Designing a lock-free MPMC queue and justifying each memory ordering is a hard concurrency design with a correctness argument.",
    "render",
    [
        U("the job system needs a bounded MPMC queue (many game-thread producers, 8 worker consumers). design one (Vyukov-style sequence numbers?) for our codebase, and for every atomic operation justify the memory_order you pick — I want to know why relaxed is or isn't enough at each point. then write it"),
        rd("include/render/RingBuffer.h", REN["include/render/RingBuffer.h"]),
    ],
)

_raft = B.raft_logs()

cx(
    "cx-040", "reasoning",
    "Finding why two nodes both acted as leader from several nodes' logs and chrony output is deep root-cause analysis.",
    "ledger",
    [
        U("our internal raft-based lock service (used for the payout cron) handed the payout-run lock to two workers at once on Oct 9 ~03:14 UTC and we paid 212 merchants twice. I collected logs from all three kv nodes and chrony on kv-0. what happened, exactly, and what's the real fix?"),
        sh("cat incident-1009/kv-0.log", _raft["kv-0"]),
        sh("cat incident-1009/kv-1.log", _raft["kv-1"]),
        sh("cat incident-1009/kv-2.log", _raft["kv-2"]),
        sh("cat incident-1009/chrony-kv-0.log", _raft["chrony-kv-0"]),
        sh("sed -n '1,120p' kvlock/lease.go", """package kvlock

import "time"

// Lease-based reads: the leader answers reads locally while its lease is valid, without a
// round of heartbeats. The lease is extended on every successful heartbeat quorum.
const (
	heartbeatInterval = 100 * time.Millisecond
	electionTimeout   = 1000 * time.Millisecond
	leaseDuration     = 1900 * time.Millisecond // < electionTimeout * 2, safe with bounded drift
)

type lease struct {
	until time.Time // wall clock
}

func (l *lease) extend(now time.Time) { l.until = now.Add(leaseDuration) }

func (l *lease) valid(now time.Time) bool { return now.Before(l.until) }
"""),
        wr("incident-1009/notes.md", "# Oct 9 double payout\n\n- 03:14:3x both worker-3 and worker-9 saw themselves as holder of /locks/payout-run\n- worker-3 read from kv-0, worker-9 from kv-1\n- kv-0 chrony stepped clock by -2.4s at 03:14:3x\n"),
    ],
)
