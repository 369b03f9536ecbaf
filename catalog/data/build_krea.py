"""Write catalog/data/krea.json from Krea's OpenAPI document (seed 003).

Run from the repository root::

    .venv/bin/python catalog/data/build_krea.py [path/to/openapi.txt]

Every ``POST /generate/{image,video,enhance}/...`` path is one offer. Its request
schema gives the fields (names, types, enums, defaults, limits); the markdown
table in its description gives the price in compute units (and often the
typical completion time). The output is deterministic: the same OpenAPI file
always gives a byte-identical krea.json.

Where the docs are irregular, the small tables below (keyed by path) say how to
read them, each with a comment quoting the doc. Anything the general reader
does not understand stops the build rather than guessing.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SOURCE_NAME = "003_1e7729bb5e0b9366.txt"
# A copy of ../shared/seeds/<SOURCE_NAME>, kept in the repository so the build and its tests need nothing outside it.
DEFAULT_SOURCE = HERE / "sources" / "krea-openapi.json"
OUTPUT = HERE / "krea.json"
UNIT = "compute units"
GENERATE = re.compile(r"^/generate/(image|video|enhance)/")

# --- explicit readings of the docs ----------------------------------------------

# Offer id (the value the studio shows as model id; the wire path does the routing).
# Default: the last path segment. Overridden where that segment alone says little.
OFFER_IDS = {
    "/generate/image/qwen/2512": "qwen-2512",
    "/generate/image/luma/uni-1": "luma-uni-1",
    "/generate/image/runway/gen-4-image": "runway-gen-4-image",
    "/generate/video/runway/gen-3": "runway-gen-3",
    "/generate/video/runway/gen-4-video": "runway-gen-4-video",
    "/generate/video/runway/gen-4.5": "runway-gen-4.5",
    "/generate/video/runway/aleph": "runway-aleph",
    "/generate/video/luma/ray-2": "luma-ray-2",
    "/generate/enhance/topaz/generative-enhance": "topaz-generative-enhance",
    "/generate/enhance/topaz/standard-enhance": "topaz-standard-enhance",
    "/generate/enhance/topaz/bloom-enhance": "topaz-bloom-enhance",
}

# Cross-provider family keys (the studio's canonical list where one applies,
# else a slug of the model's name) and the family's display name.
FAMILIES = {
    "/generate/image/bfl/flux-1-dev": ("flux-1-dev", "Flux.1 [dev]"),
    "/generate/image/bfl/flux-1-kontext-dev": ("flux-kontext", "Flux Kontext"),
    "/generate/image/google/nano-banana-pro": ("nano-banana-pro", "Nano Banana Pro"),
    "/generate/image/google/nano-banana-2": ("nano-banana-2", "Nano Banana 2"),
    "/generate/image/google/nano-banana": ("nano-banana", "Nano Banana"),
    "/generate/image/bfl/flux-1.1-pro": ("flux-1-1-pro", "Flux 1.1 Pro"),
    "/generate/image/bfl/flux-1.1-pro-ultra": ("flux-1-1-pro-ultra", "Flux 1.1 Pro Ultra"),
    "/generate/image/ideogram/ideogram-2-turbo": ("ideogram-2-0a-turbo", "Ideogram 2.0A Turbo"),
    "/generate/image/ideogram/ideogram-3": ("ideogram-3", "Ideogram 3.0"),
    "/generate/image/google/imagen-3": ("imagen-3", "Imagen 3"),
    "/generate/image/google/imagen-4": ("imagen-4", "Imagen 4"),
    "/generate/image/google/imagen-4-fast": ("imagen-4", "Imagen 4"),
    "/generate/image/google/imagen-4-ultra": ("imagen-4", "Imagen 4"),
    "/generate/image/runway/gen-4-image": ("runway-gen-4-image", "Runway Gen-4 Image"),
    # "Original ChatGPT image model." -- gpt-image-1
    "/generate/image/openai/gpt-image": ("gpt-image-1", "GPT Image 1"),
    "/generate/image/openai/gpt-image-2": ("gpt-image-2", "GPT Image 2"),
    "/generate/image/luma/uni-1": ("luma-uni-1", "Luma UNI-1"),
    "/generate/image/bytedance/seedream-4": ("seedream-4", "Seedream 4"),
    "/generate/image/bytedance/seedream-5-lite": ("seedream-5-lite", "Seedream 5 Lite"),
    "/generate/image/qwen/2512": ("qwen-image-2512", "Qwen Image 2512"),
    "/generate/image/z-image/z-image": ("z-image", "Z Image"),
    "/generate/image/bytedance/seededit": ("seededit", "SeedEdit"),
    "/generate/enhance/topaz/generative-enhance": ("topaz-upscale", "Topaz Upscale"),
    "/generate/enhance/topaz/standard-enhance": ("topaz-upscale", "Topaz Upscale"),
    "/generate/enhance/topaz/bloom-enhance": ("topaz-upscale", "Topaz Upscale"),
    "/generate/video/kling/kling-1": ("kling-1-0", "Kling 1.0"),
    "/generate/video/kling/kling-1.5": ("kling-1-5", "Kling 1.5"),
    "/generate/video/kling/kling-1.6": ("kling-1-6", "Kling 1.6"),
    "/generate/video/kling/kling-2": ("kling-2-0", "Kling 2.0"),
    "/generate/video/kling/kling-2.1": ("kling-2-1", "Kling 2.1"),
    "/generate/video/kling/kling-2.5": ("kling-2-5", "Kling 2.5"),
    "/generate/video/kling/kling-2.6": ("kling-2-6", "Kling 2.6"),
    "/generate/video/kling/kling-3.0": ("kling-3-0", "Kling 3.0"),
    "/generate/video/kling/kling-o1": ("kling-o1", "Kling O1"),
    "/generate/video/minimax/hailuo": ("hailuo", "Hailuo"),
    "/generate/video/minimax/hailuo-02": ("hailuo-02", "Hailuo 02"),
    "/generate/video/minimax/hailuo-2.3": ("hailuo-2-3", "Hailuo 2.3"),
    "/generate/video/minimax/hailuo-2.3-fast": ("hailuo-2-3", "Hailuo 2.3"),
    "/generate/video/alibaba/wan-2.1": ("wan-2-1", "Wan 2.1"),
    "/generate/video/alibaba/wan-2.2": ("wan-2-2", "Wan 2.2"),
    "/generate/video/alibaba/wan-2.5": ("wan-2-5", "Wan 2.5"),
    "/generate/video/google/veo-2": ("veo-2", "Veo 2"),
    "/generate/video/google/veo-3": ("veo-3", "Veo 3"),
    "/generate/video/google/veo-3-fast": ("veo-3", "Veo 3"),
    "/generate/video/google/veo-3.1": ("veo-3-1", "Veo 3.1"),
    "/generate/video/google/veo-3.1-fast": ("veo-3-1", "Veo 3.1"),
    "/generate/video/google/veo-3.1-lite": ("veo-3-1", "Veo 3.1"),
    "/generate/video/bytedance/seedance-1.0-pro": ("seedance-1", "Seedance 1.0"),
    "/generate/video/bytedance/seedance-1.0-pro-fast": ("seedance-1", "Seedance 1.0"),
    "/generate/video/lightricks/ltx-video-2.3-22b": ("ltx-2-3", "LTX-2.3"),
    "/generate/video/luma/ray-2": ("luma-ray-2", "Luma Ray 2"),
    "/generate/video/runway/gen-3": ("runway-gen-3", "Runway Gen-3"),
    "/generate/video/runway/gen-4-video": ("runway-gen-4", "Runway Gen-4"),
    "/generate/video/runway/gen-4.5": ("runway-gen-4-5", "Runway Gen-4.5"),
    "/generate/video/xai/grok-video": ("grok-imagine-video", "Grok Imagine Video"),
    "/generate/video/runway/aleph": ("runway-aleph", "Runway Aleph"),
}

# Price-table columns that are not a request field's value, read as a condition
# on the request (the row's "if"). Keyed by (path, column header), then cell.
COLUMN_CONDITIONS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    # "| Character Reference | Compute Units |  | Yes | 85.9 |  | No | 34.4 |"
    ("/generate/image/ideogram/ideogram-3", "Character Reference"): {
        "Yes": {"count": "character_reference_images", "min": 1},
        "No": {"count": "character_reference_images", "max": 0},
    },
    # "| Video Reference | Duration | Compute Units |  | No | 3s | 192 | ... | Yes | 3s | 289 |"
    ("/generate/video/kling/kling-o1", "Video Reference"): {
        "Yes": {"field": "video_reference", "present": True},
        "No": {"field": "video_reference", "present": False},
    },
    # "| LoRA | Duration | Compute Units |  | No | 5s | 103 | ... | Yes | 5s | 116 |"
    # The schema has both `has_lora` (boolean) and `styles` (the LoRAs); either one
    # means a LoRA run, so the LoRA price is held when either is set.
    ("/generate/video/lightricks/ltx-video-2.3-22b", "LoRA"): {
        "Yes": {"any": [{"field": "has_lora", "equals": True}, {"count": "styles", "min": 1}]},
        "No": {"not": {"any": [{"field": "has_lora", "equals": True}, {"count": "styles", "min": 1}]}},
    },
    # "| Mode | Reference Images | Compute Units |  | standard | 0 | 23.1 | ... | max | 9 | 72.7 |"
    # The reference images are `style_images` (maxItems 9, matching the rows 0..9).
    # The steps are not even (23.1, 24.9, 26.6, ...), so this stays a table, not a rate.
    ("/generate/image/luma/uni-1", "Reference Images"): {
        str(n): {"count": "style_images", "min": n, "max": n} for n in range(10)
    },
}

# Price columns mapped to the request field whose value selects the row.
COLUMN_FIELDS = {"resolution": "resolution", "duration": "duration", "mode": "mode", "audio": "generate_audio"}

# Endpoints whose description has no price table at all. They are offers marked
# "unpriced" (browsable, "no documented price"): runnable only once staff set the
# studio's own price for them (catalog.services.offer_price_override_set).
#   topaz/*: "Most powerful creative enhancer. Max 16K." (and similar) -- no table
#   seededit: "New frontier model designed for image editing" -- no table
#   aleph: "Runway's Gen-4 Aleph model for advanced video-to-video transformation" -- no table

# Schema defaults that are not Krea's behaviour but a value drawn when the OpenAPI
# file was generated: the same schema shape carries `"seed": {"default": 3317551338}`
# on flux-1-dev and `3261419148` on flux-1-kontext-dev (every other seed default is
# 1337). Sending one would pin every such request to one seed, so it is left out.
RANDOM_DEFAULTS = {
    ("/generate/image/bfl/flux-1-dev", "seed"),
    ("/generate/image/bfl/flux-1-kontext-dev", "seed"),
}

LABELS = {
    "prompt": "Prompt",
    "negative_prompt": "Negative prompt",
    "aspect_ratio": "Aspect ratio",
    "ratio": "Aspect ratio",
    "duration": "Duration (s)",
    "generate_audio": "Audio",
    "image_url": "Source image",
    "image_urls": "Source images",
    "start_image": "Start frame",
    "end_image": "End frame",
    "start_video": "Start video",
    "end_video": "End video",
    "edit_video": "Video to edit",
    "init_video": "Source video",
    "init_image_url": "Source image",
    "audio_url": "Audio track",
    "reference_images": "Reference images",
    "character_reference_images": "Character references",
    "style_images": "Style images",
    "image_style_references": "Image style references",
    "styles": "Styles (LoRAs)",
    "has_lora": "LoRA",
    "guidance_scale_flux": "Guidance scale",
    "cfg_scale": "CFG scale",
}

SHARED_BY_NAME = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "aspect_ratio": "aspect_ratio",
    "ratio": "aspect_ratio",
    "resolution": "resolution",
    "duration": "duration",
    "generate_audio": "sound",
    "seed": "seed",
}
# The first of these present (as a media field) carries the shared meaning.
SHARED_MEDIA = {
    "source_images": ("image_url", "image_urls", "start_image", "init_image_url"),
    "source_videos": ("init_video", "edit_video"),
    "source_audio": ("audio_url",),
}
# `start_video` is on every video endpoint (and `end_video` on many), Veo 2 and
# Runway Gen-3 included, with no word on what it does: a Krea-wide field, not a
# sign the model edits video. Kept as media fields, but they make no offer a
# video-to-video one and carry no shared meaning.
GENERIC_VIDEO_FIELDS = {"start_video", "end_video"}


class DocError(Exception):
    """The docs say something this reader does not understand: extend the tables above."""


# --- reading the OpenAPI file ------------------------------------------------------


def openapi_load(path: Path) -> dict[str, Any]:
    """The OpenAPI object in ``path``, skipping any non-JSON preamble."""
    text = path.read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) and "openapi" in value and "paths" in value:
            return value
    raise DocError(f"no OpenAPI JSON object in {path}")


def ref_resolve(node: Any, doc: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every local ``$ref`` inlined (sibling keys kept, cycles refused)."""
    if isinstance(node, list):
        return [ref_resolve(item, doc, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            raise DocError(f"cannot inline $ref {ref!r}")
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        merged = {**ref_resolve(target, doc, (*seen, ref)), **{k: v for k, v in node.items() if k != "$ref"}}
        return ref_resolve(merged, doc, (*seen, ref))
    return {key: ref_resolve(value, doc, seen) for key, value in node.items()}


def request_schema(operation: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    return ref_resolve(operation["requestBody"]["content"]["application/json"]["schema"], doc)


def description_split(description: str) -> tuple[str, list[tuple[list[str], list[list[str]]]]]:
    """The prose of a description and its markdown tables (header, rows)."""
    lines = description.splitlines()
    prose: list[str] = []
    tables: list[tuple[list[str], list[list[str]]]] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith(">"):
            index += 1  # the "Deprecated request fields" note
            continue
        separator = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if line.startswith("|") and re.fullmatch(r"\|[\s:|-]*-[\s:|-]*\|?", separator):
            header = _cells(line)
            rows: list[list[str]] = []
            index += 2
            while index < len(lines) and lines[index].strip().startswith("|"):
                rows.append(_cells(lines[index].strip()))
                index += 1
            tables.append((header, rows))
            continue
        if line:
            prose.append(line)
        index += 1
    return " ".join(prose), tables


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


# --- fields -------------------------------------------------------------------------


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    return [t for t in (kind if isinstance(kind, list) else [kind]) if t and t != "null"]


def _consts(schema: dict[str, Any]) -> list[Any] | None:
    """The values of an ``anyOf``/``oneOf`` of consts (Krea writes enums of numbers that way)."""
    if "const" in schema:
        return [schema["const"]]
    options = schema.get("anyOf") or schema.get("oneOf")
    if not options:
        return None
    values: list[Any] = []
    for option in options:
        inner = _consts(option)
        if inner is None:
            return None
        values.extend(inner)
    return values


def _is_url(schema: dict[str, Any], name: str) -> bool:
    return "string" in _types(schema) and (schema.get("format") == "uri" or re.search(r"(^|_)urls?$", name) is not None)


def _media_kind(name: str) -> str:
    if "video" in name:
        return "video"
    if "audio" in name:
        return "audio"
    return "image"


def _has_uri(schema: Any) -> bool:
    if isinstance(schema, dict):
        return schema.get("format") == "uri" or any(_has_uri(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_has_uri(v) for v in schema)
    return False


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def field_build(path: str, name: str, schema: dict[str, Any], required: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": "", "label": _label(name), "required": required}
    types = _types(schema)
    consts = _consts(schema)
    if "enum" in schema or consts is not None:
        choices = [c for c in schema.get("enum", consts) if c is not None]
        spec["type"] = "enum"
        spec["choices"] = choices
    elif types == ["array"] and _is_url(schema.get("items", {}), name):
        spec["type"] = "media"
        spec["kinds"] = [_media_kind(name)]
    elif types in (["array"], ["object"]) or (not types and ("oneOf" in schema or "anyOf" in schema)):
        spec["type"] = "json"
    elif _is_url(schema, name):
        spec["type"] = "media"
        spec["kinds"] = [_media_kind(name)]
        spec["max_count"] = 1
    elif types == ["string"]:
        spec["type"] = "text" if name in {"prompt", "negative_prompt"} else "string"
    elif types in (["number"], ["integer"], ["boolean"]):
        spec["type"] = types[0]
    else:
        raise DocError(f"{path}: field {name!r} has a schema this reader does not know: {schema}")
    if "minimum" in schema:
        spec["min"] = schema["minimum"]
    if "maximum" in schema:
        spec["max"] = schema["maximum"]
    if "maxLength" in schema:
        spec["max_length"] = schema["maxLength"]
    if "minLength" in schema:
        spec["min_length"] = schema["minLength"]  # recorded; the engine does not check it
    if "minItems" in schema:
        spec["min_count"] = schema["minItems"]
    if "maxItems" in schema:
        spec["max_count"] = schema["maxItems"]
    if "default" in schema and (path, name) not in RANDOM_DEFAULTS:
        spec["default"] = schema["default"]
    elif spec["type"] == "enum" and required and len(spec["choices"]) == 1:
        spec["default"] = spec["choices"][0]  # the only value there is
    if name in SHARED_BY_NAME:
        spec["shared"] = SHARED_BY_NAME[name]
    if schema.get("description"):
        spec["help"] = schema["description"]
    return spec


def fields_build(path: str, schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    fields = [field_build(path, name, prop, name in required) for name, prop in schema.get("properties", {}).items()]
    media = {f["name"] for f in fields if f["type"] == "media"}
    for shared, candidates in SHARED_MEDIA.items():
        for candidate in candidates:
            if candidate in media:
                next(f for f in fields if f["name"] == candidate)["shared"] = shared
                break
    return fields


# --- rules --------------------------------------------------------------------------


def rules_build(path: str, schema: dict[str, Any], fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {f["name"] for f in fields}
    rules: list[dict[str, Any]] = []
    for name, prop in schema.get("properties", {}).items():
        # "Image prompts to use for the generation. If provided, style images are ignored."
        # Refused rather than silently dropped: the user would pay for inputs that do nothing.
        match = re.search(r"If provided, ([\w ]+?) (?:are|is) ignored", prop.get("description", ""))
        if match:
            other = match.group(1).strip().replace(" ", "_")
            if other not in names:
                raise DocError(f"{path}: {name!r} says {match.group(0)!r} but there is no field {other!r}")
            rules.append(
                {
                    "code": "invalid_params",
                    "message": f"{other} is ignored when {name} is given; send one or the other",
                    "if": {"field": name, "present": True},
                    "require": {"field": other, "present": False},
                    "details": {"fields": [name, other]},
                }
            )
    for spec in fields:
        # The engine counts media fields itself; list-of-object (json) fields get a rule.
        if spec["type"] != "json" or ("min_count" not in spec and "max_count" not in spec):
            continue
        name = spec["name"]
        bounds = {k: spec[c] for k, c in (("min", "min_count"), ("max", "max_count")) if c in spec}
        text = " and ".join(f"at {'least' if k == 'min' else 'most'} {v}" for k, v in bounds.items())
        rule: dict[str, Any] = {"code": "invalid_params", "message": f"{name}: {text} item(s)"}
        if "min" in bounds and not spec.get("required"):
            rule["if"] = {"field": name, "present": True}  # an absent optional list is fine
        rule["require"] = {"count": name, **bounds}
        rule["details"] = {"field": name, **bounds}
        rules.append(rule)
    return rules


# --- prices -------------------------------------------------------------------------


def _number(cell: str, path: str) -> tuple[str, bool]:
    match = re.fullmatch(r"(~)?\s*(\d+(?:\.\d+)?)", cell)
    if not match:
        raise DocError(f"{path}: price cell {cell!r} is not a number")
    return match.group(2), bool(match.group(1))


def _seconds(cell: str, path: str) -> int:
    match = re.fullmatch(r"~?\s*(\d+)\s*seconds?", cell)
    if not match:
        raise DocError(f"{path}: time cell {cell!r} is not 'N seconds'")
    return int(match.group(1))


def _cell_value(cell: str, spec: dict[str, Any], path: str) -> Any:
    """A table cell as the request field's own value ("5s" -> 5, "Yes" -> true, "4k" -> "4k")."""
    if spec["name"] == "duration":
        match = re.fullmatch(r"(\d+)\s*s", cell)
        if not match:
            raise DocError(f"{path}: duration cell {cell!r}")
        return int(match.group(1))
    if spec["type"] == "boolean":
        if cell.lower() not in {"yes", "no"}:
            raise DocError(f"{path}: yes/no cell {cell!r}")
        return cell.lower() == "yes"
    for choice in spec.get("choices", []):
        if str(choice) == cell:
            return choice
    for choice in spec.get("choices", []):
        if str(choice).lower() == cell.lower():
            return choice
    return cell  # documented but not in the schema's enum: kept, reported as unreachable


def _row_label(name: str, parts: list[tuple[str, str]]) -> str:
    words = []
    for header, cell in parts:
        key = header.lower()
        noun = "LoRA" if key == "lora" else key
        if cell.lower() == "yes":
            words.append(f"with {noun}")
        elif cell.lower() == "no":
            words.append(f"without {noun}")
        elif key == "reference images":
            words.append(f"{cell} reference image{'s' if cell != '1' else ''}")
        else:
            words.append(cell)
    return " ".join([name, *words])


def pricing_build(
    path: str, name: str, table: tuple[list[str], list[list[str]]], fields: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The PRICE expression and facts about it (estimated seconds, approximations, gaps)."""
    header, rows = table
    by_name = {f["name"]: f for f in fields}
    lowered = [h.lower() for h in header]
    if "compute units" not in lowered:
        raise DocError(f"{path}: table without a 'Compute Units' column: {header}")
    price_at = lowered.index("compute units")
    time_at = lowered.index("average completion time") if "average completion time" in lowered else None
    dims: list[tuple[int, str, str | None]] = []  # (column, header, field or None for a condition)
    constants: list[str] = []
    for at, title in enumerate(header):
        if at in (price_at, time_at):
            continue
        values = {row[at] for row in rows}
        if (path, title) in COLUMN_CONDITIONS:
            dims.append((at, title, None))
        elif COLUMN_FIELDS.get(title.lower()) in by_name:
            dims.append((at, title, COLUMN_FIELDS[title.lower()]))
        elif len(values) == 1:
            constants.append(f"{title}: {values.pop()}")  # e.g. Imagen 3 "| Model | ... | Standard |"
        else:
            raise DocError(f"{path}: price column {title!r} matches no request field")
    out_rows: list[dict[str, Any]] = []
    approximate = False
    by: list[str] = []
    unreachable: list[str] = []
    for row in rows:
        if len(row) != len(header):
            raise DocError(f"{path}: row {row} does not fit header {header}")
        amount, approx = _number(row[price_at], path)
        approximate = approximate or approx
        when: dict[str, Any] = {}
        conds: list[dict[str, Any]] = []
        parts: list[tuple[str, str]] = []
        for at, title, field in dims:
            cell = row[at]
            if cell in {"-", "—", ""}:
                continue  # "| - | ~270 |": any value
            parts.append((title, cell))
            if field is None:
                cond = COLUMN_CONDITIONS[(path, title)].get(cell)
                if cond is None:
                    raise DocError(f"{path}: no reading for {title!r} = {cell!r}")
                conds.append(cond)
                for ref in _cond_fields(cond):
                    if ref not in by:
                        by.append(ref)
                continue
            value = _cell_value(cell, by_name[field], path)
            choices = by_name[field].get("choices")
            if choices is not None and value not in choices and not any(cell in u for u in unreachable):
                unreachable.append(f"{title} {cell} (the schema's {field} accepts {choices})")
            when[field] = value
            if field not in by:
                by.append(field)
        out: dict[str, Any] = {}
        if when:
            out["when"] = when
        if conds:
            out["if"] = conds[0] if len(conds) == 1 else {"all": conds}
        out["amount"] = amount
        out["label"] = _row_label(name, parts) + (" (approximate)" if approx else "")
        if time_at is not None:
            out["estimated_seconds"] = _seconds(row[time_at], path)
        out_rows.append(out)
    facts: dict[str, Any] = {"approximate": approximate, "constants": constants, "unreachable": unreachable}
    if len(out_rows) == 1 and "when" not in out_rows[0] and "if" not in out_rows[0]:
        only = out_rows[0]
        price: dict[str, Any] = {"flat": only["amount"]}
        if approximate:
            price["label"] = f"{name} (approximate)"
        if "estimated_seconds" in only:
            facts["estimated_seconds"] = only["estimated_seconds"]
        return price, facts
    defaults = {f["name"]: f["default"] for f in fields if "default" in f}
    for row in out_rows:
        if "if" not in row and all(defaults.get(k) == v for k, v in row.get("when", {}).items()):
            if "estimated_seconds" in row:
                facts["estimated_seconds"] = row["estimated_seconds"]
            break
    facts["gaps"] = _gaps(by_name, by, out_rows)
    return {"table": {"by": by, "rows": out_rows}}, facts


def _cond_fields(cond: dict[str, Any]) -> list[str]:
    if "all" in cond or "any" in cond:
        return [n for c in cond.get("all", cond.get("any")) for n in _cond_fields(c)]
    if "not" in cond:
        return _cond_fields(cond["not"])
    return [cond.get("field") or cond["count"]]


def _gaps(by_name: dict[str, Any], by: list[str], rows: list[dict[str, Any]]) -> list[str]:
    """Enum choices (and duration steps in range) no plain row prices, for the notes."""
    gaps = []
    for name in by:
        spec = by_name.get(name)
        if spec is None:
            continue
        if spec["type"] == "enum":
            offered = spec["choices"]
        elif name == "duration" and "min" in spec and "max" in spec:
            offered = list(range(int(spec["min"]), int(spec["max"]) + 1))
        else:
            continue
        priced = {r["when"].get(name) for r in rows if "when" in r and name in r["when"]}
        missing = [v for v in offered if v not in priced]
        if missing:
            gaps.append(f"{name} {missing}")
    # Combinations of individually priced values that no row prices (a ragged table).
    keys = [k for k in by if k in by_name and all(k in r.get("when", {}) for r in rows)]
    if len(keys) > 1 and not any("if" in r for r in rows):
        combos = {tuple(r["when"][k] for k in keys) for r in rows}
        axes = [sorted({c[i] for c in combos}, key=str) for i in range(len(keys))]
        for combo in itertools.product(*axes):
            if combo not in combos:
                gaps.append(" ".join(f"{k}={v}" for k, v in zip(keys, combo, strict=False)))
    return gaps


# --- offers -------------------------------------------------------------------------


def offer_build(doc: dict[str, Any], path: str, operation: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    kind = GENERATE.match(path).group(1)
    name = operation.get("summary") or path.rsplit("/", 1)[-1]
    prose, tables = description_split(operation.get("description", ""))
    schema = request_schema(operation, doc)
    fields = fields_build(path, schema)
    if path not in FAMILIES:
        raise DocError(f"{path}: add its family to FAMILIES")
    family, family_name = FAMILIES[path]
    offer_id = OFFER_IDS.get(path, path.rsplit("/", 1)[-1])
    if len(tables) > 1:
        raise DocError(f"{path}: {len(tables)} tables in the description")
    if tables:
        pricing, facts = pricing_build(path, name, tables[0], fields)
    else:
        pricing = {"table": {"by": [], "rows": []}, "label": "price not documented"}
        facts = {"approximate": False, "constants": [], "unreachable": [], "unpriced": True}
    media = [f for f in fields if f["type"] == "media"]
    kinds = {f["kinds"][0] for f in media if f["name"] not in GENERIC_VIDEO_FIELDS} | {
        _media_kind(f["name"]) for f in fields if f["type"] == "json" and _has_uri(schema["properties"][f["name"]])
    }
    image_required = any(
        f.get("required") and _media_kind(f["name"]) == "image"
        for f in fields
        if f["type"] == "media" or (f["type"] == "json" and _has_uri(schema["properties"][f["name"]]))
    )
    names = {f["name"] for f in fields}
    if kind == "video":
        category, output = "video", "video"
        types = [] if image_required else ["text-to-video"]
        if "image" in kinds:
            types.append("image-to-video")
        if "video" in kinds:
            types.append("video-to-video")
    else:
        category, output = ("image", "image") if kind == "image" else ("utility", "image")
        types = [] if image_required or kind == "enhance" else ["text-to-image"]
        if "image" in kinds:
            types.append("image-to-image" if kind == "image" else "upscale")
    capabilities = []
    if "generate_audio" in names:
        capabilities.append("sound")
    for media_kind in ("image", "video", "audio"):
        if media_kind in kinds:
            capabilities.append(f"{media_kind}_input")
    if "negative_prompt" in names:
        capabilities.append("negative_prompt")
    if "seed" in names:
        capabilities.append("seed")
    wire: dict[str, Any] = {
        "path": path,
        "method": "POST",
        # A string field holding one URL: the client sends a string, not a list.
        "single_url_fields": [f["name"] for f in media if "array" not in _types(schema["properties"][f["name"]])],
        "url_list_fields": [f["name"] for f in media if "array" in _types(schema["properties"][f["name"]])],
        "webhook_header": "X-Webhook-URL",
        "status_path": "/jobs/{job_id}",
    }
    offer: dict[str, Any] = {
        "id": offer_id,
        "name": name,
        "family": family,
        "family_name": family_name,
        "category": category,
        "output": output,
        "generation_types": types,
    }
    if "estimated_seconds" in facts:
        offer["estimated_seconds"] = facts["estimated_seconds"]
    offer.update(
        {
            "description": prose,
            "capabilities": capabilities,
            "wire": wire,
            "fields": fields,
            "rules": rules_build(path, schema, fields),
            "pricing": pricing,
        }
    )
    if facts["approximate"]:
        offer["price_approximate"] = True  # the doc writes "~N": Krea's own figure, held as is
    if facts.get("unpriced"):
        offer["unpriced"] = True
        offer["doc"] = f"Krea OpenAPI, POST {path} ({name}): no price table in the description"
    else:
        offer["doc"] = f"Krea OpenAPI, POST {path} ({name}): description price table, Compute Units"
    return offer, facts


def krea_data_build(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The krea.json content and a report of the irregular readings."""
    offers: list[dict[str, Any]] = []
    report: list[str] = []
    for path, operations in doc["paths"].items():
        if not GENERATE.match(path) or "post" not in operations:
            continue
        offer, facts = offer_build(doc, path, operations["post"])
        if offer.get("unpriced"):
            report.append(f"{path}: no price table in the description; browsable, unpriced")
        offers.append(offer)
        for constant in facts["constants"]:
            report.append(f"{path}: price column with one value and no field, read as a note ({constant})")
        for item in facts["unreachable"]:
            report.append(f"{path}: documented row the schema cannot request: {item}")
        for gap in facts.get("gaps", []):
            report.append(f"{path}: no row prices {gap} (refused at quote time)")
    data = {
        "provider": "krea",
        "name": "Krea",
        "unit": UNIT,
        "source": SOURCE_NAME,
        "base_url": (doc.get("servers") or [{}])[0].get("url", ""),
        "offers": offers,
    }
    return data, report


# --- output -------------------------------------------------------------------------


def json_format(value: Any, indent: int = 0, width: int = 180) -> str:
    """JSON with short objects and lists on one line (readable diffs for long price tables)."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [
            f"{pad}{json.dumps(k, ensure_ascii=False)}: {json_format(v, indent + 2, width)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + json_format(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    data, report = krea_data_build(openapi_load(source))
    OUTPUT.write_text(json_format(data) + "\n", encoding="utf-8")
    unpriced = sum(1 for offer in data["offers"] if offer.get("unpriced"))
    print(f"{OUTPUT}: {len(data['offers'])} offers, {unpriced} without a documented price")
    for line in report:
        print("  -", line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
