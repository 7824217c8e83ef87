"""Policy operations: one function per use case, transactional (DESIGN §3).

* Policies: :func:`create_policy`, :func:`save_draft`, :func:`publish`, :func:`new_version` (修订),
  :func:`repeal`. A published version is never edited: a change is a new version, published over
  the old one, which is kept as history (``superseded``). Conditions are checked strictly against
  the attribute schema when saved (:mod:`banshi.policies.conditions`).
* Portrait: :func:`set_portrait_values` (one enterprise, with the source of each value) and
  :func:`import_portrait_file` (a department's CSV/Excel file: good rows imported, bad rows
  reported). Every change queues the enterprise for the incremental match in the same transaction.
* Delivery: :func:`confirm_grants` (免申即享: the department confirms the current list, grants and
  notices are written), :func:`push_offers` / :func:`submit_offer` / :func:`decide_offer` (即申即享),
  :func:`mark_notices_read`.

Persons (自然人) go through the same functions: a policy's ``subject_kind`` says whose portrait
its conditions read; :func:`set_portrait_values` takes an enterprise or a person; the imports take
``subject_kind``; grants and offers name the person, and the person is told through
:mod:`banshi.notify` (inbox /messages/, topics ``policy.*``) rather than the enterprise notices.

Incremental matching runs right after the commit when ``BANSHI_POLICY_MATCH_ON_CHANGE`` is on (the
embedded default), else from ``banshi match_policies``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q

from banshi.catalog.models import Department, ServiceItem
from banshi.core import clock
from banshi.people import identifiers
from banshi.people.models import Enterprise, Person
from banshi.policies import access, conditions, conf, engine, imports
from banshi.policies.attributes import (
    ANY_BY_CODE,
    SourceKind,
    SubjectKind,
    ValueProblem,
    derived_values,
    parse_value,
    registry,
)
from banshi.policies.explain import explain, portrait_values
from banshi.policies.models import (
    BenefitKind,
    Grant,
    GrantBatch,
    MatchRun,
    Notice,
    PersonValueSource,
    Policy,
    PolicyEvent,
    PolicyMode,
    PolicyOffer,
    PolicyStatus,
    PolicyVersion,
    PortraitImport,
    PortraitValueSource,
    VersionStatus,
)

SOURCE_MODELS = {SubjectKind.ENTERPRISE: PortraitValueSource, SubjectKind.PERSON: PersonValueSource}

logger = logging.getLogger(__name__)

CONTENT_FIELDS = (
    "title",
    "summary",
    "legal_title",
    "legal_url",
    "valid_from",
    "valid_until",
    "mode",
    "service_item",
    "benefit_kind",
    "benefit_amount",
    "benefit_expression",
    "benefit_cap",
    "benefit_note",
    "conditions",
    "change_note",
)


class PolicyError(ValueError):
    """A policy operation was refused: ``code`` is stable; ``problems`` lists every reason, each
    with the field it concerns (``field``) and a message in Chinese and English."""

    def __init__(self, code: str, zh: str, en: str, problems: list[dict[str, Any]] | None = None):
        self.code = code
        self.zh = zh
        self.en = en
        self.problems = problems or [{"field": "", "message": f"{zh} / {en}"}]
        super().__init__("\n".join(problem["message"] for problem in self.problems))


def _refuse(problems: list[dict[str, Any]]) -> PolicyError:
    return PolicyError(
        "invalid", "政策内容有误，请按提示修改", "the policy has problems to fix", problems
    )


# ------------------------------------------------------------------------------ policies
def _clean_content(
    data: dict[str, Any], subject_kind: str = SubjectKind.ENTERPRISE
) -> dict[str, Any]:
    """Validate a version's content; the cleaned values or :class:`PolicyError` with every problem."""
    problems: list[dict[str, Any]] = []
    cleaned: dict[str, Any] = {}

    def problem(field: str, zh: str, en: str) -> None:
        problems.append({"field": field, "message": f"{zh} / {en}"})

    title = " ".join(str(data.get("title") or "").split())
    if not title:
        problem("title", "请填写政策名称", "the title is empty")
    elif len(title) > 200:
        problem("title", "政策名称不能超过200字", "the title is longer than 200 characters")
    cleaned["title"] = title
    for field in ("summary", "legal_title", "legal_url", "benefit_note", "change_note"):
        cleaned[field] = str(data.get(field) or "").strip()
    url = cleaned["legal_url"]
    if url and not url.startswith(("https://", "http://", "/")):
        problem("legal_url", "政策原文链接应以 https:// 开头", "the legal text link must be a URL")
    for field in ("valid_from", "valid_until"):
        value = data.get(field)
        if isinstance(value, str) and value.strip():
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                problem(field, f"日期格式不对：{value}", f"not a date: {value}")
                value = None
        cleaned[field] = value or None
    if (
        cleaned["valid_from"]
        and cleaned["valid_until"]
        and cleaned["valid_until"] < cleaned["valid_from"]
    ):
        problem("valid_until", "有效期截止日早于生效日", "the validity ends before it starts")
    mode = data.get("mode") or ""
    if mode not in PolicyMode.values:
        problem("mode", "请选择兑现方式", "choose how the benefit is delivered")
    cleaned["mode"] = mode
    item = data.get("service_item")
    if isinstance(item, str):
        item = ServiceItem.objects.filter(code=item.strip()).first() if item.strip() else None
    if mode == PolicyMode.APPLY and item is None:
        problem(
            "service_item", "申报类政策须关联一个申报事项", "an 申报 policy needs a catalogue item"
        )
    cleaned["service_item"] = item if mode == PolicyMode.APPLY else None

    kind = data.get("benefit_kind") or BenefitKind.FIXED
    if kind not in BenefitKind.values:
        problem("benefit_kind", "请选择扶持方式", "choose the kind of benefit")
    cleaned["benefit_kind"] = kind
    cleaned["benefit_amount"] = _money_field(data.get("benefit_amount"), "benefit_amount", problem)
    cleaned["benefit_cap"] = _money_field(data.get("benefit_cap"), "benefit_cap", problem)
    cleaned["benefit_expression"] = str(data.get("benefit_expression") or "").strip()
    cleaned["benefit_ast"] = None
    if kind == BenefitKind.FIXED and cleaned["benefit_amount"] is None:
        problem("benefit_amount", "请填写扶持金额", "the fixed amount is missing")
    if kind == BenefitKind.EXPRESSION:
        if not cleaned["benefit_expression"]:
            problem("benefit_expression", "请填写金额计算式", "the benefit formula is missing")
        else:
            try:
                cleaned["benefit_ast"] = conditions.check_benefit_expression(
                    cleaned["benefit_expression"], subject_kind
                )
            except conditions.ConditionError as error:
                for item_problem in error.problems:
                    text = f"{item_problem.zh} / {item_problem.en}"
                    if item_problem.detail:
                        text += "\n" + item_problem.detail
                    problems.append({"field": "benefit_expression", "message": text})
    if kind != BenefitKind.FIXED:
        cleaned["benefit_amount"] = None
    if kind != BenefitKind.EXPRESSION:
        cleaned["benefit_expression"], cleaned["benefit_cap"] = "", None

    raw_conditions = data.get("conditions")
    if isinstance(raw_conditions, str):
        raw_conditions = conditions.parse_lines(raw_conditions)
    checked = conditions.check(raw_conditions or [], subject_kind)
    for item_problem in checked.problems:
        problems.append(
            {"field": "conditions", "message": item_problem.message, "index": item_problem.index}
        )
    cleaned["conditions"] = checked.conditions
    if problems:
        raise _refuse(problems)
    return cleaned


