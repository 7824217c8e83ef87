"""一人一档 / 一企一档: the subjects who apply, the agents who act for them, and the staff who serve them.

Identifiers are validated (GB 11643 for ID numbers, GB 32100 for unified social credit codes) in the
services before anything is stored, so a row here always carries a valid, normalised identifier.
Staff are Django users with a :class:`StaffProfile` (department and roles); applicants are users
linked to a :class:`Person` (and, through :class:`EnterpriseRole`, to the enterprises they may act for).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from banshi.people import identifiers


class Role(models.TextChoices):
    """Staff roles (DESIGN §8). A staff member may hold several."""

    WINDOW_CLERK = "window_clerk", "综合窗口人员"
    REVIEWER = "reviewer", "审批人员"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    CHIEF_SERVICE_OFFICER = "chief_service_officer", "首席服务员"
    SUPERVISOR = "supervisor", "效能监督"
    CATALOGUE_ADMIN = "catalogue_admin", "事项管理员"
    HOTLINE_AGENT = "hotline_agent", "12345 坐席"
    AUDITOR = "auditor", "审计员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    # 本级人民政府负责人: approves the extension of a joint handling (行政许可法第42条第二款).
    GOVERNMENT_HEAD = "government_head", "本级人民政府负责人"


class Person(models.Model):
    """自然人 (一人一档): a citizen, identified by a valid 18-character ID number (upper-case X)."""

    id_number = models.CharField("公民身份号码", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "自然人"
        verbose_name_plural = "自然人"

    def __str__(self) -> str:
        return self.name

    # Birth date and sex are read from the ID number (one source of truth, used by prefill).
    @property
    def birth_date(self) -> dt.date:
        return dt.date(
            int(self.id_number[6:10]), int(self.id_number[10:12]), int(self.id_number[12:14])
        )

    @property
    def sex(self) -> str:
        """``male`` or ``female`` (GB 11643: an odd sequence number is male)."""
        return "male" if int(self.id_number[16]) % 2 else "female"

    @property
    def sex_label(self) -> str:
        return "男" if self.sex == "male" else "女"

    @property
    def masked_id_number(self) -> str:
        return identifiers.mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return identifiers.mask_phone(self.phone)


class Enterprise(models.Model):
    """法人及其他组织 (一企一档), identified by a valid 统一社会信用代码 (GB 32100)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    address = models.CharField("住所", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法人"
        verbose_name_plural = "法人"

    def __str__(self) -> str:
        return self.name


class EnterpriseRole(models.Model):
    """A person's standing to act for an enterprise: its legal representative or an employee it named."""

    class Kind(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", "法定代表人"
        HANDLER = "handler", "经办人"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enterprise_roles")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="person_roles"
    )
    kind = models.CharField("身份", max_length=30, choices=Kind.choices)

    class Meta:
        verbose_name = "企业经办身份"
        verbose_name_plural = "企业经办身份"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "enterprise", "kind"], name="enterprise_role_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.enterprise} · {self.get_kind_display()}"


class Authorisation(models.Model):
    """代办授权: an agent may act for a principal (person or enterprise) within a scope until a date.

    ``scope`` is a comma-separated list of bundle or item codes; empty means every matter. It is
    valid from ``valid_from`` to ``valid_to`` inclusive, unless revoked (``revoked_at``). Checked by
    :func:`banshi.people.services.may_act_for` / ``find_authorisation``; never by hand.
    """

    agent = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="authorisations_received"
    )
    principal_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="authorisations_given"
    )
    principal_enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.CASCADE, related_name="authorisations"
    )
    scope = models.CharField("授权范围", max_length=200, help_text="一件事或事项编码，空表示全部")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("截止日期")
    document_sha256 = models.CharField("授权委托书摘要", max_length=64, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "代办授权"
        verbose_name_plural = "代办授权"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    principal_person__isnull=False, principal_enterprise__isnull=True
                )
                | models.Q(principal_person__isnull=True, principal_enterprise__isnull=False),
                name="authorisation_one_principal",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.principal}"

    @property
    def principal(self) -> Person | Enterprise | None:
        return self.principal_person or self.principal_enterprise

    @property
    def scope_codes(self) -> frozenset[str]:
        """The codes the authorisation covers; empty = every matter."""
        return frozenset(code for code in self.scope.split(",") if code)


class StaffProfile(models.Model):
    """A staff member's department and roles: what they may see and do (department × role, DESIGN §8)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    roles = models.JSONField("角色", default=list, blank=True)
    window = models.CharField("窗口号", max_length=30, blank=True)
    # "A staff member sees only their department's cases unless granted more" (DESIGN §8).
    all_departments = models.BooleanField(
        "可办理全部部门",
        default=False,
        help_text="如综合窗口人员：可查看和受理所有部门的办件",
    )
    extra_departments = models.ManyToManyField(
        "catalog.Department",
        verbose_name="另行授权的部门",
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return f"{self.user} ({self.department})"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [labels.get(role, role) for role in self.roles]


class LoginAttempt(models.Model):
    """登录记录: every password login attempt, the lockout's memory and the login audit trail.

    ``username`` is stored lower-cased (the lockout key); no password is ever stored.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILURE = "failure", "失败"
        LOCKED = "locked", "已锁定，拒绝"

    username = models.CharField("用户名", max_length=150)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["username", "-at"], name="login_attempt_user_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.get_outcome_display()} {self.at:%Y-%m-%d %H:%M:%S}"


class ExternalIdentity(models.Model):
    """A login account's identity at an OIDC provider (统一身份认证): issuer + subject, never reused."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField("身份提供方", max_length=300)
    subject = models.CharField("外部用户标识", max_length=255)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "统一身份认证账号"
        verbose_name_plural = "统一身份认证账号"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} · {self.subject}"


class Consent(models.Model):
    """同意记录 (PIPL §14: informed, voluntary, explicit; standards §7.3): one row per consent given.

    Core administrative processing rests on the statutory duty, not on consent (PIPL §13(3)); consent
    is asked only for optional purposes such as reusing what the person once provided to prefill a
    new form (表单预填复用, M-D1). ``purpose`` names the purpose, ``scope`` what it covers (e.g. the
    bundle or item code of one application), ``version`` the wording the person agreed to. Withdrawal
    sets ``withdrawn_at``; a row is never deleted, so the record of consent outlives the consent.
    """

    class Purpose(models.TextChoices):
        PREFILL_REUSE = "prefill_reuse", "复用已提交信息预填表单"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField("目的", max_length=30, choices=Purpose.choices)
    scope = models.CharField("范围", max_length=200, help_text="如一件事或事项编码、草稿编号")
    version = models.CharField("告知文本版本", max_length=20)
    text = models.TextField("告知内容", blank=True)
    given_at = models.DateTimeField("同意时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)

    class Meta:
        verbose_name = "同意记录"
        verbose_name_plural = "同意记录"
        ordering = ["-given_at", "-id"]
        indexes = [
            models.Index(fields=["person", "purpose", "scope"], name="consent_person_purpose"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_purpose_display()} · {self.scope}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
