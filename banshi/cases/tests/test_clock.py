"""The clock: time left from events, warnings, supervision, the scan and its command."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command

from banshi.cases import conf, scheduler, services
from banshi.cases.models import Supervision
from banshi.cases.tests.factories import (
    MONDAY,
    accepted,
    case_of,
    fresh,
    head,
    reviewer,
    reviewing,
    submit,
)
from banshi.core import clock
from banshi.workdays.services import get_calendar

pytestmark = pytest.mark.usefixtures("catalogue")

DUE = dt.date(2025, 3, 31)  # MONDAY + 20 WD


def food_case():
    application = accepted(item="SCJG-XK-001")
    return reviewing(case_of(application, "SCJG-XK-001"))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (MONDAY, (20, 20, "green")),
        (dt.date(2025, 3, 20), (7, 20, "green")),
        (dt.date(2025, 3, 21), (6, 20, "yellow")),  # 6 <= 20/3
        (DUE, (0, 20, "yellow")),
        (dt.date(2025, 4, 1), (-1, 20, "red")),
    ],
)
def test_clock_status_turns_yellow_at_a_third_and_red_when_overdue(today, expected):
    assert tuple(services.clock_status(food_case(), today)) == expected


def test_the_clock_from_events_agrees_with_the_stored_deadline():
    case = food_case()
    calendar = get_calendar()
    day = MONDAY
    while day <= dt.date(2025, 4, 10):
        remaining = services.clock_status(case, day).remaining
        assert remaining == calendar.between(day, case.decision_due), day
        day += dt.timedelta(days=1)


def test_a_paused_clock_keeps_its_remaining_days__art45():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 5)):
        services.pause(case, "appraisal", 10, reviewer(), case.version)
    case = fresh(case)
    assert services.clock_status(case, dt.date(2025, 3, 5)) == (18, 20, "paused")
    assert services.clock_status(case, dt.date(2025, 3, 28)) == (18, 20, "paused")


def test_the_warning_fraction_is_a_setting(settings):
    settings.BANSHI_WARNING_FRACTION = "1/2"
    assert services.clock_status(food_case(), dt.date(2025, 3, 17)).level == "yellow"


def test_the_issue_clock_runs_after_a_grant__art44():
    case = food_case()
    with clock.frozen(MONDAY):
        services.decide(case, True, "", head(), case.version)
    case = fresh(case)
    assert services.clock_status(case, MONDAY) == (10, 10, "green")
    assert services.clock_status(case, dt.date(2025, 3, 18)) == (-1, 10, "red")


def test_an_ended_case_has_no_clock():
    case = food_case()
    with clock.frozen(MONDAY):
        services.decide(case, False, "不符合", head(), case.version, remedy_notice="可复议")
    assert services.clock_status(fresh(case), MONDAY) == (None, None, "none")


def test_supervision_is_raised_once_per_level():
    case = food_case()
    assert services.raise_supervisions(dt.date(2025, 3, 20)) == {"yellow": [], "red": []}
    assert services.raise_supervisions(dt.date(2025, 3, 21)) == {"yellow": [case.number], "red": []}
    assert services.raise_supervisions(dt.date(2025, 3, 24)) == {"yellow": [], "red": []}
    assert services.raise_supervisions(dt.date(2025, 4, 1)) == {"yellow": [], "red": [case.number]}
    assert services.raise_supervisions(dt.date(2025, 4, 2)) == {"yellow": [], "red": []}
    assert list(
        Supervision.objects.order_by("raised_at", "pk").values_list("level", flat=True)
    ) == [
        "yellow",
        "red",
    ]


def test_a_case_found_overdue_at_once_gets_only_the_red_supervision():
    case = food_case()
    services.raise_supervisions(dt.date(2025, 4, 1))
    assert list(case.supervisions.values_list("level", flat=True)) == ["red"]


def test_the_decision_resolves_the_decision_supervisions():
    case = food_case()
    services.raise_supervisions(dt.date(2025, 3, 21))
    with clock.frozen(dt.date(2025, 3, 21)):
        services.decide(case, True, "", head(), fresh(case).version)
    assert Supervision.objects.get().resolved_at is not None


def test_a_paused_case_is_not_supervised__art45():
    case = food_case()
    with clock.frozen(dt.date(2025, 3, 5)):
        services.pause(case, "appraisal", 10, reviewer(), case.version)
    assert services.raise_supervisions(dt.date(2025, 4, 30)) == {"yellow": [], "red": []}


def test_the_scan_does_everything_once_and_then_nothing():
    overdue_intake = submit(day=MONDAY)
    case = food_case()
    first = services.scan(dt.date(2025, 4, 1))
    assert first.deemed_accepted == [overdue_intake.number]
    deemed_cases = [c.number for c in overdue_intake.cases.order_by("pk")]
    assert first.red == [*deemed_cases, case.number]  # accepted as of receipt: overdue too
    second = services.scan(dt.date(2025, 4, 1))
    assert not second.changed


def test_the_command_prints_what_it_did_and_is_idempotent():
    food_case()
    out = io.StringIO()
    call_command("scan_deadlines", "--date", "2025-04-01", stdout=out)
    assert "red: 1" in out.getvalue()
    out = io.StringIO()
    call_command("scan_deadlines", "--date", "2025-04-01", stdout=out)
    assert "red: 0" in out.getvalue() and "nothing to do" in out.getvalue()


def test_no_scheduler_thread_starts_by_default():
    assert conf.inprocess_scheduler() is False
    assert not any(t.name == "banshi-deadline-scan" for t in threading.enumerate())


def test_the_scheduler_setting_is_read_from_settings(settings):
    settings.BANSHI_INPROCESS_SCHEDULER = True
    settings.BANSHI_SCAN_INTERVAL_MINUTES = 5
    assert conf.inprocess_scheduler() is True and conf.scan_minutes() == 5


def test_the_scheduler_starts_one_thread_per_process(monkeypatch):
    monkeypatch.setattr(scheduler, "_run", lambda: scheduler._stop.wait(5))
    thread = scheduler.start()
    try:
        assert thread is not None and thread.daemon
        assert scheduler.start() is None
    finally:
        scheduler.stop()
        thread.join(5)
        scheduler._thread = None


def test_one_scheduled_run_scans_and_logs(caplog):
    food_case()
    with (
        clock.frozen(dt.date(2025, 4, 1)),
        caplog.at_level("INFO", logger="banshi.cases.scheduler"),
    ):
        scheduler.run_once()
    assert "red: 1" in caplog.text


def test_an_immediate_item_is_not_warned_on_its_day_but_is_overdue_the_next__art34():
    application = accepted(item="GA-YZ-001")
    case = case_of(application, "GA-YZ-001")
    assert services.clock_status(case, MONDAY) == (0, 0, "green")
    assert services.raise_supervisions(MONDAY) == {"yellow": [], "red": []}
    assert services.raise_supervisions(dt.date(2025, 3, 4)) == {"yellow": [], "red": [case.number]}
