"""The written notices the law attaches to intake and decisions are issued from the events."""

from __future__ import annotations

import pytest

from banshi.cases import notices, services
from banshi.cases.tests.factories import (
    MONDAY,
    accepted,
    case_of,
    clerk,
    fresh,
    head,
    reviewing,
    submit,
)
from banshi.core import clock
from banshi.documents.content import DocumentKind
from banshi.documents.models import Document
from banshi.documents.tests.conftest import need_pdf_rendering

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture(autouse=True)
def _pdf(settings, tmp_path):
    need_pdf_rendering()
    settings.MEDIA_ROOT = tmp_path


def kinds(application) -> list[str]:
    return sorted(Document.objects.filter(application=application).values_list("kind", flat=True))


def test_acceptance_issues_the_acceptance_notice__art32():
    application = accepted()
    with clock.frozen(MONDAY):
        notices.issue_notices(application)
    assert kinds(application) == [DocumentKind.ACCEPTANCE]


def test_a_correction_request_issues_the_one_time_notice__art32_4():
    application = submit()
    with clock.frozen(MONDAY):
        services.request_correction(
            application,
            [{"item": "SCJG-XK-001", "materials": ["FOOD-RULES"], "reason": "缺少进货查验制度"}],
            clerk(),
            application.version,
        )
        notices.issue_notices(fresh(application))
    assert kinds(application) == [DocumentKind.CORRECTION]


def test_a_grant_issues_the_decision_and_issuing_again_changes_nothing__art38():
    application = accepted()
    case = reviewing(case_of(application, "SCJG-DJ-001"))
    user = head(case.department.code)
    with clock.frozen(MONDAY):
        services.decide(case, True, "符合条件", user, case.version)
        first = notices.issue_notices(fresh(application))
        notices.issue_notices(fresh(application))
    assert first == 2
    assert kinds(application) == [DocumentKind.ACCEPTANCE, DocumentKind.GRANT]


def test_a_denial_carries_the_reasons__art38():
    application = accepted()
    case = reviewing(case_of(application, "SCJG-DJ-001"))
    user = head(case.department.code)
    with clock.frozen(MONDAY):
        services.decide(
            case,
            False,
            "经营场所不符合要求",
            user,
            case.version,
            remedy_notice=services.REMEDY_NOTICE,
        )
        notices.issue_notices(fresh(application))
    denial = Document.objects.get(application=application, kind=DocumentKind.DENIAL)
    assert denial.case == fresh(case)


def test_notices_are_scheduled_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = accepted()
    assert kinds(application) == [DocumentKind.ACCEPTANCE]


def test_a_failed_render_never_undoes_the_action(monkeypatch):
    application = accepted()

    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr("banshi.documents.services.issue_document", broken)
    assert notices.issue_notices_safely(application.pk) == 0
    assert fresh(application).status == "in_progress" or fresh(application).accepted_at is not None
