"""Kubflow prices, checked against the Kubflow price list (seed 000_e61acbf41d7f583a.txt).

Pure functions, no database: run with
    .venv/bin/python -m pytest tests/catalog/test_prices_kubflow.py -p no:django -q

Every expected amount is a literal copied from the doc line quoted beside it.
Where the doc gives only a range, both ends are checked against the range; the
values in between are the reading recorded in catalog/data/NOTES-kubflow.md and
are marked "(reading)".
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.datafile import provider_data_problems, provider_file_load
from catalog.pricing import QuoteError, offer_check, offer_price

IMG = "https://example.com/product.png"
VID = "https://example.com/clip.mp4"
AUD = "https://example.com/voice.mp3"

DATA = provider_file_load("kubflow")
OFFERS = {offer["id"]: offer for offer in DATA["offers"]}


def quote(offer_id: str, /, **params):
    clean = offer_check(OFFERS[offer_id], params)
    return offer_price(OFFERS[offer_id], clean, "credits")


def amount(offer_id: str, /, **params) -> Decimal:
    return quote(offer_id, **params).amount


# --- the file as a whole -------------------------------------------------------------


def test_file_is_sound():
    assert DATA["unit"] == "credits"
    assert provider_data_problems(DATA) == []


def test_every_model_of_the_price_list_is_offered():
    # "image 17 models", "video 15 models", "audio 7 models", "text 8 models", "utility 14 models"
    expected = {
        "image": {
            "flux-2-flex",
            "flux-2-pro",
            "gpt-image-1.5",
            "gpt-image-2",
            "gpt-4o-image",
            "grok-imagine-text-to-image",
            "image-passthrough",
            "nano-banana",
            "nano-banana-2",
            "nano-banana-pro",
            "recraft-remove-background",
            "bytedance-seedream-v4",
            "seedream-4.5-text-to-image",
            "seedream-4.5-edit",
            "seedream-5-lite",
            "topaz-image-upscale",
            "z-image",
        },
        "video": {
            "add-audio",
            "add-subtitles",
            "veo3",
            "grok-imagine-image-to-video",
            "grok-imagine-text-to-video",
            "video-passthrough",
            "kling-2.6",
            "kling-2.6/motion-control",
            "kling-3.0",
            "kling-3.0-elements",
            "kling-3.0/motion-control",
            "seedance-2.0-kie",
            "seedance-2.0-fast",
            "stitch-videos",
            "topaz-video-upscale",
        },
        "audio": {
            "elevenlabs-audio-isolation",
            "elevenlabs-tts-v2",
            "elevenlabs-text-to-dialogue",
            "audio-passthrough",
            "elevenlabs-sound-effect-v2",
            "suno-cover-audio",
            "suno-create-music",
        },
        "text": {
            "claude-haiku-4-5",
            "claude-opus-4-6",
            "claude-sonnet-4-6",
            "deepseek-chat",
            "gemini-3.1-pro",
            "gpt-5.2",
            "text-passthrough",
            "prompt-enhancer",
        },
        "utility": {
            "combine-text",
            "composition-render",
            "compositor-v2",
            "extract-frame",
            "json-parser",
            "last-frame",
            "noise-grid-overlay",
            "reference-asset",
            "remove-silence",
            "resize-crop-image",
            "elevenlabs-stt",
            "prompt-concatenator",
            "timeline-stitch",
            "trim-video",
        },
    }
    by_category: dict[str, set[str]] = {}
    for offer in DATA["offers"]:
        by_category.setdefault(offer["category"], set()).add(offer["id"])
    assert by_category == expected
    assert len(DATA["offers"]) == 61


def test_direct_api_only_for_image_and_video():
    # "category | image | video | ... Direct API generation currently accepts image and video."
    for offer in DATA["offers"]:
        assert offer["wire"]["category"] == offer["category"]
        if offer["category"] in {"image", "video"}:
            assert offer["wire"].get("direct_api", True) is True, offer["id"]
        else:
            assert offer["wire"]["direct_api"] is False, offer["id"]


# --- flat prices -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "params", "expected"),
    [
        ("flux-2-flex", {"prompt": "p"}, "14"),  # "Flux 2 Flex flux-2-flex | 14 credits"
        ("flux-2-pro", {"prompt": "p"}, "5"),  # "Flux 2 Pro flux-2-pro | 5 credits"
        ("gpt-image-1.5", {"prompt": "p"}, "4"),  # "GPT Image 1.5 gpt-image-1.5 | 4 credits"
        # "GPT Image 2 gpt-image-2 | 12 credits"; example params {"aspect_ratio": "1:1", "resolution": "1K"}
        ("gpt-image-2", {"prompt": "p", "aspect_ratio": "1:1", "resolution": "1K"}, "12"),
        ("gpt-4o-image", {"prompt": "p"}, "6"),  # "GPT-4o Image gpt-4o-image | 6 credits"
        # "Grok Image grok-imagine-text-to-image | 4 credits"
        ("grok-imagine-text-to-image", {"prompt": "p"}, "4"),
        ("nano-banana", {"prompt": "p"}, "4"),  # "Nano Banana nano-banana | 4 credits"
        ("nano-banana", {"prompt": "p", "image_url": IMG}, "4"),  # same line, with an image
        # "Remove Background recraft-remove-background | 1 credits"
        ("recraft-remove-background", {"image_url": IMG}, "1"),
        # "Seedream 4.0 bytedance-seedream-v4 | 7 credits"
        ("bytedance-seedream-v4", {"prompt": "p", "resolution": "4K"}, "7"),
        # "Seedream 4.5 seedream-4.5-text-to-image | 6.5 credits"
        ("seedream-4.5-text-to-image", {"prompt": "p"}, "6.5"),
        # "Seedream 4.5 Edit seedream-4.5-edit | 6.5 credits"
        ("seedream-4.5-edit", {"prompt": "p", "image_url": IMG}, "6.5"),
        # "Seedream 5 Lite seedream-5-lite | 5.5 credits"
        ("seedream-5-lite", {"prompt": "p"}, "5.5"),
        ("z-image", {"prompt": "p"}, "0.8"),  # "Z-Image z-image | 0.8 credits"
        # "Add Audio add-audio | 2 credits"
        ("add-audio", {"video_url": VID, "audio_url": AUD}, "2"),
        ("add-subtitles", {"video_url": VID}, "2"),  # "Add Subtitles add-subtitles | 2 credits"
        # "Stitch Videos stitch-videos | 2 credits"
        ("stitch-videos", {"video_url": [VID, VID]}, "2"),
        # "ElevenLabs TTS V3 elevenlabs-text-to-dialogue | 14 credits"
        ("elevenlabs-text-to-dialogue", {"prompt": "p"}, "14"),
        # "Suno Cover Audio suno-cover-audio | 12 credits"
        ("suno-cover-audio", {"prompt": "p", "audio_url": AUD}, "12"),
        # "Suno Create Music suno-create-music | 12 credits"
        ("suno-create-music", {"prompt": "p"}, "12"),
        # "Claude Haiku 4.5 claude-haiku-4-5 | 2 credits"
        ("claude-haiku-4-5", {"prompt": "p"}, "2"),
        ("deepseek-chat", {"prompt": "p"}, "2"),  # "DeepSeek deepseek-chat | 2 credits"
        ("prompt-enhancer", {"prompt": "p"}, "4"),  # "Prompt Enhancer prompt-enhancer | 4 credits"
        ("composition-render", {}, "3"),  # "Composition composition-render | 3 credits"
        ("compositor-v2", {}, "3"),  # "Compositor V2 compositor-v2 | 3 credits"
        ("extract-frame", {"video_url": VID}, "2"),  # "Extract Frame extract-frame | 2 credits"
        ("last-frame", {"video_url": VID}, "2"),  # "Last Frame last-frame | 2 credits"
        ("remove-silence", {"video_url": VID}, "2"),  # "Remove Silence remove-silence | 2 credits"
        # "Resize / Crop resize-crop-image | 2 credits"
        ("resize-crop-image", {"image_url": IMG}, "2"),
        # "Timeline Stitch timeline-stitch | 2 credits"
        ("timeline-stitch", {"video_url": [VID, VID]}, "2"),
        ("trim-video", {"video_url": VID}, "2"),  # "Trim Video trim-video | 2 credits"
    ],
)
def test_flat_prices(model, params, expected):
    price = quote(model, **params)
    assert price.amount == Decimal(expected)
    assert not price.estimated


def test_approximate_flat_price_is_recorded_as_its_number():
    # "Noise / Grid Overlay noise-grid-overlay | ~3 credits"
    assert amount("noise-grid-overlay", image_url=IMG) == Decimal("3")
    assert OFFERS["noise-grid-overlay"]["wire"]["approximate_price"] is True


# --- zero-price passthrough and utility models -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("image-passthrough", {"image_url": IMG}),  # "Input Image image-passthrough | 0 credits"
        ("video-passthrough", {"video_url": VID}),  # "Input Video video-passthrough | 0 credits"
        ("audio-passthrough", {"audio_url": AUD}),  # "Input Audio audio-passthrough | 0 credits"
        ("text-passthrough", {"prompt": "p"}),  # "Input Text text-passthrough | 0 credits"
        ("combine-text", {"prompt": "p"}),  # "Combine Text combine-text | 0 credits"
        ("json-parser", {"prompt": "{}"}),  # "JSON Parser json-parser | 0 credits"
        ("reference-asset", {"media_url": IMG}),  # "Reference Asset reference-asset | 0 credits"
        # "Text Passthrough prompt-concatenator | 0 credits"
        ("prompt-concatenator", {"prompt": "p"}),
    ],
)
def test_zero_price_models(model, params):
    assert amount(model, **params) == Decimal("0")


# --- ranges resolved into tables (flat per request) ------------------------------------------------


def likely(offer_id: str, /, **params) -> Decimal | None:
    return quote(offer_id, **params).likely


# Where the doc gives only a range, no combination's own price is documented and Kubflow reports no cost
# after the job (its status and /api/v1/me carry none): the documented top is held and charged, and the
# reading of NOTES-kubflow.md (Kie.ai's public list, which Kubflow resells) is kept as the "likely" figure.


def test_nano_banana_2_range():
    # "Nano Banana 2 nano-banana-2 | 8-18 credits"
    for resolution, reading in (("1K", "8"), ("2K", "12"), ("4K", None)):
        assert amount("nano-banana-2", prompt="p", resolution=resolution) == Decimal("18")
        assert likely("nano-banana-2", prompt="p", resolution=resolution) == (reading and Decimal(reading))


def test_nano_banana_pro_range():
    # "Nano Banana Pro nano-banana-pro | 18-24 credits"
    for resolution, reading in (("1K", "18"), ("2K", "18"), ("4K", None)):
        assert amount("nano-banana-pro", prompt="p", resolution=resolution) == Decimal("24")
        assert likely("nano-banana-pro", prompt="p", resolution=resolution) == (reading and Decimal(reading))


def test_topaz_image_upscale_range():
    # "Topaz Image Upscale topaz-image-upscale | 10-40 credits"
    for factor, reading in (("1", "10"), ("4", "20"), ("8", None)):
        assert amount("topaz-image-upscale", image_url=IMG, upscale_factor=factor) == Decimal("40")
        assert likely("topaz-image-upscale", image_url=IMG, upscale_factor=factor) == (reading and Decimal(reading))


def test_veo3_range():
    # "Google Veo 3.1 veo3 | 30-370 credits"; example params {"model": "veo3_fast", "resolution": "1080p"}
    assert amount("veo3", prompt="p", model="veo3_lite", resolution="720p") == Decimal("370")
    assert likely("veo3", prompt="p", model="veo3_lite", resolution="720p") == Decimal("30")
    assert amount("veo3", prompt="p", model="veo3_fast", resolution="1080p", image_url=IMG) == Decimal("370")
    assert likely("veo3", prompt="p", model="veo3_fast", resolution="1080p", image_url=IMG) == Decimal("65")
    assert amount("veo3", prompt="p", model="veo3", resolution="4K") == Decimal("370")
    assert likely("veo3", prompt="p", model="veo3", resolution="4K") is None


def test_veo3_never_leaves_the_documented_range():
    # "Google Veo 3.1 veo3 | 30-370 credits": every charge is the top, every likely figure inside the range
    combos = [(m, r) for m in ("veo3_lite", "veo3_fast", "veo3") for r in ("720p", "1080p", "4K")]
    assert {amount("veo3", prompt="p", model=m, resolution=r) for m, r in combos} == {Decimal("370")}
    figures = {likely("veo3", prompt="p", model=m, resolution=r) or Decimal("370") for m, r in combos}
    assert min(figures) == Decimal("30") and max(figures) == Decimal("370")


@pytest.mark.parametrize("model", ["grok-imagine-image-to-video", "grok-imagine-text-to-video"])
def test_grok_video_range(model):
    # "Grok Video Image to Video grok-imagine-image-to-video | 10-30 credits"
    # "Grok Video Text to Video grok-imagine-text-to-video | 10-30 credits"
    base = {"prompt": "p"}
    if model == "grok-imagine-image-to-video":
        base["image_url"] = IMG
    for duration, resolution, reading in ((6, "480p", "10"), (6, "720p", "20"), (10, "480p", "20"), (10, "720p", None)):
        assert amount(model, **base, duration=duration, resolution=resolution) == Decimal("30")
        assert likely(model, **base, duration=duration, resolution=resolution) == (reading and Decimal(reading))


def test_kling_2_6_range():
    # "Kling 2.6 kling-2.6 | 55-220 credits"
    for duration, sound, reading in ((5, False, "55"), (5, True, "110"), (10, False, "110"), (10, True, None)):
        assert amount("kling-2.6", prompt="p", duration=duration, sound=sound) == Decimal("220")
        assert likely("kling-2.6", prompt="p", duration=duration, sound=sound) == (reading and Decimal(reading))


# --- per-second prices -------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["kling-3.0", "kling-3.0-elements"])
def test_kling_3_0_per_second_range(model):
    # "Kling 3.0 kling-3.0 | 14-27 credits/s"; "Kling 3.0 Elements kling-3.0-elements | 14-27 credits/s"
    for mode, sound, reading in (("std", False, "14"), ("std", True, "20"), ("pro", False, "18")):
        assert amount(model, prompt="p", duration=5, mode=mode, sound=sound) == Decimal("27") * 5
        assert likely(model, prompt="p", duration=5, mode=mode, sound=sound) == Decimal(reading) * 5
    assert amount(model, prompt="p", duration=15, mode="pro", sound=True) == Decimal("27") * 15
    assert likely(model, prompt="p", duration=15, mode="pro", sound=True) is None


def test_kling_3_0_doc_example():
    # API example: "model": "kling-3.0", params {"duration": 5, "aspect_ratio": "9:16", "mode": "pro", "sound": false}
    price = quote("kling-3.0", prompt="p", duration=5, aspect_ratio="9:16", mode="pro", sound=False)
    assert price.amount == Decimal("27") * 5
    assert price.likely == Decimal("18") * 5  # (reading: pro without sound)


def test_kling_2_6_motion_per_second_range():
    # "Kling 2.6 Motion kling-2.6/motion-control | 6-9 credits/s"
    base = {"image_url": IMG, "video_url": VID, "ref_video_seconds": 10}
    assert amount("kling-2.6/motion-control", **base, resolution="720p") == Decimal("9") * 10
    assert likely("kling-2.6/motion-control", **base, resolution="720p") == Decimal("6") * 10
    assert amount("kling-2.6/motion-control", **base, resolution="1080p") == Decimal("9") * 10


def test_kling_3_0_motion_per_second_range():
    # "Kling 3.0 Motion kling-3.0/motion-control | 20-27 credits/s"
    base = {"image_url": IMG, "video_url": VID, "ref_video_seconds": 8}
    assert amount("kling-3.0/motion-control", **base, resolution="720p") == Decimal("27") * 8
    assert likely("kling-3.0/motion-control", **base, resolution="720p") == Decimal("20") * 8
    assert amount("kling-3.0/motion-control", **base, resolution="1080p") == Decimal("27") * 8


def test_motion_control_bills_whole_seconds_of_the_reference():
    # "Kling 3.0 Motion kling-3.0/motion-control | 20-27 credits/s" (a started second is billed)
    base = {"image_url": IMG, "video_url": VID, "resolution": "1080p"}
    assert amount("kling-3.0/motion-control", **base, ref_video_seconds=7.2) == Decimal("27") * 8


def test_seedance_2_per_second_range():
    # "Seedance 2.0 seedance-2.0-kie | 11.5-102 credits/s"
    ref = {"video_url": VID, "ref_video_seconds": 6}
    assert amount("seedance-2.0-kie", prompt="p", resolution="480p", duration=4, **ref) == Decimal("102") * (4 + 6)
    assert likely("seedance-2.0-kie", prompt="p", resolution="480p", duration=4, **ref) == Decimal("11.5") * 10
    assert amount("seedance-2.0-kie", prompt="p", resolution="1080p", duration=15) == Decimal("102") * 15
    for resolution, reading in (("480p", "19"), ("720p", "41")):
        assert amount("seedance-2.0-kie", prompt="p", resolution=resolution, duration=5) == Decimal("102") * 5
        assert likely("seedance-2.0-kie", prompt="p", resolution=resolution, duration=5) == Decimal(reading) * 5


def test_seedance_2_fast_per_second_range():
    # "Seedance 2.0 Fast seedance-2.0-fast | 9-33 credits/s"
    ref = {"video_url": VID, "ref_video_seconds": 5}
    assert amount("seedance-2.0-fast", prompt="p", resolution="480p", duration=5, **ref) == Decimal("33") * 10
    assert likely("seedance-2.0-fast", prompt="p", resolution="480p", duration=5, **ref) == Decimal("9") * 10
    assert amount("seedance-2.0-fast", prompt="p", resolution="720p", duration=5) == Decimal("33") * 5
    assert likely("seedance-2.0-fast", prompt="p", resolution="480p", duration=5) == Decimal("15.5") * 5


def test_every_range_priced_offer_charges_its_documented_top_and_names_the_outside_source():
    import re

    ranged = [
        o for o in DATA["offers"] if re.search(r"\| [\d.]+-[\d.]+ credits", o["doc"]) and "estimate" not in o["pricing"]
    ]
    assert len(ranged) == 13
    for offer in ranged:
        top = re.search(r"\| [\d.]+-([\d.]+) credits", offer["doc"]).group(1)
        assert offer["price_outside_docs"]["documented"].split("-")[1].split(" ")[0] == top, offer["id"]
        assert "Kie.ai" in offer["price_outside_docs"]["source"]
        rows = [r for r in _leaf_rows(offer["pricing"])]
        assert rows and all(Decimal(r["amount"]) == Decimal(top) for r in rows), offer["id"]


def _leaf_rows(expr):
    if "table" in expr:
        for row in expr["table"]["rows"]:
            yield from (_leaf_rows(row["price"]) if "price" in row else [row])
    if "rate" in expr:
        yield from _leaf_rows(expr["rate"])


def test_seedance_reference_video_needs_its_length():
    # "Seedance 2.0 seedance-2.0-kie | 11.5-102 credits/s": the reference seconds are billed, so they are required
    with pytest.raises(QuoteError) as refused:
        quote("seedance-2.0-kie", prompt="p", video_url=VID)
    assert refused.value.code == "invalid_params"


def test_seedance_fast_has_no_1080p():
    # "Seedance 2.0 Fast seedance-2.0-fast | 9-33 credits/s": 33 is the top, so no 1080p tier
    with pytest.raises(QuoteError):
        quote("seedance-2.0-fast", prompt="p", resolution="1080p")


def test_topaz_video_upscale_per_second():
    # "Topaz Video Upscale topaz-video-upscale | 8 credits/s (1x/2x), 14 credits/s (4x)"
    base = {"video_url": VID, "video_seconds": 10}
    assert amount("topaz-video-upscale", **base, upscale_factor="1") == Decimal("8") * 10
    assert amount("topaz-video-upscale", **base, upscale_factor="2") == Decimal("8") * 10
    assert amount("topaz-video-upscale", **base, upscale_factor="4") == Decimal("14") * 10


def test_audio_isolation_per_second():
    # "Audio Isolation elevenlabs-audio-isolation | 0.2 credits/s"
    assert amount("elevenlabs-audio-isolation", audio_url=AUD, audio_seconds=30) == Decimal("0.2") * 30


def test_sound_effects_per_second():
    # "Sound Effects V2 elevenlabs-sound-effect-v2 | 0.24 credits/s"
    assert amount("elevenlabs-sound-effect-v2", prompt="rain", duration=10) == Decimal("0.24") * 10


# --- per-minute price ------------------------------------------------------------------------------


def test_speech_to_text_per_minute():
    # "Speech to Text elevenlabs-stt | 3.5 credits/min"
    assert amount("elevenlabs-stt", audio_url=AUD, audio_seconds=120) == Decimal("3.5") * 2
    assert amount("elevenlabs-stt", audio_url=AUD, audio_seconds=30) == Decimal("3.5") / 2


# --- estimates: the top of the range is held -------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "low", "high"),
    [
        ("claude-opus-4-6", "2", "8"),  # "Claude Opus 4.6 claude-opus-4-6 | 2-8 credits est."
        ("claude-sonnet-4-6", "1", "6"),  # "Claude Sonnet 4.6 claude-sonnet-4-6 | 1-6 credits est."
        ("gemini-3.1-pro", "1", "5"),  # "Gemini 3.1 Pro gemini-3.1-pro | 1-5 credits est."
        ("gpt-5.2", "2", "7"),  # "GPT-5.2 gpt-5.2 | 2-7 credits est."
        # "ElevenLabs TTS V2 elevenlabs-tts-v2 | 6-12 credits" (reading: estimate)
        ("elevenlabs-tts-v2", "6", "12"),
    ],
)
def test_estimates_hold_the_top(model, low, high):
    price = quote(model, prompt="hello")
    assert price.estimated
    assert price.amount == Decimal(high)
    assert price.minimum == Decimal(low)


# --- documented request shapes ---------------------------------------------------------------------


def test_veo3_doc_example_is_accepted():
    # API example: "model": "veo3",
    # params {"image_url": ..., "model": "veo3_fast", "resolution": "1080p", "aspect_ratio": "16:9"}
    clean = offer_check(
        OFFERS["veo3"],
        {"prompt": "p", "image_url": IMG, "model": "veo3_fast", "resolution": "1080p", "aspect_ratio": "16:9"},
    )
    assert clean["model"] == "veo3_fast"


def test_unknown_params_are_refused():
    with pytest.raises(QuoteError) as refused:
        quote("nano-banana", prompt="p", quality="high")
    assert refused.value.code == "invalid_params"


def test_no_prompt_limit_is_borrowed_from_another_providers_docs():
    # 000 states no prompt length for any model; Kubeez' "kling-3-0-std, kling-3-0-pro | 2,500" is Kubeez' rule
    for offer in DATA["offers"]:
        prompt = next((f for f in offer["fields"] if f["name"] == "prompt"), None)
        assert prompt is None or "max_length" not in prompt, offer["id"]
    assert amount("kling-3.0", prompt="a" * 3000, duration=5, mode="pro", sound=True) == Decimal("27") * 5


def test_limits_kept_from_the_model_maker_say_where_they_come_from():
    sound = next(f for f in OFFERS["elevenlabs-sound-effect-v2"]["fields"] if f["name"] == "duration")
    assert sound["max"] == 22 and "ElevenLabs' own limit" in sound["help"]
    kling = next(f for f in OFFERS["kling-3.0"]["fields"] if f["name"] == "duration")
    assert "Kubeez (002) and Cliprise (004)" in kling["help"] and "Kubflow's page states none" in kling["help"]
