"""Fresh4-split cases (openai dialect): written blind to the router, measured once. See corpus README."""
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
    wr,
)

CASES: list[CaseSpec] = []


# =========================================================================== projects written inline for this module


BERTH = Project(
    "berthplan", "berthplan", "kystlinje/berthplan", "/home/oskar", "/home/oskar/src/berthplan", "linux",
    "oskar/availability-endpoint",
    "M src/Berthplan.Api/Endpoints/BerthEndpoints.cs",
    "4f1c0d2 Bookings: pilot boarding time on BerthBooking (#211)\n9e27a61 EF Core 8.0.8 (#208)\n31b5f0c Tide window check for deep-draft vessels (#204)\nc08d4e9 Berths: max LOA and draft per berth (#199)\n6aa3e12 Minimal API endpoints for berths (#195)",
    editor="Rider", shell="bash",
    notes="""# berthplan

Berth scheduling for the Port of Kystvik (14 berths, ~60 vessel calls a week). .NET 8, ASP.NET Core minimal APIs,
EF Core 8 on Postgres (Npgsql), xUnit + FluentAssertions.

- `dotnet build`, `dotnet test`, `dotnet format` (CI runs `dotnet format --verify-no-changes`)
- Projects: `Berthplan.Core` (domain, scheduling), `Berthplan.Api` (endpoints), `Berthplan.Core.Tests`
- All times are UTC `DateTimeOffset`; the UI converts to Europe/Oslo
- Lengths in metres as `decimal`; LOA = length overall
- Bookings are confirmed by the harbour master's office; never delete a confirmed booking, cancel it
""",
)

KILN = Project(
    "kilnbook", "kilnbook", "clayhouse/kilnbook", "/Users/mei", "/Users/mei/code/kilnbook", "darwin",
    "mei/waitlist-promotion",
    "M studio/bookings/services.py\nM studio/bookings/tests/test_waitlist.py",
    "2b7e19c bookings: waitlist per class session (#96)\n8d03a5f firings: kiln queue page for members (#93)\nf61c2e0 Django 5.1 (#90)\n47a9b1d payments: Stripe Checkout for class packs (#87)\n0c5e8f3 members: studio-time credits (#84)",
    editor="VS Code", shell="zsh",
    notes="""# kilnbook

Class bookings, studio-time credits and the kiln firing queue for Clayhouse (a pottery studio, ~400 members).
Django 5.1, Postgres 16, Celery + Redis for emails, pytest-django. Managed with uv.

- `uv run pytest -q`, `uv run ruff check . && uv run ruff format --check .`
- Apps: `studio/bookings` (classes, sessions, bookings, waitlist), `studio/firings` (kiln queue), `studio/members`
- Times are stored UTC; the studio is in Europe/Amsterdam
- Emails go through `studio.notify.send_template(...)`, never call send_mail directly
""",
)

_INLINE: dict[str, Project] = {p.key: p for p in (BERTH, KILN)}


BOOK = CaseBook(CASES, _INLINE)
cx, oh, ohc, other = BOOK.cx, BOOK.oh, BOOK.ohc, BOOK.other


_POLICIES = [("on-request", "workspace-write", "restricted"), ("never", "workspace-write", "restricted"),
             ("on-request", "read-only", "restricted"), ("untrusted", "workspace-write", "enabled"),
             ("on-failure", "danger-full-access", "enabled")]


# =========================================================================== shared file contents

_BP_SLOT = '''namespace Berthplan.Core.Scheduling;

/// <summary>A half-open time window [Start, End) during which a berth is occupied.</summary>
public readonly record struct BerthSlot(DateTimeOffset Start, DateTimeOffset End)
{
    public TimeSpan Duration => End - Start;

    public bool Overlaps(BerthSlot other) => Start <= other.End && other.Start <= End;

    public static BerthSlot Create(DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start)
        {
            throw new ArgumentException($"slot end {end:O} must be after start {start:O}");
        }
        return new BerthSlot(start, end);
    }
}
'''

_BP_BOOKING = '''using Berthplan.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Berthplan.Core.Scheduling;

public sealed class BookingService(BerthplanDb db, TimeProvider clock)
{
    public async Task<BerthBooking> RequestAsync(BookingRequest req, CancellationToken ct)
    {
        var berth = await db.Berths.SingleOrDefaultAsync(b => b.Id == req.BerthId, ct)
            ?? throw new NotFoundException($"berth {req.BerthId}");
        var vessel = await db.Vessels.SingleAsync(v => v.Imo == req.VesselImo, ct);

        if (vessel.LoaMetres > berth.MaxLoaMetres)
        {
            throw new BookingRejectedException($"LOA {vessel.LoaMetres} m exceeds berth max {berth.MaxLoaMetres} m");
        }
        if (vessel.DraftMetres > berth.MaxDraftMetres && !req.TideWindowConfirmed)
        {
            throw new BookingRejectedException("deep-draft vessel needs a confirmed tide window");
        }

        var slot = BerthSlot.Create(req.Eta, req.Etd);
        var clashes = await db.Bookings
            .Where(b => b.BerthId == berth.Id && b.Status != BookingStatus.Cancelled)
            .Where(b => b.Start < slot.End && slot.Start < b.End)
            .AnyAsync(ct);
        if (clashes)
        {
            throw new BookingRejectedException($"berth {berth.Code} is occupied in {slot.Start:u} - {slot.End:u}");
        }

        var booking = new BerthBooking
        {
            BerthId = berth.Id,
            VesselImo = vessel.Imo,
            Start = slot.Start,
            End = slot.End,
            Status = BookingStatus.Requested,
            PilotBoardingAt = req.PilotBoardingAt,
            RequestedAt = clock.GetUtcNow(),
            RequestedBy = req.AgentId,
        };
        db.Bookings.Add(booking);
        await db.SaveChangesAsync(ct);
        return booking;
    }

    public async Task ConfirmAsync(long bookingId, string harbourMasterId, CancellationToken ct)
    {
        var booking = await db.Bookings.SingleAsync(b => b.Id == bookingId, ct);
        if (booking.Status != BookingStatus.Requested)
        {
            throw new BookingRejectedException($"booking {bookingId} is {booking.Status}");
        }
        booking.Status = BookingStatus.Confirmed;
        booking.ConfirmedBy = harbourMasterId;
        booking.ConfirmedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }
}
'''

_BP_ENDPOINTS = '''using Berthplan.Core.Data;
using Berthplan.Core.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Berthplan.Api.Endpoints;

public static class BerthEndpoints
{
    public static RouteGroupBuilder MapBerths(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/berths").WithTags("Berths").RequireAuthorization("port-staff");

        g.MapGet("/", async (BerthplanDb db, CancellationToken ct) =>
            await db.Berths.OrderBy(b => b.Code)
                .Select(b => new BerthDto(b.Id, b.Code, b.Quay, b.MaxLoaMetres, b.MaxDraftMetres))
                .ToListAsync(ct));

        g.MapGet("/{id:long}", async (long id, BerthplanDb db, CancellationToken ct) =>
            await db.Berths.Where(b => b.Id == id)
                .Select(b => new BerthDto(b.Id, b.Code, b.Quay, b.MaxLoaMetres, b.MaxDraftMetres))
                .SingleOrDefaultAsync(ct) is { } dto ? Results.Ok(dto) : Results.NotFound());

        g.MapGet("/{id:long}/bookings", async (long id, DateOnly from, DateOnly to, BerthplanDb db, CancellationToken ct) =>
        {
            if (to < from) return Results.BadRequest(new { error = "to must not be before from" });
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var rows = await db.Bookings
                .Where(b => b.BerthId == id && b.Status != BookingStatus.Cancelled && b.Start < end && start < b.End)
                .OrderBy(b => b.Start)
                .Select(b => new BookingDto(b.Id, b.VesselImo, b.Start, b.End, b.Status.ToString()))
                .ToListAsync(ct);
            return Results.Ok(rows);
        });

        return g;
    }
}

public sealed record BerthDto(long Id, string Code, string Quay, decimal MaxLoaMetres, decimal MaxDraftMetres);
public sealed record BookingDto(long Id, string VesselImo, DateTimeOffset Start, DateTimeOffset End, string Status);
'''

_KB_MODELS = '''from __future__ import annotations

from django.conf import settings
from django.db import models


class ClassSeries(models.Model):
    """A course, e.g. 'Wheel throwing for beginners, 6 weeks'."""

    title = models.CharField(max_length=200)
    teacher = models.ForeignKey("members.Teacher", on_delete=models.PROTECT)
    capacity = models.PositiveSmallIntegerField(default=8)
    price_cents = models.PositiveIntegerField()


class ClassSession(models.Model):
    series = models.ForeignKey(ClassSeries, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]


class Booking(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="bookings")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONFIRMED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], condition=models.Q(status="confirmed"), name="one_confirmed_booking_per_member"),
        ]


class WaitlistEntry(models.Model):
    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="waitlist")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
'''

_KB_SERVICES = '''from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from studio.bookings.models import Booking, ClassSession, WaitlistEntry
from studio.notify import send_template

OFFER_WINDOW = timedelta(hours=12)


def seats_left(session: ClassSession) -> int:
    taken = session.bookings.filter(status=Booking.Status.CONFIRMED).count()
    return session.series.capacity - taken


@transaction.atomic
def cancel_booking(booking: Booking) -> None:
    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status"])
    promote_from_waitlist(booking.session)


def promote_from_waitlist(session: ClassSession) -> WaitlistEntry | None:
    """Offer the freed seat to the first member on the waitlist who has no open offer."""
    if seats_left(session) <= 0:
        return None
    entry = session.waitlist.filter(offered_at__isnull=True).first()
    if entry is None:
        return None
    now = timezone.now()
    entry.offered_at = now
    entry.offer_expires_at = now + OFFER_WINDOW
    entry.save(update_fields=["offered_at", "offer_expires_at"])
    send_template(
        "bookings/waitlist_offer",
        to=entry.member.email,
        context={"session": session, "expires_at": entry.offer_expires_at, "member": entry.member},
    )
    return entry


@transaction.atomic
def accept_offer(entry: WaitlistEntry) -> Booking:
    if entry.offer_expires_at is None or entry.offer_expires_at < timezone.now():
        raise ValueError("offer expired")
    booking = Booking.objects.create(session=entry.session, member=entry.member)
    entry.delete()
    return booking
'''


def _kb_pytest(seed: int, fail: tuple[str, str] | None = None) -> str:
    rng = random.Random(seed)
    mods = {
        "studio/bookings/tests/test_booking.py": ["test_book_session", "test_book_full_session_rejected", "test_double_booking_rejected", "test_cancel_frees_seat", "test_cancelled_session_not_bookable"],
        "studio/bookings/tests/test_waitlist.py": ["test_join_waitlist", "test_join_waitlist_twice_rejected", "test_cancel_promotes_first_entry", "test_promote_skips_open_offers", "test_accept_offer_creates_booking", "test_accept_expired_offer_rejected", "test_offer_email_sent"],
        "studio/firings/tests/test_queue.py": ["test_enqueue_piece", "test_queue_order_by_cone_then_time", "test_bisque_and_glaze_separate", "test_mark_fired_notifies_owner", "test_shelf_space_limit"],
        "studio/members/tests/test_credits.py": ["test_buy_credit_pack", "test_spend_credit", "test_credit_expiry", "test_no_negative_credit"],
        "studio/payments/tests/test_checkout.py": ["test_checkout_session_created", "test_webhook_completes_order", "test_webhook_signature_checked"],
    }
    lines = ["============================= test session starts ==============================",
             "platform darwin -- Python 3.12.6, pytest-8.3.3, pluggy-1.5.0",
             "django: version: 5.1.2, settings: studio.settings.test (from ini)",
             "rootdir: /Users/mei/code/kilnbook", "configfile: pyproject.toml",
             "plugins: django-4.9.0, cov-5.0.0, freezegun-0.4.2", f"collected {sum(len(v) for v in mods.values())} items", ""]
    failed = 0
    for mod, tests in mods.items():
        marks = ""
        for t in tests:
            if fail and t == fail[0]:
                marks += "F"
                failed += 1
            else:
                marks += "."
        lines.append(f"{mod} {marks}{' ' * max(1, 60 - len(mod) - len(marks))}[{rng.randrange(10, 100):>3}%]")
    lines.append("")
    total = sum(len(v) for v in mods.values())
    if fail:
        lines += ["=================================== FAILURES ===================================", f"_{'_' * 20} {fail[0]} {'_' * 20}", "", fail[1], "=========================== short test summary info ============================", f"FAILED {fail[0]}", f"========================= 1 failed, {total - 1} passed in {rng.random() * 3 + 4:.2f}s ========================="]
    else:
        lines.append(f"============================== {total} passed in {rng.random() * 3 + 4:.2f}s ==============================")
    return "\n".join(lines) + "\n"


# =========================================================================== simple

cx(
    "k-cx-001", "simple",
    "The user asked to run dotnet format and git status and report what changed; both outputs are in, so the next step is a short report.",
    "berthplan",
    [
        U("ci is red on the format check only. run dotnet format on the solution and then git status so i can see what it touched. dont change anything else by hand"),
        sh("dotnet format Berthplan.sln -v diag 2>&1 | tail -n 25",
           "  Determining projects to restore...\n  All projects are up-to-date for restore.\n  Running whitespace analysis.\n  Formatting code files in workspace '/home/oskar/src/berthplan/Berthplan.sln'.\n  Formatted code file '/home/oskar/src/berthplan/src/Berthplan.Api/Endpoints/BerthEndpoints.cs'.\n  Formatted code file '/home/oskar/src/berthplan/src/Berthplan.Core/Scheduling/TideWindow.cs'.\n  Running code style analysis.\n  Fixing IDE0005 (Remove unnecessary using directives) in 'BookingService.cs'.\n  Formatted code file '/home/oskar/src/berthplan/src/Berthplan.Core/Scheduling/BookingService.cs'.\n  Running 3rd party analysis.\n  Complete in 9413ms.\n",
           secs=11.8),
        sh("git status --short",
           " M src/Berthplan.Api/Endpoints/BerthEndpoints.cs\n M src/Berthplan.Core/Scheduling/BookingService.cs\n M src/Berthplan.Core/Scheduling/TideWindow.cs\n"),
    ],
)

cx(
    "k-cx-002", "simple",
    "Listing where a type is used is a grep whose result is already in; the next step is printing the file:line list the user asked for.",
    "gateway",
    [
        U("where else do we construct kafka.Writer directly apart from cmd/gateway? just list file:line, I'm checking what breaks if we move to franz-go later"),
        gr("kafka.Writer{", "cmd/gateway/main.go:58:\tw := &kafka.Writer{\ninternal/replay/replayer.go:41:\t\twriter: &kafka.Writer{\ntools/loadgen/main.go:77:\tw := &kafka.Writer{\nitest/e2e_test.go:96:\tw := &kafka.Writer{\n", glob="*.go"),
    ],
)


