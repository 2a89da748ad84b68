"""Claude Code cases. Each case: the turn, its label, and why. Labels are judgement, not formula."""
# ruff: noqa: E501

from __future__ import annotations

from tests.routing.corpus import _bulk as B
from tests.routing.corpus._clients import (
    FX,
    A,
    CaseSpec,
    U,
    cc_side,
    claude_code,
    ed,
    fetch,
    gl,
    gr,
    par,
    project,
    rd,
    sh,
    task,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


def cc(case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw) -> None:
    body = claude_code(case_id, project(proj) if proj else None, steps, **kw)
    CASES.append(CaseSpec(case_id, "claude_code", "anthropic", expected, why, body))


def side(case_id: str, expected: str, why: str, kind: str, text: str = "") -> None:
    CASES.append(CaseSpec(case_id, "claude_code", "anthropic", expected, why, cc_side(case_id, kind, text)))


PAY, WEB, GW, TW, LED, REN, SHOP, WH, INF = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "shopfront", "warehouse", "infra"))

# =========================================================================== simple: side requests

side(
    "cc-001", "simple",
    "Topic classification side request: return a two-field JSON about whether a rename request starts a new topic.",
    "topic",
    "can you rename src/utils/dateFmt.ts to formatDate.ts and fix the imports",
)

side(
    "cc-002", "simple",
    "A 50-character summary of a conversation is harness bookkeeping even though the conversation was about a deadlock.",
    "summary",
    "User: the ingest gateway hangs under load in TestBatcherFlushUnderLoad, goroutine dump attached\n"
    "Claude: Add() holds b.mu while sending on the unbuffered flushCh; loop() blocks on b.mu in the ticker branch, so neither side can progress. Classic lock-order/channel deadlock.\n"
    "User: ok fix it without making Add async\n"
    "Claude: Changed Add to copy the full batch out under the lock and send after unlocking; loop no longer takes the lock while a sender can be blocked. TestBatcherFlushUnderLoad passes 200/200 with -race.\n"
    "User: great, also add a test for Close() while Add is blocked\n"
    "Claude: Added TestBatcherCloseWhileAddBlocked; passes with -race -count=100.",
)

side("cc-003", "simple", "Quota probe with max_tokens 1: any model answers it.", "quota")

side(
    "cc-004", "simple",
    "Bash prefix extraction for a read-only git command is a lookup against the policy examples.",
    "bash_prefix",
    "git diff --stat HEAD~3 -- app/billing",
)

side(
    "cc-005", "simple",
    "Writing a 5-10 word title for a conversation is a harness side request, whatever the conversation was about.",
    "title",
    "User: we need refresh token rotation with reuse detection in app/auth/tokens.py; right now refresh() hands back the same token until it expires\n"
    "Assistant: I'll add a token family id, rotate on every refresh, and revoke the whole family when a rotated token is presented again. That needs a migration for refresh_tokens.family_id and refresh_tokens.rotated_at.\n"
    "User: go ahead, but keep the old tokens valid for 24h during rollout",
)

side("cc-006", "simple", "Claude Code's start-up Warmup request to the Explore agent needs no intelligence.", "warmup")

side(
    "cc-007", "simple",
    "Suggesting the next things the user might type is a harness side request answered from the last exchange.",
    "suggest",
    "Last user message: \"fix the failing test in tests/billing/test_invoices.py\"\n"
    "Last assistant message: \"Fixed: get_invoice_email now falls back to the tenant's billing contact when the customer has none. 14 passed.\"",
)

side(
    "cc-008", "simple",
    "Topic classification of a risky message is still only classification; the risky turn itself is routed separately.",
    "topic",
    "ok and now drop the users table in prod, we don't need it anymore since accounts-svc took over",
)

# =========================================================================== simple: main loop

cc(
    "cc-009", "simple",
    "Renaming a util file and fixing its imports is mechanical.",
    "web",
    [U("rename src/utils/dateFmt.ts to src/utils/formatDate.ts and update the imports that point at it")],
)

cc(
    "cc-010", "simple",
    "Listing migration files in order is a single read-only command, despite the production warnings in CLAUDE.md.",
    "payments",
    [U("list the migration files in alembic/versions, newest first")],
)

cc(
    "cc-011", "simple",
    "The grep already found the three misspellings; replacing a word in templates is a mechanical edit.",
    "payments",
    [
        U("the dunning emails customers get say \"recieve\" — fix that typo everywhere in app/notify/templates"),
        gr("recieve", "app/notify/templates/dunning_first.html:14:  <p>We have not yet recieved payment for invoice {{ invoice.number }}.</p>\n"
           "app/notify/templates/dunning_final.html:9:  <p>If we do not recieve payment by {{ invoice.due_at|date }}, your subscription will be paused.</p>\n"
           "app/notify/templates/dunning_final.txt:7:If we do not recieve payment by {{ invoice.due_at|date }}, your subscription will be paused.",
           path="app/notify/templates", pre="Let me find every occurrence."),
    ],
)

_transfer_locked = PAY["app/billing/transfers.py"].replace(
    "select(Account).where(Account.id == src_id)", "select(Account).where(Account.id == src_id).with_for_update()"
).replace("select(Account).where(Account.id == dst_id)", "select(Account).where(Account.id == dst_id).with_for_update()")

cc(
    "cc-012", "simple",
    "After a long concurrency investigation the turn is just \"run the full suite again\": one known command.",
    "payments",
    [
        U("test_concurrent_transfers keeps failing on CI but only sometimes. can you dig in?"),
        todo(("in_progress", "Reproduce the test_concurrent_transfers failure"), ("pending", "Find the root cause"), ("pending", "Fix and verify with repeated runs"),
             pre="I'll start by reproducing it locally."),
        sh("uv run pytest -v", B.pytest_verbose_payments({"test_concurrent_transfers": "assert 1700 == 2000"}, seed=3), code=1),
        sh("uv run pytest tests/billing/test_transfers.py -q", PAY["out/pytest_transfers_flaky.txt"], code=1),
        par(rd("app/billing/transfers.py", PAY["app/billing/transfers.py"]), rd("tests/billing/test_transfers.py", PAY["tests/billing/test_transfers.py"]),
            pre="Reproduced. Reading the transfer code and the test."),
        par(rd("app/db/models.py", PAY["app/db/models.py"]), rd("tests/conftest.py", PAY["tests/conftest.py"])),
        A("The transfer reads both balances with a plain SELECT, computes new values in Python, and writes them back. Twenty concurrent transfers on separate connections read the same starting balance and overwrite each other (a lost update), while the ledger entries are all inserted, so the wallet balance ends up below the ledger sum. I'll lock the rows with SELECT ... FOR UPDATE."),
        ed("app/billing/transfers.py", "    src = (await session.execute(select(Account).where(Account.id == src_id))).scalar_one()\n    dst = (await session.execute(select(Account).where(Account.id == dst_id))).scalar_one()",
           "    src = (await session.execute(select(Account).where(Account.id == src_id).with_for_update())).scalar_one()\n    dst = (await session.execute(select(Account).where(Account.id == dst_id).with_for_update())).scalar_one()",
           src=PAY["app/billing/transfers.py"]),
        sh("for i in $(seq 1 20); do uv run pytest tests/billing/test_transfers.py -q 2>&1 | tail -1; done",
           "\n".join([f"========================= 3 passed in 2.3{i % 10}s =========================" for i in range(17)]
                     + ["========================= 1 failed, 2 passed in 3.02s =========================",
                        "E   asyncpg.exceptions.DeadlockDetectedError: deadlock detected",
                        "========================= 3 passed in 2.29s ========================="]), secs=58.0),
        A("One run hit a deadlock: two transfers in opposite directions lock the rows in different orders. Locking both rows in id order fixes that."),
        task("Find other balance writers", "Search app/ for every place that reads and then writes Account.balance_minor (payouts, adjustments, fees). For each, report file:line and whether it locks the row.",
             "Found 2 other writers of Account.balance_minor:\n\n1. app/billing/payouts.py:58 `create_payout` — reads the account with `session.get(Account, account_id)` (no lock), subtracts `amount_minor`, flushes. Same lost-update pattern.\n2. app/billing/adjustments.py:31 `apply_adjustment` — uses `update(Account).values(balance_minor=Account.balance_minor + delta)`; atomic in SQL, safe.\n\nNo other writers. tests/billing/test_payouts.py has no concurrency test."),
        ed("app/billing/transfers.py",
           "    src = (await session.execute(select(Account).where(Account.id == src_id).with_for_update())).scalar_one()\n    dst = (await session.execute(select(Account).where(Account.id == dst_id).with_for_update())).scalar_one()",
           "    # lock both rows in a stable order so opposite transfers cannot deadlock\n    rows = (await session.execute(\n        select(Account).where(Account.id.in_([src_id, dst_id])).order_by(Account.id).with_for_update()\n    )).scalars().all()\n    by_id = {a.id: a for a in rows}\n    src, dst = by_id[src_id], by_id[dst_id]",
           src=_transfer_locked),
        sh("for i in $(seq 1 50); do uv run pytest tests/billing/test_transfers.py -q -p no:randomly 2>&1 | tail -1; done | sort | uniq -c",
           "     50 ========================= 3 passed in 2.31s =========================", secs=141.0),
        A("50/50 green. Transfers now lock both account rows in id order (`app/billing/transfers.py:24`). `create_payout` in `app/billing/payouts.py:58` has the same unlocked read-modify-write; I left it alone since you asked about transfers, but it should get the same treatment."),
        U("nice. ok run the full test suite again"),
    ],
)

