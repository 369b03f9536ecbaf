"""Kubeez's docs (001 account tools, 002 media tools) against the studio and the sandbox, case by case.

Each case names the doc line it was taken from (``tests/contract/doc.py``). The figure a price case expects is
read from that line's text (a case whose figure is not on its line fails), never from the studio or the sandbox:

- prices: the studio's quote (``catalog.services.price_quote`` on the synced offer) and what the sandbox charges
  (the studio's own ``KubeezClient`` submitting over HTTP; the cost it reports and the drop of ``get_balance``)
  both equal the doc;
- documented refusals: the studio's quote and the sandbox both refuse with the doc's error code, and the sandbox
  holds nothing; limits the doc writes without a code: both accept the documented edge and refuse past it;
- example requests: each example of the doc sent by the studio's client, the body on the wire compared field by
  field with the example.

The sandbox runs in-process on a real socket (wsgiref), so the cases share one server and take a few seconds.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from wsgiref.simple_server import make_server

import httpx
import pytest

from catalog.models import ModelFamily, Offer, Provider
from catalog.pricing import QuoteError, offer_check
from catalog.selectors import offers_named
from catalog.services import catalog_sync, price_quote
from generations.providers.base import LocalMedia, ProviderError, SubmitRequest
from generations.providers.kubeez import KubeezClient
from sandbox import media
from sandbox.__main__ import QuietHandler, ThreadingWSGIServer
from sandbox.app import SandboxApp
from tests.contract.doc import KUBEEZ, KUBEEZ_ACCOUNT, DocLine, cite, line, lines

KEY = "contract-key"
IMG = "https://example.com/frame.png"
IMG2 = "https://example.com/end.jpg"
VID = "https://example.com/take.mp4"
AUD = "https://example.com/voice.mp3"


# --- the sandbox, in-process, and the studio's catalog ------------------------------------------------


class Server:
    def __init__(self) -> None:
        self.app = SandboxApp(api_key=KEY)
        self.httpd = make_server("127.0.0.1", 0, self.app, ThreadingWSGIServer, QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def client(self) -> tuple[KubeezClient, list[dict[str, Any]]]:
        """The studio's client, and the JSON bodies it sends (read off the wire by an httpx event hook)."""
        client = KubeezClient(base_url=f"{self.url}/kubeez", api_key=KEY, timeout=20)
        bodies: list[dict[str, Any]] = []

        def record(request: httpx.Request) -> None:
            if request.headers.get("content-type", "").startswith("application/json"):
                bodies.append(json.loads(request.read()))

        client.http.event_hooks["request"].append(record)
        return client, bodies


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


@pytest.fixture
def sandbox(server: Server) -> Server:
    server.app.store.reset()
    server.app.store.behaviour.__init__(delay=30, media_scale=64)  # jobs stay live: only the charge matters
    return server


@pytest.fixture(scope="module")
def kubeez_catalog(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        catalog_sync(providers=["kubeez"])
    yield
    with django_db_blocker.unblock():
        Offer.objects.filter(generations__isnull=True).delete()
        ModelFamily.objects.filter(offers__isnull=True).delete()
        Provider.objects.filter(offers__isnull=True).delete()


def offer(model: str) -> Offer:
    return Offer.objects.select_related("provider").get(provider__slug="kubeez", model_id=model)


def studio_quote(model: str, params: dict[str, Any]) -> Any:
    return price_quote(offer=offer(model), params=params)


def studio_check(model: str, params: dict[str, Any]) -> dict[str, Any]:
    """The studio's rules for a request: the quote for a priced offer, the rule engine for an unpriced one
    (whose quote refuses every request with price_unavailable, which would prove nothing here)."""
    row = offer(model)
    if row.spec.get("unpriced"):
        return offer_check(row.spec, params)
    return price_quote(offer=row, params=params).params


def request_for(model: str, clean: dict[str, Any]) -> SubmitRequest:
    row = offer(model)
    return SubmitRequest(model_id=model, category=row.category, spec=row.spec, params=clean, reference="gen_contract")


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("kubeez_catalog")]


# --- every documented price ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceCase:
    doc: DocLine  # the line the figure is read from
    figure: str  # as the line writes it
    model: str
    params: dict[str, Any]
    seconds: int | None = None  # per-second: the seconds billed (reference + output)
    also: tuple[DocLine, ...] = field(default_factory=tuple)

    @property
    def expected(self) -> Decimal:
        rate = Decimal(self.figure)
        return rate * self.seconds if self.seconds is not None else rate

    def __str__(self) -> str:
        return f"{self.model} {self.params} @ {self.doc.line}"


