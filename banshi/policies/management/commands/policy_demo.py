"""``banshi policy_demo``: demo policies and enterprise portraits, matched, for trying the pages.

Idempotent. Gives the demo enterprise (示例餐饮管理有限公司, if ``banshi setup --demo`` made it) and
``--enterprises N`` synthetic enterprises a portrait, publishes four policies (免申即享 with a fixed
amount and with an amount computed from the portrait, 即申即享, and one the demo enterprise misses by
one condition), and runs a full match. Then log in as the demo enterprise to see ``/policies/mine/``
and as a reviewer of the issuing department to confirm a list.
"""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.people import services as people
from banshi.people.models import Enterprise
from banshi.policies import engine, services, synthetic
from banshi.policies.attributes import derived_values
from banshi.policies.models import EnterprisePortrait, Policy

DEMO_USCC = "91350100M000100Y43"
POLICIES = [
    {
        "code": "DEMO-RS-WGFH",
        "department": ("RS", "人力资源和社会保障局"),
        "title": "中小微企业稳岗返还",
        "summary": "上年度未裁员或裁员率低于规定标准的参保中小微企业，按参保人数返还失业保险费。",
        "mode": "auto_grant",
        "benefit_kind": "expression",
        "benefit_expression": "enterprise.insured_employees * 1000",
        "benefit_cap": "50000",
        "benefit_note": "按参保人数每人1000元，最高5万元",
        "conditions": [
            ("属于中小微企业", "enterprise.is_sme"),
            ("参保人数不少于5人", "enterprise.insured_employees >= 5"),
            ("公共信用评价非D类", "enterprise.credit_level != 'D'"),
        ],
    },
    {
        "code": "DEMO-SCJG-XKB",
        "department": ("SCJG", "市场监督管理局"),
        "title": "新开办小微企业首年补贴",
        "summary": "在本区新设立、成立不满两年的小微企业，给予一次性开办补贴。",
        "mode": "auto_grant",
        "benefit_kind": "fixed",
        "benefit_amount": "5000",
        "conditions": [
            ("成立不满两年", "today() - enterprise.established_on <= 730"),
            ("属于中小微企业", "enterprise.is_sme"),
            ("注册在航空港区", "enterprise.district in ['410173001', '410173002', '410173003']"),
        ],
    },
    {
        "code": "DEMO-SWJ-CXF",
        "department": ("SWJ", "商务局"),
        "title": "住宿餐饮业促消费奖励",
        "summary": "上年度营业收入达到500万元的住宿和餐饮企业，给予促消费奖励。",
        "mode": "prefilled",
        "benefit_kind": "fixed",
        "benefit_amount": "20000",
        "conditions": [
            ("属于住宿和餐饮业", "enterprise.industry_section == 'H'"),
            ("上年度营业收入不低于500万元", "enterprise.revenue >= 500"),
            ("纳税信用A级或B级", "enterprise.tax_credit_level in ['A', 'B']"),
        ],
    },
    {
        "code": "DEMO-FGW-GXJS",
        "department": ("FGW", "发展和改革委员会"),
        "title": "高新技术企业研发后补助",
        "mode": "prefilled",
        "benefit_kind": "expression",
        "benefit_expression": "enterprise.revenue * 100",
        "benefit_cap": "300000",
        "benefit_note": "按上年度营业收入的1%，最高30万元",
        "conditions": [
            ("高新技术企业", "enterprise.is_high_tech"),
            ("研发费用占比不低于3%", "enterprise.rd_ratio >= 3"),
            ("纳税信用非D级", "enterprise.tax_credit_level != 'D'"),
        ],
    },
]


class Command(BaseCommand):
    help = "创建惠企政策演示数据并匹配 / demo policies and portraits, matched"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=200, help="synthetic enterprises")

    def handle(self, *args, enterprises: int, **options):
        today = clock.today()
        with transaction.atomic():
            demo = Enterprise.objects.filter(uscc=DEMO_USCC).first()
            if demo is not None:  # through the service: each value gets its source
                services.set_portrait_values(
                    demo,
                    {
                        "enterprise.industry_code": "6210",
                        "enterprise.district": "410173001",
                        "enterprise.registered_capital": "100",
                        "enterprise.established_on": today.replace(year=today.year - 1),
                        "enterprise.is_sme": True,
                        "enterprise.is_listed": False,
                    },
                    kind="licence",
                    reference="营业执照",
                )
                services.set_portrait_values(
                    demo,
                    {
                        "enterprise.employees": 12,
                        "enterprise.insured_employees": 10,
                        "enterprise.revenue": "320",
                        "enterprise.tax_paid": "12",
                        "enterprise.tax_credit_level": "B",
                        "enterprise.credit_level": "B",
                        "enterprise.is_high_tech": False,
                        "enterprise.is_specialized": False,
                        "enterprise.has_export": False,
                    },
                    kind="department",
                    reference="2025年度部门共享数据",
                )
            rng = random.Random(2025)
            for number in range(1, enterprises + 1):
                enterprise = people.register_enterprise(
                    synthetic.fake_uscc(880_000 + number), f"演示企业{number:04d}有限公司"
                )
                row = synthetic.portrait_row(rng, today)
                self._portrait(enterprise, **dict(zip(synthetic.COLUMNS, row, strict=True)))
            for spec in POLICIES:
                self._policy(dict(spec))
        run = engine.run_full()
        self.stdout.write(
            f"{len(POLICIES)} 项演示政策，{EnterprisePortrait.objects.count()} 家企业有画像；"
            f"匹配批次 #{run.pk}：符合 {run.matched}，差一项 {run.near_misses}。"
            "访问 /policies/ 与 /policies/mine/。"
        )

    def _portrait(self, enterprise, **values):
        values.update(derived_values(values))
        EnterprisePortrait.objects.update_or_create(
            enterprise=enterprise, defaults={**values, "updated_at": clock.now()}
        )

    def _policy(self, spec):
        code = spec.pop("code")
        department_code, department_name = spec.pop("department")
        department, _ = Department.objects.get_or_create(
            code=department_code, defaults={"name": department_name}
        )
        if Policy.objects.filter(code=code).exists():
            return
        version = services.create_policy(code, department, **spec)
        services.publish(version)
