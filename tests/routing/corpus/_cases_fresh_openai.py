"""Fresh-split cases (openai dialect): written after v1, blind to the router. See corpus README."""
# ruff: noqa: E501

from __future__ import annotations

import json
import random

from tests.routing.corpus import _bulk as B
from tests.routing.corpus import _prompts as P
from tests.routing.corpus._book import CaseBook
from tests.routing.corpus._clients import (
    FX,
    A,
    CaseSpec,
    Project,
    U,
    aider,
    ed,
    gr,
    openai_sdk,
    png_b64,
    rd,
    sh,
    think,
    todo,
    wr,
)

CASES: list[CaseSpec] = []

PAY, WEB, GW, TW, LED, REN, SHOP, WH, INF = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "shopfront", "warehouse", "infra"))


# =========================================================================== projects written inline for this module


FIELDKIT = Project(
    "fieldkit", "fieldkit-android", "fjordline/fieldkit-android", "/home/rui", "/home/rui/dev/fieldkit-android", "linux",
    "rui/sdk-35",
    "M app/build.gradle.kts",
    "4b1e9a0 WorkOrderSync: retry on 503 with backoff (#377)\n9d20c6f Signature pad: fix stroke smoothing on Pixel 8 (#374)\n13ac7e2 Room 2.6.1 (#372)\ne85f0b4 Parts picker: barcode scan via CameraX (#369)\n2c7d951 Offline banner when sync is paused (#366)",
    editor="Android Studio",
    notes="""# fieldkit-android

Field technician app: work orders, parts, signatures, offline-first. Kotlin 2.0, Jetpack Compose,
Room, WorkManager, Hilt, Retrofit + kotlinx.serialization.

- `./gradlew assembleDebug`, `./gradlew testDebugUnitTest`, `./gradlew ktlintCheck` (CI runs all three)
- Version catalog in `gradle/libs.versions.toml`; no hard-coded dependency versions in build files
- Sync code lives in `app/src/main/java/no/fjordline/fieldkit/sync`; it must stay idempotent (WorkManager retries)
- Never log customer addresses or signatures
""",
)

TIDEKIT = Project(
    "tidekit", "TideKit", "ana-k/tidekit-ios", "/Users/ana", "/Users/ana/code/TideKit", "darwin",
    "ana/extensions-folder",
    "",
    "a91c2e4 StationsView: pull to refresh\n3f0d7b1 TideChart: use Swift Charts\n77b2e90 Package: swift-tools-version 5.10\nc1e48a3 Helpers: Color(hex:)\n0e9f5d2 Initial SwiftUI shell",
    editor="Xcode",
    notes="""# TideKit

SwiftUI app + Swift package `TideKit` (models, API client, helpers) for the tidewater API.
- `swift build` / `swift test` for the package; the app target builds in Xcode only
- SwiftLint runs in CI (`swiftlint --strict`)
- Files are picked up by folder (no explicit `sources:` lists in Package.swift)
""",
)

PORTAL = Project(
    "portal", "billing-portal", "hansen-energi/billing-portal", "/home/erik", "/home/erik/sites/billing-portal", "linux",
    "erik/draft-invoices",
    "M resources/views/invoices/show.blade.php",
    "8e21f0c Invoices: draft state (#219)\n5a7b3d9 Laravel 11.9 (#215)\nd40e6c1 Customer portal: download PDF (#212)\n19bc8a2 Pint: fix style (#210)\nf0a3e77 Meter readings import (#205)",
    notes="""# billing-portal

Customer billing portal for Hansen Energi. Laravel 11, PHP 8.3, MySQL 8, Blade + Alpine.

- `composer test` (Pest), `./vendor/bin/pint` before committing, `php artisan migrate` only on local/dev
- Dates: `Carbon` everywhere, stored UTC, displayed in Europe/Oslo via `App\\Support\\Dates::local()`
- Invoices are immutable once issued; drafts can change
""",
)

ORDERS = Project(
    "orders", "orders-svc", "brightcart/orders-svc", "/home/dmitri", "/home/dmitri/src/orders-svc", "linux",
    "dmitri/order-timeline",
    "",
    "c3d81a2 OrderEvents: store actor id (#144)\n7f02b9e EF Core 8.0.8 (#141)\n2a9c4d0 Minimal APIs for /api/orders (#138)\n91e5f37 Outbox relay: batch size 200 (#135)\n5b0a6e8 .NET 8 (#130)",
    editor="Rider", shell="bash",
    notes="""# orders-svc

Order service for BrightCart. .NET 8, ASP.NET Core minimal APIs, EF Core 8 on Postgres (Npgsql),
xUnit + FluentAssertions + Testcontainers.

- `dotnet build`, `dotnet test` (Docker required for integration tests)
- Endpoints are grouped per resource in `src/Orders.Api/Endpoints/*.cs` and mapped in Program.cs
- Repositories return domain records, never EF entities
- Nullable reference types are on; warnings are errors in CI
""",
)

NOTIFIER = Project(
    "notifier", "notifier", "relaywise/notifier", "/home/lucia", "/home/lucia/code/notifier", "linux",
    "lucia/digest-batching",
    "M lib/notifier/mailer.ex",
    "b7e2c40 Digest: batch per recipient (#88)\n2d9a1f3 Oban 2.18 (#85)\n6c0e8b7 Push: APNs token refresh (#83)\n91f4a2d Phoenix 1.7.14 (#80)\n0a3b5c9 Templates: plain-text fallback (#77)",
    editor="VS Code", shell="bash",
    notes="""# notifier

Notification service (email, push, in-app) for Relaywise. Elixir 1.17 / OTP 27, Phoenix 1.7, Ecto,
Oban for jobs, Swoosh for email.

- `mix test`, `mix format --check-formatted`, `mix credo --strict` (CI runs all three)
- Jobs are Oban workers in `lib/notifier/workers`; they must be idempotent (Oban retries up to 20 times)
- Runs in three regions (eu-west-1, us-east-1, ap-southeast-2), one Postgres per region
""",
)

CSVSTAT = Project(
    "csvstat", "csvstat", "oskar-l/csvstat", "/home/oskar", "/home/oskar/src/csvstat", "linux",
    "main",
    "",
    "e4a1c90 widths: handle multibyte UTF-8\n1b7d3f2 --delimiter flag\n8c2e6a5 stats: median via nth_element\n3f9b0d1 Makefile: asan target\n70d5e2c initial import",
    editor="Neovim", shell="bash",
    notes="""# csvstat

Small C11 tool that prints per-column stats for CSV files. No dependencies beyond libc.
- `make` builds `./csvstat`; `make test` runs tests/run.sh; `make asan` builds with -fsanitize=address,undefined
- Keep it C11 and warning-free with -Wall -Wextra -Werror
""",
)

SPARK = Project(
    "spark", "revenue-jobs", "northwind/revenue-jobs", "/home/wen", "/home/wen/work/revenue-jobs", "linux",
    "wen/monthly-oom",
    "",
    "61e0b2a monthly rollup: add tax breakdown (#57)\nc4d93f8 Spark 3.5.1 (#55)\n0e7a2b6 daily rollup: partition by event_date (#52)\n9b1f4c3 delta 3.1 (#49)\n5a8d0e7 sbt-assembly 2.2 (#46)",
    shell="bash",
    notes="""# revenue-jobs

Spark (3.5, Scala 2.13) batch jobs that build revenue rollups from the payments lake (Delta on S3).
- `sbt test`, `sbt assembly`; jobs run on EMR Serverless via `scripts/submit.sh <job> <date>`
- Daily job: `DailyRevenueRollup`; monthly job: `MonthlyRevenueRollup` (first of the month, 03:00 UTC)
- Prefer DataFrame API over RDDs; no collect() on anything bigger than a lookup table
""",
)


_INLINE: dict[str, Project] = {p.key: p for p in (FIELDKIT, TIDEKIT, PORTAL, ORDERS, NOTIFIER, CSVSTAT, SPARK)}


BOOK = CaseBook(CASES, _INLINE)
cx, oh, ohc, other, cl = BOOK.cx, BOOK.oh, BOOK.ohc, BOOK.other, BOOK.cl


_POLICIES = [("on-request", "workspace-write", "restricted"), ("never", "workspace-write", "restricted"),
             ("on-request", "read-only", "restricted"), ("untrusted", "workspace-write", "enabled"),
             ("on-failure", "danger-full-access", "enabled")]


def _stamp(rng: random.Random, t: float) -> str:
    h, rest = divmod(int(t), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}:{s:02d}.{rng.randrange(0, 1000):03d}"


# =========================================================================== Codex CLI

_BUILD_KTS = """plugins {
    alias(libs.plugins.android.application)
    alias(libs.plugins.kotlin.android)
    alias(libs.plugins.kotlin.compose)
    alias(libs.plugins.ksp)
    alias(libs.plugins.hilt)
    alias(libs.plugins.ktlint)
}

android {
    namespace = "no.fjordline.fieldkit"
    compileSdk = 34

    defaultConfig {
        applicationId = "no.fjordline.fieldkit"
        minSdk = 26
        targetSdk = 34
        versionCode = 412
        versionName = "3.8.0"
        testInstrumentationRunner = "no.fjordline.fieldkit.HiltTestRunner"
        vectorDrawables { useSupportLibrary = true }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            isShrinkResources = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
            signingConfig = signingConfigs.getByName("debug")
        }
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
    buildFeatures { compose = true; buildConfig = true }
    packaging { resources { excludes += "/META-INF/{AL2.0,LGPL2.1}" } }
}

dependencies {
    implementation(platform(libs.compose.bom))
    implementation(libs.bundles.compose)
    implementation(libs.androidx.work.runtime)
    implementation(libs.androidx.room.runtime)
    implementation(libs.androidx.room.ktx)
    ksp(libs.androidx.room.compiler)
    implementation(libs.hilt.android)
    ksp(libs.hilt.compiler)
    implementation(libs.retrofit)
    implementation(libs.kotlinx.serialization.json)
    implementation(libs.camerax.bundle)
    testImplementation(libs.junit)
    testImplementation(libs.kotlinx.coroutines.test)
    testImplementation(libs.turbine)
    androidTestImplementation(libs.androidx.test.ext)
}
"""

cx(
    "f-cx-001", "simple",
    "The file is already printed and the user gave both numbers, so the next step is a two-line edit in one Gradle file.",
    "fieldkit",
    [
        U("bump compileSdk and targetSdk to 35 in app/build.gradle.kts. minSdk stays 26, don't touch anything else"),
        rd("app/build.gradle.kts", _BUILD_KTS, pre="Opening the app module's build file."),
    ],
)

# --------------------------------------------------------------------------- a long gateway session that ends in "commit and push"

_TENANT_GO = """package ratelimit

import (
	"sync"
	"time"
)

// TenantLimiter keeps one TokenBucket per tenant and forgets buckets that have been idle for IdleTTL.
type TenantLimiter struct {
	Capacity float64
	Rate     float64
	IdleTTL  time.Duration

	mu      sync.Mutex
	buckets map[string]*tenantBucket
	now     func() time.Time
}

type tenantBucket struct {
	tb       *TokenBucket
	lastSeen time.Time
}

func NewTenantLimiter(capacity, rate float64, idleTTL time.Duration) *TenantLimiter {
	return &TenantLimiter{Capacity: capacity, Rate: rate, IdleTTL: idleTTL, buckets: make(map[string]*tenantBucket), now: time.Now}
}

// AllowN takes n tokens from the tenant's bucket, creating the bucket on first use.
func (l *TenantLimiter) AllowN(tenant string, n float64) bool {
	l.mu.Lock()
	b, ok := l.buckets[tenant]
	if !ok {
		tb := NewTokenBucket(l.Capacity, l.Rate)
		tb.now = l.now
		b = &tenantBucket{tb: tb}
		l.buckets[tenant] = b
	}
	b.lastSeen = l.now()
	l.mu.Unlock()
	return b.tb.AllowN(n)
}

// Sweep drops buckets idle for longer than IdleTTL. Called from the janitor goroutine.
func (l *TenantLimiter) Sweep() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := l.now().Add(-l.IdleTTL)
	n := 0
	for k, b := range l.buckets {
		if b.lastSeen.Before(cutoff) {
			delete(l.buckets, k)
			n++
		}
	}
	return n
}

// Run sweeps every interval until stop is closed. The caller owns the goroutine and waits on done.
func (l *TenantLimiter) Run(interval time.Duration, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.Sweep()
		case <-stop:
			return
		}
	}
}
"""

_TENANT_TEST_GO = """package ratelimit

import (
	"testing"
	"time"
)

func newTestLimiter(capacity, rate float64, ttl time.Duration) (*TenantLimiter, *fakeClock) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	l := NewTenantLimiter(capacity, rate, ttl)
	l.now = clk.Now
	return l, clk
}

func TestTenantsAreIsolated(t *testing.T) {
	l, _ := newTestLimiter(2, 1, time.Minute)
	if !l.AllowN("acme", 2) {
		t.Fatal("acme should get its burst")
	}
	if l.AllowN("acme", 1) {
		t.Fatal("acme should be empty")
	}
	if !l.AllowN("globex", 2) {
		t.Fatal("globex must not share acme's bucket")
	}
}

func TestSweepDropsIdleBuckets(t *testing.T) {
	l, clk := newTestLimiter(5, 1, 10*time.Minute)
	l.AllowN("acme", 1)
	clk.Advance(5 * time.Minute)
	l.AllowN("globex", 1)
	clk.Advance(6 * time.Minute)
	if got := l.Sweep(); got != 1 {
		t.Fatalf("swept %d buckets, want 1", got)
	}
	if _, ok := l.buckets["globex"]; !ok {
		t.Fatal("globex was active 6 minutes ago and must survive")
	}
}

func TestConcurrentTenants(t *testing.T) {
	l, _ := newTestLimiter(1000, 1000, time.Minute)
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func(i int) {
			for j := 0; j < 500; j++ {
				l.AllowN([]string{"a", "b", "c"}[j%3], 1)
			}
			done <- struct{}{}
		}(i)
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}
"""

_GRPC_SERVER_GO = """package grpcapi

import (
	"context"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	pb "github.com/northwind/ingest-gateway/gen/telemetry/v2"
	"github.com/northwind/ingest-gateway/internal/consumer"
)

type server struct {
	pb.UnimplementedIngestServer
	batcher *consumer.Batcher
	logger  *slog.Logger
}

func Register(s *grpc.Server, b *consumer.Batcher, logger *slog.Logger) {
	pb.RegisterIngestServer(s, &server{batcher: b, logger: logger})
}

func tenantFrom(ctx context.Context) string {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok {
		return ""
	}
	if v := md.Get("x-tenant-id"); len(v) == 1 {
		return v[0]
	}
	return ""
}

func (s *server) Push(ctx context.Context, req *pb.PushRequest) (*pb.PushResponse, error) {
	tenant := tenantFrom(ctx)
	if tenant == "" {
		return nil, status.Error(codes.Unauthenticated, "missing x-tenant-id")
	}
	if err := validate(req); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	for _, r := range req.GetRecords() {
		s.batcher.Add(r.GetDeviceId(), r.GetPayload())
	}
	return &pb.PushResponse{Accepted: uint32(len(req.GetRecords()))}, nil
}
"""

