"""Catalog writes (sync from the data files and the providers' live lists) and quoting."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from catalog.datafile import provider_file_load, provider_files_available
from catalog.live import (
    ENDPOINTS,
    LiveReport,
    live_cost,
    live_models_fetch,
    live_price_for,
    offer_spec_with_live,
)
from catalog.models import ModelFamily, Offer, Provider
from catalog.pricing import (
    QuoteError,
    credits_round,
    fmt,
    measured_rate,
    offer_check,
    offer_measures,
    offer_price,
    price_rows,
)
from catalog.shared import representative_params
from project.stamps import CATALOG, stamps_bump

if TYPE_CHECKING:
    from accounts.models import User


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
    likely_credits: Decimal | None = None
    charge_note: str = ""  # what is charged and why, when the docs give no exact price for this request

    def as_dict(self) -> dict[str, Any]:
        data = {
            "provider": self.provider,
            "model": self.model,
            "provider_cost": fmt(self.provider_cost),
            "unit": self.unit,
            "credits": str(self.credits),
            "breakdown": self.breakdown,
        }
        if self.estimated:
            data["estimated"] = True
            data["minimum_credits"] = str(self.minimum_credits)
        if self.likely_credits is not None:
            data["likely_credits"] = str(self.likely_credits)
        if self.charge_note:
            data["charge_note"] = self.charge_note
        return data


def provider_credits(*, provider: Provider, provider_cost: Decimal) -> Decimal:
    """Studio credits for a provider price: cost × the provider's rate × markup, rounded up to the cent."""
    return credits_round(provider_cost * provider.credit_rate * provider.markup)


def price_quote(*, offer: Offer, params: dict[str, Any]) -> Quote:
    """Check ``params`` against the offer and price them. Raises QuoteError for a refused request.

    An offer without a documented price (``priced`` False) refuses every valid
    request with ``price_unavailable``: the studio never charges a guessed price.
    """
    provider = offer.provider
    clean = offer_check(offer.spec, params)
    if offer.spec.get("unpriced") and offer.studio_price is not None:
        return _studio_price_quote(offer, clean)
    if offer.spec.get("unpriced") or not offer.priced:
        raise _price_unavailable(offer)
    price = offer_price(offer.spec, clean, provider.unit)
    credits = provider_credits(provider=provider, provider_cost=price.amount)
    breakdown = price.breakdown
    if provider.credit_rate != 1 or provider.markup != 1:
        breakdown += f" → {fmt(credits)} studio credits"
    minimum = provider_credits(provider=provider, provider_cost=price.minimum) if price.minimum is not None else None
    likely = provider_credits(provider=provider, provider_cost=price.likely) if price.likely is not None else None
    return Quote(
        provider=provider.slug,
        model=offer.model_id,
        provider_cost=price.amount,
        unit=provider.unit,
        credits=credits,
        breakdown=breakdown,
        params=clean,
        estimated=price.estimated,
        minimum_credits=minimum,
        likely_credits=likely,
        charge_note=charge_note(offer=offer, credits=credits, minimum=minimum, likely=likely),
    )


def charge_note(*, offer: Offer, credits: Decimal, minimum: Decimal | None, likely: Decimal | None) -> str:
    """What is charged for a request the docs don't price exactly, in words for the page and the API.

    No provider reports the cost of a finished job in its docs (Kubflow's status and ``/me``, Krea's
    job object and Cliprise's status carry none; Kubeez reports an *estimated* cost when it accepts a
    job, which the studio records to compare), so where the docs give only a range the studio holds
    and charges the documented top, and says so before submit.
    """
    provider = offer.provider.name
    if likely is not None and likely != credits:
        outside = offer.spec.get("price_outside_docs", {})
        documented = outside.get("documented", "a range")
        source = outside.get("source", "a source outside the docs")
        return (
            f"{provider} documents only {documented} for {offer.name}. This combination's likely price is "
            f"{fmt(likely)} credits ({source}), but {provider} reports no cost after the job, so the documented "
            f"top, {fmt(credits)} credits, is charged."
        )
    if minimum is not None:
        return (
            f"{provider} documents {fmt(minimum)}–{fmt(credits)} credits for this and reports no cost after the "
            f"job, so the top, {fmt(credits)} credits, is charged."
        )
    if offer.spec.get("price_approximate"):
        return f"{provider} writes this price as approximate (~); {fmt(credits)} credits are charged."
    return ""


