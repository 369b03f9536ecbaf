"""The pricing and rule engine: pure functions over an offer's data (see
catalog/data/SCHEMA.md). No database access, so a quote costs no query beyond
loading the offer.

``offer_check`` normalises a request's parameters (defaults, types) and applies
every field constraint and cross-field rule; ``offer_price`` evaluates the
offer's price expression. Both raise :class:`QuoteError` with the provider
docs' own error code where one exists.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".webm", ".m4v")
AUDIO_EXTENSIONS = (".mp3", ".wav", ".m4a", ".aac", ".ogg", ".flac")


class QuoteError(Exception):
    """A request the provider would reject: ``code`` is the docs' own code where one exists."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


@dataclass(frozen=True)
class ProviderPrice:
    """The provider's own price for one request, in the provider's unit."""

    amount: Decimal  # what the studio holds and charges (the documented top of a range)
    breakdown: str
    estimated: bool = False
    minimum: Decimal | None = None  # the bottom of a documented range
    likely: Decimal | None = None  # a figure from outside the docs for this combination (see "likely" rows)
    lines: tuple[str, ...] = field(default_factory=tuple)


def credits_round(value: Decimal) -> Decimal:
    """Studio credits are rounded up to the cent: the studio never undercharges by rounding."""
    return value.quantize(CENT, rounding=ROUND_CEILING)


def fmt(value: Decimal) -> str:
    """A human form of a Decimal: 300, 6.5, 0.24 (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


# --- parameters -----------------------------------------------------------------


def media_kind(url: str) -> str | None:
    """The kind of a media URL by its extension, as the providers classify them."""
    path = str(url).split("?", 1)[0].split("#", 1)[0].lower()
    if path.endswith(IMAGE_EXTENSIONS):
        return "image"
    if path.endswith(VIDEO_EXTENSIONS):
        return "video"
    if path.endswith(AUDIO_EXTENSIONS):
        return "audio"
    return None


def media_list(value: Any) -> Any:
    """A media field's value as a list: a list as it is, a JSON list or a comma-separated string split."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = [part.strip() for part in value.split(",") if part.strip()]
        value = parsed if isinstance(parsed, list) else [parsed]
    return value