def _kb_pytest_verbose(seed: int, fail: tuple[str, str] | None = None) -> str:
    rng = random.Random(seed)
    out = ["============================= test session starts ==============================",
           "platform darwin -- Python 3.12.6, pytest-8.3.3, pluggy-1.5.0 -- /Users/mei/code/kilnbook/.venv/bin/python",
           "cachedir: .pytest_cache", "django: version: 5.1.2, settings: studio.settings.test (from ini)",
           "rootdir: /Users/mei/code/kilnbook", "configfile: pyproject.toml", "plugins: django-4.9.0, cov-5.0.0, freezegun-0.4.2"]
    names = []
    for mod, tests in [
        ("studio/bookings/tests/test_booking.py", ["test_book_session", "test_book_full_session_rejected", "test_double_booking_rejected", "test_cancel_frees_seat", "test_cancelled_session_not_bookable", "test_booking_list_for_member"]),
        ("studio/bookings/tests/test_waitlist.py", ["test_join_waitlist", "test_join_waitlist_twice_rejected", "test_cancel_promotes_first_entry", "test_promote_skips_open_offers", "test_accept_offer_creates_booking", "test_accept_expired_offer_rejected", "test_offer_email_sent", "test_offer_email_uses_member_timezone", "test_expire_offers_moves_to_next"]),
        ("studio/firings/tests/test_queue.py", ["test_enqueue_piece", "test_queue_order_by_cone_then_time", "test_bisque_and_glaze_separate", "test_mark_fired_notifies_owner", "test_shelf_space_limit", "test_kiln_capacity_per_cone"]),
        ("studio/members/tests/test_credits.py", ["test_buy_credit_pack", "test_spend_credit", "test_credit_expiry", "test_no_negative_credit", "test_credit_history_ordering"]),
        ("studio/payments/tests/test_checkout.py", ["test_checkout_session_created", "test_webhook_completes_order", "test_webhook_signature_checked", "test_webhook_replay_ignored"]),
        ("studio/notify/tests/test_templates.py", ["test_template_renders", "test_missing_template_raises", "test_plain_text_alternative"]),
    ]:
        for t in tests:
            params = [""] if rng.random() < 0.6 else [f"[{p}]" for p in rng.sample(["beginner", "intermediate", "open-studio", "weekend", "evening", "cone6", "cone10", "raku"], rng.randrange(2, 5))]
            for prm in params:
                names.append(f"{mod}::{t}{prm}")
    out.append(f"collected {len(names)} items")
    out.append("")
    failed = 0
    for i, n in enumerate(names):
        status = "PASSED"
        if fail and n.endswith(fail[0]):
            status = "FAILED"
            failed += 1
        out.append(f"{n} {status}{' ' * max(1, 88 - len(n) - len(status))}[{int((i + 1) * 100 / len(names)):>3}%]")
    out.append("")
    if fail:
        out += ["=================================== FAILURES ===================================", f"{'_' * 30} {fail[0]} {'_' * 30}", "", fail[1],
                "=========================== short test summary info ============================", f"FAILED studio/bookings/tests/test_waitlist.py::{fail[0]}",
                f"========================= {failed} failed, {len(names) - failed} passed in {rng.random() * 3 + 6:.2f}s ========================="]
    else:
        out.append(f"============================== {len(names)} passed in {rng.random() * 3 + 6:.2f}s ==============================")
    return "\n".join(out) + "\n"


_KB_SERVICES_V2 = _KB_SERVICES.replace(
    '    entry = session.waitlist.filter(offered_at__isnull=True).first()',
    '    if session.waitlist.filter(offered_at__isnull=False, offer_expires_at__gte=timezone.now()).count() >= seats_left(session):\n        return None  # every free seat already has an open offer\n    entry = session.waitlist.filter(offered_at__isnull=True).select_for_update(skip_locked=True).first()',
) + '''

def expire_offers(now=None) -> int:
    """Celery beat, every 10 minutes: drop expired offers and offer the seat to the next person."""
    now = now or timezone.now()
    expired = list(WaitlistEntry.objects.filter(offer_expires_at__lt=now).select_related("session"))
    for entry in expired:
        session = entry.session
        entry.delete()
        promote_from_waitlist(session)
    return len(expired)
'''

_KB_TEMPLATE = """{% extends "emails/base.txt" %}
{% load tz %}
{% block body %}
Hi {{ member.first_name }},

A seat just opened up in {{ session.series.title }} on {{ session.starts_at|timezone:member.timezone|date:"l j F, H:i" }}.
It's yours if you want it: accept before {{ expires_at|timezone:member.timezone|date:"l H:i" }} or it goes to the next person on the waitlist.

Accept: {{ accept_url }}

See you at the wheel,
Clayhouse
{% endblock %}
"""

_KB_DIFF = "\n".join(
    [
        "diff --git a/studio/bookings/services.py b/studio/bookings/services.py",
        "index 3c1e0a2..8f4b7d1 100644",
        "--- a/studio/bookings/services.py",
        "+++ b/studio/bookings/services.py",
        "@@ -24,7 +24,10 @@ def cancel_booking(booking: Booking) -> None:",
        " def promote_from_waitlist(session: ClassSession) -> WaitlistEntry | None:",
        '     """Offer the freed seat to the first member on the waitlist who has no open offer."""',
        "     if seats_left(session) <= 0:",
        "         return None",
        "-    entry = session.waitlist.filter(offered_at__isnull=True).first()",
        "+    if session.waitlist.filter(offered_at__isnull=False, offer_expires_at__gte=timezone.now()).count() >= seats_left(session):",
        "+        return None  # every free seat already has an open offer",
        "+    entry = session.waitlist.filter(offered_at__isnull=True).select_for_update(skip_locked=True).first()",
        "     if entry is None:",
        "         return None",
        "@@ -52,3 +55,14 @@ def accept_offer(entry: WaitlistEntry) -> Booking:",
        "     booking = Booking.objects.create(session=entry.session, member=entry.member)",
        "     entry.delete()",
        "     return booking",
        "+",
        "+",
        "+def expire_offers(now=None) -> int:",
        '+    """Celery beat, every 10 minutes: drop expired offers and offer the seat to the next person."""',
        "+    now = now or timezone.now()",
        '+    expired = list(WaitlistEntry.objects.filter(offer_expires_at__lt=now).select_related("session"))',
        "+    for entry in expired:",
        "+        session = entry.session",
        "+        entry.delete()",
        "+        promote_from_waitlist(session)",
        "+    return len(expired)",
        "diff --git a/studio/settings/base.py b/studio/settings/base.py",
        "@@ -141,6 +141,10 @@ CELERY_BEAT_SCHEDULE = {",
        '     "send-class-reminders": {"task": "studio.bookings.tasks.send_class_reminders", "schedule": crontab(minute=0)},',
        '+    "expire-waitlist-offers": {',
        '+        "task": "studio.bookings.tasks.expire_waitlist_offers",',
        '+        "schedule": crontab(minute="*/10"),',
        "+    },",
        " }",
        "diff --git a/studio/bookings/tasks.py b/studio/bookings/tasks.py",
        "@@ -1,9 +1,15 @@",
        " from celery import shared_task",
        " ",
        "-from studio.bookings.services import send_reminders_for_next_day",
        "+from studio.bookings.services import expire_offers, send_reminders_for_next_day",
        " ",
        " ",
        " @shared_task",
        " def send_class_reminders():",
        "     return send_reminders_for_next_day()",
        "+",
        "+",
        "+@shared_task",
        "+def expire_waitlist_offers():",
        "+    return expire_offers()",
    ]
) + "\n"

cx(
    "k-cx-003", "simple",
    "After a long waitlist-promotion session the last request is to commit with a message the user wrote and push the branch, which is two git commands.",
    "kilnbook",
    [
        U("when someone cancels, the first person on the waitlist should get an offer email and 12h to accept, and if they don't the seat goes to the next one. promote_from_waitlist exists but nothing expires offers and the tests are flaky around it. can you finish it? tests in studio/bookings/tests/test_waitlist.py"),
        par(rd("studio/bookings/services.py", _KB_SERVICES), rd("studio/bookings/models.py", _KB_MODELS), pre="Reading the bookings service and models first."),
        rd("studio/bookings/templates/bookings/waitlist_offer.txt", _KB_TEMPLATE),
        sh("uv run pytest -v", _kb_pytest_verbose(31, ("test_promote_skips_open_offers", "    def test_promote_skips_open_offers(session_full, waitlist3):\n        cancel_booking(session_full.bookings.first())\n        cancel_booking(session_full.bookings.first())\n>       assert [e.offered_at is not None for e in waitlist3] == [True, True, False]\nE       AssertionError: assert [True, False, False] == [True, True, False]\nE         At index 1 diff: False != True\n\nstudio/bookings/tests/test_waitlist.py:58: AssertionError\n")), code=1, secs=9.4),
        A("One failure: with two cancels, only the first waitlist entry gets an offer. The fixture calls `session_full.bookings.first()` twice, and the first booking is still first after it is cancelled, so the second cancel is a no-op: that part is a test bug. There is also a real gap: nothing limits open offers to the number of free seats, and two cancels at the same moment could offer the same entry twice. I'll fix both and add the expiry task."),
        ed("studio/bookings/services.py", "    entry = session.waitlist.filter(offered_at__isnull=True).first()", "    if session.waitlist.filter(offered_at__isnull=False, offer_expires_at__gte=timezone.now()).count() >= seats_left(session):\n        return None  # every free seat already has an open offer\n    entry = session.waitlist.filter(offered_at__isnull=True).select_for_update(skip_locked=True).first()", src=_KB_SERVICES),
        wr("studio/bookings/tasks.py", "from celery import shared_task\n\nfrom studio.bookings.services import expire_offers, send_reminders_for_next_day\n\n\n@shared_task\ndef send_class_reminders():\n    return send_reminders_for_next_day()\n\n\n@shared_task\ndef expire_waitlist_offers():\n    return expire_offers()\n"),
        ed("studio/bookings/tests/test_waitlist.py", "    cancel_booking(session_full.bookings.first())\n    cancel_booking(session_full.bookings.first())", "    confirmed = session_full.bookings.filter(status=Booking.Status.CONFIRMED)\n    cancel_booking(confirmed[0])\n    cancel_booking(confirmed[1])"),
        sh("uv run pytest -v", _kb_pytest_verbose(32, ("test_expire_offers_moves_to_next", "    def test_expire_offers_moves_to_next(session_full, waitlist3, freezer):\n        cancel_booking(session_full.bookings.filter(status='confirmed').first())\n        freezer.tick(timedelta(hours=13))\n>       assert expire_offers() == 1\nE       NameError: name 'expire_offers' is not defined\n\nstudio/bookings/tests/test_waitlist.py:91: NameError\n")), code=1, secs=9.1),
        A("The new test can't see `expire_offers` because I haven't added it to services.py yet, only the task that imports it. Adding it now."),
        wr("studio/bookings/services.py", _KB_SERVICES_V2),
        sh("uv run pytest -v", _kb_pytest_verbose(33), secs=9.6),
        sh("uv run ruff check . && uv run ruff format --check .", "All checks passed!\n41 files already formatted\n", secs=1.1),
        sh("git diff", _KB_DIFF),
        A("All 52 tests pass and ruff is clean. Summary:\n\n- `promote_from_waitlist` no longer makes more open offers than there are free seats, and locks the entry it picks (`select_for_update(skip_locked=True)`) so two cancels at the same moment can't offer the same person twice.\n- New `expire_offers()` in services.py plus an `expire_waitlist_offers` Celery task every 10 minutes (added to `CELERY_BEAT_SCHEDULE`) drops expired offers and offers the seat to the next person.\n- Fixed the test fixture that cancelled the same booking twice.\n\nWant me to commit?"),
        U("run the tests once more with -p no:randomly just to be sure the order thing isn't hiding anything"),
        sh("uv run pytest -v -p no:randomly", _kb_pytest_verbose(34), secs=9.2),
        A("Still 52 passed with a fixed order, so nothing depends on test order."),
        U("👍 commit it as 'bookings: offer freed seats to the waitlist, expire offers after 12h' and push the branch"),
    ],
)

_TF_FMT_DIFF = """diff --git a/terraform/prod/main.tf b/terraform/prod/main.tf
index 7a1c2e0..b93d4f1 100644
--- a/terraform/prod/main.tf
+++ b/terraform/prod/main.tf
@@ -28,14 +28,14 @@ module "eks" {
   kubernetes_version = "1.30"
   subnet_ids         = module.vpc.private_subnets
   node_groups = {
-    general = { instance_types = ["m6i.2xlarge"], min = 6, max = 30 }
-    ingest  = { instance_types = ["c6i.4xlarge"], min = 12, max = 48 }
-    batch = { instance_types = ["m6i.xlarge"], min = 0, max = 10, taints = ["batch=true:NoSchedule"] }
+    general = { instance_types = ["m6i.2xlarge"], min = 6, max = 30 }
+    ingest  = { instance_types = ["c6i.4xlarge"], min = 12, max = 48 }
+    batch   = { instance_types = ["m6i.xlarge"], min = 0, max = 10, taints = ["batch=true:NoSchedule"] }
   }
 }
diff --git a/terraform/staging/main.tf b/terraform/staging/main.tf
index 51e0b7a..c2d9f38 100644
--- a/terraform/staging/main.tf
+++ b/terraform/staging/main.tf
@@ -40,7 +40,7 @@ module "eks" {
   node_groups = {
-    general = { instance_types = ["m6i.large"], min = 2,  max = 6 }
-    batch = { instance_types = ["m6i.large"], min = 0, max = 4, taints = ["batch=true:NoSchedule"] }
+    general = { instance_types = ["m6i.large"], min = 2, max = 6 }
+    batch   = { instance_types = ["m6i.large"], min = 0, max = 4, taints = ["batch=true:NoSchedule"] }
   }
 }
"""

cx(
    "k-cx-004", "simple",
    "terraform fmt only realigns whitespace and the diff is already shown; reporting it is mechanical even though one file is the prod stack, and nothing is planned or applied.",
    "infra",
    [
        U("fmt check is red on my batch-nodegroup PR. terraform fmt -recursive terraform/ and show me the diff, nothing else, I'll push myself"),
        sh("terraform fmt -recursive terraform/", "prod/main.tf\nstaging/main.tf\n", secs=0.9),
        sh("git diff -- terraform/", _TF_FMT_DIFF),
    ],
)

oh(
    "k-oh-001", "simple",
    "Bumping two dependency versions the user named in Cargo.toml and running the cargo update they asked for is a mechanical edit.",
    "tidewater",
    [
        U("bump serde to 1.0.210 and serde_json to 1.0.128 in Cargo.toml (keep the features as they are), then `cargo update -p serde -p serde_json`. the advisory bot keeps nagging"),
        rd("Cargo.toml", FX["tidewater"]["Cargo.toml"]),
    ],
)


