"""Cliprise's Business API (seeds/004): POST /app/cliprise/generate, GET /app/cliprise/status.

The request body is built per offer from its catalog ``wire`` hints (see
catalog/data/NOTES-cliprise.md §2): fields go in an ``input`` object, or at the
body root for root-only models; ``options``, ``imageURLList`` and
``videoURLList`` are *strings* holding JSON; some numbers travel quoted
(``"duration": "5"``, Sora's ``"n_frames": "250"``); single-URL fields are
strings and plural ones arrays. The answers need care too: a success may be
``[{"code": 200, "taskId": …}]`` or the bare object, application errors arrive
inside HTTP 200 (``{"code": 400, "msg": …}``), and the status call answers
HTTP 300 while processing, 200 with ``fileURL`` when done and 400 with
``failMsg`` when failed.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from generations.providers.base import (
    COMPLETED,
    FAILED,
    RUNNING,
    JobState,
    ProviderError,
    SubmitRequest,
    error_from_response,
    http_client,
    transport_error,
)

GENERATE_PATH = "/app/cliprise/generate"
STATUS_PATH = "/app/cliprise/status"
DOCUMENTED_HOST = "business.api.cliprise.app"
HOST_REFUSED = (
    f"Cliprise refused the request's Host header (HTTP 400); it must be exactly {DOCUMENTED_HOST}. "
    "Check CLIPRISE_API_BASE_URL."
)


class ClipriseClient:
    slug = "cliprise"
    cancel_call: str | None = None  # Cliprise documents no cancel endpoint
    calls_back = True  # POSTs callBackUrl once the job is done (best effort, as its docs say)

    def __init__(self, *, base_url: str, api_key: str) -> None:
        # Generate authenticates with a Bearer header, status with an ``apiKey`` query
        # parameter; the header goes only where it is documented.
        self.api_key = api_key
        self.http = http_client(base_url)

    # --- generate -------------------------------------------------------------------

    def submit(self, request: SubmitRequest) -> str:
        body = request_body(request)
        try:
            response = self.http.post(GENERATE_PATH, json=body, headers={"Authorization": f"Bearer {self.api_key}"})
        except httpx.HTTPError as exc:
            raise transport_error(exc) from exc
        if response.status_code != 200:
            raise _http_error(response)
        item = _first_object(_json(response))
        code = _int_or_none(item.get("code"))
        if code is not None and code != 200:
            raise _application_error(item, code)
        task_id = item.get("taskId")
        if not task_id and isinstance(item.get("data"), dict):
            task_id = item["data"].get("taskId")
        if not task_id:
            if item.get("msg") or item.get("action_url"):
                raise _application_error(item, code or 400)
            raise ProviderError("malformed_response", "Cliprise accepted the job without a taskId", permanent=False)
        return str(task_id)

    # --- status ---------------------------------------------------------------------

    def status(self, job_id: str, spec: dict[str, Any]) -> JobState:
        try:
            response = self.http.get(STATUS_PATH, params={"apiKey": self.api_key, "taskId": job_id})
        except httpx.HTTPError as exc:
            raise transport_error(exc) from exc
        if response.status_code == 300:  # "Processing … continue polling" — not a redirect
            return JobState(status=RUNNING)
        if response.status_code == 400:
            body = _json_or_none(response)
            if isinstance(body, dict) and body.get("failMsg"):
                return JobState(status=FAILED, error=str(body["failMsg"]), error_code="provider_failed")
            raise _http_error(response)
        if response.status_code != 200:
            raise _http_error(response)
        data = _json(response)
        if not isinstance(data, dict):
            raise ProviderError("malformed_response", "Cliprise answered the status call unexpectedly", permanent=False)
        outputs = _file_urls(data.get("fileURL"))
        if outputs:
            # A .zip (grok-imagine) stays one URL here; the studio's downloader unpacks it.
            return JobState(status=COMPLETED, progress=100, outputs=outputs)
        if str(data.get("status", "")).lower() in {"processing", "queued", "pending", "running"}:
            return JobState(status=RUNNING)
        raise ProviderError("malformed_response", "Cliprise reported completion without a fileURL", permanent=False)

    def cancel(self, job_id: str) -> bool:
        return False  # Cliprise documents no cancel endpoint


# --- the request body ------------------------------------------------------------------


def request_body(request: SubmitRequest) -> dict[str, Any]:
    """The exact documented generate body for this offer and these parameters."""
    spec = request.spec
    wire: dict[str, Any] = spec.get("wire") or {}
    fields = {field["name"]: field for field in spec.get("fields", [])}
    params = _with_uploads(dict(request.params), request)

    image_list, video_list = wire.get("image_list"), wire.get("video_list")
    skip = set(wire.get("studio_only_fields", [])) | set(wire.get("pipeline_sets", [])) | {image_list, video_list}
    if wire.get("image_list_only"):
        skip.add(wire.get("image_list_from"))
    if wire.get("video_list_only"):
        skip.add(wire.get("video_list_from"))
    mirrors: dict[str, str] = wire.get("mirror_fields", {})

    placed: dict[str, Any] = {}
    for name, field in fields.items():
        if name in skip or name in mirrors or field.get("derived"):
            continue
        value = params.get(name)
        if _empty(value):
            continue
        placed[name] = _wire_value(name, field, value, wire)
    for target, source in mirrors.items():
        urls = _urls(params.get(source))
        if urls:  # hailuo: input.image_urls as the same single URL string as input.image_url
            placed[target] = urls[0] if target in wire.get("single_url_string_fields", []) else urls

    body: dict[str, Any] = {"model": wire.get("alias_of") or request.model_id}
    if request.webhook_url:
        body["callBackUrl"] = request.webhook_url
    options = _options(params, wire)
    if options:
        body["options"] = json.dumps(options, separators=(",", ":"))
    if image_list:
        urls = _helper_urls(params.get(wire.get("image_list_from")), "element_input_urls")
        if urls:
            body["imageURLList"] = json.dumps(urls)
    if video_list:
        urls = _helper_urls(params.get(wire.get("video_list_from")), "element_input_video_urls")
        if urls:
            body["videoURLList"] = json.dumps(urls)
    if wire.get("root_only"):
        body.update(placed)  # "all request fields go directly at the JSON body root"
    else:
        body["input"] = placed
    return body


def _with_uploads(params: dict[str, Any], request: SubmitRequest) -> dict[str, Any]:
    """Uploaded files reach Cliprise as public URLs, next to any URLs already given."""
    for name, files in request.uploads.items():
        missing = [media.filename for media in files if not media.public_url]
        if missing:
            raise ProviderError(
                "invalid_request",
                f"Cliprise fetches source files by public URL; no URL for {', '.join(missing)}",
                permanent=True,
            )
        given = _urls(params.get(name))  # the studio already puts each file's URL where the user placed it
        params[name] = given + [media.public_url for media in files if media.public_url not in given]
    return params


def _wire_value(name: str, field: dict[str, Any], value: Any, wire: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "media":
        urls = _urls(value)
        if name in wire.get("stringified_list_fields", []):
            return json.dumps(urls)  # gpt-image-1 fileUrl: "raw imageURLList string, do not parse"
        if name in wire.get("url_string_fields", []) or name in wire.get("single_url_string_fields", []):
            return urls[0]
        return urls  # plural URL fields are arrays even for one file
    if name in wire.get("quoted_numbers", []):
        return _quoted(value)
    if name in wire.get("integer_fields", []) or kind == "integer":
        return int(_decimal(value))
    if kind == "number":
        return _number(value)
    if kind == "boolean":
        return _boolean(value)
    if kind == "json" or name in wire.get("json_text_fields", []):
        return _parsed(value)
    return value if kind == "enum" else str(value)


def _options(params: dict[str, Any], wire: dict[str, Any]) -> dict[str, Any]:
    """The ``options`` object: fixed values, then indices or pass-through values from fields."""
    maps: dict[str, Any] = wire.get("options", {})
    options: dict[str, Any] = dict(wire.get("options_fixed", {}))
    for key, name in wire.get("options_from", {}).items():
        value = params.get(name)
        if _empty(value):
            continue
        mapping = maps.get(key)
        if isinstance(mapping, dict):
            index = next((int(i) for i, choice in mapping.items() if str(choice) == str(value)), None)
            if index is None:
                raise ProviderError(
                    "invalid_request", f"{name}={value!r} has no Cliprise options index", permanent=True
                )
            options[key] = index
        elif mapping == "bool":
            options[key] = _boolean(value)
        elif mapping == "int":
            options[key] = int(_decimal(value))
        elif mapping == "json":
            options[key] = _parsed(value)
        else:
            options[key] = str(value)
    return options


def _helper_urls(value: Any, element_key: str) -> list[str]:
    """URLs for a root ``imageURLList`` / ``videoURLList``: a media field, or kling_elements' lists."""
    value = _parsed(value)
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return [url for item in value for url in _urls(item.get(element_key))]
    return _urls(value)


