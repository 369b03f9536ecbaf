"""A request runs exactly the model it names: never another variant of its family, never a cheaper one.

Found by trying the API as a new user would: ``{"provider": "krea", "model": "imagen-4-ultra"}`` ran
``krea:imagen-4-fast`` and charged 11.5 compute units instead of 34.4, because every offer of the
family was a candidate and the cheapest won.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from billing.models import Hold
from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.selectors import offers_named
from generations.models import Generation

pytestmark = pytest.mark.django_db


def _families_with_variants() -> dict[str, list[Offer]]:
    families: dict[str, list[Offer]] = defaultdict(list)
    for offer in Offer.objects.select_related("provider", "family").order_by("provider__slug", "model_id"):
        families[offer.family.slug].append(offer)
    return {slug: offers for slug, offers in families.items() if len({o.model_id for o in offers}) > 1}


def test_every_offer_of_every_family_with_several_variants_is_named_exactly(all_catalogs):
    families = _families_with_variants()
    assert len(families) >= 35, "the catalog has some 39 families whose offers are different models"
    checked = 0
    for slug, offers in families.items():
        for offer in offers:
            assert offers_named(name=offer.model_id, provider=offer.provider.slug) == [offer], (slug, offer.key)
            assert offers_named(name=offer.key) == [offer], (slug, offer.key)
            same_id = offers_named(name=offer.model_id)
            assert offer in same_id and {o.model_id for o in same_id} == {offer.model_id}, (slug, offer.key)
            checked += 1
    assert checked >= 150


def test_a_family_slug_of_several_variants_asks_for_one_and_lists_them(all_catalogs):
    for slug, offers in _families_with_variants().items():
        if any(o.model_id == slug for o in offers):
            continue  # the slug is also a model id (nano-banana): it names that model
        with pytest.raises(QuoteError) as info:
            offers_named(name=slug)
        assert info.value.code == "variant_required", slug
        variants = info.value.details["available_variants"]
        # the studio lists the family's offer ids; a label a provider documents answers with its own variants
        assert variants == [o.key for o in offers] or set(variants) <= {o.model_id for o in offers}, slug
        assert len(variants) >= 2, slug


def test_a_family_slug_of_one_model_picks_among_its_providers(all_catalogs):
    # z-image is one model at three providers, under one id
    offers = offers_named(name="z-image")
    assert sorted(o.key for o in offers) == ["cliprise:z-image", "krea:z-image", "kubflow:z-image"]


def test_a_kling_3_family_at_one_provider_lists_only_that_providers_variants(all_catalogs):
    with pytest.raises(QuoteError) as info:
        offers_named(name="kling-3-0", provider="kubeez")
    assert info.value.code == "variant_required"
    assert info.value.details["available_variants"] == ["kubeez:kling-3-0-pro", "kubeez:kling-3-0-std"]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("/generate/image/runway/gen-4-image", "krea:runway-gen-4-image"),
        ("gen-4-image", "krea:runway-gen-4-image"),
        ("uni-1", "krea:luma-uni-1"),
        ("2512", "krea:qwen-2512"),
        ("ray-2", "krea:luma-ray-2"),
        ("gen-3", "krea:runway-gen-3"),
        ("gen-4-video", "krea:runway-gen-4-video"),
        ("gen-4.5", "krea:runway-gen-4.5"),
        ("/generate/image/google/imagen-4-ultra", "krea:imagen-4-ultra"),
    ],
)
def test_krea_endpoints_are_named_by_their_documented_path_or_its_last_segment(all_catalogs, name, key):
    # 003: every endpoint is a path, e.g. "/generate/image/runway/gen-4-image"
    assert [o.key for o in offers_named(name=name, provider="krea")] == [key]
    assert [o.key for o in offers_named(name=name)] == [key]


def test_a_path_segment_with_a_slash_is_not_matched_by_its_tail(all_catalogs):
    with pytest.raises(QuoteError) as info:
        offers_named(name="runway/gen-4-image", provider="krea")
    assert info.value.code == "unknown_model"


@pytest.mark.parametrize(
    ("body", "offer", "provider_cost"),
    [
        # 003 imagen-4-ultra: "| Generation | 34.4 |" (compute units); imagen-4-fast is 11.5
        ({"provider": "krea", "model": "imagen-4-ultra", "prompt": "a lighthouse"}, "krea:imagen-4-ultra", "34.4"),
        ({"model": "krea:imagen-4-ultra", "prompt": "a lighthouse"}, "krea:imagen-4-ultra", "34.4"),
        # 002: "| kling-3-0-pro | Kling 3.0 Pro | 21 | credits / sec |" — 5 s (std is 17)
        (
            {"provider": "kubeez", "model": "kling-3-0-pro", "prompt": "waves", "params": {"duration": 5}},
            "kubeez:kling-3-0-pro",
            "105",
        ),
        # 002: "| seedance-2-720p | Seedance 2 (720p) | 35 | credits / sec |" — 5 s
        (
            {"provider": "kubeez", "model": "seedance-2-720p", "prompt": "waves", "params": {"duration": 5}},
            "kubeez:seedance-2-720p",
            "175",
        ),
        # 004: "kling-2-1-master" is its own route, not kling-2-1-standard
        (
            {"provider": "cliprise", "model": "kling-2-1-master", "prompt": "waves", "params": {"duration": "5"}},
            "cliprise:kling-2-1-master",
            None,
        ),
        ({"provider": "cliprise", "model": "flux-kontext-max", "prompt": "a cat"}, "cliprise:flux-kontext-max", None),
        ({"provider": "kubflow", "model": "flux-2-flex", "prompt": "a cat"}, "kubflow:flux-2-flex", None),
    ],
)
def test_the_api_quotes_the_named_offer_not_the_cheapest_of_its_family(api, all_catalogs, body, offer, provider_cost):
    response = api.post("/quotes", body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["offer"] == offer
    if provider_cost is not None:
        assert Decimal(data["provider_cost"]) == Decimal(provider_cost)
    else:
        named = Offer.objects.get(provider__slug=offer.split(":")[0], model_id=offer.split(":")[1])
        assert data["model"] == named.model_id


def test_submitting_an_exact_model_holds_its_own_price(api, all_catalogs):
    response = api.post("/generations", {"provider": "krea", "model": "imagen-4-ultra", "prompt": "a lighthouse"})
    assert response.status_code in (201, 202), response.content
    data = response.json()
    assert data["offer"] == "krea:imagen-4-ultra"
    generation = Generation.objects.get(public_id=data["generation_id"])
    assert generation.offer.model_id == "imagen-4-ultra"
    assert generation.credits_quoted == Decimal(data["estimated_credits"])
    assert Hold.objects.get(generation=generation).amount == generation.credits_quoted


def test_an_exact_offer_that_refuses_the_params_is_refused_not_replaced(api, all_catalogs):
    # kling-3-0-pro takes 3–15 s (002 "Kling 3.0 … 3s–15s"): 20 s is refused, std is not tried instead
    response = api.post(
        "/quotes", {"provider": "kubeez", "model": "kling-3-0-pro", "prompt": "waves", "params": {"duration": 20}}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_params"


def test_a_model_id_unknown_at_the_named_provider_is_not_taken_from_another(api, all_catalogs):
    response = api.post("/quotes", {"provider": "kubflow", "model": "imagen-4-ultra", "prompt": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == "unknown_model"


def test_a_family_slug_is_variant_required_through_the_api(api, all_catalogs):
    response = api.post("/quotes", {"model": "kling-2-1", "prompt": "waves"})
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "variant_required"
    assert "cliprise:kling-2-1-master" in data["available_variants"]
    assert "krea:kling-2.1" in data["available_variants"]
