"""The compare grid's service and pages: the total first, refused whole, one hold per job, team walls."""

from __future__ import annotations

import threading
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from accounts.models import Membership
from accounts.services import team_create
from billing.models import Hold, HoldState, LedgerEntry, Wallet
from billing.services import (
    InsufficientCredits,
    SpendLimitExceeded,
    credits_grant,
    hold_capture,
    member_limit_set,
)
from catalog.services import catalog_sync, price_quote
from generations.compare import (
    CompareError,
    compare_offers_from_keys,
    comparison_cells,
    comparison_create,
    comparison_plan,
)
from generations.models import Board, Comparison, Generation, Status
from tests.conftest import client_for_team

NANO = ["kubflow:nano-banana", "krea:nano-banana", "cliprise:nano-banana"]
VALUES = {"prompt": "a lighthouse in a storm", "aspect_ratio": "16:9"}


@pytest.fixture
def three_providers(db) -> None:
    catalog_sync(providers=["kubflow", "krea", "cliprise"])


def _offers(keys=NANO):
    return compare_offers_from_keys(list(keys))


def _expected_total(keys=NANO, values=VALUES) -> Decimal:
    """Each offer priced on its own by the catalog engine, with its own field names and values."""
    plan = comparison_plan(offers=_offers(keys), values=values)
    return sum((price_quote(offer=i.offer, params=i.params).credits for i in plan.items), Decimal(0))


def _as_shown(credits: Decimal) -> str:
    """As the pages show credits (floatformat "-2"): 4, or 34.30."""
    return f"{credits:.0f}" if credits == credits.to_integral_value() else f"{credits:.2f}"


def _nothing_held(team) -> None:
    assert not Comparison.objects.filter(team=team).exists()
    assert not Generation.objects.filter(team=team).exists()
    assert not Hold.objects.filter(wallet__team=team).exists()
    assert Wallet.objects.get(team=team).held == 0


# --- the plan: each offer's fitted parameters and quote, and the total ---------------------


@pytest.mark.django_db
def test_plan_fits_each_offers_parameters_by_meaning_and_totals_their_quotes(three_providers):
    plan = comparison_plan(offers=_offers(), values=VALUES)

    assert [i.offer.key for i in plan.items] == NANO  # in the order chosen
    assert plan.problem == ""
    by_key = {i.offer.key: i for i in plan.items}
    assert by_key["kubflow:nano-banana"].params == {"prompt": VALUES["prompt"], "aspect_ratio": "16:9"}
    assert by_key["krea:nano-banana"].params["aspect_ratio"] == "16:9"
    # Cliprise's nano-banana has no aspect ratio: it is left out and said, not sent.
    assert "aspect_ratio" not in by_key["cliprise:nano-banana"].params
    assert by_key["cliprise:nano-banana"].ignored == ["Aspect ratio"]
    credits = [i.quote.credits for i in plan.items]
    assert all(c > 0 for c in credits)
    assert plan.total == sum(credits) == _expected_total()
    assert by_key["kubflow:nano-banana"].quote.credits == Decimal("4")  # the documented 4 credits


@pytest.mark.django_db
def test_a_duration_moves_by_meaning_between_providers_that_name_it_differently(three_providers):
    keys = ["kubflow:kling-2.6", "krea:kling-2.6", "cliprise:kling-2-6"]
    plan = comparison_plan(offers=_offers(keys), values={"prompt": "waves at night", "duration": "10"})
    for item in plan.items:
        field = next(f for f in item.offer.spec["fields"] if f.get("shared") == "duration")
        assert str(item.params[field["name"]]).rstrip("s") == "10", (item.offer.key, item.params)


@pytest.mark.django_db
def test_plan_says_why_it_cannot_run(three_providers):
    assert "at least 2" in comparison_plan(offers=_offers(NANO[:1]), values=VALUES).problem
    seven = ["kubflow:nano-banana", "krea:nano-banana", "cliprise:nano-banana", "kubflow:nano-banana-2",
             "krea:nano-banana-2", "cliprise:nano-banana-2", "kubflow:nano-banana-pro"]  # fmt: skip
    assert "at most 6" in comparison_plan(offers=_offers(seven), values=VALUES).problem
    empty = comparison_plan(offers=_offers(), values={"aspect_ratio": "16:9"})
    assert any(i.error is not None for i in empty.items)
    assert empty.problem  # a prompt is required by these models


