"""End to end in Chromium: the sandbox delivers a shorter video than asked; the card says so, and staff
refund the missing share in one action, which the team's ledger and the job's receipt then show."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from billing.models import LedgerEntry
from billing.services import credits_grant
from generations.models import Generation, Status
from tests.gallery.test_browser import open_composer, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("people", "catalog", "sandbox", "celery_worker"),
]


@pytest.fixture(autouse=True)
def _expect_timeout():
    expect.set_options(timeout=20_000)


def test_a_short_video_is_marked_on_its_card_and_staff_refund_the_difference(page: Page, browser, live_server, people):
    credits_grant(team=people.team, amount=Decimal("900"), reason="video")
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    sign_in(page)
    open_composer(page, "kubflow:kling-2.6")
    page.locator("#id_prompt").fill("waves against a pier at night [sandbox short=2 delay=1]")
    page.locator("#id_duration").select_option("10")
    expect(page.get_by_test_id("price")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Generate")).click()

    card = page.locator("#cards article.card").first
    expect(card).to_have_attribute("data-status", "completed", timeout=60_000)
    expect(card.get_by_test_id("delivery-issue")).to_contain_text("asked 10 s, got 2 s")
    generation = Generation.objects.get(team=people.team)
    assert generation.status == Status.COMPLETED
    charged = generation.credits_charged
    suggested = (charged * Decimal("0.8")).quantize(Decimal("0.01"))  # 8 of the 10 s paid for did not come

    # Staff: the deliveries list names the job, its provider and model, and suggests the missing share.
    desk = browser.new_context(base_url=live_server.url)
    staff = desk.new_page()
    staff.goto("/accounts/login/")
    staff.get_by_label("Username").fill("sam")
    staff.get_by_label("Password").fill("correct horse 3")
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url("**/gallery/**")
    staff.goto("/staff/deliveries/")
    row = staff.locator(f'tr[data-generation="{generation.public_id}"]')
    expect(row).to_contain_text("Kubflow · Kling 2.6")
    expect(row.get_by_test_id("delivery-issue")).to_have_text("asked 10 s, got 2 s")
    expect(row.locator('input[name="amount"]')).to_have_value(str(suggested))
    row.locator('input[name="reason"]').fill("asked 10 s, got 2 s")
    row.get_by_role("button", name="Refund").click()
    expect(staff.locator(f'tr[data-generation="{generation.public_id}"]').get_by_test_id("refunded")).to_have_text(
        f"{suggested.normalize():f}"
    )
    desk.close()

    (entry,) = LedgerEntry.objects.filter(generation=generation, kind="adjustment")
    assert entry.balance_delta == suggested and entry.actor == people.stranger
    page.goto(f"/g/{generation.public_id}/")
    expect(page.locator("body")).to_contain_text(f"refunded {suggested.normalize():f}")
    expect(page.locator("body")).to_contain_text(
        f"this job cost the team {(charged - suggested).normalize():f} credits"
    )
