"""Aider, Cline, Open WebUI-style side requests, and plain SDK calls. Each case: the turn, its label, and why."""
# ruff: noqa: E501

from __future__ import annotations

from tests.routing.corpus import _bulk as B
from tests.routing.corpus import _prompts as P
from tests.routing.corpus._clients import (
    FX,
    CaseSpec,
    U,
    aider,
    anthropic_sdk,
    cline,
    openai_sdk,
    png_b64,
    project,
    rd,
)

CASES: list[CaseSpec] = []


def add(case_id: str, expected: str, why: str, body: dict, dialect: str = "openai") -> None:
    CASES.append(CaseSpec(case_id, "other", dialect, expected, why, body))


def cl(case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw) -> None:
    add(case_id, expected, why, cline(case_id, project(proj) if proj else None, steps, **kw))


PAY, WEB, GW, TW, LED, REN, SHOP, WH, INF = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "shopfront", "warehouse", "infra"))

_REPO_MAP = """app/billing/invoices.py:
│class InvoiceSummary:
│async def get_invoice(session: AsyncSession, invoice_id: str) -> Invoice:
│async def list_invoices(
│def get_invoice_email(invoice: Invoice) -> str:
│async def mark_paid(session: AsyncSession, invoice: Invoice, paid_minor: int) -> Invoice:

app/billing/stripe_client.py:
│def new_idempotency_key() -> str:
│async def create_payment_intent(*, amount_minor: int, currency: str, customer: str,
│async def refund(payment_intent: str, amount_minor: int | None, idempotency_key: str) -> stripe.Refund:

app/db/models.py:
│class Customer(Base):
│class Invoice(Base):
│class InvoiceLine(Base):
│class Payment(Base):

app/core/timeparse.py:
│def parse_duration(text: str) -> timedelta:
│def format_duration(delta: timedelta) -> str:
"""

# =========================================================================== simple

add(
    "ot-001", "simple",
    "A one-line commit message for a lockfile bump is bookkeeping, however large the diff.",
    {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": P.AIDER_COMMIT},
            {"role": "user", "content": "# Diffs:\n" + B.pnpm_lock_diff() + "\ndiff --git a/package.json b/package.json\nindex 3a1f2c4..9b0e7d1 100644\n--- a/package.json\n+++ b/package.json\n@@ -17,7 +17,7 @@\n     \"date-fns\": \"3.6.0\",\n     \"date-fns-tz\": \"3.1.3\",\n-    \"next\": \"14.2.5\",\n+    \"next\": \"14.2.15\",\n     \"next-auth\": \"4.24.7\",\n"},
        ],
        "temperature": 0,
        "stream": False,
    },
)

_aider_history = []
for _f in ["app/billing/invoices.py", "app/billing/webhooks.py", "app/billing/stripe_client.py", "app/core/timeparse.py", "app/db/models.py", "app/billing/transfers.py", "tests/conftest.py", "app/api/customers.py", "app/auth/tokens.py", "app/tasks/reminders.py", "tests/billing/test_transfers.py"]:
    _aider_history.append(f"# USER\nlook at {_f} and tell me if anything is off\n# ASSISTANT\nHere is {_f} as I understand it:\n\n{_f}\n```python\n{PAY[_f]}```\n\nNothing is broken, but a few things stand out; see below.\n")
_aider_history.append("# USER\nok change get_invoice_email to fall back to the tenant's billing contact\n# ASSISTANT\napp/billing/invoices.py\n```python\n<<<<<<< SEARCH\n    customer = invoice.customer\n    return customer.billing_contact.email\n=======\n    customer = invoice.customer\n    if customer.billing_contact is not None:\n        return customer.billing_contact.email\n    return invoice.tenant.billing_contact.email\n>>>>>>> REPLACE\n```\n")

add(
    "ot-002", "simple",
    "Aider's history summarisation is a harness side request: compress past turns into a paragraph, no new engineering.",
    {
        "model": "gpt-4o-mini",
        "messages": [{"role": "system", "content": P.AIDER_SUMMARIZE}, {"role": "user", "content": "\n".join(_aider_history)}],
        "temperature": 0,
        "stream": False,
    },
)

