# Case Tracker: one image for the web server (gunicorn) and the Celery worker and
# scheduler; docker-compose.yml shows how they are wired. Configured only through the
# environment variables of shared/API.md ("Running it"); SECRET_KEY is required.
FROM python:3.11-slim

# The code runs from /app, beside its templates, static files and translations (which
# the wheel does not carry); `pip install .` brings the dependencies pyproject.toml pins.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=casetracker.settings \
    CASETRACKER_DATA_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media

WORKDIR /app

# gettext: compilemessages (the compiled .mo files are not in git).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 --user-group casetracker

COPY . .

# The settings refuse to load without SECRET_KEY when DEBUG is off: these build steps get
# a throwaway one that never reaches the running containers.
RUN pip install . \
    && rm -rf build ./*.egg-info \
    && mkdir -p locale var media \
    && SECRET_KEY=build-only-not-a-secret python manage.py compilemessages \
    && SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput \
    && chown -R casetracker:casetracker var media

USER casetracker

EXPOSE 8000

CMD ["gunicorn", "casetracker.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
