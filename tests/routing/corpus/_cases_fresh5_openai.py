"""Fresh5-split cases (openai dialect): written blind to the router, measured once. See corpus README."""
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
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects written inline for this module


VOLT = Project(
    "voltline", "voltline", "fjordcharge/voltline", "/home/ruth", "/home/ruth/code/voltline", "linux",
    "ruth/stale-sessions",
    "M lib/voltline/charging/session.ex\n?? lib/voltline/workers/",
    "b3e19d0 ocpp: accept MeterValues with Energy.Active.Import.Interval (#402)\n71ac2f4 receipts: Swedish VAT line (#399)\n0d95e3b Phoenix 1.7.14, Oban 2.18 (#396)\n5f2c7a8 sites: per-site time_zone for receipts (#391)\nc8e04b1 charging: energy_wh instead of kwh float (#388)",
    editor="Neovim", shell="zsh",
    notes="""# voltline

Backend for Fjord Charge's public EV chargers (~1,900 connectors on 240 sites in Norway and Sweden).
Elixir 1.17 / OTP 27, Phoenix 1.7, Ecto on Postgres 16, Oban 2.18 for jobs. Chargers speak OCPP 1.6J
over websockets to `VoltlineWeb.OcppSocket` (one process per charge point, registered in `Voltline.CpRegistry`).

- `mix test`, `mix format --check-formatted`, `mix credo --strict` (CI runs all three)
- Contexts: `Voltline.Charging` (sessions, meter values), `Voltline.Sites`, `Voltline.Ocpp` (frames, routing,
  handlers), `Voltline.Billing` (tariffs, receipts)
- Energy is integer watt-hours (`energy_wh`); money is integer øre/öre plus a currency. Never floats.
- Times are UTC `DateTime`; each site has an IANA `time_zone` for receipts.
- Production runs on fly.io (`voltline-prod`). Migrations run only from the release (`Voltline.Release.migrate/0`)
  during a deploy. Never point a local shell at the prod database.
""",
)

PIPETTE = Project(
    "pipette", "pipette", "hollis-lab/pipette", "/Users/arjun", "/Users/arjun/dev/pipette", "darwin",
    "arjun/box-moves",
    "M src/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt\nM src/test/kotlin/org/hollis/pipette/storage/SampleMoveServiceTest.kt",
    "e4a07c1 labels: Zebra ZPL templates for 2D cryo labels (#318)\n93b1d5e storage: rack/box/position model (#312)\n1f6c2a9 Spring Boot 3.3.4, jOOQ 3.19.13 (#309)\nab80e73 samples: search by study and barcode (#305)\n6c2d9f0 audit: audit_event table and writer (#301)",
    editor="IntelliJ IDEA", shell="zsh",
    notes="""# pipette

Sample tracking for the Hollis Lab biobank: tubes, plates, freezer positions, chain of custody.
Kotlin 2.0, Spring Boot 3.3 (WebMVC), jOOQ 3.19 (code generated from the Flyway migrations), Postgres 16.
Tests: JUnit 5, Kotest assertions, Testcontainers (Docker must be running).

- `./gradlew build` (ktlint + tests), `./gradlew test`, `./gradlew ktlintFormat`
- `./gradlew generateJooq` after adding a migration in `src/main/resources/db/migration`
- Packages: `samples` (samples, IDs, search), `storage` (freezers, racks, boxes, positions), `labels`
  (Zebra label printing), `audit` (audit_event writer)
- Every change to a sample's location MUST write an `audit_event` row in the same transaction.
- Sample IDs look like `HL-24-000123-7` (lab, year, sequence, check digit). An ID is never reused.
""",
)

_INLINE: dict[str, Project] = {p.key: p for p in (VOLT, PIPETTE)}

BOOK = CaseBook(CASES, _INLINE)
cx, oh, ohc, other = BOOK.cx, BOOK.oh, BOOK.ohc, BOOK.other


# =========================================================================== shared file contents: voltline (Elixir)

_VL_ROUTER = '''defmodule Voltline.Ocpp.Router do
  @moduledoc """
  Dispatches decoded OCPP 1.6J CALL frames from a charge point to their handler module.

  A frame is `[2, unique_id, action, payload]`. Each action maps to a module implementing
  `Voltline.Ocpp.Handler`: `cast/1` validates the payload into params (an embedded Ecto schema),
  `handle/2` does the work and returns `{:reply, payload}`, `{:reply, payload, new_state}` or
  `{:error, code, description}`. The socket turns the result into a CALLRESULT `[3, id, payload]`
  or a CALLERROR `[4, id, code, description, %{}]`.
  """

  alias Voltline.Ocpp.{ChargePointState, Frame, Handlers}
  require Logger

  @handlers %{
    "BootNotification" => Handlers.BootNotification,
    "Heartbeat" => Handlers.Heartbeat,
    "StatusNotification" => Handlers.StatusNotification,
    "Authorize" => Handlers.Authorize,
    "StartTransaction" => Handlers.StartTransaction,
    "StopTransaction" => Handlers.StopTransaction,
    "MeterValues" => Handlers.MeterValues,
    "DataTransfer" => Handlers.DataTransfer
  }

  @spec dispatch(Frame.t(), ChargePointState.t()) ::
          {:reply, map(), ChargePointState.t()} | {:error, String.t(), String.t(), ChargePointState.t()}
  def dispatch(%Frame{type: :call, action: action, payload: payload}, state) do
    case Map.fetch(@handlers, action) do
      {:ok, handler} ->
        with :ok <- check_booted(action, state),
             {:ok, params} <- handler.cast(payload) do
          :telemetry.span([:voltline, :ocpp, :handle], %{action: action, cp: state.charge_point_id}, fn ->
            {handler.handle(params, state), %{action: action}}
          end)
          |> to_reply(state)
        else
          {:error, :not_booted} ->
            {:error, "SecurityError", "BootNotification not accepted yet", state}

          {:error, %Ecto.Changeset{} = cs} ->
            Logger.warning("ocpp #{action} from #{state.charge_point_id}: invalid payload #{inspect(cs.errors)}")
            {:error, "FormationViolation", format_errors(cs), state}
        end

      :error ->
        {:error, "NotImplemented", "action #{action} not supported", state}
    end
  end

  def actions, do: Map.keys(@handlers)

  defp check_booted("BootNotification", _state), do: :ok
  defp check_booted(_action, %ChargePointState{boot_status: :accepted}), do: :ok
  defp check_booted(_action, _state), do: {:error, :not_booted}

  defp to_reply({:reply, payload, new_state}, _state), do: {:reply, payload, new_state}
  defp to_reply({:reply, payload}, state), do: {:reply, payload, state}
  defp to_reply({:error, code, desc}, state), do: {:error, code, desc, state}

  defp format_errors(cs) do
    cs
    |> Ecto.Changeset.traverse_errors(fn {msg, opts} ->
      Enum.reduce(opts, msg, fn {k, v}, acc -> String.replace(acc, "%{#{k}}", to_string(v)) end)
    end)
    |> Enum.map_join("; ", fn {field, msgs} -> "#{field}: #{Enum.join(msgs, ", ")}" end)
  end
end
'''

_VL_HANDLER_STATUS = '''defmodule Voltline.Ocpp.Handlers.StatusNotification do
  @moduledoc "StatusNotification.req: a connector changed status (Available, Charging, Faulted, ...)."
  @behaviour Voltline.Ocpp.Handler

  use Ecto.Schema
  import Ecto.Changeset

  alias Voltline.Sites

  @statuses ~w(Available Preparing Charging SuspendedEVSE SuspendedEV Finishing Reserved Unavailable Faulted)

  @primary_key false
  embedded_schema do
    field :connectorId, :integer
    field :errorCode, :string
    field :status, :string
    field :timestamp, :utc_datetime_usec
    field :info, :string
    field :vendorErrorCode, :string
  end

  @impl true
  def cast(payload) do
    %__MODULE__{}
    |> cast(payload, [:connectorId, :errorCode, :status, :timestamp, :info, :vendorErrorCode])
    |> validate_required([:connectorId, :errorCode, :status])
    |> validate_inclusion(:status, @statuses)
    |> apply_action(:insert)
  end

  @impl true
  def handle(%__MODULE__{} = p, state) do
    :ok = Sites.record_connector_status(state.charge_point_id, p.connectorId, p.status, p.errorCode, p.timestamp)
    {:reply, %{}}
  end
end
'''

_VL_SESSION = '''defmodule Voltline.Charging.Session do
  use Ecto.Schema
  import Ecto.Changeset

  @statuses [:active, :suspended_ev, :finishing, :completed, :failed]

  schema "charging_sessions" do
    field :transaction_id, :integer
    field :id_tag, :string
    field :status, Ecto.Enum, values: @statuses, default: :active
    field :meter_start_wh, :integer
    field :meter_stop_wh, :integer
    field :energy_wh, :integer
    field :started_at, :utc_datetime_usec
    field :stopped_at, :utc_datetime_usec
    field :last_meter_at, :utc_datetime_usec
    field :last_meter_wh, :integer
    field :stop_reason, :string

    belongs_to :connector, Voltline.Sites.Connector
    has_many :meter_values, Voltline.Charging.MeterValue

    timestamps(type: :utc_datetime_usec)
  end

  def start_changeset(session, attrs) do
    session
    |> cast(attrs, [:transaction_id, :id_tag, :meter_start_wh, :started_at, :connector_id])
    |> validate_required([:transaction_id, :id_tag, :meter_start_wh, :started_at, :connector_id])
    |> unique_constraint(:transaction_id)
  end

  def meter_changeset(session, %{at: at, wh: wh}) do
    change(session, last_meter_at: at, last_meter_wh: wh)
  end

  def stop_changeset(session, attrs) do
    session
    |> cast(attrs, [:meter_stop_wh, :stopped_at, :stop_reason, :status])
    |> validate_required([:stopped_at, :status])
    |> put_energy()
  end

  defp put_energy(cs) do
    case {get_field(cs, :meter_start_wh), get_field(cs, :meter_stop_wh)} do
      {start, stop} when is_integer(start) and is_integer(stop) and stop >= start -> put_change(cs, :energy_wh, stop - start)
      _ -> cs
    end
  end
end
'''

_VL_ROLLUP = '''defmodule Voltline.Workers.HourlyEnergyRollup do
  @moduledoc """
  Sums the energy delivered per site and hour into `site_energy_hourly`.
  Scheduled by Oban.Plugins.Cron at minute 5 of every hour (see config/config.exs).
  """
  use Oban.Worker, queue: :rollups, max_attempts: 5, unique: [period: 3_000]

  import Ecto.Query
  require Logger

  alias Voltline.Charging.MeterValue
  alias Voltline.Repo

  @impl Oban.Worker
  def perform(%Oban.Job{args: args}) do
    hour = hour_from_args(args)
    next = DateTime.add(hour, 3600, :second)

    rows =
      from(mv in MeterValue,
        join: s in assoc(mv, :session),
        join: c in assoc(s, :connector),
        where: mv.measured_at >= ^hour and mv.measured_at < ^next,
        group_by: c.site_id,
        select: %{site_id: c.site_id, hour: ^hour, energy_wh: sum(mv.delta_wh)}
      )
      |> Repo.all()

    {n, _} = Repo.insert_all("site_energy_hourly", rows, on_conflict: {:replace, [:energy_wh]}, conflict_target: [:site_id, :hour])
    Logger.info("hourly rollup #{hour}: #{n} sites")
    :ok
  end

  defp hour_from_args(%{"hour" => iso}) do
    {:ok, dt, 0} = DateTime.from_iso8601(iso)
    dt
  end

  defp hour_from_args(_) do
    DateTime.utc_now() |> DateTime.add(-3600, :second) |> Map.merge(%{minute: 0, second: 0, microsecond: {0, 0}})
  end
end
'''

_VL_CONFIG = '''import Config

config :voltline,
  ecto_repos: [Voltline.Repo],
  generators: [timestamp_type: :utc_datetime_usec]

config :voltline, VoltlineWeb.Endpoint,
  url: [host: "localhost"],
  adapter: Bandit.PhoenixAdapter,
  render_errors: [formats: [json: VoltlineWeb.ErrorJSON], layout: false],
  pubsub_server: Voltline.PubSub

config :voltline, Oban,
  engine: Oban.Engines.Basic,
  repo: Voltline.Repo,
  queues: [default: 10, rollups: 2, receipts: 5],
  plugins: [
    {Oban.Plugins.Pruner, max_age: 7 * 24 * 3600},
    {Oban.Plugins.Lifeline, rescue_after: :timer.minutes(30)},
    {Oban.Plugins.Cron,
     crontab: [
       {"5 * * * *", Voltline.Workers.HourlyEnergyRollup},
       {"15 3 * * *", Voltline.Workers.ReceiptRetry}
     ]}
  ]

config :voltline, Voltline.Ocpp,
  heartbeat_interval: 300,
  meter_value_sample_interval: 60

config :logger, :console,
  format: "$time $metadata[$level] $message\\n",
  metadata: [:request_id, :cp]

config :phoenix, :json_library, Jason

import_config "#{config_env()}.exs"
'''

_VL_CI = '''name: ci
on:
  pull_request:
  push:
    branches: [main]

jobs:
  test:
    runs-on: ubuntu-24.04
    env:
      MIX_ENV: test
    steps:
      - uses: actions/checkout@v4
      - uses: erlef/setup-beam@v1
        with:
          otp-version: "27.1"
          elixir-version: "1.17.3"
      - run: mix deps.get
      - run: mix compile --warnings-as-errors
      - run: mix format --check-formatted
      - run: mix credo --strict
      # - run: mix test   # needs postgres, see #377
'''

_VL_TEST_EXS = '''import Config

config :voltline, Voltline.Repo,
  username: "postgres",
  password: "postgres",
  hostname: "localhost",
  database: "voltline_test#{System.get_env("MIX_TEST_PARTITION")}",
  pool: Ecto.Adapters.SQL.Sandbox,
  pool_size: System.schedulers_online() * 2

config :voltline, VoltlineWeb.Endpoint,
  http: [ip: {127, 0, 0, 1}, port: 4002],
  secret_key_base: "kJ1q3vZp0cJ6Vt1dTq9y7mXH6xq0wq7Q3w4o0Yf3nJwq2Yk3bL8o9uQ2X3wN5rT1",
  server: false

config :voltline, Oban, testing: :manual

config :logger, level: :warning
config :phoenix, :plug_init_mode, :runtime
'''


def _mix_test(seed: int, failures: list[str] | None = None, n: int = 214, repeat: int | None = None) -> str:
    """`mix test` output: compile line, dots with the failures inlined, the failure blocks and the summary."""
    rng = random.Random(seed)
    failures = failures or []
    out = []
    if rng.random() < 0.5:
        out.append("Compiling 3 files (.ex)")
        out.append("Generated voltline app")
    out.append(f"Running ExUnit with seed: {rng.randrange(10000, 999999)}, max_cases: 16")
    out.append("Excluding tags: [:integration]")
    out.append("")
    dots = ["."] * (n - len(failures)) + ["F"] * len(failures)
    rng.shuffle(dots)
    line = "".join(dots)
    out += [line[i : i + 120] for i in range(0, len(line), 120)]
    out.append("")
    for i, f in enumerate(failures, 1):
        out.append(f"  {i}) {f}")
        out.append("")
    secs = rng.random() * 3 + 6
    out.append(f"Finished in {secs:.1f} seconds ({secs * 0.2:.1f}s async, {secs * 0.8:.1f}s sync)")
    tail = f"{n} tests, {len(failures)} failure{'s' if len(failures) != 1 else ''}"
    if repeat is not None:
        tail += f" (repeated {repeat} times until failure)"
    out.append(tail)
    return "\n".join(out) + "\n"


# =========================================================================== shared file contents: pipette (Kotlin)

_PP_MOVE_SERVICE = '''package org.hollis.pipette.storage

import org.hollis.pipette.audit.AuditWriter
import org.hollis.pipette.jooq.tables.references.BOX_POSITION
import org.hollis.pipette.jooq.tables.references.SAMPLE
import org.jooq.DSLContext
import org.springframework.stereotype.Service
import org.springframework.transaction.annotation.Transactional
import java.time.Clock
import java.time.OffsetDateTime

@Service
class SampleMoveService(
    private val dsl: DSLContext,
    private val positions: BoxPositionRepository,
    private val audit: AuditWriter,
    private val clock: Clock,
) {
    @Transactional
    fun move(cmd: MoveSampleCommand): MoveResult {
        val sample = dsl.selectFrom(SAMPLE).where(SAMPLE.SAMPLE_ID.eq(cmd.sampleId)).forUpdate().fetchOne()
            ?: throw SampleNotFound(cmd.sampleId)
        println("DEBUG move ${cmd.sampleId} from box=${sample.boxId} pos=${sample.position} to ${cmd.targetBoxId}/${cmd.targetPosition}")
        if (sample.status == "DISPOSED") throw MoveRejected("sample ${cmd.sampleId} is disposed")

        val target = positions.lockPosition(cmd.targetBoxId, cmd.targetPosition)
            ?: throw MoveRejected("box ${cmd.targetBoxId} has no position ${cmd.targetPosition}")
        println("DEBUG target occupiedBy=${target.occupiedBy} tempClass=${target.tempClass}")
        if (target.occupiedBy != null) throw MoveRejected("position ${cmd.targetPosition} is taken by ${target.occupiedBy}")
        if (target.tempClass != sample.tempClass) {
            throw MoveRejected("sample needs ${sample.tempClass}, box ${cmd.targetBoxId} is ${target.tempClass}")
        }

        val from = sample.boxId?.let { BoxSlot(it, sample.position!!) }
        from?.let { positions.free(it.boxId, it.position) }
        positions.occupy(cmd.targetBoxId, cmd.targetPosition, cmd.sampleId)
        dsl.update(SAMPLE)
            .set(SAMPLE.BOX_ID, cmd.targetBoxId)
            .set(SAMPLE.POSITION, cmd.targetPosition)
            .set(SAMPLE.UPDATED_AT, OffsetDateTime.now(clock))
            .where(SAMPLE.SAMPLE_ID.eq(cmd.sampleId))
            .execute()

        val event = audit.write(
            entity = "sample",
            entityId = cmd.sampleId,
            action = "MOVE",
            actor = cmd.actor,
            data = mapOf("from" to from?.toString(), "to" to BoxSlot(cmd.targetBoxId, cmd.targetPosition).toString(), "reason" to cmd.reason),
        )
        println("DEBUG audit event ${event.id} written at ${event.at}")
        return MoveResult(cmd.sampleId, from, BoxSlot(cmd.targetBoxId, cmd.targetPosition), event.id)
    }
}

data class MoveSampleCommand(val sampleId: String, val targetBoxId: Long, val targetPosition: String, val actor: String, val reason: String?)
data class BoxSlot(val boxId: Long, val position: String) {
    override fun toString() = "$boxId/$position"
}
data class MoveResult(val sampleId: String, val from: BoxSlot?, val to: BoxSlot, val auditEventId: Long)
'''

_PP_POS_REPO = '''package org.hollis.pipette.storage

import org.hollis.pipette.jooq.tables.references.BOX
import org.hollis.pipette.jooq.tables.references.BOX_POSITION
import org.jooq.DSLContext
import org.springframework.stereotype.Repository

@Repository
class BoxPositionRepository(private val dsl: DSLContext) {
    fun lockPosition(boxId: Long, position: String): PositionRow? {
        val row = dsl.select(BOX_POSITION.BOX_ID, BOX_POSITION.POSITION, BOX_POSITION.SAMPLE_ID, BOX.TEMP_CLASS)
            .from(BOX_POSITION).join(BOX).on(BOX.ID.eq(BOX_POSITION.BOX_ID))
            .where(BOX_POSITION.BOX_ID.eq(boxId).and(BOX_POSITION.POSITION.eq(position)))
            .forUpdate().of(BOX_POSITION)
            .fetchOne() ?: return null
        println("DEBUG lockPosition $boxId/$position -> ${row.value3()}")
        return PositionRow(row.value1()!!, row.value2()!!, row.value3(), row.value4()!!)
    }

    fun free(boxId: Long, position: String) {
        dsl.update(BOX_POSITION).setNull(BOX_POSITION.SAMPLE_ID)
            .where(BOX_POSITION.BOX_ID.eq(boxId).and(BOX_POSITION.POSITION.eq(position))).execute()
    }

    fun occupy(boxId: Long, position: String, sampleId: String) {
        val n = dsl.update(BOX_POSITION).set(BOX_POSITION.SAMPLE_ID, sampleId)
            .where(BOX_POSITION.BOX_ID.eq(boxId).and(BOX_POSITION.POSITION.eq(position)).and(BOX_POSITION.SAMPLE_ID.isNull))
            .execute()
        println("DEBUG occupy $boxId/$position rows=$n")
        check(n == 1) { "position $boxId/$position was taken concurrently" }
    }
}

data class PositionRow(val boxId: Long, val position: String, val occupiedBy: String?, val tempClass: String)
'''


