"""数据共享 admin: sources are configured here; calls are read-only (an audit trail)."""

from __future__ import annotations

from django.contrib import admin

from banshi.datashare.models import DataShareCall, DataShareSource


@admin.register(DataShareSource)
class DataShareSourceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "provider",
        "subject_kind",
        "base_url",
        "timeout_seconds",
        "enabled",
    ]
    list_filter = ["provider", "enabled"]
    search_fields = ["code", "name"]


@admin.register(DataShareCall)
class DataShareCallAdmin(admin.ModelAdmin):
    """调用记录: read-only; who asked, why, and what came back (minimised)."""

    list_display = ["at", "source_code", "material_code", "subject_label", "user", "case_number",
                    "outcome", "duration_ms"]  # fmt: skip
    list_filter = ["outcome", "provider", "source_code"]
    search_fields = ["case_number", "material_code", "purpose"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
