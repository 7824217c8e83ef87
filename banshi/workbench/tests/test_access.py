"""Who may open which page, and what each queue shows: staff only, each department its own."""

from __future__ import annotations

import pytest
from django.test import Client

from banshi.cases.tests import factories
from banshi.workbench.tests.conftest import client_for, staff

pytestmark = pytest.mark.django_db

PAGES = ["/workbench/", "/workbench/intake/", "/workbench/cases/", "/workbench/supervision/"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(catalogue, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_an_applicant_gets_the_chinese_403_page(applicant_user, url):
    response = client_for(applicant_user).get(url)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_an_applicant_cannot_open_their_own_application_on_the_workbench(applicant_user):
    application = factories.submit(applicant_user.person)
    response = client_for(applicant_user).get(f"/workbench/applications/{application.number}/")
    assert response.status_code == 403


def test_a_catalogue_admin_reaches_the_landing_page_but_not_the_case_queue(catalogue):
    admin = staff("catalogue_admin", department="SCJG")
    client = client_for(admin)
    assert "不办理申请和办件" in client.get("/workbench/").content.decode()
    assert client.get("/workbench/cases/").status_code == 403


def test_a_reviewer_cannot_open_the_window_queue(scjg_reviewer):
    assert client_for(scjg_reviewer).get("/workbench/intake/").status_code == 403


def test_the_department_queue_lists_only_the_departments_own_cases(scjg_reviewer):
    application = factories.accepted(answers={"shop.area": 500})  # SCJG ×2 and XF
    page = client_for(scjg_reviewer).get("/workbench/cases/").content.decode()
    numbers = {case.item.code: case.number for case in application.cases.all()}
    assert numbers["SCJG-DJ-001"] in page
    assert numbers["SCJG-XK-001"] in page
    assert numbers["XF-JC-001"] not in page


def test_another_departments_case_page_is_not_found(scjg_reviewer):
    application = factories.accepted(answers={"shop.area": 500})
    xf_case = factories.case_of(application, "XF-JC-001")
    response = client_for(scjg_reviewer).get(f"/workbench/cases/{xf_case.number}/")
    assert response.status_code == 404


def test_a_supervisor_sees_every_departments_cases(supervisor):
    application = factories.accepted(answers={"shop.area": 500})
    page = client_for(supervisor).get("/workbench/cases/").content.decode()
    for case in application.cases.all():
        assert case.number in page


def test_the_window_queue_lists_applications_of_the_clerks_departments_only(catalogue):
    application = factories.submit()  # KBCYD: SCJG cases only
    everywhere = staff("window_clerk", department="GA", all_departments=True)
    ga_only = staff("window_clerk", department="GA")
    assert application.number in client_for(everywhere).get("/workbench/intake/").content.decode()
    assert application.number not in client_for(ga_only).get("/workbench/intake/").content.decode()
    url = f"/workbench/applications/{application.number}/"
    assert client_for(ga_only).get(url).status_code == 404


def test_the_window_queue_masks_the_applicant_and_shows_the_intake_clock(clerk):
    person = factories.make_person("欧阳娜娜")
    factories.submit(person, bundle=None, item="WS-XK-001")
    page = client_for(clerk).get("/workbench/intake/").content.decode()
    assert "欧***" in page
    assert "欧阳娜娜" not in page
    assert "2025-03-10" in page  # receipt + 5 working days (第32条(四))
    assert "剩 5 个工作日" in page


def test_the_intake_clock_turns_yellow_then_red(clerk, monday):
    from banshi.core import clock

    factories.submit(bundle=None, item="WS-XK-001")
    client = client_for(clerk)
    with clock.frozen(factories.dt.date(2025, 3, 7)):  # Friday: 1 working day left
        assert "clock-yellow" in client.get("/workbench/intake/").content.decode()
    with clock.frozen(factories.dt.date(2025, 3, 11)):  # past the 5th working day
        assert "clock-red" in client.get("/workbench/intake/").content.decode()


def test_filtering_the_case_queue_with_htmx_returns_only_the_table(scjg_reviewer):
    factories.accepted()
    response = client_for(scjg_reviewer).get(
        "/workbench/cases/?state=accepted", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="queue"')
    assert "<html" not in body


def test_filtering_the_case_queue_by_state(scjg_reviewer):
    application = factories.accepted()
    reviewing = factories.reviewing(factories.case_of(application, "SCJG-DJ-001"))
    waiting = factories.case_of(application, "SCJG-XK-001")
    page = client_for(scjg_reviewer).get("/workbench/cases/?state=under_review").content.decode()
    assert reviewing.number in page
    assert waiting.number not in page


def test_the_landing_page_counts_the_window_queue(clerk):
    factories.submit()
    factories.submit()
    page = client_for(clerk).get("/workbench/").content.decode()
    assert "待受理申请" in page
    assert '<span class="wb-count">2</span>' in page
