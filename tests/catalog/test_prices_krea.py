"""Krea prices and rules, checked against the compute-unit tables in Krea's OpenAPI file.

Every expected amount is copied from the endpoint's description table (the
quoted row is beside it), never computed. No database: the data file and the
pure engine only. Run: .venv/bin/python -m pytest tests/catalog/test_prices_krea.py -p no:django -q
"""

from __future__ import annotations

import importlib.util
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalog.datafile import provider_data_problems, provider_file_load
from catalog.pricing import QuoteError, offer_check, offer_price

REPO = Path(__file__).resolve().parents[2]
DATA = provider_file_load("krea")
OFFERS = {offer["id"]: offer for offer in DATA["offers"]}
UNIT = "compute units"
OPENAPI_PATH = REPO / "catalog" / "data" / "sources" / "krea-openapi.json"  # a copy of the seed


def _openapi() -> dict[str, Any]:
    text = OPENAPI_PATH.read_text(encoding="utf-8")
    return json.JSONDecoder().raw_decode(text, text.index("{"))[0]


def _fill(offer: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """``params`` plus a prompt and whatever else the offer requires and has no default for."""
    filled = dict(params)
    for spec in offer["fields"]:
        name = spec["name"]
        if name in filled or not spec.get("required") or "default" in spec:
            continue
        if spec["type"] == "text":
            filled[name] = "a lighthouse on a cliff at dusk"
        elif name in {"width", "height"}:
            filled[name] = 1024
        elif spec["type"] == "enum":
            filled[name] = spec["choices"][0]
        elif spec["type"] == "media":
            filled[name] = ["https://example.com/in.png"]
        elif name == "reference_images":  # Runway Gen-4 image: [{url, tag}], 1 to 3
            filled[name] = [{"url": "https://example.com/ref.png", "tag": "hero"}]
        else:
            raise AssertionError(f"{offer['id']}: no test value for required {name}")
    return filled


def quote(offer_id: str, **params: Any) -> Decimal:
    offer = OFFERS[offer_id]
    clean = offer_check(offer, _fill(offer, params))
    return offer_price(offer, clean, UNIT).amount


def refused(offer_id: str, **params: Any) -> QuoteError:
    offer = OFFERS[offer_id]
    with pytest.raises(QuoteError) as caught:
        offer_price(offer, offer_check(offer, _fill(offer, params)), UNIT)
    return caught.value


# --- the file -------------------------------------------------------------------


def test_file_passes_the_checker():
    assert provider_data_problems(DATA) == []
    assert DATA["unit"] == "compute units"
    assert len(DATA["offers"]) == 56  # 51 priced, and 5 endpoints without a price table


def test_file_is_what_the_build_script_writes():
    spec = importlib.util.spec_from_file_location("build_krea", REPO / "catalog" / "data" / "build_krea.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data, _ = module.krea_data_build(module.openapi_load(OPENAPI_PATH))
    assert json.loads(json.dumps(data)) == DATA


def test_every_generate_endpoint_is_an_offer_and_the_unpriced_ones_say_so():
    openapi = _openapi()
    paths = {p for p, ops in openapi["paths"].items() if p.startswith("/generate/") and "post" in ops}
    offered = {offer["wire"]["path"] for offer in DATA["offers"]}
    unpriced = {offer["wire"]["path"] for offer in DATA["offers"] if offer.get("unpriced")}
    assert offered == paths
    assert unpriced == {
        "/generate/enhance/topaz/generative-enhance",
        "/generate/enhance/topaz/standard-enhance",
        "/generate/enhance/topaz/bloom-enhance",
        "/generate/image/bytedance/seededit",
        "/generate/video/runway/aleph",
    }
    for path in unpriced:  # really no table: a price would have to be made up
        assert "Compute Units" not in openapi["paths"][path]["post"]["description"]


# --- flat prices ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_id", "amount"),
    [
        ("nano-banana", "22.3"),  # nano-banana: "| Compute Units |  | 22.3 |"
        ("flux-1.1-pro", "22.9"),  # flux-1.1-pro: "| 22.9 |"
        ("flux-1.1-pro-ultra", "34.4"),  # flux-1.1-pro-ultra: "| 34.4 |"
        ("ideogram-2-turbo", "14.3"),  # ideogram-2-turbo: "| 14.3 |"
        ("imagen-4", "22.9"),  # imagen-4: "| 22.9 |"
        ("imagen-4-fast", "11.5"),  # imagen-4-fast: "| 11.5 |"
        ("imagen-4-ultra", "34.4"),  # imagen-4-ultra: "| 34.4 |"
        ("seedream-4", "17.2"),  # seedream-4: "| 17.2 |"
        ("seedream-5-lite", "20.0"),  # seedream-5-lite: "| 20.0 |"
    ],
)
def test_flat_price(offer_id, amount):
    assert quote(offer_id) == Decimal(amount)
    assert "price_approximate" not in OFFERS[offer_id]


@pytest.mark.parametrize(
    ("offer_id", "amount", "seconds"),
    [
        ("flux-1-dev", "3", 7),  # flux-1-dev: "| ~3 | ~7 seconds |"
        ("flux-1-kontext-dev", "6", 23),  # flux-1-kontext-dev: "| ~6 | ~23 seconds |"
        ("runway-gen-4-image", "44", 38),  # gen-4-image: "| ~44 | ~38 seconds |"
        ("gpt-image", "179", 72),  # gpt-image: "| ~179 | ~72 seconds |"
        ("gpt-image-2", "127", 55),  # gpt-image-2: "| ~127 | ~55 seconds |"
        ("qwen-2512", "9", 22),  # qwen/2512: "| ~9 | ~22 seconds |"
        ("z-image", "1", 5),  # z-image: "| ~1 | ~5 seconds |"
        ("wan-2.1", "270", 97),  # wan-2.1: "| Duration | ... |  | - | ~270 | ~97 seconds |"
        ("wan-2.2", "287", 113),  # wan-2.2: "| - | ~287 | ~113 seconds |"
    ],
)
def test_approximate_flat_price_and_time(offer_id, amount, seconds):
    assert quote(offer_id) == Decimal(amount)
    assert OFFERS[offer_id]["price_approximate"] is True
    assert OFFERS[offer_id]["estimated_seconds"] == seconds


@pytest.mark.parametrize(
    ("offer_id", "amount"),
    [
        ("imagen-3", "22.9"),  # imagen-3: "| Model | Compute Units |  | Standard | 22.9 |" (no model field)
        ("hailuo", "246"),  # minimax/hailuo: "| Duration | Compute Units |  | 5s | 246 |" (no duration field)
        ("luma-ray-2", "229"),  # luma/ray-2: "| 5s | 229 |" (no duration field)
    ],
)
def test_single_row_table_with_a_column_no_field_selects(offer_id, amount):
    assert OFFERS[offer_id]["pricing"] == {"flat": amount}
    assert quote(offer_id) == Decimal(amount)


# --- tables by one field ------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_id", "resolution", "amount"),
    [
        ("nano-banana-pro", "1K", "60.1"),  # "| 1K | 60.1 |"
        ("nano-banana-pro", "2K", "60.1"),  # "| 2K | 60.1 |"
        ("nano-banana-pro", "4K", "120"),  # "| 4K | 120 |"
        ("nano-banana-2", "1K", "34.4"),  # "| 1K | 34.4 |"
        ("nano-banana-2", "2K", "57.8"),  # "| 2K | 57.8 |"
        ("nano-banana-2", "4K", "86.5"),  # "| 4K | 86.5 |"
    ],
)
def test_price_by_resolution(offer_id, resolution, amount):
    assert quote(offer_id, resolution=resolution) == Decimal(amount)


