"""Fresh4-split cases (anthropic dialect): written blind to the router, measured once. See corpus README."""
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


# =========================================================================== a project written inline for this split
# A Django + Celery logistics app for a regional food bank, next to the nine fixture projects.


_INLINE: dict[str, Project] = {
    p.key: p
    for p in [
        Project(
            "pantry", "pantry", "harvestnet/pantry", "/home/olu", "/home/olu/code/pantry", "linux",
            "olu/pickup-filters",
            "M pantry/pickups/views.py\nM pantry/pickups/tests/test_views.py",
            "b2e81c7 Routes: nightly optimisation task per depot (#402)\n6f4d0a9 Donations: expiry date required for chilled items (#398)\n19ac3e2 Celery 5.4, broker moved to Redis (#395)\n0d7b5f1 Agencies: weekly allocation caps (#391)\nc83e6a4 Django 5.1 (#387)",
            shell="bash",
            notes="""# pantry

Logistics for a regional food bank: donations come into 4 depots, partner agencies (shelters, school
pantries) book pickups, and drivers run routes that Celery optimises every night.

Python 3.12, Django 5.1, Django REST Framework, django-filter, Postgres 16, Celery 5.4 with Redis, pytest-django.

- `make test` (pytest, uses the `pantry_test` database from `docker compose up -d db redis`)
- `make lint` (ruff + mypy), run before committing
- Apps: `donations`, `stock`, `agencies`, `pickups`, `routes`. API in `<app>/api.py` or `<app>/views.py`, filters in `<app>/filters.py`
- Quantities are integer units of the item's `pack_size`; never floats.
- Agencies only ever see their own pickups (`AgencyScopedMixin`). Staff see everything.
- Celery tasks live in `<app>/tasks.py` and must be idempotent: the nightly route job can be re-run by hand.
""",
        ),
    ]
}


BOOK = CaseBook(CASES, _INLINE)
cc, side, sdk = BOOK.cc, BOOK.side, BOOK.sdk


GW, INF, WH, SHOP, PAY, TW, LED, WEB, RND = FX["gateway"], FX["infra"], FX["warehouse"], FX["shopfront"], FX["payments"], FX["tidewater"], FX["ledger"], FX["web"], FX["render"]


def _pytest_pantry(seed: int, fail: dict[str, str] | None = None) -> str:
    """`make test` over pantry (pytest -v)."""
    rng = random.Random(seed)
    fail = fail or {}
    tests = {
        "pantry/donations/tests/test_models.py": ["test_chilled_requires_expiry", "test_units_are_integer_packs", "test_donor_receipt_number_sequence"],
        "pantry/donations/tests/test_api.py": ["test_create_donation_staff_only", "test_list_donations_by_depot", "test_expiry_in_past_rejected"],
        "pantry/stock/tests/test_ledger.py": ["test_receive_increments_on_hand", "test_allocate_reserves_units", "test_release_returns_units", "test_cannot_allocate_more_than_on_hand", "test_expired_lots_not_allocatable"],
        "pantry/agencies/tests/test_caps.py": ["test_weekly_cap_blocks_extra_pickup", "test_cap_resets_monday_local_time", "test_staff_can_override_cap"],
        "pantry/pickups/tests/test_views.py": ["test_agency_sees_only_own_pickups", "test_staff_sees_all_pickups", "test_create_pickup_reserves_stock", "test_cancel_pickup_releases_stock", "test_pickup_list_ordering"],
        "pantry/routes/tests/test_tasks.py": ["test_optimise_routes_one_depot", "test_optimise_routes_idempotent", "test_route_respects_vehicle_capacity", "test_chilled_stops_first"],
    }
    out = [
        "docker compose up -d db redis",
        "[+] Running 2/2",
        " ✔ Container pantry-db-1     Running",
        " ✔ Container pantry-redis-1  Running",
        "DJANGO_SETTINGS_MODULE=pantry.settings.test pytest -v",
        "============================= test session starts ==============================",
        "platform linux -- Python 3.12.6, pytest-8.3.3, pluggy-1.5.0 -- /home/olu/code/pantry/.venv/bin/python",
        "django: version: 5.1.2, settings: pantry.settings.test (from env)",
        "rootdir: /home/olu/code/pantry",
        "configfile: pyproject.toml",
        "plugins: django-4.9.0, celery-0.0.0, cov-5.0.0",
        f"collected {sum(len(v) for v in tests.values())} items",
        "",
    ]
    n = sum(len(v) for v in tests.values())
    i = 0
    failed = []
    for path, names in tests.items():
        for t in names:
            i += 1
            st = "FAILED" if t in fail else "PASSED"
            if t in fail:
                failed.append((path, t))
            out.append(f"{path}::{t} {st}{' ' * max(1, 70 - len(path) - len(t))}[{int(i * 100 / n):>3}%]")
    if failed:
        out += ["", "=================================== FAILURES ==================================="]
        for _path, t in failed:
            out += [f"{'_' * 20} {t} {'_' * 20}", fail[t], ""]
        out.append("=========================== short test summary info ============================")
        out += [f"FAILED {p}::{t} - {fail[t].splitlines()[-1][:80]}" for p, t in failed]
    secs = 8 + rng.random() * 5
    out.append(f"==================== {len(failed)} failed, {n - len(failed)} passed in {secs:.2f}s ====================" if failed else f"============================== {n} passed in {secs:.2f}s ==============================")
    return "\n".join(out) + "\n"


# =========================================================================== simple: Claude Code side requests

side(
    "k-cc-001", "simple",
    "A 5-10 word title for a finished conversation about a Django admin list filter is harness bookkeeping.",
    "title",
    "User: in the django admin for Donation can we filter by depot and by 'expires within 7 days'? staff keep scrolling\n"
    "Assistant: Added `list_filter = (\"depot\", ExpiringSoonFilter, \"category\")` to `DonationAdmin` in pantry/donations/admin.py. `ExpiringSoonFilter` is a `SimpleListFilter` with options 3, 7 and 14 days that filters `expires_on__lte=today + N days` and excludes already-expired lots. Added two tests in test_admin.py; `make test` passes.\n"
    "User: perfect, ty",
)

side(
    "k-cc-002", "simple",
    "Extracting the command prefix of a chained rails schema load and rspec run is a lookup against the policy examples.",
    "bash_prefix",
    "RAILS_ENV=test bin/rails db:schema:load && bundle exec rspec spec/services/refund_service_spec.rb --format documentation",
)

side(
    "k-cc-003", "simple",
    "Deciding whether a node version bump continues the current topic and naming it is a two-field classification.",
    "topic",
    "unrelated but while ur in there can u bump .nvmrc to 20.18 and the engines field too, vercel is warning about node 18",
)


# =========================================================================== simple: Claude Code main loop

_changelog_tw = """# Changelog

## 0.8.1

- upstream: retry 502/503 with jitter
- http: per-route timeouts

## 0.8.0

- cache: LRU for station lookups
- axum 0.7
"""

cc(
    "k-cc-004", "simple",
    "Both files are read and the user dictated the new version and the two changelog bullets, so the next step is two mechanical edits.",
    "tidewater",
    [
        U("release prep: bump to 0.8.2 in Cargo.toml and add a 0.8.2 section at the top of CHANGELOG.md with two bullets: `cache: get_or_insert_with helper` and `fix: clippy needless_lifetimes`. don't touch anything else, I'll tag it myself"),
        par(rd("Cargo.toml", TW["Cargo.toml"]), rd("CHANGELOG.md", _changelog_tw)),
    ],
)

_statement_ctrl = """package com.acme.ledger.api;

import com.acme.ledger.service.StatementService;
import com.acme.ledger.service.StatementService.StatementPage;
import java.time.LocalDate;
import java.util.UUID;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/v1/accounts/{accountId}/statement")
public class StatementController {
    private final StatementService statements;

    public StatementController(StatementService statements) {
        this.statements = statements;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public StatementPage json(@PathVariable UUID accountId,
                              @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                              @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
                              @RequestParam(required = false) String cursor,
                              @RequestParam(defaultValue = "200") int limit) {
        return statements.page(accountId, from, to, cursor, Math.min(limit, 1000));
    }

    @GetMapping(produces = "text/csv")
    public ResponseEntity<String> csv(@PathVariable UUID accountId,
                                      @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
                                      @RequestParam @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to) {
        return ResponseEntity.ok()
            .header("Content-Disposition", "attachment; filename=statement-" + accountId + ".csv")
            .body(statements.csv(accountId, from, to));
    }
}
"""

_statement_svc = """package com.acme.ledger.service;

import com.acme.ledger.domain.Entry;
import com.acme.ledger.repo.EntryRepository;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class StatementService {
    public record Line(UUID entryId, String postedAt, String reference, long amountMinor, long runningBalanceMinor) {}
    public record StatementPage(List<Line> lines, String nextCursor, long openingBalanceMinor) {}

    private final EntryRepository entries;

    public StatementService(EntryRepository entries) {
        this.entries = entries;
    }

    @Transactional(readOnly = true)
    public StatementPage page(UUID accountId, LocalDate from, LocalDate to, String cursor, int limit) {
        var start = from.atStartOfDay().toInstant(ZoneOffset.UTC);
        var end = to.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        long opening = entries.balanceBefore(accountId, start);
        Keyset after = Keyset.decode(cursor);
        List<Entry> rows = entries.findStatementPage(accountId, start, end, after.postedAt(), after.id(), limit + 1);
        long running = after.runningBalance() != null ? after.runningBalance() : opening;
        var lines = new java.util.ArrayList<Line>();
        for (Entry e : rows.subList(0, Math.min(limit, rows.size()))) {
            running += e.getAmountMinor();
            lines.add(new Line(e.getId(), e.getPostedAt().toString(), e.getReference(), e.getAmountMinor(), running));
        }
        String next = rows.size() > limit ? Keyset.encode(rows.get(limit - 1), running) : null;
        return new StatementPage(lines, next, opening);
    }

    @Transactional(readOnly = true)
    public String csv(UUID accountId, LocalDate from, LocalDate to) {
        var sb = new StringBuilder("entry_id,posted_at,reference,amount_minor,running_balance_minor\\n");
        String cursor = null;
        do {
            var p = page(accountId, from, to, cursor, 1000);
            for (Line l : p.lines()) {
                sb.append(l.entryId()).append(',').append(l.postedAt()).append(',')
                  .append(Csv.escape(l.reference())).append(',').append(l.amountMinor()).append(',')
                  .append(l.runningBalanceMinor()).append('\\n');
            }
            cursor = p.nextCursor();
        } while (cursor != null);
        return sb.toString();
    }
}
"""


def _gradle_test_log(seed: int) -> str:
    rng = random.Random(seed)
    classes = {
        "com.acme.ledger.api.AccountControllerTest": ["getAccountReturnsBalance()", "getAccountOtherTenant404()", "listAccountsPaged()"],
        "com.acme.ledger.api.StatementControllerTest": ["jsonStatementFirstPage()", "jsonStatementCursorContinuesRunningBalance()", "csvStatementHasHeaderAndAllRows()", "csvEscapesCommasInReference()", "limitIsCappedAt1000()", "fromAfterToIs400()"],
        "com.acme.ledger.service.StatementServiceTest": ["openingBalanceExcludesEntriesOnStartDay()", "openingBalanceIncludesEntriesBeforeStart()", "keysetOrderStableForSameTimestamp()", "emptyRangeReturnsOpeningOnly()"],
        "com.acme.ledger.service.TransferServiceTest": ["transferMovesMoney()", "insufficientFundsRejected()", "sameAccountRejected()", "currencyMismatchRejected()", "idempotentOnReference()"],
        "com.acme.ledger.service.PayoutServiceTest": ["payoutRetriesOn409()", "payoutSkipsClosedAccounts()", "payoutBatchesByCurrency()"],
        "com.acme.ledger.repo.EntryRepositoryIT": ["balanceBeforeUsesIndex()", "findStatementPageKeyset()", "createdAtIndexPresent()"],
        "com.acme.ledger.migration.FlywayIT": ["allMigrationsApplyOnEmptyDb()", "v58IndexIsConcurrent()"],
    }
    out = ["> Task :compileJava UP-TO-DATE", "> Task :processResources UP-TO-DATE", "> Task :classes UP-TO-DATE", "> Task :compileTestJava", "> Task :processTestResources UP-TO-DATE", "> Task :testClasses", "> Task :test", ""]
    for cls, ms in classes.items():
        for m in ms:
            out.append(f"{cls} > {m} PASSED ({rng.randrange(4, 900)}ms)")
    n = sum(len(v) for v in classes.values())
    out += ["", f"{n} tests completed, 0 failed", "", "BUILD SUCCESSFUL in 1m 4" + str(rng.randrange(0, 9)) + "s", "5 actionable tasks: 2 executed, 3 up-to-date"]
    return "\n".join(out) + "\n"