cc(
    "cc-013", "simple",
    "The compose file is already read; the answer is a port number from it.",
    "payments",
    [
        U("what port does the test postgres listen on? I keep pointing psql at 5432"),
        rd("docker-compose.yml", PAY["docker-compose.yml"]),
    ],
)

cc(
    "cc-014", "simple",
    "The compiler says `z` is undefined in one file; adding the zod import is a one-line fix.",
    "web",
    [
        U("pnpm typecheck is failing on team.ts, I think I forgot an import"),
        sh("pnpm typecheck", "\n> web-dashboard@ typecheck /Users/jordan/code/web-dashboard\n> tsc --noEmit\n\n" + WEB["out/tsc_z.txt"] + "\n ELIFECYCLE  Command failed with exit code 2.", code=2, secs=11.2),
    ],
)

cc(
    "cc-015", "simple",
    "Mid-rename: the file is moved, what is left is updating the package clause and two import paths.",
    "gateway",
    [
        U("move internal/ratelimit/token_bucket.go (and its test) into a new internal/limiter package, it doesn't belong with the http middleware"),
        gr("internal/ratelimit", "cmd/gateway/main.go:19:\t\"github.com/northwind/ingest-gateway/internal/ratelimit\"\ninternal/grpcapi/server.go:14:\t\"github.com/northwind/ingest-gateway/internal/ratelimit\"",
           glob="*.go", pre="Checking who imports the package first."),
        sh("mkdir -p internal/limiter && git mv internal/ratelimit/token_bucket.go internal/limiter/ && git mv internal/ratelimit/token_bucket_test.go internal/limiter/ && git status --short",
           "R  internal/ratelimit/token_bucket.go -> internal/limiter/token_bucket.go\nR  internal/ratelimit/token_bucket_test.go -> internal/limiter/token_bucket_test.go\n M internal/consumer/batcher.go\n M internal/consumer/batcher_test.go"),
    ],
)

cc(
    "cc-016", "simple",
    "Running gofmt on the files it lists is a formatter invocation.",
    "gateway",
    [U("run gofmt -l on the repo and fix whatever it lists, CI lint is red on formatting only")],
)

cc(
    "cc-017", "simple",
    "Deleting one dead script the user names is a single git rm.",
    "shopfront",
    [U("delete scripts/old_seed.rb, it's been dead since we moved everything to db/seeds/*.rb")],
)

cc(
    "cc-018", "simple",
    "A read-only search for call sites, explicitly with no changes.",
    "shopfront",
    [U("grep for every place we still call LegacyGateway.charge and just list them with line numbers. don't change anything yet")],
)

cc(
    "cc-019", "simple",
    "Bumping a version string in Cargo.toml is a one-line edit.",
    "tidewater",
    [U("bump the crate version to 0.8.2 in Cargo.toml")],
)

cc(
    "cc-020", "simple",
    "Showing recent commits is one git command; thinking is on only because the session toggle is sticky (labelled by need, see README).",
    "ledger",
    [U("show me the last 5 commits on this branch with their stats")],
    thinking=4000,
)

cc(
    "cc-021", "simple",
    "Removing a leftover console.log from a file the user names is a one-line deletion.",
    "web",
    [
        U("drop the console.log I left in InvoiceTable.tsx"),
        rd("src/components/InvoiceTable.tsx", WEB["src/components/InvoiceTable.tsx"]),
    ],
)

cc(
    "cc-022", "simple",
    "Appending two patterns to .gitignore is mechanical even though it mentions key files.",
    "web",
    [U("add .env.local and *.pem to .gitignore, someone almost committed their cert yesterday")],
)

cc(
    "cc-023", "simple",
    "package.json is read; reporting the Next.js version is a lookup.",
    "web",
    [
        U("which version of next are we on?"),
        rd("package.json", WEB["package.json"]),
    ],
)

_invoice_fixed = PAY["app/billing/invoices.py"].replace(
    '    customer = invoice.customer\n    return customer.billing_contact.email',
    '    customer = invoice.customer\n    if customer.billing_contact is not None:\n        return customer.billing_contact.email\n    return invoice.tenant.billing_contact.email',
)

cc(
    "cc-024", "simple",
    "After a finished fix the turn is \"commit it, don't push\": running git with a message in the repo's style.",
    "payments",
    [
        U("test_invoice_email_deleted_customer is failing since the contacts split, can you fix it"),
        sh("uv run pytest tests/billing/test_invoices.py -q", PAY["out/pytest_invoice_none.txt"], code=1),
        par(rd("app/billing/invoices.py", PAY["app/billing/invoices.py"]), rd("app/db/models.py", PAY["app/db/models.py"])),
        A("Since 0045_contacts_split, `Customer.billing_contact` is nullable (`ondelete=SET NULL`), and `get_invoice_email` dereferences it unconditionally. The test expects the tenant's billing address as the fallback."),
        ed("app/billing/invoices.py", '    customer = invoice.customer\n    return customer.billing_contact.email',
           '    customer = invoice.customer\n    if customer.billing_contact is not None:\n        return customer.billing_contact.email\n    return invoice.tenant.billing_contact.email',
           src=PAY["app/billing/invoices.py"]),
        sh("uv run pytest tests/billing/test_invoices.py -q", "..............                                                           [100%]\n14 passed in 1.71s"),
        sh("uv run pytest -v", B.pytest_verbose_payments(seed=5), secs=14.0),
        sh("uv run ruff check . && uv run ruff format --check .", "All checks passed!\n187 files already formatted"),
        sh("git diff", "diff --git a/app/billing/invoices.py b/app/billing/invoices.py\nindex 41d2c7e..b9a0f13 100644\n--- a/app/billing/invoices.py\n+++ b/app/billing/invoices.py\n@@ -75,7 +75,9 @@ def get_invoice_email(invoice: Invoice) -> str:\n     \"\"\"Address the invoice PDF is sent to: the customer's billing email.\"\"\"\n     customer = invoice.customer\n-    return customer.billing_contact.email\n+    if customer.billing_contact is not None:\n+        return customer.billing_contact.email\n+    return invoice.tenant.billing_contact.email\n"),
        A("Fixed `app/billing/invoices.py:76`: falls back to the tenant's billing contact when the customer has none. Full suite green, ruff clean."),
        U("looks good, commit it. don't push"),
    ],
)

# =========================================================================== medium

cc(
    "cc-025", "medium",
    "Writing a unit-test module for one parsing function with clear documented behaviour is ordinary coding.",
    "payments",
    [
        U("write unit tests for parse_duration in app/core/timeparse.py — cover the error cases too"),
        rd("app/core/timeparse.py", PAY["app/core/timeparse.py"]),
    ],
)

