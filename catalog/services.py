"""Catalog writes (sync from the data files) and quoting."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from catalog.datafile import provider_file_load, provider_files_available
from catalog.models import ModelFamily, Offer, Provider
from catalog.pricing import QuoteError, credits_round, fmt, offer_check, offer_price


@dataclass(frozen=True)
class Quote:
    provider: str
    model: str
    provider_cost: Decimal
    unit: str
    credits: Decimal
    breakdown: str
    params: dict[str, Any] = field(default_factory=dict)
    estimated: bool = False
    minimum_credits: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {
            "provider": self.provider,
            "model": self.model,
            "provider_cost": str(self.provider_cost),
            "unit": self.unit,
            "credits": str(self.credits),
            "breakdown": self.breakdown,
        }
        if self.estimated:
            data["estimated"] = True
            data["minimum_credits"] = str(self.minimum_credits)
        return data


def provider_credits(*, provider: Provider, provider_cost: Decimal) -> Decimal:
    """Studio credits for a provider price: cost × the provider's rate × markup, rounded up to the cent."""
    return credits_round(provider_cost * provider.credit_rate * provider.markup)


def price_quote(*, offer: Offer, params: dict[str, Any]) -> Quote:
    """Check ``params`` against the offer and price them. Raises QuoteError for a refused request."""
    provider = offer.provider
    clean = offer_check(offer.spec, params)
    price = offer_price(offer.spec, clean, provider.unit)
    credits = provider_credits(provider=provider, provider_cost=price.amount)
    breakdown = price.breakdown
    if provider.credit_rate != 1 or provider.markup != 1:
        breakdown += f" → {fmt(credits)} studio credits"
    return Quote(
        provider=provider.slug,
        model=offer.model_id,
        provider_cost=price.amount,
        unit=provider.unit,
        credits=credits,
        breakdown=breakdown,
        params=clean,
        estimated=price.estimated,
        minimum_credits=(
            provider_credits(provider=provider, provider_cost=price.minimum) if price.minimum is not None else None
        ),
    )


def offer_resolve(*, provider_slug: str, model_id: str, enabled_only: bool = True) -> Offer:
    """The offer a provider's model id names, or QuoteError (unknown_model, variant_required)."""
    offers = Offer.objects.select_related("provider", "family")
    if enabled_only:
        offers = offers.filter(enabled=True, provider__enabled=True, family__enabled=True)
    offer = offers.filter(provider__slug=provider_slug, model_id=model_id).first()
    if offer:
        return offer
    if provider_slug in provider_files_available():
        for label in provider_file_load(provider_slug).get("family_labels", []):
            if label["label"] == model_id:
                raise QuoteError(
                    label.get("code", "variant_required"),
                    label.get("message", f"{model_id} is a model family; choose one of its variants"),
                    available_variants=label["variants"],
                )
    raise QuoteError("unknown_model", f"{provider_slug} has no model {model_id!r} in the catalog")


@transaction.atomic
def catalog_sync(*, providers: list[str] | None = None) -> dict[str, int]:
    """Load the data files into the database. Idempotent; staff settings (rates, enabled) are kept."""
    counts: dict[str, int] = {}
    for slug in providers or provider_files_available():
        data = provider_file_load(slug)
        provider, _ = Provider.objects.get_or_create(slug=slug, defaults={"name": data["name"], "unit": data["unit"]})
        Provider.objects.filter(pk=provider.pk).update(name=data["name"], unit=data["unit"])
        provider.refresh_from_db()
        specs = data["offers"]
        for spec in specs:
            family, _ = ModelFamily.objects.get_or_create(
                slug=spec["family"],
                defaults={
                    "name": spec.get("family_name") or spec["name"],
                    "category": spec["category"],
                    "description": spec.get("description", ""),
                },
            )
            if not family.description and spec.get("description"):
                ModelFamily.objects.filter(pk=family.pk).update(description=spec["description"])
            Offer.objects.update_or_create(
                provider=provider,
                model_id=spec["id"],
                defaults={
                    "family": family,
                    "name": spec["name"],
                    "category": spec["category"],
                    "output": spec["output"],
                    "generation_types": spec.get("generation_types", []),
                    "capabilities": spec.get("capabilities", []),
                    "estimated_seconds": spec.get("estimated_seconds"),
                    "spec": spec,
                    "base_provider_cost": _default_cost(spec, data["unit"]),
                },
            )
        counts[slug] = len(specs)
    return counts


def _default_cost(spec: dict[str, Any], unit: str) -> Decimal | None:
    """The provider price with every field at its default, for "from N credits" and sorting."""
    params = {f["name"]: "x" for f in spec["fields"] if f.get("required") and f["type"] in {"text", "string"}}
    try:
        return offer_price(spec, offer_check(spec, params), unit).amount
    except (QuoteError, KeyError, ValueError):
        return None
