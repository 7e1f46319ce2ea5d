"""Index-friendly search at 100,000 articles (PostgreSQL only; SQLite searches with LIKE).

- ``kb_cjk_split(text)``: the text with every Korean or Chinese run cut into overlapping
  two-character pieces ("5432를 数据库连接" → "5432 를 数据 据库 库连 连接"); a
  one-character run stays whole. PostgreSQL does not split these languages into words,
  so Korean and Chinese articles are indexed by the pieces, and a query word becomes the
  phrase of its pieces (``knowledge.search.cjk_tsquery``): a word written inside a
  longer run (a Korean particle, a Chinese sentence) is found through the GIN index
  instead of ``LIKE``/trigram scans over every body.
- ``kb_search_vector(language, title, product, tags, body)``: the article's stored
  vector, built with its language's configuration (the one place that knows it;
  ``knowledge.services.refresh_search_vector`` and ``bench/seed_kb.py`` call it).
- ``title_vector`` = ``kb_title_vector(language, title)``: the title alone, stored in the
  row (small, never TOASTed) with its GIN index, so the title hits (the best-ranked
  results) are found without reading the bodies' vectors.
- GIN indexes on ``(language, search_vector)`` and ``(language, title_vector)``
  (btree_gin) instead of 0002's ``(search_vector)``: one language's matches come out of
  the index alone (a word common in French costs nothing to an English search).
- The body trigram index goes (nothing searches bodies by trigram any more; it was 40%
  of the table's size and 300 s of a 100,000-article build); the title trigram index
  keeps only Korean and Chinese titles, the only ones searched by similarity.
- An index on ``(updated_at DESC, id DESC)``: the latest articles, every language.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

FUNCTIONS = [
    # Korean syllables, CJK unified ideographs and extension A: the same ranges as
    # knowledge.search.CJK_RUN.
    """
    CREATE OR REPLACE FUNCTION kb_cjk_split(doc text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT coalesce(string_agg(p.piece, ' ' ORDER BY r.n, p.i), '')
      FROM regexp_matches(doc, '([가-힣㐀-䶿一-鿿]+)|([^가-힣㐀-䶿一-鿿]+)', 'g') WITH ORDINALITY AS r(m, n)
      CROSS JOIN LATERAL (
        SELECT g.i, CASE WHEN r.m[1] IS NULL THEN r.m[2]
                         WHEN length(r.m[1]) = 1 THEN r.m[1]
                         ELSE substr(r.m[1], g.i, 2) END AS piece
        FROM generate_series(1, CASE WHEN r.m[1] IS NULL THEN 1 ELSE greatest(length(r.m[1]) - 1, 1) END) AS g(i)
      ) p
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION kb_search_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE language
        WHEN 'en' THEN 'pg_catalog.english'::regconfig
        WHEN 'fr' THEN 'pg_catalog.french'::regconfig
        WHEN 'ru' THEN 'pg_catalog.russian'::regconfig
        ELSE 'pg_catalog.simple'::regconfig
      END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION kb_search_text(language text, doc text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN language IN ('ko', 'zh-hans') THEN kb_cjk_split(coalesce(doc, '')) ELSE coalesce(doc, '') END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION kb_title_vector(language text, title text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT to_tsvector(kb_search_config(language), kb_search_text(language, title))
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION kb_search_vector(language text, title text, product text, tags text, body text)
    RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT setweight(to_tsvector(kb_search_config(language), kb_search_text(language, title)), 'A')
        || setweight(to_tsvector(kb_search_config(language),
                                 kb_search_text(language, coalesce(product, '') || ' ' || coalesce(tags, ''))), 'B')
        || setweight(to_tsvector(kb_search_config(language), kb_search_text(language, body)), 'C')
    $$
    """,
]
DROP_FUNCTIONS = [
    "DROP FUNCTION IF EXISTS kb_search_vector(text, text, text, text, text) CASCADE",
    "DROP FUNCTION IF EXISTS kb_title_vector(text, text) CASCADE",
    "DROP FUNCTION IF EXISTS kb_search_text(text, text)",
    "DROP FUNCTION IF EXISTS kb_search_config(text)",
    "DROP FUNCTION IF EXISTS kb_cjk_split(text)",
]

# The index statements bench/seed_kb.py rebuilds after a bulk load. The language is the
# first column of both GIN indexes (btree_gin), so "this language AND these words" is
# one index scan: GIN intersects the two posting lists, skipping through the longer one,
# and no row of another language is read.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS kb_article_lang_search ON knowledge_article USING gin (language, search_vector)",
    "CREATE INDEX IF NOT EXISTS kb_article_lang_title ON knowledge_article USING gin (language, title_vector)",
    "CREATE INDEX IF NOT EXISTS kb_article_title_trgm_cjk ON knowledge_article USING gin (title gin_trgm_ops)"
    " WHERE language IN ('ko', 'zh-hans')",
    "CREATE INDEX IF NOT EXISTS kb_article_recent ON knowledge_article (updated_at DESC, id DESC)",
]
OLD_INDEXES = {
    "kb_article_search": "CREATE INDEX IF NOT EXISTS kb_article_search ON knowledge_article USING gin (search_vector)",
    "kb_article_title_trgm": "CREATE INDEX IF NOT EXISTS kb_article_title_trgm ON knowledge_article"
    " USING gin (title gin_trgm_ops)",
    "kb_article_body_trgm": "CREATE INDEX IF NOT EXISTS kb_article_body_trgm ON knowledge_article"
    " USING gin (body gin_trgm_ops)",
}
BACKFILL = (
    "UPDATE knowledge_article SET search_vector = kb_search_vector(language, title, product, tags, body),"
    " title_vector = kb_title_vector(language, title)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FUNCTIONS:
        schema_editor.execute(sql)
    for name in OLD_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute(BACKFILL)
    for sql in INDEXES:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {sql.split(' ON ')[0].split()[-1]}")
    for sql in OLD_INDEXES.values():
        schema_editor.execute(sql)
    for sql in DROP_FUNCTIONS:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_search_indexes")]

    operations = [
        BtreeGinExtension(),
        migrations.AddField(
            model_name="article",
            name="title_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