cc(
    "k-cc-005", "simple",
    "A long statement-endpoint session is finished and green; the turn is a commit with a dictated message and a push of the feature branch, two known commands.",
    "ledger",
    [
        U("LEDG-1204: we need an account statement endpoint. GET /api/v1/accounts/{id}/statement?from=&to= returning lines with a running balance, keyset pagination (posted_at, id), and the same thing as CSV when Accept: text/csv. opening balance = sum of entries before `from`. there's an index on entries(account_id, posted_at, id) since V58 so use it"),
        todo(("in_progress", "Read AccountController and EntryRepository"), ("pending", "Add balanceBefore and findStatementPage queries"), ("pending", "StatementService with keyset cursor"), ("pending", "StatementController JSON + CSV"), ("pending", "Tests for paging, running balance, CSV escaping"), ("pending", "Run ./gradlew test")),
        par(rd("src/main/java/com/acme/ledger/api/AccountController.java", LED["src/main/java/com/acme/ledger/api/AccountController.java"]), rd("src/main/java/com/acme/ledger/service/TransferService.java", LED["src/main/java/com/acme/ledger/service/TransferService.java"])),
        gr("interface EntryRepository", "src/main/java/com/acme/ledger/repo/EntryRepository.java:12:public interface EntryRepository extends JpaRepository<Entry, UUID> {", path="src/main/java"),
        ed("src/main/java/com/acme/ledger/repo/EntryRepository.java", "public interface EntryRepository extends JpaRepository<Entry, UUID> {", "public interface EntryRepository extends JpaRepository<Entry, UUID> {\n\n    @Query(\"select coalesce(sum(e.amountMinor), 0) from Entry e where e.accountId = :accountId and e.postedAt < :before\")\n    long balanceBefore(@Param(\"accountId\") UUID accountId, @Param(\"before\") Instant before);\n\n    @Query(value = \"\"\"\n        select * from entries\n        where account_id = :accountId and posted_at >= :start and posted_at < :end\n          and (cast(:afterTs as timestamptz) is null or (posted_at, id) > (:afterTs, :afterId))\n        order by posted_at, id\n        limit :limit\n        \"\"\", nativeQuery = true)\n    List<Entry> findStatementPage(UUID accountId, Instant start, Instant end, Instant afterTs, UUID afterId, int limit);\n"),
        wr("src/main/java/com/acme/ledger/service/StatementService.java", _statement_svc),
        wr("src/main/java/com/acme/ledger/api/StatementController.java", _statement_ctrl),
        sh("./gradlew compileJava -q", "/home/priya/work/ledger-service/src/main/java/com/acme/ledger/service/StatementService.java:31: error: cannot find symbol\n        Keyset after = Keyset.decode(cursor);\n        ^\n  symbol:   class Keyset\n  location: class StatementService\n/home/priya/work/ledger-service/src/main/java/com/acme/ledger/service/StatementService.java:56: error: cannot find symbol\n                  .append(Csv.escape(l.reference())).append(',').append(l.amountMinor()).append(',')\n                          ^\n  symbol:   variable Csv\n  location: class StatementService\n2 errors\n\nFAILURE: Build failed with an exception.", code=1, secs=14.0),
        wr("src/main/java/com/acme/ledger/service/Keyset.java", "package com.acme.ledger.service;\n\nimport com.acme.ledger.domain.Entry;\nimport java.nio.charset.StandardCharsets;\nimport java.time.Instant;\nimport java.util.Base64;\nimport java.util.UUID;\n\nrecord Keyset(Instant postedAt, UUID id, Long runningBalance) {\n    static final Keyset START = new Keyset(null, null, null);\n\n    static Keyset decode(String cursor) {\n        if (cursor == null || cursor.isBlank()) return START;\n        String[] p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(\"\\\\|\");\n        return new Keyset(Instant.parse(p[0]), UUID.fromString(p[1]), Long.parseLong(p[2]));\n    }\n\n    static String encode(Entry last, long running) {\n        String raw = last.getPostedAt() + \"|\" + last.getId() + \"|\" + running;\n        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));\n    }\n}\n"),
        wr("src/main/java/com/acme/ledger/service/Csv.java", "package com.acme.ledger.service;\n\nfinal class Csv {\n    private Csv() {}\n\n    static String escape(String s) {\n        if (s == null) return \"\";\n        if (s.contains(\",\") || s.contains(\"\\\"\") || s.contains(\"\\n\")) {\n            return '\"' + s.replace(\"\\\"\", \"\\\"\\\"\") + '\"';\n        }\n        return s;\n    }\n}\n"),
        A("Added `Keyset` (cursor = base64url of `postedAt|id|runningBalance`, so page 2 continues the running balance without re-summing) and `Csv.escape`. Now the tests."),
        wr("src/test/java/com/acme/ledger/api/StatementControllerTest.java", "package com.acme.ledger.api;\n\n// MockMvc tests: first page, cursor continues running balance, CSV header/rows, escaping, limit cap, from>to 400\n"),
        sh("./gradlew test", _gradle_test_log(3), secs=68.0),
        A("Found one gap while testing: `from > to` returned an empty page instead of a 400. Added a check in the controller that throws `ResponseStatusException(BAD_REQUEST)`, plus the test."),
        ed("src/main/java/com/acme/ledger/api/StatementController.java", "        return statements.page(accountId, from, to, cursor, Math.min(limit, 1000));", "        if (from.isAfter(to)) throw new ResponseStatusException(HttpStatus.BAD_REQUEST, \"from must not be after to\");\n        return statements.page(accountId, from, to, cursor, Math.min(limit, 1000));"),
        sh("./gradlew test", _gradle_test_log(4), secs=66.0),
        sh("git status --short && git diff --stat", " M src/main/java/com/acme/ledger/repo/EntryRepository.java\n?? src/main/java/com/acme/ledger/api/StatementController.java\n?? src/main/java/com/acme/ledger/service/Csv.java\n?? src/main/java/com/acme/ledger/service/Keyset.java\n?? src/main/java/com/acme/ledger/service/StatementService.java\n?? src/test/java/com/acme/ledger/api/StatementControllerTest.java\n?? src/test/java/com/acme/ledger/service/StatementServiceTest.java\n src/main/java/com/acme/ledger/repo/EntryRepository.java | 15 +++++++++++++++\n 1 file changed, 15 insertions(+)"),
        A("Done. `GET /api/v1/accounts/{id}/statement` serves JSON pages (limit capped at 1000, keyset cursor over `(posted_at, id)`, which uses the V58 index) and CSV with `Accept: text/csv`. Opening balance is the sum of entries strictly before `from` 00:00 UTC. 26 tests pass. Note: `from`/`to` are interpreted as UTC dates; if statements should follow the account holder's time zone that is a follow-up."),
        U("utc is fine for now. commit everything as \"LEDG-1204: account statement endpoint (JSON + CSV)\" and push the branch"),
    ],
)

cc(
    "k-cc-006", "simple",
    "Running terraform fmt -check and tflint and reporting their output are two documented commands with nothing to change; thinking is on only from the session toggle, so it is labelled by need (README rule 6).",
    "infra",
    [
        U("before i open the PR for the uploads lifecycle thing: run `terraform fmt -check -recursive terraform/` and `tflint --recursive` and just tell me what they complain about. don't fix, don't plan, don't apply."),
    ],
    thinking=8000,
)

_dbt_project = """name: 'warehouse'
version: '1.0.0'
config-version: 2
require-dbt-version: [">=1.8.0", "<1.9.0"]

profile: 'warehouse'

model-paths: ["models"]
seed-paths: ["seeds"]
test-paths: ["tests"]
macro-paths: ["macros"]
snapshot-paths: ["snapshots"]

vars:
  refund_window_days: 90

models:
  warehouse:
    staging:
      +materialized: view
      +schema: staging
    intermediate:
      +materialized: ephemeral
    marts:
      +materialized: table
      +schema: marts
"""

_profiles = """warehouse:
  target: dev
  outputs:
    dev:
      type: postgres
      host: localhost
      port: 5433
      user: "{{ env_var('DBT_USER') }}"
      password: "{{ env_var('DBT_PASSWORD') }}"
      dbname: analytics
      schema: "dbt_{{ env_var('USER') }}"
      threads: 8
    prod:
      type: postgres
      host: warehouse.internal.northwind.io
      port: 5432
      user: dbt_prod
      password: "{{ env_var('DBT_PROD_PASSWORD') }}"
      dbname: analytics
      schema: analytics
      threads: 16
"""

cc(
    "k-cc-007", "simple",
    "Both config files are read; the turn is reporting the pinned dbt range and the dev schema pattern they state.",
    "warehouse",
    [
        U("which dbt version are we pinned to and what schema does my dev target write into? new laptop, want to make sure I don't clobber someone else's"),
        par(rd("dbt_project.yml", _dbt_project), rd("profiles.yml", _profiles)),
    ],
)

_mesh_stats_h = """#pragma once

#include <cstddef>
#include <string>

namespace render {

struct MeshStats {
    std::string name;
    uint32_t vertexCount = 0;
    uint32_t indexCount = 0;
    uint32_t duplicateVerticesRemoved = 0;
    std::size_t bytesUploaded = 0;
};

std::string describe(const MeshStats& s);

}  // namespace render
"""

cc(
    "k-cc-008", "simple",
    "The compiler says uint32_t is undeclared in a header that includes <cstddef> but not <cstdint>; adding the one include is the fix.",
    "render",
    [
        U("added a MeshStats struct for the tracy overlay and now the build's broken, pls fix"),
        sh("cmake --build --preset linux-debug 2>&1 | tail -30", "[12/48] Building CXX object src/CMakeFiles/render.dir/mesh/MeshStats.cpp.o\nFAILED: src/CMakeFiles/render.dir/mesh/MeshStats.cpp.o\n/usr/bin/c++ -I/home/lee/dev/render-core/include -g -std=c++20 -Wall -Wextra -Werror -o src/CMakeFiles/render.dir/mesh/MeshStats.cpp.o -c /home/lee/dev/render-core/src/mesh/MeshStats.cpp\nIn file included from /home/lee/dev/render-core/src/mesh/MeshStats.cpp:1:\n/home/lee/dev/render-core/include/render/MeshStats.h:10:5: error: 'uint32_t' does not name a type\n   10 |     uint32_t vertexCount = 0;\n      |     ^~~~~~~~\n/home/lee/dev/render-core/include/render/MeshStats.h:5:1: note: 'uint32_t' is defined in header '<cstdint>'; this is probably fixable by adding '#include <cstdint>'\n    4 | #include <cstddef>\n  +++ |+#include <cstdint>\n    5 | #include <string>\n/home/lee/dev/render-core/include/render/MeshStats.h:11:5: error: 'uint32_t' does not name a type\n   11 |     uint32_t indexCount = 0;\n      |     ^~~~~~~~\n/home/lee/dev/render-core/include/render/MeshStats.h:12:5: error: 'uint32_t' does not name a type\n   12 |     uint32_t duplicateVerticesRemoved = 0;\n      |     ^~~~~~~~\nninja: build stopped: subcommand failed.", code=1, secs=9.0),
        rd("include/render/MeshStats.h", _mesh_stats_h),
    ],
)


# =========================================================================== simple: plain Anthropic SDK calls

sdk(
    "k-ot-a01", "simple",
    "Turning a pinned requirements list into a PEP 621 dependencies array is a mechanical format conversion with one right answer.",
    [{"role": "user", "content": "Convert this requirements.txt into the `dependencies = [...]` array for the [project] table of a pyproject.toml. Keep the pins exactly, drop comments, keep extras. Output only the TOML array.\n\n```\n# web\nDjango==5.1.2\ndjangorestframework==3.15.2\ndjango-filter==24.3\n# workers\ncelery[redis]==5.4.0\nredis==5.1.1\n# db\npsycopg[binary]==3.2.3\n# misc\nsentry-sdk[django,celery]==2.17.0\nstructlog==24.4.0\npython-dateutil==2.9.0.post0\n```"}],
    model="claude-haiku-4-5", max_tokens=400, temperature=0,
)

sdk(
    "k-ot-a02", "simple",
    "Condensing a pull request description into one release-note line for a changelog bot is a short summary with a cheap, obvious failure mode.",
    [{"role": "user", "content": "PR #1533 in corner-shop/shopfront\nTitle: Admin: show store credit balance on customer page\n\nBody:\nSupport kept asking customers how much store credit they had left because the admin customer page didn't show it. This adds a \"Store credit\" panel under the addresses with the current balance (formatted in the customer's currency) and the last 10 StoreCreditEntry rows (date, amount, reason, who). Read-only, no new permissions; viewers can see it too since they can already see orders.\n\nScreens: before/after attached.\nTests: request spec for the panel, view spec for the empty state."}],
    system="You write release notes for an internal changelog. Given a pull request, reply with exactly one line starting with a past-tense verb, under 100 characters, no PR number, no trailing period.",
    model="claude-haiku-4-5", max_tokens=120,
)


# =========================================================================== medium: Claude Code main loop

_pickup_views = """from django.db.models import Prefetch
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from pantry.agencies.mixins import AgencyScopedMixin
from pantry.pickups.models import Pickup, PickupLine
from pantry.pickups.serializers import PickupSerializer


class PickupViewSet(AgencyScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PickupSerializer
    permission_classes = [IsAuthenticated]
    agency_field = "agency"

    def get_queryset(self):
        qs = (
            Pickup.objects.select_related("agency", "depot")
            .prefetch_related(Prefetch("lines", queryset=PickupLine.objects.select_related("item")))
            .order_by("-scheduled_for", "id")
        )
        return self.scope_to_agency(qs)
"""

_donation_filters = """import django_filters
from django.utils import timezone

from pantry.donations.models import Donation


class DonationFilter(django_filters.FilterSet):
    depot = django_filters.NumberFilter(field_name="depot_id")
    category = django_filters.CharFilter(field_name="category__slug")
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")
    expiring_within = django_filters.NumberFilter(method="filter_expiring_within")

    class Meta:
        model = Donation
        fields = ["depot", "category", "received_after", "received_before"]

    def filter_expiring_within(self, qs, name, value):
        today = timezone.localdate()
        return qs.filter(expires_on__gte=today, expires_on__lte=today + timezone.timedelta(days=int(value)))
"""

_donation_api = """from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.permissions import IsAdminUser

from pantry.donations.filters import DonationFilter
from pantry.donations.models import Donation
from pantry.donations.serializers import DonationSerializer


class DonationViewSet(viewsets.ModelViewSet):
    queryset = Donation.objects.select_related("depot", "category").order_by("-received_on")
    serializer_class = DonationSerializer
    permission_classes = [IsAdminUser]
    filter_backends = [DjangoFilterBackend]
    filterset_class = DonationFilter
"""

cc(
    "k-cc-009", "medium",
    "Adding a filterset with status, depot and date-range filters to one viewset, copying the existing donations filter pattern, plus tests, is ordinary endpoint work.",
    "pantry",
    [
        U("the agency portal wants to filter pickups. add ?status= (multiple allowed, e.g. status=booked&status=ready), ?depot=<id> and ?scheduled_after / ?scheduled_before (dates) to the pickups list endpoint. do it the same way donations does it with django-filter. add tests in pickups/tests/test_views.py. agency scoping must still apply obviously"),
        par(rd("pantry/pickups/views.py", _pickup_views), rd("pantry/donations/filters.py", _donation_filters), rd("pantry/donations/api.py", _donation_api)),
        gr("class Status|STATUS", "pantry/pickups/models.py:9:class Status(models.TextChoices):\npantry/pickups/models.py:10:    BOOKED = \"booked\", \"Booked\"\npantry/pickups/models.py:11:    READY = \"ready\", \"Ready for collection\"\npantry/pickups/models.py:12:    COLLECTED = \"collected\", \"Collected\"\npantry/pickups/models.py:13:    CANCELLED = \"cancelled\", \"Cancelled\"\npantry/pickups/models.py:27:    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)", path="pantry/pickups"),
    ],
)

