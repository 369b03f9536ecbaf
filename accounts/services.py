"""Writes for users and teams."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Membership, Role, Team, User
from billing.services import wallet_create
from project.ids import public_id


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60] or "team"
    slug = base
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{public_id('x')[2:8].lower()}"
    return slug


@transaction.atomic
def team_create(*, name: str, owner: User, personal: bool = False, slug: str | None = None) -> Team:
    team = Team.objects.create(name=name, slug=slug or _unique_slug(name), personal=personal)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    wallet_create(team=team)
    return team


@transaction.atomic
def user_signup(*, username: str, email: str, password: str) -> User:
    """Create a user with a personal team of their own."""
    user = User.objects.create_user(username=username, email=email, password=password)
    team_create(name=f"{username}'s team", owner=user, personal=True)
    return user


def membership_add(*, team: Team, user: User, role: str = Role.MEMBER) -> Membership:
    membership, _ = Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    return membership