def _urls(value: Any) -> list[str]:
    if _empty(value):
        return []
    if isinstance(value, str):
        parsed = _parsed(value)
        return [str(url) for url in parsed] if isinstance(parsed, list) else [value]
    return [str(url) for url in value if url]


def _empty(value: Any) -> bool:
    return value is None or value in ("", [])


def _parsed(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ProviderError("invalid_request", f"{value!r} is not a number", permanent=True) from exc


def _number(value: Any) -> int | float:
    number = _decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _quoted(value: Any) -> str:
    return str(_number(value))  # "5", "250" — never 5.0


def _boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "on", "yes"}
    return bool(value)


# --- answers -----------------------------------------------------------------------------


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderError(
            "malformed_response", "Cliprise answered with a body that is not JSON", permanent=False
        ) from exc


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _first_object(data: Any) -> dict[str, Any]:
    """``[{"code": 200, "taskId": …}]`` or the bare object: "Handle both Array[0].taskId and .taskId"."""
    if isinstance(data, list) and data:
        data = data[0]
    if not isinstance(data, dict):
        raise ProviderError("malformed_response", "Cliprise answered with an unexpected body", permanent=False)
    return data


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _application_error(item: dict[str, Any], code: int) -> ProviderError:
    """An error inside HTTP 200: ``{"code": 400, "msg": …}``; insufficient credits come the same way."""
    message = str(item.get("msg") or item.get("message") or f"Cliprise refused the request (code {code})")
    if "insufficient_credits" in message or item.get("action_url"):
        link = f" — top up at {item['action_url']}" if item.get("action_url") else ""
        return ProviderError(
            "insufficient_provider_credits", f"The Cliprise account is out of credits{link}", permanent=True
        )
    if code in (401, 403):
        return ProviderError("auth_failed", message, permanent=True)
    if code == 429:
        return ProviderError("rate_limited", message, permanent=False)
    if code >= 500:
        return ProviderError("http_5xx", message, permanent=False)
    return ProviderError("invalid_request", message, permanent=True)


