"""Between tasks a worker keeps its database connection only when the task left it clean (project/celery.py).

Each task here runs through Celery's own tracer as a worker runs it (not eagerly), so the prerun and postrun
signals fire as in a worker; the database is the test PostgreSQL, outside any test transaction.
"""

from __future__ import annotations

import uuid

import pytest
from celery.app.trace import build_tracer
from django.db import connection

from project.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


def _run(body) -> None:
    """Run ``body`` as a task the way a worker does (prerun, the task, postrun)."""

    def probe():
        body()

    task = app.task(name=f"tests.connection_probe.{uuid.uuid4().hex[:8]}", shared=False)(probe)
    try:
        trace = build_tracer(task.name, task, app=app, eager=False, propagate=False)
        task_id = uuid.uuid4().hex
        trace(task_id, (), {}, {"id": task_id, "is_eager": False})
    finally:
        app.tasks.pop(task.name, None)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_task_that_succeeded_leaves_its_connection_open_for_the_next():
    pids = []
    _run(lambda: pids.append(_backend_pid()))
    assert connection.connection is not None, "kept for the next task"
    _run(lambda: pids.append(_backend_pid()))
    assert pids[0] == pids[1], "the second task ran on the same PostgreSQL session"


def test_a_task_that_failed_closes_its_connection():
    def fails():
        _backend_pid()
        raise RuntimeError("cut off (a time limit, a bug)")

    _run(fails)
    assert connection.connection is None


def test_a_task_that_left_a_transaction_open_closes_its_connection():
    def leaves_a_transaction_open():
        connection.ensure_connection()
        connection.connection.execute("BEGIN")
        connection.connection.execute("SELECT 1")

    _run(leaves_a_transaction_open)
    assert connection.connection is None


def test_a_connection_older_than_conn_max_age_is_replaced():
    first = _backend_pid()
    connection.close_at = 0  # as if CONN_MAX_AGE had passed since it opened
    pids = []
    _run(lambda: pids.append(_backend_pid()))
    assert pids[0] != first
