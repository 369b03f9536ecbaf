"""POST /api/v1/batches: 1-8 variations of one request, refused whole, each with its own hold."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import Hold, Wallet
from generations.batches import batch_create
from generations.models import Batch, Generation, Status
from tests.api.conftest import Api
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db

REQUEST = {"model": "nano-banana", "provider": "kubflow", "prompt": "four shoes", "params": {"aspect_ratio": "1:1"}}


def test_a_batch_is_one_generation_and_one_hold_per_variation(api, catalog, rich_people):
    response = api.post("/batches", {**REQUEST, "n": 4})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["n"] == 4 and body["offer"] == "kubflow:nano-banana"
    assert body["total_credits"] == "16.00" and body["held_credits"] == "16.00" and body["charged_credits"] == "0.00"
    assert body["progress"] == {"jobs": 4, "completed": 0, "failed": 0, "canceled": 0, "waiting_for_slot": 0}
    assert body["status"] == "running"
    assert response["Location"] == body["status_url"] == f"http://testserver/api/v1/batches/{body['batch_id']}"
    assert [g["batch_id"] for g in body["generations"]] == [body["batch_id"]] * 4
    assert all(g["status"] == "queued" and g["estimated_credits"] == "4.00" for g in body["generations"])
    batch = Batch.objects.get(public_id=body["batch_id"])
    assert Hold.objects.filter(generation__batch=batch).count() == 4
    assert Wallet.objects.get(team=rich_people.team).held == Decimal("16")
    assert api.get(f"/batches/{body['batch_id']}").json()["generations"] == body["generations"]


def test_a_batch_the_team_cannot_pay_is_refused_whole(api, catalog, rich_people):
    Wallet.objects.filter(team=rich_people.team).update(balance=Decimal("30"))
    response = api.post("/batches", {**REQUEST, "n": 8})  # 8 × 4 = 32 > 30
    assert response.status_code == 402
    assert response.json()["error"] == "insufficient_credits"
    assert not Generation.objects.filter(team=rich_people.team).exists()
    assert Wallet.objects.get(team=rich_people.team).held == 0


@pytest.mark.parametrize("count", [0, 9, -1, "4", 2.5, True, None])
def test_n_out_of_range_or_not_a_whole_number_is_a_400(api, catalog, count):
    response = api.post("/batches", {**REQUEST, "n": count})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_params" and response.json()["field"] == "n"


def test_n_is_required_and_unknown_fields_are_refused(api, catalog):
    assert api.post("/batches", REQUEST).json()["field"] == "n"
    unknown = api.post("/batches", {**REQUEST, "n": 2, "callback_url": "https://example.com/hook"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "invalid_request"


def test_the_same_idempotency_key_replays_and_another_body_conflicts(api, catalog, rich_people):
    headers = {"Idempotency-Key": "batch-1"}
    first = api.post("/batches", {**REQUEST, "n": 2}, headers=headers)
    again = api.post("/batches", {**REQUEST, "n": 2}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true" and again.json()["batch_id"] == first.json()["batch_id"]
    other = api.post("/batches", {**REQUEST, "n": 3}, headers=headers)
    assert other.status_code == 409 and other.json()["error"] == "idempotency_conflict"
    assert Generation.objects.filter(team=rich_people.team).count() == 2


def test_cancel_releases_every_unfinished_part(api, catalog, rich_people):
    body = api.post("/batches", {**REQUEST, "n": 3}).json()
    cancelled = api.post(f"/batches/{body['batch_id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["progress"]["canceled"] == 3 and cancelled.json()["status"] == "completed"
    assert cancelled.json()["held_credits"] == "0.00"
    assert Wallet.objects.get(team=rich_people.team).held == 0


def test_another_teams_batch_is_404_everywhere(client, api, catalog, rich_people, stranger_key):
    from catalog.selectors import offer_by_key

    theirs = batch_create(
        team=rich_people.other_team,
        user=rich_people.stranger,
        offer=offer_by_key(key="kubflow:nano-banana"),
        params={"prompt": "their secret plans"},
        count=2,
    )
    for response in (api.get(f"/batches/{theirs.public_id}"), api.post(f"/batches/{theirs.public_id}/cancel")):
        assert response.status_code == 404 and response.json()["error"] == "not_found"
        assert "secret plans" not in response.content.decode()
    assert set(theirs.generations.values_list("status", flat=True)) == {Status.QUEUED}, "not cancelled"
    assert Api(client, stranger_key.key).get(f"/batches/{theirs.public_id}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_batch_runs_to_the_end_and_says_what_it_cost(api, running_jobs, rich_people):
    body = api.post("/batches", {**REQUEST, "prompt": "shoes [sandbox fail=provider first=1 delay=1]", "n": 3}).json()

    def done():
        status = api.get(f"/batches/{body['batch_id']}").json()
        return status if status["status"] == "completed" else None

    final = wait_for(done, timeout=60, message="the batch to end")
    assert final["progress"] == {"jobs": 3, "completed": 2, "failed": 1, "canceled": 0, "waiting_for_slot": 0}
    assert (final["charged_credits"], final["held_credits"]) == ("8.00", "0.00")
    assert sorted(g["status"] for g in final["generations"]) == ["completed", "completed", "failed"]