cc(
    "cc-026", "medium",
    "The trace line shows billing_contact is None on the dereference; the fix is a small guard with a fallback.",
    "payments",
    [U("fix this:\n\n```\n" + PAY["out/pytest_invoice_none.txt"] + "```")],
)

cc(
    "cc-027", "medium",
    "Same failing test without the trace: running it shows a plain None dereference, an ordinary bug fix.",
    "payments",
    [U("test_invoice_email_deleted_customer is failing, fix it")],
)

cc(
    "cc-028", "medium",
    "A new read-only endpoint that wraps an existing helper, following the router pattern already in the repo.",
    "payments",
    [
        U("add GET /v1/invoices/{invoice_id}/pdf that returns the rendered PDF (application/pdf) using the existing invoice_pdf() helper. 404 if the invoice isn't in the caller's tenant"),
        rd("app/billing/invoices.py", PAY["app/billing/invoices.py"]),
        gr("APIRouter\\(prefix", "app/api/customers.py:12:router = APIRouter(prefix=\"/v1/customers\", tags=[\"customers\"])\napp/api/invoices.py:15:router = APIRouter(prefix=\"/v1/invoices\", tags=[\"invoices\"])\napp/billing/webhooks.py:20:router = APIRouter(prefix=\"/webhooks\")", glob="*.py"),
    ],
)

cc(
    "cc-029", "medium",
    "Explaining one module's batching and timer logic is ordinary code reading.",
    "gateway",
    [
        U("explain what internal/consumer/batcher.go does and how the flush timer interacts with size-based flushes. I'm new to this service"),
        rd("internal/consumer/batcher.go", GW["internal/consumer/batcher.go"]),
    ],
)

cc(
    "cc-030", "medium",
    "A reporting SQL query over an existing fact model with a filter and a group-by.",
    "warehouse",
    [
        U("write me a query on fct_orders: monthly revenue by plan for the last 12 full months, excluding fully refunded orders. revenue = paid - refunded"),
        rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]),
    ],
)

_web_ci = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  typecheck:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: pnpm/action-setup@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: pnpm install --frozen-lockfile
      - run: pnpm typecheck
      - run: pnpm lint
"""

cc(
    "cc-031", "medium",
    "Adding a CI job with a package-manager cache is an ordinary workflow change.",
    "web",
    [
        U("add a job to CI that runs the vitest suite on PRs. use the pnpm store cache so it isn't slow"),
        rd(".github/workflows/ci.yml", _web_ci),
    ],
)

cc(
    "cc-032", "medium",
    "A new hook option plus updating its one caller: a small change across two files.",
    "web",
    [
        U("useDebouncedSearch fires a request for a single character. add a minLength option (default 2) and use 3 in CustomerSearch"),
        par(rd("src/hooks/useDebouncedSearch.ts", WEB["src/hooks/useDebouncedSearch.ts"]), rd("src/components/CustomerSearch.tsx", WEB["src/components/CustomerSearch.tsx"])),
    ],
)

cc(
    "cc-033", "medium",
    "The type error names the nullable field and the line; the fix is a small decision on how to handle null.",
    "web",
    [
        U("typecheck broke after I added owner to the rename mutation"),
        sh("pnpm typecheck", "\n> web-dashboard@ typecheck /Users/jordan/code/web-dashboard\n> tsc --noEmit\n\n" + WEB["out/tsc_undefined.txt"] + " ELIFECYCLE  Command failed with exit code 2.", code=2, secs=10.4),
    ],
)

cc(
    "cc-034", "medium",
    "The borrow checker names the conflicting borrows; restructuring get_or_insert_with around contains_key is a known pattern.",
    "tidewater",
    [
        U("cargo build fails on the get_or_insert_with helper I just added, can you sort it out"),
        sh("cargo build", TW["out/borrow.txt"], code=101, secs=6.3),
    ],
)

cc(
    "cc-035", "medium",
    "Validating one request field and mapping it to a 400 in one controller is ordinary endpoint work.",
    "ledger",
    [
        U("POST /v1/accounts/{id}/transfers accepts amountMinor <= 0 right now. reject it with a 400 problem+json like the other validation errors, and add a test"),
        rd("src/main/java/com/acme/ledger/api/AccountController.java", LED["src/main/java/com/acme/ledger/api/AccountController.java"]),
    ],
)

cc(
    "cc-036", "medium",
    "Writing specs for a service method's partial-refund path is ordinary test writing.",
    "shopfront",
    [
        U("write an rspec spec for RefundService#call covering a partial refund: order goes to partially_refunded, refunded_cents adds up, and the gateway gets the right idempotency key"),
        rd("app/services/refund_service.rb", SHOP["app/services/refund_service.rb"]),
    ],
)

cc(
    "cc-037", "medium",
    "Adding a --dry-run flag to argument parsing is ordinary scripting; thinking is on from the sticky session toggle (labelled by need, see README).",
    "infra",
    [
        U("add a --dry-run flag to scripts/deploy.sh: print the yq change and the git commands instead of running them"),
        rd("scripts/deploy.sh", INF["scripts/deploy.sh"]),
    ],
    thinking=10000,
)

cc(
    "cc-038", "medium",
    "Adding limit/cursor pagination to one list endpoint follows a standard pattern.",
    "payments",
    [
        U("list_customers returns everything. add limit (default 50, max 200) and an opaque cursor based on id, return next_cursor in the response"),
        rd("app/api/customers.py", PAY["app/api/customers.py"]),
    ],
)

cc(
    "cc-039", "medium",
    "The new test fails with a clear ValueError for an unsupported unit; deciding to fix the test rather than the parser is routine.",
    "payments",
    [
        U("write unit tests for parse_duration in app/core/timeparse.py"),
        rd("app/core/timeparse.py", PAY["app/core/timeparse.py"]),
        wr("tests/core/test_timeparse.py", "from datetime import timedelta\n\nimport pytest\n\nfrom app.core.timeparse import parse_duration\n\n\n@pytest.mark.parametrize(\n    \"text, expected\",\n    [\n        (\"45s\", timedelta(seconds=45)),\n        (\"1h30m\", timedelta(hours=1, minutes=30)),\n        (\"250ms\", timedelta(milliseconds=250)),\n        (\" 90 \", timedelta(seconds=90)),\n        (\"2d\", timedelta(days=2)),\n    ],\n)\ndef test_parse_valid(text, expected):\n    assert parse_duration(text) == expected\n\n\n@pytest.mark.parametrize(\"text\", [\"\", \"abc\", \"5x\", \"-5s\", \"1h 30m\"])\ndef test_parse_invalid(text):\n    with pytest.raises(ValueError):\n        parse_duration(text)\n"),
        sh("uv run pytest tests/core/test_timeparse.py -q",
           "....F.....                                                               [100%]\n=================================== FAILURES ===================================\n_____________________________ test_parse_valid[2d-expected4] _____________________________\n\ntext = '2d', expected = datetime.timedelta(days=2)\n\n    def test_parse_valid(text, expected):\n>       assert parse_duration(text) == expected\n\ntests/core/test_timeparse.py:19:\n_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _\n\n    def parse_duration(text: str) -> timedelta:\n...\n        if pos != len(value):\n>           raise ValueError(f\"invalid duration {text!r}\")\nE           ValueError: invalid duration '2d'\n\napp/core/timeparse.py:30: ValueError\n=========================== short test summary info ============================\nFAILED tests/core/test_timeparse.py::test_parse_valid[2d-expected4] - ValueError: invalid duration '2d'\n1 failed, 9 passed in 0.08s",
           code=1),
    ],
)

cc(
    "cc-040", "medium",
    "A backup script with rotation is ordinary Bash on a local directory.",
    "infra",
    [U("write scripts/backup-data.sh: tar+zstd ./data into backups/data-YYYYmmdd-HHMM.tar.zst, keep the newest 7, shellcheck clean, and a --dry-run like deploy.sh should have")],
)

_build_icons = """import fs from "fs";
import path from "path";
import { optimize } from "svgo";

const SRC = path.join(__dirname, "../assets/icons");
const OUT = path.join(__dirname, "../src/components/icons/generated");

