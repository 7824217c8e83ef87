from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    """惠企政策: policies, the enterprise and person portraits (企业/个人画像) and 免申即享 matching."""

    name = "banshi.policies"
    label = "policies"
    verbose_name = "惠企政策"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A person hears of a benefit through the platform's messages (inbox, e-mail, SMS);
        # enterprises keep the policy page's own notices.
        from django.db.models.signals import post_save

        from banshi.core import jobs
        from banshi.notify.topics import Topic, register
        from banshi.people.models import Person
        from banshi.policies import conf
        from banshi.policies.services import person_registered

        jobs.register(
            "policies.match_changes",
            "banshi.policies.services:match_changes_job",
            every=lambda: conf.changes_minutes() * 60,
            description="画像变更后的增量匹配",
        )
        jobs.register(
            "policies.full_run",
            "banshi.policies.services:full_run_job",
            every=lambda: conf.full_run_hours() * 3600,
            description="惠企政策全量匹配（中断后续跑）",
        )

        # 一人一档 → 个人画像: birth date and gender from the ID number, for every new person
        post_save.connect(person_registered, sender=Person, dispatch_uid="policies.person_portrait")

        link = "/policies/mine/"
        register(
            Topic(
                "policy.granted",
                "免申即享：{{ policy_title }}",
                "经{{ department }}确认，您符合「{{ policy_title }}」的全部条件，"
                "无需申请即可享受：{{ benefit }}。",
                link=link,
            )
        )
        register(
            Topic(
                "policy.offered",
                "即申即享：{{ policy_title }}",
                "您可能符合「{{ policy_title }}」（{{ benefit }}）。平台已根据您的数据预先填好申请，"
                "确认无误后一键提交即可。",
                link=link,
            )
        )
        register(
            Topic(
                "policy.decided",
                "{% if approved %}已兑现{% else %}未通过{% endif %}：{{ policy_title }}",
                "{% if approved %}您的申请已通过：{{ benefit }}，将按规定发放。"
                "{% else %}您的申请未通过：{{ note }}{% endif %}",
                link=link,
            )
        )
