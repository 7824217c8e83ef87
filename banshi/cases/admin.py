"""办件中心 admin: read-only views for administrators and auditors.

Every change to an application or case goes through :mod:`banshi.cases.services` (transition table,
locks, events, outbox), so the admin never adds, changes or deletes: it lets an administrator look,
search and follow a case's timeline. Events in particular are append-only.
"""

from __future__ import annotations

from django.contrib import admin

from banshi.cases import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete: the services are the only writers."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CaseInline(ReadOnlyInline):
    model = models.Case
    fields = ("number", "item_version", "department", "state", "decision_due", "outcome")
    readonly_fields = fields
    verbose_name = "办件"
    verbose_name_plural = "办件"


class ApplicationEventInline(ReadOnlyInline):
    model = models.CaseEvent
    fk_name = "application"
    fields = ("at", "case", "kind", "from_state", "to_state", "actor", "actor_role")
    readonly_fields = fields
    ordering = ("at", "id")
    verbose_name = "办件日志"
    verbose_name_plural = "办件日志(时间线)"


@admin.register(models.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "title",
        "applicant",
        "enterprise",
        "channel",
        "status",
        "received_at",
        "accepted_at",
        "deemed_accepted",
    )
    list_filter = ("status", "channel", "deemed_accepted", "joint_handling")
    search_fields = ("number", "title", "applicant__name", "enterprise__name")
    date_hierarchy = "received_at"
    inlines = (CaseInline, ApplicationEventInline)


class PauseInline(ReadOnlyInline):
    model = models.Pause
    fields = ("reason", "started_at", "expected_days", "ended_at", "written_notice")
    readonly_fields = fields


class OpinionInline(ReadOnlyInline):
    model = models.Opinion
    fields = ("department", "opinion", "text", "due", "given_at", "deemed")
    readonly_fields = fields


class SupervisionInline(ReadOnlyInline):
    model = models.Supervision
    fields = ("clock", "level", "raised_at", "reason", "resolved_at")
    readonly_fields = fields


@admin.register(models.Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "item_version",
        "department",
        "state",
        "decision_due",
        "decision_due_provisional",
        "issue_due",
        "outcome",
    )
    list_filter = ("state", "department", "joint_review", "on_the_spot", "outcome")
    search_fields = ("number", "item__code", "item_version__name", "application__number")
    inlines = (PauseInline, OpinionInline, SupervisionInline)


@admin.register(models.CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "application", "case", "kind", "from_state", "to_state", "actor_role")
    list_filter = ("kind", "actor_role")
    search_fields = ("application__number", "case__number", "kind")
    date_hierarchy = "at"


@admin.register(models.CorrectionNotice)
class CorrectionNoticeAdmin(ReadOnlyAdmin):
    list_display = ("application", "issued_at", "due", "answered_at")
    search_fields = ("application__number",)


@admin.register(models.Pause)
class PauseAdmin(ReadOnlyAdmin):
    list_display = ("case", "reason", "started_at", "expected_days", "ended_at", "written_notice")
    list_filter = ("reason",)
    search_fields = ("case__number",)


@admin.register(models.Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("case", "days", "joint", "requested_at", "approved_by", "approved_at")
    search_fields = ("case__number",)


@admin.register(models.Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ("case", "department", "opinion", "due", "given_at", "deemed")
    list_filter = ("opinion", "deemed", "department")
    search_fields = ("case__number",)


@admin.register(models.Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ("case", "clock", "level", "raised_at", "reason", "resolved_at")
    list_filter = ("level", "clock")
    search_fields = ("case__number",)


@admin.register(models.OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "topic", "key", "created_at", "sent_at", "attempts", "next_attempt_at")
    list_filter = ("topic",)
    search_fields = ("key", "topic")


@admin.register(models.NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    list_display = ("key", "last_value")
    search_fields = ("key",)


@admin.register(models.Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("case", "material_name", "signed_at", "verify_due", "finding", "verified_at")
    list_filter = ("finding",)
    search_fields = ("case__number", "material_name")


@admin.register(models.DeficiencyObligation)
class DeficiencyObligationAdmin(ReadOnlyAdmin):
    list_display = ("case", "material_name", "due", "status", "supplied_at", "breached_at")
    list_filter = ("status",)
    search_fields = ("case__number", "material_name")
