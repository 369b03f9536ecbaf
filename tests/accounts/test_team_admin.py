"""Owners and admins run their team in the studio's own pages: members, roles, invites by link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, Invite, Membership, Role
from accounts.services import invite_create, membership_add, user_signup
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/team/members/",
    "/team/limits/",
    "/team/usage/",
    "/team/usage/ledger.csv",
    "/team/usage/generations.csv",
]


def _membership(people, user) -> Membership:
    return Membership.objects.get(team=people.team, user=user)


def _invite_link(client, **data) -> str:
    response = client.post("/team/members/invite/", {"role": "member", "days": "7", **data})
    assert response.status_code == 200, response.content[:400]
    match = re.search(r'value="(http://testserver/team/join/[^"]+)"', response.content.decode())
    assert match, "the new link is shown once"
    return match.group(1).replace("http://testserver", "")


# --- who may open what ---------------------------------------------------------------


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_member_cannot_open_team_admin_pages(client, people, url):
    client = client_for_team(client, people.teammate, people.team)
    assert client.get(url).status_code in {403, 404}


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_owners_and_admins_can(client, people, url):
    Membership.objects.filter(team=people.team, user=people.teammate).update(role=Role.ADMIN)
    client = client_for_team(client, people.teammate, people.team)
    assert client.get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/team/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_of_one_team_cannot_touch_another_teams_members(client, people):
    client = client_for_team(client, people.owner, people.team)
    stranger = Membership.objects.get(team=people.other_team, user=people.stranger)
    assert client.post(f"/team/members/{stranger.public_id}/role/", {"role": "member"}).status_code == 404
    assert client.post(f"/team/members/{stranger.public_id}/remove/").status_code == 404
    assert client.post(f"/team/limits/{stranger.public_id}/", {"monthly_limit": "1"}).status_code == 404
    invite, _ = invite_create(team=people.other_team, actor=people.stranger)
    assert client.post(f"/team/members/invites/{invite.public_id}/revoke/").status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == Role.OWNER
    invite.refresh_from_db()
    assert invite.revoked_at is None


def test_an_admin_cannot_see_another_team_by_forging_the_session(client, people):
    client = client_for_team(client, people.owner, people.other_team)  # not a member there: falls back to own team
    html = client.get("/team/members/").content.decode()
    assert "Northwind" in html
    assert "sam@example.com" not in html and "Contoso" not in html


# --- members and roles ---------------------------------------------------------------


def test_owner_lists_members_and_changes_a_role(client, people):
    client = client_for_team(client, people.owner, people.team)
    html = client.get("/team/members/").content.decode()
    assert "olivia" in html and "theo" in html and "sam" not in html

    teammate = _membership(people, people.teammate)
    response = client.post(
        f"/team/members/{teammate.public_id}/role/", {"role": "admin"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'id="member-list"' in response.content.decode()
    teammate.refresh_from_db()
    assert teammate.role == Role.ADMIN
    event = AuditEvent.objects.get(team=people.team, action="member.role")
    assert event.actor == people.owner and event.detail == {
        "member": teammate.public_id,
        "before": "member",
        "after": "admin",
    }


def test_an_admin_cannot_make_owners_or_change_an_owner(client, people):
    Membership.objects.filter(team=people.team, user=people.teammate).update(role=Role.ADMIN)
    client = client_for_team(client, people.teammate, people.team)
    owner = _membership(people, people.owner)
    response = client.post(f"/team/members/{owner.public_id}/role/", {"role": "member"}, follow=True)
    assert "Only an owner can change an owner" in response.content.decode()
    assert client.post(f"/team/members/{owner.public_id}/remove/", follow=True).status_code == 200
    owner.refresh_from_db()
    assert owner.role == Role.OWNER

    newcomer = membership_add(team=people.team, user=people.stranger)
    client.post(f"/team/members/{newcomer.public_id}/role/", {"role": "owner"})
    newcomer.refresh_from_db()
    assert newcomer.role == Role.MEMBER


def test_the_last_owner_can_neither_be_demoted_nor_leave(client, people):
    client = client_for_team(client, people.owner, people.team)
    owner = _membership(people, people.owner)

    response = client.post(f"/team/members/{owner.public_id}/role/", {"role": "member"}, follow=True)
    assert "olivia is the last owner" in response.content.decode()
    response = client.post("/team/leave/", follow=True)
    assert "You are the last owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == Role.OWNER

    teammate = _membership(people, people.teammate)
    client.post(f"/team/members/{teammate.public_id}/role/", {"role": "owner"})
    response = client.post("/team/leave/", follow=True)
    assert "You left Northwind" in response.content.decode()
    assert not Membership.objects.filter(team=people.team, user=people.owner).exists()
    assert Membership.objects.get(team=people.team, user=people.teammate).role == Role.OWNER


def test_owner_removes_a_member(client, people):
    client = client_for_team(client, people.owner, people.team)
    teammate = _membership(people, people.teammate)
    response = client.post(f"/team/members/{teammate.public_id}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=teammate.pk).exists()
    assert AuditEvent.objects.filter(team=people.team, action="member.remove").exists()
    # the removed member no longer sees the team
    client.logout()
    theo = client_for_team(client, people.teammate, people.team)
    assert "Northwind" not in theo.get("/gallery/").content.decode()


def test_a_member_can_leave(client, people):
    client = client_for_team(client, people.teammate, people.team)
    assert client.post("/team/leave/").status_code == 302
    assert not Membership.objects.filter(team=people.team, user=people.teammate).exists()


def test_a_member_cannot_change_roles_even_by_posting(client, people):
    client = client_for_team(client, people.teammate, people.team)
    owner = _membership(people, people.owner)
    assert client.post(f"/team/members/{owner.public_id}/role/", {"role": "member"}).status_code == 403
    assert client.post(f"/team/members/{owner.public_id}/remove/").status_code == 403
    assert client.post("/team/members/invite/", {"role": "owner", "days": "7"}).status_code == 403


# --- invites ---------------------------------------------------------------------------


def test_invite_link_makes_a_member_once(client, people):
    owner = client_for_team(client, people.owner, people.team)
    link = _invite_link(owner, role="admin")
    invite = Invite.objects.get(team=people.team)
    assert link.split("/")[-2] not in invite.token_hash, "only a hash of the token is stored"
    owner.logout()

    # a stranger opens the link, logs in, and joins
    page = client.get(link)
    assert page.status_code == 200 and "Join Northwind" in page.content.decode()
    assert "Log in to join" in page.content.decode()
    client.force_login(people.stranger)
    response = client.post(link)
    assert response.status_code == 302
    assert _membership(people, people.stranger).role == Role.ADMIN
    assert client.session["team_slug"] == "northwind"

    # the link worked once
    client.logout()
    newcomer = user_signup(username="nina", email="nina@example.com", password="correct horse 9")
    client.force_login(newcomer)
    response = client.post(link)
    assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(team=people.team, user=newcomer).exists()


def test_an_expired_or_revoked_invite_does_not_work(client, people):
    invite, token = invite_create(team=people.team, actor=people.owner)
    Invite.objects.filter(pk=invite.pk).update(
        created_at=timezone.now() - timedelta(days=9), expires_at=timezone.now() - timedelta(days=2)
    )
    client.force_login(people.stranger)
    response = client.post(f"/team/join/{token}/")
    assert "has expired" in response.content.decode()

    other, other_token = invite_create(team=people.team, actor=people.owner)
    owner = client_for_team(client.__class__(), people.owner, people.team)
    assert owner.post(f"/team/members/invites/{other.public_id}/revoke/").status_code == 302
    response = client.post(f"/team/join/{other_token}/")
    assert "was revoked" in response.content.decode()
    assert not Membership.objects.filter(team=people.team, user=people.stranger).exists()


def test_an_invite_for_an_email_only_works_for_that_account(client, people):
    _, token = invite_create(team=people.team, actor=people.owner, email="Someone@Example.com")
    client.force_login(people.stranger)
    response = client.post(f"/team/join/{token}/")
    assert "This invite is for someone@example.com" in response.content.decode()
    assert not Membership.objects.filter(team=people.team, user=people.stranger).exists()


def test_an_unknown_invite_link_is_404(client):
    assert client.get("/team/join/not-a-token/").status_code == 404


def test_signing_up_from_an_invite_link_comes_back_to_it(client, people):
    _, token = invite_create(team=people.team, actor=people.owner)
    link = f"/team/join/{token}/"
    response = client.post(
        f"/accounts/signup/?next={link}",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a long passphrase 7",
            "password2": "a long passphrase 7",
            "next": link,
        },
    )
    assert response["Location"] == link
    client.post(link)
    assert Membership.objects.filter(team=people.team, user__username="ada", role=Role.MEMBER).exists()


def test_an_admin_cannot_invite_owners(client, people):
    Membership.objects.filter(team=people.team, user=people.teammate).update(role=Role.ADMIN)
    client = client_for_team(client, people.teammate, people.team)
    response = client.post("/team/members/invite/", {"role": "owner", "days": "7"})
    assert response.status_code == 422
    assert not Invite.objects.exists()


# --- at the same time ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(people):
    from accounts.services import TeamAdminError, membership_role_change
    from tests.billing.helpers import run_at_once

    Membership.objects.filter(team=people.team, user=people.teammate).update(role=Role.OWNER)
    olivia, theo = _membership(people, people.owner), _membership(people, people.teammate)
    for _ in range(5):
        results = run_at_once(
            [
                lambda: membership_role_change(membership=theo, role=Role.MEMBER, actor=people.owner),
                lambda: membership_role_change(membership=olivia, role=Role.MEMBER, actor=people.teammate),
            ],
            threads=2,
        )
        assert sum(isinstance(r, TeamAdminError) for r in results) == 1, results
        assert Membership.objects.filter(team=people.team, role=Role.OWNER).count() == 1
        Membership.objects.filter(team=people.team).update(role=Role.OWNER)


@pytest.mark.django_db(transaction=True)
def test_an_invite_link_used_twice_at_once_makes_one_member(people):
    from accounts.services import InviteError, invite_accept
    from tests.billing.helpers import run_at_once

    _, token = invite_create(team=people.team, actor=people.owner)
    others = [user_signup(username=f"u{n}", email=f"u{n}@example.com", password="correct horse 5") for n in range(8)]
    results = run_at_once([lambda user=user: invite_accept(token=token, user=user) for user in others], threads=8)
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert all(isinstance(r, (Membership, InviteError)) for r in results), results
    assert Membership.objects.filter(team=people.team).count() == 3
