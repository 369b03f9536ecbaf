"""Done when: a script using only the API lists models, quotes, submits, polls and downloads,
with a key made in the studio."""

from __future__ import annotations

import io
import re
import time

import httpx
import pytest
from PIL import Image

from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db(transaction=True)


def run_script(base_url: str, key: str) -> dict:
    """What a customer's script does; it knows nothing but the base URL and the key."""
    with httpx.Client(base_url=f"{base_url}/api/v1", headers={"x-api-key": key}, timeout=30) as api:
        me = api.get("/me").raise_for_status().json()
        models = api.get("/models", params={"category": "image"}).raise_for_status().json()["models"]
        model = next(m for m in models if m["model"] == "nano-banana")
        aspect = next(p for p in model["parameters"] if p["name"] == "aspect_ratio")
        assert "16:9" in aspect["allowed_values"]
        request = {"model": model["id"], "prompt": "a lighthouse at dawn", "params": {"aspect_ratio": "16:9"}}
        quote = api.post("/quotes", json=request).raise_for_status().json()
        created = api.post("/generations", json=request, headers={"Idempotency-Key": "script-run-1"})
        created.raise_for_status()
        status_url = created.json()["status_url"]
        deadline = time.monotonic() + 60
        while True:
            status = api.get(status_url).raise_for_status().json()
            if status["status"] in {"completed", "failed", "canceled"}:
                break
            assert time.monotonic() < deadline, "the generation did not finish in time"
            time.sleep(0.5)
        files = [api.get(url).raise_for_status().content for url in status["outputs"]]
        return {
            "me": me,
            "quote": quote,
            "status": status,
            "files": files,
            "balance": api.get("/balance").raise_for_status().json(),
            "usage": api.get("/usage").raise_for_status().json(),
            "listed": api.get("/generations", params={"status": "completed"}).raise_for_status().json(),
        }


def test_a_script_with_a_studio_key_lists_quotes_submits_polls_and_downloads(
    client, live_server, rich_people, running_jobs
):
    studio = client_for_team(client, rich_people.teammate, rich_people.team)
    page = studio.post("/settings/api-keys/", {"name": "nightly script"}).content.decode()
    key = re.search(r'data-testid="api-key"><code>(sk_[^<]+)</code>', page).group(1)

    result = run_script(live_server.url, key)

    assert result["me"]["user"]["username"] == "theo"
    assert result["quote"]["credits"] == "4.00"
    status = result["status"]
    assert status["status"] == "completed", status
    assert status["charged_credits"] == result["quote"]["credits"]
    (image_bytes,) = result["files"]
    image = Image.open(io.BytesIO(image_bytes))
    assert image.size[0] > image.size[1], "16:9 was asked for"
    assert result["balance"]["available"] == "996.00"
    assert result["usage"]["total_credits"] == "4.00"
    assert [g["generation_id"] for g in result["listed"]["generations"]] == [status["generation_id"]]

    listing = studio.get("/settings/api-keys/").content.decode()
    assert "nightly script" in listing
    assert "never" not in listing.split("nightly script")[1].split("</tr>")[0], "the key's last use shows"
