from django.db import migrations


def load_defaults(apps, schema_editor):
    from sla.models import DEFAULT_TARGETS

    SlaTarget = apps.get_model("sla", "SlaTarget")
    for plan, severities in DEFAULT_TARGETS.items():
        for severity, (first, update, clock) in severities.items():
            SlaTarget.objects.get_or_create(
                plan=plan,
                severity=severity,
                defaults={"first_response_minutes": first, "next_update_minutes": update, "clock": str(clock)},
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
