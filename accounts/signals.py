"""Drop cached principals (``accounts.principal``) and cached team pages (``project.stamps``) when
what they show changes."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from accounts.lockouts import login_failures_forget
from accounts.models import Membership, Team, User
from accounts.principal import principal_forget_team, principal_forget_users
from project.stamps import stamps_bump, team_stamp

# Sent by accounts.services.team_create inside its transaction, with ``team``: the apps above accounts
# give a new team what it needs of theirs (billing: its wallet) without accounts knowing who they are.
team_created = Signal()


@receiver([post_save, post_delete], sender=User)
def user_changed(sender: type[User], instance: User, **kwargs: Any) -> None:
    principal_forget_users(user_ids=[instance.pk])


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    principal_forget_users(user_ids=[instance.user_id])
    stamps_bump(team_stamp(instance.team_id))  # the member filter, the nav for their role


@receiver([post_save, post_delete], sender=Team)
def team_changed(sender: type[Team], instance: Team, **kwargs: Any) -> None:
    principal_forget_team(instance)  # and its pages


@receiver(user_logged_in)
def user_signed_in(sender: Any, user: User, **kwargs: Any) -> None:
    login_failures_forget(username=user.get_username())  # accounts.lockouts
