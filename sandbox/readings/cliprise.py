"""The sandbox's own reading of Cliprise's Business API reference (``sandbox/docs/004_fb39d99173eef484.txt``).

Written by hand from the doc, never from the studio: nothing here imports the studio or reads
the studio's catalog data. Every fact carries the number of the doc line it was read from (1-based, as an editor
shows it). The values are transcribed here; the line numbers are found in the vendored file at import
and each one is checked to hold what it is cited for (``_verify``), so a fact that loses its line fails
loudly instead of drifting.

What is read:

- **The 55 catalog entries** (the Model Catalog table, lines 214-272): 54 primary routes and the
  ``kling-2-5`` compatibility alias, each with its card (Input Parameters): required and optional
  fields, allowed values, root-only or ``input`` body, routed request values, ``options`` keys, where
  the root helpers ``imageURLList`` / ``videoURLList`` are routed, and the refusals the card states.
- **The request model values**: five families take a routed value ("Do not send base model …"), so
  their base ids are not request values; everything else is requested by its catalog id.
- **The generate and status protocol**: the error table, the status states, the Input Types table.
- **The Pricing Reference** (lines 1091-1154), every cell. How ranges are charged is the sandbox's
  rule, stated on :class:`Range`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DOC = "004_fb39d99173eef484.txt"
PATH = Path(__file__).resolve().parents[1] / "docs" / DOC


@cache
def doc_lines() -> tuple[str, ...]:
    return tuple(PATH.read_text(encoding="utf-8").splitlines())


def _words(names: str) -> list[str]:
    return names.split()


def find(needle: str, *, after: int = 0, start: bool = False) -> int:
    """The number of the first line after line ``after`` containing ``needle`` (at its start with ``start``)."""
    for number, text in enumerate(doc_lines(), start=1):
        if number > after and (text.startswith(needle) if start else needle in text):
            return number
    raise LookupError(f"{DOC}: no line after {after} holds {needle!r}")


def text(number: int) -> str:
    return doc_lines()[number - 1]


# --- the protocol ---------------------------------------------------------------------------------

HOST = "business.api.cliprise.app"
GENERATE = "/app/cliprise/generate"
STATUS = "/app/cliprise/status"
REQUIRED_MSG = "This field is required"


@dataclass(frozen=True)
class Fact:
    """One documented fact and the doc line it is read from."""

    value: Any
    line: int


def _fact(value: Any, needle: str, *, after: int = 0) -> Fact:
    return Fact(value, find(needle, after=after))


PROTOCOL: dict[str, Fact] = {
    "host": _fact(HOST, "Host gate: Both endpoints require the Host header to be exactly business.api.cliprise.app"),
    "generate": _fact(GENERATE, "GeneratePOST /app/cliprise/generate"),
    "status": _fact(STATUS, "Status / downloadGET /app/cliprise/status"),
    "bearer": _fact("Authorization: Bearer", "AuthAuthorization: Bearer <API_KEY>"),
    "status_key": _fact("apiKey", "apiKeyYesYour Cliprise API key"),
    "success_body": _fact([{"code": 200, "taskId": "f11021d5b56bc19932b336ac0dbf413f"}], '[{"code": 200, "taskId"'),
    "array_or_object": _fact("Array[0].taskId and .taskId", "Handle both Array[0].taskId and .taskId"),
    "application_error": _fact({"code": 400, "msg": REQUIRED_MSG, "data": None}, '{"code": 400, "msg": "This field'),
    "wrong_host": _fact((400, b""), "Wrong host header400empty body"),
    "invalid_api_key": _fact(
        (400, {"msg": "invalid_api_key"}), 'Missing or invalid API key400{"msg": "invalid_api_key"}'
    ),
    "invalid_model_id": _fact((400, {"msg": "invalid_model_id"}), 'Invalid model ID400{"msg": "invalid_model_id"}'),
    "insufficient_credits": _fact((200, "insufficient_credits", "action_url"), "Insufficient credits200insufficient"),
    "missing_field": _fact((200, {"code": 400, "msg": REQUIRED_MSG, "data": None}), "Missing required field200"),
    "app_errors_in_200": _fact(
        "missing fields, wrong enum value, insufficient credits", "Application-level errors (missing fields, wrong enum"
    ),
    "processing": _fact((300, {"status": "processing"}), 'Processing 300 {"status": "processing"}'),
    "complete": _fact((200, "fileURL"), "Complete (JSON) 200 status field + fileURL"),
    "binary": _fact((200, "download=true"), "Complete (binary) 200 Raw file bytes when download=true"),
    "download_param": _fact("true", "downloadNoPass string true"),
    "failed": _fact((400, "failMsg"), "Failed 400 status + failMsg"),
    "invalid_key_status": _fact((400, {"msg": "invalid_api_key"}), 'Invalid key 400 {"msg": "invalid_api_key"}'),
    "invalid_task": _fact((400, {"msg": "invalid_taskId"}), 'Invalid taskId 400 {"msg": "invalid_taskId"}'),
    "callback_required": _fact("Yes (live)", "callBackUrlHTTPS URLYes (live)"),
    "input_required": _fact("Yes*", "inputobjectYes*"),
    "options_string": _fact("a JSON string, not a JSON object", "options encoding: The options field must be a JSON"),
    "image_list_string": _fact("stringified JSON array", "imageURLListstringified JSON arrayConditional"),
    "video_list_string": _fact("stringified JSON array", "videoURLListstringified JSON arrayConditional"),
    "root_only_input_ignored": _fact("no effect", "Sending an input object for these models has no effect"),
    "public_urls": _fact(("http://", "https://"), "Media URL requirements: When you send source image"),
    "charged_on_accept": _fact("deducted when a task is accepted", "Credits are deducted when a task is accepted"),
    "refused_free": _fact("do not consume credits", "do not consume credits"),
    "zip": _fact("grok-imagine may return a .zip", "Some models (e.g. grok-imagine) may return a .zip"),
}

# The Input Types table: the JSON type each field name travels as.
INPUT_TYPES_LINE = find("Field patternExpected JSON typeCommon fields")
SINGLE_URL = Fact(
    frozenset(_words("image_url video_url audio_url imageUrl videoUrl inputImage referenceImage fileUrl image")),
    find("Single media URLstring"),
)
URL_LIST = Fact(
    frozenset(_words("image_urls video_urls input_urls reference_image_urls image_input")),
    find("Media URL listarray[string]"),
)
PLAIN_TEXT = Fact(frozenset(_words("prompt negative_prompt text voice language_code")), find("Plain textstring"))
ENUM_STRINGS = Fact(
    frozenset(
        _words(
            "aspect_ratio aspectRatio resolution quality output_format outputFormat mode image_size image_resolution "
            "rendering_speed character_orientation"
        )
    ),
    find("Enum-like stringsstring"),
)
QUOTED_NUMBERS = Fact(frozenset({"duration", "n_frames"}), find("Quoted numeric stringsstringduration, n_frames"))
BOOLEANS = Fact(
    frozenset(
        _words(
            "sound camera_fixed enable_safety_checker tag_audio_events remove_watermark loop prompt_optimizer "
            "generate_audio fixed_lens multi_shots enableTranslation isEnhance"
        )
    ),
    find("Booleansbooleansound"),
)
NUMBERS = Fact(
    frozenset(
        _words(
            "seed seeds num_frames frames_per_second num_inference_steps cfg_scale guidance_scale similarity_boost "
            "speed stability prompt_influence shift"
        )
    ),
    find("Integers or numbersinteger or number"),
)
OBJECT_ARRAYS = Fact(frozenset(_words("shots multi_prompt dialogue kling_elements")), find("Arrays of objectsarray"))
# "Duration is an integer (seconds) in the input object for most video models (e.g. duration: 5 …)" and
# Sora's "Pass the frame count integer": the quoted form of the Input Types table and the bare integer
# are both the doc's, so both are accepted (a duration string such as "10s" is neither).
INTEGER_DURATION = Fact("duration: 5", find("Duration is an integer (seconds) in the input object"))
HAILUO_URL_STRING = Fact(frozenset({"hailuo", "hailuo-pro"}), find("Current Cliprise compatibility exception"))


# --- prices -----------------------------------------------------------------------------------------

PRICING_LINE = find("Pricing Reference", after=1000)


@dataclass(frozen=True)
class Flat:
    amount: int
    line: int

    def cells(self) -> dict[tuple, int]:
        return {(): self.amount}


@dataclass(frozen=True)
class Table:
    """One documented amount per combination of ``by`` (values as the request carries them, normalised)."""

    by: tuple[str, ...]
    amounts: dict[tuple, int]
    line: int

    def cells(self) -> dict[tuple, int]:
        return dict(self.amounts)


@dataclass(frozen=True)
class Range:
    """A price the doc gives only as ``low``–``high`` over the combinations of ``by``.

    The sandbox's rule: the combination at the bottom of every dimension the doc lists (``cheapest``:
    the lowest tier, resolution and duration, no sound) is charged ``low``; every other combination is
    charged ``high``, the most the doc allows, since the doc names no figure inside the range. Where the
    doc says nothing about which combination is cheapest (qwen-image "varies by aspect ratio"),
    ``cheapest`` is None and every request is charged ``high``.
    """

    low: int
    high: int
    by: tuple[str, ...]
    cheapest: tuple | None
    line: int

    def amount(self, key: tuple) -> int:
        return self.low if self.cheapest is not None and key == self.cheapest else self.high


@dataclass(frozen=True)
class PerSecond:
    """``rate`` (or a rate per value of ``by``) × whole seconds of ``seconds``.

    ``seconds`` names where the length comes from: a request field (``duration``, ``duration_seconds``),
    or a source the sandbox measures (``video_url``, ``audio_url``). The sandbox's rule: a length in
    seconds is rounded up to whole seconds, at least 1.
    """

    rates: dict[tuple, int]
    by: tuple[str, ...]
    seconds: str
    line: int


@dataclass(frozen=True)
class PerBlock:
    """``rate`` per started block of 5 000 characters of ``chars`` (at least one block)."""

    rate: int
    chars: str
    line: int
    block: int = 5000


Price = Flat | Table | Range | PerSecond | PerBlock


def _row(entry: str) -> int:
    """The Pricing Reference row of ``entry`` (the row starts with the id, followed by its credits)."""
    for number in range(PRICING_LINE + 1, len(doc_lines()) + 1):
        line = text(number)
        if line.startswith(entry) and (line[len(entry)] in "0123456789 "):
            return number
    raise LookupError(f"no Pricing Reference row for {entry}")


# --- models -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """One documented ``options`` key: the field it stands for and how its value reads.

    ``values``: an index list (``options.key = i`` means ``values[i]``); ``other``: the value of any
    index past the list (imagen-v4 "any other value = Ultra"); ``kind``: "index", "bool", "int",
    "string", "json" or "any" (accepted as documented but not decoded).
    """

    field: str
    kind: str
    line: int
    values: tuple = ()
    other: Any = None

    def decode(self, raw: Any) -> Any:
        if self.kind == "index":
            if self.other is not None and raw >= len(self.values):
                return self.other
            return self.values[raw]
        return raw


@dataclass(frozen=True)
class Model:
    entry: str  # the catalog id (Model Catalog's model_id column)
    name: str
    category: str  # image | video | audio
    catalog_line: int  # its row in the Model Catalog table
    card_line: int  # its card's heading in Input Parameters
    required: Fact  # tuple of field names
    optional: Fact
    enums: dict[str, Fact]  # field -> tuple of allowed values (numbers as ints)
    price: Price
    output: str = "image"  # image | video | audio | text | zip
    root_only: Fact | None = None
    routed: Fact | None = None  # {request value: tier}; the base id is then no request value
    tier_field: str = ""  # the name under which the routed tier is priced
    options: dict[str, Option] = field(default_factory=dict)
    image_list_to: Fact | None = None  # the field the pipeline fills from imageURLList
    video_list_to: Fact | None = None
    refused: dict[str, Fact] = field(default_factory=dict)  # keys the route refuses -> why
    max_count: dict[str, Fact] = field(default_factory=dict)
    max_length: dict[str, Fact] = field(default_factory=dict)
    bounds: dict[str, Fact] = field(default_factory=dict)  # field -> (min, max)
    forbidden_values: dict[str, Fact] = field(default_factory=dict)  # field -> values refused
    integer_only: dict[str, Fact] = field(default_factory=dict)  # fields that refuse the quoted form
    url_string_fields: Fact | None = None  # plural fields this route also takes as one URL string
    raw_list_fields: dict[str, Fact] = field(default_factory=dict)  # a string holding a JSON array of URLs
    alias_of: Fact | None = None
    outputs_per_call: Fact | None = None  # grok-imagine: {"text-to-image": 6, "image-to-image": 2}

    @property
    def request_values(self) -> tuple[str, ...]:
        return tuple(self.routed.value) if self.routed else (self.entry,)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.required.value) + tuple(self.optional.value)


def _card(entry: str, name: str) -> int:
    return find(f"{entry} {name}", start=True, after=INPUT_TYPES_LINE)


def _fields_line(card: int, label: str) -> int:
    return find(label, after=card) + 1


def _names(card: int, label: str, names: str) -> Fact:
    number = _fields_line(card, label)
    return Fact(tuple(names.split()), number if names else number - 1)


def _enum(card: int, name: str, values: str, *, numbers: bool = False) -> Fact:
    number = find(f"{name}{values.split(' | ', maxsplit=1)[0]}", after=card, start=True)
    items = tuple(int(v) if numbers else v for v in values.split(" | "))
    return Fact(items, number)


MODELS: dict[str, Model] = {}

_SIX_PRESETS = "square | square_hd | portrait_4_3 | landscape_4_3 | portrait_16_9 | landscape_16_9"
_TEN_RATIOS = "1:1 | 2:3 | 3:2 | 4:3 | 3:4 | 4:5 | 5:4 | 9:16 | 16:9 | 21:9"
_EIGHT_RATIOS = "1:1 | 4:3 | 3:4 | 16:9 | 9:16 | 2:3 | 3:2 | 21:9"
_THREE_RATIOS = "1:1 | 9:16 | 16:9"


def _add(model: Model) -> None:
    MODELS[model.entry] = model


def _model(  # noqa: PLR0917 - each call transcribes one card in the doc's own order
    entry: str,
    name: str,
    category: str,
    required: str,
    optional: str,
    price: Price,
    enums: dict[str, tuple[str, bool]] | None = None,
    **extra: Any,
) -> Model:
    card = _card(entry, name)
    return Model(
        entry=entry,
        name=name.removesuffix(" Root-only"),
        category=category,
        catalog_line=find(f"{entry}{name.removesuffix(' Root-only')}", start=True),
        card_line=card,
        required=_names(card, "Required fields", required),
        optional=_names(card, "Optional fields", optional),
        enums={key: _enum(card, key, values, numbers=numbers) for key, (values, numbers) in (enums or {}).items()},
        price=price,
        **extra,
    )


def _s(values: str) -> tuple[str, bool]:
    return (values, False)


def _n(values: str) -> tuple[str, bool]:
    return (values, True)


# Image generation --------------------------------------------------------------------------------

_add(
    _model(
        "nano-banana", "Nano Banana", "image", "prompt image_size", "image_urls output_format",
        Flat(8, _row("nano-banana")),
        {"image_size": _s(_SIX_PRESETS), "output_format": _s("jpeg | png")},
    )
)  # fmt: skip
_card_nb2 = _card("nano-banana-2", "Nano Banana 2")
_add(
    _model(
        "nano-banana-2", "Nano Banana 2", "image", "prompt aspect_ratio resolution",
        "image_input image_urls output_format google_search",
        Table(("resolution",), {("1K",): 16, ("2K",): 24, ("4K",): 36}, _row("nano-banana-2")),
        {"aspect_ratio": _s(_TEN_RATIOS), "resolution": _s("1K | 2K | 4K"), "output_format": _s("jpeg | png")},
        max_count={"image_input": Fact(8, find("References via image_input (up to 8 images)", after=_card_nb2))},
    )
)  # fmt: skip
_card_nbp = _card("nano-banana-pro", "Nano Banana Pro")
_add(
    _model(
        "nano-banana-pro", "Nano Banana Pro", "image", "prompt aspect_ratio resolution", "image_input output_format",
        Table(("resolution",), {("1K",): 33, ("2K",): 33, ("4K",): 44}, _row("nano-banana-pro")),
        {"aspect_ratio": _s(_TEN_RATIOS), "resolution": _s("1K | 2K | 4K"), "output_format": _s("jpeg | png")},
        max_count={"image_input": Fact(8, find("and up to 8 reference images", after=_card_nbp))},
    )
)  # fmt: skip
_SPEEDS = "TURBO | BALANCED | QUALITY"
_add(
    _model(
        "ideogram-v3", "Ideogram V3", "image", "prompt image_size rendering_speed", "negative_prompt style seed",
        Table(("rendering_speed",), {("TURBO",): 7, ("BALANCED",): 13, ("QUALITY",): 18}, _row("ideogram-v3")),
        {"image_size": _s(_SIX_PRESETS), "rendering_speed": _s(_SPEEDS)},
    )
)  # fmt: skip
_card_ic = _card("ideogram-character", "Ideogram Character")
_add(
    _model(
        "ideogram-character", "Ideogram Character", "image", "prompt image_size rendering_speed",
        "reference_image_urls negative_prompt style seed",
        Table(("rendering_speed",), {("TURBO",): 22, ("BALANCED",): 33, ("QUALITY",): 44}, _row("ideogram-character")),
        {"rendering_speed": _s(_SPEEDS)},
        max_count={"reference_image_urls": Fact(3, find("reference_image_urls accepts up to 3 URLs", after=_card_ic))},
        forbidden_values={"style": Fact(("FICTION",), find("stylesame families as ideogram-v3 but no FICTION"))},
    )
)  # fmt: skip
# The character card lists image_size as required without its values; the Quick Reference gives them.
MODELS["ideogram-character"].enums["image_size"] = Fact(
    tuple(_SIX_PRESETS.split(" | ")), find(f"ideogram-characterimage_size{_SIX_PRESETS}")
)
_card_ir = _card("ideogram-reframe", "Ideogram Reframe")
_add(
    _model(
        "ideogram-reframe", "Ideogram Reframe", "image", "prompt image_url image_size rendering_speed", "style seed",
        Table(("rendering_speed",), {("TURBO",): 7, ("BALANCED",): 13, ("QUALITY",): 18}, _row("ideogram-reframe")),
        {"rendering_speed": _s(_SPEEDS)},
        refused={"negative_prompt": Fact("negative_prompt is not accepted by this route", find(
            "Note: negative_prompt is not accepted by this route", after=_card_ir))},
        forbidden_values={"style": Fact(("FICTION",), find("styleno FICTION", after=_card_ir))},
    )
)  # fmt: skip
MODELS["ideogram-reframe"].enums["image_size"] = Fact(
    tuple(_SIX_PRESETS.split(" | ")), find(f"ideogram-reframeimage_size{_SIX_PRESETS}")
)
_add(
    _model(
        "seedream-v3", "Seedream 3.0", "image", "prompt image_size", "guidance_scale enable_safety_checker seed",
        Flat(7, _row("seedream-v3")), {"image_size": _s(_SIX_PRESETS)},
    )
)  # fmt: skip
_add(
    _model(
        "seedream-v4", "Seedream 4.0", "image", "prompt image_size image_resolution", "image_urls seed",
        Flat(9, _row("seedream-v4")),
        {"image_size": _s("1:1 | 1:1 HD | 4:3 | 2:3 | 3:2 | 9:16 | 16:9 | 21:9"),
         "image_resolution": _s("1K | 2K | 4K")},
    )
)  # fmt: skip
for _entry, _name, _amount in (("seedream-4-5", "Seedream 4.5", 12), ("seedream-5-lite", "Seedream 5 Lite", 11)):
    _c = _card(_entry, _name)
    _add(
        _model(
            _entry, _name, "image", "prompt aspect_ratio quality", "image_urls imageURLList",
            Flat(_amount, _row(_entry)), {"aspect_ratio": _s(_EIGHT_RATIOS), "quality": _s("basic | high")},
            image_list_to=Fact("image_urls", find("so the request can populate input.image_urls", after=_c)),
        )
    )  # fmt: skip
_add(
    _model(
        "qwen-image", "Qwen Image", "image", "prompt image_size",
        "image_url output_format acceleration guidance_scale num_inference_steps negative_prompt seed",
        Range(2, 7, ("image_size",), None, _row("qwen-image")),
        {"image_size": _s("square | square_hd | portrait_4_3 | portrait_16_9 | landscape_4_3 | landscape_16_9"),
         "output_format": _s("jpeg | png")},
    )
)  # fmt: skip
_card_q2 = _card("qwen-image-2", "Qwen Image 2.0")
_add(
    _model(
        "qwen-image-2", "Qwen Image 2.0", "image", "prompt image_size output_format seed", "image_url",
        Flat(12, _row("qwen-image-2")),
        {"image_size": _s("1:1 | 3:4 | 4:3 | 9:16 | 16:9"), "output_format": _s("jpeg | png")},
        bounds={"seed": Fact((10000, 999999), find("seed range: 10 000–999 999", after=_card_q2))},
    )
)  # fmt: skip
_card_fk = _card("flux-kontext", "Flux Kontext Root-only")
_FK_RATIOS = "1:1 | 4:3 | 3:4 | 9:16 | 16:9 | 21:9"
_add(
    _model(
        "flux-kontext", "Flux Kontext Root-only", "image", "prompt",
        "imageURLList outputFormat aspectRatio enableTranslation watermark options",
        Table(("model",), {("flux-kontext-pro",): 9, ("flux-kontext-max",): 18}, _row("flux-kontext")),
        {"outputFormat": _s("jpeg | png"), "aspectRatio": _s(_FK_RATIOS)},
        root_only=Fact(True, _card_fk),
        routed=Fact({"flux-kontext-pro": "flux-kontext-pro", "flux-kontext-max": "flux-kontext-max"},
                    find("Request model values: flux-kontext-pro = Pro (9 credits)", after=_card_fk)),
        tier_field="model",
        # "if you also use options.model, keep it aligned with the routed model value"; the doc's example
        # sends flux-kontext-pro with "model":0, and the card lists Pro then Max.
        options={
            "model": Option("model", "index", find("keep it aligned with the routed model value", after=_card_fk),
                            ("flux-kontext-pro", "flux-kontext-max")),
            "outputFormat": Option("outputFormat", "index", find("outputFormatjpeg | png", after=_card_fk),
                                   ("jpeg", "png")),
            "aspectRatio": Option("aspectRatio", "index", find(f"aspectRatio{_FK_RATIOS}", after=_card_fk),
                                  tuple(_FK_RATIOS.split(" | "))),
        },
        image_list_to=Fact("inputImage", find("the pipeline extracts the first URL internally")),
    )
)  # fmt: skip
_card_f2 = _card("flux-2", "Flux 2")
_add(
    _model(
        "flux-2", "Flux 2", "image", "prompt aspect_ratio resolution", "input_urls imageURLList",
        Table(("tier", "resolution"), {("Pro", "1K"): 9, ("Pro", "2K"): 13, ("Flex", "1K"): 26, ("Flex", "2K"): 44},
              _row("flux-2")),
        {"aspect_ratio": _s("AUTO | 1:1 | 4:3 | 3:4 | 3:2 | 2:3 | 16:9 | 9:16"), "resolution": _s("1K | 2K")},
        options={"model": Option("tier", "index", find("options.model: 0 = Pro / 1 = Flex", after=_card_f2),
                                 ("Pro", "Flex"))},
        image_list_to=Fact("input_urls", find("forwards the raw value to input.input_urls", after=_card_f2)),
    )
)  # fmt: skip
_card_g1 = _card("gpt-image-1", "GPT Image 1 Root-only")
_add(
    _model(
        "gpt-image-1", "GPT Image 1 Root-only", "image", "prompt size", "fileUrl isEnhance options",
        Flat(11, _row("gpt-image-1")), {},
        root_only=Fact(True, _card_g1),
        options={"image_size": Option("size", "index", find("resolved from options.image_size index 0 / 1 / 2",
                                                             after=_card_g1), ("1:1", "3:2", "2:3"))},
        image_list_to=Fact("fileUrl", find("send fileUrl (raw imageURLList string, do not parse)", after=_card_g1)),
        raw_list_fields={"fileUrl": Fact("raw imageURLList string", find("raw imageURLList string", after=_card_g1))},
    )
)  # fmt: skip
MODELS["gpt-image-1"].enums["size"] = Fact(("1:1", "3:2", "2:3"), find("size1:1 | 3:2 | 2:3", after=_card_g1))
_card_g15 = _card("gpt-image-1-5", "GPT Image 1.5")
_add(
    _model(
        "gpt-image-1-5", "GPT Image 1.5", "image", "prompt aspect_ratio quality", "input_urls options",
        Table(("quality",), {("medium",): 8, ("high",): 44}, _row("gpt-image-1-5")),
        {"aspect_ratio": _s("1:1 | 16:9 | 9:16 | 4:3 | 3:4"), "quality": _s("medium | high")},
        # "may include a top-level options JSON string such as {"image_size":0,"quality":0}": indices whose
        # meaning the doc doesn't give, so they are accepted as integers and not read.
        options={key: Option("", "int", find('{"image_size":0,"quality":0}', after=_card_g15))
                 for key in ("image_size", "quality")},
    )
)  # fmt: skip
_card_i4 = _card("imagen-v4", "Imagen V4")
_add(
    _model(
        "imagen-v4", "Imagen V4", "image", "prompt aspect_ratio", "negative_prompt seed options",
        Table(("tier",), {("Fast",): 8, ("Ultra",): 22}, _row("imagen-v4")),
        {"aspect_ratio": _s("1:1 | 3:4 | 4:3 | 9:16 | 16:9")},
        options={
            "fast_ultra": Option("tier", "index", find("options.fast_ultra: 0 = Fast (8 credits)", after=_card_i4),
                                 ("Fast",), other="Ultra"),
            "negative-prompt": Option("negative_prompt", "string",
                                      find("negative_prompt is passed as options.negative-prompt", after=_card_i4)),
        },
    )
)  # fmt: skip
_card_z = _card("z-image", "Z Image")
_add(
    _model(
        "z-image", "Z Image", "image", "prompt aspect_ratio", "", Flat(2, _row("z-image")),
        {"aspect_ratio": _s("1:1 | 4:3 | 3:4 | 16:9 | 9:16")},
        max_length={"prompt": Fact(1000, find("Up to 1 000-character prompt", after=_card_z))},
    )
)  # fmt: skip
_card_gi = _card("grok-imagine", "Grok Imagine")
_add(
    _model(
        "grok-imagine", "Grok Imagine", "image", "prompt aspect_ratio", "image_urls", Flat(8, _row("grok-imagine")),
        {"aspect_ratio": _s("1:1 | 2:3 | 3:2 | 9:16 | 16:9")}, output="zip",
        outputs_per_call=Fact({"text-to-image": 6, "image-to-image": 2},
                              find("Output count: t2i → 6 images, i2i → 2 images", after=_card_gi)),
    )
)  # fmt: skip
_add(_model("recraft-remove-bg", "Recraft Remove Background", "image", "image", "", Flat(2, _row("recraft-remove-bg"))))
_add(_model("recraft-upscaler", "Recraft Upscaler", "image", "image", "", Flat(1, _row("recraft-upscaler"))))

# Video generation --------------------------------------------------------------------------------

for _entry, _name, _amount in (
    ("veo-3-fast", "Veo 3.1 Fast Root-only", 108),
    ("veo-3-quality", "Veo 3.1 Quality Root-only", 720),
):
    _c = _card(_entry, _name)
    _tiers = find("options.aspectRatio (int index); options.watermark (bool)", after=_c)
    _add(
        _model(
            _entry, _name, "video", "prompt", "imageURLList imageUrls aspectRatio seeds watermark enableTranslation options",
            Flat(_amount, _row(_entry)), {}, output="video",
            root_only=Fact(True, _c),
            options={
                "aspectRatio": Option("aspectRatio", "index", _tiers, ("Auto", "9:16", "16:9")),
                "watermark": Option("watermark", "bool", _tiers),
                "enableTranslation": Option("enableTranslation", "bool", _tiers),
                "seeds": Option("seeds", "int", _tiers),
            },
            image_list_to=Fact("imageUrls", find("forwards the first URL as imageUrls (root)")),
            refused={"generationType": Fact("generationType is auto-set by the pipeline; do not send it manually",
                                            find("do not send it manually", after=_c))},
        )
    )  # fmt: skip
    MODELS[_entry].enums["aspectRatio"] = Fact(
        ("Auto", "9:16", "16:9"), find("aspectRatio (via options)Auto", after=_c)
    )
_card_s2 = _card("sora-2", "Sora 2")
_add(
    _model(
        "sora-2", "Sora 2", "video", "prompt n_frames aspect_ratio", "image_urls remove_watermark",
        Table(("n_frames",), {(250,): 54, (375,): 63}, _row("sora-2")),
        {"aspect_ratio": _s("9:16 | 16:9")}, output="video",
    )
)  # fmt: skip
MODELS["sora-2"].enums["n_frames"] = Fact((250, 375), find("n_frames250 (10 s) | 375 (15 s)", after=_card_s2))
_card_s2t = _card("sora-2-turbo", "Sora 2 Turbo")
_add(
    _model(
        "sora-2-turbo", "Sora 2 Turbo", "video", "prompt n_frames aspect_ratio size", "image_urls remove_watermark",
        Table(("size", "n_frames"), {("Standard", 250): 270, ("Standard", 375): 486, ("High", 250): 594,
                                     ("High", 375): 1134}, _row("sora-2-turbo")),
        {"aspect_ratio": _s("9:16 | 16:9")}, output="video",
        options={"quality": Option("size", "index", find("sizeStandard | High (from options.quality index 0 / 1)",
                                                          after=_card_s2t), ("Standard", "High"))},
    )
)  # fmt: skip
MODELS["sora-2-turbo"].enums["n_frames"] = Fact((250, 375), find("n_frames250 (10 s) | 375 (15 s)", after=_card_s2t))
MODELS["sora-2-turbo"].enums["size"] = Fact(("Standard", "High"), find("sizeStandard | High", after=_card_s2t))
_card_sb = _card("sora-story-board", "Sora Story Board")
_add(
    _model(
        "sora-story-board", "Sora Story Board", "video", "shots n_frames aspect_ratio", "image_urls",
        Table(("n_frames",), {(250,): 270, (375,): 486, (625,): 699}, _row("sora-story-board")), {}, output="video",
    )
)  # fmt: skip
MODELS["sora-story-board"].enums["n_frames"] = Fact(
    (250, 375, 625), find("n_frames250 (10 s) | 375 (15 s) | 625 (25 s)", after=_card_sb)
)
_card_w25 = _card("wan-2-5", "Wan 2.5")
_add(
    _model(
        "wan-2-5", "Wan 2.5", "video", "prompt image_url aspect_ratio resolution duration", "negative_prompt seed",
        Table(("resolution", "duration"), {("720p", 5): 108, ("720p", 10): 216, ("1080p", 5): 180, ("1080p", 10): 360},
              _row("wan-2-5")),
        {"aspect_ratio": _s(_THREE_RATIOS), "resolution": _s("720p | 1080p"), "duration": _n("5 | 10")},
        output="video",
        integer_only={"duration": Fact("duration accepts an integer (5 or 10), not a string",
                                       find("duration accepts an integer (5 or 10), not a string", after=_card_w25))},
    )
)  # fmt: skip
_add(
    _model(
        "wan-2-2", "Wan 2.2", "video", "prompt image_url resolution",
        "aspect_ratio negative_prompt acceleration enable_prompt_expansion seed",
        Table(("resolution",), {("480p",): 72, ("720p",): 108}, _row("wan-2-2")),
        {"resolution": _s("480p | 720p")}, output="video",
    )
)  # fmt: skip
_add(
    _model(
        "wan-2-6", "Wan 2.6", "video", "prompt resolution duration", "image_urls negative_prompt seed",
        Range(140, 630, ("resolution", "duration"), ("720p", 5), _row("wan-2-6")),
        {"resolution": _s("720p | 1080p"), "duration": _n("5 | 10 | 15")}, output="video",
        # "resolution and duration can also be passed via options.resolution / options.duration" (as values)
        options={key: Option(key, "any", find("can also be passed via options.resolution / options.duration"))
                 for key in ("resolution", "duration")},
    )
)  # fmt: skip
_add(
    _model(
        "wan-2-6-video", "Wan 2.6 Video-to-Video", "video", "prompt video_url resolution duration", "",
        Table(("resolution", "duration"), {("720p", 5): 140, ("720p", 10): 280, ("1080p", 5): 210, ("1080p", 10): 420},
              _row("wan-2-6-video")),
        {"resolution": _s("720p | 1080p"), "duration": _n("5 | 10")}, output="video",
        video_list_to=Fact("video_url", find("wan-2-6-videoduration, prompt, resolution, video_urls, root:options, "
                                              "root:videoURLList")),
    )
)  # fmt: skip
_card_wa = _card("wan-animate", "Wan Animate")
_add(
    _model(
        "wan-animate", "Wan Animate", "video", "image_url video_url resolution", "prompt",
        PerSecond({("480p",): 11, ("580p",): 18, ("720p",): 23}, ("resolution",), "video_url", _row("wan-animate")),
        {"resolution": _s("480p | 580p | 720p")}, output="video",
        routed=Fact({"wan-animate-replace": "Replace", "wan-animate-movie": "Move"},
                    find("Use routed model values wan-animate-replace or wan-animate-movie", after=_card_wa)),
        tier_field="animationType",
        options={"animationType": Option("animationType", "index",
                                         find("options.animationType: 0 = Replace / 1 = Move", after=_card_wa),
                                         ("Replace", "Move"))},
        image_list_to=Fact("image_url", find("wan-animateimage_url, resolution, video_url, root:imageURLList")),
        video_list_to=Fact("video_url", find("wan-animateimage_url, resolution, video_url, root:imageURLList")),
    )
)  # fmt: skip
_add(
    _model(
        "wan-speech-to-video", "Wan Speech to Video", "video", "audio_url resolution",
        "prompt image_url num_frames frames_per_second negative_prompt seed num_inference_steps guidance_scale shift "
        "enable_safety_checker",
        PerSecond({("480p",): 22, ("580p",): 33, ("720p",): 44}, ("resolution",), "frames_or_audio",
                  _row("wan-speech-to-video")),
        {"resolution": _s("480p | 580p | 720p")}, output="video",
    )
)  # fmt: skip
_KT = dict(
    category="video",
    required="prompt aspect_ratio duration",
    optional="image_url negative_prompt cfg_scale",
    enums={"aspect_ratio": _s(_THREE_RATIOS), "duration": _n("5 | 10")},
    output="video",
)
_add(
    _model(
        "kling-video-turbo", "Kling 2.5 Turbo", price=Table(("duration",), {(5,): 76, (10,): 152},
                                                           _row("kling-video-turbo")), **_KT,
    )
)  # fmt: skip
# The alias's card lists no fields: "Parameters follow kling-video-turbo".
_card_k25 = _card("kling-2-5", "Kling 2.5 alias")
_turbo = MODELS["kling-video-turbo"]
_follow = find("Parameters follow kling-video-turbo", after=_card_k25)
_add(
    Model(
        entry="kling-2-5", name="Kling 2.5 (alias)", category="video",
        catalog_line=find("kling-2-5Kling 2.5 (alias)", start=True), card_line=_card_k25,
        required=Fact(_turbo.required.value, _follow), optional=Fact(_turbo.optional.value, _follow),
        enums=dict(_turbo.enums), price=Table(("duration",), {(5,): 76, (10,): 152}, _row("kling-2-5")),
        output="video", alias_of=Fact("kling-video-turbo", _follow),
    )
)  # fmt: skip
_card_k21 = _card("kling-2-1", "Kling 2.1")
_add(
    _model(
        "kling-2-1", "Kling 2.1", price=Range(45, 576, ("tier", "duration"), ("standard", 5), _row("kling-2-1")),
        routed=Fact({"kling-2-1-standard": "standard", "kling-2-1-pro": "pro", "kling-2-1-master": "master"},
                    find("Request model values: kling-2-1-standard = Standard", after=_card_k21)),
        tier_field="tier", image_list_to=Fact("image_url", find("kling-2-1cfg_scale, duration, image_url")), **_KT,
    )
)  # fmt: skip
_card_k26 = _card("kling-2-6", "Kling 2.6")
_add(
    _model(
        "kling-2-6", "Kling 2.6", "video", "prompt aspect_ratio duration", "image_urls sound",
        Table(("duration", "sound"), {(5, False): 99, (5, True): 198, (10, False): 198, (10, True): 396},
              _row("kling-2-6")),
        {"aspect_ratio": _s(_THREE_RATIOS), "duration": _n("5 | 10")}, output="video",
        options={"sound": Option("sound", "bool", find("sound (bool/string via options.sound)", after=_card_k26))},
        image_list_to=Fact("image_urls", find("image_urls comes from imageURLList (parsed array)", after=_card_k26)),
    )
)  # fmt: skip
for _entry, _name, _low, _high in (("kling-2-6-motion", "Kling 2.6 Motion Control", 12, 18),
                                   ("kling-3-motion", "Kling 3 Motion Control", 24, 40)):  # fmt: skip
    _c = _card(_entry, _name)
    _add(
        _model(
            _entry, _name, "video", "prompt input_urls video_urls resolution duration", "character_orientation mode",
            PerSecond({("720p",): _low, ("1080p",): _high}, ("resolution",), "duration", _row(_entry)),
            {"resolution": _s("720p | 1080p")}, output="video",
            options={key: Option(key, "string", find(f"{key}string enum (pipeline-specific)", after=_c))
                     for key in ("character_orientation", "mode")},
            image_list_to=Fact("input_urls", find("input.input_urls", after=_c)),
            video_list_to=Fact("video_urls", find("input.video_urls", after=_c)),
        )
    )  # fmt: skip
_card_k3 = _card("kling-3", "Kling 3.0")
_card_k3m = _card("kling-3-multi-shot", "Kling 3.0 Multi-Shot")
_KLING3_TIERS = find('Tier selection: input.mode: "std" = Standard / "pro" = Pro', after=_card_k3m)
_add(
    _model(
        "kling-3", "Kling 3.0", "video", "prompt aspect_ratio duration",
        "image_urls sound mode kling_elements multi_prompt multi_shots",
        Range(200, 1200, ("mode", "duration", "sound"), ("std", 5, False), _row("kling-3")),
        {"aspect_ratio": _s(_THREE_RATIOS), "duration": _n("5 | 10 | 15")}, output="video",
        # "options.mode: 0 = Standard / 1 = Pro"; input.mode's values are the multi-shot card's "std" / "pro".
        options={
            "mode": Option("mode", "index", find("options.mode: 0 = Standard / 1 = Pro", after=_card_k3), ("std", "pro")),
            "sound": Option("sound", "bool", find("sound (bool) enables audio track via options.sound", after=_card_k3)),
            "shots": Option("multi_prompt", "json", find("multi_prompt maps to options.shots", after=_card_k3)),
        },
        image_list_to=Fact("image_urls", find("image_urls comes from parsed imageURLList", after=_card_k3)),
    )
)  # fmt: skip
MODELS["kling-3"].enums["mode"] = Fact(("std", "pro"), _KLING3_TIERS)
_add(
    _model(
        "kling-3-multi-shot", "Kling 3.0 Multi-Shot", "video", "multi_prompt multi_shots aspect_ratio duration mode sound",
        "image_urls kling_elements",
        Range(200, 810, ("mode", "duration"), ("std", 5), _row("kling-3-multi-shot")),
        {"aspect_ratio": _s(_THREE_RATIOS), "duration": _n("5 | 10 | 15")}, output="video",
    )
)  # fmt: skip
MODELS["kling-3-multi-shot"].enums["mode"] = Fact(("std", "pro"), _KLING3_TIERS)
_add(
    _model(
        "hailuo", "Hailuo 02", "video", "prompt image_url resolution duration", "prompt_optimizer",
        Table(("resolution", "duration"), {("512P", 6): 22, ("512P", 10): 36, ("768P", 6): 54, ("768P", 10): 90},
              _row("hailuo")),
        {"resolution": _s("512P | 768P"), "duration": _n("6 | 10")}, output="video",
        url_string_fields=Fact(frozenset({"image_urls"}), HAILUO_URL_STRING.line),
    )
)  # fmt: skip
_card_hp = _card("hailuo-pro", "Hailuo 02 Pro")
_add(
    _model(
        "hailuo-pro", "Hailuo 02 Pro", "video", "prompt image_url duration resolution", "image_urls prompt_optimizer",
        Flat(103, _row("hailuo-pro")), {}, output="video",
        url_string_fields=Fact(frozenset({"image_urls"}), HAILUO_URL_STRING.line),
    )
)  # fmt: skip
MODELS["hailuo-pro"].enums["resolution"] = Fact(("768P",), find("resolution768P", after=_card_hp, start=True))
MODELS["hailuo-pro"].enums["duration"] = Fact((6,), find("duration6", after=_card_hp, start=True))
_card_h23 = _card("hailuo-2-3", "Hailuo 2.3")
_add(
    _model(
        "hailuo-2-3", "Hailuo 2.3", "video", "prompt image_url resolution duration", "",
        Table(("tier", "resolution"), {("standard", "768P"): 54, ("standard", "1080P"): 90, ("pro", "768P"): 90,
                                       ("pro", "1080P"): 162}, _row("hailuo-2-3")),
        {"resolution": _s("768P | 1080P")}, output="video",
        routed=Fact({"hailuo-2-3-standard": "standard", "hailuo-2-3-pro": "pro"},
                    find("Request model values: hailuo-2-3-standard = Standard", after=_card_h23)),
        tier_field="tier", image_list_to=Fact("image_url", find("keep imageURLList at root aligned with input.image_url")),
    )
)  # fmt: skip
MODELS["hailuo-2-3"].enums["duration"] = Fact((6,), find("duration6", after=_card_h23, start=True))
_card_sv1 = _card("seedance-v1", "Seedance V1")
_SV1_RATIOS = "1:1 | 9:16 | 16:9 | 3:4 | 4:3"
_sv1_legacy = find("Legacy options values may still be present for compatibility", after=_card_sv1)
_add(
    _model(
        "seedance-v1", "Seedance V1", "video", "prompt aspect_ratio resolution duration",
        "image_url camera_fixed seed enable_safety_checker",
        Range(18, 252, ("tier", "resolution", "duration"), ("lite", "480p", 5), _row("seedance-v1")),
        {"aspect_ratio": _s(_SV1_RATIOS), "resolution": _s("480p | 720p | 1080p"), "duration": _n("5 | 10")},
        output="video",
        routed=Fact({"seedance-v1-lite": "lite", "seedance-v1-pro": "pro"},
                    find("Request model values: seedance-v1-lite = Lite", after=_card_sv1)),
        tier_field="tier",
        # Legacy indices into the card's lists, as the doc's Seedance example reads them
        # ({"aspectRatio":2,"duration":0,"resolution":1} with 16:9, 5 and 720p).
        options={
            "aspectRatio": Option("aspect_ratio", "index", _sv1_legacy, tuple(_SV1_RATIOS.split(" | "))),
            "duration": Option("duration", "index", _sv1_legacy, (5, 10)),
            "resolution": Option("resolution", "index", _sv1_legacy, ("480p", "720p", "1080p")),
        },
        image_list_to=Fact("image_url", find("send image_url in input alongside imageURLList at root")),
    )
)  # fmt: skip
_add(
    _model(
        "seedance-v1-pro-fast", "Seedance V1 Pro Fast", "video", "prompt aspect_ratio resolution duration", "image_url",
        Table(("resolution", "duration"), {("720p", 5): 29, ("720p", 10): 65, ("1080p", 5): 65, ("1080p", 10): 130},
              _row("seedance-v1-pro-fast")),
        {"aspect_ratio": _s(_THREE_RATIOS), "resolution": _s("720p | 1080p"), "duration": _n("5 | 10")},
        output="video",
    )
)  # fmt: skip
_card_s15 = _card("seedance-1-5-pro", "Seedance 1.5 Pro")
_add(
    _model(
        "seedance-1-5-pro", "Seedance 1.5 Pro", "video", "prompt aspect_ratio resolution duration",
        "image_urls fixed_lens generate_audio",
        Table(("resolution", "duration"), {("480p", 4): 8, ("720p", 4): 14, ("480p", 8): 14, ("720p", 8): 28,
                                           ("480p", 12): 19, ("720p", 12): 38}, _row("seedance-1-5-pro")),
        {"aspect_ratio": _s("1:1 | 9:16 | 16:9 | 4:3 | 3:4 | 21:9"), "resolution": _s("480p | 720p"),
         "duration": _n("4 | 8 | 12")}, output="video",
        image_list_to=Fact("image_urls", find("image_urls (plural) is typically supplied via imageURLList",
                                              after=_card_s15)),
    )
)  # fmt: skip
_card_rw = _card("runway", "Runway Gen4 Turbo Root-only")
_RW_RATIOS = "1:1 | 3:4 | 4:3 | 9:16 | 16:9"
_rw_opts = find("aspectRatio and duration come from options.aspectRatio / options.duration", after=_card_rw)
_add(
    _model(
        "runway", "Runway Gen4 Turbo Root-only", "video", "prompt imageUrl aspectRatio duration",
        "imageURLList watermark options",
        Table(("duration",), {(5,): 198, (10,): 396}, _row("runway")),
        {"aspectRatio": _s(_RW_RATIOS), "duration": _n("5 | 10")}, output="video",
        root_only=Fact(True, _card_rw),
        options={
            "aspectRatio": Option("aspectRatio", "index", _rw_opts, tuple(_RW_RATIOS.split(" | "))),
            "duration": Option("duration", "index", _rw_opts, (5, 10)),
            "watermark": Option("watermark", "bool", find("watermark is a bool via options.watermark", after=_card_rw)),
        },
        image_list_to=Fact("imageUrl", find("imageUrl holds the reference image URL (taken from parsed imageURLList)")),
    )
)  # fmt: skip
_card_ra = _card("runway-aleph", "Runway Aleph Root-only")
_ra_opts = find("seed and aspectRatio come from options.seed / options.aspectRatio", after=_card_ra)
_add(
    _model(
        "runway-aleph", "Runway Aleph Root-only", "video", "prompt",
        "referenceImage videoUrl aspectRatio seed waterMark imageURLList videoURLList options",
        Flat(198, _row("runway-aleph")), {"aspectRatio": _s(_RW_RATIOS)}, output="video",
        root_only=Fact(True, _card_ra),
        options={
            "aspectRatio": Option("aspectRatio", "index", _ra_opts, tuple(_RW_RATIOS.split(" | "))),
            "seed": Option("seed", "int", _ra_opts),
        },
        image_list_to=Fact("referenceImage", find("referenceImage is populated from imageURLList", after=_card_ra)),
        video_list_to=Fact("videoUrl", find("videoUrl is populated from videoURLList", after=_card_ra)),
    )
)  # fmt: skip
_add(
    _model(
        "grok-imagine-video", "Grok Imagine Video", "video", "prompt image_urls resolution duration", "mode aspect_ratio",
        Range(20, 80, ("resolution", "duration"), ("480p", 6), _row("grok-imagine-video")),
        {"resolution": _s("480p | 720p"), "duration": _n("6 | 10 | 15")}, output="video",
    )
)  # fmt: skip

# Audio ---------------------------------------------------------------------------------------------

for _entry, _name in (
    ("elevenlabs-tts-turbo", "ElevenLabs TTS Turbo"),
    ("elevenlabs-tts", "ElevenLabs TTS Multi-Language"),
):
    _add(
        _model(
            _entry, _name, "audio", "text voice language_code", "stability similarity_boost speed style",
            PerBlock(49, "text", _row(_entry)), {}, output="audio",
        )
    )  # fmt: skip
_add(
    _model(
        "elevenlabs-v3-dialogue", "ElevenLabs V3 Dialogue", "audio", "dialogue language_code", "stability",
        PerBlock(1, "dialogue", _row("elevenlabs-v3-dialogue")), {}, output="audio",
    )
)  # fmt: skip
_add(
    _model(
        "elevenlabs-speech-to-text", "ElevenLabs Speech to Text", "audio", "audio_url", "language_code tag_audio_events",
        PerSecond({(): 7}, (), "audio_url", _row("elevenlabs-speech-to-text")), {}, output="text",
    )
)  # fmt: skip
_add(
    _model(
        "elevenlabs-audio-isolation", "ElevenLabs Audio Isolation", "audio", "audio_url", "",
        PerSecond({(): 1}, (), "audio_url", _row("elevenlabs-audio-isolation")), {}, output="audio",
    )
)  # fmt: skip
_add(
    _model(
        "elevenlabs-sound-effect", "ElevenLabs Sound Effect", "audio", "text", "duration_seconds loop prompt_influence",
        PerSecond({(): 1}, (), "duration_seconds", _row("elevenlabs-sound-effect")), {}, output="audio",
    )
)  # fmt: skip

# The length of an ElevenLabs sound effect whose request names none: the doc leaves it to the model; the
# sandbox makes 3 s and bills those 3 seconds (its own choice, not the doc's).
SOUND_EFFECT_DEFAULT_SECONDS = 3

CATALOG_COUNT = Fact(55, find("55 documented catalog entries across image, video, and audio"))

# Request ``model`` value -> (catalog entry, tier or ""). Routed families' base ids are not request values.
ROUTES: dict[str, tuple[str, str]] = {
    value: (model.entry, (model.routed.value[value] if model.routed else ""))
    for model in MODELS.values()
    for value in model.request_values
}
BASE_NOT_ROUTES: dict[str, int] = {
    "flux-kontext": find('Do not send base model: "flux-kontext" on this route'),
    "kling-2-1": find('Do not send base model: "kling-2-1" on generate'),
    "hailuo-2-3": find('Do not send base model: "hailuo-2-3" on generate'),
    "seedance-v1": find('Do not send base model: "seedance-v1" on generate'),
    "wan-animate": MODELS["wan-animate"].routed.line,  # type: ignore[union-attr]
}

# The doc's own example requests (Quick Start and Examples), as written.
EXAMPLES: dict[str, Fact] = {
    "qwen-image-2": Fact(
        {
            "model": "qwen-image-2",
            "callBackUrl": "https://your-service.example.com/webhooks/cliprise",
            "input": {
                "prompt": "A peaceful mountain lake at sunrise",
                "image_size": "16:9",
                "output_format": "jpeg",
                "seed": 424242,
            },
        },
        find('"model": "qwen-image-2",'),
    ),
    "flux-kontext-pro": Fact(
        {
            "model": "flux-kontext-pro",
            "callBackUrl": "https://your-service.example.com/webhooks/cliprise",
            "options": '{"model":0,"outputFormat":0,"aspectRatio":4}',
            "prompt": "Cinematic aerial view of a city at golden hour",
        },
        find('"model": "flux-kontext-pro",'),
    ),
    "seedance-v1-pro": Fact(
        {
            "model": "seedance-v1-pro",
            "callBackUrl": "https://your-service.example.com/webhooks/cliprise",
            "options": '{"aspectRatio":2,"duration":0,"resolution":1}',
            "imageURLList": '["https://example.com/ref.jpg"]',
            "input": {
                "prompt": "Ocean waves crashing on rocky shore",
                "image_url": "https://example.com/ref.jpg",
                "aspect_ratio": "16:9",
                "resolution": "720p",
                "duration": 5,
            },
        },
        find('"model": "seedance-v1-pro",'),
    ),
}


# --- the reading checks itself against the doc -------------------------------------------------------


def _amounts(price: Price) -> list[int]:
    if isinstance(price, Flat):
        return [price.amount]
    if isinstance(price, Table):
        return list(price.amounts.values())
    if isinstance(price, Range):
        return [price.low, price.high]
    if isinstance(price, PerSecond):
        return list(price.rates.values())
    return [price.rate]


def _number_text(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")  # the doc writes 1 134


def _verify() -> list[str]:
    """Each cited line holds what it is cited for; an empty list when the reading and the doc agree."""
    problems = []
    for model in MODELS.values():
        row = text(model.price.line)
        if not row.startswith(model.entry):
            problems.append(f"{model.entry}: price line {model.price.line} is not its row")
        for amount in _amounts(model.price):
            if _number_text(amount) not in row and str(amount) not in row:
                problems.append(f"{model.entry}: {amount} not on line {model.price.line}")
        for fact, label in ((model.required, "required"), (model.optional, "optional")):
            words = text(fact.line).split()
            if fact.value and any(name not in words for name in fact.value) and model.alias_of is None:
                problems.append(f"{model.entry}: {label} {fact.value} not all on line {fact.line}")
        for name, fact in model.enums.items():
            line = text(fact.line)
            if not all(str(value) in line for value in fact.value):
                problems.append(f"{model.entry}: {name} values not all on line {fact.line}")
        if not text(model.catalog_line).startswith(model.entry):
            problems.append(f"{model.entry}: catalog line {model.catalog_line}")
    if len(MODELS) != CATALOG_COUNT.value:
        problems.append(f"{len(MODELS)} entries read, the doc says {CATALOG_COUNT.value}")
    return problems


_PROBLEMS = _verify()
if _PROBLEMS:  # pragma: no cover - a reading that no longer matches its doc must not load
    raise RuntimeError("sandbox reading of Cliprise disagrees with its doc: " + "; ".join(_PROBLEMS))
