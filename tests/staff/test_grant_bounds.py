"""A staff grant is bounded by the wallet's balance column: never a 500 ("numeric field overflow"), a 422
saying the largest amount allowed, next to the amount field."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from billing.models import CREDITS_MAX, LedgerEntry, Wallet
from billing.services import CreditsTooLarge, credits_grant
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, people):
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    return client_for_team(client, people.stranger, people.other_team)


def _grant(client, team, amount: str):
    return client.post(
        f"/staff/teams/{team.public_id}/",
        {"direction": "grant", "amount": amount, "reason": "bounds", "idempotency_key": f"staff:{uuid.uuid4()}"},
    )


def _amount_error(response) -> str:
    html = response.content.decode()
    field = html.split('for="id_amount"')[1].split("</div>")[0]
    assert 'class="field-error"' in field, "the error is shown next to the amount field"
    return field


def test_the_columns_bound_is_999999999999_99():
    assert Decimal("999999999999.99") == CREDITS_MAX


@pytest.mark.parametrize("amount", ["1000000000000", "999999999999.99", "1e30"])
def test_a_grant_past_the_column_is_a_422_with_the_largest_amount(staff_client, people, amount):
    response = _grant(staff_client, people.team, amount)
    assert response.status_code == 422
    field = _amount_error(response)
    # The team holds 100 credits, so at most CREDITS_MAX - 100 more.
    assert "The largest amount allowed is 999999999899.99 credits" in field
    assert Wallet.objects.get(team=people.team).balance == Decimal("100")
    assert not LedgerEntry.objects.filter(wallet__team=people.team, reason="bounds").exists()


def test_the_largest_grant_fits_and_one_cent_more_does_not(staff_client, people):
    largest = CREDITS_MAX - Decimal("100")
    over = _grant(staff_client, people.team, str(largest + Decimal("0.01")))
    assert over.status_code == 422
    assert f"The largest amount allowed is {largest} credits" in _amount_error(over)

    assert _grant(staff_client, people.team, str(largest)).status_code == 302
    assert Wallet.objects.get(team=people.team).balance == CREDITS_MAX
    assert AuditEvent.objects.filter(team=people.team, action="credits.grant").count() == 1

    full = _grant(staff_client, people.team, "0.01")
    assert full.status_code == 422
    assert "The largest amount allowed is 0.00 credits" in _amount_error(full)
    assert Wallet.objects.get(team=people.team).balance == CREDITS_MAX


def test_the_service_refuses_past_the_bound_even_without_the_form(people):
    with pytest.raises(CreditsTooLarge) as refused:
        credits_grant(team=people.team, amount=CREDITS_MAX, reason="direct")
    assert refused.value.largest == CREDITS_MAX - Decimal("100")
    assert Wallet.objects.get(team=people.team).balance == Decimal("100")


def test_a_deduction_too_large_is_a_422_too(staff_client, people):
    response = staff_client.post(
        f"/staff/teams/{people.team.public_id}/",
        {"direction": "deduct", "amount": "1000000000000", "reason": "x", "idempotency_key": f"staff:{uuid.uuid4()}"},
    )
    assert response.status_code == 422
    assert "The largest amount allowed is 999999999999.99 credits" in _amount_error(response)
