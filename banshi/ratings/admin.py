"""好差评 admin: indicator sets and windows are configuration; ratings and rectifications are
read-only (the services are the only writers), and raters' contacts are never listed here."""

from __future__ import annotations

from django.contrib import admin

from banshi.ratings import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class IndicatorInline(admin.TabularInline):
    model = models.Indicator
    extra = 0

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    """A national, versioned set (§3.12): to change it, add a new version and activate it."""

    list_display = ("code", "name", "service_mode", "version", "is_active")
    inlines = (IndicatorInline,)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "location", "is_active")
    list_editable = ("is_active",)


@admin.register(models.Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = (
        "subject_key",
        "level",
        "is_bad",
        "department",
        "channel",
        "rated_at",
        "excluded",
    )
    list_filter = ("level", "is_bad", "subject_kind", "channel", "excluded")
    exclude = ("rater_name", "rater_phone", "rater_person")
    date_hierarchy = "rated_at"


@admin.register(models.Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("rating", "department", "state", "due", "contacted_at", "closed_at", "workdays")
    list_filter = ("state", "finding", "category")
