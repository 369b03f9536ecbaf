"""Another team's generation does not exist for you: 404 everywhere."""

from __future__ import annotations

import pytest

from tests.conftest import (
    client_for_team,
    completed_generation_with_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_generation(people, catalog, media_root):
    return completed_generation_with_file(team=people.other_team, user=people.stranger)


def test_other_teams_generation_page_file_and_poll_are_404(client, people, foreign_generation):
    generation, asset = foreign_generation
    client = client_for_team(client, people.owner, people.team)
    assert client.get(f"/g/{generation.public_id}/").status_code == 404
    assert client.get(f"/g/{generation.public_id}/card/").status_code == 404
    assert client.get(f"/g/{generation.public_id}/files/{asset.public_id}/").status_code == 404
    assert client.get(f"/g/{generation.public_id}/files/{asset.public_id}/thumbnail/").status_code == 404
    poll = client.get(f"/gallery/poll/?ids={generation.public_id}", headers={"HX-Request": "true"})
    assert generation.public_id not in poll.content.decode()
    assert "secret plans" not in client.get("/gallery/").content.decode()


def test_the_owning_team_sees_it(client, people, foreign_generation):
    generation, asset = foreign_generation
    client = client_for_team(client, people.stranger, people.other_team)
    assert client.get(f"/g/{generation.public_id}/").status_code == 200
    assert client.get(f"/g/{generation.public_id}/files/{asset.public_id}/").status_code == 200
    assert "secret plans" in client.get("/gallery/").content.decode()


def test_a_member_cannot_switch_into_a_team_they_do_not_belong_to(client, people):
    client = client_for_team(client, people.owner, people.team)
    client.post("/accounts/team/switch/", {"team": people.other_team.slug})
    assert "Contoso" not in client.get("/gallery/").content.decode()
