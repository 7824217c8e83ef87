"""Applicant endpoints: drafts, uploads, idempotent submission, tracking, withdrawal.

Thin: parse the input, find the caller's person (the one permission check), and call the drafts
service (:mod:`banshi.cases.drafts`: who may apply as whom, prefill with consent, materials,
pre-review, submit once) or the case engine (:mod:`banshi.cases.services`), then shape the answer.
The applicant sees only their own drafts and applications; another's number is a 404.

Drafts are numbered ``DR-<id>``; applications keep the engine's ``BS-YYYYMMDD-NNNNNN``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, connection, transaction
from ninja import File, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile

from banshi.api.auth import AUTH
from banshi.api.errors import ApiError, bad_request, not_found
from banshi.api.models import ApiUpload, IdempotencyRecord
from banshi.api.present import (
    DRAFT_PREFIX,
    application_out,
    application_summary,
    draft_out,
    draft_summary,
    file_out,
)
from banshi.api.schemas import (
    ApplicationOut,
    ApplicationPage,
    CorrectionIn,
    DraftIn,
    DraftPatch,
    ErrorOut,
    FileOut,
    MaterialIn,
    SubmitIn,
    WithdrawIn,
)
from banshi.cases import drafts, selectors, services
from banshi.cases.models import ApplicationDraft, Channel, DraftStatus
from banshi.core import clock
from banshi.core.db import JsonRows, build, chain_atomic, first_id, select_models
from banshi.files import services as files
from banshi.files.models import StoredFile
from banshi.people import identifiers
from banshi.people import permissions as people_permissions
from banshi.people.models import Enterprise, Person

router = Router(tags=["applications 申请 (applicant)"], auth=AUTH)

ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 422)}
MAX_KEY = 80


class ListQuery(Schema):
    status: str | None = None
    limit: int = 20
    offset: int = 0


# ------------------------------------------------------------------------------ who and what
def _me(request) -> Person:
    """The person behind the login (一人一档); staff accounts without one cannot apply."""
    person = people_permissions.person_for(request.auth)
    if person is None:
        raise ApiError(
            403,
            "not_an_applicant",
            "只有绑定了自然人身份的账号可以申请和查询申请",
            "only an account linked to a person (an applicant) can apply or track applications",
        )
    return person


def _draft_pk(number: str) -> int | None:
    rest = number[len(DRAFT_PREFIX) :] if number.startswith(DRAFT_PREFIX) else ""
    return int(rest) if rest.isdigit() else None


def _my_draft(me: Person, number: str) -> ApplicationDraft | None:
    pk = _draft_pk(number)
    return None if pk is None else drafts.draft_for(me, pk)


def _subject(
    payload: DraftIn, me: Person, also: Sequence[JsonRows] = ()
) -> tuple[str, Enterprise | None]:
    """The drafts service's subject key: yourself, an enterprise, or a principal (代办); with the
    enterprise row when the key names one (read once, with whether ``me`` holds a role in it,
    and on PostgreSQL with the rows of ``also``: see ``drafts.enterprise_by_uscc``)."""
    if payload.enterprise_uscc and payload.principal_id_number:
        raise bad_request(
            "enterprise_uscc 与 principal_id_number 只能给出一个",
            "give enterprise_uscc or principal_id_number, not both",
        )
    if payload.enterprise_uscc:
        checked = identifiers.validate_uscc(payload.enterprise_uscc)
        enterprise = drafts.enterprise_by_uscc(me, checked.value, also=also)
        if enterprise is None:
            raise ApiError(
                422,
                "unknown_enterprise",
                "该统一社会信用代码尚未登记(一企一档)",
                "no enterprise is registered with this unified social credit code",
            )
        return f"enterprise:{enterprise.pk}", enterprise
    if payload.principal_id_number:
        checked = identifiers.validate_id_number(payload.principal_id_number, today=clock.today())
        principal = Person.objects.filter(id_number=checked.value).first()
        if principal is None:
            raise ApiError(
                422,
                "unknown_person",
                "该公民身份号码尚未登记(一人一档)",
                "no person is registered with this ID number",
            )
        return f"person:{principal.pk}", None
    return "self", None


def _uploads_where(request, ids: list[int]) -> tuple[str, list]:
    """Which stored files (alias ``t``) are the caller's own uploads among ``ids``."""
    uploads = connection.ops.quote_name(ApiUpload._meta.db_table)
    return (
        f"t.id IN ({', '.join(['%s'] * len(ids))}) AND EXISTS (SELECT 1 FROM {uploads} a "
        "WHERE a.file_id = t.id AND a.user_id = %s)",
        [*ids, request.auth.pk],
    )


