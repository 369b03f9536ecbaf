"""The sandbox's own reading of Kubflow's docs page (``sandbox/docs/000_e61acbf41d7f583a.txt``).

Every fact carries the doc line it was read from (1-based, as ``sed -n`` counts). The price list is parsed
from the vendored file (its lines are regular: ``Name id | price |`` under a category heading that states how
many models follow); the API surface, the request schema, the status fields and the error table are written
out by hand with their lines. :func:`problems` checks both against the file, so a line that moves or a
cell that changes is noticed.

What the page does not say and the sandbox must still decide is marked as the sandbox's own rule
(``Interpretation``), never as a doc fact: which inputs a model cannot run without (read from its name),
and what a per-second price counts.

Nothing here imports the studio or reads ``catalog/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

DOC = "000_e61acbf41d7f583a.txt"
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / DOC

CATEGORIES = ("image", "video", "audio", "text", "utility")


@cache
def doc_lines() -> tuple[str, ...]:
    return tuple(DOC_PATH.read_text(encoding="utf-8").splitlines())


# --- the price list (lines 3-80) --------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    """One cell of the price list, as numbers.

    ``low`` == ``high`` for a single figure. ``per`` is "request", "s" or "min". ``tiers`` holds the only
    cell that names what moves the price (Topaz Video Upscale: "8 credits/s (1x/2x), 14 credits/s (4x)").
    """

    text: str  # the cell as written
    low: Decimal
    high: Decimal
    per: str = "request"
    estimate: bool = False  # written "est."
    approximate: bool = False  # written "~"
    tiers: tuple[tuple[tuple[str, ...], Decimal], ...] = ()

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    category: str
    price: Price
    line: int
    # The sandbox's reading of what the model cannot run without (not a doc fact: the page names no
    # per-model inputs; see NEEDS below). Only image and video models can be run through the API.
    needs: tuple[str, ...] = ()
    # What a per-second price counts, for models whose output follows an input clip (see FOLLOWS_INPUT).
    follows_input: str | None = None


_HEADING = re.compile(r"^(\d+) models\| Model \| Price \|$")
_ROW = re.compile(r"^(?P<name>.+) (?P<id>[a-z0-9][a-z0-9.\-/]*) \| (?P<price>[^|]+) \|$")
_FIGURE = r"(\d+(?:\.\d+)?)"


def price_parse(text: str) -> Price:
    """A price cell: "14 credits", "8-18 credits", "14-27 credits/s", "2-8 credits est.", "~3 credits",
    "3.5 credits/min", "8 credits/s (1x/2x), 14 credits/s (4x)". Anything else is a ValueError."""
    cell = text.strip()
    tiered = re.fullmatch(rf"{_FIGURE} credits/s \(([^)]+)\), {_FIGURE} credits/s \(([^)]+)\)", cell)
    if tiered:
        first, first_names, second, second_names = tiered.groups()
        tiers = (
            (tuple(first_names.split("/")), Decimal(first)),
            (tuple(second_names.split("/")), Decimal(second)),
        )
        amounts = [amount for _, amount in tiers]
        return Price(cell, min(amounts), max(amounts), per="s", tiers=tiers)
    match = re.fullmatch(rf"(~)?{_FIGURE}(?:-{_FIGURE})? credits(/s|/min)?( est\.)?", cell)
    if not match:
        raise ValueError(f"unreadable price {cell!r}")
    approximate, low, high, per, estimate = match.groups()
    return Price(
        cell,
        Decimal(low),
        Decimal(high or low),
        per={"/s": "s", "/min": "min"}.get(per or "", "request"),
        estimate=bool(estimate),
        approximate=bool(approximate),
    )


# Interpretation: the inputs a model cannot run without, read from its name in the price list (the page
# documents no per-model inputs: "Model capability and parameter detail should be read from GET
# /api/v1/models", line 97, which is this sandbox). The names are the request schema's own (line 112:
# "aspect_ratio, resolution, duration, image_url, video_url, sound, or mode"). A generator needs a prompt
# ("400 | Missing model, prompt, category, or required params", line 208); an edit, an image-to-video or a
# tool needs the media it works on. Anything not listed is optional.
NEEDS: dict[str, tuple[str, ...]] = {
    # image generators (text-to-image, with an optional reference)
    **{
        model: ("prompt",)
        for model in (
            "flux-2-flex",
            "flux-2-pro",
            "gpt-image-1.5",
            "gpt-image-2",
            "gpt-4o-image",
            "grok-imagine-text-to-image",
            "nano-banana",
            "nano-banana-2",
            "nano-banana-pro",
            "bytedance-seedream-v4",
            "seedream-4.5-text-to-image",
            "seedream-5-lite",
            "z-image",
        )
    },
    "seedream-4.5-edit": ("prompt", "image_url"),  # "Seedream 4.5 Edit": an edit of a given image
    "image-passthrough": ("image_url",),  # "Input Image"
    "recraft-remove-background": ("image_url",),
    "topaz-image-upscale": ("image_url",),
    # video generators
    **{
        model: ("prompt",)
        for model in (
            "veo3",
            "grok-imagine-text-to-video",
            "kling-2.6",
            "kling-3.0",
            "kling-3.0-elements",
            "seedance-2.0-kie",
            "seedance-2.0-fast",
        )
    },
    "grok-imagine-image-to-video": ("prompt", "image_url"),  # "Image to Video"
    "kling-2.6/motion-control": ("video_url",),  # motion taken from a given clip
    "kling-3.0/motion-control": ("video_url",),
    "add-audio": ("video_url",),
    "add-subtitles": ("video_url",),
    "video-passthrough": ("video_url",),  # "Input Video"
    "stitch-videos": ("video_url",),
    "topaz-video-upscale": ("video_url",),
}

# Interpretation: whose seconds a "credits/s" price counts. The page writes "credits/s" without saying of
# what. The sandbox bills the seconds of the video it delivers; a motion transfer and an upscale deliver a
# video as long as the clip they were given, so for them that clip's seconds are billed (and an isolation or
# a transcript, the recording's).
FOLLOWS_INPUT: dict[str, str] = {
    "kling-2.6/motion-control": "video_url",
    "kling-3.0/motion-control": "video_url",
    "topaz-video-upscale": "video_url",
    # not runnable through the API (audio and utility, line 110), read the same way for completeness
    "elevenlabs-audio-isolation": "audio_url",  # the voice of a given recording, as long as it
    "elevenlabs-stt": "audio_url",  # Speech to Text: "3.5 credits/min" of the recording transcribed
}


@cache
def models() -> tuple[Model, ...]:
    """Every row of the price list, in the page's order (lines 5-80)."""
    found: list[Model] = []
    category: str | None = None
    expected: dict[str, int] = {}
    for number, text in enumerate(doc_lines(), start=1):
        if text == "API Reference":
            break
        if text in CATEGORIES:
            category = text
            continue
        heading = _HEADING.match(text)
        if heading and category:
            expected[category] = int(heading.group(1))
            continue
        row = _ROW.match(text)
        if row and category and text != "|---|---|":
            found.append(
                Model(
                    id=row["id"],
                    name=row["name"],
                    category=category,
                    price=price_parse(row["price"]),
                    line=number,
                    needs=NEEDS.get(row["id"], ()),
                    follows_input=FOLLOWS_INPUT.get(row["id"]),
                )
            )
    counted = {c: sum(1 for m in found if m.category == c) for c in CATEGORIES}
    if counted != expected:
        raise ValueError(f"{DOC}: the price list's headings say {expected}, its rows give {counted}")
    return tuple(found)


