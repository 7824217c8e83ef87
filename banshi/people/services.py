"""People operations (一人一档 / 一企一档 / 代办 / 工作人员): one function per use case, transactional.

Identifiers are validated first (:mod:`banshi.people.identifiers`, reference §6) and only then is
anything written, so an invalid ID number or USCC never creates a row. Registration is idempotent
on the identifier: registering a known ID number or USCC returns the existing row unchanged.

Errors are :class:`~banshi.people.identifiers.IdentifierError` for identifiers and
:class:`PeopleError` for everything else; both are ``ValueError`` with a ``code`` and a message in
Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.core.db import first_id
from banshi.people import identifiers
from banshi.people.models import (
    Authorisation,
    Enterprise,
    EnterpriseRole,
    Person,
    Role,
    StaffProfile,
)

logger = logging.getLogger(__name__)

# Roles that use the Django admin site (事项目录, 工作日历, 账号管理, 登录记录) and so get ``is_staff``.
ADMIN_SITE_ROLES = frozenset({Role.CATALOGUE_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR})
# Roles that only make sense inside a department (审批人员, 部门负责人, 首席服务员).
DEPARTMENT_ROLES = frozenset({Role.REVIEWER, Role.DEPARTMENT_HEAD, Role.CHIEF_SERVICE_OFFICER})

_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,18}[0-9]$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SCOPE_SPLIT = re.compile(r"[\s,，、;；]+")


class PeopleError(ValueError):
    """A people operation was refused; ``code`` is stable, ``str()`` is Chinese / English."""

    def __init__(self, code: str, message_zh: str, message_en: str):
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        super().__init__(f"{message_zh} / {message_en}")


# --------------------------------------------------------------------------------------------
# Persons and enterprises
# --------------------------------------------------------------------------------------------


def _clean_name(name: str, *, max_length: int, what_zh: str, what_en: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise PeopleError("name", f"请填写{what_zh}", f"the {what_en} is empty")
    if len(cleaned) > max_length:
        raise PeopleError(
            "name",
            f"{what_zh}不能超过{max_length}个字",
            f"the {what_en} is longer than {max_length} characters",
        )
    return cleaned


def clean_phone(phone: str) -> str:
    cleaned = identifiers.normalise(phone)
    if cleaned and not _PHONE.match(cleaned):
        raise PeopleError(
            "phone",
            "电话号码格式不正确（7至20位数字，可含“-”或“+”）",
            "the phone number is not valid (7 to 20 digits, '-' or a leading '+' allowed)",
        )
    return cleaned


def register_person(
    id_number: str,
    name: str,
    *,
    phone: str = "",
    email: str = "",
    address: str = "",
    user=None,
    today: dt.date | None = None,
) -> Person:
    """Register a natural person (自然人) or return the existing one with that ID number.

    The ID number is validated (GB 11643; ``today`` defaults to the platform clock's date) and
    normalised before anything is written. An existing row is returned unchanged, except that
    ``user`` is linked to it when it has no login account yet; a person already linked to another
    account, or an account already linked to another person, is refused (``code="user"``).
    """
    checked = identifiers.validate_id_number(id_number, today=today or clock.today())
    cleaned_name = _clean_name(name, max_length=50, what_zh="姓名", what_en="name")
    cleaned_phone = clean_phone(phone)
    with transaction.atomic():
        person, created = Person.objects.select_for_update().get_or_create(
            id_number=checked.value,
            defaults={
                "name": cleaned_name,
                "phone": cleaned_phone,
                "email": (email or "").strip(),
                "address": (address or "").strip(),
            },
        )
        if user is not None and person.user_id != user.pk:
            if person.user_id is not None:
                raise PeopleError(
                    "user",
                    "该身份证号码已绑定其他登录账号",
                    "this ID number is already linked to another login account",
                )
            if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
                raise PeopleError(
                    "user",
                    "该登录账号已绑定其他自然人",
                    "this login account is already linked to another person",
                )
            person.user = user
            person.save(update_fields=["user", "updated_at"])
    if created:
        logger.info("person registered: %s", identifiers.mask_id_number(person.id_number))
    return person


def register_enterprise(
    uscc: str,
    name: str,
    *,
    legal_representative: Person | None = None,
    address: str = "",
    phone: str = "",
) -> Enterprise:
    """Register an enterprise or other organisation (法人) or return the existing one with that code.

    The USCC is validated (GB 32100: a wrong pos-18 check refuses it; a wrong embedded GB 11714 check
    only warns, logged and kept on the returned object as ``identifier_warnings``) and normalised
    before anything is written. On creation, ``legal_representative`` becomes the enterprise's
    法定代表人 (an :class:`EnterpriseRole`). An existing row is returned unchanged: add standing to
    it with :func:`add_enterprise_role`.

    The caller vouches for the legal representative: a self-service page must have verified it
    (e.g. through the unified identity's enterprise claims or the 电子营业执照) before calling this.
    """
    checked = identifiers.validate_uscc(uscc)
    cleaned_name = _clean_name(name, max_length=200, what_zh="名称", what_en="name")
    cleaned_phone = clean_phone(phone)
    with transaction.atomic():
        enterprise, created = Enterprise.objects.get_or_create(
            uscc=checked.value,
            defaults={
                "name": cleaned_name,
                "legal_representative": legal_representative.name if legal_representative else "",
                "address": (address or "").strip(),
                "phone": cleaned_phone,
            },
        )
        if created and legal_representative is not None:
            EnterpriseRole.objects.create(
                person=legal_representative,
                enterprise=enterprise,
                kind=EnterpriseRole.Kind.LEGAL_REPRESENTATIVE,
            )
    for warning in checked.warnings:
        logger.warning("USCC %s: %s", checked.value, warning)
    enterprise.identifier_warnings = checked.warnings
    return enterprise


def add_enterprise_role(
    person: Person, enterprise: Enterprise, kind: str = EnterpriseRole.Kind.HANDLER
) -> EnterpriseRole:
    """Give a person standing to act for an enterprise (法定代表人 or 经办人); idempotent."""
    if kind not in EnterpriseRole.Kind.values:
        raise PeopleError(
            "kind", f"未知的企业经办身份“{kind}”", f"unknown enterprise role {kind!r}"
        )
    role, _ = EnterpriseRole.objects.get_or_create(person=person, enterprise=enterprise, kind=kind)
    return role


# --------------------------------------------------------------------------------------------
# Agents (代办授权)
# --------------------------------------------------------------------------------------------


def normalise_scope(scope: str | Iterable[str] | None) -> str:
    """A scope as stored: codes sorted, comma-separated; ``""`` (or ``None``, ``"*"``) = every matter.

    Accepts ``"KBCYD, SCJG-XK-001"``, ``"KBCYD、SCJG-XK-001"`` or ``["KBCYD", "SCJG-XK-001"]``.
    """
    if scope is None:
        return ""
    parts = _SCOPE_SPLIT.split(scope) if isinstance(scope, str) else list(scope)
    codes = sorted({str(part).strip() for part in parts if str(part).strip()})
    if "*" in codes:
        return ""
    text = ",".join(codes)
    if len(text) > 200:
        raise PeopleError(
            "scope",
            "授权范围过长（最多200个字符）",
            "the scope is too long (200 characters at most)",
        )
    return text


def _as_date(on: dt.date | dt.datetime) -> dt.date:
    if isinstance(on, dt.datetime):
        return on.astimezone(clock.zone()).date() if on.tzinfo else on.date()
    return on


def _principal_filter(principal: Person | Enterprise) -> Q:
    if isinstance(principal, Person):
        return Q(principal_person=principal)
    if isinstance(principal, Enterprise):
        return Q(principal_enterprise=principal)
    raise TypeError(f"principal must be a Person or an Enterprise, not {type(principal).__name__}")


@transaction.atomic
def grant_authorisation(
    agent: Person,
    principal: Person | Enterprise,
    scope: str | Iterable[str] | None,
    valid_from: dt.date,
    valid_to: dt.date,
    *,
    document_sha256: str = "",
) -> Authorisation:
    """Record that ``agent`` may act for ``principal`` (代办授权) within ``scope`` (bundle or item
    codes; empty = every matter) from ``valid_from`` to ``valid_to`` inclusive.

    ``document_sha256`` is the digest of the signed 授权委托书 when there is one (stored in the
    materials store by content hash).
    """
    _principal_filter(principal)
    if isinstance(principal, Person) and principal.pk == agent.pk:
        raise PeopleError("agent", "不能授权本人代办本人事项", "a person cannot be their own agent")
    if valid_to < valid_from:
        raise PeopleError(
            "dates",
            "授权截止日期不能早于生效日期",
            "the authorisation ends before it starts",
        )
    digest = (document_sha256 or "").strip().lower()
    if digest and not _SHA256.match(digest):
        raise PeopleError(
            "document",
            "授权委托书摘要应为64位十六进制 SHA-256",
            "the document digest is not a SHA-256",
        )
    return Authorisation.objects.create(
        agent=agent,
        principal_person=principal if isinstance(principal, Person) else None,
        principal_enterprise=principal if isinstance(principal, Enterprise) else None,
        scope=normalise_scope(scope),
        valid_from=valid_from,
        valid_to=valid_to,
        document_sha256=digest,
    )


@transaction.atomic
def revoke_authorisation(
    authorisation: Authorisation, *, at: dt.datetime | None = None
) -> Authorisation:
    """Revoke an authorisation (撤销代办授权) from ``at`` (default now); revoking twice keeps the first."""
    locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    if locked.revoked_at is None:
        locked.revoked_at = at or clock.now()
        locked.save(update_fields=["revoked_at"])
    authorisation.revoked_at = locked.revoked_at
    return locked


def _scope_list(scope: str | Iterable[str]) -> frozenset[str]:
    codes = normalise_scope(scope)
    return frozenset(codes.split(",")) if codes else frozenset()


def find_authorisation(
    agent: Person | None,
    principal: Person | Enterprise,
    *,
    scope: str | Iterable[str],
    on: dt.date | dt.datetime,
) -> Authorisation | None:
    """The authorisation that lets ``agent`` act for ``principal`` on ``on`` for every code in
    ``scope`` (valid that day, not revoked on or before it), or ``None``. The case engine stores it
    on the application (``Application.authorisation``)."""
    if agent is None or agent.pk is None:
        return None
    day = _as_date(on)
    wanted = _scope_list(scope)
    candidates = (
        Authorisation.objects.filter(_principal_filter(principal), agent=agent)
        .filter(valid_from__lte=day, valid_to__gte=day)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=day))
        .order_by("-valid_to", "-pk")
    )
    for authorisation in candidates:
        covered = authorisation.scope_codes
        if not covered or wanted <= covered:
            return authorisation
    return None


ROLE_SEEN = "_banshi_role_of"


def note_role(enterprise: Enterprise, person: Person) -> None:
    """Remember on this instance that ``person`` holds a role (法定代表人 / 经办人) in it, as the
    query that loaded the row has just seen: :func:`may_act_for` then does not ask again. The
    instance lives for one request, the role rows cannot change under its transaction's lock-free
    reads any more than between two queries of it."""
    enterprise.__dict__[ROLE_SEEN] = person.pk


def may_act_for(
    person: Person | None,
    principal: Person | Enterprise,
    *,
    scope: str | Iterable[str],
    on: dt.date | dt.datetime,
) -> bool:
    """May ``person`` apply for ``principal`` for the matters in ``scope`` on ``on``?

    Yes when the person is the principal, when the principal is an enterprise the person stands for
    (法定代表人 or 经办人, :class:`EnterpriseRole`), or when a valid, unrevoked authorisation covers
    every code in ``scope`` (:func:`find_authorisation`).
    """
    if person is None or person.pk is None:
        return False
    if isinstance(principal, Person):
        if principal.pk == person.pk:
            return True
    elif isinstance(principal, Enterprise):
        if principal.__dict__.get(ROLE_SEEN) == person.pk:  # read with the row, this request
            return True
        # a plain probe: checked on every filing for an enterprise (the ORM's exists() costs
        # several times the statement in CPU)
        if first_id(EnterpriseRole, person=person.pk, enterprise=principal.pk) is not None:
            return True
    else:
        raise TypeError(
            f"principal must be a Person or an Enterprise, not {type(principal).__name__}"
        )
    return find_authorisation(person, principal, scope=scope, on=on) is not None


# --------------------------------------------------------------------------------------------
# Staff (工作人员)
# --------------------------------------------------------------------------------------------


def _clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for role in roles:
        value = str(role.value if isinstance(role, Role) else role).strip()
        if value not in Role.values:
            raise PeopleError("role", f"未知的角色“{value}”", f"unknown role {value!r}")
        if value not in cleaned:
            cleaned.append(value)
    if not cleaned:
        raise PeopleError(
            "role", "工作人员至少需要一个角色", "a staff member needs at least one role"
        )
    return cleaned


def _department(code: str) -> Department:
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise PeopleError(
            "department", f"部门编码“{code}”不存在", f"there is no department with code {code!r}"
        ) from None


@transaction.atomic
def create_staff(
    username: str,
    name: str,
    department_code: str | None,
    roles: Iterable[str],
    password: str | None,
    *,
    window: str = "",
    all_departments: bool = False,
    extra_department_codes: Iterable[str] = (),
    check_password: bool = True,
    replace: bool = False,
):
    """Create a staff account (工作人员): a Django user with a :class:`StaffProfile`.

    ``roles`` are :class:`Role` values; reviewers, department heads and chief service officers need
    a department. ``all_departments`` and ``extra_department_codes`` grant more than the own
    department (e.g. the comprehensive window, 综合窗口). ``password`` is checked against the
    password policy (``AUTH_PASSWORD_VALIDATORS``) unless ``check_password`` is false; ``None``
    leaves the account without a usable password (e.g. for single sign-on). An existing username is
    refused unless ``replace`` is true, which updates that account (name, department, roles,
    password) — the demo accounts use it.
    """
    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise PeopleError("username", "请填写用户名", "the username is empty")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise PeopleError(
            "username",
            "用户名只能包含字母、数字和 @ . + - _",
            "a username may contain letters, digits and @ . + - _ only",
        ) from None
    display = _clean_name(name, max_length=150, what_zh="姓名", what_en="name")
    role_values = _clean_roles(roles)
    department = _department(department_code) if department_code else None
    if department is None and DEPARTMENT_ROLES.intersection(role_values):
        raise PeopleError(
            "department",
            "审批人员、部门负责人和首席服务员必须属于一个部门",
            "reviewers, department heads and chief service officers need a department",
        )
    extra = [_department(code) for code in extra_department_codes]

    user = user_model.objects.filter(username=username).first()
    if user is not None and not replace:
        raise PeopleError("exists", f"用户名“{username}”已存在", f"username {username!r} is taken")
    if user is None:
        user = user_model(username=username)
    user.first_name = display
    user.is_active = True
    user.is_staff = bool(ADMIN_SITE_ROLES.intersection(role_values)) or user.is_superuser
    if password is None:
        user.set_unusable_password()
    else:
        if check_password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise PeopleError(
                    "password",
                    "密码不符合要求：" + "；".join(error.messages),
                    "the password does not meet the policy: " + "; ".join(error.messages),
                ) from None
        user.set_password(password)
    user.save()
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.department = department
    profile.roles = role_values
    profile.window = (window or "").strip()
    profile.all_departments = all_departments
    profile.save()
    profile.extra_departments.set(extra)
    _sync_role_groups(user, role_values)
    user.staff_profile = profile
    return user


def _sync_role_groups(user, role_values: list[str]) -> None:
    """Role groups (named by the role's label, created by ``banshi.core.services.ensure_roles``)
    follow the roles; other groups are left alone."""
    labels = dict(Role.choices)
    held = {labels[role] for role in role_values}
    stale = user.groups.filter(name__in=set(labels.values()) - held)
    user.groups.remove(*stale)
    user.groups.add(*Group.objects.filter(name__in=held))
