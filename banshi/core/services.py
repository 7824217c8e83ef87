"""Platform-level operations: role groups, and the demo accounts for every role (demo mode only).

``banshi setup --demo`` calls :func:`ensure_demo_accounts`; the login page lists
:func:`demo_account_rows` when ``BANSHI_DEMO`` is on, never otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

DEMO_PASSWORD = "banshi-demo-2026"

# Role groups (DESIGN §8): Django permissions for the roles that work in the admin site. The group
# name is the role's label (banshi.people.models.Role), so ``create_staff`` keeps membership in step
# with the roles. Each role gains its own pages issue by issue.
ROLE_PERMISSIONS = {
    "事项管理员": [("catalog", None), ("workdays", None)],
    "审计员": [("people", "view_loginattempt")],
}


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    roles: tuple[str, ...]
    department: str | None
    window: str = ""
    all_departments: bool = False
    superuser: bool = False


@dataclass(frozen=True)
class DemoApplicant:
    username: str
    name: str
    id_number: str  # synthetic, from reference/standards.md §6.1's valid vectors
    phone: str
    role: str
    enterprise: tuple[str, str] | None = (
        None  # (USCC, name): the person is its legal representative
    )
    agent_for: str | None = None  # username of the applicant who authorised this one


# Departments the demo staff belong to; all exist in the national catalogue (00-common.yaml). They
# are created when missing, so the accounts also work with ``setup --no-catalogue``.
DEMO_DEPARTMENTS = {
    "ZWFW": "政务服务和大数据管理局",
    "SCJG": "市场监督管理局",
    "XF": "消防救援机构",
    "GA": "公安局",
    "RS": "人力资源和社会保障局",
    # 12345 承办单位 the seeded categories dispatch to (banshi/appeals/seed.py)
    "CG": "城市管理局",
    "ZJ": "住房和城乡建设局",
    "STHJ": "生态环境局",
    "JT": "交通运输局",
}

DEMO_STAFF = [
    DemoStaff("sysadmin", "系统管理员", ("system_admin",), "ZWFW", superuser=True),
    DemoStaff("catalog_admin", "事项管理员 王敏", ("catalogue_admin",), "ZWFW"),
    DemoStaff(
        "window_clerk",
        "综合窗口 刘洋",
        ("window_clerk",),
        "ZWFW",
        window="A01",
        all_departments=True,
    ),
    DemoStaff("scjg_reviewer", "市场监管审批 陈静", ("reviewer",), "SCJG"),
    DemoStaff("scjg_head", "市场监管负责人 赵刚", ("department_head",), "SCJG"),
    DemoStaff("scjg_chief", "市场监管首席服务员 孙丽", ("chief_service_officer",), "SCJG"),
    DemoStaff("xf_reviewer", "消防审批 李强", ("reviewer",), "XF"),
    DemoStaff("xf_head", "消防负责人 马骏", ("department_head",), "XF"),
    DemoStaff("ga_reviewer", "公安审批 何梅", ("reviewer",), "GA"),
    DemoStaff("ga_head", "公安负责人 罗斌", ("department_head",), "GA"),
    DemoStaff("rs_reviewer", "人社审批 高燕", ("reviewer",), "RS"),
    DemoStaff("rs_head", "人社负责人 林涛", ("department_head",), "RS"),
    DemoStaff("supervisor", "效能监督 周明", ("supervisor",), "ZWFW"),
    DemoStaff("gov_head", "区政府负责人 吴强", ("government_head",), None),
    DemoStaff("hotline", "12345 坐席 郑爽", ("hotline_agent",), "ZWFW"),
    DemoStaff("auditor", "审计员 冯洁", ("auditor",), "ZWFW"),
    # 12345 承办: staff of departments the seeded categories dispatch to
    DemoStaff("cg_handler", "城管 12345 承办 王伟", ("reviewer",), "CG"),
    DemoStaff("cg_head", "城管负责人 黄磊", ("department_head",), "CG"),
    DemoStaff("zj_handler", "住建 12345 承办 谢婷", ("reviewer",), "ZJ"),
    DemoStaff("sthj_handler", "生态环境 12345 承办 邓超", ("reviewer",), "STHJ"),
    DemoStaff("jt_handler", "交通 12345 承办 韩雪", ("reviewer",), "JT"),
]

DEMO_APPLICANTS = [
    DemoApplicant("citizen", "李娜", "310115198506150022", "13800000001", "申请人（个人）"),
    DemoApplicant(
        "enterprise",
        "陈伟",
        "44030419900307123X",
        "13800000002",
        "申请人（企业法定代表人）",
        enterprise=("91350100M000100Y43", "示例餐饮管理有限公司"),
    ),
    DemoApplicant(
        "agent",
        "王磊",
        "110101200001010010",
        "13800000003",
        "代办人（受李娜委托）",
        agent_for="citizen",
    ),
]

# Kept for callers of the first release: every demo username.
DEMO_ACCOUNTS = [account.username for account in (*DEMO_STAFF, *DEMO_APPLICANTS)]


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create the role groups with their permissions (idempotent)."""
    groups = {}
    for name, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.none()
        for app_label, codename in grants:
            query = Permission.objects.filter(content_type__app_label=app_label)
            if codename:
                query = query.filter(codename=codename)
            permissions = permissions | query
        group.permissions.set(permissions)
        groups[name] = group
    return groups