cl(
    "ot-003", "simple",
    "Renaming a util file and fixing its imports is mechanical, whichever client asks.",
    "web",
    [U("rename src/utils/dateFmt.ts to src/utils/formatDate.ts and update the imports that point at it")],
    visible=["src/utils/dateFmt.ts", "src/components/InvoiceTable.tsx"],
)

add(
    "ot-004", "simple",
    "Converting a JSON document to YAML is a mechanical format transformation.",
    openai_sdk("ot-004", [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "convert to yaml, keep key order:\n\n```json\n{\n  \"service\": \"payments-api\",\n  \"replicas\": 3,\n  \"image\": {\"repository\": \"ghcr.io/northwind/payments-api\", \"tag\": \"v2.13.4\", \"pullPolicy\": \"IfNotPresent\"},\n  \"resources\": {\"requests\": {\"cpu\": \"250m\", \"memory\": \"512Mi\"}, \"limits\": {\"memory\": \"1Gi\"}},\n  \"env\": [{\"name\": \"LOG_LEVEL\", \"value\": \"info\"}, {\"name\": \"APP_ENV\", \"value\": \"staging\"}],\n  \"probes\": {\"liveness\": {\"path\": \"/health/live\", \"periodSeconds\": 10}, \"readiness\": {\"path\": \"/health/ready\", \"periodSeconds\": 5}}\n}\n```"},
    ]),
)

add(
    "ot-005", "simple",
    "Reformatting a SQL query without changing it is mechanical.",
    openai_sdk("ot-005", [
        {"role": "user", "content": "format this sql nicely (lowercase keywords, one column per line), don't change what it does:\n\nSELECT o.ID,o.CUSTOMER_ID,SUM(li.QUANTITY*li.UNIT_PRICE_CENTS) AS TOTAL,COUNT(*) AS N FROM ORDERS o JOIN LINE_ITEMS li ON li.ORDER_ID=o.ID WHERE o.STATUS IN ('paid','shipped') AND o.PLACED_AT>=NOW()-INTERVAL '7 days' GROUP BY o.ID,o.CUSTOMER_ID HAVING COUNT(*)>2 ORDER BY TOTAL DESC LIMIT 50"},
    ], model="gpt-4o-mini"),
)

add(
    "ot-006", "simple",
    "The NameError names the missing module; adding one import line is trivial.",
    aider("ot-006", "NameError: name 'os' is not defined at line 9 when I run it. add the import", files={
        "scripts/rotate_logs.py": "import gzip\nimport shutil\nfrom pathlib import Path\n\nLOG_DIR = Path(\"/var/log/shopfront\")\n\n\ndef rotate(keep: int = 7) -> None:\n    for log in sorted(LOG_DIR.glob(\"*.log\"), key=os.path.getmtime)[:-keep]:\n        with log.open(\"rb\") as src, gzip.open(f\"{log}.gz\", \"wb\") as dst:\n            shutil.copyfileobj(src, dst)\n        log.unlink()\n\n\nif __name__ == \"__main__\":\n    rotate()\n",
    }),
)

cl(
    "ot-007", "simple",
    "package.json is already read; naming the dev script is a lookup.",
    "web",
    [
        U("which npm script starts the dev server, and on which port?"),
        rd("package.json", WEB["package.json"], pre="The scripts section of package.json will say."),
    ],
    visible=["package.json"],
)

add(
    "ot-008", "simple",
    "Open WebUI title generation is a harness side request over a short chat.",
    openai_sdk("ot-008", [{"role": "user", "content": P.OPENWEBUI_TITLE.replace("{history}", "USER: why does my docker build not pick up changes in requirements.txt\nASSISTANT: Because COPY . . comes before pip install, any change invalidates the layer... actually the opposite: your Dockerfile copies requirements.txt and installs before copying the app, so the cache key is the file contents. If the file changed, check you're not building with an old context, e.g. a .dockerignore that excludes it.\nUSER: oh it's in .dockerignore. thanks")}],
        model="llama3.1:8b", stream=False, max_tokens=50),
)

