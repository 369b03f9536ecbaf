"""The team's usage page and generations export: billing's ledger figures, the catalog's names, the jobs' counts.

Billing reads only its ledger (each charge names its offer, provider and member); what is about the jobs
themselves (how many completed or failed, the CSV of them) is read here, where the generations live.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from accounts.models import Team
from billing.selectors import Usage, day_range, usage_report
from catalog.selectors import offer_labels, provider_names
from generations.models import Generation


def team_usage(*, team: Team, start: date, end: date) -> Usage:
    """Credits charged from ``start`` to ``end`` (inclusive) by day, model, provider and member, with the
    number of jobs submitted in those days by status."""
    usage = usage_report(team=team, start=start, end=end, offer_labels=offer_labels, provider_names=provider_names)
    since, until = day_range(start, end)
    usage.jobs = {
        row["status"]: row["n"]
        for row in Generation.objects.filter(team=team, created_at__gte=since, created_at__lt=until)
        .values("status")
        .annotate(n=Count("id"))
    }
    return usage


def generations_for_export(*, team: Team, start: date, end: date) -> QuerySet[Generation]:
    since, until = day_range(start, end)
    return (
        Generation.objects.filter(team=team, created_at__gte=since, created_at__lt=until)
        .select_related("offer__provider", "offer__family", "created_by")
        .order_by("created_at", "id")
    )


def generation_rows(generations: QuerySet[Generation]) -> Iterator[list[Any]]:
    yield [
        "id",
        "created_at",
        "finished_at",
        "status",
        "member",
        "provider",
        "model",
        "offer",
        "prompt",
        "credits_quoted",
        "credits_charged",
        "error_code",
    ]
    for generation in generations.iterator(chunk_size=2000):
        yield [
            generation.public_id,
            generation.created_at.isoformat(),
            generation.finished_at.isoformat() if generation.finished_at else "",
            generation.status,
            generation.created_by.username,
            generation.offer.provider.name,
            generation.offer.family.name,
            generation.offer.key,
            generation.prompt,
            generation.credits_quoted,
            generation.credits_charged if generation.credits_charged is not None else "",
            generation.error_code,
        ]
