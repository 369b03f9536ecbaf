"""Krea: the studio's catalog (``catalog/data/krea.json``) against the sandbox's reading (``sandbox/readings/krea.py``).

Both are readings of Krea's OpenAPI file (003); each difference names the JSON pointer of the fact. Compared:
the endpoints, every request field (type, required, enum, default, minimum, maximum, lengths, item counts),
every price row (the studio's quote for the request the row selects against the row's figure, the ``~``
approximations, the completion times), the output kind, the webhook header and the job statuses; and the
places where the doc disagrees with itself, with how each side handles them.

``DECIDED`` holds every difference looked at, keyed ``(model, what)``, with what was decided and why.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from catalog.pricing import QuoteError
from sandbox.readings import krea as reading
from tests.contract.doc import Difference
from tests.contract.krea_cases import OFFERS_BY_PATH, row_body, schema_errors, studio_check, studio_quote

PROVIDER = "krea"


def _doc(where: str) -> str:
    return f"003 {where}"


def _number(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    if isinstance(value, str):
        try:
            return Decimal(value).normalize()
        except ArithmeticError:
            return value
    return value


def _studio_type(spec: dict[str, Any]) -> str:
    return spec["type"]


def _sandbox_type(field: reading.Field) -> str:
    """The studio's field type that a schema property reads as: the sandbox's own reading of the type."""
    kinds = set(field.types) - {"null"}
    schema_items = field.item_schema or {}
    if kinds == {"string"} and field.enum is None:
        url = field.format == "uri" or field.name.endswith(("_image", "_video", "_url")) or field.name == "init_video"
        return "media" if url else "text"
    if field.enum is not None and kinds <= {"string", "number", "integer"}:
        return "enum"
    urls = schema_items.get("format") == "uri" or field.name.endswith("_urls")  # gpt-image: image_urls, no format
    if kinds == {"array"} and schema_items.get("type") == "string" and urls:
        return "media"
    if kinds & {"array", "object"}:
        return "json"
    return next(iter(kinds)) if len(kinds) == 1 else "/".join(sorted(kinds))


def _field_differences(model: str, endpoint: reading.Endpoint, offer: dict[str, Any]) -> list[Difference]:
    found: list[Difference] = []
    studio = {spec["name"]: spec for spec in offer["fields"]}

    def differ(what: str, mine: Any, theirs: Any, where: str) -> None:
        found.append(Difference(PROVIDER, model, what, mine, theirs, _doc(where)))

    for name in sorted(set(studio) | set(endpoint.fields)):
        field = endpoint.fields.get(name)
        spec = studio.get(name)
        if field is None or spec is None:
            differ(f"field {name}", spec is not None, field is not None, endpoint.schema_pointer + "/properties")
            continue
        kind = _sandbox_type(field)
        if _studio_type(spec) != kind and not (kind == "enum" and _studio_type(spec) in {"number", "integer"}):
            differ(f"{name} type", _studio_type(spec), kind, field.pointer)
        if bool(spec.get("required")) != field.required:
            differ(
                f"{name} required", bool(spec.get("required")), field.required, endpoint.schema_pointer + "/required"
            )
        if field.enum is not None or "choices" in spec:
            mine = [_number(c) for c in spec.get("choices", [])] or None
            theirs = [_number(c) for c in field.enum] if field.enum is not None else None
            if mine != theirs:
                differ(f"{name} enum", spec.get("choices"), list(field.enum) if field.enum else None, field.pointer)
        mine_default = _number(spec["default"]) if "default" in spec else None
        theirs_default = _number(field.default) if field.has_default else None
        if mine_default != theirs_default:
            differ(
                f"{name} default",
                spec.get("default"),
                field.default if field.has_default else None,
                field.pointer + ("/default" if field.has_default else ""),
            )
        for key, theirs in (("min", field.minimum), ("max", field.maximum)):
            mine = _number(spec.get(key))
            if mine != _number(theirs):
                differ(f"{name} {key}imum", spec.get(key), theirs, field.pointer)
        for key, theirs in (("min_length", field.min_length), ("max_length", field.max_length)):
            if spec.get(key) != theirs:
                differ(f"{name} {key}", spec.get(key), theirs, field.pointer)
        if _studio_type(spec) == "media" and "array" in field.types:
            for key, theirs in (("min_count", field.min_items), ("max_count", field.max_items)):
                if spec.get(key) != theirs:
                    differ(f"{name} {key}", spec.get(key), theirs, field.pointer)
    return found


def _studio_rows(offer: dict[str, Any]) -> list[dict[str, Any]]:
    pricing = offer["pricing"]
    return pricing["table"]["rows"] if "table" in pricing else [pricing]


def _price_differences(model: str, endpoint: reading.Endpoint, offer: dict[str, Any]) -> list[Difference]:
    found: list[Difference] = []
    studio_rows = _studio_rows(offer)
    if not endpoint.priced:
        if studio_rows and any("amount" in row or "flat" in row for row in studio_rows):
            found.append(Difference(PROVIDER, model, "price table", "priced", "no table", _doc(endpoint.price_pointer)))
        return found
    if len(studio_rows) != len(endpoint.prices):
        found.append(
            Difference(
                PROVIDER, model, "price rows", len(studio_rows), len(endpoint.prices), _doc(endpoint.price_pointer)
            )
        )
    approximate = any(row.approximate for row in endpoint.prices)
    if bool(offer.get("price_approximate")) != approximate:
        found.append(
            Difference(
                PROVIDER,
                model,
                "approximate (~) price",
                bool(offer.get("price_approximate")),
                approximate,
                _doc(endpoint.price_pointer),
            )
        )
    for row in endpoint.prices:
        where = _doc(f"{row.pointer} {row.line}")
        body = row_body(endpoint, row)
        if schema_errors(endpoint.schema_pointer, body):
            continue  # a row the doc's own schema refuses: listed with the doc's conflicts below
        try:
            clean = studio_check(offer, body)
            amount: Any = studio_quote(offer, clean)
        except QuoteError as error:
            clean, amount = None, f"refused: {error.message}"
        if amount != row.amount:
            found.append(Difference(PROVIDER, model, f"price {row.line}", amount, row.amount, where))
        if row.seconds is not None and clean is not None:
            matched = next(
                (r for r in studio_rows if "amount" in r and Decimal(str(r["amount"])) == row.amount), studio_rows[0]
            )
            seconds = matched.get("estimated_seconds", offer.get("estimated_seconds"))
            if seconds != row.seconds:
                found.append(Difference(PROVIDER, model, f"seconds {row.line}", seconds, row.seconds, where))
    return found


def _how_studio_handles(offer: dict[str, Any], endpoint: reading.Endpoint, conflict: reading.Conflict) -> str:
    if "refused by the schema" in conflict.what:
        answers = set()
        for line in conflict.lines:
            row = next(row for row in endpoint.prices if row.line == line)
            try:
                studio_check(offer, row_body(endpoint, row))
            except QuoteError as error:
                answers.add(f"refused: {error.message}")
            else:
                answers.add(f"accepted {line}")
        return "; ".join(sorted(answers))
    if "in no price row" in conflict.what:
        name, value = conflict.what.split(" ", 1)[0].split("=")
        body = {**row_body(endpoint, endpoint.prices[0]), name: _number(value)}
        try:
            studio_quote(offer, studio_check(offer, body))
        except QuoteError as error:
            return f"refused: {error.message}"
        return "quoted"
    if "names no request field" in conflict.what:
        pricing = offer["pricing"]
        return f"flat {pricing['flat']}" if "flat" in pricing else f"table by {pricing['table']['by']}"
    if "example lacks" in conflict.what:
        try:
            clean = studio_check(offer, dict(endpoint.example))
        except QuoteError as error:
            return f"refused: {error.message}"
        missing = sorted(set(endpoint.schema.get("required", [])) - set(endpoint.example))
        return f"fills {', '.join(f'{name}={clean.get(name)!r}' for name in missing)}"
    return "?"


_SANDBOX_HANDLING = {
    "refused by the schema": "400 by the schema (the rows are kept, never charged)",
    "in no price row": "accepted by the schema, charged 0 (krea.no_price_row)",
    "names no request field": "the column is a note: the row applies to every request",
    "example lacks": "400 by the schema",
}


def _conflict_differences() -> list[Difference]:
    found: list[Difference] = []
    for conflict in reading.DOC_CONFLICTS:
        endpoint = reading.ENDPOINTS[conflict.path]
        offer = OFFERS_BY_PATH.get(conflict.path)
        if offer is None:
            continue
        sandbox = next(text for key, text in _SANDBOX_HANDLING.items() if key in conflict.what)
        studio = _how_studio_handles(offer, endpoint, conflict)
        found.append(
            Difference(PROVIDER, offer["id"], f"doc conflict: {conflict.what}", studio, sandbox, _doc(conflict.pointer))
        )
    return found


def _behaviour_differences(model: str, endpoint: reading.Endpoint, offer: dict[str, Any]) -> list[Difference]:
    """Limits the studio's data records but its engine may not apply: probed with a value the doc refuses."""
    found: list[Difference] = []
    for name, field in endpoint.fields.items():
        if field.min_length and field.min_length > 1:
            base = row_body(endpoint, endpoint.prices[0]) if endpoint.priced else {}
            body = {**base, name: "x" * (field.min_length - 1)}
            try:
                studio_check(offer, body)
            except QuoteError:
                continue
            found.append(
                Difference(
                    PROVIDER,
                    model,
                    f"{name} minLength {field.min_length} enforced",
                    "no (accepted a shorter value)",
                    "yes (400)",
                    _doc(field.pointer + "/minLength"),
                )
            )
    return found


