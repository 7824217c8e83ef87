from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """事项中心: departments, data elements, materials, licence types, service items and bundles."""

    name = "banshi.catalog"
    label = "catalog"
    verbose_name = "事项目录"

    def ready(self) -> None:
        from banshi.catalog import signals  # noqa: F401  (connects the revision bumps)
