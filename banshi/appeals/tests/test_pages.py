"""The 12345 front doors: public pages, staff pages, JSON endpoints, commands, reports."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from banshi.appeals import charts, reports, services
from banshi.appeals.models import Appeal, Supervision
from banshi.appeals.tests.factories import (
    MONDAY,
    agent,
    dispatched,
    fresh,
    handler,
    staff,
    supervisor,
    taken_in,
)
from banshi.audit.models import Action as AuditAction
from banshi.audit.models import AuditEntry
from banshi.core import clock

pytestmark = pytest.mark.django_db

FORM = {
    "appeal_type": "complaint",
    "category": "0301",
    "title": "夜市占道经营",
    "content": "幸福路夜市摊点占用盲道，行人无法通行。",
    "area": "新港街道",
    "address": "幸福路",
    "caller_name": "李娜",
    "caller_phone": "13800000001",
    "contact_needed": "on",
}


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# ------------------------------------------------------------------ the public
def test_public_submission_shows_the_number_and_a_masked_phone():
    client = _client()
    response = client.post("/appeals/new/", FORM)
    appeal = Appeal.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/appeals/track/{appeal.number}/"
    )
    assert appeal.channel == "web"
    page = client.get(response["Location"]).content.decode()
    assert appeal.number in page and "138****0001" in page and "13800000001" not in page


def test_mobile_submission_is_recorded_as_the_mobile_channel():
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148")
    client.post("/appeals/new/", FORM)
    assert Appeal.objects.get().channel == "mobile"


def test_public_submission_with_bad_input_shows_the_refusal_and_writes_nothing():
    response = _client().post("/appeals/new/", {**FORM, "content": "很" * 5001})
    assert response.status_code == 422
    page = response.content.decode()
    assert "诉求内容不能超过5000个字" in page and "longer than 5000" in page
    assert "夜市占道经营" in page  # what was typed is kept
    assert not Appeal.objects.exists()


def test_tracking_needs_the_number_and_the_phone():
    appeal = taken_in(None, channel="web")
    client = _client()
    assert client.get(f"/appeals/track/{appeal.number}/").status_code == 404
    wrong = client.post("/appeals/track/", {"number": appeal.number, "phone": "13900000000"})
    assert wrong.status_code == 404 and "未找到工单" in wrong.content.decode()
    right = client.post("/appeals/track/", {"number": appeal.number, "phone": "13800001234"})
    assert right.status_code == 302
    assert "已受理" in client.get(right["Location"]).content.decode()


def test_the_caller_gives_satisfaction_and_asks_to_reopen_on_the_tracking_page():
    appeal = dispatched()
    scjg = handler("SCJG")
    services.acknowledge(appeal, scjg, None)
    services.reply(appeal, scjg, None, text="已依法处理完毕。")
    client = _client()
    client.post("/appeals/track/", {"number": appeal.number, "phone": "13800001234"})
    response = client.post(
        f"/appeals/track/{appeal.number}/callback/",
        {"satisfaction": "unsatisfied", "version": fresh(appeal).version},
    )
    assert response.status_code == 302 and fresh(appeal).state == "called_back"
    client.post(f"/appeals/track/{appeal.number}/reopen/", {"reason": "摊点又回来了"})
    assert fresh(appeal).state == "reopened"


def test_public_pages_carry_no_personal_data():
    appeal = dispatched()
    scjg = handler("SCJG")
    services.acknowledge(appeal, scjg, None)
    services.reply(appeal, scjg, None, text="已依法处理完毕。")
    for url in (
        "/appeals/",
        "/appeals/public/?period=month&date=2025-03",
        "/ratings/public/?date=2025-03",
    ):
        page = _client().get(url).content.decode()
        assert "13800001234" not in page and "张三" not in page
    assert "按期办结率" in _client().get("/appeals/public/?date=2025-03").content.decode()


# ------------------------------------------------------------------ staff access
def test_staff_pages_need_a_staff_role():
    anonymous = _client().get("/appeals/staff/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    from banshi.cases.tests.factories import make_person

    citizen = make_person("李娜")
    assert _client(citizen.user).get("/appeals/staff/").status_code == 403
    assert _client(handler("SCJG")).get("/appeals/staff/board/").status_code == 403


def test_department_list_and_detail_show_the_caller_masked_until_revealed_with_a_purpose():
    appeal = dispatched()
    scjg = handler("SCJG")
    client = _client(scjg)
    desk = client.get("/appeals/staff/").content.decode()
    assert appeal.number in desk and "138****1234" in desk and "13800001234" not in desk
    page = client.get(f"/appeals/staff/{appeal.number}/").content.decode()
    assert "13800001234" not in page and "查看联系方式" in page
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_CALLER).exists()
    revealed = client.post(f"/appeals/staff/{appeal.number}/reveal/", {"purpose": "约定现场核查"})
    assert "13800001234" in revealed.content.decode()
    assert AuditEntry.objects.get(action=AuditAction.VIEW_CALLER).purpose == "约定现场核查"
    assert "约定现场核查" in client.get(f"/appeals/staff/{appeal.number}/").content.decode()
    refused = client.post(f"/appeals/staff/{appeal.number}/reveal/", {"purpose": ""})
    assert (
        "13800001234" not in refused.content.decode()
        and "请填写查看用途" in refused.content.decode()
    )


def test_a_department_cannot_open_a_ticket_not_dispatched_to_it():
    appeal = dispatched(lead="SCJG")
    client = _client(handler("CG"))
    assert client.get(f"/appeals/staff/{appeal.number}/").status_code == 404
    assert client.post(f"/appeals/staff/{appeal.number}/act/acknowledge/").status_code == 404


def test_the_centre_sees_the_caller_and_the_view_is_logged():
    appeal = taken_in()
    page = _client(agent()).get(f"/appeals/staff/{appeal.number}/").content.decode()
    assert "13800001234" in page
    views = AuditEntry.objects.filter(action=AuditAction.VIEW_CALLER, subject_id=str(appeal.pk))
    assert views.count() == 1


def test_actions_from_the_staff_page_and_their_refusals():
    appeal = dispatched()
    client = _client(handler("SCJG"))
    seen = appeal.version
    client.post(f"/appeals/staff/{appeal.number}/act/acknowledge/", {"version": seen})
    assert fresh(appeal).state == "acknowledged"
    stale = client.post(
        f"/appeals/staff/{appeal.number}/act/reply/",
        {"version": seen, "text": "旧页面上的答复内容"},
        follow=True,
    )
    assert "已被他人处理" in stale.content.decode() and fresh(appeal).state == "acknowledged"
    no_reason = client.post(
        f"/appeals/staff/{appeal.number}/act/return/",
        {"version": fresh(appeal).version},
        follow=True,
    )
    assert "退单理由" in no_reason.content.decode() and fresh(appeal).state == "acknowledged"


def test_hotline_intake_form_dispatches_a_call_in_progress():
    client = _client(agent())
    assert client.get("/appeals/staff/intake/").status_code == 200
    response = client.post(
        "/appeals/staff/intake/", {**FORM, "route": "dispatch", "lead": "", "assisting": ["SCJG"]}
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.channel == "hotline"
    assert appeal.state == "dispatched" and appeal.lead_department.code == "CG"  # the default
    assert set(appeal.assignments.values_list("department__code", flat=True)) == {"CG", "SCJG"}


def test_hotline_intake_form_answers_a_consultation_from_the_knowledge_base():
    from banshi.appeals.models import KnowledgeEntry

    entry = KnowledgeEntry.objects.get(question__startswith="12345 热线受理哪些")
    client = _client(agent())
    response = client.post(
        "/appeals/staff/intake/",
        {
            **FORM,
            "appeal_type": "consult",
            "category": "99",
            "route": "answer",
            "answer": entry.answer,
            "knowledge_entry": entry.pk,
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.state == "answered_direct" and appeal.knowledge_entry == entry


def test_window_clerk_takes_in_at_the_could_not_get_it_done_window():
    client = _client(staff("window_clerk", department="ZWFW"))
    response = client.post(
        "/appeals/staff/intake/", {**FORM, "source_reference": "BS-20250303-000007"}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.channel == "window" and appeal.state == "new"
    assert appeal.source_reference == "BS-20250303-000007"


def test_knowledge_search_finds_faq_entries():
    client = _client(agent())
    page = client.get("/appeals/staff/knowledge/", {"q": "营业执照补办"}).content.decode()
    assert "营业执照丢了怎么补领" in page
    partial = client.get(
        "/appeals/staff/knowledge/", {"q": "公积金", "target": "f-answer"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "提取住房公积金" in partial and "data-use-answer" in partial and "<html" not in partial


def test_supervisor_board_lists_overdue_tickets():
    appeal = dispatched()
    with clock.frozen(dt.date(2025, 3, 24)):
        services.scan()
        page = _client(supervisor()).get("/appeals/staff/board/").content.decode()
    assert appeal.number in page and "超期" in page
    assert Supervision.objects.filter(appeal=appeal).exists()


# ------------------------------------------------------------------ JSON endpoints
def _json(client, url, data=None, method="post"):
    if method == "get":
        return client.get(url)
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_api_takes_in_dispatches_and_refuses_with_bilingual_json():
    client = _client(agent())
    created = _json(
        client,
        "/appeals/api/appeals",
        {
            "type": "complaint",
            "category": "0201",
            "title": "餐馆卫生差",
            "content": "后厨油污严重，请检查。",
            "caller_phone": "13800001234",
            "channel": "hotline",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "new" and body["caller_phone_masked"] == "138****1234"
    assert "13800001234" not in created.content.decode()
    number = body["number"]
    moved = _json(
        client,
        f"/appeals/api/appeals/{number}/dispatch",
        {"lead": "SCJG", "version": body["version"]},
    )
    assert moved.status_code == 200 and moved.json()["state"] == "dispatched"
    conflict = _json(
        client, f"/appeals/api/appeals/{number}/dispatch", {"lead": "SCJG", "version": 1}
    )
    assert conflict.status_code == 409 and conflict.json()["error"] == "conflict"
    wrong = _json(_client(handler("CG")), f"/appeals/api/appeals/{number}/acknowledge", {})
    assert wrong.status_code == 404
    bad = client.post("/appeals/api/appeals", data="{not json", content_type="application/json")
    assert bad.status_code == 422 and bad.json()["message_en"]
    empty = _json(
        client,
        "/appeals/api/appeals",
        {"type": "complaint", "category": "0201", "channel": "hotline"},
    )
    assert empty.status_code == 422 and "请填写" in empty.json()["message_zh"]
    assert (
        _json(client, f"/appeals/api/appeals/{number}", method="get").json()["lead_department"]
        == "SCJG"
    )
    assert _json(client, f"/appeals/api/appeals/{number}/fly", {}).status_code == 404


def test_api_hotline_channel_is_for_agents_only():
    response = _json(
        _client(),
        "/appeals/api/appeals",
        {
            "type": "help",
            "category": "99",
            "title": "求助",
            "content": "请帮忙联系社区。",
            "caller_phone": "13800001234",
            "channel": "hotline",
        },
    )
    assert response.status_code == 403 and response.json()["error"] == "permission_denied"


# ------------------------------------------------------------------ commands
def test_seed_command_is_idempotent():
    out = io.StringIO()
    call_command("appeals", "seed", stdout=out)
    assert "categories +0" in out.getvalue()  # the data migration already wrote them


def test_scan_command_prints_what_it_did_and_is_idempotent():
    dispatched()
    first, second = io.StringIO(), io.StringIO()
    call_command("appeals", "scan", "--date", "2025-03-24", stdout=first)
    call_command("appeals", "scan", "--date", "2025-03-24", stdout=second)
    assert "超期催办 2" in first.getvalue()  # the acknowledge and the handling clock
    assert "超期催办 0" in second.getvalue()


# ------------------------------------------------------------------ reports
def _handled(
    category="0201", *, on_time=True, returned=False, satisfaction="satisfied", area="新港街道"
):
    appeal = taken_in(category=category, area=area)
    if returned:
        appeal = dispatched(appeal, lead="CG")
        services.return_appeal(appeal, handler("CG"), None, reason="unclear")
    appeal = dispatched(fresh(appeal), lead="SCJG")
    user = handler("SCJG")
    services.acknowledge(appeal, user, None)
    day = MONDAY if on_time else dt.date(2025, 3, 28)
    with clock.frozen(day):
        services.reply(appeal, user, None, text="已处理完毕并答复。")
        services.callback(appeal, agent(), None, satisfaction=satisfaction)
    return fresh(appeal)


def test_monthly_report_figures():
    """On-time rate, return rate, satisfaction and hot topics as defined in reports.py."""
    _handled()
    _handled(on_time=False, satisfaction="unsatisfied")
    _handled(returned=True, satisfaction="basic", area="滨河街道")
    taken_in(appeal_type="consult", category="0502", area="滨河街道")
    report = reports.appeal_report(reports.period("month", MONDAY))
    totals = report["totals"]
    assert totals["total"] == 4 and totals["dispatched"] == 3 and totals["replied"] == 3
    assert totals["on_time_rate"] == pytest.approx(2 / 3)
    assert totals["return_rate"] == pytest.approx(1 / 3)
    assert totals["satisfaction_rate"] == pytest.approx(2 / 3)
    assert {row["label"]: row["n"] for row in report["by_type"]} == {"投诉": 3, "咨询": 1}
    assert report["hot_areas"][0]["n"] == 2
    departments = {row["label"]: row for row in report["by_department"]}
    assert departments["城市管理局"]["return_rate"] == 1.0 and departments["城市管理局"]["n"] == 0
    assert departments["市场监督管理局"]["on_time_rate"] == pytest.approx(2 / 3)
    assert sum(day["n"] for day in report["per_day"]) == 4 and len(report["per_day"]) == 31
    week = reports.appeal_report(reports.period("week", MONDAY))
    assert week["period"].start == MONDAY and week["totals"]["total"] == 4


def test_report_pages_and_excel_download():
    _handled()
    client = _client(supervisor())
    page = client.get("/appeals/staff/reports/?period=month&date=2025-03").content.decode()
    assert "2025年3月" in page and page.count("<svg") >= 5
    response = client.get("/appeals/staff/reports/?period=week&date=2025-03-03&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["总体", "按类型", "按渠道"]
    assert book["总体"]["A3"].value == "受理量" and book["总体"]["B3"].value == 1
    rating = client.get("/ratings/staff/reports/?date=2025-03&format=xlsx")
    assert load_workbook(io.BytesIO(rating.content)).sheetnames[0] == "总体"


def test_period_parsing_falls_back_on_bad_input():
    assert reports.parse_period("month", "2025-02", MONDAY).start == dt.date(2025, 2, 1)
    assert reports.parse_period("week", "2025-03-05", MONDAY).start == MONDAY
    assert reports.parse_period("year", "garbage", MONDAY) == reports.period("month", MONDAY)
    assert reports.period("month", dt.date(2025, 12, 31)).end == dt.date(2026, 1, 1)


# ------------------------------------------------------------------ charts
def test_charts_escape_labels_and_handle_empty_data():
    svg = charts.bar_chart([("<script>alert(1)</script>", 3), ("B", None)], title="t&t")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "—" in svg and 'role="img"' in svg
    assert "本期无数据" in charts.bar_chart([], title="空")
    assert "50.0%" in charts.bar_chart([("A", 0.5)], title="率", percent=True)
    line = charts.line_chart([("03-01", 0), ("03-02", 7)], title="每日")
    assert line.count("<circle") == 2 and "<path" in line


@pytest.mark.django_db(transaction=False)
def test_monthly_report_reads_the_covering_index_on_postgresql():
    """Reports are index range scans (no full scan): checked on PostgreSQL only."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN check runs on PostgreSQL (DATABASE_URL=postgres://…)")
    from banshi.appeals.benchmarks import explain_totals

    taken_in()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = explain_totals(reports.period("month", MONDAY))
    assert "appeal_received_cover" in plan and "Seq Scan" not in plan


def test_staff_menu_shows_only_the_pages_the_role_may_open():
    menu = _client(handler("CG")).get("/appeals/staff/").content.decode()
    assert "/appeals/staff/knowledge/" in menu
    for hidden in ("/appeals/staff/intake/", "/appeals/staff/board/", "/ratings/staff/reports/"):
        assert f'href="{hidden}"' not in menu
    full = _client(agent()).get("/appeals/staff/").content.decode()
    for shown in ("/appeals/staff/intake/", "/appeals/staff/board/", "/ratings/staff/reports/"):
        assert f'href="{shown}"' in full


def test_a_logged_in_caller_finds_their_own_requests_on_the_tracking_page():
    from banshi.cases.tests import factories as case_factories

    person = case_factories.make_person("李娜")
    client = _client(person.user)
    client.post("/appeals/new/", FORM)
    mine = Appeal.objects.get()
    assert mine.caller_person == person
    taken_in(None, channel="web", title="别人的诉求")
    page = client.get("/appeals/track/").content.decode()
    assert 'id="mine"' in page and mine.number in page and "已受理" in page
    assert "别人的诉求" not in page
    assert 'id="mine"' not in _client().get("/appeals/track/").content.decode()
