"""Each unfinished card's version, kept in the cache by the pipeline, so the gallery's poll can answer
"nothing changed" without asking PostgreSQL.

A card's version is what its HTML depends on besides the viewer's star
(``CardRow.version``: ``status:progress``), or ``gone`` once deleted. Every
change the pipeline makes to a job is published here after it commits, read
back from the database so the cached version is exactly what a page would
render. The poll reads the versions of all its cards in one cache round trip;
when any is missing (never published, expired, the cache was down) it reads
them all from the database, as before. Each entry names its team, and one of
another team is treated as missing, so another team's id is never answered
from here. The poll reads these entries in the same round trip as its session
(accounts.sessions.read_with_session).

A publish that is lost (the cache failed at that moment) leaves an old version
for at most ``CARD_STATE_SECONDS``; a running job republishes on every
provider poll (at most a minute apart), so its key does not expire while it runs.

The team's cards stamp makes "nothing changed" cheaper still, the same for 1
card or 200: a random number kept per team, dropped by every publish that
changes a card's version, after writing it. The poll reads the stamp before the
states and gives it to the page with its answer (``team_id.stamp``); the page
sends it back, and while it is still the team's stamp no card of that team has
changed since, so the answer is "nothing" without reading a card. A missing
stamp starts again at a new random value, never an old one, and lives at most
``CARD_STATE_SECONDS``, which bounds what a lost drop could hide. The page
forgets its stamp whenever cards reach it by another request (static/js/studio.js).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from generations.models import Generation
from project.stamps import stamps_bump, team_stamp

GONE = "gone"
CARD_STATE_SECONDS = 90


def card_state_key(public_id: str) -> str:
    return f"card-state:{public_id}"


def cards_stamp_key(team_id: int) -> str:
    return f"cards-stamp:{team_id}"


def card_version(status: str, progress: int | None) -> str:
    """The version a card shows in ``data-version`` and sends back with the poll."""
    return f"{status}:{progress or 0}"


def card_state_publish(generation: Generation) -> None:
    """After the current transaction commits, put the job's committed version in the cache; and the
    team's pages changed (project.stamps)."""
    pk = generation.pk
    transaction.on_commit(lambda: _publish(pk))
    stamps_bump(team_stamp(generation.team_id))


def _publish(generation_pk: int) -> None:
    row = (
        Generation.objects.filter(pk=generation_pk)
        .values_list("team_id", "public_id", "status", "progress", "deleted_at")
        .first()
    )
    if row is None:
        return
    team_id, public_id, status, progress, deleted_at = row
    entry = (team_id, GONE if deleted_at else card_version(status, progress))
    key = card_state_key(public_id)
    changed = cache.get(key) != entry  # a running job is republished unchanged on every provider poll
    cache.set(key, entry, CARD_STATE_SECONDS)
    if changed:
        cache.delete(cards_stamp_key(team_id))  # after the state: a stamp read before it is never kept


def cards_stamp_read(*, team_id: int, prefetched: dict[str, Any] | None = None) -> int | None:
    """The team's cards stamp (from what was ``prefetched`` with the session when there), started anew
    when missing; None when the cache cannot say. Read it before the states it vouches for."""
    if "cards" in settings.CACHES_OFF:  # benchmarks: no stamp, the poll reads its cards from PostgreSQL
        return None
    key = cards_stamp_key(team_id)
    stamp = (prefetched or {}).get(key)
    if stamp is None:
        stamp = cache.get(key)
    if stamp is None:
        stamp = secrets.randbits(62)
        if not cache.add(key, stamp, CARD_STATE_SECONDS):
            return None  # the cache is down, or another request just started it: no stamp this time
    return stamp


def card_states_cached(
    *, team_id: int, public_ids: list[str], prefetched: dict[str, Any] | None = None
) -> dict[str, str] | None:
    """Every asked card's version from the cache (or from what was ``prefetched`` with the session),
    or None when any is missing there or belongs to another team."""
    if "cards" in settings.CACHES_OFF:  # benchmarks: the poll reads its cards from PostgreSQL
        return None
    if not public_ids:
        return {}
    keys = {card_state_key(public_id): public_id for public_id in public_ids}
    prefetched = prefetched or {}
    found = {key: prefetched[key] for key in keys if key in prefetched}
    if len(found) < len(keys):
        found.update(cache.get_many([key for key in keys if key not in found]))
    versions = {keys[key]: entry[1] for key, entry in found.items() if entry[0] == team_id}
    return versions if len(versions) == len(keys) else None