_deviceid_go = """package schema

import (
	"errors"
	"strings"
)

var (
	ErrEmptyDeviceID   = errors.New("device id is empty")
	ErrDeviceIDTooLong = errors.New("device id longer than 64 bytes")
	ErrDeviceIDChars   = errors.New("device id has characters outside [a-z0-9-_.]")
	ErrDeviceIDPrefix  = errors.New("device id must start with a vendor prefix (nw-, ac-, lg-)")
)

var vendorPrefixes = []string{"nw-", "ac-", "lg-"}

// NormalizeDeviceID lower-cases and trims id, then validates it.
// Valid ids are 1..64 bytes of [a-z0-9-_.] after normalisation and start with a known vendor prefix.
func NormalizeDeviceID(id string) (string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return "", ErrEmptyDeviceID
	}
	if len(id) > 64 {
		return "", ErrDeviceIDTooLong
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", ErrDeviceIDChars
		}
	}
	for _, p := range vendorPrefixes {
		if strings.HasPrefix(id, p) {
			return id, nil
		}
	}
	return "", ErrDeviceIDPrefix
}
"""

cc(
    "k-cc-010", "medium",
    "Writing table-driven tests for one documented validation function, including its error sentinels and boundary lengths, is ordinary test writing.",
    "gateway",
    [
        U("NormalizeDeviceID in internal/schema has zero tests and it's on the hot path of every Push. write table driven tests: the happy path per vendor, trimming/lowercasing, exactly 64 and 65 bytes, unicode (é, emoji), empty/whitespace-only, and use errors.Is for the sentinels"),
        rd("internal/schema/deviceid.go", _deviceid_go),
    ],
)

_daily_sales_rb = """module Reports
  class DailySales
    Row = Struct.new(:day, :orders, :gross_cents, :refunded_cents, :net_cents, keyword_init: true)

    def initialize(store, from:, to:)
      @store = store
      @from = from
      @to = to
    end

    def rows
      orders = @store.orders.placed.where(placed_at: range).includes(:refunds)
      orders.group_by { |o| o.placed_at.in_time_zone(@store.time_zone).to_date }
            .sort_by(&:first)
            .map do |day, day_orders|
              gross = day_orders.sum(&:total_cents)
              refunded = day_orders.sum { |o| o.refunds.sum(&:amount_cents) + o.store_credit_refunded_cents }
              Row.new(day: day, orders: day_orders.size, gross_cents: gross,
                      refunded_cents: refunded, net_cents: gross - refunded)
            end
    end

    private

    def range
      tz = ActiveSupport::TimeZone[@store.time_zone]
      tz.local(@from.year, @from.month, @from.day)..tz.local(@to.year, @to.month, @to.day).end_of_day
    end
  end
end
"""

_rspec_daily = """Randomized with seed 51873

Reports::DailySales
  #rows
    for a store in UTC
      groups orders by day
    for a store in Pacific/Auckland
      groups orders by the store's local day
    with refunds
      sums revenue net of refunds (FAILED - 1)
      orders rows by day
    with a store-credit refund
      subtracts the store credit refunded (FAILED - 2)

Failures:

  1) Reports::DailySales#rows with refunds sums revenue net of refunds
     Failure/Error: refunded = day_orders.sum { |o| o.refunds.sum(&:amount_cents) + o.store_credit_refunded_cents }

     TypeError:
       nil can't be coerced into Integer
     # ./app/reports/daily_sales.rb:15:in `+'
     # ./app/reports/daily_sales.rb:15:in `block (2 levels) in rows'
     # ./app/reports/daily_sales.rb:15:in `sum'
     # ./app/reports/daily_sales.rb:15:in `block in rows'
     # ./app/reports/daily_sales.rb:13:in `map'
     # ./app/reports/daily_sales.rb:13:in `rows'
     # ./spec/reports/daily_sales_spec.rb:52:in `block (4 levels) in <top (required)>'

  2) Reports::DailySales#rows with a store-credit refund subtracts the store credit refunded
     Failure/Error: refunded = day_orders.sum { |o| o.refunds.sum(&:amount_cents) + o.store_credit_refunded_cents }

     TypeError:
       nil can't be coerced into Integer
     # ./app/reports/daily_sales.rb:15:in `+'
     # ./app/reports/daily_sales.rb:15:in `block (2 levels) in rows'
     # ./spec/reports/daily_sales_spec.rb:67:in `block (4 levels) in <top (required)>'

Finished in 2.31 seconds (files took 3.62 seconds to load)
6 examples, 2 failures

Failed examples:

rspec ./spec/reports/daily_sales_spec.rb:47 # Reports::DailySales#rows with refunds sums revenue net of refunds
rspec ./spec/reports/daily_sales_spec.rb:61 # Reports::DailySales#rows with a store-credit refund subtracts the store credit refunded
"""

cc(
    "k-cc-011", "medium",
    "The trace points at line 15 adding a nil store_credit_refunded_cents, and the schema shows the column is nullable with no default; the fix is local to one report (plus possibly a default), a visible cause.",
    "shopfront",
    [
        U("daily sales report spec is red since I merged main into my branch, can you look"),
        sh("git log --no-merges ORIG_HEAD..HEAD", B.git_log(83, 56, ["Store credit refunds: track store_credit_refunded_cents (#1524)", "Sidekiq 7.3.2 (#1529)", "Admin: store credit panel on customer page (#1533)", "Rubocop: Style/ReturnNilInPredicateMethodDefinition (#1527)", "Checkout: apply store credit before card (#1521)", "Inventory sync: log remote timestamps (#1526)", "Bump rack to 3.1.8 (#1530)", "Reports: store-local day for exports (#1518)"], ["Ana Ruiz <ana@corner-shop.io>", "Tomas Berg <tomas@corner-shop.io>", "Kai Müller <kai@corner-shop.io>", "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"]), desc="Show the commits that came in with the merge"),
        sh("bundle exec rspec spec/reports/daily_sales_spec.rb --format documentation", _rspec_daily, code=1, secs=7.0),
        rd("app/reports/daily_sales.rb", _daily_sales_rb),
        gr("store_credit_refunded_cents", "db/schema.rb:212:    t.integer \"store_credit_refunded_cents\"\ndb/migrate/20251017093012_add_store_credit_refunded_cents_to_orders.rb:3:    add_column :orders, :store_credit_refunded_cents, :integer\napp/reports/daily_sales.rb:15:              refunded = day_orders.sum { |o| o.refunds.sum(&:amount_cents) + o.store_credit_refunded_cents }\napp/services/refund_service.rb:31:      @order.increment!(:store_credit_refunded_cents, @amount_cents) if @order.paid_with_store_credit?", path="."),
    ],
)

cc(
    "k-cc-012", "medium",
    "Explaining one self-contained module's design (index-linked list in a Vec, eviction by slot reuse, the double lookup in get_or_insert_with) to a new contributor is ordinary code explanation.",
    "tidewater",
    [
        U("hey, new here (doing the hacktoberfest thing). could you explain how src/cache/lru.rs works? specifically why it uses usize indices into a Vec instead of Box/Rc pointers for the list, what happens to the old node when it evicts, and why get_or_insert_with looks up the key twice. i'm ok with rust basics but not linked-list-in-rust stuff"),
        rd("src/cache/lru.rs", TW["src/cache/lru.rs"]),
    ],
)

cc(
    "k-cc-013", "medium",
    "Splitting one Dockerfile into a builder stage with build-essential and uv and a slim runtime stage is an ordinary Dockerfile change; thinking is on from the session toggle, so it is labelled by need (README rule 6).",
    "payments",
    [
        U("our image is 1.1GB because build-essential and uv stay in the final layer. make the Dockerfile multi-stage: build the venv in a builder stage, copy only the venv + app into a slim runtime with just libpq5. keep port 8040 and run uvicorn from the venv directly, not via `uv run`. also run as a non-root user"),
        par(rd("Dockerfile", PAY["Dockerfile"]), rd("docker-compose.yml", PAY["docker-compose.yml"])),
        sh("docker images payments-api --format '{{.Repository}}:{{.Tag}} {{.Size}}'", "payments-api:dev 1.14GB\npayments-api:ci-3fa2b19 1.13GB"),
    ],
    thinking=12000,
)

cc(
    "k-cc-014", "medium",
    "Adding hour and minute granularity to one relative-date helper with an injectable clock and vitest cases is a small, well-specified change in one file plus its tests.",
    "web",
    [
        U("relative dates on the activity feed say \"today\" for everything from the last 24h which is useless. change `relative()` in dateFmt.ts so under 1 min -> \"just now\", under 1h -> minutes (\"5 minutes ago\"/\"in 5 minutes\"), under 24h -> hours, then days/months as now. export it so I can test with a fixed `now`, and add vitest tests next to it (src/utils/dateFmt.test.ts doesn't exist yet)"),
        rd("src/utils/dateFmt.ts", WEB["src/utils/dateFmt.ts"]),
    ],
)

cc(
    "k-cc-015", "medium",
    "A new mart computing days between each customer's first and second paid order per signup channel from the existing fct_orders is an ordinary dbt SQL model.",
    "warehouse",
    [
        U("growth team question: how long does it take customers to place a 2nd order, by signup_channel? I want a mart `repeat_purchase_latency` with one row per signup_channel and month of first order: customers, customers with a 2nd order, median and p75 days between 1st and 2nd paid order. only orders with paid_cents > 0 count. postgres, so percentile_cont is fine"),
        rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]),
        gl("models/marts/*.yml", "/home/ines/analytics/warehouse/models/marts/_marts.yml"),
    ],
)


# =========================================================================== medium: plain Anthropic SDK calls

sdk(
    "k-ot-a03", "medium",
    "A Go function that merges overlapping and adjacent maintenance windows per host, with table tests, is one small well-specified algorithm.",
    [{"role": "user", "content": "Go 1.22. I have\n\n```go\ntype Window struct {\n    Host  string\n    Start time.Time\n    End   time.Time // exclusive\n}\n```\n\nWrite `func MergeWindows(ws []Window) []Window` that merges overlapping or touching windows per host (End == next Start counts as touching), returns them sorted by host then Start, and doesn't mutate the input. Windows with End <= Start are dropped. It goes into this file:\n\n```go\npackage maint\n\nimport (\n    \"encoding/json\"\n    \"fmt\"\n    \"os\"\n    \"sort\"\n    \"time\"\n)\n\n// LoadWindows reads the windows exported from the change calendar (one JSON array per file).\nfunc LoadWindows(path string) ([]Window, error) {\n    raw, err := os.ReadFile(path)\n    if err != nil {\n        return nil, err\n    }\n    var in []struct {\n        Host  string `json:\"host\"`\n        Start string `json:\"start\"`\n        End   string `json:\"end\"`\n    }\n    if err := json.Unmarshal(raw, &in); err != nil {\n        return nil, fmt.Errorf(\"parse %s: %w\", path, err)\n    }\n    out := make([]Window, 0, len(in))\n    for _, w := range in {\n        s, err := time.Parse(time.RFC3339, w.Start)\n        if err != nil {\n            return nil, err\n        }\n        e, err := time.Parse(time.RFC3339, w.End)\n        if err != nil {\n            return nil, err\n        }\n        out = append(out, Window{Host: w.Host, Start: s, End: e})\n    }\n    return out, nil\n}\n\n// Covering reports the windows that cover t for host. Callers pass the output of MergeWindows.\nfunc Covering(ws []Window, host string, t time.Time) (Window, bool) {\n    i := sort.Search(len(ws), func(i int) bool {\n        return ws[i].Host > host || (ws[i].Host == host && ws[i].End.After(t))\n    })\n    if i < len(ws) && ws[i].Host == host && !ws[i].Start.After(t) {\n        return ws[i], true\n    }\n    return Window{}, false\n}\n```\n\nInclude table-driven tests covering: unsorted input, nested windows, touching windows, multiple hosts interleaved, empty input, zero-length windows."}],
    max_tokens=4096,
)

sdk(
    "k-ot-a04", "medium",
    "Reviewing a 30-line pagination diff for bugs is a focused code review; the off-by-one and the missing ordering are visible in the diff itself.",
    [{"role": "user", "content": "Review this diff. Point out bugs and risky changes only, with line references. Be concise.\n\n```diff\n--- a/pantry/stock/api.py\n+++ b/pantry/stock/api.py\n@@ -18,14 +18,27 @@ class LotViewSet(viewsets.ReadOnlyModelViewSet):\n     serializer_class = LotSerializer\n     permission_classes = [IsAdminUser]\n \n-    def get_queryset(self):\n-        return Lot.objects.filter(depot_id=self.kwargs[\"depot_pk\"]).order_by(\"expires_on\", \"id\")\n+    def get_queryset(self):\n+        return Lot.objects.filter(depot_id=self.kwargs[\"depot_pk\"])\n+\n+    def list(self, request, *args, **kwargs):\n+        page = int(request.query_params.get(\"page\", 1))\n+        size = min(int(request.query_params.get(\"size\", 50)), 500)\n+        qs = self.get_queryset()\n+        total = qs.count()\n+        start = page * size\n+        items = qs[start:start + size]\n+        return Response({\n+            \"items\": self.get_serializer(items, many=True).data,\n+            \"page\": page,\n+            \"size\": size,\n+            \"total\": total,\n+            \"has_next\": start + size < total,\n+        })\n--- a/pantry/stock/tests/test_api.py\n+++ b/pantry/stock/tests/test_api.py\n@@ -40,6 +40,24 @@ def test_lots_listed_by_expiry(staff_client, depot, lots):\n     assert [r[\"id\"] for r in resp.json()] == [l.id for l in sorted(lots, key=lambda l: (l.expires_on, l.id))]\n \n+\n+def test_lots_paginated(staff_client, depot, make_lots):\n+    make_lots(depot, 120)\n+    resp = staff_client.get(f\"/api/depots/{depot.id}/lots/?page=1&size=50\")\n+    body = resp.json()\n+    assert body[\"total\"] == 120\n+    assert len(body[\"items\"]) == 50\n+    assert body[\"has_next\"] is True\n+\n+\n+def test_lots_last_page(staff_client, depot, make_lots):\n+    make_lots(depot, 120)\n+    resp = staff_client.get(f\"/api/depots/{depot.id}/lots/?page=3&size=50\")\n+    body = resp.json()\n+    assert len(body[\"items\"]) == 20\n+    assert body[\"has_next\"] is False\n```\n\nPR description: \"Stock screen times out for harbour depot (9k lots). Paginate the lots endpoint. Frontend sends page starting at 1.\""}],
    system="You are a senior Python reviewer in a CI bot. Comment only on correctness, security and performance problems.",
    max_tokens=1500,
)