add(
    "ot-009", "simple",
    "A max_tokens 1 connectivity probe needs no capability at all.",
    openai_sdk("ot-009", [{"role": "user", "content": "ping"}], model="gpt-4o-mini", max_tokens=1),
)

add(
    "ot-010", "simple",
    "Suggesting follow-up questions is a harness side request over the last exchange.",
    openai_sdk("ot-010", [{"role": "user", "content": P.OPENWEBUI_FOLLOWUPS.replace("{history}", "USER: what's the difference between a Kubernetes Deployment and a StatefulSet?\nASSISTANT: A Deployment manages interchangeable pods: random names, any order, shared or no storage. A StatefulSet gives each pod a stable identity (web-0, web-1), ordered start/stop, and its own PersistentVolumeClaim from volumeClaimTemplates, which is what databases and brokers need.")}],
        model="qwen2.5:7b", stream=False),
)

# =========================================================================== medium

_invoice_dc = """from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Invoice:
    number: str
    customer_id: str
    currency: str
    total_minor: int
    tax_minor: int
    issued_on: date
    due_on: date | None
    lines: tuple["Line", ...] = ()


@dataclass(frozen=True)
class Line:
    description: str
    quantity: int
    unit_price_minor: int
"""

_export_py = """from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from app.auth.deps import current_tenant
from app.billing.repo import invoices_for_tenant

router = APIRouter(prefix="/v1/exports")


@router.get("/invoices.json")
async def export_invoices(tenant_id: str = Depends(current_tenant)) -> JSONResponse:
    invoices = await invoices_for_tenant(tenant_id)
    payload = []
    for inv in invoices:
        payload.append({
            "number": inv.number,
            "customer_id": inv.customer_id,
            "currency": inv.currency,
            "total_minor": inv.total_minor,
            "tax_minor": inv.tax_minor,
            "issued_on": inv.issued_on.isoformat(),
            "due_on": inv.due_on.isoformat() if inv.due_on else None,
        })
    return JSONResponse(payload)
"""

add(
    "ot-011", "medium",
    "Adding a serialisation method to a dataclass and using it at one call site is a small two-file change.",
    aider("ot-011", "add a to_dict() on Invoice (dates as ISO strings, lines included as a list of dicts) and use it in the export endpoint instead of building the dict by hand", files={
        "app/billing/domain.py": _invoice_dc, "app/api/exports.py": _export_py}, repo_map=_REPO_MAP),
)

_chunk_py = '''from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def chunk(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most `size` items, in order. size must be >= 1."""
    if size < 1:
        raise ValueError("size must be >= 1")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
'''

add(
    "ot-012", "medium",
    "Writing pytest tests for one small generator helper is ordinary test writing.",
    aider("ot-012", "write pytest tests for chunk() in a new tests/core/test_iterutils.py. include generators, empty input, size larger than input, and the error", files={"app/core/iterutils.py": _chunk_py}),
)

_settings_tsx = """import { useContext } from "react";
import { ThemeContext } from "@/lib/theme";
import { Card } from "@/components/ui/Card";
import { NotificationPrefs } from "@/components/settings/NotificationPrefs";

export function SettingsPage() {
  const { theme } = useContext(ThemeContext);
  return (
    <div className="mx-auto max-w-3xl space-y-6 p-6">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <Card title="Appearance">
        <p className="text-sm text-slate-500">Current theme: {theme}</p>
      </Card>
      <Card title="Notifications">
        <NotificationPrefs />
      </Card>
    </div>
  );
}
"""

_theme_ts = """import { createContext } from "react";

export type Theme = "light" | "dark" | "system";

export const ThemeContext = createContext<{ theme: Theme; setTheme: (t: Theme) => void }>({
  theme: "system",
  setTheme: () => {},
});
"""

