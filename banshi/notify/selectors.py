"""Reads of messages: a user's inbox (as a person or as staff) and the unread count."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from banshi.notify.models import Notification


def inbox(user) -> QuerySet[Notification]:
    """The messages a signed-in user may read: their own as staff, and their person's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(Q(user=user) | Q(person__user=user))


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()
