"""The studio operators' pages: only staff get in; every credit movement has a reason and an actor."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from billing.models import EntryKind, LedgerEntry, Wallet
from billing.services import hold_capture
from catalog.models import ModelFamily, Offer, Provider
from tests.billing.helpers import hold_take
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/", "/staff/prices/"]
KEYS = {n: f"staff:{uuid.UUID(int=n)}" for n in range(1, 6)}  # what the form's hidden field carries


@pytest.fixture
def staff(people):
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    return people.stranger


def _staff_client(client, people, staff):
    return client_for_team(client, staff, people.other_team)


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_require_staff(client, people, url):
    assert client.get(url).status_code == 302, "anonymous: log in first"
    client = client_for_team(client, people.owner, people.team)  # a team owner is not staff
    assert client.get(url).status_code == 404
    assert client.get(f"/staff/teams/{people.team.public_id}/").status_code == 404
    assert (
        client.post(
            f"/staff/teams/{people.team.public_id}/",
            {"direction": "grant", "amount": "5", "reason": "x", "idempotency_key": "k"},
        ).status_code
        == 404
    )
    assert Wallet.objects.get(team=people.team).balance == Decimal("100")


def test_staff_finds_a_team_by_member_email(client, people, staff):
    client = _staff_client(client, people, staff)
    html = client.get("/staff/", {"q": "theo@example"}).content.decode()
    assert f"/staff/teams/{people.team.public_id}/" in html
    assert 'data-team="contoso"' not in html.split('id="results"')[1].split("</div>")[0]


def test_staff_grants_and_deducts_with_a_reason_and_is_recorded(client, people, staff):
    client = _staff_client(client, people, staff)
    url = f"/staff/teams/{people.team.public_id}/"
    page = client.get(url).content.decode()
    assert "Northwind" in page and 'data-testid="staff-available">100<' in page

    response = client.post(
        url, {"direction": "grant", "amount": "25", "reason": "Goodwill after outage", "idempotency_key": KEYS[1]}
    )
    assert response.status_code == 302
    client.post(
        url, {"direction": "grant", "amount": "25", "reason": "Goodwill after outage", "idempotency_key": KEYS[1]}
    )
    client.post(url, {"direction": "deduct", "amount": "5.5", "reason": "Refund reversed", "idempotency_key": KEYS[2]})

    wallet = Wallet.objects.get(team=people.team)
    assert wallet.balance == Decimal("119.5"), "the double-posted grant counted once"
    grant = LedgerEntry.objects.get(idempotency_key=KEYS[1])
    deduction = LedgerEntry.objects.get(idempotency_key=KEYS[2])
    assert (grant.kind, grant.actor, grant.reason) == (EntryKind.GRANT, staff, "Goodwill after outage")
    assert (deduction.kind, deduction.actor, deduction.balance_delta) == (EntryKind.DEDUCTION, staff, Decimal("-5.5"))
    assert (
        AuditEvent.objects.filter(team=people.team, actor=staff, action__in=["credits.grant", "credits.deduct"]).count()
        == 2
    )


def test_a_reason_is_required(client, people, staff):
    client = _staff_client(client, people, staff)
    response = client.post(
        f"/staff/teams/{people.team.public_id}/",
        {"direction": "grant", "amount": "25", "reason": "  ", "idempotency_key": KEYS[3]},
    )
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert Wallet.objects.get(team=people.team).balance == Decimal("100")


def test_a_deduction_cannot_take_held_credits(client, people, staff, catalog):
    hold_take(team=people.team, user=people.owner, amount="90")
    client = _staff_client(client, people, staff)
    response = client.post(
        f"/staff/teams/{people.team.public_id}/",
        {"direction": "deduct", "amount": "20", "reason": "oops", "idempotency_key": KEYS[4]},
    )
    assert response.status_code == 422
    assert "the team has 10.00 available (90.00 held for running jobs)" in response.content.decode()
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("100"), Decimal("90"))


def test_teams_closest_to_running_out_come_first(client, people, staff, catalog):
    # Northwind spends 60 of 100 this week: 40 left at 60/week ≈ 4.7 days. Contoso spends nothing.
    hold_capture(hold=hold_take(team=people.team, user=people.owner, amount="60"), amount=Decimal("60"))
    client = _staff_client(client, people, staff)
    html = client.get("/staff/").content.decode()
    running_out = html.split("Closest to running out")[1]
    assert running_out.index('data-team="northwind"') < running_out.index('data-team="contoso"')
    assert "4.7" in running_out


def test_staff_enables_and_disables_offers_and_models(client, people, staff, catalog):
    client = _staff_client(client, people, staff)
    assert "Nano Banana" in client.get("/staff/prices/").content.decode()

    response = client.post("/staff/prices/offers/", {"offer": "kubflow:nano-banana"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Enable" in response.content.decode()
    assert not Offer.objects.get(model_id="nano-banana").enabled
    client.post("/staff/prices/offers/", {"offer": "kubflow:nano-banana", "enabled": "on"})
    assert Offer.objects.get(model_id="nano-banana").enabled

    family = Offer.objects.get(model_id="nano-banana").family
    client.post(f"/staff/prices/models/{family.slug}/", {})
    assert not ModelFamily.objects.get(pk=family.pk).enabled
    owner = client_for_team(client.__class__(), people.owner, people.team)
    assert "kubflow:nano-banana" not in owner.get("/gallery/").content.decode()

    client.post("/staff/prices/providers/kubflow/", {"kubflow-credit_rate": "1", "kubflow-markup": "1"})
    assert not Provider.objects.get(slug="kubflow").enabled
    assert set(AuditEvent.objects.filter(actor=staff).values_list("action", flat=True)) == {
        "prices.offer",
        "prices.family",
        "prices.provider",
    }


def test_a_markup_below_one_is_refused(client, people, staff, catalog):
    client = _staff_client(client, people, staff)
    response = client.post(
        "/staff/prices/providers/kubflow/",
        {"kubflow-credit_rate": "1", "kubflow-markup": "0.5", "kubflow-enabled": "on"},
        follow=True,
    )
    assert "greater than or equal to 1" in response.content.decode()
    assert Provider.objects.get(slug="kubflow").markup == Decimal("1")


def test_a_forged_idempotency_key_is_refused(client, people, staff):
    client = _staff_client(client, people, staff)
    grant = LedgerEntry.objects.filter(wallet__team=people.team).first()
    response = client.post(
        f"/staff/teams/{people.team.public_id}/",
        {"direction": "grant", "amount": "5", "reason": "x", "idempotency_key": grant.idempotency_key},
    )
    assert response.status_code == 422
    assert "This form has expired" in response.content.decode()
