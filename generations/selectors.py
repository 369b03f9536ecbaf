"""Reads for generations, always scoped to one team."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import Team
from generations.models import ACTIVE_STATUSES, Asset, Generation


def generations_for_team(*, team: Team) -> QuerySet[Generation]:
    return (
        Generation.objects.filter(team=team)
        .select_related("offer__provider", "offer__family", "created_by")
        .prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("index")))
    )


def generation_for_team(*, team: Team, public_id: str) -> Generation:
    """The team's generation, or 404: another team's generation does not exist for this user."""
    generation = generations_for_team(team=team).filter(public_id=public_id).first()
    if generation is None:
        raise Http404("No such generation")
    return generation


def generations_by_ids(*, team: Team, public_ids: list[str]) -> list[Generation]:
    return list(generations_for_team(team=team).filter(public_id__in=public_ids[:200]))


def asset_for_team(*, team: Team, generation_id: str, asset_id: str) -> Asset:
    asset = (
        Asset.objects.filter(public_id=asset_id, generation__public_id=generation_id, generation__team=team)
        .select_related("generation")
        .first()
    )
    if asset is None:
        raise Http404("No such file")
    return asset


def active_ids(generations: list[Generation]) -> list[str]:
    return [g.public_id for g in generations if g.status in ACTIVE_STATUSES]
