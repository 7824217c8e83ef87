"""告知承诺 and 容缺 after submission (banshi.cases.commitments), and 信用+秒批.

Rules: 国办发〔2020〕42号 (告知承诺: verification, false commitment → terminate / revoke + credit
record, not for subjects with a bad record until repaired), 国办发〔2019〕35号 and standards
§2.11–2.16 (容缺: one notice, supplement due ≤ the promised time limit, late → terminate + credit
record).
"""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import commitments, services
from banshi.cases.errors import RuleViolation
from banshi.cases.models import (
    Commitment,
    DeficiencyObligation,
    ObligationStatus,
    OutboxMessage,
)
from banshi.cases.tests.factories import (
    MONDAY,
    clerk,
    fresh,
    head,
    load_catalogue,
    make_enterprise,
    make_person,
    reviewer,
    reviewing,
)
from banshi.core import clock
from banshi.credit import services as credit_services
from banshi.credit.models import CreditRecord, RecordKind, RecordSource, Severity

CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
data_elements:
  - {code: enterprise.name, label: 企业名称, type: text}
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
    commitment_verify_days: 15
    remarked_licence: true
  - code: SHORT-001
    name: 短时限许可
    kind: 行政许可
    department: SCJG
    legal_days: 5
    promised_days: 3
    fields: [enterprise.name]
    materials:
      - {material: LEASE, commitment_allowed: true}
      - {material: FOOD-RULES, deficiency_allowed: true}
  - code: IA-001
    name: 企业变更登记
    kind: 行政许可
    department: SCJG
    legal_days: 5
    promised_days: 3
    fields: [enterprise.name]
    materials:
      - {material: LEASE}
    instant_approval: true