def _http_error(response: httpx.Response) -> ProviderError:
    """Non-200 answers. Cliprise's own refusals are HTTP 400 told apart by ``msg``."""
    if response.status_code != 400:
        if response.status_code == 404:
            return ProviderError("not_found", "Cliprise answered 404 Not Found", permanent=True)
        return error_from_response(response)
    body = _json_or_none(response)
    msg = str(body.get("msg") or "") if isinstance(body, dict) else ""
    if not response.content.strip() or msg == "method_not_allowed":
        return ProviderError("invalid_request", HOST_REFUSED, permanent=True)
    if msg == "invalid_api_key":
        return ProviderError("auth_failed", "Cliprise refused the API key (invalid_api_key)", permanent=True)
    if msg == "invalid_taskId":
        return ProviderError("not_found", "Cliprise does not know this taskId (invalid_taskId)", permanent=True)
    if msg == "invalid_model_id":
        return ProviderError("invalid_request", "Cliprise does not know this model (invalid_model_id)", permanent=True)
    if isinstance(body, dict) and body.get("code") is not None:
        return _application_error(body, _int_or_none(body.get("code")) or 400)
    return error_from_response(response, code="invalid_request")


def _file_urls(value: Any) -> list[str]:
    if isinstance(value, str):
        value = _parsed(value) if value.startswith("[") else [value]
    if isinstance(value, list):
        return [url for url in value if isinstance(url, str) and url]
    return []
