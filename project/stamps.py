"""Stamps: numbers in the cache that change whenever what some pages show changes.

A cached page is stored under the stamps it was drawn with (read before its
data), so a change makes every copy drawn before it unreachable at once, with
nothing to find and delete. Two kinds:

- ``team_stamp(team_id)``: anything a team's pages show (its generations and
  their files, favourites, boards, credits and limits, members, the team);
- ``CATALOG``: the model catalog and its prices, shown on every composer.

Writers bump right away and again once their transaction commits, so a page
drawn from rows read in between is not kept. A stamp that is missing (first
use, the cache was emptied) starts from a random value, never from one an old
copy could have been stored under. If the cache is down, reads miss and pages
are drawn fresh.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.db import transaction

CATALOG = "catalog"
STAMP_SECONDS = 7 * 24 * 3600


def team_stamp(team_id: int) -> str:
    return f"team:{team_id}"


def _key(name: str) -> str:
    return f"stamp:{name}"


def _bump(names: list[str]) -> None:
    for name in names:
        try:
            cache.incr(_key(name))
        except Exception:  # missing (ValueError), or the cache is down: start again somewhere new
            cache.set(_key(name), secrets.randbits(62), STAMP_SECONDS)


def stamps_bump(*names: str) -> None:
    """These stamps' pages changed: bump now and once the current transaction commits."""
    names_list = [n for n in names if n]
    if names_list:
        _bump(names_list)
        transaction.on_commit(lambda: _bump(names_list))


def stamps_read(*names: str) -> tuple | None:
    """The current values, in order (one cache round trip); None when the cache cannot say."""
    return stamps_read_with(*names)[0]


def stamps_read_with(*names: str, keys: list[str] = ()) -> tuple[tuple | None, dict[str, Any]]:
    """The stamps (as stamps_read) and what the cache holds under ``keys`` (those it has), read in the
    same round trip: for what was stored with the stamps it was drawn under."""
    stamp_keys = [_key(name) for name in names]
    found = cache.get_many([*stamp_keys, *keys])
    values = {key: found[key] for key in keys if key in found}
    for key in stamp_keys:
        if key not in found:
            found[key] = secrets.randbits(62)
            if not cache.add(key, found[key], STAMP_SECONDS):
                return None, values  # the cache is down, or someone else just started it: draw fresh this time
    return tuple(found[key] for key in stamp_keys), values
