"""申请草稿: create, save as you go, resume, consent for prefill, materials, submit once, corrections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from banshi.cases import drafts, services
from banshi.cases.errors import PermissionDenied, RuleViolation
from banshi.cases.models import Application, ApplicationDraft, DraftStatus
from banshi.catalog import compiler
from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.services import apply_catalogue
from banshi.files.services import store_bytes
from banshi.licences import services as licences
from banshi.people import services as people
from banshi.people.models import Consent, StaffProfile

pytestmark = pytest.mark.django_db

CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
  - {code: XF, name: 消防救援支队}
data_elements:
  - {code: enterprise.name, label: 企业名称, type: text, prefill: enterprise.name}
  - {code: enterprise.uscc, label: 统一社会信用代码, type: uscc, prefill: enterprise.uscc}
  - {code: person.name, label: 经办人姓名, type: text, prefill: person.name}
  - {code: person.id_number, label: 经办人身份证号码, type: id_number, prefill: person.id_number}
  - {code: person.phone, label: 联系电话, type: phone, prefill: person.phone}
  - {code: shop.address, label: 经营场所, type: address}
  - {code: shop.area, label: 经营面积, type: number}
licence_types:
  - {code: YYZZ, name: 营业执照, department: SCJG}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: YYZZ-COPY, name: 营业执照, licence_type: YYZZ}
  - {code: LAYOUT, name: 经营设施布局图}
  - {code: RULES, name: 食品安全管理制度}
  - {code: FIRE-PLAN, name: 消防安全方案}
items:
  - code: SCJG-XK-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    legal_days: 20
    promised_days: 10
    fields: [enterprise.name, enterprise.uscc, person.name, person.id_number, person.phone, shop.address, shop.area]
    materials:
      - {material: LEASE}
      - {material: YYZZ-COPY}
      - {material: LAYOUT, commitment_allowed: true}
      - {material: RULES, deficiency_allowed: true}
  - code: XF-JC-001
    name: 消防安全检查
    kind: 行政许可
    department: XF
    legal_days: 10
    promised_days: 10
    fields: [shop.area, shop.address]
    materials: [{material: FIRE-PLAN}]
bundles:
  - code: KBCYD
    name: 开办餐饮店一件事
    department: SCJG
    questions:
      - {code: shop.area, text: 经营面积是多少平方米?, type: number}
    items:
      - {item: SCJG-XK-001}
      - {item: XF-JC-001, when: "shop.area > 300"}
    steps: [申请, 受理, 办结]
"""
OWNER_ID = "44030419900307123X"
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def catalogue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    parsed, problems = read_catalogue_text(CATALOGUE)
    assert not problems, problems
    apply_catalogue(parsed)
    invalidate_snapshot()


@pytest.fixture
def owner(catalogue):
    user = get_user_model().objects.create_user("boss")
    person = people.register_person(OWNER_ID, "陈伟", phone="13800000002", user=user)
    enterprise = people.register_enterprise(
        "91350100M000100Y43", "示例餐饮管理有限公司", legal_representative=person
    )
    licences.record_existing("YYZZ", holder_enterprise=enterprise)  # 免证: in the licence library
    return person, enterprise


def start(owner, **answers):
    person, enterprise = owner
    return drafts.create_draft(
        person,
        bundle_code="KBCYD",
        answers={"shop.area": "500", **answers},
        subject=f"enterprise:{enterprise.pk}",
    )


def complete(draft):
    """Everything a pre-review wants: consent, the typed fields, the materials."""
    drafts.give_consent(draft)
    drafts.save_form(draft, {"shop.address": "郑州航空港区示例路1号"})
    for code in ("LEASE", "LAYOUT", "RULES", "FIRE-PLAN"):
        drafts.add_material_file(draft, code, store_bytes(PDF, f"{code}.pdf"))
    return draft


def values(draft):
    return {view.code: view for view in drafts.form_fields(draft)}


# --- creating and saving ---------------------------------------------------------------------


def test_a_draft_keeps_the_answers_given_on_the_guide_page(owner):
    draft = start(owner, **{"not.a.question": "x"})
    assert draft.answers == {"shop.area": "500"}
    assert draft.enterprise is not None and draft.status == DraftStatus.OPEN
    assert len(draft.idempotency_key) == 32
    plan = drafts.plan_for(draft).plan
    assert plan.item_codes == ("SCJG-XK-001", "XF-JC-001")


