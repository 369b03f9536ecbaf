"""The poll's usual answer: while the team's cards stamp is still the one the page was given, no card
of the team changed, and "nothing" is answered without reading a card (generations.cardstate). Every
change the pipeline publishes drops the stamp, so the next poll checks its cards again."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.services import membership_remove
from generations.cardstate import CARD_STATE_SECONDS, card_state_key, card_state_publish, cards_stamp_key
from generations.models import Generation, Status
from generations.services.gallery import generation_cancel
from generations.services.submission import generation_submit
from tests.conftest import client_for_team
from tests.gallery.helpers import make_generations, offer

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
STAMP = "X-Cards-Stamp"


@pytest.fixture
def owner(people, catalog):
    cache.clear()
    return client_for_team(Client(), people.owner, people.team)


@pytest.fixture
def running(people, django_capture_on_commit_callbacks) -> list[Generation]:
    """Three jobs of the owner's team, published as the pipeline publishes them."""
    generations = [
        generation_submit(team=people.team, user=people.owner, offer=offer(), params={"prompt": f"fox {i}"})
        for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        for generation in generations:
            card_state_publish(generation)
    return generations


def shown(generations: list[Generation], version: str = "queued:0") -> str:
    return ",".join(f"{g.public_id}:{version}" for g in generations)


def poll(client, ids: str, stamp: str):
    """One poll as the page sends it; returns (response, queries)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/gallery/poll/?ids={ids}", headers={**HTMX, STAMP: stamp})
    assert response.status_code == 200
    return response, len(captured)


def test_with_the_current_stamp_nothing_changed_is_answered_without_reading_a_card(owner, people, running):
    first, _ = poll(owner, shown(running), f"{people.team.pk}.")  # what a page sends at first
    stamp = first.headers[STAMP]
    team_id, _, value = stamp.partition(".")
    assert team_id == str(people.team.pk) and value.isdigit(), stamp
    assert first.content == b""

    again, queries = poll(owner, shown(running), stamp)
    assert again.content == b"" and queries == 0
    assert again.headers[STAMP] == stamp
    # The cards are not read at all: with their states gone from the cache (and versions the
    # server would resend), the stamp alone answers.
    cache.delete_many([card_state_key(g.public_id) for g in running])
    trusting, queries = poll(owner, shown(running, "running:7"), stamp)
    assert trusting.content == b"" and queries == 0


def test_a_published_change_drops_the_stamp_and_the_next_poll_sends_the_card(
    owner, people, running, django_capture_on_commit_callbacks
):
    stamp = poll(owner, shown(running), f"{people.team.pk}.")[0].headers[STAMP]
    running[0].refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        generation_cancel(generation=running[0], user=people.owner)

    after, _ = poll(owner, shown(running), stamp)
    html = after.content.decode()
    assert f'id="card-{running[0].public_id}"' in html and "status-cancelled" in html
    assert html.count('class="card ') == 1, "only the changed card"
    new_stamp = after.headers[STAMP]
    assert new_stamp != stamp and new_stamp.startswith(f"{people.team.pk}.")

    settled, queries = poll(owner, shown(running[1:]), new_stamp)
    assert settled.content == b"" and queries == 0


def test_a_teammates_new_job_and_a_deleted_card_drop_it_too(owner, people, running, django_capture_on_commit_callbacks):
    stamp = poll(owner, shown(running), f"{people.team.pk}.")[0].headers[STAMP]
    with django_capture_on_commit_callbacks(execute=True):
        theirs = generation_submit(team=people.team, user=people.teammate, offer=offer(), params={"prompt": "owl"})
        card_state_publish(theirs)
    after, _ = poll(owner, shown(running), stamp)
    assert after.headers[STAMP] != stamp, "any card of the team changing drops the team's stamp"
    stamp = after.headers[STAMP]

    with django_capture_on_commit_callbacks(execute=True):
        Generation.objects.filter(pk=running[1].pk).update(deleted_at=running[1].created_at)
        card_state_publish(running[1])
    gone, _ = poll(owner, shown(running), stamp)
    assert f'<div id="card-{running[1].public_id}" hx-swap-oob="delete">' in gone.content.decode()


def test_a_job_republished_unchanged_keeps_the_stamp(owner, people, running, django_capture_on_commit_callbacks):
    stamp = poll(owner, shown(running), f"{people.team.pk}.")[0].headers[STAMP]
    with django_capture_on_commit_callbacks(execute=True):
        for generation in running:  # what the worker does on every provider poll of a running job
            card_state_publish(generation)
    again, queries = poll(owner, shown(running), stamp)
    assert again.content == b"" and queries == 0 and again.headers[STAMP] == stamp


def test_another_teams_stamp_or_a_made_up_one_gets_a_full_check(owner, people, running):
    stranger = client_for_team(Client(), people.stranger, people.other_team)
    make_generations(team=people.other_team, user=people.stranger, count=1, status=Status.RUNNING)
    theirs = poll(stranger, "", f"{people.other_team.pk}.")[0].headers[STAMP]
    assert theirs.startswith(f"{people.other_team.pk}.")

    ours = poll(owner, shown(running), f"{people.team.pk}.")[0].headers[STAMP]
    # versions the page does not show: a full check resends all three cards
    for sent in (theirs, f"{people.team.pk}.12345", f"{people.other_team.pk}.{ours.partition('.')[2]}", "x.y"):
        response, _ = poll(owner, shown(running, "running:7"), sent)
        assert response.content.decode().count('class="card ') == 3, sent
        assert response.headers[STAMP] == ours, "the answer carries the asker's own team's stamp"

    # and a stranger holding our stamp reads nothing of ours
    response, _ = poll(stranger, shown(running, "running:7"), ours)
    assert response.content == b"" and response.headers[STAMP] == theirs


def test_a_removed_member_holding_a_stamp_is_no_longer_answered_for_the_team(people, catalog, running):
    cache.clear()
    teammate = client_for_team(Client(), people.teammate, people.team)
    stamp = poll(teammate, shown(running), f"{people.team.pk}.")[0].headers[STAMP]
    membership_remove(membership=Membership.objects.get(team=people.team, user=people.teammate), actor=people.owner)
    response = teammate.get(f"/gallery/poll/?ids={shown(running, 'running:7')}", headers={**HTMX, STAMP: stamp})
    # they work in their own team now: answered for it, never with the team's cards or stamp
    assert response.status_code == 200
    assert response.headers[STAMP].partition(".")[0] == str(people.teammate.memberships.get().team_id)
    assert response.headers[STAMP].partition(".")[0] != str(people.team.pk)
    assert 'class="card ' not in response.content.decode()


def test_the_stamp_lives_a_bounded_time(owner, people, running):
    """A drop lost with the cache is hidden for at most this long: the stamp then starts anew."""
    stamp = poll(owner, shown(running), f"{people.team.pk}.")[0].headers[STAMP]
    key = cache.make_and_validate_key(cards_stamp_key(people.team.pk))
    ttl = cache._cache.get_client(key).ttl(key)
    assert 0 < ttl <= CARD_STATE_SECONDS
    cache.delete(cards_stamp_key(people.team.pk))  # as when it expires
    fresh = poll(owner, shown(running), stamp)[0].headers[STAMP]
    assert fresh != stamp
