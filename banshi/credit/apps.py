from django.apps import AppConfig


class CreditConfig(AppConfig):
    """信用: credit records, lists, a level per subject, gates on commitments and 容缺, instant approval, repair."""

    name = "banshi.credit"
    label = "credit"
    verbose_name = "信用"
