from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
import uuid
import zipfile
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import team_member_required
from accounts.models import Role
from accounts.navigation import local_next
from accounts.principal import memberships_cached
from accounts.sessions import read_with_session
from billing.selectors import wallet_available_sql, wallet_for_team
from billing.services import BillingError
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key, offer_for_quote, offer_from_credits, offers_generatable
from generations.cardstate import card_state_key, cards_stamp_key, cards_stamp_read
from generations.forms import GenerationForm
from generations.models import Asset, Board, Generation
from generations.selectors import (
    POLL_MAX_IDS,
    CardRow,
    GalleryFilters,
    asset_for_team,
    board_for_team,
    boards_for_team,
    boards_of_generation,
    boards_with_covers,
    cancel_preview,
    card_rows,
    card_versions,
    gallery_options,
    gallery_page,
    generation_for_team,
    generation_receipt,
    generations_for_cards,
    source_media_field,
    source_targets,
    with_live_progress,
)
from generations.services.gallery import (
    BoardError,
    board_add,
    board_create,
    board_delete,
    board_remove,
    board_rename,
    favourite_set,
    generation_cancel,
    generation_delete,
)
from generations.services.pipeline import generation_webhook_received
from generations.services.submission import IdempotencyConflict, generation_submit
from generations.uploads import SHARED_FILE_MAX_AGE, SHARED_FILE_SALT, signed_media
from project.stamps import CATALOG, stamps_read, stamps_read_with, team_stamp
from project.storage import presigned_url, stored_size, stream


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
_picker_cache: tuple[float, list[Offer], tuple | None] | None = None


def _picker_offers() -> list[Offer]:
    """Every generatable offer for the model picker, kept in process memory (it is on every page) under
    the catalog's stamp in Redis: staff changing prices or enabling offers on any web host bump it, so
    every process draws the picker again at once."""
    global _picker_cache  # noqa: PLW0603
    now = time.monotonic()
    stamp = stamps_read(CATALOG)
    changed = stamp is not None and _picker_cache is not None and _picker_cache[2] != stamp
    if _picker_cache is None or changed or now - _picker_cache[0] > _PICKER_TTL:
        offers = list(
            offers_generatable().defer("spec", "live_data").order_by("family__name", "provider__name", "name")
        )
        _picker_cache = (now, offers, stamp)
    return _picker_cache[1]


def _composer_picker(offer: Offer | None) -> dict[str, Any]:
    """The two selects: model families by category, then the chosen family's providers with their prices."""
    offers = _picker_offers()
    families: dict[str, dict[str, Any]] = {}
    for o in offers:
        entry = families.setdefault(
            o.family.slug,
            {"slug": o.family.slug, "name": o.family.name, "category": o.family.get_category_display(), "from": None},
        )
        credits = offer_from_credits(o)
        if credits is not None and (entry["from"] is None or credits < entry["from"]):
            entry["from"] = credits
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(families.values(), key=lambda e: (e["category"], e["name"].lower())):
        groups.setdefault(entry["category"], []).append(entry)
    siblings = [
        {"key": o.key, "label": f"{o.provider.name} · {o.name}", "from": offer_from_credits(o)}
        for o in offers
        if offer is not None and o.family_id == offer.family_id
    ]
    return {"family_groups": list(groups.items()), "provider_offers": siblings}


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


