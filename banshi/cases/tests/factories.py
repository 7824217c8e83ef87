"""Factories for the case engine tests: a small catalogue, people, staff, and short-cuts through the
services. Plain functions over fixtures: each test builds what its behaviour needs, and the numbers
it asserts (days, dates) can be read off this file.

The catalogue (loaded on MONDAY = 2025-03-03, a working day):

* SCJG-DJ-001 企业设立登记 (SCJG): promised 3, legal 5; produces YYZZ.
* SCJG-XK-001 食品经营许可 (SCJG): legal 20, no promised days -> 20 working days.
* XF-JC-001 消防安全检查 (XF): promised 10.
* GA-YZ-001 公章刻制备案 (GA): promised 0 -> 即办件 (第34条).
* WS-XK-001 公共场所卫生许可 (WS): no days at all -> 20 by default, 45 in a joint handling.
* WS-BA-002 卫生备案 (WS): promised 5, no pause allowed, no extension allowed.

Bundles: KBCYD (lead SCJG; XK after DJ; XF when shop.area > 300, after DJ; GA when need_seal);
LHSC (lead SCJG, silence_is_consent: true -> joint review on the SCJG case; XK, WS-XK, XF in
parallel); DANBU (SCJG only: DJ then XK, not joint).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth import get_user_model

from banshi.cases import services
from banshi.cases.models import Application, Case
from banshi.catalog.models import Department
from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.services import apply_catalogue
from banshi.core import clock
from banshi.people.models import Authorisation, Enterprise, EnterpriseRole, Person, StaffProfile

MONDAY = dt.date(2025, 3, 3)

CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
  - {code: XF, name: 消防救援支队}
  - {code: GA, name: 公安局}
  - {code: WS, name: 卫生健康委员会}
data_elements:
  - {code: enterprise.name, label: 企业名称, type: text, prefill: enterprise.name}
  - {code: shop.address, label: 经营场所, type: address}
  - {code: shop.area, label: 经营面积, type: number}
licence_types:
  - {code: YYZZ, name: 营业执照, department: SCJG}
  - {code: SP-JY, name: 食品经营许可证, department: SCJG}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: YYZZ-COPY, name: 营业执照, licence_type: YYZZ}
  - {code: FOOD-RULES, name: 食品安全管理制度}
  - {code: FIRE-PLAN, name: 消防安全方案}
  - {code: HEALTH-CERT, name: 从业人员健康证明}
items:
  - code: SCJG-DJ-001
    name: 企业设立登记
    kind: 行政许可
    department: SCJG
    legal_days: 5
    promised_days: 3
    fields: [enterprise.name, shop.address]
    materials: [{material: LEASE}]
    produces: YYZZ
  - code: SCJG-XK-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    legal_days: 20
    fields: [enterprise.name, shop.area]
    materials:
      - {material: YYZZ-COPY}
      - {material: FOOD-RULES}
      - {material: FIRE-PLAN, when: "shop.area > 300"}
    produces: SP-JY
  - code: XF-JC-001
    name: 消防安全检查
    kind: 行政许可
    department: XF
    legal_days: 10
    promised_days: 10
    fields: [shop.area]
    materials: [{material: FIRE-PLAN}]
  - code: GA-YZ-001
    name: 公章刻制备案
    kind: 公共服务
    department: GA
    legal_days: 1
    promised_days: 0
    fields: [enterprise.name]
  - code: WS-XK-001
    name: 公共场所卫生许可
    kind: 行政许可
    department: WS
    fields: [shop.address]
    materials: [{material: HEALTH-CERT}]
  - code: WS-BA-002
    name: 卫生备案
    kind: 行政许可
    department: WS
    legal_days: 5
    promised_days: 5
    pause_allowed: false
    extension_days: 0
    fields: [shop.address]
bundles:
  - code: KBCYD
    name: 开办餐饮店一件事
    department: SCJG
    questions:
      - {code: shop.area, text: 经营面积是多少平方米?, type: number}
      - {code: need_seal, text: 是否需要刻制公章?, type: bool}
    items:
      - {item: SCJG-DJ-001}
      - {item: SCJG-XK-001, after: [SCJG-DJ-001]}
      - {item: XF-JC-001, after: [SCJG-DJ-001], when: "shop.area > 300"}
      - {item: GA-YZ-001, after: [SCJG-DJ-001], when: "need_seal == true"}
    steps: [申请, 受理, 办结]
  - code: LHSC
    name: 联合审查一件事
    department: SCJG
    items:
      - {item: SCJG-XK-001}
      - {item: WS-XK-001}
      - {item: XF-JC-001}
    steps: [申请, 受理, 联合审查, 办结]
    silence_is_consent: true
  - code: DANBU
    name: 单部门一件事
    department: SCJG
    items:
      - {item: SCJG-DJ-001}
      - {item: SCJG-XK-001, after: [SCJG-DJ-001]}
    steps: [申请, 受理, 办结]
"""

