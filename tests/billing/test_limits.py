"""Monthly budgets, member limits and the low-balance banner, through the studio's pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import AuditEvent, Membership
from billing.models import Hold, MemberLimit, TeamLimits
from billing.selectors import spend_this_month
from billing.services import hold_capture, hold_release, member_limit_set, team_limits_set
from generations.models import Generation
from tests.billing.helpers import hold_take
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_enqueue(monkeypatch):
    monkeypatch.setattr("generations.services.submission._enqueue_on_commit", lambda *args, **kwargs: None)


def _submit(client, prompt: str = "a fox"):
    return client.post("/generate/", {"offer": "kubflow:nano-banana", "prompt": prompt}, headers={"HX-Request": "true"})


def test_spend_counts_charges_and_running_holds_but_not_releases(people, catalog):
    captured = hold_take(team=people.team, user=people.owner, amount="10")
    hold_capture(hold=captured, amount=Decimal("6"))
    released = hold_take(team=people.team, user=people.owner, amount="5")
    hold_release(hold=released, reason="failed")
    hold_take(team=people.team, user=people.teammate, amount="3")  # still running

    assert spend_this_month(team=people.team) == Decimal("9")
    assert spend_this_month(team=people.team, user=people.owner) == Decimal("6")
    assert spend_this_month(team=people.team, user=people.teammate) == Decimal("3")


def test_a_submission_over_the_team_budget_is_refused_saying_what_is_left(client, people, catalog):
    team_limits_set(team=people.team, actor=people.owner, monthly_budget=Decimal("10"), alert_percent=80, low_balance=0)
    client = client_for_team(client, people.teammate, people.team)
    assert _submit(client).status_code == 200  # 4
    assert _submit(client, "again").status_code == 200  # 8

    response = _submit(client, "one too many")

    assert response.status_code == 422
    html = response.content.decode()
    assert "Northwind&#x27;s monthly budget has 2.00 left (budget 10.00)" in html
    assert "This needs 4.00 credits" in html
    assert Generation.objects.filter(team=people.team).count() == 2
    assert Hold.objects.count() == 2


def test_a_submission_over_the_members_limit_is_refused_and_others_can_still_submit(client, people, catalog):
    membership = Membership.objects.get(team=people.team, user=people.teammate)
    member_limit_set(membership=membership, actor=people.owner, monthly_limit=Decimal("5"))
    teammate = client_for_team(client, people.teammate, people.team)
    assert _submit(teammate).status_code == 200

    response = _submit(teammate, "second")

    assert response.status_code == 422
    assert "your monthly spend limit in Northwind has 1.00 left (limit 5.00)" in response.content.decode()
    assert Generation.objects.filter(created_by=people.teammate).count() == 1
    client.logout()
    owner = client_for_team(client, people.owner, people.team)
    assert _submit(owner, "the owner has no limit").status_code == 200


def test_the_budget_alert_is_mailed_once_a_month_to_owners_and_admins(people, catalog):
    team_limits_set(team=people.team, actor=people.owner, monthly_budget=Decimal("20"), alert_percent=50, low_balance=0)
    from django.db import transaction

    from billing.services import spend_limits_check

    def submit(amount: str) -> None:
        with transaction.atomic():
            spend_limits_check(team=people.team, user=people.owner, amount=Decimal(amount))
            hold_take(team=people.team, user=people.owner, amount=amount)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())
        submit("6")
        assert mail.outbox == []
        submit("6")  # 12 of 20: past 50%
        submit("2")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olivia@example.com"]
    assert "used 12.00 of its 20.00 monthly budget" in mail.outbox[0].body
    assert AuditEvent.objects.filter(team=people.team, action="budget.alert").count() == 1


def test_owner_sets_limits_on_the_limits_page(client, people, catalog):
    client = client_for_team(client, people.owner, people.team)
    response = client.post("/team/limits/", {"monthly_budget": "250", "alert_percent": "75", "low_balance": "30"})
    assert response.status_code == 302
    limits = TeamLimits.objects.get(team=people.team)
    assert (limits.monthly_budget, limits.alert_percent, limits.low_balance) == (Decimal("250"), 75, Decimal("30"))

    teammate = Membership.objects.get(team=people.team, user=people.teammate)
    response = client.post(
        f"/team/limits/{teammate.public_id}/", {"monthly_limit": "12.5"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'value="12.50"' in response.content.decode()
    assert MemberLimit.objects.get(membership=teammate).monthly_limit == Decimal("12.5")

    client.post(f"/team/limits/{teammate.public_id}/", {"monthly_limit": ""})
    assert not MemberLimit.objects.filter(membership=teammate).exists()
    actions = list(AuditEvent.objects.filter(team=people.team).values_list("action", flat=True))
    assert actions.count("limits.member") == 2 and "limits.team" in actions

    page = client.get("/team/limits/").content.decode()
    assert "of 250 credits" in page


def test_limits_refuse_nonsense(client, people):
    client = client_for_team(client, people.owner, people.team)
    response = client.post("/team/limits/", {"monthly_budget": "-5", "alert_percent": "150", "low_balance": "0"})
    assert response.status_code == 200
    assert "greater than or equal to 0.01" in response.content.decode()
    assert not TeamLimits.objects.exists()


def test_low_balance_banner_shows_to_everyone_in_the_team(client, people, catalog):
    client = client_for_team(client, people.teammate, people.team)
    assert "low-balance-banner" not in client.get("/billing/").content.decode()
    hold_take(team=people.team, user=people.owner, amount="85")  # 15 left, default warning below 20

    html = client.get("/billing/").content.decode()
    assert 'data-testid="low-balance-banner"' in html
    assert "has 15 credits available" in html
    assert "Ask an owner or admin to add credits" in html


def test_budget_banner_warns_managers_past_the_threshold(client, people, catalog):
    team_limits_set(team=people.team, actor=people.owner, monthly_budget=Decimal("10"), alert_percent=50, low_balance=0)
    hold_take(team=people.team, user=people.owner, amount="6")
    owner = client_for_team(client, people.owner, people.team)
    assert "used 60% of this month's budget" in owner.get("/billing/").content.decode()
