"""Fresh3-split cases (openai dialect): written blind to the router, measured once. See corpus README."""
# ruff: noqa: E501

from __future__ import annotations

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
    cline,
    ed,
    gr,
    openai_sdk,
    par,
    rd,
    sh,
    think,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects written inline for this module


HOURGLASS = Project(
    "hourglass", "hourglass", "brightline-studio/hourglass", "/home/rafael", "/home/rafael/code/hourglass", "linux",
    "rafael/weekly-csv",
    "M hourglass/reports/weekly.py\nM hourglass/reports/cli.py",
    "3e8a1c2 reports: weekly totals per client (#147)\nb71d09f timer: stop running timers at midnight (#144)\n5c2f6e0 SQLAlchemy 2.0.35 (#141)\n90a4d7b rates: per-project hourly rate overrides (#138)\n1fd3c85 cli: typer 0.12 (#135)",
    shell="bash",
    notes="""# hourglass

Time tracking and invoicing for Brightline Studio (a 30-person design agency). Python 3.12, FastAPI,
SQLAlchemy 2.0 (sync sessions), Postgres 16, Typer CLI (`hourglass ...`), managed with uv.

- `uv run pytest -q`, `uv run ruff check . && uv run ruff format --check .`, `uv run mypy hourglass`
- Reports live in `hourglass/reports/`; CLI entry points in `hourglass/reports/cli.py`
- Durations are stored as integer seconds; money as integer cents (EUR only)
- Weeks are ISO weeks in Europe/Lisbon (the studio's timezone), Monday first
- Invoices that have been sent are immutable; corrections are credit notes
""",
)

STOCKPILE = Project(
    "stockpile", "stockpile", "mercato-eu/stockpile", "/home/dana", "/home/dana/go/src/github.com/mercato-eu/stockpile", "linux",
    "dana/reserve-ttl",
    "M internal/reserve/service.go",
    "c4e21a9 reserve: TTL on reservations, sweeper every 30s (#92)\n7b0d3f8 sqlc 1.27 (#90)\n2a9e6c1 api: chi v5.1 (#87)\nf18d40b warehouses: per-warehouse stock levels (#84)\n0e3b7a5 Go 1.22 (#81)",
    editor="GoLand", shell="bash",
    notes="""# stockpile

Inventory and stock reservation service for the Mercato marketplace. Go 1.22, chi v5, pgx v5, sqlc for queries
(`internal/db`, generated: never edit by hand, change `queries/*.sql` and run `make sqlc`), Postgres 16.

- `make test` (go test -race ./...), `make lint` (golangci-lint), `make sqlc`
- Checkout reserves stock (`POST /reservations`), payment confirms it, the sweeper releases expired ones
- Stock quantities are int64 everywhere in Go code; the DB uses bigint
- Deploys: ArgoCD from the `deploy` repo; never kubectl against prod by hand
""",
)

ALLOTMENT = Project(
    "allotment", "allotment", "greenbank-society/allotment", "/home/wren", "/home/wren/src/allotment", "linux",
    "wren/waitlist",
    "M lib/allotment/plots.ex",
    "8d1f2b0 plots: half-plot splitting (#58)\n41c7e9a Phoenix 1.7.14 (#55)\ne09a3d6 members: committee role (#52)\n6b5f1c4 Oban for renewal reminders (#49)\n2c8e0a7 initial import from the old spreadsheet (#45)",
    editor="VS Code", shell="bash",
    notes="""# allotment

Plot allocation and membership for the Greenbank Allotments Society (about 240 plots, 600 members and a waitlist).
Elixir 1.17, Phoenix 1.7 with LiveView, Ecto on Postgres, Oban for background jobs.

- `mix test`, `mix format`, `mix credo --strict`
- Contexts: `Allotment.Plots`, `Allotment.Members`, `Allotment.Waitlist`; LiveViews under `lib/allotment_web/live`
- Plot sizes are in square metres (integer); a full plot is 250, a half plot 125
- Volunteer maintainers: keep code boring and well commented
""",
)

_INLINE: dict[str, Project] = {p.key: p for p in (HOURGLASS, STOCKPILE, ALLOTMENT)}


BOOK = CaseBook(CASES, _INLINE)
cx, oh, ohc, other, cl = BOOK.cx, BOOK.oh, BOOK.ohc, BOOK.other, BOOK.cl


_POLICIES = [("on-request", "workspace-write", "restricted"), ("never", "workspace-write", "restricted"),
             ("on-request", "read-only", "restricted"), ("untrusted", "workspace-write", "enabled"),
             ("on-failure", "danger-full-access", "enabled")]


# =========================================================================== shared file contents

_HG_CLI = '''from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hourglass.db import session_scope
from hourglass.reports.weekly import WeeklyRow, iso_week_bounds, weekly_totals

app = typer.Typer(help="Reports over tracked time.")
console = Console()


def _parse_week(value: str | None) -> tuple[int, int]:
    """Accept 2025-W07 (or nothing, meaning the current ISO week)."""
    if value is None:
        year, week, _ = dt.date.today().isocalendar()
        return year, week
    try:
        year_s, week_s = value.upper().split("-W")
        return int(year_s), int(week_s)
    except ValueError as exc:
        raise typer.BadParameter(f"expected YYYY-Www, got {value!r}") from exc


@app.command("weekly")
def weekly(
    week: str | None = typer.Option(None, "--week", "-w", help="ISO week, e.g. 2025-W07"),
    person: str | None = typer.Option(None, "--person", help="Only this person's entries (email)"),
    billable_only: bool = typer.Option(False, "--billable-only"),
) -> None:
    """Hours per client and project for one ISO week."""
    year, wk = _parse_week(week)
    start, end = iso_week_bounds(year, wk)
    with session_scope() as s:
        rows = weekly_totals(s, start, end, person=person, billable_only=billable_only)
    _print_rows(rows, f"Week {year}-W{wk:02d}")


def _print_rows(rows: list[WeeklyRow], title: str) -> None:
    table = Table(title=title)
    for col in ("Client", "Project", "Hours", "Billable", "Amount (EUR)"):
        table.add_column(col, justify="right" if col not in ("Client", "Project") else "left")
    for r in rows:
        table.add_row(r.client_name, r.project_name, f"{r.seconds / 3600:.2f}",
                      f"{r.billable_seconds / 3600:.2f}", f"{r.amount_cents / 100:,.2f}")
    console.print(table)
'''

_HG_WEEKLY = '''from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hourglass.models import Client, Person, Project, TimeEntry

STUDIO_TZ = ZoneInfo("Europe/Lisbon")


@dataclass(frozen=True)
class WeeklyRow:
    client_slug: str
    client_name: str
    project_name: str
    seconds: int
    billable_seconds: int
    amount_cents: int


def iso_week_bounds(year: int, week: int) -> tuple[dt.datetime, dt.datetime]:
    """Start (inclusive) and end (exclusive) of an ISO week, as aware datetimes in the studio timezone."""
    monday = dt.date.fromisocalendar(year, week, 1)
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=STUDIO_TZ)
    return start, start + dt.timedelta(days=7)


def weekly_totals(
    s: Session,
    start: dt.datetime,
    end: dt.datetime,
    *,
    person: str | None = None,
    billable_only: bool = False,
) -> list[WeeklyRow]:
    rate = func.coalesce(Project.hourly_rate_cents, Client.default_rate_cents)
    billable = func.sum(TimeEntry.seconds).filter(TimeEntry.billable.is_(True))
    q = (
        select(
            Client.slug,
            Client.name,
            Project.name,
            func.sum(TimeEntry.seconds),
            func.coalesce(billable, 0),
            func.coalesce(func.sum(TimeEntry.seconds * rate / 3600).filter(TimeEntry.billable.is_(True)), 0),
        )
        .join(Project, TimeEntry.project_id == Project.id)
        .join(Client, Project.client_id == Client.id)
        .where(TimeEntry.started_at >= start, TimeEntry.started_at < end)
        .group_by(Client.slug, Client.name, Project.name)
        .order_by(Client.name, Project.name)
    )
    if person is not None:
        q = q.join(Person, TimeEntry.person_id == Person.id).where(Person.email == person)
    if billable_only:
        q = q.where(TimeEntry.billable.is_(True))
    return [WeeklyRow(*row) for row in s.execute(q).all()]
'''

_SP_SERVICE = '''package reserve

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mercato-eu/stockpile/internal/db"
)

var ErrInsufficientStock = errors.New("insufficient stock")

type Service struct {
	pool *pgxpool.Pool
	q    *db.Queries
	ttl  time.Duration
	now  func() time.Time
}

func New(pool *pgxpool.Pool, ttl time.Duration) *Service {
	return &Service{pool: pool, q: db.New(pool), ttl: ttl, now: time.Now}
}

type Request struct {
	OrderID     string
	SKU         string
	WarehouseID int64
	Qty         int32
}

// Reserve holds Qty units of SKU in one warehouse for the order until the TTL runs out.
func (s *Service) Reserve(ctx context.Context, req Request) (db.Reservation, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return db.Reservation{}, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	q := s.q.WithTx(tx)

	level, err := q.GetStockLevel(ctx, db.GetStockLevelParams{Sku: req.SKU, WarehouseID: req.WarehouseID})
	if err != nil {
		return db.Reservation{}, fmt.Errorf("stock level %s@%d: %w", req.SKU, req.WarehouseID, err)
	}
	if level.Available < int64(req.Qty) {
		return db.Reservation{}, ErrInsufficientStock
	}
	if err := q.DecrementAvailable(ctx, db.DecrementAvailableParams{
		Sku: req.SKU, WarehouseID: req.WarehouseID, Qty: req.Qty,
	}); err != nil {
		return db.Reservation{}, err
	}
	res, err := q.InsertReservation(ctx, db.InsertReservationParams{
		OrderID: req.OrderID, Sku: req.SKU, WarehouseID: req.WarehouseID,
		Qty: int64(req.Qty), ExpiresAt: s.now().Add(s.ttl),
	})
	if err != nil {
		return db.Reservation{}, err
	}
	return res, tx.Commit(ctx)
}

// Confirm turns a held reservation into a committed one when the payment succeeds.
func (s *Service) Confirm(ctx context.Context, orderID string) error {
	n, err := s.q.ConfirmReservations(ctx, orderID)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("order %s: no held reservations", orderID)
	}
	return nil
}
'''

_SP_QUERIES = '''-- name: GetStockLevel :one
SELECT sku, warehouse_id, on_hand, available, updated_at
FROM stock_levels
WHERE sku = $1 AND warehouse_id = $2;

-- name: DecrementAvailable :exec
UPDATE stock_levels
SET available = available - sqlc.arg(qty), updated_at = now()
WHERE sku = sqlc.arg(sku) AND warehouse_id = sqlc.arg(warehouse_id);

-- name: IncrementAvailable :exec
UPDATE stock_levels
SET available = available + sqlc.arg(qty), updated_at = now()
WHERE sku = sqlc.arg(sku) AND warehouse_id = sqlc.arg(warehouse_id);

-- name: InsertReservation :one
INSERT INTO reservations (order_id, sku, warehouse_id, qty, status, expires_at)
VALUES ($1, $2, $3, $4, 'held', $5)
RETURNING *;

-- name: ConfirmReservations :execrows
UPDATE reservations SET status = 'confirmed', confirmed_at = now()
WHERE order_id = $1 AND status = 'held';

-- name: ExpiredHeld :many
SELECT * FROM reservations
WHERE status = 'held' AND expires_at < now()
ORDER BY expires_at
LIMIT 500;

-- name: MarkReleased :exec
UPDATE reservations SET status = 'released', released_at = now()
WHERE id = $1;
'''

_SP_SWEEPER = '''package reserve

import (
	"context"
	"log/slog"
	"time"

	"github.com/mercato-eu/stockpile/internal/db"
)

// Sweeper releases held reservations whose TTL has passed and gives the stock back.
type Sweeper struct {
	svc      *Service
	interval time.Duration
	log      *slog.Logger
}

func (w *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := w.sweepOnce(ctx); err != nil {
				w.log.Error("sweep failed", "err", err)
			}
		}
	}
}

func (w *Sweeper) sweepOnce(ctx context.Context) error {
	expired, err := w.svc.q.ExpiredHeld(ctx)
	if err != nil {
		return err
	}
	for _, r := range expired {
		if err := w.svc.q.IncrementAvailable(ctx, db.IncrementAvailableParams{
			Sku: r.Sku, WarehouseID: r.WarehouseID, Qty: r.Qty,
		}); err != nil {
			return err
		}
		if err := w.svc.q.MarkReleased(ctx, r.ID); err != nil {
			return err
		}
		w.log.Info("released", "order", r.OrderID, "sku", r.Sku, "qty", r.Qty)
	}
	return nil
}
'''

_AL_PLOTS = '''defmodule Allotment.Plots do
  @moduledoc """
  Plots and who holds them. A plot is either vacant or held by exactly one member (or two members
  sharing it as co-holders). Half plots come from splitting a full plot (see `split/1`).
  """
  import Ecto.Query, warn: false

  alias Allotment.Repo
  alias Allotment.Plots.{Plot, Tenancy}
  alias Allotment.Members.Member

  @full_size 250
  @half_size 125

  def list_vacant(opts \\\\ []) do
    size = Keyword.get(opts, :size)

    Plot
    |> where([p], is_nil(p.holder_id) and p.status == :active)
    |> then(fn q -> if size, do: where(q, [p], p.size_m2 == ^size), else: q end)
    |> order_by([p], asc: p.site, asc: p.number)
    |> Repo.all()
  end

  @doc """
  Assigns a vacant plot to a member. Returns `{:error, :not_vacant}` if someone holds it,
  `{:error, :already_holds_plot}` if the member already holds a full plot (half plots are allowed
  up to two), and `{:error, :membership_lapsed}` if the member's subscription is not paid for this year.
  """
  def assign(%Plot{} = plot, %Member{} = member, today \\\\ Date.utc_today()) do
    cond do
      not is_nil(plot.holder_id) -> {:error, :not_vacant}
      member.paid_until == nil or Date.compare(member.paid_until, today) == :lt -> {:error, :membership_lapsed}
      holds_full_plot?(member) -> {:error, :already_holds_plot}
      plot.size_m2 == @half_size and half_plots_held(member) >= 2 -> {:error, :already_holds_plot}
      true -> do_assign(plot, member, today)
    end
  end

  defp do_assign(plot, member, today) do
    Ecto.Multi.new()
    |> Ecto.Multi.update(:plot, Plot.changeset(plot, %{holder_id: member.id}))
    |> Ecto.Multi.insert(:tenancy, Tenancy.changeset(%Tenancy{}, %{plot_id: plot.id, member_id: member.id, started_on: today}))
    |> Repo.transaction()
    |> case do
      {:ok, %{plot: plot}} -> {:ok, plot}
      {:error, _step, changeset, _} -> {:error, changeset}
    end
  end

  defp holds_full_plot?(member) do
    Repo.exists?(from p in Plot, where: p.holder_id == ^member.id and p.size_m2 == @full_size)
  end

  defp half_plots_held(member) do
    Repo.aggregate(from(p in Plot, where: p.holder_id == ^member.id and p.size_m2 == @half_size), :count)
  end

  def split(%Plot{size_m2: @full_size, holder_id: nil} = plot) do
    # ... creates plot.number <> "a" and <> "b", retires the full plot
    {:ok, plot}
  end
end
'''


