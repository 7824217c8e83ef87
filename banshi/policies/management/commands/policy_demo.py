"""``banshi policy_demo``: demo policies and enterprise portraits, matched, for trying the pages.

Idempotent. Gives the demo enterprise (示例餐饮管理有限公司, if ``banshi setup --demo`` made it) and
``--enterprises N`` synthetic enterprises a portrait, publishes four policies (免申即享 with a fixed
amount and with an amount computed from the portrait, 即申即享, and one the demo enterprise misses by
one condition), and runs a full match. Then log in as the demo enterprise to see ``/policies/mine/``
and as a reviewer of the issuing department to confirm a list.

Persons too (惠民政策): five person policies (高龄津贴, 灵活就业人员社保补贴, 育儿补贴, 困难残疾人
生活补贴, 高校毕业生就业补贴), ``--persons N`` synthetic residents, and the demo citizen (李娜, if
``setup --demo`` made her) with a portrait from her profile and department data; the 灵活就业 list is
confirmed as ``rs_reviewer`` when that account exists, so ``citizen`` sees a benefit she enjoys, one
she may apply for in one click, and one she nearly meets on ``/policies/mine/``.
"""

from __future__ import annotations

import logging
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.people import services as people
from banshi.people.models import Enterprise, Person
from banshi.policies import engine, services, synthetic
from banshi.policies.attributes import SubjectKind, derived_values
from banshi.policies.models import EnterprisePortrait, PersonPortrait, Policy, VersionStatus

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


DEMO_ID_NUMBER = (
    "310115198506150022"  # the demo citizen 李娜 (banshi.core.services.DEMO_APPLICANTS)
)
HOME = "['410173001', '410173002', '410173003', '410173004', '410173005', '410173006']"
PERSON_POLICIES = [
    {
        "code": "DEMO-MZ-GLJT",
        "department": ("MZ", "民政局"),
        "title": "高龄津贴",
        "summary": "本区户籍、年满80周岁的老年人，按月发放高龄津贴，无需申请。",
        "mode": "auto_grant",
        "benefit_kind": "fixed",
        "benefit_amount": "1200",
        "benefit_note": "每人每年1200元",
        "conditions": [
            ("年满80周岁", "person.birth_date <= years_ago(80)"),
            ("本区户籍", f"person.hukou_district in {HOME}"),
        ],
    },
    {
        "code": "DEMO-RS-LHJY",
        "department": ("RS", "人力资源和社会保障局"),
        "title": "灵活就业人员社会保险补贴",
        "summary": "办理灵活就业登记并以灵活就业人员身份参加养老保险的本区户籍人员，给予社保补贴。",
        "mode": "auto_grant",
        "benefit_kind": "fixed",
        "benefit_amount": "3000",
        "benefit_note": "每人每年3000元",
        "conditions": [
            ("已办理灵活就业登记", "person.employment_status == '灵活就业'"),
            (
                "年龄16至60周岁",
                "person.birth_date <= years_ago(16) and person.birth_date > years_ago(61)",
            ),
            ("以灵活就业人员身份参保", "person.social_insurance == '灵活就业参保'"),
            ("本区户籍", f"person.hukou_district in {HOME}"),
        ],
    },
    {
        "code": "DEMO-WJ-YECT",
        "department": ("WJ", "卫生健康委员会"),
        "title": "育儿补贴",
        "summary": "本区户籍、养育3周岁以下婴幼儿的家庭，按年发放育儿补贴。",
        "mode": "prefilled",
        "benefit_kind": "fixed",
        "benefit_amount": "3600",
        "benefit_note": "每孩每年3600元",
        "conditions": [
            ("有不满3周岁的子女", "person.youngest_child_birth_date > years_ago(3)"),
            ("本区户籍", f"person.hukou_district in {HOME}"),
        ],
    },
    {
        "code": "DEMO-CL-KNCJ",
        "department": ("CL", "残疾人联合会"),
        "title": "困难残疾人生活补贴",
        "summary": "纳入低保或特困供养的本区户籍残疾人，按月发放生活补贴。",
        "mode": "auto_grant",
        "benefit_kind": "fixed",
        "benefit_amount": "1440",
        "benefit_note": "每人每年1440元",
        "conditions": [
            ("持有残疾人证", "person.disability_level in ['一级', '二级', '三级', '四级']"),
            ("低保或特困人员", "person.assistance_status in ['低保', '特困']"),
            ("本区户籍", f"person.hukou_district in {HOME}"),
        ],
    },
]


def _graduate_policy(today) -> dict:
    """高校毕业生就业补贴: graduated in the last two years (the years follow the demo's today)."""
    return {
        "code": "DEMO-RS-GXBY",
        "department": ("RS", "人力资源和社会保障局"),
        "title": "高校毕业生就业补贴",
        "summary": "毕业两年内、在本区就业并参加职工社保的高校毕业生，给予一次性就业补贴。",
        "mode": "prefilled",
        "benefit_kind": "fixed",
        "benefit_amount": "2000",
        "conditions": [
            ("大专及以上学历", "person.education in ['大专', '本科', '硕士', '博士']"),
            ("毕业两年内", f"person.graduation_year >= {today.year - 2}"),
            ("在本区就业并参加职工社保", "person.social_insurance == '职工社保'"),
        ],
    }