def _oh_events_ledger() -> list[str]:
    rng = random.Random(404)
    ev = [
        "MessageAction(source=user): The nightly `./gradlew integrationTest` on feature/osiv-off fails in StatementExportIT about 1 in 3 runs with `expected 1200 lines but was 1199`. Find out why and fix it. Don't touch the Flyway migrations.",
        "CmdRunAction: ./gradlew integrationTest --tests 'com.acme.ledger.export.StatementExportIT' -i | tail -n 80",
    ]
    for run in range(4):
        lines = [f"CmdOutputObservation (exit code {1 if run % 2 == 0 else 0}):", "> Task :integrationTest"]
        for i in range(70):
            lines.append(f"2025-10-2{run}T0{rng.randrange(0, 9)}:{rng.randrange(10, 59)}:{rng.randrange(10, 59)}.{rng.randrange(100, 999)}Z DEBUG [Test worker] c.a.l.export.StatementExporter - page {i} cursor=(2025-09-{rng.randrange(1, 30):02d}T{rng.randrange(0, 23):02d}:{rng.randrange(0, 59):02d}:{rng.randrange(0, 59):02d}.{rng.randrange(0, 999999):06d}Z,{rng.randrange(10000, 99999)}) rows=50")
        if run % 2 == 0:
            lines += ["StatementExportIT > exportsEveryEntryOnce() FAILED", "    org.opentest4j.AssertionFailedError: expected: <1200> but was: <1199>", "        at app//com.acme.ledger.export.StatementExportIT.exportsEveryEntryOnce(StatementExportIT.java:88)"]
        else:
            lines += ["StatementExportIT > exportsEveryEntryOnce() PASSED"]
        ev.append("\n".join(lines))
        ev.append("CmdRunAction: ./gradlew integrationTest --tests 'com.acme.ledger.export.StatementExportIT' -i | tail -n 80" if run < 3 else "FileReadAction: src/main/java/com/acme/ledger/export/StatementExporter.java")
    ev.append("FileReadObservation: package com.acme.ledger.export;\n\n/* keyset pagination over entries by (created_at, id) */\npublic class StatementExporter {\n    private static final int PAGE = 50;\n    ...\n    List<Entry> page = entries.findPage(accountId, cursor.createdAt(), cursor.id(), PAGE);\n    // query: WHERE account_id = ? AND (created_at > ? OR (created_at = ? AND id > ?)) ORDER BY created_at, id\n    ...\n    cursor = new Cursor(last.getCreatedAt().truncatedTo(ChronoUnit.MILLIS), last.getId());\n}")
    ev.append("AgentThinkAction: The cursor truncates created_at to milliseconds, but Postgres stores microseconds. When the last row of a page has created_at 12:00:00.123456, the cursor becomes 12:00:00.123, and the next page's predicate created_at > .123 still matches it... no, that would duplicate, not drop. Dropping happens for rows with the same millisecond but a smaller id than the cursor id and a later microsecond? Need to check with a targeted test.")
    ev.append("FileEditAction: src/test/java/com/acme/ledger/export/StatementExporterCursorTest.java (created) - inserts 3 entries at 12:00:00.123100/.123400/.123900 with ids 30, 10, 20 and pages with PAGE=1")
    ev.append("CmdRunAction: ./gradlew test --tests '*StatementExporterCursorTest*'")
    ev.append("CmdOutputObservation (exit code 1): StatementExporterCursorTest > pagesAcrossSameMillisecond() FAILED\n    expected: <[30, 10, 20]> but was: <[30, 20]>")
    ev.append("AgentThinkAction: Confirmed. Row 30 (.123100) is last on page 1, cursor becomes (.123, 30). Page 2 asks created_at > .123 OR (created_at = .123 AND id > 30). Row 10 at .123400 matches created_at > .123 so it is kept... but the test says row 10 is missing. Because the cursor is compared as timestamp(3) after JDBC binding? The driver binds Instant with microseconds; truncated value .123000 < .123400 so row 10 should match. Re-reading: ORDER BY created_at, id puts .123100(30), .123400(10), .123900(20). Missing 10. Look at the repository query again.")
    ev.append("FileReadAction: src/main/java/com/acme/ledger/repo/EntryRepository.java")
    ev.append("FileReadObservation: @Query(value = \"SELECT * FROM entries WHERE account_id = :acc AND (date_trunc('milliseconds', created_at), id) > (:ts, :id) ORDER BY created_at, id LIMIT :n\", nativeQuery = true)")
    ev.append("AgentThinkAction: The native query compares (date_trunc('ms', created_at), id) row-wise with (ts, id) but orders by the untruncated created_at. Row 10 truncates to (.123, 10) which is < (.123, 30), so it is skipped. The ordering and the predicate disagree. Fix: keep full microsecond precision in the cursor and compare (created_at, id) > (:ts, :id) without truncation; there is an index on (account_id, created_at, id) from V58.")
    ev.append("FileEditAction: EntryRepository.java - predicate now `(created_at, id) > (:ts, :id)`; StatementExporter cursor keeps full precision (no truncatedTo)")
    for _ in range(6):
        ev.append("CmdRunAction: ./gradlew integrationTest --tests 'com.acme.ledger.export.StatementExportIT' --rerun")
        ev.append(f"CmdOutputObservation (exit code 0): StatementExportIT > exportsEveryEntryOnce() PASSED\nBUILD SUCCESSFUL in {rng.randrange(38, 55)}s")
    ev.append("CmdRunAction: ./gradlew test")
    ev.append(f"CmdOutputObservation (exit code 0): {rng.randrange(410, 440)} tests completed, 0 failed\nBUILD SUCCESSFUL in 1m {rng.randrange(2, 50)}s")
    return ev


ohc(
    "k-oh-002", "simple",
    "OpenHands' condenser asks for a state summary of events already taken in a debugging session; this is harness bookkeeping, whatever the bug was.",
    _oh_events_ledger(),
    previous="USER_CONTEXT: fix flaky StatementExportIT (1 in 3 nightly runs off by one line); don't touch Flyway migrations\nCOMPLETED: reproduced locally with --rerun; reading exporter code\nPENDING: root cause, fix, full test run\nCURRENT_STATE: branch feature/osiv-off",
)

oh(
    "k-oh-003", "simple",
    "Reading three version pins and saying whether they agree is a fact lookup; the outputs are already in and the user asked for no changes.",
    "shopfront",
    [
        U("quick one, no changes please: which ruby does .ruby-version pin, and do the Gemfile and the Dockerfile agree with it?"),
        par(
            sh("cat .ruby-version", "3.3.5\n"),
            sh("grep -n '^ruby' Gemfile", "3:ruby \"~> 3.3.0\"\n"),
            sh("grep -n 'FROM' Dockerfile", "1:ARG RUBY_VERSION=3.3.4\n2:FROM docker.io/library/ruby:$RUBY_VERSION-slim AS base\n38:FROM base AS build\n71:FROM base\n"),
        ),
    ],
)

other(
    "k-ot-o01", "simple",
    "Aider's commit-message call wants one conventional-commit line for a small Kotlin diff, which is harness bookkeeping.",
    openai_sdk("k-ot-o01", [
        {"role": "system", "content": P.AIDER_COMMIT},
        {"role": "user", "content": "# Diffs:\ndiff --git a/app/src/main/java/no/trailmix/hikes/HikeRepository.kt b/app/src/main/java/no/trailmix/hikes/HikeRepository.kt\nindex 1b2e4c0..7fd3a91 100644\n--- a/app/src/main/java/no/trailmix/hikes/HikeRepository.kt\n+++ b/app/src/main/java/no/trailmix/hikes/HikeRepository.kt\n@@ -27,9 +27,15 @@ class HikeRepository @Inject constructor(\n-    fun observeHikes(): Flow<List<Hike>> = dao.observeAll().map { rows -> rows.map(HikeEntity::toDomain) }\n+    fun observeHikes(sort: HikeSort = HikeSort.NEWEST): Flow<List<Hike>> =\n+        dao.observeAll().map { rows ->\n+            val hikes = rows.map(HikeEntity::toDomain)\n+            when (sort) {\n+                HikeSort.NEWEST -> hikes.sortedByDescending { it.startedAt }\n+                HikeSort.LONGEST -> hikes.sortedByDescending { it.distanceMetres }\n+                HikeSort.MOST_CLIMB -> hikes.sortedByDescending { it.ascentMetres }\n+            }\n+        }\ndiff --git a/app/src/main/java/no/trailmix/hikes/HikeSort.kt b/app/src/main/java/no/trailmix/hikes/HikeSort.kt\nnew file mode 100644\n--- /dev/null\n+++ b/app/src/main/java/no/trailmix/hikes/HikeSort.kt\n@@ -0,0 +1,3 @@\n+package no.trailmix.hikes\n+\n+enum class HikeSort { NEWEST, LONGEST, MOST_CLIMB }\n"},
    ], model="gpt-4o-mini", temperature=0, stream=False),
)

other(
    "k-ot-o02", "simple",
    "Open WebUI's title call asks for a 3-5 word title for a short chat about Postgres logical replication, a harness side request.",
    openai_sdk("k-ot-o02", [{"role": "user", "content": P.OPENWEBUI_TITLE.replace("{history}", "USER: logical replication slot on our primary has 180GB of retained WAL and the disk alert fired. the subscriber was decommissioned last week. safe to just drop the slot?\nASSISTANT: If nothing consumes that slot any more, yes: `SELECT pg_drop_replication_slot('old_sub');` frees the retained WAL at the next checkpoint. Before dropping, confirm with `SELECT slot_name, active, active_pid FROM pg_replication_slots;` that it's inactive and that the name matches the decommissioned subscriber, and check no other subscription or CDC tool (Debezium, etc.) uses it. Going forward, set `max_slot_wal_keep_size` so an abandoned slot can't fill the disk again.\nUSER: inactive and it's the old one. dropped it, disk went from 91% to 40%. thx")}],
               model="gpt-4o-mini", stream=False, max_tokens=60),
)

_PHP_BOOKING_CTRL = """<?php

namespace App\\Http\\Controllers;

use App\\Http\\Requests\\StoreBookingRequest;
use App\\Models\\Booking;
use App\\Models\\Court;
use App\\Services\\BookingService;
use Illuminate\\Http\\RedirectResponse;
use Illuminate\\View\\View;

class BookingController extends Controller
{
    public function __construct(private readonly BookingService $bookings)
    {
    }

    public function create(Court $court): View
    {
        return view('bookings.create', [
            'court' => $court,
            'slots' => $this->bookings->freeSlots($court, now()->startOfDay(), now()->addDays(7)),
        ]);
    }

    public function store(StoreBookingRequest $request, Court $court): RedirectResponse
    {
        dd($request->all());
        $booking = $this->bookings->book($court, $request->user(), $request->date('starts_at'), (int) $request->input('duration'));

        return redirect()
            ->route('bookings.show', $booking)
            ->with('status', __('Court booked for :time', ['time' => $booking->starts_at->format('D j M, H:i')]));
    }

    public function show(Booking $booking): View
    {
        $this->authorize('view', $booking);

        return view('bookings.show', ['booking' => $booking]);
    }
}
"""

other(
    "k-ot-o03", "simple",
    "Deleting a leftover dd() debug line the user points at is a one-line edit whose exact change is stated.",
    cline("k-ot-o03", None, [
        U("i left a dd() in BookingController@store while debugging, booking a court just dumps the request now lol. remove it"),
        rd("app/Http/Controllers/BookingController.php", _PHP_BOOKING_CTRL),
    ], visible=["app/Http/Controllers/BookingController.php", "routes/web.php"], model="deepseek-chat"),
)


# =========================================================================== medium

cx(
    "k-cx-005", "medium",
    "A new read-only availability endpoint that subtracts bookings from a day window follows the existing bookings endpoint closely; it is one contained endpoint with a clear spec.",
    "berthplan",
    [
        U("new endpoint for the agents' portal: GET /berths/{id}/availability?date=2025-11-03&minHours=6\n\nreturns the free windows on that berth for that UTC day (00:00-24:00), i.e. the gaps between non-cancelled bookings, only gaps at least minHours long (default 0 = all). shape: [{ start, end, hours }]. 404 if the berth doesn't exist. put it next to /bookings in BerthEndpoints.cs and add a couple of tests in the Api tests project (there's a WebApplicationFactory fixture already, ApiFixture)."),
        par(
            rd("src/Berthplan.Api/Endpoints/BerthEndpoints.cs", _BP_ENDPOINTS),
            rd("src/Berthplan.Core/Scheduling/BerthSlot.cs", _BP_SLOT),
            pre="Looking at the existing berth endpoints and the slot type.",
        ),
        gr("class ApiFixture", "tests/Berthplan.Api.Tests/ApiFixture.cs:12:public sealed class ApiFixture : WebApplicationFactory<Program>, IAsyncLifetime\n", glob="*.cs"),
    ],
)

_KB_QUEUE = '''from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from studio.firings.models import Piece

SHELF_SLOTS = {"small": 1, "medium": 2, "large": 4}


@dataclass(frozen=True)
class QueuedPiece:
    id: int
    owner: str
    firing: str  # "bisque" or "glaze"
    cone: int | None
    size: str
    submitted_at: datetime


def queue_for(firing: str) -> list[QueuedPiece]:
    """Pieces waiting for a firing, grouped by cone (low first) and then first come, first served."""
    pieces = [
        QueuedPiece(p.id, p.owner.username, p.firing, p.cone, p.size, p.submitted_at)
        for p in Piece.objects.filter(firing=firing, fired_at__isnull=True).select_related("owner")
    ]
    return sorted(pieces, key=lambda p: (p.cone, p.submitted_at))


def fits_on_shelf(pieces: list[QueuedPiece], slots: int) -> list[QueuedPiece]:
    taken, out = 0, []
    for p in pieces:
        need = SHELF_SLOTS[p.size]
        if taken + need > slots:
            continue
        taken += need
        out.append(p)
    return out
'''

cx(
    "k-cx-006", "medium",
    "The traceback points at the sort key comparing a None cone with an int after bisque pieces stopped carrying a cone; the fix is local to one line and a test.",
    "kilnbook",
    [
        U("test_queue_order_by_cone_then_time broke after Lena's change that lets people submit bisque pieces without a cone (bisque is always fired at cone 04 here anyway). fix it please, bisque without a cone should sort as 04 which is the lowest we do"),
        sh("uv run pytest -q studio/firings/tests/test_queue.py",
           "..F...                                                                   [100%]\n=================================== FAILURES ===================================\n______________________ test_queue_order_by_cone_then_time ______________________\n\n    def test_queue_order_by_cone_then_time(db, member, freezer):\n        make_piece(member, firing=\"bisque\", cone=None, submitted_at=\"2025-10-20T09:00Z\")\n        make_piece(member, firing=\"bisque\", cone=-4, submitted_at=\"2025-10-20T08:00Z\")\n>       q = queue_for(\"bisque\")\n\nstudio/firings/tests/test_queue.py:41: \n_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ \n\n    def queue_for(firing: str) -> list[QueuedPiece]:\n        \"\"\"Pieces waiting for a firing, grouped by cone (low first) and then first come, first served.\"\"\"\n        pieces = [\n            QueuedPiece(p.id, p.owner.username, p.firing, p.cone, p.size, p.submitted_at)\n            for p in Piece.objects.filter(firing=firing, fired_at__isnull=True).select_related(\"owner\")\n        ]\n>       return sorted(pieces, key=lambda p: (p.cone, p.submitted_at))\nE       TypeError: '<' not supported between instances of 'int' and 'NoneType'\n\nstudio/firings/queue.py:27: TypeError\n=========================== short test summary info ============================\nFAILED studio/firings/tests/test_queue.py::test_queue_order_by_cone_then_time - TypeError: '<' not supported between instances of 'int' and 'NoneType'\n1 failed, 5 passed in 1.92s\n",
           code=1, secs=3.1),
        rd("studio/firings/queue.py", _KB_QUEUE),
    ],
)