_cx2_steps = [
    U("add per-tenant rate limiting to the gRPC Push path: one TokenBucket per tenant (x-tenant-id metadata), burst/rate from flags for now (--tenant-burst, --tenant-rate), drop buckets that were idle for 10 min. AllowN isn't implemented yet, do that first, its tests are already there"),
    todo(("in_progress", "Implement TokenBucket.AllowN"), ("pending", "Add TenantLimiter with idle eviction"), ("pending", "Wire limiter into Push and flags"), ("pending", "make test && make lint")),
    rd("internal/ratelimit/token_bucket.go", GW["internal/ratelimit/token_bucket.go"], pre="Reading the bucket and its tests."),
    rd("internal/ratelimit/token_bucket_test.go", GW["internal/ratelimit/token_bucket_test.go"]),
    ed("internal/ratelimit/token_bucket.go", "func (tb *TokenBucket) AllowN(n float64) bool {\n\tpanic(\"not implemented\")\n}",
       "func (tb *TokenBucket) AllowN(n float64) bool {\n\ttb.mu.Lock()\n\tdefer tb.mu.Unlock()\n\ttb.refill()\n\tif n > tb.tokens {\n\t\treturn false\n\t}\n\ttb.tokens -= n\n\treturn true\n}"),
    sh("go test ./internal/ratelimit/ -v -count=1", "=== RUN   TestBurstThenDeny\n--- PASS: TestBurstThenDeny (0.00s)\n=== RUN   TestRefill\n--- PASS: TestRefill (0.00s)\n=== RUN   TestAllowNLargerThanCapacity\n--- PASS: TestAllowNLargerThanCapacity (0.00s)\nPASS\nok  \tgithub.com/northwind/ingest-gateway/internal/ratelimit\t0.011s", secs=2.1),
    todo(("completed", "Implement TokenBucket.AllowN"), ("in_progress", "Add TenantLimiter with idle eviction"), ("pending", "Wire limiter into Push and flags"), ("pending", "make test && make lint")),
    wr("internal/ratelimit/tenant.go", _TENANT_GO),
    wr("internal/ratelimit/tenant_test.go", _TENANT_TEST_GO),
    sh("go test ./internal/ratelimit/ -race -v -count=1", "=== RUN   TestBurstThenDeny\n--- PASS: TestBurstThenDeny (0.00s)\n=== RUN   TestRefill\n--- PASS: TestRefill (0.00s)\n=== RUN   TestAllowNLargerThanCapacity\n--- PASS: TestAllowNLargerThanCapacity (0.00s)\n=== RUN   TestTenantsAreIsolated\n--- PASS: TestTenantsAreIsolated (0.00s)\n=== RUN   TestSweepDropsIdleBuckets\n--- PASS: TestSweepDropsIdleBuckets (0.00s)\n=== RUN   TestConcurrentTenants\n--- PASS: TestConcurrentTenants (0.04s)\nPASS\nok  \tgithub.com/northwind/ingest-gateway/internal/ratelimit\t1.093s", secs=4.6),
    todo(("completed", "Implement TokenBucket.AllowN"), ("completed", "Add TenantLimiter with idle eviction"), ("in_progress", "Wire limiter into Push and flags"), ("pending", "make test && make lint")),
    rd("internal/grpcapi/server.go", _GRPC_SERVER_GO),
    ed("internal/grpcapi/server.go", "type server struct {\n\tpb.UnimplementedIngestServer\n\tbatcher *consumer.Batcher\n\tlogger  *slog.Logger\n}\n\nfunc Register(s *grpc.Server, b *consumer.Batcher, logger *slog.Logger) {\n\tpb.RegisterIngestServer(s, &server{batcher: b, logger: logger})\n}",
       "type server struct {\n\tpb.UnimplementedIngestServer\n\tbatcher *consumer.Batcher\n\tlimiter *ratelimit.TenantLimiter\n\tlogger  *slog.Logger\n}\n\nfunc Register(s *grpc.Server, b *consumer.Batcher, l *ratelimit.TenantLimiter, logger *slog.Logger) {\n\tpb.RegisterIngestServer(s, &server{batcher: b, limiter: l, logger: logger})\n}"),
    ed("internal/grpcapi/server.go", "\tif err := validate(req); err != nil {\n\t\treturn nil, status.Error(codes.InvalidArgument, err.Error())\n\t}",
       "\tif err := validate(req); err != nil {\n\t\treturn nil, status.Error(codes.InvalidArgument, err.Error())\n\t}\n\tif s.limiter != nil && !s.limiter.AllowN(tenant, float64(len(req.GetRecords()))) {\n\t\treturn nil, status.Error(codes.ResourceExhausted, \"tenant rate limit exceeded\")\n\t}"),
    ed("cmd/gateway/main.go", "\ttopic := flag.String(\"topic\", \"telemetry.raw.v2\", \"Kafka topic\")",
       "\ttopic := flag.String(\"topic\", \"telemetry.raw.v2\", \"Kafka topic\")\n\ttenantBurst := flag.Float64(\"tenant-burst\", 20000, \"per-tenant burst (records)\")\n\ttenantRate := flag.Float64(\"tenant-rate\", 5000, \"per-tenant sustained rate (records/s)\")"),
    ed("cmd/gateway/main.go", "\tgrpcapi.Register(srv, batcher, logger)",
       "\tlimiter := ratelimit.NewTenantLimiter(*tenantBurst, *tenantRate, 10*time.Minute)\n\tstopSweep, sweepDone := make(chan struct{}), make(chan struct{})\n\tgo limiter.Run(time.Minute, stopSweep, sweepDone)\n\tgrpcapi.Register(srv, batcher, limiter, logger)"),
    ed("cmd/gateway/main.go", "\tbatcher.Close()\n\t_ = writer.Close()", "\tbatcher.Close()\n\tclose(stopSweep)\n\t<-sweepDone\n\t_ = writer.Close()"),
    sh("make test", "go test ./... -race -count=1\n" + B.go_test_verbose(seed=31), secs=48.0),
    sh("make lint", "golangci-lint run --timeout 5m ./...\ninternal/ratelimit/tenant.go:24:1: File is not `gofumpt`-ed (gofumpt)\nfunc NewTenantLimiter(capacity, rate float64, idleTTL time.Duration) *TenantLimiter {\n^\ncmd/gateway/main.go:71:2: Error return value of `limiter.Run` is not checked (errcheck)\nmake: *** [Makefile:17: lint] Error 1", code=2, secs=21.0),
    sh("gofumpt -w internal/ratelimit/tenant.go && sed -n '60,80p' cmd/gateway/main.go", "\tsrv := grpc.NewServer(grpc.MaxRecvMsgSize(4 << 20))\n\tlimiter := ratelimit.NewTenantLimiter(*tenantBurst, *tenantRate, 10*time.Minute)\n\tstopSweep, sweepDone := make(chan struct{}), make(chan struct{})\n\tgo limiter.Run(time.Minute, stopSweep, sweepDone)\n\tgrpcapi.Register(srv, batcher, limiter, logger)\n", secs=0.6),
    A("The errcheck hit is a false positive from an old golangci cache (Run returns nothing); rerunning with a clean cache."),
    sh("golangci-lint cache clean && make lint", "golangci-lint run --timeout 5m ./...\ngo mod tidy -diff", secs=64.0),
    todo(("completed", "Implement TokenBucket.AllowN"), ("completed", "Add TenantLimiter with idle eviction"), ("completed", "Wire limiter into Push and flags"), ("completed", "make test && make lint")),
    A("Done:\n\n- `TokenBucket.AllowN` implemented (refill, then take n if available); the three existing tests pass.\n- New `internal/ratelimit/tenant.go`: `TenantLimiter` with one bucket per tenant and a `Sweep` that drops buckets idle for `IdleTTL`; `Run` owns the janitor goroutine and `main` waits for it on shutdown, as the conventions require.\n- `Push` returns `RESOURCE_EXHAUSTED` when the tenant is over its limit; it charges one token per record.\n- Flags `--tenant-burst` (20000) and `--tenant-rate` (5000/s).\n\n`make test` and `make lint` are green."),
    U("nice. add a counter for rejected pushes per tenant too, gateway_tenant_rejected_total{tenant}. and test it"),
    rd("internal/metrics/metrics.go", "package metrics\n\nimport \"github.com/prometheus/client_golang/prometheus\"\n\nvar (\n\tIngestLatencySeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: \"gateway_ingest_latency_seconds\", Buckets: prometheus.DefBuckets}, []string{\"route\"})\n\tBatcherQueued        = prometheus.NewGauge(prometheus.GaugeOpts{Name: \"gateway_batcher_queued_records\"})\n\tBatcherErrors        = prometheus.NewCounter(prometheus.CounterOpts{Name: \"gateway_batcher_write_errors_total\"})\n\tBatcherFlushSeconds  = prometheus.NewHistogram(prometheus.HistogramOpts{Name: \"gateway_batcher_flush_duration_seconds\"})\n)\n\nvar registered bool\n\nfunc MustRegister() {\n\tif registered {\n\t\treturn\n\t}\n\tprometheus.MustRegister(IngestLatencySeconds, BatcherQueued, BatcherErrors, BatcherFlushSeconds)\n\tregistered = true\n}\n"),
    ed("internal/metrics/metrics.go", "\tBatcherFlushSeconds  = prometheus.NewHistogram(prometheus.HistogramOpts{Name: \"gateway_batcher_flush_duration_seconds\"})\n)",
       "\tBatcherFlushSeconds  = prometheus.NewHistogram(prometheus.HistogramOpts{Name: \"gateway_batcher_flush_duration_seconds\"})\n\tTenantRejected       = prometheus.NewCounterVec(prometheus.CounterOpts{Name: \"gateway_tenant_rejected_total\"}, []string{\"tenant\"})\n)"),
    ed("internal/metrics/metrics.go", "\tprometheus.MustRegister(IngestLatencySeconds, BatcherQueued, BatcherErrors, BatcherFlushSeconds)",
       "\tprometheus.MustRegister(IngestLatencySeconds, BatcherQueued, BatcherErrors, BatcherFlushSeconds, TenantRejected)"),
    ed("internal/grpcapi/server.go", "\t\treturn nil, status.Error(codes.ResourceExhausted, \"tenant rate limit exceeded\")",
       "\t\tmetrics.TenantRejected.WithLabelValues(tenant).Inc()\n\t\treturn nil, status.Error(codes.ResourceExhausted, \"tenant rate limit exceeded\")"),
    wr("internal/grpcapi/ratelimit_test.go", "package grpcapi\n\nimport (\n\t\"context\"\n\t\"testing\"\n\n\t\"github.com/prometheus/client_golang/prometheus/testutil\"\n\t\"google.golang.org/grpc/codes\"\n\t\"google.golang.org/grpc/metadata\"\n\t\"google.golang.org/grpc/status\"\n\n\tpb \"github.com/northwind/ingest-gateway/gen/telemetry/v2\"\n\t\"github.com/northwind/ingest-gateway/internal/metrics\"\n\t\"github.com/northwind/ingest-gateway/internal/ratelimit\"\n)\n\nfunc TestPushRejectsOverTenantLimit(t *testing.T) {\n\ts := newTestServer(t)\n\ts.limiter = ratelimit.NewTenantLimiter(2, 0.001, 0)\n\tctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs(\"x-tenant-id\", \"acme\"))\n\treq := &pb.PushRequest{Records: []*pb.Record{validRecord(), validRecord(), validRecord()}}\n\t_, err := s.Push(ctx, req)\n\tif status.Code(err) != codes.ResourceExhausted {\n\t\tt.Fatalf(\"got %v, want ResourceExhausted\", err)\n\t}\n\tif got := testutil.ToFloat64(metrics.TenantRejected.WithLabelValues(\"acme\")); got != 1 {\n\t\tt.Fatalf(\"rejected counter = %v, want 1\", got)\n\t}\n}\n"),
    sh("make test", "go test ./... -race -count=1\n" + B.go_test_verbose(seed=32).replace("=== RUN   TestHealthServing", "=== RUN   TestPushRejectsOverTenantLimit\n--- PASS: TestPushRejectsOverTenantLimit (0.00s)\n=== RUN   TestHealthServing"), secs=47.0),
    sh("git status --short && git diff --stat", " M cmd/gateway/main.go\n M internal/consumer/batcher.go\n M internal/consumer/batcher_test.go\n M internal/grpcapi/server.go\n M internal/metrics/metrics.go\n M internal/ratelimit/token_bucket.go\n?? internal/grpcapi/ratelimit_test.go\n?? internal/ratelimit/tenant.go\n?? internal/ratelimit/tenant_test.go\n cmd/gateway/main.go                 | 11 ++++++++++-\n internal/consumer/batcher.go        | 14 +++++++++-----\n internal/consumer/batcher_test.go   | 22 ++++++++++++++++++++++\n internal/grpcapi/server.go          | 10 ++++++++--\n internal/metrics/metrics.go         |  3 ++-\n internal/ratelimit/token_bucket.go  |  9 ++++++++-\n 6 files changed, 58 insertions(+), 11 deletions(-)", secs=0.1),
    A("Added `gateway_tenant_rejected_total{tenant}`, incremented on every rejected Push, with a test; `make test` is green. Note that `internal/consumer/batcher.go` and `batcher_test.go` also show as modified: those were already changed on this branch before we started, I did not touch them."),
    U("right, leave the batcher files out. commit everything else as one commit `ratelimit: per-tenant token buckets on Push` and push it to a new branch sam/tenant-ratelimit on origin. no PR, I'll open it"),
]

cx(
    "f-cx-002", "simple",
    "After a long implementation session the turn is to stage named files, commit with a given message and push a new feature branch: known git commands.",
    "gateway",
    _cx2_steps,
)

cx(
    "f-cx-003", "simple",
    "The file was moved with git mv and the package builds, so all that remains is telling the user it is done.",
    "tidekit",
    [
        U("move Sources/TideKit/Helpers/Color+Hex.swift into Sources/TideKit/Extensions/ (the folder exists already). swiftpm picks files up by folder so nothing else should need changing but check it builds"),
        sh("ls Sources/TideKit/Helpers Sources/TideKit/Extensions", "Sources/TideKit/Extensions:\nDate+ISO8601.swift\nMeasurement+Tide.swift\n\nSources/TideKit/Helpers:\nColor+Hex.swift\nHaptics.swift", pre="Checking both folders first."),
        sh("git mv Sources/TideKit/Helpers/Color+Hex.swift Sources/TideKit/Extensions/Color+Hex.swift && git status --short", "R  Sources/TideKit/Helpers/Color+Hex.swift -> Sources/TideKit/Extensions/Color+Hex.swift"),
        sh("swift build 2>&1 | tail -5", "[3/9] Emitting module TideKit\n[5/9] Compiling TideKit Color+Hex.swift\n[7/9] Compiling TideKit StationsClient.swift\n[9/9] Compiling TideKit TideChartModel.swift\nBuild complete! (6.41s)", secs=7.2),
    ],
)

cx(
    "f-cx-004", "simple",
    "A comment-only edit above a lifecycle rule changes no resource, so the risk lives in the prod file rather than in the change.",
    "infra",
    [
        U("add a comment above the tmp-expiry rule in terraform/prod/main.tf explaining that the upload service writes chunked multipart parts under tmp/ and anything left there after 7 days is an abandoned upload. comment only, I'll open the PR myself"),
        rd("terraform/prod/main.tf", INF["terraform/prod/main.tf"], start=40, end=50, pre="Looking at the lifecycle block."),
    ],
)

_MAIN_RS = """use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use sqlx::postgres::PgPoolOptions;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing_subscriber::EnvFilter;

use tidewater::cache::lru::Lru;
use tidewater::http::handlers::{self, AppState};
use tidewater::upstream::TideClient;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::from_default_env())
        .init();

    let database_url = std::env::var("DATABASE_URL").context("DATABASE_URL must be set")?;
    let upstream_base = std::env::var("TIDE_API_BASE").unwrap_or_else(|_| "https://api.tides.example.org".into());

    let db = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(3))
        .connect(&database_url)
        .await
        .context("connecting to postgres")?;

    let state = AppState {
        cache: Arc::new(Mutex::new(Lru::with_capacity(4096))),
        upstream: TideClient::new(&upstream_base)?,
        db,
    };

    let app = Router::new()
        .route("/health", get(handlers::health))
        .route("/stations/:id", get(handlers::station))
        .layer(TimeoutLayer::new(Duration::from_secs(10)))
        .layer(TraceLayer::new_for_http())
        .with_state(state);

    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    tracing::info!(addr = %listener.local_addr()?, "listening");
    axum::serve(listener, app).await?;
    Ok(())
}
"""

cx(
    "f-cx-005", "medium",
    "Adding a listen-address flag with an env fallback to a small main.rs, plus a new clap dependency, is a small feature against an obvious pattern.",
    "tidewater",
    [
        U("main.rs hardcodes 0.0.0.0:8080. I want --listen <addr> or TIDEWATER_LISTEN (flag wins over env), default stays 0.0.0.0:8080, and a clear error if the value doesn't parse as a SocketAddr. we don't use clap yet, fine to add it (derive + env features)"),
        rd("src/main.rs", _MAIN_RS, pre="Reading main.rs and Cargo.toml."),
        rd("Cargo.toml", TW["Cargo.toml"]),
    ],
)

cx(
    "f-cx-006", "medium",
    "Writing a WebMvcTest for one small controller with mocked dependencies is ordinary test writing.",
    "ledger",
    [
        U("write a @WebMvcTest for AccountController. cases: GET /v1/accounts/{id} returns the view (200) and 404 for an unknown id, GET /v1/accounts?merchantId= returns the list, POST /v1/accounts/{id}/transfers returns the TransferView. mock AccountRepository and TransferService, no Testcontainers for this one"),
        rd("src/main/java/com/acme/ledger/api/AccountController.java", LED["src/main/java/com/acme/ledger/api/AccountController.java"], pre="Reading the controller."),
        sh("ls src/test/java/com/acme/ledger/api/ && sed -n '1,40p' src/main/java/com/acme/ledger/api/dto/AccountView.java",
           "TransferControllerIT.java\n\npackage com.acme.ledger.api.dto;\n\nimport com.acme.ledger.domain.Account;\nimport com.acme.ledger.domain.Entry;\nimport java.util.List;\nimport java.util.UUID;\n\npublic record AccountView(UUID id, UUID merchantId, String currency, long balanceMinor, List<EntryView> recentEntries) {\n    public static AccountView from(Account a, List<Entry> entries) {\n        return new AccountView(a.getId(), a.getMerchantId(), a.getCurrency(), a.getBalanceMinor(),\n            entries.stream().map(EntryView::from).toList());\n    }\n\n    public record EntryView(UUID id, long amountMinor, String reference, java.time.Instant createdAt) {\n        static EntryView from(Entry e) {\n            return new EntryView(e.getId(), e.getAmountMinor(), e.getReference(), e.getCreatedAt());\n        }\n    }\n}"),
    ],
)

_INVOICE_CONTROLLER_PHP = """<?php

namespace App\\Http\\Controllers;

use App\\Models\\Invoice;
use App\\Support\\Dates;
use Illuminate\\Http\\Request;
use Illuminate\\Support\\Facades\\Gate;

class InvoiceController extends Controller
{
    public function index(Request $request)
    {
        $invoices = $request->user()->customer->invoices()
            ->orderByDesc('created_at')
            ->paginate(20);

        return view('invoices.index', ['invoices' => $invoices]);
    }

    public function show(Request $request, Invoice $invoice)
    {
        Gate::authorize('view', $invoice);

        $lines = $invoice->lines()->orderBy('position')->get();
        $vat = $lines->sum('vat_ore');
        $total = $lines->sum('amount_ore') + $vat;

        return view('invoices.show', [
            'invoice' => $invoice,
            'lines' => $lines,
            'vat' => $vat,
            'total' => $total,
            'meta' => [
                'number' => $invoice->number ?? 'DRAFT',
                'period' => Dates::local($invoice->period_start)->format('d.m.Y') . ' – ' . Dates::local($invoice->period_end)->format('d.m.Y'),
                'issued' => Dates::local($invoice->issued_at)->format('d.m.Y'),
                'due' => Dates::local($invoice->due_at)->format('d.m.Y'),
            ],
        ]);
    }

    public function pdf(Request $request, Invoice $invoice)
    {
        Gate::authorize('view', $invoice);
        abort_if($invoice->isDraft(), 404);

        return response()->streamDownload(
            fn () => print(app('invoice.pdf')->render($invoice)),
            "faktura-{$invoice->number}.pdf",
            ['Content-Type' => 'application/pdf'],
        );
    }
}
"""

cx(
    "f-cx-007", "medium",
    "The error names the controller line that formats a null issued_at on drafts, so the fix and a test are a clear, contained change.",
    "portal",
    [
        U("sentry is full of this since we shipped draft invoices yesterday, every time a customer opens a draft:\n\n```\nError: Call to a member function format() on null\n#0 /var/www/portal/app/Http/Controllers/InvoiceController.php(37): App\\Http\\Controllers\\InvoiceController->show()\n#1 /var/www/portal/vendor/laravel/framework/src/Illuminate/Routing/ControllerDispatcher.php(46): ...\n#2 /var/www/portal/vendor/laravel/framework/src/Illuminate/Routing/Route.php(260): ...\n```\n\ndrafts dont have issued_at or due_at yet. show \"Not issued yet\" for those two in the view instead, and add a pest test for a draft"),
        rd("app/Http/Controllers/InvoiceController.php", _INVOICE_CONTROLLER_PHP, pre="Looking at the controller."),
        sh("sed -n '1,30p' app/Support/Dates.php", "<?php\n\nnamespace App\\Support;\n\nuse Carbon\\CarbonImmutable;\nuse DateTimeInterface;\n\nfinal class Dates\n{\n    public const TZ = 'Europe/Oslo';\n\n    public static function local(?DateTimeInterface $value): ?CarbonImmutable\n    {\n        return $value === null ? null : CarbonImmutable::instance($value)->setTimezone(self::TZ);\n    }\n}"),
    ],
)

_STG_PAYMENTS = """with source as (
    select * from {{ source('payments', 'payments') }}
),

renamed as (
    select
        id as payment_id,
        order_id,
        amount_cents,
        currency,
        case
            when status in ('succeeded', 'paid', 'captured') then 'succeeded'
            when status in ('refunded', 'partially_refunded') then 'refunded'
            when status in ('failed', 'declined') then 'failed'
            else status
        end as status,
        created_at,
        updated_at
    from source
)

select * from renamed
"""

cx(
    "f-cx-008", "medium",
    "A new dbt mart with a grain test, built from two existing models, is an ordinary SQL model and YAML change.",
    "warehouse",
    [
        U("new mart please: fct_daily_refunds, one row per (refund_date, country) with refunded_orders (distinct orders) and refunded_cents. refund_date = the refund payment's created_at date in UTC, not the order date. country comes from the customer like in fct_orders. add it to models/marts/schema.yml with a unique test on the grain and not_null on both keys"),
        rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"], pre="Reading fct_orders and the payments staging model."),
        rd("models/staging/stg_payments__payments.sql", _STG_PAYMENTS),
        sh("sed -n '1,60p' models/marts/schema.yml", "version: 2\n\nmodels:\n  - name: fct_orders\n    description: One row per order with payment totals.\n    columns:\n      - name: order_id\n        tests: [unique, not_null]\n      - name: customer_id\n        tests: [not_null]\n      - name: paid_cents\n        tests:\n          - dbt_utils.accepted_range:\n              min_value: 0\n  - name: dim_customers\n    description: One row per customer, current plan from billing.\n    columns:\n      - name: customer_id\n        tests: [unique, not_null]\n"),
    ],
)

cx(
    "f-cx-009", "complex",
    "Scaling a production node group to zero and applying from a laptop bypasses the approval workflow and evicts whatever still runs there, so it needs checks and a plan first.",
    "infra",
    [U("ingest is paused until monday for the kafka migration. set the prod ingest node group to min 0 / max 0 in terraform/prod/main.tf and apply it now so we stop paying for 12 c6i.4xlarge all weekend")],
)

# --------------------------------------------------------------------------- flaky cursor pagination spec (shopfront)

_ORDERS_CONTROLLER_RB = """module Api
  module V1
    class OrdersController < Api::BaseController
      PER_PAGE = 25

      def index
        scope = current_customer.orders.where.not(status: :cart).order(created_at: :desc)
        if params[:cursor].present?
          after = Time.zone.parse(Base64.urlsafe_decode64(params[:cursor]))
          scope = scope.where("created_at < ?", after)
        end
        orders = scope.limit(PER_PAGE).to_a
        next_cursor = orders.size == PER_PAGE ? Base64.urlsafe_encode64(orders.last.created_at.iso8601(6)) : nil
        render json: { orders: orders.map { OrderSerializer.new(_1).as_json }, next_cursor: next_cursor }
      end

      def create
        result = Checkout::PlaceOrder.new(current_customer, cart_params).call
        if result.ok
          render json: OrderSerializer.new(result.order).as_json, status: :created
        else
          render json: { errors: result.errors }, status: :unprocessable_entity
        end
      end

      private

      def cart_params
        params.require(:cart).permit(:coupon, line_items: %i[sku quantity])
      end
    end
  end
end
"""

