"""Rules of reference/standards.md §3 not covered by a test of their own in test_ratings.py, one
test per rule, named after it (§3.1 objects, §3.6 channels, §3.13 GB/T 39734 §9.2 差评分类), and the
rectification deadline that runs into a year with no calendar data (flagged, not refused)."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.appeals.errors import RuleViolation
from banshi.appeals.tests.factories import staff
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
