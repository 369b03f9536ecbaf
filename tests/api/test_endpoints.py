"""The API's endpoints through the Django test client: shapes, refusals, and nothing made when refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.models import ApiSubmission
from billing.models import Hold, LedgerEntry, Wallet
from billing.services import BillingError
from generations.models import Generation, Status

pytestmark = pytest.mark.django_db


def _submit(api, body=None, **kwargs):
    body = body or {"model": "nano-banana", "prompt": "a fox in snow", "params": {"aspect_ratio": "16:9"}}
    return api.post("/generations", body, **kwargs)


def test_me_names_the_member_team_role_and_balance(api, rich_people, owner_key):
    response = api.get("/me")
    assert response.status_code == 200
    data = response.json()
    assert data["user"]["username"] == "olivia"
    assert data["team"] == {"id": rich_people.team.public_id, "slug": "northwind", "name": "Northwind"}
    assert data["role"] == "owner"
    assert data["api_access"] is True
    assert data["balance"] == {"available": "1000.00", "held": "0.00", "balance": "1000.00", "unit": "credits"}
    assert data["key"]["prefix"] == owner_key.api_key.prefix


def test_models_lists_enabled_offers_with_parameters_and_prices(api, catalog):
    response = api.get("/models", {"category": "video"})
    assert response.status_code == 200
    models = {m["id"]: m for m in response.json()["models"]}
    assert all(m["category"] == "video" for m in models.values())
    kling = models["kubflow:kling-3.0"]
    assert kling["model"] == "kling-3.0"
    assert kling["provider"] == "kubflow"
    assert kling["generation_types"] == ["text-to-video", "image-to-video"]
    params = {p["name"]: p for p in kling["parameters"]}
    assert params["mode"]["allowed_values"] == ["std", "pro"]
    assert (params["duration"]["min"], params["duration"]["max"]) == (3, 15)
    assert params["prompt"]["required"] is True
    assert (
        kling["price"]["summary"]
        == "27 credits/s (the top of the documented 14-27 credits/s, charged whatever the settings)"
    )
    assert kling["price"]["default_credits"] == "135.00"  # 5 s standard: std's own rate is not documented, 27/s

    images = api.get("/models", {"category": "image", "provider": "kubflow"}).json()["models"]
    gpt = next(m for m in images if m["model"] == "gpt-image-2")
    assert gpt["price"]["summary"] == "12 credits"
    assert api.get("/models", {"provider": "nobody"}).json() == {"models": [], "count": 0}
    refused = api.get("/models", {"category": "sculpture"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_category"


def test_quote_prices_the_request_as_the_catalog_does(api, catalog):
    response = api.post(
        "/quotes",
        {"model": "kling-3.0", "category": "video", "prompt": "waves", "params": {"duration": 10, "mode": "pro"}},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    # "Kling 3.0 kling-3.0 | 14-27 credits/s": pro without sound is priced only inside the range, so the top is
    # charged; Kie.ai's 18/s is the likely price, and the answer says so
    assert data["credits"] == "270.00"
    assert data["likely_credits"] == "180.00"
    assert "the documented top, 270 credits, is charged" in data["charge_note"]
    assert data["offer"] == "kubflow:kling-3.0"
    assert data["params"]["duration"] == 10
    assert data["params"]["sound"] is False, "defaults are filled in"
    assert "Kling 3.0 Pro" in data["breakdown"]
    assert data["affordable"] is True
    assert not Generation.objects.exists(), "a quote holds nothing"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"model": "kling-3.0", "prompt": "waves", "params": {"duration": 99}}, "invalid_params"),
        ({"model": "kling-3.0", "prompt": "waves", "params": {"colour": "red"}}, "invalid_params"),
        ({"model": "kling-3.0", "params": {}}, "invalid_params"),
        ({"model": "kling-3.0", "category": "image", "prompt": "waves"}, "category_mismatch"),
        ({"model": "kling-3.0", "category": "sculpture", "prompt": "waves"}, "invalid_category"),
        ({"model": "no-such-model", "prompt": "waves"}, "unknown_model"),
        ({"prompt": "waves"}, "invalid_request"),
        ({"model": 7, "prompt": "waves"}, "invalid_request"),
        ({"model": "kling-3.0", "prompt": "waves", "params": [1, 2]}, "invalid_request"),
        ({"model": "kling-3.0", "prompt": "waves", "colour": "red"}, "invalid_request"),
    ],
)
def test_refused_requests_answer_400_with_a_code(api, catalog, body, code):
    for path in ("/quotes", "/generations"):
        response = api.post(path, body)
        assert response.status_code == 400, (path, response.content)
        assert response.json()["error"] == code
        assert response.json()["message"]
    assert not Generation.objects.exists()


def test_a_family_name_needs_a_variant(api, all_catalogs):
    response = api.post("/quotes", {"model": "seedance-2", "provider": "kubeez", "prompt": "a dancer"})
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "variant_required"
    assert "seedance-2-480p" in data["available_variants"]


def test_without_a_provider_the_cheapest_offer_of_the_family_runs(api, all_catalogs):
    response = api.post("/quotes", {"model": "nano-banana", "prompt": "a fox"})
    assert response.status_code == 200, response.content
    cheapest = response.json()
    for provider in ("kubflow", "kubeez", "krea", "cliprise"):
        other = api.post("/quotes", {"model": "nano-banana", "prompt": "a fox", "provider": provider})
        if other.status_code == 200:
            assert Decimal(other.json()["credits"]) >= Decimal(cheapest["credits"])


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", "", "null", b"\xff\xfe"])
def test_malformed_json_is_a_400_not_a_500(api, catalog, body):
    for path in ("/quotes", "/generations"):
        response = api.post(path, body)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_json"


def test_submit_holds_credits_and_answers_kubflows_fields(api, rich_people, catalog):
    response = _submit(api)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["generation_id"].startswith("gen_")
    assert data["status"] == "queued"
    assert data["status_url"] == f"http://testserver/api/v1/generations/{data['generation_id']}"
    assert response["Location"] == data["status_url"]
    assert data["estimated_credits"] == "4.00"
    generation = Generation.objects.get(public_id=data["generation_id"])
    assert generation.created_by == rich_people.owner
    assert generation.params["aspect_ratio"] == "16:9"
    assert ApiSubmission.objects.get(generation=generation).callback_url == ""
    assert Wallet.objects.get(team=rich_people.team).held == Decimal("4")

    status = api.get(f"/generations/{data['generation_id']}").json()
    assert status["status"] == "queued"
    assert status["progress"] == 0
    assert (status["result_url"], status["outputs"], status["error"]) == (None, [], None)
    assert status["estimated_credits"] == "4.00"
    assert status["charged_credits"] is None


def test_the_same_idempotency_key_and_body_return_the_same_generation(api, catalog):
    first = _submit(api, headers={"Idempotency-Key": "batch-7"})
    again = _submit(api, headers={"Idempotency-Key": "batch-7"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["generation_id"] == again.json()["generation_id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Generation.objects.count() == 1

    changed = _submit(
        api, {"model": "nano-banana", "prompt": "a different fox"}, headers={"Idempotency-Key": "batch-7"}
    )
    assert changed.status_code == 409
    assert changed.json()["error"] == "idempotency_conflict"
    assert Generation.objects.count() == 1
    assert _submit(api, headers={"Idempotency-Key": "batch-8"}).status_code == 201


def test_insufficient_credits_is_402_and_creates_nothing(client, people, catalog):
    from api.services import api_key_create
    from tests.api.conftest import Api

    key = api_key_create(team=people.team, user=people.owner, name="poor")
    api = Api(client, key.key)
    entries = LedgerEntry.objects.count()
    response = api.post("/generations", {"model": "kling-3.0", "prompt": "waves", "params": {"duration": 15}})
    assert response.status_code == 402
    data = response.json()
    assert data["error"] == "insufficient_credits"
    assert (data["needed_credits"], data["available_credits"]) == ("405.00", "100.00")  # 27/s × 15 s
    assert not Generation.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_a_key_acts_within_its_members_spend_limit(client, rich_people, catalog):
    from accounts.models import Membership
    from api.services import api_key_create
    from billing.services import member_limit_set
    from tests.api.conftest import Api

    membership = Membership.objects.get(team=rich_people.team, user=rich_people.teammate)
    member_limit_set(membership=membership, actor=rich_people.owner, monthly_limit=Decimal("5"))
    api = Api(client, api_key_create(team=rich_people.team, user=rich_people.teammate, name="theo").key)
    assert _submit(api).status_code == 201  # 4 credits
    response = _submit(api, {"model": "nano-banana", "prompt": "another fox"})
    assert response.status_code == 402
    assert response.json()["error"] == "spend_limit_exceeded"
    assert response.json()["limit"] == "member_limit"
    assert Generation.objects.count() == 1


def test_any_billing_refusal_is_402_with_its_code(api, catalog, monkeypatch):
    class SpendLimitReached(BillingError):
        code = "spend_limit_reached"

    def refuse(**kwargs):
        raise SpendLimitReached("Your monthly spend limit is reached.")

    monkeypatch.setattr("api.services.generation_submit", refuse)
    response = _submit(api)
    assert response.status_code == 402
    assert response.json() == {"error": "spend_limit_reached", "message": "Your monthly spend limit is reached."}


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://169.254.169.254/latest", "ftp://example.com/x"],
)
def test_an_unsafe_callback_url_is_refused(api, catalog, url):
    response = _submit(api, {"model": "nano-banana", "prompt": "a fox", "callback_url": url})
    assert response.status_code == 400
    assert response.json()["error"] == "unsafe_source_url"
    assert response.json()["field"] == "callback_url"
    assert not Generation.objects.exists()


def test_list_is_newest_first_filtered_and_paginated(api, catalog):
    ids = [_submit(api, {"model": "nano-banana", "prompt": f"fox {n}"}).json()["generation_id"] for n in range(3)]
    video = api.post("/generations", {"model": "kling-3.0", "prompt": "waves", "params": {"duration": 3}})
    ids.append(video.json()["generation_id"])

    everything = api.get("/generations").json()
    assert [g["generation_id"] for g in everything["generations"]] == ids[::-1]
    assert everything["has_more"] is False

    page = api.get("/generations", {"limit": 2}).json()
    assert [g["generation_id"] for g in page["generations"]] == ids[:1:-1]
    assert page["has_more"] is True
    rest = api.get("/generations", {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [g["generation_id"] for g in rest["generations"]] == ids[1::-1]
    assert rest["has_more"] is False

    def listed(**query):
        return [g["generation_id"] for g in api.get("/generations", query).json()["generations"]]

    assert listed(model="kling-3.0") == [ids[3]]
    assert listed(model="kling-3-0") == [ids[3]]
    assert listed(generation_type="text-to-video") == [ids[3]]
    assert listed(category="image") == ids[2::-1]
    assert listed(status="queued") == ids[::-1]
    assert listed(status="completed") == []
    assert api.get("/generations", {"status": "sleeping"}).status_code == 400
    assert api.get("/generations", {"limit": 0}).status_code == 400
    assert api.get("/generations", {"limit": "many"}).status_code == 400


def test_cancel_releases_the_hold_once(api, rich_people, catalog):
    public_id = _submit(api).json()["generation_id"]
    response = api.post(f"/generations/{public_id}/cancel")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["status"] == "canceled"
    assert data["charged_credits"] == "0.00"
    assert data["error"]
    assert Wallet.objects.get(team=rich_people.team).held == Decimal("0")
    assert Hold.objects.get(generation__public_id=public_id).state == "released"

    again = api.post(f"/generations/{public_id}/cancel")
    assert again.status_code == 409
    assert again.json()["error"] == "not_cancelable"
    assert api.get("/generations", {"status": "canceled"}).json()["generations"][0]["generation_id"] == public_id


def test_balance_and_usage(api, rich_people, catalog):
    from generations.services.pipeline import _finish

    public_id = _submit(api).json()["generation_id"]
    generation = Generation.objects.get(public_id=public_id)
    _finish(generation, Status.COMPLETED)

    assert api.get("/balance").json() == {
        "available": "996.00",
        "held": "0.00",
        "balance": "996.00",
        "unit": "credits",
    }
    usage = api.get("/usage").json()
    assert usage["total_credits"] == "4.00"
    assert usage["generations"] == 1
    (day,) = usage["days"]
    assert day["models"] == [
        {
            "offer": "kubflow:nano-banana",
            "model": "nano-banana",
            "provider": "kubflow",
            "credits": "4.00",
            "generations": 1,
        }
    ]
    assert usage["models"][0]["credits"] == "4.00"

    empty = api.get("/usage", {"start": "2020-01-01", "end": "2020-01-31"}).json()
    assert (empty["total_credits"], empty["days"]) == ("0.00", [])
    assert api.get("/usage", {"start": "yesterday"}).status_code == 400
    assert api.get("/usage", {"start": "2020-02-01", "end": "2020-01-01"}).status_code == 400
    assert api.get("/usage", {"start": "2020-01-01", "end": "2022-01-01"}).status_code == 400


def test_unknown_paths_and_methods_answer_json(api):
    missing = api.get("/nothing/here")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    wrong = api.client.delete("/api/v1/me", headers=api.headers)
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "method_not_allowed"


def test_openapi_document_is_public_and_names_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]
    assert set(document["paths"]) == {
        "/openapi.json",
        "/me",
        "/models",
        "/quotes",
        "/generations",
        "/generations/{generation_id}",
        "/generations/{generation_id}/cancel",
        "/generations/{generation_id}/outputs/{index}",
        "/batches",
        "/batches/{batch_id}",
        "/batches/{batch_id}/cancel",
        "/balance",
        "/usage",
    }
    schemes = document["components"]["securitySchemes"]
    assert {s.get("name") for s in schemes.values()} >= {"x-api-key", "x-kubflow-api-key"}


def test_docs_page_is_readable_and_linked_from_the_studio(client, people):
    from tests.conftest import client_for_team

    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "Authorization: Bearer sk_YOUR_KEY" in html
    assert "http://testserver/api/v1/generations" in html
    assert "/api/v1/generations/{generation_id}/cancel" in html
    client = client_for_team(client, people.owner, people.team)
    assert 'href="/settings/api-keys/"' in client.get("/gallery/").content.decode()
    assert 'href="/api/v1/docs/"' in client.get("/settings/api-keys/").content.decode()