_ORDERS_SPEC_RB = """require "rails_helper"

RSpec.describe "Api::V1::Orders", type: :request do
  let(:customer) { create(:customer) }
  let(:headers) { auth_headers_for(customer) }

  describe "GET /api/v1/orders" do
    context "as the owner" do
      it "returns the customer's orders" do
        create_list(:order, 3, :placed, customer: customer)
        get "/api/v1/orders", headers: headers
        expect(response).to have_http_status(:ok)
        expect(json["orders"].size).to eq(3)
      end

      it "paginates with a cursor" do
        orders = create_list(:order, 60, :placed, customer: customer)
        seen = []
        cursor = nil
        loop do
          get "/api/v1/orders", params: { cursor: cursor }.compact, headers: headers
          seen.concat(json["orders"].map { _1["id"] })
          cursor = json["next_cursor"]
          break if cursor.nil?
        end
        expect(seen).to match_array(orders.map(&:id))
        expect(seen).to eq(seen.uniq)
      end
    end

    context "as another customer" do
      it "returns an empty list" do
        create_list(:order, 2, :placed)
        get "/api/v1/orders", headers: headers
        expect(json["orders"]).to eq([])
      end
    end
  end
end
"""

_CI_RSPEC_FAIL = """Failures:

  1) Api::V1::Orders GET /api/v1/orders as the owner paginates with a cursor
     Failure/Error: expect(seen).to match_array(orders.map(&:id))

       expected collection contained:  [40211, 40212, 40213, 40214, 40215, 40216, 40217, 40218, 40219, 40220, 40221, 40222, 40223, 40224, 40225, 40226, 40227, 40228, 40229, 40230, 40231, 40232, 40233, 40234, 40235, 40236, 40237, 40238, 40239, 40240, 40241, 40242, 40243, 40244, 40245, 40246, 40247, 40248, 40249, 40250, 40251, 40252, 40253, 40254, 40255, 40256, 40257, 40258, 40259, 40260, 40261, 40262, 40263, 40264, 40265, 40266, 40267, 40268, 40269, 40270]
       actual collection contained:    [40270, 40269, 40268, 40267, 40266, 40265, 40264, 40263, 40262, 40261, 40260, 40259, 40258, 40257, 40256, 40255, 40254, 40253, 40252, 40251, 40250, 40249, 40248, 40247, 40246, 40244, 40243, 40242, 40241, 40240, 40239, 40238, 40237, 40236, 40235, 40234, 40233, 40232, 40231, 40230, 40229, 40228, 40227, 40226, 40225, 40224, 40223, 40222, 40221, 40220, 40219, 40218, 40217, 40216, 40215, 40214, 40213, 40212, 40211]
       the missing elements were:      [40245]

     # ./spec/requests/api/v1/orders_spec.rb:27:in `block (4 levels) in <top (required)>'

Finished in 2 minutes 41.3 seconds (files took 6.92 seconds to load)
1184 examples, 1 failure

Failed examples:

rspec ./spec/requests/api/v1/orders_spec.rb:16 # Api::V1::Orders GET /api/v1/orders as the owner paginates with a cursor

Randomized with seed 18822
"""

cx(
    "f-cx-010", "complex",
    "A pagination spec that drops one record on roughly one CI run in fifteen and never fails locally has a hidden cause the failure output only hints at.",
    "shopfront",
    [
        U("spec/requests/api/v1/orders_spec.rb 'paginates with a cursor' fails maybe 1 in 15 CI runs, always passes on my machine. last failure below. find the actual cause, I don't want a retry or a sleep\n\n```\n" + _CI_RSPEC_FAIL + "```"),
        rd("app/controllers/api/v1/orders_controller.rb", _ORDERS_CONTROLLER_RB, pre="Reading the controller and the spec."),
        rd("spec/requests/api/v1/orders_spec.rb", _ORDERS_SPEC_RB),
        sh("for i in $(seq 1 30); do bundle exec rspec spec/requests/api/v1/orders_spec.rb:16 --seed $RANDOM 2>&1 | grep -E 'examples?,'; done | sort | uniq -c",
           "     30 1 example, 0 failures", secs=212.0),
        sh("grep -n 'created_at\\|sequence\\|trait :placed' spec/factories/orders.rb", "7:    sequence(:number) { |n| \"SF-#{100_000 + n}\" }\n14:    trait :placed do\n15:      status { :placed }\n16:      placed_at { Time.current }\n"),
    ],
)

# --------------------------------------------------------------------------- a long, failing loop: CI hang after a dependabot bump (tidewater)


def _cargo_ci_log(seed: int, hang_test: str, timeout_panic: bool = False, pins: dict[str, str] | None = None, ntest: bool = True) -> str:
    rng = random.Random(seed)
    crates = ["proc-macro2 v1.0.86", "unicode-ident v1.0.12", "libc v0.2.158", "cfg-if v1.0.0", "autocfg v1.3.0", "once_cell v1.19.0",
              "itoa v1.0.11", "memchr v2.7.4", "serde v1.0.204", "quote v1.0.36", "syn v2.0.72", "pin-project-lite v0.2.14", "bytes v1.7.1",
              "smallvec v1.13.2", "log v0.4.22", "futures-core v0.3.30", "scopeguard v1.2.0", "lock_api v0.4.12", "parking_lot_core v0.9.10",
              "parking_lot v0.12.3", "mio v1.0.2", "socket2 v0.5.7", "tokio-macros v2.4.0", "tokio v1.41.0", "tracing-core v0.1.32",
              "tracing-attributes v0.1.27", "tracing v0.1.40", "http v1.1.0", "http-body v1.0.1", "httparse v1.9.4", "hyper v1.4.1",
              "tower-service v0.3.3", "tower-layer v0.3.3", "tower v0.4.13", "hyper-util v0.1.7", "axum-core v0.4.3", "axum-macros v0.4.1",
              "matchit v0.7.3", "axum v0.7.7", "serde_json v1.0.122", "thiserror-impl v1.0.63", "thiserror v1.0.63", "hashbrown v0.14.5",
              "sqlx-core v0.8.0", "sqlx-postgres v0.8.0", "sqlx-macros-core v0.8.0", "sqlx-macros v0.8.0", "sqlx v0.8.0", "chrono v0.4.38",
              "tower-http v0.5.2", "tracing-subscriber v0.3.18", "reqwest v0.12.5", "rustls v0.23.12", "ring v0.17.8", "webpki-roots v0.26.3",
              "wiremock v0.6.1", "ntest v0.9.3", "criterion v0.5.1", "tidewater v0.8.1 (/home/runner/work/tidewater/tidewater)"]
    for name, version in (pins or {}).items():
        crates = [f"{name} v{version}" if c.startswith(f"{name} v") else c for c in crates]
    if not ntest:
        crates = [c for c in crates if not c.startswith("ntest ")]
    day = 14 + seed % 2
    t = 0.0
    out = []
    for c in crates:
        t += rng.random() * 0.9
        out.append(f"2025-10-{day}T09:{12 + int(t) // 60:02d}:{int(t) % 60:02d}.{rng.randrange(10**6, 10**7)}Z    Compiling {c}")
    out.append(f"2025-10-{day}T09:14:02.1182231Z     Finished `test` profile [unoptimized + debuginfo] target(s) in 1m 49s")
    out.append(f"2025-10-{day}T09:14:02.1203318Z      Running unittests src/lib.rs (target/debug/deps/tidewater-8c1d2f0e9b7a4c31)")
    unit = ["cache::lru::tests::get_moves_to_front", "cache::lru::tests::put_evicts_lru", "cache::lru::tests::get_or_insert_with_inserts_once",
            "cache::lru::tests::cap_one", "config::tests::parses_refresh", "config::tests::rejects_negative", "upstream::retry::tests::retries_502",
            "upstream::retry::tests::gives_up_after_three", "upstream::retry::tests::jitter_bounded", "http::errors::tests::maps_not_found",
            "webhook::verify::tests::rejects_bad_sig", "webhook::verify::tests::accepts_good_sig", "db::readings::tests::window_bounds"]
    out.append(f"2025-10-{day}T09:14:02.1330012Z running {len(unit)} tests")
    for u in unit:
        out.append(f"2025-10-{day}T09:14:02.{rng.randrange(10**6, 10**7)}Z test {u} ... ok")
    out.append(f"2025-10-{day}T09:14:02.2210934Z test result: ok. {len(unit)} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.04s")
    out.append(f"2025-10-{day}T09:14:02.2240115Z      Running tests/stations_api.rs (target/debug/deps/stations_api-41b0e9c2d8a7f613)")
    api = ["station_hit_served_from_cache", "station_miss_fetches_upstream", "station_upstream_502_maps_to_bad_gateway", "station_unknown_is_404", hang_test, "health_ok"]
    out.append(f"2025-10-{day}T09:14:02.2251208Z running {len(api)} tests")
    for a in api:
        if a != hang_test:
            out.append(f"2025-10-{day}T09:14:02.{rng.randrange(10**6, 10**7)}Z test {a} ... ok")
    if timeout_panic:
        out += [f"2025-10-{day}T09:14:22.2301187Z test {hang_test} ... FAILED", f"2025-10-{day}T09:14:22.2301502Z ",
                f"2025-10-{day}T09:14:22.2301733Z failures:", f"2025-10-{day}T09:14:22.2301958Z ",
                f"2025-10-{day}T09:14:22.2302190Z ---- {hang_test} stdout ----",
                f"2025-10-{day}T09:14:22.2302515Z thread '{hang_test}' panicked at tests/stations_api.rs:14:1:",
                f"2025-10-{day}T09:14:22.2302771Z timeout: the function call took 20000 ms. Max time 20000 ms",
                f"2025-10-{day}T09:14:22.2303012Z note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
                f"2025-10-{day}T09:14:22.2303240Z ",
                f"2025-10-{day}T09:14:22.2303468Z test result: FAILED. 5 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 20.01s",
                f"2025-10-{day}T09:14:22.2310942Z error: test failed, to rerun pass `--test stations_api`",
                f"2025-10-{day}T09:14:22.2366120Z ##[error]Process completed with exit code 101."]
    else:
        out += [f"2025-10-{day}T09:15:02.2290331Z test {hang_test} has been running for over 60 seconds",
                f"2025-10-{day}T09:44:02.0001873Z ##[error]The job running on runner GitHub Actions 12 has exceeded the maximum execution time of 30 minutes.",
                f"2025-10-{day}T09:44:02.0094410Z ##[error]The operation was canceled."]
    return "\n".join(out) + "\n"


_STATIONS_API_RS = """use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

mod common;
use common::{test_app, FakeUpstream};

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_misses_share_one_fetch() {
    // Four requests for the same cold station; the upstream must be hit once.
    let calls = Arc::new(AtomicUsize::new(0));
    let upstream = FakeUpstream::new({
        let calls = calls.clone();
        move |_id| {
            calls.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(200)); // slow upstream so the misses overlap
            Ok(common::report("8761724"))
        }
    });
    let app = test_app(upstream).await;

    let start = Arc::new(Barrier::new(4)); // release all four requests at the same moment
    let mut handles = Vec::new();
    for _ in 0..4 {
        let app = app.clone();
        let start = start.clone();
        handles.push(tokio::spawn(async move {
            start.wait();
            app.oneshot(Request::get("/stations/8761724").body(Body::empty()).unwrap()).await.unwrap().status()
        }));
    }
    for h in handles {
        assert_eq!(h.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "misses for one key must coalesce");
}
"""

_HANDLERS_RS = """use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use sqlx::PgPool;
use tokio::sync::OnceCell;

use crate::cache::lru::Lru;
use crate::upstream::TideClient;

type Inflight = Arc<OnceCell<Result<Arc<StationReport>, StatusCode>>>;

#[derive(Clone)]
pub struct AppState {
    pub cache: Arc<Mutex<Lru<String, Arc<StationReport>>>>,
    pub inflight: Arc<Mutex<HashMap<String, Inflight>>>,
    pub upstream: TideClient,
    pub db: PgPool,
}

#[derive(Serialize, Clone)]
pub struct StationReport {
    pub station_id: String,
    pub name: String,
    pub readings: Vec<(i64, f32)>,
}

pub async fn station(
    State(state): State<AppState>,
    Path(station_id): Path<String>,
) -> Result<Json<Arc<StationReport>>, StatusCode> {
    if let Some(hit) = state.cache.lock().unwrap().get(&station_id).cloned() {
        return Ok(Json(hit));
    }
    // miss: one fetch per key, everyone else waits on the same cell
    let cell = state.inflight.lock().unwrap().entry(station_id.clone()).or_default().clone();
    let report = cell
        .get_or_init(|| async {
            let r = state.upstream.fetch_station(&station_id).await.map_err(|_| StatusCode::BAD_GATEWAY)?;
            Ok(Arc::new(r))
        })
        .await
        .clone()?;
    state.cache.lock().unwrap().put(station_id.clone(), report.clone());
    state.inflight.lock().unwrap().remove(&station_id);
    sqlx::query("INSERT INTO fetch_log (station_id, fetched_at) VALUES ($1, now())")
        .bind(&station_id)
        .execute(&state.db)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(report))
}

pub async fn health() -> &'static str {
    "ok"
}
"""

_cx11_attempts = []
for _n, (_what, _path, _old, _new, _panic) in enumerate([
    ("add ntest as a dev-dependency and give the test an explicit timeout so CI fails fast instead of hanging for 30 minutes",
     "tests/stations_api.rs", "#[tokio::test(flavor = \"multi_thread\")]\nasync fn concurrent_misses_share_one_fetch() {",
     "#[tokio::test(flavor = \"multi_thread\")]\n#[ntest::timeout(20000)]\nasync fn concurrent_misses_share_one_fetch() {", True),
    ("pin axum back to 0.7.5 to see whether the axum bump is the cause",
     "Cargo.toml", "axum = { version = \"0.7.7\", features = [\"macros\"] }", "axum = { version = \"=0.7.5\", features = [\"macros\"] }", False),
    ("pin tokio back to 1.39.2 as well, in case the scheduler change in 1.41 starves the coalescing cell",
     "Cargo.toml", "tokio = { version = \"1.41.0\", features = [\"full\"] }", "tokio = { version = \"=1.39.2\", features = [\"full\"] }", False),
    ("run the integration tests single-threaded on CI (RUST_TEST_THREADS=1) to rule out interference between tests",
     ".github/workflows/ci.yml", "      - run: cargo test --all-features", "      - run: cargo test --all-features\n        env:\n          RUST_TEST_THREADS: \"1\"", False),
]):
    _cx11_attempts += [
        A(f"Attempt {_n + 1}: {_what}."),
        ed(_path, _old, _new),
        sh("git commit -qam 'wip: ci hang' && git push -q && gh run watch --exit-status $(gh run list -b dependabot/cargo/tokio-1.41.0 -L1 --json databaseId -q '.[0].databaseId') > /dev/null; gh run view --log-failed | tail -120",
           _cargo_ci_log(100 + _n, "concurrent_misses_share_one_fetch", _panic, pins={"axum": "0.7.5", "tokio": "1.39.2", "tokio-macros": "2.3.0"} if _n >= 2 else {"axum": "0.7.5"} if _n == 1 else None), code=1, secs=290.0 if _panic else 1850.0),
    ]

cx(
    "f-cx-011", "complex",
    "Four attempts at a CI-only hang have failed and the local reproduction under two CPUs points at blocking inside the async test rather than the dependency bump.",
    "tidewater",
    [
        U("dependabot PR #88 bumps tokio 1.39 -> 1.41 and axum 0.7.5 -> 0.7.7 and now CI hangs in tests/stations_api.rs until the 30 min job timeout. passes on my mac every single time. CI is ubuntu-latest (2 vCPU). get the PR green. do NOT #[ignore] the test"),
        todo(("in_progress", "Get the failing CI log"), ("pending", "Reproduce locally"), ("pending", "Fix and get CI green")),
        sh("gh pr checks 88", "clippy\tpass\t1m12s\thttps://github.com/ana-k/tidewater/actions/runs/11423345511/job/31781230011\nfmt\tpass\t14s\thttps://github.com/ana-k/tidewater/actions/runs/11423345511/job/31781230193\ntest\tfail\t30m4s\thttps://github.com/ana-k/tidewater/actions/runs/11423345511/job/31781230310", code=1, secs=1.1),
        sh("gh run view 11423345511 --log-failed | tail -120", _cargo_ci_log(99, "concurrent_misses_share_one_fetch", ntest=False), secs=2.4),
        rd("tests/stations_api.rs", _STATIONS_API_RS),
        rd("src/http/handlers.rs", _HANDLERS_RS),
        sh("cargo test --test stations_api -- --nocapture 2>&1 | tail -12", "    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.31s\n     Running tests/stations_api.rs (target/debug/deps/stations_api-41b0e9c2d8a7f613)\n\nrunning 6 tests\ntest health_ok ... ok\ntest station_unknown_is_404 ... ok\ntest station_hit_served_from_cache ... ok\ntest station_miss_fetches_upstream ... ok\ntest station_upstream_502_maps_to_bad_gateway ... ok\ntest concurrent_misses_share_one_fetch ... ok\n\ntest result: ok. 6 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.27s", secs=3.3),
        todo(("completed", "Get the failing CI log"), ("in_progress", "Reproduce locally"), ("pending", "Fix and get CI green")),
        *_cx11_attempts,
        A("None of the four changes moved it. With axum and tokio both pinned back to the old versions CI still hangs, and single-threaded test execution changes nothing, so the bump looks like a red herring. Trying to reproduce with the runner's CPU count."),
        sh("git checkout -q origin/dependabot/cargo/tokio-1.41.0 -- Cargo.toml Cargo.lock .github/workflows/ci.yml tests/stations_api.rs && timeout 90 taskset -c 0,1 cargo test --test stations_api concurrent_misses -- --nocapture; echo exit=$?",
           "    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.29s\n     Running tests/stations_api.rs (target/debug/deps/stations_api-41b0e9c2d8a7f613)\n\nrunning 1 test\ntest concurrent_misses_share_one_fetch has been running for over 60 seconds\nexit=124", code=0, secs=90.2),
    ],
)

_PPROF_TOP = """File: gateway
Build ID: 5f0c2e7b8a91d4c3e6f1a2b0d9c8e7f6a5b4c3d2
Type: cpu
Time: Oct 15, 2025 at 11:02am (UTC)
Duration: 30.13s, Total samples = 52.71s (174.94%)
Showing nodes accounting for 44.02s, 83.51% of 52.71s total
Dropped 412 nodes (cum <= 0.26s)
Showing top 40 nodes out of 228
      flat  flat%   sum%        cum   cum%
     9.84s 18.67% 18.67%     15.22s 28.87%  github.com/klauspost/compress/zstd.(*Encoder).EncodeAll
     5.91s 11.21% 29.88%      5.91s 11.21%  runtime.memclrNoHeapPointers
     4.40s  8.35% 38.23%     12.70s 24.09%  github.com/klauspost/compress/zstd.NewWriter
     3.72s  7.06% 45.29%      3.72s  7.06%  github.com/klauspost/compress/zstd.(*fastBase).resetBase
     2.95s  5.60% 50.89%      9.01s 17.09%  runtime.mallocgc
     2.31s  4.38% 55.27%      2.31s  4.38%  runtime.memmove
     1.98s  3.76% 59.03%      4.84s  9.18%  runtime.gcDrain
     1.62s  3.07% 62.10%      1.62s  3.07%  runtime.scanobject
     1.41s  2.68% 64.78%      1.77s  3.36%  github.com/klauspost/compress/zstd.(*fastEncoder).Encode
     1.17s  2.22% 67.00%      1.17s  2.22%  runtime.futex
     0.98s  1.86% 68.86%      2.41s  4.57%  github.com/segmentio/kafka-go/protocol.(*encoder).writeRecordBatch
     0.91s  1.73% 70.59%      0.91s  1.73%  syscall.Syscall6
     0.87s  1.65% 72.24%      1.30s  2.47%  google.golang.org/protobuf/internal/impl.(*MessageInfo).unmarshalPointer
     0.84s  1.59% 73.83%      0.84s  1.59%  runtime.procyield
     0.79s  1.50% 75.33%      2.07s  3.93%  github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Add
     0.66s  1.25% 76.58%      0.66s  1.25%  sync.(*Mutex).lockSlow
     0.61s  1.16% 77.74%     19.88s 37.72%  github.com/segmentio/kafka-go/compress/zstd.(*Codec).NewWriter.func1
     0.55s  1.04% 78.78%      0.55s  1.04%  runtime.nextFreeFast
     0.49s  0.93% 79.71%     21.02s 39.88%  github.com/segmentio/kafka-go.(*Writer).WriteMessages
     0.44s  0.83% 80.54%      0.44s  0.83%  crypto/tls.(*halfConn).encrypt
     0.41s  0.78% 81.32%      0.41s  0.78%  runtime.madvise
     0.37s  0.70% 82.02%      3.60s  6.83%  google.golang.org/grpc.(*Server).processUnaryRPC
     0.31s  0.59% 82.61%      0.31s  0.59%  hash/crc32.ieeeCLMUL
     0.26s  0.49% 83.10%     23.11s 43.84%  github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).flush
     0.22s  0.42% 83.51%     24.02s 45.57%  github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).loop
"""

