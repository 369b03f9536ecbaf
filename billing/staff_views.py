"""The studio operators' pages: find a team, move its credits, set prices and what can be used."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import staff_required
from accounts.selectors import audit_for_team, members_for_team
from billing.forms import EnabledForm, ProviderPricingForm, StaffCreditForm, StudioPriceForm
from billing.selectors import ledger_for_team, team_for_staff, teams_running_out, teams_search
from billing.services import (
    BillingError,
    CreditsTooLarge,
    credits_deduct,
    credits_grant,
    family_enabled_set,
    offer_enabled_set,
    provider_pricing_set,
)
from catalog.services import offer_studio_price_set


@staff_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {
        "query": query,
        "results": teams_search(query=query) if query else None,
        "running_out": teams_running_out(),
    }
    template = "staff/home.html#results" if request.htmx else "staff/home.html"
    return render(request, template, context)


def _team_context(team, form: StaffCreditForm | None = None) -> dict:
    return {
        "team": team,
        "form": form or StaffCreditForm(),
        "entries": ledger_for_team(team=team)[:100],
        "members": members_for_team(team=team),
        "events": audit_for_team(team=team)[:30],
    }


@staff_required
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A team's balance, members, ledger and audit log; POST grants or deducts credits."""
    team = team_for_staff(public_id=public_id)
    if request.method == "GET":
        return render(request, "staff/team.html", _team_context(team))
    form = StaffCreditForm(request.POST, balance=team.wallet.balance)
    if form.is_valid():
        data = form.cleaned_data
        move = credits_grant if data["direction"] == "grant" else credits_deduct
        try:
            move(
                team=team,
                amount=data["amount"],
                reason=data["reason"],
                actor=request.user,
                idempotency_key=data["idempotency_key"],
            )
        except CreditsTooLarge as exc:  # the balance grew since the form was checked
            form.add_error("amount", str(exc))
        except BillingError as exc:
            form.add_error(None, str(exc))
        else:
            verb = "Granted" if data["direction"] == "grant" else "Deducted"
            messages.success(
                request, f"{verb} {data['amount']} credits {'to' if verb == 'Granted' else 'from'} {team.name}."
            )
            return redirect("staff:team", public_id=team.public_id)
    return render(request, "staff/team.html", _team_context(team, form), status=422)


def _catalog():
    from catalog.models import ModelFamily, Offer, Provider

    return Provider, ModelFamily, Offer


@staff_required
@require_GET
def prices(request: HttpRequest) -> HttpResponse:
    """Every provider's rate and markup, and which models and offers can be used."""
    Provider, ModelFamily, Offer = _catalog()
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
    Provider, _, _ = _catalog()
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
    _, ModelFamily, _ = _catalog()
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
    _, _, Offer = _catalog()
    provider_slug, _, model_id = request.POST.get("offer", "").partition(":")
    offer = (
        Offer.objects.select_related("provider", "family")
        .filter(provider__slug=provider_slug, model_id=model_id)
        .first()
    )
    if offer is None:
        raise Http404("No such offer")
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
    _, _, Offer = _catalog()
    provider_slug, _, model_id = request.POST.get("offer", "").partition(":")
    offer = (
        Offer.objects.select_related("provider", "family")
        .filter(provider__slug=provider_slug, model_id=model_id)
        .first()
    )
    if offer is None:
        raise Http404("No such offer")
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