@dataclass(frozen=True)
class RateQuote:
    """A price that waits on a measured length: ``base_credits`` + ``credits`` per ``unit`` of ``media``."""

    credits: Decimal
    unit: str  # "second" or "minute"
    media: str  # what is measured, in words ("motion reference video")
    base_credits: Decimal


def price_rate_quote(*, offer: Offer, params: dict[str, Any], name: str) -> RateQuote:
    """The live price of a request whose media length (derived field ``name``) is not known yet.

    Every other setting is checked as :func:`price_quote` checks it (QuoteError
    when refused); the answer is the per-second (or per-minute) rate of the
    measured length in studio credits, plus what the rest of the request costs.
    """
    provider = offer.provider
    if offer.spec.get("unpriced") or not offer.priced:
        raise _price_unavailable(offer)
    rate = measured_rate(offer.spec, params, name, provider.unit)
    measure = next(m for m in offer_measures(offer.spec) if m.name == name)
    fields = {f["name"]: f for f in offer.spec.get("fields", [])}
    media = str(fields[measure.source].get("label") or measure.source)
    if measure.kind and measure.kind not in media.lower():
        media = f"{measure.kind} in {media.lower()}"
    return RateQuote(
        credits=provider_credits(provider=provider, provider_cost=rate.amount),
        unit="minute" if rate.seconds == 60 else "second" if rate.seconds == 1 else f"{rate.seconds} seconds",
        media=media[:1].lower() + media[1:],
        base_credits=provider_credits(provider=provider, provider_cost=rate.base) if rate.base else Decimal(0),
    )


def _studio_price_quote(offer: Offer, clean: dict[str, Any]) -> Quote:
    credits = credits_round(Decimal(offer.studio_price))
    return Quote(
        provider=offer.provider.slug,
        model=offer.model_id,
        provider_cost=Decimal(0),
        unit=offer.provider.unit,
        credits=credits,
        breakdown=f"Studio price: {fmt(credits)} credits",
        params=clean,
        charge_note=(
            f"{offer.provider.name} documents no price for {offer.name}: {fmt(credits)} credits is the studio's own "
            "price, set by staff, and is what is charged."
        ),
    )


@transaction.atomic
def offer_studio_price_set(*, offer: Offer, actor: Any, credits: Decimal | None) -> Offer:
    """Set (or clear, with None) the studio's own price of an offer its provider documents no price for.

    Refused (ValueError) for an offer with a documented price: the docs' price is the price. Audited;
    every open composer re-quotes (the catalog stamp). Holds already made keep their amounts.
    """
    current = Offer.objects.select_for_update().select_related("provider").get(pk=offer.pk)
    if not current.spec.get("unpriced"):
        raise ValueError(f"{current.name} at {current.provider.name} has a documented price; it can't be replaced")
    if credits is not None:
        credits = Decimal(credits)
        if not credits.is_finite() or credits <= 0 or credits != credits.quantize(Decimal("0.01")):
            raise ValueError("A studio price is a positive number of credits, in whole cents")
        if credits >= Decimal("10000000000"):
            raise ValueError("A studio price is below 10,000,000,000 credits")
    before = current.studio_price
    Offer.objects.filter(pk=current.pk).update(studio_price=credits, priced=credits is not None)
    current.refresh_from_db()
    if before != current.studio_price:
        stamps_bump(CATALOG)
        audit_record(
            action="prices.studio_price",
            actor=actor,
            summary=(
                f"{current.name} on {current.provider.name}: studio price "
                f"{fmt(before) if before is not None else 'none'} → "
                f"{fmt(current.studio_price) if current.studio_price is not None else 'none'} credits"
            ),
            detail={
                "offer": current.key,
                "before": str(before) if before is not None else None,
                "after": str(current.studio_price) if current.studio_price is not None else None,
            },
        )
    return current


def offer_runnable_check(offer: Offer) -> None:
    """QuoteError ``model_unavailable`` for an offer its provider's API doesn't run (Offer.runnable)."""
    if not offer.runnable:
        raise QuoteError(
            "model_unavailable",
            f"{offer.name} at {offer.provider.name}: the provider's API does not run this kind of model "
            f"({offer.output}), so the studio can't run it there; pick another provider",
            provider=offer.provider.slug,
            model=offer.model_id,
        )