def differences() -> list[Difference]:
    from generations.providers.krea import STATUS

    found: list[Difference] = []
    for path in sorted(set(reading.ENDPOINTS) | set(OFFERS_BY_PATH)):
        endpoint = reading.ENDPOINTS.get(path)
        offer = OFFERS_BY_PATH.get(path)
        if endpoint is None or offer is None:
            model = offer["id"] if offer else path
            found.append(
                Difference(PROVIDER, model, "endpoint", offer is not None, endpoint is not None, _doc("/paths"))
            )
            continue
        model = offer["id"]
        if offer["output"] != endpoint.output:
            found.append(
                Difference(PROVIDER, model, "output", offer["output"], endpoint.output, _doc(endpoint.pointer))
            )
        header = offer["wire"].get("webhook_header")
        if header != reading.WEBHOOK_HEADER:
            found.append(
                Difference(
                    PROVIDER, model, "webhook header", header, reading.WEBHOOK_HEADER, _doc(reading.WEBHOOK_POINTER)
                )
            )
        found += _field_differences(model, endpoint, offer)
        found += _price_differences(model, endpoint, offer)
        found += _behaviour_differences(model, endpoint, offer)
    if sorted(STATUS) != sorted(reading.JOB_STATUSES):
        found.append(
            Difference(
                PROVIDER,
                "*",
                "job statuses",
                sorted(STATUS),
                sorted(reading.JOB_STATUSES),
                _doc(reading.JOB_STATUSES_POINTER),
            )
        )
    found += _conflict_differences()
    return found


