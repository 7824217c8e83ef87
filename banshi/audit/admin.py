"""审计日志 admin: read-only (the chain is written only by ``record`` and checked by ``verify``)."""

from __future__ import annotations

from django.contrib import admin

from banshi.audit.models import AuditAnchor, AuditCheckpoint, AuditEntry


class _ReadOnly(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnly):
    list_display = ["sequence", "at", "actor_username", "action", "subject_label", "purpose",
                    "case_number"]  # fmt: skip
    list_filter = ["action"]
    search_fields = ["=actor_username", "=case_number", "=subject_id"]
    show_full_result_count = False  # no COUNT(*) over 10^6 rows per page


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(_ReadOnly):
    list_display = ["through_sequence", "purged", "cutoff", "at"]


@admin.register(AuditAnchor)
class AuditAnchorAdmin(_ReadOnly):
    list_display = ["sequence", "hash", "at", "algorithm", "key_fingerprint"]
