"""Who is asking: the signed-in user and their memberships, read from the cache on every request.

Every signed-in page needs the user and the team they work in; reading both
from PostgreSQL cost two queries per request, more than many pages' own work.
Both are kept in the cache as one entry (one round trip) for a short while and
dropped whenever they change (``accounts.signals``, and the services that
change teams with a queryset update):

- the user is checked against the session's auth hash (a hash of the password
  hash) exactly as Django does, so a changed password ends other sessions at
  once, and an entry cached from another database is never taken for this one;
- the memberships come with their teams, in the switcher's order.

An outage of the cache only makes these reads go to the database again
(``project.cache``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject, empty

from accounts.models import Membership, Team, User
from accounts.selectors import memberships_for_user
from accounts.sessions import session_prefetching
from project.stamps import stamps_bump, team_stamp

# A bound on staleness for writes the signals cannot see (a queryset update in a shell).
PRINCIPAL_CACHE_SECONDS = 120
_MEMBERSHIPS = "_principal_memberships"  # the attribute the request's user carries them in


PRINCIPAL_COOKIE = "studio_uid"  # which principal to read with the session (accounts.sessions)


def _key(user_id: str | int) -> str:
    return f"principal:{user_id}"


def principal_prefetch(request: HttpRequest) -> None:
    """Ask the session to read the principal its cookie names in the same round trip as itself."""
    hint = request.COOKIES.get(PRINCIPAL_COOKIE, "")
    if "principal" in settings.CACHES_OFF:  # benchmarks: Django's plain reads (user_for_request)
        return
    if hint.isdigit() and session_prefetching(request.session):
        request.session.prefetch_keys = [_key(hint)]


def principal_cookie_set(request: HttpRequest, response: HttpResponse) -> None:
    """Keep the hint cookie in step with who is signed in (only once ``request.user`` was read)."""
    user = request.__dict__.get("user")
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return
    current = request.COOKIES.get(PRINCIPAL_COOKIE)
    if user.is_authenticated and current != str(user.pk):
        response.set_cookie(
            PRINCIPAL_COOKIE,
            str(user.pk),
            max_age=settings.SESSION_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    elif not user.is_authenticated and current is not None:
        response.delete_cookie(PRINCIPAL_COOKIE, samesite="Lax")


def user_for_request(request: HttpRequest) -> User | AnonymousUser:
    """``request.user``: Django's ``auth.get_user``, with the user (and memberships) read from the cache."""
    if "principal" in settings.CACHES_OFF:  # benchmarks: the user by Django, the memberships by one query
        return auth.get_user(request)
    session = request.session
    user_id = session.get(auth.SESSION_KEY)
    session_hash = session.get(auth.HASH_SESSION_KEY)
    backend = session.get(auth.BACKEND_SESSION_KEY)
    if user_id is None or not session_hash or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    key = _key(user_id)
    prefetched = getattr(session, "prefetch_keys", ())
    entry = session.prefetched.get(key) if key in prefetched else cache.get(key)
    if entry is not None:
        user, memberships, auth_hash = entry
        if user.is_active and constant_time_compare(session_hash, auth_hash):
            user.backend = backend
            setattr(user, _MEMBERSHIPS, memberships)
            return user
    user = auth.get_user(request)  # verifies the hash; flushes the session when it does not match
    if user.is_authenticated and user.is_active:
        entry = (user, memberships_cached(user=user), user.get_session_auth_hash())
        cache.set(key, entry, PRINCIPAL_CACHE_SECONDS)
    return user


def memberships_cached(*, user: User) -> list[Membership]:
    """The user's memberships with their teams, personal team first, then by name: from the request's
    cached principal when there is one, else one query."""
    memberships = getattr(user, _MEMBERSHIPS, None)
    if memberships is None:
        memberships = list(memberships_for_user(user=user))
        setattr(user, _MEMBERSHIPS, memberships)
    return memberships


def membership_for(*, user: User, team_slug: str | None) -> Membership | None:
    """The user's membership in the team they chose, else in their first team (from the cache:
    every signed-in request asks, see accounts.principal)."""
    memberships = memberships_cached(user=user)
    if team_slug:
        for membership in memberships:
            if membership.team.slug == team_slug:
                return membership
    return memberships[0] if memberships else None


def principal_forget_users(*, user_ids: list[int]) -> None:
    """Drop the cached principal of these users (they, one of their memberships or teams changed): now,
    and again once the change is committed, since a request that read the old rows in between may have
    put them back."""
    keys = [_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def principal_forget_team(team: Team) -> None:
    """Drop the cached principal of everyone in ``team``, and its cached pages (the team changed)."""
    stamps_bump(team_stamp(team.pk))
    principal_forget_users(user_ids=list(Membership.objects.filter(team=team).values_list("user_id", flat=True)))