def _money_field(value: Any, field: str, problem) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        problem(field, f"金额格式不对：{value}", f"not an amount: {value}")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 12:
        problem(field, f"金额无效：{value}", f"invalid amount: {value}")
        return None
    return amount.quantize(Decimal("0.01"))


def _event(
    policy: Policy, version: PolicyVersion | None, action: str, user, note: str = ""
) -> None:
    PolicyEvent.objects.create(
        policy=policy,
        version=version,
        action=action,
        note=note[:300],
        by=user if getattr(user, "pk", None) else None,
        at=clock.now(),
    )


def create_policy(
    code: str,
    department: Department | str,
    *,
    user=None,
    subject_kind: str = SubjectKind.ENTERPRISE,
    **content,
) -> PolicyVersion:
    """Draft a new policy (version 1) for enterprises or persons (``subject_kind``). ``content``
    are the version's fields (see CONTENT_FIELDS); ``conditions`` a list of (name, source) pairs
    or dicts, or the editor's text, checked against the attributes of ``subject_kind``."""
    if subject_kind not in dict(SubjectKind.CHOICES):
        raise PolicyError(
            "subject_kind",
            f"未知的政策对象 {subject_kind}（企业 enterprise 或 个人 person）",
            f"unknown subject kind {subject_kind} (enterprise or person)",
        )
    code = (code or "").strip().upper()
    if not code or len(code) > 64 or any(ch.isspace() for ch in code):
        raise PolicyError(
            "code", "请填写政策编码（不含空格）", "the policy code is empty or has spaces"
        )
    if isinstance(department, str):
        found = Department.objects.filter(code=department).first()
        if found is None:
            raise PolicyError(
                "department", f"未知部门 {department}", f"unknown department {department}"
            )
        department = found
    if user is not None and not access.may_write(user, department.code):
        raise PolicyError(
            "forbidden", "无权起草该部门的政策", "not allowed to write this department's policies"
        )
    cleaned = _clean_content(content, subject_kind)
    with transaction.atomic():
        if Policy.objects.filter(code=code).exists():
            raise PolicyError("exists", f"政策编码 {code} 已存在", f"policy code {code} is taken")
        policy = Policy.objects.create(code=code, department=department, subject_kind=subject_kind)
        version = PolicyVersion.objects.create(
            policy=policy,
            number=1,
            created_by=user if getattr(user, "pk", None) else None,
            **cleaned,
        )
        _event(policy, version, PolicyEvent.Action.CREATED, user)
    return version


def _writable(version: PolicyVersion, user) -> None:
    if version.status != VersionStatus.DRAFT:
        raise PolicyError(
            "not_draft",
            "已发布的版本不能修改，请先创建修订版本",
            "a published version cannot be edited: create a new version",
        )
    if user is not None and not access.may_write(user, version.policy.department.code):
        raise PolicyError("forbidden", "无权修改该政策", "not allowed to change this policy")


def save_draft(version: PolicyVersion, *, user=None, **content) -> PolicyVersion:
    """Change a draft version's content (every field checked; nothing saved on a problem)."""
    _writable(version, user)
    current = {field: getattr(version, field) for field in CONTENT_FIELDS}
    current.update(content)
    cleaned = _clean_content(current, version.policy.subject_kind)
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        _writable(locked, None)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        locked.save()
        _event(locked.policy, locked, PolicyEvent.Action.SAVED, user)
    return locked


