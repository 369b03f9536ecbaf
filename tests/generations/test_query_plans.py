"""The sweeper's due-scan and the gallery's searches can be answered from indexes (EXPLAIN).

A test database is small, so PostgreSQL would rightly read the whole table; ``enable_seqscan = off`` for
the test's transaction makes it use an index wherever one fits the query, and a plan that still reads
``generations_generation`` sequentially, or names none of the expected indexes, means none fits.
benchmarks/inflight.py shows the same plans and their times on 110,000 generations (there, with 10,000
unfinished, the due-scan's inherited ORDER BY created_at makes PostgreSQL walk the created_at index instead).
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Offer
from generations.models import Generation, Status
from generations.selectors import CardRow, GalleryFilters, gallery_queryset
from generations.services.pipeline import generations_resume_stale

pytestmark = pytest.mark.django_db

TABLE_READ_WHOLE = "Seq Scan on generations_generation"


WORDS = ["harbour", "lighthouse", "storm", "kite", "tide", "robot", "garden", "city", "river", "snow", "neon"]


@pytest.fixture
def team_with_history(people, catalog):
    """20,000 generations over two teams and a dozen offers, 200 of them unfinished; prompts of varied words,
    forty about a fox at dawn."""
    offers = list(Offer.objects.filter(provider__slug="kubflow").order_by("pk")[:12])
    rng = random.Random(16)
    now = timezone.now()
    rows = []
    for i in range(20_000):
        status = Status.RUNNING if i % 100 == 0 else Status.COMPLETED
        words = "a fox at dawn" if i % 500 == 1 else " ".join(rng.sample(WORDS, 4))
        quoted = Decimal(rng.randint(1, 400))
        rows.append(
            Generation(
                team=people.team if i % 2 else people.other_team,
                created_by=people.owner if i % 2 else people.stranger,
                offer=offers[i % len(offers)],
                prompt=f"{words} #{i}",
                status=status,
                provider_cost=quoted,
                credits_quoted=quoted,
                credits_charged=None if status == Status.RUNNING else quoted,
                deadline_at=now + timedelta(hours=1),
                started_at=now,
                finished_at=None if status == Status.RUNNING else now - timedelta(minutes=i),
                next_check_at=now + timedelta(minutes=5) if status == Status.RUNNING else None,  # none due
            )
        )
    Generation.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        # No VACUUM first: the prompt index keeps no pending list (fastupdate off), so rows just inserted
        # are searched as they will be on a busy team's table.
        cursor.execute("ANALYZE generations_generation")
        cursor.execute("SET LOCAL enable_seqscan = off")
    return people


def _indexes(plan: str) -> set[str]:
    return set(re.findall(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)", plan))


def _reads_only_unfinished(plan: str) -> bool:
    """The plan finds the unfinished jobs by an index on their status (the partial generation_active_due,
    or the status column's own), not by walking every generation."""
    used = _indexes(plan)
    return TABLE_READ_WHOLE not in plan and (
        "generation_active_due" in used or any(name.startswith("generations_generation_status") for name in used)
    )


def _gallery_plan(people, **filters) -> str:
    queryset = gallery_queryset(team=people.team, user=people.owner, filters=GalleryFilters(**filters))
    return queryset.values_list(*CardRow.COLUMNS)[:49].explain()


def test_the_sweepers_due_scan_reads_only_the_unfinished_jobs_index(team_with_history):
    with CaptureQueriesContext(connection) as queries:
        assert generations_resume_stale() == 0
    (scan,) = [q["sql"] for q in queries.captured_queries if "generations_generation" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {scan}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert TABLE_READ_WHOLE not in plan, plan
    assert _reads_only_unfinished(plan), plan


def test_the_gallerys_prompt_search_uses_the_full_text_index(team_with_history):
    plan = _gallery_plan(team_with_history, q="fox dawn")
    assert "generation_prompt_search" in _indexes(plan), plan
    assert TABLE_READ_WHOLE not in plan, plan


def test_the_prompt_index_keeps_no_pending_list(team_with_history):
    """New jobs go straight into the index (no unsorted pending list read in full by every search)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'generation_prompt_search'")
        assert "fastupdate=off" in (cursor.fetchone()[0] or [])
        # 20,000 jobs inserted and no VACUUM since: a pending list would hold pages to merge now; none.
        cursor.execute("SELECT gin_clean_pending_list('generation_prompt_search'::regclass)")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("filters", [{"model": "nano-banana"}, {"provider": "kubflow"}])
def test_the_gallery_by_model_or_provider_reads_the_teams_generations_by_index(team_with_history, filters):
    plan = _gallery_plan(team_with_history, **filters)
    assert TABLE_READ_WHOLE not in plan, plan
    assert any(name.startswith("generation") for name in _indexes(plan)), plan  # the team's, or the offer's


@pytest.mark.parametrize("filters", [{"provider": "kubflow"}, {"model": "nano-banana"}])
def test_a_provider_or_model_matching_most_jobs_reads_the_newest_first_not_all_sorted(team_with_history, filters):
    """As the planner chooses on its own (sequential scans allowed): the page is read newest first from an
    index until it is full, not every matching job joined and sorted (126 ms on 110,000).

    Newest first is the created_at index read backward, or the team's own newest-first index (with the
    parameters bound by the server, typed, the planner picks either as the costs fall); ties on created_at
    are then put in order by an incremental sort of the few rows read, never a sort of every match."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = on")
    plan = _gallery_plan(team_with_history, **filters)
    newest_first = "Index Scan Backward" in plan or "Index Scan using generation_team_recent" in plan
    assert plan.startswith("Limit") and newest_first, plan  # stopping once 49 rows are found
    assert not re.search(r"(?<!Incremental )Sort  \(", plan), plan  # no sort of every matching job


def test_the_gallery_sorted_by_cost_reads_its_page_from_the_cost_index(team_with_history):
    plan = _gallery_plan(team_with_history, sort="cost")
    assert "generation_team_cost" in _indexes(plan), plan
    assert TABLE_READ_WHOLE not in plan, plan
    assert not re.search(r"^\s*->\s+Sort\b.*\n.*Sort Key: \(COALESCE", plan, re.M), "no sort of every row"
