"""URLs of banshi.audit, under ``/audit/``: the auditor's search and the logged unmasking."""

from django.urls import path

from banshi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.search, name="search"),
    path("unmask/<str:number>/", views.unmask, name="unmask"),
]
