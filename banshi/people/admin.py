"""Admin pages (Chinese): persons, enterprises, agent authorisations, staff (inline on the user),
the login log. ID and phone numbers are masked in lists (PIPL; reference §7.3); identifiers are
validated by the same checks as the services before anything is saved."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from banshi.core import clock
from banshi.people import identifiers, services
from banshi.people.models import (
    Authorisation,
    Enterprise,
    EnterpriseRole,
    ExternalIdentity,
    LoginAttempt,
    Person,
    Role,
    StaffProfile,
)


def _identifier(check, value, **kwargs) -> str:
    try:
        return check(value, **kwargs).value
    except identifiers.IdentifierError as error:
        raise forms.ValidationError(str(error), code=error.code) from None


def _phone(value: str) -> str:
    try:
        return services.clean_phone(value)
    except services.PeopleError as error:
        raise forms.ValidationError(str(error), code=error.code) from None


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["id_number", "name", "phone", "email", "address", "user"]

    def clean_id_number(self):
        return _identifier(
            identifiers.validate_id_number, self.cleaned_data["id_number"], today=clock.today()
        )

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone", ""))


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "legal_representative", "address", "phone"]

    def clean_uscc(self):
        return _identifier(identifiers.validate_uscc, self.cleaned_data["uscc"])

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone", ""))


class EnterpriseRoleInline(admin.TabularInline):
    model = EnterpriseRole
    extra = 0
    autocomplete_fields = ["person", "enterprise"]
    verbose_name = "企业经办身份"
    verbose_name_plural = "企业经办身份"


def _record_read(model_admin, request, object_id) -> None:
    """An audit entry for a GET of a person's or an enterprise's change page."""
    if request.method != "GET":
        return
    obj = model_admin.get_object(request, object_id)
    if obj is not None:
        from banshi.audit.services import record_profile_read

        record_profile_read(request, obj)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonForm
    list_display = ["name", "masked_id_number", "masked_phone", "user", "created_at"]
    search_fields = ["name", "=id_number", "=phone"]
    readonly_fields = ["created_at", "updated_at"]
    autocomplete_fields = ["user"]
    inlines = [EnterpriseRoleInline]

    @admin.display(description="公民身份号码")
    def masked_id_number(self, obj: Person) -> str:
        return identifiers.mask_id_number(obj.id_number)

    @admin.display(description="手机号码")
    def masked_phone(self, obj: Person) -> str:
        return identifiers.mask_phone(obj.phone)

    def get_search_results(self, request, queryset, search_term):
        # An ID number is searched in its stored form (upper-case X, no spaces).
        return super().get_search_results(request, queryset, identifiers.normalise(search_term))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _record_read(self, request, object_id)  # 审计: staff saw a profile (DESIGN §8)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    form = EnterpriseForm
    list_display = ["name", "uscc", "legal_representative", "masked_phone", "created_at"]
    search_fields = ["name", "=uscc"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [EnterpriseRoleInline]

    @admin.display(description="联系电话")
    def masked_phone(self, obj: Enterprise) -> str:
        return identifiers.mask_phone(obj.phone)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _record_read(self, request, object_id)  # 审计: staff saw a profile (DESIGN §8)
        return super().change_view(request, object_id, form_url, extra_context)


class AuthorisationForm(forms.ModelForm):
    class Meta:
        model = Authorisation
        fields = [
            "agent",
            "principal_person",
            "principal_enterprise",
            "scope",
            "valid_from",
            "valid_to",
            "document_sha256",
        ]

    def clean_scope(self):
        try:
            return services.normalise_scope(self.cleaned_data.get("scope", ""))
        except services.PeopleError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        person, enterprise = data.get("principal_person"), data.get("principal_enterprise")
        if bool(person) == bool(enterprise):
            raise forms.ValidationError("委托人须为一个自然人或一个法人（二选一）")
        if person and data.get("agent") and person.pk == data["agent"].pk:
            raise forms.ValidationError("不能授权本人代办本人事项")
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            raise forms.ValidationError("授权截止日期不能早于生效日期")
        return data


@admin.register(Authorisation)
class AuthorisationAdmin(admin.ModelAdmin):
    form = AuthorisationForm
    list_display = [
        "agent",
        "principal_display",
        "scope_display",
        "valid_from",
        "valid_to",
        "status",
    ]
    list_filter = ["valid_to"]
    search_fields = ["agent__name", "principal_person__name", "principal_enterprise__name", "scope"]
    autocomplete_fields = ["agent", "principal_person", "principal_enterprise"]
    readonly_fields = ["revoked_at", "created_at"]
    actions = ["revoke"]

    @admin.display(description="委托人")
    def principal_display(self, obj: Authorisation) -> str:
        return str(obj.principal)

    @admin.display(description="授权范围")
    def scope_display(self, obj: Authorisation) -> str:
        return obj.scope or "全部事项"

    @admin.display(description="状态")
    def status(self, obj: Authorisation) -> str:
        if obj.revoked_at:
            return "已撤销"
        today = clock.today()
        if obj.valid_to < today:
            return "已过期"
        if obj.valid_from > today:
            return "未生效"
        return "有效"

    @admin.action(description="撤销所选授权")
    def revoke(self, request, queryset):
        count = 0
        for authorisation in queryset:
            services.revoke_authorisation(authorisation)
            count += 1
        self.message_user(request, f"已撤销 {count} 项授权", messages.SUCCESS)


class StaffProfileForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = StaffProfile
        fields = ["department", "roles", "window", "all_departments", "extra_departments"]

    def clean(self):
        data = super().clean()
        roles = set(data.get("roles") or [])
        if roles & services.DEPARTMENT_ROLES and not data.get("department"):
            raise forms.ValidationError("审批人员、部门负责人和首席服务员必须属于一个部门")
        return data


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileForm
    can_delete = False
    max_num = 1
    filter_horizontal = ["extra_departments"]
    verbose_name = "工作人员信息"
    verbose_name_plural = "工作人员信息（部门与角色）"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "department", "roles", "is_active", "last_login"]
    list_select_related = ["staff_profile__department"]

    @admin.display(description="部门")
    def department(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return str(profile.department) if profile and profile.department else ""

    @admin.display(description="角色")
    def roles(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return "、".join(profile.role_labels()) if profile else ""


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """登录记录 (read-only: an audit trail)."""

    list_display = ["at", "username", "outcome", "ip_address"]
    list_filter = ["outcome"]
    search_fields = ["=username", "=ip_address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "created_at", "last_login_at"]
    search_fields = ["=subject", "user__username"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_login_at"]

    def has_add_permission(self, request):
        return False