def _price_cases() -> list[PriceCase]:
    cases = []
    tiers = cite(KUBEEZ, "| gpt-image-2 (t2i + i2i) | 1K (default), 2K, 4K | 11 / 15 / 21 credits |")
    for figure, params in (
        ("11", {"resolution": "1K", "aspect_ratio": "1:1"}),
        ("11", {}),  # "1K (default)"
        ("15", {"resolution": "2K", "aspect_ratio": "16:9"}),
        ("21", {"resolution": "4K", "aspect_ratio": "3:4"}),
        ("15", {"resolution": "2K", "aspect_ratio": "9:16", "generation_type": "image-to-image",
                "source_media_urls": [IMG]}),
    ):  # fmt: skip
        cases.append(PriceCase(tiers, figure, "gpt-image-2", {"prompt": "a fox", **params}))

    kling = cite(KUBEEZ, "| kling-3-0-std, kling-3-0-pro | 3s–15s |")
    for model, audio in (("kling-3-0-std", False), ("kling-3-0-std", True), ("kling-3-0-pro", False),
                         ("kling-3-0-pro", True)):  # fmt: skip
        row = cite(KUBEEZ, f"| {model}{'-audio' if audio else ''} | Kling 3.0", after=234)
        figure = row.text.split("|")[3].strip()
        for seconds in (3, 5, 10, 15):
            cases.append(PriceCase(row, figure, model, {"prompt": "waves", "duration": seconds, "sound": audio},
                                   seconds, (kling,)))  # fmt: skip
    example_format = cite(KUBEEZ, '"duration": "5s"')
    row = cite(KUBEEZ, "| kling-3-0-std | Kling 3.0 |")
    cases.append(PriceCase(row, "17", "kling-3-0-std", {"prompt": "waves", "duration": "8s"}, 8, (example_format,)))

    formula = cite(KUBEEZ, "credits = output_seconds × base_credits_per_second")
    worst_case = cite(KUBEEZ, "billed the pessimistic worst case of 15s of reference video")
    for model in ("seedance-2-480p", "seedance-2-720p", "seedance-2-1080p", "seedance-2-fast-480p",
                  "seedance-2-fast-720p"):  # fmt: skip
        row = cite(KUBEEZ, f"| {model} |", after=143)
        figure = row.text.split("|")[3].strip()
        for seconds in (4, 15):
            cases.append(PriceCase(row, figure, model, {"prompt": "a pier", "duration": seconds}, seconds, (formula,)))
    row = cite(KUBEEZ, "| seedance-2-fast-720p |", after=143)
    cases.append(
        PriceCase(row, "29", "seedance-2-fast-720p", {"prompt": "a pier", "duration": 6,
                  "generation_type": "image-to-video", "source_media_urls": [IMG, IMG2]}, 6, (formula,))
    )  # fmt: skip
    for model in ("seedance-2-480p-video-ref", "seedance-2-720p-video-ref", "seedance-2-1080p-video-ref",
                  "seedance-2-fast-480p-video-ref", "seedance-2-fast-720p-video-ref"):  # fmt: skip
        row = cite(KUBEEZ, f"| {model} |", after=143)
        figure = row.text.split("|")[3].strip()
        for seconds in (4, 15):
            params = {"prompt": "dance like this", "duration": seconds, "source_media_urls": [VID]}
            cases.append(PriceCase(row, figure, model, params, 15 + seconds, (worst_case, formula)))

    shared = cite(KUBEEZ, "720p and 1080p share each row")
    for resolution in ("720p", "1080p", "4k"):
        for variant in ("4s", "6s", "8s", "10s", "video-ref"):
            tier = "4k" if resolution == "4k" else "hd"
            row = cite(KUBEEZ, f"| gemini-omni-video-{tier}-{variant} |", after=174)
            figure = row.text.split("|")[3].strip()
            sources = [VID, IMG] if variant == "video-ref" else [IMG]
            params = {"prompt": "a barista", "aspect_ratio": "9:16", "source_media_urls": sources}
            cases.append(PriceCase(row, figure, f"gemini-omni-video-{resolution}-{variant}", params, None, (shared,)))
    return cases


PRICE_CASES = _price_cases()


@pytest.mark.parametrize("case", PRICE_CASES, ids=str)
def test_the_documented_price_is_quoted_by_the_studio_and_charged_by_the_sandbox(case: PriceCase, sandbox):
    assert case.figure in case.doc.text, f"the figure is not on its line: {case.doc}"
    quote = studio_quote(case.model, case.params)
    assert quote.provider_cost == case.expected, f"studio quote vs {case.doc}"

    client, _ = sandbox.client()
    before = client.balance()["credits"]
    submitted = client.submit_job(request_for(case.model, quote.params))
    assert submitted.reported_cost == case.expected, f"sandbox estimated_cost_credits vs {case.doc}"
    assert before - client.balance()["credits"] == case.expected, f"sandbox get_balance drop vs {case.doc}"


