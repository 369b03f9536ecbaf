"""The composer: the model picker, the chosen offer's form, submitting it, and its live price."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import team_member_required
from billing.selectors import wallet_available_sql, wallet_for_team
from billing.services import BillingError
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key, offer_for_quote, offer_from_credits, offers_generatable
from generations.batches import batch_create, batch_job_ids
from generations.forms import GenerationForm
from generations.selectors import card_rows, with_live_progress
from generations.services.submission import IdempotencyConflict, generation_submit
from generations.views.common import _batched_cards_html, _fragment
from project.stamps import CATALOG, stamps_read


def _offer_from(request: HttpRequest) -> Offer | None:
    key = request.POST.get("offer") or request.GET.get("offer")
    offer = offer_by_key(key=key) if key else None
    return offer or offer_by_key(key=settings.STUDIO_DEFAULT_OFFER) or offers_generatable().first()


def _composer_offer(request: HttpRequest) -> Offer | None:
    """The offer the composer shows: the one named, moved to the picked family (same provider when it
    offers it, else the cheapest), and never one without a documented price or that its provider's API
    can't run."""
    offer = _offer_from(request)
    family = request.GET.get("family")
    if offer is not None and family and family != offer.family.slug:
        siblings = list(offers_generatable().defer("spec").filter(family__slug=family))
        same_provider = [o for o in siblings if o.provider_id == offer.provider_id]
        pick = (same_provider or sorted(siblings, key=_cheapest_first) or [None])[0]
        offer = offer_by_key(key=pick.key) if pick else offer
    if offer is not None and not (offer.priced and offer.runnable):
        pick = offers_generatable().defer("spec").filter(family=offer.family_id).first()
        offer = offer_by_key(key=pick.key) if pick else offers_generatable().first()
    return offer


def _cheapest_first(offer: Offer) -> tuple:
    credits = offer_from_credits(offer)
    return (credits is None, credits or 0, offer.provider.name, offer.name)


_PICKER_TTL = 30.0  # seconds; only while the cache cannot say the catalog's stamp (Redis down)


@dataclass(frozen=True)
class _Picker:
    """What the model picker shows, drawn from the catalog once per stamp (it is on every gallery page)."""

    offers: list[Offer]
    family_groups: list[tuple[str, list[tuple[str, str]]]]  # (category, [(family slug, label)])
    offer_labels: dict[str, str]  # offer key -> "Provider · Name — from N cr"


_picker_cache: tuple[float, _Picker, tuple | None] | None = None


def _from_label(label: str, credits: Decimal | None) -> str:
    return label if credits is None else f"{label} — from {floatformat(credits, '-2')} cr"


def _picker_build(offers: list[Offer]) -> _Picker:
    families: dict[str, dict[str, Any]] = {}
    labels: dict[str, str] = {}
    for o in offers:
        entry = families.setdefault(
            o.family.slug,
            {"slug": o.family.slug, "name": o.family.name, "category": o.family.get_category_display(), "from": None},
        )
        credits = offer_from_credits(o)
        if credits is not None and (entry["from"] is None or credits < entry["from"]):
            entry["from"] = credits
        labels[o.key] = _from_label(f"{o.provider.name} · {o.name}", credits)
    groups: dict[str, list[tuple[str, str]]] = {}
    for entry in sorted(families.values(), key=lambda e: (e["category"], e["name"].lower())):
        groups.setdefault(entry["category"], []).append((entry["slug"], _from_label(entry["name"], entry["from"])))
    return _Picker(offers=offers, family_groups=list(groups.items()), offer_labels=labels)


def _picker() -> _Picker:
    """Every generatable offer for the model picker and its labels, kept in process memory (it is on every
    page) under the catalog's stamp in Redis: staff changing prices or enabling offers on any web host bump
    it, so every process draws the picker again at once."""
    global _picker_cache  # noqa: PLW0603
    now = time.monotonic()
    stamp = stamps_read(CATALOG)
    changed = stamp is not None and _picker_cache is not None and _picker_cache[2] != stamp
    if _picker_cache is None or changed or now - _picker_cache[0] > _PICKER_TTL:
        offers = list(
            offers_generatable().defer("spec", "live_data").order_by("family__name", "provider__name", "name")
        )
        _picker_cache = (now, _picker_build(offers), stamp)
    return _picker_cache[1]


def _composer_picker(offer: Offer | None) -> dict[str, Any]:
    """The two selects: model families by category, then the chosen family's providers with their prices."""
    picker = _picker()
    siblings = [
        (o.key, picker.offer_labels[o.key])
        for o in picker.offers
        if offer is not None and o.family_id == offer.family_id
    ]
    return {"family_groups": picker.family_groups, "provider_offers": siblings}


