"""Hostile values at every route: never a 5xx, and a refusal writes nothing.

Hypothesis draws hostile text and numbers (NUL and other control characters, 100 k characters,
right-to-left and combining marks, huge, negative and non-finite numbers, ``../`` and encoded
traversal, markup and template syntax) and sends them to every route of the access matrix, as a team
member and as staff: in the query string of a GET, in the form of a POST (the route's own fields and
the names the views read), and in place of the ids in its path. The JSON API gets bodies with unpaired
surrogates, duplicated keys, non-finite and huge numbers. Each request runs in a savepoint rolled
back after it; when the answer is a refusal (4xx), the rows it could have touched are counted before
and after. Text the studio accepts (a prompt, a board's name) comes back on its page as it was typed.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote, urlencode

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from catalog.services import catalog_sync
from generations.models import Board, Generation
from tests.security.test_access_matrix import STUDIO
from tests.security.world import World, world_build

pytestmark = pytest.mark.django_db

NASTY = [
    "\x00",
    "a\x00b",
    "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "\r\nSet-Cookie: injected=1",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u2066x\u2069",
    "e\u0301\u0301\u0301\u0301\u0301",  # combining marks
    "\ufeff",
    "\U0010ffff\U000e0001",
    "😀" * 64,
    "x" * 100_000,
    "",
    " ",
    "-1",
    "-0",
    "0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "9" * 40,
    "-" + "9" * 40,
    "999999999999.995",
    "0.0000000000000000000001",
    "1_000",
    "0x10",
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2f",
    "..\\..\\windows\\win.ini",
    "%00",
    "%",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% now 'Y' %}",
    "' OR 1=1 --",
    "csrf-slot-0b5e7c idempotency-slot-3f9a1c server-now-slot-8d42e0",
    "gen_" + "A" * 300,
    "northwind",
    "contoso",
    "kubflow:nano-banana",
    "on",
    "admin",
    "owner",
]

hostile = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Mn", "Zs", "Lo", "Nd", "P")), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
)

# The names the views and forms read (request.GET / request.POST, the forms' fields), and a few others.
NAMES = [
    "after", "alert_percent", "board", "capability", "category", "credit_rate", "credits", "cursor", "date",
    "days", "direction", "download", "email", "enabled", "end", "family", "from_offer", "generation",
    "generation_type", "idempotency_key", "ids", "kind", "low_balance", "markup", "member", "model",
    "monthly_budget", "monthly_limit", "name", "new_board", "next", "offer", "on", "page", "prompt",
    "provider", "q", "reason", "role", "sort", "start", "status", "team", "username", "widget", "fav",
]  # fmt: skip

fields = st.dictionaries(st.sampled_from(NAMES), hostile, min_size=1, max_size=6)


SNAPSHOT = """
SELECT (SELECT count(*) FROM accounts_team), (SELECT count(*) FROM accounts_membership),
       (SELECT count(*) FROM accounts_invite), (SELECT count(*) FROM accounts_auditevent),
       (SELECT count(*) FROM api_apikey), (SELECT count(*) FROM billing_hold),
       (SELECT count(*) FROM billing_ledgerentry), (SELECT count(*) FROM billing_teamlimits),
       (SELECT count(*) FROM billing_memberlimit), (SELECT count(*) FROM generations_board),
       (SELECT md5(string_agg(balance::text || '/' || held::text, ',' ORDER BY id)) FROM billing_wallet),
       (SELECT md5(string_agg(name || '/' || slug || '/' || failover_enabled::text, ',' ORDER BY id)) FROM accounts_team),
       (SELECT md5(string_agg(role, ',' ORDER BY id)) FROM accounts_membership),
       (SELECT md5(string_agg(status || '/' || coalesce(deleted_at::text, ''), ',' ORDER BY id)) FROM generations_generation),
       (SELECT md5(string_agg(enabled::text || '/' || coalesce(studio_price::text, ''), ',' ORDER BY id)) FROM catalog_offer),
       (SELECT md5(string_agg(coalesce(revoked_at::text, ''), ',' ORDER BY id)) FROM api_apikey)