def _named_files(payload: DraftIn) -> list[int]:
    return sorted({pk for choice in payload.materials.values() for pk in choice.files or ()})


def _uploaded(request, ids: list[int], read: JsonRows | None = None) -> dict[int, object]:
    """The caller's own uploads among ``ids`` (a file id alone proves nothing: content is
    shared): the rows ``read`` brought with another statement, else one plain statement."""
    if read is not None and read.rows is not None:
        rows = read.rows
    else:
        rows = select_models(StoredFile, *_uploads_where(request, ids))
    found = {row.pk: row for row in rows}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ApiError(
            422,
            "unknown_file",
            f"文件 {', '.join(map(str, missing))} 不是您通过 POST /files 上传的",
            f"file(s) {', '.join(map(str, missing))} were not uploaded by you (POST /files)",
        )
    return found


def _apply_materials(
    request,
    draft: ApplicationDraft,
    materials: dict[str, MaterialIn],
    read: JsonRows | None = None,
) -> None:
    wanted_ids = {pk for choice in materials.values() for pk in choice.files or ()}
    stored = _uploaded(request, sorted(wanted_ids), read) if wanted_ids else {}
    for code, choice in materials.items():
        if choice.files is not None:
            wanted = list(dict.fromkeys(choice.files))
            current = set((draft.materials or {}).get(code, {}).get("files", []))
            for pk in current - set(wanted):
                drafts.remove_material_file(draft, code, pk)
            for pk in wanted:
                if pk not in current:
                    drafts.add_material_file(draft, code, stored[pk])
        if choice.mode != "upload" or choice.files is None:
            drafts.choose_material_mode(draft, code, choice.mode)


def _apply_answers(draft: ApplicationDraft, answers: dict) -> None:
    if answers:
        drafts.save_answers(draft, {code: _text(value) for code, value in answers.items()})


def _apply_form(draft: ApplicationDraft, form_data: dict) -> None:
    if form_data:
        drafts.save_form(draft, {code: _text(value) for code, value in form_data.items()})


def _text(value) -> str:
    """Values as the portal's inputs send them (booleans as true/false, None as empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _require_open(draft: ApplicationDraft) -> None:
    if draft.status != DraftStatus.OPEN:
        number = draft.application.number if draft.application_id else "?"
        raise ApiError(
            409,
            "already_submitted",
            f"草稿 {DRAFT_PREFIX}{draft.pk} 已提交为申请 {number}，不能再修改",
            f"draft {DRAFT_PREFIX}{draft.pk} was submitted as {number}; it can no longer change",
            application=number,
        )


# ------------------------------------------------------------------------------ uploads
@router.post(
    "/files",
    response={201: FileOut, **ERRORS},
    summary="上传材料文件 / upload a material file",
)
def upload(request, file: File[UploadedFile]):
    """multipart/form-data with one ``file``. The content decides the type (PDF, PNG, JPEG, OFD by
    default) and the size limit is ``BANSHI_UPLOAD_MAX_MB``. Attach the returned ``id`` to a
    draft's material (``materials: {"LEASE": {"files": [id]}}``)."""
    _me(request)
    try:
        stored = files.store_upload(file, name=file.name)
    except files.UploadRefused as error:
        raise ApiError(422, f"upload_{error.code}", error.zh, error.en) from error
    ApiUpload.objects.get_or_create(
        user=request.auth, file=stored, defaults={"created_at": clock.now()}
    )
    return Status(201, file_out(stored))


