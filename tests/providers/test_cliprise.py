"""The Cliprise client against the sandbox over real sockets, and one generation through the pipeline.

Every quirk of the Business API (seeds/004) has a test here: the array-or-object
success body, errors inside HTTP 200, HTTP 300 while processing, 400 with
failMsg, a .zip of several images, Sora's quoted n_frames, quoted numbers,
root-only bodies, options as a string, the kling-2-5 alias, the Host gate and
the callback.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from PIL import Image

from generations.providers.base import COMPLETED, FAILED, RUNNING, LocalMedia, ProviderError, SubmitRequest
from generations.providers.cliprise import ClipriseClient, request_body
from sandbox import media
from tests.conftest import wait_for

DATA = Path(__file__).resolve().parents[2] / "catalog" / "data" / "cliprise.json"
OFFERS = {offer["id"]: offer for offer in json.loads(DATA.read_text())["offers"]}
HOOK = "http://127.0.0.1:9/hooks/cliprise/unused"  # nothing listens: delivery is best effort
DOCUMENTED_HOST = "business.api.cliprise.app"

Image.init()  # media.probe lists Pillow's formats from Image.OPEN, which is empty until plugins load


def submit_request(model: str, *, webhook: str | None = HOOK, uploads=None, **params) -> SubmitRequest:
    """A request as the pipeline makes it: checked parameters with the offer's defaults filled in."""
    defaults = {f["name"]: f["default"] for f in OFFERS[model]["fields"] if f.get("default") is not None}
    params = {**defaults, **params}
    return SubmitRequest(
        model_id=model,
        category=OFFERS[model]["category"],
        spec=OFFERS[model],
        params=params,
        reference="gen_test",
        webhook_url=webhook,
        uploads=uploads or {},
    )


@pytest.fixture
def client(sandbox) -> ClipriseClient:
    return ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="sandbox-key")


@pytest.fixture
def raw(sandbox) -> httpx.Client:
    """Plain HTTP to the sandbox's Cliprise, for checking the wire itself."""
    return httpx.Client(base_url=f"{sandbox.url}/cliprise/app/cliprise", timeout=10)


def generate(raw: httpx.Client, body: dict, key: str = "sandbox-key", **headers: str) -> httpx.Response:
    return raw.post("/generate", json=body, headers={"Authorization": f"Bearer {key}", **headers})


def final_state(client: ClipriseClient, job_id: str, model: str, timeout: float = 20.0):
    seen = []

    def done():
        state = client.status(job_id, OFFERS[model])
        seen.append(state.status)
        return state if state.status in {COMPLETED, FAILED} else None

    return wait_for(done, timeout=timeout, interval=0.2, message=f"{model} to finish"), seen


def download(url: str) -> bytes:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text[:200]
    return response.content


# --- the basic paths ----------------------------------------------------------------------


def test_image_job_runs_through_processing_to_a_real_png(client):
    job_id = client.submit(submit_request("z-image", prompt="a red fox in snow", aspect_ratio="16:9"))

    state, seen = final_state(client, job_id, "z-image")

    assert seen[0] == RUNNING, "HTTP 300 reads as still running"
    assert state.status == COMPLETED
    assert len(state.outputs) == 1
    info = media.probe(download(state.outputs[0]))
    assert info["kind"] == "image"
    assert info["width"] > info["height"], "16:9 was asked for"


def test_sora_duration_goes_as_quoted_n_frames_and_the_video_lasts_ten_seconds(client):
    request = submit_request("sora-2", prompt="a paper boat on a river", n_frames="250", aspect_ratio="16:9")
    body = request_body(request)
    assert body["input"]["n_frames"] == "250", "Sora takes n_frames (250 = 10 s), quoted"
    assert "duration" not in body["input"]

    state, _ = final_state(client, client.submit(request), "sora-2", timeout=40)

    info = media.probe(download(state.outputs[0]))
    assert info["kind"] == "video"
    assert 9.5 <= info["duration"] <= 10.5


def test_provider_failure_is_failed_with_the_fail_message(client):
    job_id = client.submit(submit_request("z-image", prompt="a lighthouse [sandbox fail=provider delay=0.3]"))

    state, _ = final_state(client, job_id, "z-image")

    assert state.status == FAILED
    assert state.error_code == "provider_failed"
    assert "could not generate this request" in state.error


