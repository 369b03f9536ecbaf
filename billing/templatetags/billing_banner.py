"""The low-balance and budget banner shown on every page to the current team."""

from __future__ import annotations

from typing import Any

from django import template

from billing.selectors import budget_status

register = template.Library()


@register.inclusion_tag("billing/_banner_body.html", takes_context=True)
def billing_banner(context: template.Context) -> dict[str, Any]:
    team = context.get("current_team")
    membership = context.get("current_membership")
    if team is None or membership is None:
        return {}
    return {
        "status": budget_status(team=team, wallet=context.get("wallet")),
        "can_manage": membership.can_manage,
        "team": team,
    }