# ------------------------------------------------------------------------------ drafts
@router.post(
    "/applications",
    response={200: ApplicationOut, 201: ApplicationOut, **ERRORS},
    summary="新建申请草稿(或创建并提交) / create a draft (or create and submit it)",
)
def create_draft(
    request,
    payload: DraftIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="required with submit: true (a new random value per submission, the same "
        "one on retries)",
    ),
):
    """A draft of a bundle (一件事) or a single item, with answers, form data and materials so
    far. The answer includes the pre-review (``draft_detail``): what is still missing.

    With ``"submit": true`` (and an ``Idempotency-Key``) the draft is filed at once, in ONE
    transaction, exactly as ``POST …/submit`` files it (the same pre-review, the same engine):
    201 with the application; a retry with the same key and body, 200 with the same application;
    a refusal (pre-review, standing, the credit gate) keeps nothing, not even the draft. A
    department's system that has everything at hand needs one request per application."""
    me = _me(request)
    if bool(payload.bundle_code) == bool(payload.item_code):
        raise bad_request(
            "必须且只能指定 bundle_code(一件事)或 item_code(单个事项)之一",
            "give exactly one of bundle_code and item_code",
        )
    if payload.submit:
        return _create_and_submit(request, me, payload, idempotency_key)
    subject, enterprise = _subject(payload, me)
    with transaction.atomic():
        draft, _ = _new_draft(request, me, payload, (subject, enterprise))
    return Status(201, draft_out(draft))


def _new_draft(
    request,
    me: Person,
    payload: DraftIn,
    subject: tuple[str, Enterprise | None],
    then: Callable[[ApplicationDraft], Any] | None = None,
    files: JsonRows | None = None,
) -> tuple[ApplicationDraft, Any]:
    """The draft with its consent, form and materials (inside the caller's transaction), and
    what ``then(draft)`` returns: what it changes on the draft (the submission) goes into the
    same single UPDATE as consent, form and materials. ``files``: the uploads the payload
    names, when read already (see :func:`_create_and_submit`)."""
    draft = drafts.create_draft(
        me,
        bundle_code=payload.bundle_code or "",
        item_code=payload.item_code or "",
        answers={code: _text(value) for code, value in payload.answers.items()},
        subject=subject[0],
        known_enterprise=subject[1],
        unsaved=then is not None,  # filed in this request: written once, complete, at the end
    )
    with drafts.saved_once(draft):  # one write for consent, form, materials (and submission)
        if payload.prefill_consent:
            drafts.give_consent(draft)
        _apply_form(draft, payload.form_data)
        _apply_materials(request, draft, payload.materials, files)
        result = then(draft) if then is not None else None
    return draft, result


def _create_and_submit(request, me: Person, payload: DraftIn, raw_key: str | None):
    """创建并提交: draft, pre-review, application, cases, events, outbox and the idempotency record
    in one transaction.

    A new key is the rule and a retry the exception, so the key is not looked up first: the
    record is written last, and its unique index decides. A retry of a filed request fails there
    (a concurrent one waits on the index until the first commits, then fails), rolls back
    everything it wrote and answers with the application the first request filed; so does a
    retry refused on the way (say the catalogue changed since): whatever stopped it, a key
    already filed answers with its application."""
    key = _idempotency_key(raw_key)
    _check_channel(payload.channel)
    fingerprint = _digest({"create_and_submit": payload.model_dump()})
    named = _named_files(payload)
    # read before the transaction, with the enterprise or the applicant's licences
    # (PostgreSQL): no statement runs in it before the filing's own, which is then the whole
    # transaction (see chain_atomic)
    files = JsonRows(StoredFile, *_uploads_where(request, named)) if named else None
    try:
        subject, enterprise = _subject(payload, me, also=[files] if files else ())
        if subject == "self":  # their licences in force and the files: one statement
            drafts.read_for_applicant(me, also=[files] if files else ())
        with chain_atomic():
            draft, application = _new_draft(
                request,
                me,
                payload,
                (subject, enterprise),
                then=lambda draft: drafts.submit(
                    draft, channel=payload.channel, fresh=True, number_later=True
                ),
                files=files,
            )
            record = build(
                IdempotencyRecord,
                user=request.auth,
                key=key,
                fingerprint=fingerprint,
                application=application,
                created_at=clock.now(),
            )
            services.insert_with_filing(application, [record])
            # last: on PostgreSQL every row of the filing is written by this one statement
            # (the transaction itself when nothing ran before it in the block), and the day's
            # number sequence row stays locked from here to the commit
            services.number_filed(application)
    except Exception:  # a retry (the index refused the key) or a refusal: was the key filed?
        record = _recorded(request.auth, key)
        if record is None:
            raise
        return _replay(record, fingerprint)
    return _filed_answer(request, application, draft)


