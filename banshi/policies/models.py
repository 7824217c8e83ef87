"""惠企政策 as rows: the enterprise portrait, policies with versions, matching runs and delivery.

* **Portrait** (企业精准画像, MISSION M-D4): :class:`EnterprisePortrait` is one wide row per enterprise,
  one typed column per attribute of :mod:`banshi.policies.attributes`, so that SQL matches a policy
  against every enterprise in one scan. :class:`PortraitValueSource` keeps, per value, where it came
  from and as of which date; :class:`PortraitImport` is one department file with its rejected rows;
  :class:`PortraitChange` queues the enterprises whose values changed for the next incremental run.
* **Policies** (M-E): :class:`Policy` is the stable identity (code, issuing department, overall
  status); its content lives in :class:`PolicyVersion` rows (draft → published → superseded or
  repealed), never edited once published. Conditions are a list of named expressions of
  :mod:`banshi.expr`, each stored as source text plus parsed AST JSON. :class:`PolicyEvent` is the
  history.
* **Matching**: :class:`MatchRun` records one run; :class:`Match` rows hold, per (run, policy
  version, enterprise), the enterprises that met every condition (the delivery list);
  :class:`NearMiss` rows hold, per (run, enterprise), every policy of the run the enterprise missed
  by exactly one condition, with that condition and whether it was unknown, packed into one text
  (:func:`banshi.policies.engine.decode_entries`); :class:`MatchRunPolicy` keeps the per-policy
  counts the staff pages show. A version's ``current_run`` points at the run whose rows are shown,
  so a new run is written beside the old one and switched in one transaction.
* **Delivery**: :class:`GrantBatch` / :class:`Grant` (免申即享 after the department confirms the list),
  :class:`PolicyOffer` (即申即享: a pre-filled application submitted in one click), :class:`Notice`
  (the in-platform message to the enterprise).

Operations are in :mod:`banshi.policies.services` and :mod:`banshi.policies.engine`; nothing here
enforces business rules beyond database constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from banshi.policies.attributes import SourceKind, SubjectKind

# Delivery rows name exactly one subject: an enterprise or a person.
ONE_SUBJECT = Q(enterprise__isnull=False, person__isnull=True) | Q(
    enterprise__isnull=True, person__isnull=False
)

# A bit per condition in the masks of :class:`Match` (kept below 2**31 for a 32-bit integer column).
MAX_CONDITIONS = 30


# ---------------------------------------------------------------------------------- portrait
class EnterprisePortrait(models.Model):
    """企业画像: the structured attributes of one enterprise, one typed column each.

    A NULL column is *unknown*: a condition that reads it is unknown, and an unknown condition
    never counts as met. Every column is indexed so that the matching engine can narrow a policy
    to the enterprises that meet one of its two most selective conditions before checking the rest.
    """

    enterprise = models.OneToOneField(
        "people.Enterprise",
        verbose_name="企业",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="portrait",
    )
    industry_section = models.CharField(
        "行业门类", max_length=1, null=True, blank=True, db_index=True
    )
    industry_division = models.CharField(
        "行业大类", max_length=2, null=True, blank=True, db_index=True
    )
    industry_code = models.CharField("行业代码", max_length=4, null=True, blank=True, db_index=True)
    district = models.CharField("所在区域", max_length=12, null=True, blank=True, db_index=True)
    registered_capital = models.DecimalField(
        "注册资本(万元)", max_digits=16, decimal_places=2, null=True, blank=True, db_index=True
    )
    employees = models.IntegerField("从业人数", null=True, blank=True, db_index=True)
    insured_employees = models.IntegerField("参保人数", null=True, blank=True, db_index=True)
    revenue = models.DecimalField(
        "上年度营业收入(万元)",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        db_index=True,
    )
    tax_paid = models.DecimalField(
        "上年度纳税额(万元)", max_digits=16, decimal_places=2, null=True, blank=True, db_index=True
    )
    rd_ratio = models.DecimalField(
        "研发费用占比(%)", max_digits=7, decimal_places=2, null=True, blank=True, db_index=True
    )
    patents = models.IntegerField("有效发明专利数", null=True, blank=True, db_index=True)
    established_on = models.DateField("成立日期", null=True, blank=True, db_index=True)
    tax_credit_level = models.CharField(
        "纳税信用等级", max_length=1, null=True, blank=True, db_index=True
    )
    credit_level = models.CharField(
        "公共信用综合评价等级", max_length=1, null=True, blank=True, db_index=True
    )
    is_high_tech = models.BooleanField("高新技术企业", null=True, blank=True, db_index=True)
    is_specialized = models.BooleanField("专精特新中小企业", null=True, blank=True, db_index=True)
    is_sme = models.BooleanField("中小微企业", null=True, blank=True, db_index=True)
    has_export = models.BooleanField("有进出口实绩", null=True, blank=True, db_index=True)
    is_listed = models.BooleanField("上市企业", null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "企业画像"
        verbose_name_plural = "企业画像"

    def __str__(self) -> str:
        return f"{self.enterprise_id} 画像"


class ValueSource(models.Model):
    """一数一源: the columns every portrait value's source has, whoever the subject (企业/自然人)."""

    attribute = models.CharField("属性", max_length=60)
    kind = models.CharField("来源类型", max_length=12, choices=SourceKind.CHOICES)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="来源部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField("来源凭据", max_length=200, blank=True)
    as_of = models.DateField("数据日期")
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        abstract = True