def _gradle_test(seed: int, fail: tuple[str, str] | None = None, extra_classes: int = 0) -> str:
    """`./gradlew test --console=plain` with a per-test listing (the testLogging config prints every event)."""
    rng = random.Random(seed)
    classes = {
        "org.hollis.pipette.samples.SampleIdsTest": ["generates sequential ids per lab and year()", "check digit matches known ids()", "rejects malformed ids()", "parses legacy ids without check digit()"],
        "org.hollis.pipette.samples.SampleSearchRepositoryTest": ["finds by barcode prefix()", "filters by study()", "pages with keyset cursor()", "includes current location()"],
        "org.hollis.pipette.samples.SampleControllerTest": ["GET samples returns page()", "GET sample 404 for unknown id()", "POST samples validates study()", "PATCH sample status writes audit()"],
        "org.hollis.pipette.storage.SampleMoveServiceTest": ["moves sample to free position()", "rejects occupied position()", "rejects wrong temperature class()", "writes audit event in same transaction()", "frees the old position()", "rejects disposed sample()", "concurrent moves to one position: one wins()"],
        "org.hollis.pipette.storage.BoxPositionRepositoryTest": ["lockPosition returns null for unknown position()", "occupy fails when taken()", "free clears sample()"],
        "org.hollis.pipette.storage.FreezerControllerTest": ["GET freezer tree()", "GET box grid 9x9()", "GET box grid 10x10()"],
        "org.hollis.pipette.labels.ZplTemplateTest": ["renders 2D cryo label()", "escapes caret and tilde()", "truncates long study names()"],
        "org.hollis.pipette.labels.LabelPrintQueueTest": ["prints in submission order()", "retries when printer is offline()", "does not print a label twice()"],
        "org.hollis.pipette.audit.AuditWriterTest": ["writes actor and data()", "rejects write outside transaction()"],
    }
    for i in range(extra_classes):
        classes[f"org.hollis.pipette.samples.StudyImportTest{i or ''}"] = [f"imports manifest row {j}()" for j in range(rng.randrange(4, 9))]
    out = ["> Task :checkKotlinGradlePluginConfigurationErrors", "> Task :generateJooq UP-TO-DATE", "> Task :compileKotlin UP-TO-DATE",
           "> Task :compileJava NO-SOURCE", "> Task :processResources UP-TO-DATE", "> Task :classes UP-TO-DATE",
           "> Task :compileTestKotlin", "> Task :testClasses", "> Task :test", ""]
    total = failed = 0
    for cls, tests in classes.items():
        if rng.random() < 0.3:
            out.append(f"{cls} STANDARD_OUT")
            out.append(f"    {rng.randrange(10, 59):02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} [Test worker] INFO  o.t.c.DockerClientProviderStrategy - Found Docker environment with local Unix socket (unix:///var/run/docker.sock)")
            out.append(f"    {rng.randrange(10, 59):02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} [Test worker] INFO  tc.postgres:16-alpine - Container postgres:16-alpine started in PT{rng.random() * 2 + 1:.3f}S")
            out.append(f"    {rng.randrange(10, 59):02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} [Test worker] INFO  o.f.core.internal.command.DbMigrate - Successfully applied 23 migrations to schema \"public\", now at version v23 (execution time 00:00.{rng.randrange(100, 999)}s)")
            out.append("")
        for t in tests:
            total += 1
            if fail and t == fail[0]:
                failed += 1
                out.append(f"{cls} > {t} FAILED")
                out += ["    " + x for x in fail[1].splitlines()]
            else:
                out.append(f"{cls} > {t} PASSED")
        out.append("")
    out.append(f"{total} tests completed, {failed} failed" if failed else "")
    if failed:
        out += ["", "> Task :test FAILED", "", "FAILURE: Build failed with an exception.", "", "* What went wrong:", "Execution failed for task ':test'.",
                "> There were failing tests. See the report at: file:///Users/arjun/dev/pipette/build/reports/tests/test/index.html", "",
                f"BUILD FAILED in {rng.randrange(20, 59)}s", f"{rng.randrange(5, 9)} actionable tasks: 3 executed, 4 up-to-date"]
    else:
        out += [f"BUILD SUCCESSFUL in {rng.randrange(20, 59)}s", f"{rng.randrange(5, 9)} actionable tasks: 3 executed, 4 up-to-date"]
    return "\n".join(out) + "\n"


# =========================================================================== Codex CLI: simple

_CREDO_OUT = """Checking 14 source files ...

  Software Design
┃
┃ [D] ↘ Nested modules could be aliased at the top of the invoking module.
┃       lib/voltline/ocpp/handlers/start_transaction.ex:41:15 #(Voltline.Ocpp.Handlers.StartTransaction.handle)

  Code Readability
┃
┃ [R] ↘ Modules should have a @moduledoc tag.
┃       lib/voltline/ocpp/handlers/data_transfer.ex:1:11 #(Voltline.Ocpp.Handlers.DataTransfer)
┃ [R] → Pipe chain should start with a raw value.
┃       lib/voltline/ocpp/router.ex:33:11 #(Voltline.Ocpp.Router.dispatch)

  Refactoring opportunities
┃
┃ [F] → Function is too complex (cyclomatic complexity is 11, max is 9).
┃       lib/voltline/ocpp/handlers/meter_values.ex:18:7 #(Voltline.Ocpp.Handlers.MeterValues.handle)

Please report incorrect results: https://github.com/rrrene/credo/issues

Analysis took 0.4 seconds (0.03s to load, 0.3s running 63 checks on 14 files)
97 mods/funs, found 1 refactoring opportunity, 2 code readability issues, 1 software design suggestion.
"""

cx(
    "m-cx-001", "simple",
    "The user asked to run mix format and credo and only report what credo says; both commands have run, so the next step is summarising four findings.",
    "voltline",
    [
        U("run mix format and then mix credo --strict on lib/voltline/ocpp — don't fix anything, I just want to know what credo will complain about before I open the PR"),
        sh("mix format && git status --short", " M lib/voltline/charging/session.ex\n?? lib/voltline/workers/\n", secs=2.1),
        sh("mix credo --strict lib/voltline/ocpp", _CREDO_OUT, code=14, secs=3.4),
    ],
)

cx(
    "m-cx-002", "simple",
    "The grep shows the parser is referenced only by itself and its own test, so deleting two files and compiling is mechanical cleanup.",
    "pipette",
    [
        U("LegacyBarcodeParser.kt is dead since we dropped the old 1D labels in spring. delete it + its test if nothing else refrences it, then check it still compiles"),
        gr("LegacyBarcodeParser", "src/main/kotlin/org/hollis/pipette/samples/LegacyBarcodeParser.kt:9:object LegacyBarcodeParser {\nsrc/test/kotlin/org/hollis/pipette/samples/LegacyBarcodeParserTest.kt:7:class LegacyBarcodeParserTest {\nsrc/test/kotlin/org/hollis/pipette/samples/LegacyBarcodeParserTest.kt:11:        LegacyBarcodeParser.parse(\"HL0240001237\") shouldBe ParsedBarcode(\"HL\", 24, 123, 7)\nsrc/test/kotlin/org/hollis/pipette/samples/LegacyBarcodeParserTest.kt:16:        shouldThrow<IllegalArgumentException> { LegacyBarcodeParser.parse(\"HL02400\") }\n"),
        gr("ParsedBarcode", "src/main/kotlin/org/hollis/pipette/samples/LegacyBarcodeParser.kt:5:data class ParsedBarcode(val lab: String, val year: Int, val seq: Int, val check: Int)\nsrc/main/kotlin/org/hollis/pipette/samples/LegacyBarcodeParser.kt:14:        return ParsedBarcode(raw.substring(0, 2), raw.substring(3, 5).toInt(), raw.substring(5, 11).toInt(), raw.last().digitToInt())\nsrc/test/kotlin/org/hollis/pipette/samples/LegacyBarcodeParserTest.kt:11:        LegacyBarcodeParser.parse(\"HL0240001237\") shouldBe ParsedBarcode(\"HL\", 24, 123, 7)\n"),
    ],
)

_PP_MOVE_TEST_V1 = '''package org.hollis.pipette.storage

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.matchers.shouldBe
import org.hollis.pipette.support.PipetteIntegrationTest
import org.junit.jupiter.api.Test
import org.springframework.beans.factory.annotation.Autowired

class SampleMoveServiceTest : PipetteIntegrationTest() {
    @Autowired lateinit var service: SampleMoveService

    @Test
    fun `moves sample to free position`() {
        val s = fixtures.sample(box = fixtures.box(tempClass = "MINUS_80"), position = "A1")
        val target = fixtures.box(tempClass = "MINUS_80")
        val r = service.move(MoveSampleCommand(s.sampleId, target.id, "C4", actor = "arjun", reason = "consolidation"))
        r.to shouldBe BoxSlot(target.id, "C4")
        fixtures.positionOf(s.sampleId) shouldBe BoxSlot(target.id, "C4")
    }

    @Test
    fun `writes audit event in same transaction`() {
        val s = fixtures.sample(box = fixtures.box(tempClass = "MINUS_80"), position = "A1")
        val target = fixtures.box(tempClass = "MINUS_80")
        val r = service.move(MoveSampleCommand(s.sampleId, target.id, "B2", actor = "arjun", reason = null))
        fixtures.auditEvents(s.sampleId).single().id shouldBe r.auditEventId
    }

    @Test
    fun `concurrent moves to one position - one wins`() {
        val a = fixtures.sample(box = fixtures.box(tempClass = "MINUS_80"), position = "A1")
        val b = fixtures.sample(box = fixtures.box(tempClass = "MINUS_80"), position = "A2")
        val target = fixtures.box(tempClass = "MINUS_80")
        val results = fixtures.runConcurrently(
            { service.move(MoveSampleCommand(a.sampleId, target.id, "D5", "arjun", null)) },
            { service.move(MoveSampleCommand(b.sampleId, target.id, "D5", "mira", null)) },
        )
        results.count { it.isSuccess } shouldBe 1
        fixtures.auditEvents(a.sampleId).size + fixtures.auditEvents(b.sampleId).size shouldBe 1
    }
}
'''

_PP_AUDIT_WRITER = '''package org.hollis.pipette.audit

import com.fasterxml.jackson.databind.ObjectMapper
import org.hollis.pipette.jooq.tables.references.AUDIT_EVENT
import org.jooq.DSLContext
import org.jooq.JSONB
import org.springframework.stereotype.Component
import org.springframework.transaction.support.TransactionSynchronizationManager
import java.time.Clock
import java.time.OffsetDateTime

@Component
class AuditWriter(private val dsl: DSLContext, private val json: ObjectMapper, private val clock: Clock) {
    fun write(entity: String, entityId: String, action: String, actor: String, data: Map<String, Any?>): AuditEvent {
        check(TransactionSynchronizationManager.isActualTransactionActive()) { "audit events must be written inside a transaction" }
        val at = OffsetDateTime.now(clock)
        val id = dsl.insertInto(AUDIT_EVENT)
            .set(AUDIT_EVENT.ENTITY, entity)
            .set(AUDIT_EVENT.ENTITY_ID, entityId)
            .set(AUDIT_EVENT.ACTION, action)
            .set(AUDIT_EVENT.ACTOR, actor)
            .set(AUDIT_EVENT.DATA, JSONB.valueOf(json.writeValueAsString(data)))
            .set(AUDIT_EVENT.AT, at)
            .returning(AUDIT_EVENT.ID)
            .fetchOne()!!.id!!
        return AuditEvent(id, at)
    }
}

data class AuditEvent(val id: Long, val at: OffsetDateTime)
'''

_PP_CONCURRENT_FAIL = """org.opentest4j.AssertionFailedError: expected:<1> but was:<2>
    at org.hollis.pipette.storage.SampleMoveServiceTest.concurrent moves to one position - one wins(SampleMoveServiceTest.kt:44)"""

_PP_AUDIT_FAIL = """java.lang.IllegalStateException: audit events must be written inside a transaction
    at org.hollis.pipette.audit.AuditWriter.write(AuditWriter.kt:16)
    at org.hollis.pipette.storage.SampleMoveService.move(SampleMoveService.kt:44)
    at org.hollis.pipette.storage.SampleMoveServiceTest.writes audit event in same transaction(SampleMoveServiceTest.kt:27)"""

cx(
    "m-cx-003", "simple",
    "After a long session on sample moves the last request is to delete the println debug lines the agent itself added and run ktlintCheck, which is mechanical cleanup.",
    "pipette",
    [
        U("moving a tube between boxes via PATCH /api/samples/{id}/location is half done on this branch. finish SampleMoveService: reject occupied positions and wrong temperature class, free the old position, and write the audit event in the same transaction (see INSTRUCTIONS). the concurrency test is the one that matters, two people scanning into the same slot at the bench happens"),
        par(rd("src/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt", _PP_MOVE_SERVICE.replace('        println("DEBUG move ${cmd.sampleId} from box=${sample.boxId} pos=${sample.position} to ${cmd.targetBoxId}/${cmd.targetPosition}")\n', "").replace('        println("DEBUG target occupiedBy=${target.occupiedBy} tempClass=${target.tempClass}")\n', "").replace('        println("DEBUG audit event ${event.id} written at ${event.at}")\n', "")),
            rd("src/test/kotlin/org/hollis/pipette/storage/SampleMoveServiceTest.kt", _PP_MOVE_TEST_V1),
            pre="Reading the service and its tests."),
        rd("src/main/kotlin/org/hollis/pipette/storage/BoxPositionRepository.kt", _PP_POS_REPO.replace('        println("DEBUG lockPosition $boxId/$position -> ${row.value3()}")\n', "").replace('        println("DEBUG occupy $boxId/$position rows=$n")\n', "")),
        sh("./gradlew test --console=plain", _gradle_test(51, ("writes audit event in same transaction()", _PP_AUDIT_FAIL), extra_classes=3), code=1, secs=48.2),
        rd("src/main/kotlin/org/hollis/pipette/audit/AuditWriter.kt", _PP_AUDIT_WRITER),
        A("The audit writer refuses to run outside a transaction, and it says there is none, although `move` is `@Transactional`. I'll add some temporary logging to see what state we're in when `move` is called from the test."),
        ed("src/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt", "            ?: throw SampleNotFound(cmd.sampleId)\n", "            ?: throw SampleNotFound(cmd.sampleId)\n        println(\"DEBUG move ${cmd.sampleId} from box=${sample.boxId} pos=${sample.position} to ${cmd.targetBoxId}/${cmd.targetPosition}\")\n"),
        ed("src/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt", "        val event = audit.write(", "        println(\"DEBUG tx active=${org.springframework.transaction.support.TransactionSynchronizationManager.isActualTransactionActive()}\")\n        val event = audit.write("),
        sh("./gradlew test --console=plain --tests '*SampleMoveServiceTest*'", "> Task :compileKotlin\n> Task :compileTestKotlin\n> Task :test\n\norg.hollis.pipette.storage.SampleMoveServiceTest STANDARD_OUT\n    DEBUG move HL-24-000311-4 from box=17 pos=A1 to 18/C4\n    DEBUG tx active=true\n    DEBUG move HL-24-000312-1 from box=19 pos=A1 to 20/B2\n    DEBUG tx active=false\n\norg.hollis.pipette.storage.SampleMoveServiceTest > moves sample to free position() PASSED\norg.hollis.pipette.storage.SampleMoveServiceTest > writes audit event in same transaction() FAILED\n    java.lang.IllegalStateException: audit events must be written inside a transaction\n        at org.hollis.pipette.audit.AuditWriter.write(AuditWriter.kt:16)\n\n3 tests completed, 1 failed\n\nBUILD FAILED in 21s\n", code=1, secs=21.4),
        sh("grep -rn 'class SampleMoveService\\|open class\\|allopen\\|kotlin(\"plugin.spring\")' build.gradle.kts src/main/kotlin/org/hollis/pipette/storage/", "build.gradle.kts:6:    kotlin(\"plugin.spring\") version \"2.0.21\"\nsrc/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt:13:class SampleMoveService(\n"),
        sh("sed -n 1,40p src/test/kotlin/org/hollis/pipette/support/PipetteIntegrationTest.kt", "package org.hollis.pipette.support\n\nimport org.springframework.boot.test.context.SpringBootTest\nimport org.springframework.test.context.jdbc.Sql\nimport org.springframework.transaction.annotation.Propagation\nimport org.springframework.transaction.annotation.Transactional\n\n@SpringBootTest\n@Sql(\"/truncate.sql\", executionPhase = Sql.ExecutionPhase.BEFORE_TEST_METHOD)\nabstract class PipetteIntegrationTest {\n    @Autowired lateinit var fixtures: Fixtures\n}\n\n@Component\nclass Fixtures(private val dsl: DSLContext, private val tx: TransactionTemplate) {\n    fun sample(box: BoxRow, position: String): SampleRow = tx.execute { insertSample(box, position) }!!\n    fun box(tempClass: String): BoxRow = tx.execute { insertBox(tempClass) }!!\n    fun auditEvents(sampleId: String) = dsl.selectFrom(AUDIT_EVENT).where(AUDIT_EVENT.ENTITY_ID.eq(sampleId)).fetch()\n    fun positionOf(sampleId: String): BoxSlot? = ...\n    @Transactional(propagation = Propagation.NOT_SUPPORTED)\n    fun <T> runConcurrently(vararg blocks: () -> T): List<Result<T>> = ...\n}\n"),
        A("`tx active=false` on the second call means `move` ran without a Spring transaction even though it is `@Transactional`. The class isn't the problem (the `plugin.spring` compiler plugin opens it). The fixtures use a `TransactionTemplate`, so there are probably two transaction managers in the test context, and the one the service's proxy picks isn't bound to the data source the jOOQ `DSLContext` uses. Checking the test data-source config."),
        sh("sed -n 1,30p src/test/kotlin/org/hollis/pipette/support/TestDataSourceConfig.kt", "package org.hollis.pipette.support\n\n@TestConfiguration(proxyBeanMethods = false)\nclass TestDataSourceConfig {\n    @Bean\n    @ServiceConnection\n    fun postgres(): PostgreSQLContainer<*> = PostgreSQLContainer(\"postgres:16-alpine\")\n\n    @Bean\n    fun dataSource(pg: PostgreSQLContainer<*>): DataSource = HikariDataSource().apply {\n        jdbcUrl = pg.jdbcUrl; username = pg.username; password = pg.password\n    }\n}\n"),
        ed("src/test/kotlin/org/hollis/pipette/support/TestDataSourceConfig.kt", "    @Bean\n    fun dataSource(", "    @Bean\n    @Primary\n    fun dataSource("),
        sh("./gradlew test --console=plain", _gradle_test(52, ("concurrent moves to one position: one wins()", _PP_CONCURRENT_FAIL), extra_classes=3), code=1, secs=51.0),
        A("The transaction problem is gone; now the concurrency test records two audit events. Both moves lock *their own* sample row and then `lockPosition` locks D5, so the second waits, but once the first commits the second sees `occupiedBy` from its snapshot taken before the lock... `FOR UPDATE` re-reads the row in READ COMMITTED, so `occupiedBy` should be set. Checking what `lockPosition` actually returns in the second transaction."),
        ed("src/main/kotlin/org/hollis/pipette/storage/BoxPositionRepository.kt", "            .fetchOne() ?: return null\n", "            .fetchOne() ?: return null\n        println(\"DEBUG lockPosition $boxId/$position -> ${row.value3()}\")\n"),
        ed("src/main/kotlin/org/hollis/pipette/storage/BoxPositionRepository.kt", "            .execute()\n        check(n == 1)", "            .execute()\n        println(\"DEBUG occupy $boxId/$position rows=$n\")\n        check(n == 1)"),
        sh("./gradlew test --console=plain --tests '*concurrent*'", "> Task :compileKotlin\n> Task :test\n\norg.hollis.pipette.storage.SampleMoveServiceTest STANDARD_OUT\n    DEBUG move HL-24-000401-9 from box=31 pos=A1 to 33/D5\n    DEBUG move HL-24-000402-6 from box=32 pos=A2 to 33/D5\n    DEBUG lockPosition 33/D5 -> null\n    DEBUG occupy 33/D5 rows=1\n    DEBUG tx active=true\n    DEBUG lockPosition 33/D5 -> HL-24-000401-9\n\norg.hollis.pipette.storage.SampleMoveServiceTest > concurrent moves to one position - one wins() FAILED\n    org.opentest4j.AssertionFailedError: expected:<1> but was:<2>\n        at org.hollis.pipette.storage.SampleMoveServiceTest.concurrent moves to one position - one wins(SampleMoveServiceTest.kt:44)\n\n1 test completed, 1 failed\n", code=1, secs=19.8),
        A("The locking works: the second move sees D5 taken and is rejected. The second audit event comes from the test: `auditEvents` counts events for both samples, and sample creation in `Fixtures.sample` also writes a `CREATE` audit event. The assertion has to count only `MOVE` events. Fixing the test."),
        ed("src/test/kotlin/org/hollis/pipette/storage/SampleMoveServiceTest.kt", "        fixtures.auditEvents(a.sampleId).size + fixtures.auditEvents(b.sampleId).size shouldBe 1", "        (fixtures.auditEvents(a.sampleId) + fixtures.auditEvents(b.sampleId)).count { it.action == \"MOVE\" } shouldBe 1"),
        ed("src/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt", "        println(\"DEBUG tx active=${org.springframework.transaction.support.TransactionSynchronizationManager.isActualTransactionActive()}\")\n", ""),
        ed("src/main/kotlin/org/hollis/pipette/storage/SampleMoveService.kt", "        return MoveResult(", "        println(\"DEBUG audit event ${event.id} written at ${event.at}\")\n        return MoveResult("),
        sh("./gradlew test --console=plain", _gradle_test(53, extra_classes=3), secs=50.3),
        A("All green now, including the concurrency test (run 5 times in a row locally: 5/5). Changes:\n\n- `SampleMoveService.move`: rejects disposed samples, occupied positions and temperature-class mismatches; frees the old slot; writes the MOVE audit event in the same transaction.\n- `BoxPositionRepository.occupy` only fills an empty slot and fails loudly otherwise, so two scans into one slot can't both win.\n- Test support: the Testcontainers `DataSource` is `@Primary`, so the service and the audit writer share one transaction manager.\n- The concurrency test counts only MOVE events.\n\nThere are still some `println(\"DEBUG ...\")` lines from the investigation in the service and the repository."),
        U("nice. take out the println(\"DEBUG ...\") lines you added in SampleMoveService and BoxPositionRepository, then ./gradlew ktlintCheck"),
    ],
)


# =========================================================================== Codex CLI: medium

cx(
    "m-cx-004", "medium",
    "A cron-scheduled Oban worker that marks stale sessions failed, modelled on the existing rollup worker and schema, plus a DataCase test, is a contained feature with a clear spec.",
    "voltline",
    [
        U("chargers sometimes never send StopTransaction (LTE drops, reboots mid-session) so we have sessions stuck :active for days and the app shows cars as charging. add an oban worker that runs every 15 min and marks sessions :failed with stop_reason \"stale\" when last_meter_at (or started_at if there were no meter values) is older than 6 hours. stopped_at = last_meter_at (or started_at), meter_stop_wh = last_meter_wh so energy_wh gets computed. do it like HourlyEnergyRollup (cron in config.exs) and add a test using DataCase + the factory"),
        par(
            rd("lib/voltline/charging/session.ex", _VL_SESSION),
            rd("lib/voltline/workers/hourly_energy_rollup.ex", _VL_ROLLUP),
            rd("config/config.exs", _VL_CONFIG),
            pre="Reading the session schema, the existing cron worker and the Oban config.",
        ),
        sh("ls test/voltline/workers test/support && sed -n 1,40p test/support/factory.ex", "test/voltline/workers:\nhourly_energy_rollup_test.exs\nreceipt_retry_test.exs\n\ntest/support:\nconn_case.ex\ndata_case.ex\nfactory.ex\nocpp_client.ex\n\ndefmodule Voltline.Factory do\n  use ExMachina.Ecto, repo: Voltline.Repo\n\n  def site_factory do\n    %Voltline.Sites.Site{name: sequence(:site, &\"Site #{&1}\"), time_zone: \"Europe/Oslo\", country: \"NO\"}\n  end\n\n  def connector_factory do\n    %Voltline.Sites.Connector{site: build(:site), charge_point_id: sequence(:cp, &\"FJ-#{&1}\"), connector_no: 1, max_amps: 32}\n  end\n\n  def session_factory do\n    %Voltline.Charging.Session{\n      connector: build(:connector),\n      transaction_id: sequence(:tx, & &1),\n      id_tag: \"04A2B3C4D5E6F7\",\n      status: :active,\n      meter_start_wh: 1_204_000,\n      started_at: DateTime.utc_now()\n    }\n  end\nend\n"),
    ],
)

