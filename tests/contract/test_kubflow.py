"""Kubflow's docs page (000) as a contract between the studio and the sandbox.

Every case is taken from a line of ``sandbox/docs/000_e61acbf41d7f583a.txt`` and cites it. The studio side is
the studio's own code: ``catalog.services.price_quote`` on the synced catalog, and the real
``generations.providers.kubflow.KubflowClient`` over HTTP. The other side is the sandbox, which knows Kubflow
only from its own reading (``sandbox/readings/kubflow.py``), running in-process on a real socket behind a
recorder that keeps every request exactly as it arrived.

- Prices (lines 5-80): every model of the price list is quoted by the studio at its documented figure (a range
  at its documented top, "est." as an estimate holding the top); image and video models are then sent through
  the client and the sandbox must accept them and charge a figure the doc allows, no more than the studio
  holds; the others are refused as line 110 says ("Direct API generation currently accepts image and video").
- Requests and responses (lines 113-150): each example request, quoted and sent by the studio, arrives as the
  doc writes it, field by field; the status example's fields are what the sandbox answers and the client reads.
- Auth and endpoints (lines 91-104), errors (lines 202-210): each row produced by the sandbox and mapped by the
  client as the fix column says (retry only a 5xx).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any
from wsgiref.simple_server import make_server

import httpx
import pytest

from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.services import catalog_sync, price_quote
from generations.providers.base import COMPLETED, QUEUED, RUNNING, JobState, ProviderError, SubmitRequest
from generations.providers.kubflow import KubflowClient
from sandbox import media
from sandbox.__main__ import QuietHandler, ThreadingWSGIServer
from sandbox.app import SandboxApp
from tests.contract.doc import KUBFLOW, DocLine, cite, line, lines

pytestmark = pytest.mark.django_db

KEY = "kf_live_contract_key"
DOC_KEY = "kf_live_YOUR_KEY"
IMG = "https://example.com/product.png"  # the doc's own example URL (line 138)
AUD = "https://example.com/voice.mp3"
CLIP = "{sandbox clip}"  # replaced by a 7.5 s MP4 the sandbox serves, so it can measure it (billed as 8 s)
CLIP_SECONDS = 7.5
PROMPT = "A clean studio product photo of an orange running shoe"  # line 118


# --- the sandbox on a socket, with a recorder ------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Recorder:
    """WSGI middleware keeping each request as it arrived (headers lower-cased, the body's bytes)."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.seen: list[Received] = []

    def __call__(self, environ: dict[str, Any], start_response):
        import io

        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        self.seen.append(Received(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), headers, body))
        return self.app(environ, start_response)


@dataclass
class Server:
    app: SandboxApp
    recorder: Recorder
    url: str
    clip_url: str = ""

    def client(self, *, api_key: str = KEY) -> KubflowClient:
        return KubflowClient(base_url=f"{self.url}/kubflow", api_key=api_key)

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.url}/kubflow{path}", timeout=10, **kwargs)

    def charged(self, job_id: str) -> Decimal:
        """What the sandbox's Kubflow account was charged for the job (its /_sandbox/stats, over HTTP)."""
        stats = httpx.get(f"{self.url}/_sandbox/stats", timeout=10).raise_for_status().json()
        return Decimal(stats[f"kubflow.charged_millicredits:{job_id}"]) / 1000

    def last_post(self) -> Received:
        return next(r for r in reversed(self.recorder.seen) if r.method == "POST" and r.path.endswith("/generations"))