cx(
    "f-cx-012", "complex",
    "A CPU regression after enabling compression needs profiling-led performance work in the batching and producer path, not a flag flip.",
    "gateway",
    [
        U("since we turned on zstd (1be6f52) the gateway pods burn ~2x CPU at the same msg rate and p99 ingest latency went from ~12ms to ~40ms. I grabbed a 30s cpu profile from one prod pod. get the CPU back down WITHOUT turning compression off, our kafka bill is per byte"),
        sh("go tool pprof -top -nodecount=25 /tmp/gateway-cpu.pprof", _PPROF_TOP, secs=1.8, pre="Looking at the profile first."),
        sh("go tool pprof -list 'Batcher..flush' /tmp/gateway-cpu.pprof | head -40", "Total: 52.71s\nROUTINE ======================== github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).flush in internal/consumer/batcher.go\n     260ms     23.11s (flat, cum) 43.84% of Total\n         .          .     97:func (b *Batcher) flush(key string) {\n      20ms      180ms     98:\tb.mu.Lock()\n         .          .     99:\tmsgs := b.batches[key]\n      10ms       40ms    100:\tdelete(b.batches, key)\n         .       90ms    101:\tb.mu.Unlock()\n         .          .    102:\tif len(msgs) == 0 {\n         .          .    103:\t\treturn\n         .          .    104:\t}\n         .       10ms    105:\tstart := time.Now()\n      30ms      210ms    106:\tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)\n         .          .    107:\tdefer cancel()\n     200ms     22.58s    108:\tif err := b.writer.WriteMessages(ctx, msgs...); err != nil {\n         .          .    109:\t\tmetrics.BatcherErrors.Inc()\n         .          .    110:\t\treturn\n         .          .    111:\t}", secs=1.2),
        sh("curl -s localhost:8080/metrics | grep -E 'gateway_batcher_(flush_duration_seconds_count|queued_records)|gateway_ingest_latency_seconds_count' ; kubectl -n ingest top pod -l app=ingest-gateway | head -5",
           "gateway_batcher_flush_duration_seconds_count 9.1841203e+07\ngateway_batcher_queued_records 2114\ngateway_ingest_latency_seconds_count{route=\"grpc.Push\"} 2.0483119e+07\nNAME                              CPU(cores)   MEMORY(bytes)\ningest-gateway-7c9d5b8f6-2xkqp   3411m        612Mi\ningest-gateway-7c9d5b8f6-8tz4w   3287m        598Mi\ningest-gateway-7c9d5b8f6-fq2ld   3520m        641Mi\ningest-gateway-7c9d5b8f6-mn7rc   3366m        603Mi", secs=0.9),
    ],
)

cx(
    "f-cx-013", "reasoning",
    "Choosing how to enforce per-tenant quotas across replicas means comparing designs by their overshoot bounds and failure behaviour: an architecture decision with real trade-offs.",
    "gateway",
    [
        U("product wants per-tenant ingest quotas (records/s, e.g. 20k/s for the big tenants) enforced across all 12 replicas in a region, max ~5% overshoot, and the gateway has to keep accepting traffic if redis is down. our token bucket is per process (see internal/ratelimit). options I see: (a) central redis with a GCRA lua script per push, (b) local buckets with quota/12 each plus a coordinator that rebalances shares every few seconds based on observed demand, (c) gossip counters between replicas. work out the overshoot bound for each under LB skew (the NLB is per-connection and some tenants have 3 long-lived connections), the latency cost per push, and what happens when redis or the coordinator dies. then recommend one, don't write code yet"),
        rd("internal/ratelimit/token_bucket.go", GW["internal/ratelimit/token_bucket.go"], pre="Reading the current limiter."),
    ],
)

cx(
    "f-cx-014", "reasoning",
    "The user asks for a proof or a concrete interleaving showing whether concurrent reservations can oversell under two isolation levels: a correctness argument.",
    None,
    [U("""need a real answer on this before black friday. Postgres 16, default READ COMMITTED. checkout reserves stock with:

```sql
-- reserve.sql, one statement, autocommit
update stock
   set reserved = reserved + $1
 where sku = $2
   and on_hand - reserved >= $1
returning reserved;
```

and the warehouse sync job does, in its own transaction:

```sql
begin;
select on_hand, reserved from stock where sku = $1;          -- app computes new_on_hand from the WMS feed
update stock set on_hand = $2 where sku = $1;                 -- $2 = new_on_hand
commit;
```

1. can two concurrent checkouts oversell (reserved > on_hand) under READ COMMITTED? prove it either way, using what the EvalPlanQual recheck actually does on the updated row
2. can checkout + the sync job together end with reserved > on_hand? give the interleaving if yes
3. does switching both to REPEATABLE READ fix (2), and what do we then have to handle in the app
4. the smallest change that makes (2) impossible without serializing all checkouts on a sku""")],
)

cx(
    "f-cx-015", "reasoning",
    "Finding the minimum pairwise-covering set of flag configurations under constraints is an NP-hard combinatorial problem that needs a formulation, a bound and an algorithm argument.",
    None,
    [U("we have 14 boolean feature flags and CI can afford maybe 12 full e2e runs per PR. I want a set of flag configs such that every pair of flags sees all 4 value combos (pairwise coverage), subject to constraints: new_checkout requires payments_v2, legacy_cart excludes new_checkout, dark_mode and high_contrast can't both be on, and at most 6 flags on at once (perf env limit). questions: is finding the minimum such set NP-hard (sketch why or why not), what's a lower bound for our case, is 12 runs even feasible with these constraints, and what algorithm would you use (greedy AETG-style vs SAT/ILP). then write it in python, ILP with OR-tools if it's tractable at this size, greedy otherwise, and print the configs")],
)

# --------------------------------------------------------------------------- random logouts behind the CDN: logs from three places (web)


def _cdn_log(seed: int) -> str:
    rng = random.Random(seed)
    out = ["#Version: 1.0", "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs-uri-stem sc-status cs(Cookie) x-edge-result-type time-taken x-host-header"]
    users = {f"u_{rng.randrange(10**5, 10**6)}": rng.random() < 0.25 for _ in range(40)}
    t = 9 * 3600 + 20 * 60
    for _ in range(170):
        t += rng.randrange(1, 9)
        big = rng.choice(list(users.values()))
        path = rng.choice(["/api/auth/session", "/api/trpc/invoices.list", "/api/trpc/team.members", "/dashboard", "/invoices", "/api/trpc/customers.search"])
        chunks = "__Secure-next-auth.session-token.0=eyJ...;__Secure-next-auth.session-token.1=...;" if big else "__Secure-next-auth.session-token=eyJ...;"
        status = 200
        if big and rng.random() < 0.8:
            status = 401 if path.startswith("/api/") else 307
        result = "Miss" if path.startswith("/api") else rng.choice(["Miss", "RefreshHit"])
        out.append(f"2025-10-14\t{_stamp(rng, t)[:8]}\tFRA56-P{rng.randrange(1, 9)}\t{rng.randrange(400, 9000)}\t{rng.choice(['84.', '91.', '2.'])}{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}\tGET\t{path}\t{status}\t{chunks}\t{result}\t0.{rng.randrange(10, 400):03d}\tapp.northwind.io")
    return "\n".join(out) + "\n"


def _next_log(seed: int) -> str:
    rng = random.Random(seed)
    out = []
    t = 9 * 3600 + 20 * 60
    for _ in range(120):
        t += rng.randrange(1, 14)
        kind = rng.random()
        if kind < 0.55:
            out.append(f'{{"t":"2025-10-14T{_stamp(rng, t)}Z","level":"info","msg":"request","path":"{rng.choice(["/api/trpc/invoices.list", "/api/trpc/team.members", "/dashboard"])}","status":200,"user":"u_{rng.randrange(10**5, 10**6)}","ms":{rng.randrange(8, 240)}}}')
        elif kind < 0.75:
            out.append(f'{{"t":"2025-10-14T{_stamp(rng, t)}Z","level":"warn","msg":"[next-auth][warn][NO_SESSION] getServerSession returned null","path":"/api/trpc/{rng.choice(["invoices.list", "team.members", "customers.search"])}","cookies":["__Host-next-auth.csrf-token","__Secure-next-auth.callback-url"]}}')
        elif kind < 0.88:
            out.append(f'{{"t":"2025-10-14T{_stamp(rng, t)}Z","level":"info","msg":"jwt callback","trigger":"update","user":"u_{rng.randrange(10**5, 10**6)}","memberships":{rng.choice([2, 3, 4, 31, 44, 58])},"tokenBytes":{rng.choice([1822, 2204, 2930, 4411, 5187, 6290])},"chunks":{rng.choice([1, 1, 1, 2, 2])}}}')
        else:
            out.append(f'{{"t":"2025-10-14T{_stamp(rng, t)}Z","level":"info","msg":"signin","provider":"keycloak","user":"u_{rng.randrange(10**5, 10**6)}"}}')
    return "\n".join(out) + "\n"


_CDN_TF = """resource "aws_cloudfront_cache_policy" "app_dynamic" {
  name        = "app-dynamic"
  min_ttl     = 0
  default_ttl = 0
  max_ttl     = 1
  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_gzip   = true
    enable_accept_encoding_brotli = true
    headers_config { header_behavior = "none" }
    query_strings_config { query_string_behavior = "all" }
    cookies_config {
      cookie_behavior = "whitelist"
      cookies {
        items = ["__Secure-next-auth.session-token", "__Host-next-auth.csrf-token", "__Secure-next-auth.callback-url", "NEXT_LOCALE"]
      }
    }
  }
}
"""

cx(
    "f-cx-016", "reasoning",
    "The user wants one hypothesis that explains who is logged out, when and only behind the CDN, from CDN, app and config evidence before anything changes: cross-system root-cause analysis.",
    "web",
    [
        U("since monday the dashboard sits behind cloudfront and some users get kicked to the login page every ~20-30 minutes. not everyone: support says it's mostly accountants and agencies. direct origin access (vpn, app-origin.northwind.io) never shows it. don't change anything yet. go through the cdn log, the app log and the cdn terraform and tell me what's going on, with an explanation that fits all of it (who, how often, why only via the cdn)"),
        sh("zcat /tmp/logs/cf/E2QX7L0ABCD.2025-10-14-09.*.gz | head -172", _cdn_log(7), secs=0.6, pre="Pulling the three pieces of evidence."),
        sh("kubectl -n web logs deploy/web-dashboard --since-time=2025-10-14T09:20:00Z | head -120", _next_log(8), secs=1.4),
        sh("sed -n '1,40p' infra/cdn/cache_policies.tf", _CDN_TF),
        sh("grep -n 'maxAge\\|updateAge\\|jwt\\|session\\|update()' src/server/auth.ts src/components/SessionKeepAlive.tsx", "src/server/auth.ts:14:  session: { strategy: \"jwt\", maxAge: 8 * 60 * 60, updateAge: 20 * 60 },\nsrc/server/auth.ts:22:  callbacks: {\nsrc/server/auth.ts:23:    async jwt({ token, user, trigger }) {\nsrc/server/auth.ts:24:      if (user) token.memberships = await loadMembershipIds(token.sub!); // [tenantId]\nsrc/server/auth.ts:26:      if (trigger === \"update\") token.memberships = await loadMemberships(token.sub!); // [{ tenantId, tenantName, role, permissions }]\nsrc/server/auth.ts:31:    async session({ session, token }) {\nsrc/server/auth.ts:32:      session.memberships = token.memberships;\nsrc/components/SessionKeepAlive.tsx:9:  useEffect(() => { const id = setInterval(() => update(), 20 * 60 * 1000); return () => clearInterval(id); }, [update]);"),
    ],
)


# =========================================================================== OpenHands

W = "/workspace"

_SYNC_WORKER_KT = """package no.fjordline.fieldkit.sync

import android.content.Context
import androidx.hilt.work.HiltWorker
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import dagger.assisted.Assisted
import dagger.assisted.AssistedInject
import no.fjordline.fieldkit.data.WorkOrderDao
import no.fjordline.fieldkit.data.SignatureDao
import no.fjordline.fieldkit.net.FieldApi
import retrofit2.HttpException
import timber.log.Timber

@HiltWorker
class WorkOrderSyncWorker @AssistedInject constructor(
    @Assisted context: Context,
    @Assisted params: WorkerParameters,
    private val orders: WorkOrderDao,
    private val signatures: SignatureDao,
    private val api: FieldApi,
) : CoroutineWorker(context, params) {

    override suspend fun doWork(): Result {
        val pending = orders.pendingUpload()
        Timber.d("sync: %d pending work orders", pending.size)
        for (order in pending) {
            try {
                api.putWorkOrder(order.id, order.toDto())
                signatures.forOrder(order.id).filter { !it.uploaded }.forEach { sig ->
                    api.uploadSignature(order.id, sig.toPart())
                    signatures.markUploaded(sig.id)
                }
                orders.markSynced(order.id, order.localVersion)
            } catch (e: HttpException) {
                if (e.code() == 503 || e.code() == 429) return Result.retry()
                Timber.w(e, "sync failed for %s", order.id)
                orders.markFailed(order.id, e.code())
            }
        }
        return Result.success()
    }
}
"""

_SIGNATURE_DAO_KT = """package no.fjordline.fieldkit.data

import androidx.room.Dao
import androidx.room.Insert
import androidx.room.Query

@Dao
interface SignatureDao {
    @Query("SELECT * FROM signatures WHERE orderId = :orderId ORDER BY capturedAt")
    suspend fun forOrder(orderId: String): List<SignatureEntity>

    @Insert
    suspend fun insert(sig: SignatureEntity): Long

    @Query("UPDATE signatures SET uploaded = 1 WHERE id = :id")
    suspend fun markUploaded(id: Long)
}
"""

_FIELD_API_KT = """package no.fjordline.fieldkit.net

import okhttp3.MultipartBody
import retrofit2.http.Body
import retrofit2.http.Multipart
import retrofit2.http.POST
import retrofit2.http.PUT
import retrofit2.http.Part
import retrofit2.http.Path

interface FieldApi {
    @PUT("v3/work-orders/{id}")
    suspend fun putWorkOrder(@Path("id") id: String, @Body body: WorkOrderDto): WorkOrderDto

    @Multipart
    @POST("v3/work-orders/{id}/signatures")
    suspend fun uploadSignature(@Path("id") id: String, @Part file: MultipartBody.Part): SignatureDto
}
"""


def _gradle_test_out(seed: int, failing: str | None, with_new_test: bool = True) -> str:
    rng = random.Random(seed)
    out = ["> Task :app:preBuild UP-TO-DATE", "> Task :app:preDebugBuild UP-TO-DATE", "> Task :app:generateDebugBuildConfig UP-TO-DATE",
           "> Task :app:kspDebugKotlin", "> Task :app:compileDebugKotlin", "> Task :app:compileDebugJavaWithJavac NO-SOURCE",
           "> Task :app:kspDebugUnitTestKotlin", "> Task :app:compileDebugUnitTestKotlin", "> Task :app:testDebugUnitTest", ""]
    classes = {
        "WorkOrderSyncWorkerTest": ["uploadsPendingOrders", "retriesOn503", "retriesOn429", "marksFailedOn422", "skipsAlreadySynced", "retryDoesNotReuploadSignatures"],
        "WorkOrderDaoTest": ["pendingUploadReturnsDirtyOnly", "markSyncedKeepsNewerLocalEdits", "markFailedStoresCode"],
        "SignatureDaoTest": ["forOrderSortedByCapture", "markUploaded"],
        "PartsPickerViewModelTest": ["scanAddsPart", "unknownBarcodeShowsError", "quantityCannotGoNegative", "removePart"],
        "OfflineBannerViewModelTest": ["showsWhenSyncPaused", "hidesAfterSuccess"],
        "WorkOrderDtoTest": ["roundTrip", "ignoresUnknownFields", "statusMapping"],
    }
    pkgs = {"WorkOrderSyncWorkerTest": "sync", "WorkOrderDaoTest": "data", "SignatureDaoTest": "data", "PartsPickerViewModelTest": "ui.parts",
            "OfflineBannerViewModelTest": "ui.banner", "WorkOrderDtoTest": "net"}
    failed = 0
    total = 0
    for cls, tests in classes.items():
        for t in tests:
            if t == "retryDoesNotReuploadSignatures" and not with_new_test:
                continue
            total += 1
            if t == failing:
                failed += 1
                out += [f"no.fjordline.fieldkit.sync.{cls} > {t} FAILED",
                        "    java.lang.AssertionError: expected uploadSignature calls: 2 but was: 4",
                        f"        at no.fjordline.fieldkit.sync.{cls}.{t}({cls}.kt:{rng.randrange(80, 140)})", ""]
            else:
                out.append(f"no.fjordline.fieldkit.{pkgs[cls]}.{cls} > {t} PASSED")
    out.append("")
    if failed:
        out += [f"{total} tests completed, {failed} failed", "", "> Task :app:testDebugUnitTest FAILED", "", "FAILURE: Build failed with an exception.", "",
                "* What went wrong:", "Execution failed for task ':app:testDebugUnitTest'.", "> There were failing tests. See the report at: file:///workspace/fieldkit-android/app/build/reports/tests/testDebugUnitTest/index.html",
                "", f"BUILD FAILED in {rng.randrange(30, 80)}s", "31 actionable tasks: 6 executed, 25 up-to-date"]
    else:
        out += [f"BUILD SUCCESSFUL in {rng.randrange(30, 80)}s", "31 actionable tasks: 5 executed, 26 up-to-date"]
    return "\n".join(out)


def _numbered(content: str) -> str:
    return "\n".join(f"{n + 1:>6}\t{line}" for n, line in enumerate(content.splitlines()))


def _edit_obs(path: str, snippet: str) -> str:
    return (f"**FileEditObservation**\nThe file {path} has been edited. Here's the result of running `cat -n` on a snippet of {path}:\n"
            + snippet + "\nReview the changes and make sure they are as expected. Edit the file again if necessary.")


