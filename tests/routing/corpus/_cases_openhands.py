"""OpenHands cases (CodeAct agent through LiteLLM). Each case: the turn, its label, and why."""
# ruff: noqa: E501

from __future__ import annotations

from tests.routing.corpus import _bulk as B
from tests.routing.corpus._clients import (
    FX,
    A,
    CaseSpec,
    U,
    ed,
    oh_condense,
    openhands,
    png_b64,
    project,
    rd,
    sh,
    think,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


def oh(case_id: str, expected: str, why: str, proj: str | None, steps: list, **kw) -> None:
    body = openhands(case_id, project(proj) if proj else None, steps, **kw)
    CASES.append(CaseSpec(case_id, "openhands", "openai", expected, why, body))


PAY, WEB, GW, TW, LED, REN, SHOP, WH, INF = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "shopfront", "warehouse", "infra"))
W = "/workspace"

# =========================================================================== simple

oh(
    "oh-001", "simple",
    "Renaming a util file and fixing its imports is mechanical, whichever client asks.",
    "web",
    [U("rename src/utils/dateFmt.ts to src/utils/formatDate.ts and update the imports that point at it")],
)

_events = []
for _i, _f in enumerate(["app/billing/invoices.py", "app/db/models.py", "app/billing/webhooks.py", "app/billing/stripe_client.py", "tests/conftest.py", "app/api/customers.py", "app/billing/transfers.py"]):
    _events.append(f"**FileReadObservation**\nHere's the result of running `cat -n` on {W}/payments-api/{_f}:\n" + "\n".join(f"{n + 1:>6}\t{line}" for n, line in enumerate(PAY[_f].splitlines())))
    _events.append(f"**CmdRunAction (source=EventSource.AGENT, is_input=False)**\nTHOUGHT: {['Now the models.', 'Checking how webhooks use invoices.', 'Looking at the Stripe wrapper.', 'Test fixtures next.', 'Reading the customer API for the tenant pattern.', 'Transfers touch balances; checking locking.', 'Running the billing tests.'][_i]}\nCOMMAND:\ncd {W}/payments-api && uv run pytest tests/billing -q 2>&1 | tail -3")
_events.append("**CmdOutputObservation (source=EventSource.AGENT, exit code=1)**\n" + PAY["out/pytest_invoice_none.txt"])
_events.append("**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n" + B.pytest_verbose_payments(seed=9))
_events.append("**FileEditObservation**\nThe file /workspace/payments-api/app/billing/invoices.py has been edited. Here's the result of running `cat -n` on a snippet of /workspace/payments-api/app/billing/invoices.py:\n    74\tdef get_invoice_email(invoice: Invoice) -> str:\n    75\t    \"\"\"Address the invoice PDF is sent to: the customer's billing email.\"\"\"\n    76\t    customer = invoice.customer\n    77\t    if customer.billing_contact is not None:\n    78\t        return customer.billing_contact.email\n    79\t    return invoice.tenant.billing_contact.email\nReview the changes and make sure they are as expected. Edit the file again if necessary.")
_events.append("**CmdOutputObservation (source=EventSource.AGENT, exit code=0)**\n" + B.pytest_verbose_payments(seed=10))

CASES.append(CaseSpec(
    "oh-002", "openhands", "openai", "simple",
    "The condenser call summarises forgotten events into a fixed template: bookkeeping, however long the events are.",
    oh_condense("oh-002", _events, previous="USER_CONTEXT: Make invoice emails fall back to the tenant billing contact when the customer has none\nCOMPLETED: Located get_invoice_email in app/billing/invoices.py\nPENDING: Fix, run tests\nCODE_STATE: unchanged\nTESTS: test_invoice_email_deleted_customer failing (AttributeError)\nCHANGES: none\nDEPS: none\nVERSION_CONTROL_STATUS: branch fix/invoice-email-fallback"),
))

oh(
    "oh-003", "simple",
    "Running one documented test command and reporting the count is mechanical.",
    "payments",
    [U("Run the billing tests (tests/billing) and tell me how many pass and fail. Don't change any code.")],
)

oh(
    "oh-004", "simple",
    "Adding missing trailing newlines to the four files git already listed is formatting.",
    "gateway",
    [
        U("git diff --check complains about missing newlines at end of file. Fix just that."),
        sh("cd /workspace/ingest-gateway && git diff --check HEAD~1; for f in $(git ls-files '*.go'); do tail -c1 \"$f\" | read -r _ || echo \"no newline: $f\"; done",
           "no newline: internal/topic/topic.go\nno newline: internal/topic/topic_test.go\nno newline: internal/schema/v2.go\nno newline: cmd/replay/main.go"),
    ],
)

oh(
    "oh-005", "simple",
    "The Sidekiq config is on screen; stating concurrency and queue weights is reading a fact.",
    "shopfront",
    [
        U("What's our Sidekiq concurrency and which queues does it poll, with what weights?"),
        rd("config/sidekiq.yml", SHOP["config/sidekiq.yml"]),
    ],
)

oh(
    "oh-006", "simple",
    "Changing one default log level in a config file is a one-line edit.",
    "payments",
    [
        U("Change the default log level in logging.conf from DEBUG to INFO. Only the root logger."),
        rd("logging.conf", "[loggers]\nkeys=root,uvicorn,sqlalchemy\n\n[handlers]\nkeys=console\n\n[formatters]\nkeys=json\n\n[logger_root]\nlevel=DEBUG\nhandlers=console\n\n[logger_uvicorn]\nlevel=INFO\nhandlers=console\nqualname=uvicorn\npropagate=0\n\n[logger_sqlalchemy]\nlevel=WARNING\nhandlers=console\nqualname=sqlalchemy.engine\npropagate=0\n\n[handler_console]\nclass=StreamHandler\nformatter=json\nargs=(sys.stdout,)\n\n[formatter_json]\nclass=pythonjsonlogger.jsonlogger.JsonFormatter\nformat=%(asctime)s %(levelname)s %(name)s %(message)s\n"),
    ],
)

oh(
    "oh-007", "simple",
    "Creating an empty __init__.py so pytest finds a package is a one-file, zero-logic change.",
    "payments",
    [
        U("pytest can't import app.billing in the new tests, I think app/billing is missing an __init__.py. Add it."),
        sh("cd /workspace/payments-api && ls app/billing/ && uv run pytest tests/billing -q 2>&1 | tail -4",
           "invoices.py  pdf.py  stripe_client.py  transfers.py  webhooks.py\nImportError while importing test module '/workspace/payments-api/tests/billing/test_invoices.py'.\nE   ModuleNotFoundError: No module named 'app.billing'\n=========================== short test summary info ============================\nERROR tests/billing/test_invoices.py\n1 error in 0.41s", code=2),
    ],
)

oh(
    "oh-008", "simple",
    "A misspelt heading in the README is a typo fix, whatever the repository instructions say about production.",
    "payments",
    [U("Fix the typo in the README: the section heading says \"Idempotancy keys\". Nothing else.")],
)

oh(
    "oh-009", "simple",
    "The Dockerfile is on screen; the Python version is on its first line.",
    "payments",
    [
        U("What Python version does our Docker image use?"),
        rd("Dockerfile", PAY["Dockerfile"]),
    ],
)

oh(
    "oh-010", "simple",
    "Moving one test file into a subdirectory with git mv is mechanical.",
    "payments",
    [U("Move tests/test_utils.py into tests/unit/ (create the folder if needed) with git mv so history is kept.")],
)

_schema_rb = """ActiveRecord::Schema[7.1].define(version: 2025_09_30_101512) do
  enable_extension "plpgsql"

  create_table "customers", force: :cascade do |t|
    t.string "email", null: false
    t.string "name"
    t.string "time_zone", default: "UTC", null: false
    t.bigint "store_credit_cents", default: 0, null: false
    t.string "store_credit_currency", default: "USD", null: false
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["email"], name: "index_customers_on_email", unique: true
  end

  create_table "orders", force: :cascade do |t|
    t.bigint "customer_id", null: false
    t.bigint "store_id", null: false
    t.integer "status", default: 0, null: false
    t.string "currency", default: "USD", null: false
    t.bigint "total_cents", default: 0, null: false
    t.bigint "refunded_cents", default: 0, null: false
    t.integer "paid_with", default: 0, null: false
    t.datetime "placed_at"
    t.datetime "created_at", null: false
    t.datetime "updated_at", null: false
    t.index ["customer_id"], name: "index_orders_on_customer_id"
    t.index ["store_id", "placed_at"], name: "index_orders_on_store_id_and_placed_at"
  end

  create_table "payments", force: :cascade do |t|
    t.bigint "order_id", null: false
    t.string "gateway_charge_id", null: false
    t.bigint "amount_cents", null: false
    t.string "currency", null: false
    t.datetime "created_at", null: false
    t.index ["order_id"], name: "index_payments_on_order_id", unique: true
  end

  create_table "refunds", force: :cascade do |t|
    t.bigint "order_id", null: false
    t.bigint "amount_cents", null: false
    t.string "reason", null: false
    t.string "gateway_refund_id"
    t.bigint "created_by_id", null: false
    t.datetime "created_at", null: false
    t.index ["order_id"], name: "index_refunds_on_order_id"
  end

  create_table "store_credit_entries", force: :cascade do |t|
    t.bigint "customer_id", null: false
    t.bigint "amount_cents", null: false
    t.string "reason", null: false
    t.datetime "created_at", null: false
  end

  create_table "stores", force: :cascade do |t|
    t.string "name", null: false
    t.string "time_zone", default: "UTC", null: false
  end

  add_foreign_key "orders", "customers"
  add_foreign_key "orders", "stores"
  add_foreign_key "payments", "orders"
  add_foreign_key "refunds", "orders"
  add_foreign_key "store_credit_entries", "customers"
end
"""

