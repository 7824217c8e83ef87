"""What the API front door keeps for itself: API tokens and the ``Idempotency-Key``s it has seen.

Neither holds a rule of the case engine: a token is how a machine logs in, an idempotency record
is how a retried HTTP request finds the answer it already got.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """接口令牌: a bearer token for departments' systems and scripts, acting as its owner.

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is created
    (``banshi api_token create USER --label L``). ``prefix`` (the first characters) lets an
    administrator tell tokens apart without being able to use them.
    """

    token_hash = models.CharField("令牌摘要(SHA-256)", max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=16, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="所属账号",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    label = models.CharField("用途说明", max_length=100)
    created_at = models.DateTimeField("创建时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.label}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """幂等记录: one ``Idempotency-Key`` of one login, the request it came with and its result.

    A retry with the same key and the same request returns the recorded application; the same key
    with a different request (another draft, another body) is refused. ``fingerprint`` is the
    SHA-256 of the method, the path and the canonical JSON body.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="+",
    )
    key = models.CharField("幂等键", max_length=80)
    fingerprint = models.CharField("请求摘要", max_length=64)
    application = models.ForeignKey(
        "cases.Application",
        verbose_name="申请",
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "幂等记录"
        verbose_name_plural = "幂等记录"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.application_id}"


class ApiUpload(models.Model):
    """A file a login uploaded through the API (``POST /files``).

    Stored files are shared by content (:mod:`banshi.files`), so a file id alone proves nothing:
    a draft may attach only files that its owner's login uploaded itself.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="+"
    )
    file = models.ForeignKey(
        "files.StoredFile", verbose_name="文件", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "接口上传"
        verbose_name_plural = "接口上传"
        constraints = [
            models.UniqueConstraint(fields=["user", "file"], name="api_upload_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.file_id}"