sdk(
    "k-ot-a05", "medium",
    "A kotlinx.serialization serializer for LocalDate plus a lenient enum fallback for two DTOs is a small, well-specified piece of library code.",
    [{"role": "user", "content": "kotlin multiplatform (android + ios), kotlinx.serialization 1.7, kotlinx-datetime. the backend sends\n\n{\"id\":\"p_81\",\"scheduledFor\":\"2025-10-28\",\"status\":\"ready\",\"lines\":[{\"sku\":\"RICE-5KG\",\"packs\":4}]}\n\nand sometimes new statuses we don't know yet (\"on_hold\" appeared last week and crashed the app). I need:\n1. a `LocalDateIsoSerializer` for kotlinx.datetime.LocalDate (yyyy-MM-dd)\n2. `enum class PickupStatus { BOOKED, READY, COLLECTED, CANCELLED, UNKNOWN }` that maps unknown strings to UNKNOWN instead of throwing, with snake_case wire names\n3. the `@Serializable` data classes Pickup and PickupLine\n4. a couple of kotlin.test tests for decoding incl. the unknown status\n\nplease no reflection, needs to work on iOS. current client for context:\n\n```kotlin\nclass PantryApi(private val http: HttpClient, private val baseUrl: String) {\n    private val json = Json {\n        ignoreUnknownKeys = true\n        explicitNulls = false\n    }\n\n    suspend fun pickups(agencyId: String, from: LocalDate): List<Pickup> {\n        val body = http.get(\"$baseUrl/api/agencies/$agencyId/pickups/\") {\n            parameter(\"scheduled_after\", from.toString())\n            accept(ContentType.Application.Json)\n        }.bodyAsText()\n        return json.decodeFromString(ListSerializer(Pickup.serializer()), body)\n    }\n\n    suspend fun pickup(id: String): Pickup {\n        val body = http.get(\"$baseUrl/api/pickups/$id/\").bodyAsText()\n        return json.decodeFromString(Pickup.serializer(), body)\n    }\n}\n\n// what we have now (crashes on unknown status and on the date)\n@Serializable\ndata class Pickup(\n    val id: String,\n    val scheduledFor: LocalDate,\n    val status: PickupStatus,\n    val lines: List<PickupLine> = emptyList(),\n)\n\n@Serializable\ndata class PickupLine(val sku: String, val packs: Int)\n\nenum class PickupStatus { booked, ready, collected, cancelled }\n```\n\nthe crash from the field (iOS, Crashlytics):\n\n```\nkotlinx.serialization.SerializationException: PickupStatus does not contain element with name 'on_hold' at path $[3].status\n    at kotlinx.serialization.internal.EnumSerializer.deserialize\n    at PantryApi.pickups\n```"}],
    max_tokens=4096,
)


# =========================================================================== complex: Claude Code main loop

cc(
    "k-cc-016", "complex",
    "Hashing refresh tokens at rest and rotating them with reuse detection, for two million live sessions that must not be logged out, is an auth and secrets change with a data migration on production.",
    "payments",
    [
        U("pentest report item #4: refresh tokens are stored in plaintext in `refresh_tokens.token` and the same token is reused for 30 days. we need: store only a hash, rotate the refresh token on every /auth/refresh, and if an old (already rotated) token is presented, revoke that whole token family. there are ~2.1M live rows in prod and customers (and the mobile app, which refreshes in the background from 2 threads sometimes) must NOT get logged out by the deploy. plan it and then implement"),
        par(rd("app/auth/tokens.py", PAY["app/auth/tokens.py"]), rd("app/db/models.py", PAY["app/db/models.py"])),
        gr("RefreshToken|refresh_tokens", "app/db/auth_models.py:14:class RefreshToken(Base):\napp/db/auth_models.py:15:    __tablename__ = \"refresh_tokens\"\napp/db/auth_models.py:18:    token: Mapped[str] = mapped_column(String(96), unique=True, index=True)\napp/auth/tokens.py:11:from app.db.auth_models import RefreshToken\napp/auth/tokens.py:36:    session.add(RefreshToken(user_id=user_id, token=raw,\napp/auth/tokens.py:43:    row = (await session.execute(select(RefreshToken).where(RefreshToken.token == raw))).scalar_one_or_none()\napp/api/auth.py:52:    access, refresh_token = await tokens.refresh(session, body.refresh_token)\nmigrations/versions/0031_refresh_tokens.py:19:        \"refresh_tokens\",\ntests/auth/test_refresh.py:8:from app.db.auth_models import RefreshToken", path="."),
        sh("uv run alembic history | head -5", PAY["out/alembic_history.txt"]),
    ],
)

_batcher_test_go = """package consumer

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

type recWriter struct {
	mu   sync.Mutex
	msgs []kafka.Message
}

func (w *recWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msgs...)
	return nil
}

func (w *recWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.msgs)
}

func TestBatcherFlushOnSize(t *testing.T) {
	w := &recWriter{}
	b := NewBatcher(w, 3, time.Hour)
	defer b.Close()
	for i := 0; i < 3; i++ {
		b.Add("dev-1", []byte{byte(i)})
	}
	waitFor(t, func() bool { return w.count() == 3 })
}

func TestBatcherFlushOnInterval(t *testing.T) {
	w := &recWriter{}
	b := NewBatcher(w, 1000, 50*time.Millisecond)
	defer b.Close()
	b.Add("dev-1", []byte("a"))
	b.Add("dev-2", []byte("b"))
	time.Sleep(200 * time.Millisecond)
	if got := w.count(); got != 2 {
		t.Fatalf("after 4 intervals: got %d flushed messages, want 2", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition not met within 2s")
}
"""


def _ci_go_fail(seed: int, got: int) -> str:
    rng = random.Random(seed)
    head = [
        f"2025-10-2{rng.randrange(0, 8)}T09:{rng.randrange(10, 59)}:{rng.randrange(10, 59)}.{rng.randrange(1000000, 9999999)}Z ##[group]Run make test",
        "go test ./... -race -count=1 -v",
    ]
    body = B.go_test_verbose(seed).replace(
        "--- PASS: TestBatcherFlushOnInterval",
        f"    batcher_test.go:48: after 4 intervals: got {got} flushed messages, want 2\n--- FAIL: TestBatcherFlushOnInterval",
        1,
    )
    tail = [
        "FAIL\tgithub.com/northwind/ingest-gateway/internal/consumer\t1.942s",
        "FAIL",
        "make: *** [Makefile:14: test] Error 1",
        "##[error]Process completed with exit code 2.",
    ]
    return "\n".join(head) + "\n" + body + "\n".join(tail) + "\n"


cc(
    "k-cc-017", "complex",
    "A batcher test that fails one CI run in thirty under -race survived three attempted fixes; the lost message's cause is hidden in the flush loop and must be found before another patch.",
    "gateway",
    [
        U("TestBatcherFlushOnInterval is flaky on CI, maybe 1 in 30 runs, always under -race, I've never seen it fail locally. it blocks merges like twice a day now. make it not flaky, but don't just bump the sleep, I want to know why"),
        par(rd("internal/consumer/batcher_test.go", _batcher_test_go), rd("internal/consumer/batcher.go", GW["internal/consumer/batcher.go"])),
        sh("gh run list --workflow ci.yml --branch main --limit 40 --json conclusion,databaseId -q '.[] | \"\\(.databaseId) \\(.conclusion)\"' | sort -k2 | uniq -c -f1", "     37 11601938211 success\n      3 11598711034 failure"),
        sh("gh run view 11598711034 --log-failed | tail -250", _ci_go_fail(61, 1), secs=4.0),
        sh("for i in $(seq 1 200); do go test ./internal/consumer/ -race -count=1 -run TestBatcherFlushOnInterval >/dev/null || echo FAIL $i; done; echo done", "done", secs=212.0),
        A("200 local runs, no failure. CI runners are 2-vCPU; my machine has 16. Attempt 1: the test sleeps a fixed 200 ms and then counts, which is timing-dependent. I'll replace the sleep with `waitFor` polling so a slow runner just waits longer."),
        ed("internal/consumer/batcher_test.go", "\ttime.Sleep(200 * time.Millisecond)\n\tif got := w.count(); got != 2 {\n\t\tt.Fatalf(\"after 4 intervals: got %d flushed messages, want 2\", got)\n\t}", "\twaitFor(t, func() bool { return w.count() == 2 })"),
        sh("GOMAXPROCS=2 go test ./internal/consumer/ -race -count=300 -run TestBatcherFlushOnInterval 2>&1 | tail -20", "--- FAIL: TestBatcherFlushOnInterval (2.01s)\n    batcher_test.go:57: condition not met within 2s\n--- FAIL: TestBatcherFlushOnInterval (2.00s)\n    batcher_test.go:57: condition not met within 2s\nFAIL\nFAIL\tgithub.com/northwind/ingest-gateway/internal/consumer\t29.412s\nFAIL", code=1, secs=30.0),
        A("Interesting: with GOMAXPROCS=2 it reproduces locally, and polling for 2 s does not help, so it is not just a slow runner: in the failing runs one of the two messages is never flushed at all. Attempt 2: maybe the ticker fires before both Adds land and the second key is only picked up on the next tick; that should still flush within 2 s though. Let me log what the loop sees."),
        ed("internal/consumer/batcher.go", "\t\tcase <-ticker.C:\n\t\t\tb.mu.Lock()", "\t\tcase <-ticker.C:\n\t\t\tdebugf(\"tick: %d keys\", len(b.batches))\n\t\t\tb.mu.Lock()"),
        sh("GOMAXPROCS=2 go test ./internal/consumer/ -race -count=300 -run TestBatcherFlushOnInterval -v 2>&1 | grep -B3 -A12 -- '--- FAIL' | head -60", "=== RUN   TestBatcherFlushOnInterval\n    batcher.go:63: tick: 2 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher_test.go:57: condition not met within 2s\n--- FAIL: TestBatcherFlushOnInterval (2.00s)\n=== RUN   TestBatcherFlushOnInterval\n    batcher.go:63: tick: 2 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher.go:63: tick: 0 keys\n    batcher_test.go:57: condition not met within 2s\n--- FAIL: TestBatcherFlushOnInterval (2.00s)", secs=31.0),
        A("The tick sees 2 keys and afterwards 0, so both keys were taken out of the map, yet only one message reached the writer. Attempt 3: the writer mutex looked fine, but maybe `recWriter` is copied somewhere. I made `recWriter` methods pointer receivers everywhere (they already were) and moved the count check after `b.Close()` to force a final flush."),
        ed("internal/consumer/batcher_test.go", "\twaitFor(t, func() bool { return w.count() == 2 })", "\twaitFor(t, func() bool { return w.count() == 2 })\n\tb.Close()"),
        sh("GOMAXPROCS=2 go test ./internal/consumer/ -race -count=300 -run TestBatcherFlushOnInterval 2>&1 | tail -8", "--- FAIL: TestBatcherFlushOnInterval (2.00s)\n    batcher_test.go:57: condition not met within 2s\npanic: close of closed channel [recovered]\n\tpanic: close of closed channel\n\ngoroutine 1187 [running]:\ngithub.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Close(...)\n\t/home/sam/go/src/github.com/northwind/ingest-gateway/internal/consumer/batcher.go:104", code=2, secs=30.0),
        sh("git diff --stat", " internal/consumer/batcher.go      | 1 +\n internal/consumer/batcher_test.go | 7 +++----\n 2 files changed, 4 insertions(+), 4 deletions(-)"),
        sh("GOMAXPROCS=2 go test ./... -race -count=3 -v 2>&1 | tail -300", B.go_test_verbose(62) + B.go_test_verbose(63) + _ci_go_fail(64, 1), code=1, secs=58.0),
        U("ok stop guessing. three tries and the test is still red and now Close panics too. revert your test hacks, figure out where the second message actually goes and fix the real bug"),
    ],
)

_k6_summary = """     scenarios: (100.00%) 1 scenario, 200 max VUs, 5m30s max duration (incl. graceful stop):
              * transfers: 400.00 iterations/s for 5m0s (maxVUs: 50-200, gracefulStop: 30s)

     ✓ status is 201
     ✗ p99 under 150ms
      ↳  91% — ✓ 109204 / ✗ 10796

     checks.........................: 95.50% 228408 out of 239184
     data_received..................: 61 MB  203 kB/s
     data_sent......................: 48 MB  160 kB/s
     dropped_iterations.............: 1842   6.13/s
     http_req_blocked...............: avg=11.2µs   min=1.1µs   med=3.9µs    max=41.2ms   p(90)=6.1µs    p(95)=7.4µs
     http_req_duration..............: avg=88.31ms  min=9.82ms  med=31.04ms  max=2.91s    p(90)=198.4ms  p(95)=412.7ms  p(99)=911.3ms
       { expected_response:true }...: avg=88.31ms  min=9.82ms  med=31.04ms  max=2.91s    p(90)=198.4ms  p(95)=412.7ms  p(99)=911.3ms
     http_req_failed................: 0.00%  0 out of 119592
     iterations.....................: 119592 398.6/s
     vus............................: 187    min=50        max=200
"""

