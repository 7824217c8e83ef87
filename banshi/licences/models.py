"""电子证照库: signing keys (public halves only), licence type codes, and licences.

No rule lives here: :mod:`banshi.licences.services` issues, signs, revokes, replaces and expires.
Private keys never enter the database: they are files in the key directory
(``BANSHI_LICENCE_KEY_DIR``), written by ``banshi licences keygen``; the database keeps the public
key and its fingerprint so that any process can verify.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from banshi.licences.signing import ALGORITHM_LABELS


class SigningKey(models.Model):
    """签章密钥 (public half): a department's licence-signing key. ``issuer_code`` is the
    department's 统一社会信用代码, the 颁发机构代码 of the identifiers it signs."""

    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="发证部门",
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    algorithm = models.CharField(
        "算法", max_length=10, choices=[(a, label) for a, label in ALGORITHM_LABELS.items()]
    )
    public_key = models.CharField("公钥(十六进制)", max_length=200)
    fingerprint = models.CharField("指纹(SM3)", max_length=64, unique=True)
    issuer_code = models.CharField("颁发机构统一社会信用代码", max_length=18)
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "签章密钥"
        verbose_name_plural = "签章密钥"
        ordering = ["department__code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=Q(active=True), name="signing_key_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department.code} {self.algorithm} {self.fingerprint[:16]}"


class LicenceTypeCode(models.Model):
    """证照类型代码 (GB/T 36904): the defining authority's USCC + a 3-digit sequence, e.g. the
    national 营业执照 ``11100000000013338W011``. Allocated on first issue, editable by an admin."""

    licence_type = models.OneToOneField(
        "catalog.LicenceType",
        verbose_name="证照类型",
        on_delete=models.PROTECT,
        related_name="type_code",
    )
    code = models.CharField("证照类型代码", max_length=21, unique=True)

    class Meta:
        verbose_name = "证照类型代码"
        verbose_name_plural = "证照类型代码"

    def __str__(self) -> str:
        return f"{self.licence_type.code} {self.code}"


class LicenceStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已吊销/撤销"
    EXPIRED = "expired", "已过期"
    REPLACED = "replaced", "已换发"


class HolderCodeType(models.TextChoices):
    """持证主体代码类型 (GB/T 36903 as seen in public code)."""

    ID_NUMBER = "111", "公民身份号码"
    USCC = "001", "统一社会信用代码"


class Licence(models.Model):
    """电子证照: one issued licence, its GB/T 36903 metadata, and its signature.

    ``signature`` covers :func:`banshi.licences.canonical.signed_bytes` of the metadata fields
    (see that module for the exact bytes); any change to them after signing makes verification
    fail with "签名与证照内容不符". ``token`` is the random part of the QR verification URL (the
    identifier's serial is sequential and must not let strangers enumerate licences).
    """

    identifier = models.CharField("证照标识", max_length=120, unique=True)
    number = models.CharField("证照编号", max_length=64, unique=True)
    token = models.CharField("验证码", max_length=64, unique=True)
    licence_type = models.ForeignKey(
        "catalog.LicenceType", verbose_name="证照类型", on_delete=models.PROTECT
    )
    name = models.CharField("证照名称", max_length=100)
    type_code = models.CharField("证照类型代码", max_length=21)
    holder_person = models.ForeignKey(
        "people.Person",
        verbose_name="持证人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    holder_enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="持证单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licences",
    )
    holder_name = models.CharField("持证主体", max_length=200)
    holder_code = models.CharField("持证主体代码", max_length=18)
    holder_code_type = models.CharField(
        "持证主体代码类型", max_length=3, choices=HolderCodeType.choices
    )
    department = models.ForeignKey(
        "catalog.Department", verbose_name="颁发部门", on_delete=models.PROTECT
    )
    issuer_name = models.CharField("证照颁发机构", max_length=200)
    issuer_code = models.CharField("证照颁发机构代码", max_length=18)
    issued_on = models.DateField("颁发日期")
    valid_from = models.DateField("有效期起始日期")
    valid_to = models.DateField("有效期截止日期", null=True, blank=True, help_text="空表示长期")
    remark = models.CharField("加注", max_length=300, blank=True)
    region_code = models.CharField("管辖属地编码", max_length=12, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licence",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name="换发自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    signing_key = models.ForeignKey(SigningKey, verbose_name="签章密钥", on_delete=models.PROTECT)
    signature = models.CharField("签名(十六进制)", max_length=200)
    status = models.CharField(
        "状态", max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.VALID
    )
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=300, blank=True)
    reminded_on = models.DateField("到期提醒日期", null=True, blank=True)
    created_at = models.DateTimeField("入库时间")

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_person__isnull=False) | Q(holder_enterprise__isnull=False),
                name="licence_has_holder",
            )
        ]
        indexes = [
            models.Index(fields=["holder_person", "licence_type", "status"], name="licence_person"),
            models.Index(
                fields=["holder_enterprise", "licence_type", "status"], name="licence_enterprise"
            ),
            models.Index(fields=["status", "valid_to"], name="licence_status_valid_to"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class LicenceSequence(models.Model):
    """证照流水号序列 per year (platform-wide): numbers drawn under a row lock, never max()+1."""

    key = models.CharField("序列键", max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField("已发号", default=0)

    class Meta:
        verbose_name = "证照流水号序列"
        verbose_name_plural = "证照流水号序列"

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"