_fk = f"{W}/fieldkit-android"
_oh1_events = [
    "**MessageAction** (source=EventSource.USER)\nCONTENT: Technicians on spotty connections end up with the same signature uploaded 2-4 times on a work order. I think it's the sync worker retrying. Fix it so a retry never re-uploads a signature the server already has. Add a unit test that reproduces it first.",
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Let me find the sync code first.\nCOMMAND:\ncd {_fk} && find app/src/main/java/no/fjordline/fieldkit/sync app/src/main/java/no/fjordline/fieldkit/data -name '*.kt' | sort",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\napp/src/main/java/no/fjordline/fieldkit/data/AppDatabase.kt\napp/src/main/java/no/fjordline/fieldkit/data/SignatureDao.kt\napp/src/main/java/no/fjordline/fieldkit/data/SignatureEntity.kt\napp/src/main/java/no/fjordline/fieldkit/data/WorkOrderDao.kt\napp/src/main/java/no/fjordline/fieldkit/data/WorkOrderEntity.kt\napp/src/main/java/no/fjordline/fieldkit/sync/SyncModule.kt\napp/src/main/java/no/fjordline/fieldkit/sync/SyncScheduler.kt\napp/src/main/java/no/fjordline/fieldkit/sync/WorkOrderSyncWorker.kt",
    f"**FileReadObservation**\nHere's the result of running `cat -n` on {_fk}/app/src/main/java/no/fjordline/fieldkit/sync/WorkOrderSyncWorker.kt:\n" + _numbered(_SYNC_WORKER_KT),
    f"**FileReadObservation**\nHere's the result of running `cat -n` on {_fk}/app/src/main/java/no/fjordline/fieldkit/data/SignatureDao.kt:\n" + _numbered(_SIGNATURE_DAO_KT),
    f"**FileReadObservation**\nHere's the result of running `cat -n` on {_fk}/app/src/main/java/no/fjordline/fieldkit/net/FieldApi.kt:\n" + _numbered(_FIELD_API_KT),
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Baseline: run the unit tests before changing anything.\nCOMMAND:\ncd {_fk} && ./gradlew testDebugUnitTest --console=plain 2>&1 | tail -80",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n" + _gradle_test_out(40, None, with_new_test=False),
    "**AgentThinkAction**\nTHOUGHT: The upload and markUploaded are two steps. If the process dies or the request times out after the server stored the signature but before markUploaded commits, the next run uploads it again. Also a 503 on putWorkOrder for a later order returns Result.retry() for the whole batch, and signatures uploaded for earlier orders in the same run are marked, so that is fine, but a SocketTimeoutException is not an HttpException at all: it escapes doWork, WorkManager retries, and the signature that the server did receive is uploaded again. The server supports an Idempotency-Key header on POST /signatures (checked the API docs in docs/api/v3.md).",
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Check the API docs for the idempotency header.\nCOMMAND:\ncd {_fk} && grep -n -i -A6 'idempotency' docs/api/v3.md",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n212:### Idempotency\n213-\n214-`POST /v3/work-orders/{id}/signatures` accepts an `Idempotency-Key` header (max 64 chars). A repeated\n215-request with the same key within 7 days returns the original `201` body and does not store a second\n216-signature. Keys are scoped per work order.\n217-\n218-Other POST endpoints ignore the header.",
    _edit_obs(_fk + "/app/src/test/java/no/fjordline/fieldkit/sync/WorkOrderSyncWorkerTest.kt", "   118\t    @Test\n   119\t    fun retryDoesNotReuploadSignatures() = runTest {\n   120\t        val order = workOrder(id = \"wo-7731\", signatures = 2)\n   121\t        fakeApi.failNextSignatureUploadAfterServerStored = true // server keeps it, client sees a timeout\n   122\t        worker(order).doWork()\n   123\t        worker(order).doWork()\n   124\t        assertEquals(2, fakeApi.storedSignatures(\"wo-7731\").size)\n   125\t        assertEquals(2, fakeApi.uploadSignatureCalls)\n   126\t    }"),
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Run the new test to see it fail.\nCOMMAND:\ncd {_fk} && ./gradlew testDebugUnitTest --console=plain 2>&1 | tail -80",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=1)**\n" + _gradle_test_out(41, "retryDoesNotReuploadSignatures"),
    _edit_obs(_fk + "/app/src/main/java/no/fjordline/fieldkit/net/FieldApi.kt", "    15\t    @Multipart\n    16\t    @POST(\"v3/work-orders/{id}/signatures\")\n    17\t    suspend fun uploadSignature(\n    18\t        @Path(\"id\") id: String,\n    19\t        @Header(\"Idempotency-Key\") idempotencyKey: String,\n    20\t        @Part file: MultipartBody.Part,\n    21\t    ): SignatureDto"),
    _edit_obs(_fk + "/app/src/main/java/no/fjordline/fieldkit/sync/WorkOrderSyncWorker.kt", "    30\t                signatures.forOrder(order.id).filter { !it.uploaded }.forEach { sig ->\n    31\t                    api.uploadSignature(order.id, \"sig-${sig.clientUuid}\", sig.toPart())\n    32\t                    signatures.markUploaded(sig.id)\n    33\t                }"),
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: SignatureEntity needs a stable clientUuid generated at capture time; check the entity and add a Room migration.\nCOMMAND:\ncd {_fk} && cat app/src/main/java/no/fjordline/fieldkit/data/SignatureEntity.kt && ls app/schemas/no.fjordline.fieldkit.data.AppDatabase/",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\npackage no.fjordline.fieldkit.data\n\nimport androidx.room.Entity\nimport androidx.room.PrimaryKey\n\n@Entity(tableName = \"signatures\")\ndata class SignatureEntity(\n    @PrimaryKey(autoGenerate = true) val id: Long = 0,\n    val orderId: String,\n    val pngPath: String,\n    val signerName: String,\n    val capturedAt: Long,\n    val uploaded: Boolean = false,\n)\n11.json\n12.json\n13.json",
    _edit_obs(_fk + "/app/src/main/java/no/fjordline/fieldkit/data/SignatureEntity.kt", "     7\tdata class SignatureEntity(\n     8\t    @PrimaryKey(autoGenerate = true) val id: Long = 0,\n     9\t    val orderId: String,\n    10\t    val clientUuid: String = UUID.randomUUID().toString(),\n    11\t    val pngPath: String,"),
    _edit_obs(_fk + "/app/src/main/java/no/fjordline/fieldkit/data/AppDatabase.kt", "    22\tval MIGRATION_13_14 = object : Migration(13, 14) {\n    23\t    override fun migrate(db: SupportSQLiteDatabase) {\n    24\t        db.execSQL(\"ALTER TABLE signatures ADD COLUMN clientUuid TEXT NOT NULL DEFAULT ''\")\n    25\t        db.execSQL(\"UPDATE signatures SET clientUuid = lower(hex(randomblob(16))) WHERE clientUuid = ''\")\n    26\t    }\n    27\t}"),
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Run the unit tests again.\nCOMMAND:\ncd {_fk} && ./gradlew testDebugUnitTest --console=plain 2>&1 | tail -80",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n" + _gradle_test_out(42, None),
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Lint before finishing.\nCOMMAND:\ncd {_fk} && ./gradlew ktlintCheck --console=plain 2>&1 | tail -15",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n> Task :app:runKtlintCheckOverMainSourceSet\n> Task :app:runKtlintCheckOverTestSourceSet\n> Task :app:ktlintMainSourceSetCheck\n> Task :app:ktlintTestSourceSetCheck\n> Task :app:ktlintCheck\n\nBUILD SUCCESSFUL in 9s\n6 actionable tasks: 4 executed, 2 up-to-date",
    "**MessageAction** (source=EventSource.USER)\nCONTENT: also the migration needs a test, we got burned by a broken room migration in 3.6",
]

ohc(
    "f-oh-001", "simple",
    "The condenser call compresses a finished stretch of agent events into the fixed summary template: bookkeeping, however much code the events contain.",
    _oh1_events,
)

_oh2_events = [
    "**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: List what the staging cleanup would remove, dry run only.\nCOMMAND:\ncd /workspace/platform-infra && aws s3 rm s3://acme-staging-uploads/tmp/ --recursive --dryrun --profile staging | tail -25",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n" + "\n".join(
        f"(dryrun) delete: s3://acme-staging-uploads/tmp/{random.Random(i).choice(['chunk', 'part', 'mpu'])}-{random.Random(i + 500).randrange(10**7, 10**8)}/{random.Random(i + 900).randrange(1, 40):03d}.bin" for i in range(25)),
    "**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: How much is there in total?\nCOMMAND:\naws s3 ls s3://acme-staging-uploads/tmp/ --recursive --summarize --profile staging | tail -2",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\nTotal Objects: 1844120\n   Total Size: 3917244188311",
    "**AgentThinkAction**\nTHOUGHT: 3.9 TB of abandoned multipart parts in staging. The prod bucket has a 7-day lifecycle rule on tmp/ but staging does not. Adding the same rule in terraform/staging is the clean fix; deleting by hand is not needed once the rule exists because S3 applies it within a day or two.",
    "**FileEditObservation**\nThe file /workspace/platform-infra/terraform/staging/main.tf has been edited. Here's the result of running `cat -n` on a snippet of /workspace/platform-infra/terraform/staging/main.tf:\n    41\tresource \"aws_s3_bucket_lifecycle_configuration\" \"uploads\" {\n    42\t  bucket = aws_s3_bucket.uploads.id\n    43\t  rule {\n    44\t    id     = \"tmp-expiry\"\n    45\t    status = \"Enabled\"\n    46\t    filter { prefix = \"tmp/\" }\n    47\t    expiration { days = 7 }\n    48\t    abort_incomplete_multipart_upload { days_after_initiation = 2 }\n    49\t  }\n    50\t}\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
    "**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Plan staging only.\nCOMMAND:\ncd /workspace/platform-infra && terraform -chdir=terraform/staging plan -input=false -no-color | tail -20",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\nTerraform will perform the following actions:\n\n  # aws_s3_bucket_lifecycle_configuration.uploads will be created\n  + resource \"aws_s3_bucket_lifecycle_configuration\" \"uploads\" {\n      + bucket = \"acme-staging-uploads\"\n      + id     = (known after apply)\n\n      + rule {\n          + id     = \"tmp-expiry\"\n          + status = \"Enabled\"\n          + abort_incomplete_multipart_upload { + days_after_initiation = 2 }\n          + expiration { + days = 7 }\n          + filter { + prefix = \"tmp/\" }\n        }\n    }\n\nPlan: 1 to add, 0 to change, 0 to destroy.",
    "**MessageAction** (source=EventSource.AGENT)\nCONTENT: The staging plan adds only the lifecycle rule (1 to add, 0 to change, 0 to destroy). I did not delete anything. Should I open a PR with this change so it goes through the infra-apply workflow?",
    "**MessageAction** (source=EventSource.USER)\nCONTENT: yes open the PR. and add the abort_incomplete_multipart_upload line to prod too in the same PR, prod doesn't have it",
]

ohc(
    "f-oh-002", "simple",
    "Summarising events about bucket cleanup into the condenser template is bookkeeping; the deletions in the events are history, not the task.",
    _oh2_events,
    previous="USER_CONTEXT: Staging S3 bill jumped; find what is filling acme-staging-uploads and stop it growing. Do not delete anything without asking.\nCOMPLETED: Found tmp/ prefix holds most objects; confirmed prod has a 7-day tmp/ lifecycle rule\nPENDING: Propose fix for staging\nCURRENT_STATE: AWS profile staging, read-only checks so far\nVERSION_CONTROL_STATUS: branch kofi/uploads-lifecycle, no commits yet",
)

oh(
    "f-oh-003", "simple",
    "The grep already shows the container image tag, so the answer is reading one fact back to the user.",
    "ledger",
    [
        U("which postgres version do the Testcontainers tests run against? I want the same one in my local docker"),
        sh("grep -rn 'PostgreSQLContainer\\|postgres:' src/test/ build.gradle.kts docker-compose*.yml 2>/dev/null",
           "src/test/java/com/acme/ledger/support/PostgresContainerSupport.java:14:    static final PostgreSQLContainer<?> PG = new PostgreSQLContainer<>(DockerImageName.parse(\"postgres:15.6-alpine\"))\nsrc/test/java/com/acme/ledger/support/PostgresContainerSupport.java:15:        .withDatabaseName(\"ledger_test\")\ndocker-compose.yml:4:    image: postgres:15-alpine"),
    ],
)

oh(
    "f-oh-004", "simple",
    "The lint run has finished and the remaining warnings are listed, so the next step is reporting them as the user asked.",
    "web",
    [
        U("run pnpm lint --fix and tell me what's left that it couldn't fix. don't fix those by hand"),
        sh("cd /workspace/web-dashboard && pnpm lint --fix",
           "\n> web-dashboard@0.1.0 lint /workspace/web-dashboard\n> next lint --fix\n\n\n./src/components/InvoiceTable.tsx\n61:6  Warning: React Hook useMemo has a missing dependency: 'timeZone'. Either include it or remove the dependency array.  react-hooks/exhaustive-deps\n\n./src/components/CustomerSearch.tsx\n31:13  Warning: Visible, non-interactive elements with click handlers must have at least one keyboard listener.  jsx-a11y/click-events-have-key-events\n31:13  Warning: Avoid non-native interactive elements. If using native HTML is not possible, add an appropriate role and support for tabbing, mouse, key events, and focus.  jsx-a11y/no-static-element-interactions\n\n./src/app/settings/page.tsx\n12:10  Warning: 'useFlag' is defined but never used.  @typescript-eslint/no-unused-vars\n\ninfo  - Need to disable some ESLint rules? Learn more here: https://nextjs.org/docs/basic-features/eslint#disabling-rules",
           secs=14.0),
    ],
)

oh(
    "f-oh-005", "simple",
    "Running the project's formatter on the file CI names and pushing to the PR branch are documented commands.",
    "notifier",
    [U("CI is red on my PR only because of `mix format --check-formatted` complaining about lib/notifier/mailer.ex. run mix format, commit as \"style: mix format\" and push to the PR branch (lucia/digest-batching)")],
)

oh(
    "f-oh-006", "medium",
    "A tenant-scoped soft-delete endpoint with tests follows the existing get_customer pattern in one router.",
    "payments",
    [
        U("Add DELETE /v1/customers/{customer_id}: soft delete (set deleted_at = now()), scoped to the caller's tenant exactly like get_customer, 404 for unknown ids or ids from another tenant, 204 on success, deleting twice is a 404. Tests go in tests/api/test_customers.py."),
        rd(f"{W}/payments-api/app/api/customers.py", PAY["app/api/customers.py"]),
        sh("sed -n '1,40p' tests/api/test_customers.py", "import pytest\n\nfrom app.db.models import Customer\n\npytestmark = pytest.mark.asyncio\n\n\nasync def test_list_customers_scoped_to_tenant(client, db_session, customer_factory):\n    await customer_factory(tenant_id=\"ten_a\", country=\"DE\")\n    await customer_factory(tenant_id=\"ten_b\", country=\"FR\")\n    r = await client.get(\"/v1/customers\", headers={\"X-Test-Tenant\": \"ten_a\"})\n    assert r.status_code == 200\n    assert [c[\"country\"] for c in r.json()] == [\"DE\"]\n\n\nasync def test_get_customer_404_other_tenant(client, customer_factory):\n    c = await customer_factory(tenant_id=\"ten_b\")\n    r = await client.get(f\"/v1/customers/{c.id}\", headers={\"X-Test-Tenant\": \"ten_a\"})\n    assert r.status_code == 404\n"),
    ],
)

_MAIN_C = """#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "stats.h"

static void usage(void) { fputs("usage: csvstat [-d DELIM] FILE|-\\n", stderr); }

/* Excel writes a UTF-8 BOM in front of the first header cell. */
static void strip_bom(char *s) {
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) {
        memmove(s, s + 3, strlen(s + 3) + 1);
    }
}

int main(int argc, char **argv) {
    char delim = ',';
    int opt;
    while ((opt = getopt(argc, argv, "d:h")) != -1) {
        switch (opt) {
        case 'd': delim = optarg[0]; break;
        case 'h': usage(); return 0;
        default: usage(); return 2;
        }
    }
    if (optind >= argc) {
        usage();
        return 2;
    }
    const char *path = argv[optind];
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!in) {
        fprintf(stderr, "csvstat: %s: %s\\n", path, strerror(errno));
        return 1;
    }
    table_t *t = csv_read(in, delim);
    if (in != stdin) fclose(in);
    if (!t) {
        fprintf(stderr, "csvstat: out of memory\\n");
        return 1;
    }
    strip_bom(t->header[0]);
    int rc = print_stats(t, stdout);
    table_free(t);
    return rc == 0 ? 0 : 1;
}
"""

_CSV_C_HEAD = """#define _POSIX_C_SOURCE 200809L
#include "csv.h"

#include <stdlib.h>
#include <string.h>

static void strip_newline(char *line, ssize_t len) {
    while (len > 0 && (line[len - 1] == '\\n' || line[len - 1] == '\\r')) line[--len] = '\\0';
}

static row_t split_row(const char *line, char delim) {
    row_t row = {0};
    size_t cap = 8;
    row.cells = malloc(cap * sizeof *row.cells);
    const char *start = line;
    for (const char *p = line;; p++) {
        if (*p == delim || *p == '\\0') {
            if (row.ncells == cap) row.cells = realloc(row.cells, (cap *= 2) * sizeof *row.cells);
            row.cells[row.ncells++] = strndup(start, (size_t)(p - start));
            if (*p == '\\0') break;
            start = p + 1;
        }
    }
    return row;
}

static void push_row(table_t *t, row_t row) {
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->rows = realloc(t->rows, t->cap * sizeof *t->rows);
    }
    t->rows[t->nrows++] = row;
}

table_t *csv_read(FILE *in, char delim) {
    table_t *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int first = 1;
    while ((len = getline(&line, &cap, in)) != -1) {
        strip_newline(line, len);
        row_t row = split_row(line, delim);
        if (first) {
            t->header = row.cells;
            t->ncols = row.ncells;
            first = 0;
            continue;
        }
        push_row(t, row);
    }
    free(line);
    return t;
}
"""

oh(
    "f-oh-007", "medium",
    "The backtrace stops in strip_bom dereferencing the NULL header of an empty input, so the cause is on the trace line and the fix is local.",
    "csvstat",
    [
        U("csvstat segfaults on an empty file (0 bytes) instead of printing an error. header-only files work. fix it and add a case to tests/run.sh"),
        sh("cd /workspace/csvstat && make -s && : > /tmp/empty.csv && gdb -q -batch -ex run -ex bt -ex 'frame 1' -ex 'p *t' --args ./csvstat /tmp/empty.csv",
           "Program received signal SIGSEGV, Segmentation fault.\n0x00005555555552b4 in strip_bom (s=<error: Cannot access memory at address 0x0>) at src/main.c:14\n14\t    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) {\n#0  0x00005555555552b4 in strip_bom (s=0x0) at src/main.c:14\n#1  main (argc=2, argv=0x7fffffffe1d8) at src/main.c:45\n(gdb) p *t\n$1 = {header = 0x0, ncols = 0, rows = 0x0, nrows = 0, cap = 0}",
           code=0, secs=2.2),
        rd(f"{W}/csvstat/src/main.c", _MAIN_C),
        rd(f"{W}/csvstat/src/csv.c", _CSV_C_HEAD, start=35, end=55),
    ],
)

oh(
    "f-oh-008", "medium",
    "Explaining how one loader function deduplicates vertices and what its hash key implies is explaining a module.",
    "render",
    [
        U("I'm new on render-core. can you explain how MeshLoader::loadObj dedups vertices: what exactly the key is, what VertexKeyHash does and whether it's a good hash, and whether two faces that share a position but have different normals end up sharing a vertex? also what happens with OBJ files that use negative indices or `f v//vn` without uvs"),
        rd(f"{W}/render-core/src/mesh/MeshLoader.cpp", REN["src/mesh/MeshLoader.cpp"]),
    ],
)

_PROGRAM_CS = """using Orders.Api.Endpoints;
using Orders.Infrastructure;
using Microsoft.EntityFrameworkCore;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddDbContext<OrdersDbContext>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Orders")));
builder.Services.AddScoped<IOrderRepository, OrderRepository>();
builder.Services.AddScoped<IOrderEventsRepository, OrderEventsRepository>();
builder.Services.AddProblemDetails();
builder.Services.AddAuthentication().AddJwtBearer();
builder.Services.AddAuthorization();

var app = builder.Build();

app.UseExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();

app.MapOrderEndpoints();
app.MapHealthChecks("/healthz");

app.Run();

public partial class Program;
"""

_ORDER_ENDPOINTS_CS = """using Orders.Domain;
using Orders.Infrastructure;

namespace Orders.Api.Endpoints;

public static class OrderEndpoints
{
    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/orders").RequireAuthorization();

        group.MapGet("/{id:guid}", async (Guid id, IOrderRepository orders, CancellationToken ct) =>
            await orders.FindAsync(id, ct) is { } order ? Results.Ok(OrderDto.From(order)) : Results.NotFound());

        group.MapGet("/", async (Guid customerId, int? limit, IOrderRepository orders, CancellationToken ct) =>
            Results.Ok((await orders.ListForCustomerAsync(customerId, Math.Clamp(limit ?? 50, 1, 200), ct)).Select(OrderDto.From)));

        return app;
    }
}
"""

_ORDER_EVENTS_REPO_CS = """using Microsoft.EntityFrameworkCore;
using Orders.Domain;

namespace Orders.Infrastructure;

public interface IOrderEventsRepository
{
    Task<IReadOnlyList<OrderEvent>> ForOrderAsync(Guid orderId, CancellationToken ct);
    Task AppendAsync(OrderEvent evt, CancellationToken ct);
}

public sealed class OrderEventsRepository(OrdersDbContext db) : IOrderEventsRepository
{
    public async Task<IReadOnlyList<OrderEvent>> ForOrderAsync(Guid orderId, CancellationToken ct) =>
        await db.OrderEvents
            .Where(e => e.OrderId == orderId)
            .Select(e => new OrderEvent(e.Id, e.OrderId, e.Kind, e.ActorId, e.OccurredAt, e.PayloadJson))
            .ToListAsync(ct);

    public async Task AppendAsync(OrderEvent evt, CancellationToken ct)
    {
        db.OrderEvents.Add(OrderEventRow.From(evt));
        await db.SaveChangesAsync(ct);
    }
}
"""

