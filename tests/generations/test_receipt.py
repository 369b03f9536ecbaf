"""A receipt on every job: its page shows the money trail the ledger keeps, and what a cancel would release."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db.models import Sum

from billing.models import LedgerEntry
from catalog.models import Offer
from catalog.services import catalog_sync
from generations.models import Generation
from generations.services.submission import generation_submit
from tests.conftest import client_for_team, wait_for


def _text(html: str) -> str:
    """The page's words without tags, to read sentences across elements."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _receipt(client, generation: Generation) -> str:
    html = client.get(f"/g/{generation.public_id}/").content.decode()
    return _text(html[html.index('data-testid="receipt"') : html.index('aria-labelledby="boards-title"')])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("prompt", "charged"), [("a fox", "4"), ("a fox [sandbox fail=provider]", "0")])
def test_the_receipt_is_the_ledgers_money_trail(client, people, catalog, sandbox, celery_worker, prompt, charged):
    offer = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")
    generation = generation_submit(team=people.team, user=people.owner, offer=offer, params={"prompt": prompt})
    wait_for(lambda: generation.refresh_from_db() or not generation.is_active, timeout=60, message="the job to end")

    receipt = _receipt(client_for_team(client, people.teammate, people.team), generation)

    entries = LedgerEntry.objects.filter(generation=generation)
    kinds = list(entries.order_by("id").values_list("kind", flat=True))
    assert kinds == (["hold", "capture"] if charged != "0" else ["hold", "release"])
    ledger_charged = -(entries.filter(balance_delta__lt=0).aggregate(s=Sum("balance_delta"))["s"] or Decimal(0))
    assert ledger_charged == Decimal(charged) == generation.credits_charged
    assert "Quoted 4 credits: 4 Kubflow credits at a rate of 1, rounded up to the cent" in receipt
    assert re.search(rf"\d\d:\d\d:\d\d Hold 4 Hold for {generation.public_id} \(olivia\)", receipt)
    if charged != "0":
        assert re.search(rf"\d\d:\d\d:\d\d Capture -4 -4 Charged for {generation.public_id} ", receipt)
        assert "Charged 4 : this job cost the team 4 credits." in receipt
    else:
        assert re.search(rf"\d\d:\d\d:\d\d Release -4 Failed: {generation.public_id} ", receipt)
        assert "Charged 0 , released 4: this job cost the team 0 credits." in receipt


@pytest.mark.django_db
def test_the_receipt_says_where_a_job_moved_and_why(client, people, catalog):
    offer = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")
    generation = generation_submit(team=people.team, user=people.owner, offer=offer, params={"prompt": "a fox"})
    Generation.objects.filter(pk=generation.pk).update(
        moves=[
            {
                "at": "2026-12-07T02:00:00+00:00",
                "from": "kubflow:nano-banana",
                "to": "cliprise:nano-banana",
                "why": "auth_failed: the key was refused",
                "credits_before": "4",
                "credits_after": "4",
            }
        ]
    )
    receipt = _receipt(client_for_team(client, people.owner, people.team), generation)
    assert "Moved from kubflow:nano-banana to cliprise:nano-banana : auth_failed: the key was refused." in receipt
    assert "Charged 0 , still held 4: this job cost the team 0 credits." in receipt


@pytest.mark.django_db
def test_cancel_says_first_what_it_releases_in_the_jobs_state_and_at_its_provider(client, people):
    catalog_sync(providers=["kubflow", "krea"])
    member = client_for_team(client, people.owner, people.team)
    kubflow = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")
    generation = generation_submit(team=people.team, user=people.owner, offer=kubflow, params={"prompt": "a fox"})

    page = _text(member.get(f"/g/{generation.public_id}/").content.decode())
    assert "If you cancel now: Nothing has been sent to Kubflow yet: cancelling releases all 4 held credits." in page

    Generation.objects.filter(pk=generation.pk).update(provider_job_id="job-1", status="running")
    page = _text(member.get(f"/g/{generation.public_id}/").content.decode())
    assert "Kubflow documents no way to stop a job, so it may still run there" in page
    assert "releases all 4 held credits and charges nothing" in page

    krea = Offer.objects.get(provider__slug="krea", model_id="nano-banana")
    at_krea = generation_submit(team=people.team, user=people.owner, offer=krea, params={"prompt": "a fox"})
    Generation.objects.filter(pk=at_krea.pk).update(provider_job_id="job-2", status="running")
    page = _text(member.get(f"/g/{at_krea.public_id}/").content.decode())
    held = f"{at_krea.credits_quoted.normalize():f}"
    assert f"Krea is asked to stop the job (DELETE /jobs/{{id}}); the studio releases all {held} held credits" in page

    Generation.objects.filter(pk=at_krea.pk).update(status="completed")
    assert "If you cancel now" not in member.get(f"/g/{at_krea.public_id}/").content.decode()