# --- every documented refusal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    doc: DocLine
    code: str
    model: str
    params: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.code} {self.model} @ {self.doc.line}"


def _refusals() -> list[Refusal]:
    high_res = cite(KUBEEZ, 'returns HTTP 400 with error: "aspect_ratio_incompatible_with_high_res"')
    mismatch = cite(KUBEEZ, "calling a duration variant with a video URL returns variant_mismatch")
    aspect = cite(KUBEEZ, "Strictly 16:9 or 9:16. Any other value returns aspect_ratio_invalid_for_model")
    audio = cite(KUBEEZ, "Audio file URLs are not accepted (returns unsupported_audio_url)")
    videos, audios, images = (cite(KUBEEZ, f"too_many_{kind}") for kind in ("videos", "audios", "images"))
    cases = []
    for resolution in ("2K", "4K"):
        for ratio in ("1:1", "auto", None):  # None: the default, "Default: 1:1" (line 14)
            params = {"prompt": "a cat", "resolution": resolution, **({"aspect_ratio": ratio} if ratio else {})}
            cases.append(Refusal(high_res, "aspect_ratio_incompatible_with_high_res", "gpt-image-2", params))
    for model in ("gemini-omni-video-720p-6s", "gemini-omni-video-1080p-4s", "gemini-omni-video-4k-10s"):
        params = {"prompt": "a barista", "aspect_ratio": "9:16", "source_media_urls": [IMG, VID]}
        cases.append(Refusal(mismatch, "variant_mismatch", model, params))
    for ratio in ("1:1", "4:3", "21:9"):
        params = {"prompt": "a barista", "aspect_ratio": ratio, "source_media_urls": [IMG]}
        cases.append(Refusal(aspect, "aspect_ratio_invalid_for_model", "gemini-omni-video-1080p-8s", params))
    for model, sources in (("gemini-omni-video-720p-4s", [IMG, AUD]), ("gemini-omni-video-4k-video-ref", [VID, AUD])):
        params = {"prompt": "a barista", "aspect_ratio": "16:9", "source_media_urls": sources}
        cases.append(Refusal(audio, "unsupported_audio_url", model, params))
    for model in ("seedance-2-480p-video-ref", "seedance-2-fast-720p-video-ref"):
        params = {"prompt": "dance", "duration": 5, "source_media_urls": [VID] * 4}
        cases.append(Refusal(videos, "too_many_videos", model, params))
    for model in ("seedance-2-720p", "seedance-2-fast-480p-video-ref"):
        sources = [AUD] * 4 + ([VID] if model.endswith("video-ref") else [])
        cases.append(Refusal(audios, "too_many_audios", model, {"prompt": "a drummer", "duration": 5,
                                                                  "source_media_urls": sources}))  # fmt: skip
    for model in ("seedance-2-fast-480p", "seedance-2-1080p-video-ref"):
        sources = [IMG] * 10 + ([VID] if model.endswith("video-ref") else [])
        cases.append(Refusal(images, "too_many_images", model, {"prompt": "a collage", "duration": 5,
                                                                 "source_media_urls": sources}))  # fmt: skip
    return cases


REFUSALS = _refusals()


@pytest.mark.parametrize("case", REFUSALS, ids=str)
def test_a_documented_refusal_is_refused_by_both_with_the_docs_code(case: Refusal, sandbox):
    assert case.code in case.doc.text
    with pytest.raises(QuoteError) as studio:
        studio_quote(case.model, case.params)
    assert studio.value.code == case.code, f"studio vs {case.doc}"

    client, bodies = sandbox.client()
    before = client.balance()["credits"]
    with pytest.raises(ProviderError) as answer:
        client.submit(request_for(case.model, dict(case.params)))  # the same request, as the client sends it
    assert (answer.value.code, answer.value.permanent) == (case.code, True), f"sandbox vs {case.doc}"
    assert bodies[-1]["model"] == case.model
    assert client.balance()["credits"] == before and client.generations() == [], "no job, no credits held"


FAMILY_LINE = cite(KUBEEZ, "Passing just the family label as model returns:")
FAMILIES = ("seedance-2", "seedance-2-fast", "gemini-omni-video", "p-video", "kling-3-0-motion-control",
            "kling-2-6-motion-control")  # fmt: skip


