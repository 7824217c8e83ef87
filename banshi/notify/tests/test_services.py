"""Writing messages: Chinese text from per-topic templates, channels from preferences."""

from __future__ import annotations

import pytest

from banshi.cases.tests.factories import make_person, make_staff
from banshi.notify import services, topics
from banshi.notify.models import Channel, Delivery, Notification

pytestmark = pytest.mark.django_db


def test_every_registered_topic_renders_with_an_empty_context():
    for name, topic in topics.registered().items():
        title, body, _link = topic.render({})
        assert title and body, name


def test_the_reminder_topics_of_the_issue_are_registered():
    for name in (
        "licence.expiring",
        "commitment.verification_due",
        "deficiency.due_soon",
        "case.deficiency_cleared",
        "case.commitment_false",
        "application.correction_notice",
        "application.accepted",
        "case.grant",
        "case.deny",
        "application.completed",
    ):
        assert topics.get(name) is not None, name


def test_notify_renders_the_template_in_chinese():
    person = make_person("赵六")
    notification = services.notify(
        person,
        "deficiency.due_soon",
        {
            "application": "BS-1",
            "title": "开办餐饮店",
            "material_name": "健康证明",
            "due": "2025-04-01",
        },
    )
    assert notification.title == "容缺材料即将到期"
    assert "「开办餐饮店」" in notification.body and "健康证明" in notification.body
    assert "2025-04-01" in notification.body and notification.link == "/applications/BS-1/"


def test_a_person_who_turned_sms_off_gets_no_sms():
    person = make_person()
    person.email, person.phone = "a@example.cn", "13800138000"
    person.save()
    services.set_preference(person, email=True, sms=False)
    notification = services.notify(person, "case.grant", {"case": "C-1"})
    assert set(notification.deliveries.values_list("channel", flat=True)) == {"inbox", "email"}


def test_a_channel_without_an_address_is_not_used():
    person = make_person()  # no e-mail, no phone
    notification = services.notify(person, "case.grant", {"case": "C-1"})
    assert list(notification.deliveries.values_list("channel", flat=True)) == [Channel.INBOX]


def test_staff_get_inbox_and_email_of_their_account():
    user = make_staff("reviewer")
    user.email = "reviewer@scjg.gov.cn"
    user.save()
    notification = services.notify(user, "case.supervision", {"case": "C-9", "reason": "即将超期"})
    assert notification.user == user and notification.person is None
    assert "即将超期" in notification.body
    assert Delivery.objects.get(notification=notification, channel="email").address == user.email


def test_the_same_source_key_writes_once():
    person = make_person()
    assert services.notify(person, "case.grant", {}, source_key="k1") is not None
    assert services.notify(person, "case.grant", {}, source_key="k1") is None
    assert Notification.objects.count() == 1


def test_an_unknown_topic_is_refused_in_chinese_and_english():
    with pytest.raises(services.UnknownTopic, match=r"没有消息模板.*no message template"):
        services.notify(make_person(), "nope", {})


def test_empty_default_channels_mean_the_inbox_only(settings):
    settings.BANSHI_NOTIFY_DEFAULT_CHANNELS = ""
    person = make_person()
    person.email, person.phone = "a@example.cn", "13800138000"
    person.save()
    notification = services.notify(person, "case.grant", {})
    assert list(notification.deliveries.values_list("channel", flat=True)) == [Channel.INBOX]
