"""The generation form: fields from the offer's schema, the model/provider pickers swapping fields while
keeping shared-meaning values, and the live quote (price, breakdown, balance after, why submit is off)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Offer, Provider
from catalog.selectors import offer_by_key
from generations.forms import GenerationForm
from tests.conftest import client_for_team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def member(client, people):
    return client_for_team(client, people.owner, people.team)


def swap(client, **params) -> str:
    response = client.get("/generate/fields/", params, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def live_quote(client, **data) -> str:
    response = client.post("/generate/quote/", data, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def tag(html: str, name: str) -> str:
    """The rendered form control named ``name``."""
    match = re.search(rf'<(input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>(?:[^<]*</textarea>)?', html)
    assert match, f"no control {name}"
    return match.group(0)


# --- fields from the schema --------------------------------------------------------------------


def test_fields_render_from_the_offers_schema(member):
    html = swap(member, offer="kubeez:kling-3-0-pro")
    assert tag(html, "prompt").startswith("<textarea")
    duration = tag(html, "duration")  # "3s–15s"
    assert 'type="number"' in duration and 'min="3"' in duration and 'max="15"' in duration
    assert 'type="checkbox"' in tag(html, "sound")
    assert tag(html, "generation_type").startswith("<select")
    # source media: URLs (up to two: start + end frame) or files from the device
    assert tag(html, "source_media_urls").startswith("<textarea")
    upload = tag(html, "source_media_urls__files")
    assert 'type="file"' in upload and "multiple" in upload and "image/*" in upload
    assert 'data-shared="duration"' in html


def test_a_single_url_field_takes_one_file(member):
    html = swap(member, offer="kubflow:kling-3.0")
    assert 'type="url"' in tag(html, "image_url")
    assert "multiple" not in tag(html, "image_url__files")


def test_the_pickers_group_by_model_then_provider_with_prices(member):
    html = swap(member, offer="kubeez:kling-3-0-pro")
    family = html[html.index('id="family-select"') : html.index("</select>")]
    assert '<option value="kling-3-0" selected>Kling 3.0 — from 51 cr</option>' in family
    providers = html[html.index('id="offer-select"') :]
    providers = providers[: providers.index("</select>")]
    assert 'value="kubeez:kling-3-0-pro" selected' in providers
    assert 'value="krea:kling-3.0"' in providers and 'value="kubflow:kling-3.0"' in providers


def test_the_composer_offers_only_models_with_a_documented_price(member):
    html = swap(member, offer="kubflow:bytedance-seedream-v4")
    providers = html[html.index('id="offer-select"') :]
    providers = providers[: providers.index("</select>")]
    assert "kubeez:seedream-v4" not in providers  # Kubeez: "see get_models", no price in the docs
    assert "cliprise:seedream-v4" in providers
    # A link to an unpriced offer opens a priced offer of the same model instead.
    html = swap(member, offer="kubeez:nano-banana")
    assert re.search(r'name="from_offer" value="(kubflow|krea|cliprise):nano-banana"', html)


# --- switching model or provider keeps shared-meaning values -----------------------------------


def test_switching_provider_keeps_prompt_duration_and_sound_by_meaning(member):
    html = swap(
        member,
        offer="krea:kling-3.0",
        family="kling-3-0",
        from_offer="kubeez:kling-3-0-pro",
        prompt="slow push-in on a perfume bottle",
        duration="10",
        sound="on",
        generation_type="image-to-video",
    )
    assert ">\nslow push-in on a perfume bottle</textarea>" in tag(html, "prompt")
    assert 'value="10"' in tag(html, "duration")
    # Kubeez calls it "sound", Krea "generate_audio": carried by the shared key, not the name
    assert "checked" in tag(html, "generate_audio")
    assert "generation_type" not in html  # Krea has no such field, and nothing invented one


def test_duration_values_are_translated_between_providers_spellings(member):
    # Cliprise writes durations as "10", Krea as the number 10
    html = swap(member, offer="krea:kling-2.6", family="kling-2-6", from_offer="cliprise:kling-2-6", duration="10")
    assert re.search(r'<option value="10" selected>', html[html.index('name="duration"') :])


def test_non_shared_values_do_not_carry_over(member):
    # mode (std/pro) has no shared meaning: Krea's own default, not Kubflow's "pro"
    html = swap(member, offer="krea:kling-3.0", family="kling-3-0", from_offer="kubflow:kling-3.0", mode="pro")
    select = html[html.index('name="mode"') :]
    assert re.search(r'<option value="std" selected>', select[: select.index("</select>")])


def test_switching_model_keeps_the_provider_when_it_offers_the_model(member):
    html = swap(member, family="nano-banana", offer="kubflow:kling-3.0", from_offer="kubflow:kling-3.0", prompt="a fox")
    assert 'name="from_offer" value="kubflow:nano-banana"' in html
    assert ">\na fox</textarea>" in html
    # Kubflow has no Luma UNI-1: the composer moves to the provider that has it
    html = swap(member, family="luma-uni-1", offer="kubflow:kling-3.0", from_offer="kubflow:kling-3.0", prompt="a fox")
    assert 'name="from_offer" value="krea:luma-uni-1"' in html


def test_a_link_that_names_an_offer_prefills_its_fields(member):
    response = member.get("/gallery/?offer=kubflow:kling-3.0&prompt=waves&duration=7")
    html = response.content.decode()
    assert 'value="7"' in tag(html, "duration")


# --- the live quote ----------------------------------------------------------------------------


def test_live_quote_shows_price_breakdown_and_balance_after(member):
    html = live_quote(member, offer="kubeez:kling-3-0-pro", prompt="waves", duration="10", sound="on")
    assert 'data-testid="price">300<' in html
    assert "Kling 3.0 Pro (with audio): 30 credits/s × 10 s = 300 credits" in html
    # the team has 100 credits
    assert "Balance after: -200 credits" in html
    assert 'disabled aria-describedby="submit-why"' in html
    assert "Not enough credits" in html


def test_live_quote_with_enough_credits_enables_submit(member):
    html = live_quote(member, offer="kubeez:gpt-image-2", prompt="a shoe", resolution="2K", aspect_ratio="16:9")
    assert 'data-testid="price">15<' in html  # "11 / 15 / 21 credits"
    assert "Balance after: 85 credits" in html
    assert "disabled" not in html[html.index("<button") :]


def test_a_broken_rule_shows_inline_and_disables_submit_with_the_reason(member):
    html = live_quote(member, offer="kubeez:gpt-image-2", prompt="a shoe", resolution="4K", aspect_ratio="1:1")
    assert 'data-testid="price-error"' in html
    assert "2K and 4K need an explicit non-square, non-auto aspect ratio" in html
    why = re.search(r'data-testid="submit-why">([^<]+)<', html).group(1)
    assert "2K and 4K need" in why
    assert "<button" in html and "disabled" in html[html.index("<button") :]


def test_a_prompt_too_long_shows_next_to_the_limit(member):
    html = live_quote(member, offer="kubeez:kling-3-0-pro", prompt="a" * 2501, duration="5")
    assert "prompt is 2501 characters; this model accepts at most 2500" in html


def test_an_empty_prompt_says_what_is_missing(member):
    html = live_quote(member, offer="kubflow:nano-banana", prompt="")
    assert "Fill in prompt first" in html


def test_picked_files_count_before_they_are_uploaded(member):
    # GPT Image 2 image-to-image needs an image: a file picked on the device counts for the quote
    data = {"offer": "kubeez:gpt-image-2", "prompt": "restyle", "generation_type": "image-to-image"}
    assert "needs at least one image" in live_quote(member, **data)
    html = live_quote(member, **data, source_media_urls__names='["shoe.png"]')
    assert 'data-testid="price">11<' in html


def test_the_live_quote_costs_one_query_beyond_the_login(member):
    data = {"offer": "kubeez:kling-3-0-pro", "prompt": "waves", "duration": "5"}
    live_quote(member, **data)  # warms the offer's spec in process memory
    with CaptureQueriesContext(connection) as queries:
        live_quote(member, **data)
    catalog_and_wallet = [q["sql"] for q in queries if "catalog_offer" in q["sql"] or "billing_wallet" in q["sql"]]
    assert len(catalog_and_wallet) == 1, catalog_and_wallet


def test_the_live_quote_is_planned_once_per_connection_not_on_every_keystroke(member):
    """Its query runs on every change: after five, PostgreSQL keeps its plan (settings: server-side
    binding, psycopg's prepare_threshold), and each later quote runs that plan with new values."""

    def quote_plans() -> list[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%FROM catalog_offer o%"],
            )
            return cursor.fetchall()

    for n in range(6):
        live_quote(member, offer="kubflow:nano-banana", prompt=f"a fox {n}")
    (plan,) = quote_plans()
    assert "billing_wallet" in plan[0]  # the offer and the team's credits: the one query
    for n in range(3):
        live_quote(member, offer="krea:nano-banana", prompt=f"a hare {n}")  # another offer: the same plan
    assert quote_plans() == [(plan[0], plan[1] + 3)]


def test_a_spec_change_is_seen_at_once(member):
    data = {"offer": "kubflow:nano-banana", "prompt": "a fox"}
    assert 'data-testid="price">4<' in live_quote(member, **data)
    offer = Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")
    offer.spec = {**offer.spec, "pricing": {"flat": "5"}}
    offer.save()  # any write moves synced_at, the cache key
    assert 'data-testid="price">5<' in live_quote(member, **data)


def test_a_staff_change_applies_to_the_next_quote(member):
    data = {"offer": "krea:nano-banana", "prompt": "a fox"}
    assert 'data-testid="price">22.30<' in live_quote(member, **data)  # nano-banana: "| 22.3 |"
    Provider.objects.filter(slug="krea").update(credit_rate=Decimal("0.5"), markup=Decimal("1.2"))
    assert 'data-testid="price">13.38<' in live_quote(member, **data)  # 22.3 × 0.5 × 1.2
    Provider.objects.filter(slug="krea").update(enabled=False)
    html = live_quote(member, **data)
    assert "This model is no longer available" in html
    assert "disabled" in html[html.index("<button") :]


def test_submitting_an_unpriced_model_is_refused(member):
    response = member.post("/generate/", {"offer": "kubeez:nano-banana", "prompt": "a fox"}, headers=HTMX)
    assert response.status_code == 422
    assert "documents no price" in response.content.decode()


# --- uploads are handed on, URLs still work ------------------------------------------------------


def test_uploaded_files_are_handed_on_and_urls_kept_apart(people):
    offer = offer_by_key(key="kubeez:gpt-image-2")
    png = SimpleUploadedFile("shoe.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, content_type="image/png")
    form = GenerationForm(
        {"prompt": "restyle", "generation_type": "image-to-image", "source_media_urls": "https://example.com/a.jpg"},
        {"source_media_urls__files": png},
        offer=offer,
    )
    assert form.is_valid(), form.errors
    assert form.params()["source_media_urls"] == ["https://example.com/a.jpg"]
    assert [f.name for f in form.files_for_generation()["source_media_urls"]] == ["shoe.png"]
    assert form.quote.credits == Decimal("11")


def test_an_upload_of_the_wrong_kind_is_refused(people):
    offer = offer_by_key(key="kubeez:gpt-image-2")
    clip = SimpleUploadedFile("clip.mp4", b"0" * 64, content_type="video/mp4")
    form = GenerationForm(
        {"prompt": "restyle", "generation_type": "image-to-image"}, {"source_media_urls__files": clip}, offer=offer
    )
    assert not form.is_valid()
    assert "takes image files" in str(form.errors["source_media_urls"])