cl(
    "ot-013", "medium",
    "A theme toggle wired to an existing context in one settings page is an ordinary UI feature.",
    "web",
    [
        U("add a light/dark/system toggle to the Appearance card on the settings page. ThemeContext already has setTheme"),
        rd("src/app/(dashboard)/settings/SettingsPage.tsx", _settings_tsx, pre="Let me look at the settings page first."),
        rd("src/lib/theme.ts", _theme_ts),
    ],
    visible=["src/app/(dashboard)/settings/SettingsPage.tsx", "src/lib/theme.ts"],
)

_checkout_css = """.checkout-form {
  display: flex;
  flex-direction: column;
  gap: 1rem;
  padding: 1.5rem;
  min-height: 100vh;
}

.checkout-actions {
  position: fixed;
  bottom: 0;
  right: 1.5rem;
  display: flex;
  gap: 0.75rem;
}

.site-footer {
  position: relative;
  z-index: 10;
  padding: 2rem 1.5rem;
  background: var(--surface-2);
}
"""

cl(
    "ot-014", "medium",
    "A button overlapping the footer on narrow screens is a visible CSS positioning bug in one stylesheet.",
    "web",
    [
        U("on mobile the Save button overlaps the footer (screenshot). fix the css so it sits above the footer and stays reachable", png_b64(96, 80, seed=3)),
        rd("src/styles/checkout.css", _checkout_css, pre="Checking the checkout styles."),
    ],
    visible=["src/styles/checkout.css", "src/app/checkout/page.tsx"],
)

add(
    "ot-015", "medium",
    "Explaining a lifetime error and the usual fix for a small function is ordinary code explanation.",
    openai_sdk("ot-015", [
        {"role": "user", "content": "why doesn't this compile and what's the idiomatic fix?\n\n```rust\nfn longest_line(text: String) -> &str {\n    text.lines().max_by_key(|l| l.len()).unwrap_or(\"\")\n}\n```\n\n```\nerror[E0106]: missing lifetime specifier\n --> src/main.rs:1:34\n  |\n1 | fn longest_line(text: String) -> &str {\n  |                                  ^ expected named lifetime parameter\n  |\n  = help: this function's return type contains a borrowed value, but there is no value for it to be borrowed from\nhelp: consider using the `'static` lifetime, but this is likely not what you want\n  |\n1 | fn longest_line(text: String) -> &'static str {\n  |                                   +++++++\nhelp: instead, you are more likely to want to change the argument to be borrowed...\n  |\n1 | fn longest_line(text: &String) -> &str {\n  |                       +\n```"},
    ]),
)

add(
    "ot-016", "medium",
    "A rolling-window aggregate over a daily series is an ordinary SQL query.",
    openai_sdk("ot-016", [
        {"role": "system", "content": "You are a senior analytics engineer. Answer with Postgres SQL."},
        {"role": "user", "content": "table signups(id bigint, user_id bigint, created_at timestamptz, channel text). I want per day for the last 90 days: signups that day, and the 7-day rolling average, per channel. days with zero signups must still appear"},
    ]),
)

add(
    "ot-017", "medium",
    "A header parser with a known grammar and a few edge cases is a small, self-contained function.",
    anthropic_sdk("ot-017", [
        {"role": "user", "content": "Write a Python function parse_link_header(value: str) -> dict[str, str] that parses an HTTP Link header (RFC 8288) like the one GitHub's API returns and maps rel -> url. Handle multiple rels in one link (rel=\"next last\"), quoted and unquoted params, and whitespace. Include a few doctests."},
    ], system="You are an expert Python developer. Write idiomatic, typed Python 3.12."),
    dialect="anthropic",
)

_pairs_py = """import csv
from pathlib import Path


def load_pairs(path: Path) -> dict[str, str]:
    \"\"\"Read old_sku,new_sku pairs from the migration CSV.\"\"\"
    out: dict[str, str] = {}
    with path.open(newline="") as f:
        reader = csv.reader(f)
        next(reader)  # header
        for row in reader:
            if not row or row[0].startswith("#"):
                continue
            old, new = row
            out[old.strip()] = new.strip()
    return out
"""

