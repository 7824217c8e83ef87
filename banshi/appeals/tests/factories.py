"""Helpers for the 12345 tests: staff of each role, a valid intake, a ticket at a given step."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth import get_user_model

from banshi.appeals import services
from banshi.appeals.models import Appeal
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.people.models import StaffProfile

MONDAY = dt.date(2025, 3, 3)  # a working Monday; 2025 has official calendar data
_serial = itertools.count(1)


def staff(*roles: str, department: str | None = None, name: str | None = None):
    user = get_user_model().objects.create_user(name or f"appeal-staff-{next(_serial)}")
    StaffProfile.objects.create(
        user=user,
        department=Department.objects.get(code=department) if department else None,
        roles=list(roles),
    )
    return user


def agent():
    return staff("hotline_agent", department="ZWFW")


def supervisor():
    return staff("supervisor", department="ZWFW")


def handler(department: str = "SCJG", role: str = "reviewer"):
    return staff(role, department=department)


def intake(**overrides: Any) -> services.Intake:
    values = {
        "appeal_type": "complaint",
        "category": "0201",  # 食品安全 → SCJG
        "title": "小区门口餐馆后厨卫生差",
        "content": "幸福路 8 号餐馆后厨油污严重，老鼠出没，请监管部门检查。",
        "caller_phone": "13800001234",
        "caller_name": "张三",
        "area": "新港街道",
        "address": "幸福路 8 号",
    }
    values.update(overrides)
    return services.Intake(**values)


def taken_in(
    user=None, *, channel: str = "hotline", day: dt.date | dt.datetime = MONDAY, **overrides: Any
) -> Appeal:
    user = user if user is not None else (agent() if channel == "hotline" else None)
    with clock.frozen(day):
        return services.take_in(user, intake(**overrides), channel=channel)


def dispatched(
    appeal: Appeal | None = None,
    *,
    lead: str = "SCJG",
    assisting: tuple[str, ...] = (),
    day: dt.date | dt.datetime = MONDAY,
    centre=None,
) -> Appeal:
    appeal = appeal or taken_in(day=day)
    with clock.frozen(day):
        return services.dispatch(
            appeal, centre or agent(), appeal.version, lead=lead, assisting=assisting
        )


def fresh(appeal: Appeal) -> Appeal:
    appeal.refresh_from_db()
    return appeal
