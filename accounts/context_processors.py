from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.principal import memberships_cached


def current_team(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    membership = request.membership
    if not membership:
        return {}
    return {
        "current_membership": membership,
        "current_team": membership.team,
        "my_memberships": memberships_cached(user=request.user),
    }
