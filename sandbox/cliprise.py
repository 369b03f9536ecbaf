"""Cliprise's Business API as its reference states it: POST /app/cliprise/generate, GET /app/cliprise/status.

Everything this emulation knows about Cliprise comes from its own reading of the vendored doc,
:mod:`sandbox.readings.cliprise` (each fact with its doc line); nothing of the studio is imported and
none of the studio's catalog data files is read.

- **Host gate** (doc line 119). Generate answers HTTP 400 with an empty body (the error table, line
  203), status ``{"msg": "method_not_allowed"}``. The sandbox also accepts its own address (loopback or
  its server name, on its own port), since clients reach it by that address; any other host is refused.
- **Auth.** Generate: ``Authorization: Bearer``; status: ``?apiKey=``; both answer HTTP 400
  ``{"msg": "invalid_api_key"}`` (lines 204, 185).
- **Generate.** An unknown request ``model`` (a routed family's base id included: "Do not send base
  model …") is HTTP 400 ``{"msg": "invalid_model_id"}`` (line 205). Every other refusal is an
  application error inside HTTP 200, ``{"code": 400, "msg": …, "data": null}`` (lines 158-162, 207,
  1217): a missing required field ("This field is required", verbatim), ``options`` /
  ``imageURLList`` / ``videoURLList`` that are not strings holding JSON (lines 35-37, 43), a value of
  the wrong JSON type (the Input Types table, lines 49-61), a value outside a card's allowed values,
  a key the card refuses, a limit the card states. Insufficient credits are HTTP 200 ``{"code": 400,
  "msg": "insufficient_credits", "action_url": …}`` (line 206). Success is the documented array
  ``[{"code": 200, "taskId": …}]`` for input models and the bare object for root-only ones: the doc
  says "the response may be a JSON array or a bare object" (line 107) without saying when; the split
  is the sandbox's choice so that both shapes happen.
- **Types** the reading cannot settle from one line: ``duration`` and ``n_frames`` travel as quoted
  numeric strings (line 56) or as integers (line 1241 "Duration is an integer", Sora's "frame count
  integer", line 635); both are accepted, except on wan-2-5 whose card says "not a string" (line 675).
  A name the Input Types table doesn't type is not type-checked. Keys a card doesn't list are ignored
  ("has no effect", as the FAQ says of an input object on root-only models), except those it refuses.
- **Billing** (the Pricing Reference, lines 1091-1154): the task's price is deducted from the
  sandbox's account when it is accepted and never given back when it fails (line 1245: "contact
  Cliprise support for credit adjustment"); refused requests cost nothing. How each shape is charged:
  a flat price; a table cell by the request's values (a tier chosen by the routed ``model`` value or
  by an ``options`` index; an ``options`` tier the request leaves out is its index 0, a sound flag
  false); a **range** charges its bottom only for the combination at the bottom of every dimension
  (lowest tier, resolution and duration, no sound) and its top for every other combination, since the
  doc names no figure inside it (qwen-image, whose cheapest aspect ratio the doc doesn't name, is always
  the top, 7); **per second** charges whole seconds, rounded up, at least 1: of ``duration`` (motion
  control), of ``duration_seconds`` (sound effect; 3 s when left out, the length the sandbox then
  makes), of ``num_frames`` ÷ ``frames_per_second`` when both are given (speech-to-video), else of the
  source media the sandbox fetches and measures (the reference video, the input audio); a source it
  cannot fetch is billed as the 5 s it then makes; **per 5 000 characters** charges each started block
  of the text (of the dialogue lines' ``text`` for V3 Dialogue), at least one. The account is
  ``GET /cliprise/_sandbox/account`` (balance, total charged, each task's charge and rule); ``POST`` it
  with ``{"balance": N}`` to set what is left. ``/_sandbox/reset`` restores the start balance; each
  task's charge is also in ``GET /_sandbox/charges``.
- **Status.** HTTP 300 ``{"status": "processing"}`` while queued or processing, 200 ``{"status":
  "success", "fileURL": …}`` when done, 400 ``{"status": "failed", "failMsg": …}`` when failed, 400
  ``invalid_taskId`` for an unknown task (lines 180-186); ``download=true`` answers the raw file bytes
  (a .zip for grok-imagine, 6 images for text-to-image, 2 with ``image_urls``, line 578).
- **callBackUrl** is required ("Yes (live)", line 145) and POSTed once on completion, best effort
  ("delivery is not guaranteed"). The doc says "HTTPS URL"; http:// is accepted too, as local
  callback receivers are plain HTTP.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sandbox import media
from sandbox.core import Job, Request, Response, Store, behaviour_for, json_response, strip_directive, webhook_later
from sandbox.outputs import job_outputs
from sandbox.readings import cliprise as reading
from sandbox.readings.cliprise import Flat, Model, PerBlock, PerSecond, Range, Table

DOCUMENTED_HOST = reading.HOST
GENERATE = reading.GENERATE
STATUS = reading.STATUS
ACCOUNT = "/_sandbox/account"
ACTION_URL = "https://www.cliprise.app/pricing"  # "action_url (app pricing link)"; the exact link is not shown
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]"}
HELPERS = ("imageURLList", "videoURLList")
REQUIRED = reading.REQUIRED_MSG
START_BALANCE = 1_000_000  # the sandbox account's credits at start (and after /_sandbox/reset)
BALANCE_KEY = "cliprise.balance_set"  # a counter: the balance set through the account control, if any
UNMEASURED_SECONDS = 5  # a source the sandbox cannot fetch: the length of what it makes, and bills
FETCH_TIMEOUT = 5.0
FETCH_MAX_BYTES = 100 * 1024 * 1024

_render_lock = threading.Lock()
_account_lock = threading.Lock()


class Invalid(Exception):
    """An application-level refusal, answered inside HTTP 200 with ``code: 400``."""


def handle(store: Store, request: Request, path: str, api_key: str) -> Response:
    if path == ACCOUNT:
        return _account(store, request)
    if not _host_allowed(request):
        store.count("cliprise.host_refused")
        if path == GENERATE:
            return Response(400, b"", "text/plain")
        return json_response(400, {"msg": "method_not_allowed"})
    if path == GENERATE:
        if request.method != "POST":
            return json_response(400, {"msg": "method_not_allowed"})
        return _generate(store, request, api_key)
    if path == STATUS:
        if request.method != "GET":
            return json_response(400, {"msg": "method_not_allowed"})
        return _status(store, request, api_key)
    return json_response(404, {"msg": "not_found"})


# --- host ------------------------------------------------------------------------------


def _host_allowed(request: Request) -> bool:
    host = request.headers.get("host", "")
    if host == DOCUMENTED_HOST:
        return True
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    own_port = str(request.environ.get("SERVER_PORT", ""))
    own_names = LOOPBACK_NAMES | {str(request.environ.get("SERVER_NAME", "")).lower()}
    return bool(name) and port == own_port and name.lower() in own_names


class _Base:
    """Where this sandbox's files are reachable, even when the client used the documented Host."""

    def __init__(self, request: Request) -> None:
        host = request.headers.get("host", "")
        if host == DOCUMENTED_HOST:
            name = str(request.environ.get("SERVER_NAME", "127.0.0.1")).lower()
            name = "127.0.0.1" if name in LOOPBACK_NAMES or not name else name
            host = f"{name}:{request.environ.get('SERVER_PORT', '80')}"
        self.root = f"http://{host}"

    def url_for(self, path: str) -> str:
        return f"{self.root}{path}"


