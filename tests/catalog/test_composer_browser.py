"""In Chromium: the composer re-quotes as the user types, says why Generate is off, and keeps the prompt,
duration and sound when the user switches provider or model; the catalog filters as the user types."""

from __future__ import annotations

import pytest

from catalog.services import catalog_sync
from tests.conftest import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium, live_server, people):
    catalog_sync()
    with signed_in_page(chromium, live_server, people.owner, people.team) as page:
        yield page


def test_composer_quotes_live_and_carries_settings_across_providers(page):
    from playwright.sync_api import expect

    page.goto("/gallery/?offer=kubeez:kling-3-0-pro")
    submit = page.locator("#price button[type=submit]")
    expect(page.get_by_test_id("submit-why")).to_have_text("Fill in prompt, duration (s) first")  # no default duration
    expect(submit).to_be_disabled()

    page.locator("#id_prompt").fill("waves on a pier")
    page.locator("#id_duration").fill("10")
    page.locator("#id_sound").check()
    # "| kling-3-0-pro-audio | Kling 3.0 Pro (with audio) | 30 | credits / sec |" × 10 s; the team has 100
    expect(page.get_by_test_id("price")).to_have_text("300")
    expect(page.get_by_test_id("balance-after")).to_have_text("Balance after: -200 credits")
    expect(page.get_by_test_id("submit-why")).to_have_text("Not enough credits for this request")
    expect(submit).to_be_disabled()

    page.locator("#id_duration").fill("3")
    expect(page.get_by_test_id("price")).to_have_text("90")  # 30 × 3
    expect(submit).to_be_enabled()

    # Another provider: Krea names the sound toggle generate_audio; the values come along by meaning.
    page.locator("#offer-select").select_option("krea:kling-3.0")
    expect(page.locator("input[name=from_offer]")).to_have_value("krea:kling-3.0")
    expect(page.locator("#id_prompt")).to_have_value("waves on a pier")
    expect(page.locator("#id_duration")).to_have_value("3")
    expect(page.locator("#id_generate_audio")).to_be_checked()
    expect(page.get_by_test_id("price")).to_have_text("433")  # kling-3.0: "| std | Yes | 3s | 433 |"
    expect(submit).to_be_disabled()

    # Another model at the same provider: the prompt stays.
    page.locator("#family-select").select_option("nano-banana")
    expect(page.locator("input[name=from_offer]")).to_have_value("krea:nano-banana")
    expect(page.locator("#id_prompt")).to_have_value("waves on a pier")
    expect(page.get_by_test_id("price")).to_have_text("22.30")  # nano-banana: "| 22.3 |"
    expect(submit).to_be_enabled()


def test_a_broken_rule_shows_before_submit(page):
    from playwright.sync_api import expect

    page.goto("/gallery/?offer=kubeez:gpt-image-2")
    page.locator("#id_prompt").fill("an orange running shoe")
    page.locator("#id_resolution").select_option("4K")
    expect(page.get_by_test_id("submit-why")).to_contain_text("2K and 4K need an explicit non-square")
    expect(page.locator("#price button[type=submit]")).to_be_disabled()
    page.locator("#id_aspect_ratio").select_option("16:9")
    expect(page.get_by_test_id("price")).to_have_text("21")  # "11 / 15 / 21 credits"
    expect(page.locator("#price button[type=submit]")).to_be_enabled()


def test_catalog_filters_as_the_user_types(page):
    from playwright.sync_api import expect

    page.goto("/catalog/")
    page.locator("#catalog-q").fill("banana")
    expect(page.locator("[data-family]")).to_have_count(3)
    page.get_by_text("Video", exact=False).first.click()
    expect(page.get_by_test_id("result-count")).to_have_text("0 models")
    assert "category=video" in page.url and "q=banana" in page.url