_PP_BUILD_ERR = """> Task :checkKotlinGradlePluginConfigurationErrors
> Task :generateJooq UP-TO-DATE
> Task :compileKotlin FAILED
e: file:///Users/arjun/dev/pipette/src/main/kotlin/org/hollis/pipette/samples/SampleService.kt:21:41 Smart cast to 'String' is impossible, because 'externalRef' is a mutable property that could be mutated concurrently.
e: file:///Users/arjun/dev/pipette/src/main/kotlin/org/hollis/pipette/storage/StorageMapper.kt:6:39 'when' expression must be exhaustive. Add the 'LN2_VAPOUR' branch or an 'else' branch.
e: file:///Users/arjun/dev/pipette/src/main/kotlin/org/hollis/pipette/storage/StorageMapper.kt:13:44 'when' expression must be exhaustive. Add the 'LN2_VAPOUR' branch or an 'else' branch.

FAILURE: Build failed with an exception.

* What went wrong:
Execution failed for task ':compileKotlin'.
> A failure occurred while executing org.jetbrains.kotlin.compilerRunner.GradleCompilerRunnerWithWorkers$GradleKotlinCompilerWorkAction
   > Compilation error. See log for more details

BUILD FAILED in 14s
3 actionable tasks: 1 executed, 2 up-to-date
"""

_PP_SAMPLE_SERVICE_SNIP = '''class SampleService(private val dsl: DSLContext, private val ids: SampleIds, private val audit: AuditWriter) {

    var lastImport: ImportSummary? = null
        private set

    @Transactional
    fun register(req: RegisterSampleRequest): SampleRecord {
        val study = studies.require(req.studyCode)
        val id = ids.next(lab = "HL", year = Year.now().value % 100)
        val record = dsl.newRecord(SAMPLE).apply {
            sampleId = id
            studyId = study.id
            materialType = req.materialType
            tempClass = req.tempClass
            collectedAt = req.collectedAt
            externalRef = req.externalRef
            status = "REGISTERED"
        }
        record.store()
        if (record.externalRef != null) {
            externalRefs.link(study.id, record.externalRef, id)
        }
        audit.write("sample", id, "REGISTER", req.actor, mapOf("study" to study.code, "externalRef" to req.externalRef))
        return record
    }
'''

_PP_STORAGE_MAPPER = '''package org.hollis.pipette.storage

import org.hollis.pipette.jooq.enums.TempClass

object StorageMapper {
    fun label(t: TempClass): String = when (t) {
        TempClass.ROOM -> "Room temperature"
        TempClass.PLUS_4 -> "+4 °C fridge"
        TempClass.MINUS_20 -> "-20 °C freezer"
        TempClass.MINUS_80 -> "-80 °C freezer"
    }

    fun maxBoxDepthMm(t: TempClass): Int = when (t) {
        TempClass.ROOM, TempClass.PLUS_4 -> 100
        TempClass.MINUS_20, TempClass.MINUS_80 -> 52
    }
}
'''

cx(
    "m-cx-005", "medium",
    "Each compiler error names its cause on the line (a smart cast on a mutable jOOQ record property, two whens missing the new LN2_VAPOUR value), so the fix is a local val and two branches.",
    "pipette",
    [
        U("bumped kotlin to 2.0.21 and regenerated jooq after Mira's V24 migration (adds LN2 vapour tanks), now compileKotlin is red. fix pls"),
        sh("./gradlew compileKotlin --console=plain", _PP_BUILD_ERR, code=1, secs=14.3),
        par(
            rd("src/main/kotlin/org/hollis/pipette/samples/SampleService.kt", _PP_SAMPLE_SERVICE_SNIP),
            rd("src/main/kotlin/org/hollis/pipette/storage/StorageMapper.kt", _PP_STORAGE_MAPPER),
        ),
        sh("sed -n 1,20p src/main/resources/db/migration/V24__ln2_vapour_temp_class.sql", "-- LN2 vapour-phase tanks in room B.014 (Mira, LAB-412)\nALTER TYPE temp_class ADD VALUE 'LN2_VAPOUR' AFTER 'MINUS_80';\n\nINSERT INTO freezer (code, room, temp_class, racks, rack_depth)\nVALUES ('LN2-1', 'B.014', 'LN2_VAPOUR', 6, 13),\n       ('LN2-2', 'B.014', 'LN2_VAPOUR', 6, 13);\n"),
    ],
)

cx(
    "m-cx-006", "medium",
    "Adding a --dry-run flag that keeps the checks and skips commit, push and wait is a small, patterned change to one script, even though the script deploys to prod; nothing is deployed by doing it.",
    "infra",
    [
        U("can you add a --dry-run flag to scripts/deploy.sh? it should still do all the checks (env, values file exists, image exists in ECR) and then print the values change as a diff plus the commit message it would use, but NOT commit / push / wait for argo. INSTRUCTIONS say anything destructive needs one anyway. flag can go anywhere in the args. keep it shellcheck-clean and update the usage line"),
        rd("scripts/deploy.sh", FX["infra"]["scripts/deploy.sh"]),
        sh("shellcheck --version | head -2 && yq --version", "ShellCheck - shell script analysis tool\nversion: 0.10.0\nyq (https://github.com/mikefarah/yq/) version v4.44.3\n"),
    ],
)

_PAY_CUST_TRACE = """Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/starlette/middleware/errors.py", line 164, in __call__
    await self.app(scope, receive, _send)
  File "/app/.venv/lib/python3.12/site-packages/fastapi/routing.py", line 301, in app
    raw_response = await run_endpoint_function(
  File "/app/.venv/lib/python3.12/site-packages/fastapi/routing.py", line 212, in run_endpoint_function
    return await dependant.call(**values)
  File "/app/app/api/customers.py", line 38, in get_customer
    Customer.tenant_id == tenant_id))).scalar_one()
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/result.py", line 1462, in scalar_one
    return self._only_one_row(
  File "/app/.venv/lib/python3.12/site-packages/sqlalchemy/engine/result.py", line 757, in _only_one_row
    raise exc.NoResultFound(
sqlalchemy.exc.NoResultFound: No row was found when one was required
"""

cx(
    "m-cx-007", "medium",
    "The trace ends at scalar_one() in get_customer, and the invoices router already shows the 404 pattern, so the fix and a test are a small change in one router.",
    "payments",
    [
        U("GET /v1/customers/<unknown id> returns a 500 in staging, sentry has this:\n\n" + _PAY_CUST_TRACE + "\nshould be a 404 like invoices do. also add a test that an id from another tenant is a 404 too (not 403, we don't want to leak existence)"),
        rd("app/api/customers.py", FX["payments"]["app/api/customers.py"]),
        gr("HTTPException", "app/api/invoices.py:7:from fastapi import APIRouter, Depends, HTTPException, Query\napp/api/invoices.py:52:        raise HTTPException(status_code=404, detail=\"invoice not found\")\napp/api/payouts.py:6:from fastapi import APIRouter, Depends, HTTPException\napp/api/payouts.py:61:        raise HTTPException(status_code=404, detail=\"payout not found\")\napp/api/payouts.py:64:        raise HTTPException(status_code=409, detail=\"payout already submitted\")\n", path="app/api"),
        sh("sed -n 1,40p tests/api/test_customers.py", "import pytest\n\nfrom tests.factories import CustomerFactory, TenantFactory\n\n\n@pytest.mark.asyncio\nasync def test_list_customers_filters_country(client, db_session, tenant_headers):\n    tenant = tenant_headers.tenant\n    await CustomerFactory.create(db_session, tenant_id=tenant.id, country=\"NO\")\n    await CustomerFactory.create(db_session, tenant_id=tenant.id, country=\"SE\")\n    r = await client.get(\"/v1/customers?country=no\", headers=tenant_headers)\n    assert r.status_code == 200\n    assert [c[\"country\"] for c in r.json()] == [\"NO\"]\n\n\n@pytest.mark.asyncio\nasync def test_get_customer(client, db_session, tenant_headers):\n    c = await CustomerFactory.create(db_session, tenant_id=tenant_headers.tenant.id)\n    r = await client.get(f\"/v1/customers/{c.id}\", headers=tenant_headers)\n    assert r.status_code == 200\n    assert r.json()[\"id\"] == c.id\n"),
    ],
)


# =========================================================================== Codex CLI: complex

_VL_SOCKET = '''defmodule VoltlineWeb.OcppSocket do
  @moduledoc """
  One process per connected charge point (Phoenix.Socket.Transport, subprotocol "ocpp1.6").
  Registers itself in Voltline.CpRegistry under the charge point id so the backend can send
  CALLs (RemoteStartTransaction, SetChargingProfile, ...) to it.
  """
  @behaviour Phoenix.Socket.Transport
  require Logger

  alias Voltline.Ocpp.{ChargePointState, Frame, Router}
  alias Voltline.Sites

  @impl true
  def child_spec(_opts), do: :ignore

  @impl true
  def connect(%{params: %{"cp" => cp_id}} = info) do
    case Sites.authenticate_charge_point(cp_id, info.connect_info) do
      {:ok, cp} -> {:ok, %ChargePointState{charge_point_id: cp.id, boot_status: :pending}}
      :error -> :error
    end
  end

  @impl true
  def init(state) do
    case Registry.register(Voltline.CpRegistry, state.charge_point_id, self()) do
      {:ok, _} ->
        :ok = Sites.mark_charge_point_online(state.charge_point_id)
        Logger.metadata(cp: state.charge_point_id)
        {:ok, state}

      {:error, {:already_registered, old}} ->
        Logger.warning("cp #{state.charge_point_id} reconnected while #{inspect(old)} still registered")
        send(old, :replaced)
        {:ok, _} = Registry.register(Voltline.CpRegistry, state.charge_point_id, self())
        :ok = Sites.mark_charge_point_online(state.charge_point_id)
        {:ok, state}
    end
  end

  @impl true
  def handle_in({text, _opts}, state) do
    with {:ok, frame} <- Frame.decode(text) do
      case Router.dispatch(frame, state) do
        {:reply, payload, new_state} -> {:reply, :ok, {:text, Frame.result(frame.id, payload)}, new_state}
        {:error, code, desc, new_state} -> {:reply, :ok, {:text, Frame.error(frame.id, code, desc)}, new_state}
      end
    else
      {:error, reason} ->
        Logger.warning("bad frame: #{inspect(reason)}")
        {:ok, state}
    end
  end

  @impl true
  def handle_info(:replaced, state), do: {:stop, :normal, state}
  def handle_info({:send_call, frame}, state), do: {:push, {:text, frame}, state}

  @impl true
  def terminate(reason, state) do
    Logger.info("cp #{state.charge_point_id} disconnected: #{inspect(reason)}")
    Sites.mark_charge_point_offline(state.charge_point_id)
    :ok
  end
end
'''

_VL_SOCKET_TEST = '''defmodule VoltlineWeb.OcppSocketTest do
  use Voltline.DataCase, async: false
  alias Voltline.OcppClient
  import Voltline.Factory

  setup do
    cp = insert(:charge_point, id: "FJ-0042", password_hash: Bcrypt.hash_pwd_salt("s3cret"))
    insert(:connector, charge_point_id: cp.id, connector_no: 1)
    %{cp: cp}
  end

  test "reconnect with the same charge point id replaces the old socket", %{cp: cp} do
    {:ok, a} = OcppClient.connect(cp.id, "s3cret")
    :ok = OcppClient.boot(a)
    {:ok, b} = OcppClient.connect(cp.id, "s3cret")
    :ok = OcppClient.boot(b)

    assert OcppClient.closed?(a, 1_000)
    assert [{pid, _}] = Registry.lookup(Voltline.CpRegistry, cp.id)
    assert pid == OcppClient.server_pid(b)

    :ok = OcppClient.call(b, "StatusNotification", %{connectorId: 1, errorCode: "NoError", status: "Charging"})
    assert Sites.get_charge_point!(cp.id).online
    assert Sites.connector_status(cp.id, 1) == "Charging"
  end
end
'''


def _vl_socket_trace(seed: int, iterations: int, fail: str | None) -> str:
    rng = random.Random(seed)
    out = []
    for i in range(iterations - 22, iterations):  # the command pipes through tail -n 150
        pa = rng.randrange(400, 990)
        t = rng.randrange(0, 59)
        out.append("VoltlineWeb.OcppSocketTest [test/voltline_web/ocpp_socket_test.exs]")
        out.append("  * test reconnect with the same charge point id replaces the old socket [L#12]")
        out.append(f"12:{t:02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} cp=FJ-0042 [info] CONNECTED TO VoltlineWeb.OcppSocket in {rng.randrange(80, 400)}µs")
        out.append(f"12:{t:02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} cp=FJ-0042 [debug] ocpp <- [2,\"{rng.randrange(10000, 99999)}\",\"BootNotification\",{{\"chargePointVendor\":\"Zaptec\",\"chargePointModel\":\"Go\"}}]")
        out.append(f"12:{t:02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} cp=FJ-0042 [warning] cp FJ-0042 reconnected while #PID<0.{pa}.0> still registered")
        if fail and i == iterations - 1:
            out += fail.splitlines()
        else:
            out.append(f"12:{t:02d}:{rng.randrange(10, 59):02d}.{rng.randrange(100, 999)} cp=FJ-0042 [info] cp FJ-0042 disconnected: :normal")
            out.append(f"  * test reconnect with the same charge point id replaces the old socket ({rng.randrange(30, 90)}.{rng.randrange(0, 9)}ms) [L#12]")
        out.append("")
    return "\n".join(out) + "\n"


_FAIL_ALREADY = """12:41:07.311 cp=FJ-0042 [error] GenServer #PID<0.917.0> terminating
** (MatchError) no match of right hand side value: {:error, {:already_registered, #PID<0.902.0>}}
    (voltline 0.31.0) lib/voltline_web/ocpp_socket.ex:35: VoltlineWeb.OcppSocket.init/1
  * test reconnect with the same charge point id replaces the old socket (1012.4ms) [L#12]

  1) test reconnect with the same charge point id replaces the old socket (VoltlineWeb.OcppSocketTest)
     test/voltline_web/ocpp_socket_test.exs:12
     ** (MatchError) no match of right hand side value: {:error, :closed}
     code: :ok = OcppClient.boot(b)
     stacktrace:
       test/voltline_web/ocpp_socket_test.exs:16: (test)

Finished in 3.9 seconds (0.00s async, 3.9s sync)
1 test, 1 failure (repeated 23 times until failure)"""

_FAIL_TIMEOUT = """12:52:44.018 cp=FJ-0042 [info] cp FJ-0042 disconnected: :normal
  * test reconnect with the same charge point id replaces the old socket (58.1ms) [L#12]

  1) test reconnect with the same charge point id replaces the old socket (VoltlineWeb.OcppSocketTest)
     test/voltline_web/ocpp_socket_test.exs:12
     Assertion with == failed
     code:  assert Sites.connector_status(cp.id, 1) == "Charging"
     left:  "Unavailable"
     right: "Charging"
     stacktrace:
       test/voltline_web/ocpp_socket_test.exs:23: (test)

Finished in 9.2 seconds (0.00s async, 9.2s sync)
1 test, 1 failure (repeated 61 times until failure)"""

_FAIL_OFFLINE = """12:58:03.529 cp=FJ-0042 [info] cp FJ-0042 disconnected: :normal
  * test reconnect with the same charge point id replaces the old socket (61.7ms) [L#12]

  1) test reconnect with the same charge point id replaces the old socket (VoltlineWeb.OcppSocketTest)
     test/voltline_web/ocpp_socket_test.exs:12
     Expected truthy, got false
     code: assert Sites.get_charge_point!(cp.id).online
     stacktrace:
       test/voltline_web/ocpp_socket_test.exs:22: (test)

Finished in 21.6 seconds (0.00s async, 21.6s sync)
1 test, 1 failure (repeated 143 times until failure)"""

cx(
    "m-cx-008", "complex",
    "Three fixes for the reconnect test have each moved the failure instead of removing it; the old socket's shutdown races the new one's registration and status writes, a hidden ordering bug in process lifecycle.",
    "voltline",
    [
        U("test/voltline_web/ocpp_socket_test.exs 'reconnect with the same charge point id replaces the old socket' fails maybe 1 in 20 locally and more on CI. this is the real-world case where a charger reboots and reconnects before we noticed the old TCP connection died, so I want the behaviour right, not just the test green. figure it out"),
        par(
            rd("lib/voltline_web/ocpp_socket.ex", _VL_SOCKET),
            rd("test/voltline_web/ocpp_socket_test.exs", _VL_SOCKET_TEST),
            pre="Reading the socket and the test.",
        ),
        sh("mix test test/voltline_web/ocpp_socket_test.exs --repeat-until-failure 200 --trace 2>&1 | tail -n 150", _vl_socket_trace(1, 23, _FAIL_ALREADY), code=2, secs=4.6),
        A("Reproduced: `send(old, :replaced)` is asynchronous, so the second `Registry.register` can run before the old process has exited, and the match on `{:ok, _}` crashes the new socket. First attempt: monitor the old process and wait for its `:DOWN` before registering again (bounded by 1 s)."),
        ed("lib/voltline_web/ocpp_socket.ex",
           "        send(old, :replaced)\n        {:ok, _} = Registry.register(Voltline.CpRegistry, state.charge_point_id, self())",
           "        ref = Process.monitor(old)\n        send(old, :replaced)\n\n        receive do\n          {:DOWN, ^ref, :process, ^old, _} -> :ok\n        after\n          1_000 -> Process.exit(old, :kill)\n        end\n\n        {:ok, _} = Registry.register(Voltline.CpRegistry, state.charge_point_id, self())"),
        sh("mix test test/voltline_web/ocpp_socket_test.exs --repeat-until-failure 200 --trace 2>&1 | tail -n 150", _vl_socket_trace(2, 61, _FAIL_TIMEOUT), code=2, secs=9.9),
        A("The registration crash is gone, but now the connector status sometimes ends up `Unavailable` instead of `Charging`. Nothing in the test sends `Unavailable`. Looking for who writes it."),
        gr("Unavailable", "lib/voltline/sites.ex:118:  def mark_charge_point_offline(cp_id) do\nlib/voltline/sites.ex:124:    |> Repo.update_all(set: [status: \"Unavailable\", status_at: DateTime.utc_now()])\nlib/voltline/ocpp/handlers/status_notification.ex:12:  @statuses ~w(Available Preparing Charging SuspendedEVSE SuspendedEV Finishing Reserved Unavailable Faulted)\n", path="lib"),
        sh("sed -n 100,140p lib/voltline/sites.ex", "  def mark_charge_point_online(cp_id) do\n    {1, _} =\n      from(cp in ChargePoint, where: cp.id == ^cp_id)\n      |> Repo.update_all(set: [online: true, last_seen_at: DateTime.utc_now()])\n\n    :ok\n  end\n\n  # Called from the socket's terminate/2: the charger is gone, so every connector is unavailable\n  # until it reconnects and sends StatusNotification again.\n  def mark_charge_point_offline(cp_id) do\n    Repo.transaction(fn ->\n      from(cp in ChargePoint, where: cp.id == ^cp_id) |> Repo.update_all(set: [online: false])\n\n      from(c in Connector, where: c.charge_point_id == ^cp_id)\n      |> Repo.update_all(set: [status: \"Unavailable\", status_at: DateTime.utc_now()])\n    end)\n  end\n"),
        A("So the old socket's `terminate/2` marks the charge point offline and all its connectors `Unavailable`. When it runs after the new socket's StatusNotification, it overwrites `Charging`. Second attempt: only mark offline if this process is still the registered one for the id, so a replaced socket doesn't clobber its successor."),
        ed("lib/voltline_web/ocpp_socket.ex",
           "    Sites.mark_charge_point_offline(state.charge_point_id)\n    :ok",
           "    case Registry.lookup(Voltline.CpRegistry, state.charge_point_id) do\n      [{pid, _}] when pid != self() -> :ok\n      _ -> Sites.mark_charge_point_offline(state.charge_point_id)\n    end\n\n    :ok"),
        sh("mix test test/voltline_web/ocpp_socket_test.exs --repeat-until-failure 200 --trace 2>&1 | tail -n 150", _vl_socket_trace(3, 143, _FAIL_OFFLINE), code=2, secs=21.9),
        A("Rarer, but it still happens: now `online` is false after the reconnect. In the failing run the old process is killed or exits before the new one registers, so at `terminate/2` time the registry has no entry (Registry removes the old key when the old process dies), the lookup returns `[]`, and the old socket marks the charge point offline after the new socket's `mark_charge_point_online` already ran."),
        U("that's the third fix that just moves the failure around. stop patching the test symptoms: make the reconnect handling correct so a replaced socket can never touch its successor's registration or status, whatever order the processes die in, and show me it survives a few hundred repeats"),
    ],
)

_VL_MIGRATION = '''defmodule Voltline.Repo.Migrations.SessionsEnergyWh do
  use Ecto.Migration

  # c8e04b1: energy_wh (integer) replaces kwh (float). Backfill, then drop the old column.
  def up do
    alter table(:charging_sessions) do
      add_if_not_exists :energy_wh, :bigint
    end

    execute "UPDATE charging_sessions SET energy_wh = round(kwh * 1000) WHERE energy_wh IS NULL"

    alter table(:charging_sessions) do
      remove :kwh
    end

    create_if_not_exists index(:charging_sessions, [:connector_id, :stopped_at])
  end

  def down do
    alter table(:charging_sessions) do
      add :kwh, :float
    end

    execute "UPDATE charging_sessions SET kwh = energy_wh / 1000.0"
  end
end
'''

