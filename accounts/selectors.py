"""Reads for users and teams."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Membership, User


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("team").order_by("-team__personal", "team__name")


def membership_for(*, user: User, team_slug: str | None) -> Membership | None:
    """The user's membership in the team they chose, else in their first team."""
    memberships = memberships_for_user(user=user)
    if team_slug:
        chosen = memberships.filter(team__slug=team_slug).first()
        if chosen:
            return chosen
    return memberships.first()
