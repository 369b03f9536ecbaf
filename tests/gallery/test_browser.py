"""End to end in Chromium: sign in, generate and watch, open, download, run again, remix, chain,
filter and search, cancel, failures, favourites and boards, keyboard and a phone-sized screen.

The sandbox providers and a real Celery worker run the jobs; every page is served by the live server.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from generations.models import Generation, Status
from tests.gallery.conftest import SCREENSHOTS, screenshot
from tests.gallery.helpers import make_generations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("people", "catalog", "sandbox", "celery_worker"),
]

LONG = 60_000  # a job's whole life in the sandbox, with room to spare


@pytest.fixture(autouse=True)
def _expect_timeout():
    expect.set_options(timeout=15_000)


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill("correct horse 1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/gallery/**")
    # Olivia's personal team comes first; the team with the credits is Northwind.
    with page.expect_navigation():
        page.select_option("#team-select", "northwind")
    expect(page.locator("#team-select")).to_have_value("northwind")


def open_composer(page: Page, offer: str = "kubflow:nano-banana") -> None:
    page.goto(f"/gallery/?offer={offer}")
    expect(page.locator("#composer")).to_be_visible()


def generate(page: Page, prompt: str, **choices: str) -> str:
    """Type a prompt in the composer on the page (and pick ``choices``), press Generate; the new card's id."""
    page.locator("#id_prompt").fill(prompt)
    for name, value in choices.items():
        page.locator(f"#id_{name}").select_option(value)
    expect(page.get_by_test_id("price")).to_be_visible()
    before = page.locator("#cards article.card").count()
    page.get_by_role("button", name=re.compile(r"^Generate")).click()
    expect(page.locator("#cards article.card")).to_have_count(before + 1)
    card = page.locator("#cards article.card").first
    expect(card).to_contain_text(prompt[:30])
    return card.get_attribute("data-id")


def card(page: Page, public_id: str):
    return page.locator(f"#card-{public_id}")