def test_nobody_applies_for_an_enterprise_they_do_not_stand_for(owner):
    stranger = people.register_person("310115198506150022", "李娜")
    with pytest.raises(PermissionDenied):
        drafts.create_draft(stranger, bundle_code="KBCYD", subject=f"enterprise:{owner[1].pk}")


def test_an_unknown_code_is_refused(owner):
    with pytest.raises(RuleViolation):
        drafts.create_draft(owner[0], bundle_code="NOPE")


def test_the_form_is_made_once_per_state_of_the_draft(owner, monkeypatch):
    draft = start(owner)
    first = drafts.form_fields(draft)
    made = []
    original = drafts._field_view
    monkeypatch.setattr(drafts, "_field_view", lambda *a: made.append(1) or original(*a))
    assert drafts.form_fields(draft) == first and not made  # the same state: kept
    drafts.save_form(draft, {"shop.address": "示例路2号"})
    assert values(draft)["shop.address"].value == "示例路2号" and made  # typed: made anew
    made.clear()
    drafts.give_consent(draft)
    assert values(draft)["person.name"].origin == "profile" and made  # consent: made anew


def test_saved_values_are_there_when_the_draft_is_opened_again(owner):
    draft = start(owner)
    drafts.save_form(draft, {"shop.address": " 示例路1号 ", "person.name": "陈伟"})
    drafts.save_answers(draft, {"shop.area": "120"})
    reopened = drafts.draft_for(owner[0], draft.pk)
    assert reopened.form_data == {"shop.address": "示例路1号", "person.name": "陈伟"}
    assert reopened.answers == {"shop.area": "120"}
    assert [d.pk for d in drafts.open_drafts(owner[0])] == [draft.pk]


def test_a_draft_belongs_to_its_owner_only(owner):
    draft = start(owner)
    other = people.register_person("310115198506150022", "李娜")
    assert drafts.draft_for(other, draft.pk) is None


# --- consent and prefill ----------------------------------------------------------------------


def test_without_consent_nothing_is_prefilled(owner):
    draft = start(owner)
    fields = values(draft)
    assert fields["enterprise.name"].value == "" and not fields["enterprise.name"].locked
    assert fields["enterprise.name"].prefill_available
    assert fields["shop.area"].value == "500" and fields["shop.area"].origin == "answer"


def test_consent_prefills_with_the_source_and_is_recorded(owner):
    draft = start(owner)
    consent = drafts.give_consent(draft)
    fields = values(draft)
    assert fields["enterprise.uscc"].value == "91350100M000100Y43"
    assert fields["enterprise.uscc"].source_zh == "来自一企一档：营业执照"
    assert fields["person.id_number"].locked and fields["person.id_number"].value == OWNER_ID
    assert fields["person.phone"].value == "13800000002" and not fields["person.phone"].locked
    assert consent.person == owner[0] and consent.purpose == Consent.Purpose.PREFILL_REUSE
    assert consent.given_at is not None and consent.withdrawn_at is None and consent.version


def test_a_draft_created_unsaved_is_written_with_its_consent_naming_it(owner):
    """Without a filing in the same request: the draft and its consent are still written at the
    end of the block, the consent's scope naming the draft's number."""
    person, enterprise = owner
    draft = drafts.create_draft(
        person,
        bundle_code="KBCYD",
        answers={"shop.area": "500"},
        subject=f"enterprise:{enterprise.pk}",
        unsaved=True,
    )
    with drafts.saved_once(draft):
        drafts.give_consent(draft)
    stored = ApplicationDraft.objects.select_related("consent").get(pk=draft.pk)
    assert stored.consent_given and stored.consent_id == draft.consent.pk
    assert stored.consent.scope.startswith(f"草稿 {draft.pk} · KBCYD")
    assert stored.consent.person == person and draft.consent.scope == stored.consent.scope


def test_locked_values_cannot_be_typed_over_and_an_unchanged_prefill_is_not_stored(owner):
    draft = start(owner)
    drafts.give_consent(draft)
    drafts.save_form(
        draft, {"person.id_number": "110101200001010010", "person.phone": "13800000002"}
    )
    assert draft.form_data == {}
    drafts.save_form(draft, {"person.phone": "13900000009"})
    phone = values(draft)["person.phone"]
    assert phone.value == "13900000009" and phone.changed