def _composer_context(request: HttpRequest, form: GenerationForm | None = None) -> dict:
    """The composer: the chosen offer's form, keeping values the user typed for another model."""
    if form is None:
        offer = _composer_offer(request)
        previous = offer_by_key(key=request.GET["from_offer"]) if request.GET.get("from_offer") else None
        if offer is not None and previous is not None and previous.pk != offer.pk:
            # A model or provider switch: values move by their shared meaning, not by field name.
            carried = GenerationForm.carried(offer=offer, previous=previous, data=request.GET)
        elif "offer" in request.GET:
            # Only a link that names an offer prefills the composer: the gallery's own filters are not form values.
            skip = {"offer", "family", "from_offer", "idempotency_key"}
            carried = {key: value for key, value in request.GET.items() if key not in skip}
        else:
            carried = {}
        form = GenerationForm(offer=offer, initial=carried) if offer else None
    bound = form is not None and form.is_bound
    return {
        "form": form,
        "offer": form.offer if form else None,
        "idempotency_key": request.POST.get("idempotency_key") if bound else uuid.uuid4().hex,
        "blocked": form.blocking_reason() if bound else "",
        **_composer_picker(form.offer if form else None),
    }


@team_member_required
@require_http_methods(["GET", "POST"])
def generate(request: HttpRequest) -> HttpResponse:
    """Submit the composer. HTMX gets the new card (and a fresh form); others a redirect."""
    offer = _offer_from(request)
    if offer is None:
        raise Http404("No model is available")
    if request.method == "GET":
        return _fragment(request, "generations/_composer.html", _composer_context(request))
    form = GenerationForm(request.POST, request.FILES, offer=offer, team=request.team)
    if form.is_valid() and form.count > 1:
        return _batch_submit(request, form)
    if form.is_valid():
        try:
            generation = generation_submit(
                team=request.team,
                user=request.user,
                offer=offer,
                params=form.params(),
                idempotency_key=request.POST.get("idempotency_key") or None,
                files=form.files_for_generation(),
            )
        except BillingError as exc:  # too few credits, or a team or member spend limit
            form.add_error(None, str(exc))
        except QuoteError as exc:
            field = exc.details.get("field")
            form.add_error(field if field in form.fields else None, exc.message)
        except IdempotencyConflict as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                with_live_progress([generation])
                context = {
                    "generation": generation,
                    "wallet": wallet_for_team(team=request.team),
                    "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
                    "active_ids": [generation.public_id],
                    "append_active": True,
                    **_composer_context(request, GenerationForm(offer=offer)),
                }
                return render(request, "generations/submitted.html", context)
            messages.success(request, "Queued. Your result will appear here.")
            return redirect("generations:gallery")
    return _composer_refused(request, form)


def _composer_refused(request: HttpRequest, form: GenerationForm) -> HttpResponse:
    """The composer again with its errors beside the fields (HTMX: 422, swapped in place of the composer)."""
    status = 422 if request.htmx else 200
    response = render(
        request,
        "generations/_composer.html" if request.htmx else "generations/gallery.html",
        {**_composer_context(request, form), "generations": [], "active_ids": [], "server_now": int(time.time())},
        status=status,
    )
    if request.htmx:
        response["HX-Retarget"] = "#composer"
        response["HX-Reswap"] = "outerHTML"
    return response


def _batch_submit(request: HttpRequest, form: GenerationForm) -> HttpResponse:
    """Submit several variations as one batch: the total shown is the total held, or nothing is."""
    try:
        batch = batch_create(
            team=request.team,
            user=request.user,
            offer=form.offer,
            params=form.params(),
            count=form.count,
            files=form.files_for_generation(),
            idempotency_key=request.POST.get("idempotency_key") or None,
            expected_total=form.total_credits,
        )
    except BillingError as exc:  # the whole total doesn't fit the credits or a spend limit
        form.add_error(None, str(exc))
        return _composer_refused(request, form)
    except QuoteError as exc:
        field = exc.details.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return _composer_refused(request, form)
    if not request.htmx:
        messages.success(request, f"Queued {batch.count} variations. They will appear here.")
        return redirect("generations:gallery")
    rows = card_rows(team=request.team, user=request.user, public_ids=list(batch_job_ids(batch=batch)))
    context = {
        "batch_html": _batched_cards_html(request, rows),
        "wallet": wallet_for_team(team=request.team),
        **_composer_context(request, GenerationForm(offer=form.offer)),
    }
    return render(request, "generations/submitted_batch.html", context)


@team_member_required
@require_GET
def composer_fields(request: HttpRequest) -> HttpResponse:
    """The composer for another model or provider (HTMX swap when a picker changes), carrying shared values."""
    return _fragment(request, "generations/_composer.html", _composer_context(request))


@team_member_required
@require_POST
def quote(request: HttpRequest) -> HttpResponse:
    """The live price for the composer's current values: one query (the offer and the team's credits)."""
    offer, available = offer_for_quote(
        key=request.POST.get("offer", ""), also=wallet_available_sql(team_id=request.team.pk)
    )
    if offer is None:  # switched off since the page was drawn: say so where the price was
        gone = "This model is no longer available: pick another."
        return HttpResponse(
            render_to_string("generations/_composer.html#price", {"unavailable": gone, "blocked": gone})
        )
    form = GenerationForm(request.POST, offer=offer, team=request.team)
    form.is_valid()
    balance_after = available - form.total_credits if form.quote and available is not None else None
    context = {
        "form": form,
        "offer": offer,
        "balance_after": balance_after,
        "blocked": form.blocking_reason(balance_after),
    }
    # The price block holds no form of its own, so no CSRF token: the cheapest render there is.
    return HttpResponse(render_to_string("generations/_composer.html#price", context))
