"""Loaded with ``-p tests.pytest_env`` before Django is set up: the test environment.

Tests run like production (DEBUG off) with a throwaway key; plain HTTP in the test client
is not redirected. ``DATABASE_URL`` / ``CELERY_BROKER_URL`` pass through from the caller
(CI points them at PostgreSQL and Redis).
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijkl")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("CASETRACKER_DATA_DIR", os.path.join(tempfile.gettempdir(), "casetracker-test-data"))