def test_withdrawing_consent_clears_the_prefill_but_keeps_what_was_typed(owner):
    draft = start(owner)
    drafts.give_consent(draft)
    drafts.save_form(draft, {"person.phone": "13900000009", "shop.address": "示例路1号"})
    drafts.withdraw_consent(draft)
    fields = values(draft)
    assert fields["enterprise.name"].value == ""
    assert fields["person.phone"].value == "13900000009"
    assert Consent.objects.get().withdrawn_at is not None


# --- materials --------------------------------------------------------------------------------


def test_a_licence_the_enterprise_holds_is_not_uploaded(owner):
    draft = start(owner)
    views = {view.code: view for view in drafts.material_views(draft)}
    assert not views["YYZZ-COPY"].needs_upload
    assert views["YYZZ-COPY"].note_zh.startswith("已从电子证照库调取：营业执照（")
    with pytest.raises(RuleViolation):
        drafts.add_material_file(draft, "YYZZ-COPY", store_bytes(PDF, "x.pdf"))


def test_a_commitment_is_chosen_only_where_the_plan_allows_it(owner):
    draft = start(owner)
    drafts.choose_material_mode(draft, "LAYOUT", "commitment")
    assert draft.materials["LAYOUT"]["mode"] == "commitment"
    with pytest.raises(RuleViolation):
        drafts.choose_material_mode(draft, "LEASE", "commitment")


def test_uploading_the_same_file_twice_keeps_one(owner):
    draft = start(owner)
    stored = store_bytes(PDF, "lease.pdf")
    drafts.add_material_file(draft, "LEASE", stored)
    drafts.add_material_file(draft, "LEASE", store_bytes(PDF, "again.pdf"))
    assert draft.materials["LEASE"]["files"] == [stored.pk]
    drafts.remove_material_file(draft, "LEASE", stored.pk)
    assert draft.materials["LEASE"]["files"] == []


# --- pre-review and submit --------------------------------------------------------------------


def test_pre_review_lists_what_is_missing(owner):
    checked = drafts.review(start(owner))
    rules = {(finding.rule, finding.code) for finding in checked.blocking}
    assert ("required", "enterprise.name") in rules and ("material", "LEASE") in rules
    assert not checked.can_submit


def test_the_typed_own_id_number_must_match_the_profile(owner):
    draft = start(owner)
    drafts.save_form(draft, {"person.id_number": "110101200001010010"})
    found = [f for f in drafts.review(draft).blocking if f.code == "person.id_number"]
    assert [f.rule for f in found] == ["profile_identifier"]


def test_submit_is_refused_while_pre_review_blocks(owner):
    draft = start(owner)
    with pytest.raises(drafts.PrereviewBlocked) as blocked:
        drafts.submit(draft)
    assert blocked.value.findings and Application.objects.count() == 0
    assert ApplicationDraft.objects.get(pk=draft.pk).status == DraftStatus.OPEN


def test_submitting_twice_files_one_application(owner):
    draft = complete(start(owner))
    first = drafts.submit(draft)
    second = drafts.submit(ApplicationDraft.objects.get(pk=draft.pk))
    assert first.pk == second.pk and Application.objects.count() == 1
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED and draft.application_id == first.pk
    assert first.idempotency_key == draft.idempotency_key
    assert first.enterprise_id == owner[1].pk and first.applicant_id == owner[0].pk
    assert first.form_data["enterprise.uscc"] == "91350100M000100Y43"
    handed = {entry["code"]: entry for entry in first.materials}
    assert set(handed) == {"LEASE", "LAYOUT", "RULES", "FIRE-PLAN", "YYZZ-COPY"}
    assert handed["YYZZ-COPY"]["mode"] == "licence"  # 免证: the licence, not a file
    assert handed["LEASE"]["files"][0]["sha256"] == handed["LEASE"]["sha256"]
    assert first.cases.count() == 2
    with pytest.raises(RuleViolation):
        drafts.save_form(draft, {"shop.address": "changed"})


def test_a_commitment_and_a_deferral_are_handed_in_as_such(owner):
    draft = complete(start(owner))
    drafts.choose_material_mode(draft, "LAYOUT", "commitment")
    drafts.choose_material_mode(draft, "RULES", "deficiency")
    application = drafts.submit(draft)
    modes = {entry["code"]: entry["mode"] for entry in application.materials}
    assert modes["LAYOUT"] == "commitment" and modes["RULES"] == "deficiency"
    forms = {m.name: m.form for m in drafts.received_materials(application)}
    assert forms["经营设施布局图"] == "告知承诺" and forms["营业执照"] == "电子证照调取"


