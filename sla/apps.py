from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self) -> None:
        from .models import SlaTarget
        from .selectors import forget_targets, target_written

        # The per-process copy of the targets (sla.selectors) forgets them when one changes.
        post_save.connect(target_written, sender=SlaTarget, dispatch_uid="sla.targets.saved")
        post_delete.connect(target_written, sender=SlaTarget, dispatch_uid="sla.targets.deleted")
        # Migrations and ``flush`` write the table without the model's signals.
        post_migrate.connect(forget_targets, dispatch_uid="sla.targets.migrated")
