"""API tokens in the admin: listed and revocable, never readable (only a SHA-256 is stored)."""

from __future__ import annotations

from django.contrib import admin

from banshi.api.models import ApiToken
from banshi.core import clock


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "label", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("label", "user__username", "prefix")
    readonly_fields = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    fields = ("prefix", "label", "user", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # created with ``banshi api_token create`` so the token is shown once

    @admin.action(description="吊销所选令牌 / revoke")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=clock.now())
        self.message_user(request, f"已吊销 {count} 个令牌")
