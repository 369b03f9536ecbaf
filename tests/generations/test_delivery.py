"""Delivery checks: what came back against what was asked and paid for, marked, listed for staff, refunded."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client

from billing.models import LedgerEntry, Wallet
from billing.services import credits_grant
from catalog.models import Offer
from generations.delivery import delivery_issues, refund_suggested
from generations.models import Asset, Generation
from generations.services.submission import generation_submit
from tests.conftest import client_for_team, wait_for

SPEC = {
    "fields": [
        {"name": "prompt", "type": "text", "shared": "prompt"},
        {"name": "duration", "type": "integer", "shared": "duration"},
        {"name": "aspect_ratio", "type": "enum", "shared": "aspect_ratio"},
        {"name": "generate_audio", "type": "boolean", "shared": "sound"},
    ]
}


def _video(seconds: str, width: int = 640, height: int = 360, has_audio: bool | None = True) -> Asset:
    return Asset(kind="video", duration=Decimal(seconds), width=width, height=height, has_audio=has_audio)


@pytest.mark.parametrize(
    ("params", "assets", "found"),
    [
        ({"duration": 10}, [_video("10.04")], []),
        ({"duration": "10s"}, [_video("9.1")], []),  # within a tenth
        ({"duration": 10}, [_video("5")], [{"what": "duration", "asked": "10 s", "got": "5 s"}]),
        (
            {"duration": 4},
            [_video("3.4")],
            [{"what": "duration", "asked": "4 s", "got": "3.4 s"}],
        ),  # past half a second
        ({"duration": 5}, [_video("8")], []),  # longer is no loss
        ({"aspect_ratio": "16:9"}, [_video("5", 1280, 720)], []),
        (
            {"aspect_ratio": "9:16"},
            [_video("5", 1280, 720)],
            [{"what": "aspect_ratio", "asked": "9:16", "got": "1280×720"}],
        ),
        ({"aspect_ratio": "auto"}, [_video("5", 1280, 720)], []),  # not a ratio: nothing to hold it to
        (
            {"generate_audio": True},
            [_video("5", has_audio=False)],
            [{"what": "audio", "asked": "with audio", "got": "no audio track"}],
        ),
        ({"generate_audio": "true"}, [_video("5", has_audio=True)], []),
        ({"generate_audio": False}, [_video("5", has_audio=False)], []),
        ({}, [Asset(kind="image", width=512, height=512)], [{"what": "kind", "asked": "video", "got": "image"}]),
        ({"duration": 10}, [], []),  # no file is the pipeline's no_output failure, not a delivery check
    ],
)
def test_what_came_back_is_compared_with_what_was_asked(params, assets, found):
    assert delivery_issues(output="video", spec=SPEC, params=params, assets=assets) == found


def test_the_suggested_refund_is_the_missing_share_of_the_seconds():
    short = [{"what": "duration", "asked": "10 s", "got": "2.5 s"}]
    assert refund_suggested(charged=Decimal("24"), issues=short) == Decimal("18.00")
    assert refund_suggested(charged=Decimal("1.01"), issues=short) == Decimal("0.75"), "rounded down to the cent"
    assert refund_suggested(charged=Decimal("24"), issues=[{"what": "kind", "asked": "video", "got": "image"}]) == 24
    assert refund_suggested(charged=Decimal("24"), issues=[{"what": "audio", "asked": "with audio"}]) == 0


@pytest.fixture
def staff(people):
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    return people.stranger


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.django_db(transaction=True)
def test_a_short_silent_video_is_marked_listed_for_staff_and_refunded_once(
    client, people, catalog, sandbox, celery_worker, staff
):
    credits_grant(team=people.team, amount=Decimal("900"), reason="video")
    kling = Offer.objects.get(provider__slug="kubflow", model_id="kling-2.6")
    generation = generation_submit(
        team=people.team,
        user=people.owner,
        offer=kling,
        params={"prompt": "waves [sandbox short=2 silent=1 delay=1]", "duration": "10", "sound": True},
    )
    wait_for(lambda: generation.refresh_from_db() or not generation.is_active, timeout=90, message="the job to end")
    assert generation.status == "completed", generation.error_message
    assert generation.delivery_issues == [
        {"what": "duration", "asked": "10 s", "got": "2 s"},
        {"what": "audio", "asked": "with audio", "got": "no audio track"},
    ]
    charged = generation.credits_charged
    member = client_for_team(client, people.owner, people.team)
    card = member.get(f"/g/{generation.public_id}/card/").content.decode()
    assert "asked 10 s, got 2 s; asked with audio, got no audio track" in card
    assert "What came back differs from what was asked" in member.get(f"/g/{generation.public_id}/").content.decode()
    assert member.get("/staff/deliveries/").status_code == 404, "members are not staff"

    desk = client_for_team(Client(), staff, people.other_team)
    listing = _text(desk.get("/staff/deliveries/").content.decode())
    assert f"{generation.public_id}" in listing and "Kubflow · Kling 2.6" in listing
    suggested = (charged * Decimal("0.8")).quantize(Decimal("0.01"))
    assert f'value="{suggested}"' in desk.get("/staff/deliveries/").content.decode(), "8 of 10 s missing"

    refund = f"/staff/deliveries/{generation.public_id}/refund/"
    key = f"refund:{uuid.uuid4().hex}"
    answer = desk.post(refund, {"amount": str(suggested), "reason": "asked 10 s, got 2 s", "idempotency_key": key})
    assert answer.status_code == 302
    desk.post(refund, {"amount": str(suggested), "reason": "asked 10 s, got 2 s", "idempotency_key": key})  # resent
    (entry,) = LedgerEntry.objects.filter(generation=generation, kind="adjustment")
    assert (entry.balance_delta, entry.actor) == (suggested, staff)
    wallet = Wallet.objects.get(team=people.team)
    assert wallet.balance == Decimal("1000") - charged + suggested

    too_much = desk.post(
        refund, {"amount": str(charged), "reason": "again", "idempotency_key": f"refund:{uuid.uuid4().hex}"}
    )
    assert too_much.status_code == 422
    assert f"At most {charged - suggested} credits can be refunded" in too_much.content.decode()
    assert LedgerEntry.objects.filter(generation=generation, kind="adjustment").count() == 1

    receipt = _text(member.get(f"/g/{generation.public_id}/").content.decode())
    assert f"refunded {suggested.normalize():f}" in receipt
    assert f"this job cost the team {(charged - suggested).normalize():f} credits" in receipt
    assert Generation.objects.get(pk=generation.pk).credits_charged == charged, "the charge itself is history"
