"""A quote refuses exactly what a submit would, with the same code and field: it priced source URLs that
submit refuses (a private address)."""

from __future__ import annotations

import pytest

from generations.models import Generation

pytestmark = pytest.mark.django_db

UNSAFE = [
    "http://127.0.0.1/a.png",
    "http://localhost/a.png",
    "http://169.254.169.254/latest/meta-data",
    "http://10.0.0.5/a.png",
    "http://2130706433/a.png",
    "file:///etc/passwd",
    "http://user:secret@example.com/a.png",
]


def _body(url: str) -> dict:
    return {"model": "nano-banana", "provider": "kubflow", "prompt": "a fox", "params": {"image_url": [url]}}


@pytest.mark.parametrize("url", UNSAFE)
def test_a_quote_refuses_a_source_url_as_submit_does(api, catalog, url):
    quote = api.post("/quotes", _body(url))
    submit = api.post("/generations", _body(url))
    assert submit.status_code == 400 and submit.json()["error"] == "unsafe_source_url"
    assert quote.status_code == submit.status_code, quote.content
    assert quote.json() == submit.json(), "the same code, message and field"
    assert quote.json()["field"] == "image_url"
    assert not Generation.objects.exists()


def test_a_quote_refuses_another_teams_upload_as_submit_does(api, catalog):
    body = _body("media://src_notours.png")
    quote, submit = api.post("/quotes", body), api.post("/generations", body)
    assert submit.status_code == 400
    assert (quote.status_code, quote.json()) == (submit.status_code, submit.json())


def test_a_quote_with_a_public_source_url_is_priced(api, catalog):
    response = api.post("/quotes", _body("https://93.184.215.14/a.png"))  # a public address: no DNS needed
    assert response.status_code == 200, response.content
    assert response.json()["offer"] == "kubflow:nano-banana"