_customer_rb = """class Customer < ApplicationRecord
  has_many :orders, dependent: :restrict_with_error
  has_many :store_credit_entries, dependent: :destroy

  monetize :store_credit_cents, with_model_currency: :store_credit_currency

  validates :email, presence: true, uniqueness: { case_sensitive: false }
  validates :time_zone, inclusion: { in: ActiveSupport::TimeZone.all.map { |z| z.tzinfo.name } }

  before_validation { self.email = email.to_s.strip.downcase }

  def display_name
    name.presence || email.split("@").first
  end

  def add_store_credit!(cents, reason:)
    transaction do
      increment!(:store_credit_cents, cents)
      store_credit_entries.create!(amount_cents: cents, reason: reason)
    end
  end

  def spend_store_credit!(cents, reason:)
    raise ArgumentError, "insufficient store credit" if cents > store_credit_cents

    add_store_credit!(-cents, reason: reason)
  end
end
"""

_order_factory_rb = """FactoryBot.define do
  factory :order do
    customer
    store
    currency { "USD" }
    total_cents { 4_200 }
    placed_at { Time.current }
    status { :placed }

    trait :paid do
      status { :paid }
      after(:create) do |order|
        create(:payment, order: order, amount_cents: order.total_cents, currency: order.currency)
      end
    end

    trait :paid_with_store_credit do
      status { :paid }
      paid_with { :store_credit }
      after(:create) do |order|
        order.customer.update!(store_credit_cents: 0)
      end
    end

    trait :shipped do
      paid
      status { :shipped }
    end
  end
end
"""

_rs_spec = """require "rails_helper"

RSpec.describe RefundService do
  let(:actor) { create(:admin_user) }

  describe "#call" do
    it "fully refunds a paid order" do
      order = create(:order, :paid, total_cents: 5_000)
      result = described_class.new(order, actor: actor).call
      expect(result.ok).to be(true)
      expect(order.reload).to be_refunded
    end

    it "partially refunds" do
      order = create(:order, :paid, total_cents: 5_000)
      described_class.new(order, amount_cents: 2_000, actor: actor).call
      expect(order.reload.refunded_cents).to eq(2_000)
      expect(order).to be_partially_refunded
    end

    it "refunds an order paid with store credit" do
      order = create(:order, :paid_with_store_credit, total_cents: 3_000)
      result = described_class.new(order, actor: actor).call
      expect(result.ok).to be(true)
      expect(order.customer.reload.store_credit_cents).to eq(3_000)
    end
  end
end
"""

_refund_fixed = SHOP["app/services/refund_service.rb"].replace(
    "    refund = nil\n    Order.transaction do\n      gateway_refund = PaymentGateway.refund(",
    "    refund = nil\n    Order.transaction do\n      return refund_store_credit! if @order.payment.nil?\n\n      gateway_refund = PaymentGateway.refund(",
)

oh(
    "oh-011", "simple",
    "The fix is done and verified; the turn is just running the full rspec suite once more and reporting the count.",
    "shopfront",
    [
        U("The refund spec for store-credit orders fails. Please fix RefundService so store-credit orders refund back to the customer's store credit."),
        todo(("in_progress", "Reproduce failing refund spec"), ("pending", "Fix RefundService for store credit"), ("pending", "Run full suite")),
        sh("cd /workspace/shopfront && bundle exec rspec spec/services/refund_service_spec.rb", SHOP["out/rspec_nil.txt"], code=1),
        rd("app/services/refund_service.rb", SHOP["app/services/refund_service.rb"]),
        rd("spec/services/refund_service_spec.rb", _rs_spec),
        rd("app/models/order.rb", SHOP["app/models/order.rb"]),
        sh("cd /workspace/shopfront && bundle exec rspec --format documentation", B.rspec_doc_output(21, {"RefundService#call when the order was paid with store credit": "refunds an order paid with store credit"}), code=1, secs=31.0),
        rd("db/schema.rb", _schema_rb),
        rd("app/models/customer.rb", _customer_rb),
        rd("spec/factories/orders.rb", _order_factory_rb),
        sh("cd /workspace/shopfront && grep -rn 'store_credit' app/ | head -30",
           "app/models/customer.rb:14:  monetize :store_credit_cents\napp/models/customer.rb:31:  def add_store_credit!(cents, reason:)\napp/models/customer.rb:32:    increment!(:store_credit_cents, cents)\napp/models/customer.rb:33:    StoreCreditEntry.create!(customer: self, amount_cents: cents, reason: reason)\napp/services/checkout/store_credit_payment.rb:9:    customer.decrement!(:store_credit_cents, order.total_cents)\napp/services/checkout/store_credit_payment.rb:10:    order.update!(paid_with: :store_credit, status: :paid)\napp/models/store_credit_entry.rb:1:class StoreCreditEntry < ApplicationRecord"),
        think("Orders paid with store credit have no Payment row, so @order.payment is nil and the gateway call blows up. For those, the refund should credit the customer's store credit (add_store_credit!) and record the Refund without a gateway id. The amount checks and status update stay the same. Keep it inside the transaction."),
        ed("app/services/refund_service.rb", "    refund = nil\n    Order.transaction do\n      gateway_refund = PaymentGateway.refund(",
           "    refund = nil\n    Order.transaction do\n      return refund_store_credit! if @order.payment.nil?\n\n      gateway_refund = PaymentGateway.refund(", src=SHOP["app/services/refund_service.rb"]),
        ed("app/services/refund_service.rb", "  rescue PaymentGateway::Error => e\n    Result.new(ok: false, error: e.message)\n  end\nend",
           "  rescue PaymentGateway::Error => e\n    Result.new(ok: false, error: e.message)\n  end\n\n  private\n\n  def refund_store_credit!\n    @order.customer.add_store_credit!(@amount_cents, reason: \"refund:#{@order.id}\")\n    refund = @order.refunds.create!(amount_cents: @amount_cents, reason: @reason, gateway_refund_id: nil, created_by: @actor)\n    @order.update!(refunded_cents: @order.refunded_cents + @amount_cents,\n                   status: @order.refundable_cents - @amount_cents <= 0 ? :refunded : :partially_refunded)\n    AuditLog.record!(actor: @actor, action: \"refund\", subject: refund)\n    Result.new(ok: true, refund: refund)\n  end\nend", src=_refund_fixed),
        sh("cd /workspace/shopfront && bundle exec rspec spec/services/refund_service_spec.rb --format documentation", B.rspec_doc_output(22, only="RefundService")),
        sh("cd /workspace/shopfront && git diff --stat && git diff app/services/refund_service.rb", " app/services/refund_service.rb | 14 ++++++++++++++\n 1 file changed, 14 insertions(+)\n\ndiff --git a/app/services/refund_service.rb b/app/services/refund_service.rb\nindex 7c1d2e0..4b9f8a1 100644\n--- a/app/services/refund_service.rb\n+++ b/app/services/refund_service.rb\n@@ -13,6 +13,8 @@ class RefundService\n     refund = nil\n     Order.transaction do\n+      return refund_store_credit! if @order.payment.nil?\n+\n       gateway_refund = PaymentGateway.refund(\n@@ -31,4 +33,16 @@ class RefundService\n   rescue PaymentGateway::Error => e\n     Result.new(ok: false, error: e.message)\n   end\n+\n+  private\n+\n+  def refund_store_credit!\n+    @order.customer.add_store_credit!(@amount_cents, reason: \"refund:#{@order.id}\")\n+    refund = @order.refunds.create!(amount_cents: @amount_cents, reason: @reason, gateway_refund_id: nil, created_by: @actor)\n+    @order.update!(refunded_cents: @order.refunded_cents + @amount_cents,\n+                   status: @order.refundable_cents - @amount_cents <= 0 ? :refunded : :partially_refunded)\n+    AuditLog.record!(actor: @actor, action: \"refund\", subject: refund)\n+    Result.new(ok: true, refund: refund)\n+  end\n end"),
        sh("cd /workspace/shopfront && bundle exec rubocop app/services/refund_service.rb", "Inspecting 1 file\n.\n\n1 file inspected, no offenses detected"),
        A("Store-credit orders now refund to the customer's store credit (`RefundService#refund_store_credit!`), with the same amount checks and status transitions. The refund spec passes and rubocop is clean."),
        U("Great. Now just run the full rspec suite once more and tell me the totals."),
    ],
)

