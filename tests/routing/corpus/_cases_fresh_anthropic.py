"""Fresh-split cases (anthropic dialect): written after v1, blind to the router. See corpus README."""
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
    png_b64,
    rd,
    sh,
    todo,
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects whose files live here
# The nine fixture projects plus seven written inline for this split, so the fresh cases also cover
# Kotlin, Swift, PHP, C#, Elixir, Scala and C. Only the CLAUDE.md text differs from a fixture project.


_INLINE: dict[str, Project] = {
    p.key: p
    for p in [
        Project(
            "stride", "stride-android", "pacelab/stride-android", "/Users/nadia", "/Users/nadia/dev/stride-android", "darwin",
            "nadia/history-headers",
            "M app/src/main/java/com/pacelab/stride/history/WorkoutListViewModel.kt",
            "4be10a7 AGP 8.5.2, Kotlin 2.0.20, KSP instead of kapt (#388)\n91c2d0e history: paging from Room (#384)\n0f7e3a1 sync: upload GPX in chunks (#381)\n7d2b6c9 compose BOM 2024.09 (#377)\nc3a8e52 settings: units toggle (#372)",
            editor="Android Studio",
            notes="""# stride-android

Running and cycling tracker. Kotlin 2.0, Jetpack Compose, Hilt, Room, Retrofit + Moshi, Coroutines/Flow.
minSdk 26, targetSdk 35. Modules: `:app`, `:core:sync`, `:core:data`, `:core:ui`.

- `./gradlew :app:testDebugUnitTest` for unit tests; `./gradlew :app:assembleRelease` builds the minified release
- `./gradlew ktlintFormat detekt` before pushing
- ViewModels expose `StateFlow<UiState>`; no LiveData in new code
- Time: inject `java.time.Clock`; never call `LocalDate.now()` without it
""",
        ),
        Project(
            "larder", "larder-ios", "larder-app/larder-ios", "/Users/ben", "/Users/ben/Developer/larder-ios", "darwin",
            "ben/settings-sync",
            "M Larder/Settings/SettingsViewModel.swift\nM Larder/Images/ImageCache.swift",
            "2d7f0c1 Merge branch 'main' into ben/settings-sync\n8a13e4b Recipe grid: prefetch thumbnails (#212)\n5c0b9d2 Settings: iCloud sync toggle (#209)\ne4f61a8 Drop iOS 15 (#205)\n19b7c3d Pantry: barcode scan (#201)",
            editor="Xcode",
            notes="""# Larder (iOS)

Recipe and pantry app. Swift 5.10, SwiftUI, iOS 16+, no third-party UI libraries. SPM only.

- Build: `xcodebuild -scheme Larder -destination 'platform=iOS Simulator,name=iPhone 15' build`
- Tests: same with `test`; snapshot tests live in `LarderSnapshotTests` and need the iPhone 15 simulator
- `swiftformat .` before committing (config in `.swiftformat`)
- View models are `@MainActor final class ... : ObservableObject`
""",
        ),
        Project(
            "clinic", "clinicbook", "medisoft/clinicbook", "/home/rafael", "/home/rafael/code/clinicbook", "linux",
            "rafael/patients-cleanup",
            "M app/Http/Controllers/AppointmentController.php\n?? database/migrations/2025_10_20_090000_drop_legacy_patients_table.php",
            "b7e21a9 Patients: read from patients table only (#644)\n3a9c0f4 2FA: lock after 5 failed codes (#640)\nd12e8b7 Appointments: cancellation reason (#637)\n6f4a2c3 Laravel 11.23 (#633)\n0e8b5d1 Queue: horizon on redis (#630)",
            editor="PhpStorm", shell="bash",
            notes="""# clinicbook

Appointment booking for outpatient clinics. PHP 8.3, Laravel 11, MySQL 8, Redis (queues via Horizon),
Pest for tests, Inertia + Vue 3 front end.

- `./vendor/bin/sail up -d` for the local stack; `./vendor/bin/sail artisan test` runs Pest
- `./vendor/bin/pint` before committing; PHPStan level 8 in CI (`composer stan`)
- Production: Forge-managed servers; migrations run in the deploy script, never by hand. The prod
  DB holds patient data (GDPR special category): no ad-hoc queries without a ticket.
- Dates are stored in UTC and shown in the clinic's timezone (`$clinic->timezone`).
""",
        ),
        Project(
            "fleet", "fleet-telemetry", "haulio/fleet-telemetry", "/home/olu", "/home/olu/src/fleet-telemetry", "linux",
            "olu/vehicle-registration",
            "M src/Fleet.Api/Vehicles/VehiclesEndpoints.cs",
            "c8d2f41 Vehicles: POST /vehicles (#157)\n2a7e0b3 Drivers: validation with FluentValidation (#152)\n9f13c6d EF Core 8.0.8 (#149)\n61b4e2a Telemetry: batch insert via COPY (#145)\n0d9a7c5 CI: test matrix net8.0 (#141)",
            editor="Rider",
            notes="""# fleet-telemetry

Vehicle tracking backend. .NET 8, ASP.NET Core minimal APIs, EF Core 8 (Npgsql), FluentValidation,
xUnit + Testcontainers. Solution: `Fleet.sln` with `Fleet.Api`, `Fleet.Domain`, `Fleet.Infrastructure`, `Fleet.Tests`.

- `dotnet build`, `dotnet test` (Docker needed for the integration tests)
- `dotnet format` before committing
- Endpoints are grouped per feature in `src/Fleet.Api/<Feature>/<Feature>Endpoints.cs`
- Validation: one `AbstractValidator<T>` per request, registered with `AddValidatorsFromAssemblyContaining<Program>()`
""",
        ),
        Project(
            "relay", "relay", "relaychat/relay", "/home/mirela", "/home/mirela/src/relay", "linux",
            "mirela/presence-reconnect",
            "M lib/relay_web/channels/room_channel.ex\nM test/relay_web/channels/room_channel_test.exs",
            "e0c4b19 Typing indicators via TypingTracker (#301)\n7f2a9d3 Phoenix 1.7.14 (#298)\nb41d6e0 Room member list from Presence (#295)\n3c8e1f7 Rate limit messages per user per room (#290)\n92da5b4 LiveView room page (#287)",
            editor="Neovim", shell="bash",
            notes="""# relay

Team chat. Elixir 1.17 / OTP 27, Phoenix 1.7 (channels + LiveView), Ecto on Postgres, Phoenix.PubSub,
Phoenix.Presence. Single node in production today (fly.io), clustering planned.

- `mix test` (needs Postgres from `docker compose up -d db`), `mix format`, `mix credo --strict`
- Channel topics are `room:<uuid>`; never broadcast outside a room topic
- Supervised processes only; no bare `spawn`
""",
        ),
        Project(
            "click", "clickstream-etl", "shoply-data/clickstream-etl", "/home/dmitri", "/home/dmitri/work/clickstream-etl", "linux",
            "dmitri/sessionize-v2",
            "M src/main/scala/shoply/etl/Sessionize.scala",
            "a91f3c2 Sessionize: 30 min inactivity gap (#118)\n4d0e7b5 Spark 3.5.2, Scala 2.13.14 (#115)\n8c2a1f9 Bot filter from ua list (#111)\n1e6b3d0 Delta 3.2 (#108)\n5f7c9a4 scalafmt 3.8 (#104)",
            editor="IntelliJ IDEA", shell="bash",
            notes="""# clickstream-etl

Spark batch jobs over the web/app clickstream. Scala 2.13, Spark 3.5, Delta Lake on S3, run on EMR Serverless.

- `sbt test` (local Spark), `sbt scalafmtAll` before committing, `sbt assembly` builds the job jar
- Jobs live in `src/main/scala/shoply/etl/`, one object per job with a `run(spark, args)` entry point
- Never `collect()` a full dataset on the driver
""",
        ),
        Project(
            "soil", "soilnode-fw", "agrisense/soilnode-fw", "/home/kai", "/home/kai/fw/soilnode-fw", "linux",
            "kai/wdt-resets",
            "M src/sensors/sht4x.c",
            "f31b7a2 LoRa: duty-cycle aware TX queue (#77)\n0a4e9c8 sht4x: high-precision mode (#74)\nc2d81f5 WDT: 8 s timeout, fed from main loop (#71)\n7e6b3a0 Zephyr 3.6 (#69)\n49f0d2c ADC: moisture probe averaging in ISR (#66)",
            shell="bash",
            notes="""# soilnode-fw

Firmware for the SoilNode field sensor (nRF52840, LoRa SX1262, SHT4x, capacitive moisture probe).
C11 on Zephyr 3.6. Battery powered: the node sleeps ~99% of the time.

- `west build -b soilnode_nrf52840 app` then `west flash`; `west build -t run` for the native_sim target
- Unit tests: `west twister -T tests/ -p native_sim`
- No dynamic allocation after boot. ISRs must be short: copy data out and signal a work item.
""",
        ),
    ]
}


BOOK = CaseBook(CASES, _INLINE)
cc, side, sdk = BOOK.cc, BOOK.side, BOOK.sdk


PAY, WEB, GW, TW, LED, REN, WH, INF = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "warehouse", "infra"))


# =========================================================================== simple: Claude Code side requests

side(
    "f-cc-001", "simple",
    "Topic classification of a one-line dev-server question returns a two-field JSON, which is harness bookkeeping.",
    "topic",
    "quick q unrelated to the migration — how do I make `pnpm dev` listen on 0.0.0.0 so I can open it from my phone on the same wifi?",
)

side(
    "f-cc-002", "simple",
    "Extracting the prefix of a chained docker compose and make command is a lookup against the policy examples.",
    "bash_prefix",
    "docker compose -f deploy/compose.kafka.yml up -d && make itest",
)

side(
    "f-cc-003", "simple",
    "A 50-character summary of a finished Room migration fix is harness bookkeeping.",
    "summary",
    "User: app crashes on upgrade from 3.4 to 3.5: java.lang.IllegalStateException: Migration didn't properly handle: workouts(com.pacelab.stride.data.WorkoutEntity). Expected: TableInfo{name='workouts', columns={elevation_gain_m=Column{name='elevation_gain_m', type='INTEGER', affinity='3', notNull=false ...\n"
    "Claude: MIGRATION_5_6 adds elevation_gain_m as INTEGER NOT NULL DEFAULT 0, but WorkoutEntity declares it as Int?, so Room's schema validation sees notNull=true where it expects false. Either the entity or the migration has to change.\n"
    "User: make it nullable in the migration then, we don't have elevation for old runs anyway\n"
    "Claude: Changed MIGRATION_5_6 to `ALTER TABLE workouts ADD COLUMN elevation_gain_m INTEGER`, exported schemas/6.json again and added MigrationTest.migrate5To6_keepsWorkouts. ./gradlew :core:data:connectedDebugAndroidTest passes on the Pixel 7 emulator (23 tests).\n"
    "User: perfect thanks",
)

side(
    "f-cc-004", "simple",
    "A short title for a conversation about double-booked appointments is a harness side request, whatever the bug was.",
    "title",
    "User: two receptionists managed to book the same 10:30 slot with dr. Osei yesterday, both got a green toast. AppointmentService::book checks availability then inserts, no lock. can we fix it without making booking slow?\n"
    "Assistant: The check-then-insert in AppointmentService::book races when two requests arrive together. I'd add a unique index on (practitioner_id, starts_at) for non-cancelled appointments via a generated column, and catch the duplicate-key error to return a 409 with the next free slot.\n"
    "User: yes do that, and make the vue form show the 409 nicely",
)

side(
    "f-cc-005", "simple",
    "Suggesting what the user might type next after a finished test-writing task is a harness side request.",
    "suggest",
    "Last user message: \"write xunit tests for the VIN validator\"\n"
    "Last assistant message: \"Added VehicleValidatorTests with 11 cases (length, forbidden I/O/Q, check digit, model year bounds). dotnet test: 58 passed, 0 failed.\"",
)

# =========================================================================== simple: Claude Code main loop

_settings_vm = """import Foundation

@MainActor
final class SettingsViewModel: ObservableObject {
    @Published var iCloudSyncEnabled: Bool
    @Published var units: MeasurementSystem
    @Published private(set) var lastSyncedAt: Date?

    private let store: SettingsStore
    private let sync: CloudSyncService
    private var cancellables = Set<AnyCancellable>()

    init(store: SettingsStore, sync: CloudSyncService) {
        self.store = store
        self.sync = sync
        self.iCloudSyncEnabled = store.iCloudSyncEnabled
        self.units = store.units
        self.lastSyncedAt = store.lastSyncedAt

        $iCloudSyncEnabled
            .dropFirst()
            .removeDuplicates()
            .sink { [weak self] enabled in
                Task { await self?.setSync(enabled) }
            }
            .store(in: &cancellables)

        $units
            .dropFirst()
            .sink { [weak self] units in self?.store.units = units }
            .store(in: &cancellables)
    }

    func setSync(_ enabled: Bool) async {
        store.iCloudSyncEnabled = enabled
        guard enabled else { return }
        do {
            lastSyncedAt = try await sync.syncNow()
            store.lastSyncedAt = lastSyncedAt
        } catch {
            iCloudSyncEnabled = false
        }
    }
}
"""

_xcode_errors = """Command line invocation:
    /Applications/Xcode.app/Contents/Developer/usr/bin/xcodebuild -scheme Larder -destination "platform=iOS Simulator,name=iPhone 15" build

User defaults from command line:
    IDEPackageSupportUseBuiltinSCM = YES

Prepare packages

Computing target dependency graph and provisioning inputs

Create build description
Build description signature: 4f1c0e9a2b7d3e6f8a1c5b0d9e2f7a34
Build description path: /Users/ben/Library/Developer/Xcode/DerivedData/Larder-fhqzkdwbxyrmcxeaplsgnjvcotuy/Build/Intermediates.noindex/XCBuildData/4f1c0e9a2b7d3e6f8a1c5b0d9e2f7a34.xcbuilddata

SwiftCompile normal arm64 Compiling\\ SettingsViewModel.swift /Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift (in target 'Larder' from project 'Larder')
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:4:32: error: cannot find type 'ObservableObject' in scope
final class SettingsViewModel: ObservableObject {
                               ^~~~~~~~~~~~~~~~
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:5:6: error: unknown attribute 'Published'
    @Published var iCloudSyncEnabled: Bool
     ^
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:6:6: error: unknown attribute 'Published'
    @Published var units: MeasurementSystem
     ^
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:7:6: error: unknown attribute 'Published'
    @Published private(set) var lastSyncedAt: Date?
     ^
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:11:37: error: cannot find type 'AnyCancellable' in scope
    private var cancellables = Set<AnyCancellable>()
                                    ^~~~~~~~~~~~~~
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:20:9: error: cannot find '$iCloudSyncEnabled' in scope
        $iCloudSyncEnabled
        ^~~~~~~~~~~~~~~~~~
/Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift:28:9: error: cannot find '$units' in scope
        $units
        ^~~~~~

** BUILD FAILED **


The following build commands failed:
\tSwiftCompile normal arm64 /Users/ben/Developer/larder-ios/Larder/Settings/SettingsViewModel.swift (in target 'Larder' from project 'Larder')
(1 failure)"""

cc(
    "f-cc-006", "simple",
    "The merge dropped `import Combine` from one file and every compiler error is a Combine type in it, so the next step is one import line.",
    "larder",
    [
        U("build is broken since I merged main into my branch, errors in SettingsViewModel. can you fix"),
        sh("xcodebuild -scheme Larder -destination 'platform=iOS Simulator,name=iPhone 15' build 2>&1 | tail -60", _xcode_errors, code=65, secs=48.0,
           desc="Build the app for the simulator", pre="Let me reproduce the build failure."),
        sh("git diff HEAD~1 -- Larder/Settings/SettingsViewModel.swift | head -20",
           "diff --git a/Larder/Settings/SettingsViewModel.swift b/Larder/Settings/SettingsViewModel.swift\nindex 7c1e2b0..a94d5f3 100644\n--- a/Larder/Settings/SettingsViewModel.swift\n+++ b/Larder/Settings/SettingsViewModel.swift\n@@ -1,5 +1,4 @@\n-import Combine\n import Foundation\n \n @MainActor\n final class SettingsViewModel: ObservableObject {",
           desc="Show what the merge changed in the file", pre="All errors are Combine types. Checking what the merge did to the imports."),
    ],
)


