"""The sandbox's own reading of Kubeez's docs: 001 (account tools) and 002 (media tools).

Written by hand from ``sandbox/docs/002_62763f2508daa9e8.txt`` and ``001_95614ec8e7b09961.txt``; every fact
carries the doc line it was read from (``line`` fields, and ``Model.doc`` for the model-level facts), so a test
that finds the studio reading a fact differently can name the line. Nothing here imports the studio or reads
``catalog/``.

Where the doc is silent the reading says so (``None``, an empty table) rather than guess: a model whose price
is "See get_models" has ``price=None``; a model for which no aspect-ratio list is written takes any ratio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs"
ACCOUNT = "001_95614ec8e7b09961.txt"
MEDIA = "002_62763f2508daa9e8.txt"

# --- generic generate_media parameters (002 lines 7-19) ---------------------------------------------------

GENERIC = {  # name -> the line of the parameter table
    "prompt": 9,
    "model": 10,
    "generation_type": 11,
    "negative_prompt": 12,
    "source_media_urls": 13,
    "aspect_ratio": 14,
    "duration": 15,
    "quality": 16,
    "resolution": 17,
    "sound": 18,
    "seed": 19,
}
GENERATION_TYPES = ("text-to-image", "text-to-video", "image-to-video", "image-to-image")  # line 11
DEFAULT_GENERATION_TYPE = ("text-to-image", 11)  # "Default: text-to-image."
DEFAULT_ASPECT_RATIO = ("1:1", 14)  # "Default: 1:1."
DEFAULT_SOUND = (False, 18)  # "Default: false."
# Line 138: "the backend classifies each URL by file extension — .jpg / .png / .webp → image, .mp4 / .mov /
# .webm → video, .mp3 / .wav / .m4a → audio".
EXTENSIONS = (
    {
        ".jpg": "image",
        ".jpeg": "image",
        ".png": "image",
        ".webp": "image",
        ".mp4": "video",
        ".mov": "video",
        ".webm": "video",
        ".mp3": "audio",
        ".wav": "audio",
        ".m4a": "audio",
    },
    138,
)
IMAGE_FILE_MAX_BYTES = (10 * 1024 * 1024, 102)  # "JPEG, PNG, WebP, typically 10 MB max per file"
VIDEO_FILE_MAX_BYTES = (100 * 1024 * 1024, 105)  # "video file typically up to 100 MB (MP4/WebM)"
LATEST_GENERATIONS = (20, ACCOUNT, 57)  # "Returns your latest 20 generations"
REST_REFERENCE_SECONDS = (15, 156)  # "billed the pessimistic worst case of 15s of reference video"
REFERENCE_CAP_SECONDS = (15, 142)  # "the sum of all reference video durations (capped at 15s per request)"

# --- trim_video (002 lines 248-309) --------------------------------------------------------------------
TRIM_MAX_WINDOW = (60, 264)  # "the resulting end_s − start_s range is capped at 60s"
TRIM_SOURCE_MAX_BYTES = (500 * 1024 * 1024, 290)  # "Source video > 500 MB"
TRIM_ERRORS = {  # code -> line of the Errors table
    "missing_source_url": 286,
    "unsafe_source_url": 287,
    "invalid_trim_range": 288,
    "trim_too_long": 289,
    "source_too_large": 290,
    "source_fetch_failed": 291,
    "ffmpeg_failed": 292,
    "processor_timeout": 293,
    "processor_unavailable": 294,
}
# Every error code 002 names for generate_media, with the line that names it.
MEDIA_ERRORS = {
    "variant_required": 221,
    "variant_mismatch": 113,
    "aspect_ratio_incompatible_with_high_res": 76,
    "aspect_ratio_invalid_for_model": 191,
    "unsupported_audio_url": 199,
    "too_many_videos": 159,
    "too_many_audios": 160,
    "too_many_images": 161,
}
VARIANT_REQUIRED_HINT = (
    "Ask the user which variant they want — resolution, draft vs standard, or with/without reference video. "
    "Pull pricing from get_models.",
    229,
)


@dataclass(frozen=True)
class Param:
    """One parameter a model uses, as the doc describes it.

    ``kind``: ``enum`` (``choices``), ``seconds`` (a whole number of seconds, ``"8s"`` or ``8``, within
    ``min``..``max``), ``seconds_choice`` (one of ``choices`` such as ``"5s"``), ``bool``, ``text``
    (``max_length``), ``string``, ``urls`` (source_media_urls), ``url`` (one URL), ``number``, ``list``,
    ``elements`` (Kling 3.0 kling_elements).
    """

    name: str
    kind: str
    line: int
    choices: tuple[Any, ...] = ()
    min: float | None = None
    max: float | None = None
    default: Any = None
    max_length: int | None = None
    required: bool = False
    error: str = "invalid_params"  # the code Kubeez answers for a value outside the documented ones


@dataclass(frozen=True)
class Inputs:
    """What ``source_media_urls`` may hold for one generation type: (min, max) of each kind of file."""

    line: int
    images: tuple[int, int] = (0, 0)
    videos: tuple[int, int] = (0, 0)
    audios: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Price:
    """A documented price, in Kubeez credits.

    ``flat``: per task. ``tiers``: per value of ``by`` (gpt-image-2's resolution). ``per_second``: per second
    of ``duration``, ``per_second_audio`` when ``sound`` is true (Kling 3.0). ``reference``: a video-ref
    variant, billed (reference seconds + output seconds) × rate, the reference at the REST worst case.
    ``row``: the model column of the price table when it is not the model id (Gemini Omni's ``hd`` rows).
    """

    line: int
    flat: Decimal | None = None
    by: str | None = None
    tiers: dict[str, Decimal] = field(default_factory=dict)
    per_second: Decimal | None = None
    per_second_audio: Decimal | None = None
    audio_line: int | None = None
    reference: bool = False
    row: str = ""


@dataclass(frozen=True)
class Model:
    id: str
    output: str  # image | video
    generation_types: tuple[str, ...]
    params: tuple[Param, ...]
    inputs: dict[str, Inputs]  # generation type -> what source_media_urls holds
    price: Price | None
    doc: dict[str, int]  # fact -> line: id, generation_types, prompt, price, ...
    family: str = ""  # a family label it is a variant of (002 line 219)
    video_audio: str | None = None  # get_models capabilities.video_audio (002 line 233)
    ignores: tuple[str, ...] = ()  # generic parameters this model is documented to ignore
    gemini: bool = False  # Gemini Omni's reference slots and refusals (002 lines 113, 172, 191, 199)
    video_ref: bool = False  # a -video-ref variant
    mismatch_variant: str = ""  # Gemini Omni: the -video-ref variant a duration variant sends a video to
    name: str = ""

    @property
    def fields(self) -> dict[str, Param]:
        return {param.name: param for param in self.params}


@dataclass(frozen=True)
class Family:
    label: str
    variants: tuple[str, ...]
    line: int  # where the variants are listed


# --- building blocks ------------------------------------------------------------------------------------


def _prompt(line: int = 9, max_length: int | None = None) -> Param:
    return Param("prompt", "text", line, max_length=max_length, required=True)


def _types(*types: str, line: int) -> Param:
    default = DEFAULT_GENERATION_TYPE[0] if DEFAULT_GENERATION_TYPE[0] in types else types[0]
    return Param("generation_type", "enum", line, choices=types, default=default)


SEED = Param("seed", "number", 19)
SOURCES = Param("source_media_urls", "urls", 13)
ANY_ASPECT = Param("aspect_ratio", "string", 14)  # no list written for the model: any ratio
SOUND = Param("sound", "bool", 233, default=DEFAULT_SOUND[0])


def _aspects(*choices: str, line: int, default: str | None = None, error: str = "invalid_params") -> Param:
    return Param("aspect_ratio", "enum", line, choices=choices, default=default, error=error)


def _negative(line: int, max_length: int | None = None) -> Param:
    return Param("negative_prompt", "text", line, max_length=max_length)


def _seconds(low: int, high: int, line: int) -> Param:
    return Param("duration", "seconds", line, min=low, max=high, required=True)


def _seconds_choice(*choices: str, line: int) -> Param:
    return Param("duration", "seconds_choice", line, choices=choices, required=True)


def _images(low: int, high: int, line: int) -> Inputs:
    return Inputs(line, images=(low, high))


UNPRICED = 124  # "See Account tools for model list and pricing." (the price is only in get_models)
NONE = Inputs(333)  # "Text-to-image and text-to-video: Do not send source_media_urls"


def _model(
    model_id: str,
    output: str,
    types: tuple[str, ...],
    *params: Param,
    inputs: dict[str, Inputs],
    doc: dict[str, int],
    price: Price | None = None,
    **extra: Any,
) -> Model:
    if not any(param.name == "source_media_urls" for param in params):
        params = (*params, SOURCES)  # what it may hold is ``inputs``: NONE is "Do not send" (line 333)
    return Model(model_id, output, types, params, inputs, price, doc, **extra)


def _models() -> list[Model]:
    models: list[Model] = []
    add = models.append

    # GPT Image 2 — resolution tiers, line 76: "1K (default), 2K, 4K | 11 / 15 / 21 credits | 2K and 4K require
    # an explicit non-square, non-auto aspect_ratio — one of 9:16, 16:9, 4:3, 3:4 ... 1K accepts every supported
    # aspect including auto/1:1."
    add(
        _model(
            "gpt-image-2",
            "image",
            ("text-to-image", "image-to-image"),
            _prompt(),
            _types("text-to-image", "image-to-image", line=70),
            SOURCES,
            _aspects("auto", "1:1", "9:16", "16:9", "4:3", "3:4", line=76, default="1:1"),
            Param("resolution", "enum", 76, choices=("1K", "2K", "4K"), default="1K"),
            SEED,
            inputs={"text-to-image": NONE, "image-to-image": Inputs(13, images=(1, 1 << 30))},
            price=Price(76, by="resolution", tiers={"1K": Decimal(11), "2K": Decimal(15), "4K": Decimal(21)}),
            doc={"id": 17, "generation_types": 70, "price": 76, "high_res": 76},
        )
    )

    # Kling 3.0 — duration line 50 "3s–15s ... Max 2500 chars"; inputs line 114 "1–2 images"; elements line 126;
    # rates lines 236-239; sound routes to the -audio rows (line 233).
    for model_id, silent, silent_line, audio, audio_line in (
        ("kling-3-0-std", Decimal(17), 238, Decimal(23), 239),
        ("kling-3-0-pro", Decimal(21), 236, Decimal(30), 237),
    ):
        add(
            _model(
                model_id,
                "video",
                ("text-to-video", "image-to-video"),
                _prompt(91, 2500),
                _types("text-to-video", "image-to-video", line=126),
                SOURCES,
                _seconds(3, 15, 50),
                SOUND,
                ANY_ASPECT,
                Param("kling_elements", "elements", 126),
                SEED,
                inputs={"text-to-video": NONE, "image-to-video": _images(1, 2, 114)},
                price=Price(silent_line, per_second=silent, per_second_audio=audio, audio_line=audio_line),
                doc={"id": 50, "generation_types": 126, "price": silent_line, "prompt": 91, "inputs": 114},
                video_audio="toggle_via_sound_param",
            )
        )

    # Seedance 2 — line 47 (4s–15s, references), line 133 (aspect ratios, prompt 2,500, generate_audio default
    # true), lines 136-137 (modes), 142 (billing), 146-155 (rates), 156 (REST worst case), 158-161 (hard limits).
    seedance_rates = {
        "seedance-2-1080p": (Decimal(75), 146),
        "seedance-2-1080p-video-ref": (Decimal(48), 147),
        "seedance-2-480p": (Decimal(18), 148),
        "seedance-2-480p-video-ref": (Decimal(13), 149),
        "seedance-2-720p": (Decimal(35), 150),
        "seedance-2-720p-video-ref": (Decimal(25), 151),
        "seedance-2-fast-480p": (Decimal(16), 152),
        "seedance-2-fast-480p-video-ref": (Decimal(12), 153),
        "seedance-2-fast-720p": (Decimal(29), 154),
        "seedance-2-fast-720p-video-ref": (Decimal(19), 155),
    }
    seedance_common = (
        _prompt(133, 2500),
        _aspects("1:1", "4:3", "3:4", "16:9", "9:16", "21:9", "adaptive", line=133, default="1:1"),
        _seconds(4, 15, 133),
        Param("generate_audio", "bool", 133, default=True),
        SEED,
    )
    for family, resolutions in (("seedance-2", ("480p", "720p", "1080p")), ("seedance-2-fast", ("480p", "720p"))):
        for resolution in resolutions:
            for reference in (False, True):
                model_id = f"{family}-{resolution}{'-video-ref' if reference else ''}"
                rate, line = seedance_rates[model_id]
                t2v = Inputs(136, images=(0, 9), videos=(1, 3) if reference else (0, 0), audios=(0, 3))
                i2v = Inputs(137, images=(1, 2), audios=(0, 3))
                types = ("text-to-video",) if reference else ("text-to-video", "image-to-video")
                add(
                    _model(
                        model_id,
                        "video",
                        types,
                        _types(*types, line=137 if reference else 136),
                        SOURCES,
                        *seedance_common,
                        inputs={"text-to-video": t2v} if reference else {"text-to-video": t2v, "image-to-video": i2v},
                        price=Price(line, per_second=rate, reference=reference),
                        doc={
                            "id": line,
                            "generation_types": 137 if reference else 136,
                            "price": line,
                            "prompt": 133,
                            "inputs": 112,
                            "aspect_ratio": 133,
                        },
                        family=family,
                        video_audio="included",
                        video_ref=reference,
                    )
                )

    # Gemini Omni Video — variant ids lines 169-171, prices lines 176-185 (720p and 1080p share the hd rows, line
    # 173), aspect ratio line 191, voices/characters 192-193, trim window 194-195, sources 199, slots 172.
    gemini_prices = {
        ("4k", "10s"): (Decimal(320), 176),
        ("4k", "4s"): (Decimal(230), 177),
        ("4k", "6s"): (Decimal(260), 178),
        ("4k", "8s"): (Decimal(290), 179),
        ("4k", "video-ref"): (Decimal(380), 180),
        ("hd", "10s"): (Decimal(200), 181),
        ("hd", "4s"): (Decimal(110), 182),
        ("hd", "6s"): (Decimal(140), 183),
        ("hd", "8s"): (Decimal(170), 184),
        ("hd", "video-ref"): (Decimal(260), 185),
    }
    for resolution, id_line in (("720p", 169), ("1080p", 170), ("4k", 171)):
        tier = "4k" if resolution == "4k" else "hd"
        for variant in ("4s", "6s", "8s", "10s", "video-ref"):
            amount, price_line = gemini_prices[(tier, variant)]
            model_id = f"gemini-omni-video-{resolution}-{variant}"
            reference = variant == "video-ref"
            trims = (
                (
                    Param("video_trim_start_s", "number", 194, min=0, max=30, default=0),
                    Param("video_trim_end_s", "number", 195, min=0, max=30),
                )
                if reference
                else ()
            )
            add(
                _model(
                    model_id,
                    "video",
                    ("image-to-video",),
                    _prompt(212),
                    SOURCES,
                    _aspects("16:9", "9:16", line=191, error="aspect_ratio_invalid_for_model"),
                    Param("voice_id", "string", 192),
                    Param("character_ids", "list", 193),
                    *trims,
                    SEED,
                    inputs={
                        "image-to-video": Inputs(172, images=(0, 5), videos=(1, 1))
                        if reference
                        else Inputs(172, images=(1, 7))
                    },
                    price=Price(price_line, flat=amount, row=f"gemini-omni-video-{tier}-{variant}"),
                    doc={
                        "id": id_line,
                        "generation_types": 172,
                        "price": price_line,
                        "inputs": 172,
                        "aspect_ratio": 191,
                    },
                    family="gemini-omni-video",
                    video_audio="included",
                    ignores=("resolution", "duration", "negative_prompt", "sound", "generation_type"),
                    gemini=True,
                    video_ref=reference,
                    mismatch_variant="" if reference else f"gemini-omni-video-{resolution}-video-ref",
                )
            )

    # Kling 2.6 — durations line 41 (5s, 10s, "with/without audio"), prompt line 89, input line 107.
    add(
        _model(
            "kling-2-6-text-to-video",
            "video",
            ("text-to-video",),
            _prompt(89, 2500),
            _types("text-to-video", line=41),
            _seconds_choice("5s", "10s", line=41),
            SOUND,
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": NONE},
            doc={"id": 41, "generation_types": 41, "prompt": 89, "price": UNPRICED},
            video_audio="toggle_via_sound_param",
        )
    )
    add(
        _model(
            "kling-2-6-image-to-video",
            "video",
            ("image-to-video",),
            _prompt(89, 2500),
            _types("image-to-video", line=41),
            SOURCES,
            _seconds_choice("5s", "10s", line=41),
            SOUND,
            ANY_ASPECT,
            SEED,
            inputs={"image-to-video": _images(1, 1, 107)},
            doc={"id": 41, "generation_types": 41, "prompt": 89, "inputs": 107, "price": UNPRICED},
            video_audio="toggle_via_sound_param",
        )
    )
    # Motion Control — line 105 (Kling 2.6), 106 (Kling 3.0): "1 image + 1 video"; the per-second table that line
    # 240 announces is not in the doc, so no price.
    for model_id, line in (
        ("kling-2-6-motion-control-720p", 105),
        ("kling-2-6-motion-control-1080p", 105),
        ("kling-3-0-motion-control-720p", 106),
        ("kling-3-0-motion-control-1080p", 106),
    ):
        add(
            _model(
                model_id,
                "video",
                ("image-to-video",),
                _prompt(),
                _types("image-to-video", line=335),
                SOURCES,
                ANY_ASPECT,
                SEED,
                inputs={"image-to-video": Inputs(line, images=(1, 1), videos=(1, 1))},
                doc={"id": line, "generation_types": 335, "inputs": line, "price": 240},
                family=model_id.rsplit("-", 1)[0],
                video_audio="included",
            )
        )

    # Wan — 2.5 line 42 (5s, 10s), negative prompt line 57, prompt 800 line 87, 1 image line 107;
    # 2.7 line 43 (2–15 s), negative prompt ≤ 500 line 58, prompt 5,000 line 88, first frame + last_frame_url 108.
    add(
        _model(
            "wan-2-5",
            "video",
            ("text-to-video", "image-to-video"),
            _prompt(87, 800),
            _types("text-to-video", "image-to-video", line=42),
            SOURCES,
            _negative(57),
            _seconds_choice("5s", "10s", line=42),
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": NONE, "image-to-video": _images(1, 1, 107)},
            doc={"id": 42, "generation_types": 42, "prompt": 87, "inputs": 107, "price": UNPRICED},
            video_audio="included",
        )
    )
    for model_id in ("wan-2-7-720p", "wan-2-7-1080p"):
        add(
            _model(
                model_id,
                "video",
                ("text-to-video", "image-to-video"),
                _prompt(88, 5000),
                _types("text-to-video", "image-to-video", line=43),
                SOURCES,
                Param("last_frame_url", "url", 108),
                _negative(58, 500),
                _seconds(2, 15, 43),
                ANY_ASPECT,
                SEED,
                inputs={"text-to-video": NONE, "image-to-video": _images(1, 1, 108)},
                doc={"id": 43, "generation_types": 43, "prompt": 88, "inputs": 108, "price": 43},
                video_audio="included",
            )
        )
    # Grok Imagine 1.5 preview — line 44 (image-to-video only, 2–15 s), line 109 (1 image, aspect ratios).
    for model_id in ("grok-imagine-video-1-5-preview-480p", "grok-imagine-video-1-5-preview-720p"):
        add(
            _model(
                model_id,
                "video",
                ("image-to-video",),
                _prompt(97, 5000),
                _types("image-to-video", line=44),
                SOURCES,
                _seconds(2, 15, 44),
                _aspects("auto", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", line=109, default="auto"),
                SEED,
                inputs={"image-to-video": _images(1, 1, 109)},
                doc={"id": 44, "generation_types": 44, "prompt": 97, "inputs": 109, "price": 44, "aspect_ratio": 109},
                video_audio="included",
            )
        )
    # grok-text-to-video-6s — line 49 "Fixed 6s | Duration parameter ignored."
    add(
        _model(
            "grok-text-to-video-6s",
            "video",
            ("text-to-video",),
            _prompt(97, 5000),
            _types("text-to-video", line=49),
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": NONE},
            doc={"id": 49, "generation_types": 49, "prompt": 97, "price": UNPRICED},
            video_audio="included",
            ignores=("duration",),
        )
    )
    # grok-image-to-video — line 51 (duration not configurable), line 107 (exactly one image).
    add(
        _model(
            "grok-image-to-video",
            "video",
            ("image-to-video",),
            _prompt(97, 5000),
            _types("image-to-video", line=107),
            SOURCES,
            ANY_ASPECT,
            SEED,
            inputs={"image-to-video": _images(1, 1, 107)},
            doc={"id": 51, "generation_types": 107, "prompt": 97, "inputs": 107, "price": UNPRICED},
            video_audio="included",
            ignores=("duration",),
        )
    )
    # v1-pro-fast-i2v (Seedance 1.0) — line 45 (5s, 10s), line 107 (1 image), line 242 (silent), prompt line 97.
    add(
        _model(
            "v1-pro-fast-i2v",
            "video",
            ("image-to-video",),
            _prompt(97, 5000),
            _types("image-to-video", line=107),
            SOURCES,
            _seconds_choice("5s", "10s", line=45),
            ANY_ASPECT,
            SEED,
            inputs={"image-to-video": _images(1, 1, 107)},
            doc={"id": 45, "generation_types": 107, "prompt": 97, "inputs": 107, "price": UNPRICED},
            video_audio="silent",
        )
    )
    # seedance-1-5-pro — line 46 (4s, 8s, 12s), line 111 / 130-131 (modes), sound toggle line 233.
    add(
        _model(
            "seedance-1-5-pro",
            "video",
            ("text-to-video", "image-to-video"),
            _prompt(),
            _types("text-to-video", "image-to-video", line=46),
            SOURCES,
            _seconds_choice("4s", "8s", "12s", line=46),
            SOUND,
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": _images(0, 1, 130), "image-to-video": _images(2, 2, 131)},
            doc={"id": 46, "generation_types": 46, "inputs": 111, "price": UNPRICED},
            video_audio="toggle_via_sound_param",
        )
    )
    # kling-2-5-image-to-video-pro — line 51 (duration not configurable), 59 (negative prompt), 92 (prompt),
    # 110 (start + end frame).
    add(
        _model(
            "kling-2-5-image-to-video-pro",
            "video",
            ("image-to-video",),
            _prompt(92, 2500),
            _types("image-to-video", line=110),
            SOURCES,
            _negative(59),
            ANY_ASPECT,
            SEED,
            inputs={"image-to-video": _images(2, 2, 110)},
            doc={"id": 59, "generation_types": 110, "prompt": 92, "inputs": 110, "price": UNPRICED},
            video_audio="included",
            ignores=("duration",),
        )
    )
    # Veo 3.1 — line 68 (veo3-1 and veo3-1-fast are two ids), 51 (veo3-1: duration not configurable), 97 (veo3-1
    # prompt 5,000), 123 (veo3-1 inputs by mode: 1 optional text-to-video ref; 2 first+last; 3 reference).
    # veo3-1-fast has none of those rows: its limits are not written.
    add(
        _model(
            "veo3-1",
            "video",
            ("text-to-video", "image-to-video"),
            _prompt(97, 5000),
            _types("text-to-video", "image-to-video", line=123),
            SOURCES,
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": _images(0, 1, 123), "image-to-video": _images(1, 3, 123)},
            doc={"id": 68, "generation_types": 123, "prompt": 97, "inputs": 123, "price": UNPRICED},
            video_audio="included",
            ignores=("duration",),
        )
    )
    add(
        _model(
            "veo3-1-fast",
            "video",
            ("text-to-video", "image-to-video"),
            _prompt(),
            _types("text-to-video", "image-to-video", line=123),
            SOURCES,
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": _images(0, 1 << 30, 13), "image-to-video": _images(1, 1 << 30, 13)},
            doc={"id": 68, "generation_types": 123, "price": UNPRICED},
            video_audio="included",
        )
    )
    # p-video-1080p — line 82 (a variant id), line 219 (the p-video family); nothing else is written.
    add(
        _model(
            "p-video-1080p",
            "video",
            ("text-to-video",),
            _prompt(),
            _types("text-to-video", line=82),
            ANY_ASPECT,
            SEED,
            inputs={"text-to-video": NONE},
            doc={"id": 82, "generation_types": 82, "price": UNPRICED},
            family="p-video",
        )
    )

    # --- image models (all "See get_models" for their price) ---
    # Nano Banana — example line 20-27 (text-to-image), inputs line 117 (10), prompt line 97 (5,000).
    add(
        _model(
            "nano-banana",
            "image",
            ("text-to-image", "image-to-image"),
            _prompt(97, 5000),
            _types("text-to-image", "image-to-image", line=117),
            SOURCES,
            ANY_ASPECT,
            SEED,
            inputs={"text-to-image": NONE, "image-to-image": _images(1, 10, 117)},
            doc={"id": 23, "generation_types": 117, "prompt": 97, "inputs": 117, "price": UNPRICED},
            ignores=("quality",),  # line 71: "For other models, quality is ignored."
        )
    )
    add(
        _model(
            "nano-banana-edit",
            "image",
            ("image-to-image",),
            _prompt(),
            _types("image-to-image", line=117),
            SOURCES,
            ANY_ASPECT,
            SEED,
            inputs={"image-to-image": _images(1, 10, 117)},
            doc={"id": 117, "generation_types": 117, "inputs": 117, "price": UNPRICED},
        )
    )
    for model_id, resolution_line, input_line, prompt_line in (
        ("nano-banana-pro", 78, 118, 98),
        ("nano-banana-2", 77, 119, 99),
    ):
        add(
            _model(
                model_id,
                "image",
                ("text-to-image", "image-to-image"),
                _prompt(prompt_line, 20000),
                _types("text-to-image", "image-to-image", line=input_line),
                SOURCES,
                ANY_ASPECT,
                Param("resolution", "enum", resolution_line, choices=("1K", "2K", "4K"), default="1K"),
                SEED,
                inputs={"text-to-image": NONE, "image-to-image": _images(1, 8, input_line)},
                doc={
                    "id": resolution_line,
                    "generation_types": input_line,
                    "prompt": prompt_line,
                    "inputs": input_line,
                    "price": resolution_line,
                },
            )
        )
    # Imagen 4 — line 56 (three ids, text-to-image, negative prompt), line 64 (quality maps to the variant),
    # line 97 (imagen-4: 5,000; the row names imagen-4 only).
    for model_id, prompt_max in (("imagen-4", 5000), ("imagen-4-fast", None), ("imagen-4-ultra", None)):
        add(
            _model(
                model_id,
                "image",
                ("text-to-image",),
                _prompt(97, prompt_max) if prompt_max else _prompt(),
                _types("text-to-image", line=56),
                _negative(56),
                Param("quality", "enum", 64, choices=("standard", "fast", "ultra")),
                ANY_ASPECT,
                SEED,
                inputs={"text-to-image": NONE},
                doc={"id": 56, "generation_types": 56, "price": UNPRICED, **({"prompt": 97} if prompt_max else {})},
            )
        )
    # Seedream — line 65 (v4: 1K/2K/4K), 66 (v4.5: basic/high), 93-94 (prompts), 115 (v4-edit: 10 images).
    for model_id, types, quality, quality_line, prompt_max, prompt_line, inputs in (
        ("seedream-v4", ("text-to-image",), ("1K", "2K", "4K"), 65, 2500, 93, {"text-to-image": NONE}),
        (
            "seedream-v4-edit",
            ("image-to-image",),
            ("1K", "2K", "4K"),
            65,
            2500,
            93,
            {"image-to-image": _images(1, 10, 115)},
        ),
        ("seedream-v4-5", ("text-to-image",), ("basic", "high"), 66, 3000, 94, {"text-to-image": NONE}),
        (
            "seedream-v4-5-edit",
            ("image-to-image",),
            ("basic", "high"),
            66,
            3000,
            94,
            {"image-to-image": _images(1, 1 << 30, 13)},
        ),
        ("5-lite-text-to-image", ("text-to-image",), ("basic", "high"), 67, 2995, 95, {"text-to-image": NONE}),
        (
            "5-lite-image-to-image",
            ("image-to-image",),
            ("basic", "high"),
            67,
            2995,
            95,
            {"image-to-image": _images(1, 10, 116)},
        ),
    ):
        add(
            _model(
                model_id,
                "image",
                types,
                _prompt(prompt_line, prompt_max),
                _types(*types, line=quality_line),
                *((SOURCES,) if "image-to-image" in types else ()),
                Param("quality", "enum", quality_line, choices=quality, default=quality[0]),
                ANY_ASPECT,
                SEED,
                inputs=inputs,
                doc={
                    "id": quality_line,
                    "generation_types": quality_line,
                    "prompt": prompt_line,
                    "price": UNPRICED,
                    **({"inputs": inputs["image-to-image"].line} if "image-to-image" in inputs else {}),
                },
            )
        )
    # Flux 2 — line 79 (1K/2K), 97 (flux-2 prompt 5,000), 121 (flux-2-edit: 8 images).
    add(
        _model(
            "flux-2",
            "image",
            ("text-to-image",),
            _prompt(97, 5000),
            _types("text-to-image", line=79),
            ANY_ASPECT,
            Param("resolution", "enum", 79, choices=("1K", "2K"), default="1K"),
            SEED,
            inputs={"text-to-image": NONE},
            doc={"id": 79, "generation_types": 79, "prompt": 97, "price": 79},
        )
    )
    add(
        _model(
            "flux-2-edit",
            "image",
            ("image-to-image",),
            _prompt(),
            _types("image-to-image", line=121),
            SOURCES,
            ANY_ASPECT,
            Param("resolution", "enum", 79, choices=("1K", "2K"), default="1K"),
            SEED,
            inputs={"image-to-image": _images(1, 8, 121)},
            doc={"id": 79, "generation_types": 121, "inputs": 121, "price": 79},
        )
    )
    # GPT Image 1.5 — line 96 (prompt 3,000), line 122 (image-to-image: 16).
    for model_id in ("gpt-1.5-image-medium", "gpt-1.5-image-high"):
        add(
            _model(
                model_id,
                "image",
                ("text-to-image", "image-to-image"),
                _prompt(96, 3000),
                _types("text-to-image", "image-to-image", line=122),
                SOURCES,
                ANY_ASPECT,
                SEED,
                inputs={"text-to-image": NONE, "image-to-image": _images(1, 16, 122)},
                doc={"id": 96, "generation_types": 122, "prompt": 96, "inputs": 122, "price": UNPRICED},
            )
        )
    # p-image-edit — line 120: image-to-image only, 1–8 URLs, aspect ratios, turbo (default on),
    # disable_safety_checker (default true), seed; prompt line 97.
    add(
        _model(
            "p-image-edit",
            "image",
            ("image-to-image",),
            _prompt(97, 5000),
            _types("image-to-image", line=120),
            SOURCES,
            _aspects("auto", "1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", line=120, default="auto"),
            Param("turbo", "bool", 120, default=True),
            Param("disable_safety_checker", "bool", 120, default=True),
            SEED,
            inputs={"image-to-image": _images(1, 8, 120)},
            doc={
                "id": 120,
                "generation_types": 120,
                "prompt": 97,
                "inputs": 120,
                "price": UNPRICED,
                "aspect_ratio": 120,
            },
        )
    )
    return models


@cache
def models() -> dict[str, Model]:
    """Every model id the docs name, by id."""
    return {model.id: model for model in _models()}


@cache
def families() -> dict[str, Family]:
    """The family labels that answer ``variant_required`` (002 line 219), with their variants."""
    by_family: dict[str, list[str]] = {}
    for model in _models():
        if model.family:
            by_family.setdefault(model.family, []).append(model.id)
    lines = {
        "seedance-2": 47,
        "seedance-2-fast": 224,
        "gemini-omni-video": 169,
        "p-video": 82,
        "kling-3-0-motion-control": 106,
        "kling-2-6-motion-control": 105,
    }
    found = {}
    for label, variants in by_family.items():
        if label in {"seedance-2", "seedance-2-fast"}:
            # The doc's own example (lines 224-227): plain resolutions first, then the video-ref ones.
            variants = [v for v in variants if not v.endswith("-video-ref")] + [
                v for v in variants if v.endswith("-video-ref")
            ]
        found[label] = Family(label, tuple(variants), lines[label])
    return found


def media_kind(url: str) -> str | None:
    """An URL's kind by its extension (002 line 138); None for an extension the doc does not list."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    for extension, kind in EXTENSIONS[0].items():
        if path.endswith(extension):
            return kind
    return None


@cache
def doc_lines(file: str = MEDIA) -> tuple[str, ...]:
    return tuple((DOCS / file).read_text(encoding="utf-8").splitlines())
