"""The API's OpenAPI 3.1 document, written by hand: the contract clients and tests are generated from."""

from __future__ import annotations

import copy
from typing import Any

NULLABLE_STRING = {"type": ["string", "null"]}
CREDITS = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "Credits, an exact decimal"}
NULLABLE_CREDITS = {"type": ["string", "null"], "pattern": r"^-?\d+\.\d{2}$"}
TIMESTAMP = {"type": "string", "format": "date-time"}
NULLABLE_TIMESTAMP = {"type": ["string", "null"], "format": "date-time"}
STATUS = {"type": "string", "enum": ["queued", "running", "completed", "failed", "canceled"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return _json(_ref("Error"), description, headers)


RATE_HEADERS = {
    "X-RateLimit-Limit": {"schema": {"type": "integer"}, "description": "Requests allowed per window for this key"},
    "X-RateLimit-Remaining": {"schema": {"type": "integer"}, "description": "Requests left in this window"},
}

COMMON_ERRORS = {
    "400": _error("A missing or invalid field (`invalid_request`, `invalid_params`, or a model rule's own code)."),
    "401": _error("Missing, invalid or revoked API key."),
    "403": _error("The key's member has no API access in the team (e.g. removed from it)."),
    "429": _error(
        "Too many requests for this key.",
        {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    ),
}
NOT_FOUND = {"404": _error("No such generation for this key's team.")}

GENERATION_ID = {
    "name": "generation_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 64},
    "description": "A generation id, e.g. gen_…",
}

BATCH_ID = {
    "name": "batch_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 64},
    "description": "A batch id, e.g. bat_…",
}

REQUEST_PROPERTIES: dict[str, Any] = {
    "model": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "description": "The one model to run, never another variant of its family: an offer id from GET /models "
        "(kubeez:kling-3-0-pro) runs exactly that offer; a model id (gpt-image-2) runs that model at the cheapest "
        "provider listing it under that id that accepts the params (only that provider with `provider`); a Krea "
        "endpoint may be named by its documented path (/generate/image/runway/gen-4-image) or the path's last "
        "segment (gen-4-image). A family slug (kling-3-0) is accepted only when the family is one model; a family "
        "of several variants is refused with variant_required and the offer ids in available_variants. An offer "
        "that refuses the params is refused (invalid_params, price_unavailable, model_unavailable), never "
        "replaced by another.",
    },
    "category": {
        "type": ["string", "null"],
        "description": "Optional: image, video, audio, text or utility; refused when the model is of another one.",
    },
    "prompt": {"type": ["string", "null"], "description": "The prompt; params.prompt works too."},
    "params": {
        "type": ["object", "null"],
        "additionalProperties": True,
        "description": "The model's own inputs, named as in GET /models (aspect_ratio, duration, image_url, …).",
    },
    "provider": {
        "type": ["string", "null"],
        "description": "Run on this provider only. Without it, a model id offered by several providers under "
        "that id runs at the cheapest of them that accepts the params.",
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code, e.g. invalid_api_key, variant_required"},
            "message": {"type": "string", "description": "A sentence to show a person"},
        },
        "additionalProperties": True,
    },
    "Balance": {
        "type": "object",
        "required": ["available", "held", "balance", "unit"],
        "properties": {
            "available": CREDITS,
            "held": CREDITS,
            "balance": CREDITS,
            "unit": {"type": "string", "const": "credits"},
        },
    },
    "Me": {
        "type": "object",
        "required": ["user", "team", "role", "api_access", "balance", "key"],
        "properties": {
            "user": {
                "type": "object",
                "required": ["username", "email"],
                "properties": {"username": {"type": "string"}, "email": {"type": "string"}},
            },
            "team": {
                "type": "object",
                "required": ["id", "slug", "name"],
                "properties": {"id": {"type": "string"}, "slug": {"type": "string"}, "name": {"type": "string"}},
            },
            "role": {"type": "string", "enum": ["owner", "admin", "member"]},
            "api_access": {"type": "boolean"},
            "balance": _ref("Balance"),
            "key": {
                "type": "object",
                "required": ["id", "name", "prefix", "created_at"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "prefix": {"type": "string"},
                    "created_at": TIMESTAMP,
                },
            },
        },
    },
    "Parameter": {
        "type": "object",
        "required": ["name", "type", "label", "required"],
        "properties": {
            "name": {"type": "string"},
            "type": {
                "type": "string",
                "enum": ["text", "string", "enum", "integer", "number", "boolean", "media", "json"],
            },
            "label": {"type": "string"},
            "required": {"type": "boolean"},
            "allowed_values": {"type": "array", "description": "enum: the values accepted"},
            "media_kinds": {"type": "array", "items": {"type": "string"}},
            "default": {},
            "min": {"type": "number"},
            "max": {"type": "number"},
            "step": {"type": "number"},
            "max_length": {"type": "integer"},
            "min_count": {"type": "integer"},
            "max_count": {"type": "integer"},
            "derived": {
                "type": "boolean",
                "description": "Worked out by the studio; a value you send for it is replaced",
            },
            "measures": {
                "type": ["string", "object"],
                "description": "A derived length: the media parameter whose files the studio measures (fetching "
                "URLs) before quoting, e.g. video_url; an object names it in `field`",
            },
        },
    },
    "PriceSummary": {
        "type": "object",
        "required": ["summary", "min_credits", "max_credits", "per", "default_credits", "estimated"],
        "properties": {
            "summary": {"type": "string", "description": "e.g. '14–27 credits/s'"},
            "min_credits": NULLABLE_CREDITS,
            "max_credits": NULLABLE_CREDITS,
            "per": {"type": ["string", "null"], "description": "The unit a per-unit price is for (s, image, …)"},
            "default_credits": NULLABLE_CREDITS,
            "estimated": {"type": "boolean"},
        },
    },
    "Model": {
        "type": "object",
        "required": [
            "id",
            "model",
            "name",
            "provider",
            "family",
            "category",
            "output",
            "generation_types",
            "parameters",
            "price",
            "estimated_seconds",
        ],
        "properties": {
            "id": {"type": "string", "description": "The offer id: provider:model"},
            "model": {"type": "string"},
            "name": {"type": "string"},
            "provider": {"type": "string"},
            "provider_name": {"type": "string"},
            "family": {"type": "string"},
            "family_name": {"type": "string"},
            "category": {"type": "string"},
            "output": {"type": "string"},
            "generation_types": {"type": "array", "items": {"type": "string"}},
            "capabilities": {"type": "array", "items": {"type": "string"}},
            "description": {"type": "string"},
            "parameters": {"type": "array", "items": _ref("Parameter")},
            "constraints": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                },
            },
            "price": _ref("PriceSummary"),
            "estimated_seconds": {"type": ["integer", "null"]},
            "generatable": {"type": "boolean", "description": "False while the studio has no documented price for it"},
        },
    },
    "ModelList": {
        "type": "object",
        "required": ["models", "count"],
        "properties": {"models": {"type": "array", "items": _ref("Model")}, "count": {"type": "integer"}},
    },
    "QuoteRequest": {
        "type": "object",
        "required": ["model"],
        "properties": REQUEST_PROPERTIES,
        "additionalProperties": False,
    },
    "GenerationRequest": {
        "type": "object",
        "required": ["model"],
        "properties": {
            **REQUEST_PROPERTIES,
            "callback_url": {
                "type": ["string", "null"],
                "maxLength": 2000,
                "description": "A public http(s) URL the studio POSTs the final status to, signed (see the docs).",
            },
        },
        "additionalProperties": False,
    },
    "Quote": {
        "type": "object",
        "required": ["provider", "model", "offer", "credits", "breakdown", "params", "available_credits", "affordable"],
        "properties": {
            "provider": {"type": "string"},
            "model": {"type": "string"},
            "offer": {"type": "string"},
            "category": {"type": "string"},
            "provider_cost": {"type": "string"},
            "unit": {"type": "string", "description": "The provider's own unit for provider_cost"},
            "credits": CREDITS,
            "breakdown": {"type": "string"},
            "estimated": {"type": "boolean", "description": "The docs give only a range for this request"},
            "minimum_credits": CREDITS,
            "likely_credits": {
                **CREDITS,
                "description": "A figure for this combination from outside the docs (see charge_note); not charged",
            },
            "charge_note": {
                "type": "string",
                "description": "Present when the docs price the request only as a range: what is charged and why",
            },
            "params": {"type": "object", "description": "The params as they will be sent, defaults filled"},
            "available_credits": NULLABLE_CREDITS,
            "affordable": {"type": "boolean"},
        },
    },
    "GenerationCreated": {
        "type": "object",
        "required": ["generation_id", "status", "status_url", "estimated_credits", "model", "provider", "offer"],
        "properties": {
            "generation_id": {"type": "string"},
            "status": STATUS,
            "status_url": {"type": "string", "format": "uri"},
            "estimated_credits": CREDITS,
            "model": {"type": "string"},
            "provider": {"type": "string"},
            "offer": {"type": "string"},
            "breakdown": {"type": "string"},
            "charge_note": NULLABLE_STRING,
            "created_at": TIMESTAMP,
        },
    },
    "File": {
        "type": "object",
        "required": ["url", "kind", "content_type", "filename", "size"],
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "kind": {"type": "string"},
            "content_type": {"type": "string"},
            "filename": {"type": "string"},
            "size": {"type": "integer"},
            "width": {"type": ["integer", "null"]},
            "height": {"type": ["integer", "null"]},
            "duration": {"type": ["number", "null"]},
        },
    },
    "Generation": {
        "type": "object",
        "required": [
            "generation_id",
            "status",
            "progress",
            "result_url",
            "outputs",
            "error",
            "model",
            "provider",
            "estimated_credits",
            "charged_credits",
            "status_url",
            "created_at",
            "started_at",
            "finished_at",
        ],
        "properties": {
            "generation_id": {"type": "string"},
            "status": STATUS,
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "result_url": {"type": ["string", "null"], "format": "uri"},
            "outputs": {
                "type": "array",
                "items": {"type": "string", "format": "uri"},
                "description": "Studio URLs of the files; download them with the same API key.",
            },
            "error": {**NULLABLE_STRING, "description": "Why it failed or was canceled; null otherwise"},
            "error_code": NULLABLE_STRING,
            "model": {"type": "string"},
            "provider": {"type": "string"},
            "offer": {"type": "string"},
            "category": {"type": "string"},
            "prompt": {"type": "string"},
            "params": {"type": "object"},
            "estimated_credits": CREDITS,
            "charged_credits": {**NULLABLE_CREDITS, "description": "Set when it ends: the quote, or 0.00"},
            "breakdown": {"type": "string"},
            "charge_note": {**NULLABLE_STRING, "description": "What is charged and why, for a range price"},
            "provider_reported_cost": {
                **NULLABLE_STRING,
                "description": "The cost the provider reported on accepting the job, in its unit (Kubeez)",
            },
            "files": {"type": "array", "items": _ref("File")},
            "waiting_for_slot": {
                "type": "boolean",
                "description": "Queued in the studio: the team's cap on jobs in flight is reached; it starts in order",
            },
            "batch_id": {**NULLABLE_STRING, "description": "The batch it is one variation of"},
            "status_url": {"type": "string", "format": "uri"},
            "created_at": TIMESTAMP,
            "started_at": NULLABLE_TIMESTAMP,
            "finished_at": NULLABLE_TIMESTAMP,
        },
    },
    "BatchRequest": {
        "type": "object",
        "required": ["model", "n"],
        "properties": {
            **REQUEST_PROPERTIES,
            "n": {
                "type": "integer",
                "minimum": 1,
                "maximum": 8,
                "description": "How many variations: the same request, the seed varied where the model takes one",
            },
        },
        "additionalProperties": False,
    },
    "Batch": {
        "type": "object",
        "required": [
            "batch_id",
            "status",
            "n",
            "model",
            "provider",
            "offer",
            "total_credits",
            "charged_credits",
            "held_credits",
            "progress",
            "generations",
            "status_url",
            "created_at",
        ],
        "properties": {
            "batch_id": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["running", "completed"],
                "description": "completed once every job has ended (completed, failed or canceled)",
            },
            "n": {"type": "integer", "minimum": 1, "maximum": 8},
            "model": {"type": "string"},
            "provider": {"type": "string"},
            "offer": {"type": "string"},
            "total_credits": {**CREDITS, "description": "What was held for the batch: the sum of its jobs' quotes"},
            "charged_credits": {**CREDITS, "description": "Captured so far"},
            "held_credits": {**CREDITS, "description": "Still held by its unfinished jobs"},
            "progress": {
                "type": "object",
                "required": ["jobs", "completed", "failed", "canceled", "waiting_for_slot"],
                "properties": {
                    "jobs": {"type": "integer"},
                    "completed": {"type": "integer"},
                    "failed": {"type": "integer"},
                    "canceled": {"type": "integer"},
                    "waiting_for_slot": {"type": "integer"},
                },
            },
            "generations": {"type": "array", "items": _ref("Generation")},
            "status_url": {"type": "string", "format": "uri"},
            "created_at": TIMESTAMP,
        },
    },
    "GenerationList": {
        "type": "object",
        "required": ["generations", "has_more", "next_cursor"],
        "properties": {
            "generations": {"type": "array", "items": _ref("Generation")},
            "has_more": {"type": "boolean"},
            "next_cursor": NULLABLE_STRING,
        },
    },
    "UsageLine": {
        "type": "object",
        "required": ["offer", "model", "provider", "credits", "generations"],
        "properties": {
            "offer": {"type": "string"},
            "model": {"type": "string"},
            "provider": {"type": "string"},
            "credits": CREDITS,
            "generations": {"type": "integer"},
        },
    },
    "Usage": {
        "type": "object",
        "required": ["start", "end", "total_credits", "generations", "days", "models"],
        "properties": {
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "total_credits": CREDITS,
            "generations": {"type": "integer"},
            "days": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "credits", "generations", "models"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "credits": CREDITS,
                        "generations": {"type": "integer"},
                        "models": {"type": "array", "items": _ref("UsageLine")},
                    },
                },
            },
            "models": {"type": "array", "items": _ref("UsageLine")},
        },
    },
}


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema or {"type": "string"},
        "description": description,
    }


