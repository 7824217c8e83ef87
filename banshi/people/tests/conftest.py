"""Fixtures for the people tests: departments, persons, an enterprise, staff."""

from __future__ import annotations

import pytest

from banshi.catalog.models import Department
from banshi.people import services

CITIZEN_ID = "310115198506150022"
HANDLER_ID = "44030419900307123X"
AGENT_ID = "110101200001010010"
USCC = "91350100M000100Y43"
PASSWORD = "Correct-horse-42"


@pytest.fixture
def departments(db):
    return {
        code: Department.objects.create(code=code, name=name)
        for code, name in [
            ("SCJG", "市场监督管理局"),
            ("XF", "消防救援机构"),
            ("GA", "公安局"),
            ("ZWFW", "政务服务和大数据管理局"),
        ]
    }


@pytest.fixture
def citizen(db):
    return services.register_person(CITIZEN_ID, "李娜", phone="13800000001")


@pytest.fixture
def handler(db):
    return services.register_person(HANDLER_ID, "陈伟")


@pytest.fixture
def agent(db):
    return services.register_person(AGENT_ID, "王磊")


@pytest.fixture
def enterprise(handler):
    return services.register_enterprise(USCC, "示例餐饮管理有限公司", legal_representative=handler)


@pytest.fixture
def make_staff(departments):
    def make(username, roles, department="SCJG", **kwargs):
        return services.create_staff(
            username, f"测试 {username}", department, roles, PASSWORD, **kwargs
        )

    return make


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Login tests hash many passwords: a fast hasher keeps them quick (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
