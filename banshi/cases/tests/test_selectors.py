"""Who sees what: department × state, filtered in the query; applicants see their own."""

from __future__ import annotations

import datetime as dt

import pytest

from banshi.cases import selectors, services
from banshi.cases.models import Case
from banshi.cases.tests.factories import (
    accepted,
    authorise,
    make_person,
    make_staff,
    reviewer,
    submit,
)

pytestmark = pytest.mark.usefixtures("catalogue")


def test_staff_see_only_their_departments_cases():
    accepted(answers={"shop.area": 500})
    scjg = selectors.cases_visible_to(reviewer("SCJG"))
    fire = selectors.cases_visible_to(reviewer("XF"))
    assert set(scjg.values_list("department__code", flat=True)) == {"SCJG"}
    assert list(fire.values_list("item__code", flat=True)) == ["XF-JC-001"]


def test_the_department_filter_is_in_the_query():
    sql = str(selectors.cases_visible_to(reviewer("SCJG"), states=["accepted"]).query)
    assert "department" in sql and "state" in sql
    assert ("department", "state") in [tuple(i.fields) for i in Case._meta.indexes]


def test_supervisors_see_every_department():
    accepted(answers={"shop.area": 500})
    assert selectors.cases_visible_to(make_staff("supervisor")).count() == 3


def test_users_without_a_staff_profile_see_no_cases():
    application = accepted()
    assert selectors.cases_visible_to(application.applicant.user).count() == 0
    assert selectors.case_for_staff(reviewer("XF"), application.cases.first().number) is None


def test_applicants_see_their_own_applications_and_those_they_filed_as_agent():
    mine, other, agent = make_person(), make_person(), make_person("代办人")
    authorise(agent, other)
    own = submit(mine)
    filed = submit(other, agent=agent)
    assert list(selectors.applications_of(mine)) == [own]
    assert list(selectors.applications_of(agent)) == [filed]
    assert selectors.application_for_person(mine, filed.number) is None


def test_the_timeline_lists_events_in_order():
    application = accepted()
    kinds = [event.kind for event in selectors.timeline(application)]
    assert kinds[0] == "submitted" and kinds[-1] == "accepted"
    case = application.cases.first()
    assert [e.kind for e in selectors.timeline(application, case)] == ["received", "accept"]


def test_the_supervision_board_shows_red_first_and_respects_departments():
    accepted(item="SCJG-XK-001")
    accepted(item="XF-JC-001", day=dt.date(2025, 3, 10))
    services.raise_supervisions(dt.date(2025, 3, 24))  # XF yellow (10 WD), SCJG not yet
    services.raise_supervisions(dt.date(2025, 4, 1))  # SCJG red, XF red
    board = selectors.supervision_board(make_staff("supervisor"))
    assert [s.level for s in board][:2] == ["red", "red"]
    assert set(
        selectors.supervision_board(reviewer("XF")).values_list("case__department__code", flat=True)
    ) == {"XF"}


def test_granted_decisions_are_public_denied_ones_are_not__art40():
    from banshi.cases.tests.factories import case_of, fresh, head, reviewing
    from banshi.core import clock

    granted = reviewing(case_of(accepted(item="SCJG-XK-001"), "SCJG-XK-001"))
    denied = reviewing(case_of(accepted(item="SCJG-XK-001"), "SCJG-XK-001"))
    with clock.frozen(dt.date(2025, 3, 3)):
        services.decide(granted, True, "符合条件", head(), granted.version)
        services.decide(denied, False, "不符合", head(), denied.version, remedy_notice="可复议")
    assert list(selectors.public_decisions()) == [fresh(granted)]


def test_the_decision_blockers_shown_are_the_engine_s_refusal():
    """第29条/bundle `after`: a case whose prerequisite has not produced its output may be reviewed
    but not decided; the page's reason and the engine's refusal say the same thing."""
    from banshi.cases.errors import PrerequisitePending
    from banshi.cases.tests.factories import case_of, granted_and_issued, head, reviewing

    application = accepted()
    licence_case = reviewing(case_of(application, "SCJG-XK-001"), head())
    blockers = selectors.decision_blockers(licence_case, selectors.prerequisites(licence_case), [])
    assert len(blockers) == 1 and "前置事项" in blockers[0]
    with pytest.raises(PrerequisitePending):
        services.decide(licence_case, True, "符合条件", head(), licence_case.version)
    granted_and_issued(case_of(application, "SCJG-DJ-001"))
    assert (
        selectors.decision_blockers(licence_case, selectors.prerequisites(licence_case), []) == []
    )
