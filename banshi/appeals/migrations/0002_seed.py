"""The reference's example configuration (standards §4, LOCAL values): categories with default
departments, time limits, return reasons, not-accepted kinds and the starting FAQ. Idempotent; the
same data is written by ``banshi appeals seed``."""

from django.db import migrations


def forwards(apps, schema_editor):
    from banshi.appeals import seed

    seed.apply(apps.get_model, create_departments=False)


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
