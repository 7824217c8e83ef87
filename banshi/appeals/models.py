"""12345 诉求: configuration (as data), tickets (工单), their dispatches, events and deadlines.

Configuration is data an administrator edits (standards §4: every time limit and category is a
district's setting, marked LOCAL): :class:`Category` (a tree, each with a default department),
:class:`ServiceLevel` (time limits per type × urgency, in working days), :class:`ReturnReason`
(the standard list of 退单 reasons), :class:`NotAcceptedKind` (matters not to accept, §4.5) and
:class:`KnowledgeEntry` (the maintained FAQ of the knowledge base). ``banshi appeals seed`` and the
data migration fill them with the reference's example values.

Tickets follow Signalen's shape (DESIGN §10): :class:`Appeal` holds the current state and the
*stored* deadlines (set by events, never recomputed on read); :class:`Assignment` is one department
per dispatch round (lead or assisting); :class:`AppealEvent` is the append-only history; deadlines
of the current round are copied onto the appeal so reports and the scan filter on indexed columns.
No rule lives here: every operation is in :mod:`banshi.appeals.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from banshi.appeals.transitions import STATE_LABELS, State

STATE_CHOICES = [(state.value, STATE_LABELS[state]) for state in State]
MAX_TITLE = 100
MAX_CONTENT = 5000


class AppealType(models.TextChoices):
    """诉求类型 (standards §4.4)."""

    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Channel(models.TextChoices):
    """受理渠道 (§4.3 统一受理)."""

    HOTLINE = "hotline", "12345 热线"
    WEB = "web", "网站"
    MOBILE = "mobile", "移动端"
    WINDOW = "window", "办不成事反映窗口"


class Satisfaction(models.TextChoices):
    """回访满意度 (§4.3 满意度测评)."""

    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNREACHABLE = "unreachable", "未能联系上"


class ReplyResult(models.TextChoices):
    RESOLVED = "resolved", "已解决"
    EXPLAINED = "explained", "已解释说明"
    UNRESOLVABLE = "unresolvable", "暂无法解决(已说明原因)"


# --------------------------------------------------------------------------- configuration
class Category(models.Model):
    """诉求分类: a tree (大类 → 小类); the default department receives its tickets unless the centre
    chooses another. Deactivated categories stay for old tickets but take no new ones."""

    code = models.CharField("分类编码", max_length=32, unique=True)
    name = models.CharField("分类名称", max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_department = models.ForeignKey(
        "catalog.Department",
        verbose_name="默认承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name


class ServiceLevel(models.Model):
    """办理时限标准 per type × urgency, every value in working days (standards §4.1, all LOCAL).

    Deadlines are computed from these when an event sets them and stored on the ticket, so editing a
    row changes new dispatches only, never a running ticket (Signalen SIG-3555).
    """

    appeal_type = models.CharField("诉求类型", max_length=12, choices=AppealType.choices)
    urgency = models.CharField("紧急程度", max_length=8, choices=Urgency.choices)
    acknowledge_days = models.PositiveSmallIntegerField(
        "签收时限(工作日)", default=1, help_text="派单后N个工作日内签收；0 表示当日"
    )
    handle_days = models.PositiveSmallIntegerField(
        "办理时限(工作日)", help_text="自派单之日起算；0 表示当日办结"
    )
    return_days = models.PositiveSmallIntegerField(
        "退单时限(工作日)", default=2, help_text="派单后N个工作日内可退单，逾期不得退单"
    )
    extension_max_days = models.PositiveSmallIntegerField(
        "最多可延期(工作日)", default=10, help_text="到期前申请、中心批准；0 表示不得延期"
    )
    remind_days_before = models.PositiveSmallIntegerField("到期前催办提醒(工作日)", default=1)
    escalate_days_after = models.PositiveSmallIntegerField(
        "超期后通报(工作日)", default=5, help_text="超期后再逾N个工作日，通报批评"
    )
    callback_days = models.PositiveSmallIntegerField(
        "回访时限(工作日)", default=1, help_text="收到答复后N个工作日内回访"
    )
    reopen_days = models.PositiveSmallIntegerField(
        "可申请重办期限(工作日)", default=10, help_text="办结后N个工作日内诉求人不满意可申请重办"
    )
    max_reopens = models.PositiveSmallIntegerField("最多重办次数", default=2)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "办理时限标准"
        verbose_name_plural = "办理时限标准"
        ordering = ["appeal_type", "urgency"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal_type", "urgency"], name="service_level_once_per_type_urgency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_appeal_type_display()} · {self.get_urgency_display()}"


class ReturnReason(models.Model):
    """规范的退单理由 (§4.1 SLA 回退: return reasons are standardised)."""

    code = models.CharField("编码", max_length=32, unique=True)
    text = models.CharField("退单理由", max_length=100)
    requires_basis = models.BooleanField(
        "须注明依据", default=True, help_text="退单须附法律法规或职责依据"
    )
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "退单理由"
        verbose_name_plural = "退单理由"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.text


class NotAcceptedKind(models.Model):
    """不予受理的情形 (§4.5), with the basis the caller is told and where to turn instead."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("情形", max_length=60)
    reason = models.TextField("告知诉求人的依据和去向")
    transfer_to = models.CharField(
        "转接号码", max_length=20, blank=True, help_text="紧急情况转 110/119/120/122"
    )
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "不予受理情形"
        verbose_name_plural = "不予受理情形"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class KnowledgeEntry(models.Model):
    """知识库 (GB/T 33358 知识库; §4.8): a maintained question and answer the agent answers from."""

    question = models.CharField("问题", max_length=200)
    answer = models.TextField("答复口径")
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以空格或逗号分隔")
    category = models.ForeignKey(
        Category,
        verbose_name="诉求分类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge",
    )
    source = models.CharField("政策依据 / 来源", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库"
        ordering = ["question"]

    def __str__(self) -> str:
        return self.question


# --------------------------------------------------------------------------- tickets
class Appeal(models.Model):
    """工单 (GB/T 33358): one request from the public, from intake to archive.

    Stored deadlines of the current dispatch round: ``ack_due`` (签收), ``return_due`` (last day a
    return is allowed), ``due`` (办结答复; moved only by an approved extension), ``remind_on`` and
    ``escalate_on`` (when the scan reminds and circulates), ``callback_due`` and ``reopen_until``.
    ``*_provisional`` is true when a count ran into a year with no official holiday data.
    ``version`` is the optimistic lock of every action.
    """

    number = models.CharField("工单编号", max_length=40, unique=True)
    appeal_type = models.CharField("诉求类型", max_length=12, choices=AppealType.choices)
    urgency = models.CharField(
        "紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    channel = models.CharField("受理渠道", max_length=10, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name="诉求分类", on_delete=models.PROTECT)
    title = models.CharField("诉求标题", max_length=MAX_TITLE)
    content = models.TextField("诉求内容")
    area = models.CharField("所在街道 / 乡镇", max_length=50, blank=True)
    address = models.CharField("具体地点", max_length=200, blank=True)
    caller_name = models.CharField("诉求人姓名", max_length=50, blank=True)
    caller_phone = models.CharField("联系电话", max_length=20)
    caller_person = models.ForeignKey(
        "people.Person",
        verbose_name="诉求人(实名账号)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    contact_needed = models.BooleanField(
        "需联系诉求人",
        default=True,
        help_text="承办单位办理需联系诉求人时，可在记录用途后查看联系方式",
    )
    confidential = models.BooleanField(
        "诉求人要求保密",
        default=False,
        help_text="保密的诉求人信息不向承办单位显示，由中心三方通话联系",
    )
    source_reference = models.CharField(
        "关联办件 / 申请编号", max_length=60, blank=True, help_text="办不成事反映窗口：未办成的事项"
    )
    state = models.CharField("状态", max_length=16, choices=STATE_CHOICES, default=State.NEW.value)
    lead_department = models.ForeignKey(
        "catalog.Department",
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField("受理时间")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    dispatched_at = models.DateTimeField("首次派单时间", null=True, blank=True)
    round = models.PositiveSmallIntegerField("派单轮次", default=0)
    ack_due = models.DateField("签收期限", null=True, blank=True)
    return_due = models.DateField("退单期限", null=True, blank=True)
    due = models.DateField("办结期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定(无官方日历)", default=False)
    remind_on = models.DateField("催办提醒日", null=True, blank=True)
    escalate_on = models.DateField("通报日", null=True, blank=True)
    handle_days = models.PositiveSmallIntegerField("办理时限(工作日)", null=True, blank=True)
    sla = models.JSONField(
        "时限标准快照",
        default=dict,
        blank=True,
        help_text="派单时的办理时限标准，之后修改标准不影响本工单",
    )
    extension_days = models.PositiveSmallIntegerField("已延期(工作日)", default=0)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    reply_result = models.CharField(
        "办理结果", max_length=12, choices=ReplyResult.choices, blank=True
    )
    on_time = models.BooleanField("按期办结", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("退单次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    callback_due = models.DateField("回访期限", null=True, blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    satisfaction = models.CharField(
        "回访满意度", max_length=12, choices=Satisfaction.choices, blank=True
    )
    callback_note = models.TextField("回访记录", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reopen_until = models.DateField("可申请重办至", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    answer = models.TextField("直接答复内容", blank=True)
    knowledge_entry = models.ForeignKey(
        KnowledgeEntry,
        verbose_name="引用知识库",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    not_accepted_kind = models.ForeignKey(
        NotAcceptedKind,
        verbose_name="不予受理情形",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本(乐观锁)", default=1)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "12345 工单"
        verbose_name_plural = "12345 工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            # Reports read one period by received_at; the INCLUDE columns (PostgreSQL) let every
            # grouping of the monthly report run as an index-only scan of that range.
            models.Index(
                fields=["received_at"],
                include=[
                    "appeal_type",
                    "category",
                    "lead_department",
                    "channel",
                    "state",
                    "on_time",
                    "returned_count",
                    "satisfaction",
                    "area",
                ],
                name="appeal_received_cover",
            ),
            models.Index(fields=["lead_department", "state"], name="appeal_department_state"),
            models.Index(fields=["state", "due"], name="appeal_state_due"),
            models.Index(fields=["state", "remind_on"], name="appeal_state_remind"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]


class Assignment(models.Model):
    """One department's part in one dispatch round: the lead (主办) or an assisting one (协办).

    A return ends the round; the centre's re-dispatch opens the next. Deadlines of the round are
    stored here (and the lead's are copied onto the appeal).
    """

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        ASSIST = "assist", "协办"

    class Status(models.TextChoices):
        OPEN = "open", "待签收"
        ACKNOWLEDGED = "acknowledged", "已签收"
        RETURNED = "returned", "已退单"
        REPLIED = "replied", "已答复"
        ASSISTED = "assisted", "已提交协办意见"
        CANCELLED = "cancelled", "已撤回"

    appeal = models.ForeignKey(
        Appeal, verbose_name="工单", on_delete=models.PROTECT, related_name="assignments"
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField("角色", max_length=8, choices=Role.choices)
    round = models.PositiveSmallIntegerField("派单轮次")
    status = models.CharField("状态", max_length=14, choices=Status.choices, default=Status.OPEN)
    instructions = models.CharField("派单意见", max_length=500, blank=True)
    dispatched_at = models.DateTimeField("派单时间")
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="派单人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ack_due = models.DateField("签收期限")
    return_due = models.DateField("退单期限")
    due = models.DateField("办结期限")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_at = models.DateTimeField("退单时间", null=True, blank=True)
    return_reason = models.ForeignKey(
        ReturnReason, verbose_name="退单理由", null=True, blank=True, on_delete=models.PROTECT
    )
    return_basis = models.TextField("退单依据", blank=True)
    finished_at = models.DateTimeField("答复 / 协办完成时间", null=True, blank=True)
    opinion = models.TextField("协办意见", blank=True)

    class Meta:
        verbose_name = "派单"
        verbose_name_plural = "派单"
        ordering = ["appeal_id", "round", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "round", "department"], name="assignment_once_per_round"
            ),
            models.UniqueConstraint(
                fields=["appeal", "round"],
                condition=Q(role="lead"),
                name="assignment_one_lead_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="assignment_department_status"),
            models.Index(
                fields=["dispatched_at"],
                include=["department", "status", "role"],
                name="assignment_dispatched_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number} #{self.round} {self.department} {self.get_role_display()}"


class AppealEvent(models.Model):
    """工单流转记录: one row per thing that happened, append-only (never updated or deleted)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name="工单", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("事件", max_length=24)
    from_state = models.CharField("原状态", max_length=16, blank=True)
    to_state = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField("操作角色", max_length=16)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间")
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "工单流转记录"
        verbose_name_plural = "工单流转记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appeal", "at"], name="appeal_event_appeal_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class AppealExtension(models.Model):
    """延期申请: asked by the lead department before the deadline, decided by the centre."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "不予批准"

    appeal = models.ForeignKey(
        Appeal, verbose_name="工单", on_delete=models.PROTECT, related_name="extensions"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name="派单", on_delete=models.PROTECT, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField("申请延长(工作日)")
    reason = models.TextField("延期理由及依据")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")
    decision = models.CharField(
        "审批结果", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    due_before = models.DateField("原办结期限")
    due_after = models.DateField("延期后期限", null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(decision="pending"),
                name="appeal_extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number} +{self.days}"


class Supervision(models.Model):
    """催办 / 督办: raised by the scan once per ticket × clock × level × deadline, or by hand.

    The deadline is part of the key, so an approved extension or a new round can be reminded
    again while a second scan of the same day adds nothing (idempotent).
    """

    class Clock(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", "签收时限"
        HANDLE = "handle", "办结时限"
        CALLBACK = "callback", "回访时限"

    class Level(models.TextChoices):
        REMIND = "remind", "到期前催办提醒"
        OVERDUE = "overdue", "超期催办(催办通知书)"
        ESCALATED = "escalated", "超期通报"
        MANUAL = "manual", "人工督办"

    appeal = models.ForeignKey(
        Appeal, verbose_name="工单", on_delete=models.PROTECT, related_name="supervisions"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="被督办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clock = models.CharField("时限", max_length=12, choices=Clock.choices)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    due = models.DateField("所涉期限")
    raised_at = models.DateTimeField("发起时间")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("事由", max_length=300)

    class Meta:
        verbose_name = "催办督办"
        verbose_name_plural = "催办督办"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "clock", "level", "due"],
                condition=~Q(level="manual"),
                name="appeal_supervision_once",
            )
        ]
        indexes = [models.Index(fields=["raised_at"], name="appeal_supervision_raised")]

    def __str__(self) -> str:
        return f"{self.appeal.number} {self.get_level_display()}"


class TrackingFailure(models.Model):
    """查询失败记录: a progress look-up (number + phone) that matched nothing.

    The memory of the tracking rate limit (:mod:`banshi.appeals.throttle`): the public page would
    otherwise let anyone try phone numbers against a ticket number until one fits. Rows, not a
    process cache, so the limit holds across app processes; old rows are deleted by the scan.
    """

    number = models.CharField("查询的工单编号", max_length=40)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "进度查询失败记录"
        verbose_name_plural = "进度查询失败记录"
        indexes = [
            models.Index(fields=["number", "at"], name="tracking_failure_number_at"),
            models.Index(fields=["ip_address", "at"], name="tracking_failure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.number} @ {self.at:%Y-%m-%d %H:%M}"
