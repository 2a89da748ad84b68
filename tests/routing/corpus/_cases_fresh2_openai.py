"""Fresh2-split cases (openai dialect): written blind to the router, measured once. See corpus README."""
# ruff: noqa: E501

from __future__ import annotations

import json
import random

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
    par,
    rd,
    sh,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects written inline for this module


PRICEBOOK = Project(
    "pricebook", "pricebook", "kessler-wholesale/pricebook", "/home/jonas", "/home/jonas/code/pricebook", "linux",
    "jonas/supplier-export",
    "M pricebook/catalog/management/commands/import_supplier_feed.py",
    "b3f81e2 catalog: supplier feed importer handles EAN-8 (#302)\n7a0c4d9 Django 5.0.8 (#299)\n2e6b1f0 pricing: volume tiers per customer group (#296)\n94d2a7c celery: nightly price recompute (#291)\n0c5e8b3 admin: bulk markup action (#288)",
    shell="bash",
    notes="""# pricebook

Wholesale catalog and price lists for Kessler Wholesale. Django 5.0, Python 3.12, Postgres 16, Celery + Redis,
DRF for the partner API. Managed with uv.

- `uv run pytest` (pytest-django), `uv run ruff check . && uv run ruff format --check .`
- Management commands live in `pricebook/<app>/management/commands/`; they take `--dry-run` when they write
- Money is `Decimal` with 4 places in the DB (`NUMERIC(14,4)`); round only when rendering a price list
- Production runs on two app hosts + one worker host; deploys go through `make deploy ENV=prod` from CI only
""",
)

METERD = Project(
    "meterd", "meterd", "gridwise/meterd", "/home/aino", "/home/aino/src/meterd", "linux",
    "aino/subscriber-metrics",
    "",
    "1c9e4a7 mqtt: reconnect with jittered backoff (#118)\nf02b6d3 store: batch inserts of 500 readings (#115)\n8d7a3e1 config: per-substation topic filters (#112)\n46e0c9b Go 1.23 (#110)\nb2a5f18 readings: reject timestamps more than 5 min in the future (#107)",
    editor="GoLand", shell="bash",
    notes="""# meterd

Ingests smart-meter readings from the substations' MQTT brokers (paho.mqtt.golang) into TimescaleDB.
Go 1.23, pgx v5, Prometheus metrics, deployed as 3 replicas with a shared subscription per substation.

- `make test` (go test -race ./...), `make lint` (golangci-lint), `make build`
- Config: `config/meterd.yaml`, overridden by `METERD_*` env vars
- Readings are idempotent on (meter_id, read_at); a duplicate insert is a no-op, never an update
""",
)

ROSTER = Project(
    "roster", "ward-roster", "st-olav-it/ward-roster", "/home/ingrid", "/home/ingrid/src/ward-roster", "linux",
    "ingrid/week-view-api",
    "M src/Roster.Api/Endpoints/ShiftEndpoints.cs",
    "5d2c9e1 Shifts: swap requests need charge-nurse approval (#64)\n0b8f3a7 EF Core 8.0.10 (#61)\n93e1d4c Minimal API endpoints per resource (#58)\n6a7b2f0 Wards: skill mix per shift type (#55)\ne4c0d18 Initial .NET 8 solution (#50)",
    editor="Rider", shell="bash",
    notes="""# ward-roster

Shift rostering for hospital wards. .NET 8, ASP.NET Core minimal APIs, EF Core 8 on SQL Server,
xUnit + FluentAssertions. Runs on-prem in the hospital's own datacenter.

- `dotnet build`, `dotnet test`; warnings are errors
- Endpoints are grouped per resource in `src/Roster.Api/Endpoints/*Endpoints.cs` (static `Map*` extension methods)
- Queries go through `RosterDbContext` with `AsNoTracking()` for reads
- Never log patient or staff personal data (names, national ids)
""",
)

SPINDLE = Project(
    "spindle", "spindle", "spindle-cms/spindle", "/Users/mei", "/Users/mei/dev/spindle", "darwin",
    "mei/webhooks",
    "M packages/server/src/webhooks/dispatch.ts",
    "e7a10c3 editor: OT transform for list items (#882)\n3b9f2d4 turbo 2.1 (#879)\n91c6e07 server: per-space API tokens (#875)\n0da4b18 web: preview drafts via signed URLs (#871)\n6f2e9a5 pnpm 9 (#866)",
    editor="VS Code",
    notes="""# spindle

Headless CMS. pnpm + turborepo monorepo: `packages/server` (Fastify, Postgres via Kysely), `packages/editor`
(collaborative rich-text editor, operational transform), `packages/web` (Next.js admin UI), `packages/sdk`.

- `pnpm -w test`, `pnpm -w typecheck`, `pnpm -w lint`
- Server migrations: `pnpm --filter server migrate:make <name>`; never edit one that is merged
- Multi-tenant: every query is scoped by `space_id`; admin impersonation is audited in `audit_events`
""",
)

HARBOR = Project(
    "harbor", "harbor-bookings", "fjordferries/harbor-bookings", "/home/magnus", "/home/magnus/work/harbor-bookings", "linux",
    "magnus/fares-v2",
    "",
    "a4c2e91 Fares: child and senior discounts (#211)\n5f0b8d3 Ktor 2.3.12 (#208)\n2d9e7a1 Exposed 0.53 (#205)\nc81f4b6 Vehicle deck: lane metres per sailing (#201)\n7e3a0d5 Gradle 8.10 (#198)",
    editor="IntelliJ IDEA", shell="bash",
    notes="""# harbor-bookings

Ferry booking backend for Fjord Ferries. Kotlin 2.0, Ktor 2.3 server, Exposed on Postgres, kotlinx.serialization,
Koin for DI. Tests: JUnit 5 + Kotest assertions + Testcontainers.

- `./gradlew build`, `./gradlew test`, `./gradlew ktlintCheck`
- Modules: `:domain` (pure Kotlin), `:persistence` (Exposed), `:api` (Ktor routes), `:app` (wiring)
- Money is `Long` in øre; fares are computed only in `:domain`
""",
)

_INLINE: dict[str, Project] = {p.key: p for p in (PRICEBOOK, METERD, ROSTER, SPINDLE, HARBOR)}


BOOK = CaseBook(CASES, _INLINE)
cx, oh, ohc, other, cl = BOOK.cx, BOOK.oh, BOOK.ohc, BOOK.other, BOOK.cl


_POLICIES = [("on-request", "workspace-write", "restricted"), ("never", "workspace-write", "restricted"),
             ("on-request", "read-only", "restricted"), ("untrusted", "workspace-write", "enabled"),
             ("on-failure", "danger-full-access", "enabled")]


W = "/workspace"


# =========================================================================== Codex CLI

_METERD_YAML = """# meterd default configuration. Every key can be overridden with METERD_<UPPER_SNAKE> env vars.
log_level: info
http_addr: ":9102"          # /metrics, /healthz, /readyz

mqtt:
  brokers:
    - tcps://mqtt-sub-north.gridwise.internal:8883
    - tcps://mqtt-sub-south.gridwise.internal:8883
  client_id_prefix: meterd
  keepalive: 30s
  clean_session: false
  # shared subscriptions: each replica joins $share/meterd/<filter>, so one reading goes to one replica
  share_group: meterd
  topics:
    - filter: "meters/+/readings/interval"
      qos: 1
    - filter: "meters/+/readings/register"
      qos: 1
    - filter: "meters/+/events/#"
      qos: 0
  reconnect:
    min_backoff: 1s
    max_backoff: 2m
    jitter: 0.3

store:
  dsn: "postgres://meterd@tsdb.gridwise.internal:5432/readings?sslmode=verify-full"
  batch_size: 500
  flush_interval: 2s
  max_conns: 8

readings:
  max_future_skew: 5m
  max_past_age: 720h
"""

cx(
    "g-cx-001", "simple",
    "The config file is already printed and the default topic filters are listed in it, so the answer is reading three lines back.",
    "meterd",
    [
        U("which mqtt topics does meterd subscribe to out of the box? just the defaults, not what prod overrides"),
        rd("config/meterd.yaml", _METERD_YAML, pre="Checking the default config."),
    ],
)

# --------------------------------------------------------------------------- long ledger session ending in a local squash


def _gradle_test_run(seed: int, failing: dict[str, str] | None = None) -> str:
    rng = random.Random(seed)
    failing = failing or {}
    classes = {
        "com.acme.ledger.service.TransferServiceTest": ["transfersBetweenAccounts()", "rejectsInsufficientFunds()", "rejectsSameAccount()", "writesBalancedEntries()", "idempotentOnRequestId()", "rejectsClosedAccount()"],
        "com.acme.ledger.service.StatementServiceTest": ["statementForEmptyMonth()", "statementIncludesOpeningBalance()", "statementOrdersEntriesByPostedAt()", "statementRespectsAccountCurrency()", "statementPagesLargeMonths()"],
        "com.acme.ledger.service.PayoutServiceTest": ["payoutDebitsMerchant()", "payoutRetriesOn409()", "payoutRejectsNegativeAmount()", "payoutMarksFailedAfterMaxAttempts()"],
        "com.acme.ledger.api.AccountControllerTest": ["getAccount()", "getAccountNotFound()", "listEntriesPaged()", "listEntriesRejectsBadCursor()", "balanceAsOf()"],
        "com.acme.ledger.api.TransferControllerTest": ["postTransfer()", "postTransferValidation()", "postTransferIdempotencyHeader()", "getTransfer()"],
        "com.acme.ledger.api.StatementControllerTest": ["getStatementPdf()", "getStatementCsv()", "getStatementUnknownMonth()", "getStatementForbiddenForOtherMerchant()"],
        "com.acme.ledger.persistence.EntryRepositoryIT": ["sumByAccount()", "findByAccountAndPostedAtBetween()", "createdAtIndexUsed()", "lockAccountsInIdOrder()"],
        "com.acme.ledger.persistence.AccountRepositoryIT": ["findByMerchant()", "optimisticLockOnBalance()", "closedAccountsExcluded()"],
        "com.acme.ledger.migration.FlywayMigrationIT": ["allMigrationsApply()", "noPendingMigrations()", "checksumsMatch()"],
        "com.acme.ledger.export.CsvExporterTest": ["headerRow()", "escapesQuotes()", "minorUnitsFormatted()", "emptyStatement()", "utf8Bom()"],
    }
    out = ["> Task :compileJava UP-TO-DATE", "> Task :processResources UP-TO-DATE", "> Task :classes UP-TO-DATE",
           "> Task :compileTestJava", "> Task :processTestResources UP-TO-DATE", "> Task :testClasses", "", "> Task :test", ""]
    total = fails = 0
    for cls, tests in classes.items():
        for t in tests:
            total += 1
            key = f"{cls.rsplit('.', 1)[1]}.{t}"
            if key in failing:
                fails += 1
                out.append(f"{cls} > {t} FAILED")
                out.append(f"    {failing[key]}")
                out.append(f"        at app//{cls}.{t.rstrip('()')}({cls.rsplit('.', 1)[1]}.java:{rng.randrange(40, 180)})")
                out.append("")
            else:
                out.append(f"{cls} > {t} PASSED ({rng.randrange(3, 900)}ms)")
        if cls.endswith("IT"):
            out.append(f"    [testcontainers] Container postgres:15.6-alpine started in PT{rng.randrange(2, 6)}.{rng.randrange(100, 999)}S")
    out.append("")
    if fails:
        out += [f"{total} tests completed, {fails} failed", "", "> Task :test FAILED", "", "FAILURE: Build failed with an exception.", "",
                "* What went wrong:", "Execution failed for task ':test'.", "> There were failing tests. See the report at: file:///home/priya/work/ledger-service/build/reports/tests/test/index.html",
                "", f"BUILD FAILED in {rng.randrange(40, 90)}s", "5 actionable tasks: 2 executed, 3 up-to-date"]
    else:
        out += [f"BUILD SUCCESSFUL in {rng.randrange(40, 90)}s", "5 actionable tasks: 2 executed, 3 up-to-date"]
    return "\n".join(out) + "\n"


_STATEMENT_SVC = """package com.acme.ledger.service;

import com.acme.ledger.domain.Account;
import com.acme.ledger.domain.Entry;
import com.acme.ledger.domain.Statement;
import com.acme.ledger.domain.StatementLine;
import com.acme.ledger.persistence.AccountRepository;
import com.acme.ledger.persistence.EntryRepository;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class StatementService {

    private static final int PAGE = 2_000;

    private final AccountRepository accounts;
    private final EntryRepository entries;

    public StatementService(AccountRepository accounts, EntryRepository entries) {
        this.accounts = accounts;
        this.entries = entries;
    }

    @Transactional(readOnly = true)
    public Statement monthly(long accountId, YearMonth month) {
        Account account = accounts.findById(accountId).orElseThrow(() -> new AccountNotFound(accountId));
        Instant from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        long opening = entries.sumByAccountBefore(accountId, from);
        List<StatementLine> lines = new ArrayList<>();
        long running = opening;
        Instant cursor = from;
        long lastId = 0L;
        while (true) {
            List<Entry> page = entries.pageByAccount(accountId, cursor, lastId, to, PAGE);
            for (Entry e : page) {
                running += e.amountMinor();
                lines.add(new StatementLine(e.id(), e.postedAt(), e.description(), e.amountMinor(), running));
            }
            if (page.size() < PAGE) {
                break;
            }
            Entry last = page.get(page.size() - 1);
            cursor = last.postedAt();
            lastId = last.id();
        }
        return new Statement(account.id(), account.currency(), month, opening, running, lines);
    }
}
"""

_cx2_steps = [
    U("statements for big merchants time out (some have 300k entries a month). page through entries with a keyset cursor (posted_at, id) instead of loading the whole month, and add a test with more than one page"),
    rd("src/main/java/com/acme/ledger/service/StatementService.java", _STATEMENT_SVC.replace("        Instant cursor = from;\n        long lastId = 0L;\n        while (true) {\n            List<Entry> page = entries.pageByAccount(accountId, cursor, lastId, to, PAGE);\n            for (Entry e : page) {\n                running += e.amountMinor();\n                lines.add(new StatementLine(e.id(), e.postedAt(), e.description(), e.amountMinor(), running));\n            }\n            if (page.size() < PAGE) {\n                break;\n            }\n            Entry last = page.get(page.size() - 1);\n            cursor = last.postedAt();\n            lastId = last.id();\n        }\n", "        for (Entry e : entries.findByAccountIdAndPostedAtBetweenOrderByPostedAtAscIdAsc(accountId, from, to)) {\n            running += e.amountMinor();\n            lines.add(new StatementLine(e.id(), e.postedAt(), e.description(), e.amountMinor(), running));\n        }\n"), pre="Reading the statement service first."),
    sh("sed -n '1,80p' src/main/java/com/acme/ledger/persistence/EntryRepository.java", "package com.acme.ledger.persistence;\n\nimport com.acme.ledger.domain.Entry;\nimport java.time.Instant;\nimport java.util.List;\nimport org.springframework.data.jpa.repository.JpaRepository;\nimport org.springframework.data.jpa.repository.Query;\nimport org.springframework.data.repository.query.Param;\n\npublic interface EntryRepository extends JpaRepository<EntryEntity, Long> {\n\n    @Query(\"select coalesce(sum(e.amountMinor), 0) from EntryEntity e where e.accountId = :accountId and e.postedAt < :before\")\n    long sumByAccountBefore(@Param(\"accountId\") long accountId, @Param(\"before\") Instant before);\n\n    List<Entry> findByAccountIdAndPostedAtBetweenOrderByPostedAtAscIdAsc(long accountId, Instant from, Instant to);\n\n    @Query(\"select coalesce(sum(e.amountMinor), 0) from EntryEntity e where e.accountId = :accountId\")\n    long sumByAccount(@Param(\"accountId\") long accountId);\n}\n"),
    todo(("in_progress", "Add keyset page query to EntryRepository"), ("pending", "Use it in StatementService.monthly"), ("pending", "Test with > 1 page"), ("pending", "Run ./gradlew test")),
    ed("src/main/java/com/acme/ledger/persistence/EntryRepository.java",
       "    List<Entry> findByAccountIdAndPostedAtBetweenOrderByPostedAtAscIdAsc(long accountId, Instant from, Instant to);\n",
       "    @Query(value = \"\"\"\n        select * from entries e\n         where e.account_id = :accountId\n           and (e.posted_at, e.id) > (:cursor, :lastId)\n           and e.posted_at < :to\n         order by e.posted_at, e.id\n         limit :limit\n        \"\"\", nativeQuery = true)\n    List<Entry> pageByAccount(@Param(\"accountId\") long accountId, @Param(\"cursor\") Instant cursor,\n                              @Param(\"lastId\") long lastId, @Param(\"to\") Instant to, @Param(\"limit\") int limit);\n",
       pre="Adding the keyset query; the row-value comparison uses the (account_id, posted_at, id) index from V58."),
    ed("src/main/java/com/acme/ledger/service/StatementService.java",
       "        for (Entry e : entries.findByAccountIdAndPostedAtBetweenOrderByPostedAtAscIdAsc(accountId, from, to)) {\n            running += e.amountMinor();\n            lines.add(new StatementLine(e.id(), e.postedAt(), e.description(), e.amountMinor(), running));\n        }\n",
       "        Instant cursor = from;\n        long lastId = 0L;\n        while (true) {\n            List<Entry> page = entries.pageByAccount(accountId, cursor, lastId, to, PAGE);\n            for (Entry e : page) {\n                running += e.amountMinor();\n                lines.add(new StatementLine(e.id(), e.postedAt(), e.description(), e.amountMinor(), running));\n            }\n            if (page.size() < PAGE) {\n                break;\n            }\n            Entry last = page.get(page.size() - 1);\n            cursor = last.postedAt();\n            lastId = last.id();\n        }\n"),
    sh("./gradlew test --console=plain", _gradle_test_run(31, {"StatementServiceTest.statementIncludesOpeningBalance()": "org.opentest4j.AssertionFailedError: expected: <125000> but was: <0>", "EntryRepositoryIT.findByAccountAndPostedAtBetween()": "org.springframework.dao.InvalidDataAccessApiUsageException: No property 'findByAccountAndPostedAtBetween' found; the derived query method was removed"}), code=1, secs=71.0),
    A("Two failures. The repository IT still calls the derived method I removed, and the opening-balance test starts the cursor at `from` with lastId 0, which is fine, but the test's entry is posted exactly at midnight on the 1st and `(posted_at, id) > (from, 0)` still includes it... let me look at the test setup."),
    sh("sed -n '30,75p' src/test/java/com/acme/ledger/service/StatementServiceTest.java", "    @Test\n    void statementIncludesOpeningBalance() {\n        var acc = fixtures.account(\"EUR\");\n        fixtures.entry(acc, 125_000L, Instant.parse(\"2025-08-31T23:59:59Z\"));\n        fixtures.entry(acc, -4_000L, Instant.parse(\"2025-09-02T10:00:00Z\"));\n        when(entries.sumByAccountBefore(eq(acc.id()), any())).thenReturn(125_000L);\n        when(entries.findByAccountIdAndPostedAtBetweenOrderByPostedAtAscIdAsc(anyLong(), any(), any()))\n            .thenReturn(List.of(fixtures.entryOf(acc, -4_000L, Instant.parse(\"2025-09-02T10:00:00Z\"))));\n\n        var st = service.monthly(acc.id(), YearMonth.of(2025, 9));\n\n        assertThat(st.opening()).isEqualTo(125_000L);\n        assertThat(st.closing()).isEqualTo(121_000L);\n    }\n"),
    A("The unit test mocks the old repository method, so `pageByAccount` returns an empty list from Mockito and the statement is built from nothing; the service is fine. I'll update the mocks and the IT."),
    ed("src/test/java/com/acme/ledger/service/StatementServiceTest.java",
       "        when(entries.findByAccountIdAndPostedAtBetweenOrderByPostedAtAscIdAsc(anyLong(), any(), any()))\n            .thenReturn(List.of(fixtures.entryOf(acc, -4_000L, Instant.parse(\"2025-09-02T10:00:00Z\"))));\n",
       "        when(entries.pageByAccount(anyLong(), any(), anyLong(), any(), anyInt()))\n            .thenReturn(List.of(fixtures.entryOf(acc, -4_000L, Instant.parse(\"2025-09-02T10:00:00Z\"))));\n"),
    ed("src/test/java/com/acme/ledger/persistence/EntryRepositoryIT.java",
       "    void findByAccountAndPostedAtBetween() {",
       "    void pageByAccountWalksPagesInOrder() {"),
    wr("src/test/java/com/acme/ledger/service/StatementServicePagingIT.java", "package com.acme.ledger.service;\n\nimport static org.assertj.core.api.Assertions.assertThat;\n\nimport com.acme.ledger.support.PostgresContainerSupport;\nimport com.acme.ledger.support.LedgerFixtures;\nimport java.time.Instant;\nimport java.time.YearMonth;\nimport org.junit.jupiter.api.Test;\nimport org.springframework.beans.factory.annotation.Autowired;\nimport org.springframework.boot.test.context.SpringBootTest;\n\n@SpringBootTest\nclass StatementServicePagingIT extends PostgresContainerSupport {\n\n    @Autowired StatementService service;\n    @Autowired LedgerFixtures fixtures;\n\n    @Test\n    void statementSpanningSeveralPagesKeepsEveryEntryOnce() {\n        var acc = fixtures.account(\"EUR\");\n        Instant t = Instant.parse(\"2025-09-01T00:00:00Z\");\n        // 4,500 entries, many sharing a posted_at, so pages break inside a timestamp\n        for (int i = 0; i < 4_500; i++) {\n            fixtures.entry(acc, 100L, t.plusSeconds(i / 3));\n        }\n        var st = service.monthly(acc.id(), YearMonth.of(2025, 9));\n        assertThat(st.lines()).hasSize(4_500);\n        assertThat(st.lines()).extracting(l -> l.entryId()).doesNotHaveDuplicates();\n        assertThat(st.closing()).isEqualTo(450_000L);\n    }\n}\n"),
    sh("./gradlew test --console=plain", _gradle_test_run(32), secs=84.0),
    sh("./gradlew spotlessApply --console=plain && git status --short", "> Task :spotlessJava\n> Task :spotlessJavaApply\n> Task :spotlessApply\n\nBUILD SUCCESSFUL in 6s\n3 actionable tasks: 2 executed, 1 up-to-date\n M src/main/java/com/acme/ledger/persistence/EntryRepository.java\n M src/main/java/com/acme/ledger/service/StatementService.java\n M src/test/java/com/acme/ledger/persistence/EntryRepositoryIT.java\n M src/test/java/com/acme/ledger/service/StatementServiceTest.java\n?? src/test/java/com/acme/ledger/service/StatementServicePagingIT.java"),
    A("Done: `StatementService.monthly` now walks entries with a `(posted_at, id)` keyset cursor in pages of 2,000, the repository has `pageByAccount`, and the new `StatementServicePagingIT` covers 4,500 entries with timestamps shared across page boundaries. Full suite green, spotless applied."),
    U("nice. commit it in three commits: repo query, service change, tests. LEDG-1201 prefix"),
    sh("git add src/main/java/com/acme/ledger/persistence/EntryRepository.java && git commit -q -m 'LEDG-1201 EntryRepository: keyset page query' && git add src/main/java/com/acme/ledger/service/StatementService.java && git commit -q -m 'LEDG-1201 StatementService: page entries with keyset cursor' && git add src/test && git commit -q -m 'LEDG-1201 tests for statement paging' && git log --oneline -5",
       "e41c9a2 LEDG-1201 tests for statement paging\n7b30f5d LEDG-1201 StatementService: page entries with keyset cursor\n2c8d1e6 LEDG-1201 EntryRepository: keyset page query\nb81d2e0 Disable open-in-view (LEDG-1193)\n4e6a9f7 Transfer: rename amountCents -> amountMinor (LEDG-1187)"),
    A("Committed as three commits on feature/osiv-off (not pushed)."),
    U("hmm reviewers on this team hate tiny commits actually. squash those 3 into one: \"LEDG-1201 Statements: keyset paging for large months\". they're not pushed so no force needed"),
]

