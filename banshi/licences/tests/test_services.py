"""Issue on grant (第44条 制证), signing, revoke, replace, expire, renewal reminders, keys."""

from __future__ import annotations

import datetime as dt
import stat

import pytest

from banshi.cases.errors import PermissionDenied, RuleViolation
from banshi.cases.models import OutboxMessage
from banshi.cases.tests.factories import (
    MONDAY,
    accepted,
    case_of,
    fresh,
    granted_and_issued,
    head,
    make_enterprise,
    make_person,
    reviewer,
)
from banshi.catalog.models import Department, LicenceType
from banshi.core import clock
from banshi.licences import keys, services, verification
from banshi.licences.models import HolderCodeType, Licence, LicenceStatus, SigningKey
from banshi.people.identifiers import validate_licence_identifier, validate_uscc

pytestmark = pytest.mark.django_db


def granted_registration(person=None, enterprise=None):
    """KBCYD accepted and its 企业设立登记 (produces YYZZ) granted on MONDAY."""
    application = accepted(person, enterprise=enterprise) if enterprise else accepted(person)
    return granted_and_issued(case_of(application, "SCJG-DJ-001"))


def a_licence(catalogue, **kwargs):
    return Licence.objects.get(case=granted_registration(**kwargs))


def test_a_grant_issues_the_signed_licence_of_the_item_at_once(catalogue):
    person = make_person("王小明")
    case = granted_registration(person)
    licence = Licence.objects.get(case=case)
    assert licence.licence_type.code == "YYZZ" and licence.name == "营业执照"
    assert licence.holder_person == person and licence.holder_code_type == HolderCodeType.ID_NUMBER
    assert licence.issued_on == MONDAY and licence.valid_to is None
    assert validate_licence_identifier(licence.identifier).issuer == licence.issuer_code
    assert verification.check(licence, today=MONDAY).valid
    assert OutboxMessage.objects.filter(topic="licence.issued", key=licence.number).exists()


def test_an_enterprise_application_makes_the_enterprise_the_holder(catalogue):
    person = make_person()
    enterprise = make_enterprise(person)
    licence = a_licence(catalogue, person=person, enterprise=enterprise)
    assert licence.holder_enterprise == enterprise and licence.holder_person is None
    assert licence.holder_code == enterprise.uscc and licence.holder_code_type == "001"


def test_issuing_is_idempotent_per_case(catalogue):
    case = granted_registration()
    assert services.issue_for_case(case) == Licence.objects.get(case=case)
    assert Licence.objects.count() == 1


def test_an_item_that_produces_nothing_issues_nothing(catalogue):
    application = accepted(answers={"shop.area": 500})
    granted_and_issued(case_of(application, "SCJG-DJ-001"))
    xf = granted_and_issued(case_of(application, "XF-JC-001"))
    assert services.issue_for_case(xf) is None
    assert Licence.objects.count() == 1


def test_validity_follows_the_licence_type_years(catalogue):
    LicenceType.objects.filter(code="YYZZ").update(valid_years=5)
    licence = a_licence(catalogue)
    assert licence.valid_from == MONDAY and licence.valid_to == dt.date(2030, 3, 2)


def test_serials_are_distinct_and_identifiers_share_the_type_code(catalogue):
    one, two = a_licence(catalogue), a_licence(catalogue)
    assert one.identifier != two.identifier and one.type_code == two.type_code
    assert one.type_code.startswith(one.issuer_code) and len(one.type_code) == 21


def test_the_placeholder_issuer_code_is_a_valid_uscc(catalogue):
    code = services.issuer_code_for(Department.objects.get(code="SCJG"))
    assert validate_uscc(code).value == code


def test_a_configured_issuer_code_is_used(catalogue, settings):
    settings.BANSHI_LICENCE_ISSUER_CODES = "XF=11100000000013338W,SCJG=11430000006122244L"
    assert services.issuer_code_for(Department.objects.get(code="SCJG")) == "11430000006122244L"


# --- keys ---------------------------------------------------------------------------------------


def test_keygen_writes_a_0600_file_and_only_the_public_key_to_the_database(catalogue, settings):
    key = services.generate_key("SCJG", algorithm="ed25519")
    path = keys.path_of(key.fingerprint)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key.public_key in path.read_text()
    row = SigningKey.objects.values().get(pk=key.pk)
    assert keys.load(key.fingerprint).private_hex not in str(row)


