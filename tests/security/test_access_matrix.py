"""Every route of the studio has a declared access decision, and every decision is what the studio answers.

The URLconf is walked with ``get_resolver()``; each route must have an entry in ``STUDIO`` (the studio's own
routes, one by one) or come from a Django admin registration declared in ``ADMIN_MODELS``. A new route
or a new admin registration without a decision fails ``test_every_route_has_a_decision``: no view ships
without someone saying who may open it.

Each route is then requested as each of the nine actors in ``tests.security.world.ACTORS``, with real
objects of Northwind in the URL (the other team's member and key must get 404 for them), every request
in a savepoint rolled back after it, so a delete by one actor leaves the object for the next. An
expected answer is a status code, a set of them, or ``"→/prefix"``: a redirect whose Location starts so.
No answer to someone outside Northwind may contain Northwind's prompt (staff on the staff pages and the
admin excepted).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin as django_admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from catalog.services import catalog_sync
from tests.security.world import ACTORS, OUTSIDERS, SECRET, World, world_build

pytestmark = pytest.mark.django_db

LOGIN = "→/accounts/login/"
ADMIN_LOGIN = "→/admin/login/"
SIGNED_OUT = ("anonymous", "api_key", "other_api_key")  # API keys do not sign anyone in to the web pages

Expect = int | str | frozenset
Answers = dict[str, Expect]


def _all(value: Expect) -> Answers:
    return dict.fromkeys(ACTORS, value)


def public(value: Expect) -> Answers:
    """No sign-in: everyone gets the same answer."""
    return _all(value)


def signed_in(value: Expect) -> Answers:
    """Any signed-in user, in a team or not."""
    return {**_all(value), **dict.fromkeys(SIGNED_OUT, LOGIN)}


def own_team(value: Expect, **overrides: Expect) -> Answers:
    """A page about the team one works in (no object in the URL): everyone with a team gets their own."""
    return {**_all(value), **dict.fromkeys(SIGNED_OUT, LOGIN), "no_team": 404, **overrides}


def team_object(value: Expect, *, member: Expect | None = None) -> Answers:
    """A Northwind object in the URL: Northwind's people only (``member`` when a plain member differs)."""
    answers = own_team(value, staff=404, other_team=404)
    if member is not None:
        answers["member"] = member
    return answers


def team_admin(value: Expect) -> Answers:
    """A team administration page: owners and admins of the team they work in; members 403."""
    return own_team(value, member=403)


def team_admin_object(value: Expect) -> Answers:
    """A Northwind object on a team administration page."""
    return own_team(value, member=403, staff=404, other_team=404)


def staff_only(value: Expect) -> Answers:
    """The studio's operators; for everyone else the page does not exist."""
    return {**_all(404), **dict.fromkeys(SIGNED_OUT, LOGIN), "staff": value}


def api(value: Expect, *, other: Expect | None = None) -> Answers:
    """The JSON API: a key only (a browser session is no key); ``other`` for the other team's key."""
    answers = {**_all(401), "api_key": value, "other_api_key": value if other is None else other}
    return answers


@dataclass
class Route:
    path: Callable[[World], str]
    expect: Answers
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] | None = None
    json: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    why: str = ""


G = "/g/{w.generation.public_id}"
HX = {"HX-Request": "true"}

