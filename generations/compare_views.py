"""The compare grid's pages: set one up (the total first), confirm it, watch the grid fill in."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import team_member_required
from billing.selectors import wallet_for_team
from billing.services import BillingError
from catalog.models import Offer
from catalog.selectors import offer_by_key, offer_from_credits, offers_generatable
from generations.compare import (
    LABELS,
    MAX_OFFERS,
    MEDIA_KEYS,
    CompareError,
    compare_choice_options,
    compare_inputs,
    compare_offers_from_keys,
    compare_values_clean,
    compare_values_from_offer,
    comparison_cells,
    comparison_create,
    comparison_for_team,
    comparison_plan,
    comparison_summary,
    comparison_versions,
    comparisons_for_team,
)
from generations.models import Status
from generations.selectors import boards_for_team
from generations.views.generation import remix_url


def _family_offers(family_slug: str, *, exclude: set[str] | None = None) -> list[Offer]:
    """A model's offers that can run, cheapest first (the same model at several providers)."""
    offers = list(offers_generatable().defer("live_data").filter(family__slug=family_slug))
    offers.sort(key=lambda o: (offer_from_credits(o) is None, offer_from_credits(o) or 0, o.provider.name))
    return [o for o in offers if o.key not in (exclude or set())]


def _setup_url(keys: list[str], values: dict[str, Any]) -> str:
    query = [("offers", key) for key in keys]
    query += [(key, "\n".join(v) if isinstance(v, list) else v) for key, v in values.items()]
    return f"{reverse('generations:compare_new')}?{urlencode(query)}"


def _launch(request: HttpRequest, keys: list[str], values: dict[str, Any]) -> HttpResponse:
    """To the setup page for these offers and settings: a whole-page navigation, also from an HTMX button."""
    url = _setup_url(keys[:MAX_OFFERS], values)
    if request.htmx:
        response = HttpResponse("")
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _setup_context(request: HttpRequest, offers: list[Offer], values: dict[str, Any], error: str = "") -> dict:
    plan = comparison_plan(offers=offers, values=values, team=request.team)
    chosen = {o.key for o in offers}
    siblings: list[Offer] = []
    for family in dict.fromkeys(o.family.slug for o in offers):
        siblings += [o for o in _family_offers(family, exclude=chosen) if o not in siblings]
    wallet = wallet_for_team(team=request.team)
    available = wallet.available if wallet else Decimal(0)
    choices = compare_choice_options(offers)
    inputs = compare_inputs(offers)
    return {
        "plan": plan,
        "values": values,
        "hidden_values": [(key, "\n".join(v) if isinstance(v, list) else v) for key, v in values.items()],
        "siblings": siblings,
        "all_offers": offers_generatable().defer("spec", "live_data").order_by("family__name", "provider__name"),
        "choice_fields": [(key, LABELS[key], options, values.get(key, "")) for key, options in choices.items()],
        "text_inputs": [(key, LABELS[key], values.get(key, "")) for key in inputs if key not in MEDIA_KEYS],
        "media_inputs": [(key, LABELS[key], "\n".join(values.get(key, []))) for key in inputs if key in MEDIA_KEYS],
        "available": available,
        "balance_after": available - plan.total,
        "problem": error or plan.problem or ("" if available >= plan.total else "Not enough credits for this total"),
        "error": error,
        "max_offers": MAX_OFFERS,
        "idempotency_key": uuid.uuid4().hex,
        "recent": comparisons_for_team(team=request.team, limit=5),
    }


@team_member_required
@require_GET
def compare_new(request: HttpRequest) -> HttpResponse:
    """Set up a comparison: pick the offers and the settings; every offer's quote and the total show first.

    Opened from the composer (its values for ``from_offer``, carried by shared meaning, with the model's
    other providers) or from a model's page (``family`` and its side-by-side settings)."""
    if request.GET.get("from_offer"):
        origin = offer_by_key(key=request.GET["from_offer"])
        if origin is None:
            return _launch(request, [], {})
        values = compare_values_from_offer(offer=origin, data=request.GET)
        keys = [origin.key] + [o.key for o in _family_offers(origin.family.slug, exclude={origin.key})]
        return _launch(request, keys, values)
    if request.GET.get("family"):
        keys = [o.key for o in _family_offers(request.GET["family"])]
        return _launch(request, keys, compare_values_clean(request.GET))
    keys = request.GET.getlist("offers")
    if request.GET.get("add"):
        keys.append(request.GET["add"])
    offers = compare_offers_from_keys(keys)
    context = _setup_context(request, offers, compare_values_clean(request.GET))
    target = request.htmx.target if request.htmx else None
    if target == "compare-plan":
        return render(request, "generations/compare_new.html#plan", context)
    if target == "compare-setup":
        return render(request, "generations/compare_new.html#setup", context)
    return render(request, "generations/compare_new.html", context)


