"""Reads for wallets, the ledger, limits and usage, always scoped to one team (staff reads say so)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import Team, User
from billing.models import CREDITS, EntryKind, Hold, HoldState, LedgerEntry, MemberLimit, TeamLimits, Wallet

ZERO = Decimal(0)
MONEY = DecimalField(**CREDITS)


def wallet_for_team(*, team: Team) -> Wallet | None:
    return Wallet.objects.filter(team=team).first()


def wallet_available_sql(*, team_id: int) -> tuple[str, list[Any]]:
    """A scalar SQL subquery for the team's available credits, and its parameters, for a query of another app
    (catalog.selectors.offer_for_quote reads it with the offer, in one round trip)."""
    # Only the table name is formatted in (from the model); the team is a query parameter.
    return f"(SELECT w.balance - w.held FROM {Wallet._meta.db_table} w WHERE w.team_id = %s)", [team_id]  # noqa: S608


def ledger_for_team(*, team: Team) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(wallet__team=team).select_related("actor", "hold", "member")


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Aware datetimes for [start 00:00, end + 1 day 00:00) in the studio's time zone."""
    tz = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=tz) if start else None
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz) if end else None
    return since, until


def ledger_filtered(
    *,
    team: Team,
    kind: str = "",
    start: date | None = None,
    end: date | None = None,
    member: User | None = None,
    generation: str = "",
) -> QuerySet[LedgerEntry]:
    """The team's ledger, narrowed by kind, days, member (who acted or whose job it was) and generation id."""
    entries = ledger_for_team(team=team)
    since, until = day_range(start, end)
    if kind:
        entries = entries.filter(kind=kind)
    if since:
        entries = entries.filter(created_at__gte=since)
    if until:
        entries = entries.filter(created_at__lt=until)
    if member is not None:
        entries = entries.filter(Q(actor=member) | Q(member=member))
    if generation:
        entries = entries.filter(generation_ref=generation.strip())
    return entries


def wallet_drift() -> list[dict]:
    """Wallets whose stored balance or held amount differs from their entries or their open holds.

    Three views of the same money must agree: the wallet row, the sum of its
    ledger entries, and (for ``held``) the open holds. Each hold's own entries
    must also net to its amount while open and to nothing once resolved.
    """
    drift = []
    sums = {
        row["wallet"]: row
        for row in LedgerEntry.objects.values("wallet").annotate(balance=Sum("balance_delta"), held=Sum("held_delta"))
    }
    open_holds = {
        row["wallet"]: row["total"]
        for row in Hold.objects.filter(state=HoldState.OPEN).values("wallet").annotate(total=Sum("amount"))
    }
    for wallet in Wallet.objects.select_related("team"):
        row = sums.get(wallet.pk, {"balance": ZERO, "held": ZERO})
        balance, held = row["balance"] or ZERO, row["held"] or ZERO
        holding = open_holds.get(wallet.pk) or ZERO
        if balance != wallet.balance or held != wallet.held or holding != wallet.held:
            drift.append(
                {
                    "team": wallet.team.slug,
                    "stored_balance": wallet.balance,
                    "ledger_balance": balance,
                    "stored_held": wallet.held,
                    "ledger_held": held,
                    "open_holds": holding,
                }
            )
    return drift


def holds_unbalanced() -> list[dict]:
    """Holds whose ledger entries don't net to what they still hold (their amount if open, else nothing)."""
    expected = Case(When(state=HoldState.OPEN, then=F("amount")), default=Value(ZERO), output_field=MONEY)
    rows = (
        Hold.objects.annotate(net=Coalesce(Sum("entries__held_delta"), Value(ZERO), output_field=MONEY))
        .annotate(expected=expected)
        .exclude(net=F("expected"))
        .values("public_id", "state", "amount", "net")
    )
    return list(rows[:1000])


# --- limits ---------------------------------------------------------------------


