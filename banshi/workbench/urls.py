"""Staff URLs under ``/workbench/``."""

from django.urls import path

from banshi.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.home, name="home"),
    path("intake/", views.intake, name="intake"),
    path("applications/<str:number>/", views.application, name="application"),
    path(
        "applications/<str:number>/actions/<slug:action>/",
        views.application_action,
        name="application_action",
    ),
    path("cases/", views.cases, name="cases"),
    path("cases/<str:ref>/", views.case, name="case"),
    path("cases/<str:ref>/actions/<slug:action>/", views.case_action, name="case_action"),
    path("supervision/", views.supervision, name="supervision"),
]