@cache
def models_by_id() -> dict[str, Model]:
    return {model.id: model for model in models()}


def model_get(model_id: str) -> Model | None:
    return models_by_id().get(model_id)


# --- the API reference (lines 81-210) ---------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One statement of the page, with the line it is on and a snippet of that line as written."""

    line: int
    quote: str
    value: object = None


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    line: int
    purpose: str


ENDPOINTS = (
    Endpoint("GET", "/api/v1/openapi.json", 100, "Public OpenAPI schema for tooling and GPT Actions."),
    Endpoint("GET", "/api/v1/me", 101, "Returns the authenticated account, plan, and API access state."),
    Endpoint("GET", "/api/v1/models", 102, "Lists available API models. Optional category=image or category=video."),
    Endpoint("POST", "/api/v1/generations", 103, "Creates an image or video generation job."),
    Endpoint(
        "GET",
        "/api/v1/generations/{generation_id}",
        104,
        "Polls job state, progress, result URLs, outputs, and errors.",
    ),
)
PUBLIC_PATHS = {"/api/v1/openapi.json"}  # "Public OpenAPI schema" (line 100); "Every private endpoint" (line 92)

AUTH_PREFERRED = Fact(94, "Authorization: Bearer kf_live_YOUR_KEY", "authorization")
AUTH_ALIASES = (
    Fact(95, "x-kubflow-api-key: kf_live_YOUR_KEY", "x-kubflow-api-key"),
    Fact(96, "x-api-key: kf_live_YOUR_KEY", "x-api-key"),
)
AUTH_HEADERS = (AUTH_PREFERRED.value, *(alias.value for alias in AUTH_ALIASES))
KEY_EXAMPLE = Fact(94, "kf_live_YOUR_KEY", "kf_live_YOUR_KEY")

# Request schema (lines 107-112): top-level fields; "Model-specific controls belong inside params" (line 106).
REQUEST_FIELDS = {
    "model": Fact(109, "| model | string | Required.", {"type": "string", "required": True}),
    "category": Fact(110, "| category | image | video | Optional but recommended.", {"required": False}),
    "prompt": Fact(111, "| prompt | string | Top-level prompt. You can also pass params.prompt.", {"type": "string"}),
    "params": Fact(112, "| params | object | Model-specific inputs", {"type": "object"}),
}
DIRECT_CATEGORIES = Fact(110, "Direct API generation currently accepts image and video.", ("image", "video"))
PARAM_NAMES = Fact(
    112,
    "aspect_ratio, resolution, duration, image_url, video_url, sound, or mode",
    ("aspect_ratio", "resolution", "duration", "image_url", "video_url", "sound", "mode"),
)

