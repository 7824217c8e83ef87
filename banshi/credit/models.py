"""信用: credit records (信用记录), list memberships (名录/名单), repair requests (信用修复) and
import batches (部门导入).

A subject (信用主体) is either a natural person or an enterprise, never both: the applicant
applying in their own name is the person; applying for an enterprise, the enterprise. Rows are
written by :mod:`banshi.credit.services` only; the level is computed on read by
:func:`banshi.credit.selectors.credit_level` (rules in :mod:`banshi.credit.rules`), never stored,
so a repair or a list exit takes effect at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RecordKind(models.TextChoices):
    """信用记录类别."""

    COMMITMENT_BREACH = "commitment_breach", "虚假承诺(告知承诺不实)"
    DEFICIENCY_BREACH = "deficiency_breach", "容缺受理逾期未补正"
    IMPORTED = "imported", "部门推送的信用记录"
    PENALTY = "penalty", "行政处罚"
    OTHER = "other", "其他失信记录"


class Severity(models.TextChoices):
    """失信程度: 一般 / 较重 / 严重."""

    MINOR = "minor", "一般"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class RecordSource(models.TextChoices):
    CASE = "case", "办件"
    FILE = "file", "文件导入"
    API = "api", "接口推送"
    MANUAL = "manual", "人工录入"


def _one_subject(prefix: str) -> models.CheckConstraint:
    """Exactly one of person / enterprise."""
    return models.CheckConstraint(
        condition=(Q(person__isnull=False, enterprise__isnull=True))
        | Q(person__isnull=True, enterprise__isnull=False),
        name=f"{prefix}_one_subject",
    )


class CreditRecord(models.Model):
    """信用记录: one breach or one record pushed by a department.

    ``repaired_at`` set = 已信用修复: the record stays (history is kept) but no longer counts.
    ``valid_until`` is the end of its publication period (公示期); after it the record no longer
    counts either. ``external_id`` makes imports idempotent per department.
    """

    person = models.ForeignKey(
        "people.Person",
        verbose_name="自然人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    kind = models.CharField("类别", max_length=24, choices=RecordKind.choices)
    severity = models.CharField("失信程度", max_length=10, choices=Severity.choices)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="认定部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    source = models.CharField("来源", max_length=10, choices=RecordSource.choices)
    external_id = models.CharField("来源编号", max_length=80, blank=True)
    facts = models.TextField("失信事实")
    basis = models.CharField("认定依据", max_length=300, blank=True)
    occurred_on = models.DateField("发生日期")
    valid_until = models.DateField("公示截止", null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="关联办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_records",
    )
    recorded_at = models.DateTimeField("记录时间")
    repaired_at = models.DateTimeField("修复时间", null=True, blank=True)

    class Meta:
        verbose_name = "信用记录"
        verbose_name_plural = "信用记录"
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            _one_subject("credit_record"),
            models.UniqueConstraint(
                fields=["department", "external_id"],
                condition=~Q(external_id=""),
                name="credit_record_external_unique",
            ),
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(case__isnull=False),
                name="credit_record_one_per_case_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def subject(self):
        return self.enterprise or self.person


class ListKind(models.TextChoices):
    """信用名录/名单."""

    ABNORMAL = "abnormal", "经营异常名录"
    SERIOUS = "serious", "严重失信主体名单"


class CreditListEntry(models.Model):
    """列入名录/名单: a subject's membership of a credit list, from entry to exit (移出)."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="自然人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_list_entries",
    )
    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_list_entries",
    )
    list_kind = models.CharField("名录", max_length=10, choices=ListKind.choices)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="列入部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    entered_on = models.DateField("列入日期")
    reason = models.CharField("列入事由", max_length=300)
    exited_on = models.DateField("移出日期", null=True, blank=True)
    exit_reason = models.CharField("移出事由", max_length=300, blank=True)

    class Meta:
        verbose_name = "名录/名单成员"
        verbose_name_plural = "信用名录/名单"
        ordering = ["-entered_on", "-pk"]
        constraints = [_one_subject("credit_list_entry")]

    def __str__(self) -> str:
        return f"{self.get_list_kind_display()} {self.entered_on}"

    @property
    def subject(self):
        return self.enterprise or self.person


class RepairStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "准予修复"
    DENIED = "denied", "不予修复"


class RepairRequest(models.Model):
    """信用修复申请: the subject asks that a record stop counting; staff decide, with reasons."""

    record = models.ForeignKey(
        CreditRecord, verbose_name="信用记录", on_delete=models.PROTECT, related_name="repairs"
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人账号",
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField("申请时间")
    statement = models.TextField("修复理由及整改情况")
    status = models.CharField(
        "状态", max_length=10, choices=RepairStatus.choices, default=RepairStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_reasons = models.TextField("审核理由", blank=True)

    class Meta:
        verbose_name = "信用修复申请"
        verbose_name_plural = "信用修复申请"
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="pending"),
                name="credit_repair_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"修复 {self.record_id} {self.get_status_display()}"


class ImportBatch(models.Model):
    """部门导入批次: one file or API push, with the rows taken and the rows rejected (and why)."""

    department = models.ForeignKey(
        "catalog.Department", verbose_name="来源部门", on_delete=models.PROTECT
    )
    source = models.CharField("方式", max_length=10, choices=RecordSource.choices)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("导入时间")
    accepted = models.PositiveIntegerField("导入条数", default=0)
    duplicates = models.PositiveIntegerField("重复条数", default=0)
    rejected = models.JSONField("退回行及原因", default=list, blank=True)

    class Meta:
        verbose_name = "信用导入批次"
        verbose_name_plural = "信用导入批次"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.department_id} {self.at:%Y-%m-%d %H:%M}"
