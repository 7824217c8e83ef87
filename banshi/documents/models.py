"""文书: one row per issued document, its PDF on disk, and the number sequence.

No rule lives here: :mod:`banshi.documents.services` validates, renders, hashes, stores and records;
the database keeps what must hold whatever the code does — a unique number, a unique token, and at
most one current (unrevoked) document per kind × application × case × key.

Links to the case engine: ``application`` / ``case`` (nullable foreign keys to ``cases.Application``
and ``cases.Case``) and, always filled when there is one, their numbers ``reference`` (申请编号) and
``case_reference`` (办件编号). Idempotency is keyed on the numbers, so a document issued for a number
only (no row, e.g. a paper application) is deduplicated the same way.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from banshi.documents.content import DocumentKind

KIND_CHOICES = [(kind.value, kind.label) for kind in DocumentKind]


class Document(models.Model):
    """文书: a legal document issued as a PDF, verifiable at ``/verify/<token>/``.

    ``sha256`` is the digest of the stored PDF bytes (what an uploaded copy is compared with);
    ``content_digest`` is the digest of the canonical content printed beside the electronic seal
    (SM3 where available, see ``digest_algorithm``). ``subject_label`` is the applicant as shown on
    public pages (a person masked to 张*, an organisation by name). ``content`` keeps the document's
    content (see :func:`banshi.documents.content.to_data`) so it can be shown or re-rendered.
    """

    kind = models.CharField("文书种类", max_length=20, choices=KIND_CHOICES)
    number = models.CharField("文书编号", max_length=60, unique=True)
    token = models.CharField("验证码", max_length=64, unique=True)
    title = models.CharField("文书名称", max_length=60)
    matter = models.CharField("事项", max_length=300, blank=True)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="出具部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    agency_name = models.CharField("出具机关", max_length=200)
    subject_label = models.CharField("申请人(脱敏)", max_length=200)
    application = models.ForeignKey(
        "cases.Application",
        verbose_name="申请",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    reference = models.CharField("申请编号", max_length=48, blank=True)
    case_reference = models.CharField("办件编号", max_length=48, blank=True)
    key = models.CharField(
        "区分键",
        max_length=80,
        blank=True,
        help_text="同一办件可出具多份同类文书时区分，如特别程序的编号",
    )
    issued_on = models.DateField("文书日期", help_text="文书上印的日期")
    issued_at = models.DateTimeField("出具时间")
    sha256 = models.CharField("PDF 摘要(SHA-256)", max_length=64)
    size = models.PositiveIntegerField("文件大小(字节)")
    content_digest = models.CharField("内容摘要", max_length=128)
    digest_algorithm = models.CharField("内容摘要算法", max_length=10)
    file_name = models.CharField("文件", max_length=200)
    content = models.JSONField("文书内容")
    replaces = models.OneToOneField(
        "self",
        verbose_name="替代的文书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_reason = models.CharField("撤销原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            # Idempotent issuing: one current document per kind and subject (when it has one).
            models.UniqueConstraint(
                fields=["kind", "reference", "case_reference", "key"],
                condition=Q(revoked_at__isnull=True) & ~Q(reference="", case_reference=""),
                name="document_current_once",
            )
        ]
        indexes = [
            models.Index(fields=["reference", "kind"], name="document_by_reference"),
            models.Index(fields=["case_reference", "kind"], name="document_by_case"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind)