def _fragment(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """Render an HTMX fragment without the page's context processors (team switcher, wallet): it needs none."""
    html = render_to_string(template, {**context, "csrf_token": _CSRF_SLOT})
    return HttpResponse(_slots_filled(request, _page_parts(html)), status=status)


CARD_TEMPLATE = "generations/gallery.html#card"
CARD_CACHE_SECONDS = 24 * 3600
# Cached cards and pages hold slots in place of what differs per request (the viewer's CSRF token, a fresh
# idempotency key, the clock), put in when the page is served. A slot starts with "<" and is passed to the
# templates as safe text, so it is written raw; everything a member typed goes through Django's escaping,
# which never writes "<", so no prompt, name or query can ever form a slot: user text comes out as typed.
_CSRF_SLOT = mark_safe("<studio-slot:csrf>")
# Part of the cache keys of cards and pages: entries drawn with an earlier slot format are never read.
_SLOT_FORMAT = 2


def _cards_html(request: HttpRequest, rows: list[CardRow], *, board: Board | None = None, slots: bool = False) -> str:
    """The page's cards in order. A card's HTML depends only on its state (status, provider progress)
    and the viewer's star, never on the clock, so each version is rendered once and then read from the
    cache: a page renders only cards it has not seen in that state. With ``slots``, the CSRF token is
    left as a slot for :func:`_slots_filled` (for a page that is cached whole)."""
    version = _templates_version("generations/gallery.html")
    keys = {
        row.pk: f"gallery-card:{_SLOT_FORMAT}:{version}:{row.public_id}:{row.version}:{int(row.is_favourite)}"
        for row in rows
        if board is None
    }
    hits = cache.get_many(list(keys.values())) if keys else {}
    missing = [row.pk for row in rows if keys.get(row.pk) not in hits]
    full = generations_for_cards(team=request.team, user=request.user, pks=missing) if missing else {}
    template = get_template(CARD_TEMPLATE)
    parts: list[str] = []
    fresh: dict[str, str] = {}
    for row in rows:
        key = keys.get(row.pk)
        html = hits.get(key) if key else None
        if html is None:
            if row.pk not in full:
                continue  # deleted since the page's rows were read
            html = template.render({"generation": full[row.pk], "board": board, "csrf_token": _CSRF_SLOT})
            if key:
                fresh[key] = html
        parts.append(html)
    if fresh:
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    html = "".join(parts)
    return mark_safe(html if slots else html.replace(_CSRF_SLOT, get_token(request)))  # noqa: S308 (our own HTML)


# A whole gallery page is cached with these in place of what differs per request.
_IDEMPOTENCY_SLOT = mark_safe("<studio-slot:idempotency>")
_NOW_SLOT = mark_safe("<studio-slot:server-now>")
PAGE_CACHE_SECONDS = 60
_PAGE_TEMPLATES = (
    "generations/gallery.html", "generations/_composer.html", "base.html", "billing/_banner.html",
    "billing/_banner_body.html", "billing/_balance.html",
)  # fmt: skip


_SLOTS = re.compile(f"({re.escape(_CSRF_SLOT)}|{re.escape(_IDEMPOTENCY_SLOT)}|{re.escape(_NOW_SLOT)})".encode())


def _page_parts(html: str) -> list[bytes]:
    """A page as the bytes it is sent as, split around its slots: every other part is a slot. Kept in
    the cache this way, a page is served in one pass, with no decoding or encoding."""
    return _SLOTS.split(html.encode())


def _slots_filled(request: HttpRequest, parts: list[bytes]) -> bytes:
    """The page with this request's CSRF token, a new idempotency key and the server's clock."""
    values = {
        _CSRF_SLOT.encode(): get_token(request).encode(),
        _IDEMPOTENCY_SLOT.encode(): uuid.uuid4().hex.encode(),
        _NOW_SLOT.encode(): str(int(time.time())).encode(),
    }
    filled = list(parts)
    filled[1::2] = [values[slot] for slot in parts[1::2]]
    return b"".join(filled)


_template_versions: dict[tuple[str, ...], int] = {}


def _templates_version(*names: str) -> int:
    """When these templates last changed, for the keys of what is rendered from them: an edit shows
    at once in development. Without DEBUG, Django loads a template once per process (its cached
    loader), so its version is read once per process too."""
    version = _template_versions.get(names)
    if version is None:
        version = max(os.stat(get_template(name).origin.name).st_mtime_ns for name in names)
        if not settings.DEBUG:
            _template_versions[names] = version
    return version


def _gallery_page_key(request: HttpRequest) -> str | None:
    """Where this whole gallery page is cached, or None when it must be drawn for this request alone.

    The key holds who is asking (their teams and role: the header), the URL (the filters) and the
    templates' version; the entry holds the team's and the catalog's stamps it was drawn under
    (project.stamps: read before any of the page's data, so a page drawn while something changed is
    never served after). A prefilled composer (a link naming an offer) or a message to show is never cached.
    """
    if "offer" in request.GET or request.COOKIES.get("messages") or "_messages" in request.session:
        return None
    user = request.user
    who = (
        user.pk, user.date_joined.timestamp(), user.get_username(), user.is_staff, request.membership.pk,
        [(m.pk, m.role, m.team.slug, m.team.name) for m in memberships_cached(user=user)],
    )  # fmt: skip
    templates = _templates_version(*_PAGE_TEMPLATES)
    digest = hashlib.sha256(repr((who, request.get_full_path(), templates)).encode()).hexdigest()[:32]
    return f"gallery-page:{_SLOT_FORMAT}:{request.team.pk}:{digest}"


def _gallery_url(filters: GalleryFilters, **extra: str) -> str:
    query = filters.querystring(**extra)
    return reverse("generations:gallery") + (f"?{query}" if query else "")


@team_member_required
@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    """The team's generations, filtered by the URL; HTMX gets the results or the next page alone."""
    # A link that names an offer opens the composer prefilled (remix, use as source): it is not a filter.
    filters = GalleryFilters() if "offer" in request.GET else GalleryFilters.from_query(request.GET)
    after = request.GET.get("after") or None
    fragment = bool(request.htmx and not request.htmx.history_restore_request)
    page_key = None if fragment else _gallery_page_key(request)
    stamps = None
    if page_key:  # the stamps and the page in one round trip; the page only if drawn under these stamps
        stamps, found = stamps_read_with(team_stamp(request.team.pk), CATALOG, keys=[page_key])
        cached = found.get(page_key)
        if stamps is not None and cached is not None and len(cached) == 3 and cached[0] == stamps:
            return HttpResponse(_nonce_renewed(request, _slots_filled(request, cached[1]), drawn=cached[2]))
    page = gallery_page(team=request.team, user=request.user, filters=filters, after=after)
    context = {
        "page": page,
        "filters": filters,
        "cards_html": _cards_html(request, page.rows, slots=True),
        "more_url": _gallery_url(filters, after=page.next_cursor) if page.next_cursor else "",
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "server_now": _NOW_SLOT,
        "csrf_token": _CSRF_SLOT,
    }
    if fragment:
        if after:
            return _fragment(request, "generations/gallery.html#page", context)
        if request.htmx.target == "results":
            response = _fragment(request, "generations/gallery.html#results", context)
            response["HX-Push-Url"] = _gallery_url(filters)
            return response
    context.update(options=gallery_options(team=request.team), **_composer_context(request))
    context["idempotency_key"] = _IDEMPOTENCY_SLOT
    parts = _page_parts(render_to_string("generations/gallery.html", context, request))
    if page_key and stamps is not None:
        cache.set(page_key, (stamps, parts, str(getattr(request, "csp_nonce", ""))), PAGE_CACHE_SECONDS)
    return HttpResponse(_slots_filled(request, parts))


def _nonce_renewed(request: HttpRequest, html: bytes, *, drawn: str) -> bytes:
    """A cached page with this response's CSP nonce on its scripts in place of the one it was drawn with.
    Nothing a member typed can read ``nonce="…"``: Django escapes the quote."""
    nonce = str(getattr(request, "csp_nonce", ""))
    if not drawn or not nonce:
        return html
    return html.replace(f' nonce="{drawn}"'.encode(), f' nonce="{nonce}"'.encode())


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
    balance_after = available - form.quote.credits if form.quote and available is not None else None
    context = {
        "form": form,
        "offer": offer,
        "balance_after": balance_after,
        "blocked": form.blocking_reason(balance_after),
    }
    # The price block holds no form of its own, so no CSRF token: the cheapest render there is.
    return HttpResponse(render_to_string("generations/_composer.html#price", context))


def _poll_shown(request: HttpRequest) -> dict[str, str]:
    """The poll's cards and the version each shows (``gen_x:running:25``; a bare id when unknown)."""
    if not hasattr(request, "_poll_shown"):
        shown: dict[str, str] = {}
        for item in request.GET.get("ids", "").split(",")[:POLL_MAX_IDS]:
            public_id, _, version = item.partition(":")
            if public_id:
                shown[public_id] = version
        request._poll_shown = shown
    return request._poll_shown


POLL_STAMP_HEADER = "X-Cards-Stamp"  # ``team_id.stamp`` (generations.cardstate); the page sends ``team_id.`` at first


def _poll_stamp_sent(request: HttpRequest) -> tuple[int | None, str]:
    """The team and the cards stamp the page's last poll was answered with."""
    team_id, _, stamp = request.META.get("HTTP_X_CARDS_STAMP", "").partition(".")
    return (int(team_id) if team_id.isdigit() else None), stamp


def _poll_reads(request: HttpRequest) -> list[str]:
    """What the poll reads with the session: the team's cards stamp, and the cards' states unless the
    page has a stamp (then they are usually not needed)."""
    team_id, stamp = _poll_stamp_sent(request)
    keys = [cards_stamp_key(team_id)] if team_id is not None else []
    if not stamp:
        keys += [card_state_key(public_id) for public_id in _poll_shown(request)]
    return keys


@team_member_required
@require_GET
@read_with_session(_poll_reads)
def poll(request: HttpRequest) -> HttpResponse:
    """One request for every unfinished card on the page: swaps only those, then stops when none is left."""
    # Usually nothing changed, and the answer costs one cache round trip with the session
    # (accounts.sessions) and no query: the team's cards stamp is still the one the page was given.
    # Else unchanged cards are not sent again, so a card's controls keep focus and the answer stays small.
    team = request.team
    prefetched = getattr(request.session, "prefetched", None)
    team_sent, stamp_sent = _poll_stamp_sent(request)
    own_team = team_sent == team.pk  # a page of another team (switched since) only gets this team's stamp
    stamp = cards_stamp_read(team_id=team.pk, prefetched=prefetched if own_team else None)
    stamp_header = {POLL_STAMP_HEADER: f"{team.pk}.{stamp}" if stamp is not None else ""}  # what the answer is good for
    if own_team and stamp is not None and stamp_sent == str(stamp):
        return HttpResponse("", headers=stamp_header)
    shown = _poll_shown(request)
    versions, gone = card_versions(team=team, public_ids=list(shown), prefetched=prefetched)
    changed_ids = [public_id for public_id, version in versions.items() if shown[public_id] != version]
    if not changed_ids and not gone:
        return HttpResponse("", headers=stamp_header)
    changed = card_rows(team=team, user=request.user, public_ids=changed_ids) if changed_ids else []
    # The same cached card HTML as the gallery's (other pages may have rendered this state already),
    # swapped out of band by id.
    cards = _cards_html(request, changed).replace('<article id="card-', '<article hx-swap-oob="true" id="card-')
    context = {
        "cards_html": mark_safe(cards),  # noqa: S308 (our own rendered HTML)
        "gone": gone,
        "wallet": wallet_for_team(team=team),
    }
    response = _fragment(request, "generations/poll.html", context)
    response[POLL_STAMP_HEADER] = stamp_header[POLL_STAMP_HEADER]
    return response


@team_member_required
@require_GET
def card(request: HttpRequest, public_id: str) -> HttpResponse:
    """One card, current state (the generation's own poll URL)."""
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    return _fragment(request, "generations/gallery.html#card", {"generation": generation})


@team_member_required
@require_GET
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A generation's page. Its live status block asks this URL again; once the job ends the page reloads."""
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    if request.htmx and request.htmx.target == "live":
        if not generation.is_active:
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return _fragment(request, "generations/detail.html#live", {"generation": generation})
    assets = list(generation.assets.all())
    targets = {kind: source_targets(kind=kind) for kind in {a.kind for a in assets} if kind != "text"}
    context = {
        "generation": generation,
        "assets": [(asset, targets.get(asset.kind, [])) for asset in assets],
        "failure": failure_help(generation) if generation.status == "failed" else None,
        "remix_url": remix_url(generation),
        "params": _params_for_display(generation),
        "took": _duration_label(generation.started_at, generation.finished_at),
        "can_manage": _can_manage(request, generation),
        "boards": list(boards_for_team(team=request.team)),
        "on_boards": boards_of_generation(generation=generation),
        "rerun_key": uuid.uuid4().hex,
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
        "receipt": generation_receipt(generation=generation),
        "cancel_preview": cancel_preview(generation=generation),
    }
    return render(request, "generations/detail.html", context)


@team_member_required
@require_GET
def asset_file(request: HttpRequest, public_id: str, asset_id: str, variant: str = "original") -> HttpResponse:
    asset = asset_for_team(team=request.team, generation_id=public_id, asset_id=asset_id)
    if variant == "thumbnail":
        if not asset.thumbnail:
            raise Http404("No thumbnail")
        presigned = _presigned_redirect(asset.thumbnail, filename=asset.thumbnail.name.rsplit("/", 1)[-1])
        if presigned:
            return presigned
        return _stream_response(asset.thumbnail, content_type="image/jpeg")
    download = request.GET.get("download") == "1"
    return _file_response(request, asset, as_attachment=download)


def _presigned_redirect(
    stored, *, filename: str, content_type: str = "image/jpeg", as_attachment: bool = False, seconds: int = 0
) -> HttpResponse | None:
    """On object storage: a redirect to a short-lived presigned link (the bucket is private). The browser
    then reads the object from the bucket itself, Range requests of the player included. None elsewhere."""
    seconds = seconds or settings.STORAGE_DOWNLOAD_URL_SECONDS
    url = presigned_url(
        stored, seconds=seconds, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    # The browser may reuse the redirect while the link is good (gallery thumbnails), never after.
    response["Cache-Control"] = f"private, max-age={max(0, seconds // 2)}"
    return response


def _stream_response(stored, *, content_type: str) -> HttpResponse:
    response = StreamingHttpResponse(stream(stored), content_type=content_type)
    response["Content-Length"] = str(stored_size(stored))
    return response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _file_response(
    request: HttpRequest, asset: Asset, *, as_attachment: bool = False, presigned_seconds: int = 0
) -> HttpResponse:
    """The file, honouring one byte range: browsers seek in video and audio with Range requests.

    On object storage the answer is a redirect to a presigned link instead, for downloads and the player
    alike: the bucket answers Range requests itself, and no web process carries the bytes."""
    redirect = _presigned_redirect(
        asset.file,
        filename=asset.filename,
        content_type=asset.content_type,
        as_attachment=as_attachment,
        seconds=presigned_seconds,
    )
    if redirect:
        return redirect
    size = stored_size(asset.file)
    match = _RANGE.match(request.headers.get("Range", "")) if not as_attachment else None
    if match and any(match.groups()):
        first, last = match.groups()
        start = int(first) if first else max(0, size - int(last))
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(stream(asset.file, start, end - start + 1), status=206)
        response["Content-Type"] = asset.content_type
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(  # opened through the storage API, streamed in blocks
            asset.file.open("rb"), content_type=asset.content_type, as_attachment=as_attachment, filename=asset.filename
        )
    response["Accept-Ranges"] = "bytes"
    return response


@csrf_exempt
@require_POST
def provider_webhook(request: HttpRequest, provider: str, token: str) -> HttpResponse:
    """A provider's callback. Never trusted alone: it only triggers an immediate status read."""
    if not generation_webhook_received(provider_slug=provider, token=token):
        raise Http404("Unknown callback")
    return JsonResponse({"ok": True})


# --- a generation's page: explaining, chaining, managing --------------------------

# Provider error codes in plain words: what happened, and what to do next.
FAILURE_HELP: dict[str, tuple[str, str]] = {
    "deadline_exceeded": (
        "The provider took too long and the job was stopped.",
        "Run it again; if it keeps timing out, pick another provider for this model or a lighter setting.",
    ),
    "timeout": ("The provider did not answer in time.", "Run it again in a few minutes."),
    "network_error": ("The studio could not reach the provider.", "Run it again in a few minutes."),
    "rate_limited": ("The provider is receiving too many requests.", "Wait a minute, then run it again."),
    "auth_failed": (
        "The studio's account with this provider was refused.",
        "Tell a team admin; meanwhile, run it on another provider for this model.",
    ),
    "insufficient_credits": (
        "The studio's account with this provider is out of credits.",
        "Tell a team admin; meanwhile, run it on another provider for this model.",
    ),
    "provider_unavailable": (
        "The studio cannot run jobs on this provider yet.",
        "Remix it and pick another provider for this model.",
    ),
    "no_output": ("The provider finished without returning a file.", "Run it again."),
    "bad_output": ("The provider returned a file the studio could not read.", "Run it again."),
    "too_large": ("The result was larger than the studio accepts.", "Remix it with a lower resolution or duration."),
    "submission_unconfirmed": (
        "The studio lost contact while starting this job and could not tell whether the provider accepted it.",
        "Run it again.",
    ),
    "content_policy": (
        "The provider refused this request under its content rules.",
        "Remix it with a reworded prompt or a different source file.",
    ),
    "invalid_request": ("The provider refused these settings.", "Remix it with different settings."),
}
DEFAULT_FAILURE = (
    "The provider could not make this.",
    "Run it again; if it fails again, reword the prompt or pick another provider for this model.",
)
_POLICY_WORDS = ("policy", "safety", "moderation", "nsfw", "inappropriate", "prohibited")


def failure_help(generation: Generation) -> dict[str, str]:
    """What went wrong in plain words, the provider's own reason, and what to do next."""
    code = generation.error_code or ""
    message = generation.error_message or ""
    if code not in FAILURE_HELP:
        if any(word in message.lower() for word in _POLICY_WORDS):
            code = "content_policy"
        elif code in {"http_402"}:
            code = "insufficient_credits"
        elif code.startswith("http_5") or code == "malformed_response":
            code = "network_error"
        elif code in {"http_400", "http_422"}:
            code = "invalid_request"
        elif code in {"gone", "expired", "http_410", "fetch_failed", "download_failed"}:
            code = "no_output"
    summary, next_step = FAILURE_HELP.get(code, DEFAULT_FAILURE)
    charged = generation.credits_charged or 0
    return {
        "summary": summary,
        "reason": message,
        "next": next_step,
        "charged": "Nothing was charged." if not charged else f"{charged} credits were charged.",
    }


def _prefill_value(value: Any) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    if isinstance(value, bool):
        return "on" if value else ""  # an empty value leaves a checkbox unticked
    return "" if value is None else str(value)


def _params_for_display(generation: Generation) -> list[tuple[str, str]]:
    """The settings as the composer labels them (the offer's field labels), prompt aside."""
    labels = {f["name"]: f.get("label") or f["name"] for f in generation.offer.spec.get("fields", [])}
    shown = []
    for name, value in generation.params.items():
        if name in ("prompt", "text") and value == generation.prompt:
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        shown.append((labels.get(name, name.replace("_", " ").capitalize()), str(value)))
    return shown


def _duration_label(start: datetime | None, end: datetime | None) -> str:
    if not start or not end:
        return ""
    seconds = max(0, round((end - start).total_seconds()))
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def remix_url(generation: Generation) -> str:
    """The composer on the same offer, every field prefilled with this generation's values."""
    params = {"offer": generation.offer.key}
    params.update({name: _prefill_value(value) for name, value in generation.params.items() if name != "offer"})
    return f"{reverse('generations:gallery')}?{urlencode(params)}#composer"


def _can_manage(request: HttpRequest, generation: Generation) -> bool:
    """Whoever made it, or a team owner or admin, may cancel or delete a generation."""
    return generation.created_by_id == request.user.pk or request.membership.role in {Role.OWNER, Role.ADMIN}


def _generation_for_manager(request: HttpRequest, public_id: str) -> Generation:
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    if not _can_manage(request, generation):
        raise PermissionDenied("Only its author or a team admin can do that.")
    return generation


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(local_next(request, request.POST.get("next") or request.GET.get("next") or "", default))


@team_member_required
@require_POST
def rerun(request: HttpRequest, public_id: str) -> HttpResponse:
    """Run the same offer with the same settings again (a new job, quoted and held anew)."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    offer = offer_by_key(key=generation.offer.key)
    if offer is None:
        messages.error(request, "This model is no longer available. Remix it to pick another one.")
        return redirect("generations:detail", public_id=public_id)
    try:
        generation_submit(
            team=request.team,
            user=request.user,
            offer=offer,
            params=dict(generation.params),
            idempotency_key=request.POST.get("idempotency_key") or None,
        )
    except (BillingError, IdempotencyConflict) as exc:
        messages.error(request, str(exc))
    except QuoteError as exc:
        messages.error(request, f"{exc.message} Remix it to change the settings.")
    else:
        messages.success(request, "Running again with the same settings.")
        return redirect("generations:gallery")
    return redirect("generations:detail", public_id=public_id)


@team_member_required
@require_POST
def cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = _generation_for_manager(request, public_id)
    cancelled = generation_cancel(generation=generation, user=request.user)
    if request.htmx:
        generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
        context = {"generation": generation, "wallet": wallet_for_team(team=request.team)}
        return _fragment(request, "generations/card_update.html", context)
    if cancelled:
        messages.success(request, "Cancelled. The held credits were released.")
    else:
        messages.info(request, "It had already finished.")
    return redirect("generations:detail", public_id=public_id)


@team_member_required
@require_POST
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = _generation_for_manager(request, public_id)
    generation_delete(generation=generation, user=request.user)
    messages.success(request, "Deleted.")
    return redirect("generations:gallery")


@team_member_required
@require_POST
def favourite(request: HttpRequest, public_id: str) -> HttpResponse:
    generation = generation_for_team(team=request.team, public_id=public_id, user=request.user)
    generation.is_favourite = favourite_set(generation=generation, user=request.user, on=request.POST.get("on") == "1")
    if request.htmx:
        return _fragment(request, "generations/gallery.html#favourite", {"generation": generation})
    return _back(request, reverse("generations:detail", args=[public_id]))


@team_member_required
@require_POST
def add_to_board(request: HttpRequest, public_id: str) -> HttpResponse:
    """Put the generation on a chosen board, or on a new one named in the same form."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    try:
        if request.POST.get("new_board", "").strip():
            board = board_create(team=request.team, user=request.user, name=request.POST["new_board"])
        else:
            board = board_for_team(team=request.team, public_id=request.POST.get("board", ""))
        added = board_add(board=board, generation=generation, user=request.user)
    except BoardError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Added to {board.name}." if added else f"Already on {board.name}.")
    return _back(request, reverse("generations:detail", args=[public_id]))  # the compare grid comes back to itself


@team_member_required
@require_GET
def download_all(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every file of the generation in one zip (media is already compressed: stored, not deflated)."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    assets = list(generation.assets.all())
    if not assets:
        raise Http404("No files")
    archive = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
        for asset in assets:
            with zipped.open(asset.filename, "w") as target:
                for chunk in stream(asset.file):  # read from storage as it arrives, never from a local path
                    target.write(chunk)
    archive.seek(0)
    return FileResponse(
        archive, content_type="application/zip", as_attachment=True, filename=f"{generation.public_id}.zip"
    )


def shared_file_url(request: HttpRequest, asset: Asset) -> str:
    """A signed link to one file that a provider can fetch without a session (valid for a week).

    It ends with the file's name: providers (and the pricing rules) tell media kinds by extension.
    """
    token = signing.dumps({"g": asset.generation.public_id, "a": asset.public_id}, salt=SHARED_FILE_SALT)
    path = reverse("generations:shared_file", kwargs={"token": token, "filename": asset.filename})
    base = getattr(settings, "STUDIO_PUBLIC_URL", "")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@require_GET
def shared_file(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    try:
        ids = signing.loads(token, salt=SHARED_FILE_SALT, max_age=SHARED_FILE_MAX_AGE)
    except signing.BadSignature:
        raise Http404("This link is not valid or has expired") from None
    asset = Asset.objects.filter(
        public_id=ids.get("a"), generation__public_id=ids.get("g"), generation__deleted_at__isnull=True
    ).first()
    if asset is None or asset.filename != filename:
        raise Http404("No such file")
    return _file_response(request, asset, presigned_seconds=settings.STORAGE_SOURCE_URL_SECONDS)


@team_member_required
@require_GET
def use_as_source(request: HttpRequest, public_id: str, asset_id: str) -> HttpResponse:
    """Open the composer on the chosen offer with this file in its source media field."""
    asset = asset_for_team(team=request.team, generation_id=public_id, asset_id=asset_id)
    offer = offer_by_key(key=request.GET.get("offer", ""))
    field = source_media_field(offer.spec, asset.kind) if offer and asset.kind in ("image", "video", "audio") else None
    if field is None:
        messages.error(request, "That model cannot start from this file.")
        return redirect("generations:detail", public_id=public_id)
    query = urlencode({"offer": offer.key, field: shared_file_url(request, asset)})
    return redirect(f"{reverse('generations:gallery')}?{query}#composer")


# --- boards -----------------------------------------------------------------------


@team_member_required
@require_http_methods(["GET", "POST"])
def boards(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            board = board_create(team=request.team, user=request.user, name=request.POST.get("name", ""))
        except BoardError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Board “{board.name}” created.")
            return redirect("generations:board", public_id=board.public_id)
    return render(request, "generations/boards.html", {"boards": boards_with_covers(team=request.team)})


@team_member_required
@require_GET
def board(request: HttpRequest, public_id: str) -> HttpResponse:
    """A board's own page: its generations, newest first, in pages like the gallery."""
    board = board_for_team(team=request.team, public_id=public_id)
    filters = GalleryFilters(board=board.public_id)
    after = request.GET.get("after") or None
    page = gallery_page(team=request.team, user=request.user, filters=filters, after=after)
    base = reverse("generations:board", args=[board.public_id])
    context = {
        "board": board,
        "page": page,
        "filters": filters,
        "cards_html": _cards_html(request, page.rows, board=board),
        "more_url": f"{base}?{urlencode({'after': page.next_cursor})}" if page.next_cursor else "",
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
    }
    if request.htmx and after and not request.htmx.history_restore_request:
        return _fragment(request, "generations/gallery.html#page", context)
    return render(request, "generations/board.html", context)


@team_member_required
@require_POST
def board_rename_view(request: HttpRequest, public_id: str) -> HttpResponse:
    board = board_for_team(team=request.team, public_id=public_id)
    try:
        board_rename(board=board, name=request.POST.get("name", ""))
    except BoardError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Board renamed.")
    return redirect("generations:board", public_id=public_id)


@team_member_required
@require_POST
def board_delete_view(request: HttpRequest, public_id: str) -> HttpResponse:
    board = board_for_team(team=request.team, public_id=public_id)
    board_delete(board=board)
    messages.success(request, f"Board “{board.name}” deleted. Its generations are still in the gallery.")
    return redirect("generations:boards")


@team_member_required
@require_POST
def board_remove_view(request: HttpRequest, public_id: str, generation_id: str) -> HttpResponse:
    board = board_for_team(team=request.team, public_id=public_id)
    generation = generation_for_team(team=request.team, public_id=generation_id)
    board_remove(board=board, generation=generation)
    if request.htmx:
        return HttpResponse("")  # the card is swapped out of the board's page
    messages.success(request, f"Removed from {board.name}.")
    return _back(request, reverse("generations:board", args=[public_id]))


@require_GET
def source_media_signed(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    """An uploaded source file, for the provider that fetches it by URL (signed, expiring, no login)."""
    media = signed_media(token)
    if media is None or not media.file.name.endswith(filename):
        raise Http404("No such file")
    redirect = _presigned_redirect(
        media.file, filename=filename, content_type=media.content_type, seconds=settings.STORAGE_SOURCE_URL_SECONDS
    )
    return redirect or _stream_response(media.file, content_type=media.content_type)