# =========================================================================== medium

oh(
    "oh-012", "medium",
    "Writing a unit-test module for one documented parsing function is ordinary coding.",
    "payments",
    [
        U("write unit tests for parse_duration in app/core/timeparse.py — cover the error cases too"),
        rd("app/core/timeparse.py", PAY["app/core/timeparse.py"]),
    ],
)

oh(
    "oh-013", "medium",
    "The trace shows payment is nil for store-credit orders on the exact line; handling that branch is a contained fix.",
    "shopfront",
    [
        U("This spec fails, please fix the service (not the spec):\n\n" + SHOP["out/rspec_nil.txt"]),
        rd("app/services/refund_service.rb", SHOP["app/services/refund_service.rb"]),
    ],
)

_text_py = '''import re
import unicodedata


def slugify(title: str, max_length: int = 60) -> str:
    """URL slug for a title.

    - Unicode is transliterated to ASCII where possible ("Crème brûlée" -> "creme-brulee").
    - Lowercase; runs of anything that is not a-z or 0-9 become a single "-".
    - No leading/trailing "-".
    - Cut to max_length on a "-" boundary when possible, never mid-word unless one word is longer.
    - Empty or symbol-only titles give "untitled".
    """
    raise NotImplementedError
'''

oh(
    "oh-014", "medium",
    "Implementing one function to its docstring with tests already written is a small, specified task.",
    "payments",
    [
        U("Implement slugify() in app/core/text.py according to its docstring. Tests are in tests/core/test_text.py and currently all fail."),
        rd("app/core/text.py", _text_py),
        sh("cd /workspace/payments-api && uv run pytest tests/core/test_text.py -q 2>&1 | tail -12",
           "FFFFFFFF                                                                 [100%]\n=========================== short test summary info ============================\nFAILED tests/core/test_text.py::test_basic - NotImplementedError\nFAILED tests/core/test_text.py::test_unicode_transliteration - NotImplementedError\nFAILED tests/core/test_text.py::test_collapses_separators - NotImplementedError\nFAILED tests/core/test_text.py::test_strips_dashes - NotImplementedError\nFAILED tests/core/test_text.py::test_truncates_on_boundary - NotImplementedError\nFAILED tests/core/test_text.py::test_long_single_word - NotImplementedError\nFAILED tests/core/test_text.py::test_symbols_only - NotImplementedError\nFAILED tests/core/test_text.py::test_empty - NotImplementedError\n8 failed in 0.12s", code=1),
    ],
)

_cli = '''import typer
from rich.console import Console
from rich.table import Table

from app.billing.reports import overdue_invoices
from app.core.timeparse import parse_duration
from app.db.sync_session import SessionLocal

app = typer.Typer()
console = Console()


@app.command()
def overdue(tenant: str, since_text: str = typer.Option("30d", "--since")) -> None:
    """List invoices overdue for longer than --since."""
    since = parse_duration(since_text)
    with SessionLocal() as s:
        rows = overdue_invoices(s, tenant, older_than=since)
    table = Table("number", "customer", "amount due", "days overdue")
    for r in rows:
        table.add_row(r.number, r.customer_name, f"{r.amount_due_minor / 100:.2f} {r.currency}", str(r.days_overdue))
    console.print(table)
'''

oh(
    "oh-015", "medium",
    "Adding a --json output option to one CLI command is an ordinary feature.",
    "payments",
    [
        U("Add a --json flag to `payments-cli invoices overdue` that prints the rows as a JSON array (amounts as integer minor units, not formatted strings) instead of the table."),
        rd("app/cli/invoices.py", _cli),
    ],
)

oh(
    "oh-016", "medium",
    "Explaining how two retry settings interact for one job is ordinary code and config explanation.",
    "shopfront",
    [
        U("Can you explain how retries work for SyncInventoryJob? There's retry: 10 in the job and Sidekiq's own defaults, and I'm not sure what happens when the warehouse API is down for an hour."),
        rd("app/jobs/sync_inventory_job.rb", SHOP["app/jobs/sync_inventory_job.rb"]),
        rd("config/sidekiq.yml", SHOP["config/sidekiq.yml"]),
    ],
)

oh(
    "oh-017", "medium",
    "Replacing an unchecked input cast with a zod schema on one mutation is a small, standard change.",
    "web",
    [
        U("createTeam in src/server/routers/team.ts just casts its input. Add a proper zod schema: name 2-80 chars trimmed, seats integer 1-500."),
        rd("src/server/routers/team.ts", WEB["src/server/routers/team.ts"]),
    ],
)

oh(
    "oh-018", "medium",
    "A filtered aggregate query over two tables is ordinary SQL.",
    "warehouse",
    [U("Write a SQL query (Postgres) that lists customers with more than 3 failed payments in the last 30 days: customer id, email, count of failures, and the most recent failure time, most failures first. Tables: customers(id, email, ...), payments(id, customer_id, status, created_at, ...).")],
)

oh(
    "oh-019", "medium",
    "Adding a Python version matrix to an existing workflow is an ordinary CI change.",
    "payments",
    [
        U("Make the CI workflow run the tests on Python 3.12 and 3.13, keep lint on 3.12 only."),
        rd(".github/workflows/test.yml", "name: test\non:\n  pull_request:\n  push:\n    branches: [main]\n\njobs:\n  lint:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: astral-sh/setup-uv@v3\n      - run: uv python install 3.12\n      - run: uv sync --frozen\n      - run: uv run ruff check . && uv run ruff format --check .\n  test:\n    runs-on: ubuntu-24.04\n    services:\n      postgres:\n        image: postgres:16-alpine\n        env:\n          POSTGRES_USER: payments\n          POSTGRES_PASSWORD: payments\n          POSTGRES_DB: payments_test\n        ports: [\"5433:5432\"]\n        options: >-\n          --health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 10\n    steps:\n      - uses: actions/checkout@v4\n      - uses: astral-sh/setup-uv@v3\n      - run: uv python install 3.12\n      - run: uv sync --frozen\n      - run: uv run pytest -q\n"),
    ],
)

_topic_go = """package topic

import (
	"fmt"
	"strconv"
	"strings"
)

// Name is a parsed topic name of the form <domain>.<stream>.v<version>, e.g. telemetry.raw.v2.
type Name struct {
	Domain  string
	Stream  string
	Version int
}

func (n Name) String() string { return fmt.Sprintf("%s.%s.v%d", n.Domain, n.Stream, n.Version) }

// ParseTopicName parses "telemetry.raw.v2". Domain and stream are lowercase [a-z0-9-]+,
// version is a positive integer without leading zeros.
func ParseTopicName(s string) (Name, error) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Name{}, fmt.Errorf("topic %q: want <domain>.<stream>.v<N>", s)
	}
	for _, p := range parts[:2] {
		if p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return Name{}, fmt.Errorf("topic %q: invalid segment %q", s, p)
		}
	}
	v := parts[2]
	if !strings.HasPrefix(v, "v") || len(v) < 2 || v[1] == '0' {
		return Name{}, fmt.Errorf("topic %q: invalid version %q", s, v)
	}
	n, err := strconv.Atoi(v[1:])
	if err != nil || n <= 0 {
		return Name{}, fmt.Errorf("topic %q: invalid version %q", s, v)
	}
	return Name{Domain: parts[0], Stream: parts[1], Version: n}, nil
}
"""

oh(
    "oh-020", "medium",
    "Table-driven tests for a small parser with clear rules are ordinary test writing.",
    "gateway",
    [
        U("Write table-driven tests for ParseTopicName in internal/topic, including the invalid cases the doc comment implies."),
        rd("internal/topic/topic.go", _topic_go),
    ],
)

oh(
    "oh-021", "medium",
    "pytest says the fixture is not found because the new test sits outside the conftest's directory; moving it or the fixture is routine.",
    "payments",
    [
        U("Add a test that list_invoices filters by status."),
        wr("test_list_invoices_status.py", "from app.billing.invoices import list_invoices\nfrom app.db.models import InvoiceStatus\n\n\nasync def test_list_invoices_filters_by_status(db_session, invoice_factory):\n    await invoice_factory(tenant_id=\"t1\", status=InvoiceStatus.PAID)\n    await invoice_factory(tenant_id=\"t1\", status=InvoiceStatus.OPEN)\n    rows = await list_invoices(db_session, \"t1\", status=InvoiceStatus.OPEN)\n    assert [r.status for r in rows] == [InvoiceStatus.OPEN]\n"),
        sh("cd /workspace/payments-api && uv run pytest test_list_invoices_status.py -q",
           "E                                                                        [100%]\n==================================== ERRORS ====================================\n___________ ERROR at setup of test_list_invoices_filters_by_status ____________\nfile /workspace/payments-api/test_list_invoices_status.py, line 5\n  async def test_list_invoices_filters_by_status(db_session, invoice_factory):\nE       fixture 'db_session' not found\n>       available fixtures: anyio_backend, anyio_backend_name, anyio_backend_options, cache, capfd, capfdbinary, caplog, capsys, capsysbinary, doctest_namespace, event_loop, monkeypatch, pytestconfig, record_property, record_testsuite_property, record_xml_attribute, recwarn, tmp_path, tmp_path_factory, tmpdir, tmpdir_factory\n>       use 'pytest --fixtures [testpath]' for help on them.\n\n/workspace/payments-api/test_list_invoices_status.py:5\n=========================== short test summary info ============================\nERROR test_list_invoices_status.py::test_list_invoices_filters_by_status\n1 error in 0.09s",
           code=1),
    ],
)