def test_resolution_defaults_to_1k():
    assert quote("nano-banana-pro") == Decimal("60.1")  # default 1K: "| 1K | 60.1 |"
    assert quote("nano-banana-2") == Decimal("34.4")  # default 1K: "| 1K | 34.4 |"


@pytest.mark.parametrize(
    ("offer_id", "duration", "amount"),
    [
        ("veo-2", 5, "1432"),  # veo-2: "| 5s | 1432 |"
        ("veo-2", 6, "1718"),  # "| 6s | 1718 |"
        ("veo-2", 7, "2005"),  # "| 7s | 2005 |"
        ("veo-2", 8, "2291"),  # "| 8s | 2291 |"
        ("runway-gen-4.5", 2, "137"),  # gen-4.5: "| 2s | 137 |"
        ("runway-gen-4.5", 7, "481"),  # "| 7s | 481 |"
        ("runway-gen-4.5", 10, "687"),  # "| 10s | 687 |"
        ("runway-gen-3", 10, "286"),  # gen-3: "| 10s | 286 |"
        ("runway-gen-4-video", 5, "143"),  # gen-4-video: "| 5s | 143 |"
        ("kling-2.5", 5, "200"),  # kling-2.5: "| 5s | 200 |"
        ("kling-2.5", 10, "401"),  # "| 10s | 401 |"
    ],
)
def test_price_by_duration(offer_id, duration, amount):
    assert quote(offer_id, duration=duration) == Decimal(amount)


