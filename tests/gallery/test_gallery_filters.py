"""Finding things in the gallery: views, filters, search, sorting and pages, all in the URL."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from generations.models import Generation, Status
from generations.services.gallery import board_add, board_create, favourite_set, generation_delete
from tests.conftest import client_for_team
from tests.gallery.helpers import make_generations

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def shown(html: str) -> list[str]:
    return re.findall(r'<article id="card-(gen_[^"]+)"', html)


def ids(generations) -> set[str]:
    return {g.public_id for g in generations}


@pytest.fixture
def owner(client, people, catalog):
    return client_for_team(client, people.owner, people.team)


def results(client, query: str) -> list[str]:
    response = client.get(f"/gallery/?{query}", headers={**HTMX, "HX-Target": "results"})
    assert response.status_code == 200
    return shown(response.content.decode())


def test_gallery_hides_other_teams_generations(owner, people):
    mine = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    make_generations(team=people.other_team, user=people.stranger, count=2, status=Status.COMPLETED)
    assert set(shown(owner.get("/gallery/").content.decode())) == ids(mine)


def test_mine_shows_only_my_generations_and_team_shows_everyone(owner, people):
    mine = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    theirs = make_generations(team=people.team, user=people.teammate, count=3, status=Status.COMPLETED)
    assert set(results(owner, "view=mine")) == ids(mine)
    assert set(results(owner, "view=team")) == ids(mine + theirs)
    assert set(results(owner, f"member={people.teammate.username}")) == ids(theirs)


def test_filters_by_status_model_provider_and_type(owner, people):
    done = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    failed = make_generations(team=people.team, user=people.owner, count=1, status=Status.FAILED)
    video = make_generations(
        team=people.team, user=people.owner, count=1, status=Status.RUNNING, offer_key="kubflow:veo3"
    )
    assert set(results(owner, "status=failed")) == ids(failed)
    assert set(results(owner, f"model={video[0].offer.family.slug}")) == ids(video)
    assert set(results(owner, "type=video")) == ids(video)
    assert set(results(owner, "type=image")) == ids(done + failed)
    assert set(results(owner, "provider=kubflow")) == ids(done + failed + video)
    assert results(owner, "provider=krea") == []
    assert set(results(owner, "status=nonsense")) == ids(done + failed + video), "a bad value is ignored"


def test_filters_by_date_range(owner, people):
    old = make_generations(team=people.team, user=people.owner, count=1, age=timedelta(days=10))
    new = make_generations(team=people.team, user=people.owner, count=1)
    today = Generation.objects.get(pk=new[0].pk).created_at.date()
    ten_days_ago = Generation.objects.get(pk=old[0].pk).created_at.date()
    assert set(results(owner, f"from={today}")) == ids(new)
    assert set(results(owner, f"to={ten_days_ago}")) == ids(old)
    assert set(results(owner, f"from={ten_days_ago}&to={today}")) == ids(old + new)


def test_favourites_are_personal(owner, people):
    generations = make_generations(team=people.team, user=people.owner, count=3, status=Status.COMPLETED)
    favourite_set(generation=generations[0], user=people.owner, on=True)
    favourite_set(generation=generations[1], user=people.teammate, on=True)
    assert set(results(owner, "fav=1")) == ids(generations[:1])


def test_board_filter_and_another_teams_board_shows_nothing(owner, people):
    generations = make_generations(team=people.team, user=people.owner, count=3, status=Status.COMPLETED)
    board = board_create(team=people.team, user=people.owner, name="Client picks")
    board_add(board=board, generation=generations[2], user=people.owner)
    assert set(results(owner, f"board={board.public_id}")) == ids(generations[2:])

    theirs = make_generations(team=people.other_team, user=people.stranger, count=1, status=Status.COMPLETED)
    their_board = board_create(team=people.other_team, user=people.stranger, name="Theirs")
    board_add(board=their_board, generation=theirs[0], user=people.stranger)
    assert results(owner, f"board={their_board.public_id}") == []


def test_full_text_search_matches_words_stems_and_prefixes(owner, people):
    fox = make_generations(team=people.team, user=people.owner, count=1, prompt="Two red foxes running in snow")
    make_generations(team=people.team, user=people.owner, count=1, prompt="A lighthouse at dusk")
    assert set(results(owner, "q=fox")) == ids(fox), "stemmed: fox finds foxes"
    assert set(results(owner, "q=red+snow")) == ids(fox), "every word must match"
    assert set(results(owner, "q=lightho")) != set(), "the last word matches as a prefix while typing"
    assert results(owner, "q=red+lighthouse") == []
    assert results(owner, "q=%27%3B+drop+table") == [], "punctuation is not query syntax"


def test_search_uses_the_gin_index(people, catalog):
    """The filter's expression is the index's expression, so PostgreSQL can use it (here it must)."""
    from django.contrib.postgres.search import SearchVector
    from django.db import connection

    from generations.selectors import _search_query

    make_generations(team=people.team, user=people.owner, count=50, prompt="a cat")
    queryset = (
        Generation.objects.annotate(v=SearchVector("prompt", config="english"))
        .filter(v=_search_query("cat"))
        .order_by()  # the plan question is the filter's, not the sort's
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE generations_generation")
        # Only bitmap scans left: a plan that can use the expression index must use it.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        plan = queryset.explain()
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "generation_prompt_search" in plan


def test_sorts_newest_oldest_and_by_cost(owner, people):
    cheap, dear = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    Generation.objects.filter(pk=dear.pk).update(credits_quoted=Decimal("30"), credits_charged=Decimal("30"))
    newest = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    assert results(owner, "")[0] == newest.public_id
    assert results(owner, "sort=old")[0] == cheap.public_id
    assert results(owner, "sort=cost")[0] == dear.public_id


def test_pages_of_48_without_duplicates_even_when_new_jobs_arrive(owner, people):
    everything = make_generations(team=people.team, user=people.owner, count=100, status=Status.COMPLETED)
    html = owner.get("/gallery/").content.decode()
    first = shown(html)
    assert len(first) == 48
    more = re.search(r'id="more"[^>]*hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")

    make_generations(team=people.team, user=people.owner, count=5)  # new jobs on top meanwhile
    page = owner.get(more, headers=HTMX).content.decode()
    second = shown(page)
    assert len(second) == 48
    more = re.search(r'id="more"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    third = shown(owner.get(more, headers=HTMX).content.decode())
    assert len(third) == 4
    assert set(first) | set(second) | set(third) == ids(everything)
    assert len(first) + len(second) + len(third) == 100


def test_filters_live_in_the_url(owner, people):
    response = owner.get("/gallery/?q=fox&status=&sort=cost&fav=1&view=team", headers={**HTMX, "HX-Target": "results"})
    assert response["HX-Push-Url"] == "/gallery/?q=fox&fav=1&sort=cost", "canonical: defaults and blanks dropped"
    page = owner.get("/gallery/?q=fox&sort=cost&fav=1").content.decode()
    assert 'value="fox"' in page
    assert re.search(r'<option value="cost" selected', page)
    assert re.search(r'id="filter-fav"[^>]*checked', page)


def test_deleted_generations_disappear_at_once(owner, people):
    keep, gone = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    generation_delete(generation=gone, user=people.owner)
    assert set(shown(owner.get("/gallery/").content.decode())) == {keep.public_id}
    assert owner.get(f"/g/{gone.public_id}/").status_code == 404
    asset = gone.assets.get()
    assert owner.get(f"/g/{gone.public_id}/files/{asset.public_id}/").status_code == 404


def test_composer_links_are_not_read_as_filters(owner, people):
    generations = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    html = owner.get("/gallery/?offer=kubflow:veo3&model=veo3&prompt=waves").content.decode()
    assert set(shown(html)) == ids(generations), "model= here is the composer's field, not the model filter"
