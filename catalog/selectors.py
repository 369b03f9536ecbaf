"""Reads for the catalog."""

from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Offer


def offers_enabled() -> QuerySet[Offer]:
    return Offer.objects.filter(enabled=True, provider__enabled=True, family__enabled=True).select_related(
        "provider", "family"
    )


def offer_by_key(*, key: str) -> Offer | None:
    provider, _, model_id = key.partition(":")
    return offers_enabled().filter(provider__slug=provider, model_id=model_id).first()
