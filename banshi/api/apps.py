from django.apps import AppConfig


class ApiConfig(AppConfig):
    """REST API for machines (departments' systems, mobile apps), documented by OpenAPI."""

    name = "banshi.api"
    label = "api"
    verbose_name = "接口"
