"""电子证照 use cases: keys, issue on grant, replace, revoke, expire, renewal reminders.

Every operation is one transaction. A licence is signed once, when it is written, over
:func:`banshi.licences.canonical.signed_bytes` of its metadata; status changes (revoked, expired,
replaced) are recorded in the library and never re-signed. Revoking and replacing are decisions of
the issuing department (its department head or reviewers, or a system admin).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction

from banshi.cases.errors import PermissionDenied, RuleViolation
from banshi.cases.models import Case, OutboxMessage
from banshi.catalog.models import Department, LicenceType
from banshi.core import clock
from banshi.licences import canonical, keys, signing
from banshi.licences.models import (
    HolderCodeType,
    Licence,
    LicenceSequence,
    LicenceStatus,
    LicenceTypeCode,
    SigningKey,
)
from banshi.people import permissions
from banshi.people.identifiers import (
    LICENCE_ROOT,
    licence_check_character,
    org_code_check_character,
    uscc_check_character,
    validate_uscc,
)
from banshi.people.models import Enterprise, Person, Role

FIRST_VERSION = "001"


# ---------------------------------------------------------------------------------- keys
def issuer_code_for(department: Department) -> str:
    """The department's 统一社会信用代码 from ``BANSHI_LICENCE_ISSUER_CODES``, else a placeholder
    that passes the GB 32100 checks (category 11 机关, the region code, an organisation code drawn
    from the department code): good enough for a test district, to be configured in production."""
    for pair in (settings.BANSHI_LICENCE_ISSUER_CODES or "").split(","):
        code, _, uscc = pair.partition("=")
        if code.strip() == department.code and uscc.strip():
            return validate_uscc(uscc.strip()).value
    region = (settings.BANSHI_LICENCE_REGION_CODE or "000000")[:6].rjust(6, "0")
    digits = str(int(hashlib.sha256(department.code.encode()).hexdigest(), 16))[-8:]
    org = digits + org_code_check_character(digits)
    first17 = f"11{region}{org}"
    return first17 + uscc_check_character(first17)


def generate_key(
    department: Department | str, *, algorithm: str | None = None, issuer_code: str | None = None
) -> SigningKey:
    """``banshi licences keygen``: a new key pair for ``department``; the private half goes to a
    0600 file in the key directory, the public half and its fingerprint into the database. The
    department's previous key stops signing but still verifies what it signed."""
    if isinstance(department, str):
        department = _department(department)
    algorithm = algorithm or settings.BANSHI_LICENCE_ALGORITHM
    pair = signing.generate(algorithm)
    code = validate_uscc(issuer_code).value if issuer_code else issuer_code_for(department)
    keys.write(pair, department.code)
    with transaction.atomic():
        SigningKey.objects.filter(department=department, active=True).update(active=False)
        return SigningKey.objects.create(
            department=department,
            algorithm=pair.algorithm,
            public_key=pair.public_hex,
            fingerprint=pair.fingerprint,
            issuer_code=code,
            created_at=clock.now(),
        )


def _department(code: str) -> Department:
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise RuleViolation(f"未知部门：{code}", f"unknown department: {code}") from None


def _active_key(department: Department) -> SigningKey:
    key = SigningKey.objects.filter(department=department, active=True).first()
    if key is not None:
        return key
    if settings.BANSHI_LICENCE_AUTO_KEYGEN:
        return generate_key(department)
    raise RuleViolation(
        f"{department.name}没有签章密钥，不能出具电子证照：请先运行 banshi licences keygen "
        f"--department {department.code}",
        f"{department.code} has no signing key: run `banshi licences keygen --department "
        f"{department.code}` first",
    )


# ---------------------------------------------------------------------------------- identifiers
def _type_code(licence_type: LicenceType, key: SigningKey) -> str:
    """The licence type's 证照类型代码: allocated once (defining authority = the issuing
    department, next free 3-digit sequence), kept for ever after."""
    existing = LicenceTypeCode.objects.filter(licence_type=licence_type).first()
    if existing is not None:
        return existing.code
    taken = set(
        LicenceTypeCode.objects.filter(code__startswith=key.issuer_code).values_list(
            "code", flat=True
        )
    )
    sequence = next(n for n in range(1, 1000) if f"{key.issuer_code}{n:03d}" not in taken)
    return LicenceTypeCode.objects.create(
        licence_type=licence_type, code=f"{key.issuer_code}{sequence:03d}"
    ).code


