"""Who is asking: ``request.user`` (from the cache, see accounts.principal), and the current team,
``request.team`` and ``request.membership``.

The team a user works in is kept in the session; it is always re-checked
against the user's memberships, so a stale or forged value falls back to a
team they belong to.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from accounts.principal import membership_for, principal_cookie_set, principal_prefetch, user_for_request
from accounts.sessions import session_prefetch_add

SESSION_KEY = "team_slug"


class PrincipalAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with the signed-in user read from the cache (accounts.principal)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        principal_prefetch(request)
        request.user = SimpleLazyObject(lambda: user_for_request(request))

    def process_view(self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict) -> None:
        session_prefetch_add(request, view)  # keys the view reads, in the session's round trip

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        principal_cookie_set(request, response)
        return response


class CurrentTeamMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def _membership():
            if not request.user.is_authenticated:
                return None
            return membership_for(user=request.user, team_slug=request.session.get(SESSION_KEY))

        request.membership = SimpleLazyObject(_membership)
        request.team = SimpleLazyObject(lambda: request.membership.team if request.membership else None)
        return self.get_response(request)
