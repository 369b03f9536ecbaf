"""The API prices offers billed per second of the caller's media on the length the studio measures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import Hold
from generations.models import Generation
from tests.generations.media_files import served, wav


@pytest.fixture
def talk_url(settings):
    """A 5.5 s WAV on a local web server the studio may fetch from."""
    routes = {"/talk.wav": ("audio/wav", wav(5.5))}
    with served(routes) as host:
        settings.OUTBOUND_URL_ALLOWLIST = [*settings.OUTBOUND_URL_ALLOWLIST, host]
        yield f"http://{host}/talk.wav"


def stt(url: str, **params) -> dict:
    return {"model": "elevenlabs-speech-to-text", "provider": "cliprise", "params": {"audio_url": url, **params}}


def test_a_quote_measures_the_audio_the_url_points_at(api, all_catalogs, talk_url):
    response = api.post("/quotes", stt(talk_url))
    assert response.status_code == 200, response.content
    body = response.json()
    # "7 per second of audio": 5.5 s bills 6 s
    assert (body["credits"], body["params"]["audio_seconds"]) == ("42.00", "5.5")


def test_a_submitted_length_is_replaced_by_the_measured_one(api, rich_people, all_catalogs, talk_url):
    response = api.post("/generations", stt(talk_url, audio_seconds=1))
    assert response.status_code == 201, response.content
    generation = Generation.objects.get(public_id=response.json()["generation_id"])
    assert Decimal(generation.params["audio_seconds"]) == Decimal("5.5")
    assert Hold.objects.get(generation=generation).amount == Decimal("42")


def test_a_source_that_cannot_be_fetched_is_refused_with_its_field(api, all_catalogs, talk_url):
    response = api.post("/quotes", stt(talk_url.replace("talk.wav", "gone.wav")))
    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["field"]) == ("source_fetch_failed", "audio_url")


def test_models_say_which_media_a_length_measures(api, all_catalogs):
    models = api.get("/models", {"provider": "kubflow"}).json()["models"]
    motion = next(m for m in models if m["model"] == "kling-2.6/motion-control")
    derived = next(p for p in motion["parameters"] if p["name"] == "ref_video_seconds")
    assert (derived["derived"], derived["measures"]) == (True, "video_url")


@pytest.fixture
def clip_url(settings):
    """A 4 s MP4 on a local web server the studio may fetch from."""
    from tests.generations.media_files import mp4

    with served({"/ref.mp4": ("video/mp4", mp4(4))}) as host:
        settings.OUTBOUND_URL_ALLOWLIST = [*settings.OUTBOUND_URL_ALLOWLIST, host]
        yield f"http://{host}/ref.mp4"


def test_kubeez_reference_video_is_quoted_as_kubeez_bills_rest_by_api_cli_and_composer_alike(
    api, all_catalogs, clip_url, client, rich_people
):
    # 002 "MCP / REST API note": REST requests with a reference video are billed "the pessimistic worst case of
    # 15s of reference video"; "| seedance-2-480p-video-ref | ... | 13 | credits / sec |": (15 + 5) × 13 = 260,
    # whatever the clip's real 4 s
    import io
    import json as jsonlib

    from django.core.management import call_command

    body = {"provider": "kubeez", "model": "seedance-2-480p-video-ref", "prompt": "p"}
    body["params"] = {"duration": 5, "source_media_urls": [clip_url]}
    response = api.post("/quotes", body)
    assert response.status_code == 200, response.content
    assert response.json()["credits"] == "260.00"

    out = io.StringIO()
    call_command(
        "quote", "kubeez", "seedance-2-480p-video-ref", "prompt=p", "duration=5",
        f"source_media_urls={jsonlib.dumps([clip_url])}", stdout=out,
    )  # fmt: skip
    assert jsonlib.loads(out.getvalue())["credits"] == "260.00"

    from tests.conftest import client_for_team

    composer = client_for_team(client, rich_people.owner, rich_people.team)
    html = composer.post(
        "/generate/quote/",
        {"offer": "kubeez:seedance-2-480p-video-ref", "prompt": "p", "duration": "5", "source_media_urls": clip_url},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'data-testid="price">260<' in html