def publish(version: PolicyVersion, *, user=None, note: str = "") -> PolicyVersion:
    """Publish a draft: it replaces the published version (kept as ``superseded``), the policy
    becomes 现行有效 (or 已修订 from its second version), and it is matched right after commit."""
    _writable(version, user)
    cleaned = _clean_content(
        {field: getattr(version, field) for field in CONTENT_FIELDS}, version.policy.subject_kind
    )
    previous: PolicyVersion | None = None
    with transaction.atomic():
        locked = (
            PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
        )
        _writable(locked, None)
        policy = Policy.objects.select_for_update().get(pk=locked.policy_id)
        if policy.status == PolicyStatus.REPEALED:
            raise PolicyError("repealed", "政策已废止，不能再发布", "the policy is repealed")
        previous = policy.versions.filter(status=VersionStatus.PUBLISHED).first()
        if previous is not None:  # kept as history; its results are no longer shown
            previous.status = VersionStatus.SUPERSEDED
            previous.current_run = None
            previous.save(update_fields=["status", "current_run", "updated_at"])
        for field, value in cleaned.items():
            setattr(locked, field, value)
        locked.status = VersionStatus.PUBLISHED
        locked.published_at = clock.now()
        if note:
            locked.change_note = note[:300]
        locked.save()
        policy.status = PolicyStatus.CHANGED if previous is not None else PolicyStatus.PUBLISHED
        policy.save(update_fields=["status"])
        action = (
            PolicyEvent.Action.CHANGED if previous is not None else PolicyEvent.Action.PUBLISHED
        )
        _event(policy, locked, action, user, note or locked.change_note)
        transaction.on_commit(lambda: _after_publish(locked, user))
    return locked


def _after_publish(version: PolicyVersion, user) -> None:
    engine.purge()  # the superseded version's rows
    if conf.match_on_change():
        try:
            engine.run_policy(version, user=user)
        except Exception:  # the next full run will cover it
            logger.exception("matching policy version %s after publishing failed", version.pk)


def new_version(policy: Policy, *, user=None) -> PolicyVersion:
    """A draft copy of the published version, to change it (修订); the open draft if there is one."""
    if user is not None and not access.may_write(user, policy.department.code):
        raise PolicyError("forbidden", "无权修订该政策", "not allowed to change this policy")
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status == PolicyStatus.REPEALED:
            raise PolicyError("repealed", "政策已废止，不能修订", "the policy is repealed")
        draft = locked.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft
        base = locked.versions.order_by("-number").first()
        copy = {field: getattr(base, field) for field in CONTENT_FIELDS}
        copy["change_note"] = ""
        draft = PolicyVersion.objects.create(
            policy=locked,
            number=base.number + 1,
            benefit_ast=base.benefit_ast,
            created_by=user if getattr(user, "pk", None) else None,
            **copy,
        )
        _event(locked, draft, PolicyEvent.Action.CREATED, user, f"修订自第 {base.number} 版")
    return draft


def repeal(policy: Policy, *, user=None, note: str = "") -> Policy:
    """废止: the published version is repealed (kept as history) and shows no more matches."""
    if user is not None and not access.may_write(user, policy.department.code):
        raise PolicyError("forbidden", "无权废止该政策", "not allowed to repeal this policy")
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status == PolicyStatus.REPEALED:
            return locked
        current = locked.versions.filter(status=VersionStatus.PUBLISHED).first()
        if current is None:
            raise PolicyError("not_published", "政策尚未发布", "the policy was never published")
        current.status = VersionStatus.REPEALED
        current.current_run = None
        current.save(update_fields=["status", "current_run", "updated_at"])
        locked.versions.filter(status=VersionStatus.DRAFT).delete()
        locked.status = PolicyStatus.REPEALED
        locked.save(update_fields=["status"])
        _event(locked, current, PolicyEvent.Action.REPEALED, user, note)
        transaction.on_commit(engine.purge)
    return locked


# ------------------------------------------------------------------------------ portrait
def _queue_changes(ids: list[int], subject: engine.Subjects = engine.ENTERPRISES) -> None:
    now = clock.now()
    subject.change.objects.bulk_create(
        [subject.change(**{subject.id_column: pk, "changed_at": now}) for pk in ids],
        batch_size=1000,
    )
    if conf.match_on_change():
        transaction.on_commit(lambda: _run_changed(subject))


def match_changes_job() -> None:
    """后台任务 ``policies.match_changes``: rewrite the results of every queued enterprise and
    person (idempotent: an empty queue does nothing; the queue rows are taken in the run's
    transaction, so an overlapping run finds them processed)."""
    for subject in engine.SUBJECTS.values():
        engine.run_changed_subjects(subject=subject)


def full_run_job() -> None:
    """后台任务 ``policies.full_run``: a full run per subject kind, or the completion of one that was
    interrupted (``resume``). A run still being written elsewhere is left alone (MatchBusy), and a
    run finished less than an interval ago counts as done — so every web process of the embedded
    default, and a restart, do not start another one."""
    fresh_after = clock.now() - dt.timedelta(hours=conf.full_run_hours())
    for subject in engine.SUBJECTS.values():
        latest = engine.latest_full_run(subject)
        if (
            latest is not None
            and latest.status == MatchRun.Status.FINISHED
            and latest.finished_at is not None
            and latest.finished_at > fresh_after
        ):
            continue
        try:
            engine.run_full(resume=True, subject=subject)
        except engine.MatchBusy as busy:
            logger.info("full match run skipped: %s", busy)


