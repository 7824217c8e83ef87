"""数据共享: where a material can be verified from data (sources) and every call made to them.

A catalogue material names its source by code (``Material.data_share``, e.g. ``人口库``); a
:class:`DataShareSource` with that code says which provider answers it (the platform's own
profiles, or a real exchange over HTTP). Every call is a :class:`DataShareCall` (who asked, for
which case and purpose, what came back, minimised) plus an audit entry (PIPL §34: a state organ's
data pull must stay within its duty, so each one states its purpose).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProviderKind(models.TextChoices):
    LOCAL = "local", "本平台数据（一人一档/一企一档、电子证照）"
    HTTP = "http", "数据共享交换平台（HTTP 接口）"


class Outcome(models.TextChoices):
    OK = "ok", "核验通过"
    NOT_FOUND = "not_found", "未查到"
    ERROR = "error", "调用失败"


class DataShareSource(models.Model):
    """数据共享来源: one source a material may be verified from, and how to reach it."""

    code = models.CharField(
        "来源编码", max_length=100, unique=True, help_text="与材料的数据共享来源一致"
    )
    name = models.CharField("名称", max_length=200, blank=True)
    provider = models.CharField(
        "提供方式", max_length=10, choices=ProviderKind.choices, default=ProviderKind.LOCAL
    )
    base_url = models.URLField("接口地址", blank=True, help_text="HTTP 方式必填")
    timeout_seconds = models.FloatField("超时（秒）", default=5.0)
    credentials_ref = models.CharField(
        "凭据名称",
        max_length=100,
        blank=True,
        help_text="BANSHI_DATASHARE_CREDENTIALS 中的名称；凭据本身不存数据库",
    )
    subject_kind = models.CharField(
        "核验对象",
        max_length=20,
        choices=[("person", "自然人"), ("enterprise", "法人")],
        default="person",
        help_text="申请人本人，或所申请的企业",
    )
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "数据共享来源"
        verbose_name_plural = "数据共享来源"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code


class DataShareCall(models.Model):
    """数据共享调用记录: who asked which source about whom, why, and what came back (minimised)."""

    at = models.DateTimeField("时间", db_index=True)
    source = models.ForeignKey(
        DataShareSource,
        verbose_name="来源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    source_code = models.CharField("来源编码", max_length=100)
    provider = models.CharField("提供方式", max_length=10, choices=ProviderKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调用人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="空表示系统调用",
    )
    case_number = models.CharField("办件/申请编号", max_length=48, blank=True, db_index=True)
    purpose = models.CharField("用途", max_length=300)
    material_code = models.CharField("材料编码", max_length=100)
    subject_kind = models.CharField("对象类型", max_length=20)
    subject_label = models.CharField("对象（已脱敏）", max_length=200)
    request_summary = models.JSONField("请求摘要", default=dict, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    response_summary = models.JSONField("返回摘要（已最小化）", default=dict, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = "数据共享调用记录"
        verbose_name_plural = "数据共享调用记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_code} {self.material_code} {self.get_outcome_display()}"