cx(
    "m-cx-009", "complex",
    "Running a migration that rewrites and drops a column on the production sessions table from a laptop, bypassing the release process, is a risky production-data change that needs checks and a plan first.",
    "voltline",
    [
        U("the energy_wh migration is merged but the deploy is stuck behind the fly.io incident and the nightly billing export at 02:00 reads energy_wh. just run it against prod from here: DATABASE_URL for prod is in .env.prod, `MIX_ENV=prod mix ecto.migrate`. it's one small migration"),
        sh("ls priv/repo/migrations | tail -n 4", "20250912081500_site_time_zone.exs\n20250929134000_receipts_vat_lines.exs\n20251014092000_meter_values_interval.exs\n20251021101500_sessions_energy_wh.exs\n"),
        rd("priv/repo/migrations/20251021101500_sessions_energy_wh.exs", _VL_MIGRATION),
        sh("grep -c . .env.prod && grep -o '^[A-Z_]*=' .env.prod", "4\nDATABASE_URL=\nSECRET_KEY_BASE=\nPOOL_SIZE=\nOCPP_BASIC_AUTH_PEPPER=\n"),
    ],
)

_PAY_DEPS = '''from __future__ import annotations

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt import InvalidTokenError

from app.auth.tokens import decode_access_token

bearer = HTTPBearer(auto_error=False)


async def current_claims(creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> dict:
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token")
    try:
        return decode_access_token(creds.credentials)
    except InvalidTokenError as e:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token") from e


async def current_tenant(claims: dict = Depends(current_claims)) -> str:
    return claims["tid"]


async def current_user(claims: dict = Depends(current_claims)) -> str:
    return claims["sub"]
'''

cx(
    "m-cx-010", "complex",
    "Enforcing read and write scopes on every endpoint across several routers, without locking out existing tokens or catching the signature-authenticated webhook, is an authorization change with many dependents.",
    "payments",
    [
        U("partners want read-only API tokens. issue_access_token already puts scopes into the JWT but nothing ever checks them. make every mutating endpoint under app/api (POST/PUT/PATCH/DELETE) require the `write` scope and every GET require `read`, and let POST /v1/auth/token mint a read-only token when asked. existing tokens all carry ['read','write'] so they must keep working"),
        par(
            rd("app/auth/tokens.py", FX["payments"]["app/auth/tokens.py"]),
            rd("app/auth/deps.py", _PAY_DEPS),
            pre="Looking at how tokens are issued and checked today.",
        ),
        sh("grep -rnE '@router\\.(get|post|put|patch|delete)' app/api | sort", "app/api/auth.py:21:@router.post(\"/token\", response_model=TokenOut)\napp/api/auth.py:44:@router.post(\"/refresh\", response_model=TokenOut)\napp/api/customers.py:21:@router.get(\"\", response_model=list[CustomerOut])\napp/api/customers.py:34:@router.get(\"/{customer_id}\", response_model=CustomerOut)\napp/api/customers.py:41:@router.patch(\"/{customer_id}\", response_model=CustomerOut)\napp/api/exports.py:18:@router.post(\"/invoices.csv\")\napp/api/invoices.py:24:@router.get(\"\", response_model=list[InvoiceOut])\napp/api/invoices.py:47:@router.get(\"/{invoice_id}\", response_model=InvoiceOut)\napp/api/invoices.py:58:@router.post(\"\", response_model=InvoiceOut, status_code=201)\napp/api/invoices.py:83:@router.post(\"/{invoice_id}/finalize\", response_model=InvoiceOut)\napp/api/invoices.py:101:@router.post(\"/{invoice_id}/void\", status_code=204)\napp/api/payouts.py:30:@router.get(\"\", response_model=list[PayoutOut])\napp/api/payouts.py:52:@router.post(\"\", response_model=PayoutOut, status_code=201)\napp/api/payouts.py:70:@router.post(\"/{payout_id}/submit\", response_model=PayoutOut)\napp/api/refunds.py:19:@router.post(\"\", response_model=RefundOut, status_code=201)\napp/api/webhooks.py:16:@router.post(\"/stripe\")\n"),
        sh("sed -n 1,60p app/api/auth.py", "from __future__ import annotations\n\nfrom fastapi import APIRouter, Depends, HTTPException\nfrom pydantic import BaseModel\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\nfrom app.auth.passwords import verify_client_secret\nfrom app.auth.tokens import issue_access_token, issue_refresh_token, refresh\nfrom app.db.session import get_session\n\nrouter = APIRouter(prefix=\"/v1/auth\", tags=[\"auth\"])\n\n\nclass TokenIn(BaseModel):\n    client_id: str\n    client_secret: str\n\n\nclass TokenOut(BaseModel):\n    access_token: str\n    refresh_token: str\n    token_type: str = \"bearer\"\n\n\n@router.post(\"/token\", response_model=TokenOut)\nasync def token(body: TokenIn, session: AsyncSession = Depends(get_session)) -> TokenOut:\n    client = await verify_client_secret(session, body.client_id, body.client_secret)\n    if client is None:\n        raise HTTPException(401, \"invalid client\")\n    access = issue_access_token(client.user_id, client.tenant_id, client.user.scopes)\n    refresh_token = await issue_refresh_token(session, client.user_id)\n    return TokenOut(access_token=access, refresh_token=refresh_token)\n\n\n@router.post(\"/refresh\", response_model=TokenOut)\nasync def refresh_token(raw: str, session: AsyncSession = Depends(get_session)) -> TokenOut:\n    access, same = await refresh(session, raw)\n    return TokenOut(access_token=access, refresh_token=same)\n"),
    ],
)

_PP_SEARCH_REPO = '''package org.hollis.pipette.samples

import org.hollis.pipette.jooq.tables.references.AUDIT_EVENT
import org.hollis.pipette.jooq.tables.references.BOX
import org.hollis.pipette.jooq.tables.references.FREEZER
import org.hollis.pipette.jooq.tables.references.SAMPLE
import org.hollis.pipette.jooq.tables.references.STUDY
import org.jooq.DSLContext
import org.jooq.impl.DSL
import org.jooq.impl.DSL.lower
import org.springframework.stereotype.Repository

@Repository
class SampleSearchRepository(private val dsl: DSLContext) {

    fun search(studyCode: String, q: String?, after: String?, limit: Int): List<SampleHit> {
        // where the sample is now, for the "current location" column (release 2.12)
        val currentLocation = DSL.field(
            DSL.select(DSL.concat(FREEZER.CODE, DSL.inline(" / "), BOX.LABEL, DSL.inline(" / "), SAMPLE.POSITION))
                .from(AUDIT_EVENT)
                .join(BOX).on(BOX.ID.eq(DSL.field("(audit_event.data->>'toBox')::bigint", Long::class.java)))
                .join(FREEZER).on(FREEZER.ID.eq(BOX.FREEZER_ID))
                .where(AUDIT_EVENT.ENTITY.eq("sample"))
                .and(AUDIT_EVENT.ENTITY_ID.eq(SAMPLE.SAMPLE_ID))
                .and(AUDIT_EVENT.ACTION.`in`("REGISTER", "MOVE"))
                .orderBy(AUDIT_EVENT.AT.desc())
                .limit(1),
        ).`as`("current_location")

        var cond = STUDY.CODE.eq(studyCode)
        if (!q.isNullOrBlank()) {
            cond = cond.and(
                lower(SAMPLE.SAMPLE_ID).contains(q.lowercase())
                    .or(lower(SAMPLE.EXTERNAL_REF).contains(q.lowercase())),
            )
        }
        if (after != null) cond = cond.and(SAMPLE.SAMPLE_ID.gt(after))

        return dsl.select(SAMPLE.SAMPLE_ID, SAMPLE.EXTERNAL_REF, SAMPLE.MATERIAL_TYPE, SAMPLE.STATUS, SAMPLE.COLLECTED_AT, currentLocation)
            .from(SAMPLE)
            .join(STUDY).on(STUDY.ID.eq(SAMPLE.STUDY_ID))
            .where(cond)
            .orderBy(SAMPLE.SAMPLE_ID)
            .limit(limit)
            .fetch { r -> SampleHit(r.value1()!!, r.value2(), r.value3()!!, r.value4()!!, r.value5(), r.value6()) }
    }
}

data class SampleHit(val sampleId: String, val externalRef: String?, val materialType: String, val status: String, val collectedAt: java.time.OffsetDateTime?, val currentLocation: String?)
'''

_PP_EXPLAIN = """                                                                       QUERY PLAN
--------------------------------------------------------------------------------------------------------------------------------------------------------
 Limit  (cost=1000.43..2891544.12 rows=50 width=142) (actual time=3411.882..3419.204 rows=50 loops=1)
   ->  Nested Loop  (cost=1000.43..11567890.02 rows=200 width=142) (actual time=3411.880..3419.176 rows=50 loops=1)
         Join Filter: (study.id = sample.study_id)
         ->  Index Scan using sample_pkey on sample  (cost=0.43..98123.55 rows=812 width=78) (actual time=3390.114..3390.871 rows=50 loops=1)
               Filter: ((lower((sample_id)::text) ~~ '%ab12%'::text) OR (lower((external_ref)::text) ~~ '%ab12%'::text))
               Rows Removed by Filter: 611204
         ->  Seq Scan on study  (cost=0.00..1.61 rows=1 width=8) (actual time=0.004..0.004 rows=1 loops=50)
               Filter: ((code)::text = 'GENOMIC-NORD'::text)
               Rows Removed by Filter: 48
         SubPlan 1
           ->  Limit  (cost=14402.11..14402.11 rows=1 width=32) (actual time=0.551..0.552 rows=1 loops=50)
                 ->  Sort  (cost=14402.11..14402.38 rows=107 width=40) (actual time=0.550..0.551 rows=1 loops=50)
                       Sort Key: audit_event.at DESC
                       Sort Method: top-N heapsort  Memory: 25kB
                       ->  Nested Loop  (cost=0.86..14401.58 rows=107 width=40) (actual time=0.233..0.547 rows=3 loops=50)
                             ->  Seq Scan on audit_event  (cost=0.00..14312.40 rows=107 width=48) (actual time=0.231..0.539 rows=3 loops=50)
                                   Filter: (((entity)::text = 'sample'::text) AND ((action)::text = ANY ('{REGISTER,MOVE}'::text[])) AND ((entity_id)::text = (sample.sample_id)::text))
                                   Rows Removed by Filter: 2911
                             ->  Index Scan using box_pkey on box  (cost=0.29..0.83 rows=1 width=24) (actual time=0.002..0.002 rows=1 loops=3)
                                   Index Cond: (id = (((audit_event.data ->> 'toBox'::text))::bigint))
 Planning Time: 1.942 ms
 Execution Time: 3419.771 ms
(22 rows)
"""

cx(
    "m-cx-011", "complex",
    "A 40x latency regression from a correlated audit-log subquery and an unindexable substring filter needs query and index redesign checked against the plan on a large table: performance work.",
    "pipette",
    [
        U("GET /api/samples?study=...&q=... went from ~80ms p95 to 3-4 s since 2.12 (the 'current location' column). studies have up to 600k samples. make it fast again, keep the response shape the same. prod is on PG16, we can add migrations"),
        rd("src/main/kotlin/org/hollis/pipette/samples/SampleSearchRepository.kt", _PP_SEARCH_REPO),
        sh("psql \"$PIPETTE_STAGING_RO\" -c \"\\d+ audit_event\" | head -n 30", "                                                     Table \"public.audit_event\"\n  Column   |           Type           | Collation | Nullable |                 Default                 | Storage  |\n-----------+--------------------------+-----------+----------+-----------------------------------------+----------+\n id        | bigint                   |           | not null | nextval('audit_event_id_seq'::regclass) | plain    |\n entity    | character varying(32)    |           | not null |                                         | extended |\n entity_id | character varying(64)    |           | not null |                                         | extended |\n action    | character varying(32)    |           | not null |                                         | extended |\n actor     | character varying(64)    |           | not null |                                         | extended |\n data      | jsonb                    |           | not null |                                         | extended |\n at        | timestamp with time zone |           | not null |                                         | plain    |\nIndexes:\n    \"audit_event_pkey\" PRIMARY KEY, btree (id)\nAccess method: heap\n\n  count\n---------\n 2912844\n"),
        sh("psql \"$PIPETTE_STAGING_RO\" -c \"EXPLAIN (ANALYZE, BUFFERS off) <query from the repository log, study=GENOMIC-NORD q=ab12 limit 50>\"", _PP_EXPLAIN, secs=3.6),
    ],
)


# =========================================================================== Codex CLI: reasoning

cx(
    "m-cx-012", "reasoning",
    "Dynamic load management under per-phase fuse limits, minimum currents, contract priorities, stale data and offline fallbacks is an allocation and control-loop design that must be argued safe first.",
    "voltline",
    [
        U("design question, no code yet. each site has a fixed grid connection (e.g. Lillestrøm: 250 A per phase, 22 connectors). today every connector gets a static limit so we under-use the connection most of the day. we want dynamic load management: every ~30 s allocate current to active sessions and push it with OCPP SetChargingProfile.\n\nconstraints: per-phase limits, and cars are 1-phase (on L1 or whatever phase the charger rotation puts them), 2-phase or 3-phase; min 6 A per session or the car has to be paused (and some cars don't resume!); some firmware rejects a new profile if the last one is < 60 s old; fleet-contract customers get a guaranteed minimum; otherwise fair; cars often draw much less than offered (we see it in MeterValues) so unused headroom should go to others; comms delay is 5-20 s; if a charger drops offline it falls back to its default profile (the static limit) so we must always keep room for that.\n\nwhat allocation algorithm would you use, how do you run the control loop, and above all how do you guarantee we never exceed the fuse with stale data and slow chargers? give me the model and the argument, we'll code it after"),
        sh("psql \"$VOLTLINE_RO\" -c \"select c.charge_point_id, c.connector_no, c.max_amps, c.phases, c.phase_rotation, c.default_profile_amps from connectors c join sites s on s.id = c.site_id where s.name = 'Lillestrøm Storsenter' order by 1,2\" | head -n 30",
           " charge_point_id | connector_no | max_amps | phases | phase_rotation | default_profile_amps\n-----------------+--------------+----------+--------+----------------+----------------------\n FJ-0311         |            1 |       32 |      3 | RST            |                   16\n FJ-0311         |            2 |       32 |      3 | STR            |                   16\n FJ-0312         |            1 |       32 |      3 | TRS            |                   16\n FJ-0312         |            2 |       32 |      3 | RST            |                   16\n FJ-0313         |            1 |       32 |      3 | STR            |                   16\n FJ-0313         |            2 |       32 |      3 | TRS            |                   16\n FJ-0314         |            1 |       32 |      3 | RST            |                   16\n FJ-0314         |            2 |       32 |      3 | STR            |                   16\n FJ-0315         |            1 |       32 |      3 | TRS            |                   16\n FJ-0315         |            2 |       32 |      3 | RST            |                   16\n FJ-0316         |            1 |       63 |      3 | RST            |                   32\n FJ-0316         |            2 |       63 |      3 | STR            |                   32\n FJ-0317         |            1 |       32 |      1 | RST            |                   16\n FJ-0318         |            1 |       32 |      1 | STR            |                   16\n FJ-0319         |            1 |       32 |      1 | TRS            |                   16\n FJ-0320         |            1 |       32 |      3 | RST            |                   16\n FJ-0320         |            2 |       32 |      3 | STR            |                   16\n FJ-0321         |            1 |       32 |      3 | TRS            |                   16\n FJ-0321         |            2 |       32 |      3 | RST            |                   16\n FJ-0322         |            1 |       32 |      3 | STR            |                   16\n FJ-0322         |            2 |       32 |      3 | TRS            |                   16\n FJ-0323         |            1 |       32 |      3 | RST            |                   16\n(22 rows)\n"),
    ],
)

_PP_SAMPLE_IDS = '''package org.hollis.pipette.samples

import org.jooq.DSLContext
import org.springframework.stereotype.Component

/**
 * Sample IDs: LAB-YY-SSSSSS-C, e.g. HL-24-000123-7.
 * C is a check digit over the 8 digits YYSSSSSS so a mistyped ID from a paper log sheet is caught
 * at the bench scanner / search box instead of silently matching another sample.
 */
@Component
class SampleIds(private val dsl: DSLContext) {
    fun next(lab: String, year: Int): String {
        val seq = dsl.nextval("sample_seq_${lab.lowercase()}_$year").toInt()
        val body = "%02d%06d".format(year, seq)
        return "$lab-%02d-%06d-%d".format(year, seq, checkDigit(body))
    }

    companion object {
        private val ID = Regex("""^([A-Z]{2})-(\\d{2})-(\\d{6})-(\\d)$""")

        /** Weighted mod 10, weights 3,1,3,1,... from the left (same as EAN-13). */
        fun checkDigit(digits: String): Int {
            require(digits.all { it.isDigit() })
            val sum = digits.mapIndexed { i, c -> (c - '0') * if (i % 2 == 0) 3 else 1 }.sum()
            return (10 - sum % 10) % 10
        }

        fun isValid(id: String): Boolean {
            val m = ID.matchEntire(id) ?: return false
            val (_, yy, seq, check) = m.destructured
            return checkDigit(yy + seq) == check.toInt()
        }
    }
}
'''

cx(
    "m-cx-013", "reasoning",
    "Which typing errors a weighted mod-10 check digit misses, and whether Luhn, Damm or ISO 7064 MOD 11-2 strictly dominates it for this ID format, needs a proof over error classes, not code.",
    "pipette",
    [
        U("before we print 50k new cryo labels I want to settle the check digit. techs hand-type IDs from the freezer log sheets into the search box. does our SampleIds.checkDigit catch every single-digit typo and every adjacent swap? if not, exactly which ones slip through and how likely are they in our ID space (year 24/25, sequences up to ~400k)? and would Luhn, Damm or ISO 7064 MOD 11-2 be strictly better for this format, keeping in mind 11-2 can produce an 'X'. I want an actual argument I can put in the design doc, not vibes"),
        rd("src/main/kotlin/org/hollis/pipette/samples/SampleIds.kt", _PP_SAMPLE_IDS),
        sh("psql \"$PIPETTE_STAGING_RO\" -c \"select action, count(*) from audit_event where entity='search' and data->>'result'='no_match' and at > now() - interval '90 days' group by 1\"", " action | count\n--------+-------\n SEARCH |  1184\n(1 row)\n"),
    ],
)

_TW_LOGS = "\n".join(
    [
        "== tidewater (prod, 4 replicas, journald, 2025-10-20 .. 2025-10-22, level>=warn) ==",
        "2025-10-20T02:14:51.203Z WARN tidewater::upstream: fetch_station failed station=NO-HFT-0042 host=tides-north.api.kartverk.example err=hyper::Error(IncompleteMessage): connection closed before message completed pooled=true idle_ms=61204",
        "2025-10-20T02:14:51.204Z WARN tidewater::http: 502 GET /v1/stations/NO-HFT-0042 upstream_error latency_ms=3",
        "2025-10-20T03:40:12.881Z WARN tidewater::upstream: fetch_station failed station=NO-TRD-0007 host=tides-north.api.kartverk.example err=hyper::Error(IncompleteMessage): connection closed before message completed pooled=true idle_ms=64410",
        "2025-10-20T03:40:12.882Z WARN tidewater::http: 502 GET /v1/stations/NO-TRD-0007 upstream_error latency_ms=2",
        "2025-10-20T05:02:33.010Z WARN tidewater::upstream: fetch_station failed station=NO-BOO-0013 host=tides-north.api.kartverk.example err=error trying to connect: Connection reset by peer (os error 104) pooled=true idle_ms=60877",
        "2025-10-20T09:18:44.412Z WARN sqlx::pool::acquire: acquired connection, but time to acquire exceeded slow threshold aquired_after_secs=1.2 slow_threshold=1s",
        "2025-10-20T14:27:05.662Z WARN tidewater::upstream: fetch_station failed station=NO-TOS-0002 host=tides-north.api.kartverk.example err=hyper::Error(IncompleteMessage): connection closed before message completed pooled=true idle_ms=59981",
        "2025-10-21T01:55:19.345Z WARN tidewater::upstream: fetch_station failed station=NO-HFT-0042 host=tides-north.api.kartverk.example err=hyper::Error(IncompleteMessage): connection closed before message completed pooled=true idle_ms=88310",
        "2025-10-21T01:55:19.346Z WARN tidewater::http: 502 GET /v1/stations/NO-HFT-0042 upstream_error latency_ms=2",
        "2025-10-21T04:11:52.090Z WARN tidewater::upstream: fetch_station failed station=NO-VAW-0001 host=tides-north.api.kartverk.example err=hyper::Error(IncompleteMessage): connection closed before message completed pooled=true idle_ms=73002",
        "2025-10-21T12:40:00.001Z WARN tidewater::upstream: upstream returned 503 station=NO-BGO-0019 host=tides-south.api.kartverk.example retry=1/3 backoff_ms=180",
        "2025-10-21T12:40:00.214Z INFO tidewater::upstream: retry succeeded station=NO-BGO-0019 host=tides-south.api.kartverk.example attempt=2",
        "2025-10-22T03:03:27.518Z WARN tidewater::upstream: fetch_station failed station=NO-KKN-0004 host=tides-north.api.kartverk.example err=hyper::Error(IncompleteMessage): connection closed before message completed pooled=true idle_ms=62554",
        "2025-10-22T03:03:27.519Z WARN tidewater::http: 502 GET /v1/stations/NO-KKN-0004 upstream_error latency_ms=3",
        "",
        "== 502 counts per hour of day (UTC), both hosts, 3 days ==",
        "hour  north_502  north_req   south_502  south_req",
        "00        41      18210          0       20115",
        "01        55      12044          0       14420",
        "02        63       9980          0       11203",
        "03        71       8812          0       10120",
        "04        58       9455          0       10870",
        "05        34      14390          0       16002",
        "06        12      31882          0       35230",
        "07         4      52107          0       58401",
        "08         2      61320          0       66012",
        "12         1      70211          1       77430",
        "17         3      58820          0       63117",
        "22        19      27004          0       29877",
        "",
        "== upstream provider status page, 2025-10-14 ==",
        "Maintenance completed: tides-north.api.kartverk.example moved to our new edge load balancers (HAProxy 2.8). tides-south will follow in November. No API changes.",
        "",
        "== tidewater upstream client (src/upstream/client.rs, excerpt) ==",
        "    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())",
        "        .pool_idle_timeout(Duration::from_secs(90))",
        "        .pool_max_idle_per_host(32)",
        "        .build(connector);",
        "    // c52e8f1: retry 502/503 responses from upstream with jitter (max 3 attempts)",
        "    fn should_retry(resp: &Response<Incoming>) -> bool { matches!(resp.status().as_u16(), 502 | 503) }",
        "",
        "== tcpdump on replica tidewater-2 (filter host tides-north, 2025-10-21 01:55) ==",
        "01:54:11.032 IP 10.8.3.21.51744 > 185.12.40.7.443: Flags [P.], length 517   (request)",
        "01:54:11.049 IP 185.12.40.7.443 > 10.8.3.21.51744: Flags [P.], length 2210  (response)",
        "01:55:11.050 IP 185.12.40.7.443 > 10.8.3.21.51744: Flags [F.], seq 88213, ack 1930",
        "01:55:11.050 IP 10.8.3.21.51744 > 185.12.40.7.443: Flags [.], ack 88214",
        "01:55:19.343 IP 10.8.3.21.51744 > 185.12.40.7.443: Flags [P.], length 512   (request)",
        "01:55:19.360 IP 185.12.40.7.443 > 10.8.3.21.51744: Flags [R], seq 88214",
    ]
) + "\n"