oh(
    "oh-022", "medium",
    "A visible layout bug in one table header from a screenshot is an ordinary CSS fix in one component.",
    "web",
    [
        U("The Amount due header is misaligned with the numbers under it (see screenshot) and the Due column wraps on laptop widths. Fix the table styling in InvoiceTable.", png_b64(120, 80, seed=7)),
        rd("src/components/InvoiceTable.tsx", WEB["src/components/InvoiceTable.tsx"]),
    ],
    model="claude-sonnet-4-5-20250929",
)

# =========================================================================== complex

oh(
    "oh-023", "complex",
    "Duplicate charges on webhook retries are a payments idempotency bug, whichever client asks.",
    "payments",
    [
        U("customers are getting charged twice. stripe dashboard shows two PaymentIntents ~40s apart for the same checkout session, both succeeded. I think it's when the webhook gets retried. fix it"),
        rd("app/billing/webhooks.py", PAY["app/billing/webhooks.py"]),
        rd("app/billing/stripe_client.py", PAY["app/billing/stripe_client.py"]),
    ],
)

oh(
    "oh-024", "complex",
    "A stale read after write with replica routing spans the datasource router, transactions and caching: a non-obvious cross-module bug.",
    "ledger",
    [U("Please fix the following issue for the repository in /workspace/ledger-service.\nAn environment has been set up for you to start working. You may assume all necessary tools are installed.\n\n# Problem Statement\n\n**GET /v1/accounts/{id} returns the old balance right after a transfer** (#1204)\n\nSince we enabled `ledger.datasource.read-replica-routing=true` (routes `@Transactional(readOnly = true)` to the replica), clients that do a transfer and immediately read the account sometimes see the pre-transfer balance. It's not just replica lag: it happens even with `replica_lag_bytes = 0` in pg_stat_replication, and sometimes the *second* read after the transfer is stale while the first was fresh. It does not happen when routing is off.\n\nSteps: POST /v1/accounts/A/transfers (to B, 500), then GET /v1/accounts/A twice within 100ms.\n\nExpected: both reads show balance - 500. Actual: ~2% of the time one of them shows the old balance.\n\nIMPORTANT: You should ONLY interact with the environment provided to you AND NEVER ABANDON THE TASK.\nYou should NOT modify any existing test case files. You SHOULD add new test cases to reproduce the issue.")],
)

_tz_attempts = [
    ("Use Time.zone.today-style conversion: placed_at.in_time_zone(customer.time_zone).to_date is already there; try forcing the factory to UTC.", "spec/factories/orders.rb", "    placed_at { Time.current }", "    placed_at { Time.current.utc }"),
    ("The report groups by DATE(placed_at) in SQL, which is UTC. Convert in SQL with AT TIME ZONE using the store's zone.", "app/reports/daily_sales.rb", "      .group(\"DATE(orders.placed_at)\")", "      .group(Arel.sql(\"DATE(orders.placed_at AT TIME ZONE 'UTC' AT TIME ZONE stores.time_zone)\"))"),
    ("Specs run with TZ=Europe/Berlin on CI but UTC locally; pin the spec time with travel_to.", "spec/models/order_spec.rb", "    it \"returns the local calendar date of the customer\" do", "    it \"returns the local calendar date of the customer\" do\n      travel_to Time.utc(2024, 3, 10, 6, 0)"),
]
_tz_steps = []
for _what, _path, _old, _new in _tz_attempts:
    _tz_steps += [
        think(_what),
        ed(_path, _old, _new),
        sh("cd /workspace/shopfront && bundle exec rspec spec/models/order_spec.rb spec/reports/daily_sales_spec.rb", SHOP["out/rspec_tz.txt"].replace("7713", str(1000 + len(_what))), code=1, secs=9.0),
    ]

oh(
    "oh-025", "complex",
    "Three attempts at the time-zone failures have not worked; the cause spans DST, SQL grouping and the test clock.",
    "shopfront",
    [
        U("Two specs about store-local days fail on CI (not locally). Fix the code, the dates are wrong for customers east of UTC around DST changes."),
        todo(("in_progress", "Reproduce the failures"), ("pending", "Find the root cause"), ("pending", "Fix and verify on CI timezone")),
        sh("cd /workspace/shopfront && TZ=Europe/Berlin bundle exec rspec spec/models/order_spec.rb spec/reports/daily_sales_spec.rb", SHOP["out/rspec_tz.txt"], code=1, secs=9.0),
        rd("app/models/order.rb", SHOP["app/models/order.rb"]),
        rd("app/reports/daily_sales.rb", "module Reports\n  class DailySales\n    Row = Struct.new(:day, :orders, :revenue_cents)\n\n    def initialize(store, range)\n      @store = store\n      @range = range\n    end\n\n    def rows\n      Order.joins(:store)\n      .where(store: @store, placed_at: @range)\n      .group(\"DATE(orders.placed_at)\")\n      .order(\"DATE(orders.placed_at)\")\n      .pluck(Arel.sql(\"DATE(orders.placed_at)\"), Arel.sql(\"COUNT(*)\"), Arel.sql(\"SUM(total_cents)\"))\n      .map { |d, n, c| Row.new(d, n, c) }\n    end\n  end\nend\n"),
        rd("spec/models/order_spec.rb", "require \"rails_helper\"\n\nRSpec.describe Order do\n  describe \"#placed_on\" do\n    it \"returns the local calendar date of the customer\" do\n      customer = create(:customer, time_zone: \"Pacific/Auckland\")\n      order = create(:order, customer: customer, placed_at: Time.utc(2024, 3, 9, 11, 30))\n      expect(order.placed_on).to eq(Date.new(2024, 3, 10))\n    end\n  end\nend\n"),
        rd("spec/reports/daily_sales_spec.rb", "require \"rails_helper\"\n\nRSpec.describe Reports::DailySales do\n  it \"groups orders by the store's local day\" do\n    store = create(:store, time_zone: \"Pacific/Auckland\")\n    create(:order, store: store, placed_at: Time.utc(2024, 3, 8, 12, 0))\n    create(:order, store: store, placed_at: Time.utc(2024, 3, 9, 10, 0))\n    create(:order, store: store, placed_at: Time.utc(2024, 3, 9, 11, 30))\n    report = described_class.new(store, Date.new(2024, 3, 9).all_day)\n    expect(report.rows.map(&:day)).to eq([Date.new(2024, 3, 9), Date.new(2024, 3, 10)])\n  end\nend\n"),
        sh("cd /workspace/shopfront && TZ=Europe/Berlin bundle exec rspec --format documentation", B.rspec_doc_output(31, {"Order#placed_on for a customer in Pacific/Auckland": "returns the local calendar date of the customer", "Reports::DailySales#rows for a store in Pacific/Auckland": "groups orders by the store's local day"}), code=1, secs=33.0),
        rd("db/schema.rb", _schema_rb),
        rd("spec/factories/orders.rb", _order_factory_rb),
        rd("app/models/customer.rb", _customer_rb),
        sh("cd /workspace/shopfront && grep -rn 'time_zone' config/ app/models/ spec/support/ spec/factories/ | head -40",
           "config/application.rb:24:    config.time_zone = \"UTC\"\nconfig/application.rb:25:    config.active_record.default_timezone = :utc\napp/models/customer.rb:9:  validates :time_zone, inclusion: { in: ActiveSupport::TimeZone.all.map { |z| z.tzinfo.name } }\napp/models/store.rb:7:  validates :time_zone, inclusion: { in: ActiveSupport::TimeZone.all.map { |z| z.tzinfo.name } }\nspec/factories/customers.rb:6:    time_zone { \"Europe/Berlin\" }\nspec/factories/stores.rb:5:    time_zone { \"Europe/Berlin\" }\nspec/support/time_helpers.rb:3:  config.include ActiveSupport::Testing::TimeHelpers\nspec/support/time_helpers.rb:4:  config.around(:each, :frozen) { |ex| travel_to(Time.utc(2024, 3, 1)) { ex.run } }"),
        *_tz_steps,
        sh("cd /workspace/shopfront && bundle exec rails runner 'puts Order.connection.select_value(\"show timezone\"); puts ActiveSupport::TimeZone[\"Pacific/Auckland\"].utc_offset; puts Time.utc(2024,3,9,11,30).in_time_zone(\"Pacific/Auckland\")'",
           "Europe/Berlin\n43200\n2024-03-10 00:30:00 +1300"),
    ],
)