@team_member_required
@require_http_methods(["GET", "POST"])
def compare_create(request: HttpRequest) -> HttpResponse:
    """POST: confirm a comparison as it was shown (its total); GET: the team's recent comparisons."""
    if request.method == "GET":
        return render(
            request, "generations/compare_list.html", {"comparisons": comparisons_for_team(team=request.team)}
        )
    offers = compare_offers_from_keys(request.POST.getlist("offers"))
    values = compare_values_clean(request.POST)
    try:
        expected = Decimal(request.POST.get("total", ""))
    except InvalidOperation:
        return HttpResponseBadRequest("Confirm the total shown: it is missing or not a number.")
    if not expected.is_finite():
        return HttpResponseBadRequest("Confirm the total shown: it is not a number.")
    try:
        comparison = comparison_create(
            team=request.team,
            user=request.user,
            offers=offers,
            values=values,
            expected_total=expected,
            idempotency_key=(request.POST.get("idempotency_key") or "")[:120] or None,
        )
    except (CompareError, BillingError) as exc:
        context = _setup_context(request, offers, values, error=getattr(exc, "message", None) or str(exc))
        return render(
            request, "generations/compare_new.html", context, status=402 if isinstance(exc, BillingError) else 422
        )
    return redirect("generations:compare_detail", public_id=comparison.public_id)


def _media_sections(cells: list) -> dict[str, Any]:
    done = [c for c in cells if c.generation.status == Status.COMPLETED and c.asset is not None]
    return {
        "images": [c for c in done if c.asset.kind == "image"],
        "videos": [c for c in done if c.asset.kind == "video"],
    }


def _with_remix(cells: list) -> list:
    """Each cell's "open in the composer" link: the composer on its offer, prefilled with its settings."""
    for cell in cells:
        cell.remix_url = remix_url(cell.generation)
    return cells


def _shown(cells: list) -> str:
    return ",".join(f"{c.generation.public_id}:{c.version}" for c in cells)


@team_member_required
@require_GET
def compare_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The grid: each job with its output, provider, model, cost charged and time taken; live while running."""
    comparison = comparison_for_team(team=request.team, public_id=public_id)
    cells = _with_remix(comparison_cells(comparison=comparison, user=request.user))
    summary = comparison_summary(cells)
    context = {
        "comparison": comparison,
        "cells": cells,
        "summary": summary,
        "shown": _shown(cells),
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "boards": list(boards_for_team(team=request.team)),
        **_media_sections(cells),
    }
    return render(request, "generations/compare_detail.html", context)


@team_member_required
@require_GET
def compare_poll(request: HttpRequest, public_id: str) -> HttpResponse:
    """The grid's one poller: only the cells whose state changed, swapped out of band, and the poller
    itself (without a trigger once every job has finished). 204 when nothing changed."""
    comparison = comparison_for_team(team=request.team, public_id=public_id)
    shown: dict[str, str] = {}
    for item in request.GET.get("shown", "").split(",")[: MAX_OFFERS * 2]:
        job_id, _, version = item.partition(":")
        if job_id:
            shown[job_id] = version
    versions = comparison_versions(comparison=comparison)
    changed = [job_id for job_id, version in versions.items() if shown.get(job_id) != version]
    if not changed:
        return HttpResponse(status=204)
    cells = comparison_cells(comparison=comparison, user=request.user)
    changed_cells = _with_remix([c for c in cells if c.generation.public_id in changed])
    finished_media = any(c.generation.status == Status.COMPLETED for c in changed_cells)
    context = {
        "comparison": comparison,
        "cells": changed_cells,
        "summary": comparison_summary(cells),
        "shown": _shown(cells),
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "boards": list(boards_for_team(team=request.team)),
        "media_changed": finished_media,
        "wallet": wallet_for_team(team=request.team),  # the balance in the top bar, as the gallery's poll does
        **_media_sections(cells),
    }
    return HttpResponse(render_to_string("generations/compare_detail.html#poll", context, request))
