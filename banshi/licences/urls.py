"""URLs of banshi.licences."""

from django.urls import path  # noqa: F401

app_name = "licences"
urlpatterns: list = []