def _filed_answer(request, application, draft):
    """201 with the application just filed, rendered by the API's own renderer WITHOUT ninja
    validating it again against ``ApplicationOut``: the answer is built from what the engine
    wrote a moment ago, with every field of the schema in its order, and re-validating 5 cases
    and 6 events cost about a twentieth of the whole request's CPU. Tests hold it to the schema
    and to what tracking reads back (``tests/test_create_and_submit.py``)."""
    from banshi.api.urls import api  # the mounted API (its renderer); imports this module

    answer = {**application_out(application, draft=draft, fresh=True), "draft_detail": None}
    return api.create_response(request, answer, status=201)


@router.patch(
    "/applications/{number}",
    response={200: ApplicationOut, **ERRORS},
    summary="修改申请草稿 / update a draft",
)
def update_draft(request, number: str, payload: DraftPatch):
    me = _me(request)
    draft = _my_draft(me, number)
    if draft is None:
        raise not_found("该申请草稿", "draft")
    _require_open(draft)
    with transaction.atomic(), drafts.saved_once(draft):
        if payload.answers is not None:
            _apply_answers(draft, payload.answers)
        if payload.prefill_consent is True and not draft.consent_given:
            drafts.give_consent(draft)
        elif payload.prefill_consent is False and draft.consent_given:
            drafts.withdraw_consent(draft)
        if payload.form_data is not None:
            _apply_form(draft, payload.form_data)
        if payload.materials is not None:
            _apply_materials(request, draft, payload.materials)
    return Status(200, draft_out(draft))


# ------------------------------------------------------------------------------ submit
def _idempotency_key(raw: str | None) -> str:
    key = (raw or "").strip()
    if not key:
        raise bad_request(
            "缺少 Idempotency-Key 请求头(每次提交一个新的随机值，重试时沿用)",
            "the Idempotency-Key header is required (a new random value per submission, "
            "the same one on retries)",
        )
    if len(key) > MAX_KEY:
        raise bad_request(
            f"Idempotency-Key 不能超过 {MAX_KEY} 个字符",
            f"the Idempotency-Key is longer than {MAX_KEY} characters",
        )
    return key


def _check_channel(channel: str) -> None:
    if channel not in Channel.values:
        raise bad_request(
            f"未知的申请渠道：{channel}(可选 {', '.join(Channel.values)})",
            f"unknown channel {channel!r} (one of {', '.join(Channel.values)})",
        )