# The create answer: "store the returned generation_id" (line 84), "Poll the returned status_url" (line 88).
CREATE_FIELDS = {
    "generation_id": Fact(84, "store the returned generation_id"),
    "status_url": Fact(88, "Poll the returned status_url"),
}
FINAL_STATUSES = Fact(88, "until status is completed, failed, or canceled", ("completed", "failed", "canceled"))

# The status example (lines 143-150).
STATUS_FIELDS = {
    "generation_id": Fact(144, '"generation_id": "gen_123"', str),
    "status": Fact(145, '"status": "completed"', str),
    "progress": Fact(146, '"progress": 100', int),
    "result_url": Fact(147, '"result_url": "https://..."', str),
    "outputs": Fact(148, '"outputs": ["https://..."]', list),
    "error": Fact(149, '"error": null', type(None)),
}


@dataclass(frozen=True)
class DocError:
    status: str  # "401" ... or "5xx"
    meaning: str
    fix: str
    line: int


ERRORS = (
    DocError(
        "401",
        "Missing or invalid API key.",
        "Send Authorization: Bearer kf_live_YOUR_KEY or a supported API key header.",
        206,
    ),
    DocError("403", "Account plan does not have API access.", "Use a Growth plan or an approved account.", 207),
    DocError(
        "400",
        "Missing model, prompt, category, or required params.",
        "Check the model table and GET /api/v1/models for required inputs.",
        208,
    ),
    DocError(
        "404",
        "Generation was not found for the authenticated user.",
        "Confirm generation_id and API key ownership.",
        209,
    ),
    DocError("5xx", "Provider or Kubflow processing error.", "Retry later or surface the returned error message.", 210),
)
ERRORS_BY_STATUS = {error.status: error for error in ERRORS}


@dataclass(frozen=True)
class Example:
    """A documented request: its first line (the ``curl``) and its body's lines."""

    name: str
    line: int  # the curl line
    body_lines: tuple[int, int]  # first and last line of the JSON body, the braces included
    headers: tuple[str, ...] = field(
        default=("Authorization: Bearer kf_live_YOUR_KEY", "Content-Type: application/json")
    )


EXAMPLES = (
    Example("text-to-image", 115, (115, 123)),
    Example("text-to-video", 123, (123, 133)),
    Example("image-to-video", 133, (133, 143)),
)
STATUS_EXAMPLE = Example("status polling", 143, (143, 150), headers=("Authorization: Bearer kf_live_YOUR_KEY",))


def example_text(example: Example) -> str:
    """The JSON text of an example: from the ``{`` after ``-d '`` (or after the status curl's header) to its
    closing ``}`` (before ``'`` or the next section's name)."""
    first, last = example.body_lines
    chunk = list(doc_lines()[first - 1 : last])
    head = chunk[0]
    chunk[0] = head[head.rindex("{") :]
    tail = chunk[-1]
    chunk[-1] = tail[: tail.index("}") + 1]
    return "\n".join(chunk)


# --- checks against the file ---------------------------------------------------------------------------


def problems() -> list[str]:
    """Every fact whose cited line no longer says what this reading says it does."""
    found = []
    lines = doc_lines()

    def says(number: int, quote: str) -> None:
        if not 0 < number <= len(lines) or quote not in lines[number - 1]:
            found.append(f"{DOC} line {number} does not contain {quote!r}")

    for model in models():
        says(model.line, f"{model.name} {model.id} | {model.price.text} |")
    for model_id in (*NEEDS, *FOLLOWS_INPUT):
        if model_id not in models_by_id():
            found.append(f"{model_id} has inputs in this reading but no row in the price list")
    for endpoint in ENDPOINTS:
        says(endpoint.line, f"| {endpoint.method} | {endpoint.path} | {endpoint.purpose} |")
    for fact in (AUTH_PREFERRED, *AUTH_ALIASES, KEY_EXAMPLE, DIRECT_CATEGORIES, PARAM_NAMES, FINAL_STATUSES):
        says(fact.line, fact.quote)
    for fact in (*REQUEST_FIELDS.values(), *CREATE_FIELDS.values(), *STATUS_FIELDS.values()):
        says(fact.line, fact.quote)
    for error in ERRORS:
        says(error.line, f"| {error.status} | {error.meaning} | {error.fix} |")
    for example in EXAMPLES:
        says(example.line, "curl -X POST https://app.kubflow.com/api/v1/generations")
    says(STATUS_EXAMPLE.line, "curl https://app.kubflow.com/api/v1/generations/gen_123")
    return found
