"""材料存储: one row per distinct content; the bytes live in Django's default storage.

A file is addressed by the SHA-256 of its bytes (DESIGN §7): the same scan uploaded twice, by one
applicant or by two, is stored once and both drafts point at the same row. The storage name is
``files/ab/cd/<sha256>`` under the default storage (``MEDIA_ROOT`` on local disk by default; an
S3-compatible backend when ``STORAGES["default"]`` says so), so a path never reveals the original
name the applicant gave the file. ``content_type`` is what the bytes are (sniffed from their magic
numbers by :mod:`banshi.files.sniff`), never what the browser or the file name claimed.

No rule lives here: :func:`banshi.files.services.store_upload` checks size and type and writes.
"""

from __future__ import annotations

from django.db import models


class StoredFile(models.Model):
    """一份材料文件: distinct content, stored once."""

    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("大小(字节)")
    content_type = models.CharField("文件类型", max_length=100)
    original_name = models.CharField(
        "原文件名", max_length=255, blank=True, help_text="首次上传时的文件名，仅供显示"
    )
    storage_name = models.CharField("存储位置", max_length=255)
    created_at = models.DateTimeField("首次上传时间")

    class Meta:
        verbose_name = "材料文件"
        verbose_name_plural = "材料文件"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name or self.sha256[:12]} ({self.content_type})"

    @property
    def short_digest(self) -> str:
        return self.sha256[:12]
