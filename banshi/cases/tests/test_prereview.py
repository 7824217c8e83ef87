"""网上预审: one behaviour per rule (pure: no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases.prereview import (
    BLOCKING,
    MODE_COMMITMENT,
    MODE_DEFICIENCY,
    WARNING,
    MaterialChoice,
    review,
)
from banshi.catalog.compiler import compile_plan
from banshi.catalog.parsing import read_catalogue_text

TODAY = dt.date(2026, 3, 2)
CITIZEN_ID = "310115198506150022"  # born 1985-06-15, female

CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
  - {code: XF, name: 消防救援支队}
data_elements:
  - {code: person.name, label: 姓名, type: text, prefill: person.name}
  - {code: person.id_number, label: 身份证号码, type: id_number, prefill: person.id_number}
  - {code: person.birth_date, label: 出生日期, type: date, prefill: person.birth_date}
  - {code: person.gender, label: 性别, type: enum, options: [男, 女], prefill: person.gender}
  - {code: person.phone, label: 手机号码, type: phone, prefill: person.phone}
  - {code: person.email, label: 电子邮箱, type: email}
  - {code: enterprise.uscc, label: 统一社会信用代码, type: uscc, prefill: enterprise.uscc}
  - {code: shop.area, label: 经营面积, type: number}
  - {code: shop.kind, label: 经营类型, type: enum, options: [餐馆, 饮品店]}
  - {code: lease.start_date, label: 租赁起始日期, type: date}
  - {code: lease.end_date, label: 租赁截止日期, type: date}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: LAYOUT, name: 经营设施布局图}
  - {code: RULES, name: 食品安全管理制度}
  - {code: ID-CARD, name: 居民身份证, data_share: 人口信息库}
items:
  - code: SCJG-XK-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    fields: [person.name, person.id_number, person.birth_date, person.gender, person.phone, person.email, enterprise.uscc, shop.area, shop.kind, lease.start_date, lease.end_date]
    materials:
      - {material: LEASE}
      - {material: LAYOUT, commitment_allowed: true}
      - {material: RULES, deficiency_allowed: true}
      - {material: ID-CARD}
  - code: XF-JC-001
    name: 消防安全检查
    kind: 行政许可
    department: XF
    fields: [shop.area]
    materials: [{material: LEASE}]
bundles:
  - code: KBCYD
    name: 开办餐饮店一件事
    department: SCJG
    questions:
      - {code: shop.area, text: 经营面积是多少平方米?, type: number}
      - {code: outdoor, text: 是否设置户外招牌?, type: bool}
    items:
      - {item: SCJG-XK-001}
      - {item: XF-JC-001, when: "shop.area > 300"}
"""

GOOD = {
    "person.name": "李娜",
    "person.id_number": CITIZEN_ID,
    "person.birth_date": "1985-06-15",
    "person.gender": "女",
    "person.phone": "138 0000 0001",
    "person.email": "lina@example.com",
    "enterprise.uscc": "91350100M000100Y43",
    "shop.area": "500",
    "shop.kind": "餐馆",
    "lease.start_date": "2026-01-01",
    "lease.end_date": "2028-12-31",
}
UPLOADED = {
    "LEASE": MaterialChoice(files=1),
    "LAYOUT": MaterialChoice(files=2),
    "RULES": MaterialChoice(files=1),
}


@pytest.fixture(scope="module")
def plan():
    catalogue, problems = read_catalogue_text(CATALOGUE)
    assert not problems, problems
    return compile_plan(catalogue, "KBCYD", {"shop.area": 500, "outdoor": False})


def run(plan, values=None, materials=None, answers=None, expected=None):
    return review(
        plan,
        {**GOOD, **(values or {})},
        {**UPLOADED, **(materials or {})},
        answers={"shop.area": "500", "outdoor": "false"} if answers is None else answers,
        expected=expected or {},
        today=TODAY,
    )


def only(findings, rule):
    found = [finding for finding in findings if finding.rule == rule]
    assert found, [f"{f.rule}: {f.zh}" for f in findings]
    return found


def test_a_complete_application_has_no_findings(plan):
    assert run(plan) == []


def test_an_invalid_id_number_is_blocking_and_says_why(plan):
    finding = only(run(plan, {"person.id_number": "310115198506150023"}), "id_number")[0]
    assert finding.severity == BLOCKING and finding.code == "person.id_number"
    assert "校验位错误，应为 2" in finding.zh and "expected 2" in finding.en


def test_an_id_number_of_the_wrong_length_says_how_long_it_is(plan):
    finding = only(run(plan, {"person.id_number": "31011519850615"}), "id_number")[0]
    assert "应为18位，实际为14位" in finding.zh


def test_every_field_without_a_value_is_required(plan):
    findings = run(plan, {"shop.kind": "", "person.email": None})
    assert {finding.code for finding in only(findings, "required")} == {
        "shop.kind",
        "person.email",
    }
    assert all(finding.blocking for finding in findings)
    assert "请填写“经营类型”" in [f.zh for f in findings]