oh(
    "oh-026", "complex",
    "Turning on DEBUG and disabling CSRF in production is a security-risky change; the right answer pushes back and finds a safe way to debug.",
    "shopfront",
    [U("Login is broken in production for some users and I can't reproduce it. Set DEBUG-level logging with full request params and disable CSRF protection in config/environments/production.rb so I can see what's going on, then deploy.")],
)

oh(
    "oh-027", "complex",
    "Replacing nine hand-rolled retry loops with a shared helper touches every outbound client and their error semantics.",
    "payments",
    [
        U("We have 9 service clients under app/clients/ that each hand-roll retries (different backoff, some retry on 4xx, one retries POSTs without an idempotency key). Replace them all with one shared helper in app/core/retry.py: exponential backoff with jitter, retry only on connection errors/429/5xx, never retry non-idempotent requests without a key. Keep each client's public API the same."),
        sh("cd /workspace/payments-api && grep -rn -A2 'for attempt in range\\|while retries\\|time.sleep\\|asyncio.sleep' app/clients/ | head -80",
           "app/clients/tax_api.py:41:        for attempt in range(5):\napp/clients/tax_api.py-42-            try:\napp/clients/tax_api.py-43-                resp = await self._http.post(\"/v2/quote\", json=payload)\n--\napp/clients/tax_api.py:51:                await asyncio.sleep(2 ** attempt)\napp/clients/fx_rates.py:28:        while retries < self.max_retries:\napp/clients/fx_rates.py-29-            resp = self._session.get(url, timeout=5)\napp/clients/fx_rates.py-30-            if resp.status_code >= 400:\n--\napp/clients/fx_rates.py:33:                time.sleep(1)\napp/clients/crm.py:62:        for attempt in range(3):\napp/clients/crm.py-63-            resp = await self._http.request(method, path, json=body)\napp/clients/crm.py-64-            if resp.status_code < 500:\n--\napp/clients/crm.py:67:            await asyncio.sleep(0.5 * (attempt + 1))\napp/clients/ledger.py:35:        for attempt in range(4):\napp/clients/ledger.py-36-            try:\napp/clients/ledger.py-37-                return await self._http.post(\"/v1/transfers\", json=req)\n--\napp/clients/ledger.py:40:                await asyncio.sleep(0.2 * 2 ** attempt)\napp/clients/email_provider.py:19:        for attempt in range(10):\napp/clients/email_provider.py-20-            r = await self._http.post(\"/send\", json=msg)\n--\napp/clients/email_provider.py:24:            await asyncio.sleep(1)\napp/clients/kyc.py:44:        for attempt in range(3):\napp/clients/kyc.py:49:            time.sleep(attempt)\napp/clients/shipping.py:27:        for attempt in range(6):\napp/clients/shipping.py:33:            await asyncio.sleep(random.uniform(0, 2 ** attempt))\napp/clients/fraud.py:38:        while retries < 3:\napp/clients/fraud.py:45:            await asyncio.sleep(0.1)\napp/clients/webhooks_out.py:71:        for attempt in range(8):\napp/clients/webhooks_out.py:80:            await asyncio.sleep(min(60, 2 ** attempt))"),
    ],
)

oh(
    "oh-028", "complex",
    "A 48-second query on 30M payment rows needs index design and a query rewrite verified against the plan: performance work on production data.",
    "warehouse",
    [
        U("This query powers the 'at-risk customers' dashboard and takes 48s on prod-replica. Make it fast (<1s). Here is EXPLAIN (ANALYZE, BUFFERS):\n\nselect c.id, c.email, count(p.id) as failures, max(p.created_at) as last_failure\nfrom payments p join customers c on c.id = p.customer_id\nwhere p.status = 'failed' and p.created_at >= now() - interval '30 days'\ngroup by c.id\norder by failures desc\nlimit 20;\n\n" + WH["out/explain.txt"]),
        sh("cd /workspace/warehouse && psql \"$REPLICA_URL\" -c '\\d payments'",
           "                          Table \"public.payments\"\n    Column     |           Type           | Nullable |      Default\n---------------+--------------------------+----------+-------------------\n id            | bigint                   | not null | nextval(...)\n customer_id   | bigint                   | not null |\n order_id      | bigint                   | not null |\n status        | text                     | not null |\n amount_cents  | bigint                   | not null |\n currency      | character(3)             | not null |\n created_at    | timestamp with time zone | not null | now()\n gateway_ref   | text                     |          |\nIndexes:\n    \"payments_pkey\" PRIMARY KEY, btree (id)\n    \"payments_order_id_idx\" btree (order_id)\n    \"payments_gateway_ref_key\" UNIQUE, btree (gateway_ref)\nForeign-key constraints:\n    \"payments_customer_id_fkey\" FOREIGN KEY (customer_id) REFERENCES customers(id)"),
    ],
)

oh(
    "oh-029", "complex",
    "Pending-task warnings plus pool exhaustion in an async worker point at leaked tasks and sessions across modules: a concurrency bug.",
    "payments",
    [
        U("The reconciliation worker degrades over ~2 hours and then every job fails with pool timeouts. Logs below. Find and fix the leak.\n\n```\n2025-10-14 09:02:11,418 ERROR asyncio Task was destroyed but it is pending!\ntask: <Task pending name='Task-48211' coro=<Reconciler._fetch_page() running at /app/app/recon/worker.py:88> wait_for=<Future pending cb=[Task.task_wakeup()]>>\n2025-10-14 09:02:11,902 WARNING app.recon.worker job recon-2025-10-14T09:00 took 121.4s (budget 60s), cancelling\n...\n2025-10-14 10:57:43,006 ERROR app.recon.worker job recon-2025-10-14T10:57 failed\nTraceback (most recent call last):\n  File \"/app/app/recon/worker.py\", line 51, in run_job\n    async with self.session_factory() as s:\n  File \"/app/.venv/lib/python3.12/site-packages/sqlalchemy/ext/asyncio/session.py\", line 1061, in __aenter__\n  ...\n  File \"/app/.venv/lib/python3.12/site-packages/sqlalchemy/pool/impl.py\", line 168, in _do_get\n    raise exc.TimeoutError(\nsqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 5 reached, connection timed out, timeout 30.00 (Background on this error at: https://sqlalche.me/e/20/3o7r)\n```"),
        rd("app/recon/worker.py", "import asyncio\nimport logging\n\nfrom app.clients.stripe_reports import StripeReports\nfrom app.recon.matcher import match_page\n\nlog = logging.getLogger(__name__)\n\n\nclass Reconciler:\n    def __init__(self, session_factory, reports: StripeReports, budget_s: float = 60.0):\n        self.session_factory = session_factory\n        self.reports = reports\n        self.budget_s = budget_s\n\n    async def run_job(self, job_id: str) -> None:\n        try:\n            await asyncio.wait_for(self._run(job_id), timeout=self.budget_s)\n        except asyncio.TimeoutError:\n            log.warning(\"job %s took too long, cancelling\", job_id)\n\n    async def _run(self, job_id: str) -> None:\n        cursor = None\n        pending = []\n        while True:\n            page = asyncio.create_task(self._fetch_page(cursor))\n            pending.append(page)\n            items, cursor = await page\n            async with self.session_factory() as s:\n                asyncio.create_task(match_page(s, items))\n            if cursor is None:\n                break\n        await asyncio.gather(*pending)\n\n    async def _fetch_page(self, cursor):\n        return await self.reports.balance_transactions(starting_after=cursor, limit=100)\n"),
    ],
)

oh(
    "oh-030", "complex",
    "A committed Slack webhook needs revocation, history rewriting on a shared repo and a move to Vault: secrets handling with destructive git operations.",
    "shopfront",
    [U("Someone committed our Slack incident webhook URL in config/notify.yml three weeks ago (it's in ~40 commits since). Remove it from the repo history and move it to Vault (path secret/shopfront/slack) with the app reading it via the existing Vault initializer.")],
)

_mc_reads = ["app/db/models.py", "app/billing/invoices.py", "app/billing/webhooks.py", "app/billing/stripe_client.py", "app/billing/transfers.py", "app/api/customers.py", "tests/conftest.py", "app/tasks/reminders.py"]

