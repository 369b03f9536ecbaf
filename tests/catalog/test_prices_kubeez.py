"""Kubeez catalog data (catalog/data/kubeez.json) against the Kubeez media-tools doc.

Every expected amount below is copied from a table of
shared/seeds/002_62763f2508daa9e8.txt (the row is quoted next to it); per-second
totals are the documented rate times the seconds in the request, worked out by
hand. Nothing here is computed by the code under test.

No database: run with ``python -m pytest tests/catalog/test_prices_kubeez.py -p no:django -q``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from catalog.datafile import provider_data_problems, provider_file_load
from catalog.pricing import QuoteError, offer_check, offer_price

DATA = provider_file_load("kubeez")
OFFERS = {offer["id"]: offer for offer in DATA["offers"]}
LABELS = {label["label"]: label for label in DATA["family_labels"]}

IMG = "https://example.com/frame.png"
IMG2 = "https://example.com/end.jpg"
VID = "https://example.com/clip.mp4"
AUD = "https://example.com/voice.mp3"


def quote(model: str, **params: Any) -> Decimal:
    offer = OFFERS[model]
    clean = offer_check(offer, params)
    return offer_price(offer, clean, "credits").amount


def refusal(model: str, **params: Any) -> QuoteError:
    with pytest.raises(QuoteError) as info:
        quote(model, **params)
    return info.value


def model_resolve(model: str) -> dict[str, Any]:
    """What the quote service does with a model value: a family label is no offer."""
    if model in LABELS:
        label = LABELS[model]
        raise QuoteError(
            label["code"],
            label["message"],
            family=model,
            available_variants=label["variants"],
        )
    return OFFERS[model]


def test_file_has_no_problems():
    assert provider_data_problems(DATA) == []
    assert DATA["provider"] == "kubeez"
    assert DATA["unit"] == "credits"


# --- GPT Image 2: resolution tiers ---------------------------------------------------


@pytest.mark.parametrize(
    ("resolution", "aspect_ratio", "expected"),
    [
        # "gpt-image-2 (t2i + i2i) | 1K (default), 2K, 4K | 11 / 15 / 21 credits"
        ("1K", "1:1", Decimal("11")),
        ("2K", "16:9", Decimal("15")),
        ("4K", "3:4", Decimal("21")),
        ("2K", "9:16", Decimal("15")),
        ("4K", "4:3", Decimal("21")),
    ],
)
def test_gpt_image_2_resolution_tiers(resolution, aspect_ratio, expected):
    assert (
        quote(
            "gpt-image-2",
            prompt="a cat",
            resolution=resolution,
            aspect_ratio=aspect_ratio,
        )
        == expected
    )


def test_gpt_image_2_defaults_to_1k():
    # "1K (default)" -> 11 credits
    assert quote("gpt-image-2", prompt="a cat") == Decimal("11")


def test_gpt_image_2_1k_accepts_auto_and_square():
    # "1K accepts every supported aspect including auto/1:1."
    assert quote("gpt-image-2", prompt="a cat", resolution="1K", aspect_ratio="auto") == Decimal("11")


@pytest.mark.parametrize(
    ("resolution", "aspect_ratio"),
    [("2K", "1:1"), ("2K", "auto"), ("4K", "1:1"), ("4K", "auto"), ("2K", None)],
)
def test_gpt_image_2_high_res_needs_directional_aspect(resolution, aspect_ratio):
    params = {"prompt": "a cat", "resolution": resolution}
    if aspect_ratio:
        params["aspect_ratio"] = aspect_ratio
    error = refusal("gpt-image-2", **params)
    assert error.code == "aspect_ratio_incompatible_with_high_res"
    assert sorted(error.details["allowed"]) == sorted(["9:16", "16:9", "4:3", "3:4"])


def test_gpt_image_2_image_to_image_needs_an_image():
    assert refusal("gpt-image-2", prompt="edit", generation_type="image-to-image").code == "invalid_params"
    assert quote(
        "gpt-image-2",
        prompt="edit",
        generation_type="image-to-image",
        source_media_urls=[IMG],
    ) == Decimal("11")


# --- Kling 3.0: per second, with / without audio --------------------------------------


@pytest.mark.parametrize(
    ("model", "sound", "duration", "expected"),
    [
        # "kling-3-0-std | Kling 3.0 | 17 | credits / sec" x 10 s
        ("kling-3-0-std", False, 10, Decimal("170")),
        # "kling-3-0-std-audio | Kling 3.0 Std (with audio) | 23 | credits / sec" x 10 s
        ("kling-3-0-std", True, 10, Decimal("230")),
        # "kling-3-0-pro | Kling 3.0 Pro | 21 | credits / sec" x 5 s
        ("kling-3-0-pro", False, 5, Decimal("105")),
        # "kling-3-0-pro-audio | Kling 3.0 Pro (with audio) | 30 | credits / sec" x 15 s
        ("kling-3-0-pro", True, 15, Decimal("450")),
        # 17 credits/s x 3 s (the shortest documented duration)
        ("kling-3-0-std", False, 3, Decimal("51")),
    ],
)
def test_kling_3_0_per_second_rates(model, sound, duration, expected):
    assert quote(model, prompt="a dog runs", duration=duration, sound=sound) == expected


def test_kling_3_0_sound_defaults_off():
    # sound default false -> the silent row, 21 credits/s x 4 s
    assert quote("kling-3-0-pro", prompt="a dog runs", duration=4) == Decimal("84")


@pytest.mark.parametrize("duration", [2, 16, "abc"])
def test_kling_3_0_duration_is_3_to_15(duration):
    assert refusal("kling-3-0-std", prompt="x", duration=duration).code == "invalid_params"


def test_kling_3_0_duration_is_required():
    error = refusal("kling-3-0-std", prompt="x")
    assert error.code == "invalid_params"
    assert "duration" in error.message


def test_kling_3_0_image_to_video_takes_one_or_two_frames():
    base = {"prompt": "x", "duration": 5, "generation_type": "image-to-video"}
    assert refusal("kling-3-0-std", **base).code == "invalid_params"
    assert quote("kling-3-0-std", **base, source_media_urls=[IMG]) == Decimal("85")  # 17 x 5
    assert quote("kling-3-0-std", **base, source_media_urls=[IMG, IMG2]) == Decimal("85")
    assert refusal("kling-3-0-std", **base, source_media_urls=[IMG, IMG2, IMG]).code == "too_many_files"


def test_kling_3_0_prompt_limit_2500():
    # "kling-3-0-std, kling-3-0-pro | 2,500"
    assert quote("kling-3-0-std", prompt="x" * 2500, duration=3) == Decimal("51")
    assert refusal("kling-3-0-std", prompt="x" * 2501, duration=3).code == "prompt_too_long"


# --- Seedance 2 / 2 Fast: per second, and the reference-video formula ------------------


@pytest.mark.parametrize(
    ("model", "duration", "expected"),
    [
        # "seedance-2-480p | Seedance 2 (480p) | 18 | credits / sec" x 5 s
        ("seedance-2-480p", 5, Decimal("90")),
        # "seedance-2-720p | Seedance 2 (720p) | 35 | credits / sec" x 10 s
        ("seedance-2-720p", 10, Decimal("350")),
        # "seedance-2-1080p | Seedance 2 (1080p) | 75 | credits / sec" x 4 s
        ("seedance-2-1080p", 4, Decimal("300")),
        # "seedance-2-fast-480p | Seedance 2.0 Fast | 16 | credits / sec" x 15 s
        ("seedance-2-fast-480p", 15, Decimal("240")),
        # "seedance-2-fast-720p | Seedance 2.0 Fast | 29 | credits / sec" x 8 s
        ("seedance-2-fast-720p", 8, Decimal("232")),
    ],
)
def test_seedance_2_without_reference_video(model, duration, expected):
    # "credits = output_seconds x base_credits_per_second"
    assert quote(model, prompt="a wave", duration=duration) == expected


@pytest.mark.parametrize(
    ("model", "ref_seconds", "duration", "expected"),
    [
        # "seedance-2-720p-video-ref | Seedance 2 (720p, video ref) | 25 | credits / sec": (6 + 10) x 25
        ("seedance-2-720p-video-ref", 6, 10, Decimal("400")),
        # "seedance-2-480p-video-ref | Seedance 2 (480p, video ref) | 13 | credits / sec": (15 + 4) x 13
        ("seedance-2-480p-video-ref", 15, 4, Decimal("247")),
        # "seedance-2-1080p-video-ref | Seedance 2 (1080p, video ref) | 48 | credits / sec": (2.5 + 5) x 48
        ("seedance-2-1080p-video-ref", "2.5", 5, Decimal("360")),
        # "seedance-2-fast-480p-video-ref | Seedance 2.0 Fast (video ref) | 12 | credits / sec": (10 + 5) x 12
        ("seedance-2-fast-480p-video-ref", 10, 5, Decimal("180")),
        # "seedance-2-fast-720p-video-ref | Seedance 2.0 Fast (video ref) | 19 | credits / sec": (3 + 12) x 19
        ("seedance-2-fast-720p-video-ref", 3, 12, Decimal("285")),
    ],
)
def test_seedance_2_with_reference_video(model, ref_seconds, duration, expected):
    # "credits = (ref_video_seconds + output_seconds) x base_credits_per_second"
    price = quote(
        model,
        prompt="a wave",
        duration=duration,
        ref_video_seconds=ref_seconds,
        source_media_urls=[VID],
    )
    assert price == expected


def test_seedance_2_reference_defaults_to_the_15s_rest_worst_case():
    # "reference-video requests from the MCP and REST API are billed the pessimistic worst case
    # of 15s of reference video": (15 + 5) x 19 = 380
    assert quote(
        "seedance-2-fast-720p-video-ref",
        prompt="x",
        duration=5,
        source_media_urls=[VID],
    ) == Decimal("380")


def test_seedance_2_reference_seconds_capped_at_15_in_the_price():
    # "ref_video_seconds is the sum of all reference video durations (capped at 15s per request)":
    # even unchecked, 40 s of reference bills as 15: (15 + 5) x 25 = 500
    offer = OFFERS["seedance-2-720p-video-ref"]
    clean = offer_check(offer, {"prompt": "x", "duration": 5, "source_media_urls": [VID]})
    clean["ref_video_seconds"] = Decimal("40")
    assert offer_price(offer, clean, "credits").amount == Decimal("500")


def test_seedance_2_reference_over_15s_is_refused():
    # "Combined reference video duration > 15s -> rejected"
    error = refusal(
        "seedance-2-720p-video-ref",
        prompt="x",
        duration=5,
        ref_video_seconds=16,
        source_media_urls=[VID],
    )
    assert error.code == "invalid_params"


def test_seedance_2_ref_video_seconds_is_a_derived_number_field():
    spec = {f["name"]: f for f in OFFERS["seedance-2-480p-video-ref"]["fields"]}["ref_video_seconds"]
    assert spec["type"] == "number"
    assert spec["derived"] is True
    assert "ref_video_seconds" not in {f["name"] for f in OFFERS["seedance-2-480p"]["fields"]}


def test_seedance_2_audio_is_free():
    # "Audio is a free toggle via generate_audio (defaults to true)": 18 x 5 either way
    assert quote("seedance-2-480p", prompt="x", duration=5, generate_audio=False) == Decimal("90")
    assert quote("seedance-2-480p", prompt="x", duration=5, generate_audio=True) == Decimal("90")
    spec = {f["name"]: f for f in OFFERS["seedance-2-480p"]["fields"]}["generate_audio"]
    assert spec["default"] is True


@pytest.mark.parametrize("duration", [3, 16])
def test_seedance_2_duration_is_4_to_15(duration):
    assert refusal("seedance-2-fast-480p", prompt="x", duration=duration).code == "invalid_params"


def test_seedance_2_prompt_limit_2500():
    assert refusal("seedance-2-fast-480p", prompt="x" * 2501, duration=4).code == "prompt_too_long"


def test_seedance_2_aspect_ratios():
    # "Supported aspect ratios: 1:1, 4:3, 3:4, 16:9, 9:16, 21:9, adaptive"
    assert quote("seedance-2-480p", prompt="x", duration=4, aspect_ratio="adaptive") == Decimal("72")
    assert refusal("seedance-2-480p", prompt="x", duration=4, aspect_ratio="4:5").code == "invalid_params"


def test_seedance_2_image_to_video_refuses_reference_videos():
    error = refusal(
        "seedance-2-480p",
        prompt="x",
        duration=4,
        generation_type="image-to-video",
        source_media_urls=[IMG, VID],
    )
    assert error.code == "invalid_params"
    assert "video" in error.message


def test_seedance_2_image_to_video_first_and_optional_last_frame():
    base = {"prompt": "x", "duration": 4, "generation_type": "image-to-video"}
    assert refusal("seedance-2-480p", **base).code == "invalid_params"
    assert refusal("seedance-2-480p", **base, source_media_urls=[AUD]).code == "invalid_params"
    # 18 x 4 = 72, with up to 3 audio clips allowed in this mode
    assert quote("seedance-2-480p", **base, source_media_urls=[IMG, IMG2, AUD, AUD, AUD]) == Decimal("72")
    assert refusal("seedance-2-480p", **base, source_media_urls=[IMG, IMG2, IMG]).code == "invalid_params"


def test_seedance_2_hard_limits_use_the_docs_codes():
    # "More than 9 images -> too_many_images"
    assert refusal("seedance-2-480p", prompt="x", duration=4, source_media_urls=[IMG] * 10).code == "too_many_images"
    # "More than 3 videos -> too_many_videos"
    error = refusal("seedance-2-480p-video-ref", prompt="x", duration=4, source_media_urls=[VID] * 4)
    assert error.code == "too_many_videos"
    # "More than 3 audios -> too_many_audios"
    assert refusal("seedance-2-480p", prompt="x", duration=4, source_media_urls=[AUD] * 4).code == "too_many_audios"


def test_seedance_2_text_to_video_takes_9_images_3_videos_3_audios():
    urls = [IMG] * 9 + [VID] * 3 + [AUD] * 3
    # (15 + 4) x 13 = 247
    assert quote("seedance-2-480p-video-ref", prompt="x", duration=4, source_media_urls=urls) == Decimal("247")


def test_seedance_2_video_goes_to_the_video_ref_variant():
    error = refusal("seedance-2-720p", prompt="x", duration=4, source_media_urls=[VID])
    assert error.code == "invalid_params"
    assert error.details["use_variant"] == "seedance-2-720p-video-ref"
    error = refusal("seedance-2-720p-video-ref", prompt="x", duration=4)
    assert error.code == "invalid_params"
    assert error.details["use_variant"] == "seedance-2-720p"


# --- Gemini Omni Video: 15 flat variants ------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # "gemini-omni-video-hd-4s | Gemini Omni Video | 110 | credits" (720p and 1080p share each row)
        ("gemini-omni-video-720p-4s", Decimal("110")),
        ("gemini-omni-video-1080p-4s", Decimal("110")),
        # "gemini-omni-video-hd-6s | Gemini Omni Video | 140 | credits"
        ("gemini-omni-video-720p-6s", Decimal("140")),
        ("gemini-omni-video-1080p-6s", Decimal("140")),
        # "gemini-omni-video-hd-8s | Gemini Omni Video | 170 | credits"
        ("gemini-omni-video-720p-8s", Decimal("170")),
        ("gemini-omni-video-1080p-8s", Decimal("170")),
        # "gemini-omni-video-hd-10s | Gemini Omni Video | 200 | credits"
        ("gemini-omni-video-720p-10s", Decimal("200")),
        ("gemini-omni-video-1080p-10s", Decimal("200")),
        # "gemini-omni-video-4k-4s | Gemini Omni Video (4K) | 230 | credits"
        ("gemini-omni-video-4k-4s", Decimal("230")),
        # "gemini-omni-video-4k-6s | Gemini Omni Video (4K) | 260 | credits"
        ("gemini-omni-video-4k-6s", Decimal("260")),
        # "gemini-omni-video-4k-8s | Gemini Omni Video (4K) | 290 | credits"
        ("gemini-omni-video-4k-8s", Decimal("290")),
        # "gemini-omni-video-4k-10s | Gemini Omni Video (4K) | 320 | credits"
        ("gemini-omni-video-4k-10s", Decimal("320")),
    ],
)
def test_gemini_omni_duration_variants(model, expected):
    assert quote(model, prompt="a barista", aspect_ratio="9:16", source_media_urls=[IMG]) == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # "gemini-omni-video-hd-video-ref | Gemini Omni Video (video ref) | 260 | credits"
        ("gemini-omni-video-720p-video-ref", Decimal("260")),
        ("gemini-omni-video-1080p-video-ref", Decimal("260")),
        # "gemini-omni-video-4k-video-ref | Gemini Omni Video (video ref, 4K) | 380 | credits"
        ("gemini-omni-video-4k-video-ref", Decimal("380")),
    ],
)
def test_gemini_omni_video_ref_variants_are_flat(model, expected):
    assert quote(model, prompt="restyle", aspect_ratio="16:9", source_media_urls=[VID]) == expected
    # flat: the trim window does not change the price
    assert (
        quote(
            model,
            prompt="restyle",
            source_media_urls=[VID, IMG],
            video_trim_start_s=5,
            video_trim_end_s=15,
        )
        == expected
    )


def test_gemini_omni_doc_example_request():
    # the doc's example: 1080p, 6s, vertical, a saved character and a voice -> 140 credits
    price = quote(
        "gemini-omni-video-1080p-6s",
        prompt="A barista pulls a perfect espresso shot, narrates the process",
        aspect_ratio="9:16",
        voice_id="kore",
        character_ids=["char_4f2a9b7c"],
        source_media_urls=["https://media.kubeez.com/cafe-shot.jpg"],
    )
    assert price == Decimal("140")


@pytest.mark.parametrize("aspect_ratio", ["1:1", "4:3", "21:9", "auto"])
def test_gemini_omni_only_16_9_or_9_16(aspect_ratio):
    error = refusal(
        "gemini-omni-video-720p-4s",
        prompt="x",
        aspect_ratio=aspect_ratio,
        source_media_urls=[IMG],
    )
    assert error.code == "aspect_ratio_invalid_for_model"


def test_gemini_omni_video_on_a_duration_variant_is_a_variant_mismatch():
    error = refusal("gemini-omni-video-1080p-8s", prompt="x", source_media_urls=[VID])
    assert error.code == "variant_mismatch"
    assert error.details["use_variant"] == "gemini-omni-video-1080p-video-ref"


def test_gemini_omni_at_most_one_video():
    error = refusal("gemini-omni-video-720p-video-ref", prompt="x", source_media_urls=[VID, VID])
    assert error.code == "invalid_params"
    assert "1" in error.message


def test_gemini_omni_refuses_audio_urls():
    # "Audio file URLs are not accepted (returns unsupported_audio_url)"
    error = refusal("gemini-omni-video-720p-4s", prompt="x", source_media_urls=[IMG, AUD])
    assert error.code == "unsupported_audio_url"


def test_gemini_omni_seven_reference_slots():
    # field limit: 7 slots, so never more than 7 URLs
    assert refusal("gemini-omni-video-720p-4s", prompt="x", source_media_urls=[IMG] * 8).code == "too_many_files"
    # 7 images fill the 7 slots: 110 credits
    assert quote("gemini-omni-video-720p-4s", prompt="x", source_media_urls=[IMG] * 7) == Decimal("110")
    # "each character_id consumes 1 slot": 6 images + 2 characters = 8 slots
    error = refusal(
        "gemini-omni-video-720p-4s",
        prompt="x",
        source_media_urls=[IMG] * 6,
        character_ids=["a", "b"],
    )
    assert error.code == "too_many_files"
    # "1 source clip (consumes 2 slots) + up to 5 image references"
    assert quote(
        "gemini-omni-video-4k-video-ref",
        prompt="x",
        source_media_urls=[VID] + [IMG] * 5,
    ) == Decimal("380")
    error = refusal(
        "gemini-omni-video-4k-video-ref",
        prompt="x",
        source_media_urls=[VID] + [IMG] * 6,
    )
    assert error.code == "too_many_files"
    error = refusal(
        "gemini-omni-video-4k-video-ref",
        prompt="x",
        source_media_urls=[VID] + [IMG] * 4,
        character_ids=["a", "b"],
    )
    assert error.code == "too_many_files"


def test_gemini_omni_reference_requirements():
    # "Duration variants accept 1–7 image references"
    assert refusal("gemini-omni-video-720p-4s", prompt="x").code == "invalid_params"
    # a video-ref variant takes its duration from the source clip
    assert refusal("gemini-omni-video-720p-video-ref", prompt="x", source_media_urls=[IMG]).code == "invalid_params"


@pytest.mark.parametrize("key", ["sound", "negative_prompt", "duration", "resolution"])
def test_gemini_omni_has_no_sound_negative_prompt_duration_or_resolution(key):
    assert key not in {f["name"] for f in OFFERS["gemini-omni-video-720p-4s"]["fields"]}


# --- family labels (variant_required) ---------------------------------------------------


def test_family_labels_are_not_offers_and_their_variants_are():
    for label in DATA["family_labels"]:
        assert label["label"] not in OFFERS
        assert label["code"] == "variant_required"
        assert label["variants"], label["label"]
        for variant in label["variants"]:
            assert variant in OFFERS, variant


def test_seedance_2_fast_label_matches_the_docs_example():
    # the doc's variant_required example for "seedance-2-fast"
    with pytest.raises(QuoteError) as info:
        model_resolve("seedance-2-fast")
    assert info.value.code == "variant_required"
    assert info.value.details["available_variants"] == [
        "seedance-2-fast-480p",
        "seedance-2-fast-720p",
        "seedance-2-fast-480p-video-ref",
        "seedance-2-fast-720p-video-ref",
    ]


def test_seedance_2_label_lists_every_standard_variant():
    with pytest.raises(QuoteError) as info:
        model_resolve("seedance-2")
    assert info.value.code == "variant_required"
    assert sorted(info.value.details["available_variants"]) == sorted(
        [
            "seedance-2-480p",
            "seedance-2-720p",
            "seedance-2-1080p",
            "seedance-2-480p-video-ref",
            "seedance-2-720p-video-ref",
            "seedance-2-1080p-video-ref",
        ]
    )


def test_gemini_omni_label_lists_the_15_variants():
    with pytest.raises(QuoteError) as info:
        model_resolve("gemini-omni-video")
    assert info.value.code == "variant_required"
    assert sorted(info.value.details["available_variants"]) == sorted(
        [
            "gemini-omni-video-720p-4s",
            "gemini-omni-video-720p-6s",
            "gemini-omni-video-720p-8s",
            "gemini-omni-video-720p-10s",
            "gemini-omni-video-720p-video-ref",
            "gemini-omni-video-1080p-4s",
            "gemini-omni-video-1080p-6s",
            "gemini-omni-video-1080p-8s",
            "gemini-omni-video-1080p-10s",
            "gemini-omni-video-1080p-video-ref",
            "gemini-omni-video-4k-4s",
            "gemini-omni-video-4k-6s",
            "gemini-omni-video-4k-8s",
            "gemini-omni-video-4k-10s",
            "gemini-omni-video-4k-video-ref",
        ]
    )


def test_every_family_the_doc_says_needs_a_variant_has_a_label():
    # "seedance-2, seedance-2-fast, gemini-omni-video, p-video, kling-3-0-motion-control,
    # kling-2-6-motion-control. Passing just the family label as model returns variant_required"
    assert set(LABELS) == {
        "seedance-2",
        "seedance-2-fast",
        "gemini-omni-video",
        "p-video",
        "kling-3-0-motion-control",
        "kling-2-6-motion-control",
    }
    assert sorted(LABELS["kling-3-0-motion-control"]["variants"]) == [
        "kling-3-0-motion-control-1080p",
        "kling-3-0-motion-control-720p",
    ]
    assert sorted(LABELS["kling-2-6-motion-control"]["variants"]) == [
        "kling-2-6-motion-control-1080p",
        "kling-2-6-motion-control-720p",
    ]


def test_a_concrete_variant_resolves_to_its_offer():
    assert model_resolve("seedance-2-fast-480p")["id"] == "seedance-2-fast-480p"


# --- motion control and the other models whose price the doc does not give -------------


@pytest.mark.parametrize(
    "model",
    [
        "kling-2-6-motion-control-720p",
        "kling-2-6-motion-control-1080p",
        "kling-3-0-motion-control-720p",
        "kling-3-0-motion-control-1080p",
    ],
)
def test_motion_control_inputs(model):
    offer = OFFERS[model]
    # "1 image + 1 video"
    clean = offer_check(offer, {"prompt": "dance", "source_media_urls": [IMG, VID]})
    assert clean["generation_type"] == "image-to-video"
    assert refusal(model, prompt="dance", source_media_urls=[IMG, IMG2]).code == "invalid_params"
    assert refusal(model, prompt="dance", source_media_urls=[IMG]).code == "invalid_params"
    assert refusal(model, prompt="dance", source_media_urls=[IMG, VID, VID]).code == "too_many_files"
    # "video file typically up to 100 MB"
    media = {f["name"]: f for f in offer["fields"]}["source_media_urls"]
    assert media["max_bytes"] == 100 * 1024 * 1024


def test_motion_control_rates_are_not_in_the_doc():
    # The doc announces "the Motion Control pricing table below" but prints no rates, so the
    # offer refuses to price rather than guess.
    offer = OFFERS["kling-3-0-motion-control-1080p"]
    clean = offer_check(offer, {"prompt": "dance", "source_media_urls": [IMG, VID]})
    with pytest.raises(QuoteError) as info:
        offer_price(offer, clean, "credits")
    assert "no documented price" in info.value.message


def test_only_documented_prices_are_quotable():
    priced = sorted(o["id"] for o in DATA["offers"] if not o.get("unpriced"))
    # gpt-image-2 + 2 Kling 3.0 + 10 Seedance 2 + 15 Gemini Omni
    assert len(priced) == 28
    for offer in DATA["offers"]:
        if offer.get("unpriced"):
            assert offer["pricing"]["table"]["rows"] == [], offer["id"]


def test_seedance_1_5_pro_modes():
    base = {"prompt": "x", "duration": "8s"}
    # text-to-video: 0–1 images
    offer_check(OFFERS["seedance-1-5-pro"], base)
    offer_check(OFFERS["seedance-1-5-pro"], {**base, "source_media_urls": [IMG]})
    error = refusal("seedance-1-5-pro", **base, source_media_urls=[IMG, IMG2])
    assert error.code == "invalid_params"
    # image-to-video: exactly 2 images
    i2v = {**base, "generation_type": "image-to-video"}
    assert refusal("seedance-1-5-pro", **i2v, source_media_urls=[IMG]).code == "invalid_params"
    assert refusal("seedance-1-5-pro", **i2v).code == "invalid_params"
    offer_check(OFFERS["seedance-1-5-pro"], {**i2v, "source_media_urls": [IMG, IMG2]})
    # "seedance-1-5-pro | 4s, 8s, 12s"
    assert refusal("seedance-1-5-pro", prompt="x", duration="5s").code == "invalid_params"


@pytest.mark.parametrize(
    ("model", "choices"),
    [
        ("kling-2-6-text-to-video", ["5s", "10s"]),
        ("kling-2-6-image-to-video", ["5s", "10s"]),
        ("wan-2-5", ["5s", "10s"]),
        ("v1-pro-fast-i2v", ["5s", "10s"]),
        ("seedance-1-5-pro", ["4s", "8s", "12s"]),
    ],
)
def test_enum_durations(model, choices):
    spec = {f["name"]: f for f in OFFERS[model]["fields"]}["duration"]
    assert spec["type"] == "enum"
    assert spec["choices"] == choices


@pytest.mark.parametrize(
    ("model", "low", "high"),
    [
        ("wan-2-7-720p", 2, 15),
        ("wan-2-7-1080p", 2, 15),
        ("grok-imagine-video-1-5-preview-480p", 2, 15),
        ("grok-imagine-video-1-5-preview-720p", 2, 15),
        ("seedance-2-480p", 4, 15),
        ("kling-3-0-std", 3, 15),
        ("kling-3-0-pro", 3, 15),
    ],
)
def test_integer_durations(model, low, high):
    spec = {f["name"]: f for f in OFFERS[model]["fields"]}["duration"]
    assert (spec["type"], spec["min"], spec["max"]) == ("integer", low, high)


@pytest.mark.parametrize(
    ("model", "max_length"),
    [
        # the "Prompt character limits" table
        ("wan-2-5", 800),
        ("wan-2-7-720p", 5000),
        ("wan-2-7-1080p", 5000),
        ("kling-2-6-text-to-video", 2500),
        ("kling-2-6-image-to-video", 2500),
        ("seedance-2-480p", 2500),
        ("seedance-2-fast-720p-video-ref", 2500),
        ("kling-3-0-std", 2500),
        ("kling-3-0-pro", 2500),
        ("kling-2-5-image-to-video-pro", 2500),
        ("seedream-v4", 2500),
        ("seedream-v4-edit", 2500),
        ("seedream-v4-5", 3000),
        ("seedream-v4-5-edit", 3000),
        ("5-lite-text-to-image", 2995),
        ("5-lite-image-to-image", 2995),
        ("gpt-1.5-image-medium", 3000),
        ("gpt-1.5-image-high", 3000),
        ("nano-banana", 5000),
        ("imagen-4", 5000),
        ("flux-2", 5000),
        ("veo3-1", 5000),
        ("v1-pro-fast-i2v", 5000),
        ("grok-image-to-video", 5000),
        ("grok-text-to-video-6s", 5000),
        ("p-image-edit", 5000),
        ("nano-banana-pro", 20000),
        ("nano-banana-2", 20000),
    ],
)
def test_prompt_character_limits(model, max_length):
    spec = {f["name"]: f for f in OFFERS[model]["fields"]}["prompt"]
    assert spec["max_length"] == max_length


@pytest.mark.parametrize(
    ("model", "min_count", "max_count"),
    [
        # the "Input file (image and video) limits" table
        ("kling-2-6-image-to-video", 1, 1),
        ("grok-image-to-video", 1, 1),
        ("v1-pro-fast-i2v", 1, 1),
        ("grok-imagine-video-1-5-preview-720p", 1, 1),
        ("kling-2-5-image-to-video-pro", 2, 2),
        ("seedream-v4-edit", 1, 10),
        ("5-lite-image-to-image", 1, 10),
        ("nano-banana-edit", 1, 10),
        ("flux-2-edit", 1, 8),
        ("p-image-edit", 1, 8),
        ("kling-2-6-motion-control-720p", 2, 2),
    ],
)
def test_input_file_limits(model, min_count, max_count):
    spec = {f["name"]: f for f in OFFERS[model]["fields"]}["source_media_urls"]
    assert (spec["min_count"], spec["max_count"]) == (min_count, max_count)


@pytest.mark.parametrize(
    ("model", "max_count"),
    [
        ("nano-banana", 10),
        ("nano-banana-pro", 8),
        ("nano-banana-2", 8),
        ("gpt-1.5-image-high", 16),
    ],
)
def test_image_to_image_limits(model, max_count):
    offer = OFFERS[model]
    clean = offer_check(
        offer,
        {
            "prompt": "x",
            "generation_type": "image-to-image",
            "source_media_urls": [IMG] * max_count,
        },
    )
    assert len(clean["source_media_urls"]) == max_count
    error = refusal(
        model,
        prompt="x",
        generation_type="image-to-image",
        source_media_urls=[IMG] * (max_count + 1),
    )
    assert error.code == "too_many_files"


def test_wan_2_7_extras():
    offer = OFFERS["wan-2-7-720p"]
    specs = {f["name"]: f for f in offer["fields"]}
    assert specs["negative_prompt"]["max_length"] == 500
    clean = offer_check(
        offer,
        {
            "prompt": "x",
            "duration": 7,
            "generation_type": "image-to-video",
            "source_media_urls": [IMG],
            "last_frame_url": IMG2,
        },
    )
    assert clean["last_frame_url"] == [IMG2]
    assert refusal("wan-2-7-720p", prompt="x", duration=7, last_frame_url=IMG2).code == "invalid_params"


def test_p_image_edit_defaults():
    clean = offer_check(OFFERS["p-image-edit"], {"prompt": "x", "source_media_urls": [IMG]})
    assert clean["turbo"] is True
    assert clean["disable_safety_checker"] is True
    assert clean["aspect_ratio"] == "auto"
    assert clean["generation_type"] == "image-to-image"


def test_negative_prompt_only_where_documented():
    documented = {
        "imagen-4",
        "imagen-4-fast",
        "imagen-4-ultra",
        "wan-2-5",
        "wan-2-7-720p",
        "wan-2-7-1080p",
        "kling-2-5-image-to-video-pro",
    }
    having = {o["id"] for o in DATA["offers"] if any(f["name"] == "negative_prompt" for f in o["fields"])}
    assert having == documented


def test_unknown_parameters_are_refused():
    assert refusal("gpt-image-2", prompt="x", quality="pro").code == "invalid_params"


# --- cross-provider family keys ------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("nano-banana", "nano-banana"),
        ("nano-banana-edit", "nano-banana"),
        ("nano-banana-2", "nano-banana-2"),
        ("nano-banana-pro", "nano-banana-pro"),
        ("gpt-image-2", "gpt-image-2"),
        ("gpt-1.5-image-medium", "gpt-image-1-5"),
        ("kling-3-0-std", "kling-3-0"),
        ("kling-3-0-pro", "kling-3-0"),
        ("kling-2-6-image-to-video", "kling-2-6"),
        ("kling-2-6-motion-control-720p", "kling-2-6-motion-control"),
        ("kling-3-0-motion-control-1080p", "kling-3-0-motion-control"),
        ("seedance-2-1080p-video-ref", "seedance-2"),
        ("seedance-2-fast-480p", "seedance-2-fast"),
        ("seedance-1-5-pro", "seedance-1-5-pro"),
        ("veo3-1", "veo-3-1"),
        ("seedream-v4-edit", "seedream-4"),
        ("seedream-v4-5", "seedream-4-5"),
        ("5-lite-text-to-image", "seedream-5-lite"),
        ("flux-2-edit", "flux-2"),
        ("imagen-4", "imagen-4"),
        ("wan-2-5", "wan-2-5"),
        ("wan-2-7-1080p", "wan-2-7"),
        ("grok-image-to-video", "grok-imagine-video"),
        ("grok-text-to-video-6s", "grok-imagine-video"),
        ("gemini-omni-video-4k-video-ref", "gemini-omni-video"),
    ],
)
def test_family_keys(model, family):
    assert OFFERS[model]["family"] == family
