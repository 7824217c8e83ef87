"""The 12345 caller identity reveal (banshi/appeals) is a staff read of personal data: it goes into
the audit chain with its purpose — the one record of who saw the caller (the staff page lists
the ticket's reveals from it)."""

from __future__ import annotations

import pytest

from banshi.appeals import services
from banshi.appeals.tests.factories import agent, dispatched, handler
from banshi.audit.models import Action, AuditEntry
from banshi.catalog.selectors import invalidate_snapshot
from banshi.workdays.services import reset_calendar_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(db):
    """As the 12345 tests do: fresh caches, a working Monday, departments linked to categories."""
    from django.apps import apps

    from banshi.appeals import seed
    from banshi.appeals.tests.factories import MONDAY
    from banshi.core import clock

    invalidate_snapshot()
    reset_calendar_cache()
    seed.apply(apps.get_model)
    with clock.frozen(MONDAY):
        yield
    invalidate_snapshot()
    reset_calendar_cache()


def test_revealing_a_caller_is_recorded_with_the_purpose():
    appeal = dispatched(lead="SCJG")
    scjg = handler("SCJG")
    services.reveal_caller(appeal, scjg, purpose="约定现场检查时间")
    entry = AuditEntry.objects.get(action=Action.VIEW_CALLER)
    assert entry.actor_id == scjg.pk and entry.purpose == "约定现场检查时间"
    assert entry.case_number == appeal.number
    assert "13800001234" not in entry.subject_label


def test_a_hotline_agent_reveal_is_recorded_too():
    appeal = dispatched()
    services.reveal_caller(appeal, agent())
    assert AuditEntry.objects.filter(action=Action.VIEW_CALLER).count() == 1
