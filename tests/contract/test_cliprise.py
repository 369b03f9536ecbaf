"""Cliprise's contract: cases taken from its Business API reference (``sandbox/docs/004_fb39d99173eef484.txt``),
each citing the doc line it was read from.

- **Prices.** Every documented price of the Pricing Reference (each cell of each row; ranges by their
  documented bounds; per-second and per-5 000-character prices with real media of known length) is quoted
  by the studio (``catalog.services.price_quote``, the quoting path of the composer, the API and the CLI)
  and then sent through the studio's real Cliprise client over HTTP to the sandbox, which accepts it and
  charges its own account: both must equal the doc, and each other.
- **Refusals and errors.** Every field each card marks required, left out; every listed allowed value,
  broken; the limits and refusals the cards state; the generate error table (host, key, model id,
  insufficient credits, missing field) and the status states: produced by the sandbox, and mapped by the
  studio's client as the doc says (``ProviderError`` codes; the studio's own check refuses first where it can).
- **Example requests.** The doc's three example bodies, compared field by field with what the studio's
  client sends for the same request, and accepted by the sandbox as written.

The sandbox decides from its own reading (``sandbox/readings/cliprise.py``), the studio from
``catalog/data/cliprise.json``; neither is the expected value here: the doc line is.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import transaction

from catalog.models import Offer
from catalog.pricing import QuoteError
from catalog.services import catalog_sync, price_quote
from generations.providers.base import COMPLETED, FAILED, RUNNING, ProviderError, SubmitRequest
from generations.providers.cliprise import HOST_REFUSED, ClipriseClient, request_body
from tests.conftest import wait_for
from tests.contract.doc import CLIPRISE, DocLine, cite, line, lines
from tests.generations.media_files import mp4, served, wav

# The studio's catalog is read from the test database (loaded once per module, see ``offers``).
pytestmark = pytest.mark.django_db

HOOK = "http://127.0.0.1:9/hooks/cliprise/contract"  # nothing listens: delivery is best effort (line 191)
IMG = "https://example.com/ref.jpg"
IMG2 = "https://example.com/ref2.jpg"
VID = "https://example.com/motion.mp4"
AUD = "https://example.com/speech.wav"
PRICING = cite(CLIPRISE, "Pricing Reference", after=1000).line
INPUT_PARAMETERS = cite(CLIPRISE, "Input Parameters", after=300).line

# Media of known length for the prices billed per second of a source, served to the sandbox.
MEDIA = {
    "/clip-4.5.mp4": ("video/mp4", 4.5),
    "/speech-3.wav": ("audio/wav", 3.0),
    "/talk-7.25.wav": ("audio/wav", 7.25),
}

# The smallest request each offer takes: the card's required fields without a studio default.
BASE: dict[str, dict[str, Any]] = {
    "ideogram-reframe": {"prompt": "p", "image_url": [IMG]},
    "qwen-image-2": {"prompt": "p", "seed": 424242},
    "recraft-remove-bg": {"image": [IMG]},
    "recraft-upscaler": {"image": [IMG]},
    "sora-story-board": {"shots": [{"prompt": "a pier"}], "aspect_ratio": "16:9"},
    "wan-2-5": {"prompt": "p", "image_url": [IMG]},
    "wan-2-2": {"prompt": "p", "image_url": [IMG]},
    "wan-2-6-video": {"prompt": "p", "video_url": [VID]},
    "wan-animate-replace": {"image_url": [IMG], "video_url": ["{media}/clip-4.5.mp4"], "ref_video_seconds": "4.5"},
    "wan-animate-movie": {"image_url": [IMG], "video_url": ["{media}/clip-4.5.mp4"], "ref_video_seconds": "4.5"},
    "wan-speech-to-video": {"audio_url": ["{media}/speech-3.wav"], "output_seconds": "3"},
    "kling-2-6-motion": {"prompt": "p", "input_urls": [IMG], "video_urls": [VID], "duration": 10},
    "kling-3-motion": {"prompt": "p", "input_urls": [IMG], "video_urls": [VID], "duration": 10},
    "kling-3-multi-shot": {"multi_prompt": [{"prompt": "a shot", "duration": 5}]},
    "hailuo": {"prompt": "p", "image_url": [IMG]},
    "hailuo-pro": {"prompt": "p", "image_url": [IMG]},
    "hailuo-2-3-standard": {"prompt": "p", "image_url": [IMG]},
    "hailuo-2-3-pro": {"prompt": "p", "image_url": [IMG]},
    "runway": {"prompt": "p", "imageUrl": [IMG]},
    "grok-imagine-video": {"prompt": "p", "image_urls": [IMG]},
    "elevenlabs-tts-turbo": {"text": "hello", "voice": "Rachel", "language_code": "en"},
    "elevenlabs-tts": {"text": "hello", "voice": "Rachel", "language_code": "en"},
    "elevenlabs-v3-dialogue": {"dialogue": json.dumps([{"text": "Hi there", "voice": "A"}]), "language_code": "en"},
    "elevenlabs-speech-to-text": {"audio_url": ["{media}/talk-7.25.wav"], "audio_seconds": "7.25"},
    "elevenlabs-audio-isolation": {"audio_url": ["{media}/talk-7.25.wav"], "audio_seconds": "7.25"},
    "elevenlabs-sound-effect": {"text": "a door creaks", "duration_seconds": "3"},
}


# --- fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def offers(django_db_setup, django_db_blocker) -> dict[str, Offer]:
    """The studio's Cliprise offers as ``sync_catalog`` loads them (rolled back after reading)."""
    with django_db_blocker.unblock(), transaction.atomic():
        catalog_sync(providers=["cliprise"])
        found = {o.model_id: o for o in Offer.objects.filter(provider__slug="cliprise").select_related("provider")}
        transaction.set_rollback(True)
    return found


@pytest.fixture(scope="module")
def media_host():
    routes = {
        path: (kind, mp4(seconds) if kind == "video/mp4" else wav(seconds)) for path, (kind, seconds) in MEDIA.items()
    }
    with served(routes) as host:
        yield f"http://{host}"


@pytest.fixture(scope="module")
def shared_client(sandbox_process) -> ClipriseClient:
    return ClipriseClient(base_url=f"{sandbox_process.url}/cliprise", api_key="sandbox-key")


@pytest.fixture(scope="module")
def shared_raw(sandbox_process) -> httpx.Client:
    return httpx.Client(base_url=f"{sandbox_process.url}/cliprise/app/cliprise", timeout=10)