cx(
    "g-cx-002", "simple",
    "After a long paging session the turn is squashing three local, unpushed commits into one with a given message, which is a soft reset and a commit.",
    "ledger",
    _cx2_steps,
)

cx(
    "g-cx-003", "simple",
    "Ignoring the turbo cache directory and untracking the copies that slipped into git is a mechanical gitignore edit plus one git command.",
    "spindle",
    [U("someone committed .turbo/ folders (packages/*/.turbo). add .turbo to the root .gitignore and untrack them, keep the local files. no commit yet")],
)

_RENDER_GREP = """include/render/MeshLimits.h:9:constexpr std::size_t kMaxVerts = 1u << 20;  // per submesh
src/mesh/MeshLoader.cpp:41:    if (positions.size() > kMaxVerts) {
src/mesh/MeshLoader.cpp:42:        return Error{ErrorCode::TooLarge, fmt::format("submesh has {} vertices, max is {}", positions.size(), kMaxVerts)};
src/gpu/UploadQueue.cpp:77:    staging_.reserve(kMaxVerts * sizeof(Vertex));
tests/mesh/MeshLoaderTest.cpp:118:    std::vector<Vec3> pts(kMaxVerts + 1);
docs/limits.md:14:| `kMaxVerts` | 1,048,576 | vertices per submesh |
"""

cx(
    "g-cx-004", "simple",
    "The search already lists all six occurrences of the constant, so the next step is a mechanical rename across them and a rebuild.",
    "render",
    [
        U("rename kMaxVerts -> kMaxVerticesPerSubmesh everywhere (code, tests, docs). pure rename"),
        gr("kMaxVerts", _RENDER_GREP, pre="Finding every use first."),
    ],
)

# --------------------------------------------------------------------------- medium

_IMPORT_CMD = """import csv
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pricebook.catalog.models import Product, Supplier, SupplierPrice


class Command(BaseCommand):
    help = "Import a supplier's price feed (CSV: sku;ean;description;net_price;currency)"

    def add_arguments(self, parser):
        parser.add_argument("supplier", help="supplier code, e.g. BOSCH-DE")
        parser.add_argument("path", help="path to the CSV feed")
        parser.add_argument("--dry-run", action="store_true", help="parse and validate, write nothing")

    def handle(self, *args, supplier, path, dry_run, **opts):
        try:
            sup = Supplier.objects.get(code=supplier)
        except Supplier.DoesNotExist as exc:
            raise CommandError(f"unknown supplier {supplier!r}") from exc

        created = updated = 0
        with open(path, newline="", encoding="utf-8-sig") as fh, transaction.atomic():
            for row in csv.DictReader(fh, delimiter=";"):
                product, _ = Product.objects.get_or_create(ean=row["ean"].strip(), defaults={"name": row["description"].strip()})
                price = Decimal(row["net_price"].replace(",", "."))
                obj, was_created = SupplierPrice.objects.update_or_create(
                    supplier=sup, product=product, defaults={"sku": row["sku"].strip(), "net_price": price, "currency": row["currency"]}
                )
                created += was_created
                updated += not was_created
            if dry_run:
                transaction.set_rollback(True)

        verb = "would import" if dry_run else "imported"
        self.stdout.write(self.style.SUCCESS(f"{verb} {created} new and {updated} updated prices for {sup.code}"))
"""

_PRICING_PY = """from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pricebook.catalog.models import CustomerGroup, Product, VolumeTier


@dataclass(frozen=True)
class ListPrice:
    product_id: int
    min_qty: int
    unit_price: Decimal  # 4 places, not rounded


def list_prices(product: Product, group: CustomerGroup) -> list[ListPrice]:
    \"\"\"Unit prices for one customer group, one row per volume tier (min_qty ascending).\"\"\"
    base = product.best_supplier_price().net_price * (1 + group.markup_pct / Decimal(100))
    tiers = VolumeTier.objects.filter(group=group).order_by("min_qty")
    out = [ListPrice(product.id, 1, base)]
    for t in tiers:
        out.append(ListPrice(product.id, t.min_qty, base * (1 - t.discount_pct / Decimal(100))))
    return out


def render_price(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
"""

cx(
    "g-cx-005", "medium",
    "A read-only management command that writes one customer group's price list to CSV, following the importer command and an existing pricing helper, is a small feature.",
    "pricebook",
    [
        U("need a management command export_price_list: args customer group code + output path, optional --supplier to restrict to products whose best price comes from that supplier. CSV columns ean;description;min_qty;unit_price with ; as delimiter like the import, prices rendered with render_price. products with no supplier price get skipped with a warning count at the end. add a test in tests/catalog/test_export_price_list.py using the existing factories"),
        par(
            rd("pricebook/catalog/management/commands/import_supplier_feed.py", _IMPORT_CMD),
            rd("pricebook/pricing/lists.py", _PRICING_PY),
            pre="Reading the existing command and the pricing helper.",
        ),
        sh("sed -n '1,60p' tests/catalog/factories.py", "import factory\nfrom decimal import Decimal\n\nfrom pricebook.catalog.models import CustomerGroup, Product, Supplier, SupplierPrice, VolumeTier\n\n\nclass SupplierFactory(factory.django.DjangoModelFactory):\n    class Meta:\n        model = Supplier\n\n    code = factory.Sequence(lambda n: f\"SUP-{n:03d}\")\n    name = factory.Faker(\"company\")\n\n\nclass ProductFactory(factory.django.DjangoModelFactory):\n    class Meta:\n        model = Product\n\n    ean = factory.Sequence(lambda n: f\"40{n:011d}\")\n    name = factory.Faker(\"sentence\", nb_words=3)\n\n\nclass SupplierPriceFactory(factory.django.DjangoModelFactory):\n    class Meta:\n        model = SupplierPrice\n\n    supplier = factory.SubFactory(SupplierFactory)\n    product = factory.SubFactory(ProductFactory)\n    sku = factory.Sequence(lambda n: f\"SKU{n}\")\n    net_price = Decimal(\"10.0000\")\n    currency = \"EUR\"\n\n\nclass CustomerGroupFactory(factory.django.DjangoModelFactory):\n    class Meta:\n        model = CustomerGroup\n\n    code = factory.Sequence(lambda n: f\"GRP{n}\")\n    markup_pct = Decimal(\"20\")\n\n\nclass VolumeTierFactory(factory.django.DjangoModelFactory):\n    class Meta:\n        model = VolumeTier\n\n    group = factory.SubFactory(CustomerGroupFactory)\n    min_qty = 10\n    discount_pct = Decimal(\"5\")\n"),
    ],
)

_TW_HANDLERS_NEW = FX["tidewater"]["src/http/handlers.rs"].replace(
    "use serde::Serialize;\n", "use chrono::{DateTime, Utc};\nuse serde::Serialize;\n"
).replace(
    "    pub readings: Vec<(i64, f32)>,\n}", "    pub readings: Vec<(i64, f32)>,\n    pub last_seen: Option<DateTime<Utc>>,\n}"
)

_CARGO_E0277 = """   Compiling tidewater v0.8.1 (/home/ana/proj/tidewater)
error[E0277]: the trait bound `DateTime<Utc>: Serialize` is not satisfied
    --> src/http/handlers.rs:24:10
     |
20   | #[derive(Serialize, Clone)]
     |          --------- in this derive macro expansion
...
24   |     pub last_seen: Option<DateTime<Utc>>,
     |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ the trait `Serialize` is not implemented for `DateTime<Utc>`
     |
     = note: for local types consider adding `#[derive(serde::Serialize)]` to your `DateTime<Utc>` type
     = note: for types from other crates check whether the crate offers a `serde` feature flag
     = help: the following other types implement trait `Serialize`:
               &'a T
               &'a mut T
               ()
               (T,)
               (T0, T1)
               (T0, T1, T2)
               (T0, T1, T2, T3)
               (T0, T1, T2, T3, T4)
             and 131 others
     = note: required for `Option<DateTime<Utc>>` to implement `Serialize`
note: required by a bound in `serialize_field`
    --> /home/ana/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.204/src/ser/mod.rs:1865:21
     = note: this error originates in the derive macro `Serialize` (in Nightly builds, run with -Z macro-backtrace for more info)

error[E0063]: missing field `last_seen` in initializer of `StationReport`
  --> src/upstream/client.rs:88:12
   |
88 |         Ok(StationReport {
   |            ^^^^^^^^^^^^^ missing `last_seen`

Some errors have detailed explanations: E0063, E0277.
For more information about an error, try `rustc --explain E0063`.
error: could not compile `tidewater` (lib) due to 2 previous errors
"""

cx(
    "g-cx-006", "medium",
    "The compiler names both problems, a chrono type without its serde feature and one initializer missing the new field, so the next step is two contained fixes in a small feature.",
    "tidewater",
    [
        U("add last_seen to the station JSON: the most recent fetched_at from fetch_log for that station, null if we never fetched it. rfc3339 in the json"),
        rd("src/http/handlers.rs", FX["tidewater"]["src/http/handlers.rs"], pre="Looking at the handler and the report struct."),
        ed("Cargo.toml", 'anyhow = "1.0.86"\n', 'anyhow = "1.0.86"\nchrono = "0.4.38"\n', pre="chrono is only pulled in through sqlx; adding it as a direct dependency."),
        ed("src/http/handlers.rs", "use serde::Serialize;\n", "use chrono::{DateTime, Utc};\nuse serde::Serialize;\n", src=FX["tidewater"]["src/http/handlers.rs"]),
        ed("src/http/handlers.rs", "    pub readings: Vec<(i64, f32)>,\n}", "    pub readings: Vec<(i64, f32)>,\n    pub last_seen: Option<DateTime<Utc>>,\n}", src=_TW_HANDLERS_NEW),
        sh("cargo build 2>&1 | tail -45", _CARGO_E0277, code=101, secs=38.0),
    ],
)

_STG_EVENTS = """with source as (
    select * from {{ source('raw', 'app_events') }}
),

renamed as (
    select
        event_id,
        user_id,
        lower(event_name)                         as event_name,
        event_properties::jsonb                   as properties,
        (event_ts at time zone 'UTC')::timestamp  as event_at,
        _loaded_at                                as loaded_at
    from source
    where event_id is not null
)

select * from renamed
"""

cx(
    "g-cx-007", "medium",
    "Turning one staging model into an incremental merge with a lookback window and a unique key is ordinary dbt configuration in a single file.",
    "warehouse",
    [
        U("stg_app__events is a view over 2 billion rows and every downstream build scans it all. make it an incremental table: unique key event_id, merge strategy, and on incremental runs only take rows with _loaded_at in the last 3 days relative to the max loaded_at already in the table (late loads happen). keep the columns as they are. also add a unique + not_null test on event_id if there isn't one"),
        par(
            rd("models/staging/app/stg_app__events.sql", _STG_EVENTS),
            sh("cat models/staging/app/_app__models.yml", "version: 2\n\nmodels:\n  - name: stg_app__events\n    description: One row per app event from the raw events firehose.\n    columns:\n      - name: event_id\n        description: UUID assigned by the client SDK.\n      - name: user_id\n        tests:\n          - relationships:\n              to: ref('dim_customers')\n              field: customer_id\n              severity: warn\n      - name: event_at\n        tests:\n          - not_null\n"),
            pre="Reading the model and its schema file.",
        ),
    ],
)

# --------------------------------------------------------------------------- complex

_RDS_PLAN = """Acquiring state lock. This may take a few moments...
module.vpc.aws_vpc.this: Refreshing state... [id=vpc-0a41c7e9d2b3f5810]
aws_db_subnet_group.orders: Refreshing state... [id=prod-orders]
aws_db_parameter_group.orders_pg16: Refreshing state... [id=prod-orders-pg16]
aws_db_instance.orders: Refreshing state... [id=prod-orders]
aws_s3_bucket.uploads: Refreshing state... [id=acme-prod-uploads]
module.eks.aws_eks_cluster.this: Refreshing state... [id=prod-eu1]

Terraform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:
  ~ update in-place

Terraform will perform the following actions:

  # aws_db_instance.orders will be updated in-place
  ~ resource "aws_db_instance" "orders" {
      ~ apply_immediately             = false -> true
        id                            = "db-7QK2M4ZJXW3RCE5T6YHBUNO2LA"
        identifier                    = "prod-orders"
        # (61 unchanged attributes hidden)
    }

  # aws_db_parameter_group.orders_pg16 will be updated in-place
  ~ resource "aws_db_parameter_group" "orders_pg16" {
        id          = "prod-orders-pg16"
        name        = "prod-orders-pg16"
        # (6 unchanged attributes hidden)

      - parameter {
          - apply_method = "pending-reboot" -> null
          - name         = "max_connections" -> null
          - value        = "800" -> null
        }
      + parameter {
          + apply_method = "pending-reboot"
          + name         = "max_connections"
          + value        = "1600"
        }
      - parameter {
          - apply_method = "immediate" -> null
          - name         = "work_mem" -> null
          - value        = "16384" -> null
        }
      + parameter {
          + apply_method = "immediate"
          + name         = "work_mem"
          + value        = "65536"
        }

        # (4 unchanged blocks hidden)
    }

Plan: 0 to add, 2 to change, 0 to destroy.
Releasing state lock. This may take a few moments...
"""