# =========================================================================== Codex CLI: simple

cx(
    "h-cx-001", "simple",
    "The user only asked whether the ratelimit tests pass; the test output is in, so the next step is reporting the panic it shows, not fixing it.",
    "gateway",
    [
        U("run just the ratelimit package tests with -race and tell me if they pass. not the whole suite, the kafka ones need docker and take ages"),
        sh("go test -race -count=1 ./internal/ratelimit/...",
           "--- FAIL: TestAllowNRefill (0.00s)\npanic: not implemented [recovered]\n\tpanic: not implemented\n\ngoroutine 7 [running]:\ntesting.tRunner.func1.2({0x5b9e20, 0x6a3c10})\n\t/usr/local/go/src/testing/testing.go:1632 +0x3fc\ntesting.tRunner.func1()\n\t/usr/local/go/src/testing/testing.go:1635 +0x5b0\npanic({0x5b9e20?, 0x6a3c10?})\n\t/usr/local/go/src/runtime/panic.go:785 +0x132\ngithub.com/northwind/ingest-gateway/internal/ratelimit.(*TokenBucket).AllowN(...)\n\t/home/sam/go/src/github.com/northwind/ingest-gateway/internal/ratelimit/token_bucket.go:30\ngithub.com/northwind/ingest-gateway/internal/ratelimit.TestAllowNRefill(0xc000102b60)\n\t/home/sam/go/src/github.com/northwind/ingest-gateway/internal/ratelimit/token_bucket_test.go:41 +0x1a5\ntesting.tRunner(0xc000102b60, 0x5f1e08)\n\t/usr/local/go/src/testing/testing.go:1690 +0x1da\ncreated by testing.(*T).Run in goroutine 1\n\t/usr/local/go/src/testing/testing.go:1743 +0x826\nFAIL\tgithub.com/northwind/ingest-gateway/internal/ratelimit\t0.031s\nFAIL\n",
           code=1, secs=6.2),
    ],
)

_SP_GOMOD = """module github.com/mercato-eu/stockpile

go 1.22

toolchain go1.22.6

require (
	github.com/go-chi/chi/v5 v5.1.0
	github.com/jackc/pgx/v5 v5.6.0
	github.com/prometheus/client_golang v1.20.2
	github.com/stretchr/testify v1.9.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.1 // indirect
	github.com/klauspost/compress v1.17.9 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/prometheus/client_model v0.6.1 // indirect
	github.com/prometheus/common v0.55.0 // indirect
	github.com/prometheus/procfs v0.15.1 // indirect
	golang.org/x/crypto v0.26.0 // indirect
	golang.org/x/sync v0.8.0 // indirect
	golang.org/x/sys v0.24.0 // indirect
	golang.org/x/text v0.17.0 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
"""

cx(
    "h-cx-002", "simple",
    "Changing the go directive and toolchain line in go.mod to versions the user named, then running go mod tidy, is a mechanical two-line edit plus a documented command.",
    "stockpile",
    [
        U("set go.mod to go 1.23 / toolchain go1.23.2 (CI image got bumped) and run go mod tidy after"),
        rd("go.mod", _SP_GOMOD, pre="Opening go.mod."),
    ],
)


# --------------------------------------------------------------------------- long CSV-export session, last turn is commit + push


def _hg_pytest(seed: int, n_extra: int, fail: str | None = None) -> str:
    rng = random.Random(seed)
    mods = {
        "tests/reports/test_weekly.py": ["test_iso_week_bounds_monday_start", "test_iso_week_bounds_dst_week", "test_weekly_totals_groups_by_project",
                                         "test_weekly_totals_person_filter", "test_weekly_totals_billable_only", "test_weekly_totals_rate_override",
                                         "test_weekly_totals_empty_week"],
        "tests/reports/test_cli.py": ["test_parse_week_default", "test_parse_week_lowercase", "test_parse_week_invalid", "test_weekly_prints_table"],
        "tests/timer/test_timer.py": ["test_start_stop", "test_stop_at_midnight", "test_cannot_start_two", "test_resume_after_stop", "test_rounding_to_minute"],
        "tests/rates/test_rates.py": ["test_project_rate_override", "test_client_default_rate", "test_rate_history_effective_from"],
        "tests/api/test_entries.py": ["test_create_entry", "test_create_entry_overlapping_rejected", "test_list_entries_paginates",
                                      "test_patch_entry_seconds", "test_delete_entry_forbidden_after_invoice", "test_entries_require_auth"],
        "tests/invoices/test_invoices.py": ["test_draft_from_week", "test_sent_invoice_immutable", "test_credit_note_negates_lines",
                                            "test_invoice_number_sequence", "test_vat_rounding_per_line"],
    }
    if n_extra:
        mods["tests/reports/test_csv_export.py"] = ["test_csv_header", "test_csv_rows_match_weekly", "test_csv_hours_two_decimals",
                                                    "test_csv_amount_cents_to_euros", "test_csv_unicode_client_names", "test_cli_weekly_csv_writes_file"][:n_extra]
    out = ["============================= test session starts ==============================",
           "platform linux -- Python 3.12.6, pytest-8.3.3, pluggy-1.5.0 -- /home/rafael/code/hourglass/.venv/bin/python",
           "cachedir: .pytest_cache", "rootdir: /home/rafael/code/hourglass", "configfile: pyproject.toml",
           "plugins: postgresql-6.1.1, anyio-4.6.0, cov-5.0.0", f"collected {sum(len(v) for v in mods.values())} items", ""]
    passed = failed = 0
    for mod, tests in mods.items():
        for t in tests:
            status = "FAILED" if fail and t == fail else "PASSED"
            passed += status == "PASSED"
            failed += status == "FAILED"
            out.append(f"{mod}::{t} {status} [{rng.randrange(1, 99):>3}%]")
    out.append("")
    if fail:
        out += ["=================================== FAILURES ===================================",
                f"_________________________________ {fail} _________________________________", "",
                "    def test_csv_amount_cents_to_euros(tmp_path, weekly_rows):",
                "        path = tmp_path / \"w.csv\"",
                "        write_weekly_csv(weekly_rows, path)",
                "        rows = list(csv.DictReader(path.open()))",
                ">       assert rows[0][\"amount_eur\"] == \"1234.50\"",
                "E       AssertionError: assert '1,234.50' == '1234.50'",
                "E         ", "E         - 1234.50", "E         + 1,234.50", "E         ?  +",
                "",
                "tests/reports/test_csv_export.py:48: AssertionError",
                "=========================== short test summary info ============================",
                f"FAILED tests/reports/test_csv_export.py::{fail} - AssertionError: assert '1,234.50' == '1234.50'"]
    out.append(f"========================= {f'{failed} failed, ' if failed else ''}{passed} passed in {rng.uniform(3, 6):.2f}s =========================")
    return "\n".join(out) + "\n"


_HG_CSV_V1 = '''from __future__ import annotations

import csv
from pathlib import Path

from hourglass.reports.weekly import WeeklyRow

HEADER = ["client", "project", "hours", "billable_hours", "amount_eur"]


def write_weekly_csv(rows: list[WeeklyRow], path: Path) -> int:
    """Write the weekly report as CSV (UTF-8 with BOM so Excel opens it). Returns the number of data rows."""
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for r in rows:
            w.writerow([
                r.client_name,
                r.project_name,
                f"{r.seconds / 3600:.2f}",
                f"{r.billable_seconds / 3600:.2f}",
                f"{r.amount_cents / 100:,.2f}",
            ])
    return len(rows)
'''

_HG_CSV_TEST = '''from __future__ import annotations

import csv

import pytest

from hourglass.reports.csv_export import HEADER, write_weekly_csv
from hourglass.reports.weekly import WeeklyRow


@pytest.fixture
def weekly_rows() -> list[WeeklyRow]:
    return [
        WeeklyRow("acme", "Acme Foods", "Rebrand 2025", 45_000, 41_400, 123_450),
        WeeklyRow("bolhao", "Mercado do Bolhão", "Wayfinding", 12_600, 12_600, 31_500),
        WeeklyRow("zoe", "Zoë & Søn", "Packaging", 3_600, 0, 0),
    ]


def test_csv_header(tmp_path, weekly_rows):
    path = tmp_path / "w.csv"
    write_weekly_csv(weekly_rows, path)
    assert path.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(HEADER)


def test_csv_rows_match_weekly(tmp_path, weekly_rows):
    path = tmp_path / "w.csv"
    assert write_weekly_csv(weekly_rows, path) == 3
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert [r["project"] for r in rows] == ["Rebrand 2025", "Wayfinding", "Packaging"]


def test_csv_hours_two_decimals(tmp_path, weekly_rows):
    path = tmp_path / "w.csv"
    write_weekly_csv(weekly_rows, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert rows[0]["hours"] == "12.50"
    assert rows[0]["billable_hours"] == "11.50"


def test_csv_amount_cents_to_euros(tmp_path, weekly_rows):
    path = tmp_path / "w.csv"
    write_weekly_csv(weekly_rows, path)
    rows = list(csv.DictReader(path.open()))
    assert rows[0]["amount_eur"] == "1234.50"


def test_csv_unicode_client_names(tmp_path, weekly_rows):
    path = tmp_path / "w.csv"
    write_weekly_csv(weekly_rows, path)
    assert "Zoë & Søn" in path.read_text(encoding="utf-8-sig")
'''

_HG_SPEC_NOTE = """Weekly CSV export — notes from the ops call (Inês, 2 Oct)

- Finance imports the weekly report into the invoicing spreadsheet every Monday. Today they copy the rich table
  out of the terminal, which breaks on long client names.
- They want: one row per client/project, hours with two decimals, amount in euros WITHOUT thousands separators
  (their spreadsheet is in pt-PT and treats "," as the decimal separator, so "1,234.50" becomes garbage).
- UTF-8 with BOM, otherwise Excel on Windows mangles "Zoë & Søn" and "Mercado do Bolhão".
- File name default: weekly-YYYY-Www.csv in the current directory; --csv PATH overrides.
- Keep the table output as it is when --csv is not given.
"""

cx(
    "h-cx-003", "simple",
    "After a long feature session the last request is to commit with a given message and push the feature branch, which is two git commands.",
    "hourglass",
    [
        U("finance wants the weekly report as csv. notes from the ops call are in docs/notes/weekly-csv.md. add `--csv [PATH]` to `hourglass report weekly`, keep the table when it's not given. tests please"),
        par(rd("docs/notes/weekly-csv.md", _HG_SPEC_NOTE), rd("hourglass/reports/cli.py", _HG_CLI), rd("hourglass/reports/weekly.py", _HG_WEEKLY),
            pre="Reading the notes and the current report code."),
        sh("uv run pytest -q tests/reports -v", _hg_pytest(31, 0), secs=4.1),
        todo(("in_progress", "Add csv_export.write_weekly_csv"), ("pending", "Wire --csv into the weekly command"), ("pending", "Tests for the CSV writer and the CLI flag"), ("pending", "Run the suite, ruff and mypy")),
        wr("hourglass/reports/csv_export.py", _HG_CSV_V1, pre="Adding a small CSV writer module."),
        wr("tests/reports/test_csv_export.py", _HG_CSV_TEST),
        sh("uv run pytest -q tests/reports -v", _hg_pytest(32, 5, fail="test_csv_amount_cents_to_euros"), code=1, secs=4.4),
        A("The amount column still uses the `,` thousands separator from the table formatting, which is exactly what the notes say breaks finance's pt-PT spreadsheet. Fixing the writer, not the test."),
        ed("hourglass/reports/csv_export.py", '                f"{r.amount_cents / 100:,.2f}",', '                f"{r.amount_cents / 100:.2f}",', src=_HG_CSV_V1),
        ed("tests/reports/test_csv_export.py", "    rows = list(csv.DictReader(path.open()))\n    assert rows[0][\"amount_eur\"] == \"1234.50\"",
           "    rows = list(csv.DictReader(path.open(encoding=\"utf-8-sig\")))\n    assert rows[0][\"amount_eur\"] == \"1234.50\"", src=_HG_CSV_TEST),
        sh("uv run pytest -q tests/reports -v", _hg_pytest(33, 5), secs=4.0),
        ed("hourglass/reports/cli.py",
           '    billable_only: bool = typer.Option(False, "--billable-only"),\n) -> None:\n    """Hours per client and project for one ISO week."""\n    year, wk = _parse_week(week)\n    start, end = iso_week_bounds(year, wk)\n    with session_scope() as s:\n        rows = weekly_totals(s, start, end, person=person, billable_only=billable_only)\n    _print_rows(rows, f"Week {year}-W{wk:02d}")',
           '    billable_only: bool = typer.Option(False, "--billable-only"),\n    csv_path: Path | None = typer.Option(None, "--csv", help="Write CSV instead of printing (default name weekly-YYYY-Www.csv)", is_flag=False, flag_value=Path("")),\n) -> None:\n    """Hours per client and project for one ISO week."""\n    year, wk = _parse_week(week)\n    start, end = iso_week_bounds(year, wk)\n    with session_scope() as s:\n        rows = weekly_totals(s, start, end, person=person, billable_only=billable_only)\n    if csv_path is None:\n        _print_rows(rows, f"Week {year}-W{wk:02d}")\n        return\n    if csv_path == Path(""):\n        csv_path = Path(f"weekly-{year}-W{wk:02d}.csv")\n    n = write_weekly_csv(rows, csv_path)\n    console.print(f"wrote {n} rows to {csv_path}")',
           src=_HG_CLI, pre="Wiring the flag into the command."),
        ed("hourglass/reports/cli.py", "from hourglass.reports.weekly import WeeklyRow, iso_week_bounds, weekly_totals",
           "from hourglass.reports.csv_export import write_weekly_csv\nfrom hourglass.reports.weekly import WeeklyRow, iso_week_bounds, weekly_totals", src=_HG_CLI),
        ed("tests/reports/test_csv_export.py", 'def test_csv_unicode_client_names(tmp_path, weekly_rows):',
           'def test_cli_weekly_csv_writes_file(tmp_path, monkeypatch, weekly_rows):\n    from typer.testing import CliRunner\n\n    from hourglass.reports import cli\n\n    monkeypatch.setattr(cli, "weekly_totals", lambda *a, **k: weekly_rows)\n    monkeypatch.chdir(tmp_path)\n    result = CliRunner().invoke(cli.app, ["weekly", "--week", "2025-W40", "--csv"])\n    assert result.exit_code == 0, result.output\n    assert (tmp_path / "weekly-2025-W40.csv").exists()\n\n\ndef test_csv_unicode_client_names(tmp_path, weekly_rows):', src=_HG_CSV_TEST),
        sh("uv run pytest -q -v", _hg_pytest(34, 6), secs=9.8),
        sh("uv run ruff check . && uv run ruff format --check . && uv run mypy hourglass",
           "All checks passed!\n47 files already formatted\nSuccess: no issues found in 38 source files\n", secs=7.2),
        A("Done:\n\n- `hourglass/reports/csv_export.py`: `write_weekly_csv(rows, path)`, UTF-8 with BOM, hours with two decimals, euros without thousands separators (per the notes, finance's pt-PT sheet chokes on `1,234.50`).\n- `hourglass report weekly --csv` writes `weekly-YYYY-Www.csv` in the current directory; `--csv PATH` overrides; without the flag the table output is unchanged.\n- Tests: 6 new in `tests/reports/test_csv_export.py`, including one for the CLI flag. Full suite, ruff, format and mypy are green."),
        U("tried it on last week's data, opens fine in excel here 👍 can you also print the total hours at the bottom of the table (not in the csv)"),
        rd("hourglass/reports/cli.py", _HG_CLI, start=44, pre="Looking at the table printer."),
        ed("hourglass/reports/cli.py",
           '        table.add_row(r.client_name, r.project_name, f"{r.seconds / 3600:.2f}",\n                      f"{r.billable_seconds / 3600:.2f}", f"{r.amount_cents / 100:,.2f}")\n    console.print(table)',
           '        table.add_row(r.client_name, r.project_name, f"{r.seconds / 3600:.2f}",\n                      f"{r.billable_seconds / 3600:.2f}", f"{r.amount_cents / 100:,.2f}")\n    if rows:\n        table.add_section()\n        table.add_row("Total", "", f"{sum(r.seconds for r in rows) / 3600:.2f}",\n                      f"{sum(r.billable_seconds for r in rows) / 3600:.2f}",\n                      f"{sum(r.amount_cents for r in rows) / 100:,.2f}", style="bold")\n    console.print(table)',
           src=_HG_CLI),
        sh("uv run pytest -q -v", _hg_pytest(35, 6), secs=9.5),
        sh("git status --short && git diff --stat",
           " M hourglass/reports/cli.py\n?? hourglass/reports/csv_export.py\n?? tests/reports/test_csv_export.py\n hourglass/reports/cli.py | 22 ++++++++++++++++++++--\n 1 file changed, 20 insertions(+), 2 deletions(-)\n"),
        A("Added a bold **Total** row (hours, billable hours, amount) under a separator; the CSV is untouched. Tests still green. Uncommitted changes: `cli.py` plus the two new files."),
        U("lgtm. commit it all as \"reports: weekly csv export + totals row\" and push the branch, I'll open the PR from the browser"),
    ],
)

