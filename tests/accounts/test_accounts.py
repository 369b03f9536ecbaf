from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import Membership, Role, User
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db


def test_signup_creates_a_personal_team_and_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a long passphrase 7",
            "password2": "a long passphrase 7",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/gallery/"
    user = User.objects.get(username="ada")
    membership = Membership.objects.get(user=user)
    assert membership.team.personal and membership.role == Role.OWNER
    assert "ada&#x27;s team" in response.content.decode()


def test_signup_refuses_a_taken_email(client, people):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "other",
            "email": "OLIVIA@example.com",
            "password1": "a long passphrase 7",
            "password2": "a long passphrase 7",
        },
    )
    assert "An account with this email already exists." in response.content.decode()
    assert not User.objects.filter(username="other").exists()


def test_login_and_logout(client, people):
    response = client.post("/accounts/login/", {"username": "olivia", "password": "correct horse 1"}, follow=True)
    assert response.redirect_chain[-1][0] == "/gallery/"
    client.post("/accounts/logout/")
    assert client.get("/gallery/").status_code == 302


def test_wrong_password_is_refused(client, people):
    response = client.post("/accounts/login/", {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_reset_sends_a_working_link(client, people):
    client.post("/accounts/password/reset/", {"email": "olivia@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "brand new phrase 9", "new_password2": "brand new phrase 9"},
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    assert client.login(username="olivia", password="brand new phrase 9")


def test_team_switcher_changes_the_working_team(client, people):
    client = client_for_team(client, people.owner, people.team)
    page = client.get("/gallery/").content.decode()
    assert 'id="team-select"' in page, "a user in several teams gets a switcher"
    personal = people.owner.memberships.get(team__personal=True).team
    client.post("/accounts/team/switch/", {"team": personal.slug, "next": "/gallery/"})
    page = client.get("/gallery/").content.decode()
    assert re.search(rf'<option value="{personal.slug}" selected>', page)