@pytest.mark.parametrize("label", FAMILIES)
def test_a_family_label_is_variant_required_at_both_with_the_same_variants(label, sandbox):
    assert label in FAMILY_LINE.text, FAMILY_LINE
    with pytest.raises(QuoteError) as studio:
        offers_named(name=label, provider="kubeez")
    assert studio.value.code == "variant_required"
    client, _ = sandbox.client()
    with pytest.raises(ProviderError) as answer:
        client.submit(SubmitRequest(model_id=label, category="video", spec={}, params={"prompt": "x"}, reference="r"))
    assert answer.value.code == "variant_required" and answer.value.permanent
    assert studio.value.details["available_variants"] == answer.value.details["available_variants"]
    assert all(offer(variant) for variant in answer.value.details["available_variants"])
    if label == "gemini-omni-video":
        assert len(answer.value.details["available_variants"]) == 15, cite(
            KUBEEZ, "returns a variant_required error with the 15 choices"
        )
    assert client.generations() == [], cite(KUBEEZ, "No credits are deducted.")


# --- limits the doc writes without an error code: the edge is accepted, one past it refused ----------------


@dataclass(frozen=True)
class Limit:
    doc: DocLine
    model: str
    inside: dict[str, Any]
    outside: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.model} {sorted(self.outside)} @ {self.doc.line}"