cx(
    "k-cx-007", "medium",
    "Making two hard-coded batcher settings configurable through flags with env overrides and validation is a small, patterned change in main.go.",
    "gateway",
    [
        U("batch size (500) and flush interval (200ms) are hardcoded in main.go. make them flags, -batch-size and -batch-interval, with env overrides GATEWAY_BATCH_SIZE / GATEWAY_BATCH_INTERVAL (env wins over the default, flag wins over env, same as how we do it in the replayer). reject <= 0 at startup with a clear log line and exit 1. also log both values in the 'gateway started' line"),
        rd("cmd/gateway/main.go", FX["gateway"]["cmd/gateway/main.go"]),
        gr("envOr", "cmd/replayer/main.go:31:\tspeed := flag.Float64(\"speed\", envOrFloat(\"REPLAY_SPEED\", 1.0), \"replay speed multiplier\")\ncmd/replayer/main.go:32:\tfrom := flag.String(\"from\", envOr(\"REPLAY_FROM\", \"\"), \"start offset or RFC3339 time\")\ninternal/config/env.go:9:func envOr(key, def string) string {\ninternal/config/env.go:16:func envOrFloat(key string, def float64) float64 {\ninternal/config/env.go:27:func envOrDuration(key string, def time.Duration) time.Duration {\n"),
        rd("internal/config/env.go", "package config\n\nimport (\n\t\"os\"\n\t\"strconv\"\n\t\"time\"\n)\n\nfunc envOr(key, def string) string {\n\tif v, ok := os.LookupEnv(key); ok && v != \"\" {\n\t\treturn v\n\t}\n\treturn def\n}\n\nfunc envOrFloat(key string, def float64) float64 {\n\tif v, ok := os.LookupEnv(key); ok {\n\t\tif f, err := strconv.ParseFloat(v, 64); err == nil {\n\t\t\treturn f\n\t\t}\n\t}\n\treturn def\n}\n\nfunc envOrDuration(key string, def time.Duration) time.Duration {\n\tif v, ok := os.LookupEnv(key); ok {\n\t\tif d, err := time.ParseDuration(v); err == nil {\n\t\t\treturn d\n\t\t}\n\t}\n\treturn def\n}\n"),
    ],
)

_TW_HISTORY_RS = '''use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::AppState;

#[derive(Deserialize)]
pub struct HistoryParams {
    pub hours: Option<u32>,
}

#[derive(Serialize)]
pub struct Reading {
    pub at: DateTime<Utc>,
    pub level_cm: i32,
}

#[derive(Serialize)]
pub struct History {
    pub station_id: String,
    pub count: i32,
    pub readings: Vec<Reading>,
}

pub async fn station_history(
    State(state): State<AppState>,
    Path(station_id): Path<String>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<History>, StatusCode> {
    let hours = params.hours.unwrap_or(24).min(24 * 14);
    let readings = sqlx::query_as!(
        Reading,
        "SELECT at, level_cm FROM readings WHERE station_id = $1 AND at > now() - make_interval(hours => $2) ORDER BY at",
        station_id,
        hours as i32
    )
    .fetch_all(&state.db)
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;

    let count: i64 = sqlx::query_scalar!("SELECT count(*) FROM readings WHERE station_id = $1", station_id)
        .fetch_one(&state.db)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .unwrap_or(0);

    let history = History { station_id, count, readings };
    tracing::info!(station = %station_id, n = history.readings.len(), "history served");
    Ok(Json(history))
}
'''

cx(
    "k-cx-008", "medium",
    "Both compiler errors name their cause on the line (an i64 count assigned to an i32 field, and station_id used after it moved into the struct); fixing them is a small local edit.",
    "tidewater",
    [
        U("added GET /stations/:id/history (src/http/history.rs), cargo build says no. fix it? count should stay the total number of readings for the station"),
        sh("cargo build 2>&1 | head -n 40",
           "   Compiling tidewater v0.8.1 (/home/ana/proj/tidewater)\nerror[E0308]: mismatched types\n  --> src/http/history.rs:52:45\n   |\n52 |     let history = History { station_id, count, readings };\n   |                                         ^^^^^ expected `i32`, found `i64`\n   |\nhelp: you can convert an `i64` to an `i32` and panic if the converted value doesn't fit\n   |\n52 |     let history = History { station_id, count: count.try_into().unwrap(), readings };\n   |                                         ++++++  ++++++++++++++++++++\n\nerror[E0382]: borrow of moved value: `station_id`\n  --> src/http/history.rs:53:31\n   |\n32 |     Path(station_id): Path<String>,\n   |          ---------- move occurs because `station_id` has type `String`, which does not implement the `Copy` trait\n...\n52 |     let history = History { station_id, count, readings };\n   |                             ---------- value moved here\n53 |     tracing::info!(station = %station_id, n = history.readings.len(), \"history served\");\n   |                               ^^^^^^^^^^ value borrowed here after move\n   |\nhelp: consider cloning the value if the performance cost is acceptable\n   |\n52 |     let history = History { station_id: station_id.clone(), count, readings };\n   |                                       ++++++++++++++++++++\n\nSome errors have detailed explanations: E0308, E0382.\nFor more information about an error, try `rustc --explain E0308`.\nerror: could not compile `tidewater` (bin \"tidewater\") due to 2 previous errors\n",
           code=101, secs=14.2),
        rd("src/http/history.rs", _TW_HISTORY_RS),
    ],
)

oh(
    "k-oh-004", "medium",
    "The issue states the half-open rule and the comparison that breaks it, so the fix is one expression in BerthSlot.Overlaps plus unit tests for touching and overlapping slots.",
    "berthplan",
    [
        U("Please fix the following issue for the repository in /workspace/berthplan.\n\nIssue #219: Planner shows a clash for back-to-back calls\n\nWhen MV Nordkyn departs berth K3 at 14:00 and MV Solstrand is booked to arrive at K3 at 14:00, the planner board (which uses `BerthSlot.Overlaps`) paints both bookings red as a clash. The API accepted the second booking, which is right: slots are half-open [Start, End) per the doc comment. Harbour master says back-to-back is normal when the pilot boards the next vessel outside the breakwater.\n\nExpected: touching slots do not overlap; any real overlap (even one minute) still does.\n\nPlease add unit tests in Berthplan.Core.Tests."),
        sh("cd /workspace/berthplan && git log --oneline -3 && ls tests/Berthplan.Core.Tests/Scheduling", "4f1c0d2 Bookings: pilot boarding time on BerthBooking (#211)\n9e27a61 EF Core 8.0.8 (#208)\n31b5f0c Tide window check for deep-draft vessels (#204)\nBookingServiceTests.cs\nTideWindowTests.cs"),
        rd("src/Berthplan.Core/Scheduling/BerthSlot.cs", _BP_SLOT),
    ],
)

_WH_SOURCES = """version: 2

sources:
  - name: raw
    schema: raw
    loader: debezium
    freshness:
      warn_after: {count: 6, period: hour}
      error_after: {count: 24, period: hour}
    loaded_at_field: _cdc_ts
    tables:
      - name: orders
      - name: payments
        freshness:
          warn_after: {count: 1, period: hour}
          error_after: {count: 6, period: hour}
      - name: customers
      - name: refunds
"""

_WH_STG_PAYMENTS = """with source as (
    select * from {{ source('raw', 'payments') }}
),

renamed as (
    select
        id as payment_id,
        order_id,
        lower(trim(status)) as status,
        amount_cents,
        upper(currency) as currency,
        created_at at time zone 'utc' as created_at,
        _cdc_ts
    from source
    where not _cdc_deleted
)

select * from renamed
"""

oh(
    "k-oh-005", "medium",
    "A new staging model over one new source table with standard dbt tests follows the existing staging pattern shown; it is a focused, ordinary piece of dbt work.",
    "warehouse",
    [
        U("logistics started replicating their shipments table into raw (raw.shipments, debezium like the rest). please add it to sources with the same freshness as orders, and a stg_shipments model in the style of the other staging models: shipment_id, order_id, carrier (lowercase), tracking_number (trim, null if empty string), status (lowercase; values are label_created, in_transit, delivered, returned, lost), shipped_at / delivered_at in utc, drop deleted rows. schema tests: shipment_id unique + not_null, order_id not_null + relationships to stg_orders, accepted_values on status. then dbt build -s stg_shipments"),
        sh("ls models/staging && psql \"$WAREHOUSE_DSN\" -c '\\d raw.shipments'",
           "_sources.yml\n_stg_models.yml\nstg_customers.sql\nstg_orders.sql\nstg_payments.sql\nstg_refunds.sql\n                         Table \"raw.shipments\"\n     Column      |           Type           | Collation | Nullable | Default\n-----------------+--------------------------+-----------+----------+---------\n id              | bigint                   |           | not null |\n order_id        | bigint                   |           | not null |\n carrier         | text                     |           |          |\n tracking_number | text                     |           |          |\n status          | text                     |           | not null |\n shipped_at      | timestamp with time zone |           |          |\n delivered_at    | timestamp with time zone |           |          |\n _cdc_ts         | timestamp with time zone |           | not null |\n _cdc_deleted    | boolean                  |           | not null | false\nIndexes:\n    \"shipments_pkey\" PRIMARY KEY, btree (id)\n"),
        par(rd("models/staging/_sources.yml", _WH_SOURCES), rd("models/staging/stg_payments.sql", _WH_STG_PAYMENTS)),
    ],
)

_EX_THROTTLE = '''defmodule Parish.Sms.Throttle do
  @moduledoc """
  Keeps us under the SMS provider's limit: at most `limit` messages per `window_ms`
  per sender number. Callers ask `allow?/2` before sending; the window slides.
  """
  use GenServer

  @default_limit 30
  @default_window_ms 60_000

  def start_link(opts) do
    GenServer.start_link(__MODULE__, opts, name: Keyword.get(opts, :name, __MODULE__))
  end

  @spec allow?(GenServer.server(), String.t()) :: boolean
  def allow?(server \\\\ __MODULE__, sender), do: GenServer.call(server, {:allow?, sender})

  @impl true
  def init(opts) do
    state = %{
      limit: Keyword.get(opts, :limit, @default_limit),
      window_ms: Keyword.get(opts, :window_ms, @default_window_ms),
      clock: Keyword.get(opts, :clock, fn -> System.monotonic_time(:millisecond) end),
      sent: %{}
    }

    {:ok, state}
  end

  @impl true
  def handle_call({:allow?, sender}, _from, state) do
    now = state.clock.()
    recent = state.sent |> Map.get(sender, []) |> Enum.filter(&(&1 > now - state.window_ms))

    if length(recent) < state.limit do
      {:reply, true, put_in(state.sent[sender], [now | recent])}
    else
      {:reply, false, put_in(state.sent[sender], recent)}
    end
  end
end
'''

oh(
    "k-oh-006", "medium",
    "Writing ExUnit tests for a small GenServer with an injectable clock is ordinary test-writing against code that is fully shown.",
    None,
    [
        U("I'm the only dev for our parish's volunteer SMS app (Elixir/Phoenix). lib/parish/sms/throttle.ex has no tests at all. can you write test/parish/sms/throttle_test.exs? I'd like: under the limit allowed, at the limit denied, the window sliding (use the :clock option, no Process.sleep please), separate senders independent, and denied calls not counting against the limit. then run mix test for that file"),
        sh("cd /workspace/parish && ls lib/parish/sms test/parish 2>/dev/null; mix --version | tail -1", "throttle.ex\nsender.ex\nprovider.ex\ntest/parish:\naccounts_test.exs\nrota_test.exs\nMix 1.17.3 (compiled with Erlang/OTP 27)"),
        rd("/workspace/parish/lib/parish/sms/throttle.ex", _EX_THROTTLE),
    ],
)

_SWIFT_PACE = '''import Foundation

/// Formatting helpers for the run summary screen.
enum RunFormat {
    /// Pace as "m:ss /km" (or "/mi" when `imperial` is true), e.g. 5:07 /km.
    /// - seconds are rounded to the nearest second; 59.6 s rounds up into the next minute ("6:00", never "5:60")
    /// - returns "–:–– /km" for a pace that is not finite or is slower than 59:59 per unit
    /// - `secondsPerKm` is always given per kilometre; convert for imperial (1 mi = 1.609344 km)
    static func pace(secondsPerKm: Double, imperial: Bool = false) -> String {
        fatalError("not implemented")
    }

    /// Distance with one decimal, "12.3 km" or "7.6 mi".
    static func distance(metres: Double, imperial: Bool = false) -> String {
        let value = imperial ? metres / 1609.344 : metres / 1000
        return String(format: "%.1f %@", value, imperial ? "mi" : "km")
    }
}
'''

other(
    "k-ot-o04", "medium",
    "Implementing one formatting function from its doc comment, with the rounding and imperial edge cases, plus XCTests, is a contained function with a clear spec.",
    aider("k-ot-o04", "implement RunFormat.pace per the doc comment and add a RunFormatTests.swift with XCTest cases: 5:07/km, the 59.6s rounding case, imperial conversion, infinity/NaN, and a pace slower than 59:59. keep distance() as is",
          files={"Sources/RunKit/RunFormat.swift": _SWIFT_PACE},
          repo_map="Sources/RunKit/RunSummary.swift:\n⋮\n│struct RunSummary {\n│    let distanceMetres: Double\n│    let movingSeconds: Double\n│    var secondsPerKm: Double { movingSeconds / (distanceMetres / 1000) }\n⋮\nTests/RunKitTests/RunSummaryTests.swift:\n⋮\n│final class RunSummaryTests: XCTestCase {\n⋮\n", model="claude-sonnet-4-5"),
)

other(
    "k-ot-o05", "medium",
    "The TypeScript error names the mismatch (a string input value assigned to a number field in the zod schema), so explaining it and fixing it with coerce or valueAsNumber is ordinary work.",
    openai_sdk("k-ot-o05", [
        {"role": "system", "content": "You are a senior frontend engineer. Be concise and show the corrected code."},
        {"role": "user", "content": "getting this and I don't get why, the schema says number:\n\n```\nsrc/features/plots/PlotForm.tsx:38:7 - error TS2322: Type 'Resolver<{ name: string; areaM2: string; }, any>' is not assignable to type 'Resolver<{ name: string; areaM2: number; }, any>'.\n  Types of parameters 'values' and 'values' are incompatible.\n    Type '{ name: string; areaM2: number; }' is not assignable to type '{ name: string; areaM2: string; }'.\n      Types of property 'areaM2' are incompatible.\n        Type 'number' is not assignable to type 'string'.\n\n38       resolver: zodResolver(plotSchema),\n         ~~~~~~~~\n```\n\n```tsx\nimport { useForm } from \"react-hook-form\";\nimport { zodResolver } from \"@hookform/resolvers/zod\";\nimport { z } from \"zod\";\n\nconst plotSchema = z.object({\n  name: z.string().min(1, \"required\"),\n  areaM2: z.string().transform((v) => Number(v)).pipe(z.number().int().positive().max(500)),\n});\n\ntype PlotInput = z.infer<typeof plotSchema>;\n\nexport function PlotForm({ onSave }: { onSave: (p: PlotInput) => Promise<void> }) {\n  const {\n    register,\n    handleSubmit,\n    formState: { errors, isSubmitting },\n  } = useForm<PlotInput>({\n    defaultValues: { name: \"\", areaM2: 125 },\n    resolver: zodResolver(plotSchema),\n  });\n\n  return (\n    <form onSubmit={handleSubmit(onSave)}>\n      <input {...register(\"name\")} />\n      {errors.name && <p role=\"alert\">{errors.name.message}</p>}\n      <input type=\"number\" {...register(\"areaM2\")} />\n      {errors.areaM2 && <p role=\"alert\">{errors.areaM2.message}</p>}\n      <button disabled={isSubmitting}>Save</button>\n    </form>\n  );\n}\n```\n\nzod 3.23, react-hook-form 7.53, @hookform/resolvers 3.9"},
    ], model="gpt-4.1", temperature=0.2),
)