"""
WATCHED = [
    "teams", "memberships", "invites", "audit events", "API keys", "holds", "ledger entries", "team limits",
    "member limits", "boards", "wallets", "team names", "roles", "generations", "offers", "key revocations",
]  # fmt: skip


def _snapshot() -> dict:
    """What a refusal must leave as it was, in one query (rows counted, the changeable columns hashed)."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT)
        return dict(zip(WATCHED, cursor.fetchone(), strict=True))


class _Undo(Exception):
    pass


def _hostile_path(path: str, value: str) -> str:
    """The route's URL with each opaque id (gen_…, brd_…, a signed token) replaced by ``value``."""
    quoted = quote(value[:2000], safe="")
    return re.sub(r"/(?:[a-z]{2,4}_[A-Za-z0-9]{8,}|[A-Za-z0-9_-]{20,}:[^/]+:[^/]+|[A-Za-z0-9_-]{30,})(?=/|$)",
                  f"/{quoted}", path)  # fmt: skip


def _request(world: World, actor: str, method: str, path: str, data=None, *, health: bool = False, **kwargs):
    client = world.client(actor)
    before = _snapshot()
    try:
        with transaction.atomic():
            response = client.get(path, **kwargs) if method == "GET" else client.post(path, data or {}, **kwargs)
            after = _snapshot()
            raise _Undo
    except _Undo:
        pass
    where = f"{method} {path[:200]} {str(data)[:300]} as {actor}"
    if not (health and response.status_code == 503):  # /readyz says 503 while beat has not swept: its answer
        assert response.status_code < 500, f"{response.status_code} for {where}"
    if 400 <= response.status_code < 500:
        changed = {key for key in before if before[key] != after[key]}
        assert not changed, f"a refused request ({response.status_code}) changed {changed}: {where}"
    return response


@pytest.fixture
def world(settings, media_root) -> World:
    settings.API_RATE_LIMIT = "off"
    catalog_sync(providers=["kubflow"])
    return world_build()


FUZZ = settings(
    max_examples=2,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # each failure names its request in full: no shrinking
    suppress_health_check=list(HealthCheck),
)


@FUZZ
@given(data=st.data())
def test_hostile_values_at_every_route_are_refused_cleanly(world, data):
    for key, route in STUDIO.items():
        for actor in ("member", "staff"):
            path = route.path(world)
            query = data.draw(fields, label=f"{key} query")
            base, _, own = path.partition("?")
            target = f"{base}?{urlencode({**dict(p.split('=', 1) for p in own.split('&') if p), **query})}"
            _request(world, actor, "GET", target, health=key == "readyz")
            form = {**(route.data(world) if route.data else {}), **data.draw(fields, label=f"{key} form")}
            form = {name: data.draw(hostile) if data.draw(st.booleans()) else value for name, value in form.items()}
            _request(world, actor, "POST", base, form, health=key == "readyz")
            hostile_base = _hostile_path(base, data.draw(hostile, label=f"{key} id"))
            if hostile_base != base:
                _request(world, actor, route.method, hostile_base, route.data(world) if route.data else None)


