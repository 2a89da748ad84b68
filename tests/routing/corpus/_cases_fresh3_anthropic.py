"""Fresh3-split cases (anthropic dialect): written blind to the router, measured once. See corpus README."""
# ruff: noqa: E501

from __future__ import annotations

import random

from tests.routing.corpus import _bulk as B
from tests.routing.corpus._book import CaseBook
from tests.routing.corpus._clients import (
    FX,
    A,
    CaseSpec,
    Project,
    U,
    ed,
    gl,
    gr,
    par,
    rd,
    sh,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects written inline for this split
# A Laravel coworking app (PHP) and a .NET fleet-telematics service (C#), next to the nine fixture projects.


_INLINE: dict[str, Project] = {
    p.key: p
    for p in [
        Project(
            "deskbook", "deskbook", "hubwork/deskbook", "/Users/amara", "/Users/amara/code/deskbook", "darwin",
            "amara/room-credits",
            "M app/Services/Billing/InvoiceBuilder.php\nM tests/Feature/Billing/InvoiceBuilderTest.php",
            "4d2c91e Bookings: buffer time between meetings (#377)\n9f01b3a Laravel 11.30, Horizon 5.29 (#374)\nb7e5c02 Members: company accounts share credits (#369)\n1a3f8d6 Door: nightly sync of access groups (#366)\nc0e47a9 Invoices: VAT reverse charge for EU companies (#361)",
            editor="PhpStorm",
            notes="""# deskbook

Booking, membership and invoicing for a chain of 9 coworking spaces (desks, meeting rooms, phone booths).
PHP 8.3, Laravel 11, MySQL 8, Redis, Horizon for queues, Pest for tests, Stripe via laravel/cashier.
The member app (Inertia + Vue 3) and the front-desk app share the same backend.

- `php artisan test` (Pest, sqlite in-memory for unit, MySQL from `docker compose up -d mysql` for Feature)
- `./vendor/bin/pint` before committing; `./vendor/bin/phpstan analyse` (level 8) runs in CI
- Domain code in `app/Domain/<Area>`, application services in `app/Services`, HTTP in `app/Http`
- Every query is scoped to the current workspace (a company or a single member) through `CurrentWorkspace`
- Money: integer cents + currency, `App\\Support\\Money`. Invoices are immutable once `issued_at` is set.
- Queue workers run under Horizon on 2 boxes; jobs must be idempotent and must not rely on request state.
""",
        ),
        Project(
            "fleetops", "fleetops", "vanline/fleetops", "/home/bartek", "/home/bartek/src/fleetops", "linux",
            "bartek/trips-endpoint",
            "M src/FleetOps.Api/Endpoints/VehicleEndpoints.cs",
            "e93b0a1 Telemetry: drop pings older than 24h at ingest (#158)\n27cd4f9 EF Core 8.0.10 (#155)\n8a6e1d3 Depots: opening hours (#151)\n5f0c2b7 Auth: Entra ID for dispatchers (#148)\nd4e8a90 Trips: detect idle > 10 min (#144)",
            editor="Rider", shell="bash",
            notes="""# fleetops

Back office for a delivery-van fleet: 4,100 vans in 31 depots. Vans send GPS/CAN pings every 5 s through the
telematics vendor; we ingest them, build trips, and dispatchers use the web app to see vehicles and trips.

.NET 8, ASP.NET Core minimal APIs, EF Core 8 with Npgsql (Postgres 16 + PostGIS), xUnit + Testcontainers,
Central Package Management (`Directory.Packages.props`).

- `dotnet build`, `dotnet test` (Docker needed for the integration tests), `dotnet format` before committing
- Projects: `FleetOps.Api` (endpoints), `FleetOps.Domain`, `FleetOps.Data` (DbContext, migrations), `FleetOps.Ingest` (worker)
- Endpoints are grouped per resource in `Endpoints/<Resource>Endpoints.cs` via `Map<Resource>Endpoints()`
- Auth: Entra ID; roles `Dispatcher`, `DepotManager`, `FleetAdmin`. Dispatchers belong to one depot (claim `depot_id`).
- Migrations: `dotnet ef migrations add <Name> -p src/FleetOps.Data`; prod migrations run from the release pipeline only
""",
        ),
    ]
}


BOOK = CaseBook(CASES, _INLINE)
cc, side, sdk = BOOK.cc, BOOK.side, BOOK.sdk


GW, INF, WH, SHOP, PAY, TW, LED, WEB = FX["gateway"], FX["infra"], FX["warehouse"], FX["shopfront"], FX["payments"], FX["tidewater"], FX["ledger"], FX["web"]


# =========================================================================== bulky outputs (seeded)


def _pest_log(seed: int, fail: dict[str, str] | None = None) -> str:
    """`php artisan test` (Pest) over deskbook."""
    rng = random.Random(seed)
    fail = fail or {}
    suites = {
        "Tests\\Unit\\Support\\MoneyTest": ["adds same currency", "refuses to add different currencies", "allocates remainder to first parts", "formats EUR with comma in de locale"],
        "Tests\\Unit\\Support\\InvoiceNumberTest": ["formats with location prefix", "pads sequence to five digits"],
        "Tests\\Unit\\Domain\\Bookings\\OverlapTest": ["detects overlap", "touching bookings do not overlap", "buffer time makes touching bookings overlap", "all-day booking blocks the room"],
        "Tests\\Feature\\Bookings\\CreateBookingTest": ["member books a free room", "cannot book a room that is taken", "company member spends company credits", "falls back to card when credits run out", "front desk can book on behalf of a member"],
        "Tests\\Feature\\Bookings\\CancelBookingTest": ["refunds credits when cancelled 24h ahead", "no refund inside 24h", "front desk cancellation always refunds"],
        "Tests\\Feature\\Billing\\InvoiceBuilderTest": ["monthly invoice lists the workspace bookings", "excludes bookings of other workspaces", "applies reverse charge for EU VAT ids", "issued invoice is immutable", "credit top-ups appear as separate lines"],
        "Tests\\Feature\\Billing\\SendMonthlyInvoicesTest": ["dispatches one job per workspace", "job renders pdf and mails billing contact", "skips workspaces with nothing to bill"],
        "Tests\\Feature\\Door\\SyncAccessGroupsTest": ["adds new members to the location group", "removes cancelled memberships", "is idempotent"],
        "Tests\\Feature\\Members\\CompanyAccountTest": ["admin invites a member", "member leaves company keeps personal bookings", "shared credits are visible to all members"],
    }
    out = []
    total = failed = 0
    for suite, tests in suites.items():
        bad = [t for t in tests if t in fail]
        out.append(f"   {'FAIL' if bad else 'PASS'}  {suite}")
        for t in tests:
            total += 1
            ms = rng.randrange(3, 180) if "Feature" in suite else rng.randrange(1, 12)
            if t in fail:
                failed += 1
                out.append(f"  ⨯ {t}{' ' * max(1, 60 - len(t))}{ms / 1000:.2f}s")
            else:
                out.append(f"  ✓ {t}{' ' * max(1, 60 - len(t))}{ms / 1000:.2f}s")
        out.append("")
    for t, reason in fail.items():
        out += ["  ────────────────────────────────────────────────────────────────────────────", f"   FAILED  {t}", f"  {reason}", ""]
    out.append(f"  Tests:    {failed} failed, {total - failed} passed ({total * 3 + rng.randrange(0, 20)} assertions)" if failed else f"  Tests:    {total} passed ({total * 3 + rng.randrange(0, 20)} assertions)")
    out.append(f"  Duration: {rng.randrange(4, 11)}.{rng.randrange(10, 99)}s")
    return "\n".join(out) + "\n"


def _xdist_run(seed: int, fail: list[tuple[str, str]] | None = None) -> str:
    """`uv run pytest -n 8 -v` over payments-api: gw-prefixed lines in completion order."""
    rng = random.Random(seed)
    fail_map = dict(fail or [])
    names = []
    for path, tests in {
        "tests/api/test_customers.py": ["test_list_customers_scoped_to_tenant", "test_list_customers_country_filter", "test_list_customers_excludes_deleted", "test_get_customer_404_other_tenant", "test_get_customer_ok"],
        "tests/api/test_invoices_api.py": ["test_list_invoices_default_limit", "test_list_invoices_status_filter", "test_invoice_pdf_content_type", "test_invoice_pdf_404", "test_create_invoice_validates_currency", "test_create_invoice_lines_sum"],
        "tests/billing/test_invoices.py": ["test_get_invoice_loads_lines", "test_get_invoice_missing", "test_list_invoices_orders_by_created", "test_list_invoices_amount_due", "test_mark_paid_partial", "test_mark_paid_full_sets_paid_at"],
        "tests/billing/test_transfers.py": ["test_transfer_moves_money", "test_insufficient_funds", "test_concurrent_transfers"],
        "tests/billing/test_webhooks.py": ["test_rejects_bad_signature", "test_checkout_completed_creates_payment", "test_payment_succeeded_marks_paid", "test_payment_failed_logs_code"],
        "tests/billing/test_payouts.py": ["test_payout_batches_by_currency", "test_payout_skips_negative_balance", "test_payout_idempotent_rerun"],
        "tests/core/test_timeparse.py": ["test_parse_seconds", "test_parse_compound", "test_parse_ms", "test_format_roundtrip"],
        "tests/tasks/test_reminders.py": ["test_schedule_due_reminders_counts", "test_send_due_reminder_skips_paid", "test_send_due_reminder_retries_on_connection_error"],
        "tests/db/test_models.py": ["test_invoice_status_enum_values", "test_payment_intent_unique", "test_contact_set_null_on_delete"],
    }.items():
        for t in tests:
            if rng.random() < 0.3:
                names += [f"{path}::{t}[{c}]" for c in ("EUR", "USD", "JPY", "SEK")]
            else:
                names.append(f"{path}::{t}")
    rng.shuffle(names)
    lines = [
        "============================= test session starts ==============================",
        "platform linux -- Python 3.12.4, pytest-8.3.2, pluggy-1.5.0 -- /home/maya/src/payments-api/.venv/bin/python",
        "cachedir: .pytest_cache",
        "rootdir: /home/maya/src/payments-api",
        "configfile: pyproject.toml",
        "plugins: xdist-3.6.1, asyncio-0.23.8, anyio-4.4.0, cov-5.0.0",
        "asyncio: mode=Mode.AUTO",
        "created: 8/8 workers",
        f"8 workers [{len(names)} items]",
        "",
        "scheduling tests via LoadScheduling",
        "",
    ]
    failed = []
    for i, n in enumerate(names):
        base = n.split("::")[1].split("[")[0]
        st = "FAILED" if base in fail_map else "PASSED"
        if st == "FAILED":
            failed.append(n)
        lines.append(f"[gw{rng.randrange(0, 8)}] [{int((i + 1) * 100 / len(names)):>3}%] {st} {n} ")
    lines.append("")
    if failed:
        lines.append("=================================== FAILURES ===================================")
        for n in failed:
            base = n.split("::")[1].split("[")[0]
            lines += [f"_{'_' * 20} {base} {'_' * 20}_", f"[gw{rng.randrange(0, 8)}] linux -- Python 3.12.4 /home/maya/src/payments-api/.venv/bin/python", fail_map[base], ""]
        lines.append("=========================== short test summary info ============================")
        lines += [f"FAILED {n} - {fail_map[n.split('::')[1].split('[')[0]].splitlines()[-1][:90]}" for n in failed]
    secs = 6 + rng.random() * 4
    lines.append(f"=================== {len(failed)} failed, {len(names) - len(failed)} passed in {secs:.2f}s ===================" if failed else f"============================== {len(names)} passed in {secs:.2f}s ==============================")
    return "\n".join(lines) + "\n"


# =========================================================================== simple: Claude Code side requests

side(
    "h-cc-001", "simple",
    "A short title for a conversation about Pest tests for booking buffers is harness bookkeeping.",
    "title",
    "User: the buffer time thing from #377 has no tests for the edge where two bookings touch exactly at the buffer boundary. add pest tests for that in OverlapTest, and one for all-day bookings with buffer\n"
    "Assistant: Added three cases to tests/Unit/Domain/Bookings/OverlapTest.php: bookings 15 min apart with a 15 min buffer overlap, 16 min apart do not, and an all-day booking blocks a room even with buffer 0. `php artisan test --filter=OverlapTest`: 7 passed.\n"
    "User: 👍",
)

side(
    "h-cc-002", "simple",
    "Extracting the command prefix from a terraform plan piped into tee is a lookup against the policy examples; the prod directory matters to the permission prompt, not to this request.",
    "bash_prefix",
    "cd terraform/prod && terraform plan -input=false -out=tfplan 2>&1 | tee /tmp/plan-uploads-lifecycle.txt",
)

side(
    "h-cc-003", "simple",
    "Deciding whether a clippy lint request continues the current topic is a two-field classification.",
    "topic",
    "oh and clippy started yelling needless_lifetimes in src/cache/lru.rs after the toolchain bump, can u sort that too? same PR is fine",
)

side(
    "h-cc-004", "simple",
    "Suggesting follow-up commands after a finished EF Core migration is a harness side request over the last exchange.",
    "suggest",
    "Last user message: \"add a nullable `LastServiceAt` (timestamptz) to Vehicle and a migration for it, nothing reads it yet\"\n"
    "Last assistant message: \"Added `public DateTimeOffset? LastServiceAt { get; set; }` to `Vehicle`, configured it in `VehicleConfiguration` as `timestamp with time zone`, and generated `20251021094512_AddVehicleLastServiceAt` with `dotnet ef migrations add AddVehicleLastServiceAt -p src/FleetOps.Data`. The migration only adds a nullable column (no default, no backfill). `dotnet build` and `dotnet test` pass (212 tests).\"",
)

side(
    "h-cc-005", "simple",
    "Compressing a finished Horizon queue conversation into a short title line is harness bookkeeping.",
    "summary",
    "User: horizon dashboard shows SendMonthlyInvoice jobs failing with MaxAttemptsExceededException on the 1st of every month, then they go through on manual retry. why\n"
    "Claude: The job's `$timeout` is 120 s but the `billing` supervisor in config/horizon.php has `timeout => 60`, so Horizon kills the worker at 60 s while rendering big PDFs, and `$tries = 1` means the job is marked failed. On manual retry the PDF fonts are cached and it finishes in ~20 s.\n"
    "User: ok make the supervisor timeout 180 and give the job tries 3 with backoff\n"
    "Claude: Set `timeout => 180` for the billing supervisor, `$tries = 3`, `$backoff = [60, 300]` on SendMonthlyInvoice, and `retry_after => 200` on the redis connection so it stays above the timeout. Tests pass.\n"
    "User: great thx",
)


# =========================================================================== simple: Claude Code main loop

_batcher_bp = GW["internal/consumer/batcher.go"]

cc(
    "h-cc-006", "simple",
    "After a long backpressure session the turn is running gofmt -l and go vet and reporting what they print, two documented commands; thinking is on only from the session toggle, so it is labelled by need (README rule 6).",
    "gateway",
    [
        U("batcher needs backpressure. right now Add() never blocks and under a kafka outage the pending map just grows until the pod OOMs (saw 3.1GiB on ingest-7 last night). make Add block (with ctx) when pending records > maxPending, default 50k, configurable via flag. keep the flush-on-size behaviour from #233"),
        todo(("in_progress", "Read the batcher and its tests"), ("pending", "Add maxPending and a blocking Add(ctx)"), ("pending", "Wire a -max-pending flag in main.go"), ("pending", "Tests: blocks when full, unblocks after flush, ctx cancel"), ("pending", "Run make test")),
        par(rd("internal/consumer/batcher.go", _batcher_bp), rd("cmd/gateway/main.go", GW["cmd/gateway/main.go"])),
        sh("go test ./... -race -count=1 -v 2>&1 | tail -150", B.go_test_verbose(31), secs=41.0, desc="Baseline: run the Go tests with the race detector"),
        A("Baseline is green. Plan: a `sync.Cond`-free design, since Add needs to honour a context: a buffered semaphore channel of size maxPending, acquired per record in Add and released in bulk after each flush. Blocking happens outside `b.mu`, so a full batcher never holds the lock while waiting."),
        ed("internal/consumer/batcher.go", "type Batcher struct {", "type Batcher struct {\n\tslots chan struct{} // one per pending record; Add blocks when empty\n"),
        ed("internal/consumer/batcher.go", "func NewBatcher(w Writer, maxBatch int, interval time.Duration) *Batcher {", "func NewBatcher(w Writer, maxBatch int, interval time.Duration, maxPending int) *Batcher {"),
        sh("go build ./...", "# github.com/northwind/ingest-gateway/cmd/gateway\ncmd/gateway/main.go:33:40: not enough arguments in call to consumer.NewBatcher\n\thave (*kafka.Writer, number, number)\n\twant (consumer.Writer, int, time.Duration, int)\n# github.com/northwind/ingest-gateway/internal/consumer [github.com/northwind/ingest-gateway/internal/consumer.test]\ninternal/consumer/batcher_test.go:21:31: not enough arguments in call to NewBatcher\ninternal/consumer/batcher_test.go:48:31: not enough arguments in call to NewBatcher\ninternal/consumer/batcher_test.go:77:31: not enough arguments in call to NewBatcher", code=1, secs=6.0, desc="Build all Go packages"),
        ed("cmd/gateway/main.go", "\ttopic := flag.String(\"topic\", \"telemetry.raw.v2\", \"Kafka topic\")", "\ttopic := flag.String(\"topic\", \"telemetry.raw.v2\", \"Kafka topic\")\n\tmaxPending := flag.Int(\"max-pending\", 50000, \"records buffered before Push blocks (backpressure)\")"),
        ed("cmd/gateway/main.go", "consumer.NewBatcher(writer, 500, 200*time.Millisecond)", "consumer.NewBatcher(writer, 500, 200*time.Millisecond, *maxPending)"),
        sh("sed -i 's/NewBatcher(w, \\(.*\\))$/NewBatcher(w, \\1, 1000)/' internal/consumer/batcher_test.go && go build ./... && go vet ./internal/consumer/", "", secs=5.0, desc="Update the test constructor calls and rebuild"),
        wr("internal/consumer/batcher_backpressure_test.go", "package consumer\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestAddBlocksWhenFull(t *testing.T) {\n\tw := newBlockingWriter()\n\tb := NewBatcher(w, 10, time.Hour, 3)\n\tdefer b.Close()\n\tfor i := 0; i < 3; i++ {\n\t\tif err := b.Add(context.Background(), rec(i)); err != nil {\n\t\t\tt.Fatal(err)\n\t\t}\n\t}\n\tctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)\n\tdefer cancel()\n\tif err := b.Add(ctx, rec(4)); !errors.Is(err, context.DeadlineExceeded) {\n\t\tt.Fatalf(\"want DeadlineExceeded, got %v\", err)\n\t}\n}\n\nfunc TestAddUnblocksAfterFlush(t *testing.T) {\n\tw := newBlockingWriter()\n\tb := NewBatcher(w, 3, time.Hour, 3)\n\tdefer b.Close()\n\tfor i := 0; i < 3; i++ {\n\t\t_ = b.Add(context.Background(), rec(i))\n\t}\n\tdone := make(chan error, 1)\n\tgo func() { done <- b.Add(context.Background(), rec(3)) }()\n\tw.release()\n\tselect {\n\tcase err := <-done:\n\t\tif err != nil {\n\t\t\tt.Fatal(err)\n\t\t}\n\tcase <-time.After(time.Second):\n\t\tt.Fatal(\"Add still blocked after the flush\")\n\t}\n}\n"),
        sh("make test 2>&1 | tail -60", "go test ./... -race -count=1\nok  \tgithub.com/northwind/ingest-gateway/cmd/gateway\t1.204s [no tests to run]\nok  \tgithub.com/northwind/ingest-gateway/internal/consumer\t2.871s\nok  \tgithub.com/northwind/ingest-gateway/internal/grpcapi\t3.402s\nok  \tgithub.com/northwind/ingest-gateway/internal/metrics\t1.118s\nok  \tgithub.com/northwind/ingest-gateway/internal/ratelimit\t1.090s\nok  \tgithub.com/northwind/ingest-gateway/internal/schema\t1.163s\nok  \tgithub.com/northwind/ingest-gateway/internal/topic\t1.021s", secs=48.0, desc="Run make test"),
        A("Backpressure is in:\n\n- `Batcher` has a `slots` channel of size `maxPending`; `Add(ctx, rec)` takes a slot (or returns `ctx.Err()`), and each flush releases the slots of the records it wrote, including on writer errors so a failed batch cannot leak capacity.\n- `-max-pending` flag (default 50000) in `cmd/gateway/main.go`.\n- New tests: blocks when full, unblocks after a flush, honours ctx. The existing tests now pass `1000`.\n\n`make test` passes with `-race`. The gRPC handler already passes the request context, so a client whose deadline expires while the batcher is full gets `DeadlineExceeded` instead of the pod growing without bound."),
        U("nice. before I push: run gofmt -l and go vet ./... and tell me if anything shows up, don't fix anything yet"),
    ],
    thinking=10000,
)

_booking_checkout = """<?php

namespace App\\Http\\Controllers;

use App\\Domain\\Bookings\\BookingRequest;
use App\\Services\\Billing\\CreditLedger;
use App\\Services\\Bookings\\BookingService;
use App\\Support\\CurrentWorkspace;
use Illuminate\\Http\\RedirectResponse;
use Illuminate\\Http\\Request;
use Inertia\\Inertia;
use Inertia\\Response;

class BookingCheckoutController extends Controller
{
    public function __construct(
        private readonly BookingService $bookings,
        private readonly CreditLedger $credits,
        private readonly CurrentWorkspace $workspace,
    ) {}

    public function show(Request $request, string $roomId): Response
    {
        $slot = BookingRequest::fromQuery($roomId, $request->query());
        $quote = $this->bookings->quote($slot, $this->workspace->get());

        return Inertia::render('Bookings/Checkout', [
            'room' => $quote->room->only(['id', 'name', 'capacity', 'location_id']),
            'slot' => $slot->toArray(),
            'priceCents' => $quote->priceCents,
            'creditsAvailable' => $this->credits->balance($this->workspace->get()),
            'creditsNeeded' => $quote->credits,
        ]);
    }

    public function store(Request $request, string $roomId): RedirectResponse
    {
        $slot = BookingRequest::fromQuery($roomId, $request->all());
        $workspace = $this->workspace->get();
        $quote = $this->bookings->quote($slot, $workspace);

        if ($this->credits->balance($workspace) >= $quote->credits) {
            $booking = $this->bookings->bookWithCredits($slot, $workspace, $quote);

            return redirect()->route('bookings.show', $booking)->with('status', 'Booked with credits.');
        }

        $intent = $request->user()->pay($quote->priceCents, [
            'metadata' => ['room_id' => $roomId, 'starts_at' => $slot->startsAt->toIso8601String()],
            'automatic_payment_methods' => ['enabled' => true],
        ]);
        dd($intent);

        $booking = $this->bookings->reservePendingPayment($slot, $workspace, $quote, $intent->id);

        return redirect()->route('bookings.pay', ['booking' => $booking, 'secret' => $intent->client_secret]);
    }
}
"""

cc(
    "h-cc-007", "simple",
    "The grep and the read pin the leftover dd() to one line of the checkout controller; deleting a debug call is a one-line edit, however close it sits to the Stripe call.",
    "deskbook",
    [
        U("staging checkout page for card payments just dumps a PaymentIntent object on screen lol. someone left a dd() in. find it and remove it, nothing else"),
        gr("\\bdd\\(|\\bdump\\(", "app/Http/Controllers/BookingCheckoutController.php:52:        dd($intent);", path="app", glob="*.php"),
        rd("app/Http/Controllers/BookingCheckoutController.php", _booking_checkout, start=40, end=60),
    ],
)

_packages_props = """<Project>
  <PropertyGroup>
    <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
    <CentralPackageTransitivePinningEnabled>true</CentralPackageTransitivePinningEnabled>
  </PropertyGroup>
  <ItemGroup Label="ASP.NET Core">
    <PackageVersion Include="Microsoft.AspNetCore.Authentication.JwtBearer" Version="8.0.10" />
    <PackageVersion Include="Microsoft.Identity.Web" Version="3.2.2" />
    <PackageVersion Include="Swashbuckle.AspNetCore" Version="6.8.1" />
  </ItemGroup>
  <ItemGroup Label="Data">
    <PackageVersion Include="Microsoft.EntityFrameworkCore" Version="8.0.10" />
    <PackageVersion Include="Microsoft.EntityFrameworkCore.Design" Version="8.0.10" />
    <PackageVersion Include="Microsoft.EntityFrameworkCore.Relational" Version="8.0.10" />
    <PackageVersion Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="8.0.8" />
    <PackageVersion Include="Npgsql.EntityFrameworkCore.PostgreSQL.NetTopologySuite" Version="8.0.8" />
    <PackageVersion Include="EFCore.NamingConventions" Version="8.0.3" />
  </ItemGroup>
  <ItemGroup Label="Ingest">
    <PackageVersion Include="Confluent.Kafka" Version="2.5.3" />
    <PackageVersion Include="Polly.Core" Version="8.4.2" />
  </ItemGroup>
  <ItemGroup Label="Tests">
    <PackageVersion Include="Microsoft.NET.Test.Sdk" Version="17.11.1" />
    <PackageVersion Include="xunit" Version="2.9.2" />
    <PackageVersion Include="xunit.runner.visualstudio" Version="2.8.2" />
    <PackageVersion Include="FluentAssertions" Version="6.12.1" />
    <PackageVersion Include="Testcontainers.PostgreSql" Version="3.10.0" />
    <PackageVersion Include="Microsoft.AspNetCore.Mvc.Testing" Version="8.0.10" />
  </ItemGroup>
</Project>
"""

cc(
    "h-cc-008", "simple",
    "Directory.Packages.props is on screen, so the turn is reading off the EF Core and Npgsql versions and saying both are on major 8.",
    "fleetops",
    [
        U("quick q: what EF Core version are we on and is the Npgsql provider on the same major? someone in standup claimed we're mixing 7 and 8"),
        gl("**/Directory.Packages.props", "/home/bartek/src/fleetops/Directory.Packages.props"),
        rd("Directory.Packages.props", _packages_props),
    ],
)


# =========================================================================== simple: plain Anthropic SDK calls

sdk(
    "h-ot-a01", "simple",
    "A git hook asking for a conventional commit message for a small version-bump diff is bookkeeping with a cheap, checkable answer.",
    [{"role": "user", "content": "diff --git a/mix.exs b/mix.exs\nindex 3a1c0e2..8f4b7d1 100644\n--- a/mix.exs\n+++ b/mix.exs\n@@ -4,7 +4,7 @@ defmodule Courierbot.MixProject do\n   def project do\n     [\n       app: :courierbot,\n-      version: \"0.14.2\",\n+      version: \"0.15.0\",\n       elixir: \"~> 1.17\",\n       start_permanent: Mix.env() == :prod,\n       deps: deps()\n@@ -31,7 +31,7 @@ defmodule Courierbot.MixProject do\n       {:phoenix, \"~> 1.7.14\"},\n-      {:oban, \"~> 2.17\"},\n+      {:oban, \"~> 2.18\"},\n       {:req, \"~> 0.5\"},\ndiff --git a/CHANGELOG.md b/CHANGELOG.md\nindex 11d2e08..5c0a9f3 100644\n--- a/CHANGELOG.md\n+++ b/CHANGELOG.md\n@@ -1,5 +1,11 @@\n # Changelog\n \n+## 0.15.0\n+\n+- Upgrade Oban to 2.18 (queue pausing per node)\n+- Slack notifier retries 429s with the Retry-After header\n+\n ## 0.14.2\n"}],
    system="You write git commit messages in the Conventional Commits format for the staged diff you are given. Output only the message: a subject line under 72 characters, then optionally a blank line and a short body. No code fences.",
    model="claude-haiku-4-5", max_tokens=200, temperature=0,
)

sdk(
    "h-ot-a02", "simple",
    "Pulling five fields out of a CI failure notification email into JSON is structured extraction with nothing to decide.",
    [{"role": "user", "content": "Extract from this email. Return JSON with keys repo, workflow, branch, commit_sha, failed_jobs (array of strings). Missing values are null.\n\n---\nFrom: GitHub <notifications@github.com>\nSubject: [vanline/fleetops] Run failed: ci - bartek/trips-endpoint (e93b0a1)\n\n[vanline/fleetops] ci workflow run\n\nci: Some jobs were not successful\n\nView workflow run: https://github.com/vanline/fleetops/actions/runs/11452093817\n\n  build-and-test / unit (ubuntu-24.04)\n  Succeeded in 2 minutes and 41 seconds\n\n  build-and-test / integration (ubuntu-24.04)\n  Failed in 6 minutes and 3 seconds\n\n  format-check\n  Failed in 38 seconds\n\n  publish-image\n  Skipped\n\n—\nYou are receiving this because you are subscribed to this thread.\nManage your GitHub Actions notifications here."}],
    model="claude-haiku-4-5", max_tokens=300,
)


# =========================================================================== medium: Claude Code main loop

_vehicle_endpoints = """using FleetOps.Api.Auth;
using FleetOps.Data;
using FleetOps.Domain.Vehicles;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FleetOps.Api.Endpoints;

public static class VehicleEndpoints
{
    public static RouteGroupBuilder MapVehicleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/vehicles")
            .WithTags("Vehicles")
            .RequireAuthorization(Policies.AnyFleetRole);

        group.MapGet("/", ListVehicles);
        group.MapGet("/{id:guid}", GetVehicle);
        group.MapGet("/{id:guid}/pings", ListPings);
        return group;
    }

    static async Task<Ok<PagedResult<VehicleDto>>> ListVehicles(
        FleetDbContext db, [AsParameters] VehicleQuery query, CancellationToken ct)
    {
        var q = db.Vehicles.AsNoTracking();
        if (query.DepotId is { } depot) q = q.Where(v => v.DepotId == depot);
        if (!string.IsNullOrWhiteSpace(query.Plate)) q = q.Where(v => EF.Functions.ILike(v.Plate, $"%{query.Plate}%"));

        var page = await q.OrderBy(v => v.Plate)
            .Select(v => new VehicleDto(v.Id, v.Plate, v.DepotId, v.Model, v.Status))
            .ToPagedAsync(query.Page, query.PageSize, ct);
        return TypedResults.Ok(page);
    }

    static async Task<Results<Ok<VehicleDto>, NotFound>> GetVehicle(Guid id, FleetDbContext db, CancellationToken ct)
    {
        var v = await db.Vehicles.AsNoTracking()
            .Where(v => v.Id == id)
            .Select(v => new VehicleDto(v.Id, v.Plate, v.DepotId, v.Model, v.Status))
            .SingleOrDefaultAsync(ct);
        return v is null ? TypedResults.NotFound() : TypedResults.Ok(v);
    }

    static async Task<Results<Ok<PagedResult<PingDto>>, NotFound, BadRequest<ProblemDetails>>> ListPings(
        Guid id, FleetDbContext db, [AsParameters] TimeRangeQuery range, CancellationToken ct)
    {
        if (range.Validate() is { } problem) return TypedResults.BadRequest(problem);
        if (!await db.Vehicles.AnyAsync(v => v.Id == id, ct)) return TypedResults.NotFound();

        var page = await db.Pings.AsNoTracking()
            .Where(p => p.VehicleId == id && p.RecordedAt >= range.From && p.RecordedAt < range.To)
            .OrderBy(p => p.RecordedAt)
            .Select(p => new PingDto(p.RecordedAt, p.Location.Y, p.Location.X, p.SpeedKmh, p.IgnitionOn))
            .ToPagedAsync(range.Page, range.PageSize, ct);
        return TypedResults.Ok(page);
    }
}
"""

_time_range = """using Microsoft.AspNetCore.Mvc;

namespace FleetOps.Api.Endpoints;

public sealed record TimeRangeQuery(
    [FromQuery] DateTimeOffset From,
    [FromQuery] DateTimeOffset To,
    [FromQuery] int Page = 1,
    [FromQuery] int PageSize = 200)
{
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(7);

    public ProblemDetails? Validate()
    {
        if (To <= From) return new ProblemDetails { Title = "'to' must be after 'from'", Status = 400 };
        if (To - From > MaxSpan) return new ProblemDetails { Title = $"range must be at most {MaxSpan.TotalDays} days", Status = 400 };
        if (PageSize is < 1 or > 1000) return new ProblemDetails { Title = "pageSize must be 1-1000", Status = 400 };
        return null;
    }
}
"""

_trip_entity = """namespace FleetOps.Domain.Trips;

public class Trip
{
    public Guid Id { get; set; }
    public Guid VehicleId { get; set; }
    public Guid? DriverId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double DistanceKm { get; set; }
    public int IdleMinutes { get; set; }
    public TripStatus Status { get; set; }   // Open, Closed, Discarded
    public string? StartAddress { get; set; }
    public string? EndAddress { get; set; }
}
"""

cc(
    "h-cc-009", "medium",
    "A read-only trips endpoint that copies the existing pings endpoint's range validation and paging in one endpoints file is ordinary endpoint work.",
    "fleetops",
    [
        U("dispatchers want to see a van's trips. add GET /vehicles/{id}/trips?from=&to= to VehicleEndpoints, same range rules + paging as /pings, newest first, don't return Discarded trips. add a TripDto. integration test too pls (there's a VehiclePingsTests you can copy the setup from)"),
        par(rd("src/FleetOps.Api/Endpoints/VehicleEndpoints.cs", _vehicle_endpoints), rd("src/FleetOps.Api/Endpoints/TimeRangeQuery.cs", _time_range), rd("src/FleetOps.Domain/Trips/Trip.cs", _trip_entity)),
        gl("tests/**/Vehicle*Tests.cs", "/home/bartek/src/fleetops/tests/FleetOps.Api.Tests/Vehicles/VehiclePingsTests.cs\n/home/bartek/src/fleetops/tests/FleetOps.Api.Tests/Vehicles/VehicleListTests.cs"),
    ],
)

_invoice_number = """<?php

namespace App\\Support;

use App\\Models\\Location;
use Illuminate\\Support\\Facades\\DB;

/**
 * Invoice numbers look like AMS-2025-00042: location code, year, five-digit sequence.
 * The sequence restarts every calendar year per location (required by the Dutch and German tax offices).
 */
final class InvoiceNumber
{
    public static function next(Location $location, \\DateTimeInterface $issuedAt): string
    {
        $year = (int) $issuedAt->format('Y');

        $seq = DB::transaction(function () use ($location, $year) {
            $row = DB::table('invoice_sequences')
                ->where('location_id', $location->id)
                ->where('year', $year)
                ->lockForUpdate()
                ->first();

            if ($row === null) {
                DB::table('invoice_sequences')->insert(['location_id' => $location->id, 'year' => $year, 'last' => 1]);

                return 1;
            }

            DB::table('invoice_sequences')->where('id', $row->id)->update(['last' => $row->last + 1]);

            return $row->last + 1;
        });

        return sprintf('%s-%d-%05d', strtoupper($location->code), $year, $seq);
    }

    public static function parse(string $number): array
    {
        if (! preg_match('/^([A-Z]{3})-(\\d{4})-(\\d{5})$/', $number, $m)) {
            throw new \\InvalidArgumentException("not an invoice number: {$number}");
        }

        return ['location' => $m[1], 'year' => (int) $m[2], 'sequence' => (int) $m[3]];
    }
}
"""

_invoice_number_test_existing = """<?php

use App\\Models\\Location;
use App\\Support\\InvoiceNumber;

it('formats with location prefix', function () {
    $ams = Location::factory()->create(['code' => 'ams']);

    expect(InvoiceNumber::next($ams, new DateTimeImmutable('2025-03-01')))->toBe('AMS-2025-00001');
});

it('pads sequence to five digits', function () {
    $ams = Location::factory()->create(['code' => 'AMS']);
    foreach (range(1, 41) as $_) {
        InvoiceNumber::next($ams, new DateTimeImmutable('2025-03-01'));
    }

    expect(InvoiceNumber::next($ams, new DateTimeImmutable('2025-03-01')))->toBe('AMS-2025-00042');
});
"""

cc(
    "h-cc-010", "medium",
    "Adding Pest tests for year rollover, per-location sequences and parse() of one small documented class is ordinary test writing.",
    "deskbook",
    [
        U("InvoiceNumber has like 2 tests. add proper Pest coverage: yearly reset, separate sequences per location, parse() happy path + garbage input, and that parse(next()) round trips. it uses the DB so it has to be a Feature test i guess (RefreshDatabase). don't change the class"),
        par(rd("app/Support/InvoiceNumber.php", _invoice_number), rd("tests/Feature/Support/InvoiceNumberTest.php", _invoice_number_test_existing)),
    ],
)

_pytest_roundtrip = """============================= test session starts ==============================
platform linux -- Python 3.12.4, pytest-8.3.2, pluggy-1.5.0
rootdir: /home/maya/src/payments-api
configfile: pyproject.toml
plugins: asyncio-0.23.8, anyio-4.4.0, cov-5.0.0
asyncio: mode=Mode.AUTO
collected 9 items

tests/core/test_timeparse.py ......F..                                   [100%]

=================================== FAILURES ===================================
_______________________ test_format_roundtrip[250ms] ________________________

text = '250ms'

    @pytest.mark.parametrize("text", ["45s", "15m", "1h30m", "2h", "250ms", "1h0m5s"])
    def test_format_roundtrip(text):
        delta = parse_duration(text)
>       assert parse_duration(format_duration(delta)) == delta
E       AssertionError: assert datetime.timedelta(0) == datetime.timedelta(microseconds=250000)
E        +  where datetime.timedelta(0) = parse_duration('0s')
E        +    where '0s' = format_duration(datetime.timedelta(microseconds=250000))

tests/core/test_timeparse.py:41: AssertionError
=========================== short test summary info ============================
FAILED tests/core/test_timeparse.py::test_format_roundtrip[250ms] - AssertionError: assert datetime.timedelta(0) == datetime.timedelta(microseconds=250000)
========================= 1 failed, 8 passed in 0.31s =========================
"""

cc(
    "h-cc-011", "medium",
    "The assertion shows format_duration turning 250 ms into '0s', and the function truncates to whole seconds with int(); handling the millisecond remainder is a contained fix in one function.",
    "payments",
    [
        U("I added 250ms to the roundtrip parametrize in test_timeparse and it fails. fix format_duration, not the test. the retry config uses sub-second values so it matters"),
        sh("uv run pytest tests/core/test_timeparse.py -q", _pytest_roundtrip, code=1, secs=2.1, desc="Run the timeparse tests"),
        rd("app/core/timeparse.py", PAY["app/core/timeparse.py"]),
    ],
)

cc(
    "h-cc-012", "medium",
    "Walking a new teammate through one short deploy script, its checks and what happens after the push, is explaining a file.",
    "infra",
    [
        U("hey, i'm new on platform and i'm on the rota to deploy payments-api to staging thursday. Kofi said \"just use deploy.sh\". can you explain what it actually does step by step, what can go wrong, and what I should have installed/logged into before running it? I don't want to break anything on my first week 😅"),
        rd("scripts/deploy.sh", INF["scripts/deploy.sh"]),
        rd("charts/payments-api/values-prod.yaml", INF["charts/payments-api/values-prod.yaml"]),
    ],
)

_chart_list = """charts/payments-api/Chart.yaml
charts/payments-api/templates/_helpers.tpl
charts/payments-api/templates/deployment.yaml
charts/payments-api/templates/hpa.yaml
charts/payments-api/templates/service.yaml
charts/payments-api/values-prod.yaml
charts/payments-api/values-staging.yaml
charts/payments-api/values.yaml
charts/ingest-gateway/Chart.yaml
charts/ingest-gateway/templates/_helpers.tpl
charts/ingest-gateway/templates/deployment.yaml
charts/ingest-gateway/templates/pdb.yaml
charts/ingest-gateway/templates/service.yaml
charts/ingest-gateway/values-prod.yaml
charts/ingest-gateway/values-staging.yaml
charts/ingest-gateway/values.yaml
charts/ledger-service/Chart.yaml
charts/ledger-service/templates/deployment.yaml
charts/ledger-service/templates/service.yaml
charts/ledger-service/values-prod.yaml
charts/ledger-service/values-staging.yaml
charts/ledger-service/values.yaml"""

cc(
    "h-cc-013", "medium",
    "Adding one CI job that lints and schema-checks each chart per environment, next to the existing jobs, is an ordinary workflow change; thinking is on from the session toggle, so it is labelled by need (README rule 6).",
    "infra",
    [
        U("we keep merging chart changes that don't even render (last week values-prod had a typo in hpa and argo just sat there degraded). add a CI job that runs helm lint and renders every chart with each values-<env>.yaml through kubeconform (k8s 1.30 schemas, strict). should run in parallel with lint, not block plan"),
        rd(".github/workflows/ci.yml", INF[".github/workflows/ci.yml"]),
        gl("charts/**/*.yaml", _chart_list),
    ],
    thinking=16000,
)

_fct_orders_yml = """version: 2

models:
  - name: fct_orders
    description: One row per placed order with payment totals.
    columns:
      - name: order_id
        tests: [unique, not_null]
      - name: customer_id
        tests:
          - not_null
          - relationships:
              to: ref('dim_customers')
              field: customer_id
      - name: paid_cents
        tests:
          - dbt_utils.expression_is_true:
              expression: ">= 0"
      - name: refunded_cents
        tests:
          - dbt_utils.expression_is_true:
              expression: ">= 0"
"""

_stg_refunds = """with source as (
    select * from {{ source('payments', 'refunds') }}
),

renamed as (
    select
        id as refund_id,
        payment_id,
        order_id,
        amount as amount_cents,
        lower(status) as status,
        reason,
        created_at,
        processed_at
    from source
    where not _deleted
)

select * from renamed
"""

cc(
    "h-cc-014", "medium",
    "Adding a refund count and a last-refund timestamp to one mart from an existing staging model, with schema tests, is an ordinary dbt change.",
    "warehouse",
    [
        U("finance wants refund_count and last_refunded_at on fct_orders. only count refunds with status 'succeeded' (stg_payments__refunds has pending/failed too). add tests in the yml: refund_count not null and >= 0. keep refunded_cents as is, that comes from payments"),
        par(rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]), rd("models/marts/_fct_orders.yml", _fct_orders_yml), rd("models/staging/payments/stg_payments__refunds.sql", _stg_refunds)),
    ],
)

