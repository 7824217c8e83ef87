"""The 好差评 front doors: the rating step on the applicant's progress page, the rating pages and
their refusals, window QR codes, staff reports with Excel, the public disclosure."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from banshi.appeals.tests.factories import staff, supervisor
from banshi.ratings import services
from banshi.ratings.models import Rating, Rectification
from banshi.ratings.tests.factories import PHONE, closed_appeal, finished_case, open_case

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# ------------------------------------------------------- the rating step of an application (§3.5)
def test_progress_page_links_to_the_rating_step_once_a_case_has_ended_3_5():
    case, person = finished_case()
    page = _client(person.user).get(f"/applications/{case.application.number}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="rating-link"' in html
    assert f"/ratings/applications/{case.application.number}/" in html
    assert "有 1 个办件已办结" in html


def test_progress_page_offers_no_rating_while_nothing_has_ended():
    case, person = open_case()
    html = _client(person.user).get(f"/applications/{case.application.number}/").content.decode()
    assert 'id="rating-link"' not in html


def test_progress_page_thanks_once_every_ended_case_is_rated_3_5():
    case, person = finished_case()
    services.rate_case(person.user, case, level=5)
    html = _client(person.user).get(f"/applications/{case.application.number}/").content.decode()
    assert "您已评价全部已办结的办件" in html and "有 1 个办件已办结" not in html


def test_rating_step_page_rates_a_case_and_a_second_rating_is_refused_3_5():
    case, person = finished_case()
    client = _client(person.user)
    url = f"/ratings/applications/{case.application.number}/"
    assert client.post(url, {"case": case.number, "level": "5"}).status_code == 302
    again = client.post(url, {"case": case.number, "level": "1", "comment": "再评一次试试"})
    assert again.status_code == 422 and "不能重复评价" in again.content.decode()
    assert Rating.objects.count() == 1


def test_rating_step_of_an_application_that_is_not_yours_is_not_found_3_2():
    case, _ = finished_case()
    _, stranger = open_case()
    response = _client(stranger.user).get(f"/ratings/applications/{case.application.number}/")
    assert response.status_code == 404 and not Rating.objects.exists()


def test_rating_page_with_a_bad_level_shows_the_refusal_in_both_languages():
    case, person = finished_case()
    response = _client(person.user).post(
        f"/ratings/applications/{case.application.number}/", {"case": case.number, "level": "9"}
    )
    html = response.content.decode()
    assert response.status_code == 422 and "评价等级" in html and 'lang="en"' in html
    assert not Rating.objects.exists()


def test_rating_a_request_needs_the_caller_proved_on_the_tracking_page():
    appeal, _ = closed_appeal()
    client = _client()
    blocked = client.get(f"/ratings/appeals/{appeal.number}/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/appeals/track/")
    client.post("/appeals/track/", {"number": appeal.number, "phone": PHONE})
    rated = client.post(
        f"/ratings/appeals/{appeal.number}/", {"level": "2", "comment": "拖了好几天才处理"}
    )
    assert rated.status_code == 302
    rating = Rating.objects.get(appeal=appeal)
    assert rating.is_bad and Rectification.objects.filter(rating=rating).exists()


def test_bad_rating_with_an_enormous_comment_is_refused_and_writes_nothing():
    appeal, _ = closed_appeal()
    client = _client()
    client.post("/appeals/track/", {"number": appeal.number, "phone": PHONE})
    response = client.post(
        f"/ratings/appeals/{appeal.number}/", {"level": "1", "comment": "差" * 100_000}
    )
    assert response.status_code == 422 and not Rating.objects.exists()


# ------------------------------------------------------- windows: QR code, one visit one rating
def test_window_page_and_its_qr_code_3_5_3_6():
    page = _client().get("/ratings/windows/A01/")
    assert page.status_code == 200 and 'name="visit"' in page.content.decode()
    qr = _client().get("/ratings/windows/A01/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert _client().get("/ratings/windows/NOPE/qr.svg").status_code == 404


def test_window_rating_without_an_opened_visit_is_refused_3_5():
    response = _client().post("/ratings/windows/A01/", {"level": "5", "visit": "forged"})
    assert response.status_code == 422 and not Rating.objects.exists()


# ------------------------------------------------------- reports and disclosure (§3.11)
def test_rating_report_page_and_excel_download():
    appeal, _ = closed_appeal()
    services.rate_appeal(None, appeal.number, phone=PHONE, level=2, comment="处理太慢了")
    client = _client(supervisor())
    page = client.get("/ratings/staff/reports/?period=month&date=2025-03-03")
    assert page.status_code == 200 and "svg" in page.content.decode()
    for by in ("department", "window", "staff", "item"):
        assert client.get(f"/ratings/staff/reports/?by={by}").status_code == 200
    download = client.get("/ratings/staff/reports/?period=month&date=2025-03-03&format=xlsx")
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content))
    assert len(book.sheetnames) >= 2 and book.worksheets[0].max_row > 1


def test_rating_report_needs_a_staff_role():
    _, person = finished_case()
    assert _client(person.user).get("/ratings/staff/reports/").status_code in (302, 403)
    clerk = staff("window_clerk", department="ZWFW")
    assert _client(clerk).get("/ratings/staff/reports/").status_code in (302, 403)


def test_public_disclosure_publishes_results_and_rectification_without_personal_data_3_11():
    appeal, _ = closed_appeal()
    services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="态度很差")
    html = _client().get("/ratings/public/?period=month&date=2025-03-03").content.decode()
    assert "好评率" in html and "整改" in html
    assert PHONE not in html and "138****1234" not in html and "态度很差" not in html
