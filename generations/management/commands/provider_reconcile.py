"""``manage.py provider_reconcile [--date YYYY-MM-DD] [--read] [--json]``: provider accounts vs studio charges.

One line per provider for the day: the jobs completed there, their documented provider cost, the
credits captured from teams, the cost the provider reported on accepting them (Kubeez), and — where the
provider's docs offer an account figure — what its account says it took over the day's readings and the
drift. ``--read`` takes a reading of every such account first. See generations/reconcile.py.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from catalog.pricing import fmt
from generations.reconcile import provider_accounts_read, provider_reconcile


def _money(value) -> str:
    return "—" if value is None else fmt(value)


class Command(BaseCommand):
    help = "Compare what each provider's account says was spent with what the studio charged, per day."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument("--read", action="store_true", help="read the providers' accounts first")
        parser.add_argument("--json", action="store_true", help="one JSON object per provider")

    def handle(self, *args, date: str | None, read: bool, json: bool, **options) -> None:
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}") from None
        if read:
            for reading in provider_accounts_read():
                self.stderr.write(f"read {reading.provider}: {fmt(reading.balance)}")
        rows = provider_reconcile(day=day)
        if json:
            for row in rows:
                self.stdout.write(_json_line(row))
            return
        self.stdout.write(f"Provider reconciliation for {day.isoformat()}")
        for row in rows:
            self.stdout.write(
                f"{row.provider:9} jobs {row.jobs:4}  documented cost {_money(row.studio_provider_cost):>10}  "
                f"captured {_money(row.studio_captured):>10} credits  reported {_money(row.reported_cost):>10}  "
                f"provider spent {_money(row.provider_spent):>10}  drift {_money(row.drift):>8}  ({row.source})"
            )


def _json_line(row) -> str:
    return jsonlib.dumps(
        {
            "provider": row.provider,
            "day": row.day.isoformat(),
            "jobs": row.jobs,
            "studio_provider_cost": fmt(row.studio_provider_cost),
            "studio_captured_credits": fmt(row.studio_captured),
            "reported_cost": None if row.reported_cost is None else fmt(row.reported_cost),
            "provider_spent": None if row.provider_spent is None else fmt(row.provider_spent),
            "window_jobs": row.window_jobs,
            "window_provider_cost": fmt(row.window_provider_cost),
            "drift": None if row.drift is None else fmt(row.drift),
            "source": row.source,
        }
    )