cc(
    "h-cc-015", "medium",
    "A client-side CSV export of the rows the table already holds, as one button in one component, is an ordinary UI feature.",
    "web",
    [
        U("can we get an \"Export CSV\" button on InvoiceTable? export exactly what's shown (current sort), columns number,status,amount,currency,due date (tenant tz, yyyy-mm-dd). amounts as decimals not minor units. no new deps, just a Blob download. also kill that console.log while you're in there"),
        rd("src/components/InvoiceTable.tsx", WEB["src/components/InvoiceTable.tsx"]),
        rd("src/utils/dateFmt.ts", WEB["src/utils/dateFmt.ts"]),
        gr("export function formatMoney", "src/utils/money.ts:3:export function formatMoney(m: { amountMinor: number; currency: string }, locale = \"en-US\"): string {", path="src/utils"),
    ],
)


# =========================================================================== medium: plain Anthropic SDK calls

sdk(
    "h-ot-a03", "medium",
    "A Swift parser for a subset of ISO 8601 durations with stated rules and XCTest cases is one small, well-specified function.",
    [{"role": "user", "content": "I need a Swift function `func parseISODuration(_ s: String) -> TimeInterval?` for our workout app. Input comes from a partner API and looks like PT45M, PT1H30M, PT20.5S, P1DT2H. Rules:\n- support P[n]D and T[n]H[n]M[n]S, seconds may have a fraction\n- no years/months/weeks (return nil)\n- empty components like \"PT\" or \"P\" alone -> nil\n- negative values are not allowed\n\nNo Foundation regex please, we still support iOS 15 so no Regex literals either. Write the function plus an XCTestCase with good coverage."}],
    system="You are a senior iOS engineer. Answer with code first, then at most a few sentences.",
    max_tokens=4096,
)