def _limits() -> list[Limit]:
    cases = []

    def add(needle: str, model: str, inside: dict[str, Any], outside: dict[str, Any], after: int = 0) -> None:
        cases.append(Limit(cite(KUBEEZ, needle, after=after), model, inside, outside))

    # Durations (002 "Models that support duration")
    for model in ("kling-3-0-std", "kling-3-0-pro"):
        add("| kling-3-0-std, kling-3-0-pro | 3s–15s |", model, {"prompt": "p", "duration": "15s"},
            {"prompt": "p", "duration": "16s"})  # fmt: skip
        add("| kling-3-0-std, kling-3-0-pro | 3s–15s |", model, {"prompt": "p", "duration": 3},
            {"prompt": "p", "duration": 2})  # fmt: skip
    for model in ("seedance-2-480p", "seedance-2-fast-720p"):
        add(
            "Duration is an integer 4–15 seconds", model, {"prompt": "p", "duration": 4}, {"prompt": "p", "duration": 3}
        )
        add("Duration is an integer 4–15 seconds", model, {"prompt": "p", "duration": 15},
            {"prompt": "p", "duration": 16})  # fmt: skip
    for model in ("wan-2-7-720p", "wan-2-7-1080p"):
        add("| wan-2-7-720p, wan-2-7-1080p (text-to-video, image-to-video) | 2s–15s", model,
            {"prompt": "p", "duration": 2}, {"prompt": "p", "duration": 1})  # fmt: skip
    add("| grok-imagine-video-1-5-preview-480p, grok-imagine-video-1-5-preview-720p (image-to-video) | 2s–15s",
        "grok-imagine-video-1-5-preview-720p", {"prompt": "p", "duration": 15, "source_media_urls": [IMG]},
        {"prompt": "p", "duration": 16, "source_media_urls": [IMG]})  # fmt: skip
    add("| kling-2-6-text-to-video, kling-2-6-image-to-video | 5s, 10s |", "kling-2-6-text-to-video",
        {"prompt": "p", "duration": "10s"}, {"prompt": "p", "duration": "7s"})  # fmt: skip
    add("| wan-2-5 (text-to-video, image-to-video) | 5s, 10s |", "wan-2-5", {"prompt": "p", "duration": "5s"},
        {"prompt": "p", "duration": "15s"})  # fmt: skip
    add("| v1-pro-fast-i2v | 5s, 10s |", "v1-pro-fast-i2v", {"prompt": "p", "duration": "10s", "source_media_urls": [IMG]},
        {"prompt": "p", "duration": "12s", "source_media_urls": [IMG]})  # fmt: skip
    add("| seedance-1-5-pro | 4s, 8s, 12s |", "seedance-1-5-pro", {"prompt": "p", "duration": "12s"},
        {"prompt": "p", "duration": "10s"})  # fmt: skip
    # Prompt character limits
    for needle, model, limit, extra in (
        ("| wan-2-5 | 800 |", "wan-2-5", 800, {"duration": "5s"}),
        ("| wan-2-7-720p, wan-2-7-1080p | 5,000 |", "wan-2-7-720p", 5000, {"duration": 5}),
        ("| kling-2-6 (text-to-video, image-to-video) | 2,500 |", "kling-2-6-text-to-video", 2500, {"duration": "5s"}),
        ("| seedance-2 (Fast + Standard) | 2,500 |", "seedance-2-fast-480p", 2500, {"duration": 4}),
        ("| kling-3-0-std, kling-3-0-pro | 2,500 |", "kling-3-0-pro", 2500, {"duration": 5}),
        ("| kling-2-5-image-to-video-pro | 2,500 |", "kling-2-5-image-to-video-pro", 2500,
         {"source_media_urls": [IMG, IMG2]}),
        ("| seedream-v4, seedream-v4-edit | 2,500 |", "seedream-v4", 2500, {}),
        ("| seedream-v4-5, seedream-v4-5-edit | 3,000 |", "seedream-v4-5-edit", 3000, {"source_media_urls": [IMG]}),
        ("| 5-lite-text-to-image, 5-lite-image-to-image | 2,995 |", "5-lite-text-to-image", 2995, {}),
        ("| gpt-1.5-image-medium, gpt-1.5-image-high | 3,000 |", "gpt-1.5-image-high", 3000, {}),
        ("| nano-banana, imagen-4, flux-2, veo3-1, v1-pro-fast-i2v, grok (image/video), p-image-edit | 5,000 |",
         "nano-banana", 5000, {}),
        ("| nano-banana, imagen-4, flux-2, veo3-1, v1-pro-fast-i2v, grok (image/video), p-image-edit | 5,000 |",
         "flux-2", 5000, {}),
        ("| nano-banana-pro (all variants) | 20,000 |", "nano-banana-pro", 20000, {}),
        ("| nano-banana-2 (all variants) | 20,000 |", "nano-banana-2", 20000, {}),
    ):  # fmt: skip
        add(needle, model, {"prompt": "x" * limit, **extra}, {"prompt": "x" * (limit + 1), **extra})
    # Input file limits
    i2v = {"generation_type": "image-to-video"}
    i2i = {"generation_type": "image-to-image"}
    add("| kling-2-5-image-to-video-pro | Images only | 2 images |", "kling-2-5-image-to-video-pro",
        {"prompt": "p", "source_media_urls": [IMG, IMG2]}, {"prompt": "p", "source_media_urls": [IMG]})  # fmt: skip
    add("| kling-2-6-image-to-video, wan-2-5 (image-to-video), grok-image-to-video, v1-pro-fast-i2v | Images only | 1",
        "grok-image-to-video", {"prompt": "p", "source_media_urls": [IMG]},
        {"prompt": "p", "source_media_urls": [IMG, IMG2]})  # fmt: skip
    add("| Image-to-video | \"image-to-video\" | Exactly 2 URLs |", "seedance-1-5-pro",
        {"prompt": "p", "duration": "4s", **i2v, "source_media_urls": [IMG, IMG2]},
        {"prompt": "p", "duration": "4s", **i2v, "source_media_urls": [IMG]})  # fmt: skip
    add("| Text-to-video | \"text-to-video\" | Empty or 1 URL |", "seedance-1-5-pro",
        {"prompt": "p", "duration": "4s", "source_media_urls": [IMG]},
        {"prompt": "p", "duration": "4s", "source_media_urls": [IMG, IMG2]})  # fmt: skip
    add("| kling-3-0-std, kling-3-0-pro | Images only | 1–2 images |", "kling-3-0-std",
        {"prompt": "p", "duration": 5, **i2v, "source_media_urls": [IMG, IMG2]},
        {"prompt": "p", "duration": 5, **i2v, "source_media_urls": [IMG, IMG2, IMG]})  # fmt: skip
    add("| nano-banana, nano-banana-edit | Images only | 10 |", "nano-banana-edit",
        {"prompt": "p", "source_media_urls": [IMG] * 10}, {"prompt": "p", "source_media_urls": [IMG] * 11})  # fmt: skip
    add("| nano-banana-pro (all variants) | Images only | 8 |", "nano-banana-pro",
        {"prompt": "p", **i2i, "source_media_urls": [IMG] * 8}, {"prompt": "p", **i2i, "source_media_urls": [IMG] * 9})  # fmt: skip
    add("| p-image-edit | Images only | 1–8 |", "p-image-edit", {"prompt": "p", "source_media_urls": [IMG] * 8},
        {"prompt": "p", "source_media_urls": [IMG] * 9})  # fmt: skip
    add("| flux-2-edit (image-to-image) | Images only | 8 |", "flux-2-edit", {"prompt": "p", "source_media_urls": [IMG]},
        {"prompt": "p", "source_media_urls": []})  # fmt: skip
    add("| gpt-1.5-image (image-to-image) | Images only | 16 |", "gpt-1.5-image-medium",
        {"prompt": "p", **i2i, "source_media_urls": [IMG] * 16}, {"prompt": "p", **i2i, "source_media_urls": [IMG] * 17})  # fmt: skip
    add("Duration variants accept 1–7 image references", "gemini-omni-video-720p-8s",
        {"prompt": "p", "aspect_ratio": "16:9", "source_media_urls": [IMG] * 7},
        {"prompt": "p", "aspect_ratio": "16:9", "source_media_urls": [IMG] * 8})  # fmt: skip
    add("video-ref variants accept 1 source clip (consumes 2 slots) + up to 5 image references",
        "gemini-omni-video-1080p-video-ref", {"prompt": "p", "aspect_ratio": "16:9", "source_media_urls": [VID] + [IMG] * 5},
        {"prompt": "p", "aspect_ratio": "16:9", "source_media_urls": [VID] + [IMG] * 6})  # fmt: skip
    add("each character_id consumes 1 slot", "gemini-omni-video-4k-6s",
        {"prompt": "p", "aspect_ratio": "16:9", "source_media_urls": [IMG] * 6, "character_ids": ["char_1"]},
        {"prompt": "p", "aspect_ratio": "16:9", "source_media_urls": [IMG] * 6, "character_ids": ["char_1", "char_2"]})  # fmt: skip
    add("no reference videos allowed in this mode", "seedance-2-480p",
        {"prompt": "p", "duration": 4, **i2v, "source_media_urls": [IMG, AUD]},
        {"prompt": "p", "duration": 4, **i2v, "source_media_urls": [IMG, VID]})  # fmt: skip
    add("Text-to-image and text-to-video: Do not send", "gpt-image-2", {"prompt": "p"},
        {"prompt": "p", "source_media_urls": [IMG]})  # fmt: skip
    add("| Image-to-video | \"image-to-video\" | 1 image (first frame) |", "seedance-2-fast-480p",
        {"prompt": "p", "duration": 4, **i2v, "source_media_urls": [IMG]}, {"prompt": "p", "duration": 4, **i2v})  # fmt: skip
    # Resolution tiers and quality values
    add("| flux-2, flux-2-edit | 1K (default), 2K | See get_models | Two tiers only. |", "flux-2",
        {"prompt": "p", "resolution": "2K"}, {"prompt": "p", "resolution": "4K"})  # fmt: skip
    add("| nano-banana-2 | 1K (default), 2K, 4K |", "nano-banana-2", {"prompt": "p", "resolution": "4K"},
        {"prompt": "p", "resolution": "8K"})  # fmt: skip
    add("| seedream-v4, seedream-v4-edit | Resolution via quality param. | 1K (default), 2K, 4K. |", "seedream-v4",
        {"prompt": "p", "quality": "4K"}, {"prompt": "p", "quality": "high"})  # fmt: skip
    add("| seedream-v4-5, seedream-v4-5-edit | Uses quality directly. | basic (2K, default), high (4K). |",
        "seedream-v4-5", {"prompt": "p", "quality": "high"}, {"prompt": "p", "quality": "4K"})  # fmt: skip
    add("Supported aspect ratios: 1:1, 4:3, 3:4, 16:9, 9:16, 21:9, adaptive", "seedance-2-720p",
        {"prompt": "p", "duration": 4, "aspect_ratio": "adaptive"}, {"prompt": "p", "duration": 4, "aspect_ratio": "2:3"})  # fmt: skip
    add("Aspect ratio: auto (default, derives from the image), 1:1, 16:9, 9:16, 4:3, 3:4, 3:2, 2:3",
        "grok-imagine-video-1-5-preview-480p", {"prompt": "p", "duration": 5, "aspect_ratio": "2:3",
        "source_media_urls": [IMG]}, {"prompt": "p", "duration": 5, "aspect_ratio": "21:9", "source_media_urls": [IMG]})  # fmt: skip
    add("| wan-2-7-720p, wan-2-7-1080p (text-to-video, image-to-video) | Up to 500 chars. |", "wan-2-7-1080p",
        {"prompt": "p", "duration": 5, "negative_prompt": "n" * 500},
        {"prompt": "p", "duration": 5, "negative_prompt": "n" * 501})  # fmt: skip
    return cases