add(
    "ot-018", "medium",
    "The unpacking error names the line; the CSV has extra columns now and the loader must take the first two.",
    aider("ot-018", "it crashes on the new export from the warehouse team:\n\n  File \"scripts/sku_migration.py\", line 14, in load_pairs\n    old, new = row\n    ^^^^^^^^\nValueError: too many values to unpack (expected 2)\n\nthe new csv has a third column `note`. fix it so both old and new files work", files={"scripts/sku_migration.py": _pairs_py}),
)

cl(
    "ot-019", "medium",
    "A unit test for one formatting util is ordinary test writing.",
    "web",
    [
        U("add vitest tests for formatMoney in src/utils/money.ts — JPY (no decimals), negative amounts, and EUR in de-DE"),
        rd("src/utils/money.ts", "export type Money = { amountMinor: number; currency: string };\n\nconst DECIMALS: Record<string, number> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };\n\nexport function formatMoney(m: Money, locale = \"en-US\"): string {\n  const digits = DECIMALS[m.currency] ?? 2;\n  return new Intl.NumberFormat(locale, {\n    style: \"currency\",\n    currency: m.currency,\n    minimumFractionDigits: digits,\n    maximumFractionDigits: digits,\n  }).format(m.amountMinor / 10 ** digits);\n}\n"),
    ],
    visible=["src/utils/money.ts"],
)

# =========================================================================== complex

add(
    "ot-020", "complex",
    "Splitting a 1,200-line module into a package while keeping every import working is a refactor with many dependents.",
    aider("ot-020", "split app/billing/billing.py into a package app/billing/billing/ with tax.py, proration.py, refunds.py and invoices.py. keep `from app.billing.billing import X` working for every public name (there are ~60 importers), no behaviour changes", files={"app/billing/billing.py": B.big_billing_py()}, repo_map=_REPO_MAP),
)

cl(
    "ot-021", "complex",
    "Adding OAuth login with encrypted token storage is an auth change across routes, session handling and the database.",
    "web",
    [U("add 'Sign in with GitHub' next to the email login. we need the GitHub access token later to read the user's repos, so store it encrypted at rest (we have KMS_KEY_ID in env). link to an existing account if the verified email matches")],
    visible=["src/lib/auth.ts", "src/app/login/page.tsx"],
)

add(
    "ot-022", "complex",
    "OOM kills under spikes that started with a deploy need evidence from limits, the HPA and the code change: production debugging with a hidden cause.",
    openai_sdk("ot-022", [
        {"role": "system", "content": "You are a senior SRE. Be concrete."},
        {"role": "user", "content": "since tuesday's deploy our orders-api pods get OOMKilled during traffic spikes (never before). the diff between the two releases is 41 commits, nothing obviously memory related. here's what I have:\n\n```\n$ kubectl -n shop describe pod orders-api-6d8f7b9c4-x2kq9 | sed -n '/Last State/,/Ready/p'\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n      Started:      Tue, 14 Oct 2025 18:02:11 +0200\n      Finished:     Tue, 14 Oct 2025 18:09:47 +0200\n    Ready:          True\n\n$ kubectl -n shop get hpa orders-api -o yaml | yq .spec\nmaxReplicas: 20\nminReplicas: 4\nmetrics:\n- resource:\n    name: cpu\n    target: {averageUtilization: 70, type: Utilization}\n  type: Resource\nscaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: orders-api}\n\nresources: {requests: {cpu: 500m, memory: 512Mi}, limits: {memory: 768Mi}}\n\n# node 18:05-18:10, one pod\nheap_used_mb: 310 -> 742 in 4 minutes, rps per pod 140 -> 210, gc pause p99 40ms -> 900ms\n# release notes tuesday: upgraded node 18 -> 20, added response caching for GET /orders/:id (lru-cache, max 50000 entries), moved pdf rendering in-process (was a lambda)\n```\n\nwhat's going on and what do we change?"},
    ], model="gpt-4.1"),
)