sdk(
    "h-ot-a04", "medium",
    "A monthly signup-cohort retention matrix over two tables is ordinary SQL with date truncation and a grouped join.",
    [{"role": "user", "content": "Postgres 16. Tables:\n\n```sql\ncreate table accounts (id bigint primary key, created_at timestamptz not null, plan text not null);\ncreate table sessions (id bigint primary key, account_id bigint not null references accounts(id), started_at timestamptz not null);\n```\n\nI want a cohort retention table: one row per signup month (accounts.created_at, UTC), columns: cohort_size, then % of the cohort with at least one session in month 0, 1, 2 ... 6 after signup. Only accounts on plan in ('team','business'). Months with no data yet should be null not 0. Output long format is fine too if the wide one gets ugly, but I'd prefer wide."}],
    model="claude-sonnet-4-5", max_tokens=3000,
)

sdk(
    "h-ot-a05", "medium",
    "The compiler names the missing given Encoder for Order, and the fix is deriving or defining codecs for the case classes involved: a visible cause with a standard fix.",
    [{"role": "user", "content": "scala 3.4 + circe 0.14.9 + http4s 0.23. this worked when Order was a tuple lol. now:\n\n```\n[error] -- [E172] Type Error: /home/ravi/src/orderdesk/src/main/scala/orderdesk/http/OrderRoutes.scala:27:38\n[error] 27 |        case GET -> Root / \"orders\" / UUIDVar(id) => repo.find(id).flatMap {\n[error] 28 |          case Some(o) => Ok(o.asJson)\n[error]    |                                 ^\n[error]    |No given instance of type io.circe.Encoder[orderdesk.domain.Order] was found for parameter encoder of method asJson in class EncoderOps\n[error]    |\n[error]    |The following import might fix the problem:\n[error]    |\n[error]    |  import io.circe.generic.auto.exportEncoder\n[error]    |\n[error] one error found\n```\n\n```scala\npackage orderdesk.domain\n\nimport java.util.UUID\nimport java.time.Instant\n\nenum OrderStatus:\n  case Draft, Placed, Shipped, Cancelled\n\nfinal case class Money(amountMinor: Long, currency: String)\nfinal case class Line(sku: String, qty: Int, unitPrice: Money)\nfinal case class Order(id: UUID, customerId: UUID, status: OrderStatus, lines: List[Line], placedAt: Option[Instant])\n```\n\nshould I just add that import? someone on the team said generic.auto is slow to compile. whats the idiomatic way in scala 3, and I want status as a lowercase string in json"}],
    max_tokens=2500,
)