def _next_serial(year: int) -> str:
    """流水号: year + 8 digits, drawn under a row lock per year, one sequence for the whole
    platform so that the 证照编号 (serial-version) is unique across issuers too."""
    key = f"licence-{year}"
    LicenceSequence.objects.get_or_create(key=key)
    row = LicenceSequence.objects.select_for_update().get(key=key)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return f"{year}{row.last_value:08d}"


def build_identifier(type_code: str, issuer_code: str, serial: str, version: str) -> str:
    """``1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>`` (GB/T 36904, §6.3)."""
    body = f"{type_code}.{issuer_code}.{serial}.{version}"
    return f"{LICENCE_ROOT}.{body}.{licence_check_character(body)}"


# ---------------------------------------------------------------------------------- signing
def metadata_of(licence: Licence) -> dict[str, Any]:
    """The signed metadata (canonical keys) of a licence row."""
    return canonical.normalise(
        {
            "identifier": licence.identifier,
            "number": licence.number,
            "name": licence.name,
            "licence_type": licence.licence_type.code,
            "type_code": licence.type_code,
            "holder_name": licence.holder_name,
            "holder_code": licence.holder_code,
            "holder_code_type": licence.holder_code_type,
            "issuer_name": licence.issuer_name,
            "issuer_code": licence.issuer_code,
            "issued_on": licence.issued_on,
            "valid_from": licence.valid_from,
            "valid_to": licence.valid_to,
            "region_code": licence.region_code,
            "remark": licence.remark,
            "replaces": licence.replaces.identifier if licence.replaces_id else "",
            "algorithm": licence.signing_key.algorithm,
            "key_fingerprint": licence.signing_key.fingerprint,
        }
    )


def _sign(licence: Licence) -> str:
    pair = keys.load(licence.signing_key.fingerprint)
    data = canonical.signed_bytes(metadata_of(licence))
    return signing.sign(pair.algorithm, pair.private_hex, pair.public_hex, data)


# ---------------------------------------------------------------------------------- issue
def licence_remark(case: Case) -> str:
    """The 加注 of a case's licence: 容缺 "with remark" while a deferred material is still open
    and the item allows a remarked licence (the rule lives with the obligations, in
    :func:`banshi.cases.commitments.licence_remark`)."""
    from banshi.cases.commitments import licence_remark as remark_of_case

    return remark_of_case(case)


def _valid_to(licence_type: LicenceType, start: dt.date) -> dt.date | None:
    if not licence_type.valid_years:
        return None
    try:
        end = start.replace(year=start.year + licence_type.valid_years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + licence_type.valid_years, day=28)
    return end - dt.timedelta(days=1)


def _holder(case: Case) -> tuple[Person | None, Enterprise | None]:
    application = case.application
    if application.enterprise_id:
        return None, application.enterprise
    return application.applicant, None


def issue_for_case(case: Case, *, remark: str = "") -> Licence | None:
    """Issue and sign the licence of ``case``'s item (``produces``) to the application's holder
    (the enterprise if it applied for one, else the applicant). Idempotent per case; None when the
    item produces no licence. Called inside the grant transaction (第44条: 制证)."""
    version = case.item_version
    if version.produces_id is None:
        return None
    with transaction.atomic():
        existing = Licence.objects.filter(case=case).first()
        if existing is not None:
            return existing
        person, enterprise = _holder(case)
        return _write(
            licence_type=version.produces,
            department=version.produces.department or case.department,
            person=person,
            enterprise=enterprise,
            remark=remark,
            case=case,
        )


def record_existing(
    licence_type_code: str,
    *,
    holder_person: Person | None = None,
    holder_enterprise: Enterprise | None = None,
    valid_from: dt.date | None = None,
    remark: str = "",
) -> Licence:
    """存量证照入库: put a licence issued before (or outside) the platform into the library, signed
    by the issuing department's key, so that 免证 can use it (e.g. a registered enterprise's
    营业执照). Idempotent: the holder's licence of that type in force is returned as it is."""
    from banshi.licences.selectors import valid_licence

    if (holder_person is None) == (holder_enterprise is None):
        raise RuleViolation("请指定一个持证主体", "give exactly one holder")
    licence_type = LicenceType.objects.select_related("department").filter(code=licence_type_code)
    licence_type = licence_type.first()
    if licence_type is None or licence_type.department is None:
        raise RuleViolation(
            f"未知证照类型或未指定发证部门：{licence_type_code}",
            f"unknown licence type or no issuing department: {licence_type_code}",
        )
    with transaction.atomic():
        found = valid_licence(holder_person, holder_enterprise, licence_type_code)
        if found is not None:
            return found
        return _write(
            licence_type=licence_type,
            department=licence_type.department,
            person=holder_person,
            enterprise=holder_enterprise,
            remark=remark,
            valid_from=valid_from,
        )