# --- the account -------------------------------------------------------------------------


def _charged(store: Store) -> int:
    with store.lock:
        return sum(int(job.extra.get("credits", 0)) for job in store.jobs.values() if job.provider == "cliprise")


def _balance(store: Store) -> int:
    start = store.counters.get(BALANCE_KEY, START_BALANCE)
    return start - _charged(store) + store.counters.get("cliprise.charged_before_set", 0)


def _account(store: Store, request: Request) -> Response:
    if request.method == "POST":
        try:
            balance = int((request.json() or {})["balance"])
        except (ValueError, TypeError, KeyError):
            return json_response(400, {"error": 'POST {"balance": N}'})
        with _account_lock:
            store.counters[BALANCE_KEY] = balance
            store.counters["cliprise.charged_before_set"] = _charged(store)
    with store.lock:
        tasks = {
            job.id: {"model": job.model, "credits": job.extra.get("credits", 0), "rule": job.extra.get("rule", "")}
            for job in store.jobs.values()
            if job.provider == "cliprise"
        }
    return json_response(200, {"balance": _balance(store), "charged": _charged(store), "tasks": tasks})


# --- generate --------------------------------------------------------------------------


def _bearer_ok(request: Request, api_key: str) -> bool:
    value = request.headers.get("authorization", "")
    token = value[7:].strip() if value.lower().startswith("bearer ") else ""
    return bool(token) and secrets.compare_digest(token, api_key)