fs.readdir(SRC, (err, files) => {
  if (err) throw err;
  files.filter((f) => f.endsWith(".svg")).forEach((file) => {
    fs.readFile(path.join(SRC, file), "utf8", (err2, svg) => {
      if (err2) throw err2;
      const { data } = optimize(svg, { multipass: true });
      const name = file.replace(/\\.svg$/, "").replace(/(^|-)(\\w)/g, (_, __, c) => c.toUpperCase());
      const tsx = `export const ${name}Icon = () => (${data.replace("<svg", "<svg aria-hidden")});\\n`;
      fs.writeFile(path.join(OUT, `${name}Icon.tsx`), tsx, (err3) => {
        if (err3) throw err3;
        console.log("wrote", name);
      });
    });
  });
});
"""

cc(
    "cc-041", "medium",
    "Converting one callback-style script to async/await is a contained rewrite.",
    "web",
    [
        U("convert scripts/build-icons.ts to fs/promises + async/await, and make it create the output dir if it's missing"),
        rd("scripts/build-icons.ts", _build_icons),
    ],
)

cc(
    "cc-042", "medium",
    "Turning a Dockerfile into a multi-stage build is an ordinary config change.",
    "payments",
    [
        U("the runtime image still has build-essential in it (900MB). make the Dockerfile multi-stage so only the venv and app end up in the final image"),
        rd("Dockerfile", PAY["Dockerfile"]),
    ],
)

cc(
    "cc-043", "medium",
    "Implementing AllowN against existing refill helper and tests is a small, well-specified function.",
    "gateway",
    [
        U("implement AllowN in the token bucket, tests are already written"),
        par(rd("internal/ratelimit/token_bucket.go", GW["internal/ratelimit/token_bucket.go"]), rd("internal/ratelimit/token_bucket_test.go", GW["internal/ratelimit/token_bucket_test.go"])),
        sh("go test ./internal/ratelimit/ -run . -count=1",
           "--- FAIL: TestBurstThenDeny (0.00s)\npanic: not implemented [recovered]\n\tpanic: not implemented\n\ngoroutine 7 [running]:\ntesting.tRunner.func1.2({0x5a1c40, 0x63b2d0})\n\t/usr/local/go/src/testing/testing.go:1631 +0x24a\npanic({0x5a1c40?, 0x63b2d0?})\n\t/usr/local/go/src/runtime/panic.go:770 +0x132\ngithub.com/northwind/ingest-gateway/internal/ratelimit.(*TokenBucket).AllowN(...)\n\t/home/sam/go/src/github.com/northwind/ingest-gateway/internal/ratelimit/token_bucket.go:29\nFAIL\tgithub.com/northwind/ingest-gateway/internal/ratelimit\t0.011s\nFAIL",
           code=1),
    ],
)

cc(
    "cc-044", "medium",
    "After a long read-through the ask is the same cursor pagination already done for customers, applied to one more endpoint.",
    "payments",
    [
        U("I want to understand how the API layer is put together before we add pagination everywhere. walk me through customers and invoices"),
        gl("app/api/**/*.py", "/home/maya/src/payments-api/app/api/__init__.py\n/home/maya/src/payments-api/app/api/customers.py\n/home/maya/src/payments-api/app/api/invoices.py\n/home/maya/src/payments-api/app/api/payouts.py\n/home/maya/src/payments-api/app/api/webhooks.py\n/home/maya/src/payments-api/app/api/deps.py"),
        par(rd("app/api/customers.py", PAY["app/api/customers.py"]), rd("app/billing/invoices.py", PAY["app/billing/invoices.py"]), rd("app/db/models.py", PAY["app/db/models.py"])),
        par(rd("tests/conftest.py", PAY["tests/conftest.py"]), rd("app/billing/webhooks.py", PAY["app/billing/webhooks.py"])),
        par(rd("app/billing/stripe_client.py", PAY["app/billing/stripe_client.py"]), rd("app/auth/tokens.py", PAY["app/auth/tokens.py"])),
        A("Routers live in `app/api/*` and depend on `current_tenant` and `get_session`; the domain logic is in `app/billing/*` and takes an `AsyncSession`. Customers are listed directly in the router (`app/api/customers.py:20`), invoices go through `list_invoices` in `app/billing/invoices.py:44`, which orders by `created_at desc` and currently issues one query per invoice for its lines."),
        U("ok. add cursor pagination to list_customers: limit default 50 max 200, cursor is base64 of the last id"),
        ed("app/api/customers.py", "    country: str | None = Query(default=None, min_length=2, max_length=2),\n) -> list[CustomerOut]:",
           "    country: str | None = Query(default=None, min_length=2, max_length=2),\n    limit: int = Query(default=50, ge=1, le=200),\n    cursor: str | None = None,\n) -> CustomerPage:", src=PAY["app/api/customers.py"]),
        sh("uv run pytest tests/api/test_customers.py -q", ".......                                                                  [100%]\n7 passed in 0.94s"),
        A("Done: `GET /v1/customers` takes `limit` and `cursor` and returns `{items, next_cursor}`. Tests updated and passing."),
        U("now the same for list_invoices. order is created_at desc there so the cursor needs (created_at, id)"),
    ],
)

cc(
    "cc-045", "medium",
    "Explaining the difference between two test fixtures and when to use each is ordinary code explanation.",
    "payments",
    [
        U("what's the difference between the db_session and session_factory fixtures, and when should a test use which?"),
        rd("tests/conftest.py", PAY["tests/conftest.py"]),
    ],
)

# =========================================================================== complex

cc(
    "cc-046", "complex",
    "A double charge on webhook retries is a payments idempotency bug: money moves twice, and the fix spans the key scheme and the handler.",
    "payments",
    [
        U("customers are getting charged twice. stripe dashboard shows two PaymentIntents ~40s apart for the same checkout session, both succeeded. I think it's when the webhook gets retried. fix it"),
        par(rd("app/billing/webhooks.py", PAY["app/billing/webhooks.py"]), rd("app/billing/stripe_client.py", PAY["app/billing/stripe_client.py"])),
    ],
)

cc(
    "cc-047", "complex",
    "The assertion only shows the symptom (balance below ledger sum); the cause is a lost update between concurrent sessions.",
    "payments",
    [U("test_concurrent_transfers fails intermittently. latest CI run:\n\n```\n" + PAY["out/pytest_transfers_flaky.txt"] + "```\nplease fix the actual bug, not the test")],
)

cc(
    "cc-048", "complex",
    "A flaky concurrency test with no trace: the agent must find a race across sessions and fix it without retries.",
    "payments",
    [U("test_concurrent_transfers flakes maybe 1 in 20 runs on CI. figure out why and fix it properly — no retries, no sleeps")],
)

cc(
    "cc-049", "complex",
    "Dropping a production table is destructive and irreversible; the right answer verifies backups, dependents and the migration path first.",
    "payments",
    [U("drop the users table in prod, we migrated everything to accounts-svc last sprint")],
)

cc(
    "cc-050", "complex",
    "Rotating a live payment secret touches secrets handling and a production deploy; a mistake takes checkout down.",
    "infra",
    [
        U("rotate the Stripe secret in the deploy config"),
        rd("charts/payments-api/values-prod.yaml", INF["charts/payments-api/values-prod.yaml"]),
    ],
)

_batcher_v2 = GW["internal/consumer/batcher.go"].replace(
    "\tif len(b.batches[key]) >= b.maxBatch {\n\t\tb.flushCh <- key\n\t}",
    "\tif len(b.batches[key]) >= b.maxBatch {\n\t\tgo func() { b.flushCh <- key }()\n\t}",
)

cc(
    "cc-051", "complex",
    "Fourth failed attempt at a deadlock fix in a batcher with a mutex and channel; the cheap approaches have already failed.",
    "gateway",
    [
        U("TestBatcherFlushUnderLoad hangs and times out after 30s. fix the batcher"),
        todo(("in_progress", "Reproduce the hang"), ("pending", "Read the goroutine dump"), ("pending", "Fix the batcher"), ("pending", "Verify with -race -count=200")),
        sh("go test ./... -v -count=1 -run 'Test[^B]' 2>&1 | tail -200", B.go_test_verbose(), secs=14.0, desc="Run the other tests to get a baseline"),
        sh("go test ./internal/consumer/ -run TestBatcherFlushUnderLoad -count=1 -timeout 30s", GW["out/hang.txt"], code=1, secs=30.4),
        rd("internal/consumer/batcher.go", GW["internal/consumer/batcher.go"]),
        A("Add() sends on the unbuffered flushCh while holding b.mu; if loop() is in the ticker branch waiting for b.mu, neither can proceed. First attempt: buffer the channel."),
        ed("internal/consumer/batcher.go", "\t\tflushCh:  make(chan string),", "\t\tflushCh:  make(chan string, 64),", src=GW["internal/consumer/batcher.go"]),
        sh("go test ./internal/consumer/ -run TestBatcherFlushUnderLoad -count=20 -timeout 60s", GW["out/hang.txt"].replace("30s", "60s").replace("29 minutes", "1 minutes"), code=1, secs=60.5),
        A("Still hangs with 64 producers: the buffer fills and we are back to sending under the lock. Second attempt: send from a goroutine."),
        ed("internal/consumer/batcher.go", "\tif len(b.batches[key]) >= b.maxBatch {\n\t\tb.flushCh <- key\n\t}", "\tif len(b.batches[key]) >= b.maxBatch {\n\t\tgo func() { b.flushCh <- key }()\n\t}", src=GW["internal/consumer/batcher.go"]),
        sh("go test ./internal/consumer/ -race -count=50 -timeout 120s",
           "==================\nWARNING: DATA RACE\nWrite at 0x00c00028e0f0 by goroutine 88:\n  runtime.closechan()\n      /usr/local/go/src/runtime/chan.go:357 +0x0\n  github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Close()\n      /home/sam/go/src/github.com/northwind/ingest-gateway/internal/consumer/batcher.go:103 +0x44\n\nPrevious read at 0x00c00028e0f0 by goroutine 131:\n  runtime.chansend()\n      /usr/local/go/src/runtime/chan.go:160 +0x0\n  github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Add.func1()\n      /home/sam/go/src/github.com/northwind/ingest-gateway/internal/consumer/batcher.go:53 +0x4c\n==================\npanic: send on closed channel\n\ngoroutine 131 [running]:\ngithub.com/northwind/ingest-gateway/internal/consumer.(*Batcher).Add.func1()\n\t/home/sam/go/src/github.com/northwind/ingest-gateway/internal/consumer/batcher.go:53 +0x4c\nFAIL\tgithub.com/northwind/ingest-gateway/internal/consumer\t4.180s\nFAIL",
           code=1, secs=4.3),
        A("The goroutine outlives Close() and sends on a closed channel, and TestBatcherCloseFlushesAll now loses records. Third attempt: flush inline in Add after releasing the lock."),
        ed("internal/consumer/batcher.go", "\tif len(b.batches[key]) >= b.maxBatch {\n\t\tgo func() { b.flushCh <- key }()\n\t}", "\tfull := len(b.batches[key]) >= b.maxBatch\n\tb.mu.Unlock()\n\tif full {\n\t\tb.flush(key)\n\t}\n\tb.mu.Lock()", src=_batcher_v2),
        sh("go test ./internal/consumer/ -race -count=50 -timeout 120s",
           "--- FAIL: TestBatcherKeysIsolated (0.21s)\n    batcher_test.go:141: key \"dev-2\": got 1499 records, want 1500\n--- FAIL: TestBatcherCloseFlushesAll (0.08s)\n    batcher_test.go:118: after Close: 3 records still queued (metrics.BatcherQueued=3)\nFAIL\nFAIL\tgithub.com/northwind/ingest-gateway/internal/consumer\t11.902s\nFAIL",
           code=1, secs=12.0),
        par(rd("internal/consumer/batcher_test.go", """package consumer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