LIMITS = _limits()


@pytest.mark.parametrize("case", LIMITS, ids=str)
def test_a_documented_limit_is_kept_by_both(case: Limit, sandbox):
    client, _ = sandbox.client()
    clean = studio_check(case.model, case.inside)
    client.submit(request_for(case.model, clean))  # the edge the doc allows: accepted by both
    with pytest.raises(QuoteError):
        studio_check(case.model, case.outside)
    with pytest.raises(ProviderError) as answer:
        client.submit(request_for(case.model, dict(case.outside)))
    assert answer.value.permanent and answer.value.code not in {"unknown_model", "auth_failed"}, case.doc


# --- the doc's example requests, sent by the studio's client ------------------------------------------------


def example(start: int) -> tuple[DocLine, dict[str, Any]]:
    """The JSON object the doc prints from line ``start`` (its ``{``) to the matching ``}``."""
    text, depth = [], 0
    for number in range(start, len(lines(KUBEEZ)) + 1):
        current = line(KUBEEZ, number).text
        text.append(current)
        depth += current.count("{") - current.count("}")
        if depth == 0:
            break
    return line(KUBEEZ, start), json.loads("\n".join(text))


IGNORED = {  # fields an example sends that the doc says its model ignores, with the line that says so
    ("nano-banana", "quality"): cite(KUBEEZ, "For other models, quality is ignored."),
}
DEFAULTS = {  # fields the studio adds that carry the doc's own default
    "generation_type": ("text-to-image", cite(KUBEEZ, "Default: text-to-image.")),
    "sound": (False, cite(KUBEEZ, "When true, request video with generated audio. Only certain video models use")),
}


