"""Building Krea contract cases from the doc: sample values its schemas accept, the request a price row
selects, and the studio's quote for it. Shared by ``test_krea.py`` and ``differences_krea.py``.

Values are made from the vendored OpenAPI file (``tests.contract.doc``), the rows from the sandbox's
reading; the studio's side is its catalog data and its pricing engine, nothing else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalog.datafile import provider_file_load
from catalog.pricing import offer_check, offer_price
from sandbox.readings import krea as reading
from tests.contract.doc import krea_openapi, krea_pointer

UNIT = "compute units"
PROMPT = "a lighthouse on a cliff at dusk"
OFFERS_BY_PATH = {offer["wire"]["path"]: offer for offer in provider_file_load("krea")["offers"]}

# --- the doc's own schemas ------------------------------------------------------------------------

_REGISTRY = Registry().with_resource(
    "urn:krea-openapi", Resource.from_contents(krea_openapi(), default_specification=DRAFT202012)
)
_FORMATS = FormatChecker()


def schema_errors(where: str, instance: Any) -> list[str]:
    """Every error of ``instance`` against the schema at JSON pointer ``where`` in the vendored file."""
    validator = Draft202012Validator({"$ref": f"urn:krea-openapi#{where}"}, registry=_REGISTRY, format_checker=_FORMATS)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(instance)]


def sample(name: str, schema: dict[str, Any], index: int = 0) -> Any:
    """A value the schema at hand accepts, for a field the case has to fill."""
    if "enum" in schema:
        return next(value for value in schema["enum"] if value is not None)
    if "const" in schema:
        return schema["const"]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return sample(name, options[0], index)
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "array" in kinds:
        return [sample(name, schema.get("items", {}), i) for i in range(max(schema.get("minItems", 1), 1))]
    if "object" in kinds:
        props = schema.get("properties", {})
        return {key: sample(key, props[key], index) for key in schema.get("required", [])}
    if "string" in kinds:
        if name == "tag":
            return f"ref{index}"
        if name == "id":
            return f"style-{index}"
        if schema.get("format") == "uri" or name.endswith(("_url", "_image", "_video", "url")) or name == "init_video":
            return f"https://example.com/{name}-{index}.{'mp4' if 'video' in name else 'png'}"
        return PROMPT
    if "number" in kinds or "integer" in kinds:
        if name in {"width", "height"}:
            return 1024
        return schema.get("minimum", 1)
    if "boolean" in kinds:
        return True
    raise AssertionError(f"no sample for {name}: {schema}")


def field_schema(endpoint: reading.Endpoint, name: str) -> dict[str, Any]:
    return krea_pointer(endpoint.fields[name].pointer)


def items(endpoint: reading.Endpoint, name: str, count: int) -> list[Any]:
    item = field_schema(endpoint, name).get("items", {"type": "string", "format": "uri"})
    return [sample(name, item, index) for index in range(count)]


def required_body(endpoint: reading.Endpoint) -> dict[str, Any]:
    """The doc's required fields that have no default, filled."""
    return {
        name: sample(name, field_schema(endpoint, name))
        for name, spec in endpoint.fields.items()
        if spec.required and not spec.has_default
    }


def row_body(endpoint: reading.Endpoint, row: reading.PriceRow) -> dict[str, Any]:
    """A request the row's cells select, in Krea's JSON (the doc's names and types)."""
    body = required_body(endpoint)
    for cell in row.cells:
        if cell.test == "equals":
            body[cell.field] = cell.value
        elif cell.test in {"exactly", "at_least"} and cell.value:
            body[cell.field] = items(endpoint, cell.field, cell.value)
        elif cell.test == "exactly":
            body.pop(cell.field, None)
        elif cell.test == "present" and cell.value:
            body[cell.field] = (
                True if cell.field == "has_lora" else sample(cell.field, field_schema(endpoint, cell.field))
            )
    return body


# --- the studio's side ------------------------------------------------------------------------------


def studio_params(offer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """A Krea JSON body as the studio's form would hold it: media fields as URL lists."""
    kinds = {spec["name"]: spec["type"] for spec in offer["fields"]}
    return {
        name: ([value] if kinds.get(name) == "media" and isinstance(value, str) else value)
        for name, value in body.items()
    }


def studio_check(offer: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    return offer_check(offer, studio_params(offer, body))


def studio_quote(offer: dict[str, Any], clean: dict[str, Any]) -> Decimal:
    return offer_price(offer, clean, UNIT).amount
