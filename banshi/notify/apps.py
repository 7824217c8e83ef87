from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """消息通知: in-platform messages, e-mail over SMTP and an SMS gateway, fed by the outbox."""

    name = "banshi.notify"
    label = "notify"
    verbose_name = "消息通知"
