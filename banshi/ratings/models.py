"""好差评: ratings of every service, and the rectification of every bad one (standards §3).

* :class:`Rating` — one per rated service: a case (办件, 一事一评), a 12345 request, or a visit to a
  window (一次一评). ``subject_key`` is unique, so the database itself refuses a second rating.
  The rated department, window, staff member and item are copied onto the row (indexed) so reports
  are aggregate queries; the rater's contact is kept only when they leave it (实名) and is never
  shown to the rated staff (§3.7).
* :class:`IndicatorSet` / :class:`Indicator` — the nationally uniform, versioned indicators for
  online and on-site services (§3.12), as data; a rating keeps the set it was given on.
* :class:`Window` — a service window with its QR code (§3.5 一次一评).
* :class:`Rectification` — the loop a bad rating opens (§3.8): verify with the rater, rectify in
  the configured working days (or explain where there is no legal basis), reply, revisit; or an
  appeal against a malicious rating decided by a supervisor (§3.10). Its history is
  :class:`RectificationEvent` (append-only).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Level(models.IntegerChoices):
    """评价等级 (§3.4): five levels; the last two are 差评."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    UNSATISFIED = 2, "不满意"
    VERY_UNSATISFIED = 1, "非常不满意"


BAD_LEVELS = frozenset({Level.UNSATISFIED, Level.VERY_UNSATISFIED})
STARS = {5: "★★★★★", 4: "★★★★", 3: "★★★", 2: "★★", 1: "★"}


class ServiceMode(models.TextChoices):
    ONLINE = "online", "网上服务"
    ONSITE = "onsite", "现场服务"


class Channel(models.TextChoices):
    """评价渠道 (§3.6)."""

    WEB = "web", "政务服务网 / 移动端"
    QR = "qr", "窗口二维码"
    DEVICE = "device", "窗口评价器"
    HOTLINE = "hotline", "12345 热线"
    SMS = "sms", "短信"


class SubjectKind(models.TextChoices):
    CASE = "case", "办件"
    APPEAL = "appeal", "12345 诉求"
    VISIT = "visit", "窗口服务"


