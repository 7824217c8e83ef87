"""好差评 URLs: rating pages for the public, the rectification desk and reports for staff."""

from django.urls import path

from banshi.ratings import views

app_name = "ratings"

urlpatterns = [
    path("mine/", views.my_cases, name="my_cases"),
    path("applications/<str:number>/", views.rate_application, name="rate_application"),
    path("appeals/<str:number>/", views.rate_appeal, name="rate_appeal"),
    path("windows/<str:code>/", views.rate_window, name="rate_window"),
    path("windows/<str:code>/qr.svg", views.window_qr, name="window_qr"),
    path("public/", views.disclosure, name="disclosure"),
    path("staff/", views.desk, name="desk"),
    path("staff/windows/", views.windows, name="windows"),
    path("staff/appeals/<str:number>/phone/", views.record_by_phone, name="record_by_phone"),
    path("staff/reports/", views.report, name="report"),
    path("staff/rectifications/<int:pk>/", views.rectification, name="rectification"),
    path(
        "staff/rectifications/<int:pk>/<str:action>/",
        views.rectification_act,
        name="rectification_act",
    ),
]