@pytest.fixture
def client(sandbox, shared_client) -> ClipriseClient:
    """The studio's Cliprise client (one per module: each makes its own TLS context), on a freshly reset sandbox."""
    sandbox.configure(fail="never")  # accepted and charged, never rendered: the price is what is tested
    return shared_client


@pytest.fixture
def raw(sandbox, shared_raw) -> httpx.Client:
    """Plain HTTP to the sandbox's Cliprise, for the wire itself."""
    return shared_raw


def post(raw: httpx.Client, body: Any, key: str = "sandbox-key", **headers: str) -> httpx.Response:
    return raw.post("/generate", json=body, headers={"Authorization": f"Bearer {key}", **headers})


def account(sandbox) -> dict[str, Any]:
    return sandbox.http.get("/cliprise/_sandbox/account").raise_for_status().json()


def _fill(params: dict[str, Any], media: str) -> dict[str, Any]:
    def put(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{media}", media)
        if isinstance(value, list):
            return [put(item) for item in value]
        return value

    return {key: put(value) for key, value in params.items()}


def quote_for(offers: dict[str, Offer], offer_id: str, params: dict[str, Any], media: str = ""):
    return price_quote(offer=offers[offer_id], params=_fill({**BASE.get(offer_id, {"prompt": "p"}), **params}, media))


def submit_request(offer: Offer, params: dict[str, Any], *, webhook: str | None = HOOK) -> SubmitRequest:
    """As the pipeline sends a job: the quote's checked parameters, stored as JSON (Decimals as strings)."""
    stored = {key: (str(value) if isinstance(value, Decimal) else value) for key, value in params.items()}
    return SubmitRequest(
        model_id=offer.model_id,
        category=offer.category,
        spec=offer.spec,
        params=stored,
        reference="gen_contract",
        webhook_url=webhook,
    )


def _amount_text(amount: int) -> tuple[str, str]:
    return str(amount), f"{amount:,}".replace(",", " ")


# --- prices -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceCase:
    offer: str
    params: dict[str, Any]
    needle: str  # the Pricing Reference row (or the card line that states the billing rule)
    amount: int | None = None  # a documented amount
    low: int | None = None  # a documented range
    high: int | None = None
    rate: int | None = None  # a documented rate per second or per block …
    units: int | None = None  # … times this many whole seconds or blocks
    note: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        shown = ",".join(f"{k}={v}" for k, v in self.params.items() if not str(v).startswith(("[", "{", "http")))
        return f"{self.offer}[{shown[:60]}]"


def _cells(offer: str, needle: str, name: str, pairs: list[tuple[Any, int]], **fixed: Any) -> list[PriceCase]:
    return [PriceCase(offer, {**fixed, name: value}, needle, amount=amount) for value, amount in pairs]


def _grid(offer: str, needle: str, names: tuple[str, str], cells: dict[tuple, int]) -> list[PriceCase]:
    return [PriceCase(offer, dict(zip(names, key, strict=True)), needle, amount=a) for key, a in cells.items()]


def _range(offer: str, needle: str, low: int, high: int, names: tuple[str, ...], *axes: list) -> list[PriceCase]:
    import itertools

    return [
        PriceCase(offer, dict(zip(names, combo, strict=True)), needle, low=low, high=high)
        for combo in itertools.product(*axes)
    ]


SPEEDS = ["TURBO", "BALANCED", "QUALITY"]
PRICES: list[PriceCase] = [
    PriceCase("nano-banana", {}, "nano-banana8per image — Standard", amount=8),
    *_cells("nano-banana-2", "nano-banana-216 / 24 / 36per image — 1K / 2K / 4K", "resolution",
            [("1K", 16), ("2K", 24), ("4K", 36)]),
    *_cells("nano-banana-pro", "nano-banana-pro33 / 44per image — 1K–2K / 4K", "resolution",
            [("1K", 33), ("2K", 33), ("4K", 44)]),
    *_cells("ideogram-v3", "ideogram-v37 / 13 / 18per image", "rendering_speed", list(zip(SPEEDS, (7, 13, 18), strict=True))),
    *_cells("ideogram-character", "ideogram-character22 / 33 / 44per image", "rendering_speed",
            list(zip(SPEEDS, (22, 33, 44), strict=True))),
    *_cells("ideogram-reframe", "ideogram-reframe7 / 13 / 18per image", "rendering_speed",
            list(zip(SPEEDS, (7, 13, 18), strict=True))),
    PriceCase("seedream-v3", {}, "seedream-v37per image", amount=7),
    PriceCase("seedream-v4", {}, "seedream-v49per image", amount=9),
    PriceCase("seedream-4-5", {}, "seedream-4-512per image", amount=12),
    PriceCase("seedream-5-lite", {}, "seedream-5-lite11per image", amount=11),
    *_range("qwen-image", "qwen-image2–7per image — varies by aspect ratio", 2, 7, ("image_size",),
            ["square", "square_hd", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"]),
    PriceCase("qwen-image-2", {}, "qwen-image-212per image", amount=12),
    PriceCase("flux-kontext-pro", {}, "flux-kontext9 / 18per image — Pro / Max", amount=9),
    PriceCase("flux-kontext-max", {}, "flux-kontext9 / 18per image — Pro / Max", amount=18),
    *_grid("flux-2", "flux-29 / 13 / 26 / 44per image — Pro 1K / Pro 2K / Flex 1K / Flex 2K", ("tier", "resolution"),
           {("Pro", "1K"): 9, ("Pro", "2K"): 13, ("Flex", "1K"): 26, ("Flex", "2K"): 44}),
    PriceCase("gpt-image-1", {}, "gpt-image-111per image", amount=11),
    *_cells("gpt-image-1-5", "gpt-image-1-58 / 44per image — Medium / High", "quality", [("medium", 8), ("high", 44)]),
    *_cells("imagen-v4", "imagen-v48 / 22per image — Fast / Ultra", "tier", [("Fast", 8), ("Ultra", 22)]),
    PriceCase("z-image", {}, "z-image2per image", amount=2),
    PriceCase("grok-imagine", {}, "grok-imagine8per call — Both tiers (t2i 6 imgs / i2i 2 imgs)", amount=8),
    PriceCase("grok-imagine", {"image_urls": [IMG]}, "grok-imagine8per call — Both tiers", amount=8),
    PriceCase("recraft-remove-bg", {}, "recraft-remove-bg2per image", amount=2),
    PriceCase("recraft-upscaler", {}, "recraft-upscaler1per image", amount=1),
    PriceCase("veo-3-fast", {}, "veo-3-fast108per video", amount=108),
    PriceCase("veo-3-quality", {}, "veo-3-quality720per video", amount=720),
    *_cells("sora-2", "sora-254 / 63per video — 10 s / 15 s", "n_frames", [("250", 54), ("375", 63)]),
    *_grid("sora-2-turbo", "sora-2-turbo270 / 486 / 594 / 1 134per video — Std 10s / Std 15s / High 10s / High 15s",
           ("size", "n_frames"),
           {("Standard", "250"): 270, ("Standard", "375"): 486, ("High", "250"): 594, ("High", "375"): 1134}),
    *_cells("sora-story-board", "sora-story-board270 / 486 / 699per video — 10 s / 15 s / 25 s", "n_frames",
            [("250", 270), ("375", 486), ("625", 699)]),
    *_grid("wan-2-5", "wan-2-5108 / 216 / 180 / 360per video", ("resolution", "duration"),
           {("720p", 5): 108, ("720p", 10): 216, ("1080p", 5): 180, ("1080p", 10): 360}),
    *_cells("wan-2-2", "wan-2-272 / 108per video — 480p / 720p", "resolution", [("480p", 72), ("720p", 108)]),
    *_range("wan-2-6", "wan-2-6140–630per video — 720p/1080p × 5s/10s/15s", 140, 630, ("resolution", "duration"),
            ["720p", "1080p"], ["5", "10", "15"]),
    *_grid("wan-2-6-video", "wan-2-6-video140 / 280 / 210 / 420per video", ("resolution", "duration"),
           {("720p", "5"): 140, ("720p", "10"): 280, ("1080p", "5"): 210, ("1080p", "10"): 420}),
    *[PriceCase(o, {"resolution": r}, "wan-animate11 / 18 / 23per second — 480p / 580p / 720p", rate=rate, units=5)
      for o in ("wan-animate-replace", "wan-animate-movie") for r, rate in (("480p", 11), ("580p", 18), ("720p", 23))],
    *[PriceCase("wan-speech-to-video", {"resolution": r}, "wan-speech-to-video22 / 33 / 44per second", rate=rate,
                units=3) for r, rate in (("480p", 22), ("580p", 33), ("720p", 44))],
    PriceCase("wan-speech-to-video", {"num_frames": 81, "frames_per_second": 16, "output_seconds": "5.0625"},
              "wan-speech-to-video22 / 33 / 44per second", rate=22, units=6,
              note="num_frames and frames_per_second control output length (line 737): 81 / 16 = 5.06 s"),
    *_cells("kling-video-turbo", "kling-video-turbo76 / 152per video — 5 s / 10 s", "duration", [("5", 76), ("10", 152)]),
    *_cells("kling-2-5", "kling-2-5 (alias)76 / 152per video", "duration", [("5", 76), ("10", 152)]),
    *[case for offer in ("kling-2-1-standard", "kling-2-1-pro", "kling-2-1-master")
      for case in _range(offer, "kling-2-145–576per video — Std/Pro/Master × 5s/10s", 45, 576, ("duration",),
                         ["5", "10"])],
    *_grid("kling-2-6", "kling-2-699 / 198 / 198 / 396per video — 5s no snd / 5s snd / 10s no snd / 10s snd",
           ("duration", "sound"), {("5", False): 99, ("5", True): 198, ("10", False): 198, ("10", True): 396}),
    *[PriceCase("kling-2-6-motion", {"resolution": r}, "kling-2-6-motion12 / 18per second — 720p / 1080p",
                rate=rate, units=10) for r, rate in (("720p", 12), ("1080p", 18))],
    *_range("kling-3", "kling-3200–1200per video — Std/Pro × 5s/10s/15s × sound/no sound", 200, 1200,
            ("mode", "duration", "sound"), ["std", "pro"], ["5", "10", "15"], [False, True]),
    *[PriceCase("kling-3-motion", {"resolution": r}, "kling-3-motion24 / 40per second — 720p / 1080p",
                rate=rate, units=10) for r, rate in (("720p", 24), ("1080p", 40))],
    *_range("kling-3-multi-shot", "kling-3-multi-shot200–810per video — Std/Pro × 5s/10s/15s", 200, 810,
            ("mode", "duration"), ["std", "pro"], ["5", "10", "15"]),
    *_grid("hailuo", "hailuo22 / 36 / 54 / 90per video — 512p 6s / 512p 10s / 768p 6s / 768p 10s",
           ("resolution", "duration"), {("512P", "6"): 22, ("512P", "10"): 36, ("768P", "6"): 54, ("768P", "10"): 90}),
    PriceCase("hailuo-pro", {}, "hailuo-pro103per video", amount=103),
    *_cells("hailuo-2-3-standard", "hailuo-2-354 / 90 / 90 / 162per video — Std 768p / Std 1080p", "resolution",
            [("768P", 54), ("1080P", 90)]),
    *_cells("hailuo-2-3-pro", "hailuo-2-354 / 90 / 90 / 162per video — Std 768p / Std 1080p / Pro 768p / Pro 1080p",
            "resolution", [("768P", 90), ("1080P", 162)]),
    *[case for offer in ("seedance-v1-lite", "seedance-v1-pro")
      for case in _range(offer, "seedance-v118–252per video — Lite/Pro × 480p–1080p × 5s/10s", 18, 252,
                         ("resolution", "duration"), ["480p", "720p", "1080p"], [5, 10])],
    *_grid("seedance-v1-pro-fast", "seedance-v1-pro-fast29 / 65 / 65 / 130per video", ("resolution", "duration"),
           {("720p", "5"): 29, ("720p", "10"): 65, ("1080p", "5"): 65, ("1080p", "10"): 130}),
    *_grid("seedance-1-5-pro", "seedance-1-5-pro8 / 14 / 14 / 28 / 19 / 38per video", ("resolution", "duration"),
           {("480p", "4"): 8, ("720p", "4"): 14, ("480p", "8"): 14, ("720p", "8"): 28, ("480p", "12"): 19,
            ("720p", "12"): 38}),
    *_cells("runway", "runway198 / 396per video — 5 s / 10 s", "duration", [("5", 198), ("10", 396)]),
    PriceCase("runway-aleph", {}, "runway-aleph198per video", amount=198),
    *_range("grok-imagine-video", "grok-imagine-video20–80per video — 480p/720p × 6s/10s/15s", 20, 80,
            ("resolution", "duration"), ["480p", "720p"], ["6", "10", "15"]),
    *[PriceCase(o, {"text": text}, f"{o}49per 5 000 characters", rate=49, units=blocks)
      for o in ("elevenlabs-tts-turbo", "elevenlabs-tts") for text, blocks in (("hello", 1), ("x" * 5001, 2))],
    PriceCase("elevenlabs-v3-dialogue", {}, "elevenlabs-v3-dialogue1per 5 000 characters", rate=1, units=1),
    PriceCase("elevenlabs-speech-to-text", {}, "elevenlabs-speech-to-text7per second of audio", rate=7, units=8),
    PriceCase("elevenlabs-audio-isolation", {}, "elevenlabs-audio-isolation1per second of audio", rate=1, units=8),
    *[PriceCase("elevenlabs-sound-effect", {"duration_seconds": s}, "elevenlabs-sound-effect1per second of audio",
                rate=1, units=u) for s, u in (("3", 3), ("4.5", 5))],
]  # fmt: skip


@pytest.mark.parametrize("case", PRICES, ids=[case.id for case in PRICES])
def test_documented_price_is_quoted_by_the_studio_and_charged_by_the_sandbox(offers, client, sandbox, media_host, case):
    doc = cite(CLIPRISE, case.needle, after=PRICING)
    quote = quote_for(offers, case.offer, case.params, media_host)
    task_id = client.submit(submit_request(offers[case.offer], quote.params))
    charged = Decimal(account(sandbox)["tasks"][task_id]["credits"])

    if case.amount is not None:
        assert any(text in doc.text for text in _amount_text(case.amount)), doc
        expected = Decimal(case.amount)
        assert quote.provider_cost == expected, f"the studio quotes {quote.provider_cost} ({doc})"
        assert charged == expected, f"the sandbox charges {charged} ({doc})"
    elif case.low is not None:
        assert f"{case.low}–{case.high}" in doc.text, doc
        assert case.low <= quote.provider_cost <= case.high, f"the studio quotes {quote.provider_cost} ({doc})"
        assert case.low <= charged <= case.high, f"the sandbox charges {charged} ({doc})"
        if quote.estimated:
            assert quote.charge_note, "a price inside a documented range says what is charged"
    else:
        assert f"{case.rate}" in doc.text, doc
        expected = Decimal(case.rate) * case.units
        assert quote.provider_cost == expected, f"the studio quotes {quote.provider_cost}, not {expected} ({doc})"
        assert charged == expected, f"the sandbox charges {charged}, not {expected} ({doc})"
    assert charged == quote.provider_cost, f"studio {quote.provider_cost} ≠ sandbox {charged} ({doc})"
    charges = sandbox.http.get("/_sandbox/charges").raise_for_status().json()["cliprise"]
    assert Decimal(charges["jobs"][task_id]) == charged, "the sandbox's charges list agrees with its account"


def _pricing_row(entry: str) -> DocLine:
    for number in range(PRICING, len(lines(CLIPRISE)) + 1):
        text = lines(CLIPRISE)[number - 1]
        if text.startswith(entry) and text[len(entry)] in "0123456789 ":
            return line(CLIPRISE, number)
    raise LookupError(entry)


def test_the_pricing_reference_agrees_with_the_model_catalog_table():
    """Each Pricing Reference row's amounts span exactly the Credits column of the Model Catalog (lines 214-272)."""
    catalog = {}
    for number in range(cite(CLIPRISE, "model_id Display name Category Credits").line, PRICING):
        match = re.match(r"^([a-z0-9-]+?)[A-Z].*?(image|video|audio)([\d–]+)per", lines(CLIPRISE)[number - 1])
        if match:
            catalog[match.group(1)] = (match.group(3), number)
    assert (
        len(catalog)
        == 55
        == int(
            re.search(r"(\d+) documented catalog entries", cite(CLIPRISE, "documented catalog entries").text).group(1)
        )
    )
    for entry, (credits, number) in catalog.items():
        row = _pricing_row(entry)
        amounts = [
            int(a.replace(" ", ""))
            for a in re.findall(r"\d[\d ]*(?=\s*[/–p])", row.text[len(entry) :].split("per")[0] + "p")
        ]
        bounds = [int(part) for part in credits.split("–")]
        assert (min(amounts), max(amounts)) == (bounds[0], bounds[-1]), f"{line(CLIPRISE, number)} vs {row}"


# --- the cards: required fields and allowed values --------------------------------------------------

# Offers whose request value is a routed variant of a catalog entry (lines 493, 765, 876, 890, 725).
ROUTED = {
    "flux-kontext-pro": "flux-kontext", "flux-kontext-max": "flux-kontext",
    "kling-2-1-standard": "kling-2-1", "kling-2-1-pro": "kling-2-1", "kling-2-1-master": "kling-2-1",
    "hailuo-2-3-standard": "hailuo-2-3", "hailuo-2-3-pro": "hailuo-2-3",
    "seedance-v1-lite": "seedance-v1", "seedance-v1-pro": "seedance-v1",
    "wan-animate-replace": "wan-animate", "wan-animate-movie": "wan-animate",
}  # fmt: skip
OFFER_IDS = sorted({case.offer for case in PRICES})


def _card(offer_id: str) -> int:
    entry = ROUTED.get(offer_id, offer_id)
    for number in range(INPUT_PARAMETERS, PRICING):
        if lines(CLIPRISE)[number - 1].startswith(f"{entry} "):
            return number
    raise LookupError(offer_id)


def _section(card: int, label: str) -> DocLine:
    return line(CLIPRISE, cite(CLIPRISE, label, after=card).line + 1)


def _required_cases() -> list[tuple[str, str, DocLine]]:
    cases = []
    for offer_id in OFFER_IDS:
        names = _section(_card(offer_id), "Required fields")
        if names.text.startswith("Optional fields"):
            continue  # kling-2-5: "Parameters follow kling-video-turbo"
        cases += [(offer_id, name, names) for name in names.text.split()]
    return cases


REQUIRED = _required_cases()


@pytest.mark.parametrize(("offer_id", "name", "doc"), REQUIRED, ids=[f"{o}-{n}" for o, n, _ in REQUIRED])
def test_a_required_field_left_out_is_refused_as_the_doc_says(offers, client, sandbox, media_host, offer_id, name, doc):
    # "Missing required field | 200 | {"code": 400, "msg": "This field is required", "data": null}" (line 207)
    table = cite(CLIPRISE, "Missing required field200")
    offer = offers[offer_id]
    fields = {f["name"]: f for f in offer.spec["fields"]}
    assert name in fields, f"the studio has no field {name} ({doc})"
    params = dict(quote_for(offers, offer_id, {}, media_host).params)
    without = {k: v for k, v in params.items() if k != name}
    if "default" not in fields[name]:  # the studio's own check refuses it first (one with a default fills it)
        with pytest.raises(QuoteError):
            price_quote(offer=offer, params=without)
    before = account(sandbox)["charged"]

    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request(offer, without))

    assert (caught.value.code, caught.value.permanent) == ("invalid_request", True), (doc, table)
    assert caught.value.message == "This field is required", (caught.value.message, doc)
    assert account(sandbox)["charged"] == before, "a refused request costs nothing (line 1245)"


def _allowed_values(card: int, names: set[str]) -> list[tuple[str, list[str], DocLine]]:
    """The card's "ParameterAllowed values" rows: (field, values, line)."""
    start = cite(CLIPRISE, "ParameterAllowed values", after=card).line
    found = []
    for number in range(start + 1, start + 8):
        text = lines(CLIPRISE)[number - 1]
        name = max((n for n in names if text.startswith(n)), key=len, default=None)
        if name is None:
            break
        rest = text[len(name) :]
        if rest.startswith(" ") and not rest.startswith(" (via options)"):
            continue  # a note about the field ("seed range: …", "size maps to …"), not its values
        rest = rest.removeprefix(" (via options)")
        if any(word in rest for word in ("pipeline-specific", "includes", "same families", "no FICTION", "see ")):
            continue
        values = [re.sub(r"\s*\(.*\)$", "", v).strip() for v in rest.split(" | ")]
        found.append((name, values, line(CLIPRISE, number)))
    return found


def _enum_cases() -> list[tuple[str, str, list[str], DocLine]]:
    cases = []
    for offer_id in OFFER_IDS:
        card = _card(offer_id)
        try:
            if cite(CLIPRISE, "ParameterAllowed values", after=card).line > _next_card(card):
                continue
        except LookupError:
            continue
        names = set(_section(card, "Required fields").text.split()) | set(
            _section(card, "Optional fields").text.split()
        )
        cases += [(offer_id, name, values, doc) for name, values, doc in _allowed_values(card, names)]
    return cases


def _next_card(card: int) -> int:
    headings = [n for n in range(card + 1, PRICING) if re.match(r"^[a-z0-9-]+ [A-Z]", lines(CLIPRISE)[n - 1])]
    return headings[0] if headings else PRICING


ENUMS = _enum_cases()


def _quote_with(offers: dict[str, Offer], offer_id: str, name: str, value: str, media: str):
    """The studio's quote with ``name`` at a documented value (as text, or as the number the field holds)."""
    try:
        return quote_for(offers, offer_id, {name: value}, media)
    except QuoteError:
        return quote_for(offers, offer_id, {name: int(value)}, media)


def _place(body: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """The body with ``name`` set to ``value`` where the client put it (input, or the root)."""
    body = json.loads(json.dumps(body))
    body.get("input", body)[name] = value
    return body


@pytest.mark.parametrize(
    ("offer_id", "name", "values", "doc"), ENUMS, ids=[f"{o}-{n}" for o, n, _, _ in ENUMS]
)  # fmt: skip
def test_a_value_outside_the_allowed_values_is_refused_by_both(
    offers, client, raw, media_host, offer_id, name, values, doc
):
    # "Application-level errors (missing fields, wrong enum value, …) return HTTP 200 with {"code": 400 …}"
    faq = cite(CLIPRISE, "Application-level errors (missing fields, wrong enum value")
    offer = offers[offer_id]
    good = _quote_with(offers, offer_id, name, values[0], media_host)
    numeric = all(v.isdigit() for v in values)
    bad = "7" if numeric else "no-such-value"
    with pytest.raises(QuoteError):
        quote_for(offers, offer_id, {name: bad}, media_host)
    body = request_body(submit_request(offer, good.params))
    sent = (body.get("input") or body).get(name)
    assert sent is not None and str(sent) in values, f"the studio sends {name}={sent!r}, the doc lists {values} ({doc})"
    wire_bad = (7 if isinstance(sent, int) else "7") if numeric else bad

    answer = post(raw, _place(body, name, wire_bad))

    assert answer.status_code == 200, doc
    assert answer.json()["code"] == 400 and name in answer.json()["msg"], (answer.json(), doc, faq)
    assert isinstance(post(raw, body).json(), (list, dict)), "the same request with the allowed value is accepted"


# --- limits and refusals the cards state ----------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    offer: str
    needle: str
    studio: dict[str, Any] | None  # what the studio's own check refuses (None: the studio never sends it)
    wire: dict[str, Any]  # the body change the sandbox refuses (input or root keys)
    message: str  # in the sandbox's msg


REFUSALS = [
    Refusal("ideogram-reframe", "Note: negative_prompt is not accepted by this route", {"negative_prompt": "blur"},
            {"negative_prompt": "blur"}, "negative_prompt"),
    Refusal("ideogram-character", "stylesame families as ideogram-v3 but no FICTION", {"style": "FICTION"},
            {"style": "FICTION"}, "FICTION"),
    Refusal("ideogram-reframe", "styleno FICTION", {"style": "FICTION"}, {"style": "FICTION"}, "FICTION"),
    Refusal("ideogram-character", "reference_image_urls accepts up to 3 URLs", {"reference_image_urls": [IMG] * 4},
            {"reference_image_urls": [IMG] * 4}, "at most 3"),
    Refusal("nano-banana-2", "References via image_input (up to 8 images)", {"image_input": [IMG] * 9},
            {"image_input": [IMG] * 9}, "at most 8"),
    Refusal("nano-banana-pro", "and up to 8 reference images", {"image_input": [IMG] * 9},
            {"image_input": [IMG] * 9}, "at most 8"),
    Refusal("qwen-image-2", "seed range: 10 000–999 999", {"seed": 9999}, {"seed": 9999}, "seed"),
    Refusal("qwen-image-2", "seed range: 10 000–999 999", {"seed": 1_000_000}, {"seed": 1_000_000}, "seed"),
    Refusal("z-image", "Up to 1 000-character prompt", {"prompt": "x" * 1001}, {"prompt": "x" * 1001}, "1000"),
    Refusal("veo-3-fast", "generationType is auto-set by the pipeline", None, {"generationType": "TEXT_2_VIDEO"},
            "generationType"),
    Refusal("veo-3-quality", "generationType is auto-set by the API; do not send it manually", None,
            {"generationType": "TEXT_2_VIDEO"}, "generationType"),
    Refusal("wan-2-5", "duration accepts an integer (5 or 10), not a string", None, {"duration": "5"}, "integer"),
    Refusal("sora-2", "Pass the frame count integer, not a duration string", None, {"n_frames": "10s"}, "n_frames"),
    Refusal("sora-2", "Plural URL fields such as image_urls", None, {"image_urls": IMG}, "array"),
    Refusal("wan-2-5", "Single media URLstring", None, {"image_url": [IMG]}, "single URL string"),
    Refusal("kling-3", "Booleansbooleansound", None, {"sound": "true"}, "boolean"),
    Refusal("ideogram-v3", "Integers or numbersinteger or numberseed", None, {"seed": "42"}, "number"),
    Refusal("nano-banana", "Media URL requirements: When you send source image", None,
            {"image_urls": ["ftp://example.com/a.png"]}, "http"),
]  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS, ids=[f"{c.offer}-{next(iter(c.wire))}" for c in REFUSALS])
def test_a_limit_or_refusal_a_card_states_is_kept_by_both(offers, client, raw, sandbox, case):
    doc = cite(CLIPRISE, case.needle)
    offer = offers[case.offer]
    good = quote_for(offers, case.offer, {})
    body = request_body(submit_request(offer, good.params))
    if case.studio is not None:
        with pytest.raises(QuoteError):
            quote_for(offers, case.offer, case.studio)
    else:  # a form only the wire can carry: the studio's client never sends it
        for key, value in case.wire.items():
            assert _leaves(body).get(key, _leaves(body).get(f"input.{key}")) != value, f"{key} ({doc})"
    wrong = body
    for key, value in case.wire.items():
        wrong = _place(wrong, key, value)
    before = account(sandbox)["charged"]

    answer = post(raw, wrong)

    assert answer.status_code == 200 and answer.json()["code"] == 400, (answer.json(), doc)
    assert case.message in answer.json()["msg"], (answer.json()["msg"], doc)
    assert account(sandbox)["charged"] == before, "refused before queueing: no credits (line 1245)"


# --- the generate endpoint's error table -------------------------------------------------------------------


def test_a_wrong_host_header_is_400_with_an_empty_body_and_a_permanent_configuration_error(offers, sandbox, raw):
    table = cite(CLIPRISE, "Wrong host header400empty body")
    gate = cite(CLIPRISE, "Host gate: Both endpoints require the Host header to be exactly business.api.cliprise.app")
    body = request_body(submit_request(offers["z-image"], quote_for(offers, "z-image", {}).params))
    for host in ("api.cliprise.app", "10.0.0.7", "business.api.cliprise.app.evil.example"):
        answer = post(raw, body, Host=host)
        assert (answer.status_code, answer.content) == (400, b""), (host, table)
    assert post(raw, body, Host="business.api.cliprise.app").status_code == 200, gate
    client = ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="sandbox-key")
    client.http.headers["Host"] = "api.cliprise.app"
    with pytest.raises(ProviderError) as caught:
        client.submit(submit_request(offers["z-image"], quote_for(offers, "z-image", {}).params))
    assert (caught.value.code, caught.value.permanent, caught.value.message) == ("invalid_request", True, HOST_REFUSED)


def test_a_missing_or_invalid_api_key_is_400_invalid_api_key_and_auth_failed(offers, sandbox, raw):
    table = cite(CLIPRISE, 'Missing or invalid API key400{"msg": "invalid_api_key"}')
    body = request_body(submit_request(offers["z-image"], quote_for(offers, "z-image", {}).params))
    assert (post(raw, body, key="wrong").status_code, post(raw, body, key="wrong").json()) == (
        400, {"msg": "invalid_api_key"}), table  # fmt: skip
    assert raw.post("/generate", json=body).json() == {"msg": "invalid_api_key"}, table
    wrong = ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="wrong")
    with pytest.raises(ProviderError) as caught:
        wrong.submit(submit_request(offers["z-image"], quote_for(offers, "z-image", {}).params))
    assert (caught.value.code, caught.value.permanent) == ("auth_failed", True), table


