"""Applying online (在线申请), the receipt and progress page, and 我的办件. Thin views: parse the
request, check who is asking, call :mod:`banshi.cases.drafts` / :mod:`banshi.files`, render.

Flow: guide page → ``/apply/bundle/<code>/`` (choose in whose name; creates a draft with the answers
already given) → ``/apply/<id>/<step>/`` for 情形 · 方案 · 填表 · 材料 · 预审 → submit →
``/applications/<number>/`` (receipt, QR, progress, corrections, documents). Every step saves as the
applicant goes (htmx autosave on change, and a plain save button that works without JavaScript).

A POST that arrives after the session expired is kept (the text fields only) and applied once the
owner has logged in again, so an expired session loses nothing that was typed.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banshi.cases import drafts, services
from banshi.cases.errors import CaseError
from banshi.cases.models import DraftStatus
from banshi.catalog.selectors import catalogue_snapshot
from banshi.documents.render import qr_svg
from banshi.files.services import (
    UploadRefused,
    allowed_labels,
    max_upload_bytes,
    open_stored,
    store_upload,
    too_large,
)
from banshi.files.sniff import label as type_label
from banshi.files.uploads import limit_uploads
from banshi.people.permissions import person_for
from banshi.portal import applicant as pages

PENDING_KEY = "banshi_pending_draft"
TEXT_STEPS = ("situation", "form")


# ---------------------------------------------------------------------------------- access
def _login_url(next_url: str) -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': next_url})}"


def _return_to(request: HttpRequest, kwargs: dict) -> str:
    pk = kwargs.get("pk")
    if pk is not None:
        step = kwargs.get("step") or request.POST.get("step") or ""
        if step in pages.STEP_SLUGS:
            return reverse("portal:draft_step", args=[pk, step])
        return reverse("portal:draft", args=[pk])
    number = kwargs.get("number")
    if number is not None:
        return reverse("portal:application", args=[number])
    return request.get_full_path()


def applicant_required(view):
    """Login for applicants. Anonymous: to the login page (htmx: ``HX-Redirect``), keeping the text
    of a draft POST for after the login. Logged in without a 一人一档 (staff): a 403 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if request.method == "POST" and "pk" in kwargs:
                step = kwargs.get("step") or request.POST.get("step", "")
                if step in TEXT_STEPS:
                    request.session[PENDING_KEY] = {
                        "draft": kwargs["pk"],
                        "step": step,
                        "data": {
                            key: request.POST.getlist(key)[-1]
                            for key in request.POST
                            if key != "csrfmiddlewaretoken"
                        },
                    }
            target = _login_url(_return_to(request, kwargs))
            if request.htmx:
                response = HttpResponse(status=200)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        person = person_for(request.user)
        if person is None:
            return render(request, "portal/apply/not_applicant.html", status=403)
        request.person = person
        return view(request, *args, **kwargs)

    return wrapped


def _refusal(request: HttpRequest, error: Exception) -> None:
    """A refused operation as a message in Chinese and English."""
    zh = getattr(error, "zh", None) or getattr(error, "message_zh", None)
    en = getattr(error, "en", None) or getattr(error, "message_en", None)
    messages.error(request, f"{zh} / {en}" if zh and en else str(error))


def _draft_or_404(request: HttpRequest, pk: int):
    draft = drafts.draft_for(request.person, pk)
    if draft is None:
        raise Http404("draft")
    return draft


def _submitted_redirect(draft) -> HttpResponse | None:
    if draft.status == DraftStatus.SUBMITTED and draft.application_id:
        return redirect("portal:application", number=draft.application.number)
    return None