def test_a_new_key_replaces_the_active_one_and_old_licences_still_verify(catalogue):
    old = a_licence(catalogue)
    services.generate_key("SCJG", algorithm="ed25519")
    new = a_licence(catalogue)
    assert new.signing_key.algorithm == "ed25519" and old.signing_key.algorithm == "sm2"
    assert SigningKey.objects.filter(department__code="SCJG", active=True).count() == 1
    assert verification.check(fresh(old), today=MONDAY).valid
    assert verification.check(new, today=MONDAY).valid


def test_without_a_key_and_without_auto_keygen_the_grant_is_refused(catalogue, settings):
    settings.BANSHI_LICENCE_AUTO_KEYGEN = False
    with pytest.raises(RuleViolation, match="keygen"):
        granted_registration()
    assert not Licence.objects.exists()


def test_a_lost_private_key_file_is_reported(catalogue):
    key = services.generate_key("SCJG")
    keys.path_of(key.fingerprint).unlink()
    with pytest.raises(keys.KeyMissing):
        granted_registration()


# --- verification: forged, altered, revoked ------------------------------------------------------


def test_altered_metadata_fails_verification_and_says_why(catalogue):
    licence = a_licence(catalogue)
    Licence.objects.filter(pk=licence.pk).update(holder_name="李四")
    verdict = verification.check(fresh(licence), today=MONDAY)
    assert not verdict.authentic
    assert [p.code for p in verdict.problems] == ["signature"]
    assert "已被篡改" in verdict.problems[0].zh


def test_a_forged_signature_fails_verification(catalogue):
    licence = a_licence(catalogue)
    Licence.objects.filter(pk=licence.pk).update(signature="1" * 128)
    assert [p.code for p in verification.check(fresh(licence), today=MONDAY).problems] == [
        "signature"
    ]


def test_a_presented_licence_signed_by_an_unknown_key_is_refused(catalogue):
    licence = a_licence(catalogue)
    metadata = services.metadata_of(licence)
    verdict = verification.check_presented(
        {**metadata, "key_fingerprint": "ab" * 32}, licence.signature, today=MONDAY
    )
    assert [p.code for p in verdict.problems] == ["unknown_key"]
    genuine = verification.check_presented(metadata, licence.signature, today=MONDAY)
    assert genuine.valid and genuine.licence == licence


def test_an_identifier_not_in_the_library_or_with_a_wrong_check_is_refused(catalogue):
    licence = a_licence(catalogue)
    unknown = services.build_identifier(licence.type_code, licence.issuer_code, "999999", "001")
    assert [p.code for p in verification.lookup(unknown).problems] == ["not_found"]
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    problems = verification.lookup(wrong).problems
    assert problems[0].code == "identifier" and "校验位" in problems[0].zh


def test_a_revoked_licence_is_authentic_but_shown_as_revoked(catalogue):
    licence = a_licence(catalogue)
    services.revoke(licence, actor=head("SCJG"), reason="以欺骗手段取得 (第69条)")
    verdict = verification.lookup(licence.identifier, today=MONDAY)
    assert verdict.authentic and not verdict.valid
    assert verdict.problems[0].code == "revoked" and "第69条" in verdict.problems[0].zh
    assert OutboxMessage.objects.filter(topic="licence.revoked").exists()


def test_revoking_needs_the_issuing_department_and_a_reason(catalogue):
    licence = a_licence(catalogue)
    with pytest.raises(PermissionDenied):
        services.revoke(licence, actor=reviewer("XF"), reason="x")
    with pytest.raises(RuleViolation):
        services.revoke(licence, actor=head("SCJG"), reason=" ")
    assert fresh(licence).status == LicenceStatus.VALID


# --- replace, expire, remind ---------------------------------------------------------------------


