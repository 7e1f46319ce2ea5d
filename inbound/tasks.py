from celery import shared_task
from django.conf import settings


# Beat runs this every IMAP_POLL_SECONDS when IMAP_HOST is set (settings.CELERY_BEAT_SCHEDULE).
@shared_task(name="inbound.poll_imap")
def poll_imap_task() -> int:
    """The same code as `manage.py poll_imap`; returns how many mails were taken in."""
    if not settings.IMAP_HOST:
        return 0
    from .services import poll_imap

    return poll_imap().moved
