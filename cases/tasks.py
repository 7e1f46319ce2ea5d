from celery import shared_task


@shared_task(name="cases.close_idle_cases")
def close_idle_cases_task() -> int:
    """Hourly: the same code as `manage.py close_idle_cases`."""
    from .services.auto_close import close_idle_cases

    return len(close_idle_cases().closed)


@shared_task(name="cases.alert_sla_breaches")
def alert_sla_breaches_task() -> int:
    from .services.sla_alerts import alert_sla_breaches

    return alert_sla_breaches()
