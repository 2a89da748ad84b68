"""Fresh2-split cases (anthropic dialect): written blind to the router, measured once. See corpus README."""
# ruff: noqa: E501

from __future__ import annotations

import random

from tests.routing.corpus._book import CaseBook
from tests.routing.corpus._clients import (
    FX,
    A,
    CaseSpec,
    Project,
    U,
    ed,
    gr,
    par,
    rd,
    sh,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects written inline for this split
# Kotlin/Ktor, Django, a TypeScript monorepo and a C daemon, next to the nine fixture projects.


_INLINE: dict[str, Project] = {
    p.key: p
    for p in [
        Project(
            "roster", "roster-api", "wardroster/roster-api", "/Users/hana", "/Users/hana/code/roster-api", "darwin",
            "hana/swap-rest-rule",
            "M src/main/kotlin/com/wardroster/swaps/SwapService.kt\nM src/test/kotlin/com/wardroster/swaps/SwapServiceTest.kt",
            "7c1e9a4 Open shifts: publish to ward channel (#214)\n2f8d0b3 Exposed 0.55.0, Ktor 2.3.12 (#211)\n9a4c7e1 Swaps: manager approval step (#207)\n41b0d6f Payroll export: night differential (#203)\ne3d92a8 Koin 3.5 (#199)",
            editor="IntelliJ IDEA",
            notes="""# roster-api

Shift rostering for hospital wards. Kotlin 2.0 on JVM 21, Ktor 2.3 (Netty), Exposed 0.55 (DSL, not DAO), Postgres 16,
Koin for DI, kotlinx.serialization. Modules are packages under `com.wardroster`: `wards`, `shifts`, `swaps`, `staff`, `payroll`.

- `./gradlew test` (Testcontainers Postgres, needs Docker), `./gradlew ktlintFormat` before committing
- Routes live in `<feature>/<Feature>Routes.kt`, one `fun Route.<feature>Routes(...)` per feature, wired in `Application.kt`
- Repositories return domain types, never Exposed `ResultRow`
- Labour rules (rest periods, max hours) live in `shifts/LabourRules.kt` and are covered by property tests
- Commit messages: `<area>: <imperative summary>`
""",
        ),
        Project(
            "courier", "courier", "parcelwise/courier", "/home/tunde", "/home/tunde/src/courier", "linux",
            "tunde/tracking-search",
            "M tracking/admin.py",
            "5be0c12 Tracking: carrier webhook for DPD (#902)\nd71a3f8 Django 5.1.2 (#899)\n0c4e8b6 Labels: ZPL templates per carrier (#894)\n8a2f1d7 Celery: route label jobs to their own queue (#890)\n36e9c05 Accounts: merchant API keys hashed with argon2 (#886)",
            shell="bash",
            notes="""# courier

Parcel tracking and label printing for small merchants. Python 3.12, Django 5.1, DRF, Postgres 16, Celery 5 on Redis, uv.
Apps: `accounts` (merchants, API keys, staff users), `shipments`, `tracking` (carrier events), `labels`, `billing`.

- `uv run pytest` (uses a local Postgres from `docker compose up -d db`), `uv run ruff check . --fix && uv run ruff format .`
- Production DB is large: `tracking_trackingevent` has ~210M rows, `shipments_shipment` ~38M. Migrations that touch
  these tables must be reviewed by #data-platform; use `AddIndexConcurrently` in a non-atomic migration.
- Prod access: read-only replica via `psql $REPLICA_URL`; writes only through migrations or reviewed management commands.
- Staff users (Django admin) are support agents; merchants use the API and the merchant dashboard.
""",
        ),
        Project(
            "beacon", "beacon", "beaconhq/beacon", "/Users/lucia", "/Users/lucia/dev/beacon", "darwin",
            "lucia/typed-config",
            "M apps/api/src/server.ts",
            "b3a91d0 web: status page custom domains (#612)\n6c02e7f api: incident timeline pagination (#608)\n1f9d4a3 turbo 2.1 (#605)\n83e6c2b api: monitors check every 30s on paid plans (#601)\nfa170e9 shared: zod 3.23 (#598)",
            editor="Cursor",
            notes="""# beacon

Uptime monitoring and status pages. pnpm workspaces + turbo. Node 20, TypeScript 5.5 (strict).

- `apps/api`: Fastify 4 REST API + check scheduler (BullMQ on Redis), Drizzle ORM on Postgres
- `apps/web`: Next.js 14 dashboard and public status pages
- `packages/shared`: zod schemas and types shared by api and web; `packages/ui`: React components

Commands: `pnpm -w typecheck`, `pnpm -w test` (vitest), `pnpm -w lint`. Public API is versioned under `/v1`;
mobile apps (iOS/Android) and the Terraform provider call it, so response shapes are a contract.
""",
        ),
        Project(
            "logtap", "logtap", "lhaas/logtap", "/home/lena", "/home/lena/src/logtap", "linux",
            "lena/drain-on-sigterm",
            "M src/ring.c\nM src/shipper.c\nM src/main.c",
            "a4d1c09 shipper: reconnect with backoff (#58)\n3e7b2f5 ring: power-of-two capacity, mask instead of modulo (#55)\nc81f0a6 tail: follow rotated files by inode (#52)\n5d29e3b build: -Wall -Wextra -Werror (#49)\n0b6a8e7 tests: shutdown_test.sh (#47)",
            editor="Neovim", shell="bash",
            notes="""# logtap

Small log shipper daemon: tails files, buffers lines in a ring, ships them over TCP (newline-delimited JSON)
to the collector. C11, pthreads, no dependencies beyond libc. Runs as a systemd service on ~400 hosts.

- `make` (release), `make debug` (-O0 -g), `make tsan` (clang -fsanitize=thread), `make test`
- `tests/shutdown_test.sh N` starts a fake collector, writes 20000 lines, sends SIGTERM and checks nothing is lost, N times
- Threads: `tail` (producer) and `shipper` (consumer), one ring between them. Signal handler only sets a flag.
- Style: `clang-format -i src/*.c src/*.h`; no VLAs; every `malloc` checked
""",
        ),
    ]
}


BOOK = CaseBook(CASES, _INLINE)
cc, side, sdk = BOOK.cc, BOOK.side, BOOK.sdk


TW, INF, WH, SHOP = FX["tidewater"], FX["infra"], FX["warehouse"], FX["shopfront"]


# =========================================================================== bulky outputs (seeded)

_ROSTER_TESTS = {
    "com.wardroster.shifts.LabourRulesTest": [
        "rest period of exactly 11h is allowed", "rest period of 10h59m is rejected", "night shift counts toward next day",
        "weekly hours cap 48h over 7 rolling days", "on-call hours excluded from cap", "property: any legal roster stays legal after removing a shift",
        "property: rest check is symmetric", "DST spring forward shortens the night by one hour", "DST fall back lengthens the night by one hour",
    ],
    "com.wardroster.shifts.ShiftRepositoryTest": [
        "inserts and reads back a shift", "lists shifts for ward between dates", "excludes cancelled shifts", "open shifts only",
        "assign staff sets assigned_at", "unassign clears assigned_at",
    ],
    "com.wardroster.swaps.SwapServiceTest": [
        "request swap between two staff on same ward", "reject swap across wards", "reject swap with self",
        "manager approval moves both shifts", "rejected swap leaves shifts untouched", "expired swap request cannot be approved",
        "reject swap that breaks 11h rest for requester", "reject swap that breaks 11h rest for counterpart",
        "reject swap that exceeds 48h weekly cap", "swap notifications sent to both staff",
    ],
    "com.wardroster.swaps.SwapRoutesTest": [
        "POST swaps returns 201", "POST swaps returns 422 with rule violations", "GET swaps lists pending for manager",
        "PUT swaps approve requires manager role", "PUT swaps approve returns 409 when shift changed",
    ],
    "com.wardroster.staff.StaffRoutesTest": ["GET staff lists ward staff", "GET staff 404 for unknown ward", "PATCH staff updates grade"],
    "com.wardroster.payroll.PayrollExportTest": [
        "exports one row per shift", "night differential applied 22:00-06:00", "weekend differential", "bank holiday from calendar",
        "csv escapes commas in names",
    ],
    "com.wardroster.wards.WardRoutesTest": ["GET wards", "GET ward by id", "GET ward 404", "POST ward requires admin"],
}


def _gradle_test_log(seed: int, fail: dict[str, str] | None = None) -> str:
    rng = random.Random(seed)
    fail = fail or {}
    out = [
        "> Task :checkKotlinGradlePluginConfigurationErrors",
        "> Task :processResources UP-TO-DATE",
        "> Task :compileKotlin",
        "> Task :compileJava NO-SOURCE",
        "> Task :classes",
        "> Task :processTestResources UP-TO-DATE",
        "> Task :compileTestKotlin",
        "> Task :testClasses",
        "> Task :test",
        "",
        f"Testcontainers: Docker host IP address is localhost; ryuk started in {rng.randrange(300, 900)} ms",
        f"Container postgres:16-alpine started in PT{rng.randrange(2, 6)}.{rng.randrange(100, 999)}S",
        "Flyway Community Edition 10.17.1 by Redgate",
        "Database: jdbc:postgresql://localhost:32771/test (PostgreSQL 16.4)",
        "Successfully validated 23 migrations (execution time 00:00.041s)",
        "Successfully applied 23 migrations to schema \"public\", now at version v23 (execution time 00:00.612s)",
        "",
    ]
    total = failed = 0
    for cls, tests in _ROSTER_TESTS.items():
        for t in tests:
            total += 1
            if t in fail:
                failed += 1
                out.append(f"{cls} > {t}() FAILED")
                out.append(f"    {fail[t]}")
                out.append(f"        at {cls}.{t.replace(' ', '_')[:30]}({cls.split('.')[-1]}.kt:{rng.randrange(40, 220)})")
            else:
                out.append(f"{cls} > {t}() PASSED")
            if "property" in t:
                out.append(f"    [kotest] property test completed {rng.choice([1000, 1000, 500])} iterations, seed={rng.randrange(10**9)}")
            for _ in range(rng.randrange(0, 4)):
                ms = rng.randrange(2, 90)
                out.append(f"    {rng.choice(['DEBUG', 'INFO ', 'DEBUG'])} Exposed - {rng.choice(['SELECT shifts.id, shifts.ward_id, shifts.starts_at, shifts.ends_at, shifts.staff_id, shifts.status FROM shifts WHERE shifts.ward_id = ?', 'INSERT INTO swap_requests (id, requester_shift_id, counterpart_shift_id, status, created_at) VALUES (?, ?, ?, ?, ?)', 'SELECT staff.id, staff.ward_id, staff.grade, staff.name FROM staff WHERE staff.id = ?', 'UPDATE shifts SET staff_id=? WHERE shifts.id = ?'])} took {ms}ms")
    out += [
        "",
        f"{total} tests completed, {failed} failed" if failed else f"BUILD SUCCESSFUL in {rng.randrange(38, 71)}s",
        "5 actionable tasks: 5 executed" if not failed else "> Task :test FAILED",
    ]
    return "\n".join(out) + "\n"


def _dbt_night(seed: int, date: str, slow_factor: float, start: str = "02:00:04") -> str:
    """`dbt build` log of one nightly run; marts and the incremental staging models slow down by slow_factor."""
    rng = random.Random(seed)
    models = [
        ("stg_shop__orders", "incremental", 38), ("stg_shop__order_items", "incremental", 61), ("stg_shop__customers", "view", 1),
        ("stg_payments__payments", "incremental", 44), ("stg_payments__refunds", "incremental", 9), ("stg_payments__disputes", "view", 1),
        ("stg_billing__subscriptions", "incremental", 12), ("stg_billing__invoices", "incremental", 27), ("stg_billing__plans", "view", 1),
        ("stg_events__pageviews", "incremental", 190), ("stg_events__sessions", "incremental", 74), ("stg_support__tickets", "incremental", 6),
        ("int_orders__enriched", "table", 95), ("int_payments__by_order", "table", 72), ("int_customers__first_order", "table", 33),
        ("int_subscriptions__mrr_daily", "table", 140), ("int_sessions__attribution", "table", 210), ("int_refunds__by_order", "table", 14),
        ("dim_customers", "table", 48), ("dim_products", "table", 7), ("dim_plans", "table", 2), ("dim_dates", "table", 1),
        ("fct_orders", "table", 180), ("fct_payments", "table", 150), ("fct_subscriptions_daily", "table", 260),
        ("fct_sessions", "table", 300), ("fct_refunds", "table", 20), ("fct_support_tickets", "table", 11),
        ("rpt_revenue_monthly", "table", 25), ("rpt_cohort_retention", "table", 95), ("rpt_churn_weekly", "table", 40),
    ]
    slow = {"stg_shop__orders", "stg_shop__order_items", "stg_payments__payments", "stg_payments__refunds", "int_orders__enriched", "int_payments__by_order", "fct_orders", "fct_payments", "fct_refunds", "rpt_revenue_monthly"}
    h, m, s = (int(x) for x in start.split(":"))
    t = t0 = h * 3600 + m * 60 + s

    def ts() -> str:
        return f"{t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d}"

    out = [f"{ts()}  Running with dbt=1.8.7", f"{ts()}  Registered adapter: postgres=1.8.2",
           f"{ts()}  Found 31 models, 142 data tests, 24 sources, 611 macros", f"{ts()}  ", f"{ts()}  Concurrency: 4 threads (target='prod')", f"{ts()}  "]
    n = len(models) + 142
    i = 0
    for name, mat, base in models:
        i += 1
        dur = base * (slow_factor if name in slow else 1.0) * (0.9 + rng.random() * 0.2)
        kind = {"incremental": "incremental model", "table": "table model", "view": "view model"}[mat]
        out.append(f"{ts()}  {i} of {n} START sql {kind} analytics.{name} {'.' * max(3, 48 - len(name))} [RUN]")
        t += int(dur)
        res = f"INSERT 0 {rng.randrange(1000, 90000)}" if mat == "incremental" else ("CREATE VIEW" if mat == "view" else f"SELECT {rng.randrange(10**4, 4 * 10**7)}")
        out.append(f"{ts()}  {i} of {n} OK created sql {kind} analytics.{name} {'.' * max(3, 40 - len(name))} [{res} in {dur:.2f}s]")
        for _ in range(rng.randrange(3, 6)):
            i += 1
            test = rng.choice(["not_null", "unique", "relationships", "accepted_values", "dbt_utils_expression_is_true"])
            tdur = (0.4 + rng.random() * 3) * (slow_factor if name in slow else 1.0) ** 0.5
            t += int(tdur)
            out.append(f"{ts()}  {i} of {n} PASS {test}_{name}_{rng.choice(['id', 'order_id', 'customer_id', 'status', 'created_at'])} {'.' * 12} [PASS in {tdur:.2f}s]")
    out += [f"{ts()}  ", f"{ts()}  Finished running 31 models, 142 data tests in {(t - t0) // 3600} hours {(t - t0) // 60 % 60} minutes and {(t - t0) % 60} seconds.", f"{ts()}  ", f"{ts()}  Completed successfully", f"{ts()}  ", f"{ts()}  Done. PASS=173 WARN=0 ERROR=0 SKIP=0 TOTAL=173"]
    return f"==> logs/nightly/{date}.log <==\n" + "\n".join(out) + "\n"


def _shutdown_runs(seed: int, n: int, lost: dict[int, int], hang: set[int] = frozenset()) -> str:
    rng = random.Random(seed)
    out = [f"shutdown_test: {n} iterations, 20000 lines each, collector on 127.0.0.1:{rng.randrange(40000, 50000)}"]
    for i in range(1, n + 1):
        ms = rng.randrange(180, 420)
        if i in hang:
            out.append(f"[{i:>2}/{n}] wrote=20000 sent SIGTERM after {ms}ms ... TIMEOUT: logtap did not exit within 10s (pid {rng.randrange(20000, 60000)}), killed with SIGKILL")
            out.append(f"       received={20000 - rng.randrange(200, 3000)} FAIL")
        elif i in lost:
            out.append(f"[{i:>2}/{n}] wrote=20000 sent SIGTERM after {ms}ms exit=0 in {rng.randrange(3, 40)}ms received={20000 - lost[i]} LOST {lost[i]} (last seq seen {20000 - lost[i] - 1})")
        else:
            out.append(f"[{i:>2}/{n}] wrote=20000 sent SIGTERM after {ms}ms exit=0 in {rng.randrange(3, 40)}ms received=20000 ok")
    bad = len(lost) + len(hang)
    out.append(f"shutdown_test: {n - bad}/{n} passed, {bad} failed")
    return "\n".join(out) + "\n"


# =========================================================================== simple: Claude Code side requests

side(
    "g-cc-001", "simple",
    "Writing a short title for a conversation about a flaky Ktor test is harness bookkeeping, whatever the test was about.",
    "title",
    "User: SwapRoutesTest 'PUT swaps approve returns 409 when shift changed' fails maybe 1 in 10 runs on CI, never locally. can you look\n"
    "Assistant: The test approves the swap with `client.put(...)` and then modifies the shift in a `launch {}` started from the test's `runBlocking`, so the order of the two is not fixed. On CI's 2-core runners the launch often runs after the approval, and the 409 never happens. I'd make the shift change happen before the request, or await it explicitly.\n"
    "User: make it deterministic, no sleeps pls",
)

side(
    "g-cc-002", "simple",
    "Extracting the command prefix from a chained kubectl rollout command is a policy lookup; the production context in the command is for the permission prompt, not for this request.",
    "bash_prefix",
    "kubectl --context prod-eu1 -n payments rollout restart deployment/payments-api && kubectl --context prod-eu1 -n payments rollout status deployment/payments-api --timeout=5m",
)

side(
    "g-cc-003", "simple",
    "Deciding whether a uv interpreter question starts a new topic and naming it is a two-field classification.",
    "topic",
    "nvm that for now, different thing: `uv sync` on my new laptop fails with `error: No interpreter found for Python >=3.12 in managed installations or search path`. how do i get uv to just install 3.12 itself",
)

side(
    "g-cc-004", "simple",
    "Compressing a finished index-tuning conversation into a short title line is harness bookkeeping.",
    "summary",
    "User: the support team says the parcel search in django admin takes 30+ seconds. tracking/admin.py, TrackingEventAdmin. can you find out why\n"
    "Claude: TrackingEventAdmin has `search_fields = ['shipment__tracking_number', 'raw_payload']` and `list_select_related` is not set. The search does an ILIKE on the JSON text of every event row, and the changelist issues one query per row for the shipment. I ran EXPLAIN on the replica: a parallel seq scan over tracking_trackingevent, 38 s.\n"
    "User: raw_payload search isn't needed, support only searches by tracking number\n"
    "Claude: Removed raw_payload from search_fields, changed the tracking number search to an exact match (`=shipment__tracking_number`), added list_select_related = ['shipment'] and a show_full_result_count = False. The plan on the replica is now an index scan on shipments_shipment_tracking_number_key plus a nested loop, 14 ms. Tests pass (uv run pytest tracking: 61 passed).\n"
    "User: nice, ship it\n"
    "Claude: Committed as 'tracking: fast exact search in admin' on tunde/tracking-search and pushed. Opened PR #905.",
)

side(
    "g-cc-005", "simple",
    "Suggesting what the user might type next after a finished CLI change is a harness side request over the last exchange.",
    "suggest",
    "Last user message: \"add a --since flag to `logtap replay` so I can resend only lines newer than a timestamp\"\n"
    "Last assistant message: \"Added `--since <RFC3339>` to `logtap replay`: it parses the timestamp with strptime plus a manual offset, skips lines whose `ts` field is older, and errors with exit code 2 on a bad value. Updated the man page and `tests/replay_test.sh` (3 new cases). `make test`: all 14 passed.\"",
)


# =========================================================================== simple: Claude Code main loop

_swap_service_v2 = """package com.wardroster.swaps

import com.wardroster.shifts.LabourRules
import com.wardroster.shifts.ShiftRepository
import com.wardroster.staff.StaffRepository
import java.time.Clock
import java.util.UUID

class SwapService(
    private val swaps: SwapRepository,
    private val shifts: ShiftRepository,
    private val staff: StaffRepository,
    private val rules: LabourRules,
    private val notifier: SwapNotifier,
    private val clock: Clock,
) {
    fun request(requesterShiftId: UUID, counterpartShiftId: UUID): SwapResult {
        val mine = shifts.get(requesterShiftId) ?: return SwapResult.NotFound
        val theirs = shifts.get(counterpartShiftId) ?: return SwapResult.NotFound
        if (mine.wardId != theirs.wardId) return SwapResult.Rejected(listOf(Violation.DifferentWard))
        if (mine.staffId == theirs.staffId) return SwapResult.Rejected(listOf(Violation.SameStaff))

        val violations = buildList {
            addAll(rules.check(staffId = mine.staffId!!, adding = theirs, removing = mine).map { Violation.Rule(mine.staffId, it) })
            addAll(rules.check(staffId = theirs.staffId!!, adding = mine, removing = theirs).map { Violation.Rule(theirs.staffId, it) })
        }
        if (violations.isNotEmpty()) return SwapResult.Rejected(violations)

        val swap = swaps.create(requesterShiftId, counterpartShiftId, clock.instant())
        notifier.requested(swap)
        return SwapResult.Created(swap)
    }

    fun approve(swapId: UUID, managerId: UUID): SwapResult {
        val swap = swaps.get(swapId) ?: return SwapResult.NotFound
        if (swap.isExpired(clock.instant())) return SwapResult.Rejected(listOf(Violation.Expired))
        return swaps.approve(swap, managerId)
    }
}
"""

_labour_rules_excerpt = """package com.wardroster.shifts

import java.time.Duration
import java.util.UUID

class LabourRules(private val shifts: ShiftRepository) {
    fun check(staffId: UUID, adding: Shift, removing: Shift? = null): List<RuleViolation> {
        val roster = shifts.forStaffAround(staffId, adding.startsAt, days = 7).filterNot { it.id == removing?.id } + adding
        val sorted = roster.sortedBy { it.startsAt }
        val out = mutableListOf<RuleViolation>()
        sorted.zipWithNext().forEach { (a, b) ->
            val rest = Duration.between(a.endsAt, b.startsAt)
            if (rest < MIN_REST) out += RuleViolation.RestTooShort(a.id, b.id, rest)
        }
        val weekly = sorted.filter { it.kind != ShiftKind.ON_CALL }.sumOf { Duration.between(it.startsAt, it.endsAt).toMinutes() }
        if (weekly > MAX_WEEKLY_MINUTES) out += RuleViolation.WeeklyCapExceeded(weekly)
        return out
    }

    companion object {
        val MIN_REST: Duration = Duration.ofHours(11)
        const val MAX_WEEKLY_MINUTES = 48 * 60L
    }
}
"""

_swap_test_add = """
    @Test
    fun `reject swap that breaks 11h rest for requester`() = withRoster {
        val alice = staff("alice"); val bob = staff("bob")
        shift(alice, "2025-10-20T07:00", "2025-10-20T19:30")
        val aliceNight = shift(alice, "2025-10-22T19:00", "2025-10-23T07:30")
        val bobEarly = shift(bob, "2025-10-21T07:00", "2025-10-21T15:00")

        val result = service.request(aliceNight.id, bobEarly.id)

        result.shouldBeRejectedWith<Violation.Rule> { it.staffId shouldBe alice.id }
    }

    @Test
    fun `reject swap that breaks 11h rest for counterpart`() = withRoster {
        val alice = staff("alice"); val bob = staff("bob")
        val aliceLate = shift(alice, "2025-10-21T13:00", "2025-10-21T21:30")
        shift(bob, "2025-10-22T07:00", "2025-10-22T15:00")
        val bobNight = shift(bob, "2025-10-20T19:00", "2025-10-21T07:30")

        val result = service.request(aliceLate.id, bobNight.id)

        result.shouldBeRejectedWith<Violation.Rule> { it.staffId shouldBe bob.id }
    }
"""

cc(
    "g-cc-006", "simple",
    "The work is done and green, so the turn is a commit with a dictated message and a push of the feature branch; thinking is on only from the sticky session toggle (labelled by need, README rule 6).",
    "roster",
    [
        U("swaps currently only check that both shifts are on the same ward. they need to go through LabourRules too: nobody may end up with less than 11h rest between shifts or over 48h in 7 days after the swap. for BOTH people. add tests for both directions"),
        todo(("in_progress", "Read SwapService and LabourRules"), ("pending", "Run LabourRules for both staff in SwapService.request"), ("pending", "Map rule violations into SwapResult.Rejected"), ("pending", "Add tests for requester and counterpart"), ("pending", "Run the suite")),
        par(rd("src/main/kotlin/com/wardroster/swaps/SwapService.kt", _swap_service_v2.replace("        val violations = buildList {\n            addAll(rules.check(staffId = mine.staffId!!, adding = theirs, removing = mine).map { Violation.Rule(mine.staffId, it) })\n            addAll(rules.check(staffId = theirs.staffId!!, adding = mine, removing = theirs).map { Violation.Rule(theirs.staffId, it) })\n        }\n        if (violations.isNotEmpty()) return SwapResult.Rejected(violations)\n\n", "")),
            rd("src/main/kotlin/com/wardroster/shifts/LabourRules.kt", _labour_rules_excerpt)),
        sh("./gradlew test --tests 'com.wardroster.swaps.*' --tests 'com.wardroster.shifts.LabourRulesTest' -i 2>&1 | tail -250", _gradle_test_log(61), secs=58.0, desc="Baseline: run swap and labour rule tests"),
        A("Baseline is green. `LabourRules.check` already takes an optional `removing` shift, which is exactly what a swap needs: each person loses their own shift and gains the other one. Wiring it in for both sides."),
        ed("src/main/kotlin/com/wardroster/swaps/SwapService.kt", "        if (mine.staffId == theirs.staffId) return SwapResult.Rejected(listOf(Violation.SameStaff))\n",
           "        if (mine.staffId == theirs.staffId) return SwapResult.Rejected(listOf(Violation.SameStaff))\n\n        val violations = buildList {\n            addAll(rules.check(staffId = mine.staffId!!, adding = theirs, removing = mine).map { Violation.Rule(mine.staffId, it) })\n            addAll(rules.check(staffId = theirs.staffId!!, adding = mine, removing = theirs).map { Violation.Rule(theirs.staffId, it) })\n        }\n        if (violations.isNotEmpty()) return SwapResult.Rejected(violations)\n",
           src=_swap_service_v2),
        ed("src/main/kotlin/com/wardroster/swaps/SwapResult.kt", "    data object Expired : Violation", "    data object Expired : Violation\n    data class Rule(val staffId: UUID, val violation: RuleViolation) : Violation"),
        ed("src/test/kotlin/com/wardroster/swaps/SwapServiceTest.kt", "    @Test\n    fun `swap notifications sent to both staff`()", _swap_test_add.strip("\n") + "\n\n    @Test\n    fun `reject swap that exceeds 48h weekly cap`() = withRoster {\n        val alice = staff(\"alice\"); val bob = staff(\"bob\")\n        repeat(3) { d -> shift(alice, \"2025-10-2${d}T07:00\", \"2025-10-2${d}T19:30\") }\n        val aliceShort = shift(alice, \"2025-10-24T09:00\", \"2025-10-24T13:00\")\n        val bobLong = shift(bob, \"2025-10-24T07:00\", \"2025-10-24T19:30\")\n        shift(alice, \"2025-10-25T07:00\", \"2025-10-25T15:00\")\n\n        service.request(aliceShort.id, bobLong.id).shouldBeRejectedWith<Violation.Rule> { it.violation shouldBe instanceOf<RuleViolation.WeeklyCapExceeded>() }\n    }\n\n    @Test\n    fun `swap notifications sent to both staff`()"),
        sh("./gradlew test -i 2>&1 | tail -300", _gradle_test_log(62, {"reject swap that exceeds 48h weekly cap": "io.kotest.assertions.AssertionFailedError: expected SwapResult.Rejected but was SwapResult.Created(swap=Swap(id=3f0e..., status=PENDING))"}), code=1, secs=71.0, desc="Run the full test suite"),
        A("The new weekly-cap test fails: the swap was created. Either my fixture does not add up to more than 48h or the rule does not see the shifts I think it sees. Logging what `LabourRules` computes for that test."),
        sh("./gradlew test --tests 'com.wardroster.swaps.SwapServiceTest' -Dkotest.log=debug -i 2>&1 | grep -A3 'weekly' | head -20",
           "    DEBUG LabourRules - staff=alice roster=[2025-10-20T07:00..19:30, 2025-10-21T07:00..19:30, 2025-10-22T07:00..19:30, 2025-10-24T07:00..19:30, 2025-10-25T07:00..15:00] weekly=2880min\n    DEBUG LabourRules - staff=bob roster=[2025-10-24T09:00..13:00] weekly=240min\nSwapServiceTest > reject swap that exceeds 48h weekly cap() FAILED",
           secs=22.0, desc="Show what LabourRules computes for the weekly cap test"),
        A("2880 minutes is exactly 48h, and the rule is `> MAX_WEEKLY_MINUTES`, so 48h is allowed by design. The fixture needs one more hour; bumping Alice's last shift to end at 16:00."),
        ed("src/test/kotlin/com/wardroster/swaps/SwapServiceTest.kt", "        shift(alice, \"2025-10-25T07:00\", \"2025-10-25T15:00\")", "        shift(alice, \"2025-10-25T07:00\", \"2025-10-25T16:00\")"),
        sh("./gradlew test -i 2>&1 | tail -300", _gradle_test_log(63), secs=69.0, desc="Run the full test suite"),
        sh("./gradlew ktlintFormat && git status --short && git diff --stat", " M src/main/kotlin/com/wardroster/swaps/SwapResult.kt\n M src/main/kotlin/com/wardroster/swaps/SwapService.kt\n M src/test/kotlin/com/wardroster/swaps/SwapServiceTest.kt\n src/main/kotlin/com/wardroster/swaps/SwapResult.kt      |  1 +\n src/main/kotlin/com/wardroster/swaps/SwapService.kt     |  6 ++++++\n src/test/kotlin/com/wardroster/swaps/SwapServiceTest.kt | 38 ++++++++++++++++++++++++++++++++++++++\n 3 files changed, 45 insertions(+)", secs=9.0, desc="Format and show what changed"),
        A("Done. `SwapService.request` now runs `LabourRules.check` for both people (each losing their own shift and gaining the other's) and rejects with `Violation.Rule(staffId, violation)` for every broken rule. Three new tests: rest too short for the requester, rest too short for the counterpart, and the 48h cap (the cap is strictly greater than 48h, as `LabourRules` already had it). Full suite green, ktlint clean."),
        U("looks good. commit it as \"swaps: enforce labour rules for both staff\" and push"),
    ],
    thinking=12000,
)

_web_fmt = """import { format as formatDate } from "date-fns";

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function formatUptime(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio >= 0.9999 ? 3 : 2)}%`;
}

export function formatCheckTime(iso: string): string {
  return formatDate(new Date(iso), "d MMM HH:mm");
}
"""

cc(
    "g-cc-007", "simple",
    "Mid-rename: the file is already moved and the grep lists the two imports left to point at the new path, a mechanical edit.",
    "beacon",
    [
        U("rename apps/web/src/lib/fmt.ts to format.ts, the name keeps confusing people. fix the imports"),
        sh("git mv apps/web/src/lib/fmt.ts apps/web/src/lib/format.ts", desc="Rename fmt.ts to format.ts"),
        gr("lib/fmt", "apps/web/src/components/MonitorCard.tsx:4:import { formatDuration, formatUptime } from \"@/lib/fmt\";\napps/web/src/app/status/[slug]/IncidentList.tsx:7:import { formatCheckTime } from \"../../../lib/fmt\";", path="apps/web/src"),
    ],
)

cc(
    "g-cc-008", "simple",
    "Cargo.toml is read and the user spelled out the two release-profile lines to add, a mechanical edit.",
    "tidewater",
    [
        U("add a [profile.release] to Cargo.toml with lto = \"thin\" and codegen-units = 1. nothing else"),
        rd("Cargo.toml", TW["Cargo.toml"]),
    ],
)


# =========================================================================== simple: plain Anthropic SDK calls

sdk(
    "g-ot-a01", "simple",
    "Translating one curl command into the equivalent requests call is a mechanical conversion with a single right answer.",
    [{"role": "user", "content": "convert to python requests, keep it minimal:\n\ncurl -sS -X POST 'https://api.beacon.dev/v1/monitors' \\\n  -H 'Authorization: Bearer $BEACON_TOKEN' \\\n  -H 'Content-Type: application/json' \\\n  --max-time 10 \\\n  -d '{\"name\":\"checkout\",\"url\":\"https://shop.example.com/healthz\",\"interval_seconds\":30,\"regions\":[\"eu-west\",\"us-east\"]}'"}],
    max_tokens=1024,
)

sdk(
    "g-ot-a02", "simple",
    "Picking labels for a pull request from a fixed list is a classification step in a bot, with a cheap, checkable answer.",
    [{"role": "user", "content": "Title: chore(deps): bump actions/setup-node from 4.0.3 to 4.0.4\n\nBody:\nBumps actions/setup-node from 4.0.3 to 4.0.4.\n- Release notes: fix cache restore on Windows runners\n- Commits: 1d0ff46...39370e3\n\nDependabot will resolve any conflicts with this PR as long as you don't alter it yourself.\n\nFiles changed:\n.github/workflows/ci.yml (2 lines)\n.github/workflows/release.yml (1 line)"}],
    system="You label pull requests. Allowed labels: bug, feature, docs, chore, ci, dependencies, breaking. Return a JSON array of 1-3 labels from the allowed list and nothing else.",
    model="claude-haiku-4-5", max_tokens=50, temperature=0,
)


# =========================================================================== medium: Claude Code main loop

_shift_routes = """package com.wardroster.shifts

import com.wardroster.auth.requireWardAccess
import com.wardroster.auth.staffPrincipal
import io.ktor.http.HttpStatusCode
import io.ktor.server.application.call
import io.ktor.server.request.receive
import io.ktor.server.response.respond
import io.ktor.server.routing.Route
import io.ktor.server.routing.get
import io.ktor.server.routing.post
import io.ktor.server.routing.route
import java.time.LocalDate
import java.util.UUID

fun Route.shiftRoutes(shifts: ShiftRepository, rules: LabourRules) {
    route("/wards/{wardId}/shifts") {
        get {
            val wardId = call.parameters["wardId"]?.let(UUID::fromString) ?: return@get call.respond(HttpStatusCode.BadRequest)
            call.requireWardAccess(wardId) ?: return@get
            val from = call.request.queryParameters["from"]?.let(LocalDate::parse) ?: LocalDate.now(call.clock)
            val to = call.request.queryParameters["to"]?.let(LocalDate::parse) ?: from.plusDays(14)
            if (to.isBefore(from) || from.plusDays(62).isBefore(to)) {
                return@get call.respond(HttpStatusCode.BadRequest, ErrorBody("range must be 0-62 days"))
            }
            call.respond(shifts.forWard(wardId, from, to).map(ShiftDto::from))
        }

        post("/{shiftId}/assign") {
            val wardId = call.parameters["wardId"]?.let(UUID::fromString) ?: return@post call.respond(HttpStatusCode.BadRequest)
            val shiftId = call.parameters["shiftId"]?.let(UUID::fromString) ?: return@post call.respond(HttpStatusCode.BadRequest)
            call.requireWardAccess(wardId, manager = true) ?: return@post
            val body = call.receive<AssignBody>()
            val shift = shifts.get(shiftId)?.takeIf { it.wardId == wardId } ?: return@post call.respond(HttpStatusCode.NotFound)
            val violations = rules.check(body.staffId, shift)
            if (violations.isNotEmpty()) return@post call.respond(HttpStatusCode.UnprocessableEntity, violations.map(ViolationDto::from))
            call.respond(ShiftDto.from(shifts.assign(shiftId, body.staffId)))
        }
    }
}
"""

_shift_repo = """package com.wardroster.shifts

import com.wardroster.db.Shifts
import org.jetbrains.exposed.sql.ResultRow
import org.jetbrains.exposed.sql.SortOrder
import org.jetbrains.exposed.sql.and
import org.jetbrains.exposed.sql.selectAll
import org.jetbrains.exposed.sql.transactions.transaction
import org.jetbrains.exposed.sql.update
import java.time.LocalDate
import java.time.ZoneId
import java.util.UUID

class ShiftRepository(private val zone: ZoneId) {
    fun get(id: UUID): Shift? = transaction {
        Shifts.selectAll().where { Shifts.id eq id }.singleOrNull()?.toShift()
    }

    fun forWard(wardId: UUID, from: LocalDate, to: LocalDate): List<Shift> = transaction {
        Shifts.selectAll()
            .where { (Shifts.wardId eq wardId) and (Shifts.startsAt greaterEq from.atStartOfDay(zone).toInstant()) and (Shifts.startsAt less to.plusDays(1).atStartOfDay(zone).toInstant()) and (Shifts.status neq ShiftStatus.CANCELLED) }
            .orderBy(Shifts.startsAt to SortOrder.ASC)
            .map { it.toShift() }
    }

    fun forStaffAround(staffId: UUID, around: java.time.Instant, days: Long): List<Shift> = transaction {
        Shifts.selectAll()
            .where { (Shifts.staffId eq staffId) and (Shifts.startsAt greaterEq around.minus(java.time.Duration.ofDays(days))) and (Shifts.startsAt less around.plus(java.time.Duration.ofDays(days))) and (Shifts.status neq ShiftStatus.CANCELLED) }
            .map { it.toShift() }
    }

    fun assign(id: UUID, staffId: UUID): Shift = transaction {
        Shifts.update({ Shifts.id eq id }) {
            it[Shifts.staffId] = staffId
            it[Shifts.assignedAt] = java.time.Instant.now()
        }
        get(id)!!
    }

    private fun ResultRow.toShift() = Shift(
        id = this[Shifts.id].value, wardId = this[Shifts.wardId], staffId = this[Shifts.staffId],
        startsAt = this[Shifts.startsAt], endsAt = this[Shifts.endsAt], kind = this[Shifts.kind],
        status = this[Shifts.status], requiredGrade = this[Shifts.requiredGrade],
    )
}
"""

cc(
    "g-cc-009", "medium",
    "A new read-only endpoint for a ward's unassigned shifts, following the existing route and repository patterns in two files, is ordinary feature work.",
    "roster",
    [
        U("need GET /wards/{wardId}/open-shifts for the mobile app: unassigned, non-cancelled shifts from today for the next 14 days (same from/to params + limits as the shifts list), optional ?grade= filter (band5, band6...) matching requiredGrade. any staff on the ward can see it, not just managers. follow how shiftRoutes does it and add a route test"),
        par(rd("src/main/kotlin/com/wardroster/shifts/ShiftRoutes.kt", _shift_routes), rd("src/main/kotlin/com/wardroster/shifts/ShiftRepository.kt", _shift_repo)),
        gr("fun `GET", "src/test/kotlin/com/wardroster/wards/WardRoutesTest.kt:31:    fun `GET wards`() = testApp {\nsrc/test/kotlin/com/wardroster/wards/WardRoutesTest.kt:44:    fun `GET ward by id`() = testApp {\nsrc/test/kotlin/com/wardroster/wards/WardRoutesTest.kt:58:    fun `GET ward 404`() = testApp {\nsrc/test/kotlin/com/wardroster/staff/StaffRoutesTest.kt:27:    fun `GET staff lists ward staff`() = testApp {\nsrc/test/kotlin/com/wardroster/staff/StaffRoutesTest.kt:49:    fun `GET staff 404 for unknown ward`() = testApp {", path="src/test"),
    ],
)

_retry_go = """package forward

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ErrBadRetryAfter is returned when a Retry-After header is present but unparseable.
var ErrBadRetryAfter = errors.New("forward: malformed Retry-After")

// MaxRetryAfter caps how long the forwarder will honour a sink's Retry-After.
const MaxRetryAfter = 5 * time.Minute

// ParseRetryAfter interprets a Retry-After header value (RFC 9110 section 10.2.3) relative to now.
// It accepts delay-seconds ("120") and HTTP-dates ("Wed, 21 Oct 2025 07:28:00 GMT").
// An empty value returns 0 and no error. Negative results (dates in the past) become 0.
// Results above MaxRetryAfter are capped.
func ParseRetryAfter(v string, now time.Time) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, ErrBadRetryAfter
		}
		return capDelay(time.Duration(secs) * time.Second), nil
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, ErrBadRetryAfter
	}
	d := t.Sub(now)
	if d < 0 {
		return 0, nil
	}
	return capDelay(d), nil
}

func capDelay(d time.Duration) time.Duration {
	if d > MaxRetryAfter || d < 0 { // d < 0: overflow of huge delay-seconds
		return MaxRetryAfter
	}
	return d
}
"""

cc(
    "g-cc-010", "medium",
    "Writing table-driven tests for one documented header-parsing function is ordinary test writing.",
    "gateway",
    [
        U("write table-driven tests for ParseRetryAfter in internal/forward/retry.go. cover the doc comment cases + the weird ones (whitespace, huge numbers, the 3 http date formats, past dates). use a fixed now"),
        rd("internal/forward/retry.go", _retry_go),
        sh("ls internal/forward/ && head -20 internal/forward/forwarder_test.go",
           "forwarder.go\nforwarder_test.go\nretry.go\nsink.go\n---\npackage forward\n\nimport (\n\t\"context\"\n\t\"net/http\"\n\t\"net/http/httptest\"\n\t\"testing\"\n\t\"time\"\n\n\t\"github.com/stretchr/testify/require\"\n)\n\nfunc TestForwarderRetriesOn503(t *testing.T) {\n\tvar calls int\n\tsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\tcalls++\n\t\tif calls == 1 {\n\t\t\tw.Header().Set(\"Retry-After\", \"0\")\n\t\t\tw.WriteHeader(http.StatusServiceUnavailable)\n\t\t\treturn",
           desc="List the package and see how existing tests are written"),
    ],
)

_beacon_paginate = """import { and, count, desc, eq, lt } from "drizzle-orm";
import { db } from "../db";
import { incidentUpdates, incidents } from "../db/schema";

export type Page<T> = { items: T[]; total: number; hasNextPage: boolean; nextOffset: number | null };

export async function listIncidentTimeline(incidentId: string, opts: { offset?: number; limit?: number } = {}): Promise<Page<TimelineEntry>> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
  const offset = Math.max(opts.offset ?? 0, 0);

  const [{ total }] = await db.select({ total: count() }).from(incidentUpdates).where(eq(incidentUpdates.incidentId, incidentId));
  const rows = await db
    .select()
    .from(incidentUpdates)
    .where(eq(incidentUpdates.incidentId, incidentId))
    .orderBy(desc(incidentUpdates.createdAt), desc(incidentUpdates.id))
    .limit(limit)
    .offset(offset);

  const hasNextPage = offset + rows.length <= total;
  return {
    items: rows.map(toTimelineEntry),
    total,
    hasNextPage,
    nextOffset: hasNextPage ? offset + rows.length : null,
  };
}

function toTimelineEntry(row: typeof incidentUpdates.$inferSelect): TimelineEntry {
  return { id: row.id, status: row.status, message: row.message, createdAt: row.createdAt.toISOString(), author: row.authorName };
}

export type TimelineEntry = { id: string; status: string; message: string; createdAt: string; author: string | null };
"""

_vitest_timeline = """
 RUN  v2.0.5 /Users/lucia/dev/beacon/apps/api

 ✓ src/incidents/__tests__/create.test.ts (9 tests) 412ms
 ✓ src/incidents/__tests__/status.test.ts (6 tests) 288ms
 ❯ src/incidents/__tests__/timeline.test.ts (7 tests | 2 failed) 367ms
   ✓ listIncidentTimeline > returns newest first
   ✓ listIncidentTimeline > clamps limit to 100
   ✓ listIncidentTimeline > negative offset treated as 0
   × listIncidentTimeline > last page has no next page
     → expected true to be false // Object.is equality
   ✓ listIncidentTimeline > middle page points at next offset
   × listIncidentTimeline > exactly one full page has no next page
     → expected true to be false // Object.is equality
   ✓ listIncidentTimeline > unknown incident returns empty page

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 2 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  src/incidents/__tests__/timeline.test.ts > listIncidentTimeline > last page has no next page
AssertionError: expected true to be false // Object.is equality

- Expected
+ Received

- false
+ true

 ❯ src/incidents/__tests__/timeline.test.ts:58:34
     56|     await seedUpdates(incident.id, 45);
     57|     const page = await listIncidentTimeline(incident.id, { offset: 40, limit: 20 });
     58|     expect(page.hasNextPage).toBe(false);
       |                              ^
     59|     expect(page.nextOffset).toBeNull();
     60|     expect(page.items).toHaveLength(5);

 FAIL  src/incidents/__tests__/timeline.test.ts > listIncidentTimeline > exactly one full page has no next page
AssertionError: expected true to be false // Object.is equality

- Expected
+ Received

- false
+ true

 ❯ src/incidents/__tests__/timeline.test.ts:71:34
     69|     await seedUpdates(incident.id, 20);
     70|     const page = await listIncidentTimeline(incident.id, { limit: 20 });
     71|     expect(page.hasNextPage).toBe(false);
       |                              ^
     72|     expect(page.nextOffset).toBeNull();
     73|   });

⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯

 Test Files  1 failed | 2 passed (3)
      Tests  2 failed | 20 passed (22)
   Start at  14:02:11
   Duration  2.31s (transform 301ms, setup 0ms, collect 1.12s, tests 1.07s, environment 0ms, prepare 211ms)
"""

cc(
    "g-cc-011", "medium",
    "Both failing cases assert hasNextPage on the last page and the function computes it with `<=` against the total, so the cause is on a visible line and the fix is local.",
    "beacon",
    [
        U("the mobile team says the incident timeline keeps showing a 'load more' button that loads nothing. I wrote two tests for it, they fail. fix pls"),
        sh("pnpm --filter @beacon/api exec vitest run src/incidents", _vitest_timeline, code=1, secs=6.0, desc="Run the incident tests"),
        rd("apps/api/src/incidents/timeline.ts", _beacon_paginate),
    ],
)

cc(
    "g-cc-012", "medium",
    "Explaining one CI workflow's plan job (matrix, the conditional role expression and OIDC permissions) is explaining a config file.",
    "infra",
    [
        U("I'm new to GH actions. can you explain the plan job in .github/workflows/ci.yml to me? specifically: how does the matrix work, what is that `&& ||` thing in role-to-assume doing, and why does it need `id-token: write`? we don't store any aws keys in github secrets so how does it even log in"),
        rd(".github/workflows/ci.yml", INF[".github/workflows/ci.yml"]),
    ],
)

_stg_orders_yml = """version: 2

models:
  - name: stg_shop__orders
    columns:
      - name: order_id
        tests: [unique, not_null]
      - name: customer_id
        tests: [not_null]
      - name: placed_at
      - name: status
        tests:
          - accepted_values:
              values: ['cart', 'placed', 'paid', 'shipped', 'refunded', 'partially_refunded', 'cancelled']
      - name: total_cents
  - name: dim_customers
    columns:
      - name: customer_id
        tests: [unique, not_null]
      - name: email
      - name: country
      - name: signup_channel
      - name: plan
      - name: created_at
"""

cc(
    "g-cc-013", "medium",
    "A new mart model that finds lapsed repeat customers from two existing models is an ordinary SQL query in the project's style.",
    "warehouse",
    [
        U("crm wants a list of lapsed repeat customers for a winback campaign. new model marts/customers_lapsed.sql: customers with at least 3 paid-or-later orders (paid/shipped/partially_refunded) whose most recent such order is more than 90 days ago. columns: customer_id, email, country, plan, order_count, lifetime_paid_cents (net of refunds), first_order_at, last_order_at, days_since_last_order. materialize as table. add it to the schema yml with a unique test on customer_id"),
        par(rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]), rd("models/marts/_marts.yml", _stg_orders_yml)),
    ],
)