def _app_error(message: str, **extra: Any) -> Response:
    return json_response(200, {"code": 400, "msg": message, "data": None, **extra})


def _generate(store: Store, request: Request, api_key: str) -> Response:
    if not _bearer_ok(request, api_key):
        return json_response(400, {"msg": "invalid_api_key"})
    store.count("cliprise.generate")
    try:
        body = request.json()
    except ValueError:
        return _app_error("The request body must be JSON")
    if not isinstance(body, dict):
        return _app_error("The request body must be a JSON object")
    value = body.get("model")
    if not isinstance(value, str) or not value:
        return _app_error(REQUIRED, field="model")
    route = reading.ROUTES.get(value)
    if route is None:
        return json_response(400, {"msg": "invalid_model_id"})
    model, tier = reading.MODELS[route[0]], route[1]
    callback = body.get("callBackUrl")
    if not isinstance(callback, str) or not callback.startswith(("http://", "https://")):
        return _app_error(REQUIRED, field="callBackUrl")
    try:
        values = _validated(model, tier, value, body)
        credits, rule, seconds = _price(store, model, tier, value, values)
    except Invalid as exc:
        return _app_error(str(exc))

    prompt = str(values.get("prompt") or values.get("text") or "")
    try:
        behaviour = behaviour_for(prompt, store.behaviour)
    except ValueError as exc:
        return _app_error(f"sandbox directive: {exc}")
    if behaviour.fail == "5xx":
        store.count("cliprise.5xx")
        return json_response(500, {"code": 500, "msg": "internal_error"})
    if behaviour.fail == "timeout":
        time.sleep(40)

    kind = model.output
    # "charge" is what /_sandbox/charges reports (in Cliprise credits); "credits" and "rule" the account's detail.
    extra: dict[str, Any] = {"callback": callback, "credits": credits, "rule": rule, "charge": Decimal(credits)}
    if kind == "text":
        extra["transcript"] = True  # speech-to-text answers with what was said
    if model.outputs_per_call:
        per_call = model.outputs_per_call.value
        extra["images"] = per_call["image-to-image"] if values.get("image_urls") else per_call["text-to-image"]
    job = Job(
        id=secrets.token_hex(16),
        provider="cliprise",
        model=value,
        params=_render_params(model, values, seconds),
        behaviour=behaviour,
        kind=kind,
        extra=extra,
    )
    with _account_lock:  # "Credits are deducted when a task is accepted"
        if behaviour.fail == "insufficient" or credits > _balance(store):
            return json_response(
                200, {"code": 400, "msg": "insufficient_credits", "action_url": ACTION_URL, "data": None}
            )
        store.add_job(job)
        with store.lock:
            store.counters["cliprise.credits_charged"] += credits
    if behaviour.fail != "never":
        _callback_later(store, job, _Base(request))
    answer = {"code": 200, "taskId": job.id}
    return json_response(200, answer if model.root_only else [answer])


# --- validation --------------------------------------------------------------------------


def _json_string(body: dict[str, Any], key: str, expected: type) -> Any:
    """A root helper: a *string* holding JSON of the expected shape (doc lines 35-37, 43)."""
    raw = body[key]
    if not isinstance(raw, str):
        raise Invalid(f"{key} must be a string containing JSON, not a JSON {type(raw).__name__}; use json.dumps()")
    try:
        value = json.loads(raw)
    except ValueError:
        raise Invalid(f"{key} is not valid JSON") from None
    if not isinstance(value, expected):
        raise Invalid(f"{key} must hold a JSON {'array' if expected is list else 'object'}")
    if expected is list and not all(_is_url(url) for url in value):
        raise Invalid(f"{key} must hold direct public http(s) URLs")
    return value


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) > 8