# --- confirming: every job with its own hold, or nothing --------------------------------------


@pytest.mark.django_db
def test_create_makes_one_job_per_offer_each_with_its_own_hold(people, three_providers):
    total = _expected_total()
    comparison = comparison_create(
        team=people.team, user=people.teammate, offers=_offers(), values=VALUES, expected_total=total
    )

    jobs = list(comparison.generations.order_by("id"))
    assert [j.offer.key for j in jobs] == NANO
    assert all(j.status == Status.QUEUED and j.created_by == people.teammate for j in jobs)
    assert jobs[0].params == {"prompt": VALUES["prompt"], "aspect_ratio": "16:9"}
    holds = {h.generation_id: h.amount for h in Hold.objects.filter(generation__comparison=comparison)}
    assert holds == {j.pk: j.credits_quoted for j in jobs}  # one hold each, at its own quote
    assert sum(holds.values()) == total
    assert Wallet.objects.get(team=people.team).held == total
    assert comparison.prompt == VALUES["prompt"] and comparison.shared == VALUES


@pytest.mark.django_db
def test_refused_whole_when_the_total_does_not_fit_the_wallet(people, three_providers):
    total = _expected_total()
    cheapest_two = sorted(i.quote.credits for i in comparison_plan(offers=_offers(), values=VALUES).items)[:2]
    poor = team_create(name="Tiny", owner=people.owner, slug="tiny")
    credits_grant(team=poor, amount=sum(cheapest_two), reason="enough for two of the three")

    with pytest.raises(InsufficientCredits) as refused:
        comparison_create(team=poor, user=people.owner, offers=_offers(), values=VALUES, expected_total=total)

    assert refused.value.needed == total
    assert f"needs {total}" in str(refused.value)
    _nothing_held(poor)
    assert Wallet.objects.get(team=poor).available == sum(cheapest_two)


@pytest.mark.django_db
def test_refused_whole_by_the_members_spend_limit(people, three_providers):
    total = _expected_total()
    membership = Membership.objects.get(team=people.team, user=people.teammate)
    member_limit_set(membership=membership, actor=people.owner, monthly_limit=total - Decimal("1"))
    entries = LedgerEntry.objects.count()

    with pytest.raises(SpendLimitExceeded):
        comparison_create(team=people.team, user=people.teammate, offers=_offers(), values=VALUES, expected_total=total)

    _nothing_held(people.team)
    assert LedgerEntry.objects.count() == entries


@pytest.mark.django_db
def test_refused_whole_when_one_offer_refuses_the_settings(people, three_providers):
    keys = ["kubflow:nano-banana-2", "krea:nano-banana-2"]  # Krea documents a prompt of at least 3 characters
    with pytest.raises(CompareError) as refused:
        comparison_create(team=people.team, user=people.owner, offers=_offers(keys), values={"prompt": "ox"})
    assert "Krea" in refused.value.message
    _nothing_held(people.team)


@pytest.mark.django_db
def test_refused_when_the_total_is_not_the_one_shown(people, three_providers):
    total = _expected_total()
    with pytest.raises(CompareError) as refused:
        comparison_create(
            team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=total - 1
        )
    assert refused.value.code == "price_changed"
    assert f"now {total.normalize():f} credits" in refused.value.message
    _nothing_held(people.team)


