"""Live ETA and health per offer: the studio's own finished jobs of the last 24 hours (generations.health)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Team
from catalog.models import Offer, Provider
from catalog.services import catalog_sync
from generations.health import offer_health, offer_health_compute, offer_health_forget
from generations.models import Generation, Status
from generations.services.submission import generation_submit
from tests.conftest import client_for_team, wait_for
from tests.gallery.helpers import make_generations


def _jobs(people, offer_key: str, *, seconds: list[int], status: str = Status.COMPLETED, ago: timedelta = timedelta(0)):
    """Finished jobs of one offer that took ``seconds`` each from submit to done, finished ``ago``."""
    made = make_generations(team=people.team, user=people.owner, count=len(seconds), status=status, offer_key=offer_key)
    finished = timezone.now() - ago
    for generation, took in zip(made, seconds, strict=True):
        Generation.objects.filter(pk=generation.pk).update(
            created_at=finished - timedelta(seconds=took), finished_at=finished
        )
    return made


@pytest.mark.django_db
def test_median_p95_and_failure_rate_of_the_last_24_hours(people, catalog):
    _jobs(people, "kubflow:nano-banana", seconds=[10, 20, 30, 40, 100])
    _jobs(people, "kubflow:nano-banana", seconds=[5], status=Status.FAILED)
    _jobs(people, "kubflow:nano-banana", seconds=[500], status=Status.CANCELLED)  # says nothing about the provider
    _jobs(people, "kubflow:nano-banana", seconds=[900], ago=timedelta(hours=25))  # outside the window
    offer = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")

    health = offer_health_compute()[offer.pk]

    assert (health.jobs, health.failed) == (6, 1)
    assert health.median_seconds == 30  # of the completed ones: 10 20 30 40 100
    assert health.p95_seconds == 88  # 40 + 0.8 × (100 − 40), PostgreSQL's percentile_cont
    assert health.failure_percent == 17
    assert list(offer_health_compute()) == [offer.pk], "one row per offer that finished something"


@pytest.mark.django_db
def test_the_figures_are_read_once_and_kept_for_a_minute(people, catalog, django_assert_num_queries):
    _jobs(people, "kubflow:nano-banana", seconds=[10, 20, 30])
    offer = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")
    with django_assert_num_queries(1):
        assert offer_health()[offer.pk].jobs == 3
    _jobs(people, "kubflow:nano-banana", seconds=[40])
    with django_assert_num_queries(0):
        assert offer_health()[offer.pk].jobs == 3, "kept: no query per page"
    offer_health_forget()
    assert offer_health()[offer.pk].jobs == 4


@pytest.mark.django_db
def test_the_composer_and_the_model_page_show_the_offers_speed(client, people, catalog):
    member = client_for_team(client, people.owner, people.team)
    page = member.get("/gallery/?offer=kubflow:nano-banana").content.decode()
    assert "provider&#x27;s estimate" in page or "time not documented" in page, "no figure without jobs"

    _jobs(people, "kubflow:nano-banana", seconds=[10, 20, 30, 40, 100])
    _jobs(people, "kubflow:nano-banana", seconds=[5], status=Status.FAILED)
    offer_health_forget()
    expected = "usually 30 s, 95% within 88 s · 17% failed · 6 jobs in the last 24 h"
    composer = member.get("/generate/?offer=kubflow:nano-banana").content.decode()
    assert expected in composer
    family = member.get("/catalog/nano-banana/").content.decode()
    assert family.count(expected) == 2, "in the side-by-side table and in the offer's section"


@pytest.mark.django_db
def test_an_unfinished_card_counts_down_from_the_live_median(client, people, catalog):
    _jobs(people, "kubflow:nano-banana", seconds=[10, 20, 30, 40, 100])
    offer_health_forget()
    (running,) = make_generations(team=people.team, user=people.owner, count=1, status=Status.RUNNING)
    member = client_for_team(client, people.owner, people.team)

    card = member.get(f"/g/{running.public_id}/card/").content.decode()
    assert 'data-typical="30"' in card and 'data-p95="88"' in card
    assert "usually ~30 s" in card  # studio.js turns it into "about 0:12 left", then "any moment now"
    detail = member.get(f"/g/{running.public_id}/").content.decode()
    assert "the studio's median of the last 24 hours" in detail


@pytest.fixture
def nano_banana_everywhere(people):
    catalog_sync(providers=["kubflow", "kubeez", "krea", "cliprise"])
    # Kubflow holds 4; at these rates Cliprise (8 → 4) and Krea (22.30 → 2.23) both fit in that hold.
    Provider.objects.filter(slug="cliprise").update(credit_rate=Decimal("0.5"))
    Provider.objects.filter(slug="krea").update(credit_rate=Decimal("0.1"))
    Team.objects.filter(pk=people.team.pk).update(failover_enabled=True)
    return Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("ailing", "healthy"), [("krea", "cliprise"), ("cliprise", "krea")])
def test_failover_moves_a_job_to_the_healthier_offer(
    people, nano_banana_everywhere, sandbox, celery_worker, ailing, healthy
):
    sandbox.http.post("/_sandbox/keys", json={"kubflow": "rotated-key"}).raise_for_status()
    ailing_key = f"{ailing}:{Offer.objects.get(provider__slug=ailing, model_id='nano-banana').model_id}"
    healthy_key = f"{healthy}:{Offer.objects.get(provider__slug=healthy, model_id='nano-banana').model_id}"
    _jobs(people, ailing_key, seconds=[9, 9, 9], status=Status.FAILED)
    _jobs(people, ailing_key, seconds=[9])
    _jobs(people, healthy_key, seconds=[30, 30, 30])
    offer_health_forget()

    generation = generation_submit(
        team=people.team, user=people.owner, offer=nano_banana_everywhere, params={"prompt": "a fox"}
    )
    wait_for(lambda: generation.refresh_from_db() or not generation.is_active, timeout=90, message="the job to end")

    assert generation.status == "completed", generation.error_message
    assert generation.offer.provider.slug == healthy, "75% failed at the other one"
    (move,) = generation.moves
    assert (move["from"], move["to"]) == ("kubflow:nano-banana", healthy_key)
    assert move["why"].startswith("auth_failed")
    assert Decimal(move["credits_before"]) == Decimal("4")
    assert Decimal(move["credits_after"]) == generation.credits_quoted