@pytest.fixture(scope="module")
def server_process() -> Iterator[Server]:
    app = SandboxApp(api_key=KEY)
    recorder = Recorder(app)
    httpd = make_server("127.0.0.1", 0, recorder, ThreadingWSGIServer, QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(app, recorder, f"http://127.0.0.1:{httpd.server_port}")
    httpd.shutdown()
    httpd.server_close()


@cache
def _clip() -> bytes:
    return media.render_video("reference clip", CLIP_SECONDS, 64, 36)


@pytest.fixture
def server(server_process: Server) -> Server:
    server_process.app.store.reset()
    server_process.app.store.behaviour.__init__(delay=0.4, media_scale=128)
    server_process.recorder.seen.clear()
    token = server_process.app.store.add_file("video/mp4", _clip(), "mp4")
    server_process.clip_url = f"{server_process.url}/files/{token}"
    return server_process


@pytest.fixture(scope="module")
def offers(django_db_setup, django_db_blocker) -> Iterator[dict[str, Offer]]:
    """Kubflow's catalog as the studio syncs it, once for the module (a sync per case would take a minute);
    removed again afterwards unless it was there before."""
    from catalog.models import ModelFamily, Provider

    with django_db_blocker.unblock():
        existed = Provider.objects.filter(slug="kubflow").exists()
        catalog_sync(providers=["kubflow"])
        yield {o.model_id: o for o in Offer.objects.filter(provider__slug="kubflow").select_related("provider")}
        if not existed:
            Offer.objects.filter(provider__slug="kubflow").delete()
            Provider.objects.filter(slug="kubflow").delete()
            ModelFamily.objects.filter(offers__isnull=True).delete()


def _with_clip(value: Any, clip_url: str) -> Any:
    if value == CLIP:
        return clip_url
    if isinstance(value, list):
        return [_with_clip(v, clip_url) for v in value]
    return value


def submit(server: Server, offer: Offer, params: dict[str, Any], *, client: KubflowClient | None = None) -> str:
    """The studio's way: quote (check) the parameters, then hand the checked ones to its Kubflow client."""
    quote = price_quote(offer=offer, params=params)
    request = SubmitRequest(
        model_id=offer.model_id,
        category=offer.category,
        spec=offer.spec,
        params=quote.params,
        reference=f"contract-{offer.model_id}",
    )
    return (client or server.client()).submit(request)


def finish(client: KubflowClient, job_id: str, *, timeout: float = 20) -> JobState:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.status(job_id, {})
        if state.status not in {QUEUED, RUNNING}:
            return state
        time.sleep(0.1)
    raise AssertionError(f"{job_id} did not finish in {timeout} s")


# --- prices (lines 5-80) ------------------------------------------------------------------------------------

_FIGURE = r"(\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class PriceCase:
    """One row of the price list: the cell as the doc writes it, a request, and the seconds it bills."""

    model: str
    cell: str  # the price cell, copied from the doc line
    params: dict[str, Any]
    seconds: int | None = None  # for "credits/s" and "credits/min": the billed length
    rate: str | None = None  # for a tiered cell: the tier's own figure, as written
    studio_seconds: int | None = None  # where the studio bills other seconds than the sandbox (DECIDED)

    @property
    def doc(self) -> DocLine:
        return cite(KUBFLOW, f" {self.model} | {self.cell} |")

    def figures(self) -> tuple[Decimal, Decimal]:
        """The cell's bottom and top, per request or per unit."""
        if self.rate:
            return Decimal(self.rate), Decimal(self.rate)
        match = re.fullmatch(rf"~?{_FIGURE}(?:-{_FIGURE})? credits(?:/s|/min)?(?: est\.)?", self.cell)
        assert match, f"{self.cell!r} is not a price cell this test reads"
        low, high = match.groups()
        return Decimal(low), Decimal(high or low)

    def __str__(self) -> str:
        return self.model + (f" ({self.rate})" if self.rate else "") + (" +ref" if self.studio_seconds else "")


P = {"prompt": PROMPT}
CASES = [
    # image (lines 5-24)
    PriceCase("flux-2-flex", "14 credits", P),
    PriceCase("flux-2-pro", "5 credits", P),
    PriceCase("gpt-image-1.5", "4 credits", P),
    PriceCase("gpt-image-2", "12 credits", {**P, "aspect_ratio": "1:1", "resolution": "1K"}),
    PriceCase("gpt-4o-image", "6 credits", P),
    PriceCase("grok-imagine-text-to-image", "4 credits", P),
    PriceCase("image-passthrough", "0 credits", {"image_url": IMG}),
    PriceCase("nano-banana", "4 credits", {**P, "image_url": IMG}),
    PriceCase("nano-banana-2", "8-18 credits", {**P, "resolution": "1K"}),
    PriceCase("nano-banana-pro", "18-24 credits", {**P, "resolution": "2K"}),
    PriceCase("recraft-remove-background", "1 credits", {"image_url": IMG}),
    PriceCase("bytedance-seedream-v4", "7 credits", {**P, "resolution": "4K"}),
    PriceCase("seedream-4.5-text-to-image", "6.5 credits", P),
    PriceCase("seedream-4.5-edit", "6.5 credits", {**P, "image_url": IMG}),
    PriceCase("seedream-5-lite", "5.5 credits", P),
    PriceCase("topaz-image-upscale", "10-40 credits", {"image_url": IMG, "upscale_factor": "2"}),
    PriceCase("z-image", "0.8 credits", P),
    # video (lines 25-42)
    PriceCase("add-audio", "2 credits", {"video_url": CLIP, "audio_url": AUD}),
    PriceCase("add-subtitles", "2 credits", {"video_url": CLIP}),
    PriceCase("veo3", "30-370 credits", {**P, "model": "veo3_lite", "resolution": "720p"}),
    PriceCase("grok-imagine-image-to-video", "10-30 credits", {**P, "image_url": IMG, "duration": 6}),
    PriceCase("grok-imagine-text-to-video", "10-30 credits", {**P, "duration": 10, "resolution": "720p"}),
    PriceCase("video-passthrough", "0 credits", {"video_url": CLIP}),
    PriceCase("kling-2.6", "55-220 credits", {**P, "duration": 5, "sound": False}),
    PriceCase(
        "kling-2.6/motion-control",
        "6-9 credits/s",
        {"image_url": IMG, "video_url": CLIP, "ref_video_seconds": CLIP_SECONDS},
        seconds=8,
    ),
    PriceCase("kling-3.0", "14-27 credits/s", {**P, "duration": 5, "mode": "pro", "sound": False}, seconds=5),
    PriceCase("kling-3.0-elements", "14-27 credits/s", {**P, "duration": 8, "mode": "std"}, seconds=8),
    PriceCase(
        "kling-3.0/motion-control",
        "20-27 credits/s",
        {"image_url": IMG, "video_url": CLIP, "ref_video_seconds": CLIP_SECONDS, "resolution": "1080p"},
        seconds=8,
    ),
    PriceCase("seedance-2.0-kie", "11.5-102 credits/s", {**P, "duration": 6, "resolution": "480p"}, seconds=6),
    # with a reference video the studio also bills the reference's seconds (Kubeez's rule), the sandbox only
    # the output's: a decided difference (differences_kubflow.DECIDED), the studio holding the more
    PriceCase(
        "seedance-2.0-kie",
        "11.5-102 credits/s",
        {**P, "duration": 4, "video_url": CLIP, "ref_video_seconds": CLIP_SECONDS},
        seconds=4,
        studio_seconds=12,  # 4 s + the 7.5 s reference, rounded up
    ),
    PriceCase("seedance-2.0-fast", "9-33 credits/s", {**P, "duration": 5, "resolution": "720p"}, seconds=5),
    PriceCase("stitch-videos", "2 credits", {"video_url": [CLIP, CLIP]}),
    PriceCase(
        "topaz-video-upscale",
        "8 credits/s (1x/2x), 14 credits/s (4x)",
        {"video_url": CLIP, "upscale_factor": "2", "video_seconds": CLIP_SECONDS},
        seconds=8,
        rate="8",
    ),
    PriceCase(
        "topaz-video-upscale",
        "8 credits/s (1x/2x), 14 credits/s (4x)",
        {"video_url": CLIP, "upscale_factor": "4", "video_seconds": CLIP_SECONDS},
        seconds=8,
        rate="14",
    ),
    # audio (lines 43-52)
    PriceCase("elevenlabs-audio-isolation", "0.2 credits/s", {"audio_url": AUD, "audio_seconds": 30}, seconds=30),
    PriceCase("elevenlabs-tts-v2", "6-12 credits", {"prompt": "Hello there"}),
    PriceCase("elevenlabs-text-to-dialogue", "14 credits", {"prompt": "Hello there"}),
    PriceCase("audio-passthrough", "0 credits", {"audio_url": AUD}),
    PriceCase(
        "elevenlabs-sound-effect-v2", "0.24 credits/s", {"prompt": "rain on a tin roof", "duration": 10}, seconds=10
    ),
    PriceCase("suno-cover-audio", "12 credits", {"prompt": "as a waltz", "audio_url": AUD}),
    PriceCase("suno-create-music", "12 credits", {"prompt": "a waltz"}),
    # text (lines 53-63)
    PriceCase("claude-haiku-4-5", "2 credits", {"prompt": "hello"}),
    PriceCase("claude-opus-4-6", "2-8 credits est.", {"prompt": "hello"}),
    PriceCase("claude-sonnet-4-6", "1-6 credits est.", {"prompt": "hello"}),
    PriceCase("deepseek-chat", "2 credits", {"prompt": "hello"}),
    PriceCase("gemini-3.1-pro", "1-5 credits est.", {"prompt": "hello"}),
    PriceCase("gpt-5.2", "2-7 credits est.", {"prompt": "hello"}),
    PriceCase("text-passthrough", "0 credits", {"prompt": "hello"}),
    PriceCase("prompt-enhancer", "4 credits", {"prompt": "hello"}),
    # utility (lines 64-80)
    PriceCase("combine-text", "0 credits", {"prompt": "a"}),
    PriceCase("composition-render", "3 credits", {}),
    PriceCase("compositor-v2", "3 credits", {}),
    PriceCase("extract-frame", "2 credits", {"video_url": CLIP}),
    PriceCase("json-parser", "0 credits", {"prompt": "{}"}),
    PriceCase("last-frame", "2 credits", {"video_url": CLIP}),
    PriceCase("noise-grid-overlay", "~3 credits", {"image_url": IMG}),
    PriceCase("reference-asset", "0 credits", {"media_url": IMG}),
    PriceCase("remove-silence", "2 credits", {"video_url": CLIP}),
    PriceCase("resize-crop-image", "2 credits", {"image_url": IMG}),
    PriceCase("elevenlabs-stt", "3.5 credits/min", {"audio_url": AUD, "audio_seconds": 120}, seconds=2),
    PriceCase("prompt-concatenator", "0 credits", {"prompt": "a"}),
    PriceCase("timeline-stitch", "2 credits", {"video_url": [CLIP, CLIP]}),
    PriceCase("trim-video", "2 credits", {"video_url": CLIP}),
]


def test_the_cases_cover_every_row_of_the_price_list():
    # "17 models", "15 models", "7 models", "8 models", "14 models" (lines 6, 26, 44, 54, 65)
    rows = [text for text in lines(KUBFLOW)[4:80] if re.search(r" \| [^|]+ \|$", text) and "Model | Price" not in text]
    assert len(rows) == 17 + 15 + 7 + 8 + 14 == 61
    assert {case.doc.line for case in CASES} == {
        number for number in range(5, 81) if lines(KUBFLOW)[number - 1] in rows
    }


@pytest.mark.parametrize("case", CASES, ids=str)
def test_documented_price_is_quoted_by_the_studio_and_accepted_by_the_sandbox(case, server, offers):
    doc = case.doc
    offer = offers[case.model]
    low, high = case.figures()
    quantity = case.seconds or 1
    params = {k: _with_clip(v, server.clip_url) for k, v in case.params.items()}

    quote = price_quote(offer=offer, params=params)
    studio_quantity = case.studio_seconds or quantity
    assert quote.unit == "credits", doc
    assert quote.provider_cost == high * studio_quantity, f"the studio holds the documented top ({doc})"
    if low != high:
        if "est." in case.cell:
            assert quote.estimated and quote.minimum_credits == low * studio_quantity, doc
        elif quote.likely_credits is not None:
            assert low * studio_quantity <= quote.likely_credits <= high * studio_quantity, doc

    assert offer.category == doc_category(doc.line), doc
    direct = offer.category in {"image", "video"}
    # "category | image | video | Optional but recommended. Direct API generation currently accepts image and video."
    assert offer.runnable is direct, line(KUBFLOW, 110)
    if not direct:
        # The studio never sends it (not runnable); Kubflow would refuse the request the schema allows for it.
        body = {"model": offer.model_id, "category": offer.category, "prompt": params.get("prompt", ""), "params": {}}
        refused = server.raw("POST", "/api/v1/generations", json=body, headers={"Authorization": f"Bearer {KEY}"})
        assert refused.status_code == 400, line(KUBFLOW, 208)
        assert "Direct API generation currently accepts image and video" in refused.json()["error"], line(KUBFLOW, 110)
        return

    job_id = submit(server, offer, params)
    charged = server.charged(job_id)
    # The sandbox charges a figure the doc allows for this request, and never more than the studio holds.
    assert low * quantity <= charged <= high * quantity, doc
    assert charged <= quote.provider_cost, doc
    if case.studio_seconds is None:
        assert charged == quote.provider_cost, f"both read {doc} to the same charge"


def test_every_per_unit_case_names_the_length_it_bills():
    # "credits/s" and "credits/min" cells (lines 35-42, 46, 50, 77) need a length to be a price at all
    for case in CASES:
        assert ("credits/" in case.cell) == (case.seconds is not None), case


# --- requests and responses (lines 113-150) -----------------------------------------------------------------


def doc_example(needle: str) -> tuple[DocLine, dict[str, Any]]:
    """The JSON body of the example whose body has ``needle``: from the ``{`` that ends its curl line (after
    ``-d '`` or, for the status example, after the command) to the brace that closes it, as the doc prints it."""
    text = lines(KUBFLOW)
    first = cite(KUBFLOW, needle, after=113).line
    while "curl" not in text[first - 1]:
        first -= 1
    chunk, depth, number = [], 0, first
    for number in range(first, len(text) + 1):
        piece = text[number - 1][text[number - 1].rindex("{") :] if number == first else text[number - 1]
        for position, char in enumerate(piece):
            depth += {"{": 1, "}": -1}.get(char, 0)
            if depth == 0:
                chunk.append(piece[: position + 1])
                return line(KUBFLOW, first), json.loads("\n".join(chunk))
        chunk.append(piece)
    raise LookupError(f"the example with {needle!r} does not close")


EXAMPLE_NEEDLES = ['"model": "gpt-image-2"', '"model": "kling-3.0"', '"model": "veo3"']


@pytest.mark.parametrize("needle", EXAMPLE_NEEDLES)
def test_example_request_is_what_the_studio_sends(needle, server, offers):
    doc, example = doc_example(needle)
    assert doc.text.startswith(("curl -X POST https://app.kubflow.com/api/v1/generations", "}'curl -X POST")), doc
    assert f'-H "Authorization: Bearer {DOC_KEY}"' in doc.text and '-H "Content-Type: application/json"' in doc.text
    offer = offers[example["model"]]
    assert offer.category == example["category"], doc

    job_id = submit(server, offer, {"prompt": example["prompt"], **example["params"]})
    received = server.last_post()
    assert received.path == "/kubflow/api/v1/generations", doc
    assert received.headers["authorization"] == f"Bearer {KEY}", doc
    assert received.headers["content-type"] == "application/json", doc
    sent = received.json()
    for name, value in example.items():
        if name != "params":
            assert sent[name] == value, f"{name}: {doc}"
    for name, value in example["params"].items():
        assert sent["params"][name] == value and type(sent["params"][name]) is type(value), f"params.{name}: {doc}"
    assert set(sent) == set(example) and set(sent["params"]) == set(example["params"]), doc
    assert server.raw("GET", f"/api/v1/generations/{job_id}", headers={"Authorization": f"Bearer {KEY}"}).is_success


def test_example_status_response_is_what_the_sandbox_answers_and_the_client_reads(server, offers):
    doc, example = doc_example('"generation_id": "gen_123"')
    assert "curl https://app.kubflow.com/api/v1/generations/gen_123" in doc.text
    client = server.client()
    job_id = submit(server, offers["gpt-image-2"], {"prompt": PROMPT, "aspect_ratio": "1:1", "resolution": "1K"})
    state = finish(client, job_id)
    answer = server.raw("GET", f"/api/v1/generations/{job_id}", headers={"Authorization": f"Bearer {KEY}"}).json()

    assert set(answer) == set(example), doc
    for name, value in example.items():
        assert type(answer[name]) is type(value), f"{name}: {doc}"
    assert (answer["status"], answer["progress"], answer["error"]) == ("completed", 100, None), doc
    assert answer["generation_id"] == job_id and answer["result_url"] == answer["outputs"][0], doc
    assert state == JobState(status=COMPLETED, progress=100, outputs=answer["outputs"], error=""), doc
    image = httpx.get(answer["result_url"], timeout=10)
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")


def test_create_answer_carries_the_generation_id_and_status_url(server, offers):
    # "store the returned generation_id, then poll" (line 84); "Poll the returned status_url" (line 88)
    doc = cite(KUBFLOW, "store the returned generation_id")
    assert "Poll the returned status_url" in line(KUBFLOW, 88).text
    job_id = submit(server, offers["nano-banana"], {"prompt": PROMPT})
    answer = server.raw(
        "POST",
        "/api/v1/generations",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"model": "nano-banana", "category": "image", "prompt": PROMPT},
    ).json()
    assert answer["generation_id"].startswith("gen_") and job_id.startswith("gen_"), doc
    polled = httpx.get(answer["status_url"], headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    assert polled.json()["generation_id"] == answer["generation_id"], line(KUBFLOW, 88)


def test_prompt_may_come_inside_params(server):
    # "| prompt | string | Top-level prompt. You can also pass params.prompt. |" (line 111)
    doc = cite(KUBFLOW, "You can also pass params.prompt.")
    answer = server.raw(
        "POST",
        "/api/v1/generations",
        headers={"Authorization": f"Bearer {KEY}"},
        json={"model": "nano-banana", "params": {"prompt": PROMPT}},
    )
    assert answer.status_code == 200, doc


# --- auth and endpoints (lines 91-104) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "header"),
    [(94, "Authorization: Bearer"), (95, "x-kubflow-api-key:"), (96, "x-api-key:")],
)
def test_every_documented_auth_header_is_accepted(number, header, server):
    doc = line(KUBFLOW, number)
    assert header in doc.text and DOC_KEY in doc.text
    name, _, value = doc.text.split("Accepted aliases")[0].split("Endpoints")[0].partition(": ")
    headers = {name.strip(): value.replace(DOC_KEY, KEY).strip()}
    assert server.raw("GET", "/api/v1/me", headers=headers).status_code == 200, doc
    assert server.raw("GET", "/api/v1/me", headers={name.strip(): value.strip()}).status_code == 401, doc


