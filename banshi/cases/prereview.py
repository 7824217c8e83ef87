"""网上预审: what the platform can check before an application is filed (pure: no Django import).

Given the compiled :class:`~banshi.catalog.compiler.Plan`, the values of the merged form, what the
applicant did about each material, and what the profile (一人一档 / 一企一档) says, :func:`review`
returns a list of :class:`Finding`: *blocking* ones must be fixed before submitting, *warnings* are
shown and do not stop it. Each names the field, material or question it concerns and says what is
wrong in Chinese and English, so the window clerk never has to send back what a machine could have
seen (M-C3 online pre-review, M-J2 intelligent pre-review).

The rules are data-driven (by field type and by code patterns), so a new bundle needs no code:

**Completeness**

* ``required`` — every field of the merged form must have a value (a prefilled value counts; a
  field the profile could not fill must be typed).
* ``question`` — a situation answer must fit its question's type; an unanswered question is a
  warning (its conditions count as false, so items or materials may be left out).
* ``material`` — every material the applicant has to hand in (route ``upload``, or a licence
  they do not hold) needs at least one uploaded file, unless they chose 告知承诺 (commitment) or
  容缺 (supply later) where *every* item needing it allows that (the compiler's flags).
  A chosen commitment or deferral is a warning that says what it obliges them to.

**Form per field type** (:data:`TYPE_RULES`)

=============  ===========================================================================
``id_number``  GB 11643 via :func:`banshi.people.identifiers.validate_id_number` (the message
               gives the reason: length, character, birth date, check digit)
``uscc``       GB 32100 via :func:`~banshi.people.identifiers.validate_uscc`
``phone``      a mainland mobile number: 11 digits starting with 1 (spaces, ``-`` and a
               leading ``+86`` are ignored)
``email``      ``name@domain.tld``
``number``     a decimal number
``date``       an ISO date (``YYYY-MM-DD``, what a date input sends)
``enum``       one of the field's options
``bool``       是/否 (true/false)
``text`` /     at most :data:`MAX_TEXT` characters
``address``
=============  ===========================================================================

**Consistency**

* ``past_date`` — a date whose code matches :data:`PAST_DATE_PATTERNS` (birth dates, founding
  dates, issue dates …) cannot be after today.
* ``date_range`` — for each pair in :data:`DATE_RANGE_SUFFIXES` sharing a prefix
  (``lease.start_date`` / ``lease.end_date``), the start is not after the end.
* ``profile_identifier`` — an ``id_number`` or ``uscc`` field that the profile can fill
  (the applicant's own ID number, the enterprise's credit code, the 经办人's ID number) must hold
  the profile's identifier: an application in someone else's name is refused before it is filed.
* ``id_derived`` — for a prefix with an ``<prefix>.id_number``, the fields named in
  :data:`ID_DERIVED` (``<prefix>.birth_date``, ``<prefix>.gender``) must agree with what the ID
  number encodes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fnmatch import fnmatchcase
from typing import Any

from banshi.catalog.compiler import FormField, Plan
from banshi.people.identifiers import IdentifierError, normalise, validate_id_number, validate_uscc

BLOCKING = "blocking"
WARNING = "warning"

KIND_FIELD = "field"
KIND_MATERIAL = "material"
KIND_QUESTION = "question"
KIND_CONSISTENCY = "consistency"

MODE_UPLOAD = "upload"
MODE_COMMITMENT = "commitment"  # 告知承诺
MODE_DEFICIENCY = "deficiency"  # 容缺后补
MODES = (MODE_UPLOAD, MODE_COMMITMENT, MODE_DEFICIENCY)

MAX_TEXT = 500
# Dates that lie in the past by nature (fnmatch patterns on the field code).
PAST_DATE_PATTERNS = (
    "*birth_date",
    "*.birthday",
    "*established_date",
    "*issue_date",
    "*issued_date",
    "*death_date",
    "*marriage_date",
)
# (start suffix, end suffix): fields ``<prefix>.<start>`` and ``<prefix>.<end>`` form a range.
DATE_RANGE_SUFFIXES = (
    ("start_date", "end_date"),
    ("begin_date", "end_date"),
    ("date_from", "date_to"),
    ("valid_from", "valid_to"),
)
# What an ID number encodes, by the suffix of a sibling field: suffix → (reader, zh, en).
ID_DERIVED: dict[str, tuple[Callable[[Any], str], str, str]] = {
    "birth_date": (lambda checked: checked.birth_date.isoformat(), "出生日期", "birth date"),
    "gender": (lambda checked: checked.sex_label, "性别", "sex"),
}
PROFILE_IDENTIFIER_TYPES = ("id_number", "uscc")

TRUE_WORDS = frozenset({"true", "1", "yes", "on", "是"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", "否"})
_PHONE = re.compile(r"^1\d{10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


@dataclass(frozen=True)
class Finding:
    """One pre-review result: ``severity`` blocking | warning, ``kind`` field | material | question
    | consistency, ``code`` the field/material/question code, ``rule`` the rule that found it."""

    severity: str
    kind: str
    code: str
    rule: str
    zh: str
    en: str
    related: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class MaterialChoice:
    """What the applicant did about one material: the mode and how many files they uploaded."""

    mode: str = MODE_UPLOAD
    files: int = 0


class Invalid(ValueError):
    """A value that does not fit its field's type (zh, en)."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