def test_a_hanging_submit_raises_a_retryable_timeout(client):
    client.http.timeout = httpx.Timeout(1.0, connect=1.0)
    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request("z-image", prompt="slow [sandbox fail=timeout]"))
    assert caught.value.code == "timeout"
    assert not caught.value.permanent


def test_a_never_finishing_job_stays_running(client):
    job_id = client.submit(submit_request("z-image", prompt="forever [sandbox fail=never delay=0]"))
    for _ in range(4):
        assert client.status(job_id, OFFERS["z-image"]).status == RUNNING
        time.sleep(0.2)


def test_status_flaps_with_503_then_the_job_completes(client, sandbox):
    job_id = client.submit(submit_request("z-image", prompt="flaky [sandbox flaps=2 delay=0.2]"))
    time.sleep(0.3)
    for _ in range(2):
        with pytest.raises(ProviderError) as caught:
            client.status(job_id, OFFERS["z-image"])
        assert (caught.value.code, caught.value.permanent) == ("http_503", False)

    state = client.status(job_id, OFFERS["z-image"])

    assert state.status == COMPLETED
    assert sandbox.stats()["cliprise.status"] == 3


def test_a_5xx_on_submit_is_retryable(client):
    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request("z-image", prompt="boom [sandbox fail=5xx]"))
    assert caught.value.code == "http_500"
    assert not caught.value.permanent


def test_a_malformed_status_body_is_a_retryable_malformed_response(client):
    job_id = client.submit(submit_request("z-image", prompt="garbled [sandbox fail=malformed delay=0.2]"))
    time.sleep(0.4)
    with pytest.raises(ProviderError) as caught:
        client.status(job_id, OFFERS["z-image"])
    assert (caught.value.code, caught.value.permanent) == ("malformed_response", False)


def test_an_expired_result_url_answers_410(client):
    job_id = client.submit(submit_request("z-image", prompt="gone [sandbox fail=expired delay=0.2]"))
    state, _ = final_state(client, job_id, "z-image")
    assert state.status == COMPLETED
    assert httpx.get(state.outputs[0], timeout=10).status_code == 410


def test_cancel_is_not_offered(client):
    job_id = client.submit(submit_request("z-image", prompt="a cat"))
    assert client.cancel(job_id) is False


# --- auth ----------------------------------------------------------------------------------


def test_wrong_or_missing_api_key_is_400_invalid_api_key_and_auth_failed(sandbox, raw):
    wrong = ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="not-the-key")
    with pytest.raises(ProviderError) as caught:
        wrong.submit(submit_request("z-image", prompt="a cat"))
    assert (caught.value.code, caught.value.permanent) == ("auth_failed", True)

    body = {"model": "z-image", "callBackUrl": HOOK, "input": {"prompt": "a cat", "aspect_ratio": "1:1"}}
    missing = raw.post("/generate", json=body)
    assert (missing.status_code, missing.json()) == (400, {"msg": "invalid_api_key"})
    no_key = raw.get("/status", params={"taskId": "abc"})
    assert (no_key.status_code, no_key.json()) == (400, {"msg": "invalid_api_key"})

    right = ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="sandbox-key")
    job_id = right.submit(submit_request("z-image", prompt="a cat"))
    with pytest.raises(ProviderError) as caught:
        wrong.status(job_id, OFFERS["z-image"])
    assert caught.value.code == "auth_failed"


def test_status_takes_the_key_as_an_apikey_query_parameter_not_a_bearer_header(client, raw):
    job_id = client.submit(submit_request("z-image", prompt="a cat"))
    bearer_only = raw.get("/status", params={"taskId": job_id}, headers={"Authorization": "Bearer sandbox-key"})
    assert (bearer_only.status_code, bearer_only.json()) == (400, {"msg": "invalid_api_key"})
    by_query = raw.get("/status", params={"taskId": job_id, "apiKey": "sandbox-key"})
    assert by_query.status_code in {200, 300}


def test_an_unknown_task_is_invalid_taskid_and_not_found(client, raw):
    answer = raw.get("/status", params={"taskId": "f" * 32, "apiKey": "sandbox-key"})
    assert (answer.status_code, answer.json()) == (400, {"msg": "invalid_taskId"})
    with pytest.raises(ProviderError) as caught:
        client.status("f" * 32, OFFERS["z-image"])
    assert (caught.value.code, caught.value.permanent) == ("not_found", True)


