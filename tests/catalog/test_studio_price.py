"""Offers whose provider documents no price: browsable as such, runnable only at a staff-set studio price.

003 (Krea OpenAPI): five generate endpoints carry no price table in their description — Topaz
generative/standard/bloom enhance, SeedEdit and Runway Aleph. The studio never guesses a price: they are
listed with "no documented price" and refused with price_unavailable until staff set the studio's own
price, an audited action; then that price is what is quoted, held and charged.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from billing.models import LedgerEntry
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.services import catalog_sync, offer_studio_price_set, price_quote
from generations.models import Generation
from tests.conftest import client_for_team, wait_for
from tests.generations.media_files import png

UNPRICED_KREA = {
    "topaz-generative-enhance": "/generate/enhance/topaz/generative-enhance",
    "topaz-standard-enhance": "/generate/enhance/topaz/standard-enhance",
    "topaz-bloom-enhance": "/generate/enhance/topaz/bloom-enhance",
    "seededit": "/generate/image/bytedance/seededit",
    "runway-aleph": "/generate/video/runway/aleph",
}


@pytest.fixture
def staff_client(client, people):
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    client.force_login(people.stranger)
    return client


@pytest.mark.django_db
def test_the_five_krea_endpoints_without_a_price_table_are_browsable_and_refused(client, people):
    catalog_sync(providers=["krea"])
    offers = {o.model_id: o for o in Offer.objects.filter(provider__slug="krea", priced=False)}
    assert set(offers) == set(UNPRICED_KREA)
    for model_id, path in UNPRICED_KREA.items():
        offer = offers[model_id]
        assert offer.spec["wire"]["path"] == path and offer.spec["unpriced"] is True
        with pytest.raises(QuoteError) as info:
            price_quote(offer=offer, params={"prompt": "x", "image_url": "https://example.com/a.png"})
        assert info.value.code in {"price_unavailable", "invalid_params"}
    page = client_for_team(client, people.owner, people.team).get(f"/catalog/{offers['seededit'].family.slug}/")
    section = page.content.decode()
    section = section[section.index('data-offer="krea:seededit"') :]
    assert "no documented price" in section[: section.index("</article>")]


@pytest.mark.django_db
def test_staff_set_a_studio_price_which_is_audited_and_quoted(staff_client, people):
    catalog_sync(providers=["krea"])
    response = staff_client.post("/staff/prices/offers/studio-price/", {"offer": "krea:seededit", "credits": "12.50"})
    assert response.status_code == 302
    offer = Offer.objects.get(provider__slug="krea", model_id="seededit")
    assert (offer.studio_price, offer.priced) == (Decimal("12.50"), True)
    event = AuditEvent.objects.get(action="prices.studio_price")
    assert event.actor == people.stranger
    assert event.detail == {"offer": "krea:seededit", "before": None, "after": "12.50"}

    quote = price_quote(offer=offer, params={"prompt": "make it night", "image_url": "https://example.com/a.png"})
    assert quote.credits == Decimal("12.50")
    assert "studio's own price" in quote.charge_note

    # a price staff typed as junk, or for a model with a documented price, changes nothing
    assert staff_client.post("/staff/prices/offers/studio-price/", {"offer": "krea:seededit", "credits": "-1"})
    assert staff_client.post("/staff/prices/offers/studio-price/", {"offer": "krea:imagen-4", "credits": "1"})
    assert Offer.objects.get(provider__slug="krea", model_id="imagen-4").studio_price is None
    assert Offer.objects.get(pk=offer.pk).studio_price == Decimal("12.50")
    with pytest.raises(ValueError):
        offer_studio_price_set(
            offer=Offer.objects.get(provider__slug="krea", model_id="imagen-4"), actor=None, credits=1
        )

    # a sync of the data files keeps it, and clearing it makes the offer unrunnable again
    catalog_sync(providers=["krea"])
    assert Offer.objects.get(pk=offer.pk).priced is True
    staff_client.post("/staff/prices/offers/studio-price/", {"offer": "krea:seededit", "credits": ""})
    assert Offer.objects.get(pk=offer.pk).priced is False
    assert AuditEvent.objects.filter(action="prices.studio_price").count() == 2


def test_members_cannot_set_a_studio_price(client, people, db):
    catalog_sync(providers=["krea"])
    member = client_for_team(client, people.owner, people.team)
    response = member.post("/staff/prices/offers/studio-price/", {"offer": "krea:seededit", "credits": "1"})
    assert response.status_code in (302, 403, 404)
    assert Offer.objects.get(provider__slug="krea", model_id="seededit").studio_price is None


@pytest.mark.django_db(transaction=True)
def test_a_job_at_the_studio_price_is_held_and_charged_exactly_that(client, people, sandbox, celery_worker):
    catalog_sync()
    offer = Offer.objects.get(provider__slug="krea", model_id="seededit")
    offer_studio_price_set(offer=offer, actor=None, credits=Decimal("9.75"))
    owner = client_for_team(client, people.owner, people.team)
    response = owner.post(
        "/generate/",
        {
            "offer": "krea:seededit",
            "prompt": "the same street at night",
            "image_url__files": SimpleUploadedFile("street.png", png(), content_type="image/png"),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content[:600]
    public_id = re.search(r'data-id="(gen_[^"]+)"', response.content.decode()).group(1)

    def done():
        generation = Generation.objects.get(public_id=public_id)
        return generation if generation.status in {"completed", "failed"} else None

    generation = wait_for(done, timeout=60, interval=0.3, message="the SeedEdit job")
    assert generation.status == "completed", generation.error_message
    entries = list(
        LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", "balance_delta")
    )
    assert entries == [("hold", Decimal("0")), ("capture", Decimal("-9.75"))]
    assert "studio's own price" in generation.charge_note