# The studio's own routes, keyed by route name (or by pattern where a route has no name).
STUDIO: dict[str, Route] = {
    # health and the front door
    "healthz": Route(lambda w: "/healthz", public(200)),
    "readyz": Route(lambda w: "/readyz", public(frozenset({200, 503})), why="public; 503 while beat has not swept"),
    "metrics": Route(lambda w: "/metrics", public(401), why="METRICS_TOKEN set in the test: a bearer token only"),
    "": Route(lambda w: "/", public("→/gallery/")),
    # the gallery and the composer
    "generations:poll": Route(lambda w: f"/gallery/poll/?ids={w.generation.public_id}", own_team(200), headers=HX),
    "generations:gallery": Route(lambda w: "/gallery/", own_team(200)),
    "generations:generate": Route(
        lambda w: "/generate/",
        own_team("→/gallery/", staff=200),
        method="POST",
        data=lambda w: {"offer": w.offer.key, "prompt": "a lighthouse at dusk"},
        why="staff's personal team has no credits: the composer comes back with the reason",
    ),
    "generations:composer_fields": Route(lambda w: f"/generate/fields/?offer={w.offer.key}", own_team(200)),
    "generations:quote": Route(
        lambda w: "/generate/quote/", own_team(200), method="POST", data=lambda w: {"offer": w.offer.key}
    ),
    # links that carry their own credential (a token), no sign-in
    "generations:provider_webhook": Route(
        lambda w: f"/hooks/kubflow/{w.generation.webhook_token}/", public(200), method="POST"
    ),
    "generations:signed_file": Route(lambda w: f"/files/{w.shared_token}/{w.asset.filename}", public(200)),
    "generations:signed_file_legacy": Route(  # kept for upload links sent before /files/ served them too
        lambda w: f"/media/source/{w.legacy_source_token}/{w.source_filename}", public(200)
    ),
    # one generation
    "generations:detail": Route(lambda w: G.format(w=w) + "/", team_object(200)),
    "generations:card": Route(lambda w: G.format(w=w) + "/card/", team_object(200)),
    "generations:asset": Route(lambda w: G.format(w=w) + f"/files/{w.asset.public_id}/", team_object(200)),
    "generations:asset_thumbnail": Route(
        lambda w: G.format(w=w) + f"/files/{w.asset.public_id}/thumbnail/", team_object(200)
    ),
    "generations:use_as_source": Route(
        lambda w: G.format(w=w) + f"/files/{w.asset.public_id}/use/?offer={w.offer.key}", team_object("→/")
    ),
    "generations:download_all": Route(lambda w: G.format(w=w) + "/download/", team_object(200)),
    "generations:rerun": Route(lambda w: G.format(w=w) + "/rerun/", team_object("→/"), method="POST"),
    "generations:cancel": Route(
        lambda w: G.format(w=w) + "/cancel/",
        team_object("→/g/", member=403),
        method="POST",
        why="its author or the team's owners and admins (the owner made it)",
    ),
    "generations:delete": Route(
        lambda w: G.format(w=w) + "/delete/", team_object("→/gallery/", member=403), method="POST"
    ),
    "generations:favourite": Route(lambda w: G.format(w=w) + "/favourite/", team_object("→/g/"), method="POST"),
    "generations:add_to_board": Route(
        lambda w: G.format(w=w) + "/boards/",
        team_object("→/g/"),
        method="POST",
        data=lambda w: {"board": w.board.public_id},
    ),
    # boards
    "generations:compare_create": Route(lambda w: "/compare/", own_team(200), why="GET lists the team's comparisons"),
    "generations:compare_new": Route(lambda w: f"/compare/new/?offers={w.offer.key}", own_team(200)),
    "generations:compare_detail": Route(lambda w: f"/compare/{w.comparison_id}/", team_object(200)),
    "generations:compare_poll": Route(
        lambda w: f"/compare/{w.comparison_id}/poll/", team_object(frozenset({200, 204})), headers=HX
    ),
    # batches
    "generations:batch": Route(lambda w: f"/batches/{w.batch_id}/", team_object(200)),
    "generations:batch_head": Route(lambda w: f"/batches/{w.batch_id}/head/", team_object(200), headers=HX),
    "generations:batch_cancel": Route(
        lambda w: f"/batches/{w.batch_id}/cancel/",
        team_object("→/batches/", member=403),
        method="POST",
        why="its author or the team's owners and admins (the owner made it)",
    ),
    "generations:batch_again": Route(
        lambda w: f"/batches/{w.batch_id}/again/", team_object("→/batches/"), method="POST"
    ),
    "generations:boards": Route(lambda w: "/boards/", own_team(200)),
    "generations:board": Route(lambda w: f"/boards/{w.board.public_id}/", team_object(200)),
    "generations:board_rename": Route(
        lambda w: f"/boards/{w.board.public_id}/rename/",
        team_object("→/boards/"),
        method="POST",
        data=lambda w: {"name": "Renamed"},
    ),
    "generations:board_delete": Route(
        lambda w: f"/boards/{w.board.public_id}/delete/", team_object("→/boards/"), method="POST"
    ),
    "generations:board_remove": Route(
        lambda w: f"/boards/{w.board.public_id}/remove/{w.generation.public_id}/",
        team_object("→/boards/"),
        method="POST",
    ),
    # accounts
    "accounts:signup": Route(lambda w: "/accounts/signup/", public(200)),
    "accounts:login": Route(lambda w: "/accounts/login/", public(200)),
    "accounts:logout": Route(lambda w: "/accounts/logout/", public(LOGIN), method="POST"),
    "accounts:team_switch": Route(
        lambda w: "/accounts/team/switch/", signed_in("→/"), method="POST", data=lambda w: {"team": "northwind"}
    ),
    "accounts:password_reset": Route(lambda w: "/accounts/password/reset/", public(200)),
    "accounts:password_reset_done": Route(lambda w: "/accounts/password/reset/sent/", public(200)),
    "accounts:password_reset_confirm": Route(
        lambda w: f"/accounts/password/reset/{w.reset_uid}/{w.reset_token}/",
        {**public("→/accounts/password/reset/"), "owner": 200},
        why="the emailed link is the credential; signing in (a new last_login) retires it: 'invalid link'",
    ),
    "accounts:password_reset_complete": Route(lambda w: "/accounts/password/reset/complete/", public(200)),
    # the catalog: any signed-in user
    "catalog:index": Route(lambda w: "/catalog/", signed_in(200)),
    "catalog:family": Route(lambda w: f"/catalog/{w.family_slug}/", signed_in(200)),
    # billing and team administration
    "billing:ledger": Route(lambda w: "/billing/", own_team(200)),
    "team/": Route(lambda w: "/team/", public("→/team/members/"), why="a redirect; the target decides"),
    "team:members": Route(lambda w: "/team/members/", team_admin(200)),
    "team:invite_create": Route(
        lambda w: "/team/members/invite/",
        team_admin(200),
        method="POST",
        data=lambda w: {"role": "member", "email": "", "days": "7"},
    ),
    "team:invite_revoke": Route(
        lambda w: f"/team/members/invites/{w.invite_id}/revoke/", team_admin_object("→/team/members/"), method="POST"
    ),
    "team:member_role": Route(
        lambda w: f"/team/members/{w.member_membership.public_id}/role/",
        team_admin_object("→/team/members/"),
        method="POST",
        data=lambda w: {"role": "admin"},
    ),
    "team:member_remove": Route(
        lambda w: f"/team/members/{w.member_membership.public_id}/remove/",
        team_admin_object("→/team/members/"),
        method="POST",
    ),
    "team:leave": Route(
        lambda w: "/team/leave/",
        own_team("→/gallery/", owner="→/team/members/", staff="→/team/members/", other_team="→/team/members/"),
        method="POST",
        why="anyone may leave the team they work in; a team's last owner is sent back with the reason",
    ),
    "team:join": Route(lambda w: f"/team/join/{w.invite_token}/", public(200), why="the invite link is the credential"),
    "team:limits": Route(lambda w: "/team/limits/", team_admin(200)),
    "team:jobs_cap": Route(
        lambda w: "/team/jobs-cap/",
        {**team_admin("→/team/limits/"), "admin": 403},
        method="POST",
        data=lambda w: {"cap": "5"},
        why="owners only: admins see the setting, they do not change it",
    ),
    "team:jobs_in_flight": Route(lambda w: "/team/jobs-in-flight/", team_admin(200)),
    "team:failover": Route(
        lambda w: "/team/failover/", team_admin("→/team/limits/"), method="POST", data=lambda w: {"enabled": "on"}
    ),
    "team:member_limit": Route(
        lambda w: f"/team/limits/{w.member_membership.public_id}/",
        team_admin_object("→/team/limits/"),
        method="POST",
        data=lambda w: {"monthly_limit": "5"},
    ),
    "team:usage": Route(lambda w: "/team/usage/", team_admin(200)),
    "team:ledger_csv": Route(lambda w: "/team/usage/ledger.csv", team_admin(200)),
    "team:generations_csv": Route(lambda w: "/team/usage/generations.csv", team_admin(200)),
    # the studio's staff
    "staff_providers:reconcile": Route(lambda w: "/staff/reconcile/", staff_only(200)),
    "staff_providers:reconcile_read": Route(
        lambda w: "/staff/reconcile/read/", staff_only("→/staff/reconcile/"), method="POST"
    ),
    "staff_deliveries:list": Route(lambda w: "/staff/deliveries/", staff_only(200)),
    "staff_deliveries:refund": Route(
        lambda w: f"/staff/deliveries/{w.generation.public_id}/refund/",
        staff_only(422),
        method="POST",
        data=lambda w: {"amount": "1", "reason": "fell short", "idempotency_key": "refund:" + "0" * 32},
        why="staff pass; this world's job was never charged, so any refund is refused as too large",
    ),
    "staff_lockouts:index": Route(lambda w: "/staff/lockouts/", staff_only(200)),
    "staff_lockouts:unlock": Route(
        lambda w: "/staff/lockouts/unlock/",
        staff_only("→/staff/lockouts/"),
        method="POST",
        data=lambda w: {"kind": "username", "value": "olivia"},
    ),
    "staff:home": Route(lambda w: "/staff/", staff_only(200)),
    "staff:team": Route(lambda w: f"/staff/teams/{w.team.public_id}/", staff_only(200)),
    "staff:prices": Route(lambda w: "/staff/prices/", staff_only(200)),
    "staff:provider_pricing": Route(
        lambda w: "/staff/prices/providers/kubflow/",
        staff_only("→/staff/prices/"),
        method="POST",
        data=lambda w: {"credit_rate": "1"},
    ),
    "staff:family_enabled": Route(
        lambda w: f"/staff/prices/models/{w.family_slug}/",
        staff_only("→/staff/prices/"),
        method="POST",
        data=lambda w: {"enabled": "on"},
    ),
    "staff:offer_enabled": Route(
        lambda w: "/staff/prices/offers/",
        staff_only("→/staff/prices/"),
        method="POST",
        data=lambda w: {"offer": w.offer.key, "enabled": "on"},
    ),
    "staff:offer_studio_price": Route(
        lambda w: "/staff/prices/offers/studio-price/",
        staff_only("→/staff/prices/"),
        method="POST",
        data=lambda w: {"offer": w.offer.key, "credits": "5"},
    ),
    # the public API: a key, never a session
    "api:openapi": Route(lambda w: "/api/v1/openapi.json", public(200)),
    "api:docs": Route(lambda w: "/api/v1/docs/", public(200)),
    "api:me": Route(lambda w: "/api/v1/me", api(200)),
    "api:models": Route(lambda w: "/api/v1/models", api(200)),
    "api:quotes": Route(
        lambda w: "/api/v1/quotes",
        api(200),
        method="POST",
        data=lambda w: {"model": w.offer.key, "prompt": "a lighthouse"},
        json=True,
    ),
    "api:balance": Route(lambda w: "/api/v1/balance", api(200)),
    "api:usage": Route(lambda w: "/api/v1/usage", api(200)),
    "api:generations": Route(lambda w: "/api/v1/generations", api(200)),
    "api:batches": Route(
        lambda w: "/api/v1/batches",
        api(201),
        method="POST",
        json=True,
        data=lambda w: {"model": "nano-banana", "provider": "kubflow", "prompt": "a shoe", "n": 2},
    ),
    "api:batch": Route(lambda w: f"/api/v1/batches/{w.batch_id}", api(200, other=404)),
    "api:batch_cancel": Route(lambda w: f"/api/v1/batches/{w.batch_id}/cancel", api(200, other=404), method="POST"),
    "api:generation": Route(lambda w: f"/api/v1/generations/{w.generation.public_id}", api(200, other=404)),
    "api:generation_cancel": Route(
        lambda w: f"/api/v1/generations/{w.generation.public_id}/cancel",
        api(409, other=404),
        method="POST",
        why="it is finished: 409 for its team, 404 for the other",
    ),
    "api:generation_output": Route(
        lambda w: f"/api/v1/generations/{w.generation.public_id}/outputs/0", api(200, other=404)
    ),
    "api/v1/(?P<rest>.*)$": Route(lambda w: "/api/v1/no-such-thing", public(404)),
    # API keys in the studio
    "api_keys:index": Route(lambda w: "/settings/api-keys/", own_team(200)),
    "api_keys:revoke": Route(
        lambda w: f"/settings/api-keys/{w.owner_key_id}/revoke/",
        team_object("→/settings/api-keys/", member=404),
        method="POST",
        why="a member manages only their own keys (the owner's key does not exist for them)",
    ),
}


