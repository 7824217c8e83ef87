"""Licences and the 告知承诺 / 容缺 obligations together (banshi.licences ↔ banshi.cases.commitments).

Rules: standards §2.15 (容缺: a licence "with remark" where the item allows it, replaced once the
material arrives), 国办发〔2020〕42号 (a false commitment found after the grant revokes the decision,
and with it the licence).
"""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import commitments, services
from banshi.cases.models import Commitment, DeficiencyObligation
from banshi.cases.tests.factories import (
    MONDAY,
    clerk,
    fresh,
    head,
    load_catalogue,
    make_person,
    reviewing,
)
from banshi.cases.tests.test_commitments import (
    COMMIT,
    LATER,
    LEASE_UPLOADED,
    RULES_UPLOADED,
)
from banshi.core import clock
from banshi.datashare.providers import LocalProvider, ShareSubject
from banshi.licences.models import Licence, LicenceStatus
from banshi.licences.services import current_for_case

CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
data_elements:
  - {code: enterprise.name, label: 企业名称, type: text}
licence_types:
  - {code: SP-JY, name: 食品经营许可证, department: SCJG, valid_years: 5}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: FOOD-RULES, name: 食品安全管理制度}
items:
  - code: CN-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    legal_days: 20
    promised_days: 10
    fields: [enterprise.name]
    materials:
      - {material: LEASE, commitment_allowed: true}
      - {material: FOOD-RULES, deficiency_allowed: true}
    remarked_licence: true
    produces: SP-JY
"""


@pytest.fixture
def catalogue(db):
    return load_catalogue(CATALOGUE)


def _granted(materials, on_commit):
    person = make_person()
    with clock.frozen(MONDAY):
        application = services.submit_application(
            person,
            item_code="CN-001",
            form_data={"enterprise.name": "某某公司"},
            materials=list(materials),
            idempotency_key=f"wiring-{person.pk}",
            channel="web",
        )
        services.accept(application, clerk(), application.version)
    user = head()
    case = reviewing(fresh(application).cases.get(), user)
    with clock.frozen(MONDAY), on_commit(execute=True):
        services.decide(case, True, "符合条件", user, case.version)
    return fresh(case)


def test_a_grant_with_an_open_deferred_material_issues_a_licence_with_remark(
    catalogue, django_capture_on_commit_callbacks
):
    case = _granted((LEASE_UPLOADED, LATER), django_capture_on_commit_callbacks)
    licence = Licence.objects.get(case=case)
    assert licence.remark == "容缺受理，待补齐：食品安全管理制度"


def test_the_supplement_replaces_the_remarked_licence_by_one_without(
    catalogue, django_capture_on_commit_callbacks
):
    case = _granted((LEASE_UPLOADED, LATER), django_capture_on_commit_callbacks)
    obligation = DeficiencyObligation.objects.get(case=case)
    with clock.frozen(dt.date(2025, 3, 5)), django_capture_on_commit_callbacks(execute=True):
        commitments.supply(obligation, case.application.applicant.user, [{"sha256": "2" * 64}])
    original = Licence.objects.get(case=case)
    assert original.status == LicenceStatus.REPLACED
    current = current_for_case(case)
    assert current.pk != original.pk and current.remark == "" and current.replaces == original
    assert current.status == LicenceStatus.VALID


def test_a_false_commitment_after_the_grant_revokes_the_licence(
    catalogue, django_capture_on_commit_callbacks
):
    case = _granted((COMMIT, RULES_UPLOADED), django_capture_on_commit_callbacks)
    assert Licence.objects.get(case=case).status == LicenceStatus.VALID
    commitment = Commitment.objects.get(case=case)
    with clock.frozen(dt.date(2025, 3, 10)), django_capture_on_commit_callbacks(execute=True):
        commitments.record_finding(commitment, False, "经营场所证明系伪造", head())
    licence = Licence.objects.get(case=case)
    assert licence.status == LicenceStatus.REVOKED
    assert "虚假承诺" in licence.status_reason


def test_the_local_data_share_provider_lists_the_subjects_valid_licences(
    catalogue, django_capture_on_commit_callbacks
):
    case = _granted((LEASE_UPLOADED, RULES_UPLOADED), django_capture_on_commit_callbacks)
    person = case.application.applicant
    result = LocalProvider().fetch(None, ShareSubject("person", person.id_number), "LEASE")
    licence = Licence.objects.get(case=case)
    assert [row["id"] for row in result.data["licences"]] == [licence.identifier]
    assert result.data["licences"][0]["type"] == "SP-JY"
