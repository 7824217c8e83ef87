"""Public URLs: guides (办事指南), bundles (一件事) with their live plan, departments, search."""

from django.urls import path

from banshi.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search", views.search, name="search"),
    path("departments/<str:code>/", views.department, name="department"),
    path("items/<str:code>/", views.item, name="item"),
    path("bundles/<str:code>/", views.bundle, name="bundle"),
    path("bundles/<str:code>/plan", views.bundle_plan, name="bundle_plan"),
]
