"""The credit gate in pre-review: 告知承诺 and 容缺 are refused to a subject with a bad credit
record until it is repaired (国办发〔2020〕42号; 国办发〔2019〕35号; standards §2.4, §2.16)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import drafts
from banshi.cases.tests import test_drafts as base
from banshi.credit import services as credit

# The draft tests' catalogue and applicant (fixtures are found by name in this module).
catalogue, owner, complete, start = base.catalogue, base.owner, base.complete, base.start

pytestmark = pytest.mark.django_db


def test_pre_review_refuses_commitment_and_deferral_to_a_listed_subject_in_both_languages(owner):
    _, enterprise = owner
    entry = credit.enter_list(
        enterprise, "abnormal", "未按时公示年报", entered_on=dt.date(2025, 1, 2)
    )
    draft = complete(start(owner))
    drafts.choose_material_mode(draft, "LAYOUT", "commitment")
    drafts.choose_material_mode(draft, "RULES", "deficiency")
    gate = [f for f in drafts.review(draft).blocking if f.rule == "credit_gate"]
    assert [f.code for f in gate] == ["LAYOUT", "RULES"]
    assert "经营异常名录" in gate[0].zh and "信用修复前不能选择告知承诺或容缺后补" in gate[0].zh
    assert "until the credit is repaired" in gate[0].en
    with pytest.raises(drafts.PrereviewBlocked):
        drafts.submit(draft)
    credit.exit_list(entry, "已补报年报")
    assert not [f for f in drafts.review(draft).blocking if f.rule == "credit_gate"]
