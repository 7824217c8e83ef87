"""办件中心: the root application (申请), one case (办件) per item, and what happens to them.

Shape (DESIGN §10): one :class:`Application` per submission, one :class:`Case` per chosen item, all
created together; every state change is appended as a :class:`CaseEvent` and, in the same
transaction, an :class:`OutboxMessage` for the outside world. Deadlines are *stored* on the case when
an event sets them (受理, 中止/恢复, 延期, 决定) and never recomputed on read, so a later calendar or
catalogue change cannot rewrite history.

No rule lives here: models hold data and database-level invariants (unique numbers, one correction
notice per application, one extension per case, one supervision per case × clock × level); every
operation is in :mod:`banshi.cases.services`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from banshi.cases.transitions import STATE_LABELS, State


class Channel(models.TextChoices):
    """申请渠道 (第29条: applications may arrive by any channel)."""

    WEB = "web", "网上办理"
    WINDOW = "window", "窗口办理"
    MOBILE = "mobile", "移动端"
    TERMINAL = "terminal", "自助终端"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    IN_PROGRESS = "in_progress", "办理中"
    COMPLETED = "completed", "已办结"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


CASE_STATE_CHOICES = [(state.value, STATE_LABELS[state]) for state in State]


class NumberSequence(models.Model):
    """编号序列: the last number issued per key (e.g. ``BS-20250102``).

    Numbers are issued under a row lock in the submitting transaction, never as ``max()+1``, so
    concurrent submissions get distinct numbers and a rolled-back submission leaves no gap.
    """

    key = models.CharField("序列键", max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField("已发号", default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class Application(models.Model):
    """申请 (the root case): one submission of a bundle (一件事) or of a single item.

    ``plan`` is the compiled plan snapshot at submission (chosen items, dependencies, merged form,
    materials): what the applicant saw is kept even if the catalogue changes later.
    ``version`` is the optimistic lock of application-level actions (受理, 补正, 不予受理, 撤回).
    """

    number = models.CharField("申请编号", max_length=40, unique=True)
    applicant = models.ForeignKey(
        "people.Person",
        verbose_name="申请人",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="申请单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    agent = models.ForeignKey(
        "people.Person",
        verbose_name="代办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agent_applications",
    )
    authorisation = models.ForeignKey(
        "people.Authorisation",
        verbose_name="代办授权",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    bundle = models.ForeignKey(
        "catalog.Bundle", verbose_name="一件事", null=True, blank=True, on_delete=models.PROTECT
    )
    bundle_version = models.ForeignKey(
        "catalog.BundleVersion",
        verbose_name="一件事版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="单独申请的事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="single_applications",
    )
    title = models.CharField("申请事项名称", max_length=200)
    answers = models.JSONField("情形回答", default=dict, blank=True)
    form_data = models.JSONField("表单数据", default=dict, blank=True)
    materials = models.JSONField("提交材料", default=list, blank=True)
    plan = models.JSONField("办理方案快照", default=dict, blank=True)
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices)
    status = models.CharField(
        "状态", max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    idempotency_key = models.CharField("幂等键", max_length=80)
    joint_handling = models.BooleanField(
        "联合办理", default=False, help_text="第42条第二款: 两个以上部门统一/联合/集中办理"
    )
    received_at = models.DateTimeField("收件时间")
    correction_due = models.DateField("补正告知期限", help_text="收件后5个工作日 (第32条(四))")
    correction_due_provisional = models.BooleanField("补正告知期限为暂定", default=False)
    intake_due = models.DateField(
        "受理决定期限",
        help_text="逾期未受理、未告知补正、未不予受理的，视为受理 (第32条(四)); 补正后从补齐之日重新起算",
    )
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    deemed_accepted = models.BooleanField("逾期视为受理", default=False)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    output = models.JSONField("统一出件", default=dict, blank=True)
    version = models.PositiveIntegerField("版本(乐观锁)", default=1)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "申请"
        verbose_name_plural = "申请"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="application_idempotency_key_once"
            ),
            models.CheckConstraint(
                condition=Q(bundle__isnull=False, item__isnull=True)
                | Q(bundle__isnull=True, item__isnull=False),
                name="application_bundle_or_item",
            ),
        ]
        indexes = [
            models.Index(fields=["applicant", "received_at"], name="application_by_applicant"),
            models.Index(fields=["status", "intake_due"], name="application_intake"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Case(models.Model):
    """办件: one chosen item of an application, handled by its department on a pinned item version.

    Stored deadlines: ``decision_due`` (第42条, set at 受理, moved by 中止/恢复 and 延期) and
    ``issue_due`` (第44条, set at 准予). ``decision_days`` is the total time limit in working days
    including an approved extension. ``depends_on`` are the cases whose output this one needs
    (the bundle's ``after``). ``version`` is the optimistic lock of case-level actions.
    """

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField("办件编号", max_length=48, unique=True)
    position = models.PositiveSmallIntegerField("顺序")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", on_delete=models.PROTECT)
    item_version = models.ForeignKey(
        "catalog.ServiceItemVersion", verbose_name="事项版本", on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name="办理部门", on_delete=models.PROTECT
    )
    state = models.CharField(
        "状态", max_length=24, choices=CASE_STATE_CHOICES, default=State.RECEIVED.value
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name="前置办件",
        symmetrical=False,
        blank=True,
        related_name="dependants",
    )
    joint_review = models.BooleanField("联合审查", default=False)
    on_the_spot = models.BooleanField("即办件", default=False, help_text="第34条: 当场作出决定")
    decision_days = models.PositiveSmallIntegerField("办理时限(工作日)", null=True, blank=True)
    decision_due = models.DateField("决定期限", null=True, blank=True)
    decision_due_provisional = models.BooleanField("决定期限为暂定", default=False)
    extension_days = models.PositiveSmallIntegerField("已延长(工作日)", default=0)
    issue_due = models.DateField("制证送达期限", null=True, blank=True)
    issue_due_provisional = models.BooleanField("制证期限为暂定", default=False)
    outcome = models.CharField(
        "决定结果",
        max_length=8,
        blank=True,
        choices=[("grant", "准予"), ("deny", "不予")],
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_reasons = models.TextField("决定理由", blank=True)
    remedy_notice = models.TextField("救济途径告知", blank=True)
    issued_at = models.DateTimeField("制证时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本(乐观锁)", default=1)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["application_id", "position"]
        indexes = [
            models.Index(fields=["department", "state"], name="case_department_state"),
            models.Index(fields=["state", "decision_due"], name="case_state_decision_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item_version.name}"


class CaseEvent(models.Model):
    """办件日志: one row per thing that happened, append-only (never updated or deleted).

    Progress pages, the clock, supervision, analytics and the audit trail read these rows. The
    services only ever insert them; the admin grants no change or delete permission.
    """

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.PROTECT, related_name="events"
    )
    case = models.ForeignKey(
        Case,
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField("事件", max_length=40)
    from_state = models.CharField("原状态", max_length=24, blank=True)
    to_state = models.CharField("新状态", max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField("操作角色", max_length=30)
    at = models.DateTimeField("时间")
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "办件日志"
        verbose_name_plural = "办件日志"
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["application", "at"], name="event_application_at"),
            models.Index(fields=["case", "at"], name="event_case_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class CorrectionNotice(models.Model):
    """补正材料通知书 (一次性告知, 第32条(四)): every item to correct, in ONE notice per submission.

    ``items`` lists ``{"case": number, "item": code, "materials": [...], "fields": [...],
    "reason": text}``. One-to-one with the application: the database refuses a second notice.
    """

    application = models.OneToOneField(
        Application,
        verbose_name="申请",
        on_delete=models.PROTECT,
        related_name="correction_notice",
    )
    items = models.JSONField("补正内容")
    issued_at = models.DateTimeField("告知时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="告知人", on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField("补正期限")
    answered_at = models.DateTimeField("补齐时间", null=True, blank=True)

    class Meta:
        verbose_name = "补正材料通知书"
        verbose_name_plural = "补正材料通知书"

    def __str__(self) -> str:
        return f"{self.application.number} 补正告知"


class PauseReason(models.TextChoices):
    """特别程序 (第45条): the time they take is not counted."""

    HEARING = "hearing", "听证"
    TENDER = "tender", "招标"
    AUCTION = "auction", "拍卖"
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"


class Pause(models.Model):
    """中止计时 (特别程序, 第45条): a dated interval excluded from the time limit.

    Kept as rows, not only a running total (the lesson of bk-itsm and Open Zaak), so the clock can be
    recomputed from its events and the applicant can be shown what paused it.
    """

    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="pauses"
    )
    reason = models.CharField("特别程序", max_length=16, choices=PauseReason.choices)
    started_at = models.DateTimeField("开始时间")
    expected_days = models.PositiveSmallIntegerField("预计所需(工作日)")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    written_notice = models.BooleanField("已书面告知申请人", default=False)
    notice_text = models.TextField("告知内容", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结束人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="pause_one_open_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_reason_display()}"


class Extension(models.Model):
    """延期 (第42条): once per case, approved by the department head (联合办理: the government head)."""

    case = models.OneToOneField(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="extension"
    )
    days = models.PositiveSmallIntegerField("延长(工作日)")
    reason = models.TextField("延期理由")
    joint = models.BooleanField("联合办理(需本级人民政府负责人批准)", default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.case.number} +{self.days}"


class OpinionValue(models.TextChoices):
    AGREE = "agree", "同意"
    DISAGREE = "disagree", "不同意"
    NONE = "none", "未答复"


class Opinion(models.Model):
    """联合审查意见: another department's opinion on a lead department's case of a joint handling.

    At acceptance a pending opinion (``none``) is asked of every other participating department
    for each case of the bundle's lead department (牵头部门); the lead decides once they are in.
    Under ``silence_is_consent`` (超时默认) an opinion still pending after ``due`` is recorded as
    agreeing with ``deemed=True``.
    """

    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="opinions"
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name="部门", on_delete=models.PROTECT
    )
    opinion = models.CharField(
        "意见", max_length=10, choices=OpinionValue.choices, default=OpinionValue.NONE
    )
    text = models.TextField("意见说明", blank=True)
    due = models.DateField("答复期限", null=True, blank=True)
    given_at = models.DateTimeField("答复时间", null=True, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deemed = models.BooleanField("超时默认同意", default=False)

    class Meta:
        verbose_name = "联合审查意见"
        verbose_name_plural = "联合审查意见"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"], name="opinion_once_per_department"
            )
        ]
        indexes = [models.Index(fields=["opinion", "due"], name="opinion_pending_due")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.department} {self.get_opinion_display()}"


class SupervisionLevel(models.TextChoices):
    YELLOW = "yellow", "黄色预警"
    RED = "red", "红色督办(超期)"


class SupervisionClock(models.TextChoices):
    DECISION = "decision", "决定时限"
    ISSUE = "issue", "制证送达时限"


class Supervision(models.Model):
    """督办: raised once per case × clock × level when the clock turns yellow or red."""

    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.PROTECT, related_name="supervisions"
    )
    clock = models.CharField("时限", max_length=10, choices=SupervisionClock.choices)
    level = models.CharField("级别", max_length=8, choices=SupervisionLevel.choices)
    raised_at = models.DateTimeField("发起时间")
    reason = models.CharField("事由", max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "level"], name="supervision_once_per_level"
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "level"], name="supervision_open")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_level_display()}"


class OutboxMessage(models.Model):
    """事务性发件箱: a message for the outside world, written in the transaction of its change.

    A dispatcher (signed webhooks, notifications) sends rows with ``sent_at`` empty whose
    ``next_attempt_at`` has come: nothing is sent for a rolled-back change, nothing lost for a
    committed one.
    """

    topic = models.CharField("主题", max_length=60)
    key = models.CharField("业务键", max_length=48, blank=True)
    payload = models.JSONField("内容")
    created_at = models.DateTimeField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "发件箱消息"
        verbose_name_plural = "发件箱消息"
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.topic} {self.key}"


# ------------------------------------------------------------------------------------ drafts
class DraftStatus(models.TextChoices):
    OPEN = "open", "填写中"
    SUBMITTED = "submitted", "已提交"


def new_idempotency_key() -> str:
    """A fresh key per draft (uuid4): every submit of the draft carries it, so a retried submit
    (double click, back button, a lost response) finds the application it already filed."""
    return uuid.uuid4().hex


class ApplicationDraft(models.Model):
    """申请草稿: what an applicant has answered, typed, chosen and uploaded so far, saved as they go.

    ``owner`` is the person filling it in (the account's 一人一档); ``principal`` the person they act
    for as an agent (代办), ``enterprise`` the organisation applying (法人), both optional. Exactly one
    of ``bundle_code`` / ``item_code``. ``answers`` and ``form_data`` keep the applicant's raw text
    (re-shown exactly as typed); ``materials`` maps a material code to ``{"mode": "upload" |
    "commitment" | "deficiency", "files": [StoredFile ids]}``. ``idempotency_key`` is fixed at
    creation. Submitting links the resulting :class:`Application`; ``correction`` then stages the
    answer to a correction notice (补正) until it is complete. Operations: :mod:`banshi.cases.drafts`.
    """

    owner = models.ForeignKey(
        "people.Person", verbose_name="填写人", on_delete=models.CASCADE, related_name="drafts"
    )
    principal = models.ForeignKey(
        "people.Person",
        verbose_name="被代办人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts_by_agents",
    )
    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="申请单位",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    bundle_code = models.CharField("一件事编码", max_length=64, blank=True)
    item_code = models.CharField("事项编码", max_length=64, blank=True)
    title = models.CharField("名称", max_length=200)
    answers = models.JSONField("情形回答", default=dict, blank=True)
    form_data = models.JSONField("表单数据", default=dict, blank=True)
    materials = models.JSONField("材料", default=dict, blank=True)
    consent_given = models.BooleanField("同意复用已提交信息", default=False)
    consent_at = models.DateTimeField("同意时间", null=True, blank=True)
    consent = models.ForeignKey(
        "people.Consent",
        verbose_name="同意记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    step = models.CharField("当前步骤", max_length=12, default="situation")
    idempotency_key = models.CharField(
        "幂等键", max_length=80, unique=True, default=new_idempotency_key, editable=False
    )
    status = models.CharField(
        "状态", max_length=10, choices=DraftStatus.choices, default=DraftStatus.OPEN
    )
    application = models.OneToOneField(
        Application,
        verbose_name="提交后的申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
    )
    correction = models.JSONField("补正暂存", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("最近保存")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(bundle_code="") & Q(item_code=""))
                | (Q(bundle_code="") & ~Q(item_code="")),
                name="casedraft_bundle_or_item",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "updated_at"], name="casedraft_by_owner"),
        ]

    def __str__(self) -> str:
        return f"草稿 {self.pk} {self.title}"

    @property
    def code(self) -> str:
        return self.bundle_code or self.item_code

    @property
    def is_bundle(self) -> bool:
        return bool(self.bundle_code)


# ------------------------------------------------------------------ 告知承诺 and 容缺 (issue 4)
class Finding(models.TextChoices):
    """核查结论."""

    PENDING = "", "待核查"
    TRUE = "true", "承诺属实"
    FALSE = "false", "承诺不实(虚假承诺)"


class Commitment(models.Model):
    """告知承诺: the applicant's written commitment replacing one material of one case.

    Written at submission with its 告知承诺书 (``document``, issued after the commit); at acceptance
    it gets a verification due date (核查期限); the reviewer records the finding. A false finding
    ends the case (终止 / 撤销) and writes a credit record (国办发〔2020〕42号).
    """

    application = models.ForeignKey(
        Application, verbose_name="申请", on_delete=models.CASCADE, related_name="commitments"
    )
    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.CASCADE, related_name="commitments"
    )
    material_code = models.CharField("材料编码", max_length=64)
    material_name = models.CharField("材料名称", max_length=200)
    text = models.TextField("承诺内容")
    signed_at = models.DateTimeField("承诺时间")
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="告知承诺书",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verify_due = models.DateField("核查期限", null=True, blank=True)
    reminded_at = models.DateTimeField("核查提醒时间", null=True, blank=True)
    overdue_at = models.DateTimeField("核查超期时间", null=True, blank=True)
    finding = models.CharField(
        "核查结论", max_length=8, choices=Finding.choices, default=Finding.PENDING, blank=True
    )
    finding_note = models.TextField("核查说明", blank=True)
    verified_at = models.DateTimeField("核查时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "告知承诺"
        verbose_name_plural = "告知承诺"
        ordering = ["verify_due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "material_code"], name="commitment_one_per_case_material"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.material_name}"


class ObligationStatus(models.TextChoices):
    OPEN = "open", "待补交"
    SUPPLIED = "supplied", "已补交"
    BREACHED = "breached", "逾期未补交"
    VOID = "void", "已失效"


class DeficiencyObligation(models.Model):
    """容缺后补: one material accepted as missing from one case, to be supplied by ``due``.

    ``due`` is set at acceptance and never lies beyond the case's ``decision_due`` (the promised
    time limit). Supplied in time → closed; late → the case is terminated and a credit record
    written (国办发〔2019〕35号; standards §2.14–2.15).
    """

    application = models.ForeignKey(
        Application,
        verbose_name="申请",
        on_delete=models.CASCADE,
        related_name="deficiency_obligations",
    )
    case = models.ForeignKey(
        Case, verbose_name="办件", on_delete=models.CASCADE, related_name="deficiency_obligations"
    )
    material_code = models.CharField("材料编码", max_length=64)
    material_name = models.CharField("材料名称", max_length=200)
    due = models.DateField("补交期限", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ObligationStatus.choices, default=ObligationStatus.OPEN
    )
    files = models.JSONField("补交文件", default=list, blank=True)
    supplied_at = models.DateTimeField("补交时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    breached_at = models.DateTimeField("违约时间", null=True, blank=True)

    class Meta:
        verbose_name = "容缺后补材料"
        verbose_name_plural = "容缺后补材料"
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "material_code"], name="deficiency_one_per_case_material"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.material_name}"