# =========================================================================== complex: Claude Code main loop

_invoice_builder = """<?php

namespace App\\Services\\Billing;

use App\\Models\\Booking;
use App\\Models\\CreditTopUp;
use App\\Models\\Invoice;
use App\\Models\\Workspace;
use App\\Support\\CurrentWorkspace;
use App\\Support\\InvoiceNumber;
use Carbon\\CarbonPeriod;
use Illuminate\\Support\\Facades\\DB;

class InvoiceBuilder
{
    public function __construct(private readonly CurrentWorkspace $current) {}

    public function monthly(Workspace $workspace, CarbonPeriod $period): ?Invoice
    {
        $this->current->set($workspace);

        $bookings = Booking::query()              // BelongsToWorkspace global scope applies
            ->whereBetween('starts_at', [$period->getStartDate(), $period->getEndDate()])
            ->where('paid_with', 'invoice')
            ->orderBy('starts_at')
            ->get();
        $topUps = CreditTopUp::query()
            ->whereBetween('created_at', [$period->getStartDate(), $period->getEndDate()])
            ->get();

        if ($bookings->isEmpty() && $topUps->isEmpty()) {
            return null;
        }

        return DB::transaction(function () use ($workspace, $bookings, $topUps) {
            $invoice = Invoice::create([
                'workspace_id' => $workspace->id,
                'number' => InvoiceNumber::next($workspace->homeLocation, now()),
                'currency' => $workspace->currency,
                'issued_at' => now(),
            ]);
            foreach ($bookings as $b) {
                $invoice->lines()->create(InvoiceLineFactory::forBooking($b, $workspace));
            }
            foreach ($topUps as $t) {
                $invoice->lines()->create(InvoiceLineFactory::forTopUp($t, $workspace));
            }

            return $invoice->refresh();
        });
    }
}
"""

_belongs_to_workspace = """<?php

namespace App\\Models\\Concerns;

use App\\Support\\CurrentWorkspace;
use Illuminate\\Database\\Eloquent\\Builder;

trait BelongsToWorkspace
{
    /** Resolved once per process: the container lookup showed up in profiles (#341). */
    protected static ?int $workspaceIdMemo = null;

    public static function bootBelongsToWorkspace(): void
    {
        static::addGlobalScope('workspace', function (Builder $query) {
            $id = static::$workspaceIdMemo ??= app(CurrentWorkspace::class)->id();
            if ($id !== null) {
                $query->where($query->getModel()->qualifyColumn('workspace_id'), $id);
            }
        });

        static::creating(function ($model) {
            $model->workspace_id ??= app(CurrentWorkspace::class)->id();
        });
    }

    public static function flushWorkspaceMemo(): void
    {
        static::$workspaceIdMemo = null;
    }
}
"""

_horizon_log = "\n".join(
    [
        f"[2025-10-{d:02d} {h:02d}:{m:02d}:{s:02d}] production.INFO: {msg}"
        for (d, h, m, s, msg) in [
            (20, 6, 0, 1, "Scheduling SendWeeklyTopUpInvoices for 212 workspaces"),
            (20, 6, 0, 3, "Horizon worker billing-1 pid=48211 processing App\\Jobs\\SendTopUpInvoice workspace=1187"),
            (20, 6, 0, 5, "Invoice AMS-2025-03311 built for workspace=1187 lines=2"),
            (20, 6, 0, 5, "Horizon worker billing-1 pid=48211 processing App\\Jobs\\SendTopUpInvoice workspace=1203"),
            (20, 6, 0, 6, "Invoice AMS-2025-03312 built for workspace=1203 lines=2"),
            (20, 6, 0, 6, "Horizon worker billing-2 pid=48212 processing App\\Jobs\\SendTopUpInvoice workspace=1210"),
            (20, 6, 0, 7, "Invoice BER-2025-01877 built for workspace=1210 lines=1"),
            (20, 6, 0, 7, "Horizon worker billing-1 pid=48211 processing App\\Jobs\\SendTopUpInvoice workspace=1244"),
            (20, 6, 0, 8, "Invoice AMS-2025-03313 built for workspace=1244 lines=2"),
            (20, 6, 0, 9, "Horizon worker billing-2 pid=48212 processing App\\Jobs\\SendTopUpInvoice workspace=1251"),
            (20, 6, 0, 9, "Invoice BER-2025-01878 built for workspace=1251 lines=1"),
        ]
    ]
)

cc(
    "h-cc-016", "complex",
    "Invoices leaking other companies' lines after a first fix shipped is a cross-tenant leak whose cause is a process-wide memo in a global scope, not the tested builder; the fix spans every model and long-lived workers.",
    "deskbook",
    [
        U("urgent-ish. 3 members from Studio Marrow got their October invoice PDF with bookings from OTHER companies on it (names of rooms + dates + prices, so it's a data leak, Ines from legal is already in the thread). InvoiceBuilderTest 'excludes bookings of other workspaces' is green. find out why"),
        par(rd("app/Services/Billing/InvoiceBuilder.php", _invoice_builder), rd("app/Jobs/SendMonthlyInvoice.php", "<?php\n\nnamespace App\\Jobs;\n\nuse App\\Models\\Workspace;\nuse App\\Services\\Billing\\InvoiceBuilder;\nuse App\\Mail\\MonthlyInvoiceMail;\nuse Carbon\\CarbonPeriod;\nuse Illuminate\\Bus\\Queueable;\nuse Illuminate\\Contracts\\Queue\\ShouldQueue;\nuse Illuminate\\Foundation\\Bus\\Dispatchable;\nuse Illuminate\\Queue\\InteractsWithQueue;\nuse Illuminate\\Queue\\SerializesModels;\nuse Illuminate\\Support\\Facades\\Mail;\n\nclass SendMonthlyInvoice implements ShouldQueue\n{\n    use Dispatchable, InteractsWithQueue, Queueable, SerializesModels;\n\n    public int $tries = 3;\n    public array $backoff = [60, 300];\n    public int $timeout = 120;\n\n    public function __construct(public Workspace $workspace, public string $month) {}\n\n    public function handle(InvoiceBuilder $builder): void\n    {\n        $invoice = $builder->monthly($this->workspace, CarbonPeriod::create($this->month . '-01', 'last day of ' . $this->month));\n        if ($invoice) {\n            Mail::to($this->workspace->billingContact())->send(new MonthlyInvoiceMail($invoice));\n        }\n    }\n}\n")),
        gr("CurrentWorkspace", "app/Providers/AppServiceProvider.php:24:        $this->app->singleton(CurrentWorkspace::class);\napp/Services/Billing/InvoiceBuilder.php:16:    public function __construct(private readonly CurrentWorkspace $current) {}\napp/Http/Middleware/ResolveWorkspace.php:19:        $this->current->set($request->user()->activeWorkspace());\napp/Models/Concerns/BelongsToWorkspace.php:5:use App\\Support\\CurrentWorkspace;", path="app"),
        A("`CurrentWorkspace` is a singleton, and Horizon workers are long-lived, so state set by one job survives into the next. But `InvoiceBuilder::monthly` calls `set($workspace)` before querying, so a plain singleton should still give each job the right workspace. Changing it to `scoped()` anyway, since Laravel flushes scoped instances between queued jobs, and adding a test that runs two jobs back to back."),
        ed("app/Providers/AppServiceProvider.php", "        $this->app->singleton(CurrentWorkspace::class);", "        $this->app->scoped(CurrentWorkspace::class);"),
        sh("php artisan test --filter='InvoiceBuilder|SendMonthlyInvoices'", _pest_log(71), secs=14.0, desc="Run the billing tests"),
        A("Billing tests pass, including a new one that dispatches `SendMonthlyInvoice` for two workspaces with `Queue::fake()` off. I'd ship the `scoped()` binding; it removes the obvious way state leaks between jobs."),
        U("we deployed that yesterday afternoon. this morning's weekly top-up invoices: 2 more companies got lines that aren't theirs. so that wasn't it. horizon log from billing box attached below, look at the pids\n\n" + _horizon_log),
        rd("app/Models/Concerns/BelongsToWorkspace.php", _belongs_to_workspace),
        gr("use BelongsToWorkspace", "app/Models/Booking.php:12:    use BelongsToWorkspace, HasFactory, SoftDeletes;\napp/Models/CreditTopUp.php:10:    use BelongsToWorkspace, HasFactory;\napp/Models/Invoice.php:14:    use BelongsToWorkspace, HasFactory;\napp/Models/InvoiceLine.php:9:    use BelongsToWorkspace;\napp/Models/MemberNote.php:8:    use BelongsToWorkspace, HasFactory;\napp/Models/DoorAccessGrant.php:11:    use BelongsToWorkspace, HasFactory;\napp/Models/Booking/Attendee.php:9:    use BelongsToWorkspace;", path="app/Models"),
    ],
)

_policies = """using Microsoft.AspNetCore.Authorization;

namespace FleetOps.Api.Auth;

public static class Policies
{
    public const string AnyFleetRole = nameof(AnyFleetRole);
    public const string ManagersOnly = nameof(ManagersOnly);
    public const string AdminsOnly = nameof(AdminsOnly);

    public static AuthorizationBuilder AddFleetPolicies(this AuthorizationBuilder b) => b
        .AddPolicy(AnyFleetRole, p => p.RequireRole("Dispatcher", "DepotManager", "FleetAdmin"))
        .AddPolicy(ManagersOnly, p => p.RequireRole("DepotManager", "FleetAdmin"))
        .AddPolicy(AdminsOnly, p => p.RequireRole("FleetAdmin"));
}
"""

cc(
    "h-cc-017", "complex",
    "Restricting dispatchers to their own depot across every vehicle, trip, ping and driver endpoint is an authorization change spanning modules, where a miss leaks other depots' data or locks dispatchers out.",
    "fleetops",
    [
        U("security review finding FO-12: any Dispatcher can read every vehicle, trip, ping and driver in the whole fleet, they should only see their own depot (claim depot_id from Entra). DepotManagers: own depot too. FleetAdmin: everything. please fix it properly across the API, not just /vehicles. pen-test retest is on the 4th"),
        par(rd("src/FleetOps.Api/Auth/Policies.cs", _policies), rd("src/FleetOps.Api/Endpoints/VehicleEndpoints.cs", _vehicle_endpoints)),
        gl("src/FleetOps.Api/Endpoints/*.cs", "/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/DepotEndpoints.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/DriverEndpoints.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/ExportEndpoints.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/PagedResult.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/TimeRangeQuery.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/TripEndpoints.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/VehicleEndpoints.cs\n/home/bartek/src/fleetops/src/FleetOps.Api/Endpoints/WebhookEndpoints.cs"),
        gr("db\\.(Vehicles|Trips|Pings|Drivers)", "src/FleetOps.Api/Endpoints/DriverEndpoints.cs:31:        var q = db.Drivers.AsNoTracking();\nsrc/FleetOps.Api/Endpoints/DriverEndpoints.cs:52:        var d = await db.Drivers.AsNoTracking().Include(d => d.Licences).SingleOrDefaultAsync(d => d.Id == id, ct);\nsrc/FleetOps.Api/Endpoints/ExportEndpoints.cs:22:        var trips = db.Trips.AsNoTracking().Where(t => t.StartedAt >= from && t.StartedAt < to);\nsrc/FleetOps.Api/Endpoints/ExportEndpoints.cs:40:        await foreach (var p in db.Pings.AsNoTracking().Where(p => p.RecordedAt >= from && p.RecordedAt < to).AsAsyncEnumerable())\nsrc/FleetOps.Api/Endpoints/TripEndpoints.cs:19:        var q = db.Trips.AsNoTracking().Where(t => t.Status != TripStatus.Discarded);\nsrc/FleetOps.Api/Endpoints/TripEndpoints.cs:44:        var trip = await db.Trips.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);\nsrc/FleetOps.Api/Endpoints/VehicleEndpoints.cs:26:        var q = db.Vehicles.AsNoTracking();\nsrc/FleetOps.Api/Endpoints/VehicleEndpoints.cs:38:        var v = await db.Vehicles.AsNoTracking()\nsrc/FleetOps.Api/Endpoints/VehicleEndpoints.cs:50:        if (!await db.Vehicles.AnyAsync(v => v.Id == id, ct)) return TypedResults.NotFound();\nsrc/FleetOps.Api/Endpoints/VehicleEndpoints.cs:52:        var page = await db.Pings.AsNoTracking()\nsrc/FleetOps.Api/Hubs/LivePositionsHub.cs:37:            await foreach (var p in db.Pings.AsNoTracking().Where(p => p.RecordedAt > since).AsAsyncEnumerable())", path="src"),
    ],
)

