from celery import shared_task


@shared_task(name="notifications.deliver_email")
def deliver_email_task(outbox_id: int) -> None:
    from .services import deliver_outbox_email

    deliver_outbox_email(outbox_id=outbox_id)
