"""The gallery's actions on a job: cancel, delete (its files removed by a task), favourites, boards."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Team, User
from generations.cardstate import card_state_publish
from generations.models import ACTIVE_STATUSES, Asset, Board, BoardItem, Favourite, Generation, Status
from generations.services.pipeline import FILES_REMOVE_TASK, _finish, _provider_cancel
from project.stamps import stamps_bump, team_stamp

logger = logging.getLogger(__name__)


# --- the gallery's actions: cancel, delete, favourites, boards -------------------


def generation_cancel(*, generation: Generation, user: User) -> bool:
    """Stop an unfinished job: the provider is asked to stop where it can, then the job ends as cancelled.

    The hold is released by :func:`_finish` like any unsuccessful end. False when
    the job had already finished: the conditional update in ``_finish`` settles a
    race with the worker, so a job is never both completed and cancelled.
    """
    if generation.status not in ACTIVE_STATUSES:
        return False
    _provider_cancel(generation)  # if the provider keeps running it, the studio stops following and charges nothing
    cancelled = _finish(generation, Status.CANCELLED, "cancelled_by_user", f"Cancelled by {user.get_username()}.")
    if cancelled:
        _gallery_audit("generation.cancel", generation, user, f"Cancelled {generation.public_id}")
    return cancelled


def _gallery_audit(action: str, generation: Generation, user: User, summary: str) -> None:
    audit_record(
        action=action, team=generation.team, actor=user, summary=summary, detail={"generation": generation.public_id}
    )


def generation_delete(*, generation: Generation, user: User) -> bool:
    """Hide a generation at once (cancelling it first if unfinished); its files are removed by a task."""
    if generation.status in ACTIVE_STATUSES:
        generation_cancel(generation=generation, user=user)
    with transaction.atomic():
        updated = Generation.objects.filter(pk=generation.pk, deleted_at__isnull=True).update(deleted_at=timezone.now())
        if updated:
            card_state_publish(generation)
            _gallery_audit("generation.delete", generation, user, f"Deleted {generation.public_id}")
            transaction.on_commit(partial(current_app.send_task, FILES_REMOVE_TASK, args=[generation.public_id]))
    return bool(updated)


def generation_files_remove(*, public_id: str) -> float | None:
    """Remove a deleted generation's files and their rows; idempotent.

    Returns the seconds to wait instead when a worker still holds the job's lease
    (it could be storing a file right now).
    """
    generation = Generation.objects.filter(public_id=public_id, deleted_at__isnull=False).first()
    if generation is None:
        return None
    now = timezone.now()
    if generation.lease_expires_at and generation.lease_expires_at > now:
        return (generation.lease_expires_at - now).total_seconds() + 1
    assets = list(Asset.objects.filter(generation=generation))
    for asset in assets:
        for stored in (asset.file, asset.thumbnail):
            if stored:
                stored.storage.delete(stored.name)
    Asset.objects.filter(pk__in=[a.pk for a in assets]).delete()
    return None


FILES_REMOVAL_GRACE = timedelta(minutes=10)


def generations_files_remove_stale(*, now=None, limit: int = 200) -> int:
    """Remove the files of generations deleted a while ago that still have them: their removal task was
    lost (the broker was down when the delete committed) or gave up waiting for a worker (the sweeper).
    Returns how many generations were cleared."""
    cutoff = (now or timezone.now()) - FILES_REMOVAL_GRACE
    stale = (
        Generation.objects.filter(deleted_at__lt=cutoff, assets__isnull=False)
        .values_list("public_id", flat=True)
        .distinct()[:limit]
    )
    return sum(generation_files_remove(public_id=public_id) is None for public_id in list(stale))


def favourite_set(*, generation: Generation, user: User, on: bool) -> bool:
    """Mark or unmark a generation as one of the user's favourites; returns the new state."""
    if on:
        Favourite.objects.bulk_create([Favourite(user=user, generation=generation)], ignore_conflicts=True)
    else:
        Favourite.objects.filter(user=user, generation=generation).delete()
    stamps_bump(team_stamp(generation.team_id))
    return on


class BoardError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _board_name(name: str) -> str:
    clean = " ".join((name or "").split())[:80]
    if not clean:
        raise BoardError("Give the board a name.")
    return clean


def board_create(*, team: Team, user: User, name: str) -> Board:
    """A new board in the team; BoardError when the name is empty or taken (any case)."""
    clean = _board_name(name)
    try:
        with transaction.atomic():
            return Board.objects.create(team=team, name=clean, created_by=user)
    except IntegrityError:
        raise BoardError(f"There is already a board called “{clean}”.") from None


def board_rename(*, board: Board, name: str) -> Board:
    clean = _board_name(name)
    board.name = clean
    try:
        with transaction.atomic():
            board.save(update_fields=["name", "updated_at"])
    except IntegrityError:
        raise BoardError(f"There is already a board called “{clean}”.") from None
    return board


def board_delete(*, board: Board) -> None:
    """Delete the board; its generations stay in the gallery."""
    board.delete()


def board_add(*, board: Board, generation: Generation, user: User) -> bool:
    """Put a generation on a board of the same team; False when it was already there."""
    if board.team_id != generation.team_id:
        raise BoardError("That board belongs to another team.")
    try:
        with transaction.atomic():
            _, created = BoardItem.objects.get_or_create(
                board=board, generation=generation, defaults={"added_by": user}
            )
    except IntegrityError:  # added at the same moment by someone else
        return False
    return created


def board_remove(*, board: Board, generation: Generation) -> bool:
    deleted, _ = BoardItem.objects.filter(board=board, generation=generation).delete()
    return bool(deleted)