_grpc_push = """package grpcapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/northwind/ingest-gateway/internal/consumer"
	"github.com/northwind/ingest-gateway/internal/ratelimit"
	pb "github.com/northwind/ingest-gateway/proto/ingest/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type server struct {
	pb.UnimplementedIngestServer
	batcher *consumer.Batcher
	log     *slog.Logger

	mu       sync.Mutex
	limiters map[string]*ratelimit.TokenBucket // per device
	lastSeen map[string]time.Time
}

func (s *server) limiter(deviceID string) *ratelimit.TokenBucket {
	s.mu.Lock()
	defer s.mu.Unlock()
	tb, ok := s.limiters[deviceID]
	if !ok {
		tb = ratelimit.NewTokenBucket(20, 5)
		s.limiters[deviceID] = tb
	}
	s.lastSeen[deviceID] = time.Now()
	return tb
}

// janitor drops limiters of devices not seen for 10 minutes.
func (s *server) janitor(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.mu.Lock()
			for id, seen := range s.lastSeen {
				if now.Sub(seen) > 10*time.Minute {
					delete(s.lastSeen, id)
					delete(s.limiters, id)
				}
			}
			s.mu.Unlock()
		}
	}
}

func (s *server) Push(ctx context.Context, req *pb.PushRequest) (*pb.PushResponse, error) {
	if err := validate(req); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if !s.limiter(req.DeviceId).AllowN(float64(len(req.Records))) {
		return nil, status.Error(codes.ResourceExhausted, "device rate limit")
	}
	for _, r := range req.Records {
		if err := s.batcher.Add(ctx, toRecord(req.DeviceId, r)); err != nil {
			return nil, status.FromContextError(err).Err()
		}
	}
	return &pb.PushResponse{Accepted: int32(len(req.Records))}, nil
}
"""

_pprof_mutex = """File: gateway
Build ID: 8c1f0e2b7d9a4c35e61f0b2a9d7e8c41f03b6a52
Type: delay
Time: Oct 22, 2025 at 14:07:31 UTC
Duration: 30.01s, Total samples = 412.73s (1375.31%)
Showing nodes accounting for 409.88s, 99.31% of 412.73s total
Dropped 38 nodes (cum <= 2.06s)
      flat  flat%   sum%        cum   cum%
   391.20s 94.78% 94.78%    391.20s 94.78%  sync.(*Mutex).Unlock
    18.41s  4.46% 99.24%     18.41s  4.46%  runtime.unlock (partial-inline)
     0.27s 0.065% 99.31%      0.27s 0.065%  sync.(*RWMutex).Unlock
         0     0% 99.31%    386.02s 93.53%  github.com/northwind/ingest-gateway/internal/grpcapi.(*server).limiter
         0     0% 99.31%    386.02s 93.53%  github.com/northwind/ingest-gateway/internal/grpcapi.(*server).Push
         0     0% 99.31%      5.18s  1.26%  github.com/northwind/ingest-gateway/internal/grpcapi.(*server).janitor
         0     0% 99.31%      4.92s  1.19%  github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Add
         0     0% 99.31%    386.02s 93.53%  github.com/northwind/ingest-gateway/proto/ingest/v1._Ingest_Push_Handler
         0     0% 99.31%    386.02s 93.53%  google.golang.org/grpc.(*Server).handleStream
         0     0% 99.31%    386.02s 93.53%  google.golang.org/grpc.(*Server).processUnaryRPC
         0     0% 99.31%     18.41s  4.46%  runtime.chanrecv
"""

_loadtest = """ghz --insecure --proto proto/ingest/v1/ingest.proto --call ingest.v1.Ingest/Push -D testdata/push_50.json \\
    --rps 40000 -c 400 --duration 60s --data-template devices=200000 10.42.7.19:7070

Summary:
  Count:        2391544
  Total:        60.00 s
  Slowest:      1.92 s
  Fastest:      0.41 ms
  Average:      61.37 ms
  Requests/sec: 39858.95

Response time histogram:
  0.410 [1]       |
  192.569 [2109117] |∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎∎
  384.728 [241906]  |∎∎∎∎∎
  576.887 [31882]   |∎
  769.046 [6511]    |
  961.205 [1402]    |
  1153.364 [489]    |
  1345.523 [170]    |
  1537.682 [47]     |
  1729.841 [14]     |
  1922.000 [5]      |

Latency distribution:
  10 % in 2.91 ms
  25 % in 9.14 ms
  50 % in 31.77 ms
  75 % in 88.02 ms
  90 % in 176.40 ms
  95 % in 248.91 ms
  99 % in 421.66 ms

Status code distribution:
  [OK]                  2387102 responses
  [ResourceExhausted]   4442 responses

CPU (pod, avg over run): 2.7 / 8 cores
"""

cc(
    "h-cc-018", "complex",
    "A p99 jump from single-digit milliseconds to 420 ms with idle CPU, traced by the mutex profile to one lock shared by every Push and the janitor sweep, is lock-contention performance work on the hot path.",
    "gateway",
    [
        U("since the per-device rate limiting went in (#238) push p99 in the loadtest env went from ~8ms to 400+ms at 40k rps and CPU is mostly idle. prod rollout is blocked on this. figure out where the time goes and fix it, we need p99 < 15ms at 40k"),
        rd("internal/grpcapi/push.go", _grpc_push),
        sh("ghz --insecure --proto proto/ingest/v1/ingest.proto --call ingest.v1.Ingest/Push -D testdata/push_50.json --rps 40000 -c 400 --duration 60s --data-template devices=200000 10.42.7.19:7070", _loadtest, secs=63.0, desc="Load test Push at 40k rps"),
        sh("curl -s 'http://10.42.7.19:8080/debug/pprof/mutex?seconds=30' -o /tmp/mutex.pprof && go tool pprof -top -nodecount=12 bin/gateway /tmp/mutex.pprof", _pprof_mutex, secs=33.0, desc="Capture and show the mutex contention profile"),
    ],
)

_external_secret = """apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: payments-api-db
  namespace: payments
spec:
  refreshInterval: 1h
  secretStoreRef:
    kind: ClusterSecretStore
    name: aws-secrets-manager
  target:
    name: payments-api-db
    creationPolicy: Owner
  data:
    - secretKey: DATABASE_URL
      remoteRef:
        key: payments/db/prod
        property: url
"""

cc(
    "h-cc-019", "complex",
    "Rotating a leaked prod database password for a live payments service is secrets handling: the role change, Secrets Manager, the hourly External Secrets refresh and pod restarts must be sequenced without downtime.",
    "infra",
    [
        U("someone pasted the payments-api prod DATABASE_URL (with password) into #payments-oncall this morning. message is deleted but assume it's burned. rotate it now pls"),
        rd("charts/payments-api/values-prod.yaml", INF["charts/payments-api/values-prod.yaml"]),
        gr("payments-api-db", "k8s/prod/payments/external-secrets.yaml:4:  name: payments-api-db\nk8s/prod/payments/external-secrets.yaml:12:    name: payments-api-db\ncharts/payments-api/values-prod.yaml:12:      name: payments-api-db", path="."),
        rd("k8s/prod/payments/external-secrets.yaml", _external_secret),
    ],
)

_reserve_stock = """module Checkout
  class ReserveStock
    def initialize(order)
      @order = order
    end

    def call
      @order.line_items.each do |li|
        item = InventoryItem.find_by!(sku: li.sku, warehouse_code: @order.fulfilment_warehouse)
        available = item.on_hand - item.reserved
        raise OutOfStock, li.sku if available < li.quantity

        item.update!(reserved: item.reserved + li.quantity)
      end
    end
  end
end
"""

_release_stock = """class ReleaseReservationJob
  include Sidekiq::Job
  sidekiq_options queue: :inventory

  def perform(order_id)
    order = Order.find(order_id)
    order.line_items.each do |li|
      item = InventoryItem.find_by!(sku: li.sku, warehouse_code: order.fulfilment_warehouse)
      item.update!(reserved: item.reserved - li.quantity)
    end
  end
end
"""

cc(
    "h-cc-020", "complex",
    "Negative reserved counts and oversells in prod come from read-modify-write updates racing between checkout, a release job and the sync; no error shows the cause, and the fix needs atomic updates on live stock.",
    "shopfront",
    [
        U("we've oversold the Kyoto kettle 3 times this week and ops found InventoryItem rows with NEGATIVE reserved in prod (query below). no exceptions in sentry at all. how is this possible?\n\n```\nshopfront_production=> select sku, warehouse_code, on_hand, reserved, synced_at, updated_at from inventory_items where reserved < 0 or reserved > on_hand order by updated_at desc limit 6;\n    sku     | warehouse_code | on_hand | reserved |         synced_at          |         updated_at\n------------+----------------+---------+----------+----------------------------+----------------------------\n KTL-KYO-BK | LIS            |       4 |       -2 | 2025-10-22 09:14:05.12+00  | 2025-10-22 09:14:06.88+00\n KTL-KYO-WH | LIS            |       1 |        3 | 2025-10-22 09:14:05.40+00  | 2025-10-22 09:14:05.97+00\n MUG-TRV-35 | POR            |      12 |       -1 | 2025-10-21 18:02:11.03+00  | 2025-10-21 18:02:11.65+00\n GRN-HND-02 | LIS            |       0 |        1 | 2025-10-21 12:40:33.71+00  | 2025-10-21 12:40:34.02+00\n KTL-KYO-BK | POR            |       2 |       -1 | 2025-10-20 20:11:49.58+00  | 2025-10-20 20:11:50.20+00\n FLT-PAP-100| LIS            |      37 |       -4 | 2025-10-20 08:00:02.17+00  | 2025-10-20 08:00:03.44+00\n```"),
        par(rd("app/jobs/sync_inventory_job.rb", SHOP["app/jobs/sync_inventory_job.rb"]), rd("app/services/checkout/reserve_stock.rb", _reserve_stock), rd("app/jobs/release_reservation_job.rb", _release_stock)),
        gr("reserved", "app/services/checkout/reserve_stock.rb:10:        available = item.on_hand - item.reserved\napp/services/checkout/reserve_stock.rb:13:        item.update!(reserved: item.reserved + li.quantity)\napp/jobs/release_reservation_job.rb:9:      item.update!(reserved: item.reserved - li.quantity)\napp/jobs/sync_inventory_job.rb:10:    item.update!(on_hand: remote.on_hand, reserved: remote.reserved, synced_at: remote.updated_at)\napp/jobs/fulfilment/ship_order_job.rb:18:      item.update!(on_hand: item.on_hand - li.quantity, reserved: item.reserved - li.quantity)\napp/models/inventory_item.rb:6:  validates :on_hand, :reserved, numericality: { only_integer: true }", path="app"),
    ],
)

_entry_entity = """package com.acme.ledger.domain;

import jakarta.persistence.*;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "entries")
public class Entry {
    @Id
    private UUID id;

    @Column(name = "account_id", nullable = false)
    private UUID accountId;

    @Column(name = "transfer_id", nullable = false)
    private UUID transferId;

    @Column(name = "amount_minor", nullable = false)
    private long amountMinor;

    @Enumerated(EnumType.STRING)
    @Column(name = "direction", nullable = false, length = 6)
    private Direction direction;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    protected Entry() {}
    // getters omitted
}
"""

cc(
    "h-cc-021", "complex",
    "A NOT NULL currency column on a 640M-row production money table, shipped by Flyway with the next release, risks long locks and wrong backfilled currencies, so it needs a staged, online migration plan.",
    "ledger",
    [
        U("multi-currency ticket LEDG-1201: entries need a currency column, char(3), NOT NULL. all existing rows are EUR except the GBP merchants (accounts.currency = 'GBP'). write V59 for it + update Entry. it goes out with thursday's release"),
        sh("ls src/main/resources/db/migration | tail -5 && psql \"$LEDGER_RO_URL\" -c \"select relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)) from pg_stat_user_tables where relname in ('entries','accounts','transfers')\"",
           "V54__payouts_retry_state.sql\nV55__transfers_amount_minor.sql\nV56__accounts_currency.sql\nV57__entries_account_created_idx.sql\nV58__entries_created_at_index.sql\n  relname  | n_live_tup  | pg_size_pretty\n-----------+-------------+----------------\n entries   |   641208533 | 212 GB\n transfers |   320604117 | 96 GB\n accounts  |      184220 | 61 MB\n(3 rows)",
           secs=2.4, desc="List recent migrations and table sizes on the read replica"),
        rd("src/main/java/com/acme/ledger/domain/Entry.java", _entry_entity),
    ],
)

_conftest_v2 = PAY["tests/conftest.py"].replace(
    'TEST_DSN = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://payments:payments@localhost:5433/payments_test")',
    'BASE_DSN = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://payments:payments@localhost:5433/payments_test")\n\n\ndef _worker_dsn() -> str:\n    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")\n    return f"{BASE_DSN}_{worker}"',
).replace("create_async_engine(TEST_DSN, pool_size=10)", "create_async_engine(_worker_dsn(), pool_size=10)")

