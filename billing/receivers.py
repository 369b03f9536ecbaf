"""A change to a team's credits or limits changes its pages (project.stamps); a new team gets its wallet."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Team
from billing.models import LedgerEntry, MemberLimit, TeamLimits
from billing.services import wallet_create
from project.stamps import stamps_bump, team_stamp


@receiver(post_save, sender=LedgerEntry)
def ledger_entry_written(sender: type[LedgerEntry], instance: LedgerEntry, **kwargs: Any) -> None:
    stamps_bump(team_stamp(instance.wallet.team_id))  # every change of a balance is an entry


@receiver([post_save, post_delete], sender=TeamLimits)
def team_limits_changed(sender: type[TeamLimits], instance: TeamLimits, **kwargs: Any) -> None:
    stamps_bump(team_stamp(instance.team_id))


@receiver([post_save, post_delete], sender=MemberLimit)
def member_limit_changed(sender: type[MemberLimit], instance: MemberLimit, **kwargs: Any) -> None:
    stamps_bump(team_stamp(instance.membership.team_id))


def team_wallet_create(sender: type[Team], team: Team, **kwargs: Any) -> None:
    """Every team has a wallet from its first transaction on (accounts.signals.team_created)."""
    wallet_create(team=team)
