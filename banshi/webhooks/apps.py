from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """接口推送: signed webhooks to departments' systems, fed by the transactional outbox."""

    name = "banshi.webhooks"
    label = "webhooks"
    verbose_name = "接口推送"
