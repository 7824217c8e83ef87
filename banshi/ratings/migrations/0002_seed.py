"""The national indicator sets (standards §3.12) and example windows (LOCAL); windows are linked
to departments that exist (``banshi ratings seed`` links the rest after the catalogue loads)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from banshi.ratings import seed

    seed.apply(apps.get_model, create_departments=False)


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
