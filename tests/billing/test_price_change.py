"""A price change applies to new quotes only: credits already held keep their amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from accounts.models import AuditEvent
from billing.models import Hold, Wallet
from billing.services import hold_capture
from catalog.models import Offer, Provider
from catalog.services import price_quote
from generations.models import Generation
from generations.services.submission import generation_submit
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


def test_a_price_change_never_alters_credits_already_held(client, people, catalog, monkeypatch):
    monkeypatch.setattr("generations.services.submission._enqueue_on_commit", lambda *args, **kwargs: None)
    offer = Offer.objects.select_related("provider").get(provider__slug="kubflow", model_id="nano-banana")
    generation = generation_submit(team=people.team, user=people.owner, offer=offer, params={"prompt": "a fox"})
    hold = Hold.objects.get(generation=generation)
    assert hold.amount == Decimal("4")

    people.owner.is_staff = True
    people.owner.save(update_fields=["is_staff"])
    staff = client_for_team(client, people.owner, people.team)
    response = staff.post(
        "/staff/prices/providers/kubflow/",
        {"kubflow-credit_rate": "2.5", "kubflow-markup": "1.2", "kubflow-enabled": "on"},
    )
    assert response.status_code == 302
    provider = Provider.objects.get(slug="kubflow")
    assert (provider.credit_rate, provider.markup) == (Decimal("2.5"), Decimal("1.2"))
    assert price_quote(offer=Offer.objects.get(pk=offer.pk), params={"prompt": "x"}).credits == Decimal("12")

    hold.refresh_from_db()
    assert hold.amount == Decimal("4"), "the hold kept its amount"
    assert Wallet.objects.get(team=people.team).held == Decimal("4")
    generation.refresh_from_db()
    assert generation.credits_quoted == Decimal("4")
    assert hold_capture(hold=hold, amount=generation.credits_quoted)
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("96"), Decimal("0")), "charged the price it was quoted"

    event = AuditEvent.objects.get(action="prices.provider")
    assert event.actor == people.owner
    assert event.detail["before"]["credit_rate"] == "1.0000"
    assert event.detail["after"]["credit_rate"] == "2.5000"


def test_the_database_refuses_to_reprice_a_hold(people, catalog):
    from tests.billing.helpers import hold_take

    hold = hold_take(team=people.team, user=people.owner, amount="4")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_hold SET amount = amount * 3 WHERE id = %s", [hold.pk])
    assert Hold.objects.get(pk=hold.pk).amount == Decimal("4")
    assert Generation.objects.get(pk=hold.generation_id).credits_quoted == Decimal("4")
