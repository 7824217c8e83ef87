"""申请草稿: the applicant's way from a bundle guide to a filed application, saved as they go.

One :class:`~banshi.cases.models.ApplicationDraft` per started application. Every front door (the
portal's apply pages today, a mobile app tomorrow) goes through these functions, so the rules below
hold whatever the channel:

* **Who applies.** The owner applies for themselves, for an enterprise they stand for (法定代表人 /
  经办人), or for a person who authorised them (代办, a valid :class:`~banshi.people.models.
  Authorisation` covering the code). Checked when the draft is created and again by the case engine.
* **Prefill needs consent** (M-D1, PIPL §14): values from the profile (一人一档 / 一企一档) fill the
  merged form only after the applicant ticks "同意复用本人已提交的信息"; that records a
  :class:`~banshi.people.models.Consent`. Without it every field is typed. Each prefilled field says
  where its value comes from (:data:`PREFILL_SOURCES`); identity values (name, ID number, credit
  code …) stay locked, contact values (phone, address) may be edited, and a field that only takes
  a profile value as its default (消防安全责任人 ← 法定代表人) may be changed. A field that a
  situation answer already gave is carried over and locked (change the answer instead).
* **Materials**: each planned material is fetched (电子证照 / 数据共享: nothing to do, and the page
  says why), or uploaded (stored by content hash, :mod:`banshi.files`), or — only where every item
  needing it allows — replaced by a commitment (告知承诺) or supplied later (容缺).
* **Pre-review** (:mod:`banshi.cases.prereview`) runs on the draft as it stands; submitting is refused
  while a blocking finding remains.
* **Submit once.** The draft's ``idempotency_key`` (uuid4, fixed at creation) goes to
  :func:`banshi.cases.services.submit_application`; the draft row is locked while submitting and
  marked submitted in the same transaction, so a double click, a retried request or the back button
  returns the one application already filed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet

from banshi.cases import commitments, prereview, services
from banshi.cases.errors import PermissionDenied, PrereviewBlocked, RuleViolation
from banshi.cases.models import Application, ApplicationDraft, CorrectionNotice, DraftStatus
from banshi.catalog import compiler, schema
from banshi.catalog import selectors as catalog_selectors
from banshi.core import clock
from banshi.core.db import (
    Chain,
    JsonRows,
    Sql,
    build,
    current,
    insert_rows,
    row_shape,
    select_models,
    statement,
    update_row,
)
from banshi.datashare import services as datashare_services
from banshi.expr import ExprError
from banshi.files.models import StoredFile
from banshi.licences import selectors as licence_selectors
from banshi.people import services as people_services
from banshi.people.models import Authorisation, Consent, Enterprise, EnterpriseRole, Person

log = logging.getLogger(__name__)

STEPS = ("situation", "plan", "form", "materials", "review")
MAX_VALUE_CHARS = 2000
MAX_FILES_PER_MATERIAL = 20
CONSENT_VERSION = "2026-1"
CONSENT_TEXT = (
    "本人同意本平台在本次申请中复用本人（及本人所代表单位）已在一人一档、一企一档中登记或以往办件中"
    "提交的基本信息（如姓名、身份证号码、联系电话、地址、统一社会信用代码），用于预先填写申请表。"
    "本人可随时撤回同意，撤回后已预填的内容将被清空，需自行填写。"
)


# ---------------------------------------------------------------------------------- prefill
@dataclass(frozen=True)
class PrefillSource:
    """One attribute a profile provides (DESIGN §10: prefill is a registry of sources): where it
    comes from, in words, and whether the applicant may change it on the form."""

    name: str
    origin_zh: str
    origin_en: str
    editable: bool


def _source(name: str, zh: str, en: str, *, editable: bool = False) -> PrefillSource:
    return PrefillSource(name, zh, en, editable)


PREFILL_SOURCES: dict[str, PrefillSource] = {
    source.name: source
    for source in (
        _source("person.name", "一人一档：居民身份证", "personal profile: resident ID card"),
        _source("person.id_number", "一人一档：居民身份证", "personal profile: resident ID card"),
        _source(
            "person.birth_date", "一人一档：身份证号码", "personal profile: from the ID number"
        ),
        _source("person.gender", "一人一档：身份证号码", "personal profile: from the ID number"),
        _source(
            "person.phone",
            "一人一档：实名注册手机号",
            "personal profile: registered mobile number",
            editable=True,
        ),
        _source(
            "person.email",
            "一人一档：注册邮箱",
            "personal profile: registered e-mail",
            editable=True,
        ),
        _source(
            "person.address",
            "一人一档：以往办件",
            "personal profile: earlier applications",
            editable=True,
        ),
        _source("enterprise.name", "一企一档：营业执照", "enterprise profile: business licence"),
        _source("enterprise.uscc", "一企一档：营业执照", "enterprise profile: business licence"),
        _source(
            "enterprise.legal_rep", "一企一档：营业执照", "enterprise profile: business licence"
        ),
        _source(
            "enterprise.address",
            "一企一档：营业执照",
            "enterprise profile: business licence",
            editable=True,
        ),
        _source(
            "enterprise.legal_rep_id_number",
            "一企一档：法定代表人身份信息",
            "enterprise profile: legal representative's identity",
        ),
        _source(
            "enterprise.legal_rep_phone",
            "一企一档：法定代表人联系电话",
            "enterprise profile: legal representative's phone",
            editable=True,
        ),
    )
}
# Fields about the person filling in the form (经办人), whoever the applicant is.
FILLER_PREFIXES = ("agent.",)


def person_profile(person: Person | None) -> dict[str, Any]:
    """一人一档 values keyed by prefill source name (empty values left out)."""
    if person is None:
        return {}
    values: dict[str, Any] = {
        "person.name": person.name,
        "person.id_number": person.id_number,
        "person.phone": person.phone,
        "person.email": person.email,
        "person.address": person.address,
    }
    try:
        values["person.birth_date"] = person.birth_date.isoformat()
        values["person.gender"] = person.sex_label
    except (ValueError, IndexError):  # a malformed legacy row: no derived values
        pass
    return {key: value for key, value in values.items() if value}


def enterprise_profile(enterprise: Enterprise | None, *, licences: bool = True) -> dict[str, Any]:
    """一企一档 values keyed by prefill source name, with the licences it holds (``licences=False``
    leaves them to a caller that reads the applicant's and the enterprise's in one query)."""
    if enterprise is None:
        return {}
    return _enterprise_values(enterprise, _legal_representative(enterprise), licences=licences)


def _enterprise_values(
    enterprise: Enterprise, legal_rep: tuple[str, str, str] | None, *, licences: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "enterprise.name": enterprise.name,
        "enterprise.uscc": enterprise.uscc,
        "enterprise.legal_rep": enterprise.legal_representative,
        "enterprise.address": enterprise.address,
    }
    if legal_rep is not None:
        name, id_number, phone = legal_rep
        values["enterprise.legal_rep"] = values["enterprise.legal_rep"] or name
        values["enterprise.legal_rep_id_number"] = id_number
        values["enterprise.legal_rep_phone"] = phone or enterprise.phone
    values = {key: value for key, value in values.items() if value}
    if licences:
        values[compiler.PROFILE_LICENCES] = licence_selectors.held_by(None, enterprise)
    return values


def _legal_representative(enterprise: Enterprise) -> tuple[str, str, str] | None:
    """Name, 公民身份号码 and phone of the enterprise's first 法定代表人 on record, or None: one
    plain statement (read on every draft and filing for an enterprise, where the ORM's
    select_related query costs several times the statement in CPU)."""
    with statement(*_legal_representative_query(enterprise)) as cursor:
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _legal_representative_query(
    enterprise: Enterprise | None, *, enterprise_key: str | None = None
) -> tuple[str, list[Any]]:
    """The statement of :func:`_legal_representative` (three columns, at most one row).
    ``enterprise_key``: an SQL expression for the enterprise's primary key in place of
    ``enterprise`` (a subquery of the statement that reads the enterprise, aliased other than
    ``r`` and ``p``)."""
    quote = connection.ops.quote_name
    role, person = EnterpriseRole._meta, Person._meta

    def r(name: str) -> str:
        return "r." + quote(role.get_field(name).column)

    def p(name: str) -> str:
        return "p." + quote(person.get_field(name).column)

    sql = (
        f"SELECT {p('name')}, {p('id_number')}, {p('phone')} "
        f"FROM {quote(role.db_table)} r JOIN {quote(person.db_table)} p "
        f"ON {p(person.pk.name)} = {r('person')} "
        f"WHERE {r('enterprise')} = {enterprise_key or '%s'} AND {r('kind')} = %s "
        f"ORDER BY {r(role.pk.name)} LIMIT 1"
    )
    kind = EnterpriseRole.Kind.LEGAL_REPRESENTATIVE.value
    return sql, [kind] if enterprise_key else [enterprise.pk, kind]


def _representative_and_licences(
    applicant: Person, enterprise: Enterprise
) -> tuple[tuple[str, str, str] | None, list[str]]:
    """The enterprise's 法定代表人 (as :func:`_legal_representative`) and the licence types the
    applicant and the enterprise hold in force (as ``licences.selectors.held_by``) in ONE
    statement: every draft and filing for an enterprise reads both."""
    rep_sql, rep_params = _legal_representative_query(enterprise)
    held_sql, held_params = licence_selectors.held_by_query(applicant, enterprise)
    sql = (
        f"SELECT 1, rep.* FROM ({rep_sql}) rep "
        f"UNION ALL SELECT 2, held.code, NULL, NULL FROM ({held_sql}) held"
    )
    legal_rep, codes = None, []
    with statement(sql, [*rep_params, *held_params]) as cursor:
        for kind, first, second, third in cursor.fetchall():
            if kind == 1:
                legal_rep = (first, second, third)
            else:
                codes.append(first)
    return legal_rep, sorted(codes)


# On an Enterprise read by enterprise_by_uscc (PostgreSQL): (applicant pk, day, legal
# representative, licence types held), what profile_for would read for that applicant that day
# (the licences themselves, for 免证: licences.selectors.keep_in_force).
PROFILE_READ = "_banshi_profile_read"


def _read_with_enterprise(
    applicant: Person, enterprise: Enterprise
) -> tuple[tuple[str, str, str] | None, list[str]] | None:
    """What :func:`_representative_and_licences` would answer, when :func:`enterprise_by_uscc`
    read it with the enterprise for this applicant today; else None (read it now)."""
    found = enterprise.__dict__.get(PROFILE_READ)
    if found is None or found[0] != applicant.pk or found[1] != clock.today():
        return None
    return found[2], found[3]


def applicant_of(draft: ApplicationDraft) -> Person:
    """The person the application is filed for (the principal when acting as an agent)."""
    return draft.principal or draft.owner


def profile_for(draft: ApplicationDraft) -> dict[str, Any]:
    """The flat profile the plan's conditions and the prefill read: the applicant's 一人一档 and,
    when applying for one, the enterprise's 一企一档, and (免证) the licence types the licence
    library holds in force for them.

    Kept on the draft instance for as long as the draft's subject stays the same: one request
    reads it many times (plan, form, prefill, pre-review) and each read would query the
    enterprise's legal representative and the licence library again. A new request loads a new
    instance and reads anew.
    """
    subject = (draft.owner_id, draft.principal_id, draft.enterprise_id)
    cached = draft.__dict__.get("_banshi_profile")
    if cached is None or cached[0] != subject:
        applicant, enterprise = applicant_of(draft), draft.enterprise
        profile = person_profile(applicant)
        if enterprise is None:
            profile[compiler.PROFILE_LICENCES] = licence_selectors.held_by(applicant, None)
        else:  # the 法定代表人 and both holders' licences: read with the enterprise, or now
            legal_rep, held = _read_with_enterprise(
                applicant, enterprise
            ) or _representative_and_licences(applicant, enterprise)
            profile.update(_enterprise_values(enterprise, legal_rep, licences=False))
            profile[compiler.PROFILE_LICENCES] = held
        cached = draft.__dict__["_banshi_profile"] = (subject, profile)
    return dict(cached[1])


def _prefill_value(
    draft: ApplicationDraft, form_field: compiler.FormField, profiles: tuple[dict, dict]
) -> Any:
    if form_field.prefill is None:
        return None
    applicant, filler = profiles
    source = filler if form_field.code.startswith(FILLER_PREFIXES) else applicant
    return source.get(form_field.prefill)


# ---------------------------------------------------------------------------------- subjects
@dataclass(frozen=True)
class Subject:
    """Someone the owner may apply as: themselves, an enterprise, or a principal (代办)."""

    key: str  # "self" | "enterprise:<pk>" | "person:<pk>"
    label: str
    kind: str  # self | enterprise | principal
    enterprise: Enterprise | None = None
    principal: Person | None = None


def subjects_for(owner: Person, code: str = "") -> list[Subject]:
    """Whom ``owner`` may apply as for ``code`` today."""
    today = clock.today()
    found = [Subject("self", owner.name, "self")]
    enterprises = (
        Enterprise.objects.filter(person_roles__person=owner).distinct().order_by("name", "pk")
    )
    found += [
        Subject(f"enterprise:{enterprise.pk}", enterprise.name, "enterprise", enterprise=enterprise)
        for enterprise in enterprises
    ]
    authorisations = (
        Authorisation.objects.filter(agent=owner, principal_person__isnull=False)
        .select_related("principal_person")
        .order_by("principal_person__name", "pk")
    )
    seen: set[int] = set()
    for authorisation in authorisations:
        principal = authorisation.principal_person
        if principal.pk in seen:
            continue
        if people_services.find_authorisation(owner, principal, scope=code or "", on=today):
            seen.add(principal.pk)
            found.append(
                Subject(f"person:{principal.pk}", principal.name, "principal", principal=principal)
            )
    return found


def _chosen_subject(
    owner: Person, key: str, code: str, known: Enterprise | None = None
) -> Subject | None:
    """The subject ``key`` names among :func:`subjects_for` ``(owner, code)``, else None; reads
    only what that key can name (yourself: nothing; an enterprise: that one enterprise)."""
    if key == "self":
        return Subject("self", owner.name, "self")
    kind, _, pk = key.partition(":")
    if (
        known is not None
        and key == f"enterprise:{known.pk}"
        and known.__dict__.get(people_services.ROLE_SEEN) == owner.pk
    ):
        return Subject(key, known.name, "enterprise", enterprise=known)
    if kind == "enterprise" and pk.isdigit():
        enterprise = _enterprise_of(owner, int(pk))
        if enterprise is None:
            return None
        return Subject(key, enterprise.name, "enterprise", enterprise=enterprise)
    return {candidate.key: candidate for candidate in subjects_for(owner, code)}.get(key)


def _enterprise_of(owner: Person, pk: int) -> Enterprise | None:
    """Enterprise ``pk`` when ``owner`` holds a role in it (one plain statement: every filing
    through the API names its enterprise)."""
    roles = connection.ops.quote_name(EnterpriseRole._meta.db_table)
    found = select_models(
        Enterprise,
        f"t.id = %s AND EXISTS (SELECT 1 FROM {roles} r "
        "WHERE r.enterprise_id = t.id AND r.person_id = %s)",
        [pk, owner.pk],
    )
    if not found:
        return None
    people_services.note_role(found[0], owner)
    return found[0]


def enterprise_by_uscc(
    owner: Person, uscc: str, *, also: Sequence[JsonRows] = ()
) -> Enterprise | None:
    """The enterprise registered with ``uscc`` (None when there is none), read with whether
    ``owner`` holds a role in it (remembered on the instance, see
    :func:`banshi.people.services.note_role`): one statement for what an API filing names.

    On PostgreSQL the same statement also reads what a filing for ``owner`` as this enterprise
    reads next, kept on the instance under :data:`PROFILE_READ`: its 法定代表人 and the licences
    ``owner`` and the enterprise hold in force today (for :func:`profile_for`'s licence types
    and, 免证, for the materials they stand in for), and the rows of ``also`` (the caller's own
    reads, e.g. the files a request names): one round trip instead of four. The subqueries are
    the statements of :func:`_legal_representative_query` and
    ``licences.selectors.in_force_query`` (a record and JSON, which SQLite has not: there each
    is read by its own statement, and ``also`` is left unread)."""
    shape = row_shape(Enterprise, "e")  # the licence subquery names its table t
    quote = connection.ops.quote_name
    extra, extra_params, day = "", [], None
    if connection.vendor == "postgresql":
        day = clock.today()
        rep_sql, rep_params = _legal_representative_query(None, enterprise_key="e.id")
        held_sql, held_params = licence_selectors.in_force_query(
            owner, enterprise_key="e.id", on=day
        )
        extra = f", (SELECT ROW(rep.*) FROM ({rep_sql}) rep), ({held_sql})"  # rep: 3 texts
        extra += "".join(f", {read.sql()}" for read in also)
        extra_params = [*rep_params, *held_params, *(p for read in also for p in read.params)]
    sql = (
        f"SELECT {shape.columns}, EXISTS (SELECT 1 FROM "
        f"{quote(EnterpriseRole._meta.db_table)} r "
        f"WHERE r.enterprise_id = e.id AND r.person_id = %s){extra} "
        f"FROM {quote(Enterprise._meta.db_table)} e WHERE e.uscc = %s"
    )
    with statement(sql, [owner.pk, *extra_params, uscc]) as cursor:
        row = cursor.fetchone()
    if row is None:
        return None
    enterprise = shape.build(row[: shape.width])
    if row[shape.width]:
        people_services.note_role(enterprise, owner)
    if day is not None:
        rep, held = row[shape.width + 1], row[shape.width + 2]
        legal_rep = None if rep is None else (rep[0], rep[1], rep[2])
        licences = licence_selectors.in_force_from_json(held)
        codes = licence_selectors.held_codes_among(licences)
        enterprise.__dict__[PROFILE_READ] = (owner.pk, day, legal_rep, codes)
        licence_selectors.keep_in_force(owner, enterprise, day, licences)
        for read, text in zip(also, row[shape.width + 3 :], strict=True):
            read.take(text)
    return enterprise


def read_for_applicant(person: Person, *, also: Sequence[JsonRows] = ()) -> None:
    """What a filing by ``person`` for themself reads next, in ONE statement (PostgreSQL; on
    SQLite nothing, each is read when asked): the licences they hold in force today — kept on
    the instance (``licences.selectors.keep_in_force``) for the profile's licence types and 免证
    — and the rows of ``also`` (the caller's own reads, e.g. the files a request names). The
    person's counterpart of :func:`enterprise_by_uscc`'s extra columns."""
    if connection.vendor != "postgresql":
        return
    day = clock.today()
    held_sql, held_params = licence_selectors.in_force_query(person, enterprise_key=None, on=day)
    columns = [f"({held_sql})", *(read.sql() for read in also)]
    params = [*held_params, *(p for read in also for p in read.params)]
    with statement(f"SELECT {', '.join(columns)}", params) as cursor:
        row = cursor.fetchone()
    licences = licence_selectors.in_force_from_json(row[0])
    licence_selectors.keep_in_force(person, None, day, licences)
    for read, text in zip(also, row[1:], strict=True):
        read.take(text)


# ---------------------------------------------------------------------------------- creation
def _catalogue() -> schema.Catalogue:
    return catalog_selectors.catalogue_snapshot(clock.today())


def create_draft(
    owner: Person,
    *,
    bundle_code: str = "",
    item_code: str = "",
    answers: Mapping[str, Any] | None = None,
    subject: str = "self",
    known_enterprise: Enterprise | None = None,
    unsaved: bool = False,
) -> ApplicationDraft:
    """Start a draft for a bundle or an item, as ``subject`` (see :func:`subjects_for`), keeping the
    situation answers already given on the guide page (only the bundle's own questions).
    ``known_enterprise``: the enterprise ``subject`` names, as :func:`enterprise_by_uscc` read it
    (used only when that read saw the owner's role; otherwise it is read and checked here).
    ``unsaved``: the draft is not written yet; the caller fills it inside :func:`saved_once`,
    which writes it once, complete, at its end (创建并提交: one INSERT instead of an INSERT and
    an UPDATE of the same wide row)."""
    if bool(bundle_code) == bool(item_code):
        raise RuleViolation("必须且只能选择一个一件事或事项", "give exactly one bundle or item")
    catalogue = _catalogue()
    code = bundle_code or item_code
    if bundle_code:
        bundle = catalogue.bundles.get(bundle_code)
        if bundle is None:
            raise RuleViolation(f"未找到一件事 {code}", f"unknown bundle {code}")
        title, questions = bundle.name, bundle.questions
    else:
        item = catalogue.items.get(item_code)
        if item is None:
            raise RuleViolation(f"未找到事项 {code}", f"unknown item {code}")
        title, questions = item.name, ()
    chosen = _chosen_subject(owner, subject, code, known_enterprise)
    if chosen is None:
        raise PermissionDenied(
            "您不能以所选主体的名义申请本事项",
            "you may not apply in the chosen name for this matter",
        )
    now = clock.now()
    draft = build(
        ApplicationDraft,
        owner=owner,
        principal=chosen.principal,
        enterprise=chosen.enterprise,
        bundle_code=bundle_code,
        item_code=item_code,
        title=title,
        answers=_clean_answers(questions, answers or {}),
        created_at=now,
        updated_at=now,
    )
    if not unsaved:
        insert_rows([draft])  # one plain statement (see banshi.core.db)
    return draft


def _clean_answers(questions: Sequence[schema.Question], raw: Mapping[str, Any]) -> dict[str, str]:
    cleaned = {}
    for question in questions:
        value = raw.get(question.code)
        if isinstance(value, list | tuple):
            value = value[-1] if value else None
        if value is None:
            continue
        text = str(value).strip()[:200]
        if text:
            cleaned[question.code] = text
    return cleaned


def open_drafts(person: Person) -> QuerySet[ApplicationDraft]:
    """The person's unfinished drafts, last saved first (我的办件)."""
    return ApplicationDraft.objects.filter(owner=person, status=DraftStatus.OPEN).order_by(
        "-updated_at", "-pk"
    )


def draft_for(person: Person | None, pk: int) -> ApplicationDraft | None:
    """A draft by id, only for its owner."""
    if person is None:
        return None
    return (
        ApplicationDraft.objects.select_related(
            "owner__user", "principal", "enterprise", "application"
        )
        .filter(owner=person, pk=pk)
        .first()
    )


def delete_draft(draft: ApplicationDraft) -> None:
    """Delete an unsubmitted draft (uploaded files stay stored: other drafts may share them)."""
    _require_open(draft)
    draft.delete()


def _require_open(draft: ApplicationDraft) -> None:
    if draft.status != DraftStatus.OPEN:
        raise RuleViolation(
            "该申请已提交，草稿不能再修改", "this application was submitted; the draft is closed"
        )


def _touch(draft: ApplicationDraft, *fields: str) -> None:
    draft.updated_at = clock.now()
    pending = draft.__dict__.get("_banshi_pending")
    if pending is not None:  # inside saved_once(): written once at its end
        pending.update(fields)
        return
    draft.save(update_fields=[*fields, "updated_at"])


@contextmanager
def saved_once(draft: ApplicationDraft) -> Iterator[None]:
    """Several changes to one draft (consent, form, materials of one API request) written with
    ONE update at the end instead of one per change; nothing is written if the block raises.
    Use it inside the caller's transaction."""
    if "_banshi_pending" in draft.__dict__:  # nested: the outer block writes
        yield
        return
    pending: set[str] = set()
    draft.__dict__["_banshi_pending"] = pending
    try:
        yield
    finally:
        draft.__dict__.pop("_banshi_pending", None)
    if draft.pk is None:  # created unsaved (create_draft(unsaved=True)): written now, complete
        _insert_draft(draft)
        return
    if pending:  # one plain UPDATE (see banshi.core.db), as save(update_fields=…) would write
        fields = [
            ApplicationDraft._meta.get_field(name) for name in [*sorted(pending), "updated_at"]
        ]
        changed = {field.name: getattr(draft, field.attname) for field in fields}
        if not update_row(ApplicationDraft, draft.pk, **changed):
            raise DatabaseError(f"draft {draft.pk} is gone: the update changed no row")


PENDING_CONSENT = "_banshi_pending_consent"


def _insert_draft(draft: ApplicationDraft) -> None:
    """Write a draft created unsaved, with the prefill consent given meanwhile (if any). The
    consent's scope names the draft's number, which exists only once the draft is written: on
    PostgreSQL both rows go in ONE statement (the consent's key drawn from its sequence while the
    draft row is written; the foreign key is checked at commit); elsewhere three statements."""
    consent = draft.__dict__.pop(PENDING_CONSENT, None)
    chain = services.unwritten_filing(draft.application)
    if chain is not None:  # filed in this request: written with the filing, in one statement
        _chain_draft(chain, draft, consent)
        return
    if consent is None:
        insert_rows([draft])
        return
    if connection.vendor == "postgresql":  # both rows in one statement, as in a filing's
        chain = Chain()
        _chain_draft(chain, draft, consent)
        chain.run()
        return
    prefix, suffix = _consent_scope_parts(draft)
    insert_rows([draft])
    consent.scope = f"{prefix}{draft.pk}{suffix}"
    insert_rows([consent])
    update_row(ApplicationDraft, draft.pk, consent=consent.pk)
    draft.consent = consent


def _chain_draft(chain: Chain, draft: ApplicationDraft, consent: Consent | None) -> None:
    """The draft (and its consent) as steps of ``chain`` (a filing's, or their own): the
    consent's key drawn from its sequence in the draft row, the consent written with that key
    and a scope naming the draft's number (the foreign key is checked at commit)."""
    if consent is None:
        chain.add("d", [draft])
        return
    db = current()
    quote = db.ops.quote_name
    meta = Consent._meta
    draft.consent_id = Sql(
        f"nextval(pg_get_serial_sequence('{meta.db_table}', '{meta.pk.column}'))"
    )
    chain.add("d", [draft])
    link, key = ApplicationDraft._meta.get_field("consent"), ApplicationDraft._meta.pk
    consent.pk = Sql(f"(SELECT {quote(link.column)} FROM d)")
    prefix, suffix = _consent_scope_parts(draft)
    consent.scope = Sql(f"%s || (SELECT {quote(key.column)} FROM d)::text || %s", [prefix, suffix])
    chain.add("k", [consent])
    link.set_cached_value(draft, consent)  # not the descriptor: it would copy the key over


def set_step(draft: ApplicationDraft, step: str) -> None:
    """Remember where the applicant is, so that resuming opens the same step."""
    if step in STEPS and draft.step != step and draft.status == DraftStatus.OPEN:
        draft.step = step
        _touch(draft, "step")


# ---------------------------------------------------------------------------------- plan
@dataclass(frozen=True)
class DraftPlan:
    """The compiled plan of a draft, or why there is none (``problem``: zh, en)."""

    plan: compiler.Plan | None
    catalogue: schema.Catalogue
    answers: dict[str, Any]  # typed, valid answers only
    problem: tuple[str, str] | None = None


def _questions_of(draft: ApplicationDraft, catalogue: schema.Catalogue) -> tuple:
    bundle = catalogue.bundles.get(draft.bundle_code) if draft.bundle_code else None
    return bundle.questions if bundle else ()


def typed_answers(questions: Iterable[schema.Question], raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that fit their question's type, read as that type (a malformed answer counts as
    unanswered here; pre-review reports it)."""
    typed: dict[str, Any] = {}
    for question in questions:
        value = raw.get(question.code)
        if prereview.blank(value):
            continue
        try:
            checked = prereview.check_value(question.type, value, question.options, dt.date.max)
        except prereview.Invalid:
            continue
        if isinstance(checked, Decimal) and checked == checked.to_integral_value():
            checked = int(checked)
        typed[question.code] = checked
    return typed


def plan_for(draft: ApplicationDraft) -> DraftPlan:
    """Compile the draft's plan on today's catalogue, with its answers and the applicant's profile.

    Compiled once per request: the result is kept on the draft instance, keyed by everything it
    depends on (the catalogue snapshot, the codes, the answers, the subject), so the form, the
    materials, the pre-review and the submission of one request share one compilation.
    """
    catalogue = _catalogue()
    key = (
        id(catalogue),
        draft.bundle_code,
        draft.item_code,
        json.dumps(draft.answers, sort_keys=True, default=str),
        (draft.owner_id, draft.principal_id, draft.enterprise_id),
    )
    cached = draft.__dict__.get("_banshi_plan")
    if cached is not None and cached[0] == key and cached[1].catalogue is catalogue:
        return cached[1]
    drafted = _compile_draft(draft, catalogue)
    draft.__dict__["_banshi_plan"] = (key, drafted)
    return drafted


def _compile_draft(draft: ApplicationDraft, catalogue: schema.Catalogue) -> DraftPlan:
    answers = typed_answers(_questions_of(draft, catalogue), draft.answers)
    profile = profile_for(draft)
    try:
        plan = catalog_selectors.compiled_plan(
            catalogue, draft.bundle_code, draft.item_code, answers, profile
        )
    except (compiler.UnknownCodeError, compiler.DependencyCycleError) as error:
        return DraftPlan(
            None,
            catalogue,
            answers,
            (
                f"该事项当前无法在线申请：{error}",
                f"this matter cannot be applied for online now: {error}",
            ),
        )
    except ExprError as error:
        return DraftPlan(
            None,
            catalogue,
            answers,
            (f"情形回答无法判断：{error}", f"an answer cannot be evaluated: {error}"),
        )
    if not plan.items:
        return DraftPlan(
            plan,
            catalogue,
            answers,
            ("按所答情形，没有需要办理的事项", "no item applies to the answers given"),
        )
    # A data-sharing source that cannot verify now: the applicant uploads that material instead.
    plan = datashare_services.with_upload_fallback(plan, draft)
    return DraftPlan(plan, catalogue, answers)


def save_answers(draft: ApplicationDraft, raw: Mapping[str, Any]) -> None:
    """Keep the situation answers as typed (only the bundle's questions; blank = unanswered)."""
    _require_open(draft)
    questions = _questions_of(draft, _catalogue())
    answers = dict(draft.answers)
    for question in questions:
        if question.code not in raw:
            continue
        value = raw.get(question.code)
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        text = str(value or "").strip()[:200]
        if text:
            answers[question.code] = text
        else:
            answers.pop(question.code, None)
    draft.answers = answers
    _touch(draft, "answers")


# ---------------------------------------------------------------------------------- the form
@dataclass(frozen=True)
class DraftField:
    """One field of the merged form as the applicant sees it."""

    code: str
    label: str
    type: str
    options: tuple[str, ...]
    help: str
    item_count: int
    value: str  # what the input shows
    origin: str  # "profile" | "answer" | "typed" | ""
    source_zh: str  # 来自一人一档：居民身份证
    source_en: str
    locked: bool
    prefill_available: bool  # the profile could fill it, once consent is given
    changed: bool  # an editable prefilled value the applicant changed


def _field_view(
    draft: ApplicationDraft,
    form_field: compiler.FormField,
    catalogue: schema.Catalogue,
    answers: Mapping[str, Any],
    profiles: tuple[dict, dict],
) -> DraftField:
    element = catalogue.data_elements.get(form_field.code)
    base = {
        "code": form_field.code,
        "label": form_field.label,
        "type": form_field.type,
        "options": tuple(form_field.options),
        "help": (element.help or "") if element else "",
        "item_count": len(form_field.items),
    }
    if form_field.code in answers:
        return DraftField(
            **base,
            value=prereview.as_text(answers[form_field.code]),
            origin="answer",
            source_zh="来自情形回答，如需修改请返回第1步",
            source_en="from your situation answers; change them in step 1",
            locked=True,
            prefill_available=False,
            changed=False,
        )
    prefill = _prefill_value(draft, form_field, profiles)
    typed = draft.form_data.get(form_field.code)
    if prefill is not None and draft.consent_given:
        source = PREFILL_SOURCES.get(form_field.prefill or "") or PrefillSource(
            form_field.prefill or "",
            f"档案：{form_field.prefill}",
            f"profile: {form_field.prefill}",
            False,
        )
        prefilled = prereview.as_text(prefill)
        if _locked(form_field, source):
            return DraftField(
                **base,
                value=prefilled,
                origin="profile",
                source_zh=f"来自{source.origin_zh}",
                source_en=f"from the {source.origin_en}",
                locked=True,
                prefill_available=True,
                changed=False,
            )
        changed = typed is not None and typed != prefilled
        return DraftField(
            **base,
            value=typed if changed else prefilled,
            origin="typed" if changed else "profile",
            source_zh=f"来自{source.origin_zh}" + ("（已修改）" if changed else "，可修改"),
            source_en=f"from the {source.origin_en}" + (" (changed)" if changed else ", editable"),
            locked=False,
            prefill_available=True,
            changed=changed,
        )
    return DraftField(
        **base,
        value="" if typed is None else str(typed),
        origin="typed" if typed else "",
        source_zh="",
        source_en="",
        locked=False,
        prefill_available=prefill is not None,
        changed=False,
    )


def _locked(form_field: compiler.FormField, source: PrefillSource) -> bool:
    """Identity values stay as the profile says: a field that *is* a non-editable profile attribute
    (its code is the source's name) or describes the person filling in (``agent.*``). A field that
    only borrows a source as its default (消防安全责任人 ← 法定代表人) may be changed."""
    if source.editable:
        return False
    return form_field.code == source.name or form_field.code.startswith(FILLER_PREFIXES)


def _profiles(draft: ApplicationDraft) -> tuple[dict, dict]:
    return profile_for(draft), person_profile(draft.owner)


def form_fields(draft: ApplicationDraft, drafted: DraftPlan | None = None) -> list[DraftField]:
    """The merged form with each field's value, origin and whether it may be edited.

    Kept on the draft instance for its plan, subject, consent and typed values (a submission
    reads the form three times: pre-review, the values filed, the answer); any change of those
    makes it anew (the fields are frozen, the list a copy)."""
    drafted = drafted or plan_for(draft)
    if drafted.plan is None:
        return []
    key = (
        (draft.owner_id, draft.principal_id, draft.enterprise_id),
        draft.consent_given,
        tuple(draft.form_data.items()),
    )
    kept = draft.__dict__.get(_FIELDS)
    if kept is not None and kept[0] is drafted and kept[1] == key:
        return list(kept[2])
    profiles = _profiles(draft)
    views = [
        _field_view(draft, form_field, drafted.catalogue, drafted.answers, profiles)
        for form_field in drafted.plan.form.fields
    ]
    draft.__dict__[_FIELDS] = (drafted, key, tuple(views))
    return views


_FIELDS = "_banshi_form_fields"


def save_form(draft: ApplicationDraft, raw: Mapping[str, Any]) -> None:
    """Keep what the applicant typed. Locked fields are ignored; a prefilled value sent back
    unchanged is not stored (it stays a prefill, and leaves with the consent)."""
    _require_open(draft)
    drafted = plan_for(draft)
    data = dict(draft.form_data)
    for view in form_fields(draft, drafted):
        if view.locked or view.code not in raw:
            continue
        value = raw.get(view.code)
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        text = str(value or "").strip()[:MAX_VALUE_CHARS]
        if draft.consent_given and view.prefill_available and view.origin in ("profile", "typed"):
            prefilled = _prefilled_text(draft, drafted, view.code)
            if text == prefilled:
                data.pop(view.code, None)
            else:
                data[view.code] = text  # "" = the applicant cleared a prefilled value
            continue
        if text:
            data[view.code] = text
        else:
            data.pop(view.code, None)
    draft.form_data = data
    _touch(draft, "form_data")


def _prefilled_text(draft: ApplicationDraft, drafted: DraftPlan, code: str) -> str:
    form_field = drafted.plan.form.field(code)
    return prereview.as_text(_prefill_value(draft, form_field, _profiles(draft)))


def form_values(draft: ApplicationDraft, drafted: DraftPlan | None = None) -> dict[str, str]:
    """Field code → the value that will be filed (prefilled or typed), blanks left out."""
    return {view.code: view.value for view in form_fields(draft, drafted) if view.value.strip()}


# ---------------------------------------------------------------------------------- consent
def give_consent(draft: ApplicationDraft) -> Consent:
    """The applicant agrees that their profile may prefill this application (records a Consent)."""
    _require_open(draft)
    now = clock.now()
    prefix, suffix = _consent_scope_parts(draft)
    consent = build(
        Consent,
        person=draft.owner,
        purpose=Consent.Purpose.PREFILL_REUSE,
        scope=f"{prefix}{draft.pk}{suffix}",
        version=CONSENT_VERSION,
        text=CONSENT_TEXT,
        given_at=now,
    )
    if draft.pk is None:  # an unsaved draft (saved_once writes both, see _insert_draft)
        draft.__dict__[PENDING_CONSENT] = consent
        draft.consent_given, draft.consent_at = True, now
        _touch(draft, "consent_given", "consent_at", "consent")
        return consent
    with transaction.atomic(savepoint=False):  # in the caller's transaction when there is one
        insert_rows([consent])  # one plain statement (see banshi.core.db)
        if draft.consent_id and draft.consent_id != consent.pk:
            Consent.objects.filter(pk=draft.consent_id, withdrawn_at__isnull=True).update(
                withdrawn_at=now
            )
        draft.consent_given, draft.consent_at, draft.consent = True, now, consent
        _touch(draft, "consent_given", "consent_at", "consent")
    return consent


def _consent_scope_parts(draft: ApplicationDraft) -> tuple[str, str]:
    """The consent's scope around the draft's number: ``草稿 <n> · <code>[ · <credit code>]``."""
    return "草稿 ", f" · {draft.code}" + (
        f" · {draft.enterprise.uscc}" if draft.enterprise_id else ""
    )


def withdraw_consent(draft: ApplicationDraft) -> None:
    """Withdraw the consent: the prefilled values leave the form (what was typed stays)."""
    _require_open(draft)
    now = clock.now()
    with transaction.atomic():
        if draft.consent_id:
            Consent.objects.filter(pk=draft.consent_id, withdrawn_at__isnull=True).update(
                withdrawn_at=now
            )
        draft.form_data = {
            code: value for code, value in draft.form_data.items() if value not in ("", None)
        }
        draft.consent_given, draft.consent_at = False, None
        _touch(draft, "consent_given", "consent_at", "form_data")


# ---------------------------------------------------------------------------------- materials
@dataclass(frozen=True)
class DraftMaterial:
    """One planned material and what the applicant did about it."""

    code: str
    name: str
    description: str
    item_names: tuple[str, ...]
    route: str  # compiler ROUTE_* (upload, licence, data_share)
    needs_upload: bool
    note_zh: str  # why nothing needs handing in, or how to hand it in
    note_en: str
    mode: str  # upload | commitment | deficiency
    files: tuple[StoredFile, ...]
    commitment_allowed: bool
    deficiency_allowed: bool
    licence: Any = None  # 免证: the banshi.licences Licence that stands in for it


def _material_note(
    planned: compiler.PlannedMaterial, catalogue: schema.Catalogue, names: Mapping[str, str]
) -> tuple[str, str]:
    if planned.route == compiler.ROUTE_LICENCE and not planned.to_upload:
        licence = catalogue.licence_types.get(planned.licence_type or "")
        name = licence.name if licence else planned.licence_type
        if planned.produced_by:
            item = names.get(planned.produced_by, planned.produced_by)
            return (
                f"免提交：由本次办理的「{item}」办结后出具电子证照「{name}」，自动调取",
                f"nothing to hand in: {item!r} in this application issues the e-licence "
                f"{name!r}, which is fetched automatically",
            )
        return (
            f"免提交：从电子证照库调取您的「{name}」",
            f"nothing to hand in: your {name!r} is fetched from the e-licence library",
        )
    if planned.route == compiler.ROUTE_DATA_SHARE:
        return (
            f"免提交：通过数据共享从「{planned.data_share}」核验",
            f"nothing to hand in: verified through data sharing with {planned.data_share!r}",
        )
    if planned.route == compiler.ROUTE_LICENCE:
        licence = catalogue.licence_types.get(planned.licence_type or "")
        name = licence.name if licence else planned.licence_type
        return (
            f"电子证照库中未找到您的「{name}」，请上传",
            f"no {name!r} of yours is in the e-licence library: upload it",
        )
    if planned.data_share:  # the source could not verify it (banshi.datashare fallback)
        return (
            f"「{planned.data_share}」暂时无法核验，请上传",
            f"{planned.data_share!r} cannot verify it now: upload it",
        )
    return ("请上传", "upload it")


FILES_AT_HAND = "_banshi_files"  # stored files attached to a draft instance in this request


def material_views(
    draft: ApplicationDraft, drafted: DraftPlan | None = None
) -> list[DraftMaterial]:
    """Every planned material with its route, the applicant's choice and uploaded files."""
    drafted = drafted or plan_for(draft)
    if drafted.plan is None:
        return []
    names = {item.code: item.name for item in drafted.plan.items}
    chosen = draft.materials or {}
    ids = {pk for entry in chosen.values() for pk in entry.get("files", [])}
    known = draft.__dict__.get(FILES_AT_HAND, {})  # attached in this request: already loaded
    stored = {pk: known[pk] for pk in ids if pk in known}
    if len(stored) < len(ids):
        stored.update(StoredFile.objects.in_bulk(ids - stored.keys()))
    views = []
    for planned in drafted.plan.materials:
        entry = chosen.get(planned.code) or {}
        material = drafted.catalogue.materials.get(planned.code)
        zh, en = _material_note(planned, drafted.catalogue, names)
        licence = _library_licence(draft, planned)
        if licence is not None:  # 免证: say which licence stands in for it
            note = licence_selectors.library_note(licence)
            zh, en = note.zh, note.en
        views.append(
            DraftMaterial(
                code=planned.code,
                name=planned.name,
                description=(material.description or "") if material else "",
                item_names=tuple(names.get(code, code) for code in planned.items),
                route=planned.route,
                needs_upload=planned.to_upload,
                note_zh=zh,
                note_en=en,
                mode=entry.get("mode") or prereview.MODE_UPLOAD,
                files=tuple(stored[pk] for pk in entry.get("files", []) if pk in stored),
                commitment_allowed=planned.commitment_allowed,
                deficiency_allowed=planned.deficiency_allowed,
                licence=licence,
            )
        )
    return views


def _library_licence(draft: ApplicationDraft, planned: compiler.PlannedMaterial):
    """The licence from the library that replaces ``planned`` (免证), or None."""
    if planned.route != compiler.ROUTE_LICENCE or planned.to_upload or planned.produced_by:
        return None
    return licence_selectors.library_licence(
        applicant_of(draft), draft.enterprise, planned.licence_type or ""
    )


def _planned_upload(draft: ApplicationDraft, code: str) -> compiler.PlannedMaterial:
    drafted = plan_for(draft)
    try:
        planned = drafted.plan.material(code) if drafted.plan else None
    except KeyError:
        planned = None
    if planned is None or not planned.to_upload:
        raise RuleViolation(
            f"本申请无需提交材料 {code}", f"this application does not ask for material {code}"
        )
    return planned


def choose_material_mode(draft: ApplicationDraft, code: str, mode: str) -> None:
    """Upload it, replace it by a commitment (告知承诺) or supply it later (容缺), where allowed."""
    _require_open(draft)
    planned = _planned_upload(draft, code)
    if mode not in prereview.MODES:
        raise RuleViolation(f"未知的材料提交方式：{mode}", f"unknown way to hand in: {mode}")
    if mode == prereview.MODE_COMMITMENT and not planned.commitment_allowed:
        raise RuleViolation(
            f"“{planned.name}”不适用告知承诺",
            f"{planned.name!r} cannot be replaced by a commitment",
        )
    if mode == prereview.MODE_DEFICIENCY and not planned.deficiency_allowed:
        raise RuleViolation(
            f"“{planned.name}”不能容缺后补", f"{planned.name!r} cannot be supplied later"
        )
    materials = dict(draft.materials)
    entry = dict(materials.get(code) or {"files": []})
    entry["mode"] = mode
    materials[code] = entry
    draft.materials = materials
    _touch(draft, "materials")


def add_material_file(draft: ApplicationDraft, code: str, stored: StoredFile) -> None:
    """Attach a stored file to a material (uploading means handing it in: mode ``upload``)."""
    _require_open(draft)
    _planned_upload(draft, code)
    materials = dict(draft.materials)
    entry = dict(materials.get(code) or {"files": []})
    files = list(entry.get("files", []))
    if stored.pk not in files:
        if len(files) >= MAX_FILES_PER_MATERIAL:
            raise RuleViolation(
                f"每项材料最多上传 {MAX_FILES_PER_MATERIAL} 个文件",
                f"at most {MAX_FILES_PER_MATERIAL} files per material",
            )
        files.append(stored.pk)
    draft.__dict__.setdefault(FILES_AT_HAND, {})[stored.pk] = stored
    entry.update(files=files, mode=prereview.MODE_UPLOAD)
    materials[code] = entry
    draft.materials = materials
    _touch(draft, "materials")


def remove_material_file(draft: ApplicationDraft, code: str, file_id: int) -> None:
    _require_open(draft)
    materials = dict(draft.materials)
    entry = dict(materials.get(code) or {})
    entry["files"] = [pk for pk in entry.get("files", []) if pk != file_id]
    materials[code] = entry
    draft.materials = materials
    _touch(draft, "materials")


def draft_file(draft: ApplicationDraft, file_id: int) -> StoredFile | None:
    """A file the draft (or its staged correction) refers to, else None (no browsing by id)."""
    ids = {pk for entry in (draft.materials or {}).values() for pk in entry.get("files", [])}
    ids |= {pk for pks in (draft.correction or {}).get("materials", {}).values() for pk in pks}
    return StoredFile.objects.filter(pk=file_id).first() if file_id in ids else None


def application_file(application: Application, file_id: int) -> StoredFile | None:
    """A file handed in with the application (at submission or with a correction)."""
    for entry in application.materials or []:
        for described in entry.get("files", []) if isinstance(entry, Mapping) else []:
            if described.get("id") == file_id:
                return StoredFile.objects.filter(pk=file_id).first()
    return None


# ---------------------------------------------------------------------------------- review
@dataclass
class DraftReview:
    """Pre-review of a draft as it stands."""

    drafted: DraftPlan
    findings: list[prereview.Finding] = field(default_factory=list)

    @property
    def plan(self) -> compiler.Plan | None:
        return self.drafted.plan

    @property
    def problem(self) -> tuple[str, str] | None:
        return self.drafted.problem

    @property
    def blocking(self) -> list[prereview.Finding]:
        return [finding for finding in self.findings if finding.blocking]

    @property
    def warnings(self) -> list[prereview.Finding]:
        return [finding for finding in self.findings if not finding.blocking]

    @property
    def can_submit(self) -> bool:
        return self.problem is None and not self.blocking

    def for_code(self, code: str) -> list[prereview.Finding]:
        return [finding for finding in self.findings if finding.code == code]


def review(draft: ApplicationDraft) -> DraftReview:
    """Run the pre-review (:mod:`banshi.cases.prereview`) on the draft."""
    drafted = plan_for(draft)
    if drafted.plan is None or not drafted.plan.items:
        return DraftReview(drafted)
    views = form_fields(draft, drafted)
    values = {view.code: view.value for view in views}
    profiles = _profiles(draft)
    expected = {}
    for form_field in drafted.plan.form.fields:
        if form_field.type in prereview.PROFILE_IDENTIFIER_TYPES:
            value = _prefill_value(draft, form_field, profiles)
            if value:
                expected[form_field.code] = value
    choices = {
        code: prereview.MaterialChoice(
            mode=entry.get("mode") or prereview.MODE_UPLOAD, files=len(entry.get("files", []))
        )
        for code, entry in (draft.materials or {}).items()
    }
    findings = prereview.review(
        drafted.plan,
        values,
        choices,
        answers=draft.answers,
        expected=expected,
        today=clock.today(),
    )
    # 信用: no 告知承诺 / 容缺 for a subject with a bad record until repaired (42号, 35号).
    gate = commitments.gate_findings(applicant_of(draft), draft.enterprise, choices)
    findings = gate + findings if gate else findings
    return DraftReview(drafted, findings)


# ---------------------------------------------------------------------------------- submit
def _submitted_materials(draft: ApplicationDraft, views: Sequence[DraftMaterial]) -> list[dict]:
    entries = []
    for view in views:
        if not view.needs_upload:
            if view.licence is not None:  # 免证: recorded as the licence, never uploaded
                entries.append(licence_selectors.material_entry(view.code, view.name, view.licence))
            continue
        if view.mode in (prereview.MODE_COMMITMENT, prereview.MODE_DEFICIENCY):
            note = "申请人选择告知承诺" if view.mode == prereview.MODE_COMMITMENT else "容缺后补"
            entries.append({"code": view.code, "name": view.name, "mode": view.mode, "note": note})
            continue
        files = [_file_entry(stored) for stored in view.files]
        if files:
            entries.append(
                {
                    "code": view.code,
                    "name": view.name,
                    "mode": prereview.MODE_UPLOAD,
                    "sha256": files[0]["sha256"],
                    "files": files,
                }
            )
    return entries


def _file_entry(stored: StoredFile) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "sha256": stored.sha256,
        "name": stored.original_name,
        "size": stored.size,
        "content_type": stored.content_type,
    }


def submit(
    draft: ApplicationDraft,
    *,
    channel: str = "web",
    fresh: bool = False,
    number_later: bool = False,
) -> Application:
    """Pre-review, then file the application once (see the module docstring); returns it.

    ``fresh``: the caller created ``draft`` in its own still-open transaction (创建并提交, one
    request): no other request can see that row, so it is neither locked nor read again, and no
    savepoint is set (any error rolls back the caller's whole transaction).
    ``number_later``: the caller numbers the application itself, as its last statement before
    the commit (:func:`banshi.cases.services.number_filed`).

    Raises :class:`PrereviewBlocked` while blocking findings remain, and whatever the case engine
    raises (RuleViolation, PermissionDenied); nothing is written then.
    """
    with transaction.atomic(savepoint=not fresh):
        if fresh:
            locked = draft
        else:
            # Lock the draft row alone: a joined row would be read as of before the wait
            # (PostgreSQL re-checks only the locked row), so a waiting retry would not see the
            # application.
            locked = ApplicationDraft.objects.select_for_update().get(pk=draft.pk)
            if locked.status == DraftStatus.SUBMITTED and locked.application_id:
                return Application.objects.get(pk=locked.application_id)
            _reuse_related(draft, locked)
        checked = review(locked)
        if checked.problem is not None:
            raise RuleViolation(*checked.problem)
        if checked.blocking:
            raise PrereviewBlocked(checked.blocking)
        values = form_values(locked, checked.drafted)
        materials = _submitted_materials(locked, material_views(locked, checked.drafted))
        application = services.submit_application(
            applicant_of(locked),
            bundle_code=locked.bundle_code or None,
            item_code=locked.item_code or None,
            answers=checked.drafted.answers,
            form_data=values,
            materials=materials,
            idempotency_key=locked.idempotency_key,
            channel=channel,
            agent=locked.owner if locked.principal_id else None,
            enterprise=locked.enterprise,
            profile=profile_for(locked),
            fresh_key=fresh,
            number_later=number_later,
        )
        now = clock.now()
        if fresh and "_banshi_pending" in locked.__dict__:  # the caller's one UPDATE writes it
            locked.status, locked.application, locked.submitted_at = (
                DraftStatus.SUBMITTED,
                application,
                now,
            )
            _touch(locked, "status", "application", "submitted_at")
        else:
            update_row(
                ApplicationDraft,
                locked.pk,
                status=DraftStatus.SUBMITTED,
                application=application.pk,
                submitted_at=now,
                updated_at=now,
            )
    # What refresh_from_db() would read back, without reading it: the locked row as updated.
    if locked is not draft:
        for column in ApplicationDraft._meta.concrete_fields:
            setattr(draft, column.attname, getattr(locked, column.attname))
    draft.status, draft.submitted_at, draft.updated_at = DraftStatus.SUBMITTED, now, now
    draft.application = application
    return application


def _reuse_related(draft: ApplicationDraft, locked: ApplicationDraft) -> None:
    """Give the freshly locked row the owner, principal and enterprise the caller already loaded
    (the same rows by id), instead of reading each again, and the request's profile and compiled
    plan when the caller already has them (created and submitted in one request): both are kept
    with the key they were made for, which :func:`profile_for` and :func:`plan_for` check against
    the locked row, so a changed subject or answer compiles anew. Files attached in this request
    come along too (a stored file never changes: it is addressed by its content)."""
    for name in ("owner", "principal", "enterprise"):
        related = ApplicationDraft._meta.get_field(name)
        if not related.is_cached(draft):
            continue
        loaded = getattr(draft, name)
        if getattr(loaded, "pk", None) == getattr(locked, related.attname):
            setattr(locked, name, loaded)
    for cache in ("_banshi_profile", "_banshi_plan", FILES_AT_HAND):
        if cache in draft.__dict__:
            locked.__dict__[cache] = draft.__dict__[cache]


# ---------------------------------------------------------------------------------- receipt
def issue_receipt(application: Application, *, progress_url: str):
    """收件凭证 with a QR code that opens ``progress_url``; idempotent (one current receipt per
    application). Returns the Document, or None when the PDF cannot be made here (logged; the
    progress page tries again)."""
    from banshi.documents import content as documents
    from banshi.documents.render import RenderUnavailable
    from banshi.documents.services import issue_document

    enterprise = application.enterprise
    applicant = documents.Applicant(
        name=enterprise.name if enterprise else application.applicant.name,
        organisation=enterprise is not None,
        identifier=enterprise.uscc if enterprise else application.applicant.id_number,
    )
    department = _lead_department(application)
    region = getattr(settings, "BANSHI_REGION_NAME", "")
    agency = department.name if department else "政务服务中心"
    if region and not agency.startswith(region):
        agency = f"{region}{agency}"
    receipt = documents.Receipt(
        applicant=applicant,
        agency=agency,
        items=tuple(case.item_version.name for case in application.cases.order_by("position")),
        bundle=application.title if application.bundle_id else "",
        received_at=application.received_at,
        materials=tuple(received_materials(application)),
        progress_url=progress_url,
        received_by=application.get_channel_display(),
        intake_due=application.intake_due,
        application_number=application.number,
    )
    try:
        return issue_document(receipt, application=application, department=department)
    except RenderUnavailable as error:
        log.warning("receipt for %s not rendered: %s", application.number, error)
        return None


def _lead_department(application: Application):
    if application.bundle_version_id:
        return application.bundle_version.department
    case = application.cases.select_related("department").order_by("position").first()
    return case.department if case else None


def received_materials(application: Application) -> list[Any]:
    """The receipt's list: the merged form, then each planned material and the form it came in."""
    from banshi.documents.content import ReceivedMaterial

    handed = {
        entry["code"]: entry
        for entry in application.materials or []
        if isinstance(entry, Mapping) and entry.get("code")
    }
    found = [ReceivedMaterial(name=f"{application.title}申请表", form="电子表单", copies=1)]
    for planned in application.plan.get("materials", []):
        entry = handed.get(planned.get("code"))
        name = planned.get("name") or planned.get("code")
        if entry is not None:
            mode = entry.get("mode")
            if mode == licence_selectors.MODE_LICENCE:
                found.append(ReceivedMaterial(name=name, form="电子证照调取"))
            elif mode == prereview.MODE_COMMITMENT:
                found.append(ReceivedMaterial(name=name, form="告知承诺"))
            elif mode == prereview.MODE_DEFICIENCY:
                found.append(ReceivedMaterial(name=name, form="容缺后补"))
            else:
                found.append(
                    ReceivedMaterial(
                        name=name, form="电子件", copies=len(entry.get("files", [])) or 1
                    )
                )
        elif planned.get("route") == compiler.ROUTE_LICENCE:
            found.append(ReceivedMaterial(name=name, form="电子证照调取"))
        elif planned.get("route") == compiler.ROUTE_DATA_SHARE:
            found.append(ReceivedMaterial(name=name, form="数据共享核验"))
    return found


# ---------------------------------------------------------------------------------- correction
@dataclass(frozen=True)
class CorrectionField:
    code: str
    label: str
    type: str
    options: tuple[str, ...]
    value: str  # staged, else the value filed
    findings: tuple[prereview.Finding, ...]


@dataclass(frozen=True)
class CorrectionMaterial:
    code: str
    name: str
    files: tuple[StoredFile, ...]


@dataclass(frozen=True)
class CorrectionEntry:
    case: str
    item: str
    item_name: str
    reason: str
    materials: tuple[CorrectionMaterial, ...]
    fields: tuple[CorrectionField, ...]


@dataclass(frozen=True)
class CorrectionRequest:
    """The open correction notice (补正材料通知书) of an application, with what is staged."""

    notice: CorrectionNotice
    entries: tuple[CorrectionEntry, ...]
    complete: bool

    @property
    def material_codes(self) -> list[str]:
        return list(dict.fromkeys(m.code for entry in self.entries for m in entry.materials))

    @property
    def field_codes(self) -> list[str]:
        return list(dict.fromkeys(f.code for entry in self.entries for f in entry.fields))


def open_correction(application: Application) -> CorrectionNotice | None:
    notice = CorrectionNotice.objects.filter(application=application).first()
    return notice if notice is not None and notice.answered_at is None else None


def correction_draft(application: Application, person: Person) -> ApplicationDraft:
    """Where a correction answer is staged: the application's draft, or one made for it (an
    application keyed in at the window has none)."""
    existing = ApplicationDraft.objects.filter(application=application).first()
    if existing is not None:
        return existing
    now = clock.now()
    return ApplicationDraft.objects.create(
        owner=person,
        enterprise=application.enterprise,
        bundle_code=application.bundle.code if application.bundle_id else "",
        item_code=application.item.code if application.item_id else "",
        title=application.title,
        answers=application.answers,
        status=DraftStatus.SUBMITTED,
        application=application,
        created_at=now,
        updated_at=now,
        submitted_at=application.received_at,
    )


def _plan_fields(application: Application) -> dict[str, compiler.FormField]:
    fields = {}
    for row in application.plan.get("form", {}).get("fields", []):
        fields[row["code"]] = compiler.FormField(
            code=row["code"],
            label=row.get("label") or row["code"],
            type=row.get("type") or "text",
            options=tuple(row.get("options") or ()),
            prefill=row.get("prefill"),
            items=tuple(row.get("items") or ()),
        )
    return fields


def correction_request(
    application: Application, draft: ApplicationDraft | None
) -> CorrectionRequest | None:
    """What the open notice asks for, with the answer staged so far; None when nothing is open."""
    notice = open_correction(application)
    if notice is None:
        return None
    staged = _staged(draft, notice)
    plan_fields = _plan_fields(application)
    materials = {row["code"]: row for row in application.plan.get("materials", [])}
    ids = {pk for pks in staged["materials"].values() for pk in pks}
    stored = StoredFile.objects.in_bulk(ids)
    names = {row["code"]: row["name"] for row in application.plan.get("items", [])}
    today = clock.today()
    entries, complete = [], True
    for entry in notice.items:
        fields = []
        for code in entry.get("fields", []):
            form_field = plan_fields.get(code) or compiler.FormField(
                code=code, label=code, type="text", options=(), prefill=None, items=()
            )
            value = staged["fields"].get(code, prereview.as_text(application.form_data.get(code)))
            found = tuple(prereview.field_findings(form_field, value, today=today))
            complete = complete and not found and code in staged["fields"]
            fields.append(
                CorrectionField(
                    code, form_field.label, form_field.type, form_field.options, value, found
                )
            )
        materials_needed = []
        for code in entry.get("materials", []):
            files = tuple(stored[pk] for pk in staged["materials"].get(code, []) if pk in stored)
            complete = complete and bool(files)
            materials_needed.append(
                CorrectionMaterial(code, materials.get(code, {}).get("name", code), files)
            )
        entries.append(
            CorrectionEntry(
                case=entry.get("case", ""),
                item=entry.get("item", ""),
                item_name=names.get(entry.get("item", ""), entry.get("item", "")),
                reason=entry.get("reason", ""),
                materials=tuple(materials_needed),
                fields=tuple(fields),
            )
        )
    return CorrectionRequest(notice, tuple(entries), complete)


def _staged(draft: ApplicationDraft | None, notice: CorrectionNotice) -> dict[str, Any]:
    data = (draft.correction if draft is not None else {}) or {}
    if data.get("notice") != notice.pk:
        return {"notice": notice.pk, "fields": {}, "materials": {}}
    return {
        "notice": notice.pk,
        "fields": dict(data.get("fields") or {}),
        "materials": {code: list(pks) for code, pks in (data.get("materials") or {}).items()},
    }


def stage_correction(
    draft: ApplicationDraft,
    application: Application,
    *,
    fields: Mapping[str, Any] | None = None,
    add_file: tuple[str, StoredFile] | None = None,
    remove_file: tuple[str, int] | None = None,
) -> None:
    """Keep part of a correction answer (fields typed, files uploaded) until it is complete."""
    notice = open_correction(application)
    if notice is None:
        raise RuleViolation("没有待答复的补正通知", "there is no open correction notice to answer")
    staged = _staged(draft, notice)
    wanted_fields = {code for entry in notice.items for code in entry.get("fields", [])}
    wanted_materials = {code for entry in notice.items for code in entry.get("materials", [])}
    for code, value in (fields or {}).items():
        if code in wanted_fields:
            if isinstance(value, list | tuple):
                value = value[-1] if value else ""
            staged["fields"][code] = str(value or "").strip()[:MAX_VALUE_CHARS]
    if add_file is not None:
        code, stored = add_file
        if code not in wanted_materials:
            raise RuleViolation(
                f"补正通知未要求材料 {code}", f"the notice does not ask for material {code}"
            )
        files = staged["materials"].setdefault(code, [])
        if stored.pk not in files:
            files.append(stored.pk)
    if remove_file is not None:
        code, file_id = remove_file
        staged["materials"][code] = [
            pk for pk in staged["materials"].get(code, []) if pk != file_id
        ]
    draft.correction = staged
    _touch(draft, "correction")


def answer_correction(application: Application, draft: ApplicationDraft, user: Any) -> Application:
    """Hand in the staged answer once it covers everything the notice asks for (one call of
    :func:`banshi.cases.services.answer_correction`)."""
    request = correction_request(application, draft)
    if request is None:
        raise RuleViolation("没有待答复的补正通知", "there is no open correction notice to answer")
    if not request.complete:
        raise RuleViolation(
            "补正内容尚不完整：请上传通知要求的每一项材料，并正确填写每一个需更正的字段",
            "the answer is incomplete: upload every material and fill every field the notice "
            "asks for",
        )
    staged = _staged(draft, request.notice)
    stored = StoredFile.objects.in_bulk({pk for pks in staged["materials"].values() for pk in pks})
    names = {row["code"]: row["name"] for row in application.plan.get("materials", [])}
    materials = []
    for code in request.material_codes:
        files = [
            _file_entry(stored[pk]) for pk in staged["materials"].get(code, []) if pk in stored
        ]
        materials.append(
            {
                "code": code,
                "name": names.get(code, code),
                "mode": prereview.MODE_UPLOAD,
                "sha256": files[0]["sha256"],
                "files": files,
                "correction": True,
            }
        )
    form_data = {code: staged["fields"][code] for code in request.field_codes}
    result = services.answer_correction(
        application, user, form_data=form_data, materials=materials, version=application.version
    )
    draft.correction = {**staged, "answered_at": clock.now().isoformat()}
    _touch(draft, "correction")
    return result