# --- corrections ------------------------------------------------------------------------------


def _clerk():
    user = get_user_model().objects.create_user("clerk")
    StaffProfile.objects.create(user=user, roles=["window_clerk"], all_departments=True)
    return user


def test_a_correction_is_answered_once_the_staged_set_is_complete(owner):
    person, _ = owner
    application = drafts.submit(complete(start(owner)))
    services.request_correction(
        application,
        [
            {
                "item": "SCJG-XK-001",
                "materials": ["LEASE"],
                "fields": ["shop.address"],
                "reason": "租赁合同已过期",
            }
        ],
        _clerk(),
        application.version,
    )
    application.refresh_from_db()
    draft = drafts.correction_draft(application, person)
    request = drafts.correction_request(application, draft)
    assert not request.complete and request.material_codes == ["LEASE"]
    with pytest.raises(RuleViolation):
        drafts.answer_correction(application, draft, person.user)
    drafts.stage_correction(draft, application, fields={"shop.address": "示例路2号"})
    drafts.stage_correction(
        draft, application, add_file=("LEASE", store_bytes(b"%PDF-1.7 new", "new.pdf"))
    )
    assert drafts.correction_request(application, draft).complete
    answered = drafts.answer_correction(application, draft, person.user)
    assert answered.form_data["shop.address"] == "示例路2号"
    assert answered.materials[-1]["code"] == "LEASE" and answered.materials[-1]["correction"]
    assert drafts.correction_request(answered, draft) is None
    assert {case.state for case in answered.cases.all()} == {"received"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_draft_file_one_application(owner):
    """Six submits of one draft at the same moment (double clicks, retries): one application."""
    from django.db import connection

    from banshi.cases.tests.test_concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises writers")
    draft = complete(start(owner))
    results = run_together(
        [lambda: drafts.submit(ApplicationDraft.objects.get(pk=draft.pk)) for _ in range(6)]
    )
    assert Application.objects.count() == 1
    assert {getattr(result, "pk", result) for result in results} == {Application.objects.get().pk}


def test_an_agent_applies_in_the_principals_name(owner):
    agent, _ = owner
    principal = people.register_person("310115198506150022", "李娜", phone="13800000001")
    people.grant_authorisation(agent, principal, "", dt.date(2025, 1, 1), dt.date(2030, 12, 31))
    keys = [subject.key for subject in drafts.subjects_for(agent, "KBCYD")]
    assert f"person:{principal.pk}" in keys
    draft = drafts.create_draft(
        agent, bundle_code="KBCYD", answers={"shop.area": "100"}, subject=f"person:{principal.pk}"
    )
    drafts.give_consent(draft)
    assert values(draft)["person.id_number"].value == "310115198506150022"  # the principal's


def test_the_enterprise_profile_carries_its_legal_representatives_identity(owner):
    _person, enterprise = owner
    profile = drafts.enterprise_profile(enterprise, licences=False)
    assert profile["enterprise.legal_rep_id_number"] == OWNER_ID
    assert profile["enterprise.legal_rep_phone"] == "13800000002"
    assert profile["enterprise.legal_rep"] == "陈伟"


def test_a_draft_for_an_enterprise_reads_representative_and_licences_in_one_statement(
    owner, django_assert_num_queries
):
    """The draft's profile: the enterprise's 法定代表人 and the licence types of both holders (the
    applicant's own and the enterprise's), one statement for all of them."""
    from banshi.catalog.models import Department, LicenceType

    person, enterprise = owner
    department = Department.objects.get(code="SCJG")
    LicenceType.objects.create(code="SPJY", name="食品经营许可证", department=department)
    licences.record_existing("SPJY", holder_person=person)  # the applicant's own
    draft = drafts.create_draft(person, bundle_code="KBCYD", subject=f"enterprise:{enterprise.pk}")
    with django_assert_num_queries(1):
        profile = drafts.profile_for(draft)
    assert profile["enterprise.legal_rep_id_number"] == OWNER_ID
    assert profile["enterprise.legal_rep"] == "陈伟"
    assert profile[compiler.PROFILE_LICENCES] == ["SPJY", "YYZZ"]
    assert drafts.enterprise_profile(enterprise)[compiler.PROFILE_LICENCES] == ["YYZZ"]


def test_an_enterprise_without_a_legal_representative_on_record_has_no_such_values(catalogue):
    enterprise = people.register_enterprise("91350100M000100Y43", "示例餐饮管理有限公司")
    profile = drafts.enterprise_profile(enterprise, licences=False)
    assert "enterprise.legal_rep_id_number" not in profile
    assert "enterprise.legal_rep_phone" not in profile


def test_an_enterprise_read_by_its_code_remembers_its_representative(
    django_assert_num_queries,
):
    from banshi.cases.tests.factories import make_enterprise, make_person

    boss = make_person("王五")
    enterprise = make_enterprise(boss)
    found = drafts.enterprise_by_uscc(boss, enterprise.uscc)
    assert found == enterprise
    with django_assert_num_queries(0):  # the role came with the row
        assert people.may_act_for(boss, found, scope="X", on=dt.date(2026, 3, 2))


def test_an_enterprise_read_by_a_stranger_remembers_no_role():
    from banshi.cases.tests.factories import make_enterprise, make_person

    enterprise = make_enterprise(make_person("王五"))
    stranger = make_person("路人")
    found = drafts.enterprise_by_uscc(stranger, enterprise.uscc)
    assert found == enterprise
    assert not people.may_act_for(stranger, found, scope="X", on=dt.date(2026, 3, 2))
    assert drafts.enterprise_by_uscc(stranger, "91410100MA00000000") is None


def _licensed_applicant(catalogue_code: str = "SPJY"):
    """A licence type the applicant holds (besides the enterprise's 营业执照)."""
    from banshi.catalog.models import Department, LicenceType

    department = Department.objects.get(code="SCJG")
    LicenceType.objects.get_or_create(
        code=catalogue_code, defaults={"name": "食品经营许可证", "department": department}
    )
    return catalogue_code


@pytest.mark.parametrize("with_representative", [True, False])
def test_the_profile_read_with_the_enterprise_is_the_profile_read_on_its_own(
    owner, with_representative, django_assert_num_queries
):
    """PostgreSQL reads the 法定代表人 and the licence types with the enterprise (enterprise_by_uscc);
    the draft's profile is then the one its own statement gives, and needs no statement."""
    from django.db import connection

    from banshi.people.models import Enterprise

    person, enterprise = owner
    licences.record_existing(_licensed_applicant(), holder_person=person)
    if not with_representative:
        enterprise.person_roles.all().delete()  # none on record: no legal_rep values
    found = drafts.enterprise_by_uscc(person, enterprise.uscc)
    plain = Enterprise.objects.get(pk=enterprise.pk)
    with django_assert_num_queries(0 if connection.vendor == "postgresql" else 1):
        read_with = drafts.profile_for(ApplicationDraft(owner=person, enterprise=found))
    read_alone = drafts.profile_for(ApplicationDraft(owner=person, enterprise=plain))
    assert read_with == read_alone
    assert read_with[compiler.PROFILE_LICENCES] == ["SPJY", "YYZZ"]
    assert ("enterprise.legal_rep_id_number" in read_with) == with_representative


def test_a_profile_read_with_the_enterprise_is_not_used_for_another_applicant(
    owner, django_assert_num_queries
):
    person, enterprise = owner
    other = people.register_person("310115198506150022", "李娜", phone="13800000001")
    licences.record_existing(_licensed_applicant(), holder_person=other)
    found = drafts.enterprise_by_uscc(person, enterprise.uscc)  # read for the representative
    with django_assert_num_queries(1):  # read again, for the other applicant
        profile = drafts.profile_for(ApplicationDraft(owner=other, enterprise=found))
    assert profile[compiler.PROFILE_LICENCES] == ["SPJY", "YYZZ"]
    assert profile["person.id_number"] == "310115198506150022"


def test_a_profile_read_with_the_enterprise_yesterday_is_read_again(
    owner, django_assert_num_queries
):
    from banshi.core import clock

    person, enterprise = owner
    today = clock.today()
    found = drafts.enterprise_by_uscc(person, enterprise.uscc)
    with clock.frozen(today + dt.timedelta(days=1)), django_assert_num_queries(1):
        profile = drafts.profile_for(ApplicationDraft(owner=person, enterprise=found))
    assert profile[compiler.PROFILE_LICENCES] == ["YYZZ"]