@pytest.mark.django_db
def test_the_same_idempotency_key_makes_one_comparison(people, three_providers):
    total = _expected_total()
    first = comparison_create(
        team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=total, idempotency_key="k1"
    )
    again = comparison_create(
        team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=total, idempotency_key="k1"
    )
    assert again.pk == first.pk
    assert Generation.objects.filter(team=people.team).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_comparisons_at_once_on_credits_for_one_leave_the_other_refused_whole(people, three_providers):
    """Both pass the check first; the holds decide, and the one that loses takes every hold back."""
    total = _expected_total()
    team = team_create(name="Race", owner=people.owner, slug="race")
    credits_grant(team=team, amount=total + total / 2, reason="one and a half comparisons")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait()
            comparison_create(team=team, user=people.owner, offers=_offers(), values=VALUES, expected_total=total)
            outcomes.append("created")
        except InsufficientCredits:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["created", "refused"]
    assert Comparison.objects.filter(team=team).count() == 1
    assert Generation.objects.filter(team=team).count() == 3
    assert Generation.objects.filter(team=team, comparison__isnull=True).count() == 0
    assert Wallet.objects.get(team=team).held == total
    assert Hold.objects.filter(wallet__team=team).count() == 3


# --- reading it back: cells with the ledger's money -------------------------------------------


@pytest.mark.django_db
def test_cells_show_what_the_ledger_charged(people, three_providers):
    comparison = comparison_create(
        team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=_expected_total()
    )
    first = comparison.generations.order_by("id").first()
    hold = Hold.objects.get(generation=first)
    hold_capture(hold=hold, amount=hold.amount)
    Generation.objects.filter(pk=first.pk).update(status=Status.COMPLETED, credits_charged=hold.amount)

    cells = comparison_cells(comparison=comparison, user=people.owner)

    assert [c.generation.offer.key for c in cells] == NANO
    assert (cells[0].charged, cells[0].held) == (hold.amount, 0)
    assert all(c.charged == 0 and c.held == c.generation.credits_quoted for c in cells[1:])
    assert Hold.objects.get(pk=hold.pk).state == HoldState.CAPTURED


# --- the pages ------------------------------------------------------------------------------


def _confirm_data(total: Decimal | str) -> dict:
    return {"offers": NANO, "total": str(total), "idempotency_key": "confirm-1", **VALUES}