oh(
    "f-oh-009", "medium",
    "One new read endpoint over an existing repository, following the file's own mapping pattern, plus a test, is a small feature.",
    "orders",
    [
        U("add GET /api/orders/{id}/timeline: returns the order's events oldest first as { kind, actorId, occurredAt, payload } (payload parsed from PayloadJson, not a string). 404 if the order doesn't exist, empty list if it has no events. add an integration test next to the existing ones in tests/Orders.Api.Tests"),
        rd(f"{W}/orders-svc/src/Orders.Api/Program.cs", _PROGRAM_CS),
        rd(f"{W}/orders-svc/src/Orders.Api/Endpoints/OrderEndpoints.cs", _ORDER_ENDPOINTS_CS),
        rd(f"{W}/orders-svc/src/Orders.Infrastructure/OrderEventsRepository.cs", _ORDER_EVENTS_REPO_CS),
        sh("ls tests/Orders.Api.Tests/", "ApiFactory.cs\nGetOrderTests.cs\nListOrdersTests.cs\nOrders.Api.Tests.csproj\nPostgresFixture.cs"),
    ],
)

oh(
    "f-oh-010", "complex",
    "Merging duplicate accounts in production re-points ledger entries and deletes rows in a release migration, so it needs verification, a reversible plan and warnings before any SQL.",
    "ledger",
    [
        U("We have about 3,100 duplicate accounts in prod (same merchant_id + external_ref), created by the double-submit bug that 4.15 fixed. Write the Flyway migration that merges each group into its oldest account: move the entries over, recompute the balance, delete the duplicates, then add a unique constraint on (merchant_id, external_ref) so it can't happen again. It should go out with tonight's release."),
        sh("ls src/main/resources/db/migration | tail -6", "V55__payout_retry_state.sql\nV56__transfers_reference_idx.sql\nV57__accounts_external_ref.sql\nV58__entries_created_at_idx.sql\nV59__payout_batches.sql\nV60__merchant_settlement_prefs.sql"),
        sh("psql \"$LEDGER_DEV_URL\" -c \"select count(*) as groups, sum(n) as rows from (select merchant_id, external_ref, count(*) n from accounts group by 1,2 having count(*) > 1) d;\" -c \"select pg_size_pretty(pg_total_relation_size('entries')), (select count(*) from entries) as entries;\"",
           " groups | rows\n--------+------\n     41 |   83\n(1 row)\n\n pg_size_pretty |  entries\n----------------+-----------\n 1822 MB        | 19733104\n(1 row)"),
    ],
)

# --------------------------------------------------------------------------- a failing loop on a WebKit-only e2e failure (web)


def _pw_report(seed: int, attempt: int) -> str:
    rng = random.Random(seed)
    out = ["", "> web-dashboard@0.1.0 test:e2e /workspace/web-dashboard", "> playwright test --project=chromium --project=firefox --project=webkit --reporter=list", "",
           "Running 84 tests using 4 workers", ""]
    specs = ["auth/login.spec.ts", "auth/logout.spec.ts", "billing/invoices-list.spec.ts", "billing/invoice-detail.spec.ts", "billing/upgrade-plan.spec.ts",
             "billing/payment-method.spec.ts", "team/invite.spec.ts", "team/roles.spec.ts", "customers/search.spec.ts", "customers/detail.spec.ts",
             "settings/appearance.spec.ts", "settings/timezone.spec.ts", "reports/revenue.spec.ts", "reports/export.spec.ts"]
    titles = {"billing/upgrade-plan.spec.ts": ["upgrade from Starter to Pro shows proration and confirms", "downgrade is scheduled for period end"]}
    n = 0
    fail_line = None
    for proj in ["chromium", "firefox", "webkit"]:
        for spec in specs:
            for title in titles.get(spec, [f"{spec.split('/')[1].replace('.spec.ts', '').replace('-', ' ')} works", f"{spec.split('/')[0]} {rng.choice(['renders', 'handles empty state', 'paginates', 'keeps filters'])}"]):
                n += 1
                ms = rng.randrange(800, 9000)
                if proj == "webkit" and title.startswith("upgrade from Starter"):
                    out.append(f"  ✘  {n} [{proj}] › {spec}:{14}:{7} › {title} ({10000 + rng.randrange(0, 900)}ms)")
                    fail_line = n
                else:
                    out.append(f"  ✓  {n} [{proj}] › {spec}:{rng.randrange(5, 60)}:{rng.randrange(3, 9)} › {title} ({ms}ms)")
    details = {
        1: ["    Error: locator.click: Timeout 10000ms exceeded.", "    Call log:", "      - waiting for getByRole('button', { name: 'Confirm upgrade' })",
            "      -   locator resolved to <button disabled type=\"submit\" class=\"btn-primary\">Confirm upgrade</button>", "      - attempting click action",
            "      -   waiting for element to be visible, enabled and stable", "      -   element is not enabled", "      - retrying click action, attempt #1"] + [f"      -   element is not enabled (attempt #{i})" for i in range(2, 18)],
        2: ["    Error: locator.click: Timeout 10000ms exceeded.", "    Call log:", "      - waiting for getByRole('button', { name: 'Confirm upgrade' })",
            "      -   locator resolved to <button disabled type=\"submit\" class=\"btn-primary\">Confirm upgrade</button>", "      - waiting for load state 'networkidle'", "      -   \"networkidle\" event fired",
            "      - attempting click action"] + [f"      -   element is not enabled (attempt #{i})" for i in range(1, 19)],
        3: ["    Error: expect(locator).toHaveText(expected)", "", "    Locator: getByTestId('current-plan')", "    Expected string: \"Pro\"", "    Received string: \"Starter\"",
            "    Call log:", "      - expect.toHaveText with timeout 5000ms", "      - waiting for getByTestId('current-plan')"] + ["      -   locator resolved to <span data-testid=\"current-plan\">Starter</span>" for _ in range(9)] + ["      -   unexpected value \"Starter\""],
        4: ["    Error: expect(locator).toHaveText(expected)", "", "    Locator: getByTestId('proration-amount')", "    Expected pattern: /€\\d+\\.\\d{2}/", "    Received string: \"€NaN\"",
            "    Call log:", "      - expect.toHaveText with timeout 15000ms", "      - waiting for getByTestId('proration-amount')"] + ["      -   locator resolved to <strong data-testid=\"proration-amount\">€NaN</strong>" for _ in range(12)] + ["      -   unexpected value \"€NaN\""],
    }[attempt]
    out += ["", "  1) [webkit] › billing/upgrade-plan.spec.ts:14:7 › upgrade from Starter to Pro shows proration and confirms ", "", *details]
    out += ["", "       at /workspace/web-dashboard/e2e/billing/upgrade-plan.spec.ts:31:58", "",
            "    attachment #1: trace (application/zip) ─────────────────────────────────────────────", f"    test-results/billing-upgrade-plan-upgrade-fro-{rng.randrange(10**4, 10**5)}-webkit/trace.zip",
            "    Usage:", "", f"        pnpm exec playwright show-trace test-results/billing-upgrade-plan-upgrade-fro-{rng.randrange(10**4, 10**5)}-webkit/trace.zip", "",
            "  1 failed", "    [webkit] › billing/upgrade-plan.spec.ts:14:7 › upgrade from Starter to Pro shows proration and confirms ", f"  {n - 1} passed ({rng.randrange(2, 4)}.{rng.randrange(0, 9)}m)", " ELIFECYCLE  Test failed. See above for more details."]
    assert fail_line
    return "\n".join(out)


_UPGRADE_SPEC = """import { test, expect } from "@playwright/test";
import { loginAs } from "../fixtures/auth";

test.describe("upgrade plan", () => {
  test.beforeEach(async ({ page }) => {
    await loginAs(page, "owner@starter-tenant.test");
    await page.goto("/settings/billing");
  });

  test("upgrade from Starter to Pro shows proration and confirms", async ({ page }) => {
    await page.getByRole("button", { name: "Change plan" }).click();
    await page.getByRole("radio", { name: /Pro/ }).check();
    await expect(page.getByTestId("proration-amount")).toBeVisible();
    await page.getByRole("button", { name: "Confirm upgrade" }).click();
    await expect(page.getByTestId("current-plan")).toHaveText("Pro");
  });
});
"""

_PLAN_DIALOG_TSX = """"use client";

import { useMemo, useState } from "react";
import { trpc } from "@/lib/trpc";
import { formatMoney } from "@/utils/money";

type Plan = { id: string; name: string; monthlyMinor: number; currency: string };

export function ChangePlanDialog({ current, plans, periodEnd }: { current: Plan; plans: Plan[]; periodEnd: string }) {
  const [selected, setSelected] = useState<Plan | null>(null);
  const change = trpc.billing.changePlan.useMutation();

  const prorationMinor = useMemo(() => {
    if (!selected) return null;
    const end = new Date(periodEnd); // "2025-10-31 23:59:59" from the billing API
    const daysLeft = Math.ceil((end.getTime() - Date.now()) / 86_400_000);
    const daily = (selected.monthlyMinor - current.monthlyMinor) / 30;
    return Math.round(daily * daysLeft);
  }, [selected, current, periodEnd]);

  const canConfirm = selected !== null && prorationMinor !== null && prorationMinor >= 0 && !change.isPending;

  return (
    <dialog open className="rounded-lg p-6 shadow-xl">
      <h2 className="text-lg font-semibold">Change plan</h2>
      {plans.map((p) => (
        <label key={p.id} className="flex items-center gap-2 py-1">
          <input type="radio" name="plan" aria-label={p.name} checked={selected?.id === p.id} onChange={() => setSelected(p)} />
          {p.name} · {formatMoney({ amountMinor: p.monthlyMinor, currency: p.currency })}/mo
        </label>
      ))}
      {prorationMinor !== null && (
        <p className="mt-3 text-sm">
          Due today: <strong data-testid="proration-amount">{formatMoney({ amountMinor: prorationMinor, currency: current.currency })}</strong>
        </p>
      )}
      <button type="submit" className="btn-primary mt-4" disabled={!canConfirm} onClick={() => selected && change.mutate({ planId: selected.id })}>
        Confirm upgrade
      </button>
    </dialog>
  );
}
"""

_oh11_steps = [
    U("The upgrade-plan e2e test fails on webkit only, in CI and locally (chromium and firefox pass). It started after the billing page redesign. Please make it pass on all three browsers. If the app is broken on Safari, fix the app, not the test."),
    todo(("in_progress", "Reproduce the webkit failure"), ("pending", "Find the cause"), ("pending", "Fix and run all three browsers")),
    sh("cd /workspace/web-dashboard && pnpm test:e2e 2>&1 | tail -130", _pw_report(61, 1), code=1, secs=212.0),
    rd(f"{W}/web-dashboard/e2e/billing/upgrade-plan.spec.ts", _UPGRADE_SPEC),
    rd(f"{W}/web-dashboard/src/components/billing/ChangePlanDialog.tsx", _PLAN_DIALOG_TSX),
    A("The button stays disabled on webkit. My first guess is a timing issue: the proration query may not have resolved yet when the test clicks. I'll wait for network idle before confirming."),
    ed(f"{W}/web-dashboard/e2e/billing/upgrade-plan.spec.ts", "    await page.getByRole(\"button\", { name: \"Confirm upgrade\" }).click();",
       "    await page.waitForLoadState(\"networkidle\");\n    await page.getByRole(\"button\", { name: \"Confirm upgrade\" }).click();"),
    sh("cd /workspace/web-dashboard && pnpm test:e2e --project=webkit 2>&1 | tail -130", _pw_report(62, 2), code=1, secs=96.0),
    A("Still disabled after network idle. Trying a forced click to see whether the mutation itself works on webkit."),
    ed(f"{W}/web-dashboard/e2e/billing/upgrade-plan.spec.ts", "    await page.getByRole(\"button\", { name: \"Confirm upgrade\" }).click();",
       "    await page.getByRole(\"button\", { name: \"Confirm upgrade\" }).click({ force: true });"),
    sh("cd /workspace/web-dashboard && pnpm test:e2e --project=webkit 2>&1 | tail -130", _pw_report(63, 3), code=1, secs=94.0),
    A("The forced click on a disabled button does nothing, so the plan stays Starter. Reverting both test changes; the problem is in the app."),
    sh("cd /workspace/web-dashboard && git checkout -- e2e/billing/upgrade-plan.spec.ts && git status --short", " M src/components/billing/ChangePlanDialog.tsx"),
    A("Maybe the radio's onChange does not fire on webkit when it is checked via aria-label, so nothing is selected. Clicking the label text instead, and asserting the amount format so the failure says more."),
    ed(f"{W}/web-dashboard/e2e/billing/upgrade-plan.spec.ts", "    await page.getByRole(\"radio\", { name: /Pro/ }).check();\n    await expect(page.getByTestId(\"proration-amount\")).toBeVisible();",
       "    await page.getByText(/^Pro ·/).click();\n    await expect(page.getByTestId(\"proration-amount\")).toHaveText(/€\\d+\\.\\d{2}/, { timeout: 15000 });"),
    sh("cd /workspace/web-dashboard && pnpm test:e2e --project=webkit 2>&1 | tail -130", _pw_report(64, 4), code=1, secs=101.0),
]

oh(
    "f-oh-011", "complex",
    "Three test-side attempts at a WebKit-only failure have not worked and the latest result shows a NaN amount, so the cause is in the app and still has to be found.",
    "web",
    _oh11_steps,
)

_ROLLUP_SCALA = """package com.northwind.revenue

import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.sql.functions._

object MonthlyRevenueRollup {
  def main(args: Array[String]): Unit = {
    val month = args(0) // "2025-09"
    val spark = SparkSession.builder().appName(s"monthly-revenue-$month").getOrCreate()
    import spark.implicits._

    val payments = spark.read.format("delta").load("s3://nw-lake/payments/")
      .where($"event_month" === month && $"status".isin("succeeded", "refunded"))
    val merchants = spark.read.format("delta").load("s3://nw-lake/merchants/")
    val taxRates = spark.read.format("delta").load("s3://nw-lake/tax_rates/")

    val enriched = payments
      .join(merchants, Seq("merchant_id"), "left")
      .join(taxRates, Seq("country", "tax_category"), "left")
      .withColumn("net_minor", when($"status" === "refunded", -$"amount_minor").otherwise($"amount_minor"))
      .withColumn("tax_minor", round($"net_minor" * coalesce($"rate", lit(0.0))).cast("long"))

    val perMerchant = enriched
      .groupBy($"merchant_id", $"currency")
      .agg(
        sum($"net_minor").as("net_minor"),
        sum($"tax_minor").as("tax_minor"),
        count(lit(1)).as("payments"),
        collect_list(struct($"payment_id", $"net_minor", $"tax_category")).as("lines") // for the statement PDF
      )

    perMerchant.write.format("delta").mode("overwrite")
      .option("replaceWhere", s"month = '$month'")
      .save("s3://nw-lake/rollups/monthly_revenue/")
  }
}
"""

_SPARK_LOG = """25/10/01 03:41:12 INFO DAGScheduler: Submitting 400 missing tasks from ShuffleMapStage 14 (MapPartitionsRDD[61] at save at MonthlyRevenueRollup.scala:33)
25/10/01 03:41:12 INFO TaskSchedulerImpl: Adding task set 14.0 with 400 tasks resource profile 0
25/10/01 03:43:55 INFO TaskSetManager: Finished task 371.0 in stage 14.0 (TID 9184) in 4211 ms on 10.0.47.112 (executor 23) (1/400)
25/10/01 03:44:02 INFO TaskSetManager: Finished task 12.0 in stage 14.0 (TID 8825) in 6530 ms on 10.0.33.61 (executor 7) (2/400)
...
25/10/01 03:47:31 INFO TaskSetManager: Finished task 208.0 in stage 14.0 (TID 9021) in 5902 ms on 10.0.41.9 (executor 15) (399/400)
25/10/01 04:19:48 WARN TaskSetManager: Lost task 117.0 in stage 14.0 (TID 8930) (10.0.52.18 executor 31): ExecutorLostFailure (executor 31 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding physical memory limits. 30.4 GB of 30 GB physical memory used.
25/10/01 04:19:48 INFO TaskSetManager: Starting task 117.1 in stage 14.0 (TID 9402) (10.0.39.77, executor 40, partition 117, NODE_LOCAL, 9231 bytes)
25/10/01 04:52:20 WARN TaskSetManager: Lost task 117.1 in stage 14.0 (TID 9402) (10.0.39.77 executor 40): ExecutorLostFailure (executor 40 exited caused by one of the running tasks) Reason: Container killed by YARN for exceeding physical memory limits. 30.2 GB of 30 GB physical memory used.
25/10/01 04:52:21 INFO TaskSetManager: Starting task 117.2 in stage 14.0 (TID 9403) (10.0.44.201, executor 44, partition 117, NODE_LOCAL, 9231 bytes)
25/10/01 05:24:57 WARN TaskSetManager: Lost task 117.2 in stage 14.0 (TID 9403) (10.0.44.201 executor 44): java.lang.OutOfMemoryError: Java heap space
	at java.base/java.util.Arrays.copyOf(Arrays.java:3537)
	at org.apache.spark.sql.catalyst.expressions.codegen.BufferHolder.grow(BufferHolder.java:80)
	at org.apache.spark.sql.catalyst.expressions.aggregate.Collect.update(collect.scala:72)
	at org.apache.spark.sql.execution.aggregate.SortBasedAggregationIterator.processCurrentSortedGroup(SortBasedAggregationIterator.scala:123)
25/10/01 05:24:57 ERROR TaskSetManager: Task 117 in stage 14.0 failed 4 times; aborting job
25/10/01 05:24:58 ERROR FileFormatWriter: Aborting job 4b7a1e2c-93d0-4e51-a8f6-0c2d9e7b1f34.
org.apache.spark.SparkException: Job aborted due to stage failure: Task 117 in stage 14.0 failed 4 times, most recent failure: Lost task 117.3 in stage 14.0 (TID 9404) (10.0.36.5 executor 47): java.lang.OutOfMemoryError: Java heap space

Stage 14 task metrics (from the Spark UI, completed tasks):
  shuffle read size   min 11.2 MiB   median 38.7 MiB   75th 44.1 MiB   max 61.0 MiB
  duration            min 3.1 s      median 5.8 s      75th 6.9 s      max 11.4 s
Task 117 (failed, at kill time):
  shuffle read size   27.9 GiB    records 212,448,019
"""

oh(
    "f-oh-012", "complex",
    "One partition of the monthly aggregate reads 28 GiB while the median task reads 39 MiB, so the fix is data-skew work in the job, not a memory bump, and the cause still has to be pinned down.",
    "spark",
    [
        U("MonthlyRevenueRollup died again on the Oct 1 run (OOM in stage 14, four attempts, job aborted). The daily job over the same data is fine. Driver log and the stage metrics are below. Fix it without just throwing bigger executors at it, finance needs the September rollup today.\n\n```\n" + _SPARK_LOG + "```"),
        rd(f"{W}/revenue-jobs/src/main/scala/com/northwind/revenue/MonthlyRevenueRollup.scala", _ROLLUP_SCALA),
        sh("cd /workspace/revenue-jobs && git log --oneline -5 -- src/main/scala/com/northwind/revenue/MonthlyRevenueRollup.scala",
           "61e0b2a monthly rollup: add tax breakdown (#57)\n2f8c1d4 monthly rollup: per-currency totals (#41)\n9a7e3b0 monthly rollup: initial version (#12)"),
    ],
)

oh(
    "f-oh-013", "complex",
    "Rotating a leaked JWT signing key without logging everyone out touches token issuing, verification and secret handling: an auth change where mistakes are expensive.",
    "payments",
    [
        U("The JWT signing key leaked (it was visible in a screenshot posted in a public Slack channel). We need to rotate it today. Change app/auth/tokens.py so we can hold several keys with a kid: new tokens are signed with the new key, tokens signed with the old key are still accepted for at most 15 minutes (the access TTL) and then the old key is dropped. No forced logout for everyone. Refresh tokens are opaque so they're not affected, right?"),
        rd(f"{W}/payments-api/app/auth/tokens.py", PAY["app/auth/tokens.py"]),
        sh("grep -rn 'jwt_signing_key\\|decode_access_token\\|JWT_SIGNING' app/ tests/ charts/ .env.example 2>/dev/null",
           "app/core/config.py:31:    jwt_signing_key: SecretStr = Field(alias=\"JWT_SIGNING_KEY\")\napp/auth/tokens.py:26:    return jwt.encode(claims, settings.jwt_signing_key, algorithm=\"HS256\")\napp/auth/tokens.py:30:    return jwt.decode(token, settings.jwt_signing_key, algorithms=[\"HS256\"], issuer=\"payments-api\")\napp/auth/deps.py:18:        claims = decode_access_token(token)\napp/api/webhooks_admin.py:44:    claims = decode_access_token(request.headers[\"X-Admin-Token\"])\ntests/auth/test_tokens.py:9:    monkeypatch.setattr(settings, \"jwt_signing_key\", \"test-key\")\n.env.example:6:JWT_SIGNING_KEY=dev-only-change-me"),
    ],
)