_admin_orders_ctrl = """module Admin
  class OrdersController < Admin::BaseController
    PER_PAGE = 50

    def index
      @orders = Order.includes(:customer)
                     .where.not(status: :cart)
                     .order(placed_at: :desc)
      @orders = @orders.where(status: params[:status]) if params[:status].present?
      @orders = @orders.where("placed_at >= ?", Date.parse(params[:from]).beginning_of_day) if params[:from].present?
      @orders = @orders.where("placed_at <= ?", Date.parse(params[:to]).end_of_day) if params[:to].present?
      @orders = @orders.page(params[:page]).per(PER_PAGE)
    rescue Date::Error
      flash.now[:alert] = "Invalid date"
      @orders = Order.none.page(1)
    end

    def show
      @order = Order.includes(:line_items, :refunds, :payment).find(params[:id])
    end
  end
end
"""

cc(
    "g-cc-014", "medium",
    "Adding a date-range scope to one model and using it in one controller, with a spec, is a small change across two files.",
    "shopfront",
    [
        U("the from/to date filtering in Admin::OrdersController uses server time (UTC) but the admins are in the store's zone (Store.current.time_zone, e.g. America/Toronto) so orders placed late evening show up on the wrong day. add `Order.placed_between(from_date, to_date, zone)` scope that interprets the dates in that zone (inclusive whole days), use it in the controller, spec for the scope incl. a late-evening Toronto order"),
        par(rd("app/models/order.rb", SHOP["app/models/order.rb"]), rd("app/controllers/admin/orders_controller.rb", _admin_orders_ctrl)),
        sh("ls spec/models/ && grep -n 'describe\\|context' spec/models/order_spec.rb | head -20",
           "customer_spec.rb\nline_item_spec.rb\norder_spec.rb\nrefund_spec.rb\n3:RSpec.describe Order, type: :model do\n4:  describe \"#refundable_cents\" do\n5:    context \"when nothing was refunded\" do\n14:    context \"after a partial refund\" do\n24:  describe \"#recalculate_total!\" do\n41:  describe \"#placed_on\" do\n42:    context \"for a customer in UTC\" do\n50:    context \"for a customer in Pacific/Auckland\" do\n60:  describe \".refundable\" do",
           desc="See how order_spec is organised"),
    ],
)

