"""What one gallery request of 48 cards costs, split into SQL time, template time and the rest.

    .venv/bin/python benchmarks/page_costs.py [--generations 10000] [--requests 200]

In one process (no HTTP server, so no network or worker scheduling in the figures): its own PostgreSQL,
the team of benchmarks/gallery.py (10,000 generations, 12 running), and Django's test client signed in as
a member, DEBUG off. Each row is the mean over ``--requests`` requests after a warm-up:

- SQL: time inside the database calls (Django's execute wrapper), and how many;
- template: time inside top-level template renders (whole templates and partials, SQL run from them excluded);
- rest: middleware, the view, the ORM building queries and turning rows into objects, the cache's round trips.

Rows: the whole page drawn (its page cache off: what a busy team, where something changes every few
seconds, gets) with every card from the rendered-card cache, and with every card drawn too; the results
fragment (HTMX) for a prompt search sorted by cost, and unfiltered; the poll with 12 cards resent.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import PLAIN_HTTP, own_postgres, stop_postgres  # noqa: E402


class Clock:
    """SQL and template time of the requests run while it is installed."""

    def __init__(self) -> None:
        self.sql = self.template = self.sql_in_template = 0.0
        self.queries = 0
        self._depth = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.sql += elapsed
            self.queries += 1
            if self._depth:
                self.sql_in_template += elapsed

    def wrap_render(self, render):
        clock = self

        def timed(template, context):
            clock._depth += 1
            started = time.perf_counter()
            try:
                return render(template, context)
            finally:
                clock._depth -= 1
                if not clock._depth:
                    clock.template += time.perf_counter() - started

        return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="studio-page-costs-"))
    try:
        os.environ.update(
            {
                "DATABASE_URL": own_postgres(directory),
                "DJANGO_SETTINGS_MODULE": "benchmarks.gallery_settings",
                "DEBUG": "false",
                "SECRET_KEY": "benchmark-secret-key-not-for-production-0123456789",
                "MEDIA_ROOT": str(directory / "media"),
                "LOG_LEVEL": "WARNING",
                **PLAIN_HTTP,
            }
        )
        import django

        django.setup()
        _measure(args)
    finally:
        stop_postgres(directory)
        shutil.rmtree(directory, ignore_errors=True)


def _measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.template import base as template_base
    from django.test import Client
    from django.test.utils import override_settings
    from template_partials.templatetags.partials import TemplateProxy

    from benchmarks.gallery import make_team

    cookie, _team_id, running = make_team(args.generations, 12)
    client = Client()
    for part in cookie.split("; "):
        name, value = part.split("=", 1)
        client.cookies[name] = value
    htmx = {"HTTP_HX_REQUEST": "true"}
    results = {**htmx, "HTTP_HX_TARGET": "results"}
    rows = [
        ("page, cards from their cache", "/gallery/", {}, {"gallery_page"}),
        ("page, every card drawn", "/gallery/", {}, {"gallery_page", "card_html"}),
        ("results: search + sort by cost", "/gallery/?q=fox&sort=cost", results, set()),
        ("results: unfiltered", "/gallery/?sort=new", results, set()),
        ("poll, 12 cards resent", "/gallery/poll/?ids=" + ",".join(running), htmx, set()),
    ]
    print(f"\n{args.generations} generations, mean of {args.requests} requests each, in one process (ms)")
    print(f"{'request':<32} {'total':>7} {'SQL':>6} {'queries':>8} {'template':>9} {'rest':>6} {'cards':>6}")
    # Whole templates and template-partials' fragments (the results, the cards) are both timed.
    renders = [(template_base.Template, template_base.Template.render), (TemplateProxy, TemplateProxy.render)]
    for name, path, headers, off in rows:
        with override_settings(CACHES_OFF=frozenset(off)):
            for _ in range(20):  # warm: connections, template loading, the cards' cache
                response = client.get(path, **headers)
                assert response.status_code == 200, (path, response.status_code)
            clock = Clock()
            for owner, render in renders:
                owner.render = clock.wrap_render(render)
            try:
                with connection.execute_wrapper(clock.execute):
                    started = time.perf_counter()
                    for _ in range(args.requests):
                        response = client.get(path, **headers)
                    total = time.perf_counter() - started
            finally:
                for owner, render in renders:
                    owner.render = render
        n = args.requests
        sql = clock.sql / n * 1000
        template = (clock.template - clock.sql_in_template) / n * 1000
        rest = total / n * 1000 - sql - template
        cards = response.content.count(b"data-version=")
        print(
            f"{name:<32} {total / n * 1000:7.2f} {sql:6.2f} {clock.queries / n:8.1f} {template:9.2f} {rest:6.2f} {cards:6d}"
        )


if __name__ == "__main__":
    main()
