from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Registers the "case" context loader that workers render queued case e-mails with.
        from .services import mail  # noqa: F401