# The Django admin: every registered model, and what the studio's staff (superusers) may do there.
# "edit": add, change, delete; "no_add": change and delete only; "view": read-only (no add, change, delete).
ADMIN_MODELS: dict[str, str] = {
    "auth.group": "edit",
    "accounts.user": "edit",
    "accounts.team": "edit",
    "accounts.membership": "edit",
    "accounts.invite": "view",
    "accounts.auditevent": "view",
    "api.apikey": "no_add",
    "api.apisubmission": "edit",
    "billing.wallet": "view",
    "billing.hold": "view",
    "billing.ledgerentry": "view",
    "billing.teamlimits": "view",
    "billing.memberlimit": "view",
    "catalog.provider": "edit",
    "catalog.modelfamily": "edit",
    "catalog.offer": "edit",
    "generations.generation": "no_add",
}

# The admin site's own routes (not a model's): what staff get; everyone else is sent to the admin's login.
ADMIN_SITE: dict[str, tuple[Callable[[World], str], Expect] | tuple[Callable[[World], str], Expect, Expect]] = {
    "admin:index": (lambda w: "/admin/", 200),
    "admin:login": (lambda w: "/admin/login/", "→/admin/", 200),  # the login page opens for anyone not staff
    "admin:logout": (lambda w: "/admin/logout/", 405, "→/admin/"),  # logging out takes a POST
    "admin:password_change": (lambda w: "/admin/password_change/", 200),
    "admin:password_change_done": (lambda w: "/admin/password_change/done/", 200),
    "admin:autocomplete": (lambda w: "/admin/autocomplete/", 403),  # without a field to complete
    "admin:jsi18n": (lambda w: "/admin/jsi18n/", 200),
    "admin:view_on_site": (lambda w: f"/admin/r/{_team_type()}/{w.team.pk}/", 404),  # teams have no public page
    "admin:auth_user_password_change": (lambda w: f"/admin/accounts/user/{w.member.pk}/password/", 200),
    "admin:app_list": (lambda w: "/admin/billing/", 200),
    "admin/(?P<url>.*)$": (lambda w: "/admin/no-such-page/", 404),
}