cl(
    "ot-023", "complex",
    "Chart totals that change with the user's time zone come from date bucketing spread across API, aggregation and client: a non-obvious cross-module bug.",
    "web",
    [U("the revenue chart shows different daily totals when I switch my profile timezone from Berlin to New York (screenshot: same date range, different bars). totals for the whole range also differ by ~3%. money shouldn't change with timezone. find out where it goes wrong — the data comes from the tRPC revenue.daily procedure", png_b64(120, 80, seed=11))],
    visible=["src/components/charts/RevenueChart.tsx", "src/server/routers/revenue.ts"],
)

_pool_go = """package worker

import (
	"context"
	"sync"
)

type Job struct {
	ID      int
	Payload []byte
}

type Result struct {
	JobID int
	Out   []byte
	Err   error
}

// Run processes jobs with n workers and returns results in job order.
func Run(ctx context.Context, jobs []Job, n int, fn func(context.Context, Job) ([]byte, error)) []Result {
	in := make(chan Job)
	out := make(chan Result, len(jobs))
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range in {
				b, err := fn(ctx, j)
				out <- Result{JobID: j.ID, Out: b, Err: err}
			}
		}()
	}
	go func() {
		for _, j := range jobs {
			select {
			case in <- j:
			case <-ctx.Done():
				return
			}
		}
		close(in)
	}()
	results := make([]Result, 0, len(jobs))
	go func() { wg.Wait(); close(out) }()
	for r := range out {
		results = append(results, r)
		if len(results) == len(jobs)-1 {
			break
		}
	}
	return results
}
"""

add(
    "ot-024", "complex",
    "Out-of-order results and a lost last batch in a worker pool are concurrency bugs with several interacting causes.",
    aider("ot-024", "Run() is supposed to return results in job order but they come back shuffled, and under load we sometimes lose the last result. also if ctx is cancelled it hangs forever. fix all three", files={"internal/worker/pool.go": _pool_go}),
)

add(
    "ot-025", "complex",
    "Re-encrypting all stored PII under a new KMS key without downtime is secrets handling on production data.",
    anthropic_sdk("ot-025", [
        {"role": "user", "content": "We store customer PII (name, address, phone, tax id) in Postgres, encrypted per-field with AES-GCM data keys wrapped by KMS key A (envelope encryption, key id stored per row). Security wants everything re-encrypted under key B within 2 weeks, and key A disabled after. 60M rows across 4 tables, app must stay up, reads and writes continue. Write the plan and the Python backfill script (SQLAlchemy 2, boto3). Must be resumable and must never leave a row unreadable."},
    ]),
    dialect="anthropic",
)

cl(
    "ot-026", "complex",
    "Dropping and recreating a production database from a backup is destructive; the right answer verifies the backup and the corruption first.",
    "payments",
    [U("the prod db is corrupted (some queries return 'invalid page in block 48211 of relation base/16384/24601'). drop it and restore from last night's backup, there's a restore script in scripts/")],
    visible=["scripts/restore_db.sh"],
)

