"""Outgoing callbacks: signed, retried with backoff, bounded, and only to URLs that pass the SSRF check."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from api.models import ApiSubmission, CallbackState
from api.services import CALLBACK_SWEEP_GRACE, callback_deliver, callback_retry_delay, callbacks_lost
from api.tasks import api_callbacks_sweep_task
from generations.models import Generation, Status
from generations.services.pipeline import _finish
from tests.conftest import completed_generation_with_file, wait_for

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP endpoint that records callbacks and answers with the statuses it is given."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/studio"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    def make(*statuses: int) -> Receiver:
        made = Receiver(list(statuses))
        settings.OUTBOUND_URL_ALLOWLIST = [*settings.OUTBOUND_URL_ALLOWLIST, f"127.0.0.1:{made.server.server_port}"]
        opened.append(made)
        return made

    opened: list[Receiver] = []
    yield make
    for made in opened:
        made.close()


def _finished_generation(api, url: str, status: str = Status.COMPLETED) -> Generation:
    response = api.post("/generations", {"model": "nano-banana", "prompt": "a fox", "callback_url": url})
    assert response.status_code == 201, response.content
    generation = Generation.objects.get(public_id=response.json()["generation_id"])
    _finish(generation, status, *(("provider_failed", "The model refused.") if status == Status.FAILED else ()))
    return generation


def due(generation: Generation, next_in: float | None) -> None:
    """The retry was scheduled ``next_in`` seconds ahead; now its time has come."""
    submission = ApiSubmission.objects.get(generation=generation)
    ahead = (submission.callback_next_at - timezone.now()).total_seconds()
    assert next_in is not None and next_in - 2 <= ahead <= next_in, (next_in, ahead)
    ApiSubmission.objects.filter(pk=submission.pk).update(callback_next_at=timezone.now())


def test_callback_is_signed_with_the_keys_secret(api, catalog, receiver, owner_key):
    hook = receiver(200)
    generation = _finished_generation(api, hook.url)

    assert callback_deliver(public_id=generation.public_id) is None
    ((headers, body),) = hook.received
    timestamp = headers["x-studio-timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    expected = hmac.new(
        owner_key.api_key.callback_secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-studio-signature"], f"sha256={expected}")
    assert headers["content-type"] == "application/json"
    payload = json.loads(body)
    assert payload["event"] == "generation.finished"
    assert payload["generation_id"] == generation.public_id
    assert payload["status"] == "completed"
    assert payload["status_url"] == f"http://testserver/api/v1/generations/{generation.public_id}"
    submission = ApiSubmission.objects.get(generation=generation)
    assert (submission.callback_state, submission.callback_attempts) == (CallbackState.DELIVERED, 1)
    assert callback_deliver(public_id=generation.public_id) is None
    assert len(hook.received) == 1, "a delivered callback is not sent again"


def test_a_failed_generation_is_reported_too(api, catalog, receiver):
    hook = receiver(204)
    generation = _finished_generation(api, hook.url, Status.FAILED)
    callback_deliver(public_id=generation.public_id)
    payload = json.loads(hook.received[0][1])
    assert (payload["status"], payload["error"], payload["error_code"]) == (
        "failed",
        "The model refused.",
        "provider_failed",
    )


def test_temporary_failures_are_retried_with_backoff(api, catalog, receiver):
    hook = receiver(503, 429)
    generation = _finished_generation(api, hook.url)

    first = callback_deliver(public_id=generation.public_id)
    due(generation, first)
    second = callback_deliver(public_id=generation.public_id)
    due(generation, second)
    assert first is not None and second is not None
    assert 10 <= first <= 20 and 20 <= second <= 40, "exponential backoff with jitter"
    assert callback_deliver(public_id=generation.public_id) is None
    submission = ApiSubmission.objects.get(generation=generation)
    assert (submission.callback_state, submission.callback_attempts) == (CallbackState.DELIVERED, 3)
    deliveries = [headers["x-studio-delivery"] for headers, _ in hook.received]
    assert deliveries == [f"{generation.public_id}.{n}" for n in (1, 2, 3)]


def test_retries_are_bounded(api, catalog, receiver, settings):
    settings.API_CALLBACK_MAX_ATTEMPTS = 2
    hook = receiver(500, 500, 500)
    generation = _finished_generation(api, hook.url)
    due(generation, callback_deliver(public_id=generation.public_id))
    assert callback_deliver(public_id=generation.public_id) is None
    submission = ApiSubmission.objects.get(generation=generation)
    assert submission.callback_state == CallbackState.FAILED
    assert submission.callback_last_status == 500
    assert callback_deliver(public_id=generation.public_id) is None
    assert len(hook.received) == 2


def test_a_client_error_is_not_retried(api, catalog, receiver):
    hook = receiver(404)
    generation = _finished_generation(api, hook.url)
    assert callback_deliver(public_id=generation.public_id) is None
    assert ApiSubmission.objects.get(generation=generation).callback_state == CallbackState.FAILED


def test_a_url_that_became_unsafe_is_not_called(api, catalog, receiver, settings):
    hook = receiver()
    generation = _finished_generation(api, hook.url)
    settings.OUTBOUND_URL_ALLOWLIST = []  # 127.0.0.1 is private: refused at delivery as at submit
    assert callback_deliver(public_id=generation.public_id) is None
    assert hook.received == []
    assert ApiSubmission.objects.get(generation=generation).callback_state == CallbackState.FAILED


def test_an_unfinished_generation_sends_nothing(api, catalog, receiver):
    hook = receiver()
    response = api.post("/generations", {"model": "nano-banana", "prompt": "a fox", "callback_url": hook.url})
    assert callback_deliver(public_id=response.json()["generation_id"]) is None
    assert hook.received == []


def test_backoff_grows_and_is_capped():
    delays = [callback_retry_delay(n) for n in range(1, 12)]
    assert delays[0] < delays[3]
    assert max(delays) <= 600 * 1.2


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_the_callback_when_the_job_ends(rich_people, running_jobs, http):
    # The sandbox is the one local address both the studio and the worker may call; its health URL answers 200.
    response = http.post(
        "/api/v1/generations",
        json={"model": "nano-banana", "prompt": "a fox", "callback_url": f"{running_jobs.url}/_sandbox/health"},
    )
    assert response.status_code == 201, response.text
    public_id = response.json()["generation_id"]

    def delivered():
        submission = ApiSubmission.objects.get(generation__public_id=public_id)
        return submission if submission.callback_state != CallbackState.PENDING else None

    submission = wait_for(delivered, timeout=60, interval=0.3, message="the callback")
    assert submission.callback_state == CallbackState.DELIVERED
    assert submission.callback_last_status == 200
    assert http.get(f"/api/v1/generations/{public_id}").json()["status"] == "completed"


def test_a_try_that_is_not_due_yet_does_nothing(api, catalog, receiver):
    """A second task for the same try (a redelivery, or the sweep's) before the retry is due sends nothing."""
    hook = receiver(503, 200)
    generation = _finished_generation(api, hook.url)
    next_in = callback_deliver(public_id=generation.public_id)
    assert callback_deliver(public_id=generation.public_id) is None
    assert len(hook.received) == 1 and ApiSubmission.objects.get(generation=generation).callback_attempts == 1
    due(generation, next_in)
    assert callback_deliver(public_id=generation.public_id) is None
    assert len(hook.received) == 2
    assert ApiSubmission.objects.get(generation=generation).callback_state == CallbackState.DELIVERED


def test_the_sweep_finds_tries_whose_task_was_lost(api, catalog, receiver):
    hook = receiver(503)
    now = timezone.now()
    long_ago = now - CALLBACK_SWEEP_GRACE - timedelta(minutes=1)
    never_sent = _finished_generation(api, hook.url)  # its task was never enqueued (the broker was down)
    just_finished = _finished_generation(api, hook.url)  # its task may still be on its way
    retrying = _finished_generation(api, hook.url)
    retry_lost = _finished_generation(api, hook.url)
    running = api.post("/generations", {"model": "nano-banana", "prompt": "a fox", "callback_url": hook.url}).json()
    Generation.objects.filter(pk__in=[never_sent.pk, retrying.pk, retry_lost.pk]).update(finished_at=long_ago)
    ApiSubmission.objects.filter(generation=retrying).update(callback_next_at=now + timedelta(seconds=30))
    ApiSubmission.objects.filter(generation=retry_lost).update(callback_next_at=long_ago)

    assert sorted(callbacks_lost(now=now)) == sorted([never_sent.public_id, retry_lost.public_id])
    assert running["generation_id"] not in callbacks_lost(now=now)
    assert callbacks_lost(now=now) == [], "marked due again: the next sweep waits as long again"
    later = callbacks_lost(now=now + CALLBACK_SWEEP_GRACE + timedelta(seconds=1))
    expected = [never_sent.public_id, retry_lost.public_id, just_finished.public_id]
    assert sorted(later) == sorted(expected), "a grace later: still lost, and the one that had just finished too"
    assert hook.received == [], "the sweep sends nothing itself: it hands the tries to the worker"


@pytest.mark.django_db(transaction=True)
def test_a_lost_callback_is_delivered_by_the_worker_after_the_sweep(rich_people, running_jobs, owner_key):
    generation, _ = completed_generation_with_file(team=rich_people.team, user=rich_people.owner)
    Generation.objects.filter(pk=generation.pk).update(finished_at=timezone.now() - timedelta(minutes=10))
    ApiSubmission.objects.create(  # finished, its callback pending, and no task for it anywhere
        generation=generation,
        api_key=owner_key.api_key,
        request_hash="0" * 64,
        callback_url=f"{running_jobs.url}/_sandbox/health",
        base_url="http://testserver",
        callback_state=CallbackState.PENDING,
    )

    api_callbacks_sweep_task()  # what beat runs every SWEEP_INTERVAL_SECONDS

    def delivered():
        submission = ApiSubmission.objects.get(generation=generation)
        return submission if submission.callback_state != CallbackState.PENDING else None

    submission = wait_for(delivered, timeout=60, interval=0.3, message="the swept callback")
    assert (submission.callback_state, submission.callback_last_status) == (CallbackState.DELIVERED, 200)
