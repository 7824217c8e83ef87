"""12345 admin: the configuration is edited here (categories, time limits, return reasons,
not-accepted kinds, knowledge base); tickets and their records are read-only, because every change
to a ticket goes through :mod:`banshi.appeals.services`. Caller phone numbers are masked in lists."""

from __future__ import annotations

from django.contrib import admin

from banshi.appeals import models
from banshi.people import identifiers


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "default_department", "position", "is_active")
    list_filter = ("is_active", "parent")
    list_editable = ("default_department", "position", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: old tickets keep their category


@admin.register(models.ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    list_display = (
        "appeal_type",
        "urgency",
        "acknowledge_days",
        "handle_days",
        "return_days",
        "extension_max_days",
        "remind_days_before",
        "escalate_days_after",
        "callback_days",
        "reopen_days",
        "max_reopens",
    )
    list_editable = list_display[2:]
    list_filter = ("urgency",)


@admin.register(models.ReturnReason)
class ReturnReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "text", "requires_basis", "position", "is_active")
    list_editable = ("text", "requires_basis", "position", "is_active")


@admin.register(models.NotAcceptedKind)
class NotAcceptedKindAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "transfer_to", "position", "is_active")
    list_editable = ("position", "is_active")


@admin.register(models.KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("question", "category", "source", "is_active", "updated_at")
    list_filter = ("is_active", "category")
    search_fields = ("question", "answer", "keywords")


class AssignmentInline(ReadOnlyInline):
    model = models.Assignment
    fields = (
        "round",
        "department",
        "role",
        "status",
        "dispatched_at",
        "ack_due",
        "due",
        "return_reason",
    )
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = models.AppealEvent
    fields = ("at", "kind", "from_state", "to_state", "actor", "actor_role", "department")
    readonly_fields = fields
    ordering = ("at", "id")


@admin.register(models.Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "appeal_type",
        "category",
        "title",
        "masked_phone",
        "state",
        "lead_department",
        "due",
        "received_at",
    )
    list_filter = ("state", "appeal_type", "channel", "urgency")
    search_fields = ("number", "title")
    date_hierarchy = "received_at"
    exclude = ("caller_name", "caller_phone")  # identities are read in the workbench, with a log
    inlines = (AssignmentInline, EventInline)

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        return identifiers.mask_phone(obj.caller_phone)


@admin.register(models.Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "department", "clock", "level", "due", "raised_at", "raised_by")
    list_filter = ("clock", "level")


@admin.register(models.AppealExtension)
class AppealExtensionAdmin(ReadOnlyAdmin):
    list_display = (
        "appeal",
        "days",
        "decision",
        "requested_at",
        "decided_at",
        "due_before",
        "due_after",
    )
    list_filter = ("decision",)