def test_generate_watch_open_download_rerun_remix_and_chain(page: Page, sandbox, people):
    sandbox.configure(delay=4, media_scale=768)
    sign_in(page)
    open_composer(page)
    page.evaluate("window.sameDocument = true")
    polls: list[str] = []  # the cards stamp each poll sent back (generations/cardstate.py)
    page.on(
        "request", lambda r: polls.append(r.headers.get("x-cards-stamp", "")) if "/gallery/poll/" in r.url else None
    )
    public_id = generate(page, "a red fox in fresh snow, golden hour", aspect_ratio="16:9")

    running = card(page, public_id)
    expect(running).to_have_attribute("data-status", re.compile("queued|running|downloading"))
    expect(running.locator("progress")).to_be_visible()
    expect(running.locator("[data-elapsed-text]")).to_have_text(re.compile(r"0:0[1-9]"))
    size_running = running.bounding_box()
    expect(running).to_have_attribute("data-status", "completed", timeout=LONG)
    expect(page.locator("#toasts")).to_contain_text("Nano Banana: completed")  # toasts fade after 6 s
    assert page.evaluate("window.sameDocument") is True, "the card updated without a reload"
    assert polls and polls[0] == f"{people.team.pk}.", "the first poll asks for a full check"
    assert any(re.fullmatch(rf"{people.team.pk}\.\d+", sent) for sent in polls), f"stamps sent back: {polls}"
    size_done = running.bounding_box()
    assert (size_done["width"], size_done["height"]) == (size_running["width"], size_running["height"]), "no jump"
    image = running.locator("img")
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(page.get_by_test_id("balance")).to_have_text("96")
    expect(running.get_by_test_id("status")).to_have_text("Completed")

    # open it: the output full size, its facts, download, copy
    running.locator("a.card-link").click()
    page.wait_for_url(f"**/g/{public_id}/")
    expect(page.locator(".detail-media img")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Nano Banana")
    expect(page.locator(".facts")).to_contain_text("4 credits charged")
    for label in ("Queued", "Started", "Finished"):
        expect(page.locator(".facts")).to_contain_text(label)
    link = page.get_by_test_id("download").first
    with page.expect_download() as downloaded:
        link.click()
    assert downloaded.value.suggested_filename == f"{public_id}-1.png"
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "image/png"
    assert f'filename="{public_id}-1.png"' in response.headers["content-disposition"]
    screenshot(page, "generation")
    receipt = page.get_by_test_id("receipt")
    expect(receipt.get_by_test_id("receipt-total")).to_have_text(
        re.compile(r"Charged 4\b.*this job cost the team 4 credits")
    )
    receipt.scroll_into_view_if_needed()
    receipt.screenshot(path=str(SCREENSHOTS / "receipt.png"))
    page.get_by_role("button", name="Copy prompt").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == "a red fox in fresh snow, golden hour"

    # run it again with the same settings
    page.get_by_role("button", name="Run again").click()
    page.wait_for_url("**/gallery/")
    expect(page.locator("#toasts")).to_contain_text("Running again")
    again = page.locator("#cards article.card").first
    again_id = again.get_attribute("data-id")
    assert again_id != public_id
    expect(again).to_contain_text("a red fox in fresh snow, golden hour")
    expect(again).to_have_attribute("data-status", "completed", timeout=LONG)
    assert Generation.objects.get(public_id=again_id).params == Generation.objects.get(public_id=public_id).params

    # remix it: the composer prefilled, edited, submitted
    page.goto(f"/g/{public_id}/")
    page.get_by_role("link", name="Remix").click()
    expect(page.locator("#id_prompt")).to_have_value("a red fox in fresh snow, golden hour")
    expect(page.locator("#id_aspect_ratio")).to_have_value("16:9")
    remixed = generate(page, "a red fox in fresh snow, at night")
    expect(card(page, remixed)).to_have_attribute("data-status", "completed", timeout=LONG)

    # use the image as the start of a video
    page.goto(f"/g/{public_id}/")
    page.locator(".use-as-source select").select_option("kubflow:veo3")
    page.get_by_role("button", name="Open in composer").click()
    page.wait_for_url(re.compile(r"offer=kubflow%3Aveo3"))
    expect(page.locator('[name="image_url"]')).to_have_value(re.compile(rf"/files/.+/{public_id}-1\.png$"))

    # the gallery, as it looks with a few results and the next prompt being written
    page.goto("/gallery/?offer=kubflow:nano-banana")
    expect(page.locator("#cards article.card")).to_have_count(3)
    page.locator("#id_prompt").fill("a snowy owl on a birch branch, soft morning light")
    expect(page.get_by_test_id("price")).to_have_text("4")
    page.wait_for_function("[...document.querySelectorAll('#cards img')].every(i => i.complete && i.naturalWidth)")
    screenshot(page, "gallery")


def test_a_video_card_plays_on_hover_and_chains_into_video_to_video(page: Page):
    sign_in(page)
    open_composer(page, "kubflow:grok-imagine-text-to-video")
    public_id = generate(page, "waves rolling onto a wooden pier")
    video_card = card(page, public_id)
    expect(video_card).to_have_attribute("data-status", "completed", timeout=LONG)
    video = video_card.locator("video")
    expect(video).to_have_attribute("poster", re.compile("/thumbnail/"))
    handle = video.element_handle()
    video_card.hover()
    page.wait_for_function("v => !v.paused && v.currentTime > 0", arg=handle)
    page.mouse.move(1, 1)
    page.wait_for_function("v => v.paused", arg=handle)
    play = video_card.get_by_role("button", name="Play preview")
    play.focus()
    page.keyboard.press("Enter")  # for keyboards and touch screens
    expect(video_card.get_by_role("button", name="Pause preview")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("v => !v.paused", arg=handle)

    video_card.locator("a.card-link").click()
    page.wait_for_url(f"**/g/{public_id}/")
    expect(page.locator(".detail-media video")).to_be_visible()
    page.locator(".use-as-source select").select_option("kubflow:kling-3.0/motion-control")
    page.get_by_role("button", name="Open in composer").click()
    expect(page.locator('[name="video_url"]')).to_have_value(re.compile(rf"/files/.+/{public_id}-1\.mp4$"))


def test_filter_search_and_load_more(page: Page, people):
    make_generations(team=people.team, user=people.teammate, count=40, status=Status.FAILED, prompt="a forest path")
    make_generations(team=people.team, user=people.owner, count=25, status=Status.CANCELLED, prompt="a lighthouse")
    make_generations(team=people.team, user=people.owner, count=5, status=Status.FAILED, prompt="a lighthouse storm")
    sign_in(page)
    cards = page.locator("#cards article.card")
    expect(cards).to_have_count(48)
    page.locator("#more").scroll_into_view_if_needed()
    expect(cards).to_have_count(70)

    page.get_by_label("Search prompts").fill("lighthouse")
    page.wait_for_url(re.compile(r"q=lighthouse"))
    expect(cards).to_have_count(30)
    page.get_by_text("Filters").click()
    page.get_by_label("Status").select_option("failed")
    page.wait_for_url(re.compile(r"status=failed"))
    expect(cards).to_have_count(5)
    screenshot(page, "gallery-filters")

    page.reload()  # the URL holds the filters: bookmarkable, shareable
    expect(cards).to_have_count(5)
    expect(page.get_by_label("Search prompts")).to_have_value("lighthouse")
    expect(page.get_by_label("Status")).to_have_value("failed")

    page.get_by_label("Status").select_option("")
    page.get_by_label("Search prompts").fill("")
    page.wait_for_url(re.compile(r"/gallery/$"))
    page.locator("label[for=view-mine]").click()
    page.wait_for_url(re.compile(r"view=mine"))
    expect(cards).to_have_count(30)
    page.get_by_label("Member").select_option("theo")
    expect(cards).to_have_count(0)
    expect(page.locator("#empty-gallery")).to_contain_text("Nothing matches")
    page.get_by_role("link", name="Clear").click()
    expect(cards).to_have_count(48)


def test_cancel_an_unfinished_job_from_its_card_and_from_its_page(page: Page):
    sign_in(page)
    open_composer(page)
    first = generate(page, "a slow sunrise [sandbox delay=30]")
    expect(card(page, first)).to_have_attribute("data-status", "running", timeout=LONG)
    card(page, first).get_by_role("button", name=re.compile("^Cancel")).click()
    expect(card(page, first)).to_have_attribute("data-status", "cancelled")
    expect(card(page, first).get_by_test_id("status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("balance")).to_have_text("100")

    second = generate(page, "a slower sunset [sandbox delay=30]")
    card(page, second).locator("a.card-link").click()
    page.wait_for_url(f"**/g/{second}/")
    expect(page.get_by_test_id("live-status")).to_be_visible()
    expect(page.get_by_test_id("cancel-preview")).to_contain_text("releases all 4 held credits")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Cancel job").click()
    expect(page.locator("#toasts")).to_contain_text("Cancelled")
    expect(page.get_by_test_id("status")).to_have_text("Cancelled")
    assert asked and "releases all 4 held credits" in asked[0], "the confirmation says what is released"
    assert Generation.objects.get(public_id=second).credits_charged == 0


def test_a_failed_job_shows_the_providers_reason(page: Page):
    sign_in(page)
    open_composer(page)
    public_id = generate(page, "a lighthouse at dusk [sandbox fail=provider]")
    failed = card(page, public_id)
    height = failed.bounding_box()["height"]
    expect(failed).to_have_attribute("data-status", "failed", timeout=LONG)
    assert failed.bounding_box()["height"] == height, "the reason shows without moving anything"
    expect(failed.locator(".card-error")).to_contain_text("could not generate this request")
    expect(page.locator("#toasts .toast-error")).to_contain_text(
        re.compile("failed — .*could not generate this request")
    )
    failed.locator("a.card-link").click()
    notice = page.get_by_test_id("failure")
    expect(notice).to_contain_text("The provider could not make this.")
    expect(notice).to_contain_text("could not generate this request")
    expect(notice).to_contain_text("What to do next")
    expect(notice).to_contain_text("Nothing was charged.")
    screenshot(page, "generation-failed")


def test_detail_page_follows_a_running_job_until_it_finishes(page: Page):
    sign_in(page)
    open_composer(page)
    public_id = generate(page, "a paper boat on a puddle [sandbox delay=6]")
    page.goto(f"/g/{public_id}/")
    expect(page.get_by_test_id("live-status")).to_be_visible()
    expect(page.locator(".detail-media img")).to_be_visible(timeout=LONG)  # the page reloaded itself
    expect(page.get_by_test_id("status")).to_have_text("Completed")


def test_favourites_boards_keyboard_and_phone(page: Page):
    sign_in(page)
    open_composer(page)
    public_id = generate(page, "a tiny robot watering plants")
    done = card(page, public_id)
    expect(done).to_have_attribute("data-status", "completed", timeout=LONG)
    done.get_by_role("button", name="Favourite").click()
    expect(done.get_by_role("button", name="Favourite")).to_have_attribute("aria-pressed", "true")

    page.goto(f"/g/{public_id}/")
    page.get_by_label("New board named").fill("Robots")
    page.get_by_role("button", name="Add to board").click()
    expect(page.locator("#toasts")).to_contain_text("Added to Robots")
    page.locator(".board-chips").get_by_role("link", name="Robots").click()
    expect(page.locator("h1")).to_have_text("Robots")
    expect(card(page, public_id)).to_be_visible()
    screenshot(page, "board")
    page.get_by_text("Rename or delete").click()
    page.get_by_label("Board name").fill("Robot friends")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator("h1")).to_have_text("Robot friends")
    page.goto("/boards/")
    expect(page.locator(".boards-grid")).to_contain_text("Robot friends")
    expect(page.locator(".boards-grid")).to_contain_text("1 generation")
    screenshot(page, "boards")

    page.goto("/gallery/?fav=1")
    expect(page.locator("#cards article.card")).to_have_count(1)

    # the keyboard reaches a card and opens it
    page.goto("/gallery/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('card-link')"):
            break
    else:
        pytest.fail("Tab never reached a card")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/g/{public_id}/")

    # a phone-sized screen: one column of controls, two of cards, nothing wider than the screen
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    phone = page.context.browser.new_context(
        base_url=origin, viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    phone.add_cookies(page.context.cookies())
    small = phone.new_page()
    small.goto("/gallery/")
    expect(small.locator("#cards article.card")).to_have_count(1)
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    screenshot(small, "gallery-phone")
    phone.close()

    # delete: asked first, then gone at once
    page.goto(f"/g/{public_id}/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(re.compile(rf"/g/{public_id}/$"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/gallery/")
    expect(page.locator("#toasts")).to_contain_text("Deleted")
    expect(card(page, public_id)).to_have_count(0)
    assert page.request.get(f"/g/{public_id}/").status == 404
