"""Offers the provider's API can't run (Kubflow: "Direct API generation currently accepts image and
video") are browsable with their documented price, never offered in the composer and never sent."""

from __future__ import annotations

import pytest

from catalog.models import Offer
from catalog.selectors import offers_generatable
from generations.models import Generation
from tests.conftest import client_for_team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]


@pytest.fixture
def member(client, people):
    return client_for_team(client, people.owner, people.team)


def test_kubflows_audio_text_and_utility_offers_are_not_runnable():
    kubflow = Offer.objects.filter(provider__slug="kubflow")
    categories = {offer.spec["wire"]["category"] for offer in kubflow.filter(runnable=False)}
    assert categories == {"audio", "text", "utility"}, "the price list's categories the API does not take"
    assert kubflow.filter(runnable=False).count() == 29
    assert all(offer.spec["wire"]["category"] in {"image", "video"} for offer in kubflow.filter(runnable=True))
    assert not offers_generatable().filter(runnable=False).exists()
    assert not Offer.objects.exclude(provider__slug="kubflow").filter(runnable=False).exists()


def test_the_model_page_shows_the_price_and_says_why_it_cannot_run(member):
    html = member.get("/catalog/elevenlabs-tts/").content.decode()
    section = html.split('<article class="offer-section"')[1:]
    section = next(c for c in section if 'data-offer="kubflow:elevenlabs-tts-v2"' in c.split(">", 1)[0])
    section = section[: section.index("</article>")]
    assert "credits" in section, "the documented price is still shown"
    assert "Kubflow's API does not run audio models" in section
    assert "kubflow%3Aelevenlabs-tts-v2" not in html, "no generate link anywhere on the page"
    assert "not run by Kubflow&#x27;s API" in html or "not run by Kubflow's API" in html, "the comparison says why"


def test_the_composer_moves_to_a_provider_that_runs_the_model(member):
    html = member.get("/gallery/?offer=kubflow:elevenlabs-tts-v2").content.decode()
    picked = html.split('id="offer-select"', 1)[1].split("</select>", 1)[0]
    assert 'value="kubflow:elevenlabs-tts-v2"' not in picked
    assert "selected" in picked and "cliprise:" in picked


def test_a_forced_submission_is_refused_and_nothing_is_held(member, people):
    response = member.post(
        "/generate/", {"offer": "kubflow:claude-haiku-4-5", "prompt": "a haiku about harbours", "idempotency_key": "k1"}
    )
    assert response.status_code == 200
    assert "does not run this kind of model" in response.content.decode()
    assert not Generation.objects.filter(team=people.team).exists()
    people.team.wallet.refresh_from_db()
    assert people.team.wallet.held == 0