@pytest.mark.django_db
def test_setup_page_shows_each_quote_and_the_total_before_confirming(client, people, three_providers):
    client = client_for_team(client, people.owner, people.team)
    query = "&".join(f"offers={k}" for k in NANO) + "&prompt=a+lighthouse+in+a+storm&aspect_ratio=16%3A9"
    response = client.get(f"/compare/new/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    total = _expected_total()
    assert f'data-testid="compare-total">{_as_shown(total)}<' in html
    assert html.count('data-testid="plan-row"') == 3
    assert f'name="total" value="{total}"' in html
    assert not Generation.objects.exists()  # showing the price runs nothing


@pytest.mark.django_db
def test_composer_and_model_page_open_the_setup_with_their_values(client, people, three_providers):
    client = client_for_team(client, people.owner, people.team)
    response = client.get(
        "/compare/new/?from_offer=kubflow:nano-banana&prompt=a+fox&aspect_ratio=16:9", headers={"HX-Request": "true"}
    )
    query = parse_qs(urlsplit(response["HX-Redirect"]).query)
    assert query["offers"][0] == "kubflow:nano-banana"
    assert sorted(query["offers"]) == sorted(NANO)  # the model at its other providers too
    assert query["prompt"] == ["a fox"] and query["aspect_ratio"] == ["16:9"]

    response = client.get("/compare/new/?family=nano-banana&aspect_ratio=16:9")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert sorted(query["offers"]) == sorted(NANO) and query["aspect_ratio"] == ["16:9"]

    family = client.get("/catalog/nano-banana/")
    assert "/compare/new/?family=nano-banana" in family.content.decode()


@pytest.mark.django_db
def test_confirming_runs_the_grid_and_refusals_are_clear_4xx(client, people, three_providers):
    client = client_for_team(client, people.owner, people.team)
    total = _expected_total()

    assert client.post("/compare/", _confirm_data("lots")).status_code == 400
    changed = client.post("/compare/", _confirm_data(total - 1))
    assert changed.status_code == 422
    assert "not the" in changed.content.decode()
    assert not Generation.objects.exists()

    response = client.post("/compare/", _confirm_data(total))
    comparison = Comparison.objects.get(team=people.team)
    assert response.status_code == 302 and response["Location"] == f"/compare/{comparison.public_id}/"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert html.count('data-testid="compare-cell"') == 3
    for name in ("Kubflow", "Krea", "Cliprise"):
        assert name in html
    assert 'id="compare-poll" hx-get=' in html  # live while running
    assert "0 of 3 done" in html


@pytest.mark.django_db
def test_refused_for_credits_with_a_402_and_nothing_held(client, people, three_providers):
    poor = team_create(name="Tiny", owner=people.owner, slug="tiny")
    credits_grant(team=poor, amount=Decimal("5"), reason="test")
    client = client_for_team(client, people.owner, poor)
    response = client.post("/compare/", _confirm_data(_expected_total()))
    assert response.status_code == 402
    assert "available" in response.content.decode()
    _nothing_held(poor)


@pytest.mark.django_db
def test_poll_sends_only_changed_cells_and_stops_when_all_are_done(client, people, three_providers):
    comparison = comparison_create(
        team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=_expected_total()
    )
    client = client_for_team(client, people.owner, people.team)
    jobs = list(comparison.generations.order_by("id"))
    url = f"/compare/{comparison.public_id}/poll/"
    shown = ",".join(f"{j.public_id}:queued:0" for j in jobs)

    assert client.get(url, {"shown": shown}).status_code == 204  # nothing changed

    Generation.objects.filter(pk=jobs[0].pk).update(status=Status.RUNNING, progress=40)
    html = client.get(url, {"shown": shown}).content.decode()
    assert f'id="cell-{jobs[0].public_id}"' in html and 'hx-swap-oob="true"' in html
    assert f'id="cell-{jobs[1].public_id}"' not in html
    assert "hx-trigger=" in html  # still polling

    for job in jobs:
        hold = Hold.objects.get(generation=job)
        hold_capture(hold=hold, amount=hold.amount)
    Generation.objects.filter(comparison=comparison).update(status=Status.COMPLETED)
    html = client.get(url, {"shown": shown}).content.decode()
    assert html.count('data-testid="compare-cell"') == 3
    assert "hx-trigger=" not in html.split('id="compare-poll"')[1].split(">")[0]  # the poller stops
    assert "3 of 3 done" in html


@pytest.mark.django_db
def test_every_route_is_for_the_team_only(client, people, three_providers):
    comparison = comparison_create(
        team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=_expected_total()
    )
    detail = f"/compare/{comparison.public_id}/"
    poll = f"/compare/{comparison.public_id}/poll/"
    routes = [("get", "/compare/new/"), ("get", "/compare/"), ("post", "/compare/"), ("get", detail), ("get", poll)]

    for method, url in routes:  # signed out: to the login page, nothing run
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    stranger = client_for_team(client, people.stranger, people.other_team)
    assert stranger.get(detail).status_code == 404
    assert stranger.get(poll).status_code == 404
    assert comparison.public_id not in stranger.get("/compare/").content.decode()
    assert stranger.get("/compare/new/").status_code == 200

    teammate = client_for_team(client, people.teammate, people.team)  # the team's, not only its author's
    assert teammate.get(detail).status_code == 200
    assert teammate.get(poll).status_code in (200, 204)
    assert comparison.public_id in teammate.get("/compare/").content.decode()
    assert teammate.get("/compare/cmp_doesnotexist/").status_code == 404


@pytest.mark.django_db
def test_a_cell_is_picked_to_a_board_and_back_to_the_grid(client, people, three_providers):
    comparison = comparison_create(
        team=people.team, user=people.owner, offers=_offers(), values=VALUES, expected_total=_expected_total()
    )
    client = client_for_team(client, people.owner, people.team)
    job = comparison.generations.order_by("id").first()
    detail = f"/compare/{comparison.public_id}/"
    response = client.post(f"/g/{job.public_id}/boards/", {"new_board": "Picks", "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    assert list(Board.objects.get(team=people.team, name="Picks").generations.all()) == [job]
    html = client.get(detail).content.decode()
    assert f"/g/{job.public_id}/favourite/" in html
    assert "/gallery/?offer=kubflow%3Anano-banana" in html  # open in the composer, prefilled
    assert detail in client.get(f"/g/{job.public_id}/").content.decode()  # the job's page links back
