"""材料存储: uploaded materials, stored once per content (addressed by SHA-256)."""

from __future__ import annotations

from django.apps import AppConfig


class FilesConfig(AppConfig):
    """材料存储 (content-addressed storage of uploaded materials, DESIGN §7)."""

    name = "banshi.files"
    label = "files"
    verbose_name = "材料存储"
    default_auto_field = "django.db.models.BigAutoField"
