"""End to end in Chromium: a compare grid of 3 offers, from the composer to the grid and a pick.

The sandbox providers and a real Celery worker run the three jobs; every page is served by the live server.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from billing.models import Wallet
from catalog.services import catalog_sync
from generations.models import Board, Comparison, Favourite, Status
from tests.gallery.conftest import screenshot
from tests.gallery.test_browser import LONG, open_composer, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("people", "three_providers", "sandbox", "celery_worker"),
]

NANO = ["kubflow:nano-banana", "krea:nano-banana", "cliprise:nano-banana"]


@pytest.fixture
def three_providers(db) -> None:
    catalog_sync(providers=["kubflow", "krea", "cliprise"])


@pytest.fixture(autouse=True)
def _expect_timeout():
    expect.set_options(timeout=15_000)


def _as_shown(credits: Decimal) -> str:
    """As the pages show credits (floatformat "-2"): 4, or 34.30."""
    return f"{credits:.0f}" if credits == credits.to_integral_value() else f"{credits:.2f}"


def _credits(text: str) -> Decimal:
    return Decimal(re.search(r"[\d.]+", text).group())


def test_a_compare_grid_of_three_offers(page: Page, sandbox, people):
    sandbox.configure(delay=3, media_scale=512)
    sign_in(page)
    open_composer(page)
    page.locator("#id_prompt").fill("a lighthouse in a storm, oil painting")
    page.locator("#id_aspect_ratio").select_option("16:9")
    expect(page.get_by_test_id("price")).to_be_visible()

    # Compare from the composer: the same model at its three providers, every price and the total first.
    page.get_by_test_id("compare-launch").click()
    page.wait_for_url(re.compile(r"/compare/new/\?"))
    expect(page.locator("#compare-prompt")).to_have_value("a lighthouse in a storm, oil painting")
    expect(page.locator("#compare-aspect_ratio")).to_have_value("16:9")
    rows = page.get_by_test_id("plan-row")
    expect(rows).to_have_count(3)
    assert sorted(rows.nth(i).get_attribute("data-offer") for i in range(3)) == sorted(NANO)
    quotes = [_credits(text) for text in page.get_by_test_id("plan-credits").all_inner_texts()]
    total = _credits(page.get_by_test_id("compare-total").inner_text())
    assert len(quotes) == 3 and total == sum(quotes)
    expect(page.get_by_test_id("compare-balance-after")).to_have_text(_as_shown(Decimal(100) - total))
    expect(page.locator('[data-offer="cliprise:nano-banana"]')).to_contain_text("not for this model: Aspect ratio")

    # Leaving one out re-prices at once; putting it back restores the total.
    page.get_by_role("checkbox", name="Krea · Nano Banana").uncheck()
    expect(rows).to_have_count(2)
    page.get_by_role("checkbox", name="Krea · Nano Banana").check()
    expect(rows).to_have_count(3)
    expect(page.get_by_test_id("compare-total")).to_have_text(_as_shown(total))
    assert Wallet.objects.get(team=people.team).held == 0, "nothing is held before confirming"

    run = page.get_by_test_id("compare-run")
    expect(run).to_contain_text("Run 3 jobs")
    run.click()
    page.wait_for_url(re.compile(r"/compare/cmp_[^/]+/$"))
    comparison = Comparison.objects.get(team=people.team)
    jobs = list(comparison.generations.order_by("id"))
    assert len(jobs) == 3 and sum(j.credits_quoted for j in jobs) == total

    # The grid fills in live: three cells, each from its own provider, without reloading the page.
    page.evaluate("window.sameDocument = true")
    cells = page.get_by_test_id("compare-cell")
    expect(cells).to_have_count(3)
    expect(page.get_by_test_id("compare-progress")).to_have_text("3 of 3 done", timeout=LONG)
    assert page.evaluate("window.sameDocument") is True, "the grid updated without a reload"
    expect(page.get_by_test_id("compare-poll")).to_have_attribute("data-polling", "false")
    for job in jobs:
        job.refresh_from_db()
        assert job.status == Status.COMPLETED, (job.offer.key, job.error_message)
        cell = page.locator(f"#cell-{job.public_id}")
        expect(cell.get_by_test_id("cell-provider")).to_have_text(job.offer.provider.name)
        expect(cell.get_by_test_id("cell-model")).to_have_text(job.offer.name)
        expect(cell.get_by_test_id("cell-cost")).to_have_text(f"{_as_shown(job.credits_charged)} credits charged")
        expect(cell.get_by_test_id("cell-time")).to_have_text(re.compile(r"^took \d+ s$"))
        expect(cell.get_by_test_id("offer-speed")).to_be_visible()
        image = cell.locator(".cell-media img")
        expect(image).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    charged = sum(j.credits_charged for j in jobs)
    expect(page.get_by_test_id("compare-charged")).to_have_text(_as_shown(charged))
    assert Wallet.objects.get(team=people.team).held == 0
    expect(page.get_by_test_id("balance")).to_have_text(_as_shown(Decimal(100) - charged))  # the top bar too
    screenshot(page, "compare")

    # Two images one over the other: a slider, and a toggle to B alone.
    slider = page.get_by_test_id("slider")
    expect(slider).to_be_visible()
    page.get_by_test_id("slider-range").fill("20")
    expect(slider.locator('[data-slider-img="b"]')).to_have_attribute("style", re.compile(r"inset\(0px 0px 0px 20%\)"))
    page.locator("#slider-b").select_option(index=2)
    third = page.locator("#slider-b").input_value()
    expect(slider.locator('[data-slider-img="b"]')).to_have_attribute("src", third)
    page.get_by_test_id("slider-toggle").click()
    expect(slider).to_have_class(re.compile("show-b"))
    expect(page.get_by_test_id("slider-toggle")).to_have_attribute("aria-pressed", "true")

    # Pick one: favourite it, put it on a board, open it in the composer.
    pick = page.locator(f"#cell-{jobs[1].public_id}")
    pick.get_by_role("button", name="Favourite").click()
    expect(pick.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")
    assert Favourite.objects.filter(user=people.owner, generation=jobs[1]).exists()
    pick.get_by_placeholder(re.compile("board")).fill("Lighthouse picks")
    pick.get_by_role("button", name="Add to board").click()
    page.wait_for_url(f"**/compare/{comparison.public_id}/")
    expect(page.locator("#toasts")).to_contain_text("Added to Lighthouse picks")
    assert list(Board.objects.get(team=people.team, name="Lighthouse picks").generations.all()) == [jobs[1]]
    page.locator(f"#cell-{jobs[1].public_id}").get_by_test_id("cell-open-composer").click()
    page.wait_for_url(re.compile(r"/gallery/\?offer="))
    expect(page.locator("#offer-select")).to_have_value(jobs[1].offer.key)
    expect(page.locator("#id_prompt")).to_have_value("a lighthouse in a storm, oil painting")


def test_the_grids_videos_play_pause_and_seek_together(page: Page, sandbox, people):
    from billing.services import credits_grant
    from generations.compare import compare_offers_from_keys, comparison_create, comparison_plan

    sandbox.configure(delay=2, media_scale=256)
    keys = ["kubflow:kling-2.6", "krea:kling-2.6"]
    values = {"prompt": "waves breaking on rocks", "duration": "5"}
    offers = compare_offers_from_keys(keys)
    total = comparison_plan(offers=offers, values=values).total
    credits_grant(team=people.team, amount=total, reason="enough for the videos")
    comparison = comparison_create(
        team=people.team, user=people.owner, offers=offers, values=values, expected_total=total
    )
    sign_in(page)
    page.goto(f"/compare/{comparison.public_id}/")
    expect(page.get_by_test_id("compare-progress")).to_have_text("2 of 2 done", timeout=LONG)
    videos = page.locator("video[data-sync]")
    expect(videos).to_have_count(2)
    expect(page.get_by_test_id("video-sync")).to_be_visible()
    page.wait_for_function("() => [...document.querySelectorAll('video[data-sync]')].every(v => v.readyState >= 1)")

    state = "() => [...document.querySelectorAll('video[data-sync]')].map(v => [v.paused, v.currentTime])"
    page.get_by_role("button", name="Play all").click()
    page.wait_for_function(f"() => ({state})().every(([paused]) => !paused)")
    expect(page.get_by_role("button", name="Pause all")).to_be_visible()

    # One video's own pause pauses the other.
    page.evaluate("document.querySelectorAll('video[data-sync]')[1].pause()")
    page.wait_for_function(f"() => ({state})().every(([paused]) => paused)")

    # Seeking one moves the other to the same moment.
    page.evaluate("document.querySelectorAll('video[data-sync]')[0].currentTime = 1.5")
    page.wait_for_function(f"() => ({state})().every(([, time]) => Math.abs(time - 1.5) < 0.3)")

    # The shared seek bar moves both; playing one plays both from there.
    page.get_by_role("slider", name="Position of every video").fill("0")
    page.wait_for_function(f"() => ({state})().every(([, time]) => time < 0.3)")
    page.evaluate("document.querySelectorAll('video[data-sync]')[0].play()")
    page.wait_for_function(f"() => ({state})().every(([paused]) => !paused)")
