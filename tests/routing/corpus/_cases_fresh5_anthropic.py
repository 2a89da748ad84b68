"""Fresh5-split cases (anthropic dialect): written blind to the router, measured once. See corpus README."""
# ruff: noqa: E501

from __future__ import annotations

import random
from datetime import datetime, timedelta

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
# harbourpass: ferry booking and quay check-in in C# / ASP.NET Core; trailhead: park permits in TypeScript / NestJS.

_INLINE: dict[str, Project] = {
    p.key: p
    for p in [
        Project(
            "harbour", "harbourpass", "fjordlink/harbourpass", "/Users/sigrid", "/Users/sigrid/src/harbourpass", "darwin",
            "sigrid/sailings-by-date",
            "M src/HarbourPass.Api/Endpoints/SailingEndpoints.cs",
            "5c0e2d7 Check-in: scanner sync endpoint returns delta since cursor (#612)\n91ab4f0 Refunds go through RefundService only (#608)\ne3d7a15 Vessels: lane metres per deck in config (#603)\n2f90c68 Hangfire 1.8.14 (#599)\nb41d8e3 Sailings: status Cancelled + reason (#596)",
            editor="Rider",
            notes="""# harbourpass

Booking and check-in for Fjordlink, a regional ferry operator: 6 routes, 9 vessels, passengers and
vehicles. Sales on the web and in the app, check-in at the quay with handheld scanners.

.NET 8, ASP.NET Core minimal APIs, EF Core 8 + Npgsql, Postgres 16, Hangfire (jobs), xUnit + Testcontainers.

- `dotnet build`, `dotnet test` (integration tests start Postgres via Testcontainers, Docker must be running)
- `dotnet format` before committing; CI runs `dotnet format --verify-no-changes`
- Projects: `HarbourPass.Api` (endpoints), `HarbourPass.Application` (queries, commands, services),
  `HarbourPass.Domain`, `HarbourPass.Infrastructure` (EF Core, Nets Easy client, migrations)
- Migrations: `dotnet ef migrations add <Name> -p src/HarbourPass.Infrastructure -s src/HarbourPass.Api`.
  Prod migrations run only from the release pipeline, never from a laptop.
- Money is `long` øre (NOK minor units). Times are stored UTC and shown in Europe/Oslo.
- Refunds always go through `RefundService` (writes a `Refund` row, then calls Nets Easy with the
  refund id as idempotency key).
""",
        ),
        Project(
            "trailhead", "trailhead", "cascade-parks/trailhead", "/home/mo", "/home/mo/work/trailhead", "linux",
            "mo/waitlist-offers",
            "M src/permits/permits.service.ts\nM src/waitlist/waitlist.service.ts",
            "0e6b91c lottery: import 2026 applications from the form export (#318)\n7d2c4a5 permits: cancel releases quota in the same transaction (#315)\nb93f1e0 notify: SMS via the notify queue (#311)\n48a0c7d prisma 5.20 (#309)\nc1f5e22 trailheads: per-day quota overrides for trail work (#305)",
            shell="bash",
            notes="""# trailhead

Permits for the Cascade Ridge park authority: day-use and overnight permits for 38 trailheads,
daily quotas per trailhead, a pre-season lottery for peak dates, and a waitlist.

TypeScript 5.6, NestJS 10, Prisma 5 on Postgres 16, BullMQ on Redis, Jest.

- `pnpm test` (unit), `pnpm test:e2e` (needs `docker compose up -d db redis`; each e2e file gets a fresh schema)
- `pnpm lint` and `pnpm typecheck` before pushing
- Modules under `src/<module>/`: controller, service, dto, `*.spec.ts` next to the code; e2e in `test/`
- Quotas: `TrailheadDay.remaining` is changed only inside the booking/cancel transaction
- Dates are trailhead-local (America/Los_Angeles) `YYYY-MM-DD` strings, not Date objects
- Emails and SMS go through the `notify` queue (BullMQ), never sent inline from a request
""",
        ),
    ]
}


BOOK = CaseBook(CASES, _INLINE)
cc, side, sdk = BOOK.cc, BOOK.side, BOOK.sdk

PAY, WEB, GW, TW, LED, RND, WH, INF, SHOP = (FX[k] for k in ("payments", "web", "gateway", "tidewater", "ledger", "render", "warehouse", "infra", "shopfront"))


# =========================================================================== shared file contents and generated outputs

_hp_packages = """<Project>
  <PropertyGroup>
    <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
    <CentralPackageTransitivePinningEnabled>true</CentralPackageTransitivePinningEnabled>
  </PropertyGroup>
  <ItemGroup>
    <PackageVersion Include="FluentValidation.DependencyInjectionExtensions" Version="11.9.2" />
    <PackageVersion Include="Hangfire.AspNetCore" Version="1.8.14" />
    <PackageVersion Include="Hangfire.PostgreSql" Version="1.20.9" />
    <PackageVersion Include="Microsoft.EntityFrameworkCore.Design" Version="8.0.8" />
    <PackageVersion Include="Npgsql.EntityFrameworkCore.PostgreSQL" Version="8.0.4" />
    <PackageVersion Include="QRCoder" Version="1.6.0" />
    <PackageVersion Include="Serilog.AspNetCore" Version="8.0.2" />
    <PackageVersion Include="Serilog.Sinks.Seq" Version="8.0.0" />
  </ItemGroup>
  <ItemGroup Label="Tests">
    <PackageVersion Include="FluentAssertions" Version="6.12.1" />
    <PackageVersion Include="Microsoft.AspNetCore.Mvc.Testing" Version="8.0.8" />
    <PackageVersion Include="Microsoft.NET.Test.Sdk" Version="17.11.1" />
    <PackageVersion Include="Testcontainers.PostgreSql" Version="3.10.0" />
    <PackageVersion Include="xunit" Version="2.9.0" />
    <PackageVersion Include="xunit.runner.visualstudio" Version="2.8.2" />
  </ItemGroup>
</Project>
"""

_hp_global_json = """{
  "sdk": {
    "version": "8.0.403",
    "rollForward": "latestPatch",
    "allowPrerelease": false
  }
}
"""

_hp_dockerfile = """# syntax=docker/dockerfile:1.7
FROM mcr.microsoft.com/dotnet/sdk:8.0.404-bookworm-slim AS build
WORKDIR /src
COPY global.json Directory.Packages.props Directory.Build.props ./
COPY src/HarbourPass.Api/HarbourPass.Api.csproj src/HarbourPass.Api/
COPY src/HarbourPass.Application/HarbourPass.Application.csproj src/HarbourPass.Application/
COPY src/HarbourPass.Domain/HarbourPass.Domain.csproj src/HarbourPass.Domain/
COPY src/HarbourPass.Infrastructure/HarbourPass.Infrastructure.csproj src/HarbourPass.Infrastructure/
RUN dotnet restore src/HarbourPass.Api/HarbourPass.Api.csproj
COPY src/ src/
RUN dotnet publish src/HarbourPass.Api -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:8.0.11-bookworm-slim
WORKDIR /app
COPY --from=build /app .
USER app
ENV ASPNETCORE_HTTP_PORTS=8080 \\
    DOTNET_gcServer=1
EXPOSE 8080
ENTRYPOINT ["dotnet", "HarbourPass.Api.dll"]
"""

_hp_sailing_endpoints = """using HarbourPass.Application.Sailings;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HarbourPass.Api.Endpoints;

public static class SailingEndpoints
{
    public static RouteGroupBuilder MapSailings(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/sailings").WithTags("Sailings");

        g.MapGet("/", async (string route, SailingQueries q, CancellationToken ct) =>
            TypedResults.Ok(await q.ListUpcoming(route, ct)));

        g.MapGet("/{id:guid}", async Task<Results<Ok<SailingDetail>, NotFound>> (Guid id, SailingQueries q, CancellationToken ct) =>
            await q.Get(id, ct) is { } s ? TypedResults.Ok(s) : TypedResults.NotFound());

        g.MapGet("/{id:guid}/availability", async Task<Results<Ok<Availability>, NotFound>> (Guid id, SailingQueries q, CancellationToken ct) =>
            await q.Availability(id, ct) is { } a ? TypedResults.Ok(a) : TypedResults.NotFound());

        return g;
    }
}
"""

_hp_sailing_queries = """using HarbourPass.Domain.Sailings;
using HarbourPass.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HarbourPass.Application.Sailings;

public sealed record SailingSummary(Guid Id, string Route, string Vessel, DateTimeOffset DepartsAt, DateTimeOffset ArrivesAt, string Status);
public sealed record SailingDetail(Guid Id, string Route, string Vessel, DateTimeOffset DepartsAt, DateTimeOffset ArrivesAt, string Status, int PassengerCapacity, int LaneMetres);
public sealed record Availability(Guid SailingId, int PassengersLeft, int LaneMetresLeft);

public sealed class SailingQueries(HarbourDbContext db, TimeProvider clock)
{
    public async Task<IReadOnlyList<SailingSummary>> ListUpcoming(string route, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await db.Sailings.AsNoTracking()
            .Where(s => s.Route.Code == route && s.DepartsAt >= now && s.Status != SailingStatus.Cancelled)
            .OrderBy(s => s.DepartsAt)
            .Take(50)
            .Select(s => new SailingSummary(s.Id, s.Route.Code, s.Vessel.Name, s.DepartsAt, s.ArrivesAt, s.Status.ToString()))
            .ToListAsync(ct);
    }

    public Task<SailingDetail?> Get(Guid id, CancellationToken ct) =>
        db.Sailings.AsNoTracking()
            .Where(s => s.Id == id)
            .Select(s => new SailingDetail(s.Id, s.Route.Code, s.Vessel.Name, s.DepartsAt, s.ArrivesAt, s.Status.ToString(),
                                           s.Vessel.PassengerCapacity, s.Vessel.LaneMetres))
            .SingleOrDefaultAsync(ct);

    public async Task<Availability?> Availability(Guid id, CancellationToken ct)
    {
        var s = await db.Sailings.AsNoTracking()
            .Where(x => x.Id == id)
            .Select(x => new { x.Id, x.Vessel.PassengerCapacity, x.Vessel.LaneMetres,
                               Pax = x.Bookings.Where(b => b.Status != BookingStatus.Cancelled).Sum(b => b.Passengers),
                               Lane = x.Bookings.Where(b => b.Status != BookingStatus.Cancelled).Sum(b => b.LaneMetres) })
            .SingleOrDefaultAsync(ct);
        return s is null ? null : new Availability(s.Id, s.PassengerCapacity - s.Pax, s.LaneMetres - s.Lane);
    }
}
"""

_hp_oslo_time = """namespace HarbourPass.Domain;

/// <summary>Conversions between the Oslo calendar (what customers and crew see) and UTC (what we store).</summary>
public static class OsloTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Oslo");

    public static DateOnly Today(TimeProvider clock) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone).DateTime);

    /// <summary>[start, end) of an Oslo calendar day in UTC; 23 or 25 hours long on DST change days.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) DayBoundsUtc(DateOnly day)
    {
        var start = TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), Zone);
        var end = TimeZoneInfo.ConvertTimeToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue), Zone);
        return (new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(end, TimeSpan.Zero));
    }
}
"""

_hp_sailing_tests = """using System.Net;
using System.Net.Http.Json;
using FluentAssertions;
using HarbourPass.Application.Sailings;
using HarbourPass.Tests.Infrastructure;

namespace HarbourPass.Tests.Api;

public sealed class SailingEndpointsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task List_returns_upcoming_sailings_for_route_in_departure_order()
    {
        await factory.Seed(s => s.Sailing("HAL-KAN", departsUtc: "2025-10-24T04:40:00Z")
                                 .Sailing("HAL-KAN", departsUtc: "2025-10-24T06:10:00Z")
                                 .Sailing("SOL-VIK", departsUtc: "2025-10-24T05:00:00Z"));
        factory.Clock.SetUtcNow(DateTimeOffset.Parse("2025-10-24T03:00:00Z"));

        var list = await factory.CreateClient().GetFromJsonAsync<List<SailingSummary>>("/api/sailings?route=HAL-KAN");

        list!.Select(x => x.DepartsAt.UtcDateTime.Hour).Should().Equal(4, 6);
    }

    [Fact]
    public async Task List_excludes_cancelled_sailings()
    {
        await factory.Seed(s => s.Sailing("HAL-KAN", departsUtc: "2025-10-24T04:40:00Z", cancelled: true));
        factory.Clock.SetUtcNow(DateTimeOffset.Parse("2025-10-24T03:00:00Z"));

        var list = await factory.CreateClient().GetFromJsonAsync<List<SailingSummary>>("/api/sailings?route=HAL-KAN");

        list.Should().BeEmpty();
    }

    [Fact]
    public async Task Get_unknown_sailing_is_404()
    {
        var res = await factory.CreateClient().GetAsync($"/api/sailings/{Guid.NewGuid()}");
        res.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
"""

_hp_refund_service = """using HarbourPass.Domain.Bookings;
using HarbourPass.Infrastructure;
using HarbourPass.Infrastructure.Nets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace HarbourPass.Application.Refunds;

public sealed class RefundService(HarbourDbContext db, INetsEasyClient nets, TimeProvider clock, ILogger<RefundService> log)
{
    public async Task<Refund> RefundBookingAsync(Guid bookingId, long amountOre, string reason, string actor, CancellationToken ct)
    {
        var booking = await db.Bookings
            .Include(b => b.Payments)
            .Include(b => b.Refunds)
            .SingleAsync(b => b.Id == bookingId, ct);

        var captured = booking.Payments.Where(p => p.Status == PaymentStatus.Captured).Sum(p => p.AmountOre);
        var refunded = booking.Refunds.Where(r => r.Status != RefundStatus.Failed).Sum(r => r.AmountOre);
        var refundable = captured - refunded;
        if (amountOre <= 0 || amountOre > refundable)
            throw new RefundNotAllowedException(bookingId, amountOre, refundable);

        var refund = new Refund(Guid.NewGuid(), bookingId, amountOre, reason, actor, clock.GetUtcNow());
        db.Refunds.Add(refund);
        await db.SaveChangesAsync(ct);

        // Nets refunds against one charge; bookings normally have exactly one captured payment.
        var payment = booking.Payments.First(p => p.Status == PaymentStatus.Captured);
        var result = await nets.RefundChargeAsync(payment.ChargeId, amountOre, idempotencyKey: refund.Id.ToString("N"), ct);
        refund.MarkSent(result.RefundId, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);

        log.LogInformation("Refund {RefundId} of {AmountOre} for booking {BookingId} by {Actor}: {Reason}",
            refund.Id, amountOre, bookingId, actor, reason);
        return refund;
    }
}
"""


def _jest_trailhead(seed: int, fail: dict[str, str] | None = None, e2e: bool = False) -> str:
    """`pnpm test` (jest --verbose) over trailhead; fail maps test title -> failure block."""
    rng = random.Random(seed)
    fail = fail or {}
    unit = {
        "src/permits/permits.service.spec.ts": ("PermitsService", ["issues a permit and decrements remaining", "rejects a party larger than remaining", "rejects dates outside the booking window", "cancel releases the party size back to the day", "cancel is idempotent for an already cancelled permit", "queues a permitIssued notification"]),
        "src/waitlist/waitlist.service.spec.ts": ("WaitlistService", ["joins the waitlist once per user and day", "offers the freed spots to the oldest entry that fits", "skips entries whose party is larger than the freed spots", "expires an offer after 4 hours", "moves on to the next entry when an offer expires", "does not offer to a user who already holds a permit that day"]),
        "src/trailheads/trailheads.service.spec.ts": ("TrailheadsService", ["lists trailheads with today's remaining", "applies a quota override for trail work days", "closes a trailhead for a date range"]),
        "src/lottery/lottery.import.spec.ts": ("LotteryImport", ["parses the form export CSV", "rejects rows with more than 3 choices", "normalises party sizes above 12 to 12", "dedupes applications by email"]),
        "src/notify/notify.queue.spec.ts": ("NotifyQueue", ["adds permitIssued with the permit id as job id", "adds waitlistOffer with a 4h delay for the expiry check"]),
        "src/common/local-date.spec.ts": ("localDate", ["formats a date in America/Los_Angeles", "rejects 2026-02-30", "adds days across the DST change"]),
    }
    e2e_files = {
        "test/permits.e2e-spec.ts": ("POST /permits", ["201 and a permit for a signed-in user", "409 when the day is full", "401 without a session", "last spot goes to exactly one of two concurrent requests"]),
        "test/waitlist.e2e-spec.ts": ("waitlist flow", ["cancel -> offer -> accept issues a permit", "offer expiry hands the spots to the next entry"]),
    }
    files = e2e_files if e2e else unit
    out = [f"> trailhead@0.14.0 {'test:e2e' if e2e else 'test'} /home/mo/work/trailhead", f"> jest {'--config test/jest-e2e.json --runInBand' if e2e else '--verbose'}", ""]
    total = failed = 0
    blocks = []
    for path, (suite, tests) in files.items():
        bad = [t for t in tests if t in fail]
        out.append(f"{'FAIL' if bad else 'PASS'} {path}{' (' + str(round(rng.uniform(0.8, 9.5), 3)) + ' s)' if e2e or rng.random() < 0.5 else ''}")
        out.append(f"  {suite}")
        for t in tests:
            total += 1
            if t in fail:
                failed += 1
                out.append(f"    ✕ {t} ({rng.randrange(3, 900)} ms)")
                blocks.append(f"  ● {suite} › {t}\n\n{fail[t]}\n")
            else:
                out.append(f"    ✓ {t} ({rng.randrange(1, 120 if not e2e else 1400)} ms)")
        out.append("")
    out += blocks
    suites = len(files)
    bad_suites = sum(1 for _p, (_s, ts) in files.items() if any(t in fail for t in ts))
    out.append(f"Test Suites: {str(bad_suites) + ' failed, ' if bad_suites else ''}{suites - bad_suites} passed, {suites} total")
    out.append(f"Tests:       {str(failed) + ' failed, ' if failed else ''}{total - failed} passed, {total} total")
    out.append("Snapshots:   0 total")
    out.append(f"Time:        {rng.uniform(4, 30):.3f} s")
    out.append("Ran all test suites.")
    if failed:
        out.append(" ELIFECYCLE  Test failed. See above for more details.")
    return "\n".join(out) + "\n"


