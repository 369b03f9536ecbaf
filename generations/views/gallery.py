"""The gallery (its whole pages cached as bytes for a minute), its one poller, and a card alone."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts.decorators import team_member_required
from accounts.principal import memberships_cached
from accounts.sessions import read_with_session
from billing.selectors import wallet_for_team
from generations.cardstate import card_state_key, cards_stamp_key, cards_stamp_read
from generations.selectors import (
    POLL_MAX_IDS,
    GalleryFilters,
    card_rows,
    card_versions,
    gallery_options,
    gallery_page,
    generation_for_team,
)
from generations.views.common import (
    _CSRF_SLOT,
    _IDEMPOTENCY_SLOT,
    _NOW_SLOT,
    _SLOT_FORMAT,
    _batched_cards_html,
    _cards_html,
    _fragment,
    _page_parts,
    _slots_filled,
    _templates_version,
)
from generations.views.composer import _composer_context
from project.stamps import CATALOG, stamps_read_with, team_stamp

PAGE_CACHE_SECONDS = 60
_PAGE_TEMPLATES = (
    "generations/gallery.html", "generations/_composer.html", "base.html", "billing/_banner.html",
    "billing/_banner_body.html", "billing/_balance.html", "generations/batch.html",
)  # fmt: skip


def _gallery_page_key(request: HttpRequest) -> str | None:
    """Where this whole gallery page is cached, or None when it must be drawn for this request alone.

    The key holds who is asking (their teams and role: the header), the URL (the filters) and the
    templates' version; the entry holds the team's and the catalog's stamps it was drawn under
    (project.stamps: read before any of the page's data, so a page drawn while something changed is
    never served after). A prefilled composer (a link naming an offer) or a message to show is never cached.
    """
    if "gallery_page" in settings.CACHES_OFF:  # benchmarks: every page drawn
        return None
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
        "cards_html": _batched_cards_html(request, page.rows, slots=True),
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
    if "cards" in settings.CACHES_OFF:  # benchmarks: the poll reads its cards from PostgreSQL
        return []
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