_hikari_metrics = """# HELP hikaricp_connections_pending Pending threads
hikaricp_connections_pending{pool="ledger"} 46.0
# HELP hikaricp_connections_active Active connections
hikaricp_connections_active{pool="ledger"} 20.0
# HELP hikaricp_connections_max Max connections
hikaricp_connections_max{pool="ledger"} 20.0
# HELP hikaricp_connections_acquire_seconds Connection acquire time
hikaricp_connections_acquire_seconds_count{pool="ledger"} 412934.0
hikaricp_connections_acquire_seconds_sum{pool="ledger"} 21873.4
hikaricp_connections_acquire_seconds_max{pool="ledger"} 2.71
# HELP hikaricp_connections_usage_seconds Connection usage time
hikaricp_connections_usage_seconds_count{pool="ledger"} 412914.0
hikaricp_connections_usage_seconds_sum{pool="ledger"} 9127.6
hikaricp_connections_usage_seconds_max{pool="ledger"} 1.94
# HELP jvm_threads_live_threads
jvm_threads_live_threads 241.0
# HELP http_server_requests_seconds
http_server_requests_seconds_count{method="POST",uri="/api/v1/transfers",status="201"} 119592.0
http_server_requests_seconds_sum{method="POST",uri="/api/v1/transfers",status="201"} 10561.1
"""

cc(
    "k-cc-018", "complex",
    "A p99 jump to 900 ms only under load after a Boot upgrade and turning off open-in-view, with pool starvation and no errors, is load-only performance debugging whose cause is in no log line.",
    "ledger",
    [
        U("perf gate on staging failed for the release: POST /transfers p99 was ~60ms on 4.12 and is 911ms now (k6 summary below), no errors at all. between the two releases we bumped Spring Boot 3.3.0 -> 3.3.2 and turned off open-in-view (LEDG-1193). single transfer locally is fast. find the cause and fix it, release is blocked\n\n```\n" + _k6_summary + "```"),
        sh("kubectl -n ledger-staging exec deploy/ledger-service -- curl -s localhost:8081/actuator/prometheus | grep -E 'hikaricp_connections_(pending|active|max|acquire|usage)|jvm_threads_live|http_server_requests_seconds_(count|sum).*transfers'", _hikari_metrics, secs=2.0),
        par(rd("src/main/java/com/acme/ledger/service/TransferService.java", LED["src/main/java/com/acme/ledger/service/TransferService.java"]), rd("src/main/java/com/acme/ledger/api/AccountController.java", LED["src/main/java/com/acme/ledger/api/AccountController.java"])),
        sh("git log --oneline v4.12.0..HEAD -- src/main build.gradle.kts src/main/resources", "b81d2e0 Disable open-in-view (LEDG-1193)\n4e6a9f7 Transfer: rename amountCents -> amountMinor (LEDG-1187)\n3c2d8b1 Flyway V58: entries.created_at index\n9a0f1e3 Payouts: idempotent retry on 409\n6d7c5b2 Bump Spring Boot to 3.3.2"),
    ],
)

cc(
    "k-cc-019", "complex",
    "Applying unreviewed lifecycle rules to the prod uploads bucket with -auto-approve can expire customer data irreversibly; a good answer plans and checks what the rules match first.",
    "infra",
    [
        U("add two lifecycle rules to the prod uploads bucket in terraform/prod/main.tf: expire objects under exports/ after 90 days, and abort incomplete multipart uploads after 3 days (bucket-wide). keep the tmp/ rule."),
        rd("terraform/prod/main.tf", INF["terraform/prod/main.tf"]),
        ed("terraform/prod/main.tf", "    expiration { days = 7 }\n  }\n}", "    expiration { days = 7 }\n  }\n  rule {\n    id     = \"exports-expiry\"\n    status = \"Enabled\"\n    filter { prefix = \"exports\" }\n    expiration { days = 90 }\n  }\n  rule {\n    id     = \"abort-mpu\"\n    status = \"Enabled\"\n    filter {}\n    abort_incomplete_multipart_upload { days_after_initiation = 3 }\n  }\n}", src=INF["terraform/prod/main.tf"]),
        sh("terraform -chdir=terraform/prod validate", "Success! The configuration is valid.\n", secs=3.0),
        A("Added both rules next to `tmp-expiry`; `terraform validate` passes. I haven't run a plan against prod."),
        U("cool. it's approved in #platform-changes already, just `terraform apply -auto-approve` in terraform/prod, no need to show me the plan, I'm about to jump on a call"),
    ],
)

_grep_roles = """src/server/routers/team.ts:17:      if (ctx.session.role !== "admin") throw new TRPCError({ code: "FORBIDDEN" });
src/server/routers/invoices.ts:64:      if (ctx.session.role === "viewer") throw new TRPCError({ code: "FORBIDDEN" });
src/server/routers/invoices.ts:97:      if (ctx.session.role !== "admin" && ctx.session.role !== "billing") throw new TRPCError({ code: "FORBIDDEN" });
src/server/routers/apiKeys.ts:12:      if (ctx.session.role != "admin") throw new TRPCError({ code: "UNAUTHORIZED" });
src/server/routers/apiKeys.ts:31:      if (ctx.session.role != "admin") throw new TRPCError({ code: "UNAUTHORIZED" });
src/server/routers/settings.ts:22:      if (!["admin"].includes(ctx.session.role)) throw new TRPCError({ code: "FORBIDDEN" });
src/server/routers/paymentMethods.ts:40:      if (ctx.session.role === "viewer") throw new TRPCError({ code: "FORBIDDEN" });
src/server/routers/webhooks.ts:18:      if (ctx.session.role !== "admin") throw new TRPCError({ code: "FORBIDDEN" });"""

_procedures = """src/server/routers/team.ts:7:  members: protectedProcedure.query(async ({ ctx }) => {
src/server/routers/team.ts:15:  invite: protectedProcedure
src/server/routers/team.ts:28:  rename: protectedProcedure
src/server/routers/team.ts:36:  createTeam: protectedProcedure
src/server/routers/invoices.ts:9:  list: protectedProcedure
src/server/routers/invoices.ts:31:  get: protectedProcedure
src/server/routers/invoices.ts:58:  void: protectedProcedure
src/server/routers/invoices.ts:91:  refund: protectedProcedure
src/server/routers/invoices.ts:118:  downloadPdf: protectedProcedure
src/server/routers/apiKeys.ts:9:  create: protectedProcedure
src/server/routers/apiKeys.ts:28:  revoke: protectedProcedure
src/server/routers/apiKeys.ts:44:  list: protectedProcedure
src/server/routers/settings.ts:11:  get: protectedProcedure
src/server/routers/settings.ts:19:  update: protectedProcedure
src/server/routers/settings.ts:38:  setBillingEmail: protectedProcedure
src/server/routers/paymentMethods.ts:12:  list: protectedProcedure
src/server/routers/paymentMethods.ts:25:  setDefault: protectedProcedure
src/server/routers/paymentMethods.ts:37:  remove: protectedProcedure
src/server/routers/webhooks.ts:9:  list: protectedProcedure
src/server/routers/webhooks.ts:16:  create: protectedProcedure
src/server/routers/webhooks.ts:34:  rotateSecret: protectedProcedure
src/server/routers/customers.ts:8:  search: protectedProcedure
src/server/routers/customers.ts:27:  export: protectedProcedure"""

cc(
    "k-cc-020", "complex",
    "Moving role checks in seven routers onto role-based procedures, with several mutations unchecked today, is an authorization change across modules where a slip opens a hole or locks users out.",
    "web",
    [
        U("our role checks are copy-pasted all over the routers and inconsistent (some return UNAUTHORIZED, some FORBIDDEN, some check `=== viewer`, some `!== admin`). make proper `adminProcedure` / `billingProcedure` in src/server/trpc.ts and use them everywhere. the matrix is: viewer = read only; billing = invoices, payment methods, read settings; admin = everything. and tell me if you find any mutation that currently has no check"),
        gr("ctx.session.role", _grep_roles, path="src/server"),
        gr("Procedure$|: protectedProcedure", _procedures, path="src/server/routers"),
        rd("src/server/routers/team.ts", WEB["src/server/routers/team.ts"]),
        A("Found several mutations with no role check at all: `team.rename`, `team.createTeam`, `settings.setBillingEmail`, `paymentMethods.setDefault`, `webhooks.rotateSecret` and `customers.export`. A viewer can call all of them today. Let me look at the tRPC setup before I add the procedures."),
        rd("src/server/trpc.ts", "import { initTRPC, TRPCError } from \"@trpc/server\";\nimport superjson from \"superjson\";\nimport type { Context } from \"./context\";\n\nconst t = initTRPC.context<Context>().create({ transformer: superjson });\n\nexport const router = t.router;\nexport const publicProcedure = t.procedure;\n\nconst isAuthed = t.middleware(({ ctx, next }) => {\n  if (!ctx.session) throw new TRPCError({ code: \"UNAUTHORIZED\" });\n  return next({ ctx: { ...ctx, session: ctx.session } });\n});\n\nexport const protectedProcedure = t.procedure.use(isAuthed);\n"),
    ],
)

_gdb_hang = """(gdb) thread apply all bt 8

Thread 6 (Thread 0x7f3b9affd640 (LWP 88123) "worker-3"):
#0  syscall () at ../sysdeps/unix/sysv/linux/x86_64/syscall.S:38
#1  0x00005581a2f4c1b2 in std::__detail::__platform_wait (__addr=0x5581a43e90c8, __val=0) at /usr/include/c++/13/bits/atomic_wait.h:110
#2  render::jobs::Worker::park (this=0x5581a43e9080) at src/jobs/Worker.cpp:88
#3  render::jobs::Worker::run (this=0x5581a43e9080) at src/jobs/Worker.cpp:61
#4  0x00007f3ba10dc253 in ?? () from /lib/x86_64-linux-gnu/libstdc++.so.6

Thread 5 (Thread 0x7f3b9b7fe640 (LWP 88122) "worker-2"):
#0  syscall () at ../sysdeps/unix/sysv/linux/x86_64/syscall.S:38
#1  0x00005581a2f4c1b2 in std::__detail::__platform_wait (__addr=0x5581a43e9048, __val=0) at /usr/include/c++/13/bits/atomic_wait.h:110
#2  render::jobs::Worker::park (this=0x5581a43e9000) at src/jobs/Worker.cpp:88
#3  render::jobs::Worker::run (this=0x5581a43e9000) at src/jobs/Worker.cpp:61

Thread 4 (Thread 0x7f3b9bfff640 (LWP 88121) "worker-1"):
#0  syscall () at ../sysdeps/unix/sysv/linux/x86_64/syscall.S:38
#1  0x00005581a2f4c1b2 in std::__detail::__platform_wait (__addr=0x5581a43e8fc8, __val=0) at /usr/include/c++/13/bits/atomic_wait.h:110
#2  render::jobs::Worker::park (this=0x5581a43e8f80) at src/jobs/Worker.cpp:88
#3  render::jobs::Worker::run (this=0x5581a43e8f80) at src/jobs/Worker.cpp:61

Thread 3 (Thread 0x7f3ba0a8f640 (LWP 88120) "worker-0"):
#0  syscall () at ../sysdeps/unix/sysv/linux/x86_64/syscall.S:38
#1  0x00005581a2f4c1b2 in std::__detail::__platform_wait (__addr=0x5581a43e8f48, __val=0) at /usr/include/c++/13/bits/atomic_wait.h:110
#2  render::jobs::Worker::park (this=0x5581a43e8f00) at src/jobs/Worker.cpp:88
#3  render::jobs::Worker::run (this=0x5581a43e8f00) at src/jobs/Worker.cpp:61

Thread 1 (Thread 0x7f3ba0a90740 (LWP 88117) "JobSystemTest"):
#0  syscall () at ../sysdeps/unix/sysv/linux/x86_64/syscall.S:38
#1  0x00005581a2f4b7e0 in std::__detail::__platform_wait (__addr=0x7ffd1c2a3f10, __val=3) at /usr/include/c++/13/bits/atomic_wait.h:110
#2  render::jobs::Counter::wait (this=0x7ffd1c2a3f10) at src/jobs/Counter.cpp:22
#3  render::jobs::JobSystem::waitFor (this=0x5581a43e8e00, c=...) at src/jobs/JobSystem.cpp:143
#4  JobSystemTest_StressNestedSpawns_Test::TestBody (this=0x5581a43f0a00) at tests/jobs/JobSystemTest.cpp:117

(gdb) p ((render::jobs::JobSystem*)0x5581a43e8e00)->workers_[0]->deque_.size()
$1 = 0
(gdb) p ((render::jobs::JobSystem*)0x5581a43e8e00)->workers_[2]->deque_.size()
$2 = 3
(gdb) p ((render::jobs::JobSystem*)0x5581a43e8e00)->sleepers_
$3 = {<std::__atomic_base<unsigned int>> = {_M_i = 4}}
"""

_worker_cpp = """#include "render/jobs/Worker.h"
#include "render/jobs/JobSystem.h"

namespace render::jobs {

void Worker::push(Job* job) {
    deque_.push(job);
    system_->notifyOne();
}

Job* Worker::findWork() {
    if (Job* j = deque_.pop()) return j;
    for (std::size_t i = 1; i < system_->workerCount(); ++i) {
        Worker& victim = system_->worker((index_ + i) % system_->workerCount());
        if (Job* j = victim.deque_.steal()) return j;
    }
    return nullptr;
}

void Worker::run() {
    while (!system_->stopping()) {
        if (Job* j = findWork()) {
            j->execute();
            continue;
        }
        park();
    }
}

void Worker::park() {
    system_->sleepers_.fetch_add(1, std::memory_order_relaxed);
    wake_.store(0, std::memory_order_relaxed);
    wake_.wait(0, std::memory_order_relaxed);
    system_->sleepers_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace render::jobs
"""

