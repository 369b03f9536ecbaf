"""API keys: made and revoked in the studio or on the command line, checked on every request."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Membership
from api.models import ApiKey
from api.services import api_key_create, api_key_revoke
from tests.api.conftest import Api
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


def test_missing_key_is_401_with_a_bearer_challenge(client, rich_people):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"] == "missing_api_key"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Bearer sk_000000000000_" + "x" * 43},
        {"x-api-key": "kf_live_YOUR_KEY"},
        {"Authorization": "Basic b2xpdmlhOnB3"},
    ],
)
def test_bad_keys_are_401(client, rich_people, owner_key, header):
    response = client.get("/api/v1/me", headers=header)
    assert response.status_code == 401
    assert response.json()["error"] in {"invalid_api_key", "missing_api_key"}


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_401(client, owner_key):
    forged = owner_key.api_key.prefix + "_" + "A" * 43
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


@pytest.mark.parametrize("header", ["Authorization", "x-api-key", "x-kubflow-api-key"])
def test_each_documented_header_carries_the_key(client, owner_key, header):
    value = f"Bearer {owner_key.key}" if header == "Authorization" else owner_key.key
    response = client.get("/api/v1/me", headers={header: value})
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "olivia"


def test_the_key_is_stored_only_as_a_hash_and_use_is_recorded(client, owner_key):
    api_key = ApiKey.objects.get(pk=owner_key.api_key.pk)
    assert owner_key.key not in {api_key.secret_hash, api_key.prefix, api_key.callback_secret}
    assert owner_key.key.startswith(api_key.prefix + "_")
    assert api_key.last_used_at is None
    Api(client, owner_key.key).get("/me")
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_a_revoked_key_is_401(client, rich_people, owner_key):
    api = Api(client, owner_key.key)
    assert api.get("/balance").status_code == 200
    assert api_key_revoke(api_key=owner_key.api_key, actor=rich_people.owner)
    response = api.get("/balance")
    assert response.status_code == 401
    assert response.json()["error"] == "revoked_api_key"
    assert not api_key_revoke(api_key=owner_key.api_key, actor=rich_people.owner), "revoking twice changes nothing"


def test_a_member_removed_from_the_team_loses_api_access(client, rich_people):
    key = api_key_create(team=rich_people.team, user=rich_people.teammate, name="theo's")
    api = Api(client, key.key)
    assert api.get("/me").json()["role"] == "member"
    Membership.objects.filter(team=rich_people.team, user=rich_people.teammate).delete()
    response = api.get("/me")
    assert response.status_code == 403
    assert response.json()["error"] == "no_api_access"


def test_rate_limit_is_per_key_with_retry_after(client, rich_people, owner_key, stranger_key, settings):
    settings.API_RATE_LIMIT = "3/hour"
    api = Api(client, owner_key.key)
    answers = [api.get("/balance") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    assert answers[2]["X-RateLimit-Remaining"] == "0"
    limited = answers[3]
    assert limited.json()["error"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 3600
    assert Api(client, stranger_key.key).get("/balance").status_code == 200, "another key has its own budget"


def test_create_api_key_command_prints_a_working_key(client, rich_people):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "theo", "--team", "northwind", "--name", "cron", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert re.fullmatch(r"sk_[0-9a-f]{12}_[\w-]{43}", key)
    assert "whsec_" in err.getvalue()
    me = Api(client, key).get("/me").json()
    assert (me["user"]["username"], me["team"]["slug"], me["key"]["name"]) == ("theo", "northwind", "cron")

    with pytest.raises(CommandError, match="not a member"):
        call_command("create_api_key", "sam", "--team", "northwind", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No team"):
        call_command("create_api_key", "sam", "--team", "nowhere", stdout=io.StringIO())


def test_keys_page_shows_a_new_key_once_and_revokes_it(client, rich_people):
    client = client_for_team(client, rich_people.owner, rich_people.team)
    created = client.post("/settings/api-keys/", {"name": "batch renders"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    html = created.content.decode()
    key = re.search(r'data-testid="api-key"><code>(sk_[^<]+)</code>', html).group(1)
    assert Api(client, key).get("/me").status_code == 200

    listing = client.get("/settings/api-keys/").content.decode()
    api_key = ApiKey.objects.get(name="batch renders")
    assert key not in listing, "the key is shown only once"
    assert api_key.prefix in listing
    assert "never" not in listing.split(api_key.prefix)[1].split("</tr>")[0], "last use is shown"

    revoked = client.post(f"/settings/api-keys/{api_key.public_id}/revoke/", follow=True)
    assert "Revoked" in revoked.content.decode()
    assert Api(client, key).get("/me").status_code == 401
    actions = list(AuditEvent.objects.filter(team=rich_people.team).values_list("action", flat=True))
    assert {"api_key.create", "api_key.revoke"} <= set(actions)


def test_members_see_and_revoke_only_their_own_keys_owners_all(client, rich_people, owner_key):
    theirs = api_key_create(team=rich_people.team, user=rich_people.teammate, name="theo's key")
    member = client_for_team(client, rich_people.teammate, rich_people.team)
    page = member.get("/settings/api-keys/").content.decode()
    assert "theo&#x27;s key" in page and owner_key.api_key.prefix not in page
    assert member.post(f"/settings/api-keys/{owner_key.api_key.public_id}/revoke/").status_code == 404
    assert ApiKey.objects.get(pk=owner_key.api_key.pk).revoked_at is None

    owner = client_for_team(client, rich_people.owner, rich_people.team)
    assert theirs.api_key.prefix in owner.get("/settings/api-keys/").content.decode()
    owner.post(f"/settings/api-keys/{theirs.api_key.public_id}/revoke/")
    assert ApiKey.objects.get(pk=theirs.api_key.pk).revoked_by == rich_people.owner


def test_another_teams_key_cannot_be_revoked(client, rich_people, stranger_key):
    owner = client_for_team(client, rich_people.owner, rich_people.team)
    assert owner.post(f"/settings/api-keys/{stranger_key.api_key.public_id}/revoke/").status_code == 404
    assert ApiKey.objects.get(pk=stranger_key.api_key.pk).revoked_at is None