BASE_NAMES = [
    ("flux-kontext", 'Do not send base model: "flux-kontext" on this route', "flux-kontext-pro"),
    ("kling-2-1", 'Do not send base model: "kling-2-1" on generate', "kling-2-1-standard"),
    ("hailuo-2-3", 'Do not send base model: "hailuo-2-3" on generate', "hailuo-2-3-standard"),
    ("seedance-v1", 'Do not send base model: "seedance-v1" on generate', "seedance-v1-lite"),
    ("wan-animate", "Use routed model values wan-animate-replace or wan-animate-movie", "wan-animate-replace"),
    ("no-such-model", 'Invalid model ID400{"msg": "invalid_model_id"}', "z-image"),
]


@pytest.mark.parametrize(("base", "needle", "routed"), BASE_NAMES, ids=[b for b, _, _ in BASE_NAMES])
def test_an_invalid_model_id_or_a_family_base_name_is_400_invalid_model_id(
    offers, client, raw, media_host, base, needle, routed
):
    doc, table = cite(CLIPRISE, needle), cite(CLIPRISE, 'Invalid model ID400{"msg": "invalid_model_id"}')
    assert base not in offers, f"the studio offers {base} as a request value ({doc})"
    request = submit_request(offers[routed], quote_for(offers, routed, {}, media_host).params)
    body = {**request_body(request), "model": base}
    answer = post(raw, body)
    assert (answer.status_code, answer.json()) == (400, {"msg": "invalid_model_id"}), (doc, table)
    with pytest.raises(ProviderError) as caught:
        client.submit(SubmitRequest(**{**request.__dict__, "model_id": base}))
    assert (caught.value.code, caught.value.permanent) == ("invalid_request", True)
    assert "invalid_model_id" in caught.value.message