add(
    "ot-027", "complex",
    "A production memory leak in a rate limiter that is also spoofable behind a load balancer: performance and security work, even with the retainer chain pointing at the file.",
    openai_sdk("ot-027", [
        {"role": "user", "content": "our node 20 express service grows ~200MB/hour until it's restarted. I took two heap snapshots 30 min apart; here's the comparison summary (objects allocated between snapshots and still alive):\n\n```\nConstructor                 # New   # Deleted  # Delta   Alloc. Size   Size Delta\n(closure)                   412,118    3,901   +408,217    39.2 MB     +39.0 MB\nTimeout                     203,560        0   +203,560    17.9 MB     +17.9 MB\n(string)                    611,020   88,117   +522,903    61.7 MB     +48.3 MB\nIncomingMessage               1,204    1,190        +14     0.9 MB      +0.0 MB\nSocket                          311      309         +2     0.3 MB      +0.0 MB\nObject                      207,331    4,118   +203,213    24.1 MB     +23.6 MB\n\nRetainers of a sample Timeout:\n  _idlePrev in Timeout @ 8811\n  [1] in Array @ 411 (TimersList)\n  ... \n  timer in Object @ 77219  <- rateLimiterState[ip] in Object @ 1021 (module: src/middleware/rateLimit.js)\n```\n\nand src/middleware/rateLimit.js:\n\n```js\nconst rateLimiterState = {};\n\nmodule.exports = function rateLimit({ windowMs = 60_000, max = 100 } = {}) {\n  return (req, res, next) => {\n    const key = req.headers[\"x-forwarded-for\"] || req.ip;\n    let s = rateLimiterState[key];\n    if (!s) {\n      s = rateLimiterState[key] = { count: 0 };\n    }\n    s.count++;\n    s.timer = setTimeout(() => { s.count--; }, windowMs);\n    if (s.count > max) return res.status(429).send(\"Too Many Requests\");\n    next();\n  };\n};\n```\n\nfix it, and tell me if there's anything else in that file that will bite us behind the ALB"},
    ]),
)

# =========================================================================== reasoning

add(
    "ot-028", "reasoning",
    "Choosing between schema-per-tenant and row-level tenancy is an architecture decision, whichever client asks.",
    openai_sdk("ot-028", [
        {"role": "user", "content": "we're at 1,900 tenants on schema-per-tenant and migrations take 3 hours. should we move to row-level tenancy (tenant_id + RLS)? lay out the trade-offs — isolation, noisy neighbours, migration path, what breaks — and give me a recommendation"},
    ], model="gpt-4.1"),
)

add(
    "ot-029", "reasoning",
    "Proving a greedy schedule optimal or finding a counterexample is a proof task, and the caller asks for high reasoning effort.",
    openai_sdk("ot-029", [
        {"role": "developer", "content": "Answer rigorously. If you claim optimality, give a proof; otherwise give a minimal counterexample."},
        {"role": "user", "content": "Jobs have processing times p_i and deadlines d_i, one machine, no preemption. Our scheduler sorts by deadline (EDD), but when two jobs have deadlines within 5 minutes of each other it runs the shorter one first. We want to minimise the number of late jobs. Is this rule optimal? If not, what is, and prove it."},
    ], model="o4-mini", reasoning_effort="high", max_completion_tokens=25000),
)

add(
    "ot-030", "reasoning",
    "Designing consistent hashing with bounded loads and analysing its guarantees is an algorithmic design with thinking explicitly enabled.",
    anthropic_sdk("ot-030", [
        {"role": "user", "content": "Design the request-routing layer for our cache fleet (40-200 nodes, autoscaled). We use plain consistent hashing with 200 vnodes per node, but hot keys overload single nodes and scale-outs move too much data. I'm considering consistent hashing with bounded loads (Mirrokni et al.), rendezvous hashing, and jump hash + a hot-key side cache. Compare them on max load, keys moved per membership change, and lookup cost, and recommend one with the parameter choices."},
    ], max_tokens=16000, thinking={"type": "enabled", "budget_tokens": 8000}),
    dialect="anthropic",
)

_plugins_py = """import importlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Handler = Callable[[dict], Awaitable[None]]


class PluginHost:
    def __init__(self, names: list[str]):
        self.handlers: dict[str, list[Handler]] = {}
        for name in names:
            mod = importlib.import_module(f"plugins.{name}")
            for event, fn in mod.register().items():
                self.handlers.setdefault(event, []).append(fn)

    async def emit(self, event: str, payload: dict) -> None:
        for fn in self.handlers.get(event, []):
            await fn(payload)  # a slow or blocking plugin stalls every event
"""

