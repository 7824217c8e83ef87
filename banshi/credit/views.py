"""Pages of banshi.credit: the applicant's credit page and 容缺 supplement, staff pages (records per
subject, lists, import, repair decisions, commitment verification queue). Thin: every change goes
through :mod:`banshi.credit.services` or :mod:`banshi.cases.commitments`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banshi.cases import commitments
from banshi.cases.errors import CaseError
from banshi.cases.models import Commitment, DeficiencyObligation, Finding, ObligationStatus
from banshi.catalog.models import Department
from banshi.core import clock
from banshi.credit import conf, imports, selectors, services
from banshi.credit.models import CreditListEntry, CreditRecord, RepairRequest, RepairStatus
from banshi.people import identifiers, permissions
from banshi.people.models import Enterprise, Person, Role
from banshi.policies.imports import FileProblem
from banshi.portal.applicant import say

STAFF_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_HEAD, Role.REVIEWER, Role.WINDOW_CLERK)


# ------------------------------------------------------------------------------ applicant
@login_required
def mine(request):
    """我的信用: the level of the person and of each enterprise they stand for, the records that
    count, list memberships and repair requests."""
    person, enterprises = permissions.applicant_subjects(request.user)
    if person is None:
        raise DjangoPermissionDenied
    subjects = []
    for subject in [person, *enterprises]:
        subjects.append(
            {
                "subject": subject,
                "standing": selectors.standing(subject),
                "records": list(selectors.records(subject)),
                "lists": list(selectors.list_entries(subject)),
                "repairs": list(selectors.repair_requests(subject)),
            }
        )
    obligations = DeficiencyObligation.objects.filter(
        permissions.applicant_q(
            request.user,
            person="application__applicant",
            enterprise="application__enterprise",
            agent="application__agent",
        ),
        status=ObligationStatus.OPEN,
    ).select_related("case", "application")
    return render(
        request, "credit/mine.html", {"subjects": subjects, "obligations": list(obligations)}
    )


@login_required
@require_POST
def file_repair(request, pk: int):
    record = get_object_or_404(CreditRecord, pk=pk)
    try:
        services.file_repair(record, request.user, request.POST.get("statement", ""))
        messages.success(request, _("信用修复申请已提交，等待审核"))
    except CaseError as error:
        messages.error(request, say(error.zh, error.en))
    return redirect("credit:mine")


@login_required
def supplement(request, pk: int):
    """容缺补交: the applicant uploads the missing material before the due date."""
    obligation = get_object_or_404(
        DeficiencyObligation.objects.select_related("case__item_version", "application"), pk=pk
    )
    allowed = DeficiencyObligation.objects.filter(
        permissions.applicant_q(
            request.user,
            person="application__applicant",
            enterprise="application__enterprise",
            agent="application__agent",
        ),
        pk=pk,
    ).exists()
    if not allowed:
        raise Http404
    if request.method == "POST":
        from banshi.files.services import UploadRefused, store_upload

        uploads = request.FILES.getlist("files")
        try:
            stored = [store_upload(upload) for upload in uploads]
            files = [
                {"id": s.pk, "sha256": s.sha256, "name": s.original_name, "size": s.size}
                for s in stored
            ]
            commitments.supply(obligation, request.user, files)
            messages.success(
                request, _("“%(material)s”已补交") % {"material": obligation.material_name}
            )
            return redirect("credit:mine")
        except UploadRefused as error:
            messages.error(request, say(str(error), error.en))
        except CaseError as error:
            messages.error(request, say(error.zh, error.en))
    return render(request, "credit/supplement.html", {"obligation": obligation})


# ------------------------------------------------------------------------------ staff
def _render_staff(request, template: str, context: dict):
    return render(request, template, {**context, "staff_nav": True})


def _staff(request) -> None:
    if not request.user.is_authenticated:
        raise DjangoPermissionDenied
    if not permissions.has_role(request.user, *STAFF_ROLES):
        raise DjangoPermissionDenied


def _find_subject(query: str) -> Person | Enterprise | None:
    value = identifiers.normalise(query)
    if not value:
        return None
    return (
        Enterprise.objects.filter(uscc=value).first()
        or Person.objects.filter(id_number=value).first()
        or Enterprise.objects.filter(name=query.strip()).first()
    )


@login_required
def staff_subject(request):
    """信用查询: a subject's level, records and list memberships, by 证件号码 or enterprise name."""
    _staff(request)
    query = request.GET.get("q", "").strip()
    subject = _find_subject(query) if query else None
    context = {"query": query, "subject": subject}
    if subject is not None:
        context.update(
            standing=selectors.standing(subject),
            records=list(selectors.records(subject)),
            lists=list(selectors.list_entries(subject)),
            repairs=list(selectors.repair_requests(subject)),
            is_person=isinstance(subject, Person),
        )
    return _render_staff(request, "credit/staff_subject.html", context)


