"""Audit pages: the auditor's search (/audit/) and the logged unmasking of an applicant's full ID
and phone numbers (/audit/unmask/<number>/), which needs a stated purpose."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from banshi.audit import selectors, services
from banshi.audit.forms import SearchForm, UnmaskForm
from banshi.audit.models import Action
from banshi.people.permissions import Role, role_required
from banshi.workbench.access import CASE_ROLES, staff_page


@role_required(Role.AUDITOR)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """审计日志查询: auditors only (三员分立: not the system administrator)."""
    form = SearchForm(request.GET or None)
    before = _int(request.GET.get("before"))
    result = None
    if form.is_bound and form.is_valid():
        result = selectors.page(form.filters(), before=before)
    elif not form.is_bound:
        result = selectors.page(selectors.Filters(), before=before)
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": result, "filters": query.urlencode()},
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _application_of(request: HttpRequest, number: str):
    from banshi.workbench import selectors as workbench

    application = workbench.application_for(request.user, number)
    if application is None:
        case = workbench.case_for(request.user, number)
        application = case.application if case is not None else None
    if application is None:
        raise Http404(number)
    return application


@staff_page(*CASE_ROLES)
@require_http_methods(["GET", "POST"])
def unmask(request: HttpRequest, number: str) -> HttpResponse:
    """查看完整证件号码和手机号码: only with a purpose; every view is an audit entry."""
    application = _application_of(request, number)
    form = UnmaskForm(request.POST or None, initial={"purpose": f"办理 {number}"})
    if request.method == "POST" and form.is_valid():
        people = [("申请人", application.applicant)]
        if application.agent_id:
            people.append(("代办人", application.agent))
        for _, person in people:
            services.record(
                actor=request.user,
                action=Action.UNMASK,
                subject=person,
                purpose=form.cleaned_data["purpose"],
                case=number,
                details={"fields": ["id_number", "phone"]},
                request=request,
            )
        return render(
            request,
            "audit/unmasked.html",
            {"application": application, "number": number, "people": people},
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "audit/unmask.html",
        {"application": application, "number": number, "form": form},
        status=status,
    )
