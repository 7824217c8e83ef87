"""Which outbox topics become messages, to whom, and in what words: one registry entry per topic.

The text is Django template language over a context of the outbox payload plus ``title`` (the
application's name), ``application``, ``case``, ``name`` (the recipient's name) and ``contact``;
unknown keys render empty, so a topic added by another app needs only its entry here (or a
``register(...)`` in its own ``ready()``). ``audience`` names a recipient resolver in
:mod:`banshi.notify.recipients`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template import Context, Engine

APPLICANT = "applicant"
DEPARTMENT_STAFF = "department_staff"

_ENGINE = Engine(autoescape=False, libraries={})


@dataclass(frozen=True)
class Topic:
    """消息模板: the words of one outbox topic."""

    name: str
    title: str
    body: str
    audience: str = APPLICANT
    channels: tuple[str, ...] = ("inbox", "email", "sms")
    link: str = "{% if application %}/applications/{{ application }}/{% endif %}"

    def render(self, context: dict) -> tuple[str, str, str]:
        """(title, body, link), whitespace-trimmed."""
        ctx = Context(context, autoescape=False)
        return tuple(  # type: ignore[return-value]
            " ".join(_ENGINE.from_string(text).render(ctx).split())
            for text in (self.title, self.body, self.link)
        )


_topics: dict[str, Topic] = {}


def register(topic: Topic) -> Topic:
    _topics[topic.name] = topic
    return topic


def get(name: str) -> Topic | None:
    return _topics.get(name)


def registered() -> dict[str, Topic]:
    return dict(_topics)


_WHICH = "您申请的「{{ title }}」（编号 {{ application }}）"
_CASE = "您申请的「{{ title }}」（办件 {{ case }}）"

# ------------------------------------------------------------------ case events (case engine)
register(
    Topic(
        "application.submitted",
        "申请已收件",
        _WHICH + "已收件。窗口将在 {{ correction_due }} 前决定受理或一次性告知需补正的材料。",
        channels=("inbox",),
    )
)
register(
    Topic(
        "application.accepted",
        "申请已受理",
        _WHICH + "已{% if deemed %}依法视为{% endif %}受理，正在审查。",
    )
)
register(
    Topic(
        "application.correction_notice",
        "请补正材料",
        _WHICH + "需要补正{% if items %} {{ items|length }} 项{% endif %}材料"
        "{% if due %}，请于 {{ due }} 前提交{% endif %}。详见补正告知书。",
    )
)
register(
    Topic(
        "application.refused",
        "申请不予受理",
        _WHICH + "不予受理{% if reasons %}，理由：{{ reasons }}{% endif %}。"
        "{% if redirect_agency %}请向{{ redirect_agency }}申请。{% endif %}{{ remedy_notice }}",
    )
)
register(Topic("application.completed", "申请已办结", _WHICH + "已全部办结。"))
register(Topic("application.withdrawn", "申请已撤回", _WHICH + "已撤回。", channels=("inbox",)))
register(Topic("case.grant", "准予许可", _CASE + "已准予，决定书可在办件详情中查看。"))
register(Topic("case.decide_on_the_spot", "当场准予", _CASE + "已当场准予。"))
register(
    Topic(
        "case.deny",
        "不予许可",
        _CASE + "不予许可{% if reasons %}，理由：{{ reasons }}{% endif %}。"
        "您可依法申请行政复议或提起行政诉讼。",
    )
)
register(
    Topic(
        "case.deny_on_the_spot",
        "当场不予许可",
        _CASE + "当场不予许可。您可依法申请行政复议或提起行政诉讼。",
    )
)
register(Topic("case.issue", "证照已制发", _CASE + "的证照已制发。"))
register(
    Topic(
        "case.supervision",
        "督办提醒",
        "办件 {{ case }}（{{ title }}）被督办{% if reason %}：{{ reason }}{% endif %}。",
        audience=DEPARTMENT_STAFF,
        channels=("inbox", "email"),
        link="{% if case %}/workbench/cases/{{ case }}/{% endif %}",
    )
)
# ------------------------------------------------------------------ reminders (other apps' topics)
register(
    Topic(
        "licence.expiring",
        "证照即将到期",
        "您的{{ licence_name|default:'证照' }}{% if licence_number %}（{{ licence_number }}）"
        "{% endif %}将于 {% firstof valid_until expires_on valid_to %} 到期，请及时办理延续。",
        link="",
    )
)
register(
    Topic(
        "commitment.verification_due",
        "告知承诺核查提醒",
        _WHICH + "中您以告知承诺代替的材料将于 {% firstof due verify_by %} 前核查，"
        "请确保承诺内容属实。",
    )
)
register(
    Topic(
        "deficiency.due_soon",
        "容缺材料即将到期",
        _WHICH + "有容缺受理的材料{% if material_name %}「{{ material_name }}」{% endif %}，"
        "请于 {{ due }} 前补交。",
    )
)
register(Topic("case.deficiency_cleared", "容缺材料已补齐", _WHICH + "的容缺材料已补齐。"))
register(
    Topic(
        "case.commitment_false",
        "承诺不实",
        _WHICH + "经核查承诺内容与实际不符，将依法处理。如有异议请联系 {{ contact }}。",
    )
)
_LICENCE = "您的{{ licence_name|default:'证照' }}（编号 {{ licence_number }}）"
register(
    Topic(
        "licence.issued",
        "电子证照已签发",
        _LICENCE + "已签发入库，可在“我的证照”中查看和亮证。",
        link="/licences/mine/",
    )
)
register(
    Topic(
        "licence.revoked",
        "电子证照已吊销/撤销",
        _LICENCE + "已被吊销/撤销{% if reason %}，原因：{{ reason }}{% endif %}。",
        link="/licences/mine/",
    )
)
register(
    Topic(
        "licence.replaced",
        "电子证照已换发",
        _LICENCE + "已换发为新证照 {{ replaced_by }}，原证照不再有效。",
        link="/licences/mine/",
    )
)
register(
    Topic(
        "licence.expired",
        "电子证照已过期",
        _LICENCE + "已于 {{ valid_to }} 到期失效，如需继续经营请及时办理。",
        link="/licences/mine/",
        channels=("inbox", "sms"),
    )
)