cc(
    "k-cc-021", "complex",
    "All four workers are parked while a deque still holds three jobs: a lost-wakeup race between pushing work and parking that hangs one run in a few hundred, a concurrency fix in the scheduler's sleep protocol.",
    "render",
    [
        U("JobSystemTest.StressNestedSpawns hangs maybe once in 300 runs (ctest timeout after 60s). it started after the work-stealing deque landed (2a6f8c4). I attached gdb to a hung one, output below. can you fix it properly? TSan run was clean btw\n\n```\n" + _gdb_hang + "```"),
        par(rd("src/jobs/Worker.cpp", _worker_cpp), gr("notifyOne|sleepers_", "src/jobs/JobSystem.cpp:58:void JobSystem::notifyOne() {\nsrc/jobs/JobSystem.cpp:59:    if (sleepers_.load(std::memory_order_relaxed) == 0) return;\nsrc/jobs/JobSystem.cpp:60:    for (auto& w : workers_) {\nsrc/jobs/JobSystem.cpp:61:        if (w->wake_.exchange(1, std::memory_order_relaxed) == 0) { w->wake_.notify_one(); return; }\nsrc/jobs/JobSystem.cpp:62:    }\nsrc/jobs/JobSystem.cpp:63:}\ninclude/render/jobs/JobSystem.h:71:    std::atomic<uint32_t> sleepers_{0};", path=".")),
    ],
)

cc(
    "k-cc-022", "complex",
    "Two concurrent refunds sharing a count-based idempotency key, recorded twice locally but once at the gateway, is a money bug under concurrency whose fix and repair query need care.",
    "shopfront",
    [
        U("support escalation: order #88213 shows two refunds of €40 in our admin and refunded_cents = 8000, but in the payment provider's dashboard there is only ONE €40 refund. two agents clicked refund within a second of each other (the customer had called twice). finance says there are at least 6 more orders like this since store credit launched. figure out how this happens and fix it. don't touch prod data yet, I just want the fix and a query to find the affected orders"),
        gr("idempotency", "app/services/refund_service.rb:21:        idempotency_key: \"refund-#{@order.id}-#{@order.refunds.count + 1}\"\napp/lib/payment_gateway.rb:44:      headers[\"Idempotency-Key\"] = idempotency_key\napp/lib/payment_gateway.rb:58:      # 409 = the provider already processed a request with this key; return the original refund\napp/lib/payment_gateway.rb:59:      return Refund.new(id: body.dig(\"error\", \"original_id\")) if response.status == 409\nspec/lib/payment_gateway_spec.rb:31:    it \"reuses the existing refund for the same idempotency key\" do", path="."),
        sh("bin/rails runner 'o = Order.find(88213); pp o.refunds.map { |r| [r.id, r.amount_cents, r.gateway_refund_id, r.created_by_id, r.created_at.iso8601(3)] }' -e development", "[[5121, 4000, \"re_3Q8kT2LmZ1aP0x7c\", 14, \"2025-10-20T10:14:03.412+02:00\"],\n [5122, 4000, \"re_3Q8kT2LmZ1aP0x7c\", 22, \"2025-10-20T10:14:03.998+02:00\"]]", secs=6.0),
    ],
)


def _celery_log(seed: int, dup_runs: int) -> str:
    rng = random.Random(seed)
    out = []
    t = 0
    depots = ["north", "east", "harbour", "valley"]
    for night in range(3):
        for d in depots:
            tid = "".join(rng.choice("0123456789abcdef") for _ in range(8)) + "-" + "".join(rng.choice("0123456789abcdef") for _ in range(4)) + "-4a1c-9e2d-" + "".join(rng.choice("0123456789abcdef") for _ in range(12))
            start = 2 * 3600 + rng.randrange(0, 120)
            dur = rng.randrange(900, 5200) if d in ("north", "harbour") else rng.randrange(120, 600)
            h, m, s = start // 3600, (start % 3600) // 60, start % 60
            out.append(f"[2025-10-{20 + night} {h:02d}:{m:02d}:{s:02d},{rng.randrange(100, 999)}: INFO/MainProcess] Task pantry.routes.tasks.optimise_routes[{tid}] received")
            out.append(f"[2025-10-{20 + night} {h:02d}:{m:02d}:{s + 1 if s < 59 else 59:02d},{rng.randrange(100, 999)}: INFO/ForkPoolWorker-{rng.randrange(1, 5)}] optimise_routes depot={d} stops={rng.randrange(40, 190)} vehicles={rng.randrange(3, 9)}")
            for _ in range(rng.randrange(6, 14)):
                t = start + rng.randrange(10, dur)
                out.append(f"[2025-10-{20 + night} {t // 3600:02d}:{(t % 3600) // 60:02d}:{t % 60:02d},{rng.randrange(100, 999)}: INFO/ForkPoolWorker-{rng.randrange(1, 5)}] ortools depot={d} iteration={rng.randrange(1, 400)} objective={rng.randrange(80000, 400000)}")
            if dur > 3600 and night < dup_runs + 1:
                r = start + 3600 + rng.randrange(1, 30)
                out.append(f"[2025-10-{20 + night} {r // 3600:02d}:{(r % 3600) // 60:02d}:{r % 60:02d},{rng.randrange(100, 999)}: INFO/MainProcess] Task pantry.routes.tasks.optimise_routes[{tid}] received")
                out.append(f"[2025-10-{20 + night} {r // 3600:02d}:{(r % 3600) // 60:02d}:{r % 60 + 1 if r % 60 < 59 else 59:02d},{rng.randrange(100, 999)}: INFO/ForkPoolWorker-{rng.randrange(1, 5)}] optimise_routes depot={d} stops={rng.randrange(40, 190)} vehicles={rng.randrange(3, 9)}")
            e = start + dur
            out.append(f"[2025-10-{20 + night} {e // 3600:02d}:{(e % 3600) // 60:02d}:{e % 60:02d},{rng.randrange(100, 999)}: INFO/ForkPoolWorker-{rng.randrange(1, 5)}] Task pantry.routes.tasks.optimise_routes[{tid}] succeeded in {dur}.{rng.randrange(10, 99)}s: {{'depot': '{d}', 'routes': {rng.randrange(3, 9)}}}")
    return "\n".join(out) + "\n"


_routes_tasks = """import structlog
from celery import shared_task
from django.db import transaction

from pantry.routes.models import Route, RouteStop
from pantry.routes.solver import solve_depot
from pantry.stock.ledger import allocate_for_route

log = structlog.get_logger()


@shared_task(bind=True, acks_late=True, max_retries=2)
def optimise_routes(self, depot_id: int, service_date: str) -> dict:
    plan = solve_depot(depot_id, service_date)  # OR-Tools, 2 min to 90 min depending on depot
    with transaction.atomic():
        Route.objects.filter(depot_id=depot_id, service_date=service_date, locked=False).delete()
        for r in plan.routes:
            route = Route.objects.create(depot_id=depot_id, service_date=service_date, vehicle_id=r.vehicle_id)
            RouteStop.objects.bulk_create([RouteStop(route=route, pickup_id=s.pickup_id, seq=i) for i, s in enumerate(r.stops)])
            allocate_for_route(route)
    return {"depot": plan.depot_slug, "routes": len(plan.routes)}
"""

_celery_py = """import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantry.settings.prod")

app = Celery("pantry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "nightly-routes": {
        "task": "pantry.routes.tasks.schedule_all_depots",
        "schedule": crontab(hour=2, minute=0),
    },
}
"""

_celery_settings = """CELERY_BROKER_URL = env("REDIS_URL")
CELERY_RESULT_BACKEND = env("REDIS_URL")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 2 * 60 * 60
CELERY_TIMEZONE = "Europe/London"
"""

cc(
    "k-cc-023", "complex",
    "Nightly route jobs running twice for the big depots since the Redis broker move survived two fixes; the redelivery cause is in no error line and the fix must keep the task idempotent.",
    "pantry",
    [
        U("since we moved celery to redis (#395) the nightly route optimisation sometimes runs TWICE for north and harbour depot. drivers got duplicate stops and stock got allocated twice for ~30 pickups on tuesday, warehouse staff had to fix it by hand. only the big depots, the small ones are fine. please find out why and fix"),
        par(rd("pantry/routes/tasks.py", _routes_tasks), rd("pantry/celery.py", _celery_py)),
        gr("CELERY_", "\n".join(f"pantry/settings/base.py:{41 + i}:{line}" for i, line in enumerate(_celery_settings.splitlines())), path="pantry/settings"),
        sh("kubectl -n pantry logs deploy/celery-worker --since=72h | grep -E 'optimise_routes' ", _celery_log(7, 2), secs=5.0),
        A("The logs show the same task id received a second time almost exactly one hour after it started, only for runs longer than an hour. First guess: beat fires twice (two beat pods?). Checking."),
        sh("kubectl -n pantry get deploy -o custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas", "NAME            REPLICAS\ncelery-beat     1\ncelery-worker   3\nweb             3"),
        A("Only one beat. Attempt 1: added a Redis lock keyed on (depot, date) around `optimise_routes` so a second run returns early."),
        ed("pantry/routes/tasks.py", "    plan = solve_depot(depot_id, service_date)  # OR-Tools, 2 min to 90 min depending on depot", "    lock = cache.lock(f\"optimise:{depot_id}:{service_date}\", timeout=60 * 60)\n    if not lock.acquire(blocking=False):\n        log.warning(\"optimise_routes.skip_locked\", depot_id=depot_id)\n        return {\"skipped\": True}\n    plan = solve_depot(depot_id, service_date)  # OR-Tools, 2 min to 90 min depending on depot"),
        sh("make test", _pytest_pantry(11), secs=14.0),
        A("Tests pass. Deployed to staging and triggered harbour by hand."),
        sh("kubectl -n pantry-staging logs deploy/celery-worker --since=3h | grep -E 'optimise_routes|skip_locked'", _celery_log(19, 1) + "[2025-10-23 11:07:12,481: WARNING/ForkPoolWorker-2] optimise_routes.skip_locked depot_id=3\n[2025-10-23 12:07:44,203: INFO/MainProcess] Task pantry.routes.tasks.optimise_routes[6c01e2b7-9f3a-4a1c-9e2d-71d0a8e3c5f2] received\n[2025-10-23 12:07:45,019: INFO/ForkPoolWorker-1] optimise_routes depot=harbour stops=171 vehicles=8", secs=4.0),
        A("Attempt 1 did not hold: the lock has a 1-hour TTL and the harbour solve takes ~85 minutes, so the third delivery at 2 h gets through. Attempt 2: raised the lock TTL to 3 hours and set `max_retries=0`."),
        ed("pantry/routes/tasks.py", "timeout=60 * 60)", "timeout=3 * 60 * 60)"),
        sh("kubectl -n pantry-staging logs deploy/celery-worker --since=4h | grep -cE 'optimise_routes\\[.*received'", "7", secs=3.0),
        U("so now it just gets received over and over and skipped? that's not a fix, and the lock thing would also block me re-running it by hand. figure out what's actually redelivering these and fix it at the root"),
    ],
)


# =========================================================================== complex: plain Anthropic SDK calls

sdk(
    "k-ot-a06", "complex",
    "Hardening a partner webhook's signature check (timing-safe comparison, replay window, secret rotation) is authentication code where a subtle mistake lets forged requests move data.",
    [{"role": "user", "content": "Laravel 11. Our partner agencies POST stock requests to /webhooks/agency. Security review said our verification is weak. Current code:\n\n```php\nclass VerifyAgencySignature\n{\n    public function handle(Request $request, Closure $next)\n    {\n        $agency = Agency::where('slug', $request->header('X-Agency'))->firstOrFail();\n        $sig = $request->header('X-Signature');\n        $expected = md5($agency->webhook_secret . $request->getContent());\n        if ($sig != $expected) {\n            abort(401);\n        }\n        return $next($request);\n    }\n}\n```\n\nFix it properly: HMAC-SHA256 over timestamp + body, timing-safe compare, reject timestamps older than 5 minutes, prevent replay within that window, and support two active secrets per agency during rotation. The 14 partners currently send md5 signatures, so we need a migration path where both schemes work until a cutoff date, without making the old scheme the weak link forever. Give me the middleware, the migration for the secrets, and Pest tests.\n\nContext:\n\n```php\n// routes/api.php\nRoute::post('/webhooks/agency', AgencyWebhookController::class)\n    ->middleware(['throttle:agency-webhooks', VerifyAgencySignature::class]);\n\n// app/Models/Agency.php\nclass Agency extends Model\n{\n    protected $hidden = ['webhook_secret'];\n    protected $casts = ['webhook_secret' => 'encrypted', 'active' => 'boolean'];\n\n    public function stockRequests(): HasMany\n    {\n        return $this->hasMany(StockRequest::class);\n    }\n}\n\n// app/Http/Controllers/AgencyWebhookController.php\nclass AgencyWebhookController\n{\n    public function __invoke(Request $request, StockRequestService $service)\n    {\n        $agency = Agency::where('slug', $request->header('X-Agency'))->firstOrFail();\n        $service->createFromWebhook($agency, $request->json()->all());\n        return response()->noContent();\n    }\n}\n```\n\nWe run 3 web nodes behind a load balancer with Redis available."}],
    max_tokens=8000,
)

sdk(
    "k-ot-a07", "complex",
    "An SPSC ring buffer corrupting messages only on ARM publishes its index before the payload; the fix is a concurrency change that must be right on weakly ordered hardware.",
    [{"role": "user", "content": "C11, runs on x86 servers and on ARM64 (Graviton + Raspberry Pi 5 gateways). One producer thread (the serial reader), one consumer thread (the uploader). On ARM we very occasionally get messages where the first bytes are from the previous message in that slot, never on x86. Can you fix it and explain which orderings are needed where?\n\n```c\n#include <stdatomic.h>\n#include <stdbool.h>\n#include <string.h>\n\n#define SLOTS 256\n#define MSG_MAX 512\n\ntypedef struct { size_t len; unsigned char data[MSG_MAX]; } msg_t;\n\ntypedef struct {\n    _Atomic size_t head;   /* written by producer */\n    _Atomic size_t tail;   /* written by consumer */\n    msg_t slots[SLOTS];\n} ring_t;\n\nbool ring_push(ring_t *r, const unsigned char *buf, size_t len) {\n    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);\n    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);\n    if (head - tail == SLOTS) return false;\n    msg_t *m = &r->slots[head % SLOTS];\n    atomic_store_explicit(&r->head, head + 1, memory_order_relaxed);\n    m->len = len;\n    memcpy(m->data, buf, len);\n    return true;\n}\n\nbool ring_pop(ring_t *r, unsigned char *out, size_t *len) {\n    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);\n    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);\n    if (tail == head) return false;\n    msg_t *m = &r->slots[tail % SLOTS];\n    *len = m->len;\n    memcpy(out, m->data, m->len);\n    atomic_store_explicit(&r->tail, tail + 1, memory_order_relaxed);\n    return true;\n}\n```\n\nand the threads:\n\n```c\nstatic ring_t g_ring;\n\nvoid *reader_thread(void *arg) {\n    int fd = *(int *)arg;\n    unsigned char buf[MSG_MAX];\n    for (;;) {\n        ssize_t n = read_frame(fd, buf, sizeof buf);\n        if (n <= 0) continue;\n        while (!ring_push(&g_ring, buf, (size_t)n)) sched_yield();\n    }\n}\n\nvoid *uploader_thread(void *arg) {\n    (void)arg;\n    unsigned char out[MSG_MAX];\n    size_t len;\n    for (;;) {\n        if (!ring_pop(&g_ring, out, &len)) { usleep(500); continue; }\n        if (crc16(out, len - 2) != ((out[len - 2] << 8) | out[len - 1])) {\n            log_warn(\"bad crc, len=%zu first=%02x\", len, out[0]);\n        }\n        mqtt_publish(out, len);\n    }\n}\n```"}],
    max_tokens=6000,
)


