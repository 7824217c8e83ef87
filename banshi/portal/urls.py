"""Public URLs: guides (办事指南), bundles (一件事) with their live plan, departments, search; and the
applicant's pages: applying online (在线申请), the receipt and progress page, 我的办件."""

from django.urls import path

from banshi.portal import apply, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("departments/<str:code>/", views.department, name="department"),
    path("items/<str:code>/", views.item, name="item"),
    path("bundles/<str:code>/", views.bundle, name="bundle"),
    path("bundles/<str:code>/plan", views.bundle_plan, name="bundle_plan"),
    # applying online
    path("apply/bundle/<str:code>/", apply.apply_start, {"kind": "bundle"}, name="apply_bundle"),
    path("apply/item/<str:code>/", apply.apply_start, {"kind": "item"}, name="apply_item"),
    path("apply/<int:pk>/", apply.draft_resume, name="draft"),
    path("apply/<int:pk>/save", apply.draft_save, name="draft_save"),
    path("apply/<int:pk>/consent", apply.draft_consent, name="draft_consent"),
    path("apply/<int:pk>/submit", apply.draft_submit, name="draft_submit"),
    path("apply/<int:pk>/delete", apply.draft_delete, name="draft_delete"),
    path("apply/<int:pk>/files/<int:file_id>", apply.draft_file, name="draft_file"),
    path(
        "apply/<int:pk>/materials/<str:code>/remove",
        apply.draft_material_remove,
        name="draft_material_remove",
    ),
    path("apply/<int:pk>/materials/<str:code>/", apply.draft_material, name="draft_material"),
    path("apply/<int:pk>/<slug:step>/", apply.draft_step, name="draft_step"),
    # after submitting
    path("applications/<str:number>/", apply.application, name="application"),
    path(
        "applications/<str:number>/correction",
        apply.application_correction,
        name="application_correction",
    ),
    path(
        "applications/<str:number>/withdraw",
        apply.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<str:number>/files/<int:file_id>",
        apply.application_file,
        name="application_file",
    ),
    path("me/", apply.me, name="me"),
]
