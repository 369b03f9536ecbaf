"""Celery tasks: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from billing.services import holds_expire
from generations.reconcile import provider_accounts_read
from generations.services.gallery import generation_files_remove, generations_files_remove_stale
from generations.services.pipeline import generation_advance, generations_resume_stale
from project.health import beat_seen


@shared_task(acks_late=True, ignore_result=True)
def generation_advance_task(public_id: str) -> None:
    generation_advance(public_id=public_id)


@shared_task(ignore_result=True)
def generations_sweep_task() -> None:
    """Resume jobs a crashed worker left behind, expire holds nobody resolved, and remove deleted
    generations' files whose removal task was lost."""
    beat_seen()  # /readyz: beat scheduled this and a worker ran it
    generations_resume_stale()
    holds_expire()
    generations_files_remove_stale()


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=20)
def generation_files_remove_task(self, public_id: str) -> None:
    """Remove a deleted generation's files; waits while a worker still holds the job."""
    wait = generation_files_remove(public_id=public_id)
    if wait is not None:
        raise self.retry(countdown=min(wait, 300))


@shared_task(ignore_result=True)
def provider_accounts_read_task() -> None:
    """Read the providers' own accounts (where their docs offer one) for reconciliation."""
    provider_accounts_read()