_REFUND_SERVICE_RB = """class RefundService
  Result = Struct.new(:ok, :refund, :error, keyword_init: true)

  def initialize(order, amount_cents: nil, reason: "requested_by_customer", actor:, to_store_credit: false)
    @order = order
    @amount_cents = amount_cents || order.refundable_cents
    @reason = reason
    @actor = actor
    @to_store_credit = to_store_credit
  end

  def call
    return Result.new(ok: false, error: "order not refundable") unless @order.status.in?(%w[paid shipped partially_refunded])
    return Result.new(ok: false, error: "amount exceeds refundable") if @amount_cents > @order.refundable_cents

    refund = @to_store_credit ? refund_to_store_credit : refund_to_gateway
    AuditLog.record!(actor: @actor, action: "refund", subject: refund)
    Result.new(ok: true, refund: refund)
  rescue PaymentGateway::Error => e
    Result.new(ok: false, error: e.message)
  end

  private

  def refund_to_store_credit
    Order.transaction do
      @order.customer.add_store_credit!(@amount_cents, reason: "refund of order #{@order.number}")
      refund = @order.refunds.create!(amount_cents: @amount_cents, reason: @reason, method: "store_credit", created_by: @actor)
      @order.update!(refunded_cents: @order.refunded_cents + @amount_cents,
                     status: @order.refundable_cents - @amount_cents <= 0 ? :refunded : :partially_refunded)
      refund
    end
  end

  def refund_to_gateway
    Order.transaction do
      gateway_refund = PaymentGateway.refund(
        charge_id: @order.payment.gateway_charge_id,
        amount: Money.new(@amount_cents, @order.currency).cents,
        idempotency_key: "refund-#{@order.id}-#{@order.refunds.count + 1}"
      )
      refund = @order.refunds.create!(amount_cents: @amount_cents, reason: @reason, method: "gateway",
                                      gateway_refund_id: gateway_refund.id, created_by: @actor)
      @order.update!(refunded_cents: @order.refunded_cents + @amount_cents,
                     status: @order.refundable_cents - @amount_cents <= 0 ? :refunded : :partially_refunded)
      refund
    end
  end
end
"""

_ADMIN_REFUNDS_RB = """module Admin
  class RefundsController < Admin::BaseController
    before_action :require_refund_permission!

    def create
      order = Order.find(params[:order_id])
      result = RefundService.new(order,
                                 amount_cents: params[:amount_cents].presence&.to_i,
                                 reason: params[:reason],
                                 actor: current_admin,
                                 to_store_credit: params[:method] == "store_credit").call
      if result.ok
        redirect_to admin_order_path(order), notice: "Refunded #{result.refund.amount.format}"
      else
        redirect_to admin_order_path(order), alert: result.error
      end
    end
  end
end
"""

oh(
    "f-oh-014", "complex",
    "Duplicate store-credit refunds from double submits are a concurrency and idempotency bug in money handling across the controller, service and database.",
    "shopfront",
    [
        U("A few customers got store credit twice for a single refund. Support says it happens when an admin double-clicks 'Refund to store credit' on the order page (the button has no disable-on-submit). Disabling the button is not enough, two admins can do it at the same time too. Fix it properly on the server side."),
        rd(f"{W}/shopfront/app/services/refund_service.rb", _REFUND_SERVICE_RB),
        rd(f"{W}/shopfront/app/controllers/admin/refunds_controller.rb", _ADMIN_REFUNDS_RB),
        sh("grep -n 'def add_store_credit!' -A8 app/models/customer.rb", "41:  def add_store_credit!(cents, reason:)\n42-    increment!(:store_credit_cents, cents)\n43-    store_credit_entries.create!(amount_cents: cents, reason: reason)\n44-  end"),
    ],
)

oh(
    "f-oh-015", "reasoning",
    "Threat-modelling user-uploaded SVGs rendered by a headless browser inside the payments network is security analysis that has to rank attack paths before any code.",
    "payments",
    [
        U("Product wants tenants to upload their logo (SVG or PNG, max 1 MB) and show it on invoice PDFs. The PDFs are rendered by a headless Chromium sidecar (pdf-renderer) that loads an HTML template from the API pod over http://localhost:8040/internal/invoices/{id}/html, with the logo inlined. The sidecar shares the pod network namespace with payments-api, and the pod can reach Postgres, Redis and the Stripe egress proxy. Before anyone writes code: threat model this. What can a malicious tenant do with an SVG (or a PNG that isn't one), what's the blast radius given where the renderer runs, rank the risks, and propose controls with their cost. Also tell me if sanitising the SVG is enough or if we need to rasterise it on upload."),
        sh("sed -n '1,40p' deploy/pdf-renderer/sidecar.yaml", "- name: pdf-renderer\n  image: ghcr.io/northwind/pdf-renderer:1.9.2   # puppeteer 22, chromium 124\n  args: [\"--port=9222\", \"--no-sandbox\", \"--disable-gpu\"]\n  env:\n    - name: RENDER_BASE_URL\n      value: http://localhost:8040\n  resources:\n    limits: { memory: 768Mi }\n  securityContext:\n    runAsNonRoot: true\n    readOnlyRootFilesystem: false"),
    ],
)

oh(
    "f-oh-016", "reasoning",
    "Picking a cross-region fan-out mechanism for live notifications means weighing consistency, latency and failure behaviour of three designs: an architecture decision.",
    "notifier",
    [
        U("We're adding a live in-app notification feed (web + mobile, ~120k concurrent sockets at peak, spread over our three regions). A user's devices can be connected to different regions (travel, mobile carriers routing oddly). Notifications are created by Oban workers in whichever region owns the tenant. Options: (1) Phoenix.PubSub with the Redis adapter on one global Redis, (2) Postgres LISTEN/NOTIFY per region plus a cross-region relay, (3) publish to our existing Kafka (MSK, one cluster per region with MirrorMaker 2) and have each region's socket nodes consume. Compare delivery latency, ordering per user, what happens during a region outage or a partition between regions, replay for devices that reconnect, and ops cost. Recommend one and say what you'd need to be true for the recommendation to flip."),
        sh("sed -n '1,30p' config/runtime.exs", "import Config\n\nif config_env() == :prod do\n  config :notifier, Notifier.Repo,\n    url: System.fetch_env!(\"DATABASE_URL\"),\n    pool_size: String.to_integer(System.get_env(\"POOL_SIZE\", \"20\"))\n\n  config :notifier, NotifierWeb.Endpoint,\n    url: [host: System.fetch_env!(\"PHX_HOST\"), port: 443, scheme: \"https\"],\n    http: [ip: {0, 0, 0, 0, 0, 0, 0, 0}, port: 4000]\n\n  config :notifier, Oban,\n    repo: Notifier.Repo,\n    queues: [email: 20, push: 40, digest: 5]\n\n  config :libcluster,\n    topologies: [k8s: [strategy: Cluster.Strategy.Kubernetes.DNS, config: [service: \"notifier-headless\", application_name: \"notifier\"]]]\nend"),
    ],
)

# --------------------------------------------------------------------------- out-of-order readings from NATed devices: evidence from four places (gateway)


def _gw_replica_log(seed: int, replica: str, devices: list[str]) -> str:
    rng = random.Random(seed)
    out = []
    t = 7 * 3600 + 12 * 60
    for _ in range(80):
        t += rng.random() * 3.0
        dev = rng.choice(devices)
        kind = rng.random()
        if kind < 0.65:
            out.append(f'{{"time":"2025-10-13T{_stamp(rng, t)}Z","level":"DEBUG","msg":"push","replica":"{replica}","device":"{dev}","seq_first":{rng.randrange(10**5, 10**6)},"records":{rng.randrange(1, 40)},"conn":"{rng.randrange(10**4, 10**5):x}","peer":"{rng.choice(["49.36", "49.37", "106.51", "117.98"])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}:{rng.randrange(1024, 65535)}"}}')
        elif kind < 0.85:
            out.append(f'{{"time":"2025-10-13T{_stamp(rng, t)}Z","level":"INFO","msg":"grpc stream opened","replica":"{replica}","device":"{dev}","peer":"{rng.choice(["49.36", "49.37", "106.51", "117.98"])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)}:{rng.randrange(1024, 65535)}","reason":"{rng.choice(["new", "reconnect after EOF", "reconnect after RST"])}"}}')
        else:
            out.append(f'{{"time":"2025-10-13T{_stamp(rng, t)}Z","level":"DEBUG","msg":"batch flushed","replica":"{replica}","key_count":{rng.randrange(200, 900)},"records":{rng.randrange(2000, 9000)},"took_ms":{rng.randrange(18, 240)}}}')
    return "\n".join(out) + "\n"


def _consumer_gaps(seed: int, devices: list[str]) -> str:
    rng = random.Random(seed)
    out = []
    t = 7 * 3600 + 12 * 60
    for _ in range(70):
        t += rng.random() * 4.5
        dev = rng.choice(devices)
        seq = rng.randrange(10**5, 10**6)
        if rng.random() < 0.7:
            out.append(f"2025-10-13T{_stamp(rng, t)}Z WARN readings-writer out-of-order device={dev} partition={rng.randrange(0, 192)} offset={rng.randrange(10**8, 10**9)} seq={seq} last_seq={seq + rng.randrange(1, 40)} gap_ms={rng.randrange(90, 420)} action=stored_late")
        else:
            out.append(f"2025-10-13T{_stamp(rng, t)}Z INFO readings-writer committed partition={rng.randrange(0, 192)} offset={rng.randrange(10**8, 10**9)} batch={rng.randrange(200, 2000)}")
    return "\n".join(out) + "\n"


def _nlb_flows(seed: int) -> str:
    rng = random.Random(seed)
    out = ["version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"]
    for _ in range(60):
        start = 1760339520 + rng.randrange(0, 1800)
        out.append(f"5 481920334711 eni-0{rng.randrange(10**15, 10**16):x} {rng.choice(['49.36', '49.37', '106.51', '117.98'])}.{rng.randrange(1, 255)}.{rng.randrange(1, 255)} 10.40.{rng.choice([3, 35, 67])}.{rng.randrange(10, 250)} {rng.randrange(1024, 65535)} 7070 6 {rng.randrange(3, 400)} {rng.randrange(300, 90000)} {start} {start + rng.randrange(20, 400)} ACCEPT OK")
    return "\n".join(out) + "\n"


_NAT_DEVICES = [f"dev-{n}" for n in (40117, 40922, 41873, 52210, 52311, 60457, 61112, 77802)]

oh(
    "f-oh-017", "reasoning",
    "Explaining why only NATed devices in one region show reordered readings requires a hypothesis that fits replica, consumer, load-balancer and config evidence together: cross-system root-cause analysis.",
    "gateway",
    [
        U("About 2% of devices show readings stored out of order in Postgres (readings-writer logs 'out-of-order ... stored_late'). Almost all of them are in ap-south-1 and on two mobile carriers that use carrier-grade NAT. Everything else is fine: same gateway build, same Kafka cluster, same consumer. I pulled logs from two gateway replicas, the consumer, and the NLB flow logs for one of the affected windows. Before we touch code: what is actually happening, step by step, and does it explain why it's only those carriers and only ap-south-1? What would confirm or kill your hypothesis?"),
        sh("kubectl -n ingest logs ingest-gateway-5d7f9c6b8-4wq2z --since-time=2025-10-13T07:12:00Z | grep -E 'dev-(40117|40922|41873|52210|52311|60457|61112|77802)|batch flushed' | head -80", _gw_replica_log(71, "4wq2z", _NAT_DEVICES), secs=2.1),
        sh("kubectl -n ingest logs ingest-gateway-5d7f9c6b8-h8k1m --since-time=2025-10-13T07:12:00Z | grep -E 'dev-(40117|40922|41873|52210|52311|60457|61112|77802)|batch flushed' | head -80", _gw_replica_log(72, "h8k1m", _NAT_DEVICES), secs=2.0),
        sh("kubectl -n ingest logs deploy/readings-writer --since-time=2025-10-13T07:12:00Z | grep -E 'out-of-order|committed' | head -70", _consumer_gaps(73, _NAT_DEVICES), secs=1.6),
        sh("aws logs filter-log-events --log-group-name /vpc/flow/ingest-nlb-ap-south-1 --start-time 1760339520000 --end-time 1760341320000 --filter-pattern '7070' --query 'events[].message' --output text | head -61", _nlb_flows(74), secs=3.2),
        sh("grep -n 'idle\\|keepalive\\|Keepalive' deploy/helm/ingest-gateway/values-ap-south-1.yaml cmd/gateway/main.go internal/grpcapi/*.go; grep -n 'Balancer\\|Key:' cmd/gateway/main.go internal/consumer/batcher.go",
           "deploy/helm/ingest-gateway/values-ap-south-1.yaml:31:  nlbIdleTimeoutSeconds: 350\ncmd/gateway/main.go:33:\twriter := &kafka.Writer{Addr: kafka.TCP(splitComma(*brokers)...), Topic: *topic, Balancer: &kafka.Hash{},\ninternal/consumer/batcher.go:58:\tb.batches[key] = append(b.batches[key], kafka.Message{Key: []byte(key), Value: value})"),
        think("Devices keep long-lived gRPC streams; no server keepalive configured. CGNAT on those carriers may expire idle mappings sooner than the NLB's 350s idle timeout, so the device reconnects from a new public port and the NLB can pick another replica. Each replica buffers up to 200ms per key before flushing. Need to check whether the timing of reconnects matches the gaps."),
    ],
)

oh(
    "f-oh-018", "reasoning",
    "The user wants proofs that the LRU's list and map invariants hold after every operation, or a counterexample sequence: a correctness argument.",
    "tidewater",
    [
        U("Before I make Lru generic over a slab allocator I want to know it's actually correct. State the invariants (doubly linked list consistency for head/tail/prev/next, map <-> nodes bijection, len <= cap, head is MRU and tail is LRU) and prove that get, put (new key, existing key, eviction) and get_or_insert_with preserve them. Pay attention to put on an existing key when it's already the head, and eviction when cap == 1. If any invariant can break, give me the shortest sequence of calls that breaks it."),
        rd(f"{W}/tidewater/src/cache/lru.rs", TW["src/cache/lru.rs"]),
    ],
)


# =========================================================================== Aider, Cline, plain OpenAI SDK calls

OPSCONSOLE = Project(
    "opsconsole", "ops-console", "brightcart/ops-console", "/Users/mei", "/Users/mei/work/ops-console", "darwin",
    "mei/drop-moment",
    "",
    "",
    notes="Internal operations console (React 18 + Vite + TypeScript).",
)
_INLINE[OPSCONSOLE.key] = OPSCONSOLE

other(
    "f-ot-o01", "simple",
    "Aider's commit-message call turns a small diff into one conventional line: harness bookkeeping.",
    openai_sdk("f-ot-o01", [
        {"role": "system", "content": P.AIDER_COMMIT},
        {"role": "user", "content": "# Diffs:\ndiff --git a/app/build.gradle.kts b/app/build.gradle.kts\nindex 7c1e2a4..b90d3f1 100644\n--- a/app/build.gradle.kts\n+++ b/app/build.gradle.kts\n@@ -11,13 +11,13 @@ plugins {\n android {\n     namespace = \"no.fjordline.fieldkit\"\n-    compileSdk = 34\n+    compileSdk = 35\n \n     defaultConfig {\n         applicationId = \"no.fjordline.fieldkit\"\n         minSdk = 26\n-        targetSdk = 34\n+        targetSdk = 35\n         versionCode = 412\n         versionName = \"3.8.0\"\ndiff --git a/app/src/main/java/no/fjordline/fieldkit/MainActivity.kt b/app/src/main/java/no/fjordline/fieldkit/MainActivity.kt\nindex 3d2a0e1..5f7b9c2 100644\n--- a/app/src/main/java/no/fjordline/fieldkit/MainActivity.kt\n+++ b/app/src/main/java/no/fjordline/fieldkit/MainActivity.kt\n@@ -24,6 +24,7 @@ class MainActivity : ComponentActivity() {\n     override fun onCreate(savedInstanceState: Bundle?) {\n         super.onCreate(savedInstanceState)\n+        enableEdgeToEdge()\n         setContent {\n"},
    ], model="gpt-4o-mini", temperature=0, stream=False),
)

cl(
    "f-ot-o02", "simple",
    "Renaming one method and its single call site across two named Swift files is a mechanical rename.",
    "tidekit",
    [U("rename fetchData() to loadStations() in StationsViewModel.swift and update the call in StationsView.swift. nothing else uses it")],
    visible=["App/Stations/StationsViewModel.swift", "App/Stations/StationsView.swift"],
)

other(
    "f-ot-o03", "simple",
    "Pulling ticket keys out of a short commit list into a fixed function call is mechanical extraction with a checkable answer.",
    openai_sdk("f-ot-o03", [
        {"role": "system", "content": "You are release-notes-bot. Extract every Jira ticket key (like FK-123) that appears in the commit subjects and call record_tickets exactly once with all of them, deduplicated, in order of first appearance. Never invent keys. Commits without a key go into untracked_commits by short hash."},
        {"role": "user", "content": "commits in v3.9.0 (since v3.8.0):\n4b1e9a0 WorkOrderSync: retry on 503 with backoff (FK-377)\n9d20c6f Signature pad: fix stroke smoothing on Pixel 8 [FK-374]\n13ac7e2 Room 2.6.1\ne85f0b4 FK-369 parts picker: barcode scan via CameraX\n2c7d951 Offline banner when sync is paused (FK-366, FK-361)\n8f0a1b2 fix typo in strings.xml\n77c3d90 Revert \"FK-369 parts picker: barcode scan via CameraX\"\n51e2f4a FK-369 parts picker: barcode scan, take two"},
    ], model="gpt-4o-mini", temperature=0,
        tools=[{"type": "function", "function": {
            "name": "record_tickets",
            "description": "Record the ticket keys and untracked commits for the release notes.",
            "parameters": {"type": "object", "properties": {
                "tickets": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9]+-\\d+$"}},
                "untracked_commits": {"type": "array", "items": {"type": "string"}},
            }, "required": ["tickets", "untracked_commits"], "additionalProperties": False},
        }}],
        tool_choice={"type": "function", "function": {"name": "record_tickets"}}),
)

_CRON_GO = """package cron

import (
	"fmt"
	"strconv"
	"strings"
)

// parseField expands one cron field ("*", "5", "1-5", "*/15", "0-30/10", "1,15,30") into the sorted
// values it matches within [lo, hi].
func parseField(field string, lo, hi int) ([]int, error) {
	var out []int
	for _, part := range strings.Split(field, ",") {
		step := 1
		if i := strings.IndexByte(part, '/'); i >= 0 {
			s, err := strconv.Atoi(part[i+1:])
			if err != nil || s <= 0 {
				return nil, fmt.Errorf("cron: bad step in %q", part)
			}
			step = s
			part = part[:i]
		}
		start, end := lo, hi
		switch {
		case part == "*":
			return rangeStep(lo, hi, 1), nil
		case strings.Contains(part, "-"):
			a, b, ok := strings.Cut(part, "-")
			if !ok {
				return nil, fmt.Errorf("cron: bad range %q", part)
			}
			var err error
			if start, err = strconv.Atoi(a); err != nil {
				return nil, fmt.Errorf("cron: bad range %q", part)
			}
			if end, err = strconv.Atoi(b); err != nil {
				return nil, fmt.Errorf("cron: bad range %q", part)
			}
		default:
			v, err := strconv.Atoi(part)
			if err != nil {
				return nil, fmt.Errorf("cron: bad value %q", part)
			}
			start, end = v, v
		}
		if start < lo || end > hi || start > end {
			return nil, fmt.Errorf("cron: %q out of range [%d,%d]", part, lo, hi)
		}
		out = append(out, rangeStep(start, end, step)...)
	}
	return dedupSorted(out), nil
}

func rangeStep(a, b, step int) []int {
	var out []int
	for v := a; v <= b; v += step {
		out = append(out, v)
	}
	return out
}
"""

