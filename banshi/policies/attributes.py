"""画像属性 registry: the named attributes that policy conditions are written against.

Two kinds of subject (:class:`SubjectKind`): enterprises (企业画像, ``enterprise.*``) and persons
(个人画像, 自然人, ``person.*``). Each attribute names its subject kind; a policy is written for one
kind and its conditions are checked against that kind's :class:`Registry` only. An age is not
stored: it is the birth date compared with ``years_ago(n)`` (``person.birth_date <= years_ago(80)``
is 年满80周岁), so it never goes stale.

Each attribute has a dotted code (``enterprise.registered_capital``, the name used in conditions), a
label, a type of the expression language (number / string / bool / date), a unit, the usual source of
its values, and the column of the wide portrait table (:class:`~banshi.policies.models.EnterprisePortrait`)
that holds it. The registry is code, not data, because every attribute is a typed column that SQL
matches against: adding one is a model field + a migration + an entry here (a test checks the three
agree).

This module is pure (no Django import): :data:`SCHEMA` is what :func:`banshi.expr.check_condition`
type-checks conditions against, and :func:`parse_value` is the per-type validation of an imported
cell (a department's CSV/Excel file), raising :class:`ValueProblem` with a Chinese and English reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

TYPES = ("number", "string", "bool", "date")


class SubjectKind:
    """Who a policy is for and whose portrait its conditions read (企业 / 个人)."""

    ENTERPRISE = "enterprise"
    PERSON = "person"

    CHOICES = ((ENTERPRISE, "企业"), (PERSON, "个人"))
    LABELS_EN = {ENTERPRISE: "enterprise", PERSON: "person"}


class SourceKind:
    """Where a portrait value came from (一数一源: every value keeps its source and date)."""

    PROFILE = "profile"  # 一企一档 / 一人一档 / the subject's own declaration
    LICENCE = "licence"  # 电子证照 (e.g. 营业执照, 高新技术企业证书)
    DEPARTMENT = "department"  # a department's data file (CSV / Excel)
    API = "api"  # a department's system through the API

    CHOICES = (
        (PROFILE, "档案/自主填报"),
        (LICENCE, "电子证照"),
        (DEPARTMENT, "部门数据导入"),
        (API, "部门接口"),
    )


@dataclass(frozen=True)
class Attribute:
    code: str
    label: str
    label_en: str
    type: str
    column: str
    unit: str = ""
    source: str = ""  # the usual provider, shown to staff writing conditions
    description: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # coded strings: (value, meaning)
    decimals: int | None = None  # numbers: 0 = whole numbers, 2 = money / percentages
    max_digits: int = 16
    pattern: str = ""  # strings: a regular expression the value must match
    pattern_hint: str = ""
    subject: str = SubjectKind.ENTERPRISE

    @property
    def integer(self) -> bool:
        return self.type == "number" and self.decimals == 0


# 纳税信用等级 (国家税务总局公告2014年第48号, 2018年第8号 adds M) and 公共信用综合评价 levels.
TAX_CREDIT_LEVELS = (("A", "A级"), ("B", "B级"), ("M", "M级"), ("C", "C级"), ("D", "D级"))
CREDIT_LEVELS = (("A", "A类(优)"), ("B", "B类(良)"), ("C", "C类(中)"), ("D", "D类(差)"))

# GB/T 4754-2017 门类 by 大类 (two-digit division) range.
SECTIONS = (
    ("A", 1, 5, "农、林、牧、渔业"),
    ("B", 6, 12, "采矿业"),
    ("C", 13, 43, "制造业"),
    ("D", 44, 46, "电力、热力、燃气及水生产和供应业"),
    ("E", 47, 50, "建筑业"),
    ("F", 51, 52, "批发和零售业"),
    ("G", 53, 60, "交通运输、仓储和邮政业"),
    ("H", 61, 62, "住宿和餐饮业"),
    ("I", 63, 65, "信息传输、软件和信息技术服务业"),
    ("J", 66, 69, "金融业"),
    ("K", 70, 70, "房地产业"),
    ("L", 71, 72, "租赁和商务服务业"),
    ("M", 73, 75, "科学研究和技术服务业"),
    ("N", 76, 79, "水利、环境和公共设施管理业"),
    ("O", 80, 82, "居民服务、修理和其他服务业"),
    ("P", 83, 83, "教育"),
    ("Q", 84, 85, "卫生和社会工作"),
    ("R", 86, 90, "文化、体育和娱乐业"),
    ("S", 91, 97, "公共管理、社会保障和社会组织"),
    ("T", 98, 98, "国际组织"),
)
SECTION_NAMES = {letter: name for letter, _, _, name in SECTIONS}


def section_of_division(division: str) -> str | None:
    """The 门类 letter of a two-digit 大类 code (GB/T 4754-2017), or None if there is none."""
    if not (len(division) == 2 and division.isdigit()):
        return None
    number = int(division)
    for letter, first, last, _ in SECTIONS:
        if first <= number <= last:
            return letter
    return None


ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "enterprise.industry_section",
        "行业门类",
        "industry section (GB/T 4754)",
        "string",
        "industry_section",
        source="营业执照/市场监管",
        description="GB/T 4754-2017 门类字母，如 C 制造业；由行业代码推出",
        choices=tuple((letter, name) for letter, _, _, name in SECTIONS),
    ),
    Attribute(
        "enterprise.industry_division",
        "行业大类",
        "industry division (GB/T 4754)",
        "string",
        "industry_division",
        source="营业执照/市场监管",
        description="GB/T 4754-2017 两位大类代码，如 39 计算机、通信和其他电子设备制造业",
        pattern=r"^\d{2}$",
        pattern_hint="两位数字 / two digits",
    ),
    Attribute(
        "enterprise.industry_code",
        "行业代码",
        "industry class code (GB/T 4754)",
        "string",
        "industry_code",
        source="营业执照/市场监管",
        description="GB/T 4754-2017 四位小类代码，如 3911；可带门类字母（C3911）",
        pattern=r"^\d{4}$",
        pattern_hint="四位数字，可带门类字母 / four digits, optionally after the section letter",
    ),
    Attribute(
        "enterprise.district",
        "所在区域",
        "district",
        "string",
        "district",
        source="营业执照住所/市场监管",
        description="统计用区划代码（6位区县、9位乡镇街道或12位村居）",
        pattern=r"^(\d{6}|\d{9}|\d{12})$",
        pattern_hint="6、9 或 12 位数字 / 6, 9 or 12 digits",
    ),
    Attribute(
        "enterprise.registered_capital",
        "注册资本",
        "registered capital",
        "number",
        "registered_capital",
        unit="万元",
        source="营业执照",
        decimals=2,
    ),
    Attribute(
        "enterprise.employees",
        "从业人数",
        "employees",
        "number",
        "employees",
        unit="人",
        source="企业年报/统计部门",
        decimals=0,
        max_digits=9,
    ),
    Attribute(
        "enterprise.insured_employees",
        "参保人数",
        "insured employees",
        "number",
        "insured_employees",
        unit="人",
        source="人力资源和社会保障局",
        decimals=0,
        max_digits=9,
    ),
    Attribute(
        "enterprise.revenue",
        "上年度营业收入",
        "revenue last year",
        "number",
        "revenue",
        unit="万元",
        source="税务部门/统计部门",
        decimals=2,
    ),
    Attribute(
        "enterprise.tax_paid",
        "上年度纳税额",
        "tax paid last year",
        "number",
        "tax_paid",
        unit="万元",
        source="税务部门",
        decimals=2,
    ),
    Attribute(
        "enterprise.rd_ratio",
        "研发费用占营业收入比例",
        "R&D spending share of revenue",
        "number",
        "rd_ratio",
        unit="%",
        source="科技部门/税务部门",
        decimals=2,
        max_digits=7,
    ),
    Attribute(
        "enterprise.patents",
        "有效发明专利数",
        "valid invention patents",
        "number",
        "patents",
        unit="件",
        source="知识产权局",
        decimals=0,
        max_digits=9,
    ),
    Attribute(
        "enterprise.established_on",
        "成立日期",
        "date of establishment",
        "date",
        "established_on",
        source="营业执照",
    ),
    Attribute(
        "enterprise.tax_credit_level",
        "纳税信用等级",
        "tax credit level",
        "string",
        "tax_credit_level",
        source="税务部门",
        choices=TAX_CREDIT_LEVELS,
    ),
    Attribute(
        "enterprise.credit_level",
        "公共信用综合评价等级",
        "public credit level",
        "string",
        "credit_level",
        source="发展改革委(信用中国)",
        choices=CREDIT_LEVELS,
    ),
    Attribute(
        "enterprise.is_high_tech",
        "高新技术企业",
        "high-tech enterprise",
        "bool",
        "is_high_tech",
        source="科技部门(高新技术企业证书)",
    ),
    Attribute(
        "enterprise.is_specialized",
        "专精特新中小企业",
        "specialised SME (专精特新)",
        "bool",
        "is_specialized",
        source="工业和信息化部门",
    ),
    Attribute(
        "enterprise.is_sme",
        "中小微企业",
        "small or medium enterprise",
        "bool",
        "is_sme",
        source="统计部门(大中小微型企业划分办法)",
    ),
    Attribute(
        "enterprise.has_export",
        "有进出口实绩",
        "has import/export business",
        "bool",
        "has_export",
        source="海关/商务部门",
    ),
    Attribute(
        "enterprise.is_listed",
        "上市企业",
        "listed company",
        "bool",
        "is_listed",
        source="金融工作部门",
    ),
)


def _choices(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


_DISTRICT = {
    "pattern": r"^(\d{6}|\d{9}|\d{12})$",
    "pattern_hint": "6、9 或 12 位数字 / 6, 9 or 12 digits",
}
EMPLOYMENT_STATUSES = _choices("就业", "失业登记", "灵活就业", "退休", "在校", "无业")
DISABILITY_LEVELS = _choices("无", "一级", "二级", "三级", "四级")  # GB/T 26341-2010
ASSISTANCE_STATUSES = _choices("无", "低保", "低保边缘", "特困")  # 社会救助暂行办法
EDUCATION_LEVELS = _choices("初中及以下", "高中/中专", "大专", "本科", "硕士", "博士")
INSURANCE_STATUSES = _choices("未参保", "职工社保", "灵活就业参保", "城乡居民")
GENDERS = _choices("男", "女")

PERSON = SubjectKind.PERSON
PERSON_ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "person.birth_date",
        "出生日期",
        "date of birth",
        "date",
        "birth_date",
        source="公民身份号码/公安户籍",
        description="由身份证号码得出；年龄写作 person.birth_date <= years_ago(80)（年满80周岁）",
        subject=PERSON,
    ),
    Attribute(
        "person.gender",
        "性别",
        "gender",
        "string",
        "gender",
        source="公民身份号码/公安户籍",
        choices=GENDERS,
        subject=PERSON,
    ),
    Attribute(
        "person.hukou_district",
        "户籍所在地",
        "household registration (户籍) district",
        "string",
        "hukou_district",
        source="公安户籍",
        description="统计用区划代码（6位区县、9位乡镇街道或12位村居）",
        subject=PERSON,
        **_DISTRICT,
    ),
    Attribute(
        "person.residence_district",
        "居住地",
        "district of residence",
        "string",
        "residence_district",
        source="公安(居住证)/社区网格",
        description="统计用区划代码（6位区县、9位乡镇街道或12位村居）",
        subject=PERSON,
        **_DISTRICT,
    ),
    Attribute(
        "person.employment_status",
        "就业状态",
        "employment status",
        "string",
        "employment_status",
        source="人力资源和社会保障局(就业失业登记)",
        choices=EMPLOYMENT_STATUSES,
        subject=PERSON,
    ),
    Attribute(
        "person.disability_level",
        "残疾等级",
        "disability level (GB/T 26341)",
        "string",
        "disability_level",
        source="残疾人联合会(残疾人证)",
        choices=DISABILITY_LEVELS,
        subject=PERSON,
    ),
    Attribute(
        "person.assistance_status",
        "社会救助对象",
        "social assistance status (低保/特困)",
        "string",
        "assistance_status",
        source="民政局",
        choices=ASSISTANCE_STATUSES,
        subject=PERSON,
    ),
    Attribute(
        "person.is_veteran",
        "退役军人",
        "veteran",
        "bool",
        "is_veteran",
        source="退役军人事务局",
        subject=PERSON,
    ),
    Attribute(
        "person.education",
        "最高学历",
        "highest education",
        "string",
        "education",
        source="教育部门(学信)",
        choices=EDUCATION_LEVELS,
        subject=PERSON,
    ),
    Attribute(
        "person.graduation_year",
        "毕业年份",
        "year of graduation",
        "number",
        "graduation_year",
        source="教育部门(学信)",
        decimals=0,
        max_digits=4,
        subject=PERSON,
    ),
    Attribute(
        "person.children",
        "子女数",
        "number of children",
        "number",
        "children",
        unit="人",
        source="卫生健康委(出生医学证明)/公安户籍",
        decimals=0,
        max_digits=2,
        subject=PERSON,
    ),
    Attribute(
        "person.youngest_child_birth_date",
        "最小子女出生日期",
        "youngest child's date of birth",
        "date",
        "youngest_child_birth_date",
        source="卫生健康委(出生医学证明)",
        description="不满3周岁写作 person.youngest_child_birth_date > years_ago(3)",
        subject=PERSON,
    ),
    Attribute(
        "person.monthly_income",
        "月收入",
        "monthly income",
        "number",
        "monthly_income",
        unit="元",
        source="民政局(家庭经济状况核对)/税务部门",
        decimals=2,
        max_digits=12,
        subject=PERSON,
    ),
    Attribute(
        "person.social_insurance",
        "养老保险参保状态",
        "pension insurance status",
        "string",
        "social_insurance",
        source="人力资源和社会保障局",
        choices=INSURANCE_STATUSES,
        subject=PERSON,
    ),
)


@dataclass(frozen=True)
class Registry:
    """One subject kind's attributes: what its policies' conditions are checked against."""

    kind: str
    attributes: tuple[Attribute, ...]

    @cached_property
    def by_code(self) -> dict[str, Attribute]:
        return {a.code: a for a in self.attributes}

    @cached_property
    def by_column(self) -> dict[str, Attribute]:
        return {a.column: a for a in self.attributes}

    @cached_property
    def schema(self) -> dict[str, str]:
        return {a.code: a.type for a in self.attributes}

    @property
    def label(self) -> str:
        return dict(SubjectKind.CHOICES)[self.kind]


REGISTRIES = {
    SubjectKind.ENTERPRISE: Registry(SubjectKind.ENTERPRISE, ATTRIBUTES),
    SubjectKind.PERSON: Registry(SubjectKind.PERSON, PERSON_ATTRIBUTES),
}


def registry(kind: str) -> Registry:
    """The attributes of one subject kind (``enterprise`` or ``person``)."""
    return REGISTRIES[kind]


# The enterprise registry under its historical names (most callers deal with enterprises).
BY_CODE: dict[str, Attribute] = {a.code: a for a in ATTRIBUTES}
BY_COLUMN: dict[str, Attribute] = {a.column: a for a in ATTRIBUTES}
SCHEMA: dict[str, str] = {a.code: a.type for a in ATTRIBUTES}
PERSON_BY_CODE: dict[str, Attribute] = {a.code: a for a in PERSON_ATTRIBUTES}
PERSON_SCHEMA: dict[str, str] = {a.code: a.type for a in PERSON_ATTRIBUTES}
ANY_BY_CODE: dict[str, Attribute] = {**BY_CODE, **PERSON_BY_CODE}
TYPE_LABELS = {"number": "数值", "string": "文本", "bool": "是/否", "date": "日期"}


def subject_of_code(code: str) -> str | None:
    """The subject kind of a registered attribute code, or None when it is not registered."""
    attribute = ANY_BY_CODE.get(code)
    return attribute.subject if attribute is not None else None


def lookup(key: str, kind: str = SubjectKind.ENTERPRISE) -> Attribute | None:
    """An attribute of ``kind`` by code (``enterprise.revenue``), column (``revenue``) or label
    (``上年度营业收入``)."""
    key = key.strip()
    found = registry(kind).by_code.get(key) or registry(kind).by_column.get(key)
    if found is None:
        for attribute in registry(kind).attributes:
            if key in (attribute.label, f"{attribute.label}({attribute.unit})") or (
                attribute.unit and key == f"{attribute.label}（{attribute.unit}）"
            ):
                return attribute
    return found


class ValueProblem(ValueError):
    """A cell that cannot be stored in an attribute: the reason in Chinese and in English."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


