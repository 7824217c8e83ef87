"""Staff endpoints: list and read cases, and take actions on them through the ONE actions service.

Who sees what comes from :mod:`banshi.cases.selectors` (filtered in the query by the permission
helpers); who may do what is decided by :mod:`banshi.cases.services` (roles, department, state,
``version``, the law's guards). This module only maps an action name and its body onto the service
call and the engine's errors onto HTTP statuses (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import Query, Router, Schema, Status

from banshi.api.auth import AUTH
from banshi.api.errors import ApiError, bad_request, not_found
from banshi.api.present import case_brief, case_out
from banshi.api.schemas import ActionIn, CaseOut, CasePage, ErrorOut
from banshi.audit.services import record_case_read
from banshi.cases import selectors, services
from banshi.cases.models import Case
from banshi.catalog.models import Department
from banshi.people import permissions as people_permissions

router = Router(tags=["cases 办件 (staff)"], auth=AUTH)

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}


class CaseQuery(Schema):
    state: list[str] | None = None
    limit: int = 20
    offset: int = 0


def _staff(request) -> Any:
    user = request.auth
    if not people_permissions.is_staff_member(user):
        raise ApiError(
            403,
            "staff_only",
            "只有工作人员可以使用办件接口",
            "only staff members may use the case endpoints",
        )
    return user


def _lookup(case_id: str):
    """A case by its number (BS-…-01) or its numeric id."""
    cases = Case.objects.select_related("application", "department", "item", "item_version")
    if case_id.isdigit():
        return cases.filter(pk=int(case_id)).first()
    return cases.filter(number=case_id).first()


def _visible(user, case_id: str) -> Case:
    case = _lookup(case_id)
    if case is None:
        raise not_found("该办件", "case")
    visible = selectors.cases_visible_to(user).filter(pk=case.pk).first()
    if visible is None:
        raise ApiError(
            403,
            "other_department",
            f"办件 {case.number} 属于其他部门({case.department.name})，您无权查看",
            f"case {case.number} belongs to another department ({case.department.code})",
        )
    return visible


@router.get(
    "/cases",
    response={200: CasePage, **ERRORS},
    summary="办件列表(本部门) / cases you may see",
)
def list_cases(request, query: Query[CaseQuery]):
    """Your department's cases (or more, as your profile grants), nearest decision deadline
    first; ``state`` filters (repeatable: ``?state=received&state=accepted``)."""
    user = _staff(request)
    limit = max(1, min(query.limit, 100))
    offset = max(0, query.offset)
    cases = selectors.cases_visible_to(user, states=query.state or None)
    return Status(
        200,
        {
            "count": cases.count(),
            "items": [case_brief(case) for case in cases[offset : offset + limit]],
        },
    )


@router.get(
    "/cases/{case_id}",
    response={200: CaseOut, **ERRORS},
    summary="办件详情 / one case",
)
def read_case(request, case_id: str):
    """``case_id`` is the case number (``BS-20250303-000001-01``) or its numeric id."""
    user = _staff(request)
    case = _visible(user, case_id)
    record_case_read(request, case.application, case=case)  # 审计: staff saw the applicant
    return Status(200, case_out(case, user))


# ------------------------------------------------------------------------------ actions
def _version(payload: ActionIn) -> int:
    if payload.version is None:
        raise bad_request(
            "缺少 version(您看到的对象版本，防止覆盖他人的处理)",
            "version is required (the version you saw; it protects others' changes)",
        )
    return payload.version


def _required(value: Any, name: str, action: str) -> Any:
    if value is None:
        raise bad_request(f"操作 {action} 需要字段 {name}", f"action {action} needs {name}")
    return value


def _own_department(user) -> str:
    department = people_permissions.staff_department(user)
    if department is None:
        raise bad_request(
            "请用 department 指明以哪个部门出具意见",
            "say for which department the opinion is given (department)",
        )
    return department.code


def _opinion_department(user, code: str | None):
    code = code or _own_department(user)
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ApiError(422, "unknown_department", f"部门 {code} 不存在", f"no department {code}")
    return department


def _accept(case, user, p):
    services.accept(case.application, user, _version(p))


def _request_correction(case, user, p):
    items = _required(p.items, "items", "request_correction")
    services.request_correction(case.application, items, user, _version(p))


def _refuse(case, user, p):
    services.refuse_at_intake(
        case.application,
        p.reasons,
        p.redirect_agency,
        user,
        _version(p),
        ground=_required(p.ground, "ground", "refuse"),
    )


def _correct_on_the_spot(case, user, p):
    form_data = _required(p.form_data, "form_data", "correct_on_the_spot")
    services.correct_on_the_spot(case.application, form_data, user, _version(p), note=p.note)


def _start_review(case, user, p):
    services.start_review(case, user, _version(p))


def _opinion(case, user, p):
    services.give_opinion(
        case,
        _opinion_department(user, p.department),
        _required(p.opinion, "opinion", "opinion"),
        p.text,
        user,
        version=_version(p),
    )


def _pause(case, user, p):
    services.pause(
        case,
        p.reason,
        _required(p.expected_days, "expected_days", "pause"),
        user,
        _version(p),
        notice_text=p.notice_text,
    )


def _resume(case, user, p):
    services.resume(case, user, _version(p))


def _request_extension(case, user, p):
    services.request_extension(case, p.reason, user, _version(p), days=p.days)


def _approve_extension(case, user, p):
    services.approve_extension(case, user, _version(p))


def _decide(case, user, p):
    grant = _required(p.grant, "grant", "decide")
    services.decide(case, grant, p.reasons, user, _version(p), remedy_notice=p.remedy_notice)


def _decide_on_the_spot(case, user, p):
    grant = _required(p.grant, "grant", "decide_on_the_spot")
    services.decide_on_the_spot(
        case, grant, p.reasons, user, _version(p), remedy_notice=p.remedy_notice
    )


def _issue(case, user, p):
    services.issue(case, user, _version(p), licence_number=p.licence_number)


def _close(case, user, p):
    services.close(case, user, _version(p), delivery=p.delivery)


def _supervise(case, user, p):
    services.supervise(case, _required(p.level, "level", "supervise"), p.reason, user)


ACTIONS: dict[str, Callable[[Case, Any, ActionIn], None]] = {
    "accept": _accept,
    "request_correction": _request_correction,
    "refuse": _refuse,
    "correct_on_the_spot": _correct_on_the_spot,
    "start_review": _start_review,
    "opinion": _opinion,
    "pause": _pause,
    "resume": _resume,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "decide": _decide,
    "decide_on_the_spot": _decide_on_the_spot,
    "issue": _issue,
    "close": _close,
    "deliver": _close,
    "supervise": _supervise,
}


@router.post(
    "/cases/{case_id}/actions/{action}",
    response={200: CaseOut, **ERRORS},
    summary="办件操作 / take an action on a case",
)
def act(request, case_id: str, action: str, payload: ActionIn):
    """Actions: accept, request_correction, refuse, correct_on_the_spot (application-level: send
    the application's ``version``), start_review, opinion, pause, resume, request_extension,
    approve_extension, decide, decide_on_the_spot, issue, close (= deliver), supervise (the
    case's ``version``). The body's other fields are listed on ``ActionIn``. 403 when your role
    or department may not; 409 when the version is stale or the state does not allow it; 422
    when a rule of the law refuses it (the message names the article)."""
    user = _staff(request)
    run = ACTIONS.get(action)
    if run is None:
        raise not_found(
            f"操作 {action}(可用：{', '.join(ACTIONS)})",
            f"action {action!r} (known: {', '.join(ACTIONS)})",
        )
    case = _lookup(case_id)
    if case is None:
        raise not_found("该办件", "case")
    run(case, user, payload)
    fresh = _lookup(str(case.pk))
    record_case_read(request, fresh.application, case=fresh)  # 审计: the answer shows the applicant
    return Status(200, case_out(fresh, user))
