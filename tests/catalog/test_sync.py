"""`sync_catalog` (idempotent, keeps staff settings, families line up across providers) and
`sync_catalog --live` (the models endpoints Kubflow and Kubeez document)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from catalog.datafile import provider_file_load
from catalog.live import LiveSyncError
from catalog.models import ModelFamily, Offer, Provider
from catalog.selectors import offers_enabled
from catalog.services import catalog_sync, catalog_sync_live, price_quote
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

DOCUMENTED_COUNTS = {"kubflow": 61, "kubeez": 65, "krea": 56, "cliprise": 61}


def test_sync_loads_every_documented_offer_and_is_idempotent():
    assert catalog_sync() == DOCUMENTED_COUNTS
    Provider.objects.filter(slug="krea").update(credit_rate=Decimal("0.25"), markup=Decimal("1.5"))
    Offer.objects.filter(model_id="z-image", provider__slug="kubflow").update(enabled=False)
    ModelFamily.objects.filter(slug="suno").update(enabled=False)
    before = sorted(Offer.objects.values_list("provider__slug", "model_id", "family__slug"))
    assert catalog_sync() == DOCUMENTED_COUNTS
    assert sorted(Offer.objects.values_list("provider__slug", "model_id", "family__slug")) == before
    assert Offer.objects.count() == sum(DOCUMENTED_COUNTS.values())
    krea = Provider.objects.get(slug="krea")
    assert (krea.credit_rate, krea.markup) == (Decimal("0.25"), Decimal("1.5"))
    assert not Offer.objects.get(model_id="z-image", provider__slug="kubflow").enabled
    assert not ModelFamily.objects.get(slug="suno").enabled


@pytest.mark.parametrize(
    ("family", "providers"),
    [
        ("kling-3-0", {"kubflow", "kubeez", "krea", "cliprise"}),  # the issue's own example
        ("nano-banana", {"kubflow", "kubeez", "krea", "cliprise"}),
        ("nano-banana-2", {"kubflow", "kubeez", "krea", "cliprise"}),
        ("seedream-4", {"kubflow", "kubeez", "krea", "cliprise"}),
        ("veo-3-1", {"kubflow", "kubeez", "krea", "cliprise"}),
        ("gpt-image-2", {"kubflow", "kubeez", "krea"}),
        ("flux-2", {"kubflow", "kubeez", "cliprise"}),
        ("imagen-4", {"kubeez", "krea", "cliprise"}),
        ("seedance-1", {"kubeez", "krea", "cliprise"}),
        ("gpt-image-1", {"kubflow", "krea", "cliprise"}),
    ],
)
def test_one_model_groups_its_offers_across_providers(family, providers):
    found = set()
    for slug in DOCUMENTED_COUNTS:
        found |= {slug for offer in provider_file_load(slug)["offers"] if offer["family"] == family}
    assert found == providers


def test_a_family_key_fixed_in_a_data_file_leaves_no_empty_family():
    catalog_sync(providers=["kubeez"])
    stale = ModelFamily.objects.create(slug="imagen-4-fast", name="Imagen 4 Fast", category="image")
    catalog_sync(providers=["kubeez"])
    assert not ModelFamily.objects.filter(pk=stale.pk).exists()
    assert Offer.objects.get(provider__slug="kubeez", model_id="imagen-4-fast").family.slug == "imagen-4"


def test_unpriced_offers_are_marked():
    catalog_sync(providers=["kubeez"])
    unpriced = {o["id"] for o in provider_file_load("kubeez")["offers"] if o.get("unpriced")}
    assert set(Offer.objects.filter(priced=False).values_list("model_id", flat=True)) == unpriced
    assert len(unpriced) == 37


# --- --live against the sandbox ---------------------------------------------------------------


def test_live_sync_reads_both_documented_models_endpoints_from_the_sandbox(sandbox):
    catalog_sync()
    out = io.StringIO()
    call_command("sync_catalog", "--live", stdout=out)
    text = out.getvalue()
    assert "kubflow live: 61 listed, 0 hidden" in text
    assert "kubeez live: 65 listed, 0 hidden" in text
    assert not Offer.objects.filter(provider__slug__in=["kubflow", "kubeez"], live_listed=False).exists()
    assert Offer.objects.filter(provider__slug="kubeez", live_listed=True).count() == 65
    # get_models' estimated_time_seconds is every Kubeez offer's typical time now
    assert not Offer.objects.filter(provider__slug="kubeez", estimated_seconds__isnull=True).exists()
    # Krea and Cliprise document no models endpoint: untouched
    assert not Offer.objects.filter(provider__slug__in=["krea", "cliprise"], live_listed__isnull=False).exists()


# --- --live with a Kubeez get_models answer chosen by the test ----------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        server.seen.append((self.path, self.headers.get("Authorization")))
        body = json.dumps(server.body).encode()
        self.send_response(server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def kubeez_api(settings) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.body, server.status, server.seen = {"models": []}, 200, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.PROVIDERS = {
        **settings.PROVIDERS,
        "kubeez": {"base_url": f"http://127.0.0.1:{server.server_address[1]}", "api_key": "test-key"},
    }
    yield server
    server.shutdown()
    server.server_close()


def _entries(**overrides) -> list[dict]:
    """Every Kubeez model listed, as get_models documents an entry; ``overrides`` per model id (None drops it)."""
    entries = []
    for offer in provider_file_load("kubeez")["offers"]:
        entry = {"model_id": offer["id"], "display_name": offer["name"], "cost_per_generation": None,
                 "estimated_time_seconds": 40, "generation_types": offer["generation_types"]}  # fmt: skip
        change = overrides.get(offer["id"], {})
        if change is None:
            continue
        entries.append({**entry, **change})
    return entries


def test_a_live_price_prices_an_offer_the_media_doc_left_unpriced(kubeez_api, client, people):
    catalog_sync()
    listed = _entries(
        **{
            "imagen-4": {"cost_per_generation": 8, "estimated_time_seconds": 12},
            "nano-banana-2": {"cost_per_generation": 16},  # by resolution: one figure can't price 4K
            "kling-3-0-motion-control-720p": {"cost_per_generation": 90},  # billed per second
            "seedream-v4-5": {"cost_per_generation": {"basic": 13, "high": 19}},  # a price per quality tier
            "gpt-image-2": {"cost_per_generation": 11},  # the documented 1K price: agrees
            "wan-2-5": None,  # no longer listed
        }
    )
    kubeez_api.body = {"models": [*listed, {"model_id": "brand-new-model", "cost_per_generation": 3}]}
    out = io.StringIO()
    call_command("sync_catalog", "kubeez", "--live", stdout=out)
    text = out.getvalue()
    assert kubeez_api.seen[0] == ("/v1/models", "Bearer test-key")

    imagen = Offer.objects.get(provider__slug="kubeez", model_id="imagen-4")
    assert imagen.priced and imagen.estimated_seconds == 12
    assert imagen.spec["price_source"]["field"] == "cost_per_generation"
    assert price_quote(offer=imagen, params={"prompt": "a lighthouse"}).provider_cost == Decimal("8")

    tiers = Offer.objects.get(provider__slug="kubeez", model_id="seedream-v4-5")
    assert price_quote(offer=tiers, params={"prompt": "p", "quality": "high"}).provider_cost == Decimal("19")

    for model_id in ("nano-banana-2", "kling-3-0-motion-control-720p"):
        assert not Offer.objects.get(provider__slug="kubeez", model_id=model_id).priced
    assert "nano-banana-2: the price varies by resolution" in text
    assert "kling-3-0-motion-control-720p: documented as billed per second" in text
    assert "listed but not documented (not added): brand-new-model" in text
    assert "hidden, not listed by the provider: wan-2-5" in text
    assert "live price differs" not in text

    assert not offers_enabled().filter(provider__slug="kubeez", model_id="wan-2-5").exists()
    assert not Offer.objects.filter(model_id="brand-new-model").exists()

    # A plain file sync keeps what the live list said.
    catalog_sync(providers=["kubeez"])
    assert Offer.objects.get(provider__slug="kubeez", model_id="imagen-4").priced
    assert not offers_enabled().filter(provider__slug="kubeez", model_id="wan-2-5").exists()

    # The model page says where the price comes from.
    browser = client_for_team(client, people.owner, people.team)
    page = browser.get("/catalog/imagen-4/").content.decode()
    assert 'data-testid="price-source"' in page and "cost_per_generation = 8" in page


def test_a_live_price_never_replaces_a_documented_one(kubeez_api):
    catalog_sync(providers=["kubeez"])
    kubeez_api.body = _entries(**{"gpt-image-2": {"cost_per_generation": 9}})  # a bare list is read too
    report = catalog_sync_live(providers=["kubeez"])["kubeez"]
    assert report.price_differs == ["gpt-image-2: get_models says 9, the docs 11 at default settings (docs kept)"]
    offer = Offer.objects.get(provider__slug="kubeez", model_id="gpt-image-2")
    assert price_quote(offer=offer, params={"prompt": "p"}).provider_cost == Decimal("11")


def test_an_unreachable_models_endpoint_changes_nothing(kubeez_api):
    catalog_sync(providers=["kubeez"])
    kubeez_api.status = 503
    with pytest.raises(LiveSyncError):
        catalog_sync_live(providers=["kubeez"])
    with pytest.raises(CommandError):
        call_command("sync_catalog", "kubeez", "--live", stdout=io.StringIO(), stderr=io.StringIO())
    assert not Offer.objects.filter(live_listed__isnull=False).exists()