def _empty(value: Any) -> bool:
    return value is None or value in ("", [])


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validated(model: Model, tier: str, request_value: str, body: dict[str, Any]) -> dict[str, Any]:
    """The request's effective fields (input or root, routed helpers, decoded options), or Invalid."""
    helpers = {key: _json_string(body, key, list) for key in HELPERS if key in body}
    options = _json_string(body, "options", dict) if "options" in body else {}
    if model.root_only:
        values = {k: v for k, v in body.items() if k not in {"model", "callBackUrl", "options", "input", *HELPERS}}
    else:
        if "input" not in body:
            raise Invalid(REQUIRED)
        if not isinstance(body["input"], dict):
            raise Invalid("input must be a JSON object")
        values = dict(body["input"])
    for key, why in model.refused.items():
        if key in values:
            raise Invalid(f"{key}: {why.value}")

    # "The pipeline parses and routes these URLs into the appropriate input fields."
    for helper, target in (("imageURLList", model.image_list_to), ("videoURLList", model.video_list_to)):
        urls = helpers.get(helper)
        if not urls or target is None or not _empty(values.get(target.value)):
            continue
        name = target.value
        if name in model.raw_list_fields:
            values[name] = body[helper]  # gpt-image-1 fileUrl: "raw imageURLList string, do not parse"
        elif name in reading.SINGLE_URL.value or name == "inputImage":
            values[name] = urls[0]
        else:
            values[name] = urls

    effective = dict(values)
    for key, raw in options.items():
        option = model.options.get(key)
        if option is None:
            continue  # a key the card doesn't document: no effect
        decoded = _option(key, option, raw)
        if option.field == model.tier_field and model.tier_field and decoded != (tier or request_value):
            raise Invalid(f"options.{key} must stay aligned with the routed model value {request_value}")
        if option.field and option.field != model.tier_field and _empty(effective.get(option.field)):
            effective[option.field] = decoded

    for name in model.required.value:
        if _empty(effective.get(name)):
            raise Invalid(REQUIRED)
    for name, value in list(effective.items()):
        if _empty(value):
            continue
        effective[name] = _typed(model, name, value, from_options=name not in values)
    for name, allowed in model.enums.items():
        if name in effective and not _empty(effective[name]) and effective[name] not in allowed.value:
            shown = " | ".join(str(choice) for choice in allowed.value)
            raise Invalid(f"{name} must be one of {shown}")
    for name, forbidden in model.forbidden_values.items():
        if effective.get(name) in forbidden.value:
            raise Invalid(f"{name} {effective[name]} is not available on {model.entry}")
    for name, bounds in model.bounds.items():
        low, high = bounds.value
        if name in effective and not low <= effective[name] <= high:
            raise Invalid(f"{name} must be between {low} and {high}")
    for name, limit in model.max_length.items():
        if len(str(effective.get(name) or "")) > limit.value:
            raise Invalid(f"{name} is longer than {limit.value} characters")
    for name, limit in model.max_count.items():
        if isinstance(effective.get(name), list) and len(effective[name]) > limit.value:
            raise Invalid(f"{name} accepts at most {limit.value} URLs")
    return effective


def _option(key: str, option: reading.Option, raw: Any) -> Any:
    if option.kind == "index":
        count = len(option.values)
        if not _integer(raw) or raw < 0 or (raw >= count and option.other is None):
            raise Invalid(f"options.{key} must be an index 0–{count - 1}")
    elif option.kind == "bool" and not isinstance(raw, bool):
        raise Invalid(f"options.{key} must be a boolean")
    elif option.kind == "int" and not _integer(raw):
        raise Invalid(f"options.{key} must be an integer")
    elif option.kind == "string" and not isinstance(raw, str):
        raise Invalid(f"options.{key} must be a string")
    elif option.kind == "json" and not (isinstance(raw, list) and all(isinstance(item, dict) for item in raw)):
        raise Invalid(f"options.{key} must be an array of objects")
    return option.decode(raw)


def _typed(model: Model, name: str, value: Any, *, from_options: bool) -> Any:
    """The value checked against the Input Types table (doc lines 49-61), numbers normalised."""
    if name in model.raw_list_fields:
        if not isinstance(value, str):
            raise Invalid(f"{name} must be the raw imageURLList string, not a JSON {type(value).__name__}")
        try:
            urls = json.loads(value)
        except ValueError:
            raise Invalid(f"{name} is not a JSON array string") from None
        if not isinstance(urls, list) or not all(_is_url(url) for url in urls):
            raise Invalid(f"{name} must hold direct public http(s) URLs")
        return value
    if name in reading.SINGLE_URL.value:
        if not isinstance(value, str):
            raise Invalid(f"{name} must be a single URL string, not a JSON {type(value).__name__}")
        if not _is_url(value):
            raise Invalid(f"{name} must be a direct public http(s) URL")
        return value
    if name in reading.URL_LIST.value:
        if isinstance(value, str) and model.url_string_fields and name in model.url_string_fields.value:
            value = [value]  # hailuo: "most reliable as a single URL string"
        elif not isinstance(value, list):
            raise Invalid(f"{name} must be an array of URLs, even for one file")
        if not all(_is_url(url) for url in value):
            raise Invalid(f"{name} must hold direct public http(s) URLs")
        return value
    if name in reading.QUOTED_NUMBERS.value:
        if name in model.integer_only and not from_options and not _integer(value):
            raise Invalid(f"{name} must be an integer, not {json.dumps(value)}: {model.integer_only[name].value}")
        if _integer(value):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise Invalid(f'{name} must be a whole number, quoted ("5", "250") or not, not {json.dumps(value)}')
    if name in reading.BOOLEANS.value:
        if not isinstance(value, bool):
            raise Invalid(f"{name} must be a boolean, not {json.dumps(value)}")
        return value
    if name in reading.NUMBERS.value:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{name} must be a number, not {json.dumps(value)}")
        return value
    if name in reading.OBJECT_ARRAYS.value:
        if not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            raise Invalid(f"{name} must be a JSON array of objects")
        return value
    strings = reading.PLAIN_TEXT.value | reading.ENUM_STRINGS.value
    if name in strings and not from_options and not isinstance(value, str):
        raise Invalid(f"{name} must be a string, not {json.dumps(value)}")
    return value