def _write(
    *,
    licence_type: LicenceType,
    department: Department,
    person: Person | None,
    enterprise: Enterprise | None,
    remark: str,
    case: Case | None = None,
    replaces: Licence | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    keep_validity: bool = False,
) -> Licence:
    key = _active_key(department)
    today = clock.today()
    type_code = replaces.type_code if replaces else _type_code(licence_type, key)
    if replaces is not None:
        serial = replaces.identifier.split(".")[-3]
        version = f"{int(replaces.identifier.split('.')[-2]) + 1:03d}"
    else:
        serial, version = _next_serial(today.year), FIRST_VERSION
    start = valid_from or today
    licence = Licence(
        identifier=build_identifier(type_code, key.issuer_code, serial, version),
        number=f"{serial}-{version}",
        token=secrets.token_urlsafe(24),
        licence_type=licence_type,
        name=licence_type.name,
        type_code=type_code,
        holder_person=person,
        holder_enterprise=enterprise,
        holder_name=enterprise.name if enterprise else person.name,
        holder_code=enterprise.uscc if enterprise else person.id_number,
        holder_code_type=HolderCodeType.USCC if enterprise else HolderCodeType.ID_NUMBER,
        department=department,
        issuer_name=department.name,
        issuer_code=key.issuer_code,
        issued_on=today,
        valid_from=start,
        valid_to=valid_to if keep_validity else _valid_to(licence_type, start),
        remark=(remark or "").strip(),
        region_code=(settings.BANSHI_LICENCE_REGION_CODE or "")[:12],
        case=case,
        replaces=replaces,
        signing_key=key,
        created_at=clock.now(),
    )
    licence.signature = _sign(licence)
    licence.save()
    _notify("licence.issued", licence)
    return licence


def _notify(topic: str, licence: Licence, **extra: Any) -> OutboxMessage:
    """Queue a message (transactional outbox, ``banshi.cases.services._outbox`` style) keyed by
    the licence number; the notify helper turns topics into messages to the holder."""
    now = clock.now()
    payload = {
        "licence": licence.identifier,
        "number": licence.number,
        "name": licence.name,
        "status": licence.status,
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        "holder_person": licence.holder_person_id,
        "holder_enterprise": licence.holder_enterprise_id,
        # whom banshi.notify writes to (the holder) and the words of its licence topics
        "holder_id_number": licence.holder_person.id_number if licence.holder_person_id else None,
        "holder_uscc": licence.holder_enterprise.uscc if licence.holder_enterprise_id else None,
        "licence_name": licence.name,
        "licence_number": licence.number,
        "case": licence.case.number if licence.case_id else None,
        **extra,
    }
    return OutboxMessage.objects.create(
        topic=topic, key=licence.number, payload=payload, created_at=now, next_attempt_at=now
    )


# ---------------------------------------------------------------------------------- status
def _authorise(actor: Any, licence: Licence, what_zh: str, what_en: str) -> None:
    if permissions.has_role(actor, Role.SYSTEM_ADMIN):
        return
    if permissions.has_role(
        actor, Role.DEPARTMENT_HEAD, Role.REVIEWER
    ) and permissions.may_see_department(actor, licence.department.code):
        return
    raise PermissionDenied(
        f"只有{licence.issuer_name}的审批人员或负责人可以{what_zh}该证照",
        f"only the issuing department's reviewers or head may {what_en} this licence",
    )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("请填写原因", "a reason is required")
    return reason