def test_insufficient_credits_are_code_400_inside_http_200_with_the_pricing_link(offers, client, sandbox):
    table = cite(CLIPRISE, "Insufficient credits200insufficient_credits + action_url (app pricing link)")
    sandbox.http.post("/cliprise/_sandbox/account", json={"balance": 100}).raise_for_status()
    request = submit_request(offers["veo-3-fast"], quote_for(offers, "veo-3-fast", {}).params)  # 108 > 100
    with pytest.raises(ProviderError) as caught:
        client.submit(request)
    assert (caught.value.code, caught.value.permanent) == ("insufficient_provider_credits", True), table
    assert "https://" in caught.value.message, "the action_url is passed on"
    assert account(sandbox)["balance"] == 100, "nothing was deducted"
    assert client.submit(submit_request(offers["z-image"], quote_for(offers, "z-image", {}).params)), "2 ≤ 100"
    assert account(sandbox)["balance"] == 98


def test_missing_input_object_and_options_or_url_lists_that_are_not_strings_are_refused(offers, raw):
    seedance = quote_for(offers, "seedance-v1-pro", {"image_url": [IMG], "aspect_ratio": "16:9", "resolution": "720p"})
    body = request_body(submit_request(offers["seedance-v1-pro"], seedance.params))
    cases = [
        ({k: v for k, v in body.items() if k != "input"}, "inputobjectYes*", "This field is required"),
        ({**body, "options": json.loads(body["options"])}, "options encoding: The options field must be a JSON string",
         "options must be a string"),
        ({**body, "imageURLList": [IMG]}, "imageURLListstringified JSON arrayConditional", "imageURLList must be a string"),
    ]  # fmt: skip
    video = request_body(submit_request(offers["wan-2-6-video"], quote_for(offers, "wan-2-6-video", {}).params))
    cases.append(({**video, "videoURLList": [VID]}, "videoURLListstringified JSON arrayConditional", "videoURLList"))
    for wrong, needle, message in cases:
        doc = cite(CLIPRISE, needle)
        answer = post(raw, wrong)
        assert answer.status_code == 200 and answer.json()["code"] == 400, (answer.json(), doc)
        assert message in answer.json()["msg"], (answer.json()["msg"], doc)


