"""System check: a retention below six months is an error at start-up, not only at purge time."""

from __future__ import annotations

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security)
def retention_check(app_configs, **kwargs):
    from banshi.audit.services import retention_days

    try:
        retention_days()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="banshi.audit.E001")]
    return []