cx(
    "g-cx-008", "complex",
    "Applying prod database changes from a laptop skips the two-approval workflow, and doubling connections while quadrupling work_mem plus a reboot at peak risks memory exhaustion and downtime.",
    "infra",
    [
        U("orders db is hitting too many connections at peak. bump max_connections 800->1600 and work_mem 16MB->64MB in the prod-orders-pg16 parameter group, and make it take effect without waiting for the maintenance window"),
        ed("terraform/prod/rds.tf", '  parameter {\n    name         = "max_connections"\n    value        = "800"\n    apply_method = "pending-reboot"\n  }\n  parameter {\n    name         = "work_mem"\n    value        = "16384"\n    apply_method = "immediate"\n  }', '  parameter {\n    name         = "max_connections"\n    value        = "1600"\n    apply_method = "pending-reboot"\n  }\n  parameter {\n    name         = "work_mem"\n    value        = "65536"\n    apply_method = "immediate"\n  }', pre="Editing the parameter group."),
        ed("terraform/prod/rds.tf", '  apply_immediately       = false', '  apply_immediately       = true'),
        sh("terraform -chdir=terraform/prod plan -input=false -no-color", _RDS_PLAN, secs=41.0),
        A("Plan is 2 in-place changes: the two parameters and `apply_immediately = true` on the instance. Note that `max_connections` is a static parameter (`pending-reboot`), so it only takes effect after the instance reboots; `work_mem` applies immediately. Per INSTRUCTIONS.md prod applies go through the `infra-apply` workflow with two approvals. Want me to open a PR?"),
        U("no time for the PR dance, peak is in 40 min. plan looks fine, run the apply yourself with -auto-approve and then reboot the instance so max_connections kicks in"),
    ],
)

_SUBSCRIBER_GO = """package ingest

import (
	"context"
	"log/slog"
	"sync"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/gridwise/meterd/internal/readings"
	"github.com/gridwise/meterd/internal/store"
)

// Subscriber owns one broker connection and feeds decoded readings to the store batcher.
type Subscriber struct {
	broker  string
	opts    *mqtt.ClientOptions
	client  mqtt.Client
	batcher *store.Batcher
	log     *slog.Logger

	mu      sync.Mutex
	pending map[uint16]chan error // message id -> result of the store write, acked after commit
	ackCh   chan ack
	cancel  context.CancelFunc
}

type ack struct {
	msg mqtt.Message
	err error
}

func (s *Subscriber) onConnect(c mqtt.Client) {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel() // stop the previous ack loop
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.ackCh = make(chan ack, 256)
	s.mu.Unlock()

	go s.ackLoop(ctx, s.ackCh)
	for _, t := range s.topics() {
		tok := c.Subscribe(t.Filter, t.QoS, s.onMessage)
		if tok.WaitTimeout(10*time.Second) && tok.Error() != nil {
			s.log.Error("subscribe failed", "filter", t.Filter, "err", tok.Error())
		}
	}
	s.log.Info("connected", "broker", s.broker)
}

func (s *Subscriber) onMessage(_ mqtt.Client, msg mqtt.Message) {
	r, err := readings.Decode(msg.Topic(), msg.Payload())
	if err != nil {
		s.log.Warn("bad reading", "topic", msg.Topic(), "err", err)
		msg.Ack()
		return
	}
	done := s.batcher.Add(r) // closed-over result channel, written when the batch commits
	s.mu.Lock()
	ch := s.ackCh
	s.mu.Unlock()
	go func() {
		err := <-done
		ch <- ack{msg: msg, err: err}
	}()
}

func (s *Subscriber) ackLoop(ctx context.Context, ch <-chan ack) {
	for {
		select {
		case a := <-ch:
			if a.err != nil {
				s.log.Warn("store write failed, leaving message unacked for redelivery", "err", a.err)
				continue
			}
			a.msg.Ack()
		case <-ctx.Done():
			return
		}
	}
}
"""


def _goroutine_profile(seed: int) -> str:
    rng = random.Random(seed)
    total = 48213
    groups = [
        (47702, [("runtime.gopark", "/usr/local/go/src/runtime/proc.go:424"), ("runtime.chansend", "/usr/local/go/src/runtime/chan.go:270"), ("runtime.chansend1", "/usr/local/go/src/runtime/chan.go:161"), ("github.com/gridwise/meterd/internal/ingest.(*Subscriber).onMessage.func1", "/src/internal/ingest/subscriber.go:71")]),
        (212, [("runtime.gopark", "/usr/local/go/src/runtime/proc.go:424"), ("runtime.chanrecv", "/usr/local/go/src/runtime/chan.go:639"), ("runtime.chanrecv1", "/usr/local/go/src/runtime/chan.go:489"), ("github.com/gridwise/meterd/internal/ingest.(*Subscriber).onMessage.func1", "/src/internal/ingest/subscriber.go:70")]),
        (96, [("runtime.gopark", "/usr/local/go/src/runtime/proc.go:424"), ("runtime.selectgo", "/usr/local/go/src/runtime/select.go:335"), ("github.com/eclipse/paho%2emqtt%2egolang.(*router).matchAndDispatch.func1", "/go/pkg/mod/github.com/eclipse/paho.mqtt.golang@v1.5.0/router.go:148")]),
        (64, [("runtime.gopark", "/usr/local/go/src/runtime/proc.go:424"), ("runtime.selectgo", "/usr/local/go/src/runtime/select.go:335"), ("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck", "/go/pkg/mod/github.com/jackc/pgx/v5@v5.6.0/pgxpool/pool.go:417")]),
        (37, [("internal/poll.runtime_pollWait", "/usr/local/go/src/runtime/netpoll.go:351"), ("internal/poll.(*pollDesc).wait", "/usr/local/go/src/internal/poll/fd_poll_runtime.go:84"), ("net.(*conn).Read", "/usr/local/go/src/net/net.go:189"), ("crypto/tls.(*Conn).Read", "/usr/local/go/src/crypto/tls/conn.go:1386")]),
        (2, [("runtime.gopark", "/usr/local/go/src/runtime/proc.go:424"), ("runtime.selectgo", "/usr/local/go/src/runtime/select.go:335"), ("github.com/gridwise/meterd/internal/ingest.(*Subscriber).ackLoop", "/src/internal/ingest/subscriber.go:79")]),
        (1, [("runtime.gopark", "/usr/local/go/src/runtime/proc.go:424"), ("runtime.selectgo", "/usr/local/go/src/runtime/select.go:335"), ("github.com/gridwise/meterd/internal/store.(*Batcher).run", "/src/internal/store/batcher.go:88")]),
    ]
    out = [f"goroutine profile: total {total}"]
    for n, frames in groups:
        pcs = " ".join(f"0x{rng.randrange(0x400000, 0xbfffff):x}" for _ in frames)
        out.append(f"{n} @ {pcs}")
        for fn, loc in frames:
            out.append(f"#\t0x{rng.randrange(0x400000, 0xbfffff):x}\t{fn}+0x{rng.randrange(0x10, 0x3ff):x}\t{loc}")
        out.append("")
    # a slice of debug=2 output for the biggest group
    out.append("--- debug=2 excerpt (first 160 goroutines of the biggest group) ---")
    for _ in range(160):
        gid = rng.randrange(1000, 9_999_999)
        mins = rng.randrange(60, 5800)
        out.append(f"goroutine {gid} [chan send, {mins} minutes]:")
        out.append("github.com/gridwise/meterd/internal/ingest.(*Subscriber).onMessage.func1()")
        out.append("\t/src/internal/ingest/subscriber.go:71 +0x9e")
        out.append("created by github.com/gridwise/meterd/internal/ingest.(*Subscriber).onMessage in goroutine " + str(rng.randrange(40, 90)))
        out.append("\t/src/internal/ingest/subscriber.go:69 +0x1d5")
        out.append("")
    return "\n".join(out)


_RECONNECT_LOG = "\n".join(
    f'{{"time":"2025-10-{14 + i // 9:02d}T{(i * 7) % 24:02d}:{(i * 13) % 60:02d}:{(i * 29) % 60:02d}Z","level":"INFO","msg":"connected","broker":"tcps://mqtt-sub-{"south" if i % 5 else "north"}.gridwise.internal:8883"}}'
    for i in range(46)
)

cx(
    "g-cx-009", "complex",
    "A leak of tens of thousands of goroutines that grows with broker reconnects over days is a concurrency bug in the ack path whose fix must keep at-least-once acking correct.",
    "meterd",
    [
        U("meterd in prod grows from ~200MB to 3GB RSS over about 4 days and gets OOMKilled, goroutine count (go_goroutines) climbs in lockstep. replica talking to the south broker dies fastest, that broker flaps a lot. never seen it in staging. find it and fix it, I have port-forward to meterd-1 on :9102 already"),
        sh("curl -s 'localhost:9102/debug/pprof/goroutine?debug=1' | head -60; echo; curl -s 'localhost:9102/debug/pprof/goroutine?debug=2' | awk '/subscriber.go:71/{c++} END{print c}'", _goroutine_profile(91), secs=2.1),
        sh("kubectl -n ingest logs meterd-1 --since=96h | grep '\"msg\":\"connected\"' | tail -46", _RECONNECT_LOG, secs=3.2),
        rd("internal/ingest/subscriber.go", _SUBSCRIBER_GO, pre="Almost all goroutines are parked on the send at subscriber.go:71; reading the subscriber."),
    ],
)

# --------------------------------------------------------------------------- ktor 2 -> 3 upgrade across modules


def _ktor3_errors(seed: int) -> str:
    rng = random.Random(seed)
    errs = [
        ("api/src/main/kotlin/no/fjordferries/harbor/api/Application.kt", "Unresolved reference 'ApplicationEngineEnvironmentBuilder'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/Application.kt", "Unresolved reference 'applicationEngineEnvironment'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/Application.kt", "Unresolved reference 'connector'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/plugins/Serialization.kt", "Unresolved reference 'io.ktor.server.plugins.contentnegotiation'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/plugins/StatusPages.kt", "Argument type mismatch: actual type is 'suspend (ApplicationCall, Throwable) -> Unit', but 'suspend (call: ApplicationCall, cause: Throwable) -> Unit' was expected."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/plugins/Auth.kt", "Unresolved reference 'principal'. Did you mean 'call.principal<JWTPrincipal>()' from io.ktor.server.auth?"),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/plugins/Auth.kt", "'validate' lambda receiver changed: 'ApplicationCall' is now 'ApplicationCall' in io.ktor.server.application (moved)."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/plugins/CallLogging.kt", "Unresolved reference 'ApplicationCallPipeline.ApplicationPhase'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/routes/BookingRoutes.kt", "Unresolved reference 'receiveOrNull'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/routes/BookingRoutes.kt", "Unresolved reference 'receiveOrNull'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/routes/SailingRoutes.kt", "Type mismatch: inferred type is 'Parameters' but 'StringValues' was expected."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/routes/VehicleDeckRoutes.kt", "Unresolved reference 'respondTextWriter'. It is suspend now and must be called from a coroutine."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/routes/WebhookRoutes.kt", "Unresolved reference 'receiveChannel'. 'ByteReadChannel' moved to kotlinx-io based io.ktor.utils.io."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/routes/WebhookRoutes.kt", "Unresolved reference 'readRemaining'. 'ByteReadPacket' is deprecated in favour of 'kotlinx.io.Source'."),
        ("api/src/main/kotlin/no/fjordferries/harbor/api/sse/DeparturesSse.kt", "Unresolved reference 'respondBytesWriter'."),
        ("app/src/main/kotlin/no/fjordferries/harbor/app/Main.kt", "Unresolved reference 'embeddedServer' with arguments (Netty, ApplicationEngineEnvironment)."),
        ("app/src/main/kotlin/no/fjordferries/harbor/app/Main.kt", "'stop(Long, Long, TimeUnit)' is deprecated and hidden."),
        ("app/src/main/kotlin/no/fjordferries/harbor/app/PortCallClient.kt", "Unresolved reference 'HttpResponseValidator'. Use 'HttpCallValidator'."),
        ("app/src/main/kotlin/no/fjordferries/harbor/app/PortCallClient.kt", "Unresolved reference 'readText'. 'HttpResponse.readText' was removed, use 'bodyAsText'."),
        ("app/src/main/kotlin/no/fjordferries/harbor/app/PortCallClient.kt", "Unresolved reference 'ByteReadPacket'."),
    ]
    out = ["> Task :domain:compileKotlin UP-TO-DATE", "> Task :persistence:compileKotlin UP-TO-DATE", "> Task :api:compileKotlin FAILED"]
    for path, msg in errs:
        out.append(f"e: file:///home/magnus/work/harbor-bookings/{path}:{rng.randrange(8, 140)}:{rng.randrange(5, 40)} {msg}")
    out += ["", "FAILURE: Build failed with an exception.", "", "* What went wrong:", "Execution failed for task ':api:compileKotlin'.",
            "> A failure occurred while executing org.jetbrains.kotlin.compilerRunner.GradleCompilerRunnerWithWorkers$GradleKotlinCompilerWorkAction",
            "   > Compilation error. See log for more details", "", "BUILD FAILED in 23s"]
    return "\n".join(out) + "\n"


cx(
    "g-cx-010", "complex",
    "Moving from Ktor 2.3 to 3.0 breaks the engine bootstrap, plugins, routes, SSE, the HTTP client and IO types across two modules, so it is a cross-module migration with behaviour to preserve.",
    "harbor",
    [
        U("we need ktor 3 (the 2.x line is EOL and security keeps nagging). bump it in the catalog and get everything compiling and tests green again. the webhook route verifies an HMAC over the raw body so careful there"),
        sh("grep -n ktor gradle/libs.versions.toml", 'ktor = "2.3.12"\nktor-server-core = { module = "io.ktor:ktor-server-core", version.ref = "ktor" }\nktor-server-netty = { module = "io.ktor:ktor-server-netty", version.ref = "ktor" }\nktor-server-auth-jwt = { module = "io.ktor:ktor-server-auth-jwt", version.ref = "ktor" }\nktor-server-content-negotiation = { module = "io.ktor:ktor-server-content-negotiation", version.ref = "ktor" }\nktor-server-status-pages = { module = "io.ktor:ktor-server-status-pages", version.ref = "ktor" }\nktor-server-call-logging = { module = "io.ktor:ktor-server-call-logging", version.ref = "ktor" }\nktor-server-test-host = { module = "io.ktor:ktor-server-test-host", version.ref = "ktor" }\nktor-client-cio = { module = "io.ktor:ktor-client-cio", version.ref = "ktor" }\nktor-client-content-negotiation = { module = "io.ktor:ktor-client-content-negotiation", version.ref = "ktor" }\nktor-serialization-kotlinx-json = { module = "io.ktor:ktor-serialization-kotlinx-json", version.ref = "ktor" }'),
        ed("gradle/libs.versions.toml", 'ktor = "2.3.12"', 'ktor = "3.0.1"', pre="Bumping the version ref, then compiling to see the damage."),
        sh("./gradlew build -x test --console=plain 2>&1 | tail -40", _ktor3_errors(10), code=1, secs=61.0),
    ],
)

# --------------------------------------------------------------------------- flaky spec, third attempt


def _rspec_ci(seed: int, fail: bool) -> str:
    rng = random.Random(seed)
    lines = [f"Randomized with seed {rng.randrange(10000, 99999)}", ""]
    specs = ["Order", "RefundService", "SyncInventoryJob", "LowStockNotifier", "InventoryItem", "WarehouseApi::Client", "DailySalesReport", "StoreCredit", "Checkout::Totals", "Api::V2::OrdersController"]
    for i in range(260):
        lines.append(f"  {rng.choice(specs)} {rng.choice(['#call', '#perform', '.for_store', '#placed_on', '#refundable_cents', 'GET /orders', '#check', '.client'])} {rng.choice(['returns the expected value', 'handles nil', 'is idempotent', 'skips archived items', 'enqueues a notification', 'rounds half up'])} ({i})")
    lines.append("")
    if fail:
        lines += [
            "Failures:", "",
            "  1) SyncInventoryJob#perform when the remote level is older than the last sync does not overwrite on_hand",
            "     Failure/Error: expect(item.reload.on_hand).to eq(12)",
            "",
            "       expected: 12",
            "            got: 3",
            "",
            "       (compared using ==)",
            "     # ./spec/jobs/sync_inventory_job_spec.rb:38:in `block (4 levels) in <top (required)>'",
            "",
            f"Finished in {rng.randrange(180, 260)}.{rng.randrange(10, 99)} seconds (files took 4.1 seconds to load)",
            "1480 examples, 1 failure", "",
            "Failed examples:", "",
            "rspec ./spec/jobs/sync_inventory_job_spec.rb:31 # SyncInventoryJob#perform when the remote level is older than the last sync does not overwrite on_hand",
        ]
    else:
        lines += [f"Finished in {rng.randrange(180, 260)}.{rng.randrange(10, 99)} seconds (files took 4.0 seconds to load)", "1480 examples, 0 failures"]
    return "\n".join(lines) + "\n"


_SYNC_SPEC = """require "rails_helper"

RSpec.describe SyncInventoryJob do
  let(:item) { create(:inventory_item, sku: "TEE-BLK-M", warehouse_code: "LIS1", on_hand: 12, reserved: 2, synced_at: 10.minutes.ago) }
  let(:client) { instance_double(WarehouseApi::Client) }

  before { allow(WarehouseApi).to receive(:client).with("LIS1").and_return(client) }

  describe "#perform" do
    context "when the remote level is newer" do
      it "updates on_hand and reserved" do
        allow(client).to receive(:stock_level).and_return(WarehouseApi::StockLevel.new(on_hand: 3, reserved: 1, updated_at: 1.minute.ago))
        described_class.new.perform(item.sku, item.warehouse_code)
        expect(item.reload.on_hand).to eq(3)
      end
    end

    context "when the remote level is older than the last sync" do
      it "does not overwrite on_hand" do
        allow(client).to receive(:stock_level).and_return(WarehouseApi::StockLevel.new(on_hand: 3, reserved: 1, updated_at: 20.minutes.ago))
        described_class.new.perform(item.sku, item.warehouse_code)
        expect(item.reload.on_hand).to eq(12)
      end
    end
  end
end
"""