def test_a_root_only_model_reads_the_root_and_ignores_an_input_object(offers, raw):
    doc = cite(CLIPRISE, "Sending an input object for these models has no effect")
    inside = {"model": "flux-kontext-pro", "callBackUrl": HOOK, "input": {"prompt": "a"}}
    assert post(raw, inside).json() == {"code": 400, "msg": "This field is required", "data": None}, doc
    body = request_body(submit_request(offers["flux-kontext-pro"], quote_for(offers, "flux-kontext-pro", {}).params))
    assert "input" not in body and body["prompt"] == "p", cite(CLIPRISE, "Root-only model A model where all")
    assert post(raw, body).json()["code"] == 200


def test_options_model_must_stay_aligned_with_the_routed_flux_kontext_value(offers, raw):
    doc = cite(CLIPRISE, "if you also use options.model, keep it aligned with the routed model value")
    for offer_id, index in (("flux-kontext-pro", 0), ("flux-kontext-max", 1)):
        body = request_body(submit_request(offers[offer_id], quote_for(offers, offer_id, {}).params))
        assert json.loads(body["options"])["model"] == index, doc
        flipped = {**body, "options": json.dumps({**json.loads(body["options"]), "model": 1 - index})}
        answer = post(raw, flipped).json()
        assert answer["code"] == 400 and "aligned" in answer["msg"], (answer, doc)


