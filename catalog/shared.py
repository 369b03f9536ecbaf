"""Settings with a shared meaning across offers (prompt, duration, resolution, ...).

Providers name the same setting differently (``duration`` "5s" at Kubeez, 5 at
Krea, "5" at Cliprise; ``sound`` vs ``generate_audio``). A field's ``shared``
key (SCHEMA.md) says what it means; these pure functions move values between
offers by that key, never by field name, so a prompt or a 10-second duration
survives a switch of model or provider.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from catalog.pricing import media_kind

TRUE_WORDS = {"true", "1", "on", "yes"}
FALSE_WORDS = {"false", "0", "off", "no", ""}
PLACEHOLDER_MEDIA = {
    "image": "https://example.com/reference.png",
    "video": "https://example.com/reference.mp4",
    "audio": "https://example.com/reference.mp3",
}


def value_key(value: Any) -> str:
    """A comparable form of a setting's value: "5s", 5 and "5" are one duration; "720P" is "720p"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text.endswith("s") and text[:-1].replace(".", "", 1).isdigit():
        text = text[:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text


def shared_fields(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The offer's fields that carry a shared meaning, by that meaning."""
    fields: dict[str, dict[str, Any]] = {}
    for field_spec in spec.get("fields", []):
        key = field_spec.get("shared")
        if key and key not in fields and not field_spec.get("derived"):
            fields[key] = field_spec
    return fields


def shared_values(spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The shared-meaning values in ``params`` (named as ``spec`` names its fields)."""
    values = {}
    for key, field_spec in shared_fields(spec).items():
        value = params.get(field_spec["name"])
        if value not in (None, "", []):
            values[key] = value
    return values


def value_for_field(field_spec: dict[str, Any], value: Any) -> Any:
    """``value`` as this field would take it, or None when the field can't take it."""
    kind = field_spec["type"]
    if kind == "enum":
        wanted = value_key(value)
        for choice in field_spec["choices"]:
            if value_key(choice) == wanted:
                return choice
        return None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
    if kind in {"integer", "number"}:
        try:
            number = Decimal(value_key(value))
        except InvalidOperation:
            return None
        if "min" in field_spec and number < Decimal(str(field_spec["min"])):
            return None
        if "max" in field_spec and number > Decimal(str(field_spec["max"])):
            return None
        if kind == "integer":
            return int(number) if number == number.to_integral_value() else None
        return number
    if kind == "media":
        urls = value if isinstance(value, list) else [u.strip() for u in str(value).splitlines() if u.strip()]
        kinds = field_spec.get("kinds")
        if kinds:
            urls = [u for u in urls if media_kind(u) in (*kinds, None)]
        return urls or None
    return value


def shared_apply(spec: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Params for ``spec`` carrying ``values`` (by shared key); values it can't take are left out."""
    params = {}
    for key, field_spec in shared_fields(spec).items():
        if key not in values:
            continue
        value = value_for_field(field_spec, values[key])
        if value is not None:
            params[field_spec["name"]] = value
    return params


def representative_params(spec: dict[str, Any], values: dict[str, Any], *, with_media: bool = False) -> dict[str, Any]:
    """The simplest request with the shared ``values``, for "from N credits" and comparisons.

    Required fields without a default get a stand-in: "x" for text, the
    minimum for numbers (the studio's derived seconds too), the first choice
    of an enum, one stand-in file per required file. ``with_media`` also puts
    a stand-in file of each kind it takes into every empty media field, for
    models whose rules need an input (an image-to-video or video-ref variant).
    """
    params = shared_apply(spec, values)
    for field_spec in spec.get("fields", []):
        name, kind = field_spec["name"], field_spec["type"]
        if name in params or "default" in field_spec:
            continue
        needed = field_spec.get("required") or field_spec.get("min_count")
        if kind == "media" and (needed or with_media):
            kinds = field_spec.get("kinds") or ["image"]
            stand_ins = [
                PLACEHOLDER_MEDIA.get(k, PLACEHOLDER_MEDIA["image"]) for k in (kinds if with_media else kinds[:1])
            ]
            count = max(len(stand_ins), int(field_spec.get("min_count") or 1))
            params[name] = (stand_ins * count)[: min(count, field_spec.get("max_count", count))]
        elif not needed:
            continue
        elif kind in {"text", "string"}:
            params[name] = "x"
        elif kind in {"integer", "number"}:
            params[name] = field_spec.get("min", 1) or 1
        elif kind == "enum":
            params[name] = field_spec["choices"][0]
        elif kind == "boolean":
            params[name] = False
    return params


def compare_choices(specs: list[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """For a comparison form: every value some offer of the family accepts, per shared key.

    Values are keyed by :func:`value_key`, so "5s" and 5 are one choice.
    """
    choices: dict[str, dict[str, str]] = {}
    for spec in specs:
        for key, field_spec in shared_fields(spec).items():
            if key not in keys:
                continue
            bucket = choices.setdefault(key, {})
            if field_spec["type"] == "enum":
                for choice in field_spec["choices"]:
                    bucket.setdefault(value_key(choice), _display(choice, key))
            elif field_spec["type"] == "boolean":
                bucket.setdefault("false", "off")
                bucket.setdefault("true", "on")
            elif field_spec["type"] in {"integer", "number"} and "min" in field_spec and "max" in field_spec:
                low = Decimal(str(field_spec["min"]))
                high = Decimal(str(field_spec["max"]))
                if high - low <= 30:
                    step = Decimal(str(field_spec.get("step", 1)))
                    value = low if low == low.to_integral_value() else low.to_integral_value() + 1
                    while value <= high:
                        bucket.setdefault(value_key(value), _display(value, key))
                        value += step
    return {key: sorted(bucket.items(), key=_sort_key) for key, bucket in choices.items() if bucket}


def _display(value: Any, key: str) -> str:
    text = value_key(value)
    if key == "duration" and text.replace(".", "", 1).isdigit():
        return f"{text} s"
    return str(value) if not isinstance(value, bool) else ("on" if value else "off")


def _sort_key(item: tuple[str, str]) -> tuple[int, Decimal, str]:
    key = item[0]
    digits = key.rstrip("kp")
    try:
        number = Decimal(digits)
    except InvalidOperation:
        return (1, Decimal(0), key)
    scale = Decimal(1000) if key.endswith("k") else Decimal(1)  # 4K after 1080p
    return (0, number * scale, key)