# ---------------------------------------------------------------------------------- start
@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def apply_start(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """在线申请: choose in whose name, see unfinished drafts of the same matter, start a draft."""
    catalogue = catalogue_snapshot()
    matter = catalogue.bundles.get(code) if kind == "bundle" else catalogue.items.get(code)
    if matter is None:
        raise Http404(code)
    subjects = drafts.subjects_for(request.person, code)
    if request.method == "POST":
        answers = {key: request.POST.get(key) for key in request.POST if key.startswith("a:")}
        answers = {key[2:]: value for key, value in answers.items()}
        try:
            draft = drafts.create_draft(
                request.person,
                bundle_code=code if kind == "bundle" else "",
                item_code=code if kind == "item" else "",
                answers=answers,
                subject=request.POST.get("subject", "self"),
            )
        except CaseError as error:
            _refusal(request, error)
            return redirect(request.get_full_path())
        first = "situation" if kind == "bundle" and getattr(matter, "questions", ()) else "plan"
        drafts.set_step(draft, first)
        return redirect("portal:draft_step", pk=draft.pk, step=first)
    questions = {question.code for question in getattr(matter, "questions", ())}
    carried = [(key, value) for key, value in request.GET.items() if key in questions and value]
    audience = getattr(matter, "audience", None) or getattr(matter, "service_object", None) or ""
    default = "self"
    if "法人" in audience and len(subjects) > 1:
        default = next((s.key for s in subjects if s.kind == "enterprise"), "self")
    existing = [draft for draft in drafts.open_drafts(request.person) if draft.code == code]
    return render(
        request,
        "portal/apply/start.html",
        {
            "matter": matter,
            "kind": kind,
            "code": code,
            "subjects": subjects,
            "default_subject": default,
            "carried": carried,
            "existing": existing,
            "guide_url": reverse(
                "portal:bundle" if kind == "bundle" else "portal:item", args=[code]
            ),
        },
    )


# ---------------------------------------------------------------------------------- the draft
@never_cache
@require_GET
@applicant_required
def draft_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume a draft where it was left (我的办件 → 继续填写)."""
    draft = _draft_or_404(request, pk)
    done = _submitted_redirect(draft)
    if done is not None:
        return done
    step = draft.step if draft.step in pages.STEP_SLUGS else "situation"
    return redirect("portal:draft_step", pk=draft.pk, step=step)


def _save_step(draft, step: str, data) -> None:
    if step == "situation":
        drafts.save_answers(draft, data)
    elif step == "form":
        drafts.save_form(draft, data)


@never_cache
@require_http_methods(["GET", "POST"])
@applicant_required
def draft_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the draft. POST saves what the step holds, then stays (保存) or moves on."""
    if step not in pages.STEP_SLUGS:
        raise Http404(step)
    draft = _draft_or_404(request, pk)
    done = _submitted_redirect(draft)
    if done is not None:
        return done
    if request.method == "POST":
        try:
            _save_step(draft, step, request.POST)
        except CaseError as error:
            _refusal(request, error)
            return redirect("portal:draft_step", pk=draft.pk, step=step)
        action = request.POST.get("action", "save")
        target = {"next": _neighbour(step, 1), "back": _neighbour(step, -1)}.get(action) or step
        if target == step:
            messages.success(request, _("已保存"))
        return redirect("portal:draft_step", pk=draft.pk, step=target)
    pending = request.session.get(PENDING_KEY)
    if pending and pending.get("draft") == draft.pk:
        del request.session[PENDING_KEY]
        _save_step(draft, pending.get("step", ""), pending.get("data") or {})
        messages.info(request, _("登录已恢复，您在登录失效前填写的内容已保存。"))
    drafts.set_step(draft, step)
    page = pages.draft_page(draft, step)
    return render(
        request,
        "portal/apply/draft.html",
        {
            "page": page,
            "draft": draft,
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "allowed_types": allowed_labels(),
        },
    )


def _neighbour(step: str, offset: int) -> str | None:
    index = pages.STEP_SLUGS.index(step) + offset
    return pages.STEP_SLUGS[index] if 0 <= index < len(pages.STEP_SLUGS) else None


@require_POST
@applicant_required
def draft_save(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx autosave of the step's form (debounced on change); a status line and, for the form
    step, each field's message swapped in place (out of band)."""
    draft = _draft_or_404(request, pk)
    if draft.status != DraftStatus.OPEN:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = reverse("portal:application", args=[draft.application.number])
        return response
    step = request.POST.get("step", "")
    try:
        _save_step(draft, step, request.POST)
    except CaseError as error:
        return render(request, "portal/apply/_saved.html", {"error": error}, status=200)
    checked = drafts.review(draft)
    context = {"saved_at": timezone.localtime(draft.updated_at), "review": checked}
    if step == "form":
        views = drafts.form_fields(draft, checked.drafted)
        errors = pages.errors_by_field(checked)
        context["fields"] = [(view, errors.get(view.code, [])) for view in views if not view.locked]
    return render(request, "portal/apply/_saved.html", context)


@require_POST
@applicant_required
def draft_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """同意 / 撤回 the reuse of profile data for prefilling this application."""
    draft = _draft_or_404(request, pk)
    try:
        if request.POST.get("consent") == "yes":
            drafts.give_consent(draft)
            messages.success(request, _("已同意复用，表单已按一人一档、一企一档预填。"))
        else:
            drafts.withdraw_consent(draft)
            messages.info(request, _("已撤回同意，预填内容已清空，请自行填写。"))
    except CaseError as error:
        _refusal(request, error)
    return redirect(reverse("portal:draft_step", args=[draft.pk, "form"]) + "#consent")


@limit_uploads
@require_POST
@applicant_required
def draft_material(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Upload files for a material, or choose 告知承诺 / 容缺 where the plan allows it."""
    draft = _draft_or_404(request, pk)
    anchor = reverse("portal:draft_step", args=[draft.pk, "materials"]) + f"#m-{code}"
    try:
        if "mode" in request.POST and not request.FILES:
            drafts.choose_material_mode(draft, code, request.POST["mode"])
            messages.success(request, _("已保存材料提交方式"))
            return redirect(anchor)
        stored = _store_files(request)
        for item in stored:
            drafts.add_material_file(draft, code, item)
        if stored:
            messages.success(
                request,
                _("已上传 %(count)s 个文件") % {"count": len(stored)},
            )
    except CaseError as error:
        _refusal(request, error)
    return redirect(anchor)


def _store_files(request: HttpRequest) -> list:
    """Store every uploaded file; refusals (empty, too large, wrong type) become messages."""
    stored = []
    for _field, name in getattr(request, "oversized_uploads", []):
        _refusal(request, too_large(name))
    uploads = request.FILES.getlist("file")
    if not uploads and not getattr(request, "oversized_uploads", []):
        messages.error(request, "请先选择要上传的文件 / choose a file to upload first")
    for upload in uploads:
        try:
            stored.append(store_upload(upload))
        except UploadRefused as error:
            _refusal(request, error)
    return stored


@require_POST
@applicant_required
def draft_material_remove(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    try:
        drafts.remove_material_file(draft, code, int(request.POST.get("file", "0") or 0))
        messages.info(request, _("已移除文件"))
    except (CaseError, ValueError) as error:
        _refusal(request, error)
    return redirect(reverse("portal:draft_step", args=[draft.pk, "materials"]) + f"#m-{code}")


@require_GET
@applicant_required
def draft_file(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    """One of the draft's own uploaded files (for checking what was uploaded)."""
    draft = _draft_or_404(request, pk)
    stored = drafts.draft_file(draft, file_id)
    if stored is None:
        raise Http404("file")
    return _file_response(stored)


def _file_response(stored) -> HttpResponse:
    response = FileResponse(open_stored(stored), content_type=stored.content_type)
    extension = {"PDF": "pdf", "PNG": "png", "JPEG": "jpg", "OFD": "ofd"}.get(
        type_label(stored.content_type), "bin"
    )
    name = stored.original_name or f"{stored.short_digest}.{extension}"
    response["Content-Disposition"] = content_disposition_header(False, name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@applicant_required
def draft_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """提交: pre-review, then file once. A retried submit shows the application already filed."""
    draft = _draft_or_404(request, pk)
    try:
        application = drafts.submit(draft)
    except drafts.PrereviewBlocked:
        messages.error(
            request,
            "预审发现问题，请先处理以下标红的事项后再提交 / pre-review found problems: fix the "
            "items marked in red, then submit",
        )
        return redirect("portal:draft_step", pk=draft.pk, step="review")
    except CaseError as error:
        _refusal(request, error)
        return redirect("portal:draft_step", pk=draft.pk, step="review")
    _ensure_receipt(request, application)
    return redirect(reverse("portal:application", args=[application.number]) + "?submitted=1")


def _progress_url(request: HttpRequest, number: str) -> str:
    from django.conf import settings

    return settings.BANSHI_PUBLIC_URL + reverse("portal:application", args=[number])


def _ensure_receipt(request: HttpRequest, application) -> None:
    drafts.issue_receipt(application, progress_url=_progress_url(request, application.number))


@require_POST
@applicant_required
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft_or_404(request, pk)
    try:
        drafts.delete_draft(draft)
        messages.info(request, _("草稿已删除"))
    except CaseError as error:
        _refusal(request, error)
    return redirect("portal:me")


# ---------------------------------------------------------------------------------- progress
def _visible(request: HttpRequest, number: str):
    application = pages.visible_application(request.user, number)
    if application is None:
        raise Http404(number)
    return application


@never_cache
@require_GET
def application(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt and progress page (申请人与经办工作人员): status, cases with departments and
    due dates, the timeline of events, corrections to answer, documents to download."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_login_url(request.get_full_path()))
    application = _visible(request, number)
    page = pages.progress_page(application, request.user)
    if (
        page.receipt is None
        and page.applicant_side
        and _ensure_receipt_quietly(request, application)
    ):
        page = pages.progress_page(application, request.user)
    return render(
        request,
        "portal/application.html",
        {
            "page": page,
            "application": application,
            "just_submitted": request.GET.get("submitted") == "1",
            "qr_svg": mark_safe(
                qr_svg(_progress_url(request, number), css_class="qr")
            ),  # segno SVG
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "allowed_types": allowed_labels(),
            "rating_step": _rating_step(application) if page.applicant_side else None,
        },
    )


def _rating_step(application):
    """好差评: the link to rate the finished cases (banshi.ratings owns the rule)."""
    from banshi.ratings.selectors import rating_step

    return rating_step(application)


def _ensure_receipt_quietly(request: HttpRequest, application) -> bool:
    try:
        return (
            drafts.issue_receipt(
                application, progress_url=_progress_url(request, application.number)
            )
            is not None
        )
    except Exception:  # a broken renderer must not break the progress page
        import logging

        logging.getLogger(__name__).exception("receipt for %s", application.number)
        return False


@limit_uploads
@require_POST
@applicant_required
def application_correction(request: HttpRequest, number: str) -> HttpResponse:
    """Answer a correction notice (补正): stage fields and files, then hand in the complete set."""
    application = _visible(request, number)
    if not pages.is_applicant_side(request.user, application):
        raise Http404(number)
    draft = drafts.correction_draft(application, request.person)
    anchor = reverse("portal:application", args=[number]) + "#correction"
    action = request.POST.get("action", "save")
    try:
        if action == "remove":
            drafts.stage_correction(
                draft,
                application,
                remove_file=(request.POST.get("material", ""), int(request.POST.get("file") or 0)),
            )
        elif action == "upload":
            code = request.POST.get("material", "")
            for stored in _store_files(request):
                drafts.stage_correction(draft, application, add_file=(code, stored))
        else:
            fields = {key[2:]: value for key, value in request.POST.items() if key.startswith("f:")}
            drafts.stage_correction(draft, application, fields=fields)
            if action == "answer":
                drafts.answer_correction(application, draft, request.user)
                messages.success(request, _("补正材料已提交，等待窗口受理。"))
            else:
                messages.success(request, _("已保存"))
    except (CaseError, ValueError) as error:
        _refusal(request, error)
    return redirect(anchor)


@require_POST
@applicant_required
def application_withdraw(request: HttpRequest, number: str) -> HttpResponse:
    """撤回: the applicant withdraws; the open cases are cancelled, decided ones keep going."""
    application = _visible(request, number)
    if not pages.is_applicant_side(request.user, application):
        raise Http404(number)
    try:
        services.withdraw(
            application,
            request.user,
            version=int(request.POST.get("version") or application.version),
            reason=request.POST.get("reason", "")[:500],
        )
        messages.info(request, _("申请已撤回。"))
    except (CaseError, ValueError) as error:
        _refusal(request, error)
    return redirect("portal:application", number=number)


@require_GET
def application_file(request: HttpRequest, number: str, file_id: int) -> HttpResponse:
    """A file handed in with the application, for its applicant side and its departments' staff."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_login_url(request.get_full_path()))
    application = _visible(request, number)
    stored = drafts.application_file(application, file_id)
    if stored is None:
        raise Http404("file")
    return _file_response(stored)


@never_cache
@require_GET
@applicant_required
def me(request: HttpRequest) -> HttpResponse:
    """我的办件: unfinished drafts and filed applications."""
    draft_lines, application_lines = pages.my_page(request.person, request.user)
    return render(
        request,
        "portal/me.html",
        {"drafts": draft_lines, "applications": application_lines, "person": request.person},
    )