_logtap_make_err = """cc -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Isrc -c src/config.c -o build/config.o
src/config.c: In function 'config_set_collector':
src/config.c:88:5: error: implicit declaration of function 'strlcpy'; did you mean 'strncpy'? [-Werror=implicit-function-declaration]
   88 |     strlcpy(cfg->collector_host, host, sizeof cfg->collector_host);
      |     ^~~~~~~
      |     strncpy
src/config.c:104:9: error: implicit declaration of function 'strlcpy'; did you mean 'strncpy'? [-Werror=implicit-function-declaration]
  104 |         strlcpy(cfg->paths[cfg->npaths], path, sizeof cfg->paths[0]);
      |         ^~~~~~~
      |         strncpy
cc1: all warnings being treated as errors
make: *** [Makefile:24: build/config.o] Error 1
"""

cc(
    "g-cc-015", "medium",
    "The compiler names strlcpy as undeclared on the CI image's glibc and the two call sites; choosing a portable replacement and keeping the truncation check is a contained fix.",
    "logtap",
    [
        U("CI is red on the ubuntu-22.04 runner since my config PR, builds fine on my fedora box. log: https://github.com/lhaas/logtap/actions/runs/11398812231 . reproduce in the 22.04 container (`make ci-shell`) and fix it so it builds on both. we also build on alpine (musl) for the container image"),
        sh("make ci-shell CMD='make clean all'", _logtap_make_err, code=2, secs=14.0, desc="Build inside the ubuntu-22.04 CI container"),
        sh("sed -n 80,110p src/config.c",
           "int config_set_collector(struct config *cfg, const char *host, int port)\n{\n    if (strlen(host) >= sizeof cfg->collector_host) {\n        log_err(\"collector host too long: %s\", host);\n        return -1;\n    }\n\n    strlcpy(cfg->collector_host, host, sizeof cfg->collector_host);\n    cfg->collector_port = port;\n    return 0;\n}\n\nint config_add_path(struct config *cfg, const char *path)\n{\n    if (cfg->npaths == LOGTAP_MAX_PATHS) {\n        log_err(\"too many paths (max %d)\", LOGTAP_MAX_PATHS);\n        return -1;\n    }\n    if (strlen(path) >= sizeof cfg->paths[0]) {\n        log_err(\"path too long: %s\", path);\n        return -1;\n    }\n    strlcpy(cfg->paths[cfg->npaths], path, sizeof cfg->paths[0]);\n    cfg->npaths++;\n    return 0;\n}",
           desc="Show the strlcpy call sites"),
    ],
)