def _compare(doc: DocLine, wanted: dict[str, Any], sent: dict[str, Any]) -> None:
    for key, value in wanted.items():
        if key in sent:
            assert sent[key] == value, f"{key}: the client sent {sent[key]!r}, the example {value!r} ({doc})"
        else:
            assert (wanted.get("model"), key) in IGNORED, f"{key} of the example was not sent ({doc})"
    for key in set(sent) - set(wanted):
        default, where = DEFAULTS.get(key, (object(), "no default"))
        assert sent[key] == default, f"the client sent {key}={sent[key]!r}, not in the example ({doc}; {where})"


@pytest.mark.parametrize("start", [cite(KUBEEZ, "Example (text-to-image):").line + 1,
                                   cite(KUBEEZ, "Example (image-to-video, one input image required):").line + 1,
                                   cite(KUBEEZ, "Example request (1080p, 6s, vertical").line + 1])  # fmt: skip
def test_an_example_request_is_sent_by_the_studio_as_the_doc_writes_it(start, sandbox):
    doc, wanted = example(start)
    model = wanted["model"]
    params = {key: value for key, value in wanted.items() if key != "model" and (model, key) not in IGNORED}
    clean = studio_check(model, params)
    client, bodies = sandbox.client()
    client.submit(request_for(model, clean))
    _compare(doc, wanted, bodies[-1])
    raw = httpx.post(f"{sandbox.url}/kubeez/v1/generate/media", json=wanted, headers={"Authorization": f"Bearer {KEY}"})
    assert raw.status_code == 200, (doc, raw.text)  # and the sandbox takes the example exactly as printed


def test_the_variant_required_example_is_answered_by_both_as_printed(sandbox):
    doc, printed = example(cite(KUBEEZ, "Passing just the family label as model returns:").line + 1)
    raw = httpx.post(f"{sandbox.url}/kubeez/v1/generate/media", json={"model": printed["family"], "prompt": "x"},
                     headers={"Authorization": f"Bearer {KEY}"})  # fmt: skip
    assert (raw.status_code, raw.json()) == (400, printed), doc
    with pytest.raises(QuoteError) as studio:
        offers_named(name=printed["family"], provider="kubeez")
    assert studio.value.code == printed["error"]
    assert studio.value.details["available_variants"] == printed["available_variants"], doc


def test_the_trim_video_example_is_sent_as_printed_and_answered_in_the_documented_shape(sandbox, tmp_path):
    doc, wanted = example(cite(KUBEEZ, "Example request:", after=290).line + 1)
    _, answer_shape = example(cite(KUBEEZ, "Example response:", after=290).line + 1)
    client, bodies = sandbox.client()
    with pytest.raises(ProviderError):
        client.trim_video(**wanted)  # media.kubeez.com is not this sandbox: the fetch fails, the body is the point
    assert bodies[-1] == wanted, doc
    clip = tmp_path / "long-take.mp4"
    clip.write_bytes(media.render_video("long take", 16.0, 64, 36))
    (source,) = client.upload([LocalMedia(str(clip), "long-take.mp4", "video/mp4", "video")])
    trimmed = client.trim_video(source_url=source, start_s=wanted["start_s"], end_s=wanted["end_s"])
    assert set(trimmed) == set(answer_shape), doc
    assert (trimmed["start_s"], trimmed["end_s"]) == (answer_shape["start_s"], answer_shape["end_s"])
    assert abs(trimmed["duration_s"] - answer_shape["duration_s"]) < 0.2