def _coerce(spec: dict[str, Any], value: Any) -> Any:
    """Turn a raw value (a form string, a JSON value) into the field's type, or raise."""
    kind = spec["type"]
    name = spec["name"]
    if kind in {"integer", "number"}:
        if isinstance(value, bool):
            raise QuoteError("invalid_params", f"{name} must be a number", field=name)
        raw = value
        if isinstance(raw, str):
            raw = raw.strip()
            if spec.get("suffix") and raw.endswith(spec["suffix"]):
                raw = raw[: -len(spec["suffix"])]
        try:
            number = Decimal(str(raw))
        except (InvalidOperation, ValueError):
            raise QuoteError("invalid_params", f"{name} must be a number", field=name) from None
        if not number.is_finite():
            raise QuoteError("invalid_params", f"{name} must be a number", field=name)
        if kind == "integer":
            if number != number.to_integral_value():
                raise QuoteError("invalid_params", f"{name} must be a whole number", field=name)
            return int(number)
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {"true", "1", "on", "yes"}:
            return True
        if isinstance(value, str) and value.lower() in {"false", "0", "off", "no", ""}:
            return False
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise QuoteError("invalid_params", f"{name} must be true or false", field=name)
    if kind == "enum":
        choices = spec["choices"]
        for choice in choices:
            if value == choice or str(value) == str(choice):
                return choice
        raise QuoteError(
            spec.get("error_code", "invalid_params"),
            f"{name} must be one of {', '.join(str(c) for c in choices)}",
            field=name,
            allowed=choices,
        )
    if kind == "media":
        if value in (None, "", []):
            return []
        value = media_list(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise QuoteError("invalid_params", f"{name} must be a list of URLs", field=name)
        return value
    if kind in {"text", "string"}:
        if not isinstance(value, str):
            value = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        return value
    if kind == "json":
        return value
    raise ValueError(f"unknown field type {kind!r} for {name}")


def _check_field(spec: dict[str, Any], value: Any) -> None:
    name = spec["name"]
    code = spec.get("error_code", "invalid_params")
    if spec["type"] in {"integer", "number"}:
        if "min" in spec and value < Decimal(str(spec["min"])):
            raise QuoteError(code, f"{name} must be at least {spec['min']}", field=name, min=spec["min"])
        if "max" in spec and value > Decimal(str(spec["max"])):
            raise QuoteError(code, f"{name} must be at most {spec['max']}", field=name, max=spec["max"])
        if "step" in spec and (Decimal(str(value)) - Decimal(str(spec.get("min", 0)))) % Decimal(str(spec["step"])):
            raise QuoteError(code, f"{name} must be in steps of {spec['step']}", field=name)
    if spec["type"] in {"text", "string"} and "max_length" in spec and len(value) > spec["max_length"]:
        raise QuoteError(
            spec.get("error_code", "prompt_too_long" if name == "prompt" else "invalid_params"),
            f"{name} is {len(value)} characters; this model accepts at most {spec['max_length']}",
            field=name,
            max_length=spec["max_length"],
        )
    if spec["type"] in {"text", "string"} and len(value) < spec.get("min_length", 0):
        raise QuoteError(
            spec.get("error_code", "invalid_params"),
            f"{name} is {len(value)} characters; this model needs at least {spec['min_length']}",
            field=name,
            min_length=spec["min_length"],
        )
    if spec["type"] == "media":
        count = len(value)
        if count > spec.get("max_count", 1 << 30):
            raise QuoteError(
                spec.get("error_code", "too_many_files"),
                f"{name}: at most {spec['max_count']} file(s), got {count}",
                field=name,
                max_count=spec["max_count"],
            )
        if count < spec.get("min_count", 0):
            raise QuoteError(
                spec.get("error_code", "invalid_params"),
                f"{name}: at least {spec['min_count']} file(s) needed, got {count}",
                field=name,
                min_count=spec["min_count"],
            )


def offer_check(offer: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Validate ``params`` for ``offer`` and return them normalised, with defaults filled.

    Unknown keys are refused: a studio field the provider doesn't know would be
    silently dropped, and the user would pay for something they did not get.
    """
    specs = {spec["name"]: spec for spec in offer.get("fields", [])}
    unknown = sorted(set(params) - set(specs))
    if unknown:
        raise QuoteError(
            "invalid_params",
            f"unknown parameter(s) for {offer['id']}: {', '.join(unknown)}",
            fields=unknown,
            allowed_fields=sorted(specs),
        )
    clean: dict[str, Any] = {}
    for name, spec in specs.items():
        raw = params.get(name)
        if raw is None or (raw == "" and spec["type"] not in {"text", "string"}):
            if "default" in spec:
                clean[name] = _coerce(spec, spec["default"])
            elif spec.get("required"):
                raise QuoteError("invalid_params", f"{name} is required", field=name)
            elif spec["type"] == "media" and spec.get("min_count", 0) > 0:
                _check_field(spec, [])  # a model that needs a source refuses none as it refuses too few
            continue
        if raw == "" and spec.get("required"):
            raise QuoteError("invalid_params", f"{name} is required", field=name)
        value = _coerce(spec, raw)
        _check_field(spec, value)
        clean[name] = value
    for rule in offer.get("rules", []):
        condition = rule.get("if")
        if condition is not None and not _holds(condition, clean):
            continue
        if not _holds(rule["require"], clean):
            details = dict(rule.get("details", {}))
            raise QuoteError(rule["code"], rule["message"], **details)
    return clean


def _value(params: dict[str, Any], name: str) -> Any:
    return params.get(name)


def _holds(cond: dict[str, Any], params: dict[str, Any]) -> bool:
    if "all" in cond:
        return all(_holds(c, params) for c in cond["all"])
    if "any" in cond:
        return any(_holds(c, params) for c in cond["any"])
    if "not" in cond:
        return not _holds(cond["not"], params)
    if "media_kind" in cond:
        urls = _value(params, cond["field"]) or []
        count = sum(1 for url in urls if media_kind(url) == cond["media_kind"])
        return cond.get("min", 0) <= count <= cond.get("max", 1 << 30)
    if "count" in cond:
        count = len(_value(params, cond["count"]) or [])
        return cond.get("min", 0) <= count <= cond.get("max", 1 << 30)
    name = cond["field"]
    value = _value(params, name)
    if "present" in cond:
        present = value not in (None, "", [])
        return present == cond["present"]
    if "in" in cond:
        return value in cond["in"] or str(value) in [str(v) for v in cond["in"]]
    if "not_in" in cond:
        return not (value in cond["not_in"] or str(value) in [str(v) for v in cond["not_in"]])
    if "equals" in cond:
        return value == cond["equals"]
    if "min" in cond or "max" in cond:
        if value is None:
            return False
        number = Decimal(str(value))
        low = Decimal(str(cond.get("min", "-Infinity")))
        high = Decimal(str(cond.get("max", "Infinity")))
        return low <= number <= high
    raise ValueError(f"unknown condition {cond!r}")


# --- price expressions -------------------------------------------------------------


def _quantity(spec: dict[str, Any], params: dict[str, Any]) -> tuple[Decimal, str]:
    """Evaluate a quantity: how many units a per-unit price multiplies."""
    if "field" in spec:
        raw = params.get(spec["field"])
        value = Decimal(str(raw if raw is not None else spec.get("default", 0)))
    elif "fields" in spec:
        value = sum((Decimal(str(params.get(name) or 0)) for name in spec["fields"]), Decimal(0))
    elif "count" in spec:
        items = params.get(spec["count"]) or []
        if "media_kind" in spec:
            items = [url for url in items if media_kind(url) == spec["media_kind"]]
        value = Decimal(len(items))
    elif "chars" in spec:
        value = Decimal(len(params.get(spec["chars"]) or ""))
    else:
        raise ValueError(f"unknown quantity {spec!r}")
    if "cap" in spec:
        value = min(value, Decimal(str(spec["cap"])))
    if "divide" in spec:
        value = value / Decimal(str(spec["divide"]))
    if spec.get("round") == "up":
        value = Decimal(math.ceil(value))
    if "min" in spec:
        value = max(value, Decimal(str(spec["min"])))
    return value, spec.get("unit", "")


def _matches(when: dict[str, Any], params: dict[str, Any]) -> bool:
    for name, expected in when.items():
        value = params.get(name)
        options = expected if isinstance(expected, list) else [expected]
        if not any(value == opt or str(value) == str(opt) for opt in options):
            return False
    return True


@dataclass
class _Eval:
    amount: Decimal
    text: str  # a fragment for the breakdown, e.g. "30 credits/s × 10 s"
    label: str = ""
    minimum: Decimal | None = None
    likely: Decimal | None = None


def _evaluate(expr: dict[str, Any], params: dict[str, Any], unit: str) -> _Eval:
    if "flat" in expr:
        amount = Decimal(str(expr["flat"]))
        return _Eval(amount, f"{fmt(amount)} {unit}", expr.get("label", ""))
    if "table" in expr:
        table = expr["table"]
        for row in table["rows"]:
            # A row may also carry "if": COND, for prices keyed on something a plain
            # value match can't say (Krea: "Reference Images 0..9", "Character Reference: Yes").
            if _matches(row.get("when", {}), params) and ("if" not in row or _holds(row["if"], params)):
                if "price" in row:
                    inner = _evaluate(row["price"], params, unit)
                    return _Eval(inner.amount, inner.text, row.get("label", inner.label), inner.minimum, inner.likely)
                amount = Decimal(str(row["amount"]))
                likely = Decimal(str(row["likely"])) if "likely" in row else None
                return _Eval(amount, f"{fmt(amount)} {unit}", row.get("label", ""), likely=likely)
        described = ", ".join(f"{name}={params.get(name)!r}" for name in table.get("by", []))
        raise QuoteError(
            "invalid_params",
            f"no documented price for {described}",
            fields=table.get("by", []),
        )
    if "per" in expr:
        rate = _evaluate(expr["rate"], params, unit)
        quantity, qunit = _quantity(expr["per"], params)
        amount = rate.amount * quantity
        per_unit = f"/{qunit}" if qunit else " each"
        text = f"{rate.text}{per_unit} × {fmt(quantity)}{(' ' + qunit) if qunit else ''}"
        likely = rate.likely * quantity if rate.likely is not None else None
        return _Eval(amount, text, rate.label or expr.get("label", ""), likely=likely)
    if "sum" in expr:
        parts = [_evaluate(part, params, unit) for part in expr["sum"]]
        amount = sum((p.amount for p in parts), Decimal(0))
        text = " + ".join(f"({p.text})" if "×" in p.text else p.text for p in parts)
        likely = None
        if any(p.likely is not None for p in parts):
            likely = sum((p.likely if p.likely is not None else p.amount for p in parts), Decimal(0))
        return _Eval(amount, text, expr.get("label", ""), likely=likely)
    if "estimate" in expr:
        low = Decimal(str(expr["estimate"]["min"]))
        high = Decimal(str(expr["estimate"]["max"]))
        text = f"{fmt(low)}–{fmt(high)} {unit} documented; the top, {fmt(high)}, charged"
        return _Eval(high, text, expr.get("label", ""), minimum=low)
    raise ValueError(f"unknown price expression {expr!r}")


def offer_price(offer: dict[str, Any], params: dict[str, Any], unit: str) -> ProviderPrice:
    """The provider's price for already-checked ``params``, with a readable breakdown."""
    result = _evaluate(offer["pricing"], params, unit)
    label = result.label or offer["name"]
    if "×" in result.text or "+" in result.text:
        breakdown = f"{label}: {result.text} = {fmt(result.amount)} {unit}"
    else:
        breakdown = f"{label}: {result.text}"
    return ProviderPrice(
        amount=result.amount,
        breakdown=breakdown,
        estimated=result.minimum is not None,
        minimum=result.minimum,
        likely=result.likely,
    )


# --- the documented price table, enumerated for people ------------------------------


@dataclass(frozen=True)
class PriceRow:
    """One documented combination: when it applies and what it costs.

    ``text`` is the price written with ``money`` (provider units or studio
    credits); ``amount`` is set when the row is one fixed price per request.
    """

    conditions: str
    text: str
    amount: Decimal | None = None


def _label(spec: dict[str, Any], name: str) -> str:
    for field_spec in spec.get("fields", []):
        if field_spec["name"] == name:
            return field_spec.get("label") or name
    return name


def _values(value: Any) -> str:
    options = value if isinstance(value, list) else [value]
    return " or ".join(_value_text(v) for v in options)


def _when_text(name: str, value: Any, spec: dict[str, Any]) -> str:
    options = value if isinstance(value, list) else [value]
    if all(v in (None, "", []) for v in options):
        return f"no {_label(spec, name).lower()}"
    return f"{_label(spec, name)} {_values(value)}"


def _value_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _range(low: Any, high: Any, noun: str) -> str:
    if low is not None and high is not None:
        return f"{low} {noun}" if low == high else f"{low}–{high} {noun}"
    if high is not None:
        return f"at most {high} {noun}"
    return f"at least {low} {noun}"


def condition_text(cond: dict[str, Any], spec: dict[str, Any]) -> str:
    """A COND (see SCHEMA.md) in words, with the offer's field labels."""
    if "all" in cond:
        return " and ".join(condition_text(c, spec) for c in cond["all"])
    if "any" in cond:
        return "(" + " or ".join(condition_text(c, spec) for c in cond["any"]) + ")"
    if "not" in cond:
        inner = condition_text(cond["not"], spec)
        return f"not {inner}" if inner.startswith("(") else f"not ({inner})"
    if "media_kind" in cond:
        noun = f"{cond['media_kind']}(s)"
        return f"{_label(spec, cond['field'])}: {_range(cond.get('min'), cond.get('max'), noun)}"
    if "count" in cond:
        if cond.get("max") == 0:
            return f"no {_label(spec, cond['count']).lower()}"
        return f"{_label(spec, cond['count'])}: {_range(cond.get('min'), cond.get('max'), 'item(s)')}"
    label = _label(spec, cond["field"])
    if "present" in cond:
        return f"{label} given" if cond["present"] else f"no {label}"
    if "in" in cond:
        return f"{label} {_values(cond['in'])}"
    if "not_in" in cond:
        return f"{label} not {_values(cond['not_in'])}"
    if "equals" in cond:
        return f"{label} {_value_text(cond['equals'])}"
    return f"{label} {_range(cond.get('min'), cond.get('max'), '')}".rstrip()


def _quantity_text(spec: dict[str, Any], offer: dict[str, Any]) -> str:
    if "field" in spec:
        text = _label(offer, spec["field"])
    elif "fields" in spec:
        text = " + ".join(_label(offer, name) for name in spec["fields"])
    elif "count" in spec:
        kind = spec.get("media_kind")
        text = f"{kind}s in {_label(offer, spec['count'])}" if kind else f"items in {_label(offer, spec['count'])}"
    else:
        text = f"characters of {_label(offer, spec['chars'])}"
    notes = []
    if "cap" in spec:
        notes.append(f"at most {spec['cap']}")
    if "divide" in spec:
        text = f"{text} ÷ {spec['divide']:,}"
    if spec.get("round") == "up":
        notes.append("rounded up")
    if "min" in spec:
        notes.append(f"at least {spec['min']}")
    return text + (f" ({', '.join(notes)})" if notes else "")


Money = Any  # Callable[[Decimal], str]


def _describe(expr: dict[str, Any], offer: dict[str, Any], money: Money) -> list[tuple[list[str], str, Decimal | None]]:
    if "flat" in expr:
        amount = Decimal(str(expr["flat"]))
        return [([], money(amount), amount)]
    if "estimate" in expr:
        low, high = Decimal(str(expr["estimate"]["min"])), Decimal(str(expr["estimate"]["max"]))
        return [([], f"{money(low)} – {money(high)} documented (the top is charged)", None)]
    if "table" in expr:
        rows: list[tuple[list[str], str, Decimal | None]] = []
        for index, row in enumerate(expr["table"]["rows"]):
            conds = [_when_text(name, value, offer) for name, value in row.get("when", {}).items()]
            if "if" in row:
                conds.append(condition_text(row["if"], offer))
            if not conds and index:
                conds = ["any other combination"]
            if "price" in row:
                rows += [(conds + inner, text, amount) for inner, text, amount in _describe(row["price"], offer, money)]
            elif "likely" in row:  # a combination the docs price only as part of a range: the top is charged
                amount = Decimal(str(row["amount"]))
                likely = Decimal(str(row["likely"]))
                rows.append(
                    (conds, f"{money(amount)} charged (likely {money(likely)}, a figure not in the docs)", amount)
                )
            else:
                amount = Decimal(str(row["amount"]))
                rows.append((conds, money(amount), amount))
        return rows
    if "per" in expr:
        per = expr["per"]
        unit = per.get("unit", "")
        quantity = _quantity_text(per, offer)
        per_unit = f"/{unit}" if unit and " " not in unit else f" per {unit or 'unit'}"
        return [
            (conds, f"{text}{per_unit} × {quantity}", None)
            for conds, text, _amount in _describe(expr["rate"], offer, money)
        ]
    if "sum" in expr:
        combos: list[tuple[list[str], str, Decimal | None]] = [([], "", Decimal(0))]
        for part in expr["sum"]:
            described = _describe(part, offer, money)
            if len(combos) * len(described) > 400:  # keep a readable page; say it in words instead
                described = [([], "; ".join(text for _c, text, _a in described), None)]
            combos = [
                (
                    conds + more,
                    f"{text} + {more_text}" if text else more_text,
                    amount + more_amount if amount is not None and more_amount is not None else None,
                )
                for conds, text, amount in combos
                for more, more_text, more_amount in described
            ]
        return combos
    raise ValueError(f"unknown price expression {expr!r}")


def price_rows(offer: dict[str, Any], money: Money) -> list[PriceRow]:
    """Every documented price combination of an offer, in words (for the model page).

    A table gives one row per documented row; a per-unit price gives its rate
    (one row per rate row); a sum gives every combination of its parts.
    """
    rows = []
    for conds, text, amount in _describe(offer["pricing"], offer, money):
        rows.append(PriceRow(conditions=", ".join(conds) or "any settings", text=text, amount=amount))
    return rows


# --- quantities the studio measures from the request's media -------------------------------

MEASURE_KEYS = {"field", "kind", "frames", "billed"}
MEASURE_BILLED = {"measured", "default", "none"}


@dataclass(frozen=True)
class Measure:
    """A derived seconds field and the media it measures (a field's ``measures`` key, see SCHEMA.md).

    ``name`` is the derived field, ``source`` the media field whose files' lengths
    (summed) it holds, ``kind`` narrows a mixed field to one kind of file, ``frames``
    names a (frame count, frames per second) pair of fields that, when both are
    given, set the length instead, and ``billed`` is "default" when the provider
    bills the field's default whatever the length (the measured length is then only
    checked against the field's limits), or "none" when the length is only a limit
    and no price depends on it.
    """

    name: str
    source: str
    kind: str | None = None
    frames: tuple[str, str] | None = None
    billed: str = "measured"
    label: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    default: Decimal | None = None


def offer_measures(offer: dict[str, Any]) -> list[Measure]:
    """The offer's measured fields, in spec order (a ``measures`` string is short for ``{"field": ...}``)."""
    measures = []
    for spec in offer.get("fields", []):
        raw = spec.get("measures")
        if raw is None or not spec.get("derived"):
            continue
        if isinstance(raw, str):
            raw = {"field": raw}
        frames = raw.get("frames")
        measures.append(
            Measure(
                name=spec["name"],
                source=raw["field"],
                kind=raw.get("kind"),
                frames=(frames[0], frames[1]) if frames else None,
                billed=raw.get("billed", "measured"),
                label=spec.get("label") or spec["name"],
                minimum=Decimal(str(spec["min"])) if "min" in spec else None,
                maximum=Decimal(str(spec["max"])) if "max" in spec else None,
                default=Decimal(str(spec["default"])) if "default" in spec else None,
            )
        )
    return measures


def measures_problems(offer: dict[str, Any]) -> list[str]:
    """What is wrong with the offer's ``measures`` keys (for the data-file checker)."""
    problems = []
    fields = {spec.get("name"): spec for spec in offer.get("fields", [])}
    for name, spec in fields.items():
        raw = spec.get("measures")
        if spec.get("derived") and spec.get("type") in {"integer", "number"} and raw is None:
            problems.append(f"derived field {name!r} does not say which media it measures (`measures`)")
        if raw is None:
            continue
        if not spec.get("derived") or spec.get("type") not in {"integer", "number"}:
            problems.append(f"field {name!r}: `measures` belongs on a derived number field")
            continue
        raw = {"field": raw} if isinstance(raw, str) else raw
        if not isinstance(raw, dict) or set(raw) - MEASURE_KEYS:
            problems.append(f"field {name!r}: `measures` takes {sorted(MEASURE_KEYS)}")
            continue
        source = fields.get(raw.get("field"))
        if source is None or source.get("type") != "media":
            problems.append(f"field {name!r} measures {raw.get('field')!r}, which is not a media field of the offer")
            continue
        kinds = [k for k in source.get("kinds") or [] if k in {"video", "audio"}]
        if raw.get("kind") is not None and raw["kind"] not in kinds:
            problems.append(f"field {name!r}: {raw.get('field')!r} takes no {raw['kind']} files")
        elif not kinds:
            problems.append(f"field {name!r}: {raw.get('field')!r} takes no video or audio, which have a length")
        frames = raw.get("frames")
        if frames is not None and (
            not isinstance(frames, list) or len(frames) != 2 or any(f not in fields for f in frames)
        ):
            problems.append(f"field {name!r}: `frames` must name the frame-count and frames-per-second fields")
        if raw.get("billed", "measured") not in MEASURE_BILLED:
            problems.append(f"field {name!r}: `billed` must be one of {sorted(MEASURE_BILLED)}")
        if raw.get("billed") == "default" and "default" not in spec:
            problems.append(f"field {name!r}: billed at its default, but it has none")
    return problems


def _per_divisor(expr: dict[str, Any], name: str) -> int | None:
    """The ``divide`` of the per-unit price on ``name`` (60 for a per-minute price), 1 when none."""
    if "per" in expr:
        quantity = expr["per"]
        if quantity.get("field") == name or name in quantity.get("fields", []):
            return int(quantity.get("divide", 1))
        return _per_divisor(expr["rate"], name)
    parts = list(expr.get("sum", []))
    parts += [row["price"] for row in expr.get("table", {}).get("rows", []) if "price" in row]
    for part in parts:
        found = _per_divisor(part, name)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class MeasuredRate:
    """How a request's price grows with a length not measured yet: ``base`` + ``amount`` per ``seconds``."""

    amount: Decimal
    seconds: int  # 1 (per second), or 60 for a per-minute price
    base: Decimal


def measured_rate(offer: dict[str, Any], params: dict[str, Any], name: str, unit: str) -> MeasuredRate:
    """The price of ``params`` as a rate on the measured field ``name`` (in the provider's unit).

    Prices two lengths a step apart inside the field's limits, so every other
    setting is checked exactly as a real quote would check it; a request refused
    for another reason raises that QuoteError.
    """
    spec = next(f for f in offer.get("fields", []) if f["name"] == name)
    step = _per_divisor(offer["pricing"], name) or 1
    low = Decimal(str(spec.get("min", 0)))
    high = Decimal(str(spec["max"])) if "max" in spec else None
    refusal: QuoteError | None = None
    for times in (10, 5, 2, 1):
        first, second = Decimal(step * times), Decimal(step * (times + 1))
        if first < low or (high is not None and second > high):
            continue
        try:
            at_first = offer_price(offer, offer_check(offer, {**params, name: first}), unit).amount
            at_second = offer_price(offer, offer_check(offer, {**params, name: second}), unit).amount
        except QuoteError as exc:
            refusal = exc
            continue
        amount = at_second - at_first
        return MeasuredRate(amount=amount, seconds=step, base=at_first - amount * times)
    raise refusal or QuoteError("invalid_params", f"{name}: no length inside its limits can be priced", field=name)