def _mix_trace(seed: int, failing: str | None = None) -> str:
    """`mix test --trace` over relay's suite; `failing` names one test that fails."""
    rng = random.Random(seed)
    suites = {
        "RelayWeb.RoomChannelTest [test/relay_web/channels/room_channel_test.exs]": [
            "joins a room the user belongs to", "rejects a room the user is not a member of", "rejects an unknown room id",
            "pushes presence_state after join", "broadcasts new_msg to the room", "rate limits a user after 20 messages in 10s",
            "does not broadcast to other rooms", "typing event reaches other members", "typing event is not echoed to the sender",
            "leave untracks presence", "reconnect with the same user keeps one presence entry per user",
        ],
        "RelayWeb.RoomLiveTest [test/relay_web/live/room_live_test.exs]": [
            "renders the room name and members", "shows each member once when they have two tabs open", "sends a message from the form",
            "shows the typing indicator", "hides the typing indicator after 5s", "renders older messages on scroll", "redirects non-members",
            "marks the room as read on mount", "escapes message bodies",
        ],
        "Relay.ChatTest [test/relay/chat_test.exs]": [
            "fetch_room/1 returns the room", "fetch_room/1 returns not_found", "authorize_member/2 allows members", "authorize_member/2 forbids others",
            "create_message/3 stores the body", "create_message/3 rejects empty bodies", "create_message/3 trims whitespace",
            "list_messages/2 paginates by inserted_at", "list_messages/2 excludes deleted messages", "mark_read/2 sets last_read_at",
            "unread_count/2 counts messages after last_read_at", "add_member/2 is idempotent", "remove_member/2 deletes the membership",
        ],
        "Relay.RateLimiterTest [test/relay/rate_limiter_test.exs]": [
            "allows up to the limit", "denies above the limit", "resets after the window", "limits are per room", "limits are per user",
            "cleans up expired buckets",
        ],
        "Relay.TypingTrackerTest [test/relay/typing_tracker_test.exs]": [
            "start_typing/3 broadcasts typing_started", "stop_typing/3 broadcasts typing_stopped", "expires after 5 seconds without refresh",
            "refresh extends the expiry", "sweep removes only expired entries", "survives a room process crash",
        ],
        "Relay.AccountsTest [test/relay/accounts_test.exs]": [
            "register_user/1 with valid data", "register_user/1 rejects duplicate email", "register_user/1 lowercases email",
            "get_user_by_email_and_password/2 ok", "get_user_by_email_and_password/2 wrong password", "generate_user_session_token/1",
            "get_user_by_session_token/1 expired", "delete_user_session_token/1", "update_display_name/2 validates length",
            "deliver_user_confirmation_instructions/2 sends email", "confirm_user/1 confirms once", "reset_user_password/2 invalidates tokens",
        ],
        "RelayWeb.UserSessionControllerTest [test/relay_web/controllers/user_session_controller_test.exs]": [
            "POST /users/log_in logs the user in", "POST /users/log_in with remember me", "POST /users/log_in with invalid credentials",
            "DELETE /users/log_out logs the user out", "DELETE /users/log_out succeeds when not logged in",
        ],
        "RelayWeb.UserAuthTest [test/relay_web/user_auth_test.exs]": [
            "log_in_user/3 stores the token in the session", "log_in_user/3 clears everything previously stored", "log_in_user/3 redirects to the configured path",
            "log_out_user/1 erases session and cookies", "log_out_user/1 broadcasts to the live_socket_id", "fetch_current_user/2 authenticates from session",
            "fetch_current_user/2 authenticates from cookies", "on_mount :ensure_authenticated redirects", "on_mount :mount_current_user assigns nil",
            "require_authenticated_user/2 redirects if not authenticated", "require_authenticated_user/2 stores the path to redirect to",
        ],
        "RelayWeb.PresenceTest [test/relay_web/presence_test.exs]": [
            "fetch/2 adds user display names", "list/1 returns one key per user", "track/3 with two sockets keeps both metas",
        ],
        "Relay.Workers.DigestTest [test/relay/workers/digest_test.exs]": [
            "builds a digest of unread messages", "skips users with notifications off", "groups by room", "limits to 20 messages per room",
            "sends nothing when there is nothing unread",
        ],
    }
    out = ["Compiling 3 files (.ex)", "Generated relay app", "Excluding tags: [:integration]", ""]
    total = failures = 0
    for header, tests in suites.items():
        out.append(header)
        for name in tests:
            total += 1
            line = rng.randrange(8, 240)
            ms = rng.random() * (180 if "Live" in header or "Channel" in header else 40)
            if failing and name == failing:
                failures += 1
                out.append(f"  * test {name} ({ms:.1f}ms) [L#{line}]")
                out += [
                    "",
                    f"  {failures}) test {name} ({header.split(' [')[0]})",
                    f"     {header.split('[')[1].rstrip(']')}:{line}",
                    "     Assertion with == failed",
                    "     code:  assert length(members) == 1",
                    "     left:  2",
                    "     right: 1",
                    "     stacktrace:",
                    f"       {header.split('[')[1].rstrip(']')}:{line + 14}: (test)",
                    "",
                ]
            else:
                out.append(f"  * test {name} ({ms:.1f}ms) [L#{line}]")
        out.append("")
    secs = 3 + rng.random() * 3
    out += [f"Finished in {secs:.1f} seconds ({secs * 0.3:.1f}s async, {secs * 0.7:.1f}s sync)",
            f"{total} tests, {failures} failure{'s' if failures != 1 else ''}", "", f"Randomized with seed {rng.randrange(100000, 999999)}"]
    return "\n".join(out) + "\n"


_room_channel = """defmodule RelayWeb.RoomChannel do
  use RelayWeb, :channel

  alias Relay.{Chat, RateLimiter, TypingTracker}
  alias RelayWeb.Presence

  @impl true
  def join("room:" <> room_id, _params, socket) do
    with {:ok, room} <- Chat.fetch_room(room_id),
         :ok <- Chat.authorize_member(room, socket.assigns.user_id) do
      send(self(), :after_join)
      {:ok, assign(socket, :room_id, room.id)}
    else
      {:error, :not_found} -> {:error, %{reason: "not_found"}}
      {:error, :forbidden} -> {:error, %{reason: "forbidden"}}
    end
  end

  @impl true
  def handle_info(:after_join, socket) do
    {:ok, _} =
      Presence.track(socket, socket.assigns.user_id, %{
        name: socket.assigns.display_name,
        online_at: System.system_time(:second),
        device: socket.assigns.device
      })

    push(socket, "presence_state", Presence.list(socket))
    {:noreply, socket}
  end

  @impl true
  def handle_in("new_msg", %{"body" => body}, socket) do
    %{room_id: room_id, user_id: user_id} = socket.assigns

    case RateLimiter.check(room_id, user_id) do
      :ok ->
        case Chat.create_message(room_id, user_id, body) do
          {:ok, msg} ->
            broadcast!(socket, "new_msg", RelayWeb.MessageJSON.show(msg))
            {:reply, :ok, socket}

          {:error, changeset} ->
            {:reply, {:error, %{errors: RelayWeb.ChangesetJSON.errors(changeset)}}, socket}
        end

      {:error, :rate_limited, retry_in} ->
        {:reply, {:error, %{reason: "rate_limited", retry_in_ms: retry_in}}, socket}
    end
  end

  def handle_in("typing", _payload, socket) do
    TypingTracker.start_typing(socket.assigns.room_id, socket.assigns.user_id, socket.assigns.display_name)
    {:noreply, socket}
  end
end
"""

_room_live_before = """defmodule RelayWeb.RoomLive do
  use RelayWeb, :live_view

  alias Relay.Chat
  alias RelayWeb.Presence

  @impl true
  def mount(%{"id" => room_id}, _session, socket) do
    user = socket.assigns.current_user

    with {:ok, room} <- Chat.fetch_room(room_id),
         :ok <- Chat.authorize_member(room, user.id) do
      topic = "room:" <> room.id

      if connected?(socket) do
        RelayWeb.Endpoint.subscribe(topic)
        Chat.mark_read(room.id, user.id)
      end

      {:ok,
       socket
       |> assign(room: room, topic: topic, typing: MapSet.new())
       |> assign(members: members(Presence.list(topic)))
       |> stream(:messages, Chat.list_messages(room.id, limit: 50))}
    else
      _ -> {:ok, socket |> put_flash(:error, "Room not found") |> push_navigate(to: ~p"/rooms")}
    end
  end

  @impl true
  def handle_info(%{event: "presence_diff"}, socket) do
    {:noreply, assign(socket, members: members(Presence.list(socket.assigns.topic)))}
  end

  def handle_info(%{event: "new_msg", payload: msg}, socket) do
    {:noreply, stream_insert(socket, :messages, msg)}
  end

  def handle_info(%{event: "typing_started", payload: %{user_id: id}}, socket) do
    {:noreply, update(socket, :typing, &MapSet.put(&1, id))}
  end

  def handle_info(%{event: "typing_stopped", payload: %{user_id: id}}, socket) do
    {:noreply, update(socket, :typing, &MapSet.delete(&1, id))}
  end

  defp members(presences) do
    for {user_id, %{metas: metas}} <- presences, meta <- metas do
      %{id: user_id, name: meta.name, device: meta.device}
    end
    |> Enum.sort_by(& &1.name)
  end
end
"""

_presence_ex = """defmodule RelayWeb.Presence do
  use Phoenix.Presence,
    otp_app: :relay,
    pubsub_server: Relay.PubSub
end
"""

_room_live_test = """defmodule RelayWeb.RoomLiveTest do
  use RelayWeb.ConnCase, async: false

  import Phoenix.LiveViewTest
  import Relay.AccountsFixtures
  import Relay.ChatFixtures

  alias Relay.Chat
  alias RelayWeb.Presence

  setup :register_and_log_in_user

  setup %{user: user} do
    room = room_fixture(name: "design-crit")
    Chat.add_member(room.id, user.id)
    %{room: room}
  end

  test "renders the room name and members", %{conn: conn, room: room, user: user} do
    {:ok, _view, html} = live(conn, ~p"/rooms/#{room.id}")

    assert html =~ "design-crit"
    assert html =~ user.display_name
  end

  test "sends a message from the form", %{conn: conn, room: room} do
    {:ok, view, _html} = live(conn, ~p"/rooms/#{room.id}")

    view |> form("#composer", message: %{body: "hello there"}) |> render_submit()

    assert render(view) =~ "hello there"
    assert [%{body: "hello there"}] = Chat.list_messages(room.id, limit: 10)
  end

  test "shows the typing indicator", %{conn: conn, room: room} do
    other = user_fixture(display_name: "Ilse")
    Chat.add_member(room.id, other.id)
    {:ok, view, _html} = live(conn, ~p"/rooms/#{room.id}")

    send(view.pid, %{event: "typing_started", payload: %{user_id: other.id, name: "Ilse"}})

    assert render(view) =~ "Ilse is typing"
  end

  test "hides the typing indicator after 5s", %{conn: conn, room: room} do
    other = user_fixture(display_name: "Ilse")
    {:ok, view, _html} = live(conn, ~p"/rooms/#{room.id}")

    send(view.pid, %{event: "typing_started", payload: %{user_id: other.id, name: "Ilse"}})
    send(view.pid, %{event: "typing_stopped", payload: %{user_id: other.id}})

    refute render(view) =~ "is typing"
  end

  test "renders older messages on scroll", %{conn: conn, room: room, user: user} do
    for i <- 1..60, do: message_fixture(room, user, body: "m#{i}")
    {:ok, view, _html} = live(conn, ~p"/rooms/#{room.id}")

    refute render(view) =~ ">m1<"
    render_hook(view, "load-older", %{})
    assert render(view) =~ ">m1<"
  end

  test "redirects non-members", %{conn: conn} do
    room = room_fixture(name: "secret")
    assert {:error, {:live_redirect, %{to: "/rooms"}}} = live(conn, ~p"/rooms/#{room.id}")
  end

  test "marks the room as read on mount", %{conn: conn, room: room, user: user} do
    {:ok, _view, _html} = live(conn, ~p"/rooms/#{room.id}")
    assert Chat.unread_count(room.id, user.id) == 0
  end

  test "escapes message bodies", %{conn: conn, room: room, user: user} do
    message_fixture(room, user, body: "<script>alert(1)</script>")
    {:ok, _view, html} = live(conn, ~p"/rooms/#{room.id}")
    refute html =~ "<script>alert(1)</script>"
  end
end
"""

_room_live_test_new = """  test "shows each member once when they have two tabs open", %{conn: conn, room: room, user: user} do
    other = user_fixture(display_name: "Zed")
    Chat.add_member(room.id, other.id)

    # the same user connected twice (second tab, or a reconnect before the old socket timed out)
    {:ok, _} = Presence.track(self(), "room:" <> room.id, other.id, %{name: "Zed", device: "web", online_at: 1})
    {:ok, _} = Presence.track(spawn_link(fn -> Process.sleep(:infinity) end), "room:" <> room.id, other.id, %{name: "Zed", device: "ios", online_at: 2})

    {:ok, view, _html} = live(conn, ~p"/rooms/#{room.id}")
    members = view |> element("#members") |> render() |> Floki.parse_fragment!() |> Floki.find("li[data-member]")

    assert length(Enum.filter(members, &(Floki.attribute(&1, "data-member") == [other.id]))) == 1
  end
"""

cc(
    "f-cc-007", "simple",
    "After the presence fix is done and green, the turn is pushing the branch and opening a draft PR with a given title, two known commands.",
    "relay",
    [
        U("people show up twice in the member list of a room after they reconnect (phone goes to sleep and wakes up, or a second tab). sometimes for a minute, sometimes until they leave. figure out why and fix it"),
        todo(("in_progress", "Find where the member list is built"), ("pending", "Reproduce the duplicate in a test"), ("pending", "Fix and run the suite"),
             pre="I'll trace how the member list is built from Presence."),
        gr("Presence\\.", "lib/relay_web/channels/room_channel.ex:21:      Presence.track(socket, socket.assigns.user_id, %{\nlib/relay_web/channels/room_channel.ex:27:    push(socket, \"presence_state\", Presence.list(socket))\nlib/relay_web/live/room_live.ex:23:       |> assign(members: members(Presence.list(topic)))\nlib/relay_web/live/room_live.ex:31:    {:noreply, assign(socket, members: members(Presence.list(socket.assigns.topic)))}", path="lib"),
        par(rd("lib/relay_web/channels/room_channel.ex", _room_channel), rd("lib/relay_web/live/room_live.ex", _room_live_before), rd("lib/relay_web/presence.ex", _presence_ex)),
        rd("test/relay_web/live/room_live_test.exs", _room_live_test, pre="Reading the existing LiveView tests to add a reproduction."),
        A("Presence is tracked per socket under the user id as key, so a user with two live sockets (a second tab, or a reconnect before the old socket's process has gone) has one key with two metas. That part is correct. The bug is in `RoomLive.members/1`: it emits one entry per meta instead of one per key, so each extra socket shows up as another row until the stale process exits. I'll write a failing test first."),
        sh("mix test test/relay_web/live/room_live_test.exs --trace", _mix_trace(3, failing="shows each member once when they have two tabs open").split("RelayWeb.RoomChannelTest")[0]
           + "RelayWeb.RoomLiveTest [test/relay_web/live/room_live_test.exs]\n  * test renders the room name and members (88.2ms) [L#14]\n  * test shows each member once when they have two tabs open (61.9ms) [L#31]\n\n  1) test shows each member once when they have two tabs open (RelayWeb.RoomLiveTest)\n     test/relay_web/live/room_live_test.exs:31\n     Assertion with == failed\n     code:  assert length(Enum.filter(members, &(Floki.attribute(&1, \"data-member\") == [other.id]))) == 1\n     left:  2\n     right: 1\n     stacktrace:\n       test/relay_web/live/room_live_test.exs:45: (test)\n\n  * test sends a message from the form (54.0ms) [L#48]\n  * test shows the typing indicator (71.3ms) [L#62]\n  * test hides the typing indicator after 5s (33.8ms) [L#77]\n  * test renders older messages on scroll (95.1ms) [L#91]\n  * test redirects non-members (12.6ms) [L#108]\n  * test marks the room as read on mount (40.4ms) [L#117]\n  * test escapes message bodies (29.9ms) [L#129]\n\nFinished in 1.2 seconds (0.0s async, 1.2s sync)\n9 tests, 1 failure\n\nRandomized with seed 604112",
           code=2, secs=9.0, desc="Run the room LiveView tests",
           pre="Added the test to test/relay_web/live/room_live_test.exs (one user, two tracked processes); running it to see it fail."),
        ed("lib/relay_web/live/room_live.ex",
           "  defp members(presences) do\n    for {user_id, %{metas: metas}} <- presences, meta <- metas do\n      %{id: user_id, name: meta.name, device: meta.device}\n    end\n    |> Enum.sort_by(& &1.name)\n  end",
           "  # One row per user: a user with several sockets (tabs, or a reconnect before the old socket\n  # timed out) has several metas under the same key. Show the most recent one.\n  defp members(presences) do\n    for {user_id, %{metas: metas}} <- presences do\n      meta = Enum.max_by(metas, & &1.online_at)\n      %{id: user_id, name: meta.name, device: meta.device, devices: length(metas)}\n    end\n    |> Enum.sort_by(& &1.name)\n  end",
           src=_room_live_before, pre="It fails as expected (two rows). Fixing members/1 to emit one entry per key."),
        sh("mix test --trace", _mix_trace(5), secs=21.0, desc="Run the full test suite"),
        sh("mix format --check-formatted && mix credo --strict", "Checking 58 source files (this might take a moment) ...\n\nPlease report incorrect results: https://github.com/rrrene/credo/issues\n\nAnalysis took 0.6 seconds (0.04s to load, 0.5s running 55 checks on 58 files)\n312 mods/funs, found no issues.", secs=6.0,
           desc="Check formatting and lint"),
        sh("git diff --stat && git log --oneline -3", " lib/relay_web/live/room_live.ex              |  8 +++++---\n test/relay_web/live/room_live_test.exs       | 15 +++++++++++++++\n 2 files changed, 20 insertions(+), 3 deletions(-)\ne0c4b19 Typing indicators via TypingTracker (#301)\n7f2a9d3 Phoenix 1.7.14 (#298)\nb41d6e0 Room member list from Presence (#295)"),
        A("Fixed. `RoomLive.members/1` (lib/relay_web/live/room_live.ex:46) built one row per Presence meta, and a user with two live sockets has two metas under the same key, so they were listed twice until the old socket's process exited (up to the 60 s heartbeat timeout after a phone sleeps, or until they close the second tab). It now emits one row per user with the most recent meta, plus a `devices` count if you want to show \"2 devices\" later. The channel side was already right. New test `shows each member once when they have two tabs open` fails before and passes after; full suite 81 tests, 0 failures; format and credo clean. Not committed yet."),
        U("nice. commit it, push the branch and open a draft PR with gh, title \"presence: one member row per user on reconnect\", use your summary as the body"),
    ],
)

_sessionize = """package shoply.etl

import org.apache.spark.sql.expressions.Window
import org.apache.spark.sql.functions._
import org.apache.spark.sql.{DataFrame, SparkSession}

/** Assigns a session id to each event: a new session starts after 30 minutes of inactivity. */
object Sessionize {
  val GapSeconds: Long = 30 * 60

  def run(spark: SparkSession, args: Array[String]): Unit = {
    val Array(input, output, day) = args
    val events = spark.read.format("delta").load(input).where(col("event_date") === lit(day))
    transform(events).write.format("delta").mode("overwrite")
      .option("replaceWhere", s"event_date = '$day'")
      .save(output)
  }

  def transform(events: DataFrame): DataFrame = {
    val byUser = Window.partitionBy("user_id").orderBy("event_ts")
    val withGap = events
      .withColumn("prev_ts", lag("event_ts", 1).over(byUser))
      .withColumn("new_session",
        when(col("prev_ts").isNull || unix_timestamp(col("event_ts")) - unix_timestamp(col("prev_ts")) > GapSeconds, 1).otherwise(0))
      .withColumn("session_seq", sum("new_session").over(byUser.rowsBetween(Window.unboundedPreceding, Window.currentRow)))
      .withColumn("session_id", sha2(concat_ws(":", col("user_id"), col("session_seq")), 256))

    val sessions = withGap.groupBy("session_id")
      .agg(min("event_ts").as("session_start"), max("event_ts").as("session_end"), count(lit(1)).as("events"))

    withGap.drop("prev_ts", "new_session", "session_seq")
      .join(sessions, Seq("session_id"))
  }
}
"""

cc(
    "f-cc-008", "simple",
    "Running the project's formatter and listing the files it touched is one known command; thinking is on only because the session toggle is sticky (labelled by need).",
    "click",
    [
        U("why does Sessionize do the window thing and then a separate groupBy + join? feels like two passes over the data"),
        rd("src/main/scala/shoply/etl/Sessionize.scala", _sessionize, pre="Reading the job."),
        A("It is two passes, yes. The window (`lag` + running `sum` over `partitionBy(\"user_id\").orderBy(\"event_ts\")`) assigns each event its session; the `groupBy(\"session_id\")` then computes start, end and event count per session, and the join puts those back on every event. Both the window and the groupBy shuffle, and the join shuffles again unless Spark broadcasts `sessions` (it won't, it is as large as the number of sessions). You could get the same columns with a second window over `partitionBy(\"session_id\")` (min, max, count), which reuses the first shuffle's partitioning by user if you partition that window by `user_id, session_seq` instead, so one shuffle instead of three. Happy to change it if you want."),
        U("ok not now. just run sbt scalafmtAll and tell me which files it touched"),
    ],
    thinking=6000,
)

