"""Fixtures for the workbench tests: the case engine's test catalogue, staff of every role, and the
clock frozen on the catalogue's Monday (2025-03-03) so that deadlines read the same every day."""

from __future__ import annotations

import pytest
from django.test import Client

from banshi.cases.tests import factories
from banshi.cases.tests.factories import MONDAY, load_catalogue
from banshi.catalog.selectors import invalidate_snapshot
from banshi.core import clock
from banshi.people.models import StaffProfile
from banshi.workdays.services import reset_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_caches():
    invalidate_snapshot()
    reset_calendar_cache()
    yield
    invalidate_snapshot()
    reset_calendar_cache()


@pytest.fixture(autouse=True)
def monday():
    """Every request of a test runs on MONDAY unless the test freezes another day."""
    with clock.frozen(MONDAY):
        yield MONDAY


@pytest.fixture
def catalogue(db):
    return load_catalogue()


def staff(*roles: str, department: str | None = None, all_departments: bool = False, name=None):
    user = factories.make_staff(*roles, department=department, name=name)
    if all_departments:
        StaffProfile.objects.filter(user=user).update(all_departments=True)
    user.first_name = name or f"{roles[0]} {department or ''}".strip()
    user.save(update_fields=["first_name"])
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(catalogue):
    """综合窗口: takes in applications for every department (all_departments, as in the demo)."""
    return staff("window_clerk", department="SCJG", all_departments=True, name="窗口刘洋")


@pytest.fixture
def scjg_reviewer(catalogue):
    return staff("reviewer", department="SCJG", name="市场监管陈静")


@pytest.fixture
def scjg_head(catalogue):
    return staff("department_head", department="SCJG", name="市场监管赵刚")


@pytest.fixture
def xf_reviewer(catalogue):
    return staff("reviewer", department="XF", name="消防李强")


@pytest.fixture
def supervisor(catalogue):
    return staff("supervisor", name="监督周明")


@pytest.fixture
def applicant_user(catalogue):
    return factories.make_person("王五").user