@login_required
def staff_lists(request):
    _staff(request)
    kind = request.GET.get("list", "")
    entries = CreditListEntry.objects.select_related("person", "enterprise", "department")
    if kind:
        entries = entries.filter(list_kind=kind)
    current = request.GET.get("current", "1") == "1"
    if current:
        entries = entries.filter(Q(exited_on__isnull=True) | Q(exited_on__gt=clock.today()))
    return _render_staff(
        request,
        "credit/staff_lists.html",
        {"entries": list(entries[:500]), "kind": kind, "current": current},
    )


@login_required
def staff_import(request):
    """部门导入: a CSV / Excel file of records (or list memberships); bad rows are reported."""
    _staff(request)
    departments = Department.objects.filter(permissions.department_q(request.user, "code"))
    context: dict = {"departments": departments}
    if request.method == "POST":
        upload = request.FILES.get("file")
        department = departments.filter(code=request.POST.get("department", "")).first()
        if upload is None or department is None:
            messages.error(request, "请选择部门和文件 / choose a department and a file")
        else:
            try:
                checked = imports.parse_file(
                    upload.read(), upload.name, clock.today(), max_rows=conf.import_max_rows()
                )
                outcome = services.import_rows(
                    department,
                    checked.rows,
                    checked.rejected(),
                    source="file",
                    user=request.user,
                    file_name=upload.name,
                )
                context["batch"] = outcome.batch
            except FileProblem as problem:
                messages.error(request, str(problem))
    return _render_staff(request, "credit/staff_import.html", context)


@login_required
def staff_repairs(request):
    _staff(request)
    pending = RepairRequest.objects.filter(status=RepairStatus.PENDING).select_related(
        "record__person", "record__enterprise", "record__department"
    )
    rows = [r for r in pending if services.may_decide_repair(request.user, r.record)]
    decided = RepairRequest.objects.exclude(status=RepairStatus.PENDING).select_related(
        "record__person", "record__enterprise"
    )[:50]
    return _render_staff(
        request, "credit/staff_repairs.html", {"pending": rows, "decided": decided}
    )


@login_required
@require_POST
def decide_repair(request, pk: int):
    repair = get_object_or_404(RepairRequest, pk=pk)
    try:
        services.decide_repair(
            repair,
            request.user,
            request.POST.get("decision") == "approve",
            request.POST.get("reasons", ""),
        )
        messages.success(request, "已审核")
    except CaseError as error:
        messages.error(request, error.zh)
    return redirect("credit:repairs")


@login_required
def verifications(request):
    """告知承诺核查: pending commitments of the user's departments, nearest due date first."""
    _staff(request)
    pending = (
        Commitment.objects.filter(
            permissions.department_q(request.user, "case__department__code"),
            finding=Finding.PENDING,
            verify_due__isnull=False,
        )
        .select_related("case__item_version", "application__applicant", "application__enterprise")
        .order_by("verify_due", "pk")
    )
    return _render_staff(
        request,
        "credit/verifications.html",
        {"pending": list(pending[:200]), "today": clock.today()},
    )


@login_required
@require_POST
def record_finding(request, pk: int):
    commitment = get_object_or_404(Commitment, pk=pk)
    try:
        commitments.record_finding(
            commitment,
            request.POST.get("finding") == "true",
            request.POST.get("note", ""),
            request.user,
        )
        messages.success(request, "核查结论已记录")
    except CaseError as error:
        messages.error(request, error.zh)
    return redirect("credit:verifications")
