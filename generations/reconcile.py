"""Reconciliation: what each provider's own account says was spent, beside what the studio charged for it.

Per provider and day, the studio's side is the provider cost of the jobs it completed there (in the
provider's unit, from the documented price) and the credits it captured from teams for them. The
provider's side is read from its account where its docs offer one:

- Kubeez: ``get_balance`` (001, "#get_balance ... Returns your current Kubeez credit balance"). The
  drop of the balance between the day's first and last readings is what Kubeez took in that window;
  the studio's jobs that Kubeez accepted in the same window are set beside it.
- Kubflow: none. 000 documents ``GET /api/v1/me`` as "account, plan, and API access state" — no balance
  or usage, and the job status carries no cost.
- Krea: none. 003's "General" tag mentions billing information, but no path of the OpenAPI returns a
  balance or usage, and the job object carries no cost.
- Cliprise: none. 004 says credits are deducted when a job is submitted, and documents no balance or
  usage endpoint; the status carries no cost.

Readings are taken by the beat (``provider_accounts_read_task``) and by ``manage.py provider_reconcile
--read``; they are append-only rows (ProviderAccountReading).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from billing.models import EntryKind, LedgerEntry
from generations.models import Generation, ProviderAccountReading, Status
from generations.providers import client_for
from generations.providers.base import ProviderError

ACCOUNT_SOURCES: dict[str, str | None] = {
    "kubeez": "get_balance (001): the account's available credits",
    "kubflow": None,
    "krea": None,
    "cliprise": None,
}
NO_SOURCE = {
    "kubflow": "000 documents GET /api/v1/me as account, plan and API access state only: no balance or usage",
    "krea": "003 has no balance or usage path (the General tag mentions billing, no endpoint returns it)",
    "cliprise": "004 documents no balance or usage endpoint; credits are deducted at submit and not reported",
}


@dataclass(frozen=True)
class ReconcileRow:
    provider: str
    day: dt.date
    jobs: int
    studio_provider_cost: Decimal  # the documented price of the jobs completed, in the provider's unit
    studio_captured: Decimal  # credits captured from teams for them
    reported_cost: Decimal | None  # what the provider reported on accepting them (Kubeez), if it did
    provider_spent: Decimal | None  # the provider's own account: the balance drop over the window
    window: tuple[dt.datetime, dt.datetime] | None
    window_jobs: int
    window_provider_cost: Decimal
    source: str  # where the provider figure comes from, or why there is none

    @property
    def drift(self) -> Decimal | None:
        """The provider's figure less the studio's documented cost for the same window (positive: it took more)."""
        if self.provider_spent is None:
            return None
        return self.provider_spent - self.window_provider_cost


def provider_accounts_read(*, providers: list[str] | None = None) -> list[ProviderAccountReading]:
    """Read every provider's account that its docs offer, once; unreachable ones are skipped."""
    readings = []
    for slug in providers or [s for s, source in ACCOUNT_SOURCES.items() if source]:
        if not ACCOUNT_SOURCES.get(slug):
            continue
        try:
            data = client_for(slug).balance()
        except ProviderError:
            continue
        raw = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}
        readings.append(
            ProviderAccountReading.objects.create(
                provider=slug, read_at=timezone.now(), balance=data["credits"], raw=raw
            )
        )
    return readings


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def provider_reconcile(*, day: dt.date, providers: list[str] | None = None) -> list[ReconcileRow]:
    """One row per provider for ``day``: the studio's charges beside the provider's own account."""
    start, end = _day_bounds(day)
    rows = []
    for slug in providers or list(ACCOUNT_SOURCES):
        done = Generation.objects.filter(offer__provider__slug=slug, status=Status.COMPLETED)
        today = done.filter(finished_at__gte=start, finished_at__lt=end)
        totals = today.aggregate(cost=Sum("provider_cost"), reported=Sum("provider_cost_reported"))
        captured = LedgerEntry.objects.filter(kind=EntryKind.CAPTURE, generation__in=today).aggregate(
            total=Sum("balance_delta")
        )["total"]
        readings = list(ProviderAccountReading.objects.filter(provider=slug, read_at__gte=start, read_at__lt=end))
        spent = window = None
        window_jobs, window_cost = 0, Decimal(0)
        if len(readings) >= 2:
            first, last = readings[0], readings[-1]
            spent = first.balance - last.balance
            window = (first.read_at, last.read_at)
            accepted = Generation.objects.filter(
                offer__provider__slug=slug,
                started_at__gte=first.read_at,
                started_at__lte=last.read_at,
                status__in=[Status.COMPLETED, Status.RUNNING, Status.DOWNLOADING],
            )
            window_jobs = accepted.count()
            window_cost = accepted.aggregate(cost=Sum("provider_cost"))["cost"] or Decimal(0)
        if ACCOUNT_SOURCES.get(slug):
            source = ACCOUNT_SOURCES[slug] if spent is not None else f"{ACCOUNT_SOURCES[slug]}; fewer than 2 readings"
        else:
            source = NO_SOURCE[slug]
        rows.append(
            ReconcileRow(
                provider=slug,
                day=day,
                jobs=today.count(),
                studio_provider_cost=totals["cost"] or Decimal(0),
                studio_captured=-(captured or Decimal(0)),
                reported_cost=totals["reported"],
                provider_spent=spent,
                window=window,
                window_jobs=window_jobs,
                window_provider_cost=window_cost,
                source=source,
            )
        )
    return rows