def demo_account_rows() -> list[dict[str, str]]:
    """The demo accounts as the login page lists them (username, name, role, department)."""
    from banshi.people.models import Role

    labels = dict(Role.choices)
    rows = [
        {
            "username": account.username,
            "name": account.name,
            "role": "、".join(labels.get(role, role) for role in account.roles),
            "department": DEMO_DEPARTMENTS.get(account.department or "", "—")
            + ("（可办理全部部门）" if account.all_departments else ""),
            "kind": "staff",
        }
        for account in DEMO_STAFF
    ]
    rows += [
        {
            "username": account.username,
            "name": account.name,
            "role": account.role,
            "department": account.enterprise[1] if account.enterprise else "—",
            "kind": "applicant",
        }
        for account in DEMO_APPLICANTS
    ]
    return rows


@transaction.atomic
def ensure_demo_accounts() -> list[str]:
    """Create or reset the demo accounts listed on the login page in demo mode (idempotent):
    staff for every role, and applicants — a citizen, an enterprise's legal representative and an
    agent with a recorded authorisation. Every password is :data:`DEMO_PASSWORD`."""
    from banshi.catalog.models import Department
    from banshi.core import clock
    from banshi.people import services as people
    from banshi.people.models import Person

    ensure_roles()
    for code, name in DEMO_DEPARTMENTS.items():
        Department.objects.get_or_create(code=code, defaults={"name": name})
    names = []
    for account in DEMO_STAFF:
        user = people.create_staff(
            account.username,
            account.name,
            account.department,
            account.roles,
            DEMO_PASSWORD,
            window=account.window,
            all_departments=account.all_departments,
            check_password=False,
            replace=True,
        )
        if account.superuser and not user.is_superuser:
            user.is_superuser = True
            user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        names.append(account.username)

    user_model = get_user_model()
    persons: dict[str, Person] = {}
    today = clock.today()
    for account in DEMO_APPLICANTS:
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.first_name = account.name
        user.is_staff = False
        user.is_superuser = False
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        person = people.register_person(
            account.id_number, account.name, phone=account.phone, user=user
        )
        persons[account.username] = person
        if account.enterprise:
            uscc, enterprise_name = account.enterprise
            enterprise = people.register_enterprise(
                uscc, enterprise_name, legal_representative=person, phone=account.phone
            )
            people.add_enterprise_role(person, enterprise, "legal_representative")
            _demo_business_licence(enterprise)
        names.append(account.username)
    for account in DEMO_APPLICANTS:
        if not account.agent_for:
            continue
        agent, principal = persons[account.username], persons[account.agent_for]
        if people.find_authorisation(agent, principal, scope="", on=today) is None:
            people.grant_authorisation(agent, principal, "", today, today + dt.timedelta(days=365))
    return names


def _demo_business_licence(enterprise) -> None:
    """A registered demo enterprise holds its 营业执照 in the licence library (免证 shows)."""
    from banshi.catalog.models import LicenceType
    from banshi.licences import services as licences

    if LicenceType.objects.filter(code="YYZZ", department__isnull=False).exists():
        licences.record_existing("YYZZ", holder_enterprise=enterprise)
