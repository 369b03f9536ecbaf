"""`manage.py quote PROVIDER MODEL key=value ...`: the command-line contract, for every provider and
every pricing shape.

Every expected price is copied from the provider's doc (the row is quoted next
to it); per-unit totals are the documented rate times the quantity, worked out
by hand. Success prints {provider, model, provider_cost, unit, credits,
breakdown} and exits 0; a refused request prints {error, message, ...details}
and exits 2.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import ModelFamily, Offer, Provider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("full_catalog")]

IMG = "https://example.com/frame.png"
IMG2 = "https://example.com/end.jpg"
VID = "https://example.com/clip.mp4"
CONTRACT_KEYS = {"provider", "model", "provider_cost", "unit", "credits", "breakdown"}


def quote(provider: str, model: str, *pairs: str) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("quote", provider, model, *pairs, stdout=out)
    except SystemExit as exc:
        return int(exc.code), json.loads(out.getvalue())
    return 0, json.loads(out.getvalue())


def priced(provider: str, model: str, *pairs: str) -> dict:
    code, body = quote(provider, model, *pairs)
    assert code == 0, body
    assert set(body) >= CONTRACT_KEYS
    assert body["provider"] == provider
    assert body["model"] == model
    return body


def refused(provider: str, model: str, *pairs: str) -> dict:
    code, body = quote(provider, model, *pairs)
    assert code == 2, body
    assert {"error", "message"} <= set(body)
    return body


# --- the contract itself ------------------------------------------------------------------


def test_output_is_one_json_object_with_the_contract_keys():
    body = priced("kubflow", "nano-banana", "prompt=a fox")
    # "Nano Banana nano-banana | 4 credits"
    assert body == {
        "provider": "kubflow",
        "model": "nano-banana",
        "provider_cost": "4",
        "unit": "credits",
        "credits": "4.00",
        "breakdown": "Nano Banana: 4 credits",
    }


def test_values_are_json_when_they_parse_else_strings():
    # duration=10 (JSON number), sound=true (JSON boolean), mode=pro (a string)
    body = priced("kubflow", "kling-3.0", "prompt=waves", "duration=10", "sound=true", "mode=pro")
    # "Kling 3.0 kling-3.0 | 14-27 credits/s": pro with sound is the top, 27/s × 10 s
    assert body["provider_cost"] == "270"
    assert body["breakdown"] == "Kling 3.0 Pro with audio: 27 credits/s × 10 s = 270 credits"


def test_missing_fields_take_the_documented_defaults():
    # gpt-image-2 "| 1K (default), 2K, 4K | 11 / 15 / 21 credits": no resolution given → 1K
    assert priced("kubeez", "gpt-image-2", "prompt=a shoe")["provider_cost"] == "11"


def test_credits_apply_the_providers_rate_and_markup_rounded_up_to_the_cent():
    Provider.objects.filter(slug="krea").update(credit_rate=Decimal("0.3333"), markup=Decimal("1.1"))
    # Krea nano-banana: "| Compute Units | | 22.3 |" → 22.3 × 0.3333 × 1.1 = 8.1758... → 8.18
    body = priced("krea", "nano-banana", "prompt=a fox")
    assert body["provider_cost"] == "22.3"
    assert body["unit"] == "compute units"
    assert body["credits"] == "8.18"
    assert body["breakdown"].endswith("→ 8.18 studio credits")


def test_an_unknown_model_is_unknown_model():
    body = refused("kubflow", "no-such-model", "prompt=x")
    assert body["error"] == "unknown_model"
    assert refused("nobody", "nano-banana")["error"] == "unknown_model"


def test_an_unknown_field_is_invalid_params_listing_the_fields():
    body = refused("kubflow", "nano-banana", "prompt=x", "colour=red")
    assert body["error"] == "invalid_params"
    assert body["fields"] == ["colour"]
    assert "prompt" in body["allowed_fields"]


def test_a_malformed_pair_is_invalid_params():
    assert refused("kubflow", "nano-banana", "prompt")["error"] == "invalid_params"


def test_a_model_switched_off_by_staff_is_not_quoted():
    Offer.objects.filter(provider__slug="kubflow", model_id="nano-banana").update(enabled=False)
    assert refused("kubflow", "nano-banana", "prompt=x")["error"] == "unknown_model"
    Offer.objects.filter(provider__slug="kubflow", model_id="nano-banana").update(enabled=True)
    Provider.objects.filter(slug="kubflow").update(enabled=False)
    assert refused("kubflow", "nano-banana", "prompt=x")["error"] == "unknown_model"
    Provider.objects.filter(slug="kubflow").update(enabled=True)
    ModelFamily.objects.filter(slug="nano-banana").update(enabled=False)
    assert refused("kubflow", "nano-banana", "prompt=x")["error"] == "unknown_model"


def test_a_model_without_a_documented_price_is_price_unavailable():
    # Kubeez media tools: nano-banana's price is only "see get_models".
    body = refused("kubeez", "nano-banana", "prompt=a fox")
    assert body["error"] == "price_unavailable"
    assert body == {**body, "provider": "kubeez", "model": "nano-banana"}


# --- Kubflow: flat, table, per second, per minute, estimate --------------------------------


@pytest.mark.parametrize(
    ("model", "pairs", "cost"),
    [
        ("flux-2-pro", ["prompt=p"], "5"),  # "Flux 2 Pro flux-2-pro | 5 credits"
        ("seedream-4.5-text-to-image", ["prompt=p"], "6.5"),  # "Seedream 4.5 ... | 6.5 credits"
        ("z-image", ["prompt=p"], "0.8"),  # "Z-Image z-image | 0.8 credits"
        ("image-passthrough", [f"image_url={json.dumps([IMG])}"], "0"),  # "Input Image image-passthrough | 0 credits"
        # "Nano Banana 2 nano-banana-2 | 8-18 credits": 1K's own price is not documented, the top is charged
        ("nano-banana-2", ["prompt=p", "resolution=1K"], "18"),
        ("nano-banana-2", ["prompt=p", "resolution=4K"], "18"),  # (top)
        ("nano-banana-pro", ["prompt=p", "resolution=4K"], "24"),  # "18-24 credits" (top)
        ("suno-create-music", ["prompt=p"], "12"),  # "Suno Create Music suno-create-music | 12 credits"
        ("prompt-enhancer", ["prompt=p"], "4"),  # "Prompt Enhancer prompt-enhancer | 4 credits"
    ],
)
def test_kubflow_flat_and_table_prices(model, pairs, cost):
    assert priced("kubflow", model, *pairs)["provider_cost"] == cost


@pytest.mark.parametrize(
    ("pairs", "cost"),
    [
        # "14-27 credits/s": std's own rate is not documented, so the top 27/s is charged (likely 14/s)
        (["mode=std", "sound=false", "duration=5"], "135"),
        (["mode=pro", "sound=true", "duration=15"], "405"),  # pro + sound 27/s × 15 s
    ],
)
def test_kubflow_kling_3_per_second(pairs, cost):
    assert priced("kubflow", "kling-3.0", "prompt=p", *pairs)["provider_cost"] == cost


def test_a_range_priced_combination_says_what_is_charged_and_its_likely_price():
    body = priced("kubflow", "kling-3.0", "prompt=p", "mode=std", "sound=false", "duration=5")
    assert body["credits"] == "135.00"
    assert body["likely_credits"] == "70.00"
    assert "documents only 14-27 credits/s" in body["charge_note"]
    assert "Kie.ai" in body["charge_note"] and "135 credits, is charged" in body["charge_note"]


def test_kubflow_per_second_of_output_audio():
    # "Sound Effects V2 elevenlabs-sound-effect-v2 | 0.24 credits/s" × 10 s = 2.4
    body = priced("kubflow", "elevenlabs-sound-effect-v2", "prompt=rain", "duration=10")
    assert Decimal(body["provider_cost"]) == Decimal("2.4")
    assert body["credits"] == "2.40"


def test_kubflow_per_minute_of_input_audio():
    # "Speech to Text elevenlabs-stt | 3.5 credits/min": 120 s of audio = 2 min → 7
    body = priced(
        "kubflow", "elevenlabs-stt", f"audio_url={json.dumps(['https://example.com/a.mp3'])}", "audio_seconds=120"
    )
    assert Decimal(body["provider_cost"]) == Decimal("7")


def test_kubflow_topaz_video_per_second_by_factor():
    # "Topaz Video Upscale topaz-video-upscale | 8 credits/s (1x/2x), 14 credits/s (4x)"
    two = priced(
        "kubflow", "topaz-video-upscale", f"video_url={json.dumps([VID])}", "upscale_factor=2", "video_seconds=10"
    )
    four = priced(
        "kubflow", "topaz-video-upscale", f"video_url={json.dumps([VID])}", "upscale_factor=4", "video_seconds=10"
    )
    assert (two["provider_cost"], four["provider_cost"]) == ("80", "140")


def test_kubflow_token_billed_text_holds_the_top_of_the_estimate():
    # "Claude Opus 4.6 claude-opus-4-6 | 2-8 credits est."
    body = priced("kubflow", "claude-opus-4-6", "prompt=hello")
    assert body["provider_cost"] == "8"
    assert body["estimated"] is True
    assert body["minimum_credits"] == "2.00"


# --- Kubeez: table, per second with audio rows, per second with a reference video, flat variants


@pytest.mark.parametrize(
    ("resolution", "aspect", "cost"),
    [("1K", "1:1", "11"), ("2K", "16:9", "15"), ("4K", "3:4", "21")],  # "11 / 15 / 21 credits"
)
def test_kubeez_gpt_image_2_tiers(resolution, aspect, cost):
    body = priced("kubeez", "gpt-image-2", "prompt=p", f"resolution={resolution}", f"aspect_ratio={aspect}")
    assert body["provider_cost"] == cost


def test_kubeez_kling_3_pro_with_audio_per_second():
    # "| kling-3-0-pro-audio | Kling 3.0 Pro (with audio) | 30 | credits / sec |" × 10 s
    body = priced("kubeez", "kling-3-0-pro", "prompt=p", "duration=10", "sound=true")
    assert body["provider_cost"] == "300"
    assert body["breakdown"] == "Kling 3.0 Pro (with audio): 30 credits/s × 10 s = 300 credits"
    # "| kling-3-0-std | Kling 3.0 | 17 | credits / sec |" × 5 s
    assert priced("kubeez", "kling-3-0-std", "prompt=p", "duration=5")["provider_cost"] == "85"


def test_kubeez_seedance_2_per_second():
    # "| seedance-2-720p | Seedance 2 (720p) | 35 | credits / sec |" × 8 s
    assert priced("kubeez", "seedance-2-720p", "prompt=p", "duration=8")["provider_cost"] == "280"


def test_kubeez_seedance_2_reference_video_bills_reference_plus_output_seconds():
    # "(ref_video_s + output_s) × rate/s"; REST is billed "the pessimistic worst case of 15s of reference video";
    # "| seedance-2-480p-video-ref | ... | 13 | credits / sec |": (15 + 5) × 13 = 260
    body = priced(
        "kubeez", "seedance-2-480p-video-ref", "prompt=p", "duration=5", f"source_media_urls={json.dumps([VID])}"
    )
    assert body["provider_cost"] == "260"


@pytest.mark.parametrize(
    ("model", "cost"),
    [
        ("gemini-omni-video-720p-4s", "110"),  # "| gemini-omni-video-hd-4s | Gemini Omni Video | 110 |"
        ("gemini-omni-video-1080p-10s", "200"),  # "| gemini-omni-video-hd-10s | ... | 200 |" (720p/1080p share rows)
        ("gemini-omni-video-4k-6s", "260"),  # "| gemini-omni-video-4k-6s | Gemini Omni Video (4K) | 260 |"
    ],
)
def test_kubeez_gemini_omni_flat_variants(model, cost):
    body = priced("kubeez", model, "prompt=p", "aspect_ratio=16:9", f"source_media_urls={json.dumps([IMG])}")
    assert body["provider_cost"] == cost


def test_kubeez_gemini_omni_video_ref_variant():
    # "| gemini-omni-video-hd-video-ref | Gemini Omni Video (video ref) | 260 |"
    body = priced("kubeez", "gemini-omni-video-720p-video-ref", "prompt=p", f"source_media_urls={json.dumps([VID])}")
    assert body["provider_cost"] == "260"


# --- Krea: compute units, flat, tables by resolution / mode × audio × duration / reference images


def test_krea_flat_and_by_resolution():
    # nano-banana: "| Compute Units | | 22.3 |"; nano-banana-2: "| 2K | 57.8 |"
    assert priced("krea", "nano-banana", "prompt=p")["provider_cost"] == "22.3"
    assert priced("krea", "nano-banana-2", "prompt=a fox", "resolution=2K")["provider_cost"] == "57.8"


def test_krea_kling_3_by_mode_audio_and_duration():
    # kling-3.0: "| std | Yes | 10s | 1443 |" and "| std | No | 5s | 481 |"
    assert (
        priced("krea", "kling-3.0", "prompt=p", "mode=std", "generate_audio=true", "duration=10")["provider_cost"]
        == "1443"
    )
    assert (
        priced("krea", "kling-3.0", "prompt=p", "mode=std", "generate_audio=false", "duration=5")["provider_cost"]
        == "481"
    )


def test_krea_luma_uni_1_by_reference_images():
    # luma/uni-1: "| standard | 0 | 23.1 |", "| max | 9 | 72.7 |"
    assert priced("krea", "luma-uni-1", "prompt=p")["provider_cost"] == "23.1"
    refs = json.dumps([{"url": f"https://example.com/{i}.png", "strength": 1} for i in range(9)])
    assert priced("krea", "luma-uni-1", "prompt=p", "mode=max", f"style_images={refs}")["provider_cost"] == "72.7"


# --- Cliprise: routed values, per 5,000 characters, per second, range ends and estimates ------


def test_cliprise_routed_model_values_and_the_family_label():
    # "Request model values: flux-kontext-pro = Pro (9 credits) / flux-kontext-max = Max (18 credits)"
    assert priced("cliprise", "flux-kontext-pro", "prompt=p")["provider_cost"] == "9"
    assert priced("cliprise", "flux-kontext-max", "prompt=p")["provider_cost"] == "18"
    body = refused("cliprise", "flux-kontext", "prompt=p")
    assert body["error"] == "variant_required"
    assert body["available_variants"] == ["flux-kontext-pro", "flux-kontext-max"]


def test_cliprise_compatibility_alias():
    # "kling-2-5 (alias)76 / 152per video — 5 s / 10 s (same as kling-video-turbo)"
    alias = priced("cliprise", "kling-2-5", "prompt=p", "duration=10", f"image_url={json.dumps([IMG])}")
    canonical = priced("cliprise", "kling-video-turbo", "prompt=p", "duration=10", f"image_url={json.dumps([IMG])}")
    assert alias["provider_cost"] == canonical["provider_cost"] == "152"


def test_cliprise_per_5000_characters():
    # "elevenlabs-tts49per 5 000 characters": 5,001 characters are two blocks → 98
    body = priced("cliprise", "elevenlabs-tts", f"text={'a' * 5001}", "voice=Rachel", "language_code=en")
    assert body["provider_cost"] == "98"


def test_cliprise_per_second_of_reference_video():
    # "wan-animate11 / 18 / 23per second — 480p / 580p / 720p": 720p × 10 s = 230
    body = priced(
        "cliprise",
        "wan-animate-replace",
        f"image_url={json.dumps([IMG])}",
        f"video_url={json.dumps([VID])}",
        "resolution=720p",
        "ref_video_seconds=10",
    )
    assert body["provider_cost"] == "230"


def test_cliprise_table_by_duration_and_sound():
    # "kling-2-699 / 198 / 198 / 396per video — 5s no snd / 5s snd / 10s no snd / 10s snd"
    assert priced("cliprise", "kling-2-6", "prompt=p", "duration=10", "sound=true")["provider_cost"] == "396"
    assert priced("cliprise", "kling-2-6", "prompt=p")["provider_cost"] == "99"


def test_cliprise_range_only_prices_exact_at_the_ends_estimated_inside():
    # "kling-3200–1200per video — Std/Pro × 5s/10s/15s × sound/no sound"
    assert priced("cliprise", "kling-3", "prompt=p", "mode=std", "duration=5", "sound=false")["provider_cost"] == "200"
    inside = priced("cliprise", "kling-3", "prompt=p", "mode=pro", "duration=10", "sound=false")
    assert inside["provider_cost"] == "1200"
    assert inside["estimated"] is True
    assert inside["minimum_credits"] == "200.00"


@pytest.mark.parametrize("name", ["/generate/image/luma/uni-1", "uni-1", "luma-uni-1"])
def test_a_krea_endpoint_is_quoted_by_its_documented_path_its_last_segment_or_its_id(name):
    # 003: the endpoint is "/generate/image/luma/uni-1"; all three names are one offer
    code, body = quote("krea", name, "prompt=a harbour")
    assert code == 0, body
    assert body["model"] == "luma-uni-1"
    assert body == quote("krea", "luma-uni-1", "prompt=a harbour")[1]


def test_the_cli_never_quotes_another_variant_of_a_family():
    # "kling-3-0" is Kubeez' family of std and pro: the CLI asks for one, as the API does
    body = refused("kubeez", "kling-3-0", "prompt=p", "duration=5")
    assert body["error"] == "variant_required"
    assert body["available_variants"] == ["kubeez:kling-3-0-pro", "kubeez:kling-3-0-std"]
