"""URLs of banshi.credit (mounted at /credit/)."""

from django.urls import path

from banshi.credit import views

app_name = "credit"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/records/<int:pk>/repair/", views.file_repair, name="file_repair"),
    path("supplements/<int:pk>/", views.supplement, name="supplement"),
    path("staff/", views.staff_subject, name="staff"),
    path("staff/lists/", views.staff_lists, name="lists"),
    path("staff/import/", views.staff_import, name="import"),
    path("staff/repairs/", views.staff_repairs, name="repairs"),
    path("staff/repairs/<int:pk>/", views.decide_repair, name="decide_repair"),
    path("staff/verifications/", views.verifications, name="verifications"),
    path("staff/verifications/<int:pk>/", views.record_finding, name="record_finding"),
]
