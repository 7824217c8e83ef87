from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """惠企政策: policies, the enterprise portrait (企业画像) and 免申即享 matching."""

    name = "banshi.policies"
    label = "policies"
    verbose_name = "惠企政策"
    default_auto_field = "django.db.models.BigAutoField"
