"""事项中心 (the service catalogue) as database rows.

The shapes mirror :mod:`banshi.catalog.schema`. An item (``ServiceItem``, a stable code) is separate
from its versions (``ServiceItemVersion``): a version goes draft → published, is never edited once
published, and published versions of one item have validity windows ``[valid_from, valid_to)`` that
never overlap, so history is kept and a case can stay on the version it was opened with (DESIGN §10,
after Open Zaak's ZaakType). Bundles are versioned the same way. Departments, data elements, materials
and licence types are reference data, updated in place by catalogue loads.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from banshi.catalog.schema import FIELD_TYPES, ITEM_KINDS


class Department(models.Model):
    """实施部门: a department or agency that handles service items."""

    code = models.CharField("部门编码", max_length=32, unique=True)
    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DataElement(models.Model):
    """数据元 / 表单要素: a form field shared across forms; ``prefill`` names where its value comes from."""

    code = models.CharField("数据元编码", max_length=100, unique=True)
    label = models.CharField("名称", max_length=100)
    type = models.CharField(
        "类型", max_length=20, choices=[(t, t) for t in FIELD_TYPES], default="text"
    )
    prefill = models.CharField("预填来源", max_length=100, blank=True)
    options = models.JSONField("可选值", default=list, blank=True)
    help = models.CharField("填写说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "数据元"
        verbose_name_plural = "数据元"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"


class LicenceType(models.Model):
    """电子证照类型: a kind of licence, issued by an item or used instead of a paper material."""

    code = models.CharField("证照类型编码", max_length=50, unique=True)
    name = models.CharField("证照名称", max_length=100)
    department = models.ForeignKey(
        Department, verbose_name="发证部门", null=True, blank=True, on_delete=models.PROTECT
    )
    valid_years = models.PositiveSmallIntegerField("有效期(年)", null=True, blank=True)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """申请材料 type. With a licence type it is fetched (免证); with a data-share source, verified (免提交)."""

    code = models.CharField("材料编码", max_length=100, unique=True)
    name = models.CharField("材料名称", max_length=200)
    licence_type = models.ForeignKey(
        LicenceType,
        verbose_name="可由电子证照替代",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    data_share = models.CharField("数据共享来源", max_length=100, blank=True)
    description = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "材料"
        verbose_name_plural = "材料"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class ServiceItem(models.Model):
    """政务服务事项: the stable identity of an item; its content lives in versions."""

    code = models.CharField("事项编码", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class VersionWindow(models.Model):
    """What item and bundle versions share: number, status, validity window, content hash."""

    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期(不含)", null=True, blank=True)
    content_hash = models.CharField("内容摘要", max_length=64, editable=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    change_note = models.CharField("变更说明", max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class ServiceItemVersion(VersionWindow):
    """One version of an item: every element a 办事指南 shows (reference standards §5.2)."""

    item = models.ForeignKey(
        ServiceItem, verbose_name="事项", related_name="versions", on_delete=models.CASCADE
    )
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField(
        "事项类型", max_length=20, choices=[(k, k) for k in ITEM_KINDS], default="行政许可"
    )
    department = models.ForeignKey(Department, verbose_name="实施部门", on_delete=models.PROTECT)
    legal_days = models.PositiveSmallIntegerField("法定办结时限(工作日)", null=True, blank=True)
    promised_days = models.PositiveSmallIntegerField(
        "承诺办结时限(工作日)", null=True, blank=True, help_text="0 表示即办件"
    )
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=0)
    steps = models.JSONField("办理环节", default=list, blank=True)
    produces = models.ForeignKey(
        LicenceType,
        verbose_name="办理结果证照",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="produced_by",
    )
    basic_code = models.CharField("基本编码", max_length=12, blank=True)
    implementation_code = models.CharField("实施编码", max_length=36, blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    review_points = models.TextField("审查要点", blank=True)
    service_object = models.CharField("服务对象", max_length=50, blank=True)
    handling_forms = models.JSONField("办理形式", default=list, blank=True)
    fee = models.TextField("收费标准及依据", blank=True, help_text="空表示不收费")
    online_level = models.CharField("网办深度", max_length=50, blank=True)
    special_procedures = models.JSONField("特别程序", default=list, blank=True)
    address = models.CharField("办理地点", max_length=300, blank=True)
    hours = models.CharField("办理时间", max_length=200, blank=True)
    contact = models.CharField("咨询方式", max_length=200, blank=True)
    supervision = models.CharField("监督投诉方式", max_length=200, blank=True)
    result = models.CharField("办理结果", max_length=200, blank=True)
    pause_allowed = models.BooleanField("允许中止计时(特别程序)", default=True)
    extension_days = models.PositiveSmallIntegerField("可延长时限(工作日)", null=True, blank=True)
    description = models.TextField("事项说明", blank=True)
    instant_approval = models.BooleanField(
        "信用+秒批", default=False, help_text="信用良好主体的完整申请提交后自动准予"
    )
    commitment_verify_days = models.PositiveSmallIntegerField(
        "告知承诺核查期限(工作日)", null=True, blank=True, help_text="空表示采用系统默认值"
    )
    remarked_licence = models.BooleanField("容缺时可出具带备注的证照", default=False)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique"),
            models.CheckConstraint(
                condition=Q(promised_days__isnull=True)
                | Q(legal_days__isnull=True)
                | Q(promised_days__lte=models.F("legal_days")),
                name="item_promised_within_legal",
            ),
        ]
        indexes = [models.Index(fields=["item", "status", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class ItemField(models.Model):
    """An item version's form field, in order (the form of that item before merging)."""

    version = models.ForeignKey(
        ServiceItemVersion, related_name="item_fields", on_delete=models.CASCADE
    )
    element = models.ForeignKey(DataElement, verbose_name="数据元", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField("顺序")

    class Meta:
        verbose_name = "表单要素"
        verbose_name_plural = "表单要素"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "element"], name="item_field_once")
        ]

    def __str__(self) -> str:
        return self.element.label