_serial = itertools.count(1)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def load_catalogue(text: str = CATALOGUE, day: dt.date = MONDAY):
    """Load a catalogue through the real loader, published from ``day``."""
    parsed, problems = read_catalogue_text(text)
    assert not problems, problems
    with clock.frozen(day):
        result = apply_catalogue(parsed)
    invalidate_snapshot()
    return result


def id_number(serial: int) -> str:
    """A valid GB 11643 ID number (check digit computed), distinct per serial."""
    body = f"41010219900101{serial % 1000:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]


def make_person(name: str = "张三", *, with_account: bool = True) -> Person:
    serial = next(_serial)
    user = None
    if with_account:
        user = get_user_model().objects.create_user(f"person{serial}")
    return Person.objects.create(id_number=id_number(serial), name=name, user=user)


def make_enterprise(representative: Person | None = None, name: str = "某某餐饮有限公司"):
    serial = next(_serial)
    enterprise = Enterprise.objects.create(uscc=f"91410100MA{serial:07d}X"[:18], name=name)
    if representative is not None:
        EnterpriseRole.objects.create(
            person=representative, enterprise=enterprise, kind="legal_representative"
        )
    return enterprise


def authorise(agent: Person, principal: Person | Enterprise, *, scope: str = "") -> Authorisation:
    return Authorisation.objects.create(
        agent=agent,
        principal_person=principal if isinstance(principal, Person) else None,
        principal_enterprise=principal if isinstance(principal, Enterprise) else None,
        scope=scope,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )


def make_staff(*roles: str, department: str | None = None, name: str | None = None):
    """A staff user with a StaffProfile (department code or None, roles as given)."""
    serial = next(_serial)
    user = get_user_model().objects.create_user(name or f"staff{serial}")
    StaffProfile.objects.create(
        user=user,
        department=Department.objects.get(code=department) if department else None,
        roles=list(roles),
    )
    return user


def clerk():
    return make_staff("window_clerk")


def reviewer(department: str = "SCJG"):
    return make_staff("reviewer", department=department)


def head(department: str = "SCJG"):
    return make_staff("department_head", department=department)


def submit(
    person: Person | None = None,
    *,
    bundle: str | None = "KBCYD",
    item: str | None = None,
    answers: dict[str, Any] | None = None,
    key: str | None = None,
    day: dt.date | dt.datetime = MONDAY,
    **extra: Any,
) -> Application:
    """Submit on ``day`` (frozen clock) through the real service."""
    person = person or make_person()
    with clock.frozen(day):
        return services.submit_application(
            person,
            bundle_code=None if item else bundle,
            item_code=item,
            answers=answers or {},
            form_data={"enterprise.name": "某某餐饮有限公司"},
            materials=[{"code": "LEASE", "sha256": "0" * 64}],
            idempotency_key=key or f"key-{next(_serial)}",
            channel=extra.pop("channel", "web"),
            pre_review=extra.pop("pre_review", False),  # skeletal data: the later steps' tests
            **extra,
        )


def accepted(person: Person | None = None, *, day: dt.date = MONDAY, **kwargs: Any) -> Application:
    """An application submitted and accepted by a clerk on ``day``."""
    application = submit(person, day=day, **kwargs)
    with clock.frozen(day):
        services.accept(application, clerk(), application.version)
    return fresh(application)


def fresh(obj):
    obj.refresh_from_db()
    return obj


def case_of(application: Application, item_code: str) -> Case:
    return application.cases.get(item__code=item_code)


def reviewing(case: Case, user=None, *, day: dt.date = MONDAY) -> Case:
    """Start the review of ``case`` by a reviewer of its department."""
    user = user or reviewer(case.department.code)
    with clock.frozen(day):
        services.start_review(case, user, case.version)
    return fresh(case)


def granted_and_issued(case: Case, *, day: dt.date = MONDAY) -> Case:
    """Review, grant and issue ``case`` on ``day`` (its prerequisites must be done)."""
    user = head(case.department.code)
    case = reviewing(case, user, day=day)
    with clock.frozen(day):
        services.decide(case, True, "符合条件", user, case.version)
        case = fresh(case)
        services.issue(case, user, case.version)
    return fresh(case)
