"""The gallery page is cached whole under the team's and the catalog's stamps (project.stamps), and the
poll answers from the card states the pipeline publishes (generations.cardstate): a repeat costs no
query, and every change made through the studio shows on the very next request."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from billing.services import credits_grant
from catalog.services import offer_enabled_set
from generations.cardstate import card_state_publish
from generations.models import Status
from generations.services.gallery import board_create, generation_cancel
from generations.services.submission import generation_submit
from tests.conftest import client_for_team
from tests.gallery.helpers import make_generations, offer

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def owner(people, catalog):
    cache.clear()
    return client_for_team(Client(enforce_csrf_checks=True), people.owner, people.team)


def _page(client, url: str = "/gallery/") -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_repeat_is_served_from_the_cache_with_its_own_tokens(owner, people):
    make_generations(team=people.team, user=people.owner, count=3, status=Status.COMPLETED)
    first, drawn = _page(owner)
    second, repeat = _page(owner)
    assert drawn > 3 and repeat == 0, f"{drawn} queries drawn, {repeat} repeated"
    assert second.count('class="card ') == 3
    keys = [re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1) for html in (first, second)]
    assert keys[0] != keys[1], "every page gets its own idempotency key"
    now = re.search(r'data-server-now="(\d+)"', second)
    assert now, "the server's clock is put in when the page is served"
    # the CSRF token put in the cached page is good for this browser
    generation = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    response = owner.post(f"/g/{generation.public_id}/favourite/", {"on": "1", "csrfmiddlewaretoken": _token(second)})
    assert response.status_code in (200, 302)


def test_changes_made_in_the_studio_show_on_the_next_load(owner, people):
    running = generation_submit(  # held, queued: no worker runs in this test
        team=people.team,
        user=people.owner,
        offer=offer(),
        params={"prompt": "a fox"},
    )
    html, _ = _page(owner)
    assert 'aria-pressed="true"' not in html and "Picks" not in html

    owner.post(f"/g/{running.public_id}/favourite/", {"on": "1", "csrfmiddlewaretoken": _token(html)})
    html, _ = _page(owner)
    assert 'aria-pressed="true"' in html, "a favourite"

    board_create(team=people.team, user=people.owner, name="Picks")
    html, _ = _page(owner)
    assert ">Picks</option>" in html, "a new board in the filter"

    credits_grant(team=people.team, amount=Decimal("250"), reason="top-up")
    html, _ = _page(owner)
    assert f'data-testid="balance">{(350 - running.credits_quoted).normalize():f}<' in html, "the new balance"

    running.refresh_from_db()
    generation_cancel(generation=running, user=people.owner)
    html, _ = _page(owner)
    assert f'id="card-{running.public_id}" class="card status-cancelled' in html, "a job's new state"

    assert "kubflow:nano-banana" in html
    offer_enabled_set(offer=offer(), actor=people.owner, enabled=False)
    html, _ = _page(owner)
    assert 'value="kubflow:nano-banana"' not in html, "a model switched off is gone from the composer"


def test_another_teams_page_is_never_served(owner, people):
    make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED, prompt="our harbour")
    make_generations(team=people.other_team, user=people.stranger, count=2, status=Status.COMPLETED, prompt="their fox")
    ours, _ = _page(owner)
    theirs, _ = _page(client_for_team(Client(), people.stranger, people.other_team))
    assert "our harbour" in ours and "their fox" not in ours
    assert "their fox" in theirs and "our harbour" not in theirs
    again, _ = _page(owner)
    assert "their fox" not in again


def test_a_message_to_show_is_never_cached(owner, people):
    generation = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    html, _ = _page(owner)
    owner.post(f"/g/{generation.public_id}/delete/", {"csrfmiddlewaretoken": _token(html)})
    after, _ = _page(owner)
    assert 'class="toast toast-' in after, "the flash message is shown"
    assert f"card-{generation.public_id}" not in after
    later, _ = _page(owner)
    assert 'class="toast toast-' not in later, "and shown once"


def test_the_poll_answers_from_published_card_states(owner, people, django_capture_on_commit_callbacks):
    generations = [
        generation_submit(team=people.team, user=people.owner, offer=offer(), params={"prompt": f"fox {i}"})
        for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for generation in generations:
            card_state_publish(generation)  # what the pipeline does on every change
    shown = ",".join(f"{g.public_id}:queued:0" for g in generations)
    owner.get("/gallery/")  # signed in, hint cookie set
    with CaptureQueriesContext(connection) as captured:
        response = owner.get(f"/gallery/poll/?ids={shown}", headers=HTMX)
    assert response.content == b"" and len(captured) == 0, "nothing changed: no query"

    generations[0].refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        generation_cancel(generation=generations[0], user=people.owner)
    html = owner.get(f"/gallery/poll/?ids={shown}", headers=HTMX).content.decode()
    assert f'id="card-{generations[0].public_id}"' in html and "status-cancelled" in html
    assert html.count('class="card ') == 1, "only the changed card"

    # another team's ids are not answered from the states, whatever the cache holds
    stranger = client_for_team(Client(), people.stranger, people.other_team)
    assert stranger.get(f"/gallery/poll/?ids={shown}", headers=HTMX).content == b""