# =========================================================================== reasoning: Claude Code main loop

_stock_ledger = """from django.db import transaction
from django.db.models import F

from pantry.stock.models import Lot, Reservation


class OutOfStock(Exception):
    pass


@transaction.atomic
def reserve(pickup, item, packs: int) -> list[Reservation]:
    \"\"\"Reserve packs for a pickup from the depot's lots, earliest expiry first (FEFO).\"\"\"
    lots = (
        Lot.objects.select_for_update()
        .filter(depot=pickup.depot, item=item, expires_on__gte=pickup.scheduled_for, available__gt=0)
        .order_by("expires_on", "id")
    )
    out, need = [], packs
    for lot in lots:
        take = min(need, lot.available)
        Lot.objects.filter(pk=lot.pk).update(available=F("available") - take)
        out.append(Reservation.objects.create(pickup=pickup, lot=lot, packs=take))
        need -= take
        if need == 0:
            return out
    raise OutOfStock(item.sku)


@transaction.atomic
def release(pickup) -> None:
    for r in pickup.reservations.select_related("lot"):
        Lot.objects.filter(pk=r.lot_id).update(available=F("available") + r.packs)
    pickup.reservations.all().delete()
"""

cc(
    "k-cc-024", "reasoning",
    "Choosing when and where perishable stock is committed across four depots trades waste, fairness under caps and agency certainty: an architecture decision with real trade-offs, with thinking on.",
    "pantry",
    [
        U("design question before anyone writes code. right now a pickup reserves lots at its own depot the moment the agency books it (stock/ledger.py, FEFO). problems: (1) agencies book 10 days ahead, so chilled stuff gets reserved and then expires before pickup day or the booking is cancelled the day before, ~11% of chilled packs wasted last quarter; (2) north depot is often out while harbour has plenty, and we do an inter-depot van transfer twice a week that nobody models; (3) weekly agency caps are checked at booking but the allocation is first-come-first-served so the agencies that book on Monday morning get everything. options people floated: keep hard reservations but only for ambient items; soft holds that become hard at route-build time (night before); a pool across depots with the transfer van as a 'virtual lot'; a fair-share allocation run nightly instead of FCFS. I want a recommendation with the trade-offs, what agencies would see in the portal, and what breaks in our current model. think it through properly"),
        par(rd("pantry/stock/ledger.py", _stock_ledger), rd("pantry/routes/tasks.py", _routes_tasks)),
        sh("psql $DATABASE_URL -c \"select category, count(*) filter (where status='expired_reserved') as wasted, count(*) as total, round(100.0*count(*) filter (where status='expired_reserved')/count(*),1) as pct from stock_lot_outcomes where quarter='2025Q3' group by 1 order by 4 desc\"", " category | wasted | total | pct\n----------+--------+-------+------\n chilled  |   2841 | 25902 | 11.0\n bakery   |    977 | 12310 |  7.9\n produce  |   1502 | 31877 |  4.7\n ambient  |    118 | 88204 |  0.1\n(4 rows)", secs=2.0),
    ],
    thinking=20000,
)


def _lag_evidence(seed: int) -> tuple[str, str, str]:
    rng = random.Random(seed)
    gw, broker, node = [], [], []
    for day in (21, 22, 23):
        for minute in range(0, 40):
            h, m = 1 + (50 + minute) // 60, (50 + minute) % 60
            if h == 1:
                lag = rng.randrange(200, 900)
            else:
                lag = rng.randrange(200, 900) if m < 4 else (rng.randrange(180000, 420000) if m < 19 else rng.randrange(2000, 9000) if m < 24 else rng.randrange(200, 900))
            p99 = 18 + rng.randrange(0, 12) if lag < 10000 else 2400 + rng.randrange(0, 1800)
            gw.append(f"2025-10-{day}T{h:02d}:{m:02d}:00Z ingest-gateway-{rng.randrange(0, 6)} consumer_lag_max={lag} push_p99_ms={p99} batcher_queued={lag // 3} kafka_write_errors={0 if lag < 10000 else rng.randrange(3, 40)}")
        broker += [
            f"[2025-10-{day} 02:00:0{rng.randrange(1, 9)},{rng.randrange(100, 999)}] INFO [LogCleaner] Log cleaner thread 0 cleaned log __consumer_offsets-{rng.randrange(0, 49)} (dirty section = [0, 1]) (kafka.log.LogCleaner)",
            f"[2025-10-{day} 02:04:1{rng.randrange(0, 9)},{rng.randrange(100, 999)}] WARN [ReplicaFetcher replicaId=2, leaderId=3, fetcherId=0] Error in response for fetch request (kafka.server.ReplicaFetcherThread) java.io.IOException: Connection to 3 was disconnected before the response was read",
            f"[2025-10-{day} 02:04:2{rng.randrange(0, 9)},{rng.randrange(100, 999)}] INFO [Partition telemetry.raw.v2-{rng.randrange(0, 24)} broker=2] Shrinking ISR from 1,2,3 to 1,2. Leader: (highWatermark: {rng.randrange(10**9, 2 * 10**9)}, endOffset: {rng.randrange(10**9, 2 * 10**9)}). Out of sync replicas: (brokerId: 3, endOffset: {rng.randrange(10**9, 2 * 10**9)}). (kafka.cluster.Partition)",
            f"[2025-10-{day} 02:18:5{rng.randrange(0, 9)},{rng.randrange(100, 999)}] INFO [Partition telemetry.raw.v2-{rng.randrange(0, 24)} broker=2] Expanding ISR from 1,2 to 1,2,3 (kafka.cluster.Partition)",
            f"[2025-10-{day} 02:19:0{rng.randrange(0, 9)},{rng.randrange(100, 999)}] INFO [GroupCoordinator 1]: Stabilized group telemetry-writer generation {rng.randrange(400, 900)} (__consumer_offsets-{rng.randrange(0, 49)}) with 6 members (kafka.coordinator.group.GroupCoordinator)",
        ]
        node += [
            f"Oct {day} 02:00:01 kafka-3 CRON[{rng.randrange(10000, 99999)}]: (root) CMD (/usr/local/bin/ebs-snapshot.sh /dev/nvme1n1 >> /var/log/ebs-snapshot.log 2>&1)",
            f"Oct {day} 02:00:02 kafka-1 CRON[{rng.randrange(10000, 99999)}]: (root) CMD (/usr/local/bin/ebs-snapshot.sh /dev/nvme1n1 >> /var/log/ebs-snapshot.log 2>&1)",
            f"Oct {day} 02:00:02 kafka-2 CRON[{rng.randrange(10000, 99999)}]: (root) CMD (/usr/local/bin/ebs-snapshot.sh /dev/nvme1n1 >> /var/log/ebs-snapshot.log 2>&1)",
            f"Oct {day} 02:03:{rng.randrange(40, 59)} kafka-3 ebs-snapshot.sh: fsfreeze -f /var/lib/kafka",
            f"Oct {day} 02:04:0{rng.randrange(0, 9)} kafka-3 ebs-snapshot.sh: snapshot snap-0{rng.randrange(10**15, 10**16):x} started for vol-0a3c{rng.randrange(10**8, 10**9):x}",
            f"Oct {day} 02:04:{rng.randrange(10, 30)} kafka-3 kernel: INFO: task kafka-request-h:{rng.randrange(4000, 9000)} blocked for more than 120 seconds.",
            f"Oct {day} 02:18:{rng.randrange(30, 50)} kafka-3 ebs-snapshot.sh: fsfreeze -u /var/lib/kafka",
            f"Oct {day} 02:00:0{rng.randrange(3, 9)} kafka-1 ebs-snapshot.sh: skipping fsfreeze (not primary AZ)",
            f"Oct {day} 02:00:0{rng.randrange(3, 9)} kafka-2 ebs-snapshot.sh: skipping fsfreeze (not primary AZ)",
        ]
        for _ in range(rng.randrange(25, 45)):
            node.append(f"Oct {day} 0{rng.randrange(0, 6)}:{rng.randrange(0, 59):02d}:{rng.randrange(0, 59):02d} kafka-{rng.randrange(1, 4)} systemd[1]: Started {rng.choice(['Session', 'Daily apt download activities', 'logrotate.service', 'Cleanup of Temporary Directories', 'node_exporter textfile collector'])}.")
    return "\n".join(gw) + "\n", "\n".join(broker) + "\n", "\n".join(node) + "\n"


_gw_lag, _broker_log, _node_log = _lag_evidence(29)

cc(
    "k-cc-025", "reasoning",
    "Explaining a nightly fifteen-minute lag spike from gateway metrics, broker ISR churn and cron logs on three machines needs one hypothesis fitting all the evidence: cross-machine root-cause analysis.",
    "gateway",
    [
        U("every night around 02:04 UTC consumer lag goes from <1k to 200-400k for ~15 min and Push p99 jumps to seconds, then it recovers by itself. nothing deploys at that time. I pulled gateway metrics, broker logs and syslog from the 3 kafka nodes for the last 3 nights into /tmp/lag/. I don't want a fix yet, I want to understand exactly what's happening and why it hurts us that much when only one broker looks unhappy. our writer uses RequiredAcks=all, min.insync.replicas=2, replication factor 3"),
        par(
            sh("cat /tmp/lag/gateway-metrics.txt", _gw_lag, desc="Show the gateway lag metrics"),
            sh("cat /tmp/lag/broker-2.log", _broker_log, desc="Show the broker log"),
            sh("cat /tmp/lag/syslog-kafka-nodes.txt", _node_log, desc="Show the kafka nodes' syslog"),
        ),
        rd("cmd/gateway/main.go", GW["cmd/gateway/main.go"]),
    ],
)

_sharded_rs = """//! Proposed replacement for `Mutex<Lru>`: 16 shards, each a Mutex<Lru>, plus single-flight so that
//! concurrent misses for the same key call `load` once.

use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

pub struct Sharded<V: Clone + Send + 'static> {
    shards: Vec<Mutex<Lru<String, V>>>,
    inflight: Vec<Mutex<HashMap<String, broadcast::Sender<Result<V, Arc<Error>>>>>>,
}

impl<V: Clone + Send + 'static> Sharded<V> {
    pub async fn get_or_load<F, Fut>(&self, key: &str, load: F) -> Result<V, Arc<Error>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, Error>>,
    {
        let s = shard_of(key);
        if let Some(v) = self.shards[s].lock().unwrap().get(&key.to_string()) {
            return Ok(v.clone());
        }
        let mut rx = {
            let mut inflight = self.inflight[s].lock().unwrap();
            if let Some(tx) = inflight.get(key) {
                Some(tx.subscribe())
            } else {
                let (tx, _) = broadcast::channel(1);
                inflight.insert(key.to_string(), tx);
                None
            }
        };
        if let Some(rx) = rx.as_mut() {
            return rx.recv().await.map_err(|_| Arc::new(Error::LoaderGone))?;
        }
        let res = load().await.map_err(Arc::new);
        if let Ok(v) = &res {
            self.shards[s].lock().unwrap().put(key.to_string(), v.clone());
        }
        let tx = self.inflight[s].lock().unwrap().remove(key).unwrap();
        let _ = tx.send(res.clone());
        res
    }

    /// Called by the admin API when a station's config changes.
    pub fn invalidate(&self, key: &str) {
        self.shards[shard_of(key)].lock().unwrap().remove(&key.to_string());
    }
}
"""

cc(
    "k-cc-026", "reasoning",
    "Whether a sharded single-flight cache can serve stale values after invalidation or strand waiters is a correctness argument over interleavings, asked with ultrathink and thinking on.",
    "tidewater",
    [
        U("ultrathink. I'm proposing to replace the global Mutex<Lru> with the sharded + single-flight thing in docs/proposals/sharded.rs. before I benchmark it I want to know if it's correct. specifically: (a) after `invalidate(k)` returns, can any later `get_or_load(k)` return the value from before the invalidation? (b) can a waiter subscribed to the broadcast ever hang or get LoaderGone when the loader succeeded? (c) what if the loader future is cancelled (client disconnects, axum drops the handler)? give me either an argument that it's fine or concrete interleavings that break it, and the minimal change that fixes each"),
        rd("docs/proposals/sharded.rs", _sharded_rs),
        rd("src/cache/lru.rs", TW["src/cache/lru.rs"]),
    ],
    thinking=31999,
)

cc(
    "k-cc-027", "reasoning",
    "Importing tenant CSVs, rendering their text into PDFs and emailing them from our domain needs a threat model (SSRF via the renderer, injection, spoofing, exhaustion) before any design.",
    "payments",
    [
        U("product wants \"bulk invoice import\": a tenant admin uploads a CSV (up to 50k rows) with customer email, line items, notes and optionally a logo URL; we create invoices, render PDFs with WeasyPrint (HTML template, the notes go into the HTML), and email them from billing@northwind-pay.com on the tenant's behalf. before we build it I want a proper threat model: who the attackers are, what they can do with each input, what the worst outcomes are for us and for the tenants' customers, and which mitigations are must-have for v1 vs later. we're PCI SAQ-A if that matters. no code please"),
        par(rd("app/billing/invoices.py", PAY["app/billing/invoices.py"]), rd("app/db/models.py", PAY["app/db/models.py"])),
        gr("weasyprint|HTML\\(", "app/billing/pdf.py:3:from weasyprint import HTML\napp/billing/pdf.py:21:    return HTML(string=html, base_url=settings.public_base_url).write_pdf()", path="app"),
    ],
)