oh(
    "oh-031", "complex",
    "Mid-way through multi-currency support across models, billing, Stripe calls and transfers; the next step designs the cross-module change.",
    "payments",
    [
        U("Add multi-currency support: a tenant can bill customers in EUR, USD or GBP (per customer), transfers between wallets must reject mismatched currencies (already do) but payouts need FX conversion via app/clients/fx_rates.py at the rate at payout time, and all reports must show amounts in the tenant's reporting currency. Start by exploring the code and propose a plan before changing anything."),
        todo(("in_progress", "Explore models and billing code"), ("pending", "Propose plan"), ("pending", "Implement per-customer currency"), ("pending", "FX on payouts"), ("pending", "Reporting currency")),
        sh("cd /workspace/payments-api && git log --oneline -15 && find app -name '*.py' | xargs wc -l | sort -n | tail -25",
           "9c41e07 Add Payment.currency and backfill from invoices (#812)\n3fa2b19 Stripe: bump API version to 2024-06-20 (#809)\n77de0c4 Split billing contact out of customers (#805)\ne1b8a53 Celery: acks_late for reminder tasks (#801)\n0c9f6d2 Fix flaky test_list_invoices ordering (#798)\n" + "\n".join(f"   {n} app/{p}" for n, p in [(41, "core/logging.py"), (52, "api/deps.py"), (58, "core/timeparse.py"), (60, "billing/transfers.py"), (64, "api/customers.py"), (71, "tasks/reminders.py"), (83, "billing/stripe_client.py"), (96, "billing/webhooks.py"), (104, "clients/fx_rates.py"), (112, "billing/invoices.py"), (131, "billing/payouts.py"), (148, "db/models.py"), (177, "reports/revenue.py"), (203, "reports/aging.py"), (219, "billing/exports.py")]) + "\n  1719 total"),
        *[rd(f, PAY[f]) for f in _mc_reads],
        rd("app/clients/fx_rates.py", "import time\n\nimport requests\n\nfrom app.core.config import settings\n\n\nclass FxRates:\n    \"\"\"ECB reference rates via our internal fx-svc. Rates are EUR-based.\"\"\"\n\n    def __init__(self, base_url: str = settings.fx_base_url, max_retries: int = 3):\n        self.base_url = base_url\n        self.max_retries = max_retries\n        self._session = requests.Session()\n\n    def rate(self, src: str, dst: str, at: str | None = None) -> float:\n        url = f\"{self.base_url}/v1/rates/{src}/{dst}\" + (f\"?at={at}\" if at else \"\")\n        retries = 0\n        while retries < self.max_retries:\n            resp = self._session.get(url, timeout=5)\n            if resp.status_code >= 400:\n                retries += 1\n                time.sleep(1)\n                continue\n            return float(resp.json()[\"rate\"])\n        raise RuntimeError(f\"fx-svc unavailable for {src}/{dst}\")\n"),
        sh("cd /workspace/payments-api && grep -rn 'currency' app/reports/ app/billing/payouts.py | head -40",
           "app/reports/revenue.py:44:    # TODO(multi-currency): assumes everything is EUR\napp/reports/revenue.py:58:        total += inv.total_minor\napp/reports/aging.py:71:            \"amount\": inv.total_minor - inv.amount_paid_minor,\napp/reports/aging.py:72:            \"currency\": \"EUR\",\napp/billing/payouts.py:33:    currency: Mapped[str] = mapped_column(String(3), default=\"EUR\")\napp/billing/payouts.py:58:    acct = await session.get(Account, account_id)\napp/billing/payouts.py:61:    acct.balance_minor -= amount_minor\napp/billing/payouts.py:77:        currency=acct.currency,"),
        think("Currency already exists on Invoice, Payment and Account. Missing: Customer.billing_currency, tenant reporting currency, FX at payout time (payouts.py uses account currency only), reports hard-code EUR. FxRates returns float — must convert to Decimal and round half-even in minor units; JPY has 0 decimals so minor units differ per currency. Payout FX must store the rate used for audit. Reports: convert at invoice date or report date? Need to ask/decide."),
    ],
)

oh(
    "oh-032", "complex",
    "A duplicate-key error in a test that inserts nothing explicit points at fixture state in conftest, not at the failing line.",
    "payments",
    [
        U("test_create_invoice_lines_sum fails with an IntegrityError but only when run after the transfers tests. It doesn't even insert invoice_lines with explicit ids. Fix it."),
        sh("cd /workspace/payments-api && uv run pytest tests/billing/test_transfers.py tests/api/test_invoices_api.py -q -p no:randomly 2>&1 | tail -30",
           "...F                                                                     [100%]\n=================================== FAILURES ===================================\n______________________ test_create_invoice_lines_sum __________________________\n\nclient = <httpx.AsyncClient object at 0x7f9a1c0b2d10>, db_session = <sqlalchemy.ext.asyncio.session.AsyncSession object at 0x7f9a1c0a4e90>\n\n    async def test_create_invoice_lines_sum(client, db_session):\n        resp = await client.post(\"/v1/invoices\", json={\"customer_id\": \"cus_1\", \"currency\": \"EUR\",\n                                                       \"lines\": [{\"description\": \"Seat\", \"amount_minor\": 1200}]})\n>       assert resp.status_code == 201\nE       assert 500 == 201\n\ntests/api/test_invoices_api.py:61: AssertionError\n------------------------------ Captured log call -------------------------------\nERROR    app.api.invoices:invoices.py:88 create_invoice failed\nsqlalchemy.exc.IntegrityError: (sqlalchemy.dialects.postgresql.asyncpg.IntegrityError) <class 'asyncpg.exceptions.UniqueViolationError'>: duplicate key value violates unique constraint \"invoice_lines_pkey\"\nDETAIL:  Key (id)=(1) already exists.\n[SQL: INSERT INTO invoice_lines (invoice_id, position, description, amount_minor) VALUES ($1::VARCHAR, $2::INTEGER, $3::VARCHAR, $4::BIGINT) RETURNING invoice_lines.id]\n=========================== short test summary info ============================\nFAILED tests/api/test_invoices_api.py::test_create_invoice_lines_sum - assert 500 == 201\n1 failed, 3 passed in 3.12s"),
        rd("tests/conftest.py", PAY["tests/conftest.py"]),
    ],
)

oh(
    "oh-033", "complex",
    "Writing and running a data fix against production money records needs dry runs, audit and reversibility.",
    "shopfront",
    [U("A bug last Tuesday marked 312 orders as refunded without actually refunding them at the gateway (the ids are in tmp/wrongly_refunded.csv). Write a script to revert their status and refunded_cents and run it against production. We need it done today.")],
)

# =========================================================================== reasoning

oh(
    "oh-034", "reasoning",
    "Choosing between schema-per-tenant and row-level tenancy is an architecture decision, whichever client asks.",
    "payments",
    [U("we're at 1,900 tenants on schema-per-tenant and migrations take 3 hours. should we move to row-level tenancy (tenant_id + RLS)? lay out the trade-offs — isolation, noisy neighbours, migration path, what breaks — and give me a recommendation")],
)

_envoy = B.envoy_logs()

oh(
    "oh-035", "reasoning",
    "Explaining intermittent 502s from proxy, service and load-balancer evidence is root-cause analysis across several hops.",
    "infra",
    [
        U("Since we moved the gRPC services behind Envoy (sidecar-less, one Envoy fleet) we get ~6% 502s on some routes, randomly. The services' own logs show no errors. I've put Envoy access logs, the cluster config, and the Go server options in /workspace/incident. Figure out the root cause. Don't change anything yet, I want the explanation and the evidence."),
        sh("cd /workspace/incident && ls -la && wc -l *", "total 212\n-rw-r--r-- 1 openhands openhands 97211 Oct 21 14:20 envoy-access.log\n-rw-r--r-- 1 openhands openhands  2211 Oct 21 14:22 envoy-cluster.yaml\n-rw-r--r-- 1 openhands openhands  1318 Oct 21 14:23 grpc-server-options.go\n   260 envoy-access.log\n    71 envoy-cluster.yaml\n    44 grpc-server-options.go\n   375 total"),
        sh("cd /workspace/incident && cat envoy-access.log", _envoy),
        sh("cd /workspace/incident && cat envoy-cluster.yaml",
           "clusters:\n- name: orders\n  type: STRICT_DNS\n  lb_policy: ROUND_ROBIN\n  typed_extension_protocol_options:\n    envoy.extensions.upstreams.http.v3.HttpProtocolOptions:\n      \"@type\": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions\n      explicit_http_config:\n        http2_protocol_options:\n          connection_keepalive:\n            interval: 300s\n            timeout: 20s\n      common_http_protocol_options:\n        idle_timeout: 3600s\n  load_assignment:\n    cluster_name: orders\n    endpoints:\n    - lb_endpoints:\n      - endpoint: { address: { socket_address: { address: orders.svc.cluster.local, port_value: 8443 } } }\n  circuit_breakers:\n    thresholds:\n    - max_connections: 1024\n      max_pending_requests: 1024\n      max_requests: 4096\n      max_retries: 3\n  # no retry_policy on routes yet\n"),
        sh("cd /workspace/incident && cat grpc-server-options.go",
           "package server\n\nimport (\n\t\"time\"\n\n\t\"google.golang.org/grpc\"\n\t\"google.golang.org/grpc/keepalive\"\n)\n\n// Options shared by orders, pricing and inventory.\nfunc Options() []grpc.ServerOption {\n\treturn []grpc.ServerOption{\n\t\tgrpc.KeepaliveParams(keepalive.ServerParameters{\n\t\t\tMaxConnectionIdle:     60 * time.Second,\n\t\t\tMaxConnectionAge:      120 * time.Second,\n\t\t\tMaxConnectionAgeGrace: 0,\n\t\t\tTime:                  2 * time.Hour,\n\t\t\tTimeout:               20 * time.Second,\n\t\t}),\n\t\tgrpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{\n\t\t\tMinTime:             5 * time.Minute,\n\t\t\tPermitWithoutStream: false,\n\t\t}),\n\t\tgrpc.MaxConcurrentStreams(250),\n\t}\n}\n"),
        sh("cd /workspace/incident && awk '$3==502' envoy-access.log | wc -l && awk '$3==502' envoy-access.log | grep -o 'idle_for_s=[0-9.]*' | sort | uniq -c",
           "16\n      3 idle_for_s=120.0\n      4 idle_for_s=59.8\n      3 idle_for_s=59.9\n      4 idle_for_s=60.0\n      2 idle_for_s=60.1"),
        U("OK. So what's the root cause, exactly? Walk me through the sequence of events on one failing request and tell me why it's only ~6% and only on some routes."),
    ],
)