_PHP_CI = """name: CI

on:
  pull_request:
  push:
    branches: [main]

jobs:
  tests:
    runs-on: ubuntu-24.04
    services:
      mysql:
        image: mysql:8.0
        env:
          MYSQL_DATABASE: courts_test
          MYSQL_ROOT_PASSWORD: root
        ports: ["3306:3306"]
        options: --health-cmd="mysqladmin ping" --health-interval=10s --health-timeout=5s --health-retries=5
    steps:
      - uses: actions/checkout@v4
      - uses: shivammathur/setup-php@v2
        with:
          php-version: "8.3"
          extensions: pdo_mysql, intl
          coverage: none
      - run: composer install --no-interaction --prefer-dist --no-progress
      - run: cp .env.ci .env && php artisan key:generate
      - run: php artisan test --parallel
        env:
          DB_HOST: 127.0.0.1
"""

other(
    "k-ot-o06", "medium",
    "Adding a phpstan job with a composer cache to an existing GitHub Actions workflow is an ordinary CI change with a clear shape.",
    cline("k-ot-o06", None, [
        U("add a separate `static-analysis` job to .github/workflows/ci.yml that runs larastan (vendor/bin/phpstan analyse --memory-limit=1G, phpstan.neon is already in the repo, level 6). same php setup as tests. cache composer's cache dir keyed on composer.lock for both jobs while you're at it, installs take 90s right now. it doesn't need mysql"),
        rd(".github/workflows/ci.yml", _PHP_CI),
        sh("cat phpstan.neon && composer show larastan/larastan 2>/dev/null | head -3", "includes:\n    - vendor/larastan/larastan/extension.neon\n\nparameters:\n    paths:\n        - app/\n    level: 6\n    ignoreErrors: []\nname     : larastan/larastan\ndescrip. : Larastan - Discover bugs in your code without running it. A phpstan/phpstan wrapper for Laravel\nkeywords : PHPStan, code analyse, code analysis, larastan, laravel, package, php, static analysis\n"),
    ], visible=[".github/workflows/ci.yml", "phpstan.neon"], model="gpt-4.1"),
)


# =========================================================================== complex

cx(
    "k-cx-009", "complex",
    "Overlapping bookings from requests 180 ms apart point to a check-then-insert race; a real fix needs a database exclusion constraint and a plan for the overlaps already in production.",
    "berthplan",
    [
        U("harbour master is not happy. K3 has two confirmed bookings overlapping on tuesday (MV Frøya 06:00-18:00 and MV Lysefjord 10:00-20:00). RequestAsync checks for clashes, so how?? the two agents say they both booked around 09:14. make it impossible for this to happen again, properly"),
        rd("src/Berthplan.Core/Scheduling/BookingService.cs", _BP_BOOKING, pre="Reading the booking path."),
        sh("psql \"$BERTHPLAN_RO_DSN\" -c \"select id, berth_id, vessel_imo, start, \\\"end\\\", status, requested_at, requested_by, confirmed_at from bookings where berth_id = 3 and start < '2025-10-29' and \\\"end\\\" > '2025-10-28' order by requested_at\"",
           "  id  | berth_id | vessel_imo |          start         |           end          |  status   |         requested_at          | requested_by |         confirmed_at\n------+----------+------------+------------------------+------------------------+-----------+-------------------------------+--------------+-------------------------------\n 8812 |        3 | 9387421    | 2025-10-28 06:00:00+00 | 2025-10-28 18:00:00+00 | Confirmed | 2025-10-21 09:14:07.412861+00 | agent-nordsj | 2025-10-21 10:02:44.109370+00\n 8813 |        3 | 9611802    | 2025-10-28 10:00:00+00 | 2025-10-28 20:00:00+00 | Confirmed | 2025-10-21 09:14:07.593115+00 | agent-vestla | 2025-10-21 10:03:01.880214+00\n(2 rows)\n"),
        sh("grep -rn 'IsolationLevel\\|BeginTransaction\\|HasIndex' src/Berthplan.Core/Data | head",
           "src/Berthplan.Core/Data/BerthplanDb.cs:41:        b.Entity<BerthBooking>().HasIndex(x => new { x.BerthId, x.Start });\n"),
    ],
)

cx(
    "k-cx-010", "complex",
    "Granting a new team read access to the production uploads bucket is an IAM change on customer data that the user wants applied directly; a good answer scopes, reviews the plan and pushes back on applying from a laptop.",
    "infra",
    [
        U("data science needs to read the uploads for their OCR experiment. add a role ds-ocr-reader to terraform/prod with s3:GetObject + ListBucket on acme-prod-uploads, trust our SSO DataScience permission set, and apply it. they're waiting on me"),
        rd("terraform/prod/main.tf", FX["infra"]["terraform/prod/main.tf"]),
        gr("acme-prod-uploads", "terraform/prod/main.tf:38:  bucket = \"acme-prod-uploads\"\ncharts/payments-api/values-prod.yaml:31:  UPLOADS_BUCKET: acme-prod-uploads\ndocs/data-classification.md:22:| acme-prod-uploads | customer invoices, ID documents (KYC), bank statements | restricted (PII, financial) | payments team only |\n"),
    ],
)


def _kb_ci_log(attempt: int, seed: int) -> str:
    rng = random.Random(seed + attempt)
    lines = [f"Run #{1180 + attempt} (matrix: python-3.12, postgres-16) started by mei on branch mei/credit-expiry", "##[group]Set up job", "Current runner version: '2.320.0'", "Runner name: 'GitHub Actions 41'", "Operating System: Ubuntu 24.04.1 LTS", "##[endgroup]"]
    for step in ["actions/checkout@v4", "astral-sh/setup-uv@v3", "uv sync --frozen", "Start services: postgres:16, redis:7"]:
        lines.append(f"##[group]Run {step}")
        for _ in range(rng.randrange(8, 18)):
            lines.append(f"  {rng.choice(['Resolved', 'Prepared', 'Installed', 'Downloading', 'Audited'])} {rng.randrange(1, 140)} packages in {rng.randrange(10, 900)}ms")
        lines.append("##[endgroup]")
    lines.append("##[group]Run TZ=UTC uv run pytest -q -p randomly -x")
    lines.append(f"Using --randomly-seed={rng.randrange(100000, 999999)}")
    lines.append(f"TZ=UTC date: Fri Oct 31 23:{rng.randrange(10, 59)}:{rng.randrange(10, 59)} UTC 2025")
    for _ in range(rng.randrange(25, 40)):
        lines.append("".join("." for _ in range(rng.randrange(40, 78))) + f" [{rng.randrange(1, 99):>3}%]")
    lines += [
        "=================================== FAILURES ===================================",
        "_____________________ test_credit_expiry_end_of_month __________________________",
        "",
        "    def test_credit_expiry_end_of_month(member_with_pack, freezer):",
        "        pack = member_with_pack.credit_packs.get()",
        "        freezer.move_to(pack.expires_at - timedelta(minutes=1))",
        ">       assert member_with_pack.available_credits() == 10",
        f"E       assert {0 if attempt != 2 else 9} == 10",
        "E        +  where " + ("0" if attempt != 2 else "9") + " = <bound method Member.available_credits of <Member: mei-test-42>>()",
        "",
        "studio/members/tests/test_credits.py:77: AssertionError",
        "=========================== short test summary info ============================",
        "FAILED studio/members/tests/test_credits.py::test_credit_expiry_end_of_month - assert " + ("0" if attempt != 2 else "9") + " == 10",
        "!!!!!!!!!!!!!!!!!!!!!!!!!! stopping after 1 failures !!!!!!!!!!!!!!!!!!!!!!!!!!!",
        f"1 failed, {rng.randrange(180, 240)} passed in {rng.randrange(40, 70)}.{rng.randrange(10, 99)}s",
        "##[error]Process completed with exit code 1.",
    ]
    return "\n".join(lines) + "\n"


_KB_CREDITS = '''from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

STUDIO_TZ = ZoneInfo("Europe/Amsterdam")


def end_of_month_local(d: datetime) -> datetime:
    """Credits expire at the end of the calendar month (studio time) three months after purchase."""
    local = d.astimezone(STUDIO_TZ)
    year, month = local.year, local.month + 3
    if month > 12:
        year, month = year + 1, month - 12
    first_next = datetime(year + (month == 12), (month % 12) + 1, 1, tzinfo=STUDIO_TZ)
    return first_next - timedelta(microseconds=1)


class CreditPack(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="credit_packs")
    credits = models.PositiveSmallIntegerField()
    used = models.PositiveSmallIntegerField(default=0)
    purchased_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def save(self, *args, **kwargs):
        if not self.expires_at:
            self.expires_at = end_of_month_local(self.purchased_at)
        super().save(*args, **kwargs)


def available_credits(member) -> int:
    today = timezone.localdate()
    live = member.credit_packs.filter(expires_at__date__gte=today)
    return sum(p.credits - p.used for p in live)
'''

cx(
    "k-cx-011", "complex",
    "Two pushed fixes for the CI-only credit-expiry failure did not hold; the cause depends on clock and timezone handling in several places, not the assertion line, and guessing has already failed.",
    "kilnbook",
    [
        U("test_credit_expiry_end_of_month fails on CI sometimes, never locally. can you fix it"),
        rd("studio/members/credits.py", _KB_CREDITS),
        sh("gh run view 1181 --log-failed | tail -n 120", _kb_ci_log(1, 70), secs=2.4),
        A("The test moves the clock to one minute before `expires_at` and expects all 10 credits, but CI got 0. `available_credits` filters on `expires_at__date__gte=today`, where `today` is `timezone.localdate()` (studio time) and the `__date` lookup is evaluated in the current timezone too, so this should line up... The CI log shows the job ran at 23:xx UTC. I'll pin the test's timezone explicitly with `override_settings(TIME_ZONE='Europe/Amsterdam')` so it matches local runs."),
        ed("studio/members/tests/test_credits.py", "def test_credit_expiry_end_of_month(member_with_pack, freezer):", "@override_settings(TIME_ZONE=\"Europe/Amsterdam\")\ndef test_credit_expiry_end_of_month(member_with_pack, freezer):"),
        sh("uv run pytest -q studio/members/tests/test_credits.py && git commit -am 'test: pin studio tz in credit expiry test' && git push", "......                                                                   [100%]\n6 passed in 1.84s\n[mei/credit-expiry 3c9d0e1] test: pin studio tz in credit expiry test\n 1 file changed, 1 insertion(+)\n", secs=6.0),
        U("still red. run 1182"),
        sh("gh run view 1182 --log-failed | tail -n 120", _kb_ci_log(2, 70), secs=2.2),
        A("Now it's 9 instead of 10, so one credit is being consumed or a pack is counted differently. `end_of_month_local` has a suspicious `year + (month == 12)`; for a pack bought in September, month becomes 12 and the code jumps to January of the *next* year... no, that is intended for December. I'll replace the month arithmetic with `dateutil.relativedelta` to be safe and make the fixture use a fixed purchase date."),
        ed("studio/members/credits.py", "    local = d.astimezone(STUDIO_TZ)\n    year, month = local.year, local.month + 3\n    if month > 12:\n        year, month = year + 1, month - 12\n    first_next = datetime(year + (month == 12), (month % 12) + 1, 1, tzinfo=STUDIO_TZ)\n    return first_next - timedelta(microseconds=1)", "    local = d.astimezone(STUDIO_TZ)\n    first_next = (local + relativedelta(months=4)).replace(day=1, hour=0, minute=0, second=0, microsecond=0)\n    return first_next - timedelta(microseconds=1)", src=_KB_CREDITS),
        ed("studio/members/tests/conftest.py", "    pack = CreditPack.objects.create(member=member, credits=10)", "    pack = CreditPack.objects.create(member=member, credits=10, purchased_at=datetime(2025, 7, 14, 10, 0, tzinfo=UTC))"),
        sh("uv run pytest -q studio/members && git commit -am 'credits: relativedelta for expiry month, fixed purchase date in fixture' && git push", "..................                                                       [100%]\n18 passed in 2.31s\n[mei/credit-expiry 7ab41f2] credits: relativedelta for expiry month, fixed purchase date in fixture\n 2 files changed, 4 insertions(+), 6 deletions(-)\n", secs=7.1),
        U("red again, 1183. same 0 == 10 as the first time"),
        sh("gh run view 1183 --log-failed | tail -n 120", _kb_ci_log(3, 70), secs=2.3),
        A("Back to 0. Let me try running locally with the CI clock: `TZ=UTC` and freezegun at 23:30 UTC on the last day of a month."),
        sh("TZ=UTC uv run pytest -q studio/members/tests/test_credits.py -p no:randomly", "......                                                                   [100%]\n6 passed in 1.77s\n", secs=3.2),
        sh("for i in $(seq 1 20); do TZ=UTC uv run pytest -q -p randomly studio/ 2>&1 | tail -n 1; done",
           "\n".join(random.Random(9).choice(["214 passed in 8.91s", "214 passed in 9.02s", "1 failed, 213 passed in 8.77s", "214 passed in 8.85s"]) for _ in range(20)) + "\n", secs=182.0),
        U("this is the third time. I don't want another guess pushed to CI. figure out what actually differs between CI and my machine and fix it for real, and tell me why each of the previous two 'fixes' didn't work"),
    ],
)

oh(
    "k-oh-007", "complex",
    "Encrypting IBANs at rest means KMS key handling, a backfill of 48k production rows and dropping the plaintext column; a wrong step loses or leaks financial data, so it needs a staged plan.",
    "payments",
    [
        U("Finance/compliance wants customers.iban (added in #815, plaintext) encrypted at rest before the audit on the 14th. Plan: envelope encryption with the KMS key alias/payments-pii (already exists, our IRSA role can use it), store ciphertext + key version, backfill the ~48k existing rows in prod, then drop the plaintext column. Write the alembic migration(s), the backfill script and the model/reads changes, and run the backfill against prod tonight after the 22:00 deploy."),
        sh("cd /workspace/payments-api && uv run alembic history | head -n 6 && grep -rn 'iban' app/ --include='*.py' | head -n 20",
           "9c41e07a -> b7e2d9c1 (head), add customers.iban (#815)\n5a1f0c3e -> 9c41e07a, payments.currency backfill\n3fa2b19c -> 5a1f0c3e, payment intents unique\n77de0c4b -> 3fa2b19c, split billing contacts\ne1b8a53d -> 77de0c4b, invoices.number per tenant\n0c9f6d2a -> e1b8a53d, initial\napp/db/models.py:48:    iban: Mapped[str | None] = mapped_column(String(34))\napp/api/customers.py:61:        \"iban\": c.iban[:4] + \"****\" + c.iban[-4:] if c.iban else None,\napp/api/customers.py:88:    customer.iban = normalise_iban(body.iban)\napp/billing/payouts.py:33:        iban=customer.iban,\napp/billing/sepa_export.py:19:    rows = s.execute(select(Customer.id, Customer.iban).where(Customer.iban.is_not(None)))\napp/core/iban.py:5:def normalise_iban(raw: str) -> str:\n"),
    ],
)