def test_kling_2_same_price_for_both_modes():
    # kling-2: "| Duration | Compute Units |  | 5s | 802 |" (mode master|pro has no column)
    assert quote("kling-2", mode="master") == Decimal(802)
    assert quote("kling-2", mode="pro") == Decimal(802)


# --- tables by mode, audio, resolution and duration ------------------------------------


@pytest.mark.parametrize(
    ("offer_id", "mode", "duration", "amount"),
    [
        ("kling-1", "std", 5, "60.1"),  # kling-1: "| std | 5s | 60.1 |"
        ("kling-1", "std", 10, "120"),  # "| std | 10s | 120 |"
        ("kling-1", "pro", 5, "210"),  # "| pro | 5s | 210 |"
        ("kling-1", "pro", 10, "421"),  # "| pro | 10s | 421 |"
        ("kling-1.5", "pro", 10, "421"),  # kling-1.5: "| pro | 10s | 421 |"
        ("kling-1.6", "std", 10, "241"),  # kling-1.6: "| std | 10s | 241 |"
        ("kling-2.1", "pro", 10, "515"),  # kling-2.1: "| pro | 10s | 515 |"
        ("kling-2.1", "master", 5, "802"),  # "| master | 5s | 802 |"
        ("kling-2.1", "master", 10, "1604"),  # "| master | 10s | 1604 |"
    ],
)
def test_price_by_mode_and_duration(offer_id, mode, duration, amount):
    assert quote(offer_id, mode=mode, duration=duration) == Decimal(amount)


@pytest.mark.parametrize(
    ("audio", "duration", "amount"),
    [
        (False, 5, "200"),  # kling-2.6: "| No | 5s | 200 |"
        (False, 10, "401"),  # "| No | 10s | 401 |"
        (True, 5, "401"),  # "| Yes | 5s | 401 |"
        (True, 10, "802"),  # "| Yes | 10s | 802 |"
    ],
)
def test_kling_2_6_by_audio_and_duration(audio, duration, amount):
    assert quote("kling-2.6", generate_audio=audio, duration=duration) == Decimal(amount)


@pytest.mark.parametrize(
    ("mode", "audio", "duration", "amount"),
    [
        ("std", False, 5, "481"),  # kling-3.0: "| std | No | 5s | 481 |"
        ("std", True, 15, "2165"),  # "| std | Yes | 15s | 2165 |"
        ("pro", False, 3, "385"),  # "| pro | No | 3s | 385 |"
        ("pro", True, 12, "2309"),  # "| pro | Yes | 12s | 2309 |"
        ("4k", False, 15, "3608"),  # "| 4k | No | 15s | 3608 |"
        ("4k", True, 7, "1684"),  # "| 4k | Yes | 7s | 1684 |"
    ],
)
def test_kling_3_0_by_mode_audio_and_duration(mode, audio, duration, amount):
    assert quote("kling-3.0", mode=mode, generate_audio=audio, duration=duration) == Decimal(amount)


def test_kling_3_0_default_request():
    # defaults std, no audio, 5s: "| std | No | 5s | 481 |"
    assert quote("kling-3.0") == Decimal(481)


