"""The prompt search index keeps no pending list: new jobs go straight into the GIN index.

A GIN index with ``fastupdate`` (PostgreSQL's default) collects new entries in an unsorted pending list until
VACUUM merges them, and every search reads that list in full first: on a busy team's table, where autovacuum
comes every many thousand inserts, that was half of a prompt search's time. Changed in place (the index is not
rebuilt); the entries already pending are merged now.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

INDEX = "generation_prompt_search"


class Migration(migrations.Migration):
    dependencies = [
        ("generations", "0011_generation_team_cost"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER INDEX {INDEX} SET (fastupdate = off); SELECT gin_clean_pending_list('{INDEX}'::regclass);",
                    reverse_sql=f"ALTER INDEX {INDEX} RESET (fastupdate);",
                ),
            ],
            state_operations=[
                migrations.RemoveIndex(model_name="generation", name=INDEX),
                migrations.AddIndex(
                    model_name="generation",
                    index=django.contrib.postgres.indexes.GinIndex(
                        django.contrib.postgres.search.SearchVector("prompt", config="english"),
                        fastupdate=False,
                        name=INDEX,
                    ),
                ),
            ],
        ),
    ]