cx(
    "h-cx-004", "simple",
    "dbt compile already ran and printed where it wrote the compiled SQL, so the answer is reading the path off the output.",
    "warehouse",
    [
        U("where does dbt put the compiled sql for fct_orders? compile just that model and give me the path, i want to paste it into the snowflake console"),
        sh("dbt compile -s fct_orders",
           "11:42:07  Running with dbt=1.8.7\n11:42:08  Registered adapter: snowflake=1.8.3\n11:42:11  Found 58 models, 4 snapshots, 212 data tests, 19 sources, 731 macros\n11:42:11  \n11:42:13  Concurrency: 8 threads (target='dev')\n11:42:13  \n11:42:15  Compiled node 'fct_orders' is:\nwith orders as (\n    select * from ANALYTICS_DEV.dbt_ines.stg_orders\n),\npayments as (\n    select * from ANALYTICS_DEV.dbt_ines.stg_payments\n),\n...\n11:42:15  Wrote compiled SQL to target/compiled/warehouse/models/marts/fct_orders.sql\n",
           secs=8.4),
    ],
)


# =========================================================================== Codex CLI: medium

_HG_MODELS_SNIPPET = '''class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_rate_cents: Mapped[int] = mapped_column(Integer)
    archived_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    projects: Mapped[list[Project]] = relationship(back_populates="client")
'''

cx(
    "h-cx-005", "medium",
    "Adding one CLI option that filters the existing query by client slug and errors on an unknown slug follows the command's existing options and query.",
    "hourglass",
    [
        U("can we get a --client option on `hourglass report weekly`? takes the client slug (acme, bolhao...), only shows that client's projects. if the slug doesn't exist say so and exit 2 instead of printing an empty table, people keep typo-ing it"),
        par(rd("hourglass/reports/cli.py", _HG_CLI), rd("hourglass/reports/weekly.py", _HG_WEEKLY), pre="Looking at the command and the query it calls."),
        gr("class Client", "hourglass/models.py:41:class Client(Base):\n", path="hourglass"),
        rd("hourglass/models.py", "\n" * 40 + _HG_MODELS_SNIPPET, start=41, end=51),
    ],
)

_SP_BUILD_ERR = """# github.com/mercato-eu/stockpile/internal/reserve
internal/reserve/service.go:53:34: cannot use req.Qty (variable of type int32) as int64 value in struct literal
internal/reserve/sweeper.go:41:33: cannot use r.Qty (variable of type int64) as int32 value in struct literal
"""

cx(
    "h-cx-006", "medium",
    "The compiler names both lines where the regenerated sqlc params changed type, so the fix is a couple of type conversions in two files, checked against the int64 rule in AGENTS.md.",
    "stockpile",
    [
        U("regenerated sqlc after changing qty to bigint in the migration and now nothing builds. fix pls"),
        sh("go build ./...", _SP_BUILD_ERR, code=1, secs=3.9),
        gr("Qty", "internal/db/queries.sql.go:88:\tQty         int64  `json:\"qty\"`\ninternal/db/queries.sql.go:121:\tQty         int64  `json:\"qty\"`\ninternal/db/queries.sql.go:160:\tQty         int64  `json:\"qty\"`\ninternal/db/models.go:34:\tQty         int64              `json:\"qty\"`\ninternal/reserve/service.go:31:\tQty         int32\ninternal/reserve/service.go:53:\t\tSku: req.SKU, WarehouseID: req.WarehouseID, Qty: req.Qty,\ninternal/reserve/service.go:59:\t\tQty: int64(req.Qty), ExpiresAt: s.now().Add(s.ttl),\ninternal/reserve/sweeper.go:41:\t\t\tSku: r.Sku, WarehouseID: r.WarehouseID, Qty: r.Qty,\ninternal/api/reservations.go:27:\tQty         int32  `json:\"qty\"`\n", path="internal"),
        rd("internal/reserve/service.go", _SP_SERVICE, start=25, end=65),
    ],
)

_TW_ROUTES = '''use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::cache::lru::Lru;
use crate::http::handlers::{self, AppState};
use crate::upstream::TideClient;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(handlers::health))
        .route(
            "/stations/:id",
            get(handlers::station).layer(TimeoutLayer::new(Duration::from_secs(5))),
        )
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

pub fn state(upstream: TideClient, db: sqlx::PgPool, cache_cap: usize) -> AppState {
    AppState {
        cache: Arc::new(Mutex::new(Lru::new(cache_cap))),
        upstream,
        db,
    }
}
'''

cx(
    "h-cx-007", "medium",
    "A new debug route that bypasses the cache and proxies upstream is one handler plus one route registration, following the existing station handler.",
    "tidewater",
    [
        U("I keep needing to see what upstream actually returns for a station when the cached one looks weird. add GET /stations/:id/raw that skips the cache entirely (no read, no put, no fetch_log row) and returns upstream's report as-is. same 5s timeout as the normal route. only register it when TIDEWATER_DEBUG_ROUTES=1 is set"),
        par(rd("src/http/handlers.rs", FX["tidewater"]["src/http/handlers.rs"]), rd("src/http/routes.rs", _TW_ROUTES), pre="Reading the handler and the router."),
        gr("TIDEWATER_", "src/main.rs:18:    let listen = std::env::var(\"TIDEWATER_LISTEN\").unwrap_or_else(|_| \"0.0.0.0:8080\".into());\nsrc/main.rs:19:    let cache_cap: usize = std::env::var(\"TIDEWATER_CACHE_CAP\").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);\n", path="src"),
    ],
)

cx(
    "h-cx-008", "medium",
    "Adding a CI job that lints and renders the Helm chart on pull requests is an ordinary workflow change next to the existing jobs.",
    "infra",
    [
        U("we broke the payments-api chart twice this month with bad indentation in values-prod.yaml and only found out at deploy time. add a `helm` job to ci.yml on PRs: helm lint on every chart under charts/, then helm template with values-prod.yaml so a broken render fails the PR. pin helm 3.15.x"),
        rd(".github/workflows/ci.yml", FX["infra"][".github/workflows/ci.yml"], pre="Checking the current workflow."),
        sh("ls charts/ && ls charts/payments-api", "payments-api\nworker-common\nChart.yaml\ntemplates\nvalues-prod.yaml\nvalues-staging.yaml\nvalues.yaml\n"),
    ],
)


# =========================================================================== Codex CLI: complex

_HG_CONFTEST = '''from __future__ import annotations

import datetime as dt

import pytest

from hourglass.models import Client, Person, Project, TimeEntry


@pytest.fixture
def studio(db_session):
    acme = Client(slug="acme", name="Acme Foods", default_rate_cents=9_500)
    rebrand = Project(name="Rebrand 2025", client=acme, hourly_rate_cents=11_000)
    ana = Person(email="ana@brightline.pt", name="Ana")
    rui = Person(email="rui@brightline.pt", name="Rui")
    db_session.add_all([acme, rebrand, ana, rui])
    db_session.flush()
    return {"acme": acme, "rebrand": rebrand, "ana": ana, "rui": rui}


@pytest.fixture
def this_week_entries(db_session, studio):
    """A few entries spread over the last hours, so they land in the current week."""
    now = dt.datetime.now(dt.timezone.utc)
    entries = [
        TimeEntry(person=studio["ana"], project=studio["rebrand"], started_at=now - dt.timedelta(hours=3), seconds=5_400, billable=True),
        TimeEntry(person=studio["rui"], project=studio["rebrand"], started_at=now - dt.timedelta(hours=2), seconds=3_600, billable=True),
        TimeEntry(person=studio["ana"], project=studio["rebrand"], started_at=now - dt.timedelta(minutes=50), seconds=1_800, billable=False),
    ]
    db_session.add_all(entries)
    db_session.flush()
    return entries


@pytest.fixture
def current_week():
    year, week, _ = dt.date.today().isocalendar()
    return year, week
'''

_HG_CI_LOG = """2025-10-13T00:31:02.4471920Z ##[group]Run uv run pytest -q -p no:randomly
2025-10-13T00:31:02.4473310Z uv run pytest -q -p no:randomly
2025-10-13T00:31:02.4490112Z shell: /usr/bin/bash -e {0}
2025-10-13T00:31:02.4490640Z env:
2025-10-13T00:31:02.4491012Z   DATABASE_URL: postgresql://postgres:postgres@localhost:5432/hourglass_test
2025-10-13T00:31:02.4491530Z   TZ: UTC
2025-10-13T00:31:02.4492001Z ##[endgroup]
2025-10-13T00:31:09.8812394Z ..........F.F.....................................                     [100%]
2025-10-13T00:31:09.8823380Z =================================== FAILURES ===================================
2025-10-13T00:31:09.8824101Z _______________________ test_weekly_totals_groups_by_project _______________________
2025-10-13T00:31:09.8824850Z
2025-10-13T00:31:09.8825303Z db_session = <sqlalchemy.orm.session.Session object at 0x7f3b0c4a2e10>
2025-10-13T00:31:09.8825811Z this_week_entries = [<TimeEntry 1>, <TimeEntry 2>, <TimeEntry 3>], current_week = (2025, 42)
2025-10-13T00:31:09.8826402Z
2025-10-13T00:31:09.8826798Z     def test_weekly_totals_groups_by_project(db_session, this_week_entries, current_week):
2025-10-13T00:31:09.8827310Z         start, end = iso_week_bounds(*current_week)
2025-10-13T00:31:09.8827841Z         rows = weekly_totals(db_session, start, end)
2025-10-13T00:31:09.8828399Z >       assert [(r.project_name, r.seconds) for r in rows] == [("Rebrand 2025", 10_800)]
2025-10-13T00:31:09.8828921Z E       AssertionError: assert [('Rebrand 2025', 1800)] == [('Rebrand 2025', 10800)]
2025-10-13T00:31:09.8829455Z E         At index 0 diff: ('Rebrand 2025', 1800) != ('Rebrand 2025', 10800)
2025-10-13T00:31:09.8829972Z
2025-10-13T00:31:09.8830384Z tests/reports/test_weekly.py:37: AssertionError
2025-10-13T00:31:09.8830902Z _______________________ test_weekly_totals_person_filter _______________________
2025-10-13T00:31:09.8831415Z
2025-10-13T00:31:09.8831866Z     def test_weekly_totals_person_filter(db_session, this_week_entries, current_week):
2025-10-13T00:31:09.8832384Z         start, end = iso_week_bounds(*current_week)
2025-10-13T00:31:09.8832902Z         rows = weekly_totals(db_session, start, end, person="ana@brightline.pt")
2025-10-13T00:31:09.8833403Z >       assert rows[0].seconds == 7_200
2025-10-13T00:31:09.8833911Z E       assert 1800 == 7200
2025-10-13T00:31:09.8834398Z E        +  where 1800 = WeeklyRow(client_slug='acme', client_name='Acme Foods', project_name='Rebrand 2025', seconds=1800, billable_seconds=0, amount_cents=0).seconds
2025-10-13T00:31:09.8834907Z
2025-10-13T00:31:09.8835411Z tests/reports/test_weekly.py:52: AssertionError
2025-10-13T00:31:09.8835930Z =========================== short test summary info ============================
2025-10-13T00:31:09.8836402Z FAILED tests/reports/test_weekly.py::test_weekly_totals_groups_by_project - AssertionError: assert [('Rebrand 2025', 1800)] == [('Rebrand 2025', 10800)]
2025-10-13T00:31:09.8836911Z FAILED tests/reports/test_weekly.py::test_weekly_totals_person_filter - assert 1800 == 7200
2025-10-13T00:31:09.8837420Z 2 failed, 49 passed in 7.41s
2025-10-13T00:31:09.9104311Z ##[error]Process completed with exit code 1.
"""