# =========================================================================== medium: plain Anthropic SDK calls

sdk(
    "g-ot-a03", "medium",
    "A Bash retry helper with exponential backoff, jitter and exit-code passthrough is one small, well-specified function.",
    [{"role": "user", "content": "bash function `retry` for our deploy scripts: `retry [-n attempts] [-d initial_delay_s] [-m max_delay_s] -- cmd args...`. exponential backoff doubling, capped at max, +-20% jitter, log each failure to stderr with attempt number and exit code, return the last exit code if all attempts fail. must work with set -euo pipefail in the caller (so the failing command must not kill the script). bash 4+, no external deps except sleep. defaults 5 / 1 / 30. include a couple of usage examples"}],
    system="You are a senior SRE. Scripts must be shellcheck-clean.",
    max_tokens=2048,
)

sdk(
    "g-ot-a04", "medium",
    "Explaining what a Terraform for_each with a dynamic block produces and why a plan shows replacements is explaining a config.",
    [{"role": "user", "content": "can you explain what this does exactly? I inherited it. in particular what `each.value` is inside the dynamic block vs `ingress.value`, and why when I added one port to the list for \"api\" the plan said it will update the security group in-place but then also showed two other rules changing order\n\n```hcl\nvariable \"services\" {\n  type = map(object({\n    ports       = list(number)\n    cidr_blocks = list(string)\n  }))\n  default = {\n    api     = { ports = [443, 8443], cidr_blocks = [\"10.40.0.0/16\"] }\n    metrics = { ports = [9090], cidr_blocks = [\"10.40.96.0/22\"] }\n  }\n}\n\nresource \"aws_security_group\" \"svc\" {\n  for_each    = var.services\n  name        = \"svc-${each.key}\"\n  vpc_id      = module.vpc.vpc_id\n\n  dynamic \"ingress\" {\n    for_each = each.value.ports\n    content {\n      from_port   = ingress.value\n      to_port     = ingress.value\n      protocol    = \"tcp\"\n      cidr_blocks = each.value.cidr_blocks\n      description = \"${each.key} port ${ingress.value}\"\n    }\n  }\n\n  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n```"}],
    max_tokens=2048,
)

sdk(
    "g-ot-a05", "medium",
    "A slug function with stated transliteration and length rules plus xUnit tests is a small self-contained function.",
    [{"role": "user", "content": "C# / .NET 8. I need `static string Slugify(string input, int maxLength = 60)` for our CMS:\n- lowercase, ascii only: strip diacritics (é -> e, ü -> u, ß -> ss, ø -> o, æ -> ae, ł -> l)\n- anything not [a-z0-9] becomes a single '-', no leading/trailing '-'\n- cut at maxLength but not in the middle of a word if there is a '-' within the last 15 chars, and never end with '-'\n- empty or all-symbol input -> \"untitled\"\nno NuGet packages. then xUnit tests ([Theory] with InlineData) covering each rule, including \"Straße & Café — Øresund 2025!\" and a long title"}],
    max_tokens=4096,
)


# =========================================================================== complex: Claude Code main loop

cc(
    "g-cc-016", "complex",
    "Force-pushing a rewritten shared release branch that CI deploys to production on push is a destructive git operation with a production deploy attached, so it needs checks and a safer path, not just the command.",
    "shopfront",
    [
        U("release/2.4 needs the store-credit hotfix from main (e7b21c4). rebase release/2.4 onto main locally so it has it"),
        sh("git fetch origin && git switch release/2.4 && git pull --ff-only", "From github.com:corner-shop/shopfront\n   91d0a3f..e7b21c4  main        -> origin/main\n   4c0d2a1..7e19b8f  release/2.4 -> origin/release/2.4\nSwitched to branch 'release/2.4'\nYour branch is behind 'origin/release/2.4' by 2 commits, and can be fast-forwarded.\nUpdating 4c0d2a1..7e19b8f\nFast-forward\n app/services/tax_calculator.rb       | 6 ++++--\n spec/services/tax_calculator_spec.rb | 14 ++++++++++++++\n 2 files changed, 18 insertions(+), 2 deletions(-)", secs=3.1, desc="Update release/2.4"),
        sh("git rebase origin/main", "Successfully rebased and updated refs/heads/release/2.4.", secs=2.4, desc="Rebase release/2.4 onto main"),
        sh("git status -sb && git log --oneline -12 && git rev-list --left-right --count origin/release/2.4...HEAD",
           "## release/2.4...origin/release/2.4 [ahead 31, behind 9]\n0f1a2b3 Tax: round per line for CA provinces\n8d7c6e5 Tax: GST/HST table 2024\n3b2a190 Release 2.4.3\n2c91e0d Fix cart total when coupon removed\nae4d7f2 Release 2.4.2\n61e0b5c Admin: orders CSV export escapes formulas\n9f8e7d6 Release 2.4.1\n5a4b3c2 Release 2.4.0\ne7b21c4 Store credit as a payment method (#1520)\n91d0a3f Sidekiq 7.3 (#1517)\n3f5c2e8 Daily sales report by store-local day (#1511)\nc40a7d9 Inventory sync: skip stale remote levels (#1507)\n9\t31",
           desc="Show how the rebased branch relates to origin"),
        A("Rebased. `release/2.4` now sits on top of `main` (including e7b21c4), but that also pulled in everything else on main since the branch was cut (Sidekiq 7.3, the daily sales report change, inventory sync), and it has diverged from `origin/release/2.4`: 31 commits ahead, 9 behind. Pushing it would need a force-push."),
        U("yeah just force push it, ci deploys release/* to prod on push and that's how the hotfix goes out. quick pls, customers are stuck at checkout"),
    ],
)

cc(
    "g-cc-017", "complex",
    "Deleting 48k merchants and 1.2M dependent shipments in the production database is a destructive bulk change on live data: a good answer checks references, plans batches and a backup instead of running DELETE.",
    "courier",
    [
        U("the load test last week created a pile of fake merchants in PROD (oops, wrong env var). they all have emails ending in @loadtest.parcelwise.dev. delete them and everything they created. PROD_DATABASE_URL is in my env, you have psql"),
        sh("psql \"$REPLICA_URL\" -c \"select count(*) as merchants, min(date_joined), max(date_joined) from accounts_merchant where email like '%@loadtest.parcelwise.dev'\"",
           " merchants |              min              |              max\n-----------+-------------------------------+-------------------------------\n     48213 | 2025-10-14 09:02:11.418+00    | 2025-10-14 11:47:53.902+00\n(1 row)",
           secs=2.2, desc="Count the load-test merchants on the replica"),
        sh("psql \"$REPLICA_URL\" -c \"select conrelid::regclass as table, conname, confdeltype from pg_constraint where confrelid = 'accounts_merchant'::regclass and contype = 'f' order by 1\"",
           "          table           |                   conname                    | confdeltype\n--------------------------+----------------------------------------------+-------------\n accounts_apikey          | accounts_apikey_merchant_id_fk               | a\n accounts_merchantuser    | accounts_merchantuser_merchant_id_fk         | a\n billing_invoice          | billing_invoice_merchant_id_fk               | a\n billing_usagerecord      | billing_usagerecord_merchant_id_fk           | a\n labels_label             | labels_label_merchant_id_fk                  | a\n shipments_shipment       | shipments_shipment_merchant_id_fk            | a\n webhooks_endpoint        | webhooks_endpoint_merchant_id_fk             | a\n(7 rows)",
           secs=1.1, desc="List foreign keys that reference merchants"),
        sh("psql \"$REPLICA_URL\" -c \"select 'shipments' t, count(*) from shipments_shipment s join accounts_merchant m on m.id = s.merchant_id where m.email like '%@loadtest.parcelwise.dev' union all select 'invoices', count(*) from billing_invoice i join accounts_merchant m on m.id = i.merchant_id where m.email like '%@loadtest.parcelwise.dev' union all select 'webhook endpoints', count(*) from webhooks_endpoint w join accounts_merchant m on m.id = w.merchant_id where m.email like '%@loadtest.parcelwise.dev'\"",
           "         t         |  count\n-------------------+---------\n shipments         | 1204377\n invoices          |     112\n webhook endpoints |   48213\n(3 rows)",
           secs=41.0, desc="Count what the load-test merchants own"),
    ],
)

_exposed_table = """package com.wardroster.db

import org.jetbrains.exposed.dao.id.UUIDTable
import org.jetbrains.exposed.sql.javatime.timestamp

object Shifts : UUIDTable("shifts") {
    val wardId = uuid("ward_id").references(Wards.id)
    val staffId = uuid("staff_id").references(Staff.id).nullable()
    val startsAt = timestamp("starts_at")
    val endsAt = timestamp("ends_at")
    val kind = enumerationByName<ShiftKind>("kind", 16)
    val status = enumerationByName<ShiftStatus>("status", 16)
    val requiredGrade = varchar("required_grade", 16).nullable()
    val assignedAt = timestamp("assigned_at").nullable()
}
"""