def _team_type() -> int:
    return ContentType.objects.get(app_label="accounts", model="team").pk


def _admin_object_id(world: World, label: str) -> int | str:
    model = django_admin.site._registry[next(m for m in django_admin.site._registry if m._meta.label_lower == label)]
    return model.model.objects.order_by("pk").values_list("pk", flat=True).first()


def _admin_routes() -> dict[str, Route]:
    """Each admin route with its answers: staff per ADMIN_MODELS / ADMIN_SITE, everyone else the admin's login."""

    def answers(staff: Expect, others: Expect = ADMIN_LOGIN) -> Answers:
        return {**_all(others), "staff": staff}

    routes = {name: Route(entry[0], answers(*entry[1:])) for name, entry in ADMIN_SITE.items()}
    for label, mode in ADMIN_MODELS.items():
        app, model = label.split(".")
        base = f"/admin/{app}/{model}"
        prefix = f"admin:{app}_{model}"
        obj = _object_path(label)
        routes[f"{prefix}_changelist"] = Route(lambda w, b=base: f"{b}/", answers(200))
        routes[f"{prefix}_add"] = Route(lambda w, b=base: f"{b}/add/", answers(200 if mode == "edit" else 403))
        routes[f"{prefix}_history"] = Route(lambda w, o=obj: f"{o(w)}history/", answers(200))
        routes[f"{prefix}_delete"] = Route(lambda w, o=obj: f"{o(w)}delete/", answers(403 if mode == "view" else 200))
        routes[f"{prefix}_change"] = Route(lambda w, o=obj: f"{o(w)}change/", answers(200))
        routes[f"admin/{app}/{model}/<path:object_id>/"] = Route(lambda w, o=obj: o(w), answers("→/admin/"))
    return routes


