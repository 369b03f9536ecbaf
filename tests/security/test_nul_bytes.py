"""A NUL byte (raw or ``%00``) in the path, the query or a form is refused once, with 400, before any view.

PostgreSQL text can't hold NUL, so each of these answered 500 when a view passed the value to a query.
"""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Membership
from api.models import ApiKey
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

MEMBER_GETS = [
    "/g/%00/",
    "/g/%00/card/",
    "/boards/%00/",
    "/gallery/?member=%00",
    "/gallery/?board=%00",
    "/gallery/?model=%00",
    "/gallery/poll/?ids=%00",
    "/generate/?offer=%00",
    "/gallery/?q=a%00b",
    "/gallery/?%00=1",
]
STAFF_GETS = ["/staff/?q=%00", "/staff/teams/%00/"]


@pytest.fixture
def staff(people):
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    return people.stranger


def _assert_page_400(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    assert b"must not contain NUL characters" in response.content


def _assert_api_400(response) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {"error": "invalid_request", "message": "The URL must not contain NUL characters."}


def test_webhook_with_nul_in_the_path_is_a_json_400_for_anyone(client, db):
    _assert_api_400(client.post("/hooks/kubflow/%00/", data=b"{}", content_type="application/json"))
    _assert_api_400(client.post("/hooks/kubflow/a\x00b/", data=b"{}", content_type="application/json"))


@pytest.mark.parametrize("url", MEMBER_GETS)
def test_member_pages_refuse_nul_in_path_and_query(client, people, url):
    client = client_for_team(client, people.owner, people.team)
    _assert_page_400(client.get(url))
    _assert_page_400(client.get(url, headers={"HX-Request": "true"}))


def test_raw_nul_in_the_path_is_refused_like_the_encoded_one(client, people):
    client = client_for_team(client, people.owner, people.team)
    _assert_page_400(client.get("/g/\x00/"))
    _assert_page_400(client.get("/gallery/", {"member": "\x00"}))


def test_team_switch_with_nul_in_the_form_is_refused(client, people):
    client = client_for_team(client, people.owner, people.team)
    response = client.post("/accounts/team/switch/", {"team": "\x00", "next": "/gallery/"})
    _assert_page_400(response)
    assert b"form must not contain NUL" in response.content
    assert client.session["team_slug"] == people.team.slug


def test_member_role_with_nul_in_the_path_or_form_is_refused(client, people):
    client = client_for_team(client, people.owner, people.team)
    _assert_page_400(client.post("/team/members/%00/role/", {"role": "admin"}))
    membership = Membership.objects.get(team=people.team, user=people.teammate)
    _assert_page_400(client.post(f"/team/members/{membership.public_id}/role/", {"role": "adm\x00in"}))
    membership.refresh_from_db()
    assert membership.role == "member"


def test_api_key_revoke_with_nul_is_refused(client, people):
    client = client_for_team(client, people.owner, people.team)
    _assert_page_400(client.post("/settings/api-keys/%00/revoke/"))
    _assert_page_400(client.post("/settings/api-keys/", {"name": "k\x00ey"}))
    assert not ApiKey.objects.filter(team=people.team).exists()


def test_multipart_form_values_are_checked(client, people):
    client = client_for_team(client, people.owner, people.team)
    _assert_page_400(client.post("/generate/", {"prompt": "a\x00b"}))  # multipart, the test client's default
    _assert_page_400(client.post("/generate/", {"prompt": "fine", "seed\x00": "1"}))


@pytest.mark.parametrize("url", STAFF_GETS)
def test_staff_pages_refuse_nul(client, people, staff, url):
    client = client_for_team(client, staff, people.other_team)
    _assert_page_400(client.get(url))


def test_staff_grant_with_nul_in_the_reason_is_refused_and_writes_nothing(client, people, staff):
    client = client_for_team(client, staff, people.other_team)
    before = AuditEvent.objects.count()
    response = client.post(
        f"/staff/teams/{people.team.public_id}/",
        {"direction": "grant", "amount": "5", "reason": "x\x00", "idempotency_key": "staff:k"},
    )
    _assert_page_400(response)
    assert AuditEvent.objects.count() == before


def test_api_paths_keep_the_api_error_shape(client, db):
    _assert_api_400(client.get("/api/v1/generations/%00"))
    _assert_api_400(client.get("/api/v1/models?provider=%00"))


def test_values_without_nul_still_reach_the_views(client, people):
    client = client_for_team(client, people.owner, people.team)
    assert client.get("/gallery/?q=caf%C3%A9").status_code == 200
    assert client.get("/g/nope/").status_code == 404
    assert client.post("/hooks/kubflow/nope/", data=b"{}", content_type="application/json").status_code == 404


def test_api_bodies_are_left_to_the_api(client, people):
    """A form body sent to the API is not read by the NUL check: the API answers it as the JSON it isn't."""
    from api.services import api_key_create

    key = api_key_create(team=people.team, user=people.owner, name="t").key
    headers = {"Authorization": f"Bearer {key}"}
    response = client.post("/api/v1/generations", {"prompt": "a\x00b"}, headers=headers)  # multipart
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"] == "invalid_json"
