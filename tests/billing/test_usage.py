"""Usage over a range of days, the filterable ledger, and CSV exports."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.services import hold_capture, hold_release
from generations.models import Generation
from tests.billing.helpers import hold_take
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def spending(people, catalog):
    """The owner spends 6 + 2.5, the teammate 4; one job fails and costs nothing."""
    for user, amount, charge in [(people.owner, "6", "6"), (people.owner, "3", "2.5"), (people.teammate, "4", "4")]:
        hold = hold_take(team=people.team, user=user, amount=amount)
        hold_capture(hold=hold, amount=Decimal(charge))
        Generation.objects.filter(pk=hold.generation_id).update(status="completed", credits_charged=Decimal(charge))
    failed = hold_take(team=people.team, user=people.teammate, amount="5")
    hold_release(hold=failed, reason="Failed")
    Generation.objects.filter(pk=failed.generation_id).update(
        status="failed", credits_charged=0, prompt='=HYPERLINK("http://evil")'
    )
    # another team's spend never shows
    other = hold_take(team=people.other_team, user=people.stranger, amount="7")
    hold_capture(hold=other, amount=Decimal("7"))


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_usage_shows_spend_by_day_model_provider_and_member(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    html = client.get("/team/usage/").content.decode()

    assert 'data-testid="spent">12.50<' in html
    data = json.loads(re.search(r'<script id="usage-data" type="application/json">(.*?)</script>', html).group(1))
    assert len(data["labels"]) == 30
    assert data["labels"][-1] == timezone.localdate().isoformat()
    assert data["credits"][-1] == 12.5 and sum(data["credits"]) == 12.5
    assert "vendor/chart-4.6.1.umd.min.js" in html
    member_table = html[html.index('data-usage="member"') :]
    assert re.search(r"olivia</td>\s*<td class=\"num\">2</td>\s*<td class=\"num\">8.50</td>", member_table)
    assert re.search(r"theo</td>\s*<td class=\"num\">1</td>\s*<td class=\"num\">4</td>", member_table)
    assert "Kubflow" in html[html.index('data-usage="provider"') :]
    assert "sam" not in member_table


def test_usage_for_a_range_without_spend_is_empty(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    last_year = timezone.localdate() - timedelta(days=400)
    response = client.get(
        "/team/usage/", {"start": last_year.isoformat(), "end": (last_year + timedelta(days=6)).isoformat()},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report">'), "htmx gets only the report"
    assert 'data-testid="spent">0<' in html
    assert "Nothing spent in these days." in html


def test_usage_refuses_a_backwards_range_and_shows_the_default(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    html = client.get("/team/usage/", {"start": "2026-05-10", "end": "2026-05-01"}).content.decode()
    assert "The start date is after the end date." in html
    assert 'data-testid="spent">12.50<' in html


def test_ledger_csv_has_every_movement_of_the_team_only(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    rows = _csv(client.get("/team/usage/ledger.csv"))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("grant") == 1 and kinds.count("hold") == 4 and kinds.count("capture") == 3
    assert sum(Decimal(row["balance_delta"]) for row in rows) == Decimal("87.5")
    assert {row["member"] for row in rows if row["generation"]} == {"olivia", "theo"}


def test_ledger_csv_follows_the_filters(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    rows = _csv(client.get("/team/usage/ledger.csv", {"kind": "capture"}))
    assert [row["kind"] for row in rows] == ["capture"] * 3


def test_generations_csv_neutralises_formulas(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    rows = _csv(client.get("/team/usage/generations.csv"))
    assert len(rows) == 4
    failed = next(row for row in rows if row["status"] == "failed")
    assert failed["prompt"].startswith("'="), "a spreadsheet won't run it"
    assert failed["credits_charged"] == "0.00"
    assert {row["member"] for row in rows} == {"olivia", "theo"}


def test_members_filter_the_ledger(client, people, spending):
    from accounts.models import Membership

    client = client_for_team(client, people.teammate, people.team)
    theo = Membership.objects.get(team=people.team, user=people.teammate)
    html = client.get(
        "/billing/", {"member": theo.public_id, "kind": "release"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert html.count('data-kind="release"') == 1
    assert 'data-kind="capture"' not in html
    html = client.get("/billing/", {"kind": "capture"}).content.decode()
    assert html.count('data-kind="capture"') == 3
    assert "as CSV" not in html, "exports are for owners and admins"


def test_owners_get_an_export_link_that_keeps_the_filters(client, people, spending):
    client = client_for_team(client, people.owner, people.team)
    html = client.get("/billing/", {"kind": "capture"}, headers={"HX-Request": "true"}).content.decode()
    assert "/team/usage/ledger.csv?kind=capture" in html


def test_usage_counts_a_job_failover_moved_where_it_ran(client, people, catalog):
    """The hold names the offer it was taken for; the charge the one that did the work, and usage reads that."""
    from catalog.models import Offer
    from catalog.services import catalog_sync

    catalog_sync(providers=["kubeez"])
    elsewhere = Offer.objects.filter(provider__slug="kubeez").select_related("provider", "family").first()
    hold = hold_take(team=people.team, user=people.teammate, amount="5")
    Generation.objects.filter(pk=hold.generation_id).update(offer=elsewhere)
    moved = Generation.objects.get(pk=hold.generation_id)
    assert hold_capture(hold=hold, amount=Decimal("5"), job=moved.ledger_ref)

    client = client_for_team(client, people.owner, people.team)
    html = client.get("/team/usage/").content.decode()
    by_provider = html[html.index('data-usage="provider"') :]
    assert elsewhere.provider.name in by_provider and "Kubflow" not in by_provider
    by_model = html[html.index('data-usage="model"') : html.index('data-usage="provider"')]
    assert elsewhere.family.name in by_model
    assert re.search(r"theo</td>\s*<td class=\"num\">1</td>\s*<td class=\"num\">5</td>", html)
    html = client.get("/billing/", {"generation": moved.public_id}).content.decode()
    assert html.count(f">{moved.public_id}</a>") == 2, "its hold and its charge (in full: no release)"
    assert html.count("<tr data-kind=") == 2


def test_a_capture_for_another_job_is_refused(people, catalog):
    hold = hold_take(team=people.team, user=people.owner, amount="5")
    other = Generation.objects.get(pk=hold_take(team=people.team, user=people.owner, amount="5").generation_id)
    with pytest.raises(ValueError, match="is not the job"):
        hold_capture(hold=hold, amount=Decimal("5"), job=other.ledger_ref)