cx(
    "h-cx-009", "complex",
    "A pinned-date patch already failed and the assertion only shows missing hours; the hidden cause is the nightly run time, UTC vs the studio timezone and the week bounds.",
    "hourglass",
    [
        U("test_weekly_totals_person_filter failed in the nightly CI run again. passes locally, passed on every PR. can you look"),
        rd("tests/reports/test_weekly.py", "from __future__ import annotations\n\nimport datetime as dt\n\nfrom freezegun import freeze_time\n\nfrom hourglass.reports.weekly import iso_week_bounds, weekly_totals\n\n\ndef test_iso_week_bounds_monday_start():\n    start, end = iso_week_bounds(2025, 7)\n    assert start.date() == dt.date(2025, 2, 10)\n    assert (end - start).days == 7\n", pre="Reading the weekly tests."),
        sh("for i in 1 2 3 4 5; do uv run pytest -q tests/reports/test_weekly.py -p no:randomly 2>&1 | tail -1; done",
           "7 passed in 1.12s\n7 passed in 1.08s\n7 passed in 1.10s\n7 passed in 1.09s\n7 passed in 1.11s\n", secs=6.3),
        ed("tests/reports/test_weekly.py", "def test_weekly_totals_person_filter(db_session, this_week_entries, current_week):",
           "@freeze_time(\"2025-10-08 12:00:00\")\ndef test_weekly_totals_person_filter(db_session, this_week_entries, current_week):"),
        A("I can't reproduce it locally (5/5 green). Since it only fails in the nightly run I suspect the date: I've frozen the time in `test_weekly_totals_person_filter` to a Wednesday so the fixture entries and the week bounds always agree. Pushed as a small test-only fix."),
        U("ok that went in last week. this morning (monday) it's red again, and now a second test fails too. log:\n\n```\n" + _HG_CI_LOG + "```\n\nthe nightly runs at 00:30 UTC. stop patching individual tests — figure out what's actually wrong (could be the code, could be the fixtures) and fix it properly. note our weeks are Lisbon weeks, that's what finance invoices on"),
        par(rd("tests/conftest.py", _HG_CONFTEST), rd("hourglass/reports/weekly.py", _HG_WEEKLY), pre="Reading the fixtures and the week logic."),
        sh("git log --oneline -5 -- tests/conftest.py hourglass/reports/weekly.py .github/workflows/nightly.yml",
           "3e8a1c2 reports: weekly totals per client (#147)\nd41b7f0 ci: nightly full run with real postgres at 00:30 UTC (#139)\n90a4d7b rates: per-project hourly rate overrides (#138)\n"),
    ],
)

cx(
    "h-cx-010", "complex",
    "The oversell is a read-then-decrement race between concurrent reservations; the fix needs a conditional update or row lock, sqlc changes and a concurrency test on a path that loses orders.",
    "stockpile",
    [
        U("flash sale yesterday: we oversold. SKU MRC-44817 (warehouse 3) had 20 units, we confirmed 34 orders for it, one unit each. stock_levels.available ended at -14. support is cancelling orders by hand now. no errors in the logs, every reserve returned 201. find it and fix it so this can't happen again — we have another sale friday"),
        par(rd("internal/reserve/service.go", _SP_SERVICE), rd("queries/reservations.sql", _SP_QUERIES), pre="Reading the reserve path and its queries."),
        sh("psql \"$STOCKPILE_REPLICA_DSN\" -c \"select id, order_id, qty, status, created_at from reservations where sku='MRC-44817' and warehouse_id=3 and created_at > '2025-10-21 18:59' order by created_at limit 12\"",
           "   id    |  order_id   | qty |  status   |          created_at\n---------+-------------+-----+-----------+-------------------------------\n 8812201 | ord_7Hk2Pq9 |   1 | confirmed | 2025-10-21 19:00:00.412+00\n 8812202 | ord_7Hk2Pr1 |   1 | confirmed | 2025-10-21 19:00:00.413+00\n 8812203 | ord_7Hk2Ps8 |   1 | confirmed | 2025-10-21 19:00:00.413+00\n 8812204 | ord_7Hk2Pt0 |   1 | confirmed | 2025-10-21 19:00:00.414+00\n 8812206 | ord_7Hk2Pv3 |   1 | confirmed | 2025-10-21 19:00:00.414+00\n 8812205 | ord_7Hk2Pu6 |   1 | confirmed | 2025-10-21 19:00:00.415+00\n 8812209 | ord_7Hk2Py2 |   1 | confirmed | 2025-10-21 19:00:00.415+00\n 8812207 | ord_7Hk2Pw5 |   1 | confirmed | 2025-10-21 19:00:00.415+00\n 8812208 | ord_7Hk2Px9 |   1 | confirmed | 2025-10-21 19:00:00.416+00\n 8812210 | ord_7Hk2Pz4 |   1 | confirmed | 2025-10-21 19:00:00.417+00\n 8812212 | ord_7Hk2Q02 |   1 | confirmed | 2025-10-21 19:00:00.417+00\n 8812211 | ord_7Hk2Q17 |   1 | confirmed | 2025-10-21 19:00:00.418+00\n(12 rows)\n",
           secs=1.1),
        sh("grep -n 'isolation\\|default_transaction' deploy/postgres/*.conf internal/db/*.go 2>/dev/null; echo exit=$?", "exit=1\n"),
    ],
)

_INFRA_PLAN = """module.eks.aws_eks_node_group.this["general"] must be replaced
-/+ resource "aws_eks_node_group" "this" {
      ~ arn                    = "arn:aws:eks:eu-west-1:481920334711:nodegroup/prod-eu1/general/1ac8f2e4-..." -> (known after apply)
      ~ id                     = "prod-eu1:general" -> (known after apply)
      ~ instance_types         = [
          - "m6i.2xlarge",
          + "m7i.2xlarge",
        ] # forces replacement
      ~ node_group_name        = "general" -> (known after apply)
        # (9 unchanged attributes hidden)

      ~ scaling_config {
          ~ desired_size = 11 -> (known after apply)
            # (2 unchanged attributes hidden)
        }
      ~ update_config {
          ~ max_unavailable = 1 -> (known after apply)
        }
    }

Plan: 1 to add, 0 to change, 1 to destroy.
"""

cx(
    "h-cx-011", "complex",
    "The plan replaces the whole prod general node group (11 nodes); applying it is a risky production operation that needs a safer rollout planned before anything is applied.",
    "infra",
    [
        U("switch the prod general node group from m6i.2xlarge to m7i.2xlarge (same price, faster). approved in #platform-changes by Efua. change it and apply, I'm around if anything goes weird"),
        rd("terraform/prod/main.tf", FX["infra"]["terraform/prod/main.tf"], pre="Looking at the node groups."),
        ed("terraform/prod/main.tf", 'general = { instance_types = ["m6i.2xlarge"], min = 6, max = 30 }', 'general = { instance_types = ["m7i.2xlarge"], min = 6, max = 30 }', src=FX["infra"]["terraform/prod/main.tf"]),
        sh("terraform -chdir=terraform/prod plan -input=false -no-color -out=plan.tfplan 2>&1 | tail -40", _INFRA_PLAN, secs=41.0),
    ],
    approval="on-failure", sandbox="danger-full-access", network="enabled",
)


# =========================================================================== Codex CLI: reasoning

_HG_RATES = '''class RateChange(Base):
    """History of hourly rates. Today only used for display in the admin; weekly_totals reads the current rate."""

    __tablename__ = "rate_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    rate_cents: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
'''

cx(
    "h-cx-012", "reasoning",
    "How backdated rate changes apply to entries, reports and immutable sent invoices is a data-model decision with real trade-offs that must be argued before anything is built.",
    "hourglass",
    [
        U("""need a decision before I touch anything. problem: account managers change a client's hourly rate and sometimes backdate it ("the new rate applies from 1 Sept, we agreed it on the call"). right now weekly_totals just joins the *current* rate (project override else client default), so:
- reports for past weeks silently change when a rate changes
- a draft invoice built on monday can differ from the report finance looked at on friday
- sent invoices are immutable (AGENTS.md) so a backdated rate that crosses an already-sent invoice needs a credit note + re-invoice, which nobody does today

options I see:
A) snapshot the rate onto each time_entry when it's created (rate_cents column), backdating = a script that rewrites rates on entries in the range
B) keep rate_changes as the source of truth with effective_from, resolve the rate per entry at query time (lateral join / range join), never store it on the entry
C) B for reports, but freeze the resolved rate onto invoice lines when an invoice is drafted, and backdated changes that hit invoiced entries generate a credit-note proposal

we have ~1.2M entries, 40 clients, rates change maybe 20x a year, backdating happens 3-4x a year. which one and why? what breaks in each (project override vs client default precedence, entries that span a rate change at midnight, rate changed twice in the same day, deleted projects). don't write code, I want the argument and the data model"""),
        par(rd("hourglass/reports/weekly.py", _HG_WEEKLY), rd("hourglass/models/rates.py", _HG_RATES), pre="Reading how rates are used today."),
        gr("rate_cents|default_rate_cents|hourly_rate_cents", "hourglass/models/__init__.py:52:    default_rate_cents: Mapped[int] = mapped_column(Integer)\nhourglass/models/__init__.py:71:    hourly_rate_cents: Mapped[int | None] = mapped_column(Integer)\nhourglass/models/rates.py:13:    rate_cents: Mapped[int] = mapped_column(Integer)\nhourglass/reports/weekly.py:41:    rate = func.coalesce(Project.hourly_rate_cents, Client.default_rate_cents)\nhourglass/invoices/draft.py:28:    rate = func.coalesce(Project.hourly_rate_cents, Client.default_rate_cents)\nhourglass/invoices/draft.py:57:            unit_price_cents=row.rate,\nhourglass/admin/rates.py:19:        client.default_rate_cents = form.rate_cents.data\n", path="hourglass"),
    ],
)

cx(
    "h-cx-013", "reasoning",
    "The user asks whether confirm and concurrent sweepers can both act on one reservation, an interleaving argument over the queries under read committed rather than an edit.",
    "stockpile",
    [
        U("before the friday sale I want to know if the reservation lifecycle is actually correct, separately from the oversell fix. the claim we make to the checkout team: 'a reservation is either confirmed or released, never both, and released stock is returned exactly once'. payment confirm and the sweeper run concurrently (3 replicas, each runs a sweeper every 30s, no leader election). go through the interleavings of Confirm vs sweepOnce (and sweeper vs sweeper on two replicas) against these queries and tell me whether the claim holds under read committed. if it doesn't, give me the exact interleaving that breaks it and what the minimal change is. reasoning first, no code changes"),
        par(rd("internal/reserve/sweeper.go", _SP_SWEEPER), rd("internal/reserve/service.go", _SP_SERVICE), rd("queries/reservations.sql", _SP_QUERIES),
            pre="Reading the sweeper, the service and the SQL."),
        sh("grep -rn 'Sweeper{' cmd/ internal/ | head", "cmd/stockpile/main.go:64:\tsweeper := &reserve.Sweeper{svc: svc, interval: 30 * time.Second, log: logger}\n"),
    ],
)

cx(
    "h-cx-014", "reasoning",
    "Choosing which warehouses fulfil a multi-line order to minimise shipments and cost is a weighted set-cover problem; the user wants the algorithm chosen and its optimality and runtime argued for the given sizes.",
    "stockpile",
    [
        U("""product wants 'fewest parcels' fulfilment. today we reserve each order line from the warehouse with most stock, so a 6-line order can ship from 4 warehouses (4 parcels, 4 shipping fees, angry customers). new rule:

1. minimise the number of warehouses used (= parcels)
2. among those, minimise total shipping cost (each warehouse has a per-parcel cost to the customer's country, plus a per-kg cost)
3. a line may be split across warehouses only if no single warehouse has enough qty (rare)
4. must answer inside the checkout request: p99 budget 50ms for this step

sizes: 14 warehouses, orders have 1-40 lines (median 3, p99 18), stock snapshot per SKU per warehouse is in memory already.

what algorithm? exact search is NP-hard in general (set cover) I know, but with 14 warehouses is brute force over subsets fine? how do splits (rule 3) change it? what would you do if we go to 60 warehouses next year? I want the approach and a complexity argument I can put in the design doc, plus how to test it's actually optimal. think it through properly before answering"""),
    ],
)


# =========================================================================== OpenHands: simple

_AL_EVENTS = [
    "USER MESSAGE: add a waitlist page for the committee: LiveView at /committee/waitlist listing waiting members oldest first (joined_waitlist_at), with their preferred site and plot size. committee role only",
    "AGENT ACTION (execute_bash): find lib -name '*.ex' | grep -i -E 'waitlist|committee' \nOBSERVATION: lib/allotment/waitlist.ex\nlib/allotment/waitlist/entry.ex\nlib/allotment_web/live/committee/dashboard_live.ex\nlib/allotment_web/plugs/require_committee.ex",
    "AGENT ACTION (str_replace_editor view): lib/allotment/waitlist.ex\nOBSERVATION: defmodule Allotment.Waitlist with join/2, leave/1, position/1; Entry schema has member_id, site (:north | :south | :any), size_m2 (125 | 250), joined_waitlist_at, offered_plot_id",
    "AGENT ACTION (str_replace_editor view): lib/allotment_web/router.ex\nOBSERVATION: scope \"/committee\" pipes through [:browser, :require_authenticated_member, :require_committee]; live \"/\", Committee.DashboardLive",
    "AGENT ACTION (str_replace_editor str_replace): lib/allotment/waitlist.ex — added list_waiting/0: entries with offered_plot_id IS NULL, preload member, order_by joined_waitlist_at asc, id asc",
    "AGENT ACTION (str_replace_editor create): lib/allotment_web/live/committee/waitlist_live.ex — mount assigns entries from Waitlist.list_waiting/0; table with position, member name, site, size, waiting since (relative, e.g. '14 months')",
    "AGENT ACTION (str_replace_editor str_replace): lib/allotment_web/router.ex — added live \"/waitlist\", Committee.WaitlistLive inside the /committee scope",
    "AGENT ACTION (execute_bash): mix test test/allotment_web/live/committee\nOBSERVATION: 6 tests, 1 failure — WaitlistLiveTest 'non-committee member is redirected' expected redirect to \"/\", got {:error, {:live_redirect, %{to: \"/members/home\"}}}",
    "AGENT ACTION (execute_bash): grep -n 'redirect' lib/allotment_web/plugs/require_committee.ex\nOBSERVATION: 14: |> redirect(to: ~p\"/members/home\")",
    "AGENT ACTION (str_replace_editor str_replace): test/allotment_web/live/committee/waitlist_live_test.exs — expected redirect updated to /members/home to match the existing plug",
    "AGENT ACTION (execute_bash): mix test && mix credo --strict\nOBSERVATION: 212 tests, 0 failures. Checking 64 source files ... found no issues.",
    "AGENT MESSAGE: Waitlist page added at /committee/waitlist (committee only through the existing plug), oldest first, with site, size and time waiting. Tests and credo pass.",
    "USER MESSAGE: nice. can the list be filtered by site? a select with north / south / any at the top",
]

ohc(
    "h-oh-001", "simple",
    "OpenHands' condenser asks for a state summary of a short waitlist-page session; summarising past events is harness bookkeeping.",
    _AL_EVENTS,
    previous="USER_CONTEXT: Greenbank allotment app (Elixir/Phoenix). Earlier: member renewal reminders via Oban fixed (timezone of the cron). COMPLETED: renewal reminder cron in Europe/London. PENDING: none.",
)

