"""Admin pages of banshi.credit (Chinese)."""

from django.contrib import admin

from banshi.credit.models import CreditListEntry, CreditRecord, ImportBatch, RepairRequest


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "person",
        "enterprise",
        "severity",
        "department",
        "source",
        "repaired_at",
    )
    list_filter = ("kind", "severity", "source", "department")
    search_fields = (
        "person__name",
        "person__id_number",
        "enterprise__name",
        "enterprise__uscc",
        "facts",
    )
    raw_id_fields = ("person", "enterprise", "case")
    date_hierarchy = "occurred_on"


@admin.register(CreditListEntry)
class CreditListEntryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "person", "enterprise", "list_kind", "entered_on", "exited_on")
    list_filter = ("list_kind", "department")
    search_fields = ("person__name", "enterprise__name", "enterprise__uscc", "reason")
    raw_id_fields = ("person", "enterprise")


@admin.register(RepairRequest)
class RepairRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "record", "status", "filed_at", "decided_at")
    list_filter = ("status",)
    raw_id_fields = ("record", "filed_by", "decided_by")
    readonly_fields = ("filed_at", "decided_at")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("__str__", "department", "source", "file_name", "accepted", "duplicates")
    list_filter = ("source", "department")
    readonly_fields = ("rejected",)