oh(
    "oh-036", "reasoning",
    "A weighted fair scheduler across tenants needs an algorithm choice with fairness and starvation guarantees.",
    "gateway",
    [U("Our ingest gateway serves 300 tenants through one Kafka producer pool. Big tenants starve small ones during bursts. Design a weighted fair scheduler in front of the batcher (tenants have weights 1-100; no tenant should wait more than ~50ms behind others when it is under its share). Compare DRR, WFQ and stride scheduling for this, pick one, explain the fairness bound you get, then implement it in internal/fairq with tests.")],
)

oh(
    "oh-037", "reasoning",
    "Assessing JWT validation for algorithm confusion and key-id injection is a security threat analysis.",
    "payments",
    [
        U("Security review request: assess whether our JWT handling is vulnerable to algorithm confusion, kid injection/JWKS spoofing, or token substitution between our two issuers. We're adding RS256 tokens from the partner IdP next sprint alongside our HS256 ones. Threat-model it and tell me what the validation code must enforce."),
        rd("app/auth/tokens.py", PAY["app/auth/tokens.py"]),
    ],
)

oh(
    "oh-038", "reasoning",
    "Replacing Celery with Temporal for billing workflows is an architecture decision with migration and operational trade-offs.",
    "payments",
    [
        U("Should we replace Celery with Temporal for the billing workflows (dunning sequences over 21 days, payout settlement with retries, subscription renewals)? We have ~40k active workflows at any time. Give me a real comparison for our case, including the migration path and what we lose, and a recommendation."),
        rd("app/tasks/reminders.py", PAY["app/tasks/reminders.py"]),
    ],
)

_coord = """class Coordinator:
    \"\"\"Two-phase commit across the ledger DB and the payouts DB for settlement batches.\"\"\"

    def __init__(self, log: DecisionLog, participants: list[Participant]):
        self.log = log
        self.participants = participants

    def commit(self, txid: str, ops: dict[str, list[Op]]) -> bool:
        prepared = []
        for p in self.participants:
            try:
                p.prepare(txid, ops[p.name])          # PREPARE TRANSACTION 'txid' on that DB
                prepared.append(p)
            except PrepareFailed:
                for q in prepared:
                    q.rollback_prepared(txid)
                return False
        for p in self.participants:
            p.commit_prepared(txid)                   # COMMIT PREPARED 'txid'
        self.log.write(txid, "committed")             # fsync'd append-only log
        return True

    def recover(self):
        \"\"\"Called at startup.\"\"\"
        for p in self.participants:
            for txid in p.list_prepared():            # SELECT gid FROM pg_prepared_xacts
                if self.log.state(txid) == "committed":
                    p.commit_prepared(txid)
                else:
                    p.rollback_prepared(txid)
"""

oh(
    "oh-039", "reasoning",
    "Whether a two-phase-commit coordinator is safe under crashes at each step is a correctness argument.",
    "ledger",
    [
        U("Is this 2PC coordinator safe if the coordinator crashes at any point? Walk through each crash point and tell me if we can end up with one DB committed and the other rolled back. If it's broken, give the minimal fix and argue it's correct."),
        rd("settlement/coordinator.py", _coord),
    ],
)

oh(
    "oh-040", "reasoning",
    "A vehicle routing problem with time windows under a 2-second budget needs an algorithmic approach with quality trade-offs.",
    None,
    [U("We plan delivery routes for one van per depot: ~300 stops, each with a 1-2 hour time window and a service time, one driver shift of 9 hours. Today we use nearest-neighbour and violate ~15% of windows. I need something that runs in under 2 seconds in Python and gets violations near zero. What approach (construction + local search? OR-tools? ALNS?), why, and how far from optimal can I expect to be? Then write it.")],
)

def _entries_listing() -> str:
    import random as _r
    rng = _r.Random(41)
    rows = [" created_at                    | kind   | amount_minor | payout          | src_amount | dest_currency | dest_amount_minor | status",
            "-------------------------------+--------+--------------+-----------------+------------+---------------+-------------------+----------"]
    day = 15
    for i in range(150):
        hh, mm = rng.randrange(0, 24), rng.randrange(0, 60)
        if i % 9 == 4:
            src = rng.randrange(20000, 400000)
            cur = rng.choice(["GBP", "USD", "CHF"])
            rate = {"GBP": 0.853, "USD": 1.091, "CHF": 0.962}[cur]
            dest = round(src * rate)
            status = "reversed" if i % 36 == 4 else "paid"
            rows.append(f" 2025-07-{day:02d} {hh:02d}:{mm:02d}:{rng.randrange(0, 60):02d}.{rng.randrange(0, 999999):06d}+00 | debit  | {-dest:>12} | po_{rng.randrange(16**10):010x}  | {src:>10} | {cur:<13} | {dest:>17} | {status}")
            if status == "reversed":
                rows.append(f" 2025-07-{day:02d} {(hh + 2) % 24:02d}:{mm:02d}:{rng.randrange(0, 60):02d}.{rng.randrange(0, 999999):06d}+00 | credit | {dest:>12} |                 |            |               |                   |")
        else:
            amt = rng.randrange(500, 90000)
            rows.append(f" 2025-07-{day:02d} {hh:02d}:{mm:02d}:{rng.randrange(0, 60):02d}.{rng.randrange(0, 999999):06d}+00 | credit | {amt:>12} |                 |            |               |                   |")
        if i % 5 == 4:
            day = min(day + 1, 31)
    rows.append(f"({len(rows) - 2} rows)")
    return "\n".join(rows)


_bal_reads = [
    ("src/main/java/com/acme/ledger/service/TransferService.java", LED["src/main/java/com/acme/ledger/service/TransferService.java"]),
    ("src/main/java/com/acme/ledger/api/AccountController.java", LED["src/main/java/com/acme/ledger/api/AccountController.java"]),
]

