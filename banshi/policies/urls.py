"""Policy URLs under ``/policies/``: public list, the enterprise's page, staff pages."""

from django.urls import path

from banshi.policies import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("attributes/", views.attribute_list, name="attributes"),
    path("mine/", views.mine, name="mine"),
    path("mine/apply/<int:version_id>/", views.apply, name="apply"),
    path("mine/declare/<int:version_id>/", views.declare, name="declare"),
    path("mine/notices/read/", views.read_notices, name="read_notices"),
    path("staff/", views.staff_home, name="staff"),
    path("staff/new/", views.policy_new, name="new"),
    path("staff/check/", views.policy_check, name="check"),
    path("staff/import/", views.portrait_import, name="import"),
    path("staff/imports/<int:pk>/", views.import_report, name="import_report"),
    path("staff/runs/", views.runs, name="runs"),
    path("staff/offers/<int:offer_id>/decide/", views.decide, name="decide"),
    path("staff/<str:code>/edit/", views.policy_edit, name="edit"),
    path("staff/<str:code>/revise/", views.policy_revise, name="revise"),
    path("staff/<str:code>/publish/", views.policy_publish, name="publish"),
    path("staff/<str:code>/repeal/", views.policy_repeal, name="repeal"),
    path("staff/<str:code>/deliver/", views.deliver, name="deliver"),
    path("staff/<str:code>/confirm/", views.confirm, name="confirm"),
    path("staff/<str:code>/push/", views.push, name="push"),
    path("<str:code>/", views.policy_detail, name="detail"),
]