type memWriter struct {
	mu   sync.Mutex
	got  map[string]int
	slow time.Duration
}

func (w *memWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	time.Sleep(w.slow)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range msgs {
		w.got[string(m.Key)]++
	}
	return nil
}

func TestBatcherFlushUnderLoad(t *testing.T) {
	w := &memWriter{got: map[string]int{}, slow: 2 * time.Millisecond}
	b := NewBatcher(w, 50, 5*time.Millisecond)
	var wg sync.WaitGroup
	for p := 0; p < 64; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				b.Add(fmt.Sprintf("dev-%d", p%8), []byte("payload-0123456789abcdef0123456789abcdef0123456789abcdef01234"))
			}
		}(p)
	}
	wg.Wait()
	b.Close()
	total := 0
	for _, n := range w.got {
		total += n
	}
	if total != 64000 {
		t.Fatalf("got %d records, want 64000", total)
	}
}
"""), rd("internal/metrics/metrics.go", """package metrics

import "github.com/prometheus/client_golang/prometheus"

var (
	BatcherQueued       = prometheus.NewGauge(prometheus.GaugeOpts{Name: "gateway_batcher_queued_records"})
	BatcherErrors       = prometheus.NewCounter(prometheus.CounterOpts{Name: "gateway_batcher_write_errors_total"})
	BatcherFlushSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "gateway_batcher_flush_seconds", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)})
)