def _digest(document: dict) -> str:
    """SHA-256 of the canonical JSON of what a request asked for (the idempotency fingerprint)."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fingerprint(number: str, payload: SubmitIn | None) -> str:
    return _digest({"submit": number, "body": (payload or SubmitIn()).model_dump()})


def _recorded(user, key: str) -> IdempotencyRecord | None:
    """The record of ``key``, if any (its application is read only for a replay: most requests
    carry a new key, and joining the wide application row costs every one of them). A plain probe
    first: the record is read only when it exists."""
    pk = first_id(IdempotencyRecord, user=user.pk, key=key)
    return None if pk is None else IdempotencyRecord.objects.filter(pk=pk).first()


def _replay(record: IdempotencyRecord, fingerprint: str):
    if record.fingerprint != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "该 Idempotency-Key 已用于另一个请求，请为新的提交使用新的键",
            "this Idempotency-Key was already used for a different request; "
            "use a new key for a new submission",
        )
    return Status(200, application_out(record.application))


@router.post(
    "/applications/{number}/submit",
    response={200: ApplicationOut, 201: ApplicationOut, **ERRORS},
    summary="提交申请(幂等) / submit a draft (idempotent)",
)
def submit(
    request,
    number: str,
    payload: SubmitIn | None = None,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description="required: a new random value per submission, the same one on retries",
    ),
):
    """Pre-review, then one application, one case per chosen item, events and outbox rows in one
    transaction. 201 the first time; a retry with the same ``Idempotency-Key`` returns the same
    application with 200; the same key with a different request (another draft, another body) is
    refused with 422, as is a draft the pre-review blocks (``details.findings``)."""
    key = _idempotency_key(idempotency_key)
    me = _me(request)
    channel = (payload or SubmitIn()).channel
    _check_channel(channel)
    fingerprint = _fingerprint(number, payload)
    with transaction.atomic():
        record = _recorded(request.auth, key)
        if record is not None:
            return _replay(record, fingerprint)
        draft = _my_draft(me, number)
        if draft is None:
            raise not_found("该申请草稿", "draft")
        was_open = draft.status == DraftStatus.OPEN
        application = drafts.submit(draft, channel=channel)
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    user=request.auth,
                    key=key,
                    fingerprint=fingerprint,
                    application=application,
                    created_at=clock.now(),
                )
        except IntegrityError:  # the same key raced in: the first request's answer stands
            return _replay(_recorded(request.auth, key), fingerprint)
    return Status(
        201 if was_open else 200, application_out(application, draft=draft, fresh=was_open)
    )


# ------------------------------------------------------------------------------ tracking
@router.get(
    "/applications/{number}",
    response={200: ApplicationOut, **ERRORS},
    summary="查询申请进度 / track an application (or read a draft)",
)
def track(request, number: str):
    """Status, every case with its state and due dates, and the events timeline. A draft's number
    answers with the draft and its pre-review, or with the application once submitted."""
    me = _me(request)
    draft = _my_draft(me, number)
    if draft is not None:
        if draft.application_id:
            return Status(200, application_out(draft.application, draft=draft))
        return Status(200, draft_out(draft))
    application = selectors.application_for_person(me, number)
    if application is None:
        raise not_found("该申请", "application")
    return Status(200, application_out(application))


@router.get(
    "/applications",
    response={200: ApplicationPage, **ERRORS},
    summary="我的申请 / my drafts and applications",
)
def mine(request, query: Query[ListQuery]):
    """Open drafts first (last saved first), then applications — yours and those you filed as an
    agent — newest first. ``status`` filters (``draft``, ``submitted``, ``in_progress``…)."""
    me = _me(request)
    limit = max(1, min(query.limit, 100))
    offset = max(0, query.offset)
    open_drafts = drafts.open_drafts(me)
    applications = selectors.applications_of(me)
    if query.status == "draft":
        applications = applications.none()
    elif query.status:
        open_drafts = open_drafts.none()
        applications = applications.filter(status=query.status)
    draft_count = open_drafts.count()
    items = [draft_summary(draft) for draft in open_drafts[offset : offset + limit]]
    rest = limit - len(items)
    if rest > 0:
        start = max(0, offset - draft_count)
        items += [application_summary(a) for a in applications[start : start + rest]]
    return Status(200, {"count": draft_count + applications.count(), "items": items})


@router.post(
    "/applications/{number}/withdraw",
    response={200: ApplicationOut, **ERRORS},
    summary="撤回申请 / withdraw an application",
)
def withdraw(request, number: str, payload: WithdrawIn):
    """撤回: every case not yet decided is cancelled; decided ones go on to delivery."""
    me = _me(request)
    application = selectors.application_for_person(me, number)
    if application is None:
        raise not_found("该申请", "application")
    services.withdraw(application, request.auth, version=payload.version, reason=payload.reason)
    application.refresh_from_db()
    return Status(200, application_out(application))


@router.post(
    "/applications/{number}/correction",
    response={200: ApplicationOut, **ERRORS},
    summary="答复补正通知 / answer the correction notice",
)
def answer_correction(request, number: str, payload: CorrectionIn):
    """补正 (第32条(四)): hand in, in one request, everything the one-time correction notice asks
    for — the corrected ``form_data`` fields and the ``materials`` (file ids from ``POST /files``).
    The intake clock, stopped by the notice, runs again from the answer. An answer that leaves
    something out, or a value that does not pass its check, is refused with 422 and nothing is
    kept; so is an answer when no notice is open. ``GET /applications/{number}`` shows the notice
    (``correction_notice.items``)."""
    me = _me(request)
    application = selectors.application_for_person(me, number)
    if application is None:
        raise not_found("该申请", "application")
    wanted = sorted({pk for choice in payload.materials.values() for pk in choice.files})
    stored = _uploaded(request, wanted) if wanted else {}
    with transaction.atomic():
        draft = drafts.correction_draft(application, me)
        drafts.stage_correction(
            draft,
            application,
            fields={code: _text(value) for code, value in payload.form_data.items()},
        )
        for code, choice in payload.materials.items():
            for pk in dict.fromkeys(choice.files):
                drafts.stage_correction(draft, application, add_file=(code, stored[pk]))
        drafts.answer_correction(application, draft, request.auth)
    application.refresh_from_db()
    return Status(200, application_out(application))
