"""The pure part: what each document must contain, Chinese dates, masking, canonical form, digest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import subprocess
import sys

import pytest

from banshi.documents import content
from banshi.documents.content import (
    REFUSAL_REMEDY,
    REMEDY_NOTICE,
    Applicant,
    Correction,
    DocumentIncomplete,
    DocumentKind,
    RefusalGround,
    chinese_date,
    chinese_datetime,
    content_digest,
    from_data,
    mask_identifier,
    mask_name,
    mask_subject,
    problems,
    to_data,
    validate,
)
from banshi.documents.tests.samples import sample

KINDS = list(DocumentKind)


def refused(doc) -> str:
    """The problems of an incomplete document, joined (fails if it is accepted)."""
    with pytest.raises(DocumentIncomplete) as caught:
        validate(doc)
    return "；".join(caught.value.problems)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_every_sample_is_complete(kind):
    assert problems(sample(kind, number="X-1")) == []


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_every_kind_needs_number_agency_applicant_items_and_date(kind):
    doc = sample(
        kind, number="", agency=" ", applicant=Applicant(name=""), items=(), issued_on=None
    )
    text = refused(doc)
    for missing in ("文书编号", "行政机关", "申请人", "申请事项", "文书日期"):
        assert missing in text


def test_standard_remedy_wording():
    assert (
        "可自收到本决定书之日起六十日内申请行政复议，或者六个月内依法提起行政诉讼" in REMEDY_NOTICE
    )
    assert (
        "可自收到本通知书之日起六十日内申请行政复议，或者六个月内依法提起行政诉讼" in REFUSAL_REMEDY
    )


def test_denial_and_refusal_carry_the_standard_remedy_by_default():
    assert sample(DocumentKind.DENIAL).remedy == REMEDY_NOTICE
    assert sample(DocumentKind.REFUSAL).remedy == REFUSAL_REMEDY


def test_acceptance_without_expected_decision_date_is_refused():
    assert "预计作出决定的日期" in refused(
        sample(DocumentKind.ACCEPTANCE, number="X", expected_decision_on=None)
    )


def test_acceptance_expected_decision_before_acceptance_is_refused():
    assert "早于受理日期" in refused(
        sample(DocumentKind.ACCEPTANCE, number="X", expected_decision_on=dt.date(2026, 11, 1))
    )


def test_acceptance_without_staff_contact_is_refused():
    assert "联系方式" in refused(sample(DocumentKind.ACCEPTANCE, number="X", contact=""))


def test_refusal_without_reasons_is_refused():
    assert "缺少理由" in refused(sample(DocumentKind.REFUSAL, number="X", reasons=()))


def test_refusal_with_a_blank_reason_is_refused():
    assert "缺少理由" in refused(sample(DocumentKind.REFUSAL, number="X", reasons=("  ",)))


def test_refusal_outside_competence_must_name_the_competent_agency():
    doc = sample(
        DocumentKind.REFUSAL, number="X", ground=RefusalGround.NOT_COMPETENT, redirect_agency=""
    )
    assert "第32条(二)" in refused(doc)


def test_refusal_without_remedy_is_refused():
    assert "救济途径" in refused(sample(DocumentKind.REFUSAL, number="X", remedy=""))


def test_denial_without_remedy_is_refused():
    assert "第38条" in refused(sample(DocumentKind.DENIAL, number="X", remedy=""))


def test_denial_remedy_without_time_limits_is_refused():
    text = refused(
        sample(DocumentKind.DENIAL, number="X", remedy="可以申请行政复议或者提起行政诉讼。")
    )
    assert "六十日" in text
    assert "六个月" in text


def test_denial_remedy_naming_the_reconsideration_body_is_accepted():
    remedy = (
        "如不服本决定，可自收到本决定书之日起60日内向郑州市人民政府申请行政复议，"
        "或者6个月内向郑州铁路运输法院提起行政诉讼。"
    )
    assert problems(sample(DocumentKind.DENIAL, number="X", remedy=remedy)) == []


def test_denial_without_reasons_is_refused():
    assert "不予行政许可应当说明理由" in refused(
        sample(DocumentKind.DENIAL, number="X", reasons=())
    )


def test_correction_notice_without_corrections_is_refused():
    assert "一次告知需要补正的全部内容" in refused(
        sample(DocumentKind.CORRECTION, number="X", corrections=())
    )


def test_correction_entry_must_say_what_to_correct():
    doc = sample(
        DocumentKind.CORRECTION,
        number="X",
        corrections=(Correction(item="食品经营许可", subject="平面图", requirement=""),),
    )
    assert "第1项补正内容" in refused(doc)


def test_correction_notice_needs_deadline_and_delivery():
    text = refused(sample(DocumentKind.CORRECTION, number="X", due_on=None, delivered_on=None))
    assert "补正期限" in text
    assert "送达日期" in text


def test_extension_without_reason_or_approver_is_refused():
    text = refused(sample(DocumentKind.EXTENSION, number="X", reason="", approver=""))
    assert "延期理由" in text
    assert "批准人" in text


def test_extension_must_move_the_deadline_later():
    doc = sample(DocumentKind.EXTENSION, number="X", new_due=dt.date(2026, 12, 21))
    assert "须晚于原期限" in refused(doc)


def test_special_procedure_must_be_one_the_law_names():
    assert "第45条" in refused(sample(DocumentKind.SPECIAL_PROCEDURE, number="X", procedure="开会"))


def test_special_procedure_needs_the_time_it_takes():
    assert "所需时间" in refused(
        sample(DocumentKind.SPECIAL_PROCEDURE, number="X", expected_days=0)
    )


def test_grant_without_decision_text_is_refused():
    assert "决定内容" in refused(sample(DocumentKind.GRANT, number="X", decision=""))


def test_receipt_without_materials_or_progress_page_is_refused():
    text = refused(sample(DocumentKind.RECEIPT, number="X", materials=(), progress_url=""))
    assert "材料清单" in text
    assert "办理进度" in text


def test_incomplete_error_lists_every_problem_at_once():
    doc = sample(DocumentKind.DENIAL, number="", reasons=(), remedy="")
    with pytest.raises(DocumentIncomplete) as caught:
        validate(doc)
    assert len(caught.value.problems) == 3
    assert caught.value.kind is DocumentKind.DENIAL
    assert "不予行政许可决定书内容不完整" in str(caught.value)


def test_chinese_date_has_no_leading_zeros():
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert chinese_date(dt.date(2026, 11, 23)) == "2026年11月23日"


def test_chinese_datetime_in_hours_and_minutes():
    assert chinese_datetime(dt.datetime(2026, 11, 20, 9, 5)) == "2026年11月20日9时05分"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*"),
        ("欧阳娜娜", "欧阳*"),
        ("欧阳", "欧*"),
        ("李", "李*"),
        ("", ""),
    ],
)
def test_person_names_are_masked_to_surname_and_star(name, masked):
    assert mask_name(name) == masked


def test_organisation_name_is_shown_in_full():
    assert mask_subject(Applicant(name="某某科技有限公司", organisation=True)) == "某某科技有限公司"
    assert mask_subject(Applicant(name="王小明")) == "王*"


def test_person_identifier_is_masked_organisation_code_is_not():
    assert mask_identifier(Applicant(name="张三", identifier="11010519491231002X")) == (
        "110105********002X"
    )
    code = "91350100M000100Y43"
    assert mask_identifier(Applicant(name="某公司", organisation=True, identifier=code)) == code


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_canonical_data_round_trips(kind):
    doc = sample(kind, number="X-1")
    assert from_data(to_data(doc)) == doc


def test_content_digest_changes_with_the_content():
    doc = sample(DocumentKind.ACCEPTANCE, number="X-1")
    later = dataclasses.replace(doc, expected_decision_on=dt.date(2026, 12, 22))
    assert content_digest(doc) == content_digest(doc)
    assert content_digest(doc)[1] != content_digest(later)[1]


def test_content_digest_uses_sm3_when_available():
    algorithm, digest = content_digest(sample(DocumentKind.GRANT, number="X-1"))
    if "sm3" not in hashlib.algorithms_available:
        assert algorithm == "sha256"
        return
    # GB/T 32905 example: SM3("abc").
    assert hashlib.new("sm3", b"abc").hexdigest().startswith("66c7f0f4")
    assert algorithm == "sm3"
    assert len(digest) == 64


def test_content_module_imports_no_django():
    code = "import sys, banshi.documents.content; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_each_kind_has_a_class_and_a_validator():
    assert set(content.CONTENT_CLASSES) == set(DocumentKind)
    assert set(content.VALIDATORS) == set(DocumentKind)
