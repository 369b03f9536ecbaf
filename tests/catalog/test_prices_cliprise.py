"""Cliprise catalog data (catalog/data/cliprise.json) against the Cliprise Business API reference.

Every expected price below is copied by hand from the reference's "Pricing Reference"
table (seeds/004_fb39d99173eef484.txt); the comment above each case quotes the row as
"model_id | Credits | Billing unit & tiers". Nothing here is computed by the code under test.
No database: the data file is read directly and evaluated by the pure engine.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.datafile import provider_data_problems, provider_file_load
from catalog.pricing import QuoteError, offer_check, offer_price

DATA = provider_file_load("cliprise")
OFFERS = {offer["id"]: offer for offer in DATA["offers"]}

IMG = "https://example.com/ref.jpg"
IMG2 = "https://example.com/ref2.png"
VID = "https://example.com/motion.mp4"
AUD = "https://example.com/speech.mp3"

# The smallest request each offer accepts (its required fields without defaults).
BASE: dict[str, dict] = {
    "ideogram-reframe": {"prompt": "p", "image_url": IMG},
    "qwen-image-2": {"prompt": "p", "seed": 424242},
    "recraft-remove-bg": {"image": IMG},
    "recraft-upscaler": {"image": IMG},
    "sora-story-board": {"shots": [{"prompt": "a"}], "aspect_ratio": "16:9"},
    "wan-2-5": {"prompt": "p", "image_url": IMG},
    "wan-2-2": {"prompt": "p", "image_url": IMG},
    "wan-2-6-video": {"prompt": "p", "video_url": VID},
    "wan-animate-replace": {"image_url": IMG, "video_url": VID, "ref_video_seconds": 10},
    "wan-animate-movie": {"image_url": IMG, "video_url": VID, "ref_video_seconds": 10},
    "wan-speech-to-video": {"audio_url": AUD, "output_seconds": 10},
    "kling-2-6-motion": {"prompt": "p", "input_urls": [IMG], "video_urls": [VID], "duration": 10},
    "kling-3-motion": {"prompt": "p", "input_urls": [IMG], "video_urls": [VID], "duration": 10},
    "kling-3-multi-shot": {"multi_prompt": [{"prompt": "a", "duration": 5}]},
    "hailuo": {"prompt": "p", "image_url": IMG},
    "hailuo-pro": {"prompt": "p", "image_url": IMG},
    "hailuo-2-3-standard": {"prompt": "p", "image_url": IMG},
    "hailuo-2-3-pro": {"prompt": "p", "image_url": IMG},
    "runway": {"prompt": "p", "imageUrl": IMG},
    "grok-imagine-video": {"prompt": "p", "image_urls": [IMG]},
    "elevenlabs-tts-turbo": {"text": "hello", "voice": "Rachel", "language_code": "en"},
    "elevenlabs-tts": {"text": "hello", "voice": "Rachel", "language_code": "en"},
    "elevenlabs-v3-dialogue": {"dialogue": [{"text": "hi", "voice": "A"}], "language_code": "en"},
    "elevenlabs-speech-to-text": {"audio_url": AUD, "audio_seconds": 10},
    "elevenlabs-audio-isolation": {"audio_url": AUD, "audio_seconds": 10},
    "elevenlabs-sound-effect": {"text": "door creak", "duration_seconds": 3},
}


def request(offer_id: str, **params) -> dict:
    return {**BASE.get(offer_id, {"prompt": "p"}), **params}


def quote(offer_id: str, **params):
    offer = OFFERS[offer_id]
    clean = offer_check(offer, request(offer_id, **params))
    return offer_price(offer, clean, "credits")


def refused(offer_id: str, **params) -> QuoteError:
    with pytest.raises(QuoteError) as caught:
        offer_check(OFFERS[offer_id], request(offer_id, **params))
    return caught.value


# --- the file as a whole -----------------------------------------------------------


def test_file_is_sound_and_in_credits():
    assert provider_data_problems(DATA) == []
    assert DATA["provider"] == "cliprise"
    assert DATA["unit"] == "credits"
    assert DATA["source"] == "004_fb39d99173eef484.txt"


# "55 catalog entries, including 54 primary routes and 1 compatibility alias" — each
# catalog entry maps to the offers that carry it (routed families expand to their
# request model values).
CATALOG_ENTRIES = {
    "nano-banana": ["nano-banana"],
    "nano-banana-2": ["nano-banana-2"],
    "nano-banana-pro": ["nano-banana-pro"],
    "ideogram-v3": ["ideogram-v3"],
    "ideogram-character": ["ideogram-character"],
    "ideogram-reframe": ["ideogram-reframe"],
    "seedream-v3": ["seedream-v3"],
    "seedream-v4": ["seedream-v4"],
    "seedream-4-5": ["seedream-4-5"],
    "seedream-5-lite": ["seedream-5-lite"],
    "qwen-image": ["qwen-image"],
    "qwen-image-2": ["qwen-image-2"],
    # "Request model values: flux-kontext-pro = Pro (9 credits) / flux-kontext-max = Max (18 credits)"
    "flux-kontext": ["flux-kontext-pro", "flux-kontext-max"],
    "flux-2": ["flux-2"],
    "gpt-image-1": ["gpt-image-1"],
    "gpt-image-1-5": ["gpt-image-1-5"],
    "imagen-v4": ["imagen-v4"],
    "z-image": ["z-image"],
    "grok-imagine": ["grok-imagine"],
    "recraft-remove-bg": ["recraft-remove-bg"],
    "recraft-upscaler": ["recraft-upscaler"],
    "veo-3-fast": ["veo-3-fast"],
    "veo-3-quality": ["veo-3-quality"],
    "sora-2": ["sora-2"],
    "sora-2-turbo": ["sora-2-turbo"],
    "sora-story-board": ["sora-story-board"],
    "wan-2-5": ["wan-2-5"],
    "wan-2-2": ["wan-2-2"],
    "wan-2-6": ["wan-2-6"],
    "wan-2-6-video": ["wan-2-6-video"],
    # "Use routed model values wan-animate-replace or wan-animate-movie."
    "wan-animate": ["wan-animate-replace", "wan-animate-movie"],
    "wan-speech-to-video": ["wan-speech-to-video"],
    "kling-video-turbo": ["kling-video-turbo"],
    "kling-2-5": ["kling-2-5"],
    # "Request model values: kling-2-1-standard = Standard / kling-2-1-pro = Pro / kling-2-1-master = Master"
    "kling-2-1": ["kling-2-1-standard", "kling-2-1-pro", "kling-2-1-master"],
    "kling-2-6": ["kling-2-6"],
    "kling-2-6-motion": ["kling-2-6-motion"],
    "kling-3": ["kling-3"],
    "kling-3-motion": ["kling-3-motion"],
    "kling-3-multi-shot": ["kling-3-multi-shot"],
    "hailuo": ["hailuo"],
    "hailuo-pro": ["hailuo-pro"],
    # "Request model values: hailuo-2-3-standard = Standard / hailuo-2-3-pro = Pro"
    "hailuo-2-3": ["hailuo-2-3-standard", "hailuo-2-3-pro"],
    # "Request model values: seedance-v1-lite = Lite / seedance-v1-pro = Pro"
    "seedance-v1": ["seedance-v1-lite", "seedance-v1-pro"],
    "seedance-v1-pro-fast": ["seedance-v1-pro-fast"],
    "seedance-1-5-pro": ["seedance-1-5-pro"],
    "runway": ["runway"],
    "runway-aleph": ["runway-aleph"],
    "grok-imagine-video": ["grok-imagine-video"],
    "elevenlabs-tts-turbo": ["elevenlabs-tts-turbo"],
    "elevenlabs-tts": ["elevenlabs-tts"],
    "elevenlabs-v3-dialogue": ["elevenlabs-v3-dialogue"],
    "elevenlabs-speech-to-text": ["elevenlabs-speech-to-text"],
    "elevenlabs-audio-isolation": ["elevenlabs-audio-isolation"],
    "elevenlabs-sound-effect": ["elevenlabs-sound-effect"],
}


def test_every_catalog_entry_is_carried_by_exactly_its_offers():
    assert len(CATALOG_ENTRIES) == 55
    expected_ids = [oid for ids in CATALOG_ENTRIES.values() for oid in ids]
    assert len(expected_ids) == len(set(expected_ids)) == 61
    assert sorted(OFFERS) == sorted(expected_ids)
    assert len(DATA["offers"]) == 61


def test_routed_families_are_labels_not_offers():
    labels = {label["label"]: label for label in DATA["family_labels"]}
    for base in ("flux-kontext", "kling-2-1", "seedance-v1", "hailuo-2-3", "wan-animate"):
        # "Do not send base model: ... on generate. Use one of the routed model values above."
        assert base not in OFFERS
        assert labels[base]["variants"] == CATALOG_ENTRIES[base]
        assert labels[base]["code"] == "variant_required"
        for variant in labels[base]["variants"]:
            assert OFFERS[variant]["wire"]["catalog_id"] == base


def test_compatibility_alias():
    alias = OFFERS["kling-2-5"]
    # "Compatibility alias for kling-video-turbo."
    assert alias["wire"]["alias_of"] == "kling-video-turbo"
    assert alias["family"] == OFFERS["kling-video-turbo"]["family"] == "kling-2-5"
    assert [f["name"] for f in alias["fields"]] == [f["name"] for f in OFFERS["kling-video-turbo"]["fields"]]
    # kling-2-5 (alias) | 76 / 152 | per video — 5 s / 10 s (same as kling-video-turbo)
    assert quote("kling-2-5", duration="5").amount == Decimal("76")
    assert quote("kling-2-5", duration="10").amount == Decimal("152")


FAMILIES = {
    "nano-banana": "nano-banana",
    "nano-banana-2": "nano-banana-2",
    "nano-banana-pro": "nano-banana-pro",
    "ideogram-v3": "ideogram-3",
    "seedream-v4": "seedream-4",
    "seedream-4-5": "seedream-4-5",
    "seedream-5-lite": "seedream-5-lite",
    "qwen-image-2": "qwen-image-2",
    "flux-kontext-pro": "flux-kontext",
    "flux-kontext-max": "flux-kontext",
    "flux-2": "flux-2",
    "gpt-image-1": "gpt-image-1",
    "gpt-image-1-5": "gpt-image-1-5",
    "imagen-v4": "imagen-4",
    "grok-imagine": "grok-imagine-image",
    "veo-3-fast": "veo-3-1",
    "veo-3-quality": "veo-3-1",
    "sora-2": "sora-2",
    "wan-2-5": "wan-2-5",
    "wan-2-6": "wan-2-6",
    "wan-2-6-video": "wan-2-6",
    "wan-animate-replace": "wan-animate",
    "wan-animate-movie": "wan-animate",
    "kling-video-turbo": "kling-2-5",
    "kling-2-1-standard": "kling-2-1",
    "kling-2-1-pro": "kling-2-1",
    "kling-2-1-master": "kling-2-1",
    "kling-2-6": "kling-2-6",
    "kling-2-6-motion": "kling-2-6-motion-control",
    "kling-3": "kling-3-0",
    "kling-3-motion": "kling-3-0-motion-control",
    "kling-3-multi-shot": "kling-3-0",
    "hailuo-2-3-standard": "hailuo-2-3",
    "hailuo-2-3-pro": "hailuo-2-3",
    "seedance-v1-lite": "seedance-1",
    "seedance-v1-pro": "seedance-1",
    "seedance-v1-pro-fast": "seedance-1",
    "seedance-1-5-pro": "seedance-1-5-pro",
    "runway": "runway-gen-4",
    "runway-aleph": "runway-aleph",
    "grok-imagine-video": "grok-imagine-video",
    "elevenlabs-tts": "elevenlabs-tts",
    "elevenlabs-tts-turbo": "elevenlabs-tts",
}


@pytest.mark.parametrize(("offer_id", "family"), sorted(FAMILIES.items()))
def test_canonical_family_keys(offer_id, family):
    assert OFFERS[offer_id]["family"] == family


# --- prices: flat, tables, routed variants ----------------------------------------

PRICES = [
    # nano-banana | 8 | per image — Standard
    ("nano-banana", {}, "8"),
    # nano-banana-2 | 16 / 24 / 36 | per image — 1K / 2K / 4K
    ("nano-banana-2", {"resolution": "1K"}, "16"),
    ("nano-banana-2", {"resolution": "2K"}, "24"),
    ("nano-banana-2", {"resolution": "4K"}, "36"),
    # nano-banana-pro | 33 / 44 | per image — 1K–2K / 4K
    ("nano-banana-pro", {"resolution": "1K"}, "33"),
    ("nano-banana-pro", {"resolution": "2K"}, "33"),
    ("nano-banana-pro", {"resolution": "4K"}, "44"),
    # ideogram-v3 | 7 / 13 / 18 | per image — Turbo / Balanced / Quality
    ("ideogram-v3", {"rendering_speed": "TURBO"}, "7"),
    ("ideogram-v3", {"rendering_speed": "BALANCED"}, "13"),
    ("ideogram-v3", {"rendering_speed": "QUALITY"}, "18"),
    # ideogram-character | 22 / 33 / 44 | per image — Turbo / Balanced / Quality
    ("ideogram-character", {"rendering_speed": "TURBO"}, "22"),
    ("ideogram-character", {"rendering_speed": "BALANCED"}, "33"),
    ("ideogram-character", {"rendering_speed": "QUALITY"}, "44"),
    # ideogram-reframe | 7 / 13 / 18 | per image — Turbo / Balanced / Quality
    ("ideogram-reframe", {"rendering_speed": "TURBO"}, "7"),
    ("ideogram-reframe", {"rendering_speed": "BALANCED"}, "13"),
    ("ideogram-reframe", {"rendering_speed": "QUALITY"}, "18"),
    # seedream-v3 | 7 | per image — Standard
    ("seedream-v3", {}, "7"),
    # seedream-v4 | 9 | per image — Standard
    ("seedream-v4", {"image_resolution": "4K"}, "9"),
    # seedream-4-5 | 12 | per image — Standard
    ("seedream-4-5", {"quality": "high"}, "12"),
    # seedream-5-lite | 11 | per image — Standard
    ("seedream-5-lite", {"quality": "basic"}, "11"),
    # qwen-image-2 | 12 | per image — Standard
    ("qwen-image-2", {"image_url": IMG}, "12"),
    # flux-kontext | 9 / 18 | per image — Pro / Max   (routed: flux-kontext-pro / flux-kontext-max)
    ("flux-kontext-pro", {}, "9"),
    ("flux-kontext-max", {"imageURLList": [IMG]}, "18"),
    # flux-2 | 9 / 13 / 26 / 44 | per image — Pro 1K / Pro 2K / Flex 1K / Flex 2K
    ("flux-2", {"tier": "Pro", "resolution": "1K"}, "9"),
    ("flux-2", {"tier": "Pro", "resolution": "2K"}, "13"),
    ("flux-2", {"tier": "Flex", "resolution": "1K"}, "26"),
    ("flux-2", {"tier": "Flex", "resolution": "2K"}, "44"),
    # gpt-image-1 | 11 | per image — Standard
    ("gpt-image-1", {"size": "3:2"}, "11"),
    # gpt-image-1-5 | 8 / 44 | per image — Medium / High
    ("gpt-image-1-5", {"quality": "medium"}, "8"),
    ("gpt-image-1-5", {"quality": "high"}, "44"),
    # imagen-v4 | 8 / 22 | per image — Fast / Ultra
    ("imagen-v4", {"tier": "Fast"}, "8"),
    ("imagen-v4", {"tier": "Ultra"}, "22"),
    # z-image | 2 | per image — Standard
    ("z-image", {}, "2"),
    # grok-imagine | 8 | per call — Both tiers (t2i 6 imgs / i2i 2 imgs)
    ("grok-imagine", {}, "8"),
    ("grok-imagine", {"image_urls": [IMG]}, "8"),
    # recraft-remove-bg | 2 | per image — Standard
    ("recraft-remove-bg", {}, "2"),
    # recraft-upscaler | 1 | per image — Standard
    ("recraft-upscaler", {}, "1"),
    # veo-3-fast | 108 | per video — Standard
    ("veo-3-fast", {"imageURLList": [IMG]}, "108"),
    # veo-3-quality | 720 | per video — Standard
    ("veo-3-quality", {"aspectRatio": "16:9"}, "720"),
    # sora-2 | 54 / 63 | per video — 10 s / 15 s   (n_frames 250 = 10 s, 375 = 15 s)
    ("sora-2", {"n_frames": "250"}, "54"),
    ("sora-2", {"n_frames": "375"}, "63"),
    # sora-2-turbo | 270 / 486 / 594 / 1 134 | per video — Std 10s / Std 15s / High 10s / High 15s
    ("sora-2-turbo", {"size": "Standard", "n_frames": "250"}, "270"),
    ("sora-2-turbo", {"size": "Standard", "n_frames": "375"}, "486"),
    ("sora-2-turbo", {"size": "High", "n_frames": "250"}, "594"),
    ("sora-2-turbo", {"size": "High", "n_frames": "375"}, "1134"),
    # sora-story-board | 270 / 486 / 699 | per video — 10 s / 15 s / 25 s   (n_frames 250 | 375 | 625)
    ("sora-story-board", {"n_frames": "250"}, "270"),
    ("sora-story-board", {"n_frames": "375"}, "486"),
    ("sora-story-board", {"n_frames": "625"}, "699"),
    # wan-2-5 | 108 / 216 / 180 / 360 | per video — 720p 5s / 720p 10s / 1080p 5s / 1080p 10s
    ("wan-2-5", {"resolution": "720p", "duration": 5}, "108"),
    ("wan-2-5", {"resolution": "720p", "duration": 10}, "216"),
    ("wan-2-5", {"resolution": "1080p", "duration": 5}, "180"),
    ("wan-2-5", {"resolution": "1080p", "duration": 10}, "360"),
    # wan-2-2 | 72 / 108 | per video — 480p / 720p
    ("wan-2-2", {"resolution": "480p"}, "72"),
    ("wan-2-2", {"resolution": "720p"}, "108"),
    # wan-2-6-video | 140 / 280 / 210 / 420 | per video — 720p 5s / 720p 10s / 1080p 5s / 1080p 10s
    ("wan-2-6-video", {"resolution": "720p", "duration": "5"}, "140"),
    ("wan-2-6-video", {"resolution": "720p", "duration": "10"}, "280"),
    ("wan-2-6-video", {"resolution": "1080p", "duration": "5"}, "210"),
    ("wan-2-6-video", {"resolution": "1080p", "duration": "10"}, "420"),
    # kling-video-turbo | 76 / 152 | per video — 5 s / 10 s
    ("kling-video-turbo", {"duration": "5"}, "76"),
    ("kling-video-turbo", {"duration": "10"}, "152"),
    # kling-2-6 | 99 / 198 / 198 / 396 | per video — 5s no snd / 5s snd / 10s no snd / 10s snd
    ("kling-2-6", {"duration": "5", "sound": False}, "99"),
    ("kling-2-6", {"duration": "5", "sound": True}, "198"),
    ("kling-2-6", {"duration": "10", "sound": False}, "198"),
    ("kling-2-6", {"duration": "10", "sound": True}, "396"),
    # hailuo | 22 / 36 / 54 / 90 | per video — 512p 6s / 512p 10s / 768p 6s / 768p 10s
    ("hailuo", {"resolution": "512P", "duration": "6"}, "22"),
    ("hailuo", {"resolution": "512P", "duration": "10"}, "36"),
    ("hailuo", {"resolution": "768P", "duration": "6"}, "54"),
    ("hailuo", {"resolution": "768P", "duration": "10"}, "90"),
    # hailuo-pro | 103 | per video — Standard
    ("hailuo-pro", {}, "103"),
    # hailuo-2-3 | 54 / 90 / 90 / 162 | per video — Std 768p / Std 1080p / Pro 768p / Pro 1080p
    ("hailuo-2-3-standard", {"resolution": "768P"}, "54"),
    ("hailuo-2-3-standard", {"resolution": "1080P"}, "90"),
    ("hailuo-2-3-pro", {"resolution": "768P"}, "90"),
    ("hailuo-2-3-pro", {"resolution": "1080P"}, "162"),
    # seedance-v1-pro-fast | 29 / 65 / 65 / 130 | per video — 720p 5s / 720p 10s / 1080p 5s / 1080p 10s
    ("seedance-v1-pro-fast", {"resolution": "720p", "duration": "5"}, "29"),
    ("seedance-v1-pro-fast", {"resolution": "720p", "duration": "10"}, "65"),
    ("seedance-v1-pro-fast", {"resolution": "1080p", "duration": "5"}, "65"),
    ("seedance-v1-pro-fast", {"resolution": "1080p", "duration": "10"}, "130"),
    # seedance-1-5-pro | 8 / 14 / 14 / 28 / 19 / 38 | per video —
    #   480p 4s / 720p 4s / 480p 8s / 720p 8s / 480p 12s / 720p 12s
    ("seedance-1-5-pro", {"resolution": "480p", "duration": "4"}, "8"),
    ("seedance-1-5-pro", {"resolution": "720p", "duration": "4"}, "14"),
    ("seedance-1-5-pro", {"resolution": "480p", "duration": "8"}, "14"),
    ("seedance-1-5-pro", {"resolution": "720p", "duration": "8"}, "28"),
    ("seedance-1-5-pro", {"resolution": "480p", "duration": "12"}, "19"),
    ("seedance-1-5-pro", {"resolution": "720p", "duration": "12", "generate_audio": True}, "38"),
    # runway | 198 / 396 | per video — 5 s / 10 s
    ("runway", {"duration": "5"}, "198"),
    ("runway", {"duration": "10"}, "396"),
    # runway-aleph | 198 | per video — Standard
    ("runway-aleph", {"videoUrl": [VID]}, "198"),
    # Range-only rows: the documented bottom and top of the range, at the cheapest and
    # dearest combination of the listed dimensions.
    # wan-2-6 | 140–630 | per video — 720p/1080p × 5s/10s/15s
    ("wan-2-6", {"resolution": "720p", "duration": "5"}, "140"),
    ("wan-2-6", {"resolution": "1080p", "duration": "15"}, "630"),
    # kling-2-1 | 45–576 | per video — Std/Pro/Master × 5s/10s
    ("kling-2-1-standard", {"duration": "5"}, "45"),
    ("kling-2-1-master", {"duration": "10"}, "576"),
    # kling-3 | 200–1200 | per video — Std/Pro × 5s/10s/15s × sound/no sound
    ("kling-3", {"mode": "std", "duration": "5", "sound": False}, "200"),
    ("kling-3", {"mode": "pro", "duration": "15", "sound": True}, "1200"),
    # kling-3-multi-shot | 200–810 | per video — Std/Pro × 5s/10s/15s
    ("kling-3-multi-shot", {"mode": "std", "duration": "5"}, "200"),
    ("kling-3-multi-shot", {"mode": "pro", "duration": "15", "sound": True}, "810"),
    # seedance-v1 | 18–252 | per video — Lite/Pro × 480p–1080p × 5s/10s
    ("seedance-v1-lite", {"resolution": "480p", "duration": 5}, "18"),
    ("seedance-v1-pro", {"resolution": "1080p", "duration": 10}, "252"),
    # grok-imagine-video | 20–80 | per video — 480p/720p × 6s/10s/15s
    ("grok-imagine-video", {"resolution": "480p", "duration": "6"}, "20"),
    ("grok-imagine-video", {"resolution": "720p", "duration": "15"}, "80"),
]


@pytest.mark.parametrize(("offer_id", "params", "expected"), PRICES)
def test_documented_price(offer_id, params, expected):
    price = quote(offer_id, **params)
    assert price.amount == Decimal(expected)
    assert not price.estimated


def test_every_offer_has_a_price_case():
    priced = {case[0] for case in PRICES} | {case[0] for case in RANGES} | {case[0] for case in PER_UNIT}
    assert priced | {"kling-2-5"} == set(OFFERS)


# --- prices: documented only as a range ----------------------------------------------

RANGES = [
    # qwen-image | 2–7 | per image — varies by aspect ratio   (no per-preset values)
    ("qwen-image", {"image_size": "square"}, "2", "7"),
    ("qwen-image", {"image_size": "landscape_16_9"}, "2", "7"),
    # wan-2-6 | 140–630 | per video — 720p/1080p × 5s/10s/15s
    ("wan-2-6", {"resolution": "720p", "duration": "10"}, "140", "630"),
    ("wan-2-6", {"resolution": "1080p", "duration": "5"}, "140", "630"),
    # kling-2-1 | 45–576 | per video — Std/Pro/Master × 5s/10s
    ("kling-2-1-standard", {"duration": "10"}, "45", "576"),
    ("kling-2-1-pro", {"duration": "5"}, "45", "576"),
    ("kling-2-1-pro", {"duration": "10"}, "45", "576"),
    ("kling-2-1-master", {"duration": "5"}, "45", "576"),
    # kling-3 | 200–1200 | per video — Std/Pro × 5s/10s/15s × sound/no sound
    ("kling-3", {"mode": "std", "duration": "5", "sound": True}, "200", "1200"),
    ("kling-3", {"mode": "pro", "duration": "10", "sound": False}, "200", "1200"),
    # kling-3-multi-shot | 200–810 | per video — Std/Pro × 5s/10s/15s
    ("kling-3-multi-shot", {"mode": "pro", "duration": "5"}, "200", "810"),
    # seedance-v1 | 18–252 | per video — Lite/Pro × 480p–1080p × 5s/10s
    ("seedance-v1-lite", {"resolution": "1080p", "duration": 10}, "18", "252"),
    ("seedance-v1-pro", {"resolution": "480p", "duration": 5}, "18", "252"),
    # grok-imagine-video | 20–80 | per video — 480p/720p × 6s/10s/15s
    ("grok-imagine-video", {"resolution": "720p", "duration": "6"}, "20", "80"),
]


@pytest.mark.parametrize(("offer_id", "params", "low", "high"), RANGES)
def test_range_only_price_holds_the_documented_top(offer_id, params, low, high):
    price = quote(offer_id, **params)
    assert price.estimated
    assert price.minimum == Decimal(low)
    assert price.amount == Decimal(high)


# --- prices: per second, per 5 000 characters ------------------------------------------

PER_UNIT = [
    # wan-animate | 11 / 18 / 23 | per second — 480p / 580p / 720p   (routed: -replace / -movie)
    ("wan-animate-replace", {"resolution": "480p", "ref_video_seconds": 10}, "110"),  # 11 × 10 s
    ("wan-animate-replace", {"resolution": "580p", "ref_video_seconds": 4}, "72"),  # 18 × 4 s
    ("wan-animate-movie", {"resolution": "720p", "ref_video_seconds": 3}, "69"),  # 23 × 3 s
    ("wan-animate-movie", {"resolution": "480p", "ref_video_seconds": "2.2"}, "33"),  # 11 × 3 s (2.2 s rounds up)
    # wan-speech-to-video | 22 / 33 / 44 | per second — 480p / 580p / 720p
    ("wan-speech-to-video", {"resolution": "480p", "output_seconds": 5}, "110"),  # 22 × 5 s
    ("wan-speech-to-video", {"resolution": "580p", "output_seconds": 5}, "165"),  # 33 × 5 s
    ("wan-speech-to-video", {"resolution": "720p", "output_seconds": 5}, "220"),  # 44 × 5 s
    # kling-2-6-motion | 12 / 18 | per second — 720p / 1080p
    ("kling-2-6-motion", {"resolution": "720p", "duration": 10}, "120"),  # 12 × 10 s
    ("kling-2-6-motion", {"resolution": "1080p", "duration": "5"}, "90"),  # 18 × 5 s
    # kling-3-motion | 24 / 40 | per second — 720p / 1080p
    ("kling-3-motion", {"resolution": "720p", "duration": 10}, "240"),  # 24 × 10 s
    ("kling-3-motion", {"resolution": "1080p", "duration": 7}, "280"),  # 40 × 7 s
    # elevenlabs-tts-turbo | 49 | per 5 000 characters — Standard
    ("elevenlabs-tts-turbo", {"text": "x" * 5000}, "49"),  # 1 block
    ("elevenlabs-tts-turbo", {"text": "x" * 5001}, "98"),  # 2 blocks
    # elevenlabs-tts | 49 | per 5 000 characters — Standard
    ("elevenlabs-tts", {"text": "hello"}, "49"),  # 1 block
    ("elevenlabs-tts", {"text": "x" * 12000}, "147"),  # 3 blocks
    # elevenlabs-v3-dialogue | 1 | per 5 000 characters — Standard
    ("elevenlabs-v3-dialogue", {}, "1"),  # 1 block
    ("elevenlabs-v3-dialogue", {"dialogue": [{"text": "y" * 6000, "voice": "A"}]}, "2"),  # 2 blocks
    # elevenlabs-speech-to-text | 7 | per second of audio — Standard
    ("elevenlabs-speech-to-text", {"audio_seconds": 30}, "210"),  # 7 × 30 s
    # elevenlabs-audio-isolation | 1 | per second of audio — Standard
    ("elevenlabs-audio-isolation", {"audio_seconds": 45}, "45"),  # 1 × 45 s
    # elevenlabs-sound-effect | 1 | per second of audio — Standard
    ("elevenlabs-sound-effect", {"duration_seconds": 4}, "4"),  # 1 × 4 s
    ("elevenlabs-sound-effect", {"duration_seconds": "2.5"}, "3"),  # 1 × 3 s (rounded up)
]


@pytest.mark.parametrize(("offer_id", "params", "expected"), PER_UNIT)
def test_per_unit_price(offer_id, params, expected):
    assert quote(offer_id, **params).amount == Decimal(expected)


# --- rules and field constraints ---------------------------------------------------------


@pytest.mark.parametrize("offer_id", ["ideogram-character", "ideogram-reframe"])
def test_fiction_style_is_refused_where_the_doc_excludes_it(offer_id):
    # ideogram-character: "style | same families as ideogram-v3 but no FICTION"; ideogram-reframe: "style | no FICTION"
    assert refused(offer_id, style="FICTION").code == "invalid_params"
    assert quote(offer_id, style="REALISTIC").amount > 0


def test_fiction_style_is_allowed_on_ideogram_v3():
    # ideogram-v3: "style | includes FICTION" — ideogram-v3 | 7 / 13 / 18 | per image — Turbo / ...
    assert quote("ideogram-v3", style="FICTION", rendering_speed="TURBO").amount == Decimal("7")


@pytest.mark.parametrize(
    ("offer_id", "field"),
    [
        ("ideogram-reframe", "negative_prompt"),  # "Note: negative_prompt is not accepted by this route."
        ("veo-3-fast", "generationType"),  # "generationType is auto-set by the pipeline ... do not send it manually."
        ("runway", "quality"),  # "quality is hardcoded to 720p by the pipeline — it is not user-controllable."
        ("nano-banana", "google_search"),  # "Use nano-banana-2 or nano-banana-pro for ... google_search grounding."
        ("hailuo-2-3-standard", "prompt_optimizer"),  # not on the hailuo-2-3 card
    ],
)
def test_fields_the_route_does_not_take_are_refused(offer_id, field):
    err = refused(offer_id, **{field: "x"})
    assert err.code == "invalid_params"
    assert field in err.details["fields"]


@pytest.mark.parametrize(
    ("offer_id", "field", "limit", "url"),
    [
        ("nano-banana-2", "image_input", 8, IMG),  # "References via image_input (up to 8 images)."
        ("nano-banana-pro", "image_input", 8, IMG),  # "... and up to 8 reference images."
        ("ideogram-character", "reference_image_urls", 3, IMG),  # "reference_image_urls accepts up to 3 URLs."
        ("flux-kontext-pro", "imageURLList", 1, IMG),  # "the pipeline extracts the first URL internally"
        ("veo-3-quality", "imageURLList", 1, IMG),  # "forwards the first URL as imageUrls (root)"
        ("wan-2-5", "image_url", 1, IMG),  # single media URL → string
    ],
)
def test_media_count_limits(offer_id, field, limit, url):
    assert quote(offer_id, **{field: [url] * limit}).amount > 0
    assert refused(offer_id, **{field: [url] * (limit + 1)}).code == "too_many_files"


@pytest.mark.parametrize(
    ("offer_id", "field"),
    [
        ("grok-imagine-video", "image_urls"),
        ("kling-2-6-motion", "input_urls"),
        ("kling-3-motion", "video_urls"),
        ("wan-animate-replace", "video_url"),
        ("runway", "imageUrl"),
    ],
)
def test_required_media_cannot_be_empty(offer_id, field):
    assert refused(offer_id, **{field: []}).code == "invalid_params"


def test_qwen_image_2_seed_range():
    # "seed range: 10 000–999 999." — qwen-image-2 | 12 | per image — Standard
    assert quote("qwen-image-2", seed=10000).amount == Decimal("12")
    assert quote("qwen-image-2", seed=999999).amount == Decimal("12")
    assert refused("qwen-image-2", seed=9999).code == "invalid_params"
    assert refused("qwen-image-2", seed=1000000).code == "invalid_params"
    # seed is a required field on this card
    with pytest.raises(QuoteError, match="seed is required"):
        offer_check(OFFERS["qwen-image-2"], {"prompt": "p"})


def test_z_image_prompt_limit():
    # "Up to 1 000-character prompt." — z-image | 2 | per image — Standard
    assert quote("z-image", prompt="x" * 1000).amount == Decimal("2")
    assert refused("z-image", prompt="x" * 1001).code == "prompt_too_long"


@pytest.mark.parametrize(
    ("offer_id", "field", "value"),
    [
        ("sora-2", "n_frames", "300"),  # "n_frames | 250 (10 s) | 375 (15 s)"
        ("sora-2-turbo", "n_frames", "625"),  # 625 only on sora-story-board
        ("hailuo-pro", "resolution", "512P"),  # "resolution | 768P"
        ("hailuo-pro", "duration", "10"),  # "duration | 6"
        ("hailuo-2-3-pro", "duration", "10"),  # "duration | 6"
        ("nano-banana-2", "aspect_ratio", "AUTO"),  # "No AUTO in aspect_ratio."
        ("gpt-image-1-5", "quality", "HIGH"),  # "lowercase quality values"
        ("wan-2-6-video", "duration", "15"),  # "duration | 5 | 10"
        ("seedance-1-5-pro", "resolution", "1080p"),  # "resolution | 480p | 720p"
        ("kling-3-multi-shot", "mode", "master"),  # 'input.mode: "std" = Standard / "pro" = Pro'
    ],
)
def test_values_outside_the_documented_enum_are_refused(offer_id, field, value):
    assert refused(offer_id, **{field: value}).code == "invalid_params"


def test_per_second_quantities_are_required_and_positive():
    with pytest.raises(QuoteError, match="ref_video_seconds is required"):
        offer_check(OFFERS["wan-animate-movie"], {"image_url": IMG, "video_url": VID})
    assert refused("kling-2-6-motion", duration=0).code == "invalid_params"
    with pytest.raises(QuoteError, match="duration_seconds is required"):
        offer_check(OFFERS["elevenlabs-sound-effect"], {"text": "boom"})


# --- wire hints the client relies on ---------------------------------------------------------


@pytest.mark.parametrize(
    "offer_id",
    ["flux-kontext-pro", "flux-kontext-max", "gpt-image-1", "veo-3-fast", "veo-3-quality", "runway", "runway-aleph"],
)
def test_root_only_models(offer_id):
    # "Root-only model A model where all request fields go directly at the JSON body root"
    assert OFFERS[offer_id]["wire"]["root_only"] is True


def test_other_models_are_not_root_only():
    root_only = {oid for oid, o in OFFERS.items() if o["wire"].get("root_only")}
    assert root_only == {
        "flux-kontext-pro",
        "flux-kontext-max",
        "gpt-image-1",
        "veo-3-fast",
        "veo-3-quality",
        "runway",
        "runway-aleph",
    }


def test_quoted_numbers_and_integer_exceptions():
    # Input Types: "Quoted numeric strings | string | duration, n_frames.
    #               Send quoted values such as "5", "10", or "250"."
    assert OFFERS["sora-2"]["wire"]["quoted_numbers"] == ["n_frames"]
    assert "duration" in OFFERS["hailuo-2-3-pro"]["wire"]["quoted_numbers"]  # 'duration: "6"'
    assert "duration" in OFFERS["kling-3"]["wire"]["quoted_numbers"]
    duration = {f["name"]: f for f in OFFERS["kling-2-6"]["fields"]}["duration"]
    assert duration["choices"] == ["5", "10"]
    # wan-2-5: "duration accepts an integer (5 or 10), not a string."
    assert "quoted_numbers" not in OFFERS["wan-2-5"]["wire"]
    assert {f["name"]: f for f in OFFERS["wan-2-5"]["fields"]}["duration"]["choices"] == [5, 10]
    # Seedance V1 example: "duration": 5
    assert OFFERS["seedance-v1-pro"]["wire"]["integer_fields"] == ["duration"]


def test_options_indices():
    # "Tier / type selection: options.model: 0 = Pro / 1 = Flex"
    assert OFFERS["flux-2"]["wire"]["options"]["model"] == {"0": "Pro", "1": "Flex"}
    # "options.fast_ultra: 0 = Fast (8 credits) / any other value = Ultra (22 credits)"
    assert OFFERS["imagen-v4"]["wire"]["options"]["fast_ultra"]["0"] == "Fast"
    # "options.animationType: 0 = Replace / 1 = Move"
    assert OFFERS["wan-animate-replace"]["wire"]["options_fixed"] == {"animationType": 0}
    assert OFFERS["wan-animate-movie"]["wire"]["options_fixed"] == {"animationType": 1}
    # Example: "options": "{\"model\":0,\"outputFormat\":0,\"aspectRatio\":4}" for flux-kontext-pro
    assert OFFERS["flux-kontext-pro"]["wire"]["options_fixed"] == {"model": 0}
    assert OFFERS["flux-kontext-max"]["wire"]["options_fixed"] == {"model": 1}
    assert OFFERS["flux-kontext-pro"]["wire"]["options"]["aspectRatio"]["4"] == "16:9"
    # "size | 1:1 | 3:2 | 2:3 (resolved from options.image_size index 0 / 1 / 2)"
    assert OFFERS["gpt-image-1"]["wire"]["options"]["image_size"] == {"0": "1:1", "1": "3:2", "2": "2:3"}
    # "size | Standard | High (from options.quality index 0 / 1)"
    assert OFFERS["sora-2-turbo"]["wire"]["options"]["quality"] == {"0": "Standard", "1": "High"}
    # "options.mode: 0 = Standard / 1 = Pro"
    assert OFFERS["kling-3"]["wire"]["options"]["mode"] == {"0": "std", "1": "pro"}
    # Seedance V1 example: options {"aspectRatio":2,"duration":0,"resolution":1} with 16:9, 5, 720p
    sd = OFFERS["seedance-v1-pro"]["wire"]["options"]
    assert (sd["aspectRatio"]["2"], sd["duration"]["0"], sd["resolution"]["1"]) == ("16:9", 5, "720p")


def test_root_media_helpers_and_hailuo_quirk():
    assert OFFERS["flux-2"]["wire"]["image_list"] == "imageURLList"
    assert OFFERS["flux-2"]["wire"]["image_list_from"] == "input_urls"
    assert OFFERS["runway-aleph"]["wire"]["video_list"] == "videoURLList"
    assert OFFERS["kling-2-6-motion"]["wire"]["video_list_from"] == "video_urls"
    # "On hailuo and hailuo-pro, input.image_urls is most reliable as a single URL string matching input.image_url."
    for offer_id in ("hailuo", "hailuo-pro"):
        assert OFFERS[offer_id]["wire"]["single_url_string_fields"] == ["image_urls"]
        assert OFFERS[offer_id]["wire"]["mirror_fields"] == {"image_urls": "image_url"}
    # "grok-imagine may return a .zip."
    assert OFFERS["grok-imagine"]["wire"]["result_may_be_zip"] is True
