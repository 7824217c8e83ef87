"""The public verification page (扫码核验) and the holder's 我的证照 (扫码亮证)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banshi.cases.tests.factories import head, make_enterprise, make_person
from banshi.licences import services
from banshi.licences.models import Licence
from banshi.people.identifiers import mask_id_number
from banshi.portal.tests.english import chinese_left, main_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_licence(catalogue):
    person = make_person("王小明")
    return person, services.record_existing("YYZZ", holder_person=person)


def test_the_verification_page_needs_no_login_and_shows_only_masked_personal_data(
    client, person_licence
):
    person, licence = person_licence
    response = client.get(reverse("licences:verify", args=[licence.token]))
    text = response.content.decode()
    assert response.status_code == 200 and "证照真实有效" in text
    assert person.id_number not in text and "王小明" not in text
    assert mask_id_number(person.id_number) in text and "王**" in text
    assert licence.number not in text
    assert response["X-Robots-Tag"] == "noindex"


def test_an_enterprise_holder_is_shown_by_name(client, catalogue):
    enterprise = make_enterprise(name="示例餐饮有限公司")
    licence = services.record_existing("YYZZ", holder_enterprise=enterprise)
    text = client.get(reverse("licences:verify", args=[licence.token])).content.decode()
    assert "示例餐饮有限公司" in text and enterprise.uscc in text


def test_an_altered_licence_says_why_it_fails(client, person_licence):
    _, licence = person_licence
    Licence.objects.filter(pk=licence.pk).update(valid_to="2099-12-31")
    text = client.get(reverse("licences:verify", args=[licence.token])).content.decode()
    assert "核验失败" in text and "签名与证照内容不符" in text


def test_a_revoked_licence_is_shown_as_revoked(client, person_licence):
    _, licence = person_licence
    services.revoke(licence, actor=head("SCJG"), reason="依法吊销")
    text = client.get(reverse("licences:verify", args=[licence.token])).content.decode()
    assert "已吊销" in text and "依法吊销" in text and "证照真实有效" not in text


def test_an_unknown_qr_code_is_reported_as_possibly_forged(client, catalogue):
    response = client.get(reverse("licences:verify", args=["no-such-token"]))
    assert response.status_code == 404 and "可能系伪造" in response.content.decode()


def test_the_identifier_lookup_explains_a_wrong_check_character(client, person_licence):
    _, licence = person_licence
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    text = client.get(reverse("licences:lookup"), {"id": wrong}).content.decode()
    assert "证照标识校验位错误" in text
    ok = client.get(reverse("licences:lookup"), {"id": licence.identifier}).content.decode()
    assert "证照真实有效" in ok


def test_my_licences_lists_only_my_own_and_my_enterprises_with_a_qr(client, catalogue):
    me, stranger = make_person("陈伟"), make_person("李娜")
    enterprise = make_enterprise(me, name="陈氏餐饮有限公司")
    mine = services.record_existing("YYZZ", holder_person=me)
    ours = services.record_existing("SP-JY", holder_enterprise=enterprise)
    theirs = services.record_existing("YYZZ", holder_person=stranger)
    client.force_login(me.user)
    text = client.get(reverse("licences:mine")).content.decode()
    assert reverse("licences:verify", args=[mine.token]) in text
    assert reverse("licences:verify", args=[ours.token]) in text
    assert reverse("licences:verify", args=[theirs.token]) not in text
    assert text.count("<svg") >= 2


def test_my_licences_needs_a_login(client, catalogue):
    response = client.get(reverse("licences:mine"))
    assert response.status_code == 302


def test_staff_revoke_a_licence_from_the_admin_with_a_reason(client, person_licence):
    _, licence = person_licence
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    url = reverse("admin:licences_licence_changelist")
    asked = client.post(url, {"action": "revoke_selected", "_selected_action": [licence.pk]})
    assert "原因" in asked.content.decode()
    client.post(
        url,
        {
            "action": "revoke_selected",
            "_selected_action": [licence.pk],
            "apply": "1",
            "reason": "依法撤销",
        },
    )
    licence.refresh_from_db()
    assert licence.status == "revoked" and licence.status_reason == "依法撤销"
    assert (
        client.get(reverse("admin:licences_licence_change", args=[licence.pk])).status_code == 200
    )


def test_the_holder_downloads_the_licence_pdf_and_nobody_else(client, person_licence):
    from banshi.documents.render import weasyprint_problem

    person, licence = person_licence
    url = reverse("licences:pdf", args=[licence.token])
    client.force_login(make_person("李娜").user)
    assert client.get(url).status_code == 404
    client.force_login(person.user)
    response = client.get(url)
    if weasyprint_problem():
        assert response.status_code == 503
        return
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- English (the page language from Accept-Language or the language switch) ------------------

EN = {"headers": {"Accept-Language": "en"}}


def test_the_verification_page_speaks_english_when_asked(client, person_licence):
    _person, licence = person_licence
    response = client.get(reverse("licences:verify", args=[licence.token]), **EN)
    text = main_text(response)
    assert "The licence is authentic and in force" in text and "Licence identifier" in text
    assert "Citizen ID number" in text and "Signature algorithm" in text
    assert chinese_left(response, licence.name, licence.issuer_name, "王**") == []


def test_the_verification_page_stays_chinese_with_its_english_line_by_default(
    client, person_licence
):
    _person, licence = person_licence
    text = main_text(client.get(reverse("licences:verify", args=[licence.token])))
    assert "证照真实有效" in text and "证照标识" in text and "公民身份号码" in text
    assert "签名核验通过，证照内容未被篡改，目前有效。" in text
    assert "Signature verified; the licence is authentic and in force." in text


def test_a_revoked_licence_gives_its_reason_in_english(client, person_licence):
    _person, licence = person_licence
    services.revoke(licence, actor=head("SCJG"), reason="违法经营")
    response = client.get(reverse("licences:verify", args=[licence.token]), **EN)
    text = main_text(response)
    assert "Licence revoked" in text and "revoked on" in text
    assert chinese_left(response, licence.name, licence.issuer_name, "王**", "违法经营") == []


def test_an_altered_licence_says_the_signature_does_not_match_in_english(client, person_licence):
    _person, licence = person_licence
    Licence.objects.filter(pk=licence.pk).update(valid_to="2099-12-31")
    response = client.get(reverse("licences:verify", args=[licence.token]), **EN)
    text = main_text(response)
    assert "Verification failed" in text and "the signature does not match" in text
    assert chinese_left(response, licence.name, licence.issuer_name, "王**") == []


def test_a_wrong_check_character_is_explained_in_english(client, person_licence):
    _, licence = person_licence
    wrong = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    response = client.get(reverse("licences:lookup"), {"id": wrong}, **EN)
    text = main_text(response)
    assert "Verification failed" in text and "check character" in text
    assert chinese_left(response) == []


def test_an_unknown_token_is_a_404_in_english(client, catalogue):
    response = client.get(reverse("licences:verify", args=["no-such-token"]), **EN)
    assert response.status_code == 404
    assert "no such licence in the licence library" in main_text(response)
    assert chinese_left(response) == []


def test_my_licences_in_english_after_the_language_switch(client, person_licence):
    person, licence = person_licence
    client.force_login(person.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(reverse("licences:mine"))
    text = main_text(response)
    assert "My licences" in text and "In force" in text and "Verification page" in text
    assert chinese_left(response, licence.name, licence.holder_name) == []


def test_my_licences_in_chinese_by_default(client, person_licence):
    person, _licence = person_licence
    client.force_login(person.user)
    text = main_text(client.get(reverse("licences:mine")))
    assert "我的证照" in text and "有效" in text and "核验页面" in text and " 至 " in text
