"""Admin pages for catalogue administrators (事项管理员), in Chinese.

Published versions are read-only: to change an item, copy its current version to a new draft, edit
the draft and publish it. Publishing goes through ``services.publish`` so the validity windows of one
item never overlap and history is kept.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from banshi.catalog import models, services
from banshi.core import clock


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name")
    search_fields = ("code", "name")


@admin.register(models.DataElement)
class DataElementAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "type", "prefill")
    list_filter = ("type",)
    search_fields = ("code", "label")


@admin.register(models.LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "valid_years")
    search_fields = ("code", "name")
    autocomplete_fields = ("department",)


@admin.register(models.Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "licence_type", "data_share")
    list_filter = ("data_share",)
    search_fields = ("code", "name")
    autocomplete_fields = ("licence_type",)


class PublishedReadOnly:
    """Published versions cannot be edited (DESIGN §10): only drafts change."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "is_published", False):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and getattr(obj, "is_published", False):
            return False
        return super().has_delete_permission(request, obj)


class DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ItemFieldInline(DraftOnlyInline):
    model = models.ItemField
    autocomplete_fields = ("element",)


class MaterialRequirementInline(DraftOnlyInline):
    model = models.MaterialRequirement
    autocomplete_fields = ("material",)


class ItemVersionInline(admin.TabularInline):
    model = models.ServiceItemVersion
    fields = ("number", "name", "status", "valid_from", "valid_to", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ("code", "current_name", "created_at")
    search_fields = ("code", "versions__name")
    inlines = [ItemVersionInline]

    @admin.display(description="当前名称")
    def current_name(self, obj):
        version = (
            obj.versions.filter(status=models.VersionStatus.PUBLISHED).order_by("-number").first()
        )
        return version.name if version else "—"


@admin.action(description="发布所选草稿(今日生效) / publish selected drafts from today")
def publish_drafts(modeladmin, request, queryset):
    published = 0
    for version in queryset:
        if version.is_published:
            continue
        try:
            with transaction.atomic():
                services.publish(version, valid_from=clock.today())
            published += 1
        except services.VersionError as error:
            modeladmin.message_user(request, str(error), messages.ERROR)
    modeladmin.message_user(
        request, f"已发布 {published} 个版本 / published {published}", messages.SUCCESS
    )


@admin.action(description="复制为新草稿 / copy to a new draft")
def copy_to_draft(modeladmin, request, queryset):
    for version in queryset:
        draft = services.copy_to_draft(version)
        modeladmin.message_user(request, f"已创建草稿 / draft created: {draft}", messages.SUCCESS)


@admin.register(models.ServiceItemVersion)
class ServiceItemVersionAdmin(PublishedReadOnly, admin.ModelAdmin):
    list_display = (
        "item",
        "name",
        "number",
        "status",
        "department",
        "promised_days",
        "valid_from",
        "valid_to",
    )
    list_filter = ("status", "kind", "department")
    search_fields = ("item__code", "name")
    readonly_fields = ("content_hash", "published_at", "status", "valid_from", "valid_to")
    autocomplete_fields = ("department", "produces")
    inlines = [ItemFieldInline, MaterialRequirementInline]
    actions = [publish_drafts, copy_to_draft]
    fieldsets = (
        (
            _("基本信息"),
            {"fields": ("item", "number", "name", "kind", "department", "service_object")},
        ),
        (
            _("时限与环节"),
            {
                "fields": (
                    "legal_days",
                    "promised_days",
                    "extension_days",
                    "pause_allowed",
                    "commitment_verify_days",
                    "instant_approval",
                    "remarked_licence",
                    "visits",
                    "steps",
                )
            },
        ),
        (
            _("办事指南"),
            {
                "fields": (
                    "legal_basis",
                    "conditions",
                    "review_points",
                    "handling_forms",
                    "fee",
                    "online_level",
                    "special_procedures",
                    "result",
                    "produces",
                    "description",
                )
            },
        ),
        (_("办理地点与咨询"), {"fields": ("address", "hours", "contact", "supervision")}),
        (_("编码"), {"fields": ("basic_code", "implementation_code")}),
        (
            _("版本"),
            {
                "fields": (
                    "status",
                    "valid_from",
                    "valid_to",
                    "published_at",
                    "change_note",
                    "content_hash",
                )
            },
        ),
    )


class BundleEntryInline(DraftOnlyInline):
    model = models.BundleEntry
    autocomplete_fields = ("item",)


class BundleQuestionInline(DraftOnlyInline):
    model = models.BundleQuestion


class BundleVersionInline(ItemVersionInline):
    model = models.BundleVersion


@admin.register(models.Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("code", "current_name", "created_at")
    search_fields = ("code", "versions__name")
    inlines = [BundleVersionInline]

    @admin.display(description="当前名称")
    def current_name(self, obj):
        version = (
            obj.versions.filter(status=models.VersionStatus.PUBLISHED).order_by("-number").first()
        )
        return version.name if version else "—"


@admin.register(models.BundleVersion)
class BundleVersionAdmin(PublishedReadOnly, admin.ModelAdmin):
    list_display = (
        "bundle",
        "name",
        "number",
        "status",
        "department",
        "batch",
        "valid_from",
        "valid_to",
    )
    list_filter = ("status", "audience", "batch")
    search_fields = ("bundle__code", "name")
    readonly_fields = ("content_hash", "published_at", "status", "valid_from", "valid_to")
    autocomplete_fields = ("department",)
    inlines = [BundleEntryInline, BundleQuestionInline]
    actions = [publish_drafts, copy_to_draft]