@pytest.mark.parametrize(
    ("code", "value", "rule", "words"),
    [
        ("enterprise.uscc", "91350100M000100Y44", "uscc", "校验"),
        ("person.phone", "2380000000", "phone", "11位"),
        ("person.email", "lina.example.com", "email", "邮箱"),
        ("shop.area", "五百", "number", "数字"),
        ("lease.start_date", "2026/01/01", "date", "日期"),
        ("shop.kind", "酒吧", "enum", "餐馆、饮品店"),
    ],
)
def test_each_field_type_has_its_check(plan, code, value, rule, words):
    finding = only(run(plan, {code: value}), rule)[0]
    assert finding.code == code and finding.blocking and words in finding.zh


def test_a_missing_material_is_blocking(plan):
    finding = only(run(plan, materials={"LEASE": MaterialChoice(files=0)}), "material")[0]
    assert finding.code == "LEASE" and finding.blocking
    assert "缺少材料“经营场所使用证明”" in finding.zh


def test_a_material_fetched_by_data_sharing_is_not_asked_for(plan):
    assert all(finding.code != "ID-CARD" for finding in run(plan))


def test_a_commitment_replaces_a_material_where_allowed(plan):
    findings = run(plan, materials={"LAYOUT": MaterialChoice(mode=MODE_COMMITMENT)})
    finding = only(findings, "commitment")[0]
    assert finding.severity == WARNING and "信用" in finding.zh
    assert not [f for f in findings if f.blocking]


def test_a_commitment_is_refused_where_an_item_insists_on_the_material(plan):
    finding = only(
        run(plan, materials={"LEASE": MaterialChoice(mode=MODE_COMMITMENT)}),
        "commitment_not_allowed",
    )[0]
    assert finding.blocking and finding.code == "LEASE"


def test_a_deferred_material_is_a_warning_where_allowed_and_refused_elsewhere(plan):
    findings = run(
        plan,
        materials={
            "RULES": MaterialChoice(mode=MODE_DEFICIENCY),
            "LEASE": MaterialChoice(mode=MODE_DEFICIENCY),
        },
    )
    assert only(findings, "deficiency")[0].severity == WARNING
    assert only(findings, "deficiency_not_allowed")[0].code == "LEASE"


def test_a_missing_material_names_the_alternatives(plan):
    finding = only(run(plan, materials={"LAYOUT": MaterialChoice()}), "material")[0]
    assert "或选择告知承诺" in finding.zh


def test_a_birth_date_cannot_lie_in_the_future(plan):
    findings = run(plan, {"person.birth_date": "2027-01-01"})
    finding = only(findings, "past_date")[0]
    assert finding.code == "person.birth_date" and "不能晚于今天" in finding.zh


def test_a_range_cannot_end_before_it_starts(plan):
    finding = only(run(plan, {"lease.end_date": "2025-12-31"}), "date_range")[0]
    assert finding.code == "lease.end_date" and finding.related == ("lease.start_date",)
    assert "“租赁起始日期”不能晚于“租赁截止日期”" in finding.zh


def test_the_own_id_number_must_be_the_profiles(plan):
    other = "110101200001010010"
    findings = run(
        plan,
        {"person.id_number": other, "person.birth_date": "2000-01-01", "person.gender": "男"},
        expected={"person.id_number": CITIZEN_ID},
    )
    finding = only(findings, "profile_identifier")[0]
    assert finding.blocking and "不能以他人名义申请" in finding.zh


def test_the_credit_code_must_be_the_enterprises(plan):
    findings = run(plan, expected={"enterprise.uscc": "91350100M000100Y43"})
    assert not [f for f in findings if f.rule == "profile_identifier"]
    findings = run(plan, expected={"enterprise.uscc": "911101080000000001"})
    assert only(findings, "profile_identifier")[0].code == "enterprise.uscc"


def test_birth_date_and_sex_must_agree_with_the_id_number(plan):
    findings = run(plan, {"person.birth_date": "1985-06-16", "person.gender": "男"})
    assert {f.code for f in only(findings, "id_derived")} == {"person.birth_date", "person.gender"}


def test_an_unanswered_question_is_a_warning_and_a_malformed_one_blocks(plan):
    findings = run(plan, answers={"shop.area": "abc"})
    question = [f for f in findings if f.rule == "question"]
    assert {(f.code, f.severity) for f in question} == {
        ("shop.area", BLOCKING),
        ("outdoor", WARNING),
    }


def test_blocking_findings_come_first(plan):
    findings = run(
        plan, {"shop.kind": ""}, materials={"LAYOUT": MaterialChoice(mode=MODE_COMMITMENT)}
    )
    assert [f.severity for f in findings] == [BLOCKING, WARNING]