cx(
    "m-cx-014", "reasoning",
    "The user wants one explanation fitting night-only 502s on the north host, idle times near 60 s, useless retries and a FIN before the reset, before changing anything: root-cause analysis across hops.",
    "tidewater",
    [
        U("since last week ~0.3% of station requests at night get a 502 from tidewater, only for northern stations, and our 'retry 502/503' change didn't help at all. daytime almost nothing. I collected tidewater warn logs, per-hour counts, the provider's status note, our client config and a tcpdump from one replica into out/502-investigation.txt. before anyone touches config I want to understand exactly what is happening, why only north, why at night, and why the retries don't kick in. then tell me what the right fix is and what the wrong ones would be"),
        sh("cat out/502-investigation.txt", _TW_LOGS),
    ],
)


# =========================================================================== OpenHands: simple


def _oh_events_receipts() -> list[str]:
    return [
        "MessageAction(source=user): Swedish sites need the VAT (moms 25%) on the receipt PDF as its own line, with the amount excluding VAT, the VAT and the total, all in öre -> kronor with two decimals. Norwegian receipts stay as they are. Receipts are built in lib/voltline/billing/receipt.ex and rendered by ReceiptPdf.",
        "CmdRunAction: grep -rn 'vat\\|moms\\|mva' lib/voltline/billing",
        "CmdOutputObservation (exit code 0): lib/voltline/billing/receipt.ex:22:  # Norway: prices include 25% MVA, shown as a note only\nlib/voltline/billing/receipt.ex:61:    mva_note: \"Inkl. 25 % mva\"\nlib/voltline/billing/tariff.ex:14:  field :vat_rate_bp, :integer, default: 2500",
        "FileReadAction: lib/voltline/billing/receipt.ex",
        "FileReadObservation: defmodule Voltline.Billing.Receipt do\n  defstruct [:session_id, :site, :energy_wh, :price_per_kwh_ore, :total_ore, :currency, :lines, :mva_note]\n  def build(session, site, tariff) do\n    total = div(session.energy_wh * tariff.price_per_kwh_ore + 500, 1000)\n    %__MODULE__{session_id: session.id, site: site, energy_wh: session.energy_wh, price_per_kwh_ore: tariff.price_per_kwh_ore, total_ore: total, currency: tariff.currency, lines: [{\"Energi\", total}], mva_note: \"Inkl. 25 % mva\"}\n  end\nend",
        "AgentThinkAction: The price is VAT-inclusive. For SE, VAT part = total * rate / (10000 + rate) in öre, rounded half-up; net = total - vat. Keep the NO path unchanged. Add a :country switch on site.country.",
        "FileEditAction: lib/voltline/billing/receipt.ex: added vat_lines/3 for SE, kept the NO mva note; lines are now [{\"Energi exkl. moms\", net}, {\"Moms 25 %\", vat}, {\"Totalt\", total}] for SE",
        "CmdRunAction: mix test test/voltline/billing",
        "CmdOutputObservation (exit code 2): 1) test SE receipt splits VAT (Voltline.Billing.ReceiptTest)\n     Assertion with == failed\n     left:  [{\"Energi exkl. moms\", 10_160}, {\"Moms 25 %\", 2_540}, {\"Totalt\", 12_700}]\n     right: [{\"Energi exkl. moms\", 10_160}, {\"Moms 25 %\", 2_540}, {\"Totalt\", 12_700}, {\"Varav moms\", 2_540}]\n\n14 tests, 1 failure",
        "AgentThinkAction: The test expects an extra 'Varav moms' line, which is what Swedish receipts usually show under the total. The user did not ask for it; the test was written by the user last week. Keep the test's expectation since it encodes their requirement.",
        "FileEditAction: lib/voltline/billing/receipt.ex: append {\"Varav moms\", vat} for SE",
        "CmdRunAction: mix test test/voltline/billing",
        "CmdOutputObservation (exit code 0): Finished in 0.4 seconds (0.4s async, 0.0s sync)\n14 tests, 0 failures",
        "CmdRunAction: mix format --check-formatted && mix credo --strict lib/voltline/billing",
        "CmdOutputObservation (exit code 0): Checking 6 source files ...\nAnalysis took 0.2 seconds\n41 mods/funs, found no issues.",
        "FileReadAction: lib/voltline/billing/receipt_pdf.ex",
        "FileReadObservation: defmodule Voltline.Billing.ReceiptPdf do\n  # renders receipt.lines as a two-column table; mva_note printed under the total when present\n  ...\nend",
    ]


ohc(
    "m-oh-001", "simple",
    "OpenHands' condenser asks for a state summary of a receipt-VAT session's events; writing it is harness bookkeeping.",
    _oh_events_receipts(),
)


def _oh_events_shader_cache() -> list[str]:
    rng = random.Random(5151)
    ev = [
        "MessageAction(source=user): First-time frame hitches of 80-200 ms when a material is first seen in the editor viewport. We added a pipeline cache (src/gpu/PipelineCache.cpp) in f3a1 but hitches are the same. Find out whether the cache is actually hit and why not. Linux, Vulkan, RADV and NVIDIA both.",
        "CmdRunAction: cmake --preset linux-release && cmake --build --preset linux-release -j 16 2>&1 | tail -n 5",
        "CmdOutputObservation (exit code 0): [412/415] Building CXX object src/gpu/CMakeFiles/gpu.dir/PipelineCache.cpp.o\n[413/415] Linking CXX static library src/gpu/libgpu.a\n[414/415] Linking CXX executable apps/editor/render-editor\n[415/415] Linking CXX executable tests/render-tests",
        "CmdRunAction: RENDER_TRACE_PIPELINES=1 ./build/linux-release/apps/editor/render-editor --scene scenes/harbour.scn --frames 600 --headless 2>&1 | grep -E 'pipeline|hitch' | head -n 200",
    ]
    lines = []
    for _ in range(190):
        h = "".join(rng.choice("0123456789abcdef") for _ in range(16))
        if rng.random() < 0.7:
            lines.append(f"[frame {rng.randrange(1, 600):>4}] pipeline cache MISS key={h} vs={rng.choice(['pbr.vert', 'skinned.vert', 'terrain.vert', 'water.vert'])} fs={rng.choice(['pbr_opaque.frag', 'pbr_masked.frag', 'water.frag', 'foliage.frag', 'decal.frag'])} specs={rng.randrange(0, 6)} create_ms={rng.random() * 40 + 5:.1f}")
        else:
            lines.append(f"[frame {rng.randrange(1, 600):>4}] hitch {rng.random() * 150 + 60:.1f} ms (budget 16.6) top zone: vkCreateGraphicsPipelines")
    ev.append("CmdOutputObservation (exit code 0): " + "\n".join(lines))
    ev += [
        "AgentThinkAction: Every lookup misses even on the second run with a warm on-disk cache, so either the key is not stable across runs or the cache file is not loaded. Check the key function.",
        "FileReadAction: src/gpu/PipelineCache.cpp",
        "FileReadObservation: " + "\n".join(
            [
                "#include \"gpu/PipelineCache.h\"",
                "#include <fstream>",
                "namespace gpu {",
                "std::size_t PipelineKey::hash() const {",
                "    std::size_t h = 1469598103934665603ull;",
                "    auto mix = [&](std::size_t v) { h ^= v; h *= 1099511628211ull; };",
                "    mix(std::hash<const void*>{}(vertexModule));",
                "    mix(std::hash<const void*>{}(fragmentModule));",
                "    mix(static_cast<std::size_t>(topology));",
                "    mix(static_cast<std::size_t>(blend.srcColor) << 8 | static_cast<std::size_t>(blend.dstColor));",
                "    for (auto& s : specialization) mix(std::hash<uint32_t>{}(s.value));",
                "    mix(std::hash<const void*>{}(renderPass));",
                "    return h;",
                "}",
                "void PipelineCache::load(const std::filesystem::path& file) {",
                "    std::ifstream in(file, std::ios::binary);",
                "    if (!in) return;",
                "    std::vector<char> blob((std::istreambuf_iterator<char>(in)), {});",
                "    VkPipelineCacheCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};",
                "    ci.initialDataSize = blob.size(); ci.pInitialData = blob.data();",
                "    vkCreatePipelineCache(device_, &ci, nullptr, &vkCache_);",
                "}",
                "}  // namespace gpu",
            ]
        ),
        "AgentThinkAction: The key hashes the VkShaderModule pointers and the render pass pointer, which differ on every run and even within a run when modules are recreated after hot reload. So the in-memory map never hits across runs, and within a run hits only if the same module objects are reused. The on-disk VkPipelineCache blob is loaded, so driver-level compile should be faster on run 2; measure that separately.",
        "CmdRunAction: for i in 1 2; do RENDER_TRACE_PIPELINES=1 ./build/linux-release/apps/editor/render-editor --scene scenes/harbour.scn --frames 600 --headless 2>&1 | grep -c 'cache MISS'; done; ls -la ~/.cache/render-core/",
        "CmdOutputObservation (exit code 0): 214\n214\ntotal 18244\ndrwxr-xr-x 2 lee lee     4096 Oct 21 10:12 .\n-rw-r--r-- 1 lee lee 18677312 Oct 21 10:12 pipelines-radv-8086.bin",
        "CmdRunAction: grep -rn 'PipelineCache::save\\|cache_.save\\|->save(' src/ apps/ | head",
        "CmdOutputObservation (exit code 0): src/gpu/PipelineCache.cpp:88:void PipelineCache::save(const std::filesystem::path& file) {\napps/editor/main.cpp:211:    pipelineCache->save(cacheDir / fmt::format(\"pipelines-{}-{:x}.bin\", driverName, deviceId));",
        "AgentThinkAction: File name uses deviceId in hex (8086?) while RADV is AMD; suspicious but load path may use a different formatting. Check main.cpp load call.",
        "CmdRunAction: sed -n 190,215p apps/editor/main.cpp",
        "CmdOutputObservation (exit code 0): 195:    pipelineCache->load(cacheDir / fmt::format(\"pipelines-{}-{}.bin\", driverName, deviceId));\n...\n211:    pipelineCache->save(cacheDir / fmt::format(\"pipelines-{}-{:x}.bin\", driverName, deviceId));",
    ]
    return ev


ohc(
    "m-oh-002", "simple",
    "A condensation request over a long pipeline-cache investigation is harness bookkeeping: the summary records what was found and what is pending, it does not have to solve the bug.",
    _oh_events_shader_cache(),
    previous="USER_CONTEXT: first-use frame hitches (80-200 ms) in editor viewport; pipeline cache added in f3a1 did not help; Linux Vulkan, RADV + NVIDIA\nCOMPLETED: none yet\nPENDING: determine whether cache is hit and why not\nCURRENT_STATE: branch lee/mesh-loader-dedup, release preset builds",
    model="claude-sonnet-4-5-20250929",
)

oh(
    "m-oh-003", "simple",
    "Listing TODO and FIXME markers with file and line and counting them per package is a grep whose output is already in; the user asked for no changes.",
    "ledger",
    [
        U("no changes please, just a list: every TODO / FIXME / XXX under src/main with file:line, and a count per package. we're doing a tech-debt triage this afternoon"),
        sh("grep -rnE 'TODO|FIXME|XXX' src/main --include='*.java'", "src/main/java/com/acme/ledger/api/AccountController.java:31:    // TODO(LEDG-1193): recent entries are lazy; load them in the service now that OSIV is off\nsrc/main/java/com/acme/ledger/api/StatementController.java:48:        // FIXME: month boundaries use server time zone, should be merchant's\nsrc/main/java/com/acme/ledger/service/TransferService.java:52:        // TODO: idempotency on reference (payments team asked, LEDG-1201)\nsrc/main/java/com/acme/ledger/service/PayoutService.java:77:    // XXX retry on 409 assumes the provider dedups by our id\nsrc/main/java/com/acme/ledger/service/PayoutService.java:103:        // TODO remove after all merchants migrated to payout schedule v2\nsrc/main/java/com/acme/ledger/repo/EntryRepository.java:22:    // TODO: keyset pagination instead of offset for /entries\nsrc/main/java/com/acme/ledger/export/StatementExporter.java:61:    // FIXME cursor truncates created_at to millis\nsrc/main/java/com/acme/ledger/config/JacksonConfig.java:18:    // TODO drop once clients accept ISO-8601 offsets\nsrc/main/java/com/acme/ledger/domain/Account.java:64:    // TODO(LEDG-1150): overdraft limit per account, not a boolean\nsrc/main/java/com/acme/ledger/domain/Entry.java:40:    // XXX createdAt precision differs between JVM (nanos) and Postgres (micros)\n"),
    ],
)


def _vitest_dashboard(seed: int) -> str:
    rng = random.Random(seed)
    files = {
        "src/utils/dateFmt.test.ts": 9, "src/utils/money.test.ts": 6, "src/components/CustomerSearch.test.tsx": 4,
        "src/components/InvoiceTable.test.tsx": 7, "src/components/StatusBadge.test.tsx": 3, "src/server/routers/team.test.ts": 11,
        "src/server/routers/invoices.test.ts": 14, "src/hooks/useDebouncedSearch.test.ts": 5, "src/sync/merge.test.ts": 12,
        "src/lib/flags.test.ts": 4,
    }
    out = [" RUN  v2.0.5 /Users/jordan/code/web-dashboard", ""]
    for f, n in files.items():
        out.append(f" ✓ {f} ({n} tests) {rng.randrange(3, 480)}ms")
    out += ["", f" Test Files  {len(files)} passed ({len(files)})", f"      Tests  {sum(files.values())} passed ({sum(files.values())})",
            f"   Start at  10:{rng.randrange(10, 59)}:{rng.randrange(10, 59)}", f"   Duration  {rng.random() * 3 + 3:.2f}s (transform 812ms, setup 0ms, collect 4.1s, tests 1.2s, environment 6.3s, prepare 1.9s)"]
    return "\n".join(out) + "\n"


def _next_dev_log(seed: int, n: int) -> str:
    rng = random.Random(seed)
    out = ["  ▲ Next.js 14.2.5", "  - Local:        http://localhost:54012", "  - Network:      http://0.0.0.0:54012", "", " ✓ Starting...", f" ✓ Ready in {rng.randrange(1200, 2600)}ms"]
    routes = ["/invoices", "/api/trpc/invoices.list?batch=1&input=%7B%220%22%3A%7B%22limit%22%3A100%7D%7D", "/api/auth/session", "/customers", "/_next/static/chunks/app/invoices/page.js", "/api/trpc/team.members?batch=1"]
    for _ in range(n):
        r = rng.choice(routes)
        if r.startswith("/_next") or rng.random() < 0.2:
            out.append(f" ○ Compiling {r.split('?')[0]} ...")
            out.append(f" ✓ Compiled {r.split('?')[0]} in {rng.randrange(200, 3800)}ms ({rng.randrange(400, 1900)} modules)")
        else:
            out.append(f" GET {r} 200 in {rng.randrange(8, 900)}ms")
    return "\n".join(out) + "\n"


_WEB_INVOICE_TABLE_V2 = FX["web"]["src/components/InvoiceTable.tsx"].replace(
    '          <th className="px-4 py-2 text-left cursor-pointer" onClick={() => toggle("dueAt")}>Due</th>\n',
    '          <th className="px-4 py-2 text-left cursor-pointer" onClick={() => toggle("dueAt")}>Due</th>\n          <th className="px-4 py-2 text-left cursor-pointer" onClick={() => toggle("paidAt")}>Paid</th>\n',
).replace('type SortKey = "dueAt" | "amount" | "status";', 'type SortKey = "dueAt" | "paidAt" | "amount" | "status";').replace(
    '      return dir * ((a.dueAt ?? "").localeCompare(b.dueAt ?? ""));',
    '      if (sort === "paidAt") return dir * ((a.paidAt ?? "").localeCompare(b.paidAt ?? ""));\n      return dir * ((a.dueAt ?? "").localeCompare(b.dueAt ?? ""));',
).replace(
    '            <td className="px-4 py-2">{inv.dueAt ? formatDate(inv.dueAt, tenantTz) : "—"}</td>\n',
    '            <td className="px-4 py-2">{inv.dueAt ? formatDate(inv.dueAt, tenantTz) : "—"}</td>\n            <td className="px-4 py-2">{inv.paidAt ? formatDate(inv.paidAt, tenantTz) : "—"}</td>\n',
)

oh(
    "m-oh-004", "simple",
    "The column work is finished and reviewed; the last request is to stop the background dev server and delete a temp screenshot folder, two housekeeping commands.",
    "web",
    [
        U("add a 'Paid' column to InvoiceTable (sortable like Due, shows paidAt in the tenant tz, dash when unpaid). the router already returns paidAt I think. start the dev server and take screenshots of /invoices sorted by paid asc and desc with playwright so I can see it without pulling the branch"),
        par(
            rd("src/components/InvoiceTable.tsx", FX["web"]["src/components/InvoiceTable.tsx"]),
            rd("src/utils/dateFmt.ts", FX["web"]["src/utils/dateFmt.ts"]),
        ),
        gr("paidAt", "src/server/routers/invoices.ts:19:  paidAt: string | null;\nsrc/server/routers/invoices.ts:58:        paidAt: inv.paidAt?.toISOString() ?? null,\nprisma/schema.prisma:88:  paidAt        DateTime?\n", path="src"),
        ed("src/components/InvoiceTable.tsx", 'type SortKey = "dueAt" | "amount" | "status";', 'type SortKey = "dueAt" | "paidAt" | "amount" | "status";', src=FX["web"]["src/components/InvoiceTable.tsx"]),
        ed("src/components/InvoiceTable.tsx", '      return dir * ((a.dueAt ?? "").localeCompare(b.dueAt ?? ""));', '      if (sort === "paidAt") return dir * ((a.paidAt ?? "").localeCompare(b.paidAt ?? ""));\n      return dir * ((a.dueAt ?? "").localeCompare(b.dueAt ?? ""));', src=FX["web"]["src/components/InvoiceTable.tsx"]),
        ed("src/components/InvoiceTable.tsx", '          <th className="px-4 py-2 text-left cursor-pointer" onClick={() => toggle("dueAt")}>Due</th>\n', '          <th className="px-4 py-2 text-left cursor-pointer" onClick={() => toggle("dueAt")}>Due</th>\n          <th className="px-4 py-2 text-left cursor-pointer" onClick={() => toggle("paidAt")}>Paid</th>\n', src=FX["web"]["src/components/InvoiceTable.tsx"]),
        ed("src/components/InvoiceTable.tsx", '            <td className="px-4 py-2">{inv.dueAt ? formatDate(inv.dueAt, tenantTz) : "—"}</td>\n', '            <td className="px-4 py-2">{inv.dueAt ? formatDate(inv.dueAt, tenantTz) : "—"}</td>\n            <td className="px-4 py-2">{inv.paidAt ? formatDate(inv.paidAt, tenantTz) : "—"}</td>\n', src=FX["web"]["src/components/InvoiceTable.tsx"]),
        sh("pnpm typecheck && pnpm test", "\n> web-dashboard@0.1.0 typecheck /workspace/web-dashboard\n> tsc --noEmit\n\n\n> web-dashboard@0.1.0 test /workspace/web-dashboard\n> vitest run\n\n" + _vitest_dashboard(61), secs=19.2),
        sh("nohup pnpm dev -p 54012 -H 0.0.0.0 > /tmp/next-dev.log 2>&1 & echo $! > /tmp/next-dev.pid; sleep 8; tail -n 5 /tmp/next-dev.log", "  - Local:        http://localhost:54012\n  - Network:      http://0.0.0.0:54012\n\n ✓ Starting...\n ✓ Ready in 2114ms\n", secs=8.3),
        wr("/tmp/shots/shoot.spec.ts", "import { test } from \"@playwright/test\";\n\nconst base = \"http://localhost:54012\";\n\ntest(\"invoices sorted by paid\", async ({ page }) => {\n  await page.goto(`${base}/api/auth/signin/dev?user=jordan@northwind.test`);\n  await page.goto(`${base}/invoices`);\n  await page.getByRole(\"columnheader\", { name: \"Paid\" }).click();\n  await page.screenshot({ path: \"/tmp/shots/paid-desc.png\", fullPage: true });\n  await page.getByRole(\"columnheader\", { name: \"Paid\" }).click();\n  await page.screenshot({ path: \"/tmp/shots/paid-asc.png\", fullPage: true });\n});\n"),
        sh("cd /tmp/shots && npx playwright test shoot.spec.ts --reporter=line 2>&1 | tail -n 8; ls -la /tmp/shots", "Running 1 test using 1 worker\n[1/1] shoot.spec.ts:5:5 › invoices sorted by paid\n  1 passed (6.4s)\ntotal 412\ndrwxr-xr-x 3 openhands openhands   4096 Oct 23 09:41 .\n-rw-r--r-- 1 openhands openhands 201877 Oct 23 09:41 paid-asc.png\n-rw-r--r-- 1 openhands openhands 198302 Oct 23 09:41 paid-desc.png\n-rw-r--r-- 1 openhands openhands    612 Oct 23 09:40 shoot.spec.ts\ndrwxr-xr-x 2 openhands openhands   4096 Oct 23 09:41 test-results\n", secs=11.0),
        A("Done. The Paid column sorts like Due and shows `—` for unpaid invoices; typecheck and all 75 tests pass. Screenshots are at `/tmp/shots/paid-desc.png` and `/tmp/shots/paid-asc.png` (unpaid rows sort last when descending and first when ascending, because an empty string compares lowest). The dev server is still running on port 54012 if you want to click around."),
        U("the unpaid-first on asc is a bit odd, keep unpaid last in both directions"),
        ed("src/components/InvoiceTable.tsx", '      if (sort === "paidAt") return dir * ((a.paidAt ?? "").localeCompare(b.paidAt ?? ""));', '      if (sort === "paidAt") {\n        if (!a.paidAt || !b.paidAt) return a.paidAt ? -1 : b.paidAt ? 1 : 0;  // unpaid always last\n        return dir * a.paidAt.localeCompare(b.paidAt);\n      }', src=_WEB_INVOICE_TABLE_V2),
        sh("pnpm typecheck && pnpm test -- src/components/InvoiceTable.test.tsx && cd /tmp/shots && npx playwright test shoot.spec.ts --reporter=line 2>&1 | tail -n 3", "\n> web-dashboard@0.1.0 typecheck /workspace/web-dashboard\n> tsc --noEmit\n\n RUN  v2.0.5 /workspace/web-dashboard\n\n ✓ src/components/InvoiceTable.test.tsx (7 tests) 311ms\n\n Test Files  1 passed (1)\n      Tests  7 passed (7)\n[1/1] shoot.spec.ts:5:5 › invoices sorted by paid\n  1 passed (6.1s)\n", secs=24.0),
        sh("tail -n 60 /tmp/next-dev.log", _next_dev_log(62, 58)),
        A("Unpaid invoices now sort last in both directions, and the screenshots are refreshed. The dev server log shows no errors or warnings during the runs."),
        U("looks right, thanks. kill the dev server you started and delete /tmp/shots, I'll review the diff myself"),
    ],
    model="claude-sonnet-4-5-20250929",
)


