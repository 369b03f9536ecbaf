"""In Chromium: picking a file for an offer priced per second of it updates the price from the file's own
length (read by the browser), refuses one over the limit before submitting, and the hold is what the
server measured."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.services import catalog_sync
from generations.models import Generation
from sandbox.media import render_video
from tests.conftest import signed_in_page
from tests.generations.media_files import wav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium, live_server, people, media_root):
    catalog_sync()
    with signed_in_page(chromium, live_server, people.owner, people.team) as page:
        yield page


def test_picking_an_audio_file_prices_its_seconds_and_submits_at_the_measured_price(page, people):
    from playwright.sync_api import expect

    page.goto("/gallery/?offer=cliprise:elevenlabs-speech-to-text")
    page.locator("#id_audio_url__files").set_input_files(
        files=[{"name": "talk.wav", "mimeType": "audio/wav", "buffer": wav(7.25)}]
    )
    # "7 per second of audio": 7.25 s is billed as 8 s
    expect(page.get_by_test_id("price")).to_have_text("56")
    submit = page.locator("#price button[type=submit]")
    expect(submit).to_have_text("Generate · 56 credits")
    submit.click()
    expect(page.locator("#cards article.card").first).to_be_visible()
    generation = Generation.objects.get(team=people.team)
    assert generation.credits_quoted == Decimal("56")
    assert Decimal(generation.params["audio_seconds"]) == Decimal("7.25")


def test_a_video_over_the_limit_is_refused_before_submitting(page):
    from playwright.sync_api import expect

    page.goto("/gallery/?offer=kubflow:kling-2.6/motion-control")
    page.locator("#id_image_url").fill("https://example.com/hero.png")
    long_clip = render_video("long", 40, 64, 36, container="webm")
    page.locator("#id_video_url__files").set_input_files(
        files=[{"name": "long.webm", "mimeType": "video/webm", "buffer": long_clip}]
    )
    expect(page.get_by_test_id("submit-why")).to_contain_text("takes at most 30 s")
    expect(page.locator("#price button[type=submit]")).to_be_disabled()

    short_clip = render_video("short", 4.5, 64, 36, container="webm")
    page.locator("#id_video_url__files").set_input_files(
        files=[{"name": "short.webm", "mimeType": "video/webm", "buffer": short_clip}]
    )
    expect(page.get_by_test_id("price")).to_have_text("45")  # "6-9 credits/s": the documented top, 9/s × 5 s
    expect(page.get_by_test_id("charge-note")).to_contain_text("likely price is 30 credits")
    expect(page.locator("#price button[type=submit]")).to_be_enabled()