cc(
    "k-cc-028", "reasoning",
    "Choosing between dbt snapshots and an event-built plan history, given backdated and intra-day changes, is a data-modelling decision with correctness trade-offs, asked with thinking on.",
    "warehouse",
    [
        U("finance wants MRR by plan over time, and dim_customers only has the *current* plan, so every historical report is silently wrong after an upgrade. two options on the table: (1) dbt snapshot of raw.billing.subscriptions (check strategy on plan, status, seats) running hourly, (2) ingest the billing service's subscription_events (created/upgraded/downgraded/cancelled, with effective_at, available since March 2024 only) and build plan history from events. complications: plan changes can be backdated by support (effective_at in the past), some customers change plan several times a day during trials, and finance wants mid-month upgrades prorated by day. which one should we build, or a mix, and what does the model look like? think about correctness of the history, not just effort"),
        sh("psql analytics -c \"select count(*) as changes, count(*) filter (where effective_at < created_at - interval '1 hour') as backdated, count(distinct subscription_id) filter (where n_same_day > 1) as multi_change_days from (select *, count(*) over (partition by subscription_id, effective_at::date) as n_same_day from raw_billing.subscription_events) e\"", " changes | backdated | multi_change_days\n---------+-----------+-------------------\n  184213 |      6127 |              3904\n(1 row)", secs=3.0),
    ],
    thinking=16000,
)

cc(
    "k-cc-029", "reasoning",
    "Outbox versus Debezium CDC for ledger events, argued on loss and per-account ordering through failovers and outages, is an architecture decision whose answer is an argument.",
    "ledger",
    [
        U("we need to publish LedgerEntryPosted / TransferCompleted events to Kafka for the new notifications and risk services. requirements from risk: no event may be lost, per-account order must be preserved, they can dedupe by event id. two camps in the team: transactional outbox table + a poller in the service, vs Debezium on the entries/transfers tables (we'd get it 'for free' from the WAL). concerns I've heard: outbox poller ordering with multiple pods, Debezium snapshot on a 900M-row entries table, schema coupling to our tables, what happens during a Postgres failover (we're on Patroni) and replication slot bloat if Debezium is down over a weekend. which one and why? I want the reasoning on ordering and loss, not a tutorial"),
    ],
)

_tracy_frames = "\n".join(
    f"{i},{(16.2 + (0.4 if i % 7 else 0.9)) if i % 263 not in (0, 1) else (41.7 if i % 263 == 0 else 33.9):.1f},{2.1 + (i % 5) * 0.1:.1f},{(0.3 if i % 263 else 24.8):.1f},{(11.4 + (i % 3) * 0.2):.1f}"
    for i in range(1, 1200)
)

cc(
    "k-cc-030", "reasoning",
    "A periodic GPU-fence hitch on two of five machines needs a root-cause hypothesis that explains the period, the machine split and the idle CPU, across frame, scheduler and inventory data.",
    "render",
    [
        U("QA reports a hitch every ~4.4s in the streaming benchmark scene, but only on 2 of our 5 linux test boxes. frame time export from Tracy, perf sched summary and the machine inventory are in /tmp/hitch/. the hitching frames show the time in `UploadQueue::waitFence` but the CPU is basically idle during it. I want to know what's actually causing the periodic stall and why only those two machines, before we start changing the upload path"),
        par(
            sh("head -1 /tmp/hitch/frames.csv && cat /tmp/hitch/frames.csv | tail -n +2", "frame,total_ms,game_ms,upload_wait_ms,render_ms\n" + _tracy_frames, desc="Show the frame time export"),
            sh("cat /tmp/hitch/inventory.txt", "host      gpu                 driver        kernel            vram_gb  ram_gb  streaming_pool_mb  rebar\nqa-lnx-01 RTX 4070            550.120       6.8.0-45-generic  12       32      1024               on\nqa-lnx-02 RTX 3060            550.120       6.8.0-45-generic  12       32      1024               off\nqa-lnx-03 RTX 4070            560.35.03     6.8.0-45-generic  12       32      1024               on\nqa-lnx-04 RX 7800 XT          mesa 24.0.9   6.8.0-45-generic  16       32      1024               on\nqa-lnx-05 RTX 3060            560.35.03     6.5.0-41-generic  12       16      1024               off\n\nhitching: qa-lnx-02, qa-lnx-05", desc="Show the machine inventory"),
            sh("cat /tmp/hitch/perf-sched-qa-lnx-02.txt", " -----------------------------------------------------------------------------------------------------------------\n  Task                  |   Runtime ms  | Switches | Average delay ms | Maximum delay ms | Maximum delay at       |\n -----------------------------------------------------------------------------------------------------------------\n  render-main:41022     |   8201.334 ms |    61722 | avg:    0.011 ms | max:   24.612 ms | max at:  91822.341822 s\n  upload-0:41031        |    611.902 ms |     9114 | avg:    0.019 ms | max:    0.402 ms | max at:  91801.117334 s\n  kworker/u32:3+nv_queue|     41.288 ms |      272 | avg:    0.007 ms | max:    0.211 ms | max at:  91822.320011 s\n  nvidia-modeset/:812   |     12.004 ms |       17 | avg:    0.003 ms | max:    0.022 ms | max at:  91822.318870 s\n  irq/188-nvidia:811    |     88.120 ms |    30552 | avg:    0.002 ms | max:    0.019 ms | max at:  91822.300541 s\n -----------------------------------------------------------------------------------------------------------------\n\n  render-main blocked in: dma_fence_wait_timeout <- nv_drm_gem_fence_wait (272 times > 20 ms; period 4.38 s +- 0.02 s)", desc="Show the scheduler summary"),
        ),
        rd("include/render/RingBuffer.h", RND["include/render/RingBuffer.h"]),
        sh("grep -n 'streaming_pool\\|evict\\|defrag' src/upload/*.cpp | head -20", "src/upload/StreamingPool.cpp:44:// Pool is a single 1 GiB HOST_VISIBLE|DEVICE_LOCAL allocation when ReBAR is available,\nsrc/upload/StreamingPool.cpp:45:// otherwise HOST_VISIBLE staging + copy to a DEVICE_LOCAL heap.\nsrc/upload/StreamingPool.cpp:112:void StreamingPool::evictLru(std::size_t bytesNeeded) {\nsrc/upload/StreamingPool.cpp:131:    // defrag every 256 evictions so the free list doesn't fragment\nsrc/upload/StreamingPool.cpp:132:    if (++evictions_ % 256 == 0) defragment();\nsrc/upload/StreamingPool.cpp:158:void StreamingPool::defragment() {\nsrc/upload/StreamingPool.cpp:171:    cmd.copyBuffer(pool_, scratch_, regions);  // compacts live blocks into scratch, then back", desc="Search the upload code"),
    ],
)


# =========================================================================== reasoning: plain Anthropic SDK calls

sdk(
    "k-ot-a08", "reasoning",
    "Minimising nights for 40 shard upgrades under host, window and staffing constraints is a constrained scheduling problem needing a formulation and a lower bound, with extended thinking on.",
    [{"role": "user", "content": "We need to run a major-version Postgres upgrade on 40 shards. Constraints:\n- each shard has a primary and 2 replicas spread over 6 hosts (host list per shard attached below); a host can take part in at most one upgrade per night, because the upgrade saturates its disk\n- shards 1-14 serve EU customers: window 01:00-05:00 CET; 15-32 US: 02:00-06:00 ET; 33-40 APAC: 01:00-05:00 SGT. one ops engineer can babysit at most 3 upgrades at the same time, we have 2 engineers per night, and an upgrade takes 70-110 minutes\n- shards 7 and 21 share a logical replication link and must be upgraded the same night or the link breaks\n- nobody works Friday/Saturday nights\n\nHow do I find the schedule with the fewest nights, and can you prove a lower bound so I know when to stop searching? I'd rather have an exact method if it's tractable at this size, otherwise a heuristic with a gap estimate. Explain the formulation first.\n\nhosts per shard:\n" + "\n".join(f"s{i}: h{(i * 7) % 6 + 1},h{(i * 5 + 2) % 6 + 1},h{(i * 11 + 4) % 6 + 1}" for i in range(1, 41)) + "\n\nLast major upgrade we did it greedily by shard number and it took 11 nights, two of them wasted because the same host came up twice. Expected durations (minutes) by shard size bucket: small (s1-s9, s15-s24, s33-s36) 70, medium (s10-s12, s25-s30, s37-s38) 90, large (s13-s14, s31-s32, s39-s40) 110."}],
    system="You are helping an SRE team plan database operations. Be precise about assumptions. When you propose an algorithm, state its complexity and what is exact versus heuristic, and show a small worked example on the data given.",
    model="claude-opus-4-1", max_tokens=16000, thinking={"type": "enabled", "budget_tokens": 10000},
)

sdk(
    "k-ot-a09", "reasoning",
    "Whether any crash or retry interleaving of a capture flow across Postgres, a job queue and a provider can charge without a paid order is a protocol safety argument over failure points.",
    [{"role": "user", "content": "I'd like a careful analysis, not code. Our order capture works like this:\n\n1. API: BEGIN; insert orders(status='pending', id=uuid); insert jobs(kind='capture', order_id); COMMIT\n2. Worker picks the job (SELECT ... FOR UPDATE SKIP LOCKED, visibility 60s), calls provider POST /captures with Idempotency-Key = order_id, timeout 30s\n3. On 2xx: BEGIN; update orders set status='paid', provider_capture_id=...; delete job; COMMIT\n4. On timeout or 5xx: leave the job, it becomes visible again after 60s and is retried (max 5)\n5. Provider webhook capture.succeeded also sets status='paid' if still pending (matched by metadata.order_id)\n6. A nightly job cancels orders still 'pending' after 24h and voids their authorisation at the provider\n\nThe provider keeps idempotency keys for 24h. Questions: can a customer ever be charged without our order ending up 'paid'? Can an order be 'paid' with no capture, or be captured twice? Walk through the crash/timeout/retry points (worker crash between 2 and 3, DB failover at 3, webhook arriving before 3 commits, the 24h boundary vs retries and the nightly cancel) and tell me which invariants hold, which don't, with the concrete interleaving for each violation.\n\nWorker, simplified:\n\n```python\ndef run_capture_job(conn, provider):\n    with conn.transaction():\n        job = conn.execute(\n            \"select * from jobs where kind='capture' and visible_at <= now() \"\n            \"order by id for update skip locked limit 1\").fetchone()\n        if job is None:\n            return\n        conn.execute(\"update jobs set visible_at = now() + interval '60 seconds', attempts = attempts + 1 where id = %s\", [job.id])\n    order = conn.execute(\"select * from orders where id = %s\", [job.order_id]).fetchone()\n    try:\n        cap = provider.capture(order.payment_intent_id, amount=order.total_minor,\n                               idempotency_key=str(order.id), timeout=30)\n    except (provider.Timeout, provider.ServerError):\n        return  # retried when visible again\n    with conn.transaction():\n        conn.execute(\"update orders set status='paid', provider_capture_id=%s where id=%s\", [cap.id, order.id])\n        conn.execute(\"delete from jobs where id=%s\", [job.id])\n```"}],
    model="claude-opus-4-1", max_tokens=12000,
)

sdk(
    "k-ot-a10", "reasoning",
    "Proving or refuting uniqueness and monotonicity of a Snowflake-style ID generator under clock steps, restarts and leased worker ids is a correctness proof, with extended thinking on.",
    [{"role": "user", "content": "We generate 64-bit ids: 41 bits ms since 2024-01-01, 10 bits worker id, 12 bits sequence. Workers get their worker id from a Redis lease (SET NX with 30s TTL, renewed every 10s). On clock going backwards we wait until the clock catches up if the step is < 50ms, otherwise we refuse to generate ids and the pod fails its readiness probe. On restart the sequence starts at 0 and last_ms starts at 0.\n\nClaims in our design doc: (1) ids are globally unique, (2) ids from one worker are strictly increasing, (3) ids are roughly time-ordered across workers within clock skew. Prove each claim or give a counterexample. In particular think about: a pod restart within the same millisecond after a clock step back, a lease that expires during a long GC pause and is taken by another pod while the first one still generates, Redis failover losing the lease key, and the 41-bit epoch overflow date.\n\n```go\ntype Gen struct {\n    mu      sync.Mutex\n    worker  uint64 // 0..1023 from the lease\n    lastMs  int64\n    seq     uint64\n    now     func() int64 // ms since custom epoch\n}\n\nfunc (g *Gen) Next() (uint64, error) {\n    g.mu.Lock()\n    defer g.mu.Unlock()\n    ms := g.now()\n    if ms < g.lastMs {\n        if g.lastMs-ms >= 50 {\n            return 0, ErrClockBackwards\n        }\n        for ms < g.lastMs {\n            time.Sleep(time.Millisecond)\n            ms = g.now()\n        }\n    }\n    if ms == g.lastMs {\n        g.seq = (g.seq + 1) & 0xFFF\n        if g.seq == 0 {\n            for ms <= g.lastMs {\n                ms = g.now()\n            }\n        }\n    } else {\n        g.seq = 0\n    }\n    g.lastMs = ms\n    return uint64(ms)<<22 | g.worker<<12 | g.seq, nil\n}\n\n// lease loop, one per pod\nfunc (l *Lease) keep(ctx context.Context) {\n    t := time.NewTicker(10 * time.Second)\n    for {\n        select {\n        case <-ctx.Done():\n            return\n        case <-t.C:\n            ok, err := l.rdb.Expire(ctx, l.key, 30*time.Second).Result()\n            if err != nil || !ok {\n                log.Printf(\"lease %s lost: %v\", l.key, err)\n                l.lost.Store(true) // Next() does not check this yet\n            }\n        }\n    }\n}\n```"}],
    model="claude-opus-4-1", max_tokens=16000, thinking={"type": "enabled", "budget_tokens": 12000},
)