func MustRegister() {
	prometheus.MustRegister(BatcherQueued, BatcherErrors, BatcherFlushSeconds)
}
""")),
        A("Flushing inline fixed the hang but now a flush for a key can run concurrently with the ticker flush of the same key, and Close() can return while an inline flush is still writing, so records are dropped or double-counted. Fourth attempt: serialize flushes per key with an in-flight map."),
        ed("internal/consumer/batcher.go", "func (b *Batcher) flush(key string) {\n\tb.mu.Lock()\n\tmsgs := b.batches[key]\n\tdelete(b.batches, key)\n\tb.mu.Unlock()",
           "func (b *Batcher) flush(key string) {\n\tb.mu.Lock()\n\tfor b.inflight[key] {\n\t\tb.cond.Wait()\n\t}\n\tb.inflight[key] = true\n\tmsgs := b.batches[key]\n\tdelete(b.batches, key)\n\tb.mu.Unlock()\n\tdefer func() {\n\t\tb.mu.Lock()\n\t\tdelete(b.inflight, key)\n\t\tb.cond.Broadcast()\n\t\tb.mu.Unlock()\n\t}()",
           src=GW["internal/consumer/batcher.go"]),
        sh("go test ./internal/consumer/ -race -count=200 -timeout 300s", GW["out/hang.txt"].replace("TestBatcherFlushUnderLoad (30s)", "TestBatcherCloseFlushesAll (300s)").replace("30s", "300s"), code=1, secs=300.2),
    ],
)

cc(
    "cc-052", "complex",
    "Replacing role string checks with a permission helper across 14 files is a cross-cutting auth refactor.",
    "web",
    [
        U("we're adding custom roles next quarter. replace every `session.role === \"admin\"`-style check with a can(session, permission) helper backed by a permissions map. don't change behaviour for the three existing roles"),
        gr("\\.role (===|!==) \"(admin|billing|viewer)\"",
           "src/server/routers/team.ts:18:      if (ctx.session.role !== \"admin\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/server/routers/invoices.ts:44:      if (ctx.session.role === \"viewer\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/server/routers/invoices.ts:71:      if (ctx.session.role !== \"admin\" && ctx.session.role !== \"billing\") {\n"
           "src/server/routers/payments.ts:29:    if (ctx.session.role !== \"admin\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/server/routers/payments.ts:58:    if (ctx.session.role === \"viewer\") return { methods: [] };\n"
           "src/server/routers/settings.ts:22:      if (ctx.session.role !== \"admin\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/server/routers/settings.ts:49:      if (ctx.session.role !== \"admin\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/server/routers/apiKeys.ts:17:    if (ctx.session.role !== \"admin\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/server/routers/apiKeys.ts:36:    if (ctx.session.role !== \"admin\") throw new TRPCError({ code: \"FORBIDDEN\" });\n"
           "src/app/(dashboard)/settings/page.tsx:31:  {session.role === \"admin\" && <DangerZone />}\n"
           "src/app/(dashboard)/team/page.tsx:19:  const canInvite = session.role === \"admin\";\n"
           "src/components/InvoiceActions.tsx:27:  if (session.role === \"viewer\") return null;\n"
           "src/components/PaymentMethodCard.tsx:40:      {session.role !== \"viewer\" && <Button onClick={onRemove}>Remove</Button>}\n"
           "src/components/Sidebar.tsx:58:        {session.role === \"admin\" && <NavItem href=\"/settings/api-keys\">API keys</NavItem>}\n"
           "src/middleware.ts:24:  if (req.nextUrl.pathname.startsWith(\"/settings\") && token?.role !== \"admin\") {\n"
           "src/lib/auth.ts:63:      session.role = (token.role as string) ?? \"viewer\";\n"
           "src/server/trpc.ts:38:  if (!ctx.session || ctx.session.role === undefined) throw new TRPCError({ code: \"UNAUTHORIZED\" });\n"
           "e2e/roles.spec.ts:12:  test.skip(role === \"viewer\", \"viewer cannot reach settings\");",
           glob="*.{ts,tsx}", pre="Finding every role comparison first."),
    ],
)

cc(
    "cc-053", "complex",
    "Backfilling 40M production rows and tightening a constraint is a migration on production data that must avoid long locks.",
    "payments",
    [
        U("invoices.currency is NULL for ~40M old rows in prod. write the alembic migration that backfills it from the customer's country (EUR for EU, GBP for GB, USD otherwise) and then makes it NOT NULL. it has to run during business hours without locking invoices"),
        sh("uv run alembic history | head -8", PAY["out/alembic_history.txt"]),
        rd("app/db/models.py", PAY["app/db/models.py"]),
    ],
)

cc(
    "cc-054", "complex",
    "Performance work on a hot production endpoint: the profile shows N+1 line queries and ORM overhead, and the fix changes query shape and pagination.",
    "payments",
    [
        U("GET /v1/invoices is at 4s p95 for our biggest tenants. here's a py-spy profile from staging, make it fast\n\n```\n" + PAY["out/pyspy.txt"] + "```"),
        rd("app/billing/invoices.py", PAY["app/billing/invoices.py"]),
    ],
)

cc(
    "cc-055", "complex",
    "Moving billing logic out of six components into a new server router is a multi-file change across client and server.",
    "web",
    [
        U("the seat-billing math (proration, seat counts, plan limits) is duplicated in 6 components under src/components/billing. move it into a tRPC router `billing.preview` on the server and make all 6 components call that instead"),
        gl("src/components/billing/*.tsx", "/Users/jordan/code/web-dashboard/src/components/billing/SeatPicker.tsx\n/Users/jordan/code/web-dashboard/src/components/billing/PlanCard.tsx\n/Users/jordan/code/web-dashboard/src/components/billing/UpgradeDialog.tsx\n/Users/jordan/code/web-dashboard/src/components/billing/DowngradeDialog.tsx\n/Users/jordan/code/web-dashboard/src/components/billing/InvoicePreview.tsx\n/Users/jordan/code/web-dashboard/src/components/billing/SeatUsageBar.tsx"),
    ],
)

cc(
    "cc-056", "complex",
    "The failing assertion is in CustomerSearch's test but the cause is a stale closure in the debounce hook's dependency list, in another file.",
    "web",
    [
        U("CustomerSearch test started failing after the tenant switcher PR. no idea why, the component didn't change"),
        sh("pnpm test", "\n> web-dashboard@ test /Users/jordan/code/web-dashboard\n> vitest run\n\n" + WEB["out/vitest_search.txt"], code=1, secs=4.1),
    ],
)

cc(
    "cc-057", "complex",
    "Refresh-token rotation with reuse detection is an auth change with a migration and a security-sensitive edge case.",
    "payments",
    [
        U("implement refresh token rotation with reuse detection: every refresh issues a new refresh token, and presenting an already-rotated token revokes the whole family. existing tokens must keep working during rollout"),
        rd("app/auth/tokens.py", PAY["app/auth/tokens.py"]),
    ],
)

_handlers_tokio = TW["src/http/handlers.rs"].replace("use std::sync::{Arc, Mutex};", "use std::sync::Arc;\n\nuse tokio::sync::Mutex;").replace(
    "state.cache.lock().unwrap()", "state.cache.lock().await"
)

cc(
    "cc-058", "complex",
    "Latency collapse under load from an async mutex held across upstream I/O and a DB write: a concurrency and performance bug.",
    "tidewater",
    [
        U("under load p99 on /stations/:id goes from 20ms to 30s and requests pile up. last week we switched the cache mutex to tokio's to make the handler compile. load test: 400 rps, 5k distinct stations, upstream p50 is 80ms"),
        rd("src/http/handlers.rs", _handlers_tokio),
    ],
)

cc(
    "cc-059", "complex",
    "ASan points at Aabb::expand, but the cause is a pointer into a vector invalidated by a later push_back in the same loop.",
    "render",
    [
        U("MeshLoaderTest.LoadsLargeObj crashes under the asan preset, only with the big sponza.obj fixture"),
        sh("ctest --preset linux-asan -R MeshLoaderTest --output-on-failure", "Test project /home/lee/dev/render-core/build/linux-asan\n    Start 14: MeshLoaderTest.LoadsLargeObj\n1/1 Test #14: MeshLoaderTest.LoadsLargeObj ...***Failed    1.92 sec\nRunning main() from gtest_main.cc\nNote: Google Test filter = MeshLoaderTest.LoadsLargeObj\n[==========] Running 1 test from 1 test suite.\n[ RUN      ] MeshLoaderTest.LoadsLargeObj\n" + REN["out/asan.txt"], code=8, secs=2.4),
        rd("src/mesh/MeshLoader.cpp", REN["src/mesh/MeshLoader.cpp"]),
    ],
)

cc(
    "cc-060", "complex",
    "An urgent production deploy that skips staging needs checks and a rollback plan, not just a command.",
    "infra",
    [U("deploy payments-api v2.14.0 to prod now, skip staging, the refund fix can't wait")],
)

cc(
    "cc-061", "complex",
    "A live secret pushed to main needs rotation, history rewriting and coordination: secrets handling with destructive git operations.",
    "payments",
    [U("I accidentally committed .env with the live stripe key in my last commit and it's already pushed to origin/main. clean it up")],
)

cc(
    "cc-062", "complex",
    "Turning off open-in-view broke five controllers with lazy loading; fixing it means reworking fetch plans across services.",
    "ledger",
    [
        U("since we disabled open-in-view 5 integration tests fail with LazyInitializationException. fix it properly (no turning OSIV back on, no EAGER everywhere)"),
        sh("./gradlew test", LED["out/gradle_lazy.txt"], code=1, secs=112.0),
    ],
)

cc(
    "cc-063", "complex",
    "A dependency upgrade broke dozens of tests across modules with several distinct API changes; fixing it is a cross-module migration.",
    "payments",
    [
        U("I bumped sqlalchemy to 2.0.32 and CI exploded. here's the log from the run, please get it green"),
        sh("gh run view 11382954021 --log-failed | tail -n 600", B.sqlalchemy2_ci_log(), secs=3.1),
    ],
)

cc(
    "cc-064", "complex",
    "Moving 14 scheduling call sites across 9 modules onto a new persisted API changes delivery semantics for reminders and retries.",
    "payments",
    [
        U("we have a new app.scheduling.schedule(task, args, run_at, dedupe_key) API that persists schedules in Postgres. migrate every apply_async(countdown=...) / eta= call to it; there are ~14 across 9 modules"),
        gr("apply_async\\(.*(countdown|eta)=", "app/tasks/reminders.py:38:        send_due_reminder.apply_async(args=[invoice_id], countdown=i * 2)\napp/tasks/dunning.py:51:    escalate.apply_async(args=[inv.id], eta=inv.due_at + timedelta(days=7))\napp/tasks/dunning.py:77:        pause_subscription.apply_async(args=[sub_id], eta=pause_at)\napp/billing/payouts.py:112:    settle_payout.apply_async(args=[payout.id], countdown=PAYOUT_DELAY_S)\napp/billing/webhooks_retry.py:29:    replay_event.apply_async(args=[event_id], countdown=backoff(attempt))\napp/notify/email.py:88:    send_digest.apply_async(args=[tenant_id], eta=next_morning(tz))\napp/notify/email.py:104:    send_receipt.apply_async(args=[payment_id], countdown=5)\napp/exports/jobs.py:33:    expire_export.apply_async(args=[export.id], countdown=86400)\napp/exports/jobs.py:61:    build_export.apply_async(args=[export.id], countdown=0)\napp/auth/sessions.py:47:    purge_session.apply_async(args=[sid], eta=expires_at)\napp/customers/lifecycle.py:92:    anonymize_customer.apply_async(args=[cid], eta=deleted_at + timedelta(days=30))\napp/customers/lifecycle.py:118:    send_winback.apply_async(args=[cid], countdown=14 * 86400)\napp/subscriptions/trials.py:40:    end_trial.apply_async(args=[sub.id], eta=sub.trial_ends_at)\napp/subscriptions/trials.py:55:    trial_reminder.apply_async(args=[sub.id], eta=sub.trial_ends_at - timedelta(days=3))", glob="*.py"),
    ],
)

# =========================================================================== reasoning

cc(
    "cc-065", "reasoning",
    "Choosing between schema-per-tenant and row-level tenancy is an architecture decision with migration, isolation and cost trade-offs.",
    "payments",
    [U("we're at 1,900 tenants on schema-per-tenant and migrations take 3 hours. should we move to row-level tenancy (tenant_id + RLS)? lay out the trade-offs — isolation, noisy neighbours, migration path, what breaks — and give me a recommendation")],
)

cc(
    "cc-066", "reasoning",
    "Designing an idempotency scheme across client retries, regions and webhooks is a distributed-systems design problem, and thinking is explicitly on.",
    "payments",
    [
        U("ultrathink. design the idempotency key scheme for our payments API end to end: client retries on POST /v1/payments, our retries to Stripe, Stripe's webhook redeliveries, and the fact that we're going active-active in eu-west-1 and us-east-1 next quarter. what's the key, where is it stored, how long, and what happens in each failure case"),
        par(rd("app/billing/webhooks.py", PAY["app/billing/webhooks.py"]), rd("app/billing/stripe_client.py", PAY["app/billing/stripe_client.py"])),
    ],
    thinking=31999,
)

cc(
    "cc-067", "reasoning",
    "A correctness argument about memory orderings in a lock-free SPSC queue is a proof task, with extended thinking requested.",
    "render",
    [
        U("think hard about this: is RingBuffer correct under the C++ memory model for one producer and one consumer thread? either prove it (happens-before for the slot contents and for slot reuse) or show me the exact interleaving that breaks"),
        rd("include/render/RingBuffer.h", REN["include/render/RingBuffer.h"]),
    ],
    thinking=16000,
)

_klogs = B.kafka_rebalance_logs()

cc(
    "cc-068", "reasoning",
    "Explaining a periodic rebalance storm from three services' logs is deep root-cause analysis across a distributed system.",
    "gateway",
    [
        U("every ~6 hours the enrichment consumers rebalance over and over for ~10 minutes and lag spikes to millions. it's been like this for two weeks. I pulled logs around the 18:00 UTC episode from enrichment, the device-registry it calls, and broker 2. what is going on, and what's the fix?"),
        sh("cat incidents/2025-10-13-rebalance/enrichment.log", _klogs["enrichment"]),
        sh("cat incidents/2025-10-13-rebalance/device-registry.log", _klogs["device-registry"]),
        sh("cat incidents/2025-10-13-rebalance/kafka-broker-2.log", _klogs["kafka-broker-2"]),
        sh("kubectl -n telemetry get configmap enrichment-config -o jsonpath='{.data.application\\.properties}'",
           "kafka.bootstrap.servers=b-1.kafka-prod.internal:9092,b-2.kafka-prod.internal:9092,b-3.kafka-prod.internal:9092\nkafka.group.id=enrichment\nkafka.max.poll.records=500\nkafka.max.poll.interval.ms=300000\nkafka.session.timeout.ms=45000\nkafka.partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor\nregistry.base-url=http://device-registry.telemetry.svc:8080\nregistry.timeout-ms=30000\nregistry.retries=3\nregistry.batch-size=500"),
    ],
)

cc(
    "cc-069", "reasoning",
    "Threat-modelling a public multi-tenant webhook ingestion endpoint is security analysis, not implementation.",
    "payments",
    [U("we're exposing POST /ingest/{tenant}/events publicly so partners can push events, HMAC-SHA256 signed with a per-tenant secret, body up to 1MB, stored then processed async. threat-model it before we build it: replay, key compromise, tenant confusion, resource exhaustion, anything else. rank by risk and say what the design needs")],
)

cc(
    "cc-070", "reasoning",
    "Assigning jobs to GPUs under memory limits to minimise makespan is an NP-hard scheduling problem needing an algorithm choice and justification.",
    None,
    [U("I have ~300 training jobs per night, each with a GPU memory need (4-80GB) and an estimated runtime, and 24 GPUs (16x 80GB, 8x 40GB). a job runs on one GPU, GPUs can run several jobs at once if memory fits but then each slows down proportionally. I want to minimise the time until the last job finishes. what algorithm should I use, how close to optimal will it be, and write it in python")],
)

cc(
    "cc-071", "reasoning",
    "Event sourcing versus CRUD plus outbox for a ledger is an architecture decision with consistency, audit and operational trade-offs.",
    "ledger",
    [U("the auditors want full history for every balance change and product wants 'balance as of any date'. one camp wants to move the ledger to event sourcing, the other wants to keep JPA + an outbox table + a history table. compare them honestly for our case (Postgres, ~2k transfers/s peak, 7-year retention) and recommend one")],
)

cc(
    "cc-072", "reasoning",
    "Showing whether a merge is commutative and associative and fixing it is a correctness argument about a CRDT, with thinking requested.",
    "web",
    [
        U("think hard: mergeReplicas in src/sync/merge.ts is supposed to be a proper CRDT merge (commutative, associative, idempotent) but QA found two devices ending up with different comment threads after syncing in different orders. find which law breaks and why, then fix it so it's provably a join"),
        rd("src/sync/merge.ts", WEB["src/sync/merge.ts"]),
    ],
    thinking=10000,
)

cc(
    "cc-073", "reasoning",
    "A yes/no guarantee about lost records with a proof or a counterexample interleaving is a correctness argument over concurrent code.",
    "gateway",
    [
        U("is Batcher.Close() guaranteed not to lose records that an Add() call accepted before Close() returned? I need a yes/no with a proof or a concrete interleaving, not a vibe"),
        rd("internal/consumer/batcher.go", GW["internal/consumer/batcher.go"]),
    ],
)

cc(
    "cc-074", "reasoning",
    "Picking a leader-election mechanism across AZs means reasoning about partitions, clock assumptions and failure modes.",
    "payments",
    [U("the payout scheduler must run on exactly one of our 3 replicas (spread over 2 AZs). options on the table: pg advisory locks, Redis Redlock, or a lease row with fencing tokens. which one and why? think about partitions, GC pauses, and what happens to a payout run that's halfway done when leadership moves")],
)

def _iostat() -> str:
    import random as _r
    rng = _r.Random(75)
    out = ["# ip-10-40-33-17.eu-west-1.compute.internal (runs orders-api, checkout-api, pricing-api pods; orders-db is RDS)",
           "Device            r/s     w/s     rkB/s     wkB/s  r_await  w_await  aqu-sz  %util"]
    for minute in range(5, 31):
        spike = 10 <= minute < 24
        for dev in ("nvme0n1", "nvme1n1"):
            r = rng.randrange(5, 40) * (8 if spike and dev == "nvme1n1" else 1)
            w = rng.randrange(20, 90) * (3 if spike else 1)
            out.append(f"02:{minute:02d} {dev:<10} {r:>7.1f} {w:>7.1f} {r * 31.5:>9.1f} {w * 12.2:>9.1f} {rng.uniform(0.2, 1.5) * (40 if spike and dev == 'nvme1n1' else 1):>8.2f} {rng.uniform(0.5, 2.0) * (25 if spike and dev == 'nvme1n1' else 1):>8.2f} {rng.uniform(0.01, 0.2) * (30 if spike else 1):>7.2f} {min(100.0, rng.uniform(2, 9) * (11 if spike and dev == 'nvme1n1' else 1)):>6.1f}")
    out.append("# nvme1n1 = /var/lib/containerd + /var/log (EBS gp3, 3000 IOPS baseline)")
    return "\n".join(out)


cc(
    "cc-075", "reasoning",
    "Explaining a daily latency spike across services from metrics and cron schedules is root-cause analysis across machines.",
    "infra",
    [
        U("p99 roughly doubles every day at 02:10 UTC for ~14 minutes across checkout, orders and pricing (not search). no deploys then. here's the grafana export and every cron/scheduled thing I could find. what's causing it?"),
        sh("cat /tmp/p99-export.csv", B.latency_csv()),
        sh("cat /tmp/node-iostat-0205-0230.txt | head -60", _iostat()),
        sh("grep -h '' crons/*.txt",
           "# k8s CronJobs (prod-eu1)\norders-db-backup        0 2 * * *     pg_basebackup -h orders-db-primary -D /backup/$(date +%F) -X stream -c fast\nsearch-reindex          30 3 * * *    /app/bin/reindex --full\ncheckout-cart-expiry    */15 * * * *  /app/bin/expire-carts\n\n# RDS maintenance\norders-db-primary       backup window 02:00-02:30 UTC, maintenance Sun 03:00-03:30\npricing-db              backup window 04:00-04:30 UTC\n\n# node crontab (all EKS nodes, from the AMI)\n10 2 * * * root /usr/sbin/logrotate /etc/logrotate.conf\n\n# EBS snapshots (DLM policy prod-daily)\nvolumes tagged backup=daily    cron(10 2 * * ? *)   retain 7"),
    ],
)

cc(
    "cc-076", "reasoning",
    "Designing multi-node cache invalidation with consistency guarantees is a distributed design task, with thinking requested.",
    "tidewater",
    [U("we're going from 1 to 6 replicas of tidewater behind the LB. each has its own LRU. readings for a station change every ~6 minutes upstream and we get webhook notifications (at-least-once, unordered) when they do. design the invalidation so a client never sees a reading older than one it already saw (monotonic reads per client) without making every request hit upstream")],
    thinking=12000,
)

cc(
    "cc-077", "reasoning",
    "Whether exactly-once Kafka-to-Postgres delivery is achievable, walked through every failure point, is a correctness argument.",
    "gateway",
    [U("product wants 'exactly once' from telemetry.raw.v2 into the readings table in Postgres. is that achievable with our consumer (kafka-go, manual commits after the DB insert)? walk through each crash point — before insert, after insert before commit, during rebalance — and tell me what guarantee we actually have and what would make it effectively-once")],
)

_arch_notes = """# Architecture notes (draft, 2025-09)

