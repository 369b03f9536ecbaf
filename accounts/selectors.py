"""Reads for users and teams."""

from __future__ import annotations

from django.db.models import Case, QuerySet, When
from django.http import Http404
from django.utils import timezone

from accounts.models import AuditEvent, Invite, Membership, Role, Team, User


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("team").order_by("-team__personal", "team__name")


def members_for_team(*, team: Team) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(team=team)
        .select_related("user", "spend_limit")
        .order_by(Case(*[When(role=role, then=i) for i, role in enumerate(Role.values)]), "user__username")
    )


def membership_in_team(*, team: Team, public_id: str) -> Membership:
    """A membership of ``team``, or 404: other teams' members don't exist for this user."""
    membership = Membership.objects.select_related("team", "user").filter(team=team, public_id=public_id).first()
    if membership is None:
        raise Http404("No such member")
    return membership


def invites_pending(*, team: Team) -> QuerySet[Invite]:
    return Invite.objects.filter(
        team=team, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("created_by")


def invite_in_team(*, team: Team, public_id: str) -> Invite:
    invite = Invite.objects.select_related("team").filter(team=team, public_id=public_id).first()
    if invite is None:
        raise Http404("No such invite")
    return invite


def audit_for_team(*, team: Team) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(team=team).select_related("actor")
