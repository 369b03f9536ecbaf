from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.forms import CAPABILITY_LABELS, CatalogFilterForm
from catalog.models import Category, Offer
from catalog.pricing import credits_round, fmt, price_rows
from catalog.selectors import category_counts, family_cards, family_for_page, filter_choices, offer_from_credits
from catalog.services import family_compare
from catalog.shared import compare_choices

CARD_BADGES = ("sound", "image_input", "video_input")
COMPARE_KEYS = ("resolution", "duration", "sound", "aspect_ratio")
COMPARE_LABELS = {"resolution": "Resolution", "duration": "Duration", "sound": "Sound", "aspect_ratio": "Aspect ratio"}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every visible model, one card per family; tabs, filters, search and sort are GET parameters."""
    form = CatalogFilterForm(request.GET, generation_types=filter_choices()["generation_types"])
    filters = form.filters()
    counts = category_counts()
    cards = family_cards(**filters)
    for card in cards:
        card.badges = [CAPABILITY_LABELS[c].lower() for c in CARD_BADGES if c in card.capabilities]
    context = {
        "form": form,
        "cards": cards,
        "filters": filters,
        "tabs": [("", "All", sum(counts.values()))]
        + [(value, label, counts.get(value, 0)) for value, label in Category.choices],
        "capability_labels": CAPABILITY_LABELS,
    }
    template = "catalog/index.html#results" if request.htmx and request.htmx.target == "catalog-results" else None
    return render(request, template or "catalog/index.html", context)


@login_required
@require_GET
def family(request: HttpRequest, slug: str) -> HttpResponse:
    """One model: its providers side by side at the same settings, and each offer's full price table."""
    card = family_for_page(slug=slug)
    if card is None:
        raise Http404("No such model")
    choices = compare_choices([o.spec for o in card.offers], COMPARE_KEYS)
    values = {key: request.GET[key] for key in choices if request.GET.get(key)}
    comparisons = family_compare(offers=card.offers, values=values)
    context = {
        "card": card,
        "compare_fields": [
            (key, COMPARE_LABELS[key], options, values.get(key, "")) for key, options in choices.items()
        ],
        "comparisons": comparisons,
        "cheapest": next((row for row in comparisons if row.quote is not None and row.offer.runnable), None),
        "offers": [_offer_detail(offer) for offer in card.offers],
        "capabilities": [CAPABILITY_LABELS.get(c, c.replace("_", " ")) for c in card.capabilities],
    }
    template = "catalog/family.html#compare" if request.htmx else "catalog/family.html"
    return render(request, template, context)


def _offer_detail(offer: Offer) -> dict[str, Any]:
    provider = offer.provider
    factor = provider.credit_rate * provider.markup

    def in_unit(amount: Decimal) -> str:
        return f"{fmt(amount)} {provider.unit}"

    def in_credits(amount: Decimal) -> str:
        return f"{fmt(credits_round(amount * factor))} credits"

    rows = []
    if offer.priced:
        provider_rows = price_rows(offer.spec, in_unit)
        credit_rows = price_rows(offer.spec, in_credits)
        rows = [
            {"conditions": p.conditions, "provider": p.text, "credits": c.text}
            for p, c in zip(provider_rows, credit_rows, strict=True)
        ]
    return {
        "offer": offer,
        "rows": rows,
        "from_credits": offer_from_credits(offer),
        "fields": [_field_summary(f) for f in offer.spec.get("fields", []) if not f.get("derived")],
        "derived": [f for f in offer.spec.get("fields", []) if f.get("derived")],
        "rules": offer.spec.get("rules", []),
        "price_source": offer.spec.get("price_source"),
        "approximate": offer.spec.get("price_approximate") or offer.spec.get("wire", {}).get("approximate_price"),
    }


def _field_summary(spec: dict[str, Any]) -> dict[str, Any]:
    facts = []
    if spec["type"] == "enum":
        facts.append(", ".join(str(c) for c in spec["choices"]))
    if "min" in spec or "max" in spec:
        facts.append(f"{spec.get('min', '…')}–{spec.get('max', '…')}")
    if spec.get("max_length"):
        facts.append(f"up to {spec['max_length']:,} characters")
    if spec["type"] == "media":
        kinds = "/".join(spec.get("kinds") or ["file"])
        low, high = spec.get("min_count", 0), spec.get("max_count")
        facts.append(f"{kinds}: {low}–{high}" if high is not None else f"{kinds}: {low} or more")
        if spec.get("max_bytes"):
            facts.append(f"≤ {spec['max_bytes'] // (1 << 20)} MB each")
    if "default" in spec:
        facts.append(f"default {spec['default']}")
    return {
        "name": spec["name"],
        "label": spec.get("label") or spec["name"],
        "type": spec["type"],
        "required": bool(spec.get("required")),
        "facts": "; ".join(facts),
        "shared": spec.get("shared", ""),
    }