@pytest.mark.parametrize(
    ("offer_id", "resolution", "duration", "amount"),
    [
        ("wan-2.5", "480p", 10, "286"),  # wan-2.5: "| 480p | 10s | 286 |"
        ("wan-2.5", "720p", 7, "401"),  # "| 720p | 7s | 401 |"
        ("wan-2.5", "1080p", 10, "859"),  # "| 1080p | 10s | 859 |"
        ("grok-video", "480p", 1, "28.6"),  # grok-video: "| 480p | 1s | 28.6 |"
        ("grok-video", "480p", 13, "372"),  # "| 480p | 13s | 372 |"
        ("grok-video", "720p", 2, "80.2"),  # "| 720p | 2s | 80.2 |"
        ("grok-video", "720p", 15, "601"),  # "| 720p | 15s | 601 |"
        ("veo-3.1-lite", "720p", 4, "68.7"),  # veo-3.1-lite: "| 720p | 4s | 68.7 |"
        ("veo-3.1-lite", "1080p", 8, "229"),  # "| 1080p | 8s | 229 |"
        ("hailuo-02", "512p", 6, "57.3"),  # hailuo-02: "| 512p | 6s | 57.3 |"
        ("hailuo-02", "512p", 7, "180"),  # "| 512p | 7s | 180 |" (as documented; equals 768p)
        ("hailuo-02", "512p", 10, "85.9"),  # "| 512p | 10s | 85.9 |"
        ("hailuo-02", "1080p", 10, "515"),  # "| 1080p | 10s | 515 |"
        ("hailuo-2.3", "768p", 10, "321"),  # hailuo-2.3: "| 768p | 10s | 321 |"
        ("hailuo-2.3", "1080p", 10, "281"),  # "| 1080p | 10s | 281 |"
        ("hailuo-2.3-fast", "768p", 10, "183"),  # hailuo-2.3-fast: "| 768p | 10s | 183 |"
        ("hailuo-2.3-fast", "1080p", 6, "189"),  # "| 1080p | 6s | 189 |"
    ],
)
def test_price_by_resolution_and_duration(offer_id, resolution, duration, amount):
    assert quote(offer_id, resolution=resolution, duration=duration) == Decimal(amount)


@pytest.mark.parametrize(
    ("offer_id", "amount"),
    [
        ("wan-2.5", "430"),  # defaults 1080p, 5s: "| 1080p | 5s | 430 |"
        ("grok-video", "241"),  # defaults 720p, 6s: "| 720p | 6s | 241 |"
        ("veo-3.1-lite", "137"),  # defaults 720p, 8s: "| 720p | 8s | 137 |"
        ("hailuo-02", "155"),  # defaults 768p, 6s: "| 768p | 6s | 155 |"
        ("hailuo-2.3", "160"),  # defaults 768p, 6s: "| 768p | 6s | 160 |"
        ("veo-3.1", "916"),  # defaults 720p, no audio, 8s: "| 720p | No | 8s | 916 |"
        ("veo-3", "916"),  # defaults 720p, no audio, 8s: "| 720p | No | 8s | 916 |"
    ],
)
def test_default_request_price(offer_id, amount):
    assert quote(offer_id) == Decimal(amount)


@pytest.mark.parametrize(
    ("offer_id", "resolution", "audio", "duration", "amount"),
    [
        ("veo-3", "1080p", True, 6, "1375"),  # veo-3: "| 1080p | Yes | 6s | 1375 |"
        ("veo-3", "720p", False, 6, "687"),  # "| 720p | No | 6s | 687 |"
        ("veo-3-fast", "720p", True, 8, "687"),  # veo-3-fast: "| 720p | Yes | 8s | 687 |"
        ("veo-3-fast", "1080p", False, 6, "344"),  # "| 1080p | No | 6s | 344 |"
        ("veo-3.1", "4K", True, 8, "2749"),  # veo-3.1: "| 4K | Yes | 8s | 2749 |"
        ("veo-3.1", "1080p", True, 4, "916"),  # "| 1080p | Yes | 4s | 916 |"
        ("veo-3.1", "4K", False, 6, "1375"),  # "| 4K | No | 6s | 1375 |"
        ("veo-3.1-fast", "720p", False, 4, "183"),  # veo-3.1-fast: "| 720p | No | 4s | 183 |"
        ("veo-3.1-fast", "1080p", True, 8, "550"),  # "| 1080p | Yes | 8s | 550 |"
        ("veo-3.1-fast", "4K", True, 6, "1031"),  # "| 4K | Yes | 6s | 1031 |"
    ],
)
def test_veo_by_resolution_audio_and_duration(offer_id, resolution, audio, duration, amount):
    params = {"resolution": resolution, "generate_audio": audio, "duration": duration}
    assert quote(offer_id, **params) == Decimal(amount)


