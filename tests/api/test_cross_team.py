"""Another team's generation does not exist for a key: 404 on every endpoint that takes an id."""

from __future__ import annotations

import pytest
from django.utils import timezone

from generations.models import Generation, Status
from tests.api.conftest import Api
from tests.conftest import completed_generation_with_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_generation(rich_people, catalog, media_root):
    generation, _asset = completed_generation_with_file(team=rich_people.other_team, user=rich_people.stranger)
    return generation


def _requests(generation_id: str):
    return [
        ("get", f"/generations/{generation_id}"),
        ("post", f"/generations/{generation_id}/cancel"),
        ("get", f"/generations/{generation_id}/outputs/0"),
        ("get", f"/generations?cursor={generation_id}"),
    ]


def _call(api: Api, method: str, path: str):
    if "?" in path:
        path, _, query = path.partition("?")
        name, _, value = query.partition("=")
        return api.get(path, {name: value})
    return api.get(path) if method == "get" else api.post(path)


def test_every_endpoint_with_another_teams_id_is_404(api, foreign_generation):
    for method, path in _requests(foreign_generation.public_id):
        response = _call(api, method, path)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json()["error"] == "not_found"
        assert "secret plans" not in response.content.decode()
    assert foreign_generation.public_id not in api.get("/generations").content.decode()
    assert Generation.objects.get(pk=foreign_generation.pk).status == Status.COMPLETED, "not cancelled"


def test_an_unknown_id_is_404_too(api, catalog):
    for method, path in _requests("gen_doesnotexist"):
        assert _call(api, method, path).status_code == 404, path


def test_the_owning_teams_key_reaches_it(client, foreign_generation, stranger_key):
    api = Api(client, stranger_key.key)
    status = api.get(f"/generations/{foreign_generation.public_id}").json()
    assert status["outputs"] == [f"http://testserver/api/v1/generations/{foreign_generation.public_id}/outputs/0"]
    download = api.get(f"/generations/{foreign_generation.public_id}/outputs/0")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"png"
    assert api.get(f"/generations/{foreign_generation.public_id}/outputs/1").status_code == 404


def test_a_deleted_generation_is_gone_from_the_api(client, foreign_generation, stranger_key):
    Generation.objects.filter(pk=foreign_generation.pk).update(deleted_at=timezone.now())
    api = Api(client, stranger_key.key)
    for method, path in _requests(foreign_generation.public_id):
        assert _call(api, method, path).status_code == 404, path