JSON_NASTY = [
    '{"model": "kubflow:nano-banana", "prompt": "\\ud800"}',
    '{"model": "kubflow:nano-banana", "prompt": "a\\u0000b"}',
    '{"model": "kubflow:nano-banana", "model": "kubflow:nano-banana", "prompt": "x", "prompt": "y"}',
    '{"model": "kubflow:nano-banana", "prompt": "x", "params": {"num_images": 1e400}}',
    '{"model": "kubflow:nano-banana", "prompt": "x", "params": {"num_images": NaN}}',
    '{"model": "kubflow:nano-banana", "prompt": "x", "params": {"num_images": -Infinity}}',
    '{"model": "kubflow:nano-banana", "prompt": "x", "params": {"num_images": 1' + "0" * 400 + "}}",
    '{"model": "kubflow:nano-banana", "prompt": "x", "params": {"num_images": -3}}',
    '{"model": "kubflow:nano-banana", "prompt": "x", "params": "../../etc/passwd"}',
    '{"model": "../../etc/passwd", "prompt": "x"}',
    '{"model": ["kubflow:nano-banana"], "prompt": {"$gt": ""}}',
    '{"model": "kubflow:nano-banana", "prompt": "x", "callback_url": "http://127.0.0.1:1/\\u0000"}',
    '{"model": "kubflow:nano-banana", "prompt": "' + "x" * 100_000 + '"}',
    "[" * 5000 + "]" * 5000,
    '{"model": "kubflow:nano-banana", "prompt": "x"',
    "\ufeff{}",
    "",
]


@FUZZ
@given(extra=st.dictionaries(st.sampled_from(NAMES), hostile, max_size=4))
def test_hostile_json_at_the_api_is_refused_cleanly(world, extra):
    for body in JSON_NASTY:
        for path in ("/api/v1/quotes", "/api/v1/generations"):
            _request(
                world,
                "api_key",
                "POST",
                f"{path}?{urlencode(extra)}",
                body.encode("utf-8", "surrogatepass"),
                content_type="application/json",
            )
    for path in (
        "/api/v1/generations",
        "/api/v1/usage",
        "/api/v1/models",
        f"/api/v1/generations/{world.generation.public_id}",
    ):
        _request(world, "api_key", "GET", f"{path}?{urlencode(extra)}")


@FUZZ
@given(text=st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=200)))
def test_accepted_text_comes_back_as_it_was_typed(world, text):
    client = world.client("member")
    try:
        with transaction.atomic():
            response = client.post("/boards/", {"name": text})
            assert response.status_code in (200, 302, 400), f"{response.status_code} for a board named {text[:80]!r}"
            if response.status_code == 302:
                board = Board.objects.filter(team=world.team).order_by("-pk").first()
                assert board.name == " ".join(text.split())[:80], (
                    "a name keeps what was typed (spaces collapsed, 80 long)"
                )
                page = client.get(response.headers["Location"]).content.decode()
                assert escape(board.name) in page, "the board's page shows its name byte for byte (escaped)"
            response = client.post("/generate/", {"offer": world.offer.key, "prompt": text})
            assert response.status_code < 500, f"{response.status_code} for a prompt {text[:80]!r}"
            made = Generation.objects.filter(team=world.team, created_by=world.member).order_by("-pk").first()
            if response.status_code == 302 and made is not None:
                assert made.prompt == text.strip()
                page = client.get(f"/g/{made.public_id}/").content.decode()
                assert escape(made.prompt) in page, "the generation's page shows the prompt as typed"
            raise _Undo
    except _Undo:
        pass


@pytest.mark.parametrize(
    "target", ["417", "gallery", "generations:gallery", "//evil.example/", "https://evil.example/"]
)
def test_a_next_that_is_not_a_path_here_goes_to_the_default(world, target):
    """Found by the fuzz test: ``next=417`` passed the host check and redirect() took it for a view name (500)."""
    switch = world.client("owner").post("/accounts/team/switch/", {"team": "northwind", "next": target})
    assert (switch.status_code, switch.headers["Location"]) == (302, "/")
    favourite = world.client("owner").post(f"/g/{world.generation.public_id}/favourite/", {"next": target})
    assert (favourite.status_code, favourite.headers["Location"]) == (302, f"/g/{world.generation.public_id}/")
    back = world.client("owner").post(f"/g/{world.generation.public_id}/favourite/", {"next": "/boards/"})
    assert back.headers["Location"] == "/boards/", "a path on this site is where it goes"