@pytest.mark.parametrize(
    ("offer_id", "resolution", "duration", "amount"),
    [
        ("seedance-1.0-pro", "720p", 5, "207"),  # seedance-1.0-pro: "| 720p | 5s | ~207 | ~57 seconds |"
        ("seedance-1.0-pro", "1080p", 10, "947"),  # "| 1080p | 10s | ~947 | ~133 seconds |"
        ("seedance-1.0-pro-fast", "480p", 2, "16"),  # seedance-1.0-pro-fast: "| 480p | 2s | ~16 | ~22 seconds |"
        ("seedance-1.0-pro-fast", "720p", 7, "115"),  # "| 720p | 7s | ~115 | ~42 seconds |"
        ("seedance-1.0-pro-fast", "1080p", 12, "466"),  # "| 1080p | 12s | ~466 | ~91 seconds |"
    ],
)
def test_approximate_table(offer_id, resolution, duration, amount):
    assert quote(offer_id, resolution=resolution, duration=duration) == Decimal(amount)
    assert OFFERS[offer_id]["price_approximate"] is True


def test_estimated_seconds_comes_from_the_default_row():
    # defaults 720p, 5s: "| 720p | 5s | ~207 | ~57 seconds |"
    assert OFFERS["seedance-1.0-pro"]["estimated_seconds"] == 57
    # defaults 720p, 5s: "| 720p | 5s | ~84 | ~36 seconds |"
    assert OFFERS["seedance-1.0-pro-fast"]["estimated_seconds"] == 36
    assert quote("seedance-1.0-pro-fast") == Decimal(84)
    assert "estimated_seconds" not in OFFERS["veo-3.1"]  # no time documented


# --- tables keyed on inputs rather than a field's value ------------------------------


@pytest.mark.parametrize(
    ("references", "amount"),
    [
        (0, "34.4"),  # ideogram-3: "| No | 34.4 |"
        (1, "85.9"),  # "| Yes | 85.9 |"
        (3, "85.9"),  # "| Yes | 85.9 |"
    ],
)
def test_ideogram_3_character_reference(references, amount):
    urls = [f"https://example.com/face{i}.png" for i in range(references)]
    params = {"character_reference_images": urls} if urls else {}
    assert quote("ideogram-3", **params) == Decimal(amount)


VIDEO_REFERENCE = {"url": "https://example.com/move.mp4", "tag": "dance"}


@pytest.mark.parametrize(
    ("reference", "duration", "amount"),
    [
        (False, 3, "192"),  # kling-o1: "| No | 3s | 192 |"
        (False, 10, "641"),  # "| No | 10s | 641 |"
        (True, 5, "481"),  # "| Yes | 5s | 481 |"
        (True, 10, "962"),  # "| Yes | 10s | 962 |"
    ],
)
def test_kling_o1_video_reference(reference, duration, amount):
    params: dict[str, Any] = {"duration": duration}
    if reference:
        params["video_reference"] = VIDEO_REFERENCE
    assert quote("kling-o1", **params) == Decimal(amount)


