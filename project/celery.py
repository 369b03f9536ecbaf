"""The Celery application. Tasks take ids, are idempotent and are enqueued on commit."""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _sweep_at_start(sender, **kwargs) -> None:
    """Beat's interval schedules first fire one interval after it starts; the sweep also runs right away,
    so a freshly started studio is ready (/readyz sees beat) within seconds, not a whole interval later."""
    sender.app.send_task("generations.tasks.generations_sweep_task")


# --- database connections between tasks ------------------------------------------
# Celery's Django fix-up closes the connection after every task unless CELERY_DB_REUSE_MAX is set (settings:
# it is, so it closes only every that many tasks). A new PostgreSQL connection costs ~4.5 ms, more than
# a whole step of most jobs, so between tasks the connections follow Django's own request cycle instead:
# kept for CONN_MAX_AGE, checked (CONN_HEALTH_CHECKS) before the next task's first query, and closed at
# once after a task that did not succeed or that left it anything but idle. That last rule is what the
# fix-up's own reuse lacked (celery/celery#9824): a query cut off by a time limit leaves a connection Django
# still thinks usable; here the task failed, so its connection goes.


@task_prerun.connect
def _connections_check_before_task(task=None, **kwargs) -> None:
    if getattr(task.request, "is_eager", False):
        return  # run inline by its caller, inside the caller's own connection use
    from django.db import close_old_connections

    close_old_connections()  # too old, or broken by errors: closed; else checked before its first query


@task_postrun.connect
def _connections_keep_only_clean(task=None, state: str | None = None, **kwargs) -> None:
    if getattr(task.request, "is_eager", False):
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if state != "SUCCESS" or not _idle(connection):
            connection.close()
        else:
            connection.close_if_unusable_or_obsolete()


def _idle(connection) -> bool:
    """True when the connection is closed or open with nothing in progress and no transaction."""
    if connection.connection is None:
        return True
    if connection.in_atomic_block or connection.errors_occurred:
        return False
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status == TransactionStatus.IDLE
