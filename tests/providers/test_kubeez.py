"""The Kubeez client against the Kubeez sandbox over a real socket, and one job through the pipeline.

Client tests run the sandbox in-process (wsgiref on a free port, in a thread), so a
test can set the sandbox's behaviour and look at what it received; the pipeline
test uses the sandbox process and the Celery worker from tests/conftest.py.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from wsgiref.simple_server import make_server

import av
import httpx
import pytest
from PIL import Image

from catalog.datafile import provider_file_load
from generations.providers.base import (
    COMPLETED,
    FAILED,
    QUEUED,
    RUNNING,
    JobState,
    LocalMedia,
    ProviderError,
    SubmitRequest,
)
from generations.providers.kubeez import KubeezClient
from sandbox import kubeez as kubeez_sandbox
from sandbox import media
from sandbox.__main__ import QuietHandler, ThreadingWSGIServer
from sandbox.app import SandboxApp
from tests.conftest import wait_for

DATA = provider_file_load("kubeez")
OFFERS = {offer["id"]: offer for offer in DATA["offers"]}
KEY = "sandbox-key"


class Server:
    def __init__(self) -> None:
        self.app = SandboxApp(api_key=KEY)
        self.httpd = make_server("127.0.0.1", 0, self.app, ThreadingWSGIServer, QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def store(self):
        return self.app.store

    def client(self, *, api_key: str = KEY, timeout: float = 10.0) -> KubeezClient:
        return KubeezClient(base_url=f"{self.url}/kubeez", api_key=api_key, timeout=timeout)

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.url}/kubeez{path}", timeout=10, **kwargs)


@pytest.fixture(scope="module")
def server_process() -> Iterator[Server]:
    server = Server()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def server(server_process: Server) -> Server:
    server_process.store.reset()
    server_process.store.behaviour.__init__(delay=0.8, media_scale=256)
    return server_process


def request_for(model: str, **params: Any) -> SubmitRequest:
    offer = OFFERS[model]
    return SubmitRequest(
        model_id=model,
        category=offer["category"],
        spec=offer,
        params=params,
        reference="gen_test",
        uploads=params.pop("_uploads", {}),
    )


def run(client: KubeezClient, job_id: str, *, timeout: float = 15.0) -> tuple[list[JobState], JobState]:
    """Poll every 50 ms until the job ends; the states seen on the way, and the last one."""
    seen: list[JobState] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.status(job_id, {})
        seen.append(state)
        if state.status not in {QUEUED, RUNNING}:
            return seen, state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout}s: {seen[-1]}")


def sent(server: Server, job_id: str) -> dict[str, Any]:
    """The generate_media body the sandbox received for a job."""
    return server.store.job("kubeez", job_id).extra["request"]


def png_file(path: Path, size: tuple[int, int] = (320, 180)) -> Path:
    Image.new("RGB", size, (200, 60, 40)).save(path, "PNG")
    return path


# --- success --------------------------------------------------------------------------


def test_text_to_image_goes_pending_queued_processing_completed_with_a_real_png(server):
    client = server.client()
    job_id = client.submit(
        request_for(
            "gpt-image-2",
            prompt="a red fox in snow",
            generation_type="text-to-image",
            aspect_ratio="16:9",
            resolution="2K",
            source_media_urls=[],
            seed="42",  # the studio stores numbers as strings
        )
    )
    body = sent(server, job_id)
    assert body == {
        "model": "gpt-image-2",
        "prompt": "a red fox in snow",
        "generation_type": "text-to-image",
        "aspect_ratio": "16:9",
        "resolution": "2K",
        "seed": 42,
    }, "numbers go as JSON numbers; an empty source_media_urls is omitted for text-to-image"

    seen, final = run(client, job_id)
    statuses = [state.status for state in seen]
    assert statuses[0] == QUEUED and RUNNING in statuses and statuses[-1] == COMPLETED
    progress = [state.progress for state in seen]
    assert progress == sorted(progress) and progress[-1] == 100
    assert final.error == "" and len(final.outputs) == 1

    download = httpx.get(final.outputs[0], timeout=10)
    assert download.status_code == 200 and download.headers["content-type"] == "image/png"
    info = media.probe(download.content)
    assert (info["kind"], info["width"], info["height"]) == ("image", 2048, 1152), "2K at 16:9"


def test_the_submit_answer_and_the_raw_status_are_kubeez_shaped(server):
    answer = server.raw(
        "POST",
        "/v1/generate/media",
        # 4 s, so each phase lasts long enough to be read on a loaded machine (queued is 0.2-0.6 s)
        json={"model": "gpt-image-2", "prompt": "a kettle [sandbox delay=4]", "aspect_ratio": "4:3"},
        headers={"Authorization": f"Bearer {KEY}"},
    ).json()
    assert answer["status"] == "pending"
    assert answer["estimated_cost_credits"] == 11, "GPT Image 2 1K: 11 credits"
    assert isinstance(answer["estimated_time_seconds"], int)
    raw_statuses = []
    while not raw_statuses or raw_statuses[-1]["status"] not in {"completed", "failed"}:
        raw_statuses.append(
            server.raw("GET", f"/v1/generations/{answer['generation_id']}", headers={"Authorization": f"Bearer {KEY}"})
            .raise_for_status()
            .json()
        )
        time.sleep(0.05)
    assert {"queued", "processing", "completed"} <= {s["status"] for s in raw_statuses}
    output = raw_statuses[-1]["outputs"][0]
    assert set(output) >= {"url", "thumbnail_url", "optimized_url", "media_type", "dimensions"}
    assert output["media_type"] == "image" and output["dimensions"] == {"width": 1024, "height": 768}


def test_seedance_video_is_a_real_mp4_of_the_asked_length_with_audio(server):
    client = server.client()
    job_id = client.submit(
        request_for("seedance-2-fast-480p", prompt="waves on a pier", generation_type="text-to-video", duration=4)
    )
    _, final = run(client, job_id)
    assert final.status == COMPLETED
    data = httpx.get(final.outputs[0], timeout=10).content
    info = media.probe(data)
    assert info["kind"] == "video" and info["content_type"] == "video/mp4"
    assert 3.8 <= info["duration"] <= 4.2
    with av.open(io.BytesIO(data)) as container:
        assert container.streams.audio, "generate_audio defaults to true"


# --- provider-side failure, timeout, never, flaps, 5xx, malformed, expired, insufficient ---------------


def test_a_provider_failure_ends_failed_with_kubeez_message(server):
    client = server.client()
    job_id = client.submit(request_for("gpt-image-2", prompt="a lighthouse [sandbox fail=provider]"))
    _, final = run(client, job_id)
    assert final.status == FAILED
    assert final.error_code == "provider_failed"
    assert "could not generate this request" in final.error
    assert final.outputs == []


def test_a_submit_that_hangs_raises_a_retryable_timeout(server):
    client = server.client(timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        client.submit(request_for("gpt-image-2", prompt="slow [sandbox fail=timeout]"))
    assert time.monotonic() - started < 5
    assert info.value.code == "timeout" and info.value.permanent is False


def test_a_never_finishing_job_stays_running(server):
    client = server.client()
    job_id = client.submit(request_for("gpt-image-2", prompt="forever [sandbox fail=never delay=0.2]"))
    time.sleep(0.6)
    for _ in range(3):
        state = client.status(job_id, {})
        assert state.status == RUNNING and state.progress == 50 and state.outputs == []


def test_status_reads_that_flap_with_503_are_retryable_then_the_job_completes(server):
    client = server.client()
    job_id = client.submit(request_for("gpt-image-2", prompt="a bridge [sandbox flaps=2]"))
    for _ in range(2):
        with pytest.raises(ProviderError) as info:
            client.status(job_id, {})
        assert info.value.code == "http_503" and info.value.permanent is False
    _, final = run(client, job_id)
    assert final.status == COMPLETED and final.outputs
    assert server.store.counters["kubeez.flap"] == 2


def test_a_5xx_on_submit_is_retryable(server):
    with pytest.raises(ProviderError) as info:
        server.client().submit(request_for("gpt-image-2", prompt="x [sandbox fail=5xx]"))
    assert info.value.code == "http_500" and info.value.permanent is False
    assert server.store.counters["kubeez.accepted"] == 0, "no job was created"


def test_a_malformed_status_body_is_a_retryable_malformed_response(server):
    client = server.client()
    job_id = client.submit(request_for("gpt-image-2", prompt="x [sandbox fail=malformed delay=0.1]"))
    time.sleep(0.3)
    with pytest.raises(ProviderError) as info:
        client.status(job_id, {})
    assert info.value.code == "malformed_response" and info.value.permanent is False


def test_an_expired_result_url_answers_410(server):
    client = server.client()
    job_id = client.submit(request_for("gpt-image-2", prompt="x [sandbox fail=expired]"))
    _, final = run(client, job_id)
    assert final.status == COMPLETED
    assert httpx.get(final.outputs[0], timeout=10).status_code == 410


def test_insufficient_kubeez_credits_is_permanent(server, monkeypatch):
    client = server.client()
    with pytest.raises(ProviderError) as info:
        client.submit(request_for("gpt-image-2", prompt="x [sandbox fail=insufficient]"))
    assert info.value.code == "insufficient_provider_credits" and info.value.permanent is True

    monkeypatch.setattr(kubeez_sandbox, "START_BALANCE", Decimal("10"))  # the real check: 11 > 10
    with pytest.raises(ProviderError) as info:
        client.submit(request_for("gpt-image-2", prompt="a cup"))
    assert info.value.code == "insufficient_provider_credits"
    assert "11" in info.value.message


def test_a_rate_limit_is_retryable_and_keeps_retry_after():
    # The sandbox has no rate limit to trip (the docs give none), so this one answer is canned.
    client = KubeezClient(base_url="http://kubeez.invalid", api_key=KEY)
    client.http = httpx.Client(
        base_url="http://kubeez.invalid",
        transport=httpx.MockTransport(
            lambda request: httpx.Response(
                429, json={"error": "rate_limited", "message": "Too many requests"}, headers={"Retry-After": "7"}
            )
        ),
    )
    with pytest.raises(ProviderError) as info:
        client.status("abc", {})
    assert (info.value.code, info.value.permanent, info.value.retry_after) == ("rate_limited", False, 7.0)


# --- auth, cancel, not found ----------------------------------------------------------------


def test_a_wrong_or_missing_key_gets_401_and_auth_failed(server):
    with pytest.raises(ProviderError) as info:
        server.client(api_key="wrong").submit(request_for("gpt-image-2", prompt="x"))
    assert info.value.code == "auth_failed" and info.value.permanent is True
    missing = server.raw("GET", "/v1/balance")
    assert missing.status_code == 401 and missing.json()["error"] == "unauthorized"
    wrong = server.raw("GET", "/v1/models", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_cancel_is_not_offered(server):
    client = server.client()
    job_id = client.submit(request_for("gpt-image-2", prompt="x"))
    assert client.cancel(job_id) is False
    assert client.status(job_id, {}).status in {QUEUED, RUNNING}


def test_an_unknown_generation_is_not_found(server):
    with pytest.raises(ProviderError) as info:
        server.client().status("no-such-id", {})
    assert info.value.code == "not_found" and info.value.permanent is True


# --- Kubeez's request rules --------------------------------------------------------------------


def test_a_family_label_is_a_permanent_variant_required_with_the_variants(server):
    with pytest.raises(ProviderError) as info:
        server.client().submit(
            SubmitRequest(model_id="seedance-2-fast", category="video", spec={}, params={"prompt": "x"}, reference="r")
        )
    error = info.value
    assert (error.code, error.permanent) == ("variant_required", True)
    variants = ["seedance-2-fast-480p", "seedance-2-fast-720p", "seedance-2-fast-480p-video-ref",
                "seedance-2-fast-720p-video-ref"]  # fmt: skip
    assert error.details["available_variants"] == variants, "the doc's example, exactly"
    assert all(variant in error.message for variant in variants)
    assert error.details["family"] == "seedance-2-fast" and error.details["hint"]
    assert server.client().balance()["credits"] == kubeez_sandbox.START_BALANCE, "no credits are deducted"


def test_gemini_omni_label_lists_its_fifteen_variants(server):
    response = server.raw(
        "POST",
        "/v1/generate/media",
        json={"model": "gemini-omni-video", "prompt": "x"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "variant_required" and len(response.json()["available_variants"]) == 15


def test_a_video_on_a_gemini_omni_duration_variant_is_variant_mismatch(server):
    with pytest.raises(ProviderError) as info:
        server.client().submit(
            request_for(
                "gemini-omni-video-720p-6s",
                prompt="a barista",
                aspect_ratio="9:16",
                source_media_urls=["https://example.com/cafe.jpg", "https://example.com/take.mp4"],
            )
        )
    assert (info.value.code, info.value.permanent) == ("variant_mismatch", True)
    assert info.value.details["use_variant"] == "gemini-omni-video-720p-video-ref"


@pytest.mark.parametrize("aspect_ratio", ["1:1", "auto"])
@pytest.mark.parametrize("resolution", ["2K", "4K"])
def test_gpt_image_2_high_res_needs_a_directional_aspect_and_holds_nothing(server, aspect_ratio, resolution):
    client = server.client()
    with pytest.raises(ProviderError) as info:
        client.submit(request_for("gpt-image-2", prompt="x", resolution=resolution, aspect_ratio=aspect_ratio))
    assert (info.value.code, info.value.permanent) == ("aspect_ratio_incompatible_with_high_res", True)
    assert info.value.details["allowed"] == ["9:16", "16:9", "4:3", "3:4"]
    assert client.balance()["credits"] == kubeez_sandbox.START_BALANCE
    assert client.generations() == []


def test_wire_hints_single_url_fields_and_not_sent(server):
    client = server.client()
    wan = client.submit(
        request_for(
            "wan-2-7-720p",
            prompt="a door opens",
            generation_type="image-to-video",
            duration=5,
            source_media_urls=["https://example.com/first.png"],
            last_frame_url=["https://example.com/last.png"],
        )
    )
    assert sent(server, wan)["last_frame_url"] == "https://example.com/last.png", "one URL, not a list"
    ref = client.submit(
        request_for(
            "seedance-2-fast-480p-video-ref",
            prompt="dance like this",
            duration=4,
            ref_video_seconds="15",
            source_media_urls=["https://example.com/moves.mp4"],
        )
    )
    assert "ref_video_seconds" not in sent(server, ref), "a studio-side quantity stays home"
    assert server.store.job("kubeez", ref).extra["cost"] == Decimal("228"), "(15 + 4) s × 12 credits/s"


def test_an_unknown_field_is_refused_by_the_sandbox(server):
    response = server.raw(
        "POST",
        "/v1/generate/media",
        json={"model": "gpt-image-2", "prompt": "x", "negative_prompt": "ignored", "colour": "red"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 400 and "colour" in response.json()["message"]


# --- uploads ----------------------------------------------------------------------------------


def test_an_uploaded_png_drives_an_image_to_video_job(server, tmp_path):
    client = server.client()
    frame = png_file(tmp_path / "frame.png")
    upload = LocalMedia(
        path=str(frame),
        filename="frame.png",
        content_type="image/png",
        kind="image",
        public_url="https://studio.example/u/frame.png",
    )
    job_id = client.submit(
        request_for(
            "kling-3-0-std",
            prompt="the frame comes alive",
            generation_type="image-to-video",
            duration=3,
            sound=True,
            source_media_urls=["https://studio.example/u/frame.png"],
            _uploads={"source_media_urls": [upload]},
        )
    )
    urls = sent(server, job_id)["source_media_urls"]
    assert len(urls) == 1 and urls[0].startswith(f"{server.url}/files/") and urls[0].endswith(".png")
    assert httpx.get(urls[0], timeout=10).content == frame.read_bytes(), "Kubeez holds the very bytes"
    assert server.store.job("kubeez", job_id).extra["cost"] == Decimal("69"), "3 s × 23 credits/s (with audio)"

    _, final = run(client, job_id)
    assert final.status == COMPLETED
    video = media.probe(httpx.get(final.outputs[0], timeout=10).content)
    assert video["kind"] == "video" and 2.8 <= video["duration"] <= 3.2

    listed = client.generations(model="kling-3-0-std")
    assert [item["generation_id"] for item in listed] == [job_id]
    assert listed[0]["source_media_urls"] == urls and listed[0]["generation_type"] == "image-to-video"


def test_an_upload_that_is_not_media_is_refused(server, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture at all, only text")
    with pytest.raises(ProviderError) as info:
        server.client().upload([LocalMedia(str(fake), "notes.png", "image/png", "image")])
    assert (info.value.code, info.value.permanent) == ("unsupported_media_type", True)
    assert "notes.png" in info.value.message


def test_an_upload_to_the_sandbox_process_then_generate(sandbox, tmp_path):
    """The same path against ``python -m sandbox``, a fresh process (Pillow's plugins not yet loaded)."""
    client = KubeezClient(base_url=f"{sandbox.url}/kubeez", api_key=KEY, timeout=10)
    frame = png_file(tmp_path / "first.png", (240, 320))
    (url,) = client.upload([LocalMedia(str(frame), "first.png", "image/png", "image")])
    job_id = client.submit(
        request_for(
            "grok-imagine-video-1-5-preview-480p",
            prompt="a slow pan",
            generation_type="image-to-video",
            duration=2,
            source_media_urls=[url],
        )
    )
    _, final = run(client, job_id)
    video = media.probe(httpx.get(final.outputs[0], timeout=10).content)
    assert video["kind"] == "video" and video["width"] < video["height"], "aspect auto follows the 3:4 image"


def test_several_files_upload_in_order(server, tmp_path):
    files = [
        LocalMedia(str(png_file(tmp_path / f"{i}.png", (64 + i * 2, 64))), f"{i}.png", "image/png", "image")
        for i in range(3)
    ]
    urls = server.client().upload(files)
    sizes = [Image.open(io.BytesIO(httpx.get(url, timeout=10).content)).size for url in urls]
    assert sizes == [(64, 64), (66, 64), (68, 64)]


# --- account tools: models, balance, generations, estimate -----------------------------------------


def test_get_models_lists_every_offer_with_the_documented_fields(server):
    models = server.client().models()
    assert {m["model_id"] for m in models} == set(OFFERS)
    keys = {"model_id", "display_name", "provider", "model_type", "cost_per_generation", "estimated_time_seconds",
            "generation_types", "requires_input_media", "input_media_types", "capabilities"}  # fmt: skip
    assert all(keys <= set(m) for m in models)
    by_id = {m["model_id"]: m for m in models}
    assert by_id["gpt-image-2"]["cost_per_generation"] == 11
    assert by_id["gemini-omni-video-4k-10s"]["cost_per_generation"] == 320
    assert by_id["kling-3-0-pro"]["cost_per_generation"] is None and by_id["kling-3-0-pro"]["cost_per_second"] == 21
    assert by_id["nano-banana"]["cost_per_generation"] is None, "no price in the docs"
    assert by_id["kling-2-6-image-to-video"]["requires_input_media"] is True
    assert by_id["kling-2-6-image-to-video"]["input_media_types"] == ["image"]
    assert by_id["veo3-1"]["capabilities"]["video_audio"] == "included"
    assert by_id["kling-3-0-std"]["capabilities"]["video_audio"] == "toggle_via_sound_param"
    assert by_id["v1-pro-fast-i2v"]["capabilities"]["video_audio"] == "silent"
    videos = server.client().models("video")
    assert videos and all(m["model_type"] == "video" for m in videos)


def test_balance_holds_live_jobs_and_gives_back_failed_ones(server):
    client = server.client()
    start = client.balance()["credits"]
    good = client.submit(request_for("gpt-image-2", prompt="a pear", aspect_ratio="16:9", resolution="4K"))
    bad = client.submit(request_for("gpt-image-2", prompt="a plum [sandbox fail=provider]"))
    assert client.balance()["credits"] == start - 21 - 11
    run(client, good)
    run(client, bad)
    balance = client.balance()
    assert balance["credits"] == start - 21 and balance["last_updated"]


def test_get_generations_returns_the_latest_20_with_filters(server):
    client = server.client()
    ids = [client.submit(request_for("gpt-image-2", prompt=f"still life {i}")) for i in range(21)]
    failed = client.submit(request_for("imagen-4", prompt="x [sandbox fail=provider delay=0.05]"))
    time.sleep(0.2)
    latest = client.generations()
    assert len(latest) == 20
    assert latest[0]["generation_id"] == failed and ids[0] not in {g["generation_id"] for g in latest}
    assert [g["generation_id"] for g in client.generations(status="failed")] == [failed]
    assert len(client.generations(model="gpt-image-2")) == 20
    assert [g["generation_id"] for g in client.generations(model="imagen-4", generation_type="text-to-image")] == [
        failed
    ]


def test_get_generation_estimate(server):
    client = server.client()
    estimate = client.estimate(model="gpt-image-2", prompt="a lamp [sandbox delay=12]")
    assert estimate["estimated_time_seconds"] == 12 and estimate["model"] == "gpt-image-2"
    with pytest.raises(ProviderError) as info:
        client.estimate(model="p-video")
    assert info.value.code == "variant_required"


# --- trim_video ------------------------------------------------------------------------------------


def test_trim_video_cuts_an_uploaded_clip(server, tmp_path):
    client = server.client()
    clip = tmp_path / "take.mp4"
    clip.write_bytes(media.render_video("long take", 4.0, 160, 90))
    (source,) = client.upload([LocalMedia(str(clip), "take.mp4", "video/mp4", "video")])
    trimmed = client.trim_video(source_url=source, start_s=1, end_s=3)
    assert set(trimmed) >= {"url", "size_bytes", "duration_s", "start_s", "end_s", "elapsed_s"}
    info = media.probe(httpx.get(trimmed["url"], timeout=10).content)
    assert info["kind"] == "video" and 1.8 <= info["duration"] <= 2.2


@pytest.mark.parametrize(
    ("source_url", "end_s", "code"),
    [
        ("file:///etc/passwd", 5, "unsafe_source_url"),
        ("http://127.0.0.1:9/clip.mp4", 5, "unsafe_source_url"),
        ("http://169.254.169.254/latest/meta-data", 5, "unsafe_source_url"),
        ("http://10.0.0.8/clip.mp4", 5, "unsafe_source_url"),
        ("http://user:secret@example.com/clip.mp4", 5, "unsafe_source_url"),
        ("http://2130706433/clip.mp4", 5, "unsafe_source_url"),
        ("", 5, "missing_source_url"),
        ("https://media.example/clip.mp4", 0, "invalid_trim_range"),
        ("https://media.example/clip.mp4", 61, "trim_too_long"),
    ],
)
def test_trim_video_refuses_with_the_documented_codes(server, source_url, end_s, code):
    with pytest.raises(ProviderError) as info:
        server.client().trim_video(source_url=source_url, end_s=end_s)
    assert (info.value.code, info.value.permanent) == (code, True)


# --- the pipeline -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_kubeez_generation_runs_through_the_worker_and_is_charged(people, sandbox, celery_worker):
    from billing.models import LedgerEntry, Wallet
    from catalog.models import Offer
    from catalog.services import catalog_sync
    from generations.models import Generation, Status
    from generations.services.submission import generation_submit

    catalog_sync(providers=["kubeez"])
    offer = Offer.objects.get(provider__slug="kubeez", model_id="gpt-image-2")
    generation = generation_submit(
        team=people.team,
        user=people.owner,
        offer=offer,
        params={"prompt": "a paper boat on a pond", "aspect_ratio": "16:9", "resolution": "2K"},
    )
    assert generation.credits_quoted == Decimal("15")

    def finished():
        row = Generation.objects.get(pk=generation.pk)
        return row if row.status in {Status.COMPLETED, Status.FAILED, Status.CANCELLED} else None

    generation = wait_for(finished, timeout=60, interval=0.3, message="the Kubeez job to finish")
    assert generation.status == Status.COMPLETED, (generation.error_code, generation.error_message)
    assert generation.provider_job_id and generation.result_urls[0].startswith(sandbox.url)
    asset = generation.assets.get()
    assert (asset.kind, asset.content_type, asset.width, asset.height) == ("image", "image/png", 2048, 1152)
    with asset.file.open("rb") as handle:
        assert Image.open(handle).size == (2048, 1152)
    kinds = list(LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", flat=True))
    assert kinds == ["hold", "capture"]
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("85"), Decimal("0"))
    assert generation.credits_charged == Decimal("15")