def _run_changed(subject: engine.Subjects = engine.ENTERPRISES) -> None:
    try:
        engine.run_changed_subjects(subject=subject)
    except Exception:  # the queue keeps the changes for the next run
        logger.exception("incremental match for changed portraits failed")


def set_portrait_values(
    owner: Enterprise | Person,
    values: dict[str, Any],
    *,
    kind: str = SourceKind.PROFILE,
    department: Department | None = None,
    reference: str = "",
    as_of: dt.date | None = None,
):
    """Set attributes of one enterprise or person (``{code: value}``; None clears a value), each
    recorded with its source and date; queues the subject for the incremental match. Returns the
    portrait row."""
    if kind not in dict(SourceKind.CHOICES):
        raise PolicyError("source", f"未知的数据来源 {kind}", f"unknown source kind {kind}")
    subject = engine.PERSONS if isinstance(owner, Person) else engine.ENTERPRISES
    attributes = registry(subject.kind)
    columns: dict[str, Any] = {}
    problems = []
    for code, raw in values.items():
        attribute = attributes.by_code.get(code) or attributes.by_column.get(code)
        if attribute is None:
            problems.append(
                {"field": code, "message": f"未知属性 {code} / unknown attribute {code}"}
            )
            continue
        if raw is None:
            columns[attribute.column] = None
            continue
        try:
            columns[attribute.column] = parse_value(attribute, raw)
        except ValueProblem as problem:
            problems.append({"field": code, "message": f"{attribute.label}：{problem}"})
    if problems:
        raise _refuse(problems)
    if subject is engine.ENTERPRISES:
        columns.update(derived_values(columns))
    now = clock.now()
    with transaction.atomic():
        portrait, _ = subject.portrait.objects.select_for_update().get_or_create(
            **{subject.field: owner}
        )
        for column, value in columns.items():
            setattr(portrait, column, value)
        portrait.updated_at = now
        portrait.save()
        _record_sources(
            [owner.pk],
            list(columns),
            kind,
            department,
            reference,
            as_of or clock.today(),
            now,
            subject=subject,
        )
        _queue_changes([owner.pk], subject)
    return portrait


def fill_person_portrait_from_profile(person: Person):
    """个人画像 from 一人一档: the birth date and gender read from the ID number (GB 11643), the
    one source of truth for both (recorded as the profile, as of today)."""
    return set_portrait_values(
        person,
        {"person.birth_date": person.birth_date, "person.gender": person.sex_label},
        kind=SourceKind.PROFILE,
        reference="公民身份号码",
    )


def person_registered(sender, instance: Person, created: bool, raw: bool = False, **kwargs):
    """``post_save`` of :class:`Person`: a newly registered person gets a portrait from the
    profile at once, so person policies (高龄津贴 …) can find them without any import."""
    if created and not raw:
        fill_person_portrait_from_profile(instance)


def _record_sources(
    subject_ids: list[int],
    columns: list[str],
    kind: str,
    department: Department | None,
    reference: str,
    as_of: dt.date,
    now: dt.datetime,
    *,
    subject: engine.Subjects = engine.ENTERPRISES,
) -> None:
    model = SOURCE_MODELS[subject.kind]
    by_column = registry(subject.kind).by_column
    rows = [
        model(
            **{subject.id_column: pk},
            attribute=by_column[column].code,
            kind=kind,
            department=department,
            reference=reference[:200],
            as_of=as_of,
            recorded_at=now,
        )
        for pk in subject_ids
        for column in columns
    ]
    model.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=[subject.field, "attribute"],
        update_fields=["kind", "department", "reference", "as_of", "recorded_at"],
    )


def import_portrait_file(
    content: bytes,
    file_name: str,
    *,
    department: Department,
    user=None,
    as_of: dt.date | None = None,
    kind: str = SourceKind.DEPARTMENT,
    register_missing: bool = True,
    subject_kind: str = SubjectKind.ENTERPRISE,
) -> PortraitImport:
    """Import a department's data file: the good rows are written, the bad ones reported.

    Raises :class:`PolicyError` only when the file as a whole cannot be read (format, header).
    Enterprises (or, with ``subject_kind="person"``, persons) the platform does not know are
    registered when the file names them and ``register_missing`` (their USCC / ID number is
    validated); otherwise the row is rejected.
    """
    _check_subject_kind(subject_kind)
    try:
        parsed = imports.parse_file(
            content, file_name, max_rows=conf.import_max_rows(), kind=subject_kind
        )
    except imports.FileProblem as problem:
        raise PolicyError("file", problem.zh, problem.en) from None
    return _import_parsed(
        parsed,
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        department=department,
        user=user,
        as_of=as_of,
        kind=kind,
        register_missing=register_missing,
        subject_kind=subject_kind,
    )


def _check_subject_kind(subject_kind: str) -> None:
    if subject_kind not in dict(SubjectKind.CHOICES):
        raise PolicyError(
            "subject_kind",
            f"未知的数据对象 {subject_kind}（企业 enterprise 或 个人 person）",
            f"unknown subject kind {subject_kind} (enterprise or person)",
        )