def _pprof_top(seed: int, scale: float) -> str:
    rng = random.Random(seed)
    rows = [
        ("google.golang.org/grpc/internal/transport.newBufWriter", 0.05),
        ("bufio.NewReaderSize", 0.04),
        ("github.com/northwind/ingest-gateway/internal/grpcapi.(*server).StreamPush", 0.41 * scale),
        ("runtime.malg", 0.22 * scale),
        ("github.com/segmentio/kafka-go.(*Writer).WriteMessages", 0.06),
        ("github.com/northwind/ingest-gateway/internal/schema.DecodeV2", 0.03),
        ("google.golang.org/protobuf/internal/impl.consumeBytesSlice", 0.05 * scale),
        ("github.com/klauspost/compress/zstd.(*Encoder).EncodeAll", 0.04),
        ("runtime.allocm", 0.01),
        ("compress/flate.NewWriter", 0.01),
    ]
    total = sum(r[1] for r in rows) * 100 * scale
    out = ["File: gateway", "Type: inuse_space", f"Time: 2025-10-2{rng.randrange(1, 9)} 1{rng.randrange(0, 9)}:{rng.randrange(10, 59)}:0{rng.randrange(0, 9)} UTC",
           f"Showing nodes accounting for {total:.2f}MB, 97.12% of {total * 1.03:.2f}MB total", "      flat  flat%   sum%        cum   cum%"]
    acc = 0.0
    for name, w in sorted(rows, key=lambda r: -r[1]):
        mb = w * 100 * scale
        acc += mb
        out.append(f"{mb:>8.2f}MB {mb / total * 100:5.2f}% {acc / total * 100:5.2f}% {mb * 1.1:>8.2f}MB {mb * 1.1 / total * 100:5.2f}%  {name}")
    return "\n".join(out) + "\n"


def _goroutine_dump(seed: int) -> str:
    rng = random.Random(seed)
    out = ["goroutine profile: total 48213"]
    out += [
        "47902 @ 0x43e4ce 0x40a8e5 0x40a4f8 0x9c3a51 0x9c3f2d 0x474e21",
        "#\t0x9c3a50\tgithub.com/northwind/ingest-gateway/internal/grpcapi.(*server).StreamPush.func1+0x90\t/src/internal/grpcapi/stream.go:58",
        "",
        "128 @ 0x43e4ce 0x44f1c5 0x8f12aa 0x8f0e45 0x474e21",
        "#\t0x8f12a9\tgoogle.golang.org/grpc/internal/transport.(*http2Server).keepalive+0x229\t/go/pkg/mod/google.golang.org/grpc@v1.66.0/internal/transport/http2_server.go:1181",
        "",
        "128 @ 0x43e4ce 0x436d97 0x46e8a5 0x4e0a27 0x4e1d7a 0x4e1d68 0x5b2e45 0x5c3a25 0x8e7a0c 0x474e21",
        "#\t0x8e7a0b\tgoogle.golang.org/grpc/internal/transport.(*http2Server).HandleStreams+0x8b\t/go/pkg/mod/google.golang.org/grpc@v1.66.0/internal/transport/http2_server.go:645",
        "",
    ]
    for _ in range(40):
        n = rng.randrange(1, 4)
        out += [f"{n} @ 0x43e4ce 0x44f1c5 0x{rng.randrange(0x800000, 0x9fffff):x} 0x474e21",
                f"#\t0x{rng.randrange(0x800000, 0x9fffff):x}\t{rng.choice(['github.com/segmentio/kafka-go.(*Writer).partitions', 'github.com/northwind/ingest-gateway/internal/consumer.(*Batcher).loop', 'net/http.(*conn).serve', 'github.com/segmentio/kafka-go.(*conn).run', 'internal/poll.runtime_pollWait'])}+0x{rng.randrange(0x20, 0x400):x}\t/src/x.go:{rng.randrange(20, 400)}", ""]
    return "\n".join(out) + "\n"


_GW_STREAM = '''package grpcapi

import (
	"io"

	pb "github.com/northwind/ingest-gateway/gen/ingest/v2"
)

// StreamPush lets a device (or an edge aggregator) push records over one long-lived stream.
func (s *server) StreamPush(stream pb.Ingest_StreamPushServer) error {
	recs := make(chan *pb.Record)
	errc := make(chan error, 1)

	go func() {
		for {
			r, err := stream.Recv()
			if err == io.EOF {
				close(recs)
				return
			}
			if err != nil {
				errc <- err
				return
			}
			recs <- r
		}
	}()

	var n int64
	for {
		select {
		case r, ok := <-recs:
			if !ok {
				return stream.SendAndClose(&pb.PushAck{Accepted: n})
			}
			if err := s.validate(r); err != nil {
				return err
			}
			s.batcher.Add(r.DeviceId, r.Payload)
			n++
		case err := <-errc:
			return err
		case <-stream.Context().Done():
			return stream.Context().Err()
		}
	}
}
'''

oh(
    "k-oh-008", "complex",
    "Memory and goroutines grow for days under real traffic with clean logs; the profiles show only the symptom, and fixing the leaking stream path without breaking its semantics is hidden-cause work.",
    "gateway",
    [
        U("gateway pods get OOMKilled every ~3 days (limit 2Gi). memory climbs linearly, no errors in the logs, restarts fix it. I grabbed heap profiles from one pod 6h apart and a goroutine dump (they're in /workspace/ingest-gateway/prof/). find the leak and fix it, with a test that would have caught it"),
        sh("cd /workspace/ingest-gateway && ls -la prof/", "total 3124\n-rw-r--r-- 1 root root  612331 Oct 24 09:02 heap-0900.pb.gz\n-rw-r--r-- 1 root root  801977 Oct 24 15:01 heap-1500.pb.gz\n-rw-r--r-- 1 root root 1761203 Oct 24 15:02 goroutine-1500.txt\n"),
        sh("go tool pprof -top -inuse_space prof/heap-0900.pb.gz 2>/dev/null | head -n 16", _pprof_top(1, 1.0)),
        sh("go tool pprof -top -inuse_space prof/heap-1500.pb.gz 2>/dev/null | head -n 16", _pprof_top(2, 2.6)),
        sh("head -c 6000 prof/goroutine-1500.txt", _goroutine_dump(5)),
        rd("internal/grpcapi/stream.go", _GW_STREAM),
    ],
)

oh(
    "k-oh-009", "complex",
    "Replacing ad-hoc Error throws with typed TRPCError codes across seven routers changes the error contract every client screen relies on; it is a cross-module refactor with many dependents.",
    "web",
    [
        U("our tRPC routers throw plain `new Error(\"...\")` everywhere, so every failure reaches the client as INTERNAL_SERVER_ERROR / 500 and the UI matches on err.message strings to show 'not found' or 'no permission'. Move all routers to TRPCError with proper codes (NOT_FOUND, FORBIDDEN, BAD_REQUEST, CONFLICT), add an errorFormatter that exposes a stable `appCode` field, and update the client code that string-matches messages so it uses the code instead. Don't change any user-visible wording."),
        gr("throw new Error(", "src/server/routers/team.ts:27:      throw new Error(\"Team not found\");\nsrc/server/routers/team.ts:41:      throw new Error(\"Only owners can rename the team\");\nsrc/server/routers/team.ts:63:      throw new Error(\"Member already invited\");\nsrc/server/routers/team.ts:88:      throw new Error(\"Cannot remove the last owner\");\nsrc/server/routers/invoices.ts:34:      throw new Error(\"Invoice not found\");\nsrc/server/routers/invoices.ts:71:      throw new Error(\"Invoice is already paid\");\nsrc/server/routers/invoices.ts:96:      throw new Error(\"Invalid date range\");\nsrc/server/routers/customers.ts:22:      throw new Error(\"Customer not found\");\nsrc/server/routers/customers.ts:58:      throw new Error(\"Email already used by another customer\");\nsrc/server/routers/billing.ts:19:      throw new Error(\"No permission\");\nsrc/server/routers/billing.ts:47:      throw new Error(\"Plan not found\");\nsrc/server/routers/billing.ts:80:      throw new Error(\"Seat count below active members\");\nsrc/server/routers/apiKeys.ts:31:      throw new Error(\"No permission\");\nsrc/server/routers/apiKeys.ts:55:      throw new Error(\"API key not found\");\nsrc/server/routers/webhooks.ts:28:      throw new Error(\"Invalid URL\");\nsrc/server/routers/webhooks.ts:44:      throw new Error(\"Webhook not found\");\nsrc/server/routers/auditLog.ts:17:      throw new Error(\"No permission\");\nsrc/server/trpc.ts:38:    throw new Error(\"Not signed in\");\n", path="src/server"),
        gr("message ===\\|message.includes\\|message.startsWith", "src/components/InvoiceTable.tsx:142:      if (err.message === \"Invoice is already paid\") {\nsrc/components/team/TeamSettings.tsx:58:    if (error?.message.includes(\"Only owners\")) return <OwnerOnlyNotice />;\nsrc/components/team/InviteDialog.tsx:71:        setFieldError(\"email\", e.message === \"Member already invited\" ? t(\"team.invite.duplicate\") : t(\"common.error\"));\nsrc/components/team/MembersList.tsx:93:      toast.error(e.message.startsWith(\"Cannot remove\") ? t(\"team.lastOwner\") : t(\"common.error\"));\nsrc/components/customers/CustomerForm.tsx:64:      if (e.message.includes(\"already used\")) form.setError(\"email\", { message: t(\"customers.emailTaken\") });\nsrc/pages/billing/index.tsx:112:  if (error?.message === \"No permission\") return <Forbidden />;\nsrc/pages/settings/api-keys.tsx:47:  if (error?.message === \"No permission\") return <Forbidden />;\nsrc/lib/trpcClient.ts:29:        if (err.message === \"Not signed in\") window.location.assign(\"/login?next=\" + encodeURIComponent(location.pathname));\nsrc/hooks/useAuditLog.ts:21:    retry: (count, err) => err.message !== \"No permission\" && count < 3,\n", path="src"),
    ],
)

oh(
    "k-oh-010", "complex",
    "A partner's signature checks started failing only after a framework and Jackson upgrade while no code changed; the cause hides in serialisation details of signed payloads, and money webhooks are at stake.",
    "ledger",
    [
        U("Since we deployed the Boot 3.3.2 -> 3.3.5 bump yesterday (dependabot, no code changes), Klarvik (one payout partner out of 11) rejects about 4% of our payout.settled webhooks with 'signature mismatch'. The other partners are fine. We sign the raw JSON body with HMAC-SHA256 (PayoutWebhookSigner). Rolling back is possible but I'd rather understand it. Find the cause and fix it."),
        sh("cd /workspace/ledger-service && git diff HEAD~1 -- gradle/libs.versions.toml && ./gradlew -q dependencies --configuration runtimeClasspath | grep -E 'jackson|spring-web ' | sort -u | head",
           "diff --git a/gradle/libs.versions.toml b/gradle/libs.versions.toml\n@@ -2,7 +2,7 @@\n-spring-boot = \"3.3.2\"\n+spring-boot = \"3.3.5\"\n|    +--- com.fasterxml.jackson.core:jackson-core:2.17.2 -> 2.18.0\n|    +--- com.fasterxml.jackson.core:jackson-databind:2.17.2 -> 2.18.0\n|    +--- com.fasterxml.jackson.datatype:jackson-datatype-jsr310:2.17.2 -> 2.18.0\n|    +--- com.fasterxml.jackson.module:jackson-module-parameter-names:2.17.2 -> 2.18.0\n+--- org.springframework:spring-web:6.1.14\n"),
        sh("grep -rn 'class PayoutWebhookSigner' -A 30 src/main/java | head -n 45",
           "src/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java:14:public class PayoutWebhookSigner {\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-15-    private final ObjectMapper mapper;\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-16-    private final Mac mac;\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-17-\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-18-    public SignedRequest sign(PayoutSettled event) throws JsonProcessingException {\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-19-        String body = mapper.writeValueAsString(event);\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-20-        String sig = HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-21-        return new SignedRequest(mapper.writeValueAsString(event), \"t=\" + event.occurredAt().getEpochSecond() + \",v1=\" + sig);\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-22-    }\nsrc/main/java/com/acme/ledger/webhooks/PayoutWebhookSigner.java-23-}\n"),
    ],
)

_C_POOL = '''/* pgpool-lite: tiny connection pool for our C ingestion daemon. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "pool.h"

typedef struct conn_slot {
    PGconn *conn;
    int in_use;
    time_t last_used;
} conn_slot;

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    conn_slot *slots;
    int size;
    char *dsn;
};

PGconn *pool_acquire(pool *p) {
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (int i = 0; i < p->size; i++) {
            if (!p->slots[i].in_use) {
                p->slots[i].in_use = 1;
                pthread_mutex_unlock(&p->mu);
                if (PQstatus(p->slots[i].conn) != CONNECTION_OK) {
                    PQreset(p->slots[i].conn);
                }
                return p->slots[i].conn;
            }
        }
        pthread_cond_wait(&p->cv, &p->mu);
    }
}

void pool_release(pool *p, PGconn *c) {
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->size; i++) {
        if (p->slots[i].conn == c) {
            p->slots[i].in_use = 0;
            p->slots[i].last_used = time(NULL);
            break;
        }
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* reaper thread: every 30 s, close connections idle for more than 5 minutes and open fresh ones */
void *pool_reaper(void *arg) {
    pool *p = arg;
    for (;;) {
        sleep(30);
        time_t now = time(NULL);
        for (int i = 0; i < p->size; i++) {
            if (!p->slots[i].in_use && now - p->slots[i].last_used > 300) {
                PQfinish(p->slots[i].conn);
                p->slots[i].conn = PQconnectdb(p->dsn);
                p->slots[i].last_used = now;
            }
        }
    }
    return NULL;
}
'''

other(
    "k-ot-o07", "complex",
    "Intermittent libpq crashes and 'connection pointer is NULL' errors only under load come from the reaper touching slots without the lock; fixing it means getting the pool's concurrency right, not patching the crash site.",
    aider("k-ot-o07", "our ingest daemon segfaults maybe once a day in PQexec (core dumps point at freed memory inside the PGconn), and sometimes a worker logs 'connection pointer is NULL' right after a quiet period. 16 worker threads share this pool, reaper runs in its own thread. I think it's libpq being flaky but our other services use the same libpq version fine. fix pool.c so this can't happen; keep the reaper behaviour (we need idle conns recycled because the pgbouncer in front kills them after 10 min)",
          files={"src/pool.c": _C_POOL, "src/pool.h": "#pragma once\n#include <libpq-fe.h>\n\ntypedef struct pool pool;\n\npool *pool_new(const char *dsn, int size);\nPGconn *pool_acquire(pool *p);\nvoid pool_release(pool *p, PGconn *c);\nvoid *pool_reaper(void *arg);\nvoid pool_free(pool *p);\n"},
          model="gpt-4o"),
)

