from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    """工作日历: the State Council's holiday notices and the working-day arithmetic built on them."""

    name = "banshi.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from banshi.workdays import signals  # noqa: F401  (connects the cache invalidation)