# ---------------------------------------------------------------------------------- type rules
def check_id_number(value: str, options: Sequence[str], today: dt.date) -> Any:
    try:
        return validate_id_number(value, today=today)
    except IdentifierError as error:
        raise Invalid(error.message_zh, error.message_en) from None


def check_uscc(value: str, options: Sequence[str], today: dt.date) -> Any:
    try:
        return validate_uscc(value)
    except IdentifierError as error:
        raise Invalid(error.message_zh, error.message_en) from None


def check_phone(value: str, options: Sequence[str], today: dt.date) -> str:
    digits = re.sub(r"[\s\-]", "", normalise(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    if not _PHONE.match(digits):
        raise Invalid(
            "手机号码应为以1开头的11位数字",
            "a mobile number has 11 digits and starts with 1",
        )
    return digits


def check_email(value: str, options: Sequence[str], today: dt.date) -> str:
    text = value.strip()
    if not _EMAIL.match(text) or len(text) > 254:
        raise Invalid("电子邮箱格式不正确（如 name@example.com）", "not a valid e-mail address")
    return text


def check_number(value: str, options: Sequence[str], today: dt.date) -> Decimal:
    cleaned = value.replace(",", "").replace("，", "").strip()
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise Invalid("请输入数字", "enter a number") from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise Invalid("请输入有效的数字", "enter a valid number")
    return number


def check_date(value: str, options: Sequence[str], today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid("请输入有效日期（年-月-日）", "enter a valid date (YYYY-MM-DD)") from None


def check_enum(value: str, options: Sequence[str], today: dt.date) -> str:
    if value.strip() not in options:
        raise Invalid(
            f"请从以下选项中选择：{'、'.join(options)}",
            f"choose one of: {', '.join(options)}",
        )
    return value.strip()


def check_bool(value: str, options: Sequence[str], today: dt.date) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Invalid("请选择“是”或“否”", "choose yes or no")


def check_text(value: str, options: Sequence[str], today: dt.date) -> str:
    if len(value) > MAX_TEXT:
        raise Invalid(f"不能超过{MAX_TEXT}个字", f"at most {MAX_TEXT} characters")
    return value.strip()


TYPE_RULES: dict[str, Callable[[str, Sequence[str], dt.date], Any]] = {
    "id_number": check_id_number,
    "uscc": check_uscc,
    "phone": check_phone,
    "email": check_email,
    "number": check_number,
    "date": check_date,
    "enum": check_enum,
    "bool": check_bool,
    "text": check_text,
    "address": check_text,
}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A stored or prefilled value as the text a check reads (dates ISO, booleans true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def check_value(kind: str, value: Any, options: Sequence[str], today: dt.date) -> Any:
    """The value read as its type; raises :class:`Invalid` (zh, en) when it does not fit."""
    return TYPE_RULES.get(kind, check_text)(as_text(value), options, today)


# ---------------------------------------------------------------------------------- review
def review(
    plan: Plan,
    values: Mapping[str, Any],
    materials: Mapping[str, MaterialChoice],
    *,
    answers: Mapping[str, Any] | None = None,
    expected: Mapping[str, Any] | None = None,
    today: dt.date,
) -> list[Finding]:
    """Every finding for one application, blocking ones first, each group in form order.

    ``values``: field code → value (prefilled or typed); ``materials``: material code → choice;
    ``answers``: question code → raw answer; ``expected``: field code → the profile's value for
    identifier fields (see ``profile_identifier``).
    """
    findings: list[Finding] = []
    findings += _questions(plan, answers or {})
    parsed: dict[str, Any] = {}
    for form_field in plan.form.fields:
        findings += _field(form_field, values.get(form_field.code), parsed, today)
    findings += _materials(plan, materials)
    findings += _consistency(plan, parsed, expected or {}, today)
    return sorted(findings, key=lambda finding: 0 if finding.blocking else 1)


def field_findings(
    form_field: FormField, value: Any, *, today: dt.date, required: bool = True
) -> list[Finding]:
    """The findings of one field alone (for correction answers and inline messages)."""
    findings = _field(form_field, value, {}, today)
    if not required:
        findings = [finding for finding in findings if finding.rule != "required"]
    return findings


def _questions(plan: Plan, answers: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for question in plan.form.questions:
        raw = answers.get(question.code)
        if blank(raw):
            findings.append(
                Finding(
                    WARNING,
                    KIND_QUESTION,
                    question.code,
                    "question",
                    f"情形问题“{question.text}”未回答，按“否/不适用”确定办理事项和材料",
                    f"the situation question {question.text!r} is unanswered: it counts as "
                    "'no / not applicable' for the items and materials",
                )
            )
            continue
        try:
            check_value(question.type, raw, question.options, dt.date.max)
        except Invalid as error:
            findings.append(
                Finding(
                    BLOCKING,
                    KIND_QUESTION,
                    question.code,
                    "question",
                    f"情形问题“{question.text}”：{error.zh}",
                    f"situation question {question.text!r}: {error.en}",
                )
            )
    return findings


def _field(
    form_field: FormField, value: Any, parsed: dict[str, Any], today: dt.date
) -> list[Finding]:
    label = form_field.label
    if blank(value):
        return [
            Finding(
                BLOCKING,
                KIND_FIELD,
                form_field.code,
                "required",
                f"请填写“{label}”",
                f"{label!r} is required",
            )
        ]
    try:
        parsed[form_field.code] = check_value(form_field.type, value, form_field.options, today)
    except Invalid as error:
        return [
            Finding(
                BLOCKING,
                KIND_FIELD,
                form_field.code,
                form_field.type,
                f"“{label}”：{error.zh}",
                f"{label!r}: {error.en}",
            )
        ]
    return []


def _materials(plan: Plan, materials: Mapping[str, MaterialChoice]) -> list[Finding]:
    findings = []
    for planned in plan.materials:
        if not planned.to_upload:
            continue
        choice = materials.get(planned.code) or MaterialChoice()
        name = planned.name
        if choice.mode == MODE_COMMITMENT:
            if not planned.commitment_allowed:
                findings.append(
                    Finding(
                        BLOCKING,
                        KIND_MATERIAL,
                        planned.code,
                        "commitment_not_allowed",
                        f"“{name}”不适用告知承诺，请上传材料",
                        f"{name!r} cannot be replaced by a commitment: upload it",
                    )
                )
            else:
                findings.append(
                    Finding(
                        WARNING,
                        KIND_MATERIAL,
                        planned.code,
                        "commitment",
                        f"“{name}”以告知承诺代替：受理后将核查，承诺不实的将记入信用记录并依法处理",
                        f"{name!r} is replaced by a commitment (告知承诺): it will be verified; a "
                        "false commitment is recorded in the credit system and dealt with by law",
                    )
                )
            continue
        if choice.mode == MODE_DEFICIENCY:
            if not planned.deficiency_allowed:
                findings.append(
                    Finding(
                        BLOCKING,
                        KIND_MATERIAL,
                        planned.code,
                        "deficiency_not_allowed",
                        f"“{name}”不能容缺后补，请上传材料",
                        f"{name!r} cannot be supplied later: upload it",
                    )
                )
            else:
                findings.append(
                    Finding(
                        WARNING,
                        KIND_MATERIAL,
                        planned.code,
                        "deficiency",
                        f"“{name}”容缺后补：须在受理通知规定的期限内补交，逾期未补交的，办件将终止",
                        f"{name!r} will be supplied later (容缺): hand it in by the date the "
                        "acceptance notice sets, or the case ends",
                    )
                )
            continue
        if choice.files <= 0:
            alternatives_zh, alternatives_en = _alternatives(planned)
            findings.append(
                Finding(
                    BLOCKING,
                    KIND_MATERIAL,
                    planned.code,
                    "material",
                    f"缺少材料“{name}”，请上传{alternatives_zh}",
                    f"the material {name!r} is missing: upload it{alternatives_en}",
                )
            )
    return findings


def _alternatives(planned: Any) -> tuple[str, str]:
    if planned.commitment_allowed and planned.deficiency_allowed:
        return "，或选择告知承诺、容缺后补", ", or choose a commitment or to supply it later"
    if planned.commitment_allowed:
        return "，或选择告知承诺", ", or choose a commitment"
    if planned.deficiency_allowed:
        return "，或选择容缺后补", ", or choose to supply it later"
    return "", ""


def _consistency(
    plan: Plan, parsed: Mapping[str, Any], expected: Mapping[str, Any], today: dt.date
) -> list[Finding]:
    fields = {form_field.code: form_field for form_field in plan.form.fields}
    findings = []
    for code, value in parsed.items():
        form_field = fields[code]
        if isinstance(value, dt.date) and _matches(code, PAST_DATE_PATTERNS) and value > today:
            findings.append(
                Finding(
                    BLOCKING,
                    KIND_CONSISTENCY,
                    code,
                    "past_date",
                    f"“{form_field.label}”不能晚于今天（{today.isoformat()}）",
                    f"{form_field.label!r} cannot be later than today ({today.isoformat()})",
                )
            )
        if form_field.type in PROFILE_IDENTIFIER_TYPES and not blank(expected.get(code)):
            own = normalise(as_text(expected[code]))
            if normalise(as_text(getattr(value, "value", value))) != own:
                what_zh, what_en = (
                    ("身份证号码", "ID number")
                    if form_field.type == "id_number"
                    else ("统一社会信用代码", "credit code")
                )
                findings.append(
                    Finding(
                        BLOCKING,
                        KIND_CONSISTENCY,
                        code,
                        "profile_identifier",
                        f"“{form_field.label}”与您实名认证的{what_zh}不一致，不能以他人名义申请",
                        f"{form_field.label!r} differs from the {what_en} of your verified "
                        "identity: you cannot apply in someone else's name",
                    )
                )
    findings += _date_ranges(fields, parsed)
    findings += _id_derived(fields, parsed)
    return findings


def _matches(code: str, patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(code, pattern) for pattern in patterns)


def _date_ranges(fields: Mapping[str, FormField], parsed: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for start_suffix, end_suffix in DATE_RANGE_SUFFIXES:
        for code, start in parsed.items():
            if not code.endswith("." + start_suffix) or not isinstance(start, dt.date):
                continue
            end_code = code[: -len(start_suffix)] + end_suffix
            end = parsed.get(end_code)
            if isinstance(end, dt.date) and start > end:
                start_label, end_label = fields[code].label, fields[end_code].label
                findings.append(
                    Finding(
                        BLOCKING,
                        KIND_CONSISTENCY,
                        end_code,
                        "date_range",
                        f"“{start_label}”不能晚于“{end_label}”",
                        f"{start_label!r} cannot be later than {end_label!r}",
                        related=(code,),
                    )
                )
    return findings


def _id_derived(fields: Mapping[str, FormField], parsed: Mapping[str, Any]) -> list[Finding]:
    findings = []
    for code, checked in parsed.items():
        if fields[code].type != "id_number" or not code.endswith(".id_number"):
            continue
        prefix = code[: -len("id_number")]
        for suffix, (read, what_zh, what_en) in ID_DERIVED.items():
            sibling = prefix + suffix
            if sibling not in parsed:
                continue
            if as_text(parsed[sibling]) != read(checked):
                label = fields[sibling].label
                findings.append(
                    Finding(
                        BLOCKING,
                        KIND_CONSISTENCY,
                        sibling,
                        "id_derived",
                        f"“{label}”与“{fields[code].label}”中的{what_zh}不一致",
                        f"{label!r} does not match the {what_en} in {fields[code].label!r}",
                        related=(code,),
                    )
                )
    return findings
