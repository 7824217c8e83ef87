"""URLs of banshi.notify (mounted at /messages/)."""

from django.urls import path

from banshi.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read", views.read, name="read"),
    path("read-all", views.read_all, name="read_all"),
    path("preferences", views.preferences, name="preferences"),
]
