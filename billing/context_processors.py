"""The current team's wallet on every page (the header's balance)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from billing.selectors import wallet_for_team


def current_wallet(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    membership = request.membership
    if not membership:
        return {}
    return {"wallet": wallet_for_team(team=membership.team)}