# --- the Host gate -----------------------------------------------------------------------------


def test_the_host_gate_refuses_other_hosts_the_documented_way(raw, sandbox):
    body = {"model": "z-image", "callBackUrl": HOOK, "input": {"prompt": "a cat", "aspect_ratio": "1:1"}}

    for host in ("evil.example.com", "api.cliprise.app", "10.0.0.1", f"{DOCUMENTED_HOST}:8443"):
        refused = generate(raw, body, Host=host)
        assert (refused.status_code, refused.content) == (400, b""), host
        status = raw.get("/status", params={"taskId": "x", "apiKey": "sandbox-key"}, headers={"Host": host})
        assert (status.status_code, status.json()) == (400, {"msg": "method_not_allowed"})

    documented = generate(raw, body, Host=DOCUMENTED_HOST)
    assert documented.status_code == 200
    task_id = documented.json()[0]["taskId"]
    own = raw.get("/status", params={"taskId": task_id, "apiKey": "sandbox-key"})  # Host: 127.0.0.1:<port>
    assert own.status_code in {200, 300}
    assert sandbox.stats()["cliprise.host_refused"] == 8


def test_the_client_reads_the_host_refusal_as_a_permanent_configuration_error(sandbox):
    client = ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="sandbox-key")
    client.http.headers["Host"] = "cliprise.example.org"
    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request("z-image", prompt="a cat"))
    assert (caught.value.code, caught.value.permanent) == ("invalid_request", True)
    assert DOCUMENTED_HOST in caught.value.message


# --- the success body: array or object ----------------------------------------------------------


def test_success_is_an_array_for_input_models_and_a_bare_object_for_root_only_ones(client, raw):
    array = generate(raw, {"model": "z-image", "callBackUrl": HOOK, "input": {"prompt": "a", "aspect_ratio": "1:1"}})
    assert array.status_code == 200
    assert isinstance(array.json(), list) and array.json()[0]["code"] == 200

    bare = generate(raw, {"model": "flux-kontext-pro", "callBackUrl": HOOK, "prompt": "a"})
    assert isinstance(bare.json(), dict) and bare.json()["code"] == 200

    assert client.submit(submit_request("z-image", prompt="array body"))
    assert client.submit(submit_request("flux-kontext-pro", prompt="object body"))


# --- errors inside HTTP 200 ----------------------------------------------------------------------


def test_a_missing_field_is_code_400_inside_http_200_and_invalid_request(client, raw):
    answer = generate(raw, {"model": "z-image", "callBackUrl": HOOK, "input": {"aspect_ratio": "1:1"}})
    assert answer.status_code == 200
    assert answer.json() == {"code": 400, "msg": "This field is required", "data": None}

    request = submit_request("z-image", prompt="")
    with pytest.raises(ProviderError) as caught:
        client.submit(request)
    assert (caught.value.code, caught.value.permanent) == ("invalid_request", True)
    assert caught.value.message == "This field is required"


def test_insufficient_credits_come_inside_http_200_and_are_permanent(client, raw):
    body = {"model": "z-image", "callBackUrl": HOOK, "input": {"prompt": "x [sandbox fail=insufficient]"}}
    body["input"]["aspect_ratio"] = "1:1"
    answer = generate(raw, body)
    assert answer.status_code == 200
    assert answer.json()["code"] == 400
    assert answer.json()["msg"] == "insufficient_credits"
    assert answer.json()["action_url"].startswith("https://")

    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request("z-image", prompt="x [sandbox fail=insufficient]"))
    assert (caught.value.code, caught.value.permanent) == ("insufficient_provider_credits", True)


def test_an_unknown_or_base_family_model_is_invalid_model_id(client, raw):
    for model in ("no-such-model", "flux-kontext", "kling-2-1"):
        answer = generate(raw, {"model": model, "callBackUrl": HOOK, "prompt": "a"})
        assert (answer.status_code, answer.json()) == (400, {"msg": "invalid_model_id"}), model

    spec = dict(OFFERS["z-image"])
    request = SubmitRequest(model_id="z-image-9", category="image", spec=spec, params={"prompt": "a"}, reference="g")
    with pytest.raises(ProviderError) as caught:
        client.submit(request)
    assert (caught.value.code, caught.value.permanent) == ("invalid_request", True)