# --- price -------------------------------------------------------------------------------


def _dimension(model: Model, tier: str, request_value: str, values: dict[str, Any], name: str) -> Any:
    if name == model.tier_field and model.routed:
        return tier
    if name in values:
        return values[name]
    for option in model.options.values():  # an options tier left out is its index 0; a flag, false
        if option.field == name:
            return option.decode(0) if option.kind == "index" else False if option.kind == "bool" else None
    return False if name == "sound" else None


def _price(
    store: Store, model: Model, tier: str, request_value: str, values: dict[str, Any]
) -> tuple[int, str, float | None]:
    """(credits, the rule in words, seconds billed or None) for an accepted request."""
    price = model.price
    if isinstance(price, Flat):
        return price.amount, f"flat {price.amount} (doc line {price.line})", None
    if isinstance(price, PerBlock):
        raw = values.get(price.chars)
        if isinstance(raw, list):  # dialogue: the lines' text
            chars = sum(len(str(item.get("text", ""))) for item in raw if isinstance(item, dict))
        else:
            chars = len(str(raw or ""))
        blocks = max(1, math.ceil(chars / price.block))
        return blocks * price.rate, f"{price.rate} × {blocks} block(s) of {price.block} chars (line {price.line})", None
    if isinstance(price, PerSecond):
        key = tuple(_dimension(model, tier, request_value, values, name) for name in price.by)
        if key not in price.rates:
            raise Invalid(f"no documented price for {model.entry} {key}")
        rate = price.rates[key]
        seconds = _seconds(store, price.seconds, values)
        whole = max(1, math.ceil(seconds))
        return whole * rate, f"{rate}/s × {whole} s (line {price.line})", float(seconds)
    key = tuple(_dimension(model, tier, request_value, values, name) for name in price.by)
    if isinstance(price, Range):
        amount = price.amount(key)
        end = "bottom" if amount == price.low else "top"
        return amount, f"range {price.low}–{price.high}, {end} for {key} (line {price.line})", None
    assert isinstance(price, Table)
    if key not in price.amounts:
        raise Invalid(f"no documented price for {model.entry} {key}")
    return price.amounts[key], f"table {key} (line {price.line})", None


def _seconds(store: Store, source: str, values: dict[str, Any]) -> float:
    if source == "duration":
        seconds = values.get("duration")
        if not _integer(seconds) or seconds < 1:
            raise Invalid("duration must be a whole number of seconds, at least 1")
        return float(seconds)
    if source == "duration_seconds":
        seconds = values.get("duration_seconds", reading.SOUND_EFFECT_DEFAULT_SECONDS)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            raise Invalid("duration_seconds must be a positive number")
        return float(seconds)
    if source == "frames_or_audio":
        frames, fps = values.get("num_frames"), values.get("frames_per_second")
        if frames and fps:
            return float(Decimal(str(frames)) / Decimal(str(fps)))
        source = "audio_url"
    measured = _measure(store, str(values.get(source) or ""))
    return measured if measured is not None else float(UNMEASURED_SECONDS)