_th_permits_service = """import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { NotifyQueue } from '../notify/notify.queue';
import { assertBookable } from '../common/booking-window';
import { CreatePermitDto } from './dto/create-permit.dto';

@Injectable()
export class PermitsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly notify: NotifyQueue,
  ) {}

  async create(userId: string, dto: CreatePermitDto) {
    assertBookable(dto.date);
    const permit = await this.prisma.$transaction(async (tx) => {
      const day = await tx.trailheadDay.findUnique({
        where: { trailheadId_date: { trailheadId: dto.trailheadId, date: dto.date } },
      });
      if (!day || day.closed) {
        throw new NotFoundException('no permits are issued for that trailhead on that date');
      }
      if (day.remaining < dto.partySize) {
        throw new ConflictException('not enough permits left for that day');
      }
      await tx.trailheadDay.update({
        where: { id: day.id },
        data: { remaining: { decrement: dto.partySize } },
      });
      return tx.permit.create({
        data: { userId, trailheadDayId: day.id, partySize: dto.partySize, kind: dto.kind, status: 'ISSUED' },
      });
    });
    await this.notify.permitIssued(permit.id);
    return permit;
  }

  async cancel(userId: string, permitId: string) {
    return this.prisma.$transaction(async (tx) => {
      const permit = await tx.permit.findFirst({ where: { id: permitId, userId } });
      if (!permit) throw new NotFoundException();
      if (permit.status === 'CANCELLED') return permit;
      await tx.trailheadDay.update({
        where: { id: permit.trailheadDayId },
        data: { remaining: { increment: permit.partySize } },
      });
      return tx.permit.update({
        where: { id: permit.id },
        data: { status: 'CANCELLED', cancelledAt: new Date() },
      });
    });
  }
}
"""

_th_waitlist_service = """import { Injectable, Logger } from '@nestjs/common';
import { Prisma } from '@prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { NotifyQueue } from '../notify/notify.queue';

export const OFFER_TTL_MS = 4 * 60 * 60 * 1000;

type Tx = Prisma.TransactionClient;

@Injectable()
export class WaitlistService {
  private readonly log = new Logger(WaitlistService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly notify: NotifyQueue,
  ) {}

  async join(userId: string, trailheadDayId: string, partySize: number) {
    return this.prisma.waitlistEntry.upsert({
      where: { userId_trailheadDayId: { userId, trailheadDayId } },
      create: { userId, trailheadDayId, partySize, status: 'WAITING' },
      update: { partySize },
    });
  }

  /** Ranger UI "offer" button: offer `spots` to the oldest waiting entries whose party fits. */
  async offer(trailheadDayId: string, spots: number, tx: Tx = this.prisma) {
    const waiting = await tx.waitlistEntry.findMany({
      where: { trailheadDayId, status: 'WAITING' },
      orderBy: { createdAt: 'asc' },
    });
    const offered: string[] = [];
    let left = spots;
    for (const entry of waiting) {
      if (entry.partySize > left) continue;
      const holds = await tx.permit.count({
        where: { userId: entry.userId, trailheadDayId, status: 'ISSUED' },
      });
      if (holds > 0) continue;
      await tx.waitlistEntry.update({
        where: { id: entry.id },
        data: { status: 'OFFERED', offeredAt: new Date(), offerExpiresAt: new Date(Date.now() + OFFER_TTL_MS) },
      });
      offered.push(entry.id);
      left -= entry.partySize;
      if (left === 0) break;
    }
    this.log.log(`offered ${spots - left}/${spots} spots on ${trailheadDayId} to ${offered.length} entries`);
    return offered;
  }

  async accept(userId: string, entryId: string) {
    return this.prisma.$transaction(async (tx) => {
      const entry = await tx.waitlistEntry.findFirstOrThrow({ where: { id: entryId, userId, status: 'OFFERED' } });
      if (entry.offerExpiresAt! < new Date()) {
        throw new Error('offer expired');
      }
      await tx.waitlistEntry.update({ where: { id: entry.id }, data: { status: 'ACCEPTED' } });
      return tx.permit.create({
        data: { userId, trailheadDayId: entry.trailheadDayId, partySize: entry.partySize, kind: 'DAY_USE', status: 'ISSUED' },
      });
    });
  }
}
"""

_th_notify_queue = """import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';

@Injectable()
export class NotifyQueue {
  constructor(@InjectQueue('notify') private readonly queue: Queue) {}

  permitIssued(permitId: string) {
    return this.queue.add('permitIssued', { permitId }, { jobId: `permit-issued:${permitId}` });
  }

  waitlistOffer(entryIds: string[]) {
    return this.queue.addBulk(
      entryIds.map((id) => ({ name: 'waitlistOffer', data: { entryId: id }, opts: { jobId: `waitlist-offer:${id}` } })),
    );
  }

  offerExpiryCheck(entryId: string, delayMs: number) {
    return this.queue.add('offerExpiryCheck', { entryId }, { jobId: `offer-expiry:${entryId}`, delay: delayMs });
  }
}
"""

_th_nest_di_error = """> trailhead@0.14.0 test /home/mo/work/trailhead
> jest --verbose

FAIL src/permits/permits.service.spec.ts
  ● Test suite failed to run

    Nest can't resolve dependencies of the PermitsService (PrismaService, NotifyQueue, ?). Please make sure that the argument WaitlistService at index [2] is available in the PermitsModule context.

    Potential solutions:
    - Is PermitsModule a valid NestJS module?
    - If WaitlistService is a provider, is it part of the current PermitsModule?
    - If WaitlistService is exported from a separate @Module, is that module imported within PermitsModule?
      @Module({
        imports: [ /* the Module containing WaitlistService */ ]
      })

      at Injector.lookupComponentInParentModules (../node_modules/.pnpm/@nestjs+core@10.4.4/node_modules/@nestjs/core/injector/injector.js:254:19)
      at Injector.resolveComponentInstance (../node_modules/.pnpm/@nestjs+core@10.4.4/node_modules/@nestjs/core/injector/injector.js:207:33)
      at resolveParam (../node_modules/.pnpm/@nestjs+core@10.4.4/node_modules/@nestjs/core/injector/injector.js:128:38)
      at async Promise.all (index 2)

PASS src/waitlist/waitlist.service.spec.ts
PASS src/trailheads/trailheads.service.spec.ts
PASS src/lottery/lottery.import.spec.ts
PASS src/notify/notify.queue.spec.ts
PASS src/common/local-date.spec.ts

Test Suites: 1 failed, 5 passed, 6 total
Tests:       18 passed, 18 total
Snapshots:   0 total
Time:        6.114 s
Ran all test suites.
 ELIFECYCLE  Test failed. See above for more details.
"""


def _e2e_boot_log(seed: int) -> str:
    """docker compose + prisma migrate deploy + Nest boot lines that precede an e2e run."""
    rng = random.Random(seed)
    out = [
        "[+] Running 2/2",
        " ✔ Container trailhead-db-1     Running",
        " ✔ Container trailhead-redis-1  Running",
        "Prisma schema loaded from prisma/schema.prisma",
        "Datasource \"db\": PostgreSQL database \"trailhead_e2e\", schema \"e2e_permits\" at \"localhost:5434\"",
        "",
        "23 migrations found in prisma/migrations",
        "",
        "Applying migration `20250412093011_init`",
    ]
    for name in ["trailheads", "trailhead_days", "permits", "permit_kind", "waitlist", "waitlist_offer_expiry", "lottery_applications", "lottery_choices", "quota_overrides", "closures", "users_phone", "permit_cancelled_at", "notify_outbox", "trailhead_timezone", "lottery_results", "waitlist_unique_user_day", "permit_party_check", "day_closed_flag", "ranger_notes", "users_locale", "lottery_seed", "permit_status_idx"]:
        out.append(f"Applying migration `2025{rng.randrange(4, 10):02d}{rng.randrange(1, 28):02d}{rng.randrange(0, 24):02d}{rng.randrange(0, 60):02d}{rng.randrange(0, 60):02d}_{name}`")
    out += ["", "All migrations have been successfully applied.", ""]
    t = datetime(2025, 10, 21, 10, 14, 3)
    for mod in ["PrismaModule", "ConfigModule", "BullModule", "NotifyModule", "TrailheadsModule", "PermitsModule", "WaitlistModule", "LotteryModule", "AuthModule", "AppModule"]:
        t += timedelta(milliseconds=rng.randrange(1, 40))
        out.append(f"[Nest] {rng.randrange(20000, 40000)}  - {t:%m/%d/%Y, %I:%M:%S %p}     LOG [InstanceLoader] {mod} dependencies initialized +{rng.randrange(0, 12)}ms")
    for route in ["POST /permits", "DELETE /permits/:id", "GET /trailheads", "GET /trailheads/:id/days", "POST /waitlist", "POST /waitlist/:id/accept", "POST /ranger/waitlist/offer"]:
        out.append(f"[Nest] {rng.randrange(20000, 40000)}  - {t:%m/%d/%Y, %I:%M:%S %p}     LOG [RouterExplorer] Mapped {{{route.split()[1]}, {route.split()[0]}}} route +0ms")
    return "\n".join(out) + "\n"


# =========================================================================== simple: Claude Code side requests

side(
    "m-cc-001", "simple",
    "Deciding whether a Docker-on-Apple-silicon question starts a new topic and giving it a title is a two-field classification.",
    "topic",
    "different thing: docker build of harbourpass dies on my new M3 with `exec /bin/sh: exec format error` at the RUN dotnet restore step. same Dockerfile works on the old intel mac and in CI. any idea?",
)

side(
    "m-cc-002", "simple",
    "Extracting the command prefix of a dotnet ef database update is a lookup against the policy examples, whatever database it points at.",
    "bash_prefix",
    "dotnet ef database update -p src/HarbourPass.Infrastructure -s src/HarbourPass.Api --connection \"$LOCAL_DB\" -- --environment Development",
)

side(
    "m-cc-003", "simple",
    "A short title for a finished conversation about SMS dates shown in UTC is harness bookkeeping.",
    "summary",
    "User: hikers get the permit SMS saying 'valid 2025-10-25' but for people booking after 5pm it says the next day. the email is right\n"
    "Claude: The SMS template formats `permit.trailheadDay.date` through `new Date(date).toISOString().slice(0, 10)`. `date` is already a trailhead-local `YYYY-MM-DD` string; `new Date('2025-10-25')` is midnight UTC, which is fine, but the SMS job was changed in #311 to format `permit.createdAt` instead, and that is a UTC timestamp. After 17:00 in Los Angeles it is already the next day in UTC.\n"
    "User: ugh. use the day's date then\n"
    "Claude: `sms/permit-issued.ts` now prints `permit.trailheadDay.date` as-is (it is the local date) and the test covers a permit created at 18:30 PDT. `pnpm test` passes, 24 tests.\n"
    "User: 👍",
)

side(
    "m-cc-004", "simple",
    "Suggesting what the user might type next after a finished dbt staging model is a harness side request.",
    "suggest",
    "Last user message: \"add stg_zendesk__tickets from raw.zendesk_tickets, rename the columns to our style and cast the timestamps\"\n"
    "Last assistant message: \"Added models/staging/zendesk/stg_zendesk__tickets.sql (ticket_id, requester_id, organization_id, status, priority, channel, created_at, updated_at, solved_at, all timestamps cast to timestamptz) and _zendesk__models.yml with unique + not_null on ticket_id and accepted_values on status. `dbt build -s stg_zendesk__tickets` passes: 1 view, 4 tests.\"",
)


# =========================================================================== simple: Claude Code main loop

cc(
    "m-cc-005", "simple",
    "The grep shows nothing references the untracked scratch script, so the next step is deleting one file the user named.",
    "payments",
    [
        U("get rid of scratch/replay_webhook.py, that was only for last week's incident. check nothing imports it first"),
        par(
            gr("replay_webhook", "No files found", files=True),
            sh("git status --short scratch/", "?? scratch/replay_webhook.py", desc="Check whether the scratch script is tracked"),
        ),
    ],
)

