"""Batches in the studio's pages: the composer's count and live total, one row per batch in the gallery,
its page, "cancel the rest" and "run again", and the owners' cap on jobs in flight."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from accounts.models import Team
from billing.models import Hold, Wallet
from generations.models import Batch, Generation, Status
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
SHOE = {"offer": "kubflow:nano-banana", "prompt": "an orange running shoe <b>&amp;</b>", "aspect_ratio": "16:9"}


@pytest.fixture
def owner(client, people, catalog):
    return client_for_team(client, people.owner, people.team)


def _submit(client, **fields):
    return client.post("/generate/", {**SHOE, "idempotency_key": "a" * 32, **fields}, headers=HTMX)


def test_the_live_price_shows_the_count_times_each_and_the_balance_after(owner):
    html = owner.post("/generate/quote/", {**SHOE, "variations": "4"}, headers=HTMX).content.decode()
    assert 'data-testid="price">16<' in html
    assert "4 × 4 credits = 16" in html
    assert "Balance after: 84 credits" in html
    assert "Generate 4 · 16 credits" in html
    single = owner.post("/generate/quote/", SHOE, headers=HTMX).content.decode()
    assert 'data-testid="price">4<' in single and "batch-total" not in single


def test_a_batch_the_balance_cannot_hold_blocks_submit_before_it_is_sent(owner, people):
    Wallet.objects.filter(team=people.team).update(balance=Decimal("30"))
    html = owner.post("/generate/quote/", {**SHOE, "variations": "8"}, headers=HTMX).content.decode()
    assert "Not enough credits for this request" in html and "disabled" in html


def test_the_composer_submits_one_batch_and_the_gallery_shows_it_as_one_row(owner, people):
    response = _submit(owner, variations="4")

    assert response.status_code == 200, response.content[:400]
    batch = Batch.objects.get(team=people.team)
    jobs = list(batch.generations.all())
    assert batch.count == 4 and len(jobs) == 4
    assert {j.status for j in jobs} == {Status.QUEUED}
    assert Hold.objects.filter(generation__batch=batch).count() == 4
    assert Wallet.objects.get(team=people.team).held == Decimal("16")
    html = response.content.decode()
    assert html.count('class="batch-row"') == 1 and html.count('<article id="card-') == 4
    assert "0 of 4 done" in html and "Cancel the rest" in html

    gallery = owner.get("/gallery/").content.decode()
    row = re.search(r'<section class="batch-row".*?</section>', gallery, re.S).group(0)
    assert all(f'id="card-{j.public_id}"' in row for j in jobs)
    assert "Variation 1 of 4" in row and "Variation 4 of 4" in row
    assert "an orange running shoe &lt;b&gt;&amp;amp;&lt;/b&gt;" in row  # what was typed, as typed

    again = _submit(owner, variations="4")  # the same composer submitted twice: one batch
    assert again.status_code == 200 and Batch.objects.filter(team=people.team).count() == 1


@pytest.mark.parametrize("count", ["9", "0", "-1", "four", "4\x00", "1" * 400])
def test_a_count_out_of_range_is_an_error_beside_the_field_and_nothing_is_held(owner, people, count):
    response = _submit(owner, variations=count)
    if "\x00" in count:
        assert response.status_code == 400  # NUL is refused before any view
    else:
        assert response.status_code == 422
        html = response.content.decode()
        field = re.search(r'data-field="variations".*?</div>', html, re.S).group(0)
        assert "field-error" in field
    assert not Generation.objects.filter(team=people.team).exists()
    assert Wallet.objects.get(team=people.team).held == 0


def test_a_batch_over_the_balance_is_refused_whole_with_the_reason(owner, people):
    Wallet.objects.filter(team=people.team).update(balance=Decimal("30"))
    response = _submit(owner, variations="8")
    assert response.status_code == 422
    html = response.content.decode()
    assert "needs 32" in html and "30.00 available" in html, re.findall(r"[^>]*available[^<]*", html)
    assert not Generation.objects.filter(team=people.team).exists()


def test_the_batch_page_its_head_and_cancel_the_rest(owner, client, people):
    _submit(owner, variations="3")
    batch = Batch.objects.get(team=people.team)
    page = owner.get(f"/batches/{batch.public_id}/").content.decode()
    assert "Batch of 3" in page and page.count('<article id="card-') == 3
    head = owner.get(f"/batches/{batch.public_id}/head/", headers=HTMX).content.decode()
    assert "0 of 3 done" in head and 'hx-trigger="every 3s"' in head and "12 cr held" in head

    member = client_for_team(client, people.teammate, people.team)
    assert member.post(f"/batches/{batch.public_id}/cancel/").status_code == 403  # not theirs
    owner = client_for_team(client, people.owner, people.team)
    cancelled = owner.post(f"/batches/{batch.public_id}/cancel/", headers=HTMX).content.decode()
    assert "0 of 3 done · 3 cancelled" in cancelled and 'hx-trigger="every 3s"' not in cancelled  # polling stops
    assert cancelled.count('hx-swap-oob="true" id="card-') == 3
    assert set(batch.generations.values_list("status", flat=True)) == {Status.CANCELLED}
    assert Wallet.objects.get(team=people.team).held == 0

    again = owner.post(f"/batches/{batch.public_id}/again/")
    new = Batch.objects.exclude(pk=batch.pk).get(team=people.team)
    assert again.status_code == 302 and again["Location"] == f"/batches/{new.public_id}/"
    assert new.count == 3 and Wallet.objects.get(team=people.team).held == Decimal("12")


def test_owners_cap_jobs_in_flight_and_bad_values_change_nothing(owner, people):
    limits = owner.get("/team/limits/").content.decode()
    assert 'name="cap"' in limits and "Jobs in flight" in limits
    response = owner.post("/team/jobs-cap/", {"cap": "3"})
    assert response.status_code == 302
    assert Team.objects.get(pk=people.team.pk).jobs_in_flight_cap == 3
    for bad in ("0", "101", "abc", "1e9", "9" * 50):
        owner.post("/team/jobs-cap/", {"cap": bad})
        assert Team.objects.get(pk=people.team.pk).jobs_in_flight_cap == 3, bad
    owner.post("/team/jobs-cap/", {"cap": ""})
    assert Team.objects.get(pk=people.team.pk).jobs_in_flight_cap is None
    counts = owner.get("/team/jobs-in-flight/", headers=HTMX).content.decode()
    assert "Now: 0 at the providers, 0 waiting for a slot." in counts
