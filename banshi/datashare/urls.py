"""URLs of banshi.datashare."""

from django.urls import path  # noqa: F401

app_name = "datashare"
urlpatterns: list = []