# --- status ----------------------------------------------------------------------------------------------


def test_status_states_as_documented_and_as_the_studio_reads_them(offers, sandbox, raw):
    sandbox.configure(fail="none", delay=0.6)
    client = ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="sandbox-key")
    spec = offers["z-image"].spec
    task = client.submit(submit_request(offers["z-image"], quote_for(offers, "z-image", {"prompt": "a fox"}).params))
    params = {"apiKey": "sandbox-key", "taskId": task}

    processing = raw.get("/status", params=params)
    doc = cite(CLIPRISE, 'Processing 300 {"status": "processing"}')
    assert (processing.status_code, processing.json()) == (300, {"status": "processing"}), doc
    assert client.status(task, spec).status == RUNNING, doc

    done = wait_for(lambda: (r := raw.get("/status", params=params)).status_code == 200 and r, timeout=15)
    doc = cite(CLIPRISE, "Complete (JSON) 200 status field + fileURL with the result URL")
    assert done.json()["fileURL"].startswith("http"), doc
    state = client.status(task, spec)
    assert (state.status, state.outputs) == (COMPLETED, [done.json()["fileURL"]]), doc

    binary = raw.get("/status", params={**params, "download": "true"})
    doc = cite(CLIPRISE, "downloadNoPass string true to receive the binary file")
    assert (binary.status_code, binary.headers["content-type"]) == (200, "image/png"), doc
    assert binary.content == httpx.get(done.json()["fileURL"]).content, cite(CLIPRISE, "Complete (binary) 200 Raw")

    failing = client.submit(
        submit_request(
            offers["z-image"], quote_for(offers, "z-image", {"prompt": "x [sandbox fail=provider delay=0.1]"}).params
        )
    )
    time.sleep(0.3)
    failed = raw.get("/status", params={**params, "taskId": failing})
    doc = cite(CLIPRISE, "Failed 400 status + failMsg describing the failure reason")
    assert failed.status_code == 400 and failed.json()["failMsg"], doc
    state = client.status(failing, spec)
    assert (state.status, state.error_code, state.error) == (FAILED, "provider_failed", failed.json()["failMsg"]), doc
    charge = cite(CLIPRISE, "Credits are deducted when a task is accepted and queued for processing")
    assert account(sandbox)["tasks"][failing]["credits"] == 2, f"a failed task stays charged ({charge})"

    doc = cite(CLIPRISE, 'Invalid key 400 {"msg": "invalid_api_key"}')
    wrong = raw.get("/status", params={**params, "apiKey": "wrong"})
    assert (wrong.status_code, wrong.json()) == (400, {"msg": "invalid_api_key"}), doc
    with pytest.raises(ProviderError) as caught:
        ClipriseClient(base_url=f"{sandbox.url}/cliprise", api_key="wrong").status(task, spec)
    assert (caught.value.code, caught.value.permanent) == ("auth_failed", True), doc

    doc = cite(CLIPRISE, 'Invalid taskId 400 {"msg": "invalid_taskId"}')
    unknown = raw.get("/status", params={**params, "taskId": "0" * 32})
    assert (unknown.status_code, unknown.json()) == (400, {"msg": "invalid_taskId"}), doc
    with pytest.raises(ProviderError) as caught:
        client.status("0" * 32, spec)
    assert (caught.value.code, caught.value.permanent) == ("not_found", True), doc


