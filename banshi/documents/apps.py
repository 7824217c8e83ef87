"""文书: the legal documents of a case as PDFs with a verification QR code."""

from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """文书 (受理通知书, 不予受理通知书, 补正材料通知书, 延期通知书, 特别程序时间告知书, 决定书,
    收件凭证): rendered, hashed, stored and verifiable at ``/verify/<token>/``."""

    name = "banshi.documents"
    label = "documents"
    verbose_name = "文书"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from banshi.documents import checks  # noqa: F401  (registers the system check)