def test_the_studio_sends_the_preferred_header(server, offers):
    # "Preferred / Authorization: Bearer kf_live_YOUR_KEY" (lines 93-94)
    doc = cite(KUBFLOW, "Authorization: Bearer kf_live_YOUR_KEYAccepted aliases")
    submit(server, offers["z-image"], {"prompt": PROMPT})
    received = server.last_post()
    assert received.headers["authorization"] == f"Bearer {KEY}", doc
    assert not {"x-kubflow-api-key", "x-api-key"} & set(received.headers), doc


def test_endpoints_answer_as_documented(server):
    auth = {"Authorization": f"Bearer {KEY}"}
    # "| GET | /api/v1/openapi.json | Public OpenAPI schema" (line 100): no key needed
    assert server.raw("GET", "/api/v1/openapi.json").json()["openapi"], line(KUBFLOW, 100)
    # "| GET | /api/v1/me | Returns the authenticated account, plan, and API access state." (line 101)
    me = server.raw("GET", "/api/v1/me", headers=auth).json()
    assert me["api_access"] is True and me["plan"] and me["account"], line(KUBFLOW, 101)
    # "| GET | /api/v1/models | Lists available API models. Optional category=image or category=video." (line 102)
    listed = server.raw("GET", "/api/v1/models", headers=auth).json()["models"]
    price_list = {case.model for case in CASES}
    assert {m["id"] for m in listed} == price_list, line(KUBFLOW, 102)
    for category in ("image", "video"):
        chosen = server.raw("GET", "/api/v1/models", headers=auth, params={"category": category}).json()["models"]
        expected = {case.model for case in CASES if doc_category(case.doc.line) == category}
        assert {m["id"] for m in chosen} == expected, line(KUBFLOW, 102)
        assert all(m["category"] == category for m in chosen), line(KUBFLOW, 102)


