"""When a running job's status is read (generations.polling): the schedule, what it is fed, and a real job
in the sandbox read by a real worker."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from catalog.models import Offer
from generations.health import offer_health_forget
from generations.models import Generation, Status
from generations.polling import CAP, EARLY, QUIET_CAP, backoff, expected_seconds, next_read_in, read_plan
from tests.conftest import client_for_team, wait_for
from tests.generations.test_generation_flow import _submit
from tests.generations.test_health import _jobs


def _reads(*, expected: float | None, finish: float, webhook: bool = False) -> tuple[list[float], float]:
    """Drive the schedule against a job that finishes ``finish`` seconds after submit: the reads made
    (seconds after submit) up to the one that sees it finished, and how late that one was."""
    at, polls, reads = 0.0, 0, []
    while True:
        at += next_read_in(elapsed=at, expected=expected, polls=polls, webhook=webhook)
        reads.append(at)
        polls += 1
        if at >= finish:
            return reads, at - finish


def test_a_60_second_job_is_read_three_times_and_seen_half_a_second_after_it_finishes():
    reads, late = _reads(expected=60, finish=60)
    assert reads == [EARLY, 54.0, 60.5]
    assert late == pytest.approx(0.5)


def test_the_plain_backoff_read_the_same_job_seven_times():
    reads, late = _reads(expected=None, finish=60)
    assert len(reads) == 7 and late > 4, "the reason for the schedule"


@pytest.mark.parametrize(("finish", "most"), [(54, 2), (58, 3), (62, 4), (66, 4)])
def test_a_60_second_job_that_runs_a_little_early_or_late_takes_at_most_four_reads(finish, most):
    reads, late = _reads(expected=60, finish=finish)
    assert len(reads) <= most
    assert late <= 6, "w = 6 s either side of the expected finish"


def test_the_reads_bunch_around_the_expected_finish_with_a_window_of_a_tenth():
    assert read_plan(expected=10) == [EARLY, 8.5, 10.5, 11.5]  # w = 1.5 s at least
    assert read_plan(expected=60) == [EARLY, 54.0, 60.5, 66.0]  # w = 6 s


def test_a_quick_failure_is_caught_by_the_early_read():
    reads, _ = _reads(expected=60, finish=0.5)
    assert reads == [EARLY]


def test_after_the_bunch_the_gaps_grow_by_half_up_to_a_minute():
    plan_end = read_plan(expected=60)[-1]
    gaps, at = [], plan_end
    for _ in range(12):
        gap = next_read_in(elapsed=at, expected=60)
        gaps.append(gap)
        at += gap
    assert gaps[:3] == [9.0, 13.5, 20.25]
    assert max(gaps) == CAP and gaps[-1] == CAP


def test_a_read_that_ran_late_goes_to_the_next_planned_read_not_a_full_gap_later():
    assert next_read_in(elapsed=56.0, expected=60) == pytest.approx(4.5)  # planned 54, ran at 56: next 60.5
    assert next_read_in(elapsed=54.1, expected=60) == pytest.approx(6.4), "within ON_TIME counts as that read"


def test_an_offer_without_an_expected_time_keeps_the_plain_backoff():
    assert [next_read_in(elapsed=0, expected=None, polls=n) for n in range(4)] == [2.0, 3.0, 4.5, 6.75]
    assert next_read_in(elapsed=0, expected=None, polls=30) == CAP
    assert [backoff(n) for n in range(3)] == [2.0, 3.0, 4.5]


def test_a_provider_that_calls_back_is_read_early_and_then_only_late():
    assert read_plan(expected=60, webhook=True) == [EARLY, 72.0]  # E + 2w: the call normally came first
    reads, _ = _reads(expected=60, finish=60, webhook=True)
    assert reads == [EARLY, 72.0], "a lost webhook is noticed at the late read"


def test_a_long_quiet_stretch_is_cut_so_the_cards_state_never_expires():
    plan = read_plan(expected=300)
    assert plan[-3:] == [270.0, 300.5, 330.0]
    gaps = [b - a for a, b in pairwise(plan)]
    assert max(gaps) <= QUIET_CAP
    assert len(plan) == 7, "2 s, three in the quiet stretch, then the bunch"


def test_tiny_expected_times_never_plan_two_reads_closer_than_a_second():
    for expected in (0.5, 1, 2, 3, 4, 5, 7):
        plan = read_plan(expected=expected)
        assert plan[0] == EARLY
        assert all(b - a >= 1.0 for a, b in pairwise(plan)), (expected, plan)


# --- what the schedule is fed -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_expected_time_is_the_live_median_once_there_is_one_else_the_catalogs_estimate(people, catalog):
    offer = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")
    assert expected_seconds(offer.pk, None) is None, "no estimate, no jobs: the plain backoff"
    assert expected_seconds(offer.pk, 45) == 45.0
    _jobs(people, "kubflow:nano-banana", seconds=[20, 30, 40])
    offer_health_forget()
    assert expected_seconds(offer.pk, 45) == 30.0, "the studio's own median wins over the estimate"


# --- a real job, a real worker ----------------------------------------------------------------------

DURATION = 20  # the plain backoff reads a 20 s job 5 times and sees it 6.4 s late


@pytest.mark.django_db(transaction=True)
def test_a_job_of_known_duration_is_read_three_times_and_seen_soon_after_it_finishes(
    client, people, catalog, sandbox, celery_worker
):
    Offer.objects.filter(provider__slug="kubflow", model_id="nano-banana").update(estimated_seconds=DURATION)
    member = client_for_team(client, people.owner, people.team)
    public_id = _submit(member, f"a slow tide [sandbox delay={DURATION}]")

    generation = wait_for(
        lambda: Generation.objects.filter(public_id=public_id, status=Status.COMPLETED).first(),
        timeout=DURATION + 30,
        interval=0.2,
        message="the job to complete",
    )
    assert generation.polls <= 3, f"{generation.polls} status reads"
    # The sandbox's job began after submit_started_at, so this is the most it can have been seen late
    # (including the download and the capture).
    finished_by = generation.submit_started_at + timedelta(seconds=DURATION)
    assert generation.finished_at - finished_by <= timedelta(seconds=2)


@pytest.mark.django_db(transaction=True)
def test_a_job_that_fails_at_once_is_seen_failed_at_the_early_read(client, people, catalog, sandbox, celery_worker):
    Offer.objects.filter(provider__slug="kubflow", model_id="nano-banana").update(estimated_seconds=60)
    member = client_for_team(client, people.owner, people.team)
    public_id = _submit(member, "a storm [sandbox fail=provider delay=0.2]")

    generation = wait_for(
        lambda: Generation.objects.filter(public_id=public_id, status=Status.FAILED).first(),
        timeout=30,
        interval=0.2,
        message="the job to fail",
    )
    # Without the early read the first one would come at 54 s (E − w).
    assert generation.finished_at - generation.submit_started_at < timedelta(seconds=EARLY + 2)
