"""In Chromium: the usage chart draws from the vendored Chart.js and redraws for a new range;
an owner invites someone and changes a role without leaving the page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Membership, Role
from billing.services import hold_capture
from tests.billing.helpers import hold_take
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner_page(chromium, live_server, people, catalog):
    with signed_in_page(chromium, live_server, people.owner, people.team) as page:
        yield page


def test_usage_chart_draws_and_redraws(owner_page, people):
    hold_capture(hold=hold_take(team=people.team, user=people.owner, amount="6"), amount=Decimal("6"))
    page = owner_page
    page.goto("/team/usage/")
    page.wait_for_function("() => window.Chart && Chart.getChart('usage-chart')")
    bars = page.evaluate("Chart.getChart('usage-chart').data.datasets[0].data")
    assert len(bars) == 30 and bars[-1] == 6

    page.fill("#id_start", "2026-01-01")
    page.fill("#id_end", "2026-01-07")
    page.get_by_role("button", name="Show").click()
    page.wait_for_function("() => Chart.getChart('usage-chart')?.data.labels.length === 7")
    assert "start=2026-01-01" in page.url, "the range is in the address bar"
    assert page.get_by_test_id("spent").inner_text() == "0"


def test_owner_invites_and_promotes_in_place(owner_page, people):
    page = owner_page
    page.goto("/team/members/")
    page.select_option("#id_role", "admin")
    page.get_by_role("button", name="Create invite link").click()
    link = page.get_by_test_id("invite-link").input_value()
    assert "/team/join/" in link

    row = page.locator('tr[data-member="theo"]')
    row.locator("select").select_option("admin")
    with page.expect_response("**/role/") as answer:
        row.get_by_role("button", name="Save").click()
    assert answer.value.status == 200
    page.wait_for_function("() => document.querySelector('#member-list') !== null")
    assert Membership.objects.get(team=people.team, user=people.teammate).role == Role.ADMIN
    assert page.locator('tr[data-member="theo"] select').input_value() == "admin"
