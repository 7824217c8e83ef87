"""Small database helpers shared by the apps that claim rows for background work."""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet


def skip_locked(queryset: QuerySet) -> QuerySet:
    """``FOR UPDATE SKIP LOCKED`` where the database has it (PostgreSQL), so several workers claim
    different rows; plain on SQLite, whose writers are serialised anyway."""
    features = connection.features
    if features.has_select_for_update and features.has_select_for_update_skip_locked:
        if features.has_select_for_update_of:
            return queryset.select_for_update(skip_locked=True, of=("self",))
        return queryset.select_for_update(skip_locked=True)
    return queryset
