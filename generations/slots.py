"""The team's cap on jobs in flight: jobs above it wait in the studio's own queue, in order.

A team may cap how many of its jobs are at the providers at once (``Team.jobs_in_flight_cap``, owners
set it). A capped team's new jobs start as ``waiting`` (their credits held like any job's); a job holds
one of the team's slots from the moment it leaves ``waiting`` until it ends, so nothing is sent to a
provider beyond the cap. :func:`slots_assign` moves the oldest waiting jobs into the free slots, under a
lock on the team's row, so two workers freeing or taking slots at once can never hand out one slot
twice. It runs when a job of the team ends, when a waiting job is looked at, and when owners change the
cap; a waiting job is also looked at again every ``SLOT_RECHECK`` seconds, so a lost wake-up costs at
most that.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.utils import timezone

from accounts.models import Team
from generations.cardstate import card_state_publish
from generations.models import IN_FLIGHT_STATUSES, Generation, Status

SLOT_RECHECK = 30.0  # seconds between two looks at a waiting job, besides the wake-ups
ASSIGN_AT_MOST = 500  # an uncapped team releases its waiting jobs in rounds of this many


def initial_status(team: Team) -> str:
    """The status a new job of ``team`` starts in: waiting for a slot when the team caps jobs in flight."""
    return Status.WAITING if team.jobs_in_flight_cap is not None else Status.QUEUED


def slots_assign(*, team_id: int) -> list[str]:
    """Give the team's free slots to its oldest waiting jobs, oldest first; their public ids.

    Each job given a slot moves to ``queued`` and its deadline moves on by the time it waited (the
    deadline is for the provider's work, not the studio's queue). The caller sends them on.
    """
    with transaction.atomic():
        cap = Team.objects.select_for_update().filter(pk=team_id).values_list("jobs_in_flight_cap", flat=True).first()
        if cap is None:
            free = ASSIGN_AT_MOST  # no cap (it was lifted): every waiting job may go
        else:
            free = cap - Generation.objects.filter(team_id=team_id, status__in=IN_FLIGHT_STATUSES).count()
        if free <= 0:
            return []
        chosen = list(
            Generation.objects.filter(team_id=team_id, status=Status.WAITING)
            .order_by("id")
            .values_list("pk", "public_id")[:free]
        )
        if not chosen:
            return []
        now = timezone.now()
        waited = Value(now, output_field=DateTimeField()) - F("created_at")
        Generation.objects.filter(pk__in=[pk for pk, _ in chosen], status=Status.WAITING).update(
            status=Status.QUEUED,
            next_check_at=now,
            deadline_at=ExpressionWrapper(F("deadline_at") + waited, output_field=DateTimeField()),
        )
        for generation in Generation.objects.filter(pk__in=[pk for pk, _ in chosen]).only("pk", "team_id"):
            card_state_publish(generation)  # the card says it is queued at the provider now
    return [public_id for _, public_id in chosen]


def slots_in_use(*, team_id: int) -> int:
    """How many of the team's jobs hold a slot right now (queued at, running at or saving from a provider)."""
    return Generation.objects.filter(team_id=team_id, status__in=IN_FLIGHT_STATUSES).count()


def jobs_waiting(*, team_id: int) -> int:
    return Generation.objects.filter(team_id=team_id, status=Status.WAITING).count()
