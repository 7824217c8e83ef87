"""/messages/: the inbox, the unread count in the page header, marking read, preferences."""

from __future__ import annotations

import pytest

from banshi.cases.tests.factories import make_person
from banshi.notify import services
from banshi.notify.models import Notification, Preference
from banshi.portal.tests.english import chinese_left, main_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return make_person("孙七")


def test_the_inbox_lists_my_messages_and_the_header_counts_unread(client, person):
    services.notify(person, "case.grant", {"title": "开办餐饮店", "case": "C-1"})
    services.notify(make_person("别人"), "case.deny", {})
    client.force_login(person.user)
    page = client.get("/messages/").content.decode()
    assert "准予许可" in page and "不予许可" not in page
    assert 'class="badge unread-count"' in page and ">1</span>" in page


def test_opening_a_message_marks_it_read_and_follows_its_link(client, person):
    notification = services.notify(person, "case.grant", {"application": "BS-1"})
    client.force_login(person.user)
    response = client.post(f"/messages/{notification.pk}/read")
    assert response.status_code == 302 and response["Location"] == "/applications/BS-1/"
    assert Notification.objects.get().read_at is not None
    assert "unread-count" not in client.get("/messages/").content.decode()


def test_someone_elses_message_cannot_be_marked(client, person):
    other = services.notify(make_person("别人"), "case.grant", {})
    client.force_login(person.user)
    assert client.post(f"/messages/{other.pk}/read").status_code == 404
    assert Notification.objects.get().read_at is None


def test_mark_all_read(client, person):
    services.notify(person, "case.grant", {})
    services.notify(person, "application.completed", {})
    client.force_login(person.user)
    client.post("/messages/read-all")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_are_saved(client, person):
    client.force_login(person.user)
    client.post("/messages/preferences", {"email": "on"})
    preference = Preference.objects.get(person=person)
    assert preference.email and not preference.sms


def test_the_inbox_needs_a_login(client):
    response = client.get("/messages/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_inbox_in_english_labels_everything_but_the_messages_themselves(client, person):
    notification = services.notify(person, "case.grant", {"title": "开办餐饮店"})
    client.force_login(person.user)
    response = client.get("/messages/", headers={"Accept-Language": "en"})
    text = main_text(response)
    assert "Messages" in text and "1 unread" in text and "Mark all read" in text
    assert "How to notify you" in text and "Unread" in text
    data = (notification.title, notification.body, person.name)
    assert chinese_left(response, *data) == []


def test_mark_all_read_confirms_in_english(client, person):
    services.notify(person, "case.grant", {})
    services.notify(person, "application.completed", {})
    client.force_login(person.user)
    client.cookies["django_language"] = "en"
    response = client.post("/messages/read-all", follow=True)
    assert "Marked 2 messages read" in main_text(response)
    data = [text for n in Notification.objects.all() for text in (n.title, n.body)]
    assert chinese_left(response, *data) == []


def test_the_inbox_in_chinese_by_default(client, person):
    services.notify(person, "case.grant", {})
    client.force_login(person.user)
    client.post("/messages/preferences", {"email": "on"})
    text = main_text(client.get("/messages/"))
    assert "消息中心" in text and "1 条未读" in text and "通知方式已保存" in text