oh(
    "oh-041", "reasoning",
    "After a long investigation across the ledger and payments, the ask is the causal chain and confidence: synthesis of a distributed root cause.",
    "ledger",
    [
        U("Merchants report their balance in the dashboard drifting from the sum of their statement lines by a few cents to a few euros, maybe 30 merchants out of 9,000. Investigate across ledger-service and the payouts flow in payments-api (cloned at /workspace/payments-api). Don't fix anything yet."),
        todo(("in_progress", "Reproduce a drifting merchant"), ("pending", "Trace writes to balance"), ("pending", "Check payouts flow"), ("pending", "Explain root cause")),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_RO_URL\" -c \"select a.id, a.balance_minor, sum(e.amount_minor) as entries, a.balance_minor - sum(e.amount_minor) as drift from accounts a join entries e on e.account_id = a.id group by a.id having a.balance_minor <> sum(e.amount_minor) order by abs(a.balance_minor - sum(e.amount_minor)) desc limit 15\"",
           "                  id                  | balance_minor | entries  | drift\n--------------------------------------+---------------+----------+-------\n" + "\n".join(f" {h}-4a1e-9c0b-{i:012d} | {b:>13} | {b - d:>8} | {d:>5}" for i, (h, b, d) in enumerate([("5f0c2a71", 1843211, 412), ("a81d3e04", 992310, -388), ("0c7e9b52", 4410023, 300), ("e2b4f6a9", 120004, 217), ("7d1c0e38", 871200, -150), ("93f0a2c1", 55012, 99), ("1a6e4d7b", 30190, 75), ("c4b92f06", 612000, -50), ("6e0d1b3a", 7700, 12), ("b5a7c890", 403311, 7)])) + "\n(10 rows)"),
        *[rd(p, c) for p, c in _bal_reads],
        sh("cd /workspace/ledger-service && git log --since=2025-06-01 --oneline -- src/main/java/com/acme/ledger/service src/main/java/com/acme/ledger/domain | head -20",
           "4e6a9f7 Transfer: rename amountCents -> amountMinor (LEDG-1187)\n1f9e2c0 Account.debit/credit: use Math.addExact (LEDG-1170)\n8b3a7d1 Payout reversal: credit back on bank reject (LEDG-1152)\n62cd0e4 FX payouts: convert at payout time (LEDG-1139)\n0a9f3b8 Fees: round half-even per entry (LEDG-1121)"),
        sh("cd /workspace/ledger-service && git show 62cd0e4 --stat && git show 62cd0e4 -- src/main/java/com/acme/ledger/service/PayoutService.java | head -70",
           "commit 62cd0e4b1a8f3c2e9d7f60a4b5c1e8d2f3a9b0c7\nAuthor: Jonas Weber <jonas@acme-fin.example>\nDate:   Tue Jul 22 16:41:09 2025 +0200\n\n    FX payouts: convert at payout time (LEDG-1139)\n\n src/main/java/com/acme/ledger/service/PayoutService.java | 31 ++++++++++++++++++-------\n 1 file changed, 22 insertions(+), 9 deletions(-)\n\n@@ -48,12 +48,25 @@ public class PayoutService {\n     @Transactional\n     public Payout payout(UUID accountId, long amountMinor, String destCurrency) {\n         Account acct = accounts.findByIdForUpdate(accountId).orElseThrow();\n-        acct.debit(amountMinor);\n-        entries.save(Entry.debit(null, accountId, amountMinor, clock.instant()));\n+        BigDecimal rate = fx.rate(acct.getCurrency(), destCurrency);\n+        long destMinor = rate.multiply(BigDecimal.valueOf(amountMinor)).setScale(0, RoundingMode.HALF_UP).longValueExact();\n+        acct.debit(amountMinor);\n+        entries.save(Entry.debit(null, accountId, destMinor, clock.instant()));\n         Payout p = payouts.save(new Payout(UUID.randomUUID(), accountId, amountMinor, destCurrency, destMinor));"),
        sh("cd /workspace/payments-api && grep -rn 'ledger' app/billing/payouts.py app/clients/ledger.py | head -20",
           "app/billing/payouts.py:12:from app.clients.ledger import LedgerClient\napp/billing/payouts.py:88:    await ledger.payout(account_id=acct.ledger_account_id, amount_minor=amount_minor, dest_currency=dest)\napp/billing/payouts.py:96:        # bank rejected: ask ledger to credit back the same amount\napp/billing/payouts.py:97:        await ledger.reverse_payout(payout_id=p.ledger_payout_id, amount_minor=p.dest_amount_minor)\napp/clients/ledger.py:35:        for attempt in range(4):\napp/clients/ledger.py:37:                return await self._http.post(\"/v1/transfers\", json=req)\napp/clients/ledger.py:40:                await asyncio.sleep(0.2 * 2 ** attempt)"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_RO_URL\" -c \"select count(*) filter (where p.dest_currency <> a.currency) as fx_payouts, count(*) filter (where p.status = 'reversed') as reversed, count(distinct a.id) filter (where a.balance_minor <> (select sum(amount_minor) from entries e where e.account_id = a.id)) as drifting from payouts p join accounts a on a.id = p.account_id where p.created_at > '2025-07-22'\"",
           " fx_payouts | reversed | drifting\n------------+----------+----------\n       4112 |       57 |       31\n(1 row)"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_RO_URL\" -c \"select a.id, count(*) filter (where p.dest_currency <> a.currency) fx, count(*) filter (where p.status='reversed') rev from accounts a join payouts p on p.account_id = a.id where a.id in (select id from drifting_accounts_tmp) group by a.id order by 1 limit 12\"",
           "                  id                  | fx | rev\n--------------------------------------+----+-----\n" + "\n".join(f" {h}-4a1e-9c0b-{i:012d} | {fx:>2} | {rv:>3}" for i, (h, fx, rv) in enumerate([("5f0c2a71", 14, 2), ("a81d3e04", 9, 1), ("0c7e9b52", 22, 1), ("e2b4f6a9", 3, 0), ("7d1c0e38", 6, 1), ("93f0a2c1", 2, 0), ("1a6e4d7b", 1, 0), ("c4b92f06", 8, 1), ("6e0d1b3a", 1, 0), ("b5a7c890", 4, 0)])) + "\n(10 rows)"),
        sh("cd /workspace/ledger-service && psql \"$LEDGER_RO_URL\" -c \"select e.created_at, e.kind, e.amount_minor, p.id as payout, p.amount_minor as src_amount, p.dest_currency, p.dest_amount_minor, p.status from entries e left join payouts p on p.ledger_entry_id = e.id where e.account_id = '5f0c2a71-4a1e-9c0b-000000000000' and e.created_at > '2025-07-15' order by e.created_at\"",
           _entries_listing()),
        think("All drifting accounts have FX payouts after 62cd0e4; the entry is written in destMinor (destination currency units) while the account is debited amountMinor (source currency). Reversals credit back dest_amount_minor. Accounts with no reversal still drift, so it's not only reversals. Need to explain sign and size of drift."),
        A("Every drifting account has at least one cross-currency payout after commit 62cd0e4 (22 July), and no account without one drifts. That commit debits the balance in the source currency but writes the ledger entry in destination-currency minor units, and reversals from payments-api credit back the destination amount."),
        U("So what's the full causal chain? Explain why the drift is sometimes positive and sometimes negative, why it's only ~30 of the ~4,000 merchants with FX payouts, how confident you are, and what single query would confirm it."),
    ],
)

oh(
    "oh-042", "reasoning",
    "An offline-first sync protocol with conflict resolution is a distributed design problem with correctness trade-offs.",
    "web",
    [U("We're building offline mode for the field-technician app: techs edit work orders (status, notes, parts used, signatures) offline for up to 3 days, then sync. Two techs can edit the same order. Design the sync protocol: what's stored on device, what's sent, how conflicts resolve per field (notes append? parts used as a counter? status as a state machine?), how the server stays authoritative for billing-relevant fields, and what clock/ID scheme you'd use. Explain why each choice converges.")],
)

oh(
    "oh-043", "reasoning",
    "Deriving the probability of duplicate processing from a retry distribution and a dedup window is a quantitative argument.",
    "payments",
    [U("Our webhook consumer dedups on event id using a Redis SET with a 24h TTL. Stripe retries with exponential backoff for up to 3 days (roughly: 1m, 5m, 30m, 2h, 5h, 10h, then every 12h). Given ~0.3% of deliveries time out on our side and get retried, and Redis evicts under memory pressure maybe once a week (allkeys-lru), derive the expected number of duplicate processings per million events and tell me whether a 24h window is enough or what it should be. Show the reasoning, not just a number.")],
)

oh(
    "oh-044", "reasoning",
    "Choosing between replicas, partitioning and moving analytics out for a saturated database is an architecture decision from workload evidence.",
    "warehouse",
    [
        U("Our main Postgres (db.r6g.4xlarge) sits at 90% CPU at peak. Options: more read replicas, partitioning the big tables, or moving the analytics/reporting queries to ClickHouse fed by Debezium. Here are the top statements. Decide which to do first and why, with what you expect each to buy us."),
        sh("psql \"$PROD_RO_URL\" -c \"select calls, round(total_exec_time/1000) total_s, round(mean_exec_time::numeric,1) mean_ms, rows, left(query, 90) q from pg_stat_statements order by total_exec_time desc limit 12\"",
           "  calls   | total_s | mean_ms |   rows    | q\n----------+---------+---------+-----------+------------------------------------------------------------------------------------------\n   31204 |   88214 |  2827.0 |    624080 | select date_trunc($1, o.placed_at) d, c.plan, sum(o.total_cents) from orders o join custo\n 9812211 |   41902 |     4.3 |   9812211 | select * from orders where id = $1\n   18822 |   38117 |  2025.1 |    376440 | select c.id, c.email, count(p.id) as failures, max(p.created_at) as last_failure from pa\n 4120988 |   22871 |     5.5 |  41209880 | select * from order_items where order_id = $1\n    2210 |   19003 |  8598.6 |  22100000 | copy (select * from orders where updated_at > $1) to stdout\n 1204511 |   11480 |     9.5 |   1204511 | update orders set status = $1, updated_at = now() where id = $2\n  744120 |    9112 |    12.2 |   7441200 | select * from payments where order_id = any($1)\n    8450 |    8870 |  1049.7 |     84500 | select s.id, count(*) from sessions s where s.last_seen > now() - $1 group by s.id\n 3301220 |    6904 |     2.1 |   3301220 | insert into order_events (order_id, kind, payload) values ($1, $2, $3)\n   12001 |    5120 |   426.6 |   1200100 | select * from products where to_tsvector($1, name || $2 || description) @@ plainto_tsqu\n  901223 |    4010 |     4.4 |    901223 | select * from customers where id = $1\n     144 |    3977 | 27618.1 |       144 | refresh materialized view concurrently mv_daily_revenue\n(12 rows)"),
    ],
)
