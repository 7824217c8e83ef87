from django.apps import AppConfig


class PortalConfig(AppConfig):
    """公众门户: the applicant-facing pages (service guides first)."""

    name = "banshi.portal"
    label = "portal"
    verbose_name = "公众门户"
