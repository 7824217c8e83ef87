"""Documents in the admin: read-only (a document is issued or revoked by the services only)."""

from __future__ import annotations

from django.contrib import admin

from banshi.documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "title",
        "agency_name",
        "subject_label",
        "reference",
        "issued_at",
        "revoked_at",
    )
    list_filter = ("kind", "revoked_at")
    search_fields = ("number", "reference", "case_reference", "token")
    date_hierarchy = "issued_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