def test_the_success_body_is_the_documented_array_or_bare_object_and_the_studio_reads_both(offers, client, raw):
    doc = cite(CLIPRISE, '[{"code": 200, "taskId": "f11021d5b56bc19932b336ac0dbf413f"}]')
    defensive = cite(CLIPRISE, "Handle both Array[0].taskId and .taskId")
    documented = json.loads(doc.text)
    for offer_id in ("z-image", "flux-kontext-pro"):
        body = request_body(submit_request(offers[offer_id], quote_for(offers, offer_id, {}).params))
        answer = post(raw, body).json()
        item = answer[0] if isinstance(answer, list) else answer
        assert set(item) == set(documented[0]) and item["code"] == 200, (answer, doc, defensive)
        assert re.fullmatch(r"[0-9a-f]{32}", item["taskId"]), doc
        assert client.submit(submit_request(offers[offer_id], quote_for(offers, offer_id, {}).params))


# --- the doc's example requests -----------------------------------------------------------------------------


def _example(first_needle: str) -> tuple[dict[str, Any], DocLine]:
    """The doc's JSON example whose body holds ``first_needle``, parsed from the doc's own lines."""
    start = cite(CLIPRISE, first_needle).line
    while not lines(CLIPRISE)[start - 1].strip().startswith(("{", "-d '{")):
        start -= 1
    text, number = [], start
    while True:
        current = lines(CLIPRISE)[number - 1]
        text.append(current.replace("-d '", "").rstrip("'"))
        if current.rstrip().rstrip("'").strip() == "}" and current.startswith(("}", "  }'")):
            break
        number += 1
    return json.loads("\n".join(text)), line(CLIPRISE, start)


