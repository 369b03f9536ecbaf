"""Batches: 1-8 variations of one request, the total known first, refused whole, one hold per job."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import Hold, HoldState, LedgerEntry, Wallet
from billing.services import InsufficientCredits, SpendLimitExceeded, member_limit_set
from catalog.pricing import QuoteError
from catalog.selectors import offer_by_key
from catalog.services import catalog_sync, price_quote
from generations.batches import (
    batch_cancel_rest,
    batch_create,
    batch_plan,
    batch_progress,
    batch_rerun,
    variation_params,
)
from generations.measure import MediaMeter
from generations.models import Batch, Generation, Status
from tests.conftest import wait_for

NANO = {"prompt": "an orange running shoe, studio light", "aspect_ratio": "16:9"}


@pytest.fixture
def two_providers(db) -> None:
    catalog_sync(providers=["kubflow", "krea"])


def _nothing_held(team) -> None:
    assert not Batch.objects.filter(team=team).exists()
    assert not Generation.objects.filter(team=team).exists()
    assert not Hold.objects.filter(wallet__team=team).exists()
    assert Wallet.objects.get(team=team).held == 0


# --- the variations and their price ----------------------------------------------------------


@pytest.mark.django_db
def test_each_variation_gets_its_own_seed_where_the_model_takes_one(two_providers):
    flux = offer_by_key(key="krea:flux-1-dev")
    typed = variation_params(offer=flux, params={"prompt": "a fox", "seed": 41}, count=4)
    assert [v["seed"] for v in typed] == [41, 42, 43, 44]
    assert all(v["prompt"] == "a fox" for v in typed)
    drawn = variation_params(offer=flux, params={"prompt": "a fox"}, count=8)
    seeds = [v["seed"] for v in drawn]
    assert len(set(seeds)) == 8 and all(1 <= s <= 2**31 - 1 for s in seeds)

    nano = offer_by_key(key="kubflow:nano-banana")  # no seed field: the same request four times
    assert variation_params(offer=nano, params=NANO, count=4) == [NANO] * 4


@pytest.mark.django_db
def test_the_plan_totals_every_variations_own_quote(two_providers):
    nano = offer_by_key(key="kubflow:nano-banana")
    plan = batch_plan(offer=nano, params=NANO, count=4, meter=MediaMeter(team=None, fetch=False))
    each = price_quote(offer=nano, params=NANO).credits
    assert each == Decimal("4")  # the documented 4 credits
    assert plan.total == 4 * each == Decimal("16")
    assert plan.summary == "4 × 4 credits = 16"
    for count in (0, 9, -1):
        with pytest.raises(QuoteError) as refused:
            batch_plan(offer=nano, params=NANO, count=count, meter=MediaMeter(team=None, fetch=False))
        assert refused.value.code == "invalid_params"


# --- submitting: one batch, one job and one hold per variation, or nothing ----------------------


@pytest.mark.django_db
def test_create_makes_one_job_and_one_hold_per_variation(people, two_providers):
    nano = offer_by_key(key="kubflow:nano-banana")
    batch = batch_create(team=people.team, user=people.teammate, offer=nano, params=NANO, count=4)

    jobs = list(batch.generations.order_by("batch_index"))
    assert [j.batch_index for j in jobs] == [0, 1, 2, 3]
    assert all(j.status == Status.QUEUED and j.params == NANO and j.created_by == people.teammate for j in jobs)
    holds = {h.generation_id: h.amount for h in Hold.objects.filter(generation__batch=batch)}
    assert holds == {j.pk: Decimal("4") for j in jobs}  # each its own part of the total
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("100"), Decimal("16"))
    assert (batch.count, batch.offer, batch.params) == (4, nano, NANO)


@pytest.mark.django_db
def test_a_batch_that_does_not_fit_the_balance_is_refused_whole(people, two_providers):
    nano = offer_by_key(key="kubflow:nano-banana")
    Wallet.objects.filter(team=people.team).update(balance=Decimal("15"))  # 3 of 4 would fit
    with pytest.raises(InsufficientCredits) as refused:
        batch_create(team=people.team, user=people.owner, offer=nano, params=NANO, count=4)
    assert (refused.value.needed, refused.value.available) == (Decimal("16"), Decimal("15"))
    _nothing_held(people.team)


@pytest.mark.django_db
def test_a_batch_over_the_members_limit_is_refused_whole(people, two_providers):
    nano = offer_by_key(key="kubflow:nano-banana")
    membership = people.team.memberships.get(user=people.teammate)
    member_limit_set(membership=membership, actor=people.owner, monthly_limit=Decimal("10"))
    with pytest.raises(SpendLimitExceeded) as refused:
        batch_create(team=people.team, user=people.teammate, offer=nano, params=NANO, count=3)
    assert refused.value.limit == "member_limit"
    _nothing_held(people.team)


@pytest.mark.django_db
def test_a_total_other_than_the_one_shown_is_refused(people, two_providers):
    nano = offer_by_key(key="kubflow:nano-banana")
    with pytest.raises(QuoteError) as refused:
        batch_create(team=people.team, user=people.owner, offer=nano, params=NANO, count=2, expected_total=Decimal("4"))
    assert refused.value.code == "price_changed"
    _nothing_held(people.team)


@pytest.mark.django_db
def test_the_same_idempotency_key_returns_the_same_batch(people, two_providers):
    nano = offer_by_key(key="kubflow:nano-banana")
    first = batch_create(team=people.team, user=people.owner, offer=nano, params=NANO, count=2, idempotency_key="k1")
    again = batch_create(team=people.team, user=people.owner, offer=nano, params=NANO, count=2, idempotency_key="k1")
    assert first.pk == again.pk
    assert Generation.objects.filter(team=people.team).count() == 2
    assert Wallet.objects.get(team=people.team).held == Decimal("8")


# --- running: each job settles its own hold --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_one_failure_in_a_batch_releases_only_its_own_part(people, two_providers, sandbox, celery_worker):
    nano = offer_by_key(key="kubflow:nano-banana")
    params = {**NANO, "prompt": "four shoes [sandbox fail=provider first=1 delay=1]"}
    batch = batch_create(team=people.team, user=people.owner, offer=nano, params=params, count=4)

    def settled():
        jobs = list(batch.generations.all())
        return jobs if all(j.status not in (Status.WAITING, Status.QUEUED, Status.RUNNING, Status.DOWNLOADING)
                           for j in jobs) else None  # fmt: skip

    jobs = wait_for(settled, timeout=60, message="the batch to finish")
    progress = batch_progress(team=people.team, generations=jobs)
    assert (progress.completed, progress.failed, progress.jobs) == (3, 1, 4)
    assert progress.label == "3 of 4 done · 1 failed"
    assert progress.charged == Decimal("12") and progress.held == 0
    kinds = sorted(
        tuple(LedgerEntry.objects.filter(generation=j).order_by("id").values_list("kind", flat=True)) for j in jobs
    )
    assert kinds == [("hold", "capture")] * 3 + [("hold", "release")]
    assert set(Hold.objects.filter(generation__batch=batch).values_list("state", flat=True)) == {
        HoldState.CAPTURED,
        HoldState.RELEASED,
    }
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("88"), Decimal("0"))  # 3 × 4 charged, the 4th released


@pytest.mark.django_db(transaction=True)
def test_cancel_the_rest_releases_every_unfinished_part_and_run_again_repeats_it(
    people, two_providers, sandbox, celery_worker
):
    nano = offer_by_key(key="kubflow:nano-banana")
    params = {**NANO, "prompt": "slow shoes [sandbox delay=60]"}
    batch = batch_create(team=people.team, user=people.owner, offer=nano, params=params, count=3)
    wait_for(
        lambda: batch.generations.filter(status=Status.RUNNING).count() == 3, timeout=30, message="all three running"
    )

    assert batch_cancel_rest(batch=batch, user=people.owner) == 3
    assert set(batch.generations.values_list("status", flat=True)) == {Status.CANCELLED}
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("100"), Decimal("0"))
    assert batch_cancel_rest(batch=batch, user=people.owner) == 0  # nothing left to cancel

    again = batch_rerun(batch=batch, user=people.owner)
    assert again.pk != batch.pk and (again.count, again.params, again.offer) == (3, batch.params, nano)
    assert Wallet.objects.get(team=people.team).held == Decimal("12")
    batch_cancel_rest(batch=again, user=people.owner)
