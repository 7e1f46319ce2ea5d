"""Case text search and two staff-queue indexes.

PostgreSQL only: ``cases_case.search_vector``, a stored generated ``tsvector`` (title and
product weight A, the first 100,000 characters of the description weight B, 'simple'
configuration), and its GIN index ``case_search``. It is not a model field (see
``cases.models.Case``): the database computes it for every write, COPY included, so no
code path can leave it stale. SQLite gets no column and searches with LIKE.

Adding a stored generated column rewrites the table under an ACCESS EXCLUSIVE lock
(measured: 100,000 cases 6 s with the index; expect about ten times that at 1,000,000 cases).
The description is cut at 100,000 characters (the API's own limit) so that no description
can exceed PostgreSQL's 1 MB limit on a tsvector.

``case_sla_queue`` and ``case_all_queue`` serve the "SLA at risk" and "All cases" queues
in their order (E-Down first), so neither sorts the table for one page.
"""

from django.db import migrations, models

ADD_COLUMN = """
ALTER TABLE cases_case ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title || ' ' || product), 'A')
    || setweight(to_tsvector('simple'::regconfig, left(description, 100000)), 'B')
) STORED
"""
ADD_INDEX = "CREATE INDEX case_search ON cases_case USING gin (search_vector)"
DROP = ["DROP INDEX IF EXISTS case_search", "ALTER TABLE cases_case DROP COLUMN IF EXISTS search_vector"]


def add_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD_COLUMN)
        schema_editor.execute(ADD_INDEX)


def drop_search_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_remove_case_case_org_recent_case_case_org_recent_and_more")]

    operations = [
        migrations.RunPython(add_search_vector, drop_search_vector),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.Case(models.When(severity_rank=0, then=models.Value(0)), default=models.Value(1)),
                models.F("sla_due_at"),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("status__in", ["new", "open", "waiting_on_customer", "solution_proposed"])),
                name="case_sla_queue",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                models.Case(models.When(severity_rank=0, then=models.Value(0)), default=models.Value(1)),
                models.OrderBy(models.F("id"), descending=True),
                name="case_all_queue",
            ),
        ),
    ]