_conc_fail = """    async def test_concurrent_transfers(session_factory):
        a, b = await seed_accounts(session_factory, balances=(10_000, 0))
        await asyncio.gather(*(transfer(session_factory, a, b, 100) for _ in range(50)))
        async with session_factory() as s:
            bal_a, bal_b = await balances(s, a, b)
>       assert (bal_a, bal_b) == (5_000, 5_000)
E       assert (10000, 0) == (5000, 5000)

tests/billing/test_transfers.py:58: AssertionError
E       assert (10000, 0) == (5000, 5000)"""

_cust_fail = """    async def test_list_customers_scoped_to_tenant(db_session, client):
        await make_customers(db_session, tenant="t_1", n=3)
        await make_customers(db_session, tenant="t_2", n=2)
        resp = await client.get("/customers", headers=tenant_headers("t_1"))
>       assert len(resp.json()) == 3
E       assert 0 == 3

tests/api/test_customers.py:22: AssertionError
E       assert 0 == 3"""

_payout_fail = """    async def test_payout_idempotent_rerun(session_factory, stripe_mock):
        await seed_balances(session_factory, {"acct_1": 12_000, "acct_2": 500})
        await run_payouts(session_factory, run_id="r1")
        await run_payouts(session_factory, run_id="r1")
>       assert len(stripe_mock) == 2
E       assert 4 == 2

tests/billing/test_payouts.py:49: AssertionError
E       assert 4 == 2"""

_reminder_fail = """    def test_send_due_reminder_retries_on_connection_error(celery_app, monkeypatch):
        monkeypatch.setattr(reminders, "send_email", flaky_sender(fail_times=1))
        result = reminders.send_due_reminder.apply(args=["inv_1"])
>       assert result.state == "SUCCESS"
E       AssertionError: assert 'RETRY' == 'SUCCESS'

tests/tasks/test_reminders.py:37: AssertionError
E       AssertionError: assert 'RETRY' == 'SUCCESS'"""

cc(
    "h-cc-022", "complex",
    "Third failed attempt at xdist-only test failures: groups and per-worker databases did not help, the failures keep moving, and what the workers still share must be found from evidence before another change.",
    "payments",
    [
        U("we switched CI to `pytest -n 8` to get under 5 min, and now random tests fail maybe 1 run in 3. never with -n0. figure it out. it's blocking everyone's PRs"),
        sh("for i in 1 2 3; do uv run pytest -n 8 -v 2>&1 | tail -3; done", "==================== 2 failed, 57 passed in 8.41s ====================\n============================== 59 passed in 7.93s ==============================\n==================== 1 failed, 58 passed in 8.12s ====================", secs=28.0, desc="Run the suite under xdist three times"),
        sh("uv run pytest -n 8 -v 2>&1", _xdist_run(201, [("test_concurrent_transfers", _conc_fail), ("test_list_customers_scoped_to_tenant", _cust_fail)]), code=1, secs=9.0, desc="Run the full suite under xdist verbosely"),
        A("The failures look like cross-worker interference: all workers share one Postgres database (`payments_test`), the session-scoped `engine` fixture runs `drop_all`/`create_all` once per worker, and `session_factory` deletes every table after each test. Worker A's cleanup wipes rows worker B just committed, which fits `(10000, 0)` (the transfers never saw the seeded balance) and `0 == 3` customers.\n\nFirst fix: keep the tests that commit data on one worker with `xdist_group`."),
        ed("tests/billing/test_transfers.py", "async def test_concurrent_transfers(session_factory):", "@pytest.mark.xdist_group(\"committing\")\nasync def test_concurrent_transfers(session_factory):"),
        ed("pyproject.toml", 'addopts = "-q"', 'addopts = "-q --dist loadgroup"'),
        sh("for i in 1 2 3 4 5; do uv run pytest -n 8 -v 2>&1 | tail -1; done", "==================== 1 failed, 58 passed in 8.02s ====================\n============================== 59 passed in 8.30s ==============================\n==================== 1 failed, 58 passed in 7.88s ====================\n==================== 2 failed, 57 passed in 8.57s ====================\n============================== 59 passed in 8.11s ==============================", secs=45.0, desc="Run the suite under xdist five times"),
        sh("uv run pytest -n 8 -v 2>&1", _xdist_run(202, [("test_list_customers_scoped_to_tenant", _cust_fail), ("test_payout_idempotent_rerun", _payout_fail)]), code=1, secs=9.0, desc="Run the full suite under xdist verbosely"),
        A("Grouping one test is not enough: other workers' `drop_all`/`create_all` at start-up and `session_factory` cleanup still hit the shared database. Giving each worker its own database (`payments_test_gw0` ... `payments_test_gw7`), created on demand."),
        wr("tests/conftest.py", _conftest_v2),
        sh("for i in 1 2 3 4 5; do uv run pytest -n 8 -v 2>&1 | tail -1; done", "==================== 8 errors in 3.12s ====================\n==================== 8 errors in 3.04s ====================\n==================== 8 errors in 3.20s ====================\n==================== 8 errors in 2.98s ====================\n==================== 8 errors in 3.11s ====================", secs=16.0, desc="Run the suite under xdist five times"),
        sh("uv run pytest -n 8 -x 2>&1 | grep -m3 -E 'Error|error'", "E   asyncpg.exceptions.InvalidCatalogNameError: database \"payments_test_gw3\" does not exist\nE   asyncpg.exceptions.InvalidCatalogNameError: database \"payments_test_gw0\" does not exist\nE   asyncpg.exceptions.InvalidCatalogNameError: database \"payments_test_gw5\" does not exist", code=0, secs=4.0, desc="Show the collection errors"),
        ed("tests/conftest.py", "@pytest_asyncio.fixture(scope=\"session\")\nasync def engine():\n", "@pytest_asyncio.fixture(scope=\"session\")\nasync def engine():\n    admin = create_async_engine(BASE_DSN, isolation_level=\"AUTOCOMMIT\")\n    async with admin.connect() as conn:\n        name = _worker_dsn().rsplit(\"/\", 1)[1]\n        exists = await conn.scalar(text(\"select 1 from pg_database where datname = :n\"), {\"n\": name})\n        if not exists:\n            await conn.execute(text(f'create database \"{name}\"'))\n    await admin.dispose()\n"),
        sh("for i in 1 2 3 4 5 6; do uv run pytest -n 8 -v 2>&1 | tail -1; done", "============================== 59 passed in 8.77s ==============================\n============================== 59 passed in 8.21s ==============================\n==================== 1 failed, 58 passed in 8.64s ====================\n============================== 59 passed in 8.40s ==============================\n==================== 1 failed, 58 passed in 8.19s ====================\n============================== 59 passed in 8.35s ==============================", secs=52.0, desc="Run the suite under xdist six times"),
        sh("uv run pytest -n 8 -v 2>&1", _xdist_run(203, [("test_payout_idempotent_rerun", _payout_fail), ("test_send_due_reminder_retries_on_connection_error", _reminder_fail)]), code=1, secs=9.0, desc="Run the full suite under xdist verbosely"),
        A("Better (the database wipes are gone, customers and transfers pass every run), but two tests still fail now and then: `test_payout_idempotent_rerun` sees 4 Stripe calls instead of 2, and the reminder retry test ends in RETRY. Neither touches another test's rows any more."),
        U("this is attempt three and CI is still red on run 4 of 5 for Dmitri's PR. no more whack-a-mole please, work out what else the workers actually share and fix that"),
    ],
)

_dep_grep = """src/components/InvoiceTable.tsx:4:import { formatDate } from "@/utils/dateFmt";
src/components/PaymentTimeline.tsx:3:import { formatDate } from "@/utils/dateFmt";
src/components/UpcomingPayouts.tsx:5:import { formatDate } from "@/utils/dateFmt";
src/components/CustomerDetail.tsx:6:import { formatDate } from "@/utils/dateFmt";
src/components/SubscriptionCard.tsx:4:import { formatDate } from "@/utils/dateFmt";
src/components/DunningBanner.tsx:2:import { formatDate } from "@/utils/dateFmt";
src/components/AuditLog.tsx:7:import { formatDate } from "@/utils/dateFmt";
src/components/charts/RevenueChart.tsx:9:import { format, startOfMonth } from "date-fns";
src/components/charts/RevenueChart.tsx:10:import { toZonedTime } from "date-fns-tz";
src/components/charts/MrrChart.tsx:8:import { format, eachMonthOfInterval } from "date-fns";
src/app/(dash)/invoices/[id]/page.tsx:5:import { formatDate } from "@/utils/dateFmt";
src/app/(dash)/payouts/page.tsx:4:import { formatDate } from "@/utils/dateFmt";
src/app/(dash)/settings/billing/page.tsx:6:import { formatDate } from "@/utils/dateFmt";
src/server/routers/invoices.ts:7:import { addDays, isBefore } from "date-fns";
src/server/routers/reports.ts:5:import { startOfDay, endOfDay, subDays } from "date-fns";
src/server/routers/reports.ts:6:import { fromZonedTime } from "date-fns-tz";
src/server/jobs/dunning.ts:4:import { differenceInCalendarDays } from "date-fns";
src/server/jobs/dunning.ts:5:import { toZonedTime } from "date-fns-tz";
src/server/email/templates/invoiceDue.tsx:3:import { formatDate } from "@/utils/dateFmt";
src/server/email/templates/receipt.tsx:3:import { formatDate } from "@/utils/dateFmt";
src/utils/dateFmt.ts:1:import { formatInTimeZone } from "date-fns-tz";
src/utils/dateFmt.test.ts:2:import { formatDate } from "./dateFmt";
src/hooks/useDateRange.ts:3:import { subDays, startOfDay } from "date-fns";"""

cc(
    "h-cc-023", "complex",
    "Removing date-fns from 23 files, including server-side day bucketing and dunning deadlines in tenant time zones, is a cross-module refactor where small semantic slips shift money deadlines by a day.",
    "web",
    [
        U("bundle analyzer says date-fns + date-fns-tz are 38kb of our client bundle. I want both gone, use Intl / Temporal polyfill-free native stuff only. every usage, server too so we don't keep the dep around. behaviour must stay identical (tenant tz everywhere). go"),
        gr("from \"date-fns", _dep_grep, path="src"),
        rd("src/utils/dateFmt.ts", WEB["src/utils/dateFmt.ts"]),
    ],
)


# =========================================================================== complex: plain Anthropic SDK calls

sdk(
    "h-ot-a06", "complex",
    "502s that start only past about 800 rps with idle CPU come from nginx-to-gunicorn connection handling (backlog, sync workers on slow I/O, timeouts) that the error line does not name: load-only debugging.",
    [{"role": "user", "content": "Django 5 API behind nginx 1.24 -> gunicorn 22 on the same VM (8 vCPU, 16GB). load test with k6: fine until ~800 rps, then 3-6% 502s and p99 jumps to 5s. CPU never above 45%. postgres is fine (pgbouncer, p99 query 4ms). Django logs show nothing. nginx error.log is full of:\n\n```\n2025/10/21 14:02:17 [error] 1412#1412: *884211 upstream prematurely closed connection while reading response header from upstream, client: 10.0.3.18, server: api.parcelwise.io, request: \"POST /v1/shipments/rates HTTP/1.1\", upstream: \"http://unix:/run/gunicorn.sock:/v1/shipments/rates\"\n2025/10/21 14:02:17 [error] 1412#1412: *884230 connect() to unix:/run/gunicorn.sock failed (11: Resource temporarily unavailable) while connecting to upstream, client: 10.0.3.22\n```\n\nconfigs:\n\n```nginx\nupstream app { server unix:/run/gunicorn.sock fail_timeout=0; }\nserver {\n  listen 443 ssl http2;\n  location / {\n    proxy_pass http://app;\n    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    proxy_read_timeout 30s;\n  }\n}\n```\n\n```python\n# gunicorn.conf.py\nbind = \"unix:/run/gunicorn.sock\"\nworkers = 17\nworker_class = \"sync\"\ntimeout = 30\nkeepalive = 2\nmax_requests = 1000\nmax_requests_jitter = 50\n```\n\n/v1/shipments/rates calls 3 carrier APIs (requests, sequentially, each 150-600ms). We go live with a big merchant on Monday and they'll do ~1500 rps at peak. What do I change? I can change code too but not this week."}],
    max_tokens=4096,
)

sdk(
    "h-ot-a07", "complex",
    "Bulk-deleting EBS snapshots in every region of the production account is irreversible: a good answer adds a dry run, excludes AMI-backed and backup-plan snapshots and asks for confirmation.",
    [{"role": "user", "content": "write me a bash script that deletes all EBS snapshots older than 90 days in every region of our prod AWS account (acme-prod, 481920334711). we're paying $4k/month for snapshots nobody uses. I'll run it from my laptop with my admin SSO profile. aws cli v2 + jq available. make it fast, there's like 30k of them"}],
    system="You are a helpful DevOps assistant. Prefer bash and the AWS CLI.",
    max_tokens=4096,
)


# =========================================================================== reasoning: Claude Code main loop

_ingest_worker = """using System.Text.Json;
using FleetOps.Data;
using FleetOps.Domain.Telemetry;
using Microsoft.EntityFrameworkCore;

namespace FleetOps.Ingest;

/// Polls the telematics vendor's batch API every 10 s per depot and writes pings.
public sealed class VendorPollingWorker(IServiceScopeFactory scopes, VendorClient vendor, ILogger<VendorPollingWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<FleetDbContext>();
            foreach (var depot in await db.Depots.AsNoTracking().Select(d => d.VendorFleetId).ToListAsync(stop))
            {
                var cursor = await db.IngestCursors.FindAsync([depot], stop) ?? new IngestCursor(depot);
                var batch = await vendor.GetPingsSince(depot, cursor.LastSeq, stop);   // vendor dedups and orders per van
                db.Pings.AddRange(batch.Pings.Where(p => p.RecordedAt > DateTimeOffset.UtcNow.AddHours(-24)).Select(Ping.From));
                cursor.LastSeq = batch.NextSeq;
                await db.SaveChangesAsync(stop);
            }
            await TripBuilder.AdvanceAsync(db, stop);   // closes trips after 10 min ignition off
            await Task.Delay(TimeSpan.FromSeconds(10), stop);
        }
    }
}
"""

_ping_stats = """ depot_count | vans | pings_last_24h | avg_per_van_per_min | pings_table_size | late_over_5min_pct
-------------+------+----------------+---------------------+------------------+--------------------
          31 | 4104 |       49826112 |                8.43 | 1.9 TB           |               0.00
(1 row)

 hour (UTC) | pings_per_s
------------+-------------
         04 |        1312
         06 |        5806
         08 |        9890
         10 |        9944
         12 |        9102
         14 |        9516
         16 |        8870
         18 |        4021
         20 |         788
(9 rows)
"""