def _measure(store: Store, url: str) -> float | None:
    """The length in seconds of the media at ``url``: a file this sandbox serves, or one it fetches."""
    path = urlsplit(url).path
    data: bytes | None = None
    if "/files/" in path:
        entry = store.files.get(path.rsplit("/files/", 1)[1])
        data = entry[1] if entry else None
    if data is None:
        import httpx

        try:
            with httpx.stream("GET", url, timeout=FETCH_TIMEOUT) as response:
                if response.status_code != 200:
                    return None
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > FETCH_MAX_BYTES:
                        return None
                    chunks.append(chunk)
                data = b"".join(chunks)
        except (httpx.HTTPError, ValueError):
            return None
    try:
        duration = media.probe(data).get("duration")
    except (ValueError, TypeError):
        return None
    return float(duration) if duration else None


def _render_params(model: Model, values: dict[str, Any], seconds: float | None) -> dict[str, Any]:
    """What sandbox.outputs reads (prompt, aspect, resolution, seconds) from the effective fields."""
    params = dict(values)
    if "size" in params and "aspect_ratio" not in params and ":" in str(params["size"]):
        params["aspect_ratio"] = params["size"]  # gpt-image-1
    if seconds is not None:
        params["seconds"] = max(1, math.ceil(seconds))  # the output lasts what is billed
        params.pop("duration", None)
    aspect = params.get("aspect_ratio") or params.get("aspectRatio") or params.get("image_size")
    try:
        media.aspect_size(str(aspect) if aspect else "1:1", params.get("resolution"))
    except (ValueError, TypeError):
        for key in ("aspect_ratio", "aspectRatio", "image_size", "resolution"):
            params.pop(key, None)
    if model.output != "image":
        params.pop("resolution", None)
    if not (params.get("prompt") or params.get("text")):
        params["prompt"] = model.name
    return params


# --- status ----------------------------------------------------------------------------


def _status(store: Store, request: Request, api_key: str) -> Response:
    key = request.query.get("apiKey", "")
    if not key or not secrets.compare_digest(key, api_key):
        return json_response(400, {"msg": "invalid_api_key"})
    job = store.job("cliprise", request.query.get("taskId", ""))
    if job is None:
        return json_response(400, {"msg": "invalid_taskId"})
    store.count("cliprise.status")
    if store.flapping(job):
        return json_response(503, {"msg": "service_unavailable"})
    phase, _ = job.phase()
    if phase in {"queued", "processing"}:
        return json_response(300, {"status": "processing"})
    if phase == "failed":
        return json_response(400, {"status": "failed", "failMsg": _fail_message(job)})
    if job.behaviour.fail == "malformed":
        return Response(200, b"<html><body>upstream error</body></html>", "text/html")
    outputs = _outputs(store, job, _Base(request))
    if request.query.get("download") == "true":
        token = outputs[0].rsplit("/files/", 1)[1]
        entry = store.files.get(token)
        if entry is None:
            return json_response(400, {"status": "failed", "failMsg": "The result is no longer available"})
        content_type, data, _expired = entry
        return Response(200, data, content_type)
    return json_response(200, {"status": "success", "fileURL": outputs[0]})


def _fail_message(job: Job) -> str:
    return "The model could not generate this request (sandbox failure)."


def _outputs(store: Store, job: Job, base: _Base) -> list[str]:
    with _render_lock:  # the callback timer and a status read may finish the same job at once
        if job.outputs:
            return job.outputs
        if job.kind != "zip":
            return job_outputs(store, job, base)  # type: ignore[arg-type]  # only url_for is used
        params = job.params
        prompt = strip_directive(str(params.get("prompt") or job.model))
        aspect = str(params.get("aspect_ratio") or "1:1")
        width, height = media.aspect_size(aspect, None, base=job.behaviour.media_scale)
        count = int(job.extra.get("images", 6))
        images = [(f"image-{i + 1}.png", media.render_image(prompt, width, height, seed=i)) for i in range(count)]
        token = store.add_file(
            "application/zip", media.zip_images(images), "zip", expired=job.behaviour.fail == "expired"
        )
        job.outputs = [base.url_for(f"/files/{token}")]
        return job.outputs


def _callback_later(store: Store, job: Job, base: _Base) -> None:
    """POST callBackUrl once the job is done; the result is rendered then, as the status call would."""

    def fire() -> None:
        phase, _ = job.phase()
        if phase == "failed":
            body = {"code": 400, "taskId": job.id, "status": "failed", "failMsg": _fail_message(job)}
        else:
            body = {"code": 200, "taskId": job.id, "status": "success", "fileURL": _outputs(store, job, base)[0]}
        store.count("cliprise.callback")
        webhook_later(0, job.extra["callback"], body)

    timer = threading.Timer(max(job.behaviour.delay, 0.0) + 0.05, fire)
    timer.daemon = True
    timer.start()