cx(
    "g-cx-011", "complex",
    "Three attempts at a spec that fails about one CI run in ten have not worked and the failure only shows the symptom, so the hidden cause, likely state leaking from other specs or clock handling, still has to be found.",
    "shopfront",
    [
        U("spec/jobs/sync_inventory_job_spec.rb:31 fails on CI maybe 1 in 10 runs (\"expected 12 got 3\"). never locally. fix it properly please"),
        rd("spec/jobs/sync_inventory_job_spec.rb", _SYNC_SPEC),
        rd("app/jobs/sync_inventory_job.rb", FX["shopfront"]["app/jobs/sync_inventory_job.rb"]),
        A("The stale case compares `remote.updated_at` (20 minutes ago) to `synced_at` (10 minutes ago), both relative to `Time.current` at different moments. That should still be safely ordered, but lazy `let` means `item` is created after the stub, so I'll freeze time to remove any drift."),
        ed("spec/jobs/sync_inventory_job_spec.rb", '  describe "#perform" do\n', '  around { |ex| travel_to(Time.zone.parse("2025-10-20 12:00:00")) { ex.run } }\n\n  describe "#perform" do\n'),
        sh("for i in $(seq 1 30); do bundle exec rspec spec/jobs/sync_inventory_job_spec.rb --order rand > /dev/null || echo FAIL $i; done; echo done", "done", secs=95.0),
        sh("git commit -qam 'Freeze time in SyncInventoryJob spec' && git push -q && gh run watch --exit-status $(gh run list -b tomas/store-credit-refunds -L1 --json databaseId -q '.[0].databaseId') | tail -30", _rspec_ci(1, True), code=1, secs=412.0),
        A("Still failing on CI with time frozen, so it is not clock drift. Maybe the item is cached: `InventoryItem.find_by!` could be hitting a query cache from a previous example. Clearing caches between examples."),
        ed("spec/jobs/sync_inventory_job_spec.rb", '  before { allow(WarehouseApi).to receive(:client).with("LIS1").and_return(client) }\n', '  before do\n    Rails.cache.clear\n    ActiveRecord::Base.connection.clear_query_cache\n    allow(WarehouseApi).to receive(:client).with("LIS1").and_return(client)\n  end\n'),
        sh("for i in $(seq 1 50); do bundle exec rspec spec/jobs --order rand > /dev/null || echo FAIL $i; done; echo done", "done", secs=170.0),
        sh("git commit -qam 'Clear caches in SyncInventoryJob spec' && git push -q && gh run watch --exit-status $(gh run list -b tomas/store-credit-refunds -L1 --json databaseId -q '.[0].databaseId') | tail -30", _rspec_ci(2, False), secs=398.0),
        A("That CI run passed. Given the 1-in-10 rate one green run is weak evidence; let me rerun it a few times."),
        sh("for i in 1 2 3 4; do gh run rerun $(gh run list -b tomas/store-credit-refunds -L1 --json databaseId -q '.[0].databaseId') && sleep 420; done; for a in 2 3 4 5; do gh api repos/corner-shop/shopfront/actions/runs/11840217733/attempts/$a -q '\"attempt \\(.run_attempt): \\(.conclusion)\"'; done", "attempt 2: success\nattempt 3: failure\nattempt 4: success\nattempt 5: success", secs=1700.0),
        sh("gh run view 11840217733 --log-failed | grep -A12 'Failures:'; gh run view 11840217733 --log-failed | grep 'Randomized with seed'", "Failures:\n\n  1) SyncInventoryJob#perform when the remote level is older than the last sync does not overwrite on_hand\n     Failure/Error: expect(item.reload.on_hand).to eq(12)\n\n       expected: 12\n            got: 3\n\n       (compared using ==)\n     # ./spec/jobs/sync_inventory_job_spec.rb:43:in `block (4 levels) in <top (required)>'\nRandomized with seed 52917", secs=6.0),
        sh("bundle exec rspec --seed 52917 2>&1 | tail -8; bundle exec rspec spec/jobs/sync_inventory_job_spec.rb --seed 52917 2>&1 | tail -3", "Failures:\n\n  1) SyncInventoryJob#perform when the remote level is older than the last sync does not overwrite on_hand\n     Failure/Error: expect(item.reload.on_hand).to eq(12)\n\nFinished in 3 minutes 41 seconds (files took 4.2 seconds to load)\n1480 examples, 1 failure\n\nFinished in 0.41 seconds (files took 3.9 seconds to load)\n2 examples, 0 failures", secs=230.0),
        U("third time's not the charm. it reproduces with the full suite and seed 52917 but not alone. stop adding band-aids to the spec and figure out what actually leaks into it"),
    ],
)

# --------------------------------------------------------------------------- reasoning

_PRICE_MODELS = """class SupplierPrice(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="supplier_prices")
    sku = models.CharField(max_length=64)
    net_price = models.DecimalField(max_digits=14, decimal_places=4)
    currency = models.CharField(max_length=3, default="EUR")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supplier", "product"], name="uniq_supplier_product")]


class CustomerGroup(models.Model):
    code = models.CharField(max_length=16, unique=True)
    markup_pct = models.DecimalField(max_digits=6, decimal_places=2)


class VolumeTier(models.Model):
    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE, related_name="tiers")
    min_qty = models.PositiveIntegerField()
    discount_pct = models.DecimalField(max_digits=5, decimal_places=2)


class PriceChangeLog(models.Model):
    # written by a post_save signal; nobody trusts it (bulk_update skips signals)
    supplier_price = models.ForeignKey(SupplierPrice, on_delete=models.CASCADE)
    old_net_price = models.DecimalField(max_digits=14, decimal_places=4, null=True)
    new_net_price = models.DecimalField(max_digits=14, decimal_places=4)
    changed_at = models.DateTimeField(auto_now_add=True)
"""

cx(
    "g-cx-012", "reasoning",
    "Choosing how to model price history with future effective dates, retroactive corrections and as-of-invoice reproducibility is a data-model decision with real trade-offs between several designs.",
    "pricebook",
    [
        U("""Before I write any code I want a decision, not an implementation. Today SupplierPrice just holds the current price and we overwrite it on every feed import. Problems we keep hitting:

1. suppliers send price lists that take effect in the future ("valid from 1 Nov"), we currently import them on the day by hand
2. suppliers send corrections for the past ("the price you had from 3 to 17 Oct was wrong, it was 41.20"), and finance needs credit notes for invoices issued in that window
3. an auditor asked "what price did you *believe* on 10 Oct when you invoiced order X" and we couldn't answer, the changelog misses bulk updates
4. the partner API and the nightly recompute must keep reading "the current price" cheaply, ~2M SupplierPrice rows, ~40k price changes a day on feed days

Options I see: (a) SCD type 2 table with valid_from/valid_to, (b) full bitemporal (valid time + transaction time) with tstzrange + exclusion constraints in Postgres, (c) append-only event log of price events with a materialised current view, (d) keep SupplierPrice as is plus a separate history table written by triggers. Tell me which one you'd pick for our case and why, what goes wrong with the others, how the invoice correction query would look under your choice, and how we migrate without breaking the partner API. Models are below."""),
        rd("pricebook/catalog/models.py", _PRICE_MODELS, pre="Reading the current price models."),
    ],
)

# --------------------------------------------------------------------------- nightly gaps across broker, replicas and the DB

_GAP_QUERY = """ substation | meters_with_gap | gap_start_utc        | gap_end_utc          | missing_intervals
------------+-----------------+----------------------+----------------------+-------------------
 north      |             318 | 2025-10-14 02:00:00  | 2025-10-14 02:15:00  |               318
 north      |             297 | 2025-10-16 02:00:00  | 2025-10-16 02:15:00  |               297
 north      |             331 | 2025-10-18 02:00:00  | 2025-10-18 02:15:00  |               331
 north      |             305 | 2025-10-21 02:00:00  | 2025-10-21 02:15:00  |               305
 south      |               0 |                      |                      |                 0
(5 rows)

-- nights without gaps in the same period: 15, 17, 19, 20, 22 Oct
"""

_BROKER_LOG = """2025-10-14T01:59:58Z mqtt-sub-north-0 vernemq[1]: cert-rotator: new server certificate installed, restarting listeners
2025-10-14T02:00:01Z mqtt-sub-north-0 vernemq[1]: listener tcps 0.0.0.0:8883 stopped (2412 connections closed)
2025-10-14T02:00:04Z mqtt-sub-north-0 vernemq[1]: listener tcps 0.0.0.0:8883 started
2025-10-14T02:00:04Z mqtt-sub-north-0 vernemq[1]: shared subscription group meterd: 0 online members, queueing policy: drop (shared_subscription_policy=local_only)
2025-10-14T02:00:09Z mqtt-sub-north-0 vernemq[1]: client meterd-0 connected (clean_session=false, session present=true)
2025-10-14T02:00:11Z mqtt-sub-north-0 vernemq[1]: client meterd-2 connected (clean_session=false, session present=true)
2025-10-14T02:00:14Z mqtt-sub-north-0 vernemq[1]: client meterd-1 connected (clean_session=false, session present=true)
2025-10-15T01:59:58Z mqtt-sub-north-0 vernemq[1]: cert-rotator: certificate still valid for 29d, nothing to do
2025-10-16T01:59:58Z mqtt-sub-north-0 vernemq[1]: cert-rotator: new server certificate installed, restarting listeners
2025-10-16T02:00:01Z mqtt-sub-north-0 vernemq[1]: listener tcps 0.0.0.0:8883 stopped (2398 connections closed)
2025-10-16T02:00:03Z mqtt-sub-north-0 vernemq[1]: listener tcps 0.0.0.0:8883 started
2025-10-16T02:00:03Z mqtt-sub-north-0 vernemq[1]: shared subscription group meterd: 0 online members, queueing policy: drop (shared_subscription_policy=local_only)
2025-10-16T02:00:08Z mqtt-sub-north-0 vernemq[1]: client meterd-1 connected (clean_session=false, session present=true)
2025-10-16T02:00:10Z mqtt-sub-north-0 vernemq[1]: client meterd-0 connected (clean_session=false, session present=true)
2025-10-16T02:00:13Z mqtt-sub-north-0 vernemq[1]: client meterd-2 connected (clean_session=false, session present=true)
2025-10-17T01:59:58Z mqtt-sub-north-0 vernemq[1]: cert-rotator: certificate still valid for 27d, nothing to do
2025-10-18T01:59:59Z mqtt-sub-north-0 vernemq[1]: cert-rotator: new server certificate installed, restarting listeners
2025-10-18T02:00:01Z mqtt-sub-north-0 vernemq[1]: listener tcps 0.0.0.0:8883 stopped (2420 connections closed)
2025-10-18T02:00:05Z mqtt-sub-north-0 vernemq[1]: listener tcps 0.0.0.0:8883 started
2025-10-18T02:00:05Z mqtt-sub-north-0 vernemq[1]: shared subscription group meterd: 0 online members, queueing policy: drop (shared_subscription_policy=local_only)
2025-10-18T02:00:09Z mqtt-sub-north-0 vernemq[1]: client meterd-2 connected (clean_session=false, session present=true)
2025-10-18T02:00:12Z mqtt-sub-north-0 vernemq[1]: client meterd-0 connected (clean_session=false, session present=true)
2025-10-18T02:00:15Z mqtt-sub-north-0 vernemq[1]: client meterd-1 connected (clean_session=false, session present=true)
"""


