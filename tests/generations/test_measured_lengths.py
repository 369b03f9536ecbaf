"""Offers priced on the length of the user's media: measured from the real files, held exactly, run
against the sandbox.

Uploads are real WAV files (stdlib ``wave``) and MP4 clips (``sandbox.media.render_video``) of known
lengths; URL sources are served by a small local HTTP server on the allow-list; the worker is a real
Celery process and the providers the sandbox over a socket.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from urllib.parse import unquote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import Hold, LedgerEntry, Wallet
from billing.services import credits_grant
from catalog.models import Offer
from catalog.pricing import offer_measures
from catalog.services import catalog_sync, price_quote
from generations.models import Generation, SourceMedia, Status
from tests.conftest import client_for_team, wait_for
from tests.generations.media_files import mp4, png, served, wav

MP4 = "video/mp4"


def upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def catalogs(db) -> None:
    catalog_sync()


@pytest.fixture
def rich(people):
    credits_grant(team=people.team, amount=Decimal("900"), reason="length-priced tests")
    return people


@pytest.fixture
def owner(client, rich):
    return client_for_team(client, rich.owner, rich.team)


def submit(owner, offer: str, fields: dict, *, status: int = 200):
    response = owner.post("/generate/", {"offer": offer, **fields}, headers={"HX-Request": "true"})
    errors = re.findall(r'class="(?:field-error|form-errors)"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert response.status_code == status, errors
    return response


def finished(generation: Generation) -> Generation:
    def done():
        generation.refresh_from_db()
        return generation.status in {Status.COMPLETED, Status.FAILED, Status.CANCELLED}

    wait_for(done, timeout=90, interval=0.3, message=f"{generation.public_id} to finish")
    return generation


def held(team) -> Decimal:
    return Wallet.objects.get(team=team).held


def balance(team) -> Decimal:
    return Wallet.objects.get(team=team).balance


# --- one offer per provider, through the form, the worker and the sandbox ----------------------------


@pytest.mark.django_db(transaction=True)
def test_kubflow_motion_control_bills_the_uploaded_reference_videos_seconds(
    owner, rich, catalogs, sandbox, celery_worker, media_root
):
    # "Kling 2.6 Motion kling-2.6/motion-control | 6-9 credits/s": 720p's own rate is not documented (likely 6,
    # Kie.ai), so the top 9 is charged per second of the reference video, rounded up to whole seconds
    # (NOTES-kubflow.md): a 4.5 s clip bills 5 s.
    before = balance(rich.team)
    submit(
        owner,
        "kubflow:kling-2.6/motion-control",
        {
            "prompt": "dance like the clip",
            "resolution": "720p",
            "image_url__files": upload("hero.png", png(), "image/png"),
            "video_url__files": upload("moves.mp4", mp4(4.5), MP4),
        },
    )
    generation = Generation.objects.get(team=rich.team)
    clip = SourceMedia.objects.get(team=rich.team, kind="video")
    assert clip.duration == Decimal("4.5")
    assert Decimal(generation.params["ref_video_seconds"]) == Decimal("4.5"), "the measured length is kept"
    assert generation.credits_quoted == Decimal("45") == Decimal(9) * math.ceil(clip.duration)
    assert Hold.objects.get(generation=generation).amount == Decimal("45")
    assert "9 credits/s × 5 s" in generation.breakdown

    finished(generation)
    assert generation.status == Status.COMPLETED, generation.error_message
    asset = generation.assets.get()
    assert (asset.kind, asset.content_type) == ("video", MP4)
    assert generation.credits_charged == Decimal("45")
    assert balance(rich.team) == before - Decimal("45") and held(rich.team) == 0

    page = owner.get(f"/g/{generation.public_id}/").content.decode()
    assert "Reference video length (s)" in page and "4.5" in page, "the page shows the measured length"


@pytest.mark.django_db(transaction=True)
def test_kubeez_seedance_reference_video_is_measured_and_billed_as_the_documented_15_seconds(
    owner, rich, catalogs, sandbox, celery_worker, media_root
):
    # "reference-video requests from the MCP and REST API are billed the pessimistic worst case of 15s
    # of reference video": (15 + 4) × 13 = 247, whatever the clip's real length (here 4 s).
    submit(
        owner,
        "kubeez:seedance-2-480p-video-ref",
        {
            "prompt": "a wave breaking, like the reference",
            "duration": "4",
            "aspect_ratio": "16:9",
            "source_media_urls__files": upload("ref.mp4", mp4(4), MP4),
        },
    )
    generation = Generation.objects.get(team=rich.team)
    assert generation.credits_quoted == Decimal("247")
    assert Hold.objects.get(generation=generation).amount == Decimal("247")
    assert Decimal(generation.params["ref_video_seconds"]) == Decimal("15")
    assert "video measured 4 s" in generation.breakdown, "the measurement is on record"

    finished(generation)
    assert generation.status == Status.COMPLETED, generation.error_message
    assert generation.assets.get().kind == "video"
    assert generation.credits_charged == Decimal("247")
    assert sandbox.stats().get("kubeez.uploads", 0) >= 1, "the file went through Kubeez's upload API"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("model", "rate", "kind"),
    [
        # "elevenlabs-speech-to-textElevenLabs Speech to Textaudio7per second of audio"
        ("elevenlabs-speech-to-text", Decimal("7"), "text"),
        # "elevenlabs-audio-isolationElevenLabs Audio Isolationaudio1per second of audio"
        ("elevenlabs-audio-isolation", Decimal("1"), "audio"),
    ],
)
def test_cliprise_audio_models_bill_each_second_of_the_uploaded_audio(
    owner, rich, catalogs, sandbox, celery_worker, media_root, model, rate, kind
):
    submit(owner, f"cliprise:{model}", {"audio_url__files": upload("talk.wav", wav(7.25), "audio/wav")})
    generation = Generation.objects.get(team=rich.team)
    assert Decimal(generation.params["audio_seconds"]) == Decimal("7.25")
    assert generation.credits_quoted == rate * 8, "7.25 s is billed as 8 whole seconds"
    assert Hold.objects.get(generation=generation).amount == rate * 8

    finished(generation)
    assert generation.status == Status.COMPLETED, generation.error_message
    asset = generation.assets.get()
    assert asset.kind == kind
    if kind == "text":
        assert "Speaker 1:" in asset.file.open("rb").read().decode(), "a transcript, not a chat answer"
    assert generation.credits_charged == rate * 8


@pytest.mark.django_db(transaction=True)
def test_cliprise_speech_to_video_bills_the_speech_audios_length(
    owner, rich, catalogs, sandbox, celery_worker, media_root
):
    # "Billed per second of output video"; the output follows the speech (NOTES-cliprise.md §5.5):
    # 480p 22 per second × 3 s.
    submit(
        owner,
        "cliprise:wan-speech-to-video",
        {"resolution": "480p", "prompt": "a presenter", "audio_url__files": upload("line.wav", wav(3), "audio/wav")},
    )
    generation = Generation.objects.get(team=rich.team)
    assert Decimal(generation.params["output_seconds"]) == Decimal("3")
    assert generation.credits_quoted == Decimal("66")
    finished(generation)
    assert generation.status == Status.COMPLETED, generation.error_message
    assert generation.assets.get().kind == "video"


def test_speech_to_video_with_frames_bills_frames_over_fps(owner, rich, catalogs, media_root):
    # num_frames / frames_per_second "control output length": 81 frames at 16 fps = 5.0625 s → 6 s × 22.
    submit(
        owner,
        "cliprise:wan-speech-to-video",
        {
            "resolution": "480p",
            "num_frames": "81",
            "frames_per_second": "16",
            "audio_url__files": upload("line.wav", wav(3), "audio/wav"),
        },
    )
    generation = Generation.objects.get(team=rich.team)
    assert Decimal(generation.params["output_seconds"]) == Decimal("5.063")
    assert generation.credits_quoted == Decimal("132")


# --- refusals: nothing held, nothing created ------------------------------------------------------------


def test_a_reference_video_over_the_limit_is_refused_next_to_its_field(owner, rich, catalogs, media_root):
    before = Wallet.objects.get(team=rich.team)
    response = submit(
        owner,
        "kubflow:kling-2.6/motion-control",
        {
            "prompt": "dance",
            "image_url__files": upload("hero.png", png(), "image/png"),
            "video_url__files": upload("long.mp4", mp4(40), MP4),
        },
        status=422,
    )
    html = response.content.decode()
    field = re.search(r'data-field="video_url".*?</div>', html, re.S).group(0)
    assert "This video is 40 s long; Kling 2.6 Motion takes at most 30 s." in field, "the error sits by the video"
    assert not Generation.objects.exists()
    assert not Hold.objects.exists()
    after = Wallet.objects.get(team=rich.team)
    assert (after.balance, after.held) == (before.balance, before.held)
    assert not LedgerEntry.objects.filter(kind="hold").exists()


def test_kubeez_reference_videos_over_15_seconds_together_are_refused(owner, rich, catalogs, media_root):
    # "Combined reference video duration > 15s → rejected": 9 s + 8 s.
    response = submit(
        owner,
        "kubeez:seedance-2-480p-video-ref",
        {
            "prompt": "x",
            "duration": "4",
            "source_media_urls__files": [upload("a.mp4", mp4(9), MP4), upload("b.mp4", mp4(8), MP4)],
        },
        status=422,
    )
    assert "These videos last 17 s together; Seedance 2 (480p, video ref) takes at most 15 s." in (
        response.content.decode()
    )
    assert not Generation.objects.exists() and held(rich.team) == 0


def test_kubeez_reference_audio_over_15_seconds_together_is_refused(owner, rich, catalogs, media_root):
    # "Combined reference audio duration > 15s → rejected" (Seedance 2, every variant): 9 s + 8 s.
    response = submit(
        owner,
        "kubeez:seedance-2-fast-480p",
        {
            "prompt": "x",
            "duration": "4",
            "source_media_urls__files": [upload("a.wav", wav(9), "audio/wav"), upload("b.wav", wav(8), "audio/wav")],
        },
        status=422,
    )
    field = re.search(r'data-field="source_media_urls".*?</div>', response.content.decode(), re.S).group(0)
    assert "These audio clips last 17 s together; Seedance 2 Fast (480p) takes at most 15 s." in field
    assert not Generation.objects.exists() and held(rich.team) == 0


@pytest.mark.django_db(transaction=True)
def test_kubeez_reference_audio_within_15_seconds_runs_and_is_not_billed(
    owner, rich, catalogs, media_root, sandbox, celery_worker
):
    # 6 s + 7.5 s of reference audio: accepted, recorded on the generation, priced by the duration alone,
    # and never sent as a parameter (Kubeez has no such field).
    submit(
        owner,
        "kubeez:seedance-2-fast-480p",
        {
            "prompt": "a drummer on a rooftop",
            "duration": "4",
            "source_media_urls__files": [upload("a.wav", wav(6), "audio/wav"), upload("b.wav", wav(7.5), "audio/wav")],
        },
    )
    generation = Generation.objects.get(team=rich.team)
    assert Decimal(generation.params["ref_audio_seconds"]) == Decimal("13.5")
    offer = Offer.objects.get(provider__slug="kubeez", model_id="seedance-2-fast-480p")
    assert generation.credits_quoted == price_quote(offer=offer, params={"prompt": "x", "duration": 4}).credits
    # the sandbox refuses any parameter Kubeez doesn't document, the studio's derived ones included
    assert finished(generation).status == Status.COMPLETED, generation.error_message


def test_a_too_short_reference_for_seedance_is_refused_by_the_docs_rule(owner, rich, catalogs, media_root):
    # Kubflow Seedance 2.0: a reference video must be 1 to 15 s (Kubeez's cap): 0.5 s is refused.
    response = submit(
        owner,
        "kubflow:seedance-2.0-kie",
        {"prompt": "x", "video_url__files": upload("blink.mp4", mp4(0.5), MP4)},
        status=422,
    )
    field = re.search(r'data-field="video_url".*?</div>', response.content.decode(), re.S).group(0)
    assert "a reference video must be 1 to 15 s long" in field
    assert not Generation.objects.exists()


# --- URL sources and earlier outputs ----------------------------------------------------------------------


@pytest.fixture
def file_host(settings):
    """A local web server the studio may fetch from (on the allow-list, as the sandbox is)."""
    routes: dict[str, tuple[str, bytes]] = {}
    with served(routes) as host:
        settings.OUTBOUND_URL_ALLOWLIST = [*settings.OUTBOUND_URL_ALLOWLIST, host]
        yield f"http://{host}", routes


@pytest.mark.django_db(transaction=True)
def test_a_url_source_is_fetched_and_measured(owner, rich, catalogs, sandbox, celery_worker, file_host):
    base, routes = file_host
    routes["/clips/dance.mp4"] = (MP4, mp4(6.5))
    routes["/people/hero.png"] = ("image/png", png())
    submit(
        owner,
        "cliprise:wan-animate-replace",
        {"resolution": "580p", "image_url": f"{base}/people/hero.png", "video_url": f"{base}/clips/dance.mp4"},
    )
    generation = Generation.objects.get(team=rich.team)
    assert Decimal(generation.params["ref_video_seconds"]) == Decimal("6.5")
    assert generation.credits_quoted == Decimal("18") * 7  # "wan-animate … 11 / 18 / 23 per second"
    finished(generation)
    assert generation.status == Status.COMPLETED, generation.error_message
    assert generation.credits_charged == Decimal("126")


def test_a_url_source_that_is_not_media_is_refused_next_to_its_field(owner, rich, catalogs, file_host):
    base, routes = file_host
    routes["/talk.mp3"] = ("audio/mpeg", b"<html>not audio</html>")
    response = submit(owner, "cliprise:elevenlabs-speech-to-text", {"audio_url": f"{base}/talk.mp3"}, status=422)
    field = re.search(r'data-field="audio_url".*?</div>', response.content.decode(), re.S).group(0)
    assert "not a supported image, video or audio file" in field
    assert not Generation.objects.exists()


def test_an_unsafe_url_source_is_refused_without_being_fetched(owner, rich, catalogs):
    response = submit(
        owner, "cliprise:elevenlabs-speech-to-text", {"audio_url": "http://169.254.169.254/talk.wav"}, status=422
    )
    assert 'data-field="audio_url"' in response.content.decode()
    assert not Generation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_earlier_output_used_as_source_is_measured_from_its_record(
    owner, rich, catalogs, sandbox, celery_worker, settings
):
    # A 3 s Kling 3.0 video, then Topaz upscales it: "8 credits/s (1x/2x)" × 3 s.
    submit(owner, "kubflow:kling-3.0", {"prompt": "waves on a pier", "duration": "3", "mode": "std"})
    first = finished(Generation.objects.get(team=rich.team))
    asset = first.assets.get()
    link = owner.get(f"/g/{first.public_id}/files/{asset.public_id}/use/?offer=kubflow:topaz-video-upscale")
    video_url = unquote(re.search(r"video_url=([^&]+)", link["Location"]).group(1))
    # The studio's own links point at STUDIO_PUBLIC_URL (loopback here): allowed as a deployment on loopback must.
    settings.OUTBOUND_URL_ALLOWLIST = [*settings.OUTBOUND_URL_ALLOWLIST, urlsplit(video_url).netloc]
    submit(owner, "kubflow:topaz-video-upscale", {"prompt": "sharper", "upscale_factor": "2", "video_url": video_url})
    second = Generation.objects.exclude(pk=first.pk).get()
    assert Decimal(second.params["video_seconds"]) == asset.duration
    assert second.credits_quoted == Decimal(8) * math.ceil(asset.duration)


def test_a_rerun_measures_again(owner, rich, catalogs, media_root):
    submit(owner, "cliprise:elevenlabs-audio-isolation", {"audio_url__files": upload("a.wav", wav(2.2), "audio/wav")})
    first = Generation.objects.get(team=rich.team)
    tampered = {**first.params, "audio_seconds": "0.5"}
    Generation.objects.filter(pk=first.pk).update(params=tampered)
    owner.post(f"/g/{first.public_id}/rerun/", {"idempotency_key": "again-1"})
    again = Generation.objects.exclude(pk=first.pk).get()
    assert Decimal(again.params["audio_seconds"]) == Decimal("2.2") and again.credits_quoted == Decimal("3")


# --- the live quote --------------------------------------------------------------------------------------


def quote(owner, offer: str, fields: dict) -> str:
    response = owner.post("/generate/quote/", {"offer": offer, **fields})
    assert response.status_code == 200
    return response.content.decode()


MOTION = {"prompt": "dance", "resolution": "1080p", "image_url": "https://example.com/hero.png"}


def test_the_live_quote_prices_a_picked_file_from_the_browsers_length(owner, rich, catalogs):
    html = quote(
        owner,
        "kubflow:kling-2.6/motion-control",
        {**MOTION, "video_url__names": json.dumps(["clip.mp4"]), "video_url__seconds": json.dumps({"video": 7.2})},
    )
    assert 'data-testid="price">72<' in html, "1080p: 9 per second × 8 s"
    assert "Generate · 72 credits" in html


def test_the_live_quote_shows_the_rate_until_the_length_is_known(owner, rich, catalogs):
    html = quote(owner, "kubflow:kling-2.6/motion-control", {**MOTION, "video_url__names": json.dumps(["clip.mp4"])})
    assert re.search(r"<strong>9</strong> credits per second of motion reference video", html)
    assert "Exact price once the file is measured." in html
    assert "price not documented" not in html and "submit-why" not in html, "it can be submitted as it is"


def test_the_live_quote_rate_includes_the_rest_of_the_request(owner, rich, catalogs):
    # Kubflow Seedance 2.0 with a reference: (duration + reference seconds) × the documented top, 102/s
    # ("11.5-102 credits/s"; 720p with a reference is likely 25/s, a figure not in the docs).
    html = quote(
        owner,
        "kubflow:seedance-2.0-kie",
        {"prompt": "x", "duration": "5", "resolution": "720p", "video_url": "https://example.com/ref.mp4"},
    )
    assert re.search(r"<strong>510</strong> credits plus <strong>102</strong> credits per second of reference", html)


def test_the_live_quote_refuses_a_picked_file_over_the_limit(owner, rich, catalogs):
    html = quote(
        owner,
        "kubflow:kling-2.6/motion-control",
        {**MOTION, "video_url__names": json.dumps(["long.mp4"]), "video_url__seconds": json.dumps({"video": 40})},
    )
    assert "This video is 40 s long; Kling 2.6 Motion takes at most 30 s." in html
    assert 'data-testid="submit-why"' in html, "submit is blocked with the reason"


def test_the_live_quote_per_minute_price_says_per_minute(owner, rich, catalogs):
    html = quote(owner, "kubflow:elevenlabs-stt", {"audio_url": "https://example.com/talk.mp3"})
    assert re.search(r"<strong>3.50</strong> credits per minute of audio", html)


def test_the_composer_has_the_length_hint_only_for_measured_media(owner, rich, catalogs):
    html = owner.get("/generate/fields/?offer=kubflow:kling-2.6/motion-control").content.decode()
    assert 'name="video_url__seconds"' in html and 'data-measure-for="video_url"' in html
    assert 'name="image_url__seconds"' not in html


def test_a_hint_never_sets_the_price_that_is_held(owner, rich, catalogs, media_root):
    # The browser says 1 s; the file is 4.5 s: 5 s are held (at the documented top, 9/s).
    submit(
        owner,
        "kubflow:kling-2.6/motion-control",
        {
            "prompt": "dance",
            "image_url__files": upload("hero.png", png(), "image/png"),
            "video_url__files": upload("moves.mp4", mp4(4.5), MP4),
            "video_url__seconds": json.dumps({"video": 1}),
        },
    )
    assert Generation.objects.get(team=rich.team).credits_quoted == Decimal("45")


# --- every measured offer, from the form --------------------------------------------------------------------


def _measured_offers() -> list[str]:
    from catalog.datafile import provider_file_load

    keys = []
    for slug in ("kubflow", "kubeez", "krea", "cliprise"):
        keys += [
            f"{slug}:{o['id']}"
            for o in provider_file_load(slug)["offers"]
            # Kubflow's API runs no audio model: those are priced for comparison, never run (test_runnable.py)
            if offer_measures(o) and o.get("wire", {}).get("direct_api", True) is not False
        ]
    return keys


SAMPLE_FILES = {
    "image": lambda: upload("frame.png", png(), "image/png"),
    "video": lambda: upload("clip.mp4", mp4(3.25), MP4),
    "audio": lambda: upload("voice.wav", wav(3.25), "audio/wav"),
}


@pytest.mark.parametrize("key", _measured_offers())
def test_every_measured_offer_is_held_at_its_price_for_the_measured_length(owner, rich, catalogs, media_root, key):
    provider, model = key.split(":", 1)
    offer = Offer.objects.get(provider__slug=provider, model_id=model)
    measure = offer_measures(offer.spec)[0]
    fields: dict = {}
    for spec in offer.spec["fields"]:
        if spec.get("derived"):
            continue
        if spec["type"] == "media" and (spec.get("required") or spec["name"] == measure.source):
            kind = measure.kind if spec["name"] == measure.source and measure.kind else spec["kinds"][0]
            fields[f"{spec['name']}__files"] = SAMPLE_FILES[kind]()
        elif spec.get("required") and "default" in spec:
            fields[spec["name"]] = spec["default"]
        elif spec.get("required"):
            fields[spec["name"]] = {"text": "x", "string": "x", "integer": spec.get("min", 5)}.get(spec["type"], "")
    submit(owner, key, fields)
    generation = Generation.objects.get(team=rich.team)
    expected_length = measure.default if measure.billed == "default" else Decimal("3.25")
    assert Decimal(generation.params[measure.name]) == expected_length
    assert generation.credits_quoted == price_quote(offer=offer, params=generation.params).credits
    assert Hold.objects.get(generation=generation).amount == generation.credits_quoted
