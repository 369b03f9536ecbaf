"""Signed-in requests read the session, the user and their memberships from the cache
(accounts.principal, accounts.sessions): every change still shows on the very next request,
and when the cache is down, pages work from the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from accounts.principal import PRINCIPAL_COOKIE
from accounts.services import team_failover_set
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

DEAD_CACHE = {
    "default": {
        **settings.CACHES["default"],
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    }
}


@pytest.fixture
def member(people, catalog):
    cache.clear()
    return client_for_team(Client(), people.teammate, people.team)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_warm_signed_in_request_reads_no_session_user_or_membership_rows(member):
    member.get("/billing/")  # the first request reads them and sets the hint cookie
    assert member.cookies[PRINCIPAL_COOKIE].value.isdigit()
    with CaptureQueriesContext(connection) as captured:
        assert member.get("/billing/").status_code == 200
    sql = " ".join(q["sql"] for q in captured)
    assert 'FROM "django_session"' not in sql
    assert 'FROM "accounts_user" WHERE "accounts_user"."id" =' not in sql, "the signed-in user"
    assert 'WHERE "accounts_membership"."user_id" =' not in sql, "their memberships"


def test_a_removed_member_loses_the_team_on_the_next_request(member, people):
    assert "Northwind" in member.get("/gallery/").content.decode()  # cached as a member
    Membership.objects.filter(team=people.team, user=people.teammate).get().delete()
    page = member.get("/gallery/").content.decode()
    assert "Northwind" not in page, "the cached membership was dropped: back in their own team"


def test_a_changed_password_ends_other_sessions_at_once(member, people):
    assert member.get("/gallery/").status_code == 200
    people.teammate.set_password("a brand new secret 9")
    people.teammate.save()
    response = member.get("/gallery/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_deactivated_user_is_signed_out_at_once(member, people):
    assert member.get("/gallery/").status_code == 200
    people.teammate.is_active = False
    people.teammate.save()
    assert member.get("/gallery/").status_code == 302


def test_a_team_change_made_with_an_update_shows_at_once(people, catalog, client):
    cache.clear()
    owner = client_for_team(client, people.owner, people.team)
    box = '<input type="checkbox" name="enabled"'
    assert f"{box} >" in owner.get("/team/limits/").content.decode()
    team_failover_set(team=people.team, actor=people.owner, enabled=True)
    assert f"{box} checked>" in owner.get("/team/limits/").content.decode(), "the cached team held the old setting"


def test_a_forged_hint_cookie_does_not_change_who_is_signed_in(member, people):
    member.get("/gallery/")
    client_for_team(Client(), people.stranger, people.other_team).get("/gallery/")  # the stranger is cached too
    member.cookies[PRINCIPAL_COOKIE] = str(people.stranger.pk)
    page = member.get("/gallery/").content.decode()
    assert "Northwind" in page and "Contoso" not in page


def test_signing_out_drops_the_hint_cookie(member):
    member.get("/gallery/")
    response = member.post("/accounts/logout/")
    assert response.cookies[PRINCIPAL_COOKIE].value == ""


def test_pages_work_from_the_database_while_the_cache_is_down(people, catalog):
    with override_settings(CACHES=DEAD_CACHE):
        cache.get("warm")  # the first failure opens the breaker: later calls skip the cache at once
        member = client_for_team(Client(), people.teammate, people.team)
        assert member.get("/gallery/").status_code == 200
        assert member.get("/gallery/poll/?ids=gen_nothing:running:0", headers={"HX-Request": "true"}).status_code == 200
        assert member.get("/billing/").status_code == 200