def import_portrait_records(
    records: list[dict[str, Any]],
    *,
    department: Department,
    user=None,
    reference: str = "",
    as_of: dt.date | None = None,
    register_missing: bool = True,
    subject_kind: str = SubjectKind.ENTERPRISE,
) -> PortraitImport:
    """A department's system pushes portrait values through the API (部门接口): one record per
    enterprise (``统一社会信用代码``/``uscc``, optional ``企业名称``/``name``, attribute codes,
    column names or labels as keys) or, with ``subject_kind="person"``, per person
    (``公民身份号码``/``id_number``, optional ``姓名``/``name``). Validated and written exactly as
    a file's rows are: the good records are written, the bad ones reported with their position
    (record 1 = row 2)."""
    _check_subject_kind(subject_kind)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise PolicyError("records", "数据应为对象列表", "records must be a list of objects")
    if not records:
        raise PolicyError("records", "没有数据", "no records")
    try:
        parsed = imports.parse_table(
            imports.records_table(records), max_rows=conf.import_max_rows(), kind=subject_kind
        )
    except imports.FileProblem as problem:
        raise PolicyError("records", problem.zh, problem.en) from None
    canonical = json.dumps(records, ensure_ascii=False, sort_keys=True, default=str)
    return _import_parsed(
        parsed,
        file_name=(reference or "API")[:200],
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        department=department,
        user=user,
        as_of=as_of,
        kind=SourceKind.API,
        register_missing=register_missing,
        subject_kind=subject_kind,
    )


def _import_parsed(
    parsed: imports.ParsedFile,
    *,
    file_name: str,
    sha256: str,
    department: Department,
    user,
    as_of: dt.date | None,
    kind: str,
    register_missing: bool,
    subject_kind: str = SubjectKind.ENTERPRISE,
) -> PortraitImport:
    """Write the good rows of a validated table, record their sources and the import's report."""
    from banshi.people.services import PeopleError, register_enterprise, register_person

    subject = engine.subjects_for(subject_kind)
    person = subject is engine.PERSONS
    identity = imports.IDENTITIES[subject_kind]
    now = clock.now()
    day = as_of or clock.today()
    errors = list(parsed.errors)
    rejected = set(parsed.rejected_rows)
    keys = [row.key for row in parsed.rows]
    with transaction.atomic():
        if person:
            known = dict(Person.objects.filter(id_number__in=keys).values_list("id_number", "pk"))
        else:
            known = dict(Enterprise.objects.filter(uscc__in=keys).values_list("uscc", "pk"))
        created = 0
        good: dict[int, dict[str, Any]] = {}
        for row in parsed.rows:
            pk = known.get(row.key)
            if pk is None and register_missing and row.name.strip():
                try:
                    if person:
                        pk = register_person(row.key, row.name, today=clock.today()).pk
                    else:
                        pk = register_enterprise(row.key, row.name).pk
                    created += 1
                except (PeopleError, identifiers.IdentifierError) as error:
                    errors.append(imports.RowError(row.row, identity.name_label, *_zh_en(error)))
                    rejected.add(row.row)
                    continue
            if pk is None:
                errors.append(
                    imports.RowError(
                        row.row,
                        identity.key_label,
                        f"平台没有这{'个人' if person else '家企业'}"
                        f"（文件中可加“{identity.name_label}”列以登记）",
                        f"no such {subject_kind} on the platform "
                        f"(add a {identity.name_label} column to register it)",
                    )
                )
                rejected.add(row.row)
                continue
            good[pk] = row.values
        _write_portraits(good, now, subject)
        by_columns: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for pk, values in good.items():
            by_columns[tuple(sorted(values))].append(pk)
        reference = f"{file_name} ({sha256[:12]})"
        for columns, pks in by_columns.items():
            _record_sources(
                pks, list(columns), kind, department, reference, day, now, subject=subject
            )
        if good:
            _queue_changes(list(good), subject)
        record = PortraitImport.objects.create(
            department=department,
            file_name=file_name[:200],
            sha256=sha256,
            kind=kind,
            subject_kind=subject_kind,
            as_of=day,
            columns=[attribute.code for attribute in parsed.attributes],
            rows_total=parsed.total,
            rows_imported=len(good),
            rows_rejected=len(rejected),
            enterprises_created=created,
            errors=[error.as_dict() for error in sorted(errors, key=lambda e: (e.row, e.column))],
            imported_by=user if getattr(user, "pk", None) else None,
            created_at=now,
        )
    return record


def _zh_en(error: Exception) -> tuple[str, str]:
    zh = getattr(error, "message_zh", None) or getattr(error, "zh", None) or str(error)
    en = getattr(error, "message_en", None) or getattr(error, "en", None) or str(error)
    return zh, en


def _write_portraits(
    good: dict[int, dict[str, Any]],
    now: dt.datetime,
    subject: engine.Subjects = engine.ENTERPRISES,
) -> None:
    """Upsert portrait rows: create the missing ones, then update column groups in bulk."""
    if not good:
        return
    model = subject.portrait
    model.objects.bulk_create(
        [model(**{subject.id_column: pk}) for pk in good],
        batch_size=1000,
        ignore_conflicts=True,
    )
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for pk, values in good.items():
        groups[tuple(sorted(values))].append(pk)
    for columns, pks in groups.items():
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            portraits = list(model.objects.filter(pk__in=chunk))
            for portrait in portraits:
                for column in columns:
                    setattr(portrait, column, good[portrait.pk][column])
                portrait.updated_at = now
            model.objects.bulk_update(portraits, [*columns, "updated_at"])


# ------------------------------------------------------------------------------ delivery
def _fresh(version: PolicyVersion) -> PolicyVersion:
    """The version as the database has it now (its current run may have moved since it was read)."""
    return PolicyVersion.objects.select_related("policy", "policy__department").get(pk=version.pk)