def doc_category(number: int) -> str:
    """The price-list heading ("image", "video", ...) a row of the price list is under."""
    while lines(KUBFLOW)[number - 1] not in {"image", "video", "audio", "text", "utility"}:
        number -= 1
    return lines(KUBFLOW)[number - 1]


def test_live_sync_reads_the_sandboxs_models_endpoint(server, offers, settings):
    # "Model capability and parameter detail should be read from GET /api/v1/models" (line 97)
    from catalog.live import live_models_fetch

    doc = cite(KUBFLOW, "should be read from GET /api/v1/models")
    entries = live_models_fetch(provider="kubflow", base_url=f"{server.url}/kubflow", api_key=KEY)
    assert {e["model_id"] for e in entries} == set(offers), doc


# --- the error table (lines 202-210) ------------------------------------------------------------------------


def _meaning(status: str) -> tuple[DocLine, str]:
    doc = cite(KUBFLOW, f"| {status} | ", after=204)
    return doc, doc.text.split(" | ")[1]


def test_401_missing_or_invalid_key_is_permanent(server, offers):
    doc, meaning = _meaning("401")
    with pytest.raises(ProviderError) as refused:
        submit(server, offers["nano-banana"], {"prompt": PROMPT}, client=server.client(api_key=DOC_KEY))
    assert (refused.value.code, refused.value.permanent, refused.value.message) == ("auth_failed", True, meaning), doc
    assert server.raw("GET", "/api/v1/generations/gen_123").status_code == 401, doc