_TRUE = {"是", "true", "yes", "y", "1", "√", "t", "有"}
_FALSE = {"否", "false", "no", "n", "0", "×", "f", "无"}
_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_value(attribute: Attribute, raw: Any) -> Any:
    """A cell's value in the attribute's type, or :class:`ValueProblem`.

    Accepts what departments' spreadsheets hold: numbers with thousands separators, 是/否 for
    booleans, dates as 2024-01-05, 2024/1/5, 2024年1月5日 or an Excel date cell. Blank cells are the
    caller's business (they mean "no value in this file").
    """
    if attribute.type == "number":
        return _number(attribute, raw)
    if attribute.type == "bool":
        return _bool(raw)
    if attribute.type == "date":
        return _date(raw)
    return _string(attribute, raw)


def _number(attribute: Attribute, raw: Any) -> Decimal | int:
    if isinstance(raw, bool):
        raise ValueProblem("应为数值，而不是是/否", "expected a number, not a yes/no value")
    if isinstance(raw, int | Decimal):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        if attribute.unit and text.endswith(attribute.unit):
            text = text[: -len(attribute.unit)].strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(f"“{raw}”不是数值", f"{raw!r} is not a number") from None
    if not value.is_finite():
        raise ValueProblem(f"“{raw}”不是有限数值", f"{raw!r} is not a finite number")
    if value < 0:
        raise ValueProblem(f"数值不能为负：{raw}", f"the value cannot be negative: {raw}")
    places = attribute.decimals if attribute.decimals is not None else 2
    rounded = value.quantize(Decimal(1).scaleb(-places)) if places else value.to_integral_value()
    if value != rounded:
        if places == 0:
            raise ValueProblem(f"应为整数：{raw}", f"expected a whole number: {raw}")
        raise ValueProblem(
            f"最多保留 {places} 位小数：{raw}", f"at most {places} decimal places: {raw}"
        )
    whole_digits = len(str(int(value)))
    if whole_digits > attribute.max_digits - places:
        raise ValueProblem(f"数值过大：{raw}", f"the value is too large: {raw}")
    if places == 0:
        return int(value)
    return value.quantize(Decimal(1).scaleb(-places))


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(
        f"“{raw}”不是“是”或“否”", f"{raw!r} is not a yes/no value (是/否, true/false, 1/0)"
    )


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            raise ValueProblem(
                f"应为日期，不含时间：{raw}", f"expected a date without a time: {raw}"
            )
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    for form in _DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                raise ValueProblem(f"日期不存在：{raw}", f"no such date: {raw}") from None
    raise ValueProblem(
        f"“{raw}”不是日期（如 2024-01-05）", f"{raw!r} is not a date (e.g. 2024-01-05)"
    )


