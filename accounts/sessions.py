"""The session engine: Django's cached_db sessions, able to read more cache keys in the same round trip.

A signed-in request reads its session, then the user it names (accounts.principal).
The second read needs the user's id, which is in the first; so the browser also
keeps a plain cookie with that id (``PRINCIPAL_COOKIE``), and both entries are
read together. The cookie is only a hint for what to read: the user is still the
one the session names, checked against the session's auth hash, and a wrong or
forged hint costs one more read, nothing else.

A view can name more keys to read in that same round trip (``read_with_session``):
the gallery's poll reads its cards' states there, so asking "did anything change?"
costs one cache round trip in all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.http import HttpRequest


class SessionStore(CachedDBStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self.prefetch_keys: list[str] = []  # set before the session is first read
        self.prefetched: dict[str, Any] = {}  # what those keys held (absent when missing)

    def load(self) -> dict[str, Any]:
        if not self.prefetch_keys or not self.session_key:
            return super().load()
        found = self._cache.get_many([self.cache_key, *self.prefetch_keys])
        data = found.pop(self.cache_key, None)
        self.prefetched = found
        return data if data is not None else super().load()  # not cached: from the database


def read_with_session(keys_for: Callable[[HttpRequest], list[str]]) -> Callable:
    """Decorate a view: the cache keys ``keys_for(request)`` names are read together with the session
    (before the view runs; see PrincipalAuthenticationMiddleware.process_view), and the view finds
    them in ``request.session.prefetched``."""

    def decorate(view: Callable) -> Callable:
        view.read_with_session = keys_for
        return view

    return decorate


def session_prefetching(session: Any) -> bool:
    """Whether keys can still be named to read with ``session`` (not yet read, and this engine's)."""
    if "sessions" in settings.CACHES_OFF:  # benchmarks: Django's plain cached_db, one read per key
        return False
    return hasattr(session, "prefetch_keys") and not hasattr(session, "_session_cache")


def session_prefetch_add(request: HttpRequest, view: Callable) -> None:
    """Add the keys ``view`` wants read with the session, if the session has not been read yet."""
    keys_for = getattr(view, "read_with_session", None)
    session = request.session
    if keys_for is None or not session_prefetching(session):
        return
    session.prefetch_keys = [*session.prefetch_keys, *keys_for(request)]