def test_403_plan_without_api_access_is_permanent(server, offers):
    doc, meaning = _meaning("403")
    with pytest.raises(ProviderError) as refused:
        submit(server, offers["nano-banana"], {"prompt": f"{PROMPT} [sandbox fail=no_api_access]"})
    assert (refused.value.code, refused.value.permanent, refused.value.message) == ("auth_failed", True, meaning), doc
    # A whole account without API access: /me says so, and every other private endpoint answers 403.
    httpx.post(f"{server.url}/_sandbox/config", json={"fail": "no_api_access"}, timeout=10).raise_for_status()
    me = server.raw("GET", "/api/v1/me", headers={"Authorization": f"Bearer {KEY}"})
    assert me.status_code == 200 and me.json()["api_access"] is False, line(KUBFLOW, 101)
    with pytest.raises(ProviderError) as polled:
        server.client().status("gen_123", {})
    assert (polled.value.code, polled.value.permanent) == ("auth_failed", True), doc


@pytest.mark.parametrize("missing", ["model", "prompt", "category", "required params"])
def test_400_missing_field_is_permanent(missing, server, offers):
    doc, meaning = _meaning("400")
    assert missing in meaning
    client = server.client()
    if missing == "model":
        request = SubmitRequest(model_id="", category="image", spec={}, params={"prompt": PROMPT}, reference="r")
    elif missing == "prompt":
        # the studio refuses it before sending (a prompt is required), and Kubflow refuses it too
        with pytest.raises(QuoteError):
            price_quote(offer=offers["kling-3.0"], params={"duration": 5})
        spec = offers["kling-3.0"].spec
        request = SubmitRequest(
            model_id="kling-3.0", category="video", spec=spec, params={"duration": 5}, reference="r"
        )
    elif missing == "category":
        # "Direct API generation currently accepts image and video" (line 110): an audio model's category
        offer = offers["elevenlabs-tts-v2"]
        request = SubmitRequest(
            model_id=offer.model_id, category="audio", spec=offer.spec, params={"prompt": "hi"}, reference="r"
        )
    else:
        # Seedream 4.5 Edit edits a given image: without image_url there is nothing to edit
        with pytest.raises(QuoteError):
            price_quote(offer=offers["seedream-4.5-edit"], params={"prompt": PROMPT})
        spec = offers["seedream-4.5-edit"].spec
        request = SubmitRequest(
            model_id="seedream-4.5-edit", category="image", spec=spec, params={"prompt": PROMPT}, reference="r"
        )
    with pytest.raises(ProviderError) as refused:
        client.submit(request)
    assert (refused.value.code, refused.value.permanent) == ("http_400", True), doc
    assert refused.value.message.startswith(meaning), doc
    assert "kubflow.accepted" not in httpx.get(f"{server.url}/_sandbox/stats", timeout=10).json()


