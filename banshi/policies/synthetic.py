"""Synthetic enterprises and policies with realistic distributions (benchmark, tests, demo).

Pure Python (``random`` only; no numpy): the same seed gives the same data.

Enterprises (one portrait row each): industry sections weighted like a district's register of market
subjects (批发零售 and 租赁商务 first, 制造业 next), a 4-digit GB/T 4754 code inside the section,
16 townships with Zipf-like weights, lognormal registered capital and revenue (万元), employees from a
Poisson whose mean is itself lognormal (a heavy tail), insured employees a share of them, tax a
share of revenue, mostly-zero R&D ratios and patents (higher for high-tech firms), establishment
dates skewed to recent years, credit levels, and rare qualifications (高新 ~4%, 专精特新 ~1.5%).
Every attribute is missing (NULL) for a few percent of enterprises.

Persons (:func:`person_row`): births 1930–2008, 户籍 and residence in the same townships, employment
status by age, 残疾 ~7%, 低保/特困 ~8%, children, education and graduation year, income.

Policies: 3–8 conditions each, drawn from templates of real 惠企政策 clauses (a scope — district,
industry, or a qualification — then thresholds on size, revenue, tax, R&D, credit, age). Each
condition comes as a name in words, the expression of :mod:`banshi.expr`, and SQL written by hand
for PostgreSQL and SQLite (the benchmark's baseline; not produced by our compiler).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from banshi.people.identifiers import (
    id_check_character,
    org_code_check_character,
    uscc_check_character,
)
from banshi.policies.attributes import SECTIONS

DISTRICTS = [f"410173{n:03d}" for n in range(1, 17)]
_DISTRICT_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(DISTRICTS))]
_SECTION_WEIGHTS = {
    "F": 30, "L": 12, "C": 12, "I": 6, "H": 6, "M": 5, "E": 5, "O": 5, "G": 4, "R": 3,
    "K": 3, "A": 2, "N": 2, "P": 1.5, "Q": 1.5, "D": 0.5, "J": 0.5, "B": 0.3, "S": 0.2,
}  # fmt: skip
_SECTION_RANGES = {letter: (first, last) for letter, first, last, _ in SECTIONS}
TAX_LEVELS = ("A", "B", "M", "C", "D")
_TAX_WEIGHTS = (20, 50, 20, 7, 3)
CREDIT_LEVELS = ("A", "B", "C", "D")
_CREDIT_WEIGHTS = (30, 55, 12, 3)
NAME_PREFIX = "基准企业"

# Portrait columns in the order :func:`portrait_rows` yields them (after enterprise_id).
COLUMNS = (
    "industry_section",
    "industry_division",
    "industry_code",
    "district",
    "registered_capital",
    "employees",
    "insured_employees",
    "revenue",
    "tax_paid",
    "rd_ratio",
    "patents",
    "established_on",
    "tax_credit_level",
    "credit_level",
    "is_high_tech",
    "is_specialized",
    "is_sme",
    "has_export",
    "is_listed",
)


def fake_uscc(number: int, region: str = "410173") -> str:
    """A valid 统一社会信用代码 (GB 32100, with a valid GB 11714 organisation code) for ``number``."""
    body = f"{number:08d}"[-8:]
    org = body + org_code_check_character(body)
    first17 = "91" + region + org
    return first17 + uscc_check_character(first17)


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation: exact enough for head counts
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _maybe(rng: random.Random, value, missing: float):
    return None if rng.random() < missing else value


def _money(value: float) -> Decimal:
    return Decimal(f"{min(value, 9.9e11):.2f}")


def portrait_row(rng: random.Random, today: dt.date) -> tuple:
    """One enterprise's attribute values, in :data:`COLUMNS` order."""
    sections, weights = zip(*_SECTION_WEIGHTS.items(), strict=True)
    section = rng.choices(sections, weights)[0]
    first, last = _SECTION_RANGES[section]
    division = f"{rng.randint(first, last):02d}"
    code = division + f"{rng.randint(1, 9)}{rng.randint(0, 9)}"
    district = rng.choices(DISTRICTS, _DISTRICT_WEIGHTS)[0]
    tech_section = section in "CIM"
    high_tech = rng.random() < (0.10 if tech_section else 0.01)
    capital = _money(rng.lognormvariate(math.log(100), 1.5))
    employees = _poisson(rng, rng.lognormvariate(math.log(8), 1.2))
    insured = round(employees * rng.uniform(0.5, 1.0))
    revenue_value = rng.lognormvariate(math.log(200), 2.0)
    revenue = _money(revenue_value)
    tax = _money(revenue_value * rng.uniform(0.01, 0.08))
    if high_tech:
        rd = _money(min(40.0, rng.lognormvariate(math.log(6), 0.5)))
        patents = _poisson(rng, 6)
    else:
        rd = _money(0 if rng.random() < 0.7 else min(40.0, rng.lognormvariate(math.log(2), 0.7)))
        patents = _poisson(rng, 0.3)
    age_days = min(int(rng.expovariate(1 / (7 * 365))), (today - dt.date(1990, 1, 1)).days)
    established = today - dt.timedelta(days=age_days)
    return (
        section,
        division,
        _maybe(rng, code, 0.02),
        _maybe(rng, district, 0.01),
        _maybe(rng, capital, 0.01),
        _maybe(rng, employees, 0.03),
        _maybe(rng, insured, 0.05),
        _maybe(rng, revenue, 0.08),
        _maybe(rng, tax, 0.08),
        _maybe(rng, rd, 0.20),
        _maybe(rng, patents, 0.05),
        established,
        _maybe(rng, rng.choices(TAX_LEVELS, _TAX_WEIGHTS)[0], 0.05),
        _maybe(rng, rng.choices(CREDIT_LEVELS, _CREDIT_WEIGHTS)[0], 0.03),
        _maybe(rng, high_tech, 0.02),
        _maybe(rng, rng.random() < (0.04 if tech_section else 0.008), 0.02),
        _maybe(rng, rng.random() < 0.97, 0.02),
        _maybe(rng, rng.random() < 0.06, 0.02),
        _maybe(rng, rng.random() < 0.003, 0.02),
    )


