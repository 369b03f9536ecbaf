"""The sandbox's own reading of Krea's OpenAPI file (``sandbox/docs/003_1e7729bb5e0b9366.txt``).

Parsed from the vendored JSON at import, never from the studio's catalog: every ``POST /generate/...``
endpoint with its request schema (fields, required, enums, defaults, ranges), its compute-unit price
table (the markdown table in the endpoint's ``description``), the job statuses and the ``X-Webhook-URL``
header. Every fact keeps the JSON pointer (RFC 6901) it was read from, so a test can quote the doc.

How the price tables are read (the sandbox's own judgement, from the doc alone):

- ``Compute Units`` is the amount (``~N`` is Krea's approximate figure, charged as written);
  ``Average Completion Time`` (``~N seconds``) is the expected run time.
- Any other column selects the row. ``Resolution``, ``Mode``, ``Duration`` (``5s`` → 5) name a request
  field; ``Audio`` (``Yes``/``No``) is ``generate_audio``; ``LoRA`` is ``has_lora`` true or at least one
  entry in ``styles`` (Krea's styles are trained LoRAs, ``POST /styles/train``); ``Character Reference``
  is at least one ``character_reference_images`` URL; ``Video Reference`` is a ``video_reference``
  object; ``Reference Images`` (0..9, UNI-1) is the number of ``style_images`` (the endpoint's only
  image list, ``maxItems: 9``). A ``-`` cell matches any request.
- A column whose field the endpoint's schema does not have (Hailuo and Ray 2 ``Duration``, Imagen 3
  ``Model``) cannot select anything: it is a note, the row applies to every request. Such a column and
  a row whose value the schema's enum refuses (Kling 2.1 ``std``, Veo 3 ``5s``/``7s``) are kept as
  written and listed in :data:`DOC_CONFLICTS`.
- A request is priced with the schema's defaults filled in for the fields it leaves out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DOC_FILE = "003_1e7729bb5e0b9366.txt"
DOC = Path(__file__).resolve().parent.parent / "docs" / DOC_FILE
OPENAPI: dict[str, Any] = json.loads(DOC.read_text(encoding="utf-8"))
UNIT = "compute units"

_MISSING: Any = object()


def pointer(*parts: str | int) -> str:
    """The JSON pointer of ``parts`` (each escaped as RFC 6901 says)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def resolve(where: str) -> Any:
    """The value of the OpenAPI document at a JSON pointer."""
    node: Any = OPENAPI
    for part in where.lstrip("/").split("/") if where.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


# --- request fields -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One property of an endpoint's request schema, as the schema states it."""

    name: str
    pointer: str
    types: tuple[str, ...]  # JSON types; "null" kept when the schema allows it
    required: bool
    enum: tuple[Any, ...] | None = None  # from ``enum``, ``const`` or an ``anyOf`` of consts (nulls dropped)
    default: Any = _MISSING
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    format: str | None = None
    item_schema: dict[str, Any] | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not _MISSING


def _consts(schema: dict[str, Any]) -> list[Any] | None:
    """The values of a (nested) ``anyOf`` of ``const`` schemas, or None when it is not one."""
    values: list[Any] = []
    for option in schema.get("anyOf", []):
        if "const" in option:
            values.append(option["const"])
        elif "anyOf" in option:
            inner = _consts(option)
            if inner is None:
                return None
            values.extend(inner)
        else:
            return None
    return values or None


def _types(schema: dict[str, Any]) -> tuple[str, ...]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return tuple(kind)
    if kind:
        return (kind,)
    found: list[str] = []
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        for item in _types(option):
            if item not in found:
                found.append(item)
    return tuple(found)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _field(name: str, schema: dict[str, Any], where: str, required: bool) -> Field:
    enum: list[Any] | None = None
    if "enum" in schema:
        enum = [value for value in schema["enum"] if value is not None]
    elif "const" in schema:
        enum = [schema["const"]]
    elif "anyOf" in schema:
        enum = _consts(schema)
    return Field(
        name=name,
        pointer=where,
        types=_types(schema),
        required=required,
        enum=tuple(enum) if enum is not None else None,
        default=schema.get("default", _MISSING),
        minimum=_decimal(schema.get("minimum")),
        maximum=_decimal(schema.get("maximum")),
        min_length=schema.get("minLength"),
        max_length=schema.get("maxLength"),
        min_items=schema.get("minItems"),
        max_items=schema.get("maxItems"),
        format=schema.get("format"),
        item_schema=schema.get("items"),
    )


# --- price tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One selecting cell of a price row: how it tests a request."""

    heading: str
    text: str
    test: str  # equals | at_least | exactly | present | any | note
    field: str | None = None  # the request field it reads
    value: Any = None  # the value (equals, present) or count (at_least, exactly)
    also: str | None = None  # a second field that says the same (LoRA: styles)


