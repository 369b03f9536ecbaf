"""``{% offer_speed offer %}``: how long the offer takes and how often it fails, from the last 24 hours."""

from __future__ import annotations

from typing import Any

from django import template

from generations.health import MIN_JOBS, offer_health

register = template.Library()


@register.inclusion_tag("generations/_offer_speed.html")
def offer_speed(offer: Any) -> dict[str, Any]:
    health = offer_health().get(offer.pk)
    return {
        "health": health if health is not None and health.known else None,
        "few": health.jobs if health is not None and not health.known else 0,
        "min_jobs": MIN_JOBS,
        "estimate": offer.estimated_seconds,
    }