def test_the_gemini_video_ref_workflow_runs_with_the_trimmed_clip(sandbox, tmp_path):
    steps = cite(KUBEEZ, 'model="gemini-omni-video-1080p-video-ref",')
    window = cite(KUBEEZ, "trim_video(source_url=media_urls[0], start_s=5, end_s=15)")
    client, bodies = sandbox.client()
    clip = tmp_path / "source.mp4"
    clip.write_bytes(media.render_video("a 25 s take", 25.0, 64, 36))
    (source,) = client.upload([LocalMedia(str(clip), "source.mp4", "video/mp4", "video")])
    trimmed = client.trim_video(source_url=source, start_s=5, end_s=15)
    assert abs(trimmed["duration_s"] - 10) < 0.2, window  # "→ { url: ..., duration_s: 10 }"
    model = "gemini-omni-video-1080p-video-ref"
    clean = studio_check(model, {"prompt": "...", "source_media_urls": [trimmed["url"]]})
    submitted = client.submit_job(request_for(model, clean))
    sent = bodies[-1]
    assert {key: sent[key] for key in ("model", "prompt", "source_media_urls")} == {
        "model": model, "prompt": "...", "source_media_urls": [trimmed["url"]]}, steps  # fmt: skip
    assert set(sent) - {"model", "prompt", "source_media_urls"} <= {"video_trim_start_s"}
    assert sent.get("video_trim_start_s", 0) == 0, cite(
        KUBEEZ, "Trim window start (seconds) for the reference video. Default 0."
    )
    assert submitted.reported_cost == Decimal(cite(KUBEEZ, "| gemini-omni-video-hd-video-ref |").text.split("|")[3])


def test_get_models_answers_every_documented_field(sandbox):
    client, _ = sandbox.client()
    listed = client.models()
    documented = ["model_id", "display_name", "provider", "model_type", "cost_per_generation",
                  "estimated_time_seconds", "generation_types", "requires_input_media", "input_media_types",
                  "capabilities"]  # fmt: skip
    for name in documented:
        cite(KUBEEZ_ACCOUNT, name)
    assert all(set(documented) <= set(entry) for entry in listed)
    assert {entry["model_id"] for entry in listed} == set(
        Offer.objects.filter(provider__slug="kubeez").values_list("model_id", flat=True)
    ), "the sandbox and the studio name the same models"


TRIM_REFUSALS = [
    ("missing_source_url", {"source_url": "", "end_s": 5}),
    ("unsafe_source_url", {"source_url": "file:///etc/passwd", "end_s": 5}),
    ("unsafe_source_url", {"source_url": "http://user:secret@example.com/clip.mp4", "end_s": 5}),
    ("unsafe_source_url", {"source_url": "http://127.0.0.1:9/clip.mp4", "end_s": 5}),
    ("unsafe_source_url", {"source_url": "http://169.254.169.254/latest/meta-data", "end_s": 5}),
    ("invalid_trim_range", {"source_url": "https://media.example/clip.mp4", "start_s": 5, "end_s": 5}),
    ("invalid_trim_range", {"source_url": "https://media.example/clip.mp4", "start_s": -1, "end_s": 5}),
    ("trim_too_long", {"source_url": "https://media.example/clip.mp4", "start_s": 0, "end_s": 60.5}),
]


@pytest.mark.parametrize(("code", "body"), TRIM_REFUSALS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(TRIM_REFUSALS)])
def test_trim_video_refuses_with_the_documented_code(code, body, sandbox):
    """trim_video has no studio quote; the studio's client must surface the sandbox's documented code."""
    doc = cite(KUBEEZ, f"{code} |", after=283)
    client, bodies = sandbox.client()
    with pytest.raises(ProviderError) as answer:
        client.trim_video(**body)
    assert (answer.value.code, answer.value.permanent) == (code, True), doc
    assert bodies[-1] == body


def test_trim_video_of_what_is_not_a_video_or_cannot_be_fetched(sandbox, tmp_path):
    client, _ = sandbox.client()
    picture = tmp_path / "still.png"
    picture.write_bytes(media.render_image("a still", 64, 64))
    (url,) = client.upload([LocalMedia(str(picture), "still.png", "image/png", "image")])
    with pytest.raises(ProviderError) as answer:
        client.trim_video(source_url=url, end_s=2)
    assert (answer.value.code, answer.value.permanent) == ("ffmpeg_failed", True), cite(KUBEEZ, "ffmpeg_failed |")
    raw = httpx.post(
        f"{sandbox.url}/kubeez/v1/trim/video",
        json={"source_url": f"{sandbox.url}/files/gone.mp4", "end_s": 2},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert raw.json()["error"] == "source_fetch_failed", cite(KUBEEZ, "source_fetch_failed |")