def _check_delivery(version: PolicyVersion, user, mode: str) -> None:
    if user is not None and not access.may_deliver(user, version.policy.department.code):
        raise PolicyError("forbidden", "无权办理该政策的兑现", "not allowed to deliver this policy")
    if version.status != VersionStatus.PUBLISHED:
        raise PolicyError(
            "not_published", "政策不是现行版本", "the version is not the published one"
        )
    if version.mode != mode:
        raise PolicyError(
            "mode",
            f"该政策的兑现方式是“{version.get_mode_display()}”",
            f"this policy is delivered as {version.mode}",
        )
    if version.current_run_id is None:
        raise PolicyError(
            "no_run", "尚无匹配结果，请先运行匹配", "no matching results yet: run matching first"
        )


def _matched_ids(version: PolicyVersion) -> list[int]:
    subject = engine.subjects_of(version)
    return list(
        subject.match.objects.filter(
            run_id=version.current_run_id, policy_version=version, matched=True
        ).values_list(subject.id_column, flat=True)
    )


def _values_by_subject(
    ids: list[int], subject: engine.Subjects = engine.ENTERPRISES
) -> dict[int, dict[str, Any]]:
    result: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 1000):
        for portrait in subject.portrait.objects.filter(pk__in=ids[start : start + 1000]):
            result[portrait.pk] = portrait_values(portrait, subject.kind)
    return result


def _tell_person(person_id: int, topic: str, context: dict[str, Any], key: str) -> None:
    """A person's message (banshi.notify: inbox /messages/, and e-mail or SMS as they chose)."""
    from banshi.notify.services import notify

    person = Person.objects.filter(pk=person_id).first()
    if person is not None:
        notify(person, topic, context, source_key=key)


def _money_text(version: PolicyVersion, amount) -> str:
    return f"{amount:,.2f} 元" if amount is not None else version.benefit_note or "政策扶持"


def confirm_grants(
    version: PolicyVersion,
    *,
    user,
    exclude: list[int] | tuple[int, ...] = (),
    granted_on: dt.date | None = None,
    note: str = "",
) -> GrantBatch:
    """免申即享: the department confirms the current list; each enterprise on it (except those
    ``exclude``\\ d, and those already granted) gets a :class:`Grant` with the benefit's amount and
    a :class:`Notice`. Each is re-checked against its current portrait; one that no longer meets
    the conditions, or whose amount cannot be computed, is skipped and the reason kept."""
    version = _fresh(version)
    _check_delivery(version, user, PolicyMode.AUTO_GRANT)
    subject = engine.subjects_of(version)
    empty = portrait_values(None, subject.kind)
    today = clock.today()
    day = granted_on or today
    now = clock.now()
    excluded = set(exclude)
    with transaction.atomic():
        Policy.objects.select_for_update().get(pk=version.policy_id)  # one confirmation at a time
        already = set(
            Grant.objects.filter(policy_id=version.policy_id).values_list(
                subject.id_column, flat=True
            )
        )
        candidates = [pk for pk in _matched_ids(version) if pk not in already]
        values = _values_by_subject(candidates, subject)
        batch = GrantBatch.objects.create(
            policy_version=version,
            run_id=version.current_run_id,
            confirmed_by=user,
            confirmed_at=now,
            granted_on=day,
            note=note[:300],
        )
        grants, notices, skipped = [], [], []
        told: list[tuple[int, Any]] = []
        total = Decimal(0)
        for pk in candidates:
            if pk in excluded:
                skipped.append(
                    {subject.field: pk, "reason": "部门确认时剔除 / excluded by the department"}
                )
                continue
            explanation = explain(version, values=values.get(pk, empty), today=today)
            if not explanation.matched:
                skipped.append(
                    {subject.field: pk, "reason": "画像已变化，不再符合 / no longer eligible"}
                )
                continue
            amount = explanation.amount
            if version.benefit_kind != BenefitKind.NONE and amount is None:
                skipped.append(
                    {subject.field: pk, "reason": "金额无法计算（缺少数据）/ amount unknown"}
                )
                continue
            grants.append(
                Grant(
                    policy_id=version.policy_id,
                    policy_version=version,
                    **{subject.id_column: pk},
                    amount=amount,
                    granted_on=day,
                    via=Grant.Via.AUTO,
                    batch=batch,
                    created_at=now,
                )
            )
            total += amount or 0
            if subject is engine.PERSONS:
                told.append((pk, amount))
            else:
                notices.append(_grant_notice(version, pk, amount, now))
        Grant.objects.bulk_create(grants, batch_size=1000)
        Notice.objects.bulk_create(notices, batch_size=1000)
        for pk, amount in told:
            _tell_person(
                pk,
                "policy.granted",
                {
                    "policy_title": version.title,
                    "department": version.policy.department.name,
                    "benefit": _money_text(version, amount),
                },
                f"policy.granted:{version.policy_id}:{pk}",
            )
        batch.count = len(grants)
        batch.total_amount = total
        batch.skipped = skipped
        batch.save(update_fields=["count", "total_amount", "skipped"])
    return batch


def _grant_notice(version: PolicyVersion, enterprise_id: int, amount, now) -> Notice:
    money_text = _money_text(version, amount)
    return Notice(
        enterprise_id=enterprise_id,
        kind=Notice.Kind.GRANTED,
        policy_id=version.policy_id,
        title=f"免申即享：{version.title}",
        body=f"经{version.policy.department.name}确认，贵单位符合“{version.title}”的全部条件，"
        f"无需申请即可享受：{money_text}。",
        created_at=now,
    )


