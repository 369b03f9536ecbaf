"""With any cache switched off (settings.CACHES_OFF, what the benchmarks set to measure what each one
saves), the plain path it falls back to gives the same pages and answers as the cached one."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from generations.cardstate import card_state_publish
from generations.models import Status
from tests.conftest import client_for_team
from tests.gallery.helpers import make_generations

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
STAMP = "X-Cards-Stamp"
# What differs per response whatever the caches: the masked CSRF token, a fresh idempotency key, the clock,
# the CSP nonce.
PER_RESPONSE = [
    (re.compile(r"\b[A-Za-z0-9]{64}\b"), "<csrf>"),
    (re.compile(r'name="idempotency_key" value="[0-9a-f]{32}"'), 'name="idempotency_key" value="<key>"'),
    (re.compile(r'data-server-now="\d+"'), 'data-server-now="<now>"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce="<nonce>"'),
]


def _normal(content: bytes) -> str:
    html = content.decode()
    for pattern, replacement in PER_RESPONSE:
        html = pattern.sub(replacement, html)
    return html


@pytest.fixture
def member(people, catalog, django_capture_on_commit_callbacks):
    """A teammate's browser, on a gallery with finished cards and running ones the pipeline published."""
    cache.clear()
    make_generations(team=people.team, user=people.owner, count=4, status=Status.COMPLETED)
    make_generations(team=people.team, user=people.teammate, count=2, status=Status.FAILED)
    running = make_generations(team=people.team, user=people.teammate, count=3, status=Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        for generation in running:
            card_state_publish(generation)
    client = client_for_team(Client(), people.teammate, people.team)
    client.running = running
    return client


def _answers(client, team_id: int, queries: dict[str, int] | None = None) -> dict[str, object]:
    """The gallery page and its results, the poll (as a page first asks, again with the stamp it was
    given, and with every card resent) and another signed-in page, as a browser sees them."""
    shown = ",".join(f"{g.public_id}:running:0" for g in client.running)
    bare = ",".join(g.public_id for g in client.running)
    answers: dict[str, object] = {}
    queries = {} if queries is None else queries

    def get(name: str, url: str, headers: dict[str, str]):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, headers=headers)
        answers[name] = (response.status_code, _normal(response.content))
        queries[name] = len(captured)
        return response

    get("gallery page", "/gallery/", {})
    get("gallery results", "/gallery/?q=harbour&sort=cost", {**HTMX, "HX-Target": "results"})
    get("billing page", "/billing/", {})
    first = get("poll", f"/gallery/poll/?ids={shown}", {**HTMX, STAMP: f"{team_id}."})
    get("poll again", f"/gallery/poll/?ids={shown}", {**HTMX, STAMP: first.headers[STAMP] or f"{team_id}."})
    get("poll resent", f"/gallery/poll/?ids={bare}", {**HTMX, STAMP: f"{team_id}."})
    return answers


def test_each_cache_switched_off_gives_the_same_pages_and_answers(member, people):
    _answers(member, people.team.pk)  # warms every cache
    queries: dict[str, int] = {}
    cached = _answers(member, people.team.pk, queries)  # served from them
    assert cached["gallery page"][0] == 200 and cached["gallery page"][1].count('class="card ') == 9
    assert cached["poll"] == cached["poll again"] == (200, ""), "nothing changed"
    assert cached["poll resent"][1].count('hx-swap-oob="true"') >= 3, "each card resent"
    assert "Northwind" in cached["billing page"][1]
    for off in [*sorted(settings.CACHE_NAMES), settings.CACHE_NAMES]:
        names = frozenset(off) if isinstance(off, frozenset) else frozenset({off})
        plain_queries: dict[str, int] = {}
        with override_settings(CACHES_OFF=names):
            plain = _answers(member, people.team.pk, plain_queries)
        for name, answer in cached.items():
            assert plain[name] == answer, f"{name} with {sorted(names)} off"
        if names != {"sessions"}:  # the one switch that costs a cache round trip, not a query
            assert plain_queries != queries, f"{sorted(names)} off took the plain path: {plain_queries}"