@dataclass(frozen=True)
class PriceRow:
    """One row of an endpoint's compute-unit table, with the line it was read from."""

    pointer: str  # the endpoint's description
    line: str  # the row as written in the description
    cells: tuple[Cell, ...]
    amount: Decimal
    approximate: bool
    seconds: int | None = None

    def matches(self, body: dict[str, Any]) -> bool:
        return all(_cell_holds(cell, body) for cell in self.cells)


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (list, tuple)) else 0


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return value is expected
    if isinstance(expected, (int, float, Decimal)) and isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)) == Decimal(str(expected))
    return value == expected


def _cell_holds(cell: Cell, body: dict[str, Any]) -> bool:
    if cell.test in {"any", "note"}:
        return True
    value = body.get(cell.field) if cell.field else None
    if cell.test == "equals":
        return _same(value, cell.value)
    if cell.test == "exactly":
        return _count(value) == cell.value
    if cell.test == "at_least":
        return _count(value) >= cell.value
    if cell.test == "present":
        yes = value is True if cell.field == "has_lora" else value not in (None, "", [], {})
        if cell.also:
            yes = yes or _count(body.get(cell.also)) > 0
        return yes is cell.value
    raise ValueError(f"unknown test {cell.test!r}")


_YES_NO = {"Yes": True, "No": False}
_AMOUNT = "Compute Units"
_TIME = "Average Completion Time"


def _cell(heading: str, text: str, fields: dict[str, Field]) -> Cell:
    """How the cell ``text`` under ``heading`` selects a request (see the module's docstring)."""
    if text == "-":
        return Cell(heading, text, "any")
    if heading == "Audio":
        return Cell(heading, text, "equals", "generate_audio", _YES_NO[text])
    if heading == "LoRA":
        return Cell(heading, text, "present", "has_lora", _YES_NO[text], also="styles")
    if heading == "Character Reference":
        test = "at_least" if _YES_NO[text] else "exactly"
        return Cell(heading, text, test, "character_reference_images", 1 if _YES_NO[text] else 0)
    if heading == "Video Reference":
        return Cell(heading, text, "present", "video_reference", _YES_NO[text])
    if heading == "Reference Images":
        return Cell(heading, text, "exactly", "style_images", int(text))
    name = heading.lower().replace(" ", "_")
    if name not in fields:
        return Cell(heading, text, "note", None, text)
    value: Any = text
    if heading == "Duration":
        value = int(text.removesuffix("s"))
    return Cell(heading, text, "equals", name, value)


def _price_table(description: str, where: str, fields: dict[str, Field]) -> tuple[PriceRow, ...]:
    lines = [line.strip() for line in description.splitlines()]
    for index, line in enumerate(lines):
        if not (line.startswith("|") and _AMOUNT in line):
            continue
        headings = [cell.strip() for cell in line.strip("|").split("|")]
        rows: list[PriceRow] = []
        for row in lines[index + 2 :]:
            if not row.startswith("|"):
                break
            texts = [cell.strip() for cell in row.strip("|").split("|")]
            cells: list[Cell] = []
            amount_text = seconds_text = ""
            for heading, text in zip(headings, texts, strict=True):
                if heading == _AMOUNT:
                    amount_text = text
                elif heading == _TIME:
                    seconds_text = text
                else:
                    cells.append(_cell(heading, text, fields))
            seconds = re.fullmatch(r"~?(\d+) seconds", seconds_text)
            rows.append(
                PriceRow(
                    pointer=where,
                    line=row,
                    cells=tuple(cells),
                    amount=Decimal(amount_text.lstrip("~")),
                    approximate=amount_text.startswith("~"),
                    seconds=int(seconds.group(1)) if seconds else None,
                )
            )
        return tuple(rows)
    return ()