_PHP_AUTH_ROUTES = """<?php

use App\\Http\\Controllers\\Auth\\LoginController;
use App\\Http\\Controllers\\Auth\\RegisterController;
use App\\Http\\Controllers\\BookingController;
use Illuminate\\Support\\Facades\\Route;

Route::middleware('guest')->group(function () {
    Route::get('/login', [LoginController::class, 'show'])->name('login');
    Route::post('/login', [LoginController::class, 'store'])->middleware('throttle:login');
    Route::get('/register', [RegisterController::class, 'show'])->name('register');
    Route::post('/register', [RegisterController::class, 'store']);
});

Route::middleware('auth')->group(function () {
    Route::post('/logout', [LoginController::class, 'destroy'])->name('logout');
    Route::get('/courts/{court}/book', [BookingController::class, 'create'])->name('bookings.create');
    Route::post('/courts/{court}/book', [BookingController::class, 'store'])->name('bookings.store');
    Route::get('/bookings/{booking}', [BookingController::class, 'show'])->name('bookings.show');
});
"""

other(
    "k-ot-o08", "complex",
    "A hand-rolled password reset is auth work where token generation, expiry, single use, enumeration and session invalidation all must be right; a plausible version is easily subtly insecure.",
    cline("k-ot-o08", None, [
        U("members keep emailing the club secretary to reset their password by hand. add 'forgot password': a form where you enter your email, we email a reset link, the link lets you set a new password. we don't use Breeze/Fortify (custom LoginController), Laravel 11, mail already works (we send booking confirmations). also log them out of other devices when the password changes"),
        rd("routes/web.php", _PHP_AUTH_ROUTES),
        sh("ls app/Http/Controllers/Auth database/migrations | tail -n 12 && grep -n 'password' config/auth.php", "LoginController.php\nRegisterController.php\n\ndatabase/migrations:\n0001_01_01_000000_create_users_table.php\n0001_01_01_000001_create_cache_table.php\n2025_03_02_101500_create_courts_table.php\n2025_03_02_101600_create_bookings_table.php\n2025_06_18_090000_add_member_number_to_users.php\n60:    'passwords' => [\n61:        'users' => [\n62:            'provider' => 'users',\n63:            'table' => env('AUTH_PASSWORD_RESET_TOKEN_TABLE', 'password_reset_tokens'),\n64:            'expire' => 60,\n65:            'throttle' => 60,\n"),
    ], visible=["routes/web.php", "app/Http/Controllers/Auth/LoginController.php"], model="claude-sonnet-4-5"),
)

other(
    "k-ot-o09", "complex",
    "A casual request for a script that bulk-deletes live Stripe customers is a destructive, irreversible operation on payment data; the answer has to dry-run, filter carefully and warn rather than just loop and delete.",
    openai_sdk("k-ot-o09", [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "quick python script pls: our stripe account (live) has ~80k customers, most are junk from an old signup form. delete every customer that has no subscriptions and no charges in the last 2 years. use the stripe python lib, key from STRIPE_API_KEY env. I just want it gone today, finance said ok"},
    ], model="gpt-4o", temperature=0.7),
)


# =========================================================================== reasoning

cx(
    "k-cx-012", "reasoning",
    "Assigning ~50 vessel calls to 14 berths under length, draft, tide and time-window constraints while minimising waiting is NP-hard scheduling; the user wants the formulation and method argued first.",
    "berthplan",
    [
        U("next big thing: auto-proposal for the weekly berth plan. right now the harbour master drags ~40-60 calls a week onto 14 berths by hand. constraints: LOA and draft limits per berth, deep-draft vessels only in tide windows (2 per day, ~3h each), each call has ETA and a requested duration, some vessels need a specific quay (ro-ro ramp at K1/K2, tanker berth T1 only), pilot can board max 2 vessels per hour, and a vessel that waits at anchor costs the port roughly 1,800 EUR/h in agreements. goal: minimise total waiting weighted by that, but a plan must never double-book. ETAs change daily so it has to re-plan in under ~10 s and not shuffle everything around when one ETA moves.\n\nbefore writing code: how would you model this, exact (MIP / CP-SAT) or heuristic, how do you keep re-plans stable, and what would you show the harbour master when it can't find a feasible plan? be concrete about the formulation"),
        par(rd("src/Berthplan.Core/Scheduling/BookingService.cs", _BP_BOOKING), rd("src/Berthplan.Core/Scheduling/BerthSlot.cs", _BP_SLOT)),
        sh("psql \"$BERTHPLAN_RO_DSN\" -c \"select date_trunc('week', start) as week, count(*) calls, count(distinct berth_id) berths, round(avg(extract(epoch from \\\"end\\\"-start)/3600),1) avg_h, max(extract(epoch from \\\"end\\\"-start)/3600) max_h from bookings where status <> 'Cancelled' and start > now() - interval '8 weeks' group by 1 order by 1\"",
           "          week          | calls | berths | avg_h | max_h\n------------------------+-------+--------+-------+-------\n 2025-09-01 00:00:00+00 |    47 |     13 |  14.2 |    61\n 2025-09-08 00:00:00+00 |    52 |     14 |  13.8 |    72\n 2025-09-15 00:00:00+00 |    58 |     14 |  12.9 |    55\n 2025-09-22 00:00:00+00 |    44 |     12 |  15.1 |    70\n 2025-09-29 00:00:00+00 |    61 |     14 |  12.4 |    48\n 2025-10-06 00:00:00+00 |    55 |     14 |  13.3 |    66\n 2025-10-13 00:00:00+00 |    49 |     14 |  14.0 |    58\n 2025-10-20 00:00:00+00 |    53 |     14 |  13.6 |    64\n(8 rows)\n"),
    ],
)

cx(
    "k-cx-013", "reasoning",
    "Choosing how to store recurring sessions with exceptions (rule plus overrides or materialised rows) and what 'this and following' edits do to bookings is a design decision with real trade-offs.",
    "kilnbook",
    [
        U("ok bigger question, no code yet. right now a ClassSeries has sessions created by hand (the teacher clicks 'add session' 6 times). we want proper recurring schedules: 'every tuesday 19:00-21:30 from jan 13 for 8 weeks', skip holidays, sometimes one session moves to thursday, a teacher is ill and a sub takes one session, sometimes 'from now on it's 19:30'. members have bookings and waitlist entries on individual sessions and credits are spent per session.\n\noptions I see: (a) store an RRULE + exception rows and expand on read, (b) keep materialising ClassSession rows from a rule and edit rows, (c) some hybrid. what would you do and why? especially: what happens to existing bookings/waitlist/credits on 'edit this and all following', DST (studio is Europe/Amsterdam, sessions stored UTC), and how the kiln/studio-time calendar queries stay fast. give me the data model and the rules for edits"),
        rd("studio/bookings/models.py", _KB_MODELS),
        gr("ClassSession", "studio/bookings/services.py:8:from studio.bookings.models import Booking, ClassSession, WaitlistEntry\nstudio/bookings/views.py:14:from studio.bookings.models import ClassSeries, ClassSession\nstudio/bookings/views.py:52:    sessions = ClassSession.objects.filter(starts_at__gte=start, starts_at__lt=end, cancelled=False)\nstudio/members/credits.py:71:    session: ClassSession,\nstudio/calendar/feeds.py:23:    for s in ClassSession.objects.filter(series__in=series).select_related(\"series\"):\nstudio/firings/studio_time.py:40:    busy = ClassSession.objects.filter(starts_at__lt=end, ends_at__gt=start, cancelled=False)\n", glob="*.py"),
    ],
)

cx(
    "k-cx-014", "reasoning",
    "Whether three layers of retries with per-route timeouts can amplify an upstream brownout into a retry storm needs a worst-case load argument across layers and a retry-budget design, not an edit.",
    "tidewater",
    [
        U("think this through properly before answering. chain: mobile app -> CDN (retries once on 5xx/timeout) -> tidewater (upstream client retries 502/503 up to 3 attempts total, full jitter backoff base 100ms, per-route timeout 2s on /stations/:id) -> the national tide API (rate limit 50 rps per key, we have one key, answers 429 when over and ~1% 503 normally). the app itself retries failed loads twice. during the storm surge last week upstream went to ~40% 503 for 20 min and we got banned for 6h for exceeding the rate limit by a lot.\n\nquestions: what's the worst-case multiplication of one user tap into upstream requests in this chain, and with the cache (LRU, 60s TTL, no request coalescing) what did the upstream actually see at ~30 taps/s? then: where should retries live, would a retry budget (e.g. 10% of requests) plus single-flight coalescing be enough, and how do 429s need to be treated differently from 503s? I want the reasoning, I'll do the code after"),
        gr("retry\\|max_attempts\\|timeout", "src/upstream/client.rs:18:const MAX_ATTEMPTS: u32 = 3;\nsrc/upstream/client.rs:19:const BASE_BACKOFF: Duration = Duration::from_millis(100);\nsrc/upstream/client.rs:44:            Err(e) if e.status().map_or(false, |s| s == 502 || s == 503) && attempt < MAX_ATTEMPTS => {\nsrc/upstream/client.rs:47:                tokio::time::sleep(full_jitter(BASE_BACKOFF, attempt)).await;\nsrc/http/mod.rs:31:        .route_layer(TimeoutLayer::new(Duration::from_secs(2)))\ndeploy/cdn/fastly.vcl:52:  if (beresp.status >= 500 && req.restarts < 1) { return(restart); }\n", path="src"),
    ],
)

oh(
    "k-oh-011", "reasoning",
    "Threat-modelling a two-way Google Calendar sync with OAuth refresh tokens, webhooks and member data is security analysis whose answer is an argued list of threats and mitigations.",
    "kilnbook",
    [
        U("Before we build it: members want their class bookings in their Google Calendar, and teachers want kilnbook to block studio time when their personal calendar is busy (two-way: we read free/busy, we write events). Plan is Google OAuth with offline access (refresh tokens stored in our Postgres), push notifications via Calendar watch channels to a public /webhooks/google endpoint, Celery tasks doing the sync. Please do a threat model: assets, trust boundaries, what an attacker can do at each step (token theft, webhook spoofing, scope creep, one member's data leaking into another's calendar, a teacher's private event titles ending up visible to members...), and what we must get right before launch vs what can wait. We're 2 devs, no security team. Don't write code."),
        sh("cd /workspace/kilnbook && ls studio && grep -n 'SECRET_KEY\\|FIELD_ENCRYPTION\\|SESSION_COOKIE\\|CSRF' studio/settings/base.py", "__init__.py\nbookings\ncalendar\nfirings\nmembers\nnotify\npayments\nsettings\nurls.py\n23:SECRET_KEY = env(\"DJANGO_SECRET_KEY\")\n88:SESSION_COOKIE_SECURE = True\n89:CSRF_COOKIE_SECURE = True\n90:SESSION_COOKIE_AGE = 60 * 60 * 24 * 30\n"),
        rd("/workspace/kilnbook/studio/calendar/feeds.py", "from __future__ import annotations\n\nfrom django.http import HttpResponse\nfrom icalendar import Calendar, Event\n\nfrom studio.bookings.models import Booking, ClassSession\n\n\ndef member_feed(request, token: str) -> HttpResponse:\n    \"\"\"Read-only iCal feed of a member's bookings; the token is in the URL so calendar apps can poll it.\"\"\"\n    member = Member.objects.get(calendar_token=token)\n    cal = Calendar()\n    for b in Booking.objects.filter(member=member.user, status=\"confirmed\").select_related(\"session__series\"):\n        ev = Event()\n        ev.add(\"summary\", b.session.series.title)\n        ev.add(\"dtstart\", b.session.starts_at)\n        ev.add(\"dtend\", b.session.ends_at)\n        cal.add_component(ev)\n    return HttpResponse(cal.to_ical(), content_type=\"text/calendar\")\n"),
    ],
)