def month_start(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _spent(holds: QuerySet[Hold]) -> Decimal:
    """What holds cost: the captured part once resolved, the whole amount while still open."""
    total = holds.aggregate(
        total=Sum(Case(When(state=HoldState.OPEN, then=F("amount")), default=F("captured"), output_field=MONEY))
    )["total"]
    return total or ZERO


def spend_this_month(*, team: Team, user: User | None = None, now: datetime | None = None) -> Decimal:
    """Credits the team (or one member) spent on jobs submitted this month, counting running jobs' holds."""
    holds = Hold.objects.filter(wallet__team=team, created_at__gte=month_start(now))
    if user is not None:
        holds = holds.filter(member=user)
    return _spent(holds)


def spend_this_month_by_member(*, team: Team, now: datetime | None = None) -> dict[int, Decimal]:
    spend = Case(When(state=HoldState.OPEN, then=F("amount")), default=F("captured"), output_field=MONEY)
    rows = (
        Hold.objects.filter(wallet__team=team, created_at__gte=month_start(now))
        .values("member")
        .annotate(total=Sum(spend))
    )
    return {row["member"]: row["total"] or ZERO for row in rows}


def team_limits_for(*, team: Team) -> TeamLimits | None:
    return TeamLimits.objects.filter(team=team).first()


def member_limits_for(*, team: Team) -> dict[int, MemberLimit]:
    """Member limits by membership id."""
    return {limit.membership_id: limit for limit in MemberLimit.objects.filter(membership__team=team)}


@dataclass(frozen=True)
class BudgetStatus:
    available: Decimal
    low_balance: bool
    low_balance_at: Decimal
    budget: Decimal | None = None
    spent: Decimal = ZERO
    alert: bool = False
    exhausted: bool = False

    @property
    def percent(self) -> int | None:
        if not self.budget:
            return None
        return int(self.spent * 100 / self.budget)

    @property
    def left(self) -> Decimal | None:
        return max(self.budget - self.spent, ZERO) if self.budget is not None else None


DEFAULT_LOW_BALANCE = Decimal("20")


def budget_status(*, team: Team, wallet: Wallet | None = None) -> BudgetStatus | None:
    """What the banner says: is the balance low, and has this month's spend reached the alert threshold."""
    wallet = wallet or wallet_for_team(team=team)
    if wallet is None:
        return None
    limits = team_limits_for(team=team)
    low_at = limits.low_balance if limits else DEFAULT_LOW_BALANCE
    status: dict[str, Any] = {
        "available": wallet.available,
        "low_balance": wallet.available < low_at,
        "low_balance_at": low_at,
    }
    if limits and limits.monthly_budget is not None:
        spent = spend_this_month(team=team)
        status.update(
            budget=limits.monthly_budget,
            spent=spent,
            alert=spent >= (limits.alert_at or limits.monthly_budget),
            exhausted=spent >= limits.monthly_budget,
        )
    return BudgetStatus(**status)


# --- usage ------------------------------------------------------------------------


@dataclass
class Usage:
    start: date
    end: date
    spent: Decimal = ZERO
    granted: Decimal = ZERO
    days: list[dict] = field(default_factory=list)
    by_model: list[dict] = field(default_factory=list)
    by_provider: list[dict] = field(default_factory=list)
    by_member: list[dict] = field(default_factory=list)
    jobs: dict[str, int] = field(default_factory=dict)

    @property
    def chart(self) -> dict[str, list]:
        return {
            "labels": [day["day"].isoformat() for day in self.days],
            "credits": [float(day["credits"]) for day in self.days],  # for the chart only; figures stay Decimal
            "jobs": [day["jobs"] for day in self.days],
        }


def _shares(rows: list[dict], total: Decimal) -> list[dict]:
    for row in rows:
        row["credits"] = -(row["credits"] or ZERO)
        row["share"] = int(row["credits"] * 100 / total) if total else 0
    return sorted(rows, key=lambda row: row["credits"], reverse=True)


OfferLabels = Callable[[Iterable[str]], Mapping[str, tuple[str, str]]]
ProviderNames = Callable[[Iterable[str]], Mapping[str, str]]


def _merged(rows: Iterable[dict], label: Callable[[dict], dict]) -> list[dict]:
    """Rows summed by the label each one gets (two offers of one model and provider make one row)."""
    merged: dict[tuple, dict] = {}
    for row in rows:
        named = label(row)
        into = merged.setdefault(tuple(named.values()), {**named, "credits": ZERO, "jobs": 0})
        into["credits"] += row["credits"] or ZERO
        into["jobs"] += row["jobs"]
    return list(merged.values())


def usage_report(
    *,
    team: Team,
    start: date,
    end: date,
    offer_labels: OfferLabels | None = None,
    provider_names: ProviderNames | None = None,
) -> Usage:
    """Credits charged between ``start`` and ``end`` (inclusive): by day, model, provider and member.

    Spend is what completed jobs were charged (capture entries, dated when charged), read from the ledger
    alone: each charge names its offer, provider and member. The names people read come from the catalog,
    which billing doesn't import: ``offer_labels`` maps offer keys to (model, provider) names and
    ``provider_names`` provider slugs to names (without them, the keys and slugs show). Job counts are the
    generations' own (``Usage.jobs``, filled in by generations.usage).
    """
    since, until = day_range(start, end)
    captures = LedgerEntry.objects.filter(
        wallet__team=team, kind=EntryKind.CAPTURE, created_at__gte=since, created_at__lt=until
    )
    usage = Usage(start=start, end=end)
    usage.spent = -(captures.aggregate(total=Sum("balance_delta"))["total"] or ZERO)
    usage.granted = (
        LedgerEntry.objects.filter(
            wallet__team=team, kind=EntryKind.GRANT, created_at__gte=since, created_at__lt=until
        ).aggregate(total=Sum("balance_delta"))["total"]
        or ZERO
    )
    daily = {
        row["day"]: row
        for row in captures.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(credits=Sum("balance_delta"), jobs=Count("id"))
    }
    day = start
    while day <= end:
        row = daily.get(day)
        usage.days.append(
            {"day": day, "credits": -(row["credits"]) if row else ZERO, "jobs": row["jobs"] if row else 0}
        )
        day += timedelta(days=1)
    by_offer = list(
        captures.values("offer_key", "provider_slug").annotate(credits=Sum("balance_delta"), jobs=Count("id"))
    )
    offers = offer_labels({row["offer_key"] for row in by_offer}) if offer_labels else {}
    providers = provider_names({row["provider_slug"] for row in by_offer}) if provider_names else {}

    def model_of(row: dict) -> dict:
        model, provider = offers.get(row["offer_key"], (row["offer_key"], row["provider_slug"]))
        return {"model": model, "provider": provider}

    def provider_of(row: dict) -> dict:
        return {"provider": providers.get(row["provider_slug"], row["provider_slug"])}

    usage.by_model = _shares(_merged(by_offer, model_of), usage.spent)
    usage.by_provider = _shares(_merged(by_offer, provider_of), usage.spent)
    usage.by_member = _shares(
        list(
            captures.values(member_name=F("member__username")).annotate(credits=Sum("balance_delta"), jobs=Count("id"))
        ),
        usage.spent,
    )
    for row in usage.by_member:
        row["member"] = row.pop("member_name")
    return usage


def ledger_rows(entries: QuerySet[LedgerEntry]) -> Iterator[list[Any]]:
    yield [
        "created_at",
        "kind",
        "amount",
        "balance_delta",
        "held_delta",
        "generation",
        "member",
        "actor",
        "reason",
        "hold",
        "idempotency_key",
    ]
    for entry in entries.order_by("created_at", "id").iterator(chunk_size=2000):
        yield [
            entry.created_at.isoformat(),
            entry.kind,
            entry.amount,
            entry.balance_delta,
            entry.held_delta,
            entry.generation_ref,
            entry.member.username if entry.member else "",
            entry.actor.username if entry.actor else "",
            entry.reason,
            entry.hold.public_id if entry.hold else "",
            entry.idempotency_key,
        ]


# --- staff --------------------------------------------------------------------------


def _with_wallet_figures(teams: QuerySet) -> QuerySet:
    return teams.select_related("wallet").annotate(
        available=ExpressionWrapper(F("wallet__balance") - F("wallet__held"), output_field=MONEY)
    )


def teams_search(*, query: str, limit: int = 50) -> QuerySet:
    """Staff: teams whose name, slug or id matches, or with a member whose username or email matches."""
    query = query.strip()
    teams = Team.objects.all()
    if query:
        teams = teams.filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(public_id=query)
            | Q(memberships__user__username__icontains=query)
            | Q(memberships__user__email__icontains=query)
        ).distinct()
    return _with_wallet_figures(teams).order_by("name")[:limit]