_th_unreleased_session = [
    U("when a permit gets cancelled, the freed spots should go to the waitlist automatically: oldest entry whose party fits, offer valid 4h, SMS + email through the notify queue, and if they don't accept in time it moves on to the next one. WaitlistService.offer already does the picking for the ranger 'offer' button, reuse it. cancel is PermitsService.cancel"),
    todo(("in_progress", "Read PermitsService, WaitlistService and NotifyQueue"), ("pending", "Offer freed spots from PermitsService.cancel"), ("pending", "Offer expiry job that moves on to the next entry"), ("pending", "Unit tests for cancel -> offer and expiry"), ("pending", "Run unit + e2e tests, lint, typecheck")),
    par(rd("src/permits/permits.service.ts", _th_permits_service), rd("src/waitlist/waitlist.service.ts", _th_waitlist_service)),
    rd("src/notify/notify.queue.ts", _th_notify_queue),
    A("Plan: `cancel` already releases the quota inside its transaction, so I'll call `waitlist.offer(dayId, partySize, tx)` in the same transaction (the entries flip to OFFERED atomically with the quota release) and enqueue the notifications after commit. The expiry is a delayed `offerExpiryCheck` job that expires the entry if it is still OFFERED and re-offers the same spots."),
    ed("src/permits/permits.service.ts", "  async cancel(userId: string, permitId: string) {\n    return this.prisma.$transaction(async (tx) => {", "  async cancel(userId: string, permitId: string) {\n    const { permit, offered } = await this.prisma.$transaction(async (tx) => {", src=_th_permits_service),
    ed("src/permits/permits.service.ts", "      return tx.permit.update({\n        where: { id: permit.id },\n        data: { status: 'CANCELLED', cancelledAt: new Date() },\n      });\n    });\n  }", "      const cancelled = await tx.permit.update({\n        where: { id: permit.id },\n        data: { status: 'CANCELLED', cancelledAt: new Date() },\n      });\n      const offered = await this.waitlist.offer(permit.trailheadDayId, permit.partySize, tx);\n      return { permit: cancelled, offered };\n    });\n    if (offered.length) {\n      await this.notify.waitlistOffer(offered);\n      await Promise.all(offered.map((id) => this.notify.offerExpiryCheck(id, OFFER_TTL_MS)));\n    }\n    return permit;\n  }", src=_th_permits_service),
    wr("src/waitlist/offer-expiry.processor.ts", "import { Processor, WorkerHost } from '@nestjs/bullmq';\nimport { Job } from 'bullmq';\nimport { PrismaService } from '../prisma/prisma.service';\nimport { NotifyQueue } from '../notify/notify.queue';\nimport { OFFER_TTL_MS, WaitlistService } from './waitlist.service';\n\n@Processor('notify')\nexport class OfferExpiryProcessor extends WorkerHost {\n  constructor(\n    private readonly prisma: PrismaService,\n    private readonly waitlist: WaitlistService,\n    private readonly notify: NotifyQueue,\n  ) {\n    super();\n  }\n\n  async process(job: Job<{ entryId: string }>) {\n    if (job.name !== 'offerExpiryCheck') return;\n    const offered = await this.prisma.$transaction(async (tx) => {\n      const entry = await tx.waitlistEntry.findUnique({ where: { id: job.data.entryId } });\n      if (!entry || entry.status !== 'OFFERED') return [];\n      await tx.waitlistEntry.update({ where: { id: entry.id }, data: { status: 'EXPIRED' } });\n      return this.waitlist.offer(entry.trailheadDayId, entry.partySize, tx);\n    });\n    if (offered.length) {\n      await this.notify.waitlistOffer(offered);\n      await Promise.all(offered.map((id) => this.notify.offerExpiryCheck(id, OFFER_TTL_MS)));\n    }\n  }\n}\n"),
    sh("pnpm test", _th_nest_di_error, code=1, secs=9.0),
    A("PermitsModule doesn't import WaitlistModule. WaitlistModule doesn't depend on permits, so there's no cycle: export WaitlistService from WaitlistModule and import it in PermitsModule."),
    ed("src/permits/permits.module.ts", "  imports: [PrismaModule, NotifyModule],", "  imports: [PrismaModule, NotifyModule, WaitlistModule],"),
    ed("src/waitlist/waitlist.module.ts", "  providers: [WaitlistService],\n  exports: [],", "  providers: [WaitlistService, OfferExpiryProcessor],\n  exports: [WaitlistService],"),
    wr("src/permits/permits.service.cancel.spec.ts", "import { Test } from '@nestjs/testing';\nimport { PermitsService } from './permits.service';\nimport { WaitlistService, OFFER_TTL_MS } from '../waitlist/waitlist.service';\nimport { NotifyQueue } from '../notify/notify.queue';\nimport { PrismaService } from '../prisma/prisma.service';\nimport { prismaMock, txMock } from '../../test/prisma-mock';\n\ndescribe('PermitsService.cancel', () => {\n  let service: PermitsService;\n  const waitlist = { offer: jest.fn() };\n  const notify = { waitlistOffer: jest.fn(), offerExpiryCheck: jest.fn(), permitIssued: jest.fn() };\n\n  beforeEach(async () => {\n    jest.resetAllMocks();\n    const mod = await Test.createTestingModule({\n      providers: [PermitsService, { provide: PrismaService, useValue: prismaMock }, { provide: WaitlistService, useValue: waitlist }, { provide: NotifyQueue, useValue: notify }],\n    }).compile();\n    service = mod.get(PermitsService);\n    txMock.permit.findFirst.mockResolvedValue({ id: 'p1', userId: 'u1', trailheadDayId: 'd1', partySize: 3, status: 'ISSUED' });\n    txMock.permit.update.mockResolvedValue({ id: 'p1', status: 'CANCELLED' });\n  });\n\n  it('offers the freed party size to the waitlist inside the transaction', async () => {\n    waitlist.offer.mockResolvedValue(['w1']);\n    await service.cancel('u1', 'p1');\n    expect(waitlist.offer).toHaveBeenCalledWith('d1', 3, txMock);\n    expect(notify.waitlistOffer).toHaveBeenCalledWith(['w1']);\n    expect(notify.offerExpiryCheck).toHaveBeenCalledWith('w1', OFFER_TTL_MS);\n  });\n\n  it('does not notify when nobody is waiting', async () => {\n    waitlist.offer.mockResolvedValue([]);\n    await service.cancel('u1', 'p1');\n    expect(notify.waitlistOffer).not.toHaveBeenCalled();\n  });\n});\n"),
    sh("pnpm test", _jest_trailhead(61), secs=8.4),
    sh("docker compose up -d db redis && pnpm prisma migrate deploy && pnpm test:e2e", _e2e_boot_log(3) + _jest_trailhead(62, {"offer expiry hands the spots to the next entry": "    expect(received).toBe(expected) // Object.is equality\n\n    Expected: \"OFFERED\"\n    Received: \"WAITING\"\n\n      71 |     await waitForJobs(app, 'notify');\n      72 |     const second = await prisma.waitlistEntry.findUniqueOrThrow({ where: { id: b.id } });\n    > 73 |     expect(second.status).toBe('OFFERED');\n         |                           ^\n      74 |   });\n\n      at Object.<anonymous> (test/waitlist.e2e-spec.ts:73:27)"}, e2e=True), code=1, secs=41.0),
    rd("test/waitlist.e2e-spec.ts", "import { INestApplication } from '@nestjs/common';\nimport request from 'supertest';\nimport { bootApp, waitForJobs, signIn, seedDay } from './helpers';\n\ndescribe('waitlist flow', () => {\n  let app: INestApplication;\n  let prisma: any;\n\n  beforeAll(async () => ({ app, prisma } = await bootApp('e2e_waitlist')));\n  afterAll(() => app.close());\n\n  it('cancel -> offer -> accept issues a permit', async () => {\n    const day = await seedDay(prisma, { remaining: 0 });\n    // ...\n  });\n\n  it('offer expiry hands the spots to the next entry', async () => {\n    const day = await seedDay(prisma, { remaining: 0 });\n    const holder = await signIn(app, 'holder@example.org');\n    const permit = await prisma.permit.create({ data: { userId: holder.id, trailheadDayId: day.id, partySize: 2, kind: 'DAY_USE', status: 'ISSUED' } });\n    const a = await prisma.waitlistEntry.create({ data: { userId: (await signIn(app, 'a@example.org')).id, trailheadDayId: day.id, partySize: 2, status: 'WAITING' } });\n    const b = await prisma.waitlistEntry.create({ data: { userId: (await signIn(app, 'b@example.org')).id, trailheadDayId: day.id, partySize: 2, status: 'WAITING' } });\n\n    await request(app.getHttpServer()).delete(`/permits/${permit.id}`).set(holder.auth).expect(200);\n    await waitForJobs(app, 'notify');\n    expect((await prisma.waitlistEntry.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('OFFERED');\n\n    await app.get('OFFER_CLOCK').advance(4 * 60 * 60 * 1000 + 1);\n    await waitForJobs(app, 'notify');\n    const second = await prisma.waitlistEntry.findUniqueOrThrow({ where: { id: b.id } });\n    expect(second.status).toBe('OFFERED');\n  });\n});\n"),
    A("The test advances an injected `OFFER_CLOCK` to make the delayed job due, but I used BullMQ's own `delay`, which the fake clock doesn't touch, so the expiry job never runs in the test. The e2e helpers already have a `schedule(queue, name, data, dueAt)` that goes through OFFER_CLOCK (the lottery uses it); switching `offerExpiryCheck` to it."),
    ed("src/notify/notify.queue.ts", "  constructor(@InjectQueue('notify') private readonly queue: Queue) {}", "  constructor(\n    @InjectQueue('notify') private readonly queue: Queue,\n    private readonly scheduler: JobScheduler,\n    @Inject(CLOCK) private readonly clock: Clock,\n  ) {}", src=_th_notify_queue),
    ed("src/notify/notify.queue.ts", "  offerExpiryCheck(entryId: string, delayMs: number) {\n    return this.queue.add('offerExpiryCheck', { entryId }, { jobId: `offer-expiry:${entryId}`, delay: delayMs });\n  }", "  offerExpiryCheck(entryId: string, delayMs: number) {\n    return this.scheduler.schedule(this.queue, 'offerExpiryCheck', { entryId }, this.clock.now() + delayMs, `offer-expiry:${entryId}`);\n  }", src=_th_notify_queue),
    sh("pnpm test:e2e", _e2e_boot_log(4) + _jest_trailhead(63, e2e=True), secs=39.0),
    sh("pnpm test && pnpm lint && pnpm typecheck", _jest_trailhead(64) + "\n> trailhead@0.14.0 lint /home/mo/work/trailhead\n> eslint \"{src,test}/**/*.ts\"\n\n\n> trailhead@0.14.0 typecheck /home/mo/work/trailhead\n> tsc --noEmit -p tsconfig.json\n", secs=31.0),
    todo(("completed", "Read PermitsService, WaitlistService and NotifyQueue"), ("completed", "Offer freed spots from PermitsService.cancel"), ("completed", "Offer expiry job that moves on to the next entry"), ("completed", "Unit tests for cancel -> offer and expiry"), ("completed", "Run unit + e2e tests, lint, typecheck")),
    A("Done:\n- `PermitsService.cancel` offers the freed party size to the waitlist inside the same transaction that releases the quota, then enqueues the SMS/email and a 4h expiry check after commit.\n- `OfferExpiryProcessor` expires a still-OFFERED entry and re-offers its spots to the next entry that fits.\n- The expiry check is scheduled through the injectable clock scheduler so the e2e test can fast-forward.\n\nUnit (26) and e2e (6) tests pass, lint and typecheck are clean. One thing to decide later: offered spots are not held. `remaining` goes up on cancel, so anyone can book the freed spots before the offered hiker accepts; if rangers want offered spots reserved, `offer` should decrement `remaining` and expiry should release it."),
    U("good catch on the reserved thing, that's a separate ticket. last bit: add a line under ## Unreleased in CHANGELOG.md: `waitlist: freed spots are offered automatically when a permit is cancelled (4h to accept)`. that's all, I'll commit myself"),
]

cc(
    "m-cc-006", "simple",
    "After a long waitlist session that is finished and green, the turn is adding one dictated line to the changelog.",
    "trailhead",
    _th_unreleased_session,
)

cc(
    "m-cc-007", "simple",
    "Both files are read; the turn is reporting the SDK version global.json pins and the two image tags the Dockerfile names.",
    "harbour",
    [
        U("which .NET SDK does global.json pin, and which sdk / runtime image tags does the Dockerfile use? just the versions, I'm filling in the upgrade ticket"),
        par(rd("global.json", _hp_global_json), rd("Dockerfile", _hp_dockerfile)),
    ],
)

cc(
    "m-cc-008", "simple",
    "The props file is read and the user dictated both package versions, so the next step is two one-line edits and a restore.",
    "harbour",
    [
        U("bump Npgsql.EntityFrameworkCore.PostgreSQL to 8.0.10 and Microsoft.EntityFrameworkCore.Design to 8.0.10 too, they have to match. only Directory.Packages.props, then dotnet restore"),
        rd("Directory.Packages.props", _hp_packages),
    ],
)


# =========================================================================== simple: plain Anthropic SDK calls

sdk(
    "m-ot-a01", "simple",
    "Writing a conventional commit message for a small staged diff in a git hook is bookkeeping with a cheap, obvious failure mode.",
    [{"role": "user", "content": "diff --git a/app/src/main/java/com/pacelab/stride/sync/WorkoutSyncWorker.kt b/app/src/main/java/com/pacelab/stride/sync/WorkoutSyncWorker.kt\nindex 4b1e0a2..9c7d3f1 100644\n--- a/app/src/main/java/com/pacelab/stride/sync/WorkoutSyncWorker.kt\n+++ b/app/src/main/java/com/pacelab/stride/sync/WorkoutSyncWorker.kt\n@@ -41,11 +41,15 @@ class WorkoutSyncWorker(\n     override suspend fun doWork(): Result {\n         val pending = dao.pendingUploads(limit = BATCH)\n         if (pending.isEmpty()) return Result.success()\n-        return try {\n-            api.upload(pending.map { it.toDto() })\n-            dao.markUploaded(pending.map { it.id })\n-            Result.success()\n-        } catch (e: IOException) {\n-            Result.retry()\n-        }\n+        return try {\n+            api.upload(pending.map { it.toDto() })\n+            dao.markUploaded(pending.map { it.id })\n+            Result.success()\n+        } catch (e: IOException) {\n+            if (runAttemptCount >= MAX_ATTEMPTS) Result.failure() else Result.retry()\n+        } catch (e: HttpException) {\n+            if (e.code() in 500..599 && runAttemptCount < MAX_ATTEMPTS) Result.retry() else Result.failure()\n+        }\n     }\n \n     companion object {\n         const val BATCH = 50\n+        const val MAX_ATTEMPTS = 5\n     }\n }\n"}],
    system="You are a git prepare-commit-msg hook. Write a Conventional Commits message for the staged diff: `type(scope): subject` under 72 characters, a blank line, then a short body wrapped at 72 columns explaining why. Output only the message.",
    model="claude-haiku-4-5", max_tokens=300, temperature=0.2,
)

sdk(
    "m-ot-a02", "simple",
    "Translating eleven short UI strings to German while keeping placeholders and XML intact is a mechanical conversion a small model handles.",
    [{"role": "user", "content": "Translate the values in this Android strings.xml to German (informal \"du\", it's a running app). Keep the names, the %1$s / %2$d placeholders, the plurals structure and the XML escaping exactly as they are. Output the whole file and nothing else.\n\n```xml\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<resources>\n    <string name=\"sync_failed_title\">Couldn\\'t sync your runs</string>\n    <string name=\"sync_failed_body\">We\\'ll try again when you\\'re back online.</string>\n    <string name=\"sync_retry\">Try again</string>\n    <string name=\"workout_saved\">Run saved: %1$s in %2$s</string>\n    <string name=\"pace_unit_km\">min/km</string>\n    <string name=\"pace_unit_mi\">min/mi</string>\n    <string name=\"goal_reached\">You hit your weekly goal of %1$d km!</string>\n    <string name=\"delete_run_confirm\">Delete this run? This can\\'t be undone.</string>\n    <string name=\"delete\">Delete</string>\n    <string name=\"cancel\">Cancel</string>\n    <plurals name=\"runs_this_week\">\n        <item quantity=\"one\">%d run this week</item>\n        <item quantity=\"other\">%d runs this week</item>\n    </plurals>\n</resources>\n```"}],
    model="claude-haiku-4-5", max_tokens=1200,
)


# =========================================================================== medium: Claude Code main loop

cc(
    "m-cc-009", "medium",
    "Adding an optional Oslo-day filter to one list endpoint with tests follows the existing query and the OsloTime helper the agent has already found.",
    "harbour",
    [
        U("GET /api/sailings needs an optional `date` query param (yyyy-MM-dd, the Oslo calendar day) so the app can show one day's departures, including the ones that already left earlier that day. without `date` keep today's behaviour exactly. add tests next to the existing ones in SailingEndpointsTests"),
        par(rd("src/HarbourPass.Api/Endpoints/SailingEndpoints.cs", _hp_sailing_endpoints), rd("src/HarbourPass.Application/Sailings/SailingQueries.cs", _hp_sailing_queries)),
        gr("DayBoundsUtc|OsloTime.Today", "src/HarbourPass.Domain/OsloTime.cs:8:    public static DateOnly Today(TimeProvider clock) =>\nsrc/HarbourPass.Domain/OsloTime.cs:12:    public static (DateTimeOffset Start, DateTimeOffset End) DayBoundsUtc(DateOnly day)\nsrc/HarbourPass.Application/Reports/DailyManifestQuery.cs:27:        var (from, to) = OsloTime.DayBoundsUtc(day);\nsrc/HarbourPass.Application/CheckIn/ScannerSync.cs:44:        var today = OsloTime.Today(clock);", path="src"),
        par(rd("src/HarbourPass.Domain/OsloTime.cs", _hp_oslo_time), rd("tests/HarbourPass.Tests/Api/SailingEndpointsTests.cs", _hp_sailing_tests)),
    ],
)

_th_permits_no_null_check = _th_permits_service.replace("      if (!day || day.closed) {", "      if (day.closed) {")

cc(
    "m-cc-010", "medium",
    "The TypeError points at the line that dereferences a findUnique result that is null for an unopened date, so the fix and its 404 are visible from the trace.",
    "trailhead",
    [
        U("new test I wrote for the 'date not opened for booking yet' case fails, the service should 404 there:\n\n```\n  ● PermitsService › returns 404 when the trailhead has no day row for that date\n\n    expect(received).rejects.toThrow(expected)\n\n    Expected constructor: NotFoundException\n    Received constructor: TypeError\n\n    Received message: \"Cannot read properties of null (reading 'closed')\"\n\n          18 |         where: { trailheadId_date: { trailheadId: dto.trailheadId, date: dto.date } },\n          19 |       });\n        > 20 |       if (day.closed) {\n             |               ^\n          21 |         throw new NotFoundException('no permits are issued for that trailhead on that date');\n          22 |       }\n          23 |       if (day.remaining < dto.partySize) {\n\n      at src/permits/permits.service.ts:20:15\n      at Proxy._transactionWithCallback (node_modules/.pnpm/@prisma+client@5.20.0_prisma@5.20.0/node_modules/@prisma/client/runtime/library.js:130:8191)\n      at PermitsService.create (src/permits/permits.service.ts:16:20)\n      at Object.<anonymous> (src/permits/permits.service.spec.ts:88:5)\n```\n\nfix the service, not the test"),
        rd("src/permits/permits.service.ts", _th_permits_no_null_check),
    ],
)

cc(
    "m-cc-011", "medium",
    "Adding a remove method with slot reuse to an index-linked LRU, plus unit tests, is one focused data-structure change in a file the agent has read.",
    "tidewater",
    [
        U("need `pub fn remove(&mut self, key: &K) -> Option<V>` on Lru (station got decommissioned upstream and we keep serving the cached report). careful: nodes is a Vec and the map stores indices, so no Vec::remove. freed slots should get reused by the next put instead of growing the vec. unit tests in the tests module at the bottom: remove head, remove tail, remove only element, remove missing key, put after remove reuses the slot and still evicts in LRU order"),
        rd("src/cache/lru.rs", TW["src/cache/lru.rs"]),
        sh("cargo test cache:: 2>&1 | tail -15", "   Compiling tidewater v0.8.1 (/home/ana/proj/tidewater)\n    Finished `test` profile [unoptimized + debuginfo] target(s) in 6.02s\n     Running unittests src/main.rs (target/debug/deps/tidewater-5f1c0e9b2a7d3e44)\n\nrunning 6 tests\ntest cache::lru::tests::evicts_least_recently_used ... ok\ntest cache::lru::tests::get_promotes_to_head ... ok\ntest cache::lru::tests::put_existing_updates_value ... ok\ntest cache::lru::tests::capacity_one ... ok\ntest cache::lru::tests::get_or_insert_with_inserts_once ... ok\ntest cache::lru::tests::len_tracks_inserts ... ok\n\ntest result: ok. 6 passed; 0 failed; 0 ignored; 0 measured; 12 filtered out; finished in 0.00s", secs=7.0),
    ],
)

_wh_stg_charges = """with source as (
    select * from {{ source('stripe', 'charges') }}
),

renamed as (
    select
        id as charge_id,
        payment_intent as payment_intent_id,
        customer as stripe_customer_id,
        (metadata ->> 'order_id')::bigint as order_id,
        amount as amount_cents,
        amount_refunded as amount_refunded_cents,
        upper(currency) as currency,
        status,
        failure_code,
        to_timestamp(created) at time zone 'utc' as created_at,
        _fivetran_synced as synced_at
    from source
    where not coalesce(_fivetran_deleted, false)
)

select * from renamed
"""

_wh_stripe_sources = """version: 2

sources:
  - name: stripe
    schema: raw_stripe
    loaded_at_field: _fivetran_synced
    freshness:
      warn_after: {count: 6, period: hour}
      error_after: {count: 24, period: hour}
    tables:
      - name: charges
      - name: payment_intents
      - name: refunds
        columns:
          - name: id
          - name: charge
          - name: payment_intent
          - name: amount
          - name: currency
          - name: reason
          - name: status
          - name: metadata
          - name: created
          - name: _fivetran_synced
          - name: _fivetran_deleted
"""

_wh_stripe_models_yml = """version: 2

models:
  - name: stg_stripe__charges
    description: One row per Stripe charge, cents and UTC timestamps.
    columns:
      - name: charge_id
        tests: [unique, not_null]
      - name: status
        tests:
          - accepted_values:
              values: ['succeeded', 'pending', 'failed']
      - name: currency
        tests: [not_null]
"""

cc(
    "m-cc-012", "medium",
    "A new staging model over an existing source with renames, casts and a few schema tests follows the sibling model the agent has read.",
    "warehouse",
    [
        U("we need refunds from stripe in the warehouse: add stg_stripe__refunds over raw_stripe.refunds, same conventions as stg_stripe__charges (ids renamed to *_id, cents, upper currency, utc timestamps, drop fivetran-deleted rows). reason can be null. tests: unique/not_null refund_id, not_null charge_id, relationships charge_id -> stg_stripe__charges, accepted_values on status (succeeded, pending, failed, canceled, requires_action). then dbt build just that model"),
        gl("models/staging/stripe/**", "models/staging/stripe/_stripe__models.yml\nmodels/staging/stripe/_stripe__sources.yml\nmodels/staging/stripe/stg_stripe__charges.sql\nmodels/staging/stripe/stg_stripe__payment_intents.sql"),
        par(rd("models/staging/stripe/stg_stripe__charges.sql", _wh_stg_charges), rd("models/staging/stripe/_stripe__sources.yml", _wh_stripe_sources), rd("models/staging/stripe/_stripe__models.yml", _wh_stripe_models_yml)),
    ],
)