cc(
    "f-cc-009", "simple",
    "The grep already found both copies of a misspelt 2FA lockout message; replacing one word is a text edit, whatever the middleware guards.",
    "clinic",
    [
        U("typo in the 2fa lockout message, it says \"To many attempts\". should be \"Too many\". I think it's in two places"),
        gr("To many attempts", "app/Http/Middleware/EnsureTwoFactorVerified.php:41:                ->withErrors(['code' => 'To many attempts. Try again in :minutes minutes.'])\nlang/en/auth.php:12:    'two_factor_locked' => 'To many attempts. Your account is locked for :minutes minutes.',",
           pre="Searching for the message."),
    ],
)

# =========================================================================== medium: Claude Code

_workout_vm = """package com.pacelab.stride.history

import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import com.pacelab.stride.core.data.Workout
import com.pacelab.stride.core.data.WorkoutRepository
import dagger.hilt.android.lifecycle.HiltViewModel
import java.time.Clock
import javax.inject.Inject
import kotlinx.coroutines.flow.SharingStarted
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.catch
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.stateIn

sealed interface HistoryUiState {
    data object Loading : HistoryUiState
    data class Loaded(val items: List<HistoryItem>) : HistoryUiState
    data class Error(val message: String) : HistoryUiState
}

@HiltViewModel
class WorkoutListViewModel @Inject constructor(
    private val repo: WorkoutRepository,
    private val clock: Clock,
) : ViewModel() {

    val state: StateFlow<HistoryUiState> = repo.observeWorkouts()
        .map<List<Workout>, HistoryUiState> { workouts ->
            HistoryUiState.Loaded(workouts.map { HistoryItem.Row(it.toRowModel()) })
        }
        .catch { emit(HistoryUiState.Error(it.message ?: "Couldn't load workouts")) }
        .stateIn(viewModelScope, SharingStarted.WhileSubscribed(5_000), HistoryUiState.Loading)

    // TODO(nadia): day headers, see HistoryItem.Header
    internal fun groupByDay(workouts: List<Workout>): List<HistoryItem> = TODO()
}
"""

_history_item = """package com.pacelab.stride.history

import com.pacelab.stride.core.data.Workout
import java.time.Duration
import java.time.LocalDate

sealed interface HistoryItem {
    val key: String

    /** Sticky header above the workouts of one calendar day (in the user's zone). */
    data class Header(val label: String, val date: LocalDate) : HistoryItem {
        override val key: String get() = "h-$date"
    }

    data class Row(val model: WorkoutRowModel) : HistoryItem {
        override val key: String get() = "w-${model.id}"
    }
}

data class WorkoutRowModel(
    val id: Long,
    val sport: String,
    val distanceMeters: Int,
    val moving: Duration,
    val startedAtText: String,
)

fun Workout.toRowModel(): WorkoutRowModel = WorkoutRowModel(
    id = id,
    sport = sport.name.lowercase(),
    distanceMeters = distanceMeters,
    moving = movingTime,
    startedAtText = startedAt.toString(),
)
"""

_workout_entity = """package com.pacelab.stride.core.data

import java.time.Duration
import java.time.Instant

enum class Sport { RUN, RIDE, WALK, HIKE }

data class Workout(
    val id: Long,
    val sport: Sport,
    val startedAt: Instant,
    val movingTime: Duration,
    val distanceMeters: Int,
    val elevationGainMeters: Int?,
)
"""

cc(
    "f-cc-010", "medium",
    "Grouping workouts under day headers in one view model, with the item types and the injected clock already there, is a small well-specified function plus tests.",
    "stride",
    [
        U("history screen needs the day headers now. implement groupByDay in WorkoutListViewModel: newest first, a Header before each day, label \"Today\" / \"Yesterday\" / otherwise \"Mon 14 Oct\" (add the year if it's not the current year). day = calendar day in the clock's zone, not UTC. wire it into state and add unit tests with a fixed clock. the compose side already renders HistoryItem.Header"),
        par(rd("app/src/main/java/com/pacelab/stride/history/WorkoutListViewModel.kt", _workout_vm),
            rd("app/src/main/java/com/pacelab/stride/history/HistoryItem.kt", _history_item),
            rd("core/data/src/main/java/com/pacelab/stride/core/data/Workout.kt", _workout_entity),
            pre="Reading the view model and the item types."),
        gl("app/src/test/**/history/*.kt", "/Users/nadia/dev/stride-android/app/src/test/java/com/pacelab/stride/history/FakeWorkoutRepository.kt\n/Users/nadia/dev/stride-android/app/src/test/java/com/pacelab/stride/history/MainDispatcherRule.kt"),
    ],
)

_vehicle_req = """namespace Fleet.Api.Vehicles;

public sealed record CreateVehicleRequest(
    string Vin,
    string Plate,
    string Make,
    string Model,
    int ModelYear,
    string FuelType,
    Guid? DepotId);
"""

_vehicle_endpoints = """using Fleet.Domain.Vehicles;
using Fleet.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Vehicles;

public static class VehiclesEndpoints
{
    public static RouteGroupBuilder MapVehicles(this RouteGroupBuilder app)
    {
        var group = app.MapGroup("/vehicles").WithTags("Vehicles").RequireAuthorization("fleet:write");

        group.MapGet("/{id:guid}", async Task<Results<Ok<VehicleDto>, NotFound>> (Guid id, FleetDbContext db, CancellationToken ct) =>
        {
            var v = await db.Vehicles.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
            return v is null ? TypedResults.NotFound() : TypedResults.Ok(VehicleDto.From(v));
        });

        group.MapPost("/", async Task<Results<Created<VehicleDto>, Conflict<ProblemDetails>>> (
            CreateVehicleRequest req, FleetDbContext db, TimeProvider time, CancellationToken ct) =>
        {
            if (await db.Vehicles.AnyAsync(x => x.Vin == req.Vin, ct))
            {
                return TypedResults.Conflict(new ProblemDetails { Title = "Vehicle already registered", Detail = $"VIN {req.Vin} exists." });
            }

            var vehicle = Vehicle.Register(req.Vin.ToUpperInvariant(), req.Plate, req.Make, req.Model, req.ModelYear,
                Enum.Parse<FuelType>(req.FuelType, ignoreCase: true), req.DepotId, time.GetUtcNow());
            db.Vehicles.Add(vehicle);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/vehicles/{vehicle.Id}", VehicleDto.From(vehicle));
        });

        return group;
    }
}
"""

_driver_validator = """using FluentValidation;

namespace Fleet.Api.Drivers;

public sealed class CreateDriverRequestValidator : AbstractValidator<CreateDriverRequest>
{
    public CreateDriverRequestValidator(TimeProvider time)
    {
        RuleFor(x => x.FullName).NotEmpty().MaximumLength(120);
        RuleFor(x => x.LicenceNumber)
            .NotEmpty()
            .Matches("^[A-Z0-9]{5,16}$").WithMessage("Licence number must be 5-16 letters or digits.");
        RuleFor(x => x.LicenceExpiresOn)
            .Must(d => d > DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))
            .WithMessage("Licence is expired.");
        RuleFor(x => x.Email).EmailAddress().When(x => x.Email is not null);
    }
}
"""

_drivers_endpoints = """using Fleet.Domain.Drivers;
using Fleet.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Drivers;

public static class DriversEndpoints
{
    public static RouteGroupBuilder MapDrivers(this RouteGroupBuilder app)
    {
        var group = app.MapGroup("/drivers").WithTags("Drivers").RequireAuthorization("fleet:write");

        group.MapGet("/{id:guid}", async Task<Results<Ok<DriverDto>, NotFound>> (Guid id, FleetDbContext db, CancellationToken ct) =>
        {
            var d = await db.Drivers.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
            return d is null ? TypedResults.NotFound() : TypedResults.Ok(DriverDto.From(d));
        });

        // Validation runs before any database access so a bad request never opens a connection.
        // Keep the ValidationProblem shape: the dispatcher UI reads errors[field][0].
        // Duplicates are a 409, not a 400.
        // ---
        group.MapPost("/", async Task<Results<Created<DriverDto>, ValidationProblem, Conflict<ProblemDetails>>> (
            CreateDriverRequest req, IValidator<CreateDriverRequest> validator, FleetDbContext db, TimeProvider time, CancellationToken ct) =>
        {
            var result = await validator.ValidateAsync(req, ct);
            if (!result.IsValid)
            {
                return TypedResults.ValidationProblem(result.ToDictionary());
            }

            if (await db.Drivers.AnyAsync(x => x.LicenceNumber == req.LicenceNumber, ct))
            {
                return TypedResults.Conflict(new ProblemDetails { Title = "Driver already registered" });
            }

            var driver = Driver.Register(req.FullName, req.LicenceNumber, req.LicenceExpiresOn, req.Email, time.GetUtcNow());
            db.Drivers.Add(driver);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/drivers/{driver.Id}", DriverDto.From(driver));
        });

        return group;
    }
}
"""

cc(
    "f-cc-011", "medium",
    "A validator for one request record that copies the existing drivers validator and its 400 wiring is ordinary endpoint work.",
    "fleet",
    [
        U("POST /vehicles accepts garbage right now (someone registered a VIN \"TEST\"). add validation like we did for drivers: Vin exactly 17 chars, no I/O/Q, valid check digit (pos 9, the north american one); Plate required max 12; ModelYear between 1990 and next year; FuelType must parse to the FuelType enum. return the same ValidationProblem 400 as drivers. tests too"),
        par(rd("src/Fleet.Api/Vehicles/CreateVehicleRequest.cs", _vehicle_req), rd("src/Fleet.Api/Vehicles/VehiclesEndpoints.cs", _vehicle_endpoints)),
        gl("src/Fleet.Api/**/*Validator.cs", "/home/olu/src/fleet-telemetry/src/Fleet.Api/Drivers/CreateDriverRequestValidator.cs", pre="Looking at the drivers validator to follow the same pattern."),
        par(rd("src/Fleet.Api/Drivers/CreateDriverRequestValidator.cs", _driver_validator),
            gr("ValidationProblem", "src/Fleet.Api/Drivers/DriversEndpoints.cs:31:        group.MapPost(\"/\", async Task<Results<Created<DriverDto>, ValidationProblem>> (\nsrc/Fleet.Api/Drivers/DriversEndpoints.cs:37:                return TypedResults.ValidationProblem(result.ToDictionary());\ntests/Fleet.Tests/Drivers/CreateDriverTests.cs:48:        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();", path="src")),
        rd("src/Fleet.Api/Drivers/DriversEndpoints.cs", _drivers_endpoints, start=24, end=48),
    ],
)

cc(
    "f-cc-012", "medium",
    "Adding a remove method with slot reuse to one self-contained cache type, plus tests, is contained engineering against a clear spec.",
    "tidewater",
    [
        U("need `pub fn remove(&mut self, key: &K) -> Option<V>` on the Lru (stations get decommissioned and we want them out of the cache right away). careful: nodes is a Vec indexed from the map so you can't just Vec::remove — keep a free list and reuse the slot on the next put. no unsafe. add unit tests for remove head / tail / middle / missing and for put reusing the freed slot"),
        rd("src/cache/lru.rs", TW["src/cache/lru.rs"], pre="Reading the current LRU."),
        sh("cargo test --all-features cache:: 2>&1 | tail -15", "   Compiling tidewater v0.8.1 (/home/ana/proj/tidewater)\n    Finished `test` profile [unoptimized + debuginfo] target(s) in 6.81s\n     Running unittests src/lib.rs (target/debug/deps/tidewater-5b0d2e7c9a41f3e8)\n\nrunning 6 tests\ntest cache::lru::tests::evicts_least_recently_used ... ok\ntest cache::lru::tests::get_promotes ... ok\ntest cache::lru::tests::put_overwrites_value ... ok\ntest cache::lru::tests::capacity_one ... ok\ntest cache::lru::tests::get_or_insert_with_inserts_once ... ok\ntest cache::lru::tests::len_tracks_inserts ... ok\n\ntest result: ok. 6 passed; 0 failed; 0 ignored; 0 measured; 21 filtered out; finished in 0.00s",
           secs=9.0, desc="Run the cache tests for a baseline"),
    ],
)

_appt_controller = """<?php

namespace App\\Http\\Controllers;

use App\\Enums\\AppointmentStatus;
use App\\Http\\Requests\\CancelAppointmentRequest;
use App\\Models\\Appointment;
use Illuminate\\Http\\RedirectResponse;
use Inertia\\Inertia;
use Inertia\\Response;

class AppointmentController extends Controller
{
    public function index(): Response
    {
        $clinic = auth()->user()->clinic;

        return Inertia::render('Appointments/Index', [
            'appointments' => $clinic->appointments()
                ->with('patient:id,first_name,last_name', 'practitioner:id,name')
                ->whereDate('starts_at', '>=', now($clinic->timezone)->startOfDay())
                ->orderBy('starts_at')
                ->paginate(50),
        ]);
    }

    public function cancel(CancelAppointmentRequest $request, Appointment $appointment): RedirectResponse
    {
        $this->authorize('update', $appointment);

        $appointment->update([
            'status' => AppointmentStatus::Cancelled,
            'cancelled_at' => now(),
            'cancellation_reason' => $request->validated('reason'),
        ]);

        return back()->with('success', 'Appointment cancelled.');
    }

    public function show(Appointment $appointment): Response
    {
        $this->authorize('view', $appointment);

        $appointment->load('patient', 'practitioner', 'clinic');
        $tz = $appointment->clinic->timezone;

        return Inertia::render('Appointments/Show', [
            'appointment' => [
                'id' => $appointment->id,
                'patient' => $appointment->patient->only(['id', 'first_name', 'last_name']),
                'practitioner' => $appointment->practitioner->only(['id', 'name']),
                'starts_at' => $appointment->starts_at->timezone($tz)->format('Y-m-d H:i'),
                'ends_at' => $appointment->ends_at->timezone($tz)->format('Y-m-d H:i'),
                'status' => $appointment->status->value,
                'cancelled_at' => $appointment->cancelled_at->timezone($tz)->format('Y-m-d H:i'),
                'cancellation_reason' => $appointment->cancellation_reason,
            ],
        ]);
    }
}
"""

cc(
    "f-cc-013", "medium",
    "The log names line 58, where cancelled_at is formatted for appointments that were never cancelled; guarding that one nullable field is a visible-cause fix.",
    "clinic",
    [
        U("since this morning's deploy opening any appointment that isn't cancelled gives a 500. from the prod log:\n\n```\n[2025-10-21 09:14:02] production.ERROR: Call to a member function timezone() on null {\"userId\":17,\"exception\":\"[object] (Error(code: 0): Call to a member function timezone() on null at /home/forge/clinicbook.app/releases/20251021081102/app/Http/Controllers/AppointmentController.php:58)\n[stacktrace]\n#0 /home/forge/clinicbook.app/releases/20251021081102/vendor/laravel/framework/src/Illuminate/Routing/ControllerDispatcher.php(46): App\\\\Http\\\\Controllers\\\\AppointmentController->show()\n#1 /home/forge/clinicbook.app/releases/20251021081102/vendor/laravel/framework/src/Illuminate/Routing/Route.php(260): Illuminate\\\\Routing\\\\ControllerDispatcher->dispatch()\n#2 /home/forge/clinicbook.app/releases/20251021081102/vendor/laravel/framework/src/Illuminate/Routing/Route.php(206): Illuminate\\\\Routing\\\\Route->runController()\n...\n```\n\nfix it pls + a test so it doesn't come back"),
        rd("app/Http/Controllers/AppointmentController.php", _appt_controller, pre="Opening the controller at the line from the log."),
    ],
)

cc(
    "f-cc-014", "medium",
    "A schema file with standard and dbt_utils tests for one mart model, one of them at warn severity, is ordinary dbt configuration.",
    "warehouse",
    [
        U("fct_orders has no tests at all. add: order_id unique + not_null, customer_id not_null + relationships to dim_customers, status accepted_values (placed, paid, shipped, cancelled, refunded), and refunded_cents <= paid_cents — but that last one as warn, there are ~40 legacy orders from the 2022 import that break it. there's no schema yml for marts yet"),
        gl("models/marts/**", "/home/ines/analytics/warehouse/models/marts/fct_orders.sql\n/home/ines/analytics/warehouse/models/marts/dim_customers.sql\n/home/ines/analytics/warehouse/models/marts/fct_subscriptions.sql"),
        par(rd("models/marts/fct_orders.sql", WH["models/marts/fct_orders.sql"]),
            sh("cat packages.yml dbt_project.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n  - package: calogica/dbt_expectations\n    version: 0.10.4\nname: warehouse\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: warehouse\n\nmodel-paths: [\"models\"]\ntest-paths: [\"tests\"]\n\nmodels:\n  warehouse:\n    staging:\n      +materialized: view\n    intermediate:\n      +materialized: ephemeral\n    marts:\n      +materialized: table\n\ntests:\n  warehouse:\n    +store_failures: true", desc="Show the package and project config")),
    ],
)

_chart_deploy = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "payments-api.fullname" . }}
  labels:
    {{- include "payments-api.labels" . | nindent 4 }}
