from django.apps import AppConfig


def applicant_may_download(user, document) -> bool:
    """Applicants download the documents of their own applications (收件凭证, notices, decisions):
    the applicant, their agent, or a representative of the applying enterprise."""
    if document.application_id is None:
        return False
    from banshi.cases.models import Application
    from banshi.people.permissions import applicant_q

    return Application.objects.filter(applicant_q(user), pk=document.application_id).exists()


class PortalConfig(AppConfig):
    """公众门户: the applicant-facing pages (service guides, applying online, progress)."""

    name = "banshi.portal"
    label = "portal"
    verbose_name = "公众门户"

    def ready(self) -> None:
        from banshi.documents.permissions import register_download_rule

        register_download_rule(applicant_may_download)
