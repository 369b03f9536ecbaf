"""Krea: the client against the sandbox over real sockets, every request body
checked against Krea's OpenAPI request schema, and one generation through the
real pipeline (service, Celery worker, asset storage, ledger).

Client tests need no database; the sandbox is the session's subprocess
(tests/conftest.py), reset to 1-second jobs for each test.
"""

from __future__ import annotations

import io
import json
import threading
import time
from dataclasses import replace
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from PIL import Image
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from catalog.datafile import provider_file_load
from catalog.pricing import offer_check
from generations.providers.base import CANCELLED, COMPLETED, FAILED, QUEUED, RUNNING, LocalMedia, SubmitRequest
from generations.providers.krea import STATUS, KreaClient, ProviderError, deadline_seconds, request_body
from tests.conftest import wait_for

REPO = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO / "catalog" / "data" / "sources" / "krea-openapi.json"  # a copy of seeds/003
DATA = provider_file_load("krea")
OFFERS = {offer["id"]: offer for offer in DATA["offers"]}
KEY = "sandbox-key"


def _openapi() -> dict[str, Any]:
    text = OPENAPI_PATH.read_text(encoding="utf-8")
    return json.JSONDecoder().raw_decode(text, text.index("{"))[0]


OPENAPI = _openapi()


def _validator(pointer: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for the schema at ``pointer`` inside the OpenAPI document."""
    resource = Resource.from_contents(OPENAPI, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:krea-openapi", resource)
    return Draft202012Validator({"$ref": "urn:krea-openapi#" + pointer}, registry=registry)


def _escaped(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def request_validator(path: str) -> Draft202012Validator:
    return _validator(f"/paths/{_escaped(path)}/post/requestBody/content/application~1json/schema")


def response_validator(path: str, method: str, status: str = "200") -> Draft202012Validator:
    return _validator(f"/paths/{_escaped(path)}/{method}/responses/{status}/content/application~1json/schema")


def _sample_url(field: dict[str, Any]) -> str:
    kinds = field.get("kinds", ["image"])
    return {"video": "https://example.com/in.mp4", "audio": "https://example.com/in.mp3"}.get(
        kinds[0], "https://example.com/in.png"
    )


def _params(offer: dict[str, Any], *, every_media: bool = False, **given: Any) -> dict[str, Any]:
    """Checked parameters as the pipeline stores them: defaults, a prompt, a URL for required media.

    Decimals become strings, as ``generations.services.pipeline._jsonable`` stores them.
    """
    raw = dict(given)
    for field in offer["fields"]:
        name = field["name"]
        if name in raw:
            continue
        needed = field.get("required") and "default" not in field
        if field["type"] == "media" and (needed or every_media):
            raw[name] = [_sample_url(field)]
        elif not needed:
            continue
        elif field["type"] == "text":
            raw[name] = "a lighthouse on a cliff at dusk"
        elif name in {"width", "height"}:
            raw[name] = 1024
        elif field["type"] == "enum":
            raw[name] = field["choices"][0]
        elif name == "reference_images":  # Runway Gen-4 image: [{url, tag}], 1 to 3
            raw[name] = [{"url": "https://example.com/ref.png", "tag": "hero"}]
        else:
            raise AssertionError(f"{offer['id']}: no test value for required {name}")
    clean = offer_check(offer, raw)
    return {key: (str(value) if isinstance(value, Decimal) else value) for key, value in clean.items()}


def _request(offer_id: str, prompt: str = "a red fox in fresh snow", **params: Any) -> SubmitRequest:
    offer = OFFERS[offer_id]
    return SubmitRequest(
        model_id=offer_id,
        category=offer["category"],
        spec=offer,
        params=_params(offer, prompt=prompt, **params),
        reference="gen_test",
    )


def _mocked(handler) -> KreaClient:
    """A client whose HTTP goes to ``handler`` instead of a socket, for answers the sandbox never gives."""
    client = KreaClient(base_url="https://api.krea.test", api_key=KEY)
    client.http = httpx.Client(base_url="https://api.krea.test", transport=httpx.MockTransport(handler))
    return client


def _client(sandbox, api_key: str = KEY) -> KreaClient:
    return KreaClient(base_url=f"{sandbox.url}/krea", api_key=api_key)


def _until(client: KreaClient, job_id: str, statuses: set[str], *, timeout: float = 20) -> list:
    """Read the job until it reaches one of ``statuses``; return every state seen."""
    seen = []

    def done():
        state = client.status(job_id, {})
        seen.append(state)
        return state.status in statuses

    wait_for(done, timeout=timeout, interval=0.05, message=f"job {job_id} to reach {statuses}")
    return seen


# --- every request body against the OpenAPI request schema ------------------------------


@pytest.mark.parametrize("offer_id", sorted(OFFERS))
def test_default_request_body_validates_against_the_openapi_schema(offer_id):
    offer = OFFERS[offer_id]
    body = request_body(offer, _params(offer))
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in request_validator(offer["wire"]["path"]).iter_errors(body)
    ]
    assert errors == []
    if any(f["name"] == "prompt" and f.get("required") for f in offer["fields"]):  # Topaz: optional prompt
        assert body["prompt"] == "a lighthouse on a cliff at dusk"


@pytest.mark.parametrize("offer_id", sorted(OFFERS))
def test_request_body_with_every_media_field_validates_against_the_openapi_schema(offer_id):
    offer = OFFERS[offer_id]
    body = request_body(offer, _params(offer, every_media=True))
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in request_validator(offer["wire"]["path"]).iter_errors(body)
    ]
    assert errors == []
    for name in offer["wire"]["single_url_fields"]:
        assert isinstance(body[name], str), f"{name} goes as one URL string"
    for name in offer["wire"]["url_list_fields"]:
        assert isinstance(body[name], list), f"{name} goes as a list of URLs"


def test_request_body_sends_json_types_and_leaves_empty_optionals_out():
    offer = OFFERS["grok-video"]
    params = _params(offer, prompt="waves", duration="2.5", reference_images=[], aspect_ratio="16:9")
    assert params["duration"] == "2.5", "stored params hold Decimals as strings"
    body = request_body(offer, params)
    assert body == {"prompt": "waves", "duration": 2.5, "resolution": "720p", "aspect_ratio": "16:9"}

    wan = OFFERS["wan-2.2"]
    body = request_body(wan, {**_params(wan), "guide_scale": "[4, 3.5]", "styles": ""})
    assert body["guide_scale"] == [4, 3.5], "a json field posted as text is sent parsed"
    assert "styles" not in body


def test_every_offer_is_accepted_by_the_sandbox_schema_check(sandbox):
    sandbox.configure(delay=60)
    client = _client(sandbox)
    for offer_id in sorted(OFFERS):
        assert client.submit(_request(offer_id, prompt="a quiet harbour"))
    stats = sandbox.stats()
    assert stats["krea.accepted"] == len(OFFERS)
    assert "krea.invalid_body" not in stats
    assert "krea.deprecated_field" not in stats, "the client never sends the deprecated camelCase names"


# --- the job's life --------------------------------------------------------------------------


def test_image_job_goes_queued_running_completed_with_a_real_png(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("nano-banana", prompt="a red fox [sandbox delay=2]", aspect_ratio="16:9"))
    seen = _until(client, job_id, {COMPLETED})
    statuses = [state.status for state in seen]
    assert statuses[0] == QUEUED and RUNNING in statuses
    assert statuses.index(QUEUED) < statuses.index(RUNNING) < statuses.index(COMPLETED)
    final = seen[-1]
    assert final.progress == 100 and len(final.outputs) == 1
    response = httpx.get(final.outputs[0], timeout=10)
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size[0] > image.size[1], "16:9 was asked for"


def test_video_job_returns_a_real_mp4(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("grok-video", prompt="waves on a pier", duration=2, resolution="480p"))
    final = _until(client, job_id, {COMPLETED}, timeout=60)[-1]
    response = httpx.get(final.outputs[0], timeout=30)
    assert response.headers["content-type"] == "video/mp4"
    assert response.content[4:8] == b"ftyp"


def test_sandbox_runs_backlogged_queued_processing_completed_in_the_documented_shape(sandbox):
    headers = {"Authorization": f"Bearer {KEY}"}
    path = OFFERS["z-image"]["wire"]["path"]
    created = httpx.post(
        f"{sandbox.url}/krea{path}",
        json={"prompt": "a kite [sandbox delay=5]", "resolution": "1K", "aspect_ratio": "1:1"},
        headers=headers,
    )
    assert created.status_code == 200, created.text
    assert list(response_validator(path, "post").iter_errors(created.json())) == []
    job_id = created.json()["job_id"]
    seen: list[str] = []
    job_schema = response_validator("/jobs/{id}", "get")

    def completed():
        body = httpx.get(f"{sandbox.url}/krea/jobs/{job_id}", headers=headers).json()
        assert list(job_schema.iter_errors(body)) == [], body
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        return body if body["status"] == "completed" else None

    body = wait_for(completed, timeout=20, interval=0.02, message="the job to complete")
    assert seen == ["backlogged", "queued", "processing", "completed"]
    assert body["completed_at"] >= body["created_at"]
    assert body["result"]["urls"][0].startswith(f"{sandbox.url}/files/")


@pytest.mark.parametrize(
    ("krea_status", "ours"),
    [
        ("backlogged", QUEUED),
        ("queued", QUEUED),
        ("scheduled", QUEUED),
        ("processing", RUNNING),
        ("sampling", RUNNING),
        ("intermediate-complete", RUNNING),
        ("completed", COMPLETED),
        ("failed", FAILED),
        ("cancelled", CANCELLED),
    ],
)
def test_all_nine_job_statuses_are_mapped(krea_status, ours):
    schema_statuses = OPENAPI["paths"]["/jobs/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert set(STATUS) == set(schema_statuses["schema"]["properties"]["status"]["enum"])
    job = {
        "job_id": "4d0e5f97-9721-4422-b88c-73a9032d7de1",
        "status": krea_status,
        "created_at": "2026-01-01T00:00:00Z",
    }
    if krea_status == "completed":
        job.update(completed_at="2026-01-01T00:01:00Z", result={"urls": ["https://cdn.example/a.png"]})
    client = _mocked(lambda request: httpx.Response(200, json=job))
    state = client.status(job["job_id"], {})
    assert state.status == ours
    if ours == COMPLETED:
        assert state.outputs == ["https://cdn.example/a.png"]
    if ours == FAILED:
        assert (state.error_code, state.error) == ("provider_failed", "Krea reported the job as failed.")
    if ours == RUNNING:
        assert state.progress is None, "the job object documents no progress"


def test_an_unknown_status_is_a_retryable_malformed_response():
    client = _mocked(
        lambda request: httpx.Response(200, json={"job_id": "x", "status": "exploded", "created_at": "2026-01-01"})
    )
    with pytest.raises(ProviderError) as caught:
        client.status("x", {})
    assert (caught.value.code, caught.value.permanent) == ("malformed_response", False)


def test_provider_failure_is_failed_with_the_providers_message(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("flux-1-dev", prompt="a lighthouse [sandbox fail=provider]"))
    final = _until(client, job_id, {COMPLETED, FAILED})[-1]
    assert final.status == FAILED
    assert final.error_code == "provider_failed"
    assert "could not generate this request" in final.error


def test_a_hanging_submit_raises_a_retryable_timeout(sandbox):
    client = _client(sandbox)
    client.http.timeout = httpx.Timeout(1.0, connect=2.0)
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        client.submit(_request("flux-1-dev", prompt="slow [sandbox fail=timeout]"))
    assert (caught.value.code, caught.value.permanent) == ("timeout", False)
    assert time.monotonic() - started < 10


def test_a_job_that_never_finishes_stays_running(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("flux-1-dev", prompt="forever [sandbox fail=never delay=0.3]"))
    time.sleep(1.0)
    for _ in range(3):
        assert client.status(job_id, {}).status == RUNNING
        time.sleep(0.2)


def test_status_503s_are_retryable_then_the_job_completes(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("flux-1-dev", prompt="patience [sandbox flaps=2]"))
    for _ in range(2):
        with pytest.raises(ProviderError) as caught:
            client.status(job_id, {})
        assert (caught.value.code, caught.value.permanent) == ("http_503", False)
    final = _until(client, job_id, {COMPLETED})[-1]
    assert final.outputs
    assert sandbox.stats()["krea.503"] == 2


def test_a_server_error_on_submit_is_retryable(sandbox):
    with pytest.raises(ProviderError) as caught:
        _client(sandbox).submit(_request("flux-1-dev", prompt="boom [sandbox fail=5xx]"))
    assert (caught.value.code, caught.value.permanent) == ("http_500", False)


def test_exhausted_krea_credits_are_a_permanent_402(sandbox):
    with pytest.raises(ProviderError) as caught:
        _client(sandbox).submit(_request("flux-1-dev", prompt="broke [sandbox fail=insufficient]"))
    error = caught.value
    assert (error.code, error.permanent) == ("insufficient_provider_credits", True)
    assert error.message == "You have run out of credits."


def test_a_malformed_status_body_is_retryable(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("flux-1-dev", prompt="garbled [sandbox fail=malformed delay=0.2]"))
    time.sleep(0.5)
    with pytest.raises(ProviderError) as caught:
        client.status(job_id, {})
    assert (caught.value.code, caught.value.permanent) == ("malformed_response", False)


def test_an_expired_result_url_answers_410(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("flux-1-dev", prompt="gone [sandbox fail=expired delay=0.2]"))
    final = _until(client, job_id, {COMPLETED})[-1]
    assert httpx.get(final.outputs[0], timeout=10).status_code == 410


def test_concurrency_limit_429_is_rate_limited_with_retry_after():
    client = _mocked(
        lambda request: httpx.Response(
            429, json={"error": "You have reached the maximum number of concurrent jobs."}, headers={"Retry-After": "7"}
        )
    )
    with pytest.raises(ProviderError) as caught:
        client.submit(_request("flux-1-dev"))
    assert (caught.value.code, caught.value.permanent, caught.value.retry_after) == ("rate_limited", False, 7.0)


# --- auth, bad requests, unknown paths ------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}, {"X-Api-Key": KEY}])
def test_missing_or_wrong_key_gets_krea_401(sandbox, headers):
    response = httpx.post(f"{sandbox.url}/krea/generate/image/bfl/flux-1-dev", json={"prompt": "x"}, headers=headers)
    assert response.status_code == 401
    assert list(response_validator("/generate/image/bfl/flux-1-dev", "post", "401").iter_errors(response.json())) == []


def test_wrong_key_is_a_permanent_auth_failure(sandbox):
    client = _client(sandbox, api_key="not-the-key")
    with pytest.raises(ProviderError) as caught:
        client.submit(_request("flux-1-dev"))
    assert (caught.value.code, caught.value.permanent) == ("auth_failed", True)
    job_id = _client(sandbox).submit(_request("flux-1-dev"))
    with pytest.raises(ProviderError) as caught:
        client.status(job_id, {})
    assert caught.value.code == "auth_failed"


def test_a_body_outside_the_schema_is_krea_400_and_invalid_request(sandbox):
    headers = {"Authorization": f"Bearer {KEY}"}
    path = "/generate/image/bfl/flux-1-dev"
    for body in ({"prompt": "x", "steps": 500}, {"prompt": "x", "colour": "red"}, {"steps": 5}, ["x"]):
        response = httpx.post(f"{sandbox.url}/krea{path}", json=body, headers=headers)
        assert response.status_code == 400, body
        assert list(response_validator(path, "post", "400").iter_errors(response.json())) == []
    request = _request("flux-1-dev")
    request.params["colour"] = "red"  # a key the catalog would have refused
    with pytest.raises(ProviderError) as caught:
        _client(sandbox).submit(request)
    assert (caught.value.code, caught.value.permanent) == ("invalid_request", True)
    assert "colour" in caught.value.message


def test_deprecated_camel_case_aliases_are_still_accepted_and_counted(sandbox):
    response = httpx.post(
        f"{sandbox.url}/krea/generate/image/bfl/flux-1-dev",
        json={"prompt": "x", "imageUrl": "https://example.com/a.png"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 200
    assert sandbox.stats()["krea.deprecated_field"] == 1


def test_unknown_endpoint_and_unknown_job_are_404_not_found(sandbox):
    response = httpx.post(
        f"{sandbox.url}/krea/generate/image/acme/nothing",
        json={"prompt": "x"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 404 and "error" in response.json()
    spec = {**OFFERS["flux-1-dev"], "wire": {**OFFERS["flux-1-dev"]["wire"], "path": "/generate/image/acme/nothing"}}
    client = _client(sandbox)
    with pytest.raises(ProviderError) as caught:
        client.submit(SubmitRequest("nothing", "image", spec, {"prompt": "x"}, "gen_test"))
    assert (caught.value.code, caught.value.permanent) == ("not_found", True)
    with pytest.raises(ProviderError) as caught:
        client.status("4d0e5f97-9721-4422-b88c-73a9032d7de1", {})
    assert (caught.value.code, caught.value.permanent) == ("not_found", True)


# --- cancel, list ------------------------------------------------------------------------------------


def test_cancel_deletes_the_job_and_it_reads_cancelled(sandbox):
    client = _client(sandbox)
    job_id = client.submit(_request("veo-3", prompt="a long take [sandbox delay=30]"))
    assert client.status(job_id, {}).status == QUEUED
    assert client.cancel(job_id) is True
    assert client.status(job_id, {}).status == CANCELLED
    assert sandbox.stats()["krea.cancelled"] == 1
    with pytest.raises(ProviderError) as caught:
        client.cancel("4d0e5f97-9721-4422-b88c-73a9032d7de1")
    assert caught.value.code == "not_found"


def test_job_list_is_the_documented_page(sandbox):
    client = _client(sandbox)
    slow = client.submit(_request("flux-1-dev", prompt="slow [sandbox delay=30]"))
    fast = client.submit(_request("flux-1-dev", prompt="fast [sandbox delay=0.1]"))
    time.sleep(0.3)
    headers = {"Authorization": f"Bearer {KEY}"}
    page = httpx.get(f"{sandbox.url}/krea/jobs", headers=headers).json()
    assert list(response_validator("/jobs", "get").iter_errors(page)) == []
    assert [item["job_id"] for item in page["items"]] == [fast, slow], "newest first"
    done = httpx.get(f"{sandbox.url}/krea/jobs", params={"status": "completed"}, headers=headers).json()
    assert [item["job_id"] for item in done["items"]] == [fast]
    first = httpx.get(f"{sandbox.url}/krea/jobs", params={"limit": 1}, headers=headers).json()
    assert first["next_cursor"] == first["items"][0]["created_at"]
    assert httpx.get(f"{sandbox.url}/krea/jobs", params={"limit": 0}, headers=headers).status_code == 400


# --- webhook ---------------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    calls: list[tuple[str, dict[str, Any]]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.calls.append((self.path, json.loads(body)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.calls = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhook_header_is_sent_and_krea_posts_the_finished_job(sandbox, receiver):
    sent: list[httpx.Request] = []
    client = _client(sandbox)
    client.http.event_hooks["request"].append(sent.append)
    url = f"http://127.0.0.1:{receiver.server_port}/hooks/krea/tok123/"
    request = _request("flux-1-dev", prompt="a bell [sandbox delay=0.5]")
    job_id = client.submit(replace(request, webhook_url=url))

    assert sent[0].headers["X-Webhook-URL"] == url
    calls = wait_for(lambda: receiver.calls, timeout=10, message="Krea's callback")
    path, body = calls[0]
    assert path == "/hooks/krea/tok123/"
    assert body["job_id"] == job_id and body["status"] == "completed"
    assert list(response_validator("/jobs/{id}", "get").iter_errors(body)) == []
    assert body["result"]["urls"] == client.status(job_id, {}).outputs
    time.sleep(0.5)
    assert len(receiver.calls) == 1, "one callback per job"


def test_no_webhook_for_a_cancelled_job(sandbox, receiver):
    client = _client(sandbox)
    url = f"http://127.0.0.1:{receiver.server_port}/hooks/krea/tok456/"
    request = _request("flux-1-dev", prompt="stop [sandbox delay=0.6]")
    job_id = client.submit(replace(request, webhook_url=url))
    client.cancel(job_id)
    time.sleep(1.2)
    assert receiver.calls == []


# --- uploads -----------------------------------------------------------------------------------------


def _png(tmp_path: Path, name: str = "source.png") -> LocalMedia:
    path = tmp_path / name
    Image.new("RGB", (64, 48), "teal").save(path, "PNG")
    return LocalMedia(path=str(path), filename=name, content_type="image/png", kind="image", public_url="")


def test_upload_through_assets_and_the_job_reads_the_asset_url(sandbox, tmp_path):
    sent: list[httpx.Request] = []
    client = _client(sandbox)
    client.http.event_hooks["request"].append(sent.append)
    media = _png(tmp_path)
    offer = OFFERS["nano-banana"]
    request = SubmitRequest(
        model_id="nano-banana",
        category="image",
        spec=offer,
        params=_params(offer, prompt="restyle this"),
        reference="gen_test",
        uploads={"image_urls": [media]},
    )
    job_id = client.submit(request)

    upload, generate = sent
    assert (upload.method, upload.url.path) == ("POST", "/krea/assets")
    assert upload.headers["content-type"].startswith("multipart/form-data")
    body = json.loads(generate.content)
    assert list(request_validator(offer["wire"]["path"]).iter_errors(body)) == []
    (asset_url,) = body["image_urls"]
    assert httpx.get(asset_url, timeout=10).content == Path(media.path).read_bytes()
    assert sandbox.stats()["krea.assets"] == 1
    assert _until(client, job_id, {COMPLETED})[-1].outputs


def test_upload_answers_the_documented_asset_object(sandbox, tmp_path):
    media = _png(tmp_path)
    with Path(media.path).open("rb") as handle:
        response = httpx.post(
            f"{sandbox.url}/krea/assets",
            files={"file": ("source.png", handle, "image/png")},
            data={"description": "a teal square"},
            headers={"Authorization": f"Bearer {KEY}"},
        )
    asset = response.json()
    assert list(response_validator("/assets", "post").iter_errors(asset)) == []
    assert (asset["width"], asset["height"], asset["mime_type"]) == (64, 48, "image/png")
    assert asset["description"] == "a teal square"
    refused = httpx.post(
        f"{sandbox.url}/krea/assets",
        files={"file": ("notes.txt", b"hello", "text/plain")},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert refused.status_code == 400 and "error" in refused.json()


# --- deadlines ------------------------------------------------------------------------------------


def test_deadlines_follow_who_runs_the_model():
    assert deadline_seconds(OFFERS["flux-1-dev"]) == 10 * 60, "Krea's own model: about 3 minutes"
    assert deadline_seconds(OFFERS["z-image"]) == 10 * 60
    assert deadline_seconds(OFFERS["veo-3"]) == 2 * 3600, "external model: up to 2 hours"
    assert deadline_seconds(OFFERS["nano-banana"]) == 2 * 3600


# --- the whole pipeline ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_krea_generation_runs_through_the_pipeline(people, sandbox, celery_worker):
    from billing.models import LedgerEntry, Wallet
    from catalog.models import Offer
    from catalog.services import catalog_sync
    from generations.models import Generation, Status
    from generations.services.submission import generation_submit

    catalog_sync(providers=["krea"])
    offer = Offer.objects.get(provider__slug="krea", model_id="flux-1-dev")
    generation = generation_submit(
        team=people.team,
        user=people.owner,
        offer=offer,
        params={"prompt": "a paper boat on a pond", "width": 1024, "height": 768},
    )

    def finished():
        generation.refresh_from_db()
        return generation.status not in {Status.QUEUED, Status.RUNNING, Status.DOWNLOADING}

    wait_for(finished, timeout=60, interval=0.3, message="the Krea generation to finish")
    assert generation.status == Status.COMPLETED, generation.error_message
    assert generation.provider_job_id
    asset = generation.assets.get()
    assert (asset.kind, asset.content_type) == ("image", "image/png")
    kinds = list(LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", flat=True))
    assert kinds == ["hold", "capture"]
    assert generation.credits_charged == generation.credits_quoted == Decimal("3")
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("97"), Decimal("0"))
    assert Generation.objects.get(pk=generation.pk).result_urls[0].startswith(f"{sandbox.url}/files/")