add(
    "ot-031", "reasoning",
    "Aider's architect mode asks for a design that isolates untrusted plugins from the event loop: an architecture decision with trade-offs.",
    aider("ot-031", "third-party plugins sometimes block the event loop (sync HTTP calls, CPU work) and one crashed the whole bot last week. how should we restructure the plugin host so a bad plugin can't stall or crash the core? consider thread pools, subprocesses, wasm, and what the plugin API has to give up for each", files={"bot/plugins.py": _plugins_py}, architect=True),
)

cl(
    "ot-032", "reasoning",
    "Planning a state-management overhaul for an 80-screen app in plan mode is an architecture decision with migration trade-offs.",
    "web",
    [U("we have ~80 screens on Redux Toolkit, half the slices are just server cache (fetch + loading flags). I'm thinking Zustand for client state + TanStack Query for server state. is that the right split? how would you migrate incrementally without a big bang, what are the risks (optimistic updates, cross-slice selectors, devtools, SSR), and what would make you choose differently?")],
    visible=["src/store/index.ts", "src/store/slices/invoices.ts"],
    mode="PLAN MODE",
)

add(
    "ot-033", "reasoning",
    "Finding the safety bug in a Paxos implementation requires reasoning about protocol invariants across interleavings.",
    openai_sdk("ot-033", [
        {"role": "user", "content": "this single-decree paxos acceptor passes our tests but jepsen found two different values chosen once. find the bug and explain the interleaving that breaks safety:\n\n```python\nclass Acceptor:\n    def __init__(self, store):\n        self.store = store  # durable, fsync on put\n        self.promised = store.get(\"promised\", 0)\n        self.accepted_n = store.get(\"accepted_n\", 0)\n        self.accepted_v = store.get(\"accepted_v\")\n\n    def on_prepare(self, n):\n        if n > self.promised:\n            self.promised = n\n            return (\"promise\", n, self.accepted_n, self.accepted_v)\n        return (\"nack\", self.promised)\n\n    def on_accept(self, n, v):\n        if n >= self.promised:\n            self.promised = n\n            self.accepted_n, self.accepted_v = n, v\n            self.store.put_many({\"promised\": n, \"accepted_n\": n, \"accepted_v\": v})\n            return (\"accepted\", n)\n        return (\"nack\", self.promised)\n\n\nclass Proposer:\n    def propose(self, v):\n        n = self.next_ballot()\n        promises = self.broadcast_prepare(n)\n        if len(promises) < self.quorum:\n            return None\n        prior = [p for p in promises if p.accepted_n > 0]\n        if prior:\n            v = prior[0].accepted_v\n        acks = self.broadcast_accept(n, v)\n        return v if len(acks) >= self.quorum else None\n```"},
    ], model="gpt-4.1"),
)

add(
    "ot-034", "reasoning",
    "Threat-modelling a browser extension with a native messaging host is security analysis across trust boundaries.",
    openai_sdk("ot-034", [
        {"role": "system", "content": "You are an application security engineer."},
        {"role": "user", "content": "We're shipping a Chrome extension for our password-less login: content script on our domains, a background service worker, and a native messaging host (signed Go binary) that talks to the OS keychain and a smartcard. The web page can ask the extension to sign a challenge. Threat-model it: malicious pages, compromised other extensions, a local attacker, update channel, and the native host's JSON protocol. Rank by likelihood x impact and tell me which mitigations are mandatory before launch."},
    ]),
)

add(
    "ot-035", "reasoning",
    "A max-weight interval selection with a depth bound at n=2e5 is a hard algorithmic problem needing a flow formulation and a fast solution.",
    openai_sdk("ot-035", [
        {"role": "user", "content": "competitive programming problem, I'm stuck. n ≤ 2·10^5 intervals [l_i, r_i) with weights w_i (coords up to 10^9), and k ≤ n. choose a subset of maximum total weight such that no point is covered by more than k chosen intervals. I know it's a min-cost flow on a line (k units of flow, interval = edge l->r with cost -w) but that's too slow for n=2e5. what's the fast approach? explain why it's correct, the complexity, and give C++ that runs in under 2 seconds."},
    ], model="o3", reasoning_effort="high"),
)