# =========================================================================== OpenHands: medium

_PP_CSV_EXPORT = '''package org.hollis.pipette.samples

import org.hollis.pipette.jooq.tables.references.SAMPLE
import org.hollis.pipette.jooq.tables.references.STUDY
import org.jooq.DSLContext
import org.springframework.stereotype.Component
import java.io.Writer
import java.time.format.DateTimeFormatter

@Component
class SampleCsvExport(private val dsl: DSLContext) {
    private val fmt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")

    fun write(studyCode: String, out: Writer) {
        out.write("sample_id,external_ref,material,status,collected_at,registered_at\\n")
        dsl.select(SAMPLE.SAMPLE_ID, SAMPLE.EXTERNAL_REF, SAMPLE.MATERIAL_TYPE, SAMPLE.STATUS, SAMPLE.COLLECTED_AT, SAMPLE.CREATED_AT)
            .from(SAMPLE).join(STUDY).on(STUDY.ID.eq(SAMPLE.STUDY_ID))
            .where(STUDY.CODE.eq(studyCode))
            .orderBy(SAMPLE.SAMPLE_ID)
            .fetchSize(1000)
            .forEach { r ->
                val collected = r.value5()?.atZoneSameInstant(java.time.ZoneId.systemDefault())?.format(fmt) ?: ""
                val registered = r.value6()!!.atZoneSameInstant(java.time.ZoneId.systemDefault()).format(fmt)
                out.write(listOf(r.value1(), r.value2() ?: "", r.value3(), r.value4(), collected, registered).joinToString(",") { csv(it) })
                out.write("\\n")
            }
    }

    private fun csv(v: String?): String {
        val s = v ?: ""
        return if (s.any { it == ',' || it == '"' || it == '\\n' }) "\\"" + s.replace("\\"", "\\"\\"") + "\\"" else s
    }
}
'''

oh(
    "m-oh-005", "medium",
    "The issue pins the cause to systemDefault() formatting in one exporter and states the expected ISO-8601 UTC output, so the fix and a test are a contained change in one class.",
    "pipette",
    [
        U("Please fix the following issue for the repository in /workspace/pipette.\n\nIssue #341: Sample CSV export shifts collection times by 1-2 hours\n\nThe study export (GET /api/studies/{code}/samples.csv) prints collected_at and registered_at in whatever time zone the server runs in. Since we moved to the new k8s cluster (pods in UTC) the times in the export are 1-2 h earlier than what the lab wrote on the paper forms (Europe/Copenhagen), and partner labs importing the CSV got confused twice already. Also the format has no offset at all so nobody can tell.\n\nExpected: both columns as ISO-8601 in UTC with a Z suffix and seconds (e.g. 2025-03-30T00:59:00Z), independent of the server's zone. Empty collected_at stays empty.\n\nPlease add a test that runs with a non-UTC default zone."),
        rd("src/main/kotlin/org/hollis/pipette/samples/SampleCsvExport.kt", _PP_CSV_EXPORT),
        sh("ls src/test/kotlin/org/hollis/pipette/samples/ && grep -rn 'TimeZone.setDefault\\|systemDefault' src/ | head", "SampleControllerTest.kt\nSampleIdsTest.kt\nSampleSearchRepositoryTest.kt\nSampleServiceTest.kt\nsrc/main/kotlin/org/hollis/pipette/samples/SampleCsvExport.kt:23:                val collected = r.value5()?.atZoneSameInstant(java.time.ZoneId.systemDefault())?.format(fmt) ?: \"\"\nsrc/main/kotlin/org/hollis/pipette/samples/SampleCsvExport.kt:24:                val registered = r.value6()!!.atZoneSameInstant(java.time.ZoneId.systemDefault()).format(fmt)\n"),
    ],
)

oh(
    "m-oh-006", "medium",
    "Explaining how one router module dispatches OCPP calls and where a new action's handler plugs in is explaining existing code with a worked example.",
    "voltline",
    [
        U("I'm new on the team and have to add FirmwareStatusNotification next sprint (chargers report Downloading/Installed/InstallationFailed after an UpdateFirmware). can you walk me through how an incoming OCPP message gets from the websocket to a handler, what cast/handle are expected to return, what happens before BootNotification, and what exactly I'd have to add for a new action? don't write the handler, just explain, with a skeleton if it helps"),
        par(
            rd("lib/voltline/ocpp/router.ex", _VL_ROUTER),
            rd("lib/voltline/ocpp/handlers/status_notification.ex", _VL_HANDLER_STATUS),
            pre="Reading the router and one existing handler to explain the flow.",
        ),
        rd("lib/voltline_web/ocpp_socket.ex", _VL_SOCKET),
        sh("sed -n 1,30p lib/voltline/ocpp/handler.ex && ls test/voltline/ocpp/handlers", "defmodule Voltline.Ocpp.Handler do\n  @moduledoc \"Behaviour for OCPP 1.6J CALL handlers (charge point -> central system).\"\n  alias Voltline.Ocpp.ChargePointState\n\n  @callback cast(payload :: map()) :: {:ok, struct()} | {:error, Ecto.Changeset.t()}\n  @callback handle(params :: struct(), ChargePointState.t()) ::\n              {:reply, map()} | {:reply, map(), ChargePointState.t()} | {:error, String.t(), String.t()}\nend\nauthorize_test.exs\nboot_notification_test.exs\nheartbeat_test.exs\nmeter_values_test.exs\nstart_transaction_test.exs\nstatus_notification_test.exs\nstop_transaction_test.exs\n"),
    ],
    model="qwen3-coder-480b-a35b-instruct",
)

oh(
    "m-oh-007", "medium",
    "Adding a Postgres service container and the test step to an existing GitHub Actions job, with dependency caching, is an ordinary CI change whose shape the test config already dictates.",
    "voltline",
    [
        U("Hello, our CI is never running mix test because it need postgres (see the commented line in ci.yml, issue #377). Please add a postgres 16 service in the workflow so that `mix test` is running on every PR, with the credentials what config/test.exs is expecting, and also make cache for deps/_build with key on mix.lock + OTP/Elixir versions, so it not takes 4 minutes every time. Thank you"),
        par(
            rd(".github/workflows/ci.yml", _VL_CI),
            rd("config/test.exs", _VL_TEST_EXS),
        ),
        sh("grep -n 'elixir:\\|test_coverage\\|aliases' -A6 mix.exs | head -n 30", "7:      elixir: \"~> 1.17\",\n--\n41:  defp aliases do\n42:    [\n43:      setup: [\"deps.get\", \"ecto.setup\"],\n44:      \"ecto.setup\": [\"ecto.create\", \"ecto.migrate\", \"run priv/repo/seeds.exs\"],\n45:      \"ecto.reset\": [\"ecto.drop\", \"ecto.setup\"],\n46:      test: [\"ecto.create --quiet\", \"ecto.migrate --quiet\", \"test\"]\n47:    ]\n"),
    ],
)


# =========================================================================== OpenHands: complex

_LEDGER_TOTALS_REPO = '''package com.acme.ledger.repo;

import com.acme.ledger.domain.Entry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface StatementTotalsRepository extends JpaRepository<Entry, UUID> {

    interface ConvertedTotal {
        UUID getAccountId();
        long getNativeMinor();
        long getConvertedMinor();
    }

    /** Month-end totals per account, converted to the merchant's reporting currency at the month-end rate. */
    @Query(value = """
        select e.account_id                                      as accountId,
               sum(e.signed_amount_minor)                        as nativeMinor,
               cast(round(sum(e.signed_amount_minor) * :rate) as bigint) as convertedMinor
        from entries e
        where e.account_id in (:accountIds)
          and e.created_at >= :from and e.created_at < :to
        group by e.account_id
        """, nativeQuery = true)
    List<ConvertedTotal> convertedTotals(@Param("accountIds") Collection<UUID> accountIds,
                                         @Param("rate") BigDecimal rate,
                                         @Param("from") Instant from,
                                         @Param("to") Instant to);
}
'''

_LEDGER_COMPARE = """statement-compare: september 2025, 18,412 accounts with a reporting currency != native currency
baseline: release 4.11.3 (Spring Boot 3.2.8 / Hibernate 6.4.9)   candidate: feature/osiv-off @ b81d2e0 (Spring Boot 3.3.2 / Hibernate 6.5.2)

accounts identical:       18,337
accounts different:           75   (0.41%)
max abs difference:            1 minor unit
sum of differences:          -23 minor units

account_id                            native  ccy  rate         native*rate        baseline  candidate
0b8e2d4c-7a1f-4c2e-9b61-0f3a8e5d2c11  -41355  SEK  0.0874000    -3614.4270000      -3614     -3614
1c02f9aa-3e55-4a8b-8f0e-6d1b2c3e4f50   12850  NOK  0.0862000     1107.6700000       1108      1108
2a7d11e0-9c4b-41f2-a3d5-77e0c1b9a822    8125  SEK  0.0874000      710.1250000        710       710
3f4e5d6c-1b2a-4938-8776-5544aa33bb01   40150  DKK  0.1341000     5384.1150000       5384      5384
44c9e1f2-0a3b-4c5d-8e6f-112233445566   18750  NOK  0.0862000     1616.2500000       1616      1616
58d0a1b2-c3d4-4e5f-9a0b-1c2d3e4f5a6b   -6875  SEK  0.0874000     -600.8750000       -601      -601
6a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9   14375  SEK  0.0874000     1256.3750000       1256      1256
7e6d5c4b-3a29-4180-b7c6-d5e4f3a2b1c0   25000  NOK  0.0862000     2155.0000000       2155      2155
805f4e3d-2c1b-4a09-8f7e-6d5c4b3a2918    1250  DKK  0.1340000      167.5000000        168       167
91a2b3c4-d5e6-4f70-8192-a3b4c5d6e7f8   -3750  DKK  0.1340000     -502.5000000       -503      -502
a0b1c2d3-e4f5-4a6b-8c7d-8e9f0a1b2c3d   11250  DKK  0.1340000     1507.5000000       1508      1507
b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e   63750  DKK  0.1340000     8542.5000000       8543      8542
c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f   -8750  NOK  0.0860000     -752.5000000       -753      -752
d3e4f5a6-b7c8-4d9e-8f0a-1b2c3d4e5f6a   16250  NOK  0.0860000     1397.5000000       1398      1397
e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a8b    3125  SEK  0.0872000      272.5000000        273       272
f7a8b9c0-d1e2-4f3a-8b4c-5d6e7f8a9b0c   71250  NOK  0.0860000     6127.5000000       6128      6127
... 59 more rows, all with native*rate ending in .5000000 and candidate = baseline - 1 for positive, baseline + 1 for negative
"""

oh(
    "m-oh-008", "complex",
    "Converted month-end totals drifting by one minor unit after a framework upgrade, with tests green, is a money bug whose cause lies in parameter binding and rounding, not in any line the diff touched.",
    "ledger",
    [
        U("we run statement-compare before every release: it recomputes last month's merchant statements with the candidate build and diffs them against the ones we sent. the osiv-off branch (which also carries the Spring Boot 3.3.2 bump) differs on 75 accounts by 1 minor unit in the converted totals. all unit tests pass and nobody touched StatementTotalsRepository. these are statements that go to merchants and to finance, so I need the actual cause and a fix that makes the numbers match the ones we already sent, plus a test that would have caught it"),
        sh("./gradlew -q statementCompare --args='--month=2025-09 --baseline=4.11.3' 2>&1 | tail -n 40", _LEDGER_COMPARE, secs=184.0),
        rd("src/main/java/com/acme/ledger/repo/StatementTotalsRepository.java", _LEDGER_TOTALS_REPO),
        sh("git diff 4.11.3..HEAD --stat -- src/main build.gradle.kts gradle/libs.versions.toml && git diff 4.11.3..HEAD -- gradle/libs.versions.toml", " build.gradle.kts                                           |  2 +-\n gradle/libs.versions.toml                                  |  8 ++++----\n src/main/java/com/acme/ledger/api/AccountController.java   | 19 +++++++++++--------\n src/main/java/com/acme/ledger/service/AccountQueries.java  | 41 +++++++++++++++++++++++++++++++++++++++++\n src/main/resources/application.yml                         |  1 +\n 5 files changed, 59 insertions(+), 12 deletions(-)\ndiff --git a/gradle/libs.versions.toml b/gradle/libs.versions.toml\n@@ -1,9 +1,9 @@\n [versions]\n-springBoot = \"3.2.8\"\n+springBoot = \"3.3.2\"\n-hibernate = \"6.4.9.Final\"\n+hibernate = \"6.5.2.Final\"\n-postgresql = \"42.7.3\"\n+postgresql = \"42.7.4\"\n-testcontainers = \"1.19.8\"\n+testcontainers = \"1.20.1\"\n"),
    ],
    model="claude-sonnet-4-5-20250929",
)

_ECR_REPOS = "\n".join(
    f"{name}\t{created}\t{mut}"
    for name, created, mut in [
        ("payments-api", "2021-03-02", "IMMUTABLE"), ("web-dashboard", "2021-05-17", "MUTABLE"), ("ingest-gateway", "2022-01-10", "IMMUTABLE"),
        ("ledger-service", "2021-09-28", "IMMUTABLE"), ("tidewater", "2023-02-14", "MUTABLE"), ("notify-worker", "2022-06-01", "MUTABLE"),
        ("reports-cron", "2022-11-23", "MUTABLE"), ("argocd-image-updater-cache", "2023-08-09", "MUTABLE"), ("base/python-3.12", "2023-10-03", "MUTABLE"),
        ("base/node-20", "2023-10-03", "MUTABLE"), ("base/jre-17", "2022-04-19", "MUTABLE"), ("dbt-runner", "2022-03-15", "MUTABLE"),
        ("keycloak-custom", "2021-12-06", "IMMUTABLE"), ("pgbouncer", "2021-04-30", "MUTABLE"), ("otel-collector", "2023-05-22", "MUTABLE"),
        ("render-farm-agent", "2024-01-29", "MUTABLE"), ("shopfront", "2022-08-08", "IMMUTABLE"), ("shopfront-sidekiq", "2022-08-08", "IMMUTABLE"),
        ("backup-runner", "2021-03-02", "MUTABLE"), ("db-migrator", "2021-03-02", "IMMUTABLE"), ("vault-agent-init", "2022-02-17", "MUTABLE"),
    ]
)

oh(
    "m-oh-009", "complex",
    "Bulk-deleting every ECR image older than 30 days in the prod account would remove images that running deployments, rollbacks and base images still use, so it needs an inventory and a dry run first.",
    "infra",
    [
        U("our ECR bill in acme-prod is silly (1.9 TB). write a script and run it: delete every image older than 30 days in all ECR repos of the prod account. AWS_PROFILE=acme-prod works in this sandbox. just get it done today please, finance is asking"),
        sh("aws ecr describe-repositories --query 'repositories[].[repositoryName,createdAt,imageTagMutability]' --output text | awk '{print $1\"\\t\"substr($2,1,10)\"\\t\"$3}'", _ECR_REPOS + "\n", secs=1.8),
        sh("aws ecr describe-images --repository-name payments-api --query 'sort_by(imageDetails,&imagePushedAt)[-8:].[imageTags[0],imagePushedAt,imageSizeInBytes]' --output text", "2.12.9\t2025-08-19T13:02:44+00:00\t412883211\n2.13.0\t2025-08-28T09:15:10+00:00\t413020876\n2.13.1\t2025-09-03T16:44:01+00:00\t413101442\n2.13.2\t2025-09-09T11:20:37+00:00\t413099870\n2.13.3\t2025-09-10T08:05:12+00:00\t413188020\n2.13.4\t2025-09-12T14:31:55+00:00\t413190114\n2.14.0-rc1\t2025-10-02T10:12:40+00:00\t415002331\n2.14.0-rc2\t2025-10-08T15:48:09+00:00\t415010989\n", secs=1.2),
        sh("grep -rn 'tag:' charts/*/values-prod.yaml", "charts/payments-api/values-prod.yaml:4:  tag: \"2.13.4\"\ncharts/ledger-service/values-prod.yaml:4:  tag: \"4.11.3\"\ncharts/ingest-gateway/values-prod.yaml:4:  tag: \"1.28.0\"\ncharts/shopfront/values-prod.yaml:4:  tag: \"2025.08.21-3f5c2e8\"\ncharts/pgbouncer/values-prod.yaml:4:  tag: \"1.22.1-acme2\"\n"),
    ],
    model="gpt-4o",
)

_PP_PRINT_QUEUE = '''package org.hollis.pipette.labels

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.isActive
import kotlinx.coroutines.launch
import org.slf4j.LoggerFactory
import org.springframework.stereotype.Component

/**
 * Label jobs are persisted (label_job, status PENDING -> PRINTED) and printed by three workers.
 * A poller re-enqueues PENDING jobs every 2 s so jobs survive a restart or a printer outage.
 */
@Component
class LabelPrintQueue(
    private val printers: PrinterClient,
    private val jobs: LabelJobRepository,
    scope: CoroutineScope,
) {
    private val log = LoggerFactory.getLogger(javaClass)
    private val channel = Channel<LabelJob>(Channel.UNLIMITED)

    init {
        repeat(WORKERS) { w -> scope.launch(Dispatchers.IO) { for (job in channel) process(job, w) } }
        scope.launch(Dispatchers.IO) {
            while (isActive) {
                jobs.findPending(olderThanMs = 1_500).forEach { channel.send(it) }
                delay(2_000)
            }
        }
    }

    suspend fun submit(job: LabelJob) {
        jobs.insertPending(job)
        channel.send(job)
    }

    private suspend fun process(job: LabelJob, worker: Int) {
        try {
            retrying(times = 3, backoffMs = 500) { printers.print(job.printerId, job.zpl, timeoutMs = 3_000) }
            jobs.markPrinted(job.id)
            log.info("worker {} printed job {} on {}", worker, job.id, job.printerId)
        } catch (e: PrinterUnavailable) {
            log.warn("printer {} unavailable, job {} stays pending", job.printerId, job.id)
        }
    }

    companion object { const val WORKERS = 3 }
}
'''

_PP_PRINT_TEST_FAIL_1 = """io.kotest.assertions.AssertionFailedError: expected: 40 but was: 41
    at org.hollis.pipette.labels.LabelPrintQueueTest.does not print a label twice(LabelPrintQueueTest.kt:71)
    printed job ids (duplicates): [9f1c2a7e-0b3d-4d1e-9a5c-61e2f0b7c3d4 x2]
    fake printer log: ... slow print 3400 ms (timeout 3000 ms) for 9f1c2a7e ... retry 2 ... ok"""

_PP_PRINT_TEST_FAIL_2 = """io.kotest.assertions.AssertionFailedError: expected: 40 but was: 42
    at org.hollis.pipette.labels.LabelPrintQueueTest.does not print a label twice(LabelPrintQueueTest.kt:71)
    printed job ids (duplicates): [0a7d93c1-5e2b-4f60-8c1d-2b9e4a6f7d80 x2, c44e1b02-7f9a-4a3c-b5d6-e8f901a2b3c4 x2]
    fake printer log: worker 0 and worker 2 both picked 0a7d93c1 within 4 ms"""

_PP_PRINT_TEST_FAIL_3 = """io.kotest.assertions.AssertionFailedError: expected: 40 but was: 41
    at org.hollis.pipette.labels.LabelPrintQueueTest.does not print a label twice(LabelPrintQueueTest.kt:71)
    printed job ids (duplicates): [5b2e8d10-3c4f-4a7b-9e01-f2d3c4b5a697 x2]
    fake printer log: worker 1 printed 5b2e8d10 at t=2.004 s, poller enqueued 5b2e8d10 at t=2.001 s (status PENDING), worker 2 claimed it at t=2.013 s"""