def _lock(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("signing_key").get(pk=licence.pk)


def _require_valid(licence: Licence, what_zh: str, what_en: str) -> None:
    if licence.status != LicenceStatus.VALID:
        raise RuleViolation(
            f"证照状态为“{licence.get_status_display()}”，不能{what_zh}",
            f"the licence is {licence.status}: it cannot be {what_en}",
        )


def revoke(licence: Licence, *, actor: Any, reason: str) -> Licence:
    """吊销/撤销: the licence stays in the library, shown as revoked with the reason."""
    reason = _require_reason(reason)
    with transaction.atomic():
        licence = _lock(licence)
        _authorise(actor, licence, "吊销", "revoke")
        _require_valid(licence, "吊销", "revoked")
        _set_status(licence, LicenceStatus.REVOKED, reason)
        _notify("licence.revoked", licence, reason=reason)
        return licence


def _set_status(licence: Licence, status: str, reason: str) -> None:
    licence.status = status
    licence.status_changed_at = clock.now()
    licence.status_reason = reason[:300]
    licence.save(update_fields=["status", "status_changed_at", "status_reason"])


def replace(licence: Licence, *, actor: Any, remark: str = "", reason: str) -> Licence:
    """换发: a new version of the licence (same serial, version + 1, same validity) with the new
    ``remark`` (e.g. a 容缺 licence "with remark" replaced without it once the material arrived);
    the old one becomes "replaced" and links to the new one."""
    reason = _require_reason(reason)
    with transaction.atomic():
        old = _lock(licence)
        _authorise(actor, old, "换发", "replace")
        _require_valid(old, "换发", "replaced")
        _set_status(old, LicenceStatus.REPLACED, reason)
        new = _write(
            licence_type=old.licence_type,
            department=old.department,
            person=old.holder_person,
            enterprise=old.holder_enterprise,
            remark=remark,
            replaces=old,
            valid_from=old.valid_from,
            valid_to=old.valid_to,
            keep_validity=True,
        )
        _notify("licence.replaced", old, replaced_by=new.identifier, reason=reason)
        return new


def current_for_case(case: Case) -> Licence | None:
    """The licence a case stands behind now: the one issued for it, or the newest replacement."""
    licence = Licence.objects.filter(case=case).first()
    while licence is not None and licence.status == LicenceStatus.REPLACED:
        nxt = Licence.objects.filter(replaces=licence).first()
        if nxt is None:
            break
        licence = nxt
    return licence


def revoke_for_case(case: Case, *, reason: str) -> Licence | None:
    """撤销 by the platform itself (a false commitment revoked the grant, 国办发〔2020〕42号): the
    case's valid licence is revoked with the reason; nothing when it has none or none valid."""
    reason = _require_reason(reason)
    with transaction.atomic():
        licence = current_for_case(case)
        if licence is None or licence.status != LicenceStatus.VALID:
            return None
        licence = _lock(licence)
        _set_status(licence, LicenceStatus.REVOKED, reason)
        _notify("licence.revoked", licence, reason=reason)
        return licence


def clear_remark_for_case(case: Case, *, reason: str) -> Licence | None:
    """容缺 supplied: a licence issued "with remark" is replaced by one without it, once no deferred
    material of the case is open any more. Idempotent: nothing when the licence has no remark."""
    reason = _require_reason(reason)
    with transaction.atomic():
        licence = current_for_case(case)
        if licence is None or licence.status != LicenceStatus.VALID or not licence.remark:
            return None
        if licence_remark(case):
            return None  # another deferred material is still open
        old = _lock(licence)
        _set_status(old, LicenceStatus.REPLACED, reason)
        new = _write(
            licence_type=old.licence_type,
            department=old.department,
            person=old.holder_person,
            enterprise=old.holder_enterprise,
            remark="",
            replaces=old,
            valid_from=old.valid_from,
            valid_to=old.valid_to,
            keep_validity=True,
        )
        _notify("licence.replaced", old, replaced_by=new.identifier, reason=reason)
        return new


def expire_due(today: dt.date | None = None) -> int:
    """Mark valid licences whose validity ended before ``today`` as expired; returns how many."""
    today = today or clock.today()
    count = 0
    with transaction.atomic():
        rows = Licence.objects.select_for_update().filter(
            status=LicenceStatus.VALID, valid_to__lt=today
        )
        for licence in rows:
            _set_status(licence, LicenceStatus.EXPIRED, f"有效期至 {licence.valid_to} 已届满")
            _notify("licence.expired", licence)
            count += 1
    return count


def renewal_reminders(today: dt.date | None = None) -> int:
    """到期提醒: one ``licence.expiring`` outbox message per valid licence that expires within
    ``BANSHI_LICENCE_REMIND_DAYS`` days (once per licence); returns how many were queued."""
    today = today or clock.today()
    horizon = today + dt.timedelta(days=settings.BANSHI_LICENCE_REMIND_DAYS)
    count = 0
    with transaction.atomic():
        rows = Licence.objects.select_for_update().filter(
            status=LicenceStatus.VALID,
            valid_to__isnull=False,
            valid_to__gte=today,
            valid_to__lte=horizon,
            reminded_on__isnull=True,
        )
        for licence in rows:
            licence.reminded_on = today
            licence.save(update_fields=["reminded_on"])
            _notify("licence.expiring", licence, days_left=(licence.valid_to - today).days)
            count += 1
    return count


def expiry_job() -> int:
    """电子证照 expiry and renewal reminders as one background job (:mod:`banshi.core.jobs`);
    both halves are idempotent, so a job run twice changes nothing more."""
    return expire_due() + renewal_reminders()