## Current state
- One Django monolith (`core/`), 410k lines, Postgres primary + 2 replicas, Celery workers.
- Teams: Payments (6), Catalog (5), Fulfilment (7), Growth (4). All deploy the same artifact.
- Deploys: 2/day max, 38 min CI, ~1 rollback/week (mostly Fulfilment changes breaking Payments tests).
- Hot paths: checkout (p99 450ms), catalog search (p99 1.2s, Elasticsearch), order webhooks.

## Pain
1. Shared DB schema: 340 tables, 1,100 FKs, many cross-domain joins in reports.
2. Test suite 38 min; flaky tests block unrelated teams.
3. Catalog traffic spikes (campaigns) starve checkout workers.

## Options considered
A. Modular monolith: enforce module boundaries (import-linter), split DB schemas per module, keep one deploy.
B. Extract Catalog first (read-heavy, few writes to other domains), then Payments.
C. Strangler fig per team, event bus (Kafka) for cross-domain events.

## Constraints
- 22 engineers, no dedicated platform team; one SRE.
- PCI scope must not grow.
- Budget: +15% infra at most.
"""

cc(
    "cc-078", "reasoning",
    "After reading the whole architecture context, the ask is a recommendation between three decomposition strategies under team and PCI constraints.",
    None,
    [
        U("I'm writing the architecture proposal for splitting our monolith. read docs/architecture/notes.md and the module dependency report, then help me decide"),
        rd("/home/dev/scratch/docs/architecture/notes.md", _arch_notes),
        sh("python tools/dep_report.py --by-module --top 40",
           "module           imports_out  imported_by  cross_domain_fk  tables  loc\n" + "\n".join(
               f"{m:<16} {io:>11}  {ib:>11}  {fk:>15}  {t:>6}  {loc:>6}" for m, io, ib, fk, t, loc in [
                   ("payments", 41, 88, 63, 38, 61204), ("orders", 77, 102, 141, 44, 83311), ("catalog", 19, 57, 22, 51, 72950),
                   ("fulfilment", 66, 21, 118, 47, 69021), ("customers", 24, 131, 97, 29, 30118), ("growth", 52, 9, 31, 33, 40227),
                   ("reports", 93, 2, 0, 12, 28470), ("auth", 8, 140, 11, 9, 11342), ("notifications", 17, 64, 5, 8, 9981),
                   ("search", 11, 14, 3, 6, 7650), ("admin", 71, 0, 0, 4, 12200), ("integrations", 39, 18, 26, 21, 22113)])),
        task("Map cross-domain calls", "In core/, find every place where one domain module calls another domain module's models or services directly (not via its api.py). Group by caller -> callee with counts and the 5 worst files.",
             "Cross-domain direct calls (caller -> callee: count)\n\norders -> payments: 212\norders -> catalog: 174\nfulfilment -> orders: 166\nreports -> * : 391 (read-only ORM joins)\ngrowth -> customers: 98\npayments -> customers: 71\ncatalog -> orders: 12\n\nWorst files:\n1. core/orders/services/checkout.py (143 cross-domain calls)\n2. core/fulfilment/tasks.py (97)\n3. core/reports/finance.py (88)\n4. core/orders/models.py (61, mostly properties touching payments)\n5. core/growth/segments.py (54)\n\nOnly catalog exposes a real api.py that others use (41% of calls into catalog go through it)."),
        fetch("https://martinfowler.com/bliki/MonolithFirst.html", "Summarise the argument and when it says to split", "Fowler argues most successful microservice systems started as monoliths that were split once boundaries were understood; starting with services risks drawing boundaries wrong, and moving functionality across service boundaries is hard. Split when the domain is well understood, along bounded contexts, and prefer a well-modularised monolith until then."),
        A("I have the notes, the dependency report and the cross-domain call map. Catalog is the most separable module (few inbound writes, its own api.py is already used), orders/payments are tangled through checkout.py, and reports reads everything."),
        U("ok so given all that: A, B or C? I need a recommendation I can defend to the CTO, including what we'd do in the first 90 days and what would make us change course"),
    ],
    thinking=24000,
)

cc(
    "cc-079", "reasoning",
    "Designing a linear-space diff for large documents is a hard algorithmic problem with complexity trade-offs.",
    "web",
    [U("our collaborative editor diffs the whole document on every save with a naive LCS and it's O(n·m) memory — 40MB docs kill the tab. I want Myers' O(ND) diff with the linear-space divide-and-conquer refinement, in TypeScript, on arrays of lines, plus an argument for why the middle-snake recursion is correct and what the worst case costs")],
)

cc(
    "cc-080", "reasoning",
    "Reviewing an auth flow for token theft, CSRF and mix-up attacks is a security threat analysis.",
    "web",
    [U("review our login design before we ship it: SPA does OAuth auth-code + PKCE against our IdP, exchanges the code at /api/auth/callback (Next.js route), we set an httpOnly SameSite=Lax session cookie and also return the access token to the SPA so it can call the Go API directly. we support Google and Microsoft as upstream IdPs. what are the attacks (token theft, CSRF, IdP mix-up, open redirect via returnTo), how likely is each here, and what should change")],
)
