"""Another team's generation does not exist for you: 404 everywhere."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from generations.models import Asset, Generation, Status
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_generation(people, catalog, media_root):
    from catalog.models import Offer

    generation = Generation.objects.create(
        team=people.other_team,
        created_by=people.stranger,
        offer=Offer.objects.get(model_id="nano-banana"),
        prompt="secret plans",
        provider_cost=Decimal("4"),
        credits_quoted=Decimal("4"),
        deadline_at=timezone.now(),
        status=Status.COMPLETED,
    )
    asset = Asset(generation=generation, index=0, kind="image", filename="x.png", content_type="image/png", size=3)
    asset.file.save("x.png", ContentFile(b"png"), save=True)
    return generation, asset


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