cc(
    "g-cc-018", "complex",
    "Shift times moving by one to two hours only in staging after an ORM upgrade, while tests pass under UTC, is a hidden-cause bug in how timestamps cross the JDBC boundary, and it is already corrupting roster data.",
    "roster",
    [
        U("since we deployed 2f8d0b3 (Exposed 0.55 + ktor bump) to staging, the ward managers in the Berlin test ward say shifts they create show up 1h later (some 2h, the ones in summer??) after a reload. the Auckland test ward is off by 13h. locally everything is fine and CI is green. prod is still on the old version and we want to release friday. what's going on"),
        sh("git show 2f8d0b3 --stat && git show 2f8d0b3 -- build.gradle.kts | head -40",
           "commit 2f8d0b3e91c4a7d0b6f2e8a13c5d9f7e0a4b1c26\nAuthor: Hana Sato <hana@wardroster.io>\nDate:   Tue Oct 14 16:20:41 2025 +0200\n\n    Exposed 0.55.0, Ktor 2.3.12 (#211)\n\n build.gradle.kts                                      | 10 +++++-----\n src/main/kotlin/com/wardroster/db/Database.kt          |  4 ++--\n src/main/kotlin/com/wardroster/shifts/ShiftRepository.kt |  6 +++---\n 3 files changed, 10 insertions(+), 10 deletions(-)\n\ndiff --git a/build.gradle.kts b/build.gradle.kts\n@@ -18,11 +18,11 @@ dependencies {\n-    implementation(\"org.jetbrains.exposed:exposed-core:0.50.1\")\n-    implementation(\"org.jetbrains.exposed:exposed-jdbc:0.50.1\")\n-    implementation(\"org.jetbrains.exposed:exposed-java-time:0.50.1\")\n+    implementation(\"org.jetbrains.exposed:exposed-core:0.55.0\")\n+    implementation(\"org.jetbrains.exposed:exposed-jdbc:0.55.0\")\n+    implementation(\"org.jetbrains.exposed:exposed-java-time:0.55.0\")\n-    implementation(\"io.ktor:ktor-server-netty:2.3.9\")\n+    implementation(\"io.ktor:ktor-server-netty:2.3.12\")\n-    implementation(\"org.postgresql:postgresql:42.7.2\")\n+    implementation(\"org.postgresql:postgresql:42.7.4\")",
           desc="Show the upgrade commit"),
        par(rd("src/main/kotlin/com/wardroster/db/Shifts.kt", _exposed_table), rd("src/main/kotlin/com/wardroster/shifts/ShiftRepository.kt", _shift_repo)),
        sh("psql \"$STAGING_DATABASE_URL\" -c \"\\d shifts\" && psql \"$STAGING_DATABASE_URL\" -c \"select id, starts_at, ends_at, created_at from shifts where ward_id = 'b3f1c2d4-0000-4000-8000-00000000be01' order by created_at desc limit 6\" && psql \"$STAGING_DATABASE_URL\" -c 'show timezone'",
           "                          Table \"public.shifts\"\n     Column     |            Type             | Collation | Nullable | Default\n----------------+-----------------------------+-----------+----------+---------\n id             | uuid                        |           | not null |\n ward_id        | uuid                        |           | not null |\n staff_id       | uuid                        |           |          |\n starts_at      | timestamp without time zone |           | not null |\n ends_at        | timestamp without time zone |           | not null |\n kind           | character varying(16)       |           | not null |\n status         | character varying(16)       |           | not null |\n required_grade | character varying(16)       |           |          |\n assigned_at    | timestamp without time zone |           |          |\n created_at     | timestamp with time zone    |           | not null | now()\n\n                  id                  |      starts_at      |       ends_at       |          created_at\n--------------------------------------+---------------------+---------------------+-------------------------------\n 0c9e5d1a-77b4-4f0e-9a3c-2d8e6f1b4a90 | 2025-10-27 06:00:00 | 2025-10-27 14:30:00 | 2025-10-16 08:41:02.33+00\n 5f2a8c3d-1e9b-4c7a-b6d0-8e4f2a1c9b37 | 2025-10-25 05:00:00 | 2025-10-25 13:30:00 | 2025-10-16 08:40:11.87+00\n a81d4e6f-3c2b-4a9e-8f7d-1b5c0e9a2d64 | 2025-10-24 05:00:00 | 2025-10-24 13:30:00 | 2025-10-13 15:02:44.12+00\n 2e7b9f1c-5d4a-4e8b-a3c6-9f0d1e2b7a85 | 2025-10-23 05:00:00 | 2025-10-23 13:30:00 | 2025-10-13 15:02:40.06+00\n 9b3c1e7a-2f6d-4a8b-b5e0-4c7d9a1f3e28 | 2025-10-22 05:00:00 | 2025-10-22 13:30:00 | 2025-10-13 15:02:35.91+00\n d4f8a2b6-9e1c-4d7a-8b3f-6a0c5e2d1f49 | 2025-10-21 05:00:00 | 2025-10-21 13:30:00 | 2025-10-13 15:02:31.44+00\n(6 rows)\n\n TimeZone\n----------\n UTC\n(1 row)",
           secs=1.8, desc="Inspect the staging shifts table and recent Berlin shifts"),
        sh("./gradlew test -i 2>&1 | tail -120", _gradle_test_log(77), secs=66.0, desc="Run the test suite locally"),
        sh("kubectl --context staging -n roster get deploy roster-api -o jsonpath='{.spec.template.spec.containers[0].env}' | jq -c '.[] | select(.name | test(\"TZ|JAVA\"))' ; grep -rn 'TZ\\|user.timezone' Dockerfile .github/workflows/ build.gradle.kts",
           "{\"name\":\"JAVA_TOOL_OPTIONS\",\"value\":\"-XX:MaxRAMPercentage=75\"}\n{\"name\":\"TZ\",\"value\":\"Europe/Berlin\"}\n.github/workflows/ci.yml:31:      TZ: UTC\nbuild.gradle.kts:64:    systemProperty(\"user.timezone\", \"UTC\")",
           secs=1.4, desc="Check the time zone settings of staging, CI and tests"),
    ],
)

_config_grep = """apps/api/src/server.ts:12:const port = Number(process.env.PORT ?? 3001);
apps/api/src/server.ts:13:const host = process.env.HOST ?? "0.0.0.0";
apps/api/src/server.ts:29:  logger: { level: process.env.LOG_LEVEL ?? "info" },
apps/api/src/db/index.ts:6:const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX) || 10 });
apps/api/src/queue/connection.ts:4:export const redis = new IORedis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
apps/api/src/queue/scheduler.ts:18:const CHECK_CONCURRENCY = parseInt(process.env.CHECK_CONCURRENCY || "50");
apps/api/src/queue/scheduler.ts:19:const PAID_INTERVAL = process.env.PAID_CHECK_INTERVAL_SECONDS ? +process.env.PAID_CHECK_INTERVAL_SECONDS : 30;
apps/api/src/checks/http.ts:9:const TIMEOUT_MS = Number(process.env.CHECK_TIMEOUT_MS ?? 10000);
apps/api/src/checks/http.ts:10:const UA = process.env.CHECK_USER_AGENT || "BeaconBot/1.0 (+https://beacon.dev/bot)";
apps/api/src/checks/regions.ts:3:export const REGIONS = (process.env.CHECK_REGIONS ?? "eu-west,us-east").split(",");
apps/api/src/auth/session.ts:8:const SESSION_SECRET = process.env.SESSION_SECRET as string;
apps/api/src/auth/session.ts:9:const SECURE_COOKIES = process.env.NODE_ENV === "production";
apps/api/src/auth/apiKeys.ts:5:const PEPPER = process.env.API_KEY_PEPPER ?? "";
apps/api/src/auth/oauth.ts:11:  clientId: process.env.GITHUB_CLIENT_ID!,
apps/api/src/auth/oauth.ts:12:  clientSecret: process.env.GITHUB_CLIENT_SECRET!,
apps/api/src/auth/oauth.ts:13:  redirectUri: `${process.env.PUBLIC_API_URL}/v1/auth/github/callback`,
apps/api/src/billing/stripe.ts:4:export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { apiVersion: "2024-06-20" });
apps/api/src/billing/webhook.ts:15:  const event = stripe.webhooks.constructEvent(raw, sig, process.env.STRIPE_WEBHOOK_SECRET!);
apps/api/src/billing/plans.ts:7:  if (process.env.FEATURE_ANNUAL_PLANS === "true") {
apps/api/src/notify/email.ts:6:const transport = createTransport(process.env.SMTP_URL);
apps/api/src/notify/email.ts:7:const FROM = process.env.MAIL_FROM || "Beacon <alerts@beacon.dev>";
apps/api/src/notify/slack.ts:12:  if (!process.env.SLACK_SIGNING_SECRET) return reply.code(500).send();
apps/api/src/notify/sms.ts:5:const twilio = Twilio(process.env.TWILIO_SID, process.env.TWILIO_TOKEN);
apps/api/src/statuspages/domains.ts:22:  const target = process.env.STATUS_CNAME_TARGET ?? "status.beacon.dev";
apps/api/src/statuspages/domains.ts:40:  if (process.env.NODE_ENV !== "production") return { verified: true };
apps/api/src/statuspages/render.ts:3:const CDN = process.env.PUBLIC_CDN_URL;
apps/api/test/setup.ts:4:process.env.DATABASE_URL ??= "postgres://beacon:beacon@localhost:5433/beacon_test";
apps/api/test/setup.ts:5:process.env.SESSION_SECRET ??= "test-secret-test-secret-test-secret";
"""

cc(
    "g-cc-019", "complex",
    "Moving env reads in nineteen API modules (session, OAuth, Stripe and webhook secrets among them) onto one validated config object is a cross-module refactor where a wrong default breaks auth or billing.",
    "beacon",
    [
        U("process.env is read all over apps/api with different fallbacks and parsing (parseInt vs Number vs +, `!` assertions). replace it with one typed config module: apps/api/src/config.ts, zod schema, parsed once at startup, fail fast with a readable error listing every bad/missing var. then use `config.x` everywhere in apps/api. keep current defaults where there is one; secrets must be required in production but the test setup must keep working. don't touch apps/web"),
        todo(("in_progress", "Inventory every process.env read in apps/api"), ("pending", "Write config.ts with zod schema and defaults"), ("pending", "Replace reads module by module"), ("pending", "Typecheck and run tests")),
        gr("process\\.env", _config_grep, path="apps/api"),
    ],
)

_explain_slow = """                                                                              QUERY PLAN
-------------------------------------------------------------------------------------------------------------------------------------------------------------------------------------
 Limit  (cost=1000.57..412874.21 rows=100 width=412) (actual time=38122.418..38131.907 rows=100 loops=1)
   ->  Gather Merge  (cost=1000.57..7844210.66 rows=1899 width=412) (actual time=38122.415..38131.880 rows=100 loops=1)
         Workers Planned: 4
         Workers Launched: 4
         ->  Nested Loop  (cost=0.56..7843001.02 rows=475 width=412) (actual time=30411.233..37902.655 rows=23 loops=5)
               ->  Parallel Index Scan Backward using tracking_trackingevent_occurred_at_idx on tracking_trackingevent e  (cost=0.57..7829144.13 rows=1642 width=380) (actual time=30411.102..37898.144 rows=23 loops=5)
                     Filter: ((carrier = 'dpd'::text) AND ((status)::text = 'exception'::text))
                     Rows Removed by Filter: 41893310
               ->  Index Scan using shipments_shipment_pkey on shipments_shipment s  (cost=0.56..8.43 rows=1 width=32) (actual time=0.184..0.184 rows=1 loops=115)
                     Index Cond: (id = e.shipment_id)
 Planning Time: 0.912 ms
 Execution Time: 38132.207 ms
(12 rows)
"""

cc(
    "g-cc-020", "complex",
    "Fixing a 38-second query on a 210-million-row production table means index design checked against the plan and a concurrent, non-atomic migration that will not lock tracking writes: performance work on production data.",
    "courier",
    [
        U("ops dashboard 'carrier exceptions' page times out (it's the /internal/exceptions?carrier=dpd endpoint). it's killing the replica too. fix it today please, we have a DPD outage and support needs that page"),
        gr("def carrier_exceptions", "tracking/views_internal.py:41:def carrier_exceptions(request):", path="tracking"),
        rd("tracking/views_internal.py", "from django.db.models import F\nfrom django.http import JsonResponse\n\nfrom tracking.models import TrackingEvent\n\n\ndef carrier_exceptions(request):\n    carrier = request.GET[\"carrier\"]\n    events = (\n        TrackingEvent.objects.filter(carrier=carrier, status=\"exception\")\n        .select_related(\"shipment\")\n        .order_by(\"-occurred_at\")[:100]\n    )\n    return JsonResponse({\"events\": [e.as_internal_dict() for e in events]})\n", start=35, end=48),
        sh("psql \"$REPLICA_URL\" -c \"explain (analyze, buffers off) select e.*, s.tracking_number from tracking_trackingevent e join shipments_shipment s on s.id = e.shipment_id where e.carrier = 'dpd' and e.status = 'exception' order by e.occurred_at desc limit 100\"",
           _explain_slow, secs=39.0, desc="Explain the exceptions query on the replica"),
        sh("psql \"$REPLICA_URL\" -c \"select indexname, indexdef from pg_indexes where tablename = 'tracking_trackingevent'\" -c \"select status, count(*) from tracking_trackingevent where occurred_at > now() - interval '7 days' group by 1 order by 2 desc\" -c \"select pg_size_pretty(pg_total_relation_size('tracking_trackingevent'))\"",
           "                   indexname                    |                                                     indexdef\n------------------------------------------------+------------------------------------------------------------------------------------------------------------------\n tracking_trackingevent_pkey                    | CREATE UNIQUE INDEX tracking_trackingevent_pkey ON public.tracking_trackingevent USING btree (id)\n tracking_trackingevent_shipment_id_idx         | CREATE INDEX tracking_trackingevent_shipment_id_idx ON public.tracking_trackingevent USING btree (shipment_id)\n tracking_trackingevent_occurred_at_idx         | CREATE INDEX tracking_trackingevent_occurred_at_idx ON public.tracking_trackingevent USING btree (occurred_at)\n tracking_trackingevent_carrier_event_id_uniq   | CREATE UNIQUE INDEX tracking_trackingevent_carrier_event_id_uniq ON public.tracking_trackingevent USING btree (carrier, carrier_event_id)\n(4 rows)\n\n    status    |  count\n--------------+----------\n in_transit   | 14720331\n out_for_delivery | 3120874\n delivered    |  2980112\n info_received|  2411093\n exception    |    61217\n returned     |    20311\n(6 rows)\n\n pg_size_pretty\n----------------\n 187 GB\n(1 row)",
           secs=22.0, desc="Show indexes, status distribution and table size"),
    ],
)

_ring_c = """#include "ring.h"

#include <stdlib.h>
#include <string.h>

int ring_init(struct ring *r, size_t cap)
{
    if (cap == 0 || (cap & (cap - 1)) != 0)
        return -1;
    r->slots = calloc(cap, sizeof *r->slots);
    if (!r->slots)
        return -1;
    r->mask = cap - 1;
    r->head = 0; /* next slot the producer writes */
    r->tail = 0; /* next slot the consumer reads */
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->nonempty, NULL);
    pthread_cond_init(&r->nonfull, NULL);
    return 0;
}

/* Producer side. Blocks while full. Takes ownership of line. */
void ring_push(struct ring *r, char *line)
{
    pthread_mutex_lock(&r->lock);
    while (r->head - r->tail == r->mask + 1)
        pthread_cond_wait(&r->nonfull, &r->lock);
    r->slots[r->head & r->mask] = line;
    r->head++;
    pthread_mutex_unlock(&r->lock);
    pthread_cond_signal(&r->nonempty);
}

/* Consumer side. Returns NULL if the ring is empty after waiting up to timeout_ms. */
char *ring_pop(struct ring *r, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)timeout_ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;

    pthread_mutex_lock(&r->lock);
    while (r->head == r->tail) {
        if (pthread_cond_timedwait(&r->nonempty, &r->lock, &ts) != 0) {
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
    }
    char *line = r->slots[r->tail & r->mask];
    r->tail++;
    pthread_mutex_unlock(&r->lock);
    pthread_cond_signal(&r->nonfull);
    return line;
}

/* Racy by design: used only for metrics and the shutdown check. */
size_t ring_len(const struct ring *r)
{
    return r->head - r->tail;
}
"""

