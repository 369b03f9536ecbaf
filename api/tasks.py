"""Celery tasks for the API: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from api.services import callback_deliver, callbacks_lost


@shared_task(acks_late=True, ignore_result=True)
def api_callback_deliver_task(public_id: str) -> None:
    """One delivery try; the next one is scheduled with backoff. Bounded by the submission's attempt count."""
    next_in = callback_deliver(public_id=public_id)
    if next_in is not None:
        api_callback_deliver_task.apply_async(args=[public_id], countdown=next_in)


@shared_task(ignore_result=True)
def api_callbacks_sweep_task() -> None:
    """Send again the callback tries whose task was lost (beat runs this with the generations' sweep)."""
    for public_id in callbacks_lost():
        api_callback_deliver_task.delay(public_id)