@pytest.mark.parametrize(
    ("params", "amount"),
    [
        ({}, "103"),  # ltx: "| No | 5s | 103 |"
        ({"duration": 20}, "408"),  # "| No | 20s | 408 |"
        ({"has_lora": True, "duration": 10}, "231"),  # "| Yes | 10s | 231 |"
        ({"styles": [{"id": "style-1", "strength": 1}], "duration": 20}, "459"),  # "| Yes | 20s | 459 |"
        ({"has_lora": False, "duration": 15}, "306"),  # "| No | 15s | 306 |"
    ],
)
def test_ltx_lora(params, amount):
    assert quote("ltx-video-2.3-22b", **params) == Decimal(amount)


def _style_images(count: int) -> list[dict[str, Any]]:
    return [{"url": f"https://example.com/ref{i}.png", "strength": 1} for i in range(count)]


@pytest.mark.parametrize(
    ("mode", "count", "amount"),
    [
        ("standard", 0, "23.1"),  # luma/uni-1: "| standard | 0 | 23.1 |"
        ("standard", 1, "24.9"),  # "| standard | 1 | 24.9 |"
        ("standard", 4, "30.0"),  # "| standard | 4 | 30.0 |"
        ("standard", 7, "35.2"),  # "| standard | 7 | 35.2 |"
        ("standard", 9, "38.6"),  # "| standard | 9 | 38.6 |"
        ("max", 0, "57.3"),  # "| max | 0 | 57.3 |"
        ("max", 5, "65.9"),  # "| max | 5 | 65.9 |"
        ("max", 9, "72.7"),  # "| max | 9 | 72.7 |"
    ],
)
def test_luma_uni_1_per_reference_image(mode, count, amount):
    params: dict[str, Any] = {"mode": mode}
    if count:
        params["style_images"] = _style_images(count)
    assert quote("luma-uni-1", **params) == Decimal(amount)


def test_luma_uni_1_at_most_nine_reference_images():
    error = refused("luma-uni-1", style_images=_style_images(10))
    assert error.code == "invalid_params"


# --- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer_id", "params"),
    [
        ("veo-3", {"duration": 4}),  # schema enum [4, 6, 8]; table rows 5s..8s only
        ("veo-3-fast", {"duration": 4}),
        ("seedance-1.0-pro-fast", {"duration": 9}),  # rows 2,3,4,5,6,7,8,10,12
        ("seedance-1.0-pro-fast", {"resolution": "1080p", "duration": 7}),  # 7s only at 720p
        ("runway-gen-4.5", {"duration": 5.5}),  # rows are whole seconds
    ],
)
def test_undocumented_combination_is_refused_not_guessed(offer_id, params):
    error = refused(offer_id, **params)
    assert error.code == "invalid_params"
    assert "no documented price" in error.message


@pytest.mark.parametrize(
    ("offer_id", "params"),
    [
        ("grok-video", {"duration": 16}),  # maximum 15
        ("kling-3.0", {"duration": 2}),  # minimum 3
        ("kling-2.1", {"mode": "std"}),  # table has std rows; the schema's enum is master|pro
        ("veo-3.1-lite", {"resolution": "4K"}),  # enum 720p|1080p
    ],
)
def test_out_of_schema_values_are_refused(offer_id, params):
    assert refused(offer_id, **params).code == "invalid_params"


def test_prompt_longer_than_max_length_is_refused():
    error = refused("kling-3.0", prompt="x" * 2501)  # "prompt": {"maxLength": 2500}
    assert error.code == "prompt_too_long"


# --- rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("offer_id", ["nano-banana", "nano-banana-2", "nano-banana-pro"])
def test_style_images_with_image_urls_is_refused(offer_id):
    # image_urls: "Image prompts to use for the generation. If provided, style images are ignored."
    style = [{"url": "https://example.com/s.png", "strength": 1}]
    error = refused(offer_id, image_urls=["https://example.com/a.png"], style_images=style)
    assert error.code == "invalid_params"
    assert quote(offer_id, style_images=style) > 0
    assert quote(offer_id, image_urls=["https://example.com/a.png"]) > 0


def test_runway_gen_4_image_needs_one_to_three_references():
    ref = {"url": "https://example.com/ref.png", "tag": "hero"}
    assert quote("runway-gen-4-image", reference_images=[ref] * 3) == Decimal(44)  # "| ~44 |"
    assert refused("runway-gen-4-image", reference_images=[ref] * 4).code == "invalid_params"  # maxItems 3
    assert refused("runway-gen-4-image", reference_images=[]).code == "invalid_params"  # minItems 1