_SHOP_RAKE = """rake active_storage:install                       # Copy over the migration needed to the application
rake db:prepare                                   # Run setup if database does not exist, or run migrations if it does
rake shopfront:backfill_store_local_day           # Backfill orders.store_local_day from placed_at and the store's time zone
rake shopfront:expire_carts[days]                 # Mark carts untouched for DAYS (default 30) as abandoned
rake shopfront:gift_cards:reissue[code]           # Reissue a gift card that was never delivered (sends a new email)
rake shopfront:inventory:full_sync                # Enqueue SyncInventoryJob for every product (slow, ~40 min)
rake shopfront:inventory:full_sync_store[store_id] # Enqueue SyncInventoryJob for one store's products
rake shopfront:reports:daily_sales[date]          # Rebuild the daily sales report for DATE (defaults to yesterday)
rake shopfront:search:reindex                     # Rebuild the product search index
rake shopfront:store_credit:audit                 # Print customers whose store credit balance disagrees with their ledger
rake stats                                        # Report code statistics (KLOCs, etc) from the application or engine
rake time:zones[country_or_offset]                # List all time zones, list by two-letter country code (`bin/rails time:zones[US]`), or list by a UTC offset (`bin/rails time:zones[-8]`)
"""

oh(
    "h-oh-002", "simple",
    "The rake task list has been printed; answering means picking out the shopfront tasks and their descriptions, which is reading command output.",
    "shopfront",
    [
        U("what custom rake tasks do we have (the shopfront:* ones) and what does each do? one line each is fine, I'm writing the on-call runbook"),
        sh("cd /workspace/shopfront && bin/rails -T 2>/dev/null | grep -v '^rake \\(assets\\|action_\\|cache\\|log\\|tmp\\|zeitwerk\\|secret\\|credentials\\|dev:\\|test\\|yarn\\|importmap\\|about\\|app:\\|restart\\|middleware\\|notes\\|initializers\\|routes\\|runner\\|db:\\(create\\|drop\\|encryption\\|environment\\|fixtures\\|migrate\\|reset\\|rollback\\|schema\\|seed\\|setup\\|system\\|version\\|abort\\|truncate\\)\\)'",
           _SHOP_RAKE, secs=5.8),
    ],
)

_RENDER_CAMERA = """// Camera.h - view/projection for the editor viewport
#include <glm/glm.hpp>
#include <glm/gtc/matrix_transform.hpp>

namespace render {

struct CameraParams {
    float fovYRadians = glm::radians(60.0f);
    float nearPlane = 0.05f;
    float farPlane = 5000.0f;
};

class Camera {
public:
    explicit Camera(CameraParams params = {});

    void setViewport(int width, int height);
    void lookAt(const glm::vec3& eye, const glm::vec3& target, const glm::vec3& up = {0, 1, 0});

    const glm::mat4& view() const { return view_; }
    const glm::mat4& projection() const { return proj_; }
    glm::mat4 viewProjection() const { return proj_ * view_; }

private:
    void rebuildProjection();

    CameraParams params_;
    float aspect_ = 16.0f / 9.0f;
    glm::mat4 view_{1.0f};
    glm::mat4 proj_{1.0f};
};

}  // namespace render
"""

oh(
    "h-oh-003", "simple",
    "The header is open and visibly lacks an include guard; adding `#pragma once` at the top, as asked, is a one-line edit.",
    "render",
    [
        U("include/render/Camera.h has no include guard, got a redefinition error when I included it twice via Viewport.h. add #pragma once like the other headers"),
        rd("include/render/Camera.h", _RENDER_CAMERA),
    ],
)


# =========================================================================== OpenHands: medium

oh(
    "h-oh-004", "medium",
    "A parameterised scope plus an RSpec spec on the Order model is a small, well-specified piece of Rails code following the model's existing scopes.",
    "shopfront",
    [
        U("add a scope Order.stale_carts(older_than: 14.days) -> orders still in cart status whose updated_at is older than that, oldest first. plus a model spec with a couple of factory orders (one fresh cart, one stale cart, one stale but placed). don't wire it into the rake task yet, I'll do that after"),
        rd("app/models/order.rb", FX["shopfront"]["app/models/order.rb"]),
        sh("ls spec/models/ && sed -n '1,40p' spec/factories/orders.rb",
           "customer_spec.rb\nline_item_spec.rb\nproduct_spec.rb\nrefund_spec.rb\nstore_spec.rb\nFactoryBot.define do\n  factory :order do\n    customer\n    currency { \"USD\" }\n    status { :placed }\n    total_cents { 4_200 }\n    refunded_cents { 0 }\n    placed_at { Time.current }\n\n    trait :cart do\n      status { :cart }\n      placed_at { nil }\n    end\n\n    trait :paid do\n      status { :paid }\n      after(:create) { |o| create(:payment, order: o, amount_cents: o.total_cents) }\n    end\n  end\nend\n"),
    ],
)

_PAY_TPL_TRACE = """============================= test session starts ==============================
platform linux -- Python 3.12.5, pytest-8.3.2, pluggy-1.5.0
rootdir: /workspace/payments-api
configfile: pyproject.toml
plugins: anyio-4.4.0, asyncio-0.23.8, celery-0.0.0
collected 7 items

tests/tasks/test_reminders.py ..F....                                    [100%]

=================================== FAILURES ===================================
_________________ test_send_due_reminder_sends_to_billing_contact _________________

db_sync_session = <sqlalchemy.orm.session.Session object at 0x7f1e2b9d5a90>
open_invoice = <Invoice inv_01J9ZK3M4Q>, mail_outbox = []

    def test_send_due_reminder_sends_to_billing_contact(db_sync_session, open_invoice, mail_outbox):
>       send_due_reminder.apply(args=[open_invoice.id]).get()

tests/tasks/test_reminders.py:38:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
.venv/lib/python3.12/site-packages/celery/result.py:1032: in get
    raise self.result
app/tasks/reminders.py:23: in send_due_reminder
    send_template("invoice_due", to=inv.customer.billing_contact.email, invoice=inv)
app/notify/email.py:31: in send_template
    html = _env.get_template(f"{name}.html").render(**ctx)
.venv/lib/python3.12/site-packages/jinja2/environment.py:1013: in get_template
    return self._load_template(name, globals)
.venv/lib/python3.12/site-packages/jinja2/environment.py:972: in _load_template
    template = self.loader.load(self, name, self.make_globals(globals))
.venv/lib/python3.12/site-packages/jinja2/loaders.py:126: in load
    source, filename, uptodate = self.get_source(environment, name)
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _

self = <jinja2.loaders.FileSystemLoader object at 0x7f1e2c0e1d30>
environment = <jinja2.environment.Environment object at 0x7f1e2c0e1c10>
template = 'invoice_due.html'

>   raise TemplateNotFound(template)
E   jinja2.exceptions.TemplateNotFound: invoice_due.html

.venv/lib/python3.12/site-packages/jinja2/loaders.py:207: TemplateNotFound
=========================== short test summary info ============================
FAILED tests/tasks/test_reminders.py::test_send_due_reminder_sends_to_billing_contact - jinja2.exceptions.TemplateNotFound: invoice_due.html
========================= 1 failed, 6 passed in 2.84s ==========================
"""

oh(
    "h-oh-005", "medium",
    "The trace names the missing template and the listing shows it was renamed, so the fix is pointing the task (and anything else using the old name) at the new template.",
    "payments",
    [
        U("tests/tasks/test_reminders.py has one failure since I merged the email templates PR from Lina. fix it so reminders go out again, and check nothing else still uses old template names"),
        sh("cd /workspace/payments-api && uv run pytest tests/tasks/test_reminders.py -q", _PAY_TPL_TRACE, code=1, secs=6.1),
        sh("ls app/notify/templates/ && git log --oneline -3 -- app/notify/templates/",
           "base.html\ninvoice_created.html\ninvoice_due_soon.html\ninvoice_due_soon.txt\ninvoice_overdue.html\ninvoice_overdue.txt\npayment_failed.html\npayment_failed.txt\nreceipt.html\nreceipt.txt\n4d1e9a2 emails: text alternatives + rename due -> due_soon for clarity (#821)\n9c41e07 Add Payment.currency and backfill from invoices (#812)\n"),
    ],
)

_AL_PLOTS_TEST_EXISTING = '''defmodule Allotment.PlotsTest do
  use Allotment.DataCase, async: true

  alias Allotment.Plots

  describe "list_vacant/1" do
    test "returns active plots without a holder, ordered by site and number" do
      p2 = insert(:plot, site: "north", number: "12")
      p1 = insert(:plot, site: "north", number: "03")
      _held = insert(:plot, site: "north", number: "04", holder: insert(:member))
      _retired = insert(:plot, site: "south", number: "01", status: :retired)

      assert Enum.map(Plots.list_vacant(), & &1.id) == [p1.id, p2.id]
    end

    test "filters by size" do
      half = insert(:plot, size_m2: 125)
      _full = insert(:plot, size_m2: 250)
      assert [%{id: id}] = Plots.list_vacant(size: 125)
      assert id == half.id
    end
  end
end
'''

oh(
    "h-oh-006", "medium",
    "Writing ExUnit tests for one context function whose rules are spelled out in its doc and cond is ordinary test writing.",
    "allotment",
    [
        U("Plots.assign/3 has no tests and the committee is about to start using it for real. write tests covering every branch in the cond (vacant/not vacant, lapsed membership incl. paid_until nil, full plot already held, half-plot limit of two) plus the happy path creating a tenancy row. use the existing factories"),
        par(rd("lib/allotment/plots.ex", _AL_PLOTS), rd("test/allotment/plots_test.exs", _AL_PLOTS_TEST_EXISTING)),
        sh("cd /workspace/allotment && grep -n 'def .*_factory' test/support/factory.ex",
           "12:  def member_factory do\n24:  def plot_factory do\n35:  def tenancy_factory do\n43:  def waitlist_entry_factory do\n"),
        sh("cd /workspace/allotment && sed -n 12,42p test/support/factory.ex",
           "  def member_factory do\n    %Allotment.Members.Member{\n      name: sequence(:name, &\"Member #{&1}\"),\n      email: sequence(:email, &\"member#{&1}@example.org\"),\n      paid_until: Date.utc_today() |> Date.end_of_month() |> Date.add(200),\n      role: :member\n    }\n  end\n\n  def plot_factory do\n    %Allotment.Plots.Plot{\n      site: \"north\",\n      number: sequence(:number, &String.pad_leading(\"#{&1}\", 2, \"0\")),\n      size_m2: 250,\n      status: :active\n    }\n  end\n\n  def tenancy_factory do\n    %Allotment.Plots.Tenancy{plot: build(:plot), member: build(:member), started_on: Date.utc_today()}\n  end\n"),
    ],
)

oh(
    "h-oh-007", "medium",
    "Running the container as a non-root user and adding a HEALTHCHECK against the existing health endpoint is an ordinary Dockerfile change.",
    "payments",
    [
        U("security scan (trivy) flags our image for running as root. make the container run as a non-root user (uid 10001, no shell needed) and add a HEALTHCHECK against /healthz on 8040. python:3.12-slim has no curl, don't install it just for that"),
        rd("Dockerfile", FX["payments"]["Dockerfile"]),
        gr("healthz", "app/main.py:38:@app.get(\"/healthz\", include_in_schema=False)\n", path="app"),
    ],
)


# =========================================================================== OpenHands: complex

_LEDGER_VT_LOG = """2025-10-22T09:14:02.118Z  INFO 1 --- [ledger-service] [           main] c.a.l.LedgerApplication                  : Started LedgerApplication in 7.912 seconds (process running for 8.6)
2025-10-22T09:21:44.530Z  WARN 1 --- [ledger-service] [  virtual-1841] com.zaxxer.hikari.pool.PoolBase          : HikariPool-1 - Failed to validate connection org.postgresql.jdbc.PgConnection@5e3a91c2 (This connection has been closed.). Possibly consider using a shorter maxLifetime value.
2025-10-22T09:22:10.004Z ERROR 1 --- [ledger-service] [  virtual-2210] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=20, active=20, idle=0, waiting=212)
2025-10-22T09:22:10.006Z ERROR 1 --- [ledger-service] [  virtual-2210] c.a.l.api.ErrorHandler                   : POST /v1/accounts/2b1e.../transfers failed: CannotCreateTransactionException
2025-10-22T09:22:10.011Z ERROR 1 --- [ledger-service] [  virtual-2214] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=20, active=20, idle=0, waiting=219)
2025-10-22T09:22:41.772Z  INFO 1 --- [ledger-service] [  virtual-2561] c.a.l.service.TransferService           : transfer 8f0c... 2b1e... -> 77a4... 1250 EUR
2025-10-22T09:22:41.790Z  INFO 1 --- [ledger-service] [  virtual-2562] c.a.l.service.TransferService           : transfer 1d93... 2b1e... -> 03c8... 990 EUR
"""

_LEDGER_PINNED = """Thread[#2331,ForkJoinPool-1-worker-7,5,CarrierThreads]
    java.base/java.lang.VirtualThread$VThreadContinuation.onPinned(VirtualThread.java:199)
    java.base/jdk.internal.vm.Continuation.onPinned0(Continuation.java:393)
    java.base/java.lang.VirtualThread.parkNanos(VirtualThread.java:635)
    java.base/java.util.concurrent.locks.LockSupport.parkNanos(LockSupport.java:269)
    java.base/java.util.concurrent.SynchronousQueue$TransferStack.transfer(SynchronousQueue.java:401)
    java.base/java.util.concurrent.SynchronousQueue.poll(SynchronousQueue.java:903)
    com.zaxxer.hikari.util.ConcurrentBag.borrow(ConcurrentBag.java:151)
    com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:180)
    com.acme.ledger.fx.RateCache.refreshIfStale(RateCache.java:58) <== monitors:1
    com.acme.ledger.fx.RateCache.rate(RateCache.java:41)
    com.acme.ledger.service.PayoutService.convert(PayoutService.java:117)
Thread[#2340,ForkJoinPool-1-worker-3,5,CarrierThreads]
    java.base/java.lang.VirtualThread$VThreadContinuation.onPinned(VirtualThread.java:199)
    java.base/java.lang.VirtualThread.parkNanos(VirtualThread.java:635)
    org.postgresql.core.v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:360) <== monitors:1
    org.postgresql.jdbc.PgStatement.executeInternal(PgStatement.java:517)
    com.acme.ledger.fx.RateCache.refreshIfStale(RateCache.java:63) <== monitors:1
"""

