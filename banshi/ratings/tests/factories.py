"""Helpers for the 好差评 tests: a finished case of an applicant, a closed 12345 request."""

from __future__ import annotations

from banshi.appeals import services as appeal_services
from banshi.appeals.tests import factories as appeal_factories
from banshi.cases import services as case_services
from banshi.cases.tests import factories as case_factories
from banshi.core import clock

MONDAY = appeal_factories.MONDAY


def finished_case(person=None):
    """A single-item application submitted, accepted, granted, issued and closed on MONDAY."""
    case_factories.load_catalogue()
    person = person or case_factories.make_person("李娜")
    application = case_factories.accepted(person, item="SCJG-DJ-001", bundle=None)
    case = case_factories.case_of(application, "SCJG-DJ-001")
    case = case_factories.granted_and_issued(case)
    with clock.frozen(MONDAY):
        case_services.close(case, case_factories.head("SCJG"), case.version)
    return case_factories.fresh(case), person


def open_case(person=None):
    case_factories.load_catalogue()
    person = person or case_factories.make_person("王五")
    application = case_factories.accepted(person, item="SCJG-DJ-001", bundle=None)
    return case_factories.case_of(application, "SCJG-DJ-001"), person


def closed_appeal():
    """A complaint replied by SCJG, called back and closed on MONDAY (caller phone 13800001234)."""
    appeal = appeal_factories.dispatched()
    user = appeal_factories.handler("SCJG")
    appeal_services.acknowledge(appeal, user, None)
    appeal_services.reply(appeal, user, None, text="已依法处理并答复诉求人。")
    agent = appeal_factories.agent()
    appeal_services.callback(appeal, agent, None, satisfaction="basic")
    appeal_services.close(appeal, agent, None)
    return appeal_factories.fresh(appeal), user


PHONE = "13800001234"
