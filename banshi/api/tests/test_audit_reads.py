"""审计: staff reads through the API that return an applicant's data are recorded, the case as
purpose, exactly as the workbench pages record them (DESIGN §8)."""

from __future__ import annotations

import pytest
from django.test import Client

from banshi.api.tests.conftest import Api
from banshi.api.tokens import create_token
from banshi.audit.models import Action, AuditEntry
from banshi.cases.tests.factories import MONDAY, clerk, make_staff, submit
from banshi.core import clock

pytestmark = pytest.mark.usefixtures("catalogue")


def _reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=Action.VIEW_CASE).order_by("sequence"))


def test_reading_a_case_records_who_saw_the_applicant_and_for_which_case():
    with clock.frozen(MONDAY):
        application = submit()
        case = application.cases.first()
        user = make_staff("window_clerk", department=case.department.code)
        assert Api(user).get(f"/cases/{case.number}").status_code == 200
    [entry] = _reads()
    assert entry.actor_username == user.get_username()
    assert entry.case_number == case.number
    assert entry.purpose == f"办理办件 {case.number}"
    assert entry.subject_kind == "person"
    assert entry.subject_id == str(application.applicant_id)


def test_a_refused_read_of_another_departments_case_records_nothing():
    with clock.frozen(MONDAY):
        case = submit().cases.first()
        other = make_staff("reviewer", department="XF" if case.department.code != "XF" else "SCJG")
        assert Api(other).get(f"/cases/{case.number}").status_code == 403
    assert _reads() == []


def test_an_action_answering_with_the_case_records_the_read():
    with clock.frozen(MONDAY):
        application = submit()
        case = application.cases.get(item__code="SCJG-DJ-001")
        response = Api(clerk()).post(
            f"/cases/{case.number}/actions/accept", {"version": application.version}
        )
        assert response.status_code == 200, response.json()
    assert [entry.case_number for entry in _reads()] == [case.number]


def test_a_credit_lookup_by_identifier_records_the_subject_seen():
    with clock.frozen(MONDAY):
        application = submit()
        token = create_token(make_staff("reviewer", department="SCJG"), "read")[1]
        response = Client().get(
            f"/api/v1/credit/subjects/{application.applicant.id_number}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.get(action=Action.VIEW_PERSON)
    assert entry.purpose == "信用查询"
    assert application.applicant.id_number not in entry.subject_label