class MaterialRequirement(models.Model):
    """An item version's need for a material: when it applies, and whether 容缺 or 告知承诺 may replace it."""

    version = models.ForeignKey(
        ServiceItemVersion, related_name="requirements", on_delete=models.CASCADE
    )
    material = models.ForeignKey(Material, verbose_name="材料", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField("顺序")
    when = models.CharField("适用情形(表达式)", max_length=500, blank=True)
    deficiency_allowed = models.BooleanField("可容缺", default=False)
    commitment_allowed = models.BooleanField("可告知承诺", default=False)
    copies = models.CharField("份数/形式", max_length=100, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "材料要求"
        verbose_name_plural = "材料要求"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.material.name


class Bundle(models.Model):
    """一件事: the stable identity of a bundle; its content lives in versions."""

    code = models.CharField("一件事编码", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class BundleVersion(VersionWindow):
    """One version of a bundle: its items with dependencies and conditions, questions, steps, visits."""

    bundle = models.ForeignKey(
        Bundle, verbose_name="一件事", related_name="versions", on_delete=models.CASCADE
    )
    name = models.CharField("名称", max_length=200)
    department = models.ForeignKey(Department, verbose_name="牵头部门", on_delete=models.PROTECT)
    steps = models.JSONField("办理环节", default=list, blank=True)
    visits = models.PositiveSmallIntegerField("到现场次数", default=0)
    silence_is_consent = models.BooleanField("超时默认", default=False)
    promised_days = models.PositiveSmallIntegerField("承诺时限(工作日)", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    audience = models.CharField("服务对象", max_length=20, blank=True)
    life_event = models.CharField("生命周期阶段", max_length=50, blank=True)
    batch = models.CharField("批次", max_length=20, blank=True)

    class Meta:
        verbose_name = "一件事版本"
        verbose_name_plural = "一件事版本"
        ordering = ["bundle__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "number"], name="bundle_version_number_unique"
            )
        ]
        indexes = [models.Index(fields=["bundle", "status", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class BundleEntry(models.Model):
    """An item inside a bundle version: ``after`` names items whose output it needs first."""

    version = models.ForeignKey(BundleVersion, related_name="entries", on_delete=models.CASCADE)
    item = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField("顺序")
    after = models.JSONField("前置事项", default=list, blank=True)
    when = models.CharField("适用情形(表达式)", max_length=500, blank=True)

    class Meta:
        verbose_name = "包含事项"
        verbose_name_plural = "包含事项"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.item.code


class BundleQuestion(models.Model):
    """情形引导: a question of a bundle version whose answer drives ``when`` conditions."""

    version = models.ForeignKey(BundleVersion, related_name="questions", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField("顺序")
    code = models.CharField("问题编码", max_length=100)
    text = models.CharField("问题", max_length=300)
    type = models.CharField(
        "类型", max_length=20, choices=[(t, t) for t in FIELD_TYPES], default="text"
    )
    options = models.JSONField("可选值", default=list, blank=True)
    help = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "情形问题"
        verbose_name_plural = "情形问题"
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text


class SearchDocument(models.Model):
    """检索索引: one row per current item or bundle, with its jieba-segmented words.

    Derived data, never edited: ``banshi.catalog.search.rebuild_index`` replaces every row after each
    catalogue change. ``title_text`` and ``search_text`` hold space-separated words so that SQLite FTS5
    (a virtual table over this one) and PostgreSQL (a GIN index on ``to_tsvector('simple',
    search_text)``) index exactly the same words and return the same hits.
    """

    class Kind(models.TextChoices):
        ITEM = "item", "事项"
        BUNDLE = "bundle", "一件事"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    code = models.CharField("编码", max_length=64)
    title = models.CharField("名称", max_length=200)
    body = models.TextField("正文", blank=True)
    department = models.CharField("部门编码", max_length=32)
    department_name = models.CharField("部门名称", max_length=100)
    audience = models.CharField("服务对象", max_length=50, blank=True)
    life_event = models.CharField("生命周期阶段", max_length=50, blank=True)
    title_text = models.TextField("名称分词")
    search_text = models.TextField("全文分词")
    # Which catalogue state the index was built from (search.catalogue_fingerprint), the same on
    # every row: search rebuilds when it differs (e.g. a version published in the admin).
    fingerprint = models.CharField("目录指纹", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "检索索引"
        verbose_name_plural = "检索索引"
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="search_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class CatalogueRevision(models.Model):
    """目录版本号: one row whose ``number`` every catalogue write moves, in its own transaction.

    Why: each process keeps the catalogue snapshot (``selectors.catalogue_snapshot``) that costs a
    dozen queries and 50–300 ms of CPU to build. Reading this one row tells a process whether any
    worker, the admin or a CLI load changed the catalogue since its snapshot, so it rebuilds only
    then instead of on a timer. Written only by ``services.bump_revision``.
    """

    number = models.BigIntegerField("版本号", default=0)
    changed_at = models.DateTimeField("变更时间", null=True, blank=True)

    class Meta:
        verbose_name = "目录版本号"
        verbose_name_plural = "目录版本号"

    def __str__(self) -> str:
        return str(self.number)


# The catalogue rows ``selectors.build_catalogue`` reads: a change to any of them moves the
# revision (``signals``). SearchDocument is derived from the snapshot and does not feed it.
SNAPSHOT_MODELS: tuple[type[models.Model], ...] = (
    Department,
    DataElement,
    LicenceType,
    Material,
    ServiceItem,
    ServiceItemVersion,
    ItemField,
    MaterialRequirement,
    Bundle,
    BundleVersion,
    BundleEntry,
    BundleQuestion,
)

REVISION_ROW = 1  # the primary key of the one CatalogueRevision row (created by migration 0005)
