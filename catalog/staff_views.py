"""The studio operators' prices page: every provider's rate and markup, and which models and offers can be used."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from catalog.forms import EnabledForm, ProviderPricingForm, StudioPriceForm
from catalog.models import ModelFamily, Offer, Provider
from catalog.services import family_enabled_set, offer_enabled_set, offer_studio_price_set, provider_pricing_set


@staff_required
@require_GET
def prices(request: HttpRequest) -> HttpResponse:
    """Every provider's rate and markup, and which models and offers can be used."""
    provider_slug = request.GET.get("provider", "")
    search = request.GET.get("q", "").strip()
    offers = Offer.objects.select_related("provider", "family").order_by("family__name", "provider__name")
    if provider_slug:
        offers = offers.filter(provider__slug=provider_slug)
    if search:
        offers = offers.filter(
            Q(name__icontains=search) | Q(model_id__icontains=search) | Q(family__name__icontains=search)
        )
    providers = Provider.objects.annotate(offer_count=Count("offers")).order_by("name")
    context = {
        "providers": [
            (
                p,
                ProviderPricingForm(
                    initial={"credit_rate": p.credit_rate, "markup": p.markup, "enabled": p.enabled}, prefix=p.slug
                ),
            )
            for p in providers
        ],
        "families": ModelFamily.objects.annotate(offer_count=Count("offers")).order_by("name"),
        "offers": offers,
        "provider_slug": provider_slug,
        "search": search,
    }
    template = "staff/prices.html#offers" if request.htmx else "staff/prices.html"
    return render(request, template, context)


@staff_required
@require_POST
def provider_pricing(request: HttpRequest, slug: str) -> HttpResponse:
    provider = Provider.objects.filter(slug=slug).first()
    if provider is None:
        raise Http404("No such provider")
    form = ProviderPricingForm(request.POST, prefix=provider.slug)
    if form.is_valid():
        provider_pricing_set(provider=provider, actor=request.user, **form.cleaned_data)
        messages.success(request, f"Saved {provider.name}'s prices. Credits already held keep their amounts.")
    else:
        messages.error(request, f"{provider.name}: {form.errors.as_text()}")
    return redirect("staff:prices")


@staff_required
@require_POST
def family_enabled(request: HttpRequest, slug: str) -> HttpResponse:
    family = ModelFamily.objects.filter(slug=slug).first()
    if family is None:
        raise Http404("No such model")
    form = EnabledForm(request.POST)
    form.is_valid()
    family_enabled_set(family=family, actor=request.user, enabled=form.cleaned_data.get("enabled", False))
    messages.success(request, f"{family.name} is now {'enabled' if family.enabled else 'disabled'}.")
    return redirect("staff:prices")


@staff_required
@require_POST
def offer_enabled(request: HttpRequest) -> HttpResponse:
    offer = _posted_offer(request)
    form = EnabledForm(request.POST)
    form.is_valid()
    offer_enabled_set(offer=offer, actor=request.user, enabled=form.cleaned_data.get("enabled", False))
    if request.htmx:
        return render(request, "staff/prices.html#offer-row", {"offer": offer})
    messages.success(
        request, f"{offer.name} on {offer.provider.name} is now {'enabled' if offer.enabled else 'disabled'}."
    )
    return redirect("staff:prices")


@staff_required
@require_POST
def offer_studio_price(request: HttpRequest) -> HttpResponse:
    offer = _posted_offer(request)
    form = StudioPriceForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{offer.name}: {form.errors.as_text()}")
        return redirect("staff:prices")
    try:
        offer = offer_studio_price_set(offer=offer, actor=request.user, credits=form.cleaned_data["credits"])
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("staff:prices")
    if offer.studio_price is None:
        messages.success(request, f"{offer.name} on {offer.provider.name} has no price again and can't be run.")
    else:
        messages.success(
            request,
            f"{offer.name} on {offer.provider.name} now costs {offer.studio_price} credits (the studio's price).",
        )
    return redirect("staff:prices")


def _posted_offer(request: HttpRequest) -> Offer:
    """The offer a staff form names as ``provider:model`` in its ``offer`` field, or 404."""
    provider_slug, _, model_id = request.POST.get("offer", "").partition(":")
    offer = (
        Offer.objects.select_related("provider", "family")
        .filter(provider__slug=provider_slug, model_id=model_id)
        .first()
    )
    if offer is None:
        raise Http404("No such offer")
    return offer
