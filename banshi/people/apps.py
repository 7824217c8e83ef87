from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """一人一档 / 一企一档: persons, enterprises, agents, staff and their roles."""

    name = "banshi.people"
    label = "people"
    verbose_name = "人员与主体"
