"""Who may download a document's PDF (everyone may verify it).

:func:`can_download` is the one hook: today staff users and superusers may; the case engine adds the
applicant side by registering a rule, e.g. in its ``AppConfig.ready``::

    from banshi.cases.permissions import is_applicant_side
    from banshi.documents.permissions import register_download_rule

    @register_download_rule
    def applicant_may_download(user, document):
        return document.application is not None and is_applicant_side(user, document.application)

A rule returns ``True`` to allow; a user is allowed when any rule allows. Anonymous and inactive
users are never allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from banshi.documents.models import Document

DownloadRule = Callable[[Any, Document], bool]
_download_rules: list[DownloadRule] = []


def register_download_rule(rule: DownloadRule) -> DownloadRule:
    """Add a rule allowing more users to download (usable as a decorator; added once)."""
    if rule not in _download_rules:
        _download_rules.append(rule)
    return rule


def unregister_download_rule(rule: DownloadRule) -> None:
    if rule in _download_rules:
        _download_rules.remove(rule)


def can_download(user: Any, document: Document) -> bool:
    """Whether ``user`` may download the PDF of ``document``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if _staff_of_the_department(user, document):
        return True
    return any(rule(user, document) for rule in _download_rules)


def _staff_of_the_department(user: Any, document: Document) -> bool:
    """Case staff (the one permission check in ``banshi.people.permissions``) may download what
    their departments issued; application-level notices (受理/补正/不予受理) go to intake staff."""
    from banshi.people import permissions

    if not permissions.is_staff_member(user):
        return False
    if document.department_id is None:
        return permissions.has_role(user, "window_clerk", "supervisor", "system_admin")
    return permissions.may_see_department(user, document.department.code)
