"""Messages and deliveries (read-only; failed deliveries can be re-queued), preferences."""

from __future__ import annotations

from django.contrib import admin

from banshi.notify.delivery import requeue
from banshi.notify.models import Delivery, Notification, Preference


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = (
        "channel",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ("title", "topic", "person", "user", "created_at", "read_at")
    list_filter = ("topic",)
    search_fields = ("title", "person__name", "user__username", "source_key")
    readonly_fields = [field.name for field in Notification._meta.fields]
    inlines = [DeliveryInline]
    date_hierarchy = "created_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ("notification", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("notification__title", "address")
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["send_again"]

    @admin.action(description="重新发送所选记录 / send again")
    def send_again(self, request, queryset):
        count = requeue(queryset)
        self.message_user(request, f"已重新排队 {count} 条(已发送的不重发)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("notification")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("person", "email", "sms", "updated_at")
    search_fields = ("person__name",)
    raw_id_fields = ("person",)