class IndicatorSet(models.Model):
    """评价指标体系 (§3.12): nationally uniform and versioned; a new version is a new row."""

    code = models.CharField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=60)
    service_mode = models.CharField("服务方式", max_length=8, choices=ServiceMode.choices)
    version = models.PositiveSmallIntegerField("版本", default=1)
    is_active = models.BooleanField("启用", default=True)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "评价指标体系"
        verbose_name_plural = "评价指标体系"
        ordering = ["service_mode", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_mode"],
                condition=Q(is_active=True),
                name="indicator_set_one_active_per_mode",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name="指标体系", on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.CharField("编码", max_length=32)
    name = models.CharField("指标", max_length=40)
    position = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "评价指标"
        verbose_name_plural = "评价指标"
        ordering = ["indicator_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_once_per_set")
        ]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """服务窗口: its QR code opens the on-site rating page (§3.5 一次一评)."""

    code = models.CharField("窗口编号", max_length=30, unique=True)
    name = models.CharField("窗口名称", max_length=60)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    location = models.CharField("位置", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = "服务窗口"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Rating(models.Model):
    """一条评价. Anonymous to the rated staff: only the rectification handlers see a named rater's
    contact, and each such view is logged (§3.7)."""

    subject_kind = models.CharField("评价对象", max_length=8, choices=SubjectKind.choices)
    subject_key = models.CharField("评价对象标识", max_length=80, unique=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name="12345 工单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window = models.ForeignKey(
        Window,
        verbose_name="窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="被评价部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="被评价人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField("评价渠道", max_length=8, choices=Channel.choices)
    indicator_set = models.ForeignKey(
        IndicatorSet, verbose_name="指标体系", on_delete=models.PROTECT, related_name="+"
    )
    level = models.PositiveSmallIntegerField("总体评价", choices=Level.choices)
    is_bad = models.BooleanField("差评", default=False)
    scores = models.JSONField("分项评价", default=dict, blank=True)
    comment = models.TextField("评价内容", blank=True)
    named = models.BooleanField("实名(可回访)", default=False)
    rater_person = models.ForeignKey(
        "people.Person",
        verbose_name="评价人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rater_name = models.CharField("评价人姓名", max_length=50, blank=True)
    rater_phone = models.CharField("评价人电话", max_length=20, blank=True)
    served_at = models.DateTimeField("服务时间", null=True, blank=True)
    rated_at = models.DateTimeField("评价时间")
    excluded = models.BooleanField("不计入统计(申诉成立)", default=False)
    excluded_reason = models.CharField("剔除理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-rated_at", "-id"]
        indexes = [
            models.Index(
                fields=["rated_at"],
                include=["department", "window", "staff", "item", "level", "is_bad", "excluded"],
                name="rating_rated_cover",
            ),
            models.Index(fields=["department", "rated_at"], name="rating_department_rated"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_key} {self.get_level_display()}"

    @property
    def stars(self) -> str:
        return STARS.get(self.level, "")


class Finding(models.TextChoices):
    """核实结论 (§3.8)."""

    IMMEDIATE = "immediate", "情况属实，立行立改"
    DEADLINE = "deadline", "情况属实，限期整改"
    EXPLAIN = "explain", "诉求无法律政策依据，解释说明"


class BadCategory(models.TextChoices):
    """差评分类 (GB/T 39734 §9.2; the list is a LOCAL example)."""

    ATTITUDE = "attitude", "服务态度"
    EFFICIENCY = "efficiency", "办事效率"
    GUIDE = "guide", "办事指南 / 告知不清"
    PLATFORM = "platform", "系统平台"
    POLICY = "policy", "政策规定"
    OTHER = "other", "其他"


class RevisitResult(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNREACHABLE = "unreachable", "未能联系上"


class Rectification(models.Model):
    """差评整改: verify → rectify or explain → reply → revisit; or appeal → supervisor decides."""

    class State(models.TextChoices):
        VERIFYING = "verifying", "待核实"
        RECTIFYING = "rectifying", "整改中"
        REPLIED = "replied", "已反馈(待回访)"
        CLOSED = "closed", "已办结"
        APPEALED = "appealed", "申诉复核中"
        VOID = "void", "申诉成立(不计入)"

    rating = models.OneToOneField(
        Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="整改部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField("状态", max_length=12, choices=State.choices, default=State.VERIFYING)
    opened_at = models.DateTimeField("开始时间")
    verify_due = models.DateField("核实期限")
    due = models.DateField("整改期限")
    due_provisional = models.BooleanField("期限为暂定(无官方日历)", default=False)
    contacted_at = models.DateTimeField("联系评价人时间", null=True, blank=True)
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    finding = models.CharField("核实结论", max_length=10, choices=Finding.choices, blank=True)
    category = models.CharField("差评分类", max_length=10, choices=BadCategory.choices, blank=True)
    verify_note = models.TextField("核实情况", blank=True)
    measures = models.TextField("整改措施 / 解释说明", blank=True)
    reply_text = models.TextField("反馈评价人内容", blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    revisited_at = models.DateTimeField("回访时间", null=True, blank=True)
    revisit_result = models.CharField(
        "回访结果", max_length=12, choices=RevisitResult.choices, blank=True
    )
    revisit_note = models.TextField("回访记录", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    verify_overdue_at = models.DateTimeField("核实超期提醒时间", null=True, blank=True)
    overdue_at = models.DateTimeField("整改超期督办时间", null=True, blank=True)
    workdays = models.PositiveSmallIntegerField("整改用时(工作日)", null=True, blank=True)
    on_time = models.BooleanField("按期整改", null=True, blank=True)
    appeal_reason = models.TextField("申诉理由", blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    appeal_upheld = models.BooleanField("申诉成立", null=True, blank=True)
    decision_note = models.TextField("复核意见", blank=True)
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField("版本(乐观锁)", default=1)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due"], name="rectification_state_due"),
            models.Index(fields=["department", "state"], name="rectification_department"),
        ]

    def __str__(self) -> str:
        return f"{self.rating.subject_key} {self.get_state_display()}"


EVENT_LABELS = {
    "open": "差评登记，进入整改",
    "contact_viewed": "查看评价人联系方式",
    "verify": "回访核实",
    "rectify": "整改并反馈评价人",
    "revisit": "回访办结",
    "appeal": "提出申诉",
    "decide_appeal": "申诉复核",
    "verify_overdue": "核实超期提醒",
    "overdue": "整改超期督办",
}


class RectificationEvent(models.Model):
    """整改记录: one row per step, append-only. ``contact_viewed`` rows record who saw a named
    rater's contact, and why."""

    rectification = models.ForeignKey(
        Rectification, verbose_name="整改", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("事件", max_length=24)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
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
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["rectification", "at"], name="rect_event_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.kind, self.kind)