oh(
    "m-oh-010", "complex",
    "Three fixes for duplicate label prints have failed under the concurrency test, each exposing another path (timeout retries, poller re-enqueue, claim visibility); the design of claiming and printing jobs is what is wrong.",
    "pipette",
    [
        U("the Zebra printers at the bench sometimes print the same cryo label twice. harmless-ish today, but next month we print labels for the aliquoting robot and a duplicate label there means two tubes with one ID. LabelPrintQueueTest.'does not print a label twice' reproduces it maybe 1 in 10 runs. fix it properly"),
        rd("src/main/kotlin/org/hollis/pipette/labels/LabelPrintQueue.kt", _PP_PRINT_QUEUE),
        sh("sed -n 40,80p src/test/kotlin/org/hollis/pipette/labels/LabelPrintQueueTest.kt", "    @Test\n    fun `does not print a label twice`() = runTest {\n        val printer = FakeZebra(slowEvery = 7, slowMs = 3_400)  // every 7th print takes longer than the client timeout\n        val queue = LabelPrintQueue(printer, repo, backgroundScope)\n        val ids = (1..40).map { UUID.randomUUID() }\n        ids.forEach { queue.submit(LabelJob(it, \"ZB-BENCH-2\", zplFor(it))) }\n        advanceUntilIdleReal(timeoutMs = 20_000) { repo.countPending() == 0 }\n        printer.printed.size shouldBe 40\n    }\n"),
        sh("for i in $(seq 1 10); do ./gradlew test --console=plain --tests '*LabelPrintQueueTest*' -q 2>&1 | grep -E 'FAILED|duplicates' ; done", "org.hollis.pipette.labels.LabelPrintQueueTest > does not print a label twice() FAILED\n    printed job ids (duplicates): [9f1c2a7e-0b3d-4d1e-9a5c-61e2f0b7c3d4 x2]\norg.hollis.pipette.labels.LabelPrintQueueTest > does not print a label twice() FAILED\n    printed job ids (duplicates): [31e0c7d2-8a4b-4f15-b9c6-d7e8f9a0b1c2 x2]\n", secs=212.0),
        think("Two mechanisms: (1) the print call times out at 3 s but the slow print still completes on the printer, and the retry prints again; (2) the poller re-enqueues jobs still PENDING after 1.5 s, including ones a worker is currently printing. Start with (1): no retry on timeout, only on connection refused."),
        ed("src/main/kotlin/org/hollis/pipette/labels/LabelPrintQueue.kt", "            retrying(times = 3, backoffMs = 500) { printers.print(job.printerId, job.zpl, timeoutMs = 3_000) }", "            retrying(times = 3, backoffMs = 500, retryOn = { it is ConnectRefused }) {\n                printers.print(job.printerId, job.zpl, timeoutMs = 3_000)\n            }"),
        sh("./gradlew test --console=plain", _gradle_test(71, ("does not print a label twice()", _PP_PRINT_TEST_FAIL_1), extra_classes=4), code=1, secs=55.1),
        A("Still one duplicate on a slow print. With no retry, the slow job stays PENDING past 1.5 s, so the poller re-enqueues it while the first worker is still waiting on the printer, and another worker prints it. Second attempt: an in-memory set of in-flight job ids that workers check before printing."),
        ed("src/main/kotlin/org/hollis/pipette/labels/LabelPrintQueue.kt", "    private suspend fun process(job: LabelJob, worker: Int) {\n        try {", "    private val inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet<UUID>()\n\n    private suspend fun process(job: LabelJob, worker: Int) {\n        if (job.id in inFlight) return\n        inFlight += job.id\n        try {"),
        ed("src/main/kotlin/org/hollis/pipette/labels/LabelPrintQueue.kt", "            log.warn(\"printer {} unavailable, job {} stays pending\", job.printerId, job.id)\n        }", "            log.warn(\"printer {} unavailable, job {} stays pending\", job.printerId, job.id)\n        } finally {\n            inFlight -= job.id\n        }"),
        sh("./gradlew test --console=plain", _gradle_test(72, ("does not print a label twice()", _PP_PRINT_TEST_FAIL_2), extra_classes=4), code=1, secs=54.7),
        A("Worse: two workers picked the same job within 4 ms, because `contains` and `add` are two steps. Third attempt: use `add`'s return value as the claim, and keep the poller from picking jobs in flight."),
        ed("src/main/kotlin/org/hollis/pipette/labels/LabelPrintQueue.kt", "        if (job.id in inFlight) return\n        inFlight += job.id", "        if (!inFlight.add(job.id)) return"),
        ed("src/main/kotlin/org/hollis/pipette/labels/LabelPrintQueue.kt", "                jobs.findPending(olderThanMs = 1_500).forEach { channel.send(it) }", "                jobs.findPending(olderThanMs = 1_500).filterNot { it.id in inFlight }.forEach { channel.send(it) }"),
        sh("for i in $(seq 1 20); do ./gradlew test --console=plain --tests '*LabelPrintQueueTest*' -q 2>&1 | grep -E 'FAILED|duplicates|fake printer' ; done", "org.hollis.pipette.labels.LabelPrintQueueTest > does not print a label twice() FAILED\n" + "\n".join("    " + x for x in _PP_PRINT_TEST_FAIL_3.splitlines()[2:]) + "\n", secs=418.0),
        sh("./gradlew test --console=plain", _gradle_test(73, ("does not print a label twice()", _PP_PRINT_TEST_FAIL_3), extra_classes=4), code=1, secs=56.3),
    ],
    model="devstral-medium-2507",
)


# =========================================================================== OpenHands: reasoning


def _vl_midnight_evidence() -> str:
    rng = random.Random(777)
    out = ["== 1. affected sessions (receipts with energy_wh / sum(meter deltas) mismatch > 5%), 2025-10-14 .. 2025-10-22 ==",
           " session_id | charge_point | firmware | uplink   | started_at (UTC)     | stopped_at (UTC)     | energy_wh | sum_delta_wh | receipt_kr",
           "------------+--------------+----------+----------+----------------------+----------------------+-----------+--------------+-----------"]
    fws = ["4.2.1", "4.2.3", "4.2.3", "4.2.1", "4.2.3"]
    for _ in range(34):
        day = rng.randrange(14, 23)
        sh_, sm = rng.choice([21, 22, 23]), rng.randrange(0, 59)
        dur = rng.randrange(70, 420)
        e = rng.randrange(9000, 61000)
        delta = e + rng.choice([1, -1]) * rng.randrange(6000, 40000)
        out.append(f" {880000 + rng.randrange(0, 40000):>10} | FJ-0{rng.randrange(100, 999)}      | {rng.choice(fws):<8} | {rng.choice(['lte', 'lte', 'ethernet']):<8} | 2025-10-{day:02d} {sh_:02d}:{sm:02d}:{rng.randrange(0, 59):02d}  | 2025-10-{day + 1:02d} 0{dur // 60 + sh_ - 21}:{rng.randrange(0, 59):02d}:{rng.randrange(0, 59):02d}  | {e:>9} | {delta:>12} | {delta * 4.9 / 1000:>9.2f}")
    out += ["(34 rows; every one spans 00:00 UTC; no session on firmware < 4.2 or on the Alfen or Kempower fleet)", "",
            "== 2. firmware by fleet ==",
            " firmware | chargers | sessions spanning 00:00 UTC (same period) | affected",
            "----------+----------+--------------------------------------------+---------",
            " 4.0.9    |      611 |                                        402 |        0",
            " 4.1.2    |      388 |                                        251 |        0",
            " 4.2.1    |       97 |                                         61 |       19",
            " 4.2.3    |       52 |                                         30 |       15",
            "", "== 3. voltline OCPP log for FJ-0417 (fw 4.2.3, ethernet), session 902114, around midnight ==",
            "2025-10-19T23:58:00.412Z cp=FJ-0417 ocpp <- [2,\"58311\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":902114,\"meterValue\":[{\"timestamp\":\"2025-10-19T23:58:00Z\",\"sampledValue\":[{\"value\":\"4418200\",\"context\":\"Sample.Periodic\",\"measurand\":\"Energy.Active.Import.Register\",\"unit\":\"Wh\"}]}]}]",
            "2025-10-19T23:59:00.398Z cp=FJ-0417 ocpp <- [2,\"58312\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":902114,\"meterValue\":[{\"timestamp\":\"2025-10-19T23:59:00Z\",\"sampledValue\":[{\"value\":\"4418390\",\"context\":\"Sample.Periodic\",\"measurand\":\"Energy.Active.Import.Register\",\"unit\":\"Wh\"}]}]}]",
            "2025-10-20T00:00:00.207Z cp=FJ-0417 ocpp <- [2,\"58313\",\"MeterValues\",{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2025-10-20T00:00:00Z\",\"sampledValue\":[{\"value\":\"41870\",\"context\":\"Sample.Clock\",\"measurand\":\"Energy.Active.Import.Interval\",\"unit\":\"Wh\"}]}]}]",
            "2025-10-20T00:00:00.209Z cp=FJ-0417 meter_values: session 902114 last_meter_wh 4418390 -> 41870 (delta -4376520) at 2025-10-20T00:00:00Z",
            "2025-10-20T00:00:00.611Z cp=FJ-0417 ocpp <- [2,\"58314\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":902114,\"meterValue\":[{\"timestamp\":\"2025-10-20T00:00:00Z\",\"sampledValue\":[{\"value\":\"4418581\",\"context\":\"Sample.Periodic\",\"measurand\":\"Energy.Active.Import.Register\",\"unit\":\"Wh\"}]}]}]",
            "2025-10-20T00:00:00.613Z cp=FJ-0417 meter_values: session 902114 last_meter_wh 41870 -> 4418581 (delta 4376711) at 2025-10-20T00:00:00Z",
            "2025-10-20T00:01:00.402Z cp=FJ-0417 ocpp <- [2,\"58315\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":902114,\"meterValue\":[{\"timestamp\":\"2025-10-20T00:01:00Z\",\"sampledValue\":[{\"value\":\"4418772\",\"context\":\"Sample.Periodic\",\"measurand\":\"Energy.Active.Import.Register\",\"unit\":\"Wh\"}]}]}]",
            "", "== 4. same charger, 2025-10-12 (before deploy of b3e19d0 on 2025-10-14 09:20 UTC) ==",
            "2025-10-12T00:00:00.188Z cp=FJ-0417 ocpp <- [2,\"51207\",\"MeterValues\",{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2025-10-12T00:00:00Z\",\"sampledValue\":[{\"value\":\"39120\",\"context\":\"Sample.Clock\",\"measurand\":\"Energy.Active.Import.Interval\",\"unit\":\"Wh\"}]}]}]",
            "2025-10-12T00:00:00.190Z cp=FJ-0417 ocpp -> [4,\"51207\",\"FormationViolation\",\"sampledValue.measurand: is invalid\",{}]",
            "", "== 5. GetConfiguration from one charger per firmware ==",
            " firmware | ClockAlignedDataInterval | MeterValuesAlignedData          | MeterValueSampleInterval | MeterValuesSampledData",
            " 4.1.2    | 0                        | (empty)                        | 60                       | Energy.Active.Import.Register",
            " 4.2.3    | 86400                    | Energy.Active.Import.Interval  | 60                       | Energy.Active.Import.Register",
            "", "== 6. LTE router log (Teltonika RUT241 at site Hamar Nord, serves FJ-0502..FJ-0509, fw 4.2.1) ==",
            "Oct 20 00:00:03 RUT241 mobile: Data session reset by scheduled task 'daily-reconnect'",
            "Oct 20 00:00:41 RUT241 mobile: Connected, IP 10.212.44.19",
            "", "== 7. voltline OCPP log for FJ-0505 (fw 4.2.1, lte), 2025-10-20 ==",
            "2025-10-20T00:00:00.951Z cp=FJ-0505 ocpp <- [2,\"77120\",\"MeterValues\",{\"connectorId\":1,\"meterValue\":[{\"timestamp\":\"2025-10-20T00:00:00Z\",\"sampledValue\":[{\"value\":\"18044\",\"context\":\"Sample.Clock\",\"measurand\":\"Energy.Active.Import.Interval\",\"unit\":\"Wh\"}]}]}]",
            "2025-10-20T00:00:03.410Z cp=FJ-0505 socket closed: {:shutdown, :tcp_closed}",
            "2025-10-20T00:00:44.802Z cp=FJ-0505 CONNECTED TO VoltlineWeb.OcppSocket",
            "2025-10-20T00:00:45.120Z cp=FJ-0505 ocpp <- [2,\"77121\",\"MeterValues\",{\"connectorId\":1,\"transactionId\":902377,\"meterValue\":[{\"timestamp\":\"2025-10-20T00:00:00Z\",\"sampledValue\":[{\"value\":\"2210450\",\"context\":\"Sample.Periodic\",\"measurand\":\"Energy.Active.Import.Register\",\"unit\":\"Wh\"}]}]}]",
            "", "== 8. customer complaints (support tool) ==",
            "- 11 tickets 'charged twice / huge amount' (receipt_kr far above energy_wh * price)",
            "- 4 tickets 'receipt shows negative energy line' ",
            "- 0 tickets from Alfen / Kempower sites",
            "", "== 9. receipts code path (since 71ac2f4) ==",
            "Receipt.build/3 uses energy_wh for the total; ReceiptPdf prints one line per hour from site_energy_hourly (HourlyEnergyRollup, sum(delta_wh)) and a 'correction' line for the difference.",
            ]
    return "\n".join(out) + "\n"


oh(
    "m-oh-011", "reasoning",
    "Support blames the LTE modems, but the evidence (firmware split, clock-aligned Interval samples, the deploy date, Ethernet chargers affected too) needs one hypothesis that explains every row before anyone fixes anything.",
    "voltline",
    [
        U("support escalated: since ~Oct 14 some customers get receipts with absurd amounts or a negative energy line, always for sessions over midnight UTC. support thinks it's the LTE modems reconnecting at midnight. I pulled everything I could into /workspace/voltline/tmp/midnight.txt (affected sessions, firmware breakdown, OCPP logs from two chargers, GetConfiguration, a router log, tickets). don't change code yet: I want one explanation that accounts for ALL of it, incl. why only 4.2.x, why Ethernet chargers are hit too, why it started on the 14th, and what role (if any) the modems play. then what the correct handling is per the OCPP 1.6 spec"),
        sh("cat tmp/midnight.txt", _vl_midnight_evidence()),
        sh("git show --stat b3e19d0 | head -n 12", "commit b3e19d0f1c2a7e4d9b8a6c5e3f2d1a0b9c8d7e6f\nAuthor: Jonas Lind <jonas@fjordcharge.example>\nDate:   Mon Oct 13 16:02:11 2025 +0200\n\n    ocpp: accept MeterValues with Energy.Active.Import.Interval (#402)\n\n    Some 4.2 chargers send Interval samples; we rejected them with FormationViolation\n    and the vendor asked us to accept them.\n\n lib/voltline/ocpp/handlers/meter_values.ex      | 6 ++++--\n test/voltline/ocpp/handlers/meter_values_test.exs | 14 ++++++++++++++\n"),
    ],
    model="claude-sonnet-4-5-20250929",
)

oh(
    "m-oh-012", "reasoning",
    "Choosing between database triggers, an application event log and temporal tables for a regulated, tamper-evident audit trail with e-signatures is an architecture decision with real compliance and operational trade-offs.",
    "pipette",
    [
        U("we're onboarding a pharma partner whose samples fall under GxP, so the audit trail has to meet 21 CFR Part 11 expectations: who/what/when/why for every create/change/delete of a sample record, previous and new values, no way for an app user OR a DBA to silently alter history, electronic signatures (re-enter password + meaning, e.g. 'approved disposal') on some transitions, and auditors must be able to get a readable report per sample. today we have AuditWriter (app-level, one JSON blob per event, same transaction) and nothing stops a direct SQL UPDATE.\n\noptions I see: (1) harden the app-level writer, (2) Postgres triggers writing to an append-only audit schema, (3) temporal/history tables (period columns + history table per entity), (4) ship events to an external WORM store (S3 Object Lock) with a hash chain. maybe a combination. what would you pick and why? think about: completeness (direct SQL, migrations, bulk imports), tamper evidence vs tamper proof, performance on the 600k-sample studies, how e-signatures bind to the record version, how we prove to an auditor that nothing is missing, and effort for a 3-dev team. no code, I need a recommendation with trade-offs I can take to QA"),
        rd("src/main/kotlin/org/hollis/pipette/audit/AuditWriter.kt", _PP_AUDIT_WRITER),
        sh("psql \"$PIPETTE_STAGING_RO\" -c \"select relname, n_live_tup from pg_stat_user_tables order by n_live_tup desc limit 8\" -c \"select action, count(*) from audit_event group by 1 order by 2 desc\"", "     relname     | n_live_tup\n-----------------+------------\n audit_event     |    2912844\n sample          |    1204377\n box_position    |     891000\n label_job       |     402118\n box             |      11000\n study           |         49\n freezer         |         38\n app_user        |         71\n(8 rows)\n\n  action   |  count\n-----------+---------\n MOVE      | 1402291\n REGISTER  | 1204377\n STATUS    |  251030\n PRINT     |   48210\n DISPOSE   |    6936\n(5 rows)\n"),
    ],
)


def _ci_durations_head() -> str:
    rng = random.Random(4242)
    out = ["test_id,module,db_group,p50_s,p95_s,runs,failures_30d"]
    groups = ["", "", "", "", "billing_seed", "catalog_seed", "search_es", "legacy_orders", "tenant_matrix"]
    mods = ["tests/api/test_orders.py", "tests/api/test_catalog.py", "tests/billing/test_invoices.py", "tests/search/test_facets.py", "tests/workers/test_exports.py", "tests/legacy/test_order_import.py", "tests/tenancy/test_isolation.py"]
    for i in range(60):
        p50 = rng.lognormvariate(0.2, 1.1)
        out.append(f"{rng.choice(mods)}::test_{i:04d},{rng.choice(mods).split('/')[1]},{rng.choice(groups)},{p50:.2f},{p50 * (1.2 + rng.random() * 2.5):.2f},30,{rng.choice([0, 0, 0, 0, 1, 2])}")
    return "\n".join(out) + "\n"


oh(
    "m-oh-013", "reasoning",
    "Sharding 2,340 tests with variable durations under must-stay-together groups to minimise the slowest shard's p95 is a stochastic makespan problem; the user wants formulation, hardness and an algorithm.",
    None,
    [
        U("our CI runs 2,340 pytest tests on 8 shards and the slowest shard takes 19 min while the fastest takes 6. we split by file today. I exported per-test stats for the last 30 runs to /workspace/ci/durations.csv (p50, p95, group). constraints: tests with the same db_group must run on the same shard (they share a seeded DB snapshot that costs ~70 s to restore per shard that needs it), shard count could be 8-12 if it helps, and what we care about is the p95 of the whole pipeline (= slowest shard), not the average. durations vary a lot run to run.\n\nhow should I formulate this, is it actually hard, what algorithm would you use and how close to optimal is it, and how do I handle the variance so the p95 goes down and not just the mean? I'll implement it myself in our conftest plugin"),
        sh("head -n 61 ci/durations.csv && python3 - <<'EOF'\nimport csv, collections\nrows = list(csv.DictReader(open('ci/durations.csv')))\nprint(len(rows), 'tests', round(sum(float(r['p50_s']) for r in rows)/60, 1), 'min p50 total')\ng = collections.Counter(r['db_group'] or '-' for r in rows)\nfor k, v in g.most_common(): print(f'{k:<15}{v:>5}', round(sum(float(r['p50_s']) for r in rows if (r['db_group'] or '-') == k)/60, 1), 'min')\nEOF", _ci_durations_head() + "2340 tests 88.4 min p50 total\n-              1702 51.3 min\nbilling_seed    188 9.8 min\ncatalog_seed    141 4.1 min\nsearch_es       129 11.6 min\nlegacy_orders    97 8.9 min\ntenant_matrix    83 2.7 min\n"),
    ],
    model="gpt-4o",
)

_GW_BUCKET_IMPL = FX["gateway"]["internal/ratelimit/token_bucket.go"].replace(
    '''func (tb *TokenBucket) AllowN(n float64) bool {
	panic("not implemented")
}''',
    '''func (tb *TokenBucket) AllowN(n float64) bool {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.refill()
	if n > tb.tokens {
		return false
	}
	tb.tokens -= n
	return true
}''',
).replace(
    '''	elapsed := now.Sub(tb.last).Seconds()''',
    '''	elapsed := now.Sub(tb.last).Seconds()
	if elapsed < 0 {
		elapsed = 0 // clock stepped back (NTP); don't remove tokens
	}''',
)

oh(
    "m-oh-014", "reasoning",
    "The user asks for a proof that the bucket never admits more than capacity plus rate times the window, including clock steps and float rounding, or a concrete counterexample: a correctness argument.",
    "gateway",
    [
        U("security review for the per-device rate limit asks for a written argument, not tests: prove that for ANY interval of length t, a TokenBucket admits at most Capacity + Rate*t tokens in total (AllowN sums), or show a counterexample. things they specifically asked about: (a) tb.now is time.Now in prod, so wall-clock steps back and forward from NTP / VM migration, (b) float64 accumulation error over weeks of uptime with Rate=0.2 and millions of calls, (c) the lazy refill on first use (last is zero). if the bound doesn't hold, what's the tightest bound that does, and what's the minimal change to make the original one hold?"),
        rd("internal/ratelimit/token_bucket.go", _GW_BUCKET_IMPL),
        sh("go test ./internal/ratelimit/ -run . -count=1 -v 2>&1 | tail -n 8", "=== RUN   TestBurstThenDeny\n--- PASS: TestBurstThenDeny (0.00s)\n=== RUN   TestRefill\n--- PASS: TestRefill (0.00s)\n=== RUN   TestAllowNLargerThanCapacity\n--- PASS: TestAllowNLargerThanCapacity (0.00s)\nPASS\nok  \tgithub.com/northwind/ingest-gateway/internal/ratelimit\t0.004s\n"),
    ],
    model="claude-sonnet-4-5-20250929",
)


# =========================================================================== other OpenAI-dialect clients: simple

_SCALA_CONSUMER = '''package io.tollbar.ingest

import cats.effect.*
import cats.syntax.all.*
import fs2.kafka.*
import scala.concurrent.duration.*

object PassageConsumer:
  def stream(cfg: IngestConfig, repo: PassageRepo[IO]): fs2.Stream[IO, Unit] =
    KafkaConsumer
      .stream(ConsumerSettings[IO, String, Array[Byte]]
        .withBootstrapServers(cfg.brokers)
        .withGroupId("passage-ingest")
        .withAutoOffsetReset(AutoOffsetReset.Earliest)
        .withEnableAutoCommit(false))
      .subscribeTo(cfg.topic)
      .records
      .mapAsync(cfg.parallelism) { r =>
        Passage.decode(r.record.value) match
          case Right(p) => repo.upsert(p).as(r.offset)
          case Left(err) => IO.println(s"bad passage at ${r.offset.offsetAndMetadata}: $err").as(r.offset)
      }
      .through(commitBatchWithin(500, 5.seconds))
'''

