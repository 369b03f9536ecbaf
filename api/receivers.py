"""Reacting to other apps' signals: a finished generation submitted with a callback_url gets its callback."""

from __future__ import annotations

import logging

from api.models import ApiSubmission, CallbackState
from api.tasks import api_callback_deliver_task
from generations.models import Generation
from generations.signals import generation_finished

logger = logging.getLogger(__name__)


def generation_finished_callback(sender, generation: Generation, **kwargs) -> None:
    if not ApiSubmission.objects.filter(generation_id=generation.pk, callback_state=CallbackState.PENDING).exists():
        return
    try:
        api_callback_deliver_task.delay(generation.public_id)
    except Exception:  # the broker is down: the job itself is done, only its callback is lost
        logger.warning("could not enqueue the callback of %s", generation.public_id, exc_info=True)


def connect() -> None:
    generation_finished.connect(generation_finished_callback, dispatch_uid="api.generation_finished_callback")
