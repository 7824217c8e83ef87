"""Drop this process's cached data-share sources (``selectors.sources``) when one changes.

Why signals: the admin and any script save and delete sources through the ORM, not through a
service. The cache is dropped at once (this process's next read sees the change, even inside the
same transaction) and again when the transaction commits (a read by another thread before the
commit may have kept the old rows). Other processes see the change after at most
``BANSHI_CATALOGUE_CHECK_SECONDS``.

(``QuerySet.update`` and ``bulk_create`` send no signals: such a change is seen after the same
interval, here too.)
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from banshi.datashare.models import DataShareSource
from banshi.datashare.selectors import invalidate_sources


def source_changed(sender, using: str = "default", **kwargs) -> None:
    invalidate_sources()
    transaction.on_commit(invalidate_sources, using=using)


post_save.connect(source_changed, sender=DataShareSource, dispatch_uid="datashare-sources-save")
post_delete.connect(source_changed, sender=DataShareSource, dispatch_uid="datashare-sources-delete")