_shipper_c = """#include "shipper.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "net.h"

extern volatile int g_stop;

static int send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

void *shipper_main(void *arg)
{
    struct shipper *s = arg;
    char batch[64 * 1024];
    size_t used = 0;

    while (!g_stop) {
        char *line = ring_pop(s->ring, 200);
        if (line) {
            size_t n = strlen(line);
            if (used + n + 1 > sizeof batch) {
                if (send_all(s->fd, batch, used) < 0)
                    s->fd = net_reconnect(s);
                used = 0;
            }
            memcpy(batch + used, line, n);
            batch[used + n] = '\\n';
            used += n + 1;
            free(line);
        }
        if (used > 0 && (!line || used > sizeof batch / 2)) {
            if (send_all(s->fd, batch, used) < 0)
                s->fd = net_reconnect(s);
            used = 0;
        }
    }
    if (used > 0)
        send_all(s->fd, batch, used);
    close(s->fd);
    return NULL;
}
"""

_main_c = """#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "ring.h"
#include "shipper.h"
#include "tail.h"

volatile int g_stop = 0;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int main(int argc, char **argv)
{
    struct config cfg;
    if (config_load(&cfg, argc, argv) < 0)
        return 2;

    struct ring ring;
    if (ring_init(&ring, cfg.ring_slots) < 0) {
        log_err("ring_init failed");
        return 1;
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct tailer tl = {.cfg = &cfg, .ring = &ring};
    struct shipper sp = {.cfg = &cfg, .ring = &ring, .fd = net_connect(&cfg)};
    pthread_t t_tail, t_ship;
    pthread_create(&t_tail, NULL, tail_main, &tl);
    pthread_create(&t_ship, NULL, shipper_main, &sp);

    while (!g_stop)
        pause();

    pthread_join(t_tail, NULL);
    pthread_join(t_ship, NULL);
    log_info("logtap: stopped, %zu lines left in ring", ring_len(&ring));
    return 0;
}
"""

_tsan = """==================
WARNING: ThreadSanitizer: data race (pid=48211)
  Read of size 4 at 0x55d4c8a0e0f0 by thread T2:
    #0 shipper_main src/shipper.c:34 (logtap+0x4b2f1)
    #1 <null> <null> (libtsan.so.2+0x3fb4e)

  Previous write of size 4 at 0x55d4c8a0e0f0 by main thread:
    #0 on_signal src/main.c:18 (logtap+0x4a1c3)
    #1 <null> <null> (libtsan.so.2+0x39b1a)
    #2 main src/main.c:44 (logtap+0x4a4d0)

  Location is global 'g_stop' of size 4 at 0x55d4c8a0e0f0 (logtap+0x1ae0f0)

SUMMARY: ThreadSanitizer: data race src/shipper.c:34 in shipper_main
==================
==================
WARNING: ThreadSanitizer: data race (pid=48211)
  Read of size 4 at 0x55d4c8a0e0f0 by thread T1:
    #0 tail_main src/tail.c:97 (logtap+0x4c81a)
    #1 <null> <null> (libtsan.so.2+0x3fb4e)

  Previous write of size 4 at 0x55d4c8a0e0f0 by main thread:
    #0 on_signal src/main.c:18 (logtap+0x4a1c3)

  Location is global 'g_stop' of size 4 at 0x55d4c8a0e0f0 (logtap+0x1ae0f0)

SUMMARY: ThreadSanitizer: data race src/tail.c:97 in tail_main
==================
==================
WARNING: ThreadSanitizer: data race (pid=48211)
  Read of size 8 at 0x7ffd6c1a2e08 by main thread:
    #0 ring_len src/ring.c:58 (logtap+0x4b8a4)
    #1 main src/main.c:52 (logtap+0x4a58e)

  Previous write of size 8 at 0x7ffd6c1a2e08 by thread T1 (mutexes: write M0):
    #0 ring_push src/ring.c:29 (logtap+0x4b602)
    #1 tail_flush_partial src/tail.c:141 (logtap+0x4ca07)
    #2 tail_main src/tail.c:104 (logtap+0x4c8b3)

  Location is stack of main thread.

SUMMARY: ThreadSanitizer: data race src/ring.c:58 in ring_len
==================
ThreadSanitizer: reported 3 warnings
"""

cc(
    "g-cc-021", "complex",
    "Third failed attempt at lines lost on SIGTERM in a two-thread C daemon: drain loop, join order and atomic flags did not help, and the loss sits in shutdown ordering that no single report shows.",
    "logtap",
    [
        U("tests/shutdown_test.sh fails intermittently: on SIGTERM logtap sometimes drops the last few hundred lines. we run it on 400 hosts and every deploy restarts it, so we lose logs on every deploy. fix it properly, it must drain everything that was already read from the files before exiting (but still exit within a few seconds if the collector is down)"),
        todo(("in_progress", "Reproduce with shutdown_test.sh"), ("pending", "Find where lines are lost on shutdown"), ("pending", "Fix drain on SIGTERM"), ("pending", "Run shutdown_test 50x and make tsan")),
        sh("make debug && tests/shutdown_test.sh 50", _shutdown_runs(1, 50, {4: 311, 9: 88, 17: 502, 23: 17, 31: 240, 44: 129}), code=1, secs=41.0, desc="Reproduce the shutdown loss 50 times"),
        par(rd("src/main.c", _main_c), rd("src/shipper.c", _shipper_c), rd("src/ring.c", _ring_c)),
        A("The shipper loop exits as soon as `g_stop` is set, and only flushes its local batch; anything still in the ring is dropped. First fix: after the stop flag, keep popping until the ring is empty."),
        ed("src/shipper.c", "    if (used > 0)\n        send_all(s->fd, batch, used);\n    close(s->fd);",
           "    /* drain what the tailer already queued */\n    char *line;\n    while ((line = ring_pop(s->ring, 0)) != NULL) {\n        size_t n = strlen(line);\n        if (used + n + 1 > sizeof batch) {\n            send_all(s->fd, batch, used);\n            used = 0;\n        }\n        memcpy(batch + used, line, n);\n        batch[used + n] = '\\n';\n        used += n + 1;\n        free(line);\n    }\n    if (used > 0)\n        send_all(s->fd, batch, used);\n    close(s->fd);",
           src=_shipper_c),
        sh("make debug && tests/shutdown_test.sh 50", _shutdown_runs(2, 50, {12: 64, 29: 3, 38: 210}), code=1, secs=40.0, desc="Rerun the shutdown test 50 times"),
        A("Fewer losses but still 3/50. The drain runs while the tailer may still be pushing: `tail_main` also checks `g_stop` and flushes a partial line on exit, so the shipper can see an empty ring, finish, and then the tailer pushes more. Second fix: stop the tailer first, join it, and only then tell the shipper to drain and stop, with its own flag."),
        ed("src/main.c", "    pthread_join(t_tail, NULL);\n    pthread_join(t_ship, NULL);",
           "    pthread_join(t_tail, NULL);\n    sp.stop = 1; /* tailer is done: shipper may drain and exit */\n    pthread_join(t_ship, NULL);", src=_main_c),
        ed("src/shipper.c", "    while (!g_stop) {", "    while (!s->stop) {", src=_shipper_c),
        sh("make debug && tests/shutdown_test.sh 50", _shutdown_runs(3, 50, {7: 45, 33: 198}, hang={21}), code=1, secs=52.0, desc="Rerun the shutdown test 50 times"),
        A("Now one run hung and two still lost lines. Let me look at it under ThreadSanitizer before guessing again."),
        sh("make tsan && LOGTAP_BIN=build/tsan/logtap tests/shutdown_test.sh 5 2>&1 | grep -v '^\\[' | head -80", _tsan + "\n" + _shutdown_runs(4, 5, {3: 96}), code=1, secs=64.0, desc="Run the shutdown test under TSan"),
        A("TSan flags `g_stop` (a plain `volatile int` written from the signal handler and read by both threads), the unlocked `ring_len`, and `sp.stop` would be the same. Making the flags proper atomics: `volatile sig_atomic_t` for the handler flag and `atomic_int` for the shipper stop."),
        ed("src/main.c", "volatile int g_stop = 0;", "volatile sig_atomic_t g_stop = 0;", src=_main_c),
        ed("src/shipper.h", "    int stop;", "    atomic_int stop;"),
        ed("src/main.c", "    sp.stop = 1; /* tailer is done: shipper may drain and exit */", "    atomic_store(&sp.stop, 1); /* tailer is done: shipper may drain and exit */"),
        sh("make debug && tests/shutdown_test.sh 50", _shutdown_runs(5, 50, {16: 122, 40: 9}), code=1, secs=43.0, desc="Rerun the shutdown test 50 times"),
    ],
)

cc(
    "g-cc-022", "complex",
    "Letting support staff log in as a merchant is an authentication change: the impersonated session must be scoped, audited, revocable and kept away from API keys and billing, or it becomes account takeover.",
    "courier",
    [
        U("support keeps asking merchants for screenshots. I want a 'log in as this merchant' button in django admin for staff with a new `accounts.impersonate_merchant` permission: it should open the merchant dashboard as that merchant. make it so. the dashboard uses normal django sessions (merchant users are `accounts.MerchantUser`, staff are `auth.User` with is_staff)"),
        par(
            rd("accounts/admin.py", "from django.contrib import admin\n\nfrom accounts.models import ApiKey, Merchant, MerchantUser\n\n\nclass ApiKeyInline(admin.TabularInline):\n    model = ApiKey\n    fields = (\"prefix\", \"label\", \"created_at\", \"last_used_at\", \"revoked_at\")\n    readonly_fields = fields\n    extra = 0\n    can_delete = False\n\n\n@admin.register(Merchant)\nclass MerchantAdmin(admin.ModelAdmin):\n    list_display = (\"name\", \"email\", \"plan\", \"date_joined\", \"is_active\")\n    search_fields = (\"=email\", \"name\")\n    list_filter = (\"plan\", \"is_active\")\n    inlines = [ApiKeyInline]\n\n\n@admin.register(MerchantUser)\nclass MerchantUserAdmin(admin.ModelAdmin):\n    list_display = (\"email\", \"merchant\", \"role\", \"last_login\")\n    search_fields = (\"=email\",)\n"),
            rd("accounts/auth.py", "from django.contrib.auth.backends import ModelBackend\n\nfrom accounts.models import MerchantUser\n\n\nclass MerchantBackend(ModelBackend):\n    \"\"\"Authenticates dashboard logins against MerchantUser (email + argon2 password).\"\"\"\n\n    def authenticate(self, request, email=None, password=None, **kwargs):\n        try:\n            user = MerchantUser.objects.select_related(\"merchant\").get(email__iexact=email, is_active=True)\n        except MerchantUser.DoesNotExist:\n            MerchantUser().set_password(password)  # constant time\n            return None\n        if user.check_password(password) and user.merchant.is_active:\n            return user\n        return None\n\n    def get_user(self, user_id):\n        return MerchantUser.objects.select_related(\"merchant\").filter(pk=user_id, is_active=True).first()\n"),
            rd("courier/settings/base.py", "AUTHENTICATION_BACKENDS = [\n    \"django.contrib.auth.backends.ModelBackend\",\n    \"accounts.auth.MerchantBackend\",\n]\nSESSION_COOKIE_AGE = 60 * 60 * 24 * 14\nSESSION_COOKIE_SECURE = True\nSESSION_COOKIE_HTTPONLY = True\nCSRF_COOKIE_SECURE = True\nLOGIN_URL = \"/dashboard/login/\"\nADMIN_URL = env(\"ADMIN_URL\", default=\"admin/\")\n", start=88, end=97),
        ),
    ],
)

_rds_plan = """module.orders_db.aws_db_subnet_group.this: Refreshing state... [id=prod-orders]
module.orders_db.aws_security_group.this: Refreshing state... [id=sg-0a7d2c91e4b3f5086]
module.orders_db.aws_db_parameter_group.this: Refreshing state... [id=prod-orders-pg16]
module.orders_db.aws_db_instance.this: Refreshing state... [id=db-KX3Q7P2ZL5NV4WJ8Y6RT1MUB0A]

Terraform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:
  + create
  - destroy

Terraform will perform the following actions:

  # aws_db_instance.orders will be destroyed
  # (because aws_db_instance.orders is not in configuration)
  - resource "aws_db_instance" "orders" {
      - allocated_storage                     = 2000 -> null
      - backup_retention_period               = 14 -> null
      - db_subnet_group_name                  = "prod-orders" -> null
      - deletion_protection                   = false -> null
      - engine                                = "postgres" -> null
      - engine_version                        = "16.4" -> null
      - identifier                            = "prod-orders" -> null
      - instance_class                        = "db.r6g.4xlarge" -> null
      - multi_az                              = true -> null
      - skip_final_snapshot                   = true -> null
      - storage_encrypted                     = true -> null
        # (41 unchanged attributes hidden)
    }

  # aws_db_parameter_group.orders will be destroyed
  - resource "aws_db_parameter_group" "orders" {
      - family = "postgres16" -> null
      - name   = "prod-orders-pg16" -> null
        # (6 unchanged attributes hidden)
    }

  # aws_db_subnet_group.orders will be destroyed
  - resource "aws_db_subnet_group" "orders" {
      - name       = "prod-orders" -> null
      - subnet_ids = [
          - "subnet-04b1e7c2a9d3f6058",
          - "subnet-0c8e2d5a1f7b4e963",
          - "subnet-0e3a9f6d2c1b8a574",
        ] -> null
    }

  # aws_security_group.orders_db will be destroyed
  - resource "aws_security_group" "orders_db" {
      - name = "prod-orders-db" -> null
        # (8 unchanged attributes hidden)
    }

  # module.orders_db.aws_db_instance.this will be created
  + resource "aws_db_instance" "this" {
      + allocated_storage     = 2000
      + deletion_protection   = true
      + engine                = "postgres"
      + engine_version        = "16.4"
      + identifier            = "prod-orders"
      + instance_class        = "db.r6g.4xlarge"
      + multi_az              = true
      + skip_final_snapshot   = false
      + final_snapshot_identifier = "prod-orders-final"
      + storage_encrypted     = true
      + (63 more attributes known after apply)
    }

  # module.orders_db.aws_db_parameter_group.this will be created
  + resource "aws_db_parameter_group" "this" {
      + family = "postgres16"
      + name   = "prod-orders-pg16"
    }

  # module.orders_db.aws_db_subnet_group.this will be created
  + resource "aws_db_subnet_group" "this" {
      + name       = "prod-orders"
      + subnet_ids = [
          + "subnet-04b1e7c2a9d3f6058",
          + "subnet-0c8e2d5a1f7b4e963",
          + "subnet-0e3a9f6d2c1b8a574",
        ]
    }

  # module.orders_db.aws_security_group.this will be created
  + resource "aws_security_group" "this" {
      + name = "prod-orders-db"
    }

Plan: 4 to add, 0 to change, 4 to destroy.
"""

