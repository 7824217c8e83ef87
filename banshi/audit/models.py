"""审计日志: an append-only trail, chained by SM3 hashes, of who saw or changed what (DESIGN §8).

Each :class:`AuditEntry` stores ``prev_hash`` (the hash of the entry before it) and ``hash`` =
SM3 over a canonical serialisation of its own fields plus ``prev_hash`` (GB/T 32905; 密评 GB/T 39786
names SM3 for integrity, standards §7.2). Editing, deleting or reordering a row breaks the chain, and
``banshi audit verify`` says where. Writers are serialised by locking the one :class:`ChainHead` row,
so concurrent requests stay in one chain. Rows are never updated or deleted through the ORM; only
``banshi audit purge`` removes entries older than the retention, leaving an :class:`AuditCheckpoint`
so that the rest still verifies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry through the ORM."""

    def __init__(self) -> None:
        super().__init__("审计日志只能追加，不能修改或删除 / the audit log is append-only")


class AuditEntryQuerySet(models.QuerySet):
    """Reads only: ``update`` and ``delete`` raise (purge uses raw SQL under the chain lock)."""

    def update(self, **kwargs):
        raise AppendOnlyError()

    def delete(self):
        raise AppendOnlyError()


class Action(models.TextChoices):
    """审计事件类型: what happened (the codes are stable; the labels are shown)."""

    LOGIN = "auth.login", "登录成功"
    LOGIN_FAILED = "auth.login_failed", "登录失败"
    LOGOUT = "auth.logout", "退出登录"
    PERMISSION_CHANGE = "auth.permission_change", "权限变更"
    VIEW_PERSON = "data.view_person", "查看自然人信息"
    VIEW_ENTERPRISE = "data.view_enterprise", "查看法人信息"
    VIEW_CASE = "data.view_case", "查看办件申请人信息"
    VIEW_CALLER = "data.view_caller", "查看诉求人信息"
    UNMASK = "data.unmask", "查看完整证件号/手机号"
    DATA_SHARE = "datashare.call", "数据共享调用"
    DOWNLOAD = "data.download", "下载含个人信息的文件"
    PURGE = "audit.purge", "清理过期审计日志"


class AuditEntry(models.Model):
    """审计记录: one event, chained to the one before it by ``prev_hash``."""

    sequence = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    # No database constraint: deleting an account must not touch (and so break) its entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True, db_index=True)
    action = models.CharField("事件", max_length=40, choices=Action.choices)
    subject_kind = models.CharField("对象类型", max_length=40, blank=True)
    subject_id = models.CharField("对象编号", max_length=64, blank=True)
    subject_label = models.CharField("对象（已脱敏）", max_length=200, blank=True)
    purpose = models.CharField("用途", max_length=300, blank=True)
    case_number = models.CharField("办件编号", max_length=48, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要 (SM3)", max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-sequence"]
        indexes = [
            # The auditor's filters, each newest first (fast on 10^6 rows).
            models.Index(fields=["action", "-sequence"], name="audit_action_seq"),
            models.Index(fields=["actor_username", "-sequence"], name="audit_actor_seq"),
            models.Index(fields=["subject_kind", "subject_id", "-sequence"], name="audit_subj_seq"),
            models.Index(fields=["case_number", "-sequence"], name="audit_case_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.get_action_display()} {self.actor_username}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError()


class ChainHead(models.Model):
    """审计链头: the one row (pk 1) holding the last sequence and hash; locked by every writer."""

    sequence = models.BigIntegerField("最后序号", default=0)
    hash = models.CharField("最后摘要", max_length=64, default="")

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"


class AuditCheckpoint(models.Model):
    """清理检查点: entries up to ``through_sequence`` were purged; the chain resumes after it
    from ``through_hash``, so what remains still verifies."""

    through_sequence = models.BigIntegerField("清理至序号", unique=True)
    through_hash = models.CharField("该条摘要", max_length=64)
    purged = models.BigIntegerField("清理条数")
    cutoff = models.DateTimeField("清理早于")
    at = models.DateTimeField("清理时间")

    class Meta:
        verbose_name = "审计清理检查点"
        verbose_name_plural = "审计清理检查点"
        ordering = ["-through_sequence"]

    def __str__(self) -> str:
        return f"≤ #{self.through_sequence}"


class AuditAnchor(models.Model):
    """审计链头锚定: the chain head (sequence, hash) signed with the platform's key (SM2 by
    default) at a time. ``banshi audit verify`` checks each one: a chain rebuilt from scratch no
    longer holds the anchored hash, and a forged anchor fails the signature (the private key is a
    file outside the database). Copy each anchor outside the platform too."""

    sequence = models.BigIntegerField("链头序号", db_index=True)
    hash = models.CharField("链头摘要", max_length=64)
    at = models.DateTimeField("锚定时间")
    algorithm = models.CharField("签名算法", max_length=16)
    key_fingerprint = models.CharField("密钥指纹", max_length=64)
    public_key = models.CharField("公钥", max_length=128)
    signature = models.CharField("签名", max_length=256)

    class Meta:
        verbose_name = "审计链头锚定"
        verbose_name_plural = "审计链头锚定"
        ordering = ["-sequence", "-at"]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]} @ {self.at:%Y-%m-%d %H:%M}"
