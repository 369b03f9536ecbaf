"""The core loop through HTTP, with the sandbox, a real Celery worker and PostgreSQL."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from PIL import Image

from billing.models import LedgerEntry, Wallet
from generations.models import Generation
from tests.conftest import client_for_team, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(client, prompt: str, offer: str = "kubflow:nano-banana", **fields) -> str:
    response = client.post(
        "/generate/",
        {"offer": offer, "prompt": prompt, "aspect_ratio": "16:9", **fields},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content[:500]
    match = re.search(r'data-id="(gen_[^"]+)"', response.content.decode())
    assert match, "the response holds the new card"
    return match.group(1)


def _poll_until_final(client, public_id: str) -> str:
    def final():
        html = client.get(f"/gallery/poll/?ids={public_id}", headers={"HX-Request": "true"}).content.decode()
        status = re.search(rf'id="card-{public_id}"[^>]*data-status="(\w+)"', html, re.S)
        assert status, html
        return html if status.group(1) in {"completed", "failed", "cancelled"} else None

    return wait_for(final, timeout=60, interval=0.3, message=f"{public_id} to finish")


def test_submitted_image_completes_and_is_charged(client, people, catalog, sandbox, celery_worker):
    client = client_for_team(client, people.owner, people.team)
    public_id = _submit(client, "a red fox in fresh snow")

    html = _poll_until_final(client, public_id)
    assert 'data-status="completed"' in html
    assert "/thumbnail/" in html, "the finished card shows the image"
    assert 'data-active="true"' not in html, "a finished card stops asking to be polled"

    generation = Generation.objects.get(public_id=public_id)
    asset = generation.assets.get()
    assert (asset.kind, asset.content_type) == ("image", "image/png")
    download = client.get(f"/g/{public_id}/files/{asset.public_id}/?download=1")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert asset.filename in download["Content-Disposition"]
    image = Image.open(io.BytesIO(b"".join(download.streaming_content)))
    assert image.size[0] > image.size[1], "16:9 was asked for"

    kinds = list(LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", flat=True))
    assert kinds == ["hold", "capture"]
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("96"), Decimal("0"))  # Nano Banana: 4 credits
    assert generation.credits_charged == Decimal("4")
    assert 'data-testid="balance">96<' in client.get("/gallery/").content.decode()


def test_provider_failure_shows_the_reason_and_releases_the_hold(client, people, catalog, sandbox, celery_worker):
    client = client_for_team(client, people.owner, people.team)
    public_id = _submit(client, "a lighthouse at dusk [sandbox fail=provider]")

    html = _poll_until_final(client, public_id)
    assert 'data-status="failed"' in html
    assert "could not generate this request" in html, "the provider's reason is on the card"

    generation = Generation.objects.get(public_id=public_id)
    kinds = list(LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", flat=True))
    assert kinds == ["hold", "release"]
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("100"), Decimal("0"))
    assert generation.credits_charged == Decimal("0")


def test_video_model_returns_a_real_video(client, people, catalog, sandbox, celery_worker):
    client = client_for_team(client, people.owner, people.team)
    public_id = _submit(client, "waves on a pier", offer="kubflow:kling-3.0", duration=3, mode="std")
    html = _poll_until_final(client, public_id)
    assert 'data-status="completed"' in html
    asset = Generation.objects.get(public_id=public_id).assets.get()
    assert (asset.kind, asset.content_type) == ("video", "video/mp4")
    assert Decimal("2.9") <= asset.duration <= Decimal("3.1")
    assert asset.thumbnail, "a poster frame was made"
