"""Requests that must be refused, with nothing created or charged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import Hold, LedgerEntry, Wallet
from billing.services import credits_grant
from generations.models import Generation
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


def test_insufficient_balance_is_refused_and_creates_nothing(client, people, catalog):
    from accounts.services import team_create

    poor = team_create(name="Tiny", owner=people.owner, slug="tiny")
    credits_grant(team=poor, amount=Decimal("3"), reason="test")
    client = client_for_team(client, people.owner, poor)
    entries_before = LedgerEntry.objects.count()

    response = client.post(
        "/generate/", {"offer": "kubflow:nano-banana", "prompt": "a fox"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "needs 4.00 credits" in response.content.decode()
    assert "has 3.00 available" in response.content.decode()
    assert not Generation.objects.filter(team=poor).exists()
    assert not Hold.objects.exists()
    assert LedgerEntry.objects.count() == entries_before
    assert Wallet.objects.get(team=poor).available == Decimal("3")


def test_missing_prompt_is_a_field_error(client, people, catalog):
    client = client_for_team(client, people.owner, people.team)
    response = client.post("/generate/", {"offer": "kubflow:nano-banana", "prompt": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not Generation.objects.exists()


def test_out_of_range_value_is_refused_next_to_its_field(client, people, catalog):
    client = client_for_team(client, people.owner, people.team)
    response = client.post(
        "/generate/",
        {"offer": "kubflow:kling-3.0", "prompt": "waves", "duration": 99},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "less than or equal to 15" in response.content.decode()
    assert not Generation.objects.exists()


def test_the_same_idempotency_key_makes_one_generation(client, people, catalog):
    client = client_for_team(client, people.owner, people.team)
    data = {"offer": "kubflow:nano-banana", "prompt": "a fox", "idempotency_key": "double-click-1"}
    first = client.post("/generate/", data, headers={"HX-Request": "true"})
    second = client.post("/generate/", data, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert Generation.objects.count() == 1
    assert Hold.objects.count() == 1
    assert Wallet.objects.get(team=people.team).available == Decimal("96")


def test_live_quote_shows_the_documented_price(client, people, catalog):
    client = client_for_team(client, people.owner, people.team)
    response = client.post(
        "/generate/quote/",
        {"offer": "kubflow:nano-banana", "prompt": "a fox"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'data-testid="price">4<' in html
    assert "Balance after: 96" in html