other(
    "f-ot-o04", "medium",
    "The failing cases all use a star with a step and the parser returns early for a bare star, so the cause is visible in the file and the fix is local.",
    aider("f-ot-o04", "TestParseField fails for the step cases:\n\n```\n--- FAIL: TestParseField (0.00s)\n    --- FAIL: TestParseField/*/15_minutes (0.00s)\n        parse_test.go:41: parseField(\"*/15\", 0, 59) = [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59], want [0 15 30 45]\n    --- FAIL: TestParseField/*/2_hours,_plus_23 (0.00s)\n        parse_test.go:41: parseField(\"*/2,23\", 0, 23) = [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23], want [0 2 4 6 8 10 12 14 16 18 20 22 23]\nFAIL\n```\n\nfix parseField so steps work with * and a * part doesn't swallow the other comma parts",
          files={"internal/cron/parse.go": _CRON_GO}),
)

_RATES_PY = """from __future__ import annotations

import logging
from decimal import Decimal

import httpx

from app.core.config import settings

log = logging.getLogger(__name__)

RATES_URL = "https://api.fxfeed.example.com/v2/latest"


class RatesUnavailable(Exception):
    pass


def fetch_rates(base: str = "EUR", client: httpx.Client | None = None) -> dict[str, Decimal]:
    \"\"\"Latest mid-market rates for `base`, e.g. {"USD": Decimal("1.0841"), ...}.\"\"\"
    own = client is None
    client = client or httpx.Client(timeout=5.0)
    try:
        resp = client.get(RATES_URL, params={"base": base}, headers={"Authorization": f"Bearer {settings.fxfeed_token}"})
        resp.raise_for_status()
        data = resp.json()
        return {cur: Decimal(str(rate)) for cur, rate in data["rates"].items()}
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        log.warning("fx rates fetch failed: %s", exc)
        raise RatesUnavailable(str(exc)) from exc
    finally:
        if own:
            client.close()
"""

other(
    "f-ot-o05", "medium",
    "Adding bounded retries with backoff to one HTTP helper is a small, well-understood change even when Aider's architect mode is on.",
    aider("f-ot-o05", "fxfeed rate-limits us at the top of every hour and the nightly invoice run dies with RatesUnavailable. add retries to fetch_rates: retry on 429, 5xx and timeouts/connection errors, max 4 attempts, exponential backoff with full jitter starting at 0.5s, honour Retry-After (seconds) when present but cap any single wait at 30s. don't retry 4xx other than 429. keep the signature. tests with httpx.MockTransport, and no real sleeping in tests",
          files={"app/fx/rates.py": _RATES_PY}, architect=True),
)

_NGINX_CONF = """proxy_cache_path /var/cache/nginx/app levels=1:2 keys_zone=app_cache:50m max_size=2g inactive=30m use_temp_path=off;

map $http_authorization $skip_cache_auth {
    default 1;
    ""      0;
}

upstream app_backend {
    server 127.0.0.1:3000;
    keepalive 32;
}

server {
    listen 443 ssl http2;
    server_name ops.brightcart.internal;

    ssl_certificate     /etc/nginx/tls/ops.crt;
    ssl_certificate_key /etc/nginx/tls/ops.key;

    location /assets/ {
        root /srv/ops-console/dist;
        expires 1y;
        add_header Cache-Control "public, immutable";
    }

    location /api/reports/ {
        proxy_pass http://app_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_cache app_cache;
        proxy_cache_key "$request_method$host$request_uri";
        proxy_cache_valid 200 5m;
        proxy_cache_bypass $skip_cache_auth;
        proxy_no_cache $skip_cache_auth;
        add_header X-Cache-Status $upstream_cache_status always;
    }

    location /api/ {
        proxy_pass http://app_backend;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Authorization $http_authorization;
    }

    location / {
        root /srv/ops-console/dist;
        try_files $uri /index.html;
    }
}
"""

cl(
    "f-ot-o06", "medium",
    "Explaining what a short nginx config caches and why authenticated report calls always bypass it is explaining a config file.",
    "opsconsole",
    [
        U("can you explain what the caching in deploy/nginx/ops.conf actually does? we added it for the slow /api/reports endpoints but X-Cache-Status is always BYPASS in the browser. I'm not an nginx person, walk me through it and tell me what we'd have to change for it to cache per user"),
        rd("deploy/nginx/ops.conf", _NGINX_CONF, pre="Let me read the nginx config first."),
    ],
    visible=["deploy/nginx/ops.conf"],
)

_SQL_TOOLS = [
    {"type": "function", "function": {"name": "describe_table", "description": "Column names and types of a table in the analytics warehouse.",
                                      "parameters": {"type": "object", "properties": {"table": {"type": "string"}}, "required": ["table"]}}},
    {"type": "function", "function": {"name": "run_sql", "description": "Run a read-only SQL query on the analytics warehouse (Postgres 16). Returns at most 200 rows.",
                                      "parameters": {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]}}},
]

other(
    "f-ot-o07", "medium",
    "With the two schemas returned, the next step is one analytics query with a weekly grain and a plan join: ordinary SQL work.",
    openai_sdk("f-ot-o07", [
        {"role": "system", "content": "You are the data assistant in our internal analytics Slack bot. You can inspect tables and run read-only SQL. Prefer one clear query; explain assumptions in one or two sentences."},
        {"role": "user", "content": "weekly active users by plan for Q3 2025 please. a user is active in a week if they had at least one session that week. weeks start monday. plan = the plan they were on at the start of that week, not today's plan"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_Wm2ZJrT0c1qYd8pVx4nHa7Ke", "type": "function", "function": {"name": "describe_table", "arguments": json.dumps({"table": "analytics.sessions"})}},
            {"id": "call_b0XyQe5fL3mNs9Kd2Rt7Uv1P", "type": "function", "function": {"name": "describe_table", "arguments": json.dumps({"table": "analytics.subscription_history"})}},
        ]},
        {"role": "tool", "tool_call_id": "call_Wm2ZJrT0c1qYd8pVx4nHa7Ke", "content": "session_id uuid\nuser_id bigint\nstarted_at timestamptz\nended_at timestamptz\nplatform text  -- web | ios | android\n(~410M rows, partitioned by month on started_at)"},
        {"role": "tool", "tool_call_id": "call_b0XyQe5fL3mNs9Kd2Rt7Uv1P", "content": "user_id bigint\nplan text  -- free | starter | pro | enterprise\nvalid_from timestamptz\nvalid_to timestamptz NULL  -- NULL = current\n(one row per plan period; periods for a user do not overlap)"},
    ], model="o4-mini", reasoning_effort="low", tools=_SQL_TOOLS),
)

_RDS_TF = """module "orders_db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.9.0"

  identifier     = "orders-prod"
  engine         = "postgres"
  engine_version = "16.3"
  instance_class = "db.r6g.xlarge"

  allocated_storage     = 800
  max_allocated_storage = 2000
  storage_type          = "gp3"

  db_name  = "orders"
  username = "orders_admin"
  manage_master_user_password = true

  multi_az               = false
  db_subnet_group_name   = module.vpc.database_subnet_group_name
  vpc_security_group_ids = [aws_security_group.orders_db.id]

  backup_retention_period = 14
  deletion_protection     = true
  apply_immediately       = false

  parameter_group_name = aws_db_parameter_group.orders_pg16.name
  performance_insights_enabled = true
}
"""

other(
    "f-ot-o08", "complex",
    "Turning on Multi-AZ and resizing the production orders database with apply_immediately causes a failover and I/O impact on live traffic, so the change needs timing, checks and warnings.",
    aider("f-ot-o08", "marketing campaign tomorrow 09:00. make the prod orders db multi_az and bump it to db.r6g.2xlarge, set apply_immediately = true so it's all done tonight. I'll run the apply after you edit",
          files={"terraform/prod/rds.tf": _RDS_TF}),
)


def _moment_matches(seed: int) -> str:
    rng = random.Random(seed)
    files = ["src/utils/dates.ts", "src/features/orders/OrdersTable.tsx", "src/features/orders/OrderDrawer.tsx", "src/features/orders/filters.ts",
             "src/features/returns/ReturnsList.tsx", "src/features/returns/returnWindow.ts", "src/features/payouts/PayoutCalendar.tsx",
             "src/features/payouts/schedule.ts", "src/features/reports/DailySalesChart.tsx", "src/features/reports/exportCsv.ts",
             "src/features/reports/ranges.ts", "src/features/support/TicketTimeline.tsx", "src/features/support/sla.ts",
             "src/features/warehouses/CutoffBadge.tsx", "src/features/warehouses/cutoff.ts", "src/components/DateRangePicker.tsx",
             "src/components/RelativeTime.tsx", "src/hooks/useBusinessDays.ts", "src/api/serializers.ts", "src/test/fakeClock.ts"]
    snippets = ["moment.tz(value, tz).format(\"DD MMM YYYY HH:mm\")", "moment().startOf(\"isoWeek\")", "moment(order.createdAt).fromNow()",
                "moment.utc(range.from).add(1, \"day\").startOf(\"day\")", "moment(a).isBefore(b, \"day\")", "moment.duration(ms).humanize()",
                "moment.tz(cutoff, \"HH:mm\", warehouse.tz)", "moment(date).isoWeekday() >= 6", "moment().tz(tz).endOf(\"month\")",
                "moment(x).diff(y, \"hours\", true)", "moment.tz.guess()", "moment(value, [\"YYYY-MM-DD\", \"DD.MM.YYYY\"], true).isValid()"]
    out = []
    total = 0
    for f in files:
        out.append(f"{f}")
        out.append("│----\n│import moment from \"moment-timezone\";")
        total += 1
        for _ in range(rng.randrange(1, 5)):
            total += 1
            out.append(f"│----\n│    const {rng.choice(['d', 'start', 'end', 'label', 'due', 'when'])} = {rng.choice(snippets)};")
        out.append("│----")
    out.insert(0, f"Found {total} results.\n")
    return "\n".join(out)


_DATES_TS = """import moment from "moment-timezone";

export const DEFAULT_TZ = "Europe/Amsterdam";

export function formatDateTime(value: string | Date, tz = DEFAULT_TZ): string {
  return moment.tz(value, tz).format("DD MMM YYYY HH:mm");
}

export function startOfBusinessWeek(now: Date = new Date(), tz = DEFAULT_TZ): Date {
  return moment.tz(now, tz).startOf("isoWeek").toDate();
}

export function addBusinessDays(value: Date, days: number, tz = DEFAULT_TZ): Date {
  const m = moment.tz(value, tz);
  let added = 0;
  while (added < days) {
    m.add(1, "day");
    if (m.isoWeekday() < 6) added++;
  }
  return m.toDate();
}

export function parseUserDate(input: string, tz = DEFAULT_TZ): Date | null {
  const m = moment.tz(input, ["YYYY-MM-DD", "DD.MM.YYYY", "D-M-YYYY"], true, tz);
  return m.isValid() ? m.toDate() : null;
}

export function fromNow(value: string | Date): string {
  return moment(value).fromNow();
}
"""

_CUTOFF_TS = """import moment from "moment-timezone";
import type { Warehouse } from "@/api/types";

// Orders placed before the warehouse's local cutoff ship the same business day.
export function shipsToday(placedAt: string, wh: Warehouse, now = moment()): boolean {
  const local = moment.tz(placedAt, wh.tz);
  const cutoff = moment.tz(`${local.format("YYYY-MM-DD")} ${wh.cutoff}`, "YYYY-MM-DD HH:mm", wh.tz);
  if (local.isoWeekday() >= 6) return false;
  return local.isBefore(cutoff) && local.isSame(now.clone().tz(wh.tz), "day");
}

export function nextShipDate(placedAt: string, wh: Warehouse): moment.Moment {
  let d = moment.tz(placedAt, wh.tz);
  if (!shipsToday(placedAt, wh, d)) d = d.add(1, "day").startOf("day");
  while (d.isoWeekday() >= 6 || wh.holidays.includes(d.format("YYYY-MM-DD"))) d = d.add(1, "day");
  return d;
}
"""

cl(
    "f-ot-o09", "complex",
    "Replacing moment-timezone across twenty files with time-zone, business-day and strict-parsing semantics is a cross-module refactor with many dependents and subtle behaviour changes.",
    "opsconsole",
    [
        U("we want moment out of the bundle (it's 290kB with moment-timezone). replace every use with date-fns + date-fns-tz (already in package.json). behaviour must not change: warehouse cutoffs and business-day math are timezone-sensitive and finance relies on the payout calendar. keep the public functions in src/utils/dates.ts with the same signatures"),
        gr("moment", _moment_matches(81), path="src", pre="First I'll find every place moment is used."),
        rd("src/utils/dates.ts", _DATES_TS, pre="Reading the shared date helpers."),
        rd("src/features/warehouses/cutoff.ts", _CUTOFF_TS, pre="The warehouse cutoff logic is the most timezone-sensitive part."),
    ],
    visible=["src/utils/dates.ts", "src/features/warehouses/cutoff.ts", "package.json"],
)

other(
    "f-ot-o10", "complex",
    "Pool exhaustion and latency in production after a driver setting change, with a dashboard and config but no clear cause, is production performance debugging.",
    openai_sdk("f-ot-o10", [
        {"role": "system", "content": "You are a senior .NET and PostgreSQL engineer. Be concrete and say what to measure before changing things."},
        {"role": "user", "content": [
            {"type": "text", "text": "yesterday we turned on Npgsql multiplexing in prod for orders-svc (.NET 8, EF Core 8, Npgsql 8.0.4) because the PgBouncer connection count was high. since then p99 on POST /api/orders went from 180ms to 2.4s under peak and we see bursts of `Npgsql.NpgsqlException: The connection pool has been exhausted, either raise 'Max Pool Size' (currently 100) or 'Timeout' (currently 15 seconds)`. screenshot of the grafana board attached (left: p99, right: pool busy/idle). connection string:\n\n```\nHost=pgbouncer.orders.svc;Port=6432;Database=orders;Username=orders_app;Multiplexing=true;Max Pool Size=100;Minimum Pool Size=10;Timeout=15;Command Timeout=30;No Reset On Close=true\n```\n\nPgBouncer is pool_mode=transaction, default_pool_size=60. POST /api/orders opens an explicit transaction (BeginTransactionAsync, serializable) and calls two stored procs. reverting is possible but I want to understand it. what's going on and what should we change?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64," + png_b64(120, 80, seed=29)}},
        ]},
    ], model="gpt-4o"),
)

_SEQLOCK_C = """#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

typedef struct { double bid, ask; uint64_t ts_ns; } quote_t;

typedef struct {
    _Atomic uint32_t seq;
    quote_t data;            /* plain, non-atomic */
} seqlock_quote_t;

/* single writer thread */
void sq_write(seqlock_quote_t *s, const quote_t *q) {
    uint32_t v = atomic_load_explicit(&s->seq, memory_order_relaxed);
    atomic_store_explicit(&s->seq, v + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    memcpy(&s->data, q, sizeof *q);
    atomic_store_explicit(&s->seq, v + 2, memory_order_release);
}

/* many reader threads */
void sq_read(seqlock_quote_t *s, quote_t *out) {
    uint32_t a, b;
    do {
        a = atomic_load_explicit(&s->seq, memory_order_acquire);
        memcpy(out, &s->data, sizeof *out);
        atomic_thread_fence(memory_order_acquire);
        b = atomic_load_explicit(&s->seq, memory_order_relaxed);
    } while ((a & 1) || a != b);
}
"""

other(
    "f-ot-o11", "reasoning",
    "The caller asks for high reasoning effort on whether a seqlock's fences make torn reads impossible under C11 and on ARM, which is a memory-ordering correctness argument.",
    openai_sdk("f-ot-o11", [
        {"role": "user", "content": "Market-data seqlock in C11, one writer, many readers, runs on x86 today and Graviton (ARMv8) next quarter. Is it correct? Specifically:\n1. Under the C11 memory model, can a reader return a torn quote (mix of two writes) with these fences? Argue from happens-before / the fence rules, not from \"x86 is TSO\".\n2. The memcpy of non-atomic data racing with the writer is a data race, so formally UB. How do people make this defensible (per-field atomics with relaxed, or the Boehm paper approach) and what does that cost?\n3. Is the writer's fence in the right place, or does the first store to seq need to be ordered before the data writes differently?\n4. What would actually go wrong on ARMv8 with the current code, if anything?\n\n```c\n" + _SEQLOCK_C + "```"},
    ], model="o3", reasoning_effort="high", max_completion_tokens=32000),
)

_INVENTORY_ITEM_RB = """class InventoryItem < ApplicationRecord
  belongs_to :product
  validates :sku, :warehouse_code, presence: true
  validates :on_hand, :reserved, numericality: { greater_than_or_equal_to: 0 }

  def available
    on_hand - reserved
  end

  # Called by checkout inside the order transaction.
  def reserve!(qty)
    with_lock do
      raise OutOfStock, sku if available < qty
      update!(reserved: reserved + qty)
    end
  end

  def release!(qty)
    with_lock { update!(reserved: [reserved - qty, 0].max) }
  end
end
"""

_SHOP_REPO_MAP = """app/models/order.rb:
│class Order < ApplicationRecord
│  def refundable_cents
│  def recalculate_total!
│  def placed_on

app/services/checkout/place_order.rb:
│class Checkout::PlaceOrder
│  def initialize(customer, cart_params)
│  def call

app/services/refund_service.rb:
│class RefundService
│  def call

app/jobs/sync_inventory_job.rb:
│class SyncInventoryJob
│  def perform(sku, warehouse_code)

config/database.yml
config/sidekiq.yml
"""

other(
    "f-ot-o12", "reasoning",
    "Designing how stock reservations behave across two active regions is an architecture decision about consistency, oversell risk and latency with no single right answer.",
    aider("f-ot-o12", "we're opening a US storefront and the plan is active-active: eu-central-1 and us-east-1, each with its own Postgres, customers routed to the nearest region. both regions sell from the same 3 warehouses. right now reserve! takes a row lock in the one database. how should stock reservation work across the two regions so we don't oversell (or only within a bounded, known amount) without adding a cross-Atlantic round trip to every checkout? compare a single home region per SKU/warehouse, escrow-style quota splitting between regions, and a reservation service with Postgres in one region, and say what happens to each during a region partition. I want the design and the trade-offs first, then tell the editor what to change in InventoryItem for the first step",
          files={"app/models/inventory_item.rb": _INVENTORY_ITEM_RB, "app/jobs/sync_inventory_job.rb": SHOP["app/jobs/sync_inventory_job.rb"]},
          repo_map=_SHOP_REPO_MAP, architect=True),
)

other(
    "f-ot-o13", "reasoning",
    "Minimising the number of settlement transfers that net out a debt matrix is an NP-hard optimisation that the caller explicitly wants reasoned through at high effort.",
    openai_sdk("f-ot-o13", [
        {"role": "system", "content": "You are an expert in algorithms and operations research."},
        {"role": "user", "content": "End of day we have net positions between 40 member banks in one currency (after bilateral netting): a 40x40 matrix of who owes whom. We want to settle with the minimum NUMBER of transfers (each transfer has a fixed fee, amounts don't matter), and no bank may both send and receive in the settlement. Questions: (1) Is minimising the number of transfers NP-hard? I remember something about subset sums that net to zero, make the connection precise. (2) Give an exact algorithm that's practical for n=40 (DP over subsets is 2^40, too big?) and a fast heuristic with a provable bound, e.g. n-1 transfers is always achievable, when can we do better? (3) Write Python for both, with the exact one falling back to the heuristic after a time limit."},
    ], model="o4-mini", reasoning_effort="high"),
)

cl(
    "f-ot-o14", "reasoning",
    "In plan mode the user wants a reasoned choice between push mechanisms for a peak of tens of thousands of connections on existing infrastructure: an architecture decision.",
    "shopfront",
    [U("plan mode, no code yet. our order tracking page polls GET /api/v1/orders/:id every 5s and on black friday that was 40k concurrent pages = 8k req/s of mostly unchanged responses against Puma (ECS, 12 tasks, 3 workers x 5 threads, ALB in front, Redis already there for Sidekiq). options: ActionCable over websockets with the Redis adapter, SSE from a small separate Go service that reads order status changes from Postgres LISTEN/NOTIFY, or keep polling but with ETag/304 + a CDN cache of 2s. compare them for our setup: connection limits on ALB and Puma, what happens on deploys (12 tasks restarting), mobile safari backgrounding, cost, and how each fails when Redis or Postgres hiccups. recommend one and outline the rollout")],
    mode="PLAN MODE",
    visible=["app/controllers/api/v1/orders_controller.rb", "config/puma.rb"],
)