cc(
    "g-cc-023", "complex",
    "The refactor's prod plan would destroy and recreate the live orders database (no deletion protection, no final snapshot), so the next step is reworking it with state moves and guard rails before any apply.",
    "infra",
    [
        U("move the prod orders RDS (terraform/prod/rds.tf) into our modules/rds module like staging already does, no functional change. open a PR when the plan is clean"),
        par(rd("terraform/prod/rds.tf", "resource \"aws_db_subnet_group\" \"orders\" {\n  name       = \"prod-orders\"\n  subnet_ids = module.vpc.private_subnets\n}\n\nresource \"aws_security_group\" \"orders_db\" {\n  name   = \"prod-orders-db\"\n  vpc_id = module.vpc.vpc_id\n}\n\nresource \"aws_db_parameter_group\" \"orders\" {\n  name   = \"prod-orders-pg16\"\n  family = \"postgres16\"\n  parameter {\n    name  = \"log_min_duration_statement\"\n    value = \"500\"\n  }\n}\n\nresource \"aws_db_instance\" \"orders\" {\n  identifier              = \"prod-orders\"\n  engine                  = \"postgres\"\n  engine_version          = \"16.4\"\n  instance_class          = \"db.r6g.4xlarge\"\n  allocated_storage       = 2000\n  multi_az                = true\n  storage_encrypted       = true\n  db_subnet_group_name    = aws_db_subnet_group.orders.name\n  vpc_security_group_ids  = [aws_security_group.orders_db.id]\n  parameter_group_name    = aws_db_parameter_group.orders.name\n  backup_retention_period = 14\n  skip_final_snapshot     = true\n}\n"),
            rd("terraform/staging/rds.tf", "module \"orders_db\" {\n  source         = \"../modules/rds\"\n  name           = \"staging-orders\"\n  instance_class = \"db.t4g.large\"\n  storage_gb     = 200\n  multi_az       = false\n  vpc_id         = module.vpc.vpc_id\n  subnet_ids     = module.vpc.private_subnets\n}\n")),
        wr("terraform/prod/rds.tf", "module \"orders_db\" {\n  source         = \"../modules/rds\"\n  name           = \"prod-orders\"\n  instance_class = \"db.r6g.4xlarge\"\n  storage_gb     = 2000\n  multi_az       = true\n  vpc_id         = module.vpc.vpc_id\n  subnet_ids     = module.vpc.private_subnets\n  parameters     = { log_min_duration_statement = \"500\" }\n}\n"),
        sh("terraform -chdir=terraform/prod init -input=false >/dev/null && terraform -chdir=terraform/prod plan -input=false -no-color", _rds_plan, secs=48.0, desc="Plan prod with the module"),
    ],
)


# =========================================================================== complex: plain Anthropic SDK calls

sdk(
    "g-ot-a06", "complex",
    "Widening the primary key of a 900M-row production table near integer overflow, with FKs and replication attached and no downtime, is a migration on live data where a wrong step locks or breaks writes.",
    [{"role": "user", "content": "Postgres 15 on RDS (db.r6g.8xlarge, 4 TB gp3). `events.id` is `integer` with a sequence at 2,031,448,912 and we insert ~9M rows/day, so we have roughly 12 days before inserts start failing. The table has ~900M live rows (older partitions were dropped; it's not partitioned itself), 380 GB + 210 GB indexes. Two tables reference it: `event_attachments.event_id` (int, FK, 60M rows) and `event_reads.event_id` (int, FK, 1.1B rows). App is Rails 7.1, ~2k writes/s at peak, reads through PgBouncer in transaction mode. Logical replication to the analytics cluster via a publication on `events`. We can't take more than a few seconds of write lock at a time.\n\nGive me the exact migration plan with SQL for every step (new column or new table? triggers? backfill batching and how to throttle it, index builds, the swap, the FKs, the sequence, what happens to the publication), how to verify each step, and how to roll back at each point. Also tell me what to do TODAY as a stopgap if the plan slips."}],
    system="You are a staff-level database engineer. Be precise; assume production.",
    max_tokens=8192,
)

sdk(
    "g-ot-a07", "complex",
    "A per-IP rate limiter that crashes the production gateway with concurrent map writes and grows memory without bound needs a concurrency fix plus eviction that keeps limits correct under load, not a one-line lock.",
    [{"role": "user", "content": "our Go API gateway (12 pods) crashed 3 times today with `fatal error: concurrent map writes`, and memory climbs ~400 MB/hour until the OOM killer gets it anyway. it started after we added this middleware. fix it properly: must be safe under ~15k rps per pod, bounded memory (we see ~2M distinct IPs/day, lots of IPv6), and not a global lock on the hot path if we can avoid it. also behind the ALB r.RemoteAddr is always the ALB so I think limits aren't even per client right now?\n\n```go\npackage middleware\n\nimport (\n\t\"net/http\"\n\t\"time\"\n\n\t\"golang.org/x/time/rate\"\n)\n\ntype IPLimiter struct {\n\tlimiters map[string]*rate.Limiter\n\trps      rate.Limit\n\tburst    int\n}\n\nfunc NewIPLimiter(rps float64, burst int) *IPLimiter {\n\treturn &IPLimiter{limiters: map[string]*rate.Limiter{}, rps: rate.Limit(rps), burst: burst}\n}\n\nfunc (l *IPLimiter) get(ip string) *rate.Limiter {\n\tlim, ok := l.limiters[ip]\n\tif !ok {\n\t\tlim = rate.NewLimiter(l.rps, l.burst)\n\t\tl.limiters[ip] = lim\n\t}\n\treturn lim\n}\n\nfunc (l *IPLimiter) Middleware(next http.Handler) http.Handler {\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\tip := r.RemoteAddr\n\t\tif !l.get(ip).Allow() {\n\t\t\tw.Header().Set(\"Retry-After\", \"1\")\n\t\t\thttp.Error(w, \"rate limited\", http.StatusTooManyRequests)\n\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n\t})\n}\n\nvar _ = time.Second\n```"}],
    max_tokens=8192,
)


# =========================================================================== reasoning: Claude Code main loop

cc(
    "g-cc-024", "reasoning",
    "Choosing between tuning Postgres full-text search and adding OpenSearch for merchant parcel search is an architecture decision with cost, consistency and operational trade-offs, asked with extended thinking on.",
    "courier",
    [
        U("we need proper search for merchants in the dashboard: by tracking number prefix, recipient name (fuzzy, typos, accents: lots of Polish/German/Turkish names), postcode, city, and free text over the last carrier event. ~38M shipments, merchants only ever search their own (biggest merchant has 4.1M). today it's ILIKE and it times out. options people raised: (a) postgres: pg_trgm + tsvector columns, maybe a separate search table per merchant partition, (b) OpenSearch fed from CDC (we already run Debezium for the warehouse), (c) Meilisearch/Typesense. we are 6 backend devs, no dedicated ops, on RDS. I don't want code yet: I want a recommendation with the reasoning, what would make you change your mind, and what the first 2 weeks look like. look at the models first"),
        par(
            rd("shipments/models.py", "from django.contrib.postgres.indexes import GinIndex\nfrom django.db import models\n\n\nclass Shipment(models.Model):\n    merchant = models.ForeignKey(\"accounts.Merchant\", on_delete=models.PROTECT, related_name=\"shipments\")\n    tracking_number = models.CharField(max_length=40, unique=True)\n    carrier = models.CharField(max_length=16)\n    service = models.CharField(max_length=32)\n    recipient_name = models.CharField(max_length=200)\n    recipient_company = models.CharField(max_length=200, blank=True)\n    street = models.CharField(max_length=200)\n    postcode = models.CharField(max_length=16)\n    city = models.CharField(max_length=100)\n    country = models.CharField(max_length=2)\n    reference = models.CharField(max_length=64, blank=True)  # merchant's order number\n    status = models.CharField(max_length=24, db_index=True)\n    last_event_text = models.TextField(blank=True)\n    created_at = models.DateTimeField(auto_now_add=True, db_index=True)\n    updated_at = models.DateTimeField(auto_now=True)\n\n    class Meta:\n        indexes = [models.Index(fields=[\"merchant\", \"-created_at\"])]\n"),
            rd("shipments/api/search.py", "from django.db.models import Q\n\n\ndef search_shipments(merchant, q: str, limit: int = 50):\n    q = q.strip()\n    return (\n        merchant.shipments.filter(\n            Q(tracking_number__istartswith=q)\n            | Q(reference__iexact=q)\n            | Q(recipient_name__icontains=q)\n            | Q(postcode__istartswith=q)\n            | Q(city__icontains=q)\n            | Q(last_event_text__icontains=q)\n        )\n        .order_by(\"-created_at\")[:limit]\n    )\n"),
        ),
        sh("psql \"$REPLICA_URL\" -c \"select m.plan, count(distinct m.id) merchants, sum(c) shipments, max(c) biggest from (select merchant_id, count(*) c from shipments_shipment group by 1) x join accounts_merchant m on m.id = x.merchant_id group by 1 order by 3 desc\" -c \"select count(*) filter (where updated_at > now() - interval '1 day') updated_last_day from shipments_shipment\"",
           " plan     | merchants | shipments | biggest\n----------+-----------+-----------+---------\n business |       412 |  29877310 | 4102211\n starter  |      8120 |   7431008 |   61230\n free     |     21907 |    902114 |    1988\n(3 rows)\n\n updated_last_day\n------------------\n          2214871\n(1 row)",
           secs=64.0, desc="Measure shipments per merchant and daily update volume"),
    ],
    thinking=16000,
)

cc(
    "g-cc-025", "reasoning",
    "Auto-filling a ward's month of shifts under rest, hours, grade and fairness rules is an NP-hard assignment problem needing a formulation, a solver choice and a fairness argument, with thinking on.",
    "roster",
    [
        U("managers want an 'auto-fill' button: given a ward's month of open shifts (~40 staff, ~900 shifts, 3 shift types + on-call) assign staff so that: hard: 11h rest, 48h per rolling 7 days, required grade (band6 can cover band5 but not vice versa), max 4 nights in a row, approved leave; soft: respect preferences (staff mark days they'd rather not work), spread weekends and nights fairly over the last 3 months, keep people on the same shift type within a week, minimise agency staff (agency = unlimited but expensive). it has to run in under ~20s in the API (or as a job with progress) and explain WHY a shift could not be filled. how should we approach this? greedy? ILP? CP-SAT? what's the model exactly, and how do we keep it fair over months without it being gameable. LabourRules is the current rule engine"),
        rd("src/main/kotlin/com/wardroster/shifts/LabourRules.kt", _labour_rules_excerpt),
    ],
    thinking=24000,
)

_NIGHTS = {d: _dbt_night(int(d[-2:]), d, f) for d, f in [("2025-10-12", 0.97), ("2025-10-13", 1.0), ("2025-10-14", 1.05), ("2025-10-15", 3.1), ("2025-10-16", 5.4), ("2025-10-17", 7.6)]}


def _dbt_finished() -> str:
    out = []
    for d, log in _NIGHTS.items():
        line = next(x for x in log.splitlines() if "Finished running" in x)
        out.append(f"logs/nightly/{d}.log:{line}")
    return "\n".join(out) + "\n"


_pg_autovac = """2025-10-16 02:41:07.118 UTC [61244] LOG:  automatic vacuum of table "analytics.raw.shop_orders": index scans: 1
	pages: 0 removed, 4118230 remain, 1902114 scanned (46.19% of total)
	tuples: 0 removed, 61883204 remain, 38117902 are dead but not yet removable
	removable cutoff: 1928814417, which was 71844211 XIDs old when operation ended
	index scan needed: 0 pages from table (0.00% of total) had 0 dead item identifiers removed
	avg read rate: 61.402 MB/s, avg write rate: 0.118 MB/s
	buffer usage: 1911822 hits, 1988210 misses, 3011 dirtied
	WAL usage: 3120 records, 1 full page images, 190221 bytes
	system usage: CPU: user: 21.88 s, system: 9.41 s, elapsed: 252.94 s
2025-10-16 03:12:55.620 UTC [61502] LOG:  automatic vacuum of table "analytics.raw.payments": index scans: 0
	pages: 0 removed, 2210031 remain, 1118240 scanned (50.60% of total)
	tuples: 0 removed, 40112093 remain, 22871106 are dead but not yet removable
	removable cutoff: 1928814417, which was 72911088 XIDs old when operation ended
	avg read rate: 58.117 MB/s, avg write rate: 0.041 MB/s
	system usage: CPU: user: 13.02 s, system: 5.87 s, elapsed: 150.33 s
2025-10-17 02:38:41.901 UTC [70111] LOG:  automatic vacuum of table "analytics.raw.shop_orders": index scans: 1
	pages: 0 removed, 5236114 remain, 2417706 scanned (46.17% of total)
	tuples: 0 removed, 61902217 remain, 54401937 are dead but not yet removable
	removable cutoff: 1928814417, which was 98120033 XIDs old when operation ended
	system usage: CPU: user: 29.10 s, system: 12.77 s, elapsed: 344.12 s
2025-10-17 03:20:02.334 UTC [70388] LOG:  automatic vacuum of table "analytics.raw.payments": index scans: 0
	pages: 0 removed, 2893340 remain, 1460023 scanned (50.46% of total)
	tuples: 0 removed, 40140881 remain, 33992450 are dead but not yet removable
	removable cutoff: 1928814417, which was 99410205 XIDs old when operation ended
	system usage: CPU: user: 17.40 s, system: 7.92 s, elapsed: 201.77 s
2025-10-17 09:02:18.007 UTC [74410] LOG:  automatic vacuum of table "analytics.raw.customers": index scans: 1
	pages: 0 removed, 221004 remain, 90881 scanned (41.12% of total)
	tuples: 0 removed, 2880411 remain, 410227 are dead but not yet removable
	removable cutoff: 1928814417, which was 104882119 XIDs old when operation ended
"""

_pg_activity = """  pid  |   usename    | application_name |        backend_start         |         xact_start           |        state_change          |        state        | backend_xmin |                      query
-------+--------------+------------------+------------------------------+------------------------------+------------------------------+---------------------+--------------+--------------------------------------------------
  1184 | debezium     | Debezium         | 2025-10-02 11:20:41.02+00    |                              | 2025-10-17 10:14:02.91+00    | active              |              | START_REPLICATION SLOT "dbz_shop" LOGICAL 4F1/9C2A11E8
  1185 | debezium     | Debezium         | 2025-10-02 11:20:41.44+00    |                              | 2025-10-17 10:14:03.02+00    | active              |              | START_REPLICATION SLOT "dbz_payments" LOGICAL 4F1/9C2A0F70
 40921 | metabase     | Metabase v0.50.2 | 2025-10-14 09:13:50.77+00    | 2025-10-14 09:14:02.35+00    | 2025-10-14 09:14:02.41+00    | idle in transaction | 1928814417   | SELECT "source"."week" AS "week", "source"."count" AS "count" FROM (SELECT DATE_TRUNC('week', "raw"."shop_orders"."created_at") AS "week", COUNT(*) AS "count" FROM "raw"."shop_orders" GROUP BY 1) AS "source" LIMIT 2000
 40977 | metabase     | Metabase v0.50.2 | 2025-10-14 09:15:12.08+00    |                              | 2025-10-17 10:13:40.12+00    | idle                |              | SHOW TRANSACTION ISOLATION LEVEL
 81220 | dbt_prod     | dbt              | 2025-10-17 10:02:11.64+00    | 2025-10-17 10:13:58.20+00    | 2025-10-17 10:13:58.20+00    | active              | 2030118442   | create table "analytics"."analytics"."fct_orders__dbt_tmp" as ( with orders as ( select * from "analytics"."analytics"."stg_shop__orders" ...
 81302 | ines         | psql             | 2025-10-17 10:14:01.11+00    | 2025-10-17 10:14:03.50+00    | 2025-10-17 10:14:03.50+00    | active              | 2030118442   | select pid, usename, application_name, ...
(6 rows)
"""

