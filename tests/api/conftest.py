"""Fixtures for the API: keys for the owner (and a stranger in another team), clients that send them."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest

from api.services import NewKey, api_key_create
from billing.services import credits_grant
from catalog.services import catalog_sync


@pytest.fixture(autouse=True)
def _no_rate_limit(settings) -> None:
    """Tests that count requests set their own limit."""
    settings.API_RATE_LIMIT = "off"


@pytest.fixture
def rich_people(people):
    """The usual people, with enough credits for videos."""
    credits_grant(team=people.team, amount=Decimal("900"), reason="API test credits")
    return people


@pytest.fixture
def owner_key(rich_people) -> NewKey:
    return api_key_create(team=rich_people.team, user=rich_people.owner, name="tests")


@pytest.fixture
def stranger_key(rich_people) -> NewKey:
    return api_key_create(team=rich_people.other_team, user=rich_people.stranger, name="strangers")


@pytest.fixture
def running_jobs(catalog, sandbox, celery_worker):
    """Kubflow's catalog, the sandbox providers and a real Celery worker: submitted jobs really run."""
    return sandbox


@pytest.fixture
def all_catalogs(db) -> None:
    catalog_sync()


class Api:
    """The Django test client speaking JSON with a key."""

    def __init__(self, client, key: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, query=None, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.get(f"/api/v1{path}", query or {}, headers=headers, **kwargs)

    def post(self, path: str, body=None, **kwargs):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **kwargs.pop("headers", {})},
            **kwargs,
        )


@pytest.fixture
def api(client, owner_key) -> Api:
    return Api(client, owner_key.key)


@pytest.fixture
def http(live_server, owner_key) -> Iterator[httpx.Client]:
    """A real HTTP client on the live server, authenticated with the owner's key."""
    with httpx.Client(
        base_url=live_server.url, headers={"Authorization": f"Bearer {owner_key.key}"}, timeout=30
    ) as client:
        yield client


def curl_request(command: str) -> httpx.Request:
    """The request a documented curl command makes (only -X, -H and -d are used in the docs)."""
    words = shlex.split(command.replace("\\\n", " "))
    assert words[0] == "curl"
    method, url, headers, body = "GET", None, {}, None
    index = 1
    while index < len(words):
        word = words[index]
        if word == "-X":
            method = words[index + 1]
            index += 2
        elif word == "-H":
            name, _, value = words[index + 1].partition(":")
            headers[name.strip()] = value.strip()
            index += 2
        elif word == "-d":
            body = words[index + 1].encode()
            if method == "GET":
                method = "POST"
            index += 2
        else:
            url = word
            index += 1
    return httpx.Request(method, url, headers=headers, content=body)
