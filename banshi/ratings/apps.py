"""好差评: ratings of services, windows, staff and 12345 requests, and bad-rating rectification."""

from __future__ import annotations

from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "banshi.ratings"
    label = "ratings"
    verbose_name = "好差评"
