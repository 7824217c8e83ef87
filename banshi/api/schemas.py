"""Request and response shapes of the applications and cases endpoints (OpenAPI from these)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import field_validator


class ErrorOut(Schema):
    detail: str = Field(description="中文 / English")
    code: str = Field(description="stable error code, e.g. conflict, invalid_transition")
    message_zh: str
    message_en: str


# ------------------------------------------------------------------------------ applicant side
class MaterialIn(Schema):
    """What you do about one material: upload files (ids from ``POST /files``), or — where every
    item needing it allows — a commitment (告知承诺) or supply it later (容缺)."""

    mode: str = Field("upload", description="upload | commitment | deficiency")
    files: list[int] | None = Field(
        None, description="ids of files you uploaded with POST /files (replaces the list)"
    )


class DraftIn(Schema):
    """A new draft: exactly one of ``bundle_code`` (一件事) and ``item_code`` (a single item)."""

    bundle_code: str | None = Field(None, max_length=64, examples=["KBCYD"])
    item_code: str | None = Field(None, max_length=64)
    answers: dict[str, Any] = Field(default_factory=dict, description="情形回答: question → answer")
    form_data: dict[str, Any] = Field(
        default_factory=dict, description="表单: data element code → value"
    )
    materials: dict[str, MaterialIn] = Field(
        default_factory=dict, description="material code → what you hand in"
    )
    prefill_consent: bool = Field(
        False,
        description="同意复用已登记信息预填表单 (recorded as a consent; without it type every field)",
    )
    enterprise_uscc: str | None = Field(
        None, description="apply for this enterprise (统一社会信用代码); you must represent it"
    )
    principal_id_number: str | None = Field(
        None, description="代办: apply for this person (公民身份号码) as their authorised agent"
    )
    submit: bool = Field(
        False,
        description="创建并提交: file the draft at once (one request, one transaction; the "
        "Idempotency-Key header is then required, as for POST …/submit)",
    )
    channel: str = Field("web", description="with submit: web, mobile, terminal or window")


class DraftPatch(Schema):
    """Changes to a draft; what you leave out stays as it is."""

    answers: dict[str, Any] | None = Field(None, description="merged; an empty value clears one")
    form_data: dict[str, Any] | None = Field(None, description="merged; an empty value clears one")
    materials: dict[str, MaterialIn] | None = Field(None, description="per material code")
    prefill_consent: bool | None = Field(None, description="give (true) or withdraw (false)")


class CorrectionFilesIn(Schema):
    files: list[int] = Field(description="ids of files you uploaded with POST /files")


class CorrectionIn(Schema):
    """补正: everything the one-time correction notice asks for, in one request."""

    form_data: dict[str, Any] = Field(
        default_factory=dict, description="corrected fields: data element code → value"
    )
    materials: dict[str, CorrectionFilesIn] = Field(
        default_factory=dict, description="material code → the files that answer the notice"
    )


class SubmitIn(Schema):
    """Optional body of a submission."""

    channel: str = Field("web", description="web, mobile, terminal or window")


class FileOut(Schema):
    id: int
    sha256: str
    size: int
    content_type: str
    name: str


class FindingOut(Schema):
    severity: str = Field(description="blocking | warning")
    kind: str = Field(description="field | material | question | consistency")
    code: str
    rule: str
    message_zh: str
    message_en: str


class DraftFieldOut(Schema):
    code: str
    label: str
    type: str
    value: str
    origin: str = Field(description="profile | answer | typed | empty")
    locked: bool


class DraftMaterialOut(Schema):
    code: str
    name: str
    route: str = Field(description="upload | licence | data_share")
    needs_upload: bool
    mode: str
    files: list[int]
    commitment_allowed: bool
    deficiency_allowed: bool
    note_zh: str
    note_en: str


class DraftDetail(Schema):
    """What the pre-review (网上预审) says about the draft as it stands."""

    can_submit: bool
    problem: str | None = Field(None, description="why no plan can be made, if so")
    prefill_consent: bool
    items: list[str] = Field(description="items the answers choose")
    fields: list[DraftFieldOut]
    materials: list[DraftMaterialOut]
    findings: list[FindingOut]


class CaseBrief(Schema):
    number: str
    item_code: str
    item_name: str
    department: str
    department_name: str
    state: str
    state_label: str
    decision_days: int | None
    decision_due: dt.date | None
    issue_due: dt.date | None
    outcome: str | None
    version: int


class EventOut(Schema):
    at: dt.datetime
    kind: str
    case: str | None
    from_state: str
    to_state: str
    actor_role: str
    data: dict[str, Any]


class CorrectionOut(Schema):
    items: list[dict[str, Any]]
    issued_at: dt.datetime
    due: dt.date
    answered_at: dt.datetime | None


class ApplicationOut(Schema):
    """An application being tracked, or a draft (``status`` = ``draft``, no cases yet)."""

    number: str = Field(description="申请编号 (BS-…); the draft number (DR-…) while a draft")
    draft: str | None = Field(None, description="the draft it was submitted from, if any")
    status: str
    status_label: str
    title: str
    bundle_code: str | None
    item_code: str | None
    enterprise: str | None = Field(None, description="统一社会信用代码 of the applying enterprise")
    channel: str
    answers: dict[str, Any]
    form_data: dict[str, Any]
    materials: list[Any]
    version: int | None = Field(
        None,
        description="the application's optimistic lock (send it with actions); none for a draft",
    )
    received_at: dt.datetime | None = None
    correction_due: dt.date | None = None
    intake_due: dt.date | None = None
    accepted_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    cases: list[CaseBrief] = Field(default_factory=list)
    events: list[EventOut] = Field(default_factory=list)
    correction_notice: CorrectionOut | None = None
    output: dict[str, Any] = Field(default_factory=dict)
    draft_detail: DraftDetail | None = Field(None, description="a draft's pre-review")


class ApplicationSummary(Schema):
    number: str
    status: str
    status_label: str
    title: str
    version: int | None
    received_at: dt.datetime | None
    updated_at: dt.datetime


class ApplicationPage(Schema):
    count: int
    items: list[ApplicationSummary]


class WithdrawIn(Schema):
    """撤回: the application's ``version`` and, optionally, why."""

    version: int
    reason: str = ""