def test_list_limits():
    urls = [f"https://example.com/{i}.png" for i in range(11)]
    assert refused("gpt-image-2", image_urls=urls).code == "too_many_files"  # maxItems 10
    assert quote("gpt-image-2", image_urls=urls[:10]) == Decimal(127)
    assert refused("grok-video", reference_images=urls[:8]).code == "too_many_files"  # maxItems 7
    two = _style_images(2)
    assert refused("flux-1-kontext-dev", style_images=two).code == "invalid_params"  # maxItems 1


# --- wire, families, fields -------------------------------------------------------------


def test_wire_says_how_urls_are_sent():
    assert OFFERS["flux-1-dev"]["wire"]["path"] == "/generate/image/bfl/flux-1-dev"
    assert OFFERS["flux-1-dev"]["wire"]["method"] == "POST"
    assert OFFERS["flux-1-dev"]["wire"]["single_url_fields"] == ["image_url"]
    assert OFFERS["gpt-image-2"]["wire"]["url_list_fields"] == ["image_urls"]
    assert "edit_video" in OFFERS["grok-video"]["wire"]["single_url_fields"]
    assert OFFERS["grok-video"]["wire"]["url_list_fields"] == ["reference_images"]


def test_shared_meanings():
    def shared(offer_id):
        return {f["shared"]: f["name"] for f in OFFERS[offer_id]["fields"] if "shared" in f}

    assert shared("wan-2.5") == {
        "prompt": "prompt",
        "source_images": "start_image",
        "aspect_ratio": "aspect_ratio",
        "resolution": "resolution",
        "duration": "duration",
        "seed": "seed",
        "source_audio": "audio_url",
        "sound": "generate_audio",
    }
    assert shared("qwen-2512")["negative_prompt"] == "negative_prompt"
    assert shared("nano-banana-pro")["source_images"] == "image_urls"
    assert shared("grok-video")["source_videos"] == "edit_video"


@pytest.mark.parametrize(
    ("offer_id", "family"),
    [
        ("nano-banana", "nano-banana"),
        ("nano-banana-2", "nano-banana-2"),
        ("nano-banana-pro", "nano-banana-pro"),
        ("gpt-image-2", "gpt-image-2"),
        ("kling-3.0", "kling-3-0"),
        ("kling-2.6", "kling-2-6"),
        ("kling-2.5", "kling-2-5"),
        ("kling-2.1", "kling-2-1"),
        ("veo-3", "veo-3"),
        ("veo-3-fast", "veo-3"),
        ("veo-3.1", "veo-3-1"),
        ("veo-3.1-fast", "veo-3-1"),
        ("veo-3.1-lite", "veo-3-1"),
        ("seedream-4", "seedream-4"),
        ("seedream-5-lite", "seedream-5-lite"),
        ("flux-1-kontext-dev", "flux-kontext"),
        ("imagen-4", "imagen-4"),
        ("imagen-4-fast", "imagen-4"),
        ("wan-2.5", "wan-2-5"),
        ("hailuo-2.3", "hailuo-2-3"),
        ("hailuo-2.3-fast", "hailuo-2-3"),
        ("runway-gen-4-video", "runway-gen-4"),
        ("luma-ray-2", "luma-ray-2"),
        ("ideogram-3", "ideogram-3"),
        ("grok-video", "grok-imagine-video"),
    ],
)
def test_family_keys(offer_id, family):
    assert OFFERS[offer_id]["family"] == family


def test_random_looking_seed_defaults_are_not_pinned():
    # flux-1-dev: "seed": {"default": 3317551338}; flux-1-kontext-dev: 3261419148 (drawn at doc build)
    for offer_id in ("flux-1-dev", "flux-1-kontext-dev"):
        seed = next(f for f in OFFERS[offer_id]["fields"] if f["name"] == "seed")
        assert "default" not in seed
    seed = next(f for f in OFFERS["imagen-4"]["fields"] if f["name"] == "seed")
    assert seed["default"] == 1337


