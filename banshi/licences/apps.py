from django.apps import AppConfig


class LicencesConfig(AppConfig):
    """电子证照: licences issued on a grant, signed, verified by QR, revoked, expired, replaced."""

    name = "banshi.licences"
    label = "licences"
    verbose_name = "电子证照"
