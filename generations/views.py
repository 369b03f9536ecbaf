from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import team_member_required
from billing.selectors import wallet_for_team
from billing.services import InsufficientCredits
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key, offers_enabled
from generations.forms import GenerationForm
from generations.selectors import (
    active_ids,
    asset_for_team,
    generation_for_team,
    generations_by_ids,
    generations_for_team,
)
from generations.services import generation_submit, generation_webhook_received

PAGE_SIZE = 48


def _offer_from(request: HttpRequest):
    key = request.POST.get("offer") or request.GET.get("offer")
    offer = offer_by_key(key=key) if key else None
    return offer or offers_enabled().order_by("category", "family__name").first()


def _composer_context(request: HttpRequest, form: GenerationForm | None = None) -> dict:
    """The composer: the chosen offer's form, keeping values the user typed for another model."""
    if form is None:
        offer = _offer_from(request)
        carried = {key: value for key, value in request.GET.items() if key not in {"offer", "idempotency_key"}}
        form = GenerationForm(offer=offer, initial=carried) if offer else None
    bound = form is not None and form.is_bound
    return {
        "form": form,
        "offer": form.offer if form else None,
        "idempotency_key": request.POST.get("idempotency_key") if bound else uuid.uuid4().hex,
        "offers": offers_enabled().order_by("category", "family__name", "provider__name"),
    }


@team_member_required
@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    generations = list(generations_for_team(team=request.team)[:PAGE_SIZE])
    context = {
        "generations": generations,
        "active_ids": active_ids(generations),
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        **_composer_context(request),
    }
    return render(request, "generations/gallery.html", context)


@team_member_required
@require_http_methods(["GET", "POST"])
def generate(request: HttpRequest) -> HttpResponse:
    """Submit the composer. HTMX gets the new card (and a fresh form); others a redirect."""
    offer = _offer_from(request)
    if offer is None:
        raise Http404("No model is available")
    if request.method == "GET":
        return render(request, "generations/_composer.html", _composer_context(request))
    form = GenerationForm(request.POST, offer=offer)
    if form.is_valid():
        try:
            generation = generation_submit(
                team=request.team,
                user=request.user,
                offer=offer,
                params=form.params(),
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except InsufficientCredits as exc:
            form.add_error(None, str(exc))
        except QuoteError as exc:
            form.add_error(None, exc.message)
        else:
            if request.htmx:
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
    status = 422 if request.htmx else 200
    response = render(
        request,
        "generations/_composer.html" if request.htmx else "generations/gallery.html",
        {**_composer_context(request, form), "generations": [], "active_ids": []},
        status=status,
    )
    if request.htmx:
        response["HX-Retarget"] = "#composer"
        response["HX-Reswap"] = "outerHTML"
    return response


@team_member_required
@require_GET
def composer_fields(request: HttpRequest) -> HttpResponse:
    """The composer for another model (HTMX swap when the model select changes)."""
    return render(request, "generations/_composer.html", _composer_context(request))


@team_member_required
@require_POST
def quote(request: HttpRequest) -> HttpResponse:
    """The live price for the composer's current values."""
    offer = _offer_from(request)
    if offer is None:
        raise Http404("No model is available")
    form = GenerationForm(request.POST, offer=offer)
    form.is_valid()
    wallet = wallet_for_team(team=request.team)
    balance_after = wallet.available - form.quote.credits if form.quote and wallet else None
    return render(
        request, "generations/_composer.html#price", {"form": form, "offer": offer, "balance_after": balance_after}
    )


@team_member_required
@require_GET
def poll(request: HttpRequest) -> HttpResponse:
    """One request for every unfinished card on the page: swaps only those, then stops when none is left."""
    ids = [i for i in request.GET.get("ids", "").split(",") if i]
    generations = generations_by_ids(team=request.team, public_ids=ids)
    context = {
        "generations": generations,
        "active_ids": active_ids(generations),
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "wallet": wallet_for_team(team=request.team),
    }
    return render(request, "generations/poll.html", context)


@team_member_required
@require_GET
def card(request: HttpRequest, public_id: str) -> HttpResponse:
    """One card, current state (the generation's own poll URL)."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    return render(request, "generations/gallery.html#card", {"generation": generation})


@team_member_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = generation_for_team(team=request.team, public_id=public_id)
    return render(request, "generations/detail.html", {"generation": generation})


@team_member_required
@require_GET
def asset_file(request: HttpRequest, public_id: str, asset_id: str, variant: str = "original") -> HttpResponse:
    asset = asset_for_team(team=request.team, generation_id=public_id, asset_id=asset_id)
    if variant == "thumbnail":
        if not asset.thumbnail:
            raise Http404("No thumbnail")
        return FileResponse(asset.thumbnail.open("rb"), content_type="image/jpeg")
    download = request.GET.get("download") == "1"
    return FileResponse(
        asset.file.open("rb"), content_type=asset.content_type, as_attachment=download, filename=asset.filename
    )


@csrf_exempt
@require_POST
def provider_webhook(request: HttpRequest, provider: str, token: str) -> HttpResponse:
    """A provider's callback. Never trusted alone: it only triggers an immediate status read."""
    if not generation_webhook_received(provider_slug=provider, token=token):
        raise Http404("Unknown callback")
    return JsonResponse({"ok": True})