# ------------------------------------------------------------------------------ staff side
class ApplicationRef(Schema):
    number: str
    title: str
    status: str
    version: int = Field(description="send this for accept, request_correction, refuse")
    applicant: str = Field(description="masked name of the applicant")
    enterprise: str | None
    received_at: dt.datetime
    correction_due: dt.date
    intake_due: dt.date


class CaseOut(CaseBrief):
    id: int
    application: ApplicationRef
    joint_review: bool
    on_the_spot: bool
    extension_days: int
    decided_at: dt.datetime | None
    decision_reasons: str
    issued_at: dt.datetime | None
    closed_at: dt.datetime | None
    allowed_actions: list[str] = Field(
        description="what you may try from here (the engine decides)"
    )
    events: list[EventOut] = Field(default_factory=list)


class CasePage(Schema):
    count: int
    items: list[CaseBrief]


class ActionIn(Schema):
    """One body for every action: ``version`` plus the fields that action reads.

    * ``accept``, ``request_correction``, ``refuse``, ``correct_on_the_spot``: ``version`` is the
      **application's** version (``application.version`` in ``GET /cases/{id}``); the others take
      the **case's** version.
    * ``request_correction``: ``items`` = ``[{"item"|"case", "materials", "fields", "reason"}]``
    * ``refuse``: ``ground`` (not_required | not_competent | incomplete), ``reasons``,
      ``redirect_agency``
    * ``correct_on_the_spot``: ``form_data``, ``note``
    * ``opinion``: ``opinion`` (agree | disagree), ``text``, ``department`` (default: yours)
    * ``pause``: ``reason`` (hearing, testing, expert_review…), ``expected_days``, ``notice_text``
    * ``request_extension``: ``reason``, ``days``
    * ``decide`` / ``decide_on_the_spot``: ``grant``, ``reasons``, ``remedy_notice``
    * ``issue``: ``licence_number``; ``close``: ``delivery``; ``supervise``: ``level``, ``reason``
    """

    version: int | None = Field(None, description="required by every action but supervise")
    items: list[dict[str, Any]] | None = None
    ground: str | None = None
    reasons: str = ""
    redirect_agency: str = ""
    form_data: dict[str, Any] | None = None
    note: str = ""
    opinion: str | None = None
    text: str = ""
    department: str | None = None
    reason: str = ""
    expected_days: int | None = None
    notice_text: str = ""
    days: int | None = None
    grant: bool | None = None
    remedy_notice: str = ""
    licence_number: str = ""
    delivery: str = ""
    level: str | None = None

    @field_validator("reasons", "redirect_agency", "note", "text", "reason", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value
