"""Full-text and trigram indexes, on PostgreSQL only (SQLite searches with LIKE)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS kb_article_search ON knowledge_article USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS kb_article_title_trgm ON knowledge_article USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS kb_article_body_trgm ON knowledge_article USING gin (body gin_trgm_ops)",
]
DROPS = ["DROP INDEX IF EXISTS kb_article_search", "DROP INDEX IF EXISTS kb_article_title_trgm", "DROP INDEX IF EXISTS kb_article_body_trgm"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROPS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