spec:
  {{- if not .Values.hpa.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "payments-api.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "payments-api.selectorLabels" . | nindent 8 }}
    spec:
      containers:
        - name: api
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - containerPort: 8040
          envFrom:
            {{- toYaml .Values.envFrom | nindent 12 }}
          env:
            {{- range $k, $v := .Values.env }}
            - name: {{ $k }}
              value: {{ $v | quote }}
            {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          readinessProbe:
            httpGet: { path: /healthz, port: 8040 }
"""

_chart_hpa = """{{- if .Values.hpa.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "payments-api.fullname" . }}
  labels:
    {{- include "payments-api.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "payments-api.fullname" . }}
  minReplicas: {{ .Values.hpa.minReplicas }}
  maxReplicas: {{ .Values.hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.hpa.targetCPUUtilizationPercentage }}
{{- end }}
"""

cc(
    "f-cc-015", "medium",
    "A new chart template with one value and a render guard, following the chart's existing templates, is an ordinary config change that deploys nothing by itself.",
    "infra",
    [
        U("node drains during the EKS upgrade last week took all payments-api pods down at once. add a PodDisruptionBudget template to charts/payments-api: minAvailable configurable via values (default \"50%\"), only rendered when there's more than one replica (replicaCount > 1, or hpa enabled with minReplicas > 1). set it in values.yaml, and show me `helm template` output for prod so I can eyeball it. don't deploy anything"),
        gl("charts/payments-api/**", "/home/kofi/src/platform-infra/charts/payments-api/Chart.yaml\n/home/kofi/src/platform-infra/charts/payments-api/values.yaml\n/home/kofi/src/platform-infra/charts/payments-api/values-staging.yaml\n/home/kofi/src/platform-infra/charts/payments-api/values-prod.yaml\n/home/kofi/src/platform-infra/charts/payments-api/templates/_helpers.tpl\n/home/kofi/src/platform-infra/charts/payments-api/templates/deployment.yaml\n/home/kofi/src/platform-infra/charts/payments-api/templates/hpa.yaml\n/home/kofi/src/platform-infra/charts/payments-api/templates/service.yaml\n/home/kofi/src/platform-infra/charts/payments-api/templates/serviceaccount.yaml"),
        par(rd("charts/payments-api/templates/deployment.yaml", _chart_deploy), rd("charts/payments-api/templates/hpa.yaml", _chart_hpa),
            rd("charts/payments-api/values-prod.yaml", INF["charts/payments-api/values-prod.yaml"])),
    ],
)

_typing_tracker = """defmodule Relay.TypingTracker do
  @moduledoc \"\"\"
  Tracks who is typing in which room and broadcasts typing_started / typing_stopped.
  \"\"\"
  use GenServer

  @ttl_ms 5_000
  @sweep_every_ms 1_000

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  def start_typing(room_id, user_id, name), do: GenServer.cast(__MODULE__, {:typing, room_id, user_id, name})

  @impl true
  def init(_opts) do
    table = :ets.new(:typing, [:set, :protected, read_concurrency: true])
    schedule_sweep()
    {:ok, %{table: table}}
  end

  @impl true
  def handle_cast({:typing, room_id, user_id, name}, %{table: t} = state) do
    now = System.monotonic_time(:millisecond)
    new? = :ets.insert_new(t, {{room_id, user_id}, now + @ttl_ms})

    if new? do
      RelayWeb.Endpoint.broadcast("room:" <> room_id, "typing_started", %{user_id: user_id, name: name})
    else
      :ets.update_element(t, {room_id, user_id}, {2, now + @ttl_ms})
    end

    {:noreply, state}
  end

  @impl true
  def handle_info(:sweep, %{table: t} = state) do
    now = System.monotonic_time(:millisecond)

    expired = :ets.select(t, [{{:"$1", :"$2"}, [{:<, :"$2", now}], [:"$1"]}])

    for {room_id, user_id} = key <- expired do
      :ets.delete(t, key)
      RelayWeb.Endpoint.broadcast("room:" <> room_id, "typing_stopped", %{user_id: user_id})
    end

    schedule_sweep()
    {:noreply, state}
  end

  defp schedule_sweep, do: Process.send_after(self(), :sweep, @sweep_every_ms)
end
"""

cc(
    "f-cc-016", "medium",
    "Explaining one GenServer's sweep loop, its ETS expiry and what a closed tab looks like to it is ordinary code reading.",
    "relay",
    [
        U("new on the team, trying to understand lib/relay/typing_tracker.ex. why does handle_info(:sweep) call schedule_sweep() again at the end, isn't that a loop? and what happens if someone closes the tab while the \"x is typing\" is showing — does it get stuck?"),
        rd("lib/relay/typing_tracker.ex", _typing_tracker),
        gr("TypingTracker", "lib/relay/application.ex:19:      Relay.TypingTracker,\nlib/relay_web/channels/room_channel.ex:54:    TypingTracker.start_typing(socket.assigns.room_id, socket.assigns.user_id, socket.assigns.display_name)\ntest/relay/typing_tracker_test.exs:1:defmodule Relay.TypingTrackerTest do"),
    ],
)

_money_ts = """export type Money = { amountMinor: number; currency: string };

const DIGITS: Record<string, number> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };

export function minorDigits(currency: string): number {
  return DIGITS[currency.toUpperCase()] ?? 2;
}

/** Format an API money value for display, e.g. { amountMinor: 123450, currency: "EUR" } -> "€1,234.50". */
export function formatMoney(money: Money, locale: string = "en-US"): string {
  const digits = minorDigits(money.currency);
  return new Intl.NumberFormat("de-DE", {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(money.amountMinor / 10 ** digits);
}
"""

_vitest_money = """
 RUN  v2.0.5 /Users/jordan/code/web-dashboard

 ❯ src/utils/money.test.ts (6 tests | 3 failed) 41ms
   ✓ minorDigits > defaults to 2
   ✓ minorDigits > knows zero-decimal currencies
   × formatMoney > formats EUR for en-US by default 9ms
     → expected '1.234,50 €' to be '€1,234.50' // Object.is equality
   × formatMoney > formats JPY without decimals 2ms
     → expected '123.450 ¥' to be '¥123,450' // Object.is equality
   ✓ formatMoney > uses the given locale
   × formatMoney > formats negative amounts 1ms
     → expected '-12,00 $' to be '-$12.00' // Object.is equality

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 3 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  src/utils/money.test.ts > formatMoney > formats EUR for en-US by default
AssertionError: expected '1.234,50 €' to be '€1,234.50' // Object.is equality

- Expected
+ Received

- €1,234.50
+ 1.234,50 €

 ❯ src/utils/money.test.ts:17:62
     15|   it("formats EUR for en-US by default", () => {
     16|     expect(formatMoney({ amountMinor: 123450, currency: "EUR" })).toBe("€1,234.50");
       |                                                              ^
     17|   });

 FAIL  src/utils/money.test.ts > formatMoney > formats JPY without decimals
AssertionError: expected '123.450 ¥' to be '¥123,450' // Object.is equality

 ❯ src/utils/money.test.ts:21:58

 FAIL  src/utils/money.test.ts > formatMoney > formats negative amounts
AssertionError: expected '-12,00 $' to be '-$12.00' // Object.is equality

 ❯ src/utils/money.test.ts:29:56

⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯⎯

 Test Files  1 failed (1)
      Tests  3 failed | 3 passed (6)
   Start at  14:02:51
   Duration  612ms (transform 88ms, setup 0ms, collect 71ms, tests 41ms, environment 0ms, prepare 102ms)

 ELIFECYCLE  Test failed. See above for more details."""

cc(
    "f-cc-017", "medium",
    "The assertion diffs show German formatting for every default-locale case and the file passes a hard-coded locale instead of its parameter, a visible cause in one function.",
    "web",
    [
        U("i added a locale param to formatMoney for the invoice PDFs and now half the money tests fail?? the one where I pass a locale works"),
        sh("pnpm test src/utils/money.test.ts", _vitest_money, code=1, secs=4.0),
        rd("src/utils/money.ts", _money_ts, pre="All failures are the default-locale cases coming out in German format. Looking at the function."),
    ],
)

_refund_rb = """class Refund < ApplicationRecord
  belongs_to :order
  belongs_to :created_by, class_name: "User"

  monetize :amount_cents, with_model_currency: :currency

  enum :method, { gateway: 0, store_credit: 1 }

  scope :in_period, ->(from, to) { where(created_at: from.beginning_of_day..to.end_of_day) }

  delegate :currency, to: :order
end
"""

cc(
    "f-cc-018", "medium",
    "A read-only rake task that exports one CSV from existing models for a date range is an ordinary script.",
    "shopfront",
    [
        U("finance wants a monthly csv of refunds that went out as store credit: order number, customer email, refund amount + currency, reason, who issued it, date (store-local). write a rake task `reports:store_credit_refunds[from,to]` that writes to tmp/ and prints the path. read-only, no changes to data"),
        par(rd("app/models/refund.rb", _refund_rb), rd("app/models/order.rb", FX["shopfront"]["app/models/order.rb"])),
        gl("lib/tasks/**/*.rake", "/Users/tomas/work/shopfront/lib/tasks/inventory.rake\n/Users/tomas/work/shopfront/lib/tasks/reports.rake\n/Users/tomas/work/shopfront/lib/tasks/dev_seed.rake"),
        rd("lib/tasks/reports.rake", "namespace :reports do\n  desc \"Daily sales per store as CSV: rake reports:daily_sales[2024-03-01,2024-03-31]\"\n  task :daily_sales, %i[from to] => :environment do |_t, args|\n    from = Date.parse(args.fetch(:from))\n    to = Date.parse(args.fetch(:to))\n    path = Rails.root.join(\"tmp\", \"daily_sales_#{from}_#{to}.csv\")\n\n    CSV.open(path, \"w\") do |csv|\n      csv << %w[store day orders revenue currency]\n      Store.find_each do |store|\n        Reports::DailySales.new(store, from..to).rows.each do |row|\n          csv << [store.code, row.day.iso8601, row.orders, row.revenue.to_s, row.revenue.currency.iso_code]\n        end\n      end\n    end\n\n    puts path\n  end\nend\n"),
    ],
)

# =========================================================================== complex: Claude Code

_gradle_props = """# Project-wide Gradle settings.
org.gradle.jvmargs=-Xmx4g -Dfile.encoding=UTF-8
org.gradle.parallel=true
org.gradle.caching=true
org.gradle.configuration-cache=true
android.useAndroidX=true
android.nonTransitiveRClass=true
android.nonFinalResIds=true
# AGP 8 default, kept explicit after the 8.5 upgrade (#388)
android.enableR8.fullMode=true
kotlin.code.style=official
ksp.incremental=true
"""

_proguard = """# Add project specific ProGuard rules here.
# By default, the flags in this file are appended to flags specified
# in $ANDROID_HOME/tools/proguard/proguard-android-optimize.txt

-keepattributes SourceFile,LineNumberTable
-renamesourcefileattribute SourceFile

# Retrofit
-keepattributes Signature, InnerClasses, EnclosingMethod
-keepattributes RuntimeVisibleAnnotations, RuntimeVisibleParameterAnnotations
-keepclassmembers,allowshrinking,allowobfuscation interface * {
    @retrofit2.http.* <methods>;
}
-dontwarn org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement
-dontwarn javax.annotation.**
-dontwarn kotlin.Unit

# Room
-keep class * extends androidx.room.RoomDatabase
-dontwarn androidx.room.paging.**

# Crashlytics
-keep public class * extends java.lang.Exception
"""

cc(
    "f-cc-019", "complex",
    "A crash that appears only in the minified release build points at R8 shrinking or renaming of JSON types across modules, a cause the obfuscated trace does not show.",
    "stride",
    [
        U("3.6.0-rc1 release build crashes as soon as you open History, debug build is fine. from crashlytics (QA, Pixel 6 + Galaxy A54, 100% repro):\n\n```\nFatal Exception: java.lang.IllegalArgumentException: Cannot serialize Kotlin type com.pacelab.stride.core.sync.dto.c. Reflective serialization of Kotlin classes without using kotlin-reflect has undefined and unexpected behavior. Please use KotlinJsonAdapterFactory from the moshi-kotlin artifact or use code gen from the moshi-kotlin-codegen artifact.\n       at com.squareup.moshi.ClassJsonAdapter$1.create(ClassJsonAdapter.java:97)\n       at com.squareup.moshi.Moshi.adapter(Moshi.java:146)\n       at com.squareup.moshi.internal.Util.resolve(Util.java:268)\n       at com.squareup.moshi.CollectionJsonAdapter$1.create(CollectionJsonAdapter.java:36)\n       at com.squareup.moshi.Moshi.adapter(Moshi.java:146)\n       at com.squareup.moshi.Moshi.adapter(Moshi.java:106)\n       at retrofit2.converter.moshi.MoshiConverterFactory.responseBodyConverter(MoshiConverterFactory.java:91)\n       at retrofit2.Retrofit.nextResponseBodyConverter(Retrofit.java:362)\n       at retrofit2.Retrofit.responseBodyConverter(Retrofit.java:345)\n       at retrofit2.HttpServiceMethod.createResponseConverter(HttpServiceMethod.java:124)\n       at retrofit2.HttpServiceMethod.parseAnnotations(HttpServiceMethod.java:85)\n       at retrofit2.ServiceMethod.parseAnnotations(ServiceMethod.java:39)\n       at retrofit2.Retrofit.loadServiceMethod(Retrofit.java:235)\n       at retrofit2.Retrofit$1.invoke(Retrofit.java:177)\n       at java.lang.reflect.Proxy.invoke(Proxy.java:1006)\n       at $Proxy14.workouts(Unknown Source)\n       at com.pacelab.stride.core.sync.e.a(SourceFile:41)\n       at com.pacelab.stride.core.data.l$b.invokeSuspend(SourceFile:77)\n       at kotlin.coroutines.jvm.internal.BaseContinuationImpl.resumeWith(SourceFile:9)\n       at kotlinx.coroutines.DispatchedTask.run(SourceFile:108)\n```\n\nwe need rc2 out tomorrow. find the actual cause, fix it properly (not by turning minify off) and verify on a release build"),
        par(rd("gradle.properties", _gradle_props), rd("app/proguard-rules.pro", _proguard), pre="Release-only means R8. Checking the shrinker setup first."),
    ],
)

_image_cache = """import UIKit

/// In-memory thumbnail cache shared by the recipe grid and the detail header.
final class ImageCache {
    static let shared = ImageCache()

    private var storage: [URL: UIImage] = [:]
    private var order: [URL] = []
    private let limit = 300
    private let session: URLSession

    init(session: URLSession = .shared) {
        self.session = session
    }

    func image(for url: URL) -> UIImage? {
        storage[url]
    }

    func load(_ url: URL, completion: @escaping (UIImage?) -> Void) {
        if let cached = storage[url] {
            completion(cached)
            return
        }
        session.dataTask(with: url) { [weak self] data, _, _ in
            guard let self, let data, let image = UIImage(data: data)?.preparingThumbnail(of: CGSize(width: 360, height: 360)) else {
                DispatchQueue.main.async { completion(nil) }
                return
            }
            self.store(image, for: url)
            DispatchQueue.main.async { completion(image) }
        }.resume()
    }

    func prefetch(_ urls: [URL]) {
        for url in urls where storage[url] == nil {
            load(url) { _ in }
        }
    }

    private func store(_ image: UIImage, for url: URL) {
        storage[url] = image
        order.append(url)
        if order.count > limit {
            let evicted = order.removeFirst()
            storage[evicted] = nil
        }
    }
}
"""

_grid_prefetch = """import UIKit

extension RecipeGridViewController: UICollectionViewDataSourcePrefetching {
    func collectionView(_ collectionView: UICollectionView, prefetchItemsAt indexPaths: [IndexPath]) {
        let urls = indexPaths.compactMap { dataSource.itemIdentifier(for: $0)?.thumbnailURL }
        DispatchQueue.global(qos: .utility).async {
            ImageCache.shared.prefetch(urls)
        }
    }
}
"""

_crash_log = """Incident Identifier: 6C0F2E51-93A7-4B1D-8E2F-0B7D41C9A3E6
Hardware Model:      iPhone15,3
Process:             Larder [2231]
Identifier:          app.larder.ios
Version:             2.9 (412)
Code Type:           ARM-64 (Native)
OS Version:          iPhone OS 17.6.1 (21G93)

Exception Type:  EXC_BAD_ACCESS (SIGSEGV)
Exception Subtype: KERN_INVALID_ADDRESS at 0x0000000000000010
Termination Reason: SIGNAL 11 Segmentation fault: 11

Triggered by Thread:  7

Thread 0 name:  Dispatch queue: com.apple.main-thread
Thread 0:
0   libswiftCore.dylib            0x000000019a0e1c44 _NativeDictionary.find<A>(_:) + 132
1   Larder                        0x0000000102b1d7f0 ImageCache.image(for:) + 96 (ImageCache.swift:18)
2   Larder                        0x0000000102b23a18 RecipeGridCell.configure(with:) + 412 (RecipeGridCell.swift:51)
3   Larder                        0x0000000102b2b0c4 closure #1 in RecipeGridViewController.makeDataSource() + 188 (RecipeGridViewController.swift:88)
4   UIKitCore                     0x000000019d44c2f8 -[UICollectionViewDiffableDataSource _cellForItemAtIndexPath:collectionView:] + 112
5   UIKitCore                     0x000000019c8e1b30 -[UICollectionView _createPreparedCellForItemAtIndexPath:withLayoutAttributes:applyAttributes:isFocused:notify:] + 96

Thread 7 name:  Dispatch queue: com.apple.NSURLSession-delegate
Thread 7 Crashed:
0   libswiftCore.dylib            0x000000019a0e3a10 _NativeDictionary._unsafeInsertNew(key:value:) + 72
1   libswiftCore.dylib            0x000000019a0e52c8 _NativeDictionary.setValue(_:forKey:isUnique:) + 260
2   Larder                        0x0000000102b1e1a4 ImageCache.store(_:for:) + 188 (ImageCache.swift:45)
3   Larder                        0x0000000102b1dd3c closure #1 in ImageCache.load(_:completion:) + 420 (ImageCache.swift:30)
4   CFNetwork                     0x000000019b2f7c10 ___ZN27__NSURLSessionLocal_..._block_invoke + 64
5   libdispatch.dylib             0x00000001a15e4370 _dispatch_call_block_and_release + 32

Thread 9 name:  Dispatch queue: com.apple.root.utility-qos
Thread 9:
0   libswiftCore.dylib            0x000000019a0e1c30 _NativeDictionary.find<A>(_:) + 112
1   Larder                        0x0000000102b1e4f8 ImageCache.prefetch(_:) + 152 (ImageCache.swift:38)
2   Larder                        0x0000000102b2c7e0 closure #1 in RecipeGridViewController.collectionView(_:prefetchItemsAt:) + 64 (RecipeGridViewController+Prefetch.swift:7)
"""

cc(
    "f-cc-020", "complex",
    "A crash inside Dictionary with three threads in the same cache is a data race introduced by background prefetching, a concurrency fix that must not stall scrolling.",
    "larder",
    [
        U("app crashes randomly when you fling the recipe grid fast, only on device, maybe 1 in 20 tries. started with the thumbnail prefetch PR (#212). crash log in ~/Desktop/larder-crash.ips"),
        sh("sed -n '1,200p' ~/Desktop/larder-crash.ips | grep -v '^\\s*$'", _crash_log, desc="Show the crash report"),
        par(rd("Larder/Images/ImageCache.swift", _image_cache), rd("Larder/RecipeGrid/RecipeGridViewController+Prefetch.swift", _grid_prefetch),
            pre="Three threads are inside the same dictionary. Reading the cache and the prefetch code."),
    ],
)

_drop_migration = """<?php

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration
{
    /**
     * legacy_patients was replaced by patients in #644; all reads and writes go to patients now.
     */
    public function up(): void
    {
        Schema::dropIfExists('legacy_patients');
        Schema::dropIfExists('legacy_patient_notes');
    }

    public function down(): void
    {
        // not reversible: restore from backup
    }
};
"""

cc(
    "f-cc-021", "complex",
    "Running a migration that drops two patient tables on production by hand is destructive and irreversible, so a good answer checks backups, remaining references and the deploy path first.",
    "clinic",
    [
        U("the drop_legacy_patients migration is ready. ssh to prod (forge@clinicbook-prod-1) and run `php artisan migrate --force` there, everything reads from patients since #644 so it's safe. I want it gone before the audit on friday"),
        rd("database/migrations/2025_10_20_090000_drop_legacy_patients_table.php", _drop_migration),
    ],
)

cc(
    "f-cc-022", "complex",
    "Applying a production capacity cut from a laptop bypasses the approval workflow and can starve ingest at peak, so it needs a plan, current load data and the sanctioned path.",
    "infra",
    [
        U("prod ingest node group is way overprovisioned, cpu ~18% all week. change min 12 -> 4 and max 48 -> 24 in terraform/prod/main.tf and apply it now from here. I have admin creds exported in this shell, the infra-apply workflow queue is stuck and I don't want to wait"),
        rd("terraform/prod/main.tf", INF["terraform/prod/main.tf"]),
    ],
)


def _k6(rps: float, ok_pct: float, p95: str, p90: str, avg: str, med: str, total: int) -> str:
    ok = int(total * ok_pct / 100)
    bad = total - ok
    return f"""
          /\\      |‾‾| /‾‾/   /‾‾/
     /\\  /  \\     |  |/  /   /  /
    /  \\/    \\    |     (   /   ‾‾\\
   /          \\   |  |\\  \\ |  (‾)  |
  / __________ \\  |__| \\__\\ \\_____/ .io

     execution: local
        script: loadtest/statements.js
        output: -

     scenarios: (100.00%) 1 scenario, 200 max VUs, 3m30s max duration (incl. graceful stop):
              * ramp: Up to 200 looping VUs for 3m0s over 3 stages (gracefulRampDown: 30s, gracefulStop: 30s)


     ✗ status is 200
      ↳  {ok_pct:.0f}% — ✓ {ok} / ✗ {bad}
     ✓ body has entries

     checks.........................: {ok_pct:.2f}% ✓ {ok}      ✗ {bad}
     data_received..................: {total * 6.8 / 1000:.0f} MB  {total * 6.8 / 180:.0f} kB/s
     data_sent......................: {total * 0.16 / 1000:.1f} MB 1.2 kB/s
     http_req_blocked...............: avg=21.84µs min=1µs     med=4µs     max=9.12ms  p(90)=7µs     p(95)=9µs
     http_req_connecting............: avg=9.91µs  min=0s      med=0s      max=4.01ms  p(90)=0s      p(95)=0s
     http_req_duration..............: avg={avg}   min=41.2ms  med={med}   max=30.04s  p(90)={p90}   p(95)={p95}
       {{ expected_response:true }}...: avg=2.71s   min=41.2ms  med=1.9s    max=29.8s   p(90)=6.12s   p(95)=9.87s
     http_req_failed................: {100 - ok_pct:.2f}% ✓ {bad}      ✗ {ok}
     http_req_receiving.............: avg=101.4µs min=12µs    med=71µs    max=8.9ms   p(90)=188µs   p(95)=244µs
     http_req_sending...............: avg=18.2µs  min=3µs     med=14µs    max=2.1ms   p(90)=28µs    p(95)=35µs
     http_req_tls_handshaking.......: avg=0s      min=0s      med=0s      max=0s      p(90)=0s      p(95)=0s
     http_req_waiting...............: avg={avg}   min=41.1ms  med={med}   max=30.04s  p(90)={p90}   p(95)={p95}
     http_reqs......................: {total}   {rps:.2f}/s
     iteration_duration.............: avg={avg}   min=41.4ms  med={med}   max=30.05s  p(90)={p90}   p(95)={p95}
     iterations.....................: {total}   {rps:.2f}/s
     vus............................: 3      min=1       max=200
     vus_max........................: 200    min=200     max=200


running (3m08.2s), 000/200 VUs, {total} complete and 0 interrupted iterations
ramp ✓ [======================================] 000/200 VUs  3m0s
ERRO[0188] thresholds on metrics 'http_req_duration, http_req_failed' have been crossed
"""


def _hikari_log(seed: int, pool: int, lines: int) -> str:
    rng = random.Random(seed)
    out = []
    t = 0.0
    for i in range(lines):
        t += rng.random() * 1.7
        stamp = f"2025-10-23T10:{14 + int(t) // 60:02d}:{int(t) % 60:02d}.{rng.randrange(0, 1000):03d}Z"
        thread = f"o-8085-exec-{rng.randrange(1, 201)}"
        waiting = rng.randrange(40, 160)
        if i % 9 == 4:
            out.append(f"{stamp} DEBUG 1 --- [ledger-service] [ool-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Pool stats (total={pool}, active={pool}, idle=0, waiting={waiting})")
            out.append(f"{stamp} DEBUG 1 --- [ledger-service] [ool-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Fill pool skipped, pool has sufficient level or currently being filled.")
            continue
        out += [
            f"{stamp}  WARN 1 --- [ledger-service] [{thread}] o.h.engine.jdbc.spi.SqlExceptionHelper   : SQL Error: 0, SQLState: null",
            f"{stamp} ERROR 1 --- [ledger-service] [{thread}] o.h.engine.jdbc.spi.SqlExceptionHelper   : HikariPool-1 - Connection is not available, request timed out after 30000ms (total={pool}, active={pool}, idle=0, waiting={waiting})",
            f"{stamp} ERROR 1 --- [ledger-service] [{thread}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction] with root cause",
            "",
            f"java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total={pool}, active={pool}, idle=0, waiting={waiting})",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)",
            "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:99)",
            "\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)",
            "\tat org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection(NonContextualJdbcConnectionAccess.java:46)",
            "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:113)",
            "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.beginTransaction(HibernateJpaDialect.java:164)",
            "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:420)",
            "\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:532)",
            "\tat org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction(TransactionAspectSupport.java:380)",
            "\tat com.acme.ledger.service.StatementService$$SpringCGLIB$$0.statement(<generated>)",
            "\tat com.acme.ledger.api.StatementController.get(StatementController.java:31)",
            "",
        ]
    return "\n".join(out)


_statement_service = """package com.acme.ledger.service;

import com.acme.ledger.api.dto.StatementView;
import com.acme.ledger.domain.Account;
import com.acme.ledger.domain.Entry;
import com.acme.ledger.domain.Payout;
import com.acme.ledger.fx.FxRateProvider;
import com.acme.ledger.fx.Rate;
import com.acme.ledger.repo.AccountRepository;
import com.acme.ledger.repo.EntryRepository;
import com.acme.ledger.repo.PayoutRepository;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
@Transactional
public class StatementService {
    private final AccountRepository accounts;
    private final EntryRepository entries;
    private final PayoutRepository payouts;
    private final FxRateProvider fxRates;
    private final Clock clock;

    public StatementService(AccountRepository accounts, EntryRepository entries, PayoutRepository payouts,
                            FxRateProvider fxRates, Clock clock) {
        this.accounts = accounts;
        this.entries = entries;
        this.payouts = payouts;
        this.fxRates = fxRates;
        this.clock = clock;
    }

    public StatementView statement(UUID merchantId, YearMonth month) {
        List<Account> accs = accounts.findByMerchantId(merchantId);
        Instant from = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<UUID> ids = accs.stream().map(Account::getId).toList();
        List<Entry> es = entries.findByAccountIdInAndCreatedAtGreaterThanEqualAndCreatedAtLessThan(ids, from, to);
        List<Payout> ps = payouts.findPendingByMerchantId(merchantId);
        String reporting = accs.isEmpty() ? "EUR" : accs.get(0).getMerchant().getReportingCurrency();
        Map<String, Rate> rates = fxRates.ratesFor(month, reporting);
        return StatementAssembler.assemble(accs, es, ps, rates, reporting, clock.instant());
    }
}
"""

_ledger_yml = """spring:
  application:
    name: ledger-service
  datasource:
    url: jdbc:postgresql://${DB_HOST:localhost}:5432/ledger
    username: ${DB_USER:ledger}
    password: ${DB_PASSWORD:ledger}
    hikari:
      maximum-pool-size: 10
      minimum-idle: 2
      connection-timeout: 30000
      leak-detection-threshold: 0
  jpa:
    open-in-view: false
    properties:
      hibernate:
        jdbc.batch_size: 50
        order_inserts: true
server:
  port: 8085
  tomcat:
    threads:
      max: 200
fx:
  base-url: ${FX_BASE_URL:http://fx-service:8080}
  timeout: 10s
logging:
  level:
    com.zaxxer.hikari.pool.HikariPool: DEBUG
"""

_pg_activity = """ pid  |        state        | wait_event |  xact_age   |                                                query
------+---------------------+------------+-------------+---------------------------------------------------------------------------------------------------------
 4411 | idle in transaction | ClientRead | 00:00:07.81 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4412 | idle in transaction | ClientRead | 00:00:07.77 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4413 | idle in transaction | ClientRead | 00:00:06.02 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4414 | idle in transaction | ClientRead | 00:00:06.01 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4415 | idle in transaction | ClientRead | 00:00:05.94 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4416 | idle in transaction | ClientRead | 00:00:05.90 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4417 | active              |            | 00:00:00.01 | select e1_0.id,e1_0.account_id,e1_0.amount_minor,e1_0.created_at,e1_0.direction,e1_0.transfer_id from entries e1_0 where e1_0.account_id = any ($1) and e1_0.created_at>=$2 and e1_0.created_at<$3
 4418 | idle in transaction | ClientRead | 00:00:05.12 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4419 | idle in transaction | ClientRead | 00:00:04.66 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 4420 | idle in transaction | ClientRead | 00:00:04.64 | select m1_0.id,m1_0.name,m1_0.reporting_currency,m1_0.created_at from merchants m1_0 where m1_0.id=$1
 ... (20 more rows like the above: 19 idle in transaction after the merchants query, 1 active on payouts)
(30 rows)"""

cc(
    "f-cc-023", "complex",
    "Third failed attempt at pool exhaustion that only appears under concurrent load; the cheap fixes did not help and what holds the connections is not in any trace.",
    "ledger",
    [
        U("load test for the new statements endpoint falls over at ~40 rps: 30s timeouts and `HikariPool-1 - Connection is not available, request timed out after 30000ms`. the endpoint is 4 queries, it shouldn't need many connections. find out why and fix it. k6 script is loadtest/statements.js, local stack is already up (`docker compose -f loadtest/compose.yml up -d`), run it with `k6 run loadtest/statements.js`"),
        todo(("in_progress", "Reproduce the pool timeouts with k6"), ("pending", "Find what holds the connections"), ("pending", "Fix and rerun the load test"),
             pre="Reproducing first."),
        sh("k6 run loadtest/statements.js", _k6(40.1, 71.0, "30s", "30s", "8.91s", "2.1s", 7218), code=99, secs=190.0, desc="Run the statements load test"),
        sh("docker compose -f loadtest/compose.yml logs ledger --since 4m | grep -A 18 'Connection is not available' | head -400", _hikari_log(1, 10, 12), secs=2.0, desc="Show the pool errors from the service log"),
        par(rd("src/main/java/com/acme/ledger/service/StatementService.java", _statement_service), rd("src/main/resources/application.yml", _ledger_yml)),
        A("The pool has 10 connections and Tomcat runs up to 200 request threads, so at 40 rps anything that holds a connection for more than ~250 ms queues everything else. First, the cheap check: raise the pool to 30 and see whether the endpoint is simply slow or something holds connections."),
        ed("src/main/resources/application.yml", "      maximum-pool-size: 10", "      maximum-pool-size: 30", src=_ledger_yml),
        sh("docker compose -f loadtest/compose.yml up -d --build ledger && sleep 20 && k6 run loadtest/statements.js", _k6(44.8, 74.0, "30s", "27.2s", "7.84s", "1.8s", 8060), code=99, secs=232.0, desc="Rebuild and rerun the load test"),
        A("Barely better with 30 connections. Checking what those connections are doing while the test runs."),
        sh("docker compose -f loadtest/compose.yml exec -T postgres psql -U ledger -c \"select pid, state, wait_event, now() - xact_start as xact_age, left(query, 200) as query from pg_stat_activity where datname = 'ledger' and pid <> pg_backend_pid() order by xact_start\"",
           _pg_activity, desc="Show what the pool's connections are doing under load"),
        A("29 of 30 connections are `idle in transaction` for 4-8 s, and their last statement is the merchants lookup. So the transaction stays open while the thread does something that is not a query, after `getMerchant()`. The class-level `@Transactional` keeps the connection for the whole method including `StatementAssembler.assemble`. I'll load the data in a short read-only transaction and assemble outside it."),
        ed("src/main/java/com/acme/ledger/service/StatementService.java",
           "@Service\n@Transactional\npublic class StatementService {",
           "@Service\npublic class StatementService {",
           src=_statement_service),
        wr("src/main/java/com/acme/ledger/service/StatementLoader.java",
           "package com.acme.ledger.service;\n\nimport com.acme.ledger.fx.FxRateProvider;\nimport com.acme.ledger.repo.AccountRepository;\nimport com.acme.ledger.repo.EntryRepository;\nimport com.acme.ledger.repo.PayoutRepository;\nimport java.time.YearMonth;\nimport java.util.UUID;\nimport org.springframework.stereotype.Component;\nimport org.springframework.transaction.annotation.Transactional;\n\n/** Loads everything a statement needs in one short read-only transaction. */\n@Component\nclass StatementLoader {\n    private final AccountRepository accounts;\n    private final EntryRepository entries;\n    private final PayoutRepository payouts;\n    private final FxRateProvider fxRates;\n\n    StatementLoader(AccountRepository accounts, EntryRepository entries, PayoutRepository payouts, FxRateProvider fxRates) {\n        this.accounts = accounts;\n        this.entries = entries;\n        this.payouts = payouts;\n        this.fxRates = fxRates;\n    }\n\n    @Transactional(readOnly = true)\n    StatementData load(UUID merchantId, YearMonth month) {\n        var accs = accounts.findByMerchantId(merchantId);\n        var range = StatementData.range(month);\n        var ids = accs.stream().map(a -> a.getId()).toList();\n        var es = entries.findByAccountIdInAndCreatedAtGreaterThanEqualAndCreatedAtLessThan(ids, range.from(), range.to());\n        var ps = payouts.findPendingByMerchantId(merchantId);\n        String reporting = accs.isEmpty() ? \"EUR\" : accs.get(0).getMerchant().getReportingCurrency();\n        return new StatementData(accs, es, ps, reporting, fxRates.ratesFor(month, reporting));\n    }\n}\n"),
        sh("./gradlew compileJava -q && docker compose -f loadtest/compose.yml up -d --build ledger && sleep 20 && k6 run loadtest/statements.js", _k6(47.3, 78.0, "26.4s", "21.9s", "6.95s", "1.7s", 8514), code=99, secs=251.0, desc="Rebuild and rerun the load test"),
        sh("docker compose -f loadtest/compose.yml logs ledger --since 4m | grep -A 18 'Connection is not available' | tail -150", _hikari_log(2, 30, 5), secs=2.0, desc="Show the pool errors from the service log"),
    ],
)

_pricing_py = """from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def to_minor(amount: Decimal, currency: str) -> int:
    \"\"\"Convert a catalogue price in major units (Decimal("49.80")) to Stripe minor units (4980).\"\"\"
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_minor(amount_minor: int, currency: str) -> Decimal:
    return Decimal(amount_minor) / 100


def prorate(amount_minor: int, used_days: int, period_days: int) -> int:
    return amount_minor * (period_days - used_days) // period_days
"""

cc(
    "f-cc-024", "complex",
    "Overcharging every zero-decimal currency by 100x is a money bug whose fix touches conversion at every call site and needs an impact query before anyone refunds.",
    "payments",
    [
        U("URGENT. a customer in Tokyo was charged ¥498,000 for the ¥4,980 plan this morning, support refunded it by hand. I think every JPY charge since we launched Japan last week is wrong. find it, fix it, and tell me how many charges/customers are affected (read-only queries on the replica are fine, DSN is in .env.replica). don't refund anything yourself"),
        gr("to_minor|from_minor", "app/billing/pricing.py:6:def to_minor(amount: Decimal, currency: str) -> int:\napp/billing/pricing.py:11:def from_minor(amount_minor: int, currency: str) -> Decimal:\napp/billing/subscriptions.py:4:from app.billing.pricing import from_minor, prorate, to_minor\napp/billing/subscriptions.py:58:    amount_minor = to_minor(plan.price, plan.currency)\napp/billing/subscriptions.py:97:    credit = prorate(to_minor(old.price, old.currency), used, period)\napp/billing/checkout.py:3:from app.billing.pricing import to_minor\napp/billing/checkout.py:41:        amount_minor=to_minor(cart.total, cart.currency),\napp/billing/invoices.py:9:from app.billing.pricing import from_minor\napp/billing/invoices.py:122:    \"amount_display\": f\"{from_minor(inv.amount_due_minor, inv.currency):,.2f} {inv.currency}\",\napp/notify/render.py:17:from app.billing.pricing import from_minor\napp/notify/render.py:44:        total=from_minor(invoice.amount_due_minor, invoice.currency),\napp/api/refunds.py:12:from app.billing.pricing import to_minor\napp/api/refunds.py:36:    amount_minor = to_minor(body.amount, refund_currency) if body.amount is not None else None",
           pre="Looking for where prices become minor units."),
        rd("app/billing/pricing.py", _pricing_py),
    ],
)

_k8s_events = """LAST SEEN   TYPE      REASON              OBJECT                                  MESSAGE
41m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled up replica set ingest-gateway-7d9f8c6b54 to 3 from 0
41m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled down replica set ingest-gateway-5b7c4d9f8a to 9 from 12
41m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-2kq8v     Stopping container gateway
41m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-8xw2m     Stopping container gateway
41m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-tq4hz     Stopping container gateway
40m         Warning   FailedPreStopHook   pod/ingest-gateway-5b7c4d9f8a-2kq8v     (none)
40m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled up replica set ingest-gateway-7d9f8c6b54 to 6 from 3
40m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled down replica set ingest-gateway-5b7c4d9f8a to 6 from 9
40m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-c7n5p     Stopping container gateway
40m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-hv9rd     Stopping container gateway
40m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-wz3lf     Stopping container gateway
39m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled up replica set ingest-gateway-7d9f8c6b54 to 9 from 6
39m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled down replica set ingest-gateway-5b7c4d9f8a to 3 from 6
39m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-jm6tb     Stopping container gateway
39m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-p2xk7     Stopping container gateway
39m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-v8qds     Stopping container gateway
38m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled up replica set ingest-gateway-7d9f8c6b54 to 12 from 9
38m         Normal    ScalingReplicaSet   deployment/ingest-gateway               Scaled down replica set ingest-gateway-5b7c4d9f8a to 0 from 3
38m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-b4fgn     Stopping container gateway
38m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-k9zr2     Stopping container gateway
38m         Normal    Killing             pod/ingest-gateway-5b7c4d9f8a-x7lmd     Stopping container gateway"""


def _gw_shutdown_log(seed: int) -> str:
    rng = random.Random(seed)
    out = []
    t = 0.0
    for _ in range(70):
        t += rng.random() * 0.4
        out.append(f'{{"time":"2025-10-22T14:{11 + int(t) // 60:02d}:{t % 60:06.3f}Z","level":"INFO","msg":"stream push","device":"dev-{rng.randrange(10000, 99999)}","records":{rng.randrange(1, 40)},"partition_key":"fleet-{rng.randrange(1, 400)}"}}')
    out.append('{"time":"2025-10-22T14:12:31.207Z","level":"INFO","msg":"shutdown recieved, draining"}')
    t = 31.2
    for _ in range(25):
        t += rng.random() * 1.1
        out.append(f'{{"time":"2025-10-22T14:12:{t % 60:06.3f}Z","level":"INFO","msg":"stream push","device":"dev-{rng.randrange(10000, 99999)}","records":{rng.randrange(1, 40)},"partition_key":"fleet-{rng.randrange(1, 400)}"}}')
    return "\n".join(out)


cc(
    "f-cc-025", "complex",
    "Records lost only during rolling deploys come from shutdown ordering across the gRPC server, the batcher and the Kafka writer, a cause no single log line states.",
    "gateway",
    [
        U("the data team says we lose telemetry every time we deploy the gateway: their per-device sequence gaps line up exactly with our rollouts, a few thousand records per deploy. nothing in our error logs. can you figure out where they go and fix it? today's 14:11 rollout is a good example"),
        par(rd("cmd/gateway/main.go", GW["cmd/gateway/main.go"]), rd("internal/consumer/batcher.go", GW["internal/consumer/batcher.go"]), pre="Reading the shutdown path and the batcher."),
        sh("kubectl -n ingest get events --sort-by=.lastTimestamp | grep -E 'ingest-gateway' | tail -40", _k8s_events, desc="Show the rollout events"),
        sh("kubectl -n ingest logs ingest-gateway-5b7c4d9f8a-2kq8v --previous | tail -120", _gw_shutdown_log(8), desc="Show the last log lines of a pod killed in the rollout"),
        sh("kubectl -n ingest get deploy ingest-gateway -o jsonpath='{.spec.template.spec.terminationGracePeriodSeconds} {.spec.template.spec.containers[0].lifecycle}{\"\\n\"}'", "30 {\"preStop\":{\"exec\":{\"command\":[\"sleep\",\"5\"]}}}", desc="Show the grace period and preStop hook"),
        sh("go test ./... -race -count=1 2>&1 | tail -40", "?   \tgithub.com/northwind/ingest-gateway/cmd/gateway\t[no test files]\n" + "\n".join(line for line in B.go_test_verbose(12).splitlines() if line.startswith(("ok", "PASS", "---"))),
           secs=44.0, desc="Run the Go tests"),
    ],
)

_perf_report = """# To display the perf.data header info, please use --header/--header-only options.
#
# Total Lost Samples: 0
#
# Samples: 38K of event 'cycles:P'
# Event count (approx.): 37914281190
#
# Overhead  Command       Shared Object         Symbol
# ........  ............  ....................  .................................................................................................
#
    61.42%  mesh_bench    mesh_bench            [.] std::_Hashtable<render::(anonymous namespace)::VertexKey, std::pair<render::(anonymous namespace)::VertexKey const, unsigned int>, ...>::_M_find_before_node
     9.87%  mesh_bench    mesh_bench            [.] std::_Hashtable<render::(anonymous namespace)::VertexKey, ...>::_M_rehash_aux
     6.02%  mesh_bench    libc.so.6             [.] __isoc99_sscanf
     4.41%  mesh_bench    libc.so.6             [.] __vfscanf_internal
     3.18%  mesh_bench    libc.so.6             [.] ____strtof_l_internal
     2.96%  mesh_bench    libc.so.6             [.] _int_malloc
     2.11%  mesh_bench    mesh_bench            [.] render::MeshLoader::loadObj
     1.84%  mesh_bench    libstdc++.so.6.0.33   [.] std::getline<char, std::char_traits<char>, std::allocator<char> >
     1.52%  mesh_bench    libc.so.6             [.] __memmove_avx_unaligned_erms
     1.20%  mesh_bench    libc.so.6             [.] malloc
     0.97%  mesh_bench    mesh_bench            [.] std::vector<render::Vertex, std::allocator<render::Vertex> >::_M_realloc_insert<render::Vertex>
     0.88%  mesh_bench    libc.so.6             [.] _int_free
     0.61%  mesh_bench    libstdc++.so.6.0.33   [.] std::__detail::_Prime_rehash_policy::_M_need_rehash
     0.43%  mesh_bench    [kernel.kallsyms]     [k] clear_page_erms
     0.31%  mesh_bench    [kernel.kallsyms]     [k] asm_exc_page_fault
"""

cc(
    "f-cc-026", "complex",
    "A 7x load-time regression from vertex deduplication needs profile-driven changes to hashing, table sizing and parsing in a hot loop without changing the output mesh, which is performance work.",
    "render",
    [
        U("since f4c2a01 (vertex dedup) loading sponza_hd.obj (2.1M tris) takes 9.4s instead of 1.3s. dedup has to stay, the GPU memory win is real. get it back under 2s. mesh_bench is in tools/, perf is installed"),
        sh("cmake --build --preset linux-release --target mesh_bench && ./build/linux-release/tools/mesh_bench assets/sponza_hd.obj --runs 3",
           "[1/3] Building CXX object src/CMakeFiles/render_core.dir/mesh/MeshLoader.cpp.o\n[2/3] Linking CXX static library src/librender_core.a\n[3/3] Linking CXX executable tools/mesh_bench\nloading assets/sponza_hd.obj (312 MiB)\nrun 1: 9.41 s  vertices=1184213 indices=6340218\nrun 2: 9.38 s  vertices=1184213 indices=6340218\nrun 3: 9.52 s  vertices=1184213 indices=6340218\nmedian 9.41 s", secs=41.0, desc="Build and time the mesh loader"),
        sh("perf record -g -o /tmp/mesh.data ./build/linux-release/tools/mesh_bench assets/sponza_hd.obj --runs 1 >/dev/null 2>&1; perf report -i /tmp/mesh.data --no-children --stdio --percent-limit 0.3 2>/dev/null | head -40", _perf_report, secs=14.0, desc="Profile the loader"),
        rd("src/mesh/MeshLoader.cpp", REN["src/mesh/MeshLoader.cpp"]),
    ],
)

_team_admin_ts = """import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { router, protectedProcedure } from "@/server/trpc";
import { prisma } from "@/server/db";
import { audit } from "@/server/audit";

export const teamAdminRouter = router({
  settings: protectedProcedure
    .input(z.object({ teamId: z.string().cuid() }))
    .query(async ({ input }) => {
      return prisma.team.findUniqueOrThrow({ where: { id: input.teamId }, select: { id: true, name: true, seats: true, ownerId: true } });
    }),

  deleteTeam: protectedProcedure
    .input(z.object({ teamId: z.string().cuid(), confirmName: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const team = await prisma.team.findUniqueOrThrow({ where: { id: input.teamId } });
      if (team.name !== input.confirmName) throw new TRPCError({ code: "BAD_REQUEST", message: "Name does not match" });
      await prisma.team.delete({ where: { id: team.id } });
      await audit(ctx.session.userId, "team.delete", { teamId: team.id });
      return { ok: true };
    }),

  transferOwnership: protectedProcedure
    .input(z.object({ teamId: z.string().cuid(), toUserId: z.string().cuid() }))
    .mutation(async ({ ctx, input }) => {
      await prisma.team.update({ where: { id: input.teamId }, data: { ownerId: input.toUserId } });
      await audit(ctx.session.userId, "team.transfer", input);
      return { ok: true };
    }),
});
"""

cc(
    "f-cc-027", "complex",
    "Adding the missing owner checks to team deletion and ownership transfer is an authorization change where a mistake either leaves the hole open or locks owners out.",
    "web",
    [
        U("found out any member can delete a team from the settings page (the button is hidden in the UI but the mutation just works). make deleteTeam and transferOwnership owner-only. add tests"),
        rd("src/server/routers/teamAdmin.ts", _team_admin_ts),
        gr("protectedProcedure = |ownerProcedure|adminProcedure", "src/server/trpc.ts:24:export const protectedProcedure = t.procedure.use(isAuthed);", path="src/server"),
    ],
)

# =========================================================================== reasoning: Claude Code

_rate_limiter_ex = """defmodule Relay.RateLimiter do
  @moduledoc \"\"\"
  Fixed-window message rate limit per {room, user}: 20 messages per 10 s.
  Buckets live in a public ETS table owned by this process; a sweep drops old windows.
  \"\"\"
  use GenServer

  @limit 20
  @window_ms 10_000

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts, name: __MODULE__)

  def check(room_id, user_id) do
    window = div(System.system_time(:millisecond), @window_ms)
    key = {room_id, user_id, window}
    count = :ets.update_counter(:relay_rate, key, {2, 1}, {key, 0})

    if count <= @limit do
      :ok
    else
      {:error, :rate_limited, (window + 1) * @window_ms - System.system_time(:millisecond)}
    end
  end

  @impl true
  def init(_) do
    :ets.new(:relay_rate, [:named_table, :public, :set, write_concurrency: true])
    Process.send_after(self(), :sweep, @window_ms)
    {:ok, %{}}
  end

  @impl true
  def handle_info(:sweep, state) do
    current = div(System.system_time(:millisecond), @window_ms)
    :ets.select_delete(:relay_rate, [{{{:_, :_, :"$1"}, :_}, [{:<, :"$1", current}], [true]}])
    Process.send_after(self(), :sweep, @window_ms)
    {:noreply, state}
  end
end
"""

_relay_app = """defmodule Relay.Application do
  use Application

  @impl true
  def start(_type, _args) do
    children = [
      RelayWeb.Telemetry,
      Relay.Repo,
      {DNSCluster, query: Application.get_env(:relay, :dns_cluster_query) || :ignore},
      {Phoenix.PubSub, name: Relay.PubSub},
      RelayWeb.Presence,
      Relay.RateLimiter,
      Relay.TypingTracker,
      {Oban, Application.fetch_env!(:relay, Oban)},
      RelayWeb.Endpoint
    ]

    Supervisor.start_link(children, strategy: :one_for_one, name: Relay.Supervisor)
  end
end
"""

cc(
    "f-cc-028", "reasoning",
    "Deciding how node-local presence, typing and rate-limit state should behave across a six-node cluster is an architecture decision with consistency and failure trade-offs, and thinking is enabled.",
    "relay",
    [
        U("we have to go from 1 node to 6 behind the fly proxy next month (one customer with 9k users in a single workspace). I want a decision before anyone writes code. state we have today: Presence (already CRDT over PubSub, fine?), TypingTracker (GenServer + ETS, node-local), RateLimiter (ETS fixed window, node-local, so with 6 nodes a user can send 6x the limit by reconnecting), and channel processes that assume the room's messages are ordered. options I've seen: (a) keep everything node-local + PubSub broadcasts and accept the inaccuracies, (b) Horde / :global to run one process per room somewhere in the cluster, (c) route each room to a fixed node by consistent hashing at the proxy (fly-replay header), (d) push rate limiting and ordering into Postgres. what breaks in each during netsplits and deploys, what do you recommend and why"),
        par(rd("lib/relay/rate_limiter.ex", _rate_limiter_ex), rd("lib/relay/typing_tracker.ex", _typing_tracker), rd("lib/relay/application.ex", _relay_app),
            pre="Reading the node-local state holders before weighing the options."),
        rd("lib/relay_web/channels/room_channel.ex", _room_channel),
    ],
    thinking=16000,
)

cc(
    "f-cc-029", "reasoning",
    "Bounding how far a sharded LRU's hit rate can fall below a global LRU's, with a counterexample workload, is an analysis argument rather than an edit.",
    "tidewater",
    [
        U("thinking of replacing the single Mutex<Lru> in AppState with 16 shards (hash(station_id) % 16, each Lru with cap/16) to kill the lock contention we see at 3k rps. before I do: what do I actually lose vs one global LRU? I want either a bound on the hit-rate difference in terms of cap, shard count and the key distribution, or a concrete adversarial workload where sharding is much worse. our workload: ~2,000 active stations, cap 1,024, zipf-ish popularity, a few hundred stations hammered during storms. and is there a cheaper fix for contention that keeps exact LRU"),
        par(rd("src/cache/lru.rs", TW["src/cache/lru.rs"]), rd("src/http/handlers.rs", TW["src/http/handlers.rs"])),
    ],
)

_magic_adr = """# ADR 0012: Magic-link sign-in for store staff

Status: proposed

## Context
Cashiers and stock staff share 2-4 iPads per store (41 stores). They forget passwords; resets go through
the store manager and take a day. Back office today: Devise (database_authenticatable, lockable),
roles via Pundit (`cashier`, `stock`, `manager`, `admin`). Cashiers can issue refunds up to 100 EUR and
store credit up to 50 EUR without a manager.

## Proposal
- New "Email me a sign-in link" button on /staff/sign_in
- Link: https://backoffice.shopfront.example/staff/magic?token=<token>, token valid 15 minutes
- Token: `SecureRandom.urlsafe_base64(32)`, stored in `staff_login_tokens` (token, user_id, expires_at)
- Clicking the link signs the user in with a 12h session (one shift) on that device
- Work emails are on Google Workspace; most staff read them on their own phones
- Keep password login for managers and admins

## Open questions
- Do we need device binding?
- What do we do on the shared iPads between shifts?
"""

cc(
    "f-cc-030", "reasoning",
    "Threat-modelling magic-link sign-in for staff on shared devices who can issue refunds is security analysis across email, devices and sessions, with thinking enabled.",
    "shopfront",
    [
        U("before I build the staff magic links (ADR in docs/adr/0012-staff-magic-links.md): threat model it properly. who can get a valid link or session that shouldn't, what happens on the shared iPads, phishing, link previews/scanners in email clients eating the token, replay, session fixation, what a stolen session can do with refunds/store credit. then tell me what has to change in the design. don't write code yet"),
        rd("docs/adr/0012-staff-magic-links.md", _magic_adr),
        gr("devise|lockable|timeoutable", "app/models/staff_user.rb:2:  devise :database_authenticatable, :recoverable, :rememberable, :validatable, :lockable\nconfig/initializers/devise.rb:171:  config.lock_strategy = :failed_attempts\nconfig/initializers/devise.rb:179:  config.maximum_attempts = 5\nconfig/initializers/devise.rb:190:  config.unlock_strategy = :email\nconfig/initializers/devise.rb:226:  config.remember_for = 2.weeks\nconfig/initializers/devise.rb:244:  # config.timeout_in = 30.minutes", path="app config"),
    ],
    thinking=12000,
)


def _recon_csv(seed: int, rows: int) -> str:
    """Month-end reconciliation export: ledger's reporting balance vs the recon job's, per account."""
    rng = random.Random(seed)
    out = ["account_id,merchant_id,account_ccy,reporting_ccy,entries_sep,payouts_sep,ledger_reporting_minor,recon_reporting_minor,diff_minor"]
    for _ in range(rows):
        acc = "".join(rng.choice("0123456789abcdef") for _ in range(8))
        mer = f"m_{rng.randrange(1000, 9999)}"
        ccy = rng.choice(["EUR", "EUR", "EUR", "SEK", "NOK", "DKK", "PLN", "CZK", "GBP"])
        entries = rng.randrange(4, 900)
        payouts = rng.choice([0, 0, 1, 2, 3, 4, 5, 8, 12]) if entries > 20 else 0
        recon = rng.randrange(10_000, 90_000_000)
        diff = 0
        if ccy != "EUR" and payouts:
            diff = rng.randrange(-payouts, payouts + 1) or rng.choice([-1, 1])
        out.append(f"{acc},{mer},{ccy},EUR,{entries},{payouts},{recon + diff},{recon},{diff}")
    return "\n".join(out)


_reporting_converter = """package com.acme.ledger.reporting;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Converts ledger amounts to the merchant's reporting currency for statements and the trial balance. */
public final class ReportingConverter {
    private ReportingConverter() {}

    /** Converts one entry. The trial balance sums converted entries, so statements and balance agree line by line. */
    public static long toReporting(long amountMinor, int fromDigits, int toDigits, BigDecimal rate) {
        BigDecimal major = BigDecimal.valueOf(amountMinor).movePointLeft(fromDigits);
        return major.multiply(rate).setScale(toDigits, RoundingMode.HALF_UP).movePointRight(toDigits).longValueExact();
    }
}
"""

_recon_job = """# recon/jobs/month_end.py (finance-recon repo)
def reporting_balance(account: Account, rate: Decimal) -> int:
    \"\"\"Balance in reporting currency: convert the closing balance once.\"\"\"
    closing = Decimal(account.closing_balance_minor).scaleb(-account.digits)
    return int((closing * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN).scaleb(2))
"""

_payouts_log = """commit 8d1f3b7e20c94a6f0b2e5d7c1a93f84e6b0d2c51
Author: Lukas Brandt <lukas@acme-fin.example>
Date:   Mon Sep 1 09:12:44 2025 +0200

    payouts: book fee and net as separate ledger entries (PAY-412)

    Finance wants the payout fee visible on statements. Instead of one debit for the gross payout we now
    post two entries per payout: the net amount and the fee, each converted by the ledger.

commit 2a7c9e0d4b1f8a36e5c2d9b0f7a1e4c3d8b6a502
Author: Priya Raman <priya@acme-fin.example>
Date:   Thu Aug 28 16:40:03 2025 +0200

    fx-service: publish rates with 6 decimals instead of 4 (FX-88)

commit c91e4a2b7d0f3e85a6b1c2d9e0f7a4b3c5d8e1f6
Author: Lukas Brandt <lukas@acme-fin.example>
Date:   Tue Aug 19 11:02:17 2025 +0200

    payouts: retry on 409 from ledger with the same idempotency key
"""

cc(
    "f-cc-031", "reasoning",
    "Explaining one-cent trial-balance breaks from a recon export, two services' rounding code and a commit history is a root-cause hypothesis that must fit every observation.",
    "ledger",
    [
        U("finance escalation: since the September close, the trial balance in reporting currency (EUR) is off by a cent or a few cents on ~130 accounts, never in August. finance-recon and our statements disagree. I put the September recon export in /tmp/recon_2025_09.csv. a few things I noticed: it's never EUR accounts, it's not all non-EUR accounts, and the diff is sometimes negative. I don't want a patch yet — I want the explanation that fits ALL of this (including why it started in September and why some SEK accounts are fine), and how to confirm it"),
        sh("head -1 /tmp/recon_2025_09.csv && tail -n +2 /tmp/recon_2025_09.csv | sort -t, -k9,9n | head -400", _recon_csv(31, 240), desc="Show the recon export"),
        sh("python3 - <<'EOF'\nimport csv, collections\nrows = list(csv.DictReader(open('/tmp/recon_2025_09.csv')))\nby = collections.Counter((r['account_ccy'] != 'EUR', int(r['payouts_sep']) > 0, r['diff_minor'] != '0') for r in rows)\nfor k, v in sorted(by.items()): print(k, v)\nEOF",
           "(False, False, False) 19\n(False, True, False) 59\n(True, False, False) 34\n(True, True, True) 128", desc="Count accounts by currency, payouts and mismatch"),
        par(rd("src/main/java/com/acme/ledger/reporting/ReportingConverter.java", _reporting_converter),
            sh("cat ../finance-recon/recon/jobs/month_end.py | sed -n '40,48p'", _recon_job, desc="Show the recon job's conversion")),
        sh("git -C ../payouts-service log --since=2025-08-15 --until=2025-09-05", _payouts_log, desc="Show the payouts and fx changes around the start of September"),
    ],
)

_stg_sample = """customer_key,source,email,phone,full_name,postcode,country,created_at
shop:118274,shop,anna.lindqvist@gmail.com,+46 70 123 45 67,Anna Lindqvist,114 55,SE,2021-03-14
billing:c_8812,billing,ANNA.LINDQVIST@GMAIL.COM,,Anna Lindqvist-Berg,11455,SE,2022-11-02
crm:00Q5e000,crm,,0701234567,A. Lindqvist,,SE,2020-07-30
shop:99120,shop,j.smith@outlook.com,,John Smith,SW1A 1AA,GB,2019-01-05
shop:99121,shop,john.smith@outlook.com,,John Smith,SW1A 1AA,GB,2019-01-05
billing:c_1200,billing,jsmith@acme-corp.example,+44 20 7946 0000,John Smith,EC1A 1BB,GB,2023-02-17
crm:00Q7a200,crm,info@acme-corp.example,+44 20 7946 0000,ACME Corp (John Smith),EC1A 1BB,GB,2023-02-10
shop:44012,shop,mueller.k@web.de,+49 151 2345678,Klaus Müller,80331,DE,2022-05-20
billing:c_4410,billing,mueller.k@web.de,+49 151 2345678,Klaus Mueller,80331,DE,2022-05-21
crm:00Q9b811,crm,k.mueller@web.de,,Klaus Müller,80331,DE,2021-12-01"""

cc(
    "f-cc-032", "reasoning",
    "Resolving 40M customer records from three sources into entities with transitive matches needs an algorithm choice for blocking, scoring and clustering argued against scale and error costs.",
    "warehouse",
    [
        U("we need a dim_person: one row per real human/company across shop (31M), billing (6M) and crm (4M) customers. exact email match gets us maybe 60%. emails differ in case/dots/aliases, phones in format, names in transliteration (ü/ue), companies vs. contacts. problem: if A~B and B~C we get giant clusters (one shared office phone merged 12k people in my prototype). how should this work at 40M rows on postgres + dbt (spark is possible if needed)? blocking strategy, scoring, how to cluster without the chaining problem, how to keep ids stable between runs, and how to measure precision/recall without labelled data. explain the trade-offs, I'll implement after"),
        sh("psql analytics -c \"select source, count(*), count(distinct lower(email)) as emails, count(phone) as phones from staging.stg_customers_union group by 1\"",
           " source  |  count   |  emails  |  phones\n---------+----------+----------+----------\n billing |  6012944 |  5871020 |  4401877\n crm     |  3980417 |  2110362 |  3512980\n shop    | 31244871 | 30011925 |  9120448\n(3 rows)", desc="Count customers per source"),
        sh("psql analytics -c \"\\copy (select * from staging.stg_customers_union where customer_key in ('shop:118274','billing:c_8812','crm:00Q5e000','shop:99120','shop:99121','billing:c_1200','crm:00Q7a200','shop:44012','billing:c_4410','crm:00Q9b811')) to stdout csv header\"",
           _stg_sample, desc="Show sample records that should and should not merge"),
    ],
)

cc(
    "f-cc-033", "reasoning",
    "Designing a global rate limit across 36 replicas in three regions with explicit error bounds and failure behaviour is a distributed design problem, with ultrathink and maximum thinking on.",
    "gateway",
    [
        U("ultrathink. product wants per-tenant ingest quotas (e.g. 50k records/s per tenant) enforced globally, but we run 12 gateway replicas in each of 3 regions and a tenant's devices hit all of them. internal/ratelimit is a local token bucket per replica today. options on the table: (1) Redis (one per region? global?) with GCRA in a Lua script per request or per batch, (2) local buckets whose rates are rebalanced every second from a gossip/central view of each replica's observed share, (3) a central quota service handing out leases of N tokens. I need: max over-admission for each option (in terms of replicas, lease size, sync interval, cross-region latency ~80ms), what happens when Redis or the quota service is down or a region is partitioned (fail open vs closed for ingest telemetry), cost per record at 2M records/s total, and a recommendation"),
        par(rd("internal/ratelimit/token_bucket.go", GW["internal/ratelimit/token_bucket.go"]), rd("cmd/gateway/main.go", GW["cmd/gateway/main.go"])),
    ],
    thinking=31999,
)


def _dns_latency_log(seed: int, n: int) -> str:
    rng = random.Random(seed)
    out = []
    t = 0.0
    nodes = {"ip-10-40-71-12": "c", "ip-10-40-77-201": "c", "ip-10-40-5-33": "a", "ip-10-40-38-140": "b", "ip-10-40-12-87": "a", "ip-10-40-44-19": "b"}
    for _ in range(n):
        t += rng.random() * 9
        node = rng.choice(list(nodes))
        slow = nodes[node] == "c" and rng.random() < 0.22
        dur = 5000 + rng.randrange(1, 40) if slow else rng.randrange(3, 60)
        dns = 5000 + rng.randrange(0, 9) if slow else rng.randrange(0, 3)
        svc = rng.choice(["payments-api", "ledger-service", "notify", "ingest-gateway"])
        host = rng.choice(["payments-db.prod.internal", "api.stripe.com", "ledger-service.ledger.svc.cluster.local", "sqs.eu-west-1.amazonaws.com", "redis-main.prod.internal"])
        out.append(f'2025-10-27T09:{int(t) // 60 % 60:02d}:{int(t) % 60:02d}.{rng.randrange(1000):03d}Z {svc} node={node} outbound host={host} total_ms={dur} dns_ms={dns} connect_ms={rng.randrange(1, 4)} status=200')
    return "\n".join(out)


_conntrack = """== ip-10-40-71-12 (eu-west-1c, ami-0c1f2e9 al2023 6.1.109, kube-proxy iptables) ==
cpu=0   found=412 invalid=1887 insert=0 insert_failed=9114 drop=9114 early_drop=0 error=0 search_restart=20419
cpu=1   found=398 invalid=1702 insert=0 insert_failed=8870 drop=8870 early_drop=0 error=0 search_restart=19877
cpu=2   found=441 invalid=1911 insert=0 insert_failed=9302 drop=9302 early_drop=0 error=0 search_restart=21003
cpu=3   found=420 invalid=1790 insert=0 insert_failed=9051 drop=9051 early_drop=0 error=0 search_restart=20112
== ip-10-40-77-201 (eu-west-1c, ami-0c1f2e9 al2023 6.1.109, kube-proxy iptables) ==
cpu=0   found=377 invalid=1650 insert=0 insert_failed=8011 drop=8011 early_drop=0 error=0 search_restart=18224
cpu=1   found=390 invalid=1713 insert=0 insert_failed=8244 drop=8244 early_drop=0 error=0 search_restart=18903
cpu=2   found=402 invalid=1699 insert=0 insert_failed=8190 drop=8190 early_drop=0 error=0 search_restart=18455
cpu=3   found=385 invalid=1677 insert=0 insert_failed=8102 drop=8102 early_drop=0 error=0 search_restart=18311
== ip-10-40-5-33 (eu-west-1a, ami-07d4b1a al2 5.10.226, kube-proxy iptables) ==
cpu=0   found=409 invalid=1804 insert=0 insert_failed=3 drop=3 early_drop=0 error=0 search_restart=20001
cpu=1   found=401 invalid=1755 insert=0 insert_failed=1 drop=1 early_drop=0 error=0 search_restart=19522
cpu=2   found=433 invalid=1890 insert=0 insert_failed=2 drop=2 early_drop=0 error=0 search_restart=20877
cpu=3   found=416 invalid=1779 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=19990
== ip-10-40-38-140 (eu-west-1b, ami-07d4b1a al2 5.10.226, kube-proxy iptables) ==
cpu=0   found=395 invalid=1721 insert=0 insert_failed=2 drop=2 early_drop=0 error=0 search_restart=19102
cpu=1   found=388 invalid=1698 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=18870
cpu=2   found=412 invalid=1811 insert=0 insert_failed=1 drop=1 early_drop=0 error=0 search_restart=19455
cpu=3   found=401 invalid=1760 insert=0 insert_failed=3 drop=3 early_drop=0 error=0 search_restart=19233"""

_tcpdump = """09:41:07.118204 IP 10.40.71.58.41922 > 172.20.0.10.53: 23811+ A? payments-db.prod.internal.payments.svc.cluster.local. (70)
09:41:07.118231 IP 10.40.71.58.41922 > 172.20.0.10.53: 50113+ AAAA? payments-db.prod.internal.payments.svc.cluster.local. (70)
09:41:07.119002 IP 172.20.0.10.53 > 10.40.71.58.41922: 23811 NXDomain*- 0/1/0 (163)
09:41:12.123511 IP 10.40.71.58.41922 > 172.20.0.10.53: 23811+ A? payments-db.prod.internal.payments.svc.cluster.local. (70)
09:41:12.124090 IP 172.20.0.10.53 > 10.40.71.58.41922: 23811 NXDomain*- 0/1/0 (163)
09:41:12.124133 IP 10.40.71.58.41922 > 172.20.0.10.53: 50113+ AAAA? payments-db.prod.internal.payments.svc.cluster.local. (70)
09:41:12.124702 IP 172.20.0.10.53 > 10.40.71.58.41922: 50113 NXDomain*- 0/1/0 (163)
09:41:12.124980 IP 10.40.71.58.52207 > 172.20.0.10.53: 8812+ A? payments-db.prod.internal.svc.cluster.local. (62)
09:41:12.124998 IP 10.40.71.58.52207 > 172.20.0.10.53: 61400+ AAAA? payments-db.prod.internal.svc.cluster.local. (62)
09:41:12.125561 IP 172.20.0.10.53 > 10.40.71.58.52207: 8812 NXDomain*- 0/1/0 (155)
09:41:12.125602 IP 172.20.0.10.53 > 10.40.71.58.52207: 61400 NXDomain*- 0/1/0 (155)
09:41:12.125871 IP 10.40.71.58.38110 > 172.20.0.10.53: 1290+ A? payments-db.prod.internal.cluster.local. (58)
09:41:12.125890 IP 10.40.71.58.38110 > 172.20.0.10.53: 33077+ AAAA? payments-db.prod.internal.cluster.local. (58)
09:41:12.126410 IP 172.20.0.10.53 > 10.40.71.58.38110: 1290 NXDomain*- 0/1/0 (151)
09:41:12.126455 IP 172.20.0.10.53 > 10.40.71.58.38110: 33077 NXDomain*- 0/1/0 (151)
09:41:12.126702 IP 10.40.71.58.47731 > 172.20.0.10.53: 40021+ A? payments-db.prod.internal.eu-west-1.compute.internal. (71)
09:41:12.126719 IP 10.40.71.58.47731 > 172.20.0.10.53: 7719+ AAAA? payments-db.prod.internal.eu-west-1.compute.internal. (71)
09:41:12.128011 IP 172.20.0.10.53 > 10.40.71.58.47731: 40021 NXDomain 0/1/0 (146)
09:41:12.128090 IP 172.20.0.10.53 > 10.40.71.58.47731: 7719 NXDomain 0/1/0 (146)
09:41:12.128330 IP 10.40.71.58.60144 > 172.20.0.10.53: 5521+ A? payments-db.prod.internal. (43)
09:41:12.128349 IP 10.40.71.58.60144 > 172.20.0.10.53: 29870+ AAAA? payments-db.prod.internal. (43)
09:41:12.129877 IP 172.20.0.10.53 > 10.40.71.58.60144: 5521 1/0/0 A 10.40.131.20 (84)
09:41:12.129911 IP 172.20.0.10.53 > 10.40.71.58.60144: 29870 0/1/0 (118)"""

_node_info = """NAME              STATUS   ZONE         KERNEL-VERSION                    OS-IMAGE                        CONTAINER-RUNTIME    NODEGROUP
ip-10-40-5-33     Ready    eu-west-1a   5.10.226-214.880.amzn2.x86_64     Amazon Linux 2                  containerd://1.7.22   general-al2
ip-10-40-12-87    Ready    eu-west-1a   5.10.226-214.880.amzn2.x86_64     Amazon Linux 2                  containerd://1.7.22   general-al2
ip-10-40-38-140   Ready    eu-west-1b   5.10.226-214.880.amzn2.x86_64     Amazon Linux 2                  containerd://1.7.22   general-al2
ip-10-40-44-19    Ready    eu-west-1b   5.10.226-214.880.amzn2.x86_64     Amazon Linux 2                  containerd://1.7.22   general-al2
ip-10-40-71-12    Ready    eu-west-1c   6.1.109-118.189.amzn2023.x86_64   Amazon Linux 2023.5.20241001    containerd://1.7.22   general-al2023-canary
ip-10-40-77-201   Ready    eu-west-1c   6.1.109-118.189.amzn2023.x86_64   Amazon Linux 2023.5.20241001    containerd://1.7.22   general-al2023-canary

coredns: 2/2 ready on ip-10-40-5-33, ip-10-40-38-140; no errors in the last 24h; p99 response 1.8 ms
node-local-dns: not installed
pods' /etc/resolv.conf: nameserver 172.20.0.10, search <ns>.svc.cluster.local svc.cluster.local cluster.local eu-west-1.compute.internal, options ndots:5"""

cc(
    "f-cc-034", "reasoning",
    "Explaining 5-second outbound stalls confined to two nodes from latency logs, conntrack counters, a packet capture and node inventory is a root-cause hypothesis across machines that must fit every observation.",
    "infra",
    [
        U("since ~oct 20 random outbound calls from prod pods take exactly 5.0x seconds. only some pods, not reproducible on demand, coredns looks healthy. I collected a bunch of evidence below (latency log from our http client middleware, conntrack stats, a tcpdump from one affected pod, node inventory). what is going on? I want the mechanism, why exactly 5s, why only these nodes, why it started when it did, and what the fix options are with trade-offs. no changes to prod from you"),
        sh("cat /tmp/evidence/outbound_latency.log | head -300", _dns_latency_log(34, 300), desc="Show the outbound latency log"),
        sh("awk '$7 ~ /total_ms=50[0-9][0-9]/ {print $3}' /tmp/evidence/outbound_latency.log | sort | uniq -c", "     31 node=ip-10-40-71-12\n     27 node=ip-10-40-77-201", desc="Count the 5-second calls per node"),
        sh("cat /tmp/evidence/conntrack.txt", _conntrack, desc="Show conntrack stats per node"),
        sh("cat /tmp/evidence/tcpdump_payments-api-6f9c7d-x2kq4.txt", _tcpdump, desc="Show the packet capture from an affected pod"),
        sh("cat /tmp/evidence/nodes.txt", _node_info, desc="Show the node inventory"),
    ],
)

_fw_main = """#include <zephyr/kernel.h>
#include <zephyr/drivers/watchdog.h>
#include <zephyr/logging/log.h>

#include "lora_tx.h"
#include "moisture.h"
#include "sht4x.h"

LOG_MODULE_REGISTER(main, LOG_LEVEL_INF);

#define SAMPLE_PERIOD_S 60

static const struct device *const wdt = DEVICE_DT_GET(DT_ALIAS(watchdog0));
static int wdt_channel;

int main(void)
{
    struct wdt_timeout_cfg cfg = {
        .window = { .min = 0, .max = 8000 },
        .callback = NULL,
        .flags = WDT_FLAG_RESET_SOC,
    };
    wdt_channel = wdt_install_timeout(wdt, &cfg);
    wdt_setup(wdt, WDT_OPT_PAUSE_HALTED_BY_DBG);

    moisture_start();   /* ADC sampling at 200 Hz, averaged in the ISR */
    lora_tx_init();

    while (1) {
        struct reading r;

        wdt_feed(wdt, wdt_channel);
        if (sht4x_read(&r.temp_c, &r.rh) != 0) {
            LOG_WRN("sht4x read failed");
        }
        r.moisture = moisture_average();
        lora_tx_enqueue(&r);      /* blocks while the duty-cycle budget is exhausted */
        k_sleep(K_SECONDS(SAMPLE_PERIOD_S));
    }
}
"""

_fw_lora = """#include <zephyr/kernel.h>
#include "lora_tx.h"
#include "radio.h"

/* EU868 sub-band g1: 1% duty cycle. */
#define DUTY_WINDOW_MS (3600U * 1000U)
#define DUTY_BUDGET_MS (DUTY_WINDOW_MS / 100U)

static uint32_t airtime_used_ms;
static int64_t window_start;
K_SEM_DEFINE(tx_done, 0, 1);

void lora_tx_enqueue(const struct reading *r)
{
    int64_t now = k_uptime_get();

    if (now - window_start >= DUTY_WINDOW_MS) {
        window_start = now;
        airtime_used_ms = 0;
    }

    uint32_t airtime = radio_airtime_ms(sizeof(*r), radio_current_sf());
    while (airtime_used_ms + airtime > DUTY_BUDGET_MS) {
        /* wait for budget: sleep in small steps so we notice the window rolling over */
        k_sleep(K_MSEC(500));
        now = k_uptime_get();
        if (now - window_start >= DUTY_WINDOW_MS) {
            window_start = now;
            airtime_used_ms = 0;
        }
    }

    radio_send(r, sizeof(*r));            /* completion ISR gives tx_done */
    k_sem_take(&tx_done, K_SECONDS(10));
    airtime_used_ms += airtime;
}
"""

_fw_field_log = """unit   fw      reset_reason  uptime_before_reset  sf_at_reset  last_tx_airtime_ms  rssi   battery_mv
sn-0412 1.9.0  WDT           5h41m                SF12         1483                -121   3710
sn-0412 1.9.0  WDT           3h02m                SF12         1483                -123   3702
sn-0412 1.9.0  WDT           8h55m                SF11         741                 -118   3698
sn-0107 1.9.0  -             (no reset in 14 d)   SF7          62                  -92    3655
sn-0107 1.9.0  -             (no reset in 14 d)   SF7          62                  -95    3651
sn-0233 1.9.0  WDT           4h16m                SF12         1483                -124   3733
sn-0233 1.9.0  WDT           6h48m                SF12         1483                -122   3729
sn-0518 1.9.0  WDT           7h33m                SF10         371                 -115   3688
sn-0518 1.9.0  WDT           3h51m                SF12         1483                -120   3680
sn-0301 1.9.0  -             (no reset in 14 d)   SF8          113                 -101   3702
sn-0299 1.8.2  -             (no reset in 30 d)   SF12         1483                -124   3690   <- 1.8.2 has no watchdog
sn-0611 1.9.0  WDT           3h27m                SF12         1483                -121   3744

summary: 37 units on 1.9.0; 21 reset at least once in 14 days; all 21 run SF10-SF12 most of the day (ADR, far from gateway);
none of the 16 units at SF7-SF9 reset. resets happen 3-9 h after boot, never in the first 3 h.
"""

cc(
    "f-cc-035", "reasoning",
    "Explaining why only far-away units hit the watchdog hours after boot is a root-cause hypothesis over timing, radio and code evidence, and thinking is enabled on it.",
    "soil",
    [
        U("field units on fw 1.9.0 reset with reason WDT every 3-9 hours, but only some of them. 1.8.2 had no watchdog so we never saw it. I pasted the field telemetry in docs/field/wdt-2025-10.txt. figure out WHY before anyone touches code: which path starves the watchdog, why only these units, why never in the first ~3 hours, and why the interval is so irregular. then the fix options"),
        rd("docs/field/wdt-2025-10.txt", _fw_field_log),
        par(rd("app/src/main.c", _fw_main), rd("app/src/lora_tx.c", _fw_lora)),
        sh("grep -n 'airtime\\|SF' app/src/radio.c | head -30", "14:/* LoRa time on air for EU868, BW125, CR4/5, explicit header, CRC on, preamble 8 */\n31:uint32_t radio_airtime_ms(size_t payload, uint8_t sf)\n33:    static const uint16_t table_24b[] = { [7] = 62, [8] = 113, [9] = 206, [10] = 371, [11] = 741, [12] = 1483 };\n34:    return table_24b[sf];\n52:uint8_t radio_current_sf(void)\n54:    return adr_state.sf;   /* ADR moves between SF7 and SF12 based on link margin */", desc="Show the airtime table"),
    ],
    thinking=10000,
)

_subscriptions_py = """from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.billing.pricing import prorate


@dataclass(frozen=True)
class Plan:
    id: str
    price_minor: int  # per billing period
    currency: str


def change_plan(sub, new: Plan, today: date) -> list[tuple[str, int]]:
    \"\"\"Mid-cycle plan change. Returns invoice lines: a credit for the unused part of the old plan and a
    charge for the rest of the period on the new plan. The period itself does not move.\"\"\"
    period_days = (sub.period_end - sub.period_start).days
    used = (today - sub.period_start).days
    credit = prorate(sub.plan.price_minor, used, period_days)           # amount * (period - used) // period
    charge = prorate(new.price_minor, used, period_days)
    sub.plan = new
    return [("credit", -credit), ("charge", charge)]
"""

cc(
    "f-cc-036", "reasoning",
    "Proving that any sequence of mid-cycle plan switches never charges more than the dearest plan's full price, or finding a counterexample with rounding, is a correctness proof.",
    "payments",
    [
        U("sales promised a customer: \"switching plans mid-cycle can never cost you more in a billing period than the most expensive plan you were on\". is that actually true with our proration? any number of switches per period, integer days, floor division, switches can go up and down. prove it or give me the smallest counterexample (plans, days, amounts). also: does the customer ever get charged less than the cheapest plan they used for the whole period, i.e. can someone game it?"),
        rd("app/billing/subscriptions.py", _subscriptions_py),
        rd("app/billing/pricing.py", _pricing_py),
    ],
)

# =========================================================================== plain Anthropic SDK calls (client "other")

sdk(
    "f-ot-a01", "simple",
    "Putting one support ticket into a fixed label set is a one-word classification, even though the ticket is about a double charge.",
    [{"role": "user", "content": "Ticket #58213\nSubject: charged twice??\n\nHi, I upgraded to the Team plan yesterday and my card statement shows two charges of 49.00 EUR from you on the same day. I only clicked once. Can you refund one of them please. Thanks, Marta"}],
    system="Classify the customer support ticket into exactly one of these labels: billing, bug, feature_request, account_access, other.\nReply with the label only, lowercase, no punctuation.",
    model="claude-haiku-4-5", max_tokens=8, temperature=0,
)

sdk(
    "f-ot-a02", "simple",
    "Translating a handful of UI strings into German while keeping ICU placeholders and keys intact is a mechanical transformation.",
    [{"role": "user", "content": "Translate the values to German (de-DE, informal \"du\"). Keep keys, ICU placeholders like {count} and {name}, and plural syntax exactly as they are.\n\n```json\n{\n  \"history.empty\": \"No workouts yet. Go for a run!\",\n  \"history.header.today\": \"Today\",\n  \"history.header.yesterday\": \"Yesterday\",\n  \"history.count\": \"{count, plural, one {# workout} other {# workouts}}\",\n  \"settings.units\": \"Units\",\n  \"settings.units.metric\": \"Metric (km)\",\n  \"settings.units.imperial\": \"Imperial (mi)\",\n  \"share.caption\": \"{name} ran {distance} in {duration}\",\n  \"sync.failed\": \"Sync failed. We'll try again when you're back online.\"\n}\n```"}],
    system="You are a translation step in a localisation pipeline. Return only the JSON object, nothing else.",
    max_tokens=1024,
)

sdk(
    "f-ot-a03", "simple",
    "Writing one line of alt text for a documentation screenshot is a short description task with nothing to decide.",
    [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png_b64(120, 80, seed=29)}},
        {"type": "text", "text": "Write alt text for this screenshot for our docs site. Max 120 characters, no \"image of\", describe what the UI shows."},
    ]}],
    max_tokens=200,
)

_chunker_v1 = """```python
import tiktoken

_enc = tiktoken.get_encoding("cl100k_base")


def chunk_text(text: str, max_tokens: int = 512, overlap: int = 64) -> list[str]:
    \"\"\"Split text into chunks of at most max_tokens tokens, each overlapping the previous by `overlap` tokens.\"\"\"
    if overlap >= max_tokens:
        raise ValueError("overlap must be smaller than max_tokens")
    tokens = _enc.encode(text)
    chunks = []
    start = 0
    while start < len(tokens):
        end = min(start + max_tokens, len(tokens))
        chunks.append(_enc.decode(tokens[start:end]))
        if end == len(tokens):
            break
        start = end - overlap
    return chunks
```

This walks the token list in windows of `max_tokens`, stepping back `overlap` tokens each time, so consecutive chunks share context. Decoding token slices can split a word in the middle; if that matters for your retriever, the next step is to cut on sentence or paragraph boundaries instead."""

sdk(
    "f-ot-a04", "medium",
    "Reworking one chunking function to prefer sentence boundaries under a hard token limit, with pytest tests, is a contained function with clear rules.",
    [
        {"role": "user", "content": "I'm building the ingestion step for our internal docs search (RAG over Confluence exports). Write a Python function that splits text into chunks of at most N tokens (tiktoken cl100k_base) with some overlap between chunks."},
        {"role": "assistant", "content": _chunker_v1},
        {"role": "user", "content": "ok that cuts words in half like you said. change it: prefer to end chunks at sentence boundaries (., ?, ! followed by space/newline) or blank lines, never exceed max_tokens, overlap should be whole sentences too (as many as fit in `overlap` tokens). a single sentence longer than max_tokens still has to be split somehow. and write pytest tests incl. that edge case, empty text, and text with no punctuation at all"},
    ],
    system="You are a senior Python engineer helping a colleague. Python 3.12, typed, no external deps beyond what's mentioned.",
)

sdk(
    "f-ot-a05", "medium",
    "Explaining why a small coroutine program prints in a given order, in terms of dispatchers and structured concurrency, is ordinary code explanation.",
    [{"role": "user", "content": "can someone explain the output order here? I expected 1 2 3 4 5\n\n```kotlin\nimport kotlinx.coroutines.*\n\nfun main() = runBlocking {\n    println(\"1\")\n    launch {\n        println(\"2\")\n        delay(100)\n        println(\"3\")\n    }\n    val d = async(Dispatchers.Default) {\n        println(\"4\")\n        42\n    }\n    println(\"5 \" + d.await())\n    coroutineScope {\n        launch { println(\"6\") }\n        println(\"7\")\n    }\n    println(\"8\")\n}\n```\n\nI get:\n```\n1\n4\n2\n5 42\n7\n6\n8\n3\n```\nsometimes 4 and 2 swap. why does 3 come last, why is 7 before 6, and why can 4/2 swap but the rest never change?"}],
)

sdk(
    "f-ot-a06", "medium",
    "A per-category top-five revenue query with ties and a share-of-category column is ordinary SQL with window functions.",
    [{"role": "user", "content": "MySQL 8.0. tables:\n\norders(id, placed_at datetime, status enum('placed','paid','shipped','cancelled','refunded'))\norder_items(order_id, product_id, qty int, unit_price_cents int)\nproducts(id, name, category_id)\ncategories(id, name)\n\nfor last calendar quarter (relative to today), per category: top 5 products by revenue (paid+shipped orders only), ties included (so could be 6-7 rows), with revenue in EUR (cents/100), the product's share of its category's revenue in %, and rank. sorted by category name then rank"}],
    system="You write correct, readable MySQL 8 SQL. Explain briefly after the query.",
)

sdk(
    "f-ot-a07", "complex",
    "Moving four services from a shared HS256 secret to RS256 with key rotation and no forced logout is an auth and secrets change across services with a risky rollout.",
    [{"role": "user", "content": "We have 4 Node/TypeScript services (gateway, accounts, billing, notifications) that all verify session JWTs with the same HS256 secret from env JWT_SECRET; accounts also signs them. Pen test flagged it: any service that can verify can also mint tokens, and the secret has been in CI logs once. We want RS256 (or EdDSA) with accounts as the only signer, a JWKS endpoint, kid-based rotation every 90 days, and the other three verifying via JWKS with caching. Constraints: ~1.2M active sessions with 30-day refresh tokens, no forced logout, zero downtime, deploys are per service (not atomic). Current verify code in each service:\n\n```ts\nimport jwt from \"jsonwebtoken\";\n\nexport function verifySession(token: string): Session {\n  const claims = jwt.verify(token, process.env.JWT_SECRET!, { algorithms: [\"HS256\"], issuer: \"accounts\" }) as JwtClaims;\n  return { userId: claims.sub, orgId: claims.org, roles: claims.roles ?? [] };\n}\n```\n\nand signing in accounts:\n\n```ts\nexport function issueAccessToken(user: User): string {\n  return jwt.sign({ sub: user.id, org: user.orgId, roles: user.roles }, process.env.JWT_SECRET!, { algorithm: \"HS256\", issuer: \"accounts\", expiresIn: \"15m\" });\n}\n```\n\nGive me the rollout plan step by step (what ships in which service in which order, what each step must accept), the code for signing, JWKS, verification with caching and kid handling, and what to do with the old secret at the end."}],
    max_tokens=8192,
)

_scraper_py = """import asyncio
import time

import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.AsyncClient(timeout=10.0)  # shared, created at import
PARTNERS = ["https://api.partner-a.example", "https://api.partner-b.example", "https://api.partner-c.example"]


def sign(payload: bytes) -> str:
    import hmac, hashlib, os
    return hmac.new(os.environ["PARTNER_KEY"].encode(), payload, hashlib.sha256).hexdigest()


async def fetch_quote(base: str, sku: str) -> dict:
    body = f'{{"sku": "{sku}"}}'.encode()
    r = await client.post(f"{base}/v2/quote", content=body, headers={"X-Sig": sign(body)})
    r.raise_for_status()
    return r.json()


@app.get("/quotes/{sku}")
async def quotes(sku: str):
    started = time.perf_counter()
    results = await asyncio.gather(*(fetch_quote(p, sku) for p in PARTNERS), return_exceptions=True)
    best = min((q for q in results if isinstance(q, dict)), key=lambda q: q["price_cents"], default=None)
    log_quote(sku, best, time.perf_counter() - started)
    return {"sku": sku, "best": best}


def log_quote(sku, best, secs):
    import requests
    requests.post("http://audit.internal/quotes", json={"sku": sku, "best": best, "secs": secs}, timeout=2)
"""

sdk(
    "f-ot-a08", "complex",
    "A p99 jump from 90 ms to 12 s only under concurrent load, with clean upstream latencies, points at event-loop blocking and pool limits that the code does not name, which is a performance and concurrency fix.",
    [{"role": "user", "content": f"FastAPI service, uvicorn 1 worker per pod, 4 pods. Under load test (400 rps total) p50 is fine (95ms) but p99 goes from 90ms to ~12s and we get httpx.PoolTimeout now and then. Partner APIs themselves answer in 40-70ms according to their dashboards and our own traces of the outbound calls (when they do start). At 20 rps everything is fine. CPU per pod ~35%. The whole service:\n\n```python\n{_scraper_py}```\n\nWe tried raising the httpx timeout to 30s (made it worse) and adding pods (helped a little). What is actually going on and how do we fix it properly? Give me the fixed code."}],
    max_tokens=6000,
)

sdk(
    "f-ot-a09", "complex",
    "Merging duplicate customer accounts in the production database by re-pointing orders and payments and deleting rows is a destructive bulk change on money records that needs dry runs, auditability and a way back.",
    [{"role": "user", "content": "Postgres 15, production. Due to a signup bug we have ~8,400 duplicate customers (same lower(email), created within the same minute). Each duplicate may have orders, payments, addresses, and support_tickets pointing at it (FKs, some ON DELETE CASCADE — addresses and sessions cascade, orders and payments are RESTRICT). I need a SQL script that for every duplicate group keeps the oldest customer, re-points all orders/payments/tickets/addresses to it, merges marketing_consent (true wins), then deletes the duplicates. I'll run it tonight in psql against prod, the app stays up. Write it."}],
    system="You are a database engineer.",
    max_tokens=8192,
)

sdk(
    "f-ot-a10", "reasoning",
    "Sizing a worker pool from bursty arrival data and a wait-time SLO needs a queueing model, its assumptions and a derivation, and extended thinking is enabled.",
    [{"role": "user", "content": "Capacity question, I want the reasoning not just a number. Our PDF render workers pull jobs from SQS. Service times: lognormal-ish, mean 2.4s, p95 7.9s, p99 14s (measured over 300k jobs). Arrivals: 9-17h weekdays mean 38 jobs/s, but at :00 and :30 every hour a batch of 1,500-2,500 jobs lands within ~20s (scheduled reports). Outside office hours ~4 jobs/s. SLO: 95% of non-batch jobs start within 2s of arrival; batch jobs must all finish within 10 minutes of landing. Each worker handles one job at a time; a pod has 4 workers and costs 0.19 USD/h; scale-out takes ~90s. Questions: (1) minimum steady workers for the daytime SLO ignoring batches (justify the model, M/G/c approximation or otherwise), (2) what the batches do to the interactive SLO with a single FIFO queue, (3) whether a second queue / priority or pre-scaling before :00/:30 is cheaper, with numbers. State your assumptions."}],
    max_tokens=20000,
    thinking={"type": "enabled", "budget_tokens": 12000},
)

_design_doc = """# Order pipeline v2 (draft)

## Goal
Replace the synchronous checkout (API -> payments -> inventory -> shipping, one DB transaction in the monolith)
with services communicating over Kafka. Target: 800 orders/s peak (Black Friday), today 120/s.

## Flow (choreography)
1. orders-svc writes order (PENDING) and publishes OrderPlaced (transactional outbox, Debezium)
2. payments-svc consumes OrderPlaced, authorises card, publishes PaymentAuthorised / PaymentFailed
3. inventory-svc consumes PaymentAuthorised, reserves stock, publishes StockReserved / OutOfStock
4. On OutOfStock, payments-svc consumes it and voids the authorisation, publishes PaymentVoided
5. shipping-svc consumes StockReserved, creates shipment, publishes ShipmentCreated
6. orders-svc consumes all events and updates order status

## Guarantees we want
- No order shipped without a captured payment; no captured payment without an order that ships or is refunded
- Customer sees a final status within 30 s for 99.9% of orders
- Each service owns its DB; at-least-once delivery, consumers idempotent by event id

## Open
- Capture happens when? (auth at step 2, capture at shipment?)
- Do we need an orchestrator instead?
"""

sdk(
    "f-ot-a11", "reasoning",
    "Reviewing a choreographed order saga for failure modes against its stated guarantees and deciding between choreography and orchestration is an architecture decision with real trade-offs.",
    [{"role": "user", "content": f"Review this design doc. I want: every way the stated guarantees can be violated (reorderings, duplicates, partial failures, timeouts between steps, consumer lag, the outbox), whether choreography is the right call here or an orchestrator (Temporal or a hand-written saga coordinator in orders-svc) is, and what you would change. Be concrete about which event or state causes each failure.\n\n{_design_doc}"}],
    system="You are a principal engineer reviewing design documents. Be direct. Prioritise issues by impact.",
    max_tokens=8000,
)

sdk(
    "f-ot-a12", "reasoning",
    "After a greedy timetable failed, formulating exam scheduling with room capacities and student conflicts as an optimisation model and arguing its tractability is a hard algorithmic problem.",
    [
        {"role": "user", "content": "University exam timetabling: 1,140 exams, 38,000 students, 62 rooms (capacities 20-450), 10 days x 3 slots. Hard: no student has two exams in the same slot; room capacity; some exams need specific rooms (labs); an exam can be split across rooms in the same building. Soft: avoid students having 2 exams on the same day, avoid back-to-back evening+morning. What algorithm should I use?"},
        {"role": "assistant", "content": "A common starting point is graph colouring: build a conflict graph with one node per exam and an edge between two exams that share a student, then colour it with the 30 slots using a largest-degree-first (Welsh-Powell) or DSatur heuristic. After assigning slots, pack exams into rooms per slot with first-fit decreasing by enrolment. Then improve the soft constraints with a local search (swap two exams' slots if it reduces same-day pairs without creating conflicts)."},
        {"role": "user", "content": "I implemented exactly that. DSatur needs 34 colours, we only have 30 slots, and when I force 30 it leaves 19 exams unplaced. room packing after the fact also fails in 3 slots because the big exams all landed together. so: is 30 slots even feasible (how would I know, can I get a lower bound?), and what's the right formulation — ILP, CP-SAT, something else — that does slots and rooms together and scales to this size? explain why it would work where the greedy didn't, how to decompose it if the full model is too big, and what runtime to expect."},
    ],
    max_tokens=10000,
)
