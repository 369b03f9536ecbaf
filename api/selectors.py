"""Reads for the API, always scoped to one team."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from accounts.models import Membership, Team
from api.models import ApiKey
from billing.models import EntryKind
from billing.selectors import ledger_for_team
from generations.models import Generation
from generations.selectors import generations_for_team


def api_key_by_prefix(*, prefix: str) -> ApiKey | None:
    return ApiKey.objects.select_related("team", "user").filter(prefix=prefix).first()


def api_keys_for_member(*, membership: Membership) -> QuerySet[ApiKey]:
    """The keys a member sees: their own in the team, or all the team's for an owner or admin."""
    keys = ApiKey.objects.filter(team=membership.team).select_related("user", "revoked_by")
    if not membership.can_manage:
        keys = keys.filter(user=membership.user)
    return keys


def api_key_for_member(*, membership: Membership, public_id: str) -> ApiKey | None:
    return api_keys_for_member(membership=membership).filter(public_id=public_id).first()


def generations_filtered(
    *,
    team: Team,
    statuses: list[str] | None = None,
    model: str | None = None,
    provider: str | None = None,
    category: str | None = None,
    generation_type: str | None = None,
) -> QuerySet[Generation]:
    generations = generations_for_team(team=team)
    if statuses:
        generations = generations.filter(status__in=statuses)
    if model:
        if ":" in model and not provider:
            provider, model = model.split(":", 1)
        generations = generations.filter(Q(offer__model_id=model) | Q(offer__family__slug=model))
    if provider:
        generations = generations.filter(offer__provider__slug=provider)
    if category:
        generations = generations.filter(offer__category=category)
    if generation_type:
        generations = generations.filter(offer__generation_types__contains=[generation_type])
    return generations.order_by("-created_at", "-id")


def generations_after(*, generations: QuerySet[Generation], cursor: Generation) -> QuerySet[Generation]:
    """The generations older than ``cursor`` in newest-first order (the next page)."""
    return generations.filter(Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.pk))


def usage_for_team(*, team: Team, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Credits charged for generations, by day (UTC) and model, from ``start`` to ``end`` inclusive."""
    rows = (
        ledger_for_team(team=team)
        .filter(kind=EntryKind.CAPTURE, created_at__date__gte=start, created_at__date__lte=end)
        .annotate(day=TruncDate("created_at"))
        .values("day", "generation__offer__provider__slug", "generation__offer__model_id")
        .annotate(spent=Sum("balance_delta"), generations=Count("generation", distinct=True))
        .order_by("day", "generation__offer__provider__slug", "generation__offer__model_id")
    )
    days: dict[dt.date, dict[str, Any]] = {}
    models: dict[str, dict[str, Any]] = defaultdict(lambda: {"credits": Decimal(0), "generations": 0})
    total = Decimal(0)
    count = 0
    for row in rows:
        provider = row["generation__offer__provider__slug"] or ""
        model_id = row["generation__offer__model_id"] or ""
        offer = f"{provider}:{model_id}" if provider else "other"
        spent = -(row["spent"] or Decimal(0))
        day = days.setdefault(row["day"], {"credits": Decimal(0), "generations": 0, "models": []})
        day["credits"] += spent
        day["generations"] += row["generations"]
        day["models"].append(
            {
                "offer": offer,
                "model": model_id,
                "provider": provider,
                "credits": spent,
                "generations": row["generations"],
            }
        )
        models[offer].update(model=model_id, provider=provider)
        models[offer]["credits"] += spent
        models[offer]["generations"] += row["generations"]
        total += spent
        count += row["generations"]
    return {
        "total_credits": total,
        "generations": count,
        "days": [{"date": day, **values} for day, values in sorted(days.items())],
        "models": [{"offer": offer, **values} for offer, values in sorted(models.items())],
    }