def _object_path(label: str) -> Callable[[World], str]:
    app, model = label.split(".")
    return lambda w: f"/admin/{app}/{model}/{_admin_object_id(w, label)}/"


def _join(prefix: str, route: str) -> str:
    return prefix + route.removeprefix("^") if prefix else route  # as Django joins ResolverMatch.route


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """(key, pattern) for every route: the key is the route's name with its namespace, else its pattern."""
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            spaced = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            routes += _walk(pattern.url_patterns, _join(prefix, str(pattern.pattern)), spaced)
        elif isinstance(pattern, URLPattern):
            full = _join(prefix, str(pattern.pattern))
            key = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or full)
            routes.append((key, full))
    return routes


def _route_table() -> dict[str, Route]:
    return {**STUDIO, **_admin_routes()}


def test_every_route_has_a_decision():
    routes = _walk(get_resolver().url_patterns)
    keys = [key for key, _ in routes]
    assert len(keys) == len(set(keys)), "two routes share a key"
    table = _route_table()
    undecided = sorted(set(keys) - set(table))
    assert not undecided, f"routes without an access decision (add them to STUDIO or ADMIN_MODELS): {undecided}"
    stale = sorted(set(table) - set(keys))
    assert not stale, f"decisions for routes that no longer exist: {stale}"
    registered = {model._meta.label_lower for model in django_admin.site._registry}
    assert registered == set(ADMIN_MODELS), "every admin registration needs a declared mode"
    for key, route in table.items():
        assert set(route.expect) == set(ACTORS), f"{key}: a decision for every actor"