def test_404_unknown_generation_is_permanent(server):
    doc, meaning = _meaning("404")
    # the doc's own example id (line 143), which this account never created
    with pytest.raises(ProviderError) as refused:
        server.client().status("gen_123", {})
    assert (refused.value.code, refused.value.permanent, refused.value.message) == ("http_404", True, meaning), doc


def test_5xx_processing_error_is_retried(server, offers):
    doc, meaning = _meaning("5xx")
    with pytest.raises(ProviderError) as refused:
        submit(server, offers["nano-banana"], {"prompt": f"{PROMPT} [sandbox fail=5xx]"})
    assert refused.value.permanent is False and refused.value.code.startswith("http_5"), doc
    assert refused.value.message.startswith(meaning), doc
    job_id = submit(server, offers["nano-banana"], {"prompt": f"{PROMPT} [sandbox flaps=1]"})
    with pytest.raises(ProviderError) as flapped:
        server.client().status(job_id, {})
    assert flapped.value.permanent is False and flapped.value.code == "http_503", doc
    assert finish(server.client(), job_id).status == COMPLETED, "a retry after the 5xx reads the job"


def test_every_row_of_the_error_table_has_a_case():
    table = [text for text in lines(KUBFLOW)[203:210] if re.match(r"^\| (\d{3}|5xx) \|", text)]
    covered = {"401", "403", "400", "404", "5xx"}
    assert {text.split(" | ")[0].strip("| ") for text in table} == covered