def _prefilled(version: PolicyVersion, values: dict[str, Any], amount) -> dict[str, Any]:
    from banshi.policies.attributes import format_value

    fields = {}
    for code in conditions.attributes_read(version.conditions, version.policy.subject_kind):
        attribute = ANY_BY_CODE[code]
        fields[code] = {
            "label": attribute.label,
            "value": format_value(attribute, values.get(code)),
        }
    return {
        "policy": version.policy.code,
        "version": version.number,
        "title": version.title,
        "fields": fields,
        "amount": None if amount is None else str(amount),
    }


def push_offers(version: PolicyVersion, *, user) -> int:
    """即申即享: a pre-filled application for every subject on the current list that has none;
    each is notified. Returns how many were pushed."""
    version = _fresh(version)
    _check_delivery(version, user, PolicyMode.PREFILLED)
    subject = engine.subjects_of(version)
    now = clock.now()
    today = clock.today()
    with transaction.atomic():
        Policy.objects.select_for_update().get(pk=version.policy_id)
        have = set(
            PolicyOffer.objects.filter(policy_version=version).values_list(
                subject.id_column, flat=True
            )
        )
        granted = set(
            Grant.objects.filter(policy_id=version.policy_id).values_list(
                subject.id_column, flat=True
            )
        )
        candidates = [pk for pk in _matched_ids(version) if pk not in have and pk not in granted]
        values = _values_by_subject(candidates, subject)
        offers, notices = [], []
        for pk in candidates:
            row = values.get(pk, portrait_values(None, subject.kind))
            explanation = explain(version, values=row, today=today)
            if not explanation.matched:
                continue
            offers.append(
                PolicyOffer(
                    policy_version=version,
                    **{subject.id_column: pk},
                    prefilled=_prefilled(version, row, explanation.amount),
                    amount=explanation.amount,
                    offered_at=now,
                )
            )
            if subject is engine.PERSONS:
                continue
            notices.append(
                Notice(
                    enterprise_id=pk,
                    kind=Notice.Kind.OFFERED,
                    policy_id=version.policy_id,
                    title=f"即申即享：{version.title}",
                    body="平台已根据贵单位的数据预先填好申请，确认无误后一键提交即可。",
                    created_at=now,
                )
            )
        PolicyOffer.objects.bulk_create(offers, batch_size=1000)
        Notice.objects.bulk_create(notices, batch_size=1000)
        if subject is engine.PERSONS:
            for offer in offers:
                _tell_person(
                    offer.person_id,
                    "policy.offered",
                    {"policy_title": version.title, "benefit": _money_text(version, offer.amount)},
                    f"policy.offered:{version.pk}:{offer.person_id}",
                )
    return len(offers)


def submit_offer(offer: PolicyOffer, *, user) -> PolicyOffer:
    """The enterprise (or the person) submits its pre-filled application in one click
    (idempotent). Re-checked against the current portrait: one that no longer qualifies is told
    why."""
    from banshi.people.permissions import person_for

    if offer.person_id is not None:
        if not access.is_person(user, offer.person_id):
            raise PolicyError("forbidden", "只能本人申请", "only the person may apply")
    elif offer.enterprise not in access.enterprises_of(user):
        raise PolicyError(
            "forbidden", "无权代表该企业申请", "not allowed to apply for this enterprise"
        )
    with transaction.atomic():
        locked = (
            PolicyOffer.objects.select_for_update()
            .select_related("policy_version")
            .get(pk=offer.pk)
        )
        if locked.status != PolicyOffer.Status.OFFERED:
            return locked
        version = locked.policy_version
        if version.status != VersionStatus.PUBLISHED or not version.in_force(clock.today()):
            raise PolicyError("closed", "该政策已不在有效期内", "the policy is no longer in force")
        explanation = explain(version, locked.person or locked.enterprise)
        if not explanation.matched:
            reasons = "；".join(result.words for result in explanation.not_held)
            raise PolicyError("not_eligible", f"目前不符合条件：{reasons}", "no longer eligible")
        locked.status = PolicyOffer.Status.SUBMITTED
        locked.submitted_at = clock.now()
        locked.submitted_by = person_for(user)
        locked.amount = explanation.amount
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "amount"])
    return locked


