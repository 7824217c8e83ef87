"""Move the catalogue revision (目录版本号) whenever a row the snapshot is built from changes.

Why signals: the admin (and any script) saves and deletes catalogue rows through the ORM, not
through :mod:`banshi.catalog.services`; without a revision bump the other processes would keep
their snapshot until ``BANSHI_CATALOGUE_MAX_AGE_SECONDS``. The admin saves in a transaction, so the
bump commits with the edit; a save in autocommit mode (a shell) is followed at once by the bump in
its own statement. The catalogue has no many-to-many fields, so no ``m2m_changed``.

(``bulk_create`` and ``QuerySet.update`` send no signals; the services that use them note the
change themselves.)
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from banshi.catalog import services
from banshi.catalog.models import SNAPSHOT_MODELS


def catalogue_row_changed(sender, **kwargs) -> None:
    services.row_changed()


for _model in SNAPSHOT_MODELS:
    post_save.connect(catalogue_row_changed, sender=_model, dispatch_uid=f"revision-save-{_model}")
    post_delete.connect(
        catalogue_row_changed, sender=_model, dispatch_uid=f"revision-delete-{_model}"
    )