# --- endpoints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    path: str
    pointer: str  # the operation: /paths/~1generate~1.../post
    name: str  # the operation's summary
    kind: str  # image | video | enhance (the path's second segment)
    output: str  # image | video: what the job makes
    fields: dict[str, Field]
    schema: dict[str, Any]
    schema_pointer: str
    aliases: dict[str, str]  # deprecated camelCase name -> field, "accepted for compatibility only"
    aliases_pointer: str
    example: dict[str, Any]
    example_pointer: str
    prices: tuple[PriceRow, ...]
    price_pointer: str  # the description that holds the table (or says no price)
    responses: dict[str, str] = field(default_factory=dict)  # status -> pointer of its JSON schema

    @property
    def priced(self) -> bool:
        return bool(self.prices)

    @property
    def slug(self) -> str:
        return self.path.rsplit("/", 1)[1]

    def with_defaults(self, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` with the schema's default for every field it leaves out."""
        filled = dict(body)
        for name, spec in self.fields.items():
            if name not in filled and spec.has_default:
                filled[name] = spec.default
        return filled

    def price_for(self, body: dict[str, Any]) -> PriceRow | None:
        """The documented row this request is charged by, or None when no row matches."""
        filled = self.with_defaults(body)
        return next((row for row in self.prices if row.matches(filled)), None)


def _endpoint(path: str, operation: dict[str, Any]) -> Endpoint:
    op = pointer("paths", path, "post")
    content = operation["requestBody"]["content"]["application/json"]
    schema = content["schema"]
    schema_at = f"{op}/requestBody/content/application~1json/schema"
    required = set(schema.get("required", []))
    fields = {
        name: _field(name, spec, f"{schema_at}/properties/{pointer(name)[1:]}", name in required)
        for name, spec in schema.get("properties", {}).items()
    }
    kind = path.split("/")[2]
    responses = {
        status: f"{op}/responses/{status}/content/application~1json/schema"
        for status, response in operation.get("responses", {}).items()
        if "application/json" in response.get("content", {})
    }
    return Endpoint(
        path=path,
        pointer=op,
        name=operation.get("summary", ""),
        kind=kind,
        output="video" if kind == "video" else "image",
        fields=fields,
        schema=schema,
        schema_pointer=schema_at,
        aliases={alias["from"]: alias["to"] for alias in operation.get("x-krea-deprecated-field-aliases", [])},
        aliases_pointer=f"{op}/x-krea-deprecated-field-aliases",
        example=content.get("example", {}),
        example_pointer=f"{schema_at.rsplit('/', 1)[0]}/example",
        prices=_price_table(operation.get("description", ""), f"{op}/description", fields),
        price_pointer=f"{op}/description",
        responses=responses,
    )


ENDPOINTS: dict[str, Endpoint] = {
    path: _endpoint(path, item["post"])
    for path, item in OPENAPI["paths"].items()
    if path.startswith("/generate/") and "post" in item
}

_JOB_SCHEMA = pointer("paths", "/jobs/{id}", "get", "responses", "200", "content", "application/json", "schema")
JOB_STATUSES_POINTER = f"{_JOB_SCHEMA}/properties/status/enum"
JOB_STATUSES: tuple[str, ...] = tuple(resolve(JOB_STATUSES_POINTER))

# Every /generate operation documents the same header; the first one is cited.
_FIRST = next(iter(ENDPOINTS.values()))
WEBHOOK_POINTER = f"{_FIRST.pointer}/parameters/0"
WEBHOOK_HEADER: str = resolve(WEBHOOK_POINTER)["name"]

SECURITY_POINTER = "/components/securitySchemes/bearerAuth"
JOBS_LIST_POINTER = pointer("paths", "/jobs", "get")


def endpoint(path: str) -> Endpoint | None:
    return ENDPOINTS.get(path)


@dataclass(frozen=True)
class Conflict:
    """A place where the doc disagrees with itself; ``what`` says how, ``pointer`` where, ``lines`` the rows."""

    path: str
    what: str
    pointer: str
    lines: tuple[str, ...] = ()


def _conflicts() -> tuple[Conflict, ...]:
    found: list[Conflict] = []
    for ep in ENDPOINTS.values():
        notes: dict[str, list[str]] = {}
        refused: dict[tuple[str, Any], list[str]] = {}
        for row in ep.prices:
            for cell in row.cells:
                if cell.test == "note":
                    notes.setdefault(cell.heading, []).append(row.line)
                spec = ep.fields.get(cell.field or "")
                enum = spec.enum if spec is not None and cell.test == "equals" else None
                if enum is not None and not any(_same(choice, cell.value) for choice in enum):
                    refused.setdefault((cell.field or "", cell.value), []).append(row.line)
        for heading, lines in notes.items():
            found.append(
                Conflict(ep.path, f"price column {heading!r} names no request field", ep.price_pointer, tuple(lines))
            )
        for (name, value), lines in refused.items():
            spec = ep.fields[name]
            found.append(
                Conflict(
                    ep.path,
                    f"price rows with {name}={value!r} are refused by the schema's enum {list(spec.enum or ())}",
                    spec.pointer,
                    tuple(lines),
                )
            )
        for name in {cell.field for row in ep.prices for cell in row.cells if cell.test == "equals"}:
            spec = ep.fields[name]
            for choice in spec.enum or ():
                if not any(_same(cell.value, choice) for row in ep.prices for cell in row.cells if cell.field == name):
                    found.append(
                        Conflict(
                            ep.path, f"{name}={choice!r} is in the schema's enum but in no price row", spec.pointer
                        )
                    )
        missing = sorted(set(ep.schema.get("required", [])) - set(ep.example))
        if missing:
            found.append(Conflict(ep.path, f"the example lacks required {', '.join(missing)}", ep.example_pointer))
    return tuple(found)


DOC_CONFLICTS: tuple[Conflict, ...] = _conflicts()