cc(
    "m-cc-013", "medium",
    "Walking through a forty-line deploy script and what state each failure leaves behind is explaining one file the agent has read.",
    "infra",
    [
        U("I'm on call next week and will probably have to use scripts/deploy.sh for the first time. walk me through what it actually does step by step, and what state things are in if it dies halfway, e.g. the push is rejected because someone else pushed, or argocd wait times out. does it roll anything back? not changing anything, just want to understand it"),
        rd("scripts/deploy.sh", INF["scripts/deploy.sh"]),
        rd("charts/payments-api/values-prod.yaml", INF["charts/payments-api/values-prod.yaml"]),
    ],
)

_shop_order_mailer = """class OrderMailer < ApplicationMailer
  default from: "Corner Shop <orders@cornershop.example>"

  def confirmation(order)
    @order = order
    mail(to: order.customer.email, subject: "Your order #{order.number}")
  end

  def shipped(order)
    @order = order
    @tracking_url = order.tracking_url
    I18n.with_locale(order.customer.locale) do
      mail(to: order.customer.email, subject: t(".subject", number: order.number))
    end
  end
end
"""

_shop_shipped_view = """<h1><%= t(".heading", name: @order.customer.first_name) %></h1>

<p><%= t(".intro", number: @order.number) %></p>

<table class="items">
  <%= render partial: "order_mailer/line_item", collection: @order.line_items %>
</table>

<p>Shipped on <%= @order.shipped_at.strftime("%-d %B %Y") %> via <%= @order.carrier_name %>.</p>

<% if @tracking_url %>
  <p><%= link_to t(".track"), @tracking_url %></p>
<% end %>

<p><%= t(".questions_html", email: mail_to("help@cornershop.example")) %></p>
"""

_shop_fulfillment_job = """class FulfillmentWebhookJob < ApplicationJob
  queue_as :webhooks

  def perform(payload)
    order = Order.find_by!(number: payload.fetch("order_number"))
    case payload.fetch("event")
    when "shipment.created"
      order.update!(status: "shipped", shipped_at: Time.zone.parse(payload["shipped_at"]),
                    carrier_name: payload["carrier"], tracking_url: payload["tracking_url"])
    when "digital.delivered"
      order.update!(status: "shipped")
    else
      return
    end

    OrderMailer.shipped(order).deliver_later
  end
end
"""

cc(
    "m-cc-014", "medium",
    "The template error points at shipped_at.strftime on line 9 and the job shows digital deliveries never set shipped_at, so the cause and the fix are visible.",
    "shopfront",
    [
        U("Sentry since this morning, every gift card order:\n\n```\nActionView::Template::Error: undefined method 'strftime' for nil\n  app/views/order_mailer/shipped.html.erb:9\n  app/mailers/order_mailer.rb:13:in 'block in OrderMailer#shipped'\n  app/mailers/order_mailer.rb:12:in 'OrderMailer#shipped'\n  actionmailer (7.1.4) lib/action_mailer/mail_delivery_job.rb:16:in 'ActionMailer::MailDeliveryJob#perform'\n```\n\ngift cards go out by email, there's no carrier. the mail should still go out but without the carrier line. please fix + a mailer spec for the digital case"),
        par(rd("app/views/order_mailer/shipped.html.erb", _shop_shipped_view), rd("app/mailers/order_mailer.rb", _shop_order_mailer), rd("app/jobs/fulfillment_webhook_job.rb", _shop_fulfillment_job)),
        gr("def digital\\?", "app/models/order.rb:58:  def digital?\napp/models/order.rb:59:    line_items.all? { |li| li.product.kind == \"gift_card\" }", path="app/models"),
    ],
)

cc(
    "m-cc-015", "medium",
    "The compiler names both call sites that still treat loadObj's new tl::expected return as a Mesh, so the fix is two small edits that follow the project's error convention.",
    "render",
    [
        U("changed MeshLoader::loadObj to return tl::expected<Mesh, Error> like the rest of the loaders (per INSTRUCTIONS), now the build is broken in the editor and the meshstat tool. fix the callers: the editor should show the error in the import panel's status line, meshstat should print it to stderr and exit 1"),
        sh("cmake --build --preset linux-debug 2>&1 | grep -E 'error|FAILED' -A4 | head -60", "FAILED: src/editor/CMakeFiles/editor.dir/ImportPanel.cpp.o\n/home/lee/dev/render-core/src/editor/ImportPanel.cpp:28:27: error: no member named 'vertices' in 'tl::expected<render::Mesh, render::Error>'\n   28 |     stats_.vertexCount = mesh.vertices.size();\n      |                          ~~~~ ^\n/home/lee/dev/render-core/src/editor/ImportPanel.cpp:29:26: error: no member named 'indices' in 'tl::expected<render::Mesh, render::Error>'\n   29 |     stats_.indexCount = mesh.indices.size();\n      |                         ~~~~ ^\n/home/lee/dev/render-core/src/editor/ImportPanel.cpp:30:23: error: no viable conversion from 'tl::expected<render::Mesh, render::Error>' to 'render::Mesh'\n   30 |     uploader_.enqueue(std::move(mesh));\n      |                       ^~~~~~~~~~~~~~~\n--\nFAILED: tools/meshstat/CMakeFiles/meshstat.dir/main.cpp.o\n/home/lee/dev/render-core/tools/meshstat/main.cpp:15:22: error: no member named 'vertices' in 'tl::expected<render::Mesh, render::Error>'\n   15 |     auto verts = mesh.vertices.size();\n      |                  ~~~~ ^\n/home/lee/dev/render-core/tools/meshstat/main.cpp:16:22: error: no member named 'indices' in 'tl::expected<render::Mesh, render::Error>'\n   16 |     auto tris = mesh.indices.size() / 3;\n      |                 ~~~~ ^\n4 errors generated.\nninja: build stopped: subcommand failed.", code=1, secs=22.0),
        par(
            rd("src/editor/ImportPanel.cpp", "#include \"editor/ImportPanel.h\"\n\n#include <imgui.h>\n\n#include \"mesh/MeshLoader.h\"\n#include \"upload/Uploader.h\"\n\nnamespace render::editor {\n\nImportPanel::ImportPanel(Uploader& uploader) : uploader_(uploader) {}\n\nvoid ImportPanel::draw() {\n    ImGui::Begin(\"Import\");\n    ImGui::InputText(\"Path\", pathBuf_, sizeof pathBuf_);\n    if (ImGui::Button(\"Load\")) {\n        load(pathBuf_);\n    }\n    ImGui::Separator();\n    ImGui::Text(\"%s\", status_.c_str());\n    ImGui::Text(\"vertices: %u  indices: %u\", stats_.vertexCount, stats_.indexCount);\n    ImGui::End();\n}\n\nvoid ImportPanel::load(const std::string& path) {\n    MeshLoader loader;\n    auto mesh = loader.loadObj(path);\n    stats_.name = path;\n    stats_.vertexCount = mesh.vertices.size();\n    stats_.indexCount = mesh.indices.size();\n    uploader_.enqueue(std::move(mesh));\n    status_ = \"loaded \" + path;\n}\n\n}  // namespace render::editor\n"),
            rd("tools/meshstat/main.cpp", "#include <cstdio>\n#include <string>\n\n#include \"mesh/MeshLoader.h\"\n\n// meshstat <file.obj>...: prints vertex / triangle counts per file, used by the asset CI job.\nint main(int argc, char** argv) {\n    if (argc < 2) {\n        std::fprintf(stderr, \"usage: meshstat <file.obj>...\\n\");\n        return 2;\n    }\n    render::MeshLoader loader;\n    for (int i = 1; i < argc; ++i) {\n        auto mesh = loader.loadObj(argv[i]);\n        auto verts = mesh.vertices.size();\n        auto tris = mesh.indices.size() / 3;\n        std::printf(\"%s\\t%zu\\t%zu\\n\", argv[i], verts, tris);\n    }\n    return 0;\n}\n"),
        ),
        gr("struct Error", "include/render/Error.h:9:struct Error {\ninclude/render/Error.h-10-    ErrorCode code;\ninclude/render/Error.h-11-    std::string message;  // human readable, includes the path and line for parse errors\ninclude/render/Error.h-12-};", path="include/render"),
    ],
)


# =========================================================================== medium: plain Anthropic SDK calls

sdk(
    "m-ot-a03", "medium",
    "A custom Laravel validation rule for the Norwegian organisation-number checksum with Pest tests is one small, fully specified function and its tests.",
    [{"role": "user", "content": "Laravel 11, PHP 8.3. I need a validation rule `NorwegianOrgNumber` (implements `Illuminate\\Contracts\\Validation\\ValidationRule`) for our supplier signup form.\n\nRules for an organisasjonsnummer:\n- 9 digits; users type it with spaces (\"923 609 016\") or with an \"NO\" prefix and \"MVA\" suffix from invoices (\"NO 923 609 016 MVA\"), accept those and validate the digits\n- check digit is the last digit, weights 3 2 7 6 5 4 3 2 on the first 8 digits, sum mod 11, check = 11 - remainder; remainder 0 means check digit 0; if 11 - remainder is 10 the number is invalid\n- first digit must be 8 or 9\n\nError message should be translatable (`validation.org_number`). Also give me a small `OrgNumber::normalize(string): ?string` helper that the controller can use to store just the 9 digits, and Pest tests for both: valid ones (923609016, 974760673, \"NO 923 609 016 MVA\"), wrong check digit, 10 digits, letters, first digit 7, the remainder-1 case.\n\nExisting rules live in app/Rules and look like this:\n\n```php\n<?php\n\nnamespace App\\Rules;\n\nuse Closure;\nuse Illuminate\\Contracts\\Validation\\ValidationRule;\n\nclass PostalCodeNo implements ValidationRule\n{\n    public function validate(string $attribute, mixed $value, Closure $fail): void\n    {\n        if (! is_string($value) || ! preg_match('/^\\d{4}$/', trim($value))) {\n            $fail('validation.postal_code')->translate();\n        }\n    }\n}\n```"}],
    max_tokens=4000,
)

sdk(
    "m-ot-a04", "medium",
    "Explaining an nginx websocket proxy block and why idle sockets drop after exactly 60 seconds points at the default proxy_read_timeout, a config explanation with a visible cause.",
    [{"role": "user", "content": "Our dashboard's live updates go over a websocket to a Node backend behind nginx 1.24. Connections die after exactly 60 seconds whenever nothing is sent (quiet dashboards at night), the browser shows close code 1006. Directly against the Node port they stay open for hours. Can you explain what each directive in this block does and what's wrong?\n\n```nginx\nmap $http_upgrade $connection_upgrade {\n    default upgrade;\n    ''      close;\n}\n\nupstream live_backend {\n    server 127.0.0.1:4100;\n    keepalive 32;\n}\n\nserver {\n    listen 443 ssl http2;\n    server_name app.example.net;\n\n    ssl_certificate     /etc/letsencrypt/live/app.example.net/fullchain.pem;\n    ssl_certificate_key /etc/letsencrypt/live/app.example.net/privkey.pem;\n\n    location /live/ {\n        proxy_pass http://live_backend;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_set_header Host $host;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_buffering off;\n        proxy_connect_timeout 5s;\n    }\n\n    location / {\n        root /srv/dashboard/dist;\n        try_files $uri /index.html;\n    }\n}\n```\n\nThe Node side is `ws` 8.18 with no ping configured. I'd rather fix it properly than just set a giant timeout, so tell me what you'd do on both sides."}],
    max_tokens=3000,
)

sdk(
    "m-ot-a05", "medium",
    "A Postgres query with window functions over a price-history table is an ordinary SQL task whose shape the request fully specifies.",
    [{"role": "user", "content": "Postgres 16, dev database. Tables:\n\n```sql\ncreate table products (\n  id bigint primary key,\n  sku text not null unique,\n  name text not null,\n  active boolean not null default true\n);\n\ncreate table price_changes (\n  id bigserial primary key,\n  product_id bigint not null references products(id),\n  price_cents integer not null,\n  currency char(3) not null,\n  changed_by text not null,\n  changed_at timestamptz not null default now()\n);\ncreate index on price_changes (product_id, changed_at);\n```\n\nI need, for every active product, its last 3 price changes per currency, each row with: sku, name, currency, changed_at, old price, new price, change in percent (1 decimal, null for the first ever price), and changed_by. Newest first within each product. Some products have two changes with the same changed_at (bulk import), break ties by id. Can you write the query and tell me if the existing index is enough?"}],
    max_tokens=2000,
)


# =========================================================================== complex: Claude Code main loop

cc(
    "m-cc-016", "complex",
    "Bulk refunds against production payments, where the query shows partial refunds, split payments, uncaptured authorisations and rebooked passengers, need checks, a dry run and a plan before money moves.",
    "harbour",
    [
        U("the 06:40 Halsa–Kanestraum sailing on 24 Oct was cancelled (engine fault on MF Tustna). everyone on it gets a full refund. write a one-off command for it and run it against prod, PROD_DB is exported and the Nets live secret is in my env. ~230 bookings, customer service is waiting on this"),
        gr("RefundBookingAsync", "src/HarbourPass.Application/Refunds/RefundService.cs:11:    public async Task<Refund> RefundBookingAsync(Guid bookingId, long amountOre, string reason, string actor, CancellationToken ct)\nsrc/HarbourPass.Api/Endpoints/AdminBookingEndpoints.cs:58:            var refund = await refunds.RefundBookingAsync(id, body.AmountOre, body.Reason, user.Identity!.Name!, ct);\ntests/HarbourPass.Tests/Refunds/RefundServiceTests.cs:34:        var refund = await sut.RefundBookingAsync(booking.Id, 45_000, \"test\", \"tester\", default);", path="."),
        rd("src/HarbourPass.Application/Refunds/RefundService.cs", _hp_refund_service),
        sh("psql \"$PROD_DB\" -X -A -F ' | ' -c \"select b.status, count(*) as bookings, count(*) filter (where pc.n > 1) as multi_capture, count(*) filter (where r.refunded > 0) as already_refunded, count(*) filter (where pa.n > 0) as authorised_only, sum(coalesce(pc.total,0)) as captured_ore, sum(coalesce(r.refunded,0)) as refunded_ore from bookings b join sailings s on s.id = b.sailing_id left join lateral (select count(*) n, sum(amount_ore) total from payments p where p.booking_id = b.id and p.status = 'Captured') pc on true left join lateral (select count(*) n from payments p where p.booking_id = b.id and p.status = 'Authorised') pa on true left join lateral (select sum(amount_ore) refunded from refunds x where x.booking_id = b.id and x.status <> 'Failed') r on true where s.route_code = 'HAL-KAN' and s.departs_at = '2025-10-24 04:40:00+00' group by b.status order by 2 desc\"",
           "status | bookings | multi_capture | already_refunded | authorised_only | captured_ore | refunded_ore\nConfirmed | 204 | 5 | 9 | 3 | 12148600 | 311500\nMovedToOtherSailing | 19 | 0 | 2 | 0 | 1187400 | 62000\nCheckedIn | 6 | 0 | 0 | 0 | 402800 | 0\nCancelled | 2 | 0 | 2 | 0 | 96000 | 96000\n(4 rows)", secs=1.8, desc="Count the bookings on the cancelled sailing by status (read-only)"),
    ],
)

_th_serializable = _th_permits_service.replace(
    "      return tx.permit.create({\n        data: { userId, trailheadDayId: day.id, partySize: dto.partySize, kind: dto.kind, status: 'ISSUED' },\n      });\n    });",
    "      return tx.permit.create({\n        data: { userId, trailheadDayId: day.id, partySize: dto.partySize, kind: dto.kind, status: 'ISSUED' },\n      });\n    }, { isolationLevel: Prisma.TransactionIsolationLevel.Serializable });",
)

