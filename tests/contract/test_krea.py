"""Krea's contract: cases read from Krea's OpenAPI file (``sandbox/docs/003``), each citing its JSON pointer.

- Every row of every compute-unit table: the studio quotes it (``catalog.pricing`` on the catalog's offer)
  and the sandbox charges it (the studio's real ``KreaClient`` over HTTP, the sandbox's own reading);
  both must equal the doc's figure. Rows the doc's own schema refuses are refused by both.
- Every request the client sends is validated against its endpoint's request schema in the vendored file,
  and every sandbox answer against the response schema of that status.
- Every documented refusal the schema states (enum, minimum, maximum, maxLength, unknown field,
  required field) is refused by the studio before sending and answered 400 by the sandbox.
- Every request example in the file, sent by the studio's client, arrives field by field as written.

The rows come from the sandbox's reading (``sandbox/readings/krea.py``) and each case first checks that its
row is written, as quoted, at its pointer; the studio's side comes from ``catalog/data/krea.json``. The two
readings are independent, so a case fails on any disagreement and names the doc's pointer.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import httpx
import pytest

from catalog.pricing import QuoteError
from generations.providers.base import SubmitRequest
from generations.providers.krea import KreaClient, request_body
from sandbox.readings import krea as reading
from tests.conftest import ROOT, wait_for
from tests.contract.doc import krea_pointer
from tests.contract.krea_cases import (
    OFFERS_BY_PATH,
    PROMPT,
    items,
    required_body,
    row_body,
    schema_errors,
    studio_check,
    studio_quote,
)

KEY = "sandbox-key"
ENDPOINTS = reading.ENDPOINTS


class Wire:
    """The studio's real Krea client against the sandbox, keeping every request and answer it saw."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.client = KreaClient(base_url=f"{sandbox.url}/krea", api_key=KEY)
        self.sent: list[httpx.Request] = []
        self.answers: list[httpx.Response] = []
        self.client.http.event_hooks = {"request": [self.sent.append], "response": [self._answer]}

    def _answer(self, response: httpx.Response) -> None:
        response.read()
        self.answers.append(response)

    def submit(self, offer: dict[str, Any], clean: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        params = {key: (str(value) if isinstance(value, Decimal) else value) for key, value in clean.items()}
        request = SubmitRequest(
            model_id=offer["id"], category=offer["category"], spec=offer, params=params, reference="gen_contract"
        )
        job_id = self.client.submit(request)
        return job_id, json.loads(self.sent[-1].content)

    def charged(self, job_id: str) -> Decimal:
        charges = self.sandbox.http.get("/_sandbox/charges").raise_for_status().json()
        return Decimal(charges["krea"]["jobs"][job_id])


@pytest.fixture(scope="module")
def wire(sandbox_process):
    sandbox_process.reset()
    sandbox_process.configure(delay=600, fail="none")  # jobs stay queued: nothing renders
    yield Wire(sandbox_process)
    sandbox_process.reset()


def _raw(sandbox, path: str, body: Any) -> httpx.Response:
    return sandbox.http.post(f"/krea{path}", json=body, headers={"Authorization": f"Bearer {KEY}"})


# --- every price row ----------------------------------------------------------------------------------

ROWS = [(endpoint, row) for endpoint in ENDPOINTS.values() for row in endpoint.prices]
CONFLICT_LINES = {
    (c.path, line) for c in reading.DOC_CONFLICTS if "refused by the schema" in c.what for line in c.lines
}


def doc_amount(where: str, line: str) -> Decimal:
    """The ``Compute Units`` cell of ``line`` in the table written at ``where``, read from the doc's text."""
    lines = [text.strip() for text in krea_pointer(where).splitlines()]
    assert line in lines, f"the row {line!r} is not written at {where}"
    header = next(text for text in lines if text.startswith("|") and "Compute Units" in text)
    column = [cell.strip() for cell in header.strip("|").split("|")].index("Compute Units")
    return Decimal(line.strip("|").split("|")[column].strip().removeprefix("~"))


def _row_id(item: tuple[reading.Endpoint, reading.PriceRow]) -> str:
    endpoint, row = item
    return f"{endpoint.slug} {row.line}"


def test_the_sandbox_reads_krea_from_its_own_doc_only():
    """sandbox/krea.py and its reading import nothing of the studio and name no file under catalog/."""
    code = (
        "import sys, sandbox.krea, sandbox.readings.krea; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'accounts', 'catalog', 'billing', 'generations', 'api', 'project', 'django'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    for module in (ROOT / "sandbox" / "krea.py", ROOT / "sandbox" / "readings" / "krea.py"):
        text = module.read_text(encoding="utf-8")
        assert "catalog/" not in text and '"catalog"' not in text, module
    assert reading.DOC.parent == ROOT / "sandbox" / "docs"


def test_every_endpoint_and_table_is_read():
    paths = [path for path in krea_pointer("/paths") if path.startswith("/generate/")]
    assert sorted(ENDPOINTS) == sorted(paths) and len(paths) == 56
    assert sorted(OFFERS_BY_PATH) == sorted(paths), "the catalog has one offer per documented endpoint"
    assert len(ROWS) == 364
    assert sum(1 for endpoint in ENDPOINTS.values() if not endpoint.priced) == 5


@pytest.mark.parametrize(("endpoint", "row"), ROWS, ids=[_row_id(item) for item in ROWS])
def test_price_row_is_quoted_and_charged_as_documented(wire, endpoint, row):
    where = f"{row.pointer} {row.line}"
    assert row.amount == doc_amount(row.pointer, row.line), f"the reading's figure is not the one written at {where}"
    offer = OFFERS_BY_PATH[endpoint.path]
    body = row_body(endpoint, row)
    if schema_errors(endpoint.schema_pointer, body):
        # The doc's own schema refuses the row's value: the studio refuses it, Krea answers 400.
        assert (endpoint.path, row.line) in CONFLICT_LINES, f"{where}: a conflict the reading does not list"
        with pytest.raises(QuoteError):
            studio_quote(offer, studio_check(offer, body))
        refused = _raw(wire.sandbox, endpoint.path, body)
        assert refused.status_code == 400, f"{where}: {refused.text}"
        assert schema_errors(endpoint.responses["400"], refused.json()) == []
        return
    clean = studio_check(offer, body)
    assert studio_quote(offer, clean) == row.amount, f"the studio's quote differs from {where}"
    job_id, sent = wire.submit(offer, clean)
    assert schema_errors(endpoint.schema_pointer, sent) == [], f"the client's body breaks {endpoint.schema_pointer}"
    assert schema_errors(endpoint.responses["200"], wire.answers[-1].json()) == []
    assert wire.charged(job_id) == row.amount, f"the sandbox's charge differs from {where}"


# --- every endpoint's default request, priced or not ------------------------------------------------------


@pytest.mark.parametrize("path", sorted(ENDPOINTS), ids=lambda path: path.removeprefix("/generate/"))
def test_default_request_validates_and_is_charged_its_default_row(wire, path):
    endpoint = ENDPOINTS[path]
    offer = OFFERS_BY_PATH[path]
    before = wire.sandbox.stats().get("krea.unpriced", 0)
    body = required_body(endpoint)
    try:
        clean = studio_check(offer, body)
    except QuoteError as error:
        raise AssertionError(f"the studio refuses the doc's minimal request at {endpoint.schema_pointer}") from error
    job_id, sent = wire.submit(offer, clean)
    assert schema_errors(endpoint.schema_pointer, sent) == []
    row = endpoint.price_for(sent)
    if endpoint.priced:
        assert row is not None, f"{endpoint.price_pointer}: no row for the default request {sent}"
        assert studio_quote(offer, clean) == row.amount == wire.charged(job_id)
    else:
        # No table in the description: the studio has no documented price, the sandbox charges nothing.
        assert "Compute Units" not in krea_pointer(endpoint.price_pointer)
        with pytest.raises(QuoteError):
            studio_quote(offer, clean)
        assert wire.charged(job_id) == 0
        assert wire.sandbox.stats()["krea.unpriced"] == before + 1


# --- the doc's refusals -------------------------------------------------------------------------------------


def _refusals() -> list[tuple[str, str, str, Any]]:
    """(path, what, pointer, body) for every refusal the request schemas state."""
    cases: list[tuple[str, str, str, Any]] = []
    for endpoint in ENDPOINTS.values():
        base = required_body(endpoint)
        cases.append(
            (
                endpoint.path,
                "unknown field",
                f"{endpoint.schema_pointer}/additionalProperties",
                {**base, "not_a_field": 1},
            )
        )
        for name, spec in endpoint.fields.items():
            if spec.required and not spec.has_default:
                body = {key: value for key, value in base.items() if key != name}
                cases.append((endpoint.path, f"without required {name}", f"{endpoint.schema_pointer}/required", body))
            if spec.enum is not None and all(isinstance(value, str) for value in spec.enum):
                cases.append((endpoint.path, f"{name} outside its enum", spec.pointer, {**base, name: "not-a-choice"}))
            elif spec.enum is not None:
                outside = next(n for n in itertools.count(1) if n not in spec.enum)
                cases.append(
                    (endpoint.path, f"{name}={outside} outside its enum", spec.pointer, {**base, name: outside})
                )
            if spec.maximum is not None:
                cases.append(
                    (endpoint.path, f"{name} above {spec.maximum}", spec.pointer, {**base, name: int(spec.maximum) + 1})
                )
            if spec.minimum is not None:
                cases.append(
                    (endpoint.path, f"{name} below {spec.minimum}", spec.pointer, {**base, name: int(spec.minimum) - 1})
                )
            if spec.max_length is not None:
                cases.append(
                    (
                        endpoint.path,
                        f"{name} over {spec.max_length} characters",
                        spec.pointer,
                        {**base, name: "x" * (spec.max_length + 1)},
                    )
                )
            if spec.max_items is not None and "array" in spec.types:
                too_many = items(endpoint, name, spec.max_items + 1)
                cases.append(
                    (endpoint.path, f"{name} over {spec.max_items} items", spec.pointer, {**base, name: too_many})
                )
    return cases


REFUSALS = _refusals()


@pytest.mark.parametrize(
    ("path", "what", "where", "body"),
    REFUSALS,
    ids=[f"{path.removeprefix('/generate/')} {what}" for path, what, _, _ in REFUSALS],
)
def test_documented_refusal_is_refused_by_the_studio_and_answered_400_by_the_sandbox(wire, path, what, where, body):
    endpoint = ENDPOINTS[path]
    assert schema_errors(endpoint.schema_pointer, body), f"the doc at {where} accepts this body: not a refusal"
    offer = OFFERS_BY_PATH[path]
    try:
        clean = studio_check(offer, body)
    except QuoteError:
        pass
    else:
        if what.startswith("without required"):
            # The studio may fill a required field itself (a one-choice enum); what it sends must then carry it.
            sent = request_body(offer, {k: (str(v) if isinstance(v, Decimal) else v) for k, v in clean.items()})
            assert schema_errors(endpoint.schema_pointer, sent) == [], f"the studio would send a body {where} refuses"
        else:
            raise AssertionError(f"the studio accepts what {where} refuses ({what}): {clean}")
    answer = _raw(wire.sandbox, path, body)
    assert answer.status_code == 400, f"the sandbox accepts what {where} refuses ({what})"
    assert answer.json()["error"].startswith("The request body is invalid")
    assert schema_errors(endpoint.responses["400"], answer.json()) == []


# --- the doc's example requests --------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(ENDPOINTS), ids=lambda path: path.removeprefix("/generate/"))
def test_example_request_is_sent_as_written(wire, path):
    endpoint = ENDPOINTS[path]
    example = krea_pointer(endpoint.example_pointer)
    assert example == endpoint.example
    offer = OFFERS_BY_PATH[path]
    missing = sorted(set(endpoint.schema.get("required", [])) - set(example))
    if missing:
        # The doc's example lacks a field its own schema requires (listed in DOC_CONFLICTS): Krea answers 400.
        assert any(c.path == path and "example lacks" in c.what for c in reading.DOC_CONFLICTS)
        answer = _raw(wire.sandbox, path, example)
        assert answer.status_code == 400 and schema_errors(endpoint.responses["400"], answer.json()) == []
        try:
            clean = studio_check(offer, example)
        except QuoteError:
            return  # the studio refuses it before sending, as Krea would
        _, sent = wire.submit(offer, clean)
        assert set(missing) <= set(sent), f"the studio sent {endpoint.example_pointer} without {missing}"
        for name, value in example.items():
            assert sent.get(name) == value, f"{endpoint.example_pointer}/{name}: sent {sent.get(name)!r}, doc {value!r}"
        assert schema_errors(endpoint.schema_pointer, sent) == []
        return
    clean = studio_check(offer, example)
    _, sent = wire.submit(offer, clean)
    for name, value in example.items():
        assert sent.get(name) == value, f"{endpoint.example_pointer}/{name}: sent {sent.get(name)!r}, doc {value!r}"
    assert schema_errors(endpoint.schema_pointer, sent) == []


# --- the job's documented life ------------------------------------------------------------------------------


def test_job_object_list_delete_and_errors_match_their_response_schemas(sandbox):
    """GET /jobs/{id} through its statuses, GET /jobs, DELETE /jobs/{id}, 404 and 401, each against its schema."""
    wire = Wire(sandbox)
    endpoint = ENDPOINTS["/generate/image/z-image/z-image"]
    offer = OFFERS_BY_PATH[endpoint.path]
    body = {**required_body(endpoint), "prompt": "a kite [sandbox delay=1]"}
    job_id, _ = wire.submit(offer, studio_check(offer, body))
    job_schema = reading.pointer(
        "paths", "/jobs/{id}", "get", "responses", "200", "content", "application/json", "schema"
    )
    seen: list[str] = []

    def completed() -> dict[str, Any] | None:
        body = wire.client.http.get(f"/jobs/{job_id}").json()
        assert schema_errors(job_schema, body) == [], body
        seen.append(body["status"])
        return body if body["status"] == "completed" else None

    body = wait_for(completed, timeout=20, interval=0.05, message="the job to complete")
    assert set(seen) <= set(krea_pointer(reading.JOB_STATUSES_POINTER))
    assert body["result"]["urls"]
    listed = wire.client.http.get("/jobs", params={"limit": 10}).json()
    list_schema = reading.pointer("paths", "/jobs", "get", "responses", "200", "content", "application/json", "schema")
    assert schema_errors(list_schema, listed) == []
    assert [item["job_id"] for item in listed["items"]] == [job_id]
    bad = wire.client.http.get("/jobs", params={"status": "exploded"})
    assert bad.status_code == 400
    assert (
        schema_errors(
            reading.pointer("paths", "/jobs", "get", "responses", "400", "content", "application/json", "schema"),
            bad.json(),
        )
        == []
    )
    assert wire.client.http.delete(f"/jobs/{job_id}").status_code == 200
    gone = wire.client.http.get(f"/jobs/{job_id}")
    assert gone.status_code == 404
    assert (
        schema_errors(
            reading.pointer("paths", "/jobs/{id}", "get", "responses", "404", "content", "application/json", "schema"),
            gone.json(),
        )
        == []
    )
    unauthorised = _raw_unauthorised(sandbox, endpoint.path)
    assert unauthorised.status_code == 401
    assert schema_errors(endpoint.responses["401"], unauthorised.json()) == []
    assert krea_pointer(reading.SECURITY_POINTER)["scheme"] == "bearer"


def _raw_unauthorised(sandbox, path: str) -> httpx.Response:
    return sandbox.http.post(f"/krea{path}", json={"prompt": PROMPT}, headers={"Authorization": "Bearer wrong"})


def test_webhook_header_is_the_documented_one_and_is_called_back(sandbox):
    """Every /generate operation documents ``X-Webhook-URL``; the client sends the offer's header by that name."""
    for endpoint in ENDPOINTS.values():
        parameters = krea_pointer(f"{endpoint.pointer}/parameters")
        assert [p["name"] for p in parameters if p["in"] == "header"] == [reading.WEBHOOK_HEADER], endpoint.pointer
        assert OFFERS_BY_PATH[endpoint.path]["wire"]["webhook_header"] == reading.WEBHOOK_HEADER
    wire = Wire(sandbox)
    offer = OFFERS_BY_PATH["/generate/image/google/imagen-4"]
    request = SubmitRequest(
        model_id=offer["id"],
        category=offer["category"],
        spec=offer,
        params={
            k: (str(v) if isinstance(v, Decimal) else v) for k, v in studio_check(offer, {"prompt": PROMPT}).items()
        },
        reference="gen_contract",
        webhook_url="http://127.0.0.1:9/never",
    )
    wire.client.submit(request)
    assert wire.sent[-1].headers[reading.WEBHOOK_HEADER] == "http://127.0.0.1:9/never"


# --- what the doc allows but does not price, and the limits only the sandbox applies ----------------------


@pytest.mark.parametrize("path", ["/generate/video/google/veo-3", "/generate/video/google/veo-3-fast"])
def test_a_duration_the_schema_allows_but_no_row_prices_is_refused_by_the_studio_and_charged_0(wire, path):
    endpoint = ENDPOINTS[path]
    duration = endpoint.fields["duration"]
    assert 4 in krea_pointer(duration.pointer)["enum"], duration.pointer
    assert not any("| 4s |" in row.line for row in endpoint.prices), endpoint.price_pointer
    offer = OFFERS_BY_PATH[path]
    with pytest.raises(QuoteError):
        studio_quote(offer, studio_check(offer, {"prompt": PROMPT, "duration": 4}))
    before = wire.sandbox.stats().get("krea.no_price_row", 0)
    answer = _raw(wire.sandbox, path, {"prompt": PROMPT, "duration": 4})
    assert answer.status_code == 200 and schema_errors(endpoint.responses["200"], answer.json()) == []
    assert wire.charged(answer.json()["job_id"]) == 0
    assert wire.sandbox.stats()["krea.no_price_row"] == before + 1


MIN_LENGTHS = [
    (endpoint.path, name, spec)
    for endpoint in ENDPOINTS.values()
    for name, spec in endpoint.fields.items()
    if spec.min_length and spec.min_length > 1
]


@pytest.mark.parametrize(
    ("path", "name", "spec"), MIN_LENGTHS, ids=[f"{p.removeprefix('/generate/')} {n}" for p, n, _ in MIN_LENGTHS]
)
def test_a_value_under_min_length_is_answered_400(wire, path, name, spec):
    """The studio's side of this refusal is an open difference (differences_krea: minLength not enforced)."""
    assert krea_pointer(spec.pointer)["minLength"] == spec.min_length
    body = {**required_body(ENDPOINTS[path]), name: "x" * (spec.min_length - 1)}
    answer = _raw(wire.sandbox, path, body)
    assert answer.status_code == 400, f"{spec.pointer}/minLength"