EXAMPLES = [
    # (the example's model line, the studio's offer, the studio's params for the same request, documented price)
    ('"model": "qwen-image-2",', "qwen-image-2",
     {"prompt": "A peaceful mountain lake at sunrise", "image_size": "16:9", "output_format": "jpeg", "seed": 424242},
     "qwen-image-212per image"),
    ('"model": "flux-kontext-pro",', "flux-kontext-pro",
     {"prompt": "Cinematic aerial view of a city at golden hour", "outputFormat": "jpeg", "aspectRatio": "16:9"},
     "flux-kontext9 / 18per image"),
    ('"model": "seedance-v1-pro",', "seedance-v1-pro",
     {"prompt": "Ocean waves crashing on rocky shore", "image_url": ["https://example.com/ref.jpg"],
      "aspect_ratio": "16:9", "resolution": "720p", "duration": 5},
     "seedance-v118–252per video"),
]  # fmt: skip


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every field of a body by its path (``input.prompt``); ``options`` also opened (``options.model``)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out |= _leaves(item, f"{prefix}{key}.")
        return out
    path = prefix.rstrip(".")
    if path == "options" and isinstance(value, str):
        # A JSON string: what it holds is compared key by key, not its key order (the studio's spec comes
        # back from PostgreSQL's jsonb, which does not keep the order the doc writes).
        return {"options (a string)": True} | _leaves(json.loads(value), prefix)
    return {path: value}


def _field_index(entry: str) -> DocLine:
    """The model's row of the Field Index (every request key it takes)."""
    start = cite(CLIPRISE, "Field Index — All Models").line
    return next(
        line(CLIPRISE, n)
        for n in range(start, PRICING)
        if lines(CLIPRISE)[n - 1].startswith(entry) and lines(CLIPRISE)[n - 1][len(entry)] != "-"
    )


@pytest.mark.parametrize(("needle", "offer_id", "params", "price"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_the_doc_example_request_is_what_the_studio_sends_field_by_field(
    offers, client, raw, sandbox, needle, offer_id, params, price
):
    documented, doc = _example(needle)
    quote = price_quote(offer=offers[offer_id], params=params)
    sent = request_body(submit_request(offers[offer_id], quote.params, webhook=documented["callBackUrl"]))

    expected, actual = _leaves(documented), _leaves(sent)
    for path in sorted(expected):
        assert actual.get(path, "<absent>") == expected[path], f"{path}: studio {actual.get(path)!r} ({doc})"
    index = _field_index(ROUTED.get(offer_id, offer_id))
    for path in sorted(set(actual) - set(expected)):  # more than the example shows: only keys the model takes
        key = path.split(".")[-1]
        assert re.search(rf"(root:)?{re.escape(key)}\b", index.text), f"the studio also sends {path} ({index})"

    charged_row = cite(CLIPRISE, price, after=PRICING)
    answer = post(raw, documented).json()  # the doc's own body, as written, is accepted
    task = (answer[0] if isinstance(answer, list) else answer)["taskId"]
    charge = account(sandbox)["tasks"][task]["credits"]
    assert Decimal(charge) == quote.provider_cost, f"sandbox {charge}, studio {quote.provider_cost} ({charged_row})"
    assert str(charge) in charged_row.text, charged_row


def test_the_status_query_is_what_the_doc_shows(offers, sandbox):
    doc = cite(CLIPRISE, "GET /app/cliprise/status?apiKey=YOUR_CLIPRISE_API_KEY&taskId=TASK_ID HTTP/1.1")
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(300, json={"status": "processing"})

    client = ClipriseClient(base_url="https://business.api.cliprise.app", api_key="KEY")
    client.http = httpx.Client(base_url="https://business.api.cliprise.app", transport=httpx.MockTransport(answer))
    assert client.status("TASK_ID", offers["z-image"].spec).status == RUNNING
    (request,) = seen
    assert (request.method, request.url.path) == ("GET", "/app/cliprise/status"), doc
    assert dict(request.url.params) == {"apiKey": "KEY", "taskId": "TASK_ID"}, doc
    assert "authorization" not in request.headers, cite(CLIPRISE, "Query param (status)")


# --- the sandbox's reading holds its own citations -------------------------------------------------------------


def test_the_sandbox_reads_cliprise_from_its_own_doc_only():
    """sandbox/cliprise.py and its reading import nothing of the studio and name no file under catalog/."""
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, sandbox.cliprise, sandbox.readings.cliprise; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'accounts', 'catalog', 'billing', 'generations', 'api', 'project', 'django'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    for module in (root / "sandbox" / "cliprise.py", root / "sandbox" / "readings" / "cliprise.py"):
        text = module.read_text(encoding="utf-8")
        assert "catalog/" not in text and '"catalog"' not in text, module
    from sandbox.readings import cliprise as reading

    vendored = root / "sandbox" / "docs" / CLIPRISE
    assert vendored == reading.PATH, "the sandbox reads its own vendored copy of the doc"


def test_the_sandbox_reading_has_the_docs_55_entries_and_each_cited_line_holds_its_fact():
    from sandbox.readings import cliprise as reading

    catalog = [
        match.group(1)
        for number in range(
            cite(CLIPRISE, "model_id Display name Category Credits").line,
            cite(CLIPRISE, "Aspect Ratio & Size Quick Reference").line,
        )
        if (match := re.match(r"^([a-z0-9-]+?)[A-Z]", lines(CLIPRISE)[number - 1]))
    ]
    assert sorted(reading.MODELS) == sorted(catalog), cite(CLIPRISE, "55 documented catalog entries")
    assert reading._verify() == []
    for model in reading.MODELS.values():
        row = line(CLIPRISE, model.price.line)
        assert row.text.startswith(model.entry) and row.line > PRICING, row
        assert line(CLIPRISE, model.card_line).text.startswith(f"{model.entry} "), model.entry
    for value, number in reading.BASE_NOT_ROUTES.items():
        assert value in line(CLIPRISE, number).text and value not in reading.ROUTES