cc(
    "m-cc-017", "complex",
    "A quota race that two attempts (serializable isolation, then retries) have not fixed, now failing with transaction timeouts in CI, is a concurrency bug in a loop where the cheap approaches already failed.",
    "trailhead",
    [
        U("test/permits.e2e-spec.ts 'last spot goes to exactly one of two concurrent requests' fails in CI maybe 1 in 8 runs: both requests get 201 and remaining ends at -2. fix it properly"),
        rd("src/permits/permits.service.ts", _th_permits_service),
        A("`create` reads `remaining`, checks it, then decrements. Under Postgres' default READ COMMITTED two transactions can both read `remaining = 2`, both pass the check and both decrement. Making the transaction SERIALIZABLE makes Postgres abort one of them."),
        ed("src/permits/permits.service.ts", "      return tx.permit.create({\n        data: { userId, trailheadDayId: day.id, partySize: dto.partySize, kind: dto.kind, status: 'ISSUED' },\n      });\n    });", "      return tx.permit.create({\n        data: { userId, trailheadDayId: day.id, partySize: dto.partySize, kind: dto.kind, status: 'ISSUED' },\n      });\n    }, { isolationLevel: Prisma.TransactionIsolationLevel.Serializable });", src=_th_permits_service),
        sh("for i in $(seq 1 15); do pnpm -s test:e2e -t 'concurrent' 2>&1 | grep -E '✓|✕|Expected|Received' ; done", "    ✓ last spot goes to exactly one of two concurrent requests (412 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (388 ms)\n    ✕ last spot goes to exactly one of two concurrent requests (455 ms)\n    Expected: 409\n    Received: 500\n    ✓ last spot goes to exactly one of two concurrent requests (402 ms)\n    ✕ last spot goes to exactly one of two concurrent requests (431 ms)\n    Expected: 409\n    Received: 500\n    ✓ last spot goes to exactly one of two concurrent requests (396 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (377 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (420 ms)\n    ✕ last spot goes to exactly one of two concurrent requests (470 ms)\n    Expected: 409\n    Received: 500\n    ✓ last spot goes to exactly one of two concurrent requests (391 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (404 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (399 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (385 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (410 ms)\n    ✓ last spot goes to exactly one of two concurrent requests (393 ms)", code=0, secs=96.0),
        A("No more overselling, but the loser now gets a 500: Prisma surfaces the serialization failure as P2034. Retrying the transaction on P2034 (up to 3 times with a little jitter) lets the retry see `remaining = 0` and return the 409."),
        ed("src/permits/permits.service.ts", "    const permit = await this.prisma.$transaction(async (tx) => {", "    const permit = await withSerializationRetry(() => this.prisma.$transaction(async (tx) => {", src=_th_serializable),
        wr("src/common/serialization-retry.ts", "import { Prisma } from '@prisma/client';\n\nexport async function withSerializationRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {\n  for (let i = 1; ; i++) {\n    try {\n      return await fn();\n    } catch (e) {\n      const retryable = e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2034';\n      if (!retryable || i >= attempts) throw e;\n      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));\n    }\n  }\n}\n"),
        sh("for i in $(seq 1 20); do pnpm -s test:e2e 2>&1 | grep -E '^Tests:' ; done", "\n".join("Tests:       6 passed, 6 total" for _ in range(20)), secs=188.0),
        sh("git add -A && git commit -qm 'permits: serializable booking transaction with retry on P2034' && git push -q", "", secs=3.1),
        A("Pushed. Locally 20/20 e2e runs are green: the serializable transaction prevents the oversell and the retry turns the conflict into a normal 409."),
        U("CI still red, run 4 of 5 on the PR, and now a second test fails too:\n\n```\n  ● POST /permits › last spot goes to exactly one of two concurrent requests\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: 409\n    Received: 500\n\n    [Nest] 2231  - 10/21/2025, 11:02:19 AM   ERROR [ExceptionsHandler] \nInvalid `prisma.$transaction()` invocation:\nTransaction API error: Transaction already closed: A query cannot be executed on an expired transaction. The timeout for this transaction was 5000 ms, however 5214 ms passed since the start of the transaction. Consider increasing the interactive transaction timeout or doing less work in the transaction.\n\n  ● POST /permits › 409 when the day is full\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: 409\n    Received: 500\n\n    [Nest] 2231  - 10/21/2025, 11:02:31 AM   ERROR [ExceptionsHandler] \nInvalid `prisma.$transaction()` invocation:\n\nTransaction failed due to a write conflict or a deadlock. Please retry your transaction\n    PrismaClientKnownRequestError: code P2034\n      at withSerializationRetry (src/common/serialization-retry.ts:10:7)\n      at PermitsService.create (src/permits/permits.service.ts:16:26)\n\n    (the test fills the day with 6 parallel bookings before asserting the 7th gets a 409)\n\nTest Suites: 1 failed, 1 passed, 2 total\nTests:       2 failed, 4 passed, 6 total\n```\n\nCI runners are slow 2-core boxes, that's probably why it never happens on my machine. please stop layering retries and do it right"),
    ],
)


def _goroutine_dump(seed: int) -> str:
    """/debug/pprof/goroutine?debug=1 from a gateway pod that leaks HTTP connections."""
    rng = random.Random(seed)

    def addrs(n: int) -> str:
        return " ".join(f"0x{rng.randrange(0x400000, 0xa00000):x}" for _ in range(n))

    def frame(fn: str, file: str) -> str:
        return f"#\t0x{rng.randrange(0x400000, 0xa00000):x}\t{fn}+0x{rng.randrange(0x20, 0x9ff):x}\t{file}"

    groups = [
        (23911, [("net/http.(*persistConn).readLoop", "/usr/local/go/src/net/http/transport.go:2325")], "select"),
        (23911, [("net/http.(*persistConn).writeLoop", "/usr/local/go/src/net/http/transport.go:2519")], "select"),
        (1204, [("crypto/tls.(*Conn).Read", "/usr/local/go/src/crypto/tls/conn.go:1383"), ("net/http.(*persistConn).Read", "/usr/local/go/src/net/http/transport.go:2108"), ("bufio.(*Reader).fill", "/usr/local/go/src/bufio/bufio.go:110"), ("bufio.(*Reader).Peek", "/usr/local/go/src/bufio/bufio.go:148"), ("net/http.(*persistConn).readLoop", "/usr/local/go/src/net/http/transport.go:2277")], "IO wait"),
        (96, [("github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).loop", "/src/internal/consumer/batcher.go:71")], "select"),
        (64, [("github.com/northwind/ingest-gateway/internal/forward.(*Forwarder).worker", "/src/internal/forward/forwarder.go:88")], "chan receive"),
        (48, [("github.com/segmentio/kafka-go.(*Writer).produce.func1", "/go/pkg/mod/github.com/segmentio/kafka-go@v0.4.47/writer.go:1181")], "select"),
        (48, [("github.com/segmentio/kafka-go.(*conn).run", "/go/pkg/mod/github.com/segmentio/kafka-go@v0.4.47/transport.go:1041")], "select"),
        (31, [("google.golang.org/grpc/internal/transport.(*http2Server).operateHeaders", "/go/pkg/mod/google.golang.org/grpc@v1.66.0/internal/transport/http2_server.go:612"), ("google.golang.org/grpc.(*Server).serveStreams.func2.1", "/go/pkg/mod/google.golang.org/grpc@v1.66.0/server.go:1029")], "select"),
        (31, [("google.golang.org/grpc/internal/transport.(*controlBuffer).get", "/go/pkg/mod/google.golang.org/grpc@v1.66.0/internal/transport/controlbuf.go:418"), ("google.golang.org/grpc/internal/transport.(*loopyWriter).run", "/go/pkg/mod/google.golang.org/grpc@v1.66.0/internal/transport/controlbuf.go:552")], "select"),
        (12, [("github.com/northwind/ingest-gateway/internal/ratelimit.(*Registry).janitor", "/src/internal/ratelimit/registry.go:64")], "select"),
        (4, [("net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go:2039")], "IO wait"),
        (2, [("github.com/northwind/ingest-gateway/internal/metrics.(*LagTracker).run", "/src/internal/metrics/lag.go:52")], "sleep"),
        (1, [("main.main", "/src/cmd/gateway/main.go:118")], "select"),
        (1, [("os/signal.signal_recv", "/usr/local/go/src/runtime/sigqueue.go:152"), ("os/signal.loop", "/usr/local/go/src/os/signal/signal_unix.go:23")], "syscall"),
        (1, [("runtime/pprof.writeGoroutineStacks", "/usr/local/go/src/runtime/pprof/pprof.go:761"), ("net/http/pprof.handler.ServeHTTP", "/usr/local/go/src/net/http/pprof/pprof.go:272")], "running"),
    ]
    total = sum(n for n, _f, _s in groups)
    out = [f"goroutine profile: total {total}"]
    for n, frames, _state in groups:
        out.append(f"{n} @ {addrs(rng.randrange(5, 11))}")
        for fn, file in frames:
            out.append(frame(fn, file))
        if "readLoop" in frames[-1][0] or "writeLoop" in frames[-1][0]:
            out.append(frame("runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s:1700"))
        out.append("")
    # the debug=2 tail the script also captured for a sample of goroutines
    out.append("---- sample of 60 goroutines (debug=2) ----")
    for _ in range(60):
        gid = rng.randrange(100000, 9000000)
        mins = rng.randrange(1, 4200)
        kind = rng.random()
        if kind < 0.45:
            out += [f"goroutine {gid} [select, {mins} minutes]:", f"net/http.(*persistConn).readLoop(0xc00{rng.randrange(16**7):07x})", f"\t/usr/local/go/src/net/http/transport.go:2325 +0x{rng.randrange(0x100, 0xfff):x}", f"created by net/http.(*Transport).dialConn in goroutine {rng.randrange(100000, 9000000)}", f"\t/usr/local/go/src/net/http/transport.go:1875 +0x{rng.randrange(0x100, 0xfff):x}", ""]
        elif kind < 0.9:
            out += [f"goroutine {gid} [select, {mins} minutes]:", f"net/http.(*persistConn).writeLoop(0xc00{rng.randrange(16**7):07x})", f"\t/usr/local/go/src/net/http/transport.go:2519 +0x{rng.randrange(0x100, 0xfff):x}", f"created by net/http.(*Transport).dialConn in goroutine {rng.randrange(100000, 9000000)}", f"\t/usr/local/go/src/net/http/transport.go:1876 +0x{rng.randrange(0x100, 0xfff):x}", ""]
        else:
            out += [f"goroutine {gid} [chan receive, {mins} minutes]:", f"github.com/northwind/ingest-gateway/internal/forward.(*Forwarder).worker(0xc000{rng.randrange(16**6):06x}, {{0xb3c2e0, 0xc000{rng.randrange(16**6):06x}}})", f"\t/src/internal/forward/forwarder.go:88 +0x{rng.randrange(0x100, 0xfff):x}", "created by github.com/northwind/ingest-gateway/internal/forward.New in goroutine 1", f"\t/src/internal/forward/forwarder.go:54 +0x{rng.randrange(0x100, 0xfff):x}", ""]
    return "\n".join(out) + "\n"


cc(
    "m-cc-018", "complex",
    "A slow production goroutine and memory leak that only a profile shows, with tens of thousands of idle HTTP connection loops and no error anywhere, needs the hidden cause found and fixed in a live service.",
    "gateway",
    [
        U("prod gateway pods grow ~2k goroutines an hour and ~300MB a day until they get OOMKilled, roughly every 3 days. started sometime after the partner webhook forwarder (internal/forward) shipped in 0.19. nothing in the logs. grab a goroutine profile from the oldest pod and figure out what's leaking. the pprof server is on :6060 inside the pod, not exposed"),
        sh("kubectl -n ingest get pods -l app=ingest-gateway --sort-by=.status.startTime -o custom-columns=NAME:.metadata.name,START:.status.startTime,RESTARTS:.status.containerStatuses[0].restartCount | head -5 && kubectl -n ingest top pod -l app=ingest-gateway --sort-by=memory | head -5",
           "NAME                              START                  RESTARTS\ningest-gateway-6f9b7c5d48-q2lzx   2025-10-18T09:12:44Z   3\ningest-gateway-6f9b7c5d48-8kd1m   2025-10-19T02:40:07Z   3\ningest-gateway-6f9b7c5d48-zt4wv   2025-10-19T21:05:51Z   4\ningest-gateway-6f9b7c5d48-m7cpa   2025-10-20T13:30:12Z   4\nNAME                              CPU(cores)   MEMORY(bytes)\ningest-gateway-6f9b7c5d48-q2lzx   1412m        1391Mi\ningest-gateway-6f9b7c5d48-8kd1m   1367m        1204Mi\ningest-gateway-6f9b7c5d48-zt4wv   1390m        988Mi\ningest-gateway-6f9b7c5d48-m7cpa   1321m        760Mi", secs=2.4, desc="Find the oldest gateway pod and memory usage"),
        sh("kubectl -n ingest port-forward pod/ingest-gateway-6f9b7c5d48-q2lzx 16060:6060 >/dev/null 2>&1 & sleep 2; curl -s 'localhost:16060/debug/pprof/goroutine?debug=1' > /tmp/gr1.txt; curl -s 'localhost:16060/debug/pprof/goroutine?debug=2' | awk 'BEGIN{RS=\"\";srand(7)} rand()<0.0012' > /tmp/gr2.txt; cat /tmp/gr1.txt; echo '---- sample of 60 goroutines (debug=2) ----'; head -c 20000 /tmp/gr2.txt", _goroutine_dump(5), secs=6.0, desc="Capture a goroutine profile from the oldest pod"),
        sh("curl -s localhost:16060/metrics | grep -E '^(go_goroutines|process_resident_memory_bytes|gateway_forward_(requests_total|errors_total|inflight))' ", "gateway_forward_errors_total{partner=\"fleetwise\",reason=\"status\"} 412877\ngateway_forward_errors_total{partner=\"fleetwise\",reason=\"timeout\"} 1204\ngateway_forward_errors_total{partner=\"routemate\",reason=\"status\"} 9\ngateway_forward_inflight 3\ngateway_forward_requests_total{partner=\"fleetwise\"} 2904113\ngateway_forward_requests_total{partner=\"routemate\"} 1187342\ngo_goroutines 49364\nprocess_resident_memory_bytes 1.458593792e+09", secs=0.6, desc="Read the forwarder and runtime metrics"),
    ],
)

cc(
    "m-cc-019", "complex",
    "A NOT NULL column with a backfill on a 91-million-row, write-hot production table needs a staged migration that avoids long locks and handles rows the backfill cannot fill.",
    "payments",
    [
        U("finance needs invoices.tax_country (ISO-2, NOT NULL) for the OSS VAT report. backfill from the customer's current country, they're fine with that for old invoices; new invoices take it from the customer at creation. write the alembic migration + model change + the create path, and it should go out through deploy-migrations tonight. prod invoices is big, ~90M rows"),
        rd("app/db/models.py", PAY["app/db/models.py"]),
        sh("uv run alembic history | head -8", PAY["out/alembic_history.txt"], desc="Show alembic migration history"),
        sh("psql \"$PAYMENTS_REPLICA_RO\" -X -c \"select count(*) as invoices, pg_size_pretty(pg_total_relation_size('invoices')) as size from invoices\" -c \"select count(*) as no_country from invoices i join customers c on c.id = i.customer_id where c.country is null or c.country = ''\" -c \"select count(*) filter (where created_at > now() - interval '1 hour') as last_hour from invoices\"",
           " invoices  | size\n----------+-------\n 91402117 | 61 GB\n(1 row)\n\n no_country\n------------\n      38211\n(1 row)\n\n last_hour\n-----------\n    118406\n(1 row)", secs=74.0, desc="Count invoices on the read replica"),
    ],
)

_led_controller_sec = """package com.acme.ledger.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

@Configuration
@EnableMethodSecurity
public class SecurityConfig {
    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        return http
            .csrf(c -> c.disable())
            .authorizeHttpRequests(a -> a
                .requestMatchers("/actuator/health/**").permitAll()
                .requestMatchers("/api/v1/admin/**").hasRole("LEDGER_ADMIN")
                .anyRequest().authenticated())
            .oauth2ResourceServer(o -> o.jwt(j -> j.jwtAuthenticationConverter(new RolesClaimConverter())))
            .build();
    }
}
"""

cc(
    "m-cc-020", "complex",
    "A reversal endpoint that moves money back, must happen at most once per transfer, is admin-only and can force an overdraft touches money and authorisation across service, controller, schema and security config.",
    "ledger",
    [
        U("LEDG-1211: ops needs to reverse transfers that went to the wrong account. POST /api/v1/admin/transfers/{id}/reversal with {reason} → creates the compensating transfer (to → from, same amount, reference `REV-<original ref>`). rules: only once per transfer, even with two ops people clicking at the same time; LEDGER_ADMIN only; reason required and audited; if the receiving account doesn't have the money anymore fail with 409 unless `force: true`, which finance approved to let it go into overdraft. reversals of reversals are not allowed"),
        par(rd("src/main/java/com/acme/ledger/service/TransferService.java", LED["src/main/java/com/acme/ledger/service/TransferService.java"]), rd("src/main/java/com/acme/ledger/api/AccountController.java", LED["src/main/java/com/acme/ledger/api/AccountController.java"])),
        gr("class SecurityConfig|hasRole|@PreAuthorize", "src/main/java/com/acme/ledger/config/SecurityConfig.java:9:@Configuration\nsrc/main/java/com/acme/ledger/config/SecurityConfig.java:17:                .requestMatchers(\"/api/v1/admin/**\").hasRole(\"LEDGER_ADMIN\")\nsrc/main/java/com/acme/ledger/api/admin/PayoutAdminController.java:31:    @PreAuthorize(\"hasRole('LEDGER_ADMIN')\")", path="src/main/java"),
        rd("src/main/java/com/acme/ledger/config/SecurityConfig.java", _led_controller_sec),
        sh("ls src/main/resources/db/migration | tail -4 && grep -n 'transfers' -A12 src/main/resources/db/migration/V12__transfers.sql | head -20", "V55__payout_retry_state.sql\nV56__transfers_amount_minor_rename.sql\nV57__accounts_overdraft_limit.sql\nV58__entries_created_at_index.sql\n1:create table transfers (\n2-    id            uuid primary key,\n3-    from_account  uuid not null references accounts(id),\n4-    to_account    uuid not null references accounts(id),\n5-    amount_cents  bigint not null check (amount_cents > 0),\n6-    reference     varchar(140) not null,\n7-    created_at    timestamptz not null\n8-);\n9-create unique index transfers_reference_uq on transfers(reference);", secs=0.2, desc="List recent migrations and the transfers table"),
    ],
)