def _operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    parameters: list[dict[str, Any]] | None = None,
    body: str | None = None,
    not_found: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "responses": {**responses, **COMMON_ERRORS, **(NOT_FOUND if not_found else {})},
    }
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    operation.update(extra or {})
    return operation


PAYMENT_REQUIRED = {"402": _error("Not enough credits, or the member's spend limit (insufficient_credits, …).")}

PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {}}}},
        }
    },
    "/me": {
        "get": _operation(
            "getMe", "The key's member, team, role and balance", {"200": _json(_ref("Me"), "OK", RATE_HEADERS)}
        )
    },
    "/models": {
        "get": _operation(
            "listModels",
            "Every enabled model offer, with parameters and prices",
            {"200": _json(_ref("ModelList"), "OK", RATE_HEADERS)},
            parameters=[
                _query(
                    "category",
                    "image, video, audio, text or utility",
                    {"type": "string", "enum": ["image", "video", "audio", "text", "utility"]},
                ),
                _query("provider", "A provider slug: kubflow, kubeez, krea, cliprise"),
                _query("generation_type", "e.g. text-to-image, image-to-video"),
            ],
        )
    },
    "/quotes": {
        "post": _operation(
            "createQuote",
            "The price of a request, checked against the model's rules; nothing is held",
            {"200": _json(_ref("Quote"), "OK", RATE_HEADERS)},
            body="QuoteRequest",
        )
    },
    "/generations": {
        "get": _operation(
            "listGenerations",
            "The team's generations, newest first",
            {"200": _json(_ref("GenerationList"), "OK", RATE_HEADERS)},
            parameters=[
                _query("status", "queued, running, completed, failed or canceled (comma-separated for several)"),
                _query("model", "A model id, family slug or offer id"),
                _query("provider", "A provider slug"),
                _query(
                    "category",
                    "What kind of model",
                    {"type": "string", "enum": ["image", "video", "audio", "text", "utility"]},
                ),
                _query("generation_type", "e.g. text-to-image"),
                _query("limit", "Page size, 1–100 (20)", {"type": "integer", "minimum": 1, "maximum": 100}),
                _query("cursor", "next_cursor of the previous page"),
            ],
            not_found=True,
        ),
        "post": _operation(
            "createGeneration",
            "Start a generation; its credits are held until it ends",
            {
                "201": _json(
                    _ref("GenerationCreated"),
                    "Created",
                    {**RATE_HEADERS, "Location": {"schema": {"type": "string"}, "description": "The status URL"}},
                ),
                "200": _json(
                    _ref("GenerationCreated"),
                    "The generation an earlier request with the same Idempotency-Key made",
                    {"Idempotent-Replayed": {"schema": {"type": "string"}}},
                ),
                **PAYMENT_REQUIRED,
                "409": _error("The Idempotency-Key was used for a different request (idempotency_conflict)."),
            },
            parameters=[
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 100},
                    "description": "Retrying with the same key and body returns the same generation.",
                }
            ],
            body="GenerationRequest",
        ),
    },
    "/generations/{generation_id}": {
        "get": _operation(
            "getGeneration",
            "Poll a generation: status, progress, result URLs, outputs and errors",
            {"200": _json(_ref("Generation"), "OK", RATE_HEADERS)},
            parameters=[GENERATION_ID],
            not_found=True,
        )
    },
    "/generations/{generation_id}/cancel": {
        "post": _operation(
            "cancelGeneration",
            "Stop an unfinished generation; its held credits are released",
            {
                "200": _json(_ref("Generation"), "Canceled", RATE_HEADERS),
                "409": _error("It already ended (not_cancelable)."),
            },
            parameters=[GENERATION_ID],
            not_found=True,
        )
    },
    "/generations/{generation_id}/outputs/{index}": {
        "get": _operation(
            "downloadOutput",
            "Download one output file (the URLs in outputs)",
            {
                "200": {
                    "description": "The file",
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "302": {
                    "description": "When the studio keeps files in object storage: a short-lived presigned link"
                    " to the file (follow it; it expires after a few minutes)",
                    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
                },
            },
            parameters=[
                GENERATION_ID,
                {
                    "name": "index",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": 9999},
                },
            ],
            not_found=True,
        )
    },
    "/batches": {
        "post": _operation(
            "createBatch",
            "Start 1–8 variations of one request; refused whole unless the team can pay for all of them",
            {
                "201": _json(
                    _ref("Batch"),
                    "Created: one generation (and one hold) per variation",
                    {**RATE_HEADERS, "Location": {"schema": {"type": "string"}, "description": "The status URL"}},
                ),
                "200": _json(
                    _ref("Batch"),
                    "The batch an earlier request with the same Idempotency-Key made",
                    {"Idempotent-Replayed": {"schema": {"type": "string"}}},
                ),
                **PAYMENT_REQUIRED,
                "409": _error("The Idempotency-Key was used for a different request (idempotency_conflict)."),
            },
            parameters=[
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 100},
                    "description": "Retrying with the same key and body returns the same batch.",
                }
            ],
            body="BatchRequest",
        ),
    },
    "/batches/{batch_id}": {
        "get": _operation(
            "getBatch",
            "A batch's progress, money and generations",
            {"200": _json(_ref("Batch"), "OK", RATE_HEADERS)},
            parameters=[BATCH_ID],
            not_found=True,
        )
    },
    "/batches/{batch_id}/cancel": {
        "post": _operation(
            "cancelBatch",
            "Cancel every unfinished generation of the batch; each releases its own hold",
            {"200": _json(_ref("Batch"), "The batch after cancelling the rest", RATE_HEADERS)},
            parameters=[BATCH_ID],
            not_found=True,
        )
    },
    "/balance": {
        "get": _operation("getBalance", "The team's credits", {"200": _json(_ref("Balance"), "OK", RATE_HEADERS)})
    },
    "/usage": {
        "get": _operation(
            "getUsage",
            "Credits charged by day (UTC) and model, start to end inclusive (default: the last 30 days)",
            {"200": _json(_ref("Usage"), "OK", RATE_HEADERS)},
            parameters=[
                _query("start", "First day, YYYY-MM-DD", {"type": "string", "format": "date"}),
                _query("end", "Last day, YYYY-MM-DD", {"type": "string", "format": "date"}),
            ],
        )
    },
}

DESCRIPTION = """\
Generate images, video, audio and text with the studio's models, paid from your team's credits.

Compatible with Kubflow's documented API: the same `POST /generations` body
(`model`, `category`, `prompt`, `params`) and status response (`generation_id`,
`status`, `progress`, `result_url`, `outputs`, `error`), and the same key
headers (`Authorization: Bearer`, `x-api-key`, `x-kubflow-api-key`).
Keys are created under *API keys* in the studio. Errors are JSON
`{"error": code, "message": text}`."""


def openapi_document(*, server_url: str = "/api/v1") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Studio API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}, {"apiKeyHeader": []}, {"kubflowKeyHeader": []}],
        "paths": copy.deepcopy(PATHS),
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer sk_…"},
                "apiKeyHeader": {"type": "apiKey", "in": "header", "name": "x-api-key"},
                "kubflowKeyHeader": {"type": "apiKey", "in": "header", "name": "x-kubflow-api-key"},
            },
        },
    }
