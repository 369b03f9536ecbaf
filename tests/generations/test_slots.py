"""The team's cap on jobs in flight: never more at the providers than the cap, the rest wait in order."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Team
from accounts.services import JobsCapError, team_jobs_cap_set
from billing.models import Wallet
from billing.services import credits_grant
from catalog.selectors import offer_by_key
from generations.models import ACTIVE_STATUSES, Generation, Status
from generations.services.gallery import generation_cancel
from generations.services.pipeline import team_slots_fill
from generations.services.submission import generation_submit
from tests.conftest import client_for_team, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _nano(prompt: str) -> dict:
    return {"prompt": prompt, "aspect_ratio": "1:1"}


def _all_final(team, count: int, timeout: float = 120) -> list[Generation]:
    def final():
        jobs = list(Generation.objects.filter(team=team).order_by("id"))
        return jobs if len(jobs) == count and all(j.status not in ACTIVE_STATUSES for j in jobs) else None

    return wait_for(final, timeout=timeout, interval=0.25, message=f"{count} jobs to finish")


def _most_at_once(jobs: list[Generation]) -> int:
    """The most jobs that were at the provider at the same moment: from each one's submit to its end."""
    events = sorted([(j.submit_started_at, 1) for j in jobs] + [(j.finished_at, -1) for j in jobs])
    at_once = most = 0
    for _, step in events:  # an end sorts before a start at the same instant
        at_once += step
        most = max(most, at_once)
    return most


def test_fifty_concurrent_submits_with_a_cap_of_five_never_send_more_than_five(people, catalog, sandbox, celery_worker):
    credits_grant(team=people.team, amount=Decimal("200"), reason="for fifty jobs")
    team_jobs_cap_set(team=people.team, actor=people.owner, cap=5)
    offer = offer_by_key(key="kubflow:nano-banana")
    barrier = threading.Barrier(50)
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        try:
            team = Team.objects.get(pk=people.team.pk)
            barrier.wait()
            generation_submit(team=team, user=people.owner, offer=offer, params=_nano(f"shoe {n} [sandbox delay=0.5]"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

    jobs = _all_final(people.team, 50, timeout=180)
    assert {j.status for j in jobs} == {Status.COMPLETED}
    assert all(j.submit_started_at is not None for j in jobs)
    assert _most_at_once(jobs) <= 5
    assert _most_at_once(jobs) >= 2, "the cap lets several run at once, not one by one"
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("100"), Decimal("0"))  # 300 - 50 × 4


def test_waiting_jobs_start_in_order_say_so_on_their_card_and_go_as_soon_as_a_slot_frees(
    client, people, catalog, sandbox, celery_worker
):
    team_jobs_cap_set(team=people.team, actor=people.owner, cap=1)
    offer = offer_by_key(key="kubflow:nano-banana")
    team = Team.objects.get(pk=people.team.pk)
    slow = generation_submit(team=team, user=people.owner, offer=offer, params=_nano("slow [sandbox delay=60]"))
    queued = [
        generation_submit(team=team, user=people.owner, offer=offer, params=_nano(f"next {n} [sandbox delay=0.5]"))
        for n in range(3)
    ]
    wait_for(
        lambda: Generation.objects.get(pk=slow.pk).status == Status.RUNNING, timeout=30, message="the first to run"
    )
    assert set(Generation.objects.filter(pk__in=[g.pk for g in queued]).values_list("status", flat=True)) == {
        Status.WAITING
    }
    client = client_for_team(client, people.owner, people.team)
    card = client.get(f"/g/{queued[0].public_id}/card/").content.decode()
    assert 'data-status="waiting"' in card and "Waiting for a slot" in card
    assert Wallet.objects.get(team=people.team).held == Decimal("16"), "waiting jobs hold their credits"

    generation_cancel(generation=Generation.objects.get(pk=slow.pk), user=people.owner)  # its slot frees
    jobs = _all_final(people.team, 4, timeout=60)
    rest = [j for j in jobs if j.pk != slow.pk]
    assert [j.status for j in rest] == [Status.COMPLETED] * 3
    starts = [j.submit_started_at for j in rest]
    assert starts == sorted(starts), "they started in the order they were submitted"
    assert _most_at_once(rest) == 1
    # The first waiting job went when the slot freed, not at the next periodic look (30 s later).
    cancelled_at = Generation.objects.get(pk=slow.pk).finished_at
    assert (rest[0].submit_started_at - cancelled_at).total_seconds() < 10


def test_lifting_the_cap_starts_every_waiting_job(people, catalog, sandbox, celery_worker):
    team_jobs_cap_set(team=people.team, actor=people.owner, cap=1)
    offer = offer_by_key(key="kubflow:nano-banana")
    team = Team.objects.get(pk=people.team.pk)
    jobs = [
        generation_submit(team=team, user=people.owner, offer=offer, params=_nano(f"job {n} [sandbox delay=20]"))
        for n in range(3)
    ]
    wait_for(
        lambda: Generation.objects.filter(pk__in=[j.pk for j in jobs], status=Status.WAITING).count() == 2,
        timeout=30,
        message="two waiting",
    )
    team_jobs_cap_set(team=team, actor=people.owner, cap=None)
    started = team_slots_fill(team_id=team.pk)
    # Nothing waits once the call returns. On a busy worker a waiting job's own step (its first, still
    # queued when the cap was lifted, or its look every SLOT_RECHECK s) may take the freed slots first;
    # then the call found fewer to start, never more.
    assert Generation.objects.filter(pk__in=[j.pk for j in jobs], status=Status.WAITING).count() == 0
    assert started <= 2
    wait_for(
        lambda: Generation.objects.filter(pk__in=[j.pk for j in jobs], status=Status.RUNNING).count() == 3,
        timeout=30,
        message="all three running",
    )
    for job in jobs:
        generation_cancel(generation=Generation.objects.get(pk=job.pk), user=people.owner)


@pytest.mark.parametrize("cap", [0, 101, -1])
def test_a_cap_out_of_range_is_refused(people, cap):
    with pytest.raises(JobsCapError):
        team_jobs_cap_set(team=people.team, actor=people.owner, cap=cap)
    assert Team.objects.get(pk=people.team.pk).jobs_in_flight_cap is None
