from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared ground: the clock, benchmarks, demo set-up, page chrome."""

    name = "banshi.core"
    label = "core"
    verbose_name = "平台基础"
