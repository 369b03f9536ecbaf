"""Passwords can't be guessed at full speed: failed logins are limited per username and per address
(django-axes), password-reset requests per address and per email; a locked-out person is told when to try
again, and staff can unlock them. API keys are not affected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from api.services import api_key_create
from tests.conftest import client_for_team

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
PASSWORD = "correct horse 1"  # olivia's (tests/conftest.py)


def _login(client, username: str, password: str, address: str = "203.0.113.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _assert_locked_out(response, minutes: int | None = None) -> None:
    assert response.status_code == 429, response.content[:300]
    page = response.content.decode()
    assert 'data-testid="locked-out"' in page and "Try again in" in page
    if minutes is not None:
        assert f"Try again in {minutes} minutes" in page
    assert int(response["Retry-After"]) > 0


def test_the_limit_is_five_failures_for_fifteen_minutes():
    assert (5, timedelta(minutes=15)) == (LIMIT, settings.AXES_COOLOFF_TIME)


def test_failures_for_one_username_lock_it_out_from_every_address(client, people):
    for i in range(LIMIT - 1):
        response = _login(client, "olivia", f"guess {i}", address=f"198.51.100.{i + 1}")
        assert response.status_code == 200, "a wrong password is the form again, until the limit"
    _assert_locked_out(_login(client, "olivia", "guess", address="198.51.100.99"), minutes=15)  # the fifth
    _assert_locked_out(_login(client, "olivia", PASSWORD, address="192.0.2.77"), minutes=15)
    assert not _signed_in(client), "the right password is refused while locked out"
    assert _login(client, "theo", "correct horse 2", address="192.0.2.77").status_code == 302, "others sign in"


def test_failures_from_one_address_lock_it_out_for_every_username(client, people):
    for i in range(LIMIT - 1):
        assert _login(client, f"nobody{i}", "guess", address="203.0.113.9").status_code == 200
    _assert_locked_out(_login(client, "nobody-last", "guess", address="203.0.113.9"))
    _assert_locked_out(_login(client, "olivia", PASSWORD, address="203.0.113.9"))
    assert not _signed_in(client)
    assert _login(Client(), "olivia", PASSWORD, address="203.0.113.10").status_code == 302, "another address"


def test_fewer_failures_than_the_limit_still_sign_in_and_a_success_forgets_them(client, people):
    for i in range(LIMIT - 1):
        _login(client, "olivia", f"guess {i}")
    assert _login(client, "olivia", PASSWORD).status_code == 302 and _signed_in(client)
    assert not AccessAttempt.objects.filter(username="olivia").exists()
    other = Client()
    for i in range(LIMIT - 1):
        _login(other, "olivia", f"again {i}")
    assert _login(other, "olivia", PASSWORD).status_code == 302, "the count started again after the success"


def test_signing_in_to_ones_own_account_does_not_reset_the_count_of_another(client, people):
    for i in range(LIMIT - 1):
        _login(client, "olivia", f"guess {i}")
    assert _login(Client(), "theo", "correct horse 2").status_code == 302  # the guesser's own account, same address
    _assert_locked_out(_login(client, "olivia", "one more guess", address="198.51.100.200"))


def test_the_lockout_ends_after_the_cool_off(client, people):
    for i in range(LIMIT):
        _login(client, "olivia", f"guess {i}")
    _assert_locked_out(_login(client, "olivia", PASSWORD))
    # 10 minutes later: five left (the lockout ends 15 minutes after the last counted failure).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    _assert_locked_out(_login(client, "olivia", PASSWORD), minutes=5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, "olivia", PASSWORD).status_code == 302 and _signed_in(client)


def test_staff_see_and_unlock_a_lockout_and_it_is_audited(client, people):
    attacker = Client()
    for i in range(LIMIT):
        _login(attacker, "olivia", f"guess {i}", address=f"198.51.100.{i + 1}")
    _assert_locked_out(_login(attacker, "olivia", PASSWORD, address="192.0.2.1"))

    member = client_for_team(Client(), people.teammate, people.team)
    assert member.get("/staff/lockouts/").status_code == 404, "not staff: no such page"
    assert member.post("/staff/lockouts/unlock/", {"kind": "username", "value": "olivia"}).status_code == 404

    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    staff = client_for_team(client, people.stranger, people.other_team)
    page = staff.get("/staff/lockouts/").content.decode()
    assert 'data-lockout="username:olivia"' in page
    response = staff.post("/staff/lockouts/unlock/", {"kind": "username", "value": "olivia"})
    assert response.status_code == 302
    assert 'data-lockout="username:olivia"' not in staff.get("/staff/lockouts/").content.decode()
    event = AuditEvent.objects.get(action="login.unlock")
    assert (event.actor, event.detail["value"]) == (people.stranger, "olivia")
    assert _login(Client(), "olivia", PASSWORD, address="192.0.2.1").status_code == 302


def test_staff_unlock_an_address(client, people):
    for i in range(LIMIT):
        _login(Client(), f"nobody{i}", "guess", address="203.0.113.50")
    people.stranger.is_staff = True
    people.stranger.save(update_fields=["is_staff"])
    staff = client_for_team(client, people.stranger, people.other_team)
    assert 'data-lockout="address:203.0.113.50"' in staff.get("/staff/lockouts/").content.decode()
    assert staff.post("/staff/lockouts/unlock/", {"kind": "address", "value": "203.0.113.50"}).status_code == 302
    assert staff.post("/staff/lockouts/unlock/", {"kind": "team", "value": "x"}).status_code == 422
    assert _login(Client(), "olivia", PASSWORD, address="203.0.113.50").status_code == 302


def test_an_api_key_works_while_its_owner_is_locked_out(client, people):
    key = api_key_create(team=people.team, user=people.owner, name="ci")
    for i in range(LIMIT):
        _login(client, "olivia", f"guess {i}")
    _assert_locked_out(_login(client, "olivia", PASSWORD))
    response = Client().get("/api/v1/balance", headers={"Authorization": f"Bearer {key.key}"})
    assert response.status_code == 200, response.content


def test_a_signed_in_session_is_not_ended_by_a_lockout(client, people):
    signed_in = client_for_team(Client(), people.owner, people.team)
    for i in range(LIMIT):
        _login(client, "olivia", f"guess {i}")
    assert signed_in.get("/gallery/").status_code == 200


@pytest.fixture
def reset_limits():
    cache.clear()  # the reset counters live in the cache, per hour
    yield
    cache.clear()


def test_password_reset_requests_are_limited_per_email(client, people, reset_limits):
    limit = settings.PASSWORD_RESET_LIMIT
    for i in range(limit):
        response = client.post(
            "/accounts/password/reset/", {"email": "olivia@example.com"}, REMOTE_ADDR=f"198.51.100.{i}"
        )
        assert response.status_code == 302
    response = client.post("/accounts/password/reset/", {"email": "OLIVIA@example.com"}, REMOTE_ADDR="192.0.2.3")
    _assert_locked_out(response)
    assert "password-reset requests" in response.content.decode()
    assert len(mail.outbox) == limit, "no mail past the limit"


def test_password_reset_requests_are_limited_per_address(client, people, reset_limits):
    limit = settings.PASSWORD_RESET_LIMIT
    for i in range(limit):
        assert client.post("/accounts/password/reset/", {"email": f"x{i}@example.com"}).status_code == 302
    _assert_locked_out(client.post("/accounts/password/reset/", {"email": "olivia@example.com"}))
    assert mail.outbox == []
    other = client.post("/accounts/password/reset/", {"email": "olivia@example.com"}, REMOTE_ADDR="192.0.2.200")
    assert other.status_code == 302 and len(mail.outbox) == 1


def test_behind_a_load_balancer_the_appended_address_is_counted(client, people, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    balancer = "10.0.0.2"
    for i in range(LIMIT):
        # A client forging the header's first entry still gets the balancer's own last entry counted.
        client.post(
            "/accounts/login/",
            {"username": f"nobody{i}", "password": "guess"},
            REMOTE_ADDR=balancer,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "olivia", "password": PASSWORD},
        REMOTE_ADDR=balancer,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    _assert_locked_out(locked)
    other = Client().post(
        "/accounts/login/",
        {"username": "olivia", "password": PASSWORD},
        REMOTE_ADDR=balancer,
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 302, "another client behind the same balancer signs in"
    junk = Client().post(
        "/accounts/login/",
        {"username": "theo", "password": "x"},
        REMOTE_ADDR="203.0.113.77",
        HTTP_X_FORWARDED_FOR="junk",
    )
    assert junk.status_code == 200, "a header that is no address counts REMOTE_ADDR instead"
    assert AccessAttempt.objects.filter(username="theo", ip_address="203.0.113.77").exists()


def test_minutes_left_follow_the_failures_that_keep_the_lockout(client, people):
    """Failures from several addresses: the lockout ends when the oldest one still needed ages out."""
    for i in range(LIMIT):
        _login(client, "olivia", f"guess {i}", address=f"198.51.100.{i + 1}")
    for minutes, attempt in zip([12, 9, 8, 7, 6], AccessAttempt.objects.order_by("id"), strict=True):
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - timedelta(minutes=minutes))
    _assert_locked_out(_login(client, "olivia", PASSWORD, address="192.0.2.9"), minutes=3)  # 15 - 12