_web_next15_tsc = """src/app/(dashboard)/invoices/[invoiceId]/page.tsx(14,43): error TS2339: Property 'invoiceId' does not exist on type 'Promise<{ invoiceId: string; }>'.
src/app/(dashboard)/invoices/[invoiceId]/page.tsx(9,1): error TS2344: Type '{ params: { invoiceId: string; }; }' does not satisfy the constraint 'PageProps'.
  Types of property 'params' are incompatible.
    Type '{ invoiceId: string; }' is missing the following properties from type 'Promise<any>': then, catch, finally, [Symbol.toStringTag]
src/app/(dashboard)/customers/[customerId]/page.tsx(11,1): error TS2344: Type '{ params: { customerId: string; }; searchParams: { tab?: string; }; }' does not satisfy the constraint 'PageProps'.
src/app/(dashboard)/customers/[customerId]/page.tsx(18,38): error TS2339: Property 'customerId' does not exist on type 'Promise<{ customerId: string; }>'.
src/app/(dashboard)/customers/[customerId]/page.tsx(19,28): error TS2339: Property 'tab' does not exist on type 'Promise<{ tab?: string; }>'.
src/app/(dashboard)/team/[memberId]/edit/page.tsx(10,1): error TS2344: Type '{ params: { memberId: string; }; }' does not satisfy the constraint 'PageProps'.
src/app/(dashboard)/reports/page.tsx(12,1): error TS2344: Type '{ searchParams: { from?: string; to?: string; tz?: string; }; }' does not satisfy the constraint 'PageProps'.
src/app/(dashboard)/layout.tsx(21,25): error TS2339: Property 'get' does not exist on type 'Promise<ReadonlyRequestCookies>'.
src/app/(dashboard)/layout.tsx(22,29): error TS2339: Property 'get' does not exist on type 'Promise<ReadonlyHeaders>'.
src/app/api/export/route.ts(8,35): error TS2339: Property 'get' does not exist on type 'Promise<ReadonlyRequestCookies>'.
src/app/api/invoices/[invoiceId]/pdf/route.ts(6,3): error TS2344: Type '{ params: { invoiceId: string; }; }' does not satisfy the constraint '{ params: Promise<SegmentParams> }'.
src/server/context.ts(17,22): error TS2339: Property 'get' does not exist on type 'Promise<ReadonlyHeaders>'.
src/server/auth.ts(44,18): error TS2339: Property 'set' does not exist on type 'Promise<ReadonlyRequestCookies>'.
src/server/auth.ts(61,18): error TS2339: Property 'delete' does not exist on type 'Promise<ReadonlyRequestCookies>'.
src/components/settings/TeamInviteForm.tsx(3,10): error TS2305: Module '"react-dom"' has no exported member 'useFormState'.
src/components/settings/ProfileForm.tsx(4,10): error TS2305: Module '"react-dom"' has no exported member 'useFormState'.
src/components/InvoiceTable.tsx(88,36): error TS2503: Cannot find namespace 'JSX'.
src/components/charts/RevenueChart.tsx(41,22): error TS2503: Cannot find namespace 'JSX'.
src/components/CustomerSearch.tsx(27,5): error TS2554: Expected 1 arguments, but got 0.
src/hooks/useDebouncedSearch.ts(12,20): error TS2554: Expected 1 arguments, but got 0.
src/test/renderWithProviders.tsx(15,7): error TS2322: Type 'ReactNode' is not assignable to type 'import("/Users/jordan/code/web-dashboard/node_modules/.pnpm/@types+react@18.3.3/node_modules/@types/react/index").ReactNode'.
  Type 'bigint' is not assignable to type 'ReactNode'.
src/test/renderWithProviders.tsx(22,12): error TS2786: 'QueryClientProvider' cannot be used as a JSX component.
  Its return type 'ReactNode' is not a valid JSX element.

Found 24 errors in 17 files.

Errors  Files
     2  src/app/(dashboard)/invoices/[invoiceId]/page.tsx:9
     3  src/app/(dashboard)/customers/[customerId]/page.tsx:11
     1  src/app/(dashboard)/team/[memberId]/edit/page.tsx:10
     1  src/app/(dashboard)/reports/page.tsx:12
     2  src/app/(dashboard)/layout.tsx:21
     1  src/app/api/export/route.ts:8
     1  src/app/api/invoices/[invoiceId]/pdf/route.ts:6
     1  src/server/context.ts:17
     2  src/server/auth.ts:44
     1  src/components/settings/TeamInviteForm.tsx:3
     1  src/components/settings/ProfileForm.tsx:4
     1  src/components/InvoiceTable.tsx:88
     1  src/components/charts/RevenueChart.tsx:41
     1  src/components/CustomerSearch.tsx:27
     1  src/hooks/useDebouncedSearch.ts:12
     2  src/test/renderWithProviders.tsx:15
 ELIFECYCLE  Command failed with exit code 2.
"""

_web_pnpm_add = """Packages: +38 -41
++++++++++++++++++++++++++++++++++++++----------------------------------------
Progress: resolved 812, reused 771, downloaded 38, added 38, done

dependencies:
- next 14.2.5
+ next 15.0.1
- react 18.3.1
+ react 19.0.0-rc-69d4b800-20241021
- react-dom 18.3.1
+ react-dom 19.0.0-rc-69d4b800-20241021

devDependencies:
- eslint-config-next 14.2.5
+ eslint-config-next 15.0.1

 WARN  Issues with peer dependencies found
.
├─┬ next-auth 4.24.7
│ ├── ✕ unmet peer react@"^17.0.2 || ^18": found 19.0.0-rc-69d4b800-20241021
│ └── ✕ unmet peer react-dom@"^17.0.2 || ^18": found 19.0.0-rc-69d4b800-20241021
├─┬ @trpc/next 10.45.2
│ └─┬ @tanstack/react-query 4.36.1
│   └── ✕ unmet peer react@"^16.8.0 || ^17.0.0 || ^18.0.0": found 19.0.0-rc-69d4b800-20241021
├─┬ @testing-library/react 16.0.0
│ └── ✕ unmet peer @types/react@"^18.0.0 || ^19.0.0": found 18.3.3 (types for react 19 not installed)
└─┬ @trpc/react-query 10.45.2
  └── ✕ unmet peer react@">=16.8.0 <19": found 19.0.0-rc-69d4b800-20241021

Done in 14.2s
"""

cc(
    "m-cc-021", "complex",
    "A framework major upgrade with async request APIs, a React 19 release candidate and incompatible auth and data-fetching peers breaks 17 files and forces compatibility decisions, a multi-file change with many dependents.",
    "web",
    [
        U("upgrade us to next 15 + react 19 (and eslint-config-next 15). fix whatever breaks, I want typecheck, tests and build green on this branch"),
        rd("package.json", WEB["package.json"]),
        sh("pnpm add next@15.0.1 react@rc react-dom@rc && pnpm add -D eslint-config-next@15.0.1", _web_pnpm_add, secs=15.0, desc="Upgrade next, react and eslint-config-next"),
        sh("pnpm typecheck", "\n> web-dashboard@0.1.0 typecheck /Users/jordan/code/web-dashboard\n> tsc --noEmit\n\n" + _web_next15_tsc, code=2, secs=19.0),
        sh("pnpm test 2>&1 | tail -25", " RUN  v2.0.5 /Users/jordan/code/web-dashboard\n\n ❯ src/components/InvoiceTable.test.tsx (6 tests | 6 failed) 41ms\n   × InvoiceTable > renders one row per invoice\n     → A React Element from an older version of React was rendered. This is not supported. It can happen if:\n- Multiple copies of the \"react\" package is used.\n- A library pre-bundled an old copy of \"react\" or \"react/jsx-runtime\".\n- A compiler tries to \"inline\" JSX instead of using the runtime.\n ❯ src/components/CustomerSearch.test.tsx (4 tests | 4 failed) 37ms\n ✓ src/utils/dateFmt.test.ts (9 tests) 8ms\n ✓ src/utils/money.test.ts (7 tests) 6ms\n ✓ src/sync/merge.test.ts (12 tests) 21ms\n ❯ src/hooks/useDebouncedSearch.test.ts (3 tests | 3 failed) 19ms\n\n Test Files  3 failed | 3 passed (6)\n      Tests  13 failed | 28 passed (41)\n   Start at  10:41:07\n   Duration  2.31s (transform 402ms, setup 0ms, collect 1.18s, tests 132ms, environment 1.02s, prepare 388ms)\n\n ELIFECYCLE  Test failed. See above for more details.", code=1, secs=6.0),
    ],
)

cc(
    "m-cc-022", "complex",
    "Rolling back a production service that Argo CD manages with self-heal, where a plain helm rollback does not apply and the bad release may have run schema migrations, needs checks and a plan before touching prod.",
    "infra",
    [
        U("payments-api 2.14.0 went out to prod 20 min ago and 5xx is at 4%. just roll it back to 2.13.4, `helm rollback payments-api -n payments` or whatever works, I have the prod context"),
        sh("kubectl config current-context && helm history payments-api -n payments --max 5", "arn:aws:eks:eu-west-1:481920334711:cluster/prod-eu1\nError: release: not found", code=1, secs=1.9, desc="Check the kube context and the helm release history"),
        sh("argocd app get payments-api-prod --show-operation | head -30", "Name:               argocd/payments-api-prod\nProject:            payments\nServer:             https://kubernetes.default.svc\nNamespace:          payments\nURL:                https://argocd.internal.acme.io/applications/payments-api-prod\nSource:\n- Repo:             https://github.com/acme/platform-infra.git\n  Target:           main\n  Path:             charts/payments-api\n  Helm Values:      values-prod.yaml\nSyncWindow:         Sync Allowed\nSync Policy:        Automated (Prune, SelfHeal)\nSync Status:        Synced to main (c81e4d2)\nHealth Status:      Degraded\n\nOperation:          Sync\nSync Revision:      c81e4d2b90f3a1e6d7c25b0e44a9f1d83e2b6a17\nPhase:              Succeeded\nStart:              2025-10-23 14:02:11 +0000 UTC\nFinished:           2025-10-23 14:04:49 +0000 UTC\nDuration:           2m38s\nMessage:            successfully synced (all tasks run)\n\nGROUP  KIND        NAMESPACE  NAME                          STATUS  HEALTH    HOOK     MESSAGE\nbatch  Job         payments   payments-api-migrate-2-14-0   Synced  Healthy   PreSync  job.batch/payments-api-migrate-2-14-0 created\n       Service     payments   payments-api                  Synced  Healthy            service/payments-api unchanged\napps   Deployment  payments   payments-api                  Synced  Degraded           deployment.apps/payments-api configured", secs=2.2, desc="Show the Argo CD app and last sync"),
        sh("git log --oneline -5 -- charts/payments-api/ && kubectl -n payments logs job/payments-api-migrate-2-14-0 --tail=12", "c81e4d2 deploy(prod): payments-api v2.14.0\n7b2f0a9 deploy(staging): payments-api v2.14.0\n2b8f1e6 charts: payments-api 2.13.4\n4d91c3e payments-api: PreSync migrate hook\n9a7e210 deploy(prod): payments-api v2.13.4\nINFO  [alembic.runtime.migration] Context impl PostgresqlImpl.\nINFO  [alembic.runtime.migration] Will assume transactional DDL.\nINFO  [alembic.runtime.migration] Running upgrade 0048_invoice_currency_not_null -> 0049_payments_currency_backfill, payments.currency from invoices\nINFO  [alembic.runtime.migration] Running upgrade 0049_payments_currency_backfill -> 0050_drop_invoices_legacy_amount, drop invoices.amount_due_cents (replaced by total_minor - amount_paid_minor)\nmigrations complete: head=0050_drop_invoices_legacy_amount", secs=3.4, desc="Show chart history and the migration job log"),
    ],
)


def _dbt_build(seed: int, attempt: int, failures: int | None) -> str:
    rng = random.Random(seed * 10 + attempt)
    t = datetime(2025, 10, 22, 9, 14, 2) + timedelta(minutes=attempt * 6)

    def ts() -> str:
        nonlocal t
        t += timedelta(seconds=rng.randrange(0, 3), milliseconds=rng.randrange(0, 999))
        return f"{t:%H:%M:%S}"

    out = [
        f"{ts()}  Running with dbt=1.8.7",
        f"{ts()}  Registered adapter: postgres=1.8.2",
        f"{ts()}  Found 64 models, 3 snapshots, 212 data tests, 31 sources, 718 macros",
        f"{ts()}  ",
        f"{ts()}  Concurrency: 8 threads (target='dev')",
        f"{ts()}  ",
        f"{ts()}  1 of 4 START sql incremental model dbt_ines.int_web__sessions ................... [RUN]",
        f"{ts()}  1 of 4 OK created sql incremental model dbt_ines.int_web__sessions .............. [INSERT 0 {rng.randrange(180000, 260000)} in {rng.uniform(40, 90):.2f}s]",
        f"{ts()}  2 of 4 START test not_null_int_web__sessions_session_id ........................ [RUN]",
        f"{ts()}  2 of 4 PASS not_null_int_web__sessions_session_id .............................. [PASS in {rng.uniform(2, 6):.2f}s]",
        f"{ts()}  3 of 4 START test not_null_int_web__sessions_anonymous_id ...................... [RUN]",
        f"{ts()}  3 of 4 PASS not_null_int_web__sessions_anonymous_id ............................ [PASS in {rng.uniform(2, 6):.2f}s]",
        f"{ts()}  4 of 4 START test unique_int_web__sessions_session_id .......................... [RUN]",
    ]
    if failures:
        out += [
            f"{ts()}  4 of 4 FAIL {failures} unique_int_web__sessions_session_id ............................ [FAIL {failures} in {rng.uniform(8, 20):.2f}s]",
            f"{ts()}  ",
            f"{ts()}  Finished running 1 incremental model, 3 data tests in 0 hours 1 minutes and {rng.randrange(10, 59)} seconds ({rng.uniform(70, 120):.2f}s).",
            f"{ts()}  ",
            f"{ts()}  Completed with 1 error, 0 partial successes, and 0 warnings:",
            f"{ts()}  ",
            f"{ts()}  Failure in test unique_int_web__sessions_session_id (models/intermediate/web/_web__models.yml)",
            f"{ts()}    Got {failures} results, configured to fail if != 0",
            f"{ts()}  ",
            f"{ts()}    compiled code at target/compiled/warehouse/models/intermediate/web/_web__models.yml/unique_int_web__sessions_session_id.sql",
            f"{ts()}  ",
            f"{ts()}  Done. PASS=2 WARN=0 ERROR=1 SKIP=0 TOTAL=3",
        ]
    return "\n".join(out) + "\n"


_wh_sessions_v0 = """{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns'
    )
}}

-- 30-minute inactivity sessions over app events. Runs hourly.

with events as (
    select event_id, anonymous_id, user_id, event_at, page_path, utm_source
    from {{ ref('stg_app__events') }}
    {% if is_incremental() %}
    where event_at > (select max(session_end) from {{ this }})
    {% endif %}
),

flagged as (
    select
        *,
        case
            when lag(event_at) over (partition by anonymous_id order by event_at) is null
              or event_at - lag(event_at) over (partition by anonymous_id order by event_at) > interval '30 minutes'
            then 1 else 0
        end as is_new_session
    from events
),

numbered as (
    select
        *,
        sum(is_new_session) over (partition by anonymous_id order by event_at rows unbounded preceding) as session_seq
    from flagged
)

select
    md5(anonymous_id || '-' || min(event_at)::text) as session_id,
    anonymous_id,
    max(user_id) as user_id,
    min(event_at) as session_start,
    max(event_at) as session_end,
    count(*) as events,
    (array_agg(page_path order by event_at))[1] as landing_page,
    (array_agg(utm_source order by event_at) filter (where utm_source is not null))[1] as utm_source
from numbered
group by anonymous_id, session_seq
"""

cc(
    "m-cc-023", "complex",
    "Two plausible fixes for duplicate sessions in an incremental model have failed and the duplicate count barely moves, so the cause is somewhere the agent has not looked yet; a loop that keeps failing.",
    "warehouse",
    [
        U("int_web__sessions went incremental last week and since then the unique test on session_id fails after every hourly run (full refresh is clean, then it breaks again). fix it, the marketing attribution model reads it"),
        rd("models/intermediate/web/int_web__sessions.sql", _wh_sessions_v0),
        sh("dbt build -s int_web__sessions", _dbt_build(3, 0, 1204), code=1, secs=88.0),
        A("There's no `unique_key`, so every incremental run appends: a session that is still open at the end of one run gets written again, with the same `session_id` (same anonymous_id and first event), by the next run. Adding `unique_key='session_id'` makes dbt delete the old row before inserting."),
        ed("models/intermediate/web/int_web__sessions.sql", "        materialized='incremental',\n        on_schema_change='append_new_columns'", "        materialized='incremental',\n        unique_key='session_id',\n        on_schema_change='append_new_columns'", src=_wh_sessions_v0),
        sh("dbt run -s int_web__sessions --full-refresh -q && dbt build -s int_web__sessions", _dbt_build(3, 1, 1187), code=1, secs=301.0),
        A("Barely moved. The incremental filter `event_at > max(session_end)` only sees events after the last session ended, so a session that continues across the run boundary gets split: the new part starts a new session with a different first event. That wouldn't duplicate `session_id` itself though... unless late events arrive. I'll add a 3 hour lookback and recompute any session touched in that window."),
        ed("models/intermediate/web/int_web__sessions.sql", "    where event_at > (select max(session_end) from {{ this }})", "    where event_at > (select max(session_end) - interval '3 hours' from {{ this }})", src=_wh_sessions_v0),
        sh("dbt run -s int_web__sessions --full-refresh -q && dbt build -s int_web__sessions", _dbt_build(3, 2, 1342), code=1, secs=317.0),
        sh("dbt show --inline \"select session_id, count(*) as n, min(session_start) as s1, max(session_start) as s2, min(events) as e1, max(events) as e2 from {{ ref('int_web__sessions') }} group by 1 having count(*) > 1 order by n desc limit 8\"", "21:40:12  Running with dbt=1.8.7\n21:40:13  Registered adapter: postgres=1.8.2\n21:40:13  Found 64 models, 3 snapshots, 212 data tests, 31 sources, 718 macros\n21:40:13  \n21:40:13  Concurrency: 8 threads (target='dev')\n21:40:13  \n21:40:19  Previewing inline node:\n| session_id                       | n | s1                  | s2                  | e1 | e2 |\n| -------------------------------- | - | ------------------- | ------------------- | -- | -- |\n| 0a3f9c2e71d84b55e0c6a1f2b9d3e7c4 | 2 | 2025-10-22 20:51:07 | 2025-10-22 20:51:07 |  4 | 11 |\n| 1b7e04d95c2a8f36d1e9b0c7a4f5e213 | 2 | 2025-10-22 20:58:44 | 2025-10-22 20:58:44 |  2 |  2 |\n| 2c91f8e0a6b34d7f5e1c0a9b8d2f6e45 | 2 | 2025-10-22 21:02:13 | 2025-10-22 21:02:13 |  1 |  6 |\n| 3d0a7b6c5e4f1a2b9c8d7e6f5a4b3c21 | 2 | 2025-10-22 19:47:30 | 2025-10-22 19:47:30 |  7 |  7 |\n| 4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a90 | 2 | 2025-10-22 21:09:52 | 2025-10-22 21:09:52 |  3 |  5 |\n| 5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b01 | 2 | 2025-10-22 20:33:18 | 2025-10-22 20:33:18 | 12 | 12 |\n| 6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c12 | 2 | 2025-10-22 21:12:40 | 2025-10-22 21:12:40 |  1 |  3 |\n| 7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d23 | 2 | 2025-10-22 20:06:05 | 2025-10-22 20:06:05 |  2 |  9 |", secs=9.0, desc="Show duplicated session ids"),
    ],
)


