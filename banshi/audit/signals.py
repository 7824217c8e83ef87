"""Security events into the audit trail: logins (success, failure, logout) and permission changes
(等保 安全审计 a: "important user actions and security events"; standards §7.1).

Permission changes are: a StaffProfile's roles, department or department grants; a user's groups
and permissions; the ``is_staff``, ``is_superuser`` and ``is_active`` flags. The actor is the user of
the current request (:mod:`banshi.audit.context`), or the system outside a request.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from banshi.audit.context import current_request, current_user
from banshi.audit.models import Action
from banshi.audit.services import Subject, mask_username, record
from banshi.people.models import StaffProfile

User = get_user_model()
_USER_FLAGS = ("is_staff", "is_superuser", "is_active")
_PROFILE_FIELDS = ("roles", "department_id", "all_departments")


def _user_subject(user: Any) -> Subject:
    return Subject("auth.user", str(user.pk), user.get_username())


@receiver(user_logged_in, dispatch_uid="banshi.audit.logged_in")
def _logged_in(sender, request, user, **kwargs):
    record(actor=user, action=Action.LOGIN, subject=_user_subject(user), request=request)


@receiver(user_logged_out, dispatch_uid="banshi.audit.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=Action.LOGOUT, subject=_user_subject(user), request=request)


@receiver(user_login_failed, dispatch_uid="banshi.audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = mask_username(str(credentials.get("username") or ""))
    record(
        actor=None,
        action=Action.LOGIN_FAILED,
        username=username,
        subject=("auth.user", "", username),
        request=request,
    )


def _permission_change(user: Any, change: dict) -> None:
    record(
        actor=current_user(),
        action=Action.PERMISSION_CHANGE,
        subject=_user_subject(user),
        details=change,
        request=current_request(),
    )


# ----------------------------------------------------------------------- flags on the user row
@receiver(pre_save, sender=User, dispatch_uid="banshi.audit.user_pre_save")
def _user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(_USER_FLAGS):
        return  # e.g. last_login on every login: no flag can change
    old = sender.objects.filter(pk=instance.pk).values(*_USER_FLAGS).first()
    instance._audit_flags = old


@receiver(post_save, sender=User, dispatch_uid="banshi.audit.user_post_save")
def _user_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = None if created else getattr(instance, "_audit_flags", None)
    changes = {}
    for flag in _USER_FLAGS:
        new = getattr(instance, flag)
        before = old.get(flag) if old else None
        if created:
            if flag != "is_active" and new:
                changes[flag] = [None, new]
        elif old is not None and before != new:
            changes[flag] = [before, new]
    if changes:
        _permission_change(instance, {"user": changes})


# --------------------------------------------------------------------------- the staff profile
@receiver(pre_save, sender=StaffProfile, dispatch_uid="banshi.audit.profile_pre_save")
def _profile_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._audit_profile = sender.objects.filter(pk=instance.pk).values(*_PROFILE_FIELDS).first()


@receiver(post_save, sender=StaffProfile, dispatch_uid="banshi.audit.profile_post_save")
def _profile_after(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = {} if created else getattr(instance, "_audit_profile", None) or {}
    changes = {}
    for field in _PROFILE_FIELDS:
        new, before = getattr(instance, field), old.get(field)
        if field == "roles":
            new, before = sorted(new or []), sorted(before or []) if before is not None else None
        if (created and new) or (not created and before != new):
            changes[field] = [before, new]
    if changes:
        _permission_change(instance.user, {"staff_profile": changes})


# ------------------------------------------------------------------------ many-to-many grants
def _m2m_handler(label: str, owner_of):
    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear") or reverse:
            return
        what = action.removeprefix("post_")
        ids = sorted(pk_set or [])
        names = [str(obj) for obj in model.objects.filter(pk__in=ids)] if ids else []
        _permission_change(owner_of(instance), {label: {what: names or "all"}})

    return handler


m2m_changed.connect(
    _m2m_handler("groups", lambda user: user),
    sender=User.groups.through,
    dispatch_uid="banshi.audit.user_groups",
    weak=False,
)
m2m_changed.connect(
    _m2m_handler("user_permissions", lambda user: user),
    sender=User.user_permissions.through,
    dispatch_uid="banshi.audit.user_permissions",
    weak=False,
)
m2m_changed.connect(
    _m2m_handler("extra_departments", lambda profile: profile.user),
    sender=StaffProfile.extra_departments.through,
    dispatch_uid="banshi.audit.extra_departments",
    weak=False,
)