_table_sizes = """        relation          | total_size | n_live_tup | n_dead_tup | last_autovacuum               | last_autoanalyze
--------------------------+------------+------------+------------+-------------------------------+-------------------------------
 raw.shop_orders          | 44 GB      |   61902217 |   55120483 | 2025-10-17 02:38:41.901+00    | 2025-10-17 02:44:10.018+00
 raw.payments             | 25 GB      |   40140881 |   34410276 | 2025-10-17 03:20:02.334+00    | 2025-10-17 03:23:52.771+00
 raw.shop_order_items     | 31 GB      |  148771023 |    9120337 | 2025-10-16 23:11:40.190+00    | 2025-10-16 23:20:05.412+00
 raw.customers            | 1902 MB    |    2880411 |     410227 | 2025-10-17 09:02:18.007+00    | 2025-10-17 09:03:01.220+00
 raw.pageviews            | 212 GB     |  980223411 |     118204 | 2025-10-12 04:10:51.602+00    | 2025-10-12 05:30:17.833+00
(5 rows)

-- same query from the 2025-10-13 capacity snapshot (ops/snapshots/2025-10-13.txt):
 raw.shop_orders          | 19 GB      |   61731100 |     802114 | 2025-10-13 02:20:13.448+00    | 2025-10-13 02:22:50.101+00
 raw.payments             | 11 GB      |   40011238 |     410923 | 2025-10-13 03:01:44.120+00    | 2025-10-13 03:02:31.908+00
 raw.shop_order_items     | 30 GB      |  148102220 |    8911044 | 2025-10-12 23:02:11.733+00    | 2025-10-12 23:09:40.002+00
"""

cc(
    "g-cc-026", "reasoning",
    "A nightly build slowing a little more each night, only on models over two raw tables, needs a root-cause hypothesis that explains the ramp, the vacuum output, the sessions and why a manual VACUUM did nothing.",
    "warehouse",
    [
        U("the nightly `dbt build` used to take ~40 min, since wednesday it's 1h05, then 1h35, today 2h... the data team is blaming the dbt 1.8 upgrade (0fe4b21, merged monday 13th). I ran a manual VACUUM ANALYZE on raw.shop_orders yesterday and it changed nothing. logs are in logs/nightly/. figure out the root cause before anyone touches anything; I need something I can explain to them. DON'T change anything on the db"),
        todo(("in_progress", "Compare nightly run timings before and after the 13th"), ("pending", "Check Postgres side: vacuum, bloat, sessions"), ("pending", "Write up the root cause")),
        sh("ls logs/nightly/ && git log -3 --format='%h %ad %s' --date=iso 0fe4b21", "2025-10-12.log\n2025-10-13.log\n2025-10-14.log\n2025-10-15.log\n2025-10-16.log\n2025-10-17.log\n0fe4b21 2025-10-13 11:02:40 +0200 dbt 1.8\n6a3c9e0 2025-10-10 16:44:02 +0200 sources: freshness checks for raw.payments\n1d7f2a8 2025-10-09 10:20:11 +0200 dim_customers: plan from billing", desc="List nightly logs and the upgrade commit"),
        sh("grep -H 'Finished running' logs/nightly/*.log", _dbt_finished(), secs=0.1, desc="Show total runtime of each nightly run"),
        sh("cat logs/nightly/2025-10-13.log logs/nightly/2025-10-17.log", _NIGHTS["2025-10-13"] + _NIGHTS["2025-10-17"], secs=0.2, desc="Compare the nightly runs of the 13th and the 17th"),
        A("The slowdown is not a step: total runtime grows every night from the 15th. Comparing the 13th with the 17th model by model, the pageviews/sessions/subscriptions models run at their usual speed, while everything built on `raw.shop_orders` and `raw.payments` (their staging models and the marts downstream) is 7-8x slower. A dbt version change would slow everything from the first night on, so checking the database side next."),
        sh("grep -A9 'automatic vacuum of table \"analytics.raw' /var/log/postgresql/postgresql-16-main.log | tail -60", _pg_autovac, secs=0.4, desc="Show recent autovacuum runs on raw tables"),
        sh("psql analytics -c \"select relid::regclass as relation, pg_size_pretty(pg_total_relation_size(relid)) total_size, n_live_tup, n_dead_tup, last_autovacuum, last_autoanalyze from pg_stat_user_tables where schemaname = 'raw' order by n_dead_tup desc limit 5\" && cat ops/snapshots/2025-10-13.txt | sed -n 4,7p",
           _table_sizes, secs=1.2, desc="Compare table sizes and dead tuples with the snapshot of the 13th"),
        sh("psql analytics -c \"select pid, usename, application_name, backend_start, xact_start, state_change, state, backend_xmin, left(query, 200) as query from pg_stat_activity where datname = 'analytics' order by xact_start nulls last\"",
           _pg_activity, secs=0.3, desc="Show sessions and their transaction horizons"),
    ],
)

cc(
    "g-cc-027", "reasoning",
    "The user asks for a proof, or a counterexample interleaving, that a SKIP LOCKED job queue with a stale-job reaper never runs a label job twice under READ COMMITTED: a correctness argument over concurrent transactions.",
    "courier",
    [
        U("before I switch label generation from celery to this postgres queue: can a label job ever be executed by two workers at once, or executed twice, with this code? workers run claim() in a loop, 16 of them across 4 pods, and the reaper runs every minute from celery beat (might overlap with itself if a run is slow). READ COMMITTED, autocommit off, the worker commits right after claim and then calls the carrier API (can take 30s+, and DPD sometimes 3 min), then complete(). I want an actual argument, step by step, not 'looks fine'. if it's broken give me the exact interleaving and the smallest fix. and is 'exactly once' even the right thing to ask for here given the carrier API isn't idempotent?"),
        rd("labels/queue.py", "from django.db import connection, transaction\n\nCLAIM_SQL = \"\"\"\nUPDATE labels_labeljob\n   SET status = 'running', claimed_by = %(worker)s, claimed_at = now(), attempts = attempts + 1\n WHERE id = (\n       SELECT id FROM labels_labeljob\n        WHERE status = 'queued' AND run_after <= now()\n        ORDER BY priority DESC, id\n        FOR UPDATE SKIP LOCKED\n        LIMIT 1)\nRETURNING id, payload\n\"\"\"\n\nREAP_SQL = \"\"\"\nUPDATE labels_labeljob\n   SET status = 'queued', claimed_by = NULL, run_after = now()\n WHERE status = 'running' AND claimed_at < now() - interval '2 minutes'\nRETURNING id\n\"\"\"\n\nCOMPLETE_SQL = \"\"\"\nUPDATE labels_labeljob SET status = 'done', finished_at = now(), result = %(result)s\n WHERE id = %(id)s\n\"\"\"\n\n\ndef claim(worker: str):\n    with transaction.atomic(), connection.cursor() as cur:\n        cur.execute(CLAIM_SQL, {\"worker\": worker})\n        return cur.fetchone()\n\n\ndef reap() -> list[int]:\n    with transaction.atomic(), connection.cursor() as cur:\n        cur.execute(REAP_SQL)\n        return [r[0] for r in cur.fetchall()]\n\n\ndef complete(job_id: int, result: dict) -> None:\n    with transaction.atomic(), connection.cursor() as cur:\n        cur.execute(COMPLETE_SQL, {\"id\": job_id, \"result\": json.dumps(result)})\n"),
    ],
)

cc(
    "g-cc-028", "reasoning",
    "Running operator-uploaded scripts inside the cache service on every request needs a threat model (sandbox escape, resource exhaustion, cross-tenant data) before any implementation: security analysis.",
    "tidewater",
    [
        U("product wants station operators (external orgs, ~300 of them) to upload small transform scripts that run in tidewater on each response for their stations: unit conversion, renaming fields, dropping readings flagged bad. proposal is to embed Rhai (pure Rust, no FFI) and run the operator's script on the JSON before caching. I have to present the security side to our CTO on thursday. do a proper threat model: what can go wrong, how likely/bad, what Rhai gives us out of the box vs what we must add (limits, engine config, isolation), and whether we should run it in-process at all or in a separate worker/wasm. no code needed. handlers are in src/http/handlers.rs if you want to see how responses flow"),
        rd("src/http/handlers.rs", TW["src/http/handlers.rs"]),
    ],
)

cc(
    "g-cc-029", "reasoning",
    "Picking an API versioning scheme for a public API consumed by mobile apps and a Terraform provider is an architecture decision with compatibility and maintenance trade-offs, asked with extended thinking on.",
    "beacon",
    [
        U("we're about to make the first breaking changes to the public API (monitors: `interval_seconds` -> `schedule` object, incidents: status enum gets 2 new values, pagination offset -> cursor everywhere). clients: iOS + Android apps (we see versions up to 14 months old still in use), our Terraform provider (people pin old versions for years), ~2k customers' scripts. options on the table: /v2 prefix, Stripe-style dated versions via header with per-account default, or additive-only forever + field-level deprecation. I need a decision doc: which one, why, how the code is structured so we don't end up with if(version) everywhere, how the enum change is handled for old clients, deprecation policy, and what it costs us in 2 years. think it through properly"),
        gr("app.register", "apps/api/src/server.ts:41:  await app.register(monitorRoutes, { prefix: \"/v1/monitors\" });\napps/api/src/server.ts:42:  await app.register(incidentRoutes, { prefix: \"/v1/incidents\" });\napps/api/src/server.ts:43:  await app.register(statusPageRoutes, { prefix: \"/v1/status-pages\" });\napps/api/src/server.ts:44:  await app.register(webhookRoutes, { prefix: \"/v1/webhooks\" });\napps/api/src/server.ts:45:  await app.register(authRoutes, { prefix: \"/v1/auth\" });\napps/api/src/server.ts:46:  await app.register(billingWebhookRoutes, { prefix: \"/internal/billing\" });", path="apps/api/src"),
    ],
    thinking=20000,
)

cc(
    "g-cc-030", "reasoning",
    "Sizing partitions and consumers so lag stays under a bound at three times peak, including what a rebalance and a broker loss do to it, is a quantitative capacity argument from the measured numbers, with thinking on.",
    "gateway",
    [
        U("think hard about this one. we're planning for 3x traffic next year (new device fleet). today telemetry.raw.v2 has 24 partitions, peak 180k msgs/s (avg 900 bytes, zstd ~4x), 12 gateway replicas producing, and the enrichment consumer group has 24 pods, each handles ~9k msgs/s max (CPU bound, one partition per pod). p99 consumer lag SLO is 5 s. questions: how many partitions do we need at 3x, and should we repartition the existing topic (ordering is per device_id and the enrichment keeps per-device state!) or create v3 and migrate? how much headroom so that a rebalance (takes ~25 s with eager assignment today) or losing one of 6 brokers doesn't blow the SLO? cooperative-sticky worth it? show the math, state assumptions"),
        sh("kubectl -n ingest get hpa enrichment -o wide && kafka-topics.sh --bootstrap-server $KAFKA --describe --topic telemetry.raw.v2 | head -5",
           "NAME         REFERENCE               TARGETS   MINPODS   MAXPODS   REPLICAS   AGE\nenrichment   Deployment/enrichment   61%/70%   24        24        24         211d\nTopic: telemetry.raw.v2\tTopicId: q9V2mXkTQ3eW1f0bYc7L8A\tPartitionCount: 24\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,cleanup.policy=delete,compression.type=zstd,retention.ms=259200000,max.message.bytes=4194304\n\tTopic: telemetry.raw.v2\tPartition: 0\tLeader: 3\tReplicas: 3,1,5\tIsr: 3,1,5\n\tTopic: telemetry.raw.v2\tPartition: 1\tLeader: 4\tReplicas: 4,2,6\tIsr: 4,2,6\n\tTopic: telemetry.raw.v2\tPartition: 2\tLeader: 5\tReplicas: 5,3,1\tIsr: 5,3,1",
           desc="Show the consumer autoscaler and topic layout"),
    ],
    thinking=16000,
)


# =========================================================================== reasoning: plain Anthropic SDK calls

sdk(
    "g-ot-a08", "reasoning",
    "Splitting a test suite into shards with co-location groups to minimise the slowest shard is multiprocessor scheduling (NP-hard), and the caller wants an algorithm with a quality guarantee, with extended thinking enabled.",
    [{"role": "user", "content": "Our CI splits ~3,400 test files over N parallel runners (N between 8 and 40, chosen per pipeline). We have per-file durations from the last 20 runs (mean and p90; heavy-tailed, the biggest file is ~6 min, median ~4 s). Constraints: some files must run on the same runner (they share a docker-compose fixture that takes 90 s to start, so grouping them saves the startup; the startup cost is paid once per runner per fixture type, and there are 7 fixture types), and a few files must run alone. Goal: minimise expected wall time of the slowest runner, and it must compute in under 2 s in the pipeline.\n\n1. What problem is this formally, and how hard?\n2. Propose an algorithm (LPT variant? bin-packing with fixture costs? local search?), give its approximation bound or argue why none is practical, and how to use p90 vs mean given the variance.\n3. How would you evaluate it offline against what we have today (greedy by file count)?"}],
    max_tokens=16000,
    thinking={"type": "enabled", "budget_tokens": 10000},
)

sdk(
    "g-ot-a09", "reasoning",
    "Reviewing a home-grown signed-URL scheme for forgery, replay, scope and key-management weaknesses is security analysis of a protocol, where the answer is an argument about attacks rather than code.",
    [{"role": "user", "content": "We hand out download links for shipping labels (PDFs with names and addresses) to merchants' warehouse tablets. Scheme:\n\n```\nurl = f\"https://files.courier.app/labels/{label_id}.pdf?exp={exp}&sig={sig}\"\nsig = hex(md5(SECRET + label_id + exp))[:16]\nexp = unix time + 7 days\n```\n\nverification (nginx + lua in front of S3): recompute md5(SECRET .. label_id .. exp), compare with `==` to the first 16 hex chars of sig, check exp > now. label_id is a sequential bigint. SECRET is one 16-char string shared by all 14 edge nodes and the app, set in 2019, never rotated. Links get pasted into WhatsApp groups by warehouse staff.\n\nPlease do a proper security review: list each weakness, how an attacker would actually exploit it (concretely, given these parameters), how bad it is, and what the replacement design should be, including how to migrate without breaking links already printed on paper as QR codes (those are valid 7 days)."}],
    system="You are an application security engineer. Be concrete and rank findings.",
    max_tokens=6000,
)

sdk(
    "g-ot-a10", "reasoning",
    "Choosing a consistency model for a collaborative whiteboard (CRDT, OT or server-authoritative) under offline and undo requirements is an architecture decision with correctness and cost trade-offs.",
    [
        {"role": "user", "content": "We're building a collaborative whiteboard (shapes, connectors, sticky notes, freehand) into our product. Requirements: up to ~50 concurrent editors per board, boards with up to 20k objects, offline editing on the iPad app for up to a day with merge on reconnect, per-user undo/redo that doesn't undo other people's changes, connectors must never point at deleted shapes after merge, and an audit history ('who moved this'). Backend is Node + Postgres, we have websockets already.\n\nOptions the team is arguing about: (1) Yjs/Automerge CRDT with a server that just relays and persists updates, (2) OT like Google Docs with a central server, (3) server-authoritative ops with last-writer-wins per property and optimistic client apply.\n\nI want a recommendation with the reasoning: how each option handles offline merge, the connector invariant, per-user undo, memory/storage growth over a year of edits, and what it costs to build and run. Which one and why, and what's the risky part we should prototype first?"},
    ],
    max_tokens=8000,
)