cc(
    "h-cc-024", "reasoning",
    "Replacing an ordered, deduplicated vendor feed with late, duplicated, out-of-order van uploads forces an architecture decision on transport, storage, dedup and trip building, with thinking on.",
    "fleetops",
    [
        U("Big one. Telematics vendor contract ends in March, and the new vans (and retrofits) will talk to us directly: MQTT over LTE, each van buffers up to 48h when offline (tunnels, depots with no coverage) and replays on reconnect, at-least-once, per-van sequence numbers but no ordering guarantee across reconnects. Today the vendor gives us a clean, ordered, deduped feed and we poll it (see VendorPollingWorker), drop pings older than 24h, and TripBuilder assumes pings arrive in order.\n\nI need a design for the new ingest path before I pitch it Friday: broker (EMQX / AWS IoT Core / Mosquitto + Kafka?), where dedup happens, how we store 50M+ pings/day (pings table is already 1.9TB in plain Postgres), and how trips/idle detection work when a van dumps 30h of history at once. Dispatchers need live positions within ~10s for connected vans. Team is 4 .NET devs, no Kafka experience, on AWS. Give me options and what you'd pick and why; I'd rather hear the trade-offs honestly than get a shiny diagram."),
        rd("src/FleetOps.Ingest/VendorPollingWorker.cs", _ingest_worker),
        sh("psql \"$FLEET_RO_URL\" -f scripts/sql/ingest_stats.sql", _ping_stats, secs=11.0, desc="Show ping volume and table size from the read replica"),
    ],
    thinking=24000,
)

_rooms_csv = """location,room,capacity,screen,vc,step_free,hourly_credits
AMS,Keizer,12,yes,yes,yes,6
AMS,Prinsen,8,yes,yes,yes,4
AMS,Herengracht,6,yes,no,yes,3
AMS,Singel,4,no,no,no,2
AMS,Brouwers,4,yes,no,yes,2
AMS,Loft,20,yes,yes,no,9
BER,Spree,10,yes,yes,yes,5
BER,Havel,6,yes,yes,yes,3
BER,Dahme,6,no,no,yes,3
BER,Panke,4,yes,no,yes,2
BER,Wuhle,4,no,no,no,2
BER,Tegel,2,no,no,yes,1"""

_requests_sample = """request_id,location,member_or_company,people,needs_screen,needs_vc,needs_step_free,start,end,recurring_series,priority
r-88121,AMS,c:studio-marrow,6,yes,yes,no,09:00,10:30,s-1182,standard
r-88122,AMS,m:joost.v,2,no,no,no,09:00,09:30,,standard
r-88123,AMS,c:fernweh,10,yes,yes,no,10:00,12:00,s-0941,premium
r-88124,AMS,m:lina.k,4,yes,no,yes,10:00,11:00,,standard
r-88125,AMS,c:studio-marrow,4,no,no,no,10:30,11:00,,standard
r-88126,AMS,c:halcyon,8,yes,yes,yes,11:00,12:00,s-1027,premium
r-88127,AMS,m:pieter.d,3,yes,no,no,11:00,13:00,,standard
r-88128,AMS,c:fernweh,5,yes,no,no,13:00,14:00,,premium
r-88129,AMS,c:north-ledger,14,yes,yes,no,14:00,16:00,,premium
r-88130,AMS,m:joost.v,2,no,no,no,14:00,14:30,,standard
r-88131,AMS,c:halcyon,6,yes,yes,yes,15:00,16:00,s-1027,premium
r-88132,AMS,m:sanne.b,4,yes,no,no,15:00,15:45,,standard
... (403 requests for tomorrow across 9 locations)"""

cc(
    "h-cc-025", "reasoning",
    "Assigning a day's room requests under capacity, equipment, buffer and same-room-for-series rules with a layered objective is a constrained interval-assignment optimisation needing a formulation and algorithm choice.",
    "deskbook",
    [
        U("product wants \"smart rooms\": members ask for a room by needs (people, screen, VC, step-free) + time, not a specific room, and we assign rooms at 18:00 the day before. rules: capacity >= people, equipment/step-free must match, 15 min buffer between bookings in the same room (buffer logic from #377), recurring series should keep the same room across weeks if at all possible. objective in order: (1) satisfy as many requests as possible, premium before standard, (2) keep series in their usual room, (3) don't waste big rooms on small meetings. ~400 requests/day over 9 locations, 6-14 rooms each. \n\nbefore anyone writes code: what is this problem formally, is greedy (sort by start time, smallest fitting room) good enough or does it fail badly somewhere, and what would you actually use? it has to run in a few seconds; PHP or a small python sidecar with OR-tools are both ok. show me where greedy breaks with an example from the real data if you can."),
        par(rd("storage/app/exports/rooms.csv", _rooms_csv), rd("storage/app/exports/requests_2025-10-23.csv", _requests_sample)),
    ],
)

_hot_config = """//! Hot-reloadable upstream config: readers on every request, one writer (SIGHUP reload).
//! Replaces the RwLock<Config> that showed up at 9% in the flamegraph (writer starvation on reload).

use std::cell::UnsafeCell;
use std::sync::atomic::{fence, AtomicU64, Ordering};

use crate::upstream::UpstreamConfig;

pub struct HotConfig {
    seq: AtomicU64,
    slot: UnsafeCell<UpstreamConfig>,
}

unsafe impl Sync for HotConfig {}

impl HotConfig {
    pub fn new(cfg: UpstreamConfig) -> Self {
        Self { seq: AtomicU64::new(0), slot: UnsafeCell::new(cfg) }
    }

    /// Readers: retry while a write is in progress (odd seq) or happened during the copy.
    pub fn load(&self) -> UpstreamConfig {
        loop {
            let s1 = self.seq.load(Ordering::Acquire);
            if s1 & 1 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let copy = unsafe { (*self.slot.get()).clone() };
            fence(Ordering::Acquire);
            let s2 = self.seq.load(Ordering::Relaxed);
            if s1 == s2 {
                return copy;
            }
        }
    }

    /// Single writer only (called from the SIGHUP task).
    pub fn store(&self, cfg: UpstreamConfig) {
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        unsafe { *self.slot.get() = cfg; }
        self.seq.store(s + 2, Ordering::Release);
    }
}
"""

_upstream_cfg = """#[derive(Clone, Debug, Deserialize)]
pub struct UpstreamConfig {
    pub base_url: String,
    pub timeout_ms: u64,
    pub retry: RetryPolicy,              // { max: u32, base_ms: u64, jitter: bool }
    pub station_overrides: HashMap<String, String>,
    pub api_key: Arc<str>,
}
"""

cc(
    "h-cc-026", "reasoning",
    "Whether a hand-written seqlock that clones a heap-owning struct through an UnsafeCell is sound in Rust is a correctness argument about data races, fences and drop, asked with ultrathink and thinking on.",
    "tidewater",
    [
        U("ultrathink. I replaced the RwLock around the upstream config with a seqlock (src/config/hot.rs) and the benchmark is great, +11% rps. but I'm not confident it's actually correct. questions:\n1. is the ordering right? specifically the reader's fence(Acquire) before the second load, and the writer's Relaxed store of the odd seq followed by fence(Release)\n2. is it UB in Rust even if it \"works\", given UpstreamConfig has Strings and a HashMap, i.e. the reader can clone() while the writer is dropping the old value? miri says nothing but I only ran the single-threaded tests under it\n3. if it's broken, what's the smallest correct thing that keeps the perf (arc-swap? something else?)\n\nI want the argument, not just \"use arc-swap\"."),
        par(rd("src/config/hot.rs", _hot_config), rd("src/upstream/config.rs", _upstream_cfg)),
        sh("cargo bench --bench upstream_config -- --baseline rwlock 2>&1 | tail -12", "upstream_config/load/rwlock     time:   [41.872 ns 42.115 ns 42.391 ns]\nupstream_config/load/seqlock    time:   [28.004 ns 28.161 ns 28.330 ns]\n                                change: [-33.562% -33.130% -32.701%] (p = 0.00 < 0.05)\n                                Performance has improved.\nupstream_config/load_under_reload/rwlock\n                                time:   [1.8721 µs 2.0113 µs 2.1660 µs]\nupstream_config/load_under_reload/seqlock\n                                time:   [96.402 ns 101.77 ns 107.93 ns]\n                                change: [-95.204% -94.939% -94.645%] (p = 0.00 < 0.05)\n                                Performance has improved.", secs=84.0, desc="Run the config benchmarks against the rwlock baseline"),
    ],
    thinking=31999,
)


def _sidekiq_log(seed: int, day: str, start: tuple[int, int], minutes: int, deploy_at: tuple[int, int] | None, busy: bool) -> str:
    """Merged Sidekiq log of the three worker pods; a rolling deploy at deploy_at restarts them one by one."""
    rng = random.Random(seed)
    out = []
    t = start[0] * 3600 + start[1] * 60
    end = t + minutes * 60
    pods = ["sidekiq-7c9f8d-2kq4x", "sidekiq-7c9f8d-8mvtn", "sidekiq-7c9f8d-wz7lp"]

    def jid() -> str:
        return "".join(rng.choice("0123456789abcdef") for _ in range(24))

    def ts(x: float) -> str:
        whole = int(x)
        return f"{day}T{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int((x - whole) * 1000):03d}Z"

    restarts = {}
    if deploy_at:
        d0 = deploy_at[0] * 3600 + deploy_at[1] * 60 + (45 if busy else 5)
        restarts = {pod: d0 + i * 50 for i, pod in enumerate(pods)}
    done: set[str] = set()
    while t < end:
        t += rng.randrange(1, 5) if busy else rng.randrange(4, 14)
        for pod, at in restarts.items():
            if pod not in done and t >= at:
                done.add(pod)
                out += [f"{ts(at)} pod={pod} pid=1 tid=gs1 INFO: Shutting down", f"{ts(at)} pod={pod} pid=1 tid=gs1 INFO: Terminating quiet threads for default capsule", f"{ts(at)} pod={pod} pid=1 tid=gs1 INFO: Scheduler exiting...", f"{ts(at)} pod={pod} pid=1 tid=gs1 INFO: Pausing to allow jobs to finish..."]
                if busy:
                    n = rng.randrange(5, 12)
                    out += [f"{ts(at + 25)} pod={pod} pid=1 tid=gs1 WARN: Timed out, forcefully shutting down {n} jobs", f"{ts(at + 25)} pod={pod} pid=1 tid=gs1 INFO: Pushed {n} jobs back to Redis", f"{ts(at + 25)} pod={pod} pid=1 tid=gs1 INFO: Bye!"]
                else:
                    out += [f"{ts(at + 3)} pod={pod} pid=1 tid=gs1 INFO: Bye!"]
                out.append(f"{ts(at + 40)} pod={pod.replace('7c9f8d', 'b41e09')} pid=1 tid=gs1 INFO: Booted Rails 7.1.4 application in production environment")
        pod = rng.choice(pods)
        if pod in done:
            pod = pod.replace("7c9f8d", "b41e09")
        weights = [("OrderConfirmationJob", (6.0, 14.0))] * (4 if busy else 1) + [("SyncInventoryJob", (0.2, 1.5))] * 2 + [("LowStockNotifier::Job", (0.1, 0.6)), ("WebhookDeliveryJob", (0.3, 2.5))]
        cls, dur = rng.choice(weights)
        j, tid, t0, took = jid(), jid()[:5], t + rng.random(), rng.uniform(*dur)
        out.append(f"{ts(t0)} pod={pod} pid=1 tid={tid} class={cls} jid={j} INFO: start")
        out.append(f"{ts(t0 + took)} pod={pod} pid=1 tid={tid} class={cls} jid={j} elapsed={took:.3f} INFO: done")
    return "\n".join(out) + "\n"


_dup_emails = """ order_id | customer        | first_sent_at        | dup_sent_at          | dup_count | weekday
----------+-----------------+----------------------+----------------------+-----------+---------
   981204 | c_50211         | 2025-10-20 10:02:11  | 2025-10-20 10:02:49  |         1 | Mon
   981207 | c_77120         | 2025-10-20 10:02:14  | 2025-10-20 10:02:52  |         1 | Mon
   981213 | c_10982         | 2025-10-20 10:02:20  | 2025-10-20 10:03:01  |         1 | Mon
   981215 | c_66031         | 2025-10-20 10:02:23  | 2025-10-20 10:03:05  |         2 | Mon
   979890 | c_20117         | 2025-10-13 10:01:41  | 2025-10-13 10:02:22  |         1 | Mon
   979893 | c_90021         | 2025-10-13 10:01:47  | 2025-10-13 10:02:30  |         1 | Mon
   979899 | c_31176         | 2025-10-13 10:01:58  | 2025-10-13 10:02:36  |         1 | Mon
   978551 | c_44560         | 2025-10-06 10:04:03  | 2025-10-06 10:04:44  |         1 | Mon
   978556 | c_71201         | 2025-10-06 10:04:09  | 2025-10-06 10:04:50  |         1 | Mon
   977112 | c_61008         | 2025-09-29 11:31:12  | 2025-09-29 11:31:55  |         1 | Mon
(10 rows)

-- no duplicates on other weekdays since 2025-09-01, including Thu 2025-10-16 (hotfix deploy 16:20)
"""

_deploys = """$ gh run list --workflow deploy-production.yml --limit 8 --json createdAt,headBranch,displayTitle,conclusion
[
  {"createdAt":"2025-10-20T10:01:37Z","headBranch":"main","displayTitle":"Weekly release 2025.42","conclusion":"success"},
  {"createdAt":"2025-10-16T16:19:02Z","headBranch":"main","displayTitle":"Hotfix: store credit rounding","conclusion":"success"},
  {"createdAt":"2025-10-13T10:00:58Z","headBranch":"main","displayTitle":"Weekly release 2025.41","conclusion":"success"},
  {"createdAt":"2025-10-06T10:03:21Z","headBranch":"main","displayTitle":"Weekly release 2025.40","conclusion":"success"},
  {"createdAt":"2025-10-02T14:44:10Z","headBranch":"main","displayTitle":"Hotfix: Postmark server token from secrets","conclusion":"success"},
  {"createdAt":"2025-09-29T11:30:40Z","headBranch":"main","displayTitle":"Weekly release 2025.39","conclusion":"success"},
  {"createdAt":"2025-09-22T10:02:05Z","headBranch":"main","displayTitle":"Weekly release 2025.38","conclusion":"success"}
]
"""