# =========================================================================== complex: plain Anthropic SDK calls

sdk(
    "m-ot-a06", "complex",
    "Concurrent 401s triggering overlapping refreshes of a single-use refresh token in a reentrant Swift actor is a concurrency bug in auth code that must be right under every interleaving.",
    [{"role": "user", "content": "iOS app, Swift 5.10, strict concurrency on. Since the backend turned on refresh-token rotation (each refresh token is single use; reusing an old one revokes the whole session family), about 1 in 200 users get logged out every day, mostly right after the app comes back from background. I'm pretty sure it's our token handling. Here it is:\n\n```swift\nactor AuthSession {\n    private var accessToken: String?\n    private var refreshToken: String?\n    private var expiresAt: Date = .distantPast\n    private let api: AuthAPI\n    private let keychain: KeychainStore\n\n    init(api: AuthAPI, keychain: KeychainStore) {\n        self.api = api\n        self.keychain = keychain\n        self.refreshToken = keychain.read(\"refresh_token\")\n    }\n\n    func validAccessToken() async throws -> String {\n        if let token = accessToken, expiresAt > Date().addingTimeInterval(30) {\n            return token\n        }\n        return try await refresh()\n    }\n\n    func refresh() async throws -> String {\n        guard let rt = refreshToken else { throw AuthError.loggedOut }\n        let pair = try await api.refresh(using: rt)   // POST /oauth/token grant_type=refresh_token\n        accessToken = pair.accessToken\n        refreshToken = pair.refreshToken\n        expiresAt = Date().addingTimeInterval(TimeInterval(pair.expiresIn))\n        keychain.write(\"refresh_token\", pair.refreshToken)\n        return pair.accessToken\n    }\n\n    func logout() {\n        accessToken = nil\n        refreshToken = nil\n        keychain.delete(\"refresh_token\")\n    }\n}\n\nfinal class APIClient {\n    let session: AuthSession\n    let urlSession: URLSession\n\n    func send<T: Decodable>(_ request: URLRequest) async throws -> T {\n        var req = request\n        req.setValue(\"Bearer \\(try await session.validAccessToken())\", forHTTPHeaderField: \"Authorization\")\n        let (data, response) = try await urlSession.data(for: req)\n        if (response as? HTTPURLResponse)?.statusCode == 401 {\n            let fresh = try await session.refresh()\n            req.setValue(\"Bearer \\(fresh)\", forHTTPHeaderField: \"Authorization\")\n            let (data2, response2) = try await urlSession.data(for: req)\n            guard (response2 as? HTTPURLResponse)?.statusCode != 401 else {\n                await session.logout()\n                throw AuthError.loggedOut\n            }\n            return try JSONDecoder().decode(T.self, from: data2)\n        }\n        return try JSONDecoder().decode(T.self, from: data)\n    }\n}\n```\n\nOn foreground the home screen fires 5-6 requests at once. The widget extension also reads the refresh token from the shared keychain group and refreshes on its own when it runs. Please fix this properly (I know actors don't make this safe by themselves, that's kind of the point) and explain what the failure sequences were, including the widget."}],
    max_tokens=8000,
)

sdk(
    "m-ot-a07", "complex",
    "An asyncio service that hangs only under load because handlers take a second pooled connection while holding one is a deadlock whose cause is not in any traceback, and the fix changes how every handler uses the pool.",
    [{"role": "user", "content": "Python 3.12, aiohttp server + asyncpg. Under our Friday traffic (maybe 60-80 concurrent requests) the service stops answering completely: no errors, no CPU, health checks time out and k8s restarts it. At normal load it's fine for weeks. py-spy dump of a hung pod shows ~80 tasks all waiting in `Pool.acquire`. Pool is min 5 / max 10. Relevant code (trimmed, but the structure is real):\n\n```python\n# db.py\npool: asyncpg.Pool\n\n@asynccontextmanager\nasync def connection():\n    async with pool.acquire(timeout=None) as conn:\n        yield conn\n\n# audit.py\nasync def record(actor_id: int, action: str, payload: dict) -> None:\n    async with connection() as conn:\n        await conn.execute(\n            \"insert into audit_log(actor_id, action, payload) values ($1, $2, $3)\",\n            actor_id, action, json.dumps(payload))\n\n# orders.py\nasync def create_order(request: web.Request) -> web.Response:\n    body = await request.json()\n    async with connection() as conn:\n        async with conn.transaction():\n            order_id = await conn.fetchval(\n                \"insert into orders(customer_id, total_cents) values ($1, $2) returning id\",\n                body[\"customer_id\"], body[\"total_cents\"])\n            for line in body[\"lines\"]:\n                await conn.execute(\n                    \"insert into order_lines(order_id, sku, qty) values ($1, $2, $3)\",\n                    order_id, line[\"sku\"], line[\"qty\"])\n            await reserve_stock(conn, body[\"lines\"])\n            await audit.record(request[\"user_id\"], \"order.create\", {\"order_id\": order_id})\n            price = await pricing.quote(body[\"customer_id\"], body[\"lines\"])  # also uses connection() internally\n            if price != body[\"total_cents\"]:\n                raise web.HTTPConflict(text=\"price changed\")\n    return web.json_response({\"id\": order_id}, status=201)\n\n# stock.py\nasync def reserve_stock(conn, lines):\n    for line in lines:\n        updated = await conn.execute(\n            \"update stock set reserved = reserved + $2 where sku = $1 and on_hand - reserved >= $2\",\n            line[\"sku\"], line[\"qty\"])\n        if updated == \"UPDATE 0\":\n            raise web.HTTPConflict(text=f\"out of stock: {line['sku']}\")\n```\n\nThere are about 40 handlers and a lot of them call helpers like audit.record or pricing.quote from inside their own `async with connection()`. What is going on and how do we fix it for real? Bigger pool only moves the cliff. Also: the audit insert is outside the order transaction today, is that a problem?"}],
    max_tokens=6000,
)


# =========================================================================== reasoning: Claude Code main loop

_hp_vessel_tustna = """{
  "name": "MF Tustna",
  "imo": "9811412",
  "passengerCapacity": 299,
  "maxDeadweightT": 410,
  "decks": [
    { "id": "main", "lanes": 6, "laneLengthM": 62, "clearanceM": 4.6, "maxAxleLoadT": 11.5,
      "notes": "lanes 1 and 6 are the only ones with the turning radius for vehicles over 12 m" },
    { "id": "mezzanine", "lanes": 4, "laneLengthM": 38, "clearanceM": 2.05, "maxVehicleWeightT": 2.5,
      "hoistable": true, "hoistMinutes": 4,
      "notes": "must be loaded first and lowered before main deck lanes 2-5 are loaded" }
  ],
  "vehicleGapM": 0.5
}
"""

_hp_capacity_service = """namespace HarbourPass.Application.Capacity;

public sealed class VehicleCapacity(HarbourDbContext db)
{
    // Sales capacity = total lane metres over all decks. A booking fits if its vehicle length + gap fits in what's left.
    public async Task<bool> FitsAsync(Guid sailingId, VehicleClass cls, decimal lengthM, CancellationToken ct)
    {
        var s = await db.Sailings.Include(x => x.Vessel).SingleAsync(x => x.Id == sailingId, ct);
        var total = s.Vessel.Decks.Sum(d => d.Lanes * d.LaneLengthM);
        var used = await db.Bookings
            .Where(b => b.SailingId == sailingId && b.Status != BookingStatus.Cancelled && b.Vehicle != null)
            .SumAsync(b => b.Vehicle!.LengthM + s.Vessel.VehicleGapM, ct);
        return used + lengthM + s.Vessel.VehicleGapM <= total;
    }
}
"""

cc(
    "m-cc-024", "reasoning",
    "Choosing how to sell deck space when height, weight, lane and loading-order constraints make lane-metres a false measure is a capacity-model design decision with real trade-offs.",
    "harbour",
    [
        U("need your head on a design problem before anyone writes code. we sell vehicle space as lane metres: vehicle length + 0.5 m gap against the total over both decks (VehicleCapacity.FitsAsync). on the Tustna and her sister ship the mezzanine only takes vehicles under 2.05 m high and 2.5 t, and it has to be loaded first and lowered before the middle main-deck lanes. trucks over 12 m only fit lanes 1 and 6. so on summer Fridays we happily sell 'capacity' that only a car could use and campers get left on the quay: 27 sailings last summer, each one a furious customer and a free ticket. options people have floated: separate buckets per vehicle class, a real packing check on every booking, airline-style overbooking with a buffer per class, or letting the deck crew allocate lanes at booking time. constraints: web and app need instant confirmation, about 15% of bookings change the vehicle afterwards (registration lookups correct the height), and the other 7 vessels have different decks. what model would you choose and why, what does it cost us in sellable capacity, and how do we handle the changed-vehicle bookings? no code yet"),
        par(rd("config/vessels/tustna.json", _hp_vessel_tustna), rd("src/HarbourPass.Application/Capacity/VehicleCapacity.cs", _hp_capacity_service)),
        sh("psql \"$ANALYTICS_RO\" -X -A -F ' | ' -c \"select vehicle_class, count(*) as bookings, round(avg(length_m),1) as avg_len, round(avg(height_m),2) as avg_h, round(100.0*sum(case when changed_vehicle then 1 else 0 end)/count(*),1) as pct_changed from booking_vehicles where sailing_date between '2025-06-15' and '2025-08-31' and route_code='HAL-KAN' group by 1 order by 2 desc\"", "vehicle_class | bookings | avg_len | avg_h | pct_changed\ncar | 18422 | 4.6 | 1.55 | 12.8\nvan | 3107 | 5.6 | 2.35 | 19.4\ncamper | 1486 | 7.1 | 3.05 | 22.1\ncar_with_trailer | 942 | 9.8 | 1.9 | 17.6\nmotorcycle | 611 | 2.2 | 1.3 | 4.0\ntruck | 388 | 15.4 | 4.0 | 2.1\nbus | 57 | 12.9 | 3.4 | 0.0\n(7 rows)", secs=2.6, desc="Summer vehicle mix on the route"),
    ],
)

_hp_ticket_qr = """using System.Security.Cryptography;
using System.Text;

namespace HarbourPass.Application.Tickets;

/// Prototype: QR payload the scanners can verify without network (Kanestraum quay has no coverage).
public sealed class TicketQr(IConfiguration config)
{
    // Same key is baked into the scanner app's config (appsettings.Scanner.json) so it can verify offline.
    private readonly byte[] _key = Convert.FromBase64String(config["Tickets:QrHmacKey"]!);

    public string Payload(Booking b)
    {
        var body = $"{b.Id:N}|{b.SailingId:N}|{b.Passengers}|{b.Vehicle?.Registration ?? "-"}|{b.Sailing.DepartsAt.ToUnixTimeSeconds()}";
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(body));
        return body + "|" + Convert.ToBase64String(mac.AsSpan(0, 10));
    }

    public static bool Verify(string payload, byte[] key, Guid sailingId)
    {
        var i = payload.LastIndexOf('|');
        var body = payload[..i];
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body));
        return Convert.ToBase64String(mac.AsSpan(0, 10)) == payload[(i + 1)..]
               && body.Split('|')[1] == sailingId.ToString("N");
    }
}
"""

cc(
    "m-cc-025", "reasoning",
    "Threat-modelling offline-verifiable boarding QR codes across 140 scanners, refunds, screenshots, stolen devices and key distribution is security analysis whose answer is an argument about attackers and trade-offs.",
    "harbour",
    [
        U("we're moving quay check-in to QR codes the scanners can verify offline, because Kanestraum and two other quays have no coverage and the vessels lose it mid-fjord. prototype is TicketQr.cs. before we print a single ticket I want it threat-modelled properly: people sharing screenshots, tickets that were refunded or moved to another sailing still scanning, someone with a stolen scanner, people forging codes, staff abusing it, and what the key setup should be (this HMAC with the key in the app vs Ed25519 signatures, rotation, how revocation reaches scanners that are only online at some quays). 140 Android scanners on 9 vessels and 14 quays, they sync when they have signal. don't write code, tell me what we're defending against and what design survives it"),
        rd("src/HarbourPass.Application/Tickets/TicketQr.cs", _hp_ticket_qr),
        gr("QrHmacKey", "src/HarbourPass.Api/appsettings.json:31:    \"QrHmacKey\": \"\"\nscanner-app/app/src/main/assets/appsettings.Scanner.json:7:    \"QrHmacKey\": \"q8Vb1mZ2...redacted-in-repo...\"\ninfra/helm/harbourpass/values-prod.yaml:44:      QrHmacKey: ref+awssecrets://harbourpass/prod/tickets#qr_hmac_key", path="."),
        sh("grep -n 'sync\\|offline\\|cursor' scanner-app/app/src/main/java/no/fjordlink/scanner/SyncWorker.kt | head -20", "12:// Runs every 15 minutes when there is network; pulls the manifest delta for today's sailings at this quay/vessel.\n27:    val cursor = prefs.getLong(\"manifest_cursor\", 0L)\n31:    val delta = api.scannerSync(deviceId, vesselOrQuay, cursor)   // GET /api/checkin/scanner-sync?since=cursor\n38:    db.manifest().upsertAll(delta.bookings)           // bookingId, status, passengers, vehicle reg\n44:    prefs.edit().putLong(\"manifest_cursor\", delta.nextCursor).apply()\n51:// Offline: a scanned booking that is not in the local manifest is accepted if TicketQr.Verify passes.\n52:// A booking that IS in the manifest is rejected if status != Confirmed.", secs=0.2, desc="Look at how the scanner syncs"),
    ],
)


