from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """接口推送: signed webhooks to departments' systems, fed by the transactional outbox."""

    name = "banshi.webhooks"
    label = "webhooks"
    verbose_name = "接口推送"

    def ready(self) -> None:
        from banshi.core import jobs
        from banshi.webhooks import conf

        jobs.register(
            "outbox.dispatch",
            "banshi.webhooks.delivery:dispatch_outbox",
            every=conf.interval_seconds,
            description="发件箱分发: 推送记录、站内消息等 (每个消费者各一次)",
        )
        jobs.register(
            "webhooks.send",
            "banshi.webhooks.delivery:send_due",
            every=conf.interval_seconds,
            description="发送到期的接口推送",
        )