class Command(BaseCommand):
    help = "创建惠企政策演示数据并匹配 / demo policies and portraits, matched"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=200, help="synthetic enterprises")
        parser.add_argument("--persons", type=int, default=200, help="synthetic persons")

    def handle(self, *args, enterprises: int, persons: int = 200, **options):
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
            self._persons(persons, today)
            for spec in [*PERSON_POLICIES, _graduate_policy(today)]:
                self._policy(dict(spec), subject_kind=SubjectKind.PERSON)
        run = engine.run_full()
        person_run = engine.run_full(subject=engine.PERSONS)
        granted = self._confirm_demo_list()
        self.stdout.write(
            f"{len(POLICIES)} 项演示政策，{EnterprisePortrait.objects.count()} 家企业有画像；"
            f"匹配批次 #{run.pk}：符合 {run.matched}，差一项 {run.near_misses}。"
            f"{len(PERSON_POLICIES) + 1} 项惠民政策，{PersonPortrait.objects.count()} 人有画像；"
            f"匹配批次 #{person_run.pk}：符合 {person_run.matched}，差一项 {person_run.near_misses}"
            f"{f'；灵活就业补贴已兑现 {granted} 人' if granted else ''}。"
            "访问 /policies/ 与 /policies/mine/。"
        )

    def _persons(self, count: int, today) -> None:
        """The demo citizen's portrait (through the services: each value with its source) and
        ``count`` synthetic residents (written directly, like the synthetic enterprises)."""
        citizen = Person.objects.filter(id_number=DEMO_ID_NUMBER).first()
        if citizen is not None:
            services.fill_person_portrait_from_profile(citizen)
            services.set_portrait_values(
                citizen,
                {
                    "person.hukou_district": "410173002",
                    "person.residence_district": "410173002",
                },
                kind="department",
                reference="户籍信息共享",
            )
            services.set_portrait_values(
                citizen,
                {
                    "person.employment_status": "灵活就业",
                    "person.social_insurance": "灵活就业参保",
                    "person.education": "本科",
                    "person.graduation_year": 2007,
                    "person.monthly_income": "5200",
                },
                kind="department",
                reference="就业和社保数据共享",
            )
            services.set_portrait_values(
                citizen,
                {
                    "person.children": 1,
                    "person.youngest_child_birth_date": today.replace(year=today.year - 1),
                    "person.disability_level": "无",
                    "person.assistance_status": "无",
                    "person.is_veteran": False,
                },
                kind="department",
                reference="出生医学证明/民政数据共享",
            )
        rng = random.Random(2026)
        quiet = logging.getLogger("banshi.people.services")
        level = quiet.level
        quiet.setLevel(logging.WARNING)  # not one "person registered" line per synthetic resident
        try:
            self._synthetic_persons(rng, count, today)
        finally:
            quiet.setLevel(level)

    def _synthetic_persons(self, rng, count: int, today) -> None:
        for number in range(1, count + 1):
            row = synthetic.person_row(rng, today)
            male = row["gender"] == "男"
            id_number = synthetic.fake_id_number(number, row["birth_date"], male=male)
            name = rng.choice(synthetic.PERSON_SURNAMES) + rng.choice(synthetic.PERSON_GIVEN)
            person = people.register_person(id_number, name, today=today)
            PersonPortrait.objects.update_or_create(
                person=person, defaults={**row, "updated_at": clock.now()}
            )

    def _confirm_demo_list(self) -> int:
        """rs_reviewer confirms the 灵活就业 list once (the demo citizen then enjoys it)."""
        from django.contrib.auth import get_user_model

        reviewer = get_user_model().objects.filter(username="rs_reviewer").first()
        policy = Policy.objects.filter(code="DEMO-RS-LHJY").first()
        if reviewer is None or policy is None or policy.grants.exists():
            return 0
        version = policy.versions.get(status=VersionStatus.PUBLISHED)
        return services.confirm_grants(version, user=reviewer).count

    def _portrait(self, enterprise, **values):
        values.update(derived_values(values))
        EnterprisePortrait.objects.update_or_create(
            enterprise=enterprise, defaults={**values, "updated_at": clock.now()}
        )

    def _policy(self, spec, subject_kind: str = SubjectKind.ENTERPRISE):
        code = spec.pop("code")
        department_code, department_name = spec.pop("department")
        department, _ = Department.objects.get_or_create(
            code=department_code, defaults={"name": department_name}
        )
        if Policy.objects.filter(code=code).exists():
            return
        version = services.create_policy(code, department, subject_kind=subject_kind, **spec)
        services.publish(version)
