"""The Django admin lists every billing and team model; money and history are read-only there."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import AuditEvent, Invite
from accounts.services import invite_create
from billing.models import Hold, LedgerEntry, MemberLimit, TeamLimits
from billing.services import member_limit_set, team_limits_set
from tests.billing.helpers import hold_take

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_data(client, people, catalog):
    from accounts.models import Membership, User

    hold_take(team=people.team, user=people.owner, amount="4")
    invite_create(team=people.team, actor=people.owner)
    team_limits_set(team=people.team, actor=people.owner, monthly_budget=Decimal("50"), alert_percent=80, low_balance=0)
    member_limit_set(
        membership=Membership.objects.get(team=people.team, user=people.teammate),
        actor=people.owner,
        monthly_limit=Decimal("5"),
    )
    admin = User.objects.create_superuser("root", "root@example.com", "correct horse 0")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (LedgerEntry, "billing/ledgerentry"),
        (Hold, "billing/hold"),
        (TeamLimits, "billing/teamlimits"),
        (MemberLimit, "billing/memberlimit"),
        (Invite, "accounts/invite"),
        (AuditEvent, "accounts/auditevent"),
    ],
)
def test_admin_lists_searches_and_shows_read_only(admin_client_with_data, model, path):
    client = admin_client_with_data
    assert client.get(f"/admin/{path}/").status_code == 200
    assert client.get(f"/admin/{path}/", {"q": "northwind"}).status_code == 200
    obj = model.objects.first()
    page = client.get(f"/admin/{path}/{obj.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode(), "read-only"
    assert client.post(f"/admin/{path}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_wallets_are_read_only_in_the_admin(admin_client_with_data, people):
    from billing.models import Wallet

    wallet = Wallet.objects.get(team=people.team)
    client = admin_client_with_data
    assert client.get("/admin/billing/wallet/").status_code == 200
    client.post(f"/admin/billing/wallet/{wallet.pk}/change/", {"balance": "999999", "held": "0"})
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100")
