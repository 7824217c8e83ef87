"""工作台: the staff front door (window clerk, departments, supervisors)."""

from __future__ import annotations

from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    """工作台: queues and case pages for staff. Holds no rules: every change goes through
    :mod:`banshi.cases.services`, every read through selectors and the people permission check."""

    name = "banshi.workbench"
    label = "workbench"
    verbose_name = "工作台"
    default_auto_field = "django.db.models.BigAutoField"