class PortraitValueSource(ValueSource):
    """一数一源: where one portrait value came from and as of which date (the latest write wins)."""

    enterprise = models.ForeignKey(
        "people.Enterprise", verbose_name="企业", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "画像数据来源"
        verbose_name_plural = "画像数据来源"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "attribute"], name="portrait_source_once")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.attribute} ← {self.get_kind_display()}"


class PortraitImport(models.Model):
    """One department data file (CSV / Excel) imported into the portrait, with its rejected rows.

    ``errors`` is a list of ``{"row", "column", "zh", "en"}`` (row numbers as the spreadsheet shows
    them, the header being row 1); a row with any bad cell is rejected whole.
    """

    department = models.ForeignKey(
        "catalog.Department", verbose_name="提供部门", on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件摘要", max_length=64)
    kind = models.CharField("来源类型", max_length=12, choices=SourceKind.CHOICES)
    subject_kind = models.CharField(
        "数据对象", max_length=10, choices=SubjectKind.CHOICES, default=SubjectKind.ENTERPRISE
    )
    as_of = models.DateField("数据日期")
    columns = models.JSONField("导入的属性", default=list)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_imported = models.PositiveIntegerField("导入行数", default=0)
    rows_rejected = models.PositiveIntegerField("拒收行数", default=0)
    enterprises_created = models.PositiveIntegerField("新登记企业数", default=0)
    errors = models.JSONField("错误", default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "画像数据导入"
        verbose_name_plural = "画像数据导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows_imported}/{self.rows_total})"


class QueuedChange(models.Model):
    """The columns of a portrait-change queue row (企业 or 自然人): when it changed and which
    incremental run consumed it."""

    changed_at = models.DateTimeField("变更时间")
    processed_by = models.ForeignKey(
        "MatchRun",
        verbose_name="处理的匹配批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class PortraitChange(QueuedChange):
    """An enterprise whose portrait changed: queued in the same transaction as the change and
    consumed by the next incremental matching run (``processed_by`` set), so nothing is lost."""

    enterprise = models.ForeignKey(
        "people.Enterprise", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = "画像变更"
        verbose_name_plural = "画像变更"
        indexes = [models.Index(fields=["processed_by", "id"], name="portrait_change_pending")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------- person portrait
class PersonPortrait(models.Model):
    """个人画像: the structured attributes of one person (自然人), one typed, indexed column each.

    The person's counterpart of :class:`EnterprisePortrait` (same rules: NULL is unknown, every
    column indexed for the engine's prefilter). Age is not a column: conditions compare
    ``birth_date`` with ``years_ago(n)``.
    """

    person = models.OneToOneField(
        "people.Person",
        verbose_name="自然人",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="portrait",
    )
    birth_date = models.DateField("出生日期", null=True, blank=True, db_index=True)
    gender = models.CharField("性别", max_length=1, null=True, blank=True, db_index=True)
    hukou_district = models.CharField(
        "户籍所在地", max_length=12, null=True, blank=True, db_index=True
    )
    residence_district = models.CharField(
        "居住地", max_length=12, null=True, blank=True, db_index=True
    )
    employment_status = models.CharField(
        "就业状态", max_length=8, null=True, blank=True, db_index=True
    )
    disability_level = models.CharField(
        "残疾等级", max_length=4, null=True, blank=True, db_index=True
    )
    assistance_status = models.CharField(
        "社会救助对象", max_length=8, null=True, blank=True, db_index=True
    )
    is_veteran = models.BooleanField("退役军人", null=True, blank=True, db_index=True)
    education = models.CharField("最高学历", max_length=8, null=True, blank=True, db_index=True)
    graduation_year = models.IntegerField("毕业年份", null=True, blank=True, db_index=True)
    children = models.IntegerField("子女数", null=True, blank=True, db_index=True)
    youngest_child_birth_date = models.DateField(
        "最小子女出生日期", null=True, blank=True, db_index=True
    )
    monthly_income = models.DecimalField(
        "月收入(元)", max_digits=12, decimal_places=2, null=True, blank=True, db_index=True
    )
    social_insurance = models.CharField(
        "养老保险参保状态", max_length=8, null=True, blank=True, db_index=True
    )
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)

    class Meta:
        verbose_name = "个人画像"
        verbose_name_plural = "个人画像"

    def __str__(self) -> str:
        return f"{self.person_id} 画像"


class PersonValueSource(ValueSource):
    """一数一源 for persons: where one value of a person's portrait came from, as of which date."""

    person = models.ForeignKey(
        "people.Person", verbose_name="自然人", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = "个人画像数据来源"
        verbose_name_plural = "个人画像数据来源"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "attribute"], name="person_portrait_source_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.attribute} ← {self.get_kind_display()}"


class PersonPortraitChange(QueuedChange):
    """A person whose portrait changed, queued for the incremental run (as :class:`PortraitChange`)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    class Meta:
        verbose_name = "个人画像变更"
        verbose_name_plural = "个人画像变更"
        indexes = [
            models.Index(fields=["processed_by", "id"], name="person_change_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.changed_at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------------- policies
class PolicyStatus(models.TextChoices):
    """A policy's standing in the public list (政策库: 现行有效 / 已修订 / 已废止)."""

    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行有效"
    CHANGED = "changed", "已修订(现行有效)"
    REPEALED = "repealed", "已废止"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "现行版本"
    SUPERSEDED = "superseded", "已被修订"
    REPEALED = "repealed", "已废止"


class PolicyMode(models.TextChoices):
    AUTO_GRANT = "auto_grant", "免申即享"
    PREFILLED = "prefilled", "即申即享"
    APPLY = "apply", "申报"


class BenefitKind(models.TextChoices):
    FIXED = "fixed", "固定金额"
    EXPRESSION = "expression", "按画像计算"
    NONE = "none", "非资金类"


class Policy(models.Model):
    """惠企政策: the stable identity of a policy (code, issuing department) and its overall status."""

    code = models.CharField("政策编码", max_length=64, unique=True)
    department = models.ForeignKey(
        "catalog.Department", verbose_name="发布部门", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    # whose portrait the conditions read: fixed when the policy is created (its versions'
    # conditions and results are all of that kind)
    subject_kind = models.CharField(
        "政策对象", max_length=10, choices=SubjectKind.CHOICES, default=SubjectKind.ENTERPRISE
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "惠企政策"
        verbose_name_plural = "惠企政策"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PolicyVersion(models.Model):
    """One version of a policy: everything the public guide shows and the engine matches.

    ``conditions`` is a list of ``{"name", "source", "ast", "hint"}``: a short name in words (shown
    to enterprises: 注册资本不低于500万元), the expression as written, its parsed AST
    (:func:`banshi.expr.to_json`), and optional advice for those who miss only this one.
    The benefit is a fixed amount, or an expression over the portrait (``benefit_expression`` +
    its AST) optionally capped by ``benefit_cap``. Validity is inclusive on both ends.
    """

    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField("政策名称", max_length=200)
    summary = models.TextField("政策内容", blank=True)
    legal_title = models.CharField("政策文件", max_length=300, blank=True)
    legal_url = models.URLField("政策原文链接", max_length=500, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField("有效期至(含)", null=True, blank=True)
    mode = models.CharField("兑现方式", max_length=12, choices=PolicyMode.choices)
    service_item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name="申报事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    benefit_kind = models.CharField(
        "扶持方式", max_length=12, choices=BenefitKind.choices, default=BenefitKind.FIXED
    )
    benefit_amount = models.DecimalField(
        "扶持金额(元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    benefit_expression = models.CharField("金额计算式(元)", max_length=500, blank=True)
    benefit_ast = models.JSONField("金额计算式语法树", null=True, blank=True)
    benefit_cap = models.DecimalField(
        "金额上限(元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    benefit_note = models.CharField("扶持内容说明", max_length=300, blank=True)
    conditions = models.JSONField("享受条件", default=list)
    change_note = models.CharField("修订说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起草人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    current_run = models.ForeignKey(
        "MatchRun",
        verbose_name="当前匹配结果",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "政策版本"
        verbose_name_plural = "政策版本"
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number"),
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(status="published"),
                name="policy_one_published_version",
            ),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="draft"), name="policy_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number} {self.title}"

    @property
    def condition_names(self) -> list[str]:
        return [condition["name"] for condition in self.conditions]

    def in_force(self, on) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


class PolicyEvent(models.Model):
    """The history of a policy: created, saved, published, changed, repealed (append-only)."""

    class Action(models.TextChoices):
        CREATED = "created", "起草"
        SAVED = "saved", "修改草稿"
        PUBLISHED = "published", "发布"
        CHANGED = "changed", "修订发布"
        REPEALED = "repealed", "废止"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "政策变更记录"
        verbose_name_plural = "政策变更记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.get_action_display()} {self.at:%Y-%m-%d}"


# ---------------------------------------------------------------------------------- matching
class MatchRun(models.Model):
    """One matching run: full (every published policy), one policy, or the changed subjects.

    ``plan`` lists the policy versions a full run covers (fixed when it starts, so a resumed run
    does the same work); ``today`` is the date ``today()`` meant in its conditions; ``change_mark``
    is the last :class:`PortraitChange` id seen when it started (changes after it are re-applied
    when the run switches its results in).
    """

    class Kind(models.TextChoices):
        FULL = "full", "全量匹配"
        POLICY = "policy", "单项政策"
        SUBJECTS = "subjects", "画像变更"

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        FINISHED = "finished", "已完成"
        FAILED = "failed", "失败(可续跑)"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    subject_kind = models.CharField(
        "匹配对象", max_length=10, choices=SubjectKind.CHOICES, default=SubjectKind.ENTERPRISE
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    database = models.CharField("数据库", max_length=100, blank=True)
    today = models.DateField("匹配基准日")
    plan = models.JSONField("计划匹配的政策版本", default=list, blank=True)
    change_mark = models.BigIntegerField("画像变更水位", default=0)
    policies_total = models.PositiveIntegerField("政策数", default=0)
    policies_done = models.PositiveIntegerField("已完成政策数", default=0)
    subjects = models.PositiveIntegerField("企业数", default=0)
    matched = models.PositiveBigIntegerField("符合条件", default=0)
    near_misses = models.PositiveBigIntegerField("差一项", default=0)
    started_at = models.DateTimeField("开始时间")
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    seconds = models.FloatField("耗时(秒)", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "匹配批次"
        verbose_name_plural = "匹配批次"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.get_status_display()}"


class MatchRunPolicy(models.Model):
    """Progress of a run: one row per policy version done, written in the same transaction as
    its :class:`Match` rows, so a resumed run skips exactly the policies that are complete."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="progress")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="+")
    matched = models.PositiveIntegerField("符合条件", default=0)
    near_misses = models.PositiveIntegerField("差一项", default=0)
    # near misses by the condition missed (index → count, a list as long as the conditions): the
    # summary the delivery page shows, kept up to date by the changed-subject runs, so that no
    # page aggregates the near-miss rows
    missed_counts = models.JSONField("差一项(按未满足条件)", default=list, blank=True)
    seconds = models.FloatField("耗时(秒)", default=0)
    purged_at = models.DateTimeField("结果已清理", null=True, blank=True)

    class Meta:
        verbose_name = "匹配进度"
        verbose_name_plural = "匹配进度"
        constraints = [
            models.UniqueConstraint(fields=["run", "policy_version"], name="match_progress_once")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} · {self.policy_version_id}"


def _bulk_subject_key(to: str) -> models.ForeignKey:
    """The subject column of an engine-written result table: no constraint, no index of its own
    (the composite primary key is the table's only index) and no reverse accessor, so tens of
    millions of rows are written at the speed of one B-tree."""
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )


class MatchRow(models.Model):
    """The columns of one match row, whoever the subject: the run, the policy version, whether
    every condition held, and the condition bitmasks (a stored match has ``matched`` true, every
    bit of ``held``, ``unknown`` 0 and ``missed`` NULL: the columns stay so that the rows read the
    same as the engine's ``SELECT``; near misses are :class:`NearMissRow`)."""

    run = models.ForeignKey(
        MatchRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    matched = models.BooleanField("符合全部条件")
    held = models.IntegerField("满足的条件(位)")
    unknown = models.IntegerField("缺少数据的条件(位)", default=0)
    missed = models.SmallIntegerField("未满足的一项", null=True, blank=True)

    class Meta:
        abstract = True


class Match(MatchRow):
    """One enterprise that met every condition of one policy version in one run (the department's
    delivery list pages through them by primary key). Near misses are :class:`NearMiss` rows;
    enterprises that miss two or more conditions are stored nowhere.

    Written only by the matching engine, in bulk (``INSERT … SELECT``): the primary key
    (run, policy version, enterprise) is the only index, and there are no foreign-key constraints
    or ORM cascades (deleting a run's rows is the engine's job), so tens of millions of rows can be
    written at the speed of one B-tree.
    """

    pk = models.CompositePrimaryKey("run_id", "policy_version_id", "enterprise_id")
    enterprise = _bulk_subject_key("people.Enterprise")

    class Meta:
        verbose_name = "匹配结果"
        verbose_name_plural = "匹配结果"

    def __str__(self) -> str:
        return f"run {self.run_id} pv {self.policy_version_id} ent {self.enterprise_id}"


class PersonMatch(MatchRow):
    """One person against one (person) policy version in one run: :class:`Match`'s twin, same
    columns and composite primary key, written only by the engine in bulk."""

    pk = models.CompositePrimaryKey("run_id", "policy_version_id", "person_id")
    person = _bulk_subject_key("people.Person")

    class Meta:
        verbose_name = "个人匹配结果"
        verbose_name_plural = "个人匹配结果"

    def __str__(self) -> str:
        return f"run {self.run_id} pv {self.policy_version_id} person {self.person_id}"


class NearMissRow(models.Model):
    """The columns of a near-miss set, whoever the subject: every policy version of one run that
    one subject missed by exactly one condition, in one row.

    ``entries`` is a comma-separated list of integers ``version << 6 | missed << 1 | unknown``
    (``missed`` the condition's index, below :data:`MAX_CONDITIONS`; ``unknown`` 1 when that
    condition was unknown rather than false); a near miss's ``held`` mask is every other condition
    and its ``unknown`` mask at most the missed one. ``part`` tells apart the rows one run writes
    for the same subject: the first version id of the batch of policies that wrote it (0 for a row
    rewritten by a changed-subject run).

    Why one row per subject and not per (subject, policy): ~90 % of a full run's results are near
    misses (~68 per enterprise with 1,000 policies); one packed row per subject and batch writes
    a fraction of the rows, and the only reader that needs them one by one is the subject's own
    page, which reads its few rows by primary key. Counts per policy are in
    :class:`MatchRunPolicy`.
    """

    run = models.ForeignKey(
        MatchRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    part = models.BigIntegerField("写入批次", default=0)
    entries = models.TextField("差一项的政策")

    class Meta:
        abstract = True


class NearMiss(NearMissRow):
    """One enterprise's near misses in one run (see :class:`NearMissRow`); written only by the
    engine, in bulk, primary key (run, enterprise, part) and no other index or constraint."""

    pk = models.CompositePrimaryKey("run_id", "enterprise_id", "part")
    enterprise = _bulk_subject_key("people.Enterprise")

    class Meta:
        verbose_name = "差一项结果"
        verbose_name_plural = "差一项结果"

    def __str__(self) -> str:
        return f"run {self.run_id} ent {self.enterprise_id} part {self.part}"


class PersonNearMiss(NearMissRow):
    """One person's near misses in one run: :class:`NearMiss`'s twin."""

    pk = models.CompositePrimaryKey("run_id", "person_id", "part")
    person = _bulk_subject_key("people.Person")

    class Meta:
        verbose_name = "个人差一项结果"
        verbose_name_plural = "个人差一项结果"

    def __str__(self) -> str:
        return f"run {self.run_id} person {self.person_id} part {self.part}"


# ---------------------------------------------------------------------------------- delivery
class GrantBatch(models.Model):
    """A department's confirmation of a 免申即享 list (the list is the run's matches)."""

    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name="政策版本", on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(
        MatchRun, verbose_name="依据的匹配批次", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间")
    granted_on = models.DateField("兑现日期")
    count = models.PositiveIntegerField("兑现企业数", default=0)
    total_amount = models.DecimalField("兑现总金额(元)", max_digits=16, decimal_places=2, default=0)
    skipped = models.JSONField("未兑现及原因", default=list, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "兑现批次"
        verbose_name_plural = "兑现批次"
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy_version} · {self.count} 家"


class Grant(models.Model):
    """A benefit granted to an enterprise (免申即享 confirmed, or 即申即享 approved); once per policy."""

    class Via(models.TextChoices):
        AUTO = "auto", "免申即享"
        OFFER = "offer", "即申即享"

    policy = models.ForeignKey(
        Policy, verbose_name="政策", on_delete=models.PROTECT, related_name="grants"
    )
    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name="政策版本", on_delete=models.PROTECT, related_name="grants"
    )
    # exactly one of enterprise / person, as the policy's subject kind says
    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_grants",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="自然人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policy_grants",
    )
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2, null=True, blank=True)
    granted_on = models.DateField("兑现日期")
    via = models.CharField("兑现方式", max_length=8, choices=Via.choices)
    batch = models.ForeignKey(
        GrantBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "政策兑现"
        verbose_name_plural = "政策兑现"
        ordering = ["-granted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="grant_once_per_policy"),
            models.UniqueConstraint(
                fields=["policy", "person"], name="grant_once_per_policy_person"
            ),
            models.CheckConstraint(
                condition=ONE_SUBJECT,
                name="grant_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} → {self.enterprise_id} {self.amount}"


class PolicyOffer(models.Model):
    """即申即享: an application pre-filled from the portrait, pushed to a matching enterprise, which
    submits it in one click; the department then approves it (a :class:`Grant`) or declines it."""

    class Status(models.TextChoices):
        OFFERED = "offered", "待申请"
        SUBMITTED = "submitted", "已申请"
        APPROVED = "approved", "已兑现"
        DECLINED = "declined", "未通过"

    policy_version = models.ForeignKey(
        PolicyVersion, verbose_name="政策版本", on_delete=models.PROTECT, related_name="offers"
    )
    # exactly one of enterprise / person, as the policy's subject kind says
    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="企业",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_offers",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="自然人",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policy_offers",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OFFERED)
    prefilled = models.JSONField("预填内容", default=dict)
    amount = models.DecimalField(
        "测算金额(元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    offered_at = models.DateTimeField("推送时间")
    submitted_at = models.DateTimeField("申请时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        "people.Person",
        verbose_name="申请人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_note = models.CharField("办理意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "即申即享申请"
        verbose_name_plural = "即申即享申请"
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy_version", "enterprise"], name="policy_offer_once"
            ),
            models.UniqueConstraint(
                fields=["policy_version", "person"], name="policy_offer_once_person"
            ),
            models.CheckConstraint(
                condition=ONE_SUBJECT,
                name="policy_offer_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_version} → {self.enterprise_id} {self.get_status_display()}"


class Notice(models.Model):
    """站内消息 to an enterprise: a benefit granted, an application pushed (read on /policies/mine/)."""

    class Kind(models.TextChoices):
        GRANTED = "granted", "政策兑现"
        OFFERED = "offered", "即申即享推送"
        DECIDED = "decided", "申请办结"

    enterprise = models.ForeignKey(
        "people.Enterprise",
        verbose_name="企业",
        on_delete=models.CASCADE,
        related_name="policy_notices",
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "政策消息"
        verbose_name_plural = "政策消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-created_at"], name="policy_notice_inbox")]

    def __str__(self) -> str:
        return self.title