def _price_unavailable(offer: Offer) -> QuoteError:
    return QuoteError(
        "price_unavailable",
        f"{offer.name} at {offer.provider.name}: the provider documents no price for this model, "
        "so the studio can't quote or run it",
        provider=offer.provider.slug,
        model=offer.model_id,
    )


@transaction.atomic
def catalog_sync(*, providers: list[str] | None = None) -> dict[str, int]:
    """Load the data files into the database. Idempotent; staff settings (rates, enabled) are kept,
    and so is what the last ``--live`` sync learned (it is re-applied to the new spec)."""
    counts: dict[str, int] = {}
    for slug in providers or provider_files_available():
        data = provider_file_load(slug)
        provider, _ = Provider.objects.get_or_create(slug=slug, defaults={"name": data["name"], "unit": data["unit"]})
        Provider.objects.filter(pk=provider.pk).update(name=data["name"], unit=data["unit"])
        provider.refresh_from_db()
        live = dict(Offer.objects.filter(provider=provider).values_list("model_id", "live_data"))
        specs = data["offers"]
        for file_spec in specs:
            spec = offer_spec_with_live(file_spec, live.get(file_spec["id"]) or {}, provider=slug)
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
                    "priced": not spec.get("unpriced")
                    or Offer.objects.filter(
                        provider=provider, model_id=spec["id"], studio_price__isnull=False
                    ).exists(),
                    "runnable": spec.get("wire", {}).get("direct_api", True) is not False,
                    "base_provider_cost": _default_cost(spec, data["unit"]),
                },
            )
        counts[slug] = len(specs)
    # A family key fixed in a data file leaves its old family empty: nothing refers to it.
    ModelFamily.objects.filter(offers__isnull=True).delete()
    stamps_bump(CATALOG)  # every composer shows the catalog
    return counts


def _default_cost(spec: dict[str, Any], unit: str) -> Decimal | None:
    """The provider price with every field at its default, for "from N credits" and sorting.

    Where the defaults alone are refused (a required image, an image-to-video
    rule), stand-in inputs are used: the price of the simplest valid request.
    """
    if spec.get("unpriced"):
        return None
    for params in (
        {f["name"]: "x" for f in spec["fields"] if f.get("required") and f["type"] in {"text", "string"}},
        representative_params(spec, {}),
        representative_params(spec, {}, with_media=True),
    ):
        try:
            return offer_price(spec, offer_check(spec, params), unit).amount
        except (QuoteError, KeyError, ValueError):
            continue
    # Inputs no stand-in can fake (a JSON script of shots): the cheapest fixed price the docs list.
    fixed = [row.amount for row in price_rows(spec, fmt) if row.amount is not None]
    return min(fixed) if fixed else None


def catalog_sync_live(*, providers: list[str] | None = None) -> dict[str, LiveReport]:
    """Read each provider's documented models endpoint and apply what it says (see catalog.live).

    Raises LiveSyncError when an endpoint can't be read; nothing of that provider changes then.
    """
    reports: dict[str, LiveReport] = {}
    for slug in providers or list(ENDPOINTS):
        config = settings.PROVIDERS[slug]
        entries = live_models_fetch(provider=slug, base_url=config["base_url"], api_key=config["api_key"])
        reports[slug] = _live_apply(slug, entries)
        stamps_bump(CATALOG)
    return reports


@transaction.atomic
def _live_apply(slug: str, entries: list[dict[str, Any]]) -> LiveReport:
    now = timezone.now()
    report = LiveReport(provider=slug, listed=len(entries))
    by_id = {entry["model_id"]: {**entry, "_synced_at": now.isoformat()} for entry in entries}
    if not Provider.objects.filter(slug=slug).exists():
        catalog_sync(providers=[slug])
    file_specs = {spec["id"]: spec for spec in provider_file_load(slug)["offers"]}
    report.not_in_catalog = sorted(set(by_id) - set(file_specs))
    for offer in Offer.objects.filter(provider__slug=slug).select_related("provider"):
        entry = by_id.get(offer.model_id)
        if entry is None:
            report.hidden.append(offer.model_id)
        else:
            _live_compare(report, file_specs.get(offer.model_id), entry, slug)
        cost = live_cost(slug, entry) if entry else None
        Offer.objects.filter(pk=offer.pk).update(
            live_listed=entry is not None,
            live_data=entry or {},
            live_cost=cost if isinstance(cost, Decimal) else None,
            live_synced_at=now,
            synced_at=now,
        )
    catalog_sync(providers=[slug])
    return report


