"""A change to a team's boards changes its pages (project.stamps). Generations themselves bump
through generations.cardstate, where the pipeline publishes every change of a job."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from generations.models import Board, BoardItem
from project.stamps import stamps_bump, team_stamp


@receiver([post_save, post_delete], sender=Board)
def board_changed(sender: type[Board], instance: Board, **kwargs: Any) -> None:
    stamps_bump(team_stamp(instance.team_id))


@receiver([post_save, post_delete], sender=BoardItem)
def board_item_changed(sender: type[BoardItem], instance: BoardItem, **kwargs: Any) -> None:
    stamps_bump(team_stamp(instance.board.team_id))
