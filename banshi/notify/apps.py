"""消息通知: in-platform messages, e-mail over SMTP and an SMS gateway, fed by the outbox."""

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """消息通知: in-platform messages, e-mail over SMTP and an SMS gateway, fed by the outbox.

    ``ready()`` registers the outbox consumer (every outbox message, once, in the dispatch
    transaction) and the delivery job (e-mail and SMS, with back-off).
    """

    name = "banshi.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from banshi.core import jobs, outbox
        from banshi.notify import conf

        outbox.register_consumer("notify", "banshi.notify.consumer:consume")
        jobs.register(
            "notify.send",
            "banshi.notify.delivery:send_due",
            every=conf.interval_seconds,
            description="发送到期的邮件和短信通知",
        )
