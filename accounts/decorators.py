from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from accounts.middleware import SESSION_KEY
from accounts.principal import membership_for


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


def team_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Like team_member_required, for the current team's owners and admins only (403 for members)."""

    @team_member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.membership.can_manage:
            raise PermissionDenied("Only the team's owners and admins can open this page")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, and the studio's operators only: for anyone else the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper
