"""The Celery application. Tasks take ids, are idempotent and are enqueued on commit."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("studio")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def _sweep_at_start(sender, **kwargs) -> None:
    """Beat's interval schedules first fire one interval after it starts; the sweep also runs right away,
    so a freshly started studio is ready (/readyz sees beat) within seconds, not a whole interval later."""
    sender.app.send_task("generations.tasks.generations_sweep_task")
