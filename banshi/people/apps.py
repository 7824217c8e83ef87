from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """一人一档 / 一企一档: persons, enterprises, agents, staff and their roles; login."""

    name = "banshi.people"
    label = "people"
    verbose_name = "人员与主体"

    def ready(self):
        from banshi.people import auth  # noqa: F401  (connects the login log and lockout signals)