# --- against the OpenAPI schema itself ----------------------------------------------------


def _request_schema_validator(openapi: dict[str, Any], path: str) -> Draft202012Validator:
    resource = Resource.from_contents(openapi, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:krea-openapi", resource)
    pointer = (
        "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/post/requestBody/content/application~1json/schema"
    )
    return Draft202012Validator({"$ref": "urn:krea-openapi#" + pointer}, registry=registry)


def _wire_body(offer: dict[str, Any], clean: dict[str, Any]) -> dict[str, Any]:
    """What a client would send: numbers back to JSON numbers, one-URL fields as strings."""
    single = set(offer["wire"]["single_url_fields"])
    body: dict[str, Any] = {}
    for name, value in clean.items():
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        if name in single:
            if not value:
                continue
            value = value[0]
        body[name] = value
    return body


def _schema_of(openapi: dict[str, Any], path: str) -> dict[str, Any]:
    return openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize("offer_id", sorted(OFFERS))
def test_default_request_is_valid_for_the_openapi_schema(offer_id):
    openapi = _openapi()
    offer = OFFERS[offer_id]
    path = offer["wire"]["path"]
    example = openapi["paths"][path]["post"]["requestBody"]["content"]["application/json"].get("example", {})
    required = {f["name"] for f in offer["fields"] if f.get("required") and "default" not in f}
    params = _fill(offer, {k: v for k, v in example.items() if k in required})
    clean = offer_check(offer, params)
    if not offer.get("unpriced"):
        assert offer_price(offer, clean, UNIT).amount > 0
    body = _wire_body(offer, clean)
    errors = [f"{list(e.path)}: {e.message}" for e in _request_schema_validator(openapi, path).iter_errors(body)]
    assert errors == []


@pytest.mark.parametrize("offer_id", sorted(OFFERS))
def test_fields_mirror_the_openapi_schema(offer_id):
    openapi = _openapi()
    offer = OFFERS[offer_id]
    schema = _schema_of(openapi, offer["wire"]["path"])
    fields = {f["name"]: f for f in offer["fields"]}
    assert list(fields) == list(schema["properties"])
    for name, prop in schema["properties"].items():
        spec = fields[name]
        assert spec["required"] == (name in schema.get("required", [])), name
        if "enum" in prop:
            assert spec["choices"] == [v for v in prop["enum"] if v is not None], name
        for ours, theirs in (("min", "minimum"), ("max", "maximum"), ("max_length", "maxLength")):
            assert spec.get(ours) == prop.get(theirs), (name, ours)
        for ours, theirs in (("min_count", "minItems"), ("max_count", "maxItems")):
            if theirs in prop:
                assert spec[ours] == prop[theirs], (name, ours)
        if "default" in prop and name != "seed":
            assert spec["default"] == prop["default"], name
        types = prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")]
        if spec["type"] == "media" and "array" not in types:
            assert spec["max_count"] == 1 and name in offer["wire"]["single_url_fields"], name
        if spec["type"] in {"integer", "number", "boolean"}:
            assert spec["type"] in types, name
        if re.search(r"(^|_)urls?$", name):
            assert spec["type"] == "media", name


@pytest.mark.parametrize("offer_id", sorted(OFFERS))
def test_request_with_every_media_field_is_valid_for_the_openapi_schema(offer_id):
    """One URL in each media field: single-URL fields go out as strings, lists as lists."""
    openapi = _openapi()
    offer = OFFERS[offer_id]
    extension = {"image": "png", "video": "mp4", "audio": "mp3"}
    media = {
        f["name"]: [f"https://example.com/{f['name']}.{extension[f['kinds'][0]]}"]
        for f in offer["fields"]
        if f["type"] == "media"
    }
    clean = offer_check(offer, _fill(offer, media))
    assert offer.get("unpriced") or offer_price(offer, clean, UNIT).amount > 0
    body = _wire_body(offer, clean)
    for name in offer["wire"]["single_url_fields"]:
        assert isinstance(body[name], str)
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in _request_schema_validator(openapi, offer["wire"]["path"]).iter_errors(body)
    ]
    assert errors == []