def test_replacing_a_remark_licence_makes_a_new_version_and_links_the_chain(catalogue):
    case = granted_registration()
    first = Licence.objects.get(case=case)
    Licence.objects.filter(pk=first.pk).delete()
    actor = head("SCJG")
    with clock.frozen(MONDAY):
        first = services.issue_for_case(case, remark="容缺受理：食品安全管理制度待补交")
        second = services.replace(first, actor=actor, reason="容缺材料已补齐")
        third = services.replace(second, actor=actor, remark="", reason="变更")
    assert fresh(first).status == LicenceStatus.REPLACED and fresh(first).replaced_by == second
    assert second.replaces == first and third.replaces == second
    assert second.remark == "" and first.remark.startswith("容缺")
    assert second.identifier.split(".")[-2] == "002" and third.identifier.split(".")[-2] == "003"
    assert second.identifier.split(".")[-3] == first.identifier.split(".")[-3]
    old = verification.check(fresh(first), today=MONDAY)
    assert (
        old.authentic and old.problems[0].code == "replaced" and second.number in old.problems[0].zh
    )
    assert verification.check(third, today=MONDAY).valid
    with pytest.raises(RuleViolation):
        services.replace(fresh(first), actor=actor, reason="again")


def test_expiry_scan_marks_only_licences_past_their_end(catalogue):
    LicenceType.objects.filter(code="YYZZ").update(valid_years=1)
    licence = a_licence(catalogue)
    assert services.expire_due(dt.date(2026, 3, 2)) == 0
    assert services.expire_due(dt.date(2026, 3, 3)) == 1
    assert fresh(licence).status == LicenceStatus.EXPIRED
    assert (
        verification.check(fresh(licence), today=dt.date(2026, 3, 3)).problems[0].code == "expired"
    )
    assert services.expire_due(dt.date(2026, 3, 4)) == 0


def test_renewal_reminders_go_out_once_within_the_window(catalogue, settings):
    settings.BANSHI_LICENCE_REMIND_DAYS = 30
    LicenceType.objects.filter(code="YYZZ").update(valid_years=1)
    licence = a_licence(catalogue)  # valid to 2026-03-02
    assert services.renewal_reminders(dt.date(2026, 1, 30)) == 0
    assert services.renewal_reminders(dt.date(2026, 2, 1)) == 1
    assert services.renewal_reminders(dt.date(2026, 2, 2)) == 0
    message = OutboxMessage.objects.get(topic="licence.expiring")
    assert message.key == licence.number and message.payload["days_left"] == 29


def test_an_existing_licence_is_recorded_once(catalogue):
    enterprise = make_enterprise()
    with clock.frozen(MONDAY):
        one = services.record_existing("YYZZ", holder_enterprise=enterprise)
        two = services.record_existing("YYZZ", holder_enterprise=enterprise)
    assert one == two and verification.check(one, today=MONDAY).valid


def test_the_in_process_scheduler_expires_and_reminds_too(catalogue, monkeypatch):
    from banshi.cases import scheduler

    monkeypatch.setattr(scheduler, "_timetable", None)  # a fresh process: every job is due
    LicenceType.objects.filter(code="YYZZ").update(valid_years=1)
    licence = a_licence(catalogue)
    with clock.frozen(dt.date(2026, 3, 3)):
        scheduler.run_once()
    assert fresh(licence).status == LicenceStatus.EXPIRED


def test_licences_of_different_issuers_never_share_a_number(catalogue):
    LicenceType.objects.create(
        code="XF-HG", name="消防安全检查合格证", department_id=Department.objects.get(code="XF").pk
    )
    person = make_person()
    scjg = services.record_existing("YYZZ", holder_person=person)
    xf = services.record_existing("XF-HG", holder_person=person)
    assert scjg.issuer_code != xf.issuer_code and scjg.number != xf.number


def test_the_holder_receives_the_renewal_reminder_as_a_message(catalogue, settings):
    """The outbox topic licence.expiring reaches the holder through banshi.notify, in Chinese."""
    from banshi.notify.consumer import consume
    from banshi.notify.models import Notification

    settings.BANSHI_LICENCE_REMIND_DAYS = 30
    LicenceType.objects.filter(code="YYZZ").update(valid_years=1)
    person = make_person("王小明")
    licence = a_licence(catalogue, person=person)
    services.renewal_reminders(dt.date(2026, 2, 1))
    consume(list(OutboxMessage.objects.filter(topic="licence.expiring")), clock.now())
    notification = Notification.objects.get(person=person, topic="licence.expiring")
    assert licence.number in notification.body and "2026-03-02" in notification.body
