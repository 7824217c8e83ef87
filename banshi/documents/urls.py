"""``/verify/<token>/`` (public verification) and ``/verify/<token>/pdf`` (download, signed in)."""

from django.urls import path

from banshi.documents import views

app_name = "documents"

urlpatterns = [
    path("<str:token>/", views.verify, name="verify"),
    path("<str:token>/pdf", views.download, name="download"),
]
