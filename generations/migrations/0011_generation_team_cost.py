# The gallery sorted by cost reads the team's first page from this index instead of sorting every
# generation of the team (benchmarks/inflight.py; tests/generations/test_query_plans.py).
# Numbered 0011 after the batches' 0010 on main: on merge, its dependency becomes that 0010.

import django.db.models.functions.comparison
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY: the jobs table keeps taking writes while it builds

    dependencies = [
        ("generations", "0010_batches_and_slots"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="generation",
            index=models.Index(
                models.F("team"),
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce("credits_charged", "credits_quoted"),
                    descending=True,
                ),
                models.OrderBy(models.F("created_at"), descending=True),
                models.OrderBy(models.F("public_id"), descending=True),
                condition=models.Q(("deleted_at__isnull", True)),
                name="generation_team_cost",
            ),
        ),
    ]
