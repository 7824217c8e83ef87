"""Rules of reference/standards.md §3 not covered by a test of their own in test_ratings.py, one
test per rule, named after it (§3.1 objects, §3.6 channels, §3.13 GB/T 39734 §9.2 差评分类), and the
rectification deadline that runs into a year with no calendar data (flagged, not refused)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.appeals.errors import NotFound, PermissionDenied, RuleViolation
from banshi.appeals.tests.factories import agent, dispatched, staff
from banshi.core import clock
from banshi.ratings import services
from banshi.ratings.models import Rating, Rectification
from banshi.ratings.tests.factories import PHONE, closed_appeal, finished_case

pytestmark = pytest.mark.django_db


def _head(department="SCJG"):
    return staff("department_head", department=department)


def test_3_1_every_evaluation_object_department_window_staff_and_item_is_recorded():
    """§3.1/§3.2: full coverage of evaluation objects — a rating names the department and, where
    known, the item, the window and the staff member, so reports break down by each."""
    case, person = finished_case()
    online = services.rate_case(person.user, case, level=5)
    assert online.department.code == "SCJG" and online.item is not None
    appeal, replier = closed_appeal()
    hotline = services.rate_appeal(None, appeal.number, phone=PHONE, level=4)
    assert hotline.department.code == "SCJG" and hotline.staff == replier
    visit = services.rate_visit("A01", services.new_visit("A01"), level=5)
    assert visit.window.code == "A01" and visit.department is not None


def test_3_6_channels_online_12345_and_the_window_qr_code_are_told_apart():
    """§3.6: online (政务服务网), 12345 handling and on-site QR ratings each carry their channel
    and the national indicator set of their mode (§3.12)."""
    case, person = finished_case()
    services.rate_case(person.user, case, level=5)
    appeal, _ = closed_appeal()
    services.rate_appeal(None, appeal.number, phone=PHONE, level=5)
    services.rate_visit("A01", services.new_visit("A01"), level=5)
    rows = {
        (r.subject_kind, r.channel, r.indicator_set.service_mode)
        for r in Rating.objects.select_related("indicator_set")
    }
    assert rows == {
        ("case", "web", "online"),
        ("appeal", "web", "online"),
        ("visit", "qr", "onsite"),
    }


def test_3_13_bad_ratings_are_classified_from_the_standard_list_gbt_39734_9_2():
    """GB/T 39734 §9.2 差评分类: verifying a bad rating needs a category from the list."""
    appeal, _ = closed_appeal()
    rating = services.rate_appeal(None, appeal.number, phone=PHONE, level=1, comment="态度很差")
    for category in ("", "rudeness"):
        with pytest.raises(RuleViolation) as error:
            services.verify(
                rating.rectification,
                _head(),
                None,
                contacted=True,
                finding="immediate",
                category=category,
                note="已联系评价人",
            )
        assert "差评分类" in error.value.zh and error.value.en
    assert Rectification.objects.get().state == "verifying"


def test_rectification_deadline_in_a_year_without_calendar_data_is_flagged_provisional():
    """DESIGN §4: a count into a year with no holiday notice is computed on weekdays and flagged."""
    with clock.frozen(dt.date(2026, 12, 21)):
        rating = services.rate_visit(
            "A01", services.new_visit("A01"), level=1, comment="窗口人员态度生硬"
        )
    rectification = rating.rectification
    assert rectification.due.year == 2027 and rectification.due_provisional is True


def test_3_6_the_12345_channel_an_agent_records_the_rating_given_on_the_phone():
    """§3.6: 12345 热线 is a rating channel — the agent records what the caller says at the
    callback; the same rules as on the web (one per request, closed only)."""
    appeal, _ = closed_appeal()
    rating = services.record_hotline_rating(agent(), appeal.number, level=2, comment="办得太慢了")
    assert rating.channel == "hotline" and rating.is_bad and rating.named
    assert rating.rectification.state == "verifying"
    with pytest.raises(RuleViolation) as error:  # 一事一评: the web cannot rate it again
        services.rate_appeal(None, appeal.number, phone=PHONE, level=5)
    assert "不能重复评价" in error.value.zh


def test_3_6_only_agents_record_phone_ratings_and_only_of_closed_requests():
    appeal, _ = closed_appeal()
    with pytest.raises(PermissionDenied):
        services.record_hotline_rating(_head(), appeal.number, level=5)
    still_open = dispatched()
    with pytest.raises(RuleViolation) as error:
        services.record_hotline_rating(agent(), still_open.number, level=5)
    assert "尚未办结" in error.value.zh
    with pytest.raises(NotFound):
        services.record_hotline_rating(agent(), "12345-NOPE", level=5)
    assert not Rating.objects.exists()


def test_phone_rating_form_on_the_staff_page_of_a_closed_request():
    from django.test import Client

    appeal, _ = closed_appeal()
    client = Client()
    client.force_login(agent())
    page = client.get(f"/appeals/staff/{appeal.number}/").content.decode()
    assert 'id="phone-rating"' in page
    response = client.post(
        f"/ratings/staff/appeals/{appeal.number}/phone/", {"level": "5", "contact_ok": "on"}
    )
    assert response.status_code == 302 and Rating.objects.get().channel == "hotline"
    page = client.get(f"/appeals/staff/{appeal.number}/").content.decode()
    assert 'id="phone-rating"' not in page
    refused = client.post(f"/ratings/staff/appeals/{appeal.number}/phone/", {"level": "1"})
    assert refused.status_code == 302 and Rating.objects.count() == 1
