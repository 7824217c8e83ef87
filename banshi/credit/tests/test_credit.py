"""banshi.credit: level per subject, imports (file and API), repair, pages."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from banshi.cases.errors import PermissionDenied, RuleViolation
from banshi.cases.tests.factories import (
    id_number,
    load_catalogue,
    make_enterprise,
    make_person,
    make_staff,
)
from banshi.core import clock
from banshi.credit import imports, selectors, services
from banshi.credit.models import CreditRecord, ImportBatch, RecordKind, RecordSource
from banshi.people.identifiers import uscc_check_character
from banshi.portal.tests.english import chinese_left, main_text

DAY = dt.date(2025, 3, 3)


def _uscc(body17: str) -> str:
    return body17 + uscc_check_character(body17)


@pytest.fixture
def catalogue(db):
    return load_catalogue()


def _record(subject, severity="serious", kind=RecordKind.IMPORTED):
    fields = {"enterprise": subject} if hasattr(subject, "uscc") else {"person": subject}
    return CreditRecord.objects.create(
        **fields,
        kind=kind,
        severity=severity,
        source=RecordSource.MANUAL,
        facts="未按期履行",
        occurred_on=dt.date(2025, 1, 5),
        recorded_at=clock.now(),
    )


def test_credit_level_of_a_subject_follows_its_records_and_lists(catalogue):
    enterprise = make_enterprise()
    assert selectors.credit_level(enterprise, DAY) == "A"
    _record(enterprise, "minor")
    assert selectors.credit_level(enterprise, DAY) == "B"
    services.enter_list(enterprise, "serious", "严重违法", entered_on=dt.date(2025, 2, 1))
    assert selectors.credit_level(enterprise, DAY) == "D"


CSV = (
    "统一社会信用代码,名称,类别,失信程度,失信事实,发生日期,来源编号\n"
    "{good_uscc},新主体有限公司,行政处罚,较重,无证经营,2025-01-10,CF-001\n"
    "{known_id},,,一般,拖欠,2025-01-11,CF-002\n"
    "91410100MA00000000,坏代码公司,,一般,事实,2025-01-10,CF-003\n"
    "{good_uscc},新主体有限公司,,很重,事实,2025-01-10,CF-004\n"
    "{good_uscc},新主体有限公司,,一般,事实,2025/13/40,CF-005\n"
    "{good_uscc},新主体有限公司,,一般,,2025-01-10,CF-006\n"
)


def test_a_file_import_stores_good_rows_and_reports_bad_ones(catalogue):
    known = make_person()
    good_uscc = _uscc("91410100MA9ABCDE1")
    content = CSV.format(good_uscc=good_uscc, known_id=known.id_number).encode("utf-8")
    checked = imports.parse_file(content, "records.csv", DAY, max_rows=100)
    from banshi.catalog.models import Department

    outcome = services.import_rows(
        Department.objects.get(code="SCJG"),
        checked.rows,
        checked.rejected(),
        source="file",
        file_name="records.csv",
    )
    batch = outcome.batch
    assert batch.accepted == 2
    assert sorted(r["row"] for r in batch.rejected) == [4, 5, 6, 7]
    by_row = {r["row"]: r for r in batch.rejected}
    assert by_row[4]["column"] == "identifier" and "校验" in by_row[4]["zh"]
    assert by_row[5]["column"] == "severity" and "severity" in by_row[5]["en"]
    assert by_row[6]["column"] == "occurred_on"
    assert by_row[7]["column"] == "facts"
    created = CreditRecord.objects.get(external_id="CF-001")
    assert created.enterprise.name == "新主体有限公司"  # registered on the way
    assert created.kind == RecordKind.PENALTY and created.severity == "serious"
    assert CreditRecord.objects.get(external_id="CF-002").person == known


def test_a_file_import_twice_does_not_duplicate_records(catalogue):
    from banshi.catalog.models import Department

    good_uscc = _uscc("91410100MA9ABCDE1")
    content = f"统一社会信用代码,名称,失信事实,发生日期,来源编号\n{good_uscc},某公司,事实,2025-01-10,X-1\n"
    department = Department.objects.get(code="SCJG")
    for _ in range(2):
        checked = imports.parse_file(content.encode(), "a.csv", DAY, max_rows=100)
        outcome = services.import_rows(department, checked.rows, [], source="file")
    assert outcome.batch.duplicates == 1
    assert CreditRecord.objects.filter(external_id="X-1").count() == 1


def test_a_file_without_the_required_columns_is_refused_whole(catalogue):
    from banshi.policies.imports import FileProblem

    with pytest.raises(FileProblem) as refused:
        imports.parse_file("名称,事实\n某公司,x\n".encode(), "a.csv", DAY, max_rows=100)
    assert "表头缺少必填列" in refused.value.zh


def test_the_api_takes_a_departments_push_and_reports_bad_rows(catalogue):
    from banshi.api.tokens import create_token

    staff = make_staff("reviewer", department="SCJG")
    token = create_token(staff, "credit push")[1]
    body = {
        "department": "SCJG",
        "records": [
            {
                "identifier": id_number(901),
                "name": "李四",
                "facts": "虚假申报",
                "occurred_on": "2025-01-02",
                "severity": "grave",
            },
            {"identifier": "123", "facts": "x", "occurred_on": "2025-01-02"},
        ],
    }
    with clock.frozen(DAY):
        response = Client().post(
            "/api/v1/credit/records",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["accepted"] == 1
    assert data["rejected"][0]["row"] == 2
    person = CreditRecord.objects.get(facts="虚假申报").person
    with clock.frozen(DAY):
        standing = Client().get(
            f"/api/v1/credit/subjects/{person.id_number}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert standing.json()["level"] == "D"
    assert standing.json()["gated"] is True


def test_the_api_refuses_a_push_for_another_department(catalogue):
    from banshi.api.tokens import create_token

    token = create_token(make_staff("reviewer", department="XF"), "push")[1]
    response = Client().post(
        "/api/v1/credit/records",
        json.dumps({"department": "SCJG", "records": []}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_repair_is_filed_by_the_subject_and_decided_by_the_records_department_head(catalogue):
    from banshi.catalog.models import Department

    person = make_person()
    enterprise = make_enterprise(person)
    record = _record(enterprise)
    record.department = Department.objects.get(code="SCJG")
    record.save()
    with pytest.raises(PermissionDenied):
        services.file_repair(record, make_person().user, "与我无关")
    request = services.file_repair(record, person.user, "已整改完毕")
    with pytest.raises(RuleViolation):
        services.file_repair(record, person.user, "再次申请")  # one pending at a time
    with pytest.raises(PermissionDenied):
        services.decide_repair(request, make_staff("department_head", department="XF"), True, "x")
    services.decide_repair(
        request, make_staff("department_head", department="SCJG"), True, "整改到位"
    )
    record.refresh_from_db()
    assert record.repaired_at is not None
    assert selectors.credit_level(enterprise) == "A"


def test_a_denied_repair_keeps_the_record_counting(catalogue):
    person = make_person()
    record = _record(person)
    request = services.file_repair(record, person.user, "请求修复")
    decided = services.decide_repair(request, make_staff("supervisor"), False, "整改未完成")
    assert decided.status == "denied" and decided.decision_reasons == "整改未完成"
    assert selectors.credit_level(person) == "C"


def test_the_applicants_credit_page_shows_level_and_records(catalogue):
    person = make_person()
    _record(person, "minor")
    client = Client()
    client.force_login(person.user)
    page = client.get("/credit/mine/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "我的信用" in text and "一般（B）" in text and "申请信用修复" in text


def test_staff_pages_render_in_chinese(catalogue):
    enterprise = make_enterprise()
    enterprise.uscc = _uscc("91410100MA9ABCDF2")  # the factory's codes skip the check character
    enterprise.save()
    _record(enterprise)
    client = Client()
    client.force_login(make_staff("supervisor"))
    assert "较差" in client.get("/credit/staff/", {"q": enterprise.uscc}).content.decode()
    for url in (
        "/credit/staff/lists/",
        "/credit/staff/import/",
        "/credit/staff/repairs/",
        "/credit/staff/verifications/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    upload = io.BytesIO(
        f"统一社会信用代码,名称,失信事实,发生日期\n{enterprise.uscc},,事实,2025-01-01\n".encode()
    )
    upload.name = "r.csv"
    client.force_login(make_staff("department_head", department="SCJG"))
    response = client.post("/credit/staff/import/", {"department": "SCJG", "file": upload})
    text = response.content.decode()
    assert "导入 1 条" in text, text[text.find("<main") : text.find("</main>")]


def test_applicants_may_not_open_staff_pages(catalogue):
    client = Client()
    client.force_login(make_person().user)
    assert client.get("/credit/staff/").status_code == 403


def test_the_import_command_prints_taken_and_rejected_rows(catalogue, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "r.csv"
    good = _uscc("91410100MA9ABCDE1")
    path.write_text(
        f"统一社会信用代码,名称,失信事实,发生日期\n{good},某公司,事实,2025-01-01\n123,x,y,2025-01-01\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_credit", str(path), department="SCJG", stdout=out)
    assert "导入 1 条" in out.getvalue() and "第3行 [identifier]" in out.getvalue()


def test_an_excel_file_is_read_like_a_csv_with_dates_as_cells(catalogue):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "名称", "失信事实", "发生日期", "名录"])
    sheet.append(
        [_uscc("91410100MA9ABCDE1"), "某公司", "未公示年报", dt.date(2025, 1, 3), "经营异常名录"]
    )
    sheet.append([_uscc("91410100MA9ABCDE1"), "某公司", "x", "明天", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = imports.parse_file(buffer.getvalue(), "list.xlsx", DAY, max_rows=100)
    assert [row.list_kind for row in checked.rows] == ["abnormal"]
    assert checked.rows[0].occurred_on == dt.date(2025, 1, 3)
    assert [(e.row, e.column) for e in checked.errors] == [(3, "occurred_on")]


def test_the_applicants_credit_page_in_english(catalogue):
    person = make_person()
    record = _record(person, "minor")
    services.file_repair(record, person.user, "已整改")
    services.enter_list(person, "abnormal", "未按时年报", entered_on=dt.date(2025, 2, 1))
    client = Client()
    client.force_login(person.user)
    response = client.get("/credit/mine/", headers={"Accept-Language": "en"})
    text = main_text(response)
    assert "My credit" in text and "credit level" in text and "poor (C)" in text
    assert "Record sent by a department" in text and "Minor" in text and "Awaiting review" in text
    assert "List of abnormal operations" in text and "Request credit repair" in text
    assert chinese_left(response, person.name, "未按期履行", "已整改", "未按时年报") == []


def test_a_repair_request_is_confirmed_in_english(catalogue):
    person = make_person()
    record = _record(person, "minor")
    client = Client()
    client.force_login(person.user)
    client.cookies["django_language"] = "en"
    url = reverse("credit:file_repair", args=[record.pk])
    response = client.post(url, {"statement": "已整改"}, follow=True)
    assert "Credit repair request filed" in main_text(response)