def test_callbackurl_is_required(client):
    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request("z-image", webhook=None, prompt="a cat"))
    assert caught.value.message == "This field is required"


# --- status answers -------------------------------------------------------------------------------


def test_status_is_http_300_while_processing_then_200_with_fileurl(client, raw):
    job_id = client.submit(submit_request("z-image", prompt="a slow cat [sandbox delay=1]"))
    params = {"taskId": job_id, "apiKey": "sandbox-key"}

    processing = raw.get("/status", params=params)
    assert (processing.status_code, processing.json()) == (300, {"status": "processing"})
    assert "location" not in processing.headers

    done = wait_for(lambda: (r := raw.get("/status", params=params)).status_code == 200 and r, timeout=10)
    assert done.json()["fileURL"].endswith(".png")


def test_a_failed_job_is_http_400_with_failmsg(client, raw):
    job_id = client.submit(submit_request("z-image", prompt="nope [sandbox fail=provider delay=0.1]"))
    time.sleep(0.3)
    answer = raw.get("/status", params={"taskId": job_id, "apiKey": "sandbox-key"})
    assert answer.status_code == 400
    assert answer.json()["status"] == "failed"
    assert answer.json()["failMsg"]


def test_download_true_answers_the_raw_file(client, raw):
    job_id = client.submit(submit_request("z-image", prompt="bytes please [sandbox delay=0.1]"))
    time.sleep(0.3)
    answer = raw.get("/status", params={"taskId": job_id, "apiKey": "sandbox-key", "download": "true"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"
    assert media.probe(answer.content)["kind"] == "image"


def test_fileurl_may_be_a_list():
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.params["apiKey"] == "k"
        return httpx.Response(
            200, json={"status": "success", "fileURL": ["https://cdn.example/a.png", "https://cdn.example/b.png"]}
        )

    client = ClipriseClient(base_url="https://business.api.cliprise.app", api_key="k")
    client.http = httpx.Client(base_url="https://business.api.cliprise.app", transport=httpx.MockTransport(answer))
    state = client.status("t1", OFFERS["z-image"])
    assert state.outputs == ["https://cdn.example/a.png", "https://cdn.example/b.png"]


# --- grok-imagine's zip ---------------------------------------------------------------------------


def test_grok_imagine_returns_a_zip_of_six_images_or_two_when_editing(client):
    text_job = client.submit(submit_request("grok-imagine", prompt="six foxes", aspect_ratio="16:9"))
    edit_job = client.submit(
        submit_request(
            "grok-imagine", prompt="two foxes", aspect_ratio="1:1", image_urls=["https://example.com/fox.png"]
        )
    )

    for job_id, count in ((text_job, 6), (edit_job, 2)):
        state, _ = final_state(client, job_id, "grok-imagine")
        assert state.status == COMPLETED
        assert len(state.outputs) == 1 and state.outputs[0].endswith(".zip"), "the zip URL is the output"
        with zipfile.ZipFile(io.BytesIO(download(state.outputs[0]))) as archive:
            names = archive.namelist()
            assert len(names) == count
            assert {media.probe(archive.read(name))["kind"] for name in names} == {"image"}


# --- request bodies -------------------------------------------------------------------------------


def test_quoted_numbers_and_integer_durations_follow_each_route(client, raw):
    kling = request_body(submit_request("kling-video-turbo", prompt="p", aspect_ratio="16:9", duration="10"))
    assert kling["input"]["duration"] == "10"
    wan = request_body(
        submit_request(
            "wan-2-5", prompt="p", image_url=["https://e.com/a.png"], aspect_ratio="16:9", resolution="720p", duration=5
        )
    )
    assert wan["input"]["duration"] == 5, "wan-2-5: 'duration accepts an integer (5 or 10), not a string'"
    assert client.submit(submit_request("kling-video-turbo", prompt="p", aspect_ratio="16:9", duration="10"))

    # Input Types (doc line 56) quotes n_frames, Sora's card says "Pass the frame count integer, not a
    # duration string" (line 635): both forms are the doc's, a duration string is neither.
    unquoted = {
        "model": "sora-2",
        "callBackUrl": HOOK,
        "input": {"prompt": "p", "n_frames": 250, "aspect_ratio": "16:9"},
    }
    assert generate(raw, unquoted).json()[0]["code"] == 200
    as_duration = {**unquoted, "input": {**unquoted["input"], "n_frames": "10s"}}
    answer = generate(raw, as_duration)
    assert answer.status_code == 200 and answer.json()["code"] == 400
    assert "whole number" in answer.json()["msg"]
    quoted_wan = {
        "model": "wan-2-5",
        "callBackUrl": HOOK,
        "input": {
            "prompt": "p",
            "image_url": "https://e.com/a.png",
            "aspect_ratio": "1:1",
            "resolution": "720p",
            "duration": "5",
        },
    }
    assert generate(raw, quoted_wan).json()["code"] == 400


def test_root_only_models_put_every_field_at_the_root(client):
    request = submit_request(
        "flux-kontext-pro", prompt="Cinematic aerial view", outputFormat="jpeg", aspectRatio="16:9",
        imageURLList=["https://example.com/ref.jpg"],
    )  # fmt: skip
    body = request_body(request)

    assert "input" not in body
    assert body["model"] == "flux-kontext-pro"
    assert body["prompt"] == "Cinematic aerial view"
    assert body["options"] == '{"model":0,"outputFormat":0,"aspectRatio":4}', "the doc's own example"
    assert body["imageURLList"] == '["https://example.com/ref.jpg"]'
    assert client.submit(request)

    veo = request_body(submit_request("veo-3-fast", prompt="waves", aspectRatio="16:9"))
    assert set(veo) >= {"model", "prompt", "options"} and "input" not in veo
    assert "generationType" not in veo and "imageUrls" not in veo, "the pipeline sets those"


def test_options_and_url_lists_travel_as_strings_holding_json(client, raw):
    request = submit_request(
        "seedance-v1-pro", prompt="Ocean waves", image_url=["https://example.com/ref.jpg"],
        aspect_ratio="16:9", resolution="720p", duration=5,
    )  # fmt: skip
    body = request_body(request)
    assert body["options"] == '{"aspectRatio":2,"duration":0,"resolution":1}', "the doc's Seedance example"
    assert body["imageURLList"] == '["https://example.com/ref.jpg"]'
    assert body["input"]["image_url"] == "https://example.com/ref.jpg"
    assert client.submit(request)

    as_object = {**body, "options": json.loads(body["options"])}
    answer = generate(raw, as_object)
    assert answer.status_code == 200 and answer.json()["code"] == 400
    assert "options must be a string containing JSON" in answer.json()["msg"]
    as_array = {**body, "imageURLList": ["https://example.com/ref.jpg"]}
    assert "imageURLList must be a string" in generate(raw, as_array).json()["msg"]


def test_arrays_versus_single_url_strings(client, raw):
    sora = request_body(
        submit_request("sora-2", prompt="p", n_frames="375", aspect_ratio="9:16", image_urls=["https://e.com/a.png"])
    )
    assert sora["input"]["image_urls"] == ["https://e.com/a.png"], "plural URL fields are arrays even for one file"
    hailuo = request_body(
        submit_request("hailuo", prompt="p", image_url=["https://e.com/a.png"], resolution="512P", duration="6")
    )
    assert hailuo["input"]["image_url"] == "https://e.com/a.png"
    assert hailuo["input"]["image_urls"] == "https://e.com/a.png", "hailuo's compatibility exception"

    wrong = {
        "model": "sora-2",
        "callBackUrl": HOOK,
        "input": {"prompt": "p", "n_frames": "250", "aspect_ratio": "9:16"},
    }
    wrong["input"]["image_urls"] = "https://e.com/a.png"
    assert "must be an array" in generate(raw, wrong).json()["msg"]


def test_the_kling_2_5_alias_sends_the_canonical_model(client, sandbox):
    request = submit_request("kling-2-5", prompt="a kite", aspect_ratio="16:9", duration="5")
    assert request_body(request)["model"] == "kling-video-turbo"
    assert client.submit(request)


def test_uploaded_files_go_as_their_public_urls(client):
    upload = LocalMedia(
        path="/tmp/x.png", filename="x.png", content_type="image/png", kind="image",
        public_url="https://studio.example/u/signed-x.png",
    )  # fmt: skip
    request = submit_request(
        "kling-2-1-pro", uploads={"image_url": [upload]}, prompt="p", aspect_ratio="1:1", duration="5"
    )
    body = request_body(request)
    assert body["model"] == "kling-2-1-pro"
    assert body["input"]["image_url"] == upload.public_url
    assert body["imageURLList"] == json.dumps([upload.public_url])
    assert client.submit(request)

    private = LocalMedia(path="/tmp/y.png", filename="y.png", content_type="image/png", kind="image")
    with pytest.raises(ProviderError) as caught:
        request_body(submit_request("kling-2-1-pro", uploads={"image_url": [private]}, prompt="p"))
    assert caught.value.permanent


def _sample(field: dict, wire: dict):
    kind, name = field["type"], field["name"]
    if kind == "media":
        extension = {"image": "png", "video": "mp4", "audio": "mp3"}[field["kinds"][0]]
        return [f"https://example.com/{name}.{extension}"]
    if kind == "enum":
        return field["default"] if field.get("default") is not None else field["choices"][-1]
    if kind == "text":
        return '[{"text": "Hi", "voice": "Rachel"}]' if name in wire.get("json_text_fields", []) else "a harbour"
    if kind == "string":
        return "en"
    if kind == "integer":
        return max(field.get("min", 5), 5)
    if kind == "number":
        return "5"  # the pipeline keeps Decimals as strings
    if kind == "boolean":
        return True
    if name == "kling_elements":
        return [{"name": "hero", "description": "d", "element_input_urls": ["https://example.com/e.png"]}]
    return [{"prompt": "shot one", "duration": 5}]


@pytest.mark.parametrize("model", sorted(OFFERS))
def test_every_offer_builds_a_body_the_sandbox_accepts(client, model):
    offer = OFFERS[model]
    required = {f["name"]: _sample(f, offer["wire"]) for f in offer["fields"] if f.get("required")}
    everything = {f["name"]: _sample(f, offer["wire"]) for f in offer["fields"]}
    for params in (required, everything):
        assert client.submit(
            submit_request(model, **{**params, **({"prompt": "[sandbox fail=never]"} if "prompt" in params else {})})
        )


# --- the callback -----------------------------------------------------------------------------------


def test_callbackurl_is_posted_when_the_job_finishes(client):
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hook = f"http://127.0.0.1:{server.server_port}/hooks/cliprise/token"
        job_id = client.submit(submit_request("z-image", webhook=hook, prompt="call me [sandbox delay=0.3]"))
        wait_for(lambda: received, timeout=10, message="the callback")
    finally:
        server.shutdown()
    assert received[0]["taskId"] == job_id
    assert received[0]["fileURL"] == client.status(job_id, OFFERS["z-image"]).outputs[0]


# --- the pipeline -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_grok_imagine_runs_through_the_pipeline_and_its_zip_becomes_six_assets(people, sandbox, celery_worker):
    from billing.models import Hold, HoldState, LedgerEntry
    from catalog.models import Offer
    from catalog.services import catalog_sync
    from generations.models import Generation, Status
    from generations.services.submission import generation_submit

    catalog_sync(providers=["cliprise"])
    offer = Offer.objects.get(provider__slug="cliprise", model_id="grok-imagine")
    generation = generation_submit(
        team=people.team, user=people.owner, offer=offer, params={"prompt": "six red kites", "aspect_ratio": "16:9"}
    )

    def finished():
        generation.refresh_from_db()
        return generation.status not in {Status.QUEUED, Status.RUNNING, Status.DOWNLOADING}

    wait_for(finished, timeout=60, interval=0.3, message="the Cliprise generation to finish")
    assert generation.status == Status.COMPLETED, generation.error_message
    assert generation.provider_job_id
    assert generation.result_urls[0].endswith(".zip")
    assets = list(generation.assets.order_by("index"))
    assert len(assets) == 6
    assert {(asset.kind, asset.content_type) for asset in assets} == {("image", "image/png")}
    assert all(asset.width > asset.height for asset in assets)
    hold = Hold.objects.get(generation=generation)
    assert hold.state == HoldState.CAPTURED
    assert hold.captured == generation.credits_quoted > Decimal("0")
    kinds = list(
        LedgerEntry.objects.filter(generation=Generation.objects.get(pk=generation.pk)).values_list("kind", flat=True)
    )
    assert sorted(kinds) == ["capture", "hold"]