def _string(attribute: Attribute, raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # Excel stores codes typed as numbers as floats
    text = str(raw).strip()
    if attribute.column == "industry_code":
        text = text.upper()
        if len(text) == 5 and text[0].isalpha():
            letter, text = text[0], text[1:]
            if text.isdigit() and section_of_division(text[:2]) != letter:
                raise ValueProblem(
                    f"行业代码 {raw} 的门类字母与大类不符",
                    f"industry code {raw}: the section letter does not match the division",
                )
    if attribute.choices:
        text = text.upper() if len(text) == 1 else text
        allowed = [value for value, _ in attribute.choices]
        if text not in allowed:
            raise ValueProblem(
                f"“{raw}”不是有效值（可选：{'、'.join(allowed)}）",
                f"{raw!r} is not a valid value (allowed: {', '.join(allowed)})",
            )
    if attribute.pattern and not re.match(attribute.pattern, text):
        raise ValueProblem(
            f"“{raw}”格式不对：{attribute.pattern_hint}",
            f"{raw!r} has the wrong format: {attribute.pattern_hint}",
        )
    if attribute.column == "industry_division" and section_of_division(text) is None:
        raise ValueProblem(
            f"“{raw}”不是 GB/T 4754 大类代码", f"{raw!r} is not a GB/T 4754 division code"
        )
    if attribute.column == "industry_code" and section_of_division(text[:2]) is None:
        raise ValueProblem(
            f"“{raw}”不是 GB/T 4754 行业代码", f"{raw!r} is not a GB/T 4754 industry code"
        )
    if len(text) > 20:
        raise ValueProblem(f"文本过长：{raw}", f"the text is too long: {raw}")
    return text


def derived_values(values: dict[str, Any]) -> dict[str, Any]:
    """Columns implied by others: an industry code fills its division and section (GB/T 4754)."""
    extra: dict[str, Any] = {}
    code = values.get("industry_code")
    if code:
        extra.setdefault("industry_division", code[:2])
    division = values.get("industry_division") or extra.get("industry_division")
    if division and "industry_section" not in values:
        section = section_of_division(division)
        if section:
            extra["industry_section"] = section
    return {key: value for key, value in extra.items() if key not in values}


def format_value(attribute: Attribute, value: Any) -> str:
    """A value for people: 是/否, 300.00 万元, 2019-05-01, C（制造业）; 无数据 when unknown."""
    if value is None:
        return "无数据"
    if attribute.type == "bool":
        return "是" if value else "否"
    if attribute.type == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if attribute.type == "number":
        text = f"{value:,}" if isinstance(value, int) else f"{Decimal(value):,.2f}"
        return f"{text} {attribute.unit}".strip()
    meaning = dict(attribute.choices).get(value)
    return f"{value}（{meaning}）" if meaning and meaning != value else str(value)