_ONE_CHOICE = (
    "The schema requires {field} and allows one value ({value}) but states no default; the studio fills that "
    "value, the sandbox's reading records no default because the doc writes none. Both send/accept the same "
    "body (the contract's default-request case validates it), so nothing to change."
)
_NOTE_COLUMN = (
    "The table has a {column} column but the endpoint's schema has no such field, so the column cannot select a "
    "row: both readings charge the single row's {amount} to every request (studio as a flat price, sandbox as a "
    "row whose cell is a note). Kept as written; the contract's row case checks both charge {amount}."
)
_UNREACHABLE = (
    "The doc contradicts itself: its price table lists {what} but the schema's enum refuses it. Both sides follow "
    "the schema: the studio refuses the value before sending, the sandbox answers 400; the rows stay in both "
    "readings as written and are never charged. Nothing to change until Krea fixes one of the two."
)
_NO_ROW = (
    "duration 4 is allowed by the schema (enum 4|6|8, default 8) but the table only prices 5s-8s. The studio refuses "
    "4 s (no documented price: inventing one is forbidden); the sandbox accepts what Krea's schema accepts and "
    "charges 0, counted as krea.no_price_row. The studio never sends it, so no job is under-charged."
)
_EXAMPLE = (
    "The doc's request example omits {field}, which the schema requires: sent as written Krea answers 400, and so "
    "does the sandbox. {studio} The contract's example case checks both."
)
_SEED = (
    "Doc default {seed} where every other endpoint says 1337: it looks drawn when the file was generated. The "
    "studio records no default so it never pins every request to one seed (Krea picks a seed when none is sent); "
    "the sandbox's reading keeps the doc's value but only uses defaults to select price rows, and seed selects "
    "none. Decided: keep both as they are."
)
DECIDED: dict[tuple[str, str], str] = {
    ("flux-1-dev", "seed default"): _SEED.format(seed=3317551338),
    ("flux-1-kontext-dev", "seed default"): _SEED.format(seed=3261419148),
    ("topaz-bloom-enhance", "model default"): _ONE_CHOICE.format(field="model", value="const 'Reimagine'"),
    ("z-image", "resolution default"): _ONE_CHOICE.format(field="resolution", value="enum ['1K']"),
    ("imagen-3", "doc conflict: price column 'Model' names no request field"): _NOTE_COLUMN.format(
        column="Model (| Standard | 22.9 |)", amount="22.9"
    ),
    ("hailuo", "doc conflict: price column 'Duration' names no request field"): _NOTE_COLUMN.format(
        column="Duration (| 5s | 246 |)", amount="246"
    ),
    ("luma-ray-2", "doc conflict: price column 'Duration' names no request field"): _NOTE_COLUMN.format(
        column="Duration (| 5s | 229 |)", amount="229"
    ),
    (
        "kling-2.1",
        "doc conflict: price rows with mode='std' are refused by the schema's enum ['master', 'pro']",
    ): _UNREACHABLE.format(what="mode std (| std | 5s | 143 |, | std | 10s | 286 |)"),
    (
        "veo-3",
        "doc conflict: price rows with duration=5 are refused by the schema's enum [4, 6, 8]",
    ): _UNREACHABLE.format(what="5s rows (573/1145 at 720p and 1080p)"),
    (
        "veo-3",
        "doc conflict: price rows with duration=7 are refused by the schema's enum [4, 6, 8]",
    ): _UNREACHABLE.format(what="7s rows (802/1604 at 720p and 1080p)"),
    (
        "veo-3-fast",
        "doc conflict: price rows with duration=5 are refused by the schema's enum [4, 6, 8]",
    ): _UNREACHABLE.format(what="5s rows (286/430 at 720p and 1080p)"),
    (
        "veo-3-fast",
        "doc conflict: price rows with duration=7 are refused by the schema's enum [4, 6, 8]",
    ): _UNREACHABLE.format(what="7s rows (401/601 at 720p and 1080p)"),
    ("veo-3", "doc conflict: duration=4 is in the schema's enum but in no price row"): _NO_ROW,
    ("veo-3-fast", "doc conflict: duration=4 is in the schema's enum but in no price row"): _NO_ROW,
    ("runway-gen-4-image", "doc conflict: the example lacks required reference_images"): _EXAMPLE.format(
        field="reference_images (1-3 {url, tag})",
        studio="The studio refuses it before sending (reference_images is required).",
    ),
    ("topaz-standard-enhance", "doc conflict: the example lacks required model"): _EXAMPLE.format(
        field="model (Standard V2 | Low Resolution V2 | CGI | High Fidelity V2 | Text Refine, no default)",
        studio="The studio refuses it before sending (model is required).",
    ),
    ("topaz-bloom-enhance", "doc conflict: the example lacks required model"): _EXAMPLE.format(
        field="model (const Reimagine)",
        studio="The studio fills the only allowed value, so its request carries the example's fields plus model.",
    ),
}
