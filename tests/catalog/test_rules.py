"""Every cross-field rule the docs state, refused with the docs' own error code where they name one.

Checked through ``manage.py quote`` (the contract) and, for the ones a user
meets in the composer, through the live quote.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]

IMG = "https://example.com/frame.png"
IMG2 = "https://example.com/end.jpg"
VID = "https://example.com/clip.mp4"
AUD = "https://example.com/voice.mp3"


def quote(provider: str, model: str, **params) -> tuple[int, dict]:
    pairs = [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in params.items()]
    out = io.StringIO()
    try:
        call_command("quote", provider, model, *pairs, stdout=out)
    except SystemExit as exc:
        return int(exc.code), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def refusal(provider: str, model: str, **params) -> dict:
    code, body = quote(provider, model, **params)
    assert code == 2, body
    return body


def accepted(provider: str, model: str, **params) -> dict:
    code, body = quote(provider, model, **params)
    assert code == 0, body
    return body


# --- GPT Image 2: 2K/4K need a directional aspect ratio ------------------------------------


@pytest.mark.parametrize("resolution", ["2K", "4K"])
@pytest.mark.parametrize("aspect", ["1:1", "auto"])
def test_gpt_image_2_high_res_refuses_square_and_auto(resolution, aspect):
    # "Passing auto or 1:1 at 2K/4K returns HTTP 400 with error: "aspect_ratio_incompatible_with_high_res""
    body = refusal("kubeez", "gpt-image-2", prompt="p", resolution=resolution, aspect_ratio=aspect)
    assert body["error"] == "aspect_ratio_incompatible_with_high_res"
    assert body["allowed"] == ["9:16", "16:9", "4:3", "3:4"]


@pytest.mark.parametrize("aspect", ["1:1", "auto", "16:9"])
def test_gpt_image_2_1k_accepts_every_aspect(aspect):
    # "1K accepts every supported aspect including auto/1:1."
    assert accepted("kubeez", "gpt-image-2", prompt="p", resolution="1K", aspect_ratio=aspect)["provider_cost"] == "11"


# --- Gemini Omni ------------------------------------------------------------------------------


def test_gemini_omni_accepts_only_16_9_or_9_16():
    # "Strictly 16:9 or 9:16. Any other value returns aspect_ratio_invalid_for_model."
    body = refusal("kubeez", "gemini-omni-video-720p-6s", prompt="p", aspect_ratio="1:1", source_media_urls=[IMG])
    assert body["error"] == "aspect_ratio_invalid_for_model"
    assert body["allowed"] == ["16:9", "9:16"]
    assert accepted("kubeez", "gemini-omni-video-720p-6s", prompt="p", aspect_ratio="9:16", source_media_urls=[IMG])


def test_gemini_omni_family_label_needs_one_of_its_15_variants():
    # "Pass a bare gemini-omni-video family label and the API returns a variant_required error with the 15 choices."
    body = refusal("kubeez", "gemini-omni-video", prompt="p")
    assert body["error"] == "variant_required"
    assert body["family"] == "gemini-omni-video"
    assert len(body["available_variants"]) == 15
    assert "gemini-omni-video-4k-video-ref" in body["available_variants"]


def test_gemini_omni_video_on_a_duration_variant_is_variant_mismatch():
    # "a duration variant + video returns variant_mismatch"
    body = refusal("kubeez", "gemini-omni-video-1080p-6s", prompt="p", source_media_urls=[VID])
    assert body["error"] == "variant_mismatch"
    assert body["use_variant"] == "gemini-omni-video-1080p-video-ref"


def test_gemini_omni_refuses_audio_urls():
    # "Audio file URLs are not accepted (returns unsupported_audio_url)"
    body = refusal("kubeez", "gemini-omni-video-720p-video-ref", prompt="p", source_media_urls=[VID, AUD])
    assert body["error"] == "unsupported_audio_url"


def test_gemini_omni_seven_reference_slots():
    # "A single reference video consumes 2 slots; images fill the rest": 1 video + 6 images is 8 slots.
    urls = [VID] + [f"https://example.com/{i}.png" for i in range(6)]
    body = refusal("kubeez", "gemini-omni-video-720p-video-ref", prompt="p", source_media_urls=urls)
    assert body["error"] == "too_many_files"
    urls = [VID] + [f"https://example.com/{i}.png" for i in range(5)]
    assert accepted("kubeez", "gemini-omni-video-720p-video-ref", prompt="p", source_media_urls=urls)


# --- family labels: variant_required ---------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "label", "variants"),
    [
        (
            "kubeez",
            "seedance-2-fast",
            [  # the doc's own example
                "seedance-2-fast-480p",
                "seedance-2-fast-720p",
                "seedance-2-fast-480p-video-ref",
                "seedance-2-fast-720p-video-ref",
            ],
        ),
        ("kubeez", "kling-3-0-motion-control", ["kling-3-0-motion-control-720p", "kling-3-0-motion-control-1080p"]),
        ("cliprise", "kling-2-1", ["kling-2-1-standard", "kling-2-1-pro", "kling-2-1-master"]),
        ("cliprise", "wan-animate", ["wan-animate-replace", "wan-animate-movie"]),
    ],
)
def test_a_family_label_is_variant_required_with_the_available_variants(provider, label, variants):
    body = refusal(provider, label, prompt="p")
    assert body["error"] == "variant_required"
    assert body["available_variants"] == variants


# --- Seedance ---------------------------------------------------------------------------------


def test_seedance_1_5_pro_image_to_video_needs_exactly_two_images():
    # "Image-to-video (generation_type: "image-to-video"): exactly 2 images required (start + end frame)."
    body = refusal("kubeez", "seedance-1-5-pro", prompt="p", generation_type="image-to-video", duration="4s",
                   source_media_urls=[IMG])  # fmt: skip
    assert body["error"] == "invalid_params"
    assert "exactly 2 images" in body["message"]
    three = [IMG, IMG2, "https://example.com/3.png"]
    body = refusal("kubeez", "seedance-1-5-pro", prompt="p", generation_type="image-to-video", duration="4s",
                   source_media_urls=three)  # fmt: skip
    assert body["error"] == "too_many_files"
    # Two images pass every rule; Kubeez then has no documented price for Seedance 1.5 Pro ("see get_models").
    body = refusal("kubeez", "seedance-1-5-pro", prompt="p", generation_type="image-to-video", duration="4s",
                   source_media_urls=[IMG, IMG2])  # fmt: skip
    assert body["error"] == "price_unavailable"


def test_seedance_1_5_pro_text_to_video_takes_at_most_one_image():
    # "Text-to-video ... 0–1 images optional."
    body = refusal("kubeez", "seedance-1-5-pro", prompt="p", generation_type="text-to-video", duration="4s",
                   source_media_urls=[IMG, IMG2])  # fmt: skip
    assert body["error"] == "invalid_params"


def test_seedance_2_reference_limits_use_the_docs_codes():
    # "More than 9 images → too_many_images"; "More than 3 videos → too_many_videos"
    images = [f"https://example.com/{i}.png" for i in range(10)]
    assert refusal("kubeez", "seedance-2-480p", prompt="p", duration=5, source_media_urls=images)["error"] == (
        "too_many_images"
    )
    videos = [f"https://example.com/{i}.mp4" for i in range(4)]
    assert refusal("kubeez", "seedance-2-480p-video-ref", prompt="p", duration=5, source_media_urls=videos)[
        "error"
    ] == ("too_many_videos")


def test_seedance_2_image_to_video_takes_no_reference_video():
    # "Image-to-video ... Reference videos (rejected with a clear error)"
    body = refusal("kubeez", "seedance-2-480p-video-ref", prompt="p", duration=5, generation_type="image-to-video",
                   source_media_urls=[IMG, VID])  # fmt: skip
    assert body["error"] == "invalid_params"


# --- prompt length and file counts -------------------------------------------------------------


def test_a_prompt_over_the_models_limit_is_prompt_too_long():
    # "kling-3-0-std, kling-3-0-pro | 2,500"
    body = refusal("kubeez", "kling-3-0-pro", prompt="a" * 2501, duration=5)
    assert body["error"] == "prompt_too_long"
    assert body["max_length"] == 2500
    assert accepted("kubeez", "kling-3-0-pro", prompt="a" * 2500, duration=5)["provider_cost"] == "105"  # 21/s × 5 s


def test_too_many_input_files_is_too_many_files():
    # Cliprise nano-banana-2: image_input up to 8 images
    nine = [f"https://example.com/{i}.png" for i in range(9)]
    body = refusal("cliprise", "nano-banana-2", prompt="p", image_input=nine)
    assert body["error"] == "too_many_files"
    assert body["max_count"] == 8


def test_text_to_x_refuses_source_media_where_the_doc_says_omit_it():
    # "Text-to-image and text-to-video: Do not send source_media_urls"
    body = refusal("kubeez", "gpt-image-2", prompt="p", generation_type="text-to-image", source_media_urls=[IMG])
    assert body["error"] == "invalid_params"