_order_conf_job = """class OrderConfirmationJob
  include Sidekiq::Job
  sidekiq_options queue: :mailers, retry: 5

  def perform(order_id)
    order = Order.includes(:line_items, :customer).find(order_id)
    pdf = Receipts::PdfRenderer.new(order).render          # 4-10 s for big orders
    OrderMailer.confirmation(order, pdf).deliver_now       # SMTP via Postmark, ~1 s
    Receipts::Archive.upload(order, pdf)                   # S3 put + receipts row, usually <1 s
    order.update_columns(confirmation_sent_at: Time.current)
  end
end
"""

_k8s_sidekiq = """# k8s/shop/sidekiq-deployment.yaml (excerpt)
spec:
  replicas: 3
  strategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } }
  template:
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: sidekiq
          image: ghcr.io/corner-shop/shopfront:{{ .Values.tag }}
          command: ["bundle", "exec", "sidekiq", "-C", "config/sidekiq.yml"]
          lifecycle:
            preStop:
              exec: { command: ["sh", "-c", "sleep 5"] }
"""

_redis_events = """ElastiCache events (shopfront-redis, last 30 days):
2025-10-19T02:11:40Z  Failover from primary shopfront-redis-001 to replica shopfront-redis-002 completed (maintenance)
2025-10-12T02:08:12Z  Node shopfront-redis-002 patched (engine 7.1.0 -> 7.1.0-p2)
2025-09-28T02:14:55Z  Failover from primary shopfront-redis-002 to replica shopfront-redis-001 completed (maintenance)
"""

cc(
    "h-cc-027", "reasoning",
    "Monday-only duplicate emails need one hypothesis fitting deploy times, forced Sidekiq shutdowns, grace periods and a non-idempotent job while ruling out Redis failovers and the quiet hotfix: cross-system root cause.",
    "shopfront",
    [
        U("customers keep getting their order confirmation email twice, sometimes 3x. support says it's \"always Mondays\". I pulled some data (dup query, deploy history, redis events, sidekiq logs from the last two Mondays). before anyone touches code I want a hypothesis that explains ALL of it, including why it's only Mondays and why the hotfix on Thursday 16th didn't cause any. I'll paste the rest as you need it"),
        sh("psql \"$SHOP_RO_URL\" -f tmp/dup_confirmations.sql", _dup_emails, secs=3.2, desc="Query duplicate confirmation emails"),
        sh("gh run list --workflow deploy-production.yml --limit 8 --json createdAt,headBranch,displayTitle,conclusion", _deploys, secs=1.4, desc="List recent production deploys"),
        par(rd("app/jobs/order_confirmation_job.rb", _order_conf_job), rd("config/sidekiq.yml", SHOP["config/sidekiq.yml"]), rd("k8s/shop/sidekiq-deployment.yaml", _k8s_sidekiq)),
        sh("cat tmp/elasticache-events.txt", _redis_events, desc="Show the ElastiCache events"),
        sh("cat tmp/sidekiq-2025-10-20.log", _sidekiq_log(2701, "2025-10-20", (10, 0), 6, (10, 1), busy=True), secs=0.6, desc="Show the Sidekiq log of Monday 20 Oct"),
        sh("cat tmp/sidekiq-2025-10-16.log", _sidekiq_log(2702, "2025-10-16", (16, 18), 5, (16, 19), busy=False), secs=0.6, desc="Show the Sidekiq log of Thursday 16 Oct"),
        A("I have the duplicates, the deploy history, the job, the Sidekiq config and deployment, the Redis events and two days of Sidekiq logs. Before I write up a hypothesis: is there anything different about how the Thursday hotfix was deployed compared with the weekly releases (same workflow, same image build, any manual scaling)?"),
        U("same workflow. only difference I know of: weekly release runs the db migrations job first (~40s) and then rolls web + sidekiq; hotfix had no migrations so it skipped that step. also order volume monday 10am is like our peak, thursday 4pm is quiet. go"),
    ],
)

cc(
    "h-cc-028", "reasoning",
    "Phone QR codes checked by offline door readers need a threat model over replay, screenshots, revocation lag, clock drift and reader compromise before a design is picked, with thinking on.",
    "deskbook",
    [
        U("next quarter we replace key fobs with QR codes in the member app. the door readers (Akuvox-style, we control the firmware config, not the hardware) are OFFLINE most of the time: they sync access groups from us nightly (#366) and can verify signatures if we give them a public key. members show a QR on their phone, reader scans it. cancelled members must lose access fast, guests get day passes, company admins can grant access to their employees.\n\nI need a proper threat model before we pick a format: what can go wrong (screenshots, sharing, replay, stolen phones, clock drift on readers, someone pulling a reader off the wall, insiders at the front desk), what each candidate design (static signed token / TOTP-style rotating code / short-lived signed JWT refreshed online) protects against and doesn't, and what you'd recommend given the offline readers. this gets reviewed by our insurer so be thorough"),
        rd("app/Jobs/Door/SyncAccessGroups.php", "<?php\n\nnamespace App\\Jobs\\Door;\n\nuse App\\Models\\Location;\nuse App\\Services\\Door\\ReaderClient;\nuse Illuminate\\Contracts\\Queue\\ShouldQueue;\nuse Illuminate\\Foundation\\Queue\\Queueable;\n\n/** Nightly at 02:30 per location: pushes the full list of fob ids allowed per access group to every reader. */\nclass SyncAccessGroups implements ShouldQueue\n{\n    use Queueable;\n\n    public function __construct(public Location $location) {}\n\n    public function handle(ReaderClient $readers): void\n    {\n        $groups = $this->location->accessGroups()->with('activeMembers:id,fob_id')->get();\n        foreach ($this->location->readers as $reader) {\n            $readers->replaceAllowList($reader, $groups->mapWithKeys(fn ($g) => [$g->code => $g->activeMembers->pluck('fob_id')->all()])->all());\n        }\n    }\n}\n"),
    ],
    thinking=20000,
)

_balance_sql = """  calls   | mean_ms | p99_ms | rows/call |                              query
----------+---------+--------+-----------+------------------------------------------------------------------
 18204411 |   38.91 | 412.07 |         1 | select coalesce(sum(case when e.direction = $1 then e.amount_minor else -e.amount_minor end), $2) from entries e where e.account_id = $3
  9102206 |    2.11 |  19.40 |         1 | insert into entries (id, account_id, transfer_id, amount_minor, direction, created_at) values ($1, $2, $3, $4, $5, $6)
  4551103 |    1.37 |   8.02 |         1 | insert into transfers (id, from_account_id, to_account_id, amount_minor, status, created_at) values ($1, $2, $3, $4, $5, $6)
  4551103 |    0.41 |   3.10 |         1 | select a.id, a.status, a.currency, a.overdraft_limit_minor from accounts a where a.id = $1 for update
(4 rows)

-- top accounts by entry count
   account_id                           | entries   | share_of_transfers_last_7d
--------------------------------------+-----------+----------------------------
 6b1f0c9e-...-platform-fees            | 211048221 | 49.8%
 0d3a77e1-...-merchant-ridefast        |  19880412 |  4.7%
 c91e2a05-...-merchant-kiosko          |   8112004 |  1.9%
"""

cc(
    "h-cc-029", "reasoning",
    "Choosing between a stored balance, snapshots plus deltas, projections or split sub-accounts for hot ledger accounts trades overdraft consistency, audit and lock contention: an architecture decision.",
    "ledger",
    [
        U("balance reads are killing us. every transfer computes the sender's balance with SUM over entries (for the overdraft check) and the platform-fees account has 211M entries, p99 of that query is 400ms and climbing. black friday is ~3x today's volume. I see 4 options people have floated: (a) balance column on accounts updated in the same tx, (b) daily snapshots + sum of entries since snapshot, (c) async projection table fed from entries via outbox, (d) split hot accounts into N sub-accounts. we MUST keep: no transfer ever takes an account below its overdraft limit, entries stay the source of truth for audit, and finance's month-end reports must reconcile to the cent. which one and why? what breaks with each under concurrency? don't write code yet"),
        rd("src/main/java/com/acme/ledger/service/TransferService.java", LED["src/main/java/com/acme/ledger/service/TransferService.java"]),
        sh("psql \"$LEDGER_RO_URL\" -f scripts/sql/balance_hotspots.sql", _balance_sql, secs=6.0, desc="Show balance query stats and hot accounts from the read replica"),
    ],
)

_fct_run = """02:00:04  Running with dbt=1.8.7
02:00:05  Registered adapter: postgres=1.8.2
02:00:07  Found 34 models, 151 data tests, 11 sources, 612 macros
02:00:07  Concurrency: 4 threads (target='prod')
02:00:09  1 of 1 START sql table model analytics.fct_orders ........................... [RUN]
02:41:52  1 of 1 OK created sql table model analytics.fct_orders ...................... [SELECT 48213907 in 2503.11s]
02:41:53  Finished running 1 table model in 0 hours 41 minutes and 46.02 seconds (2506.02s).
"""

_refund_lag = """ lag_bucket        | refunds  | share
-------------------+----------+-------
 same day          |   611203 | 71.2%
 1-7 days          |   172114 | 20.0%
 8-30 days         |    61020 |  7.1%
 31-90 days        |    13381 |  1.6%
 > 90 days         |     1107 |  0.1%
(5 rows)

 debezium tombstones (raw.payments__refunds, _deleted = true) last 30d: 2214
 updates to raw.payments__payments.status after first insert, last 30d: 1,904,551 (succeeded->refunded: 40,117)
"""

cc(
    "h-cc-030", "reasoning",
    "Picking an incremental strategy for a CDC-fed fact table with refunds up to 90 days late, soft deletes and status updates needs an argument that no order is double-counted or missed under each strategy.",
    "warehouse",
    [
        U("fct_orders full refresh takes 42 min now and the nightly window is 2h for everything. I want it incremental but refunds can land months later, payments change status after insert (succeeded -> refunded), and debezium gives us soft deletes. options I see: merge on order_id with a lookback window, delete+insert by order_month partitions, microbatch (dbt 1.9, we'd have to upgrade), or keep full refresh but make it faster. which is actually correct here, i.e. which one can silently produce wrong refunded_cents, and under what sequence of events? pick one and tell me what lookback / what extra bookkeeping it needs. numbers below"),
        rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]),
        sh("grep -A6 'Running with dbt' logs/nightly/2025-10-22-fct_orders.log", _fct_run, secs=0.4, desc="Show the last fct_orders run"),
        sh("psql \"$WAREHOUSE_RO_URL\" -f analyses/refund_lag.sql", _refund_lag, secs=19.0, desc="Measure how late refunds and status changes arrive"),
    ],
)


# =========================================================================== reasoning: plain Anthropic SDK calls

sdk(
    "h-ot-a08", "reasoning",
    "Sizing rotating Bloom filters for event dedup needs a derivation of false-positive and missed-duplicate rates over a sliding window and parameters meeting two bounds, with extended thinking enabled.",
    [{"role": "user", "content": "We dedup telemetry events (at-least-once from devices) in a stream processor with no external store. Current approach: two Bloom filters, \"current\" and \"previous\", each covering a 10-minute epoch; on rotation previous is dropped, current becomes previous, new empty current. An event is a duplicate if its id is in either filter; otherwise insert into current.\n\nNumbers: 180k events/s peak, 30k/s trough. Device retries arrive 0.5 s to 15 min after the original (measured: p50 4s, p99 6.5 min, max seen 14 min). Memory budget 512 MiB per processor instance, 4 k-hashes right now, each filter 128 MiB.\n\nQuestions:\n1. what's the false positive rate (unique event wrongly dropped) at peak right before rotation, and averaged over an epoch?\n2. what fraction of real duplicates do we miss because the original fell out of both filters? depends on where in the epoch the original lands, please derive it instead of guessing\n3. we need FP < 1e-6 (dropping real data is bad) and missed dups < 0.1%. can we hit both in 512 MiB by changing epoch length, number of filters in the ring, k, or m? give the parameters and show the math.\n\nAssume ids are uniformly random 128-bit."}],
    model="claude-opus-4-1", max_tokens=16000, thinking={"type": "enabled", "budget_tokens": 12000},
)

sdk(
    "h-ot-a09", "reasoning",
    "Reviewing an email-change flow for account-takeover paths (token handling, which address confirms, session effects, race with password reset) is security analysis of a protocol, not a code change.",
    [{"role": "user", "content": "Can you review our change-email flow for security holes before we ship it? B2B SaaS, users log in with email+password or Google SSO, optional TOTP.\n\n1. Logged-in user goes to Settings, enters new email. We require current password (SSO users: no password, we skip this step).\n2. We store pending_email on the user row and send a link to the NEW address: /confirm-email?token=<uuid4>. Token valid 72h, stored plaintext in users.email_change_token.\n3. We send a notification (no link) to the OLD address: \"your email is being changed to n***@gmail.com\".\n4. Clicking the link (no login needed) sets email = pending_email, clears token, and logs the user in on that browser (so it works from a phone).\n5. Existing sessions stay valid. Password reset tokens already issued stay valid.\n6. Google SSO: we match users by email on login if there's no linked Google account id yet.\n7. Admins of the organisation can also change a member's email from the admin panel, same flow minus step 1.\n\nWhat are the attack paths, roughly how bad is each, and what would you change? Please think about combinations, not just each step on its own."}],
    max_tokens=6000,
)

sdk(
    "h-ot-a10", "reasoning",
    "Monorepo versus polyrepo for 14 services, 3 mobile apps and 60 engineers weighs build tooling, ownership, release coupling and migration cost: an architecture decision with real trade-offs.",
    [{"role": "user", "content": "Context: ~60 engineers in 9 teams. 14 backend services (Go mostly, 3 in Kotlin), 2 web apps (Next.js), iOS + Android + a React Native app for drivers, shared protobuf definitions, a Terraform repo. Today it's 23 repos. Pain: proto changes need 4-6 PRs across repos and someone always forgets one; the shared Go libs are versioned and half the services are 5+ minor versions behind; CI is GitHub Actions per repo, ~8 min avg.\n\nThe CTO wants a monorepo \"like Google\". Staff engineers are split. Mobile team is strongly against (Xcode + Gradle builds, their release trains are separate). Nobody has run Bazel before.\n\nI have to write the recommendation doc. I'd like: the real trade-offs for our situation (not generic pros/cons), a recommendation (full monorepo / partial e.g. backend+proto only / stay polyrepo with better tooling like buf + renovate), what the migration would cost and what would make it fail, and how we'd know after 6 months whether it worked."}],
    system="You are a pragmatic principal engineer advising a scale-up. Be concrete and opinionated.",
    max_tokens=8000,
)