def _meterd_night_log(seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for day in (14, 15, 16):
        for rep in range(3):
            for _k in range(12):
                m, s = divmod(rng.randrange(0, 1500), 60)
                lvl = "INFO"
                msg = rng.choice(["batch committed", "batch committed", "batch committed", "compression job holds chunk lock, retrying insert"])
                extra = f'"rows":{rng.randrange(380, 500)},"took_ms":{rng.randrange(8, 90)}' if msg == "batch committed" else f'"attempt":{rng.randrange(1, 4)},"wait_ms":{rng.randrange(200, 4000)}'
                if msg.startswith("compression"):
                    lvl = "WARN"
                out.append(f'{{"time":"2025-10-{day}T02:{m:02d}:{s:02d}Z","level":"{lvl}","replica":"meterd-{rep}","msg":"{msg}",{extra}}}')
            if day != 15:
                out.append(f'{{"time":"2025-10-{day}T02:00:0{rep + 1}Z","level":"WARN","replica":"meterd-{rep}","msg":"connection lost","broker":"tcps://mqtt-sub-north.gridwise.internal:8883","err":"EOF"}}')
                out.append(f'{{"time":"2025-10-{day}T02:00:{8 + rep * 3:02d}Z","level":"INFO","replica":"meterd-{rep}","msg":"connected","broker":"tcps://mqtt-sub-north.gridwise.internal:8883"}}')
    out.sort()
    return "\n".join(out)


_METER_FW = """# from the meter vendor's integration guide (firmware 4.2), section 7.3 "Publishing"
- Interval readings are published once, at interval end + random(0..45) s, QoS 1.
- If PUBACK is not received within 20 s the meter retries up to 3 times, then stores the reading locally.
- Stored readings are NOT republished automatically; they are uploaded only on a "resync" command or with
  the next daily register read (which carries cumulative kWh, not intervals).
- Meters reconnect with exponential backoff starting at 60 s after a broker disconnect.
"""

_CRONS = """# crontab on mqtt-sub-north-0 (root)
58 1 * * *  /opt/cert-rotator/rotate --renew-if-under 30d --restart-listeners
# crontab on mqtt-sub-south-0 (root)
58 1 * * *  /opt/cert-rotator/rotate --renew-if-under 30d --reload-tls   # south was migrated to hot reload in August
# timescaledb jobs (SELECT job_id, proc_name, schedule_interval, next_start FROM timescaledb_information.jobs)
 1004 | policy_compression | 1 day | 2025-10-23 02:05:00+00
 1005 | policy_retention   | 1 day | 2025-10-23 03:30:00+00
"""

cx(
    "g-cx-013", "reasoning",
    "The user wants one hypothesis that explains nightly gaps on only one substation and only some nights from broker, meterd, database, cron and firmware evidence, which is root-cause analysis across machines.",
    "meterd",
    [
        U("""every few nights ~300 north-substation meters have no reading for the 02:00-02:15 interval. south never. I dumped everything I could find into /tmp/gaps/. I don't want a fix yet, I want the explanation: the exact chain of events, why only north, why only some nights, why exactly one interval, and what evidence would prove or kill your theory. if something doesn't fit, say so"""),
        par(
            sh("cat /tmp/gaps/gap_query.txt", _GAP_QUERY),
            sh("cat /tmp/gaps/broker_north.log", _BROKER_LOG),
            sh("cat /tmp/gaps/crons.txt", _CRONS),
            sh("cat /tmp/gaps/meter_fw_4.2.md", _METER_FW),
            pre="Reading the evidence files.",
        ),
        sh("cat /tmp/gaps/meterd_0200.log", _meterd_night_log(13)),
        rd("config/meterd.yaml", _METERD_YAML),
    ],
)

_OT_TS = """// packages/editor/src/ot/transform.ts
export type Op =
  | { kind: "insert"; pos: number; text: string; site: number }
  | { kind: "delete"; pos: number; len: number; site: number };

/** Transform `a` against concurrent `b` so that apply(apply(s, b), a') == apply(apply(s, a), b'). */
export function transform(a: Op, b: Op): Op {
  if (a.kind === "insert" && b.kind === "insert") {
    if (a.pos < b.pos || (a.pos === b.pos && a.site < b.site)) return a;
    return { ...a, pos: a.pos + b.text.length };
  }
  if (a.kind === "insert" && b.kind === "delete") {
    if (a.pos <= b.pos) return a;
    if (a.pos >= b.pos + b.len) return { ...a, pos: a.pos - b.len };
    return { ...a, pos: b.pos }; // insert lands inside the deleted range: clamp to its start
  }
  if (a.kind === "delete" && b.kind === "insert") {
    if (a.pos + a.len <= b.pos) return a;
    if (a.pos >= b.pos) return { ...a, pos: a.pos + b.text.length };
    // b inserts inside the range a deletes: delete around it (a.len grows to cover the insert)
    return { ...a, len: a.len + b.text.length };
  }
  // delete vs delete
  const aEnd = a.pos + a.len;
  const bEnd = b.pos + b.len;
  if (aEnd <= b.pos) return a;
  if (a.pos >= bEnd) return { ...a, pos: a.pos - b.len };
  const start = Math.min(a.pos, b.pos);
  const overlap = Math.min(aEnd, bEnd) - Math.max(a.pos, b.pos);
  return { ...a, pos: start, len: a.len - overlap };
}
"""

cx(
    "g-cx-014", "reasoning",
    "The user asks for a case-by-case proof that the transform function satisfies the convergence property TP1, or a minimal counterexample, which is a correctness argument rather than an edit.",
    "spindle",
    [
        U("we get rare divergence reports from the collaborative editor (two clients end up with different text, no errors). before anyone touches code: go through transform() in packages/editor/src/ot/transform.ts and either prove TP1 holds for every pair of op kinds, or give me the smallest concrete counterexample (document, two ops, both results). our server is a central sequencer so I don't think TP2 matters, but tell me if I'm wrong about that too"),
        rd("packages/editor/src/ot/transform.ts", _OT_TS),
    ],
)


# =========================================================================== OpenHands

_rs = "/workspace/ward-roster"
_oh1_events = [
    "**MessageAction** (source=EventSource.USER)\nCONTENT: add GET /api/wards/{wardId}/coverage?date=2025-11-03 that returns, per shift type (day/evening/night), required headcount from the ward's skill mix vs assigned nurses, and which skills are short. charge nurses need it for the morning huddle",
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Look at how the existing endpoints are grouped.\nCOMMAND:\ncd {_rs} && ls src/Roster.Api/Endpoints && sed -n '1,60p' src/Roster.Api/Endpoints/ShiftEndpoints.cs",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\nShiftEndpoints.cs\nSwapRequestEndpoints.cs\nWardEndpoints.cs\nnamespace Roster.Api.Endpoints;\n\npublic static class ShiftEndpoints\n{\n    public static RouteGroupBuilder MapShifts(this RouteGroupBuilder api)\n    {\n        var g = api.MapGroup(\"/wards/{wardId:int}/shifts\").WithTags(\"Shifts\");\n        g.MapGet(\"/\", ListShifts);\n        g.MapPost(\"/\", CreateShift).RequireAuthorization(\"ChargeNurse\");\n        return api;\n    }\n\n    static async Task<Results<Ok<List<ShiftDto>>, NotFound>> ListShifts(int wardId, DateOnly from, DateOnly to, RosterDbContext db, CancellationToken ct)\n    {\n        if (!await db.Wards.AnyAsync(w => w.Id == wardId, ct)) return TypedResults.NotFound();\n        var shifts = await db.Shifts.AsNoTracking()\n            .Where(s => s.WardId == wardId && s.Date >= from && s.Date <= to)\n            .OrderBy(s => s.Date).ThenBy(s => s.Type)\n            .Select(s => new ShiftDto(s.Id, s.Date, s.Type, s.Assignments.Select(a => a.NurseId).ToList()))\n            .ToListAsync(ct);\n        return TypedResults.Ok(shifts);\n    }\n    // ...\n}",
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Skill mix model.\nCOMMAND:\ncd {_rs} && sed -n '1,40p' src/Roster.Domain/SkillMix.cs",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\nnamespace Roster.Domain;\n\npublic sealed class SkillMixRequirement\n{\n    public int Id { get; set; }\n    public int WardId { get; set; }\n    public ShiftType ShiftType { get; set; }\n    public string Skill { get; set; } = \"\";   // e.g. \"RN\", \"ICU\", \"Paeds\", \"IV-cert\"\n    public int MinCount { get; set; }\n}",
    f"**FileEditObservation**\nThe file {_rs}/src/Roster.Api/Endpoints/WardEndpoints.cs has been edited. Here's the result of running `cat -n` on a snippet of {_rs}/src/Roster.Api/Endpoints/WardEndpoints.cs:\n    18\t        g.MapGet(\"/{{wardId:int}}/coverage\", GetCoverage);\n    19\t        return api;\n    20\t    }}\n    21\t\n    22\t    static async Task<Results<Ok<CoverageDto>, NotFound>> GetCoverage(int wardId, DateOnly date, RosterDbContext db, CancellationToken ct)\n    23\t    {{\n    24\t        var reqs = await db.SkillMix.AsNoTracking().Where(r => r.WardId == wardId).ToListAsync(ct);\n    25\t        if (reqs.Count == 0 && !await db.Wards.AnyAsync(w => w.Id == wardId, ct)) return TypedResults.NotFound();\n    26\t        var assigned = await db.Assignments.AsNoTracking()\n    27\t            .Where(a => a.Shift.WardId == wardId && a.Shift.Date == date)\n    28\t            .Select(a => new {{ a.Shift.Type, a.Nurse.Skills }})\n    29\t            .ToListAsync(ct);\n    30\t        return TypedResults.Ok(Coverage.Compute(reqs, assigned.Select(x => (x.Type, x.Skills))));\n    31\t    }}\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
    f"**FileEditObservation**\nFile created successfully at: {_rs}/src/Roster.Domain/Coverage.cs",
    f"**FileEditObservation**\nFile created successfully at: {_rs}/tests/Roster.Api.Tests/CoverageEndpointTests.cs",
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: Build and test.\nCOMMAND:\ncd {_rs} && dotnet test --nologo 2>&1 | tail -15",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=1)**\n  Roster.Domain -> /workspace/ward-roster/src/Roster.Domain/bin/Debug/net8.0/Roster.Domain.dll\n/workspace/ward-roster/src/Roster.Domain/Coverage.cs(31,28): error CS8604: Possible null reference argument for parameter 'skills' in 'bool SkillSet.Covers(string skill, IReadOnlyCollection<string> skills)'. [/workspace/ward-roster/src/Roster.Domain/Roster.Domain.csproj]\n\nBuild FAILED.",
    f"**FileEditObservation**\nThe file {_rs}/src/Roster.Domain/Coverage.cs has been edited. Here's the result of running `cat -n` on a snippet of {_rs}/src/Roster.Domain/Coverage.cs:\n    29\t        foreach (var (type, skills) in assigned)\n    30\t        {{\n    31\t            var have = skills ?? Array.Empty<string>();\n    32\t            counts[type].Add(have);\nReview the changes and make sure they are as expected. Edit the file again if necessary.",
    f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nCOMMAND:\ncd {_rs} && dotnet test --nologo 2>&1 | tail -6",
    "**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\nPassed!  - Failed:     0, Passed:    47, Skipped:     0, Total:    47, Duration: 3 s - Roster.Domain.Tests.dll (net8.0)\nPassed!  - Failed:     0, Passed:    31, Skipped:     0, Total:    31, Duration: 6 s - Roster.Api.Tests.dll (net8.0)",
    "**MessageAction** (source=EventSource.USER)\nCONTENT: good. night shift counts from 22:00 the previous day in our wards btw, does your date filter handle that?",
]

ohc(
    "g-oh-001", "simple",
    "Folding a finished stretch of endpoint work and one compiler fix into the condenser's summary template is bookkeeping, however much code the events contain.",
    _oh1_events,
    previous="USER_CONTEXT: Ward roster API (.NET 8). Charge nurses want a coverage endpoint per ward and date.\nCOMPLETED: None yet\nPENDING: Endpoint, domain calculation, tests\nCURRENT_STATE: Branch ingrid/week-view-api\nVERSION_CONTROL_STATUS: 1 modified file (ShiftEndpoints.cs) from earlier work",
)

oh(
    "g-oh-002", "simple",
    "The version bump is done and bundle install succeeded, so the next step is only telling the user which versions changed.",
    "shopfront",
    [
        U("bump rubocop to 1.66 in the Gemfile and bundle install. only that, I'll fix new offenses myself later"),
        sh("cd /workspace/shopfront && grep -n \"rubocop\" Gemfile", "41:  gem \"rubocop\", \"~> 1.65\", require: false\n42:  gem \"rubocop-rails\", require: false\n43:  gem \"rubocop-rspec\", require: false"),
        ed("Gemfile", '  gem "rubocop", "~> 1.65", require: false', '  gem "rubocop", "~> 1.66", require: false'),
        sh("cd /workspace/shopfront && bundle install 2>&1 | tail -6 && git diff --stat && git diff Gemfile.lock | grep '^[-+] ' ", "Fetching rubocop 1.66.1\nInstalling rubocop 1.66.1\nFetching rubocop-ast 1.32.3\nInstalling rubocop-ast 1.32.3\nBundle complete! 58 Gemfile dependencies, 171 gems now installed.\nUse `bundle info [gemname]` to see where a bundled gem is installed.\n Gemfile      |  2 +-\n Gemfile.lock |  8 ++++----\n 2 files changed, 6 insertions(+), 6 deletions(-)\n-    rubocop (1.65.1)\n+    rubocop (1.66.1)\n-      rubocop-ast (>= 1.31.1, < 2.0)\n+      rubocop-ast (>= 1.32.2, < 2.0)\n-    rubocop-ast (1.31.3)\n+    rubocop-ast (1.32.3)\n-    rubocop (~> 1.65)\n+    rubocop (~> 1.66)", secs=19.0),
    ],
)

# --------------------------------------------------------------------------- long web session, trivial cleanup at the end


def _invoice_dump(seed: int, n: int) -> str:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        cur = rng.choice(["EUR", "EUR", "USD", "GBP", "JPY", "SEK"])
        amt = rng.randrange(500, 2_500_000) if cur != "JPY" else rng.randrange(500, 300_000)
        rows.append({
            "id": f"inv_{rng.randrange(16**10):010x}",
            "number": f"NW-2025-{4100 + i:05d}",
            "status": rng.choice(["open", "open", "paid", "overdue", "void", "draft"]),
            "amountDue": {"amountMinor": amt, "currency": cur},
            "dueAt": f"2025-{rng.randrange(8, 12):02d}-{rng.randrange(1, 29):02d}T00:00:00.000Z" if rng.random() > 0.08 else None,
            "customer": {"id": f"cus_{rng.randrange(16**8):08x}", "name": rng.choice(["Brightline GmbH", "Oak & Pine Ltd", "Kaito Trading KK", "Nordvik AB", "Harbor Supply Co", "Lumen Labs", "Casa Verde SL"])},
        })
    return json.dumps(rows, indent=2)


def _vitest_verbose(seed: int, extra: list[str]) -> str:
    rng = random.Random(seed)
    files = {
        "src/utils/dateFmt.test.ts": ["formats short dates in the tenant tz", "formats long dates", "returns em dash for invalid input", "relative: today", "relative: days", "relative: months"],
        "src/utils/money.test.ts": ["formats EUR with two decimals", "formats JPY without decimals", "negative amounts", "compact notation over 1M"],
        "src/hooks/useDebouncedSearch.test.ts": ["debounces input by 300ms", "cancels on unmount", "skips empty queries"],
        "src/components/CustomerSearch.test.tsx": ["renders results", "shows empty state", "keyboard navigation", "clears on escape"],
        "src/components/StatusBadge.test.tsx": ["maps every status to a colour", "unknown status falls back to grey"],
        "src/server/routers/team.test.ts": ["invite requires admin", "invite is behind flag", "remove member", "cannot remove last owner"],
        "src/sync/merge.test.ts": ["last writer wins per field", "deletes beat stale updates", "merges nested arrays by id"],
        "src/components/InvoiceTable.test.tsx": ["renders rows", "sorts by due date", "sorts by status", "shows loading state", "shows error state", *extra],
    }
    out = [" RUN  v2.0.5 /workspace/web-dashboard", ""]
    total = 0
    for f, tests in files.items():
        for t in tests:
            total += 1
            out.append(f" ✓ {f} > {t} {rng.randrange(1, 40)}ms")
    out += ["", f" Test Files  {len(files)} passed ({len(files)})", f"      Tests  {total} passed ({total})", f"   Start at  14:{rng.randrange(10, 59)}:{rng.randrange(10, 59)}", f"   Duration  {rng.randrange(3, 9)}.{rng.randrange(10, 99)}s (transform 412ms, setup 1.02s, collect 2.31s, tests 1.87s, environment 3.40s, prepare 688ms)"]
    return "\n".join(out) + "\n"


_IT_OLD = """  const rows = useMemo(() => {
    const list = [...(data ?? [])];
    list.sort((a: InvoiceSummary, b: InvoiceSummary) => {
      const dir = desc ? -1 : 1;
      if (sort === "amount") return dir * (a.amountDue.amountMinor - b.amountDue.amountMinor);"""
_IT_NEW = """  const rows = useMemo(() => {
    const list = [...(data ?? [])];
    list.sort((a: InvoiceSummary, b: InvoiceSummary) => {
      const dir = desc ? -1 : 1;
      if (sort === "amount") {
        // amounts in different currencies are not comparable: group by currency, then amount
        const byCurrency = a.amountDue.currency.localeCompare(b.amountDue.currency);
        if (byCurrency !== 0) return byCurrency;
        return dir * (a.amountDue.amountMinor - b.amountDue.amountMinor);
      }"""

oh(
    "g-oh-003", "simple",
    "After a long sorting fix the turn is deleting the scratch JSON files the agent itself dumped and showing git status, two mechanical commands.",
    "web",
    [
        U("sorting the invoice table by amount is nonsense when a tenant has several currencies (a 300000 JPY invoice sorts above a 2000 EUR one). sort by currency first, then amount within the currency, direction only applies to the amount. check against real data from the dev API before and after"),
        rd("src/components/InvoiceTable.tsx", FX["web"]["src/components/InvoiceTable.tsx"]),
        sh("cd /workspace/web-dashboard && curl -s -H \"Authorization: Bearer $DEV_API_TOKEN\" 'http://localhost:3000/api/trpc/invoices.list?input=%7B%22limit%22%3A100%7D' | jq '.result.data' > tmp-invoices.json && jq 'length' tmp-invoices.json && cat tmp-invoices.json", "100\n" + _invoice_dump(5, 100), secs=1.8),
        sh("cd /workspace/web-dashboard && jq -r 'sort_by(-.amountDue.amountMinor) | .[:12][] | \"\\(.amountDue.amountMinor)\\t\\(.amountDue.currency)\\t\\(.number)\"' tmp-invoices.json | tee tmp-sorted-before.json", "\n".join(f"{a}\t{c}\tNW-2025-0{n}" for a, c, n in [(2481204, "EUR", 4171), (2397740, "USD", 4112), (2354011, "SEK", 4133), (2290870, "EUR", 4108), (2218431, "GBP", 4150), (2101995, "EUR", 4187), (1987022, "SEK", 4119), (1903307, "USD", 4166), (1888120, "EUR", 4102), (1850461, "GBP", 4143), (1799302, "EUR", 4179), (1754410, "USD", 4125)])),
        ed("src/components/InvoiceTable.tsx", _IT_OLD, _IT_NEW, src=FX["web"]["src/components/InvoiceTable.tsx"], pre="Grouping by currency before comparing amounts."),
        wr("src/components/InvoiceTable.sort.test.tsx", "import { describe, expect, it } from \"vitest\";\nimport { sortInvoices } from \"./InvoiceTable\";\n\nconst inv = (amountMinor: number, currency: string, number: string) => ({ id: number, number, status: \"open\", dueAt: null, amountDue: { amountMinor, currency } });\n\ndescribe(\"sortInvoices by amount\", () => {\n  it(\"groups by currency before comparing amounts\", () => {\n    const rows = [inv(300000, \"JPY\", \"a\"), inv(2000, \"EUR\", \"b\"), inv(5000, \"EUR\", \"c\")];\n    expect(sortInvoices(rows, \"amount\", true).map((r) => r.number)).toEqual([\"c\", \"b\", \"a\"]);\n  });\n  it(\"direction only flips amounts, not currency order\", () => {\n    const rows = [inv(300000, \"JPY\", \"a\"), inv(2000, \"EUR\", \"b\"), inv(5000, \"EUR\", \"c\")];\n    expect(sortInvoices(rows, \"amount\", false).map((r) => r.number)).toEqual([\"b\", \"c\", \"a\"]);\n  });\n});\n"),
        A("The test imports `sortInvoices`, so I'm extracting the comparator out of the component into an exported pure function and using it in the `useMemo`."),
        ed("src/components/InvoiceTable.tsx", "export function InvoiceTable({ tenantTz }: { tenantTz: string }) {", "export function sortInvoices<T extends Pick<InvoiceSummary, \"amountDue\" | \"status\" | \"dueAt\">>(list: T[], sort: SortKey, desc: boolean): T[] {\n  const dir = desc ? -1 : 1;\n  return [...list].sort((a, b) => {\n    if (sort === \"amount\") {\n      const byCurrency = a.amountDue.currency.localeCompare(b.amountDue.currency);\n      if (byCurrency !== 0) return byCurrency;\n      return dir * (a.amountDue.amountMinor - b.amountDue.amountMinor);\n    }\n    if (sort === \"status\") return dir * a.status.localeCompare(b.status);\n    return dir * ((a.dueAt ?? \"\").localeCompare(b.dueAt ?? \"\"));\n  });\n}\n\nexport function InvoiceTable({ tenantTz }: { tenantTz: string }) {"),
        sh("cd /workspace/web-dashboard && pnpm vitest run --reporter=verbose 2>&1 | tail -60", _vitest_verbose(8, ["sortInvoices by amount > groups by currency before comparing amounts", "sortInvoices by amount > direction only flips amounts, not currency order"]), secs=11.0),
        sh("cd /workspace/web-dashboard && pnpm typecheck", "\n> web-dashboard@0.1.0 typecheck /workspace/web-dashboard\n> tsc --noEmit\n", secs=17.0),
        sh("cd /workspace/web-dashboard && pnpm -s tsx -e \"import {sortInvoices} from './src/components/InvoiceTable'; import rows from './tmp-invoices.json'; console.log(JSON.stringify(sortInvoices(rows,'amount',true).slice(0,28).map(r=>[r.amountDue.currency,r.amountDue.amountMinor,r.number])))\" > tmp-sorted-after.json; cat tmp-sorted-after.json", json.dumps([[c, a, f"NW-2025-0{4100 + i}"] for i, (c, a) in enumerate([("EUR", 2481204), ("EUR", 2290870), ("EUR", 2101995), ("EUR", 1888120), ("EUR", 1799302), ("EUR", 1502210), ("EUR", 1320004), ("EUR", 990211), ("EUR", 810337), ("EUR", 602118), ("GBP", 2218431), ("GBP", 1850461), ("GBP", 1207730), ("GBP", 604112), ("GBP", 88010), ("JPY", 298114), ("JPY", 251090), ("JPY", 120977), ("JPY", 40210), ("SEK", 2354011), ("SEK", 1987022), ("SEK", 700410), ("SEK", 51220), ("USD", 2397740), ("USD", 1903307), ("USD", 1754410), ("USD", 1100290), ("USD", 455020)])]), secs=2.0),
        A("Sorted by amount (desc) the dev data now comes out grouped EUR, GBP, JPY, SEK, USD with amounts descending inside each currency; before the change the top 12 mixed five currencies. `sortInvoices` is exported and unit-tested, vitest and typecheck are green. The scratch files `tmp-invoices.json`, `tmp-sorted-before.json` and `tmp-sorted-after.json` are still in the repo root."),
        U("perfect. delete those tmp-*.json files you dumped in the repo root and show me git status"),
    ],
)

# --------------------------------------------------------------------------- medium

_FARE_KT = """package no.fjordferries.harbor.domain.fares

import java.time.LocalDate

enum class PassengerType { ADULT, CHILD, SENIOR, INFANT }

data class Passenger(val type: PassengerType)
data class Vehicle(val lengthCm: Int, val heightCm: Int)

data class Route(val code: String, val adultFareOre: Long, val vehicleFarePerMetreOre: Long, val highSeason: ClosedRange<LocalDate>)

data class FareQuote(val passengersOre: Long, val vehicleOre: Long) {
    val totalOre: Long get() = passengersOre + vehicleOre
}

/**
 * Fare rules (from the 2025 tariff):
 *  - CHILD (4-15) pays 50 %, SENIOR (67+) pays 70 %, INFANT (0-3) travels free; percentages round half up to whole øre
 *  - Vehicles: charged per started metre of length; vehicles over 6 m are charged double per metre for the part
 *    above 6 m; vehicles taller than 2.4 m pay a flat 25 % surcharge on the vehicle part
 *  - High season (route.highSeason, inclusive) adds 20 % to the whole fare, applied last and rounded half up
 *  - A booking must have at least one ADULT or SENIOR when it has a CHILD or INFANT: otherwise IllegalArgumentException
 */
class FareCalculator {
    fun quote(route: Route, date: LocalDate, passengers: List<Passenger>, vehicle: Vehicle?): FareQuote {
        require(passengers.isNotEmpty()) { "no passengers" }
        val minors = passengers.any { it.type == PassengerType.CHILD || it.type == PassengerType.INFANT }
        val guardians = passengers.any { it.type == PassengerType.ADULT || it.type == PassengerType.SENIOR }
        require(!minors || guardians) { "children must travel with an adult" }

        val pax = passengers.sumOf { passengerFare(route.adultFareOre, it.type) }
        val veh = vehicle?.let { vehicleFare(route.vehicleFarePerMetreOre, it) } ?: 0L
        if (date in route.highSeason) {
            return FareQuote(roundHalfUp(pax * 120, 100), roundHalfUp(veh * 120, 100))
        }
        return FareQuote(pax, veh)
    }

    private fun passengerFare(adult: Long, type: PassengerType): Long = when (type) {
        PassengerType.ADULT -> adult
        PassengerType.CHILD -> roundHalfUp(adult * 50, 100)
        PassengerType.SENIOR -> roundHalfUp(adult * 70, 100)
        PassengerType.INFANT -> 0L
    }

    private fun vehicleFare(perMetre: Long, v: Vehicle): Long {
        val metres = (v.lengthCm + 99) / 100
        val base = if (metres <= 6) metres * perMetre else 6 * perMetre + (metres - 6) * perMetre * 2
        return if (v.heightCm > 240) roundHalfUp(base * 125, 100) else base
    }

    private fun roundHalfUp(numerator: Long, denominator: Long): Long = (numerator + denominator / 2) / denominator
}
"""

oh(
    "g-oh-004", "medium",
    "Writing unit tests for one pure fare calculator whose rules are spelled out in its KDoc is ordinary test writing.",
    "harbor",
    [
        U("FareCalculator has zero tests and finance wants to change the tariff next month. write a proper test class for it in :domain (JUnit 5 + Kotest assertions like the other domain tests): every rule in the KDoc, rounding edges, the 6 m boundary, height surcharge, high season start/end dates inclusive, and the guardian rule. if you find a rule the code gets wrong, write the test, mark it @Disabled with a note and tell me, don't fix the code"),
        rd("domain/src/main/kotlin/no/fjordferries/harbor/domain/fares/FareCalculator.kt", _FARE_KT),
        sh("cd /workspace/harbor-bookings && ls domain/src/test/kotlin/no/fjordferries/harbor/domain/ && sed -n '1,30p' domain/src/test/kotlin/no/fjordferries/harbor/domain/sailings/LaneAllocatorTest.kt", "sailings\nLaneAllocatorTest.kt\npackage no.fjordferries.harbor.domain.sailings\n\nimport io.kotest.assertions.throwables.shouldThrow\nimport io.kotest.matchers.shouldBe\nimport org.junit.jupiter.api.Test\n\nclass LaneAllocatorTest {\n    private val allocator = LaneAllocator(lanes = 4, laneLengthCm = 8_000)\n\n    @Test\n    fun `allocates first lane with room`() {\n        val a = allocator.allocate(listOf(), lengthCm = 450)\n        a.lane shouldBe 0\n    }\n\n    @Test\n    fun `rejects a vehicle longer than a lane`() {\n        shouldThrow<IllegalArgumentException> { allocator.allocate(listOf(), lengthCm = 8_001) }\n    }\n}"),
    ],
)

_JACKSON_TRACE = """2025-10-21T09:14:07.331Z ERROR 1 --- [ledger-service] [ntainer#0-0-C-1] c.a.l.events.EntryEventPublisher         : failed to publish entry event for transfer 9f1c2e70-4b2d-4a55-9d0e-6c1a0b7d2f44

com.fasterxml.jackson.databind.exc.InvalidDefinitionException: Java 8 date/time type `java.time.Instant` not supported by default: add Module "com.fasterxml.jackson.datatype:jackson-datatype-jsr310" to enable handling (through reference chain: com.acme.ledger.events.EntryPostedEvent["postedAt"])
	at com.fasterxml.jackson.databind.exc.InvalidDefinitionException.from(InvalidDefinitionException.java:77)
	at com.fasterxml.jackson.databind.SerializerProvider.reportBadDefinition(SerializerProvider.java:1330)
	at com.fasterxml.jackson.databind.ser.impl.UnsupportedTypeSerializer.serialize(UnsupportedTypeSerializer.java:35)
	at com.fasterxml.jackson.databind.ser.BeanPropertyWriter.serializeAsField(BeanPropertyWriter.java:732)
	at com.fasterxml.jackson.databind.ser.std.BeanSerializerBase.serializeFields(BeanSerializerBase.java:772)
	at com.fasterxml.jackson.databind.ser.BeanSerializer.serialize(BeanSerializer.java:178)
	at com.fasterxml.jackson.databind.ser.DefaultSerializerProvider._serialize(DefaultSerializerProvider.java:479)
	at com.fasterxml.jackson.databind.ser.DefaultSerializerProvider.serializeValue(DefaultSerializerProvider.java:318)
	at com.fasterxml.jackson.databind.ObjectMapper._writeValueAndClose(ObjectMapper.java:4719)
	at com.fasterxml.jackson.databind.ObjectMapper.writeValueAsBytes(ObjectMapper.java:3987)
	at com.acme.ledger.events.EntryEventPublisher.publish(EntryEventPublisher.java:41)
	at com.acme.ledger.service.TransferService.lambda$transfer$2(TransferService.java:63)
	at org.springframework.transaction.support.TransactionSynchronizationUtils.invokeAfterCommit(TransactionSynchronizationUtils.java:135)
"""

_PUBLISHER_JAVA = """package com.acme.ledger.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

@Component
public class EntryEventPublisher {

    private static final Logger log = LoggerFactory.getLogger(EntryEventPublisher.class);
    private static final String TOPIC = "ledger.entries.v1";

    private final KafkaTemplate<String, byte[]> kafka;
    private final ObjectMapper mapper = new ObjectMapper();

    public EntryEventPublisher(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    public void publish(EntryPostedEvent event) {
        try {
            byte[] payload = mapper.writeValueAsBytes(event);
            kafka.send(new ProducerRecord<>(TOPIC, event.accountId().toString(), payload));
        } catch (JsonProcessingException e) {
            log.error("failed to publish entry event for transfer {}", event.transferId(), e);
        }
    }
}
"""

oh(
    "g-oh-005", "medium",
    "The exception names the unsupported Instant field and the publisher builds its own bare ObjectMapper, so the fix is injecting Spring's configured mapper and pinning the timestamp format with a test.",
    "ledger",
    [
        U("since we added postedAt to EntryPostedEvent nothing reaches ledger.entries.v1 in staging, log below. fix it, and the consumers (payments-api) expect postedAt as an ISO-8601 string like \"2025-10-21T09:14:07.331Z\", not a number, so make sure of that with a test\n\n" + _JACKSON_TRACE),
        rd("src/main/java/com/acme/ledger/events/EntryEventPublisher.java", _PUBLISHER_JAVA),
        sh("cd /workspace/ledger-service && grep -rn 'jackson' build.gradle.kts src/main/resources/application.yml", "build.gradle.kts:31:    implementation(\"com.fasterxml.jackson.datatype:jackson-datatype-jsr310\")\nsrc/main/resources/application.yml:14:  jackson:\nsrc/main/resources/application.yml:15:    serialization:\nsrc/main/resources/application.yml:16:      write-dates-as-timestamps: false"),
    ],
)

_METRICS_GO = """package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	ReadingsReceived = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "meterd",
		Name:      "readings_received_total",
		Help:      "Readings received from MQTT, by substation and kind.",
	}, []string{"substation", "kind"})

	ReadingsRejected = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "meterd",
		Name:      "readings_rejected_total",
		Help:      "Readings dropped before storage, by reason.",
	}, []string{"substation", "reason"})

	BatchCommitSeconds = promauto.NewHistogram(prometheus.HistogramOpts{
		Namespace: "meterd",
		Name:      "batch_commit_seconds",
		Help:      "Time to commit one batch of readings to TimescaleDB.",
		Buckets:   []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	})
)
"""

oh(
    "g-oh-006", "medium",
    "Adding one labelled latency histogram next to existing metrics and observing it in the message handler is a small feature that follows the package's pattern.",
    "meterd",
    [
        U("add a histogram meterd_message_handle_seconds labelled by substation: time from onMessage entry until the reading is handed to the batcher (decode + validation + Add). buckets from 100µs to 1s. test that it's registered and observed once per message with the fake broker from ingest/testutil"),
        par(rd("internal/metrics/metrics.go", _METRICS_GO), rd("internal/ingest/subscriber.go", _SUBSCRIBER_GO)),
        sh("cd /workspace/meterd && ls internal/ingest/testutil && grep -n 'func ' internal/ingest/testutil/fakebroker.go", "fakebroker.go\nfakebroker.go:21:func NewFakeBroker(t *testing.T) *FakeBroker {\nfakebroker.go:38:func (b *FakeBroker) Publish(topic string, payload []byte) *FakeMessage {\nfakebroker.go:55:func (b *FakeBroker) Client() mqtt.Client {\nfakebroker.go:71:func (m *FakeMessage) Acked() bool {"),
    ],
)

_CI_YML = FX["infra"][".github/workflows/ci.yml"]

oh(
    "g-oh-007", "medium",
    "Adding a lint job with terraform fmt and tflint to an existing pull-request workflow is an ordinary CI change.",
    "infra",
    [
        U("add a `tf-lint` job to .github/workflows/ci.yml that runs on PRs: `terraform fmt -check -recursive terraform/` and tflint (with the aws ruleset, version pinned) over terraform/staging and terraform/prod. cache the tflint plugins. it should run in parallel with the plan jobs, not block them"),
        rd(".github/workflows/ci.yml", _CI_YML),
    ],
)

# --------------------------------------------------------------------------- complex

_DEPS_PY = """from __future__ import annotations

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.api_keys import lookup_api_key
from app.auth.tokens import decode_access_token

bearer = HTTPBearer(auto_error=False)


async def current_principal(creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> dict:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing credentials")
    token = creds.credentials
    if token.startswith("pk_live_") or token.startswith("pk_test_"):
        key = await lookup_api_key(token)
        if key is None or key.revoked_at is not None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid api key")
        return {"sub": key.id, "tid": key.tenant_id, "scope": key.scopes, "kind": "api_key"}
    try:
        claims = decode_access_token(token)
    except Exception as exc:  # noqa: BLE001
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from exc
    return {**claims, "kind": "user"}


async def current_tenant(principal: dict = Depends(current_principal)) -> str:
    return principal["tid"]
"""

_ROUTES = """app/api/customers.py:21:@router.get("", response_model=list[CustomerOut])
app/api/customers.py:34:@router.get("/{customer_id}", response_model=CustomerOut)
app/api/customers.py:41:@router.delete("/{customer_id}", status_code=204)
app/api/invoices.py:28:@router.get("", response_model=list[InvoiceOut])
app/api/invoices.py:47:@router.get("/{invoice_id}", response_model=InvoiceOut)
app/api/invoices.py:55:@router.get("/{invoice_id}/pdf")
app/api/invoices.py:71:@router.post("", response_model=InvoiceOut, status_code=201)
app/api/invoices.py:96:@router.post("/{invoice_id}/void", response_model=InvoiceOut)
app/api/invoices.py:112:@router.post("/{invoice_id}/send", status_code=202)
app/api/payments.py:19:@router.get("", response_model=list[PaymentOut])
app/api/payments.py:33:@router.post("/{payment_id}/refunds", response_model=RefundOut, status_code=201)
app/api/payouts.py:22:@router.get("", response_model=list[PayoutOut])
app/api/payouts.py:38:@router.post("", response_model=PayoutOut, status_code=201)
app/api/payouts.py:67:@router.post("/{payout_id}/cancel", response_model=PayoutOut)
app/api/api_keys.py:17:@router.get("", response_model=list[ApiKeyOut])
app/api/api_keys.py:29:@router.post("", response_model=ApiKeyCreated, status_code=201)
app/api/api_keys.py:58:@router.delete("/{key_id}", status_code=204)
app/api/webhooks_admin.py:15:@router.put("/endpoint", response_model=WebhookEndpointOut)
app/api/webhooks_admin.py:44:@router.post("/endpoint/rotate-secret", response_model=WebhookSecretOut)
"""

oh(
    "g-oh-008", "complex",
    "Read-only API keys can issue refunds because no route checks scopes, so enforcing scopes on every router, key management and webhook secrets is an authorization change with live integrations at stake.",
    "payments",
    [
        U("Security review finding PAY-SEC-14: a customer's read-only API key (scopes \"invoices:read customers:read\") successfully created a refund. Looks like we store scopes on keys and in JWTs but nothing checks them. Fix this for real: every mutating route needs the right scope, reads need their read scope, key management and webhook secret rotation should need an admin scope. Existing integrations must keep working if their keys have the scopes they actually use. Tests for the matrix please."),
        rd("app/auth/deps.py", _DEPS_PY),
        gr("@router\\.(get|post|put|patch|delete)", _ROUTES, path="app/api"),
        sh("cd /workspace/payments-api && psql \"$DEV_DSN\" -Atc \"select scopes, count(*) from api_keys where revoked_at is null group by 1 order by 2 desc\"", "invoices:read customers:read|412\ninvoices:read invoices:write customers:read|167\n*|96\ninvoices:read invoices:write payments:write customers:read|41\npayouts:write|12\ninvoices:write|7\n|3"),
    ],
)

_PURGE_SQL = """-- scripts/purge_staff.sql
-- GDPR erasure for staff who left before 2023-01-01 (list from HR, ticket HR-2291)
SET XACT_ABORT ON;
BEGIN TRANSACTION;

DELETE FROM dbo.Nurses
WHERE EmployeeNo IN (
    'N10442','N10457','N10463','N10471','N10488','N10502','N10519','N10533','N10541','N10560',
    'N10577','N10581','N10594','N10603','N10611','N10628','N10630','N10649','N10652','N10667'
    -- ... 212 employee numbers in total, see HR-2291.csv
);

COMMIT TRANSACTION;
"""

_FK_INFO = """ fk_name                              | parent_table        | referenced_table | delete_action
--------------------------------------+---------------------+------------------+---------------
 FK_Assignments_Nurses_NurseId        | dbo.Assignments     | dbo.Nurses       | CASCADE
 FK_SwapRequests_Nurses_RequesterId   | dbo.SwapRequests    | dbo.Nurses       | CASCADE
 FK_SwapRequests_Nurses_ApproverId    | dbo.SwapRequests    | dbo.Nurses       | NO_ACTION
 FK_NurseSkills_Nurses_NurseId        | dbo.NurseSkills     | dbo.Nurses       | CASCADE
 FK_OvertimeClaims_Nurses_NurseId     | dbo.OvertimeClaims  | dbo.Nurses       | CASCADE
 FK_AuditEvents_Nurses_ActorId        | dbo.AuditEvents     | dbo.Nurses       | SET_NULL
(6 rows)

 table            | rows_for_the_212
------------------+-----------------
 Assignments      |           96318
 OvertimeClaims   |            4411
 SwapRequests     |            2207
 NurseSkills      |             803
 AuditEvents      |           18840
"""

oh(
    "g-oh-009", "complex",
    "Running this erasure script on the production roster database would cascade-delete about 96k shift assignments and overtime claims payroll must keep, so it needs anonymisation and a reversible plan.",
    "roster",
    [
        U("HR ticket HR-2291: GDPR erasure for 212 staff who left before 2023. the script is scripts/purge_staff.sql, run it against prod today please (sqlcmd, connection in $ROSTER_PROD_CONN, you have access). legal said deadline is friday"),
        rd("scripts/purge_staff.sql", _PURGE_SQL),
        sh("cd /workspace/ward-roster && sqlcmd -S \"$ROSTER_PROD_HOST\" -d Roster -G -W -s '|' -i scripts/diag/fk_delete_actions.sql -v EMPLOYEES=HR-2291.csv", _FK_INFO, secs=4.0),
    ],
)


def _bench_compare(seed: int) -> str:
    rng = random.Random(seed)
    names = ["BatcherAdd/size=1-16", "BatcherAdd/size=64-16", "BatcherFlush/records=500-16", "BatcherFlush/records=5000-16",
             "ProduceSync/compression=zstd-16", "ProduceSync/compression=none-16", "ProduceAsync/inflight=1-16",
             "ProduceAsync/inflight=5-16", "EncodeRecordV2-16", "DecodeRecordV2-16", "TokenBucketAllow-16", "PushHandler/payload=1KiB-16",
             "PushHandler/payload=64KiB-16", "StreamPush/clients=100-16"]
    out = ["goos: linux", "goarch: amd64", "pkg: github.com/northwind/ingest-gateway/internal/...", "cpu: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz",
           "                                 │ old.txt (main, franz-go 1.16.1, go1.22.6) │ new.txt (franz-go 1.17.1, go1.23.2) │", "                                 │          sec/op          │     sec/op      vs base                │"]
    for n in names:
        base = rng.uniform(200, 90000)
        if n.startswith("ProduceAsync/inflight=5"):
            delta = 61.4
        elif n.startswith("ProduceAsync") or n.startswith("StreamPush"):
            delta = rng.uniform(28, 45)
        elif n.startswith("ProduceSync"):
            delta = rng.uniform(-3, 4)
        else:
            delta = rng.uniform(-2.5, 2.5)
        p = "p=0.000 n=10" if abs(delta) > 5 else f"p={rng.uniform(0.08, 0.9):.3f} n=10"
        out.append(f"{n:<33}   {base:>10.1f}n ± {rng.uniform(0.5, 3):.0f}%   {base * (1 + delta / 100):>10.1f}n ± {rng.uniform(0.5, 4):.0f}%  {delta:+.2f}% ({p})")
    out.append("geomean                              ...                           +11.93%")
    out.append("")
    out.append("                                 │   old.txt    │               new.txt                │")
    out.append("                                 │    allocs/op   │  allocs/op    vs base                │")
    for n in names:
        a = rng.randrange(0, 60)
        out.append(f"{n:<33}   {a:>6} ± 0%   {a:>6} ± 0%  ~ (p=1.000 n=10)")
    return "\n".join(out) + "\n"


def _pprof_top(seed: int, new: bool) -> str:
    rng = random.Random(seed)
    funcs = [
        "runtime.futex", "runtime.lock2", "sync.(*Mutex).lockSlow", "github.com/twmb/franz-go/pkg/kgo.(*recBuf).bufferRecord",
        "github.com/twmb/franz-go/pkg/kgo.(*sink).drain", "github.com/twmb/franz-go/pkg/kgo.(*Client).produce",
        "github.com/klauspost/compress/zstd.(*Encoder).EncodeAll", "runtime.mallocgc", "runtime.memmove",
        "github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Add", "github.com/northwind/ingest-gateway/internal/grpcapi.(*Server).Push",
        "google.golang.org/grpc/internal/transport.(*http2Server).operateHeaders", "runtime.selectgo", "runtime.chansend",
        "github.com/twmb/franz-go/pkg/kgo.(*producer).waitBuffer", "sync.(*Cond).Wait", "runtime.gcBgMarkWorker", "syscall.Syscall6",
        "internal/poll.(*FD).Write", "github.com/prometheus/client_golang/prometheus.(*histogram).Observe",
    ]
    heavy = {"sync.(*Mutex).lockSlow", "runtime.lock2", "runtime.futex", "github.com/twmb/franz-go/pkg/kgo.(*producer).waitBuffer", "sync.(*Cond).Wait"}
    rows = []
    for f in funcs:
        flat = rng.uniform(0.2, 3.0) * (6 if new and f in heavy else 1)
        rows.append((flat, rng.uniform(flat, flat * 4 + 5), f))
    rows.sort(reverse=True)
    tot = sum(r[0] for r in rows)
    out = [f"File: gateway-{'new' if new else 'old'}", "Type: cpu", f"Time: Oct 22, 2025 at {rng.randrange(10, 17)}:{rng.randrange(10, 59)}am (UTC)", "Duration: 30.12s, Total samples = 88.41s (293.54%)",
           "Showing nodes accounting for 79.90s, 90.37% of 88.41s total", "Dropped 412 nodes (cum <= 0.44s)", "      flat  flat%   sum%        cum   cum%"]
    acc = 0.0
    for flat, cum, f in rows:
        acc += flat
        out.append(f"{flat:9.2f}s {100 * flat / tot:5.2f}% {100 * acc / tot:5.2f}% {cum:9.2f}s {100 * cum / tot:5.2f}%  {f}")
    return "\n".join(out) + "\n"


def _load_test(seed: int, new: bool) -> str:
    rng = random.Random(seed)
    out = [f"ghz --insecure --proto api/ingest.proto --call ingest.v1.Ingest/Push -c 400 -z 60s --rps 0 gateway-{'new' if new else 'old'}:8443", ""]
    for s in range(0, 60, 2):
        rps = rng.uniform(61000, 64000) * (0.64 if new else 1.0)
        p99 = rng.uniform(18, 24) * (2.9 if new else 1.0)
        out.append(f"[{s:02d}s] rps={rps:8.0f}  p50={rng.uniform(3, 5) * (1.4 if new else 1):5.2f}ms  p99={p99:6.2f}ms  errors=0")
    out += ["", "Summary:", f"  Count:        {int(rng.uniform(3.6e6, 3.8e6) * (0.64 if new else 1))}", f"  Requests/sec: {rng.uniform(61000, 63000) * (0.64 if new else 1):.2f}"]
    return "\n".join(out) + "\n"


_GOMOD_DIFF = """diff --git a/go.mod b/go.mod
index 3c91e2a..b7d04f1 100644
--- a/go.mod
+++ b/go.mod
@@ -1,6 +1,6 @@
 module github.com/northwind/ingest-gateway

-go 1.22.6
+go 1.23.2

 require (
 \tgithub.com/prometheus/client_golang v1.19.1
-\tgithub.com/twmb/franz-go v1.16.1
+\tgithub.com/twmb/franz-go v1.17.1
 \tgithub.com/twmb/franz-go/pkg/kadm v1.11.0
-\tgithub.com/klauspost/compress v1.17.7
+\tgithub.com/klauspost/compress v1.17.9
 \tgoogle.golang.org/grpc v1.64.0
 )
"""

oh(
    "g-oh-010", "complex",
    "A 36 percent throughput drop and tripled p99 after a Go and Kafka-client upgrade, with lock contention and producer buffer waits in the profile, is performance debugging with a hidden cause.",
    "gateway",
    [
        U("PR #241 (Go 1.23 + franz-go 1.17 + compress bump, nothing else) passes all tests, but the staging load test drops from ~62k to ~40k rps and p99 goes from ~21ms to ~60ms. we can't ship that. find out what regressed and fix it without pinning us to the old versions forever. old and new binaries are both in /workspace/bin, staging kafka is reachable"),
        sh("cd /workspace/ingest-gateway && git diff main...HEAD -- go.mod", _GOMOD_DIFF),
        sh("cd /workspace/ingest-gateway && cat /tmp/load-old.txt /tmp/load-new.txt", _load_test(1, False) + "\n" + _load_test(1, True)),
        sh("cd /workspace/ingest-gateway && git stash -q && go test -run '^$' -bench . -count 10 ./internal/... > /tmp/old.txt; git stash pop -q && go test -run '^$' -bench . -count 10 ./internal/... > /tmp/new.txt; benchstat /tmp/old.txt /tmp/new.txt", _bench_compare(3), secs=540.0),
        sh("cd /workspace/ingest-gateway && go tool pprof -top -nodecount=20 bin/gateway-old /tmp/cpu-old.pprof; go tool pprof -top -nodecount=20 bin/gateway-new /tmp/cpu-new.pprof", _pprof_top(4, False) + "\n" + _pprof_top(4, True), secs=6.0),
        sh("cd /workspace/ingest-gateway && grep -rn 'kgo\\.' internal/kafka/*.go | grep -v _test", "internal/kafka/writer.go:34:\topts := []kgo.Opt{\ninternal/kafka/writer.go:35:\t\tkgo.SeedBrokers(cfg.Brokers...),\ninternal/kafka/writer.go:36:\t\tkgo.ProducerBatchCompression(kgo.ZstdCompression()),\ninternal/kafka/writer.go:37:\t\tkgo.ProducerLinger(5 * time.Millisecond),\ninternal/kafka/writer.go:38:\t\tkgo.MaxBufferedRecords(20000),\ninternal/kafka/writer.go:39:\t\tkgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),\ninternal/kafka/writer.go:40:\t\tkgo.MaxProduceRequestsInflightPerBroker(5),\ninternal/kafka/writer.go:41:\t}\ninternal/kafka/writer.go:58:\tw.client.Produce(ctx, rec, w.onDone)\ninternal/kafka/writer.go:77:\treturn w.client.Flush(ctx)"),
    ],
)

# --------------------------------------------------------------------------- reasoning

_DISPATCH_TS = """// packages/server/src/webhooks/dispatch.ts
import { request } from "undici";
import { createHmac } from "node:crypto";
import type { Db } from "../db";

export async function dispatch(db: Db, spaceId: string, event: { type: string; payload: unknown }) {
  const hooks = await db.selectFrom("webhooks").selectAll().where("space_id", "=", spaceId).where("enabled", "=", true).execute();
  for (const hook of hooks) {
    const body = JSON.stringify({ type: event.type, data: event.payload, sent_at: new Date().toISOString() });
    const sig = createHmac("sha256", hook.secret).update(body).digest("hex");
    const res = await request(hook.url, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-spindle-signature": sig, ...hook.custom_headers },
      maxRedirections: 5,
      headersTimeout: 10_000,
    });
    await db.insertInto("webhook_deliveries").values({ webhook_id: hook.id, status: res.statusCode, response_excerpt: (await res.body.text()).slice(0, 2000) }).execute();
  }
}
"""

oh(
    "g-oh-011", "reasoning",
    "Threat-modelling tenant-configured webhook URLs, custom headers and echoed responses in a multi-tenant CMS beside internal services is security analysis that must rank attack paths first.",
    "spindle",
    [
        U("We're about to let every space (tenant) configure outgoing webhooks: arbitrary URL, custom headers, and the admin UI shows the last 2 KB of each response so people can debug. Current code is in packages/server/src/webhooks/dispatch.ts. The server runs in our k8s cluster next to Postgres, Redis and the internal admin API, on AWS (IMDSv2 enabled on nodes, but I'm not 100% sure about hop limit). Before we ship: give me a threat model. Who are the attackers, what can they reach or learn through this feature (think SSRF, redirects, DNS rebinding, header injection, secret handling, response reflection, resource exhaustion), how likely and how bad each is, and which mitigations are actually necessary for v1 versus nice to have. Don't write code yet."),
        rd("packages/server/src/webhooks/dispatch.ts", _DISPATCH_TS),
    ],
)

oh(
    "g-oh-012", "reasoning",
    "Designing how gangway scanners that lose connectivity prevent double boarding without blocking boarding is a distributed design decision that trades safety, availability and fraud risk across several options.",
    "harbor",
    [
        U("""Design question, no code yet. Boarding: each sailing has 2-4 handheld scanners at different gangways (car deck, foot passengers, sometimes a crew gate). Tickets are QR codes with a signed booking id + passenger index. Today scanners call POST /boarding/scan online and the server rejects a second scan of the same ticket. Problem: mobile coverage at three of our ports is terrible, scanners go offline for 5-20 minutes during boarding, and the crew then waves people through, which is how we found 40 people boarding twice on one ticket last summer (screenshotting a QR and sharing it).

Constraints: boarding for a sailing takes ~25 minutes and cannot stop; scanners are Android handhelds that can talk to each other over the ship's wifi but not always to shore; crew are not IT people; a false "already boarded" on a legit passenger at the car deck blocks a lane of cars and is worse than letting a fraudster through once.

I want: the options you see (e.g. per-sailing manifest pre-loaded + local dedupe, scanner-to-scanner gossip on ship wifi, a leader scanner, partitioning tickets by gangway, time-boxed tokens, ...), what each guarantees and what happens in every partition case, and your recommendation with the failure modes we'd be accepting."""),
    ],
)

_TB_IMPL_GO = FX["gateway"]["internal/ratelimit/token_bucket.go"].replace(
    """func (tb *TokenBucket) AllowN(n float64) bool {
	panic("not implemented")
}""",
    """func (tb *TokenBucket) AllowN(n float64) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.refill()
	if tb.last.IsZero() || n > tb.tokens {
		return false
	}
	tb.tokens -= n
	return true
}""",
)

oh(
    "g-oh-013", "reasoning",
    "The user wants a proof that the lazily refilled bucket never admits more than capacity plus rate times the window in any interval, or a counterexample trace, which is a correctness argument over the code.",
    "gateway",
    [
        U("Partner contract says: in any window of length t seconds we accept at most Capacity + Rate*t tokens per tenant. TokenBucket in internal/ratelimit is what enforces it. I need an actual argument that the implementation guarantees this for every t and every sequence of AllowN calls (including fractional n, calls at the same instant, a clock that steps backwards, and the very first call), or a concrete counterexample trace if it doesn't. Please be rigorous, legal will read it."),
        rd("internal/ratelimit/token_bucket.go", _TB_IMPL_GO),
    ],
)

# --------------------------------------------------------------------------- long investigation that ends in a synthesis request


def _recon_rows(seed: int, n: int) -> str:
    rng = random.Random(seed)
    out = ["account_id | batch | currency | statement_closing | sum_entries | diff_minor | migrated_at"]
    for _ in range(n):
        batch = rng.choice([1, 2, 3, 3, 3, 4])
        diff = 0 if batch != 3 else rng.choice([-1, 1, -2, 1, 1, 0, 3, -1])
        closing = rng.randrange(10_000, 90_000_000)
        cur = rng.choice(["EUR", "SEK", "NOK", "DKK"] if batch == 3 else ["EUR", "EUR", "USD", "GBP"])
        out.append(f"{rng.randrange(100000, 999999)} | {batch} | {cur} | {closing} | {closing - diff} | {diff} | 2025-0{3 + batch}-1{rng.randrange(0, 9)}")
    return "\n".join(out)


def _migration_log(seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for b in (1, 2, 3, 4):
        for i in range(40):
            out.append(f"2025-0{3 + b}-1{i % 9} 0{i % 6}:{rng.randrange(10, 59)}:{rng.randrange(10, 59)} INFO  migrate-legacy batch={b} chunk={i} accounts={rng.randrange(180, 260)} entries={rng.randrange(20000, 90000)} converter={'LegacyAmountConverter v2 (BigDecimal HALF_EVEN)' if b == 3 else 'LegacyAmountConverter v1 (long, exact)'}")
    return "\n".join(out)


_LEGACY_CONVERTER = """package com.acme.ledger.migration.legacy;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Converts legacy decimal amounts (major units, stored as text, up to 4 decimals) to minor units. */
final class LegacyAmountConverter {

    // v2 (batch 3 onwards): legacy Nordic accounts carry 4-decimal amounts from the old FX engine
    static long toMinor(String legacyAmount, int minorDigits) {
        return new BigDecimal(legacyAmount).movePointRight(minorDigits).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    // the opening balance is converted once from the legacy closing balance, not from the entries
    static long openingBalance(String legacyClosing, int minorDigits) {
        return new BigDecimal(legacyClosing).movePointRight(minorDigits).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }
}
"""

oh(
    "g-oh-014", "reasoning",
    "After a long evidence hunt the ask is the causal chain behind statements off by a few minor units in one migration batch, and the confidence in it: a root-cause synthesis across code, data and logs.",
    "ledger",
    [
        U("finance says monthly statements for some merchants don't match the sum of their ledger entries, off by 1-3 minor units. find which accounts and why. read-only, don't change data"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_REPLICA_DSN\" -At -F ' | ' -f scripts/recon/statement_vs_entries.sql | head -400", _recon_rows(21, 400), secs=48.0),
        A("Every non-zero diff is in migration batch 3 and in SEK/NOK/DKK; batches 1, 2 and 4 reconcile exactly. Looking at how the batches were migrated."),
        sh("cd /workspace/ledger-service && grep -h 'migrate-legacy' /var/log/ledger/migrate-legacy-*.log | head -160", _migration_log(22)),
        rd("src/main/java/com/acme/ledger/migration/legacy/LegacyAmountConverter.java", _LEGACY_CONVERTER),
        sh("cd /workspace/ledger-service && git log --format='%h %ad %s' --date=short -- src/main/java/com/acme/ledger/migration/legacy/", "5e71c0a 2025-06-02 LegacyAmountConverter: handle 4-decimal Nordic amounts (LEDG-1102)\n91d3b7e 2025-04-08 Legacy migration: opening balance from legacy closing (LEDG-1061)\nc0a8e25 2025-03-30 Legacy migration tool (LEDG-1040)"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_REPLICA_DSN\" -Atc \"select l.amount_text, e.amount_minor from legacy.entries l join entries e on e.legacy_id = l.id where e.account_id = 418203 order by l.posted_at limit 12\"", "12.3450|1234\n7.1250|712\n0.0050|0\n19.9950|2000\n3.2150|322\n100.0000|10000\n0.0150|2\n8.4850|848\n2.5050|250\n14.0050|1400\n0.1250|12\n6.6650|666"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_REPLICA_DSN\" -Atc \"select sum(l.amount_text::numeric) as legacy_sum, (select closing_text from legacy.accounts where id = 418203) as legacy_closing, sum(e.amount_minor) as new_sum from legacy.entries l join entries e on e.legacy_id = l.id where e.account_id = 418203\"", "48211.7350|48211.7350|4821171"),
        sh("cd /workspace/ledger-service && sed -n '1,60p' src/main/java/com/acme/ledger/service/StatementService.java | grep -n 'opening\\|running'", "36:        long opening = entries.sumByAccountBefore(accountId, from);\n39:        long running = opening;\n42:                running += e.amountMinor();\n53:        return new Statement(account.id(), account.currency(), month, opening, running, lines);"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_REPLICA_DSN\" -Atc \"select kind, amount_minor from entries where account_id = 418203 and kind = 'OPENING_BALANCE'\"; psql \"$LEDGER_REPLICA_DSN\" -Atc \"select count(*) from accounts where migrated_batch = 3\"", "OPENING_BALANCE|4821174\n2291"),
        U("ok you've got a lot of pieces now. before anyone writes a fix, give me the full causal chain: why only batch 3, why only some months and some merchants, why the diff is at most a few units and can go either way, and which of the numbers above prove it. also tell me what evidence would make you wrong, and whether batch 4 is really safe or just lucky"),
    ],
)


# =========================================================================== other clients (Aider, Cline, plain OpenAI SDK)

VOLUNTEER = Project(
    "volunteer", "helping-hands", "helping-hands-org/helping-hands", "/Users/sofia", "/Users/sofia/Sites/helping-hands", "darwin",
    "sofia/shift-reminders",
    "M app/Notifications/ShiftReminder.php",
    "c2e9a13 Shifts: waitlist when full (#141)\n7b04d6e Laravel 11.20 (#138)\n39fa1c2 Larastan level 6 (#135)\n0d8e7b4 Volunteers: encrypted phone numbers (#131)\n5a61f92 Pest 2 (#127)",
    notes="""# helping-hands

Volunteer shift sign-ups for food banks. Laravel 11, PHP 8.3, MySQL 8, Livewire 3, Pest, Larastan level 6.
Hosted on a single Forge server (prod) + one staging server.

- `composer test`, `./vendor/bin/phpstan analyse`, `./vendor/bin/pint`
- Volunteers' phone numbers and emergency contacts use Eloquent `encrypted` casts
- Queue: database driver, `php artisan queue:work` under Supervisor
""",
)
_INLINE[VOLUNTEER.key] = VOLUNTEER

_aider_hist = [
    "USER: pricebook/pricing/lists.py list_prices() ignores VolumeTier rows whose group is inherited from a parent CustomerGroup. we added CustomerGroup.parent last sprint",
    "ASSISTANT: To include inherited tiers I'll walk up `CustomerGroup.parent` and merge tiers, letting the child group's tier win when both define the same `min_qty`.\n\npricebook/pricing/lists.py\n<<<<<<< SEARCH\n    tiers = VolumeTier.objects.filter(group=group).order_by(\"min_qty\")\n=======\n    tiers = _effective_tiers(group)\n>>>>>>> REPLACE",
    "USER: also markup_pct should come from the nearest ancestor that sets it, child can leave it null now",
    "ASSISTANT: I'll add `_effective_markup(group)` that walks up until it finds a non-null `markup_pct` and raise `ImproperlyConfigured` if none of the chain sets one.",
    "USER: tests/pricing/test_lists.py::test_inherited_tiers fails: AssertionError: assert [1, 10, 50] == [1, 10, 25, 50]",
    "ASSISTANT: The parent's 25-unit tier is dropped because `_effective_tiers` stops at the first ancestor that has any tiers. I changed it to collect tiers from the whole chain and then dedupe by `min_qty`, child first.",
    "USER: passes now. can you add a guard against cycles in parent, someone will do it in the admin",
    "ASSISTANT: Added a `seen` set in both walkers; a cycle raises `ImproperlyConfigured(\"customer group parent cycle: GRP1 -> GRP4 -> GRP1\")`, plus a `clean()` on `CustomerGroup` so the admin rejects it on save. Tests: `test_parent_cycle_rejected_in_clean`, `test_parent_cycle_raises_in_pricing`.",
]

other(
    "g-ot-o01", "simple",
    "Aider's history-summarisation call compresses a few past turns about inherited price tiers into a first-person paragraph, which is harness bookkeeping.",
    openai_sdk("g-ot-o01", [
        {"role": "system", "content": P.AIDER_SUMMARIZE},
        {"role": "user", "content": "\n\n".join(_aider_hist)},
    ], model="gpt-4o-mini", stream=False, temperature=0),
)

other(
    "g-ot-o02", "simple",
    "Writing a three-to-five word title with an emoji for a short chat about autovacuum settings is a harness side request.",
    openai_sdk("g-ot-o02", [{"role": "user", "content": P.OPENWEBUI_TITLE.replace("{history}", "USER: our orders table (300M rows) gets autovacuumed like once a week and dead tuples pile up to 40M. autovacuum_vacuum_scale_factor is the default. what should I set?\nASSISTANT: With the default scale factor of 0.2 autovacuum waits for ~60M dead tuples on a 300M-row table. Set per-table thresholds instead of global ones: ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 50000); and consider raising autovacuum_vacuum_cost_limit so each run finishes faster.\nUSER: per table, nice. does that need a restart?\nASSISTANT: No, storage parameters on a table take effect for the next autovacuum cycle without a restart.")}],
               model="gpt-4o-mini", stream=False, max_tokens=50),
)

cl(
    "g-ot-o03", "simple",
    "Larastan names the one class missing its import in one file, so the fix is adding a single use statement.",
    "volunteer",
    [
        U("phpstan fails after my last change:\n\n ------ ----------------------------------------------------------------------\n  Line   app/Notifications/ShiftReminder.php\n ------ ----------------------------------------------------------------------\n  42     Call to static method limit() on an unknown class\n         App\\Notifications\\Str.\n         💡 Learn more at https://phpstan.org/user-guide/discovering-symbols\n ------ ----------------------------------------------------------------------\n\n [ERROR] Found 1 error\n\njust add the missing import"),
    ],
    visible=["app/Notifications/ShiftReminder.php"],
)

# --------------------------------------------------------------------------- medium

_ROUNDING_PY = """from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def render_price(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def round_to_price_point(value: Decimal) -> Decimal:
    \"\"\"Round a computed unit price to the customer-facing price point.\"\"\"
    raise NotImplementedError
"""

other(
    "g-ot-o04", "medium",
    "Implementing one price-point rounding function from a short list of explicit rules, with pytest cases, is a contained function with a clear spec.",
    aider("g-ot-o04", """implement round_to_price_point, marketing's rules:
- below 10.00: round UP to the next x.x9 (4.31 -> 4.39, 4.39 stays, 4.40 -> 4.49)
- 10.00 to 99.99: round to the nearest x.49 or x.99, ties go up (12.24 -> 12.49? no: 12.24 is closer to 11.99 than 12.49 -> 11.99; 12.74 -> 12.99... use nearest, tie up)
- 100 and above: round up to the next whole .00 minus 0.01, i.e. x9.99 is not required, just N.99 where N = ceil(value) - 1 if value has cents else value - 0.01? ugh, simpler: 100+ always ends in .99 and never goes below the input
- never return less than the input price minus 2% (margin floor), if the rule would do that use render_price(value) instead
Decimal only, no floats. add tests/pricing/test_rounding.py with the examples above plus the boundaries 9.99/10.00 and 99.99/100.00""",
          files={"pricebook/pricing/rounding.py": _ROUNDING_PY}),
)

_BACKUP_SH = """#!/usr/bin/env bash
set -euo pipefail

DB=helping_hands
OUT=/var/backups/mysql
STAMP=$(date +%F_%H%M)

mysqldump --single-transaction --routines "$DB" | gzip > "$OUT/$DB-$STAMP.sql.gz"

# keep 14 days
find "$OUT" -name "$DB-*.sql.gz" -mtime +14 -delete

# warn if the dump is suspiciously small (empty db, auth failure, ...)
SIZE=$(stat -c %s "$OUT/$DB-$STAMP.sql.gz")
if [ "$SIZE" -lt 1048576 ]; then
  echo "backup too small: $SIZE bytes" | mail -s "[helping-hands] backup warning" ops@helping-hands.org
fi

ls -1 "$OUT" | grep -c "$DB-.*failed" | xargs -I{} echo "{} failed dumps on disk"
echo "backup ok: $OUT/$DB-$STAMP.sql.gz"
"""

other(
    "g-ot-o05", "medium",
    "Explaining why a short backup script exits silently under pipefail when a grep count finds nothing, and how to fix that line, is ordinary script explanation with a visible cause.",
    openai_sdk("g-ot-o05", [
        {"role": "system", "content": "You are a helpful assistant for developers. Answer concisely with code where useful."},
        {"role": "user", "content": "this cron backup script works, the .sql.gz file is there every morning, but \"backup ok\" never shows up in the cron mail and the exit status is 1. no error message at all. what's going on? bash 5.1 on ubuntu 22.04\n\n```bash\n" + _BACKUP_SH + "```"},
    ], model="gpt-4.1"),
)

cl(
    "g-ot-o06", "medium",
    "A read-only week-view endpoint that copies the existing shift endpoint's shape, plus one integration test, is ordinary endpoint work in two files.",
    "roster",
    [
        U("add GET /api/wards/{wardId}/week?start=2025-11-03 to ShiftEndpoints: returns 7 days, each with day/evening/night shifts and the assigned nurses' display names (not national ids!). start must be a Monday, otherwise 400 with a problem details body. 404 for unknown ward. same style as ListShifts, plus a test in tests/Roster.Api.Tests/ShiftEndpointsTests.cs"),
        rd(f"{ROSTER.cwd}/src/Roster.Api/Endpoints/ShiftEndpoints.cs", "namespace Roster.Api.Endpoints;\n\npublic static class ShiftEndpoints\n{\n    public static RouteGroupBuilder MapShifts(this RouteGroupBuilder api)\n    {\n        var g = api.MapGroup(\"/wards/{wardId:int}/shifts\").WithTags(\"Shifts\");\n        g.MapGet(\"/\", ListShifts);\n        g.MapPost(\"/\", CreateShift).RequireAuthorization(\"ChargeNurse\");\n        return api;\n    }\n\n    static async Task<Results<Ok<List<ShiftDto>>, NotFound>> ListShifts(int wardId, DateOnly from, DateOnly to, RosterDbContext db, CancellationToken ct)\n    {\n        if (!await db.Wards.AnyAsync(w => w.Id == wardId, ct)) return TypedResults.NotFound();\n        var shifts = await db.Shifts.AsNoTracking()\n            .Where(s => s.WardId == wardId && s.Date >= from && s.Date <= to)\n            .OrderBy(s => s.Date).ThenBy(s => s.Type)\n            .Select(s => new ShiftDto(s.Id, s.Date, s.Type, s.Assignments.Select(a => a.NurseId).ToList()))\n            .ToListAsync(ct);\n        return TypedResults.Ok(shifts);\n    }\n\n    static async Task<Results<Created<ShiftDto>, ValidationProblem, NotFound>> CreateShift(int wardId, CreateShiftRequest req, RosterDbContext db, CancellationToken ct)\n    {\n        if (!await db.Wards.AnyAsync(w => w.Id == wardId, ct)) return TypedResults.NotFound();\n        var errors = req.Validate();\n        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);\n        var shift = new Shift { WardId = wardId, Date = req.Date, Type = req.Type };\n        db.Shifts.Add(shift);\n        await db.SaveChangesAsync(ct);\n        return TypedResults.Created($\"/api/wards/{wardId}/shifts/{shift.Id}\", new ShiftDto(shift.Id, shift.Date, shift.Type, []));\n    }\n}\n", pre="Let me read the existing endpoints to follow their style."),
    ],
    visible=["src/Roster.Api/Endpoints/ShiftEndpoints.cs", "tests/Roster.Api.Tests/ShiftEndpointsTests.cs"],
)

# --------------------------------------------------------------------------- complex

cl(
    "g-ot-o07", "complex",
    "Rotating APP_KEY on a live Laravel server makes every encrypted phone number and emergency contact unreadable and logs everyone out unless previous keys and re-encryption are handled, so it needs a careful plan.",
    "volunteer",
    [
        U("our .env with APP_KEY was in a public gist for ~2 days (someone debugging). rotate the key on prod now: ssh forge@prod.helping-hands.org, cd into the site, php artisan key:generate --force, restart the queue workers. go"),
        sh("ssh forge@prod.helping-hands.org 'cd helping-hands.org && grep -n \"APP_KEY\\|APP_PREVIOUS_KEYS\\|SESSION_DRIVER\" .env | sed \"s/=.*/=<redacted>/\" && php artisan about --only=environment && grep -rn \"encrypted\" app/Models'", "6:APP_KEY=<redacted>\n22:SESSION_DRIVER=<redacted>\n\n  Environment .................................................................\n  Application Name ......................................... Helping Hands\n  Laravel Version .................................................. 11.20.0\n  PHP Version ........................................................ 8.3.11\n  Environment ........................................................ production\n  Debug Mode ......................................................... OFF\n  URL ....................................................... helping-hands.org\n\napp/Models/Volunteer.php:31:            'phone' => 'encrypted',\napp/Models/Volunteer.php:32:            'emergency_contact' => 'encrypted:array',\napp/Models/Organisation.php:24:            'sms_api_token' => 'encrypted',"),
    ],
    visible=[".env.example", "app/Models/Volunteer.php"],
)

_FANOUT_PY = """import asyncio
import json
import logging

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

log = logging.getLogger(__name__)
app = FastAPI()


class Hub:
    def __init__(self) -> None:
        self.rooms: dict[str, set[WebSocket]] = {}
        self.lock = asyncio.Lock()

    async def join(self, room: str, ws: WebSocket) -> None:
        async with self.lock:
            self.rooms.setdefault(room, set()).add(ws)

    async def leave(self, room: str, ws: WebSocket) -> None:
        async with self.lock:
            self.rooms.get(room, set()).discard(ws)

    async def broadcast(self, room: str, msg: dict) -> None:
        data = json.dumps(msg)
        async with self.lock:
            targets = list(self.rooms.get(room, ()))
            results = await asyncio.gather(*(ws.send_text(data) for ws in targets), return_exceptions=True)
        for ws, r in zip(targets, results):
            if isinstance(r, Exception):
                log.info("dropping socket after send error: %s", r)
                await self.leave(room, ws)


hub = Hub()


@app.websocket("/rooms/{room}")
async def room_socket(ws: WebSocket, room: str) -> None:
    await ws.accept()
    await hub.join(room, ws)
    try:
        while True:
            msg = json.loads(await ws.receive_text())
            msg["seq"] = await next_seq(room)
            await hub.broadcast(room, msg)
    except WebSocketDisconnect:
        await hub.leave(room, ws)


_seq: dict[str, int] = {}


async def next_seq(room: str) -> int:
    _seq[room] = _seq.get(room, 0) + 1
    await asyncio.sleep(0)  # yield so the loop stays fair
    return _seq[room]
"""

other(
    "g-ot-o08", "complex",
    "Out-of-order sequence numbers and all rooms stalling only at scale come from a global lock held across sends to slow sockets and a non-atomic counter, a concurrency bug not visible on its face.",
    aider("g-ot-o08", "live auction rooms: with ~30 bidders per room everything is fine. load test with 800 clients over 40 rooms: clients see seq numbers out of order (seq 412 arrives before 411), sometimes a duplicate seq, and every few minutes ALL rooms freeze for 5-15 seconds then catch up at once. one slow mobile client seems enough to trigger the freeze. cpu is low the whole time. fix it properly, bids must be delivered in seq order per room and one slow client must never stall others",
          files={"auction/live.py": _FANOUT_PY}),
)

_EXPLAIN_BEFORE = """ Limit  (cost=1.14..412.37 rows=50 width=96) (actual time=0.081..38.902 rows=50 loops=1)
   ->  Nested Loop  (cost=1.14..1841237.10 rows=223871 width=96) (actual time=0.080..38.870 rows=50 loops=1)
         ->  Index Scan Backward using orders_store_id_placed_at_idx on orders o  (cost=0.57..412008.21 rows=223871 width=64) (actual time=0.041..1.902 rows=1450 loops=1)
               Index Cond: ((store_id = 118) AND (placed_at >= '2025-09-01 00:00:00+00'::timestamp with time zone))
               Filter: (status = ANY ('{paid,shipped}'::order_status[]))
               Rows Removed by Filter: 310
         ->  Index Scan using customers_pkey on customers c  (cost=0.57..6.38 rows=1 width=40) (actual time=0.024..0.024 rows=0 loops=1450)
               Index Cond: (id = o.customer_id)
               Filter: (NOT is_test)
               Rows Removed by Filter: 1
 Planning Time: 0.412 ms
 Execution Time: 38.961 ms
"""

_EXPLAIN_AFTER = """ Limit  (cost=389211.55..389217.38 rows=50 width=96) (actual time=9123.402..9131.877 rows=50 loops=1)
   ->  Gather Merge  (cost=389211.55..410982.06 rows=186592 width=96) (actual time=9123.400..9131.861 rows=50 loops=1)
         Workers Planned: 2
         Workers Launched: 2
         ->  Sort  (cost=388211.53..388444.77 rows=93296 width=96) (actual time=9101.288..9101.301 rows=41 loops=3)
               Sort Key: o.placed_at DESC
               Sort Method: top-N heapsort  Memory: 38kB
               ->  Parallel Hash Join  (cost=201877.31..385112.62 rows=93296 width=96) (actual time=6410.552..9089.113 rows=71204 loops=3)
                     Hash Cond: (o.customer_id = c.id)
                     ->  Parallel Bitmap Heap Scan on orders o  (cost=6120.42..182377.90 rows=93296 width=64) (actual time=41.288..2211.004 rows=71531 loops=3)
                           Recheck Cond: ((store_id = 118) AND (placed_at >= '2025-09-01 00:00:00+00'::timestamp with time zone))
                           Filter: (status = ANY ('{paid,shipped}'::order_status[]))
                           Rows Removed by Filter: 15402
                           Heap Blocks: exact=40122
                           ->  Bitmap Index Scan on orders_store_id_placed_at_idx  (cost=0.00..6064.44 rows=261187 width=0) (actual time=33.870..33.871 rows=260799 loops=1)
                     ->  Parallel Hash  (cost=148113.57..148113.57 rows=1906186 width=40) (actual time=6301.077..6301.078 rows=1523410 loops=3)
                           Buckets: 262144  Batches: 32  Memory Usage: 10496kB
                           ->  Parallel Seq Scan on customers c  (cost=0.00..148113.57 rows=1906186 width=40) (actual time=0.412..5012.330 rows=1523410 loops=3)
                                 Filter: (NOT is_test)
                                 Rows Removed by Filter: 4
 Planning Time: 1.887 ms
 JIT:
   Functions: 31
   Options: Inlining false, Optimization false, Expressions true, Deforming true
   Timing: Generation 3.102 ms, Inlining 0.000 ms, Optimization 1.551 ms, Emission 24.870 ms, Total 29.523 ms
 Execution Time: 9134.201 ms
"""

other(
    "g-ot-o09", "complex",
    "A production query that went from 39 ms to 9 s after a major Postgres upgrade, with a plan flip driven by row estimates rather than by the query, is performance work on a live database with a hidden cause.",
    openai_sdk("g-ot-o09", [
        {"role": "system", "content": "You are a senior database engineer. The user runs PostgreSQL in production; be careful with anything that locks or rewrites large tables."},
        {"role": "user", "content": "We upgraded prod from Postgres 14 to 16 with pg_upgrade on Sunday (link mode). Since then the store dashboard's \"recent orders\" query takes 9 s instead of 40 ms, only for big stores. Same query, same indexes, nothing else changed. Orders 180M rows, customers 4.6M. work_mem 16MB, random_page_cost 1.1, effective_cache_size 48GB, same config as before.\n\n```sql\nSELECT o.id, o.number, o.placed_at, o.total_cents, c.name\nFROM orders o\nJOIN customers c ON c.id = o.customer_id\nWHERE o.store_id = $1 AND o.placed_at >= $2 AND o.status IN ('paid', 'shipped') AND NOT c.is_test\nORDER BY o.placed_at DESC\nLIMIT 50;\n```\n\nPG14 plan (from our runbook, captured in August):\n```\n" + _EXPLAIN_BEFORE + "```\n\nPG16 now:\n```\n" + _EXPLAIN_AFTER + "```\n\nWhat happened and what do I do about it today, without taking the site down? Customers are complaining."},
    ], model="gpt-4.1", temperature=0.2),
)

# --------------------------------------------------------------------------- reasoning

other(
    "g-ot-o10", "reasoning",
    "Choosing an incremental cycle-detection algorithm for a stream of dependency-edge insertions with amortised bounds, and arguing its correctness, is a hard algorithmic problem with explicit high reasoning effort.",
    openai_sdk("g-ot-o10", [
        {"role": "developer", "content": "You are helping design the dependency resolver of a build system. Be rigorous: state invariants and complexity bounds, and prove the key claims."},
        {"role": "user", "content": "Our build graph is built incrementally: targets (up to ~2M nodes) arrive and edges are added one at a time as BUILD files are parsed (about 10M edge insertions on a full load, no deletions during a load). After every insertion we must reject the edge if it would create a cycle, and report the cycle path. Today we run a DFS from the edge's head per insertion and the full load takes 40 minutes on the monorepo. We also need a topological order at the end (and ideally at any time, for incremental builds that start before parsing finishes).\n\n1. What are the realistic algorithm options (two-way search with levels, dynamic topological order maintenance like Pearce-Kelly / Marchetti-Spaccamela, Bender-Fineman-Gilbert-Tarjan, batching edges and running SCC, ...)? Give their amortised bounds for m insertions on n nodes and which one fits a sparse graph like ours (average out-degree ~5, a few hub targets with 50k dependents).\n2. Pick one and prove that it never accepts an edge that closes a cycle and never rejects one that doesn't, and that the order it maintains is a valid topological order after every accepted insertion.\n3. How do we get the cycle path cheaply when we reject?\n4. Is there a smarter insertion ORDER (e.g. parse leaf packages first) that provably helps the algorithm you chose?"},
    ], model="o3", reasoning_effort="high", max_completion_tokens=32000),
)

_DAILY_SCALA = """package northwind.revenue

import io.delta.tables.DeltaTable
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.sql.functions._

object DailyRevenueRollup {
  def run(spark: SparkSession, date: java.time.LocalDate): Unit = {
    val events = spark.read.format("delta").load("s3://nw-lake/payments/events")
      .where(col("event_date") === lit(date.toString))
    val rollup = events
      .groupBy(col("merchant_id"), col("currency"), col("event_date"))
      .agg(sum(when(col("type") === "capture", col("amount_minor")).otherwise(0)).as("captured_minor"),
           sum(when(col("type") === "refund", col("amount_minor")).otherwise(0)).as("refunded_minor"),
           count(lit(1)).as("events"))
    rollup.write.format("delta").mode("overwrite")
      .option("replaceWhere", s"event_date = '$date'")
      .save("s3://nw-lake/rollups/daily_revenue")
  }
}
"""

other(
    "g-ot-o11", "reasoning",
    "Aider's architect mode asks how a daily rollup should absorb weeks-late events, weighing reprocessing windows, MERGE via change feed and views against correctness and already-sent exports.",
    aider("g-ot-o11", "finance found the daily revenue rollup is wrong for ~2% of merchant-days: payment events (refunds mostly, and chargebacks) arrive late, sometimes 3 weeks late, and our daily job only ever looks at event_date = yesterday. options I can think of: (1) rerun the last N days every night with replaceWhere, (2) MERGE only the affected (merchant, currency, date) keys found via Delta change data feed on the events table, (3) partition events by ingestion date instead and let the rollup be computed from all event_dates touched by yesterday's ingestion, (4) stop materialising and make it a view. downstream: the monthly job, a Looker dashboard and a CSV export sent to merchants (which must not change silently after being sent!). events table is ~6 TB, 40M events/day. which design and why, what happens with the merchant CSV, and what are the failure modes of each (job fails halfway, CDF retention, small files, concurrent writers). don't write code yet",
          files={"src/main/scala/northwind/revenue/DailyRevenueRollup.scala": _DAILY_SCALA}, architect=True, model="claude-sonnet-4-5"),
)

cl(
    "g-ot-o12", "reasoning",
    "In plan mode the user wants a threat model for a support impersonation feature across sessions, audit, tenancy and token handling before building it, which is security analysis across trust boundaries.",
    "spindle",
    [
        U("PLAN ONLY, don't touch files. Support wants an \"impersonate user\" button in the internal admin so they can see exactly what a customer sees in the editor. Spaces are multi-tenant, some customers are banks with contracts that say our staff can't read content without consent. Our auth: Fastify with session cookies for the web UI, per-space API tokens for the SDK, signed preview URLs for drafts (valid 24h). audit_events table exists. Give me a threat model of this feature (insiders, stolen support accounts, session confusion, leaking impersonation into API tokens or preview URLs, the editor's realtime OT socket, audit tampering), how each should be mitigated (consent flow, read-only mode, time limits, step-up auth, separate cookie, ...), and which design you'd pick. We'll discuss before ACT mode."),
    ],
    mode="PLAN MODE",
    visible=["packages/server/src/auth/session.ts", "packages/server/src/routes/admin.ts"],
)
