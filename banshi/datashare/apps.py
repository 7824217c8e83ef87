from django.apps import AppConfig


class DatashareConfig(AppConfig):
    """数据共享: providers (local, HTTP exchange) that verify a material from data, every call recorded."""

    name = "banshi.datashare"
    label = "datashare"
    verbose_name = "数据共享"

    def ready(self) -> None:
        from banshi.datashare import signals  # noqa: F401  (drops the cached sources on a change)