def teams_running_out(*, limit: int = 20, days: int = 7, now: datetime | None = None) -> list:
    """Staff: teams closest to running out, by days left at their recent daily spend, then by what is left.

    Teams that spent nothing lately have no days-left figure and come after
    those that did, lowest balance first.
    """
    since = (now or timezone.now()) - timedelta(days=days)
    recent = (
        LedgerEntry.objects.filter(wallet=OuterRef("wallet"), kind=EntryKind.CAPTURE, created_at__gte=since)
        .values("wallet")
        .annotate(total=Sum("balance_delta"))
        .values("total")
    )
    teams = (
        _with_wallet_figures(Team.objects.filter(wallet__isnull=False))
        .annotate(recent_spend=Coalesce(-Subquery(recent, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .annotate(
            days_left=Case(
                When(
                    recent_spend__gt=0,
                    then=ExpressionWrapper(
                        F("available") * Value(Decimal(days)) / F("recent_spend"),
                        output_field=DecimalField(max_digits=20, decimal_places=1),
                    ),
                ),
                default=None,
                output_field=DecimalField(max_digits=20, decimal_places=1),
            )
        )
        .order_by(F("days_left").asc(nulls_last=True), "available", "name")
    )
    return list(teams[:limit])


def team_for_staff(*, public_id: str):

    team = _with_wallet_figures(Team.objects.filter(public_id=public_id)).first()
    if team is None:
        raise Http404("No such team")
    return team
