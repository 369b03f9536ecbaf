"""The public JSON API under /api/v1 (see api/openapi.py for the contract)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from api.auth import ApiCaller, api_view
from api.errors import bad_request, error_response, not_found
from api.inputs import (
    batch_request_parse,
    date_param,
    generation_request_parse,
    idempotency_key_read,
    int_param,
    json_body,
    offer_choose,
)
from api.openapi import openapi_document
from api.representations import (
    STATUS_FILTERS,
    balance_repr,
    batch_repr,
    credits,
    generation_created_repr,
    generation_repr,
    offer_repr,
)
from api.selectors import generations_after, generations_filtered, usage_for_team
from api.services import api_batch_submit, api_generation_submit
from billing.selectors import wallet_for_team
from catalog.models import Category
from catalog.selectors import offers_enabled
from generations.batches import batch_cancel_rest, batch_for_team
from generations.measure import MediaMeter
from generations.models import Generation, Status
from generations.selectors import generation_for_team, generations_for_team
from generations.services.gallery import generation_cancel
from generations.uploads import source_urls_check
from project.storage import presigned_url

USAGE_MAX_DAYS = 366


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _generation(caller: ApiCaller, generation_id: str) -> Generation:
    """The key's team's generation, or 404: another team's generation does not exist here."""
    return generation_for_team(team=caller.team, public_id=generation_id)


@api_view("GET", authenticated=False)
def openapi_json(request: HttpRequest, caller: None) -> HttpResponse:
    response = JsonResponse(openapi_document(server_url=_base_url(request) + "/api/v1"))
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """The readable docs: the endpoints come from the OpenAPI document, so the two can't disagree."""
    base = _base_url(request)
    document = openapi_document(server_url=f"{base}/api/v1")
    endpoints = [
        {"method": method.upper(), "path": f"/api/v1{path}", "summary": operation["summary"]}
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]
    context = {
        "api_base": f"{base}/api/v1",
        "endpoints": endpoints,
        "rate_limit": getattr(settings, "API_RATE_LIMIT", "60/minute"),
    }
    return render(request, "api/docs.html", context)


