"""Fixtures for the policy tests: departments, staff, enterprises with portraits, policies."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.people import services as people
from banshi.people.models import Role
from banshi.policies import services
from banshi.policies.models import EnterprisePortrait, PolicyMode
from banshi.policies.synthetic import fake_uscc

TODAY = dt.date(2025, 6, 2)
PASSWORD = "Correct-horse-42"
OWNER_ID = "44030419900307123X"
OTHER_ID = "110101200001010010"


@pytest.fixture(autouse=True)
def _fixed_clock_and_settings(settings):
    """A fixed day, no in-process matching unless a test asks for it, fast password hashing."""
    settings.BANSHI_POLICY_MATCH_ON_CHANGE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def departments(db):
    return {
        code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in [
            ("KJ", "科学技术局"),
            ("SCJG", "市场监督管理局"),
            ("ZWFW", "政务服务和大数据管理局"),
        ]
    }


@pytest.fixture
def staff(departments):
    """Staff accounts by role: writer (catalogue admin, all departments), KJ reviewer and head,
    a SCJG reviewer (another department), a window clerk (no policy role)."""

    def make(username, roles, department, **kwargs):
        return people.create_staff(username, username, department, roles, PASSWORD, **kwargs)

    return {
        "writer": make("writer", [Role.CATALOGUE_ADMIN], "ZWFW", all_departments=True),
        "kj_reviewer": make("kj_reviewer", [Role.REVIEWER], "KJ"),
        "kj_head": make("kj_head", [Role.DEPARTMENT_HEAD], "KJ"),
        "scjg_reviewer": make("scjg_reviewer", [Role.REVIEWER], "SCJG"),
        "clerk": make("clerk", [Role.WINDOW_CLERK], "ZWFW"),
    }


_numbers = itertools.count(1)


@pytest.fixture
def make_enterprise(db):
    """An enterprise with a portrait holding the given attribute values (columns as keywords)."""

    def make(name: str | None = None, **columns):
        number = next(_numbers)
        enterprise = people.register_enterprise(fake_uscc(number), name or f"测试企业{number}")
        EnterprisePortrait.objects.create(enterprise=enterprise, **columns)
        return enterprise

    return make


@pytest.fixture
def make_policy(departments, staff):
    """A policy (published unless ``publish=False``) with the given (name, source) conditions."""
    codes = itertools.count(1)

    def make(conditions, *, publish=True, mode=PolicyMode.AUTO_GRANT, department="KJ", **content):
        content.setdefault("title", "测试政策")
        content.setdefault("benefit_kind", "fixed")
        content.setdefault("benefit_amount", Decimal("100000"))
        version = services.create_policy(
            f"T-{next(codes):03d}",
            departments[department],
            user=staff["writer"],
            mode=mode,
            conditions=conditions,
            **content,
        )
        if publish:
            version = services.publish(version, user=staff["writer"])
        return version

    return make


@pytest.fixture
def owner(db):
    """A person with a login account (an applicant)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("owner", password=PASSWORD)
    return people.register_person(OWNER_ID, "陈伟", user=user)


@pytest.fixture
def outsider(db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("outsider", password=PASSWORD)
    return people.register_person(OTHER_ID, "王磊", user=user)


_person_numbers = itertools.count(1)


@pytest.fixture
def make_person(db):
    """A person (valid synthetic ID number, born on ``born``) with a portrait holding the given
    attribute values (columns as keywords)."""
    from banshi.policies.models import PersonPortrait
    from banshi.policies.synthetic import fake_id_number

    def make(name: str | None = None, *, born: dt.date = dt.date(1980, 5, 1), **columns):
        number = next(_person_numbers)
        person = people.register_person(
            fake_id_number(number, born, male=number % 2 == 1), name or f"居民{number}", today=TODAY
        )
        PersonPortrait.objects.update_or_create(
            person=person, defaults={"birth_date": born, **columns}
        )
        return person

    return make


@pytest.fixture
def make_person_policy(make_policy):
    """A person policy (个人政策), published unless ``publish=False``."""

    def make(conditions, **kwargs):
        return make_policy(conditions, subject_kind="person", **kwargs)

    return make
