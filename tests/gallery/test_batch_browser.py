"""End to end in Chromium: a batch of 4 with one forced failure, from the composer's count to the gallery row.

The sandbox providers and a real Celery worker run the jobs; every page is served by the live server.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from billing.models import LedgerEntry, Wallet
from generations.models import Batch, Status
from tests.gallery.conftest import screenshot
from tests.gallery.test_browser import open_composer, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("people", "catalog", "sandbox", "celery_worker"),
]


@pytest.fixture(autouse=True)
def _expect_timeout():
    expect.set_options(timeout=20_000)


def test_a_batch_of_four_with_one_failure_settles_each_part(page: Page, sandbox, people):
    sandbox.configure(delay=2, media_scale=512)
    sign_in(page)
    open_composer(page)
    page.locator("#id_prompt").fill("an orange running shoe on wet asphalt [sandbox fail=provider first=1]")
    page.locator("#id_aspect_ratio").select_option("1:1")
    expect(page.get_by_test_id("price")).to_have_text("4")

    # The count: the live total before submit, and on the button.
    page.locator("#id_variations").select_option("4")
    expect(page.get_by_test_id("batch-total")).to_have_text("4 × 4 credits = 16")
    expect(page.get_by_test_id("price")).to_have_text("16")
    expect(page.get_by_test_id("balance-after")).to_contain_text("84")
    assert Wallet.objects.get(team=people.team).held == 0, "nothing is held before submitting"
    page.get_by_role("button", name=re.compile(r"^Generate 4 · 16 credits")).click()

    # One row: its head and its four cards, which fill in live.
    row = page.locator("section.batch-row")
    expect(row).to_have_count(1)
    expect(row.locator("article.card")).to_have_count(4)
    batch = Batch.objects.get(team=people.team)
    assert Wallet.objects.get(team=people.team).held == Decimal("16"), "each variation holds its own part"
    expect(row.get_by_test_id("batch-progress")).to_have_text("3 of 4 done · 1 failed", timeout=60_000)
    expect(row.locator('article.card[data-status="completed"]')).to_have_count(3)
    expect(row.locator('article.card[data-status="failed"]')).to_have_count(1)
    expect(row.get_by_test_id("batch-money")).to_have_text("12 cr charged")
    expect(row.get_by_test_id("batch-cancel")).to_have_count(0)  # nothing left to cancel
    page.evaluate("window.scrollTo(0, 0)")
    row.scroll_into_view_if_needed()
    screenshot(page, "batch")

    # The ledger keeps what the row says: three captures of 4, one release.
    kinds = sorted(
        tuple(LedgerEntry.objects.filter(generation=job).order_by("id").values_list("kind", flat=True))
        for job in batch.generations.all()
    )
    assert kinds == [("hold", "capture")] * 3 + [("hold", "release")]
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("88"), Decimal("0"))
    expect(page.get_by_test_id("balance")).to_have_text("88")

    # Its page, and "run again": a new batch of four, held anew (slow jobs this time, to cancel them).
    row.locator("a.batch-title").click()
    page.wait_for_url(f"**/batches/{batch.public_id}/")
    expect(page.locator("#cards article.card")).to_have_count(4)
    sandbox.configure(delay=60)
    page.get_by_test_id("batch-again").click()
    new = Batch.objects.exclude(pk=batch.pk).get(team=people.team)
    page.wait_for_url(f"**/batches/{new.public_id}/")
    expect(page.locator("#cards article.card")).to_have_count(4)
    expect(page.get_by_test_id("batch-progress")).to_have_text("0 of 4 done")
    expect(page.get_by_test_id("batch-money")).to_have_text("0 cr charged · 16 cr held")
    assert Wallet.objects.get(team=people.team).held == Decimal("16")

    # "Cancel the rest" asks first, then releases what the unfinished jobs held.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("batch-cancel").click()
    expect(page.get_by_test_id("batch-progress")).to_have_text("0 of 4 done · 4 cancelled")
    expect(page.locator('#cards article.card[data-status="cancelled"]')).to_have_count(4)
    assert set(new.generations.values_list("status", flat=True)) == {Status.CANCELLED}
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("88"), Decimal("0"))
    expect(page.get_by_test_id("balance")).to_have_text("88")