def _outbox_rca_logs(seed: int) -> dict[str, str]:
    """One bad day across payments-api (webhooks), outbox-relay and ledger-service, plus the reconciliation export."""
    rng = random.Random(seed)
    base = datetime(2025, 10, 20, 13, 58, 0)
    pay, relay, ledger = [], [], []
    missing_rows = []
    next_id = 88412000
    t = base
    cursor = next_id
    pending: list[tuple[int, datetime, str, datetime]] = []
    for step in range(150):
        t += timedelta(milliseconds=rng.randrange(300, 700))
        # webhooks arriving in this slice
        for _ in range(rng.randrange(4, 14) if 40 <= step < 110 else rng.randrange(1, 4)):
            next_id += 1
            inv = "inv_" + "".join(rng.choice("0123456789abcdefghjkmnpqrstvwxyz") for _ in range(14))
            slow = rng.random() < (0.03 if 40 <= step < 110 else 0.004)
            fetch_ms = rng.randrange(1300, 2600) if slow else 0
            tx_ms = fetch_ms + rng.randrange(4, 26)
            commit = t + timedelta(milliseconds=tx_ms)
            pending.append((next_id, commit, inv, t))
            pay.append(f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z INFO  payments.webhooks event=invoice.paid stripe_event=evt_{rng.randrange(16**12):012x} invoice={inv} tenant=ten_{rng.randrange(100, 999)} pdf_in_payload={'false' if slow else 'true'}")
            pay.append(f"{commit:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z INFO  payments.billing  invoice.mark_paid invoice={inv} outbox_id={next_id} stripe_fetch_ms={fetch_ms} tx_ms={tx_ms}")
        # relay poll every ~500ms: sees rows committed by now with id > cursor
        visible = sorted(p for p in pending if p[1] <= t and p[0] > cursor)
        if visible:
            ids = [p[0] for p in visible]
            for p in visible:
                pending.remove(p)
            skipped = [p for p in pending if p[0] < ids[-1] and p[0] > cursor]
            relay.append(f"{t:%Y-%m-%d %H:%M:%S,%f}"[:-3] + f" INFO  relay.poll after_id={cursor} rows={len(ids)} min_id={ids[0]} max_id={ids[-1]} published={len(ids)} batch_ms={rng.randrange(4, 30)}")
            relay.append(f"{t:%Y-%m-%d %H:%M:%S,%f}"[:-3] + f" INFO  relay.cursor committed after_id={ids[-1]}")
            for p in skipped:
                missing_rows.append(p)
                pending.remove(p)
            cursor = ids[-1]
            for i in ids:
                if rng.random() < 0.25:
                    ledger.append(f"{t + timedelta(milliseconds=rng.randrange(40, 400)):%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" INFO  [ledger-consumer-{rng.randrange(0, 4)}] c.a.l.events.PaymentEventsListener - posted entries for outbox_id={i} partition={rng.randrange(0, 12)} offset={rng.randrange(10**7, 10**8)}")
        else:
            relay.append(f"{t:%Y-%m-%d %H:%M:%S,%f}"[:-3] + f" DEBUG relay.poll after_id={cursor} rows=0")
        if step == 75:
            relay.append(f"{t:%Y-%m-%d %H:%M:%S,%f}"[:-3] + " WARN  relay.kafka produce retry topic=payments.events.v1 partition=7 error=NOT_LEADER_OR_FOLLOWER attempt=1 (idempotent producer, sequence preserved)")
        if step == 120:
            ledger.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + " INFO  [ledger-consumer-2] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=ledger-consumer-2, groupId=ledger] Revoke previously assigned partitions payments.events.v1-6, payments.events.v1-7, payments.events.v1-8")
            ledger.append(f"{t + timedelta(seconds=3):%Y-%m-%d %H:%M:%S.%f}"[:-3] + " INFO  [ledger-consumer-2] o.a.k.c.c.i.ConsumerCoordinator - [Consumer clientId=ledger-consumer-2, groupId=ledger] Setting offset for partition payments.events.v1-7 to the committed offset FetchPosition{offset=48211902, offsetEpoch=Optional[12]}")
    recon = ["invoice,paid_at_payments,outbox_id,outbox_created_at,outbox_published_at,ledger_entry"]
    for oid, commit, inv, created in missing_rows:
        recon.append(f"{inv},{commit:%Y-%m-%d %H:%M:%S},{oid},{created:%Y-%m-%d %H:%M:%S.%f},,")
    return {
        "payments-api": "\n".join(sorted(pay)) + "\n",
        "outbox-relay": "\n".join(relay) + "\n",
        "ledger-service": "\n".join(sorted(ledger)) + "\n",
        "recon": "\n".join(recon) + "\n",
    }


_OUTBOX = _outbox_rca_logs(21)

cc(
    "m-cc-026", "reasoning",
    "Explaining why a few paid invoices silently never reach the ledger, from three services' logs and a reconciliation export with no errors, is root-cause analysis that must fit all the evidence.",
    "payments",
    [
        U("finance reconciliation finds 20-40 invoices a day that are paid in payments-api but never got a ledger entry (~0.3%). no pattern by tenant or currency. the flow: stripe webhook → mark_paid writes the outbox row in the same transaction → outbox-relay polls the outbox and publishes to payments.events.v1 → ledger-service posts entries. there are no errors anywhere. I pulled ~75 seconds of yesterday's peak from all three plus the recon rows for that window into incidents/2025-10-20/. I don't want a patch yet: tell me exactly why these specific ones vanish, in a way that explains all of it (why only some, why at peak, why nothing logs an error)"),
        sh("ls -la incidents/2025-10-20/ && cat incidents/2025-10-20/recon.csv", "total 212\ndrwxr-xr-x 2 maya maya   4096 Oct 21 09:12 .\ndrwxr-xr-x 9 maya maya   4096 Oct 21 09:10 ..\n" + f"-rw-r--r-- 1 maya maya {len(_OUTBOX['ledger-service']):>6} Oct 21 09:11 ledger-service.log\n-rw-r--r-- 1 maya maya {len(_OUTBOX['outbox-relay']):>6} Oct 21 09:11 outbox-relay.log\n-rw-r--r-- 1 maya maya {len(_OUTBOX['payments-api']):>6} Oct 21 09:11 payments-api.log\n-rw-r--r-- 1 maya maya {len(_OUTBOX['recon']):>6} Oct 21 09:12 recon.csv\n" + _OUTBOX["recon"], secs=0.2, desc="Show the incident log"),
        sh("cat incidents/2025-10-20/outbox-relay.log", _OUTBOX["outbox-relay"], secs=0.2, desc="Show the incident log"),
        sh("grep -E 'mark_paid' incidents/2025-10-20/payments-api.log | awk '{ split($0,a,\"stripe_fetch_ms=\"); split(a[2],b,\" \"); if (b[1]+0 > 1000) print }'", "\n".join(line for line in _OUTBOX["payments-api"].splitlines() if "mark_paid" in line and int(line.split("stripe_fetch_ms=")[1].split()[0]) > 1000), secs=0.3, desc="Show the incident log"),
        sh("cat incidents/2025-10-20/ledger-service.log | tail -40 && grep -n 'outbox_id\\|created_at\\|FOR UPDATE\\|order by' app/outbox/relay.py app/billing/invoices.py | head -20", "\n".join(_OUTBOX["ledger-service"].splitlines()[-40:]) + "\napp/outbox/relay.py:22:    rows = await conn.fetch(\"select id, topic, key, payload from outbox where id > $1 and published_at is null order by id limit 500\", after_id)\napp/outbox/relay.py:31:    await conn.execute(\"update relay_cursor set after_id = $1 where name = 'payments'\", rows[-1][\"id\"])\napp/outbox/relay.py:35:    await conn.execute(\"update outbox set published_at = now() where id = any($1)\", [r[\"id\"] for r in rows])\napp/billing/invoices.py:141:    async with session.begin():\napp/billing/invoices.py:143:        session.add(OutboxEvent(topic=\"payments.events.v1\", key=invoice.id, payload=paid_event(invoice)))\napp/billing/invoices.py:144:        await session.flush()  # assigns outbox_id (bigserial)\napp/billing/invoices.py:146:        pdf_url = await stripe_client.invoice_pdf_url(invoice.stripe_invoice_id)  # for the receipt email\napp/billing/invoices.py:151:        invoice.receipt_pdf_url = pdf_url", secs=0.4, desc="Show the incident log"),
    ],
)

_rnd_freelist = """#pragma once

#include <atomic>
#include <cstdint>

namespace render::jobs {

// Lock-free LIFO free list for Job nodes. Nodes come from JobArena and are never returned to the OS
// while the job system is alive, so reading node->next of a node another thread just popped is "fine".
// The head is a 64-bit word: low 48 bits pointer, high 16 bits an ABA tag incremented on every push.
struct Job;

struct FreeNode {
    FreeNode* next;
};

class FreeList {
public:
    void push(FreeNode* n) noexcept {
        uint64_t old = head_.load(std::memory_order_relaxed);
        uint64_t desired;
        do {
            n->next = ptr(old);
            desired = pack(n, tag(old) + 1);
        } while (!head_.compare_exchange_weak(old, desired, std::memory_order_release, std::memory_order_relaxed));
    }

    FreeNode* pop() noexcept {
        uint64_t old = head_.load(std::memory_order_acquire);
        for (;;) {
            FreeNode* n = ptr(old);
            if (!n) return nullptr;
            FreeNode* next = n->next;  // may race with a concurrent push of n by its new owner
            uint64_t desired = pack(next, tag(old));
            if (head_.compare_exchange_weak(old, desired, std::memory_order_acquire, std::memory_order_acquire)) {
                return n;
            }
        }
    }

private:
    static FreeNode* ptr(uint64_t v) noexcept { return reinterpret_cast<FreeNode*>(v & ((1ull << 48) - 1)); }
    static uint16_t tag(uint64_t v) noexcept { return static_cast<uint16_t>(v >> 48); }
    static uint64_t pack(FreeNode* p, uint16_t t) noexcept {
        return (static_cast<uint64_t>(t) << 48) | (reinterpret_cast<uint64_t>(p) & ((1ull << 48) - 1));
    }

    alignas(64) std::atomic<uint64_t> head_{0};
};

}  // namespace render::jobs
"""

cc(
    "m-cc-027", "reasoning",
    "Proving a tagged-pointer lock-free free list ABA-safe and race-free under the C++ memory model, or finding the interleaving that breaks it, is a correctness argument about orderings, with extended thinking on.",
    "render",
    [
        U("think hard about this one. src/jobs/FreeList.h is the free list under the job system (16 workers, ~40M pop/push per second at peak in the streaming scene). I want either a proof that it's correct or the interleaving that breaks it: (1) is the 16-bit tag enough against ABA at our rates, given a thread can be preempted between reading head and the CAS; (2) the comment says reading n->next after someone else popped n is fine because nodes are never freed, is that actually OK under the C++ memory model or is it a data race / UB even if it 'works' on x86; (3) are the orderings right (push release / pop acquire), in particular does pop's CAS need acquire on failure; (4) we also want to port to arm64 and to the consoles, does anything change. TSan is quiet on our stress test but I don't trust that"),
        rd("src/jobs/FreeList.h", _rnd_freelist),
        gr("FreeList", "src/jobs/JobArena.cpp:18:    FreeList free_;\nsrc/jobs/JobArena.cpp:41:    if (FreeNode* n = free_.pop()) return new (n) Job{};\nsrc/jobs/JobArena.cpp:57:    job->~Job();\nsrc/jobs/JobArena.cpp:58:    free_.push(reinterpret_cast<FreeNode*>(job));\ntests/jobs/FreeListTest.cpp:12:TEST(FreeList, StressPushPop16Threads) {", path="src"),
    ],
    thinking=16000,
)

_shop_refund_allocator = """# Splits a partial refund of an order across its line items so per-line refunded amounts add up exactly
# to the refund and VAT can be reported per line (tax rates differ per line: 25%, 12%, 6%, 0% for gift cards).
class RefundAllocator
  Allocation = Data.define(:line_item_id, :cents)

  # order.line_items respond to #id and #refundable_cents (price paid minus what was already refunded on that line)
  def self.call(order, refund_cents)
    lines = order.line_items.select { |li| li.refundable_cents.positive? }.sort_by(&:id)
    total = lines.sum(&:refundable_cents)
    raise ArgumentError, "refund exceeds refundable" if refund_cents > total
    return [] if refund_cents.zero?

    # largest remainder: floor the proportional shares, then hand out the leftover cents
    # to the lines with the biggest fractional parts (ties: lower id first)
    shares = lines.map do |li|
      exact = Rational(refund_cents * li.refundable_cents, total)
      [li, exact.floor, exact - exact.floor]
    end
    leftover = refund_cents - shares.sum { |_, floor, _| floor }
    shares.sort_by { |li, _, frac| [-frac, li.id] }.first(leftover).each { |s| s[1] += 1 }

    shares.map { |li, cents, _| Allocation.new(line_item_id: li.id, cents: cents) }
  end
end
"""

cc(
    "m-cc-028", "reasoning",
    "Proving or refuting exactness, per-line bounds, non-negativity and stability of a largest-remainder refund allocation over repeated partial refunds is a correctness argument, not an edit.",
    "shopfront",
    [
        U("before finance signs off on per-line VAT for partial refunds I want RefundAllocator proven, not just tested. claims in the PR description: (a) allocations always sum to exactly refund_cents, (b) no line ever gets more than its refundable_cents, (c) no line gets a negative amount, (d) doing two partial refunds of X and Y allocates the same per line as one refund of X+Y, (e) the result doesn't depend on the order line_items come back from the db. prove each or give me a concrete counterexample order (cents values), and if (d) is false tell me whether it matters for VAT and what invariant we should promise instead"),
        rd("app/services/refund_allocator.rb", _shop_refund_allocator),
        gr("RefundAllocator", "app/services/refund_service.rb:41:      allocations = RefundAllocator.call(order, amount_cents)\napp/services/refund_service.rb:42:      allocations.each { |a| order.line_items.find(a.line_item_id).increment!(:refunded_cents, a.cents) }\nspec/services/refund_allocator_spec.rb:3:RSpec.describe RefundAllocator do", path="app"),
    ],
)

cc(
    "m-cc-029", "reasoning",
    "Choosing a disaster-recovery design for a payments stack under RPO, RTO, cost and data-residency constraints is an architecture decision with real trade-offs, with extended thinking on.",
    "infra",
    [
        U("after the eu-west-1 scare last month the board wants a DR story for payments: RPO 5 min, RTO 1 h, for payments-api + its Postgres (RDS, 1.8 TB, ~4k writes/s peak) + Redis (celery broker, rebuildable) + the S3 uploads bucket. budget: at most +35% on the prod bill for these. constraints: customer data must stay in the EU, Stripe webhooks point at one hostname, and we deploy through Argo CD from this repo. options on the table: (1) pilot light in eu-central-1 with a cross-region RDS read replica + terraform to bring up EKS on demand, (2) warm standby: a small EKS cluster always running there, Aurora Global Database instead of RDS, (3) backups + restore only (snapshots copied cross-region every 5 min isn't a thing, so PITR + log shipping?). which one and why, what breaks during failover that people forget (webhook idempotency, celery tasks in flight, sequences, DNS TTLs, secrets), and how do we test it without taking prod down? no terraform yet"),
        rd("terraform/prod/main.tf", INF["terraform/prod/main.tf"]),
        rd("charts/payments-api/values-prod.yaml", INF["charts/payments-api/values-prod.yaml"]),
    ],
    thinking=24000,
)

cc(
    "m-cc-030", "reasoning",
    "Designing a fair, fill-maximising mechanism for a ranked-choice permit lottery with party sizes and capacities, and arguing its strategy-proofness, is a hard algorithmic and mechanism-design problem.",
    "trailhead",
    [
        U("lottery design question, no code yet. 2026 peak season: ~41k applications, each has a party size 1-12 and up to 3 ranked choices of (trailhead, date); 38 trailheads x 92 days, the lottery gets 60% of each day's quota. today we shuffle applications and go down the list giving each one its highest choice that still has room (random serial dictatorship). complaints: (1) big parties almost never get their first choice because days fill with small parties before their turn, (2) ~9% of capacity ends up unused on popular days because the leftover on a day is smaller than any remaining party that wanted it, (3) people file several applications per household to get more tickets. product wants 'fill more spots' AND 'fair' AND 'no advantage from gaming'. I think these conflict. what mechanism would you use, what exactly can we guarantee (and prove) about fairness and strategy-proofness, and what does each option cost in fill rate? is an ILP that maximises filled spots defensible if it's randomised somehow?"),
        gr("shuffle|serialDictatorship|firstFit", "src/lottery/lottery.draw.ts:14:// Random serial dictatorship: shuffle applications with the published seed, then give each its best feasible choice.\nsrc/lottery/lottery.draw.ts:22:  const order = shuffle(applications, seededRandom(seed));\nsrc/lottery/lottery.draw.ts:31:    const pick = app.choices.find((c) => remaining.get(key(c))! >= app.partySize);", path="src/lottery"),
        sh("psql \"$TRAILHEAD_RO\" -X -A -F ' | ' -c \"select party_size_bucket, applications, pct_first_choice, pct_any_choice from lottery_2025_outcomes order by 1\"", "party_size_bucket | applications | pct_first_choice | pct_any_choice\n1-2 | 17904 | 41.2 | 63.0\n3-4 | 12733 | 33.8 | 55.1\n5-8 | 7120 | 19.6 | 38.7\n9-12 | 2310 | 6.1 | 17.4\n(4 rows)", secs=1.1, desc="Outcomes of the 2025 lottery by party size"),
    ],
)


# =========================================================================== reasoning: plain Anthropic SDK calls

sdk(
    "m-ot-a08", "reasoning",
    "Scheduling overnight charging for 60 electric buses under charger, grid-power, price and departure constraints is an optimisation problem needing a formulation and bounds, with extended thinking on.",
    [{"role": "user", "content": "Municipal bus depot, going electric. I need a way to plan overnight charging and I want to understand the problem before we buy software.\n\n- 60 buses arrive between 19:30 and 01:10 and leave between 04:50 and 07:20 (timetable fixed per day, known a day ahead)\n- each arrives with a known state of charge (from telematics) and must leave with enough energy for its next block: required kWh per block known, battery 420 kWh usable\n- 12 chargers, 150 kW each, but the depot grid connection is 1.2 MW total, so at most 8 at full power at once (chargers can be throttled in 10 kW steps)\n- a bus must be plugged in by a person; the shunter moves buses between parking and chargers and each move takes 6 minutes, one shunter until 23:00 and two after\n- electricity price: 15-minute spot prices known the day before; also a monthly peak-demand charge on the highest 15-min average kW of the month\n- charging above 80% SoC is slower: linear taper from 150 kW at 80% to 40 kW at 100%\n\nQuestions: how would you formulate this exactly (MILP? what are the variables), which parts make it hard, can we solve it to optimality for 60 buses in a few minutes or do we need a heuristic, and how would you handle the peak-demand charge which is monthly but we plan daily? If there's a lower bound we can compute quickly to judge a heuristic schedule, explain it."}],
    system="You are an operations-research consultant. Be precise, state assumptions, separate what is exact from what is heuristic, and sanity-check magnitudes with the numbers given.",
    model="claude-opus-4-1", max_tokens=16000, thinking={"type": "enabled", "budget_tokens": 12000},
)

sdk(
    "m-ot-a09", "reasoning",
    "Choosing between edge replicas, a queueing shop server and CRDTs for a point-of-sale system in 400 shops with unreliable internet is an architecture decision about consistency and conflicts.",
    [{"role": "user", "content": "I'm the tech lead at a bakery chain software vendor. Our POS is a web app (React + Node) against one central Postgres in Frankfurt. 400 shops, 2-6 tills each. Shops lose internet several times a week for 5-60 minutes and today the tills just stop (the queue goes out the door, owners are furious). We need offline operation.\n\nWhat has to work offline: ringing up sales (cash and card; card terminals have their own 4G fallback and give us an approval code), price lookups, daily specials, loyalty stamps (a stamp card: 10th coffee free), stock counts for the day's bakes, till cash-ups. What's central: price lists and specials (HQ edits them), loyalty balances shared across all shops of a chain, reporting, VAT exports that must be gap-free (Norwegian/German fiscal rules: every receipt has a sequential number per till, no gaps, signed).\n\nThe camps:\nA) SQLite on each till or a small shop server, sync with something like PowerSync/ElectricSQL or LiteFS, central Postgres stays the source of truth\nB) keep central Postgres, add a local shop server that queues writes and serves a read cache when offline, replay when back\nC) CRDT-based local-first (Automerge/Yjs) for the whole thing\n\nI need a recommendation with the reasoning: where conflicts actually happen here (loyalty double-spend across two shops while one is offline? price changes during an outage? receipt numbering?), what each option does about them, what we'd have to build vs buy, and what I'd regret in two years. Team: 7 devs, nobody has run a sync engine before."}],
    model="claude-opus-4-1", max_tokens=8000,
)

sdk(
    "m-ot-a10", "reasoning",
    "Threat-modelling a browser extension that reads page content on every site and sends it to a backend is security analysis across the extension, the pages, the API and the store supply chain.",
    [{"role": "user", "content": "We're shipping a Chrome/Edge/Firefox extension (Manifest V3) for our customer-support SaaS: agents select text on any web page (their CRM, Gmail, Jira...) and click 'send to ticket'; the extension also shows a sidebar with the ticket when the page URL matches a customer domain. Architecture:\n\n- content script injected on <all_urls> (needed for the selection + URL matching), talks to the service worker with chrome.runtime.sendMessage\n- service worker holds the user's API token (from our OAuth flow, stored in chrome.storage.local), calls https://api.ourapp.com\n- the sidebar is an iframe from https://app.ourapp.com/embed/sidebar?url=<page url>, it gets the token via postMessage from the content script so it can call the API\n- settings page lets admins push a config JSON (customer domain patterns as regexes, field mappings) that the extension fetches every hour\n- we use 3 npm packages in the content script (a markdown renderer, DOMPurify, a date library); builds are done in GitHub Actions and uploaded to the stores with API keys stored as repo secrets\n\nBefore the security review with our biggest customer (a bank), I want a proper threat model: who the attackers are (malicious page, compromised admin, other extensions, someone in our supply chain, a stolen laptop...), what they can reach through each boundary, which of our design choices are dangerous (I have a feeling about the postMessage token and the regexes), and what you'd change first. Prioritised, please, not a checklist of 50 things."}],
    model="claude-sonnet-4-5", max_tokens=8000,
)
