from django.apps import AppConfig


class LicencesConfig(AppConfig):
    """电子证照: licences issued on a grant, signed, verified by QR, revoked, expired, replaced."""

    name = "banshi.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from banshi.core import jobs

        jobs.register(
            "licences.expiry_scan",
            "banshi.licences.services:expiry_job",
            every=3600,
            description="电子证照: 到期失效与延续提醒",
        )
