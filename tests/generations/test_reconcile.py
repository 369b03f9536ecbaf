"""Reconciliation: the providers' own accounts beside what the studio charged, from a real sandbox run."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from billing.services import credits_grant
from catalog.services import catalog_sync
from generations.models import Generation, ProviderAccountReading
from generations.reconcile import NO_SOURCE, provider_accounts_read, provider_reconcile
from tests.conftest import client_for_team, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _run(client, offer: str, **fields) -> Generation:
    response = client.post("/generate/", {"offer": offer, **fields}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content[:600]
    public_id = re.search(r'data-id="(gen_[^"]+)"', response.content.decode()).group(1)

    def done():
        generation = Generation.objects.get(public_id=public_id)
        return generation if generation.status in {"completed", "failed"} else None

    generation = wait_for(done, timeout=60, interval=0.3, message=public_id)
    assert generation.status == "completed", generation.error_message
    return generation


def test_kubeez_account_drop_matches_the_studios_documented_cost(client, people, sandbox, celery_worker):
    catalog_sync()
    credits_grant(team=people.team, amount=Decimal("500"), reason="reconcile")
    owner = client_for_team(client, people.owner, people.team)
    (first,) = provider_accounts_read()
    assert first.provider == "kubeez"
    # 002: "| gpt-image-2 | ... | 1K | 11 |" and "| 2K | 15 |"
    _run(owner, "kubeez:gpt-image-2", prompt="a paper crane", resolution="1K")
    # 2K needs a non-square ratio (002: "2K and 4K need an explicit non-square, non-auto aspect ratio")
    _run(owner, "kubeez:gpt-image-2", prompt="a paper boat", resolution="2K", aspect_ratio="16:9")
    (last,) = provider_accounts_read()
    assert first.balance - last.balance == Decimal("26"), "the sandbox's account took its own price"

    (row,) = provider_reconcile(day=timezone.localdate(), providers=["kubeez"])
    assert (row.jobs, row.studio_provider_cost, row.studio_captured) == (2, Decimal("26"), Decimal("26"))
    assert row.reported_cost == Decimal("26")
    assert (row.provider_spent, row.window_jobs, row.window_provider_cost) == (Decimal("26"), 2, Decimal("26"))
    assert row.drift == 0

    out = io.StringIO()
    call_command("provider_reconcile", "--json", stdout=out)
    lines = {json.loads(line)["provider"]: json.loads(line) for line in out.getvalue().splitlines()}
    assert lines["kubeez"]["drift"] == "0" and lines["kubeez"]["provider_spent"] == "26"
    assert lines["kubflow"]["provider_spent"] is None and lines["kubflow"]["source"] == NO_SOURCE["kubflow"]
    assert set(lines) == {"kubeez", "kubflow", "krea", "cliprise"}


def test_the_staff_page_shows_the_drift_and_says_where_no_figure_exists(client, people, sandbox):
    catalog_sync()
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    client.force_login(people.stranger)
    assert client.post("/staff/reconcile/read/").status_code == 302
    assert client.post("/staff/reconcile/read/").status_code == 302
    assert ProviderAccountReading.objects.filter(provider="kubeez").count() == 2
    html = client.get("/staff/reconcile/").content.decode()
    kubeez = html[html.index('data-provider="kubeez"') :]
    assert re.search(r'data-testid="drift">0<', kubeez[: kubeez.index("</tr>")])
    for slug, reason in NO_SOURCE.items():
        row = html[html.index(f'data-provider="{slug}"') :]
        assert reason in row[: row.index("</tr>")]
    assert client.get("/staff/reconcile/?date=nonsense").status_code == 200


def test_only_staff_see_the_provider_accounts(client, people):
    client.force_login(people.owner)
    assert client.get("/staff/reconcile/").status_code in (302, 403, 404)
    assert client.post("/staff/reconcile/read/").status_code in (302, 403, 404)
    assert not ProviderAccountReading.objects.exists()
