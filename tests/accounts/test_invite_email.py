"""Email-bound invites: the link is emailed to the address, never shown to the inviter, so opening it is
the proof the person owns the address; accepting it marks the address verified. A sign-up with the
invited address but without the link joins nothing."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import Invite, Membership, Role, User
from accounts.services import invite_create
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

SIGNUP = {"password1": "a long passphrase 7", "password2": "a long passphrase 7"}


def _signup(client, username: str, email: str, next_url: str = ""):
    data = {"username": username, "email": email, **SIGNUP, "next": next_url}
    return client.post(f"/accounts/signup/?next={next_url}" if next_url else "/accounts/signup/", data)


def test_an_email_bound_invite_is_emailed_and_its_link_not_shown(client, people):
    owner = client_for_team(client, people.owner, people.team)
    response = owner.post("/team/members/invite/", {"role": "member", "days": "7", "email": "Ada@Example.com"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="invite-sent"' in page and "Invite sent to ada@example.com" in page
    assert "/team/join/" not in page, "the inviter never sees the link"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    assert re.search(r"http://testserver/team/join/[\w-]+/", mail.outbox[0].body)


def test_an_invite_without_an_email_still_shows_its_link_and_sends_nothing(client, people):
    owner = client_for_team(client, people.owner, people.team)
    page = owner.post("/team/members/invite/", {"role": "member", "days": "7"}).content.decode()
    assert re.search(r'value="http://testserver/team/join/[^"]+"', page)
    assert mail.outbox == []


def test_a_sign_up_with_the_invited_address_without_the_link_joins_nothing(client, people):
    invite, _ = invite_create(team=people.team, actor=people.owner, email="ada@example.com")
    assert _signup(client, "ada", "ADA@example.com").status_code == 302
    ada = User.objects.get(username="ada")
    assert not Membership.objects.filter(team=people.team, user=ada).exists()
    assert ada.email_verified_at is None
    invite.refresh_from_db()
    assert invite.state == "pending"
    assert client.get("/gallery/").status_code == 200, "only their own personal team"
    assert people.team.name not in client.get("/gallery/").content.decode()


def test_the_emailed_link_joins_and_marks_the_address_verified(client, people):
    owner = client_for_team(client.__class__(), people.owner, people.team)
    owner.post("/team/members/invite/", {"role": "admin", "days": "7", "email": "ada@example.com"})
    link = re.search(r"http://testserver(/team/join/[\w-]+/)", mail.outbox[0].body).group(1)
    assert _signup(client, "ada", "Ada@Example.COM", next_url=link)["Location"] == link
    assert client.post(link).status_code == 302
    ada = User.objects.get(username="ada")
    assert Membership.objects.filter(team=people.team, user=ada, role=Role.ADMIN).exists()
    assert ada.email_verified_at is not None


def test_the_link_with_another_address_is_refused_and_verifies_nothing(client, people):
    _, token = invite_create(team=people.team, actor=people.owner, email="ada@example.com")
    _signup(client, "mallory", "mallory@example.com")
    response = client.post(f"/team/join/{token}/")
    assert "This invite is for ada@example.com" in response.content.decode()
    mallory = User.objects.get(username="mallory")
    assert not Membership.objects.filter(team=people.team, user=mallory).exists()
    assert mallory.email_verified_at is None
    assert Invite.objects.get(team=people.team).state == "pending"


def test_an_open_link_does_not_verify_an_address(client, people):
    _, token = invite_create(team=people.team, actor=people.owner)
    _signup(client, "ada", "ada@example.com")
    client.post(f"/team/join/{token}/")
    ada = User.objects.get(username="ada")
    assert Membership.objects.filter(team=people.team, user=ada).exists()
    assert ada.email_verified_at is None, "a link anyone may hold proves no address"