def decide_offer(offer: PolicyOffer, *, user, approve: bool, note: str = "") -> PolicyOffer:
    """The department approves a submitted application (a :class:`Grant`) or declines it."""
    version = offer.policy_version
    if not access.may_deliver(user, version.policy.department.code):
        raise PolicyError("forbidden", "无权办理该申请", "not allowed to decide this application")
    now = clock.now()
    with transaction.atomic():
        locked = PolicyOffer.objects.select_for_update().get(pk=offer.pk)
        if locked.status != PolicyOffer.Status.SUBMITTED:
            raise PolicyError(
                "state", "该申请不在待办状态", "the application is not waiting for a decision"
            )
        if not approve and not note.strip():
            raise PolicyError("note", "不予通过须说明理由", "a refusal needs a reason")
        who = (
            {"person_id": locked.person_id}
            if locked.person_id is not None
            else {"enterprise_id": locked.enterprise_id}
        )
        if approve:
            if Grant.objects.filter(policy_id=version.policy_id, **who).exists():
                raise PolicyError("granted", "已享受过本政策", "already granted")
            Grant.objects.create(
                policy_id=version.policy_id,
                policy_version=version,
                **who,
                amount=locked.amount,
                granted_on=clock.today(),
                via=Grant.Via.OFFER,
                created_at=now,
            )
        locked.status = PolicyOffer.Status.APPROVED if approve else PolicyOffer.Status.DECLINED
        locked.decided_at = now
        locked.decided_by = user
        locked.decision_note = note.strip()[:300]
        locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        if locked.person_id is not None:
            _tell_person(
                locked.person_id,
                "policy.decided",
                {
                    "policy_title": version.title,
                    "approved": approve,
                    "benefit": _money_text(version, locked.amount),
                    "note": locked.decision_note,
                },
                f"policy.decided:{locked.pk}",
            )
            return locked
        Notice.objects.create(
            enterprise_id=locked.enterprise_id,
            kind=Notice.Kind.DECIDED,
            policy_id=version.policy_id,
            title=f"{'已兑现' if approve else '未通过'}：{version.title}",
            body=(
                f"贵单位的申请已通过，{locked.amount:,.2f} 元将按规定拨付。"
                if approve and locked.amount is not None
                else "贵单位的申请已通过。"
                if approve
                else f"贵单位的申请未通过：{locked.decision_note}"
            ),
            created_at=now,
        )
    return locked


def mark_notices_read(enterprise: Enterprise) -> int:
    return Notice.objects.filter(enterprise=enterprise, read_at__isnull=True).update(
        read_at=clock.now()
    )


def visible_versions_q(today: dt.date) -> Q:
    """Published versions in force on ``today`` (the public list and the enterprise page)."""
    return (
        Q(status=VersionStatus.PUBLISHED)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    )


def apply_now(version: PolicyVersion, owner: Enterprise | Person, *, user) -> PolicyOffer:
    """即申即享 in one click: the pre-filled application (pushed before, or made now from the
    portrait) is submitted. Refused, with the reasons in words, if the enterprise or person does
    not qualify."""
    if version.mode != PolicyMode.PREFILLED:
        raise PolicyError("mode", "该政策不是即申即享政策", "this policy is not 即申即享")
    subject = engine.subjects_of(version)
    is_person = isinstance(owner, Person)
    if is_person != (subject is engine.PERSONS):
        raise PolicyError(
            "subject_kind",
            f"该政策面向{registry(subject.kind).label}",
            f"this policy is for {SubjectKind.LABELS_EN[subject.kind]}s",
        )
    if is_person:
        if not access.is_person(user, owner.pk):
            raise PolicyError("forbidden", "只能本人申请", "only the person may apply")
    elif owner not in access.enterprises_of(user):
        raise PolicyError(
            "forbidden", "无权代表该企业申请", "not allowed to apply for this enterprise"
        )
    offer = PolicyOffer.objects.filter(policy_version=version, **{subject.field: owner}).first()
    if offer is None:
        values = portrait_values(
            subject.portrait.objects.filter(**{subject.field: owner}).first(), subject.kind
        )
        explanation = explain(version, values=values)
        if not explanation.matched:
            reasons = "；".join(result.words for result in explanation.not_held)
            raise PolicyError("not_eligible", f"目前不符合条件：{reasons}", "not eligible")
        offer, _ = PolicyOffer.objects.get_or_create(
            policy_version=version,
            **{subject.field: owner},
            defaults={
                "prefilled": _prefilled(version, values, explanation.amount),
                "amount": explanation.amount,
                "offered_at": clock.now(),
            },
        )
    return submit_offer(offer, user=user)


def start_full_run(user) -> None:
    """Start a full matching run in a background thread of this process (the embedded default;
    production runs ``banshi match_policies --full`` from a worker or cron)."""
    import threading

    from django.db import connections

    if not access.may_run(user):
        raise PolicyError("forbidden", "无权发起全量匹配", "not allowed to start a full run")

    def work() -> None:
        try:
            for subject in engine.SUBJECTS.values():  # enterprises, then persons
                try:
                    engine.run_full(user=user, resume=True, subject=subject)
                except engine.MatchBusy:
                    logger.info("a full run of %s is already in progress", subject.kind)
        except Exception:
            logger.exception("full match run failed")
        finally:
            connections.close_all()

    threading.Thread(target=work, name="policies-full-run", daemon=True).start()


def start_declaration(version: PolicyVersion, enterprise: Enterprise, *, user):
    """申报: open an application draft (:mod:`banshi.cases.drafts`) for the policy's catalogue item,
    in the enterprise's name, so the applicant continues on the portal's apply pages (with the
    profile prefill the draft offers)."""
    from banshi.cases import drafts
    from banshi.cases.errors import PermissionDenied as CaseDenied
    from banshi.cases.errors import RuleViolation
    from banshi.people.permissions import person_for

    if version.mode != PolicyMode.APPLY or version.service_item is None:
        raise PolicyError(
            "mode", "该政策不通过事项申报", "this policy is not declared through an item"
        )
    person = person_for(user)
    if person is None or enterprise not in access.enterprises_of(user):
        raise PolicyError(
            "forbidden", "无权代表该企业申报", "not allowed to apply for this enterprise"
        )
    try:
        return drafts.create_draft(
            person, item_code=version.service_item.code, subject=f"enterprise:{enterprise.pk}"
        )
    except (RuleViolation, CaseDenied) as error:
        zh, en = _zh_en(error)
        raise PolicyError("draft", zh, en) from None
