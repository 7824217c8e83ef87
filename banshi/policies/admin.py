"""Read-only admin views of the policy data: every change goes through the services (staff pages,
``banshi match_policies``), so the admin never bypasses the condition checks or the history."""

from __future__ import annotations

from django.contrib import admin

from banshi.policies.models import (
    EnterprisePortrait,
    Grant,
    GrantBatch,
    MatchRun,
    Notice,
    PersonPortrait,
    Policy,
    PolicyEvent,
    PolicyOffer,
    PolicyVersion,
    PortraitImport,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = ("number", "status", "title", "mode", "valid_from", "valid_until", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = PolicyEvent
    fields = ("at", "action", "version", "by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(ReadOnly):
    list_display = ("code", "department", "subject_kind", "status", "created_at")
    list_filter = ("status", "subject_kind", "department")
    search_fields = ("code", "versions__title")
    inlines = [VersionInline, EventInline]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnly):
    list_display = ("policy", "number", "title", "status", "mode", "current_run")
    list_filter = ("status", "mode")
    search_fields = ("policy__code", "title")


@admin.register(EnterprisePortrait)
class EnterprisePortraitAdmin(ReadOnly):
    list_display = (
        "enterprise",
        "industry_code",
        "district",
        "registered_capital",
        "employees",
        "updated_at",
    )
    search_fields = ("enterprise__uscc", "enterprise__name")
    list_select_related = ("enterprise",)


@admin.register(PersonPortrait)
class PersonPortraitAdmin(ReadOnly):
    """个人画像 (read-only; the list names the person, not the ID number)."""

    list_display = (
        "person",
        "birth_date",
        "hukou_district",
        "employment_status",
        "disability_level",
        "assistance_status",
        "updated_at",
    )
    search_fields = ("person__id_number", "person__name")
    list_select_related = ("person",)


@admin.register(PortraitImport)
class PortraitImportAdmin(ReadOnly):
    list_display = (
        "file_name",
        "department",
        "rows_total",
        "rows_imported",
        "rows_rejected",
        "created_at",
    )
    list_filter = ("department",)


@admin.register(MatchRun)
class MatchRunAdmin(ReadOnly):
    list_display = (
        "pk",
        "kind",
        "status",
        "database",
        "policies_done",
        "policies_total",
        "subjects",
        "matched",
        "near_misses",
        "seconds",
        "started_at",
    )
    list_filter = ("kind", "status")


@admin.register(GrantBatch)
class GrantBatchAdmin(ReadOnly):
    list_display = ("policy_version", "count", "total_amount", "confirmed_by", "confirmed_at")


@admin.register(Grant)
class GrantAdmin(ReadOnly):
    list_display = ("policy", "enterprise", "person", "amount", "granted_on", "via")
    list_filter = ("via",)
    search_fields = ("enterprise__uscc", "enterprise__name", "person__name", "policy__code")
    list_select_related = ("policy", "enterprise", "person")


@admin.register(PolicyOffer)
class PolicyOfferAdmin(ReadOnly):
    list_display = (
        "policy_version",
        "enterprise",
        "person",
        "status",
        "amount",
        "offered_at",
        "submitted_at",
    )
    list_filter = ("status",)


@admin.register(Notice)
class NoticeAdmin(ReadOnly):
    list_display = ("enterprise", "kind", "title", "created_at", "read_at")
    list_filter = ("kind",)
