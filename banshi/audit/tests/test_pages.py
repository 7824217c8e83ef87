"""Pages: the auditor's search (auditors only), staff reads of a case's applicant recorded with the
case as purpose, masked values on lists and detail pages, unmasking only with a stated purpose."""

from __future__ import annotations

import pytest

from banshi.audit.models import Action, AuditEntry
from banshi.audit.services import record
from banshi.cases.tests.factories import MONDAY, load_catalogue, make_person, submit
from banshi.catalog.selectors import invalidate_snapshot
from banshi.core import clock
from banshi.people.models import Person
from banshi.workbench.tests.conftest import client_for, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue(db):
    invalidate_snapshot()
    with clock.frozen(MONDAY):
        load_catalogue()
        yield
    invalidate_snapshot()


@pytest.fixture
def application():
    person = make_person("王小明")
    Person.objects.filter(pk=person.pk).update(phone="13912345678")
    return submit(person)


@pytest.fixture
def clerk():
    return staff("window_clerk", department="SCJG", all_departments=True, name="窗口刘洋")


@pytest.fixture
def auditor():
    return staff("auditor", name="审计员孙丽")


# ------------------------------------------------------------------------------ auditor page
def test_only_auditors_open_the_audit_search(clerk, auditor):
    assert client_for(clerk).get("/audit/").status_code == 403
    admin = staff("system_admin", name="系统管理员")
    assert client_for(admin).get("/audit/").status_code == 403  # 三员分立
    page = client_for(auditor).get("/audit/")
    assert page.status_code == 200 and "审计日志" in page.content.decode()


def test_the_search_filters_by_actor_action_case_and_date(auditor, clerk):
    record(actor=clerk, action=Action.VIEW_CASE, purpose="办理办件 A", case="A-1")
    record(actor=auditor, action=Action.VIEW_PERSON, purpose="其他", case="B-2")
    client = client_for(auditor)
    text = client.get("/audit/", {"case_number": "A-1"}).content.decode()
    assert "办理办件 A" in text and "其他" not in text
    text = client.get("/audit/", {"actor": clerk.username, "action": "data.view_case"}).content
    assert "办理办件 A" in text.decode()
    text = client.get("/audit/", {"date_from": "2030-01-01"}).content.decode()
    assert "办理办件 A" not in text and "没有符合条件的记录" in text


def test_the_search_pages_by_sequence(auditor):
    for i in range(60):
        record(actor=None, action=Action.VIEW_PERSON, purpose=f"p{i:02d}")
    client = client_for(auditor)
    first = client.get("/audit/", {"action": "data.view_person"})
    assert "p59" in first.content.decode() and "p05" not in first.content.decode()
    older = client.get("/audit/", {"action": "data.view_person", "before": 11})
    assert "p05" in older.content.decode() and "p59" not in older.content.decode()


def test_the_search_list_masks_ids_and_phones(auditor, application):
    record(
        actor=None,
        action=Action.VIEW_PERSON,
        subject=application.applicant,
        purpose="电话 13912345678",
    )
    text = client_for(auditor).get("/audit/").content.decode()
    assert application.applicant.id_number not in text and "13912345678" not in text
    assert "139****5678" in text


# -------------------------------------------------------------------------------- staff reads
def test_opening_an_application_records_the_read_with_the_case_as_purpose(clerk, application):
    response = client_for(clerk).get(f"/workbench/applications/{application.number}/")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=Action.VIEW_CASE).get()
    assert entry.actor_id == clerk.pk and entry.case_number == application.number
    assert entry.purpose == f"办理办件 {application.number}"
    assert entry.subject_id == str(application.applicant_id)


def test_opening_a_case_records_the_read(application):
    from banshi.cases import services

    clerk = staff("window_clerk", department="SCJG", all_departments=True)
    with clock.frozen(MONDAY):
        services.accept(application, clerk, application.version)
    case = application.cases.first()
    client_for(clerk).get(f"/workbench/cases/{case.number}/")
    entry = AuditEntry.objects.filter(action=Action.VIEW_CASE).get()
    assert entry.case_number == case.number


def test_the_application_page_masks_the_applicant(clerk, application):
    text = client_for(clerk).get(f"/workbench/applications/{application.number}/").content.decode()
    assert application.applicant.id_number not in text and "13912345678" not in text
    assert "/audit/unmask/" in text


# ------------------------------------------------------------------------------- unmasking
def test_unmasking_needs_a_purpose_and_records_it(clerk, application):
    client = client_for(clerk)
    url = f"/audit/unmask/{application.number}/"
    refused = client.post(url, {"purpose": ""})
    assert refused.status_code == 400 and "请说明查看用途" in refused.content.decode()
    assert not AuditEntry.objects.filter(action=Action.UNMASK).exists()
    shown = client.post(url, {"purpose": "电话核实申请人身份"})
    assert application.applicant.id_number in shown.content.decode()
    entry = AuditEntry.objects.get(action=Action.UNMASK)
    assert entry.purpose == "电话核实申请人身份" and entry.actor_id == clerk.pk
    assert entry.case_number == application.number


def test_staff_of_another_department_cannot_unmask(application):
    outsider = staff("reviewer", department="XF", name="消防李强")
    response = client_for(outsider).post(
        f"/audit/unmask/{application.number}/", {"purpose": "好奇"}
    )
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=Action.UNMASK).exists()


def test_opening_a_person_in_the_admin_is_recorded(admin_client, admin_user):
    person = make_person("赵六")
    assert admin_client.get(f"/admin/people/person/{person.pk}/change/").status_code == 200
    entry = AuditEntry.objects.get(action=Action.VIEW_PERSON)
    assert entry.actor_id == admin_user.pk and entry.subject_id == str(person.pk)


def test_the_admin_list_of_people_masks_ids_and_phones(admin_client):
    person = make_person("赵六")
    Person.objects.filter(pk=person.pk).update(phone="13912345678")
    text = admin_client.get("/admin/people/person/").content.decode()
    assert person.id_number not in text and "13912345678" not in text
