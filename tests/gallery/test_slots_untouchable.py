"""What members type comes out of the gallery as typed, whatever it holds: the page cache's slots (the CSRF
token, the idempotency key, the clock put in per request) can't be reached by user text.

A prompt holding ``csrf-slot-0b5e7c`` was shown with the viewer's CSRF token in its place, and
``idempotency-slot-3f9a1c`` / ``server-now-slot-8d42e0`` became a fresh UUID and the clock."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from generations.cardstate import card_state_publish
from generations.models import Status
from generations.services.gallery import board_add, board_create
from generations.services.submission import generation_submit
from tests.conftest import client_for_team
from tests.gallery.helpers import make_generations, offer

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# The slots as they were, as they are now, and near misses: each must be shown exactly as typed.
HOSTILE = [
    "csrf-slot-0b5e7c",
    "idempotency-slot-3f9a1c",
    "server-now-slot-8d42e0",
    "<studio-slot:csrf>",
    "<studio-slot:idempotency>",
    "<studio-slot:server-now>",
    "a csrf-slot-0b5e7c b <studio-slot:server-now> c idempotency-slot-3f9a1c",
    "&lt;studio-slot:csrf&gt; & <b>bold</b> \"quoted\" 'single'",
]


@pytest.fixture
def owner(people, catalog):
    cache.clear()
    return client_for_team(Client(), people.owner, people.team)


@pytest.fixture
def hostile(people, catalog):
    """One finished generation per hostile prompt."""
    made = []
    for i, prompt in enumerate(HOSTILE):
        generation = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
        generation.prompt = prompt
        generation.params = {"prompt": prompt, "aspect_ratio": "1:1", "n": i}
        generation.save(update_fields=["prompt", "params"])
        made.append(generation)
    return made


def _prompts(page: str) -> list[str]:
    """The prompts the cards show, as a browser reads them."""
    return [html.unescape(text) for text in re.findall(r'<p class="card-prompt">(.*?)</p>', page, re.S)]


def _get(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_the_whole_page_shows_every_prompt_as_typed_drawn_and_from_the_cache(owner, hostile):
    drawn = _get(owner, "/gallery/")
    cached = _get(owner, "/gallery/")
    for page in (drawn, cached):
        assert sorted(_prompts(page)) == sorted(HOSTILE)
        for prompt in HOSTILE:
            assert html.escape(prompt, quote=False) in page or html.escape(prompt) in page
    assert re.search(r'data-server-now="\d+"', cached) and re.search(
        r'name="idempotency_key" value="[0-9a-f]{32}"', cached
    )
    assert "<studio-slot:" not in drawn and "<studio-slot:" not in cached, "every slot is filled"


def test_htmx_results_show_prompts_as_typed(owner, hostile):
    results = _get(owner, "/gallery/", **HTMX, **{"HX-Target": "results"})
    assert sorted(_prompts(results)) == sorted(HOSTILE)


def test_a_search_for_a_slot_is_shown_as_typed(owner, hostile):
    for query in ("csrf-slot-0b5e7c", "<studio-slot:csrf>"):
        for page in (_get(owner, f"/gallery/?q={query}"), _get(owner, f"/gallery/?q={query}")):
            value = re.search(r'id="filter-q" name="q" value="([^"]*)"', page).group(1)
            assert html.unescape(value) == query
            assert _prompts(page) and set(_prompts(page)) <= set(HOSTILE), "whatever matches is shown as typed"


def test_a_single_card_shows_its_prompt_as_typed(owner, hostile):
    for generation in hostile:
        assert _prompts(_get(owner, f"/g/{generation.public_id}/card/", **HTMX)) == [generation.prompt]


def test_a_board_shows_prompts_as_typed(owner, people, hostile):
    board = board_create(team=people.team, user=people.owner, name="csrf-slot-0b5e7c <studio-slot:csrf>")
    for generation in hostile:
        board_add(board=board, generation=generation, user=people.owner)
    page = _get(owner, f"/boards/{board.public_id}/")
    assert sorted(_prompts(page)) == sorted(HOSTILE)
    assert html.escape(board.name) in page


def test_the_poll_sends_changed_cards_with_prompts_as_typed(owner, people, django_capture_on_commit_callbacks):
    running = []
    for prompt in HOSTILE[:4]:
        running.append(generation_submit(team=people.team, user=people.owner, offer=offer(), params={"prompt": prompt}))
    with django_capture_on_commit_callbacks(execute=True):
        for generation in running:
            card_state_publish(generation)
    ids = ",".join(f"{g.public_id}:stale:0" for g in running)
    answer = _get(owner, f"/gallery/poll/?ids={ids}", **HTMX, **{"X-Cards-Stamp": f"{people.team.pk}."})
    assert sorted(_prompts(answer)) == sorted(HOSTILE[:4])


@pytest.mark.parametrize("url", ["/gallery/", "/generate/"])
def test_a_composer_prefilled_by_a_link_keeps_the_prompt_as_typed(owner, url):
    """Remix and "use as source" links prefill the composer (the page, or its HTMX fragment)."""
    prompt = "csrf-slot-0b5e7c idempotency-slot-3f9a1c server-now-slot-8d42e0 <studio-slot:csrf>"
    page = _get(owner, f"{url}?{urlencode({'offer': 'kubflow:nano-banana', 'prompt': prompt})}")
    textarea = re.search(r'<textarea[^>]*name="prompt"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert html.unescape(textarea).strip() == prompt
