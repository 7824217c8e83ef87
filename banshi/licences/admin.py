"""电子证照 admin (Chinese): the library is read-only — licences are issued by grants and change only
through :mod:`banshi.licences.services`; revoking is an admin action that asks for the reason and
calls :func:`~banshi.licences.services.revoke`. Holder ID numbers are masked in lists."""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import render

from banshi.cases.errors import CaseError
from banshi.licences import selectors, services, verification
from banshi.licences.models import Licence, LicenceTypeCode, SigningKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """Keys are made by ``banshi licences keygen``; only their public halves are here."""

    list_display = (
        "department",
        "algorithm",
        "short_fingerprint",
        "issuer_code",
        "active",
        "created_at",
    )
    list_filter = ("algorithm", "active")

    @admin.display(description="指纹")
    def short_fingerprint(self, obj: SigningKey) -> str:
        return obj.fingerprint[:16] + "…"


@admin.register(LicenceTypeCode)
class LicenceTypeCodeAdmin(admin.ModelAdmin):
    """证照类型代码: allocated on first issue; set the national code here before go-live."""

    list_display = ("licence_type", "code")
    readonly_fields = ("licence_type",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "number",
        "holder",
        "issuer_name",
        "issued_on",
        "valid_to",
        "status",
    )
    readonly_fields = ("signature_ok",)  # on the detail page only: an SM2 check takes ~40-100 ms
    list_filter = ("status", "licence_type", "department")
    search_fields = ("number", "identifier", "holder_name")
    actions = ["revoke_selected"]
    exclude = ("token",)

    @admin.display(description="持证主体")
    def holder(self, obj: Licence) -> str:
        name, code = selectors.masked_holder(obj)
        return f"{name} {code}"

    @admin.display(description="签名核验", boolean=True)
    def signature_ok(self, obj: Licence) -> bool:
        return verification.check(obj).authentic

    @admin.action(description="吊销/撤销所选证照")
    def revoke_selected(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if "apply" in request.POST and reason:
            done = 0
            for licence in queryset:
                try:
                    services.revoke(licence, actor=request.user, reason=reason)
                    done += 1
                except CaseError as error:
                    self.message_user(request, f"{licence.number}：{error}", messages.ERROR)
            if done:
                self.message_user(request, f"已吊销 {done} 张证照", messages.SUCCESS)
            return None
        return render(
            request,
            "admin/licences/revoke.html",
            {
                **self.admin_site.each_context(request),
                "licences": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "missing_reason": "apply" in request.POST,
                "title": "吊销/撤销电子证照",
            },
        )