_aider_scala_hist = [
    "# USER\nI added src/main/scala/io/tollbar/ingest/PassageConsumer.scala. we consume toll-gantry passages from kafka and upsert them into postgres with doobie. throughput is fine but I want to understand commitBatchWithin, does it commit offsets of records that failed?\n# ASSISTANT\n`commitBatchWithin(500, 5.seconds)` groups the `CommittableOffset`s flowing through the stream into batches of up to 500 or whatever arrived within 5 seconds, and commits the highest offset per partition in each batch. In your code every record yields its offset, including the `Left` branch where decoding failed, so yes: a bad record's offset is committed after the line is printed, and the record is effectively skipped. `mapAsync` keeps output order, so an offset is only committed after all earlier records in the stream have finished.\n\nIf `repo.upsert` raises, the stream fails and nothing after the last committed batch is committed, so on restart you re-consume from there.\n",
    "# USER\nok so a poison message is skipped silently. I'd rather send it to a DLQ topic with the error. can you do that?\n# ASSISTANT\nsrc/main/scala/io/tollbar/ingest/PassageConsumer.scala\n```scala\n<<<<<<< SEARCH\n          case Left(err) => IO.println(s\"bad passage at ${r.offset.offsetAndMetadata}: $err\").as(r.offset)\n=======\n          case Left(err) =>\n            dlq.produceOne_(ProducerRecord(cfg.dlqTopic, r.record.key, r.record.value)\n              .withHeaders(Headers(Header(\"error\", err.getMessage)))).flatten.as(r.offset)\n>>>>>>> REPLACE\n```\n\nThis needs a `KafkaProducer[IO, String, Array[Byte]]` named `dlq`, passed into `stream`. I added it as a parameter; `Main.scala` creates it from the same broker list with `acks=all`.\n",
    "# USER\nthe DLQ producer should be a Resource, not created per call. and add dlqTopic to IngestConfig with default passages.dlq\n# ASSISTANT\nsrc/main/scala/io/tollbar/ingest/IngestConfig.scala\n```scala\n<<<<<<< SEARCH\nfinal case class IngestConfig(brokers: String, topic: String, parallelism: Int)\n=======\nfinal case class IngestConfig(brokers: String, topic: String, parallelism: Int, dlqTopic: String = \"passages.dlq\")\n>>>>>>> REPLACE\n```\n\nsrc/main/scala/io/tollbar/ingest/Main.scala\n```scala\n<<<<<<< SEARCH\n    PassageConsumer.stream(cfg, repo).compile.drain.as(ExitCode.Success)\n=======\n    KafkaProducer.resource(ProducerSettings[IO, String, Array[Byte]].withBootstrapServers(cfg.brokers).withAcks(Acks.All))\n      .use(dlq => PassageConsumer.stream(cfg, repo, dlq).compile.drain)\n      .as(ExitCode.Success)\n>>>>>>> REPLACE\n```\n",
    "# USER\nsbt test: PassageConsumerSpec fails to compile, 'not found: value dlq'\n# ASSISTANT\nThe spec still calls the two-argument `stream`. I updated it to build a `KafkaProducer` stub from `fs2.kafka.vulcan.testkit`... actually the simplest is to pass a fake producer: src/test/scala/io/tollbar/ingest/PassageConsumerSpec.scala now creates `FakeProducer[IO]` that records produced records in a `Ref`, and the poison-message test asserts one DLQ record with the `error` header.\n",
    "# USER\ngreen now. last thing: the upsert should retry on serialization failures (we run SERIALIZABLE) max 3 times with backoff\n# ASSISTANT\nsrc/main/scala/io/tollbar/ingest/PassageRepo.scala\n```scala\n<<<<<<< SEARCH\n  def upsert(p: Passage): F[Unit] = upsertQ(p).run.transact(xa).void\n=======\n  def upsert(p: Passage): F[Unit] =\n    retryingOnSerialization(maxRetries = 3, base = 50.millis)(upsertQ(p).run.transact(xa).void)\n>>>>>>> REPLACE\n```\n\n`retryingOnSerialization` checks for SQLSTATE 40001 and retries with exponential backoff plus jitter; other errors propagate and fail the stream as before.\n",
]

other(
    "m-ot-o01", "simple",
    "Aider's summariser compresses an earlier Scala Kafka-consumer conversation into a first-person paragraph, which is harness bookkeeping.",
    openai_sdk("m-ot-o01", [
        {"role": "system", "content": P.AIDER_SUMMARIZE},
        {"role": "user", "content": "\n".join(_aider_scala_hist)},
    ], model="gpt-4o-mini", stream=False, temperature=0),
)

other(
    "m-ot-o02", "simple",
    "Open WebUI asks for follow-up question suggestions after a short chat about GenServer call timeouts, a harness side request.",
    openai_sdk("m-ot-o02", [{"role": "user", "content": P.OPENWEBUI_FOLLOWUPS.replace("{history}", "USER: elixir: GenServer.call to my RateCache times out after 5s under load and crashes the caller. should I just pass :infinity?\nASSISTANT: Usually not. A timeout on `GenServer.call` means the server's mailbox is backed up or one `handle_call` is slow; `:infinity` just turns a crash into callers piling up forever. First check `Process.info(pid, :message_queue_len)` under load. Common fixes: move the slow work out of the server (reply with `{:noreply, state}` and `GenServer.reply/2` from a Task), serve reads from an ETS table with `read_concurrency: true` so readers never go through the process, or shard the cache across several processes. If you do keep a call, set a timeout that matches what the caller can tolerate and handle the exit with `catch :exit, {:timeout, _}`.\nUSER: the reads are 95% of calls, so ETS sounds right. writes still go through the genserver then?\nASSISTANT: Yes: keep the GenServer as the single writer that owns the table (`:protected`, named), and let readers call `:ets.lookup/2` directly. Writes stay serialised, reads scale with schedulers. If the process dies the table goes with it, so either rebuild on init or let a heir process hold it.")}],
               model="llama3.1:8b", stream=False),
)

_PHP_SLUG_SERVICE = """<?php

namespace App\\Services;

use App\\Models\\Court;
use Illuminate\\Support\\Facades\\DB;

class CourtImportService
{
    /**
     * Import courts from the federation's CSV export (name;surface;indoor;lights).
     * Returns the number of created or updated courts.
     */
    public function import(string $path): int
    {
        $rows = array_map(fn ($line) => str_getcsv($line, ';'), file($path, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES));
        array_shift($rows); // header

        return DB::transaction(function () use ($rows) {
            $n = 0;
            foreach ($rows as [$name, $surface, $indoor, $lights]) {
                Court::updateOrCreate(
                    ['slug' => Str::slug($name)],
                    ['name' => trim($name), 'surface' => strtolower($surface), 'indoor' => $indoor === 'ja', 'lights' => $lights === 'ja'],
                );
                $n++;
            }

            return $n;
        });
    }
}
"""

other(
    "m-ot-o03", "simple",
    "The error names the unresolved Str class inside App\\Services and the file has no use statement for it, so the fix is one missing import.",
    cline("m-ot-o03", None, [
        U("php artisan courts:import storage/app/courts.csv blows up with\n\n   Error \n\n  Class \"App\\Services\\Str\" not found\n\n  at app/Services/CourtImportService.php:23\n\njust fix the import"),
        rd("app/Services/CourtImportService.php", _PHP_SLUG_SERVICE),
    ], visible=["app/Services/CourtImportService.php", "app/Console/Commands/ImportCourts.php"], model="gpt-4.1"),
)


# =========================================================================== other OpenAI-dialect clients: medium

_SWIFT_MODELS = """import Foundation

struct Tide: Identifiable, Equatable {
    let id: String          // station id + date
    let stationId: String
    let date: Date          // local calendar day at the station
    let highs: [TideEvent]
    let lows: [TideEvent]
}

struct TideEvent: Equatable {
    let time: Date
    let heightCm: Int
}

enum TideAPI {
    static let base = URL(string: "https://api.tidewater.example/v1")!

    static func day(station: String, date: String) async throws -> Tide {
        let url = base.appending(path: "stations/\\(station)/days/\\(date)")
        let (data, response) = try await URLSession.shared.data(from: url)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw URLError(.badServerResponse) }
        // TODO: decode
        fatalError("decode \\(data.count) bytes")
    }
}
"""

_SWIFT_SAMPLE_JSON = """{
  "station_id": "NO-BGO-0019",
  "date": "2025-10-24",
  "time_zone": "Europe/Oslo",
  "events": [
    {"kind": "low",  "at": "2025-10-24T03:12:00+02:00", "height_cm": 41},
    {"kind": "high", "at": "2025-10-24T09:27:00+02:00", "height_cm": 152},
    {"kind": "low",  "at": "2025-10-24T15:40:00+02:00", "height_cm": 38},
    {"kind": "high", "at": "2025-10-24T21:51:00+02:00", "height_cm": 149}
  ]
}
"""

other(
    "m-ot-o04", "medium",
    "Decoding one documented JSON shape into existing Swift models with custom date handling and writing XCTest cases for it is a contained, well-specified piece of coding.",
    aider("m-ot-o04", "implement the decoding in TideAPI.day: the response looks like Fixtures/day.json. map events into highs/lows sorted by time, `date` should be the start of that calendar day in the station's time_zone (not UTC midnight!), id = \"\\(stationId)-\\(date string)\". make Tide Decodable via a private DTO rather than polluting the model, and add TideDecodingTests.swift with the fixture, an unknown `kind` (should throw), and a day where the time_zone is America/St_Johns (half-hour offset)",
          files={"TideKit/Sources/TideKit/Tide.swift": _SWIFT_MODELS, "TideKit/Tests/TideKitTests/Fixtures/day.json": _SWIFT_SAMPLE_JSON},
          model="claude-sonnet-4-5"),
)

other(
    "m-ot-o05", "medium",
    "A longest-streak-of-consecutive-months query is the classic gaps-and-islands pattern over one table, ordinary analytical SQL with a clear spec.",
    openai_sdk("m-ot-o05", [
        {"role": "system", "content": "You are a senior data engineer. Answer with PostgreSQL unless told otherwise. Be concise."},
        {"role": "user", "content": "postgres 15. table orders(id bigint, customer_id bigint, placed_at timestamptz, status text). for each customer I need their longest streak of consecutive calendar months (Europe/Berlin) with at least one order that isn't cancelled, plus the start month and end month of that streak. if two streaks tie take the most recent one. customers with zero valid orders should not appear. ~40M rows, it's a reporting replica so a couple of minutes is fine, but no temp tables. please explain the trick briefly so my junior can follow it"},
    ], model="gpt-4.1", temperature=0.2),
)

_RB_MAILER_VIEW = """<p>Hi <%= @order.customer.first_name %>,</p>

<p>Your order <strong>#<%= @order.number %></strong> is on its way.</p>

<table class="items">
  <% @order.line_items.each do |li| %>
    <tr><td><%= li.quantity %> × <%= li.product.name %></td><td><%= number_to_currency(li.total_cents / 100.0, unit: @order.currency_symbol) %></td></tr>
  <% end %>
</table>

<p>Carrier: <%= @shipment.carrier_name %>, tracking <%= link_to @shipment.tracking_number, @shipment.tracking_url %></p>
<p>Expected delivery: <%= @shipment.estimated_delivery_on.strftime("%A %-d %B") %></p>

<p>Thanks for shopping at the corner shop!</p>
"""

other(
    "m-ot-o06", "medium",
    "The error names estimated_delivery_on as nil on one line of the shipped-order mailer view and the log shows a carrier without estimates, so handling the nil case with a spec is a small fix.",
    cline("m-ot-o06", None, [
        U("ShipmentMailer#shipped is failing in sidekiq for some orders:\n\nActionView::Template::Error: undefined method `strftime' for nil\n  app/views/shipment_mailer/shipped.html.erb:12\n\nlooks like only the 'Bring Pakkeshop' carrier ones. fix it so the email still goes out (leave the line out if there's no estimate) and add a mailer spec for it"),
        rd("app/views/shipment_mailer/shipped.html.erb", _RB_MAILER_VIEW),
        sh("bin/rails runner 'puts Shipment.where(estimated_delivery_on: nil).group(:carrier_name).count.inspect'", "{\"Bring Pakkeshop\"=>214, \"Posten Brev\"=>3}\n"),
    ], visible=["app/views/shipment_mailer/shipped.html.erb", "app/mailers/shipment_mailer.rb", "spec/mailers/shipment_mailer_spec.rb"], model="claude-sonnet-4-5"),
)


# =========================================================================== other OpenAI-dialect clients: complex

other(
    "m-ot-o07", "complex",
    "Deleting duplicate users in production and adding a unique index irreversibly touches live accounts and their dependent rows; a good answer merges references, backs up and plans the index build.",
    openai_sdk("m-ot-o07", [
        {"role": "system", "content": "You are a helpful assistant for a small SaaS team."},
        {"role": "user", "content": "need a quick psql one-shot for prod: our users table has duplicate emails (case differences, like Anna@x.no and anna@x.no, ~3,100 pairs from before we lowercased on signup). keep the newest row per lower(email), delete the others, then add a unique index on lower(email) so it can't happen again. postgres 14, users has ~2.3M rows, other tables reference users.id (orders, sessions, api_keys, audit_log). just give me the SQL, I'll run it tonight"},
    ], model="gpt-4o", temperature=0.7),
)

_PY_CRAWLER = '''import asyncio
import logging

import aiohttp

log = logging.getLogger("crawler")


class Crawler:
    def __init__(self, seeds: list[str], concurrency: int = 50, max_pages: int = 10_000):
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.seen: set[str] = set()
        self.concurrency = concurrency
        self.max_pages = max_pages
        self.results: dict[str, int] = {}
        for s in seeds:
            self.queue.put_nowait(s)
            self.seen.add(s)

    async def run(self) -> dict[str, int]:
        timeout = aiohttp.ClientTimeout(total=20)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            workers = [asyncio.create_task(self.worker(session, i)) for i in range(self.concurrency)]
            await self.queue.join()
            for w in workers:
                w.cancel()
        return self.results

    async def worker(self, session: aiohttp.ClientSession, n: int) -> None:
        while True:
            url = await self.queue.get()
            if len(self.results) >= self.max_pages:
                continue
            try:
                async with session.get(url) as resp:
                    self.results[url] = resp.status
                    if resp.status == 200 and "text/html" in resp.headers.get("content-type", ""):
                        for link in extract_links(url, await resp.text()):
                            if link not in self.seen:
                                self.seen.add(link)
                                await self.queue.put(link)
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                log.warning("fetch %s failed: %s", url, e)
                self.results[url] = -1
            self.queue.task_done()
'''

other(
    "m-ot-o08", "complex",
    "A crawler that hangs forever only at higher concurrency has its cause in task accounting across workers (skipped task_done calls, unhandled exceptions killing workers), a concurrency bug not visible in any traceback.",
    aider("m-ot-o08", "the link checker hangs forever at the end of a crawl, but only sometimes, and only when I run it with --concurrency 50 or more against our big docs site (9k pages). at 10 it always finishes. py-spy dump while it's hung shows all 50 workers parked in `await self.queue.get()` and the main task in `await self.queue.join()`. no exceptions in the log except the usual 'fetch failed' warnings. make it always terminate, and keep max_pages working",
          files={"linkcheck/crawler.py": _PY_CRAWLER},
          model="deepseek-chat"),
)

_TS_AUTH_ROUTES = """import { Router } from "express";
import { z } from "zod";
import { prisma } from "../db";
import { issueSession } from "../auth/session";
import { verifyGoogleIdToken } from "../auth/google";

export const authRouter = Router();

const GoogleBody = z.object({ idToken: z.string().min(10) });

// Sign in with Google: find the user by Google sub, else by email (linking the accounts), else create.
authRouter.post("/auth/google", async (req, res) => {
  const { idToken } = GoogleBody.parse(req.body);
  const claims = await verifyGoogleIdToken(idToken);
  if (!claims.email_verified) return res.status(401).json({ error: "email not verified" });

  let user = await prisma.user.findUnique({ where: { googleSub: claims.sub } });
  if (!user) {
    user = await prisma.user.findUnique({ where: { email: claims.email.toLowerCase() } });
    if (user) {
      user = await prisma.user.update({ where: { id: user.id }, data: { googleSub: claims.sub } });
    } else {
      user = await prisma.user.create({ data: { email: claims.email.toLowerCase(), googleSub: claims.sub, name: claims.name } });
    }
  }
  return res.json(await issueSession(user, req));
});
"""

other(
    "m-ot-o09", "complex",
    "Adding Sign in with Apple with account linking is authentication work where token verification, nonce handling, private-relay emails and link-by-email rules decide whether accounts can be taken over.",
    cline("m-ot-o09", None, [
        U("add Sign in with Apple to the API, same behaviour as the Google one: the iOS app sends the identityToken (and the name on first sign-in since Apple only sends it once). find by apple sub, else link to an existing account by email, else create. we have ~60k users, most signed up with email+password. Apple team id is in APPLE_TEAM_ID, bundle id in APPLE_CLIENT_ID"),
        rd("src/routes/auth.ts", _TS_AUTH_ROUTES),
        sh("cat package.json | grep -E 'jose|jsonwebtoken|google-auth' ; grep -n 'model User' -A14 prisma/schema.prisma", "    \"google-auth-library\": \"^9.14.1\",\n    \"jose\": \"^5.9.3\",\n model User {\n  id           String    @id @default(cuid())\n  email        String    @unique\n  passwordHash String?\n  googleSub    String?   @unique\n  name         String?\n  createdAt    DateTime  @default(now())\n  sessions     Session[]\n  orders       Order[]\n}\n"),
    ], visible=["src/routes/auth.ts", "src/auth/google.ts", "prisma/schema.prisma"], model="claude-sonnet-4-5"),
)


# =========================================================================== other OpenAI-dialect clients: reasoning

other(
    "m-ot-o10", "reasoning",
    "Whether advisory-lock leader election stays mutually exclusive behind PgBouncer transaction pooling, across failovers and network partitions, is a correctness argument asked for with reasoning_effort high.",
    openai_sdk("m-ot-o10", [
        {"role": "system", "content": "You are a distributed-systems reviewer. Be rigorous: state assumptions, give proofs or concrete counterexample schedules."},
        {"role": "user", "content": "We elect a single 'scheduler' among 6 worker pods with Postgres advisory locks. Each pod loops every 5 s:\n\n```python\nasync def tick(pool):\n    async with pool.acquire() as conn:   # asyncpg pool -> PgBouncer (pool_mode=transaction) -> Postgres 16 primary\n        got = await conn.fetchval(\"select pg_try_advisory_lock(42)\")\n        if got:\n            await run_due_jobs(conn)        # several transactions, may take up to 40 s\n            await conn.execute(\"select pg_advisory_unlock(42)\")\n```\n\nFailover is Patroni with synchronous replication; PgBouncer points at the primary through a VIP. We have seen two pods run due jobs at the same time twice this month, which sends customers duplicate invoices.\n\n1. Under exactly this setup, is mutual exclusion guaranteed? If not, give every distinct schedule that breaks it (PgBouncer server-connection reuse, asyncpg pool reset, pod killed mid-run, Patroni failover, a partition between pod and PgBouncer) and say which of them explain 'twice a month'.\n2. Would switching to pg_try_advisory_xact_lock inside one transaction fix it? Prove it or show a counterexample.\n3. What is the weakest mechanism that actually gives us at-most-once job execution, given that run_due_jobs calls an external email API? I suspect leader election alone can't give that; argue it either way."},
    ], model="o3", reasoning_effort="high"),
)

other(
    "m-ot-o11", "reasoning",
    "How to model multi-currency prices, FX snapshots and tax-inclusive rounding so invoices and refunds stay reproducible is a data-model decision with real trade-offs, asked in Aider's architect mode.",
    aider("m-ot-o11", "we sell court memberships in NOK only today; next year Sweden and Denmark. prices are VAT-inclusive and shown per country (members expect round numbers like 349 SEK, not 342.17), but finance reports in NOK. two schools of thought in the team: (a) store a price per currency per product, set by hand, FX only for reporting; (b) store NOK only and convert at display time with a daily FX snapshot, then round to a 'nice' price. we also do partial refunds, mid-period upgrades with proration, and invoices must be reproducible years later. which model do you recommend, how do proration and refunds work in it (which currency, which rate, where does rounding happen, how do we avoid 1-øre drift between invoice lines and totals), and what tables would you add? plan only, no code yet",
          repo_map="app/Models/Membership.php:\n│class Membership extends Model\n│    public function plan(): BelongsTo\n│    public function invoices(): HasMany\napp/Models/Plan.php:\n│class Plan extends Model\n│    protected $casts = ['price_ore' => 'integer', 'interval' => PlanInterval::class]\napp/Services/ProrationService.php:\n│class ProrationService\n│    public function upgrade(Membership $m, Plan $to, CarbonImmutable $on): Invoice\napp/Services/RefundService.php:\n│class RefundService\n│    public function refund(Invoice $invoice, int $amountOre, string $reason): Refund\napp/Models/Invoice.php:\n│class Invoice extends Model\n│    protected $casts = ['total_ore' => 'integer', 'vat_ore' => 'integer', 'lines' => 'array']\n",
          architect=True, model="gpt-4.1"),
)

_SAML_CONFIG = """import { SAML } from "@node-saml/node-saml";
import { prisma } from "../db";

// One SAML connection per customer organisation (their IdP: Entra ID, Okta, Google Workspace, ...).
export async function samlFor(orgSlug: string): Promise<SAML> {
  const conn = await prisma.samlConnection.findUniqueOrThrow({ where: { orgSlug } });
  return new SAML({
    callbackUrl: `https://admin.parcelhub.example/sso/${orgSlug}/acs`,
    entryPoint: conn.idpSsoUrl,
    issuer: "https://admin.parcelhub.example",
    idpCert: conn.idpCertPem,
    wantAssertionsSigned: true,
    acceptedClockSkewMs: 5 * 60 * 1000,
  });
}
"""

other(
    "m-ot-o12", "reasoning",
    "Letting every customer organisation bring its own SAML IdP into a shared admin tool, with IdP-initiated login and just-in-time provisioning, needs a threat model before any code.",
    cline("m-ot-o12", None, [
        U("we're about to let customer orgs log into our admin tool with their own SAML IdP (Entra, Okta, Google). each org admin pastes their IdP metadata in a settings page; users are provisioned just-in-time on first login with the role from a SAML attribute; some customers insist on IdP-initiated login from their app portal. the admin tool can see parcels, addresses and issue refunds, and our own support staff have accounts in the same user table with a 'staff' flag. before we build it I want a threat model: what can go wrong between orgs, with the metadata upload, with IdP-initiated flows, with JIT roles, with our staff accounts, and what controls we need for each. plan mode, no code yet"),
        rd("src/auth/saml.ts", _SAML_CONFIG),
    ], visible=["src/auth/saml.ts", "prisma/schema.prisma"], mode="PLAN MODE", model="gpt-4.1"),
)