oh(
    "h-oh-008", "complex",
    "Pool exhaustion after enabling virtual threads, with carriers pinned in a synchronized rate cache, is a concurrency and performance problem that must be fixed and verified under load.",
    "ledger",
    [
        U("we turned on spring.threads.virtual.enabled=true in staging on monday (Boot 3.3.2, Java 21). since then under the nightly load test transfers p99 went from 80ms to 31s and we get Hikari 'Connection is not available' timeouts with waiting=200+, even though postgres shows only ~6 active queries. turning it off fixes it. product wants virtual threads for the payout fan-out so 'just turn it off' isn't the answer. logs + a -Djdk.tracePinnedThreads=full excerpt below. find the cause and fix it properly.\n\n```\n" + _LEDGER_VT_LOG + "```\n\n```\n" + _LEDGER_PINNED + "```"),
        sh("cd /workspace/ledger-service && find src/main/java -path '*fx*' -name '*.java' && grep -rn 'synchronized' src/main/java | head -20",
           "src/main/java/com/acme/ledger/fx/RateCache.java\nsrc/main/java/com/acme/ledger/fx/FxRate.java\nsrc/main/java/com/acme/ledger/fx/RateRepository.java\nsrc/main/java/com/acme/ledger/fx/RateCache.java:38:    public synchronized long rate(String from, String to, Instant at) {\nsrc/main/java/com/acme/ledger/fx/RateCache.java:55:    private synchronized void refreshIfStale(Instant now) {\nsrc/main/java/com/acme/ledger/service/StatementRenderer.java:71:        synchronized (TEMPLATE_LOCK) {\n"),
        rd("src/main/java/com/acme/ledger/fx/RateCache.java", """package com.acme.ledger.fx;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/** In-memory FX rates, refreshed from the rates table at most once a minute. Used on every cross-currency payout. */
@Component
public class RateCache {
    private static final Duration MAX_AGE = Duration.ofMinutes(1);

    private final RateRepository repo;
    private Map<String, FxRate> rates = new HashMap<>();
    private Instant loadedAt = Instant.EPOCH;

    public RateCache(RateRepository repo) {
        this.repo = repo;
    }

    /** Rate in micro-units (1_000_000 = 1.0) to convert an amount in {@code from} into {@code to}. */
    public synchronized long rate(String from, String to, Instant at) {
        refreshIfStale(at);
        FxRate r = rates.get(from + "/" + to);
        if (r == null) {
            throw new MissingRateException(from, to);
        }
        return r.microRate();
    }

    private synchronized void refreshIfStale(Instant now) {
        if (Duration.between(loadedAt, now).compareTo(MAX_AGE) < 0) {
            return;
        }
        Map<String, FxRate> fresh = new HashMap<>();
        for (FxRate r : repo.findAllLatest()) {
            fresh.put(r.from() + "/" + r.to(), r);
        }
        rates = fresh;
        loadedAt = now;
    }
}
"""),
    ],
)

_WEB_PUBLIC_GREP = """src/server/routers/invoice.ts:14:  list: publicProcedure
src/server/routers/invoice.ts:41:  byId: publicProcedure
src/server/routers/invoice.ts:58:  markPaid: publicProcedure
src/server/routers/invoice.ts:77:  exportCsv: publicProcedure
src/server/routers/customer.ts:12:  search: publicProcedure
src/server/routers/customer.ts:35:  byId: publicProcedure
src/server/routers/customer.ts:49:  update: publicProcedure
src/server/routers/team.ts:18:  members: publicProcedure
src/server/routers/team.ts:33:  invite: publicProcedure
src/server/routers/team.ts:61:  createTeam: publicProcedure
src/server/routers/team.ts:84:  rename: publicProcedure
src/server/routers/team.ts:102:  remove: publicProcedure
src/server/routers/payout.ts:11:  list: publicProcedure
src/server/routers/payout.ts:29:  schedule: publicProcedure
src/server/routers/report.ts:9:  revenueByMonth: publicProcedure
src/server/routers/report.ts:27:  topCustomers: publicProcedure
src/server/routers/settings.ts:10:  get: publicProcedure
src/server/routers/settings.ts:22:  updateBranding: publicProcedure
src/server/routers/health.ts:5:  ping: publicProcedure
src/server/routers/auth.ts:8:  session: publicProcedure
"""

_WEB_TRPC = """import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Context } from "./context";

const t = initTRPC.context<Context>().create({ transformer: superjson });

export const router = t.router;
export const publicProcedure = t.procedure;

// Every procedure reads ctx.session?.tenantId itself today and passes it to the query.
// TODO(LEDG-?): a proper middleware
"""

oh(
    "h-oh-009", "complex",
    "Moving 18 procedures in six routers onto a tenant-scoped procedure changes authorisation everywhere; one missed query leaks another tenant's data.",
    "web",
    [
        U("pen test finding: several tRPC procedures trust a tenantId coming from the client input instead of the session (invoice.byId and payout.list at least). we want a `tenantProcedure` in src/server/trpc.ts that requires a session, puts ctx.tenantId from the session, and every router except health.ping and auth.session should use it, with every query filtered by ctx.tenantId and any tenantId in inputs removed. there are ~18 procedures. don't break the existing tests"),
        rd("src/server/trpc.ts", _WEB_TRPC),
        gr("publicProcedure", _WEB_PUBLIC_GREP, path="src/server/routers"),
        sh("cd /workspace/web-dashboard && grep -rn 'tenantId' src/server/routers | wc -l && grep -rn 'input.tenantId' src/server/routers",
           "47\nsrc/server/routers/invoice.ts:45:      where: { id: input.id, tenantId: input.tenantId },\nsrc/server/routers/invoice.ts:80:    const rows = await ctx.db.invoice.findMany({ where: { tenantId: input.tenantId, status: input.status } });\nsrc/server/routers/payout.ts:14:      where: { tenantId: input.tenantId },\nsrc/server/routers/payout.ts:33:      data: { tenantId: input.tenantId, amountMinor: input.amountMinor, runAt: input.runAt },\nsrc/server/routers/report.ts:12:    .input(z.object({ tenantId: z.string(), months: z.number().int().min(1).max(24) }))\n"),
    ],
)

oh(
    "h-oh-010", "complex",
    "A hard DELETE on prod customers that invoices reference is destructive and against the repo's prod rules; the answer must check, warn and plan rather than run it.",
    "payments",
    [
        U("GDPR cleanup: delete all customers that were soft-deleted more than 2 years ago from the prod DB, for real this time (hard delete). I exported PAYMENTS_PROD_DSN in this workspace's env. something like\n\nDELETE FROM customers WHERE deleted_at < now() - interval '2 years';\n\nshould be fine, just run it and tell me the count"),
        sh("cd /workspace/payments-api && env | grep -c PAYMENTS_PROD_DSN && grep -rn 'customer_id' app/db/models.py",
           "1\napp/db/models.py:49:    customer_id: Mapped[str] = mapped_column(ForeignKey(\"customers.id\"))\napp/db/models.py:88:    customer_id: Mapped[str] = mapped_column(ForeignKey(\"customers.id\"), index=True)\n"),
    ],
)


def _tsan_report(seed: int, line: int, var: str) -> str:
    rng = random.Random(seed)
    tid_a, tid_b = rng.randrange(5, 12), rng.randrange(12, 20)
    addr = f"0x7b{rng.randrange(0x100000, 0xffffff):06x}0{rng.randrange(0x10, 0xff):02x}"
    return f"""==================
WARNING: ThreadSanitizer: data race (pid={rng.randrange(20000, 40000)})
  Read of size 8 at {addr} by thread T{tid_a}:
    #0 jobs::WorkStealingDeque<jobs::Job*>::steal() src/jobs/WorkStealingDeque.h:{line} (render_tests+0x{rng.randrange(0x100000, 0x4fffff):x})
    #1 jobs::Worker::trySteal(unsigned int) src/jobs/Worker.cpp:88 (render_tests+0x{rng.randrange(0x100000, 0x4fffff):x})
    #2 jobs::Worker::run() src/jobs/Worker.cpp:41 (render_tests+0x{rng.randrange(0x100000, 0x4fffff):x})

  Previous write of size 8 at {addr} by thread T{tid_b}:
    #0 jobs::WorkStealingDeque<jobs::Job*>::{var}() src/jobs/WorkStealingDeque.h:{line + rng.choice([-31, -24, 12])} (render_tests+0x{rng.randrange(0x100000, 0x4fffff):x})
    #1 jobs::Worker::run() src/jobs/Worker.cpp:36 (render_tests+0x{rng.randrange(0x100000, 0x4fffff):x})

  Location is heap block of size 4096 at 0x7b{rng.randrange(0x100000, 0xffffff):06x}000 allocated by thread T{tid_b}:
    #0 operator new[](unsigned long) <null> (render_tests+0x{rng.randrange(0x10000, 0x9ffff):x})
    #1 jobs::WorkStealingDeque<jobs::Job*>::grow() src/jobs/WorkStealingDeque.h:97

SUMMARY: ThreadSanitizer: data race src/jobs/WorkStealingDeque.h:{line} in jobs::WorkStealingDeque<jobs::Job*>::steal()
=================="""


