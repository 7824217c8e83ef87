"""Subscriptions (editable) and deliveries (read-only; dead ones can be re-queued)."""

from __future__ import annotations

from django.contrib import admin

from banshi.webhooks.delivery import requeue
from banshi.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "url", "topics", "active", "created_at")
    list_filter = ("active", "department")
    search_fields = ("name", "url")
    fields = ("name", "department", "url", "topics", "active", "secret")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "delivery_id",
        "topic",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status",
        "sent_at",
    )
    list_filter = ("status", "subscription", "topic")
    search_fields = ("delivery_id", "message__key", "topic")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    @admin.action(description="重新推送所选记录 / send again")
    def send_again(self, request, queryset):
        count = requeue(queryset)
        self.message_user(request, f"已重新排队 {count} 条(已送达的不重发)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("subscription", "message")


__all__ = ["DeliveryStatus", "WebhookDeliveryAdmin", "WebhookSubscriptionAdmin"]