"""

COMMIT = {"code": "LEASE", "name": "经营场所使用证明", "mode": "commitment"}
LATER = {"code": "FOOD-RULES", "name": "食品安全管理制度", "mode": "deficiency"}
LEASE_UPLOADED = {"code": "LEASE", "name": "经营场所使用证明", "mode": "upload", "sha256": "0" * 64}
RULES_UPLOADED = {
    "code": "FOOD-RULES",
    "name": "食品安全管理制度",
    "mode": "upload",
    "sha256": "1" * 64,
}


@pytest.fixture
def catalogue(db):
    return load_catalogue(CATALOGUE)


def _submit(person=None, *, item="CN-001", materials=(COMMIT, RULES_UPLOADED), enterprise=None):
    person = person or make_person()
    with clock.frozen(MONDAY):
        return services.submit_application(
            person,
            item_code=item,
            form_data={"enterprise.name": "某某公司"},
            materials=list(materials),
            idempotency_key=f"k-{person.pk}-{item}-{len(materials)}",
            channel="web",
            enterprise=enterprise,
        )


def _accept(application, day=MONDAY):
    with clock.frozen(day):
        services.accept(application, clerk(), application.version)
    return fresh(application)


def _bad_record(subject):
    return CreditRecord.objects.create(
        person=subject,
        kind=RecordKind.COMMITMENT_BREACH,
        severity=Severity.SERIOUS,
        source=RecordSource.MANUAL,
        facts="此前作出虚假承诺",
        occurred_on=dt.date(2025, 1, 10),
        recorded_at=clock.now(),
    )


def test_commitment_letter_is_generated_and_recorded_at_submission(
    catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = _submit()
    commitment = Commitment.objects.get(application=application)
    assert commitment.material_code == "LEASE"
    assert "经营场所使用证明" in commitment.text
    assert commitment.document is not None
    assert commitment.document.kind == "commitment"
    assert commitment.document.title == "告知承诺书"


def test_verification_is_due_the_items_working_days_after_acceptance(catalogue):
    application = _accept(_submit())
    commitment = Commitment.objects.get(application=application)
    # accepted Monday 2025-03-03 + 15 working days (commitment_verify_days) = Monday 2025-03-24
    assert commitment.verify_due == dt.date(2025, 3, 24)


def test_verification_days_default_to_the_setting(catalogue, settings):
    settings.BANSHI_COMMITMENT_VERIFY_DAYS = 5
    application = _accept(_submit(item="SHORT-001"))
    assert Commitment.objects.get(application=application).verify_due == dt.date(2025, 3, 10)


def test_false_commitment_terminates_an_undecided_case_and_writes_a_credit_record(catalogue):
    """国办发〔2020〕42号: 虚假承诺 → 依法终止办理, recorded in the credit record."""
    application = _accept(_submit())
    commitment = Commitment.objects.get(application=application)
    with clock.frozen(dt.date(2025, 3, 5)):
        commitments.record_finding(commitment, False, "现场核查：无该经营场所", reviewer())
    case = fresh(commitment.case)
    assert case.state == "terminated"
    assert case.events.filter(kind="terminate", data__cause="commitment_false").exists()
    record = CreditRecord.objects.get(case=case)
    assert record.kind == RecordKind.COMMITMENT_BREACH
    assert record.person == application.applicant
    assert OutboxMessage.objects.filter(topic="case.commitment_false", key=case.number).exists()


def test_false_commitment_after_the_grant_revokes_the_decision(
    catalogue, django_capture_on_commit_callbacks
):
    """国办发〔2020〕42号: a false commitment found after the grant → 撤销行政决定."""
    from banshi.documents.models import Document

    application = _accept(_submit())
    case = application.cases.get()
    user = head()
    case = reviewing(case, user)
    with clock.frozen(MONDAY), django_capture_on_commit_callbacks(execute=True):
        services.decide(case, True, "符合条件", user, case.version)
    decision = Document.objects.get(kind="grant", case_reference=case.number)
    commitment = Commitment.objects.get(application=application)
    with clock.frozen(dt.date(2025, 3, 10)):
        commitments.record_finding(commitment, False, "经营场所证明系伪造", user)
    case = fresh(case)
    assert case.state == "revoked"
    message = OutboxMessage.objects.get(topic="case.commitment_false", key=case.number)
    assert message.payload["action"] == "revoke"
    assert CreditRecord.objects.filter(case=case, kind=RecordKind.COMMITMENT_BREACH).exists()
    decision.refresh_from_db()
    assert decision.revoked_at is not None and "虚假承诺" in decision.revoked_reason


def test_a_true_finding_closes_the_commitment_and_keeps_the_case(catalogue):
    application = _accept(_submit())
    commitment = Commitment.objects.get(application=application)
    commitments.record_finding(commitment, True, "", reviewer())
    assert fresh(commitment).finding == "true"
    assert fresh(commitment.case).state == "accepted"
    assert not CreditRecord.objects.exists()


def test_only_the_case_departments_reviewer_records_a_finding(catalogue):
    from banshi.cases.errors import PermissionDenied
    from banshi.catalog.models import Department

    Department.objects.create(code="XF", name="消防")
    application = _accept(_submit())
    commitment = Commitment.objects.get(application=application)
    with pytest.raises(PermissionDenied):
        commitments.record_finding(commitment, False, "不实", reviewer("XF"))
    assert fresh(commitment).finding == ""


def test_deficiency_supplement_due_never_lies_beyond_the_decision_due(catalogue):
    """Standards §2.14: the supplement deadline must not exceed the promised time limit."""
    application = _accept(_submit(item="SHORT-001", materials=(LEASE_UPLOADED, LATER)))
    case = application.cases.get()
    obligation = DeficiencyObligation.objects.get(case=case)
    assert case.decision_due == dt.date(2025, 3, 6)  # 3 working days
    assert obligation.due == case.decision_due  # not 10 working days later


def test_acceptance_gives_one_notice_listing_every_missing_material(
    catalogue, django_capture_on_commit_callbacks
):
    """Standards §2.13: one 容缺受理通知书 names every missing material and the deadline."""
    from banshi.documents.models import Document

    with django_capture_on_commit_callbacks(execute=True):
        application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    document = Document.objects.get(kind="deficiency", reference=application.number)
    assert document.title == "容缺受理通知书"
    notice = OutboxMessage.objects.get(topic="application.deficiency_notice")
    assert [entry["material"] for entry in notice.payload["missing"]] == ["食品安全管理制度"]
    assert application.events.filter(kind="deficiency_notice").count() == 1


def test_a_late_supplement_terminates_the_case_and_writes_a_credit_record(catalogue):
    """国办发〔2019〕35号 / standards §2.15: not supplied in time → 终止办理 + credit record."""
    application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    obligation = DeficiencyObligation.objects.get(application=application)
    day_after = obligation.due + dt.timedelta(days=1)
    with clock.frozen(day_after):
        report = commitments.scan(day_after)
        again = commitments.scan(day_after)
    case = fresh(obligation.case)
    assert report.breached == [case.number]
    assert again.breached == []  # idempotent
    assert case.state == "terminated"
    assert fresh(obligation).status == ObligationStatus.BREACHED
    assert CreditRecord.objects.get(case=case).kind == RecordKind.DEFICIENCY_BREACH


def test_a_supplement_in_time_clears_the_obligation(catalogue):
    application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    obligation = DeficiencyObligation.objects.get(application=application)
    with clock.frozen(dt.date(2025, 3, 5)):
        commitments.supply(obligation, application.applicant.user, [{"sha256": "2" * 64}])
    assert fresh(obligation).status == ObligationStatus.SUPPLIED
    assert OutboxMessage.objects.filter(topic="case.deficiency_cleared").exists()
    assert commitments.licence_remark(fresh(obligation.case)) == ""


def test_the_licence_remark_names_open_deferred_materials(catalogue):
    application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    case = application.cases.get()
    assert commitments.licence_remark(case) == "容缺受理，待补齐：食品安全管理制度"


def test_reminders_go_out_once_before_the_due_dates(catalogue):
    application = _accept(_submit(materials=(COMMIT, LATER)))
    obligation = DeficiencyObligation.objects.get(application=application)
    day = obligation.due  # within 3 working days of both due dates? the supplement one is
    with clock.frozen(day):
        commitments.scan(day)
        commitments.scan(day)
    assert OutboxMessage.objects.filter(topic="deficiency.due_soon").count() == 1


def test_a_subject_with_a_bad_record_cannot_commit_or_defer(catalogue):
    """国办发〔2020〕42号, 35号: no 告知承诺 or 容缺 for a bad record until repaired (bilingual)."""
    person = make_person()
    _bad_record(person)
    for materials in ((COMMIT, RULES_UPLOADED), (LEASE_UPLOADED, LATER)):
        with pytest.raises(RuleViolation) as refused:
            _submit(person, materials=materials)
        assert "信用修复前不能选择告知承诺或容缺后补" in refused.value.zh
        assert "until the credit is repaired" in refused.value.en


def test_a_repaired_subject_may_commit_again(catalogue):
    person = make_person()
    record = _bad_record(person)
    request = credit_services.file_repair(record, person.user, "已整改，提交了真实材料")
    from banshi.cases.tests.factories import make_staff

    credit_services.decide_repair(request, make_staff("supervisor"), True, "整改到位")
    application = _submit(person)
    assert Commitment.objects.filter(application=application).exists()


def test_instant_approval_grants_a_complete_application_from_a_good_subject(catalogue):
    application = _submit(item="IA-001", materials=(LEASE_UPLOADED,))
    case = application.cases.get()
    assert case.state == "decided_grant"
    assert case.events.filter(kind="auto_grant", actor_role="system").exists()
    assert case.events.filter(kind="auto_accept").exists()


def test_instant_approval_skips_a_subject_in_bad_standing(catalogue):
    person = make_person()
    enterprise = make_enterprise(person)
    credit_services.enter_list(
        enterprise, "abnormal", "未按时公示年报", entered_on=dt.date(2025, 1, 2)
    )
    application = _submit(person, item="IA-001", materials=(LEASE_UPLOADED,), enterprise=enterprise)
    assert application.cases.get().state == "received"


def test_instant_approval_skips_an_incomplete_application(catalogue):
    """An incomplete application is refused at submission (pre-review); one that reaches the engine
    without pre-review (engine-level submission) is still never granted automatically."""
    from banshi.cases.errors import PrereviewBlocked

    with pytest.raises(PrereviewBlocked):
        _submit(item="IA-001", materials=())
    person = make_person()
    with clock.frozen(MONDAY):
        application = services.submit_application(
            person,
            item_code="IA-001",
            form_data={"enterprise.name": "某某公司"},
            materials=[],
            idempotency_key="incomplete-ia",
            channel="web",
            pre_review=False,
        )
    assert application.cases.get().state == "received"


def test_the_applicant_supplies_a_missing_material_on_the_web_page(catalogue, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.MEDIA_ROOT = tmp_path
    application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    obligation = DeficiencyObligation.objects.get(application=application)
    client = Client()
    client.force_login(application.applicant.user)
    page = client.get(f"/credit/supplements/{obligation.pk}/")
    assert "食品安全管理制度" in page.content.decode()
    upload = SimpleUploadedFile("rules.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    with clock.frozen(dt.date(2025, 3, 4)):
        client.post(f"/credit/supplements/{obligation.pk}/", {"files": upload})
    assert fresh(obligation).status == ObligationStatus.SUPPLIED
    stranger = Client()
    stranger.force_login(make_person().user)
    assert stranger.get(f"/credit/supplements/{obligation.pk}/").status_code == 404


def test_the_reviewer_records_a_finding_from_the_verification_queue(catalogue):
    from django.test import Client

    application = _accept(_submit())
    commitment = Commitment.objects.get(application=application)
    client = Client()
    client.force_login(reviewer())
    queue = client.get("/credit/staff/verifications/").content.decode()
    assert commitment.case.number in queue and "2025-03-24" in queue
    client.post(
        f"/credit/staff/verifications/{commitment.pk}/", {"finding": "false", "note": "无此场所"}
    )
    assert fresh(commitment.case).state == "terminated"


def test_a_withdrawn_case_owes_no_supplement_and_gets_no_credit_record(catalogue):
    application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    with clock.frozen(MONDAY):
        services.withdraw(application, application.applicant.user, version=application.version)
    obligation = DeficiencyObligation.objects.get(application=application)
    later = obligation.due + dt.timedelta(days=3)
    assert commitments.scan(later).breached == []
    assert fresh(obligation).status == ObligationStatus.VOID
    assert not CreditRecord.objects.exists()


def test_the_licence_waits_for_the_supplement_unless_a_remark_is_allowed(catalogue):
    """Standards §2.15: the result certificate is issued only after the supplement."""
    for item, issuable in (("SHORT-001", False), ("CN-001", True)):
        application = _accept(_submit(item=item, materials=(LEASE_UPLOADED, LATER)))
        case = application.cases.get()
        user = head()
        case = reviewing(case, user)
        with clock.frozen(MONDAY):
            services.decide(case, True, "符合条件", user, case.version)
            case = fresh(case)
            if issuable:
                services.issue(case, user, case.version)
                assert fresh(case).state == "issued"
            else:
                with pytest.raises(RuleViolation) as refused:
                    services.issue(case, user, case.version)
                assert "补齐后方可制证" in refused.value.zh


def test_the_supplement_page_in_english(catalogue):
    from django.test import Client

    from banshi.portal.tests.english import chinese_left, main_text

    application = _accept(_submit(materials=(LEASE_UPLOADED, LATER)))
    obligation = DeficiencyObligation.objects.get(application=application)
    client = Client()
    client.force_login(application.applicant.user)
    response = client.get(
        f"/credit/supplements/{obligation.pk}/", headers={"Accept-Language": "en"}
    )
    text = main_text(response)
    assert "Hand in a supply-later material" in text and "Material to hand in" in text
    assert "Due by" in text and "Status Due" in text and "Hand in the material" in text
    data = (obligation.material_name, obligation.case.item_version.name)
    assert chinese_left(response, *data) == []