def _live_compare(report: LiveReport, spec: dict[str, Any] | None, entry: dict[str, Any], slug: str) -> None:
    if spec is None:
        return
    if entry.get("estimated_time_seconds") is not None:
        report.times += 1
    cost = live_cost(slug, entry)
    if cost is None:
        return
    if spec.get("unpriced"):
        pricing, why = live_price_for(spec, cost)
        if pricing is not None:
            report.priced_live.append(spec["id"])
        else:
            report.not_applied.append(f"{spec['id']}: {why}")
        return
    documented = _default_cost(spec, "credits")
    if isinstance(cost, Decimal) and documented is not None and cost != documented:
        report.price_differs.append(
            f"{spec['id']}: get_models says {fmt(cost)}, the docs {fmt(documented)} at default settings (docs kept)"
        )


@dataclass(frozen=True)
class Comparison:
    """One offer of a family priced for the same settings (or why it can't be)."""

    offer: Offer
    quote: Quote | None
    error: QuoteError | None


def family_compare(*, offers: list[Offer], values: dict[str, Any]) -> list[Comparison]:
    """Every offer priced for the same shared settings (duration, resolution, sound, ...), cheapest first."""
    rows = []
    for offer in offers:
        try:
            quote = price_quote(offer=offer, params=representative_params(offer.spec, values))
        except QuoteError as exc:
            try:  # a model whose rules need an input file: price it with a stand-in file
                quote = price_quote(offer=offer, params=representative_params(offer.spec, values, with_media=True))
            except QuoteError:
                rows.append(Comparison(offer=offer, quote=None, error=exc))
                continue
        rows.append(Comparison(offer=offer, quote=quote, error=None))
    return sorted(rows, key=lambda row: (row.quote is None, row.quote.credits if row.quote else 0))


# --- staff: prices and what can be used ------------------------------------------
# Held amounts never follow a price change: a hold stores its amount, and the
# database refuses to change it (billing's migration 0004).


@transaction.atomic
def provider_pricing_set(
    *, provider: Provider, actor: User, credit_rate: Decimal, markup: Decimal, enabled: bool
) -> Provider:
    """Set a provider's credits per provider unit, its markup and whether it can be used."""
    credit_rate, markup = Decimal(credit_rate), Decimal(markup)
    if credit_rate <= 0:
        raise ValueError("The credit rate must be positive")
    if markup < 1:
        raise ValueError("The markup is a multiplier of at least 1")
    current = Provider.objects.select_for_update().get(pk=provider.pk)
    before = {"credit_rate": str(current.credit_rate), "markup": str(current.markup), "enabled": current.enabled}
    Provider.objects.filter(pk=provider.pk).update(credit_rate=credit_rate, markup=markup, enabled=enabled)
    stamps_bump(CATALOG)  # every composer shows prices
    current.refresh_from_db()
    after = {"credit_rate": str(current.credit_rate), "markup": str(current.markup), "enabled": current.enabled}
    if before != after:
        audit_record(
            action="prices.provider",
            actor=actor,
            summary=(
                f"{current.name}: rate {before['credit_rate']} → {after['credit_rate']}, "
                f"markup {before['markup']} → {after['markup']}, {'enabled' if enabled else 'disabled'}"
            ),
            detail={"provider": current.slug, "before": before, "after": after},
        )
    return current


@transaction.atomic
def offer_enabled_set(*, offer: Offer, actor: User, enabled: bool) -> None:
    if Offer.objects.filter(pk=offer.pk).exclude(enabled=enabled).update(enabled=enabled):
        stamps_bump(CATALOG)
        audit_record(
            action="prices.offer",
            actor=actor,
            summary=f"{'Enabled' if enabled else 'Disabled'} {offer.name} on {offer.provider.name}",
            detail={"offer": offer.key, "enabled": enabled},
        )
    offer.enabled = enabled


@transaction.atomic
def family_enabled_set(*, family: ModelFamily, actor: User, enabled: bool) -> None:
    if ModelFamily.objects.filter(pk=family.pk).exclude(enabled=enabled).update(enabled=enabled):
        stamps_bump(CATALOG)
        audit_record(
            action="prices.family",
            actor=actor,
            summary=f"{'Enabled' if enabled else 'Disabled'} {family.name} (every provider)",
            detail={"family": family.slug, "enabled": enabled},
        )
    family.enabled = enabled