def portrait_rows(count: int, *, seed: int = 42, today: dt.date):
    rng = random.Random(seed)
    for _ in range(count):
        yield portrait_row(rng, today)


# ------------------------------------------------------------------------------ policies
@dataclass(frozen=True)
class SyntheticCondition:
    name: str
    source: str  # the expression language
    attribute: str  # the main attribute it reads (one per policy)
    pg: str  # hand-written SQL, PostgreSQL
    sqlite: str  # hand-written SQL, SQLite


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _listed(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _condition(rng: random.Random, kind: str, today: dt.date) -> SyntheticCondition:
    if kind == "district":
        chosen = sorted(rng.sample(DISTRICTS, rng.randint(1, 3)))
        sql = f"district IN ({_quoted(chosen)})"
        return SyntheticCondition(
            f"注册地在{'、'.join(c[-3:] for c in chosen)}乡镇街道",
            f"enterprise.district in [{_listed(chosen)}]",
            "district",
            sql,
            sql,
        )
    if kind == "section":
        chosen = sorted(rng.sample("CIMFLGEHR", rng.randint(1, 2)))
        sql = f"industry_section IN ({_quoted(chosen)})"
        return SyntheticCondition(
            f"属于{'、'.join(chosen)}门类行业",
            f"enterprise.industry_section in [{_listed(chosen)}]",
            "industry_section",
            sql,
            sql,
        )
    if kind == "division":
        chosen = sorted(rng.sample([f"{n:02d}" for n in range(26, 41)], rng.randint(2, 5)))
        sql = f"industry_division IN ({_quoted(chosen)})"
        return SyntheticCondition(
            "属于重点制造业大类",
            f"enterprise.industry_division in [{_listed(chosen)}]",
            "industry_division",
            sql,
            sql,
        )
    if kind in ("is_high_tech", "is_specialized", "has_export"):
        label = {"is_high_tech": "高新技术企业", "is_specialized": "专精特新中小企业", "has_export": "有进出口实绩"}[kind]  # fmt: skip
        return SyntheticCondition(
            f"是{label}", f"enterprise.{kind} == true", kind, f"{kind} = TRUE", f"{kind} = 1"
        )
    if kind == "is_sme":
        return SyntheticCondition(
            "属于中小微企业", "enterprise.is_sme", "is_sme", "is_sme", "is_sme"
        )
    if kind == "is_listed":
        return SyntheticCondition(
            "非上市企业", "not enterprise.is_listed", "is_listed", "NOT is_listed", "NOT is_listed"
        )
    if kind in ("registered_capital", "revenue", "tax_paid"):
        label = {"registered_capital": "注册资本", "revenue": "上年度营业收入", "tax_paid": "上年度纳税额"}[kind]  # fmt: skip
        options = {
            "registered_capital": (50, 100, 200, 500, 1000, 5000),
            "revenue": (100, 500, 1000, 2000, 5000, 20000),
            "tax_paid": (10, 50, 100, 500),
        }[kind]
        threshold = rng.choice(options)
        sql = f"{kind} >= {threshold}"
        return SyntheticCondition(
            f"{label}不低于{threshold}万元", f"enterprise.{kind} >= {threshold}", kind, sql, sql
        )
    if kind == "revenue_cap":
        cap = rng.choice((20000, 40000))
        sql = f"revenue < {cap}"
        return SyntheticCondition(
            f"上年度营业收入低于{cap}万元", f"enterprise.revenue < {cap}", "revenue", sql, sql
        )
    if kind in ("employees", "insured_employees"):
        label = "从业人数" if kind == "employees" else "参保人数"
        threshold = rng.choice((5, 10, 20, 50, 100))
        sql = f"{kind} >= {threshold}"
        return SyntheticCondition(
            f"{label}不少于{threshold}人", f"enterprise.{kind} >= {threshold}", kind, sql, sql
        )
    if kind == "employee_band":
        low, high = rng.choice(((10, 300), (20, 1000), (5, 100)))
        sql = f"(employees >= {low} AND employees <= {high})"
        return SyntheticCondition(
            f"从业人数{low}至{high}人",
            f"enterprise.employees >= {low} and enterprise.employees <= {high}",
            "employees",
            sql,
            sql,
        )
    if kind == "rd_ratio":
        threshold = rng.choice((3, 4, 5))
        sql = f"rd_ratio >= {threshold}"
        return SyntheticCondition(
            f"研发费用占比不低于{threshold}%", f"enterprise.rd_ratio >= {threshold}", kind, sql, sql
        )
    if kind == "patents":
        threshold = rng.choice((1, 2, 5))
        sql = f"patents >= {threshold}"
        return SyntheticCondition(
            f"拥有{threshold}件以上有效发明专利",
            f"enterprise.patents >= {threshold}",
            kind,
            sql,
            sql,
        )
    if kind == "tax_credit_level":
        chosen = rng.choice((("A",), ("A", "B"), ("A", "B", "M")))
        sql = f"tax_credit_level IN ({_quoted(chosen)})"
        return SyntheticCondition(
            f"纳税信用{'或'.join(chosen)}级",
            f"enterprise.tax_credit_level in [{_listed(chosen)}]",
            kind,
            sql,
            sql,
        )
    if kind == "credit_level":
        sql = "credit_level <> 'D'"
        return SyntheticCondition(
            "公共信用评价非D类", "enterprise.credit_level != 'D'", kind, sql, sql
        )
    if kind == "young":
        years = rng.choice((1, 3, 5))
        since = today - dt.timedelta(days=365 * years)
        return SyntheticCondition(
            f"成立不满{years}年",
            f"today() - enterprise.established_on <= {365 * years}",
            "established_on",
            f"established_on >= DATE '{since.isoformat()}'",
            f"established_on >= '{since.isoformat()}'",
        )
    if kind == "mature":
        years = rng.choice((2, 3, 5))
        since = today - dt.timedelta(days=365 * years)
        return SyntheticCondition(
            f"成立满{years}年",
            f"enterprise.established_on <= today() - {365 * years}",
            "established_on",
            f"established_on <= DATE '{since.isoformat()}'",
            f"established_on <= '{since.isoformat()}'",
        )
    if kind == "productivity":
        threshold = rng.choice((20, 50, 100))
        return SyntheticCondition(
            f"人均营业收入不低于{threshold}万元",
            f"enterprise.revenue / enterprise.employees >= {threshold}",
            "employees",
            f"revenue / NULLIF(employees, 0) >= {threshold}",
            f"CAST(revenue AS REAL) / NULLIF(employees, 0) >= {threshold}",
        )
    raise ValueError(kind)  # pragma: no cover


SCOPES = (
    ("district", 22), ("section", 18), ("division", 8), ("is_high_tech", 10),
    ("is_specialized", 5), ("has_export", 5),
)  # fmt: skip
THRESHOLDS = (
    ("registered_capital", 10), ("revenue", 12), ("revenue_cap", 3), ("tax_paid", 6),
    ("employees", 8), ("insured_employees", 6), ("employee_band", 4), ("rd_ratio", 5),
    ("patents", 4), ("tax_credit_level", 12), ("credit_level", 10), ("is_sme", 5),
    ("is_listed", 3), ("young", 5), ("mature", 5), ("productivity", 3), ("district", 4),
    ("section", 4),
)  # fmt: skip


def policy_conditions(rng: random.Random, today: dt.date) -> list[SyntheticCondition]:
    """3–8 conditions: a scope (most policies have one), then thresholds; no attribute twice."""
    size = rng.randint(3, 8)
    chosen: list[SyntheticCondition] = []
    used: set[str] = set()
    if rng.random() < 0.85:
        kinds, weights = zip(*SCOPES, strict=True)
        condition = _condition(rng, rng.choices(kinds, weights)[0], today)
        chosen.append(condition)
        used.add(condition.attribute)
    kinds, weights = zip(*THRESHOLDS, strict=True)
    attempts = 0
    while len(chosen) < size and attempts < 100:
        attempts += 1
        condition = _condition(rng, rng.choices(kinds, weights)[0], today)
        if condition.attribute in used:
            continue
        chosen.append(condition)
        used.add(condition.attribute)
    rng.shuffle(chosen)
    return chosen


def policies(count: int, *, seed: int = 7, today: dt.date) -> list[list[SyntheticCondition]]:
    rng = random.Random(seed)
    return [policy_conditions(rng, today) for _ in range(count)]


# ------------------------------------------------------------------------------ persons
PERSON_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
PERSON_GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明")


def fake_id_number(number: int, birth: dt.date, *, male: bool, region: str = "410173") -> str:
    """A valid 公民身份号码 (GB 11643) for a synthetic person: the region, the birth date, a
    sequence made of ``number`` (odd for men), and the MOD 11-2 check character."""
    sequence = (number % 500) * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def person_row(rng: random.Random, today: dt.date) -> dict[str, object]:
    """One person's portrait values (column → value), roughly like a district's residents:
    births 1930–2008, most registered and living in the district, a share of 灵活就业, retirees,
    disabled people and 低保 households; a few values missing."""
    birth = dt.date(rng.randint(1930, 2008), rng.randint(1, 12), rng.randint(1, 28))
    age = today.year - birth.year
    district = rng.choices(DISTRICTS, _DISTRICT_WEIGHTS)[0]
    if age >= 60:
        status = rng.choices(("退休", "无业", "灵活就业"), (80, 15, 5))[0]
    elif age < 22:
        status = rng.choices(("在校", "就业", "无业"), (70, 20, 10))[0]
    else:
        status = rng.choices(("就业", "灵活就业", "失业登记", "无业"), (70, 15, 8, 7))[0]
    insurance = {
        "就业": "职工社保",
        "退休": "职工社保",
        "灵活就业": rng.choice(("灵活就业参保", "未参保")),
    }.get(status, rng.choice(("城乡居民", "未参保")))
    children = 0 if age < 22 else min(4, _poisson(rng, 1.4))
    youngest = None
    if children:
        youngest_age = rng.randint(0, max(0, min(age - 20, 30)))
        youngest = today.replace(year=today.year - youngest_age) - dt.timedelta(
            days=rng.randint(0, 360)
        )
    education = rng.choices(
        ("初中及以下", "高中/中专", "大专", "本科", "硕士", "博士"), (30, 25, 18, 20, 6, 1)
    )[0]
    graduated = None
    if education in ("大专", "本科", "硕士", "博士"):
        graduated = min(
            today.year, birth.year + {"大专": 21, "本科": 22, "硕士": 25, "博士": 28}[education]
        )
    return {
        "birth_date": birth,
        "gender": rng.choice(("男", "女")),
        "hukou_district": _maybe(rng, district if rng.random() < 0.85 else "410100000", 0.02),
        "residence_district": _maybe(rng, district, 0.05),
        "employment_status": _maybe(rng, status, 0.05),
        "disability_level": rng.choices(("无", "一级", "二级", "三级", "四级"), (93, 1, 2, 2, 2))[
            0
        ],
        "assistance_status": rng.choices(("无", "低保", "低保边缘", "特困"), (92, 5, 2, 1))[0],
        "is_veteran": _maybe(rng, rng.random() < 0.03, 0.1),
        "education": _maybe(rng, education, 0.1),
        "graduation_year": graduated,
        "children": _maybe(rng, children, 0.05),
        "youngest_child_birth_date": youngest,
        "monthly_income": _maybe(rng, _money(rng.lognormvariate(math.log(4500), 0.6)), 0.2),
        "social_insurance": _maybe(rng, insurance, 0.05),
    }
