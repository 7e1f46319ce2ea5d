"""Boot Django for the bench scripts, against the benchmark database only.

The scripts are plain programs (``.venv/bin/python bench/seed.py``): this puts the
repository on ``sys.path``, fills in the settings a local benchmark needs (DEBUG off, no
HTTPS redirect, a throwaway secret key, an in-memory broker, a data directory under
``bench/results/``) unless the environment already sets them, and refuses to run
against a database whose name does not contain "bench" — the seeder truncates tables.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/casetracker_bench"


def setup() -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SECRET_KEY", "bench-not-a-secret")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The outbox hands mail to Celery after commit: keep that in memory, off the disk
    # and off any real broker, so API writes time the application and the database.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    os.environ.setdefault("CASETRACKER_DATA_DIR", str(RESULTS / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetracker.settings")

    import django

    django.setup()

    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench: PostgreSQL only (set DATABASE_URL=postgres://…/casetracker_bench).")
    if "bench" not in database["NAME"]:
        sys.exit(f"bench: refusing to use database {database['NAME']!r}: its name must contain 'bench'.")


def wsgi():  # type: ignore[no-untyped-def]
    """The WSGI application as ``bench/run.py`` serves it with gunicorn
    (``gunicorn 'bench.environment:wsgi()'``): the settings above, and ``bench/urls.py``
    as the URL configuration (the application's URLs plus the floor view)."""
    setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.ROOT_URLCONF = "bench.urls"
    return get_wsgi_application()