@api_view("GET")
def me(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    user, team, key = caller.user, caller.team, caller.api_key
    return JsonResponse(
        {
            "user": {"username": user.username, "email": user.email},
            "team": {"id": team.public_id, "slug": team.slug, "name": team.name},
            "role": caller.membership.role,
            "api_access": True,
            "balance": balance_repr(wallet_for_team(team=team)),
            "key": {
                "id": key.public_id,
                "name": key.name,
                "prefix": key.prefix,
                "created_at": key.created_at.isoformat(),
            },
        }
    )


@api_view("GET")
def models(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    offers = offers_enabled().order_by("category", "family__name", "provider__slug", "model_id")
    category = request.GET.get("category")
    if category:
        if category not in Category.values:
            raise bad_request(
                "invalid_category", f"category must be one of {', '.join(Category.values)}", allowed=Category.values
            )
        offers = offers.filter(category=category)
    provider = request.GET.get("provider")
    if provider:
        offers = offers.filter(provider__slug=provider)
    generation_type = request.GET.get("generation_type")
    if generation_type:
        offers = offers.filter(generation_types__contains=[generation_type])
    items = [offer_repr(offer) for offer in offers]
    return JsonResponse({"models": items, "count": len(items)})


@api_view("POST")
def quotes(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    generation_request = generation_request_parse(json_body(request), allow_callback=False)
    offer, quote, _params = offer_choose(generation_request, meter=MediaMeter(team=caller.team, fetch=True))
    source_urls_check(spec=offer.spec, params=quote.params, team=caller.team)  # what a submit would refuse
    wallet = wallet_for_team(team=caller.team)
    available = wallet.available if wallet else None
    return JsonResponse(
        {
            **quote.as_dict(),
            "offer": offer.key,
            "category": offer.category,
            "params": {name: _plain(value) for name, value in quote.params.items()},
            "available_credits": credits(available),
            "affordable": available is not None and available >= quote.credits,
        }
    )


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


@api_view("GET", "POST")
def generations(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    if request.method == "POST":
        return _generation_create(request, caller)
    return _generation_list(request, caller)


def _generation_create(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    idempotency_key = idempotency_key_read(request)
    generation_request = generation_request_parse(json_body(request), allow_callback=True)
    generation, created = api_generation_submit(
        api_key=caller.api_key,
        request=generation_request,
        idempotency_key=idempotency_key,
        base_url=_base_url(request),
    )
    generation = generation_for_team(team=caller.team, public_id=generation.public_id)
    body = generation_created_repr(generation, base_url=_base_url(request))
    response = JsonResponse(body, status=201 if created else 200)
    response["Location"] = body["status_url"]
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _generation_list(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    status = request.GET.get("status")
    statuses = None
    if status:
        statuses = []
        for word in status.split(","):
            if word.strip() not in STATUS_FILTERS:
                raise bad_request(
                    "invalid_params", f"status must be one of {', '.join(sorted(STATUS_FILTERS))}", field="status"
                )
            statuses += STATUS_FILTERS[word.strip()]
    category = request.GET.get("category")
    if category and category not in Category.values:
        raise bad_request("invalid_category", f"category must be one of {', '.join(Category.values)}")
    limit = int_param(request, "limit", default=20, low=1, high=100)
    items = generations_filtered(
        team=caller.team,
        statuses=statuses,
        model=request.GET.get("model") or None,
        provider=request.GET.get("provider") or None,
        category=category or None,
        generation_type=request.GET.get("generation_type") or None,
    )
    cursor_id = request.GET.get("cursor")
    if cursor_id:
        items = generations_after(generations=items, cursor=_generation(caller, cursor_id))
    page = list(items[: limit + 1])
    has_more = len(page) > limit
    page = page[:limit]
    base = _base_url(request)
    return JsonResponse(
        {
            "generations": [generation_repr(generation, base_url=base) for generation in page],
            "has_more": has_more,
            "next_cursor": page[-1].public_id if has_more else None,
        }
    )


@api_view("GET")
def generation(request: HttpRequest, caller: ApiCaller, generation_id: str) -> HttpResponse:
    return JsonResponse(generation_repr(_generation(caller, generation_id), base_url=_base_url(request)))


@api_view("POST")
def generation_cancel_view(request: HttpRequest, caller: ApiCaller, generation_id: str) -> HttpResponse:
    found = _generation(caller, generation_id)
    # generation_cancel is False when the job ended first, also in a race with the worker.
    if not generation_cancel(generation=found, user=caller.user):
        found = _generation(caller, generation_id)
        return error_response(
            409, "not_cancelable", f"This generation already ended ({found.get_status_display().lower()})."
        )
    return JsonResponse(generation_repr(_generation(caller, generation_id), base_url=_base_url(request)))


@api_view("GET")
def generation_output(request: HttpRequest, caller: ApiCaller, generation_id: str, index: str) -> HttpResponse:
    found = _generation(caller, generation_id)
    assets = list(found.assets.all()) if found.status == Status.COMPLETED else []
    if int(index) >= len(assets):
        raise not_found("This generation has no such output.")
    asset = assets[int(index)]
    presigned = presigned_url(
        asset.file,
        seconds=settings.STORAGE_DOWNLOAD_URL_SECONDS,
        filename=asset.filename,
        content_type=asset.content_type,
        as_attachment=True,
    )
    if presigned:  # object storage: a short-lived link to the private object, not bytes through the web process
        return HttpResponseRedirect(presigned)
    return FileResponse(
        asset.file.open("rb"), content_type=asset.content_type, as_attachment=True, filename=asset.filename
    )


def _batch_response(request: HttpRequest, caller: ApiCaller, batch_id: str, status: int = 200) -> JsonResponse:
    batch = batch_for_team(team=caller.team, public_id=batch_id)
    jobs = list(generations_for_team(team=caller.team).filter(batch=batch).order_by("batch_index"))
    return JsonResponse(batch_repr(batch, jobs, base_url=_base_url(request)), status=status)


@api_view("POST")
def batches(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    idempotency_key = idempotency_key_read(request)
    generation_request, count = batch_request_parse(json_body(request))
    batch, created = api_batch_submit(
        api_key=caller.api_key, request=generation_request, count=count, idempotency_key=idempotency_key
    )
    response = _batch_response(request, caller, batch.public_id, status=201 if created else 200)
    response["Location"] = _base_url(request) + reverse("api:batch", args=[batch.public_id])
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


@api_view("GET")
def batch(request: HttpRequest, caller: ApiCaller, batch_id: str) -> HttpResponse:
    return _batch_response(request, caller, batch_id)


@api_view("POST")
def batch_cancel_view(request: HttpRequest, caller: ApiCaller, batch_id: str) -> HttpResponse:
    found = batch_for_team(team=caller.team, public_id=batch_id)
    batch_cancel_rest(batch=found, user=caller.user)
    return _batch_response(request, caller, batch_id)


@api_view("GET")
def balance(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    return JsonResponse(balance_repr(wallet_for_team(team=caller.team)))


@api_view("GET")
def usage(request: HttpRequest, caller: ApiCaller) -> HttpResponse:
    today = timezone.now().date()
    end = date_param(request, "end", default=today)
    start = date_param(request, "start", default=end - dt.timedelta(days=29))
    if start > end:
        raise bad_request("invalid_params", "start must not be after end.", field="start")
    if (end - start).days >= USAGE_MAX_DAYS:
        raise bad_request("invalid_params", f"A usage range covers at most {USAGE_MAX_DAYS} days.", field="start")
    data = usage_for_team(team=caller.team, start=start, end=end)
    return JsonResponse(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "total_credits": credits(data["total_credits"]),
            "generations": data["generations"],
            "days": [
                {
                    "date": day["date"].isoformat(),
                    "credits": credits(day["credits"]),
                    "generations": day["generations"],
                    "models": [{**m, "credits": credits(m["credits"])} for m in day["models"]],
                }
                for day in data["days"]
            ],
            "models": [{**m, "credits": credits(m["credits"])} for m in data["models"]],
        }
    )


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", authenticated=False)
def unknown(request: HttpRequest, caller: None, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", "No such API endpoint; see /api/v1/openapi.json.")