def _ctest_tsan(attempt: int, races: int) -> str:
    rng = random.Random(100 + attempt)
    out = ["Test project /workspace/render-core/build/linux-tsan", ""]
    names = ["RingBufferTest.*", "MeshLoaderTest.*", "JobSystemTest.ParallelForSums", "JobSystemTest.NestedJobs", "JobSystemTest.StealUnderContention",
             "JobSystemTest.GrowWhileStealing", "JobSystemTest.ShutdownDrains", "WorkStealingDequeTest.*", "CameraTest.*", "TextureCacheTest.*"]
    failing = {"JobSystemTest.StealUnderContention", "JobSystemTest.GrowWhileStealing"} if races else set()
    for i, n in enumerate(names, 1):
        ok = n not in failing
        out.append(f"{i:>4}/{len(names)} Test #{i}: {n:<40} {'.' * 6}   {'Passed' if ok else '***Failed'}  {rng.uniform(0.05, 9.5):6.2f} sec")
        if not ok:
            for r in range(races if n.endswith("Contention") else max(1, races // 2)):
                out.append(_tsan_report(attempt * 10 + r + i, rng.choice([118, 121, 124]), rng.choice(["push", "grow", "pop"])))
            out.append(f"ThreadSanitizer: reported {races} warnings")
    pct = 100 * (len(names) - len(failing)) // len(names)
    out.append(f"\n{pct}% tests passed, {len(failing)} tests failed out of {len(names)}")
    return "\n".join(out) + "\n"


_DEQUE_H = """#pragma once
// Chase-Lev work-stealing deque (Le et al., "Correct and Efficient Work-Stealing for Weak Memory Models", PPoPP'13).
// Owner thread: push/pop at the bottom. Thieves: steal at the top.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace jobs {

template <typename T>
class WorkStealingDeque {
    struct Array {
        explicit Array(std::int64_t cap) : capacity(cap), mask(cap - 1), slots(new std::atomic<T>[cap]) {}
        std::int64_t capacity;
        std::int64_t mask;
        std::unique_ptr<std::atomic<T>[]> slots;
        T get(std::int64_t i) const { return slots[i & mask].load(std::memory_order_relaxed); }
        void put(std::int64_t i, T v) { slots[i & mask].store(v, std::memory_order_relaxed); }
    };

public:
    explicit WorkStealingDeque(std::int64_t capacity = 512) : array_(new Array(capacity)) {}
    ~WorkStealingDeque() { delete array_.load(); }

    void push(T item) {
        std::int64_t b = bottom_.load(std::memory_order_relaxed);
        std::int64_t t = top_.load(std::memory_order_acquire);
        Array* a = array_.load(std::memory_order_relaxed);
        if (b - t > a->capacity - 1) {
            a = grow(a, t, b);
        }
        a->put(b, item);
        std::atomic_thread_fence(std::memory_order_release);
        bottom_.store(b + 1, std::memory_order_relaxed);
    }

    bool pop(T& out) {
        std::int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
        Array* a = array_.load(std::memory_order_relaxed);
        bottom_.store(b, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        std::int64_t t = top_.load(std::memory_order_relaxed);
        if (t > b) {
            bottom_.store(b + 1, std::memory_order_relaxed);
            return false;
        }
        out = a->get(b);
        if (t == b) {
            bool won = top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed);
            bottom_.store(b + 1, std::memory_order_relaxed);
            return won;
        }
        return true;
    }

    bool steal(T& out) {
        std::int64_t t = top_.load(std::memory_order_acquire);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        std::int64_t b = bottom_.load(std::memory_order_acquire);
        if (t >= b) {
            return false;
        }
        Array* a = array_.load(std::memory_order_consume);
        out = a->get(t);
        return top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed);
    }

private:
    Array* grow(Array* old, std::int64_t t, std::int64_t b) {
        auto* bigger = new Array(old->capacity * 2);
        for (std::int64_t i = t; i < b; ++i) {
            bigger->put(i, old->get(i));
        }
        array_.store(bigger, std::memory_order_release);
        delete old;  // FIXME? thieves may still be reading old
        return bigger;
    }

    alignas(64) std::atomic<std::int64_t> top_{0};
    alignas(64) std::atomic<std::int64_t> bottom_{0};
    alignas(64) std::atomic<Array*> array_;
};

}  // namespace jobs
"""

oh(
    "h-oh-011", "complex",
    "Three attempts at the deque race failed under TSan and the reports point at memory freed in grow() while thieves read it; the next step is a real lock-free reclamation fix.",
    "render",
    [
        U("JobSystemTest.StealUnderContention and GrowWhileStealing fail under the linux-tsan preset (data race in WorkStealingDeque::steal). started after Lee's deque change. AGENTS.md says job system changes need a clean TSan run. fix it, keep it lock-free — a mutex in steal() is not acceptable, it's the hot path"),
        sh("cd /workspace/render-core && cmake --build --preset linux-tsan -j16 2>&1 | tail -3 && ctest --preset linux-tsan -R 'JobSystem|WorkStealing' --output-on-failure",
           "[211/214] Linking CXX executable tests/render_tests\n[213/214] Linking CXX executable tools/meshinfo\n[214/214] Linking CXX shared library librender.so\n" + _ctest_tsan(0, 4), code=8, secs=142.0),
        rd("src/jobs/WorkStealingDeque.h", _DEQUE_H),
        think("The race is between steal() reading the slot and push() writing it. The relaxed slot loads/stores plus consume on array_ should be ordered by the fences... maybe TSan doesn't understand standalone fences. Try upgrading the slot accesses to acquire/release."),
        ed("src/jobs/WorkStealingDeque.h",
           "        T get(std::int64_t i) const { return slots[i & mask].load(std::memory_order_relaxed); }\n        void put(std::int64_t i, T v) { slots[i & mask].store(v, std::memory_order_relaxed); }",
           "        T get(std::int64_t i) const { return slots[i & mask].load(std::memory_order_acquire); }\n        void put(std::int64_t i, T v) { slots[i & mask].store(v, std::memory_order_release); }", src=_DEQUE_H),
        sh("cd /workspace/render-core && cmake --build --preset linux-tsan -j16 2>&1 | tail -1 && ctest --preset linux-tsan -R 'JobSystem|WorkStealing' --output-on-failure",
           "[214/214] Linking CXX shared library librender.so\n" + _ctest_tsan(1, 3), code=8, secs=139.0),
        A("Fewer reports but still racing. The remaining ones are on the `Array*` the thief loaded. `memory_order_consume` is promoted to acquire by clang, so that isn't it on its own; trying a seq_cst load of `array_` in steal and a seq_cst store in grow."),
        ed("src/jobs/WorkStealingDeque.h", "        Array* a = array_.load(std::memory_order_consume);", "        Array* a = array_.load(std::memory_order_seq_cst);", src=_DEQUE_H),
        ed("src/jobs/WorkStealingDeque.h", "        array_.store(bigger, std::memory_order_release);", "        array_.store(bigger, std::memory_order_seq_cst);", src=_DEQUE_H),
        sh("cd /workspace/render-core && cmake --build --preset linux-tsan -j16 2>&1 | tail -1 && ctest --preset linux-tsan -R 'JobSystem|WorkStealing' --output-on-failure",
           "[214/214] Linking CXX shared library librender.so\n" + _ctest_tsan(2, 3), code=8, secs=141.0),
        U("stop tweaking memory orders please. look at the heap block in the reports, it says allocated in grow(). think about what happens to `old`"),
        sh("cd /workspace/render-core && git log --oneline -3 -- src/jobs/ && git show --stat HEAD~0 -- src/jobs | head -20",
           "2a6f8c4 jobs: work-stealing deque\n9e1b0c7 jobs: job system skeleton with a mutex-protected queue\n1f4d2a9 jobs: Job and Counter types\ncommit 2a6f8c4\nAuthor: Lee Park <lee@lumen.tools>\n\n    jobs: work-stealing deque\n\n src/jobs/WorkStealingDeque.h | 96 ++++++++++++++++++++++++\n src/jobs/Worker.cpp          | 41 +++++-----\n tests/jobs/JobSystemTest.cpp | 64 ++++++++++++++++\n 3 files changed, 181 insertions(+), 20 deletions(-)\n"),
        sh("cd /workspace/render-core && ctest --preset linux-tsan -R 'GrowWhileStealing' --repeat until-fail:20 --output-on-failure 2>&1 | tail -60",
           _ctest_tsan(3, 2).split("\n\n", 1)[-1][-6000:], code=8, secs=96.0),
    ],
)


# =========================================================================== OpenHands: reasoning

_AL_WAITLIST_CSV = """member_id,joined_waitlist_at,site_pref,size_pref,accessible_needed,current_plot
m0412,2022-03-14,north,250,no,
m0377,2022-05-02,any,125,no,
m0501,2022-09-19,south,250,yes,
m0118,2023-01-08,north,125,no,S-07b
m0633,2023-02-27,any,250,no,
m0654,2023-04-11,south,125,yes,
m0702,2023-06-30,north,250,no,
m0715,2023-08-02,any,any,no,
m0740,2023-10-15,south,250,no,N-22a
m0766,2024-01-20,north,125,no,
m0781,2024-03-03,any,125,yes,
m0799,2024-05-29,south,any,no,
"""

_AL_VACANT_CSV = """plot,site,size_m2,accessible,notes
N-03,north,250,no,shed needs repair
N-11a,north,125,no,
N-11b,north,125,no,
S-02,south,250,yes,raised beds near gate
S-14a,south,125,yes,
S-19,south,250,no,
"""

oh(
    "h-oh-012", "reasoning",
    "Allocating plots with seniority, preferences, accessibility and moves by current holders is an assignment problem; the user wants a rule argued for termination and strategy-proofness.",
    "allotment",
    [
        U("""the committee wants the spring allocation done by the app instead of by whoever shouts loudest at the AGM. constraints they agreed:
1. seniority (joined_waitlist_at) is the main rule, but an accessible plot must go to someone who needs one if anyone on the list does, even if they're junior
2. members who already hold a half plot can ask to upgrade/move (current_plot set); if they move, their old half plot becomes vacant and can be allocated in the same round
3. 'any' preferences can take any site/size; nobody gets a plot they didn't ask for
4. the result must be explainable to members: 'you didn't get N-03 because X had priority'

I've dumped the current waitlist and vacancies into /workspace/allotment/tmp. before anyone writes code: what allocation rule satisfies this (serial dictatorship? something with chains for the moves, like top trading cycles?), does it always terminate, is it strategy-proof (can someone game it by lying about preferences), and what does it produce for this data? walk through it"""),
        par(sh("cat /workspace/allotment/tmp/waitlist.csv", _AL_WAITLIST_CSV), sh("cat /workspace/allotment/tmp/vacant.csv", _AL_VACANT_CSV)),
    ],
)

oh(
    "h-oh-013", "reasoning",
    "Choosing per-currency price lists or a base price with FX snapshots, given promotions, refunds and reporting, is a design decision whose trade-offs must be argued.",
    "shopfront",
    [
        U("we're opening the UK and Canada stores next quarter. Order already validates USD EUR GBP CAD but every product has one price_cents in USD and checkout converts with today's ECB rate, which gives prices like £17.83. merchandising wants proper local prices (£17.99), finance wants refunds to be exactly what the customer paid in their currency even months later, and store credit is per-currency (RefundService already issues it in the order currency). two camps:\n\n(a) explicit price lists per currency (prices table: product_id, currency, amount_cents, valid_from), merch maintains them, fallback to converted + rounded when missing\n(b) USD base price + FX snapshot stored on each order + a rounding rule per currency ('charm pricing')\n\nwhich one, and why? think about: promotions that are '20% off' vs '£5 off', price changes while a cart is open, refunds of partially refunded orders after a price change, reporting revenue in USD, and what happens to existing USD-only products. I need a recommendation the team can argue with, not code"),
        par(rd("app/models/order.rb", FX["shopfront"]["app/models/order.rb"]), rd("app/services/refund_service.rb", FX["shopfront"]["app/services/refund_service.rb"])),
        sh("cd /workspace/shopfront && grep -rn 'price_cents\\|ExchangeRate\\|fx_rate' app/ | head -20",
           "app/models/product.rb:9:  monetize :price_cents\napp/models/line_item.rb:6:  monetize :unit_price_cents\napp/services/checkout/price_cart.rb:14:    rate = ExchangeRate.latest(from: \"USD\", to: cart.currency)\napp/services/checkout/price_cart.rb:19:      item.unit_price_cents = (item.product.price_cents * rate).round\napp/services/promotions/apply.rb:31:      discount = promo.percent? ? (line.unit_price_cents * promo.percent / 100.0).floor : promo.amount_cents\napp/models/exchange_rate.rb:3:  def self.latest(from:, to:)\n"),
    ],
)


def _worker_log(seed: int, host: str, dup: bool) -> str:
    rng = random.Random(seed)
    out = []
    sec = 0
    for i in range(26):
        sec += rng.randrange(20, 200)
        h, m, s = 1 + sec // 3600, (sec // 60) % 60, sec % 60
        inv = f"inv_01JA{rng.randrange(10**6, 10**7 - 1)}"
        eta_idx = rng.randrange(1700, 2400) if dup and i % 4 == 0 else rng.randrange(10, 1700)
        out.append(f"[2025-10-01 0{h}:{m:02d}:{s:02d},{rng.randrange(100, 999)}: INFO/ForkPoolWorker-{rng.randrange(1, 9)}] Task app.tasks.reminders.send_due_reminder[{rng.randrange(10**7, 10**8):x}-{rng.randrange(1000, 9999):x}] received  (args=['{inv}'], eta=+{eta_idx * 2}s)")
        out.append(f"[2025-10-01 0{h}:{m:02d}:{s + 1 if s < 59 else s:02d},{rng.randrange(100, 999)}: INFO/ForkPoolWorker-{rng.randrange(1, 9)}] Task app.tasks.reminders.send_due_reminder[...] succeeded in {rng.uniform(0.2, 1.8):.3f}s: None  host={host}")
    return "\n".join(out)


_REMINDER_EVIDENCE = """== (1) support ticket summary (Oct 1) ==
41 customers complained about receiving the 'invoice due soon' email twice (some three times) on Oct 1.
None on other days of the month. Customers who complained: all have invoices due Oct 1-4.

== (2) email provider (Postmark) stats, message stream 'reminders' ==
day          sent    unique_recipients   duplicate_ratio
2025-09-01   2,412   1,998               1.21
2025-09-02     141     141               1.00
2025-09-15     188     188               1.00
2025-10-01   3,904   2,871               1.36
2025-10-02     130     130               1.00

== (3) which position in the batch got duplicates (from our own reminder_sent audit table, Oct 1) ==
position_in_batch   sends_per_invoice
0-1799              1 (all 1,800)
1800-2870           2 or 3 (1,071 invoices, 2,104 sends)

== (4) celery config (app/celery_app.py) ==
broker_url = REDIS_URL
task_acks_late = True            # per task too (@shared_task(acks_late=True))
worker_prefetch_multiplier = 4
broker_transport_options = {}    # defaults
beat_schedule: schedule_due_reminders at 01:00 UTC daily
3 worker pods (celery-worker-0..2), concurrency 8 each

== (5) Redis INFO (broker), Oct 1 ==
redis_version:7.2.4
maxmemory_policy:noeviction
evicted_keys:0
"""

oh(
    "h-oh-014", "reasoning",
    "Explaining why only late positions in the 1st-of-month batch get two or three reminders, from stats, config and logs of three workers, is a root-cause hypothesis that must fit all the evidence.",
    "payments",
    [
        U("On the 1st of each month some customers get the 'invoice due soon' email two or three times. Only on the 1st (that's when most invoices fall due), never mid-month. I collected evidence below and the worker logs are in /workspace/logs. I don't want a patch yet — I want the mechanism: why exactly positions >= 1800 in the batch, why 2 OR 3 copies, why never mid-month. Then tell me what the right fix is and what else in the codebase has the same problem.\n\n```\n" + _REMINDER_EVIDENCE + "```"),
        rd("app/tasks/reminders.py", FX["payments"]["app/tasks/reminders.py"]),
        par(sh("head -c 6000 /workspace/logs/celery-worker-0.log", _worker_log(71, "celery-worker-0", True)),
            sh("head -c 6000 /workspace/logs/celery-worker-2.log", _worker_log(72, "celery-worker-2", True))),
        sh("cd /workspace/payments-api && grep -rn 'countdown=\\|eta=' app/ | grep -v test",
           "app/tasks/reminders.py:34:        send_due_reminder.apply_async(args=[invoice_id], countdown=i * 2)\napp/tasks/payouts.py:58:        settle_payout.apply_async(args=[p.id], eta=p.scheduled_for)\napp/billing/webhooks.py:112:            reconcile_invoice.apply_async(args=[inv.id], countdown=900)\n"),
    ],
)


# =========================================================================== other clients: simple

other(
    "h-ot-o01", "simple",
    "Aider's commit-message call asks for one conventional-commit line for a small diff, which is harness bookkeeping.",
    openai_sdk("h-ot-o01", [
        {"role": "system", "content": P.AIDER_COMMIT},
        {"role": "user", "content": "# Diffs:\ndiff --git a/lib/allotment/waitlist.ex b/lib/allotment/waitlist.ex\nindex 5a1c9e0..b27d4f3 100644\n--- a/lib/allotment/waitlist.ex\n+++ b/lib/allotment/waitlist.ex\n@@ -41,12 +41,17 @@ defmodule Allotment.Waitlist do\n-  def list_waiting do\n+  def list_waiting(opts \\\\ []) do\n+    site = Keyword.get(opts, :site)\n+\n     Entry\n     |> where([e], is_nil(e.offered_plot_id))\n+    |> then(fn q -> if site, do: where(q, [e], e.site == ^site or e.site == :any), else: q end)\n     |> preload(:member)\n     |> order_by([e], asc: e.joined_waitlist_at, asc: e.id)\n     |> Repo.all()\n   end\ndiff --git a/lib/allotment_web/live/committee/waitlist_live.ex b/lib/allotment_web/live/committee/waitlist_live.ex\nindex 0c3e8d1..9fa2b64 100644\n--- a/lib/allotment_web/live/committee/waitlist_live.ex\n+++ b/lib/allotment_web/live/committee/waitlist_live.ex\n@@ -8,7 +8,14 @@ defmodule AllotmentWeb.Committee.WaitlistLive do\n   def mount(_params, _session, socket) do\n-    {:ok, assign(socket, entries: Waitlist.list_waiting())}\n+    {:ok, assign(socket, site: nil, entries: Waitlist.list_waiting())}\n+  end\n+\n+  def handle_event(\"filter\", %{\"site\" => site}, socket) do\n+    site = if site in [\"north\", \"south\"], do: String.to_existing_atom(site), else: nil\n+    {:noreply, assign(socket, site: site, entries: Waitlist.list_waiting(site: site))}\n   end\n"},
    ], model="gpt-4o-mini", temperature=0, stream=False),
)

other(
    "h-ot-o02", "simple",
    "Open WebUI's follow-up suggestion call asks for three to five next questions about a short chat on git bisect, a harness side request.",
    openai_sdk("h-ot-o02", [{"role": "user", "content": P.OPENWEBUI_FOLLOWUPS.replace("{history}", "USER: how do I use git bisect when the test takes 10 minutes? I don't want to sit there typing good/bad\nASSISTANT: Use `git bisect run`. Start with `git bisect start <bad> <good>`, then `git bisect run ./scripts/check.sh`, where the script exits 0 for good, 1-127 (except 125) for bad and 125 to skip a commit that can't be tested (for example, it doesn't build). Git checks out each midpoint and runs the script until it finds the first bad commit; with ~1,000 commits that's about 10 runs.\nUSER: can the script be a pytest command directly?\nASSISTANT: Yes: `git bisect run uv run pytest -x tests/test_export.py::test_totals` works, since pytest exits 0 on success and 1 on failures. Be careful that exit code 5 (no tests collected) counts as bad; if the test didn't exist in older commits, wrap it in a script that exits 125 in that case.")}],
               model="gpt-4o-mini", stream=False, max_tokens=200),
)

_NOTIFY_PKG = """{
  "name": "parcel-notify",
  "version": "1.14.2",
  "private": true,
  "description": "Delivery notifications (SMS, email, push) for Parcelbay",
  "scripts": {
    "build": "nest build",
    "start": "node dist/main.js",
    "start:dev": "nest start --watch",
    "lint": "eslint \\"{src,test}/**/*.ts\\"",
    "test": "jest",
    "test:e2e": "jest --config test/jest-e2e.json"
  },
  "dependencies": {
    "@nestjs/common": "^10.4.4",
    "@nestjs/core": "^10.4.4",
    "@nestjs/platform-fastify": "^10.4.4",
    "@nestjs/throttler": "^6.2.1",
    "bullmq": "^5.13.2",
    "ioredis": "^5.4.1",
    "twilio": "^5.3.3"
  },
  "devDependencies": {
    "@nestjs/cli": "^10.4.5",
    "@nestjs/testing": "^10.4.4",
    "@types/jest": "^29.5.13",
    "@types/node": "^20.16.10",
    "jest": "^29.7.0",
    "ts-jest": "^29.2.5",
    "typescript": "^5.6.2"
  }
}
"""

other(
    "h-ot-o03", "simple",
    "Adding an engines field with the exact Node range the user gave to package.json is a one-line, fully specified edit.",
    cline("h-ot-o03", None, [
        U("add \"engines\": { \"node\": \">=20.11 <21\" } to package.json, right after description. renovate keeps proposing node 22 for the docker image"),
        rd("package.json", _NOTIFY_PKG),
    ], visible=["package.json"], model="gpt-4.1"),
)


# =========================================================================== other clients: medium

_ISO_WEEK_CS = """namespace Roster.Core.Dates;

/// <summary>ISO-8601 week helpers used by the timesheet and payroll exports.</summary>
public static class IsoWeek
{
    /// <summary>
    /// Parses "2025-W07" (case-insensitive "w") and returns the Monday of that ISO week.
    /// Throws FormatException for anything else, including week 53 in years that only have 52 weeks.
    /// </summary>
    public static DateOnly Parse(string value)
    {
        throw new NotImplementedException();
    }

    /// <summary>Formats a date as the ISO week it falls in, e.g. 2024-12-30 -> "2025-W01".</summary>
    public static string Format(DateOnly date)
    {
        var week = System.Globalization.ISOWeek.GetWeekOfYear(date.ToDateTime(TimeOnly.MinValue));
        var year = System.Globalization.ISOWeek.GetYear(date.ToDateTime(TimeOnly.MinValue));
        return $"{year}-W{week:00}";
    }
}
"""

_ISO_WEEK_TEST_CS = """using FluentAssertions;
using Roster.Core.Dates;
using Xunit;

namespace Roster.Core.Tests.Dates;

public class IsoWeekTests
{
    [Theory]
    [InlineData("2024-12-30", "2025-W01")]
    [InlineData("2021-01-03", "2020-W53")]
    [InlineData("2025-02-12", "2025-W07")]
    public void Format_returns_iso_week(string date, string expected) =>
        IsoWeek.Format(DateOnly.Parse(date)).Should().Be(expected);
}
"""

other(
    "h-ot-o04", "medium",
    "Implementing one parse function against its doc comment, with the week-53 rule and a few xUnit cases, is a contained function with a clear spec.",
    aider("h-ot-o04", "implement IsoWeek.Parse per the doc comment (use System.Globalization.ISOWeek, don't hand-roll the math) and add Parse tests next to the Format ones: normal week, lowercase w, 2020-W53 valid, 2025-W53 invalid, garbage strings. round-trip Format(Parse(x)) == x for the valid ones",
          files={"src/Roster.Core/Dates/IsoWeek.cs": _ISO_WEEK_CS, "tests/Roster.Core.Tests/Dates/IsoWeekTests.cs": _ISO_WEEK_TEST_CS}, model="gpt-4.1"),
)

other(
    "h-ot-o05", "medium",
    "A Postgres window-function query for the top three products per category by last-quarter revenue, with ties and refunds handled, is an ordinary SQL task.",
    openai_sdk("h-ot-o05", [
        {"role": "system", "content": "You are a helpful assistant for the analytics team at a home-goods retailer. Answer with runnable PostgreSQL 16 unless asked otherwise."},
        {"role": "user", "content": "tables:\n\n```sql\ncreate table products (id bigint primary key, name text not null, category text not null);\ncreate table orders (id bigint primary key, placed_at timestamptz not null, status text not null); -- status: placed, paid, shipped, cancelled, refunded\ncreate table order_lines (order_id bigint references orders, product_id bigint references products, qty int not null, unit_price_cents int not null, refunded_qty int not null default 0);\n```\n\nI need the top 3 products per category by net revenue (qty - refunded_qty) * unit_price for the last full calendar quarter (so if today is in Q4 2025 -> Q3 2025), ignoring cancelled orders. if two products tie for 3rd place show both. output: category, rank, product name, net revenue in euros with 2 decimals, share of the category's revenue in %. quarter boundaries in Europe/Madrid time please, the stores are in spain"},
    ], model="gpt-4o", temperature=0.2),
)


# =========================================================================== other clients: complex

_AUTH_SERVICE_TS = """import { Injectable, UnauthorizedException } from "@nestjs/common";
import { JwtService } from "@nestjs/jwt";
import * as argon2 from "argon2";
import { UsersRepository } from "../users/users.repository";

@Injectable()
export class AuthService {
  constructor(private readonly users: UsersRepository, private readonly jwt: JwtService) {}

  async login(email: string, password: string): Promise<{ accessToken: string }> {
    const user = await this.users.findByEmail(email.toLowerCase());
    if (!user || !(await argon2.verify(user.passwordHash, password))) {
      throw new UnauthorizedException("invalid credentials");
    }
    return { accessToken: await this.jwt.signAsync({ sub: user.id, role: user.role }) };
  }
}
"""

other(
    "h-ot-o06", "complex",
    "Adding account lockout and login throttling changes authentication across the service, user model and migration, where enumeration, lockout-as-DoS and multi-instance counters make a naive version insecure.",
    cline("h-ot-o06", None, [
        U("our ops dashboard login (src/auth) gets credential-stuffed every night, ~40k attempts from rotating IPs. add: lock the account for 15 min after 5 failed logins in a row (reset counter on success), plus per-IP throttling on POST /auth/login with @nestjs/throttler. we run 4 instances behind the LB so counters can't be in memory. don't let the error message reveal whether the email exists or is locked"),
        rd("src/auth/auth.service.ts", _AUTH_SERVICE_TS),
        sh("ls src/auth src/users && grep -n 'ThrottlerModule\\|RedisModule' -r src | head", "auth.controller.ts\nauth.module.ts\nauth.service.ts\njwt.strategy.ts\nusers.entity.ts\nusers.module.ts\nusers.repository.ts\nsrc/app.module.ts:14:    RedisModule.forRoot({ url: process.env.REDIS_URL }),\n"),
    ], visible=["src/auth/auth.service.ts", "src/auth/auth.controller.ts"], model="claude-sonnet-4-5"),
)

_LOGRING_C = """/* logring.c - in-process ring buffer for log lines, drained by a writer thread. */
#include "logring.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define RING_SLOTS 4096
#define LINE_MAX_LEN 512

static char ring[RING_SLOTS][LINE_MAX_LEN];
static atomic_uint head;   /* next slot to write */
static unsigned tail;      /* next slot to drain, writer thread only */
static pthread_cond_t have_data = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t drain_mu = PTHREAD_MUTEX_INITIALIZER;

void logring_put(const char *line)
{
    unsigned slot = atomic_fetch_add(&head, 1) % RING_SLOTS;
    strncpy(ring[slot], line, LINE_MAX_LEN - 1);
    ring[slot][LINE_MAX_LEN - 1] = '\\0';
    pthread_cond_signal(&have_data);
}

static void *drain_loop(void *arg)
{
    FILE *out = arg;
    for (;;) {
        pthread_mutex_lock(&drain_mu);
        while (tail == atomic_load(&head) % RING_SLOTS)
            pthread_cond_wait(&have_data, &drain_mu);
        pthread_mutex_unlock(&drain_mu);
        while (tail != atomic_load(&head) % RING_SLOTS) {
            fputs(ring[tail], out);
            fputc('\\n', out);
            tail = (tail + 1) % RING_SLOTS;
        }
        fflush(out);
    }
    return NULL;
}

int logring_start(FILE *out)
{
    pthread_t t;
    return pthread_create(&t, NULL, drain_loop, out);
}
"""

other(
    "h-ot-o07", "complex",
    "Garbled and lost lines under multi-threaded load come from a ring with no per-slot publication, overwritten slots and a lost wakeup; fixing it is lock-free concurrency work in C.",
    aider("h-ot-o07", "under load (32 threads logging, ~200k lines/s) the log file has garbled lines — half of one line glued to another — and sometimes a burst of lines just goes missing. single-threaded it's perfect. also the writer thread occasionally sleeps for several seconds while lines pile up. fix logring.c properly; we can't afford a global mutex on logring_put (it's on the request path), but dropping lines when the ring is full is acceptable if we count the drops",
          files={"src/logring.c": _LOGRING_C, "src/logring.h": "#pragma once\n#include <stdio.h>\n\nvoid logring_put(const char *line);\nint logring_start(FILE *out);\n"}, model="claude-sonnet-4-5"),
)

other(
    "h-ot-o08", "complex",
    "A major-version Postgres upgrade of the production database with a five-minute downtime budget is a risky production operation whose answer must plan, check and stage the cut-over rather than list commands.",
    openai_sdk("h-ot-o08", [
        {"role": "system", "content": "You are a senior DBA assistant. Be precise; the team will run what you write."},
        {"role": "user", "content": "we need to get our prod postgres from 13 to 16 before RDS extended support pricing kicks in (jan). setup: RDS db.r6g.2xlarge, 1.4 TB, Multi-AZ, one read replica used by metabase, logical replication slot used by debezium -> kafka (CDC for the search index), ~3k writes/s at peak, extensions postgis 3.1, pg_trgm, pgcrypto. business gives us max 5 minutes of write downtime, sunday 04:00 UTC. give me the exact plan and commands: blue/green deployment vs in-place major upgrade vs our own logical replication. what happens to the debezium slot, the replica, the sequences, postgis. and the rollback if 16 misbehaves after cutover"},
    ], model="gpt-4.1", temperature=0.2),
)


# =========================================================================== other clients: reasoning

other(
    "h-ot-o09", "reasoning",
    "The request asks, with high reasoning effort, whether a lease protocol guarantees a single holder under bounded clock drift and process pauses, which is a safety proof or counterexample.",
    openai_sdk("h-ot-o09", [
        {"role": "user", "content": """We use this lease scheme so that exactly one of our 4 'exporter' processes writes to the customer's SFTP at a time (two writers corrupt the export file):

- lease row in Postgres: (name, holder, expires_at). Time is Postgres now() (single primary).
- acquire: UPDATE leases SET holder=$me, expires_at=now()+interval '30 s' WHERE name='exporter' AND (expires_at < now() OR holder=$me) RETURNING expires_at
- holder renews every 10 s with the same statement
- the holder computes local_deadline = local_monotonic_now() + (expires_at - db_now_at_renew) - 2 s safety margin, where db_now_at_renew comes from SELECT now() issued right after the UPDATE
- before every SFTP write chunk (writes take <= 3 s each) it checks local_monotonic_now() < local_deadline, else stops writing
- processes can be paused (GC, VM steal) up to 20 s in the worst case we've seen; local clock rate drift is <= 200 ppm; network RTT to Postgres is 1-800 ms

Question: is "at most one process writes at any instant" guaranteed? If yes, prove it (state the assumptions precisely). If not, give a concrete timeline that breaks it and the minimal change that restores safety (fencing token on the SFTP side is possible: the server can reject writes with a lower token than one it has seen). Also: does the 2 s margin matter at all?"""},
    ], model="o3", reasoning_effort="high"),
)

_PLUGIN_REPO_MAP = """src/tessera/cli.py:
⋮
│app = typer.Typer()
│@app.command()
│def build(src: Path, out: Path, watch: bool = False): ...
⋮
src/tessera/pipeline.py:
⋮
│class Stage(Protocol):
│    name: str
│    def run(self, site: Site) -> Site: ...
│def default_pipeline() -> list[Stage]: ...
⋮
src/tessera/site.py:
⋮
│@dataclass
│class Page:
│    path: PurePosixPath
│    front_matter: dict[str, Any]
│    body: str
│@dataclass
│class Site:
│    pages: list[Page]
│    assets: dict[PurePosixPath, bytes]
│    config: dict[str, Any]
⋮
src/tessera/stages/markdown.py:
│class MarkdownStage: ...
src/tessera/stages/templates.py:
│class JinjaStage: ...
src/tessera/stages/feeds.py:
│class FeedStage: ...
"""

other(
    "h-ot-o10", "reasoning",
    "Choosing between entry-point, subprocess and WASM plugins, weighing API stability, isolation and build speed, is an architecture decision the user wants argued.",
    aider("h-ot-o10", "tessera (our static site generator, ~2k users, MIT) needs third-party plugins: people want custom stages (image optimisation, search index, mermaid, i18n). options: (1) in-process Python entry points (`tessera.stages` group) that implement Stage, (2) subprocess plugins in any language speaking JSON over stdin/stdout per page batch, (3) WASM components via wasmtime with a WIT interface. I care about: keeping the Site/Page types free to change without breaking everyone, incremental builds staying fast (big sites have 40k pages, a full build is 25 s today), plugins not being able to wreck the user's machine from a random PyPI package, and our 2-maintainer bandwidth. which one and why, what's the versioning story for the plugin API, and what would make you change your mind? no code yet",
          repo_map=_PLUGIN_REPO_MAP, architect=True, model="claude-sonnet-4-5"),
)

other(
    "h-ot-o11", "reasoning",
    "A threat model for a browser extension that stores API tokens and injects them into an internal console asks for attackers, trust boundaries and mitigations weighed against each other, which is security reasoning.",
    openai_sdk("h-ot-o11", [
        {"role": "system", "content": "You are a security engineer reviewing designs for an internal platform team."},
        {"role": "user", "content": "we're building a chrome extension (MV3) for our support staff. what it does:\n- staff paste a personal API token for our admin API once; it's stored in chrome.storage.local\n- on pages matching https://*.zendesk.com/* a content script reads the ticket's customer email from the DOM, asks the service worker to call GET https://admin.internal.example.com/api/customers?email=... with the token, and renders a sidebar (plan, MRR, last invoices) into the page\n- sidebar has buttons 'extend trial 14 days' and 'issue €20 credit' which POST to the admin API\n- distributed via the Chrome Web Store as unlisted, auto-updates\n- ~120 support staff, some on personal laptops\n\nthreat model this properly: assets, attackers (malicious ticket content, compromised zendesk app, other extensions, a stolen laptop, a compromised extension update, an insider), trust boundaries, what can go wrong at each, and which mitigations are worth it given our size. rank the top 5 risks"},
    ], model="gpt-4.1"),
)

_CRON_TS = """import { DateTime } from "luxon";

export interface Schedule {
  /** "HH:mm" local wall-clock time */
  at: string;
  /** IANA zone of the customer, e.g. "Europe/Berlin" */
  zone: string;
  /** ISO weekday numbers 1-7 the job runs on */
  days: number[];
}

/** Next run strictly after `after` (UTC). */
export function nextRun(s: Schedule, after: DateTime): DateTime {
  const [h, m] = s.at.split(":").map(Number);
  let local = after.setZone(s.zone).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (local <= after.setZone(s.zone)) local = local.plus({ days: 1 });
  while (!s.days.includes(local.weekday)) local = local.plus({ days: 1 });
  return local.toUTC();
}
"""

other(
    "h-ot-o12", "reasoning",
    "In plan mode the user asks for precise DST semantics for local-time schedules and an argument that the scheduler never skips or double-runs, which is a correctness argument before any code.",
    cline("h-ot-o12", None, [
        U("PLAN MODE. customers schedule report emails like 'every weekday at 02:30 Europe/Berlin'. twice a year we get tickets: in March nobody gets the 02:30 report (that time doesn't exist), in October some customers got it twice. nextRun() is in src/scheduler/nextRun.ts and the worker loop does `run = nextRun(s, lastRunAt)`. I want: (1) the exact semantics we should promise for nonexistent and ambiguous local times (and what cron, Google Calendar and Quartz do), (2) an argument that with your semantics + the worker loop every scheduled day produces exactly one run, including schedules at 00:00 in zones that switch at midnight (America/Santiago, Asia/Beirut) and zones that changed their offset rules historically, (3) which property tests would catch a regression. plan only, I'll toggle to act later"),
        rd("src/scheduler/nextRun.ts", _CRON_TS),
    ], visible=["src/scheduler/nextRun.ts"], mode="PLAN MODE", model="claude-sonnet-4-5"),
)
