"""What the generations pages share: HTMX fragments, the slots a cached page holds in place of what
differs per request, the cached card HTML, and the way back after an action."""

from __future__ import annotations

import os
import re
import time
import uuid
from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from accounts.navigation import local_next
from generations.batches import batch_summaries
from generations.models import Board
from generations.selectors import CardRow, generations_for_cards


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
    """The page's cards in order, as one piece of HTML (see :func:`_cards_parts`)."""
    html = "".join(card for _, card in _cards_parts(request, rows, board=board))
    return _slots_kept_or_filled(request, html, slots=slots)


def _batched_cards_html(request: HttpRequest, rows: list[CardRow], *, slots: bool = False) -> str:
    """The cards in order, those of one batch next to each other drawn as one row: the batch's progress,
    its money, "cancel the rest" and "run again" above its cards (generations/batch.html#row)."""
    parts = _cards_parts(request, rows)
    batch_ids = {row.batch_id for row, _ in parts if row.batch_id}
    summaries = batch_summaries(team=request.team, batch_ids=batch_ids) if batch_ids else {}
    html: list[str] = []
    for batch_id, run in groupby(parts, key=lambda part: part[0].batch_id):
        cards = "".join(card for _, card in run)
        summary = summaries.get(batch_id) if batch_id else None
        if summary is None:
            html.append(cards)
            continue
        context = {"summary": summary, "row_cards": mark_safe(cards), "csrf_token": _CSRF_SLOT}  # noqa: S308 (our own HTML)
        html.append(render_to_string("generations/batch.html#row", context))
    return _slots_kept_or_filled(request, "".join(html), slots=slots)


def _slots_kept_or_filled(request: HttpRequest, html: str, *, slots: bool) -> str:
    """Our own rendered HTML, with the CSRF slot left for a page cached whole, or filled in now."""
    return mark_safe(html if slots else html.replace(_CSRF_SLOT, get_token(request)))  # noqa: S308 (our own HTML)


def _cards_parts(request: HttpRequest, rows: list[CardRow], *, board: Board | None = None) -> list[tuple[CardRow, str]]:
    """Each card's row and HTML, in order (cards deleted since their rows were read left out).

    A card's HTML depends only on its state (status, provider progress) and the viewer's star, never on
    the clock, so each version is rendered once and then read from the cache: a page renders only cards
    it has not seen in that state. The CSRF token is left as a slot (see :func:`_slots_kept_or_filled`)."""
    version = _templates_version("generations/gallery.html")
    cached = board is None and "card_html" not in settings.CACHES_OFF  # the switch: benchmarks render every card
    keys = {
        row.pk: f"gallery-card:{_SLOT_FORMAT}:{version}:{row.public_id}:{row.version}:{int(row.is_favourite)}"
        for row in rows
        if cached
    }
    hits = cache.get_many(list(keys.values())) if keys else {}
    missing = [row.pk for row in rows if keys.get(row.pk) not in hits]
    full = generations_for_cards(team=request.team, user=request.user, pks=missing) if missing else {}
    template = get_template(CARD_TEMPLATE)
    parts: list[tuple[CardRow, str]] = []
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
        parts.append((row, html))
    if fresh:
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    return parts


# A whole gallery page (generations.views.gallery) is cached with these in place of what differs per request.
_IDEMPOTENCY_SLOT = mark_safe("<studio-slot:idempotency>")
_NOW_SLOT = mark_safe("<studio-slot:server-now>")


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


def _back(request: HttpRequest, default: str) -> HttpResponse:
    return redirect(local_next(request, request.POST.get("next") or request.GET.get("next") or "", default))
