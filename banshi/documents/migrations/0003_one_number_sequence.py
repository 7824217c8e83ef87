"""One number sequence: document numbers now come from cases.NumberSequence (gap-free, per key,
row-locked); the rows of the old DocumentSequence move there before it goes."""

from django.db import migrations


def move_sequences(apps, schema_editor):
    DocumentSequence = apps.get_model("documents", "DocumentSequence")
    NumberSequence = apps.get_model("cases", "NumberSequence")
    for row in DocumentSequence.objects.all():
        sequence, created = NumberSequence.objects.get_or_create(
            key=row.key, defaults={"last_value": row.last_value}
        )
        if not created and sequence.last_value < row.last_value:
            sequence.last_value = row.last_value
            sequence.save(update_fields=["last_value"])


def move_back(apps, schema_editor):
    DocumentSequence = apps.get_model("documents", "DocumentSequence")
    NumberSequence = apps.get_model("cases", "NumberSequence")
    prefixes = ("SJ-", "SL-", "BSL-", "BZ-", "YQ-", "TB-", "ZY-", "BY-")
    for row in NumberSequence.objects.all():
        if row.key.startswith(prefixes):
            DocumentSequence.objects.update_or_create(
                key=row.key, defaults={"last_value": row.last_value}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("documents", "0002_commitment_kinds"),
    ]

    operations = [
        migrations.RunPython(move_sequences, move_back),
        migrations.DeleteModel(name="DocumentSequence"),
    ]