@pytest.fixture
def world(settings, media_root) -> World:
    settings.API_RATE_LIMIT = "off"
    settings.METRICS_TOKEN = "access-matrix-token"
    catalog_sync(providers=["kubflow"])
    return world_build()


class _Undo(Exception):
    """Raised to roll a request's writes back."""


def _send(world: World, actor: str, route: Route):
    path = route.path(world)
    client = world.client(actor)
    headers = dict(route.headers)
    if route.method == "GET":
        return path, client.get(path, headers=headers)
    data = route.data(world) if route.data else {}
    if route.json:
        return path, client.post(path, data=json.dumps(data), content_type="application/json", headers=headers)
    return path, client.post(path, data=data, headers=headers)


def _matches(response, expected: Expect) -> bool:
    if isinstance(expected, str):
        location = response.headers.get("Location", "")
        return response.status_code == 302 and location.startswith(expected.removeprefix("→"))
    if isinstance(expected, frozenset):
        return response.status_code in expected
    return response.status_code == expected


def _describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} → {response.headers.get('Location')}"
    return str(response.status_code)


def _run(world: World, table: dict[str, Route]) -> tuple[int, list[str]]:
    wrong, cells = [], 0
    for key, route in table.items():
        for actor in ACTORS:
            cells += 1
            try:
                with transaction.atomic():
                    path, response = _send(world, actor, route)
                    raise _Undo
            except _Undo:
                pass
            expected = route.expect[actor]
            if not _matches(response, expected):
                wrong.append(f"{key} {route.method} {path} as {actor}: expected {expected}, got {_describe(response)}")
            staff_area = key.startswith(("staff", "admin")) and actor == "staff"
            shown = b"" if getattr(response, "streaming", False) else response.content
            if actor in OUTSIDERS and not staff_area and SECRET.encode() in shown:
                wrong.append(f"{key} {path} as {actor}: the answer shows Northwind's prompt")
            assert _key_of(path) == key, f"{key}: {path} is another route's URL"
    return cells, wrong


def _key_of(path: str) -> str:
    """The table key of the route Django picks for ``path`` (the same key ``_walk`` gives it)."""
    match = resolve(path.split("?", maxsplit=1)[0])
    return (
        f"{match.namespace}:{match.url_name}" if match.namespace and match.url_name else (match.url_name or match.route)
    )


def test_the_studios_routes_answer_as_decided(world):
    cells, wrong = _run(world, STUDIO)
    assert cells == len(STUDIO) * len(ACTORS)
    assert not wrong, f"{len(wrong)} of {cells} answers differ from the decision:\n" + "\n".join(wrong)


def test_the_admin_answers_as_decided(world):
    table = _admin_routes()
    cells, wrong = _run(world, table)
    assert cells == len(table) * len(ACTORS)
    assert not wrong, f"{len(wrong)} of {cells} answers differ from the decision:\n" + "\n".join(wrong)
