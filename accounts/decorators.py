from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from accounts.middleware import SESSION_KEY
from accounts.selectors import membership_for


def team_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; ``request.team`` and ``request.membership`` set to the current team."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        membership = membership_for(user=request.user, team_slug=request.session.get(SESSION_KEY))
        if membership is None:
            raise Http404("You are not a member of any team")
        request.membership = membership
        request.team = membership.team
        return view(request, *args, **kwargs)

    return wrapper