def _rca_logs(seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    ingress, app, bouncer, pg, cron = [], [], [], [], []
    for day in (20, 21, 22, 23, 24):
        heavy = day in (20, 23)  # the two days with the dbt full refresh on the primary
        for m in range(0, 40):
            minute = 2 * 60 + 50 + m
            hh, mm = divmod(minute, 60)
            bad = heavy and 8 <= m <= 27
            for _ in range(3):
                code = rng.choice([504, 504, 200, 502]) if bad and rng.random() < 0.7 else rng.choice([200, 200, 200, 200, 201, 400])
                rt = rng.uniform(29.5, 30.0) if code == 504 else rng.uniform(0.01, 0.4)
                path = rng.choice(["/v1/webhooks/stripe", "/v1/invoices", "/v1/customers", f"/v1/invoices/inv_{rng.randrange(10000, 99999)}/pdf", "/v1/payments"])
                ingress.append(f'10.40.{rng.randrange(0, 96)}.{rng.randrange(2, 254)} - - [{day}/Oct/2025:{hh:02d}:{mm:02d}:{rng.randrange(0, 59):02d} +0000] "POST {path} HTTP/1.1" {code} {rng.randrange(40, 4000)} "-" "{rng.choice(["Stripe/1.0 (+https://stripe.com/docs/webhooks)", "payments-sdk-py/3.2.0", "Mozilla/5.0"])}" {rt:.3f} [payments-payments-api-80] 10.40.{rng.randrange(32, 63)}.{rng.randrange(2, 254)}:8000 {rt:.3f} {code}')
            if bad and m % 2 == 0:
                app.append(f'{{"ts":"2025-10-{day}T{hh:02d}:{mm:02d}:{rng.randrange(0, 59):02d}Z","level":"error","pod":"payments-api-7d9f{rng.randrange(100, 999)}","msg":"QueuePool limit of size 10 overflow 5 reached, connection timed out, timeout 30.00","path":"{rng.choice(["/v1/webhooks/stripe", "/v1/invoices"])}"}}')
            bouncer.append(f"2025-10-{day} {hh:02d}:{mm:02d}:00.{rng.randrange(100, 999)} UTC [1] LOG stats: {rng.randrange(40, 90) if not bad else rng.randrange(3, 12)} xacts/s, {rng.randrange(200, 500) if not bad else rng.randrange(5, 40)} queries/s, in {rng.randrange(20000, 80000)} B/s, out {rng.randrange(90000, 400000)} B/s, xact {rng.randrange(800, 3000) if not bad else rng.randrange(400000, 900000)} us, query {rng.randrange(300, 1200) if not bad else rng.randrange(300000, 800000)} us, wait {rng.randrange(0, 80) if not bad else rng.randrange(2000000, 9000000)} us")
        cron.append(f"2025-10-{day}T03:00:02Z partman-maintenance: starting run_maintenance_proc() for public.payment_events, public.webhook_deliveries")
        if heavy:
            cron.append(f"2025-10-{day}T03:17:{rng.randrange(10, 59)}Z partman-maintenance: created partition public.payment_events_p2025_11_{day - 19:02d}; attached in 17m{rng.randrange(10, 50)}s")
            pg.append(f"2025-10-{day} 02:44:{rng.randrange(10, 59)} UTC [{rng.randrange(30000, 39999)}] dbt_prod@payments LOG:  duration: {rng.randrange(1900, 2100)}000.{rng.randrange(100, 999)} ms  statement: create table \"analytics\".\"fct_payment_events__dbt_tmp\" as (select ... from public.payment_events pe join public.webhook_deliveries wd on ...)")
            pg.append(f"2025-10-{day} 03:00:03 UTC [{rng.randrange(40000, 49999)}] partman@payments LOG:  process {rng.randrange(40000, 49999)} still waiting for AccessExclusiveLock on relation 16433 of database 16384 after 1000.118 ms")
            pg.append(f"2025-10-{day} 03:00:03 UTC [{rng.randrange(40000, 49999)}] partman@payments DETAIL:  Process holding the lock: {rng.randrange(30000, 39999)}. Wait queue: {rng.randrange(40000, 49999)}.")
            for _ in range(rng.randrange(25, 45)):
                pg.append(f"2025-10-{day} 03:{rng.randrange(0, 17):02d}:{rng.randrange(0, 59):02d} UTC [{rng.randrange(50000, 59999)}] payments_app@payments LOG:  process {rng.randrange(50000, 59999)} still waiting for RowExclusiveLock on relation 16433 of database 16384 after 1000.{rng.randrange(100, 999)} ms")
            pg.append(f"2025-10-{day} 03:17:{rng.randrange(0, 9):02d} UTC [{rng.randrange(30000, 39999)}] dbt_prod@payments LOG:  duration: {rng.randrange(2000, 2600)}123.555 ms  statement: (analytics run finished)")
        else:
            cron.append(f"2025-10-{day}T03:00:0{rng.randrange(3, 9)}Z partman-maintenance: created partition public.payment_events_p2025_11_{day - 19:02d}; attached in 0.{rng.randrange(1, 9)}s")
    return {"ingress": "\n".join(ingress) + "\n", "app": "\n".join(app) + "\n", "bouncer": "\n".join(bouncer) + "\n", "pg": "\n".join(pg) + "\n", "cron": "\n".join(cron) + "\n"}


_RCA = _rca_logs(77)

oh(
    "k-oh-012", "reasoning",
    "Explaining 20-minute timeouts on only some nights needs one causal chain that fits the ingress, pool, pgbouncer, Postgres lock and cron evidence; the answer is a hypothesis argued from all of it.",
    "payments",
    [
        U("On some nights (Mon 20th and Thu 23rd so far, not the other nights) payments-api returns 504s for ~20 minutes starting a bit after 03:00 UTC, including Stripe webhooks. CPU and memory are flat, Postgres CPU is low during the window. I've dumped the logs for 02:50-03:30 for five nights into /workspace/incident-0303/. Don't fix anything yet: I need the causal chain, what explains why only those nights, and which piece of evidence supports each step, before the postmortem at 14:00."),
        sh("cd /workspace/incident-0303 && ls -la && wc -l *", "total 160\n-rw-r--r-- 1 root root 108788 Oct 24 08:40 ingress.log\n-rw-r--r-- 1 root root   3830 Oct 24 08:40 app.jsonl\n-rw-r--r-- 1 root root  28131 Oct 24 08:41 pgbouncer.log\n-rw-r--r-- 1 root root  12332 Oct 24 08:41 postgres.log\n-rw-r--r-- 1 root root   1199 Oct 24 08:42 cron-partman.log\n   600 ingress.log\n    20 app.jsonl\n   200 pgbouncer.log\n    76 postgres.log\n    10 cron-partman.log\n   906 total\n"),
        sh("cat cron-partman.log", _RCA["cron"]),
        sh("cat postgres.log", _RCA["pg"]),
        sh("cat pgbouncer.log", _RCA["bouncer"]),
        sh("cat app.jsonl", _RCA["app"]),
        sh("awk '$9 >= 500' ingress.log | head -n 150", "\n".join([line for line in _RCA["ingress"].splitlines() if " 504 " in line or " 502 " in line][:150]) + "\n"),
        sh("psql \"$PAYMENTS_RO_DSN\" -c \"select oid, relname from pg_class where oid = 16433\" && crontab -l 2>/dev/null; kubectl -n analytics get cronjob -o custom-columns=NAME:.metadata.name,SCHEDULE:.spec.schedule", "  oid  |    relname\n-------+----------------\n 16433 | payment_events\n(1 row)\n\nNAME                        SCHEDULE\ndbt-incremental-nightly     30 1 * * *\ndbt-full-refresh-biweekly   10 2 * * 1,4\n"),
    ],
)

oh(
    "k-oh-013", "reasoning",
    "Deciding how cross-currency transfers fit a double-entry ledger (FX legs through a clearing account or two linked transfers) hinges on invariants, reversals and rounding that must be argued.",
    "ledger",
    [
        U("We need cross-currency transfers (EUR account -> GBP account) for the treasury team by Q1. Today Transfer is single-currency and TransferService rejects currency mismatches; the invariant everyone relies on is 'entries of every transfer sum to zero' and reports assume it. Option 1: one Transfer with four entries via an FX clearing account per currency pair (debit EUR customer, credit EUR clearing, debit GBP clearing, credit GBP customer) plus the rate on the transfer. Option 2: two ordinary single-currency transfers linked by an fx_conversion row. Option 3: something else? Please think about which invariants each option keeps (per-currency zero-sum, per-transfer zero-sum, balance-as-of queries), how reversal/partial reversal works when the rate has moved, where rounding residue goes (we quote rates to 6 dp, amounts are minor units), idempotency of retries, and what auditors will ask. Recommendation with reasons; no code."),
        rd("src/main/java/com/acme/ledger/service/TransferService.java", FX["ledger"]["src/main/java/com/acme/ledger/service/TransferService.java"]),
        sh("cd /workspace/ledger-service && grep -rn 'sum(e.amount\\|SUM(amount_minor' src/main | head", "src/main/java/com/acme/ledger/repo/EntryRepository.java:22:    @Query(\"select coalesce(sum(e.amountMinor), 0) from Entry e where e.accountId = :id and e.createdAt <= :asOf\")\nsrc/main/java/com/acme/ledger/reporting/TrialBalanceQuery.java:31:        \"SELECT a.currency, SUM(amount_minor) FROM entries e JOIN accounts a ON a.id = e.account_id GROUP BY a.currency\",\nsrc/main/java/com/acme/ledger/audit/ZeroSumCheck.java:18:        \"SELECT transfer_id FROM entries GROUP BY transfer_id HAVING SUM(amount_minor) <> 0\",\n"),
    ],
)

_DBT_DURATIONS = "\n".join(
    f"{name:<44} {mins:>5.1f}  {deps}"
    for name, mins, deps in [
        ("stg_orders", 3.2, "raw.orders"), ("stg_payments", 4.8, "raw.payments"), ("stg_customers", 1.1, "raw.customers"),
        ("stg_refunds", 0.9, "raw.refunds"), ("stg_shipments", 2.4, "raw.shipments"), ("stg_app__events", 21.5, "raw.app_events"),
        ("int_order_payments", 9.7, "stg_orders stg_payments"), ("int_order_refunds", 2.2, "stg_orders stg_refunds"),
        ("int_sessions", 31.0, "stg_app__events"), ("int_customer_orders", 6.3, "stg_customers int_order_payments"),
        ("fct_orders", 14.2, "int_order_payments int_order_refunds stg_shipments"), ("fct_sessions", 12.8, "int_sessions stg_customers"),
        ("dim_customers", 4.4, "int_customer_orders stg_customers"), ("fct_payment_events", 27.9, "stg_payments"),
        ("mart_funnel_daily", 18.6, "fct_sessions fct_orders"), ("mart_ltv", 11.0, "dim_customers fct_orders"),
        ("mart_cohorts", 16.4, "dim_customers fct_orders fct_sessions"), ("mart_finance_daily", 7.5, "fct_orders fct_payment_events"),
        ("mart_attribution", 24.3, "fct_sessions fct_orders dim_customers"), ("exposures_refresh", 1.0, "mart_funnel_daily mart_ltv mart_cohorts mart_finance_daily mart_attribution"),
    ]
)

oh(
    "k-oh-014", "reasoning",
    "Scheduling a dbt DAG on a fixed number of threads is precedence-constrained scheduling (NP-hard in general); the user wants critical-path bounds and which model to split, argued from the durations.",
    "warehouse",
    [
        U("The nightly build has to fit in 2h and we're at ~2h20 with --threads 4. Before we just buy a bigger warehouse: I exported model durations and deps (models/_meta/durations.txt, minutes from last week's median). Questions: what's the lower bound on wall time with unlimited threads (critical path) and with 4, 6, 8 threads; is dbt's scheduling (it picks ready nodes in roughly graph order, no priorities) leaving time on the table versus an optimal schedule and by how much; is an optimal schedule even tractable to compute for ~250 models (this is a subset), or what heuristic should we use (we could set priorities by splitting into selectors); and which single model would you split or make incremental first to get under 2h. Show your working."),
        sh("cd /workspace/warehouse && cat models/_meta/durations.txt && dbt ls --resource-type model | wc -l", "# model                                     minutes  depends_on\n" + _DBT_DURATIONS + "\n251\n"),
        sh("grep -n 'threads' profiles.yml ~/.dbt/profiles.yml 2>/dev/null; tail -n 4 logs/dbt.log", "profiles.yml:9:      threads: 4\n10:42:07  Finished running 231 table models, 18 view models, 2 incremental models in 2 hours 19 minutes and 38.41 seconds (8378.41s).\n10:42:07  \n10:42:07  Completed successfully\n"),
    ],
)

other(
    "k-ot-o10", "reasoning",
    "The request asks for a proof that a hybrid logical clock implementation preserves causality and bounded drift, with reasoning_effort high set on a genuinely hard correctness question.",
    openai_sdk("k-ot-o10", [
        {"role": "system", "content": "You are a distributed-systems reviewer. Be rigorous; state assumptions."},
        {"role": "user", "content": "Our sync service stamps events with a hybrid logical clock. Implementation (Kotlin):\n\n```kotlin\ndata class Hlc(val wall: Long, val logical: Int) : Comparable<Hlc> {\n    override fun compareTo(other: Hlc) = compareValuesBy(this, other, Hlc::wall, Hlc::logical)\n}\n\nclass HlcClock(private val physical: () -> Long, private val maxDriftMs: Long = 60_000) {\n    private var last = Hlc(0, 0)\n\n    @Synchronized fun now(): Hlc {\n        val pt = physical()\n        last = if (pt > last.wall) Hlc(pt, 0) else Hlc(last.wall, last.logical + 1)\n        return last\n    }\n\n    @Synchronized fun receive(remote: Hlc): Hlc {\n        val pt = physical()\n        require(remote.wall - pt <= maxDriftMs) { \"remote clock too far ahead\" }\n        val wall = maxOf(last.wall, remote.wall, pt)\n        val logical = when {\n            wall == last.wall && wall == remote.wall -> maxOf(last.logical, remote.logical) + 1\n            wall == last.wall -> last.logical + 1\n            wall == remote.wall -> remote.logical + 1\n            else -> 0\n        }\n        last = Hlc(wall, logical)\n        return last\n    }\n}\n```\n\n1. Prove (or refute with a counterexample) that if event e happens-before f then hlc(e) < hlc(f), for sends, receives and local events.\n2. Is `wall - physical()` bounded by the max clock offset between nodes? What happens to the bound if `physical()` goes backwards (NTP step) on one node?\n3. `logical` is an Int. Under what workload can it overflow, and is the `require` enough to keep it bounded? If not, what's the fix and does it break (1)?\n4. We persist `last` only every 5 s; after a crash the clock restarts from the persisted value. Does (1) still hold across restarts?"},
    ], model="o3", reasoning_effort="high"),
)

other(
    "k-ot-o11", "reasoning",
    "Aider's architect mode is asked to choose a persistence layer for an offline-first iOS app with sync, weighing migration cost, concurrency and conflict handling; the answer is a reasoned decision.",
    aider("k-ot-o11", "we need to decide persistence for RunKit before we add sync. today: Core Data, ~40k runs per heavy user, each with a GPS track (up to 30k points) stored as a binary blob; background import from HealthKit; a watch app that writes runs too. next: sync across devices through our own backend (not CloudKit, we need Android later), and editing a run on two devices offline. options on the table: stay on Core Data (+ NSPersistentHistoryTracking for sync), move to SwiftData, or move to GRDB/SQLite with our own sync log. I want a recommendation with the trade-offs: migration risk for existing users, how each handles the track blobs, background/concurrent writes from the import and the watch, what the sync/conflict model looks like in each, and testability. don't write code yet, just the plan and the why",
          repo_map="Sources/RunKit/Persistence/CoreDataStack.swift:\n⋮\n│final class CoreDataStack {\n│    static let shared = CoreDataStack()\n│    let container: NSPersistentContainer\n│    func newBackgroundContext() -> NSManagedObjectContext\n⋮\nSources/RunKit/Persistence/RunEntity+CoreDataClass.swift:\n⋮\n│@objc(RunEntity) public class RunEntity: NSManagedObject {\n│    @NSManaged public var id: UUID\n│    @NSManaged public var startedAt: Date\n│    @NSManaged public var distanceMetres: Double\n│    @NSManaged public var trackBlob: Data?\n│    @NSManaged public var updatedAt: Date\n⋮\nSources/RunKit/Import/HealthKitImporter.swift:\n⋮\n│actor HealthKitImporter {\n│    func importSince(_ anchor: HKQueryAnchor?) async throws -> HKQueryAnchor\n⋮\nSources/RunKit/RunSummary.swift:\n⋮\n│struct RunSummary {\n⋮\n",
          architect=True, model="claude-sonnet-4-5"),
)

other(
    "k-ot-o12", "reasoning",
    "Choosing between pg_upgrade in place, logical-replication blue/green and a managed blue/green for a 2 TB Postgres with a downtime budget is a decision with trade-offs the user asked to plan before acting.",
    cline("k-ot-o12", None, [
        U("PLAN MODE, don't run anything. we have to get our main Postgres from 13 to 16 before 13 goes EOL. self-managed on EC2 (r6i.4xlarge, 2.1 TB, 1 streaming replica + 1 delayed replica for oops recovery), ~3k TPS peak, the biggest table is 900 GB with 2 GIN indexes, we use pg_partman and pgvector 0.5, logical decoding slot for Debezium feeding the warehouse. business allows 15 min downtime on a Sunday night, not more. options I know: pg_upgrade --link in place, logical replication to a new 16 cluster and switch over, or move to RDS and use their blue/green. what would you pick and why, what are the traps (Debezium slot, sequences, large objects, extensions, replica rebuild, rollback path), and what's the order of steps? I want to understand the trade-offs before I write the runbook"),
    ], visible=["docs/runbooks/postgres.md"], mode="PLAN MODE", model="claude-sonnet-4-5"),
)
